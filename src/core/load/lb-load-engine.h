/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The load engine: runs an LbSqlScript against a PostgreSQL server from many
 * connections at once and measures it the way pgbench does. The tester window
 * and `lakebase-cli bench` drive it; its parts are in lb-load-engine-*.c. */
#pragma once

#include <gio/gio.h>

#include "lb-run-record.h"
#include "lb-sql-script.h"

G_BEGIN_DECLS

#define LB_LOAD_ENGINE_ERROR (lb_load_engine_error_quark ())

typedef enum
{
  LB_LOAD_ENGINE_ERROR_CONNECT,   /* no connection could be opened at the start */
  LB_LOAD_ENGINE_ERROR_PREPARE,   /* a statement does not prepare (the message has SQLSTATE + text) */
  LB_LOAD_ENGINE_ERROR_SETTINGS,  /* invalid settings */
} LbLoadEngineError;

GQuark lb_load_engine_error_quark (void);

typedef enum
{
  LB_RUN_PHASE_IDLE,
  LB_RUN_PHASE_CONNECTING,
  LB_RUN_PHASE_WARMUP,
  LB_RUN_PHASE_MEASURING,
  LB_RUN_PHASE_FINISHING,
  LB_RUN_PHASE_DONE,
} LbRunPhase;

#define LB_TYPE_LOAD_ENGINE (lb_load_engine_get_type ())

/* Runs a script from many libpq connections at once: worker threads, each
 * multiplexing its connections with epoll over libpq's async API.
 *
 * Signals, emitted in the thread-default main context of the caller of
 * run_async (never from a worker):
 *   "sample" (const LbRunSample *sample): once per interval, warm-up included
 *                                         (sample->warmup TRUE);
 *   "phase-changed" (LbRunPhase phase, guint clients): connecting, warm-up,
 *                                         measuring (each ladder step), done.
 * Property "phase" (int, read-only): the last phase emitted.
 *
 * What counts: a transaction belongs to the measuring window in which it
 * STARTED (its scheduled start under a target rate). Transactions in flight
 * at the deadline finish and are counted, as in pgbench, and the measured
 * duration lasts until the last of them ended. Warm-up, and the time a
 * ladder step spends connecting its new clients, count nowhere. A failed
 * statement fails its transaction (the rest is skipped; a failed explicit
 * block is rolled back). A lost connection fails the transactions in flight
 * (SQLSTATE of the server's message, else 08006), is reopened with a backoff
 * of 0.1 s doubling to 1 s and counted in result->reconnects; failed
 * connection attempts count as 08001 and in result->connection_failures.
 * A client that cannot connect keeps trying with the same backoff; the
 * result says how many clients ever connected (clients_never_connected,
 * clients_connected_max of clients_asked), how long no client was
 * connected while measuring (seconds_without_connection: a server down)
 * and the tps over the rest (tps_while_connected). The timeline's samples
 * count transactions by completion time, and clients_connected at their end. */
G_DECLARE_FINAL_TYPE (LbLoadEngine, lb_load_engine, LB, LOAD_ENGINE, GObject)

/* Keeps a reference to @script and a copy of @settings; nothing runs yet. */
LbLoadEngine  *lb_load_engine_new         (LbSqlScript          *script,
                                           const LbRunSettings  *settings);
LbSqlScript   *lb_load_engine_get_script  (LbLoadEngine         *self);
const LbRunSettings *lb_load_engine_get_settings (LbLoadEngine  *self);
/* LB_RUN_PHASE_IDLE until run_async, then each phase as "phase-changed" emits it. */
LbRunPhase     lb_load_engine_get_phase   (LbLoadEngine         *self);
/* Each query's figures since measuring began (LbQueryStats*, by query
 * index; warm-up excluded), as of the last "sample" signal: for a live
 * table. A script of more than 10,000 queries lists only those that ran
 * or failed. NULL before the first sample; valid until the next one. */
GPtrArray     *lb_load_engine_get_live_queries (LbLoadEngine    *self);

/* Cancelling stops every client within a second and returns what was
 * measured (result->cancelled TRUE), not an error. Errors only when nothing
 * could run at all (no connection, a statement that cannot be prepared). */
void           lb_load_engine_run_async   (LbLoadEngine         *self,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
LbRunResult   *lb_load_engine_run_finish  (LbLoadEngine         *self,
                                           GAsyncResult         *result,
                                           GError              **error);

G_END_DECLS
