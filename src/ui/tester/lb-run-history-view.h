/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The list of past runs, used twice: on the main window's Test view (a row
 * reopens its run) and in the tester window (one or two checked runs are
 * shown or compared). */
#pragma once

#include <gtk/gtk.h>

#include "lb-run-history.h"

G_BEGIN_DECLS

#define LB_TYPE_RUN_HISTORY_VIEW (lb_run_history_view_get_type ())

/* The past runs of an LbRunHistory, newest first. With "selectable", each row
 * has a check button: one checked run is shown, two are compared (checking a
 * third unchecks the oldest). Without it, activating a row emits
 * "run-activated". Every row has a delete button ("delete-requested"). */
G_DECLARE_FINAL_TYPE (LbRunHistoryView, lb_run_history_view, LB, RUN_HISTORY_VIEW, GtkWidget)

GtkWidget    *lb_run_history_view_new            (void);
LbRunHistory *lb_run_history_view_get_history    (LbRunHistoryView *self);
void          lb_run_history_view_set_history    (LbRunHistoryView *self,
                                                  LbRunHistory     *history);
gboolean      lb_run_history_view_get_selectable (LbRunHistoryView *self);
void          lb_run_history_view_set_selectable (LbRunHistoryView *self,
                                                  gboolean          selectable);
/* Shows at most @max_runs rows (0 = all). */
void          lb_run_history_view_set_max_runs   (LbRunHistoryView *self,
                                                  guint             max_runs);
/* The checked runs, in the order they were checked (at most two). */
guint         lb_run_history_view_get_n_selected (LbRunHistoryView *self);
LbRunRecord  *lb_run_history_view_get_selected   (LbRunHistoryView *self,
                                                  guint             index);
void          lb_run_history_view_set_selected   (LbRunHistoryView *self,
                                                  LbRunRecord      *record,
                                                  gboolean          selected);
void          lb_run_history_view_unselect_all   (LbRunHistoryView *self);

G_END_DECLS
