/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Runs a deployment plan: chains of async REST calls on the caller's main
 * context, one step at a time, except that consecutive synced tables run
 * side by side (a few at once, each its own step). Every resource step
 * starts with a GET, so a second run adopts what the first one created
 * ("resume"), and a create is only ever sent after a GET showed the
 * resource absent (safe to retry).
 * Waiting uses exponential backoff with jitter, capped; sleeps end early on
 * cancellation. The final libpq connection runs in a GTask thread. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <libpq-fe.h>
#include <string.h>

#include "lb-deployment-runner.h"

#define MAX_TRANSIENT_ERRORS 6

/* The partition-size query of reference/databricks-api.md §8. */
#define PARTITION_SIZES_SQL \
  "select pg_total_relation_size(pi.inhrelid::regclass) as size, pc.relname " \
  "from pg_inherits pi join pg_class pc on pi.inhparent = pc.oid"

struct _LbDeploymentRunner
{
  GObject             parent_instance;

  LbDeploymentPlan   *plan;
  LbDatabricksClient *client;
  GListStore         *steps;
  GListStore         *teardown_steps;

  double              fraction;
  gboolean            running;
  char               *user_name;
  char               *workspace_host;
  char               *pg_host;
  JsonNode           *partitions;

  guint               poll_base_ms;
  guint               poll_max_ms;
  guint               wait_timeout_s;
  guint               pg_port;
  guint               connect_timeout_s;
  guint               poll_count;

  gint64              started_us;    /* the last deploy's start and end, 0: none */
  gint64              finished_us;
};

G_DEFINE_FINAL_TYPE (LbDeploymentRunner, lb_deployment_runner, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PLAN,
  PROP_CLIENT,
  PROP_STEPS,
  PROP_FRACTION,
  PROP_RUNNING,
  PROP_USER_NAME,
  PROP_WORKSPACE_HOST,
  PROP_PG_HOST,
  PROP_POLL_BASE_MS,
  PROP_POLL_MAX_MS,
  PROP_WAIT_TIMEOUT_S,
  PROP_PG_PORT,
  PROP_CONNECT_TIMEOUT_S,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef enum
{
  READY,
  WAITING,
  BROKEN,
} Readiness;

/* Synced tables are independent of each other: this many are created (or
 * deleted) at once, each in its own step. */
#define MAX_TABLES_IN_FLIGHT 4

/* The state of one run (deploy, teardown), the task data. Steps run one
 * after another, except consecutive synced-table steps, which run side by
 * side (at most MAX_TABLES_IN_FLIGHT). */
typedef struct
{
  GListModel *steps;
  gboolean    teardown;
  guint       next;             /* the next step to start */
  guint       in_flight;        /* steps running now */
  gboolean    group_parallel;   /* the steps running now are synced tables */
  gboolean    project_created;  /* this run created the autoscaling project */
  GError     *error;            /* the first failure; later steps are skipped */
} Run;

/* One step being run; every async call holds a reference. */
typedef struct
{
  GTask                *task;       /* the run's task (owned) */
  LbDeploymentStep     *step;       /* owned */
  LbDeploymentResource *resource;   /* borrowed from the step */
  guint                 attempt;    /* polls so far in this step: drives the backoff */
  guint                 errors;     /* transient errors in this step */
  gboolean              probed;     /* the first GET of the step has answered */
  gboolean              created;    /* this run created the resource */
  gboolean              ended;
  gint64                deadline;   /* monotonic µs, 0: none */
  char                 *operation;  /* autoscaling operation being followed */
  GSource              *sleep;
  GSource              *sleep_cancel;
} Job;

static void job_unref (Job *job);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_unref)

static void run_schedule (GTask *task);
static void resource_probe (Job *job);
static void operation_poll (Job *job);
static void connect_start (Job *job);
static void teardown_delete (Job *job);
static void clear_sleep (Job *job);

static void
run_free (gpointer data)
{
  Run *run = data;

  g_clear_object (&run->steps);
  g_clear_error (&run->error);
  g_free (run);
}

static Job *
job_new (GTask            *task,
         LbDeploymentStep *step)
{
  Job *job = g_rc_box_new0 (Job);

  job->task = g_object_ref (task);
  job->step = g_object_ref (step);
  job->resource = lb_deployment_step_get_resource (step);
  return job;
}

static void
job_clear (gpointer data)
{
  Job *job = data;

  clear_sleep (job);
  g_clear_object (&job->step);
  g_clear_object (&job->task);
  g_free (job->operation);
}

static Job *
job_ref (Job *job)
{
  return g_rc_box_acquire (job);
}

static void
job_unref (Job *job)
{
  g_rc_box_release_full (job, job_clear);
}

static LbDeploymentRunner *
job_runner (Job *job)
{
  return g_task_get_source_object (job->task);
}

static Run *
job_run (Job *job)
{
  return g_task_get_task_data (job->task);
}

static GCancellable *
job_cancellable (Job *job)
{
  return g_task_get_cancellable (job->task);
}

/* ---- Small helpers ---- */

static const char *
json_string_at (JsonNode   *node,
                const char *first,
                ...)
{
  const char *name = first;
  va_list args;

  va_start (args, first);
  while (name != NULL)
    {
      JsonObject *obj;

      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        {
          node = NULL;
          break;
        }
      obj = json_node_get_object (node);
      node = json_object_has_member (obj, name) ? json_object_get_member (obj, name) : NULL;
      name = va_arg (args, const char *);
    }
  va_end (args);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static double
json_double_at (JsonNode   *node,
                const char *path)
{
  g_autoptr(JsonNode) found = json_path_query (path, node, NULL);
  JsonArray *array;
  JsonNode *value;

  if (found == NULL)
    return -1;
  array = json_node_get_array (found);
  if (json_array_get_length (array) == 0)
    return -1;
  value = json_array_get_element (array, 0);
  if (!JSON_NODE_HOLDS_VALUE (value))
    return -1;
  return json_node_get_double (value);
}

static gboolean
json_bool_member (JsonNode   *node,
                  const char *name)
{
  JsonObject *obj;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  obj = json_node_get_object (node);
  return json_object_get_boolean_member_with_default (obj, name, FALSE);
}

static gboolean
is_transient (const GError *error)
{
  if (error->domain != LB_DATABRICKS_ERROR)
    return FALSE;

  switch (error->code)
    {
    case LB_DATABRICKS_ERROR_INTERNAL:
    case LB_DATABRICKS_ERROR_UNAVAILABLE:
    case LB_DATABRICKS_ERROR_TOO_MANY_REQUESTS:
    case LB_DATABRICKS_ERROR_MALFORMED:
    case LB_DATABRICKS_ERROR_NETWORK:
    case LB_DATABRICKS_ERROR_TIMEOUT:
      return TRUE;
    default:
      return FALSE;
    }
}

/* Exponential backoff with jitter, capped: base·2^attempt, then a random
 * point in its upper half so parallel clients spread out. */
static guint
backoff_ms (LbDeploymentRunner *self,
            guint               attempt)
{
  double delay = self->poll_base_ms;

  for (guint i = 0; i < attempt && delay < self->poll_max_ms; i++)
    delay *= 2;
  delay = MIN (delay, (double) self->poll_max_ms);
  return (guint) g_random_double_range (delay / 2, delay + 1);
}

static void
update_fraction (LbDeploymentRunner *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->steps));
  double sum = 0;
  double fraction;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbDeploymentStep) step = g_list_model_get_item (G_LIST_MODEL (self->steps), i);

      sum += lb_deployment_step_get_fraction (step);
    }
  fraction = n > 0 ? sum / n : 0;
  if (fraction != self->fraction)
    {
      self->fraction = fraction;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
    }
}

static void
step_fraction_changed_cb (LbDeploymentRunner *self)
{
  update_fraction (self);
}

static void
set_string_prop (LbDeploymentRunner  *self,
                 char               **field,
                 const char          *value,
                 guint                prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_running (LbDeploymentRunner *self,
             gboolean            running)
{
  if (self->running == running)
    return;
  self->running = running;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

/* ---- Sleeping (cancellable) ---- */

typedef void (*Continuation) (Job *job);

typedef struct
{
  Job          *job;
  Continuation  next;
} Sleeper;

static void
sleeper_free (gpointer data)
{
  Sleeper *sleeper = data;

  job_unref (sleeper->job);
  g_free (sleeper);
}

static void
clear_sleep (Job *job)
{
  if (job->sleep != NULL)
    {
      g_source_destroy (job->sleep);
      g_clear_pointer (&job->sleep, g_source_unref);
    }
  if (job->sleep_cancel != NULL)
    {
      g_source_destroy (job->sleep_cancel);
      g_clear_pointer (&job->sleep_cancel, g_source_unref);
    }
}

static void fail_step (Job *job, GError *error);

static gboolean
sleep_done_cb (gpointer data)
{
  Sleeper *sleeper = data;
  g_autoptr(Job) job = job_ref (sleeper->job);
  Continuation next = sleeper->next;

  clear_sleep (job);   /* frees @sleeper */
  next (job);

  return G_SOURCE_REMOVE;
}

static gboolean
sleep_cancelled_cb (GCancellable *cancellable,
                    gpointer      data)
{
  Sleeper *sleeper = data;
  g_autoptr(Job) job = job_ref (sleeper->job);
  GError *error = NULL;

  clear_sleep (job);
  g_cancellable_set_error_if_cancelled (cancellable, &error);
  fail_step (job, error);

  return G_SOURCE_REMOVE;
}

static void
sleep_then (Job          *job,
            guint         delay_ms,
            Continuation  next)
{
  GCancellable *cancellable = job_cancellable (job);
  Sleeper *sleeper = g_new0 (Sleeper, 1);

  g_assert (job->sleep == NULL);

  sleeper->job = job_ref (job);
  sleeper->next = next;

  job->sleep = g_timeout_source_new (delay_ms);
  g_source_set_callback (job->sleep, sleep_done_cb, sleeper, sleeper_free);
  g_source_attach (job->sleep, g_task_get_context (job->task));

  if (cancellable != NULL)
    {
      job->sleep_cancel = g_cancellable_source_new (cancellable);
      g_source_set_callback (job->sleep_cancel, G_SOURCE_FUNC (sleep_cancelled_cb), sleeper, NULL);
      g_source_attach (job->sleep_cancel, g_task_get_context (job->task));
    }
}

/* The next poll of the step, after the backoff delay. */
static void
poll_later (Job          *job,
            Continuation  next)
{
  LbDeploymentRunner *self = job_runner (job);

  if (job->deadline != 0 && g_get_monotonic_time () > job->deadline)
    {
      fail_step (job, g_error_new (LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_TIMEOUT,
                                   _("%s was not ready after %u minutes; it may still be starting. "
                                     "Run the deployment again later to resume."),
                                   lb_deployment_step_get_title (job->step),
                                   (self->wait_timeout_s + 59) / 60));
      return;
    }

  sleep_then (job, backoff_ms (self, job->attempt++), next);
}

/* ---- Step life cycle ---- */

/* The step is over (@error NULL: it succeeded; else taken): let the
 * scheduler start what comes next. */
static void
job_end (Job    *job,
         GError *error)
{
  Run *run = job_run (job);

  g_assert (!job->ended);
  job->ended = TRUE;
  clear_sleep (job);
  run->in_flight--;

  if (error != NULL && run->error == NULL)
    run->error = error;
  else if (error != NULL)
    g_error_free (error);

  run_schedule (job->task);
}

/* Fails the step with @error (taken). The step shows what the error means
 * and what to do; the raw text of the server goes to its log. */
static void
fail_step (Job    *job,
           GError *error)
{
  LbDeploymentRunner *self = job_runner (job);
  g_autofree char *explained = lb_databricks_error_explain (error, lb_deployment_plan_get_profile (self->plan));
  gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  clear_sleep (job);

  _lb_deployment_step_log (job->step, "%s", error->message);
  if (g_strcmp0 (explained, error->message) != 0)
    {
      GError *better = g_error_new_literal (error->domain, error->code, explained);

      g_error_free (error);
      error = better;
    }

  _lb_deployment_step_set_error_message (job->step, error->message);
  _lb_deployment_step_set_status (job->step, cancelled ? _("Cancelled") : _("Failed"));
  _lb_deployment_step_set_state (job->step, LB_DEPLOYMENT_STEP_FAILED);

  job_end (job, error);
}

static void
finish_step (Job                   *job,
             LbDeploymentStepState  state,
             const char            *status)
{
  _lb_deployment_step_set_fraction (job->step, 1);
  _lb_deployment_step_set_status (job->step, status);
  _lb_deployment_step_log (job->step, "%s", status);
  _lb_deployment_step_set_state (job->step, state);
  job_end (job, NULL);
}

/* The step could not do its work for a reason of its own, which does not
 * undo what the earlier steps did: skipped, saying why. */
static void
skip_step (Job        *job,
           const char *reason,
           const char *status)
{
  _lb_deployment_step_set_warning (job->step, reason);
  _lb_deployment_step_log (job->step, "%s", reason);
  finish_step (job, LB_DEPLOYMENT_STEP_SKIPPED, status);
}

static void identity_start (Job *job);

static gboolean
runs_in_parallel (LbDeploymentStep *step)
{
  LbDeploymentResource *resource = lb_deployment_step_get_resource (step);

  return resource != NULL && lb_deployment_resource_get_kind (resource) == LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE;
}

static void
job_start (GTask            *task,
           LbDeploymentStep *step)
{
  LbDeploymentRunner *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(Job) job = job_new (task, step);

  run->in_flight++;
  _lb_deployment_step_set_state (step, LB_DEPLOYMENT_STEP_RUNNING);
  _lb_deployment_step_set_fraction (step, 0);

  if (run->teardown)
    teardown_delete (job);
  else if (lb_deployment_step_get_kind (step) == LB_DEPLOYMENT_STEP_KIND_IDENTITY)
    identity_start (job);
  else if (lb_deployment_step_get_kind (step) == LB_DEPLOYMENT_STEP_KIND_CONNECT)
    connect_start (job);
  else
    {
      LbDeploymentResourceKind kind = lb_deployment_resource_get_kind (job->resource);

      /* Synced tables may sync for hours: no deadline but cancellation. */
      if (kind != LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE)
        job->deadline = g_get_monotonic_time () + (gint64) self->wait_timeout_s * G_USEC_PER_SEC;
      resource_probe (job);
    }
}

/* Starts what may start now; when nothing runs any more, ends the run. A
 * failed synced table does not stop the other tables (they are
 * independent, and their own progress stays visible), but no step after
 * them starts; cancelling starts nothing new. */
static void
run_schedule (GTask *task)
{
  LbDeploymentRunner *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  guint n = g_list_model_get_n_items (run->steps);

  while (run->next < n)
    {
      g_autoptr(LbDeploymentStep) step = g_list_model_get_item (run->steps, run->next);
      gboolean parallel = runs_in_parallel (step);
      gboolean same_group = parallel && run->group_parallel;

      if (g_cancellable_is_cancelled (cancellable))
        {
          if (run->error == NULL)
            g_cancellable_set_error_if_cancelled (cancellable, &run->error);
          break;
        }
      if (run->error != NULL && !same_group)
        break;
      if (run->in_flight > 0 && (!same_group || run->in_flight >= MAX_TABLES_IN_FLIGHT))
        return;   /* a running step's end calls again */

      run->group_parallel = parallel;
      run->next++;
      job_start (task, step);
      if (!parallel)
        return;
    }

  if (run->in_flight > 0)
    return;

  if (run->error != NULL)
    {
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(LbDeploymentStep) step = g_list_model_get_item (run->steps, i);

          if (lb_deployment_step_get_state (step) == LB_DEPLOYMENT_STEP_PENDING)
            _lb_deployment_step_set_state (step, LB_DEPLOYMENT_STEP_SKIPPED);
        }
    }

  if (!run->teardown)
    self->finished_us = g_get_monotonic_time ();
  set_running (self, FALSE);
  if (run->error != NULL)
    g_task_return_error (task, g_steal_pointer (&run->error));
  else
    g_task_return_boolean (task, TRUE);
}

/* A transient error: try again (the same @next) after a backoff, a few
 * times; anything else fails the step. */
static void
retry_or_fail (Job          *job,
               GError       *error,
               Continuation  next)
{
  if (is_transient (error) && ++job->errors < MAX_TRANSIENT_ERRORS)
    {
      _lb_deployment_step_log (job->step, _("Temporary problem, trying again: %s"), error->message);
      g_error_free (error);
      poll_later (job, next);
      return;
    }
  fail_step (job, error);
}

/* ---- Identity ---- */

static void
identity_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  LbDeploymentRunner *self = job_runner (job);
  g_autoptr(JsonNode) me = NULL;
  g_autofree char *status = NULL;
  GError *error = NULL;
  const char *user_name;

  me = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (source), result, &error);
  if (me == NULL)
    {
      retry_or_fail (job, error, identity_start);
      return;
    }

  user_name = json_string_at (me, "userName", NULL);
  if (user_name == NULL)
    {
      fail_step (job, g_error_new_literal (LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_MALFORMED,
                                           _("The workspace did not say who you are (no userName in SCIM Me).")));
      return;
    }

  set_string_prop (self, &self->user_name, user_name, PROP_USER_NAME);
  set_string_prop (self, &self->workspace_host,
                   lb_databricks_auth_get_host (lb_databricks_client_get_auth (self->client)),
                   PROP_WORKSPACE_HOST);

  status = g_strdup_printf (_("Signed in as %s on %s"), self->user_name, self->workspace_host);
  finish_step (job, LB_DEPLOYMENT_STEP_DONE, status);
}

static void
identity_start (Job *job)
{
  LbDeploymentRunner *self = job_runner (job);

  _lb_deployment_step_set_status (job->step, _("Checking who you are…"));
  lb_databricks_client_call_async (self->client, "GET", "/api/2.0/preview/scim/v2/Me", NULL, NULL,
                                   LB_CALL_IDEMPOTENT, job_cancellable (job),
                                   identity_cb, job_ref (job));
}

/* ---- Resources: readiness ---- */

static Readiness
evaluate (LbDeploymentRunner    *self,
          LbDeploymentResource  *resource,
          JsonNode              *json,
          double                *fraction,
          char                 **status,
          char                 **problem)
{
  LbDeploymentResourceKind kind = lb_deployment_resource_get_kind (resource);
  gboolean provisioned = lb_deployment_resource_get_flavour (resource) == LB_FLAVOUR_PROVISIONED;
  const char *state;

  switch (kind)
    {
    case LB_DEPLOYMENT_RESOURCE_INSTANCE:
      state = json_string_at (json, "state", NULL);
      *status = g_strdup_printf (_("Instance state: %s"), state ? state : "?");
      if (g_strcmp0 (state, "AVAILABLE") == 0)
        {
          const char *dns = json_string_at (json, "read_write_dns", NULL);

          if (dns != NULL)
            set_string_prop (self, &self->pg_host, dns, PROP_PG_HOST);
          return READY;
        }
      if (g_strcmp0 (state, "STOPPED") == 0)
        {
          *problem = g_strdup (_("The instance is stopped. Start it in the workspace, then run the deployment again."));
          return BROKEN;
        }
      return WAITING;

    case LB_DEPLOYMENT_RESOURCE_PROJECT:
    case LB_DEPLOYMENT_RESOURCE_CATALOG:
      *status = g_strdup (_("Exists"));
      return READY;

    case LB_DEPLOYMENT_RESOURCE_BRANCH:
      state = json_string_at (json, "status", "current_state", NULL);
      *status = g_strdup_printf (_("Branch state: %s"), state ? state : "?");
      return g_strcmp0 (state, "READY") == 0 ? READY : WAITING;

    case LB_DEPLOYMENT_RESOURCE_ENDPOINT:
      state = json_string_at (json, "status", "current_state", NULL);
      *status = g_strdup_printf (_("Endpoint state: %s"), state ? state : "?");
      if (g_strcmp0 (state, "ACTIVE") == 0 || g_strcmp0 (state, "IDLE") == 0)
        {
          const char *host = json_string_at (json, "status", "hosts", "host", NULL);

          if (host != NULL)
            set_string_prop (self, &self->pg_host, host, PROP_PG_HOST);
          return READY;
        }
      return WAITING;

    case LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE:
      {
        const char *block = provisioned ? "data_synchronization_status" : "status";
        const char *message = json_string_at (json, block, "message", NULL);
        double completion;

        state = json_string_at (json, block, "detailed_state", NULL);
        *status = g_strdup_printf (_("Sync state: %s"), state ? state : "?");
        if (state == NULL)
          return WAITING;
        if (g_str_equal (state, "SYNCED_TABLE_OFFLINE_FAILED") ||
            g_str_equal (state, "SYNCED_TABLE_ONLINE_PIPELINE_FAILED") ||
            g_str_equal (state, "SYNCED_TABLED_OFFLINE") ||
            g_str_equal (state, "SYNCED_TABLE_OFFLINE"))
          {
            *problem = g_strdup_printf (_("The synced table is %s: %s"), state,
                                        message ? message : _("no reason given"));
            return BROKEN;
          }
        if (g_str_has_prefix (state, "SYNCED_TABLE_ONLINE"))
          return READY;

        completion = provisioned
          ? json_double_at (json, "$.data_synchronization_status.provisioning_status."
                                  "initial_pipeline_sync_progress.sync_progress_completion")
          : json_double_at (json, "$.status.ongoing_sync_progress.sync_progress_completion");
        if (g_str_equal (state, "SYNCED_TABLE_PROVISIONING_INITIAL_SNAPSHOT"))
          *fraction = 0.2 + 0.75 * CLAMP (completion, 0.0, 1.0);
        else
          *fraction = MAX (*fraction, 0.1);
        return WAITING;
      }

    default:
      g_return_val_if_reached (BROKEN);
    }
}

static void
resource_evaluate (Job      *job,
                   JsonNode *json)
{
  LbDeploymentRunner *self = job_runner (job);
  Run *run = job_run (job);
  g_autofree char *status = NULL;
  g_autofree char *problem = NULL;
  double fraction = lb_deployment_step_get_fraction (job->step);
  LbDeploymentResourceKind kind = lb_deployment_resource_get_kind (job->resource);
  Readiness readiness;

  readiness = evaluate (self, job->resource, json, &fraction, &status, &problem);

  if (readiness == READY)
    {
      if (job->created && kind == LB_DEPLOYMENT_RESOURCE_PROJECT)
        run->project_created = TRUE;

      if (job->created)
        finish_step (job, LB_DEPLOYMENT_STEP_DONE, _("Created and ready"));
      else if (run->project_created &&
               (kind == LB_DEPLOYMENT_RESOURCE_BRANCH || kind == LB_DEPLOYMENT_RESOURCE_ENDPOINT))
        {
          /* Not ours to create, and not found either: the project made it. */
          _lb_deployment_step_set_created_with_project (job->step, TRUE);
          finish_step (job, LB_DEPLOYMENT_STEP_ADOPTED, _("Created with the project and ready"));
        }
      else
        finish_step (job, LB_DEPLOYMENT_STEP_ADOPTED, _("Already there and ready"));
      return;
    }
  if (readiness == BROKEN)
    {
      fail_step (job, g_error_new_literal (LB_DEPLOYMENT_ERROR,
                                           kind == LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE
                                           ? LB_DEPLOYMENT_ERROR_SYNC_FAILED : LB_DEPLOYMENT_ERROR_TIMEOUT,
                                           problem));
      return;
    }

  /* Creeping progress for resources that report none. */
  if (kind != LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE)
    fraction = MAX (fraction, 0.3 + 0.6 * (1.0 - 1.0 / (1.0 + job->attempt)));
  _lb_deployment_step_set_fraction (job->step, MIN (fraction, 0.99));
  if (g_strcmp0 (status, lb_deployment_step_get_status (job->step)) != 0)
    _lb_deployment_step_log (job->step, "%s", status);
  _lb_deployment_step_set_status (job->step, status);
  poll_later (job, resource_probe);
}

/* ---- Resources: create ---- */

static void
resource_created_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  g_autoptr(JsonNode) answer = NULL;
  GError *error = NULL;

  answer = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (source), result, &error);
  if (answer == NULL)
    {
      if (g_error_matches (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_CONFLICT))
        {
          /* Created meanwhile by someone else (or by a lost earlier answer): adopt. */
          _lb_deployment_step_log (job->step, _("It already exists; using it."));
          g_error_free (error);
          resource_probe (job);
          return;
        }
      /* Never resend a create blindly: go back to the GET, which decides. */
      retry_or_fail (job, error, resource_probe);
      return;
    }

  job->created = TRUE;
  _lb_deployment_step_log (job->step, _("Create request accepted"));
  _lb_deployment_step_set_fraction (job->step, 0.2);

  if (lb_deployment_resource_get_flavour (job->resource) == LB_FLAVOUR_AUTOSCALING)
    {
      const char *name = json_string_at (answer, "name", NULL);

      if (name == NULL)
        {
          fail_step (job, g_error_new_literal (LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_MALFORMED,
                                               _("The create call did not return an operation.")));
          return;
        }
      if (!json_bool_member (answer, "done"))
        {
          job->operation = g_strdup (name);
          _lb_deployment_step_set_status (job->step, _("Waiting for the operation to finish…"));
          poll_later (job, operation_poll);
          return;
        }
      resource_probe (job);
      return;
    }

  resource_evaluate (job, answer);
}

static void
resource_create (Job *job)
{
  LbDeploymentRunner *self = job_runner (job);
  LbDeploymentResource *resource = job->resource;

  _lb_deployment_step_log (job->step, _("Not found: creating it"));
  _lb_deployment_step_set_status (job->step, _("Creating…"));
  lb_databricks_client_call_async (self->client, "POST",
                                   lb_deployment_resource_get_create_path (resource),
                                   lb_deployment_resource_get_create_query (resource),
                                   lb_deployment_resource_get_body (resource),
                                   LB_CALL_DEFAULT, job_cancellable (job),
                                   resource_created_cb, job_ref (job));
}

/* ---- Resources: operations (autoscaling) ---- */

static void
operation_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  g_autoptr(JsonNode) op = NULL;
  GError *error = NULL;

  op = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (source), result, &error);
  if (op == NULL)
    {
      retry_or_fail (job, error, operation_poll);
      return;
    }

  if (!json_bool_member (op, "done"))
    {
      _lb_deployment_step_set_fraction (job->step,
                                        MIN (0.9, 0.2 + 0.6 * (1.0 - 1.0 / (1.0 + job->attempt))));
      poll_later (job, operation_poll);
      return;
    }

  if (json_string_at (op, "error", "message", NULL) != NULL || json_string_at (op, "error", "error_code", NULL) != NULL)
    {
      const char *code = json_string_at (op, "error", "error_code", NULL);
      const char *message = json_string_at (op, "error", "message", NULL);

      fail_step (job, g_error_new (LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_OPERATION, "%s: %s",
                                   code ? code : "ERROR", message ? message : _("the operation failed")));
      return;
    }

  g_clear_pointer (&job->operation, g_free);
  _lb_deployment_step_log (job->step, _("Operation finished"));

  if (job_run (job)->teardown)
    {
      finish_step (job, LB_DEPLOYMENT_STEP_DONE, _("Deleted"));
      return;
    }
  resource_probe (job);
}

static void
operation_poll (Job *job)
{
  LbDeploymentRunner *self = job_runner (job);
  g_autofree char *path = g_strconcat ("/api/2.0/postgres/", job->operation, NULL);

  self->poll_count++;
  lb_databricks_client_call_async (self->client, "GET", path, NULL, NULL, LB_CALL_IDEMPOTENT,
                                   job_cancellable (job), operation_cb, job_ref (job));
}

/* ---- Resources: GET (probe and poll) ---- */

static void
resource_probed_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  g_autoptr(JsonNode) json = NULL;
  GError *error = NULL;
  gboolean first = !job->probed;

  json = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (source), result, &error);
  if (json == NULL)
    {
      if (g_error_matches (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NOT_FOUND))
        {
          g_error_free (error);
          job->probed = TRUE;
          if (lb_deployment_resource_get_create_path (job->resource) != NULL && !job->created)
            {
              resource_create (job);
              return;
            }
          /* An implicit child not visible yet (or a create that has not
           * shown up): wait for it. */
          _lb_deployment_step_set_status (job->step, _("Waiting for it to appear…"));
          poll_later (job, resource_probe);
          return;
        }
      retry_or_fail (job, error, resource_probe);
      return;
    }

  if (first)
    {
      job->probed = TRUE;
      if (!job->created)
        _lb_deployment_step_log (job->step, _("Found an existing one: adopting it"));
    }
  resource_evaluate (job, json);
}

static void
resource_probe (Job *job)
{
  LbDeploymentRunner *self = job_runner (job);

  if (job->probed)
    self->poll_count++;
  lb_databricks_client_call_async (self->client, "GET", lb_deployment_resource_get_path (job->resource),
                                   NULL, NULL, LB_CALL_IDEMPOTENT, job_cancellable (job),
                                   resource_probed_cb, job_ref (job));
}

/* ---- Credentials and the final connection ---- */

typedef struct
{
  char *host;
  char *port;
  char *dbname;
  char *user;
  char *password;
  char *timeout;
} ConnectData;

static void
connect_data_free (gpointer data)
{
  ConnectData *cd = data;

  g_free (cd->host);
  g_free (cd->port);
  g_free (cd->dbname);
  g_free (cd->user);
  if (cd->password != NULL)
    {
      /* Do not leave the credential lying around in freed memory. */
      memset (cd->password, 0, strlen (cd->password));
      g_free (cd->password);
    }
  g_free (cd->timeout);
  g_free (cd);
}

static void
partition_sizes_worker (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  ConnectData *cd = task_data;
  const char *keywords[] = { "host", "port", "dbname", "user", "password", "sslmode",
                             "connect_timeout", "application_name", NULL };
  const char *values[] = { cd->host, cd->port, cd->dbname, cd->user, cd->password, "require",
                           cd->timeout, "lakebase-accelerator", NULL };
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  PGconn *conn;
  PGresult *res;

  conn = PQconnectdbParams (keywords, values, FALSE);
  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_autofree char *message = g_strstrip (g_strdup (PQerrorMessage (conn)));

      PQfinish (conn);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("Could not connect to %s: %s"), cd->host, message);
      return;
    }

  res = PQexec (conn, PARTITION_SIZES_SQL);
  if (PQresultStatus (res) != PGRES_TUPLES_OK)
    {
      g_autofree char *message = g_strstrip (g_strdup (PQresultErrorMessage (res)));

      PQclear (res);
      PQfinish (conn);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("The partition-size query failed: %s"), message);
      return;
    }

  json_builder_begin_array (builder);
  for (int row = 0; row < PQntuples (res); row++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "relname");
      json_builder_add_string_value (builder, PQgetvalue (res, row, 1));
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, g_ascii_strtoll (PQgetvalue (res, row, 0), NULL, 10));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  PQclear (res);
  PQfinish (conn);
  g_task_return_pointer (task, json_builder_get_root (builder), (GDestroyNotify) json_node_unref);
}

static JsonNode *
credential_body (LbDeploymentRunner  *self,
                 const char         **path)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  if (lb_deployment_plan_get_flavour (self->plan) == LB_FLAVOUR_PROVISIONED)
    {
      g_autofree char *request_id = g_uuid_string_random ();

      *path = "/api/2.0/database/credentials";
      json_builder_set_member_name (builder, "request_id");
      json_builder_add_string_value (builder, request_id);
      json_builder_set_member_name (builder, "instance_names");
      json_builder_begin_array (builder);
      json_builder_add_string_value (builder, lb_deployment_plan_get_instance_name (self->plan));
      json_builder_end_array (builder);
    }
  else
    {
      *path = "/api/2.0/postgres/credentials";
      json_builder_set_member_name (builder, "endpoint");
      json_builder_add_string_value (builder,
                                     lb_deployment_resource_get_api_name (lb_deployment_plan_get_endpoint (self->plan)));
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static ConnectData *
connect_data_new (LbDeploymentRunner *self,
                  const char         *token)
{
  ConnectData *cd = g_new0 (ConnectData, 1);

  cd->host = g_strdup (self->pg_host);
  cd->port = g_strdup_printf ("%u", self->pg_port);
  cd->dbname = g_strdup (lb_deployment_plan_get_database_name (self->plan));
  cd->user = g_strdup (self->user_name);
  cd->password = g_strdup (token);
  cd->timeout = g_strdup_printf ("%u", MAX (self->connect_timeout_s, 2));
  return cd;
}

/* Why the test connection could not be made, in words to act on; the raw
 * libpq text stays in the step's log. */
static char *
explain_connect_error (LbDeploymentRunner *self,
                       const GError       *error)
{
  const char *message = error->message;

  if (strstr (message, "could not translate host name") != NULL ||
      strstr (message, "Name or service not known") != NULL ||
      strstr (message, "nodename nor servname") != NULL)
    return g_strdup_printf (_("Could not connect to %s: the name does not resolve (DNS). A new instance can take a "
                              "few minutes to appear in DNS; try the connection again later from the tester."),
                            self->pg_host);
  if (strstr (message, "timeout expired") != NULL)
    return g_strdup_printf (_("Could not connect to %s: no answer within %u s. A firewall or VPN may block port %u."),
                            self->pg_host, self->connect_timeout_s, self->pg_port);
  if (strstr (message, "password authentication failed") != NULL)
    return g_strdup_printf (_("Could not connect to %s: the database refused the credential for %s. Check that "
                              "this user has a role on the instance."),
                            self->pg_host, self->user_name);
  if (g_str_has_prefix (message, "Could not connect"))
    {
      /* libpq's first line ends with the cause ("…failed: Connection refused"). */
      g_autofree char *first_line = g_strndup (message, strcspn (message, "\n"));
      const char *cause = g_strrstr (first_line, ": ");

      return g_strdup_printf (_("Could not connect to %s: %s. Check that this computer can reach the instance "
                                "(network, VPN, firewall), then try again from the tester."),
                              self->pg_host, cause != NULL ? cause + 2 : first_line);
    }
  return g_strdup (message);
}

static void
partition_sizes_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  LbDeploymentRunner *self = job_runner (job);
  g_autoptr(JsonNode) sizes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;
  JsonArray *array;

  sizes = g_task_propagate_pointer (G_TASK (result), &error);
  if (sizes == NULL)
    {
      g_autofree char *reason = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          fail_step (job, g_steal_pointer (&error));
          return;
        }
      _lb_deployment_step_log (job->step, "%s", error->message);
      reason = explain_connect_error (self, error);
      skip_step (job, reason, _("Skipped: the test connection failed"));
      return;
    }

  g_clear_pointer (&self->partitions, json_node_unref);
  self->partitions = json_node_ref (sizes);
  array = json_node_get_array (sizes);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *row = json_array_get_object_element (array, i);
      g_autofree char *size = g_format_size (json_object_get_int_member (row, "size"));

      _lb_deployment_step_log (job->step, _("Partition %s: %s"),
                               json_object_get_string_member (row, "relname"), size);
    }
  status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Connected; %u partition measured",
                                         "Connected; %u partitions measured", json_array_get_length (array)),
                            json_array_get_length (array));
  finish_step (job, LB_DEPLOYMENT_STEP_DONE, status);
}

static void
connect_credential_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  LbDeploymentRunner *self = job_runner (job);
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) thread_task = NULL;
  const char *token;

  answer = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (source), result, &error);
  if (answer == NULL)
    {
      g_autofree char *reason = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          fail_step (job, g_steal_pointer (&error));
          return;
        }
      _lb_deployment_step_log (job->step, "%s", error->message);
      reason = lb_databricks_error_explain (error, lb_deployment_plan_get_profile (self->plan));
      skip_step (job, reason, _("Skipped: no database credential could be generated"));
      return;
    }

  token = json_string_at (answer, "token", NULL);
  if (token == NULL || self->pg_host == NULL || self->user_name == NULL)
    {
      skip_step (job,
                 token == NULL ? _("The credential answer held no token.")
                               : _("The instance's host name is not known."),
                 _("Skipped: the test connection was not possible"));
      return;
    }

  _lb_deployment_step_set_fraction (job->step, 0.5);
  _lb_deployment_step_set_status (job->step, _("Connecting…"));
  _lb_deployment_step_log (job->step, _("Connecting to %s as %s (sslmode=require)"), self->pg_host, self->user_name);

  /* No source object: the worker thread drops its task a moment after the
   * callback ran, and must not hold the runner then (its last unref would
   * race with the owner's). The job carries the runner instead. */
  thread_task = g_task_new (NULL, job_cancellable (job), partition_sizes_cb, job_ref (job));
  g_task_set_source_tag (thread_task, partition_sizes_worker);
  g_task_set_task_data (thread_task, connect_data_new (self, token), connect_data_free);
  /* libpq cannot be interrupted: let cancellation return at once. */
  g_task_set_return_on_cancel (thread_task, TRUE);
  g_task_run_in_thread (thread_task, partition_sizes_worker);
}

static void
connect_start (Job *job)
{
  LbDeploymentRunner *self = job_runner (job);
  g_autoptr(JsonNode) body = NULL;
  const char *path = NULL;

  _lb_deployment_step_set_status (job->step, _("Generating a database credential…"));
  body = credential_body (self, &path);
  lb_databricks_client_call_async (self->client, "POST", path, NULL, body, LB_CALL_IDEMPOTENT,
                                   job_cancellable (job), connect_credential_cb, job_ref (job));
}

/* ---- Teardown ---- */

static void
deleted_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  g_autoptr(JsonNode) answer = NULL;
  GError *error = NULL;

  answer = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (source), result, &error);
  if (answer == NULL)
    {
      if (g_error_matches (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NOT_FOUND))
        {
          g_error_free (error);
          _lb_deployment_step_set_fraction (job->step, 1);
          _lb_deployment_step_set_status (job->step, _("Already gone"));
          _lb_deployment_step_log (job->step, _("Already gone"));
          _lb_deployment_step_set_state (job->step, LB_DEPLOYMENT_STEP_SKIPPED);
          job_end (job, NULL);
          return;
        }
      retry_or_fail (job, error, teardown_delete);
      return;
    }

  if (lb_deployment_resource_get_flavour (job->resource) == LB_FLAVOUR_AUTOSCALING &&
      json_string_at (answer, "name", NULL) != NULL && !json_bool_member (answer, "done"))
    {
      job->operation = g_strdup (json_string_at (answer, "name", NULL));
      _lb_deployment_step_set_status (job->step, _("Waiting for the deletion to finish…"));
      poll_later (job, operation_poll);
      return;
    }

  finish_step (job, LB_DEPLOYMENT_STEP_DONE, _("Deleted"));
}

static void
teardown_delete (Job *job)
{
  LbDeploymentRunner *self = job_runner (job);
  const char *purge[] = { "purge", "true", NULL };
  gboolean instance = lb_deployment_resource_get_kind (job->resource) == LB_DEPLOYMENT_RESOURCE_INSTANCE;

  if (job->deadline == 0)
    job->deadline = g_get_monotonic_time () + (gint64) self->wait_timeout_s * G_USEC_PER_SEC;
  _lb_deployment_step_set_status (job->step, _("Deleting…"));
  lb_databricks_client_call_async (self->client, "DELETE", lb_deployment_resource_get_path (job->resource),
                                   instance ? purge : NULL, NULL, LB_CALL_IDEMPOTENT,
                                   job_cancellable (job), deleted_cb, job_ref (job));
}

/* ---- GObject ---- */

/* A sentence per kind, so translators see whole phrases. */
static char *
teardown_title (LbDeploymentResource *resource)
{
  const char *name = lb_deployment_resource_get_name (resource);

  switch (lb_deployment_resource_get_kind (resource))
    {
    case LB_DEPLOYMENT_RESOURCE_INSTANCE:
      return g_strdup_printf (_("Delete the database instance %s"), name);
    case LB_DEPLOYMENT_RESOURCE_PROJECT:
      return g_strdup_printf (_("Delete the project %s"), name);
    case LB_DEPLOYMENT_RESOURCE_CATALOG:
      return g_strdup_printf (_("Delete the database catalog %s"), name);
    case LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE:
      return g_strdup_printf (_("Delete the synced table %s"), name);
    case LB_DEPLOYMENT_RESOURCE_BRANCH:
    case LB_DEPLOYMENT_RESOURCE_ENDPOINT:
    default:
      return g_strdup_printf (_("Delete %s"), lb_deployment_resource_get_title (resource));
    }
}

static void
lb_deployment_runner_constructed (GObject *object)
{
  LbDeploymentRunner *self = (LbDeploymentRunner *) object;
  GListModel *resources;
  g_autoptr(LbDeploymentStep) identity = NULL;
  g_autoptr(LbDeploymentStep) connect = NULL;

  G_OBJECT_CLASS (lb_deployment_runner_parent_class)->constructed (object);

  g_assert (LB_IS_DEPLOYMENT_PLAN (self->plan));
  g_assert (LB_IS_DATABRICKS_CLIENT (self->client));

  resources = lb_deployment_plan_get_resources (self->plan);

  identity = _lb_deployment_step_new (LB_DEPLOYMENT_STEP_KIND_IDENTITY, _("Check the workspace identity"), NULL);
  g_list_store_append (self->steps, identity);

  for (guint i = 0; i < g_list_model_get_n_items (resources); i++)
    {
      g_autoptr(LbDeploymentResource) resource = g_list_model_get_item (resources, i);
      g_autoptr(LbDeploymentStep) step = _lb_deployment_step_new (LB_DEPLOYMENT_STEP_KIND_RESOURCE,
                                                                  lb_deployment_resource_get_title (resource),
                                                                  resource);

      g_list_store_append (self->steps, step);
    }

  connect = _lb_deployment_step_new (LB_DEPLOYMENT_STEP_KIND_CONNECT, _("Connect and measure the partitions"), NULL);
  g_list_store_append (self->steps, connect);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->steps)); i++)
    {
      g_autoptr(LbDeploymentStep) step = g_list_model_get_item (G_LIST_MODEL (self->steps), i);

      g_signal_connect_object (step, "notify::fraction", G_CALLBACK (step_fraction_changed_cb),
                               self, G_CONNECT_SWAPPED);
    }

  /* Teardown deletes in the reverse order; implicit children go with the project. */
  for (guint i = g_list_model_get_n_items (resources); i > 0; i--)
    {
      g_autoptr(LbDeploymentResource) resource = g_list_model_get_item (resources, i - 1);
      LbDeploymentResourceKind kind = lb_deployment_resource_get_kind (resource);
      g_autofree char *title = NULL;
      g_autoptr(LbDeploymentStep) step = NULL;

      if (kind == LB_DEPLOYMENT_RESOURCE_BRANCH || kind == LB_DEPLOYMENT_RESOURCE_ENDPOINT)
        continue;
      title = teardown_title (resource);
      step = _lb_deployment_step_new (LB_DEPLOYMENT_STEP_KIND_RESOURCE, title, resource);
      g_list_store_append (self->teardown_steps, step);
    }
}

static void
lb_deployment_runner_dispose (GObject *object)
{
  LbDeploymentRunner *self = (LbDeploymentRunner *) object;

  g_clear_object (&self->steps);
  g_clear_object (&self->teardown_steps);
  g_clear_object (&self->client);
  g_clear_object (&self->plan);

  G_OBJECT_CLASS (lb_deployment_runner_parent_class)->dispose (object);
}

static void
lb_deployment_runner_finalize (GObject *object)
{
  LbDeploymentRunner *self = (LbDeploymentRunner *) object;

  g_free (self->user_name);
  g_free (self->workspace_host);
  g_free (self->pg_host);
  g_clear_pointer (&self->partitions, json_node_unref);

  G_OBJECT_CLASS (lb_deployment_runner_parent_class)->finalize (object);
}

static void
lb_deployment_runner_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  LbDeploymentRunner *self = LB_DEPLOYMENT_RUNNER (object);

  switch (prop_id)
    {
    case PROP_PLAN:
      g_value_set_object (value, self->plan);
      break;
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_STEPS:
      g_value_set_object (value, self->steps);
      break;
    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_USER_NAME:
      g_value_set_string (value, self->user_name);
      break;
    case PROP_WORKSPACE_HOST:
      g_value_set_string (value, self->workspace_host);
      break;
    case PROP_PG_HOST:
      g_value_set_string (value, self->pg_host);
      break;
    case PROP_POLL_BASE_MS:
      g_value_set_uint (value, self->poll_base_ms);
      break;
    case PROP_POLL_MAX_MS:
      g_value_set_uint (value, self->poll_max_ms);
      break;
    case PROP_WAIT_TIMEOUT_S:
      g_value_set_uint (value, self->wait_timeout_s);
      break;
    case PROP_PG_PORT:
      g_value_set_uint (value, self->pg_port);
      break;
    case PROP_CONNECT_TIMEOUT_S:
      g_value_set_uint (value, self->connect_timeout_s);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_uint_prop (LbDeploymentRunner *self,
               guint              *field,
               guint               value,
               guint               prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
lb_deployment_runner_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  LbDeploymentRunner *self = LB_DEPLOYMENT_RUNNER (object);

  switch (prop_id)
    {
    case PROP_PLAN:
      self->plan = g_value_dup_object (value);
      break;
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    case PROP_POLL_BASE_MS:
      set_uint_prop (self, &self->poll_base_ms, g_value_get_uint (value), prop_id);
      break;
    case PROP_POLL_MAX_MS:
      set_uint_prop (self, &self->poll_max_ms, g_value_get_uint (value), prop_id);
      break;
    case PROP_WAIT_TIMEOUT_S:
      set_uint_prop (self, &self->wait_timeout_s, g_value_get_uint (value), prop_id);
      break;
    case PROP_PG_PORT:
      set_uint_prop (self, &self->pg_port, g_value_get_uint (value), prop_id);
      break;
    case PROP_CONNECT_TIMEOUT_S:
      set_uint_prop (self, &self->connect_timeout_s, g_value_get_uint (value), prop_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_deployment_runner_class_init (LbDeploymentRunnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = lb_deployment_runner_constructed;
  object_class->dispose = lb_deployment_runner_dispose;
  object_class->finalize = lb_deployment_runner_finalize;
  object_class->get_property = lb_deployment_runner_get_property;
  object_class->set_property = lb_deployment_runner_set_property;

  properties[PROP_PLAN] =
    g_param_spec_object ("plan", NULL, NULL, LB_TYPE_DEPLOYMENT_PLAN,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, LB_TYPE_DATABRICKS_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STEPS] =
    g_param_spec_object ("steps", NULL, NULL, G_TYPE_LIST_MODEL, ro);
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0, 1, 0, ro);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE, ro);
  properties[PROP_USER_NAME] =
    g_param_spec_string ("user-name", NULL, NULL, NULL, ro);
  properties[PROP_WORKSPACE_HOST] =
    g_param_spec_string ("workspace-host", NULL, NULL, NULL, ro);
  properties[PROP_PG_HOST] =
    g_param_spec_string ("pg-host", NULL, NULL, NULL, ro);
  properties[PROP_POLL_BASE_MS] =
    g_param_spec_uint ("poll-base-ms", NULL, NULL, 1, G_MAXUINT, 1000, rw | G_PARAM_CONSTRUCT);
  properties[PROP_POLL_MAX_MS] =
    g_param_spec_uint ("poll-max-ms", NULL, NULL, 1, G_MAXUINT, 30000, rw | G_PARAM_CONSTRUCT);
  properties[PROP_WAIT_TIMEOUT_S] =
    g_param_spec_uint ("wait-timeout-s", NULL, NULL, 1, G_MAXUINT, 1200, rw | G_PARAM_CONSTRUCT);
  properties[PROP_PG_PORT] =
    g_param_spec_uint ("pg-port", NULL, NULL, 1, 65535, 5432, rw | G_PARAM_CONSTRUCT);
  properties[PROP_CONNECT_TIMEOUT_S] =
    g_param_spec_uint ("connect-timeout-s", NULL, NULL, 2, 600, 15, rw | G_PARAM_CONSTRUCT);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lb_deployment_runner_init (LbDeploymentRunner *self)
{
  self->steps = g_list_store_new (LB_TYPE_DEPLOYMENT_STEP);
  self->teardown_steps = g_list_store_new (LB_TYPE_DEPLOYMENT_STEP);
}

/* ---- Public API ---- */

LbDeploymentRunner *
lb_deployment_runner_new (LbDeploymentPlan   *plan,
                          LbDatabricksClient *client)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_PLAN (plan), NULL);
  g_return_val_if_fail (LB_IS_DATABRICKS_CLIENT (client), NULL);

  return g_object_new (LB_TYPE_DEPLOYMENT_RUNNER, "plan", plan, "client", client, NULL);
}

LbDeploymentPlan *
lb_deployment_runner_get_plan (LbDeploymentRunner *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_RUNNER (self), NULL);
  return self->plan;
}

GListModel *
lb_deployment_runner_get_steps (LbDeploymentRunner *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_RUNNER (self), NULL);
  return G_LIST_MODEL (self->steps);
}

GListModel *
lb_deployment_runner_get_teardown_steps (LbDeploymentRunner *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_RUNNER (self), NULL);
  return G_LIST_MODEL (self->teardown_steps);
}

double
lb_deployment_runner_get_fraction (LbDeploymentRunner *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_RUNNER (self), 0);
  return self->fraction;
}

gboolean
lb_deployment_runner_get_running (LbDeploymentRunner *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_RUNNER (self), FALSE);
  return self->running;
}

const char *
lb_deployment_runner_get_user_name (LbDeploymentRunner *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_RUNNER (self), NULL);
  return self->user_name;
}

const char *
lb_deployment_runner_get_workspace_host (LbDeploymentRunner *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_RUNNER (self), NULL);
  return self->workspace_host;
}

const char *
lb_deployment_runner_get_pg_host (LbDeploymentRunner *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_RUNNER (self), NULL);
  return self->pg_host;
}

guint
lb_deployment_runner_get_poll_count (LbDeploymentRunner *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_RUNNER (self), 0);
  return self->poll_count;
}

static GTask *
start_run (LbDeploymentRunner  *self,
           GListModel          *steps,
           gboolean             teardown,
           gpointer             source_tag,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Run *run;

  g_task_set_source_tag (task, source_tag);

  if (self->running)
    {
      g_task_return_new_error (task, LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_BUSY,
                               _("A deployment or teardown is already running."));
      return NULL;
    }

  run = g_new0 (Run, 1);
  run->steps = g_object_ref (steps);
  run->teardown = teardown;
  g_task_set_task_data (task, run, run_free);

  if (!teardown)
    {
      self->started_us = g_get_monotonic_time ();
      self->finished_us = 0;
    }

  for (guint i = 0; i < g_list_model_get_n_items (steps); i++)
    {
      g_autoptr(LbDeploymentStep) step = g_list_model_get_item (steps, i);

      _lb_deployment_step_reset (step);
    }

  set_running (self, TRUE);
  return g_steal_pointer (&task);
}

/* Deploying and tearing down are the same walk over a list of steps. */
static void
walk_steps (LbDeploymentRunner  *self,
            GListModel          *steps,
            gboolean             teardown,
            gpointer             source_tag,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LB_IS_DEPLOYMENT_RUNNER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = start_run (self, steps, teardown, source_tag, cancellable, callback, user_data);
  if (task != NULL)
    run_schedule (task);
}

static gboolean
walk_steps_finish (LbDeploymentRunner  *self,
                   GAsyncResult        *result,
                   GError             **error)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_RUNNER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
lb_deployment_runner_run_async (LbDeploymentRunner  *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (LB_IS_DEPLOYMENT_RUNNER (self));

  walk_steps (self, G_LIST_MODEL (self->steps), FALSE, lb_deployment_runner_run_async,
              cancellable, callback, user_data);
}

gboolean
lb_deployment_runner_run_finish (LbDeploymentRunner  *self,
                                 GAsyncResult        *result,
                                 GError             **error)
{
  return walk_steps_finish (self, result, error);
}

void
lb_deployment_runner_teardown_async (LbDeploymentRunner  *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (LB_IS_DEPLOYMENT_RUNNER (self));

  walk_steps (self, G_LIST_MODEL (self->teardown_steps), TRUE, lb_deployment_runner_teardown_async,
              cancellable, callback, user_data);
}

gboolean
lb_deployment_runner_teardown_finish (LbDeploymentRunner  *self,
                                      GAsyncResult        *result,
                                      GError             **error)
{
  return walk_steps_finish (self, result, error);
}

/* ---- Connection info: identity (if unknown), host (if unknown), credential ---- */

typedef struct
{
  char      *conninfo;
  GDateTime *expires_at;
} ConnectionInfo;

static void
connection_info_free (gpointer data)
{
  ConnectionInfo *info = data;

  if (info->conninfo != NULL)
    memset (info->conninfo, 0, strlen (info->conninfo));
  g_free (info->conninfo);
  g_clear_pointer (&info->expires_at, g_date_time_unref);
  g_free (info);
}

static void info_continue (GTask *task);

static void
append_conninfo (GString    *out,
                 const char *key,
                 const char *value)
{
  if (out->len > 0)
    g_string_append_c (out, ' ');
  g_string_append_printf (out, "%s='", key);
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '\'' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '\'');
}

static void
info_credential_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LbDeploymentRunner *self = g_task_get_source_object (task);
  g_autoptr(JsonNode) answer = NULL;
  GError *error = NULL;
  const char *token;
  const char *expiry;
  ConnectionInfo *info;
  GString *text;
  g_autofree char *port = NULL;

  answer = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (source), result, &error);
  if (answer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  token = json_string_at (answer, "token", NULL);
  expiry = json_string_at (answer, "expiration_time", NULL);
  if (expiry == NULL)
    expiry = json_string_at (answer, "expire_time", NULL);
  if (token == NULL)
    {
      g_task_return_new_error (task, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_MALFORMED,
                               _("The credential answer held no token."));
      return;
    }

  port = g_strdup_printf ("%u", self->pg_port);
  text = g_string_new (NULL);
  append_conninfo (text, "host", self->pg_host);
  append_conninfo (text, "port", port);
  append_conninfo (text, "dbname", lb_deployment_plan_get_database_name (self->plan));
  append_conninfo (text, "user", self->user_name);
  append_conninfo (text, "password", token);
  append_conninfo (text, "sslmode", "require");

  info = g_new0 (ConnectionInfo, 1);
  info->conninfo = g_string_free (text, FALSE);
  info->expires_at = expiry != NULL ? g_date_time_new_from_iso8601 (expiry, NULL) : NULL;
  if (info->expires_at == NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      /* The documented lifetime, when the answer does not say. */
      info->expires_at = g_date_time_add_hours (now, 1);
    }
  g_task_return_pointer (task, info, connection_info_free);
}

static void
info_identity_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LbDeploymentRunner *self = g_task_get_source_object (task);
  g_autoptr(JsonNode) me = NULL;
  GError *error = NULL;
  const char *user_name;

  me = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (source), result, &error);
  if (me == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  user_name = json_string_at (me, "userName", NULL);
  if (user_name == NULL)
    {
      g_task_return_new_error (task, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_MALFORMED,
                               _("The workspace did not say who you are (no userName in SCIM Me)."));
      return;
    }
  set_string_prop (self, &self->user_name, user_name, PROP_USER_NAME);
  info_continue (task);
}

static void
info_host_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LbDeploymentRunner *self = g_task_get_source_object (task);
  g_autoptr(JsonNode) json = NULL;
  GError *error = NULL;
  const char *host;

  json = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (source), result, &error);
  if (json == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  host = lb_deployment_plan_get_flavour (self->plan) == LB_FLAVOUR_PROVISIONED
    ? json_string_at (json, "read_write_dns", NULL)
    : json_string_at (json, "status", "hosts", "host", NULL);
  if (host == NULL)
    {
      g_task_return_new_error (task, LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_TIMEOUT,
                               _("The instance has no host name yet: it is still starting."));
      return;
    }
  set_string_prop (self, &self->pg_host, host, PROP_PG_HOST);
  info_continue (task);
}

static void
info_continue (GTask *task)
{
  LbDeploymentRunner *self = g_task_get_source_object (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (self->user_name == NULL)
    {
      lb_databricks_client_call_async (self->client, "GET", "/api/2.0/preview/scim/v2/Me", NULL, NULL,
                                       LB_CALL_IDEMPOTENT, cancellable, info_identity_cb, g_object_ref (task));
    }
  else if (self->pg_host == NULL)
    {
      LbDeploymentResource *resource = lb_deployment_plan_get_flavour (self->plan) == LB_FLAVOUR_PROVISIONED
        ? lb_deployment_plan_get_compute (self->plan)
        : lb_deployment_plan_get_endpoint (self->plan);

      lb_databricks_client_call_async (self->client, "GET", lb_deployment_resource_get_path (resource),
                                       NULL, NULL, LB_CALL_IDEMPOTENT, cancellable, info_host_cb,
                                       g_object_ref (task));
    }
  else
    {
      g_autoptr(JsonNode) body = NULL;
      const char *path = NULL;

      body = credential_body (self, &path);
      lb_databricks_client_call_async (self->client, "POST", path, NULL, body, LB_CALL_IDEMPOTENT,
                                       cancellable, info_credential_cb, g_object_ref (task));
    }
}

void
lb_deployment_runner_dup_connection_info_async (LbDeploymentRunner  *self,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LB_IS_DEPLOYMENT_RUNNER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_deployment_runner_dup_connection_info_async);
  info_continue (task);
}

char *
lb_deployment_runner_dup_connection_info_finish (LbDeploymentRunner  *self,
                                                 GAsyncResult        *result,
                                                 GDateTime          **expires_at,
                                                 GError             **error)
{
  ConnectionInfo *info;
  char *conninfo;

  g_return_val_if_fail (LB_IS_DEPLOYMENT_RUNNER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  info = g_task_propagate_pointer (G_TASK (result), error);
  if (info == NULL)
    return NULL;

  conninfo = g_steal_pointer (&info->conninfo);
  if (expires_at != NULL)
    *expires_at = g_steal_pointer (&info->expires_at);
  connection_info_free (info);

  return conninfo;
}

JsonNode *
lb_deployment_runner_to_json (LbDeploymentRunner *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (LB_IS_DEPLOYMENT_RUNNER (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "plan");
  json_builder_add_value (builder, lb_deployment_plan_to_json (self->plan));
  json_builder_set_member_name (builder, "fraction");
  json_builder_add_double_value (builder, self->fraction);
  if (self->user_name != NULL)
    {
      json_builder_set_member_name (builder, "user_name");
      json_builder_add_string_value (builder, self->user_name);
    }
  if (self->workspace_host != NULL)
    {
      json_builder_set_member_name (builder, "workspace_host");
      json_builder_add_string_value (builder, self->workspace_host);
    }
  if (self->pg_host != NULL)
    {
      json_builder_set_member_name (builder, "pg_host");
      json_builder_add_string_value (builder, self->pg_host);
    }

  if (self->finished_us != 0)
    {
      LbDeploymentCounts counts;
      g_autofree char *summary = lb_deployment_runner_dup_summary (self);

      lb_deployment_runner_get_counts (self, &counts);
      json_builder_set_member_name (builder, "counts");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "created");
      json_builder_add_int_value (builder, counts.created);
      json_builder_set_member_name (builder, "created_with_project");
      json_builder_add_int_value (builder, counts.with_project);
      json_builder_set_member_name (builder, "already_there");
      json_builder_add_int_value (builder, counts.existing);
      json_builder_set_member_name (builder, "failed");
      json_builder_add_int_value (builder, counts.failed);
      json_builder_set_member_name (builder, "skipped");
      json_builder_add_int_value (builder, counts.skipped);
      json_builder_end_object (builder);
      if (summary != NULL)
        {
          json_builder_set_member_name (builder, "summary");
          json_builder_add_string_value (builder, summary);
        }
    }

  json_builder_set_member_name (builder, "steps");
  json_builder_begin_array (builder);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->steps)); i++)
    {
      g_autoptr(LbDeploymentStep) step = g_list_model_get_item (G_LIST_MODEL (self->steps), i);

      json_builder_add_value (builder, lb_deployment_step_to_json (step));
    }
  json_builder_end_array (builder);

  {
    gboolean torn_down = FALSE;

    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->teardown_steps)); i++)
      {
        g_autoptr(LbDeploymentStep) step = g_list_model_get_item (G_LIST_MODEL (self->teardown_steps), i);

        if (lb_deployment_step_get_state (step) != LB_DEPLOYMENT_STEP_PENDING)
          torn_down = TRUE;
      }
    if (torn_down)
      {
        json_builder_set_member_name (builder, "teardown_steps");
        json_builder_begin_array (builder);
        for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->teardown_steps)); i++)
          {
            g_autoptr(LbDeploymentStep) step = g_list_model_get_item (G_LIST_MODEL (self->teardown_steps), i);

            json_builder_add_value (builder, lb_deployment_step_to_json (step));
          }
        json_builder_end_array (builder);
      }
  }

  if (self->partitions != NULL)
    {
      json_builder_set_member_name (builder, "partitions");
      json_builder_add_value (builder, json_node_copy (self->partitions));
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* ---- Summary ---- */

void
lb_deployment_runner_get_counts (LbDeploymentRunner *self,
                                 LbDeploymentCounts *counts)
{
  GListModel *steps;

  g_return_if_fail (LB_IS_DEPLOYMENT_RUNNER (self));
  g_return_if_fail (counts != NULL);

  memset (counts, 0, sizeof *counts);
  steps = G_LIST_MODEL (self->steps);
  for (guint i = 0; i < g_list_model_get_n_items (steps); i++)
    {
      g_autoptr(LbDeploymentStep) step = g_list_model_get_item (steps, i);

      /* Only resources count: signing in and the test connection create nothing. */
      if (lb_deployment_step_get_kind (step) != LB_DEPLOYMENT_STEP_KIND_RESOURCE)
        continue;
      switch (lb_deployment_step_get_state (step))
        {
        case LB_DEPLOYMENT_STEP_DONE:
          counts->created++;
          break;
        case LB_DEPLOYMENT_STEP_ADOPTED:
          if (lb_deployment_step_get_created_with_project (step))
            counts->with_project++;
          else
            counts->existing++;
          break;
        case LB_DEPLOYMENT_STEP_FAILED:
          counts->failed++;
          break;
        case LB_DEPLOYMENT_STEP_SKIPPED:
          counts->skipped++;
          break;
        case LB_DEPLOYMENT_STEP_PENDING:
        case LB_DEPLOYMENT_STEP_RUNNING:
        default:
          break;
        }
    }
}

static char *
format_duration (gint64 us)
{
  guint seconds = (guint) ((us + G_USEC_PER_SEC / 2) / G_USEC_PER_SEC);

  if (seconds < 60)
    /* Translators: a duration in seconds */
    return g_strdup_printf (_("%u s"), seconds);
  /* Translators: a duration, "3 min 12 s" */
  return g_strdup_printf (_("%u min %u s"), seconds / 60, seconds % 60);
}

char *
lb_deployment_runner_dup_summary (LbDeploymentRunner *self)
{
  LbDeploymentCounts counts;
  GListModel *steps;
  g_autoptr(LbDeploymentStep) failed = NULL;
  g_autoptr(LbDeploymentStep) connect = NULL;
  g_autofree char *duration = NULL;
  g_autofree char *tally = NULL;
  g_autofree char *text = NULL;
  guint n;

  g_return_val_if_fail (LB_IS_DEPLOYMENT_RUNNER (self), NULL);

  if (self->started_us == 0 || self->finished_us == 0 || self->running)
    return NULL;

  lb_deployment_runner_get_counts (self, &counts);
  steps = G_LIST_MODEL (self->steps);
  n = g_list_model_get_n_items (steps);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbDeploymentStep) step = g_list_model_get_item (steps, i);

      if (failed == NULL && lb_deployment_step_get_state (step) == LB_DEPLOYMENT_STEP_FAILED)
        failed = g_object_ref (step);
      if (lb_deployment_step_get_kind (step) == LB_DEPLOYMENT_STEP_KIND_CONNECT)
        g_set_object (&connect, step);
    }

  duration = format_duration (self->finished_us - self->started_us);
  if (lb_deployment_plan_get_flavour (self->plan) == LB_FLAVOUR_AUTOSCALING)
    /* Translators: the branch and endpoint of a new autoscaling project are made by the project itself */
    tally = g_strdup_printf (_("%u created by this deploy, %u created with the project, %u already there"),
                             counts.created, counts.with_project, counts.existing);
  else
    tally = g_strdup_printf (_("%u created by this deploy, %u already there"), counts.created, counts.existing);

  if (failed != NULL)
    {
      g_autofree char *stop = NULL;

      if (g_strcmp0 (lb_deployment_step_get_status (failed), _("Cancelled")) == 0)
        /* Translators: "Cancelled at “Database catalog retail_pg” after 12 s: 2 created by this deploy, …" */
        stop = g_strdup_printf (_("Cancelled at “%s” after %s: %s"), lb_deployment_step_get_title (failed),
                                duration, tally);
      else
        /* Translators: "Stopped at “Database catalog retail_pg” after 12 s: 2 created by this deploy, …" */
        stop = g_strdup_printf (_("Stopped at “%s” after %s: %s"), lb_deployment_step_get_title (failed),
                                duration, tally);
      if (counts.failed > 1)
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s; %u step failed", "%s; %u steps failed",
                                             counts.failed),
                                stop, counts.failed);
      else
        text = g_steal_pointer (&stop);
    }
  else if (counts.created + counts.with_project == 0)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Nothing to create: everything is already there (%u resource checked in %s)",
                                         "Nothing to create: everything is already there (%u resources checked in %s)",
                                         counts.existing),
                            counts.existing, duration);
  else
    /* Translators: "Deployed in 12 s: 5 created by this deploy, 2 created with the project, 0 already there" */
    text = g_strdup_printf (_("Deployed in %s: %s"), duration, tally);

  if (failed == NULL && connect != NULL && lb_deployment_step_get_state (connect) == LB_DEPLOYMENT_STEP_SKIPPED)
    {
      g_autofree char *with_connect = g_strdup_printf (_("%s. The test connection failed: see its step."), text);

      g_free (text);
      text = g_steal_pointer (&with_connect);
    }

  return g_steal_pointer (&text);
}

/* ---- Looking for what exists ---- */

typedef struct
{
  GPtrArray *resources;   /* LbDeploymentResource, in the order to look */
  guint      index;
} FindExisting;

static void
find_existing_free (gpointer data)
{
  FindExisting *find = data;

  g_ptr_array_unref (find->resources);
  g_free (find);
}

static void find_existing_next (GTask *task);

static void
find_existing_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FindExisting *find = g_task_get_task_data (task);
  g_autoptr(JsonNode) json = NULL;
  GError *error = NULL;

  json = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (source), result, &error);
  if (json != NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (!g_error_matches (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NOT_FOUND))
    {
      g_task_return_error (task, error);
      return;
    }
  g_error_free (error);
  find->index++;
  find_existing_next (task);
}

static void
find_existing_next (GTask *task)
{
  LbDeploymentRunner *self = g_task_get_source_object (task);
  FindExisting *find = g_task_get_task_data (task);
  LbDeploymentResource *resource;

  if (find->index >= find->resources->len)
    {
      g_task_return_boolean (task, FALSE);
      return;
    }
  resource = g_ptr_array_index (find->resources, find->index);
  lb_databricks_client_call_async (self->client, "GET", lb_deployment_resource_get_path (resource), NULL, NULL,
                                   LB_CALL_IDEMPOTENT, g_task_get_cancellable (task), find_existing_cb,
                                   g_object_ref (task));
}

void
lb_deployment_runner_find_existing_async (LbDeploymentRunner  *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GListModel *resources;
  FindExisting *find;

  g_return_if_fail (LB_IS_DEPLOYMENT_RUNNER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_deployment_runner_find_existing_async);

  /* What a teardown would delete: the compute first (it holds the rest),
   * then the catalog, which may outlive it. */
  find = g_new0 (FindExisting, 1);
  find->resources = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (find->resources, g_object_ref (lb_deployment_plan_get_compute (self->plan)));
  resources = lb_deployment_plan_get_resources (self->plan);
  for (guint i = 0; i < g_list_model_get_n_items (resources); i++)
    {
      g_autoptr(LbDeploymentResource) resource = g_list_model_get_item (resources, i);

      if (lb_deployment_resource_get_kind (resource) == LB_DEPLOYMENT_RESOURCE_CATALOG)
        g_ptr_array_add (find->resources, g_steal_pointer (&resource));
    }
  g_task_set_task_data (task, find, find_existing_free);
  find_existing_next (task);
}

gboolean
lb_deployment_runner_find_existing_finish (LbDeploymentRunner  *self,
                                           GAsyncResult        *result,
                                           GError             **error)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_RUNNER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
