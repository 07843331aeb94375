/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Runs the pgbench scripts of tests/data/pgbench/with-server (control flow,
 * \gset/\aset, pipelines, -D, retries, aborted clients) through
 * `lakebase-cli bench` and, when it is installed, through pgbench 15, against
 * the same PostgreSQL, and checks what expectations.txt says of each. */
#include "config.h"

#include <string.h>
#include <sys/wait.h>

#include <gio/gio.h>
#include <libpq-fe.h>

#include "lb-pg-sandbox.h"
#include "lb-pg-sandbox-private.h"
#include "lb-test-utils.h"

static LbPgSandbox *sandbox;
static const char *conninfo;
static char *pgbench_path;
static char *data_dir;
static char *tmp_dir;

typedef struct
{
  char       *name;
  GHashTable *keys;   /* key → GPtrArray of char * (values in file order) */
} Block;

static void
block_free (Block *block)
{
  g_free (block->name);
  g_hash_table_unref (block->keys);
  g_free (block);
}

static const char *
block_get (const Block *block,
           const char  *key)
{
  GPtrArray *values = g_hash_table_lookup (block->keys, key);

  return values != NULL && values->len > 0 ? g_ptr_array_index (values, 0) : NULL;
}

static GPtrArray *
block_get_all (const Block *block,
               const char  *key)
{
  return g_hash_table_lookup (block->keys, key);
}

static GPtrArray *
read_expectations (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) block_free);
  Block *current = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      const char *colon;
      GPtrArray *values;
      char *key;

      if (line[0] == '#' || line[0] == '\0')
        continue;
      if (line[0] == '[')
        {
          current = g_new0 (Block, 1);
          current->name = g_strndup (line + 1, strcspn (line + 1, "]"));
          current->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                 (GDestroyNotify) g_ptr_array_unref);
          g_ptr_array_add (blocks, current);
          continue;
        }
      colon = strstr (line, ": ");
      if (current == NULL || colon == NULL)
        g_error ("%s:%u: expected “[name]” or “key: value”", path, i + 1);
      key = g_strndup (line, colon - line);
      values = g_hash_table_lookup (current->keys, key);
      if (values == NULL)
        {
          values = g_ptr_array_new_with_free_func (g_free);
          g_hash_table_insert (current->keys, key, values);
        }
      else
        g_free (key);
      g_ptr_array_add (values, g_strdup (colon + 2));
    }
  return blocks;
}

/* ---- running the two programs ---- */

typedef struct
{
  int   status;
  char *output;   /* stdout then stderr */
} Outcome;

static void
outcome_clear (Outcome *o)
{
  g_clear_pointer (&o->output, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Outcome, outcome_clear)

static char **
make_environment (const Block *block)
{
  char **envp = g_get_environ ();
  GPtrArray *env = block_get_all (block, "env");
  static const char *unset[] = { "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD",
                                 "PGOPTIONS", "PGSERVICE", NULL };

  for (guint i = 0; unset[i] != NULL; i++)
    envp = g_environ_unsetenv (envp, unset[i]);
  envp = g_environ_setenv (envp, "LC_ALL", "C", TRUE);
  envp = g_environ_setenv (envp, "XDG_DATA_HOME", tmp_dir, TRUE);
  envp = g_environ_setenv (envp, "XDG_CONFIG_HOME", tmp_dir, TRUE);
  envp = g_environ_setenv (envp, "XDG_CACHE_HOME", tmp_dir, TRUE);
  envp = g_environ_setenv (envp, "XDG_STATE_HOME", tmp_dir, TRUE);
  for (guint i = 0; env != NULL && i < env->len; i++)
    {
      const char *def = g_ptr_array_index (env, i);
      const char *eq = strchr (def, '=');
      g_autofree char *name = g_strndup (def, eq - def);

      envp = g_environ_setenv (envp, name, eq + 1, TRUE);
    }
  return envp;
}

static void
spawn (GPtrArray   *args,
       const Block *block,
       Outcome     *outcome)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envp = make_environment (block);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int wait_status = 0;

  g_ptr_array_add (args, NULL);
  g_spawn_sync (data_dir, (char **) args->pdata, envp, G_SPAWN_SEARCH_PATH_FROM_ENVP, NULL, NULL,
                &out, &err, &wait_status, &error);
  g_assert_no_error (error);
  outcome->status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : 128 + WTERMSIG (wait_status);
  outcome->output = g_strconcat (out, err, NULL);
}

static void
run_sql (const char *sql)
{
  PGconn *conn = PQconnectdb (_lb_pg_sandbox_get_admin_conninfo (sandbox));
  PGresult *res;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  PQclear (PQexec (conn, "SET client_min_messages = warning"));
  res = PQexec (conn, sql);
  if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
    g_error ("setup “%s” failed: %s", sql, PQerrorMessage (conn));
  PQclear (res);
  PQfinish (conn);
}

static char *
query_value (const char *sql)
{
  PGconn *conn = PQconnectdb (_lb_pg_sandbox_get_admin_conninfo (sandbox));
  PGresult *res;
  char *value;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  res = PQexec (conn, sql);
  if (PQresultStatus (res) != PGRES_TUPLES_OK || PQntuples (res) != 1)
    g_error ("check “%s” failed: %s", sql, PQerrorMessage (conn));
  value = g_strdup (PQgetisnull (res, 0, 0) ? "(null)" : PQgetvalue (res, 0, 0));
  PQclear (res);
  PQfinish (conn);
  return value;
}

static char **
split_options (const Block *block)
{
  g_autoptr(GError) error = NULL;
  const char *options = block_get (block, "options");
  char **words = NULL;

  if (options == NULL)
    return g_new0 (char *, 1);
  g_shell_parse_argv (options, NULL, &words, &error);
  g_assert_no_error (error);
  return words;
}

static void
run_pgbench (const Block *block,
             const char  *script,
             Outcome     *outcome)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) words = split_options (block);

  g_ptr_array_add (args, g_strdup ("timeout"));
  g_ptr_array_add (args, g_strdup ("120"));
  g_ptr_array_add (args, g_strdup (pgbench_path));
  g_ptr_array_add (args, g_strdup ("-n"));
  for (guint i = 0; words[i] != NULL; i++)
    g_ptr_array_add (args, g_strdup (words[i]));
  g_ptr_array_add (args, g_strdup ("-f"));
  g_ptr_array_add (args, g_strdup (script));
  g_ptr_array_add (args, g_strdup (_lb_pg_sandbox_get_admin_conninfo (sandbox)));
  spawn (args, block, outcome);
}

/* pgbench's options as lakebase-cli spells them. */
static void
run_ours (const Block *block,
          const char  *script,
          Outcome     *outcome)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) words = split_options (block);
  guint64 clients = 1;
  const char *dialect = block_get (block, "dialect");

  for (guint i = 0; words[i] != NULL; i++)
    if (strcmp (words[i], "-c") == 0 && words[i + 1] != NULL)
      clients = g_ascii_strtoull (words[i + 1], NULL, 10);

  g_ptr_array_add (args, g_strdup ("timeout"));
  g_ptr_array_add (args, g_strdup ("120"));
  g_ptr_array_add (args, g_strdup (g_getenv ("LB_CLI")));
  g_ptr_array_add (args, g_strdup ("bench"));
  g_ptr_array_add (args, g_strdup ("--no-save"));
  g_ptr_array_add (args, g_strdup ("--dsn"));
  g_ptr_array_add (args, g_strdup (_lb_pg_sandbox_get_admin_conninfo (sandbox)));
  if (dialect != NULL)
    {
      g_ptr_array_add (args, g_strdup ("--dialect"));
      g_ptr_array_add (args, g_strdup (dialect));
    }
  for (guint i = 0; words[i] != NULL; i++)
    {
      if (strcmp (words[i], "-n") == 0)
        continue;
      if (strcmp (words[i], "-t") == 0 && words[i + 1] != NULL)
        {
          /* pgbench's -t is per client, ours is the total */
          g_ptr_array_add (args, g_strdup ("-t"));
          g_ptr_array_add (args, g_strdup_printf ("%" G_GUINT64_FORMAT,
                                                  g_ascii_strtoull (words[++i], NULL, 10) * clients));
          continue;
        }
      if (g_str_has_prefix (words[i], "--random-seed="))
        {
          g_ptr_array_add (args, g_strdup ("--seed"));
          g_ptr_array_add (args, g_strdup (words[i] + strlen ("--random-seed=")));
          continue;
        }
      g_ptr_array_add (args, g_strdup (words[i]));
    }
  if (block_get (block, "ours-options") != NULL)
    {
      g_auto(GStrv) extra = NULL;

      g_assert_true (g_shell_parse_argv (block_get (block, "ours-options"), NULL, &extra, NULL));
      for (guint i = 0; extra[i] != NULL; i++)
        g_ptr_array_add (args, g_strdup (extra[i]));
    }
  g_ptr_array_add (args, g_strdup (script));
  spawn (args, block, outcome);
}

/* ---- checking ---- */

static gboolean
find_count (const char *output,
            const char *pattern,
            guint64    *count)
{
  g_autoptr(GRegex) regex = g_regex_new (pattern, G_REGEX_MULTILINE, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *digits = NULL;

  if (!g_regex_match (regex, output, 0, &match))
    return FALSE;
  digits = g_match_info_fetch (match, 1);
  *count = g_ascii_strtoull (digits, NULL, 10);
  return TRUE;
}

static guint64
count_matches (const char *output,
               const char *pattern)
{
  g_autoptr(GRegex) regex = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  guint64 n = 0;

  for (g_regex_match (regex, output, 0, &match); g_match_info_matches (match); g_match_info_next (match, NULL))
    n++;
  return n;
}

/* "int 65", "double 14.85…", "boolean true", "null", in printing order:
 * pgbench prints "debug(script=0,command=3): int 65", we "debug: int 65". */
static GPtrArray *
debug_values (const char *output,
              gboolean    ours)
{
  GPtrArray *values = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GRegex) regex = g_regex_new (ours ? "^debug: (.*)$"
                                              : "debug\\(script=\\d+,command=\\d+\\): (.*)$",
                                         G_REGEX_MULTILINE, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  for (g_regex_match (regex, output, 0, &match); g_match_info_matches (match); g_match_info_next (match, NULL))
    g_ptr_array_add (values, g_match_info_fetch (match, 1));
  return values;
}

static gboolean
debug_value_matches (const char *actual,
                     const char *expected)
{
  if (g_str_equal (actual, expected))
    return TRUE;
  /* a double written shorter than printed */
  return strchr (expected, '.') != NULL && g_str_has_prefix (actual, expected);
}

/* @who: "pgbench" or "ours"; keys "ours-x" override "x" for ours. */
static const char *
expected (const Block *block,
          const char  *who,
          const char  *key)
{
  g_autofree char *own = g_strdup_printf ("%s-%s", who, key);
  const char *value = block_get (block, own);

  if (value == NULL && g_str_equal (who, "ours"))
    return block_get (block, key);
  return value != NULL ? value : block_get (block, key);
}

static void
check_outcome (const Block   *block,
               const char    *who,
               const Outcome *o)
{
  gboolean ours = g_str_equal (who, "ours");
  const char *value;
  static const struct { const char *key; const char *pgbench; const char *ours; } counts[] = {
    { "processed", "actually processed: (\\d+)/", "actually processed: (\\d+)" },
    { "failed", "number of failed transactions: (\\d+)", "number of failed transactions: (\\d+)" },
    { "retried", "number of transactions retried: (\\d+)", "number of transactions retried: (\\d+)" },
    { "retries", "total number of retries: (\\d+)", "total number of retries: (\\d+)" },
  };
  const char *patterns[] = { "out", ours ? "ours-out" : "pgbench-out" };

  value = expected (block, who, "exit");
  if (value != NULL && o->status != (int) g_ascii_strtoll (value, NULL, 10))
    g_error ("[%s] %s: exit status %d, expected %s; output:\n%s", block->name, who, o->status, value, o->output);

  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      guint64 count = 0;

      value = expected (block, who, counts[i].key);
      if (value == NULL)
        continue;
      if (!find_count (o->output, ours ? counts[i].ours : counts[i].pgbench, &count))
        g_error ("[%s] %s: no “%s” line; output:\n%s", block->name, who, counts[i].key, o->output);
      if (count != g_ascii_strtoull (value, NULL, 10))
        g_error ("[%s] %s: %s %" G_GUINT64_FORMAT ", expected %s; output:\n%s",
                 block->name, who, counts[i].key, count, value, o->output);
    }

  value = expected (block, who, "aborted");
  if (value != NULL)
    {
      guint64 aborted = 0;

      if (ours)
        find_count (o->output, "number of clients aborted: (\\d+)", &aborted);
      else
        aborted = count_matches (o->output, "client \\d+ aborted");
      if (aborted != g_ascii_strtoull (value, NULL, 10))
        g_error ("[%s] %s: %" G_GUINT64_FORMAT " clients aborted, expected %s; output:\n%s",
                 block->name, who, aborted, value, o->output);
    }

  for (guint k = 0; k < G_N_ELEMENTS (patterns); k++)
    {
      GPtrArray *list = block_get_all (block, patterns[k]);

      for (guint i = 0; list != NULL && i < list->len; i++)
        {
          const char *pattern = g_ptr_array_index (list, i);

          if (!g_regex_match_simple (pattern, o->output, G_REGEX_MULTILINE, 0))
            g_error ("[%s] %s: no match for /%s/; output:\n%s", block->name, who, pattern, o->output);
        }
    }

  value = expected (block, who, "debug");
  if (value != NULL)
    {
      g_auto(GStrv) want = g_strsplit (value, " | ", -1);
      g_autoptr(GPtrArray) got = debug_values (o->output, ours);

      if (got->len != g_strv_length (want))
        g_error ("[%s] %s: %u debug() values, expected %u; output:\n%s",
                 block->name, who, got->len, g_strv_length (want), o->output);
      for (guint i = 0; want[i] != NULL; i++)
        if (!debug_value_matches (g_ptr_array_index (got, i), want[i]))
          g_error ("[%s] %s: debug() value %u is “%s”, expected “%s”", block->name, who, i + 1,
                   (const char *) g_ptr_array_index (got, i), want[i]);
    }
}

static void
check_database (const Block *block,
                const char  *who)
{
  g_autofree char *own_key = g_strdup_printf ("%s-check", who);
  GPtrArray *lists[] = { block_get_all (block, "check"), block_get_all (block, own_key) };

  for (guint k = 0; k < G_N_ELEMENTS (lists); k++)
  for (guint i = 0; lists[k] != NULL && i < lists[k]->len; i++)
    {
      const char *check = g_ptr_array_index (lists[k], i);
      const char *arrow = strstr (check, " => ");
      g_autofree char *sql = NULL;
      g_autofree char *value = NULL;

      g_assert_nonnull (arrow);
      sql = g_strndup (check, arrow - check);
      value = query_value (sql);
      if (!g_str_equal (value, arrow + 4))
        g_error ("[%s] %s: “%s” gave “%s”, expected “%s”", block->name, who, sql, value, arrow + 4);
    }
}

static void
run_one (const Block *block,
         const char  *who,
         const char  *script)
{
  const char *setup = block_get (block, "setup");
  const char *runs_text = block_get (block, "runs");
  guint runs = runs_text != NULL ? (guint) g_ascii_strtoull (runs_text, NULL, 10) : 1;

  if (setup != NULL)
    run_sql (setup);
  for (guint r = 0; r < runs; r++)
    {
      g_auto(Outcome) outcome = { 0 };

      if (g_str_equal (who, "ours"))
        run_ours (block, script, &outcome);
      else
        run_pgbench (block, script, &outcome);

      if (g_str_equal (who, "ours") && block_get (block, "pending") != NULL &&
          g_regex_match_simple (block_get (block, "pending-when"), outcome.output, 0, 0))
        {
          g_test_message ("[%s] ours skipped until the CLI runs it: %s", block->name,
                          block_get (block, "pending"));
          return;
        }
      check_outcome (block, who, &outcome);
    }
  check_database (block, who);
}

static void
test_block (gconstpointer data)
{
  const Block *block = data;
  g_autofree char *script = g_build_filename (data_dir, block_get (block, "script"), NULL);

  g_assert_true (g_file_test (script, G_FILE_TEST_EXISTS));
  /* pgbench first: it proves the transcription and the expectation */
  if (pgbench_path != NULL)
    run_one (block, "pgbench", script);
  else
    g_test_message ("pgbench is not installed: only lakebase-cli is checked");
  run_one (block, "ours", script);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) blocks = NULL;
  g_autofree char *expectations = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  data_dir = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "data", "pgbench", "with-server", NULL);
  expectations = g_build_filename (data_dir, "expectations.txt", NULL);
  blocks = read_expectations (expectations);
  for (guint i = 0; i < blocks->len; i++)
    {
      Block *block = g_ptr_array_index (blocks, i);
      g_autofree char *path = g_strdup_printf ("/pgbench-corpus-flow/%s", block->name);

      g_test_add_data_func (path, block, test_block);
    }

  pgbench_path = g_find_program_in_path ("pgbench");
  if (pgbench_path == NULL && g_file_test ("/usr/lib/postgresql/15/bin/pgbench", G_FILE_TEST_IS_EXECUTABLE))
    pgbench_path = g_strdup ("/usr/lib/postgresql/15/bin/pgbench");
  tmp_dir = g_dir_make_tmp ("lb-test-pgbench-flow-XXXXXX", &error);
  g_assert_no_error (error);

  sandbox = lb_pg_sandbox_new_for_tests (FALSE);
  if (!lb_pg_sandbox_start (sandbox, NULL, &error))
    g_error ("the test server did not start: %s", error->message);
  conninfo = lb_pg_sandbox_get_conninfo (sandbox);

  status = g_test_run ();

  if (!lb_pg_sandbox_stop (sandbox, &error))
    g_warning ("the test server did not stop: %s", error->message);
  g_clear_object (&sandbox);
  lb_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  g_free (data_dir);
  g_free (pgbench_path);
  return status;
}
