/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One client of the load engine: a libpq connection driven through its async
 * API, from connecting and preparing to running the script's transactions,
 * reconnecting when the connection is lost. Runs on its worker's thread only. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "lb-load-engine-private.h"

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

void
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

/* Keeps the count of open connections and the spans with none: called on
 * connection events only, so the lock costs nothing per transaction. */
void
client_count_connected (Client   *c,
                        gboolean  connected,
                        gint64    now)
{
  Run *run = c->worker->run;

  if (c->connected == connected)
    return;
  c->connected = connected;
  if (connected)
    c->connected_once = TRUE;

  g_mutex_lock (&run->lock);
  if (connected)
    {
      if (run->connected_now == 0 && run->outage_since >= 0)
        {
          Epoch span = { run->outage_since, now };

          g_array_append_val (run->outages, span);
          run->outage_since = -1;
        }
      g_atomic_int_inc ((gint *)&run->connected_now);
      run->connected_max = MAX (run->connected_max, run->connected_now);
      /* the end of connecting (pgbench's "initial connection time") */
      if (!g_atomic_int_get (&run->go))
        run->last_open_at = now;
    }
  else
    {
      if (g_atomic_int_dec_and_test ((gint *)&run->connected_now))
        run->outage_since = now;
    }
  g_mutex_unlock (&run->lock);
}

void
client_close (Client *c)
{
  if (c->connected)
    client_count_connected (c, FALSE, monotonic_usec ());
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

/* At the end of the run, on a closing thread (the worker has ended): only
 * the connection. Closing the socket takes it out of the epoll set, and the
 * coordinator counts the connections closed once all are. */
void
client_release (Client *c)
{
  g_clear_pointer (&c->cancel, PQfreeCancel);
  g_clear_pointer (&c->conn, PQfinish);
  c->watch_fd = -1;
  c->watch_events = 0;
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
  Worker *w = c->worker;

  if (c->settled)
    return;
  c->settled = TRUE;
  /* a counter, not a scan: at 1,000 clients a scan per settled client
   * was half a million tests */
  if (++w->n_settled == w->n_active)
    {
      g_mutex_lock (&w->run->lock);
      w->ready_generation = g_atomic_int_get (&w->run->generation);
      g_cond_broadcast (&w->run->cond);
      g_mutex_unlock (&w->run->lock);
    }
}

void
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
  c->worker->connection_failures++;
  client_close (c);
  c->state = CLIENT_RECONNECT;
  c->wake = now + (gint64)c->backoff_msec * 1000;
  c->backoff_msec = MIN (c->backoff_msec * 2, BACKOFF_MAX_MSEC);
  client_settle (c);
}

void
client_start_connect (Client *c,
                      gint64  now)
{
  Run *run = c->worker->run;

  c->asked = TRUE;
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

  client_count_connected (c, TRUE, now);
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

void
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
  e->store = NULL;
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
  t->tries = 1;
  t->retry = FALSE;
  c->building = TRUE;
  c->step = 0;
  /* pgbench re-runs a retried transaction with the random state it began with */
  if (G_UNLIKELY (run->settings->max_tries != 1))
    c->txn_rng = c->rng;
  /* the tuple a web-tool transaction runs: in fixed-count mode the run's
   * sequence number, so every tuple runs exactly EXEC_COUNT times */
  c->tuple_seq = seq;
  return TRUE;
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


/* pgbench flow: script errors, \if truth, pipeline sections, retries, aborts */

/* A runtime error of a step: "tpcb.sql:3: \set x: division by zero",
 * counted by message (script errors have no SQLSTATE). */
static void
script_fail (Client          *c,
             const LbSqlStep *step,
             const char      *message)
{
  g_autofree char *text = g_strdup_printf ("%s: %s", step->label != NULL ? step->label : "script",
                                           message);

  txn_fail (c, c->building_txn, "", text);
}

/* pgbench's truth: booleans, numbers other than 0, NULL is false; a string
 * counts when it reads as one of those. */
static gboolean
value_truth (const LbValue *value,
             gboolean      *truth)
{
  LbValue typed;

  switch (value->type)
    {
    case LB_VALUE_NULL:
      *truth = FALSE;
      return TRUE;
    case LB_VALUE_BOOLEAN:
      *truth = value->u.boolean;
      return TRUE;
    case LB_VALUE_INT:
      *truth = value->u.integer != 0;
      return TRUE;
    case LB_VALUE_DOUBLE:
      *truth = value->u.number != 0.0;
      return TRUE;
    case LB_VALUE_STRING:
    default:
      lb_sql_value_from_text (value->u.string != NULL ? value->u.string : "", TRUE, &typed);
      if (typed.type == LB_VALUE_STRING)
        return FALSE;
      return value_truth (&typed, truth);
    }
}

/* -D values and :scale, once per client (not again after a reconnect:
 * variables live on as in pgbench's client). */
static void
client_vars_init (Client *c)
{
  Run *run = c->worker->run;
  guint n = 0;
  const LbSqlInitialValue *initial = lb_sql_script_get_initial_values (run->script, &n);

  for (guint i = 0; i < n; i++)
    c->vars[initial[i].var] = initial[i].value;
  c->context.scale = MAX (run->settings->scale, 1);
  c->vars_ready = TRUE;
}

void
client_flow_clear (Client *c)
{
  Run *run = c->worker->run;

  if (c->var_text != NULL)
    for (guint i = 0; i < run->n_variables; i++)
      g_free (c->var_text[i]);
  g_clear_pointer (&c->var_text, g_free);
  g_clear_pointer (&c->var_text_size, g_free);
  g_clear_pointer (&c->var_text_old, g_ptr_array_unref);
}

/* The text of a stored result into variable @var. The buffer is reused;
 * when it must grow the old one is kept, since another variable may hold
 * the value (\set y :x). */
static const char *
keep_text (Client     *c,
           guint       var,
           const char *text,
           gsize       len)
{
  char *buf;

  if (c->var_text == NULL)
    {
      c->var_text = g_new0 (char *, MAX (c->worker->run->n_variables, 1));
      c->var_text_size = g_new0 (gsize, MAX (c->worker->run->n_variables, 1));
      c->var_text_old = g_ptr_array_new_with_free_func (g_free);
    }
  buf = c->var_text[var];
  if (buf == NULL || c->var_text_size[var] < len + 1)
    {
      /* doubling: what is kept stays within twice the longest value */
      gsize size = MAX (MAX (len + 1, 16), 2 * c->var_text_size[var]);

      if (buf != NULL)
        g_ptr_array_add (c->var_text_old, buf);
      buf = c->var_text[var] = g_malloc (size);
      c->var_text_size[var] = size;
    }
  memcpy (buf, text, len);
  buf[len] = '\0';
  return buf;
}

/* \gset / \aset: the columns of the result into prefix + column name. */
static void
store_result (Client   *c,
              Entry    *e,
              PGresult *res)
{
  Run *run = c->worker->run;
  const LbSqlStep *step = e->store;
  int rows = PQntuples (res);
  int columns = PQnfields (res);

  if (txn_slot (c, e->txn)->failed)
    return;
  if (step->store == LB_STORE_GSET && rows != 1)
    {
      g_autofree char *text = g_strdup_printf (_("%s: expected one row, got %d"), step->label, rows);

      e->failed = TRUE;
      txn_fail (c, e->txn, "", text);
      return;
    }
  for (int row = 0; row < rows; row++)
    for (int col = 0; col < columns; col++)
      {
        char name[256];
        guint var;

        g_snprintf (name, sizeof name, "%s%s", step->prefix, PQfname (res, col));
        if (!lb_sql_script_lookup_variable (run->script, name, &var))
          {
            /* pgbench refuses a column that cannot name a variable
             * ("?column?"); one that can but that nothing reads is dropped */
            for (const char *p = name; *p != '\0'; p++)
              if (!g_ascii_isalnum (*p) && *p != '_' && (guchar) *p < 0x80)
                {
                  g_autofree char *text =
                    g_strdup_printf (_("%s: error storing into variable %s: invalid variable name"),
                                     step->label, name);

                  e->failed = TRUE;
                  txn_fail (c, e->txn, "", text);
                  return;
                }
            continue;
          }
        if (PQgetisnull (res, row, col))
          c->vars[var].type = LB_VALUE_NULL;
        else
          lb_sql_value_from_text (keep_text (c, var, PQgetvalue (res, row, col),
                                             (gsize) PQgetlength (res, row, col)),
                                  FALSE, &c->vars[var]);
      }
}

/* Serialization failures and deadlocks are re-run (pgbench --max-tries). */
static gboolean
txn_may_retry (Client     *c,
               Txn        *t,
               const char *sqlstate,
               gint64      now)
{
  Run *run = c->worker->run;
  guint max = run->settings->max_tries;

  if (sqlstate == NULL || (strcmp (sqlstate, "40001") != 0 && strcmp (sqlstate, "40P01") != 0))
    return FALSE;
  if (max != 0 && t->tries >= max)
    return FALSE;
  return client_may_start (c, now);
}

/* Every entry of a transaction to retry is back: roll back and start again
 * from its first step with its first random state. */
static void
txn_restart (Client *c,
             guint   slot,
             gint64  now)
{
  Run *run = c->worker->run;
  Txn *t = txn_slot (c, slot);

  t->retry = FALSE;
  t->failed = FALSE;
  t->all_sent = FALSE;
  t->sent_any = FALSE;
  t->tries++;
  c->building = TRUE;
  c->building_txn = slot;
  c->step = 0;
  c->sleeping = FALSE;
  c->rng = c->txn_rng;
  c->need_rollback = FALSE;
  if (PQtransactionStatus (c->conn) != PQTRANS_IDLE)
    {
      if (!PQsendQueryParams (c->conn, "ROLLBACK", 0, NULL, NULL, NULL, NULL, 0))
        {
          client_lost (c, "08006", PQerrorMessage (c->conn), now);
          return;
        }
      push_entry (c, ENTRY_ROLLBACK, 0, now);
      if (run->pipeline)
        {
          PQpipelineSync (c->conn);
          push_entry (c, ENTRY_SYNC, 0, now);
        }
    }
}

/* A client whose script cannot go on (pgbench aborts it): it stops, the
 * others run on; the reason is counted with the errors. */
static void
client_abort (Client     *c,
              const char *message,
              gint64      now)
{
  Worker *w = c->worker;
  g_autofree char *text = g_strdup_printf (_("client aborted: %s"), message);

  g_debug ("Client %u aborted: %s", c->id, message);
  count_error (current_epoch_stats (w)->errors, "", text);
  w->aborted_clients++;
  /* a transaction still being built is not counted, as in pgbench */
  if (c->building && c->txns_len > 0)
    c->txns_len--;
  c->building = FALSE;
  c->finishing = TRUE;
  client_close (c);
  c->state = CLIENT_DONE;
  c->wake = G_MAXINT64;
  c->sleeping = FALSE;
  c->throttled = FALSE;
  c->in_pipeline = FALSE;
  c->exit_pipeline = FALSE;
  c->barrier = FALSE;
}

/* \startpipeline, \syncpipeline, \endpipeline; FALSE when the client must
 * stop here (the connection was lost, or it waits to be idle). */
static gboolean
client_pipeline_step (Client          *c,
                      Txn             *t,
                      const LbSqlStep *step,
                      gint64           now)
{
  if (step->pipeline == LB_PIPELINE_START)
    {
      /* pipeline mode starts on an idle connection */
      if (c->entries_len > 0)
        {
          c->barrier = TRUE;
          return FALSE;
        }
      if (PQenterPipelineMode (c->conn) != 1)
        {
          script_fail (c, step, PQerrorMessage (c->conn));
          return TRUE;
        }
      c->in_pipeline = TRUE;
      c->step++;
      return TRUE;
    }

  if (!PQpipelineSync (c->conn))
    {
      client_lost (c, "08006", PQerrorMessage (c->conn), now);
      return FALSE;
    }
  push_entry (c, ENTRY_SYNC, 0, now);
  t->outstanding++;
  c->unsynced = 0;
  c->step++;
  if (step->pipeline == LB_PIPELINE_END)
    {
      c->exit_pipeline = TRUE;
      c->barrier = TRUE;
    }
  return TRUE;
}

/* Waited for every result: leaves pipeline mode after \endpipeline. */
static gboolean
client_barrier_done (Client *c,
                     gint64  now)
{
  c->barrier = FALSE;
  if (c->exit_pipeline)
    {
      c->exit_pipeline = FALSE;
      c->in_pipeline = FALSE;
      if (PQexitPipelineMode (c->conn) != 1)
        {
          client_lost (c, "08006", PQerrorMessage (c->conn), now);
          return FALSE;
        }
    }
  return TRUE;
}

/* Runs steps of the building transaction until something must be waited
 * for: a result (depth reached), a \sleep, the throttle, or the end. */
void
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
      if (!c->vars_ready)
        client_vars_init (c);
      if (run->settings->rate > 0 && c->scheduled == 0)
        c->scheduled = now + (gint64)exponential_usec (c);
    }

  while (c->state == CLIENT_RUNNING && !c->sleeping && !c->throttled && !c->finishing)
    {
      const LbSqlTransaction *tx;
      Txn *t;

      if (c->queries_in_flight >= run->depth && !c->in_pipeline)
        break;
      if (G_UNLIKELY (c->barrier))
        {
          /* \gset, a pipeline section's start or end: every result first */
          if (c->entries_len > 0)
            break;
          if (!client_barrier_done (c, now))
            return;
        }

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
          if (G_UNLIKELY (c->in_pipeline))
            {
              /* a failed transaction skipped its \endpipeline: close the section */
              if (!c->exit_pipeline)
                {
                  if (!PQpipelineSync (c->conn))
                    {
                      client_lost (c, "08006", PQerrorMessage (c->conn), now);
                      return;
                    }
                  push_entry (c, ENTRY_SYNC, 0, now);
                  t->outstanding++;
                  c->unsynced = 0;
                  c->exit_pipeline = TRUE;
                  c->barrier = TRUE;
                }
              continue;
            }
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
          if (t->outstanding == 0 && !run->pipeline && !t->failed &&
              PQtransactionStatus (c->conn) == PQTRANS_INTRANS)
            {
              /* as pgbench: the transaction counts, then the client stops */
              c->building = FALSE;
              t->all_sent = TRUE;
              complete_txns (c, now);
              client_abort (c, _("end of script reached without completing the last transaction"), now);
              return;
            }
          c->building = FALSE;
          t->all_sent = TRUE;
          if (t->outstanding == 0)
            {
              if (G_UNLIKELY (t->retry))
                {
                  txn_restart (c, c->building_txn, now);
                  if (c->state != CLIENT_RUNNING)
                    return;
                  continue;
                }
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
                script_fail (c, step, error->message);
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
                  script_fail (c, step, error->message);
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

          case LB_STEP_JUMP:
            c->step = step->target;
            break;

          case LB_STEP_JUMP_UNLESS:
            {
              g_autoptr(GError) error = NULL;
              LbValue value;
              gboolean truth = FALSE;

              if (!lb_expr_eval (step->expr, &c->context, &value, &error))
                script_fail (c, step, error->message);
              else if (!value_truth (&value, &truth))
                script_fail (c, step, _("the condition is not a boolean, a number or NULL"));
              else
                c->step = truth ? c->step + 1 : step->target;
            }
            break;

          case LB_STEP_PIPELINE:
            if (!client_pipeline_step (c, t, step, now))
              goto out;
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
            if (run->pipeline || c->in_pipeline)
              c->unsynced++;
            c->step++;
            if (G_UNLIKELY (step->store != LB_STORE_NONE))
              {
                entry_at (c, c->entries_len - 1)->store = step;
                c->barrier = TRUE;
              }
            break;
          }
      }
    }

out:
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
          Txn *t = txn_slot (c, e->txn);

          e->failed = TRUE;
          if (G_UNLIKELY (c->worker->run->settings->max_tries != 1) && !t->failed &&
              txn_may_retry (c, t, sqlstate, now))
            {
              /* not an error yet: the rest is skipped, then it runs again */
              t->retry = TRUE;
              t->failed = TRUE;
              c->need_rollback = TRUE;
              if (c->building && c->building_txn == e->txn)
                {
                  c->step = G_MAXUINT;
                  c->sleeping = FALSE;
                }
            }
          else
            txn_fail (c, e->txn, sqlstate, PQresultErrorMessage (res));
        }
      break;

    case PGRES_TUPLES_OK:
    case PGRES_COMMAND_OK:
      /* a statement that returns no rows has none to store either */
      if (G_UNLIKELY (e->store != NULL) && e->txn != NO_TXN)
        store_result (c, e, res);
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
              lb_latency_histogram_record (epoch_query_latency (es, e->query), now - e->sent);
            }
        }
    }

  c->entries_head = (c->entries_head + 1) % run->entries_size;
  c->entries_len--;
  if (kind != ENTRY_SYNC)
    c->queries_in_flight--;

  if (slot != NO_TXN)
    {
      Txn *t = txn_slot (c, slot);

      t->outstanding--;
      if (G_UNLIKELY (t->retry) && t->outstanding == 0 && t->all_sent)
        {
          txn_restart (c, slot, now);
          return;
        }
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

void
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
  c->in_pipeline = FALSE;
  c->exit_pipeline = FALSE;
  c->barrier = FALSE;
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

void
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

/* Setting up and tearing down */

void
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

void
client_clear (Client *c)
{
  client_close (c);
  client_flow_clear (c);
  g_clear_pointer (&c->vars, g_free);
  g_clear_pointer (&c->entries, g_free);
  g_clear_pointer (&c->txns, g_free);
  g_clear_pointer (&c->param_text, g_free);
  g_clear_pointer (&c->param_values, g_free);
  if (c->sql != NULL)
    g_string_free (g_steal_pointer (&c->sql), TRUE);
}

/* The run is ending: what starts no transaction ends now. */
void
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
