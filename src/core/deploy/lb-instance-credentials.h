/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The database credential of a deployed Lakebase instance as an
 * LbCredentialSource: what a tester window targets after "Test This
 * Instance", so LbTestRun renews the token before it expires. */

#include "lb-credential-source.h"
#include "lb-deployment-runner.h"

G_BEGIN_DECLS

#define LB_TYPE_INSTANCE_CREDENTIALS (lb_instance_credentials_get_type ())

G_DECLARE_FINAL_TYPE (LbInstanceCredentials, lb_instance_credentials, LB, INSTANCE_CREDENTIALS, GObject)

/* Each fetch asks @runner for a fresh credential of the instance it deployed
 * (lb_deployment_runner_dup_connection_info_async); the conninfo carries it,
 * and it expires when the API says, else after about an hour. Errors are the
 * runner's (LB_DATABRICKS_ERROR, LB_DEPLOYMENT_ERROR); each failed fetch
 * (not a cancelled one) also emits "fetch-failed" (const GError*), for the
 * view that opened the tester to explain. */
LbInstanceCredentials *lb_instance_credentials_new        (LbDeploymentRunner    *runner);
LbDeploymentRunner    *lb_instance_credentials_get_runner (LbInstanceCredentials *self);

G_END_DECLS
