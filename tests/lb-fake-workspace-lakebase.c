/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Lakebase part of the fake workspace: SCIM Me, the provisioned API
 * (/api/2.0/database/…) and the autoscaling API (/api/2.0/postgres/…, with
 * long-running operations), following reference/databricks-api.md §2–§4.
 * Resources move on as they are polled: instances STARTING → AVAILABLE,
 * branches INIT → READY, endpoints INIT → ACTIVE, synced tables through
 * their provisioning states, operations done:false → done:true, each after
 * lb_fake_workspace_set_polls_until_ready() GETs. Handlers run with the
 * fake's lock held. */
#include "config.h"

#include <string.h>

#include "lb-fake-workspace.h"

#define DATABASE_PREFIX "/api/2.0/database/"
#define POSTGRES_PREFIX "/api/2.0/postgres/"

typedef enum
{
  RES_INSTANCE,
  RES_CATALOG,
  RES_SYNCED_TABLE,
  RES_PROJECT,
  RES_BRANCH,
  RES_ENDPOINT,
  RES_PG_CATALOG,
  RES_PG_SYNCED_TABLE,
} ResKind;

typedef struct
{
  ResKind     kind;
  JsonObject *obj;        /* what a GET returns */
  guint       phase;
  guint       polls;      /* GETs seen in this phase */
  gboolean    will_fail;  /* synced table whose source is named "…fail…" */
  gint64      created_us; /* synced tables: when the create was accepted */
  gboolean    in_flight;  /* synced tables: created, final state not reported yet */
} Res;

typedef struct
{
  char     *name;
  JsonNode *response;     /* NULL: google.protobuf.Empty */
  char     *metadata_type;
  guint     polls;
  gboolean  done;
} Op;

typedef struct
{
  GHashTable *instances;         /* name → Res */
  GHashTable *catalogs;
  GHashTable *synced_tables;
  GHashTable *projects;          /* "projects/p" → Res */
  GHashTable *branches;          /* "projects/p/branches/b" → Res */
  GHashTable *endpoints;         /* "projects/p/branches/b/endpoints/e" → Res */
  GHashTable *pg_catalogs;       /* "catalogs/c" → Res */
  GHashTable *pg_synced_tables;  /* "synced_tables/c.s.t" → Res */
  GHashTable *operations;        /* operation name → Op */
  guint       synced_table_ms;   /* 0: synced tables advance by GETs, else by wall time */
  guint       tables_in_flight;  /* synced tables created and not yet online or failed */
  guint       max_tables_in_flight;
} Lakebase;

static void
res_free (gpointer data)
{
  Res *res = data;

  json_object_unref (res->obj);
  g_free (res);
}

static void
op_free (gpointer data)
{
  Op *op = data;

  g_free (op->name);
  g_clear_pointer (&op->response, json_node_unref);
  g_free (op->metadata_type);
  g_free (op);
}

static void
lakebase_free (gpointer data)
{
  Lakebase *lb = data;

  g_hash_table_unref (lb->instances);
  g_hash_table_unref (lb->catalogs);
  g_hash_table_unref (lb->synced_tables);
  g_hash_table_unref (lb->projects);
  g_hash_table_unref (lb->branches);
  g_hash_table_unref (lb->endpoints);
  g_hash_table_unref (lb->pg_catalogs);
  g_hash_table_unref (lb->pg_synced_tables);
  g_hash_table_unref (lb->operations);
  g_free (lb);
}

static GHashTable *
new_table (GDestroyNotify value_free)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, value_free);
}

static Lakebase *
get_lakebase (LbFakeWorkspace *fake)
{
  return lb_fake_workspace_get_data (fake, "lakebase");
}

/* ---- Small helpers ---- */

static char *
timestamp_in (gint64 seconds)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_seconds (now, (double) seconds);

  return g_date_time_format (then, "%Y-%m-%dT%H:%M:%SZ");
}

static const char *
member_string (JsonObject *obj,
               const char *name)
{
  JsonNode *node;

  if (obj == NULL || !json_object_has_member (obj, name))
    return NULL;
  node = json_object_get_member (obj, name);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
member_object (JsonObject *obj,
               const char *name)
{
  JsonNode *node;

  if (obj == NULL || !json_object_has_member (obj, name))
    return NULL;
  node = json_object_get_member (obj, name);
  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static double
member_double (JsonObject *obj,
               const char *name,
               double      fallback)
{
  return obj != NULL ? json_object_get_double_member_with_default (obj, name, fallback) : fallback;
}

static gint64
member_int (JsonObject *obj,
            const char *name,
            gint64      fallback)
{
  return obj != NULL ? json_object_get_int_member_with_default (obj, name, fallback) : fallback;
}

static gboolean
member_boolean (JsonObject *obj,
                const char *name,
                gboolean    fallback)
{
  return obj != NULL ? json_object_get_boolean_member_with_default (obj, name, fallback) : fallback;
}

static JsonObject *
body_object (LbFakeRequest *request)
{
  if (request->body == NULL || !JSON_NODE_HOLDS_OBJECT (request->body))
    return NULL;
  return json_node_get_object (request->body);
}

static JsonObject *
ensure_object (JsonObject *obj,
               const char *name)
{
  JsonObject *child = member_object (obj, name);

  if (child == NULL)
    {
      child = json_object_new ();
      json_object_set_object_member (obj, name, child);
    }
  return child;
}

static void
reply_object (LbFakeRequest *request,
              guint          status,
              JsonObject    *obj)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, obj);
  lb_fake_reply_json (request, status, node);
}

static void
reply_empty (LbFakeRequest *request)
{
  lb_fake_reply_raw (request, 200, "application/json", "{}");
}

static void
reply_not_found (LbFakeRequest *request,
                 const char    *code,
                 const char    *what,
                 const char    *name)
{
  g_autofree char *message = g_strdup_printf ("%s not found: %s", what, name);

  lb_fake_reply_error (request, 404, code, message);
}

static gboolean
is_valid_table_name (const char *name)
{
  g_auto(GStrv) parts = NULL;

  if (name == NULL)
    return FALSE;
  parts = g_strsplit (name, ".", -1);
  if (g_strv_length (parts) != 3)
    return FALSE;
  for (guint i = 0; i < 3; i++)
    if (parts[i][0] == '\0')
      return FALSE;
  return TRUE;
}

static char *
catalog_of (const char *table_name)
{
  const char *dot = strchr (table_name, '.');

  return g_strndup (table_name, dot - table_name);
}

static gboolean
is_valid_policy (const char *policy)
{
  return g_strcmp0 (policy, "SNAPSHOT") == 0 ||
         g_strcmp0 (policy, "TRIGGERED") == 0 ||
         g_strcmp0 (policy, "CONTINUOUS") == 0;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* Answers a list with page_size / page_token like the real APIs: the token
 * is opaque to clients (here the offset of the next page). */
static void
reply_page (LbFakeRequest *request,
            GHashTable    *table,
            const char    *items_key,
            const char    *name_prefix)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(JsonObject) answer = json_object_new ();
  JsonArray *items = json_array_new ();
  const char *size_text = lb_fake_request_get_query (request, "page_size");
  const char *token = lb_fake_request_get_query (request, "page_token");
  guint64 page_size = 50;
  guint64 offset = 0;
  GHashTableIter iter;
  gpointer key;

  if (size_text != NULL &&
      (!g_ascii_string_to_unsigned (size_text, 10, 0, 100, &page_size, NULL) || page_size == 0))
    {
      json_array_unref (items);
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE",
                           "page_size must be between 1 and 100");
      return;
    }
  if (token != NULL && token[0] != '\0' &&
      !g_ascii_string_to_unsigned (token, 10, 0, G_MAXUINT, &offset, NULL))
    {
      json_array_unref (items);
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE", "Invalid page_token");
      return;
    }

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (name_prefix == NULL || g_str_has_prefix (key, name_prefix))
      g_ptr_array_add (names, key);
  g_ptr_array_sort (names, compare_names);

  for (guint64 i = offset; i < names->len && i < offset + page_size; i++)
    {
      Res *res = g_hash_table_lookup (table, g_ptr_array_index (names, i));
      JsonNode *node = json_node_new (JSON_NODE_OBJECT);

      json_node_set_object (node, res->obj);
      json_array_add_element (items, node);
    }

  json_object_set_array_member (answer, items_key, items);
  if (offset + page_size < names->len)
    {
      g_autofree char *next = g_strdup_printf ("%" G_GUINT64_FORMAT, offset + page_size);

      json_object_set_string_member (answer, "next_page_token", next);
    }
  reply_object (request, 200, answer);
}

/* One GET: count it, and move to the next phase after enough of them. */
static gboolean
tick (LbFakeWorkspace *fake,
      Res             *res,
      guint            last_phase)
{
  guint n = lb_fake_workspace_get_polls_until_ready_locked (fake);

  if (res->phase >= last_phase)
    return FALSE;
  res->polls++;
  if (res->polls < n)
    return FALSE;
  res->phase++;
  res->polls = 0;
  return TRUE;
}

/* A synced table stops being "in flight" once it reported its final state
 * (or was deleted): the tests read how many were provisioning at once. */
static void
settle_synced_table (Lakebase *lb,
                     Res      *res)
{
  if (!res->in_flight)
    return;
  res->in_flight = FALSE;
  lb->tables_in_flight--;
}

/* Moves a synced table on, by GET count or, with a provisioning time set,
 * by the time since its creation (so tables created together finish
 * together, however often each is polled). TRUE when its phase changed. */
static gboolean
advance_synced_table (LbFakeWorkspace *fake,
                      Lakebase        *lb,
                      Res             *res)
{
  gboolean changed;

  if (lb->synced_table_ms > 0)
    {
      gint64 elapsed_ms = (g_get_monotonic_time () - res->created_us) / 1000;
      guint phase = elapsed_ms >= lb->synced_table_ms ? 2 : elapsed_ms >= lb->synced_table_ms / 5 ? 1 : 0;

      changed = phase != res->phase;
      res->phase = MAX (res->phase, phase);
    }
  else
    changed = tick (fake, res, 2);

  if (res->phase >= 2)
    settle_synced_table (lb, res);
  return changed;
}

/* ---- SCIM Me ---- */

static void
me_cb (LbFakeWorkspace *fake,
       LbFakeRequest   *request,
       gpointer         user_data)
{
  const char *user_name = lb_fake_workspace_get_user_name_locked (fake);
  g_autoptr(JsonObject) user = json_object_new ();
  JsonObject *name = json_object_new ();
  JsonObject *email = json_object_new ();
  JsonArray *emails = json_array_new ();
  gboolean is_sp = strchr (user_name, '@') == NULL;

  if (!g_str_equal (request->method, "GET") || !g_str_equal (request->path, "/api/2.0/preview/scim/v2/Me"))
    {
      lb_fake_reply_error (request, 404, "ENDPOINT_NOT_FOUND", "No API found for this path.");
      return;
    }

  json_object_set_string_member (user, "id", "4242424242424242");
  json_object_set_string_member (user, "userName", user_name);
  json_object_set_string_member (user, "displayName", is_sp ? "Deploy robot" : "Ana Example");
  json_object_set_boolean_member (user, "active", TRUE);
  json_object_set_string_member (name, "givenName", is_sp ? "Deploy" : "Ana");
  json_object_set_string_member (name, "familyName", is_sp ? "Robot" : "Example");
  json_object_set_object_member (user, "name", name);
  if (!is_sp)
    {
      json_object_set_string_member (email, "value", user_name);
      json_object_set_boolean_member (email, "primary", TRUE);
      json_object_set_string_member (email, "type", "work");
      json_array_add_object_element (emails, email);
    }
  else
    json_object_unref (email);
  json_object_set_array_member (user, "emails", emails);
  json_object_set_array_member (user, "groups", json_array_new ());

  soup_message_headers_replace (soup_server_message_get_response_headers (request->msg),
                                "X-Databricks-Org-Id", "1234567890123456");
  reply_object (request, 200, user);
}

/* ---- Provisioned: instances ---- */

static void
render_instance (LbFakeWorkspace *fake,
                 Res             *res)
{
  if (res->phase == 0)
    json_object_set_string_member (res->obj, "state", "STARTING");
  else
    {
      json_object_set_string_member (res->obj, "state", "AVAILABLE");
      json_object_set_string_member (res->obj, "read_write_dns",
                                     lb_fake_workspace_get_pg_host_locked (fake));
    }
}

static const char *
valid_capacity (const char *capacity)
{
  static const char * const valid[] = { "CU_1", "CU_2", "CU_4", "CU_8", NULL };

  if (capacity == NULL)
    return "CU_1";
  return g_strv_contains (valid, capacity) ? capacity : NULL;
}

static void
instance_create (LbFakeWorkspace *fake,
                 Lakebase        *lb,
                 LbFakeRequest   *request)
{
  JsonObject *body = body_object (request);
  const char *name = member_string (body, "name");
  const char *capacity = valid_capacity (member_string (body, "capacity"));
  g_autofree char *uid = lb_fake_new_uid ();
  g_autofree char *created = timestamp_in (0);
  Res *res;

  if (name == NULL || name[0] == '\0')
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE", "Field 'name' is required.");
      return;
    }
  if (capacity == NULL)
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE",
                           "Invalid capacity: expected one of CU_1, CU_2, CU_4, CU_8.");
      return;
    }
  if (g_hash_table_contains (lb->instances, name))
    {
      g_autofree char *message = g_strdup_printf ("Database instance with name '%s' already exists.", name);

      lb_fake_reply_error (request, 409, "RESOURCE_ALREADY_EXISTS", message);
      return;
    }

  res = g_new0 (Res, 1);
  res->kind = RES_INSTANCE;
  res->obj = json_object_new ();
  json_object_set_string_member (res->obj, "name", name);
  json_object_set_string_member (res->obj, "uid", uid);
  json_object_set_string_member (res->obj, "capacity", capacity);
  json_object_set_string_member (res->obj, "effective_capacity", capacity);
  json_object_set_string_member (res->obj, "creator", lb_fake_workspace_get_user_name_locked (fake));
  json_object_set_string_member (res->obj, "creation_time", created);
  json_object_set_string_member (res->obj, "pg_version", "PG_VERSION_16");
  json_object_set_int_member (res->obj, "effective_node_count",
                              member_int (body, "node_count", 1));
  json_object_set_int_member (res->obj, "effective_retention_window_in_days",
                              member_int (body, "retention_window_in_days", 7));
  json_object_set_boolean_member (res->obj, "effective_stopped", FALSE);
  json_object_set_boolean_member (res->obj, "effective_enable_readable_secondaries",
                                  member_boolean (body, "enable_readable_secondaries", FALSE));
  json_object_set_boolean_member (res->obj, "effective_enable_pg_native_login", FALSE);
  if (lb_fake_workspace_get_polls_until_ready_locked (fake) == 0)
    res->phase = 1;
  render_instance (fake, res);
  g_hash_table_insert (lb->instances, g_strdup (name), res);

  reply_object (request, 200, res->obj);
}

static void
instance_patch (LbFakeWorkspace *fake,
                Res             *res,
                LbFakeRequest   *request)
{
  const char *mask = lb_fake_request_get_query (request, "update_mask");
  JsonObject *body = body_object (request);
  g_auto(GStrv) fields = NULL;

  if (mask == NULL || mask[0] == '\0')
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE", "update_mask is required.");
      return;
    }

  fields = g_strsplit (mask, ",", -1);
  for (guint i = 0; fields[i] != NULL; i++)
    {
      if (g_str_equal (fields[i], "capacity"))
        {
          const char *capacity = valid_capacity (member_string (body, "capacity"));

          if (capacity == NULL)
            {
              lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE", "Invalid capacity.");
              return;
            }
          json_object_set_string_member (res->obj, "capacity", capacity);
          json_object_set_string_member (res->obj, "effective_capacity", capacity);
        }
      else if (g_str_equal (fields[i], "stopped"))
        {
          gboolean stopped = member_boolean (body, "stopped", FALSE);

          json_object_set_boolean_member (res->obj, "stopped", stopped);
          json_object_set_boolean_member (res->obj, "effective_stopped", stopped);
          json_object_set_string_member (res->obj, "state", stopped ? "STOPPED" : "AVAILABLE");
        }
      else
        {
          g_autofree char *message = g_strdup_printf ("Field '%s' cannot be updated.", fields[i]);

          lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE", message);
          return;
        }
    }

  reply_object (request, 200, res->obj);
}

/* ---- Provisioned: catalogs ---- */

static void
catalog_create (LbFakeWorkspace *fake,
                Lakebase        *lb,
                LbFakeRequest   *request)
{
  JsonObject *body = body_object (request);
  const char *name = member_string (body, "name");
  const char *instance_name = member_string (body, "database_instance_name");
  const char *database_name = member_string (body, "database_name");
  g_autofree char *uid = lb_fake_new_uid ();
  Res *instance;
  Res *res;

  if (name == NULL || instance_name == NULL || database_name == NULL)
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE",
                           "Fields 'name', 'database_instance_name' and 'database_name' are required.");
      return;
    }
  instance = g_hash_table_lookup (lb->instances, instance_name);
  if (instance == NULL)
    {
      reply_not_found (request, "RESOURCE_DOES_NOT_EXIST", "DatabaseInstance", instance_name);
      return;
    }
  if (instance->phase == 0)
    {
      g_autofree char *message = g_strdup_printf ("Database instance '%s' is not available yet.", instance_name);

      lb_fake_reply_error (request, 400, "INVALID_STATE", message);
      return;
    }
  if (g_hash_table_contains (lb->catalogs, name))
    {
      g_autofree char *message = g_strdup_printf ("Catalog '%s' already exists.", name);

      lb_fake_reply_error (request, 409, "RESOURCE_ALREADY_EXISTS", message);
      return;
    }

  res = g_new0 (Res, 1);
  res->kind = RES_CATALOG;
  res->obj = json_object_new ();
  json_object_set_string_member (res->obj, "name", name);
  json_object_set_string_member (res->obj, "database_instance_name", instance_name);
  json_object_set_string_member (res->obj, "database_name", database_name);
  json_object_set_string_member (res->obj, "uid", uid);
  /* create_database_if_not_exists is write-only: not stored, not echoed. */
  g_hash_table_insert (lb->catalogs, g_strdup (name), res);

  reply_object (request, 200, res->obj);
}

/* ---- Synced tables (both flavours) ---- */

static const char *
final_state (const char *policy)
{
  return g_strcmp0 (policy, "CONTINUOUS") == 0 ? "SYNCED_TABLE_ONLINE_CONTINUOUS_UPDATE"
                                               : "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE";
}

/* The status block sits in data_synchronization_status (provisioned) or in
 * status (autoscaling); the progress object differs likewise. */
static void
render_synced_table (LbFakeWorkspace *fake,
                     Res             *res)
{
  gboolean provisioned = res->kind == RES_SYNCED_TABLE;
  JsonObject *spec = member_object (res->obj, "spec");
  JsonObject *status = ensure_object (res->obj, provisioned ? "data_synchronization_status" : "status");
  const char *policy = member_string (spec, "scheduling_policy");
  const char *source = member_string (spec, "source_table_full_name");
  guint n = MAX (lb_fake_workspace_get_polls_until_ready_locked (fake), 1);
  g_autofree char *now = timestamp_in (0);

  json_object_remove_member (status, "provisioning_status");
  json_object_remove_member (status, "ongoing_sync_progress");
  json_object_remove_member (status, "failed_status");

  switch (res->phase)
    {
    case 0:
      json_object_set_string_member (status, "detailed_state", "SYNCED_TABLE_PROVISIONING_PIPELINE_RESOURCES");
      json_object_set_string_member (status, "message", "Provisioning the sync pipeline.");
      break;

    case 1:
      {
        JsonObject *progress = json_object_new ();
        Lakebase *lb = get_lakebase (fake);
        double completion = (double) res->polls / n;

        if (lb->synced_table_ms > 0)
          completion = CLAMP ((g_get_monotonic_time () - res->created_us) / 1000.0 / lb->synced_table_ms, 0.0, 1.0);

        json_object_set_string_member (status, "detailed_state", "SYNCED_TABLE_PROVISIONING_INITIAL_SNAPSHOT");
        json_object_set_string_member (status, "message", "Copying the initial snapshot.");
        json_object_set_double_member (progress, "sync_progress_completion", completion);
        json_object_set_int_member (progress, "synced_row_count", (gint64) (completion * 100000));
        json_object_set_int_member (progress, "total_row_count", 100000);
        json_object_set_string_member (progress, "provisioning_phase", "PROVISIONING_PHASE_MAIN");
        if (provisioned)
          {
            JsonObject *prov = json_object_new ();

            json_object_set_object_member (prov, "initial_pipeline_sync_progress", progress);
            json_object_set_object_member (status, "provisioning_status", prov);
          }
        else
          json_object_set_object_member (status, "ongoing_sync_progress", progress);
      }
      break;

    default:
      if (res->will_fail)
        {
          g_autofree char *message = g_strdup_printf ("Pipeline failed: the source table %s could not be read.",
                                                      source);
          JsonObject *failed = json_object_new ();

          json_object_set_string_member (status, "detailed_state", "SYNCED_TABLE_OFFLINE_FAILED");
          json_object_set_string_member (status, "message", message);
          json_object_set_string_member (failed, "timestamp", now);
          json_object_set_object_member (status, "failed_status", failed);
        }
      else
        {
          JsonObject *last_sync = json_object_new ();

          json_object_set_string_member (status, "detailed_state", final_state (policy));
          json_object_set_string_member (status, "message", "The table is online.");
          json_object_set_string_member (last_sync, "sync_start_timestamp", now);
          json_object_set_string_member (last_sync, "sync_end_timestamp", now);
          json_object_set_object_member (status, "last_sync", last_sync);
        }
      break;
    }

  if (provisioned)
    json_object_set_string_member (res->obj, "unity_catalog_provisioning_state",
                                   res->phase == 0 ? "PROVISIONING" : "ACTIVE");
  else
    json_object_set_string_member (status, "unity_catalog_provisioning_state",
                                   res->phase == 0 ? "PROVISIONING" : "ACTIVE");
}

/* Checks the spec shared by both flavours; answers and returns FALSE if bad. */
static gboolean
check_synced_spec (LbFakeRequest *request,
                   JsonObject    *spec)
{
  const char *source = member_string (spec, "source_table_full_name");
  JsonNode *keys = spec != NULL && json_object_has_member (spec, "primary_key_columns")
    ? json_object_get_member (spec, "primary_key_columns") : NULL;

  if (!is_valid_table_name (source))
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE",
                           "spec.source_table_full_name must be catalog.schema.table.");
      return FALSE;
    }
  if (keys == NULL || !JSON_NODE_HOLDS_ARRAY (keys) || json_array_get_length (json_node_get_array (keys)) == 0)
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE",
                           "spec.primary_key_columns must name at least one column.");
      return FALSE;
    }
  if (!is_valid_policy (member_string (spec, "scheduling_policy")))
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE",
                           "spec.scheduling_policy must be SNAPSHOT, TRIGGERED or CONTINUOUS.");
      return FALSE;
    }
  return TRUE;
}

static Res *
new_synced_table (LbFakeWorkspace *fake,
                  ResKind          kind,
                  const char      *name,
                  JsonObject      *spec)
{
  Res *res = g_new0 (Res, 1);
  g_autofree char *pipeline = lb_fake_new_uid ();
  g_autofree char *lower = g_ascii_strdown (member_string (spec, "source_table_full_name"), -1);
  JsonObject *status;

  res->kind = kind;
  res->obj = json_object_new ();
  res->will_fail = strstr (lower, "fail") != NULL;
  res->created_us = g_get_monotonic_time ();
  json_object_set_string_member (res->obj, "name", name);
  json_object_set_object_member (res->obj, "spec", json_object_ref (spec));
  status = ensure_object (res->obj, kind == RES_SYNCED_TABLE ? "data_synchronization_status" : "status");
  json_object_set_string_member (status, "pipeline_id", pipeline);
  if (lb_fake_workspace_get_polls_until_ready_locked (fake) == 0 && get_lakebase (fake)->synced_table_ms == 0)
    res->phase = 2;
  else
    {
      Lakebase *lb = get_lakebase (fake);

      res->in_flight = TRUE;
      lb->tables_in_flight++;
      lb->max_tables_in_flight = MAX (lb->max_tables_in_flight, lb->tables_in_flight);
    }
  render_synced_table (fake, res);

  return res;
}

static void
synced_table_create (LbFakeWorkspace *fake,
                     Lakebase        *lb,
                     LbFakeRequest   *request)
{
  JsonObject *body = body_object (request);
  const char *name = member_string (body, "name");
  const char *instance_name = member_string (body, "database_instance_name");
  JsonObject *spec = member_object (body, "spec");
  g_autofree char *catalog_name = NULL;
  Res *catalog;
  Res *res;

  if (!is_valid_table_name (name))
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE", "Field 'name' must be catalog.schema.table.");
      return;
    }
  if (!check_synced_spec (request, spec))
    return;

  catalog_name = catalog_of (name);
  catalog = g_hash_table_lookup (lb->catalogs, catalog_name);
  if (catalog == NULL)
    {
      g_autofree char *message = g_strdup_printf ("Catalog '%s' is not a database catalog; "
                                                  "database_instance_name and logical_database_name are required.",
                                                  catalog_name);

      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE", message);
      return;
    }
  if (instance_name != NULL &&
      g_strcmp0 (instance_name, member_string (catalog->obj, "database_instance_name")) != 0)
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE",
                           "database_instance_name does not match the catalog's instance.");
      return;
    }
  if (member_object (spec, "new_pipeline_spec") == NULL && member_string (spec, "existing_pipeline_id") == NULL)
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE",
                           "spec.new_pipeline_spec (storage_catalog, storage_schema) is required in a database catalog.");
      return;
    }
  if (g_hash_table_contains (lb->synced_tables, name))
    {
      g_autofree char *message = g_strdup_printf ("Synced table '%s' already exists.", name);

      lb_fake_reply_error (request, 409, "RESOURCE_ALREADY_EXISTS", message);
      return;
    }

  res = new_synced_table (fake, RES_SYNCED_TABLE, name, spec);
  json_object_set_string_member (res->obj, "database_instance_name",
                                 member_string (catalog->obj, "database_instance_name"));
  json_object_set_string_member (res->obj, "effective_database_instance_name",
                                 member_string (catalog->obj, "database_instance_name"));
  json_object_set_string_member (res->obj, "effective_logical_database_name",
                                 member_string (catalog->obj, "database_name"));
  g_hash_table_insert (lb->synced_tables, g_strdup (name), res);

  reply_object (request, 200, res->obj);
}

/* ---- Credentials ---- */

static void
credential_reply (LbFakeWorkspace *fake,
                  LbFakeRequest   *request,
                  const char      *expiry_key)
{
  g_autoptr(JsonObject) answer = json_object_new ();
  g_autofree char *random = lb_fake_new_uid ();
  g_autofree char *token = NULL;
  g_autofree char *expiry = timestamp_in (3600);

  g_strdelimit (random, "-", 'x');
  token = g_strconcat ("eyJfake.", random, NULL);
  lb_fake_workspace_add_secret_locked (fake, token);
  json_object_set_string_member (answer, "token", token);
  json_object_set_string_member (answer, expiry_key, expiry);
  reply_object (request, 200, answer);
}

static void
database_credential (LbFakeWorkspace *fake,
                     Lakebase        *lb,
                     LbFakeRequest   *request)
{
  JsonObject *body = body_object (request);
  JsonNode *names = body != NULL && json_object_has_member (body, "instance_names")
    ? json_object_get_member (body, "instance_names") : NULL;
  JsonArray *array;

  if (names == NULL || !JSON_NODE_HOLDS_ARRAY (names) ||
      json_array_get_length (array = json_node_get_array (names)) == 0)
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE",
                           "At least one of instance_names or claims is required.");
      return;
    }
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      const char *name = json_array_get_string_element (array, i);

      if (name == NULL || !g_hash_table_contains (lb->instances, name))
        {
          reply_not_found (request, "RESOURCE_DOES_NOT_EXIST", "DatabaseInstance", name ? name : "");
          return;
        }
    }

  credential_reply (fake, request, "expiration_time");
}

/* ---- /api/2.0/database/ router ---- */

static void
database_cb (LbFakeWorkspace *fake,
             LbFakeRequest   *request,
             gpointer         user_data)
{
  Lakebase *lb = get_lakebase (fake);
  const char *rest = request->path + strlen (DATABASE_PREFIX);
  const char *method = request->method;
  gboolean get = g_str_equal (method, "GET");
  gboolean post = g_str_equal (method, "POST");
  gboolean patch = g_str_equal (method, "PATCH");
  gboolean delete = g_str_equal (method, "DELETE");

  if (g_str_equal (rest, "instances"))
    {
      if (post)
        instance_create (fake, lb, request);
      else if (get)
        reply_page (request, lb->instances, "database_instances", NULL);
      else
        lb_fake_reply_error (request, 405, "BAD_REQUEST", "Method not allowed.");
      return;
    }

  if (g_str_has_prefix (rest, "instances/"))
    {
      const char *name = rest + strlen ("instances/");
      Res *res = g_hash_table_lookup (lb->instances, name);

      if (res == NULL)
        {
          reply_not_found (request, "RESOURCE_DOES_NOT_EXIST", "DatabaseInstance", name);
          return;
        }
      if (get)
        {
          if (tick (fake, res, 1))
            render_instance (fake, res);
          reply_object (request, 200, res->obj);
        }
      else if (patch)
        instance_patch (fake, res, request);
      else if (delete)
        {
          if (g_strcmp0 (lb_fake_request_get_query (request, "purge"), "false") == 0)
            {
              lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE",
                                   "purge=false is no longer supported.");
              return;
            }
          g_hash_table_remove (lb->instances, name);
          reply_empty (request);
        }
      else
        lb_fake_reply_error (request, 405, "BAD_REQUEST", "Method not allowed.");
      return;
    }

  if (g_str_equal (rest, "catalogs") && post)
    {
      catalog_create (fake, lb, request);
      return;
    }

  if (g_str_has_prefix (rest, "catalogs/"))
    {
      const char *name = rest + strlen ("catalogs/");
      Res *res = g_hash_table_lookup (lb->catalogs, name);

      if (patch)
        lb_fake_reply_error (request, 501, "NOT_IMPLEMENTED", "Updating a database catalog is not implemented.");
      else if (res == NULL)
        reply_not_found (request, "RESOURCE_DOES_NOT_EXIST", "DatabaseCatalog", name);
      else if (get)
        reply_object (request, 200, res->obj);
      else if (delete)
        {
          g_hash_table_remove (lb->catalogs, name);
          reply_empty (request);
        }
      else
        lb_fake_reply_error (request, 405, "BAD_REQUEST", "Method not allowed.");
      return;
    }

  if (g_str_equal (rest, "synced_tables") && post)
    {
      synced_table_create (fake, lb, request);
      return;
    }

  if (g_str_has_prefix (rest, "synced_tables/"))
    {
      const char *name = rest + strlen ("synced_tables/");
      Res *res = g_hash_table_lookup (lb->synced_tables, name);

      if (patch)
        lb_fake_reply_error (request, 501, "NOT_IMPLEMENTED", "Updating a synced table is not yet implemented.");
      else if (res == NULL)
        reply_not_found (request, "RESOURCE_DOES_NOT_EXIST", "SyncedDatabaseTable", name);
      else if (get)
        {
          if (advance_synced_table (fake, lb, res))
            render_synced_table (fake, res);
          else if (res->phase == 1)
            render_synced_table (fake, res);   /* progress rises within the phase */
          reply_object (request, 200, res->obj);
        }
      else if (delete)
        {
          settle_synced_table (lb, res);
          g_hash_table_remove (lb->synced_tables, name);
          reply_empty (request);
        }
      else
        lb_fake_reply_error (request, 405, "BAD_REQUEST", "Method not allowed.");
      return;
    }

  if (g_str_equal (rest, "credentials") && post)
    {
      database_credential (fake, lb, request);
      return;
    }

  lb_fake_reply_error (request, 404, "ENDPOINT_NOT_FOUND", "No API found for this path.");
}

/* ---- Autoscaling: operations ---- */

static JsonObject *
op_to_object (Op *op)
{
  JsonObject *obj = json_object_new ();
  JsonObject *metadata = json_object_new ();

  json_object_set_string_member (obj, "name", op->name);
  json_object_set_boolean_member (obj, "done", op->done);
  json_object_set_string_member (metadata, "@type", op->metadata_type);
  json_object_set_object_member (obj, "metadata", metadata);
  if (op->done)
    {
      if (op->response != NULL)
        json_object_set_member (obj, "response", json_node_copy (op->response));
      else
        {
          JsonObject *empty = json_object_new ();

          json_object_set_string_member (empty, "@type", "type.googleapis.com/google.protobuf.Empty");
          json_object_set_object_member (obj, "response", empty);
        }
    }
  return obj;
}

/* Starts an operation on @resource_name; @response is the resource (copied
 * now: the operation reports it as it was when created) or NULL for deletes. */
static void
reply_operation (LbFakeWorkspace *fake,
                 Lakebase        *lb,
                 LbFakeRequest   *request,
                 const char      *resource_name,
                 const char      *kind,
                 JsonObject      *response)
{
  g_autofree char *uid = lb_fake_new_uid ();
  g_autoptr(JsonObject) obj = NULL;
  Op *op = g_new0 (Op, 1);

  op->name = g_strdup_printf ("%s/operations/%s", resource_name, uid);
  op->metadata_type = g_strdup_printf ("type.googleapis.com/databricks.postgres.v1.%sOperationMetadata", kind);
  /* The operation shares the live resource: when done it reports the
   * resource as it is then. */
  if (response != NULL)
    op->response = json_node_init_object (json_node_alloc (), response);
  op->done = lb_fake_workspace_get_polls_until_ready_locked (fake) == 0;
  g_hash_table_insert (lb->operations, g_strdup (op->name), op);

  obj = op_to_object (op);
  reply_object (request, 200, obj);
}

static void
operation_get (LbFakeWorkspace *fake,
               Lakebase        *lb,
               LbFakeRequest   *request,
               const char      *name)
{
  Op *op = g_hash_table_lookup (lb->operations, name);
  g_autoptr(JsonObject) obj = NULL;

  if (op == NULL)
    {
      reply_not_found (request, "NOT_FOUND", "operation", name);
      return;
    }
  if (!op->done && ++op->polls >= lb_fake_workspace_get_polls_until_ready_locked (fake))
    op->done = TRUE;

  obj = op_to_object (op);
  reply_object (request, 200, obj);
}

/* ---- Autoscaling: projects, branches, endpoints ---- */

static gboolean
is_valid_id (const char *id)
{
  gsize len;

  if (id == NULL || !g_ascii_islower (id[0]))
    return FALSE;
  len = strlen (id);
  if (len > 63)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_islower (id[i]) && !g_ascii_isdigit (id[i]) && id[i] != '-')
      return FALSE;
  return TRUE;
}

static void
render_branch (Res *res)
{
  JsonObject *status = ensure_object (res->obj, "status");

  json_object_set_string_member (status, "current_state", res->phase == 0 ? "INIT" : "READY");
}

static void
render_endpoint (LbFakeWorkspace *fake,
                 Res             *res)
{
  JsonObject *status = ensure_object (res->obj, "status");
  JsonObject *hosts = ensure_object (status, "hosts");

  json_object_set_string_member (status, "current_state", res->phase == 0 ? "INIT" : "ACTIVE");
  json_object_set_string_member (hosts, "host", lb_fake_workspace_get_pg_host_locked (fake));
}

static gboolean
check_cu_range (LbFakeRequest *request,
                double         min_cu,
                double         max_cu)
{
  if (min_cu < 0.5 || max_cu > 64 || max_cu < min_cu || max_cu - min_cu > 16)
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE",
                           "Autoscaling limits must satisfy 0.5 <= min <= max <= 64 and max - min <= 16.");
      return FALSE;
    }
  return TRUE;
}

static void
project_create (LbFakeWorkspace *fake,
                Lakebase        *lb,
                LbFakeRequest   *request)
{
  const char *id = lb_fake_request_get_query (request, "project_id");
  JsonObject *body = body_object (request);
  JsonObject *spec = member_object (body, "spec");
  JsonObject *settings = member_object (spec, "default_endpoint_settings");
  double min_cu = member_double (settings, "autoscaling_limit_min_cu", 1);
  double max_cu = member_double (settings, "autoscaling_limit_max_cu", 1);
  g_autofree char *name = NULL;
  g_autofree char *branch_name = NULL;
  g_autofree char *endpoint_name = NULL;
  g_autofree char *uid = lb_fake_new_uid ();
  g_autofree char *now = timestamp_in (0);
  g_autofree char *ep_uid = NULL;
  JsonObject *status;
  JsonObject *ep_settings;
  Res *project;
  Res *branch;
  Res *endpoint;
  gboolean ready_now = lb_fake_workspace_get_polls_until_ready_locked (fake) == 0;

  if (id == NULL || id[0] == '\0')
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE",
                           "Field 'project_id' is required, expected non-default value (not \"\")!");
      return;
    }
  if (!is_valid_id (id))
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE",
                           "project_id must be 1-63 characters of a-z, 0-9 and '-', starting with a letter.");
      return;
    }
  if (!check_cu_range (request, min_cu, max_cu))
    return;

  name = g_strconcat ("projects/", id, NULL);
  if (g_hash_table_contains (lb->projects, name))
    {
      lb_fake_reply_error (request, 409, "ALREADY_EXISTS", "Project with such id already exists");
      return;
    }

  branch_name = g_strconcat (name, "/branches/production", NULL);
  endpoint_name = g_strconcat (branch_name, "/endpoints/primary", NULL);

  /* GETs return mostly status, as the real service does. */
  project = g_new0 (Res, 1);
  project->kind = RES_PROJECT;
  project->obj = json_object_new ();
  json_object_set_string_member (project->obj, "name", name);
  json_object_set_string_member (project->obj, "project_id", id);
  json_object_set_string_member (project->obj, "uid", uid);
  json_object_set_string_member (project->obj, "create_time", now);
  json_object_set_string_member (project->obj, "update_time", now);
  status = ensure_object (project->obj, "status");
  json_object_set_string_member (status, "display_name", member_string (spec, "display_name") ?: id);
  json_object_set_int_member (status, "pg_version", member_int (spec, "pg_version", 16));
  json_object_set_string_member (status, "history_retention_duration",
                                 member_string (spec, "history_retention_duration") ?: "604800s");
  json_object_set_string_member (status, "default_branch", branch_name);
  json_object_set_string_member (status, "owner", lb_fake_workspace_get_user_name_locked (fake));
  json_object_set_int_member (status, "branch_logical_size_limit_bytes", G_GINT64_CONSTANT (8796093022208));
  ep_settings = ensure_object (status, "default_endpoint_settings");
  json_object_set_double_member (ep_settings, "autoscaling_limit_min_cu", min_cu);
  json_object_set_double_member (ep_settings, "autoscaling_limit_max_cu", max_cu);
  json_object_set_string_member (ep_settings, "suspend_timeout_duration",
                                 member_string (settings, "suspend_timeout_duration") ?: "86400s");
  g_hash_table_insert (lb->projects, g_strdup (name), project);

  branch = g_new0 (Res, 1);
  branch->kind = RES_BRANCH;
  branch->obj = json_object_new ();
  branch->phase = ready_now ? 1 : 0;
  json_object_set_string_member (branch->obj, "name", branch_name);
  json_object_set_string_member (branch->obj, "uid", "br-production");
  json_object_set_string_member (branch->obj, "create_time", now);
  status = ensure_object (branch->obj, "status");
  json_object_set_boolean_member (status, "default", TRUE);
  json_object_set_boolean_member (status, "is_protected", FALSE);
  json_object_set_int_member (status, "logical_size_bytes", 0);
  render_branch (branch);
  g_hash_table_insert (lb->branches, g_strdup (branch_name), branch);

  endpoint = g_new0 (Res, 1);
  endpoint->kind = RES_ENDPOINT;
  endpoint->obj = json_object_new ();
  endpoint->phase = ready_now ? 1 : 0;
  ep_uid = g_strdup_printf ("ep-%.8s", uid);
  json_object_set_string_member (endpoint->obj, "name", endpoint_name);
  json_object_set_string_member (endpoint->obj, "uid", ep_uid);
  json_object_set_string_member (endpoint->obj, "create_time", now);
  status = ensure_object (endpoint->obj, "status");
  json_object_set_string_member (status, "endpoint_type", "ENDPOINT_TYPE_READ_WRITE");
  json_object_set_double_member (status, "autoscaling_limit_min_cu", min_cu);
  json_object_set_double_member (status, "autoscaling_limit_max_cu", max_cu);
  json_object_set_string_member (status, "suspend_timeout_duration",
                                 member_string (settings, "suspend_timeout_duration") ?: "86400s");
  render_endpoint (fake, endpoint);
  g_hash_table_insert (lb->endpoints, g_strdup (endpoint_name), endpoint);

  reply_operation (fake, lb, request, name, "Project", project->obj);
}

/* POST projects/{p}/branches?branch_id=: a branch made from spec.source_branch
 * (the default branch when absent), with no endpoint of its own. */
static void
branch_create (LbFakeWorkspace *fake,
               Lakebase        *lb,
               LbFakeRequest   *request,
               const char      *project_name)
{
  const char *id = lb_fake_request_get_query (request, "branch_id");
  JsonObject *spec = member_object (body_object (request), "spec");
  const char *source = member_string (spec, "source_branch");
  g_autofree char *name = NULL;
  g_autofree char *now = timestamp_in (0);
  g_autofree char *uid = lb_fake_new_uid ();
  g_autofree char *default_source = g_strconcat (project_name, "/branches/production", NULL);
  JsonObject *status;
  Res *branch;

  if (!g_hash_table_contains (lb->projects, project_name))
    {
      reply_not_found (request, "NOT_FOUND", "project", project_name);
      return;
    }
  if (!is_valid_id (id))
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE",
                           "branch_id must be 1-63 characters of a-z, 0-9 and '-', starting with a letter.");
      return;
    }
  if (source == NULL)
    source = default_source;
  if (!g_hash_table_contains (lb->branches, source))
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE", "spec.source_branch does not exist.");
      return;
    }
  name = g_strconcat (project_name, "/branches/", id, NULL);
  if (g_hash_table_contains (lb->branches, name))
    {
      lb_fake_reply_error (request, 409, "ALREADY_EXISTS", "Branch with such id already exists");
      return;
    }

  branch = g_new0 (Res, 1);
  branch->kind = RES_BRANCH;
  branch->obj = json_object_new ();
  branch->phase = lb_fake_workspace_get_polls_until_ready_locked (fake) == 0 ? 1 : 0;
  json_object_set_string_member (branch->obj, "name", name);
  json_object_set_string_member (branch->obj, "uid", uid);
  json_object_set_string_member (branch->obj, "create_time", now);
  status = ensure_object (branch->obj, "status");
  json_object_set_boolean_member (status, "default", FALSE);
  json_object_set_boolean_member (status, "is_protected", FALSE);
  json_object_set_string_member (status, "source_branch", source);
  render_branch (branch);
  g_hash_table_insert (lb->branches, g_strdup (name), branch);

  reply_operation (fake, lb, request, name, "Branch", branch->obj);
}

/* POST {branch}/endpoints?endpoint_id=: one read-write endpoint per branch. */
static void
endpoint_create (LbFakeWorkspace *fake,
                 Lakebase        *lb,
                 LbFakeRequest   *request,
                 const char      *branch_name)
{
  const char *id = lb_fake_request_get_query (request, "endpoint_id");
  JsonObject *spec = member_object (body_object (request), "spec");
  const char *type = member_string (spec, "endpoint_type");
  double min_cu = member_double (spec, "autoscaling_limit_min_cu", 1);
  double max_cu = member_double (spec, "autoscaling_limit_max_cu", 1);
  g_autofree char *name = NULL;
  g_autofree char *prefix = g_strconcat (branch_name, "/endpoints/", NULL);
  g_autofree char *uid = lb_fake_new_uid ();
  g_autofree char *ep_uid = g_strdup_printf ("ep-%.8s", uid);
  GHashTableIter iter;
  gpointer key, value;
  JsonObject *status;
  Res *endpoint;

  if (!g_hash_table_contains (lb->branches, branch_name))
    {
      reply_not_found (request, "NOT_FOUND", "branch", branch_name);
      return;
    }
  if (!is_valid_id (id) || g_strcmp0 (type, "ENDPOINT_TYPE_READ_WRITE") != 0)
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE",
                           "endpoint_id (a-z, 0-9, '-') and spec.endpoint_type ENDPOINT_TYPE_READ_WRITE are required here.");
      return;
    }
  if (!check_cu_range (request, min_cu, max_cu))
    return;
  g_hash_table_iter_init (&iter, lb->endpoints);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_str_has_prefix (key, prefix))
      {
        {
          /* Not a 409: the endpoint asked for is not the one that exists. */
          lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE",
                               "The branch already has a read-write endpoint; a branch has at most one.");
        }
        return;
      }

  name = g_strconcat (prefix, id, NULL);
  endpoint = g_new0 (Res, 1);
  endpoint->kind = RES_ENDPOINT;
  endpoint->obj = json_object_new ();
  endpoint->phase = lb_fake_workspace_get_polls_until_ready_locked (fake) == 0 ? 1 : 0;
  json_object_set_string_member (endpoint->obj, "name", name);
  json_object_set_string_member (endpoint->obj, "uid", ep_uid);
  status = ensure_object (endpoint->obj, "status");
  json_object_set_string_member (status, "endpoint_type", type);
  json_object_set_double_member (status, "autoscaling_limit_min_cu", min_cu);
  json_object_set_double_member (status, "autoscaling_limit_max_cu", max_cu);
  render_endpoint (fake, endpoint);
  g_hash_table_insert (lb->endpoints, g_strdup (name), endpoint);

  reply_operation (fake, lb, request, name, "Endpoint", endpoint->obj);
}

/* Removes every entry of @table whose key starts with @prefix. */
static void
remove_children (GHashTable *table,
                 const char *prefix)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_str_has_prefix (key, prefix))
      g_hash_table_iter_remove (&iter);
}

static void
reply_managed_by_parent (LbFakeRequest *request,
                         const char    *name)
{
  g_autofree char *text = g_strdup_printf ("{\"error_code\":\"BAD_REQUEST\",\"message\":\"%s is managed by its parent "
                                           "and cannot be deleted.\",\"details\":[{\"@type\":"
                                           "\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"MANAGED_BY_PARENT\","
                                           "\"domain\":\"postgres.databricks.com\",\"metadata\":"
                                           "{\"declarative_context\":\"MANAGED_BY_PARENT\"}}]}",
                                           name);

  lb_fake_reply_raw (request, 400, "application/json", text);
}

static void
endpoint_patch (LbFakeWorkspace *fake,
                Lakebase        *lb,
                Res             *res,
                LbFakeRequest   *request)
{
  const char *mask = lb_fake_request_get_query (request, "update_mask");
  JsonObject *spec = member_object (body_object (request), "spec");
  JsonObject *status = ensure_object (res->obj, "status");
  double min_cu = json_object_get_double_member (status, "autoscaling_limit_min_cu");
  double max_cu = json_object_get_double_member (status, "autoscaling_limit_max_cu");
  g_auto(GStrv) fields = NULL;

  if (mask == NULL || mask[0] == '\0')
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE", "update_mask is required.");
      return;
    }
  fields = g_strsplit (mask, ",", -1);
  for (guint i = 0; fields[i] != NULL; i++)
    {
      if (g_str_equal (fields[i], "spec.autoscaling_limit_min_cu"))
        min_cu = member_double (spec, "autoscaling_limit_min_cu", min_cu);
      else if (g_str_equal (fields[i], "spec.autoscaling_limit_max_cu"))
        max_cu = member_double (spec, "autoscaling_limit_max_cu", max_cu);
      else
        {
          g_autofree char *message = g_strdup_printf ("Field '%s' cannot be updated.", fields[i]);

          lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE", message);
          return;
        }
    }
  if (!check_cu_range (request, min_cu, max_cu))
    return;

  json_object_set_double_member (status, "autoscaling_limit_min_cu", min_cu);
  json_object_set_double_member (status, "autoscaling_limit_max_cu", max_cu);
  reply_operation (fake, lb, request, json_object_get_string_member (res->obj, "name"), "Endpoint", res->obj);
}

/* ---- Autoscaling: catalogs and synced tables ---- */

static void
pg_catalog_create (LbFakeWorkspace *fake,
                   Lakebase        *lb,
                   LbFakeRequest   *request)
{
  const char *id = lb_fake_request_get_query (request, "catalog_id");
  JsonObject *spec = member_object (body_object (request), "spec");
  const char *branch_name = member_string (spec, "branch");
  const char *database = member_string (spec, "postgres_database");
  g_autofree char *name = NULL;
  g_autofree char *uid = lb_fake_new_uid ();
  g_autofree char *project = NULL;
  JsonObject *status;
  Res *branch;
  Res *res;

  if (id == NULL || id[0] == '\0')
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE",
                           "Field 'catalog_id' is required, expected non-default value (not \"\")!");
      return;
    }
  if (branch_name == NULL || database == NULL)
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE",
                           "spec.branch and spec.postgres_database are required.");
      return;
    }
  branch = g_hash_table_lookup (lb->branches, branch_name);
  if (branch == NULL)
    {
      reply_not_found (request, "NOT_FOUND", "branch", branch_name);
      return;
    }
  if (branch->phase == 0)
    {
      lb_fake_reply_error (request, 400, "INVALID_STATE", "The branch is not ready yet.");
      return;
    }
  name = g_strconcat ("catalogs/", id, NULL);
  if (g_hash_table_contains (lb->pg_catalogs, name))
    {
      lb_fake_reply_error (request, 409, "ALREADY_EXISTS", "Catalog with such id already exists");
      return;
    }

  project = g_strndup (branch_name, strstr (branch_name, "/branches/") - branch_name);
  res = g_new0 (Res, 1);
  res->kind = RES_PG_CATALOG;
  res->obj = json_object_new ();
  json_object_set_string_member (res->obj, "name", name);
  json_object_set_string_member (res->obj, "uid", uid);
  status = ensure_object (res->obj, "status");
  json_object_set_string_member (status, "branch", branch_name);
  json_object_set_string_member (status, "project", project);
  json_object_set_string_member (status, "postgres_database", database);
  g_hash_table_insert (lb->pg_catalogs, g_strdup (name), res);

  reply_operation (fake, lb, request, name, "Catalog", res->obj);
}

static void
pg_synced_table_create (LbFakeWorkspace *fake,
                        Lakebase        *lb,
                        LbFakeRequest   *request)
{
  const char *id = lb_fake_request_get_query (request, "synced_table_id");
  JsonObject *spec = member_object (body_object (request), "spec");
  g_autofree char *name = NULL;
  g_autofree char *catalog_name = NULL;
  Res *catalog;
  Res *res;

  if (id == NULL || id[0] == '\0')
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE",
                           "Field 'synced_table_id' is required, expected non-default value (not \"\")!");
      return;
    }
  if (!is_valid_table_name (id))
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE", "synced_table_id must be catalog.schema.table.");
      return;
    }
  if (!check_synced_spec (request, spec))
    return;

  catalog_name = g_strconcat ("catalogs/", id, NULL);
  *strchr (catalog_name + strlen ("catalogs/"), '.') = '\0';
  catalog = g_hash_table_lookup (lb->pg_catalogs, catalog_name);
  if (catalog == NULL)
    {
      g_autofree char *message = g_strdup_printf ("Catalog '%s' is not a Lakebase catalog; spec.branch and "
                                                  "spec.postgres_database are required.",
                                                  catalog_name + strlen ("catalogs/"));

      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE", message);
      return;
    }
  if (member_string (spec, "branch") != NULL && !g_hash_table_contains (lb->branches, member_string (spec, "branch")))
    {
      reply_not_found (request, "NOT_FOUND", "branch", member_string (spec, "branch"));
      return;
    }
  name = g_strconcat ("synced_tables/", id, NULL);
  if (g_hash_table_contains (lb->pg_synced_tables, name))
    {
      lb_fake_reply_error (request, 409, "ALREADY_EXISTS", "Synced table with such id already exists");
      return;
    }

  res = new_synced_table (fake, RES_PG_SYNCED_TABLE, name, spec);
  json_object_set_string_member (ensure_object (res->obj, "status"), "project",
                                 member_string (member_object (catalog->obj, "status"), "project"));
  g_hash_table_insert (lb->pg_synced_tables, g_strdup (name), res);

  reply_operation (fake, lb, request, name, "SyncedTable", res->obj);
}

static void
postgres_credential (LbFakeWorkspace *fake,
                     Lakebase        *lb,
                     LbFakeRequest   *request)
{
  const char *endpoint = member_string (body_object (request), "endpoint");

  if (endpoint == NULL)
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE", "Field 'endpoint' is required.");
      return;
    }
  if (!g_hash_table_contains (lb->endpoints, endpoint))
    {
      reply_not_found (request, "NOT_FOUND", "endpoint", endpoint);
      return;
    }
  credential_reply (fake, request, "expire_time");
}

/* ---- /api/2.0/postgres/ router ---- */

static void
postgres_cb (LbFakeWorkspace *fake,
             LbFakeRequest   *request,
             gpointer         user_data)
{
  Lakebase *lb = get_lakebase (fake);
  const char *rest = request->path + strlen (POSTGRES_PREFIX);
  const char *method = request->method;
  gboolean get = g_str_equal (method, "GET");
  gboolean post = g_str_equal (method, "POST");
  gboolean patch = g_str_equal (method, "PATCH");
  gboolean delete = g_str_equal (method, "DELETE");
  g_auto(GStrv) parts = g_strsplit (rest, "/", -1);
  guint n = g_strv_length (parts);
  Res *res;

  if (n >= 2 && get && g_str_equal (parts[n - 2], "operations"))
    {
      operation_get (fake, lb, request, rest);
      return;
    }

  if (g_str_equal (rest, "credentials") && post)
    {
      postgres_credential (fake, lb, request);
      return;
    }

  if (g_str_equal (parts[0], "projects"))
    {
      if (n == 1)
        {
          if (post)
            project_create (fake, lb, request);
          else if (get)
            reply_page (request, lb->projects, "projects", NULL);
          else
            lb_fake_reply_error (request, 405, "BAD_REQUEST", "Method not allowed.");
          return;
        }

      if (n == 2)
        {
          res = g_hash_table_lookup (lb->projects, rest);
          if (res == NULL)
            {
              g_autofree char *message = g_strdup_printf ("project id not found [TraceId: %s]", parts[1]);

              lb_fake_reply_error (request, 404, "NOT_FOUND", message);
            }
          else if (get)
            reply_object (request, 200, res->obj);
          else if (patch)
            {
              JsonObject *spec = member_object (body_object (request), "spec");
              const char *mask = lb_fake_request_get_query (request, "update_mask");

              if (g_strcmp0 (mask, "spec.display_name") != 0 || member_string (spec, "display_name") == NULL)
                {
                  lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE",
                                       "Only update_mask=spec.display_name is supported here.");
                  return;
                }
              json_object_set_string_member (ensure_object (res->obj, "status"), "display_name",
                                             member_string (spec, "display_name"));
              reply_operation (fake, lb, request, rest, "Project", res->obj);
            }
          else if (delete)
            {
              g_autofree char *children = g_strconcat (rest, "/", NULL);

              remove_children (lb->branches, children);
              remove_children (lb->endpoints, children);
              g_hash_table_remove (lb->projects, rest);
              reply_operation (fake, lb, request, rest, "Project", NULL);
            }
          else
            lb_fake_reply_error (request, 405, "BAD_REQUEST", "Method not allowed.");
          return;
        }

      if (n == 3 && g_str_equal (parts[2], "branches") && get)
        {
          g_autofree char *prefix = g_strconcat (rest, "/", NULL);
          g_autofree char *project_name = g_strconcat ("projects/", parts[1], NULL);

          /* The branches of a project that is not there: 404, as for the project. */
          if (!g_hash_table_contains (lb->projects, project_name))
            reply_not_found (request, "NOT_FOUND", "project", project_name);
          else
            reply_page (request, lb->branches, "branches", prefix);
          return;
        }
      if (n == 3 && g_str_equal (parts[2], "branches") && post)
        {
          g_autofree char *project_name = g_strconcat ("projects/", parts[1], NULL);

          branch_create (fake, lb, request, project_name);
          return;
        }

      if (n == 4 && g_str_equal (parts[2], "branches"))
        {
          res = g_hash_table_lookup (lb->branches, rest);
          if (res == NULL)
            reply_not_found (request, "NOT_FOUND", "branch", rest);
          else if (get)
            {
              if (tick (fake, res, 1))
                render_branch (res);
              reply_object (request, 200, res->obj);
            }
          else if (delete)
            reply_managed_by_parent (request, rest);
          else
            lb_fake_reply_error (request, 405, "BAD_REQUEST", "Method not allowed.");
          return;
        }

      if (n == 5 && g_str_equal (parts[4], "endpoints") && get)
        {
          g_autofree char *prefix = g_strconcat (rest, "/", NULL);

          reply_page (request, lb->endpoints, "endpoints", prefix);
          return;
        }
      if (n == 5 && g_str_equal (parts[4], "endpoints") && post)
        {
          g_autofree char *branch_name = g_strndup (rest, strlen (rest) - strlen ("/endpoints"));

          endpoint_create (fake, lb, request, branch_name);
          return;
        }

      if (n == 6 && g_str_equal (parts[4], "endpoints"))
        {
          res = g_hash_table_lookup (lb->endpoints, rest);
          if (res == NULL)
            reply_not_found (request, "NOT_FOUND", "endpoint", rest);
          else if (get)
            {
              if (tick (fake, res, 1))
                render_endpoint (fake, res);
              reply_object (request, 200, res->obj);
            }
          else if (patch)
            endpoint_patch (fake, lb, res, request);
          else if (delete)
            reply_managed_by_parent (request, rest);
          else
            lb_fake_reply_error (request, 405, "BAD_REQUEST", "Method not allowed.");
          return;
        }
    }

  if (g_str_equal (parts[0], "catalogs"))
    {
      if (n == 1 && post)
        pg_catalog_create (fake, lb, request);
      else if (n == 2 && (res = g_hash_table_lookup (lb->pg_catalogs, rest)) == NULL)
        reply_not_found (request, "NOT_FOUND", "catalog", parts[1]);
      else if (n == 2 && get)
        reply_object (request, 200, res->obj);
      else if (n == 2 && delete)
        {
          g_hash_table_remove (lb->pg_catalogs, rest);
          reply_operation (fake, lb, request, rest, "Catalog", NULL);
        }
      else
        lb_fake_reply_error (request, 405, "BAD_REQUEST", "Method not allowed.");
      return;
    }

  if (g_str_equal (parts[0], "synced_tables"))
    {
      if (n == 1 && post)
        pg_synced_table_create (fake, lb, request);
      else if (n == 2 && (res = g_hash_table_lookup (lb->pg_synced_tables, rest)) == NULL)
        reply_not_found (request, "NOT_FOUND", "synced table", parts[1]);
      else if (n == 2 && get)
        {
          if (advance_synced_table (fake, lb, res) || res->phase == 1)
            render_synced_table (fake, res);
          reply_object (request, 200, res->obj);
        }
      else if (n == 2 && delete)
        {
          settle_synced_table (lb, res);
          g_hash_table_remove (lb->pg_synced_tables, rest);
          reply_operation (fake, lb, request, rest, "SyncedTable", NULL);
        }
      else
        lb_fake_reply_error (request, 405, "BAD_REQUEST", "Method not allowed.");
      return;
    }

  lb_fake_reply_error (request, 404, "ENDPOINT_NOT_FOUND", "No API found for this path.");
}

/* ---- Init and inspection ---- */

void
_lb_fake_workspace_lakebase_init (LbFakeWorkspace *fake)
{
  Lakebase *lb = g_new0 (Lakebase, 1);

  lb->instances = new_table (res_free);
  lb->catalogs = new_table (res_free);
  lb->synced_tables = new_table (res_free);
  lb->projects = new_table (res_free);
  lb->branches = new_table (res_free);
  lb->endpoints = new_table (res_free);
  lb->pg_catalogs = new_table (res_free);
  lb->pg_synced_tables = new_table (res_free);
  lb->operations = new_table (op_free);
  lb_fake_workspace_set_data (fake, "lakebase", lb, lakebase_free);

  lb_fake_workspace_add_route (fake, NULL, "/api/2.0/preview/scim/v2/Me", me_cb, NULL, NULL);
  lb_fake_workspace_add_route (fake, NULL, DATABASE_PREFIX, database_cb, NULL, NULL);
  lb_fake_workspace_add_route (fake, NULL, POSTGRES_PREFIX, postgres_cb, NULL, NULL);
}

static GHashTable *
table_for_kind (Lakebase   *lb,
                const char *kind)
{
  if (g_str_equal (kind, "instances"))
    return lb->instances;
  if (g_str_equal (kind, "catalogs"))
    return lb->catalogs;
  if (g_str_equal (kind, "synced_tables"))
    return lb->synced_tables;
  if (g_str_equal (kind, "projects"))
    return lb->projects;
  if (g_str_equal (kind, "branches"))
    return lb->branches;
  if (g_str_equal (kind, "endpoints"))
    return lb->endpoints;
  if (g_str_equal (kind, "postgres_catalogs"))
    return lb->pg_catalogs;
  if (g_str_equal (kind, "postgres_synced_tables"))
    return lb->pg_synced_tables;
  g_return_val_if_reached (NULL);
}

guint
lb_fake_workspace_count_resources (LbFakeWorkspace *fake,
                                   const char      *kind)
{
  GHashTable *table;
  guint count;

  g_return_val_if_fail (fake != NULL, 0);
  g_return_val_if_fail (kind != NULL, 0);

  lb_fake_workspace_lock (fake);
  table = table_for_kind (get_lakebase (fake), kind);
  count = table != NULL ? g_hash_table_size (table) : 0;
  lb_fake_workspace_unlock (fake);

  return count;
}

JsonNode *
lb_fake_workspace_dup_resource (LbFakeWorkspace *fake,
                                const char      *kind,
                                const char      *name)
{
  GHashTable *table;
  JsonNode *node = NULL;
  Res *res;

  g_return_val_if_fail (fake != NULL, NULL);
  g_return_val_if_fail (kind != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  lb_fake_workspace_lock (fake);
  table = table_for_kind (get_lakebase (fake), kind);
  res = table != NULL ? g_hash_table_lookup (table, name) : NULL;
  if (res != NULL)
    {
      g_autoptr(JsonNode) shared = json_node_init_object (json_node_alloc (), res->obj);
      g_autofree char *text = json_to_string (shared, FALSE);

      /* A deep copy: the fake's thread keeps changing the original. */
      node = json_from_string (text, NULL);
    }
  lb_fake_workspace_unlock (fake);

  return node;
}

void
lb_fake_workspace_set_synced_table_ms (LbFakeWorkspace *fake,
                                       guint            ms)
{
  g_return_if_fail (fake != NULL);

  lb_fake_workspace_lock (fake);
  get_lakebase (fake)->synced_table_ms = ms;
  lb_fake_workspace_unlock (fake);
}

guint
lb_fake_workspace_get_max_synced_tables_in_flight (LbFakeWorkspace *fake)
{
  guint max;

  g_return_val_if_fail (fake != NULL, 0);

  lb_fake_workspace_lock (fake);
  max = get_lakebase (fake)->max_tables_in_flight;
  lb_fake_workspace_unlock (fake);

  return max;
}

gboolean
lb_fake_workspace_merge_synced_table_status (LbFakeWorkspace *fake,
                                             const char      *kind,
                                             const char      *name,
                                             JsonObject      *members)
{
  GHashTable *table;
  Res *res;
  JsonObjectIter iter;
  const char *member;
  JsonNode *value;

  g_return_val_if_fail (fake != NULL, FALSE);
  g_return_val_if_fail (kind != NULL && name != NULL && members != NULL, FALSE);

  lb_fake_workspace_lock (fake);
  table = table_for_kind (get_lakebase (fake), kind);
  res = table != NULL ? g_hash_table_lookup (table, name) : NULL;
  if (res != NULL)
    {
      JsonObject *status = ensure_object (res->obj, res->kind == RES_SYNCED_TABLE
                                                    ? "data_synchronization_status" : "status");

      json_object_iter_init (&iter, members);
      while (json_object_iter_next (&iter, &member, &value))
        json_object_set_member (status, member, json_node_copy (value));
    }
  lb_fake_workspace_unlock (fake);

  return res != NULL;
}
