/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The deployment plan and runner against the fake workspace: plans field by
 * field, full deploys of both flavours, deploys interrupted at every step and
 * resumed (nothing created twice), throttling and server errors survived,
 * permission and auth errors, cancellation, teardown, the connection step's
 * warning, and no secret in any output. */
#include "config.h"

#include "lb-conninfo.h"
#include "lb-core.h"
#include "lb-deployment.h"
#include "lb-fake-workspace.h"
#include "lb-instance-credentials.h"
#include "lb-pg-sandbox.h"
#include "lb-test-utils.h"

#include <libpq-fe.h>

/* ---- Helpers ---- */

static LbDeploymentPlan *
sample_plan (LbFlavour flavour)
{
  g_autoptr(LbWorkload) workload = lb_test_sample_workload (flavour);
  g_autoptr(GError) error = NULL;
  LbDeploymentPlan *plan = lb_deployment_plan_new (workload, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (plan);
  return plan;
}

static LbDeploymentRunner *
new_runner (LbFakeWorkspace  *fake,
            LbDeploymentPlan *plan)
{
  g_autoptr(LbDatabricksAuth) auth = lb_databricks_auth_new_for_token (lb_fake_workspace_get_url (fake),
                                                                       lb_fake_workspace_get_token (fake));
  g_autoptr(LbDatabricksClient) client = NULL;
  g_autoptr(GError) error = NULL;
  LbDeploymentRunner *runner;

  client = lb_databricks_client_new (auth, &error);
  g_assert_no_error (error);
  g_object_set (client, "retry-base-ms", 10, "retry-budget-ms", 10000, NULL);

  runner = lb_deployment_runner_new (plan, client);
  g_object_set (runner, "poll-base-ms", 4, "poll-max-ms", 40, "connect-timeout-s", 2, NULL);
  return runner;
}

static gboolean
deploy (LbDeploymentRunner  *runner,
        GCancellable        *cancellable,
        GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lb_deployment_runner_run_async (runner, cancellable, lb_test_async_result_cb, &result);
  return lb_deployment_runner_run_finish (runner, lb_test_wait_for_result (&result), error);
}

static gboolean
teardown (LbDeploymentRunner  *runner,
          GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lb_deployment_runner_teardown_async (runner, NULL, lb_test_async_result_cb, &result);
  return lb_deployment_runner_teardown_finish (runner, lb_test_wait_for_result (&result), error);
}

static LbDeploymentStep *
step_at (LbDeploymentRunner *runner,
         guint               i)
{
  LbDeploymentStep *step = g_list_model_get_item (lb_deployment_runner_get_steps (runner), i);

  g_object_unref (step);   /* the model keeps it */
  return step;
}

static guint
n_steps (LbDeploymentRunner *runner)
{
  return g_list_model_get_n_items (lb_deployment_runner_get_steps (runner));
}

static JsonObject *
body_of (LbDeploymentPlan *plan,
         guint             i)
{
  g_autoptr(LbDeploymentResource) resource = g_list_model_get_item (lb_deployment_plan_get_resources (plan), i);

  return json_node_get_object (lb_deployment_resource_get_body (resource));
}

static const char *
resource_name (LbDeploymentPlan *plan,
               guint             i)
{
  g_autoptr(LbDeploymentResource) resource = g_list_model_get_item (lb_deployment_plan_get_resources (plan), i);

  return lb_deployment_resource_get_name (resource);
}

static gboolean
is_synced_table (LbDeploymentStep *step)
{
  LbDeploymentResource *resource = lb_deployment_step_get_resource (step);

  return resource != NULL && lb_deployment_resource_get_kind (resource) == LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE;
}

static void
assert_all_finished (LbDeploymentRunner *runner)
{
  for (guint i = 0; i < n_steps (runner); i++)
    {
      LbDeploymentStep *step = step_at (runner, i);

      if (!lb_deployment_step_is_finished (step))
        g_error ("step %u (%s) is %s: %s", i, lb_deployment_step_get_title (step),
                 lb_deployment_step_state_to_string (lb_deployment_step_get_state (step)),
                 lb_deployment_step_get_error_message (step));
    }
  g_assert_cmpfloat_with_epsilon (lb_deployment_runner_get_fraction (runner), 1.0, 1e-9);
}

/* Each resource created exactly once: one accepted POST per resource. */
static void
assert_created_once (LbFakeWorkspace  *fake,
                     LbDeploymentPlan *plan)
{
  GListModel *resources = lb_deployment_plan_get_resources (plan);
  g_autoptr(GHashTable) expected = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto(GStrv) log = lb_fake_workspace_dup_log (fake);
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; i < g_list_model_get_n_items (resources); i++)
    {
      g_autoptr(LbDeploymentResource) resource = g_list_model_get_item (resources, i);
      const char *path = lb_deployment_resource_get_create_path (resource);

      if (path != NULL)
        g_hash_table_insert (expected, (gpointer) path,
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (expected, path)) + 1));
    }

  g_hash_table_iter_init (&iter, expected);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autofree char *prefix = g_strdup_printf ("POST %s", (const char *) key);
      guint accepted = 0;

      for (guint i = 0; log[i] != NULL; i++)
        if (g_str_has_prefix (log[i], prefix) && g_str_has_suffix (log[i], " 200") &&
            (log[i][strlen (prefix)] == ' ' || log[i][strlen (prefix)] == '?'))
          accepted++;
      g_assert_cmpuint (accepted, ==, GPOINTER_TO_UINT (value));
    }
}

/* ---- Plans ---- */

static void
test_plan_provisioned (void)
{
  g_autoptr(LbDeploymentPlan) plan = sample_plan (LB_FLAVOUR_PROVISIONED);
  g_autoptr(LbWorkload) workload = lb_test_sample_workload (LB_FLAVOUR_PROVISIONED);
  g_autoptr(LbCostReport) report = NULL;
  g_autoptr(LbPriceSheet) prices = lb_price_sheet_new_default ();
  g_autofree char *capacity = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *json_text = NULL;
  GListModel *resources = lb_deployment_plan_get_resources (plan);
  JsonObject *body;
  JsonObject *spec;
  JsonArray *keys;

  report = lb_cost_model_estimate (workload, prices);
  capacity = g_strdup_printf ("CU_%u", report->breakdown.recommended_cu);

  g_assert_cmpint (lb_deployment_plan_get_flavour (plan), ==, LB_FLAVOUR_PROVISIONED);
  g_assert_cmpstr (lb_deployment_plan_get_instance_name (plan), ==, "retail-serving");
  g_assert_cmpstr (lb_deployment_plan_get_capacity (plan), ==, capacity);
  g_assert_cmpuint (lb_deployment_plan_get_recommended_cu (plan), ==, report->breakdown.recommended_cu);
  g_assert_cmpstr (lb_deployment_plan_get_database_catalog (plan), ==, "retail_pg");
  g_assert_cmpstr (lb_deployment_plan_get_database_name (plan), ==, "databricks_postgres");
  g_assert_cmpstr (lb_deployment_plan_get_storage_catalog (plan), ==, "main");
  g_assert_cmpstr (lb_deployment_plan_get_storage_schema (plan), ==, "default");
  g_assert_cmpuint (g_list_model_get_n_items (resources), ==, 5);
  g_assert_null (lb_deployment_plan_get_endpoint (plan));

  /* Instance */
  body = body_of (plan, 0);
  g_assert_cmpstr (json_object_get_string_member (body, "name"), ==, "retail-serving");
  g_assert_cmpstr (json_object_get_string_member (body, "capacity"), ==, capacity);
  g_assert_cmpint (json_object_get_int_member (body, "node_count"), ==, 2);
  g_assert_true (json_object_get_boolean_member (body, "enable_readable_secondaries"));
  g_assert_cmpint (json_object_get_int_member (body, "retention_window_in_days"), ==, 7);
  g_assert_cmpstr (lb_deployment_resource_get_path (lb_deployment_plan_get_compute (plan)), ==,
                   "/api/2.0/database/instances/retail-serving");
  g_assert_cmpstr (lb_deployment_resource_get_create_path (lb_deployment_plan_get_compute (plan)), ==,
                   "/api/2.0/database/instances");

  /* Catalog */
  body = body_of (plan, 1);
  g_assert_cmpstr (json_object_get_string_member (body, "name"), ==, "retail_pg");
  g_assert_cmpstr (json_object_get_string_member (body, "database_instance_name"), ==, "retail-serving");
  g_assert_cmpstr (json_object_get_string_member (body, "database_name"), ==, "databricks_postgres");
  g_assert_true (json_object_get_boolean_member (body, "create_database_if_not_exists"));

  /* Synced tables, in the workload's order */
  g_assert_cmpstr (resource_name (plan, 2), ==, "retail_pg.public.orders");
  g_assert_cmpstr (resource_name (plan, 3), ==, "retail_pg.public.customers");
  g_assert_cmpstr (resource_name (plan, 4), ==, "retail_pg.public.order_lines");
  body = body_of (plan, 4);
  g_assert_cmpstr (json_object_get_string_member (body, "name"), ==, "retail_pg.public.order_lines");
  g_assert_cmpstr (json_object_get_string_member (body, "database_instance_name"), ==, "retail-serving");
  spec = json_object_get_object_member (body, "spec");
  g_assert_cmpstr (json_object_get_string_member (spec, "source_table_full_name"), ==, "retail.serving.order_lines");
  g_assert_cmpstr (json_object_get_string_member (spec, "scheduling_policy"), ==, "TRIGGERED");
  keys = json_object_get_array_member (spec, "primary_key_columns");
  g_assert_cmpuint (json_array_get_length (keys), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (keys, 0), ==, "order_id");
  g_assert_cmpstr (json_array_get_string_element (keys, 1), ==, "line_no");
  g_assert_true (json_object_get_boolean_member (spec, "create_database_objects_if_missing"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (spec, "new_pipeline_spec"),
                                                  "storage_catalog"), ==, "main");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (spec, "new_pipeline_spec"),
                                                  "storage_schema"), ==, "default");
  g_assert_false (json_object_has_member (spec, "branch"));
  spec = json_object_get_object_member (body_of (plan, 2), "spec");
  g_assert_cmpstr (json_object_get_string_member (spec, "scheduling_policy"), ==, "CONTINUOUS");

  text = lb_deployment_plan_describe (plan);
  g_assert_nonnull (strstr (text, "retail-serving"));
  g_assert_nonnull (strstr (text, capacity));
  g_assert_nonnull (strstr (text, "retail.serving.orders → retail_pg.public.orders (CONTINUOUS; primary key order_id)"));
  g_assert_nonnull (strstr (text, "order_id, line_no"));

  json = lb_deployment_plan_to_json (plan);
  json_text = json_to_string (json, FALSE);
  g_assert_nonnull (strstr (json_text, "\"flavour\":\"provisioned\""));
  g_assert_nonnull (strstr (json_text, "\"capacity\":\""));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (json), "resources")), ==, 5);
}

static void
test_plan_autoscaling (void)
{
  g_autoptr(LbDeploymentPlan) plan = sample_plan (LB_FLAVOUR_AUTOSCALING);
  g_autoptr(LbWorkload) workload = lb_test_sample_workload (LB_FLAVOUR_AUTOSCALING);
  g_autoptr(LbPriceSheet) prices = lb_price_sheet_new_default ();
  g_autoptr(LbCostReport) report = lb_cost_model_estimate (workload, prices);
  GListModel *resources = lb_deployment_plan_get_resources (plan);
  g_autoptr(LbDeploymentResource) branch = g_list_model_get_item (resources, 1);
  LbDeploymentResource *endpoint = lb_deployment_plan_get_endpoint (plan);
  LbDeploymentResource *project = lb_deployment_plan_get_compute (plan);
  g_autoptr(LbDeploymentResource) table = g_list_model_get_item (resources, 4);
  const char * const *query;
  JsonObject *spec;
  JsonObject *settings;

  g_assert_cmpuint (g_list_model_get_n_items (resources), ==, 7);
  g_assert_cmpfloat (lb_deployment_plan_get_min_cu (plan), ==, report->autoscaling.min_cu);
  g_assert_cmpfloat (lb_deployment_plan_get_max_cu (plan), ==, report->autoscaling.max_cu);

  /* Project */
  g_assert_cmpint (lb_deployment_resource_get_kind (project), ==, LB_DEPLOYMENT_RESOURCE_PROJECT);
  g_assert_cmpstr (lb_deployment_resource_get_api_name (project), ==, "projects/retail-serving");
  g_assert_cmpstr (lb_deployment_resource_get_create_path (project), ==, "/api/2.0/postgres/projects");
  query = lb_deployment_resource_get_create_query (project);
  g_assert_cmpstr (query[0], ==, "project_id");
  g_assert_cmpstr (query[1], ==, "retail-serving");
  spec = json_object_get_object_member (body_of (plan, 0), "spec");
  g_assert_cmpint (json_object_get_int_member (spec, "pg_version"), ==, 16);
  g_assert_cmpstr (json_object_get_string_member (spec, "history_retention_duration"), ==, "604800s");
  settings = json_object_get_object_member (spec, "default_endpoint_settings");
  g_assert_cmpfloat (json_object_get_double_member (settings, "autoscaling_limit_min_cu"), ==, report->autoscaling.min_cu);
  g_assert_cmpfloat (json_object_get_double_member (settings, "autoscaling_limit_max_cu"), ==, report->autoscaling.max_cu);

  /* Branch and endpoint: adopted only */
  g_assert_cmpint (lb_deployment_resource_get_kind (branch), ==, LB_DEPLOYMENT_RESOURCE_BRANCH);
  g_assert_cmpstr (lb_deployment_resource_get_api_name (branch), ==, "projects/retail-serving/branches/production");
  g_assert_null (lb_deployment_resource_get_create_path (branch));
  g_assert_null (lb_deployment_resource_get_body (branch));
  g_assert_cmpstr (lb_deployment_resource_get_path (endpoint), ==,
                   "/api/2.0/postgres/projects/retail-serving/branches/production/endpoints/primary");

  /* Catalog */
  spec = json_object_get_object_member (body_of (plan, 3), "spec");
  g_assert_cmpstr (json_object_get_string_member (spec, "branch"), ==, "projects/retail-serving/branches/production");
  g_assert_cmpstr (json_object_get_string_member (spec, "postgres_database"), ==, "databricks_postgres");

  /* Synced table */
  g_assert_cmpstr (lb_deployment_resource_get_api_name (table), ==, "synced_tables/retail_pg.public.orders");
  g_assert_cmpstr (lb_deployment_resource_get_source_table (table), ==, "retail.serving.orders");
  query = lb_deployment_resource_get_create_query (table);
  g_assert_cmpstr (query[0], ==, "synced_table_id");
  g_assert_cmpstr (query[1], ==, "retail_pg.public.orders");
  spec = json_object_get_object_member (body_of (plan, 4), "spec");
  g_assert_cmpstr (json_object_get_string_member (spec, "branch"), ==, "projects/retail-serving/branches/production");
  g_assert_false (json_object_has_member (spec, "postgres_database"));
  g_assert_cmpstr (json_object_get_string_member (spec, "scheduling_policy"), ==, "CONTINUOUS");
}

static void
test_plan_errors (void)
{
  struct {
    LbFlavour   flavour;
    const char *instance_name;
    const char *capacity;
    const char *catalog;
    const char *expect;
  } cases[] = {
    { LB_FLAVOUR_PROVISIONED, "", NULL, "c", "instance_name is missing" },
    { LB_FLAVOUR_AUTOSCALING, "Retail", NULL, "c", "not a valid project id" },
    { LB_FLAVOUR_PROVISIONED, "retail_db", NULL, "c", "not a valid instance name" },
    { LB_FLAVOUR_PROVISIONED, "-retail", NULL, "c", "1 to 63" },
    { LB_FLAVOUR_PROVISIONED, "retail", "CU_3", "c", "CU_3" },
    { LB_FLAVOUR_PROVISIONED, "retail", NULL, "", "database_catalog is missing" },
    { LB_FLAVOUR_AUTOSCALING, "retail", NULL, "bad name", "database_catalog" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LbWorkload) workload = lb_test_sample_workload (cases[i].flavour);
      g_autoptr(GError) error = NULL;
      g_autoptr(LbDeploymentPlan) plan = NULL;

      lb_workload_set_instance_name (workload, cases[i].instance_name);
      lb_workload_set_capacity (workload, cases[i].capacity);
      lb_workload_set_database_catalog (workload, cases[i].catalog);
      plan = lb_deployment_plan_new (workload, NULL, &error);
      g_assert_null (plan);
      g_assert_error (error, LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_INVALID_PLAN);
      if (strstr (error->message, cases[i].expect) == NULL)
        g_error ("case %u: “%s” does not mention “%s”", i, error->message, cases[i].expect);
    }

  /* Two sources with the same table name. */
  {
    g_autoptr(LbWorkload) workload = lb_test_sample_workload (LB_FLAVOUR_PROVISIONED);
    const char *keys[] = { "id", NULL };
    g_autoptr(LbSyncedTable) table = lb_synced_table_new ("other.place.orders", keys, LB_SYNC_MODE_SNAPSHOT);
    g_autoptr(GError) error = NULL;
    g_autoptr(LbDeploymentPlan) plan = NULL;

    lb_workload_add_table (workload, table);
    plan = lb_deployment_plan_new (workload, NULL, &error);
    g_assert_error (error, LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_INVALID_PLAN);
  }

  /* An explicit capacity wins over the recommendation. */
  {
    g_autoptr(LbWorkload) workload = lb_test_sample_workload (LB_FLAVOUR_PROVISIONED);
    g_autoptr(LbDeploymentPlan) plan = NULL;

    lb_workload_set_capacity (workload, "CU_8");
    plan = lb_deployment_plan_new (workload, NULL, NULL);
    g_assert_cmpstr (lb_deployment_plan_get_capacity (plan), ==, "CU_8");
  }
}

/* ---- Full deploys ---- */

typedef struct
{
  GString *transitions;
} StateLog;

static void
state_changed_cb (LbDeploymentStep *step,
                  GParamSpec       *pspec,
                  StateLog         *log)
{
  g_string_append_printf (log->transitions, "%s ",
                          lb_deployment_step_state_to_string (lb_deployment_step_get_state (step)));
}

static void
check_full_deploy (LbFlavour flavour)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbDeploymentPlan) plan = sample_plan (flavour);
  g_autoptr(LbDeploymentRunner) runner = new_runner (fake, plan);
  g_autoptr(GError) error = NULL;
  StateLog table_log = { g_string_new (NULL) };
  LbDeploymentStep *connect;
  LbDeploymentStep *table_step;
  double last_fraction = 0;
  gulong handler;
  gboolean ok;

  table_step = step_at (runner, n_steps (runner) - 2);
  handler = g_signal_connect (table_step, "notify::state", G_CALLBACK (state_changed_cb), &table_log);

  ok = deploy (runner, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  assert_all_finished (runner);
  last_fraction = lb_deployment_runner_get_fraction (runner);
  g_assert_cmpfloat (last_fraction, ==, 1.0);

  /* The table went pending → running → done, through the provisioning states. */
  g_assert_cmpstr (table_log.transitions->str, ==, "running done ");
  g_clear_signal_handler (&handler, table_step);
  g_string_free (table_log.transitions, TRUE);
  {
    g_auto(GStrv) log = lb_deployment_step_dup_log (table_step);
    g_autofree char *joined = g_strjoinv ("\n", log);

    g_assert_nonnull (strstr (joined, "PROVISIONING_INITIAL_SNAPSHOT"));
    g_assert_nonnull (strstr (joined, "Not found: creating it"));
  }

  for (guint i = 1; i < n_steps (runner) - 1; i++)
    {
      LbDeploymentStep *step = step_at (runner, i);
      LbDeploymentResource *resource = lb_deployment_step_get_resource (step);
      LbDeploymentResourceKind kind = lb_deployment_resource_get_kind (resource);

      /* Branch and endpoint come with the project: adopted, never created. */
      g_assert_cmpint (lb_deployment_step_get_state (step), ==,
                       kind == LB_DEPLOYMENT_RESOURCE_BRANCH || kind == LB_DEPLOYMENT_RESOURCE_ENDPOINT
                       ? LB_DEPLOYMENT_STEP_ADOPTED : LB_DEPLOYMENT_STEP_DONE);
      g_assert_cmpfloat (lb_deployment_step_get_elapsed (step), >, 0);
    }

  g_assert_cmpstr (lb_deployment_runner_get_user_name (runner), ==, "ana@example.com");
  g_assert_cmpstr (lb_deployment_runner_get_workspace_host (runner), ==, lb_fake_workspace_get_url (fake));
  {
    g_autofree char *expected = g_strdup_printf ("Signed in as ana@example.com on %s", lb_fake_workspace_get_url (fake));

    g_assert_cmpstr (lb_deployment_step_get_status (step_at (runner, 0)), ==, expected);
  }

  /* The fake's database host does not exist: skipped, saying why (it used
   * to end "done", as if the connection had been made). */
  connect = step_at (runner, n_steps (runner) - 1);
  g_assert_cmpint (lb_deployment_step_get_state (connect), ==, LB_DEPLOYMENT_STEP_SKIPPED);
  g_assert_nonnull (lb_deployment_step_get_warning (connect));
  g_assert_nonnull (strstr (lb_deployment_step_get_warning (connect), "Could not connect"));

  if (flavour == LB_FLAVOUR_PROVISIONED)
    {
      g_assert_cmpuint (lb_fake_workspace_count_resources (fake, "instances"), ==, 1);
      g_assert_cmpuint (lb_fake_workspace_count_resources (fake, "catalogs"), ==, 1);
      g_assert_cmpuint (lb_fake_workspace_count_resources (fake, "synced_tables"), ==, 3);
      g_assert_cmpuint (lb_fake_workspace_count_requests (fake, "POST", "/api/2.0/database/credentials"), ==, 1);
    }
  else
    {
      g_assert_cmpuint (lb_fake_workspace_count_resources (fake, "projects"), ==, 1);
      g_assert_cmpuint (lb_fake_workspace_count_resources (fake, "postgres_catalogs"), ==, 1);
      g_assert_cmpuint (lb_fake_workspace_count_resources (fake, "postgres_synced_tables"), ==, 3);
      g_assert_cmpuint (lb_fake_workspace_count_requests (fake, "POST", "/api/2.0/postgres/credentials"), ==, 1);
      g_assert_cmpuint (lb_fake_workspace_count_requests (fake, "GET", "/api/2.0/postgres/projects/retail-serving/operations/"), >=, 1);
    }
  assert_created_once (fake, plan);

  /* Running again adopts everything and creates nothing. */
  lb_fake_workspace_clear_log (fake);
  ok = deploy (runner, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  for (guint i = 1; i < n_steps (runner) - 1; i++)
    g_assert_cmpint (lb_deployment_step_get_state (step_at (runner, i)), ==, LB_DEPLOYMENT_STEP_ADOPTED);
  g_assert_cmpuint (lb_fake_workspace_count_requests (fake, "POST", flavour == LB_FLAVOUR_PROVISIONED
                                                      ? "/api/2.0/database/instances"
                                                      : "/api/2.0/postgres/projects"), ==, 0);
  g_assert_cmpuint (lb_fake_workspace_count_requests (fake, "POST", NULL), ==, 1);   /* the credential */

  g_assert_finalize_object (g_steal_pointer (&runner));
}

/* The last step against a real PostgreSQL (a sandbox standing in for the
 * instance): it connects with the generated credential and reports the
 * partitions' sizes. */
static void
test_connect_measures_partitions (void)
{
  g_autoptr(LbPgSandbox) sandbox = lb_pg_sandbox_new_for_tests (FALSE);
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbWorkload) workload = lb_test_sample_workload (LB_FLAVOUR_PROVISIONED);
  g_autoptr(LbDeploymentPlan) plan = NULL;
  g_autoptr(LbDeploymentRunner) runner = NULL;
  g_autoptr(JsonNode) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  g_autofree char *port = NULL;
  g_autofree char *user = NULL;
  g_autofree char *dbname = NULL;
  LbDeploymentStep *connect;
  JsonArray *partitions;
  gboolean ok;

  g_assert_true (lb_pg_sandbox_start (sandbox, NULL, &error));
  g_assert_no_error (error);
  host = lb_test_conninfo_value (lb_pg_sandbox_get_conninfo (sandbox), "host");
  port = lb_test_conninfo_value (lb_pg_sandbox_get_conninfo (sandbox), "port");
  user = lb_test_conninfo_value (lb_pg_sandbox_get_conninfo (sandbox), "user");
  dbname = lb_test_conninfo_value (lb_pg_sandbox_get_conninfo (sandbox), "dbname");

  /* Synced tables land partitioned; two partitions with data. */
  lb_test_pg_exec (lb_pg_sandbox_get_conninfo (sandbox),
                   "CREATE TABLE orders (id int, region text) PARTITION BY LIST (region);"
                   "CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('eu');"
                   "CREATE TABLE orders_us PARTITION OF orders FOR VALUES IN ('us');"
                   "INSERT INTO orders SELECT g, CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END"
                   "  FROM generate_series (1, 20000) g;");

  /* The fake hands out the sandbox as the instance's host and the sandbox's
   * role as the signed-in user; the sandbox trusts local connections, so the
   * credential is sent but not needed. */
  lb_fake_workspace_set_pg_host (fake, host);
  lb_fake_workspace_set_user_name (fake, user);
  lb_workload_set_database_name (workload, dbname);
  plan = lb_deployment_plan_new (workload, NULL, &error);
  g_assert_no_error (error);
  runner = new_runner (fake, plan);
  g_object_set (runner, "pg-port", (guint) g_ascii_strtoull (port, NULL, 10), NULL);

  ok = deploy (runner, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);

  connect = step_at (runner, n_steps (runner) - 1);
  g_assert_cmpint (lb_deployment_step_get_state (connect), ==, LB_DEPLOYMENT_STEP_DONE);
  g_assert_null (lb_deployment_step_get_warning (connect));

  summary = lb_deployment_runner_to_json (runner);
  partitions = json_object_get_array_member (json_node_get_object (summary), "partitions");
  g_assert_cmpuint (json_array_get_length (partitions), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *partition = json_array_get_object_element (partitions, i);

      /* The reference query names each partition by its parent: the synced table. */
      g_assert_cmpstr (json_object_get_string_member (partition, "relname"), ==, "orders");
      g_assert_cmpint (json_object_get_int_member (partition, "size"), >, 8192);
    }

  g_assert_finalize_object (g_steal_pointer (&runner));
}

static void
test_deploy_provisioned (void)
{
  check_full_deploy (LB_FLAVOUR_PROVISIONED);
}

static void
test_deploy_autoscaling (void)
{
  check_full_deploy (LB_FLAVOUR_AUTOSCALING);
}

/* A non-default branch (issue #14, item 10): made from production when
 * missing, with its own read-write endpoint; the catalog and the synced
 * tables go on it; a second run adopts everything. */
static void
test_deploy_branch (void)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbWorkload) workload = lb_test_sample_workload (LB_FLAVOUR_AUTOSCALING);
  g_autoptr(LbDeploymentPlan) plan = NULL;
  g_autoptr(LbDeploymentRunner) runner = NULL;
  g_autoptr(LbDeploymentRunner) again = NULL;
  g_autoptr(LbDeploymentResource) branch = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(JsonNode) table = NULL;
  g_autoptr(JsonNode) catalog = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  LbDeploymentResource *endpoint;
  const char * const *query;
  JsonObject *spec;
  gboolean ok;

  lb_workload_set_branch (workload, "load-test");
  plan = lb_deployment_plan_new (workload, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lb_deployment_plan_get_branch (plan), ==, "load-test");

  /* Plan: the branch and its endpoint are created when missing. */
  branch = g_list_model_get_item (lb_deployment_plan_get_resources (plan), 1);
  g_assert_cmpint (lb_deployment_resource_get_kind (branch), ==, LB_DEPLOYMENT_RESOURCE_BRANCH);
  g_assert_cmpstr (lb_deployment_resource_get_api_name (branch), ==, "projects/retail-serving/branches/load-test");
  g_assert_cmpstr (lb_deployment_resource_get_create_path (branch), ==, "/api/2.0/postgres/projects/retail-serving/branches");
  query = lb_deployment_resource_get_create_query (branch);
  g_assert_cmpstr (query[0], ==, "branch_id");
  g_assert_cmpstr (query[1], ==, "load-test");
  spec = json_object_get_object_member (body_of (plan, 1), "spec");
  g_assert_cmpstr (json_object_get_string_member (spec, "source_branch"), ==, "projects/retail-serving/branches/production");
  endpoint = lb_deployment_plan_get_endpoint (plan);
  g_assert_cmpstr (lb_deployment_resource_get_create_path (endpoint), ==,
                   "/api/2.0/postgres/projects/retail-serving/branches/load-test/endpoints");
  spec = json_object_get_object_member (body_of (plan, 2), "spec");
  g_assert_cmpstr (json_object_get_string_member (spec, "endpoint_type"), ==, "ENDPOINT_TYPE_READ_WRITE");
  g_assert_cmpfloat (json_object_get_double_member (spec, "autoscaling_limit_max_cu"), ==,
                     lb_deployment_plan_get_max_cu (plan));
  spec = json_object_get_object_member (body_of (plan, 3), "spec");
  g_assert_cmpstr (json_object_get_string_member (spec, "branch"), ==, "projects/retail-serving/branches/load-test");
  spec = json_object_get_object_member (body_of (plan, 4), "spec");
  g_assert_cmpstr (json_object_get_string_member (spec, "branch"), ==, "projects/retail-serving/branches/load-test");
  json = lb_deployment_plan_to_json (plan);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json), "branch"), ==, "load-test");
  text = lb_deployment_plan_describe (plan);
  g_assert_nonnull (strstr (text, "Branch “load-test”"));

  /* Deploy: the synced table is created on that branch. */
  runner = new_runner (fake, plan);
  ok = deploy (runner, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  assert_all_finished (runner);
  g_assert_cmpint (lb_deployment_step_get_state (step_at (runner, 2)), ==, LB_DEPLOYMENT_STEP_DONE);
  g_assert_cmpint (lb_deployment_step_get_state (step_at (runner, 3)), ==, LB_DEPLOYMENT_STEP_DONE);
  g_assert_cmpuint (lb_fake_workspace_count_resources (fake, "branches"), ==, 2);
  g_assert_cmpuint (lb_fake_workspace_count_resources (fake, "endpoints"), ==, 2);
  g_assert_nonnull (lb_fake_workspace_dup_resource (fake, "endpoints",
                                                    "projects/retail-serving/branches/load-test/endpoints/primary"));
  table = lb_fake_workspace_dup_resource (fake, "postgres_synced_tables", "synced_tables/retail_pg.public.orders");
  g_assert_nonnull (table);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (table), "spec"),
                                                  "branch"), ==, "projects/retail-serving/branches/load-test");
  catalog = lb_fake_workspace_dup_resource (fake, "postgres_catalogs", "catalogs/retail_pg");
  g_assert_nonnull (catalog);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (catalog), "status"),
                                                  "branch"), ==, "projects/retail-serving/branches/load-test");
  assert_created_once (fake, plan);

  /* Run again: the branch is there now, nothing is made twice. */
  again = new_runner (fake, plan);
  ok = deploy (again, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  for (guint i = 1; i < n_steps (again) - 1; i++)
    g_assert_cmpint (lb_deployment_step_get_state (step_at (again, i)), ==, LB_DEPLOYMENT_STEP_ADOPTED);
  assert_created_once (fake, plan);

  /* A branch id the API would refuse is caught in the plan. */
  g_clear_object (&plan);
  lb_workload_set_branch (workload, "9lives");
  plan = lb_deployment_plan_new (workload, NULL, &error);
  g_assert_null (plan);
  g_assert_error (error, LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_INVALID_PLAN);
  g_assert_nonnull (strstr (error->message, "lakebase_accelerator.branch"));
}

static void
call_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (object), result, &error);

  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

/* POSTs @body_json as a user's other tool would. */
static void
post_to_fake (LbFakeWorkspace    *fake,
              const char         *path,
              const char * const *query,
              const char         *body_json)
{
  g_autoptr(LbDatabricksAuth) auth = lb_databricks_auth_new_for_token (lb_fake_workspace_get_url (fake),
                                                                       lb_fake_workspace_get_token (fake));
  g_autoptr(LbDatabricksClient) client = lb_databricks_client_new (auth, NULL);
  g_autoptr(JsonNode) body = json_from_string (body_json, NULL);
  gboolean done = FALSE;

  lb_databricks_client_call_async (client, "POST", path, query, body, LB_CALL_DEFAULT, NULL, call_done, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* A branch made elsewhere, with a read-write endpoint of its own id: the
 * plan names that endpoint (lakebase_accelerator.endpoint) and adopts both. */
static void
test_deploy_existing_branch (void)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbWorkload) workload = lb_test_sample_workload (LB_FLAVOUR_AUTOSCALING);
  g_autoptr(LbDeploymentPlan) first = sample_plan (LB_FLAVOUR_AUTOSCALING);
  g_autoptr(LbDeploymentPlan) plan = NULL;
  g_autoptr(LbDeploymentRunner) runner = NULL;
  g_autoptr(LbDeploymentRunner) setup = new_runner (fake, first);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) table = NULL;
  const char *branch_query[] = { "branch_id", "feature", NULL };
  const char *endpoint_query[] = { "endpoint_id", "ep-feature-7", NULL };

  g_assert_true (deploy (setup, NULL, &error));
  g_assert_no_error (error);
  post_to_fake (fake, "/api/2.0/postgres/projects/retail-serving/branches", branch_query,
                "{\"spec\":{\"source_branch\":\"projects/retail-serving/branches/production\"}}");
  post_to_fake (fake, "/api/2.0/postgres/projects/retail-serving/branches/feature/endpoints", endpoint_query,
                "{\"spec\":{\"endpoint_type\":\"ENDPOINT_TYPE_READ_WRITE\",\"autoscaling_limit_min_cu\":1,"
                "\"autoscaling_limit_max_cu\":2}}");

  lb_workload_set_branch (workload, "feature");
  lb_workload_set_endpoint (workload, "ep-feature-7");
  /* A catalog belongs to one branch: the tables on this one need their own. */
  lb_workload_set_database_catalog (workload, "feature_pg");
  plan = lb_deployment_plan_new (workload, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lb_deployment_resource_get_api_name (lb_deployment_plan_get_endpoint (plan)), ==,
                   "projects/retail-serving/branches/feature/endpoints/ep-feature-7");
  lb_fake_workspace_clear_log (fake);
  runner = new_runner (fake, plan);
  g_assert_true (deploy (runner, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lb_deployment_step_get_state (step_at (runner, 2)), ==, LB_DEPLOYMENT_STEP_ADOPTED);
  g_assert_cmpint (lb_deployment_step_get_state (step_at (runner, 3)), ==, LB_DEPLOYMENT_STEP_ADOPTED);
  g_assert_cmpint (lb_deployment_step_get_state (step_at (runner, 4)), ==, LB_DEPLOYMENT_STEP_DONE);
  g_assert_cmpuint (lb_fake_workspace_count_resources (fake, "endpoints"), ==, 2);
  g_assert_cmpuint (lb_fake_workspace_count_requests (fake, "POST", "/api/2.0/postgres/projects/retail-serving/branches"), ==, 0);
  table = lb_fake_workspace_dup_resource (fake, "postgres_synced_tables", "synced_tables/feature_pg.public.orders");
  g_assert_nonnull (table);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (table), "spec"),
                                                  "branch"), ==, "projects/retail-serving/branches/feature");

  /* The first catalog is production's: asked for on feature, the catalog
   * step says so instead of putting the tables on production. */
  {
    g_autoptr(LbDeploymentPlan) wrong = NULL;
    g_autoptr(LbDeploymentRunner) wrong_runner = NULL;

    lb_workload_set_database_catalog (workload, "retail_pg");
    wrong = lb_deployment_plan_new (workload, NULL, &error);
    g_assert_no_error (error);
    wrong_runner = new_runner (fake, wrong);
    g_assert_false (deploy (wrong_runner, NULL, &error));
    g_assert_nonnull (error);
    g_test_message ("%s", error->message);
    g_assert_cmpint (lb_deployment_step_get_state (step_at (wrong_runner, 4)), ==, LB_DEPLOYMENT_STEP_FAILED);
    g_assert_nonnull (strstr (lb_deployment_step_get_error_message (step_at (wrong_runner, 4)),
                              "is on the branch “production”, not on “feature”"));
    g_assert_cmpint (lb_deployment_step_get_state (step_at (wrong_runner, 5)), ==, LB_DEPLOYMENT_STEP_SKIPPED);
  }
}

/* ---- Interrupted at each step, then resumed ---- */

typedef struct
{
  GCancellable *cancellable;
} CancelAt;

static void
cancel_when_running_cb (LbDeploymentStep *step,
                        GParamSpec       *pspec,
                        CancelAt         *at)
{
  if (lb_deployment_step_get_state (step) == LB_DEPLOYMENT_STEP_RUNNING)
    g_cancellable_cancel (at->cancellable);
}

static void
check_interrupted (LbFlavour flavour,
                   gboolean  by_cancel)
{
  g_autoptr(LbDeploymentPlan) plan = sample_plan (flavour);
  guint steps;

  {
    g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
    g_autoptr(LbDeploymentRunner) runner = new_runner (fake, plan);

    steps = n_steps (runner);
  }

  /* Every step but the last (whose failure is only a warning). */
  for (guint k = 0; k < steps - 1; k++)
    {
      g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
      g_autoptr(LbDeploymentRunner) runner = new_runner (fake, plan);
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GError) error = NULL;
      LbDeploymentStep *step = step_at (runner, k);
      CancelAt at = { cancellable };
      gulong handler = 0;
      gboolean ok;

      if (by_cancel)
        handler = g_signal_connect (step, "notify::state", G_CALLBACK (cancel_when_running_cb), &at);
      else
        {
          /* Step k's first request is refused. */
          LbDeploymentResource *resource = lb_deployment_step_get_resource (step);

          lb_fake_workspace_fail_next (fake, "GET",
                                       resource != NULL ? lb_deployment_resource_get_path (resource)
                                                        : "/api/2.0/preview/scim/v2/Me",
                                       403, NULL, 1);
        }

      ok = deploy (runner, cancellable, &error);
      g_assert_false (ok);
      if (by_cancel)
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      else
        g_assert_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_PERMISSION_DENIED);
      g_assert_cmpint (lb_deployment_step_get_state (step), ==, LB_DEPLOYMENT_STEP_FAILED);
      /* Synced tables run side by side: a cancel stops the tables in flight
       * with it and starts no more, while one table's failure leaves the
       * others to finish. Every other step runs alone, in order. */
      for (guint j = k + 1; j < steps; j++)
        {
          LbDeploymentStep *later = step_at (runner, j);

          if (!by_cancel && is_synced_table (step) && is_synced_table (later))
            g_assert_true (lb_deployment_step_is_finished (later));
          else
            g_assert_cmpint (lb_deployment_step_get_state (later), ==, LB_DEPLOYMENT_STEP_SKIPPED);
        }
      for (guint j = 0; j < k; j++)
        {
          LbDeploymentStep *earlier = step_at (runner, j);

          if (by_cancel && is_synced_table (step) && is_synced_table (earlier))
            {
              g_assert_cmpint (lb_deployment_step_get_state (earlier), ==, LB_DEPLOYMENT_STEP_FAILED);
              g_assert_cmpstr (lb_deployment_step_get_status (earlier), ==, "Cancelled");
            }
          else
            g_assert_true (lb_deployment_step_is_finished (earlier));
        }
      g_clear_signal_handler (&handler, step);
      g_clear_error (&error);

      /* Resume with a fresh cancellable: everything ends done or adopted. */
      ok = deploy (runner, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (ok);
      assert_all_finished (runner);
      for (guint j = 1; j < k; j++)
        if (!(by_cancel && is_synced_table (step) && is_synced_table (step_at (runner, j))))
          g_assert_cmpint (lb_deployment_step_get_state (step_at (runner, j)), ==, LB_DEPLOYMENT_STEP_ADOPTED);
      assert_created_once (fake, plan);
    }
}

static void
test_resume_cancel_provisioned (void)
{
  check_interrupted (LB_FLAVOUR_PROVISIONED, TRUE);
}

static void
test_resume_cancel_autoscaling (void)
{
  check_interrupted (LB_FLAVOUR_AUTOSCALING, TRUE);
}

static void
test_resume_failure_provisioned (void)
{
  check_interrupted (LB_FLAVOUR_PROVISIONED, FALSE);
}

static void
test_resume_failure_autoscaling (void)
{
  check_interrupted (LB_FLAVOUR_AUTOSCALING, FALSE);
}

/* Cancelled while creates are in flight: the resumed run adopts them. */
static void
test_resume_mid_create (void)
{
  g_autoptr(LbDeploymentPlan) plan = sample_plan (LB_FLAVOUR_AUTOSCALING);
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbDeploymentRunner) runner = new_runner (fake, plan);
  g_autoptr(GError) error = NULL;

  /* The project's operation never finishes within the first run. */
  lb_fake_workspace_set_polls_until_ready (fake, 1000);
  g_object_set (runner, "wait-timeout-s", 1, NULL);
  g_assert_false (deploy (runner, NULL, &error));
  g_assert_error (error, LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "Run the deployment again"));
  g_clear_error (&error);
  g_assert_cmpuint (lb_fake_workspace_count_resources (fake, "projects"), ==, 1);

  lb_fake_workspace_set_polls_until_ready (fake, 2);
  g_object_set (runner, "wait-timeout-s", 60, NULL);
  g_assert_true (deploy (runner, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lb_deployment_step_get_state (step_at (runner, 1)), ==, LB_DEPLOYMENT_STEP_ADOPTED);
  assert_created_once (fake, plan);
}

/* ---- Errors along the way ---- */

static void
test_transient_errors (void)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbDeploymentPlan) plan = sample_plan (LB_FLAVOUR_PROVISIONED);
  g_autoptr(LbDeploymentRunner) runner = new_runner (fake, plan);
  g_autoptr(GError) error = NULL;

  lb_fake_workspace_throttle_next (fake, "/api/2.0/database/instances", 1, 2);
  lb_fake_workspace_fail_next (fake, "GET", "/api/2.0/database/instances/", 200, "{not json", 1);
  lb_fake_workspace_fail_next (fake, "GET", "/api/2.0/database/synced_tables/", 500, NULL, 3);
  lb_fake_workspace_fail_next (fake, "POST", "/api/2.0/database/catalogs", 500, NULL, 1);
  lb_fake_workspace_fail_next (fake, "GET", "/api/2.0/preview/scim/v2/Me", 503, NULL, 1);

  g_assert_true (deploy (runner, NULL, &error));
  g_assert_no_error (error);
  assert_all_finished (runner);
  assert_created_once (fake, plan);

  /* The failed catalog POST was sent again only after a GET found nothing. */
  g_assert_cmpuint (lb_fake_workspace_count_requests (fake, "POST", "/api/2.0/database/catalogs"), ==, 2);
  g_assert_cmpuint (lb_fake_workspace_count_resources (fake, "catalogs"), ==, 1);
  g_assert_cmpuint (lb_fake_workspace_count_requests (fake, "GET", "/api/2.0/database/catalogs/retail_pg"), >=, 2);
}

static void
test_permission_denied (void)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbDeploymentPlan) plan = sample_plan (LB_FLAVOUR_PROVISIONED);
  g_autoptr(LbDeploymentRunner) runner = new_runner (fake, plan);
  g_autoptr(GError) error = NULL;
  LbDeploymentStep *catalog = step_at (runner, 2);

  lb_fake_workspace_fail_next (fake, "POST", "/api/2.0/database/catalogs", 403,
                               "{\"error_code\":\"PERMISSION_DENIED\",\"message\":\"User does not have CREATE CATALOG on Metastore 'main'.\"}",
                               1);
  g_assert_false (deploy (runner, NULL, &error));
  g_assert_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, "CREATE CATALOG on Metastore"));

  g_assert_cmpint (lb_deployment_step_get_state (step_at (runner, 0)), ==, LB_DEPLOYMENT_STEP_DONE);
  g_assert_cmpint (lb_deployment_step_get_state (step_at (runner, 1)), ==, LB_DEPLOYMENT_STEP_DONE);
  g_assert_cmpint (lb_deployment_step_get_state (catalog), ==, LB_DEPLOYMENT_STEP_FAILED);
  g_assert_nonnull (strstr (lb_deployment_step_get_error_message (catalog), "PERMISSION_DENIED"));
  g_assert_nonnull (strstr (lb_deployment_step_get_error_message (catalog), "CREATE CATALOG on Metastore 'main'"));
  for (guint i = 3; i < n_steps (runner); i++)
    g_assert_cmpint (lb_deployment_step_get_state (step_at (runner, i)), ==, LB_DEPLOYMENT_STEP_SKIPPED);
  g_assert_cmpfloat (lb_deployment_runner_get_fraction (runner), <, 1.0);
  g_assert_cmpuint (lb_fake_workspace_count_requests (fake, "POST", "/api/2.0/database/synced_tables"), ==, 0);
}

static void
expire_when_running_cb (LbDeploymentStep *step,
                        GParamSpec       *pspec,
                        LbFakeWorkspace  *fake)
{
  if (lb_deployment_step_get_state (step) == LB_DEPLOYMENT_STEP_RUNNING)
    lb_fake_workspace_expire_token (fake);
}

static void
test_expired_token (void)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbDeploymentPlan) plan = sample_plan (LB_FLAVOUR_PROVISIONED);
  g_autoptr(LbDeploymentRunner) runner = new_runner (fake, plan);
  g_autoptr(GError) error = NULL;
  LbDeploymentStep *catalog = step_at (runner, 2);

  g_signal_connect (catalog, "notify::state", G_CALLBACK (expire_when_running_cb), fake);
  g_assert_false (deploy (runner, NULL, &error));
  g_assert_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_UNAUTHENTICATED);
  g_assert_nonnull (strstr (error->message, "Token is expired"));
  g_assert_nonnull (strstr (error->message, "databricks auth login --profile DEFAULT"));
  g_assert_cmpint (lb_deployment_step_get_state (catalog), ==, LB_DEPLOYMENT_STEP_FAILED);
  g_assert_cmpint (lb_deployment_step_get_state (step_at (runner, 3)), ==, LB_DEPLOYMENT_STEP_SKIPPED);
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel_is_prompt (void)
{
  /* Waiting between polls, and with a request in flight. */
  for (guint variant = 0; variant < 2; variant++)
    {
      g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
      g_autoptr(LbDeploymentPlan) plan = sample_plan (LB_FLAVOUR_PROVISIONED);
      g_autoptr(LbDeploymentRunner) runner = new_runner (fake, plan);
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      gint64 cancelled_at;

      lb_fake_workspace_set_polls_until_ready (fake, 100000);
      if (variant == 0)
        g_object_set (runner, "poll-base-ms", 5000, "poll-max-ms", 30000, NULL);
      else
        lb_fake_workspace_set_delay_ms (fake, 5000);

      lb_deployment_runner_run_async (runner, cancellable, lb_test_async_result_cb, &result);
      g_timeout_add (300, cancel_cb, cancellable);
      while (!g_cancellable_is_cancelled (cancellable))
        g_main_context_iteration (NULL, TRUE);
      cancelled_at = g_get_monotonic_time ();
      g_assert_false (lb_deployment_runner_run_finish (runner, lb_test_wait_for_result (&result), &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_cmpint (g_get_monotonic_time () - cancelled_at, <, G_USEC_PER_SEC);
      g_assert_false (lb_deployment_runner_get_running (runner));
      g_test_message ("cancel variant %u stopped after %.1f ms", variant,
                      (g_get_monotonic_time () - cancelled_at) / 1000.0);
    }
}

/* ---- Teardown ---- */

static void
check_teardown (LbFlavour flavour)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbDeploymentPlan) plan = sample_plan (flavour);
  g_autoptr(LbDeploymentRunner) runner = new_runner (fake, plan);
  g_autoptr(GError) error = NULL;
  GListModel *steps = lb_deployment_runner_get_teardown_steps (runner);
  const char *kinds[] = { "instances", "catalogs", "synced_tables", "projects", "postgres_catalogs",
                          "postgres_synced_tables", "branches", "endpoints" };

  g_assert_true (deploy (runner, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (g_list_model_get_n_items (steps), ==, 5);
  g_assert_true (teardown (runner, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (steps); i++)
    {
      g_autoptr(LbDeploymentStep) step = g_list_model_get_item (steps, i);

      g_assert_cmpint (lb_deployment_step_get_state (step), ==, LB_DEPLOYMENT_STEP_DONE);
    }
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    g_assert_cmpuint (lb_fake_workspace_count_resources (fake, kinds[i]), ==, 0);

  /* Again: nothing left to delete. */
  g_assert_true (teardown (runner, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (steps); i++)
    {
      g_autoptr(LbDeploymentStep) step = g_list_model_get_item (steps, i);

      g_assert_cmpint (lb_deployment_step_get_state (step), ==, LB_DEPLOYMENT_STEP_SKIPPED);
    }

  /* And a deploy after the teardown creates everything anew. */
  g_assert_true (deploy (runner, NULL, &error));
  g_assert_no_error (error);
  assert_all_finished (runner);
}

static void
test_teardown_provisioned (void)
{
  check_teardown (LB_FLAVOUR_PROVISIONED);
}

static void
test_teardown_autoscaling (void)
{
  check_teardown (LB_FLAVOUR_AUTOSCALING);
}

/* ---- Connection info and secrets ---- */

static GString *captured_log;

static GLogWriterOutput
capture_writer (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  for (gsize i = 0; captured_log != NULL && i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE"))
      {
        g_string_append_len (captured_log, fields[i].value,
                             fields[i].length < 0 ? (gssize) strlen (fields[i].value) : fields[i].length);
        g_string_append_c (captured_log, '\n');
      }
  if (captured_log == NULL || (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)))
    return g_log_writer_default (log_level, fields, n_fields, user_data);
  return G_LOG_WRITER_HANDLED;
}

static void
test_no_secrets (void)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbDeploymentPlan) plan = sample_plan (LB_FLAVOUR_AUTOSCALING);
  g_autoptr(LbDeploymentRunner) runner = new_runner (fake, plan);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GDateTime) expires = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(JsonNode) summary = NULL;
  g_autofree char *summary_text = NULL;
  g_autofree char *description = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *ca_bundle = lb_conninfo_find_system_ca_bundle ();
  g_autofree char *ca_bundle_option = g_strdup_printf ("sslrootcert='%s'", ca_bundle);
  g_auto(GStrv) secrets = NULL;
  g_auto(GStrv) fake_log = NULL;
  g_autofree char *fake_log_text = NULL;
  GString *all = g_string_new (NULL);

  /* Every message, debug ones included, reaches the writer (main()). */
  captured_log = g_string_new (NULL);

  g_assert_true (deploy (runner, NULL, &error));
  g_assert_no_error (error);

  lb_deployment_runner_dup_connection_info_async (runner, NULL, lb_test_async_result_cb, &result);
  conninfo = lb_deployment_runner_dup_connection_info_finish (runner, lb_test_wait_for_result (&result), &expires,
                                                              &error);
  g_assert_no_error (error);
  /* The token goes only to a server whose certificate checks out. */
  g_assert_nonnull (strstr (conninfo, "sslmode='verify-full'"));
  g_assert_nonnull (strstr (conninfo, ca_bundle_option));
  g_assert_nonnull (strstr (conninfo, "user='ana@example.com'"));
  g_assert_nonnull (strstr (conninfo, "dbname='databricks_postgres'"));
  g_assert_cmpint (g_date_time_difference (expires, now) / G_TIME_SPAN_MINUTE, >=, 55);


  summary = lb_deployment_runner_to_json (runner);
  summary_text = json_to_string (summary, TRUE);
  description = lb_deployment_plan_describe (plan);
  fake_log = lb_fake_workspace_dup_log (fake);
  fake_log_text = g_strjoinv ("\n", fake_log);
  g_string_append (all, captured_log->str);
  g_string_append (all, summary_text);
  g_string_append (all, description);
  g_string_append (all, fake_log_text);
  for (guint i = 0; i < n_steps (runner); i++)
    {
      g_auto(GStrv) log = lb_deployment_step_dup_log (step_at (runner, i));

      for (guint j = 0; log[j] != NULL; j++)
        g_string_append (all, log[j]);
    }

  /* The captured debug log is not empty: the check below means something. */
  g_assert_nonnull (strstr (captured_log->str, "Create request accepted"));

  secrets = lb_fake_workspace_dup_secrets (fake);
  g_assert_cmpuint (g_strv_length (secrets), >=, 3);   /* PAT + two credentials */
  for (guint i = 0; secrets[i] != NULL; i++)
    {
      if (strstr (all->str, secrets[i]) != NULL)
        g_error ("secret %u leaked into the output", i);
    }
  /* …while the conninfo handed to the tester does hold the last credential. */
  g_assert_nonnull (strstr (conninfo, secrets[g_strv_length (secrets) - 1]));

  g_string_free (all, TRUE);
  g_string_free (g_steal_pointer (&captured_log), TRUE);
}

/* ---- The deployed instance as a credential source ---- */

static void
count_failure_cb (LbInstanceCredentials *credentials,
                  const GError          *error,
                  gpointer               user_data)
{
  g_assert_nonnull (error);
  (*(guint *) user_data)++;
}

static char *
fetch_credential (LbCredentialSource  *source,
                  GCancellable        *cancellable,
                  GDateTime          **expires,
                  GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lb_credential_source_dup_conninfo_async (source, cancellable, lb_test_async_result_cb, &result);
  return lb_credential_source_dup_conninfo_finish (source, lb_test_wait_for_result (&result), expires, error);
}

/* LbInstanceCredentials: a fresh credential per fetch, its expiry, errors as
 * GErrors (and "fetch-failed"), and the secret in no log. */
static void
test_instance_credentials (void)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbDeploymentPlan) plan = sample_plan (LB_FLAVOUR_AUTOSCALING);
  g_autoptr(LbDeploymentRunner) runner = new_runner (fake, plan);
  g_autoptr(LbInstanceCredentials) credentials = lb_instance_credentials_new (runner);
  LbCredentialSource *source = LB_CREDENTIAL_SOURCE (credentials);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) expires = NULL;
  g_autoptr(GDateTime) no_expiry = NULL;
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *ca_bundle = lb_conninfo_find_system_ca_bundle ();
  g_autofree char *ca_bundle_option = g_strdup_printf ("sslrootcert='%s'", ca_bundle);
  g_autofree char *second = NULL;
  g_autofree char *failed = NULL;
  g_auto(GStrv) secrets = NULL;
  GTimeSpan lifetime;
  guint n_failures = 0;

  g_assert_true (deploy (runner, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (lb_instance_credentials_get_runner (credentials) == runner);
  g_signal_connect (credentials, "fetch-failed", G_CALLBACK (count_failure_cb), &n_failures);
  captured_log = g_string_new (NULL);

  /* The conninfo carries the credential the workspace just issued. */
  first = fetch_credential (source, NULL, &expires, &error);
  g_assert_no_error (error);
  g_assert_nonnull (first);
  g_assert_nonnull (strstr (first, "user='ana@example.com'"));
  g_assert_nonnull (strstr (first, "sslmode='verify-full'"));
  g_assert_nonnull (ca_bundle);
  g_assert_nonnull (strstr (first, ca_bundle_option));
  secrets = lb_fake_workspace_dup_secrets (fake);
  g_assert_nonnull (strstr (first, secrets[g_strv_length (secrets) - 1]));
  /* About an hour. */
  g_assert_nonnull (expires);
  lifetime = g_date_time_difference (expires, now);
  g_assert_cmpint (lifetime / G_TIME_SPAN_MINUTE, >=, 55);
  g_assert_cmpint (lifetime / G_TIME_SPAN_MINUTE, <=, 65);

  /* Each fetch is a new credential. */
  second = fetch_credential (source, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, !=, second);

  /* Cancelled: G_IO_ERROR_CANCELLED, nothing to explain. */
  g_cancellable_cancel (cancelled);
  failed = fetch_credential (source, cancelled, &no_expiry, &error);
  g_assert_null (failed);
  g_assert_null (no_expiry);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (n_failures, ==, 0);

  /* Refused: the runner's GError, with a message to act on, and the signal. */
  lb_fake_workspace_expire_token (fake);
  failed = fetch_credential (source, NULL, &no_expiry, &error);
  g_assert_null (failed);
  g_assert_null (no_expiry);
  g_assert_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_UNAUTHENTICATED);
  g_assert_cmpuint (strlen (error->message), >, 0);
  g_assert_cmpuint (n_failures, ==, 1);
  g_test_message ("refused: %s", error->message);

  g_clear_pointer (&secrets, g_strfreev);
  secrets = lb_fake_workspace_dup_secrets (fake);
  for (guint i = 0; secrets[i] != NULL; i++)
    {
      g_assert_null (strstr (captured_log->str, secrets[i]));
      g_assert_null (strstr (error->message, secrets[i]));
    }
  g_string_free (g_steal_pointer (&captured_log), TRUE);
}

/* Tables synced outside public: the tester's conninfo puts their schema
 * first in search_path, and a real server takes it. */
static void
test_credentials_search_path (void)
{
  g_autoptr(LbPgSandbox) sandbox = lb_pg_sandbox_new_for_tests (FALSE);
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbWorkload) workload = lb_test_sample_workload (LB_FLAVOUR_AUTOSCALING);
  g_autoptr(LbDeploymentPlan) plan = NULL;
  g_autoptr(LbDeploymentRunner) runner = NULL;
  g_autoptr(LbInstanceCredentials) credentials = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *options = NULL;
  g_autofree char *with_options = NULL;
  g_autoptr(LbDeploymentPlan) public_plan = NULL;
  g_autoptr(LbDeploymentRunner) public_runner = NULL;
  g_autoptr(LbInstanceCredentials) public_credentials = NULL;
  g_autofree char *public_conninfo = NULL;
  PGconn *conn;
  PGresult *res;

  g_assert_true (lb_pg_sandbox_start (sandbox, NULL, &error));
  g_assert_no_error (error);

  lb_workload_set_target_schema (workload, "serving");
  plan = lb_deployment_plan_new (workload, NULL, &error);
  g_assert_no_error (error);
  runner = new_runner (fake, plan);
  g_assert_true (deploy (runner, NULL, &error));
  g_assert_no_error (error);
  credentials = lb_instance_credentials_new (runner);
  conninfo = fetch_credential (LB_CREDENTIAL_SOURCE (credentials), NULL, NULL, &error);
  g_assert_no_error (error);
  options = lb_test_conninfo_value (conninfo, "options");
  g_assert_cmpstr (options, ==, "-csearch_path=serving,public");

  /* The same options against a real server: it searches that schema first
   * (the sandbox's role may not create one, and search_path takes names of
   * schemas yet to come). */
  with_options = g_strdup_printf ("%s options='%s'", lb_pg_sandbox_get_conninfo (sandbox), options);
  conn = PQconnectdb (with_options);
  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  res = PQexec (conn, "SHOW search_path");
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
  g_assert_cmpstr (PQgetvalue (res, 0, 0), ==, "serving,public");
  PQclear (res);
  PQfinish (conn);

  /* Tables in public need nothing. */
  public_plan = sample_plan (LB_FLAVOUR_AUTOSCALING);
  public_runner = new_runner (fake, public_plan);
  g_assert_true (deploy (public_runner, NULL, &error));
  public_credentials = lb_instance_credentials_new (public_runner);
  public_conninfo = fetch_credential (LB_CREDENTIAL_SOURCE (public_credentials), NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (strstr (public_conninfo, "options="));
}

/* A workspace id from the profile (here the host's ?w=) goes with every
 * call of a deployment; a PAT typed without one sends none. */
static void
test_workspace_id_header (void)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbDeploymentPlan) plan = sample_plan (LB_FLAVOUR_AUTOSCALING);
  g_autofree char *data = g_strdup_printf ("[unified]\nhost = %s/?o=1111&w=4242\ntoken = %s\n",
                                           lb_fake_workspace_get_url (fake), lb_fake_workspace_get_token (fake));
  const char *environ[] = { "HOME=/nonexistent", NULL };
  g_autoptr(LbDatabricksConfig) config = lb_databricks_config_new_from_data (data, "cfg", environ, NULL);
  g_autoptr(LbDatabricksProfile) profile = lb_databricks_config_resolve (config, "unified", NULL);
  g_autoptr(LbDatabricksAuth) auth = lb_databricks_auth_new (profile);
  g_autoptr(LbDatabricksClient) client = lb_databricks_client_new (auth, NULL);
  g_autoptr(LbDeploymentRunner) runner = NULL;
  g_autoptr(LbDeploymentRunner) without = NULL;
  g_autoptr(GError) error = NULL;
  guint total;

  g_assert_cmpstr (profile->workspace_id, ==, "4242");
  g_object_set (client, "retry-base-ms", 10, NULL);
  runner = lb_deployment_runner_new (plan, client);
  g_object_set (runner, "poll-base-ms", 4, "poll-max-ms", 40, "connect-timeout-s", 2, NULL);
  g_assert_true (deploy (runner, NULL, &error));
  g_assert_no_error (error);
  total = lb_fake_workspace_count_requests (fake, NULL, NULL);
  g_assert_cmpuint (total, >, 10);
  g_assert_cmpuint (lb_fake_workspace_count_workspace_id (fake, "4242"), ==, total);

  lb_fake_workspace_clear_log (fake);
  without = new_runner (fake, plan);
  g_assert_true (deploy (without, NULL, &error));
  g_assert_cmpuint (lb_fake_workspace_count_workspace_id (fake, NULL), ==, lb_fake_workspace_count_requests (fake, NULL, NULL));
}

/* The registry names a source for an action parameter while it lives. */
static void
test_credential_registry (void)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbDeploymentPlan) plan = sample_plan (LB_FLAVOUR_AUTOSCALING);
  g_autoptr(LbDeploymentRunner) runner = new_runner (fake, plan);
  LbInstanceCredentials *credentials = lb_instance_credentials_new (runner);
  g_autoptr(LbInstanceCredentials) other = lb_instance_credentials_new (runner);
  g_autoptr(LbCredentialSource) found = NULL;
  g_autoptr(LbCredentialSource) found_other = NULL;
  g_autofree char *id = lb_credential_source_register (LB_CREDENTIAL_SOURCE (credentials));
  g_autofree char *other_id = lb_credential_source_register (LB_CREDENTIAL_SOURCE (other));
  g_autofree char *again = lb_credential_source_register (LB_CREDENTIAL_SOURCE (credentials));

  g_assert_nonnull (id);
  g_assert_cmpstr (id, !=, other_id);
  g_assert_cmpstr (id, !=, again);
  found = lb_credential_source_lookup (id);
  g_assert_true (found == LB_CREDENTIAL_SOURCE (credentials));
  g_clear_object (&found);
  g_assert_null (lb_credential_source_lookup ("credential-source-none"));

  /* Dropped: the names lead nowhere, the other source's still works. */
  g_object_unref (credentials);
  g_assert_null (lb_credential_source_lookup (id));
  g_assert_null (lb_credential_source_lookup (again));
  found_other = lb_credential_source_lookup (other_id);
  g_assert_true (found_other == LB_CREDENTIAL_SOURCE (other));
}

/* ---- Figures ---- */

static void
test_ten_tables_figures (void)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbWorkload) workload = lb_test_sample_workload (LB_FLAVOUR_PROVISIONED);
  g_autoptr(LbDeploymentPlan) plan = NULL;
  g_autoptr(LbDeploymentRunner) runner = NULL;
  g_autoptr(GError) error = NULL;
  const char *keys[] = { "id", NULL };
  guint polls_until_ready = 3;
  guint base_ms = 20;
  gint64 start;
  double seconds;
  guint total;
  guint gets;
  guint instance_gets;
  LbDeploymentStep *instance_step;

  while (g_list_model_get_n_items (lb_workload_get_tables (workload)) > 0)
    lb_workload_remove_table (workload, 0);
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *name = g_strdup_printf ("retail.serving.table_%02u", i);
      g_autoptr(LbSyncedTable) table = lb_synced_table_new (name, keys,
                                                            i % 3 == 0 ? LB_SYNC_MODE_CONTINUOUS : LB_SYNC_MODE_TRIGGERED);

      lb_workload_add_table (workload, table);
    }
  plan = lb_deployment_plan_new (workload, NULL, &error);
  g_assert_no_error (error);
  runner = new_runner (fake, plan);
  g_object_set (runner, "poll-base-ms", base_ms, "poll-max-ms", 200, NULL);
  lb_fake_workspace_set_polls_until_ready (fake, polls_until_ready);

  start = g_get_monotonic_time ();
  g_assert_true (deploy (runner, NULL, &error));
  g_assert_no_error (error);
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  assert_all_finished (runner);

  total = lb_fake_workspace_count_requests (fake, NULL, NULL);
  gets = lb_fake_workspace_count_requests (fake, "GET", NULL);
  instance_gets = lb_fake_workspace_count_requests (fake, "GET", "/api/2.0/database/instances/");
  g_test_message ("10-table provisioned deploy: %u requests (%u GET, %u POST), %u polls, %.2f s "
                  "(fake: %u GETs per phase; backoff base %u ms, cap 200 ms)",
                  total, gets, lb_fake_workspace_count_requests (fake, "POST", NULL),
                  lb_deployment_runner_get_poll_count (runner), seconds, polls_until_ready, base_ms);

  /* No busy polling: each resource is polled just as often as it needs
   * (probe + polls_until_ready per phase)… */
  g_assert_cmpuint (instance_gets, ==, 1 + polls_until_ready);
  g_assert_cmpuint (lb_fake_workspace_count_requests (fake, "GET", "/api/2.0/database/synced_tables/"), ==,
                    10 * (1 + 2 * polls_until_ready));
  /* …and the waits between polls grow: at least base/2 + base + 2·base/2. */
  instance_step = step_at (runner, 1);
  g_assert_cmpfloat (lb_deployment_step_get_elapsed (instance_step) * 1000, >=,
                     base_ms / 2.0 + base_ms + 2 * base_ms);
  /* Me + instance (GET, POST, N polls) + catalog (GET, POST) + 10 × table
   * (GET, POST, 2N polls) + credential. */
  g_assert_cmpuint (total, ==, 1 + (2 + polls_until_ready) + 2 + 10 * (2 + 2 * polls_until_ready) + 1);
}

/* ---- Honest counts and summary (issue #10, item 9) ---- */

static void
test_counts_fresh_and_resume (void)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbDeploymentPlan) plan = sample_plan (LB_FLAVOUR_AUTOSCALING);
  g_autoptr(LbDeploymentRunner) runner = new_runner (fake, plan);
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;
  g_autoptr(JsonNode) json = NULL;
  JsonObject *counts_json;
  LbDeploymentCounts counts;

  g_assert_null (lb_deployment_runner_dup_summary (runner));
  g_assert_true (deploy (runner, NULL, &error));
  g_assert_no_error (error);

  /* Project, catalog, three tables made by us; branch and endpoint by the
   * project; signing in and the test connection are not resources. */
  lb_deployment_runner_get_counts (runner, &counts);
  g_assert_cmpuint (counts.created, ==, 5);
  g_assert_cmpuint (counts.with_project, ==, 2);
  g_assert_cmpuint (counts.existing, ==, 0);
  g_assert_cmpuint (counts.failed, ==, 0);
  for (guint i = 1; i < n_steps (runner) - 1; i++)
    {
      LbDeploymentStep *step = step_at (runner, i);
      LbDeploymentResourceKind kind = lb_deployment_resource_get_kind (lb_deployment_step_get_resource (step));
      gboolean implicit = kind == LB_DEPLOYMENT_RESOURCE_BRANCH || kind == LB_DEPLOYMENT_RESOURCE_ENDPOINT;

      g_assert_cmpint (lb_deployment_step_get_created_with_project (step), ==, implicit);
      if (implicit)
        g_assert_cmpstr (lb_deployment_step_get_state_label (step), ==, "With project");
    }

  summary = lb_deployment_runner_dup_summary (runner);
  g_test_message ("fresh deploy: %s", summary);
  g_assert_true (g_str_has_prefix (summary, "Deployed in "));
  g_assert_nonnull (strstr (summary, "5 created by this deploy, 2 created with the project, 0 already there"));
  /* The fake's database host does not exist: the summary says the test
   * connection failed instead of hiding it. */
  g_assert_nonnull (strstr (summary, "The test connection failed"));

  json = lb_deployment_runner_to_json (runner);
  counts_json = json_object_get_object_member (json_node_get_object (json), "counts");
  g_assert_cmpint (json_object_get_int_member (counts_json, "created"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (counts_json, "created_with_project"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (counts_json, "already_there"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json), "summary"), ==, summary);
  g_clear_pointer (&summary, g_free);

  /* A resume that creates nothing says so, not "Deployed in 0 s". */
  g_assert_true (deploy (runner, NULL, &error));
  g_assert_no_error (error);
  lb_deployment_runner_get_counts (runner, &counts);
  g_assert_cmpuint (counts.created, ==, 0);
  g_assert_cmpuint (counts.with_project, ==, 0);
  g_assert_cmpuint (counts.existing, ==, 7);
  summary = lb_deployment_runner_dup_summary (runner);
  g_test_message ("resume: %s", summary);
  g_assert_true (g_str_has_prefix (summary, "Nothing to create: everything is already there (7 resources checked in "));
  g_assert_null (strstr (summary, "Deployed in"));
}

/* The connection step after a DNS error ends skipped with the reason (not
 * "Done"); the raw libpq text is in its log. */
static void
test_connect_dns_error (void)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbDeploymentPlan) plan = sample_plan (LB_FLAVOUR_PROVISIONED);
  g_autoptr(LbDeploymentRunner) runner = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) log = NULL;
  g_autofree char *joined = NULL;
  LbDeploymentStep *connect;

  /* .invalid never resolves (RFC 2606), with or without a network. */
  lb_fake_workspace_set_pg_host (fake, "ep-missing.database.invalid");
  runner = new_runner (fake, plan);
  g_assert_true (deploy (runner, NULL, &error));
  g_assert_no_error (error);

  connect = step_at (runner, n_steps (runner) - 1);
  g_assert_cmpint (lb_deployment_step_get_state (connect), ==, LB_DEPLOYMENT_STEP_SKIPPED);
  g_assert_cmpstr (lb_deployment_step_get_state_label (connect), ==, "Skipped");
  g_assert_cmpstr (lb_deployment_step_get_status (connect), ==, "Skipped: the test connection failed");
  g_test_message ("connect warning: %s", lb_deployment_step_get_warning (connect));
  g_assert_nonnull (strstr (lb_deployment_step_get_warning (connect), "does not resolve (DNS)"));
  g_assert_nonnull (strstr (lb_deployment_step_get_warning (connect), "ep-missing.database.invalid"));
  log = lb_deployment_step_dup_log (connect);
  joined = g_strjoinv ("\n", log);
  g_assert_nonnull (strstr (joined, "could not translate host name"));
}

/* ---- Errors in sentences (item 10) ---- */

static void
test_error_sentences (void)
{
  struct {
    LbDatabricksErrorCode code;
    const char *message;
    const char *expect;       /* in the sentence */
    const char *left_out;     /* not in it (NULL: nothing) */
  } cases[] = {
    { LB_DATABRICKS_ERROR_NOT_FOUND, "ENDPOINT_NOT_FOUND: No API found for 'POST /postgres/projects'",
      "does not offer the API", "No API found" },
    { LB_DATABRICKS_ERROR_NOT_FOUND, "RESOURCE_DOES_NOT_EXIST: Catalog 'main' does not exist.",
      "Catalog 'main' does not exist. Check the names", NULL },
    { LB_DATABRICKS_ERROR_PERMISSION_DENIED, "PERMISSION_DENIED: User does not have USE CATALOG on 'main'.",
      "You lack a permission this step needs: User does not have USE CATALOG", NULL },
    { LB_DATABRICKS_ERROR_TOO_MANY_REQUESTS, "RESOURCE_EXHAUSTED: Too many instances (limit 10).",
      "reached a limit (Too many instances (limit 10).)", NULL },
    { LB_DATABRICKS_ERROR_OTHER, "QUOTA_EXCEEDED: Project quota reached.", "raise the quota", NULL },
    { LB_DATABRICKS_ERROR_BAD_REQUEST, "INVALID_PARAMETER_VALUE: capacity must be one of CU_1, CU_2.",
      "refused a value of the plan: capacity must be one of CU_1, CU_2. Fix it", NULL },
    { LB_DATABRICKS_ERROR_UNAUTHENTICATED, "UNAUTHENTICATED: Token is expired.",
      "databricks auth login --profile ops", NULL },
    { LB_DATABRICKS_ERROR_NETWORK, "NETWORK: Error resolving “dbc-1.cloud.databricks.com”",
      "could not be reached", NULL },
    { LB_DATABRICKS_ERROR_UNAVAILABLE, "TEMPORARILY_UNAVAILABLE: Try later.", "resumes where it stopped", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (LB_DATABRICKS_ERROR, cases[i].code, cases[i].message);
      g_autofree char *sentence = lb_databricks_error_explain (error, "ops");
      g_autofree char *code = lb_databricks_error_get_error_code (error);
      g_autofree char *suffix = g_strdup_printf ("(error %s)", code);

      g_test_message ("%s → %s", cases[i].message, sentence);
      if (strstr (sentence, cases[i].expect) == NULL)
        g_error ("case %u: “%s” lacks “%s”", i, sentence, cases[i].expect);
      if (cases[i].left_out != NULL && strstr (sentence, cases[i].left_out) != NULL)
        g_error ("case %u: “%s” still has “%s”", i, sentence, cases[i].left_out);
      g_assert_true (g_str_has_suffix (sentence, suffix));
      g_assert_cmpstr (sentence, !=, cases[i].message);
    }

  /* Other domains pass through. */
  {
    g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "disk full");
    g_autofree char *sentence = lb_databricks_error_explain (error, NULL);

    g_assert_cmpstr (sentence, ==, "disk full");
  }
}

/* A raw API error on a step: the step and the run say what it means; the
 * raw text is in the step's log. */
static void
test_step_error_readable (void)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbDeploymentPlan) plan = sample_plan (LB_FLAVOUR_AUTOSCALING);
  g_autoptr(LbDeploymentRunner) runner = new_runner (fake, plan);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) log = NULL;
  g_autofree char *joined = NULL;
  LbDeploymentStep *project = step_at (runner, 1);

  lb_fake_workspace_fail_next (fake, "POST", "/api/2.0/postgres/projects", 404,
                               "{\"error_code\":\"ENDPOINT_NOT_FOUND\",\"message\":\"No API found for 'POST /postgres/projects'\"}",
                               1);
  g_assert_false (deploy (runner, NULL, &error));
  g_assert_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "does not offer the API"));
  g_assert_null (strstr (error->message, "No API found"));

  g_assert_cmpint (lb_deployment_step_get_state (project), ==, LB_DEPLOYMENT_STEP_FAILED);
  g_assert_cmpstr (lb_deployment_step_get_error_message (project), ==, error->message);
  log = lb_deployment_step_dup_log (project);
  joined = g_strjoinv ("\n", log);
  g_assert_nonnull (strstr (joined, "ENDPOINT_NOT_FOUND: No API found for 'POST /postgres/projects'"));
}

/* ---- Synced tables side by side (item 11) ---- */

static LbDeploymentPlan *
plan_with_tables (LbFlavour   flavour,
                  guint       n,
                  const char *failing)
{
  g_autoptr(LbWorkload) workload = lb_test_sample_workload (flavour);
  g_autoptr(GError) error = NULL;
  const char *keys[] = { "id", NULL };
  LbDeploymentPlan *plan;

  while (g_list_model_get_n_items (lb_workload_get_tables (workload)) > 0)
    lb_workload_remove_table (workload, 0);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("retail.serving.%s_%02u",
                                               failing != NULL && i == 1 ? failing : "table", i);
      g_autoptr(LbSyncedTable) table = lb_synced_table_new (name, keys, LB_SYNC_MODE_TRIGGERED);

      lb_workload_add_table (workload, table);
    }
  plan = lb_deployment_plan_new (workload, NULL, &error);
  g_assert_no_error (error);
  return plan;
}

typedef struct
{
  guint  running;
  guint  max_running;
  gint64 first_start_us;
  gint64 last_end_us;
} Overlap;

static void
table_state_cb (LbDeploymentStep *step,
                GParamSpec       *pspec,
                Overlap          *overlap)
{
  if (lb_deployment_step_get_state (step) == LB_DEPLOYMENT_STEP_RUNNING)
    {
      overlap->running++;
      overlap->max_running = MAX (overlap->max_running, overlap->running);
      if (overlap->first_start_us == 0)
        overlap->first_start_us = g_get_monotonic_time ();
    }
  else if (lb_deployment_step_get_state (step) != LB_DEPLOYMENT_STEP_PENDING && overlap->running > 0)
    {
      overlap->running--;
      overlap->last_end_us = g_get_monotonic_time ();
    }
}

static void
watch_tables (LbDeploymentRunner *runner,
              Overlap            *overlap)
{
  for (guint i = 0; i < n_steps (runner); i++)
    if (is_synced_table (step_at (runner, i)))
      g_signal_connect (step_at (runner, i), "notify::state", G_CALLBACK (table_state_cb), overlap);
}

static void
check_tables_concurrent (LbFlavour flavour)
{
  const guint table_ms = 600;
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbDeploymentPlan) plan = plan_with_tables (flavour, 6, NULL);
  g_autoptr(LbDeploymentRunner) runner = new_runner (fake, plan);
  g_autoptr(GError) error = NULL;
  Overlap overlap = { 0, };
  double tables_ms;

  lb_fake_workspace_set_synced_table_ms (fake, table_ms);
  watch_tables (runner, &overlap);
  g_assert_true (deploy (runner, NULL, &error));
  g_assert_no_error (error);
  assert_all_finished (runner);
  assert_created_once (fake, plan);

  tables_ms = (overlap.last_end_us - overlap.first_start_us) / 1000.0;
  g_test_message ("6 synced tables of %u ms each (%s): %.0f ms in all, %u at most in flight on the fake, "
                  "%u steps running at most", table_ms,
                  flavour == LB_FLAVOUR_PROVISIONED ? "provisioned" : "autoscaling", tables_ms,
                  lb_fake_workspace_get_max_synced_tables_in_flight (fake), overlap.max_running);
  /* One after another would take 6 T; four at a time take 2 T (plus polling). */
  g_assert_cmpfloat (tables_ms, <, 2.5 * table_ms);
  g_assert_cmpuint (lb_fake_workspace_get_max_synced_tables_in_flight (fake), ==, 4);
  g_assert_cmpuint (overlap.max_running, ==, 4);

  /* Each table has its own progress: its own elapsed time (about T, not the
   * group's) and its own log through the snapshot. */
  for (guint i = 0; i < n_steps (runner); i++)
    {
      LbDeploymentStep *step = step_at (runner, i);
      g_auto(GStrv) log = NULL;
      g_autofree char *joined = NULL;

      if (!is_synced_table (step))
        continue;
      g_assert_cmpint (lb_deployment_step_get_state (step), ==, LB_DEPLOYMENT_STEP_DONE);
      g_assert_cmpfloat (lb_deployment_step_get_elapsed (step) * 1000, >=, table_ms * 0.9);
      g_assert_cmpfloat (lb_deployment_step_get_elapsed (step) * 1000, <, table_ms * 1.5);
      log = lb_deployment_step_dup_log (step);
      joined = g_strjoinv ("\n", log);
      g_assert_nonnull (strstr (joined, "PROVISIONING_INITIAL_SNAPSHOT"));
    }
}

static void
test_tables_concurrent_provisioned (void)
{
  check_tables_concurrent (LB_FLAVOUR_PROVISIONED);
}

static void
test_tables_concurrent_autoscaling (void)
{
  check_tables_concurrent (LB_FLAVOUR_AUTOSCALING);
}

/* One table fails: the others still get created and say so; the test
 * connection after them is skipped; a resume adopts the good ones. */
static void
test_tables_one_fails (void)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbDeploymentPlan) plan = plan_with_tables (LB_FLAVOUR_PROVISIONED, 6, "fail");
  g_autoptr(LbDeploymentRunner) runner = new_runner (fake, plan);
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;
  LbDeploymentCounts counts;
  guint first_table = 3;   /* identity, instance, catalog */

  g_assert_false (deploy (runner, NULL, &error));
  g_assert_error (error, LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_SYNC_FAILED);
  for (guint i = 0; i < 6; i++)
    {
      LbDeploymentStep *step = step_at (runner, first_table + i);

      g_assert_true (is_synced_table (step));
      if (i == 1)
        {
          g_assert_cmpint (lb_deployment_step_get_state (step), ==, LB_DEPLOYMENT_STEP_FAILED);
          g_assert_nonnull (strstr (lb_deployment_step_get_error_message (step), "could not be read"));
        }
      else
        {
          g_assert_cmpint (lb_deployment_step_get_state (step), ==, LB_DEPLOYMENT_STEP_DONE);
          g_assert_cmpfloat (lb_deployment_step_get_fraction (step), ==, 1.0);
        }
    }
  g_assert_cmpint (lb_deployment_step_get_state (step_at (runner, n_steps (runner) - 1)), ==,
                   LB_DEPLOYMENT_STEP_SKIPPED);
  lb_deployment_runner_get_counts (runner, &counts);
  g_assert_cmpuint (counts.created, ==, 7);
  g_assert_cmpuint (counts.failed, ==, 1);
  summary = lb_deployment_runner_dup_summary (runner);
  g_test_message ("one table failed: %s", summary);
  g_assert_true (g_str_has_prefix (summary, "Stopped at “Synced table retail_pg.public.fail_01”"));

  /* Resume: the five good tables are adopted, not created again. */
  g_clear_error (&error);
  lb_fake_workspace_clear_log (fake);
  g_assert_false (deploy (runner, NULL, &error));
  g_assert_error (error, LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_SYNC_FAILED);
  for (guint i = 0; i < 6; i++)
    if (i != 1)
      g_assert_cmpint (lb_deployment_step_get_state (step_at (runner, first_table + i)), ==,
                       LB_DEPLOYMENT_STEP_ADOPTED);
  g_assert_cmpuint (lb_fake_workspace_count_requests (fake, "POST", "/api/2.0/database/synced_tables"), ==, 0);
}

static gboolean
cancel_when_four_cb (gpointer data)
{
  gpointer *pair = data;
  Overlap *overlap = pair[0];

  if (overlap->running < 4)
    return G_SOURCE_CONTINUE;
  g_cancellable_cancel (pair[1]);
  return G_SOURCE_REMOVE;
}

/* Cancel while four tables are in flight: all four stop at once, the rest
 * never start; a resume adopts what was created and creates the rest. */
static void
test_tables_cancel_and_resume (void)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbDeploymentPlan) plan = plan_with_tables (LB_FLAVOUR_PROVISIONED, 6, NULL);
  g_autoptr(LbDeploymentRunner) runner = new_runner (fake, plan);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Overlap overlap = { 0, };
  gpointer pair[2] = { &overlap, cancellable };
  guint first_table = 3;
  guint cancelled = 0, skipped = 0;
  gint64 cancelled_at;

  lb_fake_workspace_set_synced_table_ms (fake, 5000);
  watch_tables (runner, &overlap);
  lb_deployment_runner_run_async (runner, cancellable, lb_test_async_result_cb, &result);
  g_timeout_add (5, cancel_when_four_cb, pair);
  while (!g_cancellable_is_cancelled (cancellable))
    g_main_context_iteration (NULL, TRUE);
  cancelled_at = g_get_monotonic_time ();
  g_assert_false (lb_deployment_runner_run_finish (runner, lb_test_wait_for_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - cancelled_at, <, G_USEC_PER_SEC);
  g_clear_error (&error);

  for (guint i = 0; i < 6; i++)
    {
      LbDeploymentStep *step = step_at (runner, first_table + i);

      if (lb_deployment_step_get_state (step) == LB_DEPLOYMENT_STEP_FAILED)
        {
          g_assert_cmpstr (lb_deployment_step_get_status (step), ==, "Cancelled");
          cancelled++;
        }
      else
        {
          g_assert_cmpint (lb_deployment_step_get_state (step), ==, LB_DEPLOYMENT_STEP_SKIPPED);
          skipped++;
        }
    }
  g_assert_cmpuint (cancelled, ==, 4);
  g_assert_cmpuint (skipped, ==, 2);
  g_assert_false (lb_deployment_runner_get_running (runner));

  lb_fake_workspace_set_synced_table_ms (fake, 100);
  g_assert_true (deploy (runner, NULL, &error));
  g_assert_no_error (error);
  assert_all_finished (runner);
  assert_created_once (fake, plan);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);
  lb_core_init ();

  g_test_add_func ("/deployment/plan/provisioned", test_plan_provisioned);
  g_test_add_func ("/deployment/plan/autoscaling", test_plan_autoscaling);
  g_test_add_func ("/deployment/plan/errors", test_plan_errors);
  g_test_add_func ("/deployment/deploy/provisioned", test_deploy_provisioned);
  g_test_add_func ("/deployment/deploy/autoscaling", test_deploy_autoscaling);
  g_test_add_func ("/deployment/deploy/branch", test_deploy_branch);
  g_test_add_func ("/deployment/deploy/existing-branch", test_deploy_existing_branch);
  g_test_add_func ("/deployment/resume/cancel-provisioned", test_resume_cancel_provisioned);
  g_test_add_func ("/deployment/resume/cancel-autoscaling", test_resume_cancel_autoscaling);
  g_test_add_func ("/deployment/resume/failure-provisioned", test_resume_failure_provisioned);
  g_test_add_func ("/deployment/resume/failure-autoscaling", test_resume_failure_autoscaling);
  g_test_add_func ("/deployment/resume/mid-create", test_resume_mid_create);
  g_test_add_func ("/deployment/errors/transient", test_transient_errors);
  g_test_add_func ("/deployment/errors/permission", test_permission_denied);
  g_test_add_func ("/deployment/errors/expired-token", test_expired_token);
  g_test_add_func ("/deployment/cancel", test_cancel_is_prompt);
  g_test_add_func ("/deployment/teardown/provisioned", test_teardown_provisioned);
  g_test_add_func ("/deployment/teardown/autoscaling", test_teardown_autoscaling);
  g_test_add_func ("/deployment/no-secrets", test_no_secrets);
  g_test_add_func ("/deployment/instance-credentials", test_instance_credentials);
  g_test_add_func ("/deployment/credentials-search-path", test_credentials_search_path);
  g_test_add_func ("/deployment/workspace-id-header", test_workspace_id_header);
  g_test_add_func ("/deployment/credential-registry", test_credential_registry);
  g_test_add_func ("/deployment/connect/measures-partitions", test_connect_measures_partitions);
  g_test_add_func ("/deployment/figures/ten-tables", test_ten_tables_figures);
  g_test_add_func ("/deployment/summary/fresh-and-resume", test_counts_fresh_and_resume);
  g_test_add_func ("/deployment/connect/dns-error", test_connect_dns_error);
  g_test_add_func ("/deployment/errors/sentences", test_error_sentences);
  g_test_add_func ("/deployment/errors/step-readable", test_step_error_readable);
  g_test_add_func ("/deployment/tables/concurrent-provisioned", test_tables_concurrent_provisioned);
  g_test_add_func ("/deployment/tables/concurrent-autoscaling", test_tables_concurrent_autoscaling);
  g_test_add_func ("/deployment/tables/one-fails", test_tables_one_fails);
  g_test_add_func ("/deployment/tables/cancel-and-resume", test_tables_cancel_and_resume);

  return g_test_run ();
}
