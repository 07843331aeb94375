/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "lb-sql-script.h"
#include "lb-test-utils.h"

static LbSqlScript *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  LbSqlScript *script = lb_sql_script_new_from_data (text, -1, "t.sql", &error);

  g_assert_no_error (error);
  g_assert_nonnull (script);
  return script;
}

/* Checks the error code and that the message starts with "t.sql:LINE:COL: ". */
static void
assert_bad (const char *text,
            gssize      length,
            int         code,
            guint       line,
            guint       column,
            const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbSqlScript) script = lb_sql_script_new_from_data (text, length, "t.sql", &error);
  g_autofree char *prefix = g_strdup_printf ("t.sql:%u:%u: ", line, column);

  g_assert_null (script);
  g_assert_error (error, LB_SQL_SCRIPT_ERROR, code);
  if (!g_str_has_prefix (error->message, prefix) || strstr (error->message, fragment) == NULL)
    g_error ("“%s”: expected “%s…%s…”", error->message, prefix, fragment);
}

static LbSqlScript *
load_sample (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_getenv ("LB_SAMPLES_DIR"), name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  LbSqlScript *script = lb_sql_script_new_from_file (file, &error);

  g_assert_no_error (error);
  return script;
}

static void
test_builder (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbSqlScript) script = lb_sql_script_new (LB_SQL_DIALECT_QUERY_MIX, "built.sql");
  LbSqlTransaction *a, *b;
  const LbSqlQuery *q;
  guint key = lb_sql_script_add_variable (script, "key");
  guint counts[2] = { 0 };

  g_assert_cmpuint (lb_sql_script_add_variable (script, "key"), ==, key);
  g_assert_cmpuint (lb_sql_script_add_variable (script, "other"), ==, key + 1);
  a = lb_sql_script_add_transaction (script, "a", 3);
  b = lb_sql_script_add_transaction (script, "b", 1);
  lb_sql_script_add_set_step (script, a, key, lb_expr_parse ("random(1, 5)", NULL, NULL, NULL));
  q = lb_sql_script_add_query_step (script, a, "qa",
                                    "SELECT :key::int, ':key', :other + :key", 4, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (q->sql_numbered, ==, "SELECT $1::int, ':key', $2 + $3");
  g_assert_cmpuint (q->n_params, ==, 3);
  g_assert_cmpuint (q->param_vars[0], ==, key);
  g_assert_cmpuint (q->param_vars[1], ==, key + 1);
  g_assert_cmpuint (q->param_vars[2], ==, key);
  g_assert_cmpstr (q->fragments[0], ==, "SELECT ");
  g_assert_cmpstr (q->fragments[1], ==, "::int, ':key', ");
  g_assert_cmpstr (q->fragments[2], ==, " + ");
  g_assert_cmpstr (q->fragments[3], ==, "");
  g_assert_null (q->fragments[4]);
  g_assert_cmpuint (q->line, ==, 4);
  g_assert_cmpuint (a->n_steps, ==, 2);
  g_assert_cmpint (a->steps[1].kind, ==, LB_STEP_QUERY);
  g_assert_true (a->steps[1].query == q);

  g_assert_null (lb_sql_script_add_query_step (script, b, NULL, "SELECT 1,\n  :missing", 10, &error));
  g_assert_error (error, LB_SQL_SCRIPT_ERROR, LB_SQL_SCRIPT_ERROR_UNDEFINED_VARIABLE);
  g_assert_true (g_str_has_prefix (error->message, "built.sql:11:3: "));
  g_clear_error (&error);
  q = lb_sql_script_add_query_step (script, b, NULL, "SELECT 2", 12, &error);
  g_assert_cmpstr (q->name, ==, "query_2");
  g_assert_cmpuint (q->index, ==, 1);

  g_assert_cmpuint (lb_sql_script_get_n_queries (script), ==, 2);
  g_assert_cmpuint (lb_sql_script_get_total_weight (script), ==, 4);
  for (guint draw = 0; draw < 4; draw++)
    counts[lb_sql_script_pick_transaction (script, draw)]++;
  g_assert_cmpuint (counts[0], ==, 3);
  g_assert_cmpuint (counts[1], ==, 1);
  g_assert_cmpuint (lb_sql_script_pick_transaction (script, 2), ==, 0);
  g_assert_cmpuint (lb_sql_script_pick_transaction (script, 3), ==, 1);
  g_assert_cmpuint (lb_sql_script_get_default_count (script), ==, 0);
  g_assert_finalize_object (g_steal_pointer (&script));
}

static void
test_sample_customer_lookup (void)
{
  g_autoptr(LbSqlScript) script = load_sample ("customer_lookup.sql");
  const LbSqlTransaction *t;
  const LbSqlQuery *q;

  g_assert_cmpint (lb_sql_script_get_dialect (script), ==, LB_SQL_DIALECT_QUERY_MIX);
  g_assert_cmpstr (lb_sql_script_get_display_name (script), ==, "customer_lookup.sql");
  g_assert_cmpuint (lb_sql_script_get_n_transactions (script), ==, 3);
  g_assert_cmpuint (lb_sql_script_get_total_weight (script), ==, 11);

  t = lb_sql_script_get_transaction (script, 0);
  g_assert_cmpstr (t->name, ==, "customer_by_key");
  g_assert_cmpuint (t->weight, ==, 8);
  g_assert_cmpuint (t->n_steps, ==, 2);
  g_assert_cmpint (t->steps[0].kind, ==, LB_STEP_SET);
  g_assert_cmpstr (lb_sql_script_get_variable_name (script, t->steps[0].var), ==, "key");
  q = t->steps[1].query;
  g_assert_cmpstr (q->name, ==, "customer_by_key");
  g_assert_cmpuint (q->line, ==, 6);
  g_assert_cmpuint (q->n_params, ==, 1);
  g_assert_true (g_str_has_suffix (q->sql_numbered, "WHERE c_customer_sk = $1"));
  g_assert_true (g_str_has_suffix (q->sql, "WHERE c_customer_sk = :key"));

  t = lb_sql_script_get_transaction (script, 2);
  g_assert_cmpstr (t->name, ==, "birth_year_band");
  g_assert_cmpuint (t->weight, ==, 1);
  q = t->steps[1].query;
  g_assert_cmpstr (q->sql_numbered, ==, "SELECT count(*) FROM customer WHERE c_birth_year = $1::int");
  g_assert_cmpuint (q->index, ==, 2);

  /* values(1950, 1975, 1990) evaluates to one of them. */
  {
    LbValue vars[8] = { 0 };
    LbRandom rng;
    LbExprContext ctx = { vars, &rng, 0, 1, 0 };
    LbValue v;

    lb_random_seed (&rng, 1);
    g_assert_true (lb_expr_eval (t->steps[0].expr, &ctx, &v, NULL));
    g_assert_cmpint (v.type, ==, LB_VALUE_INT);
    g_assert_true (v.u.integer == 1950 || v.u.integer == 1975 || v.u.integer == 1990);
  }
}

static void
test_sample_pgbench (void)
{
  g_autoptr(LbSqlScript) script = load_sample ("pgbench_style.sql");
  const LbSqlTransaction *t;

  g_assert_cmpint (lb_sql_script_get_dialect (script), ==, LB_SQL_DIALECT_PGBENCH);
  g_assert_cmpuint (lb_sql_script_get_n_transactions (script), ==, 1);
  t = lb_sql_script_get_transaction (script, 0);
  g_assert_cmpstr (t->name, ==, "pgbench_style.sql");
  g_assert_cmpuint (t->n_steps, ==, 6);
  g_assert_cmpint (t->steps[0].kind, ==, LB_STEP_SET);
  g_assert_cmpint (t->steps[1].kind, ==, LB_STEP_SET);
  g_assert_cmpuint (lb_sql_script_get_n_queries (script), ==, 4);
  g_assert_cmpstr (lb_sql_script_get_query (script, 0)->name, ==, "pgbench_style.sql:3");
  g_assert_cmpstr (lb_sql_script_get_query (script, 0)->sql, ==, "BEGIN");
  g_assert_cmpstr (lb_sql_script_get_query (script, 2)->sql_numbered, ==,
                   "UPDATE customer SET c_last_review_qty = $1 WHERE c_customer_sk = $2");
  g_assert_cmpstr (lb_sql_script_get_query (script, 3)->name, ==, "pgbench_style.sql:6");
}

static void
test_sample_plain (void)
{
  g_autoptr(LbSqlScript) script = load_sample ("plain.sql");

  g_assert_cmpint (lb_sql_script_get_dialect (script), ==, LB_SQL_DIALECT_QUERY_MIX);
  g_assert_cmpuint (lb_sql_script_get_n_transactions (script), ==, 2);
  g_assert_cmpstr (lb_sql_script_get_query (script, 0)->name, ==, "query_1");
  g_assert_cmpstr (lb_sql_script_get_query (script, 1)->name, ==, "query_2");
  g_assert_cmpuint (lb_sql_script_get_transaction (script, 1)->weight, ==, 1);
  g_assert_cmpuint (lb_sql_script_get_query (script, 1)->line, ==, 2);
}

static void
test_sample_webtool (void)
{
  g_autoptr(LbSqlScript) script = load_sample ("webtool_format.sql");
  const LbSqlTransaction *t;
  const LbValue *row;
  guint n_columns = 0;

  g_assert_cmpint (lb_sql_script_get_dialect (script), ==, LB_SQL_DIALECT_WEB_TOOL);
  g_assert_cmpuint (lb_sql_script_get_n_tuples (script), ==, 4);
  g_assert_cmpuint (lb_sql_script_get_default_count (script), ==, 200);
  row = lb_sql_script_get_tuple (script, 2, &n_columns);
  g_assert_cmpuint (n_columns, ==, 2);
  g_assert_cmpint (row[0].type, ==, LB_VALUE_INT);
  g_assert_cmpint (row[0].u.integer, ==, 99001);
  g_assert_cmpint (row[1].u.integer, ==, 20);
  t = lb_sql_script_get_transaction (script, 0);
  g_assert_cmpuint (t->n_steps, ==, 2);
  g_assert_cmpint (t->steps[0].kind, ==, LB_STEP_PARAM_SET);
  g_assert_cmpuint (t->steps[0].n_tuple_vars, ==, 2);
  g_assert_cmpint (t->steps[1].kind, ==, LB_STEP_QUERY);
  g_assert_cmpuint (t->steps[1].query->param_vars[0], ==, t->steps[0].tuple_vars[0]);
  g_assert_cmpuint (t->steps[1].query->param_vars[1], ==, t->steps[0].tuple_vars[1]);
  g_assert_true (g_str_has_suffix (t->steps[1].query->sql_numbered, "ss_customer_sk = $1\n LIMIT $2"));
}

static void
test_webtool_values (void)
{
  g_autoptr(LbSqlScript) script = parse_ok (
    "-- parameters: [[\"A\", 1.5, true, null], [\"B\", 2, false, \"x\"]]\n"
    "SELECT %s, %s, %s, %s, 'a%%b', 100 %% 7;\n");
  const LbValue *row;
  guint n = 0;

  g_assert_cmpuint (lb_sql_script_get_default_count (script), ==, 2 * 5);
  row = lb_sql_script_get_tuple (script, 0, &n);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpint (row[0].type, ==, LB_VALUE_STRING);
  g_assert_cmpstr (row[0].u.string, ==, "A");
  g_assert_cmpint (row[1].type, ==, LB_VALUE_DOUBLE);
  g_assert_cmpint (row[2].type, ==, LB_VALUE_BOOLEAN);
  g_assert_cmpint (row[3].type, ==, LB_VALUE_NULL);
  g_assert_cmpstr (lb_sql_script_get_query (script, 0)->sql_numbered, ==,
                   "SELECT $1, $2, $3, $4, 'a%b', 100 % 7");
}

static void
test_splitting (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "sql", "tricky.sql", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(LbSqlScript) script = lb_sql_script_new_from_file (file, &error);
  const LbSqlQuery *q;

  g_assert_no_error (error);
  g_assert_cmpuint (lb_sql_script_get_n_queries (script), ==, 1);
  q = lb_sql_script_get_query (script, 0);
  g_assert_cmpuint (q->n_params, ==, 1);
  g_assert_true (g_str_has_prefix (q->sql_numbered, "SELECT $1::int, ':id not a param', $$ ; :x $$"));
  g_assert_true (g_str_has_suffix (q->sql_numbered, "E'it\\'s ; :z'"));
  g_assert_cmpuint (lb_sql_script_get_transaction (script, 0)->weight, ==, 3);

  {
    g_autoptr(LbSqlScript) s = parse_ok (
      "SELECT 'a;b', $tag$ x; $$ ; $tag$, \"x;\"\"y\";\n"
      "-- comment ; with semicolon\n"
      "/* block ; /* nested ; */ still ; */\n"
      "SELECT 2 -- trailing\n;\n"
      "SELECT a$b, $1;;\n"
      "select 'it''s'");
    g_assert_cmpuint (lb_sql_script_get_n_queries (s), ==, 4);
    g_assert_cmpstr (lb_sql_script_get_query (s, 0)->sql, ==, "SELECT 'a;b', $tag$ x; $$ ; $tag$, \"x;\"\"y\"");
    g_assert_cmpuint (lb_sql_script_get_query (s, 1)->line, ==, 4);
    g_assert_cmpstr (lb_sql_script_get_query (s, 2)->sql, ==, "SELECT a$b, $1");
    g_assert_cmpstr (lb_sql_script_get_query (s, 3)->sql, ==, "select 'it''s'");
    g_assert_cmpuint (lb_sql_script_get_query (s, 3)->line, ==, 7);
  }

  /* Directives are case-insensitive and may have comments and blank lines
   * between them and their statement. */
  {
    g_autoptr(LbSqlScript) s = parse_ok (
      "-- name: first\n-- Weight: 5\n\n-- just prose\n-- param A = 2 * 3\n-- PARAM b = :A + 1\n"
      "SELECT :A, :b;\n");
    const LbSqlTransaction *t = lb_sql_script_get_transaction (s, 0);

    g_assert_cmpstr (t->name, ==, "first");
    g_assert_cmpuint (t->weight, ==, 5);
    g_assert_cmpuint (t->n_steps, ==, 3);
    g_assert_cmpuint (lb_sql_script_get_query (s, 0)->line, ==, 7);
  }

  /* Automatic variables in SQL are set first from the client context. */
  {
    g_autoptr(LbSqlScript) s = parse_ok ("\\set x :client_id + 1\nSELECT :x, :client_id;\n");
    const LbSqlTransaction *t = lb_sql_script_get_transaction (s, 0);

    g_assert_cmpuint (t->n_steps, ==, 3);
    g_assert_cmpint (t->steps[0].kind, ==, LB_STEP_SET);
    g_assert_cmpstr (lb_sql_script_get_variable_name (s, t->steps[0].var), ==, "client_id");
    g_assert_true (lb_expr_is_automatic (t->steps[0].expr, "client_id"));
  }

  /* \sleep with units and a multi-line SQL command. */
  {
    g_autoptr(LbSqlScript) s = parse_ok ("\\set n random(1, 3)\n\\sleep :n ms\n\\sleep 2\n\\sleep 10 us\n"
                                         "SELECT\n  1;\n");
    const LbSqlTransaction *t = lb_sql_script_get_transaction (s, 0);

    g_assert_cmpuint (t->n_steps, ==, 5);
    g_assert_cmpint (t->steps[1].kind, ==, LB_STEP_SLEEP);
    g_assert_cmpint (t->steps[1].unit_usec, ==, 1000);
    g_assert_cmpint (t->steps[2].unit_usec, ==, 1000000);
    g_assert_cmpint (t->steps[3].unit_usec, ==, 1);
    g_assert_cmpstr (lb_sql_script_get_query (s, 0)->sql, ==, "SELECT\n  1");
  }
}

static void
test_bad_input (void)
{
  static const char binary[] = "SELECT 1;\nSELECT \0 2;";

  assert_bad ("SELECT 1;\nSELECT 'abc;\nSELECT 3;", -1, LB_SQL_SCRIPT_ERROR_UNTERMINATED, 2, 8, "quoted string");
  assert_bad ("SELECT $x$ abc", -1, LB_SQL_SCRIPT_ERROR_UNTERMINATED, 1, 8, "dollar");
  assert_bad ("SELECT 1; /* a /* b */", -1, LB_SQL_SCRIPT_ERROR_UNTERMINATED, 1, 11, "comment");
  assert_bad ("SELECT \"abc", -1, LB_SQL_SCRIPT_ERROR_UNTERMINATED, 1, 8, "identifier");
  assert_bad ("SELECT E'it\\'s", -1, LB_SQL_SCRIPT_ERROR_UNTERMINATED, 1, 9, "string");
  assert_bad ("\\set a 1\n\\nosuch\nSELECT :a;", -1, LB_SQL_SCRIPT_ERROR_UNKNOWN_COMMAND, 2, 1, "\\nosuch");
  assert_bad ("\\set a 1\n\\shell ls\n", -1, LB_SQL_SCRIPT_ERROR_UNKNOWN_COMMAND, 2, 1, "shell");
  assert_bad ("\\set a 1\nSELECT :a,\n   :b;", -1, LB_SQL_SCRIPT_ERROR_UNDEFINED_VARIABLE, 3, 4, ":b");
  assert_bad ("\\set a :zz + 1\nSELECT 1;", -1, LB_SQL_SCRIPT_ERROR_UNDEFINED_VARIABLE, 1, 8, "zz");
  assert_bad ("\\set a 1 +\nSELECT 1;", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 1, 11, "expected");
  assert_bad ("\\set a 1\nSELECT 1\n\\set b 2\n", -1, LB_SQL_SCRIPT_ERROR_UNTERMINATED, 3, 1, "“;”");
  assert_bad ("-- PARAM x = random(1, 10)\nSELECT :y;", -1, LB_SQL_SCRIPT_ERROR_UNDEFINED_VARIABLE, 2, 8, ":y");
  assert_bad ("SELECT 1;\n-- PARAM x = random(1, 10)\nSELECT :x;\nSELECT :x;", -1,
              LB_SQL_SCRIPT_ERROR_UNDEFINED_VARIABLE, 4, 8, ":x");
  assert_bad ("-- PARAM x = random(1,\nSELECT 1;", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 1, 23, "expected");
  assert_bad ("-- PARAM x = nosuch(1)\nSELECT 1;", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 1, 14, "nosuch");
  assert_bad ("-- PARAM x = :q + 1\n-- PARAM q = 1\nSELECT :x;", -1, LB_SQL_SCRIPT_ERROR_UNDEFINED_VARIABLE,
              1, 14, "q");
  assert_bad ("-- PARAM x = 1\n-- PARAM x = 2\nSELECT :x;", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 2, 10, "twice");
  assert_bad ("-- WEIGHT: 0\nSELECT 1;", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 1, 12, "WEIGHT");
  assert_bad ("-- WEIGHT: two\nSELECT 1;", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 1, 12, "WEIGHT");
  assert_bad ("-- NAME: a\nSELECT 1;\n-- NAME: a\nSELECT 2;", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 3, 10, "already");
  assert_bad ("SELECT 1;\n-- NAME: orphan\n", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 2, 1, "directive");
  assert_bad ("-- PARAMETERS: [[1, 2], [3]]\nSELECT %s, %s;", -1, LB_SQL_SCRIPT_ERROR_PARAMETER_MISMATCH, 1, 16,
              "tuple 2");
  assert_bad ("-- PARAMETERS: [[1, 2]]\nSELECT %s;", -1, LB_SQL_SCRIPT_ERROR_PARAMETER_MISMATCH, 1, 16, "tuple 1");
  assert_bad ("-- PARAMETERS: [[1, 2]\nSELECT %s, %s;", -1, LB_SQL_SCRIPT_ERROR_BAD_JSON, 1, 16, "JSON");
  assert_bad ("-- PARAMETERS: {\"a\": 1}\nSELECT %s;", -1, LB_SQL_SCRIPT_ERROR_BAD_JSON, 1, 16, "array of arrays");
  assert_bad ("-- PARAMETERS: [1, 2]\nSELECT %s;", -1, LB_SQL_SCRIPT_ERROR_BAD_JSON, 1, 16, "tuple 1");
  assert_bad ("-- PARAMETERS: [[[1]]]\nSELECT %s;", -1, LB_SQL_SCRIPT_ERROR_BAD_JSON, 1, 16, "value 1");
  assert_bad ("SELECT %s;", -1, LB_SQL_SCRIPT_ERROR_PARAMETER_MISMATCH, 1, 8, "PARAMETERS");
  assert_bad ("-- EXEC_COUNT: 0\nSELECT 1;", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 1, 16, "EXEC_COUNT");
  assert_bad ("-- PARAMETERS: [[1]]\nSELECT %s;\nSELECT 2;", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 3, 1, "one statement");
  assert_bad ("-- PARAMETERS: [[1]]\nSELECT '%s', %s;", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 2, 9, "quoted");
  assert_bad ("", -1, LB_SQL_SCRIPT_ERROR_EMPTY, 1, 1, "no SQL");
  assert_bad ("-- only a comment\n/* and another */\n\n", -1, LB_SQL_SCRIPT_ERROR_EMPTY, 1, 1, "no SQL");
  assert_bad (";;\n", -1, LB_SQL_SCRIPT_ERROR_EMPTY, 1, 1, "no SQL");
  assert_bad (binary, sizeof binary - 1, LB_SQL_SCRIPT_ERROR_BINARY, 2, 8, "offset 17");
  assert_bad ("SELECT 1;\nSELECT '\xff\xfe';", -1, LB_SQL_SCRIPT_ERROR_BINARY, 2, 9, "UTF-8");
  assert_bad ("SELECT :'name';", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 1, 8, "psql");
}

static void
test_too_large (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbSqlScript) script = NULL;
  gsize size = LB_SQL_SCRIPT_MAX_SIZE + 1;
  g_autofree char *data = g_malloc (size);

  memset (data, ' ', size);
  memcpy (data, "SELECT 1;", 9);
  script = lb_sql_script_new_from_data (data, size, "big.sql", &error);
  g_assert_null (script);
  g_assert_error (error, LB_SQL_SCRIPT_ERROR, LB_SQL_SCRIPT_ERROR_TOO_LARGE);
  g_assert_true (g_str_has_prefix (error->message, "big.sql:1:1: "));
}

/* The statement cap: with the size limit it bounds what a run keeps per
 * statement; the message says how many there are and how many may be. */
static void
test_too_many_statements (void)
{
  g_autoptr(GString) text = g_string_sized_new (12 * (LB_SQL_SCRIPT_MAX_STATEMENTS + 2));
  g_autoptr(GError) error = NULL;
  g_autoptr(LbSqlScript) script = NULL;
  g_autofree char *expected = NULL;

  for (guint i = 0; i < LB_SQL_SCRIPT_MAX_STATEMENTS; i++)
    g_string_append (text, "SELECT 1;\n");
  script = lb_sql_script_new_from_data (text->str, text->len, "many.sql", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lb_sql_script_get_n_queries (script), ==, LB_SQL_SCRIPT_MAX_STATEMENTS);
  g_clear_object (&script);

  /* One more, and a last one without ";". */
  g_string_append (text, "SELECT 2;\nSELECT 3");
  script = lb_sql_script_new_from_data (text->str, text->len, "many.sql", &error);
  g_assert_null (script);
  g_assert_error (error, LB_SQL_SCRIPT_ERROR, LB_SQL_SCRIPT_ERROR_TOO_LARGE);
  expected = g_strdup_printf ("many.sql: too many statements: %u (the most is %u)",
                              LB_SQL_SCRIPT_MAX_STATEMENTS + 2, LB_SQL_SCRIPT_MAX_STATEMENTS);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_fifty_megabytes (void)
{
  g_autoptr(GString) text = g_string_sized_new (51 * 1024 * 1024);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbSqlScript) script = NULL;
  g_autoptr(GTimer) timer = NULL;
  guint n = 0;
  double seconds;

  /* 50 MB of query-mix statements with a parameter, strings and comments. */
  while (text->len < 50 * 1024 * 1024)
    {
      g_string_append_printf (text,
                              "-- NAME: q%u\n-- PARAM k = random(1, 1000)\n"
                              "SELECT c_first_name, 'x;y' /* ; */ FROM customer WHERE c_customer_sk = :k::int;\n",
                              n);
      n++;
    }
  timer = g_timer_new ();
  script = lb_sql_script_new_from_data (text->str, text->len, "big.sql", &error);
  seconds = g_timer_elapsed (timer, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (lb_sql_script_get_n_queries (script), ==, n);
  g_assert_cmpuint (lb_sql_script_get_query (script, n - 1)->line, ==, 3 * n);
  g_test_message ("50 MB, %u statements: parsed in %.2f s", n, seconds);
  g_clear_object (&script);

  /* One huge statement. */
  g_string_truncate (text, 0);
  g_string_append (text, "SELECT 0");
  while (text->len < 50 * 1024 * 1024)
    g_string_append (text, " + 1 -- one\n");
  g_string_append (text, ";\n");
  g_timer_start (timer);
  script = lb_sql_script_new_from_data (text->str, text->len, "huge.sql", &error);
  seconds = g_timer_elapsed (timer, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (lb_sql_script_get_n_queries (script), ==, 1);
  g_test_message ("50 MB in one statement: parsed in %.2f s", seconds);
}

static void
round_trip (LbSqlScript *script,
            const char  *tmp)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (tmp, lb_sql_script_get_display_name (script), NULL);
  g_autoptr(GFile) directory = g_file_new_for_path (dir);
  g_autofree char *args = lb_sql_script_export_pgbench (script, directory, &error);
  g_auto(GStrv) words = NULL;
  guint n_files = 0;

  g_assert_no_error (error);
  g_assert_nonnull (args);
  g_assert_true (g_shell_parse_argv (args, NULL, &words, NULL));

  for (guint i = 0; words[i] != NULL; i += 2)
    {
      const LbSqlTransaction *t = lb_sql_script_get_transaction (script, n_files);
      g_autoptr(LbSqlScript) back = NULL;
      g_autoptr(GFile) file = NULL;
      const LbSqlTransaction *bt;
      char *at;
      guint queries = 0, back_queries = 0;

      g_assert_cmpstr (words[i], ==, "-f");
      at = strrchr (words[i + 1], '@');
      g_assert_nonnull (at);
      g_assert_cmpuint (g_ascii_strtoull (at + 1, NULL, 10), ==, t->weight);
      *at = '\0';
      file = g_file_new_for_path (words[i + 1]);
      back = lb_sql_script_new_from_file (file, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (lb_sql_script_get_n_transactions (back), ==, 1);
      bt = lb_sql_script_get_transaction (back, 0);

      /* The same statements, in the same order, with the same placeholders. */
      for (guint s = 0; s < t->n_steps; s++)
        if (t->steps[s].kind == LB_STEP_QUERY)
          {
            const LbSqlQuery *q = t->steps[s].query;
            const LbSqlQuery *bq = lb_sql_script_get_query (back, back_queries);

            g_assert_cmpstr (q->sql_numbered, ==, bq->sql_numbered);
            g_assert_cmpuint (q->n_params, ==, bq->n_params);
            for (guint p = 0; p < q->n_params; p++)
              g_assert_cmpstr (lb_sql_script_get_variable_name (script, q->param_vars[p]), ==,
                               lb_sql_script_get_variable_name (back, bq->param_vars[p]));
            queries++;
            back_queries++;
          }
      g_assert_cmpuint (lb_sql_script_get_n_queries (back), ==, queries);
      g_assert_cmpint (bt->steps[bt->n_steps - 1].kind, ==, LB_STEP_QUERY);
      n_files++;
    }
  g_assert_cmpuint (n_files, ==, lb_sql_script_get_n_transactions (script));
}

static void
test_export (void)
{
  static const char * const samples[] = {
    "customer_lookup.sql", "pgbench_style.sql", "plain.sql", "webtool_format.sql",
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("lb-export-XXXXXX", &error);

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    {
      g_autoptr(LbSqlScript) script = load_sample (samples[i]);

      round_trip (script, tmp);
    }

  /* The exported values() is a pick and a CASE; the pgbench sample keeps its \set. */
  {
    g_autofree char *path = g_build_filename (tmp, "customer_lookup.sql", "birth_year_band.sql", NULL);
    g_autofree char *contents = NULL;

    g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
    g_assert_nonnull (strstr (contents, "\\set y_pick1 random(1, 3)\n"));
    g_assert_nonnull (strstr (contents, "c_birth_year = :y::int;"));
  }

  /* Strings cannot be exported: the error names the parameter. */
  {
    g_autoptr(LbSqlScript) script = parse_ok ("-- PARAM st = values('CA', 'NY')\nSELECT :st;\n");
    g_autofree char *dir = g_build_filename (tmp, "strings", NULL);
    g_autoptr(GFile) directory = g_file_new_for_path (dir);
    g_autofree char *args = lb_sql_script_export_pgbench (script, directory, &error);

    g_assert_null (args);
    g_assert_error (error, LB_SQL_SCRIPT_ERROR, LB_SQL_SCRIPT_ERROR_SYNTAX);
    g_assert_nonnull (strstr (error->message, "st"));
    g_clear_error (&error);
  }
  {
    g_autoptr(LbSqlScript) script = parse_ok ("-- PARAMETERS: [[1, \"A\"]]\nSELECT %s, %s;\n");
    g_autofree char *dir = g_build_filename (tmp, "webstrings", NULL);
    g_autoptr(GFile) directory = g_file_new_for_path (dir);
    g_autofree char *args = lb_sql_script_export_pgbench (script, directory, &error);

    g_assert_null (args);
    g_assert_error (error, LB_SQL_SCRIPT_ERROR, LB_SQL_SCRIPT_ERROR_PARAMETER_MISMATCH);
    g_assert_nonnull (strstr (error->message, "value 2"));
    g_clear_error (&error);
  }

  lb_test_remove_tree (tmp);
}

/* The dialect rule (lb-sql-script-parse.c), one case per branch, in order. */
static void
test_dialect_rule (void)
{
  static const struct
  {
    const char   *text;
    LbSqlDialect  expected;
  } cases[] = {
    /* (a) a meta-command wins over everything */
    { "\\set a 1\nSELECT :a;\n", LB_SQL_DIALECT_PGBENCH },
    { "-- NAME: q\nSELECT 1;\n\\sleep 1 ms\n", LB_SQL_DIALECT_PGBENCH },
    { "\\set x 1\n-- PARAMETERS: [[1]]\nSELECT 1 % 2;\n", LB_SQL_DIALECT_PGBENCH },
    /* (b) the web tool's parameters */
    { "-- PARAMETERS: [[1]]\nSELECT %s;\n", LB_SQL_DIALECT_WEB_TOOL },
    { "-- EXEC_COUNT: 2\n-- PARAMETERS: [[1]]\nSELECT * FROM t WHERE id = %s;\n", LB_SQL_DIALECT_WEB_TOOL },
    /* (c) query mix directives or :name, also with EXEC_COUNT (the unified format) */
    { "-- NAME: a\nSELECT 1;\n", LB_SQL_DIALECT_QUERY_MIX },
    { "-- WEIGHT: 3\nSELECT 1;\n", LB_SQL_DIALECT_QUERY_MIX },
    { "-- PARAM id = random(1, 5)\nSELECT :id;\n", LB_SQL_DIALECT_QUERY_MIX },
    { "SELECT :client_id;\n", LB_SQL_DIALECT_QUERY_MIX },
    /* (d) EXEC_COUNT alone */
    { "-- EXEC_COUNT: 5\nSELECT 1;\n", LB_SQL_DIALECT_WEB_TOOL },
    /* (e) plain SQL: statements that only work in order make a script… */
    { "CREATE TYPE pg_temp.e AS ENUM ('a'); DROP TYPE pg_temp.e;", LB_SQL_DIALECT_PGBENCH },
    { "DO $$BEGIN PERFORM 1; END$$;", LB_SQL_DIALECT_PGBENCH },
    { "BEGIN;\nUPDATE t SET a = 1;\nEND;\n", LB_SQL_DIALECT_PGBENCH },
    { "start transaction;\nselect 1;\ncommit;\n", LB_SQL_DIALECT_PGBENCH },
    { "SELECT 1;\n/* c */ (  -- x\n  vacuum t);\n", LB_SQL_DIALECT_PGBENCH },
    { "SET work_mem = '8MB';\nSELECT 1;\n", LB_SQL_DIALECT_PGBENCH },
    { "SELECT 1;\nPREPARE TRANSACTION 'x';\n", LB_SQL_DIALECT_PGBENCH },
    { "CALL p();\n", LB_SQL_DIALECT_PGBENCH },
    { "LOCK t;\nSELECT 1;\n", LB_SQL_DIALECT_PGBENCH },
    /* …the rest is a mix of independent queries */
    { "SELECT 1;\nINSERT INTO t VALUES (1);\nUPDATE t SET a = 2;\nDELETE FROM t;\n", LB_SQL_DIALECT_QUERY_MIX },
    { "WITH x AS (SELECT 1) SELECT * FROM x;\nVALUES (1);\nTABLE t;\nEXPLAIN SELECT 1;\n", LB_SQL_DIALECT_QUERY_MIX },
    { "PREPARE q AS SELECT 1;\n", LB_SQL_DIALECT_QUERY_MIX },
    { "SELECT 'BEGIN; :x';\nSELECT 1::int; -- DROP\n", LB_SQL_DIALECT_QUERY_MIX },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LbSqlScript) s = lb_sql_script_new_from_data (cases[i].text, -1, "t.sql", &error);

      if (s == NULL)
        g_error ("case %u (%s): %s", i, cases[i].text, error->message);
      if (lb_sql_script_get_dialect (s) != cases[i].expected)
        g_error ("case %u (%s): dialect %d, expected %d", i, cases[i].text,
                 lb_sql_script_get_dialect (s), cases[i].expected);
      g_assert_cmpint (lb_sql_script_get_detected_dialect (s), ==, cases[i].expected);
    }

  /* A multi-statement pgbench script is one transaction, in file order. */
  {
    g_autoptr(LbSqlScript) s = parse_ok ("BEGIN;\nSELECT 1;\nEND;\n");
    const LbSqlTransaction *t;

    g_assert_cmpuint (lb_sql_script_get_n_transactions (s), ==, 1);
    t = lb_sql_script_get_transaction (s, 0);
    g_assert_cmpuint (t->n_steps, ==, 3);
    g_assert_cmpstr (t->steps[0].query->sql, ==, "BEGIN");
    g_assert_cmpstr (t->steps[2].query->sql, ==, "END");
  }
}

/* LbSqlParseOptions.force_dialect overrides the rule; the detection stays known. */
static void
test_dialect_forced (void)
{
  const char *text = "SELECT 1;\nSELECT 2;\n";
  LbSqlParseOptions options = { .force_dialect = TRUE, .dialect = LB_SQL_DIALECT_PGBENCH };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbSqlScript) s = lb_sql_script_new_from_data_full (text, -1, "t.sql", &options, &error);
  g_autoptr(LbSqlScript) mix = NULL;
  g_autoptr(LbSqlScript) bad = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (lb_sql_script_get_dialect (s), ==, LB_SQL_DIALECT_PGBENCH);
  g_assert_cmpint (lb_sql_script_get_detected_dialect (s), ==, LB_SQL_DIALECT_QUERY_MIX);
  g_assert_cmpuint (lb_sql_script_get_n_transactions (s), ==, 1);

  options.dialect = LB_SQL_DIALECT_QUERY_MIX;
  mix = lb_sql_script_new_from_data_full ("BEGIN;\nSELECT 1;\nEND;\n", -1, "t.sql", &options, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lb_sql_script_get_detected_dialect (mix), ==, LB_SQL_DIALECT_PGBENCH);
  g_assert_cmpuint (lb_sql_script_get_n_transactions (mix), ==, 3);

  /* A forced dialect that does not fit says why, as a detected one would. */
  bad = lb_sql_script_new_from_data_full ("\\set a 1\nSELECT :a;\n", -1, "t.sql", &options, &error);
  g_assert_null (bad);
  g_assert_nonnull (error);
  g_assert_true (g_str_has_prefix (error->message, "t.sql:"));
  g_assert_nonnull (strstr (error->message, "pgbench"));
  g_clear_error (&error);

  /* Detection alone: EXEC_COUNT with PARAM is the web tool's unified format,
   * a query mix (its parser reads EXEC_COUNT on the webtool branch). */
  {
    const char *unified = "-- EXEC_COUNT: 5\n-- PARAM id = random(1, 5)\nSELECT :id;\n";
    g_autoptr(LbSqlScript) u = lb_sql_script_new_from_data (unified, -1, "t.sql", &error);

    if (u != NULL)
      g_assert_cmpint (lb_sql_script_get_detected_dialect (u), ==, LB_SQL_DIALECT_QUERY_MIX);
    else
      g_assert_nonnull (strstr (error->message, "EXEC_COUNT"));
  }
}

/* What pgbench 15 accepts and we refused: "\sleep 2ms", scripts of only
 * \set / \sleep, a \set continued with backslash-newline. */
static void
test_pgbench_parsing (void)
{
  {
    g_autoptr(LbSqlScript) s = parse_ok ("\\sleep 2ms\n\\sleep 5us\n\\sleep 1s\n\\sleep 3 MS\n\\set n 4\n\\sleep :n us\n");
    const LbSqlTransaction *t = lb_sql_script_get_transaction (s, 0);

    g_assert_cmpint (lb_sql_script_get_dialect (s), ==, LB_SQL_DIALECT_PGBENCH);
    g_assert_cmpuint (lb_sql_script_get_n_queries (s), ==, 0);
    g_assert_cmpuint (t->n_steps, ==, 6);
    g_assert_cmpint (t->steps[0].unit_usec, ==, 1000);
    g_assert_cmpint (t->steps[1].unit_usec, ==, 1);
    g_assert_cmpint (t->steps[2].unit_usec, ==, 1000000);
    g_assert_cmpint (t->steps[3].unit_usec, ==, 1000);
    g_assert_cmpint (t->steps[5].unit_usec, ==, 1);
  }
  {
    g_autoptr(LbSqlScript) s = parse_ok ("\\set a 1\n");

    g_assert_cmpuint (lb_sql_script_get_transaction (s, 0)->n_steps, ==, 1);
  }
  {
    g_autoptr(LbSqlScript) s = parse_ok ("\\set c8 debug(CASE \\\n   WHEN 1 > 0 \\\n THEN 36 \\\r\n ELSE 0 \\\n END)\n"
                                         "\\set x 1 +\\\n2\nSELECT :c8, :x;\n");
    const LbSqlTransaction *t = lb_sql_script_get_transaction (s, 0);

    g_assert_cmpuint (t->n_steps, ==, 3);
  }
  assert_bad ("\\sleep 1 week\n", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 1, 10, "unrecognized time unit");
  assert_bad ("\\sleep too many args\n", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 1, 17, "too many arguments");
  assert_bad ("\\sleep\n", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 1, 7, "missing argument");
  assert_bad ("\\sleep 1.5\n", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 1, 9, "unrecognized time unit");
  assert_bad ("\\set d 1.0E309\n", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 1, 8, "double constant overflow");
  assert_bad ("\\set i 100000000000000000000\n", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 1, 8, "bigint constant overflow");

  /* pgbench's limit of 255 :variables in one statement. */
  {
    g_autoptr(GString) text = g_string_new ("\\set i 0\nSELECT LEAST(:i");
    g_autoptr(LbSqlScript) ok = NULL;

    for (guint i = 1; i < 255; i++)
      g_string_append (text, ", :i");
    ok = parse_ok (text->str);
    g_assert_cmpuint (lb_sql_script_get_query (ok, 0)->n_params, ==, 255);
    g_string_append (text, ", :i)");
    assert_bad (text->str, -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 2, 1, "too many arguments (maximum is 255)");
  }
}

/* pgbench control flow: the steps \if … \endif compile into, and pgbench 15's
 * structural errors (wording checked against pgbench 15). */
static void
test_pgbench_flow (void)
{
  g_autoptr(LbSqlScript) script = NULL;
  const LbSqlTransaction *t;
  guint kinds[32];

  script = parse_ok ("\\if :client_id = 0\n"
                     "SELECT 1;\n"
                     "\\elif :client_id = 1\n"
                     "SELECT 2;\n"
                     "\\else\n"
                     "SELECT 3;\n"
                     "\\endif\n"
                     "SELECT 4 AS four \\gset p_\n"
                     "SELECT 5 AS five;\n"
                     "\\aset\n"
                     "\\startpipeline\n"
                     "SELECT :p_four, :five;\n"
                     "\\syncpipeline\n"
                     "SELECT 6;\n"
                     "\\endpipeline\n");
  g_assert_cmpint (lb_sql_script_get_dialect (script), ==, LB_SQL_DIALECT_PGBENCH);
  g_assert_true (lb_sql_script_has_flow (script));
  g_assert_cmpuint (lb_sql_script_get_max_pipeline (script), ==, 4);
  t = lb_sql_script_get_transaction (script, 0);
  g_assert_cmpuint (t->n_steps, <=, G_N_ELEMENTS (kinds));
  for (guint i = 0; i < t->n_steps; i++)
    kinds[i] = t->steps[i].kind;
  /* 0 if, 1 q1, 2 jump, 3 elif, 4 q2, 5 jump, 6 q3, 7 q4, 8 q5, 9 start, 10 q, 11 sync, 12 q6, 13 end */
  g_assert_cmpuint (t->n_steps, ==, 14);
  g_assert_cmpuint (kinds[0], ==, LB_STEP_JUMP_UNLESS);
  g_assert_cmpuint (t->steps[0].target, ==, 3);
  g_assert_cmpuint (kinds[2], ==, LB_STEP_JUMP);
  g_assert_cmpuint (t->steps[2].target, ==, 7);
  g_assert_cmpuint (kinds[3], ==, LB_STEP_JUMP_UNLESS);
  g_assert_cmpuint (t->steps[3].target, ==, 6);
  g_assert_cmpuint (kinds[5], ==, LB_STEP_JUMP);
  g_assert_cmpuint (t->steps[5].target, ==, 7);
  g_assert_cmpuint (kinds[7], ==, LB_STEP_QUERY);
  g_assert_cmpuint (t->steps[7].store, ==, LB_STORE_GSET);
  g_assert_cmpstr (t->steps[7].prefix, ==, "p_");
  g_assert_cmpstr (t->steps[7].query->sql, ==, "SELECT 4 AS four");
  g_assert_cmpuint (t->steps[8].store, ==, LB_STORE_ASET);
  g_assert_cmpstr (t->steps[8].prefix, ==, "");
  g_assert_cmpuint (kinds[9], ==, LB_STEP_PIPELINE);
  g_assert_cmpuint (t->steps[9].pipeline, ==, LB_PIPELINE_START);
  g_assert_cmpuint (t->steps[11].pipeline, ==, LB_PIPELINE_SYNC);
  g_assert_cmpuint (t->steps[13].pipeline, ==, LB_PIPELINE_END);
  g_assert_cmpstr (t->steps[0].label, ==, "t.sql:1: \\if");
  g_clear_object (&script);

  /* Automatic variables of SQL are set first: the jumps move with the steps. */
  script = parse_ok ("\\if 0\nSELECT :client_id;\n\\endif\nSELECT 1;\n");
  t = lb_sql_script_get_transaction (script, 0);
  g_assert_cmpuint (t->steps[0].kind, ==, LB_STEP_SET);
  g_assert_cmpuint (t->steps[1].kind, ==, LB_STEP_JUMP_UNLESS);
  g_assert_cmpuint (t->steps[1].target, ==, 3);
  g_clear_object (&script);

  /* A runtime error names the command. */
  script = parse_ok ("\\set x 1\nSELECT :x;\n");
  t = lb_sql_script_get_transaction (script, 0);
  g_assert_cmpstr (t->steps[0].label, ==, "t.sql:1: \\set x");
  g_clear_object (&script);

  assert_bad ("SELECT 1;\n\\elif true\n", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 2, 1, "\\elif without matching \\if");
  assert_bad ("\\if true\n\\else\n\\else\n\\endif\nSELECT 1;\n", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 3, 1,
              "\\else after \\else");
  assert_bad ("\\if true\n\\else\n\\elif false\n\\endif\nSELECT 1;\n", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 3, 1,
              "\\elif after \\else");
  assert_bad ("\\else\nSELECT 1;\n", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 1, 1, "\\else without matching \\if");
  assert_bad ("SELECT 1;\n\\if true\nSELECT 1;\n", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 2, 1,
              "\\if without matching \\endif");
  assert_bad ("SELECT 1;\n\\endif\n", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 2, 1, "\\endif without matching \\if");
  assert_bad ("\\if\nSELECT 1;\n\\endif\n", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 1, 4, "missing expression");
  assert_bad ("\\gset\nSELECT 1;\n", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 1, 1, "\\gset must follow an SQL command");
  assert_bad ("\\set i +1\n\\gset\nSELECT 1;\n", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 2, 1,
              "\\gset must follow an SQL command");
  assert_bad ("SELECT 1 AS i \\gset\n\\gset\n", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 2, 1,
              "\\gset must follow an SQL command");
  assert_bad ("SELECT 1 \\gset a b\n", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 1, 18, "too many arguments in command “gset”");
  assert_bad ("\\startpipeline\n\\startpipeline\nSELECT 1;\n\\endpipeline\n", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 2, 1,
              "already in pipeline mode");
  assert_bad ("\\endpipeline\nSELECT 1;\n", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 1, 1, "not in pipeline mode");
  assert_bad ("\\startpipeline\nSELECT 1;\n", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 1, 1,
              "end of script reached with pipeline open");
  assert_bad ("\\startpipeline\nselect 1 \\gset f\n\\endpipeline\n", -1, LB_SQL_SCRIPT_ERROR_SYNTAX, 2, 10,
              "\\gset is not allowed in pipeline mode");
  assert_bad ("\\shell echo hi\nSELECT 1;\n", -1, LB_SQL_SCRIPT_ERROR_UNKNOWN_COMMAND, 1, 1,
              "\\shell is not supported: a load test does not run programs");
  assert_bad ("\\setshell x echo 1\nSELECT 1;\n", -1, LB_SQL_SCRIPT_ERROR_UNKNOWN_COMMAND, 1, 1,
              "-D NAME=VALUE");
  /* Without \gset an unknown name is still refused at parse time. */
  assert_bad ("\\set d 1\nSELECT :nope;\n", -1, LB_SQL_SCRIPT_ERROR_UNDEFINED_VARIABLE, 2, 8, "nope");
}

/* -D NAME=VALUE: typed as pgbench types it; usable without \set. */
static void
test_pgbench_defines (void)
{
  const char *defines[] = { "foo=-10.1", "bla=false", "i=+3", "n=null", "t=t", "f=of", "d=1.0",
                            "s=bla", "o=on", "big=99999999999999999999", "i=4", NULL };
  LbSqlParseOptions options = { .defines = defines };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbSqlScript) script =
    lb_sql_script_new_from_data_full ("\\set x :i + :foo\nSELECT :s, :n, :t, :f, :bla, :d, :o, :big;\n",
                                      -1, "t.sql", &options, &error);
  const LbSqlInitialValue *values;
  guint n = 0;
  struct { const char *name; LbValueType type; double number; } expected[] = {
    { "foo", LB_VALUE_DOUBLE, -10.1 }, { "bla", LB_VALUE_BOOLEAN, 0 }, { "n", LB_VALUE_NULL, 0 },
    { "t", LB_VALUE_BOOLEAN, 1 }, { "f", LB_VALUE_BOOLEAN, 0 }, { "d", LB_VALUE_DOUBLE, 1.0 },
    { "s", LB_VALUE_STRING, 0 }, { "o", LB_VALUE_BOOLEAN, 1 }, { "big", LB_VALUE_DOUBLE, 1e20 },
    { "i", LB_VALUE_INT, 4 },
  };

  g_assert_no_error (error);
  values = lb_sql_script_get_initial_values (script, &n);
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (expected));
  for (guint k = 0; k < G_N_ELEMENTS (expected); k++)
    {
      const LbValue *v = &values[k].value;

      g_assert_cmpstr (lb_sql_script_get_variable_name (script, values[k].var), ==, expected[k].name);
      g_assert_cmpint (v->type, ==, expected[k].type);
      if (v->type == LB_VALUE_DOUBLE)
        g_assert_cmpfloat_with_epsilon (v->u.number, expected[k].number, 1e-9);
      else if (v->type == LB_VALUE_INT)
        g_assert_cmpint (v->u.integer, ==, (gint64) expected[k].number);
      else if (v->type == LB_VALUE_BOOLEAN)
        g_assert_cmpint (v->u.boolean, ==, (gboolean) expected[k].number);
      else if (v->type == LB_VALUE_STRING)
        g_assert_cmpstr (v->u.string, ==, "bla");
    }

  {
    const char *bad[] = { "novalue", NULL };
    LbSqlParseOptions bad_options = { .defines = bad };
    g_autoptr(GError) bad_error = NULL;
    g_autoptr(LbSqlScript) none = lb_sql_script_new_from_data_full ("\\set a 1\nSELECT 1;\n", -1, "t.sql",
                                                                   &bad_options, &bad_error);

    g_assert_null (none);
    g_assert_error (bad_error, LB_SQL_SCRIPT_ERROR, LB_SQL_SCRIPT_ERROR_SYNTAX);
    g_assert_nonnull (strstr (bad_error->message, "invalid variable definition"));
  }
}


int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sql-script/builder", test_builder);
  g_test_add_func ("/sql-script/sample/customer-lookup", test_sample_customer_lookup);
  g_test_add_func ("/sql-script/sample/pgbench", test_sample_pgbench);
  g_test_add_func ("/sql-script/sample/plain", test_sample_plain);
  g_test_add_func ("/sql-script/sample/webtool", test_sample_webtool);
  g_test_add_func ("/sql-script/webtool-values", test_webtool_values);
  g_test_add_func ("/sql-script/splitting", test_splitting);
  g_test_add_func ("/sql-script/bad-input", test_bad_input);
  g_test_add_func ("/sql-script/too-large", test_too_large);
  g_test_add_func ("/sql-script/fifty-megabytes", test_fifty_megabytes);
  g_test_add_func ("/sql-script/too-many-statements", test_too_many_statements);
  g_test_add_func ("/sql-script/export", test_export);
  g_test_add_func ("/sql-script/dialect-rule", test_dialect_rule);
  g_test_add_func ("/sql-script/dialect-forced", test_dialect_forced);
  g_test_add_func ("/sql-script/pgbench-parsing", test_pgbench_parsing);
  g_test_add_func ("/sql-script/pgbench-flow", test_pgbench_flow);
  g_test_add_func ("/sql-script/pgbench-defines", test_pgbench_defines);

  return g_test_run ();
}
