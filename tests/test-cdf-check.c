/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Change Data Feed check against the fake workspace: tables with the
 * feed on and off and a view, under each scheduling policy; through the
 * warehouse (SHOW TBLPROPERTIES) and through Unity Catalog alone; the ALTER
 * TABLE run on the warehouse, after which the check passes; a view cannot
 * be altered; an unknown table is "could not be checked". */
#include "config.h"

#include <string.h>

#include "lb-cdf-check.h"
#include "lb-fake-workspace-sql.h"
#include "lb-synced-table.h"
#include "lb-table-sizer.h"
#include "lb-test-utils.h"

typedef struct
{
  LbFakeWorkspace    *fake;
  LbDatabricksClient *client;
  LbCdfCheck         *check;
} Fixture;

typedef struct
{
  gboolean   done;
  GPtrArray *results;
  gboolean   ok;
  GError    *error;
} Result;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(LbDatabricksAuth) auth = NULL;
  g_autoptr(GError) error = NULL;
  static const char * const keys[] = { "id", NULL };

  fixture->fake = lb_fake_workspace_new ();
  lb_fake_workspace_set_polls_until_ready (fixture->fake, 1);
  lb_fake_workspace_sql_add_table (fixture->fake, "shop.sales.orders", 1000, keys, TRUE);
  lb_fake_workspace_sql_add_table (fixture->fake, "shop.sales.customers", 1000, keys, FALSE);
  lb_fake_workspace_sql_add_view (fixture->fake, "shop.sales.orders_view");

  auth = lb_databricks_auth_new_for_token (lb_fake_workspace_get_url (fixture->fake),
                                           lb_fake_workspace_get_token (fixture->fake));
  fixture->client = lb_databricks_client_new (auth, &error);
  g_assert_no_error (error);
  g_object_set (fixture->client, "retry-base-ms", 5, "retry-budget-ms", 5000, NULL);

  fixture->check = lb_cdf_check_new (fixture->client);
  g_object_set (fixture->check, "warehouse-id", "wh-serverless", "poll-base-ms", 2, NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_assert_finalize_object (fixture->check);
  g_assert_finalize_object (fixture->client);
  g_clear_pointer (&fixture->fake, lb_fake_workspace_free);
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Result *r = user_data;

  r->results = lb_cdf_check_run_finish (LB_CDF_CHECK (object), result, &r->error);
  r->done = TRUE;
}

static void
enable_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Result *r = user_data;

  r->ok = lb_cdf_check_enable_finish (LB_CDF_CHECK (object), result, &r->error);
  r->done = TRUE;
}

static GListStore *
make_tables (LbSyncMode policy)
{
  GListStore *tables = g_list_store_new (LB_TYPE_SYNCED_TABLE);
  static const char * const keys[] = { "id", NULL };
  const char *names[] = { "shop.sales.orders", "shop.sales.customers", "shop.sales.orders_view" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(LbSyncedTable) table = lb_synced_table_new (names[i], keys, policy);

      g_list_store_append (tables, table);
    }
  return tables;
}

static GPtrArray *
run_check (Fixture    *fixture,
           GListModel *tables)
{
  Result r = { 0, };

  lb_cdf_check_run_async (fixture->check, tables, NULL, run_done_cb, &r);
  lb_test_spin_until (&r.done, 30);
  g_assert_no_error (r.error);
  g_assert_nonnull (r.results);
  return r.results;
}

static const LbCdfResult *
result_at (GPtrArray *results,
           guint      i)
{
  g_assert_cmpuint (i, <, results->len);
  return g_ptr_array_index (results, i);
}

static void
check_policy (Fixture    *fixture,
              LbSyncMode  policy)
{
  g_autoptr(GListStore) tables = make_tables (policy);
  g_autoptr(GPtrArray) results = run_check (fixture, G_LIST_MODEL (tables));
  gboolean needs = policy != LB_SYNC_MODE_SNAPSHOT;
  g_autofree char *view_message = NULL;
  g_autofree char *off_message = NULL;
  g_autofree char *fix = NULL;

  g_assert_cmpuint (results->len, ==, 3);
  g_assert_cmpstr (result_at (results, 0)->table_name, ==, "shop.sales.orders");
  g_assert_cmpint (result_at (results, 0)->state, ==, LB_CDF_STATE_ON);
  g_assert_false (result_at (results, 0)->blocking);
  g_assert_cmpstr (result_at (results, 0)->table_type, ==, "MANAGED");

  g_assert_cmpint (result_at (results, 1)->state, ==, LB_CDF_STATE_OFF);
  g_assert_cmpint (result_at (results, 1)->blocking, ==, needs);

  g_assert_cmpint (result_at (results, 2)->state, ==, LB_CDF_STATE_VIEW);
  g_assert_cmpstr (result_at (results, 2)->table_type, ==, "VIEW");
  g_assert_cmpint (result_at (results, 2)->blocking, ==, needs);

  g_assert_cmpuint (lb_cdf_results_count_blocking (results), ==, needs ? 2 : 0);

  view_message = lb_cdf_result_dup_message (result_at (results, 2));
  off_message = lb_cdf_result_dup_message (result_at (results, 1));
  fix = lb_cdf_result_dup_fix_sql (result_at (results, 1));
  if (needs)
    {
      g_assert_cmpstr (view_message, ==, "orders_view: a view cannot have change data feed — use Snapshot");
      g_assert_nonnull (strstr (off_message, lb_sync_mode_get_label (policy)));
      g_assert_cmpstr (fix, ==,
                       "ALTER TABLE `shop`.`sales`.`customers` SET TBLPROPERTIES (delta.enableChangeDataFeed = true)");
      /* A view gets no ALTER: only Snapshot fixes it. */
      g_assert_null (lb_cdf_result_dup_fix_sql (result_at (results, 2)));
    }
  else
    g_assert_null (fix);

  /* Read through the warehouse: one SHOW TBLPROPERTIES per Delta table, none for the view. */
  {
    g_auto(GStrv) shows = lb_fake_workspace_sql_dup_statements (fixture->fake, "SHOW TBLPROPERTIES");

    /* The tables are checked side by side: their statements arrive in any order. */
    g_assert_cmpuint (g_strv_length (shows), ==, 2);
    g_assert_true (g_strv_contains ((const char * const *) shows,
                                    "SHOW TBLPROPERTIES `shop`.`sales`.`orders` ('delta.enableChangeDataFeed')"));
    g_assert_true (g_strv_contains ((const char * const *) shows,
                                    "SHOW TBLPROPERTIES `shop`.`sales`.`customers` ('delta.enableChangeDataFeed')"));
  }
}

static void
test_snapshot (Fixture *fixture, gconstpointer data) { check_policy (fixture, LB_SYNC_MODE_SNAPSHOT); }
static void
test_triggered (Fixture *fixture, gconstpointer data) { check_policy (fixture, LB_SYNC_MODE_TRIGGERED); }
static void
test_continuous (Fixture *fixture, gconstpointer data) { check_policy (fixture, LB_SYNC_MODE_CONTINUOUS); }

static void
test_without_warehouse (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GListStore) tables = make_tables (LB_SYNC_MODE_TRIGGERED);
  g_autoptr(GPtrArray) results = NULL;
  g_auto(GStrv) statements = NULL;

  lb_cdf_check_set_warehouse_id (fixture->check, NULL);
  results = run_check (fixture, G_LIST_MODEL (tables));

  /* Unity Catalog's properties answer alike, and no statement is run. */
  g_assert_cmpint (result_at (results, 0)->state, ==, LB_CDF_STATE_ON);
  g_assert_cmpint (result_at (results, 1)->state, ==, LB_CDF_STATE_OFF);
  g_assert_cmpint (result_at (results, 2)->state, ==, LB_CDF_STATE_VIEW);
  g_assert_cmpuint (lb_cdf_results_count_blocking (results), ==, 2);
  statements = lb_fake_workspace_sql_dup_statements (fixture->fake, NULL);
  g_assert_cmpuint (g_strv_length (statements), ==, 0);
}

static void
test_enable_then_passes (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GListStore) tables = make_tables (LB_SYNC_MODE_CONTINUOUS);
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_auto(GStrv) alters = NULL;
  Result r = { 0, };

  before = run_check (fixture, G_LIST_MODEL (tables));
  g_assert_true (result_at (before, 1)->blocking);
  g_assert_false (lb_fake_workspace_sql_get_change_data_feed (fixture->fake, "shop.sales.customers"));

  lb_cdf_check_enable_async (fixture->check, "shop.sales.customers", NULL, enable_done_cb, &r);
  lb_test_spin_until (&r.done, 30);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);

  /* The fake recorded the exact statement and the table has the feed now. */
  alters = lb_fake_workspace_sql_dup_statements (fixture->fake, "ALTER TABLE");
  g_assert_cmpuint (g_strv_length (alters), ==, 1);
  g_assert_cmpstr (alters[0], ==,
                   "ALTER TABLE `shop`.`sales`.`customers` SET TBLPROPERTIES (delta.enableChangeDataFeed = true)");
  g_assert_true (lb_fake_workspace_sql_get_change_data_feed (fixture->fake, "shop.sales.customers"));

  after = run_check (fixture, G_LIST_MODEL (tables));
  g_assert_cmpint (result_at (after, 1)->state, ==, LB_CDF_STATE_ON);
  g_assert_false (result_at (after, 1)->blocking);
  /* The view still blocks: only Snapshot helps there. */
  g_assert_true (result_at (after, 2)->blocking);
  g_assert_cmpuint (lb_cdf_results_count_blocking (after), ==, 1);
}

static void
test_enable_view_fails (Fixture       *fixture,
                        gconstpointer  data)
{
  Result r = { 0, };

  lb_cdf_check_enable_async (fixture->check, "shop.sales.orders_view", NULL, enable_done_cb, &r);
  lb_test_spin_until (&r.done, 30);
  g_assert_false (r.ok);
  g_assert_error (r.error, LB_TABLE_SIZER_ERROR, LB_TABLE_SIZER_ERROR_FAILED);
  g_assert_nonnull (strstr (r.error->message, "EXPECT_TABLE_NOT_VIEW"));
  g_clear_error (&r.error);
}

static void
test_unknown_table (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GListStore) tables = g_list_store_new (LB_TYPE_SYNCED_TABLE);
  g_autoptr(LbSyncedTable) table = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autofree char *message = NULL;
  static const char * const keys[] = { "id", NULL };

  table = lb_synced_table_new ("shop.sales.nope", keys, LB_SYNC_MODE_TRIGGERED);
  g_list_store_append (tables, table);
  results = run_check (fixture, G_LIST_MODEL (tables));

  g_assert_cmpint (result_at (results, 0)->state, ==, LB_CDF_STATE_UNKNOWN);
  g_assert_false (result_at (results, 0)->blocking);
  g_assert_error (result_at (results, 0)->error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NOT_FOUND);
  message = lb_cdf_result_dup_message (result_at (results, 0));
  g_assert_true (g_str_has_prefix (message, "nope: could not be checked: "));
}

static void
test_statements (void)
{
  g_autofree char *sql = lb_cdf_build_enable_statement ("a.b-c.t`x");

  g_assert_cmpstr (sql, ==, "ALTER TABLE `a`.`b-c`.`t``x` SET TBLPROPERTIES (delta.enableChangeDataFeed = true)");
  g_assert_false (lb_sync_mode_needs_change_data_feed (LB_SYNC_MODE_SNAPSHOT));
  g_assert_true (lb_sync_mode_needs_change_data_feed (LB_SYNC_MODE_TRIGGERED));
  g_assert_true (lb_sync_mode_needs_change_data_feed (LB_SYNC_MODE_CONTINUOUS));
  g_assert_nonnull (strstr (lb_cdf_get_sync_mode_note (), "cannot be changed"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/cdf-check/snapshot", test_snapshot);
  ADD ("/cdf-check/triggered", test_triggered);
  ADD ("/cdf-check/continuous", test_continuous);
  ADD ("/cdf-check/without-warehouse", test_without_warehouse);
  ADD ("/cdf-check/enable-then-passes", test_enable_then_passes);
  ADD ("/cdf-check/enable-view-fails", test_enable_view_fails);
  ADD ("/cdf-check/unknown-table", test_unknown_table);
#undef ADD
  g_test_add_func ("/cdf-check/statements", test_statements);

  return g_test_run ();
}
