/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The concurrency tester's window, each on one script. Only LbApplication
 * creates them, through its app.open-tester action (the Test and Deploy views
 * activate it); what the application and the UI tests may ask of one. */
#pragma once

#include <adwaita.h>

#include "lb-credential-source.h"
#include "lb-pg-sandbox.h"
#include "lb-run-history.h"
#include "lb-run-history-view.h"
#include "lb-sql-script.h"
#include "lb-throughput-chart.h"
#include "lb-workload.h"

G_BEGIN_DECLS

#define LB_TYPE_TESTER_WINDOW (lb_tester_window_get_type ())

/* The concurrency tester: one SQL workload file, its run settings, a live
 * chart of the run, its results and the runs kept before. An LbTestRun does
 * the work (the load engine in its own threads); this window only ever sees
 * its samples. */
G_DECLARE_FINAL_TYPE (LbTesterWindow, lb_tester_window, LB, TESTER_WINDOW, AdwApplicationWindow)

typedef enum
{
  LB_TESTER_EXPORT_JSON,
  LB_TESTER_EXPORT_CSV,
  LB_TESTER_EXPORT_PNG,
  LB_TESTER_EXPORT_SVG,
} LbTesterExportFormat;

LbTesterWindow    *lb_tester_window_new              (GtkApplication       *application);

/* Shared by the windows of an application (LbApplication provides them);
 * a window without one makes its own. */
void               lb_tester_window_set_sandbox      (LbTesterWindow       *self,
                                                      LbPgSandbox          *sandbox);
LbPgSandbox       *lb_tester_window_get_sandbox      (LbTesterWindow       *self);
/* The workload whose recommended CU the runs' reference bands use (NULL:
 * none), and the CU to use without one (0: none). */
void               lb_tester_window_set_workload     (LbTesterWindow       *self,
                                                      LbWorkload           *workload);
void               lb_tester_window_set_reference_cu (LbTesterWindow       *self,
                                                      double                cu);
void               lb_tester_window_set_history      (LbTesterWindow       *self,
                                                      LbRunHistory         *history);
LbRunHistory      *lb_tester_window_get_history      (LbTesterWindow       *self);

/* Parses the file in a thread, then shows its queries. */
void               lb_tester_window_load_file_async  (LbTesterWindow       *self,
                                                      GFile                *file,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
/* The same, read as @dialect: "auto" (detected, as above) or one of
 * lb_sql_dialect_to_string(); it becomes tester.dialect's state. */
void               lb_tester_window_load_file_as_async (LbTesterWindow     *self,
                                                        GFile              *file,
                                                        const char         *dialect,
                                                        GCancellable       *cancellable,
                                                        GAsyncReadyCallback callback,
                                                        gpointer            user_data);
gboolean           lb_tester_window_load_file_finish (LbTesterWindow       *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
/* The same, with errors shown to the user. */
void               lb_tester_window_open_file        (LbTesterWindow       *self,
                                                      GFile                *file);
LbSqlScript       *lb_tester_window_get_script       (LbTesterWindow       *self);

/* The settings of the form (conninfo NULL when the target is the sandbox),
 * and the other way round (the target is left alone). */
LbRunSettings     *lb_tester_window_dup_settings     (LbTesterWindow       *self);
void               lb_tester_window_apply_settings   (LbTesterWindow       *self,
                                                      const LbRunSettings  *settings);
void               lb_tester_window_set_target_sandbox (LbTesterWindow     *self);
void               lb_tester_window_set_target_conninfo (LbTesterWindow    *self,
                                                         const char        *conninfo);
/* A target whose credential expires (a Lakebase instance): the form shows
 * its connection string without the secret, and the window keeps the
 * credential fresh for as long as it lives and the target stays. */
void               lb_tester_window_set_target_source (LbTesterWindow      *self,
                                                       LbCredentialSource  *source);

/* start runs the form's settings against its target, doing nothing while a
 * run or a sandbox reset is under way or without a script; settings that
 * cannot run are shown as an error. The outcome reaches the results and the
 * history, not the caller. stop cancels a run; its record keeps what was
 * measured. */
void               lb_tester_window_start            (LbTesterWindow       *self);
void               lb_tester_window_stop             (LbTesterWindow       *self);
gboolean           lb_tester_window_get_running      (LbTesterWindow       *self);

/* The run shown (the last one made, or one picked from the history) and the
 * run it is compared with. */
LbRunRecord       *lb_tester_window_get_record       (LbTesterWindow       *self);
LbRunRecord       *lb_tester_window_get_compare_record (LbTesterWindow     *self);
void               lb_tester_window_show_run         (LbTesterWindow       *self,
                                                      LbRunRecord          *record);
void               lb_tester_window_compare_runs     (LbTesterWindow       *self,
                                                      LbRunRecord          *record,
                                                      LbRunRecord          *other);

/* Writes the run shown as JSON or CSV (G_IO_ERROR_NOT_FOUND when no run is
 * shown), or the chart as PNG or SVG, to @file, replacing it. */
void               lb_tester_window_export_async     (LbTesterWindow       *self,
                                                      LbTesterExportFormat  format,
                                                      GFile                *file,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean           lb_tester_window_export_finish    (LbTesterWindow       *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

G_END_DECLS
