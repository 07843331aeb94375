/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "lb-deployment.h"

G_BEGIN_DECLS

#define LB_TYPE_DEPLOY_PLAN_GROUP (lb_deploy_plan_group_get_type ())

/* The "Plan" group of the Deploy page: the resources a plan creates, row by
 * row, or the problem that keeps the workload from being deployed (with an
 * "Edit Deployment Target" button for deploy.edit-target). Its header has
 * "Export Bundle…" (deploy.export-bundle). The actions are the page's.
 *
 * Properties (read-only): "plan" (LbDeploymentPlan or NULL), "problem"
 * (why there is no plan, or NULL).
 *
 * An autoscaling plan's branch row has a picker: the project's branches
 * (lb_deploy_plan_group_set_branches()) when it exists, else an entry.
 * Signal "branch-chosen" (const char *id): the user picked or typed
 * another valid branch id; the page puts it into the workload. */
G_DECLARE_FINAL_TYPE (LbDeployPlanGroup, lb_deploy_plan_group, LB, DEPLOY_PLAN_GROUP, GtkWidget)

/* Shows @plan, or, when it is NULL, @problem (NULL: "No workload is open."). */
void              lb_deploy_plan_group_set_plan (LbDeployPlanGroup *self,
                                                 LbDeploymentPlan  *plan,
                                                 const char        *problem);
LbDeploymentPlan *lb_deploy_plan_group_get_plan (LbDeployPlanGroup *self);
/* The project's branch ids, or NULL when it is not known to exist. */
void              lb_deploy_plan_group_set_branches (LbDeployPlanGroup  *self,
                                                     const char * const *branches);
/* While a deployment runs the plan is frozen: the branch picker is off. */
void              lb_deploy_plan_group_set_locked (LbDeployPlanGroup *self,
                                                   gboolean           locked);
/* The branch row's GtkDropDown or GtkEntry, or NULL (no autoscaling plan). */
GtkWidget        *lb_deploy_plan_group_get_branch_chooser (LbDeployPlanGroup *self);

G_END_DECLS
