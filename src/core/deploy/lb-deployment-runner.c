/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Runs a deployment plan: chains of async REST calls on the caller's main
 * context, one step at a time, except that consecutive synced tables run
 * side by side (a few at once, each its own step). Every resource step
 * starts with a GET, so a second run adopts what the first one created
 * ("resume"), and a create is only ever sent after a GET showed the
 * resource absent (safe to retry).
 * Waiting uses exponential backoff with jitter, capped; sleeps end early on
 * cancellation. The final libpq connection runs in a GTask thread.
 * This file: the GObject, the step walk and its scheduler; the steps
 * themselves are in -resources.c, -connect.c and -teardown.c. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "lb-deployment-runner-private.h"

#define MAX_TRANSIENT_ERRORS 6

G_DEFINE_FINAL_TYPE (LbDeploymentRunner, lb_deployment_runner, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

/* Synced tables are independent of each other: this many are created (or
 * deleted) at once, each in its own step. */
#define MAX_TABLES_IN_FLIGHT 4

static void run_schedule (GTask *task);
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
  g_free (job->refusal);
}

Job *
_lb_runner_job_ref (Job *job)
{
  return g_rc_box_acquire (job);
}

void
_lb_runner_job_unref (Job *job)
{
  g_rc_box_release_full (job, job_clear);
}

LbDeploymentRunner *
_lb_runner_job_runner (Job *job)
{
  return g_task_get_source_object (job->task);
}

Run *
_lb_runner_job_run (Job *job)
{
  return g_task_get_task_data (job->task);
}

GCancellable *
_lb_runner_job_cancellable (Job *job)
{
  return g_task_get_cancellable (job->task);
}

/* ---- Small helpers ---- */

const char *
_lb_runner_json_string_at (JsonNode   *node,
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

double
_lb_runner_json_double_at (JsonNode   *node,
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

GError *
_lb_runner_operation_error (Job      *job,
                            JsonNode *op)
{
  JsonNode *member;
  const char *code;
  const char *message;

  if (op == NULL || !JSON_NODE_HOLDS_OBJECT (op))
    return NULL;
  member = json_object_get_member (json_node_get_object (op), "error");
  if (member == NULL || JSON_NODE_HOLDS_NULL (member))
    return NULL;

  code = _lb_runner_json_string_at (op, "error", "error_code", NULL);
  message = _lb_runner_json_string_at (op, "error", "message", NULL);
  if (_lb_runner_job_run (job)->teardown)
    return g_error_new (LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_OPERATION,
                        _("The workspace could not delete it: %s (error %s). It may still exist: check it in "
                          "the workspace, then tear down again."),
                        message != NULL ? message : _("no reason given"), code != NULL ? code : "UNKNOWN");
  return g_error_new (LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_OPERATION,
                      _("The workspace could not complete it: %s (error %s). Fix the cause, then deploy again: "
                        "it resumes where it stopped."),
                      message != NULL ? message : _("no reason given"), code != NULL ? code : "UNKNOWN");
}

gboolean
_lb_runner_json_bool_member (JsonNode   *node,
                             const char *name)
{
  JsonObject *obj;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  obj = json_node_get_object (node);
  node = json_object_get_member (obj, name);
  /* Not a boolean ({"done": {}}) counts as absent, like a missing member. */
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN &&
         json_node_get_boolean (node);
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
    case LB_DATABRICKS_ERROR_ABORTED:   /* a concurrent change: the same call may go through later */
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

void
_lb_runner_set_string_prop (LbDeploymentRunner  *self,
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

typedef struct
{
  Job          *job;
  Continuation  next;
} Sleeper;

static void
sleeper_free (gpointer data)
{
  Sleeper *sleeper = data;

  _lb_runner_job_unref (sleeper->job);
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

static gboolean
sleep_done_cb (gpointer data)
{
  Sleeper *sleeper = data;
  g_autoptr(Job) job = _lb_runner_job_ref (sleeper->job);
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
  g_autoptr(Job) job = _lb_runner_job_ref (sleeper->job);
  GError *error = NULL;

  clear_sleep (job);
  g_cancellable_set_error_if_cancelled (cancellable, &error);
  _lb_runner_fail_step (job, error);

  return G_SOURCE_REMOVE;
}

static void
sleep_then (Job          *job,
            guint         delay_ms,
            Continuation  next)
{
  GCancellable *cancellable = _lb_runner_job_cancellable (job);
  Sleeper *sleeper = g_new0 (Sleeper, 1);

  g_assert (job->sleep == NULL);

  sleeper->job = _lb_runner_job_ref (job);
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
void
_lb_runner_poll_later (Job          *job,
                       Continuation  next)
{
  LbDeploymentRunner *self = _lb_runner_job_runner (job);
  gint64 deadline = lb_deployment_step_get_deadline (job->step);

  if (deadline != 0 && g_get_monotonic_time () > deadline)
    {
      const char *title = lb_deployment_step_get_title (job->step);
      g_autofree char *waited = lb_deployment_step_format_duration (lb_deployment_step_get_elapsed (job->step));
      GError *error;

      if (job->refusals > 0 && !job->created)
        error = g_error_new (LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_REFUSED,
                             _("%s was not created: for %u tries in %s the workspace answered "
                               "%s (another change in progress) and never showed it. Wait a few minutes, check "
                               "that nothing else is changing it, then deploy again."),
                             title, job->refusals, waited, job->refusal);
      else if (_lb_runner_job_run (job)->teardown)
        error = g_error_new (LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_TIMEOUT,
                             _("%s was not gone after %s; it may still be deleting. "
                               "Check it in the workspace, or tear down again later."), title, waited);
      else if (lb_deployment_step_get_extendable (job->step))
        error = g_error_new (LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_TIMEOUT,
                             _("%s did not finish its initial sync before its deadline (%s): "
                               "%s. It goes on syncing in the workspace: deploy again to follow it (it is adopted, "
                               "not created twice), and extend the deadline while it runs if it needs longer."),
                             title, waited, lb_deployment_step_get_status (job->step));
      else
        error = g_error_new (LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_TIMEOUT,
                             _("%s was not ready after %s; it may still be starting. "
                               "Run the deployment again later to resume."), title, waited);
      _lb_runner_fail_step (job, error);
      return;
    }

  sleep_then (job, backoff_ms (self, job->attempt++), next);
}

/* ---- Step life cycle ---- */

/* The step is over (@error NULL: it succeeded; else taken): let the
 * scheduler start what comes next. */
void
_lb_runner_job_end (Job    *job,
                    GError *error)
{
  Run *run = _lb_runner_job_run (job);

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
void
_lb_runner_fail_step (Job    *job,
                      GError *error)
{
  LbDeploymentRunner *self = _lb_runner_job_runner (job);
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

  _lb_runner_job_end (job, error);
}

void
_lb_runner_finish_step (Job                   *job,
                        LbDeploymentStepState  state,
                        const char            *status)
{
  _lb_deployment_step_set_fraction (job->step, 1);
  _lb_deployment_step_set_status (job->step, status);
  _lb_deployment_step_log (job->step, "%s", status);
  _lb_deployment_step_set_state (job->step, state);
  _lb_runner_job_end (job, NULL);
}

/* The step could not do its work for a reason of its own, which does not
 * undo what the earlier steps did: skipped, saying why. */
void
_lb_runner_skip_step (Job        *job,
                      const char *reason,
                      const char *status)
{
  _lb_deployment_step_set_warning (job->step, reason);
  _lb_deployment_step_log (job->step, "%s", reason);
  _lb_runner_finish_step (job, LB_DEPLOYMENT_STEP_SKIPPED, status);
}

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
    _lb_runner_teardown_delete (job);
  else if (lb_deployment_step_get_kind (step) == LB_DEPLOYMENT_STEP_KIND_IDENTITY)
    _lb_runner_identity_start (job);
  else if (lb_deployment_step_get_kind (step) == LB_DEPLOYMENT_STEP_KIND_CONNECT)
    _lb_runner_connect_start (job);
  else
    {
      LbDeploymentResourceKind kind = lb_deployment_resource_get_kind (job->resource);
      gboolean syncs = kind == LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE;

      /* Every step has a deadline, so nothing waits forever; an initial
       * sync may take hours, so its own is long, shown and extendable. */
      _lb_deployment_step_set_deadline (step, g_get_monotonic_time () +
                                        (gint64) (syncs ? self->sync_timeout_s : self->wait_timeout_s) * G_USEC_PER_SEC,
                                        syncs);
      if (syncs)
        {
          g_autofree char *limit = lb_deployment_step_format_duration (self->sync_timeout_s);

          _lb_deployment_step_log (step, _("Waits up to %s for the initial sync"), limit);
        }
      _lb_runner_resource_probe (job);
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
void
_lb_runner_retry_or_fail (Job          *job,
                          GError       *error,
                          Continuation  next)
{
  if (is_transient (error) && ++job->errors < MAX_TRANSIENT_ERRORS)
    {
      _lb_deployment_step_log (job->step, _("Temporary problem, trying again: %s"), error->message);
      g_error_free (error);
      _lb_runner_poll_later (job, next);
      return;
    }
  _lb_runner_fail_step (job, error);
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
    case PROP_SYNC_TIMEOUT_S:
      g_value_set_uint (value, self->sync_timeout_s);
      break;
    case PROP_PURGE:
      g_value_set_boolean (value, self->purge);
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
    case PROP_SYNC_TIMEOUT_S:
      set_uint_prop (self, &self->sync_timeout_s, g_value_get_uint (value), prop_id);
      break;
    case PROP_PURGE:
      lb_deployment_runner_set_purge (self, g_value_get_boolean (value));
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
  properties[PROP_SYNC_TIMEOUT_S] =
    g_param_spec_uint ("sync-timeout-s", NULL, NULL, 1, G_MAXUINT, 4 * 3600, rw | G_PARAM_CONSTRUCT);
  properties[PROP_PURGE] =
    g_param_spec_boolean ("purge", NULL, NULL, FALSE, rw);
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

gboolean
lb_deployment_runner_get_purge (LbDeploymentRunner *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_RUNNER (self), FALSE);
  return self->purge;
}

void
lb_deployment_runner_set_purge (LbDeploymentRunner *self,
                                gboolean            purge)
{
  g_return_if_fail (LB_IS_DEPLOYMENT_RUNNER (self));

  purge = !!purge;
  if (self->purge == purge)
    return;
  self->purge = purge;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PURGE]);
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
