/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared by the tester window's files (the shell lb-tester-window.c and
 * its actions, lb-tester-window-actions.c), and the test hooks the UI tests
 * reach the window's sections through. Not for other UI code. */

#include "lb-index-advice-view.h"
#include "lb-index-applier.h"
#include "lb-plan-compare-view.h"
#include "lb-plan-explainer.h"
#include "lb-query-plans-view.h"
#include "lb-remote-run.h"
#include "lb-run-results-view.h"
#include "lb-run-settings-form.h"
#include "lb-script-view.h"
#include "lb-test-run.h"
#include "lb-tester-window.h"

G_BEGIN_DECLS

struct _LbTesterWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template Widgets */
  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  GtkMenuButton        *history_button;
  LbRunHistoryView     *history_view;
  GtkStack             *run_stack;
  GtkWidget            *settings_box;
  LbScriptView         *script_view;
  LbRunSettingsForm    *settings_form;
  LbRunResultsView     *results_view;
  AdwViewStack         *view_stack;        /* "results", "plans" */
  LbQueryPlansView     *plans_view;
  LbIndexAdviceView    *advice_view;
  AdwViewStackPage     *plan_compare_page;  /* "compare-plans", shown after an apply */
  LbPlanCompareView    *plan_compare_view;

  /* Owned References */
  GCancellable         *cancellable;       /* cancelled when the window goes */
  LbTestRun            *run;               /* owns the script, sandbox and history */
  LbRemoteRun          *remote_run;        /* a run on Databricks compute, made on first use */
  GFile                *file;
  LbCredentialSource   *source;            /* set_target_source(), until another target */
  char                 *source_text;       /* what the form shows for it, without secrets */

  LbTesterExportFormat  export_format;     /* of the chooser that is open */
  gboolean              starting_sandbox;  /* the run's state said so last */
  gboolean              busy;              /* the sandbox is being reset */
  char                 *dialect;           /* tester.dialect: "auto", "pgbench", "mix", "webtool" */

  /* The explain under way (lb-tester-window-explain.c) */
  GCancellable         *explain_cancellable;
  LbPlanExplainer      *explainer;         /* once the target is known */
  guint                 explain_progress_id;
  gboolean              explaining;

  /* Index advice, apply and compare (lb-tester-window-indexes.c) */
  struct _LbTesterIndexes *indexes;
};

typedef struct _LbTesterIndexes LbTesterIndexes;

/* The dialect the open file is read as (lb-tester-window.c): stores it and
 * notifies "dialect", the state of tester.dialect. */
void         lb_tester_window_set_dialect_state  (LbTesterWindow *self,
                                                  const char     *dialect);
/* Re-reads the open file as @dialect ("auto": detected); on an error the
 * file stays as it was read and the error is shown (lb-tester-window-actions.c). */
void         lb_tester_window_read_as            (LbTesterWindow *self,
                                                  const char     *dialect);

/* Runs on Databricks compute (lb-tester-window-remote.c). */
void         lb_tester_window_start_remote       (LbTesterWindow *self,
                                                  LbRunSettings  *settings);
void         lb_tester_window_stop_remote        (LbTesterWindow *self);
gboolean     lb_tester_window_get_remote_running (LbTesterWindow *self);
/* The deployed database the form's Databricks rows start from: the
 * workload's instance, the credential source's host and user. */
void         lb_tester_window_remote_set_workload (LbTesterWindow *self,
                                                   LbWorkload     *workload);
void         lb_tester_window_remote_set_conninfo (LbTesterWindow *self,
                                                   const char     *conninfo);

/* The actions (lb-tester-window-actions.c). */
void         lb_tester_window_class_add_actions  (GtkWidgetClass *widget_class);
void         lb_tester_window_update_actions     (LbTesterWindow *self);
void         lb_tester_window_add_toast          (LbTesterWindow *self,
                                                  const char     *message);
LbPgSandbox *lb_tester_window_ensure_sandbox     (LbTesterWindow *self);
void         lb_tester_window_update_sandbox_row (LbTesterWindow *self,
                                                  const char     *status);

/* Explain (lb-tester-window-explain.c): tester.explain, tester.cancel-explain. */
void         lb_tester_window_class_add_explain_actions (GtkWidgetClass *widget_class);
void         lb_tester_window_update_explain_actions (LbTesterWindow *self);
void         lb_tester_window_cancel_explain     (LbTesterWindow *self);
/* The connection string of the form's target, as a run would use it: the
 * sandbox (started when it is not), a credential source's fresh credential
 * (a secret: for libpq only), or the form's connection string. */
void         lb_tester_window_resolve_target_async (LbTesterWindow      *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
char        *lb_tester_window_resolve_target_finish (LbTesterWindow  *self,
                                                     GAsyncResult    *result,
                                                     GError         **error);

/* Index advice, apply and compare (lb-tester-window-indexes.c):
 * tester.apply-indexes, tester.undo-indexes, tester.cancel-indexes. */
void         lb_tester_window_class_add_index_actions (GtkWidgetClass *widget_class);
void         lb_tester_window_init_indexes       (LbTesterWindow *self);
void         lb_tester_window_indexes_free       (LbTesterWindow *self);
void         lb_tester_window_update_index_actions (LbTesterWindow *self);
/* An explain finished: the advisor reads @plans (made on @conninfo). */
void         lb_tester_window_indexes_explained  (LbTesterWindow *self,
                                                  const char     *conninfo,
                                                  GPtrArray      *plans);
void         lb_tester_window_clear_advice       (LbTesterWindow *self);
void         lb_tester_window_cancel_indexes     (LbTesterWindow *self);
/* Indexes are being created or dropped, or the runs around it are made. */
gboolean     lb_tester_window_get_applying_indexes (LbTesterWindow *self);

/* A run as tester.start makes it, of @settings (NULL: the form's) against
 * the form's target; the record once the window has shown it, or the error
 * it showed (lb-tester-window.c). */
void         lb_tester_window_run_async          (LbTesterWindow      *self,
                                                  const LbRunSettings *settings,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
LbRunRecord *lb_tester_window_run_finish         (LbTesterWindow      *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

/* Test hooks */
LbIndexAdviceView *lb_tester_window_get_advice_view  (LbTesterWindow *self);
LbPlanCompareView *lb_tester_window_get_plan_compare_view (LbTesterWindow *self);
/* The confirmation of tester.apply-indexes while it is open, the applier
 * (after the first apply) and the last "indexes created" toast. */
AdwMessageDialog  *lb_tester_window_get_index_dialog (LbTesterWindow *self);
LbIndexApplier    *lb_tester_window_get_index_applier (LbTesterWindow *self);
AdwToast          *lb_tester_window_get_index_toast  (LbTesterWindow *self);
LbQueryPlansView  *lb_tester_window_get_query_plans_view (LbTesterWindow *self);
AdwViewStack      *lb_tester_window_get_view_stack   (LbTesterWindow *self);
LbThroughputChart *lb_tester_window_get_chart        (LbTesterWindow *self);
LbRunHistoryView  *lb_tester_window_get_history_view (LbTesterWindow *self);
/* The text the results table shows: @row 0 is the first query, @column 0
 * its name, then executions, failed, avg, p50, p95, p99 (ms); NULL outside. */
char              *lb_tester_window_dup_result_cell  (LbTesterWindow *self,
                                                      guint           row,
                                                      guint           column);
/* The delta shown under a cell while comparing ("+12 %"), or NULL. */
char              *lb_tester_window_dup_result_delta (LbTesterWindow *self,
                                                      guint           row,
                                                      guint           column);

G_END_DECLS
