/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>

#include "lb-pg-sandbox.h"
#include "lb-pg-sandbox-private.h"
#include "lb-sql-script.h"
#include "lb-test-utils.h"

/* One sandbox for the whole program: creating the sample data is the
 * slowest part, and every test only reads it or uses tables of its own. */
static LbPgSandbox *sandbox;
static const char *conninfo;

typedef struct
{
  char *tmp_dir;      /* scripts, output files, XDG_* directories */
  char *data_dir;     /* XDG_DATA_HOME: where the run history goes */
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->tmp_dir = g_dir_make_tmp ("lb-test-cli-bench-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->data_dir = g_build_filename (fixture->tmp_dir, "data", NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  lb_test_remove_tree (fixture->tmp_dir);
  g_free (fixture->tmp_dir);
  g_free (fixture->data_dir);
}

static char *
write_file (Fixture    *fixture,
            const char *name,
            const char *contents)
{
  return lb_test_write_file (fixture->tmp_dir, name, contents);
}

/* The environment of every run: private XDG directories (never the real
 * user's history or cache) and no PG* variables unless @pg_env is given. */
static char **
dup_environment (Fixture     *fixture,
                 const char **pg_env)
{
  g_auto(GStrv) envp = g_get_environ ();
  g_autofree char *cache = g_build_filename (fixture->tmp_dir, "cache", NULL);
  g_autofree char *config = g_build_filename (fixture->tmp_dir, "config", NULL);
  const char *pg_names[] = { "PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE",
                             "PGHOSTADDR", "PGPASSWORD", "PGOPTIONS" };

  for (guint i = 0; i < G_N_ELEMENTS (pg_names); i++)
    envp = g_environ_unsetenv (envp, pg_names[i]);
  envp = g_environ_setenv (envp, "XDG_DATA_HOME", fixture->data_dir, TRUE);
  envp = g_environ_setenv (envp, "XDG_CACHE_HOME", cache, TRUE);
  envp = g_environ_setenv (envp, "XDG_CONFIG_HOME", config, TRUE);
  envp = g_environ_setenv (envp, "LC_ALL", "C.UTF-8", TRUE);
  for (guint i = 0; pg_env != NULL && pg_env[i] != NULL; i += 2)
    envp = g_environ_setenv (envp, pg_env[i], pg_env[i + 1], TRUE);

  return g_steal_pointer (&envp);
}

static void
run_cli_argv (Fixture          *fixture,
              LbTestCliResult  *result,
              const char      **pg_env,
              GPtrArray        *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = dup_environment (fixture, pg_env);

  g_ptr_array_add (argv, (char *) "bench");
  for (guint i = 0; i < args->len; i++)
    g_ptr_array_add (argv, g_ptr_array_index (args, i));
  g_ptr_array_add (argv, NULL);

  lb_test_run_cli (result, envp, G_SPAWN_DEFAULT, (const char * const *) argv->pdata);
}

/* Runs "$LB_CLI bench" with the given arguments (NULL-terminated). */
static void
run_bench (Fixture         *fixture,
           LbTestCliResult *result,
           ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  va_start (ap, result);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);

  run_cli_argv (fixture, result, NULL, args);
}

static void
assert_success (const LbTestCliResult *result)
{
  if (result->status != 0)
    g_error ("lakebase-cli bench exited with %d:\n%s", result->status, result->err);
}

static void
assert_contains (const char *haystack,
                 const char *needle)
{
  if (strstr (haystack, needle) == NULL)
    g_error ("“%s” not found in:\n%s", needle, haystack);
}

static void
ignore_notice (void       *data,
               const char *message)
{
}

/* libpq straight to the sandbox: the server's own view of what ran. */
static char *
query_value (const char *sql)
{
  PGconn *conn = PQconnectdb (conninfo);
  PGresult *res;
  char *value = NULL;

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("cannot connect to the sandbox: %s", PQerrorMessage (conn));
  PQsetNoticeProcessor (conn, ignore_notice, NULL);
  res = PQexec (conn, sql);
  if (PQresultStatus (res) != PGRES_TUPLES_OK && PQresultStatus (res) != PGRES_COMMAND_OK)
    g_error ("%s: %s", sql, PQerrorMessage (conn));
  if (PQresultStatus (res) == PGRES_TUPLES_OK && PQntuples (res) > 0)
    value = g_strdup (PQgetvalue (res, 0, 0));
  PQclear (res);
  PQfinish (conn);

  return value;
}

static gint64
query_int (const char *sql)
{
  g_autofree char *value = query_value (sql);

  g_assert_nonnull (value);
  return g_ascii_strtoll (value, NULL, 10);
}

static JsonObject *
load_json (JsonParser *parser,
           const char *path_or_text,
           gboolean    is_path)
{
  g_autoptr(GError) error = NULL;

  if (is_path)
    json_parser_load_from_file (parser, path_or_text, &error);
  else
    json_parser_load_from_data (parser, path_or_text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_node_get_object (json_parser_get_root (parser));
}

static JsonNode *
get_member (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    g_error ("the JSON has no “%s”", name);

  return node;
}

/* A count: a JSON integer, never a double. */
static gint64
get_integer (JsonObject *object,
             const char *name)
{
  JsonNode *node = get_member (object, name);

  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_cmpuint (json_node_get_value_type (node), ==, G_TYPE_INT64);

  return json_node_get_int (node);
}

/* A measure: any JSON number (a whole number may be written without ".0"). */
static double
get_number (JsonObject *object,
            const char *name)
{
  JsonNode *node = get_member (object, name);
  GType type;

  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  type = json_node_get_value_type (node);
  g_assert_true (type == G_TYPE_INT64 || type == G_TYPE_DOUBLE);

  return json_node_get_double (node);
}

static JsonArray *
get_array (JsonObject *object,
           const char *name)
{
  JsonNode *node = get_member (object, name);

  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));

  return json_node_get_array (node);
}

static JsonObject *
get_object (JsonObject *object,
            const char *name)
{
  JsonNode *node = get_member (object, name);

  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));

  return json_node_get_object (node);
}

/* latency_ms {avg, stddev, p50, p90, p95, p99, p999, max}, consistent. */
static void
assert_latency (JsonObject *latency,
                gboolean    empty)
{
  const char *ordered[] = { "p50", "p90", "p95", "p99", "p999", "max" };
  double previous = 0;

  g_assert_cmpfloat (get_number (latency, "stddev"), >=, 0);
  for (guint i = 0; i < G_N_ELEMENTS (ordered); i++)
    {
      double value = get_number (latency, ordered[i]);

      g_assert_cmpfloat (value, >=, previous);
      previous = value;
    }
  if (empty)
    {
      g_assert_cmpfloat (get_number (latency, "avg"), ==, 0);
    }
  else
    {
      /* Even a local point lookup takes more than a microsecond and less than a minute. */
      g_assert_cmpfloat (get_number (latency, "avg"), >, 0.001);
      g_assert_cmpfloat (get_number (latency, "max"), <, 60000);
      g_assert_cmpfloat (get_number (latency, "avg"), <=, get_number (latency, "max") * 1.01);
    }
}

static char *
sample_path (const char *name)
{
  const char *samples = g_getenv ("LB_SAMPLES_DIR");

  g_assert_nonnull (samples);
  return g_build_filename (samples, name, NULL);
}

static LbSqlScript *
load_script (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  LbSqlScript *script = lb_sql_script_new_from_file (file, &error);

  g_assert_no_error (error);
  return script;
}

/* Every sample for a second: it runs, and the summary has the figures and a
 * line per query. */
static void
test_samples (Fixture       *fixture,
              gconstpointer  data)
{
  const char *samples[] = {
    "customer_lookup.sql", "pgbench_style.sql", "plain.sql", "webtool_format.sql"
  };
  const char *keys[] = { "transactions", "failed", "tps", "p50", "p95", "p99", "p99.9", "max" };

  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    {
      g_autofree char *path = sample_path (samples[i]);
      g_autofree char *json = g_build_filename (fixture->tmp_dir, "run.json", NULL);
      g_autoptr(LbSqlScript) script = load_script (path);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_auto(LbTestCliResult) result = { 0 };
      g_autofree char *lower = NULL;
      JsonObject *root;

      g_test_message ("%s", samples[i]);
      run_bench (fixture, &result, path, "--dsn", conninfo, "--duration", "1", "--clients", "2",
                 "--no-save", "--json", json, NULL);
      assert_success (&result);

      lower = g_ascii_strdown (result.out, -1);
      for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
        assert_contains (lower, keys[k]);
      for (guint q = 0; q < lb_sql_script_get_n_queries (script); q++)
        assert_contains (result.out, lb_sql_script_get_query (script, q)->name);

      root = load_json (parser, json, TRUE);
      g_assert_cmpint (get_integer (root, "transactions"), >, 0);
      g_assert_cmpint (get_integer (root, "failed"), ==, 0);
    }
}

/* The web tool's docs example, as written in its README (trailing comments
 * on the directive lines) and on its docs page, runs on the sandbox: WEIGHT,
 * a legacy EXEC_COUNT and PARAM against TPC-DS's store_sales. */
static void
test_webtool_docs_example (Fixture       *fixture,
                           gconstpointer  data)
{
  const char *files[] = { "readme-unified-docs-example.sql", "docs-unified-example.sql" };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "webtool", files[i], NULL);
      g_autofree char *json = g_build_filename (fixture->tmp_dir, "run.json", NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_auto(LbTestCliResult) result = { 0 };
      JsonObject *root;
      JsonArray *queries;

      g_test_message ("%s", files[i]);
      run_bench (fixture, &result, path, "--sandbox", "--transactions", "50", "--no-save",
                 "--json", json, NULL);
      assert_success (&result);
      assert_contains (result.out, "query_1");

      root = load_json (parser, json, TRUE);
      g_assert_cmpint (get_integer (root, "transactions"), ==, 50);
      g_assert_cmpint (get_integer (root, "failed"), ==, 0);
      queries = json_object_get_array_member (root, "queries");
      g_assert_cmpuint (json_array_get_length (queries), ==, 1);
      g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (queries, 0), "executions"),
                       ==, 50);
    }
}

/* The JSON has every key of the issue, with the right types and values that
 * agree with each other. */
static void
test_json (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree char *path = sample_path ("customer_lookup.sql");
  g_autofree char *csv_path = g_build_filename (fixture->tmp_dir, "run.csv", NULL);
  g_autoptr(LbSqlScript) script = load_script (path);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *csv = NULL;
  g_auto(GStrv) csv_lines = NULL;
  g_auto(LbTestCliResult) result = { 0 };
  JsonObject *root;
  JsonArray *queries;
  JsonArray *timeline;
  JsonArray *errors;
  gint64 transactions;
  gint64 executions = 0;
  double tps;
  double previous_t = 0;

  run_bench (fixture, &result, path, "--dsn", conninfo, "--duration", "2", "--clients", "2",
             "--protocol", "extended", "--seed", "42", "--no-save",
             "--json", "-", "--csv", csv_path, NULL);
  assert_success (&result);

  /* stdout is the JSON alone; the summary moved to stderr. */
  root = load_json (parser, result.out, FALSE);
  assert_contains (result.err, "p99");

  transactions = get_integer (root, "transactions");
  g_assert_cmpint (transactions, >, 10);
  g_assert_cmpint (get_integer (root, "failed"), ==, 0);
  tps = get_number (root, "tps");
  /* tps excludes connection time: transactions over about 2 s measured. */
  g_assert_cmpfloat (tps, >=, transactions / 2.5);
  g_assert_cmpfloat (tps, <=, transactions / 1.5);
  assert_latency (get_object (root, "latency_ms"), FALSE);

  queries = get_array (root, "queries");
  g_assert_cmpuint (json_array_get_length (queries), ==, lb_sql_script_get_n_queries (script));
  for (guint i = 0; i < json_array_get_length (queries); i++)
    {
      JsonObject *query = json_array_get_object_element (queries, i);
      gint64 n = get_integer (query, "executions");

      g_assert_cmpstr (json_object_get_string_member (query, "name"), ==,
                       lb_sql_script_get_query (script, i)->name);
      g_assert_cmpint (get_integer (query, "failed"), ==, 0);
      assert_latency (get_object (query, "latency_ms"), n == 0);
      executions += n;
    }
  /* One query per transaction in a query mix; weights 8:2:1 show. */
  g_assert_cmpint (executions, ==, transactions);
  g_assert_cmpint (get_integer (json_array_get_object_element (queries, 0), "executions"), >,
                   get_integer (json_array_get_object_element (queries, 1), "executions"));

  errors = get_array (root, "errors");
  g_assert_cmpuint (json_array_get_length (errors), ==, 0);

  timeline = get_array (root, "timeline");
  g_assert_cmpuint (json_array_get_length (timeline), >=, 1);
  g_assert_cmpuint (json_array_get_length (timeline), <=, 3);
  for (guint i = 0; i < json_array_get_length (timeline); i++)
    {
      JsonObject *sample = json_array_get_object_element (timeline, i);
      double t = get_number (sample, "t");

      g_assert_cmpfloat (t, >, previous_t);
      g_assert_cmpfloat (get_number (sample, "tps"), >=, 0);
      g_assert_cmpfloat (get_number (sample, "p95_ms"), >=, 0);
      previous_t = t;
    }

  /* The CSV: a header and a row per interval, then the per-query table. */
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  csv_lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpuint (g_strv_length (csv_lines), >=, json_array_get_length (timeline) + 2);
  for (guint q = 0; q < lb_sql_script_get_n_queries (script); q++)
    assert_contains (csv, lb_sql_script_get_query (script, q)->name);
}

/* An error in the script counts by SQLSTATE and does not stop the run. */
static void
test_query_errors (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *path = write_file (fixture, "errors.sql",
                                      "-- NAME: ok\n"
                                      "SELECT 1;\n"
                                      "-- NAME: divide\n"
                                      "-- PARAM z = random(0, 0)\n"
                                      "SELECT 1 / :z::int;\n");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(LbTestCliResult) result = { 0 };
  JsonObject *root;
  JsonObject *error;
  JsonArray *errors;

  run_bench (fixture, &result, path, "--dsn", conninfo, "--transactions", "200", "--no-save",
             "--json", "-", NULL);
  assert_success (&result);
  root = load_json (parser, result.out, FALSE);
  errors = get_array (root, "errors");
  g_assert_cmpuint (json_array_get_length (errors), ==, 1);
  error = json_array_get_object_element (errors, 0);
  g_assert_cmpstr (json_object_get_string_member (error, "sqlstate"), ==, "22012");
  g_assert_cmpint (get_integer (error, "count"), ==, get_integer (root, "failed"));
  g_assert_cmpint (get_integer (root, "failed"), >, 0);
  g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), "division by zero"));
  g_assert_cmpint (get_integer (root, "failed") + get_integer (root, "transactions"), ==, 200);
}

/* --transactions N runs exactly N: the server saw N inserts. */
static void
test_transactions (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *path = write_file (fixture, "insert.sql",
                                      "-- NAME: insert_one\n"
                                      "-- PARAM v = random(1, 1000)\n"
                                      "INSERT INTO cli_bench_count (v) VALUES (:v);\n");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(LbTestCliResult) result = { 0 };
  JsonObject *root;

  g_free (query_value ("DROP TABLE IF EXISTS cli_bench_count"));
  g_free (query_value ("CREATE TABLE cli_bench_count (id bigserial, v int)"));

  run_bench (fixture, &result, path, "--dsn", conninfo, "--transactions", "537",
             "--clients", "3", "--no-save", "--json", "-", NULL);
  assert_success (&result);
  root = load_json (parser, result.out, FALSE);

  g_assert_cmpint (get_integer (root, "transactions"), ==, 537);
  g_assert_cmpint (query_int ("SELECT count(*) FROM cli_bench_count"), ==, 537);
  g_assert_cmpint (query_int ("SELECT count(*) FROM cli_bench_count WHERE v BETWEEN 1 AND 1000"),
                   ==, 537);
}

/* A web tool file without --duration/--transactions runs its own count:
 * every tuple EXEC_COUNT times. */
static void
test_web_tool_default_count (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *path = write_file (fixture, "webtool.sql",
                                      "-- PARAMETERS: [[1, \"a\"], [2, \"b\"], [3, \"c\"]]\n"
                                      "-- EXEC_COUNT: 7\n"
                                      "INSERT INTO cli_bench_web (v, s) VALUES (%s, %s);\n");
  g_autoptr(LbSqlScript) script = load_script (path);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(LbTestCliResult) result = { 0 };
  JsonObject *root;

  g_free (query_value ("DROP TABLE IF EXISTS cli_bench_web"));
  g_free (query_value ("CREATE TABLE cli_bench_web (v int, s text)"));

  run_bench (fixture, &result, path, "--dsn", conninfo, "--clients", "2", "--no-save",
             "--json", "-", NULL);
  assert_success (&result);
  root = load_json (parser, result.out, FALSE);

  g_assert_cmpuint (lb_sql_script_get_default_count (script), ==, 3 * 7);
  g_assert_cmpint (get_integer (root, "transactions"), ==, 3 * 7);
  g_assert_cmpint (query_int ("SELECT count(*) FROM cli_bench_web"), ==, 3 * 7);
  /* Each parameter set EXEC_COUNT times, sent as bind values. */
  g_assert_cmpint (query_int ("SELECT count(*) FROM cli_bench_web WHERE v = 1 AND s = 'a'"), ==, 7);
  g_assert_cmpint (query_int ("SELECT count(*) FROM cli_bench_web WHERE v = 2 AND s = 'b'"), ==, 7);
  g_assert_cmpint (query_int ("SELECT count(*) FROM cli_bench_web WHERE v = 3 AND s = 'c'"), ==, 7);
}

static void
test_ladder (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *path = sample_path ("customer_lookup.sql");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(LbTestCliResult) result = { 0 };
  JsonObject *root;
  JsonArray *ladder;
  gint64 sum = 0;

  run_bench (fixture, &result, path, "--dsn", conninfo, "--ladder", "1,2", "--duration", "1",
             "--no-save", "--json", "-", NULL);
  assert_success (&result);
  root = load_json (parser, result.out, FALSE);

  ladder = get_array (root, "ladder");
  g_assert_cmpuint (json_array_get_length (ladder), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *step = json_array_get_object_element (ladder, i);

      g_assert_cmpint (get_integer (step, "clients"), ==, i + 1);
      g_assert_cmpint (get_integer (step, "transactions"), >, 0);
      g_assert_cmpfloat (get_number (step, "tps"), >, 0);
      sum += get_integer (step, "transactions");
    }
  g_assert_cmpint (sum, ==, get_integer (root, "transactions"));
}

/* --progress S: one pgbench-like line per S seconds on stderr. */
static void
test_progress (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *path = sample_path ("customer_lookup.sql");
  g_autoptr(GRegex) regex = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(LbTestCliResult) result = { 0 };
  guint n_lines = 0;
  double previous_t = 0;

  run_bench (fixture, &result, path, "--dsn", conninfo, "--duration", "2", "--progress", "0.5",
             "--no-save", NULL);
  assert_success (&result);

  regex = g_regex_new ("^progress: ([0-9]+\\.[0-9]) s, ([0-9]+\\.[0-9]) tps, "
                       "lat ([0-9]+\\.[0-9]{3}) ms( stddev [0-9]+\\.[0-9]{3}), "
                       "p95 ([0-9]+\\.[0-9]{3}) ms, p99 ([0-9]+\\.[0-9]{3}) ms, ([0-9]+) failed$",
                       0, 0, NULL);
  lines = g_strsplit (result.err, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GMatchInfo) match = NULL;
      g_autofree char *t_text = NULL;
      g_autofree char *tps_text = NULL;
      double t;

      if (!g_str_has_prefix (lines[i], "progress: "))
        continue;
      if (!g_regex_match (regex, lines[i], 0, &match))
        g_error ("not a progress line: %s", lines[i]);
      t_text = g_match_info_fetch (match, 1);
      tps_text = g_match_info_fetch (match, 2);
      t = g_ascii_strtod (t_text, NULL);
      /* Half a second apart. */
      g_assert_cmpfloat_with_epsilon (t - previous_t, 0.5, 0.15);
      g_assert_cmpfloat (g_ascii_strtod (tps_text, NULL), >, 0);
      previous_t = t;
      n_lines++;
    }
  g_assert_cmpuint (n_lines, >=, 3);
  g_assert_cmpuint (n_lines, <=, 5);
}

/* No --dsn and no --sandbox: libpq's PG* environment names the server. */
static void
test_environment (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *path = sample_path ("plain.sql");
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GPtrArray) pg_env = g_ptr_array_new ();
  g_auto(LbTestCliResult) result = { 0 };
  PQconninfoOption *options = PQconninfoParse (conninfo, NULL);
  const char *names[][2] = {
    { "host", "PGHOST" }, { "port", "PGPORT" }, { "dbname", "PGDATABASE" }, { "user", "PGUSER" }
  };

  g_assert_nonnull (options);
  for (PQconninfoOption *option = options; option->keyword != NULL; option++)
    {
      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        {
          if (option->val != NULL && g_str_equal (option->keyword, names[i][0]))
            {
              g_ptr_array_add (pg_env, (char *) names[i][1]);
              g_ptr_array_add (pg_env, option->val);
            }
        }
    }
  g_ptr_array_add (pg_env, NULL);

  g_ptr_array_add (args, path);
  g_ptr_array_add (args, (char *) "--transactions");
  g_ptr_array_add (args, (char *) "5");
  g_ptr_array_add (args, (char *) "--no-save");
  run_cli_argv (fixture, &result, (const char **) pg_env->pdata, args);
  PQconninfoFree (options);

  assert_success (&result);
}

static guint
count_history_files (Fixture *fixture)
{
  g_autofree char *runs = g_build_filename (fixture->data_dir, "lakebase-accelerator", "runs",
                                            NULL);
  GDir *dir = g_dir_open (runs, 0, NULL);
  guint n = 0;

  if (dir == NULL)
    return 0;
  while (g_dir_read_name (dir) != NULL)
    n++;
  g_dir_close (dir);

  return n;
}

/* A run is added to the history (in XDG_DATA_HOME) unless --no-save. */
static void
test_history (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *path = sample_path ("plain.sql");

  {
    g_auto(LbTestCliResult) result = { 0 };

    run_bench (fixture, &result, path, "--dsn", conninfo, "--transactions", "5", "--no-save",
               NULL);
    assert_success (&result);
    g_assert_cmpuint (count_history_files (fixture), ==, 0);
  }
  {
    g_auto(LbTestCliResult) result = { 0 };

    run_bench (fixture, &result, path, "--dsn", conninfo, "--transactions", "5", NULL);
    assert_success (&result);
    g_assert_cmpuint (count_history_files (fixture), ==, 1);
  }
}

/* The record keeps the connection string without any secret libpq would
 * read: not the client key's passphrase, not a password whose keyword is
 * percent-encoded in a URI. Neither reaches the JSON nor the history. */
static void
test_secrets_not_saved (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *path = sample_path ("plain.sql");
  g_autofree char *with_ssl_secret = g_strdup_printf ("%s sslpassword=key-s3cret", conninfo);
  g_autofree char *runs = g_build_filename (fixture->data_dir, "lakebase-accelerator", "runs", NULL);
  g_auto(LbTestCliResult) result = { 0 };
  g_autoptr(GDir) dir = NULL;
  const char *name;

  run_bench (fixture, &result, path, "--dsn", with_ssl_secret, "--transactions", "5", "--json", "-", NULL);
  assert_success (&result);
  assert_contains (result.out, "\"conninfo\"");
  g_assert_null (strstr (result.out, "key-s3cret"));
  g_assert_null (strstr (result.err, "key-s3cret"));

  g_assert_cmpuint (count_history_files (fixture), ==, 1);
  dir = g_dir_open (runs, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (runs, name, NULL);
      g_autofree char *contents = NULL;

      g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
      g_assert_null (strstr (contents, "key-s3cret"));
      g_assert_null (strstr (contents, "sslpassword"));
    }
}

/* Runs "$LB_CLI bench @args…" with @input on its standard input (a pipe,
 * not a terminal) and @pg_env (name, value pairs) in its environment. */
static void
run_bench_with_input (Fixture          *fixture,
                      LbTestCliResult  *result,
                      const char      **pg_env,
                      const char       *input,
                      const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                                      G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                      G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_auto(GStrv) envp = dup_environment (fixture, pg_env);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (char *) g_getenv ("LB_CLI"));
  g_ptr_array_add (argv, (char *) "bench");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_environ (launcher, envp);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  lb_test_cli_result_clear (result);
  g_subprocess_communicate_utf8 (process, input, NULL, &result->out, &result->err, &error);
  g_assert_no_error (error);
  result->status = g_subprocess_get_exit_status (process);
}

static void
exec_ok (PGconn     *conn,
         const char *sql)
{
  PGresult *res = PQexec (conn, sql);

  if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQresultErrorMessage (res));
  PQclear (res);
}

static gboolean
connects (const char *target)
{
  PGconn *conn = PQconnectdb (target);
  gboolean ok = PQstatus (conn) == CONNECTION_OK;

  PQfinish (conn);
  return ok;
}

/* A role that must give a password (scram-sha-256 in pg_hba.conf, which
 * otherwise trusts everyone). The password never goes on the command line:
 * PGPASSWORD and --password-prompt reach libpq; one in --dsn works but is
 * warned about; none of them is saved. */
static void
test_password (Fixture       *fixture,
               gconstpointer  data)
{
  const char *password = "pw-s3cret";
  g_autofree char *script = write_file (fixture, "one.sql", "SELECT 1;\n");
  g_autofree char *role_dsn = g_strdup_printf ("%s user=lb_pw", conninfo);
  g_autofree char *dsn_with_password = g_strdup_printf ("%s password=%s", role_dsn, password);
  g_autofree char *runs = g_build_filename (fixture->data_dir, "lakebase-accelerator", "runs", NULL);
  g_autofree char *hba_file = NULL;
  g_autofree char *hba = NULL;
  g_autofree char *protected = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  PGconn *admin;
  PGresult *res;

  g_assert_false (g_str_has_prefix (conninfo, "postgres"));   /* key=value: a later user= wins */

  /* Workloads connect as a role that may not create roles: this is set-up. */
  admin = PQconnectdb (_lb_pg_sandbox_get_admin_conninfo (sandbox));
  g_assert_cmpint (PQstatus (admin), ==, CONNECTION_OK);
  exec_ok (admin, "DO $$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'lb_pw') THEN "
                  "DROP OWNED BY lb_pw; DROP ROLE lb_pw; END IF; END $$");
  exec_ok (admin, "SET password_encryption = 'scram-sha-256'");
  exec_ok (admin, "CREATE ROLE lb_pw LOGIN PASSWORD 'pw-s3cret'");
  exec_ok (admin, "DO $$ BEGIN EXECUTE format ('GRANT CONNECT ON DATABASE %I TO lb_pw', current_database ()); END $$");
  res = PQexec (admin, "SHOW hba_file");
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
  hba_file = g_strdup (PQgetvalue (res, 0, 0));
  PQclear (res);
  g_assert_true (g_file_get_contents (hba_file, &hba, NULL, NULL));
  protected = g_strconcat ("local all lb_pw scram-sha-256\n"
                           "host all lb_pw 127.0.0.1/32 scram-sha-256\n", hba, NULL);
  g_assert_true (g_file_set_contents (hba_file, protected, -1, NULL));
  exec_ok (admin, "SELECT pg_reload_conf()");
  for (guint i = 0; i < 100 && connects (role_dsn); i++)
    g_usleep (50 * 1000);
  g_assert_false (connects (role_dsn));

  {
    const char *args[] = { script, "--dsn", role_dsn, "--transactions", "3", NULL };
    g_auto(LbTestCliResult) result = { 0 };

    /* No password anywhere: refused, so the server really asks for one. */
    run_bench_with_input (fixture, &result, NULL, "", args);
    g_assert_cmpint (result.status, ==, 1);
  }
  {
    const char *args[] = { script, "--dsn", role_dsn, "--transactions", "3", NULL };
    const char *pg_env[] = { "PGPASSWORD", password, NULL };
    g_auto(LbTestCliResult) result = { 0 };

    run_bench_with_input (fixture, &result, pg_env, "", args);
    assert_success (&result);
    g_assert_null (strstr (result.err, "visible"));
  }
  {
    const char *args[] = { script, "--dsn", role_dsn, "--password-prompt", "--transactions", "3",
                           "--json", "-", NULL };
    g_auto(LbTestCliResult) result = { 0 };

    run_bench_with_input (fixture, &result, NULL, "pw-s3cret\n", args);
    assert_success (&result);
    g_assert_null (strstr (result.out, password));
    g_assert_null (strstr (result.err, password));
    g_assert_null (strstr (result.err, "visible"));
  }
  {
    const char *args[] = { script, "--dsn", role_dsn, "--password-prompt", "--transactions", "3", NULL };
    g_auto(LbTestCliResult) result = { 0 };

    /* A wrong answer at the prompt is libpq's refusal, not a success. */
    run_bench_with_input (fixture, &result, NULL, "wrong\n", args);
    g_assert_cmpint (result.status, ==, 1);
  }
  {
    const char *args[] = { script, "--dsn", dsn_with_password, "--transactions", "3", NULL };
    g_auto(LbTestCliResult) result = { 0 };

    run_bench_with_input (fixture, &result, NULL, "", args);
    assert_success (&result);
    assert_contains (result.err, "warning: the password in --dsn is visible to other users");
    g_assert_null (strstr (result.err, password));
  }

  g_assert_true (g_file_set_contents (hba_file, hba, -1, NULL));
  exec_ok (admin, "SELECT pg_reload_conf()");
  PQfinish (admin);

  g_assert_cmpuint (count_history_files (fixture), >=, 3);
  dir = g_dir_open (runs, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (runs, name, NULL);
      g_autofree char *contents = NULL;

      g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
      g_assert_null (strstr (contents, password));
    }
}

/* Ctrl+C stops the run within a second: exit 130, the partial results printed. */
static void
test_interrupt (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = sample_path ("customer_lookup.sql");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envp = dup_environment (fixture, NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gint64 signalled;
  gint64 elapsed;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_environ (launcher, envp);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("LB_CLI"), "bench", path,
                                         "--dsn", conninfo, "--duration", "30", "--no-save", NULL);
  g_assert_no_error (error);

  g_usleep (2 * G_USEC_PER_SEC);
  signalled = g_get_monotonic_time ();
  g_subprocess_send_signal (process, SIGINT);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  elapsed = g_get_monotonic_time () - signalled;

  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 130);
  g_assert_cmpint (elapsed, <, 2 * G_USEC_PER_SEC);
  assert_contains (out, "customer_by_key");
  assert_contains (err, "cancelled");
}

static void
test_bad_input (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *sample = sample_path ("plain.sql");
  g_autofree char *missing = g_build_filename (fixture->tmp_dir, "missing.sql", NULL);
  g_autofree char *unterminated = write_file (fixture, "unterminated.sql",
                                              "-- NAME: a\n"
                                              "SELECT 1;\n"
                                              "SELECT 'abc;\n");
  g_autofree char *undefined = write_file (fixture, "undefined.sql",
                                           "SELECT 1;\n"
                                           "SELECT * FROM t WHERE id = :nope;\n");
  struct
  {
    const char *args[6];
    const char *expected;
  } cases[] = {
    { { missing }, "missing.sql" },
    { { unterminated, "--dsn", conninfo }, "unterminated.sql:3:8:" },
    { { undefined, "--dsn", conninfo }, "undefined.sql:2:" },
    { { sample, "--protocol", "binary" }, "binary" },
    { { sample, "--clients", "0" }, "--clients" },
    { { sample, "--clients", "many" }, "--clients" },
    { { sample, "--dsn", conninfo, "--sandbox" }, "--sandbox" },
    { { sample, "--duration", "0" }, "--duration" },
    { { sample, "--duration", "2", "--transactions", "5" }, "--transactions" },
    { { sample, "--transactions", "-3" }, "--transactions" },
    { { sample, "--ladder", "4,2" }, "--ladder" },
    { { sample, "--ladder", "1,2", "--clients", "4" }, "--ladder" },
    { { sample, "--json", "-", "--csv", "-" }, "--csv" },
    { { sample, "--latency-limit", "5" }, "--rate" },
    { { sample, "--rate", "100", "-L", "-1" }, "--latency-limit" },
    { { sample, "--dsn", "host" }, "--dsn" },
    { { sample, "--frobnicate" }, "--frobnicate" },
    { { sample, sample }, "one script" },
    { { NULL }, "script" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) args = g_ptr_array_new ();
      g_auto(LbTestCliResult) result = { 0 };

      for (guint a = 0; cases[i].args[a] != NULL; a++)
        g_ptr_array_add (args, (char *) cases[i].args[a]);
      g_test_message ("case %u: %s", i, cases[i].expected);
      run_cli_argv (fixture, &result, NULL, args);
      lb_test_cli_assert_usage_error (&result, cases[i].expected);
    }

  /* The undefined variable is named. */
  {
    g_auto(LbTestCliResult) result = { 0 };

    run_bench (fixture, &result, undefined, "--dsn", conninfo, NULL);
    lb_test_cli_assert_usage_error (&result, "nope");
  }
}

/* No server behind the DSN: the run cannot start, exit 1. */
static void
test_no_server (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = sample_path ("plain.sql");
  g_autofree char *dsn = g_strdup_printf ("host=%s port=5999 dbname=nothing connect_timeout=5",
                                          fixture->tmp_dir);
  g_auto(LbTestCliResult) result = { 0 };

  run_bench (fixture, &result, path, "--dsn", dsn, "--duration", "1", NULL);
  g_assert_cmpint (result.status, ==, 1);
  g_assert_true (g_str_has_prefix (result.err, "lakebase-cli: "));
  g_assert_cmpuint (count_history_files (fixture), ==, 0);
}

/* --export-pgbench: one file per transaction with its weight, which pgbench
 * itself accepts and runs. */
static void
test_export_pgbench (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *path = sample_path ("customer_lookup.sql");
  g_autofree char *dir = g_build_filename (fixture->tmp_dir, "exported", NULL);
  g_autoptr(LbSqlScript) script = load_script (path);
  g_autoptr(GPtrArray) pgbench_argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *pgbench = g_find_program_in_path ("pgbench");
  g_auto(GStrv) args = NULL;
  g_auto(LbTestCliResult) result = { 0 };
  guint n_files = 0;

  run_bench (fixture, &result, path, "--export-pgbench", dir, NULL);
  assert_success (&result);

  args = g_strsplit (g_strstrip (result.out), " ", -1);
  for (guint i = 0; args[i] != NULL; i += 2)
    {
      const LbSqlTransaction *transaction = lb_sql_script_get_transaction (script, n_files);
      g_autofree char *expected = g_strdup_printf ("@%u", transaction->weight);
      g_autofree char *file = NULL;

      g_assert_cmpstr (args[i], ==, "-f");
      g_assert_nonnull (args[i + 1]);
      g_assert_true (g_str_has_suffix (args[i + 1], expected));
      file = g_strndup (args[i + 1], strlen (args[i + 1]) - strlen (expected));
      g_assert_true (g_str_has_prefix (file, dir));
      g_assert_true (g_file_test (file, G_FILE_TEST_IS_REGULAR));
      n_files++;
    }
  g_assert_cmpuint (n_files, ==, lb_sql_script_get_n_transactions (script));

  if (pgbench == NULL)
    {
      g_test_message ("pgbench not installed: the files are not run");
      return;
    }

  g_ptr_array_add (pgbench_argv, g_strdup (pgbench));
  g_ptr_array_add (pgbench_argv, g_strdup ("-n"));
  g_ptr_array_add (pgbench_argv, g_strdup ("-t"));
  g_ptr_array_add (pgbench_argv, g_strdup ("20"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (pgbench_argv, g_strdup (args[i]));
  g_ptr_array_add (pgbench_argv, g_strdup (conninfo));
  g_ptr_array_add (pgbench_argv, NULL);
  {
    g_auto(LbTestCliResult) run = { 0 };

    lb_test_run_argv (&run, NULL, NULL, G_SPAWN_DEFAULT, (const char * const *) pgbench_argv->pdata);
    if (run.status != 0)
      g_error ("pgbench refused the exported files:\n%s", run.err);
    assert_contains (run.out, "number of transactions actually processed: 20");
  }
}

static void
test_help (Fixture       *fixture,
           gconstpointer  data)
{
  g_auto(LbTestCliResult) result = { 0 };
  const char *options[] = {
    "--dsn", "--sandbox", "--clients", "--threads", "--duration", "--transactions", "--warmup",
    "--protocol", "--pipeline", "--ladder", "--rate", "--latency-limit", "--progress", "--json",
    "--csv", "--seed",
    "--no-save", "--export-pgbench", "--password-prompt",
  };

  run_bench (fixture, &result, "--help", NULL);
  g_assert_cmpint (result.status, ==, 0);
  assert_contains (result.out, "lakebase-cli bench");
  assert_contains (result.out, "some client never connected");
  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    assert_contains (result.out, options[i]);
  /* Where a password should not go, and where it can. */
  assert_contains (result.out, "visible to other users");
  assert_contains (result.out, "PGPASSWORD");
}

/* `lakebase-cli sandbox reset`: a new cluster with the sample data. */
static void
test_sandbox_reset (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *parent = g_dir_make_tmp ("lb-cli-sandbox-XXXXXX", NULL);
  g_autofree char *dir = g_build_filename (parent, "sandbox", NULL);
  g_auto(GStrv) envp = dup_environment (fixture, NULL);
  g_auto(LbTestCliResult) result = { 0 };
  g_auto(LbTestCliResult) usage = { 0 };
  const char *args[] = { "sandbox", "reset", "--dir", dir, NULL };
  const char *no_action[] = { "sandbox", NULL };
  g_autoptr(GFile) directory = g_file_new_for_path (dir);
  g_autoptr(LbPgSandbox) check = NULL;
  g_autoptr(GError) error = NULL;
  PGconn *conn;
  PGresult *res;

  /* As root the server runs as "postgres", which must reach the directory. */
  g_chmod (parent, 0755);

  lb_test_run_cli (&usage, envp, G_SPAWN_DEFAULT, no_action);
  g_assert_cmpint (usage.status, ==, 2);

  lb_test_run_cli (&result, envp, G_SPAWN_DEFAULT, args);
  if (result.status != 0)
    g_error ("sandbox reset exited with %d:\n%s", result.status, result.err);
  g_assert_nonnull (strstr (result.out, dir));

  /* Stopped again on exit, with the sample data in place for the next start. */
  check = lb_pg_sandbox_new (directory, TRUE);
  g_assert_true (lb_pg_sandbox_start (check, NULL, &error));
  g_assert_no_error (error);
  conn = PQconnectdb (lb_pg_sandbox_get_conninfo (check));
  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  res = PQexec (conn, "SELECT count(*) FROM customer");
  g_assert_cmpstr (PQgetvalue (res, 0, 0), ==, "100000");
  PQclear (res);
  PQfinish (conn);
  g_assert_true (lb_pg_sandbox_stop (check, &error));
  g_clear_object (&check);
  lb_test_remove_tree (parent);
}

/* A server of its own that takes 5 connections, for 20 clients: the summary
 * and the JSON say how many connected, the exit status is 1, and what was
 * measured is still printed and saved. */
static void
test_fewer_connections (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(LbPgSandbox) small = lb_pg_sandbox_new_for_tests (FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_file (fixture, "one.sql", "SELECT 1;\n");
  g_autofree char *json_path = g_build_filename (fixture->tmp_dir, "run.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(LbTestCliResult) result = { 0 };
  g_autofree char *asked_line = NULL;
  PGconn *conn;
  JsonObject *root;
  gint64 connected;

  g_assert_true (lb_pg_sandbox_start (small, NULL, &error));
  g_assert_no_error (error);
  /* Server settings need the sandbox's superuser, not the workloads' role. */
  conn = PQconnectdb (_lb_pg_sandbox_get_admin_conninfo (small));
  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  /* no reserved slots: what the server allows is exactly 5 */
  PQclear (PQexec (conn, "ALTER SYSTEM SET superuser_reserved_connections = 0"));
  PQclear (PQexec (conn, "ALTER SYSTEM SET max_connections = 5"));
  PQfinish (conn);
  g_assert_true (lb_pg_sandbox_restart (small, &error));
  g_assert_no_error (error);

  run_bench (fixture, &result, path, "--dsn", lb_pg_sandbox_get_conninfo (small),
             "--clients", "20", "--threads", "2", "--duration", "1.5", "--json", json_path, NULL);
  g_assert_cmpint (result.status, ==, 1);

  root = load_json (parser, json_path, TRUE);
  connected = get_integer (root, "clients_connected_max");
  g_assert_cmpint (get_integer (root, "clients_asked"), ==, 20);
  g_assert_cmpint (connected, >=, 1);
  g_assert_cmpint (connected, <=, 5);
  g_assert_cmpint (get_integer (root, "clients_never_connected"), ==, 20 - connected);
  g_assert_cmpint (get_integer (root, "connection_failures"), >=, 20 - connected);
  g_assert_cmpfloat (get_number (root, "seconds_without_connection"), ==, 0);
  g_assert_cmpint (get_integer (root, "transactions"), >, 0);
  /* the start and the end, as bench/engine-vs-pgbench reads them */
  g_assert_cmpfloat (get_number (root, "connections_open_time"), >, 0);
  g_assert_cmpfloat (get_number (root, "connections_open_time"), <=, get_number (root, "connection_time"));
  g_assert_cmpfloat (get_number (root, "teardown_time"), >, 0);

  asked_line = g_strdup_printf ("number of clients: 20 asked, %" G_GINT64_FORMAT " connected\n", connected);
  assert_contains (result.out, asked_line);
  assert_contains (result.out, "connection failures: ");
  assert_contains (result.out, "WARNING: ");
  assert_contains (result.err, "lakebase-cli: only ");
  /* what was measured is kept in the history all the same */
  g_assert_cmpuint (count_history_files (fixture), ==, 1);

  g_assert_true (lb_pg_sandbox_stop (small, &error));
}

#define add_test(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

/* --dialect: the same file as one pgbench transaction or as a query mix,
 * and multi-statement DDL (pgbench's concurrent OID test) detected as a script. */
static void
test_dialect (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *two = write_file (fixture, "two.sql", "SELECT 1;\nSELECT 2;\n");
  g_autofree char *ddl = write_file (fixture, "ddl.sql",
                                     "CREATE TYPE pg_temp.e AS ENUM ('a', 'b'); DROP TYPE pg_temp.e;\n");
  static const struct
  {
    const char *dialect;   /* NULL: detected */
    gint64      per_query; /* executions of each query over 6 transactions */
  } cases[] = { { "pgbench", 6 }, { "mix", 3 }, { NULL, 3 } };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(LbTestCliResult) result = { 0 };
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *root;
      JsonArray *queries;
      gint64 total = 0;

      if (cases[i].dialect != NULL)
        run_bench (fixture, &result, two, "--dsn", conninfo, "-t", "6", "--seed", "7", "--no-save",
                   "--json", "-", "--dialect", cases[i].dialect, NULL);
      else
        run_bench (fixture, &result, two, "--dsn", conninfo, "-t", "6", "--seed", "7", "--no-save",
                   "--json", "-", NULL);
      assert_success (&result);
      root = load_json (parser, result.out, FALSE);
      g_assert_cmpint (get_integer (root, "transactions"), ==, 6);
      /* Chosen over detection (a query mix): kept with the record. */
      if (g_strcmp0 (cases[i].dialect, "pgbench") == 0)
        g_assert_cmpstr (json_object_get_string_member (get_object (root, "script"), "dialect"), ==, "pgbench");
      else
        g_assert_false (json_object_has_member (get_object (root, "script"), "dialect"));
      queries = get_array (root, "queries");
      g_assert_cmpuint (json_array_get_length (queries), ==, 2);
      for (guint q = 0; q < 2; q++)
        total += get_integer (json_array_get_object_element (queries, q), "executions");
      if (cases[i].per_query == 6)
        {
          g_assert_cmpint (get_integer (json_array_get_object_element (queries, 0), "executions"), ==, 6);
          g_assert_cmpint (get_integer (json_array_get_object_element (queries, 1), "executions"), ==, 6);
        }
      else
        g_assert_cmpint (total, ==, 6);
    }

  {
    g_auto(LbTestCliResult) result = { 0 };

    run_bench (fixture, &result, ddl, "--dsn", conninfo, "-c", "2", "-t", "20", "--no-save", NULL);
    assert_success (&result);
    assert_contains (result.out, "actually processed: 20");
  }
  {
    g_auto(LbTestCliResult) result = { 0 };

    run_bench (fixture, &result, two, "--dialect", "yaml", NULL);
    g_assert_cmpint (result.status, ==, 2);
    assert_contains (result.err, "unknown dialect “yaml”: use pgbench, mix or webtool");
  }
  {
    g_auto(LbTestCliResult) result = { 0 };
    g_autofree char *meta = write_file (fixture, "meta.sql", "\\set a 1\nSELECT :a;\n");

    run_bench (fixture, &result, meta, "--dsn", conninfo, "--dialect", "mix", NULL);
    g_assert_cmpint (result.status, ==, 2);
    assert_contains (result.err, "meta.sql:1:1: a meta-command");
  }
}

/* The server's section: printed after the run, and in --json as the raw
 * snapshots plus "server_summary" (deltas, statements, findings, bands). */
static void
test_server_section (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *path = write_file (fixture, "lookup.sql",
                                      "-- name: lookup\n-- PARAM id = random(1, 1000)\n"
                                      "SELECT c_first_name FROM customer WHERE c_customer_sk = :id;\n");
  g_auto(LbTestCliResult) result = { 0 };
  g_auto(LbTestCliResult) text = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root, *summary, *bands, *server;
  JsonArray *statements;

  run_bench (fixture, &result, path, "--dsn", conninfo, "--duration", "1", "--clients", "2",
             "--no-save", "--cu", "2", "--server-interval", "0.3", "--json", "-", NULL);
  assert_success (&result);
  root = load_json (parser, result.out, FALSE);
  server = get_object (root, "server");
  g_assert_cmpuint (json_array_get_length (get_array (server, "snapshots")), >=, 3);
  summary = get_object (root, "server_summary");
  g_assert_cmpint (get_integer (summary, "commits"), >=, get_integer (root, "transactions"));
  g_assert_cmpint (get_integer (summary, "idx_scans"), >=, get_integer (root, "transactions"));
  statements = get_array (summary, "statements");
  if (json_array_get_length (statements) == 0)
    g_error ("no statements in the server summary:\n%s", result.out);
  assert_contains (json_object_get_string_member (json_array_get_object_element (statements, 0), "query"),
                   "FROM customer WHERE c_customer_sk = $1");
  bands = get_object (summary, "bands");
  g_assert_cmpfloat (get_number (bands, "cu"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (bands, "cu_source"), ==, "settings");
  g_assert_cmpfloat (get_number (bands, "expected_qps"), ==, 20000);
  g_assert_cmpfloat (get_number (bands, "run_cost"), >, 0);
  /* The summary (on stderr with --json -) has the section too. */
  assert_contains (result.err, "Server (");
  assert_contains (result.err, "Reference (Lakebase figures):");

  run_bench (fixture, &text, path, "--dsn", conninfo, "--transactions", "20", "--no-save", NULL);
  assert_success (&text);
  assert_contains (text.out, "Server (2 snapshots):");
  assert_contains (text.out, "commits ");
  assert_contains (text.out, "top statements (pg_stat_statements, by total time):");
  assert_contains (text.out, "No CU size to compare with");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  add_test ("/cli-bench/help", test_help);
  add_test ("/cli-bench/bad-input", test_bad_input);
  add_test ("/cli-bench/no-server", test_no_server);
  add_test ("/cli-bench/samples", test_samples);
  add_test ("/cli-bench/webtool-docs-example", test_webtool_docs_example);
  add_test ("/cli-bench/json", test_json);
  add_test ("/cli-bench/query-errors", test_query_errors);
  add_test ("/cli-bench/transactions", test_transactions);
  add_test ("/cli-bench/web-tool-default-count", test_web_tool_default_count);
  add_test ("/cli-bench/ladder", test_ladder);
  add_test ("/cli-bench/progress", test_progress);
  add_test ("/cli-bench/environment", test_environment);
  add_test ("/cli-bench/history", test_history);
  add_test ("/cli-bench/secrets-not-saved", test_secrets_not_saved);
  add_test ("/cli-bench/password", test_password);
  add_test ("/cli-bench/interrupt", test_interrupt);
  add_test ("/cli-bench/export-pgbench", test_export_pgbench);
  add_test ("/cli-bench/dialect", test_dialect);
  add_test ("/cli-bench/sandbox-reset", test_sandbox_reset);
  add_test ("/cli-bench/fewer-connections", test_fewer_connections);
  add_test ("/cli-bench/server-section", test_server_section);

  sandbox = lb_pg_sandbox_new_for_tests (TRUE);
  if (!lb_pg_sandbox_start (sandbox, NULL, &error))
    g_error ("the test sandbox did not start: %s", error->message);
  conninfo = lb_pg_sandbox_get_conninfo (sandbox);

  status = g_test_run ();

  if (!lb_pg_sandbox_stop (sandbox, &error))
    g_warning ("the test sandbox did not stop: %s", error->message);
  g_clear_object (&sandbox);

  return status;
}
