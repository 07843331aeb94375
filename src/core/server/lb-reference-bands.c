/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbReferenceBands: the arithmetic of a run against the seed's figures.
 *
 * The figures are the seed's (databricks-solutions/lakebase-poc-accelerator,
 * README and LAKEBASE_BENCHMARK.md): about 10,000 point lookups per second
 * per CU under 10 ms, ~15,000 rows/s initial and ~1,200 rows/s incremental
 * sync writes per CU, at most 1,000 connections. The price sheet already
 * carries the per-CU rates and the connection limit (reads_per_cu,
 * connections_limit) and the price of a CU-hour, so they are read from it,
 * not repeated here. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-reference-bands.h"

void
lb_reference_bands_compute (LbRunRecord      *record,
                            double            cu,
                            LbPriceSheet     *prices,
                            LbReferenceBands *bands)
{
  const LbRunSettings *settings = lb_run_record_get_settings (record);
  LbRunResult *result = lb_run_record_get_result (record);
  const LbPrices *p = lb_price_sheet_get_prices (prices);
  guint64 queries = 0;

  memset (bands, 0, sizeof *bands);
  for (guint i = 0; result->queries != NULL && i < result->queries->len; i++)
    {
      const LbQueryStats *stats = g_ptr_array_index (result->queries, i);

      queries += stats->executions;
    }

  bands->cu = MAX (cu, 0);
  bands->measured_tps = result->tps;
  bands->measured_p99_ms = lb_latency_histogram_get_percentile (result->latency, 99) / 1000.0;
  bands->queries = queries;
  bands->measured_qps = result->duration > 0 ? queries / result->duration : 0;
  bands->clients = MAX (result->clients_asked, settings->clients);
  bands->p99_target_ms = LB_REFERENCE_P99_TARGET_MS;
  bands->p99_within = bands->measured_p99_ms < bands->p99_target_ms;
  bands->connections_limit = p->connections_limit;
  bands->connections_within = bands->clients <= p->connections_limit;
  bands->price_cu_hour = p->autoscaling_cu_hour;
  bands->hours = (result->duration + MAX (settings->warmup, 0) + MAX (result->connection_time, 0)) / 3600.0;

  bands->expected_qps = bands->cu * p->reads_per_cu;
  bands->tps_fraction = bands->expected_qps > 0 ? bands->measured_qps / bands->expected_qps : NAN;
  bands->run_cost = bands->cu * bands->hours * bands->price_cu_hour;
  bands->cost_per_million = queries > 0 && bands->cu > 0 ? bands->run_cost / queries * 1e6 : NAN;
}

char **
lb_reference_bands_describe (const LbReferenceBands *bands,
                             const char             *cu_source,
                             const char             *currency)
{
  GPtrArray *lines = g_ptr_array_new ();
  const char *cur = currency != NULL ? currency : "USD";

  if (bands->cu <= 0)
    {
      g_ptr_array_add (lines, g_strdup (_("No CU size to compare with: open a workload (its recommended CU) "
                                     "or set one in the run settings.")));
    }
  else
    {
      g_autofree char *throughput = NULL;

      /* Translators: queries/s measured, queries/s expected, a CU size, where it comes from, a percentage. */
      throughput = g_strdup_printf (_("Throughput: %.0f queries/s measured against about %.0f point "
                                      "lookups/s that %g CU (%s) should serve: %.0f %%"),
                                    bands->measured_qps, bands->expected_qps, bands->cu,
                                    cu_source != NULL ? cu_source : _("set"), bands->tps_fraction * 100);
      g_ptr_array_add (lines, g_steal_pointer (&throughput));
    }

  g_ptr_array_add (lines,
                       g_strdup_printf (bands->p99_within
                                        ? _("Latency: p99 %.2f ms, within the %.0f ms target")
                                        : _("Latency: p99 %.2f ms, above the %.0f ms target"),
                                        bands->measured_p99_ms, bands->p99_target_ms));
  g_ptr_array_add (lines,
                       g_strdup_printf (bands->connections_within
                                        ? _("Connections: %u of the %.0f a Lakebase database allows")
                                        : _("Connections: %u, more than the %.0f a Lakebase database allows"),
                                        bands->clients, bands->connections_limit));
  if (bands->cu > 0)
    {
      g_ptr_array_add (lines,
                           /* Translators: money, currency, CU, hours, price per CU-hour. */
                           g_strdup_printf (_("Cost of the run: %.4f %s (%g CU × %.3f h × %.3f %s per CU-hour)"),
                                            bands->run_cost, cur, bands->cu, bands->hours,
                                            bands->price_cu_hour, cur));
      if (isfinite (bands->cost_per_million))
        g_ptr_array_add (lines,
                             g_strdup_printf (_("Cost per million queries: %.4f %s"),
                                              bands->cost_per_million, cur));
    }
  g_ptr_array_add (lines, NULL);
  return (char **) g_ptr_array_free (lines, FALSE);
}
