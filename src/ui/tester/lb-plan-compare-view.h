/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The plans of the queries an index change affected, before and after it:
 * a query picker, what changed (cost, time, whether the plan's shape did)
 * and a Before/After switch between two LbPlanViews, each at full width. */

#include <adwaita.h>

#include "lb-plan-view.h"
#include "lb-query-plans.h"

G_BEGIN_DECLS

#define LB_TYPE_PLAN_COMPARE_VIEW (lb_plan_compare_view_get_type ())

G_DECLARE_FINAL_TYPE (LbPlanCompareView, lb_plan_compare_view, LB, PLAN_COMPARE_VIEW, AdwBin)

GtkWidget   *lb_plan_compare_view_new             (void);
/* @before, @after: of LbQueryPlans, as the explainer made them for the same
 * script (kept); @queries: the names of the queries to offer (NULL: every
 * query with a plan both times). */
void         lb_plan_compare_view_set_plans       (LbPlanCompareView  *self,
                                                   GPtrArray          *before,
                                                   GPtrArray          *after,
                                                   const char * const *queries);
guint        lb_plan_compare_view_get_n_queries   (LbPlanCompareView  *self);
/* Which of the offered queries is shown (0-based). */
void         lb_plan_compare_view_select          (LbPlanCompareView  *self,
                                                   guint               position);
const char  *lb_plan_compare_view_get_query_name  (LbPlanCompareView  *self);
LbPlanView  *lb_plan_compare_view_get_before_view (LbPlanCompareView  *self);
LbPlanView  *lb_plan_compare_view_get_after_view  (LbPlanCompareView  *self);
const char  *lb_plan_compare_view_get_summary     (LbPlanCompareView  *self);
/* The switch: the plan after (TRUE) or before. */
void         lb_plan_compare_view_show_after      (LbPlanCompareView  *self,
                                                   gboolean            after);
gboolean     lb_plan_compare_view_get_show_after  (LbPlanCompareView  *self);

G_END_DECLS
