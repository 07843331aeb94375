/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* One concurrency test from its settings to its saved record: resolving the
 * target (the sandbox, a connection string, or a credential source whose
 * token it refreshes), the load engine, live progress, and the record added
 * to the history. The tester window and `lakebase-cli bench` both drive it. */

#include <gio/gio.h>

#include "lb-credential-source.h"
#include "lb-pg-sandbox.h"
#include "lb-run-history.h"
#include "lb-run-record.h"
#include "lb-sql-script.h"
#include "lb-workload.h"

G_BEGIN_DECLS

typedef enum
{
  LB_TEST_RUN_STATE_IDLE,                 /* nothing started, or the last start failed */
  LB_TEST_RUN_STATE_STARTING_SANDBOX,
  LB_TEST_RUN_STATE_FETCHING_CREDENTIAL,
  LB_TEST_RUN_STATE_CONNECTING,
  LB_TEST_RUN_STATE_WARMUP,
  LB_TEST_RUN_STATE_MEASURING,            /* "clients" says the ladder step */
  LB_TEST_RUN_STATE_FINISHING,
  LB_TEST_RUN_STATE_DONE,                 /* the record is in */
} LbTestRunState;

#define LB_TYPE_TEST_RUN_STATE (lb_test_run_state_get_type ())
GType lb_test_run_state_get_type (void) G_GNUC_CONST;

#define LB_TYPE_TEST_RUN (lb_test_run_get_type ())

/* Properties (read-only unless said): "state" (LbTestRunState), "running"
 * (from start until the record is in), "clients" (of the current step),
 * "elapsed" (seconds measured; negative in the warm-up), "progress" (0..1 of
 * the planned run), "transactions" and "failed" (measured so far), "record"
 * (the last run's), "source-conninfo", and the read-write "script",
 * "script-path", "history"
 * (NULL: runs are not kept) and "sandbox".
 * Signals: "sample" (const LbRunSample *) once per interval, warm-up
 * included; "finished" (LbRunRecord *) when a run's record is in, after it
 * was added to the history. */
G_DECLARE_FINAL_TYPE (LbTestRun, lb_test_run, LB, TEST_RUN, GObject)

LbTestRun     *lb_test_run_new                 (void);

/* @script_path is how the records name the script; may be NULL. */
void           lb_test_run_set_script          (LbTestRun           *self,
                                                LbSqlScript         *script,
                                                const char          *script_path);
LbSqlScript   *lb_test_run_get_script          (LbTestRun           *self);
void           lb_test_run_set_history         (LbTestRun           *self,
                                                LbRunHistory        *history);
LbRunHistory  *lb_test_run_get_history         (LbTestRun           *self);
/* The sandbox a sandbox target runs on (started when not running); without
 * one, the run makes its own. */
void           lb_test_run_set_sandbox         (LbTestRun           *self,
                                                LbPgSandbox         *sandbox);
LbPgSandbox   *lb_test_run_get_sandbox         (LbTestRun           *self);

/* Seconds between snapshots of the server's statistics during a run (on
 * a connection of its own, besides one at the start and one at the end);
 * 0 turns them off. Default LB_SERVER_SAMPLER_DEFAULT_INTERVAL. */
void           lb_test_run_set_server_interval (LbTestRun           *self,
                                                double               seconds);
/* The CU size the records' reference bands compare with: the open
 * workload's recommended CU when there is a workload (NULL: none), else
 * the one the user set (0: none). */
void           lb_test_run_set_workload        (LbTestRun           *self,
                                                LbWorkload          *workload);
void           lb_test_run_set_reference_cu    (LbTestRun           *self,
                                                double               cu);
/* The CU the next record takes and where it comes from ("workload",
 * "settings"); 0 and NULL for none. */
double         lb_test_run_get_reference_cu    (LbTestRun           *self,
                                                const char         **source);

/* The target of the next run. */
void           lb_test_run_set_target_sandbox  (LbTestRun           *self);
void           lb_test_run_set_target_conninfo (LbTestRun           *self,
                                                const char          *conninfo);
/* Fetches a connection string from @source before each run and refreshes it
 * 5 minutes before it expires (halfway for a shorter life) for as long as
 * @source is the target: new connections use the fresh credential. */
void           lb_test_run_set_target_source   (LbTestRun           *self,
                                                LbCredentialSource  *source);
/* The source's last connection string without its secrets, to show (also
 * the read-only "source-conninfo", notified on each refresh); NULL before
 * the first or when the target is not a source. */
const char    *lb_test_run_get_source_conninfo (LbTestRun         *self);
/* The refreshes so far of the source's credential (for tests). */
guint          lb_test_run_get_n_credentials   (LbTestRun           *self);

/* Runs @settings (its conninfo is replaced by the target's) against the
 * script. Settings that cannot run fail with G_IO_ERROR_INVALID_ARGUMENT
 * before anything starts; a sandbox that does not start fails with its
 * error; engine errors are LB_LOAD_ENGINE_ERROR. Cancelling while the
 * engine runs is not an error: the record keeps what was measured. */
void           lb_test_run_start_async         (LbTestRun           *self,
                                                const LbRunSettings *settings,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
LbRunRecord   *lb_test_run_start_finish        (LbTestRun           *self,
                                                GAsyncResult        *result,
                                                GError             **error);
void           lb_test_run_cancel              (LbTestRun           *self);

LbTestRunState lb_test_run_get_state           (LbTestRun           *self);
gboolean       lb_test_run_get_running         (LbTestRun           *self);
guint          lb_test_run_get_clients         (LbTestRun           *self);
double         lb_test_run_get_elapsed         (LbTestRun           *self);
double         lb_test_run_get_progress        (LbTestRun           *self);
guint64        lb_test_run_get_transactions    (LbTestRun           *self);
guint64        lb_test_run_get_failed          (LbTestRun           *self);
/* The settings of the run in progress (or the last one), NULL before. */
const LbRunSettings *lb_test_run_get_settings  (LbTestRun           *self);
/* Seconds a run of @settings lasts after its warm-up; 0 when it runs a
 * count of transactions. */
double         lb_test_run_planned_seconds     (const LbRunSettings *settings);
/* Each query's figures so far (see lb_load_engine_get_live_queries()). */
GPtrArray     *lb_test_run_get_live_queries    (LbTestRun           *self);
LbRunRecord   *lb_test_run_get_record          (LbTestRun           *self);
/* Why the last record was not added to the history, or NULL. */
const GError  *lb_test_run_get_history_error   (LbTestRun           *self);

G_END_DECLS
