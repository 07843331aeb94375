/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>
#include <libpq-fe.h>

#include "lb-test-utils.h"

/* Frees what a run captured, so that a result can be reused. */
void
lb_test_cli_result_clear (LbTestCliResult *result)
{
  g_clear_pointer (&result->out, g_free);
  g_clear_pointer (&result->err, g_free);
}

/* @first and the rest of a NULL-terminated argument list, as a
 * NULL-terminated array (the strings are borrowed): the CLI tests take a
 * command line as varargs. */
GPtrArray *
lb_test_collect_args (const char *first,
                      va_list     args)
{
  GPtrArray *array = g_ptr_array_new ();

  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (array, (char *) arg);
  g_ptr_array_add (array, NULL);

  return array;
}

/* Runs @argv (NULL-terminated, argv[0] the program) in @cwd (NULL: here)
 * with @envp and waits for it; @result gets both streams and the exit
 * status, which must be a normal exit. */
void
lb_test_run_argv (LbTestCliResult    *result,
                  const char         *cwd,
                  char              **envp,
                  GSpawnFlags         flags,
                  const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  int wait_status;

  lb_test_cli_result_clear (result);
  g_spawn_sync (cwd, (char **) argv, envp, flags, NULL, NULL,
                &result->out, &result->err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  result->status = WEXITSTATUS (wait_status);
}

/* Runs $LB_CLI with @args (NULL-terminated) in @envp and waits for it: every
 * CLI test checks the exit status and both streams of a finished run. */
void
lb_test_run_cli (LbTestCliResult    *result,
                 char              **envp,
                 GSpawnFlags         flags,
                 const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *cli = g_getenv ("LB_CLI");

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (char *) cli);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  lb_test_run_argv (result, NULL, envp, flags, (const char * const *) argv->pdata);
}

/* A command-line mistake: exit status 2, nothing on stdout, and a
 * "lakebase-cli: " message on stderr that mentions @expected. */
void
lb_test_cli_assert_usage_error (const LbTestCliResult *result,
                                const char            *expected)
{
  g_assert_cmpint (result->status, ==, 2);
  g_assert_cmpstr (result->out, ==, "");
  g_assert_true (g_str_has_prefix (result->err, "lakebase-cli: "));
  if (strstr (result->err, expected) == NULL)
    g_error ("“%s” not in stderr: %s", expected, result->err);
}

/* Parses @text with @parser (which owns the result) and checks that it is
 * a JSON object: the shape of every --json report. */
JsonObject *
lb_test_parse_json_object (const char *text,
                           JsonParser *parser)
{
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_node_get_object (json_parser_get_root (parser));
}

/* Writes @contents to @dir/@name; returns the path. Tests keep their input
 * files in a scratch directory of their own. */
char *
lb_test_write_file (const char *dir,
                    const char *name,
                    const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&path);
}

/* Removes @path and, for a directory, everything below it (a symlink is
 * removed, never followed): scratch directories must not outlive a test. */
void
lb_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    {
      g_unlink (path);
      return;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      lb_test_remove_tree (child);
    }
  g_rmdir (path);
}

/* Runs the default main context until @done returns TRUE, for at most
 * @seconds; fails the test if it never does. */
static gboolean
keep_ticking (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

void
lb_test_spin_until_func (gboolean (*done) (gpointer data),
                         gpointer  data,
                         guint     seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  /* Wakes the blocking iteration now and then, so the deadline holds even
   * when nothing else happens. */
  guint tick = g_timeout_add (50, keep_ticking, NULL);

  while (!done (data) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  g_assert_true (done (data));
}

static gboolean
flag_is_set (gpointer data)
{
  return *(gboolean *) data;
}

/* The common case of lb_test_spin_until_func(): an async callback sets @flag. */
void
lb_test_spin_until (gboolean *flag,
                    guint     seconds)
{
  lb_test_spin_until_func (flag_is_set, flag, seconds);
}

/* Dispatches whatever is pending for @ms milliseconds without blocking:
 * lets idles, timeouts and (in UI tests) frames run after a change. */
void
lb_test_spin_ms (guint ms)
{
  gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

/* lb_test_spin_ms() for the usual 100 ms. */
void
lb_test_spin_briefly (void)
{
  lb_test_spin_ms (100);
}

char *
lb_test_conninfo_value (const char *conninfo,
                        const char *keyword)
{
  PQconninfoOption *options = PQconninfoParse (conninfo, NULL);
  char *value = NULL;

  g_assert_nonnull (options);
  for (PQconninfoOption *o = options; o->keyword != NULL; o++)
    if (g_str_equal (o->keyword, keyword) && o->val != NULL)
      value = g_strdup (o->val);
  PQconninfoFree (options);
  return value;
}

static void
ignore_notice (void       *data,
               const char *message)
{
}

/* Server notices ("table does not exist, skipping") would only clutter the
 * test's output. */
static PGconn *
test_pg_connect (const char *conninfo)
{
  PGconn *conn = PQconnectdb (conninfo);

  /* Not the conninfo itself: it may hold a password. */
  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("cannot connect: %s", PQerrorMessage (conn));
  PQsetNoticeProcessor (conn, ignore_notice, NULL);
  return conn;
}

void
lb_test_pg_exec (const char *conninfo,
                 const char *sql)
{
  PGconn *conn = test_pg_connect (conninfo);
  PGresult *res;

  res = PQexec (conn, sql);
  if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQresultErrorMessage (res));
  PQclear (res);
  PQfinish (conn);
}

gint64
lb_test_pg_query_int (const char *conninfo,
                      const char *sql)
{
  PGconn *conn = test_pg_connect (conninfo);
  PGresult *res;
  gint64 value;

  res = PQexec (conn, sql);
  if (PQresultStatus (res) != PGRES_TUPLES_OK || PQntuples (res) < 1)
    g_error ("%s: %s", sql, PQresultErrorMessage (res));
  value = g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10);
  PQclear (res);
  PQfinish (conn);
  return value;
}

LbWorkload *
lb_test_sample_workload (LbFlavour flavour)
{
  g_autofree char *path = g_build_filename (g_getenv ("LB_SAMPLES_DIR"), "workload.yml", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  LbWorkload *workload = lb_workload_new_from_file (file, &error);

  g_assert_no_error (error);
  lb_workload_set_flavour (workload, flavour);
  return workload;
}

void
lb_test_async_result_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

GAsyncResult *
lb_test_wait_for_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

gint64
lb_test_rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "VmRSS:");
  g_assert_nonnull (line);
  return g_ascii_strtoll (line + strlen ("VmRSS:"), NULL, 10);
}

static GString *captured_log;
static GMutex captured_log_mutex;

static GLogWriterOutput
capture_log_writer (GLogLevelFlags   log_level,
                    const GLogField *fields,
                    gsize            n_fields,
                    gpointer         user_data)
{
  g_mutex_lock (&captured_log_mutex);
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE"))
      {
        if (fields[i].length < 0)
          g_string_append (captured_log, fields[i].value);
        else
          g_string_append_len (captured_log, fields[i].value, fields[i].length);
        g_string_append_c (captured_log, '\n');
      }
  g_mutex_unlock (&captured_log_mutex);

  if (log_level & G_LOG_LEVEL_DEBUG)
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

void
lb_test_capture_log (void)
{
  g_assert_null (captured_log);
  captured_log = g_string_new (NULL);
  g_log_set_writer_func (capture_log_writer, NULL, NULL);
}

char *
lb_test_dup_captured_log (void)
{
  char *log;

  g_assert_nonnull (captured_log);
  g_mutex_lock (&captured_log_mutex);
  log = g_strdup (captured_log->str);
  g_mutex_unlock (&captured_log_mutex);
  return log;
}
