/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <libpq-fe.h>

#include "lb-load-engine.h"

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
  LbLatencyHistogram **query_latency;
  guint64             *query_executions;
  guint64             *query_failed;
  guint64              transactions;
  guint64              failed;
  guint64              skipped;  /* late beyond the latency limit, never sent */
  gint64               last_end;
  GHashTable          *errors;   /* sqlstate → ErrorEntry */
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

  /* hot-path statistics, under stats_lock (held once per wake-up) */
  GMutex          stats_lock;
  IntervalStats   interval[2];
  guint           interval_active;
  EpochStats     *epochs;       /* n_epochs */

  /* reported to the coordinator under run->lock */
  guint           ready_generation;
  gboolean        finished;
  guint64         reconnects;
  double          cpu_time;
  gint64          last_end;
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
};

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

static void client_advance (Client *c, gint64 now);
static void client_lost    (Client *c, const char *sqlstate, const char *message, gint64 now);

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

static double
thread_cpu_seconds (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Statistics */

static void
error_entry_free (gpointer data)
{
  ErrorEntry *entry = data;

  g_free (entry->message);
  g_free (entry);
}

static void
epoch_stats_init (EpochStats *stats,
                  guint       n_queries)
{
  stats->latency = lb_latency_histogram_new ();
  stats->lag = lb_latency_histogram_new ();
  stats->query_latency = g_new0 (LbLatencyHistogram *, n_queries);
  for (guint i = 0; i < n_queries; i++)
    stats->query_latency[i] = lb_latency_histogram_new ();
  stats->query_executions = g_new0 (guint64, n_queries);
  stats->query_failed = g_new0 (guint64, n_queries);
  stats->errors = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, error_entry_free);
}

static void
epoch_stats_clear (EpochStats *stats,
                   guint       n_queries)
{
  g_clear_pointer (&stats->latency, lb_latency_histogram_free);
  g_clear_pointer (&stats->lag, lb_latency_histogram_free);
  if (stats->query_latency != NULL)
    for (guint i = 0; i < n_queries; i++)
      g_clear_pointer (&stats->query_latency[i], lb_latency_histogram_free);
  g_clear_pointer (&stats->query_latency, g_free);
  g_clear_pointer (&stats->query_executions, g_free);
  g_clear_pointer (&stats->query_failed, g_free);
  g_clear_pointer (&stats->errors, g_hash_table_unref);
}

static void
interval_stats_reset (IntervalStats *stats)
{
  lb_latency_histogram_reset (stats->latency);
  stats->transactions = 0;
  stats->failed = 0;
  stats->lag_sum_usec = 0;
  stats->lag_count = 0;
}

static void
count_error (GHashTable *errors,
             const char *sqlstate,
             const char *message)
{
  ErrorEntry *entry;

  if (sqlstate == NULL || strlen (sqlstate) != 5)
    sqlstate = "XX000";

  entry = g_hash_table_lookup (errors, sqlstate);
  if (entry == NULL)
    {
      /* The only allocation on the error path, once per SQLSTATE. */
      entry = g_new0 (ErrorEntry, 1);
      memcpy (entry->sqlstate, sqlstate, 5);
      entry->message = g_strstrip (g_strdup (message != NULL ? message : ""));
      g_hash_table_insert (errors, entry->sqlstate, entry);
    }
  entry->count++;
}

/* The epoch a connection-level error is reported in: the latest published
 * one, or the first before the run starts. */
static EpochStats *
current_epoch_stats (Worker *w)
{
  gint e = g_atomic_int_get (&w->run->epoch);

  return &w->epochs[MAX (e, 0)];
}

/* Clients */

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

/* What a client waits for: the epoll set is only touched when it changes.
 * @renew: the socket may be a new one with the same number (libpq opens a
 * new socket per address it tries while connecting). */
static void
client_watch (Client  *c,
              int      fd,
              guint32  events,
              gboolean renew)
{
  Worker *w = c->worker;
  struct epoll_event ev = { .events = events, .data.u32 = c->slot };

  if (fd < 0)
    {
      /* A socket libpq already closed left the set by itself; its number
       * may belong to another client's socket by now. */
      if (c->watch_fd >= 0 && c->conn != NULL && PQsocket (c->conn) == c->watch_fd)
        epoll_ctl (w->epoll_fd, EPOLL_CTL_DEL, c->watch_fd, NULL);
      c->watch_fd = -1;
      c->watch_events = 0;
      return;
    }

  if (fd == c->watch_fd && events == c->watch_events && !renew)
    return;

  if (fd != c->watch_fd)
    {
      if (epoll_ctl (w->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0 && errno == EEXIST)
        epoll_ctl (w->epoll_fd, EPOLL_CTL_MOD, fd, &ev);
    }
  else if (epoll_ctl (w->epoll_fd, EPOLL_CTL_MOD, fd, &ev) < 0 && errno == ENOENT)
    epoll_ctl (w->epoll_fd, EPOLL_CTL_ADD, fd, &ev);

  c->watch_fd = fd;
  c->watch_events = events;
}

static void
client_set_events (Client *c)
{
  guint32 events = 0;

  if (c->conn == NULL)
    {
      client_watch (c, -1, 0, FALSE);
      return;
    }

  switch (c->state)
    {
    case CLIENT_PREPARING:
    case CLIENT_RUNNING:
      /* Idle between statements (a \sleep, the throttle) we still listen,
       * so a server that goes away is noticed at once. */
      events = EPOLLIN;
      if (c->flush_pending)
        events |= EPOLLOUT;
      break;

    case CLIENT_WAIT_GO:
      events = EPOLLIN;
      break;

    case CLIENT_CONNECTING:
      /* set by the connect poll */
      return;

    case CLIENT_OFF:
    case CLIENT_RECONNECT:
    case CLIENT_DONE:
    default:
      client_watch (c, -1, 0, FALSE);
      return;
    }

  client_watch (c, PQsocket (c->conn), events, FALSE);
}

static void
client_close (Client *c)
{
  client_watch (c, -1, 0, FALSE);
  g_clear_pointer (&c->cancel, PQfreeCancel);
  g_clear_pointer (&c->conn, PQfinish);
  c->entries_len = 0;
  c->queries_in_flight = 0;
  c->txns_len = 0;
  c->building = FALSE;
  c->flush_pending = FALSE;
  c->need_rollback = FALSE;
}

static void
notice_ignored (void       *arg,
                const char *message)
{
  /* Notices (a ROLLBACK outside a transaction, RAISE NOTICE) would flood the
   * terminal at thousands of transactions per second. */
}

static void
client_settle (Client *c)
{
  if (!c->settled)
    {
      c->settled = TRUE;
      if (c->worker->n_active > 0)
        {
          Worker *w = c->worker;
          gboolean all = TRUE;

          for (guint i = 0; i < w->n_active; i++)
            if (!w->clients[i].settled)
              {
                all = FALSE;
                break;
              }

          if (all)
            {
              g_mutex_lock (&w->run->lock);
              w->ready_generation = g_atomic_int_get (&w->run->generation);
              g_cond_broadcast (&w->run->cond);
              g_mutex_unlock (&w->run->lock);
            }
        }
    }
}

static void
client_connect_failed (Client     *c,
                       const char *message,
                       gint64      now)
{
  Run *run = c->worker->run;

  g_debug ("Client %u cannot connect: %s", c->id, message);

  if (!g_atomic_int_get (&run->go))
    {
      g_mutex_lock (&run->lock);
      if (run->connect_error == NULL)
        run->connect_error = g_strstrip (g_strdup (message));
      g_mutex_unlock (&run->lock);
    }

  count_error (current_epoch_stats (c->worker)->errors, "08001", message);
  client_close (c);
  c->state = CLIENT_RECONNECT;
  c->wake = now + (gint64)c->backoff_msec * 1000;
  c->backoff_msec = MIN (c->backoff_msec * 2, BACKOFF_MAX_MSEC);
  client_settle (c);
}

static void
client_start_connect (Client *c,
                      gint64  now)
{
  Run *run = c->worker->run;

  /* "" = libpq's defaults and the PG* environment */
  c->conn = PQconnectStart (run->settings->conninfo != NULL ? run->settings->conninfo : "");
  if (c->conn == NULL)
    {
      client_connect_failed (c, "out of memory", now);
      return;
    }
  if (PQstatus (c->conn) == CONNECTION_BAD)
    {
      client_connect_failed (c, PQerrorMessage (c->conn), now);
      return;
    }

  PQsetNoticeProcessor (c->conn, notice_ignored, NULL);
  c->state = CLIENT_CONNECTING;
  c->wake = now + CONNECT_TIMEOUT_USEC;
  /* libpq's rule: behave as if it returned WRITING */
  client_watch (c, PQsocket (c->conn), EPOLLOUT, TRUE);
}

static gboolean
client_send_prepare (Client *c)
{
  Run *run = c->worker->run;
  const LbSqlQuery *q = run->queries[c->prepare_next];
  /* With the other protocols the statements are still checked once, on
   * the first connection, in the unnamed statement. */
  const char *name = run->protocol == LB_PROTOCOL_PREPARED ? run->statement_names[q->index] : "";

  if (!PQsendPrepare (c->conn, name, q->sql_numbered, 0, NULL))
    return FALSE;
  c->flush_pending = PQflush (c->conn) == 1;
  return TRUE;
}

/* Connected and prepared: runs as soon as the run has started. */
static void
client_ready (Client *c,
              gint64  now)
{
  Run *run = c->worker->run;

  if (run->pipeline && PQenterPipelineMode (c->conn) != 1)
    {
      client_connect_failed (c, PQerrorMessage (c->conn), now);
      return;
    }
  c->ever_connected = TRUE;
  c->backoff_msec = BACKOFF_MIN_MSEC;
  c->state = CLIENT_WAIT_GO;
  client_set_events (c);
  client_settle (c);
  if (g_atomic_int_get (&run->go))
    client_advance (c, now);
}

static void
client_connected (Client *c,
                  gint64  now)
{
  Run *run = c->worker->run;

  c->cancel = PQgetCancel (c->conn);
  if (PQsetnonblocking (c->conn, 1) != 0)
    {
      client_connect_failed (c, PQerrorMessage (c->conn), now);
      return;
    }

  if (c->ever_connected)
    c->worker->reconnects++;

  g_mutex_lock (&run->lock);
  if (run->server_version == NULL)
    {
      const char *version = PQparameterStatus (c->conn, "server_version");

      if (version != NULL)
        run->server_version = g_strndup (version, strcspn (version, " "));
    }
  if (!c->ever_connected)
    run->n_connected++;
  g_mutex_unlock (&run->lock);

  c->wake = G_MAXINT64;
  c->prepare_next = 0;

  if (run->n_queries > 0 && (run->protocol == LB_PROTOCOL_PREPARED || c->id == 0))
    {
      c->state = CLIENT_PREPARING;
      if (!client_send_prepare (c))
        {
          client_connect_failed (c, PQerrorMessage (c->conn), now);
          return;
        }
      client_set_events (c);
      return;
    }

  client_ready (c, now);
}

static void
client_poll_connect (Client *c,
                     gint64  now)
{
  switch (PQconnectPoll (c->conn))
    {
    case PGRES_POLLING_READING:
      client_watch (c, PQsocket (c->conn), EPOLLIN, TRUE);
      break;

    case PGRES_POLLING_WRITING:
      client_watch (c, PQsocket (c->conn), EPOLLOUT, TRUE);
      break;

    case PGRES_POLLING_OK:
      client_connected (c, now);
      break;

    case PGRES_POLLING_FAILED:
    case PGRES_POLLING_ACTIVE:
    default:
      client_connect_failed (c, PQerrorMessage (c->conn), now);
      break;
    }
}

static void
client_prepare_result (Client   *c,
                       PGresult *res,
                       gint64    now)
{
  Run *run = c->worker->run;
  const LbSqlQuery *q = run->queries[c->prepare_next];
  const char *sqlstate = PQresultErrorField (res, PG_DIAG_SQLSTATE);
  const char *message = PQresultErrorMessage (res);

  if (!g_atomic_int_get (&run->go))
    {
      g_autofree char *text = g_strstrip (g_strdup (message));

      g_mutex_lock (&run->lock);
      if (run->startup_error == NULL)
        run->startup_error =
          g_error_new (LB_LOAD_ENGINE_ERROR, LB_LOAD_ENGINE_ERROR_PREPARE,
                       _("Statement “%s” (line %u) cannot be prepared: %s: %s"),
                       q->name, q->line, sqlstate != NULL ? sqlstate : "XX000", text);
      g_cond_broadcast (&run->cond);
      g_mutex_unlock (&run->lock);
    }
  else
    {
      /* After a reconnect: counted; its executions will fail and say so. */
      count_error (current_epoch_stats (c->worker)->errors, sqlstate, message);
    }
}

/* Parameters and sending */

static void
append_literal (Client        *c,
                const LbValue *value)
{
  char buffer[LB_VALUE_TEXT_MAX];
  const char *text = NULL;
  gsize len;

  switch (value->type)
    {
    case LB_VALUE_NULL:
      g_string_append_len (c->sql, "NULL", 4);
      return;

    case LB_VALUE_BOOLEAN:
      g_string_append (c->sql, value->u.boolean ? "true" : "false");
      return;

    case LB_VALUE_DOUBLE:
      if (!isfinite (value->u.number))
        {
          g_string_append (c->sql, isnan (value->u.number) ? "'NaN'" :
                           value->u.number > 0 ? "'Infinity'" : "'-Infinity'");
          return;
        }
      G_GNUC_FALLTHROUGH;
    case LB_VALUE_INT:
      len = lb_value_to_text (value, buffer, &text);
      /* "1 - :x" with x = -5 must not become a "--" comment. */
      if (len > 0 && text[0] == '-')
        {
          g_string_append_c (c->sql, '(');
          g_string_append_len (c->sql, text, len);
          g_string_append_c (c->sql, ')');
        }
      else
        g_string_append_len (c->sql, text, len);
      return;

    case LB_VALUE_STRING:
    default:
      {
        const char *s = value->u.string != NULL ? value->u.string : "";
        gsize n = strlen (s);
        gsize old = c->sql->len;
        int error = 0;
        gsize written;

        /* PQescapeStringConn knows the connection's encoding and
         * standard_conforming_strings; the GString only grows, so after the
         * first transactions this allocates nothing. */
        g_string_set_size (c->sql, old + 2 * n + 3);
        c->sql->str[old] = '\'';
        written = PQescapeStringConn (c->conn, c->sql->str + old + 1, s, n, &error);
        c->sql->str[old + 1 + written] = '\'';
        g_string_truncate (c->sql, old + written + 2);
      }
      return;
    }
}

static const char *
build_simple_sql (Client           *c,
                  const LbSqlQuery *q)
{
  g_string_truncate (c->sql, 0);
  for (guint i = 0; i < q->n_params; i++)
    {
      g_string_append (c->sql, q->fragments[i]);
      append_literal (c, &c->vars[q->param_vars[i]]);
    }
  g_string_append (c->sql, q->fragments[q->n_params]);
  return c->sql->str;
}

static void
build_params (Client           *c,
              const LbSqlQuery *q)
{
  for (guint i = 0; i < q->n_params; i++)
    {
      const LbValue *value = &c->vars[q->param_vars[i]];

      if (value->type == LB_VALUE_NULL)
        c->param_values[i] = NULL;
      else
        {
          const char *text = NULL;

          lb_value_to_text (value, c->param_text + i * LB_VALUE_TEXT_MAX, &text);
          c->param_values[i] = text;
        }
    }
}

static Entry *
push_entry (Client    *c,
            EntryKind  kind,
            guint      query,
            gint64     now)
{
  Entry *e = entry_at (c, c->entries_len++);


  e->kind = kind;
  e->query = query;
  e->txn = kind == ENTRY_ROLLBACK || !c->building ? NO_TXN : c->building_txn;
  e->sent = now;
  e->failed = FALSE;
  e->aborted = FALSE;
  if (kind != ENTRY_SYNC)
    c->queries_in_flight++;
  return e;
}

static gboolean
send_query (Client           *c,
            const LbSqlQuery *q)
{
  Run *run = c->worker->run;

  switch (run->protocol)
    {
    case LB_PROTOCOL_SIMPLE:
      if (run->pipeline)
        /* pipeline mode forbids the simple query message */
        return PQsendQueryParams (c->conn, build_simple_sql (c, q), 0, NULL, NULL, NULL, NULL, 0);
      return PQsendQuery (c->conn, build_simple_sql (c, q));

    case LB_PROTOCOL_EXTENDED:
      build_params (c, q);
      return PQsendQueryParams (c->conn, q->sql_numbered, (int)q->n_params, NULL,
                                c->param_values, NULL, NULL, 0);

    case LB_PROTOCOL_PREPARED:
    default:
      build_params (c, q);
      return PQsendQueryPrepared (c->conn, run->statement_names[q->index], (int)q->n_params,
                                  c->param_values, NULL, NULL, 0);
    }
}

/* Transactions */

static gboolean
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

static double
exponential_usec (Client *c)
{
  Run *run = c->worker->run;
  double clients = MAX (1, g_atomic_int_get (&run->active_clients));
  double mean_usec = clients / run->settings->rate * G_USEC_PER_SEC;
  double u = lb_random_double (&c->rng);

  return -log (1.0 - u) * mean_usec;
}

/* Starts a transaction at @now (or its scheduled start); FALSE when the
 * client is done or throttled. */
static gboolean
client_begin_txn (Client *c,
                  gint64  now)
{
  Run *run = c->worker->run;
  gint64 start = now;
  gint e;
  gint epoch = -1;
  guint64 seq;
  guint draw, index, lo, hi;
  Txn *t;

  if (!client_may_start (c, now))
    {
      c->finishing = TRUE;
      return FALSE;
    }

  for (;;)
    {
      if (run->settings->rate > 0)
        {
          if (c->scheduled > now)
            {
              c->throttled = TRUE;
              c->wake = c->scheduled;
              return FALSE;
            }
          start = c->scheduled;
          c->scheduled += (gint64)exponential_usec (c);
        }

      epoch = -1;
      e = g_atomic_int_get (&run->epoch);
      if (e >= 0 && start >= run->epochs[e].start && start < run->epochs[e].end)
        epoch = e;
      /* A fixed count is exact: with no warm-up, a transaction that starts
       * while the window is being opened (other clients still connecting, or a
       * clock read a moment before the window's start) counts in the first
       * window rather than running uncounted. */
      if (run->count_target > 0 && epoch < 0 && run->settings->warmup <= 0)
        epoch = MAX (e, 0);

      /* pgbench -L: a transaction already later than the bound behind its
       * schedule is counted as skipped and never sent; the next one is due. */
      if (run->latency_limit_usec <= 0 || now - start <= run->latency_limit_usec)
        break;
      if (run->count_target > 0 && epoch >= 0 &&
          __atomic_fetch_add (&run->count_started, 1, __ATOMIC_RELAXED) >= run->count_target)
        {
          c->finishing = TRUE;
          return FALSE;
        }
      if (epoch >= 0)
        c->worker->epochs[epoch].skipped++;
    }

  seq = c->local_seq++;
  if (run->count_target > 0 && epoch >= 0)
    {
      seq = __atomic_fetch_add (&run->count_started, 1, __ATOMIC_RELAXED);
      if (seq >= run->count_target)
        {
          c->finishing = TRUE;
          return FALSE;
        }
    }

  draw = (guint)lb_random_uniform (&c->rng, 0, run->total_weight - 1);
  lo = 0;
  hi = run->n_transactions - 1;
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;

      if (draw < run->cumulative_weight[mid])
        hi = mid;
      else
        lo = mid + 1;
    }
  index = lo;

  c->building_txn = c->txns_head + c->txns_len;
  c->txns_len++;
  t = txn_slot (c, c->building_txn);
  t->index = index;
  t->start = start;
  t->epoch = epoch;
  t->outstanding = 0;
  t->all_sent = FALSE;
  t->failed = FALSE;
  t->sent_any = FALSE;
  c->building = TRUE;
  c->step = 0;
  /* the tuple a web-tool transaction runs: in fixed-count mode the run's
   * sequence number, so every tuple runs exactly EXEC_COUNT times */
  c->tuple_seq = seq;
  return TRUE;
}

static void
record_txn_end (Client *c,
                Txn    *t,
                gint64  now)
{
  Worker *w = c->worker;
  IntervalStats *iv = &w->interval[w->interval_active];
  gint64 latency = now - t->start;

  if (latency < 0)
    latency = 0;

  if (t->epoch >= 0)
    {
      EpochStats *es = &w->epochs[t->epoch];

      if (t->failed)
        es->failed++;
      else
        {
          es->transactions++;
          lb_latency_histogram_record (es->latency, latency);
        }
      es->last_end = MAX (es->last_end, now);
    }

  if (t->failed)
    iv->failed++;
  else
    {
      iv->transactions++;
      lb_latency_histogram_record (iv->latency, latency);
    }
}

static void
record_lag (Client *c,
            Txn    *t,
            gint64  now)
{
  Worker *w = c->worker;
  IntervalStats *iv = &w->interval[w->interval_active];
  gint64 lag = MAX (0, now - t->start);

  if (t->epoch >= 0)
    lb_latency_histogram_record (w->epochs[t->epoch].lag, lag);
  iv->lag_sum_usec += lag;
  iv->lag_count++;
}

static void
txn_fail (Client     *c,
          guint       slot,
          const char *sqlstate,
          const char *message)
{
  Txn *t = txn_slot (c, slot);

  if (t->failed)
    return;
  t->failed = TRUE;
  c->need_rollback = TRUE;
  if (t->epoch >= 0)
    count_error (c->worker->epochs[t->epoch].errors, sqlstate, message);
  if (c->building && c->building_txn == slot)
    {
      /* the rest of its steps are skipped */
      c->step = G_MAXUINT;
      c->sleeping = FALSE;
    }
}

/* Pops finished transactions off the front of the ring. */
static void
complete_txns (Client *c,
               gint64  now)
{
  while (c->txns_len > 0)
    {
      Txn *t = txn_slot (c, c->txns_head);

      if (!t->all_sent || t->outstanding > 0)
        break;
      record_txn_end (c, t, now);
      c->txns_head++;
      c->txns_len--;
    }
}

/* Runs steps of the building transaction until something must be waited
 * for: a result (depth reached), a \sleep, the throttle, or the end. */
static void
client_advance (Client *c,
                gint64  now)
{
  Run *run = c->worker->run;
  guint yielded = 0;

  if (c->state != CLIENT_RUNNING)
    {
      if (c->state != CLIENT_WAIT_GO || !g_atomic_int_get (&run->go))
        return;
      /* @now may predate the start of the run (read before "go" was seen):
       * a first transaction stamped with it would not count. */
      now = MAX (now, monotonic_usec ());
      c->state = CLIENT_RUNNING;
      if (run->settings->rate > 0 && c->scheduled == 0)
        c->scheduled = now + (gint64)exponential_usec (c);
    }

  while (c->state == CLIENT_RUNNING && !c->sleeping && !c->throttled && !c->finishing)
    {
      const LbSqlTransaction *tx;
      Txn *t;

      if (c->queries_in_flight >= run->depth)
        break;

      if (!c->building)
        {
          if (c->need_rollback)
            {
              /* Without pipeline mode the connection is idle here and tells
               * whether an explicit transaction block was left failed. */
              if (!run->pipeline && PQtransactionStatus (c->conn) != PQTRANS_INERROR)
                c->need_rollback = FALSE;
              else
                {
                  c->need_rollback = FALSE;
                  if (!PQsendQueryParams (c->conn, "ROLLBACK", 0, NULL, NULL, NULL, NULL, 0))
                    {
                      client_lost (c, "08006", PQerrorMessage (c->conn), now);
                      return;
                    }
                  push_entry (c, ENTRY_ROLLBACK, 0, now);
                  if (run->pipeline)
                    {
                      if (!PQpipelineSync (c->conn))
                        {
                          client_lost (c, "08006", PQerrorMessage (c->conn), now);
                          return;
                        }
                      push_entry (c, ENTRY_SYNC, 0, now);
                      c->unsynced = 0;
                    }
                  continue;
                }
            }

          if (c->txns_len >= run->txns_size - 1)
            break;
          if (!client_begin_txn (c, now))
            break;
          if (run->settings->rate > 0)
            record_lag (c, txn_slot (c, c->building_txn), now);
        }

      t = txn_slot (c, c->building_txn);
      tx = run->transactions[t->index];

      if (c->step >= tx->n_steps)
        {
          /* every step sent */
          if (run->pipeline && t->sent_any)
            {
              if (!PQpipelineSync (c->conn))
                {
                  client_lost (c, "08006", PQerrorMessage (c->conn), now);
                  return;
                }
              push_entry (c, ENTRY_SYNC, 0, now);
              t->outstanding++;
              c->unsynced = 0;
            }
          c->building = FALSE;
          t->all_sent = TRUE;
          if (t->outstanding == 0)
            {
              complete_txns (c, now);
              /* a transaction without a statement: give the others a turn */
              if (++yielded >= 16)
                {
                  c->wake = now;
                  break;
                }
            }
          continue;
        }

      {
        const LbSqlStep *step = &tx->steps[c->step];

        switch (step->kind)
          {
          case LB_STEP_SET:
            {
              g_autoptr(GError) error = NULL;

              if (!lb_expr_eval (step->expr, &c->context, &c->vars[step->var], &error))
                txn_fail (c, c->building_txn, "22000", error->message);
              else
                c->step++;
            }
            break;

          case LB_STEP_SLEEP:
            {
              g_autoptr(GError) error = NULL;
              LbValue value;
              double usec = 0;

              if (!lb_expr_eval (step->expr, &c->context, &value, &error))
                {
                  txn_fail (c, c->building_txn, "22000", error->message);
                  break;
                }
              if (value.type == LB_VALUE_INT)
                usec = (double)value.u.integer * step->unit_usec;
              else if (value.type == LB_VALUE_DOUBLE)
                usec = value.u.number * step->unit_usec;
              c->step++;
              if (usec >= 1)
                {
                  c->sleeping = TRUE;
                  c->wake = now + (gint64)usec;
                }
            }
            break;

          case LB_STEP_PARAM_SET:
            if (run->n_tuples > 0)
              {
                guint n_columns = 0;
                const LbValue *tuple;

                tuple = lb_sql_script_get_tuple (run->script,
                                                 (guint)(c->tuple_seq % run->n_tuples),
                                                 &n_columns);
                for (guint i = 0; i < step->n_tuple_vars && i < n_columns; i++)
                  c->vars[step->tuple_vars[i]] = tuple[i];
              }
            c->step++;
            break;

          case LB_STEP_QUERY:
          default:
            if (!send_query (c, step->query))
              {
                client_lost (c, "08006", PQerrorMessage (c->conn), now);
                return;
              }
            push_entry (c, ENTRY_QUERY, step->query->index, now);
            t->outstanding++;
            t->sent_any = TRUE;
            if (run->pipeline)
              c->unsynced++;
            c->step++;
            break;
          }
      }
    }

  if (c->conn != NULL && c->entries_len > 0)
    {
      int r;

      /* Stopped in the middle of a transaction (depth, \sleep): the server
       * keeps its replies until a sync or a flush request. */
      if (c->unsynced > 0)
        {
          PQsendFlushRequest (c->conn);
          c->unsynced = 0;
        }

      /* Outside pipeline mode libpq already flushed; this is then free. */
      r = PQflush (c->conn);

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

  if (c->finishing && c->entries_len == 0 && c->txns_len == 0 && c->state == CLIENT_RUNNING)
    {
      c->state = CLIENT_DONE;
      client_set_events (c);
    }
}

/* A result for the oldest entry in flight. */
static void
handle_result (Client   *c,
               PGresult *res,
               gint64    now)
{
  Entry *e = entry_at (c, 0);

  switch (PQresultStatus (res))
    {
    case PGRES_FATAL_ERROR:
      if (e->kind == ENTRY_QUERY && e->txn != NO_TXN)
        {
          const char *sqlstate = PQresultErrorField (res, PG_DIAG_SQLSTATE);

          e->failed = TRUE;
          txn_fail (c, e->txn, sqlstate, PQresultErrorMessage (res));
        }
      break;

    case PGRES_PIPELINE_ABORTED:
      e->aborted = TRUE;
      break;

    case PGRES_COPY_IN:
      PQputCopyEnd (c->conn, "COPY FROM STDIN is not supported by the load engine");
      break;

    case PGRES_COPY_OUT:
      {
        char *buffer = NULL;

        while (PQgetCopyData (c->conn, &buffer, TRUE) > 0)
          PQfreemem (buffer);
      }
      break;

    default:
      break;
    }
}

/* The oldest entry is complete. */
static void
pop_entry (Client *c,
           gint64  now)
{
  Worker *w = c->worker;
  Run *run = w->run;
  Entry *e = entry_at (c, 0);
  EntryKind kind = e->kind;
  guint slot = e->txn;

  if (kind == ENTRY_QUERY && slot != NO_TXN)
    {
      Txn *t = txn_slot (c, slot);

      if (t->epoch >= 0 && !e->aborted)
        {
          EpochStats *es = &w->epochs[t->epoch];

          if (e->failed)
            es->query_failed[e->query]++;
          else
            {
              es->query_executions[e->query]++;
              lb_latency_histogram_record (es->query_latency[e->query], now - e->sent);
            }
        }
    }

  c->entries_head = (c->entries_head + 1) % run->entries_size;
  c->entries_len--;
  if (kind != ENTRY_SYNC)
    c->queries_in_flight--;

  if (slot != NO_TXN)
    {
      txn_slot (c, slot)->outstanding--;
      complete_txns (c, now);
    }
}

static gboolean
sqlstate_is_connection_loss (const char *sqlstate)
{
  return sqlstate != NULL &&
         (g_str_has_prefix (sqlstate, "08") ||
          strcmp (sqlstate, "57P01") == 0 ||
          strcmp (sqlstate, "57P02") == 0 ||
          strcmp (sqlstate, "57P03") == 0);
}

static void
client_lost (Client     *c,
             const char *sqlstate,
             const char *message,
             gint64      now)
{
  Worker *w = c->worker;
  g_autofree char *text = g_strdup (message);
  gboolean had_txn = c->txns_len > 0;

  g_debug ("Client %u lost its connection (%s): %s", c->id, sqlstate, message);

  /* Every transaction in flight failed with it. */
  for (guint i = 0; i < c->txns_len; i++)
    {
      guint slot = c->txns_head + i;
      Txn *t = txn_slot (c, slot);

      txn_fail (c, slot, sqlstate, text);
      t->all_sent = TRUE;
      t->outstanding = 0;
    }
  for (guint i = 0; i < c->entries_len; i++)
    {
      Entry *e = entry_at (c, i);

      if (e->kind == ENTRY_QUERY && e->txn != NO_TXN)
        {
          Txn *t = txn_slot (c, e->txn);

          if (t->epoch >= 0)
            w->epochs[t->epoch].query_failed[e->query]++;
        }
    }
  c->entries_len = 0;
  c->queries_in_flight = 0;
  c->building = FALSE;
  complete_txns (c, now);

  /* A connection lost between transactions is an error of its own. */
  if (!had_txn)
    count_error (current_epoch_stats (w)->errors, sqlstate, text);

  client_close (c);
  client_settle (c);
  c->sleeping = FALSE;
  c->throttled = FALSE;
  c->unsynced = 0;
  if (!client_may_start (c, now))
    {
      c->state = CLIENT_DONE;
      c->wake = G_MAXINT64;
      return;
    }
  c->state = CLIENT_RECONNECT;
  c->wake = now + (gint64)c->backoff_msec * 1000;
  c->backoff_msec = MIN (c->backoff_msec * 2, BACKOFF_MAX_MSEC);
}

static void
client_read (Client *c,
             gint64  now)
{
  Run *run = c->worker->run;
  char sqlstate[6] = "";
  char message[256] = "";

  if (!PQconsumeInput (c->conn))
    {
      client_lost (c, "08006", PQerrorMessage (c->conn), now);
      return;
    }

  if (c->state == CLIENT_PREPARING)
    {
      while (!PQisBusy (c->conn))
        {
          PGresult *res = PQgetResult (c->conn);

          if (res != NULL)
            {
              if (PQresultStatus (res) == PGRES_FATAL_ERROR)
                {
                  const char *state = PQresultErrorField (res, PG_DIAG_SQLSTATE);

                  if (sqlstate_is_connection_loss (state))
                    {
                      g_strlcpy (sqlstate, state, sizeof sqlstate);
                      g_strlcpy (message, PQresultErrorMessage (res), sizeof message);
                    }
                  else
                    client_prepare_result (c, res, now);
                }
              PQclear (res);
              continue;
            }

          if (sqlstate[0] != '\0' || PQstatus (c->conn) == CONNECTION_BAD)
            {
              client_lost (c, sqlstate[0] ? sqlstate : "08006",
                     message[0] ? message : PQerrorMessage (c->conn), now);
              return;
            }

          if (++c->prepare_next < run->n_queries)
            {
              if (!client_send_prepare (c))
                client_lost (c, "08006", PQerrorMessage (c->conn), now);
              return;
            }

          client_ready (c, now);
          return;
        }
      return;
    }

  if (c->state == CLIENT_WAIT_GO)
    {
      /* nothing expected: the server talks only to say goodbye */
      if (PQstatus (c->conn) == CONNECTION_BAD)
        client_lost (c, "08006", PQerrorMessage (c->conn), now);
      return;
    }

  while (c->entries_len > 0 && !PQisBusy (c->conn))
    {
      PGresult *res = PQgetResult (c->conn);
      Entry *e = entry_at (c, 0);

      if (res != NULL)
        {
          ExecStatusType status = PQresultStatus (res);

          if (status == PGRES_FATAL_ERROR)
            {
              const char *state = PQresultErrorField (res, PG_DIAG_SQLSTATE);

              if (sqlstate_is_connection_loss (state))
                {
                  g_strlcpy (sqlstate, state, sizeof sqlstate);
                  g_strlcpy (message, PQresultErrorMessage (res), sizeof message);
                }
            }

          if (status == PGRES_PIPELINE_SYNC)
            {
              PQclear (res);
              if (e->kind == ENTRY_SYNC)
                pop_entry (c, now);

              continue;
            }
          handle_result (c, res, now);
          PQclear (res);
          continue;
        }

      if (sqlstate[0] != '\0')
        {
          client_lost (c, sqlstate, message, now);
          return;
        }

      pop_entry (c, now);
    }

  if (sqlstate[0] != '\0' || PQstatus (c->conn) == CONNECTION_BAD)
    {
      client_lost (c, sqlstate[0] ? sqlstate : "08006",
                     message[0] ? message : PQerrorMessage (c->conn), now);
      return;
    }

  client_advance (c, now);
}

static void
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

static void
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

/* Workers */

static void
client_init (Client *c,
             Worker *w,
             guint   id,
             guint   slot)
{
  Run *run = w->run;

  c->worker = w;
  c->id = id;
  c->slot = slot;
  c->watch_fd = -1;
  c->state = CLIENT_OFF;
  c->wake = G_MAXINT64;
  c->backoff_msec = BACKOFF_MIN_MSEC;
  lb_random_seed (&c->rng, run->seed + id);
  c->vars = g_new0 (LbValue, MAX (run->n_variables, 1));
  c->context.variables = c->vars;
  c->context.rng = &c->rng;
  c->context.client_id = id;
  c->context.scale = 1;
  c->context.random_seed = (gint64)run->seed;
  c->entries = g_new0 (Entry, run->entries_size);
  c->txns = g_new0 (Txn, run->txns_size);
  c->param_text = g_malloc0 (MAX (run->max_params, 1) * LB_VALUE_TEXT_MAX);
  c->param_values = g_new0 (const char *, MAX (run->max_params, 1));
  if (run->protocol == LB_PROTOCOL_SIMPLE)
    c->sql = g_string_sized_new (SQL_BUFFER_SIZE);
}

static void
client_clear (Client *c)
{
  client_close (c);
  g_clear_pointer (&c->vars, g_free);
  g_clear_pointer (&c->entries, g_free);
  g_clear_pointer (&c->txns, g_free);
  g_clear_pointer (&c->param_text, g_free);
  g_clear_pointer (&c->param_values, g_free);
  if (c->sql != NULL)
    g_string_free (g_steal_pointer (&c->sql), TRUE);
}

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

/* The run is ending: what starts no transaction ends now. */
static void
client_stop_idle (Client *c,
                  gint64  now)
{
  switch (c->state)
    {
    case CLIENT_CONNECTING:
    case CLIENT_PREPARING:
    case CLIENT_RECONNECT:
    case CLIENT_WAIT_GO:
      client_close (c);
      c->wake = G_MAXINT64;
      c->state = CLIENT_DONE;
      break;

    case CLIENT_RUNNING:
      if (c->throttled)
        {
          c->throttled = FALSE;
          c->wake = G_MAXINT64;
          client_advance (c, now);
        }
      break;

    case CLIENT_OFF:
    case CLIENT_DONE:
    default:
      break;
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

      w->n_active = n_active;
      for (guint i = first; i < n_active; i++)
        client_start_connect (&w->clients[i], now);
    }
  else
    {
      /* nothing to connect in this generation */
      gboolean all = TRUE;

      for (guint i = 0; i < w->n_active; i++)
        if (!w->clients[i].settled)
          all = FALSE;
      if (all)
        {
          g_mutex_lock (&run->lock);
          w->ready_generation = g_atomic_int_get (&run->generation);
          g_cond_broadcast (&run->cond);
          g_mutex_unlock (&run->lock);
        }
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

static gpointer
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
          }

      /* Only the sockets that are ready: nothing is scanned to find them. */
      for (int k = 0; k < n_events; k++)
        {
          guint32 slot = w->events[k].data.u32;

          if (slot != 0)
            client_io (&w->clients[slot - 1], w->events[k].events, now);
        }

      deadline = load64 (&run->final_deadline);
      stopping = g_atomic_int_get (&run->go) &&
                 (g_atomic_int_get (&run->stop) != 0 || now >= deadline);
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

      w->last_end = MAX (w->last_end, now);
      g_mutex_unlock (&w->stats_lock);

      if (all_done && g_atomic_int_get (&run->go) &&
          (g_atomic_int_get (&run->stop) || now >= deadline ||
           (run->count_target > 0 && w->n_active == w->n_clients)))
        break;
    }

  for (guint i = 0; i < w->n_clients; i++)
    client_close (&w->clients[i]);

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

static void
wake_all_workers (Run *run)
{
  for (guint i = 0; i < run->n_workers; i++)
    worker_wake (&run->workers[i]);
}

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

static void
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

typedef struct
{
  gint64              last_tick;
  gint64              next_tick;
  gint64              interval_usec;
  LbLatencyHistogram *merged;
  GArray             *timeline;
} Ticker;

static void
ticker_tick (Run    *run,
             Ticker *ticker,
             gint64  now)
{
  LbRunSample sample = { 0 };
  guint64 lag_count = 0;
  double lag_sum = 0;
  double elapsed = (now - ticker->last_tick) / (double)G_USEC_PER_SEC;
  gint e = g_atomic_int_get (&run->epoch);
  gint64 epoch0 = e >= 0 ? run->epochs[0].start : G_MAXINT64;
  GPtrArray *queries = g_ptr_array_new_full (run->n_queries, (GDestroyNotify) lb_query_stats_free);

  /* Per-query figures so far, for the live table: summed from what the
   * workers keep anyway for the result, once per tick and off the hot path
   * (nothing more is counted per transaction). */
  for (guint q = 0; q < run->n_queries; q++)
    g_ptr_array_add (queries, lb_query_stats_new (q, run->queries[q]->name, run->queries[q]->sql));

  lb_latency_histogram_reset (ticker->merged);
  for (guint i = 0; i < run->n_workers; i++)
    {
      Worker *w = &run->workers[i];
      IntervalStats *iv;

      g_mutex_lock (&w->stats_lock);
      iv = &w->interval[w->interval_active];
      w->interval_active ^= 1;
      for (gint k = 0; k <= e && (guint)k < run->n_epochs; k++)
        {
          EpochStats *es = &w->epochs[k];

          for (guint q = 0; q < run->n_queries; q++)
            {
              LbQueryStats *qs = g_ptr_array_index (queries, q);

              qs->executions += es->query_executions[q];
              qs->failed += es->query_failed[q];
              lb_latency_histogram_merge (qs->latency, es->query_latency[q]);
            }
        }
      g_mutex_unlock (&w->stats_lock);

      lb_latency_histogram_merge (ticker->merged, iv->latency);
      sample.transactions += iv->transactions;
      sample.failed += iv->failed;
      lag_sum += iv->lag_sum_usec;
      lag_count += iv->lag_count;
      interval_stats_reset (iv);
    }

  sample.warmup = epoch0 == G_MAXINT64 || (ticker->last_tick + now) / 2 < epoch0;
  sample.t = epoch0 == G_MAXINT64 ? 0 : (now - epoch0) / (double)G_USEC_PER_SEC;
  sample.interval = elapsed;
  sample.clients = (guint)g_atomic_int_get (&run->active_clients);
  sample.tps = elapsed > 0 ? sample.transactions / elapsed : 0;
  sample.latency_mean_ms = lb_latency_histogram_get_mean (ticker->merged) / 1000.0;
  sample.latency_stddev_ms = lb_latency_histogram_get_stddev (ticker->merged) / 1000.0;
  sample.p50_ms = lb_latency_histogram_get_percentile (ticker->merged, 50) / 1000.0;
  sample.p95_ms = lb_latency_histogram_get_percentile (ticker->merged, 95) / 1000.0;
  sample.p99_ms = lb_latency_histogram_get_percentile (ticker->merged, 99) / 1000.0;
  sample.max_ms = lb_latency_histogram_get_max (ticker->merged) / 1000.0;
  sample.lag_mean_ms = lag_count > 0 ? lag_sum / lag_count / 1000.0 : 0;

  if (!sample.warmup)
    g_array_append_val (ticker->timeline, sample);
  emit_sample (run, &sample, queries);

  ticker->last_tick = now;
  ticker->next_tick = now + ticker->interval_usec;
  if (epoch0 != G_MAXINT64 && now < epoch0 && ticker->next_tick > epoch0)
    ticker->next_tick = epoch0;   /* warm-up samples end at the boundary */
}

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

static int
error_stats_compare (gconstpointer a,
                     gconstpointer b)
{
  const LbErrorStats *ea = *(LbErrorStats * const *)a;
  const LbErrorStats *eb = *(LbErrorStats * const *)b;

  if (ea->count != eb->count)
    return ea->count > eb->count ? -1 : 1;
  return strcmp (ea->sqlstate, eb->sqlstate);
}

static void
merge_errors (GHashTable *into,
              GHashTable *from)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, from);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      ErrorEntry *src = value;
      ErrorEntry *dst = g_hash_table_lookup (into, src->sqlstate);

      if (dst == NULL)
        {
          dst = g_new0 (ErrorEntry, 1);
          memcpy (dst->sqlstate, src->sqlstate, 6);
          dst->message = g_strdup (src->message);
          g_hash_table_insert (into, dst->sqlstate, dst);
        }
      dst->count += src->count;
    }
}

static LbRunResult *
build_result (Run    *run,
              Ticker *ticker,
              gint64  cancel_time,
              guint   epochs_started)
{
  LbRunResult *result = lb_run_result_new ();
  g_autoptr(GHashTable) errors = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                         error_entry_free);
  GHashTableIter iter;
  gpointer value;

  /* lb_run_result_new() made the histograms and the arrays, with their
   * free functions; the timeline is the ticker's. */
  g_array_unref (result->timeline);
  result->timeline = g_array_ref (ticker->timeline);

  for (guint q = 0; q < run->n_queries; q++)
    {
      LbQueryStats *qs = g_new0 (LbQueryStats, 1);

      qs->index = q;
      qs->name = g_strdup (run->queries[q]->name);
      qs->sql = g_strdup (run->queries[q]->sql);
      qs->latency = lb_latency_histogram_new ();
      g_ptr_array_add (result->queries, qs);
    }

  for (guint e = 0; e < epochs_started; e++)
    {
      g_autoptr(LbLatencyHistogram) step_latency = lb_latency_histogram_new ();
      guint64 skipped = 0;
      LbLadderStep step = { 0 };
      gint64 last_end = 0;
      gint64 end;
      double seconds;

      for (guint i = 0; i < run->n_workers; i++)
        {
          EpochStats *es = &run->workers[i].epochs[e];

          lb_latency_histogram_merge (step_latency, es->latency);
          lb_latency_histogram_merge (result->lag, es->lag);
          step.transactions += es->transactions;
          step.failed += es->failed;
          skipped += es->skipped;
          last_end = MAX (last_end, es->last_end);
          for (guint q = 0; q < run->n_queries; q++)
            {
              LbQueryStats *qs = g_ptr_array_index (result->queries, q);

              qs->executions += es->query_executions[q];
              qs->failed += es->query_failed[q];
              lb_latency_histogram_merge (qs->latency, es->query_latency[q]);
            }
          merge_errors (errors, es->errors);
        }

      /* In-flight transactions at the deadline finished and were counted,
       * so the window lasts until the last of them ended (as in pgbench);
       * a fixed-count run lasts until its last transaction. */
      end = run->epochs[e].end;
      if (end == G_MAXINT64 || last_end > end)
        end = MAX (last_end, run->epochs[e].start);
      if (cancel_time > 0 && cancel_time < end)
        end = cancel_time;
      seconds = MAX (0, end - run->epochs[e].start) / (double)G_USEC_PER_SEC;

      step.clients = run->settings->mode == LB_RUN_MODE_LADDER ?
                     run->settings->ladder[e] : run->n_clients;
      step.tps = seconds > 0 ? step.transactions / seconds : 0;
      step.latency_mean_ms = lb_latency_histogram_get_mean (step_latency) / 1000.0;
      step.p50_ms = lb_latency_histogram_get_percentile (step_latency, 50) / 1000.0;
      step.p95_ms = lb_latency_histogram_get_percentile (step_latency, 95) / 1000.0;
      step.p99_ms = lb_latency_histogram_get_percentile (step_latency, 99) / 1000.0;

      lb_latency_histogram_merge (result->latency, step_latency);
      result->transactions += step.transactions;
      result->failed += step.failed;
      result->skipped += skipped;
      result->duration += seconds;

      if (run->settings->mode == LB_RUN_MODE_LADDER)
        g_array_append_val (result->ladder, step);
    }

  if (epochs_started == 0)
    for (guint i = 0; i < run->n_workers; i++)
      merge_errors (errors, run->workers[i].epochs[0].errors);

  g_hash_table_iter_init (&iter, errors);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      ErrorEntry *entry = value;
      LbErrorStats *es = g_new0 (LbErrorStats, 1);

      memcpy (es->sqlstate, entry->sqlstate, 6);
      es->count = entry->count;
      es->message = g_strdup (entry->message);
      g_ptr_array_add (result->errors, es);
    }
  g_ptr_array_sort (result->errors, error_stats_compare);

  result->tps = result->duration > 0 ? result->transactions / result->duration : 0;
  if (run->settings->mode == LB_RUN_MODE_LADDER && result->ladder->len > 0)
    result->knee_clients =
      lb_run_result_find_knee ((const LbLadderStep *)(gpointer)result->ladder->data,
                               result->ladder->len, 0.05);
  for (guint i = 0; i < run->n_workers; i++)
    {
      result->reconnects += run->workers[i].reconnects;
      result->client_cpu_time += run->workers[i].cpu_time;
    }
  result->seed = run->seed;
  g_free (result->server_version);
  result->server_version = g_strdup (run->server_version);

  return result;
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
  double connection_time;
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
      result->client_cpu_time += thread_cpu_seconds ();

      emit_phase (run, LB_RUN_PHASE_DONE, 0);
      g_task_return_pointer (task, result, (GDestroyNotify)lb_run_result_unref);
    }

  lb_latency_histogram_free (ticker.merged);
  g_array_unref (ticker.timeline);
  run_free (run);

  return NULL;
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
