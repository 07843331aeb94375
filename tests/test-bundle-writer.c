/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The bundle writer: the files are written, parsed back with libyaml,
 * their ${var.…} and ${resources.…} references resolved as the Databricks
 * CLI would, and every resource compared field by field with the request
 * body the deployment runner sends for the same plan, for both flavours. */
#include "config.h"

#include <string.h>

#include <yaml.h>

#include "lb-bundle-writer.h"
#include "lb-core.h"
#include "lb-deployment.h"
#include "lb-test-utils.h"

#define HOST "https://dbc-1234.cloud.databricks.com"

/* YAML → JSON, typing plain scalars as YAML 1.1 core would ----------------- */

static JsonNode *
scalar_to_node (const yaml_event_t *event)
{
  const char *text = (const char *) event->data.scalar.value;
  gint64 integer;
  double number;
  char *end = NULL;

  if (event->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
    return json_node_init_string (json_node_alloc (), text);

  if (g_str_equal (text, "") || g_str_equal (text, "~") || g_str_equal (text, "null"))
    return json_node_init_null (json_node_alloc ());
  if (g_str_equal (text, "true") || g_str_equal (text, "false"))
    return json_node_init_boolean (json_node_alloc (), g_str_equal (text, "true"));
  if (g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &integer, NULL))
    return json_node_init_int (json_node_alloc (), integer);
  number = g_ascii_strtod (text, &end);
  if (end != text && *end == '\0')
    return json_node_init_double (json_node_alloc (), number);

  return json_node_init_string (json_node_alloc (), text);
}

static JsonNode *
parse_node (yaml_parser_t *parser,
            yaml_event_t  *first)
{
  yaml_event_t event;

  if (first->type == YAML_SCALAR_EVENT)
    return scalar_to_node (first);

  if (first->type == YAML_SEQUENCE_START_EVENT)
    {
      JsonArray *array = json_array_new ();

      for (;;)
        {
          g_assert_true (yaml_parser_parse (parser, &event));
          if (event.type == YAML_SEQUENCE_END_EVENT)
            {
              yaml_event_delete (&event);
              break;
            }
          json_array_add_element (array, parse_node (parser, &event));
          yaml_event_delete (&event);
        }

      return json_node_init_array (json_node_alloc (), array);
    }

  if (first->type == YAML_MAPPING_START_EVENT)
    {
      JsonObject *object = json_object_new ();

      for (;;)
        {
          g_autofree char *key = NULL;

          g_assert_true (yaml_parser_parse (parser, &event));
          if (event.type == YAML_MAPPING_END_EVENT)
            {
              yaml_event_delete (&event);
              break;
            }
          g_assert_cmpint (event.type, ==, YAML_SCALAR_EVENT);
          key = g_strdup ((const char *) event.data.scalar.value);
          yaml_event_delete (&event);

          g_assert_true (yaml_parser_parse (parser, &event));
          g_assert_false (json_object_has_member (object, key));
          json_object_set_member (object, key, parse_node (parser, &event));
          yaml_event_delete (&event);
        }

      return json_node_init_object (json_node_alloc (), object);
    }

  g_assert_not_reached ();
}

static JsonNode *
parse_yaml_file (const char *path)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  yaml_parser_t parser;
  yaml_event_t event;
  JsonNode *root = NULL;
  gsize length;

  g_file_get_contents (path, &text, &length, &error);
  g_assert_no_error (error);

  g_assert_true (yaml_parser_initialize (&parser));
  yaml_parser_set_input_string (&parser, (const unsigned char *) text, length);
  for (;;)
    {
      g_assert_true (yaml_parser_parse (&parser, &event));
      if (event.type == YAML_STREAM_END_EVENT)
        {
          yaml_event_delete (&event);
          break;
        }
      if (event.type == YAML_SCALAR_EVENT || event.type == YAML_MAPPING_START_EVENT ||
          event.type == YAML_SEQUENCE_START_EVENT)
        {
          g_assert_null (root);   /* one document */
          root = parse_node (&parser, &event);
        }
      yaml_event_delete (&event);
    }
  yaml_parser_delete (&parser);

  g_assert_nonnull (root);
  return root;
}

static JsonObject *
get_path (JsonNode   *root,
          const char *dotted)
{
  g_auto(GStrv) parts = g_strsplit (dotted, ".", -1);
  JsonNode *node = root;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
      node = json_object_get_member (json_node_get_object (node), parts[i]);
      g_assert_nonnull (node);
    }

  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

/* Reference resolution, as `databricks bundle deploy` does -------------------- */

typedef struct
{
  JsonObject *variables;   /* databricks.yml variables */
  JsonObject *resources;   /* merged resources: type → key → mapping */
} Bundle;

static char *
resolve_string (Bundle     *bundle,
                const char *text)
{
  GString *out = g_string_new (NULL);
  const char *p = text;

  while (*p != '\0')
    {
      const char *end;

      if (!g_str_has_prefix (p, "${") || (end = strchr (p, '}')) == NULL)
        {
          g_string_append_c (out, *p++);
          continue;
        }

      {
        g_autofree char *reference = g_strndup (p + 2, end - p - 2);
        g_auto(GStrv) parts = g_strsplit (reference, ".", -1);

        if (g_str_equal (parts[0], "var"))
          {
            g_assert_cmpuint (g_strv_length (parts), ==, 2);
            g_assert_true (json_object_has_member (bundle->variables, parts[1]));
            g_string_append (out, json_object_get_string_member (json_object_get_object_member (
                                    bundle->variables, parts[1]), "default"));
          }
        else
          {
            JsonObject *mapping;

            /* ${resources.TYPE.KEY.FIELD}: an input field of another resource */
            g_assert_cmpstr (parts[0], ==, "resources");
            g_assert_cmpuint (g_strv_length (parts), ==, 4);
            mapping = json_object_get_object_member (json_object_get_object_member (bundle->resources, parts[1]),
                                                     parts[2]);
            g_assert_nonnull (mapping);
            g_string_append (out, json_object_get_string_member (mapping, parts[3]));
          }
      }
      p = end + 1;
    }

  return g_string_free (out, FALSE);
}

static gboolean
resolve_node (Bundle   *bundle,
              JsonNode *node)
{
  gboolean changed = FALSE;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autoptr(GList) members = json_object_get_members (json_node_get_object (node));

      for (GList *l = members; l != NULL; l = l->next)
        changed |= resolve_node (bundle, json_object_get_member (json_node_get_object (node), l->data));
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        changed |= resolve_node (bundle, json_array_get_element (array, i));
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
           strstr (json_node_get_string (node), "${") != NULL)
    {
      g_autofree char *resolved = resolve_string (bundle, json_node_get_string (node));

      json_node_set_string (node, resolved);
      changed = TRUE;
    }

  return changed;
}

/* Field-by-field comparison ----------------------------------------------------- */

static void
assert_same (JsonNode   *expected,
             JsonNode   *actual,
             const char *where)
{
  if (JSON_NODE_HOLDS_OBJECT (expected))
    {
      JsonObject *e = json_node_get_object (expected);
      JsonObject *a;
      g_autoptr(GList) members = json_object_get_members (e);

      if (!JSON_NODE_HOLDS_OBJECT (actual))
        g_error ("%s: a mapping was expected", where);
      a = json_node_get_object (actual);
      if (json_object_get_size (a) != json_object_get_size (e))
        g_error ("%s: %u fields in the bundle, %u in the API body", where,
                 json_object_get_size (a), json_object_get_size (e));
      for (GList *l = members; l != NULL; l = l->next)
        {
          g_autofree char *child = g_strdup_printf ("%s.%s", where, (char *) l->data);

          if (!json_object_has_member (a, l->data))
            g_error ("%s: missing from the bundle", child);
          assert_same (json_object_get_member (e, l->data), json_object_get_member (a, l->data), child);
        }
      return;
    }

  if (JSON_NODE_HOLDS_ARRAY (expected))
    {
      JsonArray *e = json_node_get_array (expected);
      JsonArray *a;

      if (!JSON_NODE_HOLDS_ARRAY (actual))
        g_error ("%s: a list was expected", where);
      a = json_node_get_array (actual);
      g_assert_cmpuint (json_array_get_length (a), ==, json_array_get_length (e));
      for (guint i = 0; i < json_array_get_length (e); i++)
        {
          g_autofree char *child = g_strdup_printf ("%s[%u]", where, i);

          assert_same (json_array_get_element (e, i), json_array_get_element (a, i), child);
        }
      return;
    }

  if (!JSON_NODE_HOLDS_VALUE (actual))
    g_error ("%s: a value was expected", where);

  switch (json_node_get_value_type (expected))
    {
    case G_TYPE_STRING:
      if (json_node_get_value_type (actual) != G_TYPE_STRING)
        g_error ("%s: “%s” does not read back as text", where, json_node_get_string (expected));
      if (g_strcmp0 (json_node_get_string (expected), json_node_get_string (actual)) != 0)
        g_error ("%s: “%s” in the bundle, “%s” in the API body", where,
                 json_node_get_string (actual), json_node_get_string (expected));
      break;
    case G_TYPE_BOOLEAN:
      g_assert_cmpint (json_node_get_value_type (actual), ==, G_TYPE_BOOLEAN);
      g_assert_cmpint (json_node_get_boolean (actual), ==, json_node_get_boolean (expected));
      break;
    case G_TYPE_INT64:
      g_assert_cmpint (json_node_get_value_type (actual), ==, G_TYPE_INT64);
      g_assert_cmpint (json_node_get_int (actual), ==, json_node_get_int (expected));
      break;
    case G_TYPE_DOUBLE:
      /* The schema types CU limits as floats: they must read back as such. */
      g_assert_cmpint (json_node_get_value_type (actual), ==, G_TYPE_DOUBLE);
      g_assert_cmpfloat (json_node_get_double (actual), ==, json_node_get_double (expected));
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Fixture ---------------------------------------------------------------------------- */

typedef struct
{
  char       *dir;
  LbWorkload *workload;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *sample = g_build_filename (g_getenv ("LB_SAMPLES_DIR"), "workload.yml", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (sample);
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("lb-test-bundle-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->workload = lb_workload_new_from_file (file, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  lb_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_assert_finalize_object (fixture->workload);
}

static LbDeploymentPlan *
make_plan (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  LbDeploymentPlan *plan = lb_deployment_plan_new (fixture->workload, NULL, &error);

  g_assert_no_error (error);
  return plan;
}

static char *
read_text (Fixture    *fixture,
           const char *relative)
{
  g_autofree char *path = g_build_filename (fixture->dir, relative, NULL);
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* Writes the bundle, reads every file back and checks that each plan
 * resource with a body is declared with exactly that body. */
static void
check_round_trip (Fixture          *fixture,
                  LbDeploymentPlan *plan,
                  const char       *host)
{
  g_autoptr(LbBundleWriter) writer = lb_bundle_writer_new (plan);
  g_autoptr(GFile) dir = g_file_new_for_path (fixture->dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) databricks = NULL;
  g_autoptr(GPtrArray) documents = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr(JsonObject) merged = json_object_new ();
  g_auto(GStrv) files = NULL;
  g_autofree char *databricks_path = g_build_filename (fixture->dir, "databricks.yml", NULL);
  g_autofree char *readme = NULL;
  g_autofree char *expected_line = NULL;
  GListModel *resources = lb_deployment_plan_get_resources (plan);
  JsonObject *target;
  JsonArray *include;
  Bundle bundle;
  guint declared = 0;
  guint with_body = 0;
  gboolean changed;
  guint passes = 0;

  g_object_set (writer, "host", host, "source-name", "workload.yml", NULL);
  g_assert_true (lb_bundle_writer_write (writer, dir, &error));
  g_assert_no_error (error);

  /* databricks.yml */
  databricks = parse_yaml_file (databricks_path);
  g_assert_cmpstr (json_object_get_string_member (get_path (databricks, "bundle"), "name"), ==,
                   "lakebase-retail-serving");
  include = json_object_get_array_member (json_node_get_object (databricks), "include");
  g_assert_cmpuint (json_array_get_length (include), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (include, 0), ==, "resources/*.yml");
  target = get_path (databricks, "targets.default");
  g_assert_true (json_object_get_boolean_member (target, "default"));
  if (host != NULL)
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (target, "workspace"), "host"),
                     ==, host);
  else
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (target, "workspace"), "profile"),
                     ==, "DEFAULT");
  bundle.variables = get_path (databricks, "variables");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (bundle.variables, "instance_name"),
                                                  "default"), ==, "retail-serving");

  /* README: how to deploy */
  readme = read_text (fixture, "README.md");
  expected_line = g_strdup_printf ("databricks bundle deploy -t %s", lb_bundle_writer_get_target (writer));
  g_assert_nonnull (strstr (readme, expected_line));

  /* Every resources/ file, merged as the CLI merges includes. */
  files = lb_bundle_writer_list_files (writer);
  for (guint i = 0; files[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (fixture->dir, files[i], NULL);
      JsonNode *document;
      JsonObject *by_type;
      g_autoptr(GList) types = NULL;

      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
      if (!g_str_has_prefix (files[i], "resources/"))
        continue;

      document = parse_yaml_file (path);
      g_ptr_array_add (documents, document);
      by_type = get_path (document, "resources");
      types = json_object_get_members (by_type);
      for (GList *l = types; l != NULL; l = l->next)
        {
          JsonObject *by_key = json_object_get_object_member (by_type, l->data);
          g_autoptr(GList) keys = json_object_get_members (by_key);

          if (!json_object_has_member (merged, l->data))
            json_object_set_object_member (merged, l->data, json_object_new ());
          for (GList *k = keys; k != NULL; k = k->next)
            {
              json_object_set_member (json_object_get_object_member (merged, l->data), k->data,
                                      json_node_copy (json_object_get_member (by_key, k->data)));
              declared++;
            }
        }
    }

  /* Resolve until nothing changes (references may chain). */
  bundle.resources = merged;
  do
    {
      g_autoptr(JsonNode) root = json_node_init_object (json_node_alloc (), merged);

      changed = resolve_node (&bundle, root);
      g_assert_cmpuint (++passes, <, 5);
    }
  while (changed);

  for (guint i = 0; i < g_list_model_get_n_items (resources); i++)
    {
      g_autoptr(LbDeploymentResource) resource = g_list_model_get_item (resources, i);
      g_autofree char *key = lb_bundle_writer_dup_resource_key (writer, resource);
      const char *type = lb_bundle_writer_get_resource_type (resource);
      JsonNode *body = lb_deployment_resource_get_body (resource);
      g_autoptr(JsonNode) as_api = NULL;
      JsonObject *mapping;

      if (body == NULL)
        {
          /* Branch and endpoint: implicit children, not declared. */
          g_assert_null (key);
          continue;
        }
      with_body++;

      g_assert_true (json_object_has_member (merged, type));
      g_assert_true (json_object_has_member (json_object_get_object_member (merged, type), key));
      mapping = json_object_get_object_member (json_object_get_object_member (merged, type), key);

      if (lb_deployment_resource_get_flavour (resource) == LB_FLAVOUR_PROVISIONED)
        {
          as_api = json_node_init_object (json_node_alloc (), json_object_ref (mapping));
        }
      else
        {
          const char * const *query = lb_deployment_resource_get_create_query (resource);
          JsonObject *spec = json_object_new ();
          JsonObject *wrapper = json_object_new ();
          g_autoptr(GList) members = json_object_get_members (mapping);

          /* The id goes in the create call's query, the parent in its
           * path, the rest in "spec". */
          g_assert_nonnull (query);
          g_assert_cmpstr (json_object_get_string_member (mapping, query[0]), ==, query[1]);
          if (json_object_has_member (mapping, "parent"))
            {
              const char *create_path = lb_deployment_resource_get_create_path (resource);
              g_autofree char *parent = g_strndup (create_path + strlen ("/api/2.0/postgres/"),
                                                   strrchr (create_path, '/') - create_path - strlen ("/api/2.0/postgres/"));

              g_assert_cmpstr (json_object_get_string_member (mapping, "parent"), ==, parent);
            }
          for (GList *l = members; l != NULL; l = l->next)
            {
              if (!g_str_equal (l->data, query[0]) && !g_str_equal (l->data, "parent"))
                json_object_set_member (spec, l->data, json_node_copy (json_object_get_member (mapping, l->data)));
            }
          json_object_set_object_member (wrapper, "spec", spec);
          as_api = json_node_init_object (json_node_alloc (), wrapper);
        }

      {
        g_autofree char *where = g_strdup_printf ("%s.%s", type, key);

        assert_same (body, as_api, where);
      }
    }

  /* Nothing declared that the plan does not have. */
  g_assert_cmpuint (declared, ==, with_body);
  g_assert_cmpuint (with_body, >=, 5);
}

static void
test_provisioned (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(LbDeploymentPlan) plan = NULL;
  g_autofree char *instance = NULL;

  lb_workload_set_flavour (fixture->workload, LB_FLAVOUR_PROVISIONED);
  plan = make_plan (fixture);
  check_round_trip (fixture, plan, HOST);

  /* The provisioned resource types, and the references that order the
   * CLI's creates. */
  instance = read_text (fixture, "resources/instance.yml");
  g_assert_nonnull (strstr (instance, "database_instances:"));
  g_assert_nonnull (strstr (instance, "name: ${var.instance_name}"));
  g_assert_true (g_str_has_prefix (instance, "# "));
  {
    g_autofree char *catalog = read_text (fixture, "resources/catalog.yml");
    g_autofree char *tables = read_text (fixture, "resources/synced_tables.yml");

    g_assert_nonnull (strstr (catalog, "database_catalogs:"));
    g_assert_nonnull (strstr (catalog, "database_instance_name: ${resources.database_instances.retail_serving.name}"));
    g_assert_nonnull (strstr (tables, "synced_database_tables:"));
    g_assert_nonnull (strstr (tables, "${resources.database_catalogs.retail_pg.name}.public.order_lines"));
  }
}

static void
test_autoscaling (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(LbDeploymentPlan) plan = NULL;
  g_autofree char *project = NULL;
  g_autofree char *tables = NULL;
  g_autofree char *instance_path = NULL;

  g_assert_cmpint (lb_workload_get_flavour (fixture->workload), ==, LB_FLAVOUR_AUTOSCALING);
  plan = make_plan (fixture);
  check_round_trip (fixture, plan, NULL);

  project = read_text (fixture, "resources/project.yml");
  g_assert_nonnull (strstr (project, "postgres_projects:"));
  g_assert_nonnull (strstr (project, "project_id: ${var.instance_name}"));
  g_assert_nonnull (strstr (project, "Beta"));
  tables = read_text (fixture, "resources/synced_tables.yml");
  g_assert_nonnull (strstr (tables, "postgres_synced_tables:"));
  g_assert_nonnull (strstr (tables, "branch: projects/${resources.postgres_projects.retail_serving.project_id}/branches/production"));
  instance_path = g_build_filename (fixture->dir, "resources", "instance.yml", NULL);
  g_assert_false (g_file_test (instance_path, G_FILE_TEST_EXISTS));
}

/* Another branch than production: declared with its endpoint, made from
 * production, and every resource on it refers to it (so the CLI creates
 * the branch, then its endpoint and the catalog, then the tables). */
static void
test_autoscaling_branch (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(LbDeploymentPlan) plan = NULL;
  g_autofree char *branch = NULL;
  g_autofree char *endpoint = NULL;
  g_autofree char *catalog = NULL;
  g_autofree char *tables = NULL;
  g_autofree char *readme = NULL;
  const char *ref = "projects/${resources.postgres_projects.retail_serving.project_id}/branches/"
                    "${resources.postgres_branches.load_test.branch_id}";

  lb_workload_set_branch (fixture->workload, "load-test");
  plan = make_plan (fixture);
  check_round_trip (fixture, plan, NULL);

  branch = read_text (fixture, "resources/branch.yml");
  g_assert_nonnull (strstr (branch, "postgres_branches:"));
  g_assert_nonnull (strstr (branch, "branch_id: load-test"));
  g_assert_nonnull (strstr (branch, "parent: projects/${resources.postgres_projects.retail_serving.project_id}"));
  g_assert_nonnull (strstr (branch, "source_branch: projects/${resources.postgres_projects.retail_serving.project_id}/branches/production"));
  endpoint = read_text (fixture, "resources/endpoint.yml");
  g_assert_nonnull (strstr (endpoint, "postgres_endpoints:"));
  g_assert_nonnull (strstr (endpoint, "endpoint_type: ENDPOINT_TYPE_READ_WRITE"));
  g_assert_nonnull (strstr (endpoint, ref));
  catalog = read_text (fixture, "resources/catalog.yml");
  g_assert_nonnull (strstr (catalog, ref));
  tables = read_text (fixture, "resources/synced_tables.yml");
  g_assert_nonnull (strstr (tables, ref));
  g_assert_null (strstr (tables, "branches/production"));
  readme = read_text (fixture, "README.md");
  g_assert_nonnull (strstr (readme, "“load-test”"));
}

static void
test_quoting (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(LbDeploymentPlan) plan = NULL;

  /* Names YAML would read as numbers or booleans stay text. */
  lb_workload_set_flavour (fixture->workload, LB_FLAVOUR_PROVISIONED);
  lb_workload_set_storage_catalog (fixture->workload, "true");
  lb_workload_set_storage_schema (fixture->workload, "2024");
  lb_workload_set_database_name (fixture->workload, "1e3");
  plan = make_plan (fixture);
  check_round_trip (fixture, plan, HOST);
}

static void
test_overwrite_and_errors (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(LbDeploymentPlan) plan = make_plan (fixture);
  g_autoptr(LbBundleWriter) writer = lb_bundle_writer_new (plan);
  g_autofree char *nested = g_build_filename (fixture->dir, "a", "b", NULL);
  g_autoptr(GFile) dir = g_file_new_for_path (nested);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *blocker_path = g_build_filename (fixture->dir, "file", NULL);
  g_autoptr(GFile) blocked = NULL;

  /* Missing folders are created. */
  g_assert_true (lb_bundle_writer_write (writer, dir, &error));
  g_assert_no_error (error);

  /* A second write does not silently replace the user's edits… */
  g_assert_false (lb_bundle_writer_write (writer, dir, &error));
  g_assert_error (error, LB_BUNDLE_WRITER_ERROR, LB_BUNDLE_WRITER_ERROR_EXISTS);
  g_clear_error (&error);

  /* …unless asked to. */
  g_object_set (writer, "overwrite", TRUE, "target", "Prod Env", NULL);
  g_assert_true (lb_bundle_writer_write (writer, dir, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (lb_bundle_writer_get_target (writer), ==, "prod_env");

  text = lb_bundle_writer_render (writer, "resources/nope.yml", &error);
  g_assert_null (text);
  g_assert_error (error, LB_BUNDLE_WRITER_ERROR, LB_BUNDLE_WRITER_ERROR_NO_FILE);
  g_clear_error (&error);

  /* A folder that cannot be made: a plain file is in the way. */
  g_assert_true (g_file_set_contents (blocker_path, "x", -1, NULL));
  blocked = g_file_new_for_path (blocker_path);
  g_assert_false (lb_bundle_writer_write (writer, blocked, &error));
  g_assert_error (error, LB_BUNDLE_WRITER_ERROR, LB_BUNDLE_WRITER_ERROR_IO);
}

typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
} WriteResult;

static void
write_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  WriteResult *r = user_data;

  r->ok = lb_bundle_writer_write_finish (LB_BUNDLE_WRITER (object), result, &r->error);
  r->done = TRUE;
}

static void
test_async (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(LbDeploymentPlan) plan = make_plan (fixture);
  g_autoptr(LbBundleWriter) writer = lb_bundle_writer_new (plan);
  g_autoptr(GFile) dir = g_file_new_for_path (fixture->dir);
  g_autofree char *path = g_build_filename (fixture->dir, "resources", "project.yml", NULL);
  WriteResult r = { 0, };

  lb_bundle_writer_write_async (writer, dir, NULL, write_done_cb, &r);
  lb_test_spin_until (&r.done, 30);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
}

#define FIXTURE_TEST(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  lb_core_init ();

  FIXTURE_TEST ("/bundle-writer/provisioned", test_provisioned);
  FIXTURE_TEST ("/bundle-writer/autoscaling", test_autoscaling);
  FIXTURE_TEST ("/bundle-writer/autoscaling-branch", test_autoscaling_branch);
  FIXTURE_TEST ("/bundle-writer/quoting", test_quoting);
  FIXTURE_TEST ("/bundle-writer/overwrite-and-errors", test_overwrite_and_errors);
  FIXTURE_TEST ("/bundle-writer/async", test_async);

  return g_test_run ();
}
