/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "lb-core.h"

static void
test_default (void)
{
  g_autoptr(LbPriceSheet) sheet = lb_price_sheet_new_default ();
  const LbPrices *p = lb_price_sheet_get_prices (sheet);
  static const double steps[] = { 0.5, 1, 2, 4, 6, 8, 10, 12, 16, 20, 24, 28, 32 };

  g_assert_cmpstr (lb_price_sheet_get_currency (sheet), ==, "USD");
  g_assert_nonnull (lb_price_sheet_get_name (sheet));
  g_assert_cmpstr (lb_price_sheet_get_name (sheet), !=, "");

  g_assert_cmpfloat (p->cu_month, ==, 3500.0 / 12.0);
  g_assert_cmpfloat (p->storage_gb_month, ==, 0.345);
  g_assert_cmpfloat (p->continuous_pipeline_month, ==, 548);
  g_assert_cmpfloat (p->sync_hour, ==, 0.75);
  g_assert_cmpfloat (p->bulk_writes_per_cu, ==, 14000);
  g_assert_cmpfloat (p->continuous_writes_per_cu, ==, 1500);
  g_assert_cmpfloat (p->reads_per_cu, ==, 10000);
  g_assert_cmpfloat (p->sync_rate_gb_hour[LB_SYNC_MODE_SNAPSHOT][0], ==, 54);
  g_assert_cmpfloat (p->sync_rate_gb_hour[LB_SYNC_MODE_SNAPSHOT][1], ==, 108);
  g_assert_cmpfloat (p->sync_rate_gb_hour[LB_SYNC_MODE_SNAPSHOT][2], ==, 216);
  g_assert_cmpfloat (p->sync_rate_gb_hour[LB_SYNC_MODE_TRIGGERED][0], ==, 4.5);
  g_assert_cmpfloat (p->sync_rate_gb_hour[LB_SYNC_MODE_TRIGGERED][1], ==, 9);
  g_assert_cmpfloat (p->sync_rate_gb_hour[LB_SYNC_MODE_TRIGGERED][2], ==, 18);
  g_assert_cmpfloat (p->sync_overhead_hours, ==, 10.0 / 60.0);
  g_assert_cmpfloat (p->syncs_per_week[LB_SYNC_FREQUENCY_PER_WEEK], ==, 1);
  g_assert_cmpfloat (p->syncs_per_week[LB_SYNC_FREQUENCY_PER_DAY], ==, 7);
  g_assert_cmpfloat (p->syncs_per_week[LB_SYNC_FREQUENCY_PER_HOUR], ==, 168);
  g_assert_cmpfloat (p->weeks_per_month, ==, 4);
  g_assert_cmpuint (p->n_cu_tiers, ==, 4);
  g_assert_cmpuint (p->cu_tiers[0], ==, 1);
  g_assert_cmpuint (p->cu_tiers[1], ==, 2);
  g_assert_cmpuint (p->cu_tiers[2], ==, 4);
  g_assert_cmpuint (p->cu_tiers[3], ==, 8);

  g_assert_cmpfloat (p->autoscaling_cu_hour, ==, 0.111);
  g_assert_cmpfloat (p->autoscaling_storage_gb_month, ==, 0.35);
  g_assert_cmpfloat (p->autoscaling_hours_per_month, ==, 730);
  g_assert_cmpuint (p->n_autoscaling_steps, ==, G_N_ELEMENTS (steps));
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    g_assert_cmpfloat (p->autoscaling_steps[i], ==, steps[i]);
  g_assert_cmpfloat (p->autoscaling_max_spread_cu, ==, 8);
  g_assert_cmpfloat (p->autoscaling_gb_per_cu, ==, 2);

  g_assert_cmpfloat (p->storage_limit_gb, ==, 2048);
  g_assert_cmpfloat (p->connections_limit, ==, 1000);
  g_assert_cmpfloat (p->connections_per_synced_table, ==, 16);
  g_assert_cmpfloat (p->assumed_query_latency_ms, ==, 10);

  g_assert_finalize_object (g_steal_pointer (&sheet));
}

static void
test_partial_override (void)
{
  static const char data[] =
    "{\n"
    "  \"_comment\": \"ignored\",\n"
    "  \"name\": \"Negotiated\",\n"
    "  \"storage_gb_month\": 0.5,\n"
    "  \"cu_year\": 2400,\n"
    "  \"sync_rate_gb_hour\": { \"TRIGGERED\": { \"4\": 20 } },\n"
    "  \"syncs_per_week\": { \"Per hour\": 100 },\n"
    "  \"autoscaling\": { \"cu_hour\": 0.2, \"steps\": [1, 2, 4] },\n"
    "  \"limits\": { \"assumed_query_latency_ms\": 0 }\n"
    "}\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(LbPriceSheet) sheet = lb_price_sheet_new_from_data (data, -1, &error);
  const LbPrices *p;

  g_assert_no_error (error);
  p = lb_price_sheet_get_prices (sheet);

  /* overridden */
  g_assert_cmpstr (lb_price_sheet_get_name (sheet), ==, "Negotiated");
  g_assert_cmpfloat (p->storage_gb_month, ==, 0.5);
  g_assert_cmpfloat (p->cu_month, ==, 200);
  g_assert_cmpfloat (p->sync_rate_gb_hour[LB_SYNC_MODE_TRIGGERED][2], ==, 20);
  g_assert_cmpfloat (p->syncs_per_week[LB_SYNC_FREQUENCY_PER_HOUR], ==, 100);
  g_assert_cmpfloat (p->autoscaling_cu_hour, ==, 0.2);
  g_assert_cmpuint (p->n_autoscaling_steps, ==, 3);
  g_assert_cmpfloat (p->autoscaling_steps[2], ==, 4);
  g_assert_cmpfloat (p->assumed_query_latency_ms, ==, 0);

  /* kept: siblings of overridden keys, in the same objects too */
  g_assert_cmpstr (lb_price_sheet_get_currency (sheet), ==, "USD");
  g_assert_cmpfloat (p->sync_rate_gb_hour[LB_SYNC_MODE_TRIGGERED][1], ==, 9);
  g_assert_cmpfloat (p->sync_rate_gb_hour[LB_SYNC_MODE_SNAPSHOT][2], ==, 216);
  g_assert_cmpfloat (p->syncs_per_week[LB_SYNC_FREQUENCY_PER_DAY], ==, 7);
  g_assert_cmpfloat (p->autoscaling_storage_gb_month, ==, 0.35);
  g_assert_cmpfloat (p->connections_limit, ==, 1000);
  g_assert_cmpuint (p->n_cu_tiers, ==, 4);
  g_assert_cmpfloat (p->continuous_pipeline_month, ==, 548);

  g_assert_finalize_object (g_steal_pointer (&sheet));
}

static void
test_empty_object (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbPriceSheet) sheet = lb_price_sheet_new_from_data ("{}", -1, &error);

  g_assert_no_error (error);
  g_assert_cmpfloat (lb_price_sheet_get_prices (sheet)->cu_month, ==, 3500.0 / 12.0);
  g_assert_finalize_object (g_steal_pointer (&sheet));
}

typedef struct
{
  const char *data;
  int         code;
  const char *message;
} BadCase;

static void
test_bad_input (void)
{
  static const BadCase cases[] = {
    /* not JSON */
    { "{ \"storage_gb_month\": ", LB_PRICE_SHEET_ERROR_PARSE, "<input>: not valid JSON: " },
    { "", LB_PRICE_SHEET_ERROR_INVALID, "<input>: a price sheet must be a JSON object" },
    { "[1, 2]", LB_PRICE_SHEET_ERROR_INVALID, "<input>: a price sheet must be a JSON object" },
    /* wrong type */
    { "{\"storage_gb_month\": \"cheap\"}", LB_PRICE_SHEET_ERROR_INVALID,
      "<input>: “storage_gb_month” must be a number of 0 or more" },
    { "{\"storage_gb_month\": true}", LB_PRICE_SHEET_ERROR_INVALID,
      "<input>: “storage_gb_month” must be a number of 0 or more" },
    { "{\"storage_gb_month\": null}", LB_PRICE_SHEET_ERROR_INVALID,
      "<input>: “storage_gb_month” must be a number of 0 or more" },
    { "{\"name\": 3}", LB_PRICE_SHEET_ERROR_INVALID, "<input>: “name” must be a non-empty text" },
    { "{\"currency\": \"\"}", LB_PRICE_SHEET_ERROR_INVALID,
      "<input>: “currency” must be a non-empty text" },
    { "{\"autoscaling\": 3}", LB_PRICE_SHEET_ERROR_INVALID,
      "<input>: “autoscaling” must be an object" },
    { "{\"sync_rate_gb_hour\": {\"SNAPSHOT\": [1, 2, 3]}}", LB_PRICE_SHEET_ERROR_INVALID,
      "<input>: “sync_rate_gb_hour.SNAPSHOT” must be an object" },
    { "{\"cu_tiers\": {\"1\": 1}}", LB_PRICE_SHEET_ERROR_INVALID,
      "<input>: “cu_tiers” must be a list of 1 to 4 whole numbers of 1 or more, in increasing order" },
    /* negative, zero where the model divides, out of order */
    { "{\"storage_gb_month\": -0.1}", LB_PRICE_SHEET_ERROR_INVALID,
      "<input>: “storage_gb_month” must be a number of 0 or more" },
    { "{\"autoscaling\": {\"cu_hour\": -1}}", LB_PRICE_SHEET_ERROR_INVALID,
      "<input>: “autoscaling.cu_hour” must be a number of 0 or more" },
    { "{\"reads_per_cu\": 0}", LB_PRICE_SHEET_ERROR_INVALID,
      "<input>: “reads_per_cu” must be a number greater than 0" },
    { "{\"sync_rate_gb_hour\": {\"TRIGGERED\": {\"2\": 0}}}", LB_PRICE_SHEET_ERROR_INVALID,
      "<input>: “sync_rate_gb_hour.TRIGGERED.2” must be a number greater than 0" },
    { "{\"syncs_per_week\": {\"Per day\": -7}}", LB_PRICE_SHEET_ERROR_INVALID,
      "<input>: “syncs_per_week.Per day” must be a number of 0 or more" },
    { "{\"limits\": {\"connections_per_database\": 0}}", LB_PRICE_SHEET_ERROR_INVALID,
      "<input>: “limits.connections_per_database” must be a number greater than 0" },
    { "{\"cu_tiers\": [1, 2.5]}", LB_PRICE_SHEET_ERROR_INVALID,
      "<input>: “cu_tiers” must be a list of 1 to 4 whole numbers of 1 or more, in increasing order" },
    { "{\"cu_tiers\": [2, 1]}", LB_PRICE_SHEET_ERROR_INVALID,
      "<input>: “cu_tiers” must be a list of 1 to 4 whole numbers of 1 or more, in increasing order" },
    { "{\"cu_tiers\": [1, 2, 4, 8, 16]}", LB_PRICE_SHEET_ERROR_INVALID,
      "<input>: “cu_tiers” must be a list of 1 to 4 whole numbers of 1 or more, in increasing order" },
    { "{\"cu_tiers\": []}", LB_PRICE_SHEET_ERROR_INVALID,
      "<input>: “cu_tiers” must be a list of 1 to 4 whole numbers of 1 or more, in increasing order" },
    { "{\"autoscaling\": {\"steps\": [0, 1]}}", LB_PRICE_SHEET_ERROR_INVALID,
      "<input>: “autoscaling.steps” must be a list of 1 to 32 numbers greater than 0, in increasing order" },
    { "{\"autoscaling\": {\"steps\": [1, 1]}}", LB_PRICE_SHEET_ERROR_INVALID,
      "<input>: “autoscaling.steps” must be a list of 1 to 32 numbers greater than 0, in increasing order" },
    /* unknown keys: a typo must not silently keep the built-in price */
    { "{\"storage_gb_mont\": 1}", LB_PRICE_SHEET_ERROR_INVALID,
      "<input>: unknown key “storage_gb_mont”" },
    { "{\"autoscaling\": {\"cu_hours\": 1}}", LB_PRICE_SHEET_ERROR_INVALID,
      "<input>: unknown key “autoscaling.cu_hours”" },
    { "{\"sync_rate_gb_hour\": {\"SNAPSHOT\": {\"8\": 400}}}", LB_PRICE_SHEET_ERROR_INVALID,
      "<input>: unknown key “sync_rate_gb_hour.SNAPSHOT.8”" },
    { "{\"autoscaling.cu_hour\": 1}", LB_PRICE_SHEET_ERROR_INVALID,
      "<input>: unknown key “autoscaling.cu_hour”" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LbPriceSheet) sheet = NULL;

      g_test_message ("case %u: %s", i, cases[i].data);
      sheet = lb_price_sheet_new_from_data (cases[i].data, -1, &error);
      g_assert_null (sheet);
      g_assert_error (error, LB_PRICE_SHEET_ERROR, cases[i].code);
      g_assert_true (g_str_has_prefix (error->message, cases[i].message));
    }
}

static char *
write_temp_file (const char *dir,
                 const char *name,
                 const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&path);
}

static void
test_from_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lb-price-sheet-XXXXXX", &error);
  g_autofree char *good = NULL;
  g_autofree char *bad = NULL;
  g_autofree char *missing = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(LbPriceSheet) sheet = NULL;

  g_assert_no_error (error);

  good = write_temp_file (dir, "eu.json", "{\"currency\": \"EUR\", \"sync_hour\": 1}");
  file = g_file_new_for_path (good);
  sheet = lb_price_sheet_new_from_file (file, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lb_price_sheet_get_currency (sheet), ==, "EUR");
  g_assert_cmpfloat (lb_price_sheet_get_prices (sheet)->sync_hour, ==, 1);
  g_assert_finalize_object (g_steal_pointer (&sheet));
  g_clear_object (&file);

  /* The message names the file as the user knows it. */
  bad = write_temp_file (dir, "prices.json", "{\"storage_gb_month\": -3}");
  file = g_file_new_for_path (bad);
  sheet = lb_price_sheet_new_from_file (file, &error);
  g_assert_null (sheet);
  g_assert_error (error, LB_PRICE_SHEET_ERROR, LB_PRICE_SHEET_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "prices.json: “storage_gb_month” must be a number of 0 or more");
  g_clear_error (&error);
  g_clear_object (&file);

  missing = g_build_filename (dir, "missing.json", NULL);
  file = g_file_new_for_path (missing);
  sheet = lb_price_sheet_new_from_file (file, &error);
  g_assert_null (sheet);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_object (&file);

  g_unlink (good);
  g_unlink (bad);
  g_rmdir (dir);
}

static void
test_for_user (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = lb_price_sheet_get_user_file ();
  g_autoptr(GFile) parent = g_file_get_parent (file);
  g_autofree char *expected = g_build_filename (g_get_user_config_dir (),
                                                "lakebase-accelerator", "prices.json", NULL);
  g_autofree char *path = g_file_get_path (file);
  g_autoptr(LbPriceSheet) sheet = NULL;

  /* main() points XDG_CONFIG_HOME at a fresh temp dir. */
  g_assert_cmpstr (path, ==, expected);

  /* no file: the built-in sheet */
  sheet = lb_price_sheet_new_for_user (&error);
  g_assert_no_error (error);
  g_assert_cmpfloat (lb_price_sheet_get_prices (sheet)->storage_gb_month, ==, 0.345);
  g_assert_finalize_object (g_steal_pointer (&sheet));

  g_file_make_directory_with_parents (parent, NULL, &error);
  g_assert_no_error (error);
  g_file_set_contents (path, "{\"storage_gb_month\": 0.4}", -1, &error);
  g_assert_no_error (error);
  sheet = lb_price_sheet_new_for_user (&error);
  g_assert_no_error (error);
  g_assert_cmpfloat (lb_price_sheet_get_prices (sheet)->storage_gb_month, ==, 0.4);
  g_assert_cmpfloat (lb_price_sheet_get_prices (sheet)->sync_hour, ==, 0.75);
  g_assert_finalize_object (g_steal_pointer (&sheet));

  /* a broken user file is an error, never silently the default */
  g_file_set_contents (path, "{\"storage_gb_month\": }", -1, &error);
  g_assert_no_error (error);
  sheet = lb_price_sheet_new_for_user (&error);
  g_assert_null (sheet);
  g_assert_error (error, LB_PRICE_SHEET_ERROR, LB_PRICE_SHEET_ERROR_PARSE);
  g_assert_true (g_str_has_prefix (error->message, "prices.json: not valid JSON: "));
  g_clear_error (&error);

  g_unlink (path);
  g_rmdir (g_file_peek_path (parent));
}

static void
test_properties (void)
{
  g_autoptr(LbPriceSheet) sheet = lb_price_sheet_new_default ();
  g_autofree char *name = NULL;
  g_autofree char *currency = NULL;

  g_object_get (sheet, "name", &name, "currency", &currency, NULL);
  g_assert_cmpstr (name, ==, lb_price_sheet_get_name (sheet));
  g_assert_cmpstr (currency, ==, "USD");
  g_assert_finalize_object (g_steal_pointer (&sheet));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config_dir = NULL;
  int ret;

  /* Our own XDG_CONFIG_HOME, set before GLib caches it, so the real user's
   * prices.json never leaks in. (G_TEST_OPTION_ISOLATE_DIRS would do, but
   * GLib 2.74 leaks its strings, which trips LeakSanitizer.) */
  config_dir = g_dir_make_tmp ("lb-test-price-sheet-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_CONFIG_HOME", config_dir, TRUE);

  g_test_init (&argc, &argv, NULL);
  lb_core_init ();

  g_test_add_func ("/price-sheet/default", test_default);
  g_test_add_func ("/price-sheet/partial-override", test_partial_override);
  g_test_add_func ("/price-sheet/empty-object", test_empty_object);
  g_test_add_func ("/price-sheet/bad-input", test_bad_input);
  g_test_add_func ("/price-sheet/from-file", test_from_file);
  g_test_add_func ("/price-sheet/for-user", test_for_user);
  g_test_add_func ("/price-sheet/properties", test_properties);

  ret = g_test_run ();
  g_rmdir (config_dir);

  return ret;
}
