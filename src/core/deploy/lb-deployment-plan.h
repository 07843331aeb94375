/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a deployment creates for a workload, resource by resource with its
 * API request body. LbDeploymentRunner sends those bodies, the bundle writer
 * writes them, the Deploy view and `lakebase-cli deploy --dry-run` show
 * them. */
#pragma once

#include <json-glib/json-glib.h>

#include "lb-enums.h"
#include "lb-price-sheet.h"
#include "lb-workload.h"

G_BEGIN_DECLS

#define LB_DEPLOYMENT_ERROR (lb_deployment_error_quark ())

typedef enum
{
  LB_DEPLOYMENT_ERROR_INVALID_PLAN,   /* the workload cannot be deployed as it stands */
  LB_DEPLOYMENT_ERROR_TIMEOUT,        /* a resource did not become ready in time */
  LB_DEPLOYMENT_ERROR_SYNC_FAILED,    /* a synced table went OFFLINE_FAILED / PIPELINE_FAILED */
  LB_DEPLOYMENT_ERROR_OPERATION,      /* an autoscaling operation finished with an error */
  LB_DEPLOYMENT_ERROR_BUSY,           /* the runner is already running */
  LB_DEPLOYMENT_ERROR_BAD_STATE,      /* a resource is in a state it will not leave by itself */
  LB_DEPLOYMENT_ERROR_REFUSED,        /* the workspace kept refusing a create (ABORTED) */
} LbDeploymentError;

GQuark lb_deployment_error_quark (void);

/* What one resource of the plan is. The bundle writer maps the kinds to
 * Asset Bundle resource types: INSTANCE → database_instances, CATALOG →
 * database_catalogs, SYNCED_TABLE → synced_database_tables (provisioned);
 * PROJECT, CATALOG, SYNCED_TABLE under /api/2.0/postgres (autoscaling).
 * BRANCH and ENDPOINT are implicit children of a project: they are adopted
 * (waited for), never created, and have no body. */
typedef enum
{
  LB_DEPLOYMENT_RESOURCE_INSTANCE,
  LB_DEPLOYMENT_RESOURCE_PROJECT,
  LB_DEPLOYMENT_RESOURCE_BRANCH,
  LB_DEPLOYMENT_RESOURCE_ENDPOINT,
  LB_DEPLOYMENT_RESOURCE_CATALOG,
  LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE,
} LbDeploymentResourceKind;

/* "instance", "project", "branch", "endpoint", "catalog", "synced_table" */
const char *lb_deployment_resource_kind_to_string (LbDeploymentResourceKind kind);

#define LB_TYPE_DEPLOYMENT_RESOURCE (lb_deployment_resource_get_type ())

/* One resource of the plan, immutable. For the bundle writer: the body is
 * exactly the API request body the runner sends when it creates the
 * resource, so the app and the bundle deploy the same thing. */
G_DECLARE_FINAL_TYPE (LbDeploymentResource, lb_deployment_resource, LB, DEPLOYMENT_RESOURCE, GObject)

LbDeploymentResourceKind  lb_deployment_resource_get_kind        (LbDeploymentResource *self);
LbFlavour                 lb_deployment_resource_get_flavour     (LbDeploymentResource *self);
/* The id: "retail-serving" (instance or project id), "production",
 * "primary", "retail_pg" (catalog), "retail_pg.public.orders" (synced table). */
const char               *lb_deployment_resource_get_name        (LbDeploymentResource *self);
/* The API's own name: the same as the id for provisioned resources,
 * "projects/retail-serving", "projects/…/branches/production",
 * "catalogs/retail_pg", "synced_tables/retail_pg.public.orders" for
 * autoscaling ones. */
const char               *lb_deployment_resource_get_api_name    (LbDeploymentResource *self);
/* GET / DELETE path: "/api/2.0/database/instances/retail-serving". */
const char               *lb_deployment_resource_get_path        (LbDeploymentResource *self);
/* POST path ("/api/2.0/database/instances"), NULL for BRANCH / ENDPOINT. */
const char               *lb_deployment_resource_get_create_path (LbDeploymentResource *self);
/* Query of the create call as key, value pairs ("project_id", "retail-serving",
 * NULL), or NULL when there is none. */
const char * const       *lb_deployment_resource_get_create_query (LbDeploymentResource *self);
/* The create request body (do not modify), NULL for BRANCH / ENDPOINT. */
JsonNode                 *lb_deployment_resource_get_body        (LbDeploymentResource *self);
/* Synced tables: the Delta source "retail.serving.orders"; else NULL. */
const char               *lb_deployment_resource_get_source_table (LbDeploymentResource *self);
/* Translated, for the UI: "Database instance retail-serving". */
const char               *lb_deployment_resource_get_title       (LbDeploymentResource *self);

#define LB_TYPE_DEPLOYMENT_PLAN (lb_deployment_plan_get_type ())

/* What a deployment will create, derived once from a workload (later
 * changes to the workload do not affect it): the flavour, the instance or
 * project with its size from the cost model, the database catalog and one
 * synced table per tables_to_sync entry. */
G_DECLARE_FINAL_TYPE (LbDeploymentPlan, lb_deployment_plan, LB, DEPLOYMENT_PLAN, GObject)

/* Errors: LB_DEPLOYMENT_ERROR_INVALID_PLAN naming the key to fix
 * (lakebase_accelerator.instance_name missing or invalid, a bad capacity,
 * no database_catalog, an invalid table). @prices NULL: the default sheet. */
LbDeploymentPlan *lb_deployment_plan_new                (LbWorkload        *workload,
                                                         LbPriceSheet      *prices,
                                                         GError           **error);

LbFlavour         lb_deployment_plan_get_flavour        (LbDeploymentPlan  *self);
const char       *lb_deployment_plan_get_profile        (LbDeploymentPlan  *self);
const char       *lb_deployment_plan_get_instance_name  (LbDeploymentPlan  *self);
/* Autoscaling: the branch id the synced tables go to ("production" unless
 * the workload says otherwise); NULL when provisioned. */
const char       *lb_deployment_plan_get_branch         (LbDeploymentPlan  *self);
/* Provisioned: "CU_2" (the workload's capacity, else CU_<recommended>). */
const char       *lb_deployment_plan_get_capacity       (LbDeploymentPlan  *self);
guint             lb_deployment_plan_get_recommended_cu (LbDeploymentPlan  *self);
/* Autoscaling: the calculator's range. */
double            lb_deployment_plan_get_min_cu         (LbDeploymentPlan  *self);
double            lb_deployment_plan_get_max_cu         (LbDeploymentPlan  *self);
const char       *lb_deployment_plan_get_database_catalog (LbDeploymentPlan *self);
const char       *lb_deployment_plan_get_database_name  (LbDeploymentPlan  *self);
const char       *lb_deployment_plan_get_target_schema  (LbDeploymentPlan  *self);
const char       *lb_deployment_plan_get_storage_catalog (LbDeploymentPlan *self);
const char       *lb_deployment_plan_get_storage_schema (LbDeploymentPlan  *self);

/* The resources in creation order (GListModel of LbDeploymentResource):
 * provisioned: instance, catalog, synced tables; autoscaling: project,
 * branch (adopted "production", or another one created from it when
 * missing), its read-write endpoint (lakebase_accelerator.endpoint,
 * "primary" by default: adopted on production, else created when missing),
 * catalog, synced tables. */
GListModel       *lb_deployment_plan_get_resources      (LbDeploymentPlan  *self);
/* The instance (provisioned) or project (autoscaling) resource. */
LbDeploymentResource *lb_deployment_plan_get_compute    (LbDeploymentPlan  *self);
/* Autoscaling: the read-write endpoint resource; NULL when provisioned. */
LbDeploymentResource *lb_deployment_plan_get_endpoint   (LbDeploymentPlan  *self);

/* Translated multi-line text for the review screen / CLI dry run. */
char             *lb_deployment_plan_describe           (LbDeploymentPlan  *self);
/* {"flavour", "profile", "instance_name", "capacity" | "min_cu"+"max_cu",
 *  "recommended_cu", "database_catalog", "database_name", "target_schema",
 *  "storage_catalog", "storage_schema", "branch" and "endpoint" (autoscaling),
 *  "resources": [{"kind", "name", "api_name", "method", "path", "query", "body"}]} */
JsonNode         *lb_deployment_plan_to_json            (LbDeploymentPlan  *self);

/* Name rules, for live validation: provisioned instance names are 1-63
 * letters, digits and '-', not starting or ending with '-'; autoscaling
 * project ids are 1-63 of a-z, 0-9 and '-', starting with a letter. */
gboolean          lb_deployment_plan_instance_name_is_valid (LbFlavour    flavour,
                                                             const char  *name,
                                                             GError     **error);
/* Autoscaling branch ids: the project id rules. */
gboolean          lb_deployment_plan_branch_id_is_valid (const char  *id,
                                                         GError     **error);

/* Internal, for lb-deployment-plan.c. */
LbDeploymentResource *_lb_deployment_resource_new (LbDeploymentResourceKind  kind,
                                                   LbFlavour                 flavour,
                                                   const char               *name,
                                                   const char               *api_name,
                                                   const char               *path,
                                                   const char               *create_path,
                                                   const char * const       *create_query,
                                                   JsonNode                 *body,
                                                   const char               *source_table,
                                                   const char               *title);

G_END_DECLS
