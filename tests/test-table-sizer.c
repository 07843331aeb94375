/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The table sizer against the fake workspace: warehouses, the size
 * statement, parallel measuring within the bound, per-table errors as they
 * arrive, server-side cancel, timeouts and the calculator's table_sizes. */
#include "config.h"

#include <string.h>

#include "lb-fake-workspace-sql.h"
#include "lb-table-sizer.h"
#include "lb-test-utils.h"

typedef struct
{
  LbFakeWorkspace    *fake;
  LbDatabricksClient *client;
  LbTableSizer       *sizer;
  GPtrArray          *measured;    /* LbTableSize*, in signal order */
} Fixture;

typedef struct
{
  gboolean   done;
  GPtrArray *array;
  GError    *error;
} Result;

static void
table_measured_cb (LbTableSizer *sizer,
                   const char   *name,
                   gint64        bytes,
                   const GError *error,
                   Fixture      *fixture)
{
  g_assert_true (LB_IS_TABLE_SIZER (sizer));
  g_assert_nonnull (name);
  g_assert_true ((bytes < 0) == (error != NULL));
  g_ptr_array_add (fixture->measured, lb_table_size_new (name, bytes, error));
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(LbDatabricksAuth) auth = NULL;
  g_autoptr(GError) error = NULL;

  fixture->fake = lb_fake_workspace_new ();
  auth = lb_databricks_auth_new_for_token (lb_fake_workspace_get_url (fixture->fake),
                                           lb_fake_workspace_get_token (fixture->fake));
  fixture->client = lb_databricks_client_new (auth, &error);
  g_assert_no_error (error);
  g_object_set (fixture->client, "retry-base-ms", 5, "retry-budget-ms", 5000, NULL);

  fixture->sizer = lb_table_sizer_new (fixture->client);
  g_object_set (fixture->sizer,
                "warehouse-id", "wh-serverless",
                "poll-base-ms", 2,
                "poll-max-ms", 10,
                NULL);
  fixture->measured = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_table_size_free);
  g_signal_connect (fixture->sizer, "table-measured", G_CALLBACK (table_measured_cb), fixture);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_assert_finalize_object (fixture->sizer);
  g_assert_finalize_object (fixture->client);
  g_clear_pointer (&fixture->fake, lb_fake_workspace_free);
  g_clear_pointer (&fixture->measured, g_ptr_array_unref);
}

static void
result_clear (Result *r)
{
  g_clear_pointer (&r->array, g_ptr_array_unref);
  g_clear_error (&r->error);
  r->done = FALSE;
}

static void
measure_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Result *r = user_data;

  r->array = lb_table_sizer_measure_finish (LB_TABLE_SIZER (object), result, &r->error);
  r->done = TRUE;
}

static void
warehouses_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Result *r = user_data;

  r->array = lb_table_sizer_list_warehouses_finish (LB_TABLE_SIZER (object), result, &r->error);
  r->done = TRUE;
}

static void
measure (Fixture            *fixture,
         const char * const *tables,
         Result             *r)
{
  result_clear (r);
  lb_table_sizer_measure_async (fixture->sizer, tables, NULL, measure_done_cb, r);
  lb_test_spin_until (&r->done, 30);
}

static const LbTableSize *
size_at (GPtrArray *array,
         guint      i)
{
  g_assert_cmpuint (i, <, array->len);
  return g_ptr_array_index (array, i);
}

static void
test_statement (void)
{
  g_autofree char *plain = lb_table_sizer_build_statement ("main.sales.customers");
  g_autofree char *odd = lb_table_sizer_build_statement ("my-cat.we`ird.t_1");

  g_assert_cmpstr (plain, ==, "SELECT COALESCE(SUM(LEN(TO_CSV(STRUCT(*))) + 32), 0) FROM "
                              "`main`.`sales`.`customers`");
  g_assert_cmpstr (odd, ==, "SELECT COALESCE(SUM(LEN(TO_CSV(STRUCT(*))) + 32), 0) FROM "
                            "`my-cat`.`we``ird`.`t_1`");
}

static void
test_warehouses (Fixture       *fixture,
                 gconstpointer  data)
{
  Result r = { 0, };
  const LbWarehouse *first;

  lb_table_sizer_list_warehouses_async (fixture->sizer, NULL, warehouses_done_cb, &r);
  lb_test_spin_until (&r.done, 30);
  g_assert_no_error (r.error);
  g_assert_cmpuint (r.array->len, ==, 3);

  /* Running serverless first, then running, then stopped. */
  first = g_ptr_array_index (r.array, 0);
  g_assert_cmpstr (first->id, ==, "wh-serverless");
  g_assert_cmpstr (first->name, ==, "Serverless Starter Warehouse");
  g_assert_cmpstr (first->state, ==, "RUNNING");
  g_assert_true (first->serverless);
  g_assert_cmpstr (((LbWarehouse *) g_ptr_array_index (r.array, 1))->id, ==, "wh-small");
  g_assert_cmpstr (((LbWarehouse *) g_ptr_array_index (r.array, 2))->id, ==, "wh-classic");
  g_assert_false (((LbWarehouse *) g_ptr_array_index (r.array, 2))->serverless);

  /* The fake lists two per page: the pages were followed. */
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "GET", "/api/2.0/sql/warehouses"), ==, 2);

  result_clear (&r);
}

static void
test_parallel_bound (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  Result r = { 0, };

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *name = g_strdup_printf ("main.sales.t%u", i);

      lb_fake_workspace_sql_add_table (fixture->fake, name, (gint64) (i + 1) * 1048576, NULL, FALSE);
      g_ptr_array_add (names, g_steal_pointer (&name));
    }
  g_ptr_array_add (names, NULL);

  lb_fake_workspace_set_polls_until_ready (fixture->fake, 2);
  lb_table_sizer_set_max_parallel (fixture->sizer, 3);
  measure (fixture, (const char * const *) names->pdata, &r);

  g_assert_no_error (r.error);
  g_assert_cmpuint (r.array->len, ==, 10);
  for (guint i = 0; i < 10; i++)
    {
      const LbTableSize *size = size_at (r.array, i);

      /* In the order asked for, whatever order they finished in. */
      g_assert_cmpstr (size->table_name, ==, g_ptr_array_index (names, i));
      g_assert_no_error (size->error);
      g_assert_cmpint (size->uncompressed_bytes, ==, (gint64) (i + 1) * 1048576);
    }

  /* One signal per table; never more than three statements at once, and
   * the bound was used. */
  g_assert_cmpuint (fixture->measured->len, ==, 10);
  g_assert_cmpuint (lb_fake_workspace_sql_get_max_active (fixture->fake), ==, 3);
  g_assert_cmpuint (lb_fake_workspace_sql_count_statements (fixture->fake, NULL), ==, 10);
  g_assert_cmpuint (lb_fake_workspace_sql_count_statements (fixture->fake, "SUCCEEDED"), ==, 10);
  /* PENDING for two polls, RUNNING for two: four GETs each, no more. */
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "GET", "/api/2.0/sql/statements/"), ==, 40);
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "POST", "/api/2.0/sql/statements"), ==, 10);

  result_clear (&r);
}

static void
test_immediate (Fixture       *fixture,
                gconstpointer  data)
{
  const char *tables[] = { "retail.serving.orders", "retail.serving.customers", NULL };
  Result r = { 0, };

  /* Done within the 10 s wait: no polling at all. */
  lb_fake_workspace_set_polls_until_ready (fixture->fake, 0);
  measure (fixture, tables, &r);
  g_assert_no_error (r.error);
  g_assert_cmpint (size_at (r.array, 0)->uncompressed_bytes, ==, G_GINT64_CONSTANT (52428800000));
  g_assert_cmpint (size_at (r.array, 1)->uncompressed_bytes, ==, G_GINT64_CONSTANT (1073741824));
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "GET", "/api/2.0/sql/statements/"), ==, 0);

  result_clear (&r);
}

static void
test_unknown_table (Fixture       *fixture,
                    gconstpointer  data)
{
  const char *tables[] = { "retail.serving.orders", "retail.serving.nope", "retail.serving.customers", NULL };
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *text = NULL;
  JsonObject *root;
  JsonArray *details;
  const LbTableSize *failed;
  Result r = { 0, };

  lb_fake_workspace_set_polls_until_ready (fixture->fake, 2);
  measure (fixture, tables, &r);
  g_assert_no_error (r.error);

  failed = size_at (r.array, 1);
  g_assert_error (failed->error, LB_TABLE_SIZER_ERROR, LB_TABLE_SIZER_ERROR_FAILED);
  g_assert_cmpint (failed->uncompressed_bytes, ==, -1);
  g_assert_true (g_str_has_prefix (failed->error->message, "BAD_REQUEST: [TABLE_OR_VIEW_NOT_FOUND]"));
  g_assert_nonnull (strstr (failed->error->message, "`retail`.`serving`.`nope`"));
  g_assert_no_error (size_at (r.array, 0)->error);
  g_assert_no_error (size_at (r.array, 2)->error);

  /* The failure was reported as soon as it was known, before the others
   * finished. */
  g_assert_cmpuint (fixture->measured->len, ==, 3);
  g_assert_cmpstr (size_at (fixture->measured, 0)->table_name, ==, "retail.serving.nope");

  /* The calculator's object: errors count zero and say why. */
  json = lb_table_sizes_to_json (r.array);
  root = json_node_get_object (json);
  g_assert_cmpint (json_object_get_int_member (root, "total_uncompressed_bytes"), ==,
                   G_GINT64_CONSTANT (52428800000) + G_GINT64_CONSTANT (1073741824));
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (root, "total_size_mb"), 51024.0, 0.001);
  details = json_object_get_array_member (root, "table_details");
  g_assert_cmpuint (json_array_get_length (details), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (details, 1), "table_name"),
                   ==, "retail.serving.nope");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (details, 1), "uncompressed_bytes"),
                   ==, 0);
  g_assert_true (json_object_has_member (json_array_get_object_element (details, 1), "error"));
  g_assert_false (json_object_has_member (json_array_get_object_element (details, 0), "error"));
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (json_array_get_object_element (details, 2), "size_mb"),
                                  1024.0, 0.001);
  g_assert_nonnull (strstr (json_object_get_string_member (root, "note"), "5–10×"));
  text = json_to_string (json, FALSE);
  g_assert_null (strstr (text, lb_fake_workspace_get_token (fixture->fake)));

  result_clear (&r);
}

static void
test_server_errors (Fixture       *fixture,
                    gconstpointer  data)
{
  const char *tables[] = { "retail.serving.orders", "retail.serving.customers", NULL };
  Result r = { 0, };

  /* A warehouse that does not exist: every table says so. */
  lb_table_sizer_set_warehouse_id (fixture->sizer, "wh-gone");
  measure (fixture, tables, &r);
  g_assert_no_error (r.error);
  g_assert_error (size_at (r.array, 0)->error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NOT_FOUND);
  g_assert_error (size_at (r.array, 1)->error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (size_at (r.array, 0)->error->message, "wh-gone"));

  /* Throttled submits are retried by the client; a broken poll answer
   * fails that table only. */
  lb_table_sizer_set_warehouse_id (fixture->sizer, "wh-serverless");
  lb_fake_workspace_set_polls_until_ready (fixture->fake, 1);
  lb_fake_workspace_throttle_next (fixture->fake, "/api/2.0/sql/statements", 0, 2);
  lb_table_sizer_set_max_parallel (fixture->sizer, 1);
  lb_fake_workspace_fail_next (fixture->fake, "GET", "/api/2.0/sql/statements/", 200, "{not json", 1);
  measure (fixture, tables, &r);
  g_assert_no_error (r.error);
  g_assert_error (size_at (r.array, 0)->error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_MALFORMED);
  g_assert_no_error (size_at (r.array, 1)->error);
  g_assert_cmpint (size_at (r.array, 1)->uncompressed_bytes, ==, G_GINT64_CONSTANT (1073741824));

  /* No warehouse picked. */
  lb_table_sizer_set_warehouse_id (fixture->sizer, NULL);
  measure (fixture, tables, &r);
  g_assert_error (r.error, LB_TABLE_SIZER_ERROR, LB_TABLE_SIZER_ERROR_NO_WAREHOUSE);

  result_clear (&r);
}

static void
test_stopped_warehouse (Fixture       *fixture,
                        gconstpointer  data)
{
  const char *tables[] = { "retail.serving.customers", NULL };
  Result r = { 0, };

  lb_fake_workspace_set_polls_until_ready (fixture->fake, 2);
  lb_table_sizer_set_warehouse_id (fixture->sizer, "wh-classic");
  measure (fixture, tables, &r);
  g_assert_no_error (r.error);
  g_assert_no_error (size_at (r.array, 0)->error);
  /* PENDING twice as long while the warehouse starts. */
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "GET", "/api/2.0/sql/statements/"), ==, 6);

  result_clear (&r);
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  Result r = { 0, };

  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *name = g_strdup_printf ("main.sales.c%u", i);

      lb_fake_workspace_sql_add_table (fixture->fake, name, 1000, NULL, FALSE);
      g_ptr_array_add (names, g_steal_pointer (&name));
    }
  g_ptr_array_add (names, NULL);

  /* Statements that run for a long while: four are started, then the user
   * cancels. */
  lb_fake_workspace_set_polls_until_ready (fixture->fake, 1000);
  lb_table_sizer_measure_async (fixture->sizer, (const char * const *) names->pdata, cancellable,
                                measure_done_cb, &r);
  while (lb_fake_workspace_count_requests (fixture->fake, "GET", "/api/2.0/sql/statements/") < 8)
    g_main_context_iteration (NULL, TRUE);
  g_cancellable_cancel (cancellable);
  lb_test_spin_until (&r.done, 30);

  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (fixture->measured->len, ==, 0);
  g_assert_cmpuint (lb_fake_workspace_sql_count_statements (fixture->fake, NULL), ==, 4);
  g_assert_cmpuint (lb_fake_workspace_sql_count_statements (fixture->fake, "CANCELED"), ==, 4);
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "POST", "/api/2.0/sql/statements/"), ==, 4);
  result_clear (&r);

  /* Cancelled while the submits are still in flight: they are let finish
   * and their statements canceled by id, so none is left running. */
  lb_fake_workspace_clear_log (fixture->fake);
  lb_fake_workspace_set_delay_ms (fixture->fake, 150);
  g_clear_object (&cancellable);
  cancellable = g_cancellable_new ();
  lb_table_sizer_measure_async (fixture->sizer, (const char * const *) names->pdata, cancellable,
                                measure_done_cb, &r);
  g_timeout_add (30, cancel_cb, cancellable);
  lb_test_spin_until (&r.done, 30);

  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (fixture->measured->len, ==, 0);
  g_assert_cmpuint (lb_fake_workspace_sql_count_statements (fixture->fake, NULL), ==, 8);
  g_assert_cmpuint (lb_fake_workspace_sql_count_statements (fixture->fake, "PENDING"), ==, 0);
  g_assert_cmpuint (lb_fake_workspace_sql_count_statements (fixture->fake, "RUNNING"), ==, 0);
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "POST", "/api/2.0/sql/statements/"), ==, 4);
  result_clear (&r);

  /* The sizer is usable again afterwards. */
  lb_fake_workspace_set_delay_ms (fixture->fake, 0);
  lb_fake_workspace_set_polls_until_ready (fixture->fake, 0);
  measure (fixture, (const char * const *) names->pdata, &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (r.array->len, ==, 6);
  result_clear (&r);
}

static void
test_timeout (Fixture       *fixture,
              gconstpointer  data)
{
  const char *tables[] = { "retail.serving.orders", NULL };
  Result r = { 0, };

  lb_fake_workspace_set_polls_until_ready (fixture->fake, 100000);
  g_object_set (fixture->sizer, "timeout-ms", 100, NULL);
  measure (fixture, tables, &r);
  g_assert_no_error (r.error);
  g_assert_error (size_at (r.array, 0)->error, LB_TABLE_SIZER_ERROR, LB_TABLE_SIZER_ERROR_TIMEOUT);
  /* Given up on, and not left running on the warehouse. */
  g_assert_cmpuint (lb_fake_workspace_sql_count_statements (fixture->fake, "CANCELED"), ==, 1);

  result_clear (&r);
}

static void
test_backoff (Fixture       *fixture,
              gconstpointer  data)
{
  const char *tables[] = { "retail.serving.orders", NULL };
  Result r = { 0, };
  guint polls;

  /* With a 20 ms start doubling to 160 ms, 400 ms of a slow statement is a
   * handful of polls, not a busy loop. */
  g_object_set (fixture->sizer, "poll-base-ms", 20, "poll-max-ms", 160, "timeout-ms", 400, NULL);
  lb_fake_workspace_set_polls_until_ready (fixture->fake, 100000);
  measure (fixture, tables, &r);
  g_assert_error (size_at (r.array, 0)->error, LB_TABLE_SIZER_ERROR, LB_TABLE_SIZER_ERROR_TIMEOUT);
  polls = lb_fake_workspace_count_requests (fixture->fake, "GET", "/api/2.0/sql/statements/");
  g_test_message ("%u polls in 400 ms", polls);
  g_assert_cmpuint (polls, >=, 3);
  g_assert_cmpuint (polls, <=, 10);

  result_clear (&r);
}

static void
test_json (void)
{
  g_autoptr(GPtrArray) sizes = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_table_size_free);
  g_autoptr(JsonNode) json = NULL;
  JsonObject *root;

  json = lb_table_sizes_to_json (sizes);
  root = json_node_get_object (json);
  g_assert_cmpint (json_object_get_int_member (root, "total_uncompressed_bytes"), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "table_details")), ==, 0);
  g_clear_pointer (&json, json_node_unref);

  g_ptr_array_add (sizes, lb_table_size_new ("a.b.c", 1572864, NULL));   /* 1.5 MiB */
  g_ptr_array_add (sizes, lb_table_size_new ("a.b.d", 1234, NULL));
  json = lb_table_sizes_to_json (sizes);
  root = json_node_get_object (json);
  g_assert_cmpint (json_object_get_int_member (root, "total_uncompressed_bytes"), ==, 1574098);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (root, "total_size_mb"), 1.5, 0.001);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (json_array_get_object_element (
                                    json_object_get_array_member (root, "table_details"), 1), "size_mb"),
                                  0.0, 0.001);
}

#define FIXTURE_TEST(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/table-sizer/statement", test_statement);
  g_test_add_func ("/table-sizer/json", test_json);
  FIXTURE_TEST ("/table-sizer/warehouses", test_warehouses);
  FIXTURE_TEST ("/table-sizer/parallel-bound", test_parallel_bound);
  FIXTURE_TEST ("/table-sizer/immediate", test_immediate);
  FIXTURE_TEST ("/table-sizer/unknown-table", test_unknown_table);
  FIXTURE_TEST ("/table-sizer/server-errors", test_server_errors);
  FIXTURE_TEST ("/table-sizer/stopped-warehouse", test_stopped_warehouse);
  FIXTURE_TEST ("/table-sizer/cancel", test_cancel);
  FIXTURE_TEST ("/table-sizer/timeout", test_timeout);
  FIXTURE_TEST ("/table-sizer/backoff", test_backoff);

  return g_test_run ();
}
