/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbServerSampler: one thread, one libpq connection, a snapshot every
 * `interval` seconds until stopped. */
#include "config.h"

#include <string.h>
#include <time.h>

#include <glib/gi18n-lib.h>

#include "lb-server-sampler.h"

/* A statistics query must never hang the end of a run. */
#define STATEMENT_TIMEOUT_MS 2000
#define CONNECT_TIMEOUT_S    "5"
#define FINAL_WAIT_US        (2 * G_USEC_PER_SEC)

struct _LbServerSampler
{
  GObject    parent_instance;

  char      *conninfo;     /* a secret until the thread connected */
  double     interval;
  GThread   *thread;

  GMutex     mutex;
  GCond      cond;
  gboolean   stopping;
  gint       skip_wait;      /* atomic */
  GPtrArray *snapshots;    /* under mutex */
  GPtrArray *notes;        /* under mutex */
  double     cpu_time;
  gint64     started_us;
  GTask     *start_task;   /* returned from the thread after the first snapshot */
  GCancellable *stop_cancellable;
  gulong     stop_cancelled_id;
};

G_DEFINE_FINAL_TYPE (LbServerSampler, lb_server_sampler, G_TYPE_OBJECT)

static void
clear_secret (char **secret)
{
  if (*secret != NULL)
    memset (*secret, 0, strlen (*secret));
  g_clear_pointer (secret, g_free);
}

static void
take (LbServerSampler *self,
      PGconn          *conn,
      GHashTable      *baseline,
      gboolean         full)
{
  g_autoptr(GError) error = NULL;
  LbServerSnapshot *snapshot;
  double t = (g_get_monotonic_time () - self->started_us) / (double) G_USEC_PER_SEC;

  snapshot = lb_server_snapshot_take (conn, t, baseline, full, &error);
  g_mutex_lock (&self->mutex);
  if (snapshot != NULL)
    g_ptr_array_add (self->snapshots, snapshot);
  else if (self->notes->len == 0 || !g_str_equal (g_ptr_array_index (self->notes, self->notes->len - 1), error->message))
    g_ptr_array_add (self->notes, g_strdup (error->message));
  g_mutex_unlock (&self->mutex);
}

static guint
other_backends (PGconn *conn)
{
  PGresult *result = PQexec (conn, "/* lakebase-accelerator statistics */ SELECT count(*) FROM pg_stat_activity"
                                   " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                                   "   AND backend_type = 'client backend'");
  guint n = G_MAXUINT;

  if (PQresultStatus (result) == PGRES_TUPLES_OK && PQntuples (result) == 1)
    n = (guint) g_ascii_strtoull (PQgetvalue (result, 0, 0), NULL, 10);
  PQclear (result);
  return n;
}

static double
thread_cpu_seconds (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A connection for one snapshot: between snapshots the sampler holds no
 * slot, so a server at its connection limit serves the workers first. */
static PGconn *
connect_once (LbServerSampler *self)
{
  const char *keys[] = { "dbname", "connect_timeout", "application_name", NULL };
  const char *values[] = { self->conninfo, CONNECT_TIMEOUT_S, "lakebase-accelerator statistics", NULL };
  PGconn *conn = PQconnectdbParams (keys, values, TRUE);

  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_autofree char *message = g_strstrip (g_strdup (PQerrorMessage (conn)));
      g_autofree char *note = g_strdup_printf (_("Some of the server’s statistics were not read: could not "
                                                 "connect (%s)"), message);

      g_mutex_lock (&self->mutex);
      if (self->notes->len == 0 || !g_str_equal (g_ptr_array_index (self->notes, self->notes->len - 1), note))
        g_ptr_array_add (self->notes, g_steal_pointer (&note));
      g_mutex_unlock (&self->mutex);
      PQfinish (conn);
      return NULL;
    }
  PQclear (PQexec (conn, "/* lakebase-accelerator statistics */ SET statement_timeout = "
                         G_STRINGIFY (STATEMENT_TIMEOUT_MS)));
  return conn;
}

static gpointer
sampler_thread (gpointer data)
{
  LbServerSampler *self = data;
  PGconn *conn;
  guint backends_before = G_MAXUINT;
  g_autoptr(GHashTable) baseline = lb_server_statements_baseline_new ();

  conn = connect_once (self);
  if (conn != NULL)
    {
      backends_before = other_backends (conn);
      take (self, conn, baseline, TRUE);
      PQfinish (conn);
    }
  /* The task stays the object's until start_finish() in the caller's
   * context: its last reference never goes in this thread. */
  if (self->start_task != NULL)
    g_task_return_boolean (self->start_task, conn != NULL);

  g_mutex_lock (&self->mutex);
  while (!self->stopping)
    {
      gint64 deadline = g_get_monotonic_time () + (gint64) (self->interval * G_USEC_PER_SEC);

      while (!self->stopping && g_cond_wait_until (&self->cond, &self->mutex, deadline))
        ;
      if (self->stopping)
        break;
      g_mutex_unlock (&self->mutex);
      if ((conn = connect_once (self)) != NULL)
        {
          take (self, conn, baseline, FALSE);
          PQfinish (conn);
        }
      g_mutex_lock (&self->mutex);
    }
  g_mutex_unlock (&self->mutex);

  conn = connect_once (self);
  if (conn != NULL)
    {
      /* A backend reports its counters when it exits: the last snapshot
       * waits (a little) for the run's connections to be gone. */
      gint64 deadline = g_get_monotonic_time () + FINAL_WAIT_US;

      while (!g_atomic_int_get (&self->skip_wait) && g_get_monotonic_time () < deadline
             && other_backends (conn) > backends_before)
        g_usleep (50 * 1000);
      take (self, conn, baseline, TRUE);
      PQfinish (conn);
    }

  g_mutex_lock (&self->mutex);
  clear_secret (&self->conninfo);
  self->cpu_time = thread_cpu_seconds ();
  g_mutex_unlock (&self->mutex);
  return NULL;
}

LbServerSampler *
lb_server_sampler_new (const char *conninfo,
                       double      interval)
{
  LbServerSampler *self;

  g_return_val_if_fail (conninfo != NULL, NULL);
  g_return_val_if_fail (interval > 0, NULL);

  self = g_object_new (LB_TYPE_SERVER_SAMPLER, NULL);
  self->conninfo = g_strdup (conninfo);
  self->interval = interval;
  return self;
}

void
lb_server_sampler_start (LbServerSampler *self)
{
  g_return_if_fail (LB_IS_SERVER_SAMPLER (self));
  g_return_if_fail (self->thread == NULL);

  self->started_us = g_get_monotonic_time ();
  self->thread = g_thread_new ("lb-server-sampler", sampler_thread, self);
}

void
lb_server_sampler_start_async (LbServerSampler     *self,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (LB_IS_SERVER_SAMPLER (self));
  g_return_if_fail (self->thread == NULL);

  self->start_task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (self->start_task, lb_server_sampler_start_async);
  lb_server_sampler_start (self);
}

void
lb_server_sampler_start_finish (LbServerSampler *self,
                                GAsyncResult    *result)
{
  g_return_if_fail (g_task_is_valid (result, self));

  g_task_propagate_boolean (G_TASK (result), NULL);
  if (G_TASK (result) == self->start_task)
    g_clear_object (&self->start_task);
}

static void
join (LbServerSampler *self)
{
  if (self->thread == NULL)
    return;
  g_mutex_lock (&self->mutex);
  self->stopping = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->mutex);
  g_thread_join (g_steal_pointer (&self->thread));
}

static GPtrArray *
steal_snapshots (LbServerSampler *self)
{
  GPtrArray *snapshots;

  g_mutex_lock (&self->mutex);
  snapshots = g_ptr_array_ref (self->snapshots);
  g_mutex_unlock (&self->mutex);
  return snapshots;
}

GPtrArray *
lb_server_sampler_stop (LbServerSampler *self)
{
  g_return_val_if_fail (LB_IS_SERVER_SAMPLER (self), NULL);

  join (self);
  return steal_snapshots (self);
}

static void
stop_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  join (source);
  g_task_return_boolean (task, TRUE);
}

static void
stop_cancelled_cb (GCancellable    *cancellable,
                   LbServerSampler *self)
{
  g_atomic_int_set (&self->skip_wait, TRUE);
}

void
lb_server_sampler_stop_async (LbServerSampler     *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LB_IS_SERVER_SAMPLER (self));

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, lb_server_sampler_stop_async);
  if (cancellable != NULL)
    {
      if (g_cancellable_is_cancelled (cancellable))
        g_atomic_int_set (&self->skip_wait, TRUE);
      else
        {
          self->stop_cancellable = g_object_ref (cancellable);
          self->stop_cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (stop_cancelled_cb),
                                                           self, NULL);
        }
    }
  g_task_run_in_thread (task, stop_thread);
}

GPtrArray *
lb_server_sampler_stop_finish (LbServerSampler *self,
                               GAsyncResult    *result)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  g_task_propagate_boolean (G_TASK (result), NULL);
  if (self->stop_cancellable != NULL)
    g_cancellable_disconnect (self->stop_cancellable, self->stop_cancelled_id);
  self->stop_cancelled_id = 0;
  g_clear_object (&self->stop_cancellable);
  return steal_snapshots (self);
}

GPtrArray *
lb_server_sampler_get_notes (LbServerSampler *self)
{
  g_return_val_if_fail (LB_IS_SERVER_SAMPLER (self), NULL);

  return self->notes;
}

guint
lb_server_sampler_get_n_snapshots (LbServerSampler *self)
{
  guint n;

  g_return_val_if_fail (LB_IS_SERVER_SAMPLER (self), 0);

  g_mutex_lock (&self->mutex);
  n = self->snapshots->len;
  g_mutex_unlock (&self->mutex);
  return n;
}

double
lb_server_sampler_get_cpu_time (LbServerSampler *self)
{
  double cpu;

  g_return_val_if_fail (LB_IS_SERVER_SAMPLER (self), 0);

  g_mutex_lock (&self->mutex);
  cpu = self->cpu_time;
  g_mutex_unlock (&self->mutex);
  return cpu;
}

static void
lb_server_sampler_finalize (GObject *object)
{
  LbServerSampler *self = LB_SERVER_SAMPLER (object);

  /* Dropped without a stop (the run failed): no waiting for backends. */
  g_atomic_int_set (&self->skip_wait, TRUE);
  join (self);
  clear_secret (&self->conninfo);
  g_ptr_array_unref (self->snapshots);
  g_ptr_array_unref (self->notes);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (lb_server_sampler_parent_class)->finalize (object);
}

static void
lb_server_sampler_class_init (LbServerSamplerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lb_server_sampler_finalize;
}

static void
lb_server_sampler_init (LbServerSampler *self)
{
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->snapshots = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_server_snapshot_free);
  self->notes = g_ptr_array_new_with_free_func (g_free);
}
