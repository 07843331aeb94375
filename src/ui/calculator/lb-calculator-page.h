/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Calculator view of the main window (LbWindow), over an LbWorkload and
 * an LbPriceSheet from the core; the window owns the workload and its files. */
#pragma once

#include <adwaita.h>

#include "lb-core.h"

G_BEGIN_DECLS

#define LB_TYPE_CALCULATOR_PAGE (lb_calculator_page_get_type ())

/* The cost calculator: a form for the workload and, beside it, what running
 * it on Lakebase costs, recomputed on every change. */
G_DECLARE_FINAL_TYPE (LbCalculatorPage, lb_calculator_page, LB, CALCULATOR_PAGE, GtkWidget)

/* Properties: "workload" (LbWorkload), "price-sheet" (LbPriceSheet),
 * "report" (LbCostReport, read-only: recomputed on every change),
 * "report-stale" (boolean, read-only). */
LbWorkload    *lb_calculator_page_get_workload    (LbCalculatorPage *self);
void           lb_calculator_page_set_workload    (LbCalculatorPage *self,
                                                   LbWorkload       *workload);
LbPriceSheet  *lb_calculator_page_get_price_sheet (LbCalculatorPage *self);
void           lb_calculator_page_set_price_sheet (LbCalculatorPage *self,
                                                   LbPriceSheet     *prices);
LbCostReport  *lb_calculator_page_get_report      (LbCalculatorPage *self);

/* Measured table sizes, attached to every report from now on (NULL clears). */
void           lb_calculator_page_set_table_sizes (LbCalculatorPage *self,
                                                   JsonNode         *table_sizes);

/* The editable widget (a GtkEditable or an AdwComboRow) that shows
 * section.key, for keyboard focus and for tests. */
GtkWidget     *lb_calculator_page_get_field_widget (LbCalculatorPage *self,
                                                    const char       *section,
                                                    const char       *key);

/* Fields whose text is not a value (shown in red), by their titles in form
 * order; empty when every field is valid. While there are any, the report
 * ("report-stale" property, TRUE) shows the last valid values and says so,
 * and nothing should save or share it. */
GStrv          lb_calculator_page_dup_invalid_fields  (LbCalculatorPage *self);
gboolean       lb_calculator_page_focus_first_invalid (LbCalculatorPage *self);
gboolean       lb_calculator_page_get_report_stale    (LbCalculatorPage *self);

G_END_DECLS
