/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One-time Jobs runs over LbDatabricksClient: submit, runs/get parsed into
 * LbJobRun, cancel, and a task's output. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lb-jobs-client.h"

#define JOBS_PREFIX "/api/2.2/jobs/runs"

G_DEFINE_BOXED_TYPE (LbJobTask, lb_job_task, lb_job_task_copy, lb_job_task_free)
G_DEFINE_BOXED_TYPE (LbJobRun, lb_job_run, lb_job_run_copy, lb_job_run_free)

/* Boxed types ---------------------------------------------------------------- */

LbJobTask *
lb_job_task_copy (const LbJobTask *task)
{
  LbJobTask *copy;

  g_return_val_if_fail (task != NULL, NULL);

  copy = g_new0 (LbJobTask, 1);
  *copy = *task;
  copy->task_key = g_strdup (task->task_key);
  copy->life_cycle_state = g_strdup (task->life_cycle_state);
  copy->result_state = g_strdup (task->result_state);
  copy->state_message = g_strdup (task->state_message);
  return copy;
}

void
lb_job_task_free (LbJobTask *task)
{
  if (task == NULL)
    return;
  g_free (task->task_key);
  g_free (task->life_cycle_state);
  g_free (task->result_state);
  g_free (task->state_message);
  g_free (task);
}

LbJobRun *
lb_job_run_copy (const LbJobRun *run)
{
  LbJobRun *copy;

  g_return_val_if_fail (run != NULL, NULL);

  copy = g_new0 (LbJobRun, 1);
  copy->run_id = run->run_id;
  copy->life_cycle_state = g_strdup (run->life_cycle_state);
  copy->result_state = g_strdup (run->result_state);
  copy->state_message = g_strdup (run->state_message);
  copy->run_page_url = g_strdup (run->run_page_url);
  copy->tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_job_task_free);
  for (guint i = 0; run->tasks != NULL && i < run->tasks->len; i++)
    g_ptr_array_add (copy->tasks, lb_job_task_copy (g_ptr_array_index (run->tasks, i)));
  return copy;
}

void
lb_job_run_free (LbJobRun *run)
{
  if (run == NULL)
    return;
  g_free (run->life_cycle_state);
  g_free (run->result_state);
  g_free (run->state_message);
  g_free (run->run_page_url);
  g_clear_pointer (&run->tasks, g_ptr_array_unref);
  g_free (run);
}

LbJobTask *
lb_job_run_get_task (LbJobRun   *run,
                     const char *task_key)
{
  g_return_val_if_fail (run != NULL, NULL);
  g_return_val_if_fail (task_key != NULL, NULL);

  for (guint i = 0; i < run->tasks->len; i++)
    {
      LbJobTask *task = g_ptr_array_index (run->tasks, i);

      if (g_strcmp0 (task->task_key, task_key) == 0)
        return task;
    }
  return NULL;
}

static gboolean
state_is_terminal (const char *life_cycle_state)
{
  return g_strcmp0 (life_cycle_state, "TERMINATED") == 0 ||
         g_strcmp0 (life_cycle_state, "SKIPPED") == 0 ||
         g_strcmp0 (life_cycle_state, "INTERNAL_ERROR") == 0;
}

gboolean
lb_job_run_is_terminal (const LbJobRun *run)
{
  g_return_val_if_fail (run != NULL, FALSE);

  return state_is_terminal (run->life_cycle_state);
}

gboolean
lb_job_task_is_terminal (const LbJobTask *task)
{
  g_return_val_if_fail (task != NULL, FALSE);

  return state_is_terminal (task->life_cycle_state);
}

/* Parsing ---------------------------------------------------------------- */

static gint64
int_member (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      return json_node_get_int (node);
    case G_TYPE_DOUBLE:
      return (gint64) json_node_get_double (node);
    case G_TYPE_STRING:
      /* int64 fields may come as strings in proto-JSON. */
      return g_ascii_strtoll (json_node_get_string (node), NULL, 10);
    default:
      return 0;
    }
}

static char *
dup_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_node_get_string (node));
}

static JsonObject *
object_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* state {life_cycle_state, result_state, state_message}. */
static void
parse_state (JsonObject  *object,
             char       **life_cycle_state,
             char       **result_state,
             char       **state_message)
{
  JsonObject *state = object_member (object, "state");

  *life_cycle_state = dup_string_member (state, "life_cycle_state");
  *result_state = dup_string_member (state, "result_state");
  *state_message = dup_string_member (state, "state_message");
  if (*life_cycle_state == NULL)
    *life_cycle_state = g_strdup ("PENDING");
  if (*state_message == NULL)
    *state_message = g_strdup ("");
}

LbJobRun *
lb_job_run_new_from_json (JsonNode  *node,
                          GError   **error)
{
  g_autoptr(LbJobRun) run = NULL;
  JsonObject *object;
  JsonNode *tasks;

  g_return_val_if_fail (node != NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node) || int_member (json_node_get_object (node), "run_id") <= 0)
    {
      g_set_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_MALFORMED,
                   _("MALFORMED_RESPONSE: a Jobs run is not a JSON object with a run_id"));
      return NULL;
    }
  object = json_node_get_object (node);

  run = g_new0 (LbJobRun, 1);
  run->run_id = int_member (object, "run_id");
  parse_state (object, &run->life_cycle_state, &run->result_state, &run->state_message);
  run->run_page_url = dup_string_member (object, "run_page_url");
  run->tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_job_task_free);

  tasks = json_object_get_member (object, "tasks");
  if (tasks != NULL && JSON_NODE_HOLDS_ARRAY (tasks))
    {
      JsonArray *array = json_node_get_array (tasks);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          JsonObject *item;
          LbJobTask *task;

          if (!JSON_NODE_HOLDS_OBJECT (element))
            continue;
          item = json_node_get_object (element);
          task = g_new0 (LbJobTask, 1);
          task->task_key = dup_string_member (item, "task_key");
          task->run_id = int_member (item, "run_id");
          parse_state (item, &task->life_cycle_state, &task->result_state, &task->state_message);
          task->start_time = int_member (item, "start_time");
          task->end_time = int_member (item, "end_time");
          task->execution_duration = int_member (item, "execution_duration");
          g_ptr_array_add (run->tasks, task);
        }
    }

  return g_steal_pointer (&run);
}

/* Calls --------------------------------------------------------------------- */

static JsonNode *
run_id_body (gint64 run_id)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "run_id");
  json_builder_add_int_value (builder, run_id);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
submit_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (object), result, &error);
  gint64 run_id;

  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  run_id = JSON_NODE_HOLDS_OBJECT (node) ? int_member (json_node_get_object (node), "run_id") : 0;
  if (run_id <= 0)
    {
      g_task_return_new_error (task, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_MALFORMED,
                               _("MALFORMED_RESPONSE: the Jobs API accepted the run but sent no run_id"));
      return;
    }

  g_task_return_int (task, run_id);
}

void
lb_jobs_submit_run_async (LbDatabricksClient  *client,
                          JsonNode            *spec,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  LbCallFlags flags = LB_CALL_DEFAULT;
  GTask *task;
  JsonObject *object;

  g_return_if_fail (LB_IS_DATABRICKS_CLIENT (client));
  g_return_if_fail (spec != NULL && JSON_NODE_HOLDS_OBJECT (spec));

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_jobs_submit_run_async);

  /* With a token the server answers a resent submit with the first run,
   * so a network error never starts a second load. */
  object = json_node_get_object (spec);
  if (json_object_get_string_member_with_default (object, "idempotency_token", NULL) != NULL)
    flags |= LB_CALL_IDEMPOTENT;

  lb_databricks_client_call_async (client, "POST", JOBS_PREFIX "/submit", NULL, spec, flags,
                                   cancellable, submit_cb, task);
}

gint64
lb_jobs_submit_run_finish (LbDatabricksClient  *client,
                           GAsyncResult        *result,
                           GError             **error)
{
  gint64 run_id;

  g_return_val_if_fail (LB_IS_DATABRICKS_CLIENT (client), 0);
  g_return_val_if_fail (g_task_is_valid (result, client), 0);

  run_id = g_task_propagate_int (G_TASK (result), error);
  /* GTask gives -1 on an error; run ids are positive. */
  return run_id > 0 ? run_id : 0;
}

static void
get_run_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (object), result, &error);
  LbJobRun *run;

  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  run = lb_job_run_new_from_json (node, &error);
  if (run == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, run, (GDestroyNotify) lb_job_run_free);
}

void
lb_jobs_get_run_async (LbDatabricksClient  *client,
                       gint64               run_id,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, run_id);
  const char *query[] = { "run_id", id, NULL };
  GTask *task;

  g_return_if_fail (LB_IS_DATABRICKS_CLIENT (client));
  g_return_if_fail (run_id > 0);

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_jobs_get_run_async);
  lb_databricks_client_call_async (client, "GET", JOBS_PREFIX "/get", query, NULL, LB_CALL_IDEMPOTENT,
                                   cancellable, get_run_cb, task);
}

LbJobRun *
lb_jobs_get_run_finish (LbDatabricksClient  *client,
                        GAsyncResult        *result,
                        GError             **error)
{
  g_return_val_if_fail (LB_IS_DATABRICKS_CLIENT (client), NULL);
  g_return_val_if_fail (g_task_is_valid (result, client), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
cancel_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (object), result, &error);

  if (node == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
lb_jobs_cancel_run_async (LbDatabricksClient  *client,
                          gint64               run_id,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(JsonNode) body = NULL;
  GTask *task;

  g_return_if_fail (LB_IS_DATABRICKS_CLIENT (client));
  g_return_if_fail (run_id > 0);

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_jobs_cancel_run_async);
  body = run_id_body (run_id);
  /* Cancelling twice is the same as once. */
  lb_databricks_client_call_async (client, "POST", JOBS_PREFIX "/cancel", NULL, body, LB_CALL_IDEMPOTENT,
                                   cancellable, cancel_cb, task);
}

gboolean
lb_jobs_cancel_run_finish (LbDatabricksClient  *client,
                           GAsyncResult        *result,
                           GError             **error)
{
  g_return_val_if_fail (LB_IS_DATABRICKS_CLIENT (client), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, client), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
get_output_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (object), result, &error);

  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_task_return_new_error (task, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_MALFORMED,
                               _("MALFORMED_RESPONSE: the output of a Jobs task is not a JSON object"));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&node), (GDestroyNotify) json_node_unref);
}

void
lb_jobs_get_output_async (LbDatabricksClient  *client,
                          gint64               task_run_id,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, task_run_id);
  const char *query[] = { "run_id", id, NULL };
  GTask *task;

  g_return_if_fail (LB_IS_DATABRICKS_CLIENT (client));
  g_return_if_fail (task_run_id > 0);

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_jobs_get_output_async);
  lb_databricks_client_call_async (client, "GET", JOBS_PREFIX "/get-output", query, NULL, LB_CALL_IDEMPOTENT,
                                   cancellable, get_output_cb, task);
}

gboolean
lb_jobs_get_output_finish (LbDatabricksClient  *client,
                           GAsyncResult        *result,
                           char               **error_text,
                           char               **error_trace,
                           char               **logs,
                           GError             **error)
{
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  g_return_val_if_fail (LB_IS_DATABRICKS_CLIENT (client), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, client), FALSE);

  node = g_task_propagate_pointer (G_TASK (result), error);
  if (node == NULL)
    return FALSE;

  object = json_node_get_object (node);
  if (error_text != NULL)
    *error_text = dup_string_member (object, "error");
  if (error_trace != NULL)
    *error_trace = dup_string_member (object, "error_trace");
  if (logs != NULL)
    *logs = dup_string_member (object, "logs");
  return TRUE;
}
