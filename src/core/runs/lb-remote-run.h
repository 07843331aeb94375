/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* One concurrency test on Databricks compute, from its settings to its
 * saved record: the runner, the script and its config uploaded to a run
 * folder in the workspace files, one Jobs task per worker, the workers'
 * live files read back through the Files API and merged into one timeline,
 * the record with per-worker rows added to the history, and the folders
 * removed again. The same shape as LbTestRun, so the tester window and
 * `lakebase-cli bench --on-databricks` drive both alike. */

#include <gio/gio.h>

#include "lb-databricks-client.h"
#include "lb-remote-plan.h"
#include "lb-run-history.h"
#include "lb-run-record.h"
#include "lb-sql-script.h"

G_BEGIN_DECLS

typedef enum
{
  LB_REMOTE_RUN_STATE_IDLE,          /* nothing started, or the last start failed */
  LB_REMOTE_RUN_STATE_UPLOADING,     /* runner, script and config to the run folder */
  LB_REMOTE_RUN_STATE_SUBMITTING,
  LB_REMOTE_RUN_STATE_WAITING,       /* tasks QUEUED/PENDING: the clusters start */
  LB_REMOTE_RUN_STATE_RUNNING,       /* at least one worker measures */
  LB_REMOTE_RUN_STATE_COLLECTING,    /* the tasks ended: reading the final files */
  LB_REMOTE_RUN_STATE_CLEANING_UP,   /* removing the run's folders */
  LB_REMOTE_RUN_STATE_DONE,          /* the record is in */
} LbRemoteRunState;

#define LB_TYPE_REMOTE_RUN_STATE (lb_remote_run_state_get_type ())
GType lb_remote_run_state_get_type (void) G_GNUC_CONST;

/* One worker as the run sees it (lb_remote_run_dup_workers()). */
typedef struct
{
  guint    worker;
  char    *state;               /* the runner's: "starting" … "done", "failed", "cancelled";
                                 * "pending" before its first file */
  char    *task_state;          /* the Jobs task's life_cycle_state (RESULT_STATE once ended) */
  char    *message;             /* the runner's last message, or NULL */
  char    *error;               /* why it failed, or NULL */
  char    *log_tail;            /* the end of its log when it failed, or NULL */
  guint    clients;
  guint64  transactions;        /* measured so far (warm-up excluded) */
  guint64  failed;
  double   tps;                 /* of its last second */
} LbRemoteWorkerInfo;

void lb_remote_worker_info_free (LbRemoteWorkerInfo *info);

#define LB_TYPE_REMOTE_RUN (lb_remote_run_get_type ())

/* Properties (read-only unless said): "state" (LbRemoteRunState), "running"
 * (from start until the record is in), "elapsed" (seconds measured, as the
 * merged timeline says; negative in the warm-up), "progress" (0..1 of the
 * planned run), "transactions" and "failed" (merged, so far), "record" (the
 * last run's), "job-run-id" (the Jobs run, 0 before the submit), "message"
 * (what the run waits for, "Starting 4 clusters…"), and the read-write
 * "client", "history", "workers", "node-type", "volume", "keep-files".
 * Signals: "sample" (const LbRunSample *): the total of every worker for one
 * second, warm-up included; "worker-sample" (guint worker, const
 * LbRunSample *): one worker's second, for the breakdown; "worker-changed"
 * (guint worker): its state, error or task state changed; "finished"
 * (LbRunRecord *) when the record is in, after it was added to the history. */
G_DECLARE_FINAL_TYPE (LbRemoteRun, lb_remote_run, LB, REMOTE_RUN, GObject)

LbRemoteRun      *lb_remote_run_new              (LbDatabricksClient   *client);

void              lb_remote_run_set_client       (LbRemoteRun          *self,
                                                  LbDatabricksClient   *client);
LbDatabricksClient *lb_remote_run_get_client     (LbRemoteRun          *self);
/* @script_path is how the records name the script; may be NULL. */
void              lb_remote_run_set_script       (LbRemoteRun          *self,
                                                  LbSqlScript          *script,
                                                  const char           *script_path);
void              lb_remote_run_set_history      (LbRemoteRun          *self,
                                                  LbRunHistory         *history);
LbRunHistory     *lb_remote_run_get_history      (LbRemoteRun          *self);
void              lb_remote_run_set_workers      (LbRemoteRun          *self,
                                                  guint                 workers);
guint             lb_remote_run_get_workers      (LbRemoteRun          *self);
/* NULL: lb-remote-plan's default node type. */
void              lb_remote_run_set_node_type    (LbRemoteRun          *self,
                                                  const char           *node_type);
const char       *lb_remote_run_get_node_type    (LbRemoteRun          *self);
/* "/Volumes/catalog/schema/volume": where the workers write their samples. */
void              lb_remote_run_set_volume       (LbRemoteRun          *self,
                                                  const char           *volume);
const char       *lb_remote_run_get_volume       (LbRemoteRun          *self);
void              lb_remote_run_set_target       (LbRemoteRun          *self,
                                                  const LbRemoteTarget *target);
const LbRemoteTarget *lb_remote_run_get_target   (LbRemoteRun          *self);
/* Keep the workspace folder and the samples after the run (default FALSE). */
void              lb_remote_run_set_keep_files   (LbRemoteRun          *self,
                                                  gboolean              keep_files);
gboolean          lb_remote_run_get_keep_files   (LbRemoteRun          *self);

/* Runs @settings on the workers. Settings that cannot run (a ladder, no
 * volume, no target, no workers) fail with G_IO_ERROR_INVALID_ARGUMENT
 * before anything is uploaded; API errors are LB_DATABRICKS_ERROR. A run
 * whose every worker failed fails with G_IO_ERROR_FAILED naming the first
 * worker's error (the record is still built and in "record"). Cancelling
 * (@cancellable or lb_remote_run_cancel()) once the job is submitted is not
 * an error: the job is cancelled, the workers' final files are read and the
 * record keeps what was measured. */
void              lb_remote_run_start_async      (LbRemoteRun          *self,
                                                  const LbRunSettings  *settings,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
LbRunRecord      *lb_remote_run_start_finish     (LbRemoteRun          *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
void              lb_remote_run_cancel           (LbRemoteRun          *self);

LbRemoteRunState  lb_remote_run_get_state        (LbRemoteRun          *self);
gboolean          lb_remote_run_get_running      (LbRemoteRun          *self);
double            lb_remote_run_get_elapsed      (LbRemoteRun          *self);
double            lb_remote_run_get_progress     (LbRemoteRun          *self);
guint64           lb_remote_run_get_transactions (LbRemoteRun          *self);
guint64           lb_remote_run_get_failed       (LbRemoteRun          *self);
gint64            lb_remote_run_get_job_run_id   (LbRemoteRun          *self);
const char       *lb_remote_run_get_message      (LbRemoteRun          *self);
/* The run folder's name ("20261202-170102-3fa2c1"), NULL before a start. */
const char       *lb_remote_run_get_run_id       (LbRemoteRun          *self);
/* The run folder in the workspace ("/Users/<u>/.lakebase-accelerator/runs/<id>")
 * and the samples folder in the volume; NULL before they are known. */
const char       *lb_remote_run_get_workspace_folder (LbRemoteRun      *self);
const char       *lb_remote_run_get_samples_folder   (LbRemoteRun      *self);
/* Each worker now (LbRemoteWorkerInfo*, by worker), NULL before a start. */
GPtrArray        *lb_remote_run_dup_workers      (LbRemoteRun          *self);
LbRunRecord      *lb_remote_run_get_record       (LbRemoteRun          *self);
/* Why the last record was not added to the history, or NULL. */
const GError     *lb_remote_run_get_history_error (LbRemoteRun         *self);
/* Requests this run has sent since the submit, and the most sent in any
 * one-second window since then (the budget is one a second). */
guint             lb_remote_run_get_request_count (LbRemoteRun         *self);
guint             lb_remote_run_get_max_requests_per_second (LbRemoteRun *self);

G_END_DECLS
