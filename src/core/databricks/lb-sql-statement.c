/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One statement on a SQL warehouse: submit, poll with backoff, cancel on
 * the warehouse when the caller cancels or the time runs out. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lb-backoff.h"
#include "lb-json.h"
#include "lb-sql-statement.h"
#include "lb-table-sizer.h"

#define STATEMENTS_PATH "/api/2.0/sql/statements"

typedef struct
{
  LbDatabricksClient   *client;
  char                 *statement_id;
  LbSqlStatementOptions options;
  gint64                deadline;    /* monotonic µs */
  guint                 attempt;
  GSource              *wait;        /* between two polls */
  GCancellable         *cancellable; /* the caller's */
  gulong                cancelled_id;
  gboolean              finished;
} Run;

static void
run_free (gpointer data)
{
  Run *run = data;

  if (run->wait != NULL)
    {
      g_source_destroy (run->wait);
      g_source_unref (run->wait);
    }
  if (run->cancelled_id != 0)
    g_cancellable_disconnect (run->cancellable, run->cancelled_id);
  g_clear_object (&run->cancellable);
  g_clear_object (&run->client);
  g_free (run->statement_id);
  g_free (run);
}

static JsonArray *
data_array (JsonObject *statement)
{
  JsonObject *result = lb_json_member_object (statement, "result");
  JsonNode *node = result != NULL ? json_object_get_member (result, "data_array") : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static void
clear_wait (Run *run)
{
  if (run->wait == NULL)
    return;
  g_source_destroy (run->wait);
  g_clear_pointer (&run->wait, g_source_unref);
}

/* Ends the task with @error (owned); @error NULL: success with @statement. */
static void
finish (GTask      *task,
        GError     *error,
        JsonObject *statement)
{
  Run *run = g_task_get_task_data (task);

  if (run->finished)
    {
      g_clear_error (&error);
      return;
    }
  run->finished = TRUE;
  clear_wait (run);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, json_object_ref (statement), (GDestroyNotify) json_object_unref);
}

typedef struct
{
  GTask  *task;
  GError *error;
} Cancel;

static void
cancel_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Cancel *cancel = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  /* Best effort: a statement that already ended cannot be canceled. */
  node = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (object), result, &error);
  if (error != NULL)
    g_debug ("Canceling a statement: %s", error->message);
  finish (cancel->task, cancel->error, NULL);
  g_object_unref (cancel->task);
  g_free (cancel);
}

/* Cancels the statement on the warehouse (when it has an id), then ends
 * the task with @error: nothing is left running once the caller hears. */
static void
cancel_then_finish (GTask  *task,
                    GError *error)
{
  Run *run = g_task_get_task_data (task);
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;
  Cancel *cancel;

  clear_wait (run);
  if (run->statement_id == NULL)
    {
      finish (task, error, NULL);
      return;
    }

  cancel = g_new0 (Cancel, 1);
  cancel->task = g_object_ref (task);
  cancel->error = error;
  escaped = g_uri_escape_string (run->statement_id, NULL, FALSE);
  path = g_strdup_printf (STATEMENTS_PATH "/%s/cancel", escaped);
  lb_databricks_client_call_async (run->client, "POST", path, NULL, NULL, LB_CALL_IDEMPOTENT,
                                   NULL, cancel_done_cb, cancel);
}

static GError *
cancelled_error (void)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The statement was canceled"));
}

static gboolean
cancelled_idle_cb (gpointer user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);

  /* Only a wait ends here; a call in flight ends when it returns. */
  if (!run->finished && run->wait != NULL)
    cancel_then_finish (task, cancelled_error ());
  return G_SOURCE_REMOVE;
}

static void
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GSource) source = g_idle_source_new ();

  /* Through an idle in the task's context: this may run in another thread. */
  g_source_set_callback (source, cancelled_idle_cb, g_object_ref (task), g_object_unref);
  g_source_attach (source, g_task_get_context (task));
}

static void poll_statement (GTask *task);

static gboolean
wait_done_cb (gpointer user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);

  g_clear_pointer (&run->wait, g_source_unref);
  poll_statement (task);

  return G_SOURCE_REMOVE;
}

static void
call_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;
  JsonObject *statement;
  JsonObject *status;
  const char *state;

  node = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (object), result, &error);
  statement = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  if (run->statement_id == NULL)
    run->statement_id = g_strdup (lb_json_member_string (statement, "statement_id"));

  if (run->finished)
    {
      g_clear_error (&error);
      return;
    }
  if (g_cancellable_is_cancelled (run->cancellable))
    {
      g_clear_error (&error);
      cancel_then_finish (task, cancelled_error ());
      return;
    }
  if (error != NULL)
    {
      finish (task, error, NULL);
      return;
    }

  status = lb_json_member_object (statement, "status");
  state = lb_json_member_string (status, "state");
  if (state == NULL || run->statement_id == NULL)
    {
      finish (task, g_error_new (LB_TABLE_SIZER_ERROR, LB_TABLE_SIZER_ERROR_MALFORMED,
                                 _("The warehouse’s answer has no statement state")), NULL);
      return;
    }

  if (g_str_equal (state, "SUCCEEDED"))
    {
      finish (task, NULL, statement);
      return;
    }

  if (g_str_equal (state, "FAILED"))
    {
      JsonObject *failure = lb_json_member_object (status, "error");
      const char *code = lb_json_member_string (failure, "error_code");
      const char *message = lb_json_member_string (failure, "message");

      finish (task, g_error_new (LB_TABLE_SIZER_ERROR, LB_TABLE_SIZER_ERROR_FAILED, "%s: %s",
                                 code != NULL ? code : "FAILED",
                                 message != NULL ? message : _("the statement failed without a message")), NULL);
      return;
    }

  if (g_str_equal (state, "CANCELED") || g_str_equal (state, "CLOSED"))
    {
      finish (task, g_error_new (LB_TABLE_SIZER_ERROR, LB_TABLE_SIZER_ERROR_CANCELED,
                                 _("The statement was canceled on the warehouse")), NULL);
      return;
    }

  if (g_get_monotonic_time () >= run->deadline)
    {
      cancel_then_finish (task, g_error_new (LB_TABLE_SIZER_ERROR, LB_TABLE_SIZER_ERROR_TIMEOUT,
                                             _("The statement took longer than %u s; it was canceled"),
                                             run->options.timeout_ms / 1000));
      return;
    }

  /* PENDING (a stopped warehouse starting) or RUNNING: poll again. */
  run->wait = g_timeout_source_new (lb_backoff_delay_ms (run->options.poll_base_ms, run->attempt++,
                                                         run->options.poll_max_ms));
  g_source_set_callback (run->wait, wait_done_cb, g_object_ref (task), g_object_unref);
  g_source_attach (run->wait, g_task_get_context (task));
}

static void
poll_statement (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  g_autofree char *escaped = g_uri_escape_string (run->statement_id, NULL, FALSE);
  g_autofree char *path = g_strdup_printf (STATEMENTS_PATH "/%s", escaped);

  lb_databricks_client_call_async (run->client, "GET", path, NULL, NULL, LB_CALL_IDEMPOTENT,
                                   run->cancellable, call_cb, g_object_ref (task));
}

void
lb_sql_statement_execute_async (LbDatabricksClient          *client,
                                const char                  *warehouse_id,
                                const char                  *statement,
                                const LbSqlStatementOptions *options,
                                GCancellable                *cancellable,
                                GAsyncReadyCallback          callback,
                                gpointer                     user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) body = NULL;
  Run *run;

  g_return_if_fail (LB_IS_DATABRICKS_CLIENT (client));
  g_return_if_fail (statement != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_sql_statement_execute_async);
  /* Cancellation is ours: the statement is canceled on the warehouse
   * before the task returns. */
  g_task_set_check_cancellable (task, FALSE);

  if (warehouse_id == NULL || warehouse_id[0] == '\0')
    {
      g_task_return_new_error (task, LB_TABLE_SIZER_ERROR, LB_TABLE_SIZER_ERROR_NO_WAREHOUSE,
                               _("Pick a SQL warehouse to run the statement on"));
      return;
    }

  run = g_new0 (Run, 1);
  run->client = g_object_ref (client);
  run->options.poll_base_ms = options != NULL && options->poll_base_ms > 0 ? options->poll_base_ms : 1000;
  run->options.poll_max_ms = options != NULL && options->poll_max_ms > 0 ? options->poll_max_ms : 10000;
  run->options.timeout_ms = options != NULL && options->timeout_ms > 0 ? options->timeout_ms : 20 * 60 * 1000;
  run->deadline = g_get_monotonic_time () + (gint64) run->options.timeout_ms * 1000;
  run->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  g_task_set_task_data (task, run, run_free);
  if (cancellable != NULL)
    run->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), task, NULL);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "warehouse_id");
  json_builder_add_string_value (builder, warehouse_id);
  json_builder_set_member_name (builder, "statement");
  json_builder_add_string_value (builder, statement);
  json_builder_set_member_name (builder, "wait_timeout");
  json_builder_add_string_value (builder, "10s");
  json_builder_set_member_name (builder, "on_wait_timeout");
  json_builder_add_string_value (builder, "CONTINUE");
  json_builder_set_member_name (builder, "disposition");
  json_builder_add_string_value (builder, "INLINE");
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, "JSON_ARRAY");
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  /* No cancellable on the submit: it is let finish so that the statement it
   * starts can be canceled by its id. Not idempotent (an ALTER twice is
   * harmless, a resend of other statements may not be). */
  lb_databricks_client_call_async (client, "POST", STATEMENTS_PATH, NULL, body, LB_CALL_DEFAULT,
                                   NULL, call_cb, g_steal_pointer (&task));
}

JsonObject *
lb_sql_statement_execute_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lb_sql_statement_execute_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

int
lb_sql_statement_find_column (JsonObject *statement,
                              const char *name)
{
  JsonObject *schema = lb_json_member_object (lb_json_member_object (statement, "manifest"), "schema");
  JsonNode *node = schema != NULL ? json_object_get_member (schema, "columns") : NULL;
  JsonArray *columns;

  g_return_val_if_fail (name != NULL, -1);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return -1;

  columns = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (columns); i++)
    {
      JsonNode *column = json_array_get_element (columns, i);
      const char *column_name = JSON_NODE_HOLDS_OBJECT (column)
        ? lb_json_member_string (json_node_get_object (column), "name") : NULL;

      if (column_name != NULL && g_ascii_strcasecmp (column_name, name) == 0)
        return (int) i;
    }

  return -1;
}

guint
lb_sql_statement_get_n_rows (JsonObject *statement)
{
  JsonArray *rows = data_array (statement);

  return rows != NULL ? json_array_get_length (rows) : 0;
}

const char *
lb_sql_statement_get_cell (JsonObject *statement,
                           guint       row,
                           int         column)
{
  JsonArray *rows = data_array (statement);
  JsonNode *row_node;
  JsonArray *cells;
  JsonNode *cell;

  if (rows == NULL || column < 0 || row >= json_array_get_length (rows))
    return NULL;

  row_node = json_array_get_element (rows, row);
  if (!JSON_NODE_HOLDS_ARRAY (row_node))
    return NULL;
  cells = json_node_get_array (row_node);
  if ((guint) column >= json_array_get_length (cells))
    return NULL;

  cell = json_array_get_element (cells, column);
  if (!JSON_NODE_HOLDS_VALUE (cell) || json_node_get_value_type (cell) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (cell);
}

char *
lb_sql_quote_table_name (const char *table_name)
{
  g_auto(GStrv) parts = NULL;
  GString *quoted;

  g_return_val_if_fail (table_name != NULL, NULL);

  quoted = g_string_new (NULL);
  parts = g_strsplit (table_name, ".", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autoptr(GString) part = g_string_new (parts[i]);

      g_string_replace (part, "`", "``", 0);
      g_string_append_printf (quoted, "%s`%s`", i > 0 ? "." : "", part->str);
    }

  return g_string_free (quoted, FALSE);
}
