/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lakebase-cli profiles / sizes / deploy / teardown / bundle, run as a
 * user would against the fake workspace: a temporary HOME and
 * DATABRICKS_CONFIG_FILE point the CLI at it. Every run's stdout and
 * stderr are checked for the secrets the fake issued. */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "lb-fake-workspace-sql.h"
#include "lb-test-cli-workspace.h"

typedef LbTestCliWorkspace Fixture;

/* profiles ------------------------------------------------------------------------ */

static void
test_profiles (Fixture       *fixture,
               gconstpointer  data)
{
  g_auto(LbTestCliResult) result = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonArray *profiles;
  JsonObject *first;
  JsonObject *second;
  g_autofree char *bad = NULL;

  lb_test_cli_workspace_run (fixture, &result, "profiles", NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_cmpstr (result.err, ==, "");
  g_assert_nonnull (strstr (result.out, "DEFAULT*"));
  g_assert_nonnull (strstr (result.out, lb_fake_workspace_get_url (fixture->fake)));
  g_assert_nonnull (strstr (result.out, "robot"));
  g_assert_nonnull (strstr (result.out, "oauth-m2m"));
  g_assert_nonnull (strstr (result.out, " pat\n"));

  lb_test_cli_workspace_run (fixture, &result, "profiles", "--json", NULL);
  g_assert_cmpint (result.status, ==, 0);
  root = lb_test_parse_json_object (result.out, parser);
  g_assert_cmpstr (json_object_get_string_member (root, "default_profile"), ==, "DEFAULT");
  g_assert_cmpstr (json_object_get_string_member (root, "config_file"), ==, fixture->config);
  profiles = json_object_get_array_member (root, "profiles");
  g_assert_cmpuint (json_array_get_length (profiles), ==, 2);
  first = json_array_get_object_element (profiles, 0);
  second = json_array_get_object_element (profiles, 1);
  g_assert_cmpstr (json_object_get_string_member (first, "name"), ==, "DEFAULT");
  g_assert_cmpstr (json_object_get_string_member (first, "auth_type"), ==, "pat");
  g_assert_true (json_object_get_boolean_member (first, "default"));
  g_assert_cmpstr (json_object_get_string_member (first, "host"), ==, lb_fake_workspace_get_url (fixture->fake));
  g_assert_cmpstr (json_object_get_string_member (second, "auth_type"), ==, "oauth-m2m");
  g_assert_cmpstr (json_object_get_string_member (second, "warehouse_id"), ==, "wh-serverless");
  g_assert_false (json_object_has_member (second, "client_secret"));

  /* A broken config file is bad input. */
  bad = lb_test_write_file (fixture->tmp_dir, "databrickscfg", "[DEFAULT\nhost = x\n");
  lb_test_cli_workspace_run (fixture, &result, "profiles", NULL);
  g_assert_cmpint (result.status, ==, 2);
  g_assert_nonnull (strstr (result.err, "lakebase-cli: "));

  lb_test_cli_workspace_run (fixture, &result, "profiles", "extra", NULL);
  g_assert_cmpint (result.status, ==, 2);
}

/* sizes ------------------------------------------------------------------------------ */

static void
test_sizes (Fixture       *fixture,
            gconstpointer  data)
{
  g_auto(LbTestCliResult) result = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonArray *details;

  lb_test_cli_workspace_run (fixture, &result, "sizes", fixture->sample, "--warehouse", "wh-serverless", "--json",
                             "--poll-base-ms", "2", NULL);
  g_assert_cmpint (result.status, ==, 0);
  root = lb_test_parse_json_object (result.out, parser);
  g_assert_cmpint (json_object_get_int_member (root, "total_uncompressed_bytes"), ==,
                   G_GINT64_CONSTANT (52428800000) + G_GINT64_CONSTANT (1073741824) +
                   G_GINT64_CONSTANT (157286400000));
  details = json_object_get_array_member (root, "table_details");
  g_assert_cmpuint (json_array_get_length (details), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (details, 0), "table_name"),
                   ==, "retail.serving.orders");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (json_array_get_object_element (details, 1),
                                                                 "size_mb"), 1024.0, 0.001);
  /* Progress on stderr, one line per table as it arrives. */
  g_assert_nonnull (strstr (result.err, "Measuring 3 tables on SQL warehouse wh-serverless"));
  /* (C.UTF-8 has no thousands separator: 1024.00) */
  g_assert_nonnull (strstr (result.err, "  retail.serving.customers: 1024.00 MB\n"));
  g_assert_cmpuint (lb_fake_workspace_sql_count_statements (fixture->fake, "SUCCEEDED"), ==, 3);

  /* Text: a table, a total and the 5-10x note. */
  lb_test_cli_workspace_run (fixture, &result, "sizes", fixture->sample, "-w", "wh-serverless", "--poll-base-ms",
                             "2", NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.out, "retail.serving.order_lines"));
  g_assert_nonnull (strstr (result.out, "Total"));
  g_assert_nonnull (strstr (result.out, "5–10×"));
}

static void
test_sizes_errors (Fixture       *fixture,
                   gconstpointer  data)
{
  g_auto(LbTestCliResult) result = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *workload = NULL;
  JsonArray *details;

  workload = lb_test_write_file (fixture->tmp_dir, "two.yml",
                                          "delta_synchronization:\n"
                                          "  tables_to_sync:\n"
                                          "    - name: retail.serving.orders\n"
                                          "      primary_keys: [order_id]\n"
                                          "      scheduling_policy: SNAPSHOT\n"
                                          "    - name: retail.serving.nope\n"
                                          "      primary_keys: [id]\n"
                                          "      scheduling_policy: SNAPSHOT\n"
                                          "lakebase_accelerator:\n"
                                          "  instance_name: shop-db\n"
                                          "  database_catalog: shop_pg\n");

  /* One table cannot be measured: the others are, and the exit is 1. */
  lb_test_cli_workspace_run (fixture, &result, "sizes", workload, "--warehouse", "wh-serverless", "--json",
                             "--poll-base-ms", "2", NULL);
  g_assert_cmpint (result.status, ==, 1);
  details = json_object_get_array_member (lb_test_parse_json_object (result.out, parser), "table_details");
  g_assert_false (json_object_has_member (json_array_get_object_element (details, 0), "error"));
  g_assert_nonnull (strstr (json_object_get_string_member (json_array_get_object_element (details, 1), "error"),
                            "TABLE_OR_VIEW_NOT_FOUND"));
  g_assert_nonnull (strstr (result.err, "1 table could not be measured"));

  /* No warehouse: the choices are listed, exit 2. */
  lb_test_cli_workspace_run (fixture, &result, "sizes", fixture->sample, NULL);
  g_assert_cmpint (result.status, ==, 2);
  g_assert_nonnull (strstr (result.err, "--warehouse"));
  g_assert_nonnull (strstr (result.err, "wh-serverless  Serverless Starter Warehouse  (RUNNING, serverless)"));

  /* A profile that is not in the file is bad input. */
  lb_test_cli_workspace_run (fixture, &result, "sizes", fixture->sample, "--profile", "nope", "-w", "x", NULL);
  g_assert_cmpint (result.status, ==, 2);
  g_assert_nonnull (strstr (result.err, "nope"));

  lb_test_cli_workspace_run (fixture, &result, "sizes", fixture->sample, "-w", "wh-serverless", "--parallel", "0",
                             NULL);
  g_assert_cmpint (result.status, ==, 2);

  /* An expired token: every table fails, exit 1, and the message says why. */
  lb_fake_workspace_expire_token (fixture->fake);
  lb_test_cli_workspace_run (fixture, &result, "sizes", fixture->sample, "-w", "wh-serverless", NULL);
  g_assert_cmpint (result.status, ==, 1);
  g_assert_nonnull (strstr (result.err, "Token is expired"));
}

/* deploy / teardown -------------------------------------------------------------------- */

static void
test_deploy_dry_run (Fixture       *fixture,
                     gconstpointer  data)
{
  g_auto(LbTestCliResult) result = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;

  lb_test_cli_workspace_run (fixture, &result, "deploy", fixture->sample, "--dry-run", NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.out, "retail-serving"));
  g_assert_nonnull (strstr (result.out, "retail_pg.public.orders"));
  g_assert_nonnull (strstr (result.out, "Dry run"));

  lb_test_cli_workspace_run (fixture, &result, "deploy", fixture->sample, "--dry-run", "--json", NULL);
  g_assert_cmpint (result.status, ==, 0);
  root = lb_test_parse_json_object (result.out, parser);
  g_assert_cmpstr (json_object_get_string_member (root, "flavour"), ==, "autoscaling");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "resources")), ==, 7);

  /* Nothing was sent. */
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, NULL, NULL), ==, 0);
}

/* lakebase_accelerator.branch: the plan (and a real deploy) use that branch. */
static void
test_deploy_branch (Fixture       *fixture,
                    gconstpointer  data)
{
  g_auto(LbTestCliResult) result = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *sample = NULL;
  g_autofree char *with_branch = NULL;
  g_autofree char *workload = NULL;
  g_autoptr(JsonNode) table = NULL;
  JsonObject *root;

  g_assert_true (g_file_get_contents (fixture->sample, &sample, NULL, NULL));
  with_branch = g_strconcat (sample, g_str_has_suffix (sample, "\n") ? "" : "\n", "  branch: load-test\n", NULL);
  workload = lb_test_write_file (fixture->tmp_dir, "branch.yml", with_branch);

  lb_test_cli_workspace_run (fixture, &result, "deploy", workload, "--dry-run", NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.out, "Branch “load-test”"));

  lb_test_cli_workspace_run (fixture, &result, "deploy", workload, "--dry-run", "--json", NULL);
  g_assert_cmpint (result.status, ==, 0);
  root = lb_test_parse_json_object (result.out, parser);
  g_assert_cmpstr (json_object_get_string_member (root, "branch"), ==, "load-test");

  lb_test_cli_workspace_run (fixture, &result, "deploy", workload, "--json", "--poll-base-ms", "2", NULL);
  g_test_message ("deploy stderr:\n%s", result.err);
  g_assert_cmpint (result.status, ==, 0);
  table = lb_fake_workspace_dup_resource (fixture->fake, "postgres_synced_tables",
                                          "synced_tables/retail_pg.public.orders");
  g_assert_nonnull (table);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (table), "spec"),
                                                  "branch"), ==, "projects/retail-serving/branches/load-test");
}

static void
test_deploy_and_teardown (Fixture       *fixture,
                          gconstpointer  data)
{
  g_auto(LbTestCliResult) result = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  guint requests;

  lb_test_cli_workspace_run (fixture, &result, "deploy", fixture->sample, "--json", "--poll-base-ms", "2", NULL);
  g_test_message ("deploy stderr:\n%s", result.err);
  g_assert_cmpint (result.status, ==, 0);
  root = lb_test_parse_json_object (result.out, parser);
  g_assert_cmpstr (json_object_get_string_member (root, "result"), ==, "succeeded");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "steps")), >=, 8);
  /* Counted honestly: the project made its branch and endpoint itself. */
  {
    JsonObject *counts = json_object_get_object_member (root, "counts");

    g_assert_cmpint (json_object_get_int_member (counts, "created"), ==, 5);
    g_assert_cmpint (json_object_get_int_member (counts, "created_with_project"), ==, 2);
    g_assert_cmpint (json_object_get_int_member (counts, "already_there"), ==, 0);
    g_assert_nonnull (strstr (json_object_get_string_member (root, "summary"),
                              "5 created by this deploy, 2 created with the project, 0 already there"));
  }
  g_assert_cmpuint (lb_fake_workspace_count_resources (fixture->fake, "projects"), ==, 1);
  g_assert_cmpuint (lb_fake_workspace_count_resources (fixture->fake, "postgres_synced_tables"), ==, 3);
  /* Progress lines on stderr as the steps change. */
  g_assert_nonnull (strstr (result.err, "Synced table retail_pg.public.orders"));
  g_assert_nonnull (strstr (result.err, "s] "));
  requests = lb_fake_workspace_count_requests (fixture->fake, NULL, NULL);
  g_test_message ("deploy of 3 tables: %u requests", requests);

  /* Again: everything is adopted, nothing created twice. */
  lb_test_cli_workspace_run (fixture, &result, "deploy", fixture->sample, "--poll-base-ms", "2", NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.out, "adopted"));
  g_assert_nonnull (strstr (result.out, "Nothing to create: everything is already there (7 resources checked"));
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "POST", "/api/2.0/postgres/projects"), ==, 1);
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "POST", "/api/2.0/postgres/synced_tables"), ==, 3);

  /* Teardown refuses without --yes when stdin is not a terminal. */
  lb_test_cli_workspace_run (fixture, &result, "teardown", fixture->sample, NULL);
  g_assert_cmpint (result.status, ==, 2);
  g_assert_nonnull (strstr (result.err, "--yes"));
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "DELETE", NULL), ==, 0);

  lb_test_cli_workspace_run (fixture, &result, "teardown", fixture->sample, "--yes", "--poll-base-ms", "2", NULL);
  g_test_message ("teardown stderr:\n%s", result.err);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_cmpuint (lb_fake_workspace_count_resources (fixture->fake, "projects"), ==, 0);
  g_assert_cmpuint (lb_fake_workspace_count_resources (fixture->fake, "postgres_synced_tables"), ==, 0);
}

/* The project's delete: soft by default, purge=true only with --purge. */
static gboolean
log_has (LbFakeWorkspace *fake,
         const char      *line)
{
  g_auto(GStrv) log = lb_fake_workspace_dup_log (fake);

  return g_strv_contains ((const char * const *) log, line);
}

static void
test_teardown_purge (Fixture       *fixture,
                     gconstpointer  data)
{
  g_auto(LbTestCliResult) result = { 0, };

  /* The synced tables' deadline is the user's to set, in minutes. */
  lb_test_cli_workspace_run (fixture, &result, "deploy", fixture->sample, "--sync-timeout", "-1", NULL);
  g_assert_cmpint (result.status, ==, 2);
  g_assert_nonnull (strstr (result.err, "--sync-timeout"));
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, NULL, NULL), ==, 0);

  lb_test_cli_workspace_run (fixture, &result, "teardown", "--help", NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.out, "--purge"));
  g_assert_nonnull (strstr (result.out, "restorable for 7 days"));

  lb_test_cli_workspace_run (fixture, &result, "deploy", fixture->sample, "--poll-base-ms", "2", NULL);
  g_assert_cmpint (result.status, ==, 0);
  lb_test_cli_workspace_run (fixture, &result, "teardown", fixture->sample, "--yes", "--poll-base-ms", "2", NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_true (log_has (fixture->fake, "DELETE /api/2.0/postgres/projects/retail-serving 200"));
  g_assert_false (log_has (fixture->fake, "DELETE /api/2.0/postgres/projects/retail-serving?purge=true 200"));
  g_assert_nonnull (strstr (result.err, "restored for 7 days"));

  lb_fake_workspace_clear_log (fixture->fake);
  lb_test_cli_workspace_run (fixture, &result, "deploy", fixture->sample, "--poll-base-ms", "2", NULL);
  g_assert_cmpint (result.status, ==, 0);
  lb_test_cli_workspace_run (fixture, &result, "teardown", fixture->sample, "--yes", "--purge", "--poll-base-ms",
                             "2", NULL);
  g_test_message ("teardown --purge stderr:\n%s", result.err);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_true (log_has (fixture->fake, "DELETE /api/2.0/postgres/projects/retail-serving?purge=true 200"));
  g_assert_false (log_has (fixture->fake, "DELETE /api/2.0/postgres/projects/retail-serving 200"));
  g_assert_nonnull (strstr (result.err, "Deleted permanently"));
  g_assert_null (strstr (result.out, lb_fake_workspace_get_token (fixture->fake)));
  g_assert_null (strstr (result.err, lb_fake_workspace_get_token (fixture->fake)));
}

static void
test_deploy_ten_tables (Fixture       *fixture,
                        gconstpointer  data)
{
  g_auto(LbTestCliResult) result = { 0, };
  g_autoptr(GString) yaml = g_string_new ("delta_synchronization:\n  tables_to_sync:\n");
  g_autofree char *workload = NULL;
  guint requests;
  guint gets;

  for (guint i = 0; i < 10; i++)
    g_string_append_printf (yaml, "    - name: retail.serving.t%u\n"
                                  "      primary_keys: [id]\n"
                                  "      scheduling_policy: TRIGGERED\n", i);
  g_string_append (yaml, "lakebase_accelerator:\n  flavour: provisioned\n"
                         "  instance_name: ten-db\n  database_catalog: ten_pg\n");
  workload = lb_test_write_file (fixture->tmp_dir, "ten.yml", yaml->str);

  /* Resources take two polls per phase, as the fake does by default. */
  lb_fake_workspace_set_polls_until_ready (fixture->fake, 2);
  lb_test_cli_workspace_run (fixture, &result, "deploy", workload, "--poll-base-ms", "2", NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_cmpuint (lb_fake_workspace_count_resources (fixture->fake, "synced_tables"), ==, 10);

  requests = lb_fake_workspace_count_requests (fixture->fake, NULL, NULL);
  gets = lb_fake_workspace_count_requests (fixture->fake, "GET", NULL);
  g_test_message ("10-table provisioned deploy: %u requests (%u GETs)", requests, gets);
  /* One POST per resource plus the credential; the polls are what the
   * fake's state changes need, not a busy loop. */
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "POST", NULL), ==, 13);
  g_assert_cmpuint (requests, <=, 120);
}

static void
test_deploy_failure (Fixture       *fixture,
                     gconstpointer  data)
{
  g_auto(LbTestCliResult) result = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;

  /* The workspace refuses to create the project: exit 1, the server's
   * error on stderr and in the summary. */
  lb_fake_workspace_fail_next (fixture->fake, "POST", "/api/2.0/postgres/projects", 403, NULL, 1);
  lb_test_cli_workspace_run (fixture, &result, "deploy", fixture->sample, "--json", "--poll-base-ms", "2", NULL);
  g_assert_cmpint (result.status, ==, 1);
  g_assert_nonnull (strstr (result.err, "PERMISSION_DENIED"));
  root = lb_test_parse_json_object (result.out, parser);
  g_assert_cmpstr (json_object_get_string_member (root, "result"), ==, "failed");
  g_assert_nonnull (strstr (json_object_get_string_member (root, "error"), "PERMISSION_DENIED"));
  g_assert_cmpuint (lb_fake_workspace_count_resources (fixture->fake, "postgres_synced_tables"), ==, 0);
}

/* bundle ------------------------------------------------------------------------------- */

static void
test_bundle (Fixture       *fixture,
             gconstpointer  data)
{
  g_auto(LbTestCliResult) result = { 0, };
  g_autofree char *dir = g_build_filename (fixture->tmp_dir, "bundle", NULL);
  g_autofree char *databricks = g_build_filename (dir, "databricks.yml", NULL);
  g_autofree char *tables = g_build_filename (dir, "resources", "synced_tables.yml", NULL);
  g_autofree char *text = NULL;
  g_autofree char *host_line = NULL;

  lb_test_cli_workspace_run (fixture, &result, "bundle", fixture->sample, "-o", dir, NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.out, "databricks.yml"));
  g_assert_nonnull (strstr (result.err, "databricks bundle deploy -t default"));
  g_assert_true (g_file_get_contents (databricks, &text, NULL, NULL));
  host_line = g_strdup_printf ("host: %s", lb_fake_workspace_get_url (fixture->fake));
  g_assert_nonnull (strstr (text, host_line));
  g_assert_true (g_file_test (tables, G_FILE_TEST_IS_REGULAR));
  lb_test_cli_workspace_assert_no_secrets (fixture, text);

  /* The user's files are not replaced without --force. */
  lb_test_cli_workspace_run (fixture, &result, "bundle", fixture->sample, "-o", dir, NULL);
  g_assert_cmpint (result.status, ==, 2);
  g_assert_nonnull (strstr (result.err, "already exists"));
  lb_test_cli_workspace_run (fixture, &result, "bundle", fixture->sample, "-o", dir, "--force", "--target", "prod",
                             NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.err, "-t prod"));

  /* Nothing was sent to the workspace. */
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, NULL, NULL), ==, 0);
}

/* Bad input ------------------------------------------------------------------------------ */

static void
test_bad_input (Fixture       *fixture,
                gconstpointer  data)
{
  g_auto(LbTestCliResult) result = { 0, };
  g_autofree char *missing = g_build_filename (fixture->tmp_dir, "missing.yml", NULL);
  g_autofree char *broken = lb_test_write_file (fixture->tmp_dir, "broken.yml", "database_instance: [\n");
  g_autofree char *no_instance = lb_test_write_file (fixture->tmp_dir, "no-instance.yml",
                                                              "lakebase_accelerator:\n  database_catalog: c\n");
  g_autofree char *dir = g_build_filename (fixture->tmp_dir, "out", NULL);
  /* Each command with options it accepts, so only the file is wrong. */
  const struct { const char *name; const char *option; const char *value; } commands[] = {
    { "sizes", "--warehouse", "wh-serverless" },
    { "deploy", "--poll-base-ms", "2" },
    { "teardown", "--yes", NULL },
    { "bundle", "-o", dir },
  };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      const char *name = commands[i].name;
      const char *option = commands[i].option;
      const char *value = commands[i].value;

      g_test_message ("%s", name);

      /* No file, two files, a missing file, a broken file, an unknown option. */
      lb_test_cli_workspace_run (fixture, &result, name, option, value, NULL);
      g_assert_cmpint (result.status, ==, 2);
      lb_test_cli_workspace_run (fixture, &result, name, fixture->sample, fixture->sample, option, value, NULL);
      g_assert_cmpint (result.status, ==, 2);
      lb_test_cli_workspace_run (fixture, &result, name, missing, option, value, NULL);
      g_assert_cmpint (result.status, ==, 2);
      g_assert_nonnull (strstr (result.err, "missing.yml"));
      lb_test_cli_workspace_run (fixture, &result, name, broken, option, value, NULL);
      g_assert_cmpint (result.status, ==, 2);
      g_assert_nonnull (strstr (result.err, "broken.yml:"));
      lb_test_cli_workspace_run (fixture, &result, name, fixture->sample, "--bogus", NULL);
      g_assert_cmpint (result.status, ==, 2);
    }

  /* A workload that cannot become a plan. */
  lb_test_cli_workspace_run (fixture, &result, "deploy", no_instance, "--dry-run", NULL);
  g_assert_cmpint (result.status, ==, 2);
  g_assert_nonnull (strstr (result.err, "instance_name"));

  /* A profile that is not in the file. */
  lb_test_cli_workspace_run (fixture, &result, "deploy", fixture->sample, "--profile", "nope", NULL);
  g_assert_cmpint (result.status, ==, 2);

  /* bundle without -o */
  lb_test_cli_workspace_run (fixture, &result, "bundle", fixture->sample, NULL);
  g_assert_cmpint (result.status, ==, 2);

  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, NULL, NULL), ==, 0);
}

static void
test_help_lists_commands (Fixture       *fixture,
                          gconstpointer  data)
{
  g_auto(LbTestCliResult) result = { 0, };
  const char *commands[] = { "profiles", "sizes", "deploy", "teardown", "bundle", NULL };

  lb_test_cli_workspace_run (fixture, &result, "--help", NULL);
  g_assert_cmpint (result.status, ==, 0);
  for (guint i = 0; commands[i] != NULL; i++)
    {
      g_autofree char *line = g_strdup_printf ("  %s ", commands[i]);

      g_assert_nonnull (strstr (result.out, line));
    }

  lb_test_cli_workspace_run (fixture, &result, "deploy", "--help", NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.out, "--dry-run"));
  g_assert_null (strstr (result.out, "poll-base-ms"));
}

#define FIXTURE_TEST(path, func) \
  g_test_add (path, Fixture, NULL, lb_test_cli_workspace_setup, func, lb_test_cli_workspace_teardown)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  FIXTURE_TEST ("/cli-databricks/help", test_help_lists_commands);
  FIXTURE_TEST ("/cli-databricks/profiles", test_profiles);
  FIXTURE_TEST ("/cli-databricks/sizes", test_sizes);
  FIXTURE_TEST ("/cli-databricks/sizes-errors", test_sizes_errors);
  FIXTURE_TEST ("/cli-databricks/deploy-dry-run", test_deploy_dry_run);
  FIXTURE_TEST ("/cli-databricks/deploy-branch", test_deploy_branch);
  FIXTURE_TEST ("/cli-databricks/deploy-and-teardown", test_deploy_and_teardown);
  FIXTURE_TEST ("/cli-databricks/deploy-ten-tables", test_deploy_ten_tables);
  FIXTURE_TEST ("/cli-databricks/teardown-purge", test_teardown_purge);
  FIXTURE_TEST ("/cli-databricks/deploy-failure", test_deploy_failure);
  FIXTURE_TEST ("/cli-databricks/bundle", test_bundle);
  FIXTURE_TEST ("/cli-databricks/bad-input", test_bad_input);

  return g_test_run ();
}
