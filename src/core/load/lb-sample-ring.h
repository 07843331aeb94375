/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The live chart's data, GLib only: the ring of samples LbThroughputChart
 * draws, and its axis scales. */
#pragma once

#include <glib-object.h>

#include "lb-run-record.h"

G_BEGIN_DECLS

/* The samples a live chart shows: a fixed-capacity ring of LbRunSample, so
 * memory stays flat however long a run lasts (the oldest sample goes first). */
typedef struct _LbSampleRing LbSampleRing;

typedef enum
{
  LB_SAMPLE_FIELD_TPS,
  LB_SAMPLE_FIELD_LATENCY_MEAN,
  LB_SAMPLE_FIELD_P50,
  LB_SAMPLE_FIELD_P95,
  LB_SAMPLE_FIELD_P99,
  LB_SAMPLE_FIELD_MAX,
  LB_SAMPLE_FIELD_FAILED,
  LB_SAMPLE_FIELD_CLIENTS,
} LbSampleField;

#define LB_SAMPLE_RING_DEFAULT_CAPACITY 3600

#define LB_TYPE_SAMPLE_RING (lb_sample_ring_get_type ())

GType               lb_sample_ring_get_type     (void) G_GNUC_CONST;
LbSampleRing       *lb_sample_ring_new          (guint               capacity);
LbSampleRing       *lb_sample_ring_ref          (LbSampleRing       *self);
void                lb_sample_ring_unref        (LbSampleRing       *self);
guint               lb_sample_ring_get_capacity (const LbSampleRing *self);
void                lb_sample_ring_clear        (LbSampleRing       *self);
void                lb_sample_ring_push         (LbSampleRing       *self,
                                                 const LbRunSample  *sample);
/* Pushes every sample of @samples (an array of LbRunSample), oldest first. */
void                lb_sample_ring_push_array   (LbSampleRing       *self,
                                                 const GArray       *samples);
guint               lb_sample_ring_get_n_samples (const LbSampleRing *self);
/* Every sample ever pushed since the last clear, dropped ones included. */
guint64             lb_sample_ring_get_n_pushed (const LbSampleRing *self);
/* @index 0 is the oldest sample kept. */
const LbRunSample  *lb_sample_ring_get          (const LbSampleRing *self,
                                                 guint               index);
const LbRunSample  *lb_sample_ring_get_last     (const LbSampleRing *self);
double              lb_sample_ring_get_value    (const LbSampleRing *self,
                                                 guint               index,
                                                 LbSampleField       field);
/* The largest value of @field over @n_samples samples from @first (clamped
 * to what is kept); 0 when the range is empty. */
double              lb_sample_ring_get_max      (const LbSampleRing *self,
                                                 LbSampleField       field,
                                                 guint               first,
                                                 guint               n_samples);
/* The smallest positive value of @field over samples that ran a
 * transaction (latencies of empty intervals are no figure); 0 when none. */
double              lb_sample_ring_get_min_positive (const LbSampleRing *self,
                                                     LbSampleField       field,
                                                     guint               first,
                                                     guint               n_samples);
/* The index of the sample whose time is nearest to @t (samples are in time
 * order); -1 when the ring is empty. */
int                 lb_sample_ring_find_nearest (const LbSampleRing *self,
                                                 double              t);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbSampleRing, lb_sample_ring_unref)

/* Chart axes: "nice" ticks (1, 2 or 5 × 10ⁿ) with headroom above the data,
 * and hysteresis so that the scale does not jump at every sample. */
typedef struct
{
  double max;      /* the top of the axis, a multiple of step; 0 = not set yet */
  double step;     /* between two ticks */
} LbAxisScale;

/* The smallest nice step (1, 2 or 5 × 10ⁿ) that is >= @raw; @raw > 0. */
double              lb_nice_step                (double              raw);
/* Fits @scale to a data maximum: grows when the data would come within the
 * headroom of the top, shrinks only when the data uses less than half of the
 * axis. Returns TRUE when @scale changed. */
gboolean            lb_axis_scale_update        (LbAxisScale        *scale,
                                                 double              data_max,
                                                 guint               max_ticks);
/* A logarithmic axis for latencies: p50 and p99 are often two decades
 * apart, and on a linear axis the p50 line lies flat on the bottom. It runs
 * from a power of ten at or below half the smallest value to a nice number
 * 25 % above the largest, at least one decade, with hysteresis. */
typedef struct
{
  double min;      /* a power of ten; 0 = not set yet */
  double max;      /* 1, 2 or 5 × 10ⁿ */
} LbLogScale;

/* Fits @scale to the data (both > 0; otherwise an unset scale gets 0.1 to
 * 10). Returns TRUE when @scale changed. */
gboolean            lb_log_scale_update         (LbLogScale         *scale,
                                                 double              data_min,
                                                 double              data_max);
/* Where @value sits, 0 at the bottom to 1 at the top (clamped); NAN for a
 * value <= 0 or an unset scale. */
double              lb_log_scale_fraction       (const LbLogScale   *scale,
                                                 double              value);
/* The tick values, ascending, into @ticks (at most @n_ticks): 1, 2 and 5
 * × 10ⁿ, or only the powers of ten (and the top) when the 1-2-5 ticks
 * would be more than @max_ticks. Returns how many were written. */
guint               lb_log_scale_ticks          (const LbLogScale   *scale,
                                                 guint               max_ticks,
                                                 double             *ticks,
                                                 guint               n_ticks);
/* A time step in seconds for elapsed-time labels spanning @span seconds:
 * 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6, 12 h, … */
double              lb_time_step                (double              span,
                                                 guint               max_ticks);
/* "0:30", "12:05", "1:02:03", "-0:05" */
char               *lb_format_elapsed           (double              seconds);
/* A tick label with as many decimals as @step needs: "0.5", "1,500", "15k", "2.5M". */
char               *lb_format_tick              (double              value,
                                                 double              step);

G_END_DECLS
