/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lakebase-cli status against the fake workspace after a real `deploy`: the
 * aligned table, --json's stable document, the exit status when a table
 * failed (with the pipeline's message), --watch refreshing, a workload not
 * deployed, bad options, and no secret in any output. */
#include "config.h"

#include <string.h>

#include "lb-fake-workspace.h"
#include "lb-fake-workspace-pipelines.h"
#include "lb-fake-workspace-sql.h"
#include "lb-test-cli-workspace.h"

typedef LbTestCliWorkspace Fixture;


static void
deploy_sample (Fixture *fixture)
{
  g_auto(LbTestCliResult) result = { 0, };

  lb_test_cli_workspace_run (fixture, &result, "deploy", fixture->sample, "--poll-base-ms", "2", NULL);
  g_assert_cmpint (result.status, ==, 0);
}

/* Column offsets of @header's words in the first line must be where each
 * row's cells start: the table is aligned. */
static void
assert_aligned (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  const char *header = lines[1];
  const char *policy = strstr (header, "POLICY");
  const char *state = strstr (header, "STATE");
  gsize policy_at;
  gsize state_at;

  g_assert_nonnull (policy);
  g_assert_nonnull (state);
  policy_at = policy - header;
  state_at = state - header;
  for (guint i = 2; i < 5; i++)
    {
      g_assert_cmpuint (strlen (lines[i]), >, state_at);
      g_assert_true (lines[i][policy_at - 1] == ' ' && lines[i][policy_at] != ' ');
      g_assert_true (lines[i][state_at - 1] == ' ' && lines[i][state_at] != ' ');
    }
}

static void
test_status_text (Fixture       *fixture,
                  gconstpointer  data)
{
  g_auto(LbTestCliResult) result = { 0, };

  deploy_sample (fixture);
  lb_fake_workspace_clear_log (fixture->fake);
  lb_test_cli_workspace_run (fixture, &result, "status", fixture->sample, "--no-partitions", NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_true (g_str_has_prefix (result.out, "Synced tables of retail-serving (read at "));
  g_assert_nonnull (strstr (result.out, "TABLE"));
  g_assert_nonnull (strstr (result.out, "retail_pg.public.orders "));
  g_assert_nonnull (strstr (result.out, "retail_pg.public.customers "));
  g_assert_nonnull (strstr (result.out, "retail_pg.public.order_lines "));
  g_assert_nonnull (strstr (result.out, "CONTINUOUS"));
  g_assert_nonnull (strstr (result.out, "Syncing"));
  g_assert_nonnull (strstr (result.out, "Online"));
  g_assert_nonnull (strstr (result.out, "just now"));
  g_assert_null (strstr (result.out, "Errors:"));
  assert_aligned (result.out);
  /* --no-partitions: no database connection was tried. */
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "POST", "/api/2.0/postgres/credentials"), ==, 0);
}

static void
test_status_partitions_warning (Fixture       *fixture,
                                gconstpointer  data)
{
  g_auto(LbTestCliResult) result = { 0, };

  deploy_sample (fixture);
  lb_fake_workspace_clear_log (fixture->fake);
  lb_test_cli_workspace_run (fixture, &result, "status", fixture->sample, NULL);
  /* The fake's database host does not exist: a warning, not a failure. */
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.err, "partition sizes not measured"));
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "POST", "/api/2.0/postgres/credentials"), ==, 1);
  g_assert_nonnull (strstr (result.out, "retail_pg.public.orders"));
}

static void
test_status_json (Fixture       *fixture,
                  gconstpointer  data)
{
  g_auto(LbTestCliResult) result = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonArray *tables;
  JsonObject *orders;

  deploy_sample (fixture);
  lb_test_cli_workspace_run (fixture, &result, "status", fixture->sample, "--json", "--no-partitions", NULL);
  g_assert_cmpint (result.status, ==, 0);
  root = lb_test_parse_json_object (result.out, parser);
  g_assert_cmpstr (json_object_get_string_member (root, "workload"), ==, "retail-serving");
  g_assert_cmpint (json_object_get_int_member (root, "failed"), ==, 0);
  g_assert_nonnull (json_object_get_string_member (root, "refreshed_at"));
  tables = json_object_get_array_member (root, "tables");
  g_assert_cmpuint (json_array_get_length (tables), ==, 3);
  orders = json_array_get_object_element (tables, 0);
  g_assert_cmpstr (json_object_get_string_member (orders, "name"), ==, "retail_pg.public.orders");
  g_assert_cmpstr (json_object_get_string_member (orders, "policy"), ==, "CONTINUOUS");
  g_assert_cmpstr (json_object_get_string_member (orders, "health"), ==, "syncing");
  g_assert_false (json_object_get_boolean_member (orders, "can_sync_now"));
  g_assert_true (json_object_get_null_member (orders, "partition_bytes"));
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (tables, 1), "can_sync_now"));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (orders, "table_url"),
                                   lb_fake_workspace_get_url (fixture->fake)));
}

static void
test_status_failed (Fixture       *fixture,
                    gconstpointer  data)
{
  g_auto(LbTestCliResult) result = { 0, };
  g_auto(LbTestCliResult) json_result = { 0, };
  g_autoptr(JsonObject) members = json_object_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;

  deploy_sample (fixture);
  json_object_set_string_member (members, "detailed_state", "SYNCED_TABLE_OFFLINE_FAILED");
  json_object_set_string_member (members, "message", "Source table retail.serving.order_lines was dropped.");
  g_assert_true (lb_fake_workspace_merge_synced_table_status (fixture->fake, "postgres_synced_tables",
                                                              "synced_tables/retail_pg.public.order_lines",
                                                              members));

  lb_test_cli_workspace_run (fixture, &result, "status", fixture->sample, "--no-partitions", NULL);
  g_test_message ("%s", result.out);
  g_assert_cmpint (result.status, ==, 1);
  g_assert_nonnull (strstr (result.out, "Failed"));
  g_assert_nonnull (strstr (result.out, "Errors:\n  retail_pg.public.order_lines: "
                                        "Source table retail.serving.order_lines was dropped."));

  lb_test_cli_workspace_run (fixture, &json_result, "status", fixture->sample, "--json", "--no-partitions", NULL);
  g_assert_cmpint (json_result.status, ==, 1);
  root = lb_test_parse_json_object (json_result.out, parser);
  g_assert_cmpint (json_object_get_int_member (root, "failed"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                     json_object_get_array_member (root, "tables"), 2), "health"), ==, "failed");
}

static void
test_status_watch (Fixture       *fixture,
                   gconstpointer  data)
{
  g_auto(LbTestCliResult) result = { 0, };
  g_auto(GStrv) lines = NULL;
  guint documents = 0;

  deploy_sample (fixture);
  lb_fake_workspace_clear_log (fixture->fake);
  lb_test_cli_workspace_run (fixture, &result, "status", fixture->sample, "--watch", "--json", "--no-partitions",
                             "--interval-ms", "5", "--watch-count", "3", NULL);
  g_assert_cmpint (result.status, ==, 0);

  /* One compact document per refresh, each a full status. */
  lines = g_strsplit (result.out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (lines[i][0] == '\0')
        continue;
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                          lb_test_parse_json_object (lines[i], parser), "tables")), ==, 3);
      documents++;
    }
  g_assert_cmpuint (documents, ==, 3);
  /* Three refreshes of three synced tables each. */
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "GET", "/api/2.0/postgres/synced_tables/"), ==, 9);
}

static void
test_status_not_deployed (Fixture       *fixture,
                          gconstpointer  data)
{
  g_auto(LbTestCliResult) result = { 0, };

  lb_test_cli_workspace_run (fixture, &result, "status", fixture->sample, "--no-partitions", NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.out, "Not deployed"));
}

/* cdf and the deploy gate ------------------------------------------------------------ */

/* The sample with customers TRIGGERED (its feed is off in the fake) and a
 * view to sync TRIGGERED. */
static char *
write_blocking_workload (Fixture *fixture)
{
  g_autofree char *text = NULL;
  g_autoptr(GString) changed = NULL;

  g_assert_true (g_file_get_contents (fixture->sample, &text, NULL, NULL));
  changed = g_string_new (text);
  g_assert_cmpuint (g_string_replace (changed, "primary_keys: [customer_id]\n      scheduling_policy: SNAPSHOT",
                                      "primary_keys: [customer_id]\n      scheduling_policy: TRIGGERED", 1), ==, 1);
  g_assert_cmpuint (g_string_replace (changed, "lakebase_accelerator:",
                                      "    - name: retail.serving.orders_view\n"
                                      "      primary_keys: [order_id]\n"
                                      "      scheduling_policy: TRIGGERED\n"
                                      "lakebase_accelerator:", 1), ==, 1);
  return lb_test_write_file (fixture->tmp_dir, "blocking.yml", changed->str);
}

static void
test_cdf (Fixture       *fixture,
          gconstpointer  data)
{
  g_auto(LbTestCliResult) ok = { 0, };
  g_auto(LbTestCliResult) blocked = { 0, };
  g_auto(LbTestCliResult) json = { 0, };
  g_auto(LbTestCliResult) no_tty = { 0, };
  g_auto(LbTestCliResult) fixed = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *workload = write_blocking_workload (fixture);
  g_auto(GStrv) alters = NULL;
  JsonObject *root;

  lb_fake_workspace_sql_add_view (fixture->fake, "retail.serving.orders_view");

  /* The sample passes. */
  lb_test_cli_workspace_run (fixture, &ok, "cdf", fixture->sample, NULL);
  g_assert_cmpint (ok.status, ==, 0);
  g_assert_nonnull (strstr (ok.out, "retail.serving.orders       CONTINUOUS  on"));
  g_assert_nonnull (strstr (ok.out, "cannot be changed after it is created"));

  /* Two tables block; the fix is printed. */
  lb_test_cli_workspace_run (fixture, &blocked, "cdf", workload, "-w", "wh-serverless", "--poll-base-ms", "2", NULL);
  g_assert_cmpint (blocked.status, ==, 1);
  g_assert_nonnull (strstr (blocked.out, "retail.serving.customers    TRIGGERED   off      BLOCKS: "
                                         "change data feed is off; Triggered sync needs it"));
  g_assert_nonnull (strstr (blocked.out, "BLOCKS: a view cannot have change data feed — use Snapshot"));
  g_assert_nonnull (strstr (blocked.out, "  ALTER TABLE `retail`.`serving`.`customers` SET TBLPROPERTIES "
                                         "(delta.enableChangeDataFeed = true);\n"));

  lb_test_cli_workspace_run (fixture, &json, "cdf", workload, "--json", NULL);
  g_assert_cmpint (json.status, ==, 1);
  root = lb_test_parse_json_object (json.out, parser);
  g_assert_cmpint (json_object_get_int_member (root, "blocking"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                     json_object_get_array_member (root, "tables"), 3), "change_data_feed"), ==, "view");

  /* --fix asks; without a terminal it needs --yes. */
  lb_test_cli_workspace_run (fixture, &no_tty, "cdf", workload, "-w", "wh-serverless", "--fix", NULL);
  g_assert_cmpint (no_tty.status, ==, 2);
  g_assert_false (lb_fake_workspace_sql_get_change_data_feed (fixture->fake, "retail.serving.customers"));

  lb_test_cli_workspace_run (fixture, &fixed, "cdf", workload, "-w", "wh-serverless", "--fix", "--yes",
                             "--poll-base-ms", "2", NULL);
  /* The view still blocks: only Snapshot helps there. */
  g_assert_cmpint (fixed.status, ==, 1);
  g_assert_true (lb_fake_workspace_sql_get_change_data_feed (fixture->fake, "retail.serving.customers"));
  alters = lb_fake_workspace_sql_dup_statements (fixture->fake, "ALTER TABLE");
  g_assert_cmpuint (g_strv_length (alters), ==, 1);
  g_assert_nonnull (strstr (fixed.out, "retail.serving.customers    TRIGGERED   on"));
}

static void
test_deploy_gate (Fixture       *fixture,
                  gconstpointer  data)
{
  g_auto(LbTestCliResult) result = { 0, };
  g_autofree char *workload = write_blocking_workload (fixture);

  lb_fake_workspace_sql_add_view (fixture->fake, "retail.serving.orders_view");
  lb_test_cli_workspace_run (fixture, &result, "deploy", workload, "--poll-base-ms", "2", NULL);
  g_assert_cmpint (result.status, ==, 1);
  g_assert_nonnull (strstr (result.err, "not deployed: 2 tables cannot sync with their modes"));
  g_assert_nonnull (strstr (result.err, "ALTER TABLE `retail`.`serving`.`customers`"));
  /* Nothing irreversible happened. */
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "POST", NULL), ==, 0);
  g_assert_cmpuint (lb_fake_workspace_count_resources (fixture->fake, "projects"), ==, 0);
}

static void
test_status_errors (Fixture       *fixture,
                    gconstpointer  data)
{
  g_auto(LbTestCliResult) usage = { 0, };
  g_auto(LbTestCliResult) interval = { 0, };
  g_auto(LbTestCliResult) expired = { 0, };

  lb_test_cli_workspace_run (fixture, &usage, "status", NULL);
  g_assert_cmpint (usage.status, ==, 2);
  g_assert_nonnull (strstr (usage.err, "status needs exactly one workload file"));

  lb_test_cli_workspace_run (fixture, &interval, "status", fixture->sample, "--watch", "--interval", "0", NULL);
  g_assert_cmpint (interval.status, ==, 2);

  lb_fake_workspace_expire_token (fixture->fake);
  lb_test_cli_workspace_run (fixture, &expired, "status", fixture->sample, "--no-partitions", NULL);
  g_assert_cmpint (expired.status, ==, 1);
  g_assert_nonnull (strstr (expired.err, "lakebase-cli: "));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, lb_test_cli_workspace_setup, fn, lb_test_cli_workspace_teardown)
  ADD ("/cli-status/text", test_status_text);
  ADD ("/cli-status/partitions-warning", test_status_partitions_warning);
  ADD ("/cli-status/json", test_status_json);
  ADD ("/cli-status/failed", test_status_failed);
  ADD ("/cli-status/watch", test_status_watch);
  ADD ("/cli-status/not-deployed", test_status_not_deployed);
  ADD ("/cli-status/errors", test_status_errors);
  ADD ("/cli-cdf/check-and-fix", test_cdf);
  ADD ("/cli-cdf/deploy-gate", test_deploy_gate);
#undef ADD

  return g_test_run ();
}
