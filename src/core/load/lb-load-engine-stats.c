/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the load engine counts: each worker's figures per measuring window
 * ("epoch") and per live interval, merged into the sample the coordinator
 * emits once per tick and into the run's result at the end. */
#include "config.h"

#include <string.h>

#include "lb-load-engine-private.h"

static void
error_entry_free (gpointer data)
{
  ErrorEntry *entry = data;

  g_free (entry->message);
  g_free (entry);
}

void
epoch_stats_init (EpochStats *stats,
                  guint       n_queries)
{
  stats->latency = lb_latency_histogram_new ();
  stats->lag = lb_latency_histogram_new ();
  /* Filled by epoch_query_latency() the first time a query ends in this
   * epoch: a workload of many statements costs a pointer per query until
   * it runs. */
  stats->query_latency = g_new0 (LbLatencyHistogram *, n_queries);
  stats->query_executions = g_new0 (guint64, n_queries);
  stats->query_failed = g_new0 (guint64, n_queries);
  stats->errors = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, error_entry_free);
}

void
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

void
count_error (GHashTable *errors,
             const char *sqlstate,
             const char *message)
{
  ErrorEntry *entry;

  if (sqlstate != NULL && sqlstate[0] == '\0' && message != NULL)
    {
      /* A script's own error ("tpcb.sql:3: \set x: division by zero"):
       * no SQLSTATE, counted by message. */
      entry = g_hash_table_lookup (errors, message);
      if (entry == NULL)
        {
          entry = g_new0 (ErrorEntry, 1);
          entry->message = g_strdup (message);
          g_hash_table_insert (errors, entry->message, entry);
        }
      entry->count++;
      return;
    }

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

/* Counting transactions as they end */

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
      if (G_UNLIKELY (t->tries > 1))
        {
          es->retried++;
          es->retries += t->tries - 1;
        }
    }

  if (t->failed)
    iv->failed++;
  else
    {
      iv->transactions++;
      lb_latency_histogram_record (iv->latency, latency);
    }
}

void
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
void
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

/* Per-query figures, for the live table and the result */

/* Up to this many queries every one is reported, zeros included; beyond it
 * only those that ran or failed, so a workload of many statements does not
 * cost an entry (its name, its SQL, a histogram) per statement and tick. */
#define REPORT_EVERY_QUERY_MAX 10000

static LbQueryStats *
query_stats_at (Run           *run,
                LbQueryStats **by_query,
                guint          q)
{
  if (by_query[q] == NULL)
    by_query[q] = lb_query_stats_new (q, run->queries[q]->name, run->queries[q]->sql);
  return by_query[q];
}

static void
add_epoch_queries (Run              *run,
                   LbQueryStats    **by_query,
                   const EpochStats *es)
{
  for (guint q = 0; q < run->n_queries; q++)
    {
      LbQueryStats *qs;

      if (es->query_executions[q] == 0 && es->query_failed[q] == 0)
        continue;
      qs = query_stats_at (run, by_query, q);
      qs->executions += es->query_executions[q];
      qs->failed += es->query_failed[q];
      if (es->query_latency[q] != NULL)
        lb_latency_histogram_merge (qs->latency, es->query_latency[q]);
    }
}

/* Appends the figures to @into by query index (takes them). */
static void
collect_queries (Run           *run,
                 LbQueryStats **by_query,
                 GPtrArray     *into)
{
  for (guint q = 0; q < run->n_queries; q++)
    {
      if (by_query[q] == NULL && run->n_queries <= REPORT_EVERY_QUERY_MAX)
        query_stats_at (run, by_query, q);
      if (by_query[q] != NULL)
        g_ptr_array_add (into, by_query[q]);
    }
}

/* Snapshots: the live sample, each tick */

void
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
  g_autofree LbQueryStats **by_query = g_new0 (LbQueryStats *, MAX (run->n_queries, 1));
  GPtrArray *queries = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_query_stats_free);

  /* A tick the coordinator makes late, just past the start of measuring, is
   * still a warm-up sample: what it shows of each query must stay 0. */
  sample.warmup = epoch0 == G_MAXINT64 || (ticker->last_tick + now) / 2 < epoch0;

  /* Per-query figures so far, for the live table: summed from what the
   * workers keep anyway for the result, once per tick and off the hot path
   * (nothing more is counted per transaction). */

  lb_latency_histogram_reset (ticker->merged);
  for (guint i = 0; i < run->n_workers; i++)
    {
      Worker *w = &run->workers[i];
      IntervalStats *iv;

      g_mutex_lock (&w->stats_lock);
      iv = &w->interval[w->interval_active];
      w->interval_active ^= 1;
      for (gint k = 0; !sample.warmup && k <= e && (guint)k < run->n_epochs; k++)
        add_epoch_queries (run, by_query, &w->epochs[k]);
      g_mutex_unlock (&w->stats_lock);

      lb_latency_histogram_merge (ticker->merged, iv->latency);
      sample.transactions += iv->transactions;
      sample.failed += iv->failed;
      lag_sum += iv->lag_sum_usec;
      lag_count += iv->lag_count;
      interval_stats_reset (iv);
    }

  collect_queries (run, by_query, queries);

  sample.t = epoch0 == G_MAXINT64 ? 0 : (now - epoch0) / (double)G_USEC_PER_SEC;
  sample.interval = elapsed;
  sample.clients = (guint)g_atomic_int_get (&run->active_clients);
  sample.clients_connected = (guint)g_atomic_int_get ((gint *)&run->connected_now);
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

/* The result, once every worker ended */

static int
error_stats_compare (gconstpointer a,
                     gconstpointer b)
{
  const LbErrorStats *ea = *(LbErrorStats * const *)a;
  const LbErrorStats *eb = *(LbErrorStats * const *)b;

  if (ea->count != eb->count)
    return ea->count > eb->count ? -1 : 1;
  if (strcmp (ea->sqlstate, eb->sqlstate) != 0)
    return strcmp (ea->sqlstate, eb->sqlstate);
  return g_strcmp0 (ea->message, eb->message);
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
      /* script errors have no SQLSTATE and are keyed by their message */
      gboolean by_message = src->sqlstate[0] == '\0';
      ErrorEntry *dst = g_hash_table_lookup (into, by_message ? src->message : src->sqlstate);

      if (dst == NULL)
        {
          dst = g_new0 (ErrorEntry, 1);
          memcpy (dst->sqlstate, src->sqlstate, 6);
          dst->message = g_strdup (src->message);
          g_hash_table_insert (into, by_message ? dst->message : dst->sqlstate, dst);
        }
      dst->count += src->count;
    }
}

LbRunResult *
build_result (Run    *run,
              Ticker *ticker,
              gint64  cancel_time,
              guint   epochs_started)
{
  LbRunResult *result = lb_run_result_new ();
  g_autofree LbQueryStats **by_query = g_new0 (LbQueryStats *, MAX (run->n_queries, 1));
  g_autoptr(GHashTable) errors = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                         error_entry_free);
  GHashTableIter iter;
  gpointer value;

  /* lb_run_result_new() made the histograms and the arrays, with their
   * free functions; the timeline is the ticker's. */
  g_array_unref (result->timeline);
  result->timeline = g_array_ref (ticker->timeline);

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
          result->retried += es->retried;
          result->retries += es->retries;
          last_end = MAX (last_end, es->last_end);
          add_epoch_queries (run, by_query, es);
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
      result->seconds_without_connection += connection_outage_seconds (run, run->epochs[e].start, end);

      if (run->settings->mode == LB_RUN_MODE_LADDER)
        g_array_append_val (result->ladder, step);
    }

  collect_queries (run, by_query, result->queries);

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
      result->aborted_clients += run->workers[i].aborted_clients;
      result->client_cpu_time += run->workers[i].cpu_time;
    }
  result->seed = run->seed;
  g_free (result->server_version);
  result->server_version = g_strdup (run->server_version);
  connection_fill_result (run, result);

  return result;
}
