/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lb-latency-histogram.h"
#include "lb-test-utils.h"

static const double percentiles[] = { 0.1, 1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100 };

static int
compare_gint64 (const void *a,
                const void *b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* The textbook nearest-rank percentile of sorted samples. */
static gint64
exact_percentile (const gint64 *sorted,
                  gsize         n,
                  double        p)
{
  gsize rank = (gsize) ceil (p / 100.0 * (double) n);

  rank = CLAMP (rank, 1, n);
  return sorted[rank - 1];
}

static gint64 *
log_uniform_samples (guint32 seed,
                     gsize   n,
                     double  low,
                     double  high)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  gint64 *samples = g_new (gint64, n);

  for (gsize i = 0; i < n; i++)
    samples[i] = (gint64) llround (exp (g_rand_double_range (rand, log (low), log (high))));

  return samples;
}

static void
assert_relative (double actual,
                 double expected,
                 double tolerance)
{
  if (expected == 0)
    g_assert_cmpfloat (actual, ==, 0);
  else
    g_assert_cmpfloat (fabs (actual - expected) / fabs (expected), <=, tolerance);
}

static void
test_accuracy (void)
{
  const gsize n = 200000;
  g_autofree gint64 *samples = log_uniform_samples (20261125, n, 10, 60e6);
  g_autoptr(LbLatencyHistogram) h = lb_latency_histogram_new ();
  double sum = 0, mean, squares = 0;
  double worst = 0;

  for (gsize i = 0; i < n; i++)
    {
      lb_latency_histogram_record (h, samples[i]);
      sum += (double) samples[i];
    }
  mean = sum / (double) n;
  for (gsize i = 0; i < n; i++)
    squares += ((double) samples[i] - mean) * ((double) samples[i] - mean);

  qsort (samples, n, sizeof (gint64), compare_gint64);

  g_assert_cmpuint (lb_latency_histogram_get_count (h), ==, n);
  g_assert_cmpint (lb_latency_histogram_get_min (h), ==, samples[0]);
  g_assert_cmpint (lb_latency_histogram_get_max (h), ==, samples[n - 1]);
  assert_relative (lb_latency_histogram_get_mean (h), mean, 1e-12);
  assert_relative (lb_latency_histogram_get_stddev (h), sqrt (squares / (double) n), 1e-9);

  for (guint i = 0; i < G_N_ELEMENTS (percentiles); i++)
    {
      double expected = (double) exact_percentile (samples, n, percentiles[i]);
      double actual = lb_latency_histogram_get_percentile (h, percentiles[i]);
      double error = fabs (actual - expected) / expected;

      g_test_message ("p%g: exact %.0f µs, histogram %.1f µs, error %.4f %%",
                      percentiles[i], expected, actual, 100 * error);
      worst = MAX (worst, error);
      g_assert_cmpfloat (error, <=, 0.01);
    }

  /* The layout promises better than 1 %: half a 1/64 bucket. */
  g_assert_cmpfloat (worst, <=, 1.0 / 128);
}

/* Every value from 10 µs to 60 s, alone between far-away neighbours so that
 * clamping to min/max cannot help: the bucket midpoint itself must be close. */
static void
test_sweep (void)
{
  g_autoptr(LbLatencyHistogram) h = lb_latency_histogram_new ();
  double worst = 0;
  guint checked = 0;

  for (double v = 10; v <= 60e6; v = ceil (v * 1.0007))
    {
      double got, error;

      lb_latency_histogram_reset (h);
      lb_latency_histogram_record (h, 0);
      lb_latency_histogram_record (h, (gint64) v);
      lb_latency_histogram_record (h, 64 * 1000 * 1000);
      got = lb_latency_histogram_get_percentile (h, 50);
      error = fabs (got - v) / v;
      worst = MAX (worst, error);
      if (v < 128)
        g_assert_cmpfloat (got, ==, v);
      g_assert_cmpfloat (error, <, 1.0 / 128);
      checked++;
    }

  g_test_message ("%u values, worst relative error %.4f %%", checked, 100 * worst);
  g_assert_cmpuint (checked, >, 10000);
}

static void
test_empty (void)
{
  g_autoptr(LbLatencyHistogram) h = lb_latency_histogram_new ();

  g_assert_cmpuint (lb_latency_histogram_get_count (h), ==, 0);
  g_assert_cmpfloat (lb_latency_histogram_get_mean (h), ==, 0);
  g_assert_cmpfloat (lb_latency_histogram_get_stddev (h), ==, 0);
  g_assert_cmpint (lb_latency_histogram_get_min (h), ==, 0);
  g_assert_cmpint (lb_latency_histogram_get_max (h), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (percentiles); i++)
    g_assert_cmpfloat (lb_latency_histogram_get_percentile (h, percentiles[i]), ==, 0);
}

static void
test_single_and_equal (void)
{
  g_autoptr(LbLatencyHistogram) h = lb_latency_histogram_new ();

  lb_latency_histogram_record (h, 12345);
  g_assert_cmpuint (lb_latency_histogram_get_count (h), ==, 1);
  g_assert_cmpfloat (lb_latency_histogram_get_mean (h), ==, 12345);
  g_assert_cmpfloat (lb_latency_histogram_get_stddev (h), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (percentiles); i++)
    g_assert_cmpfloat (lb_latency_histogram_get_percentile (h, percentiles[i]), ==, 12345);

  for (guint i = 0; i < 9999; i++)
    lb_latency_histogram_record (h, 12345);
  g_assert_cmpuint (lb_latency_histogram_get_count (h), ==, 10000);
  g_assert_cmpfloat (lb_latency_histogram_get_mean (h), ==, 12345);
  g_assert_cmpfloat (lb_latency_histogram_get_stddev (h), ==, 0);
  g_assert_cmpint (lb_latency_histogram_get_min (h), ==, 12345);
  g_assert_cmpint (lb_latency_histogram_get_max (h), ==, 12345);
  for (guint i = 0; i < G_N_ELEMENTS (percentiles); i++)
    g_assert_cmpfloat (lb_latency_histogram_get_percentile (h, percentiles[i]), ==, 12345);
}

static void
test_small_values (void)
{
  g_autoptr(LbLatencyHistogram) h = lb_latency_histogram_new ();

  /* 0..99 once each: below 128 µs every value is exact. */
  for (gint64 v = 0; v < 100; v++)
    lb_latency_histogram_record (h, v);
  g_assert_cmpint (lb_latency_histogram_get_min (h), ==, 0);
  g_assert_cmpint (lb_latency_histogram_get_max (h), ==, 99);
  g_assert_cmpfloat (lb_latency_histogram_get_mean (h), ==, 49.5);
  assert_relative (lb_latency_histogram_get_stddev (h), sqrt ((100.0 * 100.0 - 1) / 12.0), 1e-12);
  g_assert_cmpfloat (lb_latency_histogram_get_percentile (h, 1), ==, 0);
  g_assert_cmpfloat (lb_latency_histogram_get_percentile (h, 50), ==, 49);
  g_assert_cmpfloat (lb_latency_histogram_get_percentile (h, 90), ==, 89);
  g_assert_cmpfloat (lb_latency_histogram_get_percentile (h, 99.5), ==, 99);

  /* A clock that stepped backwards records 0, not a wrapped huge value. */
  lb_latency_histogram_reset (h);
  lb_latency_histogram_record (h, -5);
  lb_latency_histogram_record (h, 0);
  g_assert_cmpuint (lb_latency_histogram_get_count (h), ==, 2);
  g_assert_cmpint (lb_latency_histogram_get_min (h), ==, 0);
  g_assert_cmpint (lb_latency_histogram_get_max (h), ==, 0);
  g_assert_cmpfloat (lb_latency_histogram_get_percentile (h, 99), ==, 0);
}

static void
test_huge_values (void)
{
  g_autoptr(LbLatencyHistogram) h = lb_latency_histogram_new ();
  const gint64 hour = G_GINT64_CONSTANT (3600000000);
  const gint64 week = 7 * 24 * hour;

  for (guint i = 0; i < 98; i++)
    lb_latency_histogram_record (h, 1000);
  lb_latency_histogram_record (h, hour);
  lb_latency_histogram_record (h, week);

  g_assert_cmpuint (lb_latency_histogram_get_count (h), ==, 100);
  g_assert_cmpint (lb_latency_histogram_get_max (h), ==, week);
  g_assert_cmpfloat (lb_latency_histogram_get_percentile (h, 100), ==, (double) week);
  assert_relative (lb_latency_histogram_get_percentile (h, 50), 1000, 1.0 / 128);
  /* Above the tracked range only the true maximum is known, an upper bound. */
  g_assert_cmpfloat (lb_latency_histogram_get_percentile (h, 99), ==, (double) week);
  g_assert_cmpfloat (lb_latency_histogram_get_percentile (h, 99), >=, (double) hour);
  assert_relative (lb_latency_histogram_get_mean (h), (98 * 1000.0 + hour + week) / 100, 1e-12);
  g_assert_cmpfloat (lb_latency_histogram_get_stddev (h), >, (double) week / 20);

  /* The largest representable value does not overflow the sums. */
  lb_latency_histogram_reset (h);
  lb_latency_histogram_record (h, G_MAXINT64);
  g_assert_cmpint (lb_latency_histogram_get_max (h), ==, G_MAXINT64);
  g_assert_cmpfloat (lb_latency_histogram_get_mean (h), ==, (double) G_MAXINT64);
}

static void
test_merge (void)
{
  const gsize n = 50000;
  g_autofree gint64 *samples = log_uniform_samples (7, n, 1, 120e6);
  g_autoptr(LbLatencyHistogram) all = lb_latency_histogram_new ();
  g_autoptr(LbLatencyHistogram) merged = lb_latency_histogram_new ();
  g_autoptr(LbLatencyHistogram) empty = lb_latency_histogram_new ();
  g_autoptr(LbLatencyHistogram) copy = NULL;
  LbLatencyHistogram *parts[4];
  g_autoptr(GRand) rand = g_rand_new_with_seed (99);
  g_autofree char *json_all = NULL;
  g_autofree char *json_merged = NULL;
  g_autoptr(JsonNode) node_all = NULL;
  g_autoptr(JsonNode) node_merged = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    parts[i] = lb_latency_histogram_new ();

  for (gsize i = 0; i < n; i++)
    {
      lb_latency_histogram_record (all, samples[i]);
      lb_latency_histogram_record (parts[g_rand_int_range (rand, 0, 4)], samples[i]);
    }

  /* Merging into an empty one, and an empty one in, changes nothing. */
  lb_latency_histogram_merge (parts[0], empty);
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      g_assert_cmpuint (lb_latency_histogram_get_count (parts[i]), <, n);
      lb_latency_histogram_merge (merged, parts[i]);
      lb_latency_histogram_free (parts[i]);
    }

  g_assert_cmpuint (lb_latency_histogram_get_count (merged), ==, n);
  g_assert_cmpint (lb_latency_histogram_get_min (merged), ==, lb_latency_histogram_get_min (all));
  g_assert_cmpint (lb_latency_histogram_get_max (merged), ==, lb_latency_histogram_get_max (all));
  g_assert_cmpfloat (lb_latency_histogram_get_mean (merged), ==, lb_latency_histogram_get_mean (all));
  g_assert_cmpfloat (lb_latency_histogram_get_stddev (merged), ==, lb_latency_histogram_get_stddev (all));
  for (double p = 0; p <= 100; p += 0.5)
    g_assert_cmpfloat (lb_latency_histogram_get_percentile (merged, p), ==,
                       lb_latency_histogram_get_percentile (all, p));

  node_all = lb_latency_histogram_to_json (all);
  node_merged = lb_latency_histogram_to_json (merged);
  json_all = json_to_string (node_all, FALSE);
  json_merged = json_to_string (node_merged, FALSE);
  g_assert_cmpstr (json_all, ==, json_merged);

  copy = lb_latency_histogram_copy (merged);
  lb_latency_histogram_merge (copy, all);
  g_assert_cmpuint (lb_latency_histogram_get_count (copy), ==, 2 * n);
  g_assert_cmpfloat (lb_latency_histogram_get_percentile (copy, 95), ==,
                     lb_latency_histogram_get_percentile (all, 95));
  g_assert_cmpuint (lb_latency_histogram_get_count (merged), ==, n);

  lb_latency_histogram_merge (empty, all);
  g_assert_cmpint (lb_latency_histogram_get_min (empty), ==, lb_latency_histogram_get_min (all));
}

static LbLatencyHistogram *round_trip (LbLatencyHistogram *h);

/* A workload of many statements keeps a histogram per query per worker,
 * most with a few samples: those must stay small, and give the same
 * figures as the dense form whichever way they are merged. */
static void
test_few_samples_stay_small (void)
{
  const guint n = 100000;
  g_autofree LbLatencyHistogram **many = g_new0 (LbLatencyHistogram *, n);
  g_autoptr(LbLatencyHistogram) dense = lb_latency_histogram_new ();
  g_autoptr(LbLatencyHistogram) sparse_into_dense = lb_latency_histogram_new ();
  g_autoptr(LbLatencyHistogram) dense_into_sparse = lb_latency_histogram_new ();
  g_autoptr(LbLatencyHistogram) growing = lb_latency_histogram_new ();
  g_autoptr(LbLatencyHistogram) back = NULL;
  g_autoptr(JsonNode) node_dense = NULL;
  g_autoptr(JsonNode) node_growing = NULL;
  g_autofree char *json_dense = NULL;
  g_autofree char *json_growing = NULL;
  gint64 before, grown_kb;

  before = lb_test_rss_kb ();
  for (guint i = 0; i < n; i++)
    {
      many[i] = lb_latency_histogram_new ();
      lb_latency_histogram_record (many[i], 100 + i % 5000);
      lb_latency_histogram_record (many[i], 250);
    }
  grown_kb = lb_test_rss_kb () - before;
  g_test_message ("%u histograms of 2 samples: %" G_GINT64_FORMAT " KB", n, grown_kb);
  /* A hundred-odd bytes each; the dense form alone touched over 400 MB.
   * Under AddressSanitizer redzones and shadow memory are no measure of ours. */
#ifndef __SANITIZE_ADDRESS__
  g_assert_cmpint (grown_kb, <, 64 * 1024);
#endif

  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpuint (lb_latency_histogram_get_count (many[i]), ==, 2);
      g_assert_cmpint (lb_latency_histogram_get_min (many[i]), ==, MIN (100 + i % 5000, 250));
      g_assert_cmpint (lb_latency_histogram_get_max (many[i]), ==, MAX (100 + i % 5000, 250));
      lb_latency_histogram_merge (dense, many[i]);
      g_clear_pointer (&many[i], lb_latency_histogram_free);
    }

  /* One sample at a time crosses from sparse to dense on the way; the
   * figures are those of the histogram merged from the sparse ones. */
  for (guint i = 0; i < n; i++)
    {
      lb_latency_histogram_record (growing, 100 + i % 5000);
      lb_latency_histogram_record (growing, 250);
    }
  node_dense = lb_latency_histogram_to_json (dense);
  node_growing = lb_latency_histogram_to_json (growing);
  json_dense = json_to_string (node_dense, FALSE);
  json_growing = json_to_string (node_growing, FALSE);
  g_assert_cmpstr (json_dense, ==, json_growing);

  /* Sparse into dense, dense into sparse, and a sparse JSON round trip. */
  lb_latency_histogram_record (sparse_into_dense, 7);
  lb_latency_histogram_merge (sparse_into_dense, dense);
  lb_latency_histogram_merge (dense_into_sparse, dense);
  lb_latency_histogram_record (dense_into_sparse, 7);
  for (double p = 0; p <= 100; p += 0.5)
    g_assert_cmpfloat (lb_latency_histogram_get_percentile (sparse_into_dense, p), ==,
                       lb_latency_histogram_get_percentile (dense_into_sparse, p));
  g_assert_cmpint (lb_latency_histogram_get_min (sparse_into_dense), ==, 7);

  lb_latency_histogram_reset (growing);
  lb_latency_histogram_record (growing, 40);
  lb_latency_histogram_record (growing, 40);
  lb_latency_histogram_record (growing, 90000);
  back = round_trip (growing);
  g_assert_cmpuint (lb_latency_histogram_get_count (back), ==, 3);
  g_assert_cmpfloat (lb_latency_histogram_get_percentile (back, 50), ==, 40);
  g_assert_cmpfloat (lb_latency_histogram_get_percentile (back, 100), ==, 90000);
  g_assert_cmpfloat (lb_latency_histogram_get_percentile (back, 90), ==,
                     lb_latency_histogram_get_percentile (growing, 90));
}

static LbLatencyHistogram *
round_trip (LbLatencyHistogram *h)
{
  g_autoptr(JsonNode) node = lb_latency_histogram_to_json (h);
  g_autofree char *text = json_to_string (node, TRUE);
  g_autoptr(JsonNode) parsed = json_from_string (text, NULL);
  g_autoptr(GError) error = NULL;
  LbLatencyHistogram *back;

  g_assert_nonnull (parsed);
  back = lb_latency_histogram_new_from_json (parsed, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  return back;
}

static void
test_json_round_trip (void)
{
  const gsize n = 20000;
  g_autofree gint64 *samples = log_uniform_samples (42, n, 10, 60e6);
  g_autoptr(LbLatencyHistogram) h = lb_latency_histogram_new ();
  g_autoptr(LbLatencyHistogram) back = NULL;
  g_autoptr(LbLatencyHistogram) empty = lb_latency_histogram_new ();
  g_autoptr(LbLatencyHistogram) empty_back = NULL;

  for (gsize i = 0; i < n; i++)
    lb_latency_histogram_record (h, samples[i]);
  lb_latency_histogram_record (h, 0);
  lb_latency_histogram_record (h, G_GINT64_CONSTANT (500000000));

  back = round_trip (h);
  g_assert_cmpuint (lb_latency_histogram_get_count (back), ==, n + 2);
  g_assert_cmpint (lb_latency_histogram_get_min (back), ==, 0);
  g_assert_cmpint (lb_latency_histogram_get_max (back), ==, 500000000);
  g_assert_cmpfloat (lb_latency_histogram_get_mean (back), ==, lb_latency_histogram_get_mean (h));
  assert_relative (lb_latency_histogram_get_stddev (back), lb_latency_histogram_get_stddev (h), 1e-9);
  for (double p = 0; p <= 100; p += 0.25)
    g_assert_cmpfloat (lb_latency_histogram_get_percentile (back, p), ==,
                       lb_latency_histogram_get_percentile (h, p));

  empty_back = round_trip (empty);
  g_assert_cmpuint (lb_latency_histogram_get_count (empty_back), ==, 0);
  g_assert_cmpfloat (lb_latency_histogram_get_percentile (empty_back, 50), ==, 0);
}

static void
test_json_bad (void)
{
  static const char * const bad[] = {
    "[]",
    "42",
    "{}",
    "{\"count\": 1, \"sum\": 5, \"sum_squares\": 25, \"min\": 5, \"max\": 5}",
    "{\"count\": -1, \"sum\": 5, \"sum_squares\": 25, \"min\": 5, \"max\": 5, \"buckets\": []}",
    "{\"count\": \"1\", \"sum\": 5, \"sum_squares\": 25, \"min\": 5, \"max\": 5, \"buckets\": [[5, 1]]}",
    "{\"count\": 1.5, \"sum\": 5, \"sum_squares\": 25, \"min\": 5, \"max\": 5, \"buckets\": [[5, 1]]}",
    "{\"count\": 1, \"sum\": 5, \"sum_squares\": \"x\", \"min\": 5, \"max\": 5, \"buckets\": [[5, 1]]}",
    "{\"count\": 1, \"sum\": 5, \"sum_squares\": -3, \"min\": 5, \"max\": 5, \"buckets\": [[5, 1]]}",
    "{\"count\": 1, \"sum\": 5, \"sum_squares\": 25, \"min\": 5, \"max\": 5, \"buckets\": {}}",
    "{\"count\": 1, \"sum\": 5, \"sum_squares\": 25, \"min\": 5, \"max\": 5, \"buckets\": [5, 1]}",
    "{\"count\": 1, \"sum\": 5, \"sum_squares\": 25, \"min\": 5, \"max\": 5, \"buckets\": [[5]]}",
    "{\"count\": 1, \"sum\": 5, \"sum_squares\": 25, \"min\": 5, \"max\": 5, \"buckets\": [[5, 1, 2]]}",
    "{\"count\": 1, \"sum\": 5, \"sum_squares\": 25, \"min\": 5, \"max\": 5, \"buckets\": [[5, 0]]}",
    "{\"count\": 1, \"sum\": 5, \"sum_squares\": 25, \"min\": 5, \"max\": 5, \"buckets\": [[-5, 1]]}",
    "{\"count\": 1, \"sum\": 5, \"sum_squares\": 25, \"min\": 5, \"max\": 5, \"buckets\": [[\"5\", 1]]}",
    /* 1001 is inside the bucket that starts at 1000: not a boundary. */
    "{\"count\": 1, \"sum\": 1001, \"sum_squares\": 1, \"min\": 1001, \"max\": 1001, \"buckets\": [[1001, 1]]}",
    "{\"count\": 2, \"sum\": 10, \"sum_squares\": 50, \"min\": 5, \"max\": 5, \"buckets\": [[5, 1], [5, 1]]}",
    "{\"count\": 3, \"sum\": 15, \"sum_squares\": 75, \"min\": 5, \"max\": 5, \"buckets\": [[5, 2]]}",
    "{\"count\": 2, \"sum\": 11, \"sum_squares\": 61, \"min\": 6, \"max\": 5, \"buckets\": [[5, 1], [6, 1]]}",
    "{\"count\": 1, \"sum\": 5, \"sum_squares\": 25, \"min\": 7, \"max\": 7, \"buckets\": [[5, 1]]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) node = json_from_string (bad[i], NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(LbLatencyHistogram) h = NULL;

      g_assert_nonnull (node);
      h = lb_latency_histogram_new_from_json (node, &error);
      g_test_message ("%s → %s", bad[i], error ? error->message : "(accepted)");
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_null (h);
    }
}

static void
test_speed (void)
{
  const gsize n = 10 * 1000 * 1000;
  g_autofree gint64 *samples = log_uniform_samples (3, 4096, 10, 60e6);
  g_autoptr(LbLatencyHistogram) h = lb_latency_histogram_new ();
  gint64 start = g_get_monotonic_time ();
  double ns;

  for (gsize i = 0; i < n; i++)
    lb_latency_histogram_record (h, samples[i & 4095]);
  ns = 1000.0 * (double) (g_get_monotonic_time () - start) / (double) n;
  g_test_message ("record: %.1f ns per value", ns);
  g_assert_cmpuint (lb_latency_histogram_get_count (h), ==, n);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/latency-histogram/accuracy", test_accuracy);
  g_test_add_func ("/latency-histogram/sweep", test_sweep);
  g_test_add_func ("/latency-histogram/empty", test_empty);
  g_test_add_func ("/latency-histogram/single-and-equal", test_single_and_equal);
  g_test_add_func ("/latency-histogram/small-values", test_small_values);
  g_test_add_func ("/latency-histogram/huge-values", test_huge_values);
  g_test_add_func ("/latency-histogram/merge", test_merge);
  g_test_add_func ("/latency-histogram/json-round-trip", test_json_round_trip);
  g_test_add_func ("/latency-histogram/json-bad", test_json_bad);
  g_test_add_func ("/latency-histogram/speed", test_speed);
  g_test_add_func ("/latency-histogram/few-samples-stay-small", test_few_samples_stay_small);

  return g_test_run ();
}
