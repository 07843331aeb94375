/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Deploy page's "Databricks Workspace" group: which profile (or a typed
 * host and token), the keyring that remembers a typed token, and the identity
 * check that says who signs in, with what to do when it fails. It makes the
 * workspace client the page deploys with; the page reacts to its signals. */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "lb-oauth-profile.h"
#include "lb-oauth-sign-in-dialog.h"
#include "lb-oauth-token-store.h"
#include "lb-workspace-group.h"

#define SCIM_ME_PATH "/api/2.0/preview/scim/v2/Me"

struct _LbWorkspaceGroup
{
  GtkWidget            parent_instance;

  /* Template Widgets */
  GtkWidget           *group;
  AdwComboRow         *profile_row;
  AdwActionRow        *no_config_row;
  AdwEntryRow         *host_row;
  AdwPasswordEntryRow *token_row;
  AdwActionRow        *identity_row;
  GtkStack            *identity_stack;
  GtkImage            *identity_icon;
  GtkSpinner          *identity_spinner;

  /* Owned References */
  LbWorkload          *workload;
  LbDatabricksConfig  *config;
  GtkStringList       *profiles;          /* the file's profiles, then "type a host and token" */
  LbDatabricksClient  *client;            /* for the chosen profile; made on demand */
  GCancellable        *cancellable;       /* the group's lifetime */
  GCancellable        *check_cancellable;
  GCancellable        *config_cancellable;
  char                *user_name;
  char                *missing_profile;   /* the workload's profile, absent from the file */
  char                *memory_token;      /* a typed token no keyring would take */
  GSettings           *settings;
  GHashTable          *signed_in;         /* browser sign-in profiles not in the file: name → host */
  GHashTable          *signed_in_ids;     /* every browser sign-in profile: name → a{ss} of its ids */
  GtkWidget           *forget_button;
  gboolean             locked;
  char                *pending_select;    /* a profile just signed in: pick it once the list is read */

  guint                n_file_profiles;
  gboolean             updating_profiles;
  gboolean             checking;
};

G_DEFINE_FINAL_TYPE (LbWorkspaceGroup, lb_workspace_group, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_WORKLOAD,
  PROP_USER_NAME,
  PROP_CHECKING,
  N_PROPS
};

enum {
  CHANGED,
  SIGNED_IN,
  TOAST,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const SecretSchema token_schema = {
  "io.github.lakebase.Accelerator.Token",
  SECRET_SCHEMA_NONE,
  {
    { "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
  0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};

static void
set_identity (LbWorkspaceGroup *self,
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

static gboolean
is_manual (LbWorkspaceGroup *self)
{
  guint selected = adw_combo_row_get_selected (self->profile_row);

  return selected == GTK_INVALID_LIST_POSITION || selected >= self->n_file_profiles;
}

static const char *
selected_profile (LbWorkspaceGroup *self)
{
  if (is_manual (self))
    return NULL;

  return gtk_string_list_get_string (self->profiles, adw_combo_row_get_selected (self->profile_row));
}

gboolean
lb_workspace_group_has_credentials_source (LbWorkspaceGroup *self)
{
  if (!is_manual (self))
    return self->config != NULL ||
           (selected_profile (self) != NULL && g_hash_table_contains (self->signed_in, selected_profile (self)));

  return gtk_editable_get_text (GTK_EDITABLE (self->host_row))[0] != '\0';
}

static void
set_user_name (LbWorkspaceGroup *self,
                               const char   *user_name)
{
  if (g_strcmp0 (self->user_name, user_name) == 0)
    return;

  g_free (self->user_name);
  self->user_name = g_strdup (user_name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER_NAME]);
}

/* The profile or the typed credentials changed: what was checked or made
 * with the old ones no longer applies. */
static void
credentials_changed (LbWorkspaceGroup *self)
{
  g_cancellable_cancel (self->check_cancellable);
  g_clear_object (&self->check_cancellable);
  self->checking = FALSE;
  g_clear_object (&self->client);
  set_user_name (self, NULL);
  set_identity (self, "avatar-default-symbolic", "dim-label", _("Not checked yet"));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECKING]);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* The picked profile: from the file, or one of the browser sign-in's kept
 * in our settings (its tokens are in the keyring). */
static LbDatabricksProfile *
resolve_selected (LbWorkspaceGroup  *self,
                  GError           **error)
{
  const char *name = selected_profile (self);
  const char *host = name != NULL ? g_hash_table_lookup (self->signed_in, name) : NULL;

  if (host != NULL)
    {
      GVariant *ids = g_hash_table_lookup (self->signed_in_ids, name);
      const char *account_id = NULL;
      const char *workspace_id = NULL;

      if (ids != NULL)
        {
          g_variant_lookup (ids, "account_id", "&s", &account_id);
          g_variant_lookup (ids, "workspace_id", "&s", &workspace_id);
        }
      return lb_oauth_profile_new_full (name, host, account_id, workspace_id);
    }
  return lb_databricks_config_resolve (self->config, name, error);
}

static LbDatabricksClient *
ensure_client (LbWorkspaceGroup *self,
                               const char    *token,
                               GError       **error)
{
  g_autoptr(LbDatabricksAuth) auth = NULL;

  if (self->client != NULL)
    return self->client;

  if (is_manual (self))
    {
      g_autofree char *host = NULL;

      host = lb_databricks_normalize_host (gtk_editable_get_text (GTK_EDITABLE (self->host_row)), NULL, error);
      if (host == NULL)
        return NULL;
      if (token == NULL || token[0] == '\0')
        {
          g_set_error_literal (error, LB_DATABRICKS_AUTH_ERROR, LB_DATABRICKS_AUTH_ERROR_NOT_CONFIGURED,
                               _("Type a personal access token for this workspace."));
          return NULL;
        }
      auth = lb_databricks_auth_new_for_token (host, token);
    }
  else
    {
      g_autoptr(LbDatabricksProfile) profile = NULL;

      if (self->config == NULL && !g_hash_table_contains (self->signed_in, selected_profile (self)))
        {
          g_set_error_literal (error, LB_DATABRICKS_CONFIG_ERROR, LB_DATABRICKS_CONFIG_ERROR_IO,
                               _("The Databricks profiles have not been read yet."));
          return NULL;
        }
      profile = resolve_selected (self, error);
      if (profile == NULL)
        return NULL;
      auth = lb_databricks_auth_new (profile);
    }

  self->client = lb_databricks_client_new (auth, error);
  return self->client;
}

/* The typed token, or the one kept for this session; NULL when none. */
static const char *
typed_token (LbWorkspaceGroup *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->token_row));

  if (text[0] != '\0')
    return text;
  return self->memory_token;
}

/* What to do about an error of the identity check or of a run, in words a
 * person can act on. */
char *
lb_workspace_group_explain_error (LbWorkspaceGroup *self,
                                  const GError     *error)
{
  const char *profile = selected_profile (self);
  g_autofree char *host = NULL;

  if (self->client != NULL)
    host = g_strdup (lb_databricks_auth_get_host (lb_databricks_client_get_auth (self->client)));

  if (g_error_matches (error, LB_DATABRICKS_AUTH_ERROR, LB_DATABRICKS_AUTH_ERROR_LOGIN_NEEDED))
    {
      /* Where the CLI cannot run (the Flatpak), the browser sign-in can. */
      if (strstr (error->message, _("Sign In with Browser")) == NULL)
        {
          /* The CLI's sentence may end without a full stop. */
          g_autofree char *sentence = g_str_has_suffix (error->message, ".") ? g_strdup (error->message)
                                                                             : g_strconcat (error->message, ".", NULL);

          return g_strdup_printf (_("%s Or use Sign In with Browser above."), sentence);
        }
      return g_strdup (error->message);
    }

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

static void
update_profile_subtitle (LbWorkspaceGroup *self)
{
  g_autoptr(LbDatabricksProfile) profile = NULL;
  g_autofree char *subtitle = NULL;

  if (is_manual (self) || (self->config == NULL && !g_hash_table_contains (self->signed_in, selected_profile (self))))
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->profile_row),
                                   self->n_file_profiles > 0 ? _("A host and a token typed below") : "");
      return;
    }

  profile = resolve_selected (self, NULL);
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
                                                           self->missing_profile, selected_profile (self));
      g_autofree char *both = g_strdup_printf ("%s\n%s", fallback, subtitle);

      g_free (subtitle);
      subtitle = g_steal_pointer (&both);
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->profile_row), subtitle);
}

/* Profiles the app signed in itself (in our settings, or written to the
 * file by the sign-in) can have that sign-in forgotten. */
static void
update_forget (LbWorkspaceGroup *self)
{
  const char *name = selected_profile (self);
  gboolean mine = name != NULL &&
                  (g_hash_table_contains (self->signed_in, name) || g_hash_table_contains (self->signed_in_ids, name));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "workspace.forget-sign-in", mine && !self->locked);
  gtk_widget_set_visible (self->forget_button, mine);
}

static void
update_manual_rows (LbWorkspaceGroup *self)
{
  gboolean manual = is_manual (self);

  update_forget (self);
  gtk_widget_set_visible (GTK_WIDGET (self->host_row), manual);
  gtk_widget_set_visible (GTK_WIDGET (self->token_row), manual);
  update_profile_subtitle (self);
}

static void
profile_selected_cb (LbWorkspaceGroup *self)
{
  const char *name;

  if (self->updating_profiles)
    return;

  /* A profile the user picked replaces the workload's missing one. */
  g_clear_pointer (&self->missing_profile, g_free);
  update_manual_rows (self);

  /* The choice is part of the workload (lakebase_accelerator.profile). */
  name = selected_profile (self);
  if (name != NULL && self->workload != NULL && g_strcmp0 (lb_workload_get_profile (self->workload), name) != 0)
    lb_workload_set_profile (self->workload, name);

  credentials_changed (self);
}

static void
manual_entry_changed_cb (LbWorkspaceGroup *self)
{
  if (is_manual (self))
    credentials_changed (self);
}

/* The file's profiles, then the browser sign-in's that live in our settings. */
static GStrv
merge_signed_in (LbWorkspaceGroup *self,
                 GStrv             names)
{
  g_autoptr(GVariant) kept = g_settings_get_value (self->settings, "signed-in-profiles");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  GVariantIter iter;
  const char *name;
  const char *host;

  g_hash_table_remove_all (self->signed_in);
  g_hash_table_remove_all (self->signed_in_ids);
  {
    g_autoptr(GVariant) ids = g_settings_get_value (self->settings, "signed-in-profile-ids");
    GVariantIter ids_iter;
    const char *key;
    GVariant *value;

    g_variant_iter_init (&ids_iter, ids);
    while (g_variant_iter_next (&ids_iter, "{&s@a{ss}}", &key, &value))
      g_hash_table_insert (self->signed_in_ids, g_strdup (key), value);
  }
  if (names != NULL)
    g_strv_builder_addv (builder, (const char **) names);
  g_variant_iter_init (&iter, kept);
  while (g_variant_iter_next (&iter, "{&s&s}", &name, &host))
    {
      if (names != NULL && g_strv_contains ((const char * const *) names, name))
        continue;
      g_hash_table_insert (self->signed_in, g_strdup (name), g_strdup (host));
      g_strv_builder_add (builder, name);
    }
  g_strfreev (names);
  return g_strv_builder_end (builder);
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
  LbWorkspaceGroup *self = LB_WORKSPACE_GROUP (object);
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

  previous = g_strdup (selected_profile (self));
  g_set_object (&self->config, config);
  names = config != NULL ? lb_databricks_config_list_profiles (config) : NULL;
  names = merge_signed_in (self, names);
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
                                   _("Use <b>Sign In with Browser</b>; or run <tt>databricks auth login --host "
                                     "https://your-workspace.cloud.databricks.com</tt> in a terminal and "
                                     "refresh; or type the workspace URL and a personal access token below."));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->no_config_row), n_names == 0);
  /* A choice of one would only be noise. */
  gtk_widget_set_visible (GTK_WIDGET (self->profile_row), n_names > 0);

  if (g_strcmp0 (previous, selected_profile (self)) != 0 || self->client == NULL)
    credentials_changed (self);
  update_manual_rows (self);

  /* Just signed in with the browser: that profile, checked at once. */
  if (self->pending_select != NULL)
    {
      g_autofree char *name = g_steal_pointer (&self->pending_select);

      if (lb_workspace_group_select_profile (self, name))
        lb_workspace_group_check (self);
    }
}

/* Browser sign-in ------------------------------------------------------------ */

static void
signed_in_cb (LbWorkspaceGroup    *self,
              const char          *name,
              const char          *host,
              gboolean             in_config_file,
              const char          *note,
              LbOAuthSignInDialog *dialog)
{
  g_autofree char *text = NULL;

  if (!in_config_file)
    {
      g_autoptr(GVariant) kept = g_settings_get_value (self->settings, "signed-in-profiles");
      g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{ss}"));
      GVariantIter iter;
      const char *key;
      const char *value;

      g_variant_iter_init (&iter, kept);
      while (g_variant_iter_next (&iter, "{&s&s}", &key, &value))
        if (!g_str_equal (key, name))
          g_variant_builder_add (&builder, "{ss}", key, value);
      g_variant_builder_add (&builder, "{ss}", name, host);
      g_settings_set_value (self->settings, "signed-in-profiles", g_variant_builder_end (&builder));
    }

  /* Every profile the app signed in, with its ids: account and unified
   * hosts need them, and Forget Sign-In offers itself for these. */
  {
    g_autoptr(GVariant) kept = g_settings_get_value (self->settings, "signed-in-profile-ids");
    g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{sa{ss}}"));
    g_auto(GVariantBuilder) ids = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{ss}"));
    const char *account_id = lb_oauth_sign_in_dialog_get_account_id (dialog);
    const char *workspace_id = lb_oauth_sign_in_dialog_get_workspace_id (dialog);
    GVariantIter iter;
    const char *key;
    GVariant *value;

    g_variant_iter_init (&iter, kept);
    while (g_variant_iter_next (&iter, "{&s@a{ss}}", &key, &value))
      {
        if (!g_str_equal (key, name))
          g_variant_builder_add (&builder, "{s@a{ss}}", key, value);
        g_variant_unref (value);
      }
    if (account_id != NULL)
      g_variant_builder_add (&ids, "{ss}", "account_id", account_id);
    if (workspace_id != NULL)
      g_variant_builder_add (&ids, "{ss}", "workspace_id", workspace_id);
    g_variant_builder_add (&ids, "{ss}", "in_file", in_config_file ? "true" : "false");
    g_variant_builder_add (&builder, "{s@a{ss}}", name, g_variant_builder_end (&ids));
    g_settings_set_value (self->settings, "signed-in-profile-ids", g_variant_builder_end (&builder));
  }

  /* Translators: "Signed in to https://… as profile “dbc-1”" */
  text = g_strdup_printf (_("Signed in to %s as profile “%s”"), host, name);
  g_signal_emit (self, signals[TOAST], 0, note != NULL ? note : text);

  g_free (self->pending_select);
  self->pending_select = g_strdup (name);
  lb_workspace_group_reload_profiles (self);
}

static GFile *
config_file (LbWorkspaceGroup *self)
{
  if (self->config != NULL && lb_databricks_config_get_file (self->config) != NULL)
    return g_object_ref (lb_databricks_config_get_file (self->config));

  /* Not read yet: where the CLI and lb-databricks-config look. */
  {
    const char *path = g_getenv ("DATABRICKS_CONFIG_FILE");
    g_autofree char *default_path = g_build_filename (g_get_home_dir (), ".databrickscfg", NULL);

    return g_file_new_for_path (path != NULL && path[0] != '\0' ? path : default_path);
  }
}

static void
sign_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  LbWorkspaceGroup *self = LB_WORKSPACE_GROUP (widget);
  g_autoptr(GFile) file = config_file (self);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) taken = NULL;
  LbOAuthSignInDialog *dialog;
  GtkRoot *root = gtk_widget_get_root (widget);

  for (guint i = 0; i < self->n_file_profiles; i++)
    g_strv_builder_add (builder, gtk_string_list_get_string (self->profiles, i));
  taken = g_strv_builder_end (builder);

  dialog = lb_oauth_sign_in_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, file,
                                        (const char * const *) taken);
  /* A host typed for a token is likely the one to sign in to. */
  if (is_manual (self))
    lb_oauth_sign_in_dialog_set_host (dialog, gtk_editable_get_text (GTK_EDITABLE (self->host_row)));
  g_signal_connect_object (dialog, "signed-in", G_CALLBACK (signed_in_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Forget sign-in ----------------------------------------------------------- */

typedef struct
{
  LbWorkspaceGroup *self;
  char             *name;
  char             *host;
  gboolean          settings_only;
} Forget;

static void
forget_free (Forget *forget)
{
  g_object_unref (forget->self);
  g_free (forget->name);
  g_free (forget->host);
  g_free (forget);
}

/* @key's dictionary less the entry @name. */
static void
remove_setting_entry (GSettings  *settings,
                      const char *key,
                      const char *name)
{
  g_autoptr(GVariant) kept = g_settings_get_value (settings, key);
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (g_variant_get_type (kept));
  gsize n = g_variant_n_children (kept);

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (kept, i);
      const char *entry_name = NULL;

      g_variant_get_child (entry, 0, "&s", &entry_name);
      if (!g_str_equal (entry_name, name))
        g_variant_builder_add_value (&builder, entry);
    }
  g_settings_set_value (settings, key, g_variant_builder_end (&builder));
}

static void
forget_deleted_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Forget *forget = user_data;
  LbWorkspaceGroup *self = forget->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (!lb_oauth_token_store_delete_finish (result, &error))
    {
      text = g_strdup_printf (_("The keyring did not let go of the sign-in (%s): unlock it and try again"),
                              error->message);
      g_signal_emit (self, signals[TOAST], 0, text);
      forget_free (forget);
      return;
    }

  remove_setting_entry (self->settings, "signed-in-profile-ids", forget->name);
  if (forget->settings_only)
    {
      remove_setting_entry (self->settings, "signed-in-profiles", forget->name);
      /* Translators: "Forgot the sign-in of profile “dbc-1”" */
      text = g_strdup_printf (_("Forgot the sign-in of profile “%s” and removed the profile"), forget->name);
    }
  else
    text = g_strdup_printf (_("Forgot the sign-in of profile “%s”: it needs a new sign-in before use"),
                            forget->name);

  /* What was checked with those tokens no longer holds. */
  credentials_changed (self);
  g_signal_emit (self, signals[TOAST], 0, text);
  lb_workspace_group_reload_profiles (self);
  forget_free (forget);
}

static void
forget_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    Forget           *forget)
{
  if (!g_str_equal (response, "forget"))
    {
      forget_free (forget);
      return;
    }
  lb_oauth_token_store_delete_async (forget->host, forget->name, NULL, forget_deleted_cb, forget);
}

static void
forget_sign_in_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  LbWorkspaceGroup *self = LB_WORKSPACE_GROUP (widget);
  const char *name = selected_profile (self);
  g_autoptr(LbDatabricksProfile) profile = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *file_name = NULL;
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;
  Forget *forget;

  if (name == NULL)
    return;
  profile = resolve_selected (self, NULL);
  if (profile == NULL || profile->host == NULL)
    return;

  forget = g_new0 (Forget, 1);
  forget->self = g_object_ref (self);
  forget->name = g_strdup (name);
  forget->host = g_strdup (profile->host);
  forget->settings_only = g_hash_table_contains (self->signed_in, name);

  /* Translators: the heading of the confirmation; %s is a profile name. */
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, NULL, NULL);
  adw_message_dialog_format_heading (ADW_MESSAGE_DIALOG (dialog), _("Forget the Sign-In of “%s”?"), name);
  file = config_file (self);
  file_name = g_file_get_parse_name (file);
  if (forget->settings_only)
    adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                    _("The tokens for %s are deleted from your keyring and the profile is "
                                      "removed from Lakebase Accelerator. Signing in again needs the browser."),
                                    forget->host);
  else
    adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                    _("The tokens for %s are deleted from your keyring. The profile stays in "
                                      "%s; using it needs a new sign-in."),
                                    forget->host, file_name);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "forget", _("_Forget Sign-In"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "forget", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (forget_response_cb), forget);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
lb_workspace_group_reload_profiles (LbWorkspaceGroup *self)
{
  g_autoptr(GTask) task = NULL;

  g_cancellable_cancel (self->config_cancellable);
  g_clear_object (&self->config_cancellable);
  self->config_cancellable = g_cancellable_new ();

  /* Reading the file is quick, but it may sit on a slow home directory. */
  task = g_task_new (self, self->config_cancellable, config_loaded_cb, NULL);
  g_task_set_source_tag (task, lb_workspace_group_reload_profiles);
  g_task_run_in_thread (task, config_worker);
}

static void
token_stored_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(LbWorkspaceGroup) self = user_data;
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
  g_signal_emit (self, signals[TOAST], 0, _("No keyring is available: the token is kept in memory until the app closes"));
}

static void
remember_token (LbWorkspaceGroup *self,
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
  g_autoptr(LbWorkspaceGroup) self = user_data;
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
      explained = lb_workspace_group_explain_error (self, error);
      set_identity (self, "dialog-error-symbolic", "error", explained);
      set_user_name (self, NULL);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECKING]);
      return;
    }

  host = lb_databricks_auth_get_host (lb_databricks_client_get_auth (client));
  /* Translators: "ana@example.com on https://dbc-1.cloud.databricks.com" */
  text = g_strdup_printf (_("%s on %s"), user_name, host);
  set_identity (self, "object-select-symbolic", "success", text);
  set_user_name (self, user_name);

  if (is_manual (self) && typed_token (self) != NULL)
    remember_token (self, host, typed_token (self));

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECKING]);
  g_signal_emit (self, signals[SIGNED_IN], 0, client);
}

static void
start_identity_check (LbWorkspaceGroup *self,
                      const char   *token)
{
  g_autoptr(GError) error = NULL;
  LbDatabricksClient *client;

  client = ensure_client (self, token, &error);
  if (client == NULL)
    {
      g_autofree char *explained = lb_workspace_group_explain_error (self, error);

      self->checking = FALSE;
      set_identity (self, "dialog-error-symbolic", "error", explained);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECKING]);
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
  g_autoptr(LbWorkspaceGroup) self = user_data;
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
lb_workspace_group_check (LbWorkspaceGroup *self)
{

  g_cancellable_cancel (self->check_cancellable);
  g_clear_object (&self->check_cancellable);
  self->check_cancellable = g_cancellable_new ();
  self->checking = TRUE;

  gtk_stack_set_visible_child_name (self->identity_stack, "spinner");
  gtk_spinner_set_spinning (self->identity_spinner, TRUE);
  adw_action_row_set_subtitle (self->identity_row, _("Asking the workspace…"));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECKING]);

  /* No token typed for this host: the keyring may have one from before. */
  if (is_manual (self) && self->client == NULL && typed_token (self) == NULL)
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

  start_identity_check (self, typed_token (self));
}

/* GObject ------------------------------------------------------------------ */

static void
lb_workspace_group_dispose (GObject *object)
{
  LbWorkspaceGroup *self = LB_WORKSPACE_GROUP (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->check_cancellable);
  g_cancellable_cancel (self->config_cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_WORKSPACE_GROUP);

  g_clear_object (&self->workload);
  g_clear_object (&self->config);
  g_clear_object (&self->profiles);
  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->check_cancellable);
  g_clear_object (&self->config_cancellable);
  g_clear_pointer (&self->missing_profile, g_free);
  g_clear_pointer (&self->user_name, g_free);
  g_clear_pointer (&self->pending_select, g_free);
  g_clear_pointer (&self->signed_in, g_hash_table_unref);
  g_clear_pointer (&self->signed_in_ids, g_hash_table_unref);
  g_clear_object (&self->settings);
  if (self->memory_token != NULL)
    memset (self->memory_token, 0, strlen (self->memory_token));
  g_clear_pointer (&self->memory_token, g_free);

  G_OBJECT_CLASS (lb_workspace_group_parent_class)->dispose (object);
}

static void
lb_workspace_group_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  LbWorkspaceGroup *self = LB_WORKSPACE_GROUP (object);

  switch (prop_id)
    {
    case PROP_WORKLOAD:
      g_value_set_object (value, self->workload);
      break;
    case PROP_USER_NAME:
      g_value_set_string (value, self->user_name);
      break;
    case PROP_CHECKING:
      g_value_set_boolean (value, self->checking);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_workspace_group_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  LbWorkspaceGroup *self = LB_WORKSPACE_GROUP (object);

  switch (prop_id)
    {
    case PROP_WORKLOAD:
      lb_workspace_group_set_workload (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_workspace_group_class_init (LbWorkspaceGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_workspace_group_dispose;
  object_class->get_property = lb_workspace_group_get_property;
  object_class->set_property = lb_workspace_group_set_property;

  properties[PROP_WORKLOAD] =
    g_param_spec_object ("workload", NULL, NULL,
                         LB_TYPE_WORKLOAD,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USER_NAME] =
    g_param_spec_string ("user-name", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CHECKING] =
    g_param_spec_boolean ("checking", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNED_IN] =
    g_signal_new ("signed-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LB_TYPE_DATABRICKS_CLIENT);
  signals[TOAST] =
    g_signal_new ("toast", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, APP_RESOURCE_PATH "/ui/lb-workspace-group.ui");
  gtk_widget_class_bind_template_child (widget_class, LbWorkspaceGroup, group);
  gtk_widget_class_bind_template_child (widget_class, LbWorkspaceGroup, profile_row);
  gtk_widget_class_bind_template_child (widget_class, LbWorkspaceGroup, no_config_row);
  gtk_widget_class_bind_template_child (widget_class, LbWorkspaceGroup, host_row);
  gtk_widget_class_bind_template_child (widget_class, LbWorkspaceGroup, token_row);
  gtk_widget_class_bind_template_child (widget_class, LbWorkspaceGroup, identity_row);
  gtk_widget_class_bind_template_child (widget_class, LbWorkspaceGroup, identity_stack);
  gtk_widget_class_bind_template_child (widget_class, LbWorkspaceGroup, identity_icon);
  gtk_widget_class_bind_template_child (widget_class, LbWorkspaceGroup, identity_spinner);

  gtk_widget_class_install_action (widget_class, "workspace.sign-in", NULL, sign_in_action);
  gtk_widget_class_install_action (widget_class, "workspace.forget-sign-in", NULL, forget_sign_in_action);
}

static void
lb_workspace_group_init (LbWorkspaceGroup *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* Beside the profile it acts on; shown for the app's own sign-ins. */
  self->forget_button = g_object_new (GTK_TYPE_BUTTON,
                                      "icon-name", "system-log-out-symbolic",
                                      "action-name", "workspace.forget-sign-in",
                                      "tooltip-text", _("Forget the browser sign-in of this profile"),
                                      "valign", GTK_ALIGN_CENTER,
                                      "visible", FALSE,
                                      NULL);
  gtk_widget_add_css_class (self->forget_button, "flat");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->forget_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Forget Sign-In"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self->profile_row), self->forget_button);

  self->cancellable = g_cancellable_new ();
  self->settings = g_settings_new (APP_ID);
  self->signed_in = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->signed_in_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_variant_unref);
  self->profiles = gtk_string_list_new (NULL);
  gtk_string_list_append (self->profiles, _("Type a host and a token"));
  adw_combo_row_set_model (self->profile_row, G_LIST_MODEL (self->profiles));
  adw_combo_row_set_selected (self->profile_row, 0);

  g_signal_connect_object (self->profile_row, "notify::selected", G_CALLBACK (profile_selected_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->host_row, "changed", G_CALLBACK (manual_entry_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->token_row, "changed", G_CALLBACK (manual_entry_changed_cb),
                           self, G_CONNECT_SWAPPED);
}

/* Public API --------------------------------------------------------------- */

LbWorkload *
lb_workspace_group_get_workload (LbWorkspaceGroup *self)
{
  g_return_val_if_fail (LB_IS_WORKSPACE_GROUP (self), NULL);

  return self->workload;
}

void
lb_workspace_group_set_workload (LbWorkspaceGroup *self,
                                 LbWorkload       *workload)
{
  g_return_if_fail (LB_IS_WORKSPACE_GROUP (self));
  g_return_if_fail (workload == NULL || LB_IS_WORKLOAD (workload));

  if (!g_set_object (&self->workload, workload))
    return;

  /* Another workload: its own profile, or a sentence on the one used instead. */
  g_clear_pointer (&self->missing_profile, g_free);
  if (workload != NULL && lb_workload_get_profile (workload) != NULL &&
      !lb_workspace_group_select_profile (self, lb_workload_get_profile (workload)) && self->n_file_profiles > 0)
    self->missing_profile = g_strdup (lb_workload_get_profile (workload));
  update_profile_subtitle (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WORKLOAD]);
}

const char *
lb_workspace_group_get_user_name (LbWorkspaceGroup *self)
{
  g_return_val_if_fail (LB_IS_WORKSPACE_GROUP (self), NULL);

  return self->user_name;
}

gboolean
lb_workspace_group_get_checking (LbWorkspaceGroup *self)
{
  g_return_val_if_fail (LB_IS_WORKSPACE_GROUP (self), FALSE);

  return self->checking;
}

LbDatabricksClient *
lb_workspace_group_get_client (LbWorkspaceGroup *self)
{
  g_return_val_if_fail (LB_IS_WORKSPACE_GROUP (self), NULL);

  return self->client;
}

LbDatabricksClient *
lb_workspace_group_ensure_client (LbWorkspaceGroup  *self,
                                  GError           **error)
{
  g_return_val_if_fail (LB_IS_WORKSPACE_GROUP (self), NULL);

  return ensure_client (self, typed_token (self), error);
}

gboolean
lb_workspace_group_select_profile (LbWorkspaceGroup *self,
                                   const char       *name)
{
  g_return_val_if_fail (LB_IS_WORKSPACE_GROUP (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  for (guint i = 0; i < self->n_file_profiles; i++)
    if (g_strcmp0 (gtk_string_list_get_string (self->profiles, i), name) == 0)
      {
        adw_combo_row_set_selected (self->profile_row, i);
        return TRUE;
      }

  return FALSE;
}

void
lb_workspace_group_show_identity (LbWorkspaceGroup *self,
                                  const char       *user_name,
                                  const char       *host)
{
  g_autofree char *text = NULL;

  g_return_if_fail (LB_IS_WORKSPACE_GROUP (self));
  g_return_if_fail (user_name != NULL);

  if (g_strcmp0 (user_name, self->user_name) == 0)
    return;

  text = g_strdup_printf (_("%s on %s"), user_name, host);
  set_identity (self, "object-select-symbolic", "success", text);
  set_user_name (self, user_name);
}

void
lb_workspace_group_set_locked (LbWorkspaceGroup *self,
                               gboolean          locked)
{
  g_return_if_fail (LB_IS_WORKSPACE_GROUP (self));

  gtk_widget_set_sensitive (GTK_WIDGET (self->profile_row), !locked);
  gtk_widget_set_sensitive (GTK_WIDGET (self->host_row), !locked);
  gtk_widget_set_sensitive (GTK_WIDGET (self->token_row), !locked);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "workspace.sign-in", !locked);
  self->locked = locked;
  update_forget (self);
}
