/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The load engine's public object and its coordinator thread: it flattens the
 * script, starts the workers (lb-load-engine-worker.c), steps the ladder and
 * the phases, ticks the live samples and builds the result (-stats.c). The
 * signals reach the caller's main context from here. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lb-load-engine-private.h"

struct _LbLoadEngine
{
  GObject         parent_instance;

  LbSqlScript    *script;
  LbRunSettings  *settings;
  LbRunPhase      phase;
  gboolean        running;
  GPtrArray      *live_queries;   /* LbQueryStats*, as of the last sample */
};

G_DEFINE_FINAL_TYPE (LbLoadEngine, lb_load_engine, G_TYPE_OBJECT)

G_DEFINE_QUARK (lb-load-engine-error-quark, lb_load_engine_error)

enum {
  PROP_0,
  PROP_PHASE,
  N_PROPS
};

enum {
  SIGNAL_SAMPLE,
  SIGNAL_PHASE_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Signals, in the caller's main context */

typedef struct
{
  LbLoadEngine *engine;
  LbRunSample   sample;
  GPtrArray    *queries;    /* with a sample: the per-query figures so far */
  LbRunPhase    phase;
  guint         clients;
  gboolean      is_sample;
} Emission;

static void
emission_free (gpointer data)
{
  Emission *em = data;

  g_clear_object (&em->engine);
  g_clear_pointer (&em->queries, g_ptr_array_unref);
  g_free (em);
}

static gboolean
emit_cb (gpointer data)
{
  Emission *em = data;

  if (em->is_sample)
    {
      if (em->queries != NULL)
        {
          g_clear_pointer (&em->engine->live_queries, g_ptr_array_unref);
          em->engine->live_queries = g_steal_pointer (&em->queries);
        }
      g_signal_emit (em->engine, signals[SIGNAL_SAMPLE], 0, &em->sample);
    }
  else
    {
      if (em->engine->phase != em->phase)
        {
          em->engine->phase = em->phase;
          g_object_notify_by_pspec (G_OBJECT (em->engine), properties[PROP_PHASE]);
        }
      if (em->phase == LB_RUN_PHASE_DONE)
        em->engine->running = FALSE;
      g_signal_emit (em->engine, signals[SIGNAL_PHASE_CHANGED], 0, (int)em->phase, em->clients);
    }

  return G_SOURCE_REMOVE;
}

static void
emit_phase (Run        *run,
            LbRunPhase  phase,
            guint       clients)
{
  Emission *em = g_new0 (Emission, 1);

  em->engine = g_object_ref (run->engine);
  em->phase = phase;
  em->clients = clients;
  g_main_context_invoke_full (run->context, G_PRIORITY_DEFAULT, emit_cb, em, emission_free);
}

void
emit_sample (Run               *run,
             const LbRunSample *sample,
             GPtrArray         *queries)
{
  Emission *em = g_new0 (Emission, 1);

  em->engine = g_object_ref (run->engine);
  em->sample = *sample;
  em->queries = queries;
  em->is_sample = TRUE;
  g_main_context_invoke_full (run->context, G_PRIORITY_DEFAULT, emit_cb, em, emission_free);
}

/* The coordinator */

typedef enum
{
  WAIT_READY,      /* every worker reported the current generation ready */
  WAIT_UNTIL,      /* just the time */
  WAIT_FINISHED,   /* every worker ended */
} WaitFor;

static gboolean
wait_condition_met (Run     *run,
                    WaitFor  what)
{
  guint generation = (guint)g_atomic_int_get (&run->generation);

  for (guint i = 0; i < run->n_workers; i++)
    {
      Worker *w = &run->workers[i];

      if (what == WAIT_READY && w->ready_generation != generation && !w->finished)
        return FALSE;
      if (what == WAIT_FINISHED && !w->finished)
        return FALSE;
    }
  return what != WAIT_UNTIL;
}

/* Waits for @what (or until @until), emitting samples when ticking. FALSE
 * when cancelled or when a startup error arrived. */
static gboolean
coordinator_wait (Run     *run,
                  Ticker  *ticker,
                  WaitFor  what,
                  gint64   until)
{
  gboolean ok = TRUE;

  g_mutex_lock (&run->lock);
  for (;;)
    {
      gint64 now = monotonic_usec ();
      gint64 wake = until;

      if (g_atomic_int_get (&run->stop) == 2 || run->startup_error != NULL)
        {
          ok = FALSE;
          break;
        }
      if (wait_condition_met (run, what) || now >= until)
        break;

      if (ticker != NULL && now >= ticker->next_tick)
        {
          g_mutex_unlock (&run->lock);
          ticker_tick (run, ticker, now);
          g_mutex_lock (&run->lock);
          continue;
        }
      if (ticker != NULL)
        wake = MIN (wake, ticker->next_tick);

      /* g_cond_wait_until uses the same monotonic clock */
      g_cond_wait_until (&run->cond, &run->lock, wake);
    }
  g_mutex_unlock (&run->lock);

  return ok;
}

static void
cancelled_cb (GCancellable *cancellable,
              gpointer      data)
{
  Run *run = data;

  g_atomic_int_set (&run->stop, 2);
  wake_all_workers (run);
  g_mutex_lock (&run->lock);
  g_cond_broadcast (&run->cond);
  g_mutex_unlock (&run->lock);
}

static void
run_free (Run *run)
{
  for (guint i = 0; i < run->n_workers; i++)
    {
      Worker *w = &run->workers[i];

      for (guint k = 0; k < w->n_clients; k++)
        client_clear (&w->clients[k]);
      g_free (w->clients);
      g_free (w->events);
      if (w->epoll_fd >= 0)
        close (w->epoll_fd);
      for (guint e = 0; e < run->n_epochs; e++)
        epoch_stats_clear (&w->epochs[e], run->n_queries);
      g_free (w->epochs);
      g_clear_pointer (&w->interval[0].latency, lb_latency_histogram_free);
      g_clear_pointer (&w->interval[1].latency, lb_latency_histogram_free);
      g_mutex_clear (&w->stats_lock);
      if (w->wake_fd >= 0)
        close (w->wake_fd);
    }
  g_free (run->workers);
  g_free (run->epochs);
  g_free (run->transactions);
  g_free (run->cumulative_weight);
  g_free (run->queries);
  g_strfreev (run->statement_names);
  g_free (run->connect_error);
  g_free (run->server_version);
  g_clear_pointer (&run->outages, g_array_unref);
  g_clear_error (&run->startup_error);
  g_mutex_clear (&run->lock);
  g_cond_clear (&run->cond);
  g_clear_pointer (&run->settings, lb_run_settings_free);
  g_clear_object (&run->script);
  g_clear_object (&run->engine);
  g_clear_object (&run->cancellable);
  g_clear_pointer (&run->context, g_main_context_unref);
  g_free (run);
}

/* Flattens the script for the workers; FALSE with @error on bad settings. */
static gboolean
run_prepare (Run     *run,
             GError **error)
{
  LbRunSettings *s = run->settings;
  guint n_cores;

  if (!lb_run_settings_validate (s, error))
    return FALSE;

  run->n_transactions = lb_sql_script_get_n_transactions (run->script);
  if (run->n_transactions == 0)
    {
      g_set_error (error, LB_LOAD_ENGINE_ERROR, LB_LOAD_ENGINE_ERROR_SETTINGS,
                   _("The script has nothing to run"));
      return FALSE;
    }

  run->transactions = g_new0 (const LbSqlTransaction *, run->n_transactions);
  run->cumulative_weight = g_new0 (guint, run->n_transactions);
  for (guint i = 0; i < run->n_transactions; i++)
    {
      run->transactions[i] = lb_sql_script_get_transaction (run->script, i);
      run->total_weight += MAX (run->transactions[i]->weight, 1);
      run->cumulative_weight[i] = run->total_weight;
    }

  run->n_queries = lb_sql_script_get_n_queries (run->script);
  run->queries = g_new0 (const LbSqlQuery *, MAX (run->n_queries, 1));
  run->statement_names = g_new0 (char *, run->n_queries + 1);
  for (guint i = 0; i < run->n_queries; i++)
    {
      run->queries[i] = lb_sql_script_get_query (run->script, i);
      run->statement_names[i] = g_strdup_printf ("lb_%u", i);
      run->max_params = MAX (run->max_params, run->queries[i]->n_params);
    }
  run->n_variables = lb_sql_script_get_n_variables (run->script);
  run->n_tuples = lb_sql_script_get_n_tuples (run->script);
  run->protocol = s->protocol;
  run->pipeline = s->pipeline_depth > 0;
  run->depth = MAX (s->pipeline_depth, 1);
  run->entries_size = 2 * run->depth + 4;
  run->txns_size = run->depth + 2;

  /* A script's \startpipeline … \endpipeline section has all its
   * statements in flight at once. */
  if (lb_sql_script_get_max_pipeline (run->script) > 0)
    {
      if (s->protocol == LB_PROTOCOL_SIMPLE)
        {
          g_set_error (error, LB_LOAD_ENGINE_ERROR, LB_LOAD_ENGINE_ERROR_SETTINGS,
                       _("The script uses \\startpipeline: cannot use pipeline mode with the simple "
                         "query protocol (choose the extended or prepared protocol)"));
          return FALSE;
        }
      if (run->pipeline)
        {
          g_set_error (error, LB_LOAD_ENGINE_ERROR, LB_LOAD_ENGINE_ERROR_SETTINGS,
                       _("The script has its own \\startpipeline … \\endpipeline sections: "
                         "set the pipeline depth to 0"));
          return FALSE;
        }
      run->entries_size = MAX (run->entries_size, lb_sql_script_get_max_pipeline (run->script) + 4);
    }

  run->seed = s->seed != 0 ? s->seed : ((guint64)g_random_int () << 32 | g_random_int ());

  if (s->mode == LB_RUN_MODE_LADDER)
    {
      if (s->n_ladder == 0 || s->ladder == NULL)
        {
          g_set_error (error, LB_LOAD_ENGINE_ERROR, LB_LOAD_ENGINE_ERROR_SETTINGS,
                       _("Ladder mode needs at least one client count"));
          return FALSE;
        }
      run->n_clients = 0;
      for (guint i = 0; i < s->n_ladder; i++)
        run->n_clients = MAX (run->n_clients, s->ladder[i]);
      run->n_epochs = s->n_ladder;
    }
  else
    {
      run->n_clients = s->clients;
      run->n_epochs = 1;
    }

  if (run->n_clients == 0)
    {
      g_set_error (error, LB_LOAD_ENGINE_ERROR, LB_LOAD_ENGINE_ERROR_SETTINGS,
                   _("At least one client is needed"));
      return FALSE;
    }

  if (s->mode == LB_RUN_MODE_COUNT)
    {
      run->count_target = s->transactions != 0 ? s->transactions :
                          lb_sql_script_get_default_count (run->script);
      if (run->count_target == 0)
        {
          g_set_error (error, LB_LOAD_ENGINE_ERROR, LB_LOAD_ENGINE_ERROR_SETTINGS,
                       _("Fixed-count mode needs a number of transactions"));
          return FALSE;
        }
    }

  n_cores = s->threads != 0 ? s->threads : g_get_num_processors ();
  run->n_workers = CLAMP (n_cores, 1, run->n_clients);
  run->epochs = g_new0 (Epoch, run->n_epochs);
  run->latency_limit_usec = (gint64)(s->latency_limit * G_USEC_PER_SEC);
  return TRUE;
}

static gboolean
run_create_workers (Run     *run,
                    GError **error)
{
  gboolean ok = TRUE;

  run->workers = g_new0 (Worker, run->n_workers);
  for (guint i = 0; i < run->n_workers; i++)
    {
      Worker *w = &run->workers[i];
      guint k = 0;

      w->run = run;
      w->index = i;
      w->wake_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
      w->n_clients = run->n_clients / run->n_workers + (i < run->n_clients % run->n_workers);
      w->clients = g_new0 (Client, w->n_clients);
      w->events = g_new0 (struct epoll_event, w->n_clients + 1);
      w->epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
      if (w->epoll_fd >= 0 && w->wake_fd >= 0)
        {
          struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 0 };

          epoll_ctl (w->epoll_fd, EPOLL_CTL_ADD, w->wake_fd, &ev);
        }
      for (guint id = i; id < run->n_clients; id += run->n_workers, k++)
        client_init (&w->clients[k], w, id, k + 1);
      g_mutex_init (&w->stats_lock);
      if ((w->wake_fd < 0 || w->epoll_fd < 0) && ok)
        {
          int saved_errno = errno;

          ok = FALSE;
          g_set_error (error, LB_LOAD_ENGINE_ERROR, LB_LOAD_ENGINE_ERROR_SETTINGS,
                       _("Cannot start the load engine’s threads: %s"), g_strerror (saved_errno));
        }
      w->interval[0].latency = lb_latency_histogram_new ();
      w->interval[1].latency = lb_latency_histogram_new ();
      w->epochs = g_new0 (EpochStats, run->n_epochs);
      for (guint e = 0; e < run->n_epochs; e++)
        epoch_stats_init (&w->epochs[e], run->n_queries);
      w->ready_generation = G_MAXUINT;
    }
  return ok;
}

static void
run_set_active (Run   *run,
                guint  clients)
{
  g_mutex_lock (&run->lock);
  g_atomic_int_set (&run->active_clients, (gint)clients);
  g_atomic_int_inc (&run->generation);
  g_mutex_unlock (&run->lock);
  wake_all_workers (run);
}

/* Closing every connection at the end
 *
 * A PQfinish sends a Terminate and closes the socket; the backend it wakes
 * then exits, which at 1,000 clients is about a second of server CPU on a
 * 2-core machine. A thread closing its connections one after the other is
 * preempted by those backends when its time slice ends and then waits for
 * most of them to have run: measured, 0.4–0.7 s for 500 connections of which
 * 5 ms on the CPU. So the closes are split into chunks that take well under
 * a slice each, one thread per chunk, all started before the first close
 * and released at once: they run before the backends they wake. */

#define CLOSES_PER_THREAD  50
#define MAX_CLOSE_THREADS  32

typedef struct
{
  GMutex    lock;
  GCond     cond;
  gboolean  go;
} CloseGate;

typedef struct
{
  CloseGate  *gate;
  Client    **clients;
  guint       n_clients;
  double      cpu_time;
} CloseChunk;

static void
close_chunk (CloseChunk *chunk)
{
  for (guint i = 0; i < chunk->n_clients; i++)
    client_release (chunk->clients[i]);
}

static gpointer
close_thread (gpointer data)
{
  CloseChunk *chunk = data;

  g_mutex_lock (&chunk->gate->lock);
  while (!chunk->gate->go)
    g_cond_wait (&chunk->gate->cond, &chunk->gate->lock);
  g_mutex_unlock (&chunk->gate->lock);

  close_chunk (chunk);
  chunk->cpu_time = thread_cpu_seconds ();
  return NULL;
}

/* Closes every open connection once the workers have ended; returns the CPU
 * seconds it took on other threads. */
static double
close_connections (Run *run)
{
  g_autoptr(GPtrArray) open = g_ptr_array_new ();
  CloseGate gate = { .go = FALSE };
  CloseChunk chunks[MAX_CLOSE_THREADS];
  GThread *threads[MAX_CLOSE_THREADS];
  guint n_chunks, per_chunk, n_threads = 0;
  double cpu_time = 0;

  for (guint i = 0; i < run->n_workers; i++)
    for (guint k = 0; k < run->workers[i].n_clients; k++)
      if (run->workers[i].clients[k].conn != NULL)
        g_ptr_array_add (open, &run->workers[i].clients[k]);

  n_chunks = CLAMP ((open->len + CLOSES_PER_THREAD - 1) / CLOSES_PER_THREAD, 1, MAX_CLOSE_THREADS);
  per_chunk = (open->len + n_chunks - 1) / n_chunks;
  g_mutex_init (&gate.lock);
  g_cond_init (&gate.cond);
  for (guint i = 0; i < n_chunks; i++)
    {
      guint first = MIN (i * per_chunk, open->len);

      chunks[i] = (CloseChunk) {
        .gate = &gate,
        .clients = (Client **)open->pdata + first,
        .n_clients = MIN (per_chunk, open->len - first),
      };
    }

  /* A few connections are closed here, as fast as a thread is started. */
  if (n_chunks > 1)
    for (; n_threads < n_chunks; n_threads++)
      {
        threads[n_threads] = g_thread_try_new ("lb-close", close_thread, &chunks[n_threads], NULL);
        if (threads[n_threads] == NULL)
          break;
      }

  g_mutex_lock (&gate.lock);
  gate.go = TRUE;
  g_cond_broadcast (&gate.cond);
  g_mutex_unlock (&gate.lock);

  /* what no thread could be started for */
  for (guint i = n_threads; i < n_chunks; i++)
    close_chunk (&chunks[i]);
  for (guint i = 0; i < n_threads; i++)
    {
      g_thread_join (threads[i]);
      cpu_time += chunks[i].cpu_time;
    }
  g_mutex_clear (&gate.lock);
  g_cond_clear (&gate.cond);

  /* the count of open connections, as client_close keeps it */
  for (guint i = 0; i < open->len; i++)
    {
      Client *c = g_ptr_array_index (open, i);

      if (c->connected)
        client_count_connected (c, FALSE, monotonic_usec ());
    }
  return cpu_time;
}

/* Where the teardown starts: the last window's deadline, or the end of its
 * last transaction with a fixed count, or the cancellation. */
static gint64
window_end (Run    *run,
            gint64  cancel_time,
            guint   epochs_started)
{
  gint64 deadline = load64 (&run->final_deadline);
  gint64 end = 0;

  if (cancel_time > 0)
    return cancel_time;
  if (deadline != G_MAXINT64)
    return deadline;
  for (guint i = 0; i < run->n_workers && epochs_started > 0; i++)
    end = MAX (end, run->workers[i].epochs[epochs_started - 1].last_end);
  return end > 0 ? end : monotonic_usec ();
}

static gpointer
coordinator_thread (gpointer data)
{
  Run *run = data;
  LbRunSettings *s = run->settings;
  g_autoptr(GTask) task = g_steal_pointer (&run->task);
  g_autoptr(GError) error = NULL;
  Ticker ticker = { 0 };
  guint n_steps = s->mode == LB_RUN_MODE_LADDER ? s->n_ladder : 1;
  guint first_clients = s->mode == LB_RUN_MODE_LADDER ? s->ladder[0] : run->n_clients;
  guint epochs_started = 0;
  gint64 t0, now, cancel_time = 0;
  double connection_time, close_cpu_time;
  gboolean ok = TRUE;
  LbRunResult *result;

  ticker.interval_usec = (gint64)(MAX (s->interval, 0.05) * G_USEC_PER_SEC);
  ticker.merged = lb_latency_histogram_new ();
  ticker.timeline = g_array_new (FALSE, TRUE, sizeof (LbRunSample));
  ticker.next_tick = G_MAXINT64;

  if (!run_create_workers (run, &error))
    {
      emit_phase (run, LB_RUN_PHASE_DONE, 0);
      g_task_return_error (task, g_steal_pointer (&error));
      lb_latency_histogram_free (ticker.merged);
      g_array_unref (ticker.timeline);
      run_free (run);
      return NULL;
    }
  if (run->cancellable != NULL)
    run->cancel_id = g_cancellable_connect (run->cancellable, G_CALLBACK (cancelled_cb),
                                            run, NULL);

  emit_phase (run, LB_RUN_PHASE_CONNECTING, first_clients);
  t0 = monotonic_usec ();
  run->outage_since = t0;   /* nothing is connected yet */
  g_atomic_int_set (&run->active_clients, (gint)first_clients);
  g_atomic_int_set (&run->generation, 1);
  g_atomic_int_set (&run->epoch, -1);
  store64 (&run->final_deadline, G_MAXINT64);
  for (guint i = 0; i < run->n_workers; i++)
    {
      g_autofree char *name = g_strdup_printf ("lb-worker-%u", i);

      run->workers[i].thread = g_thread_new (name, worker_thread, &run->workers[i]);
    }

  ok = coordinator_wait (run, NULL, WAIT_READY, G_MAXINT64);
  now = monotonic_usec ();
  connection_time = (now - t0) / (double)G_USEC_PER_SEC;

  if (ok && run->n_connected == 0)
    {
      g_set_error (&error, LB_LOAD_ENGINE_ERROR, LB_LOAD_ENGINE_ERROR_CONNECT,
                   _("Cannot connect to the server: %s"),
                   run->connect_error != NULL ? run->connect_error : _("unknown error"));
      ok = FALSE;
    }
  if (run->startup_error != NULL)
    {
      g_clear_error (&error);
      error = g_steal_pointer (&run->startup_error);
    }

  if (ok)
    {
      for (guint step = 0; step < n_steps && ok; step++)
        {
          gint64 start;
          Epoch *epoch = &run->epochs[step];
          guint clients = s->mode == LB_RUN_MODE_LADDER ? s->ladder[step] : run->n_clients;

          if (step > 0)
            {
              run_set_active (run, clients);
              ok = coordinator_wait (run, &ticker, WAIT_READY, G_MAXINT64);
              if (!ok)
                break;
            }

          now = monotonic_usec ();
          start = now;
          if (step == 0)
            {
              start = now + (gint64)(s->warmup * G_USEC_PER_SEC);
              ticker.last_tick = now;
              ticker.next_tick = MIN (now + ticker.interval_usec, start > now ? start : G_MAXINT64);
              if (start > now)
                emit_phase (run, LB_RUN_PHASE_WARMUP, clients);
            }
          epoch->start = start;
          epoch->end = s->mode == LB_RUN_MODE_COUNT ? G_MAXINT64 :
                       start + (gint64)(s->duration * G_USEC_PER_SEC);
          g_atomic_int_set (&run->epoch, (gint)step);
          epochs_started = step + 1;
          if (step + 1 == n_steps && epoch->end != G_MAXINT64)
            store64 (&run->final_deadline, epoch->end);
          if (step == 0)
            {
              g_atomic_int_set (&run->go, 1);
              wake_all_workers (run);
            }

          if (start > now)
            {
              ok = coordinator_wait (run, &ticker, WAIT_UNTIL, start);
              if (!ok)
                break;
            }
          emit_phase (run, LB_RUN_PHASE_MEASURING, clients);

          if (s->mode == LB_RUN_MODE_COUNT)
            ok = coordinator_wait (run, &ticker, WAIT_FINISHED, G_MAXINT64);
          else
            ok = coordinator_wait (run, &ticker, WAIT_UNTIL, epoch->end);
        }

      if (ok)
        {
          emit_phase (run, LB_RUN_PHASE_FINISHING, (guint)g_atomic_int_get (&run->active_clients));
          g_atomic_int_set (&run->stop, 1);
          wake_all_workers (run);
          ok = coordinator_wait (run, &ticker, WAIT_FINISHED, G_MAXINT64);
        }
    }

  if (!ok || error != NULL)
    {
      cancel_time = monotonic_usec ();
      g_atomic_int_set (&run->stop, 2);
      wake_all_workers (run);
    }

  for (guint i = 0; i < run->n_workers; i++)
    g_thread_join (run->workers[i].thread);
  /* Where the teardown goes (G_MESSAGES_DEBUG=lb-core): at 1,000 clients
   * the drain takes milliseconds and the closes about a second of waiting
   * for the CPU behind the backends they end, for ~20 ms of our own. */
  {
    gint64 joined = monotonic_usec ();

    close_cpu_time = close_connections (run);
    g_debug ("Load engine teardown: workers ended %.3f s after the deadline, "
             "the connections of %u clients closed in %.3f s (%.3f s of CPU)",
             (joined - MIN (load64 (&run->final_deadline), joined)) / (double)G_USEC_PER_SEC,
             run->n_clients, (monotonic_usec () - joined) / (double)G_USEC_PER_SEC,
             close_cpu_time);
  }

  if (run->cancel_id != 0)
    g_cancellable_disconnect (run->cancellable, run->cancel_id);
  run->cancel_id = 0;

  if (error == NULL && run->startup_error != NULL)
    error = g_steal_pointer (&run->startup_error);

  if (error != NULL)
    {
      emit_phase (run, LB_RUN_PHASE_DONE, 0);
      g_task_return_error (task, g_steal_pointer (&error));
    }
  else
    {
      now = monotonic_usec ();
      if (epochs_started > 0 && now - ticker.last_tick > 10000)
        ticker_tick (run, &ticker, now);

      result = build_result (run, &ticker, cancel_time, epochs_started);
      result->cancelled = cancel_time > 0;
      result->connection_time = connection_time;
      if (run->last_open_at > 0)
        result->connections_open_time = (run->last_open_at - t0) / (double)G_USEC_PER_SEC;
      result->client_cpu_time += thread_cpu_seconds () + close_cpu_time;
      result->teardown_time = (monotonic_usec () - window_end (run, cancel_time, epochs_started)) /
                              (double)G_USEC_PER_SEC;

      emit_phase (run, LB_RUN_PHASE_DONE, 0);
      g_task_return_pointer (task, result, (GDestroyNotify)lb_run_result_unref);
    }

  lb_latency_histogram_free (ticker.merged);
  g_array_unref (ticker.timeline);
  run_free (run);

  return NULL;
}

/* Connection events, summed once every worker ended */

/* How long, within [start, end), no client was connected. */
double
connection_outage_seconds (Run    *run,
                           gint64  start,
                           gint64  end)
{
  gint64 total = 0;

  for (guint i = 0; i <= run->outages->len; i++)
    {
      Epoch span;

      if (i < run->outages->len)
        span = g_array_index (run->outages, Epoch, i);
      else if (run->outage_since >= 0)
        span = (Epoch) { run->outage_since, G_MAXINT64 };
      else
        break;
      span.start = MAX (span.start, start);
      span.end = MIN (span.end, end);
      if (span.end > span.start)
        total += span.end - span.start;
    }
  return total / (double)G_USEC_PER_SEC;
}

void
connection_fill_result (Run         *run,
                        LbRunResult *result)
{
  double reachable = result->duration - result->seconds_without_connection;

  result->clients_asked = run->n_clients;
  result->clients_connected_max = run->connected_max;
  for (guint i = 0; i < run->n_workers; i++)
    {
      Worker *w = &run->workers[i];

      result->connection_failures += w->connection_failures;
      for (guint k = 0; k < w->n_clients; k++)
        if (w->clients[k].asked && !w->clients[k].connected_once)
          result->clients_never_connected++;
    }
  result->tps_while_connected = reachable > 0 ? result->transactions / reachable : 0;
}

/* GObject */

static void
lb_load_engine_finalize (GObject *object)
{
  LbLoadEngine *self = (LbLoadEngine *)object;

  g_clear_object (&self->script);
  g_clear_pointer (&self->settings, lb_run_settings_free);
  g_clear_pointer (&self->live_queries, g_ptr_array_unref);

  G_OBJECT_CLASS (lb_load_engine_parent_class)->finalize (object);
}

static void
lb_load_engine_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  LbLoadEngine *self = LB_LOAD_ENGINE (object);

  switch (prop_id)
    {
    case PROP_PHASE:
      g_value_set_int (value, (int)self->phase);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_load_engine_class_init (LbLoadEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lb_load_engine_finalize;
  object_class->get_property = lb_load_engine_get_property;

  properties[PROP_PHASE] =
    g_param_spec_int ("phase", NULL, NULL,
                      LB_RUN_PHASE_IDLE, LB_RUN_PHASE_DONE, LB_RUN_PHASE_IDLE,
                      (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LbLoadEngine::sample:
   * @sample: (type gpointer): a `const LbRunSample *`, valid during the emission
   */
  signals[SIGNAL_SAMPLE] =
    g_signal_new ("sample",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);

  signals[SIGNAL_PHASE_CHANGED] =
    g_signal_new ("phase-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_UINT);
}

static void
lb_load_engine_init (LbLoadEngine *self)
{
  self->phase = LB_RUN_PHASE_IDLE;
}

LbLoadEngine *
lb_load_engine_new (LbSqlScript         *script,
                    const LbRunSettings *settings)
{
  LbLoadEngine *self;

  g_return_val_if_fail (LB_IS_SQL_SCRIPT (script), NULL);
  g_return_val_if_fail (settings != NULL, NULL);

  self = g_object_new (LB_TYPE_LOAD_ENGINE, NULL);
  self->script = g_object_ref (script);
  self->settings = lb_run_settings_copy (settings);

  return self;
}

LbSqlScript *
lb_load_engine_get_script (LbLoadEngine *self)
{
  g_return_val_if_fail (LB_IS_LOAD_ENGINE (self), NULL);

  return self->script;
}

const LbRunSettings *
lb_load_engine_get_settings (LbLoadEngine *self)
{
  g_return_val_if_fail (LB_IS_LOAD_ENGINE (self), NULL);

  return self->settings;
}

LbRunPhase
lb_load_engine_get_phase (LbLoadEngine *self)
{
  g_return_val_if_fail (LB_IS_LOAD_ENGINE (self), LB_RUN_PHASE_IDLE);

  return self->phase;
}

GPtrArray *
lb_load_engine_get_live_queries (LbLoadEngine *self)
{
  g_return_val_if_fail (LB_IS_LOAD_ENGINE (self), NULL);

  return self->live_queries;
}

void
lb_load_engine_run_async (LbLoadEngine        *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Run *run;

  g_return_if_fail (LB_IS_LOAD_ENGINE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_load_engine_run_async);
  /* cancelling returns what was measured, not G_IO_ERROR_CANCELLED */
  g_task_set_check_cancellable (task, FALSE);

  if (self->running)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("The load engine is already running"));
      return;
    }

  g_clear_pointer (&self->live_queries, g_ptr_array_unref);
  run = g_new0 (Run, 1);
  run->engine = g_object_ref (self);
  run->script = g_object_ref (self->script);
  run->settings = lb_run_settings_copy (self->settings);
  run->context = g_main_context_ref_thread_default ();
  run->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  g_mutex_init (&run->lock);
  g_cond_init (&run->cond);
  run->outages = g_array_new (FALSE, FALSE, sizeof (Epoch));
  run->outage_since = -1;

  if (!run_prepare (run, &error))
    {
      run_free (run);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self->running = TRUE;
  run->task = g_steal_pointer (&task);
  g_thread_unref (g_thread_new ("lb-load-engine", coordinator_thread, run));
}

LbRunResult *
lb_load_engine_run_finish (LbLoadEngine  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (LB_IS_LOAD_ENGINE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
