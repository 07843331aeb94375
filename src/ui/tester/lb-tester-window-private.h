/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared by the tester window's files (the shell lb-tester-window.c and
 * its actions, lb-tester-window-actions.c), and the test hooks the UI tests
 * reach the window's sections through. Not for other UI code. */

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
};

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

/* Test hooks */
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
