/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the files of the Deploy page share: the shell (lb-deploy-page.c: the
 * GObject, the plan and the runner, wiring its section widgets) and the
 * user's actions (-actions.c). Nothing outside the page includes it. */
#pragma once

#include "lb-cdf-check-group.h"
#include "lb-deploy-page.h"
#include "lb-deploy-plan-group.h"
#include "lb-deploy-progress-group.h"
#include "lb-workspace-group.h"

G_BEGIN_DECLS

struct _LbDeployPage
{
  GtkWidget              parent_instance;

  /* Template Widgets */
  AdwToastOverlay       *toast_overlay;
  LbWorkspaceGroup      *workspace_group;
  LbDeployPlanGroup     *plan_group;
  LbTableSizesGroup     *sizes_group;
  LbCdfCheckGroup       *cdf_group;
  GtkWidget             *synced_button;
  GtkWidget             *deploy_button;
  GtkWidget             *cancel_button;
  GtkWidget             *retry_button;
  GtkWidget             *test_button;
  GtkWidget             *teardown_button;
  LbDeployProgressGroup *progress_group;

  /* Owned References */
  LbWorkload            *workload;
  LbPriceSheet          *prices;
  LbDeploymentPlan      *plan;
  GError                *plan_error;
  LbDeploymentRunner    *runner;
  GCancellable          *cancellable;       /* the page's lifetime */
  GCancellable          *run_cancellable;   /* the deploy or teardown running */
  GCancellable          *find_cancellable;  /* looking for what a teardown would delete */
  GCancellable          *branches_cancellable; /* listing the project's branches */
  AdwToast              *last_toast;        /* replaced, not queued behind, by the next */
  GtkWidget             *synced_window;     /* weak: the Synced Tables window shown */
  gboolean               cdf_checking;      /* Deploy waits for the Change Data Feed check */
  AdwToast              *cdf_toast;         /* weak: "Not deployed: …", gone once nothing blocks */

  gulong                 workload_changed_id;
  guint                  plan_source;
  gboolean               last_run_failed;
  gboolean               plan_dirty;        /* the workload changed since the plan was made */
  gboolean               found_existing;    /* something of the plan exists: Tear Down has work */
};

/* Shell: helpers the other parts use ---------------------------------------- */

/* Shows @message on the window's toast overlay, replacing the page's last one. */
void                _lb_deploy_page_add_toast              (LbDeployPage  *self,
                                                            const char    *message);
/* The last Deploy made the instance (or endpoint) and knows its host. */
gboolean            _lb_deploy_page_instance_is_ready      (LbDeployPage  *self);
/* Forgets the last run's progress, unless it still runs. */
void                _lb_deploy_page_drop_runner            (LbDeployPage  *self);
/* Makes the plan anew from the workload, unless a run holds it. */
void                _lb_deploy_page_rebuild_plan           (LbDeployPage  *self);
/* The deploy or teardown steps shown, or NULL before any run. */
GListModel         *_lb_deploy_page_shown_steps            (LbDeployPage  *self);
/* The runner for the current plan and client (borrowed), or NULL with @error. */
LbDeploymentRunner *_lb_deploy_page_ensure_runner          (LbDeployPage  *self,
                                                            GError       **error);

/* Asks whether anything of the plan exists, to offer Tear Down. */
void                _lb_deploy_page_look_for_existing      (LbDeployPage  *self);

/* Branches (-branches.c) ------------------------------------------------------ */

/* Lists the autoscaling project's branches for the plan group's picker. */
void                _lb_deploy_page_list_branches          (LbDeployPage  *self);
/* "branch-chosen" of the plan group: into the workload, and a new plan. */
void                _lb_deploy_page_branch_chosen_cb       (LbDeployPage  *self,
                                                            const char    *branch);

/* Actions ------------------------------------------------------------------- */

/* Installs the deploy.* actions and their shortcuts. */
void                _lb_deploy_page_class_install_actions  (GtkWidgetClass *widget_class);
/* Enables the actions and shows the buttons that fit the state. */
void                _lb_deploy_page_update_actions         (LbDeployPage  *self);
/* Starts the deploy itself (after the checks). */
void                _lb_deploy_page_start_deploy           (LbDeployPage  *self);

/* Synced tables (lb-deploy-page-synced.c) ----------------------------------- */

/* deploy.synced-tables; the Change Data Feed gate before a deploy. */
void                _lb_deploy_page_class_install_synced_actions (GtkWidgetClass *widget_class);
/* Deploy: checks the change data feed first when a table needs it, then
 * starts the deploy unless a table blocks. */
void                _lb_deploy_page_check_then_deploy      (LbDeployPage  *self);
void                _lb_deploy_page_update_synced_actions  (LbDeployPage  *self);
void                _lb_deploy_page_init_synced            (LbDeployPage  *self);
void                _lb_deploy_page_dispose_synced         (LbDeployPage  *self);

G_END_DECLS
