/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Deploy page's workspace part: which profile (or typed host and token),
 * the keyring that remembers a typed token, and the identity check that says
 * who signs in. Part of LbDeployPage (see lb-deploy-page-private.h). */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "lb-deploy-page-private.h"

#define SCIM_ME_PATH "/api/2.0/preview/scim/v2/Me"

static const SecretSchema token_schema = {
  "io.github.lakebase.Accelerator.Token",
  SECRET_SCHEMA_NONE,
  {
    { "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
  0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};

void
_lb_deploy_page_set_identity (LbDeployPage *self,
                              const char   *icon,
                              const char   *style,
                              const char   *text)
{
  static const char * const styles[] = { "success", "error", "dim-label" };

  gtk_stack_set_visible_child_name (self->identity_stack, "icon");
  gtk_spinner_set_spinning (self->identity_spinner, FALSE);
  gtk_image_set_from_icon_name (self->identity_icon, icon);
  for (guint i = 0; i < G_N_ELEMENTS (styles); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->identity_icon), styles[i]);
  if (style != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->identity_icon), style);
  adw_action_row_set_subtitle (self->identity_row, text);
}

/* What to do about an error of the identity check or of a run, in words a
 * person can act on. */
char *
_lb_deploy_page_explain_error (LbDeployPage *self,
                               const GError *error)
{
  const char *profile = _lb_deploy_page_selected_profile (self);
  g_autofree char *host = NULL;

  if (self->client != NULL)
    host = g_strdup (lb_databricks_auth_get_host (lb_databricks_client_get_auth (self->client)));

  if (g_error_matches (error, LB_DATABRICKS_AUTH_ERROR, LB_DATABRICKS_AUTH_ERROR_LOGIN_NEEDED))
    return g_strdup (error->message);

  if (g_error_matches (error, LB_DATABRICKS_AUTH_ERROR, LB_DATABRICKS_AUTH_ERROR_NOT_CONFIGURED))
    return g_strdup_printf (_("%s Add a token to the profile, or sign in with “databricks auth login --profile %s”."),
                            error->message, profile != NULL ? profile : "DEFAULT");

  if (g_error_matches (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_UNAUTHENTICATED) ||
      g_error_matches (error, LB_DATABRICKS_AUTH_ERROR, LB_DATABRICKS_AUTH_ERROR_REFUSED))
    {
      if (profile == NULL)
        return g_strdup_printf (_("The workspace refused the token (%s). Create a new personal access token "
                                  "under Settings → Developer → Access tokens and type it again."),
                                error->message);
      return g_strdup_printf (_("The workspace refused the credentials of profile “%s” (%s). Sign in again "
                                "with “databricks auth login --profile %s”, or update its token."),
                              profile, error->message, profile);
    }

  if (g_error_matches (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_PERMISSION_DENIED))
    return g_strdup_printf (_("%s Ask a workspace admin for access, or use another profile."), error->message);

  if (g_error_matches (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NETWORK))
    return g_strdup_printf (_("Could not reach %s: %s. Check the workspace URL and the network."),
                            host != NULL ? host : _("the workspace"), error->message);

  return g_strdup (error->message);
}

void
_lb_deploy_page_update_profile_subtitle (LbDeployPage *self)
{
  g_autoptr(LbDatabricksProfile) profile = NULL;
  g_autofree char *subtitle = NULL;

  if (_lb_deploy_page_is_manual (self) || self->config == NULL)
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->profile_row),
                                   self->n_file_profiles > 0 ? _("A host and a token typed below") : "");
      return;
    }

  profile = lb_databricks_config_resolve (self->config, _lb_deploy_page_selected_profile (self), NULL);
  if (profile == NULL)
    subtitle = g_strdup (_("This profile cannot be used as written"));
  else
    /* Host and kind only: a profile's secrets never reach the screen. */
    subtitle = g_markup_printf_escaped ("%s · %s", profile->host != NULL ? profile->host : _("no host"),
                                        lb_databricks_auth_kind_to_string (profile->auth_kind));

  /* The workload named a profile this computer does not have: say which
   * one is used instead, rather than switching silently. */
  if (self->missing_profile != NULL)
    {
      g_autofree char *fallback = g_markup_printf_escaped (_("Profile “%s” from the workload does not exist; "
                                                             "using “%s”"),
                                                           self->missing_profile, _lb_deploy_page_selected_profile (self));
      g_autofree char *both = g_strdup_printf ("%s\n%s", fallback, subtitle);

      g_free (subtitle);
      subtitle = g_steal_pointer (&both);
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->profile_row), subtitle);
}

static void
update_manual_rows (LbDeployPage *self)
{
  gboolean manual = _lb_deploy_page_is_manual (self);

  gtk_widget_set_visible (GTK_WIDGET (self->host_row), manual);
  gtk_widget_set_visible (GTK_WIDGET (self->token_row), manual);
  _lb_deploy_page_update_profile_subtitle (self);
}

void
_lb_deploy_page_profile_selected_cb (LbDeployPage *self)
{
  const char *name;

  if (self->updating_profiles)
    return;

  /* A profile the user picked replaces the workload's missing one. */
  g_clear_pointer (&self->missing_profile, g_free);
  update_manual_rows (self);

  /* The choice is part of the workload (lakebase_accelerator.profile). */
  name = _lb_deploy_page_selected_profile (self);
  if (name != NULL && self->workload != NULL && g_strcmp0 (lb_workload_get_profile (self->workload), name) != 0)
    lb_workload_set_profile (self->workload, name);

  _lb_deploy_page_credentials_changed (self);
}

void
_lb_deploy_page_manual_entry_changed_cb (LbDeployPage *self)
{
  if (_lb_deploy_page_is_manual (self))
    _lb_deploy_page_credentials_changed (self);
}

static void
config_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  LbDatabricksConfig *config = lb_databricks_config_new_from_environment (NULL, &error);

  if (config == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, config, g_object_unref);
}

static void
config_loaded_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  LbDeployPage *self = LB_DEPLOY_PAGE (object);
  g_autoptr(LbDatabricksConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree char *previous = NULL;
  const char *wanted = NULL;
  guint selected = 0;
  guint n_names;

  config = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  previous = g_strdup (_lb_deploy_page_selected_profile (self));
  g_set_object (&self->config, config);
  names = config != NULL ? lb_databricks_config_list_profiles (config) : NULL;
  n_names = names != NULL ? g_strv_length (names) : 0;

  self->updating_profiles = TRUE;
  self->n_file_profiles = n_names;
  gtk_string_list_splice (self->profiles, 0, g_list_model_get_n_items (G_LIST_MODEL (self->profiles)),
                          (const char * const *) names);
  gtk_string_list_append (self->profiles, _("Type a host and a token"));

  /* The profile the user had, else the workload's, else the file's default. */
  if (previous != NULL && g_strv_contains ((const char * const *) names, previous))
    wanted = previous;
  else if (self->workload != NULL && lb_workload_get_profile (self->workload) != NULL &&
           g_strv_contains ((const char * const *) names, lb_workload_get_profile (self->workload)))
    wanted = lb_workload_get_profile (self->workload);
  else if (config != NULL && n_names > 0)
    wanted = lb_databricks_config_get_default_profile (config);

  g_clear_pointer (&self->missing_profile, g_free);
  if (n_names > 0 && self->workload != NULL && lb_workload_get_profile (self->workload) != NULL &&
      !g_strv_contains ((const char * const *) names, lb_workload_get_profile (self->workload)))
    self->missing_profile = g_strdup (lb_workload_get_profile (self->workload));

  selected = n_names;
  for (guint i = 0; i < n_names; i++)
    if (g_strcmp0 (names[i], wanted) == 0)
      selected = i;
  if (selected == n_names && n_names > 0)
    selected = 0;
  adw_combo_row_set_selected (self->profile_row, selected);
  self->updating_profiles = FALSE;

  if (error != NULL)
    {
      g_autofree char *text = g_markup_printf_escaped (_("The profiles file could not be read: %s"), error->message);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->no_config_row), _("Databricks profiles unreadable"));
      adw_action_row_set_subtitle (self->no_config_row, text);
    }
  else
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->no_config_row), _("No Databricks CLI profile found"));
      adw_action_row_set_subtitle (self->no_config_row,
                                   _("Install the Databricks CLI and run <tt>databricks auth login --host "
                                     "https://your-workspace.cloud.databricks.com</tt> in a terminal, then "
                                     "refresh; or type the workspace URL and a personal access token below."));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->no_config_row), n_names == 0);
  /* A choice of one would only be noise. */
  gtk_widget_set_visible (GTK_WIDGET (self->profile_row), n_names > 0);

  if (g_strcmp0 (previous, _lb_deploy_page_selected_profile (self)) != 0 || self->client == NULL)
    _lb_deploy_page_credentials_changed (self);
  update_manual_rows (self);
}

void
_lb_deploy_page_reload_profiles (LbDeployPage *self)
{
  g_autoptr(GTask) task = NULL;

  g_cancellable_cancel (self->config_cancellable);
  g_clear_object (&self->config_cancellable);
  self->config_cancellable = g_cancellable_new ();

  /* Reading the file is quick, but it may sit on a slow home directory. */
  task = g_task_new (self, self->config_cancellable, config_loaded_cb, NULL);
  g_task_set_source_tag (task, _lb_deploy_page_reload_profiles);
  g_task_run_in_thread (task, config_worker);
}

static void
existing_found_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(LbDeployPage) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean found;

  found = lb_deployment_runner_find_existing_finish (LB_DEPLOYMENT_RUNNER (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    g_debug ("Could not tell what of the plan exists: %s", error->message);

  /* Only a finding enables Tear Down; an error leaves it as it was. */
  if (error == NULL)
    self->found_existing = found;
  _lb_deploy_page_update_actions (self);
}

/* Asks the workspace whether the plan's instance (or project, or catalog)
 * exists, so Tear Down is offered only when it has something to delete. A
 * throwaway runner: the page's own keeps the last run's progress. */
void
_lb_deploy_page_look_for_existing (LbDeployPage *self)
{
  g_autoptr(LbDeploymentRunner) runner = NULL;

  g_cancellable_cancel (self->find_cancellable);
  g_clear_object (&self->find_cancellable);
  if (self->plan == NULL || self->client == NULL || self->user_name == NULL)
    return;

  self->find_cancellable = g_cancellable_new ();
  runner = lb_deployment_runner_new (self->plan, self->client);
  lb_deployment_runner_find_existing_async (runner, self->find_cancellable, existing_found_cb, g_object_ref (self));
}

static void
token_stored_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(LbDeployPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (secret_password_store_finish (result, &error))
    {
      g_clear_pointer (&self->memory_token, g_free);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* No Secret Service (a headless session): the token lives only as long as
   * this window, and never goes to a file of ours. */
  g_message ("No keyring for the typed token: %s", error->message);
  text = g_strdup_printf (_("%s · the token is kept in memory only: no keyring is available"),
                          adw_action_row_get_subtitle (self->identity_row));
  adw_action_row_set_subtitle (self->identity_row, text);
  _lb_deploy_page_add_toast (self, _("No keyring is available: the token is kept in memory until the app closes"));
}

static void
remember_token (LbDeployPage *self,
                const char   *host,
                const char   *token)
{
  g_autofree char *label = g_strdup_printf (_("Databricks token for %s"), host);

  if (token != self->memory_token)
    {
      g_free (self->memory_token);
      self->memory_token = g_strdup (token);
    }
  secret_password_store (&token_schema, SECRET_COLLECTION_DEFAULT, label, token,
                         self->cancellable, token_stored_cb, g_object_ref (self),
                         "host", host,
                         NULL);
}

static void
identity_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(LbDeployPage) self = user_data;
  LbDatabricksClient *client = LB_DATABRICKS_CLIENT (object);
  g_autoptr(JsonNode) me = NULL;
  g_autoptr(GError) error = NULL;
  const char *user_name = NULL;
  const char *host;
  g_autofree char *text = NULL;

  me = lb_databricks_client_call_finish (client, result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || client != self->client)
    return;

  self->checking = FALSE;
  if (me != NULL && JSON_NODE_HOLDS_OBJECT (me))
    user_name = json_object_get_string_member_with_default (json_node_get_object (me), "userName", NULL);

  if (user_name == NULL)
    {
      g_autofree char *explained = NULL;

      if (error == NULL)
        error = g_error_new_literal (LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_MALFORMED,
                                     _("The workspace did not say who you are."));
      explained = _lb_deploy_page_explain_error (self, error);
      _lb_deploy_page_set_identity (self, "dialog-error-symbolic", "error", explained);
      _lb_deploy_page_set_user_name (self, NULL);
      _lb_deploy_page_update_actions (self);
      return;
    }

  host = lb_databricks_auth_get_host (lb_databricks_client_get_auth (client));
  /* Translators: "ana@example.com on https://dbc-1.cloud.databricks.com" */
  text = g_strdup_printf (_("%s on %s"), user_name, host);
  _lb_deploy_page_set_identity (self, "object-select-symbolic", "success", text);
  _lb_deploy_page_set_user_name (self, user_name);
  lb_table_sizes_group_set_client (self->sizes_group, client);

  if (_lb_deploy_page_is_manual (self) && _lb_deploy_page_typed_token (self) != NULL)
    remember_token (self, host, _lb_deploy_page_typed_token (self));

  _lb_deploy_page_look_for_existing (self);
  _lb_deploy_page_update_actions (self);
}

static void
start_identity_check (LbDeployPage *self,
                      const char   *token)
{
  g_autoptr(GError) error = NULL;
  LbDatabricksClient *client;

  client = _lb_deploy_page_ensure_client (self, token, &error);
  if (client == NULL)
    {
      g_autofree char *explained = _lb_deploy_page_explain_error (self, error);

      self->checking = FALSE;
      _lb_deploy_page_set_identity (self, "dialog-error-symbolic", "error", explained);
      _lb_deploy_page_update_actions (self);
      return;
    }

  lb_databricks_client_call_async (client, "GET", SCIM_ME_PATH, NULL, NULL, LB_CALL_IDEMPOTENT,
                                   self->check_cancellable, identity_cb, g_object_ref (self));
}

static void
token_looked_up_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(LbDeployPage) self = user_data;
  g_autoptr(GError) error = NULL;
  char *token;

  token = secret_password_lookup_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    g_message ("No keyring to look the token up in: %s", error->message);

  start_identity_check (self, token);
  if (token != NULL)
    secret_password_free (token);
}

void
_lb_deploy_page_check_identity (LbDeployPage *self)
{

  g_cancellable_cancel (self->check_cancellable);
  g_clear_object (&self->check_cancellable);
  self->check_cancellable = g_cancellable_new ();
  self->checking = TRUE;

  gtk_stack_set_visible_child_name (self->identity_stack, "spinner");
  gtk_spinner_set_spinning (self->identity_spinner, TRUE);
  adw_action_row_set_subtitle (self->identity_row, _("Asking the workspace…"));
  _lb_deploy_page_update_actions (self);

  /* No token typed for this host: the keyring may have one from before. */
  if (_lb_deploy_page_is_manual (self) && self->client == NULL && _lb_deploy_page_typed_token (self) == NULL)
    {
      g_autofree char *host = lb_databricks_normalize_host (gtk_editable_get_text (GTK_EDITABLE (self->host_row)),
                                                            NULL, NULL);

      if (host != NULL)
        {
          secret_password_lookup (&token_schema, self->check_cancellable, token_looked_up_cb, g_object_ref (self),
                                  "host", host,
                                  NULL);
          return;
        }
    }

  start_identity_check (self, _lb_deploy_page_typed_token (self));
}
