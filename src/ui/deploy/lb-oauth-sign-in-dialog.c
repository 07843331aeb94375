/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The "Sign in with browser" window: the form, the wait for the browser
 * (with a link in case none opened), errors in words a user can act on,
 * then the tokens into the keyring and, when asked, the profile into the
 * profiles file. The OAuth itself is LbOAuthLogin's. */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "lb-compat.h"
#include "lb-databricks-config.h"
#include "lb-oauth-login.h"
#include "lb-oauth-profile.h"
#include "lb-oauth-sign-in-dialog.h"
#include "lb-oauth-token-store.h"

struct _LbOAuthSignInDialog
{
  AdwWindow         parent_instance;

  /* Template widgets */
  GtkWidget        *sign_in_button;
  GtkWidget        *form_group;
  AdwEntryRow      *host_row;
  AdwEntryRow      *name_row;
  AdwActionRow     *account_switch_row;
  GtkSwitch        *account_switch;
  AdwEntryRow      *account_row;
  AdwActionRow     *save_row;
  GtkSwitch        *save_switch;
  GtkWidget        *status_group;
  AdwActionRow     *status_row;
  GtkStack         *status_stack;
  GtkSpinner       *spinner;
  GtkLabel         *link_label;

  GFile            *config_file;
  GStrv             taken;
  LbOAuthLogin     *login;
  GCancellable     *cancellable;
  char             *host;
  char             *name;
  char             *account_id;    /* given, or what discovery found */
  char             *workspace_id;  /* a unified host's workspace */
  char             *typed_workspace_id;  /* from ?o= / ?w= in the URL */
  gboolean          config_writable;
  gboolean          busy;
};

G_DEFINE_FINAL_TYPE (LbOAuthSignInDialog, lb_oauth_sign_in_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNED_IN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_busy (LbOAuthSignInDialog *self,
          gboolean             busy)
{
  self->busy = busy;
  gtk_widget_set_sensitive (self->form_group, !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in.start", !busy);
  gtk_spinner_set_spinning (self->spinner, busy);
}

static void
show_status (LbOAuthSignInDialog *self,
             gboolean             error,
             const char          *title,
             const char          *subtitle)
{
  gtk_widget_set_visible (self->status_group, TRUE);
  gtk_stack_set_visible_child_name (self->status_stack, error ? "error" : "spinner");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->status_row), title);
  adw_action_row_set_subtitle (self->status_row, subtitle != NULL ? subtitle : "");
  if (error)
    gtk_widget_set_visible (GTK_WIDGET (self->link_label), FALSE);
}

static void
show_error (LbOAuthSignInDialog *self,
            const char          *message)
{
  set_busy (self, FALSE);
  show_status (self, TRUE, _("Not signed in"), message);
}

static void
finish (LbOAuthSignInDialog *self)
{
  gboolean in_config = FALSE;
  g_autofree char *note = NULL;

  if (gtk_switch_get_active (self->save_switch))
    {
      g_autoptr(GError) error = NULL;

      in_config = lb_oauth_profile_write_to_config_full (self->config_file, self->name, self->host,
                                                         self->account_id, self->workspace_id, &error);
      if (!in_config)
        note = g_strdup (error->message);
    }

  set_busy (self, FALSE);
  g_signal_emit (self, signals[SIGNED_IN], 0, self->name, self->host, in_config, note);
  gtk_window_close (GTK_WINDOW (self));
}

static void
tokens_saved_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(LbOAuthSignInDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!lb_oauth_token_store_save_finish (result, &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = g_strdup_printf (_("The sign-in worked, but the keyring did not keep it (%s). "
                                   "Unlock or set up a keyring (such as GNOME Keyring), then sign in again."),
                                 error->message);
      show_error (self, message);
      return;
    }

  finish (self);
}

static void
login_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(LbOAuthSignInDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LbOAuthTokens) tokens = lb_oauth_login_run_finish (LB_OAUTH_LOGIN (object), result, &error);

  if (LB_OAUTH_LOGIN (object) != self->login)
    return;

  if (tokens == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          set_busy (self, FALSE);
          gtk_widget_set_visible (self->status_group, FALSE);
          gtk_widget_set_visible (GTK_WIDGET (self->link_label), FALSE);
          return;
        }
      /* A unified host asked for the account id: offer the field. */
      if (g_error_matches (error, LB_OAUTH_ERROR, LB_OAUTH_ERROR_ACCOUNT_ID_NEEDED))
        {
          gtk_switch_set_active (self->account_switch, TRUE);
        }
      show_error (self, error->message);
      return;
    }

  /* The ids discovery found go with the profile (the workspace id names
   * the workspace to a unified host). */
  {
    const LbOAuthEndpoints *endpoints = lb_oauth_login_get_endpoints (self->login);

    if (endpoints != NULL && endpoints->account_id != NULL && self->account_id == NULL &&
        endpoints->host_type != LB_OAUTH_HOST_WORKSPACE)
      self->account_id = g_strdup (endpoints->account_id);
    g_clear_pointer (&self->workspace_id, g_free);
    if (endpoints != NULL && endpoints->host_type == LB_OAUTH_HOST_UNIFIED)
      self->workspace_id = g_strdup (endpoints->workspace_id != NULL ? endpoints->workspace_id
                                                                     : self->typed_workspace_id);
  }
  show_status (self, FALSE, _("Saving the sign-in in the keyring…"), NULL);
  lb_oauth_token_store_save_async (self->host, self->name, tokens, self->cancellable,
                                   tokens_saved_cb, g_object_ref (self));
}

static void
open_uri_cb (LbOAuthLogin        *login,
             const char          *uri,
             LbOAuthSignInDialog *self)
{
  g_autofree char *markup = NULL;

  show_status (self, FALSE, _("Waiting for the browser…"),
               _("Sign in on the page that opened in your browser, then come back here."));
  /* The URL carries only the PKCE challenge and the state, no secret. */
  markup = g_markup_printf_escaped (_("If no browser opened, <a href=\"%s\">open the sign-in page</a> yourself."), uri);
  gtk_label_set_markup (self->link_label, markup);
  gtk_widget_set_visible (GTK_WIDGET (self->link_label), TRUE);
  lb_compat_show_uri (GTK_WINDOW (self), uri);
}

static gboolean
activate_link_cb (LbOAuthSignInDialog *self,
                  const char          *uri)
{
  lb_compat_show_uri (GTK_WINDOW (self), uri);
  return TRUE;
}

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  LbOAuthSignInDialog *self = LB_OAUTH_SIGN_IN_DIALOG (widget);
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  g_autofree char *name = NULL;
  const char *typed;

  if (self->busy)
    return;

  typed = gtk_editable_get_text (GTK_EDITABLE (self->host_row));
  if (typed[0] == '\0')
    {
      show_error (self, _("Type the URL of your workspace, as in your browser's address bar "
                          "(https://…cloud.databricks.com)."));
      gtk_widget_grab_focus (GTK_WIDGET (self->host_row));
      return;
    }
  g_clear_pointer (&self->typed_workspace_id, g_free);
  /* ?o=… / ?w=… in a copied URL names the workspace (of a unified host). */
  host = lb_databricks_normalize_host (typed, &self->typed_workspace_id, &error);
  if (host == NULL)
    {
      show_error (self, error->message);
      gtk_widget_grab_focus (GTK_WIDGET (self->host_row));
      return;
    }

  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  if (name[0] == '\0')
    {
      g_free (name);
      name = lb_oauth_profile_suggest_name (host);
    }
  if (strpbrk (name, "[]\n\r") != NULL)
    {
      show_error (self, _("A profile name cannot hold brackets or line breaks."));
      return;
    }
  if (self->taken != NULL && g_strv_contains ((const char * const *) self->taken, name))
    {
      g_autofree char *message = g_strdup_printf (_("There is a profile named “%s” already: type another name."), name);

      show_error (self, message);
      gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
      return;
    }

  g_clear_pointer (&self->account_id, g_free);
  if (gtk_widget_get_visible (GTK_WIDGET (self->account_row)))
    {
      g_autofree char *account = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->account_row))));

      if (account[0] == '\0' && lb_oauth_is_account_host (host))
        {
          show_error (self, _("Type the account ID: an account console signs in to one account. "
                              "It is a UUID, shown in the account console under your user menu."));
          return;
        }
      if (account[0] != '\0' && !lb_oauth_is_valid_account_id (account))
        {
          show_error (self, _("The account ID is a UUID such as 0a1b2c3d-1234-5678-9abc-def012345678: "
                              "copy it from the account console."));
          return;
        }
      if (account[0] != '\0')
        self->account_id = g_steal_pointer (&account);
    }

  g_free (self->host);
  self->host = g_steal_pointer (&host);
  g_free (self->name);
  self->name = g_steal_pointer (&name);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_object (&self->login);
  self->login = lb_oauth_login_new (self->host, self->account_id);
  g_signal_connect_object (self->login, "open-uri", G_CALLBACK (open_uri_cb), self, 0);

  set_busy (self, TRUE);
  show_status (self, FALSE, _("Asking the workspace how to sign in…"), NULL);
  lb_oauth_login_run_async (self->login, self->cancellable, login_done_cb, g_object_ref (self));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  LbOAuthSignInDialog *self = LB_OAUTH_SIGN_IN_DIALOG (widget);

  /* While waiting, Cancel stops the wait; otherwise it closes. */
  if (self->busy)
    {
      g_cancellable_cancel (self->cancellable);
      return;
    }
  gtk_window_close (GTK_WINDOW (self));
}

static void
check_config_writable (LbOAuthSignInDialog *self)
{
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GFile) parent = NULL;
  g_autofree char *display = NULL;

  if (self->config_file == NULL)
    return;

  info = g_file_query_info (self->config_file, G_FILE_ATTRIBUTE_ACCESS_CAN_WRITE, G_FILE_QUERY_INFO_NONE, NULL, NULL);
  /* No file yet: can one be made? Not inside the Flatpak, whose home
   * outside the shared paths does not outlive the app. */
  if (info == NULL && !g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    {
      parent = g_file_get_parent (self->config_file);
      if (parent != NULL)
        info = g_file_query_info (parent, G_FILE_ATTRIBUTE_ACCESS_CAN_WRITE "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                  G_FILE_QUERY_INFO_NONE, NULL, NULL);
      if (info != NULL && g_file_info_get_file_type (info) != G_FILE_TYPE_DIRECTORY)
        g_clear_object (&info);
    }

  self->config_writable = info != NULL && g_file_info_get_attribute_boolean (info, G_FILE_ATTRIBUTE_ACCESS_CAN_WRITE);
  display = g_file_get_parse_name (self->config_file);
  /* ~/.databrickscfg reads better than the full path. */
  if (g_str_has_prefix (display, g_get_home_dir ()) && display[strlen (g_get_home_dir ())] == '/')
    {
      char *short_name = g_strconcat ("~", display + strlen (g_get_home_dir ()), NULL);

      g_free (display);
      display = short_name;
    }
  {
    g_autofree char *title = g_strdup_printf (_("Also save to %s"), display);

    /* A path is text, not markup ("&" is a valid file name character). */
    adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self->save_row), FALSE);
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->save_row), title);
  }
  if (!self->config_writable)
    {
      /* The Flatpak may only read it: say so before anyone ticks the box. */
      const char *why = _("This file may only be read here (the app's sandbox allows no more): the "
                          "profile is kept in Lakebase Accelerator's own settings");

      gtk_switch_set_active (self->save_switch, FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->save_switch), FALSE);
      adw_action_row_set_subtitle (self->save_row, why);
    }
}

/* An account console always needs the account id; any other host only
 * when the user says it signs in through an account (a unified host). */
static void
update_account_rows (LbOAuthSignInDialog *self)
{
  g_autofree char *host = lb_databricks_normalize_host (gtk_editable_get_text (GTK_EDITABLE (self->host_row)),
                                                        NULL, NULL);
  gboolean account_host = host != NULL && lb_oauth_is_account_host (host);

  gboolean shown = account_host || gtk_switch_get_active (self->account_switch);

  gtk_widget_set_visible (GTK_WIDGET (self->account_switch_row), !account_host);
  gtk_widget_set_visible (GTK_WIDGET (self->account_row), shown);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->account_row),
                                 account_host ? _("Account ID (a UUID, from the account console)")
                                              : _("Account ID (optional: the host may know it)"));
}

static void
host_changed_cb (LbOAuthSignInDialog *self)
{
  g_autofree char *host = lb_databricks_normalize_host (gtk_editable_get_text (GTK_EDITABLE (self->host_row)),
                                                        NULL, NULL);
  g_autofree char *suggestion = host != NULL ? lb_oauth_profile_suggest_name (host) : NULL;
  g_autofree char *title = NULL;

  /* The name used when none is typed, shown in the row's title. */
  if (suggestion != NULL)
    title = g_strdup_printf (_("Profile name (default “%s”)"), suggestion);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->name_row),
                                 title != NULL ? title : _("Profile name (optional)"));
  update_account_rows (self);
}

static void
entry_activated_cb (LbOAuthSignInDialog *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "sign-in.start", NULL);
}

static gboolean
close_request_cb (LbOAuthSignInDialog *self)
{
  g_cancellable_cancel (self->cancellable);
  return FALSE;
}

static void
lb_oauth_sign_in_dialog_dispose (GObject *object)
{
  LbOAuthSignInDialog *self = LB_OAUTH_SIGN_IN_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->login);
  g_clear_object (&self->config_file);
  g_clear_pointer (&self->taken, g_strfreev);
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->name, g_free);

  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_OAUTH_SIGN_IN_DIALOG);

  G_OBJECT_CLASS (lb_oauth_sign_in_dialog_parent_class)->dispose (object);
}

static void
lb_oauth_sign_in_dialog_class_init (LbOAuthSignInDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_oauth_sign_in_dialog_dispose;

  signals[SIGNED_IN] =
    g_signal_new ("signed-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_BOOLEAN, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, APP_RESOURCE_PATH "/ui/lb-oauth-sign-in-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, LbOAuthSignInDialog, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, LbOAuthSignInDialog, form_group);
  gtk_widget_class_bind_template_child (widget_class, LbOAuthSignInDialog, host_row);
  gtk_widget_class_bind_template_child (widget_class, LbOAuthSignInDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, LbOAuthSignInDialog, account_switch_row);
  gtk_widget_class_bind_template_child (widget_class, LbOAuthSignInDialog, account_switch);
  gtk_widget_class_bind_template_child (widget_class, LbOAuthSignInDialog, account_row);
  gtk_widget_class_bind_template_child (widget_class, LbOAuthSignInDialog, save_row);
  gtk_widget_class_bind_template_child (widget_class, LbOAuthSignInDialog, save_switch);
  gtk_widget_class_bind_template_child (widget_class, LbOAuthSignInDialog, status_group);
  gtk_widget_class_bind_template_child (widget_class, LbOAuthSignInDialog, status_row);
  gtk_widget_class_bind_template_child (widget_class, LbOAuthSignInDialog, status_stack);
  gtk_widget_class_bind_template_child (widget_class, LbOAuthSignInDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, LbOAuthSignInDialog, link_label);

  gtk_widget_class_install_action (widget_class, "sign-in.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "sign-in.cancel", NULL, cancel_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "sign-in.cancel", NULL);
}

static void
lb_oauth_sign_in_dialog_init (LbOAuthSignInDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (self->host_row, "changed", G_CALLBACK (host_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->host_row, "entry-activated", G_CALLBACK (entry_activated_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->name_row, "entry-activated", G_CALLBACK (entry_activated_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->account_row, "entry-activated", G_CALLBACK (entry_activated_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->account_switch, "notify::active", G_CALLBACK (update_account_rows), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->link_label, "activate-link", G_CALLBACK (activate_link_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "close-request", G_CALLBACK (close_request_cb), NULL);
}

LbOAuthSignInDialog *
lb_oauth_sign_in_dialog_new (GtkWindow          *parent,
                             GFile              *config_file,
                             const char * const *taken)
{
  LbOAuthSignInDialog *self = g_object_new (LB_TYPE_OAUTH_SIGN_IN_DIALOG,
                                            "transient-for", parent,
                                            NULL);

  self->config_file = config_file != NULL ? g_object_ref (config_file) : NULL;
  self->taken = g_strdupv ((char **) taken);
  check_config_writable (self);
  gtk_widget_set_visible (GTK_WIDGET (self->save_row), self->config_file != NULL);
  return self;
}

void
lb_oauth_sign_in_dialog_set_host (LbOAuthSignInDialog *self,
                                  const char          *host)
{
  g_return_if_fail (LB_IS_OAUTH_SIGN_IN_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->host_row), host != NULL ? host : "");
}

const char *
lb_oauth_sign_in_dialog_get_account_id (LbOAuthSignInDialog *self)
{
  g_return_val_if_fail (LB_IS_OAUTH_SIGN_IN_DIALOG (self), NULL);

  return self->account_id;
}

const char *
lb_oauth_sign_in_dialog_get_workspace_id (LbOAuthSignInDialog *self)
{
  g_return_val_if_fail (LB_IS_OAUTH_SIGN_IN_DIALOG (self), NULL);

  return self->workspace_id;
}
