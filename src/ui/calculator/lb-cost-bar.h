/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The calculator page's chart of where the money goes (placed from its .ui),
 * showing the page's current LbCostReport. */
#pragma once

#include <gtk/gtk.h>

#include "lb-core.h"

G_BEGIN_DECLS

#define LB_TYPE_COST_BAR (lb_cost_bar_get_type ())

G_DECLARE_FINAL_TYPE (LbCostBar, lb_cost_bar, LB, COST_BAR, GtkWidget)

/* A horizontal bar, drawn with Cairo, of how the monthly total splits into
 * compute, storage and sync, with a legend. Property: "report". */
GtkWidget    *lb_cost_bar_new         (void);
LbCostReport *lb_cost_bar_get_report  (LbCostBar    *self);
void          lb_cost_bar_set_report  (LbCostBar    *self,
                                       LbCostReport *report);
/* The same drawing, for export and tests. */
void          lb_cost_bar_draw        (LbCostBar    *self,
                                       cairo_t      *cr,
                                       int           width,
                                       int           height);

G_END_DECLS
