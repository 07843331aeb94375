/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbSyncStatus and LbSyncedTableStatus: the synced tables of a deployed
 * plan read back from the workspace, their pipelines, Sync Now and the
 * PostgreSQL partition sizes. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-deployment-runner.h"
#include "lb-json.h"
#include "lb-sync-status.h"

/* Health --------------------------------------------------------------------- */

const char *
lb_sync_health_to_string (LbSyncHealth health)
{
  switch (health)
    {
    case LB_SYNC_HEALTH_MISSING: return "missing";
    case LB_SYNC_HEALTH_PROVISIONING: return "provisioning";
    case LB_SYNC_HEALTH_SYNCING: return "syncing";
    case LB_SYNC_HEALTH_ONLINE: return "online";
    case LB_SYNC_HEALTH_OFFLINE: return "offline";
    case LB_SYNC_HEALTH_FAILED: return "failed";
    case LB_SYNC_HEALTH_UNKNOWN:
    default: return "unknown";
    }
}

const char *
lb_sync_health_get_label (LbSyncHealth health)
{
  switch (health)
    {
    case LB_SYNC_HEALTH_MISSING: return _("Not deployed");
    case LB_SYNC_HEALTH_PROVISIONING: return _("Provisioning");
    case LB_SYNC_HEALTH_SYNCING: return _("Syncing");
    case LB_SYNC_HEALTH_ONLINE: return _("Online");
    case LB_SYNC_HEALTH_OFFLINE: return _("Offline");
    case LB_SYNC_HEALTH_FAILED: return _("Failed");
    case LB_SYNC_HEALTH_UNKNOWN:
    default: return _("Unknown");
    }
}

LbSyncHealth
lb_sync_health_from_detailed_state (const char *state)
{
  if (state == NULL)
    return LB_SYNC_HEALTH_UNKNOWN;
  if (g_str_equal (state, "SYNCED_TABLE_OFFLINE_FAILED") ||
      g_str_equal (state, "SYNCED_TABLE_ONLINE_PIPELINE_FAILED"))
    return LB_SYNC_HEALTH_FAILED;
  /* The provisioned API really spells it SYNCED_TABLED_OFFLINE. */
  if (g_str_equal (state, "SYNCED_TABLED_OFFLINE") || g_str_equal (state, "SYNCED_TABLE_OFFLINE"))
    return LB_SYNC_HEALTH_OFFLINE;
  if (g_str_has_prefix (state, "SYNCED_TABLE_PROVISIONING"))
    return LB_SYNC_HEALTH_PROVISIONING;
  if (g_str_equal (state, "SYNCED_TABLE_ONLINE_CONTINUOUS_UPDATE") ||
      g_str_equal (state, "SYNCED_TABLE_ONLINE_TRIGGERED_UPDATE") ||
      g_str_equal (state, "SYNCED_TABLE_ONLINE_UPDATING_PIPELINE_RESOURCES"))
    return LB_SYNC_HEALTH_SYNCING;
  if (g_str_has_prefix (state, "SYNCED_TABLE_ONLINE"))
    return LB_SYNC_HEALTH_ONLINE;
  return LB_SYNC_HEALTH_UNKNOWN;
}

/* One table ------------------------------------------------------------------ */

struct _LbSyncedTableStatus
{
  GObject       parent_instance;

  char         *name;
  char         *source_table;
  LbSyncMode    policy;
  LbSyncHealth  health;
  char         *detailed_state;
  char         *message;
  char         *pipeline_id;
  char         *pipeline_state;
  char         *pipeline_cause;
  char         *update_state;
  GDateTime    *last_sync;
  gint64        lag_seconds;
  gint64        rows;
  guint         partition_count;
  gint64        partition_bytes;
  GError       *error;
};

G_DEFINE_FINAL_TYPE (LbSyncedTableStatus, lb_synced_table_status, G_TYPE_OBJECT)

static void
lb_synced_table_status_finalize (GObject *object)
{
  LbSyncedTableStatus *self = LB_SYNCED_TABLE_STATUS (object);

  g_free (self->name);
  g_free (self->source_table);
  g_free (self->detailed_state);
  g_free (self->message);
  g_free (self->pipeline_id);
  g_free (self->pipeline_state);
  g_free (self->pipeline_cause);
  g_free (self->update_state);
  g_clear_pointer (&self->last_sync, g_date_time_unref);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (lb_synced_table_status_parent_class)->finalize (object);
}

static void
lb_synced_table_status_class_init (LbSyncedTableStatusClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lb_synced_table_status_finalize;
}

static void
lb_synced_table_status_init (LbSyncedTableStatus *self)
{
  self->lag_seconds = -1;
  self->rows = -1;
  self->partition_bytes = -1;
}

static LbSyncedTableStatus *
table_status_copy (LbSyncedTableStatus *other)
{
  LbSyncedTableStatus *self = g_object_new (LB_TYPE_SYNCED_TABLE_STATUS, NULL);

  self->name = g_strdup (other->name);
  self->source_table = g_strdup (other->source_table);
  self->policy = other->policy;
  self->health = other->health;
  self->detailed_state = g_strdup (other->detailed_state);
  self->message = g_strdup (other->message);
  self->pipeline_id = g_strdup (other->pipeline_id);
  self->pipeline_state = g_strdup (other->pipeline_state);
  self->pipeline_cause = g_strdup (other->pipeline_cause);
  self->update_state = g_strdup (other->update_state);
  self->last_sync = other->last_sync != NULL ? g_date_time_ref (other->last_sync) : NULL;
  self->lag_seconds = other->lag_seconds;
  self->rows = other->rows;
  self->partition_count = other->partition_count;
  self->partition_bytes = other->partition_bytes;
  self->error = other->error != NULL ? g_error_copy (other->error) : NULL;

  return self;
}

const char *lb_synced_table_status_get_name (LbSyncedTableStatus *self) { g_return_val_if_fail (LB_IS_SYNCED_TABLE_STATUS (self), NULL); return self->name; }
const char *lb_synced_table_status_get_source_table (LbSyncedTableStatus *self) { g_return_val_if_fail (LB_IS_SYNCED_TABLE_STATUS (self), NULL); return self->source_table; }
LbSyncMode lb_synced_table_status_get_policy (LbSyncedTableStatus *self) { g_return_val_if_fail (LB_IS_SYNCED_TABLE_STATUS (self), 0); return self->policy; }
LbSyncHealth lb_synced_table_status_get_health (LbSyncedTableStatus *self) { g_return_val_if_fail (LB_IS_SYNCED_TABLE_STATUS (self), 0); return self->health; }
const char *lb_synced_table_status_get_detailed_state (LbSyncedTableStatus *self) { g_return_val_if_fail (LB_IS_SYNCED_TABLE_STATUS (self), NULL); return self->detailed_state; }
const char *lb_synced_table_status_get_message (LbSyncedTableStatus *self) { g_return_val_if_fail (LB_IS_SYNCED_TABLE_STATUS (self), NULL); return self->message; }
const char *lb_synced_table_status_get_pipeline_id (LbSyncedTableStatus *self) { g_return_val_if_fail (LB_IS_SYNCED_TABLE_STATUS (self), NULL); return self->pipeline_id; }
const char *lb_synced_table_status_get_pipeline_state (LbSyncedTableStatus *self) { g_return_val_if_fail (LB_IS_SYNCED_TABLE_STATUS (self), NULL); return self->pipeline_state; }
const char *lb_synced_table_status_get_pipeline_cause (LbSyncedTableStatus *self) { g_return_val_if_fail (LB_IS_SYNCED_TABLE_STATUS (self), NULL); return self->pipeline_cause; }
const char *lb_synced_table_status_get_update_state (LbSyncedTableStatus *self) { g_return_val_if_fail (LB_IS_SYNCED_TABLE_STATUS (self), NULL); return self->update_state; }
GDateTime *lb_synced_table_status_get_last_sync (LbSyncedTableStatus *self) { g_return_val_if_fail (LB_IS_SYNCED_TABLE_STATUS (self), NULL); return self->last_sync; }
gint64 lb_synced_table_status_get_lag_seconds (LbSyncedTableStatus *self) { g_return_val_if_fail (LB_IS_SYNCED_TABLE_STATUS (self), -1); return self->lag_seconds; }
gint64 lb_synced_table_status_get_rows (LbSyncedTableStatus *self) { g_return_val_if_fail (LB_IS_SYNCED_TABLE_STATUS (self), -1); return self->rows; }
guint lb_synced_table_status_get_partition_count (LbSyncedTableStatus *self) { g_return_val_if_fail (LB_IS_SYNCED_TABLE_STATUS (self), 0); return self->partition_count; }
gint64 lb_synced_table_status_get_partition_bytes (LbSyncedTableStatus *self) { g_return_val_if_fail (LB_IS_SYNCED_TABLE_STATUS (self), -1); return self->partition_bytes; }
const GError *lb_synced_table_status_get_error (LbSyncedTableStatus *self) { g_return_val_if_fail (LB_IS_SYNCED_TABLE_STATUS (self), NULL); return self->error; }

char *
lb_synced_table_status_dup_error_text (LbSyncedTableStatus *self)
{
  g_return_val_if_fail (LB_IS_SYNCED_TABLE_STATUS (self), NULL);

  if (self->health == LB_SYNC_HEALTH_UNKNOWN && self->error != NULL)
    return g_strdup (self->error->message);
  if (self->health != LB_SYNC_HEALTH_FAILED && g_strcmp0 (self->pipeline_state, "FAILED") != 0)
    return NULL;

  if (self->message != NULL && self->pipeline_cause != NULL && !g_str_equal (self->message, self->pipeline_cause))
    /* TRANSLATORS: the synced table's message, then the pipeline's */
    return g_strdup_printf (_("%s (pipeline: %s)"), self->message, self->pipeline_cause);
  if (self->message != NULL)
    return g_strdup (self->message);
  if (self->pipeline_cause != NULL)
    return g_strdup (self->pipeline_cause);
  return g_strdup (_("The sync pipeline failed without a message."));
}

gboolean
lb_synced_table_status_can_sync_now (LbSyncedTableStatus *self)
{
  g_return_val_if_fail (LB_IS_SYNCED_TABLE_STATUS (self), FALSE);

  return self->policy != LB_SYNC_MODE_CONTINUOUS && self->pipeline_id != NULL &&
         self->health != LB_SYNC_HEALTH_PROVISIONING && self->health != LB_SYNC_HEALTH_MISSING &&
         self->health != LB_SYNC_HEALTH_UNKNOWN;
}

static char *
trim_host (const char *host)
{
  g_autofree char *copy = g_strdup (host != NULL ? host : "");
  gsize len = strlen (copy);

  while (len > 0 && copy[len - 1] == '/')
    copy[--len] = '\0';
  return g_steal_pointer (&copy);
}

char *
lb_synced_table_status_dup_pipeline_url (LbSyncedTableStatus *self,
                                         const char          *host)
{
  g_autofree char *base = NULL;
  g_autofree char *id = NULL;

  g_return_val_if_fail (LB_IS_SYNCED_TABLE_STATUS (self), NULL);

  if (self->pipeline_id == NULL || host == NULL)
    return NULL;
  base = trim_host (host);
  id = g_uri_escape_string (self->pipeline_id, NULL, FALSE);
  return g_strdup_printf ("%s/pipelines/%s", base, id);
}

char *
lb_synced_table_status_dup_table_url (LbSyncedTableStatus *self,
                                      const char          *host)
{
  g_autofree char *base = NULL;
  g_auto(GStrv) parts = NULL;
  GString *url;

  g_return_val_if_fail (LB_IS_SYNCED_TABLE_STATUS (self), NULL);

  if (host == NULL || self->name == NULL)
    return NULL;
  base = trim_host (host);
  parts = g_strsplit (self->name, ".", 3);
  url = g_string_new (base);
  g_string_append (url, "/explore/data");
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autofree char *part = g_uri_escape_string (parts[i], NULL, FALSE);

      g_string_append_printf (url, "/%s", part);
    }
  return g_string_free (url, FALSE);
}

/* JSON helpers --------------------------------------------------------------- */

static gint64
member_int (JsonObject *object,
            const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return -1;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64: return json_node_get_int (node);
    case G_TYPE_DOUBLE: return (gint64) json_node_get_double (node);
    case G_TYPE_STRING: return g_ascii_strtoll (json_node_get_string (node), NULL, 10);
    default: return -1;
    }
}

static GDateTime *
parse_time (const char *text)
{
  g_autoptr(GTimeZone) utc = NULL;

  if (text == NULL)
    return NULL;
  utc = g_time_zone_new_utc ();
  return g_date_time_new_from_iso8601 (text, utc);
}

static GDateTime *
later (GDateTime *a,
       GDateTime *b)
{
  if (a == NULL)
    return b;
  if (b == NULL)
    return a;
  if (g_date_time_compare (a, b) >= 0)
    {
      g_date_time_unref (b);
      return a;
    }
  g_date_time_unref (a);
  return b;
}

/* Fills @self from a synced table's JSON (either flavour). */
static void
table_status_read (LbSyncedTableStatus *self,
                   JsonObject          *table,
                   GDateTime           *now)
{
  JsonObject *status = lb_json_member_object (table, "data_synchronization_status");
  JsonObject *spec = lb_json_member_object (table, "spec");
  JsonObject *last_sync;
  JsonObject *update_status;
  g_autoptr(GDateTime) commit_time = NULL;
  const char *policy;
  const char *progress_paths[][2] = {
    { "triggered_update_status", "triggered_update_progress" },
    { "continuous_update_status", "initial_pipeline_sync_progress" },
    { "provisioning_status", "initial_pipeline_sync_progress" },
    { NULL, "ongoing_sync_progress" },
  };

  if (status == NULL)
    status = lb_json_member_object (table, "status");

  policy = lb_json_member_string (spec, "scheduling_policy");
  if (policy != NULL)
    lb_sync_mode_from_string (policy, &self->policy);
  if (lb_json_member_string (spec, "source_table_full_name") != NULL)
    {
      g_free (self->source_table);
      self->source_table = g_strdup (lb_json_member_string (spec, "source_table_full_name"));
    }

  self->detailed_state = g_strdup (lb_json_member_string (status, "detailed_state"));
  self->health = lb_sync_health_from_detailed_state (self->detailed_state);
  self->message = g_strdup (lb_json_member_string (status, "message"));
  self->pipeline_id = g_strdup (lb_json_member_string (status, "pipeline_id"));

  /* Last successful sync: last_sync.sync_end_timestamp, or the autoscaling
   * API's last_sync_time. */
  last_sync = lb_json_member_object (status, "last_sync");
  self->last_sync = parse_time (lb_json_member_string (last_sync, "sync_end_timestamp"));
  if (self->last_sync == NULL)
    self->last_sync = parse_time (lb_json_member_string (status, "last_sync_time"));

  /* The newest source commit the table has caught up with. */
  commit_time = parse_time (lb_json_member_string (lb_json_member_object (last_sync, "delta_table_sync_info"),
                                                   "delta_commit_timestamp"));
  update_status = lb_json_member_object (status, "continuous_update_status");
  if (update_status == NULL)
    update_status = lb_json_member_object (status, "triggered_update_status");
  commit_time = later (g_steal_pointer (&commit_time), parse_time (lb_json_member_string (update_status, "timestamp")));
  if (commit_time == NULL && self->last_sync != NULL)
    commit_time = g_date_time_ref (self->last_sync);
  if (commit_time != NULL)
    self->lag_seconds = MAX (g_date_time_difference (now, commit_time) / G_TIME_SPAN_SECOND, 0);

  for (guint i = 0; i < G_N_ELEMENTS (progress_paths) && self->rows < 0; i++)
    {
      JsonObject *holder = progress_paths[i][0] != NULL ? lb_json_member_object (status, progress_paths[i][0]) : status;
      JsonObject *progress = lb_json_member_object (holder, progress_paths[i][1]);

      self->rows = member_int (progress, "synced_row_count");
    }
}

static void
table_status_read_pipeline (LbSyncedTableStatus *self,
                            JsonObject          *pipeline)
{
  JsonNode *updates = pipeline != NULL ? json_object_get_member (pipeline, "latest_updates") : NULL;

  self->pipeline_state = g_strdup (lb_json_member_string (pipeline, "state"));
  self->pipeline_cause = g_strdup (lb_json_member_string (pipeline, "cause"));
  if (updates != NULL && JSON_NODE_HOLDS_ARRAY (updates) && json_array_get_length (json_node_get_array (updates)) > 0)
    {
      JsonNode *latest = json_array_get_element (json_node_get_array (updates), 0);

      if (JSON_NODE_HOLDS_OBJECT (latest))
        self->update_state = g_strdup (lb_json_member_string (json_node_get_object (latest), "state"));
    }
  if (g_strcmp0 (self->pipeline_state, "FAILED") == 0 && self->health == LB_SYNC_HEALTH_ONLINE)
    self->health = LB_SYNC_HEALTH_FAILED;
  else if (self->health == LB_SYNC_HEALTH_ONLINE &&
           (g_strcmp0 (self->update_state, "RUNNING") == 0 || g_strcmp0 (self->update_state, "QUEUED") == 0 ||
            g_strcmp0 (self->update_state, "INITIALIZING") == 0 ||
            g_strcmp0 (self->update_state, "SETTING_UP_TABLES") == 0 ||
            g_strcmp0 (self->update_state, "WAITING_FOR_RESOURCES") == 0 ||
            g_strcmp0 (self->update_state, "CREATED") == 0))
    self->health = LB_SYNC_HEALTH_SYNCING;
}

/* The whole status ---------------------------------------------------------- */

struct _LbSyncStatus
{
  GObject             parent_instance;

  LbDeploymentPlan   *plan;
  LbDatabricksClient *client;
  GListStore         *tables;
  GDateTime          *refreshed_at;
  char               *fingerprint;
  JsonNode           *partitions;
  guint               pg_port;
  gboolean            refreshing;
};

G_DEFINE_FINAL_TYPE (LbSyncStatus, lb_sync_status, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PLAN,
  PROP_CLIENT,
  PROP_TABLES,
  PROP_REFRESHED_AT,
  PROP_WORKSPACE_HOST,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

LbDeploymentPlan *
lb_sync_status_get_plan (LbSyncStatus *self)
{
  g_return_val_if_fail (LB_IS_SYNC_STATUS (self), NULL);
  return self->plan;
}

GListModel *
lb_sync_status_get_tables (LbSyncStatus *self)
{
  g_return_val_if_fail (LB_IS_SYNC_STATUS (self), NULL);
  return G_LIST_MODEL (self->tables);
}

GDateTime *
lb_sync_status_get_refreshed_at (LbSyncStatus *self)
{
  g_return_val_if_fail (LB_IS_SYNC_STATUS (self), NULL);
  return self->refreshed_at;
}

const char *
lb_sync_status_get_workspace_host (LbSyncStatus *self)
{
  g_return_val_if_fail (LB_IS_SYNC_STATUS (self), NULL);
  return lb_databricks_auth_get_host (lb_databricks_client_get_auth (self->client));
}

LbSyncedTableStatus *
lb_sync_status_find (LbSyncStatus *self,
                     const char   *name)
{
  g_return_val_if_fail (LB_IS_SYNC_STATUS (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->tables)); i++)
    {
      g_autoptr(LbSyncedTableStatus) item = g_list_model_get_item (G_LIST_MODEL (self->tables), i);

      if (g_str_equal (item->name, name) || g_strcmp0 (item->source_table, name) == 0)
        return item;   /* the store keeps it alive */
    }
  return NULL;
}

guint
lb_sync_status_count_failed (LbSyncStatus *self)
{
  guint failed = 0;

  g_return_val_if_fail (LB_IS_SYNC_STATUS (self), 0);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->tables)); i++)
    {
      g_autoptr(LbSyncedTableStatus) item = g_list_model_get_item (G_LIST_MODEL (self->tables), i);

      if (item->health == LB_SYNC_HEALTH_FAILED)
        failed++;
    }
  return failed;
}

static void
apply_partitions (LbSyncedTableStatus *item,
                  JsonNode            *partitions)
{
  const char *dot = strrchr (item->name, '.');
  const char *relname = dot != NULL ? dot + 1 : item->name;
  JsonArray *array;

  if (partitions == NULL || !JSON_NODE_HOLDS_ARRAY (partitions))
    return;

  array = json_node_get_array (partitions);
  item->partition_count = 0;
  item->partition_bytes = 0;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *row = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

      if (g_strcmp0 (lb_json_member_string (row, "relname"), relname) == 0)
        {
          item->partition_count++;
          item->partition_bytes += MAX (member_int (row, "size"), 0);
        }
    }
}

/* Refresh --------------------------------------------------------------------- */

typedef struct
{
  GPtrArray *items;     /* of LbSyncedTableStatus, in plan order */
  GDateTime *now;
  guint      pending;
  guint      auth_failures;
  GError    *first_error;
} Refresh;

typedef struct
{
  GTask               *task;
  LbSyncedTableStatus *item;   /* borrowed from Refresh */
} Fetch;

static void
refresh_free (gpointer data)
{
  Refresh *refresh = data;

  g_clear_pointer (&refresh->items, g_ptr_array_unref);
  g_clear_pointer (&refresh->now, g_date_time_unref);
  g_clear_error (&refresh->first_error);
  g_free (refresh);
}

static char *
dup_fingerprint (GPtrArray *items)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < items->len; i++)
    {
      LbSyncedTableStatus *item = g_ptr_array_index (items, i);
      g_autofree char *last = item->last_sync != NULL ? g_date_time_format_iso8601 (item->last_sync) : NULL;

      g_string_append_printf (text, "%s|%d|%s|%s|%s|%s|%s|%s|%" G_GINT64_FORMAT "\n",
                              item->name, item->health, item->detailed_state ?: "", item->message ?: "",
                              item->pipeline_state ?: "", item->update_state ?: "", item->pipeline_cause ?: "",
                              last ?: "", item->rows);
    }
  return g_string_free (text, FALSE);
}

static void
fetch_done (Fetch *fetch)
{
  GTask *task = fetch->task;
  LbSyncStatus *self = g_task_get_source_object (task);
  Refresh *refresh = g_task_get_task_data (task);

  g_free (fetch);
  if (--refresh->pending > 0)
    {
      g_object_unref (task);
      return;
    }

  self->refreshing = FALSE;
  if (g_task_return_error_if_cancelled (task))
    ;
  else if (refresh->auth_failures == refresh->items->len && refresh->first_error != NULL)
    g_task_return_error (task, g_steal_pointer (&refresh->first_error));
  else
    {
      g_autofree char *fingerprint = dup_fingerprint (refresh->items);
      gboolean changed = g_strcmp0 (fingerprint, self->fingerprint) != 0;

      for (guint i = 0; i < refresh->items->len; i++)
        apply_partitions (g_ptr_array_index (refresh->items, i), self->partitions);

      g_free (self->fingerprint);
      self->fingerprint = g_steal_pointer (&fingerprint);
      g_clear_pointer (&self->refreshed_at, g_date_time_unref);
      self->refreshed_at = g_date_time_ref (refresh->now);
      g_list_store_splice (self->tables, 0, g_list_model_get_n_items (G_LIST_MODEL (self->tables)),
                           refresh->items->pdata, refresh->items->len);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFRESHED_AT]);
      g_task_return_int (task, changed ? 1 : 0);
    }
  g_object_unref (task);
}

static void
fetch_failed (Fetch  *fetch,
              GError *error)
{
  Refresh *refresh = g_task_get_task_data (fetch->task);

  if (g_error_matches (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NOT_FOUND))
    {
      fetch->item->health = LB_SYNC_HEALTH_MISSING;
      g_error_free (error);
    }
  else
    {
      fetch->item->health = LB_SYNC_HEALTH_UNKNOWN;
      fetch->item->error = g_error_copy (error);
      if (g_error_matches (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_UNAUTHENTICATED) ||
          g_error_matches (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NETWORK) ||
          g_error_matches (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_INSECURE))
        refresh->auth_failures++;
      if (refresh->first_error == NULL)
        refresh->first_error = error;
      else
        g_error_free (error);
    }
  fetch_done (fetch);
}

static void
pipeline_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Fetch *fetch = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (object), result, &error);
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    table_status_read_pipeline (fetch->item, json_node_get_object (node));
  else if (error != NULL)
    /* The synced table's own state still stands; say why the pipeline is unknown. */
    g_debug ("Reading pipeline %s: %s", fetch->item->pipeline_id, error->message);
  fetch_done (fetch);
}

static void
synced_table_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Fetch *fetch = user_data;
  Refresh *refresh = g_task_get_task_data (fetch->task);
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  node = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (object), result, &error);
  if (node == NULL)
    {
      fetch_failed (fetch, error);
      return;
    }

  table_status_read (fetch->item, JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL,
                     refresh->now);
  if (fetch->item->pipeline_id == NULL)
    {
      fetch_done (fetch);
      return;
    }

  escaped = g_uri_escape_string (fetch->item->pipeline_id, NULL, FALSE);
  path = g_strdup_printf ("/api/2.0/pipelines/%s", escaped);
  lb_databricks_client_call_async (LB_DATABRICKS_CLIENT (object), "GET", path, NULL, NULL, LB_CALL_IDEMPOTENT,
                                   g_task_get_cancellable (fetch->task), pipeline_cb, fetch);
}

void
lb_sync_status_refresh_async (LbSyncStatus        *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GListModel *resources;
  Refresh *refresh;

  g_return_if_fail (LB_IS_SYNC_STATUS (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_sync_status_refresh_async);

  if (self->refreshing)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, _("The sync status is already being read"));
      return;
    }

  refresh = g_new0 (Refresh, 1);
  refresh->items = g_ptr_array_new_with_free_func (g_object_unref);
  refresh->now = g_date_time_new_now_utc ();
  g_task_set_task_data (task, refresh, refresh_free);

  resources = lb_deployment_plan_get_resources (self->plan);
  for (guint i = 0; i < g_list_model_get_n_items (resources); i++)
    {
      g_autoptr(LbDeploymentResource) resource = g_list_model_get_item (resources, i);
      LbSyncedTableStatus *item;
      JsonNode *body;
      const char *policy = NULL;

      if (lb_deployment_resource_get_kind (resource) != LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE)
        continue;

      item = g_object_new (LB_TYPE_SYNCED_TABLE_STATUS, NULL);
      item->name = g_strdup (lb_deployment_resource_get_name (resource));
      item->source_table = g_strdup (lb_deployment_resource_get_source_table (resource));
      body = lb_deployment_resource_get_body (resource);
      if (body != NULL && JSON_NODE_HOLDS_OBJECT (body))
        policy = lb_json_member_string (lb_json_member_object (json_node_get_object (body), "spec"),
                                        "scheduling_policy");
      item->policy = LB_SYNC_MODE_SNAPSHOT;
      if (policy != NULL)
        lb_sync_mode_from_string (policy, &item->policy);
      g_ptr_array_add (refresh->items, item);
    }

  if (refresh->items->len == 0)
    {
      g_list_store_remove_all (self->tables);
      g_task_return_int (task, 0);
      return;
    }

  self->refreshing = TRUE;
  refresh->pending = refresh->items->len;
  for (guint i = 0, j = 0; i < g_list_model_get_n_items (resources); i++)
    {
      g_autoptr(LbDeploymentResource) resource = g_list_model_get_item (resources, i);
      Fetch *fetch;

      if (lb_deployment_resource_get_kind (resource) != LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE)
        continue;

      fetch = g_new0 (Fetch, 1);
      fetch->task = g_object_ref (task);
      fetch->item = g_ptr_array_index (refresh->items, j++);
      lb_databricks_client_call_async (self->client, "GET", lb_deployment_resource_get_path (resource),
                                       NULL, NULL, LB_CALL_IDEMPOTENT, cancellable, synced_table_cb, fetch);
    }
}

gboolean
lb_sync_status_refresh_finish (LbSyncStatus  *self,
                               GAsyncResult  *result,
                               gboolean      *changed,
                               GError       **error)
{
  GError *local = NULL;
  gssize value;

  g_return_val_if_fail (LB_IS_SYNC_STATUS (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  value = g_task_propagate_int (G_TASK (result), &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  if (changed != NULL)
    *changed = value != 0;
  return TRUE;
}

/* Sync Now ---------------------------------------------------------------------- */

static void
sync_now_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;
  const char *update_id;

  node = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (object), result, &error);
  if (node == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  update_id = JSON_NODE_HOLDS_OBJECT (node) ? lb_json_member_string (json_node_get_object (node), "update_id") : NULL;
  if (update_id == NULL)
    {
      g_task_return_new_error (task, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_MALFORMED,
                               _("The pipeline did not say which update it started."));
      return;
    }
  g_task_return_pointer (task, g_strdup (update_id), g_free);
}

void
lb_sync_status_sync_now_async (LbSyncStatus        *self,
                               const char          *name,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;
  LbSyncedTableStatus *item;

  g_return_if_fail (LB_IS_SYNC_STATUS (self));
  g_return_if_fail (name != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_sync_status_sync_now_async);

  item = lb_sync_status_find (self, name);
  if (item == NULL || item->pipeline_id == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("“%s” has no sync pipeline yet: refresh the status first"), name);
      return;
    }
  if (item->policy == LB_SYNC_MODE_CONTINUOUS)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("“%s” syncs continuously: there is nothing to start"), name);
      return;
    }

  escaped = g_uri_escape_string (item->pipeline_id, NULL, FALSE);
  path = g_strdup_printf ("/api/2.0/pipelines/%s/updates", escaped);
  body = json_node_init_object (json_node_alloc (), json_object_new ());
  /* Not idempotent: a resend could start a second update. */
  lb_databricks_client_call_async (self->client, "POST", path, NULL, body, LB_CALL_DEFAULT, cancellable,
                                   sync_now_cb, g_steal_pointer (&task));
}

char *
lb_sync_status_sync_now_finish (LbSyncStatus  *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (LB_IS_SYNC_STATUS (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Partitions ---------------------------------------------------------------------- */

static void
secret_free (gpointer data)
{
  char *text = data;

  if (text != NULL)
    memset (text, 0, strlen (text));
  g_free (text);
}

void
lb_sync_status_set_partitions (LbSyncStatus *self,
                               JsonNode     *partitions)
{
  g_autoptr(GPtrArray) items = NULL;
  guint n;

  g_return_if_fail (LB_IS_SYNC_STATUS (self));

  g_clear_pointer (&self->partitions, json_node_unref);
  self->partitions = partitions != NULL ? json_node_copy (partitions) : NULL;

  /* Rows are immutable: new ones with the sizes, so views rebind. */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->tables));
  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbSyncedTableStatus) old = g_list_model_get_item (G_LIST_MODEL (self->tables), i);
      LbSyncedTableStatus *item = table_status_copy (old);

      apply_partitions (item, self->partitions);
      g_ptr_array_add (items, item);
    }
  g_list_store_splice (self->tables, 0, n, items->pdata, items->len);
}

static void
partitions_query_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LbSyncStatus *self = g_task_get_source_object (task);
  g_autoptr(JsonNode) partitions = NULL;
  GError *error = NULL;

  partitions = lb_partition_sizes_query_finish (result, &error);
  if (partitions == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  lb_sync_status_set_partitions (self, partitions);
  g_task_return_boolean (task, TRUE);
}

static void
connection_info_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *conninfo;

  conninfo = lb_deployment_runner_dup_connection_info_finish (LB_DEPLOYMENT_RUNNER (object), result, NULL, &error);
  if (conninfo == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  lb_partition_sizes_query_async (conninfo, g_task_get_cancellable (task), partitions_query_cb,
                                  g_object_ref (task));
  secret_free (conninfo);
}

void
lb_sync_status_measure_partitions_async (LbSyncStatus        *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(LbDeploymentRunner) runner = NULL;

  g_return_if_fail (LB_IS_SYNC_STATUS (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_sync_status_measure_partitions_async);

  /* The runner knows how to reach the plan's instance with a credential;
   * it deploys nothing here. */
  runner = lb_deployment_runner_new (self->plan, self->client);
  g_object_set (runner, "pg-port", self->pg_port, NULL);
  g_task_set_task_data (task, g_object_ref (runner), g_object_unref);
  lb_deployment_runner_dup_connection_info_async (runner, cancellable, connection_info_cb,
                                                  g_steal_pointer (&task));
}

gboolean
lb_sync_status_measure_partitions_finish (LbSyncStatus  *self,
                                          GAsyncResult  *result,
                                          GError       **error)
{
  g_return_val_if_fail (LB_IS_SYNC_STATUS (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* JSON and formatting ---------------------------------------------------------------- */

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *name,
                    const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_int_or_null (JsonBuilder *builder,
                 const char  *name,
                 gint64       value)
{
  json_builder_set_member_name (builder, name);
  if (value >= 0)
    json_builder_add_int_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

JsonNode *
lb_sync_status_to_json (LbSyncStatus *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *refreshed = NULL;
  const char *host;

  g_return_val_if_fail (LB_IS_SYNC_STATUS (self), NULL);

  host = lb_sync_status_get_workspace_host (self);
  refreshed = self->refreshed_at != NULL ? g_date_time_format_iso8601 (self->refreshed_at) : NULL;

  json_builder_begin_object (builder);
  add_string_or_null (builder, "workload", lb_deployment_plan_get_instance_name (self->plan));
  add_string_or_null (builder, "refreshed_at", refreshed);
  json_builder_set_member_name (builder, "failed");
  json_builder_add_int_value (builder, lb_sync_status_count_failed (self));
  json_builder_set_member_name (builder, "tables");
  json_builder_begin_array (builder);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->tables)); i++)
    {
      g_autoptr(LbSyncedTableStatus) item = g_list_model_get_item (G_LIST_MODEL (self->tables), i);
      g_autofree char *last = item->last_sync != NULL ? g_date_time_format_iso8601 (item->last_sync) : NULL;
      g_autofree char *pipeline_url = lb_synced_table_status_dup_pipeline_url (item, host);
      g_autofree char *table_url = lb_synced_table_status_dup_table_url (item, host);
      g_autofree char *error = lb_synced_table_status_dup_error_text (item);

      json_builder_begin_object (builder);
      add_string_or_null (builder, "name", item->name);
      add_string_or_null (builder, "source_table", item->source_table);
      add_string_or_null (builder, "policy", lb_sync_mode_to_string (item->policy));
      add_string_or_null (builder, "health", lb_sync_health_to_string (item->health));
      add_string_or_null (builder, "detailed_state", item->detailed_state);
      add_string_or_null (builder, "message", item->message);
      add_string_or_null (builder, "pipeline_id", item->pipeline_id);
      add_string_or_null (builder, "pipeline_state", item->pipeline_state);
      add_string_or_null (builder, "pipeline_cause", item->pipeline_cause);
      add_string_or_null (builder, "update_state", item->update_state);
      add_string_or_null (builder, "last_sync", last);
      add_int_or_null (builder, "lag_seconds", item->lag_seconds);
      add_int_or_null (builder, "rows", item->rows);
      add_int_or_null (builder, "partitions", item->partition_bytes >= 0 ? (gint64) item->partition_count : -1);
      add_int_or_null (builder, "partition_bytes", item->partition_bytes);
      json_builder_set_member_name (builder, "can_sync_now");
      json_builder_add_boolean_value (builder, lb_synced_table_status_can_sync_now (item));
      add_string_or_null (builder, "pipeline_url", pipeline_url);
      add_string_or_null (builder, "table_url", table_url);
      add_string_or_null (builder, "error", error);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

char *
lb_format_duration_s (gint64 seconds)
{
  if (seconds < 0)
    return g_strdup ("—");
  if (seconds < 60)
    /* TRANSLATORS: a duration in seconds */
    return g_strdup_printf (_("%" G_GINT64_FORMAT " s"), seconds);
  if (seconds < 3600)
    return g_strdup_printf (_("%" G_GINT64_FORMAT " min"), seconds / 60);
  if (seconds < 86400)
    {
      if ((seconds % 3600) / 60 == 0)
        return g_strdup_printf (_("%" G_GINT64_FORMAT " h"), seconds / 3600);
      return g_strdup_printf (_("%" G_GINT64_FORMAT " h %" G_GINT64_FORMAT " min"),
                              seconds / 3600, (seconds % 3600) / 60);
    }
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" G_GINT64_FORMAT " day",
                                       "%" G_GINT64_FORMAT " days", seconds / 86400), seconds / 86400);
}

char *
lb_format_time_ago (GDateTime *time,
                    GDateTime *now)
{
  g_autofree char *duration = NULL;
  gint64 seconds;

  if (time == NULL)
    return g_strdup (_("never"));

  seconds = MAX (g_date_time_difference (now, time) / G_TIME_SPAN_SECOND, 0);
  if (seconds < 5)
    return g_strdup (_("just now"));
  duration = lb_format_duration_s (seconds);
  /* TRANSLATORS: %s is a duration ("3 min") */
  return g_strdup_printf (_("%s ago"), duration);
}

/* GObject ---------------------------------------------------------------------------- */

static void
lb_sync_status_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  LbSyncStatus *self = LB_SYNC_STATUS (object);

  switch (prop_id)
    {
    case PROP_PLAN:
      g_value_set_object (value, self->plan);
      break;
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_TABLES:
      g_value_set_object (value, self->tables);
      break;
    case PROP_REFRESHED_AT:
      g_value_set_boxed (value, self->refreshed_at);
      break;
    case PROP_WORKSPACE_HOST:
      g_value_set_string (value, lb_sync_status_get_workspace_host (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_sync_status_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  LbSyncStatus *self = LB_SYNC_STATUS (object);

  switch (prop_id)
    {
    case PROP_PLAN:
      self->plan = g_value_dup_object (value);
      break;
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_sync_status_dispose (GObject *object)
{
  LbSyncStatus *self = LB_SYNC_STATUS (object);

  g_clear_object (&self->plan);
  g_clear_object (&self->client);
  if (self->tables != NULL)
    g_list_store_remove_all (self->tables);
  g_clear_object (&self->tables);

  G_OBJECT_CLASS (lb_sync_status_parent_class)->dispose (object);
}

static void
lb_sync_status_finalize (GObject *object)
{
  LbSyncStatus *self = LB_SYNC_STATUS (object);

  g_clear_pointer (&self->refreshed_at, g_date_time_unref);
  g_clear_pointer (&self->partitions, json_node_unref);
  g_free (self->fingerprint);

  G_OBJECT_CLASS (lb_sync_status_parent_class)->finalize (object);
}

static void
lb_sync_status_class_init (LbSyncStatusClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = lb_sync_status_get_property;
  object_class->set_property = lb_sync_status_set_property;
  object_class->dispose = lb_sync_status_dispose;
  object_class->finalize = lb_sync_status_finalize;

  properties[PROP_PLAN] =
    g_param_spec_object ("plan", NULL, NULL, LB_TYPE_DEPLOYMENT_PLAN,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, LB_TYPE_DATABRICKS_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TABLES] =
    g_param_spec_object ("tables", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_REFRESHED_AT] =
    g_param_spec_boxed ("refreshed-at", NULL, NULL, G_TYPE_DATE_TIME,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WORKSPACE_HOST] =
    g_param_spec_string ("workspace-host", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lb_sync_status_init (LbSyncStatus *self)
{
  self->tables = g_list_store_new (LB_TYPE_SYNCED_TABLE_STATUS);
  self->pg_port = 5432;
}

void
lb_sync_status_set_pg_port (LbSyncStatus *self,
                            guint         port)
{
  g_return_if_fail (LB_IS_SYNC_STATUS (self));

  self->pg_port = port > 0 ? port : 5432;
}

LbSyncStatus *
lb_sync_status_new (LbDeploymentPlan   *plan,
                    LbDatabricksClient *client)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_PLAN (plan), NULL);
  g_return_val_if_fail (LB_IS_DATABRICKS_CLIENT (client), NULL);

  return g_object_new (LB_TYPE_SYNC_STATUS, "plan", plan, "client", client, NULL);
}
