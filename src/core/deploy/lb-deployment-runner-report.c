/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Deployment runner, the account of a run: its JSON (the CLI's --json) and the
 * one-line summary with counts and duration. Part of LbDeploymentRunner
 * (lb-deployment-runner-private.h). */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "lb-deployment-runner-private.h"

JsonNode *
lb_deployment_runner_to_json (LbDeploymentRunner *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (LB_IS_DEPLOYMENT_RUNNER (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "plan");
  json_builder_add_value (builder, lb_deployment_plan_to_json (self->plan));
  json_builder_set_member_name (builder, "fraction");
  json_builder_add_double_value (builder, self->fraction);
  if (self->user_name != NULL)
    {
      json_builder_set_member_name (builder, "user_name");
      json_builder_add_string_value (builder, self->user_name);
    }
  if (self->workspace_host != NULL)
    {
      json_builder_set_member_name (builder, "workspace_host");
      json_builder_add_string_value (builder, self->workspace_host);
    }
  if (self->pg_host != NULL)
    {
      json_builder_set_member_name (builder, "pg_host");
      json_builder_add_string_value (builder, self->pg_host);
    }

  if (self->finished_us != 0)
    {
      LbDeploymentCounts counts;
      g_autofree char *summary = lb_deployment_runner_dup_summary (self);

      lb_deployment_runner_get_counts (self, &counts);
      json_builder_set_member_name (builder, "counts");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "created");
      json_builder_add_int_value (builder, counts.created);
      json_builder_set_member_name (builder, "created_with_project");
      json_builder_add_int_value (builder, counts.with_project);
      json_builder_set_member_name (builder, "already_there");
      json_builder_add_int_value (builder, counts.existing);
      json_builder_set_member_name (builder, "failed");
      json_builder_add_int_value (builder, counts.failed);
      json_builder_set_member_name (builder, "skipped");
      json_builder_add_int_value (builder, counts.skipped);
      json_builder_end_object (builder);
      if (summary != NULL)
        {
          json_builder_set_member_name (builder, "summary");
          json_builder_add_string_value (builder, summary);
        }
    }

  json_builder_set_member_name (builder, "steps");
  json_builder_begin_array (builder);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->steps)); i++)
    {
      g_autoptr(LbDeploymentStep) step = g_list_model_get_item (G_LIST_MODEL (self->steps), i);

      json_builder_add_value (builder, lb_deployment_step_to_json (step));
    }
  json_builder_end_array (builder);

  {
    gboolean torn_down = FALSE;

    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->teardown_steps)); i++)
      {
        g_autoptr(LbDeploymentStep) step = g_list_model_get_item (G_LIST_MODEL (self->teardown_steps), i);

        if (lb_deployment_step_get_state (step) != LB_DEPLOYMENT_STEP_PENDING)
          torn_down = TRUE;
      }
    if (torn_down)
      {
        json_builder_set_member_name (builder, "teardown_steps");
        json_builder_begin_array (builder);
        for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->teardown_steps)); i++)
          {
            g_autoptr(LbDeploymentStep) step = g_list_model_get_item (G_LIST_MODEL (self->teardown_steps), i);

            json_builder_add_value (builder, lb_deployment_step_to_json (step));
          }
        json_builder_end_array (builder);
      }
  }

  if (self->partitions != NULL)
    {
      json_builder_set_member_name (builder, "partitions");
      json_builder_add_value (builder, json_node_copy (self->partitions));
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* ---- Summary ---- */

void
lb_deployment_runner_get_counts (LbDeploymentRunner *self,
                                 LbDeploymentCounts *counts)
{
  GListModel *steps;

  g_return_if_fail (LB_IS_DEPLOYMENT_RUNNER (self));
  g_return_if_fail (counts != NULL);

  memset (counts, 0, sizeof *counts);
  steps = G_LIST_MODEL (self->steps);
  for (guint i = 0; i < g_list_model_get_n_items (steps); i++)
    {
      g_autoptr(LbDeploymentStep) step = g_list_model_get_item (steps, i);

      /* Only resources count: signing in and the test connection create nothing. */
      if (lb_deployment_step_get_kind (step) != LB_DEPLOYMENT_STEP_KIND_RESOURCE)
        continue;
      switch (lb_deployment_step_get_state (step))
        {
        case LB_DEPLOYMENT_STEP_DONE:
          counts->created++;
          break;
        case LB_DEPLOYMENT_STEP_ADOPTED:
          if (lb_deployment_step_get_created_with_project (step))
            counts->with_project++;
          else
            counts->existing++;
          break;
        case LB_DEPLOYMENT_STEP_FAILED:
          counts->failed++;
          break;
        case LB_DEPLOYMENT_STEP_SKIPPED:
          counts->skipped++;
          break;
        case LB_DEPLOYMENT_STEP_PENDING:
        case LB_DEPLOYMENT_STEP_RUNNING:
        default:
          break;
        }
    }
}

static char *
format_duration (gint64 us)
{
  guint seconds = (guint) ((us + G_USEC_PER_SEC / 2) / G_USEC_PER_SEC);

  if (seconds < 60)
    /* Translators: a duration in seconds */
    return g_strdup_printf (_("%u s"), seconds);
  /* Translators: a duration, "3 min 12 s" */
  return g_strdup_printf (_("%u min %u s"), seconds / 60, seconds % 60);
}

char *
lb_deployment_runner_dup_summary (LbDeploymentRunner *self)
{
  LbDeploymentCounts counts;
  GListModel *steps;
  g_autoptr(LbDeploymentStep) failed = NULL;
  g_autoptr(LbDeploymentStep) connect = NULL;
  g_autofree char *duration = NULL;
  g_autofree char *tally = NULL;
  g_autofree char *text = NULL;
  guint n;

  g_return_val_if_fail (LB_IS_DEPLOYMENT_RUNNER (self), NULL);

  if (self->started_us == 0 || self->finished_us == 0 || self->running)
    return NULL;

  lb_deployment_runner_get_counts (self, &counts);
  steps = G_LIST_MODEL (self->steps);
  n = g_list_model_get_n_items (steps);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbDeploymentStep) step = g_list_model_get_item (steps, i);

      if (failed == NULL && lb_deployment_step_get_state (step) == LB_DEPLOYMENT_STEP_FAILED)
        failed = g_object_ref (step);
      if (lb_deployment_step_get_kind (step) == LB_DEPLOYMENT_STEP_KIND_CONNECT)
        g_set_object (&connect, step);
    }

  duration = format_duration (self->finished_us - self->started_us);
  if (lb_deployment_plan_get_flavour (self->plan) == LB_FLAVOUR_AUTOSCALING)
    /* Translators: the branch and endpoint of a new autoscaling project are made by the project itself */
    tally = g_strdup_printf (_("%u created by this deploy, %u created with the project, %u already there"),
                             counts.created, counts.with_project, counts.existing);
  else
    tally = g_strdup_printf (_("%u created by this deploy, %u already there"), counts.created, counts.existing);

  if (failed != NULL)
    {
      g_autofree char *stop = NULL;

      if (g_strcmp0 (lb_deployment_step_get_status (failed), _("Cancelled")) == 0)
        /* Translators: "Cancelled at “Database catalog retail_pg” after 12 s: 2 created by this deploy, …" */
        stop = g_strdup_printf (_("Cancelled at “%s” after %s: %s"), lb_deployment_step_get_title (failed),
                                duration, tally);
      else
        /* Translators: "Stopped at “Database catalog retail_pg” after 12 s: 2 created by this deploy, …" */
        stop = g_strdup_printf (_("Stopped at “%s” after %s: %s"), lb_deployment_step_get_title (failed),
                                duration, tally);
      if (counts.failed > 1)
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s; %u step failed", "%s; %u steps failed",
                                             counts.failed),
                                stop, counts.failed);
      else
        text = g_steal_pointer (&stop);
    }
  else if (counts.created + counts.with_project == 0)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Nothing to create: everything is already there (%u resource checked in %s)",
                                         "Nothing to create: everything is already there (%u resources checked in %s)",
                                         counts.existing),
                            counts.existing, duration);
  else
    /* Translators: "Deployed in 12 s: 5 created by this deploy, 2 created with the project, 0 already there" */
    text = g_strdup_printf (_("Deployed in %s: %s"), duration, tally);

  if (failed == NULL && connect != NULL && lb_deployment_step_get_state (connect) == LB_DEPLOYMENT_STEP_SKIPPED)
    {
      g_autofree char *with_connect = g_strdup_printf (_("%s. The test connection failed: see its step."), text);

      g_free (text);
      text = g_steal_pointer (&with_connect);
    }

  return g_steal_pointer (&text);
}
