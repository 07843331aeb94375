/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* One query's plan in a window of its own (several may be open): the
 * query's name and SQL above an LbPlanView. Ctrl+W and Escape close it. */

#include <adwaita.h>

#include "lb-explain-plan.h"
#include "lb-plan-view.h"

G_BEGIN_DECLS

#define LB_TYPE_PLAN_WINDOW (lb_plan_window_get_type ())

G_DECLARE_FINAL_TYPE (LbPlanWindow, lb_plan_window, LB, PLAN_WINDOW, AdwWindow)

/* @name and @sql may be NULL. */
LbPlanWindow  *lb_plan_window_new           (LbExplainPlan *plan,
                                             const char    *name,
                                             const char    *sql);
LbPlanView    *lb_plan_window_get_plan_view (LbPlanWindow  *self);
LbExplainPlan *lb_plan_window_get_plan      (LbPlanWindow  *self);

G_END_DECLS
