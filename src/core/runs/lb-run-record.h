/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a concurrency test is and what it measured: protocols and modes,
 * LbRunSettings, live samples, per-query figures, LbRunResult and the
 * LbRunRecord the history keeps. The load engine and LbTestRun fill them;
 * the tester's views, the comparison and the CLI read them. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "lb-conninfo.h"
#include "lb-latency-histogram.h"

G_BEGIN_DECLS

typedef enum
{
  LB_PROTOCOL_SIMPLE,     /* values pasted into the SQL text */
  LB_PROTOCOL_EXTENDED,   /* Parse/Bind/Execute every time */
  LB_PROTOCOL_PREPARED,   /* prepared once per connection (default) */
} LbProtocol;

typedef enum
{
  LB_RUN_MODE_DURATION,   /* run for `duration` seconds after the warm-up */
  LB_RUN_MODE_COUNT,      /* run exactly `transactions` transactions */
  LB_RUN_MODE_LADDER,     /* each client count of `ladder` for `duration` seconds */
} LbRunMode;

const char *lb_protocol_to_string   (LbProtocol  protocol);   /* "simple", "extended", "prepared" */
gboolean    lb_protocol_from_string (const char *text,
                                     LbProtocol *protocol);
const char *lb_run_mode_to_string   (LbRunMode   mode);       /* "duration", "count", "ladder" */
gboolean    lb_run_mode_from_string (const char *text,
                                     LbRunMode  *mode);

/* Settings errors and JSON errors are G_IO_ERROR_INVALID_ARGUMENT and
 * G_IO_ERROR_INVALID_DATA. lb_conninfo_strip_password() is in lb-conninfo.h. */

typedef struct
{
  char       *conninfo;        /* libpq URI or key=value; a password in it is never saved */
  char       *target_label;    /* what the user sees: "Sandbox", a saved connection's name */
  guint       clients;         /* >= 1 (not used in ladder mode) */
  guint       threads;         /* 0 = number of cores, never more than clients */
  LbProtocol  protocol;
  guint       pipeline_depth;  /* 0 = no pipeline mode */
  LbRunMode   mode;
  double      duration;        /* seconds; per step in ladder mode */
  guint64     transactions;    /* count mode: total; 0 = the script's default */
  double      warmup;          /* seconds run before measuring, excluded */
  double      rate;            /* target transactions/s over all clients; 0 = unthrottled */
  double      latency_limit;   /* seconds; under a rate, a transaction already this late
                                * behind its schedule is skipped, as pgbench -L; 0 = none */
  guint      *ladder;          /* client counts for ladder mode */
  guint       n_ladder;
  double      interval;        /* seconds between live samples, > 0 (default 1) */
  guint64     seed;            /* 0 = pick one (saved in the result) */
  /* pgbench script options: */
  guint       max_tries;       /* runs of a transaction that hits a serialization failure
                                * or deadlock; 1 (default) = no retry; 0 = unlimited
                                * (needs a duration or a latency limit) */
  guint       scale;           /* pgbench's :scale (-s); default 1 */
  char      **defines;         /* "NAME=VALUE" (-D), NULL-terminated, or NULL */
} LbRunSettings;

LbRunSettings *lb_run_settings_new        (void);
LbRunSettings *lb_run_settings_copy       (const LbRunSettings *self);
void           lb_run_settings_free       (LbRunSettings       *self);
/* Checks ranges and combinations; the message says which setting and why. */
gboolean       lb_run_settings_validate   (const LbRunSettings *self,
                                           GError             **error);
/* Parses "1,2,4,8" (also "1 2 4 8"); ascending, each >= 1. */
gboolean       lb_run_settings_set_ladder_from_string (LbRunSettings *self,
                                                       const char    *text,
                                                       GError       **error);
JsonNode      *lb_run_settings_to_json    (const LbRunSettings *self);  /* password stripped */
LbRunSettings *lb_run_settings_new_from_json (JsonNode         *node,
                                              GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbRunSettings, lb_run_settings_free)

/* One interval of the live timeline. */
typedef struct
{
  double   t;                  /* seconds since measuring began, at the interval's end */
  double   interval;           /* the interval's length in seconds */
  guint    clients;            /* clients running (ladder: the current step) */
  guint    clients_connected;  /* of them, connected to the server at the interval's end */
  double   tps;
  double   latency_mean_ms;
  double   latency_stddev_ms;
  double   p50_ms;
  double   p95_ms;
  double   p99_ms;
  double   max_ms;
  double   lag_mean_ms;        /* schedule lag under a target rate, else 0 */
  guint64  transactions;       /* in this interval */
  guint64  failed;             /* in this interval */
  gboolean warmup;             /* TRUE for intervals of the warm-up (t < 0) */
} LbRunSample;

typedef struct
{
  guint               index;
  char               *name;
  char               *sql;
  guint64             executions;   /* successful */
  guint64             failed;
  LbLatencyHistogram *latency;
} LbQueryStats;

/* Empty figures of one query (an empty histogram), and their end. */
LbQueryStats  *lb_query_stats_new  (guint         index,
                                    const char   *name,
                                    const char   *sql);
void           lb_query_stats_free (LbQueryStats *stats);

typedef struct
{
  char     sqlstate[6];        /* "23505"; "08006" for lost connections; "" for the
                                * script's own errors ("tpcb.sql:3: \set x: division by zero") */
  guint64  count;
  char    *message;            /* the first message seen with this SQLSTATE */
} LbErrorStats;

/* One worker of a run on Databricks compute (from its final file, see
 * lb-remote-samples.h); the record saves them in its "remote" section. */
typedef struct
{
  guint    worker;
  char    *state;               /* "done", "failed", "cancelled" (or its last live state) */
  char    *error;               /* a sentence the user can act on, or NULL */
  char    *log_tail;            /* pgbench's last lines, or NULL */
  guint    clients_asked;
  guint    clients_connected;
  guint64  transactions;
  guint64  failed;
  guint64  skipped;
  double   duration;            /* seconds measured */
  double   tps;
  double   latency_mean_ms;
  double   p50_ms;
  double   p95_ms;
  double   p99_ms;
  double   cpu_seconds;         /* pgbench's user+sys on the node */
  guint    cores;               /* the node's */
  double   tps_per_core;        /* the capacity sizing remembers */
  guint    credentials_minted;
  GArray  *tps_timeline;        /* double: the worker's tps in each interval of the
                                 * record's timeline (for the chart's worker lines),
                                 * or NULL; saved as "tps_timeline" */
} LbRemoteWorkerRow;

LbRemoteWorkerRow *lb_remote_worker_row_new  (void);
LbRemoteWorkerRow *lb_remote_worker_row_copy (const LbRemoteWorkerRow *row);
void               lb_remote_worker_row_free (LbRemoteWorkerRow       *row);

typedef struct
{
  guint    clients;
  double   tps;
  double   latency_mean_ms;
  double   p50_ms;
  double   p95_ms;
  double   p99_ms;
  guint64  transactions;
  guint64  failed;
} LbLadderStep;

#define LB_TYPE_RUN_RESULT (lb_run_result_get_type ())

typedef struct _LbRunResult LbRunResult;

/* What a run measured. Built by the load engine; immutable once returned. */
struct _LbRunResult
{
  /*< private >*/
  gatomicrefcount     ref_count;
  /*< public, read-only >*/
  gboolean            cancelled;          /* stopped early; what was measured is kept */
  double              connection_time;    /* seconds to open every connection */
  double              duration;           /* seconds measured (warm-up excluded) */
  guint64             transactions;       /* successful */
  guint64             failed;             /* with an SQL error */
  guint64             skipped;            /* never started: late beyond the rate's bound */
  guint64             reconnects;
  double              tps;                /* transactions / duration */
  LbLatencyHistogram *latency;            /* per transaction */
  LbLatencyHistogram *lag;                /* schedule lag, rate mode only (else empty) */
  GPtrArray          *queries;            /* LbQueryStats*, by query index (over 10,000
                                           * queries: only those that ran or failed) */
  GPtrArray          *errors;             /* LbErrorStats*, by count, most first */
  GArray             *timeline;           /* LbRunSample, warm-up intervals excluded */
  GArray             *ladder;             /* LbLadderStep, ladder mode only */
  guint               knee_clients;       /* ladder: clients after which tps stops growing; 0 = none */
  double              client_cpu_time;    /* user+sys seconds of the engine's threads */
  guint64             seed;
  char               *server_version;     /* "15.18", when known */
  /* Connections (0 everywhere in records older than these fields): */
  guint               clients_asked;      /* the most clients the settings asked for */
  guint               clients_connected_max;   /* the most connected at once */
  guint               clients_never_connected; /* asked but never connected */
  guint64             connection_failures;     /* failed connection attempts, retries included */
  double              seconds_without_connection; /* measuring with no client connected */
  double              tps_while_connected;     /* transactions / (duration - the above) */
  /* pgbench flow (0 in older records): */
  guint64             retried;            /* transactions re-run after a serialization
                                           * failure or deadlock (--max-tries), whatever
                                           * their outcome */
  guint64             retries;            /* the re-runs, all together */
  guint               aborted_clients;    /* clients their script stopped (the reason is
                                           * in errors); the figures are then incomplete */
  /* Start and end (0 in records older than these fields): */
  double              connections_open_time;   /* seconds until the last connection of the
                                                * first step was open, before preparing (what
                                                * pgbench's "initial connection time" is) */
  double              teardown_time;      /* seconds from the end of the last window (its
                                           * deadline, or the last transaction's end with a
                                           * fixed count) until every connection was closed
                                           * and the run returned */
};

GType          lb_run_result_get_type  (void) G_GNUC_CONST;
LbRunResult   *lb_run_result_new       (void);           /* empty, for the engine and tests */
LbRunResult   *lb_run_result_ref       (LbRunResult *self);
void           lb_run_result_unref     (LbRunResult *self);

/* The knee of a ladder: the client count after which throughput grows less
 * than @gain (e.g. 0.05 = 5 %) while p95 latency keeps climbing. */
guint          lb_run_result_find_knee (const LbLadderStep *steps,
                                        guint               n_steps,
                                        double              gain);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbRunResult, lb_run_result_unref)

#define LB_TYPE_RUN_RECORD (lb_run_record_get_type ())

G_DECLARE_FINAL_TYPE (LbRunRecord, lb_run_record, LB, RUN_RECORD, GObject)

/* One run as kept in the history: when, which script, the settings, the result. */
LbRunRecord   *lb_run_record_new             (const char          *script_name,
                                              const char          *script_path,
                                              const LbRunSettings *settings,
                                              LbRunResult         *result,
                                              GDateTime           *started);
const char    *lb_run_record_get_id          (LbRunRecord *self);   /* "20261125-081502-3f2a" */
GDateTime     *lb_run_record_get_started     (LbRunRecord *self);
const char    *lb_run_record_get_script_name (LbRunRecord *self);
const char    *lb_run_record_get_script_path (LbRunRecord *self);
/* The dialect the script was read as when the user chose it over detection
 * ("pgbench", "mix", "webtool", as lb_sql_dialect_to_string()), else NULL;
 * saved as the record's script.dialect, so showing the run again reads the
 * file the same way. */
const char    *lb_run_record_get_script_dialect (LbRunRecord *self);
void           lb_run_record_set_script_dialect (LbRunRecord *self,
                                                 const char  *dialect);
const LbRunSettings *lb_run_record_get_settings (LbRunRecord *self);
LbRunResult   *lb_run_record_get_result      (LbRunRecord *self);
/* What the server saw during the run (LbServerSnapshot*, first to last) and
 * why some of it is missing (char*); empty arrays in records without them.
 * Saved as the record's "server" {snapshots, notes}. */
GPtrArray     *lb_run_record_get_server_snapshots (LbRunRecord *self);
GPtrArray     *lb_run_record_get_server_notes    (LbRunRecord *self);
/* Takes references to both arrays. */
void           lb_run_record_set_server          (LbRunRecord *self,
                                                  GPtrArray   *snapshots,
                                                  GPtrArray   *notes);
/* The sampler thread's own CPU (user+sys seconds; 0 when unknown): what
 * the snapshots cost the client. Saved as server.cpu_seconds. */
double         lb_run_record_get_server_cpu_time (LbRunRecord *self);
void           lb_run_record_set_server_cpu_time (LbRunRecord *self,
                                                  double       seconds);
/* The CU size the reference bands compare with (0 = none) and where it
 * came from ("workload": the open workload's recommendation; "settings":
 * set by the user). Saved as "reference" {cu, source}. */
double         lb_run_record_get_reference_cu    (LbRunRecord *self,
                                                  const char **source);
void           lb_run_record_set_reference_cu    (LbRunRecord *self,
                                                  double       cu,
                                                  const char  *source);
/* A run on Databricks compute: one LbRemoteWorkerRow* per worker (empty
 * for a local run), the job cluster's node type, the Jobs run id and the
 * cost (DBUs and dollars; 0 = unknown). Saved as the record's optional
 * "remote" {workers, node_type, job_run_id, dbus, cost, rows}. */
gboolean       lb_run_record_is_remote             (LbRunRecord *self);
GPtrArray     *lb_run_record_get_remote_rows       (LbRunRecord *self);
const char    *lb_run_record_get_remote_node_type  (LbRunRecord *self);
gint64         lb_run_record_get_remote_job_run_id (LbRunRecord *self);
double         lb_run_record_get_remote_cost       (LbRunRecord *self,
                                                    double      *dbus);
/* Takes a reference to @rows (LbRemoteWorkerRow*, freed with
 * lb_remote_worker_row_free). */
void           lb_run_record_set_remote            (LbRunRecord *self,
                                                    GPtrArray   *rows,
                                                    const char  *node_type,
                                                    gint64       job_run_id);
void           lb_run_record_set_remote_cost       (LbRunRecord *self,
                                                    double       dbus,
                                                    double       cost);
/* "customer_lookup.sql · 16 clients · 1,234 tps" */
char          *lb_run_record_dup_title       (LbRunRecord *self);

/* The JSON of `lakebase-cli bench --json`: transactions, failed, tps,
 * latency_ms {avg, stddev, p50, p90, p95, p99, p999, max}, queries [{name,
 * executions, failed, latency_ms}], errors [{sqlstate, count, message}],
 * timeline [{t, tps, p95_ms, …}], plus settings, ladder, knee, histograms. */
JsonNode      *lb_run_record_to_json         (LbRunRecord *self);
char          *lb_run_record_to_json_string  (LbRunRecord *self);
LbRunRecord   *lb_run_record_new_from_json   (JsonNode    *node,
                                              GError     **error);
/* The timeline as CSV (one row per interval), then the per-query table. */
char          *lb_run_record_to_csv          (LbRunRecord *self);
/* The summary `lakebase-cli bench` prints. */
char          *lb_run_record_to_text         (LbRunRecord *self);

G_END_DECLS
