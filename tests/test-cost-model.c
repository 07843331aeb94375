/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lb-core.h"

#define CU_MONTH (3500.0 / 12.0)

static LbPriceSheet *prices;

/* The defaults of reference/cost-model.md. */
static LbCostInputs
default_inputs (void)
{
  LbCostInputs in = { 0 };

  in.readable_secondary_size_cu = 1;
  in.sync_mode = LB_SYNC_MODE_SNAPSHOT;
  in.sync_frequency = LB_SYNC_FREQUENCY_PER_DAY;
  in.flavour = LB_FLAVOUR_AUTOSCALING;

  return in;
}

/* reference/cost-model.md's worked example. */
static LbCostInputs
worked_example (void)
{
  LbCostInputs in = default_inputs ();

  in.reads_per_second = 12000;
  in.continuous_writes_per_second = 600;
  in.number_of_readable_secondaries = 1;
  in.readable_secondary_size_cu = 1;
  in.data_stored_gb = 300;
  in.number_of_continuous_pipelines = 1;
  in.expected_data_per_sync_gb = 40;
  in.sync_mode = LB_SYNC_MODE_TRIGGERED;
  in.sync_frequency = LB_SYNC_FREQUENCY_PER_WEEK;

  return in;
}

static double
cents (double amount)
{
  return round (amount * 100) / 100;
}

static void
test_worked_example (void)
{
  LbCostInputs in = worked_example ();
  g_autoptr(LbCostReport) report = lb_cost_model_estimate_inputs (&in, prices);
  const LbCostBreakdown *b = &report->breakdown;
  double sync_time = 10.0 / 60.0 + 40.0 / 9.0;

  /* to the cent, as the web tool shows it */
  g_assert_cmpfloat_with_epsilon (b->total_cu, 1.6, 1e-12);
  g_assert_cmpuint (b->recommended_cu, ==, 2);
  g_assert_cmpfloat_with_epsilon (cents (b->main_instance_cost), 583.33, 1e-2);
  g_assert_cmpfloat_with_epsilon (cents (b->readable_secondaries_cost), 291.67, 1e-2);
  g_assert_cmpfloat_with_epsilon (cents (b->total_compute_cost), 875.00, 1e-2);
  g_assert_cmpfloat_with_epsilon (cents (b->storage_cost), 103.50, 1e-2);
  g_assert_cmpfloat_with_epsilon (b->estimated_sync_time_hours, 4.6111, 1e-4);
  g_assert_cmpfloat_with_epsilon (cents (b->triggered_sync_cost), 13.83, 1e-2);
  g_assert_cmpfloat_with_epsilon (cents (b->continuous_sync_cost), 548.00, 1e-2);
  g_assert_cmpfloat_with_epsilon (cents (b->total_sync_cost), 561.83, 1e-2);
  g_assert_cmpfloat_with_epsilon (cents (b->total_monthly_cost), 1540.33, 1e-2);
  g_assert_true (b->sync_time_applicable);

  /* raw values against the formulas */
  g_assert_cmpfloat_with_epsilon (b->read_cu, 12000.0 / 10000.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (b->continuous_cu, 600.0 / 1500.0, 1e-9);
  g_assert_cmpfloat (b->bulk_cu, ==, 0);
  g_assert_cmpfloat_with_epsilon (b->main_instance_cost, CU_MONTH * 2, 1e-9);
  g_assert_cmpfloat_with_epsilon (b->readable_secondaries_cost, CU_MONTH * 1 * 1, 1e-9);
  g_assert_cmpfloat_with_epsilon (b->total_compute_cost, CU_MONTH * 3, 1e-9);
  g_assert_cmpfloat_with_epsilon (b->storage_cost, 300 * 0.345, 1e-9);
  g_assert_cmpfloat_with_epsilon (b->estimated_sync_time_hours, sync_time, 1e-9);
  g_assert_cmpfloat_with_epsilon (b->triggered_sync_cost, 4 * 0.75 * sync_time * 1, 1e-9);
  g_assert_cmpfloat_with_epsilon (b->total_sync_cost, 548 + 4 * 0.75 * sync_time, 1e-9);
  g_assert_cmpfloat_with_epsilon (b->total_monthly_cost,
                                  CU_MONTH * 3 + 300 * 0.345 + 548 + 4 * 0.75 * sync_time, 1e-9);
  g_assert_cmpfloat_with_epsilon (report->yearly_total_cost, b->total_monthly_cost * 12, 1e-9);

  g_assert_cmpstr (report->cu_explanation, ==,
                   "Reads need 1.20 CU (12,000/s ÷ 10,000 per CU) and continuous writes 0.40 CU "
                   "(600/s ÷ 1,500 per CU): 1.60 CU in all, so the next tier, 2 CU.");
  g_assert_nonnull (report->autoscaling_explanation);
  g_assert_nonnull (strstr (report->autoscaling_explanation, "1–2 CU"));
  g_assert_cmpuint (report->warnings->len, ==, 0);
  g_assert_nonnull (report->timestamp);
  g_assert_cmpstr (report->currency, ==, "USD");

  /* the inputs are kept as given */
  g_assert_cmpfloat (report->inputs.reads_per_second, ==, 12000);
  g_assert_cmpint (report->inputs.sync_mode, ==, LB_SYNC_MODE_TRIGGERED);
}

typedef struct
{
  double bulk;
  double continuous;
  double reads;
  guint  expected_cu;
} TierCase;

static void
test_cu_tiers (void)
{
  static const TierCase cases[] = {
    { 0, 0, 0, 1 },
    { 0, 0, 9999, 1 },
    { 0, 0, 10000, 1 },            /* exactly 1 */
    { 14000, 0, 0, 1 },            /* exactly 1 from bulk writes */
    { 0, 1500, 0, 1 },             /* exactly 1 from continuous writes */
    { 7000, 0, 5000, 1 },          /* 0.5 + 0.5 */
    { 0, 0, 10001, 2 },            /* just above 1 */
    { 0, 0, 20000, 2 },            /* exactly 2 */
    { 0, 0, 20001, 4 },
    { 0, 0, 40000, 4 },            /* exactly 4 */
    { 0, 0, 40001, 8 },
    { 0, 6000, 0, 4 },             /* exactly 4 from continuous writes */
    { 0, 0, 80000, 8 },            /* exactly 8 */
    { 0, 0, 80001, 8 },            /* above the largest tier: still 8 */
    { 140000, 15000, 100000, 8 },  /* 30 CU */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      LbCostInputs in = default_inputs ();
      g_autoptr(LbCostReport) report = NULL;
      double total = cases[i].bulk / 14000 + cases[i].continuous / 1500 + cases[i].reads / 10000;
      guint expected = cases[i].expected_cu;

      in.bulk_writes_per_second = cases[i].bulk;
      in.continuous_writes_per_second = cases[i].continuous;
      in.reads_per_second = cases[i].reads;
      report = lb_cost_model_estimate_inputs (&in, prices);

      g_test_message ("case %u: total %g CU", i, total);
      g_assert_cmpfloat (report->breakdown.total_cu, ==, total);
      g_assert_cmpuint (report->breakdown.recommended_cu, ==, expected);
      g_assert_cmpfloat_with_epsilon (report->breakdown.main_instance_cost, CU_MONTH * expected, 1e-9);
      g_assert_cmpuint (lb_cost_model_recommend_cu (lb_price_sheet_get_prices (prices), total), ==, expected);

      /* the warning comes exactly above the largest tier */
      g_assert_cmpint (lb_cost_report_has_warning (report, LB_COST_WARNING_CU_ABOVE_MAX), ==, total > 8);
    }
}

static void
test_promotion_and_secondaries (void)
{
  LbCostInputs in = default_inputs ();
  g_autoptr(LbCostReport) plain = NULL;
  g_autoptr(LbCostReport) promoted = NULL;

  in.reads_per_second = 30000;                  /* 3 CU → 4 */
  in.number_of_readable_secondaries = 3;
  in.readable_secondary_size_cu = 2;
  in.data_stored_gb = 100;
  plain = lb_cost_model_estimate_inputs (&in, prices);
  g_assert_cmpuint (plain->breakdown.recommended_cu, ==, 4);
  g_assert_cmpfloat_with_epsilon (plain->breakdown.main_instance_cost, CU_MONTH * 4, 1e-9);
  g_assert_cmpfloat_with_epsilon (plain->breakdown.readable_secondaries_cost, CU_MONTH * 3 * 2, 1e-9);
  g_assert_cmpfloat_with_epsilon (plain->breakdown.total_compute_cost, CU_MONTH * 10, 1e-9);

  /* promotion multiplies both compute lines, nothing else */
  in.promotion_percentage = 25;
  promoted = lb_cost_model_estimate_inputs (&in, prices);
  g_assert_cmpfloat_with_epsilon (promoted->breakdown.main_instance_cost, CU_MONTH * 4 * 0.75, 1e-9);
  g_assert_cmpfloat_with_epsilon (promoted->breakdown.readable_secondaries_cost, CU_MONTH * 6 * 0.75, 1e-9);
  g_assert_cmpfloat_with_epsilon (promoted->breakdown.total_compute_cost, CU_MONTH * 10 * 0.75, 1e-9);
  g_assert_cmpfloat (promoted->breakdown.storage_cost, ==, plain->breakdown.storage_cost);
  g_assert_cmpfloat_with_epsilon (promoted->breakdown.total_monthly_cost,
                                  CU_MONTH * 10 * 0.75 + 100 * 0.345, 1e-9);
  g_assert_cmpfloat (promoted->autoscaling.monthly_compute_cost_max, ==,
                     plain->autoscaling.monthly_compute_cost_max);

  /* 100 % promotion: free compute */
  {
    g_autoptr(LbCostReport) free_compute = NULL;

    in.promotion_percentage = 100;
    free_compute = lb_cost_model_estimate_inputs (&in, prices);
    g_assert_cmpfloat (free_compute->breakdown.total_compute_cost, ==, 0);
  }
}

static void
test_sync_modes_and_frequencies (void)
{
  static const double rates[2][3] = { { 54, 108, 216 }, { 4.5, 9, 18 } };
  static const double syncs[3] = { 1, 7, 168 };
  static const struct { double reads; guint cu; guint rate_index; } sizes[] = {
    { 5000, 1, 0 }, { 15000, 2, 1 }, { 30000, 4, 2 }, { 60000, 8, 2 } /* capped at 4 */,
  };

  for (LbSyncMode mode = LB_SYNC_MODE_SNAPSHOT; mode <= LB_SYNC_MODE_TRIGGERED; mode++)
    for (LbSyncFrequency freq = LB_SYNC_FREQUENCY_PER_WEEK; freq <= LB_SYNC_FREQUENCY_PER_HOUR; freq++)
      for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
        {
          LbCostInputs in = default_inputs ();
          g_autoptr(LbCostReport) report = NULL;
          double hours;

          in.reads_per_second = sizes[s].reads;
          in.sync_mode = mode;
          in.sync_frequency = freq;
          in.expected_data_per_sync_gb = 50;
          in.number_of_continuous_pipelines = 2;
          report = lb_cost_model_estimate_inputs (&in, prices);

          hours = 10.0 / 60.0 + 50.0 / rates[mode][sizes[s].rate_index];
          g_assert_cmpuint (report->breakdown.recommended_cu, ==, sizes[s].cu);
          g_assert_cmpfloat_with_epsilon (report->breakdown.estimated_sync_time_hours, hours, 1e-9);
          g_assert_cmpfloat_with_epsilon (report->breakdown.triggered_sync_cost,
                                          4 * 0.75 * hours * syncs[freq], 1e-9);
          g_assert_cmpfloat_with_epsilon (report->breakdown.continuous_sync_cost, 2 * 548, 1e-9);
          g_assert_cmpfloat_with_epsilon (report->breakdown.total_sync_cost,
                                          2 * 548 + 4 * 0.75 * hours * syncs[freq], 1e-9);
          g_assert_true (report->breakdown.sync_time_applicable);
          g_assert_false (lb_cost_report_has_warning (report, LB_COST_WARNING_CONTINUOUS_PER_SYNC));
        }
}

static void
test_sync_edge_cases (void)
{
  LbCostInputs in = default_inputs ();
  g_autoptr(LbCostReport) none = NULL;
  g_autoptr(LbCostReport) unknown = NULL;
  g_autoptr(LbCostReport) continuous = NULL;
  g_autoptr(LbCostReport) continuous_no_data = NULL;
  const LbCostWarning *warning;

  /* no per-sync data: no sync time, no per-sync cost, whatever the mode */
  in.number_of_continuous_pipelines = 3;
  none = lb_cost_model_estimate_inputs (&in, prices);
  g_assert_cmpfloat (none->breakdown.estimated_sync_time_hours, ==, 0);
  g_assert_cmpfloat (none->breakdown.triggered_sync_cost, ==, 0);
  g_assert_cmpfloat_with_epsilon (none->breakdown.total_sync_cost, 3 * 548, 1e-9);

  /* an unknown frequency counts once a week */
  in.expected_data_per_sync_gb = 10;
  in.sync_frequency = (LbSyncFrequency) 7;
  unknown = lb_cost_model_estimate_inputs (&in, prices);
  g_assert_cmpfloat_with_epsilon (unknown->breakdown.triggered_sync_cost,
                                  4 * 0.75 * (10.0 / 60.0 + 10.0 / 54.0) * 1, 1e-9);

  /* CONTINUOUS with per-sync data: the web tool fails; we price the pipelines */
  in.sync_frequency = LB_SYNC_FREQUENCY_PER_HOUR;
  in.sync_mode = LB_SYNC_MODE_CONTINUOUS;
  continuous = lb_cost_model_estimate_inputs (&in, prices);
  g_assert_false (continuous->breakdown.sync_time_applicable);
  g_assert_cmpfloat (continuous->breakdown.estimated_sync_time_hours, ==, 0);
  g_assert_cmpfloat (continuous->breakdown.triggered_sync_cost, ==, 0);
  g_assert_cmpfloat_with_epsilon (continuous->breakdown.continuous_sync_cost, 3 * 548, 1e-9);
  g_assert_cmpfloat_with_epsilon (continuous->breakdown.total_sync_cost, 3 * 548, 1e-9);
  g_assert_cmpuint (continuous->warnings->len, ==, 1);
  warning = g_ptr_array_index (continuous->warnings, 0);
  g_assert_cmpint (warning->kind, ==, LB_COST_WARNING_CONTINUOUS_PER_SYNC);
  g_assert_nonnull (strstr (warning->message, "CONTINUOUS"));
  g_assert_nonnull (strstr (warning->message, "10 GB"));

  in.expected_data_per_sync_gb = 0;
  continuous_no_data = lb_cost_model_estimate_inputs (&in, prices);
  g_assert_true (continuous_no_data->breakdown.sync_time_applicable);
  g_assert_cmpuint (continuous_no_data->warnings->len, ==, 0);
}

typedef struct
{
  double total_cu;
  double min_cu;
  double max_cu;
  gboolean fixed;
} RangeCase;

static void
test_autoscaling (void)
{
  static const RangeCase cases[] = {
    { 0, 0.5, 0.5, FALSE },
    { 0.3, 0.5, 0.5, FALSE },
    { 0.5, 0.5, 0.5, FALSE },
    { 0.9, 0.5, 1, FALSE },
    { 1.6, 1, 2, FALSE },
    { 3, 2, 4, FALSE },
    { 9, 6, 10, FALSE },         /* half is 4.5 → 6 */
    { 16, 8, 16, FALSE },        /* spread exactly 8: kept */
    { 20, 12, 20, FALSE },       /* 10–20 spans 10 > 8 → up(12) */
    { 32, 24, 32, FALSE },       /* 16–32 → up(24) */
    { 40, 24, 32, TRUE },        /* capped at 32, fixed-size suggested */
  };
  const LbPrices *p = lb_price_sheet_get_prices (prices);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      LbCostInputs in = default_inputs ();
      g_autoptr(LbCostReport) report = NULL;
      const LbAutoscalingEstimate *a;
      double lo = -1, hi = -1;

      /* reads alone give total_cu = reads / 10000 exactly for these values */
      in.reads_per_second = cases[i].total_cu * 10000;
      in.data_stored_gb = 100;
      report = lb_cost_model_estimate_inputs (&in, prices);
      a = &report->autoscaling;

      g_test_message ("demand %g CU", cases[i].total_cu);
      g_assert_cmpfloat (a->total_cu, ==, cases[i].total_cu);
      g_assert_cmpfloat (a->min_cu, ==, cases[i].min_cu);
      g_assert_cmpfloat (a->max_cu, ==, cases[i].max_cu);
      g_assert_cmpint (a->needs_fixed_size, ==, cases[i].fixed);
      g_assert_cmpint (lb_cost_report_has_warning (report, LB_COST_WARNING_AUTOSCALING_FIXED), ==,
                       cases[i].fixed);

      /* the rules of a valid range */
      g_assert_cmpfloat (a->min_cu, >=, 0.5);
      g_assert_cmpfloat (a->min_cu, <=, a->max_cu);
      g_assert_cmpfloat (a->max_cu, <=, 32);
      g_assert_cmpfloat (a->max_cu - a->min_cu, <=, 8);

      g_assert_cmpfloat_with_epsilon (a->monthly_compute_cost_min, cases[i].min_cu * 0.111 * 730, 1e-9);
      g_assert_cmpfloat_with_epsilon (a->monthly_compute_cost_max, cases[i].max_cu * 0.111 * 730, 1e-9);
      g_assert_cmpfloat_with_epsilon (a->monthly_storage_cost, 100 * 0.35, 1e-9);
      g_assert_cmpfloat (a->max_connections, ==, lb_cost_model_max_connections (cases[i].max_cu));

      lb_cost_model_autoscaling_range (p, cases[i].total_cu, &lo, &hi);
      g_assert_cmpfloat (lo, ==, cases[i].min_cu);
      g_assert_cmpfloat (hi, ==, cases[i].max_cu);

      g_assert_nonnull (report->autoscaling_explanation);
    }

  g_assert_cmpfloat (lb_cost_model_autoscaling_up (p, 0), ==, 0.5);
  g_assert_cmpfloat (lb_cost_model_autoscaling_up (p, 0.5), ==, 0.5);
  g_assert_cmpfloat (lb_cost_model_autoscaling_up (p, 0.51), ==, 1);
  g_assert_cmpfloat (lb_cost_model_autoscaling_up (p, 4.5), ==, 6);
  g_assert_cmpfloat (lb_cost_model_autoscaling_up (p, 28.1), ==, 32);
  g_assert_cmpfloat (lb_cost_model_autoscaling_up (p, 33), ==, 32);

  /* documented points, interpolation, the cap */
  g_assert_cmpfloat (lb_cost_model_max_connections (0), ==, 0);
  g_assert_cmpfloat (lb_cost_model_max_connections (0.25), ==, 52);
  g_assert_cmpfloat (lb_cost_model_max_connections (0.5), ==, 104);
  g_assert_cmpfloat (lb_cost_model_max_connections (1), ==, 209);
  g_assert_cmpfloat (lb_cost_model_max_connections (2), ==, 418);
  g_assert_cmpfloat (lb_cost_model_max_connections (8), ==, 1678);
  g_assert_cmpfloat (lb_cost_model_max_connections (12), ==, floor (1678 + 4 * (3357.0 - 1678) / 8));
  g_assert_cmpfloat (lb_cost_model_max_connections (16), ==, 3357);
  g_assert_cmpfloat (lb_cost_model_max_connections (18), ==, floor (3357 + 2 * (3357.0 - 1678) / 8));
  g_assert_cmpfloat (lb_cost_model_max_connections (32), ==, 4000);
}

static void
test_autoscaling_explanation (void)
{
  LbCostInputs in = default_inputs ();
  g_autoptr(LbCostReport) spread = NULL;
  g_autoptr(LbCostReport) small = NULL;

  in.reads_per_second = 200000;         /* 20 CU */
  spread = lb_cost_model_estimate_inputs (&in, prices);
  g_assert_nonnull (strstr (spread->autoscaling_explanation, "12–20 CU"));
  g_assert_nonnull (strstr (spread->autoscaling_explanation, "raised to 12 CU"));

  in.reads_per_second = 3000;           /* 0.3 CU */
  small = lb_cost_model_estimate_inputs (&in, prices);
  g_assert_nonnull (strstr (small->autoscaling_explanation, "smallest autoscaling size, 0.5 CU"));
  g_assert_cmpstr (small->cu_explanation, ==,
                   "Reads need 0.30 CU (3,000/s ÷ 10,000 per CU), so the smallest instance, 1 CU.");
}

static void
test_cu_explanation (void)
{
  LbCostInputs in = default_inputs ();
  g_autoptr(LbCostReport) none = lb_cost_model_estimate_inputs (&in, prices);
  g_autoptr(LbCostReport) three = NULL;
  g_autoptr(LbCostReport) exact = NULL;
  g_autoptr(LbCostReport) over = NULL;

  g_assert_cmpstr (none->cu_explanation, ==,
                   "No reads or writes are given, so the smallest instance, 1 CU.");

  in.reads_per_second = 8000;
  in.bulk_writes_per_second = 2000;
  in.continuous_writes_per_second = 300;
  three = lb_cost_model_estimate_inputs (&in, prices);
  g_assert_cmpstr (three->cu_explanation, ==,
                   "Reads need 0.80 CU (8,000/s ÷ 10,000 per CU), bulk writes 0.14 CU "
                   "(2,000/s ÷ 14,000 per CU) and continuous writes 0.20 CU (300/s ÷ 1,500 per CU): "
                   "1.14 CU in all, so the next tier, 2 CU.");

  in = default_inputs ();
  in.reads_per_second = 20000;
  exact = lb_cost_model_estimate_inputs (&in, prices);
  g_assert_cmpstr (exact->cu_explanation, ==,
                   "Reads need 2.00 CU (20,000/s ÷ 10,000 per CU), which fills the 2 CU tier exactly.");

  in.reads_per_second = 90000;
  over = lb_cost_model_estimate_inputs (&in, prices);
  g_assert_nonnull (strstr (over->cu_explanation, "more than the largest instance (8 CU)"));
}

static void
test_warning_thresholds (void)
{
  struct
  {
    const char        *what;
    LbCostWarningKind  kind;
    double             reads;
    double             stored;
    guint              n_tables;
    gboolean           expected;
  } cases[] = {
    { "storage at the limit", LB_COST_WARNING_STORAGE_LIMIT, 0, 2048, 0, FALSE },
    { "storage over the limit", LB_COST_WARNING_STORAGE_LIMIT, 0, 2048.5, 0, TRUE },
    /* 98,400/s × 10 ms = 984, plus 16 for one synced table = 1,000 */
    { "connections at the limit", LB_COST_WARNING_CONNECTIONS, 98400, 0, 1, FALSE },
    { "connections over the limit", LB_COST_WARNING_CONNECTIONS, 98500, 0, 1, TRUE },
    { "connections at the limit, no tables", LB_COST_WARNING_CONNECTIONS, 100000, 0, 0, FALSE },
    { "connections from tables alone", LB_COST_WARNING_CONNECTIONS, 0, 0, 63, TRUE },
    { "provisioned at 8 CU", LB_COST_WARNING_CU_ABOVE_MAX, 80000, 0, 0, FALSE },
    { "provisioned above 8 CU", LB_COST_WARNING_CU_ABOVE_MAX, 80001, 0, 0, TRUE },
    { "autoscaling at 32 CU", LB_COST_WARNING_AUTOSCALING_FIXED, 320000, 0, 0, FALSE },
    { "autoscaling above 32 CU", LB_COST_WARNING_AUTOSCALING_FIXED, 320001, 0, 0, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      LbCostInputs in = default_inputs ();
      g_autoptr(LbCostReport) report = NULL;

      in.reads_per_second = cases[i].reads;
      in.data_stored_gb = cases[i].stored;
      in.n_tables = cases[i].n_tables;
      report = lb_cost_model_estimate_inputs (&in, prices);

      g_test_message ("%s", cases[i].what);
      g_assert_cmpint (lb_cost_report_has_warning (report, cases[i].kind), ==, cases[i].expected);
    }

  /* the connections warning says how it got its figure */
  {
    LbCostInputs in = default_inputs ();
    g_autoptr(LbCostReport) report = NULL;
    const LbCostWarning *warning = NULL;

    in.reads_per_second = 98500;
    in.n_tables = 3;
    report = lb_cost_model_estimate_inputs (&in, prices);
    g_assert_cmpfloat_with_epsilon (report->implied_connections, 985 + 48, 1e-9);
    for (guint i = 0; i < report->warnings->len; i++)
      {
        const LbCostWarning *w = g_ptr_array_index (report->warnings, i);

        if (w->kind == LB_COST_WARNING_CONNECTIONS)
          warning = w;
      }
    g_assert_nonnull (warning);
    g_assert_nonnull (strstr (warning->message, "1,033"));
    g_assert_nonnull (strstr (warning->message, "98,500 requests/s × 10 ms"));
    g_assert_nonnull (strstr (warning->message, "16 for each of the 3 synced tables"));
  }

  /* the storage warning names the amount and the limit */
  {
    LbCostInputs in = default_inputs ();
    g_autoptr(LbCostReport) report = NULL;
    const LbCostWarning *warning;

    in.data_stored_gb = 3000;
    report = lb_cost_model_estimate_inputs (&in, prices);
    g_assert_cmpuint (report->warnings->len, ==, 1);
    warning = g_ptr_array_index (report->warnings, 0);
    g_assert_nonnull (strstr (warning->message, "3,000 GB"));
    g_assert_nonnull (strstr (warning->message, "2,048 GB (2 TB)"));
  }
}

static void
check_members (JsonObject         *object,
               const char * const *expected)
{
  g_autoptr(GList) members = json_object_get_members (object);

  g_assert_cmpuint (g_list_length (members), ==, g_strv_length ((char **) expected));
  for (guint i = 0; expected[i] != NULL; i++)
    g_assert_true (json_object_has_member (object, expected[i]));
}

static void
test_json (void)
{
  static const char * const top[] = {
    "timestamp", "workload_config", "cost_breakdown", "autoscaling", "estimate", NULL
  };
  static const char * const config[] = {
    "bulk_writes_per_second", "continuous_writes_per_second", "reads_per_second",
    "number_of_readable_secondaries", "readable_secondary_size_cu", "promotion_percentage",
    "data_stored_gb", "estimated_data_deleted_daily_gb", "restore_windows_days",
    "number_of_continuous_pipelines", "expected_data_per_sync_gb", "sync_mode", "sync_frequency",
    NULL
  };
  static const char * const breakdown[] = {
    "bulk_cu", "continuous_cu", "read_cu", "total_cu", "recommended_cu", "main_instance_cost",
    "readable_secondaries_cost", "total_compute_cost", "storage_cost", "continuous_sync_cost",
    "triggered_sync_cost", "total_sync_cost", "estimated_sync_time_hours", "total_monthly_cost",
    NULL
  };
  static const char * const autoscaling[] = {
    "total_cu", "min_cu", "max_cu", "monthly_compute_cost_min", "monthly_compute_cost_max",
    "monthly_storage_cost", "monthly_sync_cost", "monthly_total_cost_min", "monthly_total_cost_max",
    "max_connections", "needs_fixed_size", NULL
  };
  LbCostInputs in = worked_example ();
  g_autoptr(LbCostReport) report = lb_cost_model_estimate_inputs (&in, prices);
  g_autoptr(JsonNode) node = lb_cost_report_to_json (report);
  g_autofree char *text = lb_cost_report_to_json_string (report, TRUE);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) parsed_time = NULL;
  JsonObject *root;
  JsonObject *cfg;
  JsonObject *cost;
  JsonObject *as;

  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  check_members (json_node_get_object (node), top);

  /* the string form parses back to the same figures, unrounded */
  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  check_members (root, top);

  parsed_time = g_date_time_new_from_iso8601 (json_object_get_string_member (root, "timestamp"), NULL);
  g_assert_nonnull (parsed_time);

  cfg = json_object_get_object_member (root, "workload_config");
  check_members (cfg, config);
  g_assert_cmpstr (json_object_get_string_member (cfg, "sync_mode"), ==, "TRIGGERED");
  g_assert_cmpstr (json_object_get_string_member (cfg, "sync_frequency"), ==, "Per week");
  g_assert_cmpfloat (json_object_get_double_member (cfg, "reads_per_second"), ==, 12000);
  g_assert_cmpint (json_object_get_int_member (cfg, "number_of_readable_secondaries"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (cfg, "number_of_continuous_pipelines"), ==, 1);

  cost = json_object_get_object_member (root, "cost_breakdown");
  check_members (cost, breakdown);
  g_assert_cmpuint (json_node_get_value_type (json_object_get_member (cost, "recommended_cu")), ==,
                    G_TYPE_INT64);
  g_assert_cmpint (json_object_get_int_member (cost, "recommended_cu"), ==, 2);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (cost, "total_monthly_cost"),
                                  report->breakdown.total_monthly_cost, 1e-9);
  /* full precision, not cents */
  g_assert_cmpfloat (fabs (json_object_get_double_member (cost, "total_monthly_cost") - 1540.33), >, 1e-3);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (cost, "estimated_sync_time_hours"),
                                  10.0 / 60.0 + 40.0 / 9.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (cost, "main_instance_cost"),
                                  CU_MONTH * 2, 1e-9);

  as = json_object_get_object_member (root, "autoscaling");
  check_members (as, autoscaling);
  g_assert_cmpfloat (json_object_get_double_member (as, "min_cu"), ==, 1);
  g_assert_cmpfloat (json_object_get_double_member (as, "max_cu"), ==, 2);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (as, "monthly_compute_cost_max"),
                                  2 * 0.111 * 730, 1e-9);
  g_assert_cmpint (json_object_get_int_member (as, "max_connections"), ==, 418);
  g_assert_false (json_object_get_boolean_member (as, "needs_fixed_size"));
}

static void
test_csv_and_text (void)
{
  LbCostInputs in = worked_example ();
  g_autoptr(LbCostReport) report = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  /* Provisioned chosen: the classic lines come first, as they always did. */
  in.flavour = LB_FLAVOUR_PROVISIONED;
  report = lb_cost_model_estimate_inputs (&in, prices);
  csv = lb_cost_report_to_csv (report);
  text = lb_cost_report_to_text (report);
  lines = g_strsplit (csv, "\r\n", -1);

  g_assert_cmpstr (lines[0], ==, "item,monthly,yearly");
  g_assert_cmpstr (lines[1], ==, "Main instance (2 CU),583.33,7000.00");
  g_assert_cmpstr (lines[2], ==, "Readable secondaries,291.67,3500.00");
  g_assert_cmpstr (lines[3], ==, "Compute,875.00,10500.00");
  g_assert_cmpstr (lines[4], ==, "Storage,103.50,1242.00");
  g_assert_cmpstr (lines[5], ==, "Continuous sync,548.00,6576.00");
  g_assert_cmpstr (lines[6], ==, "Triggered sync,13.83,166.00");
  g_assert_cmpstr (lines[7], ==, "Sync,561.83,6742.00");
  g_assert_cmpstr (lines[8], ==, "\"Total, provisioned (chosen)\",1540.33,18484.00");
  g_assert_cmpstr (lines[9], ==, "Autoscaling compute at min (1 CU),81.03,972.36");
  g_assert_cmpstr (lines[10], ==, "Autoscaling compute at max (2 CU),162.06,1944.72");
  g_assert_cmpstr (lines[11], ==, "Autoscaling storage,105.00,1260.00");
  g_assert_cmpstr (lines[12], ==, "Autoscaling sync,561.83,6742.00");
  g_assert_cmpstr (lines[13], ==, "\"Total, autoscaling at max (for comparison)\",828.89,9946.72");
  g_assert_cmpstr (lines[14], ==, "");
  g_assert_null (lines[15]);

  g_assert_nonnull (strstr (text, "$583.33"));
  g_assert_nonnull (strstr (text, "$291.67"));
  g_assert_nonnull (strstr (text, "$875.00"));
  g_assert_nonnull (strstr (text, "$103.50"));
  g_assert_nonnull (strstr (text, "$13.83"));
  g_assert_nonnull (strstr (text, "$561.83"));
  g_assert_nonnull (strstr (text, "$1,540.33"));
  g_assert_nonnull (strstr (text, "$18,484.00"));
  g_assert_nonnull (strstr (text, "$81.03"));
  g_assert_nonnull (strstr (text, "$162.06"));
  g_assert_nonnull (strstr (text, "Autoscaling 1–2 CU"));
  g_assert_nonnull (strstr (text, "12,000"));
  g_assert_nonnull (strstr (text, "1.60"));
  g_assert_nonnull (strstr (text, "4.61"));
  g_assert_nonnull (strstr (text, "so the next"));
  g_assert_null (strstr (text, "Warnings"));
  g_assert_null (strstr (text, " \n"));

  /* warnings show up in the text */
  {
    g_autoptr(LbCostReport) warned = NULL;
    g_autofree char *warned_text = NULL;

    in.sync_mode = LB_SYNC_MODE_CONTINUOUS;
    in.data_stored_gb = 5000;
    warned = lb_cost_model_estimate_inputs (&in, prices);
    warned_text = lb_cost_report_to_text (warned);
    g_assert_nonnull (strstr (warned_text, "Warnings"));
    g_assert_nonnull (strstr (warned_text, "CONTINUOUS"));
    g_assert_nonnull (strstr (warned_text, "5,000 GB"));
    g_assert_nonnull (strstr (warned_text, "n/a"));
  }
}

/* Item 6 of issue #10: every output names the chosen flavour's figure as
 * the estimate and the other one as the comparison, for both flavours. */
static void
test_chosen_flavour (void)
{
  static const struct
  {
    LbFlavour   flavour;
    const char *name;
    double      monthly;
    const char *other_name;
    double      other_monthly;
    const char *csv_first;
    const char *csv_total;
    const char *text_estimate;
    const char *text_comparison;
  } cases[] = {
    { LB_FLAVOUR_AUTOSCALING, "autoscaling", 162.06 + 105.00 + 548 + 4 * 0.75 * (10.0 / 60.0 + 40.0 / 9.0),
      "provisioned", 1540.33,
      "Autoscaling compute at min (1 CU),81.03,972.36",
      "\"Total, autoscaling at max (chosen)\",828.89,9946.72",
      "Estimate: Autoscaling, $828.89 a month\n", "For comparison: Provisioned, $1,540.33 a month\n" },
    { LB_FLAVOUR_PROVISIONED, "provisioned", 1540.33, "autoscaling", 828.89,
      "Main instance (2 CU),583.33,7000.00",
      "\"Total, provisioned (chosen)\",1540.33,18484.00",
      "Estimate: Provisioned, $1,540.33 a month\n", "For comparison: Autoscaling, $828.89 a month\n" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      LbCostInputs in = worked_example ();
      g_autoptr(LbCostReport) report = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *json = NULL;
      g_autofree char *csv = NULL;
      g_autofree char *text = NULL;
      g_auto(GStrv) lines = NULL;
      JsonObject *root;
      JsonObject *estimate;
      JsonObject *comparison;
      JsonObject *cost;
      const char *chosen_heading;
      const char *other_heading;

      in.flavour = cases[i].flavour;
      report = lb_cost_model_estimate_inputs (&in, prices);

      g_assert_cmpfloat_with_epsilon (lb_cost_report_get_monthly_total (report, cases[i].flavour),
                                      cases[i].monthly, 0.006);

      json = lb_cost_report_to_json_string (report, FALSE);
      json_parser_load_from_data (parser, json, -1, &error);
      g_assert_no_error (error);
      root = json_node_get_object (json_parser_get_root (parser));
      estimate = json_object_get_object_member (root, "estimate");
      comparison = json_object_get_object_member (estimate, "comparison");
      g_assert_cmpstr (json_object_get_string_member (estimate, "flavour"), ==, cases[i].name);
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (estimate, "monthly_total_cost"),
                                      cases[i].monthly, 0.006);
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (estimate, "yearly_total_cost"),
                                      cases[i].monthly * 12, 0.07);
      g_assert_cmpstr (json_object_get_string_member (comparison, "flavour"), ==, cases[i].other_name);
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (comparison, "monthly_total_cost"),
                                      cases[i].other_monthly, 0.006);
      /* The web tool's figures stay the classic ones whatever is chosen. */
      cost = json_object_get_object_member (root, "cost_breakdown");
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (cost, "total_monthly_cost"),
                                      1540.33, 0.006);

      csv = lb_cost_report_to_csv (report);
      lines = g_strsplit (csv, "\r\n", -1);
      g_assert_cmpstr (lines[0], ==, "item,monthly,yearly");
      g_assert_cmpstr (lines[1], ==, cases[i].csv_first);
      g_assert_true (g_strv_contains ((const char * const *) lines, cases[i].csv_total));

      text = lb_cost_report_to_text (report);
      g_assert_nonnull (strstr (text, cases[i].text_estimate));
      g_assert_nonnull (strstr (text, cases[i].text_comparison));
      /* The chosen flavour's section comes first and says so. */
      chosen_heading = strstr (text, cases[i].flavour == LB_FLAVOUR_AUTOSCALING
                                     ? "Autoscaling 1–2 CU, always on (chosen)"
                                     : "Provisioned cost (chosen)");
      other_heading = strstr (text, cases[i].flavour == LB_FLAVOUR_AUTOSCALING
                                    ? "Provisioned cost (for comparison)"
                                    : "Autoscaling 1–2 CU, always on (for comparison)");
      g_assert_nonnull (chosen_heading);
      g_assert_nonnull (other_heading);
      g_assert_true (chosen_heading < other_heading);
    }
}

static void
add_table (LbWorkload *workload,
           const char *name,
           LbSyncMode  policy)
{
  const char *keys[] = { "id", NULL };
  g_autoptr(LbSyncedTable) table = lb_synced_table_new (name, keys, policy);

  lb_workload_add_table (workload, table);
}

/* Item 7 of issue #10: what the tables' policies imply, and that the
 * classic figures keep following the fields, as the web tool prices them. */
static void
test_tables_sync_policy (void)
{
  g_autoptr(LbWorkload) workload = lb_workload_new ();
  g_autoptr(LbCostReport) before = NULL;
  g_autoptr(LbCostReport) after = NULL;
  g_autoptr(LbSyncedTable) moved = NULL;
  guint n_continuous = 99;
  LbSyncMode mode = LB_SYNC_MODE_TRIGGERED;

  g_assert_false (lb_workload_get_tables_sync_policy (workload, &n_continuous, &mode));

  lb_workload_set_number_of_continuous_pipelines (workload, 1);
  lb_workload_set_sync_mode (workload, LB_SYNC_MODE_SNAPSHOT);
  add_table (workload, "main.shop.orders", LB_SYNC_MODE_CONTINUOUS);
  add_table (workload, "main.shop.carts", LB_SYNC_MODE_CONTINUOUS);
  g_assert_true (lb_workload_get_tables_sync_policy (workload, &n_continuous, &mode));
  g_assert_cmpuint (n_continuous, ==, 2);
  g_assert_cmpint (mode, ==, LB_SYNC_MODE_CONTINUOUS);

  /* The estimate still prices the field's one pipeline. */
  before = lb_cost_model_estimate (workload, prices);
  g_assert_cmpfloat (before->breakdown.continuous_sync_cost, ==, 548);

  /* A scheduled table the mode agrees with keeps the mode; Triggered wins
   * over Snapshot only when the mode matches none of them. */
  add_table (workload, "main.shop.items", LB_SYNC_MODE_SNAPSHOT);
  add_table (workload, "main.shop.lines", LB_SYNC_MODE_TRIGGERED);
  lb_workload_get_tables_sync_policy (workload, &n_continuous, &mode);
  g_assert_cmpint (mode, ==, LB_SYNC_MODE_SNAPSHOT);
  lb_workload_set_sync_mode (workload, LB_SYNC_MODE_CONTINUOUS);
  lb_workload_get_tables_sync_policy (workload, &n_continuous, &mode);
  g_assert_cmpint (mode, ==, LB_SYNC_MODE_TRIGGERED);
  g_assert_cmpuint (n_continuous, ==, 2);

  lb_workload_set_number_of_continuous_pipelines (workload, n_continuous);
  after = lb_cost_model_estimate (workload, prices);
  g_assert_cmpfloat (after->breakdown.continuous_sync_cost, ==, 2 * 548);

  /* insert_table puts a table back where it was. */
  moved = g_list_model_get_item (lb_workload_get_tables (workload), 1);
  lb_workload_remove_table (workload, 1);
  lb_workload_insert_table (workload, 1, moved);
  {
    g_autoptr(LbSyncedTable) back = g_list_model_get_item (lb_workload_get_tables (workload), 1);
    g_assert_true (back == moved);
  }
  g_assert_cmpuint (g_list_model_get_n_items (lb_workload_get_tables (workload)), ==, 4);
}

static void
test_format_money (void)
{
  static const struct { double amount; const char *text; } cases[] = {
    { 1540.333, "$1,540.33" },
    { 1540.3333333333333, "$1,540.33" },
    { 0, "$0.00" },
    { 0.004, "$0.00" },
    { 0.005, "$0.01" },
    { 1.005, "$1.01" },
    { 2.675, "$2.68" },
    { 0.125, "$0.13" },
    { 999.995, "$1,000.00" },
    { 100, "$100.00" },
    { 1000, "$1,000.00" },
    { 1234567.891, "$1,234,567.89" },
    { 18484, "$18,484.00" },
    { -1.5, "-$1.50" },
    { -0.125, "-$0.13" },
    { -0.001, "$0.00" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = lb_format_money (cases[i].amount);

      g_assert_cmpstr (text, ==, cases[i].text);
    }

  {
    g_autofree char *eur = lb_format_money_in (1234.5, "EUR");
    g_autofree char *chf = lb_format_money_in (1234.5, "CHF");
    g_autofree char *usd = lb_format_money_in (1234.5, NULL);
    g_autofree char *n0 = lb_format_number (12000, 0);
    g_autofree char *n2 = lb_format_number (1.6, 2);
    g_autofree char *n3 = lb_format_number (1234567.0, 3);
    g_autofree char *small = lb_format_number (999, 0);

    g_assert_cmpstr (eur, ==, "€1,234.50");
    g_assert_cmpstr (chf, ==, "1,234.50 CHF");
    g_assert_cmpstr (usd, ==, "$1,234.50");
    g_assert_cmpstr (n0, ==, "12,000");
    g_assert_cmpstr (n2, ==, "1.60");
    g_assert_cmpstr (n3, ==, "1,234,567.000");
    g_assert_cmpstr (small, ==, "999");
  }
}

static void
test_custom_prices (void)
{
  LbCostInputs in = worked_example ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LbPriceSheet) sheet =
    lb_price_sheet_new_from_data ("{\"cu_year\": 1200, \"currency\": \"EUR\","
                                  " \"cu_tiers\": [2, 4]}", -1, &error);
  g_autoptr(LbCostReport) report = NULL;
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  in.reads_per_second = 1000;
  in.continuous_writes_per_second = 0;
  report = lb_cost_model_estimate_inputs (&in, sheet);
  g_assert_cmpuint (report->breakdown.recommended_cu, ==, 2);
  g_assert_cmpfloat_with_epsilon (report->breakdown.main_instance_cost, 200, 1e-9);
  g_assert_cmpstr (report->currency, ==, "EUR");
  text = lb_cost_report_to_text (report);
  g_assert_nonnull (strstr (text, "€200.00"));
}

static void
test_boxed (void)
{
  LbCostInputs in = worked_example ();
  LbCostReport *report = lb_cost_model_estimate_inputs (&in, prices);
  LbCostReport *copy;

  g_assert_true (G_TYPE_IS_BOXED (LB_TYPE_COST_REPORT));
  copy = g_boxed_copy (LB_TYPE_COST_REPORT, report);
  g_assert_true (copy == report);
  g_boxed_free (LB_TYPE_COST_REPORT, copy);
  g_assert_true (lb_cost_report_ref (report) == report);
  lb_cost_report_unref (report);
  lb_cost_report_unref (report);
}

/* The one test that needs the workload model: the estimate reads exactly
 * what estimate_inputs() is given. */
static void
test_from_workload (void)
{
  g_autoptr(LbWorkload) workload = lb_workload_new ();
  const char * const keys[] = { "id", NULL };
  LbCostInputs in = worked_example ();
  g_autoptr(LbCostReport) from_workload = NULL;
  g_autoptr(LbCostReport) from_inputs = NULL;
  g_autoptr(LbSyncedTable) table = lb_synced_table_new ("main.sales.orders", keys,
                                                        LB_SYNC_MODE_TRIGGERED);

  lb_workload_set_reads_per_second (workload, 12000);
  lb_workload_set_continuous_writes_per_second (workload, 600);
  lb_workload_set_number_of_readable_secondaries (workload, 1);
  lb_workload_set_readable_secondary_size_cu (workload, 1);
  lb_workload_set_data_stored_gb (workload, 300);
  lb_workload_set_number_of_continuous_pipelines (workload, 1);
  lb_workload_set_expected_data_per_sync_gb (workload, 40);
  lb_workload_set_sync_mode (workload, LB_SYNC_MODE_TRIGGERED);
  lb_workload_set_sync_frequency (workload, LB_SYNC_FREQUENCY_PER_WEEK);
  lb_workload_add_table (workload, table);

  from_workload = lb_cost_model_estimate (workload, prices);
  in.n_tables = 1;
  in.flavour = lb_workload_get_flavour (workload);
  from_inputs = lb_cost_model_estimate_inputs (&in, prices);

  g_assert_cmpuint (from_workload->inputs.n_tables, ==, 1);
  g_assert_cmpfloat (from_workload->breakdown.total_monthly_cost, ==,
                     from_inputs->breakdown.total_monthly_cost);
  g_assert_cmpfloat_with_epsilon (from_workload->breakdown.total_monthly_cost,
                                  CU_MONTH * 3 + 300 * 0.345 + 548 + 4 * 0.75 * (10.0 / 60.0 + 40.0 / 9.0),
                                  1e-9);
  g_assert_cmpfloat (from_workload->implied_connections, ==, from_inputs->implied_connections);
  g_assert_cmpfloat (from_workload->inputs.reads_per_second, ==, 12000);
  g_assert_cmpfloat (from_workload->inputs.readable_secondary_size_cu, ==, 1);
  g_assert_cmpint (from_workload->inputs.sync_mode, ==, LB_SYNC_MODE_TRIGGERED);
  g_assert_cmpint (from_workload->inputs.sync_frequency, ==, LB_SYNC_FREQUENCY_PER_WEEK);

  g_clear_object (&table);
  g_assert_finalize_object (g_steal_pointer (&workload));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  lb_core_init ();
  prices = lb_price_sheet_new_default ();

  g_test_add_func ("/cost-model/worked-example", test_worked_example);
  g_test_add_func ("/cost-model/cu-tiers", test_cu_tiers);
  g_test_add_func ("/cost-model/promotion-and-secondaries", test_promotion_and_secondaries);
  g_test_add_func ("/cost-model/sync-modes-and-frequencies", test_sync_modes_and_frequencies);
  g_test_add_func ("/cost-model/sync-edge-cases", test_sync_edge_cases);
  g_test_add_func ("/cost-model/autoscaling", test_autoscaling);
  g_test_add_func ("/cost-model/autoscaling-explanation", test_autoscaling_explanation);
  g_test_add_func ("/cost-model/cu-explanation", test_cu_explanation);
  g_test_add_func ("/cost-model/warning-thresholds", test_warning_thresholds);
  g_test_add_func ("/cost-model/json", test_json);
  g_test_add_func ("/cost-model/csv-and-text", test_csv_and_text);
  g_test_add_func ("/cost-model/chosen-flavour", test_chosen_flavour);
  g_test_add_func ("/cost-model/tables-sync-policy", test_tables_sync_policy);
  g_test_add_func ("/cost-model/format-money", test_format_money);
  g_test_add_func ("/cost-model/custom-prices", test_custom_prices);
  g_test_add_func ("/cost-model/boxed", test_boxed);
  g_test_add_func ("/cost-model/from-workload", test_from_workload);

  ret = g_test_run ();
  g_assert_finalize_object (prices);

  return ret;
}
