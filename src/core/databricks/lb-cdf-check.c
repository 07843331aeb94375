/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbCdfCheck: each table's type from Unity Catalog, then its
 * delta.enableChangeDataFeed through SHOW TBLPROPERTIES on the warehouse;
 * and the ALTER TABLE that turns it on. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-cdf-check.h"
#include "lb-json.h"
#include "lb-sql-statement.h"
#include "lb-synced-table.h"

#define CDF_PROPERTY "delta.enableChangeDataFeed"

struct _LbCdfCheck
{
  GObject             parent_instance;

  LbDatabricksClient *client;
  char               *warehouse_id;
  guint               poll_base_ms;
};

G_DEFINE_FINAL_TYPE (LbCdfCheck, lb_cdf_check, G_TYPE_OBJECT)
G_DEFINE_BOXED_TYPE (LbCdfResult, lb_cdf_result, lb_cdf_result_copy, lb_cdf_result_free)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_WAREHOUSE_ID,
  PROP_POLL_BASE_MS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Results ------------------------------------------------------------------- */

LbCdfResult *
lb_cdf_result_copy (const LbCdfResult *self)
{
  LbCdfResult *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (LbCdfResult, 1);
  copy->table_name = g_strdup (self->table_name);
  copy->policy = self->policy;
  copy->table_type = g_strdup (self->table_type);
  copy->state = self->state;
  copy->blocking = self->blocking;
  copy->error = self->error != NULL ? g_error_copy (self->error) : NULL;

  return copy;
}

void
lb_cdf_result_free (LbCdfResult *self)
{
  if (self == NULL)
    return;

  g_free (self->table_name);
  g_free (self->table_type);
  g_clear_error (&self->error);
  g_free (self);
}

static const char *
short_name (const char *table_name)
{
  const char *dot = strrchr (table_name, '.');

  return dot != NULL ? dot + 1 : table_name;
}

char *
lb_cdf_result_dup_reason (const LbCdfResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  switch (self->state)
    {
    case LB_CDF_STATE_VIEW:
      if (self->blocking)
        return g_strdup (_("a view cannot have change data feed — use Snapshot"));
      return g_strdup (_("a view, synced as a snapshot"));
    case LB_CDF_STATE_OFF:
      if (self->blocking)
        /* TRANSLATORS: %s is TRIGGERED or CONTINUOUS */
        return g_strdup_printf (_("change data feed is off; %s sync needs it"), lb_sync_mode_get_label (self->policy));
      return g_strdup (_("change data feed is off (not needed for a snapshot)"));
    case LB_CDF_STATE_ON:
      return g_strdup (_("change data feed is on"));
    case LB_CDF_STATE_UNKNOWN:
    default:
      return g_strdup_printf (_("could not be checked: %s"),
                              self->error != NULL ? self->error->message : _("no answer"));
    }
}

char *
lb_cdf_result_dup_message (const LbCdfResult *self)
{
  g_autofree char *reason = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  reason = lb_cdf_result_dup_reason (self);
  /* TRANSLATORS: a table name, then what the check found */
  return g_strdup_printf (_("%s: %s"), short_name (self->table_name), reason);
}

char *
lb_cdf_result_dup_fix_sql (const LbCdfResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (!self->blocking || self->state != LB_CDF_STATE_OFF)
    return NULL;
  return lb_cdf_build_enable_statement (self->table_name);
}

gboolean
lb_sync_mode_needs_change_data_feed (LbSyncMode policy)
{
  return policy == LB_SYNC_MODE_TRIGGERED || policy == LB_SYNC_MODE_CONTINUOUS;
}

char *
lb_cdf_build_enable_statement (const char *table_name)
{
  g_autofree char *quoted = NULL;

  g_return_val_if_fail (table_name != NULL, NULL);

  quoted = lb_sql_quote_table_name (table_name);
  return g_strdup_printf ("ALTER TABLE %s SET TBLPROPERTIES (" CDF_PROPERTY " = true)", quoted);
}

const char *
lb_cdf_get_sync_mode_note (void)
{
  return _("A synced table’s sync mode cannot be changed after it is created: changing it later "
           "means deleting the synced table and syncing it again from the start.");
}

guint
lb_cdf_results_count_blocking (GPtrArray *results)
{
  guint count = 0;

  g_return_val_if_fail (results != NULL, 0);

  for (guint i = 0; i < results->len; i++)
    if (((LbCdfResult *) g_ptr_array_index (results, i))->blocking)
      count++;

  return count;
}

/* Checking ------------------------------------------------------------------ */

typedef struct
{
  GPtrArray *results;   /* of LbCdfResult, filled in place */
  guint      pending;
} Check;

typedef struct
{
  GTask       *task;    /* owned */
  LbCdfResult *result;  /* borrowed from Check */
} Item;

static void
check_free (gpointer data)
{
  Check *check = data;

  g_clear_pointer (&check->results, g_ptr_array_unref);
  g_free (check);
}

static void
item_done (Item *item)
{
  Check *check = g_task_get_task_data (item->task);
  LbCdfResult *result = item->result;

  result->blocking = lb_sync_mode_needs_change_data_feed (result->policy) &&
                     (result->state == LB_CDF_STATE_OFF || result->state == LB_CDF_STATE_VIEW);

  if (--check->pending == 0)
    {
      if (g_task_return_error_if_cancelled (item->task))
        ;
      else
        g_task_return_pointer (item->task, g_ptr_array_ref (check->results),
                               (GDestroyNotify) g_ptr_array_unref);
    }

  g_object_unref (item->task);
  g_free (item);
}

static void
item_fail (Item   *item,
           GError *error)
{
  item->result->state = LB_CDF_STATE_UNKNOWN;
  g_clear_error (&item->result->error);
  item->result->error = error;
  item_done (item);
}

static gboolean
value_is_true (const char *value)
{
  g_autofree char *copy = value != NULL ? g_strstrip (g_strdup (value)) : NULL;

  return copy != NULL && g_ascii_strcasecmp (copy, "true") == 0;
}

static void
properties_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Item *item = user_data;
  g_autoptr(JsonObject) statement = NULL;
  GError *error = NULL;
  int key_column;
  int value_column;

  statement = lb_sql_statement_execute_finish (result, &error);
  if (statement == NULL)
    {
      item_fail (item, error);
      return;
    }

  key_column = lb_sql_statement_find_column (statement, "key");
  value_column = lb_sql_statement_find_column (statement, "value");
  if (key_column < 0 || value_column < 0)
    {
      key_column = 0;
      value_column = 1;
    }

  /* A table without the property answers no row for it (or, on some
   * runtimes, a row whose value says it is missing): both mean off. */
  item->result->state = LB_CDF_STATE_OFF;
  for (guint row = 0; row < lb_sql_statement_get_n_rows (statement); row++)
    {
      const char *key = lb_sql_statement_get_cell (statement, row, key_column);

      if (key != NULL && g_ascii_strcasecmp (key, CDF_PROPERTY) == 0 &&
          value_is_true (lb_sql_statement_get_cell (statement, row, value_column)))
        item->result->state = LB_CDF_STATE_ON;
    }
  item_done (item);
}

static void
table_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Item *item = user_data;
  LbCdfCheck *self = g_task_get_source_object (item->task);
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;
  JsonObject *table;
  JsonNode *props;
  const char *type;

  node = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (object), result, &error);
  if (node == NULL)
    {
      item_fail (item, error);
      return;
    }

  table = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  type = lb_json_member_string (table, "table_type");
  item->result->table_type = g_strdup (type);
  if (type != NULL && (g_str_equal (type, "VIEW") || g_str_equal (type, "MATERIALIZED_VIEW") ||
                       g_str_equal (type, "METRIC_VIEW")))
    {
      item->result->state = LB_CDF_STATE_VIEW;
      item_done (item);
      return;
    }

  if (self->warehouse_id != NULL && self->warehouse_id[0] != '\0')
    {
      g_autofree char *quoted = lb_sql_quote_table_name (item->result->table_name);
      g_autofree char *sql = g_strdup_printf ("SHOW TBLPROPERTIES %s ('" CDF_PROPERTY "')", quoted);
      LbSqlStatementOptions options = { self->poll_base_ms, self->poll_base_ms * 10, 0 };

      lb_sql_statement_execute_async (self->client, self->warehouse_id, sql, &options,
                                      g_task_get_cancellable (item->task), properties_cb, item);
      return;
    }

  /* No warehouse: Unity Catalog's copy of the table properties. */
  props = table != NULL ? json_object_get_member (table, "properties") : NULL;
  item->result->state = props != NULL && JSON_NODE_HOLDS_OBJECT (props) &&
                        value_is_true (lb_json_member_string (json_node_get_object (props), CDF_PROPERTY))
                        ? LB_CDF_STATE_ON : LB_CDF_STATE_OFF;
  item_done (item);
}

void
lb_cdf_check_run_async (LbCdfCheck          *self,
                        GListModel          *tables,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Check *check;
  guint n;

  g_return_if_fail (LB_IS_CDF_CHECK (self));
  g_return_if_fail (G_IS_LIST_MODEL (tables));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_cdf_check_run_async);

  n = g_list_model_get_n_items (tables);
  check = g_new0 (Check, 1);
  check->results = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_cdf_result_free);
  g_task_set_task_data (task, check, check_free);

  if (n == 0)
    {
      g_task_return_pointer (task, g_ptr_array_ref (check->results), (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  check->pending = n;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbSyncedTable) table = g_list_model_get_item (tables, i);
      LbCdfResult *result = g_new0 (LbCdfResult, 1);
      g_autofree char *path = NULL;
      Item *item;

      result->table_name = g_strdup (lb_synced_table_get_name (table));
      result->policy = lb_synced_table_get_scheduling_policy (table);
      result->state = LB_CDF_STATE_UNKNOWN;
      g_ptr_array_add (check->results, result);

      item = g_new0 (Item, 1);
      item->task = g_object_ref (task);
      item->result = result;
      path = g_strdup_printf ("/api/2.1/unity-catalog/tables/%s", result->table_name);
      lb_databricks_client_call_async (self->client, "GET", path, NULL, NULL, LB_CALL_IDEMPOTENT,
                                       cancellable, table_cb, item);
    }
}

GPtrArray *
lb_cdf_check_run_finish (LbCdfCheck    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (LB_IS_CDF_CHECK (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
enable_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonObject) statement = NULL;
  GError *error = NULL;

  statement = lb_sql_statement_execute_finish (result, &error);
  if (statement == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
lb_cdf_check_enable_async (LbCdfCheck          *self,
                           const char          *table_name,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *sql = NULL;
  LbSqlStatementOptions options;

  g_return_if_fail (LB_IS_CDF_CHECK (self));
  g_return_if_fail (table_name != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_cdf_check_enable_async);

  options = (LbSqlStatementOptions) { self->poll_base_ms, self->poll_base_ms * 10, 0 };
  sql = lb_cdf_build_enable_statement (table_name);
  lb_sql_statement_execute_async (self->client, self->warehouse_id, sql, &options, cancellable,
                                  enable_cb, g_steal_pointer (&task));
}

gboolean
lb_cdf_check_enable_finish (LbCdfCheck    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (LB_IS_CDF_CHECK (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* GObject ------------------------------------------------------------------- */

const char *
lb_cdf_check_get_warehouse_id (LbCdfCheck *self)
{
  g_return_val_if_fail (LB_IS_CDF_CHECK (self), NULL);

  return self->warehouse_id;
}

void
lb_cdf_check_set_warehouse_id (LbCdfCheck *self,
                               const char *warehouse_id)
{
  g_return_if_fail (LB_IS_CDF_CHECK (self));

  if (g_strcmp0 (self->warehouse_id, warehouse_id) == 0)
    return;

  g_free (self->warehouse_id);
  self->warehouse_id = g_strdup (warehouse_id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WAREHOUSE_ID]);
}

static void
lb_cdf_check_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  LbCdfCheck *self = LB_CDF_CHECK (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_WAREHOUSE_ID:
      g_value_set_string (value, self->warehouse_id);
      break;
    case PROP_POLL_BASE_MS:
      g_value_set_uint (value, self->poll_base_ms);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_cdf_check_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  LbCdfCheck *self = LB_CDF_CHECK (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    case PROP_WAREHOUSE_ID:
      lb_cdf_check_set_warehouse_id (self, g_value_get_string (value));
      break;
    case PROP_POLL_BASE_MS:
      if (self->poll_base_ms != g_value_get_uint (value))
        {
          self->poll_base_ms = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_cdf_check_dispose (GObject *object)
{
  LbCdfCheck *self = LB_CDF_CHECK (object);

  g_clear_object (&self->client);

  G_OBJECT_CLASS (lb_cdf_check_parent_class)->dispose (object);
}

static void
lb_cdf_check_finalize (GObject *object)
{
  LbCdfCheck *self = LB_CDF_CHECK (object);

  g_free (self->warehouse_id);

  G_OBJECT_CLASS (lb_cdf_check_parent_class)->finalize (object);
}

static void
lb_cdf_check_class_init (LbCdfCheckClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = lb_cdf_check_get_property;
  object_class->set_property = lb_cdf_check_set_property;
  object_class->dispose = lb_cdf_check_dispose;
  object_class->finalize = lb_cdf_check_finalize;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, LB_TYPE_DATABRICKS_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WAREHOUSE_ID] =
    g_param_spec_string ("warehouse-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_POLL_BASE_MS] =
    g_param_spec_uint ("poll-base-ms", NULL, NULL, 1, G_MAXUINT / 16, 1000,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lb_cdf_check_init (LbCdfCheck *self)
{
  self->poll_base_ms = 1000;
}

LbCdfCheck *
lb_cdf_check_new (LbDatabricksClient *client)
{
  g_return_val_if_fail (LB_IS_DATABRICKS_CLIENT (client), NULL);

  return g_object_new (LB_TYPE_CDF_CHECK, "client", client, NULL);
}
