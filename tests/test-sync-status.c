/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sync status of a deployed workload against the fake workspace: each
 * synced table's state and its pipeline's (idle, running, failed with its
 * message), last sync, lag and rows, "changed" for the view's backoff, Sync
 * Now posting a pipeline update (refused for CONTINUOUS), tables not
 * deployed, both flavours, the links, the JSON, and the partition sizes
 * from a real PostgreSQL. */
#include "config.h"

#include <string.h>

#include "lb-core.h"
#include "lb-deployment.h"
#include "lb-fake-workspace-pipelines.h"
#include "lb-pg-sandbox.h"
#include "lb-sync-status.h"
#include "lb-test-utils.h"

static LbDatabricksClient *
new_client (LbFakeWorkspace *fake)
{
  g_autoptr(LbDatabricksAuth) auth = lb_databricks_auth_new_for_token (lb_fake_workspace_get_url (fake),
                                                                       lb_fake_workspace_get_token (fake));
  g_autoptr(GError) error = NULL;
  LbDatabricksClient *client = lb_databricks_client_new (auth, &error);

  g_assert_no_error (error);
  g_object_set (client, "retry-base-ms", 5, "retry-budget-ms", 5000, NULL);
  return client;
}

static void
deploy (LbFakeWorkspace    *fake,
        LbDeploymentPlan   *plan,
        LbDatabricksClient *client)
{
  g_autoptr(LbDeploymentRunner) runner = lb_deployment_runner_new (plan, client);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_object_set (runner, "poll-base-ms", 2, "poll-max-ms", 10, "connect-timeout-s", 2, NULL);
  lb_deployment_runner_run_async (runner, NULL, lb_test_async_result_cb, &result);
  g_assert_true (lb_deployment_runner_run_finish (runner, lb_test_wait_for_result (&result), &error));
  g_assert_no_error (error);
}

static gboolean
refresh (LbSyncStatus *status)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean changed = FALSE;

  lb_sync_status_refresh_async (status, NULL, lb_test_async_result_cb, &result);
  g_assert_true (lb_sync_status_refresh_finish (status, lb_test_wait_for_result (&result), &changed, &error));
  g_assert_no_error (error);
  return changed;
}

static LbSyncedTableStatus *
row (LbSyncStatus *status,
     const char   *name)
{
  LbSyncedTableStatus *item = lb_sync_status_find (status, name);

  g_assert_nonnull (item);
  return item;
}

typedef struct
{
  LbFakeWorkspace    *fake;
  LbDatabricksClient *client;
  LbDeploymentPlan   *plan;
  LbSyncStatus       *status;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  LbFlavour flavour = GPOINTER_TO_INT (data);
  g_autoptr(LbWorkload) workload = lb_test_sample_workload (flavour);
  g_autoptr(GError) error = NULL;

  fixture->fake = lb_fake_workspace_new ();
  lb_fake_workspace_set_polls_until_ready (fixture->fake, 0);
  fixture->client = new_client (fixture->fake);
  fixture->plan = lb_deployment_plan_new (workload, NULL, &error);
  g_assert_no_error (error);
  fixture->status = lb_sync_status_new (fixture->plan, fixture->client);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_assert_finalize_object (fixture->status);
  g_clear_object (&fixture->plan);
  g_clear_object (&fixture->client);
  g_clear_pointer (&fixture->fake, lb_fake_workspace_free);
}

static const char *
kind_for (LbDeploymentPlan *plan)
{
  return lb_deployment_plan_get_flavour (plan) == LB_FLAVOUR_PROVISIONED ? "synced_tables"
                                                                          : "postgres_synced_tables";
}

static char *
resource_name (LbDeploymentPlan *plan,
               const char       *table)
{
  return lb_deployment_plan_get_flavour (plan) == LB_FLAVOUR_PROVISIONED
    ? g_strdup (table) : g_strconcat ("synced_tables/", table, NULL);
}

static void
test_online (Fixture       *fixture,
             gconstpointer  data)
{
  LbSyncedTableStatus *orders;
  LbSyncedTableStatus *customers;
  LbSyncedTableStatus *lines;
  g_autofree char *pipeline_url = NULL;
  g_autofree char *table_url = NULL;
  g_autofree char *expected = NULL;

  deploy (fixture->fake, fixture->plan, fixture->client);
  g_assert_true (refresh (fixture->status));
  g_assert_cmpuint (g_list_model_get_n_items (lb_sync_status_get_tables (fixture->status)), ==, 3);
  g_assert_nonnull (lb_sync_status_get_refreshed_at (fixture->status));

  orders = row (fixture->status, "retail_pg.public.orders");
  customers = row (fixture->status, "retail_pg.public.customers");
  lines = row (fixture->status, "retail.serving.order_lines");   /* found by source too */

  g_assert_cmpstr (lb_synced_table_status_get_source_table (orders), ==, "retail.serving.orders");
  g_assert_cmpint (lb_synced_table_status_get_policy (orders), ==, LB_SYNC_MODE_CONTINUOUS);
  g_assert_cmpint (lb_synced_table_status_get_health (orders), ==, LB_SYNC_HEALTH_SYNCING);
  g_assert_cmpstr (lb_synced_table_status_get_detailed_state (orders), ==, "SYNCED_TABLE_ONLINE_CONTINUOUS_UPDATE");
  g_assert_cmpint (lb_synced_table_status_get_health (customers), ==, LB_SYNC_HEALTH_ONLINE);
  g_assert_cmpint (lb_synced_table_status_get_health (lines), ==, LB_SYNC_HEALTH_ONLINE);

  /* The pipeline is read too: idle after its initial snapshot. */
  g_assert_nonnull (lb_synced_table_status_get_pipeline_id (customers));
  g_assert_cmpstr (lb_synced_table_status_get_pipeline_state (customers), ==, "IDLE");
  g_assert_cmpstr (lb_synced_table_status_get_update_state (customers), ==, "COMPLETED");
  g_assert_nonnull (lb_synced_table_status_get_last_sync (customers));
  g_assert_cmpint (lb_synced_table_status_get_lag_seconds (customers), >=, 0);
  g_assert_cmpint (lb_synced_table_status_get_lag_seconds (customers), <, 60);
  g_assert_null (lb_synced_table_status_dup_error_text (customers));
  g_assert_cmpuint (lb_sync_status_count_failed (fixture->status), ==, 0);

  g_assert_false (lb_synced_table_status_can_sync_now (orders));
  g_assert_true (lb_synced_table_status_can_sync_now (customers));
  g_assert_true (lb_synced_table_status_can_sync_now (lines));

  pipeline_url = lb_synced_table_status_dup_pipeline_url (customers, "https://x.cloud.databricks.com/");
  expected = g_strdup_printf ("https://x.cloud.databricks.com/pipelines/%s",
                              lb_synced_table_status_get_pipeline_id (customers));
  g_assert_cmpstr (pipeline_url, ==, expected);
  table_url = lb_synced_table_status_dup_table_url (customers, "https://x.cloud.databricks.com");
  g_assert_cmpstr (table_url, ==, "https://x.cloud.databricks.com/explore/data/retail_pg/public/customers");

  /* Nothing moved: the view's backoff may grow. */
  g_assert_false (refresh (fixture->status));
}

static void
test_failed_and_running (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *lines_name = resource_name (fixture->plan, "retail_pg.public.order_lines");
  g_autoptr(JsonObject) members = json_object_new ();
  g_autofree char *lines_pipeline = NULL;
  g_autofree char *customers_pipeline = NULL;
  g_autofree char *text = NULL;
  LbSyncedTableStatus *lines;

  deploy (fixture->fake, fixture->plan, fixture->client);
  g_assert_true (refresh (fixture->status));
  lines_pipeline = g_strdup (lb_synced_table_status_get_pipeline_id (row (fixture->status, "retail_pg.public.order_lines")));
  customers_pipeline = g_strdup (lb_synced_table_status_get_pipeline_id (row (fixture->status, "retail_pg.public.customers")));

  /* The pipeline of order_lines fails, the synced table says so. */
  json_object_set_string_member (members, "detailed_state", "SYNCED_TABLE_ONLINE_PIPELINE_FAILED");
  json_object_set_string_member (members, "message", "Update failed: column line_no has NULL values.");
  g_assert_true (lb_fake_workspace_merge_synced_table_status (fixture->fake, kind_for (fixture->plan),
                                                              lines_name, members));
  lb_fake_workspace_pipelines_set_state (fixture->fake, lines_pipeline, "FAILED",
                                         "Flow 'order_lines' failed: NOT NULL constraint violated.");
  /* customers' pipeline runs an update. */
  lb_fake_workspace_set_polls_until_ready (fixture->fake, 5);
  lb_fake_workspace_pipelines_set_state (fixture->fake, customers_pipeline, "RUNNING", NULL);

  g_assert_true (refresh (fixture->status));
  lines = row (fixture->status, "retail_pg.public.order_lines");
  g_assert_cmpint (lb_synced_table_status_get_health (lines), ==, LB_SYNC_HEALTH_FAILED);
  g_assert_cmpstr (lb_synced_table_status_get_pipeline_state (lines), ==, "FAILED");
  g_assert_cmpstr (lb_synced_table_status_get_update_state (lines), ==, "FAILED");
  text = lb_synced_table_status_dup_error_text (lines);
  g_assert_cmpstr (text, ==, "Update failed: column line_no has NULL values. "
                             "(pipeline: Flow 'order_lines' failed: NOT NULL constraint violated.)");
  g_assert_cmpuint (lb_sync_status_count_failed (fixture->status), ==, 1);

  g_assert_cmpint (lb_synced_table_status_get_health (row (fixture->status, "retail_pg.public.customers")), ==,
                   LB_SYNC_HEALTH_SYNCING);
  g_assert_cmpstr (lb_synced_table_status_get_pipeline_state (row (fixture->status, "retail_pg.public.customers")),
                   ==, "RUNNING");
}

static void
test_progress_fields (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *name = resource_name (fixture->plan, "retail_pg.public.order_lines");
  g_autoptr(JsonObject) members = json_object_new ();
  JsonObject *update = json_object_new ();
  JsonObject *progress = json_object_new ();
  JsonObject *last_sync = json_object_new ();
  JsonObject *info = json_object_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) commit = g_date_time_add_minutes (now, -42);
  g_autoptr(GDateTime) ended = g_date_time_add_minutes (now, -40);
  g_autofree char *commit_text = g_date_time_format_iso8601 (commit);
  g_autofree char *ended_text = g_date_time_format_iso8601 (ended);
  LbSyncedTableStatus *lines;
  gint64 lag;

  deploy (fixture->fake, fixture->plan, fixture->client);

  json_object_set_int_member (progress, "synced_row_count", 123456);
  json_object_set_object_member (update, "triggered_update_progress", progress);
  json_object_set_int_member (update, "last_processed_commit_version", 17);
  json_object_set_object_member (members, "triggered_update_status", update);
  json_object_set_string_member (info, "delta_commit_timestamp", commit_text);
  json_object_set_int_member (info, "delta_commit_version", 17);
  json_object_set_object_member (last_sync, "delta_table_sync_info", info);
  json_object_set_string_member (last_sync, "sync_end_timestamp", ended_text);
  json_object_set_object_member (members, "last_sync", last_sync);
  g_assert_true (lb_fake_workspace_merge_synced_table_status (fixture->fake, kind_for (fixture->plan), name, members));

  refresh (fixture->status);
  lines = row (fixture->status, "retail_pg.public.order_lines");
  g_assert_cmpint (lb_synced_table_status_get_rows (lines), ==, 123456);
  g_assert_cmpint (g_date_time_to_unix (lb_synced_table_status_get_last_sync (lines)), ==, g_date_time_to_unix (ended));
  /* Lag: from the source commit the table caught up with, not from the sync's end. */
  lag = lb_synced_table_status_get_lag_seconds (lines);
  g_assert_cmpint (lag, >=, 42 * 60);
  g_assert_cmpint (lag, <, 42 * 60 + 30);
}

static void
sync_now (LbSyncStatus  *status,
          const char    *name,
          char         **update_id,
          GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lb_sync_status_sync_now_async (status, name, NULL, lb_test_async_result_cb, &result);
  *update_id = lb_sync_status_sync_now_finish (status, lb_test_wait_for_result (&result), error);
}

static void
test_sync_now (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *update_id = NULL;
  g_autofree char *pipeline = NULL;
  g_autoptr(GError) error = NULL;
  char *none = NULL;

  deploy (fixture->fake, fixture->plan, fixture->client);

  /* Before any refresh there is no pipeline to start. */
  sync_now (fixture->status, "retail_pg.public.customers", &none, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  refresh (fixture->status);
  pipeline = g_strdup (lb_synced_table_status_get_pipeline_id (row (fixture->status, "retail_pg.public.customers")));
  lb_fake_workspace_set_polls_until_ready (fixture->fake, 3);

  sync_now (fixture->status, "retail_pg.public.customers", &update_id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (update_id);
  g_assert_cmpuint (lb_fake_workspace_pipelines_count_updates (fixture->fake, pipeline), ==, 1);
  {
    g_autofree char *path = g_strdup_printf ("/api/2.0/pipelines/%s/updates", pipeline);

    g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "POST", path), ==, 1);
  }

  /* The update shows at the next refresh. */
  g_assert_true (refresh (fixture->status));
  g_assert_cmpint (lb_synced_table_status_get_health (row (fixture->status, "retail_pg.public.customers")), ==,
                   LB_SYNC_HEALTH_SYNCING);
  g_assert_cmpstr (lb_synced_table_status_get_update_state (row (fixture->status, "retail_pg.public.customers")),
                   ==, "QUEUED");

  /* CONTINUOUS: refused here, nothing posted. */
  sync_now (fixture->status, "retail_pg.public.orders", &none, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_null (none);
  g_assert_cmpuint (lb_fake_workspace_pipelines_count_updates (fixture->fake, NULL), ==, 1);
}

static void
test_not_deployed (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(JsonNode) json = NULL;
  JsonArray *tables;

  refresh (fixture->status);
  g_assert_cmpuint (g_list_model_get_n_items (lb_sync_status_get_tables (fixture->status)), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(LbSyncedTableStatus) item = g_list_model_get_item (lb_sync_status_get_tables (fixture->status), i);

      g_assert_cmpint (lb_synced_table_status_get_health (item), ==, LB_SYNC_HEALTH_MISSING);
      g_assert_false (lb_synced_table_status_can_sync_now (item));
    }

  json = lb_sync_status_to_json (fixture->status);
  tables = json_object_get_array_member (json_node_get_object (json), "tables");
  g_assert_cmpuint (json_array_get_length (tables), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (tables, 0), "health"), ==, "missing");
  g_assert_true (json_object_get_null_member (json_array_get_object_element (tables, 0), "pipeline_id"));
}

static void
test_auth_error (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  lb_fake_workspace_expire_token (fixture->fake);
  lb_sync_status_refresh_async (fixture->status, NULL, lb_test_async_result_cb, &result);
  g_assert_false (lb_sync_status_refresh_finish (fixture->status, lb_test_wait_for_result (&result), NULL, &error));
  g_assert_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_UNAUTHENTICATED);
}

static void
test_json (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) secrets = NULL;
  JsonObject *root;
  JsonObject *first;
  const char *keys[] = { "name", "source_table", "policy", "health", "detailed_state", "message", "pipeline_id",
                         "pipeline_state", "pipeline_cause", "update_state", "last_sync", "lag_seconds", "rows",
                         "partitions", "partition_bytes", "can_sync_now", "pipeline_url", "table_url", "error" };

  deploy (fixture->fake, fixture->plan, fixture->client);
  refresh (fixture->status);
  json = lb_sync_status_to_json (fixture->status);
  root = json_node_get_object (json);
  g_assert_cmpstr (json_object_get_string_member (root, "workload"), ==, "retail-serving");
  g_assert_cmpint (json_object_get_int_member (root, "failed"), ==, 0);
  first = json_array_get_object_element (json_object_get_array_member (root, "tables"), 0);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_assert_true (json_object_has_member (first, keys[i]));
  g_assert_cmpuint (json_object_get_size (first), ==, G_N_ELEMENTS (keys));
  g_assert_cmpstr (json_object_get_string_member (first, "policy"), ==, "CONTINUOUS");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (first, "pipeline_url"),
                                   lb_fake_workspace_get_url (fixture->fake)));

  text = json_to_string (json, FALSE);
  secrets = lb_fake_workspace_dup_secrets (fixture->fake);
  for (guint i = 0; secrets[i] != NULL; i++)
    g_assert_null (strstr (text, secrets[i]));
}

/* The partition sizes come from a real PostgreSQL: a sandbox stands in for
 * the instance, with partitioned tables as synced tables are. */
static void
test_partitions (void)
{
  g_autoptr(LbPgSandbox) sandbox = lb_pg_sandbox_new_for_tests (FALSE);
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbWorkload) workload = lb_test_sample_workload (LB_FLAVOUR_PROVISIONED);
  g_autoptr(LbDatabricksClient) client = NULL;
  g_autoptr(LbDeploymentPlan) plan = NULL;
  g_autoptr(LbSyncStatus) status = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  g_autofree char *port = NULL;
  g_autofree char *user = NULL;
  g_autofree char *dbname = NULL;
  g_autoptr(JsonNode) json = NULL;
  LbSyncedTableStatus *orders;
  LbSyncedTableStatus *lines;

  g_assert_true (lb_pg_sandbox_start (sandbox, NULL, &error));
  g_assert_no_error (error);
  host = lb_test_conninfo_value (lb_pg_sandbox_get_conninfo (sandbox), "host");
  port = lb_test_conninfo_value (lb_pg_sandbox_get_conninfo (sandbox), "port");
  user = lb_test_conninfo_value (lb_pg_sandbox_get_conninfo (sandbox), "user");
  dbname = lb_test_conninfo_value (lb_pg_sandbox_get_conninfo (sandbox), "dbname");

  lb_test_pg_exec (lb_pg_sandbox_get_conninfo (sandbox),
                   "DROP TABLE IF EXISTS orders, order_lines;"
                   "CREATE TABLE orders (id int, region text) PARTITION BY LIST (region);"
                   "CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('eu');"
                   "CREATE TABLE orders_us PARTITION OF orders FOR VALUES IN ('us');"
                   "CREATE TABLE orders_apac PARTITION OF orders FOR VALUES IN ('apac');"
                   "INSERT INTO orders SELECT g, CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END"
                   "  FROM generate_series (1, 30000) g;"
                   "CREATE TABLE order_lines (id int) PARTITION BY RANGE (id);"
                   "CREATE TABLE order_lines_1 PARTITION OF order_lines FOR VALUES FROM (0) TO (1000000);"
                   "INSERT INTO order_lines SELECT g FROM generate_series (1, 5000) g;");

  lb_fake_workspace_set_polls_until_ready (fake, 0);
  lb_fake_workspace_set_pg_host (fake, host);
  lb_fake_workspace_set_user_name (fake, user);
  lb_workload_set_database_name (workload, dbname);
  plan = lb_deployment_plan_new (workload, NULL, &error);
  g_assert_no_error (error);
  client = new_client (fake);
  deploy (fake, plan, client);

  status = lb_sync_status_new (plan, client);
  lb_sync_status_set_pg_port (status, (guint) g_ascii_strtoull (port, NULL, 10));
  refresh (status);
  g_assert_cmpint (lb_synced_table_status_get_partition_bytes (row (status, "retail_pg.public.orders")), ==, -1);

  lb_sync_status_measure_partitions_async (status, NULL, lb_test_async_result_cb, &result);
  g_assert_true (lb_sync_status_measure_partitions_finish (status, lb_test_wait_for_result (&result), &error));
  g_assert_no_error (error);

  orders = row (status, "retail_pg.public.orders");
  lines = row (status, "retail_pg.public.order_lines");
  g_assert_cmpuint (lb_synced_table_status_get_partition_count (orders), ==, 3);
  /* 30,000 rows in two partitions: well over a few pages. */
  g_assert_cmpint (lb_synced_table_status_get_partition_bytes (orders), >, 3 * 8192);
  g_assert_cmpuint (lb_synced_table_status_get_partition_count (lines), ==, 1);
  g_assert_cmpint (lb_synced_table_status_get_partition_bytes (lines), >, 8192);
  g_assert_cmpint (lb_synced_table_status_get_partition_bytes (lines), <,
                   lb_synced_table_status_get_partition_bytes (orders));
  /* customers is not partitioned in the sandbox: measured, none. */
  g_assert_cmpuint (lb_synced_table_status_get_partition_count (row (status, "retail_pg.public.customers")), ==, 0);
  g_assert_cmpint (lb_synced_table_status_get_partition_bytes (row (status, "retail_pg.public.customers")), ==, 0);

  /* A later refresh keeps the sizes. */
  refresh (status);
  g_assert_cmpuint (lb_synced_table_status_get_partition_count (row (status, "retail_pg.public.orders")), ==, 3);

  json = lb_sync_status_to_json (status);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (
                     json_object_get_array_member (json_node_get_object (json), "tables"), 0), "partitions"), ==, 3);
}

static void
test_format (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 8, 22, 12, 0, 0);
  g_autoptr(GDateTime) t1 = g_date_time_add_seconds (now, -2);
  g_autoptr(GDateTime) t2 = g_date_time_add_seconds (now, -42);
  g_autoptr(GDateTime) t3 = g_date_time_add_minutes (now, -3);
  g_autoptr(GDateTime) t4 = g_date_time_add_minutes (now, -125);
  g_autoptr(GDateTime) t5 = g_date_time_add_days (now, -4);
  char *text;

#define CHECK(expr, expected) text = (expr); g_assert_cmpstr (text, ==, expected); g_free (text)
  CHECK (lb_format_time_ago (NULL, now), "never");
  CHECK (lb_format_time_ago (t1, now), "just now");
  CHECK (lb_format_time_ago (t2, now), "42 s ago");
  CHECK (lb_format_time_ago (t3, now), "3 min ago");
  CHECK (lb_format_time_ago (t4, now), "2 h 5 min ago");
  CHECK (lb_format_time_ago (t5, now), "4 days ago");
  CHECK (lb_format_duration_s (-1), "—");
  CHECK (lb_format_duration_s (7200), "2 h");
#undef CHECK

  g_assert_cmpint (lb_sync_health_from_detailed_state ("SYNCED_TABLED_OFFLINE"), ==, LB_SYNC_HEALTH_OFFLINE);
  g_assert_cmpint (lb_sync_health_from_detailed_state ("SYNCED_TABLE_OFFLINE"), ==, LB_SYNC_HEALTH_OFFLINE);
  g_assert_cmpint (lb_sync_health_from_detailed_state ("SYNCED_TABLE_OFFLINE_FAILED"), ==, LB_SYNC_HEALTH_FAILED);
  g_assert_cmpint (lb_sync_health_from_detailed_state ("SYNCED_TABLE_PROVISIONING_INITIAL_SNAPSHOT"), ==,
                   LB_SYNC_HEALTH_PROVISIONING);
  g_assert_cmpint (lb_sync_health_from_detailed_state ("SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE"), ==,
                   LB_SYNC_HEALTH_ONLINE);
  g_assert_cmpint (lb_sync_health_from_detailed_state ("SOMETHING_NEW"), ==, LB_SYNC_HEALTH_UNKNOWN);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  lb_core_init ();

#define ADD(path, flavour, fn) \
  g_test_add (path, Fixture, GINT_TO_POINTER (flavour), fixture_setup, fn, fixture_teardown)
  ADD ("/sync-status/provisioned/online", LB_FLAVOUR_PROVISIONED, test_online);
  ADD ("/sync-status/autoscaling/online", LB_FLAVOUR_AUTOSCALING, test_online);
  ADD ("/sync-status/provisioned/failed-and-running", LB_FLAVOUR_PROVISIONED, test_failed_and_running);
  ADD ("/sync-status/autoscaling/failed-and-running", LB_FLAVOUR_AUTOSCALING, test_failed_and_running);
  ADD ("/sync-status/provisioned/progress-fields", LB_FLAVOUR_PROVISIONED, test_progress_fields);
  ADD ("/sync-status/autoscaling/progress-fields", LB_FLAVOUR_AUTOSCALING, test_progress_fields);
  ADD ("/sync-status/sync-now", LB_FLAVOUR_PROVISIONED, test_sync_now);
  ADD ("/sync-status/not-deployed", LB_FLAVOUR_PROVISIONED, test_not_deployed);
  ADD ("/sync-status/auth-error", LB_FLAVOUR_PROVISIONED, test_auth_error);
  ADD ("/sync-status/json", LB_FLAVOUR_PROVISIONED, test_json);
#undef ADD
  g_test_add_func ("/sync-status/partitions", test_partitions);
  g_test_add_func ("/sync-status/format", test_format);

  return g_test_run ();
}
