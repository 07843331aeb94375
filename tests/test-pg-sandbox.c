/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libpq-fe.h>

#include "lb-pg-sandbox.h"
#include "lb-test-utils.h"

/* One sandbox with sample data, shared by the tests in order, because
 * creating one is the slow part. */
static LbPgSandbox *shared;

static PGconn *
connect_or_fail (const char *conninfo)
{
  PGconn *conn = PQconnectdb (conninfo);

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("Could not connect with “%s”: %s", conninfo, PQerrorMessage (conn));

  return conn;
}

static char *
query_value (PGconn     *conn,
             const char *sql)
{
  PGresult *result = PQexec (conn, sql);
  char *value;

  if (PQresultStatus (result) != PGRES_TUPLES_OK)
    g_error ("“%s” failed: %s", sql, PQresultErrorMessage (result));
  g_assert_cmpint (PQntuples (result), ==, 1);
  value = g_strdup (PQgetvalue (result, 0, 0));
  PQclear (result);

  return value;
}

static gint64
query_int (PGconn     *conn,
           const char *sql)
{
  g_autofree char *value = query_value (conn, sql);

  return g_ascii_strtoll (value, NULL, 10);
}

static void
exec_or_fail (PGconn     *conn,
              const char *sql)
{
  PGresult *result = PQexec (conn, sql);

  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    g_error ("“%s” failed: %s", sql, PQresultErrorMessage (result));
  PQclear (result);
}

/* Every column of every row, in key order. */
static char *
checksum (const char *conninfo)
{
  PGconn *conn = connect_or_fail (conninfo);
  g_autofree char *customers = NULL;
  g_autofree char *sales = NULL;

  customers = query_value (conn,
                           "SELECT md5 (string_agg (concat_ws ('|', c_customer_sk, c_customer_id,"
                           " c_first_name, c_last_name, c_email_address, c_birth_year,"
                           " c_last_review_qty), ',' ORDER BY c_customer_sk)) FROM customer");
  sales = query_value (conn,
                       "SELECT md5 (string_agg (concat_ws ('|', ss_ticket_number, ss_item_sk,"
                       " ss_customer_sk, ss_quantity, ss_sales_price, ss_sold_date_sk), ','"
                       " ORDER BY ss_item_sk, ss_ticket_number)) FROM store_sales");
  PQfinish (conn);

  g_assert_cmpuint (strlen (customers), ==, 32);
  return g_strconcat (customers, "/", sales, NULL);
}

/* The error a statement fails with: its SQLSTATE, or "" when it succeeded. */
static char *
statement_sqlstate (PGconn     *conn,
                    const char *sql)
{
  PGresult *result = PQexec (conn, sql);
  ExecStatusType status = PQresultStatus (result);
  char *sqlstate;

  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_COPY_OUT)
    sqlstate = g_strdup ("");
  else
    sqlstate = g_strdup (PQresultErrorField (result, PG_DIAG_SQLSTATE));
  PQclear (result);
  /* A COPY that did start leaves the connection in COPY OUT: drain it. */
  while ((result = PQgetResult (conn)) != NULL)
    PQclear (result);

  return sqlstate;
}

/* A shared .sql file runs as the conninfo's role: it may read and write the
 * sample tables and create its own, but not run programs, touch the
 * server's files or create anything outside its schema. */
static void
test_workload_role (void)
{
  g_autofree char *scratch = g_dir_make_tmp ("lb-sandbox-program-XXXXXX", NULL);
  g_autofree char *touched = g_build_filename (scratch, "touched", NULL);
  g_autofree char *copy_program = NULL;
  g_autofree char *copy_file = NULL;
  g_autofree char *state = NULL;
  g_autofree char *schema = NULL;
  g_autofree char *superuser = NULL;
  static const char * const server_roles[] = {
    "pg_execute_server_program", "pg_read_server_files", "pg_write_server_files",
    "pg_read_all_data", "pg_write_all_data", "pg_signal_backend",
  };
  PGconn *conn;

  g_assert_true (lb_pg_sandbox_get_running (shared));
  g_assert_nonnull (strstr (lb_pg_sandbox_get_conninfo (shared), "user=lakebase_workload"));
  /* Whoever runs the server could write the file; make the directory theirs. */
  g_chmod (scratch, 0777);

  conn = connect_or_fail (lb_pg_sandbox_get_conninfo (shared));
  superuser = query_value (conn, "SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user");
  g_assert_cmpstr (superuser, ==, "false");

  copy_program = g_strdup_printf ("COPY (SELECT 1) TO PROGRAM 'touch %s'", touched);
  state = statement_sqlstate (conn, copy_program);
  g_assert_cmpstr (state, ==, "42501");
  g_clear_pointer (&state, g_free);
  g_assert_false (g_file_test (touched, G_FILE_TEST_EXISTS));

  copy_file = g_strdup_printf ("COPY (SELECT 1) TO '%s'", touched);
  state = statement_sqlstate (conn, copy_file);
  g_assert_cmpstr (state, ==, "42501");
  g_clear_pointer (&state, g_free);
  state = statement_sqlstate (conn, "SELECT pg_read_file ('/etc/passwd')");
  g_assert_cmpstr (state, ==, "42501");
  g_clear_pointer (&state, g_free);
  g_assert_false (g_file_test (touched, G_FILE_TEST_EXISTS));

  /* Nothing outside its own schema. */
  state = statement_sqlstate (conn, "CREATE TABLE public.outside (v int)");
  g_assert_cmpstr (state, ==, "42501");
  g_clear_pointer (&state, g_free);
  state = statement_sqlstate (conn, "CREATE SCHEMA elsewhere");
  g_assert_cmpstr (state, ==, "42501");
  g_clear_pointer (&state, g_free);
  state = statement_sqlstate (conn, "CREATE DATABASE elsewhere");
  g_assert_cmpstr (state, ==, "42501");
  g_clear_pointer (&state, g_free);

  for (guint i = 0; i < G_N_ELEMENTS (server_roles); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT pg_has_role (current_user, '%s', 'MEMBER')::text",
                                              server_roles[i]);
      g_autofree char *member = query_value (conn, sql);

      g_test_message ("member of %s: %s", server_roles[i], member);
      g_assert_cmpstr (member, ==, "false");
    }

  /* Its own schema: the sample tables unqualified, and tables of its own. */
  g_assert_cmpint (query_int (conn, "SELECT count(*) FROM customer"), ==, 100000);
  exec_or_fail (conn, "CREATE TABLE workload_own (v int); INSERT INTO workload_own VALUES (1);"
                      " DROP TABLE workload_own");
  schema = query_value (conn, "SELECT relnamespace::regnamespace::text FROM pg_class"
                              " WHERE relname = 'store_sales'");
  g_assert_cmpstr (schema, ==, "lakebase_workload");
  PQfinish (conn);

  lb_test_remove_tree (scratch);
}

/* Neither the server nor its tools see the caller's secrets: the server's
 * user can read /proc/<pid>/environ. */
static void
test_minimal_environment (void)
{
  g_autoptr(LbPgSandbox) sandbox = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *pid_file = NULL;
  g_autofree char *pid_contents = NULL;
  g_autofree char *environ_path = NULL;
  g_autofree char *environ_contents = NULL;
  gsize length = 0;
  gboolean saw_path = FALSE;

  g_setenv ("DATABRICKS_TOKEN", "secret-databricks-token-for-the-test", TRUE);
  g_setenv ("PGPASSWORD", "secret-pg-password-for-the-test", TRUE);
  sandbox = lb_pg_sandbox_new_for_tests (FALSE);
  g_assert_true (lb_pg_sandbox_start (sandbox, NULL, &error));
  g_assert_no_error (error);
  g_unsetenv ("DATABRICKS_TOKEN");
  g_unsetenv ("PGPASSWORD");

  path = g_file_get_path (lb_pg_sandbox_get_directory (sandbox));
  pid_file = g_build_filename (path, "data", "postmaster.pid", NULL);
  g_assert_true (g_file_get_contents (pid_file, &pid_contents, NULL, NULL));
  *strchr (pid_contents, '\n') = '\0';
  environ_path = g_strdup_printf ("/proc/%s/environ", pid_contents);
  g_assert_true (g_file_get_contents (environ_path, &environ_contents, &length, &error));
  g_assert_no_error (error);

  for (const char *entry = environ_contents; entry < environ_contents + length;
       entry += strlen (entry) + 1)
    {
      g_test_message ("server environment: %.*s", (int) MIN (strcspn (entry, "="), 40), entry);
      g_assert_null (strstr (entry, "secret-"));
      g_assert_false (g_str_has_prefix (entry, "DATABRICKS_TOKEN="));
      g_assert_false (g_str_has_prefix (entry, "PGPASSWORD="));
      saw_path = saw_path || g_str_has_prefix (entry, "PATH=");
    }
  g_assert_true (saw_path);

  g_assert_true (lb_pg_sandbox_stop (sandbox, &error));
  g_assert_no_error (error);
}

/* start and reset must refuse @directory and leave the file in it alone. */
static void
assert_directory_refused (const char *directory,
                          const char *kept_file)
{
  g_autoptr(GFile) file = g_file_new_for_path (directory);
  g_autoptr(LbPgSandbox) sandbox = lb_pg_sandbox_new (file, FALSE);
  g_autoptr(GError) error = NULL;

  g_assert_false (lb_pg_sandbox_start (sandbox, NULL, &error));
  g_assert_error (error, LB_PG_SANDBOX_ERROR, LB_PG_SANDBOX_ERROR_DIRECTORY);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, directory));
  g_clear_error (&error);
  g_assert_true (g_file_test (kept_file, G_FILE_TEST_IS_REGULAR));

  g_assert_false (lb_pg_sandbox_reset (sandbox, NULL, &error));
  g_assert_error (error, LB_PG_SANDBOX_ERROR, LB_PG_SANDBOX_ERROR_DIRECTORY);
  g_clear_error (&error);
  g_assert_true (g_file_test (kept_file, G_FILE_TEST_IS_REGULAR));
  g_assert_false (lb_pg_sandbox_get_running (sandbox));
}

/* Someone else's directory, a link in its place, or one others may enter:
 * refused, and nothing in it deleted. */
static void
test_private_directory (void)
{
  g_autofree char *parent = g_dir_make_tmp ("lb-sandbox-private-XXXXXX", NULL);
  g_autofree char *target = g_build_filename (parent, "target", NULL);
  g_autofree char *target_data = g_build_filename (target, "data", NULL);
  g_autofree char *target_kept = g_build_filename (target_data, "kept", NULL);
  g_autofree char *link = g_build_filename (parent, "link", NULL);
  g_autofree char *open_dir = g_build_filename (parent, "open", NULL);
  g_autofree char *open_kept = g_build_filename (open_dir, "kept", NULL);
  g_autoptr(LbPgSandbox) default_sandbox = lb_pg_sandbox_new (NULL, FALSE);
  g_autofree char *default_path = g_file_get_path (lb_pg_sandbox_get_directory (default_sandbox));

  g_chmod (parent, 0755);
  g_assert_cmpint (g_mkdir_with_parents (target_data, 0700), ==, 0);
  g_chmod (target, 0700);
  g_assert_true (g_file_set_contents (target_kept, "mine", -1, NULL));
  g_assert_cmpint (symlink (target, link), ==, 0);
  assert_directory_refused (link, target_kept);

  g_assert_cmpint (g_mkdir (open_dir, 0755), ==, 0);
  g_chmod (open_dir, 0755);
  g_assert_true (g_file_set_contents (open_kept, "mine", -1, NULL));
  assert_directory_refused (open_dir, open_kept);

  /* Pre-created by another user (only root can make one here). */
  if (geteuid () == 0)
    {
      g_assert_cmpint (chown (target, 65534, 65534), ==, 0);
      assert_directory_refused (target, target_kept);
    }
  else
    g_test_message ("not root: the other user's directory is not tried");

  /* The default place: no directory on its way that others may write to
   * (where they could have put theirs first). */
  g_test_message ("default sandbox directory: %s", default_path);
  g_assert_false (g_str_has_prefix (default_path, "/var/tmp/"));
  for (char *current = g_path_get_dirname (default_path), *up;
       g_strcmp0 (current, "/") != 0;
       g_free (current), current = up)
    {
      GStatBuf st;

      if (g_lstat (current, &st) == 0)
        {
          g_assert_false (S_ISLNK (st.st_mode));
          g_assert_cmpint (st.st_mode & S_IWOTH, ==, 0);
        }
      up = g_path_get_dirname (current);
    }

  lb_test_remove_tree (parent);
}

static void
test_no_server (void)
{
  g_autoptr(LbPgSandbox) sandbox = lb_pg_sandbox_new_for_tests (FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *empty = g_dir_make_tmp ("lb-no-server-XXXXXX", NULL);
  g_autofree char *path = NULL;

  g_assert_nonnull (empty);
  lb_pg_sandbox_set_bin_dir (sandbox, empty);
  g_assert_false (lb_pg_sandbox_start (sandbox, NULL, &error));
  g_assert_error (error, LB_PG_SANDBOX_ERROR, LB_PG_SANDBOX_ERROR_NO_SERVER);
  g_assert_nonnull (strstr (error->message, "“postgresql”"));
  g_assert_false (lb_pg_sandbox_get_running (sandbox));
  g_assert_null (lb_pg_sandbox_get_conninfo (sandbox));

  /* Disposing deletes the test directory. */
  path = g_file_get_path (lb_pg_sandbox_get_directory (sandbox));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_DIR));
  g_assert_finalize_object (g_steal_pointer (&sandbox));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_rmdir (empty);
}

static void
test_start (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_file_get_path (lb_pg_sandbox_get_directory (shared));
  g_autofree char *socket_dir = g_build_filename (path, "socket", NULL);
  g_autofree char *data_dir = g_build_filename (path, "data", NULL);
  g_autofree char *expected_host = g_strdup_printf ("host=%s ", socket_dir);
  gint64 started = g_get_monotonic_time ();
  gint64 quantity = 0, cents = 0, birth_years = 0;
  const char *conninfo;
  const char *again;
  GStatBuf st;
  PGconn *conn;

  g_assert_false (lb_pg_sandbox_get_running (shared));
  g_assert_true (lb_pg_sandbox_start (shared, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("fresh sandbox with sample data started in %.2f s",
                  (g_get_monotonic_time () - started) / 1e6);
  g_assert_true (lb_pg_sandbox_get_running (shared));

  conninfo = lb_pg_sandbox_get_conninfo (shared);
  g_assert_nonnull (conninfo);
  g_assert_true (g_str_has_prefix (conninfo, expected_host));
  g_assert_nonnull (strstr (conninfo, "dbname=lakebase"));

  /* The socket directory is private; as root, the cluster is the server user's. */
  g_assert_cmpint (g_stat (socket_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  if (geteuid () == 0)
    {
      struct passwd *pw = getpwnam ("postgres");

      g_assert_nonnull (pw);
      g_assert_cmpint (g_stat (data_dir, &st), ==, 0);
      g_assert_cmpuint (st.st_uid, ==, pw->pw_uid);
    }

  conn = connect_or_fail (conninfo);
  g_assert_cmpint (query_int (conn, "SELECT count(*) FROM customer"), ==, 100000);
  g_assert_cmpint (query_int (conn, "SELECT count(*) FROM store_sales"), ==, 500000);
  g_assert_cmpint (query_int (conn, "SELECT count(DISTINCT ss_customer_sk) FROM store_sales"), ==, 100000);
  g_assert_cmpint (query_int (conn, "SELECT max(n) FROM (SELECT count(*) AS n FROM store_sales"
                                    " GROUP BY ss_customer_sk) AS per_customer"), ==, 5);
  g_assert_cmpint (query_int (conn, "SELECT current_setting('max_connections')::int"), >=, 150);
  g_assert_cmpint (query_int (conn, "SELECT count(*) FROM pg_indexes WHERE tablename = 'store_sales'"
                                    " AND indexdef LIKE '%(ss_item_sk, ss_ticket_number)%'"), ==, 1);
  g_assert_cmpint (query_int (conn, "SELECT count(*) FROM pg_indexes WHERE tablename = 'store_sales'"
                                    " AND indexdef LIKE '%(ss_customer_sk)%'"), ==, 1);
  /* ANALYZE ran: the planner knows the sizes. */
  g_assert_cmpint (query_int (conn, "SELECT reltuples::bigint FROM pg_class WHERE relname = 'store_sales'"),
                   ==, 500000);

  /* The sums the generating formulas give, computed here independently. */
  for (gint64 j = 1; j <= 500000; j++)
    {
      quantity += 1 + (j * 31) % 100;
      cents += (j * 7717) % 20000 + 99;
    }
  for (gint64 i = 1; i <= 100000; i++)
    birth_years += 1930 + (i * 37) % 70;
  g_assert_cmpint (query_int (conn, "SELECT sum(ss_quantity) FROM store_sales"), ==, quantity);
  g_assert_cmpint (query_int (conn, "SELECT (sum(ss_sales_price) * 100)::bigint FROM store_sales"), ==, cents);
  g_assert_cmpint (query_int (conn, "SELECT sum(c_birth_year) FROM customer"), ==, birth_years);
  /* The samples' lookups find rows. */
  g_assert_cmpint (query_int (conn, "SELECT count(*) FROM customer WHERE c_birth_year = 1975"), >, 1000);
  g_assert_cmpint (query_int (conn, "SELECT count(*) FROM store_sales WHERE ss_customer_sk = 4242"), ==, 5);
  PQfinish (conn);

  /* Idempotent: running already is success, and the conninfo stays put. */
  started = g_get_monotonic_time ();
  g_assert_true (lb_pg_sandbox_start (shared, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - started, <, G_USEC_PER_SEC);
  again = lb_pg_sandbox_get_conninfo (shared);
  g_assert_true (again == conninfo);
}

static void
test_checksum_stable (void)
{
  const char *conninfo = lb_pg_sandbox_get_conninfo (shared);
  g_autofree char *first = checksum (conninfo);
  g_autofree char *second = checksum (conninfo);

  g_test_message ("checksum %s", first);
  g_assert_cmpstr (first, ==, second);
}

static void
test_many_connections (void)
{
  PGconn *conns[120];

  /* The engine tests open about a hundred clients at once. */
  for (guint i = 0; i < G_N_ELEMENTS (conns); i++)
    conns[i] = connect_or_fail (lb_pg_sandbox_get_conninfo (shared));
  g_assert_cmpint (query_int (conns[0], "SELECT count(*) FROM pg_stat_activity WHERE datname = 'lakebase'"),
                   >=, (gint64) G_N_ELEMENTS (conns));
  for (guint i = 0; i < G_N_ELEMENTS (conns); i++)
    PQfinish (conns[i]);
}

static void
test_restart (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = g_strdup (lb_pg_sandbox_get_conninfo (shared));
  g_autofree char *before = checksum (conninfo);
  g_autofree char *after = NULL;
  PGconn *conn = connect_or_fail (conninfo);
  PGconn *old;
  PGresult *result;
  gint64 backend, started;

  exec_or_fail (conn, "CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)");
  backend = query_int (conn, "SELECT pg_backend_pid()");
  old = conn;

  started = g_get_monotonic_time ();
  g_assert_true (lb_pg_sandbox_restart (shared, &error));
  g_assert_no_error (error);
  g_test_message ("restart took %.2f s", (g_get_monotonic_time () - started) / 1e6);
  g_assert_true (lb_pg_sandbox_get_running (shared));

  /* The old connection is gone; the same conninfo reaches the new server. */
  result = PQexec (old, "SELECT 1");
  g_assert_cmpint (PQresultStatus (result), ==, PGRES_FATAL_ERROR);
  PQclear (result);
  PQfinish (old);
  g_assert_cmpstr (lb_pg_sandbox_get_conninfo (shared), ==, conninfo);

  conn = connect_or_fail (conninfo);
  g_assert_cmpint (query_int (conn, "SELECT pg_backend_pid()"), !=, backend);
  g_assert_cmpint (query_int (conn, "SELECT v FROM kept"), ==, 42);
  PQfinish (conn);

  after = checksum (conninfo);
  g_assert_cmpstr (before, ==, after);
}

/* A second object on the same directory reuses the cluster, adopts the
 * running server, and leaves it running when it goes away. */
static void
test_reuse (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbPgSandbox) other = lb_pg_sandbox_new (lb_pg_sandbox_get_directory (shared), TRUE);
  g_autofree char *before = checksum (lb_pg_sandbox_get_conninfo (shared));
  g_autofree char *after = NULL;
  gint64 started = g_get_monotonic_time ();
  PGconn *conn;

  g_assert_true (lb_pg_sandbox_start (other, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (lb_pg_sandbox_get_conninfo (other), ==, lb_pg_sandbox_get_conninfo (shared));
  g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_USEC_PER_SEC);
  g_assert_finalize_object (g_steal_pointer (&other));

  conn = connect_or_fail (lb_pg_sandbox_get_conninfo (shared));
  g_assert_cmpint (query_int (conn, "SELECT v FROM kept"), ==, 42);
  PQfinish (conn);

  /* Stopped, then started by another object: the data is reused, not reloaded. */
  g_assert_true (lb_pg_sandbox_stop (shared, &error));
  g_assert_no_error (error);
  other = lb_pg_sandbox_new (lb_pg_sandbox_get_directory (shared), TRUE);
  started = g_get_monotonic_time ();
  g_assert_true (lb_pg_sandbox_start (other, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("restart of an existing cluster by a new object: %.2f s",
                  (g_get_monotonic_time () - started) / 1e6);
  conn = connect_or_fail (lb_pg_sandbox_get_conninfo (other));
  g_assert_cmpint (query_int (conn, "SELECT v FROM kept"), ==, 42);
  PQfinish (conn);
  after = checksum (lb_pg_sandbox_get_conninfo (other));
  g_assert_cmpstr (before, ==, after);

  /* This one started it, so this one stops it. */
  g_assert_finalize_object (g_steal_pointer (&other));
  g_assert_true (lb_pg_sandbox_start (shared, NULL, &error));
  g_assert_no_error (error);
}

static void
test_crash_recovery (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_file_get_path (lb_pg_sandbox_get_directory (shared));
  g_autofree char *pid_path = g_build_filename (path, "data", "postmaster.pid", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *ping = NULL;
  const char *conninfo = lb_pg_sandbox_get_conninfo (shared);
  PGconn *conn;
  pid_t pid;

  g_assert_true (g_file_get_contents (pid_path, &contents, NULL, NULL));
  pid = (pid_t) g_ascii_strtoll (contents, NULL, 10);
  g_assert_cmpint (pid, >, 1);

  /* A crash leaves postmaster.pid behind. */
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  for (guint i = 0; i < 100 && kill (pid, 0) == 0; i++)
    g_usleep (50 * 1000);
  g_assert_true (g_file_test (pid_path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (PQping (conninfo), ==, PQPING_NO_RESPONSE);

  /* The server's children notice their parent died and exit; start may
   * race them, so give it the time they need. */
  for (guint attempt = 0; attempt < 20; attempt++)
    {
      g_clear_error (&error);
      if (lb_pg_sandbox_start (shared, NULL, &error))
        break;
      g_test_message ("start after a crash, attempt %u: %s", attempt + 1, error->message);
      g_usleep (500 * 1000);
    }
  g_assert_no_error (error);
  g_assert_cmpint (PQping (conninfo), ==, PQPING_OK);

  conn = connect_or_fail (conninfo);
  g_assert_cmpint (query_int (conn, "SELECT v FROM kept"), ==, 42);
  g_assert_cmpint (query_int (conn, "SELECT count(*) FROM store_sales"), ==, 500000);
  PQfinish (conn);
}

static void
test_reset (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = checksum (lb_pg_sandbox_get_conninfo (shared));
  g_autofree char *after = NULL;
  gint64 started = g_get_monotonic_time ();
  PGconn *conn;

  g_assert_true (lb_pg_sandbox_reset (shared, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("reset took %.2f s", (g_get_monotonic_time () - started) / 1e6);
  g_assert_true (lb_pg_sandbox_get_running (shared));

  conn = connect_or_fail (lb_pg_sandbox_get_conninfo (shared));
  g_assert_cmpint (query_int (conn, "SELECT count(*) FROM pg_class WHERE relname = 'kept'"), ==, 0);
  g_assert_cmpint (query_int (conn, "SELECT count(*) FROM customer"), ==, 100000);
  PQfinish (conn);

  /* The regenerated data is identical. */
  after = checksum (lb_pg_sandbox_get_conninfo (shared));
  g_assert_cmpstr (before, ==, after);
}

static void
notified_cb (GObject    *object,
             GParamSpec *pspec,
             gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
} AsyncState;

static void
started_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  AsyncState *state = user_data;

  state->ok = lb_pg_sandbox_start_finish (LB_PG_SANDBOX (object), result, &state->error);
  state->done = TRUE;
}

static void
test_stop_and_async_start (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = g_strdup (lb_pg_sandbox_get_conninfo (shared));
  AsyncState state = { 0 };
  guint notified = 0;
  gulong handler;
  PGconn *conn;

  handler = g_signal_connect (shared, "notify::running", G_CALLBACK (notified_cb), &notified);

  g_assert_true (lb_pg_sandbox_stop (shared, &error));
  g_assert_no_error (error);
  g_assert_false (lb_pg_sandbox_get_running (shared));
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpint (PQping (conninfo), ==, PQPING_NO_RESPONSE);

  /* Stopping a stopped sandbox is fine. */
  g_assert_true (lb_pg_sandbox_stop (shared, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (notified, ==, 1);

  lb_pg_sandbox_start_async (shared, NULL, started_cb, &state);
  while (!state.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (state.error);
  g_assert_true (state.ok);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_true (lb_pg_sandbox_get_running (shared));
  g_assert_cmpuint (notified, ==, 2);

  conn = connect_or_fail (lb_pg_sandbox_get_conninfo (shared));
  g_assert_cmpint (query_int (conn, "SELECT count(*) FROM store_sales"), ==, 500000);
  PQfinish (conn);

  g_signal_handler_disconnect (shared, handler);
}

static void
test_cancelled (void)
{
  g_autoptr(LbPgSandbox) sandbox = lb_pg_sandbox_new_for_tests (FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_false (lb_pg_sandbox_start (sandbox, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (lb_pg_sandbox_get_running (sandbox));
  g_assert_finalize_object (g_steal_pointer (&sandbox));
}

/* Without sample data: only the empty database; disposing stops the server
 * and deletes everything. */
static void
test_empty_and_dispose (void)
{
  g_autoptr(LbPgSandbox) sandbox = lb_pg_sandbox_new_for_tests (FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_file_get_path (lb_pg_sandbox_get_directory (sandbox));
  g_autofree char *conninfo = NULL;
  gint64 started = g_get_monotonic_time ();
  PGconn *conn;

  g_assert_true (lb_pg_sandbox_start (sandbox, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("fresh sandbox without sample data started in %.2f s",
                  (g_get_monotonic_time () - started) / 1e6);
  conninfo = g_strdup (lb_pg_sandbox_get_conninfo (sandbox));

  /* Two sandboxes run side by side. */
  g_assert_cmpstr (conninfo, !=, lb_pg_sandbox_get_conninfo (shared));
  conn = connect_or_fail (conninfo);
  g_assert_cmpint (query_int (conn, "SELECT count(*) FROM pg_class WHERE relname = 'customer'"), ==, 0);
  PQfinish (conn);

  g_assert_finalize_object (g_steal_pointer (&sandbox));
  g_assert_cmpint (PQping (conninfo), ==, PQPING_NO_RESPONSE);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

/* A test that dies on an assertion never disposes its sandbox: the
 * watchdog must stop the server and delete the directory anyway. */
static char *
abandoned_report_path (pid_t parent)
{
  g_autofree char *name = g_strdup_printf ("lb-abandoned-sandbox-%d.txt", (int) parent);

  return g_build_filename (g_get_tmp_dir (), name, NULL);
}

/* A test that dies on an assertion never disposes its sandbox: the
 * watchdog must stop the server and delete the directory anyway. */
static void
test_abandoned (void)
{
  if (g_test_subprocess ())
    {
      LbPgSandbox *sandbox = lb_pg_sandbox_new_for_tests (FALSE);
      g_autoptr(GError) error = NULL;
      g_autofree char *path = g_file_get_path (lb_pg_sandbox_get_directory (sandbox));
      g_autofree char *report = abandoned_report_path (getppid ());
      g_autofree char *contents = NULL;

      g_assert_true (lb_pg_sandbox_start (sandbox, NULL, &error));
      g_assert_no_error (error);
      contents = g_strdup_printf ("%s\n%s", path, lb_pg_sandbox_get_conninfo (sandbox));
      g_assert_true (g_file_set_contents (report, contents, -1, NULL));
      abort ();
    }
  else
    {
      g_autofree char *report = abandoned_report_path (getpid ());
      g_autofree char *contents = NULL;
      g_auto(GStrv) lines = NULL;
      guint waited;

      g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_failed ();
      g_assert_true (g_file_get_contents (report, &contents, NULL, NULL));
      g_remove (report);
      lines = g_strsplit (contents, "\n", 2);
      g_assert_cmpuint (g_strv_length (lines), ==, 2);

      for (waited = 0; waited < 200 && g_file_test (lines[0], G_FILE_TEST_EXISTS); waited++)
        g_usleep (100 * 1000);
      g_test_message ("the abandoned sandbox was gone after %.1f s", waited / 10.0);
      g_assert_false (g_file_test (lines[0], G_FILE_TEST_EXISTS));
      g_assert_cmpint (PQping (lines[1]), ==, PQPING_NO_RESPONSE);
    }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  shared = lb_pg_sandbox_new_for_tests (TRUE);

  g_test_add_func ("/pg-sandbox/no-server", test_no_server);
  g_test_add_func ("/pg-sandbox/cancelled", test_cancelled);
  g_test_add_func ("/pg-sandbox/start", test_start);
  g_test_add_func ("/pg-sandbox/checksum-stable", test_checksum_stable);
  g_test_add_func ("/pg-sandbox/workload-role", test_workload_role);
  g_test_add_func ("/pg-sandbox/minimal-environment", test_minimal_environment);
  g_test_add_func ("/pg-sandbox/private-directory", test_private_directory);
  g_test_add_func ("/pg-sandbox/many-connections", test_many_connections);
  g_test_add_func ("/pg-sandbox/restart", test_restart);
  g_test_add_func ("/pg-sandbox/reuse", test_reuse);
  g_test_add_func ("/pg-sandbox/crash-recovery", test_crash_recovery);
  g_test_add_func ("/pg-sandbox/reset", test_reset);
  g_test_add_func ("/pg-sandbox/stop-and-async-start", test_stop_and_async_start);
  g_test_add_func ("/pg-sandbox/empty-and-dispose", test_empty_and_dispose);
  g_test_add_func ("/pg-sandbox/abandoned", test_abandoned);

  status = g_test_run ();

  g_assert_finalize_object (shared);

  return status;
}
