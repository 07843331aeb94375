/* SPDX-License-Identifier: GPL-3.0-or-later */
/* src/core/insight against the real sandbox PostgreSQL: plans parsed from
 * real EXPLAIN JSON, each finding class provoked by a real plan, index
 * advice (needed, covered, hypopg), writes under ANALYZE rolled back; and
 * lakebase-cli explain/advise on the same server. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>
#include <libpq-fe.h>

#include "lb-index-advisor.h"
#include "lb-pg-sandbox.h"
#include "lb-plan-condition.h"
#include "lb-plan-explainer.h"
#include "lb-plan-findings.h"
#include "lb-sql-param-sampler.h"
#include "lb-test-utils.h"

static LbPgSandbox *sandbox;
static const char *conninfo;
static char *tmp_dir;
static gboolean have_hypopg;   /* postgresql-15-hypopg installed (build-aux/dev installs it) */

static void
exec_or_fail (const char *sql)
{
  lb_test_pg_exec (conninfo, sql);
}

static gint64
query_int (const char *sql)
{
  return lb_test_pg_query_int (conninfo, sql);
}

static LbSqlScript *
script_new (const char *text)
{
  g_autoptr(GError) error = NULL;
  LbSqlScript *script = lb_sql_script_new_from_data (text, -1, "test.sql", &error);

  g_assert_no_error (error);
  return script;
}

/* Explains @text with @settings (name, value, …, NULL). */
static GPtrArray *
explain (const char       *text,
         LbExplainAnalyze  analyze,
         guint             samples,
         ...)
{
  g_autoptr(LbSqlScript) script = script_new (text);
  g_autoptr(LbPlanExplainer) explainer = lb_plan_explainer_new (conninfo, script);
  g_autoptr(GError) error = NULL;
  GPtrArray *plans;
  const char *name;
  va_list ap;

  lb_plan_explainer_set_analyze (explainer, analyze);
  lb_plan_explainer_set_samples (explainer, samples);
  va_start (ap, samples);
  while ((name = va_arg (ap, const char *)) != NULL)
    lb_plan_explainer_add_setting (explainer, name, va_arg (ap, const char *));
  va_end (ap);
  plans = lb_plan_explainer_explain (explainer, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (plans);
  return plans;
}

static LbExplainPlan *
first_plan (GPtrArray *plans,
            guint      query)
{
  LbQueryPlans *q = g_ptr_array_index (plans, query);
  LbExplainPlan *plan = lb_query_plans_get_plan (q);

  if (plan == NULL)
    g_error ("query %u has no plan: %s", query,
             lb_query_plans_get_n_samples (q) > 0 ? lb_query_plans_get_sample_error (q, 0)
                                                   : lb_query_plans_get_skipped (q));
  return plan;
}

static const LbPlanFinding *
find_finding (GPtrArray     *findings,
              LbFindingKind  kind)
{
  for (guint i = 0; i < findings->len; i++)
    {
      const LbPlanFinding *f = g_ptr_array_index (findings, i);

      if (f->kind == kind)
        return f;
    }
  return NULL;
}

static void
assert_finding (LbExplainPlan *plan,
                LbFindingKind  kind)
{
  g_autoptr(GPtrArray) findings = lb_plan_findings_collect (plan);
  const LbPlanFinding *f = find_finding (findings, kind);

  if (f == NULL)
    {
      g_autofree char *text = lb_explain_plan_to_text (plan);

      g_error ("no %s finding in:\n%s", lb_finding_kind_to_string (kind), text);
    }
  g_assert_nonnull (f->message);
  g_assert_nonnull (f->why);
  g_assert_true (g_str_has_suffix (f->why, "."));   /* one sentence */
  g_assert_null (strchr (f->why, '\n'));
}

/* ---- the plan model ---- */

typedef struct
{
  guint  nodes;
  guint  scans;
  double self_sum;
} Count;

static void
count_node (LbPlanNode *node,
            gpointer    user_data)
{
  Count *c = user_data;

  c->nodes++;
  if (lb_plan_node_get_relation (node) != NULL)
    c->scans++;
  g_assert_cmpfloat (lb_plan_node_get_self_time (node), <=, lb_plan_node_get_total_time (node) + 1e-9);
  c->self_sum += lb_plan_node_get_self_time (node);
}

static void
test_plan_parse (void)
{
  g_autoptr(GPtrArray) plans = explain (
    "SELECT c.c_last_name, count(*) FROM customer c JOIN store_sales ss"
    " ON ss.ss_customer_sk = c.c_customer_sk WHERE c.c_customer_sk < 50"
    " GROUP BY c.c_last_name ORDER BY 2 DESC;\n",
    LB_EXPLAIN_ANALYZE_AUTO, 1, NULL);
  LbExplainPlan *plan = first_plan (plans, 0);
  LbPlanNode *root = lb_explain_plan_get_root (plan);
  GListModel *model = lb_explain_plan_get_model (plan);
  Count count = { 0 };
  g_autofree char *text = lb_explain_plan_to_text (plan);
  g_autoptr(LbPlanNode) item = NULL;
  g_autofree char *node_type = NULL;
  double loops = -1;

  g_assert_true (lb_explain_plan_get_analyzed (plan));
  g_assert_cmpfloat (lb_explain_plan_get_execution_time (plan), >, 0);
  g_assert_cmpfloat (lb_explain_plan_get_planning_time (plan), >, 0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  g_assert_true (g_list_model_get_item_type (model) == LB_TYPE_PLAN_NODE);
  item = g_list_model_get_item (model, 0);
  g_assert_true (item == root);
  g_assert_cmpstr (lb_plan_node_get_node_type (root), ==, "Sort");
  g_assert_nonnull (lb_plan_node_get_sort_keys (root)[0]);
  g_assert_null (lb_plan_node_get_parent (root));
  g_assert_cmpuint (lb_plan_node_get_n_children (root), ==, 1);
  g_assert_true (lb_plan_node_get_parent (lb_plan_node_get_child (root, 0)) == root);
  g_assert_true (G_IS_LIST_MODEL (lb_plan_node_get_children (root)));

  lb_plan_node_foreach (root, count_node, &count);
  g_assert_cmpuint (count.nodes, >=, 4);
  g_assert_cmpuint (count.scans, ==, 2);
  /* the self times add up to the root's total */
  g_assert_cmpfloat (fabs (count.self_sum - lb_plan_node_get_total_time (root)), <, 0.01 + 0.05 * count.self_sum);
  g_assert_cmpfloat (lb_plan_node_get_shared_hit (root) + lb_plan_node_get_shared_read (root), >, 0);

  /* properties for a tree view */
  g_object_get (root, "node-type", &node_type, "loops", &loops, NULL);
  g_assert_cmpstr (node_type, ==, "Sort");
  g_assert_cmpfloat (loops, ==, 1);
  g_assert_nonnull (strstr (lb_explain_plan_get_signature (plan), "customer"));
  g_assert_nonnull (strstr (text, "Sort"));
  g_assert_nonnull (strstr (text, "actual time="));

  /* not a plan */
  {
    g_autoptr(GError) error = NULL;

    g_assert_null (lb_explain_plan_new_from_json ("[{\"x\": 1}]", &error));
    g_assert_error (error, LB_EXPLAIN_PLAN_ERROR, LB_EXPLAIN_PLAN_ERROR_INVALID);
    g_clear_error (&error);
    g_assert_null (lb_explain_plan_new_from_json ("{", &error));
    g_assert_error (error, LB_EXPLAIN_PLAN_ERROR, LB_EXPLAIN_PLAN_ERROR_INVALID);
  }
}

static void
assert_terms (const char *text,
              const char *expected)
{
  g_autoptr(GPtrArray) terms = lb_plan_condition_parse (text);
  g_autoptr(GString) got = g_string_new (NULL);

  for (guint i = 0; i < terms->len; i++)
    {
      LbConditionTerm *t = g_ptr_array_index (terms, i);
      const char *kind = t->kind == LB_CONDITION_EQUALITY ? "eq" :
                         t->kind == LB_CONDITION_RANGE ? "range" : "gin";

      g_string_append_printf (got, "%s%s:%s%s%s", i > 0 ? " " : "", kind,
                              t->qualifier != NULL ? t->qualifier : "", t->qualifier != NULL ? "." : "",
                              t->column);
      if (t->other_column != NULL)
        g_string_append_printf (got, "=%s.%s", t->other_qualifier != NULL ? t->other_qualifier : "",
                                t->other_column);
    }
  g_assert_cmpstr (got->str, ==, expected);
}

static void
test_condition_parse (void)
{
  assert_terms ("(c_customer_sk = 42)", "eq:c_customer_sk");
  assert_terms ("((ss_sold_date_sk >= 2451000) AND (ss_item_sk = 7))",
                "range:ss_sold_date_sk eq:ss_item_sk");
  assert_terms ("(data @> '{\"a\":1}'::jsonb)", "gin:data");
  assert_terms ("(c.c_email_address = 'x@y.org'::bpchar)", "eq:c.c_email_address");
  assert_terms ("((c.c_last_name)::text = 'Smith'::text)", "eq:c.c_last_name");
  assert_terms ("(42 < t.v)", "range:t.v");
  assert_terms ("(lower((c.c_email_address)::text) = 'a'::text)", "eq:lower((c_email_address)::text)");
  assert_terms ("(ss.ss_customer_sk = c.c_customer_sk)", "eq:ss.ss_customer_sk=c.c_customer_sk");
  assert_terms ("(c_customer_sk = ANY ('{1,2,3}'::integer[]))", "eq:c_customer_sk");
  assert_terms ("((a = 1) OR (b = 2))", "");
  assert_terms ("((a = 1) AND ((b = 2) OR (c = 3)))", "eq:a");
  assert_terms ("(name ~~ 'abc%'::text)", "range:name");
  assert_terms ("(name ~~ '%abc'::text)", "");
  assert_terms ("(x IS NULL)", "eq:x");
  assert_terms ("(\"Odd Name\" = 'it''s'::text)", "eq:Odd Name");
  assert_terms ("(NOT flag)", "");
  assert_terms ("((x + 1) = 5)", "eq:x + 1");
  assert_terms ("(x = (y + 1))", "");
  assert_terms ("(unterminated = 'abc", "");
  assert_terms (NULL, "");

  {
    g_autofree char *q = NULL, *c = NULL;

    g_assert_true (lb_plan_condition_parse_column ("c.c_last_name DESC", &q, &c));
    g_assert_cmpstr (q, ==, "c");
    g_assert_cmpstr (c, ==, "c_last_name");
  }
}

static void
test_statement_classify (void)
{
  g_assert_cmpint (lb_statement_classify ("SELECT 1"), ==, LB_STATEMENT_READ);
  g_assert_cmpint (lb_statement_classify ("  -- note\n select * from t where x = 'UPDATE'"), ==, LB_STATEMENT_READ);
  g_assert_cmpint (lb_statement_classify ("INSERT INTO t VALUES (1)"), ==, LB_STATEMENT_WRITE);
  g_assert_cmpint (lb_statement_classify ("update t set x = 1"), ==, LB_STATEMENT_WRITE);
  g_assert_cmpint (lb_statement_classify ("DELETE FROM t"), ==, LB_STATEMENT_WRITE);
  g_assert_cmpint (lb_statement_classify ("MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE"), ==, LB_STATEMENT_WRITE);
  g_assert_cmpint (lb_statement_classify ("SELECT * FROM t FOR UPDATE"), ==, LB_STATEMENT_WRITE);
  g_assert_cmpint (lb_statement_classify ("SELECT * FROM t FOR NO KEY UPDATE SKIP LOCKED"), ==, LB_STATEMENT_WRITE);
  g_assert_cmpint (lb_statement_classify ("SELECT * FROM t FOR KEY SHARE"), ==, LB_STATEMENT_WRITE);
  g_assert_cmpint (lb_statement_classify ("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d"), ==, LB_STATEMENT_WRITE);
  g_assert_cmpint (lb_statement_classify ("WITH d AS (SELECT 1) SELECT * FROM d"), ==, LB_STATEMENT_READ);
  g_assert_cmpint (lb_statement_classify ("SELECT $$ DELETE $$, \"update\" FROM t"), ==, LB_STATEMENT_READ);
  g_assert_cmpint (lb_statement_classify ("BEGIN"), ==, LB_STATEMENT_NOT_EXPLAINABLE);
  g_assert_cmpint (lb_statement_classify ("SET work_mem = '1MB'"), ==, LB_STATEMENT_NOT_EXPLAINABLE);
  g_assert_cmpint (lb_statement_classify ("CREATE TABLE x (a int)"), ==, LB_STATEMENT_NOT_EXPLAINABLE);
}

/* ---- the explainer ---- */

static void
test_samples (void)
{
  g_autoptr(GPtrArray) plans = explain (
    "-- NAME: by_key\n"
    "-- PARAM k = random(1, 100000)\n"
    "SELECT * FROM customer WHERE c_customer_sk = :k;\n"
    "-- NAME: spread\n"
    "-- PARAM c = values(3, 60000)\n"
    "SELECT count(*) FROM store_sales WHERE ss_customer_sk < :c;\n",
    LB_EXPLAIN_ANALYZE_AUTO, 6, NULL);
  LbQueryPlans *by_key = g_ptr_array_index (plans, 0);
  LbQueryPlans *spread = g_ptr_array_index (plans, 1);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpuint (plans->len, ==, 2);
  g_assert_cmpstr (lb_query_plans_get_name (by_key), ==, "by_key");
  g_assert_cmpuint (lb_query_plans_get_n_samples (by_key), ==, 6);
  g_assert_true (lb_query_plans_get_analyzed (by_key));
  g_assert_false (lb_query_plans_get_writes (by_key));
  for (guint s = 0; s < 6; s++)
    {
      guint n = 0;
      const char * const *values = lb_query_plans_get_sample_values (by_key, s, &n);
      gint64 k;

      g_assert_cmpuint (n, ==, 1);
      k = g_ascii_strtoll (values[0], NULL, 10);
      g_assert_cmpint (k, >=, 1);
      g_assert_cmpint (k, <=, 100000);
      g_hash_table_add (seen, (gpointer) values[0]);
      g_assert_nonnull (lb_query_plans_get_sample_plan (by_key, s));
    }
  g_assert_cmpuint (g_hash_table_size (seen), >, 1);     /* drawn, not repeated */
  g_assert_cmpuint (lb_query_plans_get_n_distinct_plans (by_key), ==, 1);

  /* 3 customers: an index scan; 60000: a scan of most of the table */
  g_assert_cmpuint (lb_query_plans_get_n_distinct_plans (spread), ==, 2);
}

static void
test_writes_rolled_back (void)
{
  const char *text =
    "-- NAME: bump\n"
    "-- PARAM k = random(1, 1000)\n"
    "UPDATE customer SET c_birth_year = -1 WHERE c_customer_sk = :k;\n"
    "-- NAME: add\n"
    "INSERT INTO insight_log SELECT g FROM generate_series(1, 100) g;\n"
    "-- NAME: cte\n"
    "WITH d AS (DELETE FROM insight_log RETURNING *) SELECT count(*) FROM d;\n";
  gint64 before_log, before_bumped;

  exec_or_fail ("CREATE TABLE IF NOT EXISTS insight_log (v int);"
                "INSERT INTO insight_log SELECT g FROM generate_series(1, 10) g");
  before_log = query_int ("SELECT count(*) FROM insight_log");
  before_bumped = query_int ("SELECT count(*) FROM customer WHERE c_birth_year = -1");
  g_assert_cmpint (before_bumped, ==, 0);

  /* By default, writes are only planned: */
  {
    g_autoptr(GPtrArray) plans = explain (text, LB_EXPLAIN_ANALYZE_AUTO, 2, NULL);

    for (guint i = 0; i < 3; i++)
      {
        LbQueryPlans *q = g_ptr_array_index (plans, i);

        g_assert_true (lb_query_plans_get_writes (q));
        g_assert_false (lb_query_plans_get_analyzed (q));
        g_assert_false (lb_explain_plan_get_analyzed (first_plan (plans, i)));
      }
  }
  /* forced, they run and are rolled back: */
  {
    g_autoptr(GPtrArray) plans = explain (text, LB_EXPLAIN_ANALYZE_ALWAYS, 2, NULL);

    for (guint i = 0; i < 3; i++)
      {
        LbQueryPlans *q = g_ptr_array_index (plans, i);

        g_assert_true (lb_query_plans_get_analyzed (q));
        g_assert_true (lb_explain_plan_get_analyzed (first_plan (plans, i)));
      }
    /* the insert really inserted its 100 rows (inside the transaction) */
    g_assert_cmpfloat (lb_plan_node_get_actual_rows (
                         lb_plan_node_get_child (lb_explain_plan_get_root (first_plan (plans, 1)), 0)),
                       ==, 100);
  }
  g_assert_cmpint (query_int ("SELECT count(*) FROM insight_log"), ==, before_log);
  g_assert_cmpint (query_int ("SELECT count(*) FROM customer WHERE c_birth_year = -1"), ==, 0);

  /* a failing statement is rolled back too, and the next one still runs */
  {
    g_autoptr(GPtrArray) plans = explain ("SELECT 1/0 FROM insight_log;\nSELECT count(*) FROM insight_log;\n",
                                          LB_EXPLAIN_ANALYZE_AUTO, 1, NULL);
    LbQueryPlans *bad = g_ptr_array_index (plans, 0);

    g_assert_null (lb_query_plans_get_plan (bad));
    g_assert_nonnull (strstr (lb_query_plans_get_sample_error (bad, 0), "division by zero"));
    g_assert_nonnull (first_plan (plans, 1));
  }
}

static void
explained_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GError **slot = user_data;
  g_autoptr(GPtrArray) plans = lb_plan_explainer_explain_finish (LB_PLAN_EXPLAINER (source), result, slot);

  g_assert_null (plans);
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (void)
{
  g_autoptr(LbSqlScript) script = script_new ("SELECT pg_sleep(20);\n");
  g_autoptr(LbPlanExplainer) explainer = lb_plan_explainer_new (conninfo, script);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GError *error = NULL;
  gint64 start = g_get_monotonic_time ();

  lb_plan_explainer_explain_async (explainer, cancellable, explained_cb, &error);
  g_timeout_add (300, cancel_cb, cancellable);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
}

static void
test_bad_server (void)
{
  g_autoptr(LbSqlScript) script = script_new ("SELECT 1;\n");
  g_autofree char *bad = g_strdup_printf ("%s dbname=no_such_db", conninfo);
  g_autoptr(LbPlanExplainer) explainer = lb_plan_explainer_new (bad, script);
  g_autoptr(GError) error = NULL;

  g_assert_null (lb_plan_explainer_explain (explainer, NULL, &error));
  g_assert_error (error, LB_PLAN_EXPLAINER_ERROR, LB_PLAN_EXPLAINER_ERROR_CONNECT);

  /* each mode of the toggle says what it does, in one sentence */
  for (int mode = LB_EXPLAIN_ANALYZE_AUTO; mode <= LB_EXPLAIN_ANALYZE_ALWAYS; mode++)
    g_assert_true (g_str_has_suffix (lb_explain_analyze_describe (mode), "."));
}

/* ---- findings, one real plan each ---- */

static void
test_finding_seq_scan (void)
{
  g_autoptr(GPtrArray) plans = explain (
    "-- PARAM e = values('nobody@example.org')\n"
    "SELECT c_customer_id FROM customer WHERE c_email_address = :e;\n",
    LB_EXPLAIN_ANALYZE_AUTO, 1, "max_parallel_workers_per_gather", "0", NULL);

  assert_finding (first_plan (plans, 0), LB_FINDING_SEQ_SCAN);
  assert_finding (first_plan (plans, 0), LB_FINDING_ROWS_REMOVED);
}

static void
test_finding_rows_removed (void)
{
  /* an index scan on a range, filtering most of what it fetched */
  g_autoptr(GPtrArray) plans = explain (
    "SELECT * FROM customer WHERE c_customer_sk <= 20000 AND c_birth_month = 13;\n",
    LB_EXPLAIN_ANALYZE_AUTO, 1, "enable_seqscan", "off", "enable_bitmapscan", "off", NULL);
  LbExplainPlan *plan = first_plan (plans, 0);
  g_autoptr(GPtrArray) findings = lb_plan_findings_collect (plan);

  assert_finding (plan, LB_FINDING_ROWS_REMOVED);
  g_assert_null (find_finding (findings, LB_FINDING_SEQ_SCAN));
}

static void
test_finding_estimate (void)
{
  g_autoptr(GPtrArray) plans = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  const LbPlanFinding *f;

  /* statistics taken when every value was rare, then one value took over */
  exec_or_fail ("DROP TABLE IF EXISTS insight_stale;"
                "CREATE TABLE insight_stale (v int) WITH (autovacuum_enabled = false);"
                "INSERT INTO insight_stale SELECT g FROM generate_series(1, 10000) g;"
                "ANALYZE insight_stale;"
                "INSERT INTO insight_stale SELECT 1 FROM generate_series(1, 20000);");
  plans = explain ("SELECT * FROM insight_stale WHERE v = 1;\n", LB_EXPLAIN_ANALYZE_AUTO, 1,
                   "max_parallel_workers_per_gather", "0", NULL);
  assert_finding (first_plan (plans, 0), LB_FINDING_ESTIMATE_OFF);
  findings = lb_plan_findings_collect (first_plan (plans, 0));
  f = find_finding (findings, LB_FINDING_ESTIMATE_OFF);
  g_assert_nonnull (strstr (f->suggestion, "ANALYZE lakebase_workload.insight_stale"));
}

static void
test_finding_spill (void)
{
  g_autoptr(GPtrArray) plans = explain (
    "SELECT * FROM customer ORDER BY c_email_address;\n"
    "SELECT count(*) FROM store_sales ss JOIN customer c ON c.c_customer_sk = ss.ss_customer_sk;\n",
    LB_EXPLAIN_ANALYZE_AUTO, 1, "work_mem", "64kB", "max_parallel_workers_per_gather", "0",
    "enable_mergejoin", "off", "enable_nestloop", "off", NULL);
  g_autoptr(GPtrArray) findings = lb_plan_findings_collect (first_plan (plans, 0));
  const LbPlanFinding *f = find_finding (findings, LB_FINDING_SPILL);

  assert_finding (first_plan (plans, 0), LB_FINDING_SPILL);
  g_assert_nonnull (strstr (f->suggestion, "work_mem"));
  /* the SET LOCAL shows in the plan's settings */
  g_assert_nonnull (lb_explain_plan_get_settings (first_plan (plans, 0)));
  g_assert_cmpstr (json_object_get_string_member (lb_explain_plan_get_settings (first_plan (plans, 0)),
                                                  "work_mem"), ==, "64kB");
  /* a hash in batches */
  assert_finding (first_plan (plans, 1), LB_FINDING_SPILL);
}

static void
test_finding_nested_loop (void)
{
  g_autoptr(GPtrArray) plans = explain (
    "SELECT count(*) FROM customer c JOIN store_sales ss ON ss.ss_customer_sk = c.c_customer_sk"
    " WHERE c.c_customer_sk <= 3000;\n",
    LB_EXPLAIN_ANALYZE_AUTO, 1, "enable_hashjoin", "off", "enable_mergejoin", "off",
    "max_parallel_workers_per_gather", "0", NULL);

  assert_finding (first_plan (plans, 0), LB_FINDING_NESTED_LOOP);
}

static void
test_finding_buffers_read (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) plans = NULL;

  /* an empty buffer cache: every block comes from the operating system */
  if (!lb_pg_sandbox_restart (sandbox, &error))
    g_error ("restart: %s", error->message);
  conninfo = lb_pg_sandbox_get_conninfo (sandbox);
  plans = explain ("SELECT count(*) FROM customer;\n", LB_EXPLAIN_ANALYZE_AUTO, 1,
                   "max_parallel_workers_per_gather", "0", NULL);
  assert_finding (first_plan (plans, 0), LB_FINDING_BUFFERS_READ);
}

/* ---- index advice ---- */

static LbIndexAdvisor *
advise (GPtrArray  *plans,
        GPtrArray **advice)
{
  LbIndexAdvisor *advisor = lb_index_advisor_new (conninfo);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < plans->len; i++)
    lb_index_advisor_add_plans (advisor, g_ptr_array_index (plans, i));
  *advice = lb_index_advisor_advise (advisor, NULL, &error);
  g_assert_no_error (error);
  return advisor;
}

static void
test_advice_needed (void)
{
  g_autoptr(GPtrArray) plans = explain (
    "-- NAME: by_email\n"
    "-- PARAM e = values('a@example.org', 'b@example.org')\n"
    "SELECT c_customer_id FROM customer WHERE c_email_address = :e;\n"
    "-- NAME: by_customer\n"
    "-- PARAM c = random(1, 100000)\n"
    "SELECT sum(ss_quantity) FROM store_sales WHERE ss_customer_sk = :c;\n",
    LB_EXPLAIN_ANALYZE_AUTO, 1, NULL);
  g_autoptr(GPtrArray) advice = NULL;
  g_autoptr(LbIndexAdvisor) advisor = advise (plans, &advice);
  LbIndexAdvice *a;

  g_assert_cmpuint (advice->len, ==, 1);
  a = g_ptr_array_index (advice, 0);
  g_assert_cmpstr (a->table, ==, "customer");
  g_assert_cmpstr (a->columns[0], ==, "c_email_address");
  g_assert_null (a->columns[1]);
  g_assert_cmpstr (a->statement, ==,
                   "CREATE INDEX CONCURRENTLY customer_c_email_address_idx"
                   " ON lakebase_workload.customer (c_email_address);");
  g_assert_cmpstr (g_ptr_array_index (a->queries, 0), ==, "by_email");
  g_assert_cmpuint (a->n_equality, ==, 1);

  if (!have_hypopg)
    {
      g_assert_false (lb_index_advisor_get_hypopg (advisor));
      g_assert_false (a->predicted);
      g_assert_nonnull (strstr (lb_index_advisor_get_hypopg_message (advisor),
                                "hypopg is not installed on this server"));
      g_test_incomplete ("hypopg is not installed here: no predicted plans to check");
      return;
    }
  /* hypopg is in the sandbox: the predicted plan uses the index */
  g_assert_true (lb_index_advisor_get_hypopg (advisor));
  g_assert_null (lb_index_advisor_get_hypopg_message (advisor));
  g_assert_true (a->predicted);
  if (!a->uses_index)
    g_error ("the predicted plan does not use the index:\n%s", lb_explain_plan_to_text (a->plan_after));
  g_assert_cmpfloat (a->cost_after, <, a->cost_before);
  g_assert_nonnull (strstr (lb_plan_node_get_node_type (lb_explain_plan_get_root (a->plan_after)), "Index"));
  /* hypothetical only: nothing was created */
  g_assert_cmpint (query_int ("SELECT count(*) FROM pg_indexes WHERE tablename = 'customer'"), ==, 1);
}

static void
test_advice_covered (void)
{
  /* planner kept off the index: the candidate is the existing index */
  g_autoptr(GPtrArray) plans = explain (
    "-- PARAM c = random(1, 100000)\n"
    "SELECT sum(ss_quantity) FROM store_sales WHERE ss_customer_sk = :c;\n"
    "-- PARAM s = random(1, 10)\n"
    "SELECT count(*) FROM store_sales WHERE ss_store_sk = :s AND ss_sold_date_sk = 2451000;\n",
    LB_EXPLAIN_ANALYZE_AUTO, 1, "enable_indexscan", "off", "enable_bitmapscan", "off",
    "enable_indexonlyscan", "off", NULL);
  g_autoptr(GPtrArray) advice = NULL;
  g_autoptr(LbIndexAdvisor) advisor = advise (plans, &advice);
  GPtrArray *covered = lb_index_advisor_get_covered (advisor);
  gboolean customer = FALSE, store_date = FALSE;

  g_assert_cmpuint (advice->len, ==, 0);
  for (guint i = 0; i < covered->len; i++)
    {
      LbIndexCovered *c = g_ptr_array_index (covered, i);

      customer |= strstr (c->covered_by, "store_sales_customer_idx") != NULL;
      store_date |= strstr (c->covered_by, "store_sales_store_date_idx") != NULL;
    }
  g_assert_true (customer);
  g_assert_true (store_date);
}

static gboolean
has_statement (GPtrArray  *advice,
               const char *statement)
{
  for (guint i = 0; i < advice->len; i++)
    if (strcmp (((LbIndexAdvice *) g_ptr_array_index (advice, i))->statement, statement) == 0)
      return TRUE;
  return FALSE;
}

static void
dump_advice (GPtrArray *advice)
{
  for (guint i = 0; i < advice->len; i++)
    g_test_message ("advice: %s", ((LbIndexAdvice *) g_ptr_array_index (advice, i))->statement);
}

static void
test_advice_shapes (void)
{
  g_autoptr(GPtrArray) plans = NULL;
  g_autoptr(GPtrArray) c0 = NULL, c1 = NULL, c2 = NULL, c3 = NULL;

  exec_or_fail ("DROP TABLE IF EXISTS insight_docs;"
                "CREATE TABLE insight_docs (id int, email text, data jsonb);"
                "INSERT INTO insight_docs SELECT g, 'user' || g || '@Example.org',"
                "  jsonb_build_object('a', g % 1000, 'b', 'x') FROM generate_series(1, 20000) g;"
                "ANALYZE insight_docs;");
  plans = explain (
    "SELECT id FROM insight_docs WHERE data @> '{\"a\": 7}';\n"
    "SELECT id FROM insight_docs WHERE lower(email) = 'user7@example.org';\n"
    "-- PARAM y = random(1930, 1990)\n"
    "SELECT c_customer_sk FROM customer WHERE c_birth_year = :y ORDER BY c_last_name LIMIT 10;\n"
    "SELECT count(*) FROM customer WHERE c_birth_month = 3 AND c_birth_year > 1985;\n",
    LB_EXPLAIN_ANALYZE_AUTO, 1, "max_parallel_workers_per_gather", "0", NULL);

  c0 = lb_index_advisor_candidates (first_plan (plans, 0), NULL);
  dump_advice (c0);
  g_assert_true (has_statement (c0, "CREATE INDEX CONCURRENTLY insight_docs_data_gin"
                                    " ON lakebase_workload.insight_docs USING gin (data);"));
  c1 = lb_index_advisor_candidates (first_plan (plans, 1), NULL);
  dump_advice (c1);
  g_assert_true (has_statement (c1, "CREATE INDEX CONCURRENTLY insight_docs_lower_email_idx"
                                    " ON lakebase_workload.insight_docs ((lower(email)));"));
  c2 = lb_index_advisor_candidates (first_plan (plans, 2), NULL);
  dump_advice (c2);
  g_assert_true (has_statement (c2, "CREATE INDEX CONCURRENTLY customer_c_birth_year_c_last_name_idx"
                                    " ON lakebase_workload.customer (c_birth_year, c_last_name);"));
  c3 = lb_index_advisor_candidates (first_plan (plans, 3), NULL);
  dump_advice (c3);
  g_assert_true (has_statement (c3, "CREATE INDEX CONCURRENTLY customer_c_birth_month_c_birth_year_idx"
                                    " ON lakebase_workload.customer (c_birth_month, c_birth_year);"));

  /* a nested loop's join filter: the inner side's join column */
  {
    g_autoptr(GPtrArray) nl = explain (
      "SELECT count(*) FROM customer c JOIN insight_docs d ON d.id = c.c_customer_sk"
      " WHERE d.id <= 200 AND c.c_birth_month = 3;\n",
      LB_EXPLAIN_ANALYZE_AUTO, 1, "enable_hashjoin", "off", "enable_mergejoin", "off",
      "enable_indexscan", "off", "enable_indexonlyscan", "off", "enable_bitmapscan", "off",
      "max_parallel_workers_per_gather", "0", NULL);
    g_autoptr(GPtrArray) c4 = lb_index_advisor_candidates (first_plan (nl, 0), NULL);
    g_autofree char *text = lb_explain_plan_to_text (first_plan (nl, 0));

    g_test_message ("%s", text);
    dump_advice (c4);
    g_assert_true (has_statement (c4, "CREATE INDEX CONCURRENTLY insight_docs_id_idx"
                                      " ON lakebase_workload.insight_docs (id);"));
  }

  /* the GIN and expression candidates are real statements: hypopg takes them */
  {
    g_autoptr(GPtrArray) advice = NULL;
    g_autoptr(LbIndexAdvisor) advisor = advise (plans, &advice);

    dump_advice (advice);
    for (guint i = 0; i < advice->len; i++)
      {
        LbIndexAdvice *a = g_ptr_array_index (advice, i);

        if (!have_hypopg)
          g_assert_false (a->predicted);
        else if (strcmp (a->table, "insight_docs") == 0 && strcmp (a->method, "btree") == 0)
          {
            g_assert_true (a->predicted);
            g_assert_true (a->uses_index);
          }
        else if (strcmp (a->method, "gin") == 0 && !a->predicted)
          g_assert_nonnull (a->predict_error);   /* hypopg 1.3 has no GIN */
      }
  }
}

/* ---- the command line ---- */

static char **
cli_env (void)
{
  g_auto(GStrv) envp = g_get_environ ();
  const char *pg_names[] = { "PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE", "PGPASSWORD" };

  for (guint i = 0; i < G_N_ELEMENTS (pg_names); i++)
    envp = g_environ_unsetenv (envp, pg_names[i]);
  envp = g_environ_setenv (envp, "LC_ALL", "C.UTF-8", TRUE);
  return g_steal_pointer (&envp);
}

static void
run_cli (LbTestCliResult *result,
         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_auto(GStrv) envp = cli_env ();
  const char *arg;
  va_list ap;

  va_start (ap, result);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  lb_test_run_cli (result, envp, G_SPAWN_DEFAULT, (const char * const *) args->pdata);
}

static void
assert_contains (const char *haystack,
                 const char *needle)
{
  if (strstr (haystack, needle) == NULL)
    g_error ("“%s” not found in:\n%s", needle, haystack);
}

static const char cli_script[] =
  "-- NAME: by_email\n"
  "-- PARAM e = values('a@example.org', 'b@example.org')\n"
  "SELECT c_customer_id FROM customer WHERE c_email_address = :e;\n"
  "-- NAME: by_key\n"
  "-- PARAM k = random(1, 100000)\n"
  "SELECT * FROM customer WHERE c_customer_sk = :k;\n"
  "-- NAME: bump\n"
  "-- PARAM k2 = random(1, 100000)\n"
  "UPDATE customer SET c_birth_year = c_birth_year WHERE c_customer_sk = :k2;\n";

static void
test_cli_explain (void)
{
  g_autofree char *path = lb_test_write_file (tmp_dir, "cli.sql", cli_script);
  g_auto(LbTestCliResult) result = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root;
  JsonArray *queries;

  run_cli (&result, "explain", path, "--dsn", conninfo, NULL);
  if (result.status != 0)
    g_error ("explain failed: %s", result.err);
  g_test_message ("lakebase-cli explain:\n%s", result.out);
  assert_contains (result.out, "== by_email (line 3)");
  assert_contains (result.out, "Seq Scan on customer");
  assert_contains (result.out, "[seq-scan]");
  assert_contains (result.out, "EXPLAIN ANALYZE, rolled back; 3 samples");
  assert_contains (result.out, "EXPLAIN without ANALYZE: the statement writes");
  assert_contains (result.out, "Index Scan using customer_pkey on customer");

  run_cli (&result, "explain", path, "--dsn", conninfo, "--json", "--samples", "2", "--analyze", NULL);
  if (result.status != 0)
    g_error ("explain --json failed: %s", result.err);
  json_parser_load_from_data (parser, result.out, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "script"), ==, "cli.sql");
  queries = json_object_get_array_member (root, "queries");
  g_assert_cmpuint (json_array_get_length (queries), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *q = json_array_get_object_element (queries, i);
      JsonArray *samples = json_object_get_array_member (q, "samples");
      JsonObject *s0 = json_array_get_object_element (samples, 0);
      JsonNode *plan = json_object_get_member (s0, "plan");

      g_assert_true (json_object_has_member (q, "name"));
      g_assert_true (json_object_get_boolean_member (q, "analyzed"));   /* --analyze: writes too */
      g_assert_cmpint (json_object_get_boolean_member (q, "writes"), ==, i == 2);
      g_assert_cmpuint (json_array_get_length (samples), ==, 2);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (s0, "parameters")), ==, 1);
      g_assert_true (JSON_NODE_HOLDS_ARRAY (plan));
      g_assert_true (json_object_has_member (json_array_get_object_element (json_node_get_array (plan), 0), "Plan"));
      g_assert_true (json_object_has_member (q, "findings"));
      g_assert_true (json_object_has_member (q, "plans_differ"));
    }
  {
    JsonArray *findings = json_object_get_array_member (json_array_get_object_element (queries, 0), "findings");
    JsonObject *f0 = json_array_get_object_element (findings, 0);

    g_assert_cmpuint (json_array_get_length (findings), >=, 1);
    g_assert_cmpstr (json_object_get_string_member (f0, "kind"), ==, "seq-scan");
    g_assert_true (json_object_has_member (f0, "why"));
  }

  /* bad input */
  run_cli (&result, "explain", NULL);
  g_assert_cmpint (result.status, ==, 2);
  run_cli (&result, "explain", path, "--dsn", conninfo, "--analyze", "--no-analyze", NULL);
  g_assert_cmpint (result.status, ==, 2);
  run_cli (&result, "explain", path, "--dsn", conninfo, "--set", "oops", NULL);
  g_assert_cmpint (result.status, ==, 2);
}

static void
test_cli_advise (void)
{
  g_autofree char *path = lb_test_write_file (tmp_dir, "cli.sql", cli_script);
  g_auto(LbTestCliResult) result = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root, *a0;
  JsonArray *advice;

  run_cli (&result, "advise", path, "--dsn", conninfo, NULL);
  if (result.status != 0)
    g_error ("advise failed: %s", result.err);
  g_test_message ("lakebase-cli advise:\n%s", result.out);
  assert_contains (result.out, "CREATE INDEX CONCURRENTLY customer_c_email_address_idx ON "
                               "lakebase_workload.customer (c_email_address);");
  if (have_hypopg)
    {
      assert_contains (result.out, "predicted by hypopg for by_email");
      assert_contains (result.out, "the plan uses the index");
    }
  else
    assert_contains (result.out, "hypopg is not installed on this server");
  g_assert_null (strstr (result.out, "customer_pkey ("));

  run_cli (&result, "advise", path, "--dsn", conninfo, "--json", NULL);
  g_assert_cmpint (result.status, ==, 0);
  json_parser_load_from_data (parser, result.out, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_boolean_member (root, "hypopg"), ==, have_hypopg);
  g_assert_false (json_object_get_boolean_member (root, "applied"));
  advice = json_object_get_array_member (root, "advice");
  g_assert_cmpuint (json_array_get_length (advice), ==, 1);
  a0 = json_array_get_object_element (advice, 0);
  g_assert_cmpstr (json_object_get_string_member (a0, "table"), ==, "customer");
  g_assert_cmpstr (json_object_get_string_member (a0, "method"), ==, "btree");
  if (have_hypopg)
    g_assert_true (json_object_get_boolean_member (json_object_get_object_member (a0, "predicted"),
                                                   "uses_index"));
  else
    g_assert_true (json_node_is_null (json_object_get_member (a0, "predicted")));
}

/* Last: it changes the sample schema. */
static void
test_cli_advise_apply (void)
{
  g_autofree char *path = lb_test_write_file (tmp_dir, "cli.sql", cli_script);
  g_auto(LbTestCliResult) result = { 0 };

  run_cli (&result, "advise", path, "--dsn", conninfo, "--apply", NULL);
  if (result.status != 0)
    g_error ("advise --apply failed: %s", result.err);
  g_test_message ("lakebase-cli advise --apply:\n%s", result.out);
  assert_contains (result.out, "Created: CREATE INDEX CONCURRENTLY customer_c_email_address_idx");
  assert_contains (result.out, "Plans after:");
  assert_contains (result.out, "using customer_c_email_address_idx on customer");
  g_assert_cmpint (query_int ("SELECT count(*) FROM pg_indexes WHERE indexname = 'customer_c_email_address_idx'"), ==, 1);

  /* now it exists: not advised again */
  run_cli (&result, "advise", path, "--dsn", conninfo, NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_null (strstr (result.out, "CREATE INDEX CONCURRENTLY customer_c_email_address_idx"));
  assert_contains (result.out, "No index to advise");
}

/* ---- parameters drawn as a run draws them ---- */

static void
record_cb (const LbSqlQuery   *q,
           const char * const *values,
           gpointer            data)
{
  char **out = data;

  g_assert_cmpuint (q->n_params, ==, 2);
  g_assert_cmpint (g_ascii_strtoll (values[1], NULL, 10), ==, g_ascii_strtoll (values[0], NULL, 10) * 100);
  g_free (out[0]);
  out[0] = g_strdup (values[0]);
}

static void
test_param_sampler (void)
{
  g_autoptr(LbSqlScript) script = script_new ("\\set a random(1, 10)\n"
                                              "\\set b :a * 100\n"
                                              "SELECT :a, :b;\n");
  g_autoptr(LbSqlParamSampler) s1 = lb_sql_param_sampler_new (script, 42, 1);
  g_autoptr(LbSqlParamSampler) s2 = lb_sql_param_sampler_new (script, 42, 1);
  char *first[2] = { NULL, NULL };

  g_assert_true (lb_sql_param_sampler_run (s1, 0, record_cb, &first[0], NULL));
  g_assert_true (lb_sql_param_sampler_run (s2, 0, record_cb, &first[1], NULL));
  g_assert_cmpstr (first[0], ==, first[1]);   /* the same seed draws the same */
  g_free (first[0]);
  g_free (first[1]);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/insight/condition-parse", test_condition_parse);
  g_test_add_func ("/insight/statement-classify", test_statement_classify);
  g_test_add_func ("/insight/param-sampler", test_param_sampler);
  g_test_add_func ("/insight/plan-parse", test_plan_parse);
  g_test_add_func ("/insight/samples", test_samples);
  g_test_add_func ("/insight/writes-rolled-back", test_writes_rolled_back);
  g_test_add_func ("/insight/cancel", test_cancel);
  g_test_add_func ("/insight/bad-server", test_bad_server);
  g_test_add_func ("/insight/finding/seq-scan", test_finding_seq_scan);
  g_test_add_func ("/insight/finding/rows-removed", test_finding_rows_removed);
  g_test_add_func ("/insight/finding/estimate", test_finding_estimate);
  g_test_add_func ("/insight/finding/spill", test_finding_spill);
  g_test_add_func ("/insight/finding/nested-loop", test_finding_nested_loop);
  g_test_add_func ("/insight/finding/buffers-read", test_finding_buffers_read);
  g_test_add_func ("/insight/advice/needed", test_advice_needed);
  g_test_add_func ("/insight/advice/covered", test_advice_covered);
  g_test_add_func ("/insight/advice/shapes", test_advice_shapes);
  g_test_add_func ("/insight/cli/explain", test_cli_explain);
  g_test_add_func ("/insight/cli/advise", test_cli_advise);
  g_test_add_func ("/insight/cli/advise-apply", test_cli_advise_apply);

  tmp_dir = g_dir_make_tmp ("lb-test-insight-XXXXXX", &error);
  g_assert_no_error (error);
  sandbox = lb_pg_sandbox_new_for_tests (TRUE);
  if (!lb_pg_sandbox_start (sandbox, NULL, &error))
    g_error ("the test sandbox did not start: %s", error->message);
  conninfo = lb_pg_sandbox_get_conninfo (sandbox);
  have_hypopg = query_int ("SELECT count(*) FROM pg_extension WHERE extname = 'hypopg'") == 1;
  /* the sandbox creates the extension wherever the server has it */
  g_assert_cmpint (have_hypopg, ==,
                   query_int ("SELECT count(*) FROM pg_available_extensions WHERE name = 'hypopg'") == 1);
  if (!have_hypopg)
    g_printerr ("# hypopg is not installed: predicted plans are not tested (apt-get install postgresql-15-hypopg)\n");

  status = g_test_run ();

  if (!lb_pg_sandbox_stop (sandbox, &error))
    g_warning ("the test sandbox did not stop: %s", error->message);
  g_clear_object (&sandbox);
  lb_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  return status;
}
