/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The deployment plan: a workload turned into the exact API calls that
 * create its Lakebase resources (reference/databricks-api.md §2–§3). The
 * bodies built here are the only ones: the runner sends them and the bundle
 * writer writes them, so both deploy the same thing. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lb-cost-model.h"
#include "lb-deployment-plan.h"

G_DEFINE_QUARK (lb-deployment-error-quark, lb_deployment_error)

/* ---- LbDeploymentResource ---- */

struct _LbDeploymentResource
{
  GObject                   parent_instance;

  LbDeploymentResourceKind  kind;
  LbFlavour                 flavour;
  char                     *name;
  char                     *api_name;
  char                     *path;
  char                     *create_path;
  GStrv                     create_query;
  JsonNode                 *body;
  char                     *source_table;
  char                     *title;
};

G_DEFINE_FINAL_TYPE (LbDeploymentResource, lb_deployment_resource, G_TYPE_OBJECT)

static void
lb_deployment_resource_finalize (GObject *object)
{
  LbDeploymentResource *self = (LbDeploymentResource *) object;

  g_free (self->name);
  g_free (self->api_name);
  g_free (self->path);
  g_free (self->create_path);
  g_strfreev (self->create_query);
  g_clear_pointer (&self->body, json_node_unref);
  g_free (self->source_table);
  g_free (self->title);

  G_OBJECT_CLASS (lb_deployment_resource_parent_class)->finalize (object);
}

static void
lb_deployment_resource_class_init (LbDeploymentResourceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lb_deployment_resource_finalize;
}

static void
lb_deployment_resource_init (LbDeploymentResource *self)
{
}

LbDeploymentResource *
_lb_deployment_resource_new (LbDeploymentResourceKind  kind,
                             LbFlavour                 flavour,
                             const char               *name,
                             const char               *api_name,
                             const char               *path,
                             const char               *create_path,
                             const char * const       *create_query,
                             JsonNode                 *body,
                             const char               *source_table,
                             const char               *title)
{
  LbDeploymentResource *self = g_object_new (LB_TYPE_DEPLOYMENT_RESOURCE, NULL);

  self->kind = kind;
  self->flavour = flavour;
  self->name = g_strdup (name);
  self->api_name = g_strdup (api_name);
  self->path = g_strdup (path);
  self->create_path = g_strdup (create_path);
  self->create_query = g_strdupv ((char **) create_query);
  self->body = body != NULL ? json_node_ref (body) : NULL;
  if (self->body != NULL)
    json_node_seal (self->body);
  self->source_table = g_strdup (source_table);
  self->title = g_strdup (title);

  return self;
}

const char *
lb_deployment_resource_kind_to_string (LbDeploymentResourceKind kind)
{
  switch (kind)
    {
    case LB_DEPLOYMENT_RESOURCE_INSTANCE:     return "instance";
    case LB_DEPLOYMENT_RESOURCE_PROJECT:      return "project";
    case LB_DEPLOYMENT_RESOURCE_BRANCH:       return "branch";
    case LB_DEPLOYMENT_RESOURCE_ENDPOINT:     return "endpoint";
    case LB_DEPLOYMENT_RESOURCE_CATALOG:      return "catalog";
    case LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE: return "synced_table";
    default:                                  g_return_val_if_reached (NULL);
    }
}

LbDeploymentResourceKind
lb_deployment_resource_get_kind (LbDeploymentResource *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_RESOURCE (self), 0);
  return self->kind;
}

LbFlavour
lb_deployment_resource_get_flavour (LbDeploymentResource *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_RESOURCE (self), 0);
  return self->flavour;
}

const char *
lb_deployment_resource_get_name (LbDeploymentResource *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_RESOURCE (self), NULL);
  return self->name;
}

const char *
lb_deployment_resource_get_api_name (LbDeploymentResource *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_RESOURCE (self), NULL);
  return self->api_name;
}

const char *
lb_deployment_resource_get_path (LbDeploymentResource *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_RESOURCE (self), NULL);
  return self->path;
}

const char *
lb_deployment_resource_get_create_path (LbDeploymentResource *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_RESOURCE (self), NULL);
  return self->create_path;
}

const char * const *
lb_deployment_resource_get_create_query (LbDeploymentResource *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_RESOURCE (self), NULL);
  return (const char * const *) self->create_query;
}

JsonNode *
lb_deployment_resource_get_body (LbDeploymentResource *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_RESOURCE (self), NULL);
  return self->body;
}

const char *
lb_deployment_resource_get_source_table (LbDeploymentResource *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_RESOURCE (self), NULL);
  return self->source_table;
}

const char *
lb_deployment_resource_get_title (LbDeploymentResource *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_RESOURCE (self), NULL);
  return self->title;
}

/* ---- LbDeploymentPlan ---- */

struct _LbDeploymentPlan
{
  GObject     parent_instance;

  LbFlavour   flavour;
  char       *profile;
  char       *instance_name;
  char       *capacity;
  guint       recommended_cu;
  double      min_cu;
  double      max_cu;
  char       *database_catalog;
  char       *database_name;
  char       *target_schema;
  char       *storage_catalog;
  char       *storage_schema;
  char       *branch;          /* autoscaling: the branch id, "production" by default */
  char       *endpoint_id;     /* autoscaling: its read-write endpoint, "primary" by default */

  GListStore *resources;
  LbDeploymentResource *compute;
  LbDeploymentResource *endpoint;
};

G_DEFINE_FINAL_TYPE (LbDeploymentPlan, lb_deployment_plan, G_TYPE_OBJECT)

/* What every new project starts with. */
#define DEFAULT_BRANCH "production"

static void
lb_deployment_plan_finalize (GObject *object)
{
  LbDeploymentPlan *self = (LbDeploymentPlan *) object;

  g_free (self->profile);
  g_free (self->instance_name);
  g_free (self->capacity);
  g_free (self->database_catalog);
  g_free (self->database_name);
  g_free (self->target_schema);
  g_free (self->storage_catalog);
  g_free (self->storage_schema);
  g_free (self->branch);
  g_free (self->endpoint_id);
  g_clear_object (&self->resources);

  G_OBJECT_CLASS (lb_deployment_plan_parent_class)->finalize (object);
}

static void
lb_deployment_plan_class_init (LbDeploymentPlanClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lb_deployment_plan_finalize;
}

static void
lb_deployment_plan_init (LbDeploymentPlan *self)
{
  self->resources = g_list_store_new (LB_TYPE_DEPLOYMENT_RESOURCE);
}

gboolean
lb_deployment_plan_instance_name_is_valid (LbFlavour    flavour,
                                           const char  *name,
                                           GError     **error)
{
  gsize len = name != NULL ? strlen (name) : 0;

  if (len == 0)
    {
      g_set_error_literal (error, LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_INVALID_PLAN,
                           _("lakebase_accelerator.instance_name is missing: name the instance to deploy to."));
      return FALSE;
    }

  for (gsize i = 0; i < len; i++)
    {
      char c = name[i];
      gboolean ok = flavour == LB_FLAVOUR_AUTOSCALING
        ? (g_ascii_islower (c) || g_ascii_isdigit (c) || c == '-')
        : (g_ascii_isalnum (c) || c == '-');

      if (!ok)
        {
          g_set_error (error, LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_INVALID_PLAN,
                       flavour == LB_FLAVOUR_AUTOSCALING
                       ? _("lakebase_accelerator.instance_name “%s” is not a valid project id: use lower-case letters, digits and “-”.")
                       : _("lakebase_accelerator.instance_name “%s” is not a valid instance name: use letters, digits and “-”."),
                       name);
          return FALSE;
        }
    }

  if (len > 63 ||
      name[0] == '-' || name[len - 1] == '-' ||
      (flavour == LB_FLAVOUR_AUTOSCALING && !g_ascii_islower (name[0])))
    {
      g_set_error (error, LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_INVALID_PLAN,
                   _("lakebase_accelerator.instance_name “%s” must be 1 to 63 characters, start with a letter and not end with “-”."),
                   name);
      return FALSE;
    }

  return TRUE;
}

/* Branch ids follow the project id rules. */
gboolean
lb_deployment_plan_branch_id_is_valid (const char  *id,
                                       GError     **error)
{
  gsize len = strlen (id);
  gboolean valid = len <= 63 && g_ascii_islower (id[0]) && id[len - 1] != '-';

  for (gsize i = 0; valid && i < len; i++)
    valid = g_ascii_islower (id[i]) || g_ascii_isdigit (id[i]) || id[i] == '-';
  if (!valid)
    g_set_error (error, LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_INVALID_PLAN,
                 _("lakebase_accelerator.branch “%s” is not a valid branch id: use 1 to 63 lower-case letters, "
                   "digits and “-”, starting with a letter."),
                 id);
  return valid;
}

/* Unity Catalog and PostgreSQL names we put into paths: keep them plain. */
static gboolean
check_identifier (const char  *key,
                  const char  *value,
                  GError     **error)
{
  if (value == NULL || value[0] == '\0')
    {
      g_set_error (error, LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_INVALID_PLAN,
                   _("lakebase_accelerator.%s is missing."), key);
      return FALSE;
    }
  for (const char *p = value; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-')
      {
        g_set_error (error, LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_INVALID_PLAN,
                     _("lakebase_accelerator.%s “%s” may only contain letters, digits, “_” and “-”."),
                     key, value);
        return FALSE;
      }
  return TRUE;
}

static const char *
nonempty (const char *value)
{
  return value != NULL && value[0] != '\0' ? value : NULL;
}

static JsonNode *
build_node (JsonBuilder *builder)
{
  return json_builder_get_root (builder);
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static void
add_synced_spec (JsonBuilder      *builder,
                 LbDeploymentPlan *self,
                 LbSyncedTable    *table,
                 const char       *branch)
{
  const char * const *keys = lb_synced_table_get_primary_keys (table);

  json_builder_set_member_name (builder, "spec");
  json_builder_begin_object (builder);
  add_string (builder, "source_table_full_name", lb_synced_table_get_name (table));
  json_builder_set_member_name (builder, "primary_key_columns");
  json_builder_begin_array (builder);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    json_builder_add_string_value (builder, keys[i]);
  json_builder_end_array (builder);
  add_string (builder, "scheduling_policy",
              lb_sync_mode_to_string (lb_synced_table_get_scheduling_policy (table)));
  if (branch != NULL)
    add_string (builder, "branch", branch);
  json_builder_set_member_name (builder, "create_database_objects_if_missing");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "new_pipeline_spec");
  json_builder_begin_object (builder);
  add_string (builder, "storage_catalog", self->storage_catalog);
  add_string (builder, "storage_schema", self->storage_schema);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
}

static void
add_resource (LbDeploymentPlan     *self,
              LbDeploymentResource *resource)
{
  g_list_store_append (self->resources, resource);
  g_object_unref (resource);
}

/* The workload's restore window within what the API accepts; none given
 * (0): the API's own default, 7 days, not the minimum. */
static guint
retention_days (LbWorkload *workload)
{
  guint days = lb_workload_get_restore_windows_days (workload);

  return days == 0 ? 7 : CLAMP (days, 2, 35);
}

static void
build_provisioned (LbDeploymentPlan *self,
                   LbWorkload       *workload)
{
  GListModel *tables = lb_workload_get_tables (workload);
  guint secondaries = lb_workload_get_number_of_readable_secondaries (workload);
  guint retention = retention_days (workload);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *path = NULL;
  g_autofree char *title = NULL;

  /* Instance */
  json_builder_begin_object (builder);
  add_string (builder, "name", self->instance_name);
  add_string (builder, "capacity", self->capacity);
  json_builder_set_member_name (builder, "node_count");
  json_builder_add_int_value (builder, 1 + secondaries);
  json_builder_set_member_name (builder, "enable_readable_secondaries");
  json_builder_add_boolean_value (builder, secondaries > 0);
  json_builder_set_member_name (builder, "retention_window_in_days");
  json_builder_add_int_value (builder, retention);
  json_builder_end_object (builder);
  body = build_node (builder);
  path = g_strconcat ("/api/2.0/database/instances/", self->instance_name, NULL);
  title = g_strdup_printf (_("Database instance %s"), self->instance_name);
  self->compute = _lb_deployment_resource_new (LB_DEPLOYMENT_RESOURCE_INSTANCE, self->flavour,
                                               self->instance_name, self->instance_name, path,
                                               "/api/2.0/database/instances", NULL, body, NULL, title);
  add_resource (self, g_object_ref (self->compute));
  g_object_unref (self->compute);   /* the store keeps it alive */
  g_clear_pointer (&body, json_node_unref);
  g_clear_pointer (&path, g_free);
  g_clear_pointer (&title, g_free);

  /* Catalog */
  json_builder_reset (builder);
  json_builder_begin_object (builder);
  add_string (builder, "name", self->database_catalog);
  add_string (builder, "database_instance_name", self->instance_name);
  add_string (builder, "database_name", self->database_name);
  json_builder_set_member_name (builder, "create_database_if_not_exists");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  body = build_node (builder);
  path = g_strconcat ("/api/2.0/database/catalogs/", self->database_catalog, NULL);
  title = g_strdup_printf (_("Database catalog %s"), self->database_catalog);
  add_resource (self, _lb_deployment_resource_new (LB_DEPLOYMENT_RESOURCE_CATALOG, self->flavour,
                                                   self->database_catalog, self->database_catalog, path,
                                                   "/api/2.0/database/catalogs", NULL, body, NULL, title));
  g_clear_pointer (&body, json_node_unref);
  g_clear_pointer (&path, g_free);
  g_clear_pointer (&title, g_free);

  /* Synced tables */
  for (guint i = 0; i < g_list_model_get_n_items (tables); i++)
    {
      g_autoptr(LbSyncedTable) table = g_list_model_get_item (tables, i);
      const char *source = lb_synced_table_get_name (table);
      g_autofree char *target = g_strdup_printf ("%s.%s.%s", self->database_catalog, self->target_schema,
                                                 strrchr (source, '.') + 1);

      json_builder_reset (builder);
      json_builder_begin_object (builder);
      add_string (builder, "name", target);
      add_string (builder, "database_instance_name", self->instance_name);
      add_synced_spec (builder, self, table, NULL);
      json_builder_end_object (builder);
      body = build_node (builder);
      path = g_strconcat ("/api/2.0/database/synced_tables/", target, NULL);
      title = g_strdup_printf (_("Synced table %s"), target);
      add_resource (self, _lb_deployment_resource_new (LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE, self->flavour,
                                                       target, target, path,
                                                       "/api/2.0/database/synced_tables", NULL, body,
                                                       source, title));
      g_clear_pointer (&body, json_node_unref);
      g_clear_pointer (&path, g_free);
      g_clear_pointer (&title, g_free);
    }
}

static void
build_autoscaling (LbDeploymentPlan *self,
                   LbWorkload       *workload)
{
  GListModel *tables = lb_workload_get_tables (workload);
  guint retention = retention_days (workload);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *project = g_strconcat ("projects/", self->instance_name, NULL);
  g_autofree char *branch = g_strconcat (project, "/branches/", self->branch, NULL);
  g_autofree char *endpoint = g_strconcat (branch, "/endpoints/", self->endpoint_id, NULL);
  g_autofree char *endpoint_title = g_strdup_printf (_("Read-write endpoint %s"), self->endpoint_id);
  g_autofree char *catalog = g_strconcat ("catalogs/", self->database_catalog, NULL);
  g_autofree char *retention_text = g_strdup_printf ("%us", retention * 86400);
  g_autofree char *path = NULL;
  g_autofree char *title = NULL;
  const char *project_query[] = { "project_id", self->instance_name, NULL };
  const char *catalog_query[] = { "catalog_id", self->database_catalog, NULL };

  /* Project, with the endpoint settings its primary endpoint starts with */
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "spec");
  json_builder_begin_object (builder);
  add_string (builder, "display_name", self->instance_name);
  json_builder_set_member_name (builder, "pg_version");
  json_builder_add_int_value (builder, 16);
  add_string (builder, "history_retention_duration", retention_text);
  json_builder_set_member_name (builder, "default_endpoint_settings");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "autoscaling_limit_min_cu");
  json_builder_add_double_value (builder, self->min_cu);
  json_builder_set_member_name (builder, "autoscaling_limit_max_cu");
  json_builder_add_double_value (builder, self->max_cu);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  body = build_node (builder);
  path = g_strconcat ("/api/2.0/postgres/", project, NULL);
  title = g_strdup_printf (_("Project %s"), self->instance_name);
  self->compute = _lb_deployment_resource_new (LB_DEPLOYMENT_RESOURCE_PROJECT, self->flavour,
                                               self->instance_name, project, path,
                                               "/api/2.0/postgres/projects", project_query, body, NULL, title);
  add_resource (self, g_object_ref (self->compute));
  g_object_unref (self->compute);
  g_clear_pointer (&body, json_node_unref);
  g_clear_pointer (&path, g_free);
  g_clear_pointer (&title, g_free);

  if (g_str_equal (self->branch, DEFAULT_BRANCH))
    {
      /* The implicit default branch and its read-write endpoint: adopted. */
      path = g_strconcat ("/api/2.0/postgres/", branch, NULL);
      title = g_strdup_printf (_("Branch %s"), self->branch);
      add_resource (self, _lb_deployment_resource_new (LB_DEPLOYMENT_RESOURCE_BRANCH, self->flavour,
                                                       self->branch, branch, path, NULL, NULL, NULL, NULL,
                                                       title));
      g_clear_pointer (&path, g_free);
      g_clear_pointer (&title, g_free);
      path = g_strconcat ("/api/2.0/postgres/", endpoint, NULL);
      self->endpoint = _lb_deployment_resource_new (LB_DEPLOYMENT_RESOURCE_ENDPOINT, self->flavour,
                                                    self->endpoint_id, endpoint, path, NULL, NULL, NULL, NULL,
                                                    endpoint_title);
    }
  else
    {
      /* Another branch: used when it is there, else made from production,
       * with a read-write endpoint of the same range as the project's. */
      g_autofree char *branches_path = g_strconcat ("/api/2.0/postgres/", project, "/branches", NULL);
      g_autofree char *endpoints_path = g_strconcat ("/api/2.0/postgres/", branch, "/endpoints", NULL);
      g_autofree char *source = g_strconcat (project, "/branches/" DEFAULT_BRANCH, NULL);
      const char *branch_query[] = { "branch_id", self->branch, NULL };
      const char *endpoint_query[] = { "endpoint_id", self->endpoint_id, NULL };

      json_builder_reset (builder);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "spec");
      json_builder_begin_object (builder);
      add_string (builder, "source_branch", source);
      json_builder_end_object (builder);
      json_builder_end_object (builder);
      body = build_node (builder);
      path = g_strconcat ("/api/2.0/postgres/", branch, NULL);
      title = g_strdup_printf (_("Branch %s"), self->branch);
      add_resource (self, _lb_deployment_resource_new (LB_DEPLOYMENT_RESOURCE_BRANCH, self->flavour,
                                                       self->branch, branch, path, branches_path, branch_query,
                                                       body, NULL, title));
      g_clear_pointer (&body, json_node_unref);
      g_clear_pointer (&path, g_free);
      g_clear_pointer (&title, g_free);

      json_builder_reset (builder);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "spec");
      json_builder_begin_object (builder);
      add_string (builder, "endpoint_type", "ENDPOINT_TYPE_READ_WRITE");
      json_builder_set_member_name (builder, "autoscaling_limit_min_cu");
      json_builder_add_double_value (builder, self->min_cu);
      json_builder_set_member_name (builder, "autoscaling_limit_max_cu");
      json_builder_add_double_value (builder, self->max_cu);
      json_builder_end_object (builder);
      json_builder_end_object (builder);
      body = build_node (builder);
      path = g_strconcat ("/api/2.0/postgres/", endpoint, NULL);
      self->endpoint = _lb_deployment_resource_new (LB_DEPLOYMENT_RESOURCE_ENDPOINT, self->flavour,
                                                    self->endpoint_id, endpoint, path, endpoints_path,
                                                    endpoint_query, body, NULL, endpoint_title);
      g_clear_pointer (&body, json_node_unref);
    }
  add_resource (self, g_object_ref (self->endpoint));
  g_object_unref (self->endpoint);
  g_clear_pointer (&path, g_free);

  /* Catalog */
  json_builder_reset (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "spec");
  json_builder_begin_object (builder);
  add_string (builder, "branch", branch);
  add_string (builder, "postgres_database", self->database_name);
  json_builder_set_member_name (builder, "create_database_if_missing");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  body = build_node (builder);
  path = g_strconcat ("/api/2.0/postgres/", catalog, NULL);
  title = g_strdup_printf (_("Database catalog %s"), self->database_catalog);
  add_resource (self, _lb_deployment_resource_new (LB_DEPLOYMENT_RESOURCE_CATALOG, self->flavour,
                                                   self->database_catalog, catalog, path,
                                                   "/api/2.0/postgres/catalogs", catalog_query, body, NULL,
                                                   title));
  g_clear_pointer (&body, json_node_unref);
  g_clear_pointer (&path, g_free);
  g_clear_pointer (&title, g_free);

  /* Synced tables: postgres_database is omitted inside a Lakebase catalog. */
  for (guint i = 0; i < g_list_model_get_n_items (tables); i++)
    {
      g_autoptr(LbSyncedTable) table = g_list_model_get_item (tables, i);
      const char *source = lb_synced_table_get_name (table);
      g_autofree char *target = g_strdup_printf ("%s.%s.%s", self->database_catalog, self->target_schema,
                                                 strrchr (source, '.') + 1);
      g_autofree char *api_name = g_strconcat ("synced_tables/", target, NULL);
      const char *query[] = { "synced_table_id", target, NULL };

      json_builder_reset (builder);
      json_builder_begin_object (builder);
      add_synced_spec (builder, self, table, branch);
      json_builder_end_object (builder);
      body = build_node (builder);
      path = g_strconcat ("/api/2.0/postgres/", api_name, NULL);
      title = g_strdup_printf (_("Synced table %s"), target);
      add_resource (self, _lb_deployment_resource_new (LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE, self->flavour,
                                                       target, api_name, path,
                                                       "/api/2.0/postgres/synced_tables", query, body,
                                                       source, title));
      g_clear_pointer (&body, json_node_unref);
      g_clear_pointer (&path, g_free);
      g_clear_pointer (&title, g_free);
    }
}

LbDeploymentPlan *
lb_deployment_plan_new (LbWorkload    *workload,
                        LbPriceSheet  *prices,
                        GError       **error)
{
  g_autoptr(LbDeploymentPlan) self = NULL;
  g_autoptr(LbPriceSheet) default_prices = NULL;
  g_autoptr(LbCostReport) report = NULL;
  g_autoptr(GHashTable) targets = NULL;
  GListModel *tables;
  const char *capacity;

  g_return_val_if_fail (LB_IS_WORKLOAD (workload), NULL);
  g_return_val_if_fail (prices == NULL || LB_IS_PRICE_SHEET (prices), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (prices == NULL)
    prices = default_prices = lb_price_sheet_new_default ();

  if (!lb_workload_validate (workload, error))
    return NULL;

  self = g_object_new (LB_TYPE_DEPLOYMENT_PLAN, NULL);
  self->flavour = lb_workload_get_flavour (workload);
  self->profile = g_strdup (lb_workload_get_profile (workload));

  if (!lb_deployment_plan_instance_name_is_valid (self->flavour, lb_workload_get_instance_name (workload), error))
    return NULL;
  self->instance_name = g_strdup (lb_workload_get_instance_name (workload));

  if (!check_identifier ("database_catalog", nonempty (lb_workload_get_database_catalog (workload)), error) ||
      !check_identifier ("database_name", nonempty (lb_workload_get_database_name (workload)), error) ||
      !check_identifier ("target_schema", nonempty (lb_workload_get_target_schema (workload)), error) ||
      !check_identifier ("storage_catalog", nonempty (lb_workload_get_storage_catalog (workload)), error) ||
      !check_identifier ("storage_schema", nonempty (lb_workload_get_storage_schema (workload)), error))
    return NULL;
  self->database_catalog = g_strdup (lb_workload_get_database_catalog (workload));
  self->database_name = g_strdup (lb_workload_get_database_name (workload));
  self->target_schema = g_strdup (lb_workload_get_target_schema (workload));
  self->storage_catalog = g_strdup (lb_workload_get_storage_catalog (workload));
  self->storage_schema = g_strdup (lb_workload_get_storage_schema (workload));
  self->branch = g_strdup (nonempty (lb_workload_get_branch (workload)) ?: DEFAULT_BRANCH);
  if (self->flavour == LB_FLAVOUR_AUTOSCALING && !lb_deployment_plan_branch_id_is_valid (self->branch, error))
    return NULL;
  self->endpoint_id = g_strdup (nonempty (lb_workload_get_endpoint (workload)) ?: "primary");
  if (self->flavour == LB_FLAVOUR_AUTOSCALING && !lb_deployment_plan_branch_id_is_valid (self->endpoint_id, NULL))
    {
      g_set_error (error, LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_INVALID_PLAN,
                   _("lakebase_accelerator.endpoint “%s” is not a valid endpoint id: use 1 to 63 lower-case "
                     "letters, digits and “-”, starting with a letter."),
                   self->endpoint_id);
      return NULL;
    }

  report = lb_cost_model_estimate (workload, prices);
  self->recommended_cu = report->breakdown.recommended_cu;
  self->min_cu = report->autoscaling.min_cu;
  self->max_cu = report->autoscaling.max_cu;

  capacity = nonempty (lb_workload_get_capacity (workload));
  if (capacity != NULL)
    self->capacity = g_strdup (capacity);
  else
    self->capacity = g_strdup_printf ("CU_%u", self->recommended_cu);
  if (self->flavour == LB_FLAVOUR_PROVISIONED)
    {
      static const char * const valid[] = { "CU_1", "CU_2", "CU_4", "CU_8", NULL };

      if (!g_strv_contains (valid, self->capacity))
        {
          g_set_error (error, LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_INVALID_PLAN,
                       _("lakebase_accelerator.capacity “%s” is not a provisioned size: use CU_1, CU_2, CU_4 or CU_8."),
                       self->capacity);
          return NULL;
        }
    }

  /* Two sources with the same table name would land on the same target. */
  tables = lb_workload_get_tables (workload);
  targets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < g_list_model_get_n_items (tables); i++)
    {
      g_autoptr(LbSyncedTable) table = g_list_model_get_item (tables, i);
      const char *source = lb_synced_table_get_name (table);
      const char *short_name = strrchr (source, '.') + 1;

      if (!g_hash_table_add (targets, g_strdup (short_name)))
        {
          g_set_error (error, LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_INVALID_PLAN,
                       _("Two tables to sync are named “%s”: both would become %s.%s.%s."),
                       short_name, self->database_catalog, self->target_schema, short_name);
          return NULL;
        }
    }

  if (self->flavour == LB_FLAVOUR_PROVISIONED)
    build_provisioned (self, workload);
  else
    build_autoscaling (self, workload);

  return g_steal_pointer (&self);
}

LbFlavour
lb_deployment_plan_get_flavour (LbDeploymentPlan *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_PLAN (self), 0);
  return self->flavour;
}

const char *
lb_deployment_plan_get_profile (LbDeploymentPlan *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_PLAN (self), NULL);
  return self->profile;
}

const char *
lb_deployment_plan_get_branch (LbDeploymentPlan *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_PLAN (self), NULL);
  return self->flavour == LB_FLAVOUR_AUTOSCALING ? self->branch : NULL;
}

const char *
lb_deployment_plan_get_instance_name (LbDeploymentPlan *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_PLAN (self), NULL);
  return self->instance_name;
}

const char *
lb_deployment_plan_get_capacity (LbDeploymentPlan *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_PLAN (self), NULL);
  return self->capacity;
}

guint
lb_deployment_plan_get_recommended_cu (LbDeploymentPlan *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_PLAN (self), 0);
  return self->recommended_cu;
}

double
lb_deployment_plan_get_min_cu (LbDeploymentPlan *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_PLAN (self), 0);
  return self->min_cu;
}

double
lb_deployment_plan_get_max_cu (LbDeploymentPlan *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_PLAN (self), 0);
  return self->max_cu;
}

const char *
lb_deployment_plan_get_database_catalog (LbDeploymentPlan *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_PLAN (self), NULL);
  return self->database_catalog;
}

const char *
lb_deployment_plan_get_database_name (LbDeploymentPlan *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_PLAN (self), NULL);
  return self->database_name;
}

const char *
lb_deployment_plan_get_target_schema (LbDeploymentPlan *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_PLAN (self), NULL);
  return self->target_schema;
}

const char *
lb_deployment_plan_get_storage_catalog (LbDeploymentPlan *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_PLAN (self), NULL);
  return self->storage_catalog;
}

const char *
lb_deployment_plan_get_storage_schema (LbDeploymentPlan *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_PLAN (self), NULL);
  return self->storage_schema;
}

GListModel *
lb_deployment_plan_get_resources (LbDeploymentPlan *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_PLAN (self), NULL);
  return G_LIST_MODEL (self->resources);
}

LbDeploymentResource *
lb_deployment_plan_get_compute (LbDeploymentPlan *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_PLAN (self), NULL);
  return self->compute;
}

LbDeploymentResource *
lb_deployment_plan_get_endpoint (LbDeploymentPlan *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_PLAN (self), NULL);
  return self->endpoint;
}

static char *
format_cu (double cu)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%g", cu));
}

char *
lb_deployment_plan_describe (LbDeploymentPlan *self)
{
  GString *text = g_string_new (NULL);
  GListModel *resources;

  g_return_val_if_fail (LB_IS_DEPLOYMENT_PLAN (self), NULL);

  resources = G_LIST_MODEL (self->resources);

  if (self->flavour == LB_FLAVOUR_PROVISIONED)
    g_string_append_printf (text, _("Provisioned Lakebase instance “%s”, capacity %s (recommended: CU_%u)\n"),
                            self->instance_name, self->capacity, self->recommended_cu);
  else
    {
      g_autofree char *min_cu = format_cu (self->min_cu);
      g_autofree char *max_cu = format_cu (self->max_cu);

      g_string_append_printf (text, _("Lakebase Autoscaling project “%s”, autoscaling %s–%s CU\n"),
                              self->instance_name, min_cu, max_cu);
      if (g_str_equal (self->branch, DEFAULT_BRANCH))
        g_string_append (text, _("  Default branch “production” and its read-write endpoint “primary” (created with the project)\n"));
      else
        g_string_append_printf (text, _("  Branch “%s” (made from “production” if missing) and its read-write endpoint “%s”\n"),
                                self->branch, self->endpoint_id);
    }

  g_string_append_printf (text, _("Database catalog “%s” on PostgreSQL database “%s”\n"),
                          self->database_catalog, self->database_name);

  g_string_append_printf (text, _("Synced tables (pipelines keep their state in %s.%s):\n"),
                          self->storage_catalog, self->storage_schema);
  for (guint i = 0; i < g_list_model_get_n_items (resources); i++)
    {
      g_autoptr(LbDeploymentResource) resource = g_list_model_get_item (resources, i);
      JsonObject *spec;
      JsonArray *keys;
      g_autoptr(GString) key_text = g_string_new (NULL);

      if (resource->kind != LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE)
        continue;

      spec = json_object_get_object_member (json_node_get_object (resource->body), "spec");
      keys = json_object_get_array_member (spec, "primary_key_columns");
      for (guint k = 0; k < json_array_get_length (keys); k++)
        g_string_append_printf (key_text, "%s%s", k > 0 ? ", " : "", json_array_get_string_element (keys, k));

      g_string_append_printf (text, _("  %s → %s (%s; primary key %s)\n"),
                              resource->source_table, resource->name,
                              json_object_get_string_member (spec, "scheduling_policy"), key_text->str);
    }

  return g_string_free (text, FALSE);
}

JsonNode *
lb_deployment_plan_to_json (LbDeploymentPlan *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  GListModel *resources;

  g_return_val_if_fail (LB_IS_DEPLOYMENT_PLAN (self), NULL);

  resources = G_LIST_MODEL (self->resources);

  json_builder_begin_object (builder);
  add_string (builder, "flavour", lb_flavour_to_string (self->flavour));
  add_string (builder, "profile", self->profile);
  add_string (builder, "instance_name", self->instance_name);
  if (self->flavour == LB_FLAVOUR_PROVISIONED)
    add_string (builder, "capacity", self->capacity);
  else
    {
      json_builder_set_member_name (builder, "min_cu");
      json_builder_add_double_value (builder, self->min_cu);
      json_builder_set_member_name (builder, "max_cu");
      json_builder_add_double_value (builder, self->max_cu);
    }
  json_builder_set_member_name (builder, "recommended_cu");
  json_builder_add_int_value (builder, self->recommended_cu);
  add_string (builder, "database_catalog", self->database_catalog);
  add_string (builder, "database_name", self->database_name);
  add_string (builder, "target_schema", self->target_schema);
  add_string (builder, "storage_catalog", self->storage_catalog);
  add_string (builder, "storage_schema", self->storage_schema);
  if (self->flavour == LB_FLAVOUR_AUTOSCALING)
    {
      add_string (builder, "branch", self->branch);
      add_string (builder, "endpoint", self->endpoint_id);
    }

  json_builder_set_member_name (builder, "resources");
  json_builder_begin_array (builder);
  for (guint i = 0; i < g_list_model_get_n_items (resources); i++)
    {
      g_autoptr(LbDeploymentResource) resource = g_list_model_get_item (resources, i);

      json_builder_begin_object (builder);
      add_string (builder, "kind", lb_deployment_resource_kind_to_string (resource->kind));
      add_string (builder, "name", resource->name);
      add_string (builder, "api_name", resource->api_name);
      if (resource->create_path != NULL)
        {
          add_string (builder, "method", "POST");
          add_string (builder, "path", resource->create_path);
        }
      else
        {
          add_string (builder, "method", "GET");
          add_string (builder, "path", resource->path);
        }
      if (resource->create_query != NULL)
        {
          json_builder_set_member_name (builder, "query");
          json_builder_begin_object (builder);
          for (guint q = 0; resource->create_query[q] != NULL && resource->create_query[q + 1] != NULL; q += 2)
            add_string (builder, resource->create_query[q], resource->create_query[q + 1]);
          json_builder_end_object (builder);
        }
      if (resource->body != NULL)
        {
          json_builder_set_member_name (builder, "body");
          json_builder_add_value (builder, json_node_copy (resource->body));
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}
