/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the load engine's four files share: the run, its workers and clients,
 * and the few helpers the hot path calls across files, kept `static inline`
 * here so that splitting the engine costs no call per transaction.
 * Internal to src/core; nothing outside lb-load-engine*.c includes it. */
#pragma once

#include <sys/epoll.h>
#include <time.h>

#include <glib/gi18n-lib.h>
#include <libpq-fe.h>

#include "lb-load-engine.h"

G_BEGIN_DECLS

/* How it works, in short.
 *
 * A coordinator thread starts N workers. Each worker owns a fixed set of
 * clients (client i belongs to worker i % N), one level-triggered epoll set
 * (an eventfd for wake-ups, then one socket per client, changed only when a
 * client's interest changes: never in the steady state) and its own
 * statistics, so the hot path takes no lock but the worker's own, once per
 * wake-up, and allocates nothing of ours.
 *
 * A client only reads its socket after epoll said it is readable, drains
 * every complete result and sends the next statement from the same handler.
 * Without pipeline mode a client has one statement in flight; with it, up to
 * `pipeline_depth`, with a sync at the end of each transaction.
 *
 * What counts: a transaction is counted in the measuring window ("epoch")
 * in which it STARTED (its scheduled start under a target rate); in-flight
 * transactions at the deadline finish and are counted, as pgbench does, and
 * the measured duration runs until the last of them ended. Warm-up and the
 * time a ladder step spends connecting its new clients belong to no epoch. */

/* Where each part lives:
 *   lb-load-engine.c         the public object and the coordinator thread
 *   lb-load-engine-worker.c  a worker thread: its epoll loop and its clients' timers
 *   lb-load-engine-client.c  one client's state machine over libpq's async API
 *   lb-load-engine-stats.c   counters per epoch and interval, live samples, the result */

#define CONNECT_TIMEOUT_USEC   (30 * G_USEC_PER_SEC)
#define BACKOFF_MIN_MSEC       100
#define BACKOFF_MAX_MSEC       1000
#define CANCEL_BUDGET_USEC     (500 * 1000)
#define SQL_BUFFER_SIZE        4096
#define NO_TXN                 G_MAXUINT

typedef struct _Run Run;
typedef struct _Worker Worker;
typedef struct _Client Client;

typedef enum
{
  CLIENT_OFF,          /* not active (yet: a later ladder step) */
  CLIENT_CONNECTING,
  CLIENT_PREPARING,    /* statements being prepared, one after the other */
  CLIENT_WAIT_GO,      /* connected, waiting for every other client */
  CLIENT_RUNNING,
  CLIENT_RECONNECT,    /* connection lost, waiting for the backoff */
  CLIENT_DONE,
} ClientState;

typedef enum
{
  ENTRY_QUERY,
  ENTRY_SYNC,
  ENTRY_ROLLBACK,
} EntryKind;

/* A statement (or sync) in flight, oldest first. */
typedef struct
{
  EntryKind  kind;
  guint      query;
  guint      txn;        /* slot in the client's transaction ring */
  gint64     sent;
  gboolean   failed;
  gboolean   aborted;    /* skipped by the server after an earlier error */
  const LbSqlStep *store; /* \gset/\aset: the step whose result is stored, else NULL */
} Entry;

typedef struct
{
  guint      index;       /* LbSqlTransaction */
  gint64     start;       /* scheduled start under a target rate */
  gint       epoch;       /* -1: not counted */
  guint      outstanding; /* entries in flight */
  gboolean   all_sent;
  gboolean   failed;
  gboolean   sent_any;
  guint      tries;       /* runs so far (--max-tries), 1 on the first */
  gboolean   retry;       /* a serialization failure or deadlock: run it again */
} Txn;

typedef struct
{
  char       sqlstate[6];
  guint64    count;
  char      *message;
} ErrorEntry;

/* What one worker measured in one epoch; read after the worker ended. */
typedef struct
{
  LbLatencyHistogram  *latency;
  LbLatencyHistogram  *lag;
  LbLatencyHistogram **query_latency;   /* NULL until the query ended once */
  guint64             *query_executions;
  guint64             *query_failed;
  guint64              transactions;
  guint64              failed;
  guint64              skipped;  /* late beyond the latency limit, never sent */
  gint64               last_end;
  GHashTable          *errors;   /* sqlstate (script errors: message) → ErrorEntry */
  guint64              retried;  /* transactions run more than once (--max-tries) */
  guint64              retries;  /* the extra runs */
} EpochStats;

/* One live interval; double-buffered between a worker and the coordinator. */
typedef struct
{
  LbLatencyHistogram *latency;
  guint64             transactions;
  guint64             failed;
  double              lag_sum_usec;
  guint64             lag_count;
} IntervalStats;

struct _Client
{
  Worker         *worker;
  guint           id;           /* over the whole run */
  guint           slot;         /* epoll data: 1 + index in the worker */
  int             watch_fd;     /* in the worker's epoll set, or -1 */
  guint32         watch_events;
  ClientState     state;
  PGconn         *conn;
  PGcancel       *cancel;
  gboolean        ever_connected;
  gboolean        asked;        /* tried to connect at least once */
  gboolean        connected_once;
  gboolean        connected;    /* counted in run->connected_now */
  gboolean        settled;      /* counted in the worker's ready report */
  guint           prepare_next;
  guint           backoff_msec;

  gint64          wake;         /* G_MAXINT64: no timer */
  gboolean        sleeping;     /* a \sleep of the building transaction */
  gboolean        throttled;    /* waiting for the scheduled start */
  gboolean        need_rollback;
  gboolean        flush_pending;

  LbRandom        rng;
  LbValue        *vars;
  LbExprContext   context;
  guint64         local_seq;
  guint64         tuple_seq;
  gboolean        finishing;    /* starts nothing more; done once drained */
  guint           unsynced;     /* pipeline: statements sent since the last sync */

  /* transaction being built (steps executed), if any */
  gboolean        building;
  guint           building_txn; /* slot */
  guint           step;

  gint64          scheduled;    /* next scheduled start (target rate) */

  Entry          *entries;      /* ring of `depth + 2` */
  guint           entries_head;
  guint           entries_len;
  guint           queries_in_flight;
  Txn            *txns;         /* ring of `depth + 1` */
  guint           txns_head;
  guint           txns_len;

  char           *param_text;   /* n_max_params × LB_VALUE_TEXT_MAX */
  const char    **param_values;
  GString        *sql;          /* simple protocol */

  /* pgbench flow: \gset, pipeline sections, retries, -D */
  gboolean        barrier;      /* wait for every result before the next step */
  gboolean        in_pipeline;  /* inside \startpipeline … \endpipeline */
  gboolean        exit_pipeline;/* leave pipeline mode once drained */
  gboolean        vars_ready;   /* -D values and :scale applied */
  LbRandom        txn_rng;      /* random state at the transaction's start (retries) */
  char          **var_text;     /* text of stored results, by variable (NULL until used) */
  gsize          *var_text_size;/* their buffers' sizes */
  GPtrArray      *var_text_old; /* outgrown buffers: values may still point into them */
};

struct _Worker
{
  Run            *run;
  guint           index;
  GThread        *thread;
  int             wake_fd;      /* epoll data 0 */
  int             epoll_fd;
  struct epoll_event *events;   /* 1 + n_clients */
  Client         *clients;
  guint           n_clients;
  guint           n_active;
  guint           n_settled;    /* of the active clients */

  /* hot-path statistics, under stats_lock (held once per wake-up) */
  GMutex          stats_lock;
  IntervalStats   interval[2];
  guint           interval_active;
  EpochStats     *epochs;       /* n_epochs */

  /* reported to the coordinator under run->lock */
  guint           ready_generation;
  gboolean        finished;
  guint64         reconnects;
  guint64         connection_failures;
  double          cpu_time;
  gint64          last_end;
  guint           aborted_clients; /* stopped by their script (BEGIN without an end) */
};

typedef struct
{
  gint64 start;
  gint64 end;
} Epoch;

struct _Run
{
  LbLoadEngine       *engine;
  LbSqlScript        *script;
  LbRunSettings      *settings;
  GMainContext       *context;
  GCancellable       *cancellable;
  gulong              cancel_id;
  GTask              *task;

  /* the script, flattened for the workers */
  guint               n_transactions;
  const LbSqlTransaction **transactions;
  guint              *cumulative_weight;
  guint               total_weight;
  guint               n_queries;
  const LbSqlQuery  **queries;
  char              **statement_names;
  guint               n_variables;
  guint               max_params;
  guint               n_tuples;
  guint               depth;          /* statements in flight per client, >= 1 */
  guint               entries_size;   /* statements + syncs + a rollback */
  guint               txns_size;
  gboolean            pipeline;
  LbProtocol          protocol;
  guint64             seed;

  guint               n_clients;      /* the most clients at once */
  guint               n_workers;
  Worker             *workers;
  guint               n_epochs;
  Epoch              *epochs;

  /* control: written by the coordinator, read by the workers */
  gint                active_clients;   /* atomic */
  gint                generation;       /* atomic: bumped when clients are added */
  gint                go;               /* atomic: the run started */
  gint                epoch;            /* atomic: published epoch, -1 none */
  gint64              final_deadline;   /* atomic: no transaction starts after it */
  gint                stop;             /* atomic: 1 = finish, 2 = cancelled */
  guint64             count_target;
  guint64             count_started;    /* atomic */
  gint64              latency_limit_usec;

  /* reports: under lock */
  GMutex              lock;
  GCond               cond;
  GError             *startup_error;    /* a statement that does not prepare */
  char               *connect_error;    /* libpq's first message */
  guint               n_connected;
  char               *server_version;

  /* connection events (never per transaction): under lock */
  guint               connected_now;    /* also read atomically by the ticker */
  guint               connected_max;
  gint64              last_open_at;     /* the last connection opened before the run started */
  gint64              outage_since;     /* no client connected since then; -1: some are */
  GArray             *outages;          /* Epoch: spans with no client connected */
};

typedef struct
{
  gint64              last_tick;
  gint64              next_tick;
  gint64              interval_usec;
  LbLatencyHistogram *merged;
  GArray             *timeline;
} Ticker;

/* lb-load-engine-client.c: connecting, preparing, running a script, reconnecting.
 * client_read() drains every complete result and sends what comes next. */
G_GNUC_INTERNAL void client_init           (Client *c, Worker *w, guint id, guint slot);
G_GNUC_INTERNAL void client_clear          (Client *c);
G_GNUC_INTERNAL void client_start_connect  (Client *c, gint64 now);
G_GNUC_INTERNAL void client_poll_connect   (Client *c, gint64 now);
G_GNUC_INTERNAL void client_connect_failed (Client *c, const char *message, gint64 now);
G_GNUC_INTERNAL void client_set_events     (Client *c);
G_GNUC_INTERNAL void client_read           (Client *c, gint64 now);
G_GNUC_INTERNAL void client_advance        (Client *c, gint64 now);
G_GNUC_INTERNAL void client_lost           (Client *c, const char *sqlstate,
                                            const char *message, gint64 now);
G_GNUC_INTERNAL void client_stop_idle      (Client *c, gint64 now);
G_GNUC_INTERNAL void client_close          (Client *c);
G_GNUC_INTERNAL void client_release        (Client *c);
G_GNUC_INTERNAL void client_count_connected (Client *c, gboolean connected, gint64 now);
G_GNUC_INTERNAL void client_flow_clear     (Client *c);

/* lb-load-engine.c: what the connection events add up to. */
G_GNUC_INTERNAL double connection_outage_seconds (Run *run, gint64 start, gint64 end);
G_GNUC_INTERNAL void   connection_fill_result    (Run *run, LbRunResult *result);

/* lb-load-engine-stats.c: called on a worker with its stats_lock held, except
 * ticker_tick() (the coordinator, once per interval: takes each worker's lock)
 * and build_result() (after every worker ended). */
G_GNUC_INTERNAL void          epoch_stats_init  (EpochStats *stats, guint n_queries);
G_GNUC_INTERNAL void          epoch_stats_clear (EpochStats *stats, guint n_queries);
G_GNUC_INTERNAL void          count_error       (GHashTable *errors, const char *sqlstate,
                                                 const char *message);
G_GNUC_INTERNAL void          txn_fail          (Client *c, guint slot,
                                                 const char *sqlstate, const char *message);
G_GNUC_INTERNAL void          complete_txns     (Client *c, gint64 now);
G_GNUC_INTERNAL void          ticker_tick       (Run *run, Ticker *ticker, gint64 now);
G_GNUC_INTERNAL LbRunResult  *build_result      (Run *run, Ticker *ticker,
                                                 gint64 cancel_time, guint epochs_started);

/* lb-load-engine-worker.c */
G_GNUC_INTERNAL gpointer worker_thread    (gpointer data);
G_GNUC_INTERNAL void     wake_all_workers (Run *run);

/* lb-load-engine.c: queues the "sample" signal in the caller's main context;
 * takes @queries. */
G_GNUC_INTERNAL void emit_sample (Run *run, const LbRunSample *sample, GPtrArray *queries);

/* The hot path's helpers: inlined wherever they are called, as they were
 * when the engine was one file. */

/* GLib 2.74 has no 64-bit atomics. */
static inline gint64
load64 (const gint64 *p)
{
  return __atomic_load_n (p, __ATOMIC_ACQUIRE);
}

static inline void
store64 (gint64 *p,
         gint64  value)
{
  __atomic_store_n (p, value, __ATOMIC_RELEASE);
}

static inline gint64
monotonic_usec (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64)ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static inline double
thread_cpu_seconds (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The epoch a connection-level error is reported in: the latest published
 * one, or the first before the run starts. */
static inline EpochStats *
current_epoch_stats (Worker *w)
{
  gint e = g_atomic_int_get (&w->run->epoch);

  return &w->epochs[MAX (e, 0)];
}

/* A query's latency histogram in @es, made the first time it is needed:
 * one predictable test per statement on the hot path. */
static inline LbLatencyHistogram *
epoch_query_latency (EpochStats *es,
                     guint       query)
{
  if (G_UNLIKELY (es->query_latency[query] == NULL))
    es->query_latency[query] = lb_latency_histogram_new ();
  return es->query_latency[query];
}

static inline Entry *
entry_at (Client *c,
          guint   i)
{
  return &c->entries[(c->entries_head + i) % c->worker->run->entries_size];
}

static inline Txn *
txn_slot (Client *c,
          guint   slot)
{
  return &c->txns[slot % c->worker->run->txns_size];
}

static inline gboolean
client_may_start (Client *c,
                  gint64  now)
{
  Run *run = c->worker->run;

  if (g_atomic_int_get (&run->stop))
    return FALSE;
  if (now >= load64 (&run->final_deadline))
    return FALSE;
  return TRUE;
}

/* Asks for a client's state ahead of use (no load of it: that would wait
 * for the very miss this hides). */
static inline void
client_prefetch (const Client *c)
{
  const char *p = (const char *)c;

  for (gsize off = 0; off < sizeof *c; off += 64)
    __builtin_prefetch (p + off);
}

/* Its oldest entry in flight and its transaction ring, once the state is in. */
static inline void
client_prefetch_rings (const Client *c)
{
  if (c->entries != NULL)
    __builtin_prefetch (&c->entries[c->entries_head]);
  if (c->txns != NULL)
    __builtin_prefetch (&c->txns[c->txns_head % c->worker->run->txns_size]);
}

static inline void
client_io (Client  *c,
           guint32  revents,
           gint64   now)
{
  switch (c->state)
    {
    case CLIENT_CONNECTING:
      client_poll_connect (c, now);
      break;

    case CLIENT_PREPARING:
    case CLIENT_RUNNING:
    case CLIENT_WAIT_GO:
      if (revents & EPOLLOUT)
        {
          int r = PQflush (c->conn);

          if (r < 0)
            {
              client_lost (c, "08006", PQerrorMessage (c->conn), now);
              return;
            }
          if ((r == 1) != c->flush_pending)
            {
              c->flush_pending = r == 1;
              client_set_events (c);
            }
        }
      if (revents & (EPOLLIN | EPOLLERR | EPOLLHUP))
        client_read (c, now);
      break;

    case CLIENT_OFF:
    case CLIENT_RECONNECT:
    case CLIENT_DONE:
    default:
      break;
    }
}

static inline void
client_timer (Client *c,
              gint64  now)
{
  c->wake = G_MAXINT64;

  switch (c->state)
    {
    case CLIENT_CONNECTING:
      client_connect_failed (c, _("Timed out while connecting"), now);
      break;

    case CLIENT_RECONNECT:
      if (client_may_start (c, now))
        client_start_connect (c, now);
      else
        c->state = CLIENT_DONE;
      break;

    case CLIENT_RUNNING:
      c->sleeping = FALSE;
      c->throttled = FALSE;
      client_advance (c, now);
      break;

    case CLIENT_OFF:
    case CLIENT_PREPARING:
    case CLIENT_WAIT_GO:
    case CLIENT_DONE:
    default:
      break;
    }
}

G_END_DECLS
