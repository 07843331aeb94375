/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One-time runs of the Databricks Jobs API (/api/2.2/jobs/runs/…) through
 * an LbDatabricksClient: submit, poll, cancel, and a task's output. Every
 * call is async (GTask) and cancellable; errors are LB_DATABRICKS_ERROR. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "lb-databricks-client.h"

G_BEGIN_DECLS

/* One task of a run (runs/get "tasks[]"). Times are ms since the epoch (0:
 * not yet); execution_duration is ms (0 when unknown). */
typedef struct
{
  char   *task_key;
  gint64  run_id;               /* the task's own run id (for get-output) */
  char   *life_cycle_state;     /* QUEUED, PENDING, RUNNING, TERMINATING, TERMINATED, SKIPPED, INTERNAL_ERROR, BLOCKED, WAITING_FOR_RETRY */
  char   *result_state;         /* NULL until there is one: SUCCESS, FAILED, TIMEDOUT, CANCELED, … */
  char   *state_message;        /* may be "" */
  gint64  start_time;
  gint64  end_time;
  gint64  execution_duration;
} LbJobTask;

/* A run as runs/get describes it. */
typedef struct
{
  gint64     run_id;
  char      *life_cycle_state;
  char      *result_state;      /* NULL until there is one */
  char      *state_message;
  char      *run_page_url;      /* may be NULL */
  GPtrArray *tasks;             /* of LbJobTask, never NULL */
} LbJobRun;

#define LB_TYPE_JOB_TASK (lb_job_task_get_type ())
#define LB_TYPE_JOB_RUN  (lb_job_run_get_type ())

GType      lb_job_task_get_type   (void) G_GNUC_CONST;
LbJobTask *lb_job_task_copy       (const LbJobTask *task);
void       lb_job_task_free       (LbJobTask       *task);

GType      lb_job_run_get_type    (void) G_GNUC_CONST;
LbJobRun  *lb_job_run_copy        (const LbJobRun  *run);
void       lb_job_run_free        (LbJobRun        *run);
/* The task with @task_key, or NULL. */
LbJobTask *lb_job_run_get_task    (LbJobRun        *run,
                                   const char      *task_key);
/* TERMINATED, SKIPPED or INTERNAL_ERROR: nothing will change any more. */
gboolean   lb_job_run_is_terminal (const LbJobRun  *run);
gboolean   lb_job_task_is_terminal (const LbJobTask *task);
/* Parses a runs/get answer; NULL with LB_DATABRICKS_ERROR_MALFORMED. */
LbJobRun  *lb_job_run_new_from_json (JsonNode      *node,
                                     GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbJobTask, lb_job_task_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbJobRun, lb_job_run_free)

/* POST /api/2.2/jobs/runs/submit with @spec (a JSON object: run_name,
 * tasks[], timeout_seconds, idempotency_token, …); gives the run_id. A spec
 * with an idempotency_token is resent after a network error (the server
 * returns the same run), one without is not. 0 with @error on failure. */
void      lb_jobs_submit_run_async  (LbDatabricksClient   *client,
                                     JsonNode             *spec,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data);
gint64    lb_jobs_submit_run_finish (LbDatabricksClient   *client,
                                     GAsyncResult         *result,
                                     GError              **error);

/* GET /api/2.2/jobs/runs/get?run_id=… */
void      lb_jobs_get_run_async     (LbDatabricksClient   *client,
                                     gint64                run_id,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data);
LbJobRun *lb_jobs_get_run_finish    (LbDatabricksClient   *client,
                                     GAsyncResult         *result,
                                     GError              **error);

/* POST /api/2.2/jobs/runs/cancel {run_id}: asks every task to stop; the
 * run reaches TERMINATED/CANCELED later (poll runs/get). */
void      lb_jobs_cancel_run_async  (LbDatabricksClient   *client,
                                     gint64                run_id,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data);
gboolean  lb_jobs_cancel_run_finish (LbDatabricksClient   *client,
                                     GAsyncResult         *result,
                                     GError              **error);

/* GET /api/2.2/jobs/runs/get-output?run_id=<a TASK's run id>: its error
 * (one line), error_trace and logs (stdout/stderr tail); each out-parameter
 * may be NULL and is set to NULL when the server sent none. */
void      lb_jobs_get_output_async  (LbDatabricksClient   *client,
                                     gint64                task_run_id,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data);
gboolean  lb_jobs_get_output_finish (LbDatabricksClient   *client,
                                     GAsyncResult         *result,
                                     char                **error_text,
                                     char                **error_trace,
                                     char                **logs,
                                     GError              **error);

G_END_DECLS
