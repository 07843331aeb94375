/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>

#include "lb-pg-sandbox.h"

#define FIRST_PORT        5433
#define DATABASE_NAME     "lakebase"
#define SERVER_USER       "postgres"
/* Set on the sample tables in the transaction that fills them, so a load
 * that was interrupted is never mistaken for a complete one. */
#define SAMPLE_MARKER     "lakebase-accelerator sample v1"
#define LOG_TAIL_LINES    12
#define BIN_DIR_ENV       "LB_PG_BINDIR"

struct _LbPgSandbox
{
  GObject       parent_instance;

  GFile        *directory;
  char         *path;
  gboolean      sample_data;
  gboolean      delete_on_dispose;
  GSubprocess  *watchdog;
  char         *bin_dir_override;
  GMainContext *main_context;

  /* Start, stop and the fields below may be used from worker threads. */
  GMutex        mutex;
  char         *bin_dir;
  guint         port;
  char         *conninfo;
  gboolean      running;
  gboolean      started_here;
};

G_DEFINE_FINAL_TYPE (LbPgSandbox, lb_pg_sandbox, G_TYPE_OBJECT)

G_DEFINE_QUARK (lb-pg-sandbox-error-quark, lb_pg_sandbox_error)

enum {
  PROP_0,
  PROP_DIRECTORY,
  PROP_SAMPLE_DATA,
  PROP_RUNNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Deterministic: every sandbox holds the same rows. The multipliers are
 * coprime with the moduli, so each customer gets exactly five sales and the
 * values spread evenly. */
static const char sample_sql[] =
  "BEGIN;\n"
  "DROP TABLE IF EXISTS store_sales, customer;\n"
  "CREATE TABLE customer (\n"
  "  c_customer_sk int PRIMARY KEY,\n"
  "  c_customer_id text,\n"
  "  c_first_name text,\n"
  "  c_last_name text,\n"
  "  c_email_address text,\n"
  "  c_birth_year int,\n"
  "  c_last_review_qty int);\n"
  "INSERT INTO customer\n"
  "SELECT i,\n"
  "       'AAAAAAAA' || lpad(upper(to_hex(i)), 8, '0'),\n"
  "       (ARRAY['James','Mary','Robert','Patricia','John','Jennifer','Michael','Linda',\n"
  "              'David','Elizabeth','William','Barbara','Richard','Susan','Joseph',\n"
  "              'Jessica','Thomas','Sarah','Charles','Karen'])[1 + (i * 7) % 20],\n"
  "       (ARRAY['Smith','Johnson','Williams','Brown','Jones','Garcia','Miller','Davis',\n"
  "              'Rodriguez','Martinez','Hernandez','Lopez','Gonzalez','Wilson','Anderson',\n"
  "              'Thomas','Taylor','Moore','Jackson','Martin','Lee','Perez','Thompson'])\n"
  "         [1 + (i * 13) % 23],\n"
  "       'customer' || i || '@example.com',\n"
  "       1930 + (i * 37) % 70,\n"
  "       (i * 11) % 10\n"
  "  FROM generate_series(1, 100000) AS i;\n"
  "CREATE TABLE store_sales (\n"
  "  ss_ticket_number bigint,\n"
  "  ss_item_sk int,\n"
  "  ss_customer_sk int,\n"
  "  ss_quantity int,\n"
  "  ss_sales_price numeric(7,2),\n"
  "  ss_sold_date_sk int);\n"
  "INSERT INTO store_sales\n"
  "SELECT j,\n"
  "       1 + (j * 7919) % 18000,\n"
  "       1 + (j * 48271) % 100000,\n"
  "       1 + (j * 31) % 100,\n"
  "       ((j * 7717) % 20000) / 100.0 + 0.99,\n"
  "       2450815 + (j * 17) % 1826\n"
  "  FROM generate_series(1::bigint, 500000) AS j;\n"
  /* Keys and indexes after the rows: building them once is much faster. */
  "ALTER TABLE store_sales ADD PRIMARY KEY (ss_item_sk, ss_ticket_number);\n"
  "CREATE INDEX store_sales_customer_idx ON store_sales (ss_customer_sk);\n"
  "COMMENT ON TABLE customer IS '" SAMPLE_MARKER "';\n"
  "COMMENT ON TABLE store_sales IS '" SAMPLE_MARKER "';\n"
  "COMMIT;\n";

/* Helpers */

static gboolean
has_server_binaries (const char *dir)
{
  static const char * const names[] = { "initdb", "pg_ctl", "postgres" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      if (!g_file_test (path, G_FILE_TEST_IS_EXECUTABLE) || g_file_test (path, G_FILE_TEST_IS_DIR))
        return FALSE;
    }

  return TRUE;
}

static int
compare_versions (gconstpointer a,
                  gconstpointer b)
{
  double x = g_ascii_strtod (*(const char * const *) a, NULL);
  double y = g_ascii_strtod (*(const char * const *) b, NULL);

  /* Newest first: "16" before "15" before "9.6". */
  return (x < y) - (x > y);
}

/* PATH first (a deliberate choice of the user), then Debian's versioned
 * directories, newest first unless the cluster is of an older version we
 * also have, then the Flatpak's. */
static char *
find_bin_dir (const char *override,
              const char *data_version)
{
  g_autofree char *initdb = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) versions = NULL;
  const char *name;

  if (override != NULL)
    return has_server_binaries (override) ? g_strdup (override) : NULL;

  initdb = g_find_program_in_path ("initdb");
  if (initdb != NULL)
    {
      g_autofree char *bin = g_path_get_dirname (initdb);

      if (has_server_binaries (bin))
        return g_steal_pointer (&bin);
    }

  if (data_version != NULL)
    {
      g_autofree char *bin = g_build_filename ("/usr/lib/postgresql", data_version, "bin", NULL);

      if (has_server_binaries (bin))
        return g_steal_pointer (&bin);
    }

  versions = g_ptr_array_new_with_free_func (g_free);
  dir = g_dir_open ("/usr/lib/postgresql", 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (versions, g_strdup (name));
  g_ptr_array_sort (versions, compare_versions);
  for (guint i = 0; i < versions->len; i++)
    {
      g_autofree char *bin = g_build_filename ("/usr/lib/postgresql",
                                               g_ptr_array_index (versions, i), "bin", NULL);

      if (has_server_binaries (bin))
        return g_steal_pointer (&bin);
    }

  if (has_server_binaries ("/app/bin"))
    return g_strdup ("/app/bin");

  return NULL;
}

/* A conninfo value, quoted when it needs to be. */
static void
append_conninfo_value (GString    *out,
                       const char *value)
{
  gboolean plain = *value != '\0';

  for (const char *p = value; *p && plain; p++)
    plain = !g_ascii_isspace (*p) && *p != '\'' && *p != '\\';

  if (plain)
    {
      g_string_append (out, value);
      return;
    }

  g_string_append_c (out, '\'');
  for (const char *p = value; *p; p++)
    {
      if (*p == '\'' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '\'');
}

static char *
build_conninfo (const char *socket_dir,
                guint       port,
                const char *dbname)
{
  GString *out = g_string_new ("host=");

  append_conninfo_value (out, socket_dir);
  g_string_append_printf (out, " port=%u dbname=", port);
  append_conninfo_value (out, dbname);
  g_string_append (out, " user=");
  append_conninfo_value (out, g_get_user_name ());

  return g_string_free (out, FALSE);
}

static char *
read_log_tail (const char *path)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint n, first;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("");

  g_strchomp (contents);
  lines = g_strsplit (contents, "\n", -1);
  n = g_strv_length (lines);
  first = n > LOG_TAIL_LINES ? n - LOG_TAIL_LINES : 0;

  return g_strjoinv ("\n", lines + first);
}

/* The server refuses to run as root; run its tools as its own user then. */
typedef struct
{
  uid_t uid;
  gid_t gid;
} Identity;

static gboolean
lookup_server_user (Identity  *identity,
                    GError   **error)
{
  struct passwd pwd, *result = NULL;
  char buffer[4096];

  if (getpwnam_r (SERVER_USER, &pwd, buffer, sizeof buffer, &result) != 0 || result == NULL)
    {
      g_set_error (error, LB_PG_SANDBOX_ERROR, LB_PG_SANDBOX_ERROR_NO_SERVER,
                   _("PostgreSQL does not run as root and there is no “%s” user to run it as. "
                     "Install the “postgresql” package, which creates it, or run as another user."),
                   SERVER_USER);
      return FALSE;
    }

  identity->uid = pwd.pw_uid;
  identity->gid = pwd.pw_gid;
  return TRUE;
}

static void
drop_privileges_cb (gpointer user_data)
{
  const Identity *identity = user_data;

  /* Between fork and exec: only async-signal-safe calls. */
  if (setgroups (1, &identity->gid) != 0
      || setgid (identity->gid) != 0
      || setuid (identity->uid) != 0)
    _exit (127);
}

static gboolean
chown_tree (const char  *path,
            uid_t        uid,
            gid_t        gid,
            GError     **error)
{
  GStatBuf st;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (g_lstat (path, &st) != 0)
    return TRUE;

  if (lchown (path, uid, gid) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not give “%s” to the “%s” user: %s"),
                   path, SERVER_USER, g_strerror (saved_errno));
      return FALSE;
    }

  if (!S_ISDIR (st.st_mode))
    return TRUE;

  dir = g_dir_open (path, 0, error);
  if (dir == NULL)
    return FALSE;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (!chown_tree (child, uid, gid, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
check_reachable (const char      *path,
                 const Identity  *identity,
                 GError         **error)
{
  g_autofree char *current = g_strdup (path);

  while (TRUE)
    {
      GStatBuf st;
      char *parent;

      if (g_stat (current, &st) == 0
          && !(st.st_mode & S_IXOTH)
          && !(st.st_uid == identity->uid && (st.st_mode & S_IXUSR))
          && !(st.st_gid == identity->gid && (st.st_mode & S_IXGRP)))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                       _("The “%s” user, who runs the sandbox server, cannot enter “%s”. "
                         "Choose a sandbox directory elsewhere."),
                       SERVER_USER, current);
          return FALSE;
        }

      parent = g_path_get_dirname (current);
      if (g_strcmp0 (parent, current) == 0)
        {
          g_free (parent);
          return TRUE;
        }
      g_free (current);
      current = parent;
    }
}

static gboolean
remove_tree (const char  *path,
             GError     **error)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return TRUE;

  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, error);
      const char *name;

      if (dir == NULL)
        return FALSE;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (!remove_tree (child, error))
            return FALSE;
        }
    }

  if (g_remove (path) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not delete “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

static char *
get_data_dir (LbPgSandbox *self)
{
  return g_build_filename (self->path, "data", NULL);
}

static char *
get_socket_dir (LbPgSandbox *self)
{
  return g_build_filename (self->path, "socket", NULL);
}

static char *
get_log_path (LbPgSandbox *self)
{
  return g_build_filename (self->path, "server.log", NULL);
}

static char *
read_data_version (LbPgSandbox *self)
{
  g_autofree char *data_dir = get_data_dir (self);
  g_autofree char *version_path = g_build_filename (data_dir, "PG_VERSION", NULL);
  char *version = NULL;

  if (!g_file_get_contents (version_path, &version, NULL, NULL))
    return NULL;

  return g_strstrip (version);
}

/* Runs one of the server's tools, as the server's user when we are root.
 * Returns its exit status in @status (-1 when it was killed) and what it
 * printed in @output; FALSE only when it could not be started at all. */
static gboolean
run_tool (LbPgSandbox         *self,
          const char * const  *argv,
          int                 *status,
          char               **output,
          GCancellable        *cancellable,
          GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *text = NULL;
  Identity identity;

  g_assert (LB_IS_PG_SANDBOX (self));

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_MERGE
                                        | G_SUBPROCESS_FLAGS_STDIN_INHERIT);
  /* The server's user may not be able to enter our working directory. */
  g_subprocess_launcher_set_cwd (launcher, self->path);
  /* Messages in English so that the errors we show match what users search for. */
  g_subprocess_launcher_setenv (launcher, "LC_MESSAGES", "C", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "PGDATA");

  if (geteuid () == 0)
    {
      if (!lookup_server_user (&identity, error))
        return FALSE;
      g_subprocess_launcher_set_child_setup (launcher, drop_privileges_cb, &identity, NULL);
    }

  process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (process == NULL)
    return FALSE;

  if (!g_subprocess_communicate_utf8 (process, NULL, cancellable, &text, NULL, error))
    {
      g_subprocess_force_exit (process);
      return FALSE;
    }

  *status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
  if (output != NULL)
    *output = g_strchomp (g_steal_pointer (&text));

  return TRUE;
}

static char *
tool_path (LbPgSandbox *self,
           const char  *name)
{
  return g_build_filename (self->bin_dir, name, NULL);
}

static gboolean
ensure_directories (LbPgSandbox  *self,
                    GError      **error)
{
  g_autofree char *socket_dir = get_socket_dir (self);
  g_autofree char *parent = g_path_get_dirname (self->path);
  gboolean as_root = geteuid () == 0;

  /* As root, the server's user must be able to walk down to the cluster. */
  if (as_root && g_mkdir_with_parents (parent, 0755) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create the sandbox directory “%s”: %s"),
                   parent, g_strerror (saved_errno));
      return FALSE;
    }

  if (g_mkdir_with_parents (self->path, 0700) != 0 || g_mkdir_with_parents (socket_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create the sandbox directory “%s”: %s"),
                   self->path, g_strerror (saved_errno));
      return FALSE;
    }

  /* Only the server (and us) may reach its socket. */
  g_chmod (socket_dir, 0700);

  if (as_root)
    {
      Identity identity;

      if (!lookup_server_user (&identity, error)
          || !check_reachable (parent, &identity, error)
          || !chown_tree (self->path, identity.uid, identity.gid, error))
        return FALSE;
    }

  return TRUE;
}

static char *
quote_conf_string (const char *value)
{
  GString *out = g_string_new ("'");

  for (const char *p = value; *p; p++)
    {
      if (*p == '\'' || *p == '\\')
        g_string_append_c (out, *p);
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '\'');

  return g_string_free (out, FALSE);
}

static gboolean
create_cluster (LbPgSandbox   *self,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autofree char *data_dir = get_data_dir (self);
  g_autofree char *socket_dir = get_socket_dir (self);
  g_autofree char *initdb = tool_path (self, "initdb");
  g_autofree char *output = NULL;
  g_autofree char *conf_path = NULL;
  g_autofree char *quoted_socket = NULL;
  g_autofree char *additions = NULL;
  FILE *file;
  gboolean ok;
  const char *argv[] = {
    initdb, "-D", data_dir, "-A", "trust", "-U", g_get_user_name (),
    "--no-sync", "-E", "UTF8", "--locale=C", NULL
  };
  int status;

  /* Whatever a crash in an earlier initdb left behind. */
  if (!remove_tree (data_dir, error))
    return FALSE;

  if (!run_tool (self, argv, &status, &output, cancellable, error))
    return FALSE;

  if (status != 0)
    {
      g_set_error (error, LB_PG_SANDBOX_ERROR, LB_PG_SANDBOX_ERROR_INITDB,
                   _("“%s” failed (exit status %d):\n%s"), initdb, status, output);
      return FALSE;
    }

  quoted_socket = quote_conf_string (socket_dir);
  additions = g_strdup_printf ("\n# Lakebase Accelerator sandbox: private, fast, throwaway.\n"
                               "listen_addresses = ''\n"
                               "unix_socket_directories = %s\n"
                               "unix_socket_permissions = 0700\n"
                               "fsync = off\n"
                               "synchronous_commit = off\n"
                               "full_page_writes = off\n"
                               "max_connections = 200\n"
                               "shared_buffers = 128MB\n",
                               quoted_socket);

  conf_path = g_build_filename (data_dir, "postgresql.conf", NULL);
  /* Appended in place, so that the file keeps the server's user as owner. */
  file = g_fopen (conf_path, "a");
  if (file == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not write “%s”: %s"), conf_path, g_strerror (saved_errno));
      return FALSE;
    }
  ok = fputs (additions, file) >= 0;
  ok = fclose (file) == 0 && ok;
  if (!ok)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not write “%s”"), conf_path);
      return FALSE;
    }

  return TRUE;
}

/* postmaster.pid: pid, data directory, start time, port, socket directory… */
static guint
read_running_port (LbPgSandbox *self)
{
  g_autofree char *data_dir = get_data_dir (self);
  g_autofree char *pid_path = g_build_filename (data_dir, "postmaster.pid", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint64 port;

  if (!g_file_get_contents (pid_path, &contents, NULL, NULL))
    return 0;

  lines = g_strsplit (contents, "\n", -1);
  if (g_strv_length (lines) < 4 || !g_ascii_string_to_unsigned (lines[3], 10, 1, 65535, &port, NULL))
    return 0;

  return (guint) port;
}

static guint
pick_port (LbPgSandbox *self)
{
  g_autofree char *socket_dir = get_socket_dir (self);

  /* The socket lives in a private directory, so the number only names the
   * socket file; skip one a stale server may have left behind. */
  for (guint port = FIRST_PORT; port < FIRST_PORT + 100; port++)
    {
      g_autofree char *name = g_strdup_printf (".s.PGSQL.%u", port);
      g_autofree char *lock = g_strdup_printf (".s.PGSQL.%u.lock", port);
      g_autofree char *socket_path = g_build_filename (socket_dir, name, NULL);
      g_autofree char *lock_path = g_build_filename (socket_dir, lock, NULL);

      if (!g_file_test (socket_path, G_FILE_TEST_EXISTS) && !g_file_test (lock_path, G_FILE_TEST_EXISTS))
        return port;
    }

  return FIRST_PORT;
}

static gboolean
server_answers (LbPgSandbox *self,
                guint        port)
{
  g_autofree char *socket_dir = get_socket_dir (self);
  g_autofree char *conninfo = build_conninfo (socket_dir, port, "postgres");

  return PQping (conninfo) == PQPING_OK;
}

static void
set_conninfo (LbPgSandbox *self,
              guint        port)
{
  g_autofree char *socket_dir = get_socket_dir (self);
  g_autofree char *conninfo = build_conninfo (socket_dir, port, DATABASE_NAME);

  self->port = port;
  /* Callers may hold the old pointer across a restart: keep it when equal. */
  if (g_strcmp0 (conninfo, self->conninfo) != 0)
    {
      g_free (self->conninfo);
      self->conninfo = g_steal_pointer (&conninfo);
    }
}

static gboolean
start_server (LbPgSandbox   *self,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autofree char *data_dir = get_data_dir (self);
  g_autofree char *log_path = get_log_path (self);
  g_autofree char *pg_ctl = tool_path (self, "pg_ctl");
  g_autofree char *output = NULL;
  g_autofree char *options = NULL;
  g_autofree char *pid_path = g_build_filename (data_dir, "postmaster.pid", NULL);
  const char *status_argv[] = { pg_ctl, "-D", data_dir, "status", NULL };
  int status;
  guint port;

  if (!run_tool (self, status_argv, &status, NULL, cancellable, error))
    return FALSE;

  if (status == 0)
    {
      /* Running already: a server an earlier process left, ours to use. A
       * postmaster.pid whose pid now belongs to something else does not answer. */
      port = read_running_port (self);
      if (port != 0 && server_answers (self, port))
        {
          set_conninfo (self, port);
          self->started_here = FALSE;
          return TRUE;
        }

      g_message ("Removing the stale “%s”", pid_path);
      g_remove (pid_path);
    }

  /* Keep the port across restarts so that clients reconnect to the same place. */
  port = self->port != 0 ? self->port : pick_port (self);
  options = g_strdup_printf ("-p %u", port);

  {
    const char *start_argv[] = {
      pg_ctl, "-D", data_dir, "-l", log_path, "-w", "-t", "60", "-o", options, "start", NULL
    };

    if (!run_tool (self, start_argv, &status, &output, cancellable, error))
      return FALSE;
  }

  if (status != 0)
    {
      g_autofree char *tail = read_log_tail (log_path);

      g_set_error (error, LB_PG_SANDBOX_ERROR, LB_PG_SANDBOX_ERROR_START,
                   _("“%s start” failed (exit status %d): %s\nLast lines of %s:\n%s"),
                   pg_ctl, status, output, log_path, tail);
      return FALSE;
    }

  set_conninfo (self, port);
  self->started_here = TRUE;
  return TRUE;
}

static gboolean
stop_server (LbPgSandbox  *self,
             GError      **error)
{
  g_autofree char *data_dir = get_data_dir (self);
  g_autofree char *pg_ctl = NULL;
  g_autofree char *output = NULL;
  int status;

  if (self->bin_dir == NULL)
    return TRUE;

  pg_ctl = tool_path (self, "pg_ctl");

  {
    const char *argv[] = { pg_ctl, "-D", data_dir, "-m", "fast", "-w", "-t", "60", "stop", NULL };

    if (!run_tool (self, argv, &status, &output, NULL, error))
      return FALSE;
  }

  /* 3 means not running: already where we want to be. */
  if (status != 0 && status != 3 && read_running_port (self) != 0)
    {
      g_autofree char *log_path = get_log_path (self);
      g_autofree char *tail = read_log_tail (log_path);

      g_set_error (error, LB_PG_SANDBOX_ERROR, LB_PG_SANDBOX_ERROR_START,
                   _("“%s stop” failed (exit status %d): %s\nLast lines of %s:\n%s"),
                   pg_ctl, status, output, log_path, tail);
      return FALSE;
    }

  return TRUE;
}

static gboolean
exec_sql (PGconn      *conn,
          const char  *sql,
          PGresult   **result_out,
          GError     **error)
{
  PGresult *result = PQexec (conn, sql);
  ExecStatusType status = PQresultStatus (result);

  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    {
      g_set_error (error, LB_PG_SANDBOX_ERROR, LB_PG_SANDBOX_ERROR_SQL,
                   _("Preparing the sandbox database failed: %s"),
                   PQresultErrorMessage (result));
      PQclear (result);
      return FALSE;
    }

  if (result_out != NULL)
    *result_out = result;
  else
    PQclear (result);

  return TRUE;
}

static void
ignore_notice_cb (void       *user_data,
                  const char *message)
{
}

static PGconn *
connect_to (LbPgSandbox  *self,
            const char   *dbname,
            GError      **error)
{
  g_autofree char *socket_dir = get_socket_dir (self);
  g_autofree char *conninfo = build_conninfo (socket_dir, self->port, dbname);
  PGconn *conn = PQconnectdb (conninfo);

  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_set_error (error, LB_PG_SANDBOX_ERROR, LB_PG_SANDBOX_ERROR_SQL,
                   _("Could not connect to the sandbox server (%s): %s"),
                   conninfo, PQerrorMessage (conn));
      PQfinish (conn);
      return NULL;
    }

  /* "table does not exist, skipping" and friends are expected here. */
  PQsetNoticeProcessor (conn, ignore_notice_cb, NULL);

  return conn;
}

static gboolean
prepare_database (LbPgSandbox   *self,
                  GCancellable  *cancellable,
                  GError       **error)
{
  PGconn *conn;
  PGresult *result = NULL;
  gboolean exists, ok;

  conn = connect_to (self, "postgres", error);
  if (conn == NULL)
    return FALSE;

  ok = exec_sql (conn, "SELECT 1 FROM pg_database WHERE datname = '" DATABASE_NAME "'",
                 &result, error);
  exists = ok && PQntuples (result) > 0;
  g_clear_pointer (&result, PQclear);
  if (ok && !exists)
    ok = exec_sql (conn, "CREATE DATABASE " DATABASE_NAME, NULL, error);
  PQfinish (conn);
  if (!ok || !self->sample_data)
    return ok;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  conn = connect_to (self, DATABASE_NAME, error);
  if (conn == NULL)
    return FALSE;

  ok = exec_sql (conn,
                 "SELECT count(*) FROM pg_class c"
                 " WHERE c.relnamespace = 'public'::regnamespace"
                 "   AND c.relname IN ('customer', 'store_sales')"
                 "   AND obj_description (c.oid, 'pg_class') = '" SAMPLE_MARKER "'",
                 &result, error);
  exists = ok && g_strcmp0 (PQgetvalue (result, 0, 0), "2") == 0;
  g_clear_pointer (&result, PQclear);

  if (ok && !exists)
    ok = exec_sql (conn, sample_sql, NULL, error)
         && exec_sql (conn, "ANALYZE customer, store_sales", NULL, error);

  PQfinish (conn);
  return ok;
}

static gboolean
notify_running_cb (gpointer user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(LbPgSandbox) self = g_weak_ref_get (weak);

  if (self != NULL)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  return G_SOURCE_REMOVE;
}

static void
free_weak_ref (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static void
set_running (LbPgSandbox *self,
             gboolean     running)
{
  GWeakRef *weak;

  g_assert (LB_IS_PG_SANDBOX (self));

  if (self->running == running)
    return;
  self->running = running;

  /* Notified where the object lives, whichever thread started the server;
   * a weak reference so that a pending notification keeps nothing alive. */
  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, self);
  g_main_context_invoke_full (self->main_context, G_PRIORITY_DEFAULT,
                              notify_running_cb, weak, free_weak_ref);
}

/* Test fixtures abort on a failed assertion, and dispose never runs then: a
 * helper that waits for our end of a pipe to close stops the server and
 * deletes the directory, so no crashed test leaves a server behind. */
static void
spawn_watchdog (LbPgSandbox *self)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pg_ctl = tool_path (self, "pg_ctl");
  g_autofree char *data_dir = get_data_dir (self);
  const char *argv[] = {
    "/bin/sh", "-c", "cat >/dev/null; \"$0\" -D \"$1\" -m immediate -w stop; rm -rf \"$2\"",
    pg_ctl, data_dir, self->path, NULL
  };
  Identity identity;

  g_assert (LB_IS_PG_SANDBOX (self));

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                        | G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                        | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_cwd (launcher, "/");
  if (geteuid () == 0)
    {
      if (!lookup_server_user (&identity, NULL))
        return;
      g_subprocess_launcher_set_child_setup (launcher, drop_privileges_cb, &identity, NULL);
    }

  self->watchdog = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (self->watchdog == NULL)
    g_message ("No watchdog for the test sandbox: %s", error->message);
}

static gboolean
start_locked (LbPgSandbox   *self,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autofree char *data_version = NULL;
  g_autofree char *tool_version = NULL;
  g_autofree char *pg_ctl = NULL;
  int status;

  g_assert (LB_IS_PG_SANDBOX (self));

  if (self->running && self->port != 0 && server_answers (self, self->port))
    return TRUE;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  data_version = read_data_version (self);
  if (self->bin_dir == NULL)
    {
      self->bin_dir = find_bin_dir (self->bin_dir_override, data_version);
      if (self->bin_dir == NULL)
        {
          g_set_error (error, LB_PG_SANDBOX_ERROR, LB_PG_SANDBOX_ERROR_NO_SERVER,
                       _("No PostgreSQL server programs (initdb, pg_ctl, postgres) were found. "
                         "Install the “postgresql” package (Debian, Ubuntu) or your "
                         "distribution’s PostgreSQL server package, or connect to a server of your own."));
          return FALSE;
        }
    }

  if (!ensure_directories (self, error))
    return FALSE;

  /* A cluster of another major version cannot be started by these
   * binaries; it is a throwaway, so make a new one. */
  pg_ctl = tool_path (self, "pg_ctl");
  {
    const char *argv[] = { pg_ctl, "--version", NULL };

    if (data_version != NULL
        && run_tool (self, argv, &status, &tool_version, cancellable, NULL)
        && status == 0)
      {
        g_autofree char *prefix = g_strdup_printf ("(PostgreSQL) %s.", data_version);
        g_autofree char *prefix_old = g_strdup_printf ("(PostgreSQL) %s", data_version);

        if (strstr (tool_version, prefix) == NULL && strstr (tool_version, prefix_old) == NULL)
          {
            g_message ("The sandbox cluster is PostgreSQL %s, the server is “%s”: recreating it",
                       data_version, tool_version);
            g_clear_pointer (&data_version, g_free);
          }
      }
  }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (data_version == NULL && !create_cluster (self, cancellable, error))
    return FALSE;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (!start_server (self, cancellable, error))
    return FALSE;
  set_running (self, TRUE);

  if (self->delete_on_dispose && self->watchdog == NULL)
    spawn_watchdog (self);

  if (!prepare_database (self, cancellable, error))
    return FALSE;

  g_debug ("Sandbox running: %s", self->conninfo);

  return TRUE;
}

static gboolean
stop_locked (LbPgSandbox  *self,
             GError      **error)
{
  if (!self->running)
    return TRUE;

  if (!stop_server (self, error))
    return FALSE;

  self->started_here = FALSE;
  set_running (self, FALSE);
  return TRUE;
}

static void
start_thread_cb (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  LbPgSandbox *self = source_object;
  GError *error = NULL;
  gboolean ok;

  g_mutex_lock (&self->mutex);
  ok = start_locked (self, cancellable, &error);
  g_mutex_unlock (&self->mutex);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* GObject */

static void
lb_pg_sandbox_constructed (GObject *object)
{
  LbPgSandbox *self = LB_PG_SANDBOX (object);

  G_OBJECT_CLASS (lb_pg_sandbox_parent_class)->constructed (object);

  if (self->directory == NULL)
    {
      g_autofree char *path = NULL;

      /* As root the server runs as another user, who cannot enter root's
       * home: keep the cluster where that user can reach it. */
      if (geteuid () == 0)
        path = g_build_filename ("/var/tmp", "lakebase-accelerator-root", "sandbox", NULL);
      else
        path = g_build_filename (g_get_user_cache_dir (), "lakebase-accelerator", "sandbox", NULL);
      self->directory = g_file_new_for_path (path);
    }

  self->path = g_file_get_path (self->directory);
  self->bin_dir_override = g_strdup (g_getenv (BIN_DIR_ENV));
}

static void
lb_pg_sandbox_dispose (GObject *object)
{
  LbPgSandbox *self = LB_PG_SANDBOX (object);

  g_mutex_lock (&self->mutex);

  if (self->running && self->started_here)
    {
      g_autoptr(GError) error = NULL;

      if (!stop_locked (self, &error))
        g_message ("Could not stop the sandbox server: %s", error->message);
    }
  self->running = FALSE;

  if (self->delete_on_dispose && self->path != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!remove_tree (self->path, &error))
        g_message ("Could not delete the sandbox: %s", error->message);
      self->delete_on_dispose = FALSE;
    }

  /* Done by now: closing its pipe lets the watchdog exit. */
  if (self->watchdog != NULL)
    {
      g_output_stream_close (g_subprocess_get_stdin_pipe (self->watchdog), NULL, NULL);
      g_clear_object (&self->watchdog);
    }

  g_mutex_unlock (&self->mutex);

  G_OBJECT_CLASS (lb_pg_sandbox_parent_class)->dispose (object);
}

static void
lb_pg_sandbox_finalize (GObject *object)
{
  LbPgSandbox *self = LB_PG_SANDBOX (object);

  g_clear_object (&self->directory);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->bin_dir_override, g_free);
  g_clear_pointer (&self->bin_dir, g_free);
  g_clear_pointer (&self->conninfo, g_free);
  g_clear_pointer (&self->main_context, g_main_context_unref);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (lb_pg_sandbox_parent_class)->finalize (object);
}

static void
lb_pg_sandbox_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LbPgSandbox *self = LB_PG_SANDBOX (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      g_value_set_object (value, lb_pg_sandbox_get_directory (self));
      break;

    case PROP_SAMPLE_DATA:
      g_value_set_boolean (value, self->sample_data);
      break;

    case PROP_RUNNING:
      g_value_set_boolean (value, lb_pg_sandbox_get_running (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_pg_sandbox_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  LbPgSandbox *self = LB_PG_SANDBOX (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      self->directory = g_value_dup_object (value);
      break;

    case PROP_SAMPLE_DATA:
      self->sample_data = g_value_get_boolean (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_pg_sandbox_class_init (LbPgSandboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = lb_pg_sandbox_constructed;
  object_class->dispose = lb_pg_sandbox_dispose;
  object_class->finalize = lb_pg_sandbox_finalize;
  object_class->get_property = lb_pg_sandbox_get_property;
  object_class->set_property = lb_pg_sandbox_set_property;

  properties[PROP_DIRECTORY] =
    g_param_spec_object ("directory", NULL, NULL,
                         G_TYPE_FILE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SAMPLE_DATA] =
    g_param_spec_boolean ("sample-data", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lb_pg_sandbox_init (LbPgSandbox *self)
{
  g_mutex_init (&self->mutex);
  self->main_context = g_main_context_ref_thread_default ();
}

/* Public API */

LbPgSandbox *
lb_pg_sandbox_new (GFile    *directory,
                   gboolean  sample_data)
{
  g_return_val_if_fail (directory == NULL || G_IS_FILE (directory), NULL);

  return g_object_new (LB_TYPE_PG_SANDBOX,
                       "directory", directory,
                       "sample-data", sample_data,
                       NULL);
}

LbPgSandbox *
lb_pg_sandbox_new_for_tests (gboolean sample_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_dir_make_tmp ("lb-sandbox-XXXXXX", &error);
  g_autoptr(GFile) directory = NULL;
  LbPgSandbox *self;

  if (path == NULL)
    g_error ("Could not create a temporary directory for the sandbox: %s", error->message);

  directory = g_file_new_for_path (path);
  self = lb_pg_sandbox_new (directory, sample_data);
  self->delete_on_dispose = TRUE;

  return self;
}

void
lb_pg_sandbox_set_bin_dir (LbPgSandbox *self,
                           const char  *bin_dir)
{
  g_return_if_fail (LB_IS_PG_SANDBOX (self));

  g_mutex_lock (&self->mutex);
  g_free (self->bin_dir_override);
  self->bin_dir_override = g_strdup (bin_dir);
  if (!self->running)
    g_clear_pointer (&self->bin_dir, g_free);
  g_mutex_unlock (&self->mutex);
}

GFile *
lb_pg_sandbox_get_directory (LbPgSandbox *self)
{
  g_return_val_if_fail (LB_IS_PG_SANDBOX (self), NULL);

  return self->directory;
}

gboolean
lb_pg_sandbox_get_running (LbPgSandbox *self)
{
  gboolean running;

  g_return_val_if_fail (LB_IS_PG_SANDBOX (self), FALSE);

  g_mutex_lock (&self->mutex);
  running = self->running;
  g_mutex_unlock (&self->mutex);

  return running;
}

const char *
lb_pg_sandbox_get_conninfo (LbPgSandbox *self)
{
  g_return_val_if_fail (LB_IS_PG_SANDBOX (self), NULL);

  return self->conninfo;
}

gboolean
lb_pg_sandbox_start (LbPgSandbox   *self,
                     GCancellable  *cancellable,
                     GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (LB_IS_PG_SANDBOX (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->mutex);
  ok = start_locked (self, cancellable, error);
  g_mutex_unlock (&self->mutex);

  return ok;
}

void
lb_pg_sandbox_start_async (LbPgSandbox         *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LB_IS_PG_SANDBOX (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_pg_sandbox_start_async);
  g_task_run_in_thread (task, start_thread_cb);
}

gboolean
lb_pg_sandbox_start_finish (LbPgSandbox   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (LB_IS_PG_SANDBOX (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
lb_pg_sandbox_stop (LbPgSandbox  *self,
                    GError      **error)
{
  gboolean ok;

  g_return_val_if_fail (LB_IS_PG_SANDBOX (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->mutex);
  ok = stop_locked (self, error);
  g_mutex_unlock (&self->mutex);

  return ok;
}

gboolean
lb_pg_sandbox_reset (LbPgSandbox   *self,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autofree char *data_dir = NULL;
  g_autofree char *log_path = NULL;
  gboolean ok;

  g_return_val_if_fail (LB_IS_PG_SANDBOX (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  data_dir = get_data_dir (self);
  log_path = get_log_path (self);

  g_mutex_lock (&self->mutex);
  if (self->bin_dir == NULL)
    {
      g_autofree char *data_version = read_data_version (self);

      self->bin_dir = find_bin_dir (self->bin_dir_override, data_version);
    }
  /* Stopped even when not started by this object: a server an earlier
   * process left running must not keep the deleted files open. With no
   * cluster yet there is nothing to stop. */
  ok = !g_file_test (data_dir, G_FILE_TEST_IS_DIR) || stop_server (self, error);
  if (ok)
    {
      self->started_here = FALSE;
      set_running (self, FALSE);
    }
  ok = ok
       && remove_tree (data_dir, error)
       && remove_tree (log_path, error)
       && start_locked (self, cancellable, error);
  g_mutex_unlock (&self->mutex);

  return ok;
}

gboolean
lb_pg_sandbox_restart (LbPgSandbox  *self,
                       GError      **error)
{
  gboolean ok;

  g_return_val_if_fail (LB_IS_PG_SANDBOX (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->mutex);
  ok = stop_locked (self, error) && start_locked (self, NULL, error);
  g_mutex_unlock (&self->mutex);

  return ok;
}
