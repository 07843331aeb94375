/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A load engine worker thread: one level-triggered epoll set over its
 * clients' sockets and an eventfd the coordinator wakes it with; it hands
 * every ready socket and every due timer to the client it belongs to. */
#include "config.h"

#include <errno.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "lb-load-engine-private.h"

static void
worker_cancel_all (Worker *w)
{
  gint64 start = monotonic_usec ();

  for (guint i = 0; i < w->n_active; i++)
    {
      Client *c = &w->clients[i];

      /* PQcancel is a blocking round trip; stop asking once the budget is
       * spent so the whole run still ends within a second. */
      if (c->conn != NULL && c->cancel != NULL && c->entries_len > 0 &&
          monotonic_usec () - start < CANCEL_BUDGET_USEC)
        {
          char errbuf[256];

          PQcancel (c->cancel, errbuf, sizeof errbuf);
        }
      client_close (c);
      c->state = CLIENT_DONE;
    }
}

/* Reacts to the coordinator: clients added (ladder), the run started. */
static void
worker_control (Worker *w,
                gint64  now)
{
  Run *run = w->run;
  guint active = (guint)g_atomic_int_get (&run->active_clients);
  guint n_active = 0;

  for (guint i = 0; i < w->n_clients; i++)
    if (w->clients[i].id < active)
      n_active = i + 1;

  if (n_active > w->n_active)
    {
      guint first = w->n_active;

      /* All at once: the server forks and initialises them in parallel;
       * measured at 1,000 clients, faster than a few in flight per worker. */
      w->n_active = n_active;
      for (guint i = first; i < n_active; i++)
        client_start_connect (&w->clients[i], now);
    }
  else if (w->n_settled == w->n_active)
    {
      /* nothing to connect in this generation */
      g_mutex_lock (&run->lock);
      w->ready_generation = g_atomic_int_get (&run->generation);
      g_cond_broadcast (&run->cond);
      g_mutex_unlock (&run->lock);
    }

  if (g_atomic_int_get (&run->go))
    for (guint i = 0; i < w->n_active; i++)
      if (w->clients[i].state == CLIENT_WAIT_GO)
        client_advance (&w->clients[i], now);
}

/* Waits for a ready socket, a wake-up or @timeout_usec (-1: none). */
static int
worker_wait (Worker *w,
             gint64  timeout_usec)
{
#if HAVE_EPOLL_PWAIT2
  /* to the microsecond, for a target rate; ENOSYS before Linux 5.11 */
  static gint pwait2_missing = FALSE;

  if (!g_atomic_int_get (&pwait2_missing))
    {
      struct timespec timeout = {
        .tv_sec = timeout_usec / G_USEC_PER_SEC,
        .tv_nsec = (timeout_usec % G_USEC_PER_SEC) * 1000,
      };
      int n = epoll_pwait2 (w->epoll_fd, w->events, (int)w->n_clients + 1,
                            timeout_usec < 0 ? NULL : &timeout, NULL);

      if (n >= 0 || errno == EINTR)
        return MAX (n, 0);
      if (errno != ENOSYS)
        return -1;
      g_atomic_int_set (&pwait2_missing, TRUE);
    }
#endif
  {
    /* rounded up: waking early would only spin */
    int timeout_msec = timeout_usec < 0 ? -1 : (int)MIN ((timeout_usec + 999) / 1000, G_MAXINT);
    int n = epoll_wait (w->epoll_fd, w->events, (int)w->n_clients + 1, timeout_msec);

    if (n < 0 && errno == EINTR)
      return 0;
    return n;
  }
}

gpointer
worker_thread (gpointer data)
{
  Worker *w = data;
  Run *run = w->run;
  gint64 next_wake = G_MAXINT64;
  gint64 now;

  /* The default 50 µs of timer slack would show up as schedule lag. */
  if (run->settings->rate > 0)
    prctl (PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);

  now = monotonic_usec ();
  g_mutex_lock (&w->stats_lock);
  worker_control (w, now);
  g_mutex_unlock (&w->stats_lock);

  for (;;)
    {
      gint64 timeout_usec = -1;
      int n_events;
      gboolean all_done = TRUE;
      gboolean scan = FALSE;
      gboolean stopping;
      gint64 deadline;

      /* Only clients' timers: the coordinator wakes every worker at the
       * run's end. A wait with a timeout costs an hrtimer per wake-up
       * (~0.7 µs per transaction at one client, measured), one without none.
       * A timer more than a millisecond away is timed from the wake-up's
       * clock reading (a late end by the microseconds of work since costs
       * nothing): one clock read per wake-up in the steady state. */
      if (next_wake != G_MAXINT64)
        {
          if (next_wake - now < 1000)
            now = monotonic_usec ();
          timeout_usec = MAX (next_wake - now, 0);
        }

      n_events = worker_wait (w, timeout_usec);
      if (n_events < 0)
        {
          g_warning ("epoll_wait() failed: %s", g_strerror (errno));
          break;
        }

      now = monotonic_usec ();

      if (g_atomic_int_get (&run->stop) == 2)
        {
          worker_cancel_all (w);
          break;
        }

      g_mutex_lock (&w->stats_lock);

      for (int k = 0; k < n_events; k++)
        if (w->events[k].data.u32 == 0)
          {
            guint64 value;

            while (read (w->wake_fd, &value, sizeof value) > 0)
              ;
            worker_control (w, now);
            scan = TRUE;
          }

      /* Only the sockets that are ready: nothing is scanned to find them.
       * At hundreds of clients each one's state is out of the cache when its
       * socket is ready (a miss on the first field read was 60 % of this
       * loop's samples): the next ones are fetched while this one runs. */
      for (int k = 0; k < n_events; k++)
        {
          guint32 slot = w->events[k].data.u32;

          if (k + 2 < n_events && w->events[k + 2].data.u32 != 0)
            client_prefetch (&w->clients[w->events[k + 2].data.u32 - 1]);
          if (k + 1 < n_events && w->events[k + 1].data.u32 != 0)
            client_prefetch_rings (&w->clients[w->events[k + 1].data.u32 - 1]);
          if (slot != 0)
            client_io (&w->clients[slot - 1], w->events[k].events, now);
        }

      deadline = load64 (&run->final_deadline);
      stopping = g_atomic_int_get (&run->go) &&
                 (g_atomic_int_get (&run->stop) != 0 || now >= deadline);

      /* Every client's timer is only looked at when one is due, the
       * coordinator woke us or the run is ending: at 1,000 clients a scan
       * per wake-up was 500 cache misses. Otherwise only the clients just
       * handled can have a new timer or be done. A timer pushed back makes
       * next_wake early: that wake-up then scans. */
      if (!scan && !stopping && next_wake > now)
        for (int k = 0; k < n_events && !scan; k++)
          {
            guint32 slot = w->events[k].data.u32;
            Client *c = &w->clients[slot - 1];

            if (c->state == CLIENT_DONE)
              scan = TRUE;
            else if (c->wake < next_wake)
              next_wake = c->wake;
          }
      else
        scan = TRUE;

      if (scan)
        {
          next_wake = G_MAXINT64;
          for (guint i = 0; i < w->n_active; i++)
            {
              Client *c = &w->clients[i];

              if (c->wake <= now)
                client_timer (c, now);
              if (stopping)
                client_stop_idle (c, now);
              if (c->wake < next_wake)
                next_wake = c->wake;
              if (c->state != CLIENT_DONE)
                all_done = FALSE;
            }
        }
      else
        all_done = FALSE;

      w->last_end = MAX (w->last_end, now);
      g_mutex_unlock (&w->stats_lock);

      if (all_done && g_atomic_int_get (&run->go) &&
          (g_atomic_int_get (&run->stop) || now >= deadline ||
           (run->count_target > 0 && w->n_active == w->n_clients)))
        break;
    }

  /* The connections stay open: the coordinator closes every worker's at
   * once (close_connections in lb-load-engine.c says why). */

  g_mutex_lock (&run->lock);
  w->cpu_time = thread_cpu_seconds ();
  w->finished = TRUE;
  g_cond_broadcast (&run->cond);
  g_mutex_unlock (&run->lock);

  return NULL;
}

static void
worker_wake (Worker *w)
{
  guint64 one = 1;

  if (write (w->wake_fd, &one, sizeof one) < 0 && errno != EAGAIN)
    g_warning ("Cannot wake a load engine worker: %s", g_strerror (errno));
}

void
wake_all_workers (Run *run)
{
  for (guint i = 0; i < run->n_workers; i++)
    worker_wake (&run->workers[i]);
}
