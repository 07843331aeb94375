/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The application object: the main window and the tester windows hang off
 * it, and it owns what they share (GSettings, the PostgreSQL sandbox, the
 * run history). */
#pragma once

#include <adwaita.h>

#include "lb-pg-sandbox.h"
#include "lb-run-history.h"

G_BEGIN_DECLS

#define LB_TYPE_APPLICATION (lb_application_get_type ())

G_DECLARE_FINAL_TYPE (LbApplication, lb_application, LB, APPLICATION, AdwApplication)

/* Registers the UI's resources and initialises the core; the app calls it at
 * startup, tests before they build a widget. Idempotent. */
void           lb_ui_init                  (void);

LbApplication *lb_application_new          (void);
GSettings     *lb_application_get_settings (LbApplication *self);
/* For bench/startup: with LB_REPORT_FIRST_FRAME=1 in the environment the app
 * prints "first-frame-ms: N" (since @start_time) after the window's first
 * paint, and quits when it is also set to "quit". */
void           lb_application_set_start_time (LbApplication *self,
                                              gint64         start_time);
/* Shared by the concurrency-test windows: one sandbox (created on first use,
 * stopped at quit) and one run history (loaded on first use; also the
 * read-only "run-history" property). */
LbPgSandbox   *lb_application_get_sandbox     (LbApplication *self);
LbRunHistory  *lb_application_get_run_history (LbApplication *self);
/* The About window, over @parent (the main window's and the tester's). */
void           lb_application_show_about      (GtkWindow     *parent);
/* Opens a concurrency-test window on a .sql file (NULL: an empty one),
 * through app.open-tester like every tester window. */
void           lb_application_open_tester     (LbApplication *self,
                                               GFile         *file);

G_END_DECLS
