/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbRemotePlan: the split over workers, the runs/submit body and config.json
 * (checked member by member, and for secrets), the cost against figures
 * worked out by hand from the price sheet, sizing and the connection check. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "lb-core.h"
#include "lb-remote-plan.h"
#include "lb-test-utils.h"

static char *data_dir;

/* ---- split ---- */

static void
check_split (guint  clients,
             double rate,
             guint  workers)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) shares = lb_remote_split_clients (clients, rate, workers, &error);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_direct_hash, g_direct_equal);
  guint sum = 0, min = G_MAXUINT, max = 0;
  double rate_sum = 0;

  g_assert_no_error (error);
  g_assert_nonnull (shares);
  g_assert_cmpuint (shares->len, ==, workers);

  for (guint k = 0; k < shares->len; k++)
    {
      const LbRemoteShare *s = &g_array_index (shares, LbRemoteShare, k);

      g_assert_cmpuint (s->worker, ==, k);
      g_assert_cmpuint (s->clients, >=, 1);
      /* the client ids of a worker follow the ones before it */
      g_assert_cmpuint (s->client_id_base, ==, sum);
      for (guint c = 0; c < s->clients; c++)
        {
          g_assert_false (g_hash_table_contains (ids, GUINT_TO_POINTER (s->client_id_base + c)));
          g_hash_table_add (ids, GUINT_TO_POINTER (s->client_id_base + c));
        }
      /* the first clients % workers take the extra one */
      g_assert_cmpuint (s->clients, ==, clients / workers + (k < clients % workers));
      /* rate in proportion to clients */
      if (rate > 0)
        g_assert_cmpfloat_with_epsilon (s->rate, rate * s->clients / clients, 1e-9);
      else
        g_assert_cmpfloat (s->rate, ==, 0);

      sum += s->clients;
      rate_sum += s->rate;
      min = MIN (min, s->clients);
      max = MAX (max, s->clients);
    }

  g_assert_cmpuint (sum, ==, clients);
  g_assert_cmpuint (g_hash_table_size (ids), ==, clients);
  g_assert_cmpuint (max - min, <=, 1);
  g_assert_cmpfloat_with_epsilon (rate_sum, rate, 1e-6);
}

static void
test_split (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) shares = NULL;
  const LbRemoteShare *s;

  check_split (100, 0, 4);
  check_split (10, 1000, 3);
  check_split (7, 70, 7);
  check_split (1, 5, 1);
  check_split (1000, 100000, 6);

  /* worked by hand: 10 clients, 900 tps over 4 workers = 3, 3, 2, 2 */
  shares = lb_remote_split_clients (10, 900, 4, &error);
  g_assert_no_error (error);
  s = (const LbRemoteShare *) shares->data;
  g_assert_cmpuint (s[0].clients, ==, 3);
  g_assert_cmpuint (s[1].clients, ==, 3);
  g_assert_cmpuint (s[2].clients, ==, 2);
  g_assert_cmpuint (s[3].clients, ==, 2);
  g_assert_cmpuint (s[2].client_id_base, ==, 6);
  g_assert_cmpuint (s[3].client_id_base, ==, 8);
  g_assert_cmpfloat_with_epsilon (s[0].rate, 270, 1e-9);
  g_assert_cmpfloat_with_epsilon (s[3].rate, 180, 1e-9);
  g_clear_pointer (&shares, g_array_unref);

  /* more workers than clients, and no worker */
  shares = lb_remote_split_clients (3, 0, 4, &error);
  g_assert_null (shares);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "4 workers need at least 4 clients"));
  g_clear_error (&error);
  shares = lb_remote_split_clients (3, 0, 0, &error);
  g_assert_null (shares);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

/* The runner (data/runner/lakebase_load_runner.py) applies the same rule in
 * Python: run its functions and compare, case by case. */
static void
test_split_matches_runner (void)
{
  static const guint cases[][2] = { { 100, 4 }, { 10, 3 }, { 7, 7 }, { 1000, 6 }, { 1201, 4 }, { 5, 2 } };
  g_autofree char *runner = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "..", "data", "runner",
                                              "lakebase_load_runner.py", NULL);
  g_autoptr(GString) code = g_string_new (NULL);
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *python = g_find_program_in_path ("python3");
  g_autofree char *quoted = NULL;
  int status = 0;

  if (python == NULL)
    {
      g_test_skip ("no python3");
      return;
    }
  g_assert_true (g_file_test (runner, G_FILE_TEST_EXISTS));
  /* Python's string literal syntax takes the shell's single quotes. */
  quoted = g_shell_quote (runner);

  g_string_append_printf (code,
                          "import importlib.util\n"
                          "spec = importlib.util.spec_from_file_location('runner', %s)\n"
                          "m = importlib.util.module_from_spec(spec)\n"
                          "spec.loader.exec_module(m)\n",
                          quoted);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GArray) shares = lb_remote_split_clients (cases[i][0], 0, cases[i][1], &error);

      g_assert_no_error (error);
      g_string_append_printf (code,
                              "print(' '.join('%%d/%%d' %% (m.split_share(%u, %u, k), m.client_id_base(%u, %u, k)) for k in range(%u)))\n",
                              cases[i][0], cases[i][1], cases[i][0], cases[i][1], cases[i][1]);
      for (guint k = 0; k < shares->len; k++)
        {
          const LbRemoteShare *share = &g_array_index (shares, LbRemoteShare, k);

          g_string_append_printf (expected, "%s%u/%u", k ? " " : "", share->clients, share->client_id_base);
        }
      g_string_append_c (expected, '\n');
    }

  {
    const char *argv[] = { "python3", "-c", code->str, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                 &out, &err, &status, &error));
  }
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("python3 failed: %s", err);
  g_assert_cmpstr (out, ==, expected->str);
}

/* ---- the plan ---- */

static LbRemotePlan *
make_plan (guint workers)
{
  LbRemotePlan *plan = lb_remote_plan_new ();
  const char *args[] = { "-f", "/Workspace/Users/u@example.com/.lakebase-accelerator/runs/20261202-170000-abcdef/script/a.sql@8",
                         "-f", "/Workspace/Users/u@example.com/.lakebase-accelerator/runs/20261202-170000-abcdef/script/b.sql@2", NULL };
  g_autofree char *folder = lb_remote_plan_dup_workspace_folder ("u@example.com", "20261202-170000-abcdef");

  plan->run_id = g_strdup ("20261202-170000-abcdef");
  plan->run_folder = lb_remote_plan_dup_cluster_path (folder);
  plan->samples_dir = lb_remote_plan_dup_samples_dir ("/Volumes/main/default/runs/", plan->run_id);
  plan->workers = workers;
  plan->node_type_id = g_strdup ("m5d.xlarge");
  plan->script_args = g_strdupv ((char **) args);
  plan->settings = lb_run_settings_new ();
  /* a password in the settings' conninfo must go nowhere */
  g_free (plan->settings->conninfo);
  plan->settings->conninfo = g_strdup ("host=h user=u password=SECRET-PASSWORD-123");
  plan->settings->clients = 25 * workers;
  plan->settings->duration = 60;
  plan->settings->warmup = 5;
  plan->settings->rate = 1000;
  plan->settings->seed = 1234;
  plan->target = lb_remote_target_new (LB_REMOTE_TARGET_PROVISIONED);
  plan->target->instance_name = g_strdup ("retail-serving");
  plan->target->host = g_strdup ("instance-1.database.cloud.databricks.com");
  plan->target->user = g_strdup ("u@example.com");

  return plan;
}

static void
test_paths (void)
{
  g_autofree char *folder = lb_remote_plan_dup_workspace_folder ("u@example.com", "ID");
  g_autofree char *cluster = lb_remote_plan_dup_cluster_path (folder);
  g_autofree char *again = lb_remote_plan_dup_cluster_path (cluster);
  g_autofree char *samples = lb_remote_plan_dup_samples_dir ("/Volumes/c/s/v//", "ID");
  g_autofree char *id = lb_remote_plan_new_run_id ();
  g_autoptr(GRegex) id_shape = g_regex_new ("^[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$", 0, 0, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (folder, ==, "/Users/u@example.com/.lakebase-accelerator/runs/ID");
  g_assert_cmpstr (cluster, ==, "/Workspace/Users/u@example.com/.lakebase-accelerator/runs/ID");
  g_assert_cmpstr (again, ==, cluster);
  g_assert_cmpstr (samples, ==, "/Volumes/c/s/v/lakebase-accelerator/ID");
  g_assert_true (g_regex_match (id_shape, id, 0, NULL));

  g_assert_true (lb_remote_plan_check_volume ("/Volumes/c/s/v", &error));
  g_assert_no_error (error);
  g_assert_true (lb_remote_plan_check_volume ("/Volumes/c/s/v/sub", &error));
  g_assert_no_error (error);
  g_assert_false (lb_remote_plan_check_volume ("/Volumes/c/s", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (lb_remote_plan_check_volume ("/tmp/x/y/z", &error));
  g_clear_error (&error);
  g_assert_false (lb_remote_plan_check_volume ("/Volumes/c/../s/v", &error));
  g_clear_error (&error);

  g_assert_cmpstr (lb_remote_plan_cloud_for_host ("https://dbc-1.cloud.databricks.com/"), ==, "aws");
  g_assert_cmpstr (lb_remote_plan_cloud_for_host ("adb-1.2.azuredatabricks.net"), ==, "azure");
  g_assert_cmpstr (lb_remote_plan_cloud_for_host ("https://1.2.gcp.databricks.com"), ==, "gcp");
  g_assert_null (lb_remote_plan_cloud_for_host ("http://127.0.0.1:8080"));
}

static void
assert_no_secret (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);

  g_assert_null (strstr (text, "SECRET-PASSWORD-123"));
  g_assert_null (strstr (text, "password"));
  g_assert_null (strstr (text, "\"token\""));
  g_assert_null (strstr (text, "PGPASSWORD"));
  g_assert_null (strstr (text, "dapi"));
}

static void
test_submit_spec (void)
{
  g_autoptr(LbRemotePlan) plan = make_plan (3);
  g_autoptr(LbRemotePlan) same = make_plan (3);
  g_autoptr(LbRemotePlan) other = make_plan (3);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) spec = NULL;
  g_autoptr(JsonNode) spec_same = NULL;
  g_autoptr(JsonNode) spec_other = NULL;
  JsonObject *root;
  JsonArray *tasks;

  spec = lb_remote_plan_build_submit_spec (plan, &error);
  g_assert_no_error (error);
  assert_no_secret (spec);
  root = json_node_get_object (spec);

  g_assert_cmpstr (json_object_get_string_member (root, "run_name"), ==,
                   "Lakebase Accelerator load 20261202-170000-abcdef");
  /* 5 s warm-up + 60 s + 20 min */
  g_assert_cmpint (json_object_get_int_member (root, "timeout_seconds"), ==, 5 + 60 + 1200);
  g_assert_cmpstr (json_object_get_string_member (root, "idempotency_token"), ==,
                   "lakebase-accelerator-20261202-170000-abcdef");
  g_assert_cmpuint (strlen (json_object_get_string_member (root, "idempotency_token")), <=, 64);

  tasks = json_object_get_array_member (root, "tasks");
  g_assert_cmpuint (json_array_get_length (tasks), ==, 3);
  for (guint k = 0; k < 3; k++)
    {
      JsonObject *task = json_array_get_object_element (tasks, k);
      JsonObject *cluster = json_object_get_object_member (task, "new_cluster");
      JsonObject *conf = json_object_get_object_member (cluster, "spark_conf");
      JsonObject *tags = json_object_get_object_member (cluster, "custom_tags");
      JsonObject *py = json_object_get_object_member (task, "spark_python_task");
      JsonArray *params = json_object_get_array_member (py, "parameters");
      g_autofree char *key = g_strdup_printf ("worker-%u", k);
      g_autofree char *worker = g_strdup_printf ("%u", k);

      g_assert_cmpstr (json_object_get_string_member (task, "task_key"), ==, key);
      g_assert_cmpint (json_object_get_int_member (cluster, "num_workers"), ==, 0);
      g_assert_cmpstr (json_object_get_string_member (cluster, "node_type_id"), ==, "m5d.xlarge");
      g_assert_cmpstr (json_object_get_string_member (cluster, "spark_version"), ==,
                       LB_REMOTE_PLAN_DEFAULT_SPARK_VERSION);
      g_assert_cmpstr (json_object_get_string_member (conf, "spark.databricks.cluster.profile"), ==, "singleNode");
      g_assert_cmpstr (json_object_get_string_member (conf, "spark.master"), ==, "local[*]");
      g_assert_cmpstr (json_object_get_string_member (tags, "ResourceClass"), ==, "SingleNode");
      g_assert_false (json_object_has_member (cluster, "autoscale"));
      g_assert_cmpstr (json_object_get_string_member (py, "python_file"), ==,
                       "/Workspace/Users/u@example.com/.lakebase-accelerator/runs/20261202-170000-abcdef/runner.py");
      g_assert_cmpuint (json_array_get_length (params), ==, 4);
      g_assert_cmpstr (json_array_get_string_element (params, 0), ==, "--config");
      g_assert_cmpstr (json_array_get_string_element (params, 1), ==,
                       "/Workspace/Users/u@example.com/.lakebase-accelerator/runs/20261202-170000-abcdef/config.json");
      g_assert_cmpstr (json_array_get_string_element (params, 2), ==, "--worker");
      g_assert_cmpstr (json_array_get_string_element (params, 3), ==, worker);
    }

  /* the same run id gives the same token; another run id another one */
  spec_same = lb_remote_plan_build_submit_spec (same, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (spec_same), "idempotency_token"), ==,
                   json_object_get_string_member (root, "idempotency_token"));
  g_free (other->run_id);
  other->run_id = g_strdup ("20261202-170001-123456");
  g_free (other->spark_version);
  other->spark_version = g_strdup ("16.4.x-scala2.12");
  other->settings->mode = LB_RUN_MODE_COUNT;
  other->settings->transactions = 600000;
  spec_other = lb_remote_plan_build_submit_spec (other, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (spec_other), "idempotency_token"), !=,
                   json_object_get_string_member (root, "idempotency_token"));
  /* count mode: 600,000 transactions at 1,000 tps = 600 s, + 5 s + 20 min */
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (spec_other), "timeout_seconds"), ==,
                   5 + 600 + 1200);
  {
    JsonObject *task = json_array_get_object_element (json_object_get_array_member (json_node_get_object (spec_other), "tasks"), 0);

    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (task, "new_cluster"), "spark_version"),
                     ==, "16.4.x-scala2.12");
  }

  /* count mode without a rate: expected tps, else the fallback */
  other->settings->rate = 0;
  g_assert_cmpuint (lb_remote_plan_timeout_seconds (other), ==,
                    5 + LB_REMOTE_PLAN_COUNT_MODE_FALLBACK_SECONDS + 1200);
  other->expected_tps = 2000;
  g_assert_cmpuint (lb_remote_plan_timeout_seconds (other), ==, 5 + 300 + 1200);
}

static void
test_validate (void)
{
  g_autoptr(LbRemotePlan) plan = make_plan (2);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) spec = NULL;

  g_assert_true (lb_remote_plan_validate (plan, &error));
  g_assert_no_error (error);

  plan->settings->mode = LB_RUN_MODE_LADDER;
  lb_run_settings_set_ladder_from_string (plan->settings, "1,2,4", &error);
  g_assert_no_error (error);
  spec = lb_remote_plan_build_submit_spec (plan, &error);
  g_assert_null (spec);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "ladder"));
  g_clear_error (&error);
  plan->settings->mode = LB_RUN_MODE_DURATION;

  plan->workers = 51;  /* 50 clients */
  g_assert_false (lb_remote_plan_validate (plan, &error));
  g_assert_nonnull (strstr (error->message, "51 workers need at least 51 clients"));
  g_clear_error (&error);
  plan->workers = 2;

  g_clear_pointer (&plan->target->instance_name, g_free);
  g_assert_false (lb_remote_plan_validate (plan, &error));
  g_assert_nonnull (strstr (error->message, "instance"));
  g_clear_error (&error);
  plan->target->kind = LB_REMOTE_TARGET_AUTOSCALING;
  g_assert_false (lb_remote_plan_validate (plan, &error));
  g_assert_nonnull (strstr (error->message, "endpoint"));
  g_clear_error (&error);
  plan->target->endpoint = g_strdup ("projects/p/branches/b/endpoints/e");
  g_assert_true (lb_remote_plan_validate (plan, &error));

  g_clear_pointer (&plan->node_type_id, g_free);
  g_assert_false (lb_remote_plan_validate (plan, &error));
  g_assert_nonnull (strstr (error->message, "node type"));
  g_clear_error (&error);
}

static void
test_config (void)
{
  g_autoptr(LbRemotePlan) plan = make_plan (4);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) config = NULL;
  JsonObject *root, *target;
  JsonArray *args;

  plan->settings->defines = g_strsplit ("ITEMS=500", ";", -1);
  config = lb_remote_plan_build_config (plan, &error);
  g_assert_no_error (error);
  assert_no_secret (config);
  root = json_node_get_object (config);

  g_assert_cmpint (json_object_get_int_member (root, "version"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (root, "run_id"), ==, "20261202-170000-abcdef");
  g_assert_cmpint (json_object_get_int_member (root, "worker"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (root, "workers"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (root, "clients"), ==, 100);
  g_assert_cmpint (json_object_get_int_member (root, "client_id_base"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (root, "protocol"), ==, "prepared");
  g_assert_cmpfloat (json_object_get_double_member (root, "duration"), ==, 60);
  g_assert_cmpfloat (json_object_get_double_member (root, "warmup"), ==, 5);
  g_assert_cmpfloat (json_object_get_double_member (root, "rate"), ==, 1000);
  g_assert_cmpint (json_object_get_int_member (root, "seed"), ==, 1234);
  g_assert_cmpint (json_object_get_int_member (root, "max_tries"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (root, "scale"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (root, "transactions"), ==, 0);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (root, "defines"), 0), ==, "ITEMS=500");
  args = json_object_get_array_member (root, "script_args");
  g_assert_cmpuint (json_array_get_length (args), ==, 4);
  g_assert_cmpstr (json_array_get_string_element (args, 0), ==, "-f");
  g_assert_true (g_str_has_suffix (json_array_get_string_element (args, 1), "/script/a.sql@8"));
  g_assert_cmpstr (json_object_get_string_member (root, "samples_dir"), ==,
                   "/Volumes/main/default/runs/lakebase-accelerator/20261202-170000-abcdef");
  g_assert_cmpfloat (json_object_get_double_member (root, "credential_refresh_seconds"), ==, 3000);
  g_assert_cmpfloat (json_object_get_double_member (root, "sampling_rate"), ==, 1.0);

  target = json_object_get_object_member (root, "target");
  g_assert_cmpstr (json_object_get_string_member (target, "kind"), ==, "provisioned");
  g_assert_cmpstr (json_object_get_string_member (target, "instance_name"), ==, "retail-serving");
  g_assert_false (json_object_has_member (target, "endpoint"));
  g_assert_cmpstr (json_object_get_string_member (target, "host"), ==, "instance-1.database.cloud.databricks.com");
  g_assert_cmpint (json_object_get_int_member (target, "port"), ==, 5432);
  g_assert_cmpstr (json_object_get_string_member (target, "dbname"), ==, "databricks_postgres");
  g_assert_cmpstr (json_object_get_string_member (target, "sslmode"), ==, "require");
  g_assert_cmpstr (json_object_get_string_member (target, "user"), ==, "u@example.com");
  /* every member of the target is one the contract names: nothing else rides along */
  g_assert_cmpuint (json_object_get_size (target), ==, 7);
}

/* ---- cost ---- */

static void
test_cost (void)
{
  g_autoptr(LbPriceSheet) sheet = lb_price_sheet_new_default ();
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;
  LbRemoteCost cost = { 0, };
  const double tasks[] = { 900, 600, 300 };
  const LbJobsNodeType *type;

  /* the sheet's figures that the hand computation below uses */
  type = lb_price_sheet_find_jobs_node_type (sheet, "m5d.xlarge");
  g_assert_nonnull (type);
  g_assert_cmpstr (type->cloud, ==, "aws");
  g_assert_cmpuint (type->cores, ==, 4);
  g_assert_cmpfloat (type->dbu_per_hour, ==, 0.69);
  g_assert_cmpfloat (lb_price_sheet_get_jobs_dbu_price (sheet, "aws"), ==, 0.15);
  g_assert_cmpfloat (lb_price_sheet_get_jobs_startup_minutes (sheet), ==, 5);

  /* 4 workers, 10 min run + 5 min start-up: 4 × 0.69 × 0.25 h = 0.69 DBU,
   * × $0.15 = $0.1035; start-up alone 4 × 0.69 × 5/60 × 0.15 = $0.0345 */
  g_assert_true (lb_remote_plan_estimate_cost (sheet, "m5d.xlarge", 4, 600, &cost, &error));
  g_assert_no_error (error);
  g_assert_false (cost.actual);
  g_assert_cmpfloat_with_epsilon (cost.dbus, 0.69, 1e-9);
  g_assert_cmpfloat_with_epsilon (cost.startup_cost, 0.0345, 1e-9);
  g_assert_cmpfloat_with_epsilon (cost.run_cost, 0.069, 1e-9);
  g_assert_cmpfloat_with_epsilon (cost.total, 0.1035, 1e-9);
  g_assert_cmpstr (cost.currency, ==, "USD");
  summary = lb_remote_cost_dup_summary (&cost);
  g_assert_cmpstr (summary, ==,
                   "About $0.10: 4 workers × 0.69 DBU/h × (5 min start-up + 10 min run) × $0.15 per DBU of jobs compute. "
                   "Cloud VM cost is billed separately by the cloud provider.");
  g_clear_pointer (&summary, g_free);
  lb_remote_cost_clear (&cost);

  /* Azure at $0.30: 2 × Standard_D8ds_v5 (1.5 DBU/h) × (5 + 55 min) = 3 DBU = $0.90 */
  g_assert_true (lb_remote_plan_estimate_cost (sheet, "Standard_D8ds_v5", 2, 3300, &cost, &error));
  g_assert_cmpfloat_with_epsilon (cost.total, 0.90, 1e-9);
  g_assert_cmpstr (cost.cloud, ==, "azure");
  lb_remote_cost_clear (&cost);

  /* the real cost: 1,800 task-seconds × 0.69 DBU/h = 0.345 DBU × 0.15 = $0.05175 */
  g_assert_true (lb_remote_plan_actual_cost (sheet, "m5d.xlarge", tasks, 3, &cost, &error));
  g_assert_true (cost.actual);
  g_assert_cmpfloat_with_epsilon (cost.dbus, 0.345, 1e-9);
  g_assert_cmpfloat_with_epsilon (cost.total, 0.05175, 1e-9);
  summary = lb_remote_cost_dup_summary (&cost);
  g_assert_true (g_str_has_prefix (summary, "$0.05 billed: 3 workers ran 10 min on average"));
  g_assert_true (g_str_has_suffix (summary, "Cloud VM cost is billed separately by the cloud provider."));
  g_clear_pointer (&summary, g_free);
  lb_remote_cost_clear (&cost);

  /* an unknown node type names the known ones */
  g_assert_false (lb_remote_plan_estimate_cost (sheet, "x9.huge", 1, 60, &cost, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "“x9.huge”"));
  g_assert_nonnull (strstr (error->message, "m5d.xlarge"));
  g_clear_error (&error);
}

static void
test_cost_override (void)
{
  /* a negotiated DBU price, one changed node type and a new one made the default */
  static const char data[] =
    "{ \"jobs_compute\": { \"startup_minutes\": 6, \"clouds\": { \"aws\": {"
    "    \"dbu_price\": 0.10, \"default_node_type\": \"r6id.xlarge\","
    "    \"node_types\": { \"m5d.xlarge\": { \"dbu_per_hour\": 0.5 },"
    "                      \"r6id.xlarge\": { \"cores\": 4, \"dbu_per_hour\": 1.2 } } } } } }";
  g_autoptr(GError) error = NULL;
  g_autoptr(LbPriceSheet) sheet = lb_price_sheet_new_from_data (data, -1, &error);
  g_autoptr(GPtrArray) aws = NULL;
  LbRemoteCost cost = { 0, };
  const char *bad[] = {
    "{ \"jobs_compute\": { \"clouds\": { \"oracle\": {} } } }",
    "{ \"jobs_compute\": { \"clouds\": { \"aws\": { \"node_types\": { \"new.type\": { \"cores\": 4 } } } } } }",
    "{ \"jobs_compute\": { \"clouds\": { \"aws\": { \"dbu_price\": 0 } } } }",
    "{ \"jobs_compute\": { \"clouds\": { \"aws\": { \"default_node_type\": \"n2-standard-4\" } } } }",
    "{ \"jobs_compute\": { \"clouds\": { \"gcp\": { \"node_types\": { \"m5d.xlarge\": { \"cores\": 4 } } } } } }",
    "{ \"jobs_compute\": { \"startup\": 5 } }",
    "{ \"jobs_compute\": { \"clouds\": { \"aws\": { \"node_types\": { \"m5d.xlarge\": { \"cores\": 2.5 } } } } } }",
  };

  g_assert_no_error (error);
  g_assert_cmpfloat (lb_price_sheet_get_jobs_dbu_price (sheet, "aws"), ==, 0.10);
  g_assert_cmpfloat (lb_price_sheet_get_jobs_dbu_price (sheet, "azure"), ==, 0.30);
  g_assert_cmpstr (lb_price_sheet_get_jobs_default_node_type (sheet, "aws"), ==, "r6id.xlarge");
  g_assert_cmpuint (lb_price_sheet_find_jobs_node_type (sheet, "m5d.xlarge")->cores, ==, 4);
  aws = lb_price_sheet_list_jobs_node_types (sheet, "aws");
  g_assert_cmpuint (aws->len, ==, 6);

  /* 3 × 0.5 DBU/h × (6 + 30 min) × $0.10 = $0.09 */
  g_assert_true (lb_remote_plan_estimate_cost (sheet, "m5d.xlarge", 3, 1800, &cost, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (cost.total, 0.09, 1e-9);
  g_assert_cmpfloat_with_epsilon (cost.startup_cost, 3 * 0.5 * 0.1 * 0.10, 1e-9);
  lb_remote_cost_clear (&cost);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(LbPriceSheet) broken = lb_price_sheet_new_from_data (bad[i], -1, &error);

      g_assert_null (broken);
      g_assert_error (error, LB_PRICE_SHEET_ERROR, LB_PRICE_SHEET_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "jobs_compute"));
      g_clear_error (&error);
    }
}

static void
test_cost_user_file (void)
{
  g_autoptr(GFile) file = lb_price_sheet_get_user_file ();
  g_autoptr(GFile) parent = g_file_get_parent (file);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbPriceSheet) sheet = NULL;
  LbRemoteCost cost = { 0, };

  g_file_make_directory_with_parents (parent, NULL, NULL);
  g_file_set_contents (g_file_peek_path (file),
                       "{ \"jobs_compute\": { \"clouds\": { \"gcp\": { \"dbu_price\": 0.2 } } } }", -1, &error);
  g_assert_no_error (error);

  sheet = lb_price_sheet_new_for_user (&error);
  g_assert_no_error (error);
  /* 1 × 0.87 DBU/h × (5 + 55 min) × $0.20 = $0.174 */
  g_assert_true (lb_remote_plan_estimate_cost (sheet, "n2-standard-4", 1, 3300, &cost, &error));
  g_assert_cmpfloat_with_epsilon (cost.total, 0.174, 1e-9);
  lb_remote_cost_clear (&cost);

  g_unlink (g_file_peek_path (file));
}

/* ---- sizing ---- */

static void
test_sizing (void)
{
  g_autoptr(LbPriceSheet) sheet = lb_price_sheet_new_default ();
  g_autofree char *path = g_build_filename (data_dir, "capacity", "remote-capacity.json", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gboolean remembered = TRUE;
  double tps;

  /* nothing remembered: the default per core × the node type's cores */
  tps = lb_remote_capacity_lookup (file, sheet, "m5d.xlarge", &remembered);
  g_assert_false (remembered);
  g_assert_cmpfloat (tps, ==, LB_REMOTE_DEFAULT_TPS_PER_CORE * 4);
  g_assert_cmpfloat (lb_remote_capacity_lookup (file, sheet, "x9.huge", &remembered), ==, 0);

  /* a run measured 2,000 tps per core on 4 cores */
  g_assert_true (lb_remote_capacity_remember (file, "m5d.xlarge", 2000, 4, &error));
  g_assert_no_error (error);
  tps = lb_remote_capacity_lookup (file, sheet, "m5d.xlarge", &remembered);
  g_assert_true (remembered);
  g_assert_cmpfloat (tps, ==, 8000);
  /* other node types keep the default */
  g_assert_cmpfloat (lb_remote_capacity_lookup (file, sheet, "m5d.2xlarge", &remembered), ==,
                     LB_REMOTE_DEFAULT_TPS_PER_CORE * 8);
  g_assert_false (remembered);

  /* a second run is averaged with the first: (8,000 + 9,600) / 2 */
  g_assert_true (lb_remote_capacity_remember (file, "m5d.xlarge", 2400, 4, &error));
  g_assert_cmpfloat (lb_remote_capacity_lookup (file, sheet, "m5d.xlarge", NULL), ==, 8800);

  g_assert_false (lb_remote_capacity_remember (file, "m5d.xlarge", 0, 4, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* N for a rate */
  g_assert_cmpuint (lb_remote_plan_workers_for_rate (50000, 8800), ==, 6);
  g_assert_cmpuint (lb_remote_plan_workers_for_rate (100000, 25000), ==, 4);
  g_assert_cmpuint (lb_remote_plan_workers_for_rate (100001, 25000), ==, 5);
  g_assert_cmpuint (lb_remote_plan_workers_for_rate (10, 8800), ==, 1);
  g_assert_cmpuint (lb_remote_plan_workers_for_rate (0, 8800), ==, 1);

  text = lb_remote_plan_dup_sizing_text (50000, 8800, TRUE, "m5d.xlarge");
  g_assert_cmpstr (text, ==, "For 50,000 tps you need about 6 workers of m5d.xlarge (8,800 tps each, measured in an earlier run).");
  g_clear_pointer (&text, g_free);
  text = lb_remote_plan_dup_sizing_text (50000, 140000, FALSE, "m5d.xlarge");
  g_assert_cmpstr (text, ==, "For 50,000 tps you need about 1 worker of m5d.xlarge (140,000 tps each, assumed for point lookups until a run measures it).");
  g_clear_pointer (&text, g_free);

  /* the README's on-paper figure, from the default node type of each cloud */
  g_assert_cmpuint (lb_remote_plan_workers_for_point_lookups (sheet, "aws", 100000), ==,
                    (guint) ceil (100000 / (LB_REMOTE_DEFAULT_TPS_PER_CORE * 4)));
  g_assert_cmpuint (lb_remote_plan_workers_for_point_lookups (sheet, "nowhere", 100000), ==, 0);

  g_unlink (path);
}

static void
test_connections (void)
{
  g_autoptr(LbPriceSheet) sheet = lb_price_sheet_new_default ();
  g_autoptr(LbPriceSheet) bigger = lb_price_sheet_new_from_data ("{\"limits\": {\"connections_per_database\": 2000}}", -1, NULL);
  g_autofree char *warning = NULL;

  g_assert_true (lb_remote_plan_check_connections (sheet, 1000, 4, &warning));
  g_assert_null (warning);

  g_assert_false (lb_remote_plan_check_connections (sheet, 1200, 4, &warning));
  g_assert_cmpstr (warning, ==, "4 workers × 300 clients open 1,200 connections; a Lakebase database accepts 1,000. "
                                "The clients over the limit will not connect: lower the clients to 1,000 or fewer.");
  g_clear_pointer (&warning, g_free);

  g_assert_false (lb_remote_plan_check_connections (sheet, 1001, 3, &warning));
  g_assert_true (g_str_has_prefix (warning, "3 workers × about 334 clients open 1,001 connections"));
  g_clear_pointer (&warning, g_free);

  g_assert_false (lb_remote_plan_check_connections (sheet, 1500, 1, NULL));
  /* the limit comes from the sheet */
  g_assert_true (lb_remote_plan_check_connections (bigger, 1200, 4, &warning));
  g_assert_null (warning);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config_dir = NULL;
  int ret;

  /* Our own XDG_CONFIG_HOME before GLib caches it: the user's prices.json stays out. */
  config_dir = g_dir_make_tmp ("lb-test-remote-plan-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_CONFIG_HOME", config_dir, TRUE);
  data_dir = config_dir;

  g_test_init (&argc, &argv, NULL);
  lb_core_init ();

  g_test_add_func ("/remote-plan/split", test_split);
  g_test_add_func ("/remote-plan/split-matches-runner", test_split_matches_runner);
  g_test_add_func ("/remote-plan/paths", test_paths);
  g_test_add_func ("/remote-plan/submit-spec", test_submit_spec);
  g_test_add_func ("/remote-plan/validate", test_validate);
  g_test_add_func ("/remote-plan/config", test_config);
  g_test_add_func ("/remote-plan/cost", test_cost);
  g_test_add_func ("/remote-plan/cost-override", test_cost_override);
  g_test_add_func ("/remote-plan/cost-user-file", test_cost_user_file);
  g_test_add_func ("/remote-plan/sizing", test_sizing);
  g_test_add_func ("/remote-plan/connections", test_connections);

  ret = g_test_run ();
  lb_test_remove_tree (config_dir);

  return ret;
}
