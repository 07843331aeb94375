/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Deployment runner, teardown: each step DELETEs its resource and polls until
 * it is gone; and the look for what of a plan already exists (Tear Down is
 * offered only then). Part of LbDeploymentRunner (lb-deployment-runner-private.h). */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lb-deployment-runner-private.h"

/* ---- Teardown ---- */

static void
deleted_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  g_autoptr(JsonNode) answer = NULL;
  GError *error = NULL;

  answer = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (source), result, &error);
  if (answer == NULL)
    {
      if (g_error_matches (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NOT_FOUND))
        {
          g_error_free (error);
          _lb_deployment_step_set_fraction (job->step, 1);
          _lb_deployment_step_set_status (job->step, _("Already gone"));
          _lb_deployment_step_log (job->step, _("Already gone"));
          _lb_deployment_step_set_state (job->step, LB_DEPLOYMENT_STEP_SKIPPED);
          _lb_runner_job_end (job, NULL);
          return;
        }
      _lb_runner_retry_or_fail (job, error, _lb_runner_teardown_delete);
      return;
    }

  if (lb_deployment_resource_get_flavour (job->resource) == LB_FLAVOUR_AUTOSCALING &&
      (error = _lb_runner_operation_error (job, answer)) != NULL)
    {
      /* Done at once, but failed: not "Deleted". */
      _lb_runner_fail_step (job, error);
      return;
    }

  if (lb_deployment_resource_get_flavour (job->resource) == LB_FLAVOUR_AUTOSCALING &&
      _lb_runner_json_string_at (answer, "name", NULL) != NULL && !_lb_runner_json_bool_member (answer, "done"))
    {
      job->operation = g_strdup (_lb_runner_json_string_at (answer, "name", NULL));
      _lb_deployment_step_set_status (job->step, _("Waiting for the deletion to finish…"));
      _lb_runner_poll_later (job, _lb_runner_operation_poll);
      return;
    }

  _lb_runner_finish_step (job, LB_DEPLOYMENT_STEP_DONE, _lb_runner_deleted_status (job));
}

/* What a finished delete says: a project deleted without purge can be restored. */
const char *
_lb_runner_deleted_status (Job *job)
{
  LbDeploymentRunner *self = _lb_runner_job_runner (job);

  if (lb_deployment_resource_get_kind (job->resource) == LB_DEPLOYMENT_RESOURCE_PROJECT && !self->purge)
    return _("Deleted: it can be restored for 7 days");
  if (lb_deployment_resource_get_kind (job->resource) == LB_DEPLOYMENT_RESOURCE_PROJECT)
    return _("Deleted permanently");
  return _("Deleted");
}

void
_lb_runner_teardown_delete (Job *job)
{
  LbDeploymentRunner *self = _lb_runner_job_runner (job);
  const char *purge[] = { "purge", "true", NULL };
  LbDeploymentResourceKind kind = lb_deployment_resource_get_kind (job->resource);
  /* An instance's purge is deprecated (only true is accepted); a project
   * without it is soft-deleted (restorable for 7 days), with it gone for
   * good: only when the user chose that. */
  gboolean send_purge = kind == LB_DEPLOYMENT_RESOURCE_INSTANCE ||
                        (kind == LB_DEPLOYMENT_RESOURCE_PROJECT && self->purge);

  if (lb_deployment_step_get_deadline (job->step) == 0)
    _lb_deployment_step_set_deadline (job->step,
                                      g_get_monotonic_time () + (gint64) self->wait_timeout_s * G_USEC_PER_SEC,
                                      FALSE);
  _lb_deployment_step_set_status (job->step, _("Deleting…"));
  lb_databricks_client_call_async (self->client, "DELETE", lb_deployment_resource_get_path (job->resource),
                                   send_purge ? purge : NULL, NULL, LB_CALL_IDEMPOTENT,
                                   _lb_runner_job_cancellable (job), deleted_cb, _lb_runner_job_ref (job));
}

/* ---- Looking for what exists ---- */

typedef struct
{
  GPtrArray *resources;   /* LbDeploymentResource, in the order to look */
  guint      index;
} FindExisting;

static void
find_existing_free (gpointer data)
{
  FindExisting *find = data;

  g_ptr_array_unref (find->resources);
  g_free (find);
}

static void find_existing_next (GTask *task);

static void
find_existing_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FindExisting *find = g_task_get_task_data (task);
  g_autoptr(JsonNode) json = NULL;
  GError *error = NULL;

  json = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (source), result, &error);
  if (json != NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (!g_error_matches (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NOT_FOUND))
    {
      g_task_return_error (task, error);
      return;
    }
  g_error_free (error);
  find->index++;
  find_existing_next (task);
}

static void
find_existing_next (GTask *task)
{
  LbDeploymentRunner *self = g_task_get_source_object (task);
  FindExisting *find = g_task_get_task_data (task);
  LbDeploymentResource *resource;

  if (find->index >= find->resources->len)
    {
      g_task_return_boolean (task, FALSE);
      return;
    }
  resource = g_ptr_array_index (find->resources, find->index);
  lb_databricks_client_call_async (self->client, "GET", lb_deployment_resource_get_path (resource), NULL, NULL,
                                   LB_CALL_IDEMPOTENT, g_task_get_cancellable (task), find_existing_cb,
                                   g_object_ref (task));
}

void
lb_deployment_runner_find_existing_async (LbDeploymentRunner  *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GListModel *resources;
  FindExisting *find;

  g_return_if_fail (LB_IS_DEPLOYMENT_RUNNER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_deployment_runner_find_existing_async);

  /* What a teardown would delete: the compute first (it holds the rest),
   * then the catalog, which may outlive it. */
  find = g_new0 (FindExisting, 1);
  find->resources = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (find->resources, g_object_ref (lb_deployment_plan_get_compute (self->plan)));
  resources = lb_deployment_plan_get_resources (self->plan);
  for (guint i = 0; i < g_list_model_get_n_items (resources); i++)
    {
      g_autoptr(LbDeploymentResource) resource = g_list_model_get_item (resources, i);

      if (lb_deployment_resource_get_kind (resource) == LB_DEPLOYMENT_RESOURCE_CATALOG)
        g_ptr_array_add (find->resources, g_steal_pointer (&resource));
    }
  g_task_set_task_data (task, find, find_existing_free);
  find_existing_next (task);
}

gboolean
lb_deployment_runner_find_existing_finish (LbDeploymentRunner  *self,
                                           GAsyncResult        *result,
                                           GError             **error)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_RUNNER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
