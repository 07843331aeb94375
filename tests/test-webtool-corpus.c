/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Databricks web tool's own query files (tests/data/webtool, from its
 * repository's history; SOURCES says where each comes from): each parses
 * with the meaning the web tool gives it, and runs in a sandbox with the
 * sample data through LbTestRun, the path `lakebase-cli bench --sandbox`
 * takes, with no error but the one PostgreSQL has to give. */
#include "config.h"

#include <string.h>

#include <libpq-fe.h>

#include "lb-pg-sandbox.h"
#include "lb-sql-script.h"
#include "lb-test-run.h"
#include "lb-test-utils.h"

/* Transactions a run of a query-mix file makes here (the web tool's
 * psycopg runner spreads a total of its own over the queries). */
#define MIX_TRANSACTIONS 20

typedef struct
{
  const char  *file;
  LbSqlDialect dialect;
  guint        weight;       /* of the file's one transaction */
  guint        n_tuples;     /* web tool: -- PARAMETERS: tuples (1: none, one empty tuple) */
  guint        n_columns;    /* web tool: values per tuple the statement uses */
  guint        exec_count;   /* web tool: runs per tuple */
  const char  *params;       /* query mix: the PARAM names, in order, "," between */
  const char  *refused;      /* not NULL: the file is refused with this in the message */
  guint64      failed;       /* run: transactions PostgreSQL refuses … */
  const char  *sqlstate;     /* … with this SQLSTATE */
} CorpusFile;

#define WEB LB_SQL_DIALECT_WEB_TOOL
#define MIX LB_SQL_DIALECT_QUERY_MIX

/* What the web tool makes of each file, read from the file (and from the
 * web tool's parsers: EXEC_COUNT defaults to 5, a WEIGHT to 1). */
static const CorpusFile corpus[] = {
  /* The old web tool (%s placeholders, PARAMETERS and EXEC_COUNT). */
  { "queries-customer_lookup_example.sql", WEB, 1, 4, 3, 40 },
  { "queries-customer_flag.sql", WEB, 1, 2, 1, 1 },
  { "queries-simple_query_example.sql", WEB, 1, 1, 0, 5 },
  { "ui-v1-customer_lookup_example.sql", WEB, 1, 4, 3, 40 },
  { "ui-v1-customer_flag.sql", WEB, 1, 2, 1, 1 },
  { "ui-v1-simple_query_example.sql", WEB, 1, 1, 0, 5 },
  { "ui-psycopg-customer_lookup_example.sql", WEB, 1, 4, 3, 100 },
  { "ui-psycopg-customer_flag.sql", WEB, 1, 2, 1, 100 },
  /* PARAMETERS without %s: once per tuple, the values dropped. */
  { "ui-psycopg-customer_flag_groupby.sql", WEB, 1, 2, 0, 100 },
  { "ui-psycopg-simple_query_example.sql", WEB, 1, 1, 0, 100 },
  { "benchmark-setup-v1-customer_flag.sql", WEB, 1, 2, 0, 100 },
  { "benchmark-setup-v1-simple_query.sql", WEB, 1, 1, 0, 100 },
  { "benchmark-setup-v2-customer_flag.sql", WEB, 1, 2, 0, 100 },
  { "benchmark-setup-v2-simple_query.sql", WEB, 1, 1, 0, 100 },
  /* A README's shortened example: the old web tool's json.loads failed on
   * it too (and then ran the statement without its values). */
  { "benchmark-setup-v1-customer_lookup_elided.sql", WEB, .refused = "PARAMETERS has “...” in it" },
  { "benchmark-setup-v2-customer_lookup_elided.sql", WEB, .refused = "PARAMETERS has “...” in it" },
  /* The 2026 redesign's first samples: the order_number of a TPC-DS
   * ticket is an integer, and the docs' third tuple is "Electronics". */
  { "docs-legacy-example.sql", WEB, 1, 3, 1, 20, .failed = 20, .sqlstate = "22P02" },
  { "testing-legacy-order_lookup.sql", WEB, 1, 3, 1, 10 },
  /* The unified format with its legacy EXEC_COUNT (ignored by the mix). */
  { "docs-unified-example.sql", MIX, 40, .params = "ticket" },
  { "readme-unified-docs-example.sql", MIX, 40, .params = "ticket" },
  { "testing-unified-v1-order_lookup.sql", MIX, 40, .params = "ticket" },
  { "testing-unified-v1-customer_history.sql", MIX, 25, .params = "cust" },
  { "testing-unified-v1-item_sales_summary.sql", MIX, 15, .params = "item" },
  { "testing-unified-v1-store_daily_revenue.sql", MIX, 12, .params = "store,start" },
  { "testing-unified-v1-store_top_items.sql", MIX, 8, .params = "store" },
  /* The unified format as it is now. */
  { "testing-unified-order_lookup.sql", MIX, 40, .params = "ticket" },
  { "testing-unified-customer_history.sql", MIX, 25, .params = "cust" },
  { "testing-unified-item_recent_sales.sql", MIX, 15, .params = "item" },
  { "testing-unified-store_day_tickets.sql", MIX, 12, .params = "store,day" },
  { "testing-unified-customer_item_history.sql", MIX, 8, .params = "cust,item" },
  { "testing-help-randomized.sql", MIX, 1, .params = "ticket" },
  { "testing-help-values.sql", MIX, 1, .params = "store,region" },
  { "testing-help-literal.sql", MIX, 1, .params = "" },
};

static LbPgSandbox *sandbox;

static char *
corpus_path (const char *file)
{
  return g_test_build_filename (G_TEST_DIST, "data", "webtool", file, NULL);
}

static LbSqlScript *
parse (const CorpusFile *c,
       GError          **error)
{
  g_autofree char *path = corpus_path (c->file);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  return lb_sql_script_new_from_file (file, error);
}

/* The PARAM names a query-mix transaction sets, in order. */
static char *
set_variables (LbSqlScript            *script,
               const LbSqlTransaction *t)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < t->n_steps; i++)
    if (t->steps[i].kind == LB_STEP_SET)
      g_string_append_printf (names, "%s%s", names->len > 0 ? "," : "",
                              lb_sql_script_get_variable_name (script, t->steps[i].var));
  return g_string_free (g_steal_pointer (&names), FALSE);
}

/* Every file of the folder is in the table and in SOURCES, and the other
 * way round: a file added later is not left untested. */
static void
test_all_listed (void)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "data", "webtool", NULL);
  g_autofree char *sources_path = corpus_path ("SOURCES");
  g_autofree char *sources = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;
  guint n_files = 0;

  g_assert_true (g_file_get_contents (sources_path, &sources, NULL, &error));
  g_assert_no_error (error);
  dir = g_dir_open (dir_path, 0, &error);
  g_assert_no_error (error);

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *line_start = g_strconcat ("\n", name, "\t", NULL);
      gboolean listed = FALSE;

      if (!g_str_has_suffix (name, ".sql"))
        continue;
      n_files++;
      for (guint i = 0; i < G_N_ELEMENTS (corpus); i++)
        listed |= g_str_equal (corpus[i].file, name);
      if (!listed)
        g_error ("%s is not in the test's table", name);
      if (strstr (sources, line_start) == NULL)
        g_error ("%s is not in SOURCES", name);
    }
  g_assert_cmpuint (n_files, ==, G_N_ELEMENTS (corpus));
}

static void
test_parse (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (corpus); i++)
    {
      const CorpusFile *c = &corpus[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(LbSqlScript) script = parse (c, &error);
      const LbSqlTransaction *t;

      g_test_message ("%s", c->file);
      if (c->refused != NULL)
        {
          g_assert_null (script);
          g_assert_nonnull (error);
          g_test_message ("  refused: %s", error->message);
          if (strstr (error->message, c->refused) == NULL)
            g_error ("%s: “%s” is not in “%s”", c->file, c->refused, error->message);
          continue;
        }

      if (error != NULL)
        g_error ("%s: %s", c->file, error->message);
      g_assert_cmpint (lb_sql_script_get_detected_dialect (script), ==, c->dialect);
      g_assert_cmpint (lb_sql_script_get_dialect (script), ==, c->dialect);
      g_assert_cmpuint (lb_sql_script_get_n_transactions (script), ==, 1);
      g_assert_cmpuint (lb_sql_script_get_n_queries (script), ==, 1);
      t = lb_sql_script_get_transaction (script, 0);
      g_assert_cmpuint (t->weight, ==, c->weight);

      if (c->dialect == WEB)
        {
          guint n_columns = G_MAXUINT;

          g_assert_cmpuint (lb_sql_script_get_n_tuples (script), ==, c->n_tuples);
          g_assert_nonnull (lb_sql_script_get_tuple (script, 0, &n_columns));
          g_assert_cmpuint (n_columns, ==, c->n_columns);
          g_assert_cmpuint (lb_sql_script_get_query (script, 0)->n_params, ==, c->n_columns);
          g_assert_cmpuint (lb_sql_script_get_exec_count (script), ==, c->exec_count);
          g_assert_cmpuint (lb_sql_script_get_default_count (script), ==,
                            (guint64) c->n_tuples * c->exec_count);
        }
      else
        {
          g_autofree char *names = set_variables (script, t);

          g_assert_cmpstr (names, ==, c->params);
          g_assert_cmpuint (lb_sql_script_get_n_tuples (script), ==, 0);
          /* EXEC_COUNT sets no count: the mix runs for a time or -t. */
          g_assert_cmpuint (lb_sql_script_get_default_count (script), ==, 0);
        }
    }
}

/* The values of the web tool's first sample, as the web tool binds them. */
static void
test_tuples (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbSqlScript) script = parse (&corpus[0], &error);
  const LbValue *tuple;
  guint n_columns = 0;

  g_assert_no_error (error);
  tuple = lb_sql_script_get_tuple (script, 3, &n_columns);
  g_assert_cmpuint (n_columns, ==, 3);
  g_assert_cmpint (tuple[0].type, ==, LB_VALUE_INT);
  g_assert_cmpint (tuple[0].u.integer, ==, 4);
  g_assert_cmpint (tuple[1].type, ==, LB_VALUE_STRING);
  g_assert_cmpstr (tuple[1].u.string, ==, "AAAAAAAAEAAAAAAA");
  g_assert_cmpint (tuple[2].u.integer, ==, 1000);
}

/* The web tool runs several query files as one mix; pasted into one file,
 * the five samples of its first unified version are a five-query mix. */
static void
test_samples_as_one_mix (void)
{
  const char *files[] = {
    "testing-unified-v1-order_lookup.sql", "testing-unified-v1-customer_history.sql",
    "testing-unified-v1-item_sales_summary.sql", "testing-unified-v1-store_daily_revenue.sql",
    "testing-unified-v1-store_top_items.sql",
  };
  const guint weights[] = { 40, 25, 15, 12, 8 };
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbSqlScript) script = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = corpus_path (files[i]);
      g_autofree char *contents = NULL;

      g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
      g_string_append_printf (text, "%s\n\n", contents);
    }

  script = lb_sql_script_new_from_data (text->str, text->len, "samples.sql", &error);
  g_assert_no_error (error);
  g_assert_cmpint (lb_sql_script_get_dialect (script), ==, MIX);
  g_assert_cmpuint (lb_sql_script_get_n_transactions (script), ==, 5);
  for (guint i = 0; i < G_N_ELEMENTS (weights); i++)
    g_assert_cmpuint (lb_sql_script_get_transaction (script, i)->weight, ==, weights[i]);
  g_assert_cmpuint (lb_sql_script_get_total_weight (script), ==, 100);
}

static void
assert_refused (const char *text,
                const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbSqlScript) script = lb_sql_script_new_from_data (text, -1, "web.sql", &error);

  g_assert_null (script);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  if (strstr (error->message, expected) == NULL)
    g_error ("“%s” is not in “%s”", expected, error->message);
}

/* A refusal names what the file really has. */
static void
test_messages (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbSqlScript) script = NULL;
  guint n_columns = 0;
  const LbValue *tuple;

  assert_refused ("-- PARAMETERS: [[1]]\n-- WEIGHT: 3\nSELECT %s;\n",
                  "(it has “-- PARAMETERS:” on line 1)");
  assert_refused ("-- WEIGHT: 3\nSELECT 1\n  WHERE 2 = %s;\n",
                  "(it has %s placeholders in the statement on line 2)");
  assert_refused ("-- EXEC_COUNT: 3\nSELECT 1;\nSELECT 2;\n",
                  "(this one has “-- EXEC_COUNT:” on line 1 and no WEIGHT, PARAM or NAME line)");
  assert_refused ("-- WEIGHT: 2\n-- EXEC_COUNT: many\nSELECT 1;\n",
                  "EXEC_COUNT must be an integer from 1 to 1000000, not “many”");
  assert_refused ("-- PARAMETERS: [[1, 2], ...]\nSELECT %s, %s;\n", "PARAMETERS has “...” in it");

  /* A trailing comment is not the value; "--" in a JSON string is. */
  script = lb_sql_script_new_from_data ("-- PARAMETERS: [[\"a -- b\"]]   -- one tuple\n"
                                        "-- EXEC_COUNT: 2 -- twice\nSELECT %s;\n",
                                        -1, "web.sql", &error);
  g_assert_no_error (error);
  tuple = lb_sql_script_get_tuple (script, 0, &n_columns);
  g_assert_cmpuint (n_columns, ==, 1);
  g_assert_cmpstr (tuple[0].u.string, ==, "a -- b");
  g_assert_cmpuint (lb_sql_script_get_exec_count (script), ==, 2);
  g_clear_object (&script);

  script = lb_sql_script_new_from_data ("-- NAME: lookup   -- by key\n"
                                        "-- PARAM k = values('x--y', 'z')  -- two keys\n"
                                        "SELECT :k;\n", -1, "mix.sql", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lb_sql_script_get_transaction (script, 0)->name, ==, "lookup");
  g_assert_cmpuint (lb_sql_script_get_n_transactions (script), ==, 1);
}

typedef struct
{
  LbRunRecord *record;
  GError      *error;
  gboolean     done;
} RunData;

static void
started_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  RunData *data = user_data;

  data->record = lb_test_run_start_finish (LB_TEST_RUN (object), result, &data->error);
  data->done = TRUE;
}

/* Each file once, as `lakebase-cli bench FILE --sandbox` runs it: a web
 * tool file its tuples × EXEC_COUNT transactions, a mix MIX_TRANSACTIONS. */
static void
test_run_in_sandbox (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (corpus); i++)
    {
      const CorpusFile *c = &corpus[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(LbSqlScript) script = NULL;
      g_autoptr(LbTestRun) run = lb_test_run_new ();
      g_autoptr(LbRunSettings) settings = lb_run_settings_new ();
      g_autofree char *path = corpus_path (c->file);
      RunData data = { 0 };
      LbRunResult *result;
      guint64 planned;

      if (c->refused != NULL)
        continue;
      script = parse (c, &error);
      g_assert_no_error (error);
      planned = lb_sql_script_get_default_count (script);
      if (planned == 0)
        planned = MIX_TRANSACTIONS;

      settings->mode = LB_RUN_MODE_COUNT;
      settings->transactions = planned;
      settings->clients = 1;
      settings->threads = 1;
      settings->seed = 13;
      lb_test_run_set_script (run, script, path);
      lb_test_run_set_sandbox (run, sandbox);
      lb_test_run_set_target_sandbox (run);
      lb_test_run_start_async (run, settings, NULL, started_cb, &data);
      lb_test_spin_until (&data.done, 60);

      if (data.error != NULL)
        g_error ("%s: %s", c->file, data.error->message);
      result = lb_run_record_get_result (data.record);
      for (guint j = 0; j < result->errors->len; j++)
        {
          LbErrorStats *e = g_ptr_array_index (result->errors, j);

          g_test_message ("%s: %" G_GUINT64_FORMAT " × %s %s", c->file, e->count, e->sqlstate, e->message);
        }
      g_test_message ("%s: %" G_GUINT64_FORMAT " transactions, %" G_GUINT64_FORMAT " failed",
                      c->file, result->transactions, result->failed);
      g_assert_cmpuint (result->failed, ==, c->failed);
      g_assert_cmpuint (result->transactions, ==, planned - c->failed);
      if (c->failed > 0)
        {
          LbErrorStats *e = g_ptr_array_index (result->errors, 0);

          g_assert_cmpuint (result->errors->len, ==, 1);
          g_assert_cmpstr (e->sqlstate, ==, c->sqlstate);
        }
      else
        g_assert_cmpuint (result->errors->len, ==, 0);

      g_clear_object (&data.record);
    }
}

static char *
query_value (PGconn     *conn,
             const char *sql)
{
  PGresult *result = PQexec (conn, sql);
  char *value;

  if (PQresultStatus (result) != PGRES_TUPLES_OK || PQntuples (result) != 1)
    g_error ("“%s” failed: %s", sql, PQresultErrorMessage (result));
  value = g_strdup (PQgetvalue (result, 0, 0));
  PQclear (result);
  return value;
}

static void
assert_value (PGconn     *conn,
              const char *sql,
              const char *expected)
{
  g_autofree char *value = query_value (conn, sql);

  g_test_message ("%s → %s", sql, value);
  g_assert_cmpstr (value, ==, expected);
}

/* The samples' lookups find rows where TPC-DS has them, through indexes. */
static void
test_sample_rows (void)
{
  PGconn *conn = PQconnectdb (lb_pg_sandbox_get_conninfo (sandbox));
  const char *indexed[] = {
    "SELECT ss_item_sk, ss_net_paid FROM store_sales WHERE ss_ticket_number = 187425",
    "SELECT ss_ticket_number FROM store_sales WHERE ss_customer_sk = 4242 AND ss_item_sk = 17",
    "SELECT ss_ticket_number FROM store_sales WHERE ss_store_sk = 3"
    " AND ss_sold_date_sk BETWEEN 2451000 AND 2451006 ORDER BY ss_ticket_number LIMIT 100",
    "SELECT channel, net_paid FROM tpcds_all_sales WHERE order_number = 437",
    "SELECT * FROM customer WHERE c_customer_sk = 3 AND c_customer_id = 'AAAAAAAADAAAAAAA'",
  };

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  /* The web tool's (c_customer_sk, c_customer_id) pairs are TPC-DS's. */
  assert_value (conn, "SELECT count(*) FROM customer WHERE (c_customer_sk, c_customer_id) IN"
                      " ((1, 'AAAAAAAABAAAAAAA'), (2, 'AAAAAAAACAAAAAAA'), (3, 'AAAAAAAADAAAAAAA'),"
                      "  (4, 'AAAAAAAAEAAAAAAA'))", "4");
  assert_value (conn, "SELECT c_customer_id FROM customer WHERE c_customer_sk = 100000",
                "AAAAAAAAAKGIBAAA");  /* 0x186a0, the low nibbles first */
  /* Every ticket, customer and item the samples draw exists. */
  assert_value (conn, "SELECT count(DISTINCT ss_ticket_number) FROM store_sales"
                      " WHERE ss_ticket_number BETWEEN 1 AND 240000", "240000");
  assert_value (conn, "SELECT count(DISTINCT ss_item_sk) FROM store_sales", "18000");
  assert_value (conn, "SELECT count(*) FROM item", "18000");
  assert_value (conn, "SELECT count(DISTINCT ss_store_sk) FROM store_sales WHERE ss_store_sk <= 10", "10");
  assert_value (conn, "SELECT count(*) FROM store", "12");
  assert_value (conn, "SELECT count(*) FROM household_demographics", "7200");
  /* TPC-DS's date keys: Julian day numbers. */
  assert_value (conn, "SELECT d_date::text FROM date_dim WHERE d_date_sk = 2450815", "1998-01-01");
  assert_value (conn, "SELECT min(ss_sold_date_sk) || '-' || max(ss_sold_date_sk) FROM store_sales",
                "2450815-2452640");
  assert_value (conn, "SELECT count(*) FROM store_sales LEFT JOIN date_dim ON d_date_sk = ss_sold_date_sk"
                      " WHERE d_date IS NULL", "0");
  /* The money columns add up as TPC-DS's do. */
  assert_value (conn, "SELECT count(*) FROM store_sales WHERE ss_net_paid <> ss_ext_sales_price - ss_coupon_amt"
                      " OR ss_ext_sales_price <> ss_sales_price * ss_quantity"
                      " OR ss_net_paid_inc_tax <> ss_net_paid + ss_ext_tax"
                      " OR ss_list_price < ss_sales_price", "0");
  assert_value (conn, "SELECT count(*) FROM customer WHERE c_preferred_cust_flag = 'Y'", "50000");
  assert_value (conn, "SELECT format_type (atttypid, atttypmod) FROM pg_attribute"
                      " WHERE attrelid = 'store_sales'::regclass AND attname = 'ss_net_paid'",
                "numeric(7,2)");
  assert_value (conn, "SELECT format_type (atttypid, atttypmod) FROM pg_attribute"
                      " WHERE attrelid = 'customer'::regclass AND attname = 'c_customer_id'",
                "character(16)");

  for (guint i = 0; i < G_N_ELEMENTS (indexed); i++)
    {
      g_autofree char *explain = g_strconcat ("EXPLAIN (FORMAT JSON) ", indexed[i], NULL);
      g_autofree char *plan = query_value (conn, explain);

      g_test_message ("%s", indexed[i]);
      if (strstr (plan, "Seq Scan") != NULL)
        g_error ("a sequential scan for “%s”:\n%s", indexed[i], plan);
    }
  PQfinish (conn);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/webtool-corpus/all-listed", test_all_listed);
  g_test_add_func ("/webtool-corpus/parse", test_parse);
  g_test_add_func ("/webtool-corpus/tuples", test_tuples);
  g_test_add_func ("/webtool-corpus/samples-as-one-mix", test_samples_as_one_mix);
  g_test_add_func ("/webtool-corpus/messages", test_messages);

  sandbox = lb_pg_sandbox_new_for_tests (TRUE);
  if (!lb_pg_sandbox_start (sandbox, NULL, &error))
    {
      if (!g_error_matches (error, LB_PG_SANDBOX_ERROR, LB_PG_SANDBOX_ERROR_NO_SERVER))
        g_error ("sandbox: %s", error->message);
      g_test_message ("no PostgreSQL server binaries: %s", error->message);
      g_clear_object (&sandbox);
    }
  else
    {
      g_test_add_func ("/webtool-corpus/sample-rows", test_sample_rows);
      g_test_add_func ("/webtool-corpus/run-in-sandbox", test_run_in_sandbox);
    }

  ret = g_test_run ();

  if (sandbox != NULL)
    lb_pg_sandbox_stop (sandbox, NULL);
  g_clear_object (&sandbox);
  return ret;
}
