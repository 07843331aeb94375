/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sample ring and the chart's scales (lb-sample-ring.h): fixed memory
 * for a run of any length, and axes that move only when the data needs it. */
#include "config.h"

#include <math.h>

#include "lb-sample-ring.h"

struct _LbSampleRing
{
  gatomicrefcount  ref_count;
  guint            capacity;
  guint            head;       /* where the next sample goes */
  guint            n_samples;
  guint64          n_pushed;
  LbRunSample     *samples;
};

G_DEFINE_BOXED_TYPE (LbSampleRing, lb_sample_ring, lb_sample_ring_ref, lb_sample_ring_unref)

LbSampleRing *
lb_sample_ring_new (guint capacity)
{
  LbSampleRing *self;

  g_return_val_if_fail (capacity > 0, NULL);

  self = g_new0 (LbSampleRing, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->capacity = capacity;
  self->samples = g_new0 (LbRunSample, capacity);

  return self;
}

LbSampleRing *
lb_sample_ring_ref (LbSampleRing *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
lb_sample_ring_unref (LbSampleRing *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      g_free (self->samples);
      g_free (self);
    }
}

guint
lb_sample_ring_get_capacity (const LbSampleRing *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->capacity;
}

void
lb_sample_ring_clear (LbSampleRing *self)
{
  g_return_if_fail (self != NULL);

  self->head = 0;
  self->n_samples = 0;
  self->n_pushed = 0;
}

void
lb_sample_ring_push (LbSampleRing      *self,
                     const LbRunSample *sample)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (sample != NULL);

  self->samples[self->head] = *sample;
  self->head = (self->head + 1) % self->capacity;
  if (self->n_samples < self->capacity)
    self->n_samples++;
  self->n_pushed++;
}

void
lb_sample_ring_push_array (LbSampleRing *self,
                           const GArray *samples)
{
  g_return_if_fail (self != NULL);

  if (samples == NULL)
    return;

  g_return_if_fail (g_array_get_element_size ((GArray *) samples) == sizeof (LbRunSample));

  for (guint i = 0; i < samples->len; i++)
    lb_sample_ring_push (self, &g_array_index (samples, LbRunSample, i));
}

guint
lb_sample_ring_get_n_samples (const LbSampleRing *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_samples;
}

guint64
lb_sample_ring_get_n_pushed (const LbSampleRing *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_pushed;
}

const LbRunSample *
lb_sample_ring_get (const LbSampleRing *self,
                    guint               index)
{
  guint oldest;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_samples, NULL);

  oldest = (self->head + self->capacity - self->n_samples) % self->capacity;
  return &self->samples[(oldest + index) % self->capacity];
}

const LbRunSample *
lb_sample_ring_get_last (const LbSampleRing *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->n_samples == 0)
    return NULL;

  return lb_sample_ring_get (self, self->n_samples - 1);
}

static double
sample_value (const LbRunSample *sample,
              LbSampleField      field)
{
  switch (field)
    {
    case LB_SAMPLE_FIELD_TPS:
      return sample->tps;
    case LB_SAMPLE_FIELD_LATENCY_MEAN:
      return sample->latency_mean_ms;
    case LB_SAMPLE_FIELD_P50:
      return sample->p50_ms;
    case LB_SAMPLE_FIELD_P95:
      return sample->p95_ms;
    case LB_SAMPLE_FIELD_P99:
      return sample->p99_ms;
    case LB_SAMPLE_FIELD_MAX:
      return sample->max_ms;
    case LB_SAMPLE_FIELD_FAILED:
      return (double) sample->failed;
    case LB_SAMPLE_FIELD_CLIENTS:
      return sample->clients;
    default:
      g_return_val_if_reached (0);
    }
}

double
lb_sample_ring_get_value (const LbSampleRing *self,
                          guint               index,
                          LbSampleField       field)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (index < self->n_samples, 0);

  return sample_value (lb_sample_ring_get (self, index), field);
}

double
lb_sample_ring_get_max (const LbSampleRing *self,
                        LbSampleField       field,
                        guint               first,
                        guint               n_samples)
{
  double max = 0;
  guint end;

  g_return_val_if_fail (self != NULL, 0);

  if (first >= self->n_samples)
    return 0;

  end = n_samples > self->n_samples - first ? self->n_samples : first + n_samples;
  for (guint i = first; i < end; i++)
    {
      double value = sample_value (lb_sample_ring_get (self, i), field);

      /* NaN never wins a comparison, so a bad sample cannot poison the axis. */
      if (value > max)
        max = value;
    }

  return max;
}

double
lb_sample_ring_get_min_positive (const LbSampleRing *self,
                                 LbSampleField       field,
                                 guint               first,
                                 guint               n_samples)
{
  double min = G_MAXDOUBLE;
  guint end;

  g_return_val_if_fail (self != NULL, 0);

  if (first >= self->n_samples)
    return 0;

  end = n_samples > self->n_samples - first ? self->n_samples : first + n_samples;
  for (guint i = first; i < end; i++)
    {
      const LbRunSample *sample = lb_sample_ring_get (self, i);
      double value = sample_value (sample, field);

      /* An interval without a transaction has no latency, only a zero. */
      if (sample->transactions > 0 && value > 0 && value < min)
        min = value;
    }

  return min < G_MAXDOUBLE ? min : 0;
}

int
lb_sample_ring_find_nearest (const LbSampleRing *self,
                             double              t)
{
  guint lo = 0;
  guint hi;

  g_return_val_if_fail (self != NULL, -1);

  if (self->n_samples == 0)
    return -1;

  /* Binary search for the first sample at or after t. */
  hi = self->n_samples;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (lb_sample_ring_get (self, mid)->t < t)
        lo = mid + 1;
      else
        hi = mid;
    }

  if (lo == self->n_samples)
    return (int) self->n_samples - 1;
  if (lo > 0 && t - lb_sample_ring_get (self, lo - 1)->t <= lb_sample_ring_get (self, lo)->t - t)
    return (int) lo - 1;

  return (int) lo;
}

/* Axes --------------------------------------------------------------------- */

double
lb_nice_step (double raw)
{
  double magnitude;
  double fraction;

  g_return_val_if_fail (raw > 0 && isfinite (raw), 1);

  magnitude = pow (10, floor (log10 (raw)));
  fraction = raw / magnitude;

  /* A little tolerance so that 2.0000000001 (rounding noise) stays 2. */
  if (fraction <= 1 + 1e-9)
    return magnitude;
  if (fraction <= 2 + 1e-9)
    return 2 * magnitude;
  if (fraction <= 5 + 1e-9)
    return 5 * magnitude;
  return 10 * magnitude;
}

#define HEADROOM 1.1      /* the top of a fresh scale is at least 10 % above the data */
#define GROW_AT  1.02     /* rescale up once the data comes within 2 % of the top */
#define SHRINK_AT 0.5     /* rescale down once the data uses less than half the axis */

gboolean
lb_axis_scale_update (LbAxisScale *scale,
                      double       data_max,
                      guint        max_ticks)
{
  double target;
  double step;
  double top;

  g_return_val_if_fail (scale != NULL, FALSE);
  g_return_val_if_fail (max_ticks >= 1, FALSE);

  if (!isfinite (data_max) || data_max < 0)
    data_max = 0;

  if (scale->max > 0 &&
      data_max * GROW_AT <= scale->max &&
      data_max >= scale->max * SHRINK_AT)
    return FALSE;

  /* An empty chart still gets an axis, from 0 to 1. */
  target = data_max > 0 ? data_max * HEADROOM : 1;
  step = lb_nice_step (target / max_ticks);
  top = ceil (target / step - 1e-9) * step;

  if (top == scale->max && step == scale->step)
    return FALSE;

  scale->max = top;
  scale->step = step;
  return TRUE;
}

#define LOG_FLOOR_MARGIN 2.0    /* the bottom is a power of ten at least half the data minimum */
#define LOG_HEADROOM     1.25   /* the top is a nice number 25 % above the data maximum */
#define LOG_SHRINK_SPAN  100.0  /* shrink once the data leaves two decades unused at an end */

gboolean
lb_log_scale_update (LbLogScale *scale,
                     double      data_min,
                     double      data_max)
{
  double min;
  double max;

  g_return_val_if_fail (scale != NULL, FALSE);

  if (!isfinite (data_min) || !isfinite (data_max) || data_min <= 0 || data_max <= 0)
    {
      /* No latency yet: a fresh chart shows 0.1 to 10 ms. */
      if (scale->min > 0)
        return FALSE;
      data_min = 1;
      data_max = 1 / LOG_HEADROOM * 10 - 1e-9;
    }
  data_max = MAX (data_max, data_min);

  min = pow (10, floor (log10 (data_min / LOG_FLOOR_MARGIN) + 1e-9));
  max = lb_nice_step (data_max * LOG_HEADROOM);
  /* At least a decade, so that even flat latencies have ticks around them. */
  if (max / min < 10)
    min = pow (10, floor (log10 (max / 10) + 1e-9));

  /* Hysteresis: grow at once, shrink only when much of the axis is empty,
   * so the lines do not jump at every sample. */
  if (scale->min > 0 && scale->max > 0)
    {
      gboolean fits = data_min >= scale->min && data_max * 1.02 <= scale->max;
      gboolean roomy = data_min / scale->min > LOG_SHRINK_SPAN || scale->max / data_max > LOG_SHRINK_SPAN;

      if (fits && !roomy)
        return FALSE;
    }

  if (min == scale->min && max == scale->max)
    return FALSE;

  scale->min = min;
  scale->max = max;
  return TRUE;
}

double
lb_log_scale_fraction (const LbLogScale *scale,
                       double            value)
{
  double lo, hi;

  g_return_val_if_fail (scale != NULL, NAN);

  if (!(value > 0) || !(scale->min > 0) || !(scale->max > scale->min))
    return NAN;

  lo = log10 (scale->min);
  hi = log10 (scale->max);
  return CLAMP ((log10 (value) - lo) / (hi - lo), 0, 1);
}

guint
lb_log_scale_ticks (const LbLogScale *scale,
                    guint             max_ticks,
                    double           *ticks,
                    guint             n_ticks)
{
  static const double mantissas[] = { 1, 2, 5 };
  gboolean decades_only;
  double decade;
  guint n = 0;
  guint all = 0;

  g_return_val_if_fail (scale != NULL, 0);
  g_return_val_if_fail (ticks != NULL || n_ticks == 0, 0);

  if (!(scale->min > 0) || !(scale->max > scale->min))
    return 0;

  /* Count the 1-2-5 ticks first; too many, and only decades are kept. */
  for (decade = scale->min; decade <= scale->max * (1 + 1e-9); decade *= 10)
    for (guint m = 0; m < G_N_ELEMENTS (mantissas); m++)
      if (mantissas[m] * decade <= scale->max * (1 + 1e-9))
        all++;
  decades_only = all > MAX (max_ticks, 1);

  for (decade = scale->min; decade <= scale->max * (1 + 1e-9); decade *= 10)
    for (guint m = 0; m < G_N_ELEMENTS (mantissas); m++)
      {
        double value = mantissas[m] * decade;

        if (value > scale->max * (1 + 1e-9) || (decades_only && m > 0))
          continue;
        if (n < n_ticks)
          ticks[n] = value;
        n++;
      }

  /* The top is a nice number: label it even when it is not a decade. */
  if (decades_only && fabs (log10 (scale->max) - round (log10 (scale->max))) > 1e-9)
    {
      if (n < n_ticks)
        ticks[n] = scale->max;
      n++;
    }

  return MIN (n, n_ticks);
}

double
lb_time_step (double span,
              guint  max_ticks)
{
  static const double steps[] = {
    1, 2, 5, 10, 15, 30,
    60, 120, 300, 600, 900, 1800,
    3600, 7200, 10800, 21600, 43200, 86400,
  };
  double raw;

  g_return_val_if_fail (max_ticks >= 1, 1);

  if (!isfinite (span) || span <= 0)
    return 1;

  raw = span / max_ticks;
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (steps[i] >= raw)
      return steps[i];

  return 86400 * lb_nice_step (raw / 86400);
}

char *
lb_format_elapsed (double seconds)
{
  gboolean negative = seconds < 0;
  guint64 total;
  guint64 h, m, s;

  if (!isfinite (seconds))
    return g_strdup ("–");

  total = (guint64) llround (fabs (seconds));
  h = total / 3600;
  m = (total / 60) % 60;
  s = total % 60;

  if (h > 0)
    return g_strdup_printf ("%s%" G_GUINT64_FORMAT ":%02" G_GUINT64_FORMAT ":%02" G_GUINT64_FORMAT,
                            negative && total > 0 ? "-" : "", h, m, s);

  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ":%02" G_GUINT64_FORMAT,
                          negative && total > 0 ? "-" : "", m, s);
}

static int
decimals_for (double step)
{
  int decimals = 0;

  /* Enough decimals to tell two ticks apart, never more than six. */
  while (decimals < 6 && fabs (step - round (step)) > step * 1e-6)
    {
      step *= 10;
      decimals++;
    }

  return decimals;
}

char *
lb_format_tick (double value,
                double step)
{
  const char *suffix = "";
  double scaled_value = value;
  double scaled_step = step;

  if (!isfinite (value))
    return g_strdup ("–");
  if (!(step > 0) || !isfinite (step))
    step = scaled_step = 1;

  /* Ticks are multiples of the step; anything that close to zero is zero. */
  if (fabs (value) < step * 1e-6)
    return g_strdup ("0");

  if (step >= 1e6)
    {
      scaled_value = value / 1e6;
      scaled_step = step / 1e6;
      suffix = "M";
    }
  else if (step >= 1e3)
    {
      scaled_value = value / 1e3;
      scaled_step = step / 1e3;
      suffix = "k";
    }

  return g_strdup_printf ("%.*f%s", decimals_for (scaled_step), scaled_value, suffix);
}
