/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers shared by the UI tests (tests/test-ui-*.c), on top of the GLib
 * ones in lb-test-utils.h. */
#pragma once

#include <gtk/gtk.h>

#include "lb-application.h"
#include "lb-credential-source.h"
#include "lb-pg-sandbox.h"
#include "lb-test-utils.h"

G_BEGIN_DECLS

void       lb_test_gtk_init             (int          *argc,
                                         char       ***argv);
void       lb_test_reset_settings       (void);
/* Before anything reads them: a HOME of the test's own (a new directory made
 * from @dir_template) with the profiles file DATABRICKS_CONFIG_FILE in it,
 * none of the caller's Databricks variables, no proxy lookups, and the cairo
 * renderer (software GL re-renders the whole window for every spinner frame
 * and starves the main loop on a loaded machine). Returns the profiles
 * file's path (not created); its directory is HOME. */
char      *lb_test_isolate_workspace_env (const char *dir_template);
void       lb_test_present_window       (GtkWindow    *window,
                                         int           width,
                                         int           height);

gboolean   lb_test_find_label           (GtkWidget    *widget,
                                         const char   *text);
/* A mapped label in @widget's tree whose text contains @text, or NULL; and
 * the wait for one (at most @seconds, else the test fails). @widget may be
 * any GtkWidget subclass (a page, a window). */
GtkWidget *lb_test_find_label_containing (gpointer     widget,
                                          const char  *text);
GtkWidget *lb_test_wait_for_label_containing (gpointer     widget,
                                              const char  *text,
                                              guint        seconds);
GtkWidget *lb_test_find_widget_of_type  (GtkWidget    *widget,
                                         GType         type);

/* File choosers: every chooser the app opens while a test runs is answered
 * from a queue (lb-compat's seam), through the same GTask and _finish() as the
 * real dialog. Queue the file the user would pick (NULL: the user dismisses
 * it), trigger the action, then wait until the chooser has been answered; it
 * fails the test when a chooser opens with nothing queued. */
void       lb_test_queue_chooser_answer (GFile        *file);
void       lb_test_wait_for_choosers    (void);
/* The title and suggested file name of the last chooser opened. */
const char *lb_test_last_chooser_title  (void);
const char *lb_test_last_chooser_name   (void);

/* The callback for lb_tester_window_load_file_async(): the load must
 * succeed; then the gboolean at @user_data becomes TRUE. */
void       lb_test_tester_load_done_cb  (GObject      *object,
                                         GAsyncResult *result,
                                         gpointer      user_data);

void       lb_test_save_screenshot      (GtkWidget    *widget,
                                         const char   *name);

/* An LbApplication registered for the test, as the app is (its app.*
 * actions, the history and sandbox its tester windows share), but not unique
 * on the bus, so test programs running side by side never meet. */
LbApplication *lb_test_new_application  (void);

/* A Lakebase-like credential source: @sandbox's conninfo (read when asked)
 * with "password=@token"; each credential expires @lifetime_s seconds after
 * it is handed out (0: it never does). It counts how often it was asked. */
#define LB_TEST_TYPE_TOKEN_SOURCE (lb_test_token_source_get_type ())
G_DECLARE_FINAL_TYPE (LbTestTokenSource, lb_test_token_source, LB_TEST, TOKEN_SOURCE, GObject)

LbTestTokenSource *lb_test_token_source_new        (LbPgSandbox       *sandbox,
                                                    const char        *token,
                                                    guint              lifetime_s);
guint              lb_test_token_source_get_n_asked (LbTestTokenSource *self);

G_END_DECLS
