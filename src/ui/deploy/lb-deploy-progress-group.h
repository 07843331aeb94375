/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "lb-deployment.h"

G_BEGIN_DECLS

#define LB_TYPE_DEPLOY_PROGRESS_GROUP (lb_deploy_progress_group_get_type ())

/* The progress of a Deploy or a Teardown on the Deploy page: a summary line
 * ("Step 3 of 7 · … · 42 s so far", then the runner's own account), the
 * overall bar and one LbDeploymentStepRow per step. Hidden until a run is
 * shown; once shown it keeps itself in view of its scrolled window until the
 * user scrolls.
 *
 * Properties: "runner" (LbDeploymentRunner or NULL; the page binds its own
 * "runner" to it; another runner hides the old steps), "teardown"
 * (read-only: the teardown steps are shown). */
G_DECLARE_FINAL_TYPE (LbDeployProgressGroup, lb_deploy_progress_group, LB, DEPLOY_PROGRESS_GROUP, GtkWidget)

LbDeploymentRunner *lb_deploy_progress_group_get_runner   (LbDeployProgressGroup *self);
void                lb_deploy_progress_group_set_runner   (LbDeployProgressGroup *self,
                                                           LbDeploymentRunner    *runner);
gboolean            lb_deploy_progress_group_get_teardown (LbDeployProgressGroup *self);
/* The runner's deploy or teardown steps, whichever are shown; NULL without a runner. */
GListModel         *lb_deploy_progress_group_get_steps    (LbDeployProgressGroup *self);
/* Shows the deploy (or @teardown) steps of the runner, counting the elapsed
 * time from now, and brings them into view. */
void                lb_deploy_progress_group_show         (LbDeployProgressGroup *self,
                                                           gboolean               teardown);
/* Updates the summary and the bar now (they also follow the runner). */
void                lb_deploy_progress_group_update       (LbDeployProgressGroup *self);
/* The row of step @index of the steps shown, or NULL. */
GtkWidget          *lb_deploy_progress_group_get_step_row (LbDeployProgressGroup *self,
                                                           guint                  index);

G_END_DECLS
