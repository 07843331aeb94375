/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The tester's results column: phase and progress, the counters, the live
 * chart, the per-query table, ladder steps and errors, and the comparison
 * of two runs. */

#include <adwaita.h>

#include "lb-remote-run.h"
#include "lb-test-run.h"
#include "lb-server-stats-view.h"
#include "lb-throughput-chart.h"

G_BEGIN_DECLS

#define LB_TYPE_RUN_RESULTS_VIEW (lb_run_results_view_get_type ())

/* Properties: "run" (the LbTestRun it follows live), and the read-only
 * "record" and "compare-record" it shows. */
G_DECLARE_FINAL_TYPE (LbRunResultsView, lb_run_results_view, LB, RUN_RESULTS_VIEW, GtkBox)

GtkWidget         *lb_run_results_view_new                (void);
void               lb_run_results_view_set_run            (LbRunResultsView    *self,
                                                           LbTestRun           *run);
/* A run on Databricks compute to follow live instead (NULL: none): the
 * merged samples, each worker's line in the chart and its row. */
void               lb_run_results_view_set_remote_run     (LbRunResultsView    *self,
                                                           LbRemoteRun         *run);
/* Empties everything for a run of @settings about to start. */
void               lb_run_results_view_begin              (LbRunResultsView    *self,
                                                           const LbRunSettings *settings);
/* Shows @record (NULL: the script's empty rows), compared with
 * @compare_record when not NULL; @replace_chart puts the record's timeline
 * in the chart instead of what it shows. */
void               lb_run_results_view_show               (LbRunResultsView    *self,
                                                           LbRunRecord         *record,
                                                           LbRunRecord         *compare_record,
                                                           gboolean             replace_chart);
void               lb_run_results_view_set_phase          (LbRunResultsView    *self,
                                                           const char          *text,
                                                           gboolean             spinning);
void               lb_run_results_view_clear_progress     (LbRunResultsView    *self);
LbRunRecord       *lb_run_results_view_get_record         (LbRunResultsView    *self);
LbRunRecord       *lb_run_results_view_get_compare_record (LbRunResultsView    *self);
LbServerStatsView *lb_run_results_view_get_server_view    (LbRunResultsView    *self);
LbThroughputChart *lb_run_results_view_get_chart          (LbRunResultsView    *self);
/* The text of a cell of the per-query table: @row 0 is the first query,
 * @column 0 its name; @line 0 the figure, 1 the delta under it; NULL outside. */
char              *lb_run_results_view_dup_cell           (LbRunResultsView    *self,
                                                           guint                row,
                                                           guint                column,
                                                           guint                line);

G_END_DECLS
