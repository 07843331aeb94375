/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The cost model: workload inputs and a price sheet turned into an
 * LbCostReport, with the classic provisioned breakdown exactly as the web
 * tool computes it, the autoscaling range, and the warnings and explanations
 * the report shows. */
#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "lb-cost-model.h"

/* Documented max_connections of an autoscaling endpoint (cost-model.md). */
static const struct
{
  double cu;
  double connections;
} connection_points[] = {
  { 0.0, 0 },
  { 0.5, 104 },
  { 1.0, 209 },
  { 8.0, 1678 },
  { 16.0, 3357 },
};

#define MAX_CONNECTIONS_CAP 4000.0

/* Fixed-size compute the web tool suggests above the autoscaling range. */
#define FIXED_SIZE_MIN_CU 36
#define FIXED_SIZE_MAX_CU 112

guint
lb_cost_model_recommend_cu (const LbPrices *prices,
                            double          total_cu)
{
  g_return_val_if_fail (prices != NULL, 0);
  g_return_val_if_fail (prices->n_cu_tiers > 0, 0);

  for (guint i = 0; i < prices->n_cu_tiers; i++)
    {
      if (total_cu <= prices->cu_tiers[i])
        return prices->cu_tiers[i];
    }

  /* Above the largest tier the web tool still prices the largest one. */
  return prices->cu_tiers[prices->n_cu_tiers - 1];
}

double
lb_cost_model_autoscaling_up (const LbPrices *prices,
                              double          cu)
{
  g_return_val_if_fail (prices != NULL, 0);
  g_return_val_if_fail (prices->n_autoscaling_steps > 0, 0);

  for (guint i = 0; i < prices->n_autoscaling_steps; i++)
    {
      if (prices->autoscaling_steps[i] >= cu)
        return prices->autoscaling_steps[i];
    }

  return prices->autoscaling_steps[prices->n_autoscaling_steps - 1];
}

/* The range before the spread rule, so the explanation can tell whether the
 * rule raised the minimum. */
static void
autoscaling_range_unspread (const LbPrices *prices,
                            double          total_cu,
                            double         *min_cu,
                            double         *max_cu)
{
  double smallest = prices->autoscaling_steps[0];
  double largest = prices->autoscaling_steps[prices->n_autoscaling_steps - 1];

  *max_cu = MIN (lb_cost_model_autoscaling_up (prices, MAX (total_cu, smallest)), largest);
  *min_cu = lb_cost_model_autoscaling_up (prices, MAX (total_cu * 0.5, smallest));
  if (*min_cu > *max_cu)
    *min_cu = *max_cu;
}

void
lb_cost_model_autoscaling_range (const LbPrices *prices,
                                 double          total_cu,
                                 double         *min_cu,
                                 double         *max_cu)
{
  double lo;
  double hi;

  g_return_if_fail (prices != NULL);
  g_return_if_fail (prices->n_autoscaling_steps > 0);

  autoscaling_range_unspread (prices, total_cu, &lo, &hi);
  if (hi - lo > prices->autoscaling_max_spread_cu)
    lo = lb_cost_model_autoscaling_up (prices, hi - prices->autoscaling_max_spread_cu);

  if (min_cu != NULL)
    *min_cu = lo;
  if (max_cu != NULL)
    *max_cu = hi;
}

double
lb_cost_model_max_connections (double cu)
{
  guint last = G_N_ELEMENTS (connection_points) - 1;
  double slope;
  double value;

  if (!(cu > 0))
    return 0;

  for (guint i = 1; i <= last; i++)
    {
      if (cu <= connection_points[i].cu)
        {
          double x0 = connection_points[i - 1].cu;
          double y0 = connection_points[i - 1].connections;

          slope = (connection_points[i].connections - y0) / (connection_points[i].cu - x0);
          return floor (y0 + slope * (cu - x0));
        }
    }

  /* Past the last documented point: the same slope (about 210 per CU), capped. */
  slope = (connection_points[last].connections - connection_points[last - 1].connections) /
          (connection_points[last].cu - connection_points[last - 1].cu);
  value = connection_points[last].connections + slope * (cu - connection_points[last].cu);

  return MIN (floor (value), MAX_CONNECTIONS_CAP);
}

/* CU figures with two decimals; tiny non-zero ones keep a significant digit. */
static char *
format_cu (double cu)
{
  if (cu > 0 && cu < 0.005)
    return lb_format_number (cu, 4);
  return lb_format_number (cu, 2);
}

/* A step or tier size: "0.5", "12". */
static char *
format_size (double cu)
{
  return lb_format_number (cu, cu == floor (cu) ? 0 : 1);
}

typedef enum
{
  PART_READS,
  PART_BULK,
  PART_CONTINUOUS,
} Part;

/* One "Reads need 1.20 CU (12,000/s ÷ 10,000 per CU)" clause; literal
 * formats so that translators and the compiler both see them. */
static void
append_part (GString    *text,
             Part        part,
             gboolean    first,
             const char *cu,
             const char *rate,
             const char *per_cu)
{
  switch (part)
    {
    case PART_READS:
      if (first)
        g_string_append_printf (text, _("Reads need %s CU (%s/s ÷ %s per CU)"), cu, rate, per_cu);
      else
        g_string_append_printf (text, _("reads %s CU (%s/s ÷ %s per CU)"), cu, rate, per_cu);
      break;

    case PART_BULK:
      if (first)
        g_string_append_printf (text, _("Bulk writes need %s CU (%s/s ÷ %s per CU)"), cu, rate, per_cu);
      else
        g_string_append_printf (text, _("bulk writes %s CU (%s/s ÷ %s per CU)"), cu, rate, per_cu);
      break;

    case PART_CONTINUOUS:
      if (first)
        g_string_append_printf (text, _("Continuous writes need %s CU (%s/s ÷ %s per CU)"),
                                cu, rate, per_cu);
      else
        g_string_append_printf (text, _("continuous writes %s CU (%s/s ÷ %s per CU)"),
                                cu, rate, per_cu);
      break;

    default:
      g_assert_not_reached ();
    }
}

static char *
format_rate (double value)
{
  return lb_format_number (value, value == floor (value) ? 0 : 2);
}

static char *
explain_cu (const LbCostInputs    *in,
            const LbPrices        *p,
            const LbCostBreakdown *b)
{
  const struct
  {
    Part   part;
    double rate;
    double per_cu;
    double cu;
  } parts[] = {
    { PART_READS, in->reads_per_second, p->reads_per_cu, b->read_cu },
    { PART_BULK, in->bulk_writes_per_second, p->bulk_writes_per_cu, b->bulk_cu },
    { PART_CONTINUOUS, in->continuous_writes_per_second, p->continuous_writes_per_cu, b->continuous_cu },
  };
  g_autoptr(GString) text = g_string_new (NULL);
  guint largest = p->cu_tiers[p->n_cu_tiers - 1];
  guint n_used = 0;
  guint n_shown = 0;

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    if (parts[i].rate > 0)
      n_used++;

  if (n_used == 0)
    {
      g_string_append_printf (text, _("No reads or writes are given, so the smallest instance, %u CU."),
                              b->recommended_cu);
      return g_string_free (g_steal_pointer (&text), FALSE);
    }

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      g_autofree char *cu = NULL;
      g_autofree char *rate = NULL;
      g_autofree char *per_cu = NULL;

      if (!(parts[i].rate > 0))
        continue;

      cu = format_cu (parts[i].cu);
      rate = format_rate (parts[i].rate);
      per_cu = format_rate (parts[i].per_cu);

      if (n_shown > 0)
        g_string_append (text, n_shown + 1 == n_used ? _(" and ") : ", ");
      append_part (text, parts[i].part, n_shown == 0, cu, rate, per_cu);
      n_shown++;
    }

  if (n_used > 1)
    {
      g_autofree char *total = format_cu (b->total_cu);

      /* TRANSLATORS: follows the list of CU needs: "…: 1.60 CU in all" */
      g_string_append_printf (text, _(": %s CU in all"), total);
    }

  if (b->total_cu > largest)
    g_string_append_printf (text, _(", more than the largest instance (%u CU) serves: the estimate prices %u CU."),
                            largest, b->recommended_cu);
  else if (b->total_cu == b->recommended_cu)
    g_string_append_printf (text, _(", which fills the %u CU tier exactly."), b->recommended_cu);
  else if (b->recommended_cu == p->cu_tiers[0])
    g_string_append_printf (text, _(", so the smallest instance, %u CU."), b->recommended_cu);
  else
    g_string_append_printf (text, _(", so the next tier, %u CU."), b->recommended_cu);

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static char *
explain_autoscaling (const LbPrices              *p,
                     const LbAutoscalingEstimate *a)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *total = format_cu (a->total_cu);
  g_autofree char *min_cu = format_size (a->min_cu);
  g_autofree char *max_cu = format_size (a->max_cu);
  double unspread_min;
  double unspread_max;

  autoscaling_range_unspread (p, a->total_cu, &unspread_min, &unspread_max);

  if (a->needs_fixed_size)
    {
      g_string_append_printf (text,
                              _("A demand of %s CU is more than the largest autoscaling size, so the range is capped at %s–%s CU."),
                              total, min_cu, max_cu);
    }
  else if (a->total_cu <= p->autoscaling_steps[0])
    {
      g_string_append_printf (text, _("A demand of %s CU fits the smallest autoscaling size, %s CU."),
                              total, max_cu);
    }
  else
    {
      g_autofree char *half = format_cu (a->total_cu * 0.5);

      g_string_append_printf (text,
                              _("A demand of %s CU gives an autoscaling range of %s–%s CU: the maximum is the first size at or above the demand, the minimum the first size at or above half of it (%s CU)."),
                              total, min_cu, max_cu, half);
    }

  if (a->min_cu != unspread_min)
    {
      g_autofree char *spread = format_size (p->autoscaling_max_spread_cu);

      g_string_append_c (text, ' ');
      g_string_append_printf (text, _("The minimum is raised to %s CU to keep the range within %s CU."),
                              min_cu, spread);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
add_warnings (LbCostReport   *report,
              const LbPrices *p)
{
  const LbCostInputs *in = &report->inputs;
  const LbCostBreakdown *b = &report->breakdown;
  const LbAutoscalingEstimate *a = &report->autoscaling;
  guint largest = p->cu_tiers[p->n_cu_tiers - 1];
  double largest_step = p->autoscaling_steps[p->n_autoscaling_steps - 1];

  if (in->data_stored_gb > p->storage_limit_gb)
    {
      g_autofree char *stored = lb_format_number (in->data_stored_gb, 0);
      g_autofree char *limit = lb_format_number (p->storage_limit_gb, 0);
      g_autofree char *limit_tb = format_size (p->storage_limit_gb / 1024.0);

      _lb_cost_report_add_warning (report, LB_COST_WARNING_STORAGE_LIMIT,
        g_strdup_printf (_("%s GB of data is more than the %s GB (%s TB) that one Lakebase instance holds across all its databases. Split the tables across instances, or keep less history in PostgreSQL."),
                         stored, limit, limit_tb));
    }

  if (b->total_cu > largest)
    {
      g_autofree char *total = format_cu (b->total_cu);
      g_autofree char *steps = format_size (largest_step);

      _lb_cost_report_add_warning (report, LB_COST_WARNING_CU_ABOVE_MAX,
        g_strdup_printf (_("A demand of %s CU is more than the largest provisioned instance (%u CU) serves; the estimate prices %u CU, which will not keep up. Use an autoscaling project (up to %s CU), or split the tables across several instances."),
                         total, largest, b->recommended_cu, steps));
    }

  if (report->implied_connections > p->connections_limit)
    {
      double rate = in->reads_per_second + in->bulk_writes_per_second + in->continuous_writes_per_second;
      g_autofree char *implied = lb_format_number (ceil (report->implied_connections), 0);
      g_autofree char *limit = lb_format_number (p->connections_limit, 0);
      g_autofree char *rate_text = lb_format_number (rate, 0);
      g_autofree char *latency = format_size (p->assumed_query_latency_ms);
      g_autofree char *busy = lb_format_number (ceil (rate * p->assumed_query_latency_ms / 1000.0), 0);
      g_autofree char *per_table = format_size (p->connections_per_synced_table);
      g_autoptr(GString) text = g_string_new (NULL);

      g_string_append_printf (text,
                              _("About %s connections are implied, more than the %s a database accepts: %s requests/s × %s ms assumed latency keep %s connections busy (Little’s law)"),
                              implied, limit, rate_text, latency, busy);
      if (in->n_tables > 0)
        g_string_append_printf (text,
                                g_dngettext (GETTEXT_PACKAGE,
                                             ", plus %s for the %u synced table",
                                             ", plus %s for each of the %u synced tables",
                                             in->n_tables),
                                per_table, in->n_tables);
      g_string_append (text, _(". Put a connection pooler in front of the database, or spread reads over readable secondaries."));

      _lb_cost_report_add_warning (report, LB_COST_WARNING_CONNECTIONS,
                                   g_string_free (g_steal_pointer (&text), FALSE));
    }

  if (!b->sync_time_applicable)
    {
      g_autofree char *per_sync = format_rate (in->expected_data_per_sync_gb);

      _lb_cost_report_add_warning (report, LB_COST_WARNING_CONTINUOUS_PER_SYNC,
        g_strdup_printf (_("Sync mode CONTINUOUS streams changes as they arrive, so the %s GB per sync has no sync time or per-sync cost: only the continuous pipelines are priced. Set the data per sync to 0, or choose SNAPSHOT or TRIGGERED to price scheduled syncs."),
                         per_sync));
    }

  if (a->needs_fixed_size)
    {
      g_autofree char *total = format_cu (a->total_cu);
      g_autofree char *max_cu = format_size (largest_step);

      _lb_cost_report_add_warning (report, LB_COST_WARNING_AUTOSCALING_FIXED,
        g_strdup_printf (_("A demand of %s CU is more than the largest autoscaling size (%s CU), so the range is capped there. Consider fixed-size compute (%d to %d CU) instead."),
                         total, max_cu, FIXED_SIZE_MIN_CU, FIXED_SIZE_MAX_CU));
    }
}

static double
sync_rate (const LbPrices *p,
           LbSyncMode      mode,
           guint           recommended_cu)
{
  /* The web tool counts anything above 4 CU as 4 for the transfer rate. */
  guint cu = MIN (recommended_cu, 4);
  guint index = cu <= 1 ? 0 : cu <= 2 ? 1 : 2;

  g_assert (mode == LB_SYNC_MODE_SNAPSHOT || mode == LB_SYNC_MODE_TRIGGERED);

  return p->sync_rate_gb_hour[mode][index];
}

LbCostReport *
lb_cost_model_estimate_inputs (const LbCostInputs *inputs,
                               LbPriceSheet       *prices)
{
  g_autoptr(LbCostReport) report = NULL;
  const LbPrices *p;
  LbCostBreakdown *b;
  LbAutoscalingEstimate *a;
  double syncs_per_week;

  g_return_val_if_fail (inputs != NULL, NULL);
  g_return_val_if_fail (LB_IS_PRICE_SHEET (prices), NULL);
  g_return_val_if_fail (inputs->sync_mode <= LB_SYNC_MODE_CONTINUOUS, NULL);

  p = lb_price_sheet_get_prices (prices);
  report = _lb_cost_report_new ();
  report->inputs = *inputs;
  report->timestamp = g_date_time_new_now_local ();
  report->prices_name = g_strdup (lb_price_sheet_get_name (prices));
  report->currency = g_strdup (lb_price_sheet_get_currency (prices));
  b = &report->breakdown;
  a = &report->autoscaling;

  /* The classic model, term by term in the web tool's order so that every
   * figure matches it to the last bit, not only to the cent. */
  b->bulk_cu = inputs->bulk_writes_per_second / p->bulk_writes_per_cu;
  b->continuous_cu = inputs->continuous_writes_per_second / p->continuous_writes_per_cu;
  b->read_cu = inputs->reads_per_second / p->reads_per_cu;
  b->total_cu = b->bulk_cu + b->continuous_cu + b->read_cu;
  b->recommended_cu = lb_cost_model_recommend_cu (p, b->total_cu);

  b->main_instance_cost = p->cu_month * b->recommended_cu;
  b->readable_secondaries_cost = p->cu_month * inputs->number_of_readable_secondaries *
                                 inputs->readable_secondary_size_cu;
  if (inputs->promotion_percentage > 0)
    {
      b->main_instance_cost *= 1 - inputs->promotion_percentage / 100;
      b->readable_secondaries_cost *= 1 - inputs->promotion_percentage / 100;
    }
  b->total_compute_cost = b->main_instance_cost + b->readable_secondaries_cost;

  b->storage_cost = inputs->data_stored_gb * p->storage_gb_month;

  b->continuous_sync_cost = p->continuous_pipeline_month * inputs->number_of_continuous_pipelines;
  b->sync_time_applicable = TRUE;
  if (inputs->expected_data_per_sync_gb > 0)
    {
      if (inputs->sync_mode == LB_SYNC_MODE_CONTINUOUS)
        {
          /* The web tool has no rate for this and fails; we price the
           * pipelines and say why the per-sync figures do not apply. */
          b->sync_time_applicable = FALSE;
        }
      else
        {
          /* An unknown frequency counts once a week, as in the web tool. */
          syncs_per_week = inputs->sync_frequency <= LB_SYNC_FREQUENCY_PER_HOUR
                           ? p->syncs_per_week[inputs->sync_frequency] : 1;
          b->estimated_sync_time_hours = p->sync_overhead_hours +
            inputs->expected_data_per_sync_gb / sync_rate (p, inputs->sync_mode, b->recommended_cu);
          b->triggered_sync_cost = p->weeks_per_month * p->sync_hour *
                                   b->estimated_sync_time_hours * syncs_per_week;
        }
    }
  b->total_sync_cost = b->continuous_sync_cost + b->triggered_sync_cost;

  b->total_monthly_cost = b->total_compute_cost + b->storage_cost + b->total_sync_cost;
  report->yearly_total_cost = b->total_monthly_cost * 12;

  /* Autoscaling: the same demand as a range, priced always on. */
  a->total_cu = b->total_cu;
  lb_cost_model_autoscaling_range (p, b->total_cu, &a->min_cu, &a->max_cu);
  a->monthly_compute_cost_min = a->min_cu * p->autoscaling_cu_hour * p->autoscaling_hours_per_month;
  a->monthly_compute_cost_max = a->max_cu * p->autoscaling_cu_hour * p->autoscaling_hours_per_month;
  a->monthly_storage_cost = inputs->data_stored_gb * p->autoscaling_storage_gb_month;
  /* Synced tables run the same pipelines and syncs whatever the flavour. */
  a->monthly_sync_cost = b->total_sync_cost;
  a->monthly_total_cost_min = a->monthly_compute_cost_min + a->monthly_storage_cost + a->monthly_sync_cost;
  a->monthly_total_cost_max = a->monthly_compute_cost_max + a->monthly_storage_cost + a->monthly_sync_cost;
  a->max_connections = lb_cost_model_max_connections (a->max_cu);
  a->needs_fixed_size = b->total_cu > p->autoscaling_steps[p->n_autoscaling_steps - 1];

  /* Little's law: requests in flight = arrival rate × time in the system;
   * each synced table's pipeline may hold its own connections on top. */
  report->implied_connections =
    (inputs->reads_per_second + inputs->bulk_writes_per_second + inputs->continuous_writes_per_second) *
    p->assumed_query_latency_ms / 1000.0 +
    p->connections_per_synced_table * inputs->n_tables;

  report->cu_explanation = explain_cu (inputs, p, b);
  report->autoscaling_explanation = explain_autoscaling (p, a);
  add_warnings (report, p);

  return g_steal_pointer (&report);
}

LbCostReport *
lb_cost_model_estimate (LbWorkload   *workload,
                        LbPriceSheet *prices)
{
  LbCostInputs inputs = { 0 };

  g_return_val_if_fail (LB_IS_WORKLOAD (workload), NULL);
  g_return_val_if_fail (LB_IS_PRICE_SHEET (prices), NULL);

  inputs.bulk_writes_per_second = lb_workload_get_bulk_writes_per_second (workload);
  inputs.continuous_writes_per_second = lb_workload_get_continuous_writes_per_second (workload);
  inputs.reads_per_second = lb_workload_get_reads_per_second (workload);
  inputs.number_of_readable_secondaries = lb_workload_get_number_of_readable_secondaries (workload);
  inputs.readable_secondary_size_cu = lb_workload_get_readable_secondary_size_cu (workload);
  inputs.promotion_percentage = lb_workload_get_promotion_percentage (workload);
  inputs.data_stored_gb = lb_workload_get_data_stored_gb (workload);
  inputs.estimated_data_deleted_daily_gb = lb_workload_get_estimated_data_deleted_daily_gb (workload);
  inputs.restore_windows_days = lb_workload_get_restore_windows_days (workload);
  inputs.number_of_continuous_pipelines = lb_workload_get_number_of_continuous_pipelines (workload);
  inputs.expected_data_per_sync_gb = lb_workload_get_expected_data_per_sync_gb (workload);
  inputs.sync_mode = lb_workload_get_sync_mode (workload);
  inputs.sync_frequency = lb_workload_get_sync_frequency (workload);
  inputs.n_tables = g_list_model_get_n_items (lb_workload_get_tables (workload));
  inputs.flavour = lb_workload_get_flavour (workload);

  return lb_cost_model_estimate_inputs (&inputs, prices);
}
