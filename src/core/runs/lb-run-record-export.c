/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A run record as the CLI prints and exports it: CSV (timeline, then the
 * per-query table) and the text summary. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-run-record-private.h"

/* CSV */

static void
append_csv_field (GString    *out,
                  const char *value)
{
  if (value == NULL)
    value = "";

  if (strpbrk (value, ",\"\r\n") == NULL)
    {
      g_string_append (out, value);
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = value; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/* Locale-independent: a comma decimal separator would break the columns. */
static void
append_csv_number (GString    *out,
                   const char *format,
                   double      value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_c (out, ',');
  g_string_append (out, g_ascii_formatd (buffer, sizeof buffer, format, lb_run_json_finite_or_zero (value)));
}

char *
lb_run_record_to_csv (LbRunRecord *self)
{
  GString *out;
  LbRunResult *r;

  g_return_val_if_fail (LB_IS_RUN_RECORD (self), NULL);

  r = self->result;
  out = g_string_new ("t,clients,tps,latency_mean_ms,p50_ms,p95_ms,p99_ms,max_ms,transactions,failed\r\n");
  for (guint i = 0; i < r->timeline->len; i++)
    {
      const LbRunSample *s = &g_array_index (r->timeline, LbRunSample, i);
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append (out, g_ascii_formatd (buffer, sizeof buffer, "%.3f", lb_run_json_finite_or_zero (s->t)));
      g_string_append_printf (out, ",%u", s->clients);
      append_csv_number (out, "%.3f", s->tps);
      append_csv_number (out, "%.3f", s->latency_mean_ms);
      append_csv_number (out, "%.3f", s->p50_ms);
      append_csv_number (out, "%.3f", s->p95_ms);
      append_csv_number (out, "%.3f", s->p99_ms);
      append_csv_number (out, "%.3f", s->max_ms);
      g_string_append_printf (out, ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT "\r\n",
                              s->transactions, s->failed);
    }

  g_string_append (out, "\r\nquery,executions,failed,avg_ms,stddev_ms,p50_ms,p90_ms,p95_ms,p99_ms,p999_ms,max_ms\r\n");
  for (guint i = 0; i < r->queries->len; i++)
    {
      const LbQueryStats *q = g_ptr_array_index (r->queries, i);
      const LbLatencyHistogram *h = q->latency;

      append_csv_field (out, q->name);
      g_string_append_printf (out, ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT, q->executions, q->failed);
      append_csv_number (out, "%.3f", h ? lb_latency_histogram_get_mean (h) / 1000 : 0);
      append_csv_number (out, "%.3f", h ? lb_latency_histogram_get_stddev (h) / 1000 : 0);
      append_csv_number (out, "%.3f", h ? lb_latency_histogram_get_percentile (h, 50) / 1000 : 0);
      append_csv_number (out, "%.3f", h ? lb_latency_histogram_get_percentile (h, 90) / 1000 : 0);
      append_csv_number (out, "%.3f", h ? lb_latency_histogram_get_percentile (h, 95) / 1000 : 0);
      append_csv_number (out, "%.3f", h ? lb_latency_histogram_get_percentile (h, 99) / 1000 : 0);
      append_csv_number (out, "%.3f", h ? lb_latency_histogram_get_percentile (h, 99.9) / 1000 : 0);
      append_csv_number (out, "%.3f", h ? (double) lb_latency_histogram_get_max (h) / 1000 : 0);
      g_string_append (out, "\r\n");
    }

  return g_string_free (out, FALSE);
}

/* Text */

static char *
single_line (const char *text,
             gsize       max_chars)
{
  g_autofree char *copy = g_strdup (text != NULL ? text : "");
  GString *out = g_string_new (NULL);
  gboolean space = FALSE;

  /* SQL and server messages span lines; a summary line must not. */
  for (const char *p = g_strstrip (copy); *p; p = g_utf8_next_char (p))
    {
      if (g_ascii_isspace (*p))
        {
          space = TRUE;
          continue;
        }
      if (space)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_unichar (out, g_utf8_get_char (p));
    }

  if (g_utf8_strlen (out->str, -1) > (glong) max_chars)
    {
      const char *cut = g_utf8_offset_to_pointer (out->str, max_chars - 1);

      g_string_truncate (out, cut - out->str);
      g_string_append (out, "…");
    }

  return g_string_free (out, FALSE);
}

/* What went wrong with the connections, beside pgbench's lines. */
static void
append_connection_lines (GString           *out,
                         const LbRunResult *r)
{
  if (r->connection_failures > 0)
    g_string_append_printf (out, _("connection failures: %" G_GUINT64_FORMAT "\n"),
                            r->connection_failures);
  if (r->seconds_without_connection > 0)
    g_string_append_printf (out, _("time without a connected client: %.1f s\n"),
                            r->seconds_without_connection);
  if (r->clients_never_connected > 0)
    g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE,
                                              "WARNING: %u client of %u never connected; the figures are for fewer clients than asked\n",
                                              "WARNING: %u clients of %u never connected; the figures are for fewer clients than asked\n",
                                              r->clients_never_connected),
                            r->clients_never_connected, r->clients_asked);
}

char *
lb_run_record_to_text (LbRunRecord *self)
{
  GString *out;
  LbRunResult *r;
  const LbRunSettings *s;
  const LbLatencyHistogram *h;
  guint threads;
  double failed_share;

  g_return_val_if_fail (LB_IS_RUN_RECORD (self), NULL);

  r = self->result;
  s = self->settings;
  h = r->latency;
  out = g_string_new (NULL);

  /* The same lines and order as pgbench, so the two are easy to compare. */
  g_string_append_printf (out, _("transaction type: %s\n"), self->script_name);
  if (s->target_label != NULL)
    g_string_append_printf (out, _("target: %s\n"), s->target_label);
  if (r->server_version != NULL)
    g_string_append_printf (out, _("server version: %s\n"), r->server_version);
  g_string_append_printf (out, _("query mode: %s\n"), lb_protocol_to_string (s->protocol));
  if (s->pipeline_depth > 0)
    g_string_append_printf (out, _("pipeline depth: %u\n"), s->pipeline_depth);
  if (s->mode == LB_RUN_MODE_LADDER && s->n_ladder > 0)
    {
      g_string_append (out, _("number of clients: ladder"));
      for (guint i = 0; i < s->n_ladder; i++)
        g_string_append_printf (out, "%s%u", i == 0 ? " " : ", ", s->ladder[i]);
      g_string_append_c (out, '\n');
    }
  else
    {
      if (r->clients_asked > 0 && r->clients_connected_max < r->clients_asked)
        /* Translators: pgbench's line, with how many of them could connect */
        g_string_append_printf (out, _("number of clients: %u asked, %u connected\n"),
                                r->clients_asked, r->clients_connected_max);
      else
        g_string_append_printf (out, _("number of clients: %u\n"), s->clients);
    }
  threads = s->threads > 0 ? s->threads : (guint) g_get_num_processors ();
  if (s->mode != LB_RUN_MODE_LADDER)
    threads = MIN (threads, s->clients);
  g_string_append_printf (out, _("number of threads: %u\n"), threads);
  g_string_append_printf (out, _("maximum number of tries: %u\n"), s->max_tries);
  if (s->scale > 1)
    g_string_append_printf (out, _("scaling factor: %u\n"), s->scale);
  if (s->warmup > 0)
    g_string_append_printf (out, _("warm-up: %.1f s (excluded)\n"), s->warmup);
  if (s->mode == LB_RUN_MODE_COUNT)
    g_string_append_printf (out, _("number of transactions per run: %" G_GUINT64_FORMAT "\n"),
                            s->transactions);
  g_string_append_printf (out, r->cancelled ? _("duration: %.1f s (cancelled)\n") : _("duration: %.1f s\n"),
                          r->duration);

  g_string_append_printf (out, _("number of transactions actually processed: %" G_GUINT64_FORMAT "\n"),
                          r->transactions);
  failed_share = r->transactions + r->failed > 0
                 ? 100.0 * (double) r->failed / (double) (r->transactions + r->failed) : 0;
  g_string_append_printf (out, _("number of failed transactions: %" G_GUINT64_FORMAT " (%.3f%%)\n"),
                          r->failed, failed_share);
  if (s->max_tries != 1 || r->retried > 0)
    {
      double retried_share = r->transactions + r->failed > 0
                             ? 100.0 * (double) r->retried / (double) (r->transactions + r->failed) : 0;

      g_string_append_printf (out, _("number of transactions retried: %" G_GUINT64_FORMAT " (%.3f%%)\n"),
                              r->retried, retried_share);
      g_string_append_printf (out, _("total number of retries: %" G_GUINT64_FORMAT "\n"), r->retries);
    }
  if (r->aborted_clients > 0)
    g_string_append_printf (out, _("number of clients aborted: %u (the run was aborted; these results "
                                   "are incomplete: see the errors)\n"), r->aborted_clients);
  if (r->skipped > 0)
    g_string_append_printf (out, _("number of transactions skipped: %" G_GUINT64_FORMAT "\n"), r->skipped);
  if (r->reconnects > 0)
    g_string_append_printf (out, _("number of reconnections: %" G_GUINT64_FORMAT "\n"), r->reconnects);
  append_connection_lines (out, r);

  g_string_append_printf (out, _("latency average = %.3f ms\n"), lb_latency_histogram_get_mean (h) / 1000);
  g_string_append_printf (out, _("latency stddev = %.3f ms\n"), lb_latency_histogram_get_stddev (h) / 1000);
  g_string_append_printf (out, _("latency p50 = %.3f ms\n"), lb_latency_histogram_get_percentile (h, 50) / 1000);
  g_string_append_printf (out, _("latency p95 = %.3f ms\n"), lb_latency_histogram_get_percentile (h, 95) / 1000);
  g_string_append_printf (out, _("latency p99 = %.3f ms\n"), lb_latency_histogram_get_percentile (h, 99) / 1000);
  g_string_append_printf (out, _("latency p99.9 = %.3f ms\n"), lb_latency_histogram_get_percentile (h, 99.9) / 1000);
  g_string_append_printf (out, _("latency max = %.3f ms\n"), (double) lb_latency_histogram_get_max (h) / 1000);
  if (s->rate > 0)
    {
      g_string_append_printf (out, _("rate limit: %.1f tps\n"), s->rate);
      if (s->latency_limit > 0)
        g_string_append_printf (out, _("latency limit: %.3f ms\n"), s->latency_limit * 1000);
      g_string_append_printf (out, _("rate limit schedule lag: avg %.3f (max %.3f) ms\n"),
                              lb_latency_histogram_get_mean (r->lag) / 1000,
                              (double) lb_latency_histogram_get_max (r->lag) / 1000);
    }
  g_string_append_printf (out, _("initial connection time = %.3f ms\n"), r->connection_time * 1000);
  g_string_append_printf (out, _("tps = %f (without initial connection time)\n"), r->tps);
  if (r->seconds_without_connection > 0)
    g_string_append_printf (out, _("tps = %f (while the server was reachable)\n"), r->tps_while_connected);
  if (r->client_cpu_time > 0 && r->transactions > 0)
    g_string_append_printf (out, _("client CPU = %.3f s (%.3f ms per 1,000 transactions)\n"),
                            r->client_cpu_time, 1e6 * r->client_cpu_time / (double) r->transactions);

  if (r->queries->len > 0)
    {
      g_string_append (out, _("statement latencies in milliseconds and failures:\n"));
      g_string_append_printf (out, "  %-24s %12s %8s %9s %9s %9s\n",
                              _("query"), _("executions"), _("failed"), _("avg"), _("p95"), _("p99"));
      for (guint i = 0; i < r->queries->len; i++)
        {
          const LbQueryStats *q = g_ptr_array_index (r->queries, i);
          g_autofree char *name = single_line (q->name, 24);
          double avg = 0, p95 = 0, p99 = 0;

          if (q->latency != NULL)
            {
              avg = lb_latency_histogram_get_mean (q->latency) / 1000;
              p95 = lb_latency_histogram_get_percentile (q->latency, 95) / 1000;
              p99 = lb_latency_histogram_get_percentile (q->latency, 99) / 1000;
            }
          g_string_append_printf (out, "  %-24s %12" G_GUINT64_FORMAT " %8" G_GUINT64_FORMAT " %9.3f %9.3f %9.3f\n",
                                  name, q->executions, q->failed, avg, p95, p99);
        }
    }

  if (r->errors->len > 0)
    {
      g_string_append (out, _("errors by SQLSTATE:\n"));
      for (guint i = 0; i < r->errors->len; i++)
        {
          const LbErrorStats *e = g_ptr_array_index (r->errors, i);
          g_autofree char *message = single_line (e->message, 100);

          /* the script's own errors have no SQLSTATE */
          g_string_append_printf (out, "  %-5s %10" G_GUINT64_FORMAT "  %s\n",
                                  e->sqlstate[0] != '\0' ? e->sqlstate : "-", e->count, message);
        }
    }

  if (r->ladder->len > 0)
    {
      g_string_append (out, _("concurrency ladder:\n"));
      g_string_append_printf (out, "  %8s %12s %9s %9s %9s %9s\n",
                              _("clients"), _("tps"), _("avg ms"), _("p50 ms"), _("p95 ms"), _("p99 ms"));
      for (guint i = 0; i < r->ladder->len; i++)
        {
          const LbLadderStep *step = &g_array_index (r->ladder, LbLadderStep, i);

          g_string_append_printf (out, "  %8u %12.1f %9.3f %9.3f %9.3f %9.3f%s\n",
                                  step->clients, step->tps, step->latency_mean_ms, step->p50_ms,
                                  step->p95_ms, step->p99_ms,
                                  step->clients == r->knee_clients ? _("  ← knee") : "");
        }
      if (r->knee_clients > 0)
        g_string_append_printf (out, _("knee: %u clients (beyond it throughput stops growing while p95 latency climbs)\n"),
                                r->knee_clients);
      else
        g_string_append (out, _("knee: none found (throughput kept growing)\n"));
    }

  if (s->rate <= 0)
    g_string_append (out, _("note: a closed-loop run (no target rate): clients wait for each answer "
                            "before sending the next, so tail latencies understate what users "
                            "would see at a fixed arrival rate (coordinated omission). "
                            "Set a target rate to measure them from the scheduled start.\n"));

  return g_string_free (out, FALSE);
}
