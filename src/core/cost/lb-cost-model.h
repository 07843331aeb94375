/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The cost calculator's computation (reference/cost-model.md). The
 * calculator page, `lakebase-cli estimate` and the deployment plan, which
 * sizes its resources by it, all price a workload here. */
#pragma once

#include "lb-cost-report.h"
#include "lb-price-sheet.h"
#include "lb-workload.h"

G_BEGIN_DECLS

/* The pure function at the heart of the calculator: workload + prices → report.
 * The classic figures reproduce the web tool's model exactly. Never fails:
 * the workload's values are already valid by construction. */
LbCostReport *lb_cost_model_estimate         (LbWorkload    *workload,
                                              LbPriceSheet  *prices);
/* The same from plain values (what lb_cost_model_estimate() reads off the
 * workload); the tests and the benchmark drive this one directly. */
LbCostReport *lb_cost_model_estimate_inputs  (const LbCostInputs *inputs,
                                              LbPriceSheet       *prices);

/* Steps of the computation, exposed for tests and explanations. */
guint         lb_cost_model_recommend_cu     (const LbPrices *prices,
                                              double          total_cu);
double        lb_cost_model_autoscaling_up   (const LbPrices *prices,
                                              double          cu);
void          lb_cost_model_autoscaling_range (const LbPrices *prices,
                                               double          total_cu,
                                               double         *min_cu,
                                               double         *max_cu);
/* Approximate max_connections of an autoscaling endpoint at @cu. */
double        lb_cost_model_max_connections  (double          cu);

G_END_DECLS
