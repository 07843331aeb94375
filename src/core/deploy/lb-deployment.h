/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The deployment module: LbDeploymentPlan (what to create, with its
 * LbDeploymentResources), LbDeploymentStep (one step's state, progress and
 * log) and LbDeploymentRunner (deploy / resume / teardown). */
#pragma once

#include "lb-deployment-plan.h"
#include "lb-deployment-runner.h"
#include "lb-deployment-step.h"
