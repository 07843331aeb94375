/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "lb-test-utils.h"

#define CU_MONTH (3500.0 / 12.0)

typedef struct
{
  char *tmp_dir;      /* scratch files and an empty XDG_CONFIG_HOME */
  char *config_dir;
  char *sample;       /* $LB_SAMPLES_DIR/workload.yml */
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *samples = g_getenv ("LB_SAMPLES_DIR");

  g_assert_nonnull (samples);
  fixture->tmp_dir = g_dir_make_tmp ("lb-test-cli-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->config_dir = g_build_filename (fixture->tmp_dir, "config", NULL);
  g_assert_cmpint (g_mkdir_with_parents (fixture->config_dir, 0700), ==, 0);
  fixture->sample = g_build_filename (samples, "workload.yml", NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  lb_test_remove_tree (fixture->tmp_dir);
  g_free (fixture->tmp_dir);
  g_free (fixture->config_dir);
  g_free (fixture->sample);
}

static char *
write_file (Fixture    *fixture,
            const char *name,
            const char *contents)
{
  return lb_test_write_file (fixture->tmp_dir, name, contents);
}

/* Runs $LB_CLI with the given arguments (NULL-terminated). */
static void
run_cli (Fixture         *fixture,
         LbTestCliResult *result,
         const char      *first,
         ...)
{
  g_autoptr(GPtrArray) args = NULL;
  g_auto(GStrv) envp = g_get_environ ();
  va_list ap;

  va_start (ap, first);
  args = lb_test_collect_args (first, ap);
  va_end (ap);

  /* Never read the real user's price file. */
  envp = g_environ_setenv (envp, "XDG_CONFIG_HOME", fixture->config_dir, TRUE);
  envp = g_environ_setenv (envp, "LC_ALL", "C.UTF-8", TRUE);

  lb_test_run_cli (result, envp, G_SPAWN_DEFAULT, (const char * const *) args->pdata);
}

/* The sample's figures by the formulas of reference/cost-model.md:
 * bulk 2,000/s, continuous 300/s, reads 8,000/s → 1.14 CU → 2 CU; one
 * 1 CU secondary; 420 GB; one pipeline; 35 GB SNAPSHOT per day. */
static double
sample_total (double storage_gb_month)
{
  double sync_time = 10.0 / 60.0 + 35.0 / 108.0;

  return CU_MONTH * 2 + CU_MONTH * 1 * 1 + 420 * storage_gb_month +
         548 * 1 + 4 * 0.75 * sync_time * 7;
}

static void
test_estimate_text (Fixture       *fixture,
                    gconstpointer  data)
{
  g_auto(LbTestCliResult) result = { 0 };

  run_cli (fixture, &result, "estimate", fixture->sample, NULL);
  g_assert_cmpstr (result.err, ==, "");
  g_assert_cmpint (result.status, ==, 0);

  g_assert_nonnull (strstr (result.out, "$583.33"));
  g_assert_nonnull (strstr (result.out, "$291.67"));
  g_assert_nonnull (strstr (result.out, "$875.00"));
  g_assert_nonnull (strstr (result.out, "$144.90"));
  g_assert_nonnull (strstr (result.out, "$548.00"));
  g_assert_nonnull (strstr (result.out, "$10.31"));
  g_assert_nonnull (strstr (result.out, "$1,578.21"));
  g_assert_nonnull (strstr (result.out, "$18,938.47"));
  g_assert_nonnull (strstr (result.out, "1.14"));
  g_assert_nonnull (strstr (result.out, "Autoscaling 1–2 CU"));
  g_assert_nonnull (strstr (result.out, "so the next tier, 2 CU."));
}

static void
test_estimate_json (Fixture       *fixture,
                    gconstpointer  data)
{
  static const char * const top[] = {
    "timestamp", "workload_config", "cost_breakdown", "autoscaling", "estimate", NULL
  };
  g_auto(LbTestCliResult) result = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonObject *config;
  JsonObject *cost;
  JsonObject *autoscaling;

  run_cli (fixture, &result, "estimate", fixture->sample, "--json", NULL);
  g_assert_cmpstr (result.err, ==, "");
  g_assert_cmpint (result.status, ==, 0);

  root = lb_test_parse_json_object (result.out, parser);
  g_assert_cmpuint (json_object_get_size (root), ==, g_strv_length ((char **) top));
  for (guint i = 0; top[i] != NULL; i++)
    g_assert_true (json_object_has_member (root, top[i]));

  config = json_object_get_object_member (root, "workload_config");
  g_assert_cmpuint (json_object_get_size (config), ==, 13);
  g_assert_cmpfloat (json_object_get_double_member (config, "reads_per_second"), ==, 8000);
  g_assert_cmpfloat (json_object_get_double_member (config, "bulk_writes_per_second"), ==, 2000);
  g_assert_cmpfloat (json_object_get_double_member (config, "data_stored_gb"), ==, 420);
  g_assert_cmpint (json_object_get_int_member (config, "restore_windows_days"), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (config, "sync_mode"), ==, "SNAPSHOT");
  g_assert_cmpstr (json_object_get_string_member (config, "sync_frequency"), ==, "Per day");

  cost = json_object_get_object_member (root, "cost_breakdown");
  g_assert_cmpuint (json_object_get_size (cost), ==, 14);
  g_assert_cmpint (json_object_get_int_member (cost, "recommended_cu"), ==, 2);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (cost, "total_cu"),
                                  2000.0 / 14000 + 300.0 / 1500 + 8000.0 / 10000, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (cost, "storage_cost"),
                                  420 * 0.345, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (cost, "estimated_sync_time_hours"),
                                  10.0 / 60.0 + 35.0 / 108.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (cost, "total_monthly_cost"),
                                  sample_total (0.345), 1e-9);

  autoscaling = json_object_get_object_member (root, "autoscaling");
  g_assert_cmpfloat (json_object_get_double_member (autoscaling, "min_cu"), ==, 1);
  g_assert_cmpfloat (json_object_get_double_member (autoscaling, "max_cu"), ==, 2);
  g_assert_false (json_object_get_boolean_member (autoscaling, "needs_fixed_size"));
}

static double
json_total (const char *out)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root = lb_test_parse_json_object (out, parser);

  return json_object_get_double_member (json_object_get_object_member (root, "cost_breakdown"),
                                        "total_monthly_cost");
}

static void
test_prices_override (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *prices = write_file (fixture, "cheap.json", "{\"storage_gb_month\": 0.1}");
  g_autofree char *user_dir = g_build_filename (fixture->config_dir, "lakebase-accelerator", NULL);
  g_autofree char *user_file = g_build_filename (user_dir, "prices.json", NULL);
  g_auto(LbTestCliResult) result = { 0 };
  g_auto(LbTestCliResult) user = { 0 };

  run_cli (fixture, &result, "estimate", "--prices", prices, "--json", fixture->sample, NULL);
  g_assert_cmpstr (result.err, ==, "");
  g_assert_cmpint (result.status, ==, 0);
  g_assert_cmpfloat_with_epsilon (json_total (result.out), sample_total (0.1), 1e-9);

  /* the user's file is read when there is no --prices */
  g_assert_cmpint (g_mkdir_with_parents (user_dir, 0700), ==, 0);
  g_file_set_contents (user_file, "{\"storage_gb_month\": 1}", -1, NULL);
  run_cli (fixture, &user, "estimate", "--json", fixture->sample, NULL);
  g_assert_cmpint (user.status, ==, 0);
  g_assert_cmpfloat_with_epsilon (json_total (user.out), sample_total (1), 1e-9);
}

static void
test_bad_input (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (fixture->tmp_dir, "missing.yml", NULL);
  g_autofree char *malformed = write_file (fixture, "malformed.yml",
                                           "database_instance:\n  reads_per_second: [1, 2\n");
  g_autofree char *bad_prices = write_file (fixture, "prices.json", "{\"storage_gb_month\": -1}");
  g_autofree char *not_json = write_file (fixture, "broken.json", "{ storage");
  g_autofree char *missing_prices = g_build_filename (fixture->tmp_dir, "nope.json", NULL);

  {
    g_auto(LbTestCliResult) result = { 0 };

    run_cli (fixture, &result, "estimate", missing, NULL);
    lb_test_cli_assert_usage_error (&result, "missing.yml");
  }
  {
    g_auto(LbTestCliResult) result = { 0 };

    run_cli (fixture, &result, "estimate", malformed, NULL);
    lb_test_cli_assert_usage_error (&result, "malformed.yml:");
  }
  {
    g_auto(LbTestCliResult) result = { 0 };

    run_cli (fixture, &result, "estimate", fixture->sample, "--prices", bad_prices, NULL);
    lb_test_cli_assert_usage_error (&result, "prices.json: “storage_gb_month” must be a number of 0 or more");
  }
  {
    g_auto(LbTestCliResult) result = { 0 };

    run_cli (fixture, &result, "estimate", fixture->sample, "--prices", not_json, NULL);
    lb_test_cli_assert_usage_error (&result, "broken.json: not valid JSON");
  }
  {
    g_auto(LbTestCliResult) result = { 0 };

    run_cli (fixture, &result, "estimate", fixture->sample, "--prices", missing_prices, NULL);
    lb_test_cli_assert_usage_error (&result, "nope.json");
  }
  {
    g_auto(LbTestCliResult) result = { 0 };

    run_cli (fixture, &result, "estimate", fixture->sample, "--frobnicate", NULL);
    lb_test_cli_assert_usage_error (&result, "--frobnicate");
  }
  {
    g_auto(LbTestCliResult) result = { 0 };

    run_cli (fixture, &result, "estimate", NULL);
    lb_test_cli_assert_usage_error (&result, "one workload file");
  }
  {
    g_auto(LbTestCliResult) result = { 0 };

    run_cli (fixture, &result, "estimate", fixture->sample, fixture->sample, NULL);
    lb_test_cli_assert_usage_error (&result, "one workload file");
  }
  {
    g_auto(LbTestCliResult) result = { 0 };

    run_cli (fixture, &result, "estimate", fixture->sample, "--json", "--csv", NULL);
    lb_test_cli_assert_usage_error (&result, "--csv");
  }
  {
    g_auto(LbTestCliResult) result = { 0 };

    run_cli (fixture, &result, "frobnicate", NULL);
    lb_test_cli_assert_usage_error (&result, "unknown command “frobnicate”");
    g_assert_nonnull (strstr (result.err, "Usage:"));
    g_assert_nonnull (strstr (result.err, "estimate"));
  }
  {
    g_auto(LbTestCliResult) result = { 0 };

    run_cli (fixture, &result, NULL);
    g_assert_cmpint (result.status, ==, 2);
    g_assert_nonnull (strstr (result.err, "Usage:"));
  }
}

static void
test_help_and_version (Fixture       *fixture,
                       gconstpointer  data)
{
  {
    g_auto(LbTestCliResult) result = { 0 };

    run_cli (fixture, &result, "--help", NULL);
    g_assert_cmpint (result.status, ==, 0);
    g_assert_nonnull (strstr (result.out, "Usage:"));
    g_assert_nonnull (strstr (result.out, "estimate"));
  }
  {
    g_auto(LbTestCliResult) result = { 0 };

    run_cli (fixture, &result, "estimate", "--help", NULL);
    g_assert_cmpint (result.status, ==, 0);
    g_assert_nonnull (strstr (result.out, "lakebase-cli estimate"));
    g_assert_nonnull (strstr (result.out, "--json"));
    g_assert_nonnull (strstr (result.out, "--prices=FILE"));
  }
  {
    g_auto(LbTestCliResult) result = { 0 };

    run_cli (fixture, &result, "help", "estimate", NULL);
    g_assert_cmpint (result.status, ==, 0);
    g_assert_nonnull (strstr (result.out, "--json"));
  }
  {
    g_auto(LbTestCliResult) result = { 0 };

    run_cli (fixture, &result, "--version", NULL);
    g_assert_cmpint (result.status, ==, 0);
    g_assert_cmpstr (result.out, ==, "lakebase-cli " PACKAGE_VERSION "\n");
  }
}

static void
test_estimate_csv (Fixture       *fixture,
                   gconstpointer  data)
{
  g_auto(LbTestCliResult) result = { 0 };

  run_cli (fixture, &result, "estimate", "--csv", fixture->sample, NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_true (g_str_has_prefix (result.out, "item,monthly,yearly\r\n"));
  /* The sample deploys to autoscaling: the classic total is the comparison. */
  g_assert_nonnull (strstr (result.out, "\r\n\"Total, provisioned (for comparison)\",1578.21,18938.47\r\n"));
}

/* "$1,578.21", as the summary prints money (the test does not link the core). */
static char *
format_dollars (double amount)
{
  g_autofree char *plain = g_strdup_printf ("%.2f", amount);
  GString *out = g_string_new ("$");
  const char *dot = strchr (plain, '.');
  gsize n_whole = dot - plain;

  for (gsize i = 0; i < n_whole; i++)
    {
      if (i > 0 && (n_whole - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, plain[i]);
    }
  g_string_append (out, dot);

  return g_string_free (out, FALSE);
}

/* The summary, JSON and CSV name the chosen flavour's figure as the
 * estimate; cost_breakdown stays the web tool's classic figures. */
static void
test_estimate_chosen_flavour (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *contents = NULL;
  g_autofree char *provisioned = NULL;
  g_autofree char *provisioned_path = NULL;
  g_autoptr(GError) error = NULL;
  double sync = 548 + 4 * 0.75 * (10.0 / 60.0 + 35.0 / 108.0) * 7;
  /* Always on at the range's max (2 CU) at $0.111 per CU-hour, storage at $0.35. */
  double autoscaling = 2 * 0.111 * 730 + 420 * 0.35 + sync;
  g_autofree char *autoscaling_money = format_dollars (autoscaling);
  g_autofree char *classic_money = format_dollars (sample_total (0.345));
  const char *paths[2];
  const char *names[] = { "autoscaling", "provisioned" };
  double totals[] = { autoscaling, sample_total (0.345) };

  g_file_get_contents (fixture->sample, &contents, NULL, &error);
  g_assert_no_error (error);
  provisioned = g_strconcat (contents, "  flavour: provisioned\n", NULL);
  provisioned_path = write_file (fixture, "provisioned.yml", provisioned);
  paths[0] = fixture->sample;
  paths[1] = provisioned_path;

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_auto(LbTestCliResult) text = { 0 };
      g_auto(LbTestCliResult) json = { 0 };
      g_auto(LbTestCliResult) csv = { 0 };
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *estimate_line = NULL;
      g_autofree char *comparison_line = NULL;
      JsonObject *root;
      JsonObject *estimate;

      run_cli (fixture, &text, "estimate", paths[i], NULL);
      g_assert_cmpint (text.status, ==, 0);
      estimate_line = g_strdup_printf ("Estimate: %s, %s a month\n", i == 0 ? "Autoscaling" : "Provisioned",
                                       i == 0 ? autoscaling_money : classic_money);
      comparison_line = g_strdup_printf ("For comparison: %s, %s a month\n", i == 0 ? "Provisioned" : "Autoscaling",
                                         i == 0 ? classic_money : autoscaling_money);
      g_assert_nonnull (strstr (text.out, estimate_line));
      g_assert_nonnull (strstr (text.out, comparison_line));

      run_cli (fixture, &json, "estimate", paths[i], "--json", NULL);
      g_assert_cmpint (json.status, ==, 0);
      root = lb_test_parse_json_object (json.out, parser);
      estimate = json_object_get_object_member (root, "estimate");
      g_assert_cmpstr (json_object_get_string_member (estimate, "flavour"), ==, names[i]);
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (estimate, "monthly_total_cost"),
                                      totals[i], 1e-6);
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (estimate, "comparison"),
                                                      "flavour"), ==, names[1 - i]);
      g_assert_cmpfloat_with_epsilon (json_total (json.out), sample_total (0.345), 1e-9);

      run_cli (fixture, &csv, "estimate", paths[i], "--csv", NULL);
      g_assert_cmpint (csv.status, ==, 0);
      g_assert_nonnull (strstr (csv.out, i == 0 ? "\"Total, autoscaling at max (chosen)\","
                                                : "\"Total, provisioned (chosen)\","));
      g_assert_nonnull (strstr (csv.out, i == 0 ? "\"Total, provisioned (for comparison)\","
                                                : "\"Total, autoscaling at max (for comparison)\","));
    }
}

/* A blank or comments-only file is refused, not estimated with defaults. */
static void
test_estimate_empty_file (Fixture       *fixture,
                          gconstpointer  data)
{
  static const char * const contents[] = { "", "\n  \n", "# to be filled in\n\n# later\n" };

  for (guint i = 0; i < G_N_ELEMENTS (contents); i++)
    {
      g_auto(LbTestCliResult) result = { 0 };
      g_autofree char *path = write_file (fixture, "blank.yml", contents[i]);

      run_cli (fixture, &result, "estimate", path, NULL);
      lb_test_cli_assert_usage_error (&result, "blank.yml is empty: no workload in it");
    }
}

#define ADD_TEST(path, fn) \
  g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  ADD_TEST ("/cli/estimate/text", test_estimate_text);
  ADD_TEST ("/cli/estimate/json", test_estimate_json);
  ADD_TEST ("/cli/estimate/csv", test_estimate_csv);
  ADD_TEST ("/cli/estimate/chosen-flavour", test_estimate_chosen_flavour);
  ADD_TEST ("/cli/estimate/prices", test_prices_override);
  ADD_TEST ("/cli/estimate/empty-file", test_estimate_empty_file);
  ADD_TEST ("/cli/bad-input", test_bad_input);
  ADD_TEST ("/cli/help-and-version", test_help_and_version);

  return g_test_run ();
}
