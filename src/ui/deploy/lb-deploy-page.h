/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "lb-table-sizes-group.h"

#include "lb-core.h"
#include "lb-databricks-client.h"
#include "lb-databricks-config.h"
#include "lb-deployment.h"
#include "lb-cdf-check-group.h"

G_BEGIN_DECLS

#define LB_TYPE_DEPLOY_PAGE (lb_deploy_page_get_type ())

/* The Deploy view of the main window: a Databricks profile (or a host and a
 * token typed in), the plan made from the workload, Deploy / Cancel / Retry /
 * Teardown / Export Bundle / Test This Instance, and the live progress of
 * each step. Everything it does is asynchronous.
 *
 * Properties: "workload" (LbWorkload; the plan follows its changes while
 * nothing runs), "price-sheet" (LbPriceSheet or NULL for the defaults),
 * "runner" (LbDeploymentRunner, read-only: the one of the last Deploy or
 * Teardown, NULL before), "user-name" (read-only: after a successful
 * Check, else NULL).
 *
 * Actions (page-scoped): deploy.run (Ctrl+Return), deploy.cancel (Escape),
 * deploy.retry, deploy.teardown, deploy.export-bundle, deploy.test-instance,
 * deploy.check, deploy.refresh, deploy.synced-tables (the Synced Tables
 * window for the plan), deploy.edit-target (activates the window's
 * win.edit-field with the field the plan's problem names: the page never
 * calls its window).
 *
 * Sections: LbWorkspaceGroup, LbTableSizesGroup, LbDeployPlanGroup and
 * LbDeployProgressGroup, wired in lb-deploy-page.c. */
G_DECLARE_FINAL_TYPE (LbDeployPage, lb_deploy_page, LB, DEPLOY_PAGE, GtkWidget)

LbWorkload         *lb_deploy_page_get_workload    (LbDeployPage *self);
void                lb_deploy_page_set_workload    (LbDeployPage *self,
                                                    LbWorkload   *workload);
LbPriceSheet       *lb_deploy_page_get_price_sheet (LbDeployPage *self);
void                lb_deploy_page_set_price_sheet (LbDeployPage *self,
                                                    LbPriceSheet *prices);
/* The plan the page shows, or NULL when the workload cannot be deployed. */
LbDeploymentPlan   *lb_deploy_page_get_plan        (LbDeployPage *self);
/* The runner of the last Deploy or Teardown (notified, before it starts,
 * through "runner"), or NULL. */
LbDeploymentRunner *lb_deploy_page_get_runner      (LbDeployPage *self);
/* The SCIM userName after a successful Check, or NULL. */
const char         *lb_deploy_page_get_user_name   (LbDeployPage *self);
/* Picks a profile of the list by name; FALSE when there is none such. */
gboolean            lb_deploy_page_select_profile  (LbDeployPage *self,
                                                    const char   *name);
/* The row of step @index of the list shown (deploy or teardown steps), or
 * NULL. */
GtkWidget          *lb_deploy_page_get_step_row    (LbDeployPage *self,
                                                    guint         index);

/* Where the workload's tables are measured; its "sizes-measured" feeds the Calculator. */
LbTableSizesGroup  *lb_deploy_page_get_table_sizes_group (LbDeployPage *self);
/* The Change Data Feed check that Deploy runs first (lb-cdf-check-group.h). */
LbCdfCheckGroup    *lb_deploy_page_get_cdf_check_group   (LbDeployPage *self);
/* The Synced Tables window deploy.synced-tables opened (an
 * LbSyncedTablesWindow), or NULL. */
GtkWidget          *lb_deploy_page_get_synced_tables_window (LbDeployPage *self);

G_END_DECLS
