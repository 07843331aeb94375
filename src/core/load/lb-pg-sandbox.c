/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbPgSandbox, the object: its properties, the running state reported on
 * the caller's main context, the watchdog that cleans up after a crashed
 * test, and start/stop/reset under one lock. The cluster on disk is
 * lb-pg-sandbox-cluster.c, the sample data lb-pg-sandbox-sample.c. */
#include "config.h"

#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "lb-pg-sandbox-private.h"

#define BIN_DIR_ENV       "LB_PG_BINDIR"

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
  g_autofree char *pg_ctl = _lb_pg_sandbox_tool_path (self, "pg_ctl");
  g_autofree char *data_dir = _lb_pg_sandbox_get_data_dir (self);
  const char *argv[] = {
    "/bin/sh", "-c", "cat >/dev/null; \"$0\" -D \"$1\" -m immediate -w stop; rm -rf \"$2\"",
    pg_ctl, data_dir, self->path, NULL
  };
  LbPgSandboxIdentity identity;

  g_assert (LB_IS_PG_SANDBOX (self));

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                        | G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                        | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_cwd (launcher, "/");
  if (geteuid () == 0)
    {
      if (!_lb_pg_sandbox_lookup_server_user (&identity, NULL))
        return;
      g_subprocess_launcher_set_child_setup (launcher, _lb_pg_sandbox_drop_privileges_cb,
                                             &identity, NULL);
    }
  _lb_pg_sandbox_set_minimal_environment (self, launcher);

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

  if (self->running && self->port != 0 && _lb_pg_sandbox_server_answers (self, self->port))
    return TRUE;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  data_version = _lb_pg_sandbox_read_data_version (self);
  if (self->bin_dir == NULL)
    {
      self->bin_dir = _lb_pg_sandbox_find_bin_dir (self->bin_dir_override, data_version);
      if (self->bin_dir == NULL)
        {
          g_set_error (error, LB_PG_SANDBOX_ERROR, LB_PG_SANDBOX_ERROR_NO_SERVER,
                       _("No PostgreSQL server programs (initdb, pg_ctl, postgres) were found. "
                         "Install the “postgresql” package (Debian, Ubuntu) or your "
                         "distribution’s PostgreSQL server package, or connect to a server of your own."));
          return FALSE;
        }
    }

  if (!_lb_pg_sandbox_ensure_directories (self, error))
    return FALSE;

  /* A cluster of another major version cannot be started by these
   * binaries; it is a throwaway, so make a new one. */
  pg_ctl = _lb_pg_sandbox_tool_path (self, "pg_ctl");
  {
    const char *argv[] = { pg_ctl, "--version", NULL };

    if (data_version != NULL
        && _lb_pg_sandbox_run_tool (self, argv, &status, &tool_version, cancellable, NULL)
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

  if (data_version == NULL && !_lb_pg_sandbox_create_cluster (self, cancellable, error))
    return FALSE;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (!_lb_pg_sandbox_start_server (self, cancellable, error))
    return FALSE;
  set_running (self, TRUE);

  if (self->delete_on_dispose && self->watchdog == NULL)
    spawn_watchdog (self);

  if (!_lb_pg_sandbox_prepare_database (self, cancellable, error))
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

  if (!_lb_pg_sandbox_stop_server (self, error))
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
       * home: keep the cluster in the system's cache, which only root can
       * write to, so that nobody can put a directory or link there first. */
      if (geteuid () == 0)
        path = g_build_filename ("/var/cache", "lakebase-accelerator", "sandbox", NULL);
      else
        path = g_build_filename (g_get_user_cache_dir (), "lakebase-accelerator", "sandbox", NULL);
      self->directory = g_file_new_for_path (path);
      self->default_location = TRUE;
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

      if (!_lb_pg_sandbox_remove_tree (self->path, &error))
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
  g_clear_pointer (&self->admin_conninfo, g_free);
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

const char *
_lb_pg_sandbox_get_admin_conninfo (LbPgSandbox *self)
{
  g_return_val_if_fail (LB_IS_PG_SANDBOX (self), NULL);

  return self->admin_conninfo;
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

  data_dir = _lb_pg_sandbox_get_data_dir (self);
  log_path = _lb_pg_sandbox_get_log_path (self);

  g_mutex_lock (&self->mutex);
  /* Nothing is stopped or deleted in a directory that is not ours. */
  if (!_lb_pg_sandbox_check_directory (self, error))
    {
      g_mutex_unlock (&self->mutex);
      return FALSE;
    }
  if (self->bin_dir == NULL)
    {
      g_autofree char *data_version = _lb_pg_sandbox_read_data_version (self);

      self->bin_dir = _lb_pg_sandbox_find_bin_dir (self->bin_dir_override, data_version);
    }
  /* Stopped even when not started by this object: a server an earlier
   * process left running must not keep the deleted files open. With no
   * cluster yet there is nothing to stop. */
  ok = !g_file_test (data_dir, G_FILE_TEST_IS_DIR) || _lb_pg_sandbox_stop_server (self, error);
  if (ok)
    {
      self->started_here = FALSE;
      set_running (self, FALSE);
    }
  ok = ok
       && _lb_pg_sandbox_remove_cluster_file (self, data_dir, error)
       && _lb_pg_sandbox_remove_cluster_file (self, log_path, error)
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
