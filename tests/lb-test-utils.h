/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers shared by the test programs: GLib, json-glib, libpq and the core
 * library only (no GTK), so that the core tests (no display) and the UI
 * tests can all link lb-test-utils.c. */
#pragma once

#include <glib.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "lb-workload.h"

G_BEGIN_DECLS

/* What a run of lakebase-cli (or of another program, pgbench) left behind. */
typedef struct
{
  int   status;       /* exit status */
  char *out;
  char *err;
} LbTestCliResult;

void         lb_test_cli_result_clear       (LbTestCliResult       *result);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LbTestCliResult, lb_test_cli_result_clear)

GPtrArray   *lb_test_collect_args           (const char            *first,
                                             va_list                args);
void         lb_test_run_argv               (LbTestCliResult       *result,
                                             const char            *cwd,
                                             char                 **envp,
                                             GSpawnFlags            flags,
                                             const char * const    *argv);
void         lb_test_run_cli                (LbTestCliResult       *result,
                                             char                 **envp,
                                             GSpawnFlags            flags,
                                             const char * const    *args);
void         lb_test_cli_assert_usage_error (const LbTestCliResult *result,
                                             const char            *expected);

JsonObject  *lb_test_parse_json_object      (const char            *text,
                                             JsonParser            *parser);

char        *lb_test_write_file             (const char            *dir,
                                             const char            *name,
                                             const char            *contents);
void         lb_test_remove_tree            (const char            *path);

/* @keyword's value in the libpq string @conninfo (a sandbox's host, port,
 * user…), or NULL when it has none. */
char        *lb_test_conninfo_value         (const char            *conninfo,
                                             const char            *keyword);
/* Runs @sql (its rows, if any, are dropped) over a connection of its own;
 * any failure ends the test. */
void         lb_test_pg_exec                (const char            *conninfo,
                                             const char            *sql);
/* The first column of the first row of @sql's answer, as an integer. */
gint64       lb_test_pg_query_int           (const char            *conninfo,
                                             const char            *sql);

/* This process's resident memory now (VmRSS), in kB. */
gint64       lb_test_rss_kb                 (void);

/* data/samples/workload.yml (LB_SAMPLES_DIR) as @flavour. */
LbWorkload  *lb_test_sample_workload        (LbFlavour              flavour);

/* A GAsyncReadyCallback that keeps a ref on the result in @user_data (a
 * GAsyncResult **), and the wait for it on the thread-default context. */
void          lb_test_async_result_cb       (GObject               *source,
                                             GAsyncResult          *result,
                                             gpointer               user_data);
GAsyncResult *lb_test_wait_for_result       (GAsyncResult         **slot);

void         lb_test_spin_until_func        (gboolean             (*done) (gpointer data),
                                             gpointer               data,
                                             guint                  seconds);
void         lb_test_spin_until             (gboolean              *flag,
                                             guint                  seconds);
void         lb_test_spin_ms                (guint                  ms);
void         lb_test_spin_briefly           (void);

/* From now on every log message (any thread) is also kept, for tests that
 * look for secrets in it; debug messages are only kept, not printed (stdout
 * is the TAP stream). Call once, before anything logs. */
void         lb_test_capture_log            (void);
/* Everything logged since lb_test_capture_log(), a message per line. */
char        *lb_test_dup_captured_log       (void);

G_END_DECLS
