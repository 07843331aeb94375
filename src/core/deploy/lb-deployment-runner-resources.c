/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Deployment runner, the resource steps: who signs in, then for each resource
 * of either flavour a GET that decides (adopt, wait, create), the create, and
 * the polls that follow (autoscaling operations, readiness). Part of
 * LbDeploymentRunner (lb-deployment-runner-private.h). */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "lb-deployment-runner-private.h"

/* Creates answered ABORTED (or "exists" while the GET finds nothing) this
 * many times end the step: each is followed by a backoff, so with the
 * default 1 s … 30 s this is minutes, well inside the step's deadline. */
#define MAX_REFUSALS 10

typedef enum
{
  READY,
  WAITING,
  BROKEN,
} Readiness;

/* ---- Identity ---- */

static void
identity_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  LbDeploymentRunner *self = _lb_runner_job_runner (job);
  g_autoptr(JsonNode) me = NULL;
  g_autofree char *status = NULL;
  GError *error = NULL;
  const char *user_name;

  me = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (source), result, &error);
  if (me == NULL)
    {
      _lb_runner_retry_or_fail (job, error, _lb_runner_identity_start);
      return;
    }

  user_name = _lb_runner_json_string_at (me, "userName", NULL);
  if (user_name == NULL)
    {
      _lb_runner_fail_step (job, g_error_new_literal (LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_MALFORMED,
                                                      _("The workspace did not say who you are (no userName in SCIM Me).")));
      return;
    }

  _lb_runner_set_string_prop (self, &self->user_name, user_name, PROP_USER_NAME);
  _lb_runner_set_string_prop (self, &self->workspace_host,
                              lb_databricks_auth_get_host (lb_databricks_client_get_auth (self->client)),
                              PROP_WORKSPACE_HOST);

  status = g_strdup_printf (_("Signed in as %s on %s"), self->user_name, self->workspace_host);
  _lb_runner_finish_step (job, LB_DEPLOYMENT_STEP_DONE, status);
}

void
_lb_runner_identity_start (Job *job)
{
  LbDeploymentRunner *self = _lb_runner_job_runner (job);

  _lb_deployment_step_set_status (job->step, _("Checking who you are…"));
  lb_databricks_client_call_async (self->client, "GET", "/api/2.0/preview/scim/v2/Me", NULL, NULL,
                                   LB_CALL_IDEMPOTENT, _lb_runner_job_cancellable (job),
                                   identity_cb, _lb_runner_job_ref (job));
}

/* ---- Resources: readiness ---- */

/* A number down a path of members, also when sent as a string (int64s in
 * proto JSON often are); -1 when absent. */
static double
number_at (JsonNode   *node,
           const char *first,
           ...)
{
  const char *name = first;
  va_list args;

  va_start (args, first);
  while (name != NULL && node != NULL)
    {
      JsonObject *obj = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

      node = obj != NULL && json_object_has_member (obj, name) ? json_object_get_member (obj, name) : NULL;
      name = va_arg (args, const char *);
    }
  va_end (args);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return -1;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      return (double) json_node_get_int (node);
    case G_TYPE_DOUBLE:
      return json_node_get_double (node);
    case G_TYPE_STRING:
      {
        const char *text = json_node_get_string (node);
        char *end = NULL;
        double value = g_ascii_strtod (text, &end);

        return end != text ? value : -1;
      }
    default:
      return -1;
    }
}

/* 1234567 → "1,234,567" (the separator is translatable). */
static char *
group_digits (double value)
{
  g_autofree char *digits = g_strdup_printf ("%.0f", MAX (value, 0));
  /* Translators: the thousands separator in row counts ("1,234,567 rows") */
  const char *separator = C_("thousands separator", ",");
  GString *out = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append (out, separator);
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

/* The progress object of a synced table, wherever its flavour and state put it. */
static JsonNode *
sync_progress (JsonNode *json,
               gboolean  provisioned)
{
  const char *paths[][3] = {
    { "data_synchronization_status", "provisioning_status", "initial_pipeline_sync_progress" },
    { "data_synchronization_status", "continuous_update_status", "initial_pipeline_sync_progress" },
    { "data_synchronization_status", "triggered_update_status", "triggered_update_progress" },
    { "status", "ongoing_sync_progress", NULL },
  };

  for (guint i = provisioned ? 0 : 3; i < (provisioned ? 3 : 4); i++)
    {
      JsonNode *node = json;

      for (guint j = 0; j < 3 && paths[i][j] != NULL && node != NULL; j++)
        {
          JsonObject *obj = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

          node = obj != NULL && json_object_has_member (obj, paths[i][j])
            ? json_object_get_member (obj, paths[i][j]) : NULL;
        }
      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
        return node;
    }
  return NULL;
}

/* "1,234,567 of ~5,000,000 rows · about 12 min left · pipeline PROVISIONING_INITIAL_SNAPSHOT",
 * as much of it as the workspace tells. */
static char *
sync_status_text (const char *state,
                  JsonNode   *progress)
{
  const char *short_state = g_str_has_prefix (state, "SYNCED_TABLE_") ? state + strlen ("SYNCED_TABLE_") : state;
  double synced = number_at (progress, "synced_row_count", NULL);
  double total = number_at (progress, "total_row_count", NULL);
  double eta = number_at (progress, "estimated_completion_time_seconds", NULL);
  GString *text = g_string_new (NULL);

  if (synced >= 0 && total > 0)
    {
      g_autofree char *a = group_digits (synced);
      g_autofree char *b = group_digits (total);

      /* Translators: synced table progress; the total is the workspace's estimate */
      g_string_append_printf (text, _("%s of ~%s rows"), a, b);
    }
  else if (synced >= 0)
    {
      g_autofree char *a = group_digits (synced);

      g_string_append_printf (text, _("%s rows synced"), a);
    }
  if (eta > 0)
    {
      if (text->len > 0)
        g_string_append (text, " · ");
      if (eta < 90)
        g_string_append (text, _("about a minute left"));
      else if (eta < 2 * 3600)
        g_string_append_printf (text, _("about %u min left"), (guint) (eta / 60 + 0.5));
      else
        g_string_append_printf (text, _("about %.1f h left"), eta / 3600);
    }
  if (text->len > 0)
    {
      /* Translators: %s is the pipeline's state as the API names it, e.g. PROVISIONING_INITIAL_SNAPSHOT */
      g_string_append_printf (text, _(" · pipeline %s"), short_state);
      return g_string_free (text, FALSE);
    }
  g_string_free (text, TRUE);
  return g_strdup_printf (_("Sync state: %s"), state);
}

static Readiness
evaluate (LbDeploymentRunner    *self,
          LbDeploymentResource  *resource,
          JsonNode              *json,
          double                *fraction,
          char                 **status,
          char                 **problem)
{
  LbDeploymentResourceKind kind = lb_deployment_resource_get_kind (resource);
  gboolean provisioned = lb_deployment_resource_get_flavour (resource) == LB_FLAVOUR_PROVISIONED;
  const char *state;

  switch (kind)
    {
    case LB_DEPLOYMENT_RESOURCE_INSTANCE:
      state = _lb_runner_json_string_at (json, "state", NULL);
      *status = g_strdup_printf (_("Instance state: %s"), state ? state : "?");
      if (g_strcmp0 (state, "AVAILABLE") == 0)
        {
          const char *dns = _lb_runner_json_string_at (json, "read_write_dns", NULL);

          if (dns != NULL)
            _lb_runner_set_string_prop (self, &self->pg_host, dns, PROP_PG_HOST);
          return READY;
        }
      if (g_strcmp0 (state, "STOPPED") == 0)
        {
          *problem = g_strdup (_("The instance is stopped. Start it in the workspace, then run the deployment again."));
          return BROKEN;
        }
      if (g_strcmp0 (state, "DELETING") == 0)
        {
          *problem = g_strdup (_("The instance is being deleted. Wait until it is gone, then deploy again to create "
                                 "it anew (or choose another instance name)."));
          return BROKEN;
        }
      return WAITING;

    case LB_DEPLOYMENT_RESOURCE_CATALOG:
      /* An autoscaling catalog belongs to one branch: one found on another
       * branch than the plan's would take the tables elsewhere. */
      if (!provisioned)
        {
          JsonNode *body = lb_deployment_resource_get_body (resource);
          const char *wanted = body != NULL ? _lb_runner_json_string_at (body, "spec", "branch", NULL) : NULL;
          const char *found = _lb_runner_json_string_at (json, "status", "branch", NULL);

          if (found == NULL)
            found = _lb_runner_json_string_at (json, "spec", "branch", NULL);
          if (wanted != NULL && found != NULL && !g_str_equal (wanted, found))
            {
              const char *found_id = strrchr (found, '/') != NULL ? strrchr (found, '/') + 1 : found;
              const char *wanted_id = strrchr (wanted, '/') != NULL ? strrchr (wanted, '/') + 1 : wanted;

              *problem = g_strdup_printf (_("The catalog %s is on the branch “%s”, not on “%s”: pick another "
                                            "database catalog for this branch, or the branch it is on."),
                                          lb_deployment_resource_get_name (resource), found_id, wanted_id);
              return BROKEN;
            }
        }
      *status = g_strdup (_("Exists"));
      return READY;

    case LB_DEPLOYMENT_RESOURCE_PROJECT:
      *status = g_strdup (_("Exists"));
      return READY;

    case LB_DEPLOYMENT_RESOURCE_BRANCH:
      {
        const char *pending = _lb_runner_json_string_at (json, "status", "pending_state", NULL);

        state = _lb_runner_json_string_at (json, "status", "current_state", NULL);
        if (pending != NULL && g_strcmp0 (pending, state) != 0)
          /* Translators: a branch moving from one state to another, e.g. "INIT → READY" */
          *status = g_strdup_printf (_("Branch state: %s → %s"), state ? state : "?", pending);
        else
          *status = g_strdup_printf (_("Branch state: %s"), state ? state : "?");
        if (g_strcmp0 (state, "ARCHIVED") == 0 || g_strcmp0 (pending, "ARCHIVED") == 0)
          {
            *problem = g_strdup (_("The branch is archived (Lakebase archives branches nobody used for a while), "
                                   "so it will not become ready by itself. Restore it in the workspace, then deploy "
                                   "again."));
            return BROKEN;
          }
        if (g_strcmp0 (state, "DELETED") == 0 || g_strcmp0 (pending, "DELETED") == 0)
          {
            *problem = g_strdup (_("The branch is deleted or being deleted. Restore it (or the project) in the "
                                   "workspace, or tear down and deploy again."));
            return BROKEN;
          }
        return g_strcmp0 (state, "READY") == 0 && (pending == NULL || g_str_equal (pending, "READY")) ? READY : WAITING;
      }

    case LB_DEPLOYMENT_RESOURCE_ENDPOINT:
      {
        const char *pending = _lb_runner_json_string_at (json, "status", "pending_state", NULL);

        state = _lb_runner_json_string_at (json, "status", "current_state", NULL);
        if (pending != NULL && g_strcmp0 (pending, state) != 0)
          *status = g_strdup_printf (_("Endpoint state: %s → %s"), state ? state : "?", pending);
        else
          *status = g_strdup_printf (_("Endpoint state: %s"), state ? state : "?");
        if (_lb_runner_json_bool_member (json_object_get_member (json_node_get_object (json), "status"), "disabled") ||
            _lb_runner_json_bool_member (json_object_get_member (json_node_get_object (json), "spec"), "disabled"))
          {
            *problem = g_strdup (_("The endpoint is disabled: it refuses connections until it is enabled again. "
                                   "Enable it in the workspace, then deploy again."));
            return BROKEN;
          }
        if (g_strcmp0 (state, "DEGRADED") == 0)
          {
            *problem = g_strdup (_("The endpoint is DEGRADED: the workspace reports a problem with its compute. "
                                   "Look at it in the workspace (restart it, or ask support), then deploy again."));
            return BROKEN;
          }
      }
      if (g_strcmp0 (state, "ACTIVE") == 0 || g_strcmp0 (state, "IDLE") == 0)
        {
          const char *host = _lb_runner_json_string_at (json, "status", "hosts", "host", NULL);

          if (host != NULL)
            _lb_runner_set_string_prop (self, &self->pg_host, host, PROP_PG_HOST);
          return READY;
        }
      return WAITING;

    case LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE:
      {
        const char *block = provisioned ? "data_synchronization_status" : "status";
        const char *message = _lb_runner_json_string_at (json, block, "message", NULL);
        double completion;

        const char *uc_state = provisioned
          ? _lb_runner_json_string_at (json, "unity_catalog_provisioning_state", NULL)
          : _lb_runner_json_string_at (json, "status", "unity_catalog_provisioning_state", NULL);

        state = _lb_runner_json_string_at (json, block, "detailed_state", NULL);
        *status = state != NULL ? sync_status_text (state, sync_progress (json, provisioned))
                                : g_strdup (_("Sync state: ?"));
        if (g_strcmp0 (uc_state, "FAILED") == 0)
          {
            *problem = g_strdup_printf (_("Unity Catalog could not register the synced table "
                                          "(unity_catalog_provisioning_state FAILED): %s Delete it in the workspace "
                                          "(or tear down), then deploy again."),
                                        message ? message : _("no reason given."));
            return BROKEN;
          }
        if (g_strcmp0 (uc_state, "DELETING") == 0)
          {
            *problem = g_strdup (_("The synced table is being deleted. Wait until it is gone, then deploy again to "
                                   "create it anew."));
            return BROKEN;
          }
        if (state == NULL)
          return WAITING;
        if (g_str_equal (state, "SYNCED_TABLE_OFFLINE_FAILED") ||
            g_str_equal (state, "SYNCED_TABLE_ONLINE_PIPELINE_FAILED") ||
            g_str_equal (state, "SYNCED_TABLED_OFFLINE") ||
            g_str_equal (state, "SYNCED_TABLE_OFFLINE"))
          {
            *problem = g_strdup_printf (_("The synced table is %s: %s"), state,
                                        message ? message : _("no reason given"));
            return BROKEN;
          }
        if (g_str_has_prefix (state, "SYNCED_TABLE_ONLINE"))
          return READY;

        completion = provisioned
          ? _lb_runner_json_double_at (json, "$.data_synchronization_status.provisioning_status."
                                             "initial_pipeline_sync_progress.sync_progress_completion")
          : _lb_runner_json_double_at (json, "$.status.ongoing_sync_progress.sync_progress_completion");
        if (g_str_equal (state, "SYNCED_TABLE_PROVISIONING_INITIAL_SNAPSHOT"))
          *fraction = 0.2 + 0.75 * CLAMP (completion, 0.0, 1.0);
        else
          *fraction = MAX (*fraction, 0.1);
        return WAITING;
      }

    default:
      g_return_val_if_reached (BROKEN);
    }
}

static void
resource_evaluate (Job      *job,
                   JsonNode *json)
{
  LbDeploymentRunner *self = _lb_runner_job_runner (job);
  Run *run = _lb_runner_job_run (job);
  g_autofree char *status = NULL;
  g_autofree char *problem = NULL;
  double fraction = lb_deployment_step_get_fraction (job->step);
  LbDeploymentResourceKind kind = lb_deployment_resource_get_kind (job->resource);
  Readiness readiness;

  readiness = evaluate (self, job->resource, json, &fraction, &status, &problem);

  if (readiness == READY)
    {
      if (job->created && kind == LB_DEPLOYMENT_RESOURCE_PROJECT)
        run->project_created = TRUE;

      if (job->created)
        _lb_runner_finish_step (job, LB_DEPLOYMENT_STEP_DONE, _("Created and ready"));
      else if (run->project_created &&
               (kind == LB_DEPLOYMENT_RESOURCE_BRANCH || kind == LB_DEPLOYMENT_RESOURCE_ENDPOINT))
        {
          /* Not ours to create, and not found either: the project made it. */
          _lb_deployment_step_set_created_with_project (job->step, TRUE);
          _lb_runner_finish_step (job, LB_DEPLOYMENT_STEP_ADOPTED, _("Created with the project and ready"));
        }
      else
        _lb_runner_finish_step (job, LB_DEPLOYMENT_STEP_ADOPTED, _("Already there and ready"));
      return;
    }
  if (readiness == BROKEN)
    {
      _lb_runner_fail_step (job, g_error_new (LB_DEPLOYMENT_ERROR,
                                              kind == LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE
                                              ? LB_DEPLOYMENT_ERROR_SYNC_FAILED : LB_DEPLOYMENT_ERROR_BAD_STATE,
                                              "%s: %s", lb_deployment_step_get_title (job->step), problem));
      return;
    }

  /* Creeping progress for resources that report none. */
  if (kind != LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE)
    fraction = MAX (fraction, 0.3 + 0.6 * (1.0 - 1.0 / (1.0 + job->attempt)));
  _lb_deployment_step_set_fraction (job->step, MIN (fraction, 0.99));
  /* The log gets each new state; a sync's row count moves at every poll,
   * so its line is logged when the pipeline's state changes. */
  if (kind == LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE)
    {
      const char *old = lb_deployment_step_get_status (job->step);
      const char *old_state = old != NULL ? strstr (old, " · ") : NULL;
      const char *new_state = strstr (status, " · ");

      if (old == NULL || g_strcmp0 (old_state != NULL ? strrchr (old, ' ') : old,
                                    new_state != NULL ? strrchr (status, ' ') : status) != 0)
        _lb_deployment_step_log (job->step, "%s", status);
    }
  else if (g_strcmp0 (status, lb_deployment_step_get_status (job->step)) != 0)
    _lb_deployment_step_log (job->step, "%s", status);
  _lb_deployment_step_set_status (job->step, status);
  _lb_runner_poll_later (job, _lb_runner_resource_probe);
}

/* ---- Resources: create ---- */

static void
resource_created_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  g_autoptr(JsonNode) answer = NULL;
  GError *error = NULL;

  answer = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (source), result, &error);
  if (answer == NULL)
    {
      if (g_error_matches (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_CONFLICT) ||
          g_error_matches (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_ABORTED))
        {
          gboolean aborted = error->code == LB_DATABRICKS_ERROR_ABORTED;
          g_autofree char *code = lb_databricks_error_get_error_code (error);

          /* ABORTED is a concurrent change: try again later, it does not mean
           * "exists". "Exists" means adopt it; either way the GET decides,
           * after a backoff, so a workspace that keeps answering so (with
           * the GET saying 404) cannot make us loop at full speed. */
          job->refusals++;
          g_free (job->refusal);
          job->refusal = g_strdup (code != NULL ? code : aborted ? "ABORTED" : "ALREADY_EXISTS");
          if (aborted)
            _lb_deployment_step_log (job->step, _("The workspace answered %s (another change in progress): "
                                                  "trying again after a pause"), job->refusal);
          else
            _lb_deployment_step_log (job->step, _("It already exists; using it."));
          g_error_free (error);
          if (job->refusals >= MAX_REFUSALS)
            {
              _lb_runner_fail_step (job, g_error_new (LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_REFUSED,
                                                      _("%s was not created: the workspace answered %s to %u "
                                                        "create requests in a row and never showed it. Another "
                                                        "deployment or change may be holding it: wait a few minutes, "
                                                        "check it in the workspace, then deploy again."),
                                                      lb_deployment_step_get_title (job->step), job->refusal,
                                                      job->refusals));
              return;
            }
          _lb_deployment_step_set_status (job->step, aborted ? _("Busy in the workspace: trying again…")
                                                             : _("It already exists: looking at it…"));
          _lb_runner_poll_later (job, _lb_runner_resource_probe);
          return;
        }
      /* Never resend a create blindly: go back to the GET, which decides. */
      _lb_runner_retry_or_fail (job, error, _lb_runner_resource_probe);
      return;
    }

  job->created = TRUE;
  _lb_deployment_step_log (job->step, _("Create request accepted"));
  _lb_deployment_step_set_fraction (job->step, 0.2);

  if (lb_deployment_resource_get_flavour (job->resource) == LB_FLAVOUR_AUTOSCALING)
    {
      const char *name = _lb_runner_json_string_at (answer, "name", NULL);

      if ((error = _lb_runner_operation_error (job, answer)) != NULL)
        {
          _lb_runner_fail_step (job, error);
          return;
        }
      if (name == NULL)
        {
          _lb_runner_fail_step (job, g_error_new_literal (LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_MALFORMED,
                                                          _("The create call did not return an operation.")));
          return;
        }
      if (!_lb_runner_json_bool_member (answer, "done"))
        {
          job->operation = g_strdup (name);
          _lb_deployment_step_set_status (job->step, _("Waiting for the operation to finish…"));
          _lb_runner_poll_later (job, _lb_runner_operation_poll);
          return;
        }
      _lb_runner_resource_probe (job);
      return;
    }

  resource_evaluate (job, answer);
}

static void
resource_create (Job *job)
{
  LbDeploymentRunner *self = _lb_runner_job_runner (job);
  LbDeploymentResource *resource = job->resource;

  _lb_deployment_step_log (job->step, _("Not found: creating it"));
  _lb_deployment_step_set_status (job->step, _("Creating…"));
  lb_databricks_client_call_async (self->client, "POST",
                                   lb_deployment_resource_get_create_path (resource),
                                   lb_deployment_resource_get_create_query (resource),
                                   lb_deployment_resource_get_body (resource),
                                   LB_CALL_DEFAULT, _lb_runner_job_cancellable (job),
                                   resource_created_cb, _lb_runner_job_ref (job));
}

/* ---- Resources: operations (autoscaling) ---- */

static void
operation_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  g_autoptr(JsonNode) op = NULL;
  GError *error = NULL;

  op = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (source), result, &error);
  if (op == NULL)
    {
      _lb_runner_retry_or_fail (job, error, _lb_runner_operation_poll);
      return;
    }

  if (!_lb_runner_json_bool_member (op, "done"))
    {
      _lb_deployment_step_set_fraction (job->step,
                                        MIN (0.9, 0.2 + 0.6 * (1.0 - 1.0 / (1.0 + job->attempt))));
      _lb_runner_poll_later (job, _lb_runner_operation_poll);
      return;
    }

  /* Done with an error is a failure, whatever else it carries. */
  if ((error = _lb_runner_operation_error (job, op)) != NULL)
    {
      _lb_runner_fail_step (job, error);
      return;
    }

  g_clear_pointer (&job->operation, g_free);
  _lb_deployment_step_log (job->step, _("Operation finished"));

  if (_lb_runner_job_run (job)->teardown)
    {
      _lb_runner_finish_step (job, LB_DEPLOYMENT_STEP_DONE, _lb_runner_deleted_status (job));
      return;
    }
  _lb_runner_resource_probe (job);
}

void
_lb_runner_operation_poll (Job *job)
{
  LbDeploymentRunner *self = _lb_runner_job_runner (job);
  g_autofree char *path = g_strconcat ("/api/2.0/postgres/", job->operation, NULL);

  self->poll_count++;
  lb_databricks_client_call_async (self->client, "GET", path, NULL, NULL, LB_CALL_IDEMPOTENT,
                                   _lb_runner_job_cancellable (job), operation_cb, _lb_runner_job_ref (job));
}

/* ---- Resources: GET (probe and poll) ---- */

static void
resource_probed_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  g_autoptr(JsonNode) json = NULL;
  GError *error = NULL;
  gboolean first = !job->probed;

  json = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (source), result, &error);
  if (json == NULL)
    {
      if (g_error_matches (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NOT_FOUND))
        {
          g_error_free (error);
          job->probed = TRUE;
          if (lb_deployment_resource_get_create_path (job->resource) != NULL && !job->created)
            {
              resource_create (job);
              return;
            }
          /* An implicit child not visible yet (or a create that has not
           * shown up): wait for it. */
          _lb_deployment_step_set_status (job->step, _("Waiting for it to appear…"));
          _lb_runner_poll_later (job, _lb_runner_resource_probe);
          return;
        }
      _lb_runner_retry_or_fail (job, error, _lb_runner_resource_probe);
      return;
    }

  if (first)
    {
      job->probed = TRUE;
      if (!job->created)
        _lb_deployment_step_log (job->step, _("Found an existing one: adopting it"));
    }
  resource_evaluate (job, json);
}

void
_lb_runner_resource_probe (Job *job)
{
  LbDeploymentRunner *self = _lb_runner_job_runner (job);

  if (job->probed)
    self->poll_count++;
  lb_databricks_client_call_async (self->client, "GET", lb_deployment_resource_get_path (job->resource),
                                   NULL, NULL, LB_CALL_IDEMPOTENT, _lb_runner_job_cancellable (job),
                                   resource_probed_cb, _lb_runner_job_ref (job));
}
