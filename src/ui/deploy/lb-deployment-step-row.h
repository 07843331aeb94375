/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A row of the Deploy view's list of steps; the deploy page makes one per
 * LbDeploymentStep of a deployment or teardown. */
#pragma once

#include <adwaita.h>

#include "lb-deployment-step.h"

G_BEGIN_DECLS

#define LB_TYPE_DEPLOYMENT_STEP_ROW (lb_deployment_step_row_get_type ())

/* One step of a deployment in the Deploy view: its state (icon or spinner
 * and a word), its own progress bar, the elapsed time, the live status
 * line, a warning or error in colour and an expander with its log. The row
 * follows the step's notifications; the elapsed time is read again by
 * lb_deployment_step_row_tick(), which the page calls once a second while
 * something runs. */
G_DECLARE_FINAL_TYPE (LbDeploymentStepRow, lb_deployment_step_row, LB, DEPLOYMENT_STEP_ROW, GtkListBoxRow)

GtkWidget        *lb_deployment_step_row_new            (LbDeploymentStep    *step);
LbDeploymentStep *lb_deployment_step_row_get_step       (LbDeploymentStepRow *self);
void              lb_deployment_step_row_tick           (LbDeploymentStepRow *self);
/* The state word the row shows now ("Running"), for tests. */
const char       *lb_deployment_step_row_get_state_text (LbDeploymentStepRow *self);

G_END_DECLS
