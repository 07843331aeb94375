/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbIndexApplier against a real sandbox PostgreSQL: advice applied makes
 * the plan use the index, progress read from pg_stat_progress_create_index,
 * a cancelled build leaves no invalid index, undo drops exactly what was
 * created, the errors people meet (an index of that name, no ownership), a
 * run before and after through LbTestRun, and lakebase-cli advise --apply
 * with Ctrl+C. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <libpq-fe.h>

#include "lb-index-applier.h"
#include "lb-pg-sandbox.h"
#include "lb-plan-explainer.h"
#include "lb-test-run.h"
#include "lb-test-utils.h"

static LbPgSandbox *sandbox;
static const char *conninfo;
static char *tmp_dir;

/* Big enough that building an index on it takes a few polls. */
#define BIG_ROWS 2000000

static const char email_script[] =
  "-- NAME: by_email\n"
  "-- PARAM e = values('customer17@example.com', 'customer4242@example.com', 'customer99999@example.com')\n"
  "SELECT c_customer_id FROM customer WHERE c_email_address = :e;\n";

static gint64
query_int (const char *sql)
{
  return lb_test_pg_query_int (conninfo, sql);
}

static gint64
count_invalid (void)
{
  return query_int ("SELECT count(*) FROM pg_index WHERE NOT indisvalid");
}

static gboolean
index_exists (const char *name)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM pg_class c JOIN pg_namespace n"
                                          " ON n.oid = c.relnamespace WHERE c.relkind = 'i'"
                                          " AND n.nspname = 'lakebase_workload' AND c.relname = '%s'",
                                          name);

  return query_int (sql) == 1;
}

static LbSqlScript *
script_new (const char *text)
{
  g_autoptr(GError) error = NULL;
  LbSqlScript *script = lb_sql_script_new_from_data (text, -1, "test.sql", &error);

  g_assert_no_error (error);
  return script;
}

static GPtrArray *
explain (LbSqlScript *script)
{
  g_autoptr(LbPlanExplainer) explainer = lb_plan_explainer_new (conninfo, script);
  g_autoptr(GError) error = NULL;
  GPtrArray *plans;

  lb_plan_explainer_set_samples (explainer, 1);
  plans = lb_plan_explainer_explain (explainer, NULL, &error);
  g_assert_no_error (error);
  return plans;
}

static LbExplainPlan *
first_plan (GPtrArray *plans)
{
  LbExplainPlan *plan = lb_query_plans_get_plan (g_ptr_array_index (plans, 0));

  g_assert_nonnull (plan);
  return plan;
}

static GPtrArray *
advise (GPtrArray *plans)
{
  g_autoptr(LbIndexAdvisor) advisor = lb_index_advisor_new (conninfo);
  g_autoptr(GError) error = NULL;
  GPtrArray *advice;

  for (guint i = 0; i < plans->len; i++)
    lb_index_advisor_add_plans (advisor, g_ptr_array_index (plans, i));
  advice = lb_index_advisor_advise (advisor, NULL, &error);
  g_assert_no_error (error);
  return advice;
}

/* An advice made by hand, for tables the advisor has no plan of. */
static LbIndexAdvice *
advice_new (const char *schema,
            const char *table,
            const char *column,
            const char *name,
            const char *statement)
{
  LbIndexAdvice *a = g_new0 (LbIndexAdvice, 1);
  const char *columns[] = { column, NULL };

  a->schema = g_strdup (schema);
  a->table = g_strdup (table);
  a->method = g_strdup ("btree");
  a->columns = g_strdupv ((char **) columns);
  a->n_equality = 1;
  a->name = g_strdup (name);
  a->statement = g_strdup (statement);
  a->queries = g_ptr_array_new_with_free_func (g_free);
  return a;
}

typedef struct
{
  GArray    *fractions;     /* double, each "progress" */
  GPtrArray *server_phases; /* char *, distinct */
  guint      max_current;
  guint      n_indexes;
  /* cancel once the server says it builds */
  GCancellable *cancel_when_building;
} Progress;

static void
progress_clear (Progress *p)
{
  g_clear_pointer (&p->fractions, g_array_unref);
  g_clear_pointer (&p->server_phases, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Progress, progress_clear)

static void
progress_cb (LbIndexApplier *applier,
             Progress       *p)
{
  double fraction = lb_index_applier_get_fraction (applier);
  const char *server_phase = lb_index_applier_get_server_phase (applier);

  g_assert_true (lb_index_applier_get_running (applier));
  g_array_append_val (p->fractions, fraction);
  p->max_current = MAX (p->max_current, lb_index_applier_get_current (applier));
  p->n_indexes = lb_index_applier_get_n_indexes (applier);
  g_assert_nonnull (lb_index_applier_get_phase (applier));
  if (server_phase != NULL
      && !g_ptr_array_find_with_equal_func (p->server_phases, server_phase, g_str_equal, NULL))
    g_ptr_array_add (p->server_phases, g_strdup (server_phase));
  if (p->cancel_when_building != NULL && server_phase != NULL
      && g_str_has_prefix (server_phase, "building index"))
    g_cancellable_cancel (p->cancel_when_building);
}

static void
progress_init (Progress       *p,
               LbIndexApplier *applier)
{
  p->fractions = g_array_new (FALSE, FALSE, sizeof (double));
  p->server_phases = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (applier, "progress", G_CALLBACK (progress_cb), p);
}

static void
assert_monotonic (const Progress *p)
{
  g_assert_cmpuint (p->fractions->len, >, 0);
  for (guint i = 1; i < p->fractions->len; i++)
    g_assert_cmpfloat (g_array_index (p->fractions, double, i), >=,
                       g_array_index (p->fractions, double, i - 1));
}

static gboolean
apply (LbIndexApplier *applier,
       GCancellable   *cancellable,
       GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lb_index_applier_apply_async (applier, cancellable, lb_test_async_result_cb, &result);
  g_assert_true (lb_index_applier_get_running (applier));
  return lb_index_applier_apply_finish (applier, lb_test_wait_for_result (&result), error);
}

static gboolean
undo (LbIndexApplier *applier,
      GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lb_index_applier_undo_async (applier, NULL, lb_test_async_result_cb, &result);
  return lb_index_applier_undo_finish (applier, lb_test_wait_for_result (&result), error);
}

static void
apply_ok (LbIndexApplier *applier)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = apply (applier, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
}

static void
undo_ok (LbIndexApplier *applier)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = undo (applier, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
}

/* ---- pure ---- */

static void
test_phases (void)
{
  /* A build's phases in the order the server goes through them. */
  static const char *order[] = {
    "initializing", "waiting for writers before build", "building index: scanning table",
    "building index: sorting live tuples", "building index: loading tuples in tree",
    "waiting for writers before validation", "index validation: scanning index",
    "index validation: sorting tuples", "index validation: scanning table",
    "waiting for old snapshots",
  };
  double last = -1;

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      g_autofree char *text = lb_index_applier_describe_phase (order[i]);
      double start = lb_index_applier_phase_fraction (order[i], 0, 100, 0, 100);
      double end = lb_index_applier_phase_fraction (order[i], 100, 100, 100, 100);

      g_assert_nonnull (text);
      g_assert_cmpstr (text, !=, order[i]);   /* said in our words */
      g_assert_cmpfloat (start, >=, last);
      g_assert_cmpfloat (end, >=, start);
      g_assert_cmpfloat (end, <=, 1);
      last = end;
    }
  /* half the table read: half the scan's share */
  g_assert_cmpfloat (lb_index_applier_phase_fraction ("building index: scanning table", 50, 100, 0, 0),
                     >, lb_index_applier_phase_fraction ("building index: scanning table", 10, 100, 0, 0));
  /* an access method's own sub-phase is kept, inside our sentence */
  {
    g_autofree char *text = lb_index_applier_describe_phase ("building index: building tree");

    g_assert_nonnull (strstr (text, "building tree"));
  }
  g_assert_null (lb_index_applier_describe_phase (NULL));
}

/* ---- apply, plan, undo ---- */

static void
test_apply_and_undo (void)
{
  g_autoptr(LbSqlScript) script = script_new (email_script);
  g_autoptr(GPtrArray) before = explain (script);
  g_autoptr(GPtrArray) advice = advise (before);
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(LbIndexApplier) applier = lb_index_applier_new (conninfo);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) undo_statements = NULL;
  g_auto(Progress) progress = { 0 };
  gint64 indexes_before = query_int ("SELECT count(*) FROM pg_indexes WHERE schemaname = 'lakebase_workload'");
  LbIndexAdvice *a;

  g_assert_false (lb_explain_plan_uses_index (first_plan (before), "customer_c_email_address_idx"));
  g_assert_cmpuint (advice->len, ==, 1);
  a = g_ptr_array_index (advice, 0);
  g_assert_cmpstr (a->name, ==, "customer_c_email_address_idx");

  progress_init (&progress, applier);
  lb_index_applier_add_advice (applier, a);
  g_assert_cmpuint (lb_index_applier_get_n_advice (applier), ==, 1);
  g_assert_cmpstr (lb_index_applier_get_tables (applier)[0], ==, "lakebase_workload.customer");
  apply_ok (applier);

  /* what it created, and only that */
  g_assert_cmpuint (g_strv_length ((char **) lb_index_applier_get_created (applier)), ==, 1);
  g_assert_cmpstr (lb_index_applier_get_created (applier)[0], ==,
                   "lakebase_workload.customer_c_email_address_idx");
  g_assert_true (index_exists ("customer_c_email_address_idx"));
  g_assert_cmpint (count_invalid (), ==, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM pg_indexes WHERE schemaname = 'lakebase_workload'"),
                   ==, indexes_before + 1);
  /* ANALYZE ran */
  g_assert_cmpint (query_int ("SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'customer'"
                              " AND (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL)"), ==, 1);
  /* the progress ran to 1 and never went back */
  assert_monotonic (&progress);
  g_assert_cmpfloat (g_array_index (progress.fractions, double, progress.fractions->len - 1), ==, 1);
  g_assert_cmpfloat (lb_index_applier_get_fraction (applier), ==, 1);
  g_assert_cmpuint (progress.max_current, ==, 1);
  g_assert_cmpuint (progress.n_indexes, ==, 1);
  g_assert_false (lb_index_applier_get_running (applier));

  /* a fresh EXPLAIN: the plan uses the index now */
  after = explain (script);
  if (!lb_explain_plan_uses_index (first_plan (after), "customer_c_email_address_idx"))
    g_error ("the plan after does not use the index:\n%s", lb_explain_plan_to_text (first_plan (after)));

  undo_statements = lb_index_applier_dup_undo_statements (applier);
  g_assert_cmpstr (undo_statements[0], ==,
                   "DROP INDEX CONCURRENTLY IF EXISTS lakebase_workload.customer_c_email_address_idx;");
  g_assert_null (undo_statements[1]);

  /* undo drops exactly that; the indexes that were there stay */
  undo_ok (applier);
  g_assert_false (index_exists ("customer_c_email_address_idx"));
  g_assert_true (index_exists ("store_sales_customer_idx"));
  g_assert_cmpint (query_int ("SELECT count(*) FROM pg_indexes WHERE schemaname = 'lakebase_workload'"),
                   ==, indexes_before);
  g_assert_null (lb_index_applier_get_created (applier)[0]);
  g_clear_pointer (&after, g_ptr_array_unref);
  after = explain (script);
  g_assert_false (lb_explain_plan_uses_index (first_plan (after), "customer_c_email_address_idx"));
}

/* ---- progress and cancel on a big table ---- */

static void
test_progress (void)
{
  g_autoptr(LbIndexAdvice) a = advice_new ("lakebase_workload", "big", "payload", "big_payload_idx",
                                           "CREATE INDEX CONCURRENTLY big_payload_idx"
                                           " ON lakebase_workload.big (payload);");
  g_autoptr(LbIndexApplier) applier = lb_index_applier_new (conninfo);
  g_autoptr(GError) error = NULL;
  g_auto(Progress) progress = { 0 };
  gint64 start = g_get_monotonic_time ();
  gboolean building = FALSE;

  progress_init (&progress, applier);
  lb_index_applier_add_advice (applier, a);
  apply_ok (applier);
  g_test_message ("building big_payload_idx (%d rows) took %.1f s; %u progress updates; phases seen:",
                  BIG_ROWS, (g_get_monotonic_time () - start) / 1e6, progress.fractions->len);
  for (guint i = 0; i < progress.server_phases->len; i++)
    {
      const char *phase = g_ptr_array_index (progress.server_phases, i);

      g_test_message ("  %s", phase);
      building |= g_str_has_prefix (phase, "building index");
    }
  /* the server's own phases came through */
  g_assert_cmpuint (progress.server_phases->len, >=, 1);
  g_assert_true (building);
  assert_monotonic (&progress);
  g_assert_cmpfloat (g_array_index (progress.fractions, double, progress.fractions->len - 1), ==, 1);
  /* somewhere in the middle too, not only 0 and 1 */
  {
    gboolean middle = FALSE;

    for (guint i = 0; i < progress.fractions->len; i++)
      middle |= g_array_index (progress.fractions, double, i) > 0.04
                && g_array_index (progress.fractions, double, i) < 0.96;
    g_assert_true (middle);
  }
  g_assert_true (index_exists ("big_payload_idx"));

  undo_ok (applier);
  g_assert_false (index_exists ("big_payload_idx"));
}

static void
test_cancel (void)
{
  g_autoptr(LbIndexAdvice) a = advice_new ("lakebase_workload", "big", "payload", "big_payload_idx",
                                           "CREATE INDEX CONCURRENTLY big_payload_idx"
                                           " ON lakebase_workload.big (payload);");
  g_autoptr(LbIndexAdvice) b = advice_new ("lakebase_workload", "big", "g", "big_g_idx",
                                           "CREATE INDEX CONCURRENTLY big_g_idx"
                                           " ON lakebase_workload.big (g);");
  g_autoptr(LbIndexApplier) applier = lb_index_applier_new (conninfo);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_auto(Progress) progress = { 0 };

  progress_init (&progress, applier);
  progress.cancel_when_building = cancellable;
  lb_index_applier_add_advice (applier, a);
  lb_index_applier_add_advice (applier, b);
  g_assert_false (apply (applier, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (g_cancellable_is_cancelled (cancellable));

  /* no invalid index left behind, nothing created, the second never started */
  g_assert_cmpint (count_invalid (), ==, 0);
  g_assert_false (index_exists ("big_payload_idx"));
  g_assert_false (index_exists ("big_g_idx"));
  g_assert_null (lb_index_applier_get_created (applier)[0]);
  g_assert_cmpuint (progress.max_current, ==, 1);
  g_assert_false (lb_index_applier_get_running (applier));
  g_assert_cmpint (query_int ("SELECT count(*) FROM pg_stat_progress_create_index"), ==, 0);
}

/* A build that fails on the server (a unique index on duplicates) leaves
 * an invalid index, which goes; the error has the server's sentence. */
static void
test_failed_build (void)
{
  g_autoptr(LbIndexAdvice) a = advice_new ("lakebase_workload", "customer", "c_last_name",
                                           "customer_last_name_uniq",
                                           "CREATE UNIQUE INDEX CONCURRENTLY customer_last_name_uniq"
                                           " ON lakebase_workload.customer (c_last_name);");
  g_autoptr(LbIndexApplier) applier = lb_index_applier_new (conninfo);
  g_autoptr(GError) error = NULL;

  lb_index_applier_add_advice (applier, a);
  g_assert_false (apply (applier, NULL, &error));
  g_assert_error (error, LB_INDEX_APPLIER_ERROR, LB_INDEX_APPLIER_ERROR_SERVER);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "customer_last_name_uniq"));
  g_assert_nonnull (strstr (error->message, "duplicate"));
  g_assert_false (index_exists ("customer_last_name_uniq"));
  g_assert_cmpint (count_invalid (), ==, 0);
  g_assert_null (lb_index_applier_get_created (applier)[0]);
}

static void
test_existing (void)
{
  g_autoptr(LbIndexAdvice) same = advice_new ("lakebase_workload", "customer", "c_birth_year",
                                              "customer_birth_idx",
                                              "CREATE INDEX CONCURRENTLY customer_birth_idx"
                                              " ON lakebase_workload.customer (c_birth_year);");
  g_autoptr(LbIndexAdvice) differs = advice_new ("lakebase_workload", "customer", "c_last_name",
                                                 "customer_birth_idx",
                                                 "CREATE INDEX CONCURRENTLY customer_birth_idx"
                                                 " ON lakebase_workload.customer (c_last_name);");
  g_autoptr(LbIndexAdvice) fresh = advice_new ("lakebase_workload", "customer", "c_last_review_qty",
                                               "customer_review_idx",
                                               "CREATE INDEX CONCURRENTLY customer_review_idx"
                                               " ON lakebase_workload.customer (c_last_review_qty);");
  g_autoptr(LbIndexApplier) applier = lb_index_applier_new (conninfo);
  g_autoptr(LbIndexApplier) other = lb_index_applier_new (conninfo);
  g_autoptr(GError) error = NULL;
  const char * const *notes;

  lb_test_pg_exec (conninfo, "CREATE INDEX customer_birth_idx ON customer (c_birth_year)");

  /* the same index: left alone, said so, not undone */
  lb_index_applier_add_advice (applier, same);
  lb_index_applier_add_advice (applier, fresh);
  apply_ok (applier);
  notes = lb_index_applier_get_notes (applier);
  g_assert_nonnull (notes[0]);
  g_test_message ("%s", notes[0]);
  g_assert_nonnull (strstr (notes[0], "customer_birth_idx already exists"));
  g_assert_cmpuint (g_strv_length ((char **) lb_index_applier_get_created (applier)), ==, 1);
  g_assert_cmpstr (lb_index_applier_get_created (applier)[0], ==, "lakebase_workload.customer_review_idx");
  undo_ok (applier);
  g_assert_true (index_exists ("customer_birth_idx"));   /* it was there before */
  g_assert_false (index_exists ("customer_review_idx"));

  /* the name taken by a different index: refused, nothing touched */
  lb_index_applier_add_advice (other, differs);
  g_assert_false (apply (other, NULL, &error));
  g_assert_error (error, LB_INDEX_APPLIER_ERROR, LB_INDEX_APPLIER_ERROR_DUPLICATE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "already exists but differs"));
  g_assert_nonnull (strstr (error->message, "c_birth_year"));
  g_assert_true (index_exists ("customer_birth_idx"));
  g_clear_error (&error);

  /* an invalid index of that name (a failed build's): refused, with the way out */
  lb_test_pg_exec (conninfo, "DROP INDEX customer_birth_idx");
  {
    PGconn *conn = PQconnectdb (conninfo);
    PGresult *res = PQexec (conn, "CREATE UNIQUE INDEX CONCURRENTLY customer_birth_idx"
                                  " ON customer (c_birth_year)");

    g_assert_cmpint (PQresultStatus (res), ==, PGRES_FATAL_ERROR);   /* duplicates */
    PQclear (res);
    PQfinish (conn);
  }
  g_assert_cmpint (count_invalid (), ==, 1);
  g_assert_false (apply (other, NULL, &error));
  g_assert_error (error, LB_INDEX_APPLIER_ERROR, LB_INDEX_APPLIER_ERROR_DUPLICATE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "invalid index"));
  g_assert_nonnull (strstr (error->message, "DROP INDEX CONCURRENTLY lakebase_workload.customer_birth_idx"));
  g_assert_cmpint (count_invalid (), ==, 1);   /* not ours: left alone */
  lb_test_pg_exec (conninfo, "DROP INDEX customer_birth_idx");
  g_assert_cmpint (count_invalid (), ==, 0);
}

static void
test_permission (void)
{
  g_autoptr(LbIndexAdvice) a = advice_new ("pg_catalog", "pg_description", "description",
                                           "pg_description_description_idx",
                                           "CREATE INDEX CONCURRENTLY pg_description_description_idx"
                                           " ON pg_catalog.pg_description (description);");
  g_autoptr(LbIndexAdvice) gone = advice_new ("lakebase_workload", "no_such_table", "x",
                                              "no_such_table_x_idx",
                                              "CREATE INDEX CONCURRENTLY no_such_table_x_idx"
                                              " ON lakebase_workload.no_such_table (x);");
  g_autoptr(LbIndexApplier) applier = lb_index_applier_new (conninfo);
  g_autoptr(LbIndexApplier) applier2 = lb_index_applier_new (conninfo);
  g_autoptr(LbIndexApplier) unreachable = lb_index_applier_new ("host=/nonexistent port=1 connect_timeout=2");
  g_autoptr(GError) error = NULL;

  lb_index_applier_add_advice (applier, a);
  g_assert_false (apply (applier, NULL, &error));
  g_assert_error (error, LB_INDEX_APPLIER_ERROR, LB_INDEX_APPLIER_ERROR_PERMISSION);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "lakebase_workload may not create indexes on pg_catalog.pg_description"));
  g_assert_nonnull (strstr (error->message, "ownership"));
  g_clear_error (&error);

  lb_index_applier_add_advice (applier2, gone);
  g_assert_false (apply (applier2, NULL, &error));
  g_assert_error (error, LB_INDEX_APPLIER_ERROR, LB_INDEX_APPLIER_ERROR_SERVER);
  g_assert_nonnull (strstr (error->message, "no_such_table is not on the server"));
  g_clear_error (&error);

  lb_index_applier_add_advice (unreachable, gone);
  g_assert_false (apply (unreachable, NULL, &error));
  g_assert_error (error, LB_INDEX_APPLIER_ERROR, LB_INDEX_APPLIER_ERROR_CONNECT);
  g_assert_true (g_str_has_prefix (error->message, "Could not connect to the server"));
}

/* An undo that waits (a transaction holds the table) and is cancelled
 * keeps the index in its list: the next undo drops it. */
static gboolean
drop_waiting (gpointer data)
{
  return lb_test_pg_query_int (conninfo, "SELECT count(*) FROM pg_stat_activity"
                                         " WHERE query LIKE 'DROP INDEX CONCURRENTLY%'"
                                         " AND wait_event_type = 'Lock'") == 1;
}

static void
test_undo_cancel (void)
{
  g_autoptr(LbIndexAdvice) a = advice_new ("lakebase_workload", "customer", "c_last_review_qty",
                                           "customer_review_idx",
                                           "CREATE INDEX CONCURRENTLY customer_review_idx"
                                           " ON lakebase_workload.customer (c_last_review_qty);");
  g_autoptr(LbIndexApplier) applier = lb_index_applier_new (conninfo);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  PGconn *holder;
  PGresult *res;

  lb_index_applier_add_advice (applier, a);
  apply_ok (applier);
  g_assert_true (index_exists ("customer_review_idx"));

  holder = PQconnectdb (conninfo);
  g_assert_cmpint (PQstatus (holder), ==, CONNECTION_OK);
  res = PQexec (holder, "BEGIN; SELECT count(*) FROM customer");
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
  PQclear (res);

  lb_index_applier_undo_async (applier, cancellable, lb_test_async_result_cb, &result);
  lb_test_spin_until_func (drop_waiting, NULL, 30);
  g_assert_true (lb_index_applier_get_running (applier));
  g_assert_nonnull (strstr (lb_index_applier_get_phase (applier), "customer_review_idx"));
  g_cancellable_cancel (cancellable);
  g_assert_false (lb_index_applier_undo_finish (applier, lb_test_wait_for_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* still there, still ours to drop */
  g_assert_true (index_exists ("customer_review_idx"));
  g_assert_cmpstr (lb_index_applier_get_created (applier)[0], ==, "lakebase_workload.customer_review_idx");

  res = PQexec (holder, "ROLLBACK");
  PQclear (res);
  PQfinish (holder);
  undo_ok (applier);
  g_assert_false (index_exists ("customer_review_idx"));
  g_assert_cmpint (count_invalid (), ==, 0);
}

/* ---- a run before and after ---- */

static LbRunRecord *
run_script (LbTestRun *run)
{
  g_autoptr(LbRunSettings) settings = lb_run_settings_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  LbRunRecord *record;

  settings->clients = 2;
  settings->threads = 1;
  settings->mode = LB_RUN_MODE_DURATION;
  settings->duration = 2;
  settings->interval = 0.5;
  settings->seed = 11;
  lb_test_run_start_async (run, settings, NULL, lb_test_async_result_cb, &result);
  record = lb_test_run_start_finish (run, lb_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  return record;
}

static void
test_rerun (void)
{
  g_autoptr(LbSqlScript) script = script_new (email_script);
  g_autoptr(LbTestRun) run = lb_test_run_new ();
  g_autoptr(LbRunRecord) before = NULL;
  g_autoptr(LbRunRecord) after = NULL;
  g_autoptr(GPtrArray) plans_before = explain (script);
  g_autoptr(GPtrArray) plans_after = NULL;
  g_autoptr(GPtrArray) advice = advise (plans_before);
  g_autoptr(LbIndexApplier) applier = lb_index_applier_new (conninfo);
  g_autoptr(GError) error = NULL;
  double tps_before, tps_after;

  lb_test_run_set_script (run, script, "email.sql");
  lb_test_run_set_target_conninfo (run, conninfo);
  lb_test_run_set_server_interval (run, 0);
  before = run_script (run);

  g_assert_cmpuint (advice->len, ==, 1);
  lb_index_applier_add_advice (applier, g_ptr_array_index (advice, 0));
  apply_ok (applier);

  after = run_script (run);
  plans_after = explain (script);
  /* the plan is what changed: a scan of the new index instead of a seq scan */
  g_assert_false (lb_explain_plan_uses_index (first_plan (plans_before), "customer_c_email_address_idx"));
  g_assert_true (lb_explain_plan_uses_index (first_plan (plans_after), "customer_c_email_address_idx"));
  tps_before = lb_run_record_get_result (before)->tps;
  tps_after = lb_run_record_get_result (after)->tps;
  g_assert_cmpfloat (tps_before, >, 0);
  g_assert_cmpfloat (tps_after, >, 0);
  /* a timing: logged, not asserted */
  g_test_message ("tps before %.0f, after %.0f: %.1fx", tps_before, tps_after, tps_after / tps_before);

  undo_ok (applier);
  g_assert_false (index_exists ("customer_c_email_address_idx"));
}

/* ---- lakebase-cli advise --apply ---- */

typedef struct
{
  GString   *err;
  gboolean   building;
  gboolean   done;
  GSubprocess *process;
} CliRun;

static void
cli_line_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  CliRun *run = user_data;
  g_autofree char *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source), result,
                                                                NULL, NULL);

  if (line == NULL)
    {
      run->done = TRUE;
      return;
    }
  g_string_append_printf (run->err, "%s\n", line);
  if (!run->building && strstr (line, "Building the index") != NULL)
    {
      run->building = TRUE;
      g_subprocess_send_signal (run->process, SIGINT);
    }
  g_data_input_stream_read_line_async (G_DATA_INPUT_STREAM (source), G_PRIORITY_DEFAULT, NULL,
                                       cli_line_cb, run);
}

static void
test_cli_apply (void)
{
  g_autofree char *path = lb_test_write_file (tmp_dir, "email.sql", email_script);
  g_auto(LbTestCliResult) result = { 0 };
  const char *args[] = { "advise", path, "--dsn", conninfo, "--apply", NULL };

  lb_test_run_cli (&result, NULL, 0, args);
  if (result.status != 0)
    g_error ("advise --apply failed: %s", result.err);
  g_test_message ("stdout:\n%s\nstderr:\n%s", result.out, result.err);
  g_assert_nonnull (strstr (result.out, "Created: CREATE INDEX CONCURRENTLY customer_c_email_address_idx"));
  g_assert_nonnull (strstr (result.out, "DROP INDEX CONCURRENTLY IF EXISTS "
                                         "lakebase_workload.customer_c_email_address_idx;"));
  g_assert_nonnull (strstr (result.out, "using customer_c_email_address_idx on"));
  /* progress went to stderr, index 1 of 1 */
  g_assert_nonnull (strstr (result.err, "[1/1]"));
  g_assert_true (index_exists ("customer_c_email_address_idx"));
  lb_test_pg_exec (conninfo, "DROP INDEX customer_c_email_address_idx");

  /* --json says what was created and how to undo it */
  {
    const char *json_args[] = { "advise", path, "--dsn", conninfo, "--apply", "--json", NULL };
    g_auto(LbTestCliResult) json = { 0 };
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *root;

    lb_test_run_cli (&json, NULL, 0, json_args);
    g_assert_cmpint (json.status, ==, 0);
    root = lb_test_parse_json_object (json.out, parser);
    g_assert_true (json_object_get_boolean_member (root, "applied"));
    g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (root, "created"), 0), ==,
                     "lakebase_workload.customer_c_email_address_idx");
    g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (root, "undo"), 0), ==,
                     "DROP INDEX CONCURRENTLY IF EXISTS lakebase_workload.customer_c_email_address_idx;");
  }
  lb_test_pg_exec (conninfo, "DROP INDEX customer_c_email_address_idx");
}

static void
test_cli_interrupt (void)
{
  g_autofree char *path = lb_test_write_file (tmp_dir, "big.sql",
                                              "-- PARAM p = values('00000000000000000000000000000000')\n"
                                              "SELECT g FROM big WHERE payload = :p;\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) err_stream = NULL;
  CliRun run = { .err = g_string_new (NULL) };
  const char *cli = g_getenv ("LB_CLI");

  g_assert_nonnull (cli);
  run.process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                  &error, cli, "advise", path, "--dsn", conninfo, "--apply", NULL);
  g_assert_no_error (error);
  err_stream = g_data_input_stream_new (g_subprocess_get_stderr_pipe (run.process));
  g_data_input_stream_read_line_async (err_stream, G_PRIORITY_DEFAULT, NULL, cli_line_cb, &run);
  lb_test_spin_until (&run.done, 120);
  g_assert_true (g_subprocess_wait (run.process, NULL, &error));
  g_test_message ("stderr:\n%s", run.err->str);
  g_assert_true (run.building);
  g_assert_true (g_subprocess_get_if_exited (run.process));
  g_assert_cmpint (g_subprocess_get_exit_status (run.process), ==, 128 + SIGINT);
  g_assert_nonnull (strstr (run.err->str, "Cancelled"));
  g_assert_cmpint (count_invalid (), ==, 0);
  g_assert_false (index_exists ("big_payload_idx"));
  g_string_free (run.err, TRUE);
  g_object_unref (run.process);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *big = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/index-applier/phases", test_phases);
  g_test_add_func ("/index-applier/apply-and-undo", test_apply_and_undo);
  g_test_add_func ("/index-applier/progress", test_progress);
  g_test_add_func ("/index-applier/cancel", test_cancel);
  g_test_add_func ("/index-applier/failed-build", test_failed_build);
  g_test_add_func ("/index-applier/existing", test_existing);
  g_test_add_func ("/index-applier/undo-cancel", test_undo_cancel);
  g_test_add_func ("/index-applier/errors", test_permission);
  g_test_add_func ("/index-applier/rerun", test_rerun);
  g_test_add_func ("/index-applier/cli/apply", test_cli_apply);
  g_test_add_func ("/index-applier/cli/interrupt", test_cli_interrupt);

  tmp_dir = g_dir_make_tmp ("lb-test-index-applier-XXXXXX", &error);
  g_assert_no_error (error);
  sandbox = lb_pg_sandbox_new_for_tests (TRUE);
  if (!lb_pg_sandbox_start (sandbox, NULL, &error))
    g_error ("the test sandbox did not start: %s", error->message);
  conninfo = lb_pg_sandbox_get_conninfo (sandbox);
  big = g_strdup_printf ("CREATE TABLE big AS SELECT g, md5 (g::text) AS payload"
                         "  FROM generate_series (1, %d) g", BIG_ROWS);
  lb_test_pg_exec (conninfo, big);
  lb_test_pg_exec (conninfo, "ANALYZE big");

  status = g_test_run ();

  if (!lb_pg_sandbox_stop (sandbox, &error))
    g_warning ("the test sandbox did not stop: %s", error->message);
  g_clear_object (&sandbox);
  lb_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  return status;
}
