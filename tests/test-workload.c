/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "lb-core.h"

/* Helpers */

static void
counter_cb (guint *counter)
{
  (*counter)++;
}

static void
count_signal (gpointer    instance,
              const char *signal,
              guint      *counter)
{
  *counter = 0;
  g_signal_connect_swapped (instance, signal, G_CALLBACK (counter_cb), counter);
}

static const LbWorkloadField *
field (const char *section,
       const char *key)
{
  const LbWorkloadField *f = lb_workload_find_field (section, key);

  g_assert_nonnull (f);
  return f;
}

static char *
samples_path (const char *name)
{
  const char *dir = g_getenv ("LB_SAMPLES_DIR");

  if (dir != NULL)
    return g_build_filename (dir, name, NULL);
  return g_test_build_filename (G_TEST_DIST, "..", "data", "samples", name, NULL);
}

static LbWorkload *
load_file (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  LbWorkload *workload;

  workload = lb_workload_new_from_file (file, &error);
  g_assert_no_error (error);
  g_assert_nonnull (workload);
  return workload;
}

static LbWorkload *
load_data (const char *yaml)
{
  g_autoptr(GError) error = NULL;
  LbWorkload *workload;

  workload = lb_workload_new_from_data (yaml, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (workload);
  return workload;
}

static char *
save_data (LbWorkload *workload)
{
  g_autoptr(GError) error = NULL;
  char *data;
  gsize length = 0;

  data = lb_workload_to_data (workload, &length, &error);
  g_assert_no_error (error);
  g_assert_nonnull (data);
  g_assert_cmpuint (length, ==, strlen (data));
  return data;
}

static void
assert_tables_equal (LbWorkload *a,
                     LbWorkload *b)
{
  GListModel *ta = lb_workload_get_tables (a);
  GListModel *tb = lb_workload_get_tables (b);

  g_assert_cmpuint (g_list_model_get_n_items (ta), ==, g_list_model_get_n_items (tb));

  for (guint i = 0; i < g_list_model_get_n_items (ta); i++)
    {
      g_autoptr(LbSyncedTable) x = g_list_model_get_item (ta, i);
      g_autoptr(LbSyncedTable) y = g_list_model_get_item (tb, i);

      g_assert_cmpstr (lb_synced_table_get_name (x), ==, lb_synced_table_get_name (y));
      g_assert_true (g_strv_equal (lb_synced_table_get_primary_keys (x),
                                   lb_synced_table_get_primary_keys (y)));
      g_assert_cmpint (lb_synced_table_get_scheduling_policy (x), ==,
                       lb_synced_table_get_scheduling_policy (y));
    }
}

static void
assert_workloads_equal (LbWorkload *a,
                        LbWorkload *b)
{
  const LbWorkloadField *fields;
  guint n_fields;

  fields = lb_workload_get_fields (&n_fields);
  for (guint i = 0; i < n_fields; i++)
    {
      g_autofree char *x = lb_workload_dup_field_string (a, &fields[i]);
      g_autofree char *y = lb_workload_dup_field_string (b, &fields[i]);

      g_assert_cmpstr (x, ==, y);
      if (fields[i].kind != LB_FIELD_STRING)
        g_assert_cmpfloat (lb_workload_get_field_number (a, &fields[i]), ==,
                           lb_workload_get_field_number (b, &fields[i]));
    }

  assert_tables_equal (a, b);
}

static LbSyncedTable *
get_table (LbWorkload *workload,
           guint       position)
{
  LbSyncedTable *table = g_list_model_get_item (lb_workload_get_tables (workload), position);

  g_assert_nonnull (table);
  /* The workload keeps its own reference. */
  g_object_unref (table);
  return table;
}

/* Tests */

static void
test_defaults (void)
{
  g_autoptr(LbWorkload) workload = lb_workload_new ();
  g_autoptr(GError) error = NULL;

  g_assert_cmpfloat (lb_workload_get_bulk_writes_per_second (workload), ==, 0);
  g_assert_cmpfloat (lb_workload_get_continuous_writes_per_second (workload), ==, 0);
  g_assert_cmpfloat (lb_workload_get_reads_per_second (workload), ==, 0);
  g_assert_cmpuint (lb_workload_get_number_of_readable_secondaries (workload), ==, 0);
  g_assert_cmpfloat (lb_workload_get_readable_secondary_size_cu (workload), ==, 1);
  g_assert_cmpfloat (lb_workload_get_promotion_percentage (workload), ==, 0);
  g_assert_cmpfloat (lb_workload_get_data_stored_gb (workload), ==, 0);
  g_assert_cmpfloat (lb_workload_get_estimated_data_deleted_daily_gb (workload), ==, 0);
  g_assert_cmpuint (lb_workload_get_restore_windows_days (workload), ==, 0);
  g_assert_cmpuint (lb_workload_get_number_of_continuous_pipelines (workload), ==, 0);
  g_assert_cmpfloat (lb_workload_get_expected_data_per_sync_gb (workload), ==, 0);
  g_assert_cmpint (lb_workload_get_sync_mode (workload), ==, LB_SYNC_MODE_SNAPSHOT);
  g_assert_cmpint (lb_workload_get_sync_frequency (workload), ==, LB_SYNC_FREQUENCY_PER_DAY);
  g_assert_cmpuint (g_list_model_get_n_items (lb_workload_get_tables (workload)), ==, 0);

  g_assert_cmpint (lb_workload_get_flavour (workload), ==, LB_FLAVOUR_AUTOSCALING);
  g_assert_cmpstr (lb_workload_get_profile (workload), ==, "DEFAULT");
  g_assert_null (lb_workload_get_instance_name (workload));
  g_assert_null (lb_workload_get_capacity (workload));
  g_assert_null (lb_workload_get_database_catalog (workload));
  g_assert_cmpstr (lb_workload_get_database_name (workload), ==, "databricks_postgres");
  g_assert_cmpstr (lb_workload_get_target_schema (workload), ==, "public");
  g_assert_cmpstr (lb_workload_get_storage_catalog (workload), ==, "main");
  g_assert_cmpstr (lb_workload_get_storage_schema (workload), ==, "default");
  g_assert_null (lb_workload_get_warehouse_id (workload));
  g_assert_null (lb_workload_get_file (workload));

  g_assert_true (lb_workload_validate (workload, &error));
  g_assert_no_error (error);

  g_assert_finalize_object (g_steal_pointer (&workload));
}

static void
test_fields (void)
{
  static const char * const expected[] = {
    "database_instance.bulk_writes_per_second",
    "database_instance.continuous_writes_per_second",
    "database_instance.reads_per_second",
    "database_instance.number_of_readable_secondaries",
    "database_instance.readable_secondary_size_cu",
    "database_instance.promotion_percentage",
    "database_storage.data_stored_gb",
    "database_storage.estimated_data_deleted_daily_gb",
    "database_storage.restore_windows_days",
    "delta_synchronization.number_of_continuous_pipelines",
    "delta_synchronization.expected_data_per_sync_gb",
    "delta_synchronization.sync_mode",
    "delta_synchronization.sync_frequency",
    "lakebase_accelerator.profile",
    "lakebase_accelerator.flavour",
    "lakebase_accelerator.instance_name",
    "lakebase_accelerator.capacity",
    "lakebase_accelerator.database_catalog",
    "lakebase_accelerator.database_name",
    "lakebase_accelerator.target_schema",
    "lakebase_accelerator.storage_catalog",
    "lakebase_accelerator.storage_schema",
    "lakebase_accelerator.warehouse_id",
    "lakebase_accelerator.branch",
    "lakebase_accelerator.endpoint",
  };
  g_autoptr(LbWorkload) workload = lb_workload_new ();
  GObjectClass *klass = G_OBJECT_GET_CLASS (workload);
  const LbWorkloadField *fields;
  guint n_fields = 0;

  fields = lb_workload_get_fields (&n_fields);
  g_assert_cmpuint (n_fields, ==, G_N_ELEMENTS (expected));

  for (guint i = 0; i < n_fields; i++)
    {
      g_autofree char *path = g_strconcat (fields[i].section, ".", fields[i].key, NULL);
      g_autofree char *property = g_strdelimit (g_strdup (fields[i].key), "_", '-');
      GParamSpec *pspec = g_object_class_find_property (klass, fields[i].property);

      g_assert_cmpstr (path, ==, expected[i]);
      g_assert_cmpstr (fields[i].property, ==, property);
      g_assert_true (lb_workload_find_field (fields[i].section, fields[i].key) == &fields[i]);
      g_assert_nonnull (fields[i].title);
      g_assert_cmpstr (fields[i].title, !=, "");
      g_assert_nonnull (fields[i].subtitle);
      g_assert_cmpfloat (fields[i].min, <=, fields[i].max);

      g_assert_nonnull (pspec);
      g_assert_true (pspec->flags & G_PARAM_EXPLICIT_NOTIFY);
      g_assert_true (pspec->flags & G_PARAM_READWRITE);
      switch (fields[i].kind)
        {
        case LB_FIELD_NUMBER:
          g_assert_true (G_IS_PARAM_SPEC_DOUBLE (pspec));
          break;
        case LB_FIELD_STRING:
          g_assert_true (G_IS_PARAM_SPEC_STRING (pspec));
          break;
        case LB_FIELD_INTEGER:
        case LB_FIELD_SYNC_MODE:
        case LB_FIELD_SYNC_FREQUENCY:
        case LB_FIELD_FLAVOUR:
        default:
          g_assert_true (G_IS_PARAM_SPEC_UINT (pspec));
          break;
        }
    }

  g_assert_cmpint (field ("database_instance", "promotion_percentage")->kind, ==, LB_FIELD_NUMBER);
  g_assert_cmpfloat (field ("database_instance", "promotion_percentage")->max, ==, 100);
  g_assert_cmpint (field ("database_storage", "restore_windows_days")->kind, ==, LB_FIELD_INTEGER);
  g_assert_cmpstr (field ("database_storage", "data_stored_gb")->unit, ==, "GB");
  g_assert_cmpint (field ("delta_synchronization", "sync_mode")->kind, ==, LB_FIELD_SYNC_MODE);
  g_assert_cmpint (field ("lakebase_accelerator", "flavour")->kind, ==, LB_FIELD_FLAVOUR);
  g_assert_null (lb_workload_find_field ("database_instance", "tables_to_sync"));
  g_assert_null (lb_workload_find_field ("database_storage", "reads_per_second"));
  g_assert_nonnull (g_object_class_find_property (klass, "tables"));
  g_assert_nonnull (g_object_class_find_property (klass, "file"));

  g_assert_finalize_object (g_steal_pointer (&workload));
}

static void
test_notify (void)
{
  g_autoptr(LbWorkload) workload = lb_workload_new ();
  g_autoptr(GFile) file = g_file_new_for_path ("/tmp/some-workload.yml");
  g_autoptr(GFile) same_file = g_file_new_for_path ("/tmp/some-workload.yml");
  g_autofree char *profile = NULL;
  guint changed, reads, mode, prof, file_notify;
  guint any_notify;
  double d;

  count_signal (workload, "changed", &changed);
  count_signal (workload, "notify::reads-per-second", &reads);
  count_signal (workload, "notify::sync-mode", &mode);
  count_signal (workload, "notify::profile", &prof);
  count_signal (workload, "notify::file", &file_notify);
  count_signal (workload, "notify", &any_notify);

  lb_workload_set_reads_per_second (workload, 5000);
  g_assert_cmpuint (reads, ==, 1);
  g_assert_cmpuint (changed, ==, 1);
  lb_workload_set_reads_per_second (workload, 5000);
  g_assert_cmpuint (reads, ==, 1);
  g_assert_cmpuint (changed, ==, 1);

  g_object_set (workload, "reads-per-second", 7500.0, NULL);
  g_assert_cmpfloat (lb_workload_get_reads_per_second (workload), ==, 7500);
  g_assert_cmpuint (reads, ==, 2);
  g_assert_cmpuint (changed, ==, 2);
  g_object_get (workload, "reads-per-second", &d, NULL);
  g_assert_cmpfloat (d, ==, 7500);

  g_object_set (workload, "sync-mode", (guint) LB_SYNC_MODE_CONTINUOUS, NULL);
  g_assert_cmpint (lb_workload_get_sync_mode (workload), ==, LB_SYNC_MODE_CONTINUOUS);
  g_assert_cmpuint (mode, ==, 1);
  g_assert_cmpuint (changed, ==, 3);
  lb_workload_set_sync_mode (workload, LB_SYNC_MODE_CONTINUOUS);
  g_assert_cmpuint (changed, ==, 3);

  lb_workload_set_number_of_readable_secondaries (workload, 2);
  lb_workload_set_restore_windows_days (workload, 7);
  lb_workload_set_promotion_percentage (workload, 100);
  lb_workload_set_sync_frequency (workload, LB_SYNC_FREQUENCY_PER_HOUR);
  lb_workload_set_flavour (workload, LB_FLAVOUR_PROVISIONED);
  g_assert_cmpuint (changed, ==, 8);

  lb_workload_set_profile (workload, "DEFAULT");
  g_assert_cmpuint (prof, ==, 0);
  lb_workload_set_profile (workload, "staging");
  g_assert_cmpuint (prof, ==, 1);
  g_assert_cmpuint (changed, ==, 9);
  g_object_get (workload, "profile", &profile, NULL);
  g_assert_cmpstr (profile, ==, "staging");

  /* Empty means unset: one state, one representation. */
  lb_workload_set_profile (workload, "");
  g_assert_null (lb_workload_get_profile (workload));
  g_assert_cmpuint (changed, ==, 10);
  lb_workload_set_profile (workload, NULL);
  g_assert_cmpuint (changed, ==, 10);
  g_assert_cmpuint (prof, ==, 2);

  lb_workload_set_capacity (workload, "CU_4");
  g_assert_cmpstr (lb_workload_get_capacity (workload), ==, "CU_4");
  g_assert_cmpuint (changed, ==, 11);

  /* The file is not an input. */
  any_notify = 0;
  lb_workload_set_file (workload, file);
  g_assert_cmpuint (file_notify, ==, 1);
  g_assert_cmpuint (any_notify, ==, 1);
  lb_workload_set_file (workload, same_file);
  g_assert_true (lb_workload_get_file (workload) == file);
  g_assert_cmpuint (file_notify, ==, 1);
  lb_workload_set_file (workload, NULL);
  g_assert_cmpuint (file_notify, ==, 2);
  g_assert_cmpuint (changed, ==, 11);

  g_assert_finalize_object (g_steal_pointer (&workload));
}

static void
test_tables_changed (void)
{
  static const char * const keys[] = { "id", NULL };
  static const char * const other_keys[] = { "id", "ts", NULL };
  g_autoptr(LbWorkload) workload = lb_workload_new ();
  g_autoptr(LbSyncedTable) table = lb_synced_table_new ("a.b.c", keys, LB_SYNC_MODE_TRIGGERED);
  g_autoptr(LbSyncedTable) second = lb_synced_table_new ("a.b.d", keys, LB_SYNC_MODE_SNAPSHOT);
  GListModel *tables = lb_workload_get_tables (workload);
  GListModel *tables_property = NULL;
  guint changed, items_changed, table_notify;

  count_signal (workload, "changed", &changed);
  count_signal (tables, "items-changed", &items_changed);
  count_signal (table, "notify", &table_notify);

  g_object_get (workload, "tables", &tables_property, NULL);
  g_assert_true (tables_property == tables);
  g_object_unref (tables_property);
  g_assert_true (g_list_model_get_item_type (tables) == LB_TYPE_SYNCED_TABLE);

  lb_workload_add_table (workload, table);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpuint (items_changed, ==, 1);
  lb_workload_add_table (workload, second);
  g_assert_cmpuint (changed, ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (tables), ==, 2);

  lb_synced_table_set_name (table, "a.b.e");
  g_assert_cmpuint (changed, ==, 3);
  g_assert_cmpuint (table_notify, ==, 1);
  lb_synced_table_set_name (table, "a.b.e");
  g_assert_cmpuint (changed, ==, 3);
  g_assert_cmpuint (table_notify, ==, 1);

  lb_synced_table_set_primary_keys (table, other_keys);
  g_assert_cmpuint (changed, ==, 4);
  lb_synced_table_set_primary_keys (table, other_keys);
  g_assert_cmpuint (changed, ==, 4);
  g_assert_true (g_strv_equal (lb_synced_table_get_primary_keys (table), other_keys));

  lb_synced_table_set_scheduling_policy (table, LB_SYNC_MODE_CONTINUOUS);
  g_assert_cmpuint (changed, ==, 5);
  g_object_set (table, "scheduling-policy", (guint) LB_SYNC_MODE_CONTINUOUS, NULL);
  g_assert_cmpuint (changed, ==, 5);
  g_assert_cmpuint (table_notify, ==, 3);

  lb_workload_remove_table (workload, 0);
  g_assert_cmpuint (changed, ==, 6);
  g_assert_cmpuint (items_changed, ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (tables), ==, 1);
  g_assert_true (get_table (workload, 0) == second);

  /* A removed table no longer counts. */
  lb_synced_table_set_name (table, "x.y.z");
  g_assert_cmpuint (changed, ==, 6);

  /* Nor does anything after the workload is gone. */
  g_assert_finalize_object (g_steal_pointer (&workload));
  lb_synced_table_set_name (second, "x.y.w");
  g_assert_cmpstr (lb_synced_table_get_name (second), ==, "x.y.w");

  g_assert_finalize_object (g_steal_pointer (&table));
  g_assert_finalize_object (g_steal_pointer (&second));
}

static void
test_set_field_good (void)
{
  g_autoptr(LbWorkload) workload = lb_workload_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint changed;

  count_signal (workload, "changed", &changed);

#define SET_OK(section, key, value)                                                         \
  G_STMT_START {                                                                            \
    g_assert_true (lb_workload_set_field_from_string (workload, field (section, key),       \
                                                      value, &error));                      \
    g_assert_no_error (error);                                                              \
  } G_STMT_END

  SET_OK ("database_instance", "reads_per_second", "12000");
  g_assert_cmpfloat (lb_workload_get_reads_per_second (workload), ==, 12000);
  g_assert_cmpuint (changed, ==, 1);
  SET_OK ("database_instance", "reads_per_second", " 12000 ");
  g_assert_cmpuint (changed, ==, 1);
  SET_OK ("database_instance", "bulk_writes_per_second", "1.5");
  g_assert_cmpfloat (lb_workload_get_bulk_writes_per_second (workload), ==, 1.5);
  SET_OK ("database_instance", "continuous_writes_per_second", "1e3");
  g_assert_cmpfloat (lb_workload_get_continuous_writes_per_second (workload), ==, 1000);
  SET_OK ("database_instance", "number_of_readable_secondaries", "3");
  g_assert_cmpuint (lb_workload_get_number_of_readable_secondaries (workload), ==, 3);
  SET_OK ("database_storage", "restore_windows_days", "7.0");
  g_assert_cmpuint (lb_workload_get_restore_windows_days (workload), ==, 7);
  SET_OK ("database_instance", "promotion_percentage", "100");
  g_assert_cmpfloat (lb_workload_get_promotion_percentage (workload), ==, 100);
  SET_OK ("database_instance", "promotion_percentage", "0");
  g_assert_cmpfloat (lb_workload_get_promotion_percentage (workload), ==, 0);
  SET_OK ("database_storage", "data_stored_gb", "-0");
  g_assert_cmpfloat (lb_workload_get_data_stored_gb (workload), ==, 0);
  g_assert_false (signbit (lb_workload_get_data_stored_gb (workload)));
  SET_OK ("delta_synchronization", "sync_mode", "triggered");
  g_assert_cmpint (lb_workload_get_sync_mode (workload), ==, LB_SYNC_MODE_TRIGGERED);
  SET_OK ("delta_synchronization", "sync_mode", "Continuous");
  g_assert_cmpint (lb_workload_get_sync_mode (workload), ==, LB_SYNC_MODE_CONTINUOUS);
  SET_OK ("delta_synchronization", "sync_frequency", "Per hour");
  g_assert_cmpint (lb_workload_get_sync_frequency (workload), ==, LB_SYNC_FREQUENCY_PER_HOUR);
  SET_OK ("delta_synchronization", "sync_frequency", "per week");
  g_assert_cmpint (lb_workload_get_sync_frequency (workload), ==, LB_SYNC_FREQUENCY_PER_WEEK);
  SET_OK ("lakebase_accelerator", "flavour", "Provisioned");
  g_assert_cmpint (lb_workload_get_flavour (workload), ==, LB_FLAVOUR_PROVISIONED);
  SET_OK ("lakebase_accelerator", "profile", "  dev ");
  g_assert_cmpstr (lb_workload_get_profile (workload), ==, "dev");
  SET_OK ("lakebase_accelerator", "capacity", "CU_2");
  g_assert_cmpstr (lb_workload_get_capacity (workload), ==, "CU_2");
  SET_OK ("lakebase_accelerator", "capacity", "");
  g_assert_null (lb_workload_get_capacity (workload));
  /* "-0" equals the 0 already there: no change. */
  g_assert_cmpuint (changed, ==, 15);

  text = lb_workload_dup_field_string (workload, field ("delta_synchronization", "sync_frequency"));
  g_assert_cmpstr (text, ==, "Per week");
  g_clear_pointer (&text, g_free);
  text = lb_workload_dup_field_string (workload, field ("lakebase_accelerator", "capacity"));
  g_assert_cmpstr (text, ==, "");
  g_clear_pointer (&text, g_free);
  text = lb_workload_dup_field_string (workload,
                                       field ("database_instance", "bulk_writes_per_second"));
  g_assert_cmpstr (text, ==, "1.5");
  g_assert_cmpfloat (lb_workload_get_field_number (workload,
                                                   field ("delta_synchronization", "sync_mode")),
                     ==, LB_SYNC_MODE_CONTINUOUS);

#undef SET_OK

  g_assert_finalize_object (g_steal_pointer (&workload));
}

static void
test_set_field_bad (void)
{
  static const struct {
    const char *section;
    const char *key;
    const char *text;
    int         code;
    const char *message;
  } cases[] = {
    { "database_instance", "reads_per_second", "abc", LB_WORKLOAD_ERROR_TYPE,
      "Must be a number of 0 or more" },
    { "database_instance", "reads_per_second", "", LB_WORKLOAD_ERROR_TYPE,
      "Must be a number of 0 or more" },
    { "database_instance", "reads_per_second", "12 000", LB_WORKLOAD_ERROR_TYPE,
      "Must be a number of 0 or more" },
    { "database_instance", "reads_per_second", "nan", LB_WORKLOAD_ERROR_TYPE,
      "Must be a number of 0 or more" },
    { "database_instance", "reads_per_second", "inf", LB_WORKLOAD_ERROR_TYPE,
      "Must be a number of 0 or more" },
    { "database_instance", "reads_per_second", "-1", LB_WORKLOAD_ERROR_RANGE,
      "Must be a number of 0 or more" },
    { "database_storage", "data_stored_gb", "-0.5", LB_WORKLOAD_ERROR_RANGE,
      "Must be a number of 0 or more" },
    { "database_instance", "number_of_readable_secondaries", "1.5", LB_WORKLOAD_ERROR_TYPE,
      "Must be a whole number" },
    { "database_instance", "number_of_readable_secondaries", "two", LB_WORKLOAD_ERROR_TYPE,
      "Must be a whole number of 0 or more" },
    { "database_storage", "restore_windows_days", "-7", LB_WORKLOAD_ERROR_RANGE,
      "Must be a whole number of 0 or more" },
    { "database_storage", "restore_windows_days", "5000000000", LB_WORKLOAD_ERROR_RANGE,
      "Must be a whole number of 0 or more" },
    { "database_instance", "promotion_percentage", "101", LB_WORKLOAD_ERROR_RANGE,
      "Must be between 0 and 100" },
    { "database_instance", "promotion_percentage", "-1", LB_WORKLOAD_ERROR_RANGE,
      "Must be between 0 and 100" },
    { "database_instance", "promotion_percentage", "ten", LB_WORKLOAD_ERROR_TYPE,
      "Must be between 0 and 100" },
    { "delta_synchronization", "sync_mode", "FAST", LB_WORKLOAD_ERROR_UNKNOWN_VALUE,
      "Unknown sync mode “FAST”: use SNAPSHOT, TRIGGERED or CONTINUOUS" },
    { "delta_synchronization", "sync_mode", "", LB_WORKLOAD_ERROR_UNKNOWN_VALUE,
      "Unknown sync mode “”: use SNAPSHOT, TRIGGERED or CONTINUOUS" },
    { "delta_synchronization", "sync_frequency", "Per month", LB_WORKLOAD_ERROR_UNKNOWN_VALUE,
      "Unknown sync frequency “Per month”: use “Per week”, “Per day” or “Per hour”" },
    { "lakebase_accelerator", "flavour", "serverless", LB_WORKLOAD_ERROR_UNKNOWN_VALUE,
      "Unknown flavour “serverless”: use autoscaling or provisioned" },
    { "lakebase_accelerator", "instance_name", "Retail_Serving", LB_WORKLOAD_ERROR_RANGE,
      "“Retail_Serving” is not a valid instance name: use 1 to 63 lowercase letters, "
      "digits and hyphens, starting with a letter" },
    { "lakebase_accelerator", "instance_name", "7eleven", LB_WORKLOAD_ERROR_RANGE,
      "“7eleven” is not a valid instance name: use 1 to 63 lowercase letters, "
      "digits and hyphens, starting with a letter" },
    { "lakebase_accelerator", "instance_name", "retail-", LB_WORKLOAD_ERROR_RANGE,
      "“retail-” is not a valid instance name: use 1 to 63 lowercase letters, "
      "digits and hyphens, starting with a letter" },
    { "lakebase_accelerator", "instance_name",
      "a234567890123456789012345678901234567890123456789012345678901234", LB_WORKLOAD_ERROR_RANGE,
      "“a234567890123456789012345678901234567890123456789012345678901234” is not a valid "
      "instance name: use 1 to 63 lowercase letters, digits and hyphens, starting with a letter" },
    { "lakebase_accelerator", "capacity", "CU_3", LB_WORKLOAD_ERROR_UNKNOWN_VALUE,
      "Unknown capacity “CU_3”: use CU_1, CU_2, CU_4 or CU_8, "
      "or leave it empty for the recommended size" },
    { "lakebase_accelerator", "branch", "Load_Test", LB_WORKLOAD_ERROR_RANGE,
      "“Load_Test” is not a valid branch id: use 1 to 63 lowercase letters, "
      "digits and hyphens, starting with a letter" },
  };
  g_autoptr(LbWorkload) workload = lb_workload_new ();
  g_autoptr(LbWorkload) pristine = lb_workload_new ();
  guint changed;

  count_signal (workload, "changed", &changed);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("%s.%s = “%s”", cases[i].section, cases[i].key, cases[i].text);
      g_assert_false (lb_workload_set_field_from_string (workload,
                                                         field (cases[i].section, cases[i].key),
                                                         cases[i].text, &error));
      g_assert_error (error, LB_WORKLOAD_ERROR, cases[i].code);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }

  /* On error nothing changes. */
  g_assert_cmpuint (changed, ==, 0);
  assert_workloads_equal (workload, pristine);

  g_assert_finalize_object (g_steal_pointer (&workload));
  g_assert_finalize_object (g_steal_pointer (&pristine));
}

static void
test_load_sample (void)
{
  g_autofree char *path = samples_path ("workload.yml");
  g_autoptr(LbWorkload) workload = load_file (path);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  LbSyncedTable *table;

  g_assert_true (g_file_equal (lb_workload_get_file (workload), file));

  g_assert_cmpfloat (lb_workload_get_bulk_writes_per_second (workload), ==, 2000);
  g_assert_cmpfloat (lb_workload_get_continuous_writes_per_second (workload), ==, 300);
  g_assert_cmpfloat (lb_workload_get_reads_per_second (workload), ==, 8000);
  g_assert_cmpuint (lb_workload_get_number_of_readable_secondaries (workload), ==, 1);
  g_assert_cmpfloat (lb_workload_get_readable_secondary_size_cu (workload), ==, 1);
  g_assert_cmpfloat (lb_workload_get_promotion_percentage (workload), ==, 0);
  g_assert_cmpfloat (lb_workload_get_data_stored_gb (workload), ==, 420);
  g_assert_cmpfloat (lb_workload_get_estimated_data_deleted_daily_gb (workload), ==, 2);
  g_assert_cmpuint (lb_workload_get_restore_windows_days (workload), ==, 7);
  g_assert_cmpuint (lb_workload_get_number_of_continuous_pipelines (workload), ==, 1);
  g_assert_cmpfloat (lb_workload_get_expected_data_per_sync_gb (workload), ==, 35);
  g_assert_cmpint (lb_workload_get_sync_mode (workload), ==, LB_SYNC_MODE_SNAPSHOT);
  g_assert_cmpint (lb_workload_get_sync_frequency (workload), ==, LB_SYNC_FREQUENCY_PER_DAY);

  g_assert_cmpuint (g_list_model_get_n_items (lb_workload_get_tables (workload)), ==, 3);
  table = get_table (workload, 0);
  g_assert_cmpstr (lb_synced_table_get_name (table), ==, "retail.serving.orders");
  g_assert_cmpstrv (lb_synced_table_get_primary_keys (table),
                    ((const char * const []) { "order_id", NULL }));
  g_assert_cmpint (lb_synced_table_get_scheduling_policy (table), ==, LB_SYNC_MODE_CONTINUOUS);
  table = get_table (workload, 1);
  g_assert_cmpstr (lb_synced_table_get_name (table), ==, "retail.serving.customers");
  g_assert_cmpstrv (lb_synced_table_get_primary_keys (table),
                    ((const char * const []) { "customer_id", NULL }));
  g_assert_cmpint (lb_synced_table_get_scheduling_policy (table), ==, LB_SYNC_MODE_SNAPSHOT);
  table = get_table (workload, 2);
  g_assert_cmpstr (lb_synced_table_get_name (table), ==, "retail.serving.order_lines");
  g_assert_cmpstrv (lb_synced_table_get_primary_keys (table),
                    ((const char * const []) { "order_id", "line_no", NULL }));
  g_assert_cmpint (lb_synced_table_get_scheduling_policy (table), ==, LB_SYNC_MODE_TRIGGERED);

  g_assert_cmpstr (lb_workload_get_instance_name (workload), ==, "retail-serving");
  g_assert_cmpstr (lb_workload_get_database_catalog (workload), ==, "retail_pg");
  g_assert_cmpstr (lb_workload_get_profile (workload), ==, "DEFAULT");
  g_assert_cmpint (lb_workload_get_flavour (workload), ==, LB_FLAVOUR_AUTOSCALING);
  g_assert_null (lb_workload_get_capacity (workload));
  g_assert_cmpstr (lb_workload_get_database_name (workload), ==, "databricks_postgres");
  g_assert_cmpstr (lb_workload_get_target_schema (workload), ==, "public");
  g_assert_cmpstr (lb_workload_get_storage_catalog (workload), ==, "main");
  g_assert_cmpstr (lb_workload_get_storage_schema (workload), ==, "default");
  g_assert_null (lb_workload_get_warehouse_id (workload));

  g_assert_true (lb_workload_validate (workload, &error));
  g_assert_no_error (error);

  g_assert_finalize_object (g_steal_pointer (&workload));
}

static LbWorkload *
make_rich_workload (void)
{
  static const char * const keys1[] = { "id", NULL };
  static const char * const keys2[] = { "customer_id", "région", NULL };
  LbWorkload *workload = lb_workload_new ();
  g_autoptr(LbSyncedTable) t1 = lb_synced_table_new ("cat.sch.tbl", keys1, LB_SYNC_MODE_TRIGGERED);
  g_autoptr(LbSyncedTable) t2 = lb_synced_table_new ("main.sales.kunden-ü", keys2,
                                                     LB_SYNC_MODE_CONTINUOUS);

  lb_workload_set_bulk_writes_per_second (workload, 12000);
  lb_workload_set_continuous_writes_per_second (workload, 0.1);
  lb_workload_set_reads_per_second (workload, 1.0 / 3.0);
  lb_workload_set_number_of_readable_secondaries (workload, 4);
  lb_workload_set_readable_secondary_size_cu (workload, 0.5);
  lb_workload_set_promotion_percentage (workload, 12.5);
  lb_workload_set_data_stored_gb (workload, 1e22);
  lb_workload_set_estimated_data_deleted_daily_gb (workload, 1e-7);
  lb_workload_set_restore_windows_days (workload, 35);
  lb_workload_set_number_of_continuous_pipelines (workload, 3);
  lb_workload_set_expected_data_per_sync_gb (workload, 123456.789);
  lb_workload_set_sync_mode (workload, LB_SYNC_MODE_TRIGGERED);
  lb_workload_set_sync_frequency (workload, LB_SYNC_FREQUENCY_PER_HOUR);
  lb_workload_set_flavour (workload, LB_FLAVOUR_PROVISIONED);
  /* Texts a YAML reader would otherwise take for a number, a boolean, null
   * or a mapping. */
  lb_workload_set_profile (workload, "007");
  lb_workload_set_instance_name (workload, "retail-007");
  lb_workload_set_capacity (workload, "CU_4");
  lb_workload_set_database_catalog (workload, "a: b # c");
  lb_workload_set_database_name (workload, "null");
  lb_workload_set_target_schema (workload, "schéma");
  lb_workload_set_storage_catalog (workload, "1e3");
  lb_workload_set_storage_schema (workload, "'quoted'");
  lb_workload_set_warehouse_id (workload, "yes");
  lb_workload_add_table (workload, t1);
  lb_workload_add_table (workload, t2);

  return workload;
}

static void
test_round_trip (void)
{
  g_autofree char *path = samples_path ("workload.yml");
  g_autoptr(LbWorkload) sample = load_file (path);
  g_autoptr(LbWorkload) rich = make_rich_workload ();
  LbWorkload *inputs[] = { sample, rich };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autofree char *data = save_data (inputs[i]);
      g_autoptr(LbWorkload) reloaded = load_data (data);

      g_test_message ("%s", data);
      assert_workloads_equal (inputs[i], reloaded);
    }

  /* Exact doubles survive, and whole numbers carry no decimals. */
  {
    g_autofree char *data = save_data (rich);
    g_autoptr(LbWorkload) reloaded = load_data (data);

    g_assert_cmpfloat (lb_workload_get_reads_per_second (reloaded), ==, 1.0 / 3.0);
    g_assert_cmpfloat (lb_workload_get_continuous_writes_per_second (reloaded), ==, 0.1);
    g_assert_cmpfloat (lb_workload_get_data_stored_gb (reloaded), ==, 1e22);
    g_assert_cmpfloat (lb_workload_get_estimated_data_deleted_daily_gb (reloaded), ==, 1e-7);
    g_assert_cmpstr (lb_workload_get_profile (reloaded), ==, "007");
    g_assert_cmpstr (lb_workload_get_database_name (reloaded), ==, "null");

    g_assert_nonnull (strstr (data, "  bulk_writes_per_second: 12000\n"));
    g_assert_nonnull (strstr (data, "  continuous_writes_per_second: 0.1\n"));
    g_assert_nonnull (strstr (data, "  reads_per_second: 0.3333333333333333\n"));
    g_assert_nonnull (strstr (data, "  estimated_data_deleted_daily_gb: 1.0e-07\n"));
    g_assert_nonnull (strstr (data, "  data_stored_gb: 1.0e+22\n"));
    g_assert_nonnull (strstr (data, "  sync_frequency: \"Per hour\"\n"));
    g_assert_nonnull (strstr (data, "  sync_mode: TRIGGERED\n"));
    g_assert_nonnull (strstr (data, "  profile: \"007\"\n"));
    g_assert_nonnull (strstr (data, "  warehouse_id: \"yes\"\n"));
    g_assert_nonnull (strstr (data, "  capacity: CU_4\n"));
    g_assert_nonnull (strstr (data, "  primary_keys: [customer_id, région]\n"));
    g_assert_null (strstr (data, ".0\n"));
  }

  /* A field emptied although its default is not is written as "". */
  {
    g_autofree char *data = NULL;
    g_autoptr(LbWorkload) reloaded = NULL;

    lb_workload_set_profile (rich, NULL);
    data = save_data (rich);
    g_assert_nonnull (strstr (data, "  profile: \"\"\n"));
    reloaded = load_data (data);
    g_assert_null (lb_workload_get_profile (reloaded));
  }

  g_assert_finalize_object (g_steal_pointer (&sample));
  g_assert_finalize_object (g_steal_pointer (&rich));
}

static void
assert_in_order (const char         *text,
                 const char * const *needles)
{
  const char *previous = text;

  for (guint i = 0; needles[i] != NULL; i++)
    {
      const char *found = strstr (previous, needles[i]);

      if (found == NULL)
        g_error ("“%s” missing or out of order in:\n%s", needles[i], text);
      previous = found + strlen (needles[i]);
    }
}

static void
test_unknown_keys (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "unknown-keys.yml", NULL);
  g_autoptr(LbWorkload) workload = load_file (path);
  g_autoptr(LbWorkload) reloaded = NULL;
  g_autoptr(LbWorkload) edited = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *resaved = NULL;
  g_autofree char *edited_data = NULL;
  g_autofree char *file_contents = NULL;
  LbSyncedTable *table;

  /* The known values load around the unknown ones. */
  g_assert_cmpfloat (lb_workload_get_reads_per_second (workload), ==, 12000);
  g_assert_cmpfloat (lb_workload_get_bulk_writes_per_second (workload), ==, 1500);
  g_assert_cmpfloat (lb_workload_get_promotion_percentage (workload), ==, 12.5);
  g_assert_cmpuint (lb_workload_get_number_of_readable_secondaries (workload), ==, 2);
  g_assert_cmpfloat (lb_workload_get_estimated_data_deleted_daily_gb (workload), ==, 0.25);
  g_assert_cmpuint (lb_workload_get_restore_windows_days (workload), ==, 14);
  g_assert_cmpint (lb_workload_get_sync_mode (workload), ==, LB_SYNC_MODE_TRIGGERED);
  g_assert_cmpint (lb_workload_get_sync_frequency (workload), ==, LB_SYNC_FREQUENCY_PER_WEEK);
  g_assert_cmpint (lb_workload_get_flavour (workload), ==, LB_FLAVOUR_PROVISIONED);
  g_assert_cmpstr (lb_workload_get_warehouse_id (workload), ==, "0123");
  g_assert_cmpstr (lb_workload_get_capacity (workload), ==, "CU_2");
  g_assert_cmpuint (g_list_model_get_n_items (lb_workload_get_tables (workload)), ==, 2);
  table = get_table (workload, 1);
  g_assert_cmpstr (lb_synced_table_get_name (table), ==, "shop.serving.customers");
  g_assert_nonnull (_lb_synced_table_get_extra (table));
  g_assert_nonnull (_lb_workload_get_extra (workload));

  saved = save_data (workload);
  g_test_message ("%s", saved);
  /* Nothing changed, so the file comes back as it was, comment and all. */
  g_assert_true (g_file_get_contents (path, &file_contents, NULL, NULL));
  g_assert_cmpstr (saved, ==, file_contents);
  g_assert_nonnull (strstr (saved, "  continuous_writes_per_second: 600\n"));
  g_assert_nonnull (strstr (saved, "  number_of_continuous_pipelines: 1\n"));
  /* Defaults of our own map that the file did not have stay out. */
  g_assert_null (strstr (saved, "profile:"));
  g_assert_null (strstr (saved, "database_name:"));

  /* A second generation keeps everything too. */
  reloaded = load_data (saved);
  assert_workloads_equal (workload, reloaded);
  resaved = save_data (reloaded);
  g_assert_cmpstr (saved, ==, resaved);

  /* Edits go where the values were, and the unknown keys stay put. */
  edited = lb_workload_copy (reloaded);
  lb_workload_set_reads_per_second (edited, 9000);
  lb_synced_table_set_primary_keys (get_table (edited, 0),
                                    (const char * const []) { "order_id", "created_at", NULL });
  lb_workload_set_profile (edited, "prod");
  lb_workload_remove_table (edited, 1);
  edited_data = save_data (edited);
  g_test_message ("%s", edited_data);
  assert_in_order (edited_data, (const char * const []) {
    "# A workload written by a newer version of the web tool, plus our own keys.\n"
    "version: 2\n",
    "  reads_per_second: 9000\n  custom_knob: 1.50\n",
    "    - name: shop.serving.orders\n"
    "      comment: \"keep me\"\n"
    "      primary_keys:\n"
    "        - order_id\n"
    "        - created_at\n"
    "      owner: {team: x}\n",
    "  capacity: CU_2\n  profile: prod\n",
    "trailer:",
    NULL });
  g_assert_null (strstr (edited_data, "refresh:"));
  g_assert_null (strstr (edited_data, "shop.serving.customers"));

  g_assert_finalize_object (g_steal_pointer (&workload));
  g_assert_finalize_object (g_steal_pointer (&reloaded));
  g_assert_finalize_object (g_steal_pointer (&edited));
}

static void
test_stable_save (void)
{
  g_autofree char *sample_path = samples_path ("workload.yml");
  g_autofree char *unknown_path = g_test_build_filename (G_TEST_DIST, "data", "unknown-keys.yml",
                                                         NULL);
  g_autoptr(LbWorkload) sample = load_file (sample_path);
  g_autoptr(LbWorkload) unknown = load_file (unknown_path);
  g_autoptr(LbWorkload) rich = make_rich_workload ();
  g_autoptr(LbWorkload) empty = lb_workload_new ();
  LbWorkload *inputs[] = { sample, unknown, rich, empty };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autofree char *first = save_data (inputs[i]);
      g_autofree char *second = save_data (inputs[i]);
      g_autoptr(LbWorkload) reloaded = load_data (first);
      g_autofree char *third = save_data (reloaded);

      g_assert_cmpstr (first, ==, second);
      g_assert_cmpstr (first, ==, third);
    }

  g_assert_finalize_object (g_steal_pointer (&sample));
  g_assert_finalize_object (g_steal_pointer (&unknown));
  g_assert_finalize_object (g_steal_pointer (&rich));
  g_assert_finalize_object (g_steal_pointer (&empty));
}

static void
test_new_file_layout (void)
{
  g_autoptr(LbWorkload) workload = lb_workload_new ();
  g_autofree char *data = save_data (workload);
  g_autofree char *with_ours = NULL;
  g_autofree char *back_to_default = NULL;
  g_autoptr(LbWorkload) empty_ours = NULL;
  g_autofree char *empty_ours_data = NULL;

  g_assert_cmpstr (data, ==,
                   "database_instance:\n"
                   "  bulk_writes_per_second: 0\n"
                   "  continuous_writes_per_second: 0\n"
                   "  reads_per_second: 0\n"
                   "  number_of_readable_secondaries: 0\n"
                   "  readable_secondary_size_cu: 1\n"
                   "  promotion_percentage: 0\n"
                   "database_storage:\n"
                   "  data_stored_gb: 0\n"
                   "  estimated_data_deleted_daily_gb: 0\n"
                   "  restore_windows_days: 0\n"
                   "delta_synchronization:\n"
                   "  number_of_continuous_pipelines: 0\n"
                   "  expected_data_per_sync_gb: 0\n"
                   "  sync_mode: SNAPSHOT\n"
                   "  sync_frequency: \"Per day\"\n"
                   "  tables_to_sync: []\n");

  lb_workload_set_instance_name (workload, "retail-serving");
  lb_workload_set_flavour (workload, LB_FLAVOUR_PROVISIONED);
  with_ours = save_data (workload);
  g_assert_true (g_str_has_suffix (with_ours,
                                   "lakebase_accelerator:\n"
                                   "  flavour: provisioned\n"
                                   "  instance_name: retail-serving\n"));

  lb_workload_set_instance_name (workload, NULL);
  lb_workload_set_flavour (workload, LB_FLAVOUR_AUTOSCALING);
  back_to_default = save_data (workload);
  g_assert_cmpstr (back_to_default, ==, data);

  /* A map that was in the file stays, even when empty. */
  empty_ours = load_data ("lakebase_accelerator: {}\n");
  empty_ours_data = save_data (empty_ours);
  g_assert_true (g_str_has_prefix (empty_ours_data, "lakebase_accelerator: {}\n"));

  g_assert_finalize_object (g_steal_pointer (&workload));
  g_assert_finalize_object (g_steal_pointer (&empty_ours));
}

static void
test_empty_input (void)
{
  static const char * const empty_inputs[] = {
    "",
    "\n\n",
    "  \t\n \n",
    "# only a comment\n",
    "# two comments\n\n   # and a blank line\n",
    "---\n",
    "~\n",
  };
  static const char * const inputs[] = {
    "database_instance:\ndatabase_storage:\ndelta_synchronization:\n  tables_to_sync:\n",
    "database_instance:\n  reads_per_second:\n  promotion_percentage: ~\n",
  };

  /* Nothing to estimate: refused rather than silently taken as defaults. */
  for (guint i = 0; i < G_N_ELEMENTS (empty_inputs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LbWorkload) workload = lb_workload_new_from_data (empty_inputs[i], -1,
                                                                  "blank.yml", &error);

      g_assert_null (workload);
      g_assert_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_EMPTY);
      g_assert_cmpstr (error->message, ==, "blank.yml is empty: no workload in it");
    }

  /* Sections without values are a workload, at its defaults. */
  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(LbWorkload) workload = load_data (inputs[i]);
      g_autoptr(LbWorkload) defaults = lb_workload_new ();

      assert_workloads_equal (workload, defaults);
      g_assert_finalize_object (g_steal_pointer (&workload));
    }
}

static void
test_errors (void)
{
  static const struct {
    const char *yaml;
    int         code;
    const char *prefix;   /* "<input>:LINE:COLUMN: " and the start of the message */
  } cases[] = {
    /* Malformed YAML */
    { "database_instance:\n  reads_per_second: [1, 2\n",
      LB_WORKLOAD_ERROR_SYNTAX, "<input>:3:1: did not find expected" },
    { "a: b: c\n", LB_WORKLOAD_ERROR_SYNTAX, "<input>:1:5: mapping values are not allowed" },
    { "database_instance:\n  reads_per_second: 1\n bulk_writes_per_second: 2\n",
      LB_WORKLOAD_ERROR_SYNTAX, "<input>:3:2: did not find expected key" },
    { "a: \"unterminated\n", LB_WORKLOAD_ERROR_SYNTAX,
      "<input>:2:1: found unexpected end of stream" },
    { "a: 1\na: 2\n", LB_WORKLOAD_ERROR_SYNTAX,
      "<input>:2:1: Duplicate key “a” (first at line 1)" },
    { "database_instance:\n  reads_per_second: 1\n  reads_per_second: 2\n",
      LB_WORKLOAD_ERROR_SYNTAX, "<input>:3:3: Duplicate key “reads_per_second”" },
    { "a: *nowhere\n", LB_WORKLOAD_ERROR_SYNTAX, "<input>:1:4: Unknown alias “nowhere”" },
    { "a: 1\n---\nb: 2\n", LB_WORKLOAD_ERROR_SYNTAX,
      "<input>:2:1: A workload file holds a single YAML document" },
    { "a: 1\nb: \xff\n", LB_WORKLOAD_ERROR_SYNTAX, "<input>:2:4: invalid leading UTF-8 octet" },

    /* Top level and sections of the wrong shape */
    { "- a\n- b\n", LB_WORKLOAD_ERROR_TYPE, "<input>:1:1: The top level must be a map" },
    { "just text\n", LB_WORKLOAD_ERROR_TYPE, "<input>:1:1: The top level must be a map" },
    { "database_instance: 5\n", LB_WORKLOAD_ERROR_TYPE,
      "<input>:1:20: database_instance: expected a map of settings, found text" },
    { "database_storage:\n  - 1\n", LB_WORKLOAD_ERROR_TYPE,
      "<input>:2:3: database_storage: expected a map of settings, found a list" },
    { "lakebase_accelerator: [a]\n", LB_WORKLOAD_ERROR_TYPE,
      "<input>:1:23: lakebase_accelerator: expected a map of settings, found a list" },

    /* Values of the wrong type */
    { "database_instance:\n  reads_per_second: {a: 1}\n", LB_WORKLOAD_ERROR_TYPE,
      "<input>:2:21: reads_per_second: expected a number, found a map" },
    { "database_instance:\n  reads_per_second:\n    - 1\n", LB_WORKLOAD_ERROR_TYPE,
      "<input>:3:5: reads_per_second: expected a number, found a list" },
    { "database_storage:\n  data_stored_gb: lots\n", LB_WORKLOAD_ERROR_TYPE,
      "<input>:2:19: data_stored_gb: Must be a number of 0 or more" },
    { "database_storage:\n  data_stored_gb: true\n", LB_WORKLOAD_ERROR_TYPE,
      "<input>:2:19: data_stored_gb: Must be a number of 0 or more" },
    { "database_storage:\n  restore_windows_days: [7]\n", LB_WORKLOAD_ERROR_TYPE,
      "<input>:2:25: restore_windows_days: expected a whole number, found a list" },
    { "lakebase_accelerator:\n  profile: {a: b}\n", LB_WORKLOAD_ERROR_TYPE,
      "<input>:2:12: profile: expected text, found a map" },
    { "delta_synchronization:\n  sync_mode: [SNAPSHOT]\n", LB_WORKLOAD_ERROR_TYPE,
      "<input>:2:14: sync_mode: expected text, found a list" },

    /* Out of range */
    { "database_storage:\n  data_stored_gb: -5\n", LB_WORKLOAD_ERROR_RANGE,
      "<input>:2:19: data_stored_gb: Must be a number of 0 or more" },
    { "database_instance:\n  promotion_percentage: 150\n", LB_WORKLOAD_ERROR_RANGE,
      "<input>:2:25: promotion_percentage: Must be between 0 and 100" },
    { "database_instance:\n  promotion_percentage: \"100.5\"\n", LB_WORKLOAD_ERROR_RANGE,
      "<input>:2:25: promotion_percentage: Must be between 0 and 100" },
    { "delta_synchronization:\n  number_of_continuous_pipelines: -1\n", LB_WORKLOAD_ERROR_RANGE,
      "<input>:2:35: number_of_continuous_pipelines: Must be a whole number of 0 or more" },

    /* Not whole */
    { "database_storage:\n  restore_windows_days: 7.5\n", LB_WORKLOAD_ERROR_TYPE,
      "<input>:2:25: restore_windows_days: Must be a whole number" },
    { "database_instance:\n  number_of_readable_secondaries: 0.5\n", LB_WORKLOAD_ERROR_TYPE,
      "<input>:2:35: number_of_readable_secondaries: Must be a whole number" },

    /* Unknown values */
    { "delta_synchronization:\n  sync_mode: FAST\n", LB_WORKLOAD_ERROR_UNKNOWN_VALUE,
      "<input>:2:14: sync_mode: Unknown sync mode “FAST”: use SNAPSHOT, TRIGGERED or CONTINUOUS" },
    { "delta_synchronization:\n  sync_frequency: \"Per month\"\n", LB_WORKLOAD_ERROR_UNKNOWN_VALUE,
      "<input>:2:19: sync_frequency: Unknown sync frequency “Per month”" },
    { "lakebase_accelerator:\n  flavour: serverless\n", LB_WORKLOAD_ERROR_UNKNOWN_VALUE,
      "<input>:2:12: flavour: Unknown flavour “serverless”" },

    /* Tables */
    { "delta_synchronization:\n  tables_to_sync: {a: 1}\n", LB_WORKLOAD_ERROR_TYPE,
      "<input>:2:19: tables_to_sync: expected a list of tables, found a map" },
    { "delta_synchronization:\n  tables_to_sync:\n    - a.b.c\n", LB_WORKLOAD_ERROR_TYPE,
      "<input>:3:7: tables_to_sync: expected a map with name and primary_keys, found text" },
    { "delta_synchronization:\n  tables_to_sync:\n    - name: a.b\n      primary_keys: [id]\n",
      LB_WORKLOAD_ERROR_TABLE, "<input>:3:13: “a.b” is not a table name of the form catalog.schema.table" },
    { "delta_synchronization:\n  tables_to_sync:\n    - name: a..c\n      primary_keys: [id]\n",
      LB_WORKLOAD_ERROR_TABLE, "<input>:3:13: “a..c” is not a table name" },
    { "delta_synchronization:\n  tables_to_sync:\n    - name: a.b.c.d\n      primary_keys: [id]\n",
      LB_WORKLOAD_ERROR_TABLE, "<input>:3:13: “a.b.c.d” is not a table name" },
    { "delta_synchronization:\n  tables_to_sync:\n    - name: \"a.b.my table\"\n      primary_keys: [id]\n",
      LB_WORKLOAD_ERROR_TABLE, "<input>:3:13: “my table” in the table name “a.b.my table” may only use" },
    { "delta_synchronization:\n  tables_to_sync:\n    - name: [a, b]\n      primary_keys: [id]\n",
      LB_WORKLOAD_ERROR_TYPE, "<input>:3:13: name: expected text, found a list" },
    { "delta_synchronization:\n  tables_to_sync:\n    - primary_keys: [id]\n",
      LB_WORKLOAD_ERROR_TABLE, "<input>:3:7: This table has no name" },
    { "delta_synchronization:\n  tables_to_sync:\n    - name: a.b.c\n      scheduling_policy: SNAPSHOT\n",
      LB_WORKLOAD_ERROR_TABLE, "<input>:3:7: Table “a.b.c” has no primary_keys" },
    { "delta_synchronization:\n  tables_to_sync:\n    - name: a.b.c\n      primary_keys:\n",
      LB_WORKLOAD_ERROR_TABLE, "<input>:3:7: Table “a.b.c” has no primary_keys" },
    { "delta_synchronization:\n  tables_to_sync:\n    - name: a.b.c\n      primary_keys: []\n",
      LB_WORKLOAD_ERROR_TABLE, "<input>:4:21: Table “a.b.c” has no primary keys" },
    { "delta_synchronization:\n  tables_to_sync:\n    - name: a.b.c\n      primary_keys: id\n",
      LB_WORKLOAD_ERROR_TYPE, "<input>:4:21: primary_keys: expected a list of column names, found text" },
    { "delta_synchronization:\n  tables_to_sync:\n    - name: a.b.c\n      primary_keys: [id, {a: 1}]\n",
      LB_WORKLOAD_ERROR_TYPE, "<input>:4:26: primary_keys: expected a column name, found a map" },
    { "delta_synchronization:\n  tables_to_sync:\n    - name: a.b.c\n      primary_keys: [id, 1st]\n",
      LB_WORKLOAD_ERROR_TABLE, "<input>:4:26: “1st” is not a column name" },
    { "delta_synchronization:\n  tables_to_sync:\n    - name: a.b.c\n      primary_keys: [id, id]\n",
      LB_WORKLOAD_ERROR_TABLE, "<input>:4:26: Table “a.b.c” lists the primary key “id” twice" },
    { "delta_synchronization:\n  tables_to_sync:\n    - name: a.b.c\n      primary_keys: [id]\n"
      "      scheduling_policy: SOMETIMES\n",
      LB_WORKLOAD_ERROR_UNKNOWN_VALUE,
      "<input>:5:26: Unknown scheduling policy “SOMETIMES”: use SNAPSHOT, TRIGGERED or CONTINUOUS" },
    { "delta_synchronization:\n  tables_to_sync:\n    - name: a.b.c\n      primary_keys: [id]\n"
      "      scheduling_policy: {a: 1}\n",
      LB_WORKLOAD_ERROR_TYPE, "<input>:5:26: scheduling_policy: expected text, found a map" },
    { "delta_synchronization:\n  tables_to_sync:\n    - name: a.b.c\n      primary_keys: [id]\n"
      "    - name: x.y.z\n      primary_keys: [id]\n"
      "    - name: A.B.C\n      primary_keys: [id]\n",
      LB_WORKLOAD_ERROR_TABLE, "<input>:7:13: Table “A.B.C” is listed twice (first at line 3)" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LbWorkload) workload = NULL;
      g_autofree char *escaped = g_strescape (cases[i].yaml, NULL);

      g_test_message ("case %u: %s", i, escaped);
      workload = lb_workload_new_from_data (cases[i].yaml, -1, NULL, &error);
      g_assert_null (workload);
      g_assert_error (error, LB_WORKLOAD_ERROR, cases[i].code);
      if (!g_str_has_prefix (error->message, cases[i].prefix))
        g_error ("case %u: “%s” does not start with “%s”",
                 i, error->message, cases[i].prefix);
    }
}

static void
test_error_names (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "bad-number.yml", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) missing = g_file_new_for_path ("/nonexistent/dir/missing.yml");
  g_autoptr(GError) error = NULL;
  g_autoptr(LbWorkload) workload = NULL;

  workload = lb_workload_new_from_file (file, &error);
  g_assert_null (workload);
  g_assert_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_TYPE);
  g_assert_cmpstr (error->message, ==,
                   "bad-number.yml:3:21: reads_per_second: Must be a number of 0 or more");
  g_clear_error (&error);

  workload = lb_workload_new_from_data ("database_storage:\n  data_stored_gb: -1\n", -1,
                                        "shop.yml", &error);
  g_assert_null (workload);
  g_assert_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_RANGE);
  g_assert_cmpstr (error->message, ==,
                   "shop.yml:2:19: data_stored_gb: Must be a number of 0 or more");
  g_clear_error (&error);

  /* Only the given length counts. */
  workload = lb_workload_new_from_data ("database_storage:\n  data_stored_gb: 12GARBAGE", 38,
                                        NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (lb_workload_get_data_stored_gb (workload), ==, 12);
  g_clear_object (&workload);

  workload = lb_workload_new_from_file (missing, &error);
  g_assert_null (workload);
  g_assert_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, "missing.yml: "));
}

static void
test_save_to_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lb-workload-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) bad_file = g_file_new_for_path ("/nonexistent/dir/out.yml");
  g_autoptr(LbWorkload) workload = make_rich_workload ();
  g_autoptr(LbWorkload) reloaded = NULL;
  guint file_notify, changed;

  g_assert_no_error (error);
  path = g_build_filename (dir, "saved.yml", NULL);
  file = g_file_new_for_path (path);

  count_signal (workload, "notify::file", &file_notify);
  count_signal (workload, "changed", &changed);

  g_assert_true (lb_workload_save_to_file (workload, file, &error));
  g_assert_no_error (error);
  g_assert_true (lb_workload_get_file (workload) == file);
  g_assert_cmpuint (file_notify, ==, 1);
  g_assert_cmpuint (changed, ==, 0);

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  expected = save_data (workload);
  g_assert_cmpstr (contents, ==, expected);

  reloaded = load_file (path);
  assert_workloads_equal (workload, reloaded);
  g_assert_true (g_file_equal (lb_workload_get_file (reloaded), file));

  /* Saving over the file replaces it. */
  lb_workload_set_reads_per_second (reloaded, 42);
  g_assert_true (lb_workload_save_to_file (reloaded, file, &error));
  g_assert_no_error (error);
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_nonnull (strstr (contents, "  reads_per_second: 42\n"));

  g_assert_false (lb_workload_save_to_file (workload, bad_file, &error));
  g_assert_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, "out.yml: "));
  g_assert_true (lb_workload_get_file (workload) == file);
  g_clear_error (&error);

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);

  g_assert_finalize_object (g_steal_pointer (&workload));
  g_assert_finalize_object (g_steal_pointer (&reloaded));
}

static void
test_copy (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "unknown-keys.yml", NULL);
  g_autoptr(LbWorkload) workload = load_file (path);
  g_autoptr(LbWorkload) copy = lb_workload_copy (workload);
  g_autofree char *original_data = save_data (workload);
  g_autofree char *copy_data = save_data (copy);
  g_autofree char *after = NULL;

  assert_workloads_equal (workload, copy);
  g_assert_cmpstr (original_data, ==, copy_data);
  g_assert_true (lb_workload_get_file (copy) == lb_workload_get_file (workload));
  g_assert_true (get_table (copy, 0) != get_table (workload, 0));

  /* The copy is independent. */
  lb_workload_set_reads_per_second (copy, 1);
  lb_synced_table_set_name (get_table (copy, 0), "x.y.z");
  lb_workload_remove_table (copy, 1);
  g_assert_cmpfloat (lb_workload_get_reads_per_second (workload), ==, 12000);
  g_assert_cmpstr (lb_synced_table_get_name (get_table (workload, 0)), ==, "shop.serving.orders");
  g_assert_cmpuint (g_list_model_get_n_items (lb_workload_get_tables (workload)), ==, 2);
  after = save_data (workload);
  g_assert_cmpstr (after, ==, original_data);

  g_assert_finalize_object (g_steal_pointer (&copy));
  g_assert_finalize_object (g_steal_pointer (&workload));
}

static void
test_table_validation (void)
{
  static const char * const good_names[] = {
    "a.b.c", "main.default.orders", "Retail_2024.serving.order-lines", "kätalog.schema.tabelle",
  };
  static const char * const bad_names[] = {
    "", "a", "a.b", "a.b.c.d", ".b.c", "a..c", "a.b.", "a.b.c d", "a.b.c;", "a.`b`.c",
  };
  static const char * const good_keys[] = { "id", "_x", "order_id2", "région" };
  static const char * const bad_keys[] = { "", "1st", "a b", "a-b", "a.b" };
  static const char * const keys[] = { "id", NULL };
  static const char * const dup_keys[] = { "id", "ts", "id", NULL };
  static const char * const bad_key_list[] = { "id", "not valid", NULL };
  g_autoptr(LbSyncedTable) table = lb_synced_table_new ("a.b.c", keys, LB_SYNC_MODE_SNAPSHOT);
  g_autoptr(LbSyncedTable) no_keys = lb_synced_table_new ("a.b.d", NULL, LB_SYNC_MODE_SNAPSHOT);
  g_autoptr(LbSyncedTable) twin = lb_synced_table_new ("A.b.C", keys, LB_SYNC_MODE_CONTINUOUS);
  g_autoptr(LbWorkload) workload = lb_workload_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) read_keys = NULL;
  g_autofree char *read_name = NULL;
  guint read_policy;

  for (guint i = 0; i < G_N_ELEMENTS (good_names); i++)
    {
      g_assert_true (lb_synced_table_name_is_valid (good_names[i], &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_names); i++)
    {
      g_test_message ("name “%s”", bad_names[i]);
      g_assert_false (lb_synced_table_name_is_valid (bad_names[i], &error));
      g_assert_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_TABLE);
      g_clear_error (&error);
    }
  g_assert_false (lb_synced_table_name_is_valid (NULL, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (good_keys); i++)
    {
      g_assert_true (lb_synced_table_primary_key_is_valid (good_keys[i], &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_keys); i++)
    {
      g_assert_false (lb_synced_table_primary_key_is_valid (bad_keys[i], &error));
      g_assert_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_TABLE);
      g_clear_error (&error);
    }

  /* Properties */
  g_object_get (table, "name", &read_name, "primary-keys", &read_keys,
                "scheduling-policy", &read_policy, NULL);
  g_assert_cmpstr (read_name, ==, "a.b.c");
  g_assert_cmpstrv (read_keys, keys);
  g_assert_cmpuint (read_policy, ==, LB_SYNC_MODE_SNAPSHOT);
  g_assert_nonnull (lb_synced_table_get_primary_keys (no_keys));
  g_assert_null (lb_synced_table_get_primary_keys (no_keys)[0]);

  g_assert_true (lb_synced_table_validate (table, &error));
  g_assert_no_error (error);

  g_assert_false (lb_synced_table_validate (no_keys, &error));
  g_assert_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_TABLE);
  g_assert_cmpstr (error->message, ==, "Table “a.b.d” has no primary keys");
  g_clear_error (&error);

  lb_synced_table_set_primary_keys (no_keys, dup_keys);
  g_assert_false (lb_synced_table_validate (no_keys, &error));
  g_assert_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_TABLE);
  g_assert_cmpstr (error->message, ==, "Table “a.b.d” lists the primary key “id” twice");
  g_clear_error (&error);

  lb_synced_table_set_primary_keys (no_keys, bad_key_list);
  g_assert_false (lb_synced_table_validate (no_keys, &error));
  g_assert_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_TABLE);
  g_assert_true (g_str_has_prefix (error->message,
                                   "Table “a.b.d”: “not valid” is not a column name"));
  g_clear_error (&error);

  lb_synced_table_set_primary_keys (no_keys, keys);
  lb_synced_table_set_name (no_keys, "a.b");
  g_assert_false (lb_synced_table_validate (no_keys, &error));
  g_assert_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_TABLE);
  g_assert_true (strstr (error->message, "“a.b”") != NULL);
  g_clear_error (&error);

  /* Whole workload: every table valid, names unique (case-insensitively, as
   * Unity Catalog compares them). */
  lb_workload_add_table (workload, table);
  g_assert_true (lb_workload_validate (workload, &error));
  g_assert_no_error (error);
  lb_workload_add_table (workload, no_keys);
  g_assert_false (lb_workload_validate (workload, &error));
  g_assert_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_TABLE);
  g_clear_error (&error);
  lb_synced_table_set_name (no_keys, "a.b.d");
  g_assert_true (lb_workload_validate (workload, &error));
  g_assert_no_error (error);
  lb_workload_add_table (workload, twin);
  g_assert_false (lb_workload_validate (workload, &error));
  g_assert_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_TABLE);
  g_assert_cmpstr (error->message, ==, "Table “A.b.C” is listed twice");
  g_clear_error (&error);

  g_assert_finalize_object (g_steal_pointer (&workload));
  g_assert_finalize_object (g_steal_pointer (&table));
  g_assert_finalize_object (g_steal_pointer (&no_keys));
  g_assert_finalize_object (g_steal_pointer (&twin));
}

static void
test_ten_tables (void)
{
  static const LbSyncMode policies[] = {
    LB_SYNC_MODE_SNAPSHOT, LB_SYNC_MODE_TRIGGERED, LB_SYNC_MODE_CONTINUOUS,
  };
  g_autoptr(LbWorkload) workload = lb_workload_new ();
  g_autoptr(LbWorkload) reloaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_auto(GStrv) lines = NULL;
  guint n_names = 0;

  lb_workload_set_sync_mode (workload, LB_SYNC_MODE_TRIGGERED);
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *name = g_strdup_printf ("retail.serving.table_%02u", i);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) keys = NULL;
      g_autoptr(LbSyncedTable) table = NULL;

      for (guint k = 0; k <= i % 3; k++)
        {
          g_autofree char *key = g_strdup_printf ("key_%u", k);

          g_strv_builder_add (builder, key);
        }
      keys = g_strv_builder_end (builder);
      table = lb_synced_table_new (name, (const char * const *) keys, policies[i % 3]);
      lb_workload_add_table (workload, table);
    }

  g_assert_true (lb_workload_validate (workload, &error));
  g_assert_no_error (error);

  data = save_data (workload);
  lines = g_strsplit (data, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "  - name: retail.serving.table_"))
        n_names++;
    }
  g_assert_cmpuint (n_names, ==, 10);
  g_assert_nonnull (strstr (data, "  - name: retail.serving.table_05\n"
                                  "    primary_keys: [key_0, key_1, key_2]\n"
                                  "    scheduling_policy: CONTINUOUS\n"));

  reloaded = load_data (data);
  assert_workloads_equal (workload, reloaded);
  g_assert_cmpuint (g_list_model_get_n_items (lb_workload_get_tables (reloaded)), ==, 10);
  g_assert_cmpstr (lb_synced_table_get_name (get_table (reloaded, 9)), ==,
                   "retail.serving.table_09");
  g_assert_cmpint (lb_synced_table_get_scheduling_policy (get_table (reloaded, 4)), ==,
                   LB_SYNC_MODE_TRIGGERED);
  g_assert_true (lb_workload_validate (reloaded, &error));
  g_assert_no_error (error);

  g_assert_finalize_object (g_steal_pointer (&workload));
  g_assert_finalize_object (g_steal_pointer (&reloaded));
}

static void
test_aliases_and_limits (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbWorkload) workload = NULL;
  g_autoptr(GString) bomb = g_string_new ("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
  g_autoptr(GString) deep = g_string_new ("a: ");
  g_autofree char *data = NULL;

  /* Aliases resolve, for known values too, and are written out expanded. */
  workload = load_data ("defaults: &n 250\ndatabase_instance:\n  reads_per_second: *n\n");
  g_assert_cmpfloat (lb_workload_get_reads_per_second (workload), ==, 250);
  data = save_data (workload);
  g_assert_true (g_str_has_prefix (data,
                                   "defaults: 250\ndatabase_instance:\n  reads_per_second: 250\n"));
  g_clear_object (&workload);

  /* Aliases of aliases cannot blow up memory on save. */
  for (char c = 'b'; c <= 'h'; c++)
    {
      char p = c - 1;

      g_string_append_printf (bomb, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n",
                              c, c, p, p, p, p, p, p, p, p, p, p);
    }
  workload = lb_workload_new_from_data (bomb->str, -1, NULL, &error);
  g_assert_null (workload);
  g_assert_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_SYNTAX);
  g_assert_nonnull (strstr (error->message, "too large"));
  g_clear_error (&error);

  for (guint i = 0; i < 1000; i++)
    g_string_append_c (deep, '[');
  workload = lb_workload_new_from_data (deep->str, -1, NULL, &error);
  g_assert_null (workload);
  g_assert_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_SYNTAX);
}

/* Saving a loaded file */

static const char commented_workload[] =
  "# Retail serving workload, reviewed by the DBA team (équipe données)\n"
  "database_instance:\n"
  "  # peak traffic, measured in March\n"
  "  bulk_writes_per_second: 2000        # nightly backfill\n"
  "  continuous_writes_per_second: 300\n"
  "  reads_per_second: 8000              # point lookups\n"
  "\n"
  "  number_of_readable_secondaries: 1\n"
  "  readable_secondary_size_cu: 1\n"
  "  promotion_percentage: 12.50\n"
  "  custom_knob: 'keep'   # not ours\n"
  "\n"
  "database_storage:\n"
  "  data_stored_gb: 420\n"
  "  estimated_data_deleted_daily_gb: 2\n"
  "  restore_windows_days: 7\n"
  "\n"
  "delta_synchronization:\n"
  "  number_of_continuous_pipelines: 1\n"
  "  expected_data_per_sync_gb: 35\n"
  "  sync_mode: snapshot\n"
  "  sync_frequency: \"Per day\"\n"
  "  tables_to_sync:\n"
  "    # the hot tables first\n"
  "    - name: retail.serving.orders\n"
  "      primary_keys: [order_id]\n"
  "      scheduling_policy: CONTINUOUS\n"
  "    - name: retail.serving.customers   # CRM copy\n"
  "      primary_keys: [customer_id]\n"
  "      scheduling_policy: SNAPSHOT\n"
  "    - name: retail.serving.order_lines\n"
  "      primary_keys:\n"
  "        - order_id\n"
  "        - line_no\n"
  "      scheduling_policy: TRIGGERED\n"
  "\n"
  "lakebase_accelerator:\n"
  "  instance_name: 'retail-serving'\n"
  "  database_catalog: \"retail_pg\"\n"
  "  profile: DEFAULT    # ~/.databrickscfg\n"
  "metadata: {owner: dba, tags: [a, \"b c\"]}\n"
  "# end of file\n";

static char *
replace_all (const char *text,
             const char *old,
             const char *new)
{
  g_auto(GStrv) parts = g_strsplit (text, old, -1);

  return g_strjoinv (new, parts);
}

/* @expected is @original with line @index (from 0) replaced by @line, or
 * with @line inserted there (@insert), or with @n_removed lines removed. */
static char *
edit_lines (const char *original,
            const char *eol,
            guint       index,
            const char *line,
            gboolean    insert,
            guint       n_removed)
{
  g_auto(GStrv) lines = g_strsplit (original, eol, -1);
  g_autoptr(GPtrArray) out = g_ptr_array_new ();

  g_assert_cmpuint (index, <, g_strv_length (lines));
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (i == index && line != NULL)
        g_ptr_array_add (out, (gpointer) line);
      if (i >= index && i < index + n_removed)
        continue;
      if (i == index && line != NULL && !insert)
        continue;
      g_ptr_array_add (out, lines[i]);
    }
  g_ptr_array_add (out, NULL);

  return g_strjoinv (eol, (char **) out->pdata);
}

/* Compares line by line, so a failure names the first line that differs. */
static void
assert_same_lines (const char *actual,
                   const char *expected)
{
  g_auto(GStrv) actual_lines = g_strsplit (actual, "\n", -1);
  g_auto(GStrv) expected_lines = g_strsplit (expected, "\n", -1);

  for (guint i = 0; actual_lines[i] != NULL && expected_lines[i] != NULL; i++)
    {
      if (g_strcmp0 (actual_lines[i], expected_lines[i]) != 0)
        g_error ("line %u is “%s”, expected “%s”, in:\n%s", i + 1, actual_lines[i],
                 expected_lines[i], actual);
    }
  g_assert_cmpuint (g_strv_length (actual_lines), ==, g_strv_length (expected_lines));
  g_assert_cmpstr (actual, ==, expected);
}

static void
test_splice_unchanged (void)
{
  g_autofree char *crlf = replace_all (commented_workload, "\n", "\r\n");
  g_autofree char *no_final_newline = g_strndup (commented_workload,
                                                 strlen (commented_workload) - 1);
  g_autofree char *sample_path = samples_path ("workload.yml");
  g_autofree char *sample = NULL;
  const char *inputs[] = { commented_workload, crlf, no_final_newline, NULL };

  g_assert_true (g_file_get_contents (sample_path, &sample, NULL, NULL));
  inputs[3] = sample;

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(LbWorkload) workload = load_data (inputs[i]);
      g_autoptr(LbWorkload) copy = lb_workload_copy (workload);
      g_autofree char *saved = save_data (workload);
      g_autofree char *copy_saved = save_data (copy);

      /* Byte for byte, also for a copy (the form edits one). */
      g_assert_cmpstr (saved, ==, inputs[i]);
      g_assert_cmpstr (copy_saved, ==, inputs[i]);

      g_assert_finalize_object (g_steal_pointer (&workload));
      g_assert_finalize_object (g_steal_pointer (&copy));
    }
}

static void
test_splice_one_field (void)
{
  static const struct {
    const char *section;
    const char *key;
    const char *value;
    guint       line;  /* from 0 */
    const char *expected;
  } cases[] = {
    { "database_instance", "reads_per_second", "9000",
      5, "  reads_per_second: 9000              # point lookups" },
    { "database_instance", "bulk_writes_per_second", "2500.5",
      3, "  bulk_writes_per_second: 2500.5        # nightly backfill" },
    { "database_instance", "promotion_percentage", "20",
      9, "  promotion_percentage: 20" },
    { "database_storage", "restore_windows_days", "14",
      15, "  restore_windows_days: 14" },
    { "delta_synchronization", "sync_mode", "TRIGGERED",
      20, "  sync_mode: TRIGGERED" },
    { "delta_synchronization", "sync_frequency", "Per hour",
      21, "  sync_frequency: \"Per hour\"" },
    /* Single quotes stay single, double stay double, plain stays plain. */
    { "lakebase_accelerator", "instance_name", "shop-serving",
      37, "  instance_name: 'shop-serving'" },
    { "lakebase_accelerator", "database_catalog", "shop_pg",
      38, "  database_catalog: \"shop_pg\"" },
    { "lakebase_accelerator", "profile", "prod",
      39, "  profile: prod    # ~/.databrickscfg" },
    /* Text that would read as a number gets quotes. */
    { "lakebase_accelerator", "profile", "007",
      39, "  profile: \"007\"    # ~/.databrickscfg" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LbWorkload) workload = load_data (commented_workload);
      g_autoptr(LbWorkload) reloaded = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *saved = NULL;
      g_autofree char *expected = NULL;

      g_test_message ("%s.%s = %s", cases[i].section, cases[i].key, cases[i].value);
      g_assert_true (lb_workload_set_field_from_string (workload,
                                                        field (cases[i].section, cases[i].key),
                                                        cases[i].value, &error));
      g_assert_no_error (error);

      saved = save_data (workload);
      expected = edit_lines (commented_workload, "\n", cases[i].line, cases[i].expected,
                             FALSE, 0);
      assert_same_lines (saved, expected);

      reloaded = load_data (saved);
      assert_workloads_equal (workload, reloaded);
      g_assert_finalize_object (g_steal_pointer (&workload));
      g_assert_finalize_object (g_steal_pointer (&reloaded));
    }

  /* The same in a file with CRLF line breaks. */
  {
    g_autofree char *crlf = replace_all (commented_workload, "\n", "\r\n");
    g_autoptr(LbWorkload) workload = load_data (crlf);
    g_autofree char *saved = NULL;
    g_autofree char *expected = NULL;

    lb_workload_set_reads_per_second (workload, 9000);
    saved = save_data (workload);
    expected = edit_lines (crlf, "\r\n", 5, "  reads_per_second: 9000              # point lookups",
                           FALSE, 0);
    g_assert_cmpstr (saved, ==, expected);
    g_assert_finalize_object (g_steal_pointer (&workload));
  }
}

static void
test_splice_tables (void)
{
  /* Edits of a table stay on their line. */
  {
    g_autoptr(LbWorkload) workload = load_data (commented_workload);
    g_autofree char *saved = NULL;
    g_autofree char *expected = NULL;
    g_autofree char *expected_1 = NULL;
    g_autofree char *expected_2 = NULL;

    lb_synced_table_set_name (get_table (workload, 1), "retail.serving.clients");
    lb_synced_table_set_scheduling_policy (get_table (workload, 0), LB_SYNC_MODE_TRIGGERED);
    lb_synced_table_set_primary_keys (get_table (workload, 0),
                                      (const char * const []) { "order_id", "shop_id", NULL });
    saved = save_data (workload);
    expected_1 = edit_lines (commented_workload, "\n", 27,
                             "    - name: retail.serving.clients   # CRM copy", FALSE, 0);
    expected_2 = edit_lines (expected_1, "\n", 26, "      scheduling_policy: TRIGGERED", FALSE, 0);
    expected = edit_lines (expected_2, "\n", 25, "      primary_keys: [order_id, shop_id]",
                           FALSE, 0);
    assert_same_lines (saved, expected);
    g_assert_finalize_object (g_steal_pointer (&workload));
  }

  /* A block list of keys gains and loses items line by line. */
  {
    g_autoptr(LbWorkload) workload = load_data (commented_workload);
    g_autofree char *saved = NULL;
    g_autofree char *expected = NULL;

    lb_synced_table_set_primary_keys (get_table (workload, 2),
                                      (const char * const []) { "order_id", "line_no",
                                                                "shop_id", NULL });
    saved = save_data (workload);
    expected = edit_lines (commented_workload, "\n", 34, "        - shop_id", TRUE, 0);
    assert_same_lines (saved, expected);

    g_clear_pointer (&saved, g_free);
    g_clear_pointer (&expected, g_free);
    lb_synced_table_set_primary_keys (get_table (workload, 2),
                                      (const char * const []) { "order_id", NULL });
    saved = save_data (workload);
    expected = edit_lines (commented_workload, "\n", 33, NULL, FALSE, 1);
    assert_same_lines (saved, expected);
    g_assert_finalize_object (g_steal_pointer (&workload));
  }

  /* A removed table's lines are cut, nothing else moves. */
  {
    g_autoptr(LbWorkload) workload = load_data (commented_workload);
    g_autoptr(LbWorkload) reloaded = NULL;
    g_autofree char *saved = NULL;
    g_autofree char *expected = NULL;

    lb_workload_remove_table (workload, 1);
    saved = save_data (workload);
    expected = edit_lines (commented_workload, "\n", 27, NULL, FALSE, 3);
    assert_same_lines (saved, expected);
    reloaded = load_data (saved);
    assert_workloads_equal (workload, reloaded);
    g_assert_finalize_object (g_steal_pointer (&workload));
    g_assert_finalize_object (g_steal_pointer (&reloaded));
  }

  /* An added table goes after the last one, in the list's indentation. */
  {
    g_autoptr(LbWorkload) workload = load_data (commented_workload);
    g_autoptr(LbSyncedTable) table = lb_synced_table_new ("retail.serving.returns",
                                                          (const char * const []) { "return_id",
                                                                                    NULL },
                                                          LB_SYNC_MODE_TRIGGERED);
    g_autofree char *saved = NULL;
    g_autofree char *expected = NULL;
    g_autofree char *expected_1 = NULL;
    g_autofree char *expected_2 = NULL;

    lb_workload_add_table (workload, table);
    saved = save_data (workload);
    expected_1 = edit_lines (commented_workload, "\n", 35, "    - name: retail.serving.returns",
                             TRUE, 0);
    expected_2 = edit_lines (expected_1, "\n", 36, "      primary_keys: [return_id]", TRUE, 0);
    expected = edit_lines (expected_2, "\n", 37, "      scheduling_policy: TRIGGERED", TRUE, 0);
    assert_same_lines (saved, expected);

    /* Removing every table leaves "tables_to_sync:", which reads as none. */
    g_clear_pointer (&saved, g_free);
    while (g_list_model_get_n_items (lb_workload_get_tables (workload)) > 0)
      lb_workload_remove_table (workload, 0);
    saved = save_data (workload);
    g_clear_pointer (&expected, g_free);
    expected = edit_lines (commented_workload, "\n", 24, NULL, FALSE, 11);
    assert_same_lines (saved, expected);
    {
      g_autoptr(LbWorkload) reloaded = load_data (saved);
      g_assert_cmpuint (g_list_model_get_n_items (lb_workload_get_tables (reloaded)), ==, 0);
      g_assert_finalize_object (g_steal_pointer (&reloaded));
    }
    g_assert_finalize_object (g_steal_pointer (&workload));
  }

  /* A first table under an empty "tables_to_sync:". */
  {
    static const char text[] =
      "delta_synchronization:\n"
      "  tables_to_sync:   # none yet\n"
      "  sync_mode: TRIGGERED\n";
    g_autoptr(LbWorkload) workload = load_data (text);
    g_autoptr(LbSyncedTable) table = lb_synced_table_new ("a.b.c",
                                                          (const char * const []) { "id", NULL },
                                                          LB_SYNC_MODE_SNAPSHOT);
    g_autofree char *saved = NULL;

    lb_workload_add_table (workload, table);
    saved = save_data (workload);
    assert_same_lines (saved,
                       "delta_synchronization:\n"
                       "  tables_to_sync:   # none yet\n"
                       "    - name: a.b.c\n"
                       "      primary_keys: [id]\n"
                       "      scheduling_policy: SNAPSHOT\n"
                       "  sync_mode: TRIGGERED\n");
    g_assert_finalize_object (g_steal_pointer (&workload));
  }
}

static void
test_splice_new_keys (void)
{
  static const char two_spaces[] =
    "# sized for the pilot\n"
    "database_instance:\n"
    "  reads_per_second: 100    # guess\n"
    "  # more to come\n"
    "\n"
    "database_storage:\n"
    "  data_stored_gb: 10";   /* no final line break */
  g_autofree char *four_spaces = replace_all (two_spaces, "\n  ", "\n    ");
  const char *inputs[] = { two_spaces, four_spaces };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      const char *indent = i == 0 ? "  " : "    ";
      g_autoptr(LbWorkload) workload = load_data (inputs[i]);
      g_autoptr(LbWorkload) reloaded = NULL;
      g_autofree char *unchanged = save_data (workload);
      g_autofree char *saved = NULL;
      g_autofree char *expected = NULL;

      /* Keys a file did without stay out while they are at their default. */
      g_assert_cmpstr (unchanged, ==, inputs[i]);

      lb_workload_set_promotion_percentage (workload, 5);
      lb_workload_set_restore_windows_days (workload, 3);
      lb_workload_set_warehouse_id (workload, "abc123");
      saved = save_data (workload);
      expected = g_strdup_printf ("# sized for the pilot\n"
                                  "database_instance:\n"
                                  "%sreads_per_second: 100    # guess\n"
                                  "%spromotion_percentage: 5\n"
                                  "%s# more to come\n"
                                  "\n"
                                  "database_storage:\n"
                                  "%sdata_stored_gb: 10\n"
                                  "%srestore_windows_days: 3\n"
                                  "lakebase_accelerator:\n"
                                  "%swarehouse_id: abc123",
                                  indent, indent, indent, indent, indent, indent);
      assert_same_lines (saved, expected);

      reloaded = load_data (saved);
      assert_workloads_equal (workload, reloaded);
      g_assert_finalize_object (g_steal_pointer (&workload));
      g_assert_finalize_object (g_steal_pointer (&reloaded));
    }
}

/* A flow map that gains a key is rewritten on its own line only. */
static void
test_splice_flow_section (void)
{
  static const char text[] =
    "# tiny\n"
    "database_storage: {data_stored_gb: 10}   # flow\n"
    "database_instance:\n"
    "  reads_per_second: 5\n";
  g_autoptr(LbWorkload) workload = load_data (text);
  g_autofree char *saved = NULL;

  lb_workload_set_restore_windows_days (workload, 3);
  saved = save_data (workload);
  assert_same_lines (saved,
                     "# tiny\n"
                     "database_storage: {data_stored_gb: 10, restore_windows_days: 3}   # flow\n"
                     "database_instance:\n"
                     "  reads_per_second: 5\n");
  g_assert_finalize_object (g_steal_pointer (&workload));
}

/* What a splice cannot do safely is written in full, still correct. */
static void
test_splice_fallback (void)
{
  static const char * const inputs[] = {
    "{database_instance: {reads_per_second: 1}}\n",
    "base: &base 1\ndatabase_instance:\n  reads_per_second: *base  # alias\n",
    "database_instance:\n  reads_per_second: !!str 7\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(LbWorkload) workload = load_data (inputs[i]);
      g_autoptr(LbWorkload) reloaded = NULL;
      g_autofree char *saved = NULL;

      lb_workload_set_reads_per_second (workload, 250);
      lb_workload_set_promotion_percentage (workload, 5);
      saved = save_data (workload);
      g_test_message ("%s", saved);
      reloaded = load_data (saved);
      assert_workloads_equal (workload, reloaded);
      g_assert_finalize_object (g_steal_pointer (&workload));
      g_assert_finalize_object (g_steal_pointer (&reloaded));
    }
}

static void
test_empty_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lb-workload-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "blank.lakebase.yml", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(LbWorkload) workload = NULL;

  g_assert_true (g_file_set_contents (path, "# nothing here yet\n\n", -1, &error));
  workload = lb_workload_new_from_file (file, &error);
  g_assert_null (workload);
  g_assert_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_EMPTY);
  g_assert_cmpstr (error->message, ==, "blank.lakebase.yml is empty: no workload in it");

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* lakebase_accelerator.branch: production unless set, kept on save next
 * to unknown keys, and left out while at its default. */
static void
test_branch_key (void)
{
  const char *yaml = "lakebase_accelerator:\n"
                     "  instance_name: shop\n"
                     "  branch: load-test   # where the tables go\n"
                     "  future_key: kept\n";
  g_autoptr(LbWorkload) defaults = lb_workload_new ();
  g_autoptr(LbWorkload) workload = NULL;
  g_autoptr(LbWorkload) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *resaved = NULL;

  g_assert_cmpstr (lb_workload_get_branch (defaults), ==, "production");
  saved = lb_workload_to_data (defaults, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (strstr (saved, "branch"));
  g_clear_pointer (&saved, g_free);

  workload = lb_workload_new_from_data (yaml, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lb_workload_get_branch (workload), ==, "load-test");
  saved = lb_workload_to_data (workload, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (saved, "  branch: load-test   # where the tables go\n"));
  g_assert_nonnull (strstr (saved, "future_key: kept"));

  lb_workload_set_branch (workload, "dev");
  resaved = lb_workload_to_data (workload, NULL, &error);
  g_assert_no_error (error);
  again = lb_workload_new_from_data (resaved, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lb_workload_get_branch (again), ==, "dev");
  g_assert_nonnull (strstr (resaved, "future_key: kept"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  lb_core_init ();

  g_test_add_func ("/workload/defaults", test_defaults);
  g_test_add_func ("/workload/fields", test_fields);
  g_test_add_func ("/workload/notify", test_notify);
  g_test_add_func ("/workload/tables-changed", test_tables_changed);
  g_test_add_func ("/workload/set-field/good", test_set_field_good);
  g_test_add_func ("/workload/set-field/bad", test_set_field_bad);
  g_test_add_func ("/workload/yaml/load-sample", test_load_sample);
  g_test_add_func ("/workload/yaml/round-trip", test_round_trip);
  g_test_add_func ("/workload/yaml/unknown-keys", test_unknown_keys);
  g_test_add_func ("/workload/yaml/stable-save", test_stable_save);
  g_test_add_func ("/workload/yaml/new-file-layout", test_new_file_layout);
  g_test_add_func ("/workload/yaml/empty-input", test_empty_input);
  g_test_add_func ("/workload/yaml/errors", test_errors);
  g_test_add_func ("/workload/yaml/error-names", test_error_names);
  g_test_add_func ("/workload/yaml/save-to-file", test_save_to_file);
  g_test_add_func ("/workload/yaml/aliases-and-limits", test_aliases_and_limits);
  g_test_add_func ("/workload/yaml/empty-file", test_empty_file);
  g_test_add_func ("/workload/yaml/splice/unchanged", test_splice_unchanged);
  g_test_add_func ("/workload/yaml/splice/one-field", test_splice_one_field);
  g_test_add_func ("/workload/yaml/splice/tables", test_splice_tables);
  g_test_add_func ("/workload/yaml/splice/new-keys", test_splice_new_keys);
  g_test_add_func ("/workload/yaml/splice/flow-section", test_splice_flow_section);
  g_test_add_func ("/workload/yaml/splice/fallback", test_splice_fallback);
  g_test_add_func ("/workload/copy", test_copy);
  g_test_add_func ("/workload/branch-key", test_branch_key);
  g_test_add_func ("/workload/table-validation", test_table_validation);
  g_test_add_func ("/workload/ten-tables", test_ten_tables);

  return g_test_run ();
}
