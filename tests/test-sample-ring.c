/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The live chart's model without a display: the sample ring and the
 * nice-number axis helpers. */
#include "config.h"

#include <math.h>

#include "lb-sample-ring.h"

static LbRunSample
make_sample (double t,
             double tps,
             double p95)
{
  LbRunSample sample = { 0 };

  sample.t = t;
  sample.interval = 1;
  sample.tps = tps;
  sample.p50_ms = p95 / 2;
  sample.p95_ms = p95;
  sample.p99_ms = p95 * 1.5;
  sample.transactions = (guint64) tps;
  sample.clients = 4;

  return sample;
}

static void
test_ring_order_and_wrap (void)
{
  g_autoptr(LbSampleRing) ring = lb_sample_ring_new (5);

  g_assert_cmpuint (lb_sample_ring_get_capacity (ring), ==, 5);
  g_assert_cmpuint (lb_sample_ring_get_n_samples (ring), ==, 0);
  g_assert_null (lb_sample_ring_get_last (ring));
  g_assert_cmpint (lb_sample_ring_find_nearest (ring, 3), ==, -1);
  g_assert_cmpfloat (lb_sample_ring_get_max (ring, LB_SAMPLE_FIELD_TPS, 0, G_MAXUINT), ==, 0);

  for (guint i = 1; i <= 3; i++)
    {
      LbRunSample sample = make_sample (i, i * 100, i);
      lb_sample_ring_push (ring, &sample);
    }
  g_assert_cmpuint (lb_sample_ring_get_n_samples (ring), ==, 3);
  g_assert_cmpfloat (lb_sample_ring_get (ring, 0)->t, ==, 1);
  g_assert_cmpfloat (lb_sample_ring_get (ring, 2)->t, ==, 3);
  g_assert_cmpfloat (lb_sample_ring_get_last (ring)->tps, ==, 300);

  /* Past capacity the oldest samples go; the order stays oldest first. */
  for (guint i = 4; i <= 12; i++)
    {
      LbRunSample sample = make_sample (i, i * 100, i);
      lb_sample_ring_push (ring, &sample);
    }
  g_assert_cmpuint (lb_sample_ring_get_n_samples (ring), ==, 5);
  g_assert_cmpuint (lb_sample_ring_get_n_pushed (ring), ==, 12);
  for (guint i = 0; i < 5; i++)
    {
      g_assert_cmpfloat (lb_sample_ring_get (ring, i)->t, ==, 8 + i);
      g_assert_cmpfloat (lb_sample_ring_get_value (ring, i, LB_SAMPLE_FIELD_TPS), ==, (8 + i) * 100);
    }
  g_assert_cmpfloat (lb_sample_ring_get_last (ring)->t, ==, 12);

  lb_sample_ring_clear (ring);
  g_assert_cmpuint (lb_sample_ring_get_n_samples (ring), ==, 0);
  g_assert_cmpuint (lb_sample_ring_get_n_pushed (ring), ==, 0);
}

static void
test_ring_max (void)
{
  g_autoptr(LbSampleRing) ring = lb_sample_ring_new (100);
  g_autoptr(GArray) samples = g_array_new (FALSE, TRUE, sizeof (LbRunSample));
  static const double tps[] = { 10, 50, 20, 80, 30, 5 };
  static const double p95[] = { 1.5, 2.5, 9.5, 0.5, 3.0, 4.0 };

  for (guint i = 0; i < G_N_ELEMENTS (tps); i++)
    {
      LbRunSample sample = make_sample (i + 1, tps[i], p95[i]);
      g_array_append_val (samples, sample);
    }
  lb_sample_ring_push_array (ring, samples);
  g_assert_cmpuint (lb_sample_ring_get_n_samples (ring), ==, G_N_ELEMENTS (tps));

  g_assert_cmpfloat (lb_sample_ring_get_max (ring, LB_SAMPLE_FIELD_TPS, 0, G_MAXUINT), ==, 80);
  g_assert_cmpfloat (lb_sample_ring_get_max (ring, LB_SAMPLE_FIELD_P95, 0, G_MAXUINT), ==, 9.5);
  g_assert_cmpfloat (lb_sample_ring_get_max (ring, LB_SAMPLE_FIELD_P99, 0, G_MAXUINT), ==, 9.5 * 1.5);
  g_assert_cmpfloat (lb_sample_ring_get_max (ring, LB_SAMPLE_FIELD_P50, 0, G_MAXUINT), ==, 9.5 / 2);
  g_assert_cmpfloat (lb_sample_ring_get_max (ring, LB_SAMPLE_FIELD_CLIENTS, 0, G_MAXUINT), ==, 4);

  /* A window of the ring: the last two samples only, then a window past the end. */
  g_assert_cmpfloat (lb_sample_ring_get_max (ring, LB_SAMPLE_FIELD_TPS, 4, 2), ==, 30);
  g_assert_cmpfloat (lb_sample_ring_get_max (ring, LB_SAMPLE_FIELD_TPS, 1, 2), ==, 50);
  g_assert_cmpfloat (lb_sample_ring_get_max (ring, LB_SAMPLE_FIELD_TPS, 4, 100), ==, 30);
  g_assert_cmpfloat (lb_sample_ring_get_max (ring, LB_SAMPLE_FIELD_TPS, 6, 1), ==, 0);

  /* A NaN (a sample with nothing measured) never becomes the axis maximum. */
  {
    LbRunSample sample = make_sample (7, NAN, 1);
    lb_sample_ring_push (ring, &sample);
    g_assert_cmpfloat (lb_sample_ring_get_max (ring, LB_SAMPLE_FIELD_TPS, 0, G_MAXUINT), ==, 80);
  }
}

static void
test_ring_nearest (void)
{
  g_autoptr(LbSampleRing) ring = lb_sample_ring_new (4);

  /* After wrapping: kept times are 3, 4, 5, 6 (pushed 1 … 6). */
  for (guint i = 1; i <= 6; i++)
    {
      LbRunSample sample = make_sample (i, 1, 1);
      lb_sample_ring_push (ring, &sample);
    }

  g_assert_cmpint (lb_sample_ring_find_nearest (ring, -10), ==, 0);
  g_assert_cmpint (lb_sample_ring_find_nearest (ring, 3.0), ==, 0);
  g_assert_cmpint (lb_sample_ring_find_nearest (ring, 3.4), ==, 0);
  g_assert_cmpint (lb_sample_ring_find_nearest (ring, 3.6), ==, 1);
  g_assert_cmpint (lb_sample_ring_find_nearest (ring, 5.0), ==, 2);
  g_assert_cmpint (lb_sample_ring_find_nearest (ring, 5.51), ==, 3);
  g_assert_cmpint (lb_sample_ring_find_nearest (ring, 100), ==, 3);
}

static void
test_nice_step (void)
{
  static const struct { double raw, nice; } cases[] = {
    { 0.003, 0.005 }, { 0.01, 0.01 }, { 0.011, 0.02 }, { 0.7, 1 }, { 1, 1 },
    { 1.2, 2 }, { 2, 2 }, { 2.1, 5 }, { 4.9, 5 }, { 5.1, 10 }, { 9.99, 10 },
    { 37, 50 }, { 120, 200 }, { 2000, 2000 }, { 2001, 5000 }, { 7.3e6, 1e7 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      double step = lb_nice_step (cases[i].raw);

      g_assert_cmpfloat_with_epsilon (step, cases[i].nice, cases[i].nice * 1e-9);
      g_assert_cmpfloat (step, >=, cases[i].raw * (1 - 1e-9));
    }
}

static void
test_axis_scale (void)
{
  LbAxisScale scale = { 0 };
  double top;

  /* An empty chart gets 0 … 1. */
  g_assert_true (lb_axis_scale_update (&scale, 0, 5));
  g_assert_cmpfloat (scale.max, ==, 1);
  g_assert_cmpfloat (scale.step, ==, 0.2);

  /* 1234 tx/s with at most 5 ticks: 10 % headroom → 1357.4 → step 500 → 1500. */
  g_assert_true (lb_axis_scale_update (&scale, 1234, 5));
  g_assert_cmpfloat (scale.step, ==, 500);
  g_assert_cmpfloat (scale.max, ==, 1500);

  /* Small changes inside the band keep the scale: no jumping axis. */
  g_assert_false (lb_axis_scale_update (&scale, 1400, 5));
  g_assert_false (lb_axis_scale_update (&scale, 800, 5));
  g_assert_false (lb_axis_scale_update (&scale, 760, 5));
  g_assert_cmpfloat (scale.max, ==, 1500);

  /* Data reaching the top grows the axis, with headroom above the data. */
  g_assert_true (lb_axis_scale_update (&scale, 1490, 5));
  g_assert_cmpfloat (scale.max, >=, 1490 * 1.1);
  g_assert_cmpfloat (fmod (scale.max, scale.step), ==, 0);
  top = scale.max;
  g_assert_false (lb_axis_scale_update (&scale, 1300, 5));
  g_assert_cmpfloat (scale.max, ==, top);

  /* Under half of the axis, it shrinks. */
  g_assert_true (lb_axis_scale_update (&scale, 300, 5));
  g_assert_cmpfloat (scale.max, <, top);
  g_assert_cmpfloat (scale.max, >=, 330);
  g_assert_cmpfloat (300, >=, scale.max * 0.5);

  /* Every fresh scale keeps its ticks nice and within the tick budget. */
  for (double v = 0.013; v < 1e7; v *= 1.37)
    {
      LbAxisScale fresh = { 0 };
      double mantissa;

      lb_axis_scale_update (&fresh, v, 5);
      g_assert_cmpfloat (fresh.max, >=, v * 1.1 * (1 - 1e-9));
      g_assert_cmpfloat (fresh.max / fresh.step, <=, 6 + 1e-9);
      mantissa = fresh.step / pow (10, floor (log10 (fresh.step) + 1e-9));
      g_assert_true (fabs (mantissa - 1) < 1e-6 || fabs (mantissa - 2) < 1e-6 || fabs (mantissa - 5) < 1e-6);
      /* And a fresh scale is stable for the same data. */
      g_assert_false (lb_axis_scale_update (&fresh, v, 5));
    }

  /* Bad data is treated as no data. */
  scale = (LbAxisScale) { 0 };
  lb_axis_scale_update (&scale, NAN, 4);
  g_assert_cmpfloat (scale.max, ==, 1);
}

static void
test_time_step (void)
{
  g_assert_cmpfloat (lb_time_step (0, 6), ==, 1);
  g_assert_cmpfloat (lb_time_step (5, 6), ==, 1);
  g_assert_cmpfloat (lb_time_step (30, 6), ==, 5);
  g_assert_cmpfloat (lb_time_step (60, 6), ==, 10);
  g_assert_cmpfloat (lb_time_step (120, 6), ==, 30);
  g_assert_cmpfloat (lb_time_step (600, 6), ==, 120);
  g_assert_cmpfloat (lb_time_step (3600, 6), ==, 600);
  g_assert_cmpfloat (lb_time_step (86400, 6), ==, 21600);
  g_assert_cmpfloat (lb_time_step (86400 * 40, 6), ==, 86400 * 10);
  g_assert_cmpfloat (lb_time_step (86400 * 30, 6), ==, 86400 * 5);
}

static void
test_format (void)
{
  static const struct { double seconds; const char *text; } elapsed[] = {
    { 0, "0:00" }, { 5, "0:05" }, { 30, "0:30" }, { 59.6, "1:00" }, { 125, "2:05" },
    { 3599, "59:59" }, { 3600, "1:00:00" }, { 3723, "1:02:03" }, { -5, "-0:05" }, { -0.2, "0:00" },
  };
  static const struct { double value, step; const char *text; } ticks[] = {
    { 0, 1, "0" }, { 3, 1, "3" }, { 0.5, 0.5, "0.5" }, { 0.25, 0.05, "0.25" }, { 0.3, 0.1, "0.3" },
    { 1500, 500, "1500" }, { 15000, 5000, "15k" }, { 2500, 500, "2500" }, { 12500, 2500, "12.5k" },
    { 2e6, 1e6, "2M" }, { 2.5e6, 5e5, "2500k" }, { 1e-12, 0.2, "0" }, { -1e-12, 1000, "0" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (elapsed); i++)
    {
      g_autofree char *text = lb_format_elapsed (elapsed[i].seconds);
      g_assert_cmpstr (text, ==, elapsed[i].text);
    }

  for (guint i = 0; i < G_N_ELEMENTS (ticks); i++)
    {
      g_autofree char *text = lb_format_tick (ticks[i].value, ticks[i].step);
      g_assert_cmpstr (text, ==, ticks[i].text);
    }
}

/* A p50 of 1 ms under a p99 of 100 ms: on the log axis both lines are far
 * from the bottom and from each other (on a linear axis p50 sat at 1 %). */
static void
test_log_scale (void)
{
  LbLogScale scale = { 0 };
  double ticks[32];
  guint n;

  g_assert_true (lb_log_scale_update (&scale, 1, 100));
  g_assert_cmpfloat_with_epsilon (scale.min, 0.1, 1e-12);
  g_assert_cmpfloat_with_epsilon (scale.max, 200, 1e-9);
  g_assert_cmpfloat (lb_log_scale_fraction (&scale, 1), >=, 0.2);
  g_assert_cmpfloat (lb_log_scale_fraction (&scale, 100) - lb_log_scale_fraction (&scale, 1), >=, 0.2);
  g_assert_cmpfloat (lb_log_scale_fraction (&scale, 100), <, 1);
  g_assert_cmpfloat (lb_log_scale_fraction (&scale, 0.001), ==, 0);
  g_assert_cmpfloat (lb_log_scale_fraction (&scale, 1e6), ==, 1);
  g_assert_true (isnan (lb_log_scale_fraction (&scale, 0)));
  g_assert_true (isnan (lb_log_scale_fraction (&scale, -3)));

  /* Equal steps in ratio are equal steps on the axis. */
  g_assert_cmpfloat_with_epsilon (lb_log_scale_fraction (&scale, 10) - lb_log_scale_fraction (&scale, 1),
                                  lb_log_scale_fraction (&scale, 100) - lb_log_scale_fraction (&scale, 10), 1e-9);

  /* Hysteresis: data inside the axis changes nothing; beyond it, it grows. */
  g_assert_false (lb_log_scale_update (&scale, 0.8, 150));
  g_assert_true (lb_log_scale_update (&scale, 0.8, 198));
  g_assert_cmpfloat_with_epsilon (scale.max, 500, 1e-9);
  g_assert_true (lb_log_scale_update (&scale, 0.04, 198));
  g_assert_cmpfloat_with_epsilon (scale.min, 0.01, 1e-12);
  /* It shrinks once two decades lie unused. */
  g_assert_true (lb_log_scale_update (&scale, 2, 3));
  g_assert_cmpfloat_with_epsilon (scale.min, 0.1, 1e-12);
  g_assert_cmpfloat_with_epsilon (scale.max, 5, 1e-9);

  /* 1-2-5 ticks from 0.1 to 5, ascending. */
  n = lb_log_scale_ticks (&scale, 10, ticks, G_N_ELEMENTS (ticks));
  g_assert_cmpuint (n, ==, 6);
  g_assert_cmpfloat_with_epsilon (ticks[0], 0.1, 1e-12);
  g_assert_cmpfloat_with_epsilon (ticks[1], 0.2, 1e-12);
  g_assert_cmpfloat_with_epsilon (ticks[2], 0.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (ticks[5], 5, 1e-9);

  /* Many decades: only powers of ten, and the top. */
  scale = (LbLogScale) { 0 };
  lb_log_scale_update (&scale, 0.05, 30000);
  n = lb_log_scale_ticks (&scale, 10, ticks, G_N_ELEMENTS (ticks));
  g_assert_cmpuint (n, ==, 8);
  g_assert_cmpfloat_with_epsilon (ticks[0], 0.01, 1e-12);
  g_assert_cmpfloat_with_epsilon (ticks[6], 10000, 1e-6);
  g_assert_cmpfloat_with_epsilon (ticks[7], 50000, 1e-6);
  for (guint i = 1; i < n; i++)
    g_assert_cmpfloat (ticks[i], >, ticks[i - 1]);

  /* Flat latencies still get a decade; no data gets 0.1 to 10 ms. */
  scale = (LbLogScale) { 0 };
  lb_log_scale_update (&scale, 3, 3);
  g_assert_cmpfloat (scale.max / scale.min, >=, 10);
  scale = (LbLogScale) { 0 };
  g_assert_true (lb_log_scale_update (&scale, 0, 0));
  g_assert_cmpfloat_with_epsilon (scale.min, 0.1, 1e-12);
  g_assert_cmpfloat_with_epsilon (scale.max, 10, 1e-9);
  g_assert_false (lb_log_scale_update (&scale, NAN, 0));
}

static void
test_ring_min_positive (void)
{
  g_autoptr(LbSampleRing) ring = lb_sample_ring_new (8);
  LbRunSample sample = { 0 };

  g_assert_cmpfloat (lb_sample_ring_get_min_positive (ring, LB_SAMPLE_FIELD_P50, 0, G_MAXUINT), ==, 0);

  sample.transactions = 10;
  sample.p50_ms = 4;
  lb_sample_ring_push (ring, &sample);
  /* An empty interval's zero latency is no minimum. */
  sample.transactions = 0;
  sample.p50_ms = 0;
  lb_sample_ring_push (ring, &sample);
  sample.transactions = 5;
  sample.p50_ms = 1.5;
  lb_sample_ring_push (ring, &sample);
  sample.p50_ms = NAN;
  lb_sample_ring_push (ring, &sample);

  g_assert_cmpfloat (lb_sample_ring_get_min_positive (ring, LB_SAMPLE_FIELD_P50, 0, G_MAXUINT), ==, 1.5);
  g_assert_cmpfloat (lb_sample_ring_get_min_positive (ring, LB_SAMPLE_FIELD_P50, 0, 2), ==, 4);
  g_assert_cmpfloat (lb_sample_ring_get_min_positive (ring, LB_SAMPLE_FIELD_P50, 9, 2), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sample-ring/order-and-wrap", test_ring_order_and_wrap);
  g_test_add_func ("/sample-ring/max", test_ring_max);
  g_test_add_func ("/sample-ring/nearest", test_ring_nearest);
  g_test_add_func ("/chart-axis/nice-step", test_nice_step);
  g_test_add_func ("/chart-axis/scale", test_axis_scale);
  g_test_add_func ("/chart-axis/time-step", test_time_step);
  g_test_add_func ("/chart-axis/format", test_format);
  g_test_add_func ("/chart-axis/log-scale", test_log_scale);
  g_test_add_func ("/sample-ring/min-positive", test_ring_min_positive);

  return g_test_run ();
}
