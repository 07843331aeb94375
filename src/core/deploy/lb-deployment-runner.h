/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lb-databricks-client.h"
#include "lb-deployment-plan.h"
#include "lb-deployment-step.h"

G_BEGIN_DECLS

#define LB_TYPE_DEPLOYMENT_RUNNER (lb_deployment_runner_get_type ())

/* Runs a plan against a workspace, step by step: identity, create-or-adopt
 * each resource (waiting until it is ready), then connect with a database
 * credential and report the partition sizes. Resumable: running the same
 * plan again adopts what exists and creates only what is missing, so
 * "retry the failed step" is simply another run. Everything happens on the
 * thread-default main context of the caller of run_async (libpq work runs
 * in a GTask thread).
 *
 * Properties: "plan", "client" (construct-only), "steps" (GListModel of
 * LbDeploymentStep, read-only; the same objects across runs),
 * "fraction" (0..1), "running" (bool), "user-name" / "workspace-host"
 * (after the identity step), "pg-host" (read_write_dns or endpoint host,
 * once known), "poll-base-ms" (first poll delay, default 1000),
 * "poll-max-ms" (backoff cap, default 30000), "wait-timeout-s" (how long an
 * instance / project / operation may take, default 1200), "pg-port"
 * (default 5432), "connect-timeout-s" (libpq, default 15), "sync-timeout-s"
 * (a synced table's initial sync, default 4 h; each step shows its deadline
 * and the user may extend a sync's, lb_deployment_step_extend_deadline()),
 * "purge" (teardown deletes an autoscaling project for good instead of the
 * API's soft delete, restorable for 7 days; default FALSE). */
G_DECLARE_FINAL_TYPE (LbDeploymentRunner, lb_deployment_runner, LB, DEPLOYMENT_RUNNER, GObject)

LbDeploymentRunner *lb_deployment_runner_new                (LbDeploymentPlan    *plan,
                                                             LbDatabricksClient  *client);
LbDeploymentPlan   *lb_deployment_runner_get_plan           (LbDeploymentRunner  *self);
GListModel         *lb_deployment_runner_get_steps          (LbDeploymentRunner  *self);
double              lb_deployment_runner_get_fraction       (LbDeploymentRunner  *self);
gboolean            lb_deployment_runner_get_running        (LbDeploymentRunner  *self);
const char         *lb_deployment_runner_get_user_name      (LbDeploymentRunner  *self);
const char         *lb_deployment_runner_get_workspace_host (LbDeploymentRunner  *self);
const char         *lb_deployment_runner_get_pg_host        (LbDeploymentRunner  *self);
/* Number of GET polls sent while waiting for resources (for the figures). */
guint               lb_deployment_runner_get_poll_count     (LbDeploymentRunner  *self);
gboolean            lb_deployment_runner_get_purge          (LbDeploymentRunner  *self);
void                lb_deployment_runner_set_purge          (LbDeploymentRunner  *self,
                                                             gboolean             purge);

/* Deploys. Returns TRUE when every resource is done or adopted (a failed
 * final connection skips its step, with the reason as its warning). Steps
 * run in order, except consecutive synced tables: up to four are created at
 * once, each in its own step; one failing does not stop the others. On
 * failure the error is the first failed step's (LB_DATABRICKS_ERROR with a
 * message from lb_databricks_error_explain(), whose raw text is in the
 * step's log; LB_DEPLOYMENT_ERROR; or G_IO_ERROR_CANCELLED) and the steps
 * not started are skipped. */
void                lb_deployment_runner_run_async          (LbDeploymentRunner  *self,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
gboolean            lb_deployment_runner_run_finish         (LbDeploymentRunner  *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);

/* Teardown: deletes the plan's synced tables, catalog and instance /
 * project, in that order (the caller asks for confirmation first). The
 * steps of the teardown are a separate model; a resource that is already
 * gone counts as skipped. */
GListModel         *lb_deployment_runner_get_teardown_steps (LbDeploymentRunner  *self);
void                lb_deployment_runner_teardown_async     (LbDeploymentRunner  *self,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
gboolean            lb_deployment_runner_teardown_finish    (LbDeploymentRunner  *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);

/* How the resource steps of the last deploy ended. */
typedef struct
{
  guint created;        /* created by this deploy */
  guint with_project;   /* adopted, but made by the project this deploy created */
  guint existing;       /* already there before this deploy */
  guint failed;
  guint skipped;
} LbDeploymentCounts;

void                lb_deployment_runner_get_counts         (LbDeploymentRunner  *self,
                                                             LbDeploymentCounts  *counts);
/* Translated, once a deploy has ended (else NULL): "Deployed in 12 s: 5
 * created by this deploy, 2 created with the project, 0 already there",
 * "Nothing to create: everything is already there (7 resources checked
 * in 2 s)", or "Stopped at “…” after 12 s: …"; a skipped test connection is
 * mentioned. */
char               *lb_deployment_runner_dup_summary        (LbDeploymentRunner  *self);

/* Whether the workspace holds something of the plan a teardown would
 * delete (the instance or project, or the catalog): TRUE, FALSE when
 * nothing exists, or an error (LB_DATABRICKS_ERROR) when it cannot tell. */
void                lb_deployment_runner_find_existing_async  (LbDeploymentRunner  *self,
                                                               GCancellable        *cancellable,
                                                               GAsyncReadyCallback  callback,
                                                               gpointer             user_data);
gboolean            lb_deployment_runner_find_existing_finish (LbDeploymentRunner  *self,
                                                               GAsyncResult        *result,
                                                               GError             **error);

/* A libpq conninfo for the deployed instance with a fresh database
 * credential ("host=… port=5432 dbname=… user=… password=… sslmode=verify-full sslrootcert=<system CA bundle>"),
 * and the credential's expiry. The string holds a secret: never log it. */
void                lb_deployment_runner_dup_connection_info_async  (LbDeploymentRunner  *self,
                                                                     GCancellable        *cancellable,
                                                                     GAsyncReadyCallback  callback,
                                                                     gpointer             user_data);
char               *lb_deployment_runner_dup_connection_info_finish (LbDeploymentRunner  *self,
                                                                     GAsyncResult        *result,
                                                                     GDateTime          **expires_at,
                                                                     GError             **error);

/* {"plan": …, "fraction", "user_name", "workspace_host", "pg_host",
 *  "counts": {"created", "created_with_project", "already_there", "failed",
 *  "skipped"} and "summary" (after a deploy),
 *  "steps": [step JSON…], "teardown_steps": [...] (only after a teardown),
 *  "partitions": [{"relname", "size"}] (after a successful connect)}.
 * Holds no secret. */
JsonNode           *lb_deployment_runner_to_json            (LbDeploymentRunner  *self);

G_END_DECLS
