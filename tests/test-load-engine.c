/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libpq-fe.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "lb-load-engine.h"
#include "lb-pg-sandbox.h"
#include "lb-pg-sandbox-private.h"
#include "lb-test-utils.h"

/* Every test runs the engine against a throwaway PostgreSQL of our own and
 * checks what it reports against what the server holds afterwards. */

static LbPgSandbox *sandbox;

typedef struct
{
  GMainLoop   *loop;
  LbRunResult *result;
  GError      *error;
  GArray      *samples;          /* LbRunSample, as received */
  gboolean     samples_on_main;  /* every sample arrived in the main context */
  GArray      *phases;           /* LbRunPhase */
  gint64       finished_at;
} RunData;

static void
exec_sql (const char *sql)
{
  lb_test_pg_exec (lb_pg_sandbox_get_conninfo (sandbox), sql);
}

static gint64
query_int (const char *sql)
{
  return lb_test_pg_query_int (lb_pg_sandbox_get_conninfo (sandbox), sql);
}

static LbSqlScript *
script_new (const char *text)
{
  g_autoptr(GError) error = NULL;
  LbSqlScript *script = lb_sql_script_new_from_data (text, -1, "test.sql", &error);

  g_assert_no_error (error);
  return script;
}

static LbRunSettings *
settings_new (LbRunMode mode,
              guint     clients)
{
  LbRunSettings *settings = lb_run_settings_new ();

  g_free (settings->conninfo);
  settings->conninfo = g_strdup (lb_pg_sandbox_get_conninfo (sandbox));
  settings->clients = clients;
  settings->threads = 2;
  settings->protocol = LB_PROTOCOL_PREPARED;
  settings->pipeline_depth = 0;
  settings->mode = mode;
  settings->duration = 1;
  settings->transactions = 0;
  settings->warmup = 0;
  settings->rate = 0;
  settings->interval = 1;
  settings->seed = 42;
  return settings;
}

static void
sample_cb (LbLoadEngine      *engine,
           const LbRunSample *sample,
           RunData           *data)
{
  if (!g_main_context_is_owner (g_main_context_default ()))
    data->samples_on_main = FALSE;
  g_array_append_val (data->samples, *sample);
}

static void
phase_cb (LbLoadEngine *engine,
          int           phase,
          guint         clients,
          RunData      *data)
{
  LbRunPhase p = phase;

  g_array_append_val (data->phases, p);
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  RunData *data = user_data;

  data->finished_at = g_get_monotonic_time ();
  data->result = lb_load_engine_run_finish (LB_LOAD_ENGINE (object), result, &data->error);
  g_main_loop_quit (data->loop);
}

static void
run_data_clear (RunData *data)
{
  g_clear_pointer (&data->loop, g_main_loop_unref);
  g_clear_pointer (&data->result, lb_run_result_unref);
  g_clear_error (&data->error);
  g_clear_pointer (&data->samples, g_array_unref);
  g_clear_pointer (&data->phases, g_array_unref);
}

static void
run_engine_full (LbSqlScript   *script,
                 LbRunSettings *settings,
                 GCancellable  *cancellable,
                 RunData       *data)
{
  g_autoptr(LbLoadEngine) engine = lb_load_engine_new (script, settings);

  memset (data, 0, sizeof *data);
  data->loop = g_main_loop_new (NULL, FALSE);
  data->samples = g_array_new (FALSE, TRUE, sizeof (LbRunSample));
  data->phases = g_array_new (FALSE, TRUE, sizeof (LbRunPhase));
  data->samples_on_main = TRUE;
  g_signal_connect (engine, "sample", G_CALLBACK (sample_cb), data);
  g_signal_connect (engine, "phase-changed", G_CALLBACK (phase_cb), data);
  lb_load_engine_run_async (engine, cancellable, run_done_cb, data);
  g_main_loop_run (data->loop);
  /* let queued signal emissions run */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  if (data->error != NULL)
    g_test_message ("the run failed: %s", data->error->message);
  g_assert_cmpint (lb_load_engine_get_phase (engine), ==, LB_RUN_PHASE_DONE);
}

static LbRunResult *
run_engine (LbSqlScript   *script,
            LbRunSettings *settings)
{
  RunData data;
  LbRunResult *result;

  run_engine_full (script, settings, NULL, &data);
  g_assert_no_error (data.error);
  g_assert_nonnull (data.result);
  result = g_steal_pointer (&data.result);
  run_data_clear (&data);
  return result;
}

static const LbErrorStats *
find_error (LbRunResult *result,
            const char  *sqlstate)
{
  for (guint i = 0; i < result->errors->len; i++)
    {
      const LbErrorStats *e = g_ptr_array_index (result->errors, i);

      if (strcmp (e->sqlstate, sqlstate) == 0)
        return e;
    }
  return NULL;
}

static guint64
errors_total (LbRunResult *result)
{
  guint64 total = 0;

  for (guint i = 0; i < result->errors->len; i++)
    total += ((const LbErrorStats *)g_ptr_array_index (result->errors, i))->count;
  return total;
}

static const char insert_script[] =
  "-- NAME: ins\n"
  "-- PARAM k = random(1, 1000000)\n"
  "-- PARAM s = values('CA', 'N''Y')\n"
  "INSERT INTO t_ins (k, s) VALUES (:k, :s);\n";

static void
reset_insert_table (void)
{
  exec_sql ("DROP TABLE IF EXISTS t_ins; CREATE TABLE t_ins (k int, s text)");
}

static void
test_count_mode (void)
{
  g_autoptr(LbSqlScript) script = script_new (insert_script);
  g_autoptr(LbRunSettings) settings = settings_new (LB_RUN_MODE_COUNT, 4);
  g_autoptr(LbRunResult) result = NULL;
  const LbQueryStats *qs;

  reset_insert_table ();
  settings->transactions = 500;
  result = run_engine (script, settings);

  g_assert_false (result->cancelled);
  g_assert_cmpuint (result->transactions, ==, 500);
  g_assert_cmpuint (result->failed, ==, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM t_ins"), ==, 500);
  g_assert_cmpuint (lb_latency_histogram_get_count (result->latency), ==, 500);
  g_assert_cmpuint (result->queries->len, ==, 1);
  qs = g_ptr_array_index (result->queries, 0);
  g_assert_cmpstr (qs->name, ==, "ins");
  g_assert_cmpuint (qs->executions, ==, 500);
  g_assert_cmpuint (lb_latency_histogram_get_count (qs->latency), ==, 500);
  g_assert_cmpfloat (result->tps, >, 0);
  g_assert_cmpfloat (result->duration, >, 0);
  g_assert_cmpfloat (result->connection_time, >, 0);
  g_assert_cmpfloat (result->client_cpu_time, >, 0);
  g_assert_cmpuint (result->seed, ==, 42);
  g_assert_nonnull (result->server_version);
  g_assert_true (g_str_has_prefix (result->server_version, "15"));
  /* both strings arrived intact, the quoted one included */
  g_assert_cmpint (query_int ("SELECT count(*) FROM t_ins WHERE s NOT IN ('CA', 'N''Y')"), ==, 0);
  g_assert_cmpint (query_int ("SELECT count(DISTINCT s) FROM t_ins"), ==, 2);
}

static void
test_duration_mode (void)
{
  g_autoptr(LbSqlScript) script = script_new (insert_script);
  g_autoptr(LbRunSettings) settings = settings_new (LB_RUN_MODE_DURATION, 4);
  g_autoptr(LbRunResult) result = NULL;

  reset_insert_table ();
  settings->duration = 1.5;
  result = run_engine (script, settings);

  g_assert_cmpuint (result->transactions, >, 100);
  g_assert_cmpuint (result->failed, ==, 0);
  /* every transaction started before the deadline finished and counted */
  g_assert_cmpint (query_int ("SELECT count(*) FROM t_ins"), ==, (gint64)result->transactions);
  g_assert_cmpfloat (result->duration, >=, 1.5);
  g_assert_cmpfloat (result->duration, <, 2.5);
  g_assert_cmpfloat_with_epsilon (result->tps, result->transactions / result->duration, 1e-6);
}

static void
test_warmup_and_samples (void)
{
  g_autoptr(LbSqlScript) script = script_new (insert_script);
  g_autoptr(LbRunSettings) settings = settings_new (LB_RUN_MODE_DURATION, 2);
  RunData data;
  guint warm = 0, measured = 0;
  guint64 sampled = 0;
  gboolean saw_warmup = FALSE, saw_measuring = FALSE;

  reset_insert_table ();
  settings->warmup = 0.5;
  settings->duration = 1.5;
  settings->interval = 0.25;
  run_engine_full (script, settings, NULL, &data);
  g_assert_no_error (data.error);

  g_assert_true (data.samples_on_main);
  for (guint i = 0; i < data.samples->len; i++)
    {
      const LbRunSample *s = &g_array_index (data.samples, LbRunSample, i);

      if (s->warmup)
        {
          warm++;
          g_assert_cmpfloat (s->t, <=, 0.01);
        }
      else
        {
          measured++;
          sampled += s->transactions;
          g_assert_cmpfloat (s->t, >, 0);
        }
    }
  /* 0.5 s of warm-up and 1.5 s measured at 0.25 s: about 2 + 6 samples */
  g_assert_cmpuint (warm, >=, 1);
  g_assert_cmpuint (warm, <=, 3);
  g_assert_cmpuint (measured, >=, 4);
  g_assert_cmpuint (measured, <=, 8);
  g_assert_cmpuint (data.result->timeline->len, ==, measured);
  /* warm-up rows exist in the table but not in the figures */
  g_assert_cmpint (query_int ("SELECT count(*) FROM t_ins"), >, (gint64)data.result->transactions);
  g_assert_cmpuint (data.result->transactions, >, 0);
  /* the interval samples cover (by completion time) about what was counted */
  g_assert_cmpfloat (fabs ((double)sampled - data.result->transactions), <,
                     0.2 * data.result->transactions);

  for (guint i = 0; i < data.phases->len; i++)
    {
      LbRunPhase p = g_array_index (data.phases, LbRunPhase, i);

      saw_warmup |= p == LB_RUN_PHASE_WARMUP;
      saw_measuring |= p == LB_RUN_PHASE_MEASURING;
    }
  g_assert_true (saw_warmup);
  g_assert_true (saw_measuring);
  g_assert_cmpint (g_array_index (data.phases, LbRunPhase, 0), ==, LB_RUN_PHASE_CONNECTING);
  g_assert_cmpint (g_array_index (data.phases, LbRunPhase, data.phases->len - 1), ==,
                   LB_RUN_PHASE_DONE);
  run_data_clear (&data);
}

/* Per-query figures while the run goes on: the engine publishes them with
 * every sample, counted like the result (measuring window only), growing. */
typedef struct
{
  GMainLoop   *loop;
  LbRunResult *result;
  GArray      *executions;   /* guint64 per sample, per query: n_queries wide */
  GArray      *warmup;       /* gboolean per sample */
  guint        n_queries;
  gboolean     had_latency;  /* a live histogram was filled before the end */
} LiveData;

static void
live_sample_cb (LbLoadEngine      *engine,
                const LbRunSample *sample,
                LiveData          *data)
{
  GPtrArray *queries = lb_load_engine_get_live_queries (engine);

  g_assert_nonnull (queries);
  g_assert_cmpuint (queries->len, ==, data->n_queries);
  for (guint q = 0; q < queries->len; q++)
    {
      const LbQueryStats *stats = g_ptr_array_index (queries, q);

      g_assert_cmpuint (stats->index, ==, q);
      g_array_append_val (data->executions, stats->executions);
      if (!sample->warmup && lb_latency_histogram_get_count (stats->latency) > 0 &&
          lb_load_engine_get_phase (engine) == LB_RUN_PHASE_MEASURING)
        data->had_latency = TRUE;
    }
  g_array_append_val (data->warmup, sample->warmup);
}

static void
live_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  LiveData *data = user_data;
  g_autoptr(GError) error = NULL;

  data->result = lb_load_engine_run_finish (LB_LOAD_ENGINE (object), result, &error);
  g_assert_no_error (error);
  g_main_loop_quit (data->loop);
}

static void
test_live_queries (void)
{
  g_autoptr(LbSqlScript) script = script_new ("-- NAME: ins\n"
                                              "-- WEIGHT: 3\n"
                                              "-- PARAM k = random(1, 1000000)\n"
                                              "INSERT INTO t_ins (k, s) VALUES (:k, 'x');\n"
                                              "-- NAME: count_rows\n"
                                              "SELECT count(*) FROM t_ins WHERE k < 10;\n");
  g_autoptr(LbRunSettings) settings = settings_new (LB_RUN_MODE_DURATION, 2);
  g_autoptr(LbLoadEngine) engine = NULL;
  LiveData data = { 0 };
  guint n_samples;
  guint growing = 0;

  reset_insert_table ();
  settings->warmup = 0.5;
  settings->duration = 1.5;
  settings->interval = 0.25;
  engine = lb_load_engine_new (script, settings);
  g_assert_null (lb_load_engine_get_live_queries (engine));

  data.loop = g_main_loop_new (NULL, FALSE);
  data.n_queries = lb_sql_script_get_n_queries (script);
  data.executions = g_array_new (FALSE, TRUE, sizeof (guint64));
  data.warmup = g_array_new (FALSE, TRUE, sizeof (gboolean));
  g_signal_connect (engine, "sample", G_CALLBACK (live_sample_cb), &data);
  lb_load_engine_run_async (engine, NULL, live_done_cb, &data);
  g_main_loop_run (data.loop);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  n_samples = data.warmup->len;
  g_assert_cmpuint (n_samples, >=, 5);
  for (guint i = 0; i < n_samples; i++)
    for (guint q = 0; q < data.n_queries; q++)
      {
        guint64 now = g_array_index (data.executions, guint64, i * data.n_queries + q);
        const LbQueryStats *final = g_ptr_array_index (data.result->queries, q);

        /* Warm-up counts nowhere; what is shown never exceeds the result. */
        if (g_array_index (data.warmup, gboolean, i))
          g_assert_cmpuint (now, ==, 0);
        g_assert_cmpuint (now, <=, final->executions);
        if (i > 0)
          {
            guint64 before = g_array_index (data.executions, guint64, (i - 1) * data.n_queries + q);

            g_assert_cmpuint (now, >=, before);
            if (q == 0 && now > before && i + 1 < n_samples)
              growing++;
          }
      }
  /* The weight-3 insert grew from sample to sample while the run went on. */
  g_assert_cmpuint (growing, >=, 2);
  g_assert_true (data.had_latency);

  g_main_loop_unref (data.loop);
  g_array_unref (data.executions);
  g_array_unref (data.warmup);
  lb_run_result_unref (data.result);
}

static void
test_web_tool_exec_count (void)
{
  g_autoptr(LbSqlScript) script = NULL;
  g_autoptr(LbRunSettings) settings = settings_new (LB_RUN_MODE_COUNT, 3);
  g_autoptr(LbRunResult) result = NULL;

  exec_sql ("DROP TABLE IF EXISTS t_web; CREATE TABLE t_web (k int, v text)");
  script = script_new ("-- PARAMETERS: [[1, \"a\"], [2, \"b\"], [3, \"c\"], [4, \"d\"]]\n"
                       "-- EXEC_COUNT: 50\n"
                       "INSERT INTO t_web (k, v) VALUES (%s, %s);\n");
  g_assert_cmpuint (lb_sql_script_get_default_count (script), ==, 200);
  result = run_engine (script, settings);

  g_assert_cmpuint (result->transactions, ==, 200);
  g_assert_cmpint (query_int ("SELECT count(*) FROM t_web"), ==, 200);
  /* each tuple exactly EXEC_COUNT times, its columns together */
  g_assert_cmpint (query_int ("SELECT count(*) FROM (SELECT k, v, count(*) AS n FROM t_web "
                              "GROUP BY k, v) g WHERE n = 50"), ==, 4);
  g_assert_cmpint (query_int ("SELECT count(*) FROM t_web WHERE v <> chr(96 + k)"), ==, 0);
}

static void
test_protocols (void)
{
  static const LbProtocol protocols[] = {
    LB_PROTOCOL_SIMPLE, LB_PROTOCOL_EXTENDED, LB_PROTOCOL_PREPARED
  };
  g_autoptr(LbSqlScript) script = NULL;

  /* a pgbench script: two statements in an explicit transaction */
  script = script_new ("\\set k random(-1000, 1000)\n"
                       "\\set d random(1, 3) * 0.5\n"
                       "BEGIN;\n"
                       "INSERT INTO t_proto (k, d) VALUES (:k, :d);\n"
                       "INSERT INTO t_proto (k, d) VALUES (1 - :k, :d);\n"
                       "END;\n");

  for (guint p = 0; p < G_N_ELEMENTS (protocols); p++)
    for (guint depth = 0; depth <= 8; depth += 8)
      {
        g_autoptr(LbRunSettings) settings = settings_new (LB_RUN_MODE_COUNT, 4);
        g_autoptr(LbRunResult) result = NULL;

        g_test_message ("protocol %s, pipeline %u", lb_protocol_to_string (protocols[p]), depth);
        exec_sql ("DROP TABLE IF EXISTS t_proto; CREATE TABLE t_proto (k int, d float8)");
        settings->protocol = protocols[p];
        settings->pipeline_depth = depth;
        settings->transactions = 300;
        result = run_engine (script, settings);

        for (guint i = 0; i < result->errors->len; i++)
          {
            const LbErrorStats *e = g_ptr_array_index (result->errors, i);

            g_test_message ("%s × %" G_GUINT64_FORMAT ": %s", e->sqlstate, e->count, e->message);
          }
        g_assert_cmpuint (result->transactions, ==, 300);
        g_assert_cmpuint (result->failed, ==, 0);
        g_assert_cmpuint (result->errors->len, ==, 0);
        g_assert_cmpint (query_int ("SELECT count(*) FROM t_proto"), ==, 600);
        /* the pairs sum to 1: negative values pasted or bound correctly */
        g_assert_cmpint (query_int ("SELECT sum(k) FROM t_proto"), ==, 300);
        g_assert_cmpint (query_int ("SELECT count(*) FROM t_proto WHERE k < 0"), >, 0);
        g_assert_cmpint (query_int ("SELECT count(*) FROM t_proto WHERE d NOT IN (0.5, 1, 1.5)"),
                         ==, 0);
        g_assert_cmpuint (result->queries->len, ==, 4);
      }
}

static void
check_errors (guint depth)
{
  g_autoptr(LbSqlScript) script = NULL;
  g_autoptr(LbRunSettings) settings = settings_new (LB_RUN_MODE_COUNT, 4);
  g_autoptr(LbRunResult) result = NULL;
  const LbQueryStats *uniq, *divzero, *ok;
  const LbErrorStats *e23505, *e22012;
  gint64 rows;

  exec_sql ("DROP TABLE IF EXISTS t_uniq; CREATE TABLE t_uniq (k int PRIMARY KEY)");
  script = script_new ("-- NAME: uniq\n"
                       "-- WEIGHT: 3\n"
                       "-- PARAM k = random(1, 60)\n"
                       "INSERT INTO t_uniq VALUES (:k);\n"
                       "\n"
                       "-- NAME: divzero\n"
                       "-- PARAM z = random(0, 1)\n"
                       "SELECT 1 / :z;\n"
                       "\n"
                       "-- NAME: ok\n"
                       "SELECT 1;\n");
  settings->transactions = 400;
  settings->pipeline_depth = depth;
  result = run_engine (script, settings);

  uniq = g_ptr_array_index (result->queries, 0);
  divzero = g_ptr_array_index (result->queries, 1);
  ok = g_ptr_array_index (result->queries, 2);
  g_assert_cmpstr (uniq->name, ==, "uniq");
  g_assert_cmpstr (divzero->name, ==, "divzero");

  for (guint i = 0; i < result->errors->len; i++)
    {
      const LbErrorStats *e = g_ptr_array_index (result->errors, i);

      g_test_message ("%s × %" G_GUINT64_FORMAT ": %s", e->sqlstate, e->count, e->message);
    }
  g_test_message ("uniq %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT ", divzero %" G_GUINT64_FORMAT
                  "/%" G_GUINT64_FORMAT ", ok %" G_GUINT64_FORMAT,
                  uniq->executions, uniq->failed, divzero->executions, divzero->failed,
                  ok->executions);

  rows = query_int ("SELECT count(*) FROM t_uniq");
  g_assert_cmpint (rows, ==, (gint64)uniq->executions);
  g_assert_cmpuint (uniq->failed, >, 0);
  g_assert_cmpuint (divzero->failed, >, 0);
  g_assert_cmpuint (divzero->executions, >, 0);
  g_assert_cmpuint (ok->failed, ==, 0);

  e23505 = find_error (result, "23505");
  e22012 = find_error (result, "22012");
  g_assert_nonnull (e23505);
  g_assert_nonnull (e22012);
  g_assert_cmpuint (e23505->count, ==, uniq->failed);
  g_assert_cmpuint (e22012->count, ==, divzero->failed);
  g_assert_nonnull (strstr (e22012->message, "division by zero"));
  g_assert_cmpuint (result->errors->len, ==, 2);
  g_assert_cmpuint (errors_total (result), ==, result->failed);
  g_assert_cmpuint (result->transactions + result->failed, ==, 400);
  g_assert_cmpuint (uniq->executions + uniq->failed + divzero->executions + divzero->failed +
                    ok->executions, ==, 400);
  /* sorted by count, most first */
  g_assert_cmpuint (((LbErrorStats *)g_ptr_array_index (result->errors, 0))->count, >=,
                    ((LbErrorStats *)g_ptr_array_index (result->errors, 1))->count);
}

static void
test_errors (void)
{
  check_errors (0);
}

static void
test_errors_pipeline (void)
{
  check_errors (4);
}

static void
test_failed_block_rolled_back (void)
{
  g_autoptr(LbSqlScript) script = NULL;
  g_autoptr(LbRunSettings) settings = settings_new (LB_RUN_MODE_COUNT, 2);
  g_autoptr(LbRunResult) result = NULL;

  /* A failure inside BEGIN … END leaves the block failed: the next
   * transaction must not inherit it (25P02 would follow). */
  exec_sql ("DROP TABLE IF EXISTS t_blk; CREATE TABLE t_blk (k int)");
  script = script_new ("\\set z random(0, 1)\n"
                       "BEGIN;\n"
                       "INSERT INTO t_blk VALUES (1 / :z);\n"
                       "END;\n");
  settings->transactions = 200;
  result = run_engine (script, settings);

  g_assert_cmpuint (result->transactions + result->failed, ==, 200);
  g_assert_cmpuint (result->failed, >, 0);
  g_assert_null (find_error (result, "25P02"));
  g_assert_cmpuint (errors_total (result), ==, result->failed);
  g_assert_cmpint (query_int ("SELECT count(*) FROM t_blk"), ==, (gint64)result->transactions);
}

static void
test_sleep (void)
{
  g_autoptr(LbSqlScript) script = NULL;
  g_autoptr(LbRunSettings) settings = settings_new (LB_RUN_MODE_COUNT, 2);
  g_autoptr(LbRunResult) result = NULL;

  /* 20 transactions of 2 × 25 ms sleeps over 2 clients: at least 0.5 s */
  script = script_new ("\\set ms 25\n"
                       "\\sleep :ms ms\n"
                       "SELECT 1;\n"
                       "\\sleep 25000 us\n");
  settings->transactions = 20;
  result = run_engine (script, settings);

  g_assert_cmpuint (result->transactions, ==, 20);
  g_assert_cmpfloat (result->duration, >=, 0.48);
  g_assert_cmpfloat (result->duration, <, 2.0);
  g_assert_cmpfloat (lb_latency_histogram_get_min (result->latency), >=, 49000);
}

static gboolean
restart_cb (gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  gint64 *restarted_at = user_data;

  lb_pg_sandbox_restart (sandbox, &error);
  g_assert_no_error (error);
  *restarted_at = g_get_monotonic_time ();
  return G_SOURCE_REMOVE;
}

static void
test_server_restart (void)
{
  g_autoptr(LbSqlScript) script = script_new (insert_script);
  g_autoptr(LbRunSettings) settings = settings_new (LB_RUN_MODE_DURATION, 4);
  RunData data;
  gint64 restarted_at = 0;
  gint64 rows;
  guint64 after = 0;
  double restart_t;

  reset_insert_table ();
  settings->duration = 5;
  settings->interval = 0.5;
  g_timeout_add (1500, restart_cb, &restarted_at);
  run_engine_full (script, settings, NULL, &data);
  g_assert_no_error (data.error);
  g_assert_cmpint (restarted_at, >, 0);

  g_assert_cmpuint (data.result->reconnects, >=, 1);
  g_assert_cmpuint (data.result->errors->len, >=, 1);
  for (guint i = 0; i < data.result->errors->len; i++)
    {
      const LbErrorStats *e = g_ptr_array_index (data.result->errors, i);

      g_test_message ("%s × %" G_GUINT64_FORMAT ": %s", e->sqlstate, e->count, e->message);
      g_assert_true (g_str_has_prefix (e->sqlstate, "08") || g_str_has_prefix (e->sqlstate, "57"));
    }

  /* work went on after the restart */
  restart_t = (restarted_at - (data.finished_at - (gint64)(data.result->duration * G_USEC_PER_SEC)))
              / (double)G_USEC_PER_SEC;
  for (guint i = 0; i < data.result->timeline->len; i++)
    {
      const LbRunSample *s = &g_array_index (data.result->timeline, LbRunSample, i);

      if (s->t - s->interval > restart_t + 0.2)
        after += s->transactions;
    }
  g_assert_cmpuint (after, >, 50);

  /* a transaction whose commit reply was lost may exist without counting */
  rows = query_int ("SELECT count(*) FROM t_ins");
  g_assert_cmpint (rows, >=, (gint64)data.result->transactions);
  g_assert_cmpint (rows, <=, (gint64)(data.result->transactions + data.result->failed));
  run_data_clear (&data);
}

static gboolean
cancel_cb (gpointer user_data)
{
  GCancellable *cancellable = user_data;
  gint64 *cancelled_at = g_object_get_data (G_OBJECT (cancellable), "at");

  *cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (void)
{
  g_autoptr(LbSqlScript) script = NULL;
  g_autoptr(LbRunSettings) settings = settings_new (LB_RUN_MODE_DURATION, 4);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  RunData data;
  gint64 cancelled_at = 0;

  /* some statements are still running when the cancel comes */
  script = script_new ("-- NAME: quick\n"
                       "-- WEIGHT: 20\n"
                       "SELECT pg_sleep(0.01);\n"
                       "-- NAME: slow\n"
                       "SELECT pg_sleep(5);\n");
  settings->duration = 30;
  g_object_set_data (G_OBJECT (cancellable), "at", &cancelled_at);
  g_timeout_add (1200, cancel_cb, cancellable);
  run_engine_full (script, settings, cancellable, &data);

  g_assert_no_error (data.error);
  g_assert_nonnull (data.result);
  g_assert_true (data.result->cancelled);
  g_assert_cmpint (data.finished_at - cancelled_at, <, G_USEC_PER_SEC);
  g_test_message ("cancel took %.3f s", (data.finished_at - cancelled_at) / 1e6);
  g_assert_cmpuint (data.result->transactions, >, 0);
  g_assert_cmpfloat (data.result->duration, >, 0.8);
  g_assert_cmpfloat (data.result->duration, <, 2.5);
  run_data_clear (&data);

  /* the server is not left running the slow statements */
  g_usleep (200 * 1000);
  g_assert_cmpint (query_int ("SELECT count(*) FROM pg_stat_activity WHERE "
                              "query LIKE 'SELECT pg_sleep(5)%' AND state = 'active'"), ==, 0);
}

static void
test_prepare_error (void)
{
  g_autoptr(LbSqlScript) script = NULL;
  g_autoptr(LbRunSettings) settings = settings_new (LB_RUN_MODE_DURATION, 2);

  script = script_new ("-- NAME: fine\nSELECT 1;\n"
                       "-- NAME: broken\n-- PARAM k = random(1, 10)\n"
                       "SELECT * FROM no_such_table WHERE k = :k;\n");

  for (LbProtocol p = LB_PROTOCOL_SIMPLE; p <= LB_PROTOCOL_PREPARED; p++)
    {
      RunData data;

      settings->protocol = p;
      run_engine_full (script, settings, NULL, &data);
      g_assert_error (data.error, LB_LOAD_ENGINE_ERROR, LB_LOAD_ENGINE_ERROR_PREPARE);
      g_assert_nonnull (strstr (data.error->message, "42P01"));
      g_assert_nonnull (strstr (data.error->message, "broken"));
      g_assert_null (data.result);
      run_data_clear (&data);
    }
}

/* A .sql file somebody shared runs as the sandbox's workload role: running
 * a program, or creating a table outside its schema, fails with 42501 and
 * does nothing, in every protocol. */
static void
test_workload_privileges (void)
{
  g_autofree char *scratch = g_dir_make_tmp ("lb-engine-program-XXXXXX", NULL);
  g_autofree char *touched = g_build_filename (scratch, "touched", NULL);
  g_autofree char *sql_path = g_build_filename (scratch, "shared.sql", NULL);
  g_autofree char *program = g_strdup_printf ("-- NAME: program\n"
                                              "COPY (SELECT 1) TO PROGRAM 'touch %s';\n",
                                              touched);
  const char *texts[] = { program, "-- NAME: outside\nCREATE TABLE public.t_outside (k int);\n" };
  g_autoptr(GFile) sql_file = g_file_new_for_path (sql_path);
  g_autoptr(LbRunSettings) settings = settings_new (LB_RUN_MODE_COUNT, 1);

  /* The server's user could write here, were it allowed to run programs. */
  g_chmod (scratch, 0777);
  settings->transactions = 2;
  settings->threads = 1;

  for (guint t = 0; t < G_N_ELEMENTS (texts); t++)
    for (LbProtocol p = LB_PROTOCOL_SIMPLE; p <= LB_PROTOCOL_PREPARED; p++)
      {
        g_autoptr(LbSqlScript) script = NULL;
        g_autoptr(GError) error = NULL;
        const LbErrorStats *denied;
        RunData data;

        g_assert_true (g_file_set_contents (sql_path, texts[t], -1, NULL));
        script = lb_sql_script_new_from_file (sql_file, &error);
        g_assert_no_error (error);
        settings->protocol = p;
        run_engine_full (script, settings, NULL, &data);
        if (data.result != NULL)
          {
            denied = find_error (data.result, "42501");
            g_assert_nonnull (denied);
            g_test_message ("script %u, protocol %d: %s", t, p, denied->message);
            g_assert_cmpuint (denied->count, ==, data.result->failed);
            g_assert_cmpuint (data.result->failed, ==, 2);
            g_assert_cmpuint (data.result->errors->len, ==, 1);
            g_assert_cmpuint (data.result->transactions, ==, 0);
          }
        else
          {
            /* Refused when prepared: the run stops before it starts. */
            g_assert_error (data.error, LB_LOAD_ENGINE_ERROR, LB_LOAD_ENGINE_ERROR_PREPARE);
            g_assert_nonnull (strstr (data.error->message, "42501"));
          }
        run_data_clear (&data);
        g_assert_false (g_file_test (touched, G_FILE_TEST_EXISTS));
        g_assert_cmpint (query_int ("SELECT count(*) FROM pg_class WHERE relname = 't_outside'"), ==, 0);
      }

  g_remove (sql_path);
  g_rmdir (scratch);
}

static void
test_no_server (void)
{
  g_autoptr(LbSqlScript) script = script_new ("SELECT 1;\n");
  g_autoptr(LbRunSettings) settings = settings_new (LB_RUN_MODE_DURATION, 2);
  g_autofree char *dir = g_dir_make_tmp ("lb-no-server-XXXXXX", NULL);
  RunData data;

  g_free (settings->conninfo);
  settings->conninfo = g_strdup_printf ("host=%s port=1 dbname=nothing", dir);
  run_engine_full (script, settings, NULL, &data);
  g_assert_error (data.error, LB_LOAD_ENGINE_ERROR, LB_LOAD_ENGINE_ERROR_CONNECT);
  g_assert_nonnull (strstr (data.error->message, dir));
  run_data_clear (&data);
  g_rmdir (dir);
}

static void
test_ladder (void)
{
  g_autoptr(LbSqlScript) script = script_new (insert_script);
  g_autoptr(LbRunSettings) settings = settings_new (LB_RUN_MODE_LADDER, 1);
  g_autoptr(LbRunResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint64 sum = 0;

  reset_insert_table ();
  lb_run_settings_set_ladder_from_string (settings, "1,2,4", &error);
  g_assert_no_error (error);
  settings->duration = 0.8;
  result = run_engine (script, settings);

  g_assert_cmpuint (result->ladder->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      const LbLadderStep *step = &g_array_index (result->ladder, LbLadderStep, i);

      g_assert_cmpuint (step->clients, ==, 1u << i);
      g_assert_cmpuint (step->transactions, >, 0);
      g_assert_cmpfloat (step->tps, >, 0);
      g_assert_cmpfloat (step->p95_ms, >=, step->p50_ms);
      sum += step->transactions;
    }
  g_assert_cmpuint (sum, ==, result->transactions);
  /* rows of the steps plus those made while new clients connected */
  g_assert_cmpint (query_int ("SELECT count(*) FROM t_ins"), >=, (gint64)result->transactions);
  g_assert_cmpint (query_int ("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'INSERT%'"),
                   ==, 0);
}

typedef struct
{
  gint64 most_kb;
} MemoryData;

static void
memory_sample_cb (LbLoadEngine      *engine,
                  const LbRunSample *sample,
                  MemoryData        *data)
{
  data->most_kb = MAX (data->most_kb, lb_test_rss_kb ());
}

/* 100,000 one-line statements: parsing them, setting the run up (a
 * histogram per query per worker), the live per-query figures and the
 * result stay well below what a histogram each up front cost (~890 MB),
 * and the per-query figures still add up. */
static void
test_many_statements (void)
{
  const guint n = 100000;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(LbSqlScript) script = NULL;
  g_autoptr(LbRunSettings) settings = settings_new (LB_RUN_MODE_COUNT, 4);
  g_autoptr(LbLoadEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  RunData data = { 0 };
  MemoryData memory = { 0 };
  guint64 executions = 0;
  guint ran = 0;
  gint64 before;

  before = lb_test_rss_kb ();
  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "SELECT %u AS statement_%u;\n", i, i);
  script = lb_sql_script_new_from_data (text->str, text->len, "many.sql", &error);
  g_assert_no_error (error);
  g_string_free (g_steal_pointer (&text), TRUE);

  settings->protocol = LB_PROTOCOL_SIMPLE;   /* no 100,000 prepares per client */
  settings->transactions = 20000;
  settings->interval = 0.2;
  engine = lb_load_engine_new (script, settings);
  data.loop = g_main_loop_new (NULL, FALSE);
  g_signal_connect (engine, "sample", G_CALLBACK (memory_sample_cb), &memory);
  lb_load_engine_run_async (engine, NULL, run_done_cb, &data);
  g_main_loop_run (data.loop);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_no_error (data.error);
  memory.most_kb = MAX (memory.most_kb, lb_test_rss_kb ());
  g_test_message ("100,000 statements: %" G_GINT64_FORMAT " MB more at the most",
                  (memory.most_kb - before) / 1024);
  /* Old main took ~890 MB here. The bound leaves room for samples queued on a
   * loaded machine; AddressSanitizer's quarantine and redzones make RSS no
   * measure of the engine's own memory. */
#ifndef __SANITIZE_ADDRESS__
  g_assert_cmpint (memory.most_kb - before, <, 300 * 1024);
#endif

  g_assert_cmpuint (data.result->transactions, ==, 20000);
  /* Beyond 10,000 queries only those that ran are in the result, by index. */
  g_assert_cmpuint (data.result->queries->len, <=, 20000);
  for (guint i = 0; i < data.result->queries->len; i++)
    {
      const LbQueryStats *qs = g_ptr_array_index (data.result->queries, i);
      const LbQueryStats *previous = i > 0 ? g_ptr_array_index (data.result->queries, i - 1) : NULL;

      g_assert_cmpuint (qs->index, <, n);
      g_assert_true (previous == NULL || previous->index < qs->index);
      g_assert_cmpstr (qs->name, ==, lb_sql_script_get_query (script, qs->index)->name);
      g_assert_cmpuint (qs->executions, >, 0);
      g_assert_cmpuint (lb_latency_histogram_get_count (qs->latency), ==, qs->executions);
      executions += qs->executions;
      ran++;
    }
  g_assert_cmpuint (executions, ==, 20000);
  g_assert_cmpuint (ran, >, 1000);
  g_clear_pointer (&data.loop, g_main_loop_unref);
  g_clear_pointer (&data.result, lb_run_result_unref);
}

static void
test_rate (void)
{
  g_autoptr(LbSqlScript) script = script_new (insert_script);
  g_autoptr(LbRunSettings) settings = settings_new (LB_RUN_MODE_DURATION, 4);
  g_autoptr(LbRunResult) result = NULL;

  reset_insert_table ();
  settings->rate = 300;
  settings->duration = 3;
  result = run_engine (script, settings);

  g_test_message ("rate 300: %.1f tps, lag mean %.3f ms", result->tps,
                  lb_latency_histogram_get_mean (result->lag) / 1000);
  g_assert_cmpfloat (result->tps, >, 270);
  g_assert_cmpfloat (result->tps, <, 330);
  g_assert_cmpuint (lb_latency_histogram_get_count (result->lag), ==,
                    result->transactions + result->failed);
}

/* pgbench -L: under a rate a client cannot keep up with, what is already
 * later than the bound is skipped and counted, never sent. */
static void
test_rate_latency_limit (void)
{
  g_autoptr(LbSqlScript) slow = script_new ("SELECT pg_sleep(0.02);\n");
  g_autoptr(LbSqlScript) fast = script_new (insert_script);
  g_autoptr(LbRunSettings) settings = settings_new (LB_RUN_MODE_DURATION, 1);
  g_autoptr(LbRunResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint64 scheduled;

  settings->threads = 1;

  /* A bound needs a schedule. */
  settings->latency_limit = 0.005;
  g_assert_false (lb_run_settings_validate (settings, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);

  /* 200 tps asked of one client that can do at most 50 */
  settings->rate = 200;
  settings->duration = 2;
  result = run_engine (slow, settings);
  scheduled = result->transactions + result->failed + result->skipped;
  g_test_message ("rate 200, limit 5 ms, 20 ms a transaction: %" G_GUINT64_FORMAT " run, %"
                  G_GUINT64_FORMAT " skipped", result->transactions, result->skipped);
  g_assert_cmpuint (result->transactions, <=, 2 * 50 + 1);
  g_assert_cmpuint (result->skipped, >, 2 * result->transactions);
  g_assert_cmpuint (scheduled, >=, 200 * 2 * 7 / 10);
  g_assert_cmpuint (scheduled, <=, 200 * 2 * 13 / 10);
  g_clear_pointer (&result, lb_run_result_unref);

  /* A rate the client keeps up with: nothing is late by a second. */
  reset_insert_table ();
  settings->rate = 100;
  settings->latency_limit = 1;
  result = run_engine (fast, settings);
  g_assert_cmpuint (result->skipped, ==, 0);
  g_assert_cmpuint (result->transactions, >, 100 * 2 * 7 / 10);
  g_assert_cmpint (query_int ("SELECT count(*) FROM t_ins"), >=, (gint64) result->transactions);
}

typedef struct
{
  gint64 stop_called;
  gint64 stopped;
  gint64 start_called;
  gint64 started;
} Outage;

static gboolean
outage_start_cb (gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  Outage *outage = user_data;

  outage->start_called = g_get_monotonic_time ();
  lb_pg_sandbox_start (sandbox, NULL, &error);
  g_assert_no_error (error);
  outage->started = g_get_monotonic_time ();
  return G_SOURCE_REMOVE;
}

static gboolean
outage_stop_cb (gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  Outage *outage = user_data;

  outage->stop_called = g_get_monotonic_time ();
  lb_pg_sandbox_stop (sandbox, &error);
  g_assert_no_error (error);
  outage->stopped = g_get_monotonic_time ();
  g_timeout_add (2000, outage_start_cb, outage);
  return G_SOURCE_REMOVE;
}

/* The server is down for 2 s inside a 6 s run: the result says how long no
 * client was connected and the tps over the rest, beside the plain average. */
static void
test_server_outage (void)
{
  g_autoptr(LbSqlScript) script = script_new (insert_script);
  g_autoptr(LbRunSettings) settings = settings_new (LB_RUN_MODE_DURATION, 4);
  RunData data;
  Outage outage = { 0 };
  double down_min, down_max, reachable;
  gboolean zero_seen = FALSE;

  reset_insert_table ();
  settings->duration = 6;
  settings->interval = 0.25;
  g_timeout_add (1500, outage_stop_cb, &outage);
  run_engine_full (script, settings, NULL, &data);
  g_assert_no_error (data.error);
  g_assert_cmpint (outage.started, >, 0);

  /* From the end of the shutdown to the end of the start, at least; at most
   * from its beginning to a reconnect after the longest backoff (1 s). */
  down_min = (outage.start_called - outage.stopped) / (double)G_USEC_PER_SEC - 0.1;
  down_max = (outage.started - outage.stop_called) / (double)G_USEC_PER_SEC + 1.0 + 0.3;
  g_test_message ("down %.2f–%.2f s, measured %.2f s without a connection; tps %.0f, "
                  "while connected %.0f", down_min, down_max,
                  data.result->seconds_without_connection, data.result->tps,
                  data.result->tps_while_connected);
  g_assert_cmpfloat (data.result->seconds_without_connection, >=, down_min);
  g_assert_cmpfloat (data.result->seconds_without_connection, <=, down_max);

  reachable = data.result->duration - data.result->seconds_without_connection;
  g_assert_cmpfloat (data.result->tps_while_connected, >, data.result->tps);
  g_assert_cmpfloat (fabs (data.result->tps_while_connected - data.result->transactions / reachable),
                     <, 0.01);
  g_assert_cmpuint (data.result->reconnects, >=, 1);
  g_assert_cmpuint (data.result->connection_failures, >=, 1);
  /* every client came back: the outage is not "fewer connected than asked" */
  g_assert_cmpuint (data.result->clients_asked, ==, 4);
  g_assert_cmpuint (data.result->clients_connected_max, ==, 4);
  g_assert_cmpuint (data.result->clients_never_connected, ==, 0);

  /* the live samples showed the outage */
  for (guint i = 0; i < data.samples->len; i++)
    if (g_array_index (data.samples, LbRunSample, i).clients_connected == 0)
      zero_seen = TRUE;
  g_assert_true (zero_seen);
  g_assert_cmpuint (g_array_index (data.samples, LbRunSample, data.samples->len / 5).clients_connected,
                    ==, 4);
  run_data_clear (&data);
}

static void
set_max_connections (const char *sql)
{
  g_autoptr(GError) error = NULL;
  /* Server settings are the sandbox's own set-up: its superuser, not the workloads' role. */
  PGconn *admin = PQconnectdb (_lb_pg_sandbox_get_admin_conninfo (sandbox));
  PGresult *res = PQexec (admin, sql);

  if (PQresultStatus (res) != PGRES_COMMAND_OK)
    g_error ("%s: %s", sql, PQerrorMessage (admin));
  PQclear (res);
  PQfinish (admin);
  lb_pg_sandbox_restart (sandbox, &error);
  g_assert_no_error (error);
}

/* 20 clients asked of a server that takes 5 connections: the result says
 * how many connected, counts the failed attempts and runs with the rest. */
static void
test_fewer_connections (void)
{
  g_autoptr(LbSqlScript) script = script_new (insert_script);
  g_autoptr(LbRunSettings) settings = settings_new (LB_RUN_MODE_DURATION, 20);
  g_autoptr(LbRunResult) result = NULL;
  const LbErrorStats *refused;

  reset_insert_table ();
  /* No reserved slots, so what the server allows is exactly 5 (the test
   * connects as the superuser, who could use reserved ones anyway). */
  set_max_connections ("ALTER SYSTEM SET superuser_reserved_connections = 0");
  set_max_connections ("ALTER SYSTEM SET max_connections = 5");

  settings->duration = 1.5;
  result = run_engine (script, settings);

  set_max_connections ("ALTER SYSTEM RESET ALL");

  g_test_message ("%u of %u connected, %u never, %" G_GUINT64_FORMAT " failed attempts",
                  result->clients_connected_max, result->clients_asked,
                  result->clients_never_connected, result->connection_failures);
  g_assert_cmpuint (result->clients_asked, ==, 20);
  g_assert_cmpuint (result->clients_connected_max, >=, 1);
  g_assert_cmpuint (result->clients_connected_max, <=, 5);
  g_assert_cmpuint (result->clients_never_connected, ==, 20 - result->clients_connected_max);
  /* each of them tried at the start, and again with a backoff */
  g_assert_cmpuint (result->connection_failures, >=, 2 * result->clients_never_connected);
  refused = find_error (result, "08001");
  g_assert_nonnull (refused);
  g_assert_cmpuint (refused->count, ==, result->connection_failures);
  g_assert_cmpuint (result->transactions, >, 0);
  /* some client was connected all along */
  g_assert_cmpfloat (result->seconds_without_connection, ==, 0);
  g_assert_cmpfloat (result->tps_while_connected, ==, result->tps);
}

/* Sockets only: the engine's epoll and eventfd descriptors go with its
 * coordinator thread, a moment after the run returned. */
static guint
count_open_sockets (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);

      if (target != NULL && g_str_has_prefix (target, "socket:"))
        n++;
    }
  return n;
}

/* More clients than one closing thread takes (lb-load-engine.c closes them on
 * several at the end): when the run returns, every socket of ours is closed,
 * the server's sessions end, and the result says how long connecting and
 * closing took. */
static void
test_teardown (void)
{
  g_autoptr(LbSqlScript) script = script_new (insert_script);
  g_autoptr(LbRunSettings) settings = settings_new (LB_RUN_MODE_DURATION, 120);
  g_autoptr(LbRunResult) result = NULL;
  guint sockets_before;
  gint64 sessions = -1;

  reset_insert_table ();
  sockets_before = count_open_sockets ();
  result = run_engine (script, settings);

  g_assert_cmpuint (count_open_sockets (), ==, sockets_before);
  g_assert_cmpuint (result->clients_connected_max, ==, 120);
  g_test_message ("connections open after %.3f s, ready after %.3f s, teardown %.3f s",
                  result->connections_open_time, result->connection_time, result->teardown_time);
  g_assert_cmpfloat (result->connections_open_time, >, 0);
  g_assert_cmpfloat (result->connections_open_time, <=, result->connection_time);
  g_assert_cmpfloat (result->teardown_time, >, 0);
  g_assert_cmpfloat (result->teardown_time, <, 10);

  /* each backend got its Terminate (or EOF) and exits on its own */
  for (guint i = 0; i < 100 && sessions != 0; i++)
    {
      if (i > 0)
        g_usleep (100 * 1000);
      sessions = query_int ("SELECT count(*) FROM pg_stat_activity "
                            "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()");
    }
  g_assert_cmpint (sessions, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  sandbox = lb_pg_sandbox_new_for_tests (FALSE);
  if (!lb_pg_sandbox_start (sandbox, NULL, &error))
    {
      if (g_error_matches (error, LB_PG_SANDBOX_ERROR, LB_PG_SANDBOX_ERROR_NO_SERVER))
        {
          g_test_skip_printf ("no PostgreSQL server binaries: %s", error->message);
          g_clear_object (&sandbox);
          return 0;
        }
      g_error ("sandbox: %s", error->message);
    }

  g_test_add_func ("/load-engine/count", test_count_mode);
  g_test_add_func ("/load-engine/duration", test_duration_mode);
  g_test_add_func ("/load-engine/warmup-and-samples", test_warmup_and_samples);
  g_test_add_func ("/load-engine/live-queries", test_live_queries);
  g_test_add_func ("/load-engine/web-tool-exec-count", test_web_tool_exec_count);
  g_test_add_func ("/load-engine/protocols", test_protocols);
  g_test_add_func ("/load-engine/errors", test_errors);
  g_test_add_func ("/load-engine/errors-pipeline", test_errors_pipeline);
  g_test_add_func ("/load-engine/failed-block", test_failed_block_rolled_back);
  g_test_add_func ("/load-engine/sleep", test_sleep);
  g_test_add_func ("/load-engine/prepare-error", test_prepare_error);
  g_test_add_func ("/load-engine/no-server", test_no_server);
  g_test_add_func ("/load-engine/workload-privileges", test_workload_privileges);
  g_test_add_func ("/load-engine/ladder", test_ladder);
  g_test_add_func ("/load-engine/teardown", test_teardown);
  g_test_add_func ("/load-engine/rate", test_rate);
  g_test_add_func ("/load-engine/rate-latency-limit", test_rate_latency_limit);
  g_test_add_func ("/load-engine/cancel", test_cancel);
  g_test_add_func ("/load-engine/server-restart", test_server_restart);
  g_test_add_func ("/load-engine/server-outage", test_server_outage);
  g_test_add_func ("/load-engine/fewer-connections", test_fewer_connections);
  g_test_add_func ("/load-engine/many-statements", test_many_statements);

  ret = g_test_run ();

  lb_pg_sandbox_stop (sandbox, NULL);
  g_clear_object (&sandbox);
  return ret;
}
