/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared by the tester window's files (the shell lb-tester-window.c and
 * its actions, lb-tester-window-actions.c), and the test hooks the UI tests
 * reach the window's sections through. Not for other UI code. */

#include "lb-plan-explainer.h"
#include "lb-query-plans-view.h"
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

  /* Owned References */
  GCancellable         *cancellable;       /* cancelled when the window goes */
  LbTestRun            *run;               /* owns the script, sandbox and history */
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
};

/* The dialect the open file is read as (lb-tester-window.c): stores it and
 * notifies "dialect", the state of tester.dialect. */
void         lb_tester_window_set_dialect_state  (LbTesterWindow *self,
                                                  const char     *dialect);
/* Re-reads the open file as @dialect ("auto": detected); on an error the
 * file stays as it was read and the error is shown (lb-tester-window-actions.c). */
void         lb_tester_window_read_as            (LbTesterWindow *self,
                                                  const char     *dialect);

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

/* Test hooks */
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
