/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Time to EXPLAIN a 10-query script on a private sandbox: the core
 * (LbPlanExplainer, 3 samples a query) with ANALYZE and plans only, and the
 * whole `lakebase-cli explain` process as a user runs it. Medians of RUNS. */
#include "config.h"

#include <stdlib.h>

#include <glib/gstdio.h>

#include "lb-pg-sandbox.h"
#include "lb-plan-explainer.h"

static const char script_text[] =
  "-- NAME: customer_by_key\n-- PARAM k = random(1, 100000)\n"
  "SELECT * FROM customer WHERE c_customer_sk = :k;\n"
  "-- NAME: customer_by_email\n-- PARAM e = values('a@example.org', 'b@example.org')\n"
  "SELECT c_customer_id FROM customer WHERE c_email_address = :e;\n"
  "-- NAME: sales_of_customer\n-- PARAM c = random(1, 100000)\n"
  "SELECT sum(ss_quantity) FROM store_sales WHERE ss_customer_sk = :c;\n"
  "-- NAME: ticket\n-- PARAM t = random(1, 100000)\n"
  "SELECT * FROM store_sales WHERE ss_ticket_number = :t;\n"
  "-- NAME: store_day\n-- PARAM s = random(1, 10)\n"
  "SELECT count(*) FROM store_sales WHERE ss_store_sk = :s AND ss_sold_date_sk = 2451000;\n"
  "-- NAME: top_items\n"
  "SELECT ss_item_sk, sum(ss_sales_price) FROM store_sales GROUP BY ss_item_sk ORDER BY 2 DESC LIMIT 10;\n"
  "-- NAME: customer_sales\n-- PARAM lo = random(1, 90000)\n"
  "SELECT c.c_last_name, count(*) FROM customer c JOIN store_sales ss ON ss.ss_customer_sk = c.c_customer_sk"
  " WHERE c.c_customer_sk BETWEEN :lo AND :lo + 100 GROUP BY 1;\n"
  "-- NAME: birth_year\n-- PARAM y = random(1930, 1990)\n"
  "SELECT count(*) FROM customer WHERE c_birth_year = :y;\n"
  "-- NAME: bump\n-- PARAM k2 = random(1, 100000)\n"
  "UPDATE customer SET c_last_review_qty = c_last_review_qty + 1 WHERE c_customer_sk = :k2;\n"
  "-- NAME: add_sale\n-- PARAM t2 = random(1000000, 2000000)\n"
  "INSERT INTO store_sales (ss_ticket_number, ss_item_sk, ss_customer_sk, ss_quantity)"
  " VALUES (:t2, 1, 1, 1);\n";

static int
compare (const void *a,
         const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *v,
        guint   n)
{
  qsort (v, n, sizeof *v, compare);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double
time_core (LbSqlScript      *script,
           const char       *conninfo,
           LbExplainAnalyze  analyze)
{
  g_autoptr(LbPlanExplainer) explainer = lb_plan_explainer_new (conninfo, script);
  g_autoptr(GPtrArray) plans = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  lb_plan_explainer_set_analyze (explainer, analyze);
  plans = lb_plan_explainer_explain (explainer, NULL, &error);
  if (plans == NULL)
    g_error ("explain: %s", error->message);
  for (guint i = 0; i < plans->len; i++)
    if (lb_query_plans_get_plan (g_ptr_array_index (plans, i)) == NULL)
      g_error ("query %u has no plan", i);
  return (g_get_monotonic_time () - start) / 1000.0;
}

static double
time_cli (const char *cli,
          const char *path,
          const char *conninfo)
{
  const char *argv[] = { cli, "explain", path, "--dsn", conninfo, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  gint64 start = g_get_monotonic_time ();
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                     NULL, &status, &error) || !g_spawn_check_wait_status (status, &error))
    g_error ("lakebase-cli explain: %s", error->message);
  return (g_get_monotonic_time () - start) / 1000.0;
}

int
main (int   argc,
      char *argv[])
{
  guint runs = argc > 2 ? (guint) atoi (argv[2]) : 5;
  g_autoptr(LbPgSandbox) sandbox = lb_pg_sandbox_new_for_tests (TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbSqlScript) script = NULL;
  g_autofree char *dir = NULL, *path = NULL;
  g_autofree double *analyze = NULL, *plan_only = NULL, *cli = NULL;
  const char *conninfo;

  if (argc < 2 || runs < 1)
    {
      g_printerr ("usage: %s LAKEBASE_CLI [RUNS]\n", argv[0]);
      return 2;
    }
  if (!lb_pg_sandbox_start (sandbox, NULL, &error))
    g_error ("sandbox: %s", error->message);
  conninfo = lb_pg_sandbox_get_conninfo (sandbox);
  script = lb_sql_script_new_from_data (script_text, -1, "explain-10.sql", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lb_sql_script_get_n_queries (script), ==, 10);
  dir = g_dir_make_tmp ("lb-bench-explain-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "explain-10.sql", NULL);
  g_file_set_contents (path, script_text, -1, &error);
  g_assert_no_error (error);

  analyze = g_new (double, runs);
  plan_only = g_new (double, runs);
  cli = g_new (double, runs);
  time_core (script, conninfo, LB_EXPLAIN_ANALYZE_AUTO);   /* warm the cache */
  for (guint i = 0; i < runs; i++)
    {
      analyze[i] = time_core (script, conninfo, LB_EXPLAIN_ANALYZE_AUTO);
      plan_only[i] = time_core (script, conninfo, LB_EXPLAIN_ANALYZE_NEVER);
      cli[i] = time_cli (argv[1], path, conninfo);
    }
  g_print ("10 queries x 3 samples, median of %u runs:\n", runs);
  g_print ("  EXPLAIN ANALYZE (reads), plans (writes):  %.1f ms\n", median (analyze, runs));
  g_print ("  plans only (--no-analyze):                %.1f ms\n", median (plan_only, runs));
  g_print ("  lakebase-cli explain, whole process:      %.1f ms\n", median (cli, runs));

  g_unlink (path);
  g_rmdir (dir);
  lb_pg_sandbox_stop (sandbox, NULL);
  return 0;
}
