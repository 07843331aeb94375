/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbBundleWriter: a deployment plan written as bundle YAML with libyaml.
 * Names become bundle variables and references between resources, and every
 * field comes from the plan's API request bodies, so the bundle creates what
 * the runner would. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <yaml.h>

#include "lb-bundle-writer.h"

#define FILE_DATABRICKS   "databricks.yml"
#define FILE_INSTANCE     "resources/instance.yml"
#define FILE_PROJECT      "resources/project.yml"
#define FILE_BRANCH       "resources/branch.yml"
#define FILE_ENDPOINT     "resources/endpoint.yml"
#define FILE_CATALOG      "resources/catalog.yml"
#define FILE_TABLES       "resources/synced_tables.yml"
#define FILE_README       "README.md"

struct _LbBundleWriter
{
  GObject           parent_instance;

  LbDeploymentPlan *plan;
  char             *bundle_name;
  char             *target;
  char             *host;
  char             *source_name;
  gboolean          overwrite;
};

G_DEFINE_FINAL_TYPE (LbBundleWriter, lb_bundle_writer, G_TYPE_OBJECT)
G_DEFINE_QUARK (lb-bundle-writer-error-quark, lb_bundle_writer_error)

enum {
  PROP_0,
  PROP_PLAN,
  PROP_BUNDLE_NAME,
  PROP_TARGET,
  PROP_HOST,
  PROP_SOURCE_NAME,
  PROP_OVERWRITE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Names ----------------------------------------------------------------------- */

/* Bundle keys allow letters, digits, "_" and "-"; we keep to letters,
 * digits and "_" so that ${resources.…} references read plainly. */
static char *
make_key (const char *name)
{
  GString *key = g_string_new (NULL);

  if (name == NULL || !g_ascii_isalpha (name[0]))
    g_string_append (key, "r_");

  for (const char *p = name; p != NULL && *p != '\0'; p++)
    g_string_append_c (key, g_ascii_isalnum (*p) ? g_ascii_tolower (*p) : '_');

  return g_string_free (key, FALSE);
}

const char *
lb_bundle_writer_get_resource_type (LbDeploymentResource *resource)
{
  gboolean provisioned;

  g_return_val_if_fail (LB_IS_DEPLOYMENT_RESOURCE (resource), NULL);

  provisioned = lb_deployment_resource_get_flavour (resource) == LB_FLAVOUR_PROVISIONED;

  switch (lb_deployment_resource_get_kind (resource))
    {
    case LB_DEPLOYMENT_RESOURCE_INSTANCE:
      return "database_instances";
    case LB_DEPLOYMENT_RESOURCE_PROJECT:
      return "postgres_projects";
    case LB_DEPLOYMENT_RESOURCE_CATALOG:
      return provisioned ? "database_catalogs" : "postgres_catalogs";
    case LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE:
      return provisioned ? "synced_database_tables" : "postgres_synced_tables";
    /* Declared only when not made by the project (another branch than
     * production): then they have a create body. */
    case LB_DEPLOYMENT_RESOURCE_BRANCH:
      return lb_deployment_resource_get_body (resource) != NULL ? "postgres_branches" : NULL;
    case LB_DEPLOYMENT_RESOURCE_ENDPOINT:
      return lb_deployment_resource_get_body (resource) != NULL ? "postgres_endpoints" : NULL;
    default:
      return NULL;
    }
}

char *
lb_bundle_writer_dup_resource_key (LbBundleWriter       *self,
                                   LbDeploymentResource *resource)
{
  g_return_val_if_fail (LB_IS_BUNDLE_WRITER (self), NULL);
  g_return_val_if_fail (LB_IS_DEPLOYMENT_RESOURCE (resource), NULL);

  if (lb_bundle_writer_get_resource_type (resource) == NULL)
    return NULL;

  return make_key (lb_deployment_resource_get_name (resource));
}

static LbDeploymentResource *
find_resource (LbBundleWriter           *self,
               LbDeploymentResourceKind  kind)
{
  GListModel *resources = lb_deployment_plan_get_resources (self->plan);

  for (guint i = 0; i < g_list_model_get_n_items (resources); i++)
    {
      g_autoptr(LbDeploymentResource) resource = g_list_model_get_item (resources, i);

      if (lb_deployment_resource_get_kind (resource) == kind)
        return resource;   /* the plan keeps it alive */
    }

  return NULL;
}

/* Resources as bundle mappings --------------------------------------------------- */

typedef struct
{
  LbBundleWriter       *self;
  LbDeploymentResource *resource;
  char                 *compute_ref;   /* ${resources.<type>.<key>.<id field>} */
  char                 *catalog_ref;
  char                 *branch_ref;    /* a declared branch's branch_id, or NULL */
} Substitutions;

static void
substitutions_clear (Substitutions *subst)
{
  g_clear_pointer (&subst->compute_ref, g_free);
  g_clear_pointer (&subst->catalog_ref, g_free);
  g_clear_pointer (&subst->branch_ref, g_free);
}

static char *
resource_ref (LbBundleWriter           *self,
              LbDeploymentResourceKind  kind,
              const char               *field)
{
  LbDeploymentResource *target = find_resource (self, kind);
  g_autofree char *key = NULL;

  if (target == NULL || lb_bundle_writer_get_resource_type (target) == NULL)
    return NULL;

  key = lb_bundle_writer_dup_resource_key (self, target);
  return g_strdup_printf ("${resources.%s.%s.%s}", lb_bundle_writer_get_resource_type (target), key, field);
}

static void
substitutions_init (Substitutions        *subst,
                    LbBundleWriter       *self,
                    LbDeploymentResource *resource)
{
  gboolean provisioned = lb_deployment_plan_get_flavour (self->plan) == LB_FLAVOUR_PROVISIONED;

  subst->self = self;
  subst->resource = resource;
  /* References to the parent's own id field: the Databricks CLI orders the
   * creates by these references, and they resolve to the plain names the
   * runner sends. */
  subst->compute_ref = provisioned
    ? resource_ref (self, LB_DEPLOYMENT_RESOURCE_INSTANCE, "name")
    : resource_ref (self, LB_DEPLOYMENT_RESOURCE_PROJECT, "project_id");
  subst->catalog_ref = resource_ref (self, LB_DEPLOYMENT_RESOURCE_CATALOG,
                                     provisioned ? "name" : "catalog_id");
  subst->branch_ref = resource_ref (self, LB_DEPLOYMENT_RESOURCE_BRANCH, "branch_id");
}

/* The value to write for @member = @value: a variable or a reference when
 * it is exactly what the plan says, else the value itself. */
static char *
substitute (Substitutions *subst,
            const char    *member,
            const char    *value)
{
  LbDeploymentPlan *plan = subst->self->plan;
  LbDeploymentResourceKind kind = lb_deployment_resource_get_kind (subst->resource);
  const char *instance = lb_deployment_plan_get_instance_name (plan);
  const char *catalog = lb_deployment_plan_get_database_catalog (plan);
  gboolean is_id = g_str_equal (member, "name") || g_str_equal (member, "project_id") ||
                   g_str_equal (member, "catalog_id") || g_str_equal (member, "synced_table_id");

  if (is_id && (kind == LB_DEPLOYMENT_RESOURCE_INSTANCE || kind == LB_DEPLOYMENT_RESOURCE_PROJECT) &&
      g_strcmp0 (value, instance) == 0)
    return g_strdup ("${var.instance_name}");

  if (is_id && kind == LB_DEPLOYMENT_RESOURCE_CATALOG && g_strcmp0 (value, catalog) == 0)
    return g_strdup ("${var.database_catalog}");

  if (is_id && kind == LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE && subst->catalog_ref != NULL &&
      catalog != NULL && g_str_has_prefix (value, catalog) && value[strlen (catalog)] == '.')
    return g_strconcat (subst->catalog_ref, value + strlen (catalog), NULL);

  if (g_str_equal (member, "database_instance_name") && g_strcmp0 (value, instance) == 0 &&
      subst->compute_ref != NULL)
    return g_strdup (subst->compute_ref);

  if ((g_str_equal (member, "branch") || g_str_equal (member, "source_branch")) &&
      subst->compute_ref != NULL && instance != NULL)
    {
      g_autofree char *prefix = g_strconcat ("projects/", instance, "/", NULL);
      g_autofree char *declared = g_strconcat (prefix, "branches/", lb_deployment_plan_get_branch (plan), NULL);

      /* On a declared branch: refer to it, so the CLI creates it first. */
      if (subst->branch_ref != NULL && g_str_equal (value, declared))
        return g_strconcat ("projects/", subst->compute_ref, "/branches/", subst->branch_ref, NULL);
      if (g_str_has_prefix (value, prefix))
        return g_strconcat ("projects/", subst->compute_ref, value + strlen (prefix) - 1, NULL);
    }

  if ((g_str_equal (member, "database_name") || g_str_equal (member, "postgres_database") ||
       g_str_equal (member, "logical_database_name")) &&
      g_strcmp0 (value, lb_deployment_plan_get_database_name (plan)) == 0)
    return g_strdup ("${var.database_name}");

  if (g_str_equal (member, "storage_catalog") &&
      g_strcmp0 (value, lb_deployment_plan_get_storage_catalog (plan)) == 0)
    return g_strdup ("${var.storage_catalog}");

  if (g_str_equal (member, "storage_schema") &&
      g_strcmp0 (value, lb_deployment_plan_get_storage_schema (plan)) == 0)
    return g_strdup ("${var.storage_schema}");

  if (g_str_equal (member, "capacity") && kind == LB_DEPLOYMENT_RESOURCE_INSTANCE &&
      g_strcmp0 (value, lb_deployment_plan_get_capacity (plan)) == 0)
    return g_strdup ("${var.capacity}");

  return g_strdup (value);
}

static JsonNode *substitute_node (Substitutions *subst,
                                  const char    *member,
                                  JsonNode      *node);

static JsonObject *
substitute_object (Substitutions *subst,
                   JsonObject    *object)
{
  JsonObject *copy = json_object_new ();
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    json_object_set_member (copy, l->data,
                            substitute_node (subst, l->data, json_object_get_member (object, l->data)));

  return copy;
}

static JsonNode *
substitute_node (Substitutions *subst,
                 const char    *member,
                 JsonNode      *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    return json_node_init_object (json_node_alloc (), substitute_object (subst, json_node_get_object (node)));

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      JsonArray *copy = json_array_sized_new (json_array_get_length (array));

      /* Array items (primary keys) are never names we substitute. */
      for (guint i = 0; i < json_array_get_length (array); i++)
        json_array_add_element (copy, json_node_copy (json_array_get_element (array, i)));

      return json_node_init_array (json_node_alloc (), copy);
    }

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING && member != NULL)
    {
      g_autofree char *value = substitute (subst, member, json_node_get_string (node));

      return json_node_init_string (json_node_alloc (), value);
    }

  return json_node_copy (node);
}

/* One resource's mapping: provisioned bodies as they are; autoscaling ones
 * with their id (the create call's query) first and "spec" flattened, which
 * is how the bundle schema spells postgres_* resources. */
static JsonObject *
resource_to_bundle (LbBundleWriter       *self,
                    LbDeploymentResource *resource)
{
  JsonNode *body = lb_deployment_resource_get_body (resource);
  JsonObject *mapping;
  Substitutions subst = { 0 };

  if (body == NULL || !JSON_NODE_HOLDS_OBJECT (body))
    return NULL;

  substitutions_init (&subst, self, resource);

  if (lb_deployment_resource_get_flavour (resource) == LB_FLAVOUR_PROVISIONED)
    {
      mapping = substitute_object (&subst, json_node_get_object (body));
    }
  else
    {
      const char * const *query = lb_deployment_resource_get_create_query (resource);
      JsonObject *object = json_node_get_object (body);
      g_autoptr(GList) members = json_object_get_members (object);

      mapping = json_object_new ();
      if (query != NULL && query[0] != NULL && query[1] != NULL)
        {
          g_autofree char *id = substitute (&subst, query[0], query[1]);

          json_object_set_string_member (mapping, query[0], id);
        }

      /* A branch's and an endpoint's parent is in the API's path; the
       * bundle schema has it as a field. */
      if (lb_deployment_resource_get_kind (resource) == LB_DEPLOYMENT_RESOURCE_BRANCH)
        {
          g_autofree char *parent = g_strconcat ("projects/", subst.compute_ref, NULL);

          json_object_set_string_member (mapping, "parent", parent);
        }
      else if (lb_deployment_resource_get_kind (resource) == LB_DEPLOYMENT_RESOURCE_ENDPOINT)
        {
          g_autofree char *parent = g_strconcat ("projects/", subst.compute_ref, "/branches/",
                                                 subst.branch_ref, NULL);

          json_object_set_string_member (mapping, "parent", parent);
        }

      for (GList *l = members; l != NULL; l = l->next)
        {
          JsonNode *member = json_object_get_member (object, l->data);

          if (g_str_equal (l->data, "spec") && JSON_NODE_HOLDS_OBJECT (member))
            {
              JsonObject *spec = substitute_object (&subst, json_node_get_object (member));
              g_autoptr(GList) spec_members = json_object_get_members (spec);

              for (GList *s = spec_members; s != NULL; s = s->next)
                json_object_set_member (mapping, s->data,
                                        json_node_copy (json_object_get_member (spec, s->data)));
              json_object_unref (spec);
            }
          else if (!g_str_equal (l->data, "name"))
            {
              json_object_set_member (mapping, l->data, substitute_node (&subst, l->data, member));
            }
        }
    }

  substitutions_clear (&subst);
  return mapping;
}

/* {resources: {<type>: {<key>: mapping, …}}} for every resource of @kind. */
static JsonNode *
build_resources_document (LbBundleWriter           *self,
                          LbDeploymentResourceKind  kind)
{
  GListModel *resources = lb_deployment_plan_get_resources (self->plan);
  JsonObject *root = json_object_new ();
  JsonObject *by_type = json_object_new ();
  JsonObject *by_key = json_object_new ();
  const char *type = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (resources); i++)
    {
      g_autoptr(LbDeploymentResource) resource = g_list_model_get_item (resources, i);
      g_autofree char *key = NULL;
      JsonObject *mapping;

      if (lb_deployment_resource_get_kind (resource) != kind)
        continue;

      mapping = resource_to_bundle (self, resource);
      if (mapping == NULL)
        continue;

      type = lb_bundle_writer_get_resource_type (resource);
      key = lb_bundle_writer_dup_resource_key (self, resource);
      json_object_set_object_member (by_key, key, mapping);
    }

  json_object_set_object_member (by_type, type != NULL ? type : "unknown", by_key);
  json_object_set_object_member (root, "resources", by_type);

  return json_node_init_object (json_node_alloc (), root);
}

static void
add_variable (JsonObject *variables,
              const char *name,
              const char *description,
              const char *value)
{
  JsonObject *variable = json_object_new ();

  json_object_set_string_member (variable, "description", description);
  json_object_set_string_member (variable, "default", value != NULL ? value : "");
  json_object_set_object_member (variables, name, variable);
}

static JsonNode *
build_databricks_document (LbBundleWriter *self)
{
  JsonObject *root = json_object_new ();
  JsonObject *bundle = json_object_new ();
  JsonArray *include = json_array_new ();
  JsonObject *variables = json_object_new ();
  JsonObject *targets = json_object_new ();
  JsonObject *target = json_object_new ();
  JsonObject *workspace = json_object_new ();
  LbDeploymentPlan *plan = self->plan;
  gboolean provisioned = lb_deployment_plan_get_flavour (plan) == LB_FLAVOUR_PROVISIONED;

  json_object_set_string_member (bundle, "name", self->bundle_name);
  json_object_set_object_member (root, "bundle", bundle);

  json_array_add_string_element (include, "resources/*.yml");
  json_object_set_array_member (root, "include", include);

  /* Variables are for names only: numbers stay literal in the resources,
   * where the bundle schema types them. */
  add_variable (variables, "instance_name",
                provisioned ? "Lakebase database instance name" : "Lakebase project id",
                lb_deployment_plan_get_instance_name (plan));
  if (provisioned)
    add_variable (variables, "capacity", "Instance size (CU_1, CU_2, CU_4 or CU_8)",
                  lb_deployment_plan_get_capacity (plan));
  add_variable (variables, "database_catalog", "Unity Catalog catalog registered on the database",
                lb_deployment_plan_get_database_catalog (plan));
  add_variable (variables, "database_name", "PostgreSQL database of the catalog",
                lb_deployment_plan_get_database_name (plan));
  add_variable (variables, "storage_catalog", "Catalog where the sync pipelines keep their state",
                lb_deployment_plan_get_storage_catalog (plan));
  add_variable (variables, "storage_schema", "Schema where the sync pipelines keep their state",
                lb_deployment_plan_get_storage_schema (plan));
  json_object_set_object_member (root, "variables", variables);

  json_object_set_boolean_member (target, "default", TRUE);
  if (self->host != NULL)
    json_object_set_string_member (workspace, "host", self->host);
  else if (lb_deployment_plan_get_profile (plan) != NULL && lb_deployment_plan_get_profile (plan)[0] != '\0')
    json_object_set_string_member (workspace, "profile", lb_deployment_plan_get_profile (plan));
  json_object_set_object_member (target, "workspace", workspace);
  json_object_set_object_member (targets, self->target, target);
  json_object_set_object_member (root, "targets", targets);

  return json_node_init_object (json_node_alloc (), root);
}

/* YAML ------------------------------------------------------------------------------ */

static int
write_to_string_cb (void          *data,
                    unsigned char *buffer,
                    size_t         size)
{
  g_string_append_len (data, (const char *) buffer, (gssize) size);
  return 1;
}

/* TRUE when a plain scalar @text would not read back as this string (a
 * number, a boolean, null, …): such strings are written quoted. */
static gboolean
needs_quotes (const char *text)
{
  static const char * const specials[] = {
    "", "~", "null", "true", "false", "yes", "no", "on", "off", "y", "n", ".inf", "-.inf", ".nan", NULL
  };
  g_autofree char *lower = g_ascii_strdown (text, -1);
  char *end = NULL;

  if (g_strv_contains (specials, lower))
    return TRUE;

  g_ascii_strtod (text, &end);
  if (end != text && *end == '\0')
    return TRUE;

  /* 0x1F, 0o17 and other YAML 1.1 integer forms. */
  return g_ascii_isdigit (text[0]) && strpbrk (text, "xXoObB:_") != NULL && strchr (text, ' ') == NULL;
}

static gboolean
emit_scalar (yaml_emitter_t   *emitter,
             const char       *text,
             yaml_scalar_style_t style)
{
  yaml_event_t event;

  return yaml_scalar_event_initialize (&event, NULL, NULL, (yaml_char_t *) text, (int) strlen (text),
                                       1, 1, style) &&
         yaml_emitter_emit (emitter, &event);
}

static gboolean
emit_node (yaml_emitter_t *emitter,
           JsonNode       *node)
{
  yaml_event_t event;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (object);

      if (!yaml_mapping_start_event_initialize (&event, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE) ||
          !yaml_emitter_emit (emitter, &event))
        return FALSE;

      for (GList *l = members; l != NULL; l = l->next)
        {
          if (!emit_scalar (emitter, l->data, YAML_PLAIN_SCALAR_STYLE) ||
              !emit_node (emitter, json_object_get_member (object, l->data)))
            return FALSE;
        }

      return yaml_mapping_end_event_initialize (&event) && yaml_emitter_emit (emitter, &event);
    }

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      if (!yaml_sequence_start_event_initialize (&event, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE) ||
          !yaml_emitter_emit (emitter, &event))
        return FALSE;

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          if (!emit_node (emitter, json_array_get_element (array, i)))
            return FALSE;
        }

      return yaml_sequence_end_event_initialize (&event) && yaml_emitter_emit (emitter, &event);
    }

  if (JSON_NODE_HOLDS_NULL (node))
    return emit_scalar (emitter, "null", YAML_PLAIN_SCALAR_STYLE);

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      {
        const char *text = json_node_get_string (node);

        return emit_scalar (emitter, text,
                            needs_quotes (text) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE);
      }
    case G_TYPE_BOOLEAN:
      return emit_scalar (emitter, json_node_get_boolean (node) ? "true" : "false", YAML_PLAIN_SCALAR_STYLE);
    case G_TYPE_INT64:
      {
        char text[32];

        g_snprintf (text, sizeof text, "%" G_GINT64_FORMAT, json_node_get_int (node));
        return emit_scalar (emitter, text, YAML_PLAIN_SCALAR_STYLE);
      }
    case G_TYPE_DOUBLE:
      {
        char text[G_ASCII_DTOSTR_BUF_SIZE + 2];

        /* Shortest exact form; "2.0" rather than "2" so it reads back as
         * a float, as the schema types CU limits. */
        g_ascii_dtostr (text, G_ASCII_DTOSTR_BUF_SIZE, json_node_get_double (node));
        if (strpbrk (text, ".eEn") == NULL)
          g_strlcat (text, ".0", sizeof text);
        return emit_scalar (emitter, text, YAML_PLAIN_SCALAR_STYLE);
      }
    default:
      return FALSE;
    }
}

static char *
emit_document (JsonNode    *root,
               const char  *comment,
               GError     **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  yaml_emitter_t emitter;
  yaml_event_t event;
  gboolean ok;

  /* libyaml cannot emit comments: they go before the document. */
  if (comment != NULL)
    {
      g_auto(GStrv) lines = g_strsplit (comment, "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        g_string_append_printf (out, "%s%s\n", lines[i][0] != '\0' ? "# " : "#", lines[i]);
    }

  if (!yaml_emitter_initialize (&emitter))
    {
      g_set_error_literal (error, LB_BUNDLE_WRITER_ERROR, LB_BUNDLE_WRITER_ERROR_YAML,
                           _("Could not start the YAML writer"));
      return NULL;
    }

  yaml_emitter_set_output (&emitter, write_to_string_cb, out);
  yaml_emitter_set_unicode (&emitter, 1);
  yaml_emitter_set_indent (&emitter, 2);
  yaml_emitter_set_width (&emitter, 100);

  ok = yaml_stream_start_event_initialize (&event, YAML_UTF8_ENCODING) &&
       yaml_emitter_emit (&emitter, &event) &&
       yaml_document_start_event_initialize (&event, NULL, NULL, NULL, 1) &&
       yaml_emitter_emit (&emitter, &event) &&
       emit_node (&emitter, root) &&
       yaml_document_end_event_initialize (&event, 1) &&
       yaml_emitter_emit (&emitter, &event) &&
       yaml_stream_end_event_initialize (&event) &&
       yaml_emitter_emit (&emitter, &event) &&
       yaml_emitter_flush (&emitter);

  if (!ok)
    {
      g_set_error (error, LB_BUNDLE_WRITER_ERROR, LB_BUNDLE_WRITER_ERROR_YAML,
                   _("Could not write YAML: %s"),
                   emitter.problem != NULL ? emitter.problem : _("unknown problem"));
      yaml_emitter_delete (&emitter);
      return NULL;
    }

  yaml_emitter_delete (&emitter);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Files ------------------------------------------------------------------------------- */

static char *
dup_origin (LbBundleWriter *self)
{
  if (self->source_name != NULL)
    /* TRANSLATORS: %s is a workload file name */
    return g_strdup_printf (_("Written by Lakebase Accelerator from %s."), self->source_name);

  return g_strdup (_("Written by Lakebase Accelerator."));
}

static guint
count_resources (LbBundleWriter           *self,
                 LbDeploymentResourceKind  kind)
{
  GListModel *resources = lb_deployment_plan_get_resources (self->plan);
  guint count = 0;

  for (guint i = 0; i < g_list_model_get_n_items (resources); i++)
    {
      g_autoptr(LbDeploymentResource) resource = g_list_model_get_item (resources, i);

      if (lb_deployment_resource_get_kind (resource) == kind)
        count++;
    }

  return count;
}

/* Another branch than production: the bundle declares it and its endpoint. */
static gboolean
declares_branch (LbBundleWriter *self)
{
  LbDeploymentResource *branch = find_resource (self, LB_DEPLOYMENT_RESOURCE_BRANCH);

  return branch != NULL && lb_bundle_writer_get_resource_type (branch) != NULL;
}

static char *
render_readme (LbBundleWriter *self)
{
  GString *text = g_string_new (NULL);
  LbDeploymentPlan *plan = self->plan;
  gboolean provisioned = lb_deployment_plan_get_flavour (plan) == LB_FLAVOUR_PROVISIONED;
  g_autofree char *origin = dup_origin (self);

  g_string_append_printf (text, "# %s\n\n", self->bundle_name);
  g_string_append_printf (text, "%s\n\n", origin);
  g_string_append_printf (text,
                          provisioned
                          ? _("A Databricks Asset Bundle for the Lakebase database instance “%s”, its "
                              "database catalog “%s” and %u synced tables: the same resources the app "
                              "deploys.\n\n")
                          : _("A Databricks Asset Bundle for the Lakebase project “%s”, its database "
                              "catalog “%s” and %u synced tables: the same resources the app "
                              "deploys.\n\n"),
                          lb_deployment_plan_get_instance_name (plan),
                          lb_deployment_plan_get_database_catalog (plan),
                          count_resources (self, LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE));
  g_string_append_printf (text, _("Deploy it from this folder with the Databricks CLI:\n\n"
                                  "    databricks bundle deploy -t %s\n\n"), self->target);
  g_string_append_printf (text, _("Remove what it created with `databricks bundle destroy -t %s`.\n"),
                          self->target);
  if (!provisioned)
    g_string_append (text, _("\nLakebase autoscaling resources (postgres_projects, postgres_catalogs, "
                             "postgres_synced_tables) are in Beta in the Databricks CLI; they need a "
                             "recent CLI. The project’s production branch and its primary read-write "
                             "endpoint are created with the project and are not declared here.\n"));
  if (declares_branch (self))
    g_string_append_printf (text, _("\nThe synced tables go on the branch “%s”, declared in "
                                    "resources/branch.yml (made from production) with its read-write "
                                    "endpoint in resources/endpoint.yml.\n"),
                            lb_deployment_plan_get_branch (plan));

  return g_string_free (text, FALSE);
}

GStrv
lb_bundle_writer_list_files (LbBundleWriter *self)
{
  g_autoptr(GStrvBuilder) files = g_strv_builder_new ();
  gboolean provisioned;

  g_return_val_if_fail (LB_IS_BUNDLE_WRITER (self), NULL);

  provisioned = lb_deployment_plan_get_flavour (self->plan) == LB_FLAVOUR_PROVISIONED;
  g_strv_builder_add (files, FILE_DATABRICKS);
  g_strv_builder_add (files, provisioned ? FILE_INSTANCE : FILE_PROJECT);
  if (declares_branch (self))
    {
      g_strv_builder_add (files, FILE_BRANCH);
      g_strv_builder_add (files, FILE_ENDPOINT);
    }
  if (find_resource (self, LB_DEPLOYMENT_RESOURCE_CATALOG) != NULL)
    g_strv_builder_add (files, FILE_CATALOG);
  if (find_resource (self, LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE) != NULL)
    g_strv_builder_add (files, FILE_TABLES);
  g_strv_builder_add (files, FILE_README);

  return g_strv_builder_end (files);
}

char *
lb_bundle_writer_render (LbBundleWriter  *self,
                         const char      *path,
                         GError         **error)
{
  g_auto(GStrv) files = NULL;
  g_autoptr(JsonNode) document = NULL;
  g_autofree char *origin = NULL;
  g_autofree char *comment = NULL;

  g_return_val_if_fail (LB_IS_BUNDLE_WRITER (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  files = lb_bundle_writer_list_files (self);
  if (!g_strv_contains ((const char * const *) files, path))
    {
      g_set_error (error, LB_BUNDLE_WRITER_ERROR, LB_BUNDLE_WRITER_ERROR_NO_FILE,
                   _("“%s” is not a file of this bundle"), path);
      return NULL;
    }

  if (g_str_equal (path, FILE_README))
    return render_readme (self);

  origin = dup_origin (self);

  if (g_str_equal (path, FILE_DATABRICKS))
    {
      document = build_databricks_document (self);
      comment = g_strdup_printf (_("Databricks Asset Bundle for Lakebase “%s”. %s\n"
                                   "Deploy: databricks bundle deploy -t %s"),
                                 lb_deployment_plan_get_instance_name (self->plan), origin, self->target);
    }
  else if (g_str_equal (path, FILE_INSTANCE))
    {
      document = build_resources_document (self, LB_DEPLOYMENT_RESOURCE_INSTANCE);
      comment = g_strdup_printf (_("The Lakebase database instance (provisioned). %s"), origin);
    }
  else if (g_str_equal (path, FILE_PROJECT))
    {
      document = build_resources_document (self, LB_DEPLOYMENT_RESOURCE_PROJECT);
      /* The schema of the autoscaling resources was read from the Databricks
       * CLI's bundle schema as mirrored in public docs, not from the CLI
       * itself: say so where a user will look. */
      comment = g_strdup_printf (_("The Lakebase autoscaling project. %s\n"
                                   "postgres_* bundle resources are Beta in the Databricks CLI; the "
                                   "fields are the\nproject API’s spec, flattened as the bundle "
                                   "schema does. The production branch and\nits primary endpoint are "
                                   "created with the project."), origin);
    }
  else if (g_str_equal (path, FILE_BRANCH))
    {
      document = build_resources_document (self, LB_DEPLOYMENT_RESOURCE_BRANCH);
      comment = g_strdup_printf (_("The branch that receives the synced tables, made from production. %s"), origin);
    }
  else if (g_str_equal (path, FILE_ENDPOINT))
    {
      document = build_resources_document (self, LB_DEPLOYMENT_RESOURCE_ENDPOINT);
      comment = g_strdup_printf (_("The branch’s read-write endpoint. %s"), origin);
    }
  else if (g_str_equal (path, FILE_CATALOG))
    {
      document = build_resources_document (self, LB_DEPLOYMENT_RESOURCE_CATALOG);
      comment = g_strdup_printf (_("The Unity Catalog catalog registered on the database. %s"), origin);
    }
  else
    {
      document = build_resources_document (self, LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE);
      comment = g_strdup_printf (_("One synced table per table of the workload. %s"), origin);
    }

  return emit_document (document, comment, error);
}

static gboolean
write_files (LbBundleWriter  *self,
             GFile           *directory,
             GCancellable    *cancellable,
             GError         **error)
{
  g_auto(GStrv) files = lb_bundle_writer_list_files (self);
  g_autoptr(GFile) resources = g_file_get_child (directory, "resources");
  g_autoptr(GError) local_error = NULL;

  for (guint i = 0; files[i] != NULL; i++)
    {
      g_autoptr(GFile) file = g_file_resolve_relative_path (directory, files[i]);

      if (!self->overwrite && g_file_query_exists (file, cancellable))
        {
          g_autofree char *name = g_file_get_parse_name (file);

          g_set_error (error, LB_BUNDLE_WRITER_ERROR, LB_BUNDLE_WRITER_ERROR_EXISTS,
                       _("“%s” already exists; pick an empty folder or allow overwriting"), name);
          return FALSE;
        }
    }

  if (!g_file_make_directory_with_parents (resources, cancellable, &local_error) &&
      !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      g_autofree char *name = g_file_get_parse_name (resources);

      g_set_error (error, LB_BUNDLE_WRITER_ERROR, LB_BUNDLE_WRITER_ERROR_IO,
                   _("Could not create the folder “%s”: %s"), name, local_error->message);
      return FALSE;
    }

  for (guint i = 0; files[i] != NULL; i++)
    {
      g_autoptr(GFile) file = g_file_resolve_relative_path (directory, files[i]);
      g_autofree char *text = lb_bundle_writer_render (self, files[i], error);

      if (text == NULL)
        return FALSE;

      if (!g_file_replace_contents (file, text, strlen (text), NULL, FALSE, G_FILE_CREATE_NONE,
                                    NULL, cancellable, &local_error))
        {
          g_autofree char *name = g_file_get_parse_name (file);

          g_set_error (error, LB_BUNDLE_WRITER_ERROR, LB_BUNDLE_WRITER_ERROR_IO,
                       _("Could not write “%s”: %s"), name, local_error->message);
          return FALSE;
        }
    }

  return TRUE;
}

gboolean
lb_bundle_writer_write (LbBundleWriter  *self,
                        GFile           *directory,
                        GError         **error)
{
  g_return_val_if_fail (LB_IS_BUNDLE_WRITER (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (directory), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return write_files (self, directory, NULL, error);
}

static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;

  if (write_files (source_object, task_data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
lb_bundle_writer_write_async (LbBundleWriter      *self,
                              GFile               *directory,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LB_IS_BUNDLE_WRITER (self));
  g_return_if_fail (G_IS_FILE (directory));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_bundle_writer_write_async);
  g_task_set_task_data (task, g_object_ref (directory), g_object_unref);
  /* The plan is immutable and only read: safe from the worker. */
  g_task_run_in_thread (task, write_thread);
}

gboolean
lb_bundle_writer_write_finish (LbBundleWriter  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (LB_IS_BUNDLE_WRITER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* GObject ------------------------------------------------------------------------------ */

LbDeploymentPlan *
lb_bundle_writer_get_plan (LbBundleWriter *self)
{
  g_return_val_if_fail (LB_IS_BUNDLE_WRITER (self), NULL);

  return self->plan;
}

const char *
lb_bundle_writer_get_target (LbBundleWriter *self)
{
  g_return_val_if_fail (LB_IS_BUNDLE_WRITER (self), NULL);

  return self->target;
}

/* Target names end up in `-t NAME` and in YAML keys: keep them simple. */
static char *
make_target_name (const char *text)
{
  g_autofree char *key = NULL;

  if (text == NULL || text[0] == '\0')
    return g_strdup ("default");

  key = make_key (text);
  return g_steal_pointer (&key);
}

void
lb_bundle_writer_set_target (LbBundleWriter *self,
                             const char     *target)
{
  g_autofree char *name = NULL;

  g_return_if_fail (LB_IS_BUNDLE_WRITER (self));

  name = target != NULL && target[0] != '\0' ? make_target_name (target)
                                             : make_target_name (lb_deployment_plan_get_profile (self->plan));
  if (g_strcmp0 (name, self->target) == 0)
    return;

  g_free (self->target);
  self->target = g_steal_pointer (&name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TARGET]);
}

const char *
lb_bundle_writer_get_host (LbBundleWriter *self)
{
  g_return_val_if_fail (LB_IS_BUNDLE_WRITER (self), NULL);

  return self->host;
}

void
lb_bundle_writer_set_host (LbBundleWriter *self,
                           const char     *host)
{
  g_return_if_fail (LB_IS_BUNDLE_WRITER (self));

  if (host != NULL && host[0] == '\0')
    host = NULL;
  if (g_strcmp0 (host, self->host) == 0)
    return;

  g_free (self->host);
  self->host = g_strdup (host);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST]);
}

static void
set_string (LbBundleWriter  *self,
            char           **field,
            const char      *value,
            guint            prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
lb_bundle_writer_constructed (GObject *object)
{
  LbBundleWriter *self = LB_BUNDLE_WRITER (object);

  G_OBJECT_CLASS (lb_bundle_writer_parent_class)->constructed (object);

  g_assert (LB_IS_DEPLOYMENT_PLAN (self->plan));

  if (self->bundle_name == NULL)
    {
      self->bundle_name = g_strconcat ("lakebase-", lb_deployment_plan_get_instance_name (self->plan), NULL);
      g_strdelimit (self->bundle_name, " /\\", '-');
    }
  if (self->target == NULL)
    self->target = make_target_name (lb_deployment_plan_get_profile (self->plan));
}

static void
lb_bundle_writer_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  LbBundleWriter *self = LB_BUNDLE_WRITER (object);

  switch (prop_id)
    {
    case PROP_PLAN:
      g_value_set_object (value, self->plan);
      break;
    case PROP_BUNDLE_NAME:
      g_value_set_string (value, self->bundle_name);
      break;
    case PROP_TARGET:
      g_value_set_string (value, self->target);
      break;
    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;
    case PROP_SOURCE_NAME:
      g_value_set_string (value, self->source_name);
      break;
    case PROP_OVERWRITE:
      g_value_set_boolean (value, self->overwrite);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_bundle_writer_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  LbBundleWriter *self = LB_BUNDLE_WRITER (object);

  switch (prop_id)
    {
    case PROP_PLAN:
      self->plan = g_value_dup_object (value);
      break;
    case PROP_BUNDLE_NAME:
      if (g_value_get_string (value) != NULL)
        set_string (self, &self->bundle_name, g_value_get_string (value), prop_id);
      break;
    case PROP_TARGET:
      /* Set after construction, so the plan is there. */
      lb_bundle_writer_set_target (self, g_value_get_string (value));
      break;
    case PROP_HOST:
      lb_bundle_writer_set_host (self, g_value_get_string (value));
      break;
    case PROP_SOURCE_NAME:
      set_string (self, &self->source_name, g_value_get_string (value), prop_id);
      break;
    case PROP_OVERWRITE:
      if (self->overwrite != g_value_get_boolean (value))
        {
          self->overwrite = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_bundle_writer_dispose (GObject *object)
{
  LbBundleWriter *self = LB_BUNDLE_WRITER (object);

  g_clear_object (&self->plan);

  G_OBJECT_CLASS (lb_bundle_writer_parent_class)->dispose (object);
}

static void
lb_bundle_writer_finalize (GObject *object)
{
  LbBundleWriter *self = LB_BUNDLE_WRITER (object);

  g_free (self->bundle_name);
  g_free (self->target);
  g_free (self->host);
  g_free (self->source_name);

  G_OBJECT_CLASS (lb_bundle_writer_parent_class)->finalize (object);
}

static void
lb_bundle_writer_class_init (LbBundleWriterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = lb_bundle_writer_constructed;
  object_class->get_property = lb_bundle_writer_get_property;
  object_class->set_property = lb_bundle_writer_set_property;
  object_class->dispose = lb_bundle_writer_dispose;
  object_class->finalize = lb_bundle_writer_finalize;

  properties[PROP_PLAN] =
    g_param_spec_object ("plan", NULL, NULL,
                         LB_TYPE_DEPLOYMENT_PLAN,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUNDLE_NAME] =
    g_param_spec_string ("bundle-name", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TARGET] =
    g_param_spec_string ("target", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HOST] =
    g_param_spec_string ("host", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SOURCE_NAME] =
    g_param_spec_string ("source-name", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OVERWRITE] =
    g_param_spec_boolean ("overwrite", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lb_bundle_writer_init (LbBundleWriter *self)
{
}

LbBundleWriter *
lb_bundle_writer_new (LbDeploymentPlan *plan)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_PLAN (plan), NULL);

  return g_object_new (LB_TYPE_BUNDLE_WRITER, "plan", plan, NULL);
}
