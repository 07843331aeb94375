/* SPDX-License-Identifier: GPL-3.0-or-later */
/* pgbench's own TAP tests as our reference: the cases transcribed into
 * tests/data/pgbench/ (expressions and their debug() values, script errors,
 * option errors) run through our parser, evaluator and lakebase-cli bench,
 * and, when pgbench 15 is installed, through pgbench itself to check the
 * transcription. Cases for features of other branches (\if, \gset, \shell,
 * -D, --max-tries) are skipped on our side with a message saying so. */
#include "config.h"

#include <string.h>
#include <sys/wait.h>

#include <gio/gio.h>
#include <libpq-fe.h>

#include "lb-pg-sandbox.h"
#include "lb-sql-script.h"
#include "lb-test-utils.h"

static LbPgSandbox *sandbox;
static const char *conninfo;
static char *pgbench;          /* NULL: not installed, transcription not checked */
static char *tmp_dir;

/* ---- the data files ---- */

typedef struct
{
  char       *name;
  GHashTable *fields;   /* name → GPtrArray of char * (a field may repeat) */
  GString    *script;
} Case;

static void
case_free (Case *c)
{
  g_free (c->name);
  g_hash_table_unref (c->fields);
  g_string_free (c->script, TRUE);
  g_free (c);
}

static const char *
case_get (const Case *c,
          const char *field)
{
  GPtrArray *values = g_hash_table_lookup (c->fields, field);

  return values != NULL && values->len > 0 ? g_ptr_array_index (values, 0) : NULL;
}

static GPtrArray *
case_get_all (const Case *c,
              const char *field)
{
  return g_hash_table_lookup (c->fields, field);
}

static char *
data_path (const char *dir,
           const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "pgbench", dir, name, NULL);
}

static char *
read_data (const char *dir,
           const char *name)
{
  g_autofree char *path = data_path (dir, name);
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* The "=== NAME / field: value / script:" format described in the files;
 * @header gets the fields before the first case. */
static GPtrArray *
read_cases (const char *dir,
            const char *name,
            GHashTable *header)
{
  g_autofree char *text = read_data (dir, name);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  GPtrArray *cases = g_ptr_array_new_with_free_func ((GDestroyNotify) case_free);
  Case *c = NULL;
  gboolean in_script = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      const char *colon;

      if (g_str_has_prefix (line, "==="))
        {
          c = g_new0 (Case, 1);
          c->name = g_strstrip (g_strdup (line + 3));
          c->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_ptr_array_unref);
          c->script = g_string_new (NULL);
          g_ptr_array_add (cases, c);
          in_script = FALSE;
          continue;
        }
      if (line[0] == '#')
        {
          in_script = FALSE;
          continue;
        }
      if (in_script)
        {
          /* The last line of the file has no newline of its own. */
          if (lines[i + 1] != NULL)
            g_string_append_printf (c->script, "%s\n", line);
          continue;
        }
      if (line[0] == '\0')
        continue;
      if (c != NULL && strcmp (line, "script:") == 0)
        {
          in_script = TRUE;
          continue;
        }
      colon = strstr (line, ": ");
      if (colon == NULL)
        g_error ("%s: line %u: expected “field: value”: %s", name, i + 1, line);
      {
        g_autofree char *field = g_strndup (line, colon - line);
        GHashTable *into = c != NULL ? c->fields : header;
        GPtrArray *values;

        g_assert_nonnull (into);
        values = g_hash_table_lookup (into, field);
        if (values == NULL)
          {
            values = g_ptr_array_new_with_free_func (g_free);
            g_hash_table_insert (into, g_strdup (field), values);
          }
        g_ptr_array_add (values, g_strdup (colon + 2));
      }
    }
  return cases;
}

static gboolean
matches (const char *pattern,
         const char *text)
{
  return g_regex_match_simple (pattern, text, G_REGEX_MULTILINE, 0);
}

static void
assert_matches (const char *what,
                const char *pattern,
                const char *text)
{
  if (!matches (pattern, text))
    g_error ("%s: “%s” does not match /%s/", what, text, pattern);
}

/* ---- running programs ---- */

static void
run_argv (LbTestCliResult *run,
          GPtrArray       *argv,
          const char      *locale)
{
  g_auto(GStrv) envp = g_get_environ ();

  /* No server unless the arguments name one; untranslated messages (pgbench
   * in "C", ours in "C.UTF-8" for its quotes). */
  envp = g_environ_setenv (envp, "PGHOST", "/nonexistent", TRUE);
  envp = g_environ_setenv (envp, "LC_ALL", locale, TRUE);
  envp = g_environ_setenv (envp, "XDG_DATA_HOME", tmp_dir, TRUE);
  g_ptr_array_add (argv, NULL);
  lb_test_run_argv (run, tmp_dir, envp, G_SPAWN_DEFAULT, (const char * const *) argv->pdata);
}

/* pgbench with @args (split on blanks), then "-f @file" and @server when not NULL. */
static void
run_pgbench (LbTestCliResult *run,
             const char      *args,
             const char      *file,
             const char      *server)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) words = g_strsplit_set (args != NULL ? args : "", " ", -1);

  g_ptr_array_add (argv, g_strdup (pgbench));
  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      g_ptr_array_add (argv, g_strdup (words[i]));
  if (file != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("-f"));
      g_ptr_array_add (argv, g_strdup (file));
    }
  if (server != NULL)
    g_ptr_array_add (argv, g_strdup (server));
  g_ptr_array_set_free_func (argv, NULL);
  run_argv (run, argv, "C");
  g_ptr_array_foreach (argv, (GFunc) g_free, NULL);
}

static void
run_cli (LbTestCliResult    *run,
         const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (char *) g_getenv ("LB_CLI"));
  g_ptr_array_add (argv, (char *) "bench");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  run_argv (run, argv, "C.UTF-8");
}

static char *
write_script (const char *name,
              const char *text)
{
  return lb_test_write_file (tmp_dir, name, text);
}

/* ---- what this branch supports of other branches' features ---- */

static gboolean
parses (const char              *text,
        const LbSqlParseOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbSqlScript) s = lb_sql_script_new_from_data_full (text, -1, "probe.sql", options, &error);

  return s != NULL;
}

static gboolean
have_defines (void)
{
  const char * const defines[] = { "foo=1", NULL };
  LbSqlParseOptions options = { .defines = defines };

  return parses ("\\set x :foo + 1\n", &options);
}

static gboolean
have_if (void)
{
  return parses ("\\if 1\n\\set x 1\n\\endif\n", NULL);
}

/* The -D names of a pgbench option line, as "NAME=VALUE" strings. */
static GStrv
defines_of (const char *options)
{
  g_auto(GStrv) words = g_strsplit (options, " ", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; words[i] != NULL; i++)
    if (g_str_has_prefix (words[i], "-D"))
      g_strv_builder_add (builder, words[i] + 2);
  return g_strv_builder_end (builder);
}

/* Whether @script reads one of the defined variables. */
static gboolean
uses_defines (const char         *script,
              const char * const *defines)
{
  for (guint i = 0; defines[i] != NULL; i++)
    {
      g_autofree char *name = g_strndup (defines[i], strcspn (defines[i], "="));
      g_autofree char *pattern = g_strdup_printf (":%s\\b", name);

      if (matches (pattern, script))
        return TRUE;
    }
  return FALSE;
}

/* Without -D on this branch: the same values with \set (pgbench reads a
 * defined "null", "t", "of", "+3" as NULL, true, false, 3). */
static void
append_define_emulation (GString            *out,
                         const char * const *defines)
{
  for (guint i = 0; defines[i] != NULL; i++)
    {
      gsize n = strcspn (defines[i], "=");
      const char *value = defines[i] + n + 1;
      const char *as = value;

      if (g_ascii_strcasecmp (value, "null") == 0)
        as = "NULL";
      else if (g_ascii_strcasecmp (value, "t") == 0 || g_ascii_strcasecmp (value, "true") == 0
               || g_ascii_strcasecmp (value, "on") == 0)
        as = "true";
      else if (g_ascii_strcasecmp (value, "f") == 0 || g_ascii_strcasecmp (value, "false") == 0
               || g_ascii_strcasecmp (value, "of") == 0 || g_ascii_strcasecmp (value, "off") == 0)
        as = "false";
      g_string_append_printf (out, "\\set %.*s %s\n", (int) n, defines[i], as);
    }
}

/* ---- evaluating a parsed script in process ---- */

static GString *captured;

static void
capture_printerr (const char *text)
{
  g_string_append (captured, text);
}

/* Runs the \set steps of the script's transaction with a seeded context;
 * returns what debug() printed (one "debug: VALUE" line each). Stops at the
 * first evaluation error, returned in @error. */
static char *
evaluate (LbSqlScript *script,
          GError     **error)
{
  const LbSqlTransaction *t = lb_sql_script_get_transaction (script, 0);
  g_autofree LbValue *vars = g_new0 (LbValue, MAX (lb_sql_script_get_n_variables (script), 1));
  LbRandom rng;
  LbExprContext ctx = { .variables = vars, .rng = &rng, .client_id = 0, .scale = 1, .random_seed = 5432 };
  GPrintFunc old;

  const LbSqlInitialValue *initial;
  guint n_initial = 0;

  /* As a client starts: the -D values first. */
  initial = lb_sql_script_get_initial_values (script, &n_initial);
  for (guint i = 0; i < n_initial; i++)
    vars[initial[i].var] = initial[i].value;

  lb_random_seed (&rng, 5432);
  captured = g_string_new (NULL);
  old = g_set_printerr_handler (capture_printerr);
  for (guint i = 0; i < t->n_steps;)
    {
      const LbSqlStep *step = &t->steps[i];
      LbValue v;

      if (step->kind == LB_STEP_JUMP)
        {
          i = step->target;
          continue;
        }
      if (step->kind == LB_STEP_JUMP_UNLESS)
        {
          gboolean truth;

          if (!lb_expr_eval (step->expr, &ctx, &v, error))
            break;
          /* pgbench's truth: booleans, non-zero numbers; NULL is false */
          truth = (v.type == LB_VALUE_BOOLEAN && v.u.boolean) ||
                  (v.type == LB_VALUE_INT && v.u.integer != 0) ||
                  (v.type == LB_VALUE_DOUBLE && v.u.number != 0);
          i = truth ? i + 1 : step->target;
          continue;
        }
      if (step->kind != LB_STEP_SET)
        {
          i++;
          continue;
        }
      if (!lb_expr_eval (step->expr, &ctx, &v, error))
        break;
      vars[step->var] = v;
      i++;
    }
  g_set_printerr_handler (old);
  return g_string_free (g_steal_pointer (&captured), FALSE);
}

/* ---- the expressions test ---- */

typedef struct
{
  guint    number;        /* pgbench's command number, from 1 */
  gboolean conditional;   /* inside \if … \endif, or one of them */
  gboolean debug;
  guint    first_line;    /* 0-based lines of the command in the file */
  guint    last_line;
} Command;

/* pgbench's commands of a file: meta-commands (with their continuation
 * lines) and SQL statements (to the line ending with ";"), numbered. */
static GArray *
number_commands (char **lines)
{
  GArray *commands = g_array_new (FALSE, TRUE, sizeof (Command));
  guint depth = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *l = lines[i] + strspn (lines[i], " \t");
      Command c = { .number = commands->len + 1, .first_line = i };

      if (*l == '\0' || g_str_has_prefix (l, "--"))
        continue;
      if (*l == '\\')
        {
          gboolean opens = g_str_has_prefix (l, "\\if ");
          gboolean closes = g_str_has_prefix (l, "\\endif");

          while (g_str_has_suffix (lines[i], "\\") && lines[i + 1] != NULL)
            i++;
          if (opens)
            depth++;
          c.conditional = depth > 0;
          if (closes)
            depth--;
        }
      else
        {
          while (!g_str_has_suffix (g_strchomp (lines[i]), ";") && lines[i + 1] != NULL)
            i++;
          c.conditional = depth > 0;
        }
      c.last_line = i;
      for (guint j = c.first_line; j <= c.last_line; j++)
        c.debug |= strstr (lines[j], "debug(") != NULL;
      g_array_append_val (commands, c);
    }
  return commands;
}

/* "debug(script=0,command=N): VALUE" lines of pgbench → N → VALUE. */
static GHashTable *
pgbench_debug_values (const char *err)
{
  GHashTable *values = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  g_autoptr(GRegex) regex = g_regex_new ("^debug\\(script=0,command=(\\d+)\\): (.*)$",
                                         G_REGEX_MULTILINE, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  g_regex_match (regex, err, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *number = g_match_info_fetch (match, 1);

      g_hash_table_insert (values, GUINT_TO_POINTER (atoi (number)), g_match_info_fetch (match, 2));
      g_match_info_next (match, NULL);
    }
  return values;
}

static void
test_expressions (void)
{
  g_autofree char *text = read_data ("expressions", "expressions.sql");
  g_autofree char *expected_text = read_data ("expressions", "expressions.expected");
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_auto(GStrv) expected = g_strsplit (expected_text, "\n", -1);
  g_autoptr(GArray) commands = number_commands (lines);
  g_autoptr(GHashTable) ours = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  g_autoptr(GHashTable) ours_only = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GString) script = g_string_new (NULL);
  g_autoptr(LbSqlScript) parsed = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) defines = NULL;
  g_auto(GStrv) printed = NULL;
  g_autofree char *output = NULL;
  const char *options = NULL;
  gboolean with_if = have_if ();
  gboolean with_defines = have_defines ();
  LbSqlParseOptions parse_options = { 0 };
  guint next = 0;
  guint checked = 0;

  for (guint i = 0; expected[i] != NULL; i++)
    if (g_str_has_prefix (expected[i], "options\t"))
      options = expected[i] + strlen ("options\t");
  g_assert_nonnull (options);
  defines = defines_of (options);

  /* Our script: the file, without the \if blocks when this branch has no
   * \if, with -D emulated by \set lines when it has no -D. */
  if (with_defines)
    parse_options.defines = (const char * const *) defines;
  else
    {
      g_test_message ("no -D on this branch (another engineer's): defines emulated with \\set");
      append_define_emulation (script, (const char * const *) defines);
    }
  if (!with_if)
    g_test_message ("no \\if on this branch (pgflow's): the \\if blocks are left out, "
                    "their commands not checked here");
  for (guint i = 0; lines[i] != NULL; i++)
    {
      gboolean keep = TRUE;

      for (guint c = 0; c < commands->len; c++)
        {
          const Command *cmd = &g_array_index (commands, Command, c);

          if (cmd->conditional && !with_if && i >= cmd->first_line && i <= cmd->last_line)
            keep = FALSE;
        }
      if (keep)
        g_string_append_printf (script, "%s\n", lines[i]);
    }

  parsed = lb_sql_script_new_from_data_full (script->str, -1, "001_pgbench_expressions", &parse_options,
                                             &error);
  g_assert_no_error (error);
  g_assert_cmpint (lb_sql_script_get_dialect (parsed), ==, LB_SQL_DIALECT_PGBENCH);
  output = evaluate (parsed, &error);
  g_assert_no_error (error);

  /* Each debug() line belongs to the next command with a debug() we ran. */
  printed = g_strsplit (output, "\n", -1);
  for (guint i = 0; printed[i] != NULL && printed[i][0] != '\0'; i++)
    {
      const Command *cmd = NULL;

      while (next < commands->len)
        {
          cmd = &g_array_index (commands, Command, next++);
          if (cmd->debug && (with_if || !cmd->conditional))
            break;
          cmd = NULL;
        }
      g_assert_nonnull (cmd);
      g_assert_true (g_str_has_prefix (printed[i], "debug: "));
      g_hash_table_insert (ours, GUINT_TO_POINTER (cmd->number), g_strdup (printed[i] + strlen ("debug: ")));
    }

  for (guint i = 0; expected[i] != NULL; i++)
    {
      g_auto(GStrv) cols = NULL;
      guint number;
      const char *value;
      g_autofree char *pattern = NULL;
      g_autofree char *what = NULL;

      if (expected[i][0] == '\0' || expected[i][0] == '#' || g_str_has_prefix (expected[i], "options\t"))
        continue;
      cols = g_strsplit (expected[i], "\t", 3);
      number = (guint) atoi (cols[0]);
      if (cols[2] != NULL)
        g_hash_table_add (ours_only, GUINT_TO_POINTER (number));
      if (!with_if && number <= commands->len
          && g_array_index (commands, Command, number - 1).conditional)
        continue;
      value = g_hash_table_lookup (ours, GUINT_TO_POINTER (number));
      what = g_strdup_printf ("ours, command %u", number);
      if (value == NULL)
        g_error ("%s: no debug() output", what);
      pattern = g_strdup_printf ("^(?:%s)",
                                 cols[2] != NULL ? cols[2] + strlen ("ours: ") : cols[1]);
      assert_matches (what, pattern, value);
      checked++;
    }
  g_test_message ("%u expected values checked, %u debug() values printed", checked,
                  g_hash_table_size (ours));

  if (pgbench != NULL)
    {
      g_autofree char *path = data_path ("expressions", "expressions.sql");
      g_autoptr(GHashTable) theirs = NULL;
      g_auto(LbTestCliResult) run = { 0 };
      GHashTableIter iter;
      gpointer key, value;

      run_pgbench (&run, options, path, conninfo);
      if (run.status != 0)
        g_error ("pgbench exited with %d:\n%s", run.status, run.err);
      theirs = pgbench_debug_values (run.err);

      /* The transcription: pgbench prints what the TAP test expects… */
      for (guint i = 0; expected[i] != NULL; i++)
        {
          g_auto(GStrv) cols = NULL;
          g_autofree char *pattern = NULL;
          g_autofree char *what = NULL;
          const char *v;

          if (expected[i][0] == '\0' || expected[i][0] == '#' || g_str_has_prefix (expected[i], "options\t"))
            continue;
          cols = g_strsplit (expected[i], "\t", 3);
          v = g_hash_table_lookup (theirs, GUINT_TO_POINTER (atoi (cols[0])));
          what = g_strdup_printf ("pgbench, command %s", cols[0]);
          if (v == NULL)
            g_error ("%s: no debug() output", what);
          pattern = g_strdup_printf ("^(?:%s)", cols[1]);
          assert_matches (what, pattern, v);
        }
      /* …and ours is pgbench's to the character, random draws apart. */
      g_hash_table_iter_init (&iter, ours);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          const char *v = g_hash_table_lookup (theirs, key);

          if (g_hash_table_contains (ours_only, key))
            continue;
          if (g_strcmp0 (v, value) != 0)
            g_error ("command %u: pgbench printed “%s”, we “%s”", GPOINTER_TO_UINT (key), v,
                     (const char *) value);
        }
    }
  else
    g_test_message ("pgbench 15 not found: the transcription is not checked against it");
}

/* ---- values as the server gets them ---- */

static char *
query_one_row (const char *sql)
{
  PGconn *conn = PQconnectdb (conninfo);
  PGresult *res;
  GString *row = g_string_new (NULL);

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  res = PQexec (conn, sql);
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
  g_assert_cmpint (PQntuples (res), ==, 1);
  for (int i = 0; i < PQnfields (res); i++)
    g_string_append_printf (row, "%s%s", i > 0 ? "|" : "",
                            PQgetisnull (res, 0, i) ? "(null)" : PQgetvalue (res, 0, i));
  PQclear (res);
  PQfinish (conn);
  return g_string_free (row, FALSE);
}

static void
exec_sql (const char *sql)
{
  PGconn *conn = PQconnectdb (conninfo);
  PGresult *res;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  res = PQexec (conn, sql);
  if (PQresultStatus (res) != PGRES_COMMAND_OK)
    g_error ("%s: %s", sql, PQerrorMessage (conn));
  PQclear (res);
  PQfinish (conn);
}

/* The "substitute variables of all possible types" part of the expressions
 * test, plus doubles of many digits, stored by each protocol: the text the
 * server got must be pgbench 15's (seen with log_statement = all: doubles
 * with %.15g). */
static void
test_values_to_server (void)
{
  static const char * const protocols[] = { "simple", "extended", "prepared" };
  /* pgbench 15, extended and prepared protocols; NULL differs on purpose
   * (pgbench binds the text 'NULL', we bind SQL NULL). */
  const char *expected = "(null)|true|5432|-0.5421|0.333333333333333|1.23456789012346e+17|0.3|2.5e-10";
  /* The simple protocol pastes the same text into the SQL: numeric literals. */
  const char *expected_simple = "(null)|true|5432|-0.5421|0.333333333333333|123456789012346000|0.3|0.00000000025";

  exec_sql ("CREATE TABLE corpus_values (protocol text, v0 text, v1 text, v2 text, v3 text, "
            "v4 text, v5 text, v6 text, v7 text)");
  for (guint p = 0; p < G_N_ELEMENTS (protocols); p++)
    {
      g_autofree char *text = g_strdup_printf ("\\set v0 NULL\n\\set v1 TRUE\n\\set v2 5432\n"
                                               "\\set v3 -54.21E-2\n\\set v4 1.0/3\n"
                                               "\\set v5 123456789012345678.0\n\\set v6 0.1+0.2\n"
                                               "\\set v7 2.5e-10\n"
                                               "INSERT INTO corpus_values VALUES ('%s', "
                                               ":v0, :v1, :v2, :v3, :v4, :v5, :v6, :v7);\n",
                                               protocols[p]);
      g_autofree char *path = write_script ("values.sql", text);
      g_autofree char *sql = g_strdup_printf ("SELECT v0, v1, v2, v3, v4, v5, v6, v7 FROM corpus_values "
                                              "WHERE protocol = '%s'", protocols[p]);
      g_autofree char *row = NULL;
      const char *args[] = { path, "--dsn", conninfo, "-t", "1", "-M", protocols[p], "--no-save", NULL };
      g_auto(LbTestCliResult) run = { 0 };

      run_cli (&run, args);
      if (run.status != 0)
        g_error ("lakebase-cli bench -M %s exited with %d:\n%s", protocols[p], run.status, run.err);
      row = query_one_row (sql);
      g_assert_cmpstr (row, ==, p == 0 ? expected_simple : expected);

      if (pgbench != NULL)
        {
          g_autofree char *theirs = g_strdup_printf ("\\set v1 TRUE\n\\set v2 5432\n"
                                                     "\\set v3 -54.21E-2\n\\set v4 1.0/3\n"
                                                     "\\set v5 123456789012345678.0\n\\set v6 0.1+0.2\n"
                                                     "\\set v7 2.5e-10\n"
                                                     "INSERT INTO corpus_values VALUES ('pgbench-%s', "
                                                     "NULL, :v1, :v2, :v3, :v4, :v5, :v6, :v7);\n",
                                                     protocols[p]);
          g_autofree char *their_path = write_script ("values-pgbench.sql", theirs);
          g_autofree char *mode = g_strdup_printf ("-n -t 1 -M %s", protocols[p]);
          g_autofree char *their_sql = g_strdup_printf ("SELECT v0, v1, v2, v3, v4, v5, v6, v7 FROM corpus_values "
                                                        "WHERE protocol = 'pgbench-%s'", protocols[p]);
          g_autofree char *their_row = NULL;
          g_auto(LbTestCliResult) prun = { 0 };

          run_pgbench (&prun, mode, their_path, conninfo);
          if (prun.status != 0)
            g_error ("pgbench -M %s exited with %d:\n%s", protocols[p], prun.status, prun.err);
          their_row = query_one_row (their_sql);
          g_assert_cmpstr (their_row, ==, row);
        }
    }
}

/* ---- random determinism when seeded ---- */

/* Rows "seed|rand|val|count" of seeded_random for @seed. */
static GPtrArray *
seeded_rows (gint64 seed)
{
  PGconn *conn = PQconnectdb (conninfo);
  g_autofree char *sql = g_strdup_printf ("SELECT seed, rand, val, count(*) FROM seeded_random "
                                          "WHERE seed = %" G_GINT64_FORMAT " GROUP BY 1, 2, 3 ORDER BY 2",
                                          seed);
  GPtrArray *rows = g_ptr_array_new_with_free_func (g_free);
  PGresult *res;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  res = PQexec (conn, sql);
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
  for (int i = 0; i < PQntuples (res); i++)
    g_ptr_array_add (rows, g_strdup_printf ("%s|%s|%s|%s", PQgetvalue (res, i, 0), PQgetvalue (res, i, 1),
                                            PQgetvalue (res, i, 2), PQgetvalue (res, i, 3)));
  PQclear (res);
  PQfinish (conn);
  return rows;
}

static void
check_seeded_rows (const char *who,
                   gint64      seed,
                   char      **expected)
{
  g_autoptr(GPtrArray) rows = seeded_rows (seed);
  g_autoptr(GString) all = g_string_new (NULL);
  guint checked = 0;

  for (guint i = 0; i < rows->len; i++)
    g_string_append_printf (all, "%s\n", (const char *) g_ptr_array_index (rows, i));
  for (guint i = 0; expected[i] != NULL; i++)
    {
      g_auto(GStrv) cols = NULL;
      g_autofree char *pattern = NULL;

      if (expected[i][0] == '\0' || expected[i][0] == '#')
        continue;
      cols = g_strsplit (expected[i], "\t", 2);
      /* As the TAP test: /\bSEED\|RAND\|VAL\|2/ */
      pattern = g_strdup_printf ("^%" G_GINT64_FORMAT "\\|%s\\|%s\\|2$", seed, cols[0], cols[1]);
      assert_matches (who, pattern, all->str);
      checked++;
    }
  /* Four values, each drawn the same twice. */
  g_assert_cmpuint (rows->len, ==, checked);
}

static void
test_random_seed (void)
{
  g_autofree char *path = data_path ("expressions", "random-seed.sql");
  g_autofree char *expected_text = read_data ("expressions", "random-seed.expected");
  g_auto(GStrv) expected = g_strsplit (expected_text, "\n", -1);
  gint64 seed = g_random_int_range (1, 1000000000);
  g_autofree char *seed_text = g_strdup_printf ("%" G_GINT64_FORMAT, seed);

  exec_sql ("CREATE TABLE seeded_random(seed INT8 NOT NULL, rand TEXT NOT NULL, val INTEGER NOT NULL)");
  for (guint i = 0; i < 2; i++)
    {
      const char *args[] = { path, "--dsn", conninfo, "-t", "1", "--seed", seed_text, "--no-save", NULL };
      g_auto(LbTestCliResult) run = { 0 };

      run_cli (&run, args);
      if (run.status != 0)
        g_error ("lakebase-cli bench --seed %s exited with %d:\n%s", seed_text, run.status, run.err);
    }
  check_seeded_rows ("ours", seed, expected);

  if (pgbench != NULL)
    {
      gint64 their_seed = seed + 1;
      g_autofree char *options = g_strdup_printf ("--random-seed=%" G_GINT64_FORMAT " -t 1 -n", their_seed);
      g_autofree char *said = g_strdup_printf ("setting random seed to %" G_GINT64_FORMAT "\\b", their_seed);

      for (guint i = 0; i < 2; i++)
        {
          g_auto(LbTestCliResult) run = { 0 };

          run_pgbench (&run, options, path, conninfo);
          if (run.status != 0)
            g_error ("pgbench exited with %d:\n%s", run.status, run.err);
          assert_matches ("pgbench", said, run.err);
        }
      check_seeded_rows ("pgbench", their_seed, expected);
    }
}

/* ---- script errors ---- */

/* A parse-time message starts "FILE:LINE:COLUMN: ". */
static void
assert_positioned (const char *what,
                   const char *message)
{
  assert_matches (what, "^[^:]+:[0-9]+:[0-9]+: ", message);
}

static void
check_ours (const Case         *c,
            const char         *display_name,
            gboolean            with_defines,
            const char * const *defines)
{
  GPtrArray *expects = case_get_all (c, "expect");
  const char *ours = case_get (c, "ours");
  const char *status = case_get (c, "status");
  const char *when = case_get (c, "when");
  LbSqlParseOptions options = { .defines = with_defines ? defines : NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbSqlScript) script = NULL;
  const char *message = NULL;
  g_autofree char *what = g_strdup_printf ("ours, “%s”", c->name);

  if (when == NULL)
    when = g_strcmp0 (status, "1") == 0 ? "parse" : "eval";

  if (strcmp (when, "run") == 0)
    {
      g_autofree char *path = write_script (display_name, c->script->str);
      const char *args[] = { path, "--dsn", conninfo, "-t", "1", "--no-save", NULL };
      g_auto(LbTestCliResult) run = { 0 };

      run_cli (&run, args);
      if (run.status == 0)
        g_error ("%s: lakebase-cli bench succeeded", what);
      assert_matches (what, ours, run.err);
      return;
    }

  script = lb_sql_script_new_from_data_full (c->script->str, c->script->len, display_name, &options, &error);
  if (strcmp (when, "parse") == 0)
    {
      if (script != NULL)
        g_error ("%s: parsed, expected an error", what);
      message = error->message;
      assert_positioned (what, message);
    }
  else
    {
      g_autofree char *output = NULL;

      if (script == NULL)
        g_error ("%s: %s", what, error->message);
      output = evaluate (script, &error);
      if (error == NULL)
        g_error ("%s: evaluated without an error", what);
      g_assert_error (error, LB_EXPR_ERROR, LB_EXPR_ERROR_EVAL);
      message = error->message;
      /* A plain sentence: the engine says where. */
      g_assert_false (matches ("^(column|[^ ]+:[0-9]+)", message));
    }

  if (ours != NULL)
    assert_matches (what, ours, message);
  else
    for (guint i = 0; i < expects->len; i++)
      assert_matches (what, g_ptr_array_index (expects, i), message);
}

static void
check_pgbench (const Case *c,
               const char *options,
               const char *file_name,
               const char *server)
{
  GPtrArray *expects = case_get_all (c, "expect");
  g_autofree char *path = write_script (file_name, c->script->str);
  g_autofree char *what = g_strdup_printf ("pgbench, “%s”", c->name);
  g_auto(LbTestCliResult) run = { 0 };

  run_pgbench (&run, options, path, server);
  g_assert_cmpint (run.status, ==, atoi (case_get (c, "status")));
  for (guint i = 0; i < expects->len; i++)
    assert_matches (what, g_ptr_array_index (expects, i), run.err);
}

static void
run_error_cases (const char *dir,
                 const char *name,
                 gboolean    with_server)
{
  g_autoptr(GHashTable) header = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) cases = read_cases (dir, name, header);
  GPtrArray *options_field = g_hash_table_lookup (header, "options");
  const char *options = options_field != NULL ? g_ptr_array_index (options_field, 0) : "";
  g_auto(GStrv) defines = defines_of (options);
  gboolean with_defines = have_defines ();
  guint n_ours = 0, n_skipped = 0, n_pgbench = 0;

  g_assert_cmpuint (cases->len, >, 0);
  for (guint i = 0; i < cases->len; i++)
    {
      const Case *c = g_ptr_array_index (cases, i);
      const char *skip = case_get (c, "skip");
      g_autofree char *file_name = NULL;

      if (case_get (c, "file") != NULL)
        file_name = g_strdup (case_get (c, "file"));
      else
        {
          file_name = g_strdup_printf ("001_pgbench_error_%s", c->name);
          g_strdelimit (file_name, " ", '_');
        }

      if (skip == NULL && !with_defines && uses_defines (c->script->str, (const char * const *) defines))
        skip = "it reads -D variables, another branch's";
      if (skip != NULL)
        {
          g_test_message ("SKIPPED on our side: “%s”: %s", c->name, skip);
          n_skipped++;
        }
      else
        {
          check_ours (c, file_name, with_defines, (const char * const *) defines);
          n_ours++;
        }

      if (pgbench != NULL)
        {
          check_pgbench (c, options, file_name, with_server ? conninfo : NULL);
          n_pgbench++;
        }
    }
  g_test_message ("%s: %u cases ours, %u skipped, %u checked with pgbench", name, n_ours, n_skipped,
                  n_pgbench);
}

static void
test_eval_errors (void)
{
  run_error_cases ("expressions", "errors.txt", TRUE);
}

static void
test_no_server_scripts (void)
{
  run_error_cases ("no-server", "scripts.txt", FALSE);
}

static void
test_no_server_options (void)
{
  g_autoptr(GPtrArray) cases = read_cases ("no-server", "options.txt", NULL);
  g_autofree char *script = write_script ("options.sql", "SELECT 1;\n");

  for (guint i = 0; i < cases->len; i++)
    {
      const Case *c = g_ptr_array_index (cases, i);
      const char *skip = case_get (c, "skip");

      if (skip != NULL)
        g_test_message ("SKIPPED on our side: “%s”: %s", c->name, skip);
      else
        {
          g_auto(GStrv) words = g_strsplit (case_get (c, "ours"), " ", -1);
          GPtrArray *expects = case_get_all (c, "ours-expect");
          g_autofree char *what = g_strdup_printf ("ours, “%s”", c->name);
          g_auto(LbTestCliResult) run = { 0 };

          for (guint w = 0; words[w] != NULL; w++)
            if (strcmp (words[w], "SCRIPT") == 0)
              {
                g_free (words[w]);
                words[w] = g_strdup (script);
              }
          run_cli (&run, (const char * const *) words);
          g_assert_cmpint (run.status, ==, 2);
          for (guint e = 0; e < expects->len; e++)
            assert_matches (what, g_ptr_array_index (expects, e), run.err);
        }

      if (pgbench != NULL)
        {
          GPtrArray *expects = case_get_all (c, "expect");
          g_autofree char *what = g_strdup_printf ("pgbench, “%s”", c->name);
          g_auto(LbTestCliResult) run = { 0 };

          run_pgbench (&run, case_get (c, "pgbench"), NULL, NULL);
          g_assert_cmpint (run.status, ==, 1);
          for (guint e = 0; e < expects->len; e++)
            assert_matches (what, g_ptr_array_index (expects, e), run.err);
        }
    }
}

/* pgbench 15, from PATH or Debian's place; NULL when absent. */
static char *
find_pgbench (void)
{
  const char *candidates[] = { "/usr/lib/postgresql/15/bin/pgbench", NULL };
  g_autofree char *on_path = g_find_program_in_path ("pgbench");
  g_autofree char *found = NULL;

  candidates[1] = on_path;
  for (guint i = 0; i < G_N_ELEMENTS (candidates) && found == NULL; i++)
    {
      g_autofree char *out = NULL;
      const char *argv[] = { candidates[i], "-V", NULL };

      if (candidates[i] == NULL || !g_file_test (candidates[i], G_FILE_TEST_IS_EXECUTABLE))
        continue;
      if (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                        NULL, NULL, NULL)
          && out != NULL && strstr (out, "PostgreSQL) 15.") != NULL)
        found = g_strdup (candidates[i]);
    }
  return g_steal_pointer (&found);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pgbench-corpus/expressions", test_expressions);
  g_test_add_func ("/pgbench-corpus/values-to-server", test_values_to_server);
  g_test_add_func ("/pgbench-corpus/random-seed", test_random_seed);
  g_test_add_func ("/pgbench-corpus/eval-errors", test_eval_errors);
  g_test_add_func ("/pgbench-corpus/no-server-scripts", test_no_server_scripts);
  g_test_add_func ("/pgbench-corpus/no-server-options", test_no_server_options);

  tmp_dir = g_dir_make_tmp ("lb-test-pgbench-corpus-XXXXXX", &error);
  g_assert_no_error (error);
  pgbench = find_pgbench ();

  sandbox = lb_pg_sandbox_new_for_tests (FALSE);
  if (!lb_pg_sandbox_start (sandbox, NULL, &error))
    g_error ("the test sandbox did not start: %s", error->message);
  conninfo = lb_pg_sandbox_get_conninfo (sandbox);

  status = g_test_run ();

  if (!lb_pg_sandbox_stop (sandbox, &error))
    g_warning ("the test sandbox did not stop: %s", error->message);
  g_clear_object (&sandbox);
  lb_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  g_free (pgbench);
  return status;
}
