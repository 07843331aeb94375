/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Deploy page's branch picker: the autoscaling project's branches are
 * listed once signed in (GET …/projects/{p}/branches), so the plan group can
 * offer them; a project not there yet gets free entry. The chosen branch goes
 * into the workload (lakebase_accelerator.branch), which rebuilds the plan.
 * On a branch that exists, its read-write endpoint is looked up too: one
 * made elsewhere has its own id (lakebase_accelerator.endpoint), and a
 * branch has only one. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "lb-deploy-page-private.h"

static void
endpoints_listed_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(LbDeployPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) endpoints = NULL;

  endpoints = lb_databricks_client_list_finish (LB_DATABRICKS_CLIENT (object), result, &error);
  if (endpoints == NULL || self->workload == NULL)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Could not list the branch's endpoints: %s", error->message);
      return;
    }

  for (guint i = 0; i < json_array_get_length (endpoints); i++)
    {
      JsonNode *node = json_array_get_element (endpoints, i);
      JsonObject *endpoint = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonObject *status = endpoint != NULL && json_object_has_member (endpoint, "status")
        ? json_object_get_object_member (endpoint, "status") : NULL;
      JsonObject *spec = endpoint != NULL && json_object_has_member (endpoint, "spec")
        ? json_object_get_object_member (endpoint, "spec") : NULL;
      const char *type = status != NULL ? json_object_get_string_member_with_default (status, "endpoint_type", NULL) : NULL;
      const char *name = endpoint != NULL ? json_object_get_string_member_with_default (endpoint, "name", NULL) : NULL;
      const char *id = name != NULL ? strrchr (name, '/') : NULL;

      if (type == NULL && spec != NULL)
        type = json_object_get_string_member_with_default (spec, "endpoint_type", NULL);
      if (g_strcmp0 (type, "ENDPOINT_TYPE_READ_WRITE") != 0 || id == NULL || id[1] == '\0')
        continue;

      /* The plan then adopts it instead of making a second one. */
      if (g_strcmp0 (id + 1, lb_workload_get_endpoint (self->workload)) != 0 &&
          lb_deployment_plan_branch_id_is_valid (id + 1, NULL))
        {
          lb_workload_set_endpoint (self->workload, id + 1);
          _lb_deploy_page_rebuild_plan (self);
        }
      return;
    }
}

static void
list_endpoints (LbDeployPage *self)
{
  LbDatabricksClient *client = lb_workspace_group_get_client (self->workspace_group);
  g_autofree char *path = NULL;

  if (client == NULL || self->plan == NULL)
    return;
  path = g_strconcat ("/api/2.0/postgres/projects/", lb_deployment_plan_get_instance_name (self->plan),
                      "/branches/", lb_deployment_plan_get_branch (self->plan), "/endpoints", NULL);
  lb_databricks_client_list_async (client, path, NULL, "endpoints", self->branches_cancellable,
                                   endpoints_listed_cb, g_object_ref (self));
}

static void
branches_listed_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(LbDeployPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) branches = NULL;
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
  g_auto(GStrv) strv = NULL;

  branches = lb_databricks_client_list_finish (LB_DATABRICKS_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->plan_group == NULL)
    return;
  if (branches == NULL)
    {
      /* Missing project (404): free entry. Anything else: the same, quietly;
       * the deployment itself reports what is wrong. */
      if (!g_error_matches (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NOT_FOUND))
        g_debug ("Could not list the project's branches: %s", error->message);
      lb_deploy_plan_group_set_branches (self->plan_group, NULL);
      return;
    }

  for (guint i = 0; i < json_array_get_length (branches); i++)
    {
      JsonNode *node = json_array_get_element (branches, i);
      const char *name = JSON_NODE_HOLDS_OBJECT (node)
        ? json_object_get_string_member_with_default (json_node_get_object (node), "name", NULL) : NULL;
      const char *id = name != NULL ? strrchr (name, '/') : NULL;

      if (id != NULL && id[1] != '\0')
        g_strv_builder_add (ids, id + 1);
    }
  strv = g_strv_builder_end (ids);
  /* A project has at least its default branch: none listed tells nothing. */
  lb_deploy_plan_group_set_branches (self->plan_group, strv[0] != NULL ? (const char * const *) strv : NULL);
  if (self->plan != NULL && g_strv_contains ((const char * const *) strv, lb_deployment_plan_get_branch (self->plan)))
    list_endpoints (self);
}

void
_lb_deploy_page_list_branches (LbDeployPage *self)
{
  LbDatabricksClient *client = lb_workspace_group_get_client (self->workspace_group);
  g_autofree char *path = NULL;

  g_assert (LB_IS_DEPLOY_PAGE (self));

  g_cancellable_cancel (self->branches_cancellable);
  g_clear_object (&self->branches_cancellable);

  /* Only a signed-in workspace can tell whether the project exists. */
  if (self->plan == NULL || lb_deployment_plan_get_flavour (self->plan) != LB_FLAVOUR_AUTOSCALING ||
      client == NULL || lb_workspace_group_get_user_name (self->workspace_group) == NULL)
    {
      lb_deploy_plan_group_set_branches (self->plan_group, NULL);
      return;
    }

  self->branches_cancellable = g_cancellable_new ();
  path = g_strconcat ("/api/2.0/postgres/projects/", lb_deployment_plan_get_instance_name (self->plan),
                      "/branches", NULL);
  lb_databricks_client_list_async (client, path, NULL, "branches", self->branches_cancellable,
                                   branches_listed_cb, g_object_ref (self));
}

void
_lb_deploy_page_branch_chosen_cb (LbDeployPage *self,
                                  const char   *branch)
{
  g_assert (LB_IS_DEPLOY_PAGE (self));

  if (self->workload == NULL)
    return;

  lb_workload_set_branch (self->workload, branch);
  /* Another branch, another endpoint: the default until the branch's own
   * is found (when the branch exists). */
  lb_workload_set_endpoint (self->workload, "primary");
  /* Show it now rather than after the typing delay. */
  _lb_deploy_page_rebuild_plan (self);
}
