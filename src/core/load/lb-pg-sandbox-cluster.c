/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sandbox's cluster on disk and its server: finding the PostgreSQL
 * binaries, initdb, pg_ctl start and stop on a private unix socket, run as
 * the "postgres" user when we are root, and the conninfo that reaches it. */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>

#include "lb-pg-sandbox-private.h"

#define FIRST_PORT        5433
#define SERVER_USER       "postgres"
#define LOG_TAIL_LINES    12

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
char *
_lb_pg_sandbox_find_bin_dir (const char *override,
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

char *
_lb_pg_sandbox_build_conninfo (const char *socket_dir,
                               guint       port,
                               const char *dbname,
                               const char *user)
{
  GString *out = g_string_new ("host=");

  append_conninfo_value (out, socket_dir);
  g_string_append_printf (out, " port=%u dbname=", port);
  append_conninfo_value (out, dbname);
  g_string_append (out, " user=");
  append_conninfo_value (out, user);

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

gboolean
_lb_pg_sandbox_lookup_server_user (LbPgSandboxIdentity *identity,
                                   GError             **error)
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

void
_lb_pg_sandbox_drop_privileges_cb (gpointer user_data)
{
  const LbPgSandboxIdentity *identity = user_data;

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
check_reachable (const char                *path,
                 const LbPgSandboxIdentity *identity,
                 GError                   **error)
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

gboolean
_lb_pg_sandbox_remove_tree (const char  *path,
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

          if (!_lb_pg_sandbox_remove_tree (child, error))
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

char *
_lb_pg_sandbox_get_data_dir (LbPgSandbox *self)
{
  return g_build_filename (self->path, "data", NULL);
}

char *
_lb_pg_sandbox_get_socket_dir (LbPgSandbox *self)
{
  return g_build_filename (self->path, "socket", NULL);
}

char *
_lb_pg_sandbox_get_log_path (LbPgSandbox *self)
{
  return g_build_filename (self->path, "server.log", NULL);
}

char *
_lb_pg_sandbox_read_data_version (LbPgSandbox *self)
{
  g_autofree char *data_dir = _lb_pg_sandbox_get_data_dir (self);
  g_autofree char *version_path = g_build_filename (data_dir, "PG_VERSION", NULL);
  char *version = NULL;

  if (!g_file_get_contents (version_path, &version, NULL, NULL))
    return NULL;

  return g_strstrip (version);
}

/* Runs one of the server's tools, as the server's user when we are root.
 * Returns its exit status in @status (-1 when it was killed) and what it
 * printed in @output; FALSE only when it could not be started at all. */
gboolean
_lb_pg_sandbox_run_tool (LbPgSandbox         *self,
                         const char * const  *argv,
                         int                 *status,
                         char               **output,
                         GCancellable        *cancellable,
                         GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *text = NULL;
  LbPgSandboxIdentity identity;

  g_assert (LB_IS_PG_SANDBOX (self));

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_MERGE
                                        | G_SUBPROCESS_FLAGS_STDIN_INHERIT);
  /* The server's user may not be able to enter our working directory. */
  g_subprocess_launcher_set_cwd (launcher, self->path);

  if (geteuid () == 0)
    {
      if (!_lb_pg_sandbox_lookup_server_user (&identity, error))
        return FALSE;
      g_subprocess_launcher_set_child_setup (launcher, _lb_pg_sandbox_drop_privileges_cb,
                                             &identity, NULL);
    }
  _lb_pg_sandbox_set_minimal_environment (self, launcher);

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

void
_lb_pg_sandbox_set_minimal_environment (LbPgSandbox         *self,
                                        GSubprocessLauncher *launcher)
{
  g_autofree char *path = g_strdup_printf ("%s:/usr/local/bin:/usr/bin:/bin",
                                           self->bin_dir != NULL ? self->bin_dir : "/usr/bin");
  g_autofree char *home = NULL;
  const char *tz = g_getenv ("TZ");
  g_autoptr(GPtrArray) envp = g_ptr_array_new_with_free_func (g_free);

  if (geteuid () == 0)
    {
      struct passwd pwd, *result = NULL;
      char buffer[4096];

      if (getpwnam_r (SERVER_USER, &pwd, buffer, sizeof buffer, &result) == 0 && result != NULL)
        home = g_strdup (pwd.pw_dir);
    }
  if (home == NULL)
    home = g_strdup (g_get_home_dir ());

  /* The server and its tools outlive our secrets' reach otherwise: the
   * "postgres" user can read the environment of its processes, so they get
   * only what they need, never DATABRICKS_TOKEN, PGPASSWORD or PGDATA.
   * LC_ALL=C: messages in English, so that the errors we show match what
   * users search for (the cluster's own locale is set by initdb). */
  g_ptr_array_add (envp, g_strconcat ("PATH=", path, NULL));
  g_ptr_array_add (envp, g_strconcat ("HOME=", home, NULL));
  g_ptr_array_add (envp, g_strdup ("LC_ALL=C"));
  if (tz != NULL)
    g_ptr_array_add (envp, g_strconcat ("TZ=", tz, NULL));
  g_ptr_array_add (envp, NULL);

  g_subprocess_launcher_set_environ (launcher, (char **) envp->pdata);
}

char *
_lb_pg_sandbox_tool_path (LbPgSandbox *self,
                          const char  *name)
{
  return g_build_filename (self->bin_dir, name, NULL);
}

static gboolean
is_private_directory (const GStatBuf *st)
{
  LbPgSandboxIdentity server;

  if (!S_ISDIR (st->st_mode) || (st->st_mode & 07777) != 0700)
    return FALSE;
  if (st->st_uid == geteuid ())
    return TRUE;

  /* As root the tree is handed to the server's user on the first start. */
  return geteuid () == 0
         && _lb_pg_sandbox_lookup_server_user (&server, NULL)
         && st->st_uid == server.uid;
}

gboolean
_lb_pg_sandbox_check_directory (LbPgSandbox  *self,
                                GError      **error)
{
  GStatBuf st;

  if (g_lstat (self->path, &st) != 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT)
        return TRUE;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not check the sandbox directory “%s”: %s"),
                   self->path, g_strerror (saved_errno));
      return FALSE;
    }

  /* Someone else's directory, or a link to one, could make us delete or
   * hand over files that are not the sandbox's. */
  if (!is_private_directory (&st))
    {
      g_set_error (error, LB_PG_SANDBOX_ERROR, LB_PG_SANDBOX_ERROR_DIRECTORY,
                   _("The sandbox directory “%s” is not a private directory of this user "
                     "(it must be a directory, not a symbolic link, owned by you with "
                     "permissions 0700), so the sandbox leaves it alone. "
                     "Remove it or choose another directory."),
                   self->path);
      return FALSE;
    }

  return TRUE;
}

/* Root's default base directory, /var/cache/lakebase-accelerator: made by
 * root, so nobody else can have made it first; 0711, so that the server's
 * user can pass through it but not list or change it. */
static gboolean
ensure_root_base_directory (const char  *base,
                            GError     **error)
{
  GStatBuf st;

  if (g_mkdir (base, 0711) != 0 && errno != EEXIST)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create the sandbox directory “%s”: %s"),
                   base, g_strerror (saved_errno));
      return FALSE;
    }

  if (g_lstat (base, &st) != 0 || !S_ISDIR (st.st_mode) || st.st_uid != 0
      || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    {
      g_set_error (error, LB_PG_SANDBOX_ERROR, LB_PG_SANDBOX_ERROR_DIRECTORY,
                   _("“%s” is not a directory owned by root and writable only by root, "
                     "so the sandbox does not use it. Remove it and try again."),
                   base);
      return FALSE;
    }

  /* Whatever the umask made of it: the server's user must pass through. */
  if ((st.st_mode & 07777) != 0711)
    g_chmod (base, 0711);

  return TRUE;
}

gboolean
_lb_pg_sandbox_ensure_directories (LbPgSandbox  *self,
                                   GError      **error)
{
  g_autofree char *socket_dir = _lb_pg_sandbox_get_socket_dir (self);
  g_autofree char *parent = g_path_get_dirname (self->path);
  gboolean as_root = geteuid () == 0;
  int mkdir_errno = 0;

  if (self->default_location && as_root)
    {
      if (!ensure_root_base_directory (parent, error))
        return FALSE;
    }
  else if (g_mkdir_with_parents (parent, 0700) != 0)
    mkdir_errno = errno;

  /* One level at a time: an existing directory is checked before use. */
  if (mkdir_errno == 0 && g_mkdir (self->path, 0700) != 0 && errno != EEXIST)
    mkdir_errno = errno;
  if (mkdir_errno != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (mkdir_errno),
                   _("Could not create the sandbox directory “%s”: %s"),
                   self->path, g_strerror (mkdir_errno));
      return FALSE;
    }

  if (!_lb_pg_sandbox_check_directory (self, error))
    return FALSE;

  if (g_mkdir (socket_dir, 0700) != 0 && errno != EEXIST)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create the sandbox directory “%s”: %s"),
                   socket_dir, g_strerror (saved_errno));
      return FALSE;
    }

  /* Only the server (and us) may reach its socket. */
  g_chmod (socket_dir, 0700);

  if (as_root)
    {
      LbPgSandboxIdentity identity;

      if (!_lb_pg_sandbox_lookup_server_user (&identity, error)
          || !check_reachable (parent, &identity, error)
          || !chown_tree (self->path, identity.uid, identity.gid, error))
        return FALSE;
    }

  return TRUE;
}

gboolean
_lb_pg_sandbox_remove_cluster_file (LbPgSandbox  *self,
                                    const char   *path,
                                    GError      **error)
{
  const char *argv[] = { "/bin/rm", "-rf", "--", path, NULL };
  g_autofree char *output = NULL;
  GStatBuf st;
  int status;

  if (geteuid () != 0)
    return _lb_pg_sandbox_remove_tree (path, error);
  if (g_lstat (path, &st) != 0)
    return TRUE;

  if (!_lb_pg_sandbox_run_tool (self, argv, &status, &output, NULL, error))
    return FALSE;
  if (status != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not delete “%s”: %s"), path, output);
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

gboolean
_lb_pg_sandbox_create_cluster (LbPgSandbox   *self,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_autofree char *data_dir = _lb_pg_sandbox_get_data_dir (self);
  g_autofree char *socket_dir = _lb_pg_sandbox_get_socket_dir (self);
  g_autofree char *initdb = _lb_pg_sandbox_tool_path (self, "initdb");
  g_autofree char *output = NULL;
  g_autofree char *conf_path = NULL;
  g_autofree char *quoted_socket = NULL;
  g_autofree char *additions = NULL;
  const char *preload;
  FILE *file;
  gboolean ok;
  const char *argv[] = {
    initdb, "-D", data_dir, "-A", "trust", "-U", g_get_user_name (),
    "--no-sync", "-E", "UTF8", "--locale=C", NULL
  };
  int status;

  /* Whatever a crash in an earlier initdb left behind. */
  if (!_lb_pg_sandbox_remove_cluster_file (self, data_dir, error))
    return FALSE;

  if (!_lb_pg_sandbox_run_tool (self, argv, &status, &output, cancellable, error))
    return FALSE;

  if (status != 0)
    {
      g_set_error (error, LB_PG_SANDBOX_ERROR, LB_PG_SANDBOX_ERROR_INITDB,
                   _("“%s” failed (exit status %d):\n%s"), initdb, status, output);
      return FALSE;
    }

  quoted_socket = quote_conf_string (socket_dir);
  /* What the server saw during a run (LbServerSnapshot): preloaded only
   * where contrib is installed (bin/../lib), else the server would not start.
   * Found there in Debian's and the Flatpak's layouts. */
  {
    /* initdb may be a link (/usr/local/bin/initdb): where it really is. */
    g_autofree char *real = realpath (initdb, NULL);
    g_autofree char *bin = g_path_get_dirname (real != NULL ? real : initdb);
    g_autofree char *library = g_build_filename (bin, "..", "lib", "pg_stat_statements.so", NULL);

    preload = g_file_test (library, G_FILE_TEST_EXISTS) ? "shared_preload_libraries = 'pg_stat_statements'\n" : "";
  }
  additions = g_strdup_printf ("\n# Lakebase Accelerator sandbox: private, fast, throwaway.\n"
                               "listen_addresses = ''\n"
                               "unix_socket_directories = %s\n"
                               "unix_socket_permissions = 0700\n"
                               "fsync = off\n"
                               "synchronous_commit = off\n"
                               "full_page_writes = off\n"
                               "max_connections = 200\n"
                               "shared_buffers = 128MB\n"
                               "%s",
                               quoted_socket, preload);

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
  g_autofree char *data_dir = _lb_pg_sandbox_get_data_dir (self);
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
  g_autofree char *socket_dir = _lb_pg_sandbox_get_socket_dir (self);

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

gboolean
_lb_pg_sandbox_server_answers (LbPgSandbox *self,
                               guint        port)
{
  g_autofree char *socket_dir = _lb_pg_sandbox_get_socket_dir (self);
  g_autofree char *conninfo = _lb_pg_sandbox_build_conninfo (socket_dir, port, "postgres",
                                                              g_get_user_name ());

  return PQping (conninfo) == PQPING_OK;
}

static void
set_conninfo (LbPgSandbox *self,
              guint        port)
{
  g_autofree char *socket_dir = _lb_pg_sandbox_get_socket_dir (self);
  g_autofree char *conninfo = _lb_pg_sandbox_build_conninfo (socket_dir, port, DATABASE_NAME,
                                                              WORKLOAD_ROLE);

  self->port = port;
  g_free (self->admin_conninfo);
  self->admin_conninfo = _lb_pg_sandbox_build_conninfo (socket_dir, port, DATABASE_NAME,
                                                        g_get_user_name ());
  /* Callers may hold the old pointer across a restart: keep it when equal. */
  if (g_strcmp0 (conninfo, self->conninfo) != 0)
    {
      g_free (self->conninfo);
      self->conninfo = g_steal_pointer (&conninfo);
    }
}

gboolean
_lb_pg_sandbox_start_server (LbPgSandbox   *self,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autofree char *data_dir = _lb_pg_sandbox_get_data_dir (self);
  g_autofree char *log_path = _lb_pg_sandbox_get_log_path (self);
  g_autofree char *pg_ctl = _lb_pg_sandbox_tool_path (self, "pg_ctl");
  g_autofree char *output = NULL;
  g_autofree char *options = NULL;
  g_autofree char *pid_path = g_build_filename (data_dir, "postmaster.pid", NULL);
  const char *status_argv[] = { pg_ctl, "-D", data_dir, "status", NULL };
  int status;
  guint port;

  if (!_lb_pg_sandbox_run_tool (self, status_argv, &status, NULL, cancellable, error))
    return FALSE;

  if (status == 0)
    {
      /* Running already: a server an earlier process left, ours to use. A
       * postmaster.pid whose pid now belongs to something else does not answer. */
      port = read_running_port (self);
      if (port != 0 && _lb_pg_sandbox_server_answers (self, port))
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

    if (!_lb_pg_sandbox_run_tool (self, start_argv, &status, &output, cancellable, error))
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

gboolean
_lb_pg_sandbox_stop_server (LbPgSandbox  *self,
                            GError      **error)
{
  g_autofree char *data_dir = _lb_pg_sandbox_get_data_dir (self);
  g_autofree char *pg_ctl = NULL;
  g_autofree char *output = NULL;
  int status;

  if (self->bin_dir == NULL)
    return TRUE;

  pg_ctl = _lb_pg_sandbox_tool_path (self, "pg_ctl");

  {
    const char *argv[] = { pg_ctl, "-D", data_dir, "-m", "fast", "-w", "-t", "60", "stop", NULL };

    if (!_lb_pg_sandbox_run_tool (self, argv, &status, &output, NULL, error))
      return FALSE;
  }

  /* 3 means not running: already where we want to be. */
  if (status != 0 && status != 3 && read_running_port (self) != 0)
    {
      g_autofree char *log_path = _lb_pg_sandbox_get_log_path (self);
      g_autofree char *tail = read_log_tail (log_path);

      g_set_error (error, LB_PG_SANDBOX_ERROR, LB_PG_SANDBOX_ERROR_START,
                   _("“%s stop” failed (exit status %d): %s\nLast lines of %s:\n%s"),
                   pg_ctl, status, output, log_path, tail);
      return FALSE;
    }

  return TRUE;
}
