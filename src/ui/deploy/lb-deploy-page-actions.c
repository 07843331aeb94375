/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the user triggers on the Deploy page: the deploy.* actions (run,
 * cancel, retry, teardown, export bundle, test instance, check, refresh,
 * edit target) and the state that enables them. Part of LbDeployPage (lb-deploy-page-private.h). */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "lb-bundle-writer.h"
#include "lb-compat.h"
#include "lb-deploy-page-private.h"
#include "lb-instance-credentials.h"

static void
edit_target_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  LbDeployPage *self = LB_DEPLOY_PAGE (widget);
  static const char * const keys[] = {
    "instance_name", "capacity", "database_catalog", "database_name", "target_schema",
    "storage_catalog", "storage_schema", "flavour",
  };
  const char *key = "instance_name";

  if (self->plan_error != NULL)
    for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
      if (strstr (self->plan_error->message, keys[i]) != NULL)
        {
          key = keys[i];
          break;
        }

  /* The window owns the calculator: ask it, rather than reach up into it. */
  gtk_widget_activate_action (widget, "win.edit-field", "(ss)", "lakebase_accelerator", key);
}

/* The first failed step of what is shown, or NULL (borrowed: the model keeps it). */
static LbDeploymentStep *
failed_step (LbDeployPage *self)
{
  GListModel *steps = _lb_deploy_page_shown_steps (self);

  for (guint i = 0; steps != NULL && i < g_list_model_get_n_items (steps); i++)
    {
      g_autoptr(LbDeploymentStep) step = g_list_model_get_item (steps, i);

      if (lb_deployment_step_get_state (step) == LB_DEPLOYMENT_STEP_FAILED)
        return step;
    }
  return NULL;
}

/* After a run: does anything of the plan remain for a teardown? */
static gboolean
run_left_something (LbDeployPage *self,
                    gboolean      ok)
{
  GListModel *steps = _lb_deploy_page_shown_steps (self);

  /* A teardown that stopped leaves the rest behind. */
  if (lb_deploy_progress_group_get_teardown (self->progress_group))
    return !ok;

  for (guint i = 0; steps != NULL && i < g_list_model_get_n_items (steps); i++)
    {
      g_autoptr(LbDeploymentStep) step = g_list_model_get_item (steps, i);
      LbDeploymentStepState state = lb_deployment_step_get_state (step);

      if (lb_deployment_step_get_resource (step) != NULL &&
          (state == LB_DEPLOYMENT_STEP_DONE || state == LB_DEPLOYMENT_STEP_ADOPTED))
        return TRUE;
    }
  /* A deploy that stopped before its first resource changed nothing. */
  return self->found_existing;
}

static void
run_done (LbDeployPage *self,
          gboolean      ok,
          GError       *error,
          gboolean      teardown)
{
  const char *name = lb_deployment_plan_get_instance_name (lb_deployment_runner_get_plan (self->runner));
  g_autofree char *message = NULL;

  g_clear_object (&self->run_cancellable);
  self->last_run_failed = !ok;
  self->found_existing = run_left_something (self, ok);

  if (ok && teardown && lb_deployment_plan_get_flavour (lb_deployment_runner_get_plan (self->runner)) ==
                          LB_FLAVOUR_AUTOSCALING && !lb_deployment_runner_get_purge (self->runner))
    message = g_strdup_printf (_("“%s” was torn down: it can be restored for 7 days"), name);
  else if (ok && teardown)
    message = g_strdup_printf (_("“%s” was torn down"), name);
  else if (ok)
    message = g_strdup_printf (_("“%s” is deployed"), name);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    message = g_strdup (teardown ? _("Teardown cancelled") : _("Deployment cancelled: Deploy resumes where it stopped"));
  else if (failed_step (self) != NULL)
    /* The step's row holds the whole explanation; a toast has room for a line. */
    message = g_strdup_printf (teardown ? _("Teardown failed at “%s”: its step says what to do")
                                        : _("Deployment failed at “%s”: its step says what to do"),
                               lb_deployment_step_get_title (failed_step (self)));
  else
    {
      /* The runner already put a workspace error into words (core). */
      g_autofree char *explained = error->domain == LB_DATABRICKS_ERROR ? g_strdup (error->message)
                                                                         : lb_workspace_group_explain_error (self->workspace_group, error);

      message = g_strdup_printf (teardown ? _("Teardown failed: %s") : _("Deployment failed: %s"), explained);
    }
  _lb_deploy_page_add_toast (self, message);

  /* The workload may have changed while the plan was frozen; an unchanged
   * plan stays the same object, so Retry resumes with the same runner. */
  if (self->plan_dirty)
    _lb_deploy_page_rebuild_plan (self);
  lb_deploy_progress_group_update (self->progress_group);
  _lb_deploy_page_update_actions (self);
}

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(LbDeployPage) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = lb_deployment_runner_run_finish (LB_DEPLOYMENT_RUNNER (object), result, &error);
  if (self->runner != LB_DEPLOYMENT_RUNNER (object))
    return;
  run_done (self, ok, error, FALSE);
}

static void
teardown_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(LbDeployPage) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = lb_deployment_runner_teardown_finish (LB_DEPLOYMENT_RUNNER (object), result, &error);
  if (self->runner != LB_DEPLOYMENT_RUNNER (object))
    return;
  run_done (self, ok, error, TRUE);
}

/* @purge: a teardown deletes an autoscaling project for good (else the
 * API's soft delete); never carried over to a later run. */
static void
start_run (LbDeployPage *self,
           gboolean      teardown,
           gboolean      purge)
{
  g_autoptr(GError) error = NULL;
  LbDeploymentRunner *runner;

  if (self->runner != NULL && lb_deployment_runner_get_running (self->runner))
    return;

  if (self->plan_dirty)
    _lb_deploy_page_rebuild_plan (self);
  runner = _lb_deploy_page_ensure_runner (self, &error);
  if (runner == NULL)
    {
      g_autofree char *explained = lb_workspace_group_explain_error (self->workspace_group, error);

      _lb_deploy_page_add_toast (self, explained);
      return;
    }

  lb_deployment_runner_set_purge (runner, teardown && purge);
  lb_deploy_progress_group_show (self->progress_group, teardown);
  self->run_cancellable = g_cancellable_new ();
  if (teardown)
    lb_deployment_runner_teardown_async (runner, self->run_cancellable, teardown_cb, g_object_ref (self));
  else
    lb_deployment_runner_run_async (runner, self->run_cancellable, run_cb, g_object_ref (self));

  lb_deploy_progress_group_update (self->progress_group);
  _lb_deploy_page_update_actions (self);
}

void
_lb_deploy_page_start_deploy (LbDeployPage *self)
{
  start_run (self, FALSE, FALSE);
}

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  _lb_deploy_page_check_then_deploy (LB_DEPLOY_PAGE (widget));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  LbDeployPage *self = LB_DEPLOY_PAGE (widget);

  g_cancellable_cancel (self->run_cancellable);
}

static void
teardown_response_cb (LbDeployPage     *self,
                      const char       *response,
                      AdwMessageDialog *dialog)
{
  if (g_strcmp0 (response, "teardown") == 0)
    start_run (self, TRUE, FALSE);
  else if (g_strcmp0 (response, "purge") == 0)
    start_run (self, TRUE, TRUE);
}

static void
teardown_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  LbDeployPage *self = LB_DEPLOY_PAGE (widget);
  GListModel *resources;
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;
  GtkRoot *root;
  gboolean autoscaling;

  if (self->plan == NULL)
    return;
  autoscaling = lb_deployment_plan_get_flavour (self->plan) == LB_FLAVOUR_AUTOSCALING;

  /* The same list, in the same order, as the teardown steps. */
  resources = lb_deployment_plan_get_resources (self->plan);
  g_string_append (body, _("These will be deleted, with the data they hold:"));
  g_string_append_c (body, '\n');
  for (guint i = g_list_model_get_n_items (resources); i > 0; i--)
    {
      g_autoptr(LbDeploymentResource) resource = g_list_model_get_item (resources, i - 1);
      LbDeploymentResourceKind kind = lb_deployment_resource_get_kind (resource);

      if (kind == LB_DEPLOYMENT_RESOURCE_BRANCH || kind == LB_DEPLOYMENT_RESOURCE_ENDPOINT)
        continue;
      g_string_append_printf (body, "\n• %s", lb_deployment_resource_get_title (resource));
    }
  g_string_append_c (body, '\n');
  g_string_append_c (body, '\n');
  g_string_append (body, _("The Delta source tables are not touched. What is already gone is skipped."));
  if (autoscaling)
    {
      /* What each choice does to the project: the API deletes softly unless asked. */
      g_string_append (body, "\n\n");
      g_string_append (body, _("“Tear Down” deletes the project softly: it can be restored in the workspace "
                               "for 7 days, then it is gone."));
      g_string_append (body, "\n\n");
      g_string_append (body, _("“Delete Permanently” deletes the project and all its data now. "
                               "This cannot be undone."));
    }

  heading = g_strdup_printf (_("Tear Down “%s”?"), lb_deployment_plan_get_instance_name (self->plan));
  root = gtk_widget_get_root (widget);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body->str);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "teardown", _("_Tear Down"),
                                    NULL);
  if (autoscaling)
    {
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "purge", _("Delete _Permanently"));
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "purge",
                                                  ADW_RESPONSE_DESTRUCTIVE);
    }
  /* A soft delete can be undone, so only the purge is red; an instance's
   * delete cannot. */
  if (!autoscaling)
    adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "teardown",
                                                ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (teardown_response_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void write_bundle (LbDeployPage *self,
                          GFile        *folder,
                          gboolean      overwrite);

static void
overwrite_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       gpointer          user_data)
{
  LbDeployPage *self = LB_DEPLOY_PAGE (user_data);
  GFile *folder = g_object_get_data (G_OBJECT (dialog), "folder");

  if (g_strcmp0 (response, "replace") == 0)
    write_bundle (self, folder, TRUE);
}

static void
bundle_written_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(LbDeployPage) self = user_data;
  LbBundleWriter *writer = LB_BUNDLE_WRITER (object);
  GFile *folder = g_object_get_data (object, "folder");
  g_autoptr(GError) error = NULL;

  if (lb_bundle_writer_write_finish (writer, result, &error))
    {
      g_autofree char *name = g_file_get_parse_name (folder);
      g_autofree char *message = g_strdup_printf (_("Bundle written to %s"), name);

      _lb_deploy_page_add_toast (self, message);
    }
  else if (g_error_matches (error, LB_BUNDLE_WRITER_ERROR, LB_BUNDLE_WRITER_ERROR_EXISTS))
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
      GtkWidget *dialog;

      dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                       _("Replace the Bundle Files?"), error->message);
      adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                        "cancel", _("_Cancel"),
                                        "replace", _("_Replace"),
                                        NULL);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "replace",
                                                  ADW_RESPONSE_DESTRUCTIVE);
      g_object_set_data_full (G_OBJECT (dialog), "folder", g_object_ref (folder), g_object_unref);
      g_signal_connect_object (dialog, "response", G_CALLBACK (overwrite_response_cb), self, 0);
      gtk_window_present (GTK_WINDOW (dialog));
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *message = g_strdup_printf (_("Could not write the bundle: %s"), error->message);

      _lb_deploy_page_add_toast (self, message);
    }
}

static void
write_bundle (LbDeployPage *self,
              GFile        *folder,
              gboolean      overwrite)
{
  g_autoptr(LbBundleWriter) writer = NULL;
  LbDatabricksClient *client;
  GFile *file;

  if (self->plan == NULL)
    return;

  writer = lb_bundle_writer_new (self->plan);
  g_object_set (writer, "overwrite", overwrite, NULL);
  client = lb_workspace_group_get_client (self->workspace_group);
  if (client != NULL)
    lb_bundle_writer_set_host (writer, lb_databricks_auth_get_host (lb_databricks_client_get_auth (client)));
  file = self->workload != NULL ? lb_workload_get_file (self->workload) : NULL;
  if (file != NULL)
    {
      g_autofree char *name = g_file_get_basename (file);

      g_object_set (writer, "source-name", name, NULL);
    }

  g_object_set_data_full (G_OBJECT (writer), "folder", g_object_ref (folder), g_object_unref);
  lb_bundle_writer_write_async (writer, folder, self->cancellable, bundle_written_cb, g_object_ref (self));
}

static void
bundle_folder_chosen_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(LbDeployPage) self = user_data;
  g_autoptr(GFile) folder = NULL;

  folder = lb_compat_choose_file_finish (result, NULL);
  if (folder != NULL)
    write_bundle (self, folder, FALSE);
}

static void
export_bundle_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  LbDeployPage *self = LB_DEPLOY_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);

  lb_compat_choose_file (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, LB_FILE_CHOOSE_FOLDER,
                         _("Export Asset Bundle"), _("_Export"), NULL, NULL, NULL, NULL,
                         self->cancellable, bundle_folder_chosen_cb, g_object_ref (self));
}

void
_lb_deploy_page_update_actions (LbDeployPage *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean running = self->runner != NULL && lb_deployment_runner_get_running (self->runner);
  gboolean can_sign_in = lb_workspace_group_has_credentials_source (self->workspace_group);
  gboolean ready = _lb_deploy_page_instance_is_ready (self);
  gboolean failed = self->last_run_failed && !running && !lb_deploy_progress_group_get_teardown (self->progress_group);

  gtk_widget_action_set_enabled (widget, "deploy.run", !running && self->plan != NULL && can_sign_in);
  gtk_widget_action_set_enabled (widget, "deploy.cancel", running);
  gtk_widget_action_set_enabled (widget, "deploy.retry", failed && self->plan != NULL && can_sign_in);
  gtk_widget_action_set_enabled (widget, "deploy.teardown",
                                 !running && self->plan != NULL && can_sign_in && self->found_existing);
  gtk_widget_action_set_enabled (widget, "deploy.export-bundle", self->plan != NULL);
  gtk_widget_action_set_enabled (widget, "deploy.test-instance", ready);
  gtk_widget_action_set_enabled (widget, "deploy.check", !lb_workspace_group_get_checking (self->workspace_group) && can_sign_in);
  gtk_widget_action_set_enabled (widget, "deploy.refresh", !running);

  /* After a failure, Retry is the one way forward (it is a Deploy too). */
  gtk_widget_set_visible (self->deploy_button, !running && !failed);
  gtk_widget_set_visible (self->cancel_button, running);
  gtk_widget_set_visible (self->retry_button, failed);
  gtk_widget_set_visible (self->test_button, ready);
  lb_workspace_group_set_locked (self->workspace_group, running);
  _lb_deploy_page_update_synced_actions (self);
  lb_deploy_plan_group_set_locked (self->plan_group, running);
}

static void
credential_failed_cb (LbDeployPage          *self,
                      const GError          *error,
                      LbInstanceCredentials *credentials)
{
  g_autofree char *explained = lb_workspace_group_explain_error (self->workspace_group, error);
  g_autofree char *message = g_strdup_printf (_("No database credential for the tester: %s"), explained);

  _lb_deploy_page_add_toast (self, message);
}

/* A tester window on the deployed instance: the application opens it
 * (app.open-tester) on a source that keeps its credential fresh; the page
 * only says when a credential could not be had. */
static void
test_instance_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  LbDeployPage *self = LB_DEPLOY_PAGE (widget);
  g_autoptr(LbInstanceCredentials) credentials = NULL;
  g_auto(GVariantDict) options = G_VARIANT_DICT_INIT (NULL);
  g_autofree char *id = NULL;

  if (!_lb_deploy_page_instance_is_ready (self))
    return;

  credentials = lb_instance_credentials_new (self->runner);
  g_signal_connect_object (credentials, "fetch-failed", G_CALLBACK (credential_failed_cb), self,
                           G_CONNECT_SWAPPED);
  id = lb_credential_source_register (LB_CREDENTIAL_SOURCE (credentials));
  g_variant_dict_insert (&options, "credentials", "s", id);
  /* The window holds the source from here; ours goes at the end. */
  if (!gtk_widget_activate_action_variant (widget, "app.open-tester", g_variant_dict_end (&options)))
    g_warning ("No app.open-tester: a tester window needs the application");
}

static void
check_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  lb_workspace_group_check (LB_DEPLOY_PAGE (widget)->workspace_group);
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  lb_workspace_group_reload_profiles (LB_DEPLOY_PAGE (widget)->workspace_group);
}

void
_lb_deploy_page_class_install_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "deploy.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "deploy.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "deploy.retry", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "deploy.teardown", NULL, teardown_action);
  gtk_widget_class_install_action (widget_class, "deploy.export-bundle", NULL, export_bundle_action);
  gtk_widget_class_install_action (widget_class, "deploy.test-instance", NULL, test_instance_action);
  gtk_widget_class_install_action (widget_class, "deploy.check", NULL, check_action);
  gtk_widget_class_install_action (widget_class, "deploy.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "deploy.edit-target", NULL, edit_target_action);
  _lb_deploy_page_class_install_synced_actions (widget_class);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "deploy.run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "deploy.run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "deploy.cancel", NULL);
}
