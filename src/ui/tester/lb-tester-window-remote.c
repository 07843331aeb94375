/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The tester window's runs on Databricks compute: the form's target picks
 * LbRemoteRun instead of LbTestRun (lb_tester_window_start() asks here),
 * and the results view follows it the same way. */
#include "config.h"

#include <glib/gi18n.h>
#include <libpq-fe.h>

#include "lb-compat.h"
#include "lb-databricks-auth.h"
#include "lb-databricks-config.h"
#include "lb-run-format.h"
#include "lb-tester-window-private.h"

/* A client for the profile the form names, as the CLI makes one. */
static LbDatabricksClient *
client_for_profile (const char  *profile_name,
                    GError     **error)
{
  g_autoptr(LbDatabricksConfig) config = NULL;
  g_autoptr(LbDatabricksProfile) profile = NULL;
  g_autoptr(LbDatabricksAuth) auth = NULL;

  config = lb_databricks_config_new_from_environment (NULL, error);
  if (config == NULL)
    return NULL;
  profile = lb_databricks_config_resolve (config, profile_name, error);
  if (profile == NULL)
    return NULL;
  if (profile->host == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The profile “%s” has no host: add one to it, or pick another profile."),
                   profile_name != NULL ? profile_name : "DEFAULT");
      return NULL;
    }

  auth = lb_databricks_auth_new (profile);
  return lb_databricks_client_new (auth, error);
}

static void
remote_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(LbTesterWindow) self = user_data;
  g_autoptr(LbRunRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  LbRemoteRun *run = LB_REMOTE_RUN (object);

  record = lb_remote_run_start_finish (run, result, &error);
  /* Every worker failing still leaves a record with their errors. */
  if (record == NULL && lb_remote_run_get_record (run) != NULL &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
    record = g_object_ref (lb_remote_run_get_record (run));

  lb_tester_window_update_actions (self);
  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;

  if (record != NULL)
    {
      LbRunResult *run_result = lb_run_record_get_result (record);
      g_autofree char *tps = lb_format_rate (run_result->tps);
      g_autofree char *message = NULL;

      lb_run_history_view_unselect_all (self->history_view);
      lb_run_results_view_show (self->results_view, record, NULL, FALSE);
      if (error != NULL)
        lb_compat_show_error (GTK_WINDOW (self), _("The Workers Failed"), error->message);
      else
        {
          message = run_result->cancelled
                    ? g_strdup_printf (_("Run stopped early: %s tx/s over what was measured"), tps)
                    : g_strdup_printf (_("Run finished: %s tx/s"), tps);
          lb_tester_window_add_toast (self, message);
        }
      if (lb_remote_run_get_history_error (run) != NULL)
        {
          g_autofree char *warning = g_strdup_printf (_("The run was not kept in the history: %s"),
                                                      lb_remote_run_get_history_error (run)->message);
          lb_tester_window_add_toast (self, warning);
        }
      lb_tester_window_update_actions (self);
      g_signal_emit_by_name (self, "run-finished", record);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      lb_run_results_view_set_phase (self->results_view, _("Ready"), FALSE);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
    {
      lb_run_results_view_set_phase (self->results_view, _("Ready"), FALSE);
      lb_compat_show_error (GTK_WINDOW (self), _("These Settings Cannot Run"), error->message);
      return;
    }
  lb_run_results_view_set_phase (self->results_view, _("The run could not start"), FALSE);
  lb_run_results_view_clear_progress (self->results_view);
  lb_compat_show_error (GTK_WINDOW (self), _("The Run Could Not Start"), error->message);
}

void
lb_tester_window_start_remote (LbTesterWindow *self,
                               LbRunSettings  *settings)
{
  g_autoptr(LbDatabricksClient) client = NULL;
  g_autoptr(LbRemoteTarget) target = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *warning = NULL;
  LbPriceSheet *prices;

  g_return_if_fail (LB_IS_TESTER_WINDOW (self));

  client = client_for_profile (lb_run_settings_form_get_profile (self->settings_form), &error);
  if (client == NULL)
    {
      lb_compat_show_error (GTK_WINDOW (self), _("No Databricks Workspace"), error->message);
      return;
    }

  if (self->remote_run == NULL)
    {
      self->remote_run = lb_remote_run_new (client);
      lb_run_results_view_set_remote_run (self->results_view, self->remote_run);
      g_signal_connect_object (self->remote_run, "notify::running",
                               G_CALLBACK (lb_tester_window_update_actions), self, G_CONNECT_SWAPPED);
    }
  else
    lb_remote_run_set_client (self->remote_run, client);

  if (self->file != NULL)
    path = g_file_get_path (self->file);
  lb_remote_run_set_script (self->remote_run, lb_test_run_get_script (self->run), path);
  lb_remote_run_set_history (self->remote_run, lb_test_run_get_history (self->run));
  lb_remote_run_set_workers (self->remote_run, lb_run_settings_form_get_workers (self->settings_form));
  lb_remote_run_set_node_type (self->remote_run, lb_run_settings_form_get_node_type (self->settings_form));
  lb_remote_run_set_volume (self->remote_run, lb_run_settings_form_get_volume (self->settings_form));
  lb_remote_run_set_keep_files (self->remote_run, lb_run_settings_form_get_keep_files (self->settings_form));
  target = lb_run_settings_form_dup_remote_target (self->settings_form);
  lb_remote_run_set_target (self->remote_run, target);

  /* The form shows the warning as the user types; the toast says it once
   * more when the run goes anyway. */
  prices = lb_price_sheet_new_default ();
  if (!lb_remote_plan_check_connections (prices, settings->clients, lb_remote_run_get_workers (self->remote_run),
                                         &warning))
    lb_tester_window_add_toast (self, warning);
  g_object_unref (prices);

  lb_run_history_view_unselect_all (self->history_view);
  lb_run_results_view_begin (self->results_view, settings);
  lb_run_results_view_set_phase (self->results_view, _("Uploading the run files…"), TRUE);
  lb_remote_run_start_async (self->remote_run, settings, NULL, remote_done_cb, g_object_ref (self));
  lb_tester_window_update_actions (self);
}

gboolean
lb_tester_window_get_remote_running (LbTesterWindow *self)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), FALSE);

  return self->remote_run != NULL && lb_remote_run_get_running (self->remote_run);
}

void
lb_tester_window_stop_remote (LbTesterWindow *self)
{
  g_return_if_fail (LB_IS_TESTER_WINDOW (self));

  if (!lb_tester_window_get_remote_running (self))
    return;

  lb_run_results_view_set_phase (self->results_view, _("Cancelling the job…"), TRUE);
  lb_remote_run_cancel (self->remote_run);
}

void
lb_tester_window_remote_set_workload (LbTesterWindow *self,
                                      LbWorkload     *workload)
{
  const char *name;

  g_return_if_fail (LB_IS_TESTER_WINDOW (self));

  if (workload == NULL || (name = lb_workload_get_instance_name (workload)) == NULL || *name == '\0')
    return;

  /* An autoscaling project's endpoint is named after the project; the
   * default branch and endpoint are the ones a new project gets. */
  if (lb_workload_get_flavour (workload) == LB_FLAVOUR_AUTOSCALING)
    {
      g_autofree char *endpoint = g_strdup_printf ("projects/%s/branches/production/endpoints/primary", name);

      lb_run_settings_form_set_remote_database (self->settings_form, LB_REMOTE_TARGET_AUTOSCALING, endpoint,
                                                NULL, NULL);
    }
  else
    lb_run_settings_form_set_remote_database (self->settings_form, LB_REMOTE_TARGET_PROVISIONED, name,
                                              NULL, NULL);
}

void
lb_tester_window_remote_set_conninfo (LbTesterWindow *self,
                                      const char     *conninfo)
{
  PQconninfoOption *options;
  const char *host = NULL, *user = NULL;

  g_return_if_fail (LB_IS_TESTER_WINDOW (self));

  if (conninfo == NULL || (options = PQconninfoParse (conninfo, NULL)) == NULL)
    return;

  for (PQconninfoOption *o = options; o->keyword != NULL; o++)
    {
      if (g_str_equal (o->keyword, "host") && o->val != NULL && *o->val != '\0')
        host = o->val;
      else if (g_str_equal (o->keyword, "user") && o->val != NULL && *o->val != '\0')
        user = o->val;
    }

  /* The kind stays as the workload said; only where and as whom change. */
  {
    g_autoptr(LbRemoteTarget) current = lb_run_settings_form_dup_remote_target (self->settings_form);

    lb_run_settings_form_set_remote_database (self->settings_form, current->kind, NULL, host, user);
  }
  PQconninfoFree (options);
}
