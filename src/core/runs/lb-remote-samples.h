/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the remote runners (data/runner/lakebase_load_runner.py) write to the
 * samples folder, read back: a worker's live file (w<K>.json, rewritten once
 * a second) and its final file (w<K>.final.json), as LbRemoteWorkerStatus;
 * and LbRemoteMerge, which turns the statuses of all workers into one live
 * timeline (LbRunSample per second), a per-worker breakdown and, at the end,
 * one LbRunResult with the exact merged histogram and per-worker rows. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "lb-latency-histogram.h"
#include "lb-run-record.h"

G_BEGIN_DECLS

/* Malformed files are G_IO_ERROR_INVALID_DATA, the message naming the
 * member at fault. */

typedef enum
{
  LB_REMOTE_WORKER_STARTING,
  LB_REMOTE_WORKER_INSTALLING,   /* looking for or installing pgbench */
  LB_REMOTE_WORKER_CONNECTING,   /* minting the credential, first connection */
  LB_REMOTE_WORKER_WARMUP,
  LB_REMOTE_WORKER_RUNNING,
  LB_REMOTE_WORKER_DONE,
  LB_REMOTE_WORKER_FAILED,
  LB_REMOTE_WORKER_CANCELLED,    /* final files only */
} LbRemoteWorkerState;

/* "starting", "installing", "connecting", "warmup", "running", "done",
 * "failed", "cancelled" */
const char *lb_remote_worker_state_to_string   (LbRemoteWorkerState  state);
gboolean    lb_remote_worker_state_from_string (const char          *text,
                                                LbRemoteWorkerState *state);
/* done, failed, cancelled: the worker will write no more samples. */
gboolean    lb_remote_worker_state_is_over     (LbRemoteWorkerState  state);

typedef enum
{
  LB_REMOTE_FILE_LIVE,    /* w<K>.json */
  LB_REMOTE_FILE_FINAL,   /* w<K>.final.json */
} LbRemoteFileKind;

/* One second of one worker. */
typedef struct
{
  gint64              t;              /* epoch second at the interval's end */
  double              interval;       /* seconds (1.0) */
  guint64             transactions;   /* successful, ended in this interval */
  guint64             failed;
  guint64             skipped;        /* late beyond -L */
  gboolean            warmup;         /* of the warm-up: not in any total */
  guint64             lag_us_sum;     /* schedule lag under a rate, summed */
  LbLatencyHistogram *latency;        /* the successful transactions' latencies */
} LbRemoteSample;

typedef struct _LbRemoteWorkerStatus LbRemoteWorkerStatus;

/* One worker's file, validated. Immutable once parsed; reference counted so
 * a merge and a view may share it. */
struct _LbRemoteWorkerStatus
{
  /*< private >*/
  gatomicrefcount      ref_count;
  /*< public, read-only >*/
  LbRemoteFileKind     kind;
  guint                worker;
  LbRemoteWorkerState  state;
  char                *message;            /* live: what the worker is doing (may be "") */
  char                *error;              /* final: a sentence the user can act on, or NULL */
  char                *log_tail;           /* final: pgbench's last lines, or NULL */
  char                *pgbench_version;    /* "pgbench (PostgreSQL) 15.8", or NULL */
  guint                clients;            /* live: clients; final: clients_asked */
  guint                clients_connected;  /* final only */
  double               updated;            /* live: epoch seconds of the write; final: 0 */
  GArray              *samples;            /* LbRemoteSample, oldest first, ascending t
                                            * (live: the last 60; final: all) */
  /* Final files only (0 / NULL in a live file): */
  guint64              transactions;       /* pgbench's summary, exact */
  guint64              failed;
  guint64              skipped;
  double               duration;           /* seconds measured */
  double               tps;
  double               connection_time;    /* seconds */
  double               latency_average_ms; /* pgbench's "latency average" */
  LbLatencyHistogram  *latency;            /* the whole measured run */
  GPtrArray           *errors;             /* LbErrorStats* from pgbench's output (may be empty) */
  double               cpu_seconds;        /* pgbench's user+sys */
  guint                cores;
  double               tps_per_core;       /* measured capacity of one core */
  guint                credentials_minted;
};

GType                 lb_remote_worker_status_get_type      (void) G_GNUC_CONST;
#define LB_TYPE_REMOTE_WORKER_STATUS (lb_remote_worker_status_get_type ())

LbRemoteWorkerStatus *lb_remote_worker_status_new_from_json  (JsonNode             *node,
                                                              LbRemoteFileKind      kind,
                                                              GError              **error);
/* The file's bytes as the Files API returns them. */
LbRemoteWorkerStatus *lb_remote_worker_status_new_from_bytes (GBytes               *bytes,
                                                              LbRemoteFileKind      kind,
                                                              GError              **error);
LbRemoteWorkerStatus *lb_remote_worker_status_ref            (LbRemoteWorkerStatus *self);
void                  lb_remote_worker_status_unref          (LbRemoteWorkerStatus *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbRemoteWorkerStatus, lb_remote_worker_status_unref)

/* The file names in the samples folder: "w3.json", "w3.final.json". */
char                 *lb_remote_samples_file_name            (guint                 worker,
                                                              LbRemoteFileKind      kind);

/* LbRemoteWorkerRow (one worker's line in the results) is in lb-run-record.h:
 * the record saves the rows. */
LbRemoteWorkerRow    *lb_remote_worker_row_new_from_status   (const LbRemoteWorkerStatus *status);

/* The merge of N workers. Not thread-safe. */
typedef struct _LbRemoteMerge LbRemoteMerge;

/* How late (seconds after its end) a second is emitted without the
 * workers that have not reported it yet. A reader that fetches the N live
 * files round-robin at one request a second sees each file every N
 * seconds: give it N + 5 s (lb_remote_merge_set_lateness ()), or seconds
 * go out without some workers (the final figures still have them). */
#define LB_REMOTE_MERGE_DEFAULT_LATENESS 5.0

LbRemoteMerge *lb_remote_merge_new             (guint                       n_workers);
void           lb_remote_merge_free            (LbRemoteMerge              *self);
void           lb_remote_merge_set_lateness    (LbRemoteMerge              *self,
                                                double                      seconds);
/* Feeds a worker's status, live or final, in any order; seconds already
 * seen for that worker are ignored, as are seconds already emitted (they
 * still count in the final totals through the final file). A final status
 * stays: later live statuses of the same worker are ignored. FALSE when the
 * status's worker is out of range. */
gboolean       lb_remote_merge_add_status      (LbRemoteMerge              *self,
                                                LbRemoteWorkerStatus       *status);
/* The merged seconds now ready (LbRunSample, in order, warm-up excluded),
 * removed from the merge's pending ones: a second is ready once every
 * worker that is not over has reported a later or equal second, or when
 * @now (epoch seconds, g_get_real_time () / 1e6) is past its end by the
 * lateness. t counts from the first measured second (its end is t = 1). */
GArray        *lb_remote_merge_take_samples    (LbRemoteMerge              *self,
                                                double                      now);
/* Every merged second emitted so far (LbRunSample), and @worker's share of
 * each: its tps for the same seconds (double, one per emitted sample, 0
 * where it had none). Owned by the merge; they grow. */
GArray        *lb_remote_merge_get_timeline    (LbRemoteMerge              *self);
GArray        *lb_remote_merge_get_worker_tps  (LbRemoteMerge              *self,
                                                guint                       worker);
guint          lb_remote_merge_get_n_workers   (LbRemoteMerge              *self);
/* The latest status fed for @worker, or NULL. */
LbRemoteWorkerStatus *lb_remote_merge_get_status (LbRemoteMerge            *self,
                                                  guint                     worker);
/* Workers whose status is over, and of them failed. */
guint          lb_remote_merge_count_over      (LbRemoteMerge              *self);
guint          lb_remote_merge_count_failed    (LbRemoteMerge              *self);
/* Emits the seconds still pending, then the result: counts summed from the
 * final files (from the samples seen for a worker without one), the exact
 * merged histogram, errors (failed workers' sentences first, then pgbench's),
 * clients asked and connected, cancelled when any worker was. @rows
 * (optional) gets one LbRemoteWorkerRow* per worker, by worker. */
LbRunResult   *lb_remote_merge_finish          (LbRemoteMerge              *self,
                                                GPtrArray                 **rows);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbRemoteMerge, lb_remote_merge_free)

G_END_DECLS
