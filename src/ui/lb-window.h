/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The main window, which LbApplication creates: the Calculator, Deploy and
 * Test views over one workload, and the workload's file operations. */
#pragma once

#include <adwaita.h>

#include "lb-application.h"
#include "lb-calculator-page.h"

G_BEGIN_DECLS

#define LB_TYPE_WINDOW (lb_window_get_type ())

/* Actions a page may activate (pages never call the window):
 * win.show-page (s: "calculator", "deploy", "test") and win.edit-field
 * ((ss): section and key of a workload field, e.g. ("lakebase_accelerator",
 * "instance_name")), which shows the calculator with that field focused. */
G_DECLARE_FINAL_TYPE (LbWindow, lb_window, LB, WINDOW, AdwApplicationWindow)

typedef enum
{
  LB_REPORT_FORMAT_JSON,
  LB_REPORT_FORMAT_CSV,
} LbReportFormat;

LbWindow         *lb_window_new                 (LbApplication        *application);
LbCalculatorPage *lb_window_get_calculator_page (LbWindow             *self);
/* Shows the view named @name ("calculator", "deploy", "test"); an unknown
 * name does nothing. */
void              lb_window_show_page           (LbWindow             *self,
                                                 const char           *name);
void              lb_window_add_toast           (LbWindow             *self,
                                                 const char           *message);

/* Opens a file the user chose or the file manager handed us: workload YAML
 * goes into the calculator; errors are shown, the current values are kept. */
void              lb_window_open_file           (LbWindow             *self,
                                                 GFile                *file);

/* The same steps as the actions, without the file chooser. */
void              lb_window_load_file_async     (LbWindow             *self,
                                                 GFile                *file,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean          lb_window_load_file_finish    (LbWindow             *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
void              lb_window_save_file_async     (LbWindow             *self,
                                                 GFile                *file,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean          lb_window_save_file_finish    (LbWindow             *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
void              lb_window_export_report_async (LbWindow             *self,
                                                 LbReportFormat        format,
                                                 GFile                *file,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean          lb_window_export_report_finish (LbWindow            *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
/* The workload the window shows (owned by the window). */
LbWorkload *lb_window_get_workload (LbWindow *self);
/* TRUE when the workload has changes its file does not (the title says so). */
gboolean          lb_window_get_modified        (LbWindow             *self);

G_END_DECLS
