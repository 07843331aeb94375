/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbTableSizer: the warehouse list, and the tables measured through the SQL
 * Statement Execution API, several statements at once, each polled with
 * backoff until it ends, times out or is cancelled; plus the table_sizes
 * JSON. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-json.h"
#include "lb-sql-statement.h"
#include "lb-table-sizer.h"
#include "lb-table-sizer-private.h"

#define DEFAULT_MAX_PARALLEL  4
#define DEFAULT_POLL_BASE_MS  1000
#define DEFAULT_POLL_MAX_MS   10000
#define DEFAULT_TIMEOUT_MS    (20 * 60 * 1000)

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
  g_autofree char *quoted = NULL;

  g_return_val_if_fail (table_name != NULL, NULL);

  /* Backticks keep names with "-" (allowed in the workload) one identifier. */
  quoted = lb_sql_quote_table_name (table_name);
  return g_strdup_printf ("SELECT COALESCE(SUM(LEN(TO_CSV(STRUCT(*))) + 32), 0) FROM %s", quoted);
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

      if (lb_json_member_string (object_, "id") == NULL)
        continue;   /* nothing the user could pick */

      warehouse = g_new0 (LbWarehouse, 1);
      warehouse->id = g_strdup (lb_json_member_string (object_, "id"));
      warehouse->name = g_strdup (lb_json_member_string (object_, "name") ?: warehouse->id);
      warehouse->state = g_strdup (lb_json_member_string (object_, "state") ?: "UNKNOWN");
      warehouse->size = g_strdup (lb_json_member_string (object_, "cluster_size"));
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

/* Each table is one statement (lb-sql-statement.c: submit, poll with
 * backoff, cancel on the warehouse); the measurement runs at most
 * "max-parallel" of them and answers once every one has ended. */

typedef struct
{
  GTask       *task;            /* borrowed: the measurement owns its jobs */
  char        *table_name;
  LbTableSize *result;
} Job;

typedef struct
{
  GPtrArray    *jobs;
  guint         next;             /* first job not started yet */
  guint         active;           /* jobs started and not done */
  gboolean      returned;
} Measurement;

static void start_more     (GTask *task);
static void maybe_complete (GTask *task);

static void
job_free (gpointer data)
{
  Job *job = data;

  g_free (job->table_name);
  g_clear_pointer (&job->result, lb_table_size_free);
  g_free (job);
}

static void
measurement_free (gpointer data)
{
  Measurement *measurement = data;

  g_clear_pointer (&measurement->jobs, g_ptr_array_unref);
  g_free (measurement);
}

gboolean
_lb_table_sizer_parse_bytes (JsonObject *statement,
                             gint64     *bytes)
{
  JsonObject *result = lb_json_member_object (statement, "result");
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

/* The statement's error in the sizer's words, naming the table. */
static GError *
job_error (LbTableSizer *self,
           Job          *job,
           GError       *error)
{
  GError *mine = NULL;

  if (error->domain == LB_TABLE_SIZER_ERROR)
    switch (error->code)
      {
      case LB_TABLE_SIZER_ERROR_TIMEOUT:
        mine = g_error_new (LB_TABLE_SIZER_ERROR, LB_TABLE_SIZER_ERROR_TIMEOUT,
                            _("Measuring “%s” took longer than %u s; the statement was canceled"),
                            job->table_name, self->timeout_ms / 1000);
        break;
      case LB_TABLE_SIZER_ERROR_CANCELED:
        mine = g_error_new (LB_TABLE_SIZER_ERROR, LB_TABLE_SIZER_ERROR_CANCELED,
                            _("The size statement for “%s” was canceled on the warehouse"), job->table_name);
        break;
      case LB_TABLE_SIZER_ERROR_MALFORMED:
        mine = g_error_new (LB_TABLE_SIZER_ERROR, LB_TABLE_SIZER_ERROR_MALFORMED,
                            _("The warehouse’s answer about “%s” has no statement state"), job->table_name);
        break;
      default:
        break;
      }
  if (mine == NULL)
    return error;
  g_error_free (error);
  return mine;
}

static void
job_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Job *job = user_data;
  GTask *task = job->task;
  LbTableSizer *self = g_task_get_source_object (task);
  Measurement *measurement = g_task_get_task_data (task);
  g_autoptr(JsonObject) statement = NULL;
  g_autoptr(GError) error = NULL;
  gint64 bytes = -1;

  statement = lb_sql_statement_execute_finish (result, &error);
  measurement->active--;

  /* Cancelled: no answer for any table (the statements are canceled). */
  if (!g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      if (statement != NULL && !_lb_table_sizer_parse_bytes (statement, &bytes))
        error = g_error_new (LB_TABLE_SIZER_ERROR, LB_TABLE_SIZER_ERROR_MALFORMED,
                             _("The size of “%s” came back without a number"), job->table_name);
      else if (error != NULL)
        error = job_error (self, job, g_steal_pointer (&error));

      job->result = lb_table_size_new (job->table_name, bytes, error);
      g_signal_emit (self, signals[TABLE_MEASURED], 0,
                     job->table_name, job->result->uncompressed_bytes, job->result->error);
    }

  start_more (task);
  maybe_complete (task);
}

static void
start_more (GTask *task)
{
  LbTableSizer *self = g_task_get_source_object (task);
  Measurement *measurement = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  while (!g_cancellable_is_cancelled (cancellable) &&
         measurement->active < self->max_parallel &&
         measurement->next < measurement->jobs->len)
    {
      Job *job = g_ptr_array_index (measurement->jobs, measurement->next++);
      g_autofree char *sql = lb_table_sizer_build_statement (job->table_name);
      LbSqlStatementOptions options = { self->poll_base_ms, self->poll_max_ms, self->timeout_ms };

      measurement->active++;
      lb_sql_statement_execute_async (self->client, self->warehouse_id, sql, &options, cancellable,
                                      job_done_cb, job);
    }
}

static void
maybe_complete (GTask *task)
{
  LbTableSizer *self = g_task_get_source_object (task);
  Measurement *measurement = g_task_get_task_data (task);
  gboolean cancelled = g_cancellable_is_cancelled (g_task_get_cancellable (task));
  g_autoptr(GPtrArray) sizes = NULL;

  if (measurement->returned || measurement->active > 0)
    return;
  if (!cancelled && measurement->next < measurement->jobs->len)
    return;

  measurement->returned = TRUE;
  self->busy = FALSE;

  if (cancelled)
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
  for (guint i = 0; table_names[i] != NULL; i++)
    {
      Job *job = g_new0 (Job, 1);

      job->task = task;
      job->table_name = g_strdup (table_names[i]);
      g_ptr_array_add (measurement->jobs, job);
    }
  g_task_set_task_data (task, measurement, measurement_free);

  /* The statements hold no reference: the measurement keeps its task
   * alive until it returns (dropped in maybe_complete()). */
  g_object_ref (task);
  self->busy = TRUE;

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
