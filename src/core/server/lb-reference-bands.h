/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a run measured against what Lakebase should serve at a CU size, from
 * the seed's published figures (which the price sheet carries): point
 * lookups per CU, the latency target, the connection limit, and what the
 * run cost at the sheet's price per CU-hour. */
#pragma once

#include "lb-price-sheet.h"
#include "lb-run-record.h"

G_BEGIN_DECLS

/* The seed's latency target for point lookups (LAKEBASE_BENCHMARK.md and
 * the README of databricks-solutions/lakebase-poc-accelerator: "<10 ms"). */
#define LB_REFERENCE_P99_TARGET_MS 10.0

typedef struct
{
  double   cu;                    /* 0: no CU known, only the measured figures */
  double   measured_tps;
  double   measured_p99_ms;
  double   measured_qps;          /* queries per second (all queries of the script) */
  guint    clients;
  double   expected_qps;          /* cu × point lookups per CU per second */
  double   tps_fraction;          /* measured_qps / expected_qps; NAN without a CU */
  double   p99_target_ms;
  gboolean p99_within;
  double   connections_limit;
  gboolean connections_within;
  double   price_cu_hour;         /* in the sheet's currency */
  double   hours;                 /* warm-up included: the CU was paid for it too */
  double   run_cost;              /* cu × hours × price */
  guint64  queries;
  double   cost_per_million;      /* run_cost / queries × 10⁶; NAN without queries */
} LbReferenceBands;

/* @cu as the workload recommends or the user set, 0 for none. */
void   lb_reference_bands_compute (LbRunRecord      *record,
                                   double            cu,
                                   LbPriceSheet     *prices,
                                   LbReferenceBands *bands);
/* The sentences the results view and the CLI show, one per band. */
char **lb_reference_bands_describe (const LbReferenceBands *bands,
                                    const char             *cu_source,
                                    const char             *currency);

G_END_DECLS
