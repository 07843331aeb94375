/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Databricks Asset Bundle export of an LbDeploymentPlan, for the Deploy
 * view and `lakebase-cli bundle`: the way to deploy the same resources with
 * the Databricks CLI instead of the app. */
#pragma once

#include <gio/gio.h>

#include "lb-deployment-plan.h"

G_BEGIN_DECLS

#define LB_BUNDLE_WRITER_ERROR (lb_bundle_writer_error_quark ())

typedef enum
{
  LB_BUNDLE_WRITER_ERROR_IO,        /* the folder or a file could not be written */
  LB_BUNDLE_WRITER_ERROR_EXISTS,    /* a file of the bundle is already there (and overwrite is off) */
  LB_BUNDLE_WRITER_ERROR_YAML,      /* libyaml refused to emit */
  LB_BUNDLE_WRITER_ERROR_NO_FILE,   /* not one of the bundle's files */
} LbBundleWriterError;

GQuark lb_bundle_writer_error_quark (void);

#define LB_TYPE_BUNDLE_WRITER (lb_bundle_writer_get_type ())

/* Databricks Asset Bundle files for a deployment plan, so that a manual
 * `databricks bundle deploy` creates exactly what the app's runner would:
 * every resource's fields are the plan's API request bodies (the
 * autoscaling resources flatten their "spec", as the bundle schema does).
 *
 * Files: databricks.yml (bundle name, variables, one target with the
 * workspace host, an include of the resources folder's .yml files),
 * resources/instance.yml (database_instances) or resources/project.yml
 * (postgres_projects),
 * resources/catalog.yml (database_catalogs / postgres_catalogs),
 * resources/synced_tables.yml (synced_database_tables /
 * postgres_synced_tables; absent without tables) and README.md.
 *
 * Properties: "plan" (construct-only), "bundle-name" (default
 * "lakebase-<instance name>"), "target" (default: the plan's profile in
 * lower case, else "default"), "host" (the workspace URL; NULL writes the
 * profile name instead), "source-name" (the workload file's name, for the
 * comments; may be NULL), "overwrite" (default FALSE). */
G_DECLARE_FINAL_TYPE (LbBundleWriter, lb_bundle_writer, LB, BUNDLE_WRITER, GObject)

LbBundleWriter   *lb_bundle_writer_new          (LbDeploymentPlan  *plan);
LbDeploymentPlan *lb_bundle_writer_get_plan     (LbBundleWriter    *self);
const char       *lb_bundle_writer_get_target   (LbBundleWriter    *self);
void              lb_bundle_writer_set_target   (LbBundleWriter    *self,
                                                 const char        *target);
const char       *lb_bundle_writer_get_host     (LbBundleWriter    *self);
void              lb_bundle_writer_set_host     (LbBundleWriter    *self,
                                                 const char        *host);

/* The bundle-relative paths of the files, in writing order. */
GStrv             lb_bundle_writer_list_files   (LbBundleWriter    *self);
/* The text of one of those files. */
char             *lb_bundle_writer_render       (LbBundleWriter    *self,
                                                 const char        *path,
                                                 GError           **error);
/* The resource key used in the bundle for one of the plan's resources
 * ("retail_pg_public_orders"), or NULL for implicit children (the
 * production branch and its endpoint) that the bundle does not declare. */
char             *lb_bundle_writer_dup_resource_key (LbBundleWriter       *self,
                                                     LbDeploymentResource *resource);
/* The bundle resource type for a resource ("database_instances",
 * "postgres_synced_tables", "postgres_branches" for another branch than
 * production, …) or NULL for implicit children. */
const char       *lb_bundle_writer_get_resource_type (LbDeploymentResource *resource);

/* Writes every file into @directory (created if needed), each atomically.
 * Refuses to replace existing files unless "overwrite" is set. */
gboolean          lb_bundle_writer_write        (LbBundleWriter    *self,
                                                 GFile             *directory,
                                                 GError           **error);
/* The same in a worker thread. */
void              lb_bundle_writer_write_async  (LbBundleWriter       *self,
                                                 GFile                *directory,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean          lb_bundle_writer_write_finish (LbBundleWriter       *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

G_END_DECLS
