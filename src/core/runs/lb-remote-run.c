/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbRemoteRun: one test run on Databricks compute. Uploads, submits,
 * follows the job at no more than one request a second in all, merges the
 * workers' samples, builds the record and cleans up. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "lb-core.h"
#include "lb-jobs-client.h"
#include "lb-price-sheet.h"
#include "lb-remote-run.h"
#include "lb-remote-samples.h"
#include "lb-run-common-private.h"
#include "lb-workspace-files.h"

#define RUNNER_RESOURCE "/io/github/lakebase/Accelerator/core/runner/lakebase_load_runner.py"
#define SCIM_ME_PATH    "/api/2.0/preview/scim/v2/Me"

/* The request budget while the job is live: one request a second, with a
 * margin so that no window of one second ever holds two. */
#define REQUEST_PERIOD_US   (1050 * G_TIME_SPAN_MILLISECOND)
/* runs/get while the job runs; quicker while the clusters start. */
#define GET_PERIOD_US       (5 * G_TIME_SPAN_SECOND)
/* After runs/cancel: how long the runners get to write their final files
 * before the results are collected all the same. */
#define CANCEL_WAIT_US      (30 * G_TIME_SPAN_SECOND)
/* A worker whose task has ended may still be writing its final file. */
#define FINAL_FILE_TRIES    3

typedef enum
{
  PHASE_NONE,
  PHASE_PREPARE,    /* user, exports, uploads, submit: not paced */
  PHASE_LIVE,       /* the job runs: runs/get and live files, paced */
  PHASE_COLLECT,    /* the job ended: every final file, paced */
  PHASE_CLEANUP,
} Phase;

typedef struct
{
  char   *path;       /* workspace path */
  GBytes *content;
} Upload;

typedef struct
{
  LbRemoteWorkerInfo  info;
  char               *task_key;
  gint64              task_run_id;
  gboolean            task_started;     /* its task is RUNNING or beyond */
  gboolean            task_over;        /* its task reached a terminal state */
  gboolean            task_failed;
  gboolean            output_read;      /* runs/get-output, for a failed task */
  gboolean            final_read;
  guint               final_tries;
  double              task_seconds;     /* what Jobs billed for it */
  gboolean            changed;
} Worker;

struct _LbRemoteRun
{
  GObject              parent_instance;

  LbDatabricksClient  *client;
  LbSqlScript         *script;
  char                *script_path;
  LbRunHistory        *history;
  guint                workers;
  char                *node_type;
  char                *volume;
  LbRemoteTarget      *target;
  gboolean             keep_files;

  /* The run in progress */
  GTask               *task;
  GCancellable        *cancellable;         /* our calls; cancelled only to abort */
  GCancellable        *caller_cancellable;
  gulong               cancelled_id;
  LbRunSettings       *settings;
  GDateTime           *started;
  Phase                phase;
  char                *run_id;
  char                *user_name;
  char                *workspace_dir;
  char                *samples_dir;
  char                *tmp_dir;
  LbRemotePlan        *plan;
  char                *node_type_used;
  GPtrArray           *uploads;             /* Upload* */
  guint                next_upload;
  gint64               job_run_id;
  LbRemoteMerge       *merge;
  GPtrArray           *worker_list;         /* Worker*, by worker */
  guint                emitted;             /* merged samples emitted */

  guint                tick_id;
  gboolean             in_flight;
  gint64               last_request_us;     /* monotonic, the last paced request */
  gint64               next_get_us;
  guint                n_gets;
  guint                next_worker;         /* round robin */
  gboolean             cancel_requested;
  gboolean             cancel_sent;
  gint64               cancel_deadline_us;
  gboolean             job_over;
  char                *job_message;
  GError              *job_error;           /* the run could not be followed */
  guint                cleanup_step;
  GArray              *request_times;       /* gint64, monotonic, paced requests */
  guint                request_count;
  guint                max_per_second;

  LbRemoteRunState     state;
  double               elapsed;
  double               progress;
  guint64              transactions;
  guint64              failed;
  char                *message;
  LbRunRecord         *record;
  GError              *history_error;
};

G_DEFINE_FINAL_TYPE (LbRemoteRun, lb_remote_run, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (LbRemoteRunState, lb_remote_run_state,
  G_DEFINE_ENUM_VALUE (LB_REMOTE_RUN_STATE_IDLE, "idle"),
  G_DEFINE_ENUM_VALUE (LB_REMOTE_RUN_STATE_UPLOADING, "uploading"),
  G_DEFINE_ENUM_VALUE (LB_REMOTE_RUN_STATE_SUBMITTING, "submitting"),
  G_DEFINE_ENUM_VALUE (LB_REMOTE_RUN_STATE_WAITING, "waiting"),
  G_DEFINE_ENUM_VALUE (LB_REMOTE_RUN_STATE_RUNNING, "running"),
  G_DEFINE_ENUM_VALUE (LB_REMOTE_RUN_STATE_COLLECTING, "collecting"),
  G_DEFINE_ENUM_VALUE (LB_REMOTE_RUN_STATE_CLEANING_UP, "cleaning-up"),
  G_DEFINE_ENUM_VALUE (LB_REMOTE_RUN_STATE_DONE, "done"))

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_HISTORY,
  PROP_WORKERS,
  PROP_NODE_TYPE,
  PROP_VOLUME,
  PROP_KEEP_FILES,
  PROP_STATE,
  PROP_RUNNING,
  PROP_ELAPSED,
  PROP_PROGRESS,
  PROP_TRANSACTIONS,
  PROP_FAILED,
  PROP_RECORD,
  PROP_JOB_RUN_ID,
  PROP_MESSAGE,
  N_PROPS
};

enum {
  SAMPLE,
  WORKER_SAMPLE,
  WORKER_CHANGED,
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void schedule_tick (LbRemoteRun *self);
static void start_collect (LbRemoteRun *self);
static void finish_collect (LbRemoteRun *self);

/* Helpers ---------------------------------------------------------------------- */

static void
upload_free (Upload *upload)
{
  g_free (upload->path);
  g_clear_pointer (&upload->content, g_bytes_unref);
  g_free (upload);
}

void
lb_remote_worker_info_free (LbRemoteWorkerInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->state);
  g_free (info->task_state);
  g_free (info->message);
  g_free (info->error);
  g_free (info->log_tail);
  g_free (info);
}

static void
worker_free (Worker *worker)
{
  g_free (worker->info.state);
  g_free (worker->info.task_state);
  g_free (worker->info.message);
  g_free (worker->info.error);
  g_free (worker->info.log_tail);
  g_free (worker->task_key);
  g_free (worker);
}

static void
set_string (char       **slot,
            const char  *value,
            gboolean    *changed)
{
  if (g_strcmp0 (*slot, value) == 0)
    return;
  g_free (*slot);
  *slot = g_strdup (value);
  if (changed != NULL)
    *changed = TRUE;
}

static void
set_state (LbRemoteRun      *self,
           LbRemoteRunState  state)
{
  gboolean was_running = lb_remote_run_get_running (self);

  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  if (was_running != lb_remote_run_get_running (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
set_message (LbRemoteRun *self,
             const char  *message)
{
  if (g_strcmp0 (self->message, message) == 0)
    return;
  g_free (self->message);
  self->message = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
}

static Worker *
get_worker (LbRemoteRun *self,
            guint        index)
{
  return g_ptr_array_index (self->worker_list, index);
}

static void
emit_worker_changes (LbRemoteRun *self)
{
  for (guint i = 0; self->worker_list != NULL && i < self->worker_list->len; i++)
    {
      Worker *worker = get_worker (self, i);

      if (worker->changed)
        {
          worker->changed = FALSE;
          g_signal_emit (self, signals[WORKER_CHANGED], 0, i);
        }
    }
}

/* The paced requests: counted, and the most in any one-second window kept
 * for the figures. */
static void
note_request (LbRemoteRun *self)
{
  gint64 now = g_get_monotonic_time ();
  guint in_window = 1;

  self->request_count++;
  self->last_request_us = now;
  g_array_append_val (self->request_times, now);
  for (guint i = self->request_times->len - 1; i-- > 0;)
    {
      if (now - g_array_index (self->request_times, gint64, i) >= G_USEC_PER_SEC)
        break;
      in_window++;
    }
  self->max_per_second = MAX (self->max_per_second, in_window);
}

/* Ending ------------------------------------------------------------------------ */

static void
remove_tmp_dir (LbRemoteRun *self)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (self->tmp_dir == NULL)
    return;
  dir = g_dir_open (self->tmp_dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (self->tmp_dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (self->tmp_dir);
  g_clear_pointer (&self->tmp_dir, g_free);
}

static void
end_run (LbRemoteRun *self)
{
  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->caller_cancellable != NULL)
    g_cancellable_disconnect (self->caller_cancellable, self->cancelled_id);
  self->cancelled_id = 0;
  g_clear_object (&self->caller_cancellable);
  g_clear_pointer (&self->uploads, g_ptr_array_unref);
  remove_tmp_dir (self);
  self->phase = PHASE_NONE;
}

static void
fail_run (LbRemoteRun *self,
          GError      *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  end_run (self);
  set_message (self, NULL);
  set_state (self, LB_REMOTE_RUN_STATE_IDLE);
  g_task_return_error (task, error);
}

/* Before the submit nothing runs: a cancel or an error removes what was
 * uploaded (without the cancelled cancellable) and fails the run. */
static void
abandon_uploads_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  lb_workspace_delete_finish (LB_DATABRICKS_CLIENT (object), result, NULL);
  g_task_return_boolean (task, TRUE);
}

static void
abandoned_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(LbRemoteRun) self = user_data;
  GError *error = g_task_get_task_data (G_TASK (result));

  fail_run (self, g_error_copy (error));
}

static void
abandon (LbRemoteRun *self,
         GError      *error)
{
  GTask *task;

  if (self->workspace_dir == NULL || self->keep_files)
    {
      fail_run (self, error);
      return;
    }
  task = g_task_new (NULL, NULL, abandoned_cb, g_object_ref (self));
  g_task_set_task_data (task, error, (GDestroyNotify) g_error_free);
  lb_workspace_delete_async (self->client, self->workspace_dir, TRUE, NULL, abandon_uploads_cb, task);
}

/* Live samples ------------------------------------------------------------------ */

static void
take_samples (LbRemoteRun *self)
{
  g_autoptr(GArray) samples = lb_remote_merge_take_samples (self->merge, g_get_real_time () / 1e6);
  double planned = self->settings->mode == LB_RUN_MODE_DURATION ? self->settings->duration : 0;
  double warmup = self->settings->warmup;

  if (samples == NULL || samples->len == 0)
    return;

  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = 0; i < samples->len; i++)
    {
      const LbRunSample *sample = &g_array_index (samples, LbRunSample, i);
      double fraction = 0;

      if (sample->warmup)
        continue;
      self->transactions += sample->transactions;
      self->failed += sample->failed;
      if (planned > 0)
        fraction = (warmup + sample->t) / (warmup + planned);
      else if (self->settings->transactions > 0)
        fraction = (double) (self->transactions + self->failed) / self->settings->transactions;
      self->elapsed = sample->t;
      self->progress = CLAMP (fraction, 0, 1);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRANSACTIONS]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAILED]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ELAPSED]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
      if (self->state == LB_REMOTE_RUN_STATE_WAITING)
        set_state (self, LB_REMOTE_RUN_STATE_RUNNING);

      g_signal_emit (self, signals[SAMPLE], 0, sample);

      /* Each worker's share of the same second, for the breakdown. */
      for (guint w = 0; w < self->workers; w++)
        {
          GArray *tps = lb_remote_merge_get_worker_tps (self->merge, w);
          LbRunSample part = { 0 };

          if (tps == NULL || self->emitted >= tps->len)
            continue;
          part.t = sample->t;
          part.interval = sample->interval;
          part.tps = g_array_index (tps, double, self->emitted);
          part.transactions = (guint64) (part.tps * sample->interval + 0.5);
          get_worker (self, w)->info.tps = part.tps;
          g_signal_emit (self, signals[WORKER_SAMPLE], 0, w, &part);
        }
      self->emitted++;
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static void
apply_status (LbRemoteRun          *self,
              Worker               *worker,
              LbRemoteWorkerStatus *status)
{
  gboolean changed = FALSE;
  guint64 transactions = 0, failed = 0;

  lb_remote_merge_add_status (self->merge, status);

  set_string (&worker->info.state, lb_remote_worker_state_to_string (status->state), &changed);
  if (status->message != NULL && status->message[0] != '\0')
    set_string (&worker->info.message, status->message, &changed);
  if (status->error != NULL)
    set_string (&worker->info.error, status->error, &changed);
  if (status->log_tail != NULL && status->state == LB_REMOTE_WORKER_FAILED)
    set_string (&worker->info.log_tail, status->log_tail, &changed);
  if (worker->info.clients != status->clients)
    {
      worker->info.clients = status->clients;
      changed = TRUE;
    }
  if (status->kind == LB_REMOTE_FILE_FINAL)
    {
      transactions = status->transactions;
      failed = status->failed;
    }
  else
    for (guint i = 0; status->samples != NULL && i < status->samples->len; i++)
      {
        const LbRemoteSample *sample = &g_array_index (status->samples, LbRemoteSample, i);

        /* The live file holds the last minute only: totals never go back. */
        if (!sample->warmup)
          {
            transactions += sample->transactions;
            failed += sample->failed;
          }
      }
  if (transactions > worker->info.transactions || status->kind == LB_REMOTE_FILE_FINAL)
    worker->info.transactions = transactions;
  if (failed > worker->info.failed || status->kind == LB_REMOTE_FILE_FINAL)
    worker->info.failed = failed;
  worker->changed |= changed;
}

/* The paced loop ---------------------------------------------------------------- */

static gboolean
finish_request (LbRemoteRun   *self,
                const GError  *error)
{
  self->in_flight = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return FALSE;
  return TRUE;
}

static void
update_from_job (LbRemoteRun *self,
                 LbJobRun    *job)
{
  guint pending = 0, running = 0;

  for (guint i = 0; i < self->workers; i++)
    {
      Worker *worker = get_worker (self, i);
      LbJobTask *task = lb_job_run_get_task (job, worker->task_key);
      const char *shown;

      if (task == NULL)
        continue;
      worker->task_run_id = task->run_id;
      shown = task->result_state != NULL ? task->result_state : task->life_cycle_state;
      set_string (&worker->info.task_state, shown, &worker->changed);
      if (g_strcmp0 (task->life_cycle_state, "QUEUED") == 0
          || g_strcmp0 (task->life_cycle_state, "PENDING") == 0
          || g_strcmp0 (task->life_cycle_state, "BLOCKED") == 0
          || g_strcmp0 (task->life_cycle_state, "WAITING_FOR_RETRY") == 0)
        pending++;
      else if (!lb_job_task_is_terminal (task))
        {
          running++;
          worker->task_started = TRUE;
        }
      if (lb_job_task_is_terminal (task) && !worker->task_over)
        {
          worker->task_over = TRUE;
          worker->task_started = TRUE;
          worker->task_failed = g_strcmp0 (task->result_state, "SUCCESS") != 0
                                && g_strcmp0 (task->result_state, "CANCELED") != 0;
          if (worker->task_failed && worker->info.error == NULL)
            {
              /* Until its final file or the task's output says more. */
              g_autofree char *text = g_strdup_printf (_("Its task ended %s: %s"),
                                                       task->result_state != NULL ? task->result_state
                                                                                  : task->life_cycle_state,
                                                       task->state_message != NULL && task->state_message[0] != '\0'
                                                         ? task->state_message : _("no reason given"));
              set_string (&worker->info.error, text, &worker->changed);
            }
        }
      if (task->start_time > 0 && task->end_time >= task->start_time)
        worker->task_seconds = (task->end_time - task->start_time) / 1000.0;
    }

  if (lb_job_run_is_terminal (job))
    self->job_over = TRUE;
  else if (pending > 0 && running == 0 && !self->cancel_requested)
    {
      g_autofree char *text = NULL;

      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Starting %u cluster…", "Starting %u clusters…", pending),
                              pending);
      set_message (self, text);
      set_state (self, LB_REMOTE_RUN_STATE_WAITING);
    }
  else if (running > 0 && !self->cancel_requested)
    {
      /* The clusters are up: the runners find pgbench, mint their
       * credentials and connect before the first second comes in. */
      set_message (self, self->emitted == 0 ? _("The workers are starting pgbench…") : NULL);
      set_state (self, LB_REMOTE_RUN_STATE_RUNNING);
    }
  set_string (&self->job_message, job->state_message, NULL);
  emit_worker_changes (self);
}

static void
got_run_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(LbRemoteRun) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LbJobRun) job = lb_jobs_get_run_finish (LB_DATABRICKS_CLIENT (object), result, &error);

  if (!finish_request (self, error))
    return;
  self->n_gets++;
  if (job == NULL)
    {
      /* The client has retried what could be retried: the job can no
       * longer be followed; cancel it so it bills no further. */
      g_message ("runs/get failed: %s", error->message);
      if (self->job_error == NULL)
        self->job_error = g_steal_pointer (&error);
      self->cancel_requested = TRUE;
      if (self->cancel_sent)
        self->job_over = TRUE;
    }
  else
    update_from_job (self, job);

  take_samples (self);
  schedule_tick (self);
}

static void
cancelled_job_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(LbRemoteRun) self = user_data;
  g_autoptr(GError) error = NULL;

  lb_jobs_cancel_run_finish (LB_DATABRICKS_CLIENT (object), result, &error);
  if (!finish_request (self, error))
    return;
  if (error != NULL)
    g_message ("runs/cancel failed: %s", error->message);
  /* Polled quickly from now on until the tasks have ended. */
  self->next_get_us = 0;
  schedule_tick (self);
}

static void
got_output_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LbRemoteRun *self = g_task_get_source_object (task);
  Worker *worker = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *error_text = NULL;
  g_autofree char *trace = NULL;
  g_autofree char *logs = NULL;

  lb_jobs_get_output_finish (LB_DATABRICKS_CLIENT (object), result, &error_text, &trace, &logs, &error);
  if (!finish_request (self, error))
    return;
  worker->output_read = TRUE;
  /* The runner's own sentence (its final file) says it best; the task's
   * output is for a runner that could not write one. */
  if (error_text != NULL && (worker->info.error == NULL || g_str_has_prefix (worker->info.error, _("Its task ended"))))
    set_string (&worker->info.error, error_text, &worker->changed);
  if (worker->info.log_tail == NULL && (logs != NULL || trace != NULL))
    set_string (&worker->info.log_tail, logs != NULL ? logs : trace, &worker->changed);
  emit_worker_changes (self);
  schedule_tick (self);
}

typedef struct
{
  guint            worker;
  LbRemoteFileKind kind;
} FileRequest;

static void
got_file_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LbRemoteRun *self = g_task_get_source_object (task);
  FileRequest *request = g_task_get_task_data (task);
  Worker *worker = get_worker (self, request->worker);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = lb_files_get_finish (LB_DATABRICKS_CLIENT (object), result, &error);
  g_autoptr(LbRemoteWorkerStatus) status = NULL;

  if (!finish_request (self, error))
    return;

  if (request->kind == LB_REMOTE_FILE_FINAL)
    worker->final_tries++;

  if (bytes != NULL)
    {
      status = lb_remote_worker_status_new_from_bytes (bytes, request->kind, &error);
      if (status == NULL)
        g_message ("worker %u: %s", request->worker, error->message);
    }
  else if (!g_error_matches (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NOT_FOUND))
    g_debug ("worker %u: %s", request->worker, error->message);

  if (status != NULL)
    {
      apply_status (self, worker, status);
      if (request->kind == LB_REMOTE_FILE_FINAL)
        worker->final_read = TRUE;
    }
  else if (request->kind == LB_REMOTE_FILE_FINAL && worker->final_tries >= FINAL_FILE_TRIES)
    {
      /* A runner killed before it wrote its final file: what its live
       * file said is what there is. */
      worker->final_read = TRUE;
      if (worker->info.error == NULL && !self->cancel_requested)
        set_string (&worker->info.error, _("The worker left no final file: it was stopped "
                                           "before it could write its results."), &worker->changed);
    }

  emit_worker_changes (self);
  take_samples (self);
  schedule_tick (self);
}

static void
request_file (LbRemoteRun      *self,
              guint             index,
              LbRemoteFileKind  kind)
{
  g_autofree char *name = lb_remote_samples_file_name (index, kind);
  g_autofree char *path = g_build_path ("/", self->samples_dir, name, NULL);
  GTask *task = g_task_new (self, NULL, NULL, NULL);
  FileRequest *request = g_new0 (FileRequest, 1);

  request->worker = index;
  request->kind = kind;
  g_task_set_task_data (task, request, g_free);
  self->in_flight = TRUE;
  note_request (self);
  lb_files_get_async (self->client, path, 0, 0, self->cancellable, got_file_cb, task);
}

/* What the next paced request is, or FALSE when it is not time for one
 * yet (@wait_us says how long until then). */
static gboolean
send_next_live (LbRemoteRun *self,
                gint64      *wait_us)
{
  gint64 now = g_get_monotonic_time ();

  if (self->cancel_requested && !self->cancel_sent)
    {
      self->cancel_sent = TRUE;
      self->cancel_deadline_us = now + CANCEL_WAIT_US;
      set_message (self, _("Cancelling the job…"));
      self->in_flight = TRUE;
      note_request (self);
      lb_jobs_cancel_run_async (self->client, self->job_run_id, self->cancellable, cancelled_job_cb,
                                g_object_ref (self));
      return TRUE;
    }

  if (self->job_over || (self->cancel_sent && now >= self->cancel_deadline_us))
    {
      start_collect (self);
      return TRUE;
    }

  /* A failed task's own output, once. */
  for (guint i = 0; i < self->workers; i++)
    {
      Worker *worker = get_worker (self, i);

      if (worker->task_failed && !worker->output_read && worker->task_run_id != 0)
        {
          GTask *task = g_task_new (self, NULL, NULL, NULL);

          g_task_set_task_data (task, worker, NULL);
          self->in_flight = TRUE;
          note_request (self);
          lb_jobs_get_output_async (self->client, worker->task_run_id, self->cancellable, got_output_cb, task);
          return TRUE;
        }
    }

  if (now >= self->next_get_us)
    {
      /* Quick while the clusters start, then every few seconds. */
      static const guint backoff_s[] = { 1, 1, 2, 3 };
      gboolean started = FALSE;
      gint64 period;

      /* Once a cluster is up, its live file says more than runs/get. */
      for (guint i = 0; i < self->workers; i++)
        started |= get_worker (self, i)->task_started;
      period = self->cancel_sent ? G_USEC_PER_SEC
               : started || self->n_gets >= G_N_ELEMENTS (backoff_s) ? GET_PERIOD_US
               : backoff_s[self->n_gets] * G_USEC_PER_SEC;

      self->next_get_us = now + period;
      self->in_flight = TRUE;
      note_request (self);
      lb_jobs_get_run_async (self->client, self->job_run_id, self->cancellable, got_run_cb, g_object_ref (self));
      return TRUE;
    }

  /* The workers' files, round robin: a finished worker's final file (once),
   * else a running worker's live file. */
  for (guint n = 0; n < self->workers; n++)
    {
      guint index = (self->next_worker + n) % self->workers;
      Worker *worker = get_worker (self, index);

      if (!worker->task_started || worker->final_read)
        continue;
      if (worker->task_over && worker->final_tries >= FINAL_FILE_TRIES)
        continue;
      self->next_worker = (index + 1) % self->workers;
      request_file (self, index, worker->task_over ? LB_REMOTE_FILE_FINAL : LB_REMOTE_FILE_LIVE);
      return TRUE;
    }

  *wait_us = self->next_get_us - now;
  return FALSE;
}

/* Cleanup ------------------------------------------------------------------------ */

static void cleanup_next (LbRemoteRun *self);

/* The end of one of cleanup_next()'s deletes (the run folder or the
 * samples folder): one already gone is fine, another failure is only
 * logged, the run's result stands. */
static void
cleanup_deleted_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(LbRemoteRun) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean workspace = g_async_result_is_tagged (result, lb_workspace_delete_async);
  gboolean deleted;

  if (workspace)
    deleted = lb_workspace_delete_finish (LB_DATABRICKS_CLIENT (object), result, &error);
  else
    deleted = lb_files_delete_tree_finish (LB_DATABRICKS_CLIENT (object), result, &error);
  if (!deleted && !g_error_matches (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NOT_FOUND))
    g_message ("could not remove the %s folder %s: %s", workspace ? "run" : "samples",
               workspace ? self->workspace_dir : self->samples_dir, error->message);
  self->in_flight = FALSE;
  schedule_tick (self);
}

static void finish_run (LbRemoteRun *self);

static void
cleanup_next (LbRemoteRun *self)
{
  switch (self->cleanup_step++)
    {
    case 0:
      self->in_flight = TRUE;
      note_request (self);
      lb_workspace_delete_async (self->client, self->workspace_dir, TRUE, self->cancellable,
                                 cleanup_deleted_cb, g_object_ref (self));
      break;
    case 1:
      self->in_flight = TRUE;
      note_request (self);
      lb_files_delete_tree_async (self->client, self->samples_dir, self->cancellable,
                                  cleanup_deleted_cb, g_object_ref (self));
      break;
    default:
      finish_run (self);
      break;
    }
}

/* The tick ----------------------------------------------------------------------- */

static gboolean
tick_cb (gpointer user_data)
{
  LbRemoteRun *self = user_data;
  gint64 wait_us = 0;

  self->tick_id = 0;
  if (self->in_flight)
    return G_SOURCE_REMOVE;

  switch (self->phase)
    {
    case PHASE_LIVE:
      if (!send_next_live (self, &wait_us))
        {
          /* Nothing to ask: the lateness of the merge still moves on. */
          take_samples (self);
          self->tick_id = g_timeout_add (MAX (wait_us / 1000, 50), tick_cb, self);
        }
      break;

    case PHASE_COLLECT:
      for (guint i = 0; i < self->workers; i++)
        {
          Worker *worker = get_worker (self, i);

          if (!worker->final_read)
            {
              request_file (self, i, LB_REMOTE_FILE_FINAL);
              return G_SOURCE_REMOVE;
            }
        }
      finish_collect (self);
      break;

    case PHASE_CLEANUP:
      cleanup_next (self);
      break;

    case PHASE_NONE:
    case PHASE_PREPARE:
    default:
      break;
    }

  return G_SOURCE_REMOVE;
}

/* The next paced request goes out one period after the last one began. */
static void
schedule_tick (LbRemoteRun *self)
{
  gint64 due = self->last_request_us + REQUEST_PERIOD_US;
  gint64 wait = due - g_get_monotonic_time ();

  if (self->task == NULL)
    return;
  g_clear_handle_id (&self->tick_id, g_source_remove);
  self->tick_id = g_timeout_add (wait > 0 ? (guint) ((wait + 999) / 1000) : 0, tick_cb, self);
}

/* Collecting and the record ------------------------------------------------------ */

static void
start_collect (LbRemoteRun *self)
{
  self->phase = PHASE_COLLECT;
  set_message (self, _("Reading the workers’ results…"));
  set_state (self, LB_REMOTE_RUN_STATE_COLLECTING);
  for (guint i = 0; i < self->workers; i++)
    get_worker (self, i)->final_tries = 0;
  schedule_tick (self);
}

static LbPriceSheet *
price_sheet_new (void)
{
  LbPriceSheet *sheet = lb_price_sheet_new_for_user (NULL);

  return sheet != NULL ? sheet : lb_price_sheet_new_default ();
}

static void
finish_collect (LbRemoteRun *self)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(LbRunResult) result = NULL;
  g_autoptr(LbRunRecord) record = NULL;
  g_autoptr(LbPriceSheet) sheet = price_sheet_new ();
  g_autoptr(GArray) seconds = g_array_new (FALSE, FALSE, sizeof (double));
  LbRemoteCost cost = { 0 };

  /* Seconds still pending are emitted first, as the chart expects. */
  take_samples (self);
  result = lb_remote_merge_finish (self->merge, &rows);
  take_samples (self);

  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      LbRemoteWorkerRow *row = g_ptr_array_index (rows, i);
      Worker *worker = get_worker (self, i);

      /* The task's output speaks for a worker that wrote no final file. */
      if (row->error == NULL && worker->info.error != NULL)
        row->error = g_strdup (worker->info.error);
      if (row->log_tail == NULL && worker->info.log_tail != NULL)
        row->log_tail = g_strdup (worker->info.log_tail);
      if (worker->task_failed && g_strcmp0 (row->state, "failed") != 0)
        {
          g_free (row->state);
          row->state = g_strdup ("failed");
        }
      if (row->tps_per_core > 0 && row->cores > 0 && g_strcmp0 (row->state, "done") == 0)
        lb_remote_capacity_remember (NULL, self->node_type_used, row->tps_per_core, row->cores, NULL);
      g_array_append_val (seconds, worker->task_seconds);
      /* The worker's line in the chart of the saved run. */
      if (row->tps_timeline == NULL && lb_remote_merge_get_worker_tps (self->merge, i) != NULL)
        {
          GArray *tps = lb_remote_merge_get_worker_tps (self->merge, i);

          row->tps_timeline = g_array_sized_new (FALSE, FALSE, sizeof (double), tps->len);
          g_array_append_vals (row->tps_timeline, tps->data, tps->len);
        }
    }

  record = lb_run_record_new (self->script != NULL ? lb_sql_script_get_display_name (self->script) : NULL,
                              self->script_path, self->settings, result, self->started);
  lb_run_record_set_remote (record, rows, self->node_type_used, self->job_run_id);
  if (lb_remote_plan_actual_cost (sheet, self->node_type_used, (const double *) (gpointer) seconds->data,
                                  seconds->len, &cost, NULL))
    lb_run_record_set_remote_cost (record, cost.dbus, cost.total);
  lb_remote_cost_clear (&cost);

  g_set_object (&self->record, record);

  lb_run_common_settle_totals (G_OBJECT (self), result, &self->transactions, &self->failed, &self->progress,
                               properties[PROP_TRANSACTIONS], properties[PROP_FAILED], properties[PROP_PROGRESS]);

  self->phase = PHASE_CLEANUP;
  self->cleanup_step = self->keep_files ? 2 : 0;
  if (!self->keep_files)
    {
      set_message (self, _("Removing the run’s files…"));
      set_state (self, LB_REMOTE_RUN_STATE_CLEANING_UP);
    }
  schedule_tick (self);
}

static void
finish_run (LbRemoteRun *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);
  g_autoptr(LbRunRecord) record = g_object_ref (self->record);
  LbRunResult *result = lb_run_record_get_result (record);
  GError *error = NULL;

  end_run (self);
  set_message (self, NULL);

  if (self->job_error != NULL && result->transactions == 0)
    error = g_error_copy (self->job_error);
  else if (lb_remote_merge_count_failed (self->merge) == self->workers && result->transactions == 0)
    {
      const char *first = NULL;

      for (guint i = 0; i < self->workers && first == NULL; i++)
        first = get_worker (self, i)->info.error;
      error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("Every worker failed. Worker 0: %s"), first != NULL ? first : _("no reason given"));
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORD]);
  if (error != NULL)
    {
      set_state (self, LB_REMOTE_RUN_STATE_IDLE);
      g_task_return_error (task, error);
      return;
    }

  lb_run_common_add_to_history (self->history, record, &self->history_error);

  set_state (self, LB_REMOTE_RUN_STATE_DONE);
  g_signal_emit (self, signals[FINISHED], 0, record);
  g_task_return_pointer (task, g_steal_pointer (&record), g_object_unref);
}

/* Preparing: user, plan, uploads, submit ----------------------------------------- */

static void
submitted_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(LbRemoteRun) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 job_run_id = lb_jobs_submit_run_finish (LB_DATABRICKS_CLIENT (object), result, &error);

  if (job_run_id <= 0)
    {
      abandon (self, g_steal_pointer (&error));
      return;
    }

  self->job_run_id = job_run_id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JOB_RUN_ID]);
  self->phase = PHASE_LIVE;
  self->last_request_us = g_get_monotonic_time ();
  self->next_get_us = 0;
  set_state (self, LB_REMOTE_RUN_STATE_WAITING);
  {
    g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Starting %u cluster…",
                                                          "Starting %u clusters…", self->workers),
                                             self->workers);
    set_message (self, text);
  }
  /* A cancel that came during the submit is sent now. */
  schedule_tick (self);
}

static void
submit (LbRemoteRun *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) spec = lb_remote_plan_build_submit_spec (self->plan, &error);

  if (spec == NULL)
    {
      abandon (self, g_steal_pointer (&error));
      return;
    }
  set_state (self, LB_REMOTE_RUN_STATE_SUBMITTING);
  set_message (self, _("Submitting the job…"));
  /* Not cancellable: once sent, a submit may start the load; the run then
   * cancels the job itself. The idempotency token makes a resend safe. */
  lb_jobs_submit_run_async (self->client, spec, NULL, submitted_cb, g_object_ref (self));
}

static void upload_next (LbRemoteRun *self);

static gboolean
check_cancelled (LbRemoteRun *self)
{
  if (!self->cancel_requested)
    return FALSE;
  abandon (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The run was cancelled")));
  return TRUE;
}

static void
samples_dir_created_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(LbRemoteRun) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!lb_files_create_directory_finish (LB_DATABRICKS_CLIENT (object), result, &error))
    {
      g_prefix_error (&error, _("Could not create the samples folder %s: "), self->samples_dir);
      abandon (self, g_steal_pointer (&error));
      return;
    }
  if (check_cancelled (self))
    return;
  submit (self);
}

/* The end of one of upload_next()'s steps: a folder made or a file imported. */
static void
uploaded_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(LbRemoteRun) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (g_async_result_is_tagged (result, lb_workspace_mkdirs_async))
    ok = lb_workspace_mkdirs_finish (LB_DATABRICKS_CLIENT (object), result, &error);
  else
    ok = lb_workspace_import_finish (LB_DATABRICKS_CLIENT (object), result, &error);
  if (!ok)
    {
      abandon (self, g_steal_pointer (&error));
      return;
    }
  if (check_cancelled (self))
    return;
  upload_next (self);
}

static void
upload_next (LbRemoteRun *self)
{
  Upload *upload;

  if (self->next_upload >= self->uploads->len)
    {
      lb_files_create_directory_async (self->client, self->samples_dir, self->cancellable,
                                       samples_dir_created_cb, g_object_ref (self));
      return;
    }

  upload = g_ptr_array_index (self->uploads, self->next_upload++);
  if (upload->content == NULL)
    lb_workspace_mkdirs_async (self->client, upload->path, self->cancellable, uploaded_cb, g_object_ref (self));
  else
    lb_workspace_import_async (self->client, upload->path, upload->content, self->cancellable,
                               uploaded_cb, g_object_ref (self));
}

static void
add_upload (LbRemoteRun *self,
            char        *path,
            GBytes      *content)
{
  Upload *upload = g_new0 (Upload, 1);

  upload->path = path;
  upload->content = content;
  g_ptr_array_add (self->uploads, upload);
}

static GBytes *
json_to_bytes (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize length = 0;
  char *text;

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, &length);
  return g_bytes_new_take (text, length);
}

/* pgbench numbers each worker's clients from 0: a script's :client_id
 * becomes :client_id + :client_id_base (the runner defines it with -D),
 * so the workers together count 0 … clients-1 as one local run does. */
static char *
offset_client_id (const char *text)
{
  g_autoptr(GRegex) regex = g_regex_new (":client_id(?![A-Za-z0-9_])", 0, 0, NULL);
  g_autofree char *replaced = NULL;

  if (!g_regex_match (regex, text, 0, NULL))
    return g_strdup (text);
  replaced = g_regex_replace_literal (regex, text, -1, 0, ":lb_client_id", 0, NULL);
  return g_strconcat ("\\set lb_client_id :client_id + :client_id_base\n", replaced, NULL);
}

/* The script as pgbench files in a temporary folder, then the plan, the
 * config and the list of uploads, their paths as the cluster sees them. */
static gboolean
prepare_uploads (LbRemoteRun  *self,
                 GError      **error)
{
  g_autoptr(GFile) dir = NULL;
  g_autofree char *arguments = NULL;
  g_auto(GStrv) argv = NULL;
  g_autoptr(GPtrArray) script_args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GBytes) runner = NULL;
  g_autoptr(JsonNode) config = NULL;
  g_autoptr(LbPriceSheet) sheet = NULL;
  g_autofree char *cluster_dir = NULL;
  g_autofree char *script_dir = NULL;
  g_autofree char *script_cluster_dir = NULL;
  int argc = 0;

  self->tmp_dir = g_dir_make_tmp ("lakebase-remote-XXXXXX", error);
  if (self->tmp_dir == NULL)
    return FALSE;
  dir = g_file_new_for_path (self->tmp_dir);
  arguments = lb_sql_script_export_pgbench (self->script, dir, error);
  if (arguments == NULL || !g_shell_parse_argv (arguments, &argc, &argv, error))
    return FALSE;

  self->workspace_dir = lb_remote_plan_dup_workspace_folder (self->user_name, self->run_id);
  cluster_dir = lb_remote_plan_dup_cluster_path (self->workspace_dir);
  script_dir = g_build_path ("/", self->workspace_dir, "script", NULL);
  script_cluster_dir = g_build_path ("/", cluster_dir, "script", NULL);

  runner = g_resources_lookup_data (RUNNER_RESOURCE, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (runner == NULL)
    return FALSE;

  self->uploads = g_ptr_array_new_with_free_func ((GDestroyNotify) upload_free);
  self->next_upload = 0;
  add_upload (self, g_strdup (script_dir), NULL);
  add_upload (self, g_build_path ("/", self->workspace_dir, "runner.py", NULL), g_bytes_ref (runner));

  /* "-f /tmp/…/a.sql@8" becomes "-f /Workspace/…/script/a.sql@8". */
  for (int i = 0; i < argc; i++)
    {
      const char *arg = argv[i];
      g_autofree char *local = NULL;
      g_autofree char *contents = NULL;
      g_autofree char *offset = NULL;
      g_autofree char *basename = NULL;
      const char *at;
      gsize length = 0;

      if (g_str_equal (arg, "-f") || !g_str_has_prefix (arg, self->tmp_dir))
        {
          g_ptr_array_add (script_args, g_strdup (arg));
          continue;
        }
      at = strrchr (arg, '@');
      local = at != NULL ? g_strndup (arg, at - arg) : g_strdup (arg);
      if (!g_file_get_contents (local, &contents, &length, error))
        return FALSE;
      offset = offset_client_id (contents);
      length = strlen (offset);
      basename = g_path_get_basename (local);
      add_upload (self, g_build_path ("/", script_dir, basename, NULL),
                  g_bytes_new_take (g_steal_pointer (&offset), length));
      g_ptr_array_add (script_args, g_strdup_printf ("%s/%s%s", script_cluster_dir, basename, at != NULL ? at : ""));
    }
  g_ptr_array_add (script_args, NULL);

  sheet = price_sheet_new ();
  if (self->node_type != NULL)
    self->node_type_used = g_strdup (self->node_type);
  else
    {
      const char *cloud = lb_remote_plan_cloud_for_host (
        lb_databricks_auth_get_host (lb_databricks_client_get_auth (self->client)));
      const char *node_type = lb_price_sheet_get_jobs_default_node_type (sheet, cloud != NULL ? cloud : "aws");

      self->node_type_used = g_strdup (node_type);
    }

  self->plan = lb_remote_plan_new ();
  self->plan->run_id = g_strdup (self->run_id);
  self->plan->run_folder = g_strdup (cluster_dir);
  self->plan->samples_dir = g_strdup (self->samples_dir);
  self->plan->workers = self->workers;
  self->plan->node_type_id = g_strdup (self->node_type_used);
  self->plan->script_args = (char **) g_ptr_array_free (g_steal_pointer (&script_args), FALSE);
  self->plan->settings = lb_run_settings_copy (self->settings);
  self->plan->target = lb_remote_target_copy (self->target);
  if (self->plan->target->user == NULL)
    self->plan->target->user = g_strdup (self->user_name);
  if (!lb_remote_plan_validate (self->plan, error))
    return FALSE;

  config = lb_remote_plan_build_config (self->plan, error);
  if (config == NULL)
    return FALSE;
  add_upload (self, g_build_path ("/", self->workspace_dir, "config.json", NULL), json_to_bytes (config));

  return TRUE;
}

static void
got_user_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(LbRemoteRun) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) me = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (object), result, &error);
  const char *user_name = NULL;

  if (me != NULL && JSON_NODE_HOLDS_OBJECT (me))
    user_name = json_object_get_string_member_with_default (json_node_get_object (me), "userName", NULL);
  if (user_name == NULL)
    {
      if (error == NULL)
        error = g_error_new_literal (LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_MALFORMED,
                                     _("The workspace did not say who you are (SCIM Me has no userName)"));
      fail_run (self, g_steal_pointer (&error));
      return;
    }
  if (check_cancelled (self))
    return;

  self->user_name = g_strdup (user_name);
  if (!prepare_uploads (self, &error))
    {
      fail_run (self, g_steal_pointer (&error));
      return;
    }
  set_state (self, LB_REMOTE_RUN_STATE_UPLOADING);
  set_message (self, _("Uploading the runner and the script…"));
  upload_next (self);
}

static gboolean
cancel_idle_cb (gpointer user_data)
{
  lb_remote_run_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
run_cancelled_cb (GCancellable *cancellable,
                  LbRemoteRun  *self)
{
  /* Runs in the thread that cancelled: the rest happens on the main loop. */
  g_idle_add_full (G_PRIORITY_DEFAULT, cancel_idle_cb, g_object_ref (self), g_object_unref);
}

/* Object -------------------------------------------------------------------------- */

static void
lb_remote_run_dispose (GObject *object)
{
  LbRemoteRun *self = LB_REMOTE_RUN (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_object (&self->client);
  g_clear_object (&self->script);
  g_clear_object (&self->history);
  g_clear_object (&self->record);

  G_OBJECT_CLASS (lb_remote_run_parent_class)->dispose (object);
}

static void
lb_remote_run_finalize (GObject *object)
{
  LbRemoteRun *self = LB_REMOTE_RUN (object);

  remove_tmp_dir (self);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->script_path, g_free);
  g_clear_pointer (&self->node_type, g_free);
  g_clear_pointer (&self->node_type_used, g_free);
  g_clear_pointer (&self->volume, g_free);
  g_clear_pointer (&self->target, lb_remote_target_free);
  g_clear_pointer (&self->settings, lb_run_settings_free);
  g_clear_pointer (&self->started, g_date_time_unref);
  g_clear_pointer (&self->run_id, g_free);
  g_clear_pointer (&self->user_name, g_free);
  g_clear_pointer (&self->workspace_dir, g_free);
  g_clear_pointer (&self->samples_dir, g_free);
  g_clear_pointer (&self->plan, lb_remote_plan_free);
  g_clear_pointer (&self->uploads, g_ptr_array_unref);
  g_clear_pointer (&self->merge, lb_remote_merge_free);
  g_clear_pointer (&self->worker_list, g_ptr_array_unref);
  g_clear_pointer (&self->request_times, g_array_unref);
  g_clear_pointer (&self->job_message, g_free);
  g_clear_pointer (&self->message, g_free);
  g_clear_error (&self->job_error);
  g_clear_error (&self->history_error);

  G_OBJECT_CLASS (lb_remote_run_parent_class)->finalize (object);
}

static void
lb_remote_run_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LbRemoteRun *self = LB_REMOTE_RUN (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;
    case PROP_WORKERS:
      g_value_set_uint (value, self->workers);
      break;
    case PROP_NODE_TYPE:
      g_value_set_string (value, self->node_type);
      break;
    case PROP_VOLUME:
      g_value_set_string (value, self->volume);
      break;
    case PROP_KEEP_FILES:
      g_value_set_boolean (value, self->keep_files);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, lb_remote_run_get_running (self));
      break;
    case PROP_ELAPSED:
      g_value_set_double (value, self->elapsed);
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    case PROP_TRANSACTIONS:
      g_value_set_uint64 (value, self->transactions);
      break;
    case PROP_FAILED:
      g_value_set_uint64 (value, self->failed);
      break;
    case PROP_RECORD:
      g_value_set_object (value, self->record);
      break;
    case PROP_JOB_RUN_ID:
      g_value_set_int64 (value, self->job_run_id);
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_remote_run_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  LbRemoteRun *self = LB_REMOTE_RUN (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      lb_remote_run_set_client (self, g_value_get_object (value));
      break;
    case PROP_HISTORY:
      lb_remote_run_set_history (self, g_value_get_object (value));
      break;
    case PROP_WORKERS:
      lb_remote_run_set_workers (self, g_value_get_uint (value));
      break;
    case PROP_NODE_TYPE:
      lb_remote_run_set_node_type (self, g_value_get_string (value));
      break;
    case PROP_VOLUME:
      lb_remote_run_set_volume (self, g_value_get_string (value));
      break;
    case PROP_KEEP_FILES:
      lb_remote_run_set_keep_files (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_remote_run_class_init (LbRemoteRunClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags readable = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags writable = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  /* The runner it uploads is in the core's resources. */
  lb_core_init ();

  object_class->dispose = lb_remote_run_dispose;
  object_class->finalize = lb_remote_run_finalize;
  object_class->get_property = lb_remote_run_get_property;
  object_class->set_property = lb_remote_run_set_property;

  properties[PROP_CLIENT] = g_param_spec_object ("client", NULL, NULL, LB_TYPE_DATABRICKS_CLIENT, writable);
  properties[PROP_HISTORY] = g_param_spec_object ("history", NULL, NULL, LB_TYPE_RUN_HISTORY, writable);
  properties[PROP_WORKERS] = g_param_spec_uint ("workers", NULL, NULL, 1, G_MAXUINT, 1, writable);
  properties[PROP_NODE_TYPE] = g_param_spec_string ("node-type", NULL, NULL, NULL, writable);
  properties[PROP_VOLUME] = g_param_spec_string ("volume", NULL, NULL, NULL, writable);
  properties[PROP_KEEP_FILES] = g_param_spec_boolean ("keep-files", NULL, NULL, FALSE, writable);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, LB_TYPE_REMOTE_RUN_STATE,
                                              LB_REMOTE_RUN_STATE_IDLE, readable);
  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE, readable);
  properties[PROP_ELAPSED] = g_param_spec_double ("elapsed", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, readable);
  properties[PROP_PROGRESS] = g_param_spec_double ("progress", NULL, NULL, 0, 1, 0, readable);
  properties[PROP_TRANSACTIONS] = g_param_spec_uint64 ("transactions", NULL, NULL, 0, G_MAXUINT64, 0, readable);
  properties[PROP_FAILED] = g_param_spec_uint64 ("failed", NULL, NULL, 0, G_MAXUINT64, 0, readable);
  properties[PROP_RECORD] = g_param_spec_object ("record", NULL, NULL, LB_TYPE_RUN_RECORD, readable);
  properties[PROP_JOB_RUN_ID] = g_param_spec_int64 ("job-run-id", NULL, NULL, 0, G_MAXINT64, 0, readable);
  properties[PROP_MESSAGE] = g_param_spec_string ("message", NULL, NULL, NULL, readable);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SAMPLE] =
    g_signal_new ("sample", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[WORKER_SAMPLE] =
    g_signal_new ("worker-sample", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_POINTER);
  signals[WORKER_CHANGED] =
    g_signal_new ("worker-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LB_TYPE_RUN_RECORD);
}

static void
lb_remote_run_init (LbRemoteRun *self)
{
  self->workers = 1;
  self->cancellable = g_cancellable_new ();
}

/* Public API ---------------------------------------------------------------------- */

LbRemoteRun *
lb_remote_run_new (LbDatabricksClient *client)
{
  g_return_val_if_fail (client == NULL || LB_IS_DATABRICKS_CLIENT (client), NULL);

  return g_object_new (LB_TYPE_REMOTE_RUN, "client", client, NULL);
}

void
lb_remote_run_set_client (LbRemoteRun        *self,
                          LbDatabricksClient *client)
{
  g_return_if_fail (LB_IS_REMOTE_RUN (self));
  g_return_if_fail (client == NULL || LB_IS_DATABRICKS_CLIENT (client));

  if (g_set_object (&self->client, client))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);
}

LbDatabricksClient *
lb_remote_run_get_client (LbRemoteRun *self)
{
  g_return_val_if_fail (LB_IS_REMOTE_RUN (self), NULL);

  return self->client;
}

void
lb_remote_run_set_script (LbRemoteRun *self,
                          LbSqlScript *script,
                          const char  *script_path)
{
  g_return_if_fail (LB_IS_REMOTE_RUN (self));
  g_return_if_fail (script == NULL || LB_IS_SQL_SCRIPT (script));

  g_set_object (&self->script, script);
  g_free (self->script_path);
  self->script_path = g_strdup (script_path);
}

void
lb_remote_run_set_history (LbRemoteRun  *self,
                           LbRunHistory *history)
{
  g_return_if_fail (LB_IS_REMOTE_RUN (self));
  g_return_if_fail (history == NULL || LB_IS_RUN_HISTORY (history));

  if (g_set_object (&self->history, history))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
}

LbRunHistory *
lb_remote_run_get_history (LbRemoteRun *self)
{
  g_return_val_if_fail (LB_IS_REMOTE_RUN (self), NULL);

  return self->history;
}

void
lb_remote_run_set_workers (LbRemoteRun *self,
                           guint        workers)
{
  g_return_if_fail (LB_IS_REMOTE_RUN (self));

  workers = MAX (workers, 1);
  if (self->workers == workers)
    return;
  self->workers = workers;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WORKERS]);
}

guint
lb_remote_run_get_workers (LbRemoteRun *self)
{
  g_return_val_if_fail (LB_IS_REMOTE_RUN (self), 0);

  return self->workers;
}

void
lb_remote_run_set_node_type (LbRemoteRun *self,
                             const char  *node_type)
{
  g_return_if_fail (LB_IS_REMOTE_RUN (self));

  if (node_type != NULL && node_type[0] == '\0')
    node_type = NULL;
  if (g_strcmp0 (self->node_type, node_type) == 0)
    return;
  g_free (self->node_type);
  self->node_type = g_strdup (node_type);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NODE_TYPE]);
}

const char *
lb_remote_run_get_node_type (LbRemoteRun *self)
{
  g_return_val_if_fail (LB_IS_REMOTE_RUN (self), NULL);

  return self->node_type;
}

void
lb_remote_run_set_volume (LbRemoteRun *self,
                          const char  *volume)
{
  g_return_if_fail (LB_IS_REMOTE_RUN (self));

  if (g_strcmp0 (self->volume, volume) == 0)
    return;
  g_free (self->volume);
  self->volume = g_strdup (volume);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VOLUME]);
}

const char *
lb_remote_run_get_volume (LbRemoteRun *self)
{
  g_return_val_if_fail (LB_IS_REMOTE_RUN (self), NULL);

  return self->volume;
}

void
lb_remote_run_set_target (LbRemoteRun          *self,
                          const LbRemoteTarget *target)
{
  g_return_if_fail (LB_IS_REMOTE_RUN (self));

  g_clear_pointer (&self->target, lb_remote_target_free);
  if (target != NULL)
    self->target = lb_remote_target_copy (target);
}

const LbRemoteTarget *
lb_remote_run_get_target (LbRemoteRun *self)
{
  g_return_val_if_fail (LB_IS_REMOTE_RUN (self), NULL);

  return self->target;
}

void
lb_remote_run_set_keep_files (LbRemoteRun *self,
                              gboolean     keep_files)
{
  g_return_if_fail (LB_IS_REMOTE_RUN (self));

  keep_files = !!keep_files;
  if (self->keep_files == keep_files)
    return;
  self->keep_files = keep_files;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEEP_FILES]);
}

gboolean
lb_remote_run_get_keep_files (LbRemoteRun *self)
{
  g_return_val_if_fail (LB_IS_REMOTE_RUN (self), FALSE);

  return self->keep_files;
}

static gboolean
check_can_start (LbRemoteRun          *self,
                 const LbRunSettings  *settings,
                 GError              **error)
{
  if (self->client == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("A run on Databricks compute needs a workspace: sign in to a profile first"));
      return FALSE;
    }
  if (self->script == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("There is no script to run"));
      return FALSE;
    }
  if (self->target == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("A run on Databricks compute needs a target: a Lakebase instance, "
                             "an endpoint or a host"));
      return FALSE;
    }
  if (self->volume == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("A run on Databricks compute needs a Unity Catalog volume for the "
                             "workers’ samples (/Volumes/catalog/schema/volume)"));
      return FALSE;
    }
  if (!lb_remote_plan_check_volume (self->volume, error))
    return FALSE;
  {
    /* The workers connect; the settings are checked as they will run. */
    g_autoptr(LbRunSettings) copy = lb_run_settings_copy (settings);

    g_free (copy->conninfo);
    copy->conninfo = g_strdup ("dbname=remote");
    if (!lb_run_settings_validate (copy, error))
      return FALSE;
  }
  if (settings->mode == LB_RUN_MODE_LADDER)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("A concurrency ladder runs on this computer only: pgbench on the "
                             "workers runs one client count"));
      return FALSE;
    }
  if (settings->clients < self->workers)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%u clients cannot be split over %u workers: each worker needs at least one client"),
                   settings->clients, self->workers);
      return FALSE;
    }
  return TRUE;
}

void
lb_remote_run_start_async (LbRemoteRun         *self,
                           const LbRunSettings *settings,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (LB_IS_REMOTE_RUN (self));
  g_return_if_fail (settings != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_remote_run_start_async);

  if (self->task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, _("A run is already in progress"));
      return;
    }
  if (!check_can_start (self, settings, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self->task = g_steal_pointer (&task);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  g_clear_pointer (&self->settings, lb_run_settings_free);
  self->settings = lb_run_settings_copy (settings);
  /* Nothing secret goes with a remote run: the workers mint their own. */
  g_free (self->settings->conninfo);
  self->settings->conninfo = g_strdup_printf ("host=%s port=%u dbname=%s", self->target->host != NULL
                                              ? self->target->host : "",
                                              self->target->port != 0 ? self->target->port : 5432,
                                              self->target->dbname != NULL ? self->target->dbname
                                                                           : "databricks_postgres");
  g_free (self->settings->target_label);
  self->settings->target_label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Databricks compute · %u worker",
                                                               "Databricks compute · %u workers", self->workers),
                                                  self->workers);
  g_clear_pointer (&self->started, g_date_time_unref);
  self->started = g_date_time_new_now_local ();

  g_clear_pointer (&self->run_id, g_free);
  self->run_id = lb_remote_plan_new_run_id ();
  g_clear_pointer (&self->user_name, g_free);
  g_clear_pointer (&self->workspace_dir, g_free);
  g_clear_pointer (&self->samples_dir, g_free);
  self->samples_dir = lb_remote_plan_dup_samples_dir (self->volume, self->run_id);
  g_clear_pointer (&self->plan, lb_remote_plan_free);
  g_clear_pointer (&self->node_type_used, g_free);
  g_clear_pointer (&self->merge, lb_remote_merge_free);
  self->merge = lb_remote_merge_new (self->workers);
  /* Each live file is read once in N + a runs/get slot or so: a second
   * waits that long for every worker before it goes out without one. */
  lb_remote_merge_set_lateness (self->merge, self->workers * 1.3 * REQUEST_PERIOD_US / (double) G_USEC_PER_SEC
                                             + LB_REMOTE_MERGE_DEFAULT_LATENESS);
  g_clear_pointer (&self->worker_list, g_ptr_array_unref);
  self->worker_list = g_ptr_array_new_with_free_func ((GDestroyNotify) worker_free);
  for (guint i = 0; i < self->workers; i++)
    {
      Worker *worker = g_new0 (Worker, 1);

      worker->info.worker = i;
      worker->info.state = g_strdup ("pending");
      worker->task_key = g_strdup_printf ("worker-%u", i);
      g_ptr_array_add (self->worker_list, worker);
    }
  g_clear_pointer (&self->request_times, g_array_unref);
  self->request_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->request_count = 0;
  self->max_per_second = 0;
  self->emitted = 0;
  self->job_run_id = 0;
  self->in_flight = FALSE;
  self->n_gets = 0;
  self->next_worker = 0;
  self->cancel_requested = FALSE;
  self->cancel_sent = FALSE;
  self->job_over = FALSE;
  self->cleanup_step = 0;
  g_clear_error (&self->job_error);
  self->phase = PHASE_PREPARE;

  if (cancellable != NULL)
    {
      self->caller_cancellable = g_object_ref (cancellable);
      self->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (run_cancelled_cb), self, NULL);
    }

  g_object_freeze_notify (G_OBJECT (self));
  self->transactions = 0;
  self->failed = 0;
  self->elapsed = 0;
  self->progress = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRANSACTIONS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAILED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ELAPSED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JOB_RUN_ID]);
  if (self->record != NULL)
    {
      g_clear_object (&self->record);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORD]);
    }
  set_state (self, LB_REMOTE_RUN_STATE_UPLOADING);
  set_message (self, _("Preparing the run…"));
  g_object_thaw_notify (G_OBJECT (self));

  label = lb_remote_target_dup_label (self->target);
  g_debug ("remote run %s: %u workers on %s", self->run_id, self->workers, label);
  lb_databricks_client_call_async (self->client, "GET", SCIM_ME_PATH, NULL, NULL, LB_CALL_DEFAULT,
                                   self->cancellable, got_user_cb, g_object_ref (self));
}

LbRunRecord *
lb_remote_run_start_finish (LbRemoteRun   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (LB_IS_REMOTE_RUN (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
lb_remote_run_cancel (LbRemoteRun *self)
{
  g_return_if_fail (LB_IS_REMOTE_RUN (self));

  if (self->task == NULL || self->cancel_requested)
    return;
  self->cancel_requested = TRUE;
  if (self->phase == PHASE_PREPARE)
    {
      /* The call in flight ends early; its callback abandons the run. The
       * submit itself is never cut short (see submit()). */
      if (self->state != LB_REMOTE_RUN_STATE_SUBMITTING)
        g_cancellable_cancel (self->cancellable);
      return;
    }
  if (self->phase == PHASE_LIVE && !self->in_flight)
    schedule_tick (self);
}

LbRemoteRunState
lb_remote_run_get_state (LbRemoteRun *self)
{
  g_return_val_if_fail (LB_IS_REMOTE_RUN (self), LB_REMOTE_RUN_STATE_IDLE);

  return self->state;
}

gboolean
lb_remote_run_get_running (LbRemoteRun *self)
{
  g_return_val_if_fail (LB_IS_REMOTE_RUN (self), FALSE);

  return self->state != LB_REMOTE_RUN_STATE_IDLE && self->state != LB_REMOTE_RUN_STATE_DONE;
}

double
lb_remote_run_get_elapsed (LbRemoteRun *self)
{
  g_return_val_if_fail (LB_IS_REMOTE_RUN (self), 0);

  return self->elapsed;
}

double
lb_remote_run_get_progress (LbRemoteRun *self)
{
  g_return_val_if_fail (LB_IS_REMOTE_RUN (self), 0);

  return self->progress;
}

guint64
lb_remote_run_get_transactions (LbRemoteRun *self)
{
  g_return_val_if_fail (LB_IS_REMOTE_RUN (self), 0);

  return self->transactions;
}

guint64
lb_remote_run_get_failed (LbRemoteRun *self)
{
  g_return_val_if_fail (LB_IS_REMOTE_RUN (self), 0);

  return self->failed;
}

gint64
lb_remote_run_get_job_run_id (LbRemoteRun *self)
{
  g_return_val_if_fail (LB_IS_REMOTE_RUN (self), 0);

  return self->job_run_id;
}

const char *
lb_remote_run_get_message (LbRemoteRun *self)
{
  g_return_val_if_fail (LB_IS_REMOTE_RUN (self), NULL);

  return self->message;
}

const char *
lb_remote_run_get_run_id (LbRemoteRun *self)
{
  g_return_val_if_fail (LB_IS_REMOTE_RUN (self), NULL);

  return self->run_id;
}

const char *
lb_remote_run_get_workspace_folder (LbRemoteRun *self)
{
  g_return_val_if_fail (LB_IS_REMOTE_RUN (self), NULL);

  return self->workspace_dir;
}

const char *
lb_remote_run_get_samples_folder (LbRemoteRun *self)
{
  g_return_val_if_fail (LB_IS_REMOTE_RUN (self), NULL);

  return self->samples_dir;
}

GPtrArray *
lb_remote_run_dup_workers (LbRemoteRun *self)
{
  GPtrArray *infos;

  g_return_val_if_fail (LB_IS_REMOTE_RUN (self), NULL);

  if (self->worker_list == NULL)
    return NULL;
  infos = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_remote_worker_info_free);
  for (guint i = 0; i < self->worker_list->len; i++)
    {
      const LbRemoteWorkerInfo *info = &get_worker (self, i)->info;
      LbRemoteWorkerInfo *copy = g_memdup2 (info, sizeof *info);

      copy->state = g_strdup (info->state);
      copy->task_state = g_strdup (info->task_state);
      copy->message = g_strdup (info->message);
      copy->error = g_strdup (info->error);
      copy->log_tail = g_strdup (info->log_tail);
      g_ptr_array_add (infos, copy);
    }
  return infos;
}

LbRunRecord *
lb_remote_run_get_record (LbRemoteRun *self)
{
  g_return_val_if_fail (LB_IS_REMOTE_RUN (self), NULL);

  return self->record;
}

const GError *
lb_remote_run_get_history_error (LbRemoteRun *self)
{
  g_return_val_if_fail (LB_IS_REMOTE_RUN (self), NULL);

  return self->history_error;
}

guint
lb_remote_run_get_request_count (LbRemoteRun *self)
{
  g_return_val_if_fail (LB_IS_REMOTE_RUN (self), 0);

  return self->request_count;
}

guint
lb_remote_run_get_max_requests_per_second (LbRemoteRun *self)
{
  g_return_val_if_fail (LB_IS_REMOTE_RUN (self), 0);

  return self->max_per_second;
}
