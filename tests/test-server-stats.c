/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the server saw during a run, on a real PostgreSQL (the test
 * sandbox, with pg_stat_statements) through LbTestRun as the tester and the
 * CLI drive it: snapshots at the start, during and at the end, commits and
 * scans counted, the top statement, wait events; the findings (an unused
 * index and a sequentially scanned table for real, a low hit ratio from
 * constructed snapshots: a cold cache cannot be made on demand); the record
 * round trip; server-side comparison; the reference bands' arithmetic
 * against the price sheet; a sampler that cannot connect. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <libpq-fe.h>

#include "lb-reference-bands.h"
#include "lb-run-comparison.h"
#include "lb-server-findings.h"
#include "lb-server-report.h"
#include "lb-server-sampler.h"
#include "lb-pg-sandbox-private.h"
#include "lb-test-run.h"
#include "lb-test-utils.h"

static LbPgSandbox *sandbox;

#define ROWS 20000

static void
exec_ok (PGconn     *conn,
         const char *sql)
{
  PGresult *result = PQexec (conn, sql);

  if (PQresultStatus (result) != PGRES_COMMAND_OK && PQresultStatus (result) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQresultErrorMessage (result));
  PQclear (result);
}

/* "looked" (lookups by primary key, and an index on v that no query uses)
 * and "scanned" (no index: every query reads it whole). */
static void
create_tables (void)
{
  PGconn *conn = PQconnectdb (lb_pg_sandbox_get_conninfo (sandbox));

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  exec_ok (conn, "DROP TABLE IF EXISTS looked, scanned");
  exec_ok (conn, "CREATE TABLE looked (id int PRIMARY KEY, v int)");
  exec_ok (conn, "INSERT INTO looked SELECT g, g % 97 FROM generate_series(1, " G_STRINGIFY (ROWS) ") g");
  exec_ok (conn, "CREATE INDEX looked_v_idx ON looked (v)");
  exec_ok (conn, "CREATE TABLE scanned (id int, v int)");
  exec_ok (conn, "INSERT INTO scanned SELECT g, g % 97 FROM generate_series(1, " G_STRINGIFY (ROWS) ") g");
  exec_ok (conn, "ANALYZE looked, scanned");
  PQfinish (conn);
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

static LbRunRecord *
run_script (const char *sql,
            double      interval,
            double      duration)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbSqlScript) script = lb_sql_script_new_from_data (sql, -1, "server.sql", &error);
  g_autoptr(LbTestRun) run = lb_test_run_new ();
  g_autoptr(LbRunSettings) settings = lb_run_settings_new ();
  RunData data = { 0 };

  g_assert_no_error (error);
  settings->clients = 2;
  settings->threads = 1;
  settings->mode = LB_RUN_MODE_DURATION;
  settings->duration = duration;
  settings->interval = 0.25;
  settings->seed = 11;
  lb_test_run_set_script (run, script, NULL);
  lb_test_run_set_target_conninfo (run, lb_pg_sandbox_get_conninfo (sandbox));
  lb_test_run_set_server_interval (run, interval);
  lb_test_run_set_reference_cu (run, 1);
  lb_test_run_start_async (run, settings, NULL, started_cb, &data);
  lb_test_spin_until (&data.done, 60);
  g_assert_no_error (data.error);
  g_assert_nonnull (data.record);
  return data.record;
}

static guint64
executions_of (LbRunRecord *record,
               const char  *name)
{
  LbRunResult *result = lb_run_record_get_result (record);

  for (guint i = 0; i < result->queries->len; i++)
    {
      const LbQueryStats *stats = g_ptr_array_index (result->queries, i);

      if (g_str_equal (stats->name, name))
        return stats->executions;
    }
  g_assert_not_reached ();
}

static gboolean
has_finding (GPtrArray     *findings,
             LbServerFindingKind  kind,
             const char    *object_suffix)
{
  for (guint i = 0; i < findings->len; i++)
    {
      const LbServerFinding *f = g_ptr_array_index (findings, i);

      if (f->kind == kind && g_str_has_suffix (f->object, object_suffix))
        return TRUE;
    }
  return FALSE;
}

static const char mix_sql[] =
  "-- name: lookup\n-- weight: 3\n-- PARAM id = random(1, " G_STRINGIFY (ROWS) ")\n"
  "SELECT v FROM looked WHERE id = :id;\n"
  "-- name: scan\n-- PARAM v = random(0, 96)\n"
  "SELECT count(*) FROM scanned WHERE v = :v;\n";

static void
test_run_snapshots (void)
{
  g_autoptr(LbRunRecord) record = NULL;
  g_autoptr(LbServerDelta) delta = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  LbRunResult *result;
  GPtrArray *snapshots;
  const LbServerStatement *top;
  guint64 seq = 0, idx = 0, waits = 0;

  create_tables ();
  record = run_script (mix_sql, 0.2, 1.5);
  result = lb_run_record_get_result (record);
  snapshots = lb_run_record_get_server_snapshots (record);

  /* The start, a few during the run (1.5 s at 0.2 s), the end. */
  g_assert_cmpuint (snapshots->len, >=, 5);
  g_assert_cmpuint (lb_run_record_get_server_notes (record)->len, ==, 0);
  delta = lb_server_delta_compute (snapshots);
  g_assert_nonnull (delta);
  g_assert_true (delta->has_database);
  /* Every transaction committed (the sampler's own queries are more). */
  g_assert_cmpuint (result->transactions, >, 50);
  g_assert_cmpuint (delta->commits, >=, result->transactions);
  g_assert_cmpuint (delta->rollbacks, ==, 0);
  g_assert_true (isfinite (delta->hit_ratio));

  /* Each "scan" read "scanned" whole; each "lookup" used the primary key. */
  g_assert_true (lb_server_delta_table_scans (snapshots, "scanned", &seq, &idx));
  g_assert_cmpuint (seq, >=, executions_of (record, "scan"));
  g_assert_cmpuint (idx, ==, 0);
  g_assert_true (lb_server_delta_table_scans (snapshots, "looked", &seq, &idx));
  g_assert_cmpuint (idx, >=, executions_of (record, "lookup"));

  /* The statement that took the most time is the script's scan. */
  g_assert_true (delta->has_statements);
  g_assert_cmpuint (delta->statements->len, >=, 2);
  top = g_ptr_array_index (delta->statements, 0);
  g_assert_nonnull (strstr (top->query, "FROM scanned WHERE v = $1"));
  g_assert_cmpuint (top->calls, ==, executions_of (record, "scan"));

  /* The workers were seen busy (CPU or a wait) by the sampler, never itself. */
  for (guint i = 0; i < delta->waits->len; i++)
    waits += ((LbServerWait *) g_ptr_array_index (delta->waits, i))->count;
  g_assert_cmpuint (waits, >=, 1);
  {
    const LbServerSnapshot *first = g_ptr_array_index (snapshots, 0);

    /* Before the run: nobody else active. */
    g_assert_cmpuint (first->waits->len, ==, 0);
  }

  /* Findings on the real statistics: the index on v is never used,
   * "scanned" is read by sequential scans only; the primary key is
   * unique, never "unused". */
  findings = lb_server_findings_compute (snapshots);
  g_assert_true (has_finding (findings, LB_SERVER_FINDING_UNUSED_INDEX, ".looked_v_idx"));
  g_assert_false (has_finding (findings, LB_SERVER_FINDING_UNUSED_INDEX, ".looked_pkey"));
  g_assert_true (has_finding (findings, LB_SERVER_FINDING_SEQ_SCANNED_TABLE, ".scanned"));
  g_assert_false (has_finding (findings, LB_SERVER_FINDING_SEQ_SCANNED_TABLE, ".looked"));

  /* The record keeps them across a save. */
  {
    g_autofree char *json = lb_run_record_to_json_string (record);
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autoptr(GError) error = NULL;
    g_autoptr(LbRunRecord) again = NULL;
    g_autofree char *json_again = NULL;
    const char *source = NULL;

    g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
    again = lb_run_record_new_from_json (json_parser_get_root (parser), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (lb_run_record_get_server_snapshots (again)->len, ==, snapshots->len);
    g_assert_cmpfloat (lb_run_record_get_reference_cu (again, &source), ==, 1);
    g_assert_cmpstr (source, ==, "settings");
    json_again = lb_run_record_to_json_string (again);
    g_assert_cmpstr (json_again, ==, json);
  }
}

/* Without the sampler (interval 0) a record has no server part, and says so. */
static void
test_run_without_sampler (void)
{
  g_autoptr(LbRunRecord) record = run_script ("SELECT 1;\n", 0, 0.3);
  g_autoptr(LbPriceSheet) prices = lb_price_sheet_new_default ();
  g_autofree char *text = NULL;
  g_autofree char *json = lb_run_record_to_json_string (record);

  g_assert_cmpuint (lb_run_record_get_server_snapshots (record)->len, ==, 0);
  g_assert_null (strstr (json, "\"server\""));
  text = lb_server_report_to_text (record, prices);
  g_assert_nonnull (strstr (text, "fewer than two snapshots"));
}

/* A server the sampler cannot reach: a sentence, no snapshots, no failure. */
static void
test_sampler_unreachable (void)
{
  g_autoptr(LbServerSampler) sampler = lb_server_sampler_new ("host=/nonexistent-lb-socket-dir dbname=x", 0.1);
  g_autoptr(GPtrArray) snapshots = NULL;
  GPtrArray *notes;

  lb_server_sampler_start (sampler);
  snapshots = lb_server_sampler_stop (sampler);
  g_assert_cmpuint (snapshots->len, ==, 0);
  notes = lb_server_sampler_get_notes (sampler);
  g_assert_cmpuint (notes->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (notes, 0), "could not connect"));
  /* The same failure at the start and the end is said once. */
}

/* A database without the extension (the cluster's "postgres"): the
 * snapshot says so in a sentence and still has the database's figures. */
static void
test_statements_not_installed (void)
{
  g_autofree char *conninfo = g_strdup_printf ("%s dbname=postgres", _lb_pg_sandbox_get_admin_conninfo (sandbox));
  PGconn *conn = PQconnectdb (conninfo);
  g_autoptr(LbServerSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  gboolean said = FALSE;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  snapshot = lb_server_snapshot_take (conn, 0, NULL, TRUE, &error);
  PQfinish (conn);
  g_assert_no_error (error);
  g_assert_true (snapshot->has_database);
  g_assert_false (snapshot->has_statements);
  for (guint i = 0; i < snapshot->notes->len; i++)
    said = said || g_str_equal (g_ptr_array_index (snapshot->notes, i), "pg_stat_statements is not installed");
  g_assert_true (said);
}

/* Constructed snapshots ------------------------------------------------------ */

static LbServerSnapshot *
db_snapshot (double  t,
             guint64 commits,
             guint64 hit,
             guint64 read,
             guint64 temp_files,
             guint64 deadlocks,
             guint64 seq,
             guint64 idx)
{
  LbServerSnapshot *s = lb_server_snapshot_new ();
  LbServerTableStats *table = g_new0 (LbServerTableStats, 1);

  s->t = t;
  s->has_database = TRUE;
  s->xact_commit = commits;
  s->blks_hit = hit;
  s->blks_read = read;
  s->temp_files = temp_files;
  s->deadlocks = deadlocks;
  table->schema = g_strdup ("public");
  table->name = g_strdup ("t");
  table->seq_scan = seq;
  table->idx_scan = idx;
  table->n_live_tup = 100;
  g_ptr_array_add (s->tables, table);
  return s;
}

static GPtrArray *
pair (LbServerSnapshot *start,
      LbServerSnapshot *end)
{
  GPtrArray *array = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_server_snapshot_free);

  g_ptr_array_add (array, start);
  g_ptr_array_add (array, end);
  return array;
}

/* A cold cache cannot be made on demand on a server with the data in the
 * OS cache: the low-hit-ratio classification is tested on figures. */
static void
test_low_hit_ratio (void)
{
  /* 9,000 hit, 1,000 read during the run: 90 %. */
  g_autoptr(GPtrArray) cold = pair (db_snapshot (0, 10, 5000, 50, 0, 0, 0, 0),
                                    db_snapshot (10, 20, 14000, 1050, 0, 0, 0, 0));
  /* 99.5 %: fine. */
  g_autoptr(GPtrArray) warm = pair (db_snapshot (0, 10, 0, 0, 0, 0, 0, 0),
                                    db_snapshot (10, 20, 19900, 100, 0, 0, 0, 0));
  /* Too few blocks to say anything. */
  g_autoptr(GPtrArray) idle = pair (db_snapshot (0, 10, 0, 0, 0, 0, 0, 0),
                                    db_snapshot (10, 20, 10, 90, 0, 0, 0, 0));
  g_autoptr(GPtrArray) a = lb_server_findings_compute (cold);
  g_autoptr(GPtrArray) b = lb_server_findings_compute (warm);
  g_autoptr(GPtrArray) c = lb_server_findings_compute (idle);

  g_assert_true (has_finding (a, LB_SERVER_FINDING_LOW_HIT_RATIO, ""));
  g_assert_nonnull (strstr (((LbServerFinding *) g_ptr_array_index (a, 0))->what, "90.0 %"));
  g_assert_false (has_finding (b, LB_SERVER_FINDING_LOW_HIT_RATIO, ""));
  g_assert_false (has_finding (c, LB_SERVER_FINDING_LOW_HIT_RATIO, ""));
}

static LbRunRecord *
record_with (GPtrArray *snapshots,
             double     duration,
             guint64    transactions)
{
  g_autoptr(LbRunSettings) settings = lb_run_settings_new ();
  g_autoptr(LbRunResult) result = lb_run_result_new ();
  LbRunRecord *record;
  LbQueryStats *stats = lb_query_stats_new (0, "q", "SELECT 1");

  settings->conninfo = g_strdup ("dbname=x");
  settings->clients = 8;
  settings->warmup = 0;
  result->duration = duration;
  result->transactions = transactions;
  result->tps = transactions / duration;
  stats->executions = transactions;
  for (guint64 i = 0; i < 100; i++)
    lb_latency_histogram_record (result->latency, 2000);   /* 2 ms */
  g_ptr_array_add (result->queries, stats);
  record = lb_run_record_new ("q.sql", NULL, settings, result, NULL);
  if (snapshots != NULL)
    {
      g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);

      lb_run_record_set_server (record, snapshots, notes);
    }
  return record;
}

static void
test_comparison (void)
{
  g_autoptr(GPtrArray) s1 = pair (db_snapshot (0, 0, 0, 0, 0, 0, 0, 0),
                                  db_snapshot (10, 1000, 9900, 100, 10, 0, 100, 1000));
  g_autoptr(GPtrArray) s2 = pair (db_snapshot (0, 0, 0, 0, 0, 0, 0, 0),
                                  db_snapshot (10, 1000, 9000, 1000, 20, 0, 50, 2000));
  g_autoptr(LbRunRecord) baseline = record_with (s1, 10, 1000);
  g_autoptr(LbRunRecord) run = record_with (s2, 10, 1000);
  g_autoptr(LbRunRecord) bare = record_with (NULL, 10, 1000);
  LbServerDeltaRow row;

  g_assert_true (lb_compare_server (run, baseline, &row));
  /* 90 % against 99 %: worse. */
  g_assert_cmpint (row.figures[LB_SERVER_COMPARED_HIT_RATIO].verdict, ==, LB_DELTA_WORSE);
  g_assert_cmpfloat_with_epsilon (row.figures[LB_SERVER_COMPARED_HIT_RATIO].value, 0.90, 1e-9);
  g_assert_cmpfloat_with_epsilon (row.figures[LB_SERVER_COMPARED_HIT_RATIO].baseline, 0.99, 1e-9);
  /* Temp files 2/s against 1/s: +100 %, worse. */
  g_assert_cmpfloat_with_epsilon (row.figures[LB_SERVER_COMPARED_TEMP_FILES].percent, 100, 1e-9);
  g_assert_cmpint (row.figures[LB_SERVER_COMPARED_TEMP_FILES].verdict, ==, LB_DELTA_WORSE);
  /* No deadlocks either time: the same. */
  g_assert_cmpint (row.figures[LB_SERVER_COMPARED_DEADLOCKS].verdict, ==, LB_DELTA_SAME);
  /* Half the sequential scans: better; twice the index scans: better. */
  g_assert_cmpfloat_with_epsilon (row.figures[LB_SERVER_COMPARED_SEQ_SCANS].percent, -50, 1e-9);
  g_assert_cmpint (row.figures[LB_SERVER_COMPARED_SEQ_SCANS].verdict, ==, LB_DELTA_BETTER);
  g_assert_cmpint (row.figures[LB_SERVER_COMPARED_IDX_SCANS].verdict, ==, LB_DELTA_BETTER);

  /* A record of an older version has nothing to compare. */
  g_assert_false (lb_compare_server (run, bare, &row));
  g_assert_cmpint (row.figures[LB_SERVER_COMPARED_HIT_RATIO].verdict, ==, LB_DELTA_NONE);
}

static void
test_bands (void)
{
  g_autoptr(LbPriceSheet) prices = lb_price_sheet_new_default ();
  const LbPrices *p = lb_price_sheet_get_prices (prices);
  /* 36,000 queries in 36 s: 1,000/s. */
  g_autoptr(LbRunRecord) record = record_with (NULL, 36, 36000);
  g_auto(GStrv) lines = NULL;
  LbReferenceBands bands;

  lb_reference_bands_compute (record, 2, prices, &bands);
  g_assert_cmpfloat (bands.expected_qps, ==, 2 * p->reads_per_cu);
  g_assert_cmpfloat (p->reads_per_cu, ==, 10000);
  g_assert_cmpfloat_with_epsilon (bands.measured_qps, 1000, 1e-9);
  g_assert_cmpfloat_with_epsilon (bands.tps_fraction, 1000 / (2 * p->reads_per_cu), 1e-12);
  g_assert_cmpfloat_with_epsilon (bands.hours, 0.01, 1e-12);
  g_assert_cmpfloat_with_epsilon (bands.run_cost, 2 * 0.01 * p->autoscaling_cu_hour, 1e-12);
  g_assert_cmpfloat_with_epsilon (bands.cost_per_million, bands.run_cost / 36000 * 1e6, 1e-12);
  g_assert_true (bands.p99_within);
  g_assert_cmpfloat (bands.p99_target_ms, ==, 10);
  g_assert_cmpfloat (bands.connections_limit, ==, p->connections_limit);
  g_assert_true (bands.connections_within);

  lines = lb_reference_bands_describe (&bands, "workload", "USD");
  g_assert_nonnull (strstr (lines[0], "2 CU (workload)"));
  g_assert_nonnull (strstr (lines[0], ": 5 %"));

  /* Without a CU: no expectation, no cost, and the reason. */
  g_clear_pointer (&lines, g_strfreev);
  lb_reference_bands_compute (record, 0, prices, &bands);
  g_assert_true (isnan (bands.tps_fraction));
  g_assert_true (isnan (bands.cost_per_million));
  lines = lb_reference_bands_describe (&bands, NULL, "USD");
  g_assert_nonnull (strstr (lines[0], "No CU size"));
}

/* The workload's recommended CU wins over the one set by hand. */
static void
test_reference_cu_source (void)
{
  g_autoptr(LbTestRun) run = lb_test_run_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LbWorkload) workload =
    lb_workload_new_from_data ("database_instance:\n  reads_per_second: 35000\n", -1, "w.yml", &error);
  const char *source = NULL;

  g_assert_no_error (error);
  g_assert_cmpfloat (lb_test_run_get_reference_cu (run, &source), ==, 0);
  g_assert_null (source);
  lb_test_run_set_reference_cu (run, 3);
  g_assert_cmpfloat (lb_test_run_get_reference_cu (run, &source), ==, 3);
  g_assert_cmpstr (source, ==, "settings");
  lb_test_run_set_workload (run, workload);
  /* 35,000 reads/s at 10,000 per CU: 3.5 CU, the tier above is 4. */
  g_assert_cmpfloat (lb_test_run_get_reference_cu (run, &source), ==, 4);
  g_assert_cmpstr (source, ==, "workload");
  lb_test_run_set_workload (run, NULL);
  g_assert_cmpfloat (lb_test_run_get_reference_cu (run, &source), ==, 3);
}

static LbRunRecord *
load_record_file (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fuzz", "corpus", "fuzz-run-record", name, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  LbRunRecord *record;

  g_assert_true (json_parser_load_from_file (parser, path, &error));
  record = lb_run_record_new_from_json (json_parser_get_root (parser), &error);
  g_assert_no_error (error);
  return record;
}

/* The fuzzer's seed with snapshots (a real bench run's) loads, saves the
 * same, and reports; a record of an older version (no server part) loads
 * with none and says why. */
static void
test_record_files (void)
{
  g_autoptr(LbRunRecord) with = load_record_file ("server-snapshots.json");
  g_autoptr(LbRunRecord) old = load_record_file ("empty-result.json");
  g_autoptr(LbPriceSheet) prices = lb_price_sheet_new_default ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(LbRunRecord) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = lb_run_record_to_json_string (with);
  g_autofree char *resaved = NULL;
  g_autofree char *text = NULL;
  g_autofree char *old_text = NULL;

  g_assert_cmpuint (lb_run_record_get_server_snapshots (with)->len, ==, 2);
  g_assert_cmpuint (lb_run_record_get_server_notes (with)->len, ==, 1);
  g_assert_cmpfloat (lb_run_record_get_reference_cu (with, NULL), ==, 1);
  g_assert_true (json_parser_load_from_data (parser, saved, -1, &error));
  again = lb_run_record_new_from_json (json_parser_get_root (parser), &error);
  g_assert_no_error (error);
  resaved = lb_run_record_to_json_string (again);
  g_assert_cmpstr (saved, ==, resaved);
  text = lb_server_report_to_text (with, prices);
  g_assert_nonnull (strstr (text, "Server (2 snapshots):"));
  g_assert_nonnull (strstr (text, "permission denied"));

  g_assert_cmpuint (lb_run_record_get_server_snapshots (old)->len, ==, 0);
  g_assert_cmpfloat (lb_run_record_get_reference_cu (old, NULL), ==, 0);
  old_text = lb_server_report_to_text (old, prices);
  g_assert_nonnull (strstr (old_text, "fewer than two snapshots"));
}

/* Bad server parts are refused with the member named, never a crash. */
static void
test_record_bad_server (void)
{
  static const char *const bad[] = {
    "\"server\": 3",
    "\"server\": {\"snapshots\": 3}",
    "\"server\": {\"snapshots\": [3]}",
    "\"server\": {\"snapshots\": [{\"database\": {\"xact_commit\": -1}}]}",
    "\"server\": {\"snapshots\": [{\"tables\": [{\"name\": 7}]}]}",
    "\"server\": {\"notes\": [1]}",
    "\"reference\": {\"cu\": \"two\"}",
  };
  g_autoptr(LbRunRecord) base = load_record_file ("empty-result.json");
  g_autofree char *json = lb_run_record_to_json_string (base);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(LbRunRecord) record = NULL;
      /* The record's first member replaced: "{ BAD, "id" : …". */
      g_autofree char *text = g_strdup_printf ("{ %s, %s", bad[i], strchr (json, '{') + 1);

      g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
      record = lb_run_record_new_from_json (json_parser_get_root (parser), &error);
      g_assert_null (record);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server-stats/low-hit-ratio", test_low_hit_ratio);
  g_test_add_func ("/server-stats/record-files", test_record_files);
  g_test_add_func ("/server-stats/record-bad-server", test_record_bad_server);
  g_test_add_func ("/server-stats/comparison", test_comparison);
  g_test_add_func ("/server-stats/bands", test_bands);
  g_test_add_func ("/server-stats/reference-cu-source", test_reference_cu_source);
  g_test_add_func ("/server-stats/sampler-unreachable", test_sampler_unreachable);

  sandbox = lb_pg_sandbox_new_for_tests (FALSE);
  if (!lb_pg_sandbox_start (sandbox, NULL, &error))
    {
      if (g_error_matches (error, LB_PG_SANDBOX_ERROR, LB_PG_SANDBOX_ERROR_NO_SERVER))
        {
          g_test_skip_printf ("no PostgreSQL server binaries: %s", error->message);
          g_clear_object (&sandbox);
          return g_test_run ();
        }
      g_error ("sandbox: %s", error->message);
    }
  g_test_add_func ("/server-stats/run-snapshots", test_run_snapshots);
  g_test_add_func ("/server-stats/run-without-sampler", test_run_without_sampler);
  g_test_add_func ("/server-stats/statements-not-installed", test_statements_not_installed);

  ret = g_test_run ();

  lb_pg_sandbox_stop (sandbox, NULL);
  g_clear_object (&sandbox);
  return ret;
}
