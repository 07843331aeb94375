/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One EXPLAIN (FORMAT JSON) result: the root LbPlanNode, the planning and
 * execution times, the settings that differ from the defaults, and a
 * signature of the plan's shape to tell whether two samples got the same plan. */
#pragma once

#include "lb-plan-node.h"

G_BEGIN_DECLS

#define LB_EXPLAIN_PLAN_ERROR (lb_explain_plan_error_quark ())

typedef enum
{
  LB_EXPLAIN_PLAN_ERROR_INVALID,   /* not the JSON EXPLAIN writes */
} LbExplainPlanError;

GQuark lb_explain_plan_error_quark (void);

#define LB_TYPE_EXPLAIN_PLAN (lb_explain_plan_get_type ())

G_DECLARE_FINAL_TYPE (LbExplainPlan, lb_explain_plan, LB, EXPLAIN_PLAN, GObject)

/* @json: what EXPLAIN (…, FORMAT JSON) returned: an array of one object
 * with "Plan" in it. */
LbExplainPlan *lb_explain_plan_new_from_json     (const char     *json,
                                                  GError        **error);

LbPlanNode    *lb_explain_plan_get_root          (LbExplainPlan  *self);
/* A GListModel holding the root alone: the root model of a GtkTreeListModel. */
GListModel    *lb_explain_plan_get_model         (LbExplainPlan  *self);
gboolean       lb_explain_plan_get_analyzed      (LbExplainPlan  *self);
double         lb_explain_plan_get_planning_time (LbExplainPlan  *self);  /* ms, or 0 */
double         lb_explain_plan_get_execution_time (LbExplainPlan *self);  /* ms; 0 without ANALYZE */
double         lb_explain_plan_get_total_cost    (LbExplainPlan  *self);
/* "Settings": the planner settings that differ from their defaults (may be NULL). */
JsonObject    *lb_explain_plan_get_settings      (LbExplainPlan  *self);
/* The shape: node types, relations and indexes in tree order
 * ("Nested Loop(Seq Scan[customer],Index Scan[store_sales:ss_idx])"). */
const char    *lb_explain_plan_get_signature     (LbExplainPlan  *self);
/* The JSON as the server sent it (an array of one object). */
const char    *lb_explain_plan_get_json          (LbExplainPlan  *self);
/* The tree as EXPLAIN's text format prints it, roughly: one node a line,
 * indented, with estimates and (with ANALYZE) actual figures, conditions. */
char          *lb_explain_plan_to_text           (LbExplainPlan  *self);
/* Whether some node uses an index whose name contains @name. */
gboolean       lb_explain_plan_uses_index        (LbExplainPlan  *self,
                                                  const char     *name);

G_END_DECLS
