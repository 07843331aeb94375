/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Run comparison (lb-run-comparison.h): rates per second of measuring and
 * latencies against the baseline's, a noise threshold under which a
 * difference is no result, and the caveats in sentences. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "lb-run-comparison.h"
#include "lb-server-snapshot.h"
#include "lb-sample-ring.h"

/* Below this, a difference is noise in the figures, not a result. */
#define SAME_PERCENT        0.5
#define LENGTH_TOLERANCE    0.10
#define LENGTH_SLACK_SECS   1.0

LbDelta
lb_delta_compute (double   value,
                  double   baseline,
                  gboolean higher_is_better)
{
  LbDelta delta = { value, baseline, NAN, LB_DELTA_NONE };

  if (!isfinite (value) || !isfinite (baseline) || baseline <= 0 || value < 0)
    return delta;

  delta.percent = (value - baseline) / baseline * 100;
  if (fabs (delta.percent) < SAME_PERCENT)
    delta.verdict = LB_DELTA_SAME;
  else if ((delta.percent > 0) == !!higher_is_better)
    delta.verdict = LB_DELTA_BETTER;
  else
    delta.verdict = LB_DELTA_WORSE;

  return delta;
}

char *
lb_delta_format (const LbDelta *delta)
{
  g_return_val_if_fail (delta != NULL, NULL);

  switch (delta->verdict)
    {
    case LB_DELTA_NONE:
      return NULL;
    case LB_DELTA_SAME:
      return g_strdup ("±0 %");
    case LB_DELTA_BETTER:
    case LB_DELTA_WORSE:
    default:
      return g_strdup_printf ("%s%.0f %%", delta->percent > 0 ? "+" : "−", fabs (delta->percent));
    }
}

static double
histogram_ms (const LbLatencyHistogram *histogram,
              double                    percentile)
{
  if (histogram == NULL || lb_latency_histogram_get_count (histogram) == 0)
    return NAN;
  if (percentile < 0)
    return lb_latency_histogram_get_mean (histogram) / 1000.0;
  return lb_latency_histogram_get_percentile (histogram, percentile) / 1000.0;
}

static double
per_second (guint64 count,
            double  duration)
{
  return duration > 0 ? count / duration : NAN;
}

static void
compare_latencies (const LbLatencyHistogram *latency,
                   const LbLatencyHistogram *baseline,
                   LbDeltaRow               *row)
{
  static const struct { LbComparedFigure figure; double percentile; } figures[] = {
    { LB_COMPARED_AVG, -1 }, { LB_COMPARED_P50, 50 }, { LB_COMPARED_P95, 95 }, { LB_COMPARED_P99, 99 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (figures); i++)
    row->figures[figures[i].figure] = lb_delta_compute (histogram_ms (latency, figures[i].percentile),
                                                        histogram_ms (baseline, figures[i].percentile),
                                                        FALSE);
}

void
lb_compare_query_stats (const LbQueryStats *stats,
                        double              duration,
                        const LbQueryStats *baseline,
                        double              baseline_duration,
                        LbDeltaRow         *row)
{
  g_return_if_fail (stats != NULL);
  g_return_if_fail (baseline != NULL);
  g_return_if_fail (row != NULL);

  row->figures[LB_COMPARED_RATE] = lb_delta_compute (per_second (stats->executions, duration),
                                                     per_second (baseline->executions, baseline_duration),
                                                     TRUE);
  compare_latencies (stats->latency, baseline->latency, row);
}

void
lb_compare_run_results (const LbRunResult *result,
                        const LbRunResult *baseline,
                        LbDeltaRow        *row)
{
  g_return_if_fail (result != NULL);
  g_return_if_fail (baseline != NULL);
  g_return_if_fail (row != NULL);

  /* The engine's tps is already transactions per second measured. */
  row->figures[LB_COMPARED_RATE] = lb_delta_compute (result->duration > 0 ? result->tps : NAN,
                                                     baseline->duration > 0 ? baseline->tps : NAN,
                                                     TRUE);
  compare_latencies (result->latency, baseline->latency, row);
}

LbComparisonCaveats
lb_compare_caveats (const LbRunResult *result,
                    const LbRunResult *baseline)
{
  LbComparisonCaveats caveats = LB_COMPARISON_FAIR;
  double longer;

  g_return_val_if_fail (result != NULL, LB_COMPARISON_FAIR);
  g_return_val_if_fail (baseline != NULL, LB_COMPARISON_FAIR);

  if (result->cancelled)
    caveats |= LB_COMPARISON_CANCELLED;
  if (baseline->cancelled)
    caveats |= LB_COMPARISON_BASELINE_CANCELLED;

  longer = MAX (result->duration, baseline->duration);
  if (fabs (result->duration - baseline->duration) > MAX (LENGTH_SLACK_SECS, longer * LENGTH_TOLERANCE))
    caveats |= LB_COMPARISON_DIFFERENT_LENGTHS;

  return caveats;
}

/* "7 s" under a minute, "1:05" above. */
static char *
format_length (double seconds)
{
  if (seconds < 59.5)
    return g_strdup_printf (_("%.0f s"), seconds);
  return lb_format_elapsed (seconds);
}

char *
lb_compare_describe_caveats (const LbRunResult *result,
                             const LbRunResult *baseline)
{
  LbComparisonCaveats caveats;
  g_autofree char *length = NULL;
  g_autofree char *baseline_length = NULL;
  GString *text;

  g_return_val_if_fail (result != NULL, NULL);
  g_return_val_if_fail (baseline != NULL, NULL);

  caveats = lb_compare_caveats (result, baseline);
  if (caveats == LB_COMPARISON_FAIR)
    return NULL;

  length = format_length (result->duration);
  baseline_length = format_length (baseline->duration);
  text = g_string_new (NULL);

  if (caveats & LB_COMPARISON_CANCELLED)
    g_string_append_printf (text, _("This run was stopped after %s."), length);
  if (caveats & LB_COMPARISON_BASELINE_CANCELLED)
    {
      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append_printf (text, _("The baseline was stopped after %s."), baseline_length);
    }
  if (caveats & LB_COMPARISON_DIFFERENT_LENGTHS)
    {
      if (text->len > 0)
        g_string_append_c (text, ' ');
      /* Translators: the lengths of the run shown and of the baseline, "20 s" and "7 s" */
      g_string_append_printf (text, _("Different lengths: %s against %s of the baseline."),
                              length, baseline_length);
    }

  return g_string_free (text, FALSE);
}

/* Server-side deltas ---------------------------------------------------------- */

double
lb_server_compared_value (GPtrArray              *snapshots,
                          LbServerComparedFigure  figure)
{
  g_autoptr(LbServerDelta) delta = lb_server_delta_compute (snapshots);
  double seconds;

  if (delta == NULL || !delta->has_database)
    return NAN;
  seconds = delta->seconds > 0 ? delta->seconds : NAN;
  switch (figure)
    {
    case LB_SERVER_COMPARED_HIT_RATIO:
      return delta->hit_ratio;
    case LB_SERVER_COMPARED_TEMP_FILES:
      return delta->temp_files / seconds;
    case LB_SERVER_COMPARED_DEADLOCKS:
      return delta->deadlocks / seconds;
    case LB_SERVER_COMPARED_SEQ_SCANS:
      return delta->seq_scans / seconds;
    case LB_SERVER_COMPARED_IDX_SCANS:
      return delta->idx_scans / seconds;
    case LB_N_SERVER_COMPARED:
    default:
      return NAN;
    }
}

gboolean
lb_compare_server (LbRunRecord      *record,
                   LbRunRecord      *baseline,
                   LbServerDeltaRow *row)
{
  static const gboolean higher_is_better[LB_N_SERVER_COMPARED] = { TRUE, FALSE, FALSE, FALSE, TRUE };
  GPtrArray *a = lb_run_record_get_server_snapshots (record);
  GPtrArray *b = lb_run_record_get_server_snapshots (baseline);
  gboolean any = FALSE;

  for (guint i = 0; i < LB_N_SERVER_COMPARED; i++)
    {
      double value = lb_server_compared_value (a, i);
      double base = lb_server_compared_value (b, i);

      row->figures[i] = lb_delta_compute (value, base, higher_is_better[i]);
      /* Both at zero (no deadlocks either time) is the same, not unknown. */
      if (value == 0 && base == 0)
        {
          row->figures[i].percent = 0;
          row->figures[i].verdict = LB_DELTA_SAME;
        }
      any = any || (isfinite (value) && isfinite (base));
    }
  return any;
}
