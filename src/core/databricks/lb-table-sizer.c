/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbTableSizer: the warehouse list, and the tables measured through the SQL
 * Statement Execution API, several statements at once, each polled with
 * backoff until it ends, times out or is cancelled; plus the table_sizes
 * JSON. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-backoff.h"
#include "lb-table-sizer.h"
#include "lb-table-sizer-private.h"

#define DEFAULT_MAX_PARALLEL  4
#define DEFAULT_POLL_BASE_MS  1000
#define DEFAULT_POLL_MAX_MS   10000
#define DEFAULT_TIMEOUT_MS    (20 * 60 * 1000)
#define STATEMENTS_PATH       "/api/2.0/sql/statements"

struct _LbTableSizer
{
  GObject             parent_instance;

  LbDatabricksClient *client;
  char               *warehouse_id;
  guint               max_parallel;
  guint               poll_base_ms;
  guint               poll_max_ms;
  guint               timeout_ms;
  gboolean            busy;
};

G_DEFINE_FINAL_TYPE (LbTableSizer, lb_table_sizer, G_TYPE_OBJECT)
G_DEFINE_QUARK (lb-table-sizer-error-quark, lb_table_sizer_error)
G_DEFINE_BOXED_TYPE (LbWarehouse, lb_warehouse, lb_warehouse_copy, lb_warehouse_free)
G_DEFINE_BOXED_TYPE (LbTableSize, lb_table_size, lb_table_size_copy, lb_table_size_free)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_WAREHOUSE_ID,
  PROP_MAX_PARALLEL,
  PROP_POLL_BASE_MS,
  PROP_POLL_MAX_MS,
  PROP_TIMEOUT_MS,
  N_PROPS
};

enum {
  TABLE_MEASURED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef enum
{
  JOB_QUEUED,
  JOB_SUBMITTING,   /* POST in flight: no statement id yet */
  JOB_POLLING,      /* GET in flight */
  JOB_WAITING,      /* between two polls */
  JOB_DONE,
} JobState;

typedef struct
{
  GTask       *task;            /* borrowed: the measurement owns its jobs */
  char        *table_name;
  char        *statement_id;
  JobState     state;
  guint        attempt;
  guint        wait_source;
  gint64       deadline;        /* monotonic µs */
  LbTableSize *result;
} Job;

typedef struct
{
  GPtrArray    *jobs;
  guint         next;             /* first job not started yet */
  guint         active;           /* jobs started and not done */
  guint         cancels_pending;  /* POST …/cancel in flight */
  gboolean      cancelled;
  gboolean      returned;
  gulong        cancelled_id;
  GCancellable *polls;            /* cancels polls and waits, never a submit */
} Measurement;

/* Values -------------------------------------------------------------------- */

LbWarehouse *
lb_warehouse_copy (const LbWarehouse *self)
{
  LbWarehouse *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (LbWarehouse, 1);
  copy->id = g_strdup (self->id);
  copy->name = g_strdup (self->name);
  copy->state = g_strdup (self->state);
  copy->size = g_strdup (self->size);
  copy->serverless = self->serverless;

  return copy;
}

void
lb_warehouse_free (LbWarehouse *self)
{
  if (self == NULL)
    return;

  g_free (self->id);
  g_free (self->name);
  g_free (self->state);
  g_free (self->size);
  g_free (self);
}

LbTableSize *
lb_table_size_new (const char   *table_name,
                   gint64        uncompressed_bytes,
                   const GError *error)
{
  LbTableSize *self;

  g_return_val_if_fail (table_name != NULL, NULL);

  self = g_new0 (LbTableSize, 1);
  self->table_name = g_strdup (table_name);
  self->uncompressed_bytes = error != NULL ? -1 : uncompressed_bytes;
  self->error = error != NULL ? g_error_copy (error) : NULL;

  return self;
}

LbTableSize *
lb_table_size_copy (const LbTableSize *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return lb_table_size_new (self->table_name, self->uncompressed_bytes, self->error);
}

void
lb_table_size_free (LbTableSize *self)
{
  if (self == NULL)
    return;

  g_free (self->table_name);
  g_clear_error (&self->error);
  g_free (self);
}

char *
lb_table_sizer_build_statement (const char *table_name)
{
  g_auto(GStrv) parts = NULL;
  GString *statement;

  g_return_val_if_fail (table_name != NULL, NULL);

  statement = g_string_new ("SELECT COALESCE(SUM(LEN(TO_CSV(STRUCT(*))) + 32), 0) FROM ");
  parts = g_strsplit (table_name, ".", -1);

  /* Backticks keep names with "-" (allowed in the workload) one identifier;
   * a backtick inside a part is doubled, as Databricks SQL expects. */
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autoptr(GString) part = g_string_new (parts[i]);

      g_string_replace (part, "`", "``", 0);
      g_string_append_printf (statement, "%s`%s`", i > 0 ? "." : "", part->str);
    }

  return g_string_free (statement, FALSE);
}

const char *
lb_table_sizes_get_note (void)
{
  return _("Sizes are the uncompressed row data measured on the SQL warehouse. The same data in "
           "PostgreSQL often takes 5–10× the size of the Delta table’s files.");
}

static double
bytes_to_mb (gint64 bytes)
{
  /* MB = bytes / 1024², kept to two decimals like the web tool shows them. */
  return round ((double) bytes / (1024.0 * 1024.0) * 100.0) / 100.0;
}

JsonNode *
lb_table_sizes_to_json (GPtrArray *sizes)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  gint64 total = 0;

  g_return_val_if_fail (sizes != NULL, NULL);

  for (guint i = 0; i < sizes->len; i++)
    {
      const LbTableSize *size = g_ptr_array_index (sizes, i);

      if (size->error == NULL && size->uncompressed_bytes > 0)
        total += size->uncompressed_bytes;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "total_uncompressed_bytes");
  json_builder_add_int_value (builder, total);
  json_builder_set_member_name (builder, "total_size_mb");
  json_builder_add_double_value (builder, bytes_to_mb (total));
  json_builder_set_member_name (builder, "table_details");
  json_builder_begin_array (builder);
  for (guint i = 0; i < sizes->len; i++)
    {
      const LbTableSize *size = g_ptr_array_index (sizes, i);
      gint64 bytes = size->error == NULL ? MAX (size->uncompressed_bytes, 0) : 0;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "table_name");
      json_builder_add_string_value (builder, size->table_name);
      json_builder_set_member_name (builder, "uncompressed_bytes");
      json_builder_add_int_value (builder, bytes);
      json_builder_set_member_name (builder, "size_mb");
      json_builder_add_double_value (builder, bytes_to_mb (bytes));
      if (size->error != NULL)
        {
          json_builder_set_member_name (builder, "error");
          json_builder_add_string_value (builder, size->error->message);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "note");
  json_builder_add_string_value (builder, lb_table_sizes_get_note ());
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* Warehouses ---------------------------------------------------------------- */

static const char *
object_get_string (JsonObject *object,
                   const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL ||
      !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static JsonObject *
object_get_object (JsonObject *object,
                   const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  return json_node_get_object (node);
}

static int
warehouse_rank (const LbWarehouse *warehouse)
{
  gboolean running = g_strcmp0 (warehouse->state, "RUNNING") == 0;

  if (running && warehouse->serverless)
    return 0;
  if (running)
    return 1;
  if (warehouse->serverless)
    return 2;
  return 3;
}

static int
compare_warehouses (gconstpointer a,
                    gconstpointer b)
{
  const LbWarehouse *wa = *(LbWarehouse * const *) a;
  const LbWarehouse *wb = *(LbWarehouse * const *) b;
  int rank = warehouse_rank (wa) - warehouse_rank (wb);

  if (rank != 0)
    return rank;

  return g_utf8_collate (wa->name != NULL ? wa->name : "", wb->name != NULL ? wb->name : "");
}

/* The warehouses of a GET /api/2.0/sql/warehouses listing, best pick first. */
GPtrArray *
_lb_table_sizer_warehouses_from_json (JsonArray *items)
{
  g_autoptr(GPtrArray) warehouses = NULL;

  warehouses = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_warehouse_free);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *node = json_array_get_element (items, i);
      JsonObject *object_ = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonNode *serverless;
      LbWarehouse *warehouse;

      if (object_get_string (object_, "id") == NULL)
        continue;   /* nothing the user could pick */

      warehouse = g_new0 (LbWarehouse, 1);
      warehouse->id = g_strdup (object_get_string (object_, "id"));
      warehouse->name = g_strdup (object_get_string (object_, "name") ?: warehouse->id);
      warehouse->state = g_strdup (object_get_string (object_, "state") ?: "UNKNOWN");
      warehouse->size = g_strdup (object_get_string (object_, "cluster_size"));
      serverless = json_object_get_member (object_, "enable_serverless_compute");
      warehouse->serverless = serverless != NULL && JSON_NODE_HOLDS_VALUE (serverless) &&
                              json_node_get_value_type (serverless) == G_TYPE_BOOLEAN &&
                              json_node_get_boolean (serverless);
      g_ptr_array_add (warehouses, warehouse);
    }

  g_ptr_array_sort (warehouses, compare_warehouses);
  return g_steal_pointer (&warehouses);
}

static void
list_warehouses_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonArray) items = NULL;
  GError *error = NULL;

  items = lb_databricks_client_list_finish (LB_DATABRICKS_CLIENT (object), result, &error);
  if (items == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, _lb_table_sizer_warehouses_from_json (items), (GDestroyNotify) g_ptr_array_unref);
}

void
lb_table_sizer_list_warehouses_async (LbTableSizer        *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LB_IS_TABLE_SIZER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_table_sizer_list_warehouses_async);

  lb_databricks_client_list_async (self->client, "/api/2.0/sql/warehouses", NULL, "warehouses",
                                   cancellable, list_warehouses_cb, g_steal_pointer (&task));
}

GPtrArray *
lb_table_sizer_list_warehouses_finish (LbTableSizer  *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (LB_IS_TABLE_SIZER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Measuring ----------------------------------------------------------------- */

static void job_submit       (Job  *job);
static void job_poll         (Job  *job);
static void start_more       (GTask *task);
static void maybe_complete   (GTask *task);

static void
job_clear_wait (Job *job)
{
  GSource *source;

  if (job->wait_source == 0)
    return;

  source = g_main_context_find_source_by_id (g_task_get_context (job->task), job->wait_source);
  if (source != NULL)
    g_source_destroy (source);
  job->wait_source = 0;
}

static void
job_free (gpointer data)
{
  Job *job = data;

  job_clear_wait (job);
  g_free (job->table_name);
  g_free (job->statement_id);
  g_clear_pointer (&job->result, lb_table_size_free);
  g_free (job);
}

static void
measurement_free (gpointer data)
{
  Measurement *measurement = data;

  g_clear_pointer (&measurement->jobs, g_ptr_array_unref);
  g_clear_object (&measurement->polls);
  g_free (measurement);
}

static guint
poll_delay_ms (LbTableSizer *self,
               guint         attempt)
{
  /* Half fixed, half jitter: parallel statements do not poll in lockstep. */
  return lb_backoff_delay_ms (self->poll_base_ms, attempt, self->poll_max_ms);
}

static void
cancel_statement_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Measurement *measurement = g_task_get_task_data (task);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (object), result, &error);
  /* Best effort: a statement that already ended cannot be canceled, and
   * that is fine. */
  if (error != NULL)
    g_debug ("Canceling a size statement: %s", error->message);

  measurement->cancels_pending--;
  maybe_complete (task);
}

/* Sends POST …/cancel for @job's statement and does not wait for it here:
 * the measurement completes once every cancel has been answered. */
static void
job_cancel_on_server (Job *job)
{
  LbTableSizer *self = g_task_get_source_object (job->task);
  Measurement *measurement = g_task_get_task_data (job->task);
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  if (job->statement_id == NULL)
    return;

  escaped = g_uri_escape_string (job->statement_id, NULL, FALSE);
  path = g_strdup_printf (STATEMENTS_PATH "/%s/cancel", escaped);
  measurement->cancels_pending++;
  lb_databricks_client_call_async (self->client, "POST", path, NULL, NULL, LB_CALL_IDEMPOTENT,
                                   NULL, cancel_statement_cb, g_object_ref (job->task));
}

static void
job_finish (Job          *job,
            gint64        bytes,
            const GError *error)
{
  GTask *task = job->task;
  Measurement *measurement = g_task_get_task_data (task);

  g_assert (job->state != JOB_DONE);

  job->state = JOB_DONE;
  job_clear_wait (job);
  measurement->active--;

  if (!measurement->cancelled)
    {
      job->result = lb_table_size_new (job->table_name, bytes, error);
      g_signal_emit (g_task_get_source_object (task), signals[TABLE_MEASURED], 0,
                     job->table_name, job->result->uncompressed_bytes, job->result->error);
    }

  start_more (task);
  maybe_complete (task);
}

gboolean
_lb_table_sizer_parse_bytes (JsonObject *statement,
                             gint64     *bytes)
{
  JsonObject *result = object_get_object (statement, "result");
  JsonNode *data;
  JsonArray *rows;
  JsonArray *row;
  JsonNode *cell;

  if (result == NULL || (data = json_object_get_member (result, "data_array")) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (data))
    return FALSE;

  rows = json_node_get_array (data);
  if (json_array_get_length (rows) < 1 ||
      !JSON_NODE_HOLDS_ARRAY (json_array_get_element (rows, 0)))
    return FALSE;

  row = json_array_get_array_element (rows, 0);
  if (json_array_get_length (row) < 1)
    return FALSE;

  cell = json_array_get_element (row, 0);
  if (JSON_NODE_HOLDS_NULL (cell))
    {
      *bytes = 0;   /* SUM over no rows, should COALESCE ever be dropped */
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (cell))
    return FALSE;

  /* JSON_ARRAY results carry every value as a string; tolerate numbers. */
  switch (json_node_get_value_type (cell))
    {
    case G_TYPE_STRING:
      {
        guint64 value;

        if (!g_ascii_string_to_unsigned (json_node_get_string (cell), 10, 0, G_MAXINT64, &value, NULL))
          return FALSE;
        *bytes = (gint64) value;
        return TRUE;
      }
    case G_TYPE_INT64:
      *bytes = MAX (json_node_get_int (cell), 0);
      return TRUE;
    case G_TYPE_DOUBLE:
      *bytes = (gint64) MAX (json_node_get_double (cell), 0.0);
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
wait_done_cb (gpointer user_data)
{
  Job *job = user_data;

  job->wait_source = 0;
  job_poll (job);

  return G_SOURCE_REMOVE;
}

/* One answer about a statement, from the submit or from a poll. */
static void
job_handle_statement (Job      *job,
                      JsonNode *node)
{
  LbTableSizer *self = g_task_get_source_object (job->task);
  JsonObject *statement = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonObject *status = object_get_object (statement, "status");
  const char *state = object_get_string (status, "state");
  g_autoptr(GSource) source = NULL;
  g_autoptr(GError) error = NULL;
  gint64 bytes = 0;

  if (job->statement_id == NULL)
    job->statement_id = g_strdup (object_get_string (statement, "statement_id"));

  if (state == NULL || job->statement_id == NULL)
    {
      g_set_error (&error, LB_TABLE_SIZER_ERROR, LB_TABLE_SIZER_ERROR_MALFORMED,
                   _("The warehouse’s answer about “%s” has no statement state"), job->table_name);
      job_finish (job, -1, error);
      return;
    }

  if (g_str_equal (state, "SUCCEEDED"))
    {
      if (!_lb_table_sizer_parse_bytes (statement, &bytes))
        {
          g_set_error (&error, LB_TABLE_SIZER_ERROR, LB_TABLE_SIZER_ERROR_MALFORMED,
                       _("The size of “%s” came back without a number"), job->table_name);
          job_finish (job, -1, error);
          return;
        }

      job_finish (job, bytes, NULL);
      return;
    }

  if (g_str_equal (state, "FAILED"))
    {
      JsonObject *failure = object_get_object (status, "error");
      const char *code = object_get_string (failure, "error_code");
      const char *message = object_get_string (failure, "message");

      g_set_error (&error, LB_TABLE_SIZER_ERROR, LB_TABLE_SIZER_ERROR_FAILED,
                   "%s: %s", code != NULL ? code : "FAILED",
                   message != NULL ? message : _("the statement failed without a message"));
      job_finish (job, -1, error);
      return;
    }

  if (g_str_equal (state, "CANCELED") || g_str_equal (state, "CLOSED"))
    {
      g_set_error (&error, LB_TABLE_SIZER_ERROR, LB_TABLE_SIZER_ERROR_CANCELED,
                   _("The size statement for “%s” was canceled on the warehouse"), job->table_name);
      job_finish (job, -1, error);
      return;
    }

  /* PENDING (a stopped warehouse starting up) or RUNNING. */
  if (g_get_monotonic_time () >= job->deadline)
    {
      g_set_error (&error, LB_TABLE_SIZER_ERROR, LB_TABLE_SIZER_ERROR_TIMEOUT,
                   _("Measuring “%s” took longer than %u s; the statement was canceled"),
                   job->table_name, self->timeout_ms / 1000);
      job_cancel_on_server (job);
      job_finish (job, -1, error);
      return;
    }

  job->state = JOB_WAITING;
  source = g_timeout_source_new (poll_delay_ms (self, job->attempt++));
  g_source_set_callback (source, wait_done_cb, job, NULL);
  job->wait_source = g_source_attach (source, g_task_get_context (job->task));
}

static gboolean
state_is_running (const char *state)
{
  return g_strcmp0 (state, "PENDING") == 0 || g_strcmp0 (state, "RUNNING") == 0;
}

static void
job_call_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Job *job = user_data;
  Measurement *measurement = g_task_get_task_data (job->task);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (object), result, &error);

  if (measurement->cancelled)
    {
      JsonObject *statement = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *state = object_get_string (object_get_object (statement, "status"), "state");

      /* A submit that returned after the user cancelled: its id is known
       * only now. A failed call (a cancelled poll) leaves the statement
       * running as far as we know. */
      if (job->statement_id == NULL)
        job->statement_id = g_strdup (object_get_string (statement, "statement_id"));
      if (error != NULL || state_is_running (state))
        job_cancel_on_server (job);
      job_finish (job, -1, NULL);
      return;
    }

  if (error != NULL)
    {
      job_finish (job, -1, error);
      return;
    }

  job_handle_statement (job, node);
}

static void
job_submit (Job *job)
{
  LbTableSizer *self = g_task_get_source_object (job->task);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *statement = lb_table_sizer_build_statement (job->table_name);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "warehouse_id");
  json_builder_add_string_value (builder, self->warehouse_id);
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

  job->state = JOB_SUBMITTING;
  job->deadline = g_get_monotonic_time () + (gint64) self->timeout_ms * 1000;

  /* No cancellable: a submit in flight is let finish so that the statement
   * it starts can be canceled by its id (the server bounds it by the 10 s
   * wait). Not idempotent: a resend could start the statement twice. */
  lb_databricks_client_call_async (self->client, "POST", STATEMENTS_PATH, NULL, body,
                                   LB_CALL_DEFAULT, NULL, job_call_cb, job);
}

static void
job_poll (Job *job)
{
  LbTableSizer *self = g_task_get_source_object (job->task);
  Measurement *measurement = g_task_get_task_data (job->task);
  g_autofree char *escaped = g_uri_escape_string (job->statement_id, NULL, FALSE);
  g_autofree char *path = g_strdup_printf (STATEMENTS_PATH "/%s", escaped);

  job->state = JOB_POLLING;
  lb_databricks_client_call_async (self->client, "GET", path, NULL, NULL, LB_CALL_IDEMPOTENT,
                                   measurement->polls, job_call_cb, job);
}

static void
start_more (GTask *task)
{
  LbTableSizer *self = g_task_get_source_object (task);
  Measurement *measurement = g_task_get_task_data (task);

  while (!measurement->cancelled &&
         measurement->active < self->max_parallel &&
         measurement->next < measurement->jobs->len)
    {
      Job *job = g_ptr_array_index (measurement->jobs, measurement->next++);

      measurement->active++;
      job_submit (job);
    }
}

static void
maybe_complete (GTask *task)
{
  LbTableSizer *self = g_task_get_source_object (task);
  Measurement *measurement = g_task_get_task_data (task);
  g_autoptr(GPtrArray) sizes = NULL;

  if (measurement->returned || measurement->active > 0 || measurement->cancels_pending > 0)
    return;
  if (!measurement->cancelled && measurement->next < measurement->jobs->len)
    return;

  measurement->returned = TRUE;
  self->busy = FALSE;
  g_cancellable_disconnect (g_task_get_cancellable (task), measurement->cancelled_id);
  measurement->cancelled_id = 0;

  if (measurement->cancelled)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("Measuring the table sizes was canceled"));
      g_object_unref (task);   /* the measurement's own reference */
      return;
    }

  sizes = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_table_size_free);
  for (guint i = 0; i < measurement->jobs->len; i++)
    {
      Job *job = g_ptr_array_index (measurement->jobs, i);

      g_ptr_array_add (sizes, g_steal_pointer (&job->result));
    }

  g_task_return_pointer (task, g_steal_pointer (&sizes), (GDestroyNotify) g_ptr_array_unref);
  g_object_unref (task);   /* the measurement's own reference */
}

static gboolean
measurement_cancelled_idle_cb (gpointer user_data)
{
  GTask *task = user_data;
  Measurement *measurement = g_task_get_task_data (task);

  if (measurement->cancelled || measurement->returned)
    return G_SOURCE_REMOVE;

  measurement->cancelled = TRUE;
  g_cancellable_cancel (measurement->polls);

  /* Jobs sleeping between polls end here; jobs with a call in flight end
   * when it returns (polls at once, cancelled; submits with their id). */
  for (guint i = 0; i < measurement->jobs->len; i++)
    {
      Job *job = g_ptr_array_index (measurement->jobs, i);

      if (job->state == JOB_WAITING)
        {
          job_cancel_on_server (job);
          job_finish (job, -1, NULL);
        }
    }

  maybe_complete (task);

  return G_SOURCE_REMOVE;
}

static void
measurement_cancelled_cb (GCancellable *cancellable,
                          gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GSource) source = g_idle_source_new ();

  /* Through an idle in the task's context: this may run in another thread,
   * and disconnecting from inside the handler would deadlock. */
  g_source_set_callback (source, measurement_cancelled_idle_cb, g_object_ref (task), g_object_unref);
  g_source_attach (source, g_task_get_context (task));
}

void
lb_table_sizer_measure_async (LbTableSizer        *self,
                              const char * const  *table_names,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Measurement *measurement;

  g_return_if_fail (LB_IS_TABLE_SIZER (self));
  g_return_if_fail (table_names != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_table_sizer_measure_async);
  /* Cancellation is handled here: the statements are canceled on the
   * warehouse before the task returns. */
  g_task_set_check_cancellable (task, FALSE);

  if (self->busy)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("The table sizes are already being measured"));
      return;
    }

  if (self->warehouse_id == NULL || self->warehouse_id[0] == '\0')
    {
      g_task_return_new_error (task, LB_TABLE_SIZER_ERROR, LB_TABLE_SIZER_ERROR_NO_WAREHOUSE,
                               _("Pick a SQL warehouse to measure the table sizes on"));
      return;
    }

  measurement = g_new0 (Measurement, 1);
  measurement->jobs = g_ptr_array_new_with_free_func (job_free);
  measurement->polls = g_cancellable_new ();
  for (guint i = 0; table_names[i] != NULL; i++)
    {
      Job *job = g_new0 (Job, 1);

      job->task = task;
      job->table_name = g_strdup (table_names[i]);
      g_ptr_array_add (measurement->jobs, job);
    }
  g_task_set_task_data (task, measurement, measurement_free);

  /* Jobs sleeping between polls hold no reference: the measurement keeps
   * its task alive until it returns (dropped in maybe_complete()). */
  g_object_ref (task);
  self->busy = TRUE;
  if (cancellable != NULL)
    measurement->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (measurement_cancelled_cb),
                                                       task, NULL);

  start_more (task);
  maybe_complete (task);
}

GPtrArray *
lb_table_sizer_measure_finish (LbTableSizer  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (LB_IS_TABLE_SIZER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* GObject ------------------------------------------------------------------- */

LbDatabricksClient *
lb_table_sizer_get_client (LbTableSizer *self)
{
  g_return_val_if_fail (LB_IS_TABLE_SIZER (self), NULL);

  return self->client;
}

const char *
lb_table_sizer_get_warehouse_id (LbTableSizer *self)
{
  g_return_val_if_fail (LB_IS_TABLE_SIZER (self), NULL);

  return self->warehouse_id;
}

void
lb_table_sizer_set_warehouse_id (LbTableSizer *self,
                                 const char   *warehouse_id)
{
  g_return_if_fail (LB_IS_TABLE_SIZER (self));

  /* g_set_str() needs GLib 2.76. */
  if (g_strcmp0 (self->warehouse_id, warehouse_id) == 0)
    return;

  g_free (self->warehouse_id);
  self->warehouse_id = g_strdup (warehouse_id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WAREHOUSE_ID]);
}

guint
lb_table_sizer_get_max_parallel (LbTableSizer *self)
{
  g_return_val_if_fail (LB_IS_TABLE_SIZER (self), 0);

  return self->max_parallel;
}

void
lb_table_sizer_set_max_parallel (LbTableSizer *self,
                                 guint         max_parallel)
{
  g_return_if_fail (LB_IS_TABLE_SIZER (self));

  max_parallel = MAX (max_parallel, 1);
  if (self->max_parallel == max_parallel)
    return;

  self->max_parallel = max_parallel;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_PARALLEL]);
}

static void
set_uint (LbTableSizer *self,
          guint        *field,
          guint         value,
          guint         prop_id)
{
  if (*field == value)
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
lb_table_sizer_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  LbTableSizer *self = LB_TABLE_SIZER (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_WAREHOUSE_ID:
      g_value_set_string (value, self->warehouse_id);
      break;
    case PROP_MAX_PARALLEL:
      g_value_set_uint (value, self->max_parallel);
      break;
    case PROP_POLL_BASE_MS:
      g_value_set_uint (value, self->poll_base_ms);
      break;
    case PROP_POLL_MAX_MS:
      g_value_set_uint (value, self->poll_max_ms);
      break;
    case PROP_TIMEOUT_MS:
      g_value_set_uint (value, self->timeout_ms);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_table_sizer_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  LbTableSizer *self = LB_TABLE_SIZER (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    case PROP_WAREHOUSE_ID:
      lb_table_sizer_set_warehouse_id (self, g_value_get_string (value));
      break;
    case PROP_MAX_PARALLEL:
      lb_table_sizer_set_max_parallel (self, g_value_get_uint (value));
      break;
    case PROP_POLL_BASE_MS:
      set_uint (self, &self->poll_base_ms, g_value_get_uint (value), prop_id);
      break;
    case PROP_POLL_MAX_MS:
      set_uint (self, &self->poll_max_ms, g_value_get_uint (value), prop_id);
      break;
    case PROP_TIMEOUT_MS:
      set_uint (self, &self->timeout_ms, g_value_get_uint (value), prop_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_table_sizer_dispose (GObject *object)
{
  LbTableSizer *self = LB_TABLE_SIZER (object);

  g_clear_object (&self->client);

  G_OBJECT_CLASS (lb_table_sizer_parent_class)->dispose (object);
}

static void
lb_table_sizer_finalize (GObject *object)
{
  LbTableSizer *self = LB_TABLE_SIZER (object);

  g_free (self->warehouse_id);

  G_OBJECT_CLASS (lb_table_sizer_parent_class)->finalize (object);
}

static void
lb_table_sizer_class_init (LbTableSizerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = lb_table_sizer_get_property;
  object_class->set_property = lb_table_sizer_set_property;
  object_class->dispose = lb_table_sizer_dispose;
  object_class->finalize = lb_table_sizer_finalize;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL,
                         LB_TYPE_DATABRICKS_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WAREHOUSE_ID] =
    g_param_spec_string ("warehouse-id", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_PARALLEL] =
    g_param_spec_uint ("max-parallel", NULL, NULL,
                       1, 64, DEFAULT_MAX_PARALLEL,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_POLL_BASE_MS] =
    g_param_spec_uint ("poll-base-ms", NULL, NULL,
                       1, G_MAXUINT, DEFAULT_POLL_BASE_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_POLL_MAX_MS] =
    g_param_spec_uint ("poll-max-ms", NULL, NULL,
                       1, G_MAXUINT, DEFAULT_POLL_MAX_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIMEOUT_MS] =
    g_param_spec_uint ("timeout-ms", NULL, NULL,
                       1, G_MAXUINT, DEFAULT_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[TABLE_MEASURED] =
    g_signal_new ("table-measured",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_INT64,
                  G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
lb_table_sizer_init (LbTableSizer *self)
{
  self->max_parallel = DEFAULT_MAX_PARALLEL;
  self->poll_base_ms = DEFAULT_POLL_BASE_MS;
  self->poll_max_ms = DEFAULT_POLL_MAX_MS;
  self->timeout_ms = DEFAULT_TIMEOUT_MS;
}

LbTableSizer *
lb_table_sizer_new (LbDatabricksClient *client)
{
  g_return_val_if_fail (LB_IS_DATABRICKS_CLIENT (client), NULL);

  return g_object_new (LB_TYPE_TABLE_SIZER, "client", client, NULL);
}
