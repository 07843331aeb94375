/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "lb-bundle-writer.h"
#include "lb-compat.h"
#include "lb-deploy-page.h"
#include "lb-deployment-step-row.h"
#include "lb-tester-window.h"
#include "lb-window.h"

#define PLAN_DELAY_MS          150
/* Database credentials last about an hour: fetch a new one this long before. */
#define CREDENTIAL_MARGIN_S    (10 * 60)
#define CREDENTIAL_MIN_WAIT_S  30

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

/* A tester window opened on the deployed instance, kept supplied with a
 * fresh credential while it lives. */
typedef struct
{
  LbDeployPage       *page;       /* unowned: the page frees its links */
  GtkWidget          *window;     /* unowned: "destroy" drops the link */
  LbDeploymentRunner *runner;
  GCancellable       *cancellable;
  guint               refresh_source;
  gulong              destroy_id;
} TesterLink;

struct _LbDeployPage
{
  GtkWidget            parent_instance;

  /* Template Widgets */
  AdwToastOverlay     *toast_overlay;
  GtkScrolledWindow   *scroller;
  AdwComboRow         *profile_row;
  AdwActionRow        *no_config_row;
  AdwEntryRow         *host_row;
  AdwPasswordEntryRow *token_row;
  AdwActionRow        *identity_row;
  GtkStack            *identity_stack;
  GtkImage            *identity_icon;
  GtkSpinner          *identity_spinner;
  GtkListBox          *plan_list;
  LbTableSizesGroup   *sizes_group;
  GtkWidget           *deploy_button;
  GtkWidget           *cancel_button;
  GtkWidget           *retry_button;
  GtkWidget           *test_button;
  GtkWidget           *teardown_button;
  GtkWidget           *progress_group;
  GtkLabel            *overall_label;
  GtkProgressBar      *overall_bar;
  GtkListBox          *steps_list;

  /* Owned References */
  LbWorkload          *workload;
  LbPriceSheet        *prices;
  LbDatabricksConfig  *config;
  GtkStringList       *profiles;          /* the file's profiles, then "type a host and token" */
  LbDeploymentPlan    *plan;
  GError              *plan_error;
  LbDatabricksClient  *client;            /* for the chosen profile; made on demand */
  LbDeploymentRunner  *runner;
  GCancellable        *cancellable;       /* the page's lifetime */
  GCancellable        *run_cancellable;   /* the deploy or teardown running */
  GCancellable        *check_cancellable;
  GCancellable        *config_cancellable;
  GCancellable        *find_cancellable;  /* looking for what a teardown would delete */
  char                *user_name;
  char                *missing_profile;   /* the workload's profile, absent from the file */
  char                *memory_token;      /* a typed token no keyring would take */
  GPtrArray           *testers;           /* of TesterLink* */
  AdwToast            *last_toast;        /* replaced, not queued behind, by the next */

  gulong               workload_changed_id;
  guint                n_file_profiles;
  guint                plan_source;
  guint                tick_source;
  gint64               run_started_us;
  gboolean             updating_profiles;
  gboolean             showing_teardown;
  gboolean             last_run_failed;
  gboolean             checking;
  gboolean             plan_dirty;        /* the workload changed since the plan was made */
  gboolean             found_existing;    /* something of the plan exists: Tear Down has work */
  gboolean             follow_progress;   /* keep the progress in view until the user scrolls */
  guint                follow_tick_id;
};

G_DEFINE_FINAL_TYPE (LbDeployPage, lb_deploy_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_WORKLOAD,
  PROP_PRICE_SHEET,
  PROP_RUNNER,
  PROP_USER_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void update_actions  (LbDeployPage *self);
static void update_overall  (LbDeployPage *self);
static void tester_link_free (gpointer data);
static void identity_from_runner_cb (LbDeployPage *self);

/* Helpers ------------------------------------------------------------------ */

static void
add_toast (LbDeployPage *self,
           const char   *message)
{
  AdwToast *toast = adw_toast_new (message);
  GtkWidget *parent = gtk_widget_get_parent (GTK_WIDGET (self));
  GtkWidget *overlay = parent != NULL ? gtk_widget_get_ancestor (parent, ADW_TYPE_TOAST_OVERLAY) : NULL;

  /* The window's overlay when there is one: two overlays would stack their
   * toasts on top of each other. What the page says outranks "Opened …". */
  adw_toast_set_timeout (toast, 6);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  /* A stale "is deployed" must not come back after "was torn down". */
  if (self->last_toast != NULL)
    adw_toast_dismiss (self->last_toast);
  g_set_object (&self->last_toast, toast);
  adw_toast_overlay_add_toast (overlay != NULL ? ADW_TOAST_OVERLAY (overlay) : self->toast_overlay, toast);
}

static gboolean
is_manual (LbDeployPage *self)
{
  guint selected = adw_combo_row_get_selected (self->profile_row);

  return selected == GTK_INVALID_LIST_POSITION || selected >= self->n_file_profiles;
}

static const char *
selected_profile (LbDeployPage *self)
{
  if (is_manual (self))
    return NULL;

  return gtk_string_list_get_string (self->profiles, adw_combo_row_get_selected (self->profile_row));
}

static gboolean
has_credentials_source (LbDeployPage *self)
{
  if (!is_manual (self))
    return self->config != NULL;

  return gtk_editable_get_text (GTK_EDITABLE (self->host_row))[0] != '\0';
}

static gboolean
step_is_ready (LbDeploymentStep *step)
{
  LbDeploymentStepState state = lb_deployment_step_get_state (step);

  return state == LB_DEPLOYMENT_STEP_DONE || state == LB_DEPLOYMENT_STEP_ADOPTED;
}

/* The instance (or the project's endpoint) is there to connect to. */
static gboolean
instance_is_ready (LbDeployPage *self)
{
  LbDeploymentPlan *plan;
  LbDeploymentResource *target;
  GListModel *steps;

  if (self->runner == NULL || lb_deployment_runner_get_running (self->runner) || self->showing_teardown)
    return FALSE;

  plan = lb_deployment_runner_get_plan (self->runner);
  target = lb_deployment_plan_get_endpoint (plan);
  if (target == NULL)
    target = lb_deployment_plan_get_compute (plan);

  steps = lb_deployment_runner_get_steps (self->runner);
  for (guint i = 0; i < g_list_model_get_n_items (steps); i++)
    {
      g_autoptr(LbDeploymentStep) step = g_list_model_get_item (steps, i);

      if (lb_deployment_step_get_resource (step) == target)
        return step_is_ready (step) && lb_deployment_runner_get_pg_host (self->runner) != NULL;
    }

  return FALSE;
}

/* What to do about an error of the identity check or of a run, in words a
 * person can act on. */
static char *
explain_error (LbDeployPage *self,
               const GError *error)
{
  const char *profile = selected_profile (self);
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

/* Client ------------------------------------------------------------------- */

static void
drop_runner (LbDeployPage *self)
{
  if (self->runner == NULL || lb_deployment_runner_get_running (self->runner))
    return;

  gtk_list_box_bind_model (self->steps_list, NULL, NULL, NULL, NULL);
  g_signal_handlers_disconnect_by_data (self->runner, self);
  g_clear_object (&self->runner);
  self->last_run_failed = FALSE;
  self->showing_teardown = FALSE;
  gtk_widget_set_visible (self->progress_group, FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNER]);
}

static void
set_identity (LbDeployPage *self,
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

static void
set_user_name (LbDeployPage *self,
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
credentials_changed (LbDeployPage *self)
{
  g_cancellable_cancel (self->check_cancellable);
  g_clear_object (&self->check_cancellable);
  self->checking = FALSE;
  g_clear_object (&self->client);
  lb_table_sizes_group_set_client (self->sizes_group, NULL);
  drop_runner (self);
  set_user_name (self, NULL);
  set_identity (self, "avatar-default-symbolic", "dim-label", _("Not checked yet"));
  g_cancellable_cancel (self->find_cancellable);
  self->found_existing = FALSE;
  update_actions (self);
}

static LbDatabricksClient *
ensure_client (LbDeployPage  *self,
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

      if (self->config == NULL)
        {
          g_set_error_literal (error, LB_DATABRICKS_CONFIG_ERROR, LB_DATABRICKS_CONFIG_ERROR_IO,
                               _("The Databricks profiles have not been read yet."));
          return NULL;
        }
      profile = lb_databricks_config_resolve (self->config, selected_profile (self), error);
      if (profile == NULL)
        return NULL;
      auth = lb_databricks_auth_new (profile);
    }

  self->client = lb_databricks_client_new (auth, error);
  return self->client;
}

/* The typed token, or the one kept for this session; NULL when none. */
static const char *
typed_token (LbDeployPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->token_row));

  if (text[0] != '\0')
    return text;
  return self->memory_token;
}

/* Profiles ----------------------------------------------------------------- */

static void
update_profile_subtitle (LbDeployPage *self)
{
  g_autoptr(LbDatabricksProfile) profile = NULL;
  g_autofree char *subtitle = NULL;

  if (is_manual (self) || self->config == NULL)
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->profile_row),
                                   self->n_file_profiles > 0 ? _("A host and a token typed below") : "");
      return;
    }

  profile = lb_databricks_config_resolve (self->config, selected_profile (self), NULL);
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

static void
update_manual_rows (LbDeployPage *self)
{
  gboolean manual = is_manual (self);

  gtk_widget_set_visible (GTK_WIDGET (self->host_row), manual);
  gtk_widget_set_visible (GTK_WIDGET (self->token_row), manual);
  update_profile_subtitle (self);
}

static void
profile_selected_cb (LbDeployPage *self)
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
manual_entry_changed_cb (LbDeployPage *self)
{
  if (is_manual (self))
    credentials_changed (self);
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

  previous = g_strdup (selected_profile (self));
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

  if (g_strcmp0 (previous, selected_profile (self)) != 0 || self->client == NULL)
    credentials_changed (self);
  update_manual_rows (self);
}

static void
reload_profiles (LbDeployPage *self)
{
  g_autoptr(GTask) task = NULL;

  g_cancellable_cancel (self->config_cancellable);
  g_clear_object (&self->config_cancellable);
  self->config_cancellable = g_cancellable_new ();

  /* Reading the file is quick, but it may sit on a slow home directory. */
  task = g_task_new (self, self->config_cancellable, config_loaded_cb, NULL);
  g_task_set_source_tag (task, reload_profiles);
  g_task_run_in_thread (task, config_worker);
}

/* What exists ---------------------------------------------------------------- */

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
  update_actions (self);
}

/* Asks the workspace whether the plan's instance (or project, or catalog)
 * exists, so Tear Down is offered only when it has something to delete. A
 * throwaway runner: the page's own keeps the last run's progress. */
static void
look_for_existing (LbDeployPage *self)
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

/* Identity ----------------------------------------------------------------- */

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
  add_toast (self, _("No keyring is available: the token is kept in memory until the app closes"));
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
      explained = explain_error (self, error);
      set_identity (self, "dialog-error-symbolic", "error", explained);
      set_user_name (self, NULL);
      update_actions (self);
      return;
    }

  host = lb_databricks_auth_get_host (lb_databricks_client_get_auth (client));
  /* Translators: "ana@example.com on https://dbc-1.cloud.databricks.com" */
  text = g_strdup_printf (_("%s on %s"), user_name, host);
  set_identity (self, "object-select-symbolic", "success", text);
  set_user_name (self, user_name);
  lb_table_sizes_group_set_client (self->sizes_group, client);

  if (is_manual (self) && typed_token (self) != NULL)
    remember_token (self, host, typed_token (self));

  look_for_existing (self);
  update_actions (self);
}

static void
start_identity_check (LbDeployPage *self,
                      const char   *token)
{
  g_autoptr(GError) error = NULL;
  LbDatabricksClient *client;

  client = ensure_client (self, token, &error);
  if (client == NULL)
    {
      g_autofree char *explained = explain_error (self, error);

      self->checking = FALSE;
      set_identity (self, "dialog-error-symbolic", "error", explained);
      update_actions (self);
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

static void
check_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  LbDeployPage *self = LB_DEPLOY_PAGE (widget);

  g_cancellable_cancel (self->check_cancellable);
  g_clear_object (&self->check_cancellable);
  self->check_cancellable = g_cancellable_new ();
  self->checking = TRUE;

  gtk_stack_set_visible_child_name (self->identity_stack, "spinner");
  gtk_spinner_set_spinning (self->identity_spinner, TRUE);
  adw_action_row_set_subtitle (self->identity_row, _("Asking the workspace…"));
  update_actions (self);

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

/* Plan --------------------------------------------------------------------- */

static GtkWidget *
plan_row_new (const char *icon,
              const char *title,
              const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *image = gtk_image_new_from_icon_name (icon);

  gtk_widget_set_valign (image, GTK_ALIGN_CENTER);
  if (g_str_equal (icon, "dialog-error-symbolic"))
    gtk_widget_add_css_class (image, "error");

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), image);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);

  return row;
}

static char *
format_cu (double cu)
{
  if (cu == (double) (gint64) cu)
    return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) cu);
  return g_strdup_printf ("%.1f", cu);
}

static char *
synced_table_subtitle (LbDeploymentResource *resource)
{
  JsonNode *body = lb_deployment_resource_get_body (resource);
  JsonObject *spec = NULL;
  g_autoptr(GString) keys = g_string_new (NULL);
  const char *policy = NULL;
  LbSyncMode mode;

  if (body != NULL && JSON_NODE_HOLDS_OBJECT (body))
    {
      JsonObject *object = json_node_get_object (body);

      spec = json_object_has_member (object, "spec") ? json_object_get_object_member (object, "spec") : object;
    }
  if (spec != NULL)
    {
      JsonArray *columns = json_object_has_member (spec, "primary_key_columns")
                           ? json_object_get_array_member (spec, "primary_key_columns") : NULL;

      for (guint i = 0; columns != NULL && i < json_array_get_length (columns); i++)
        g_string_append_printf (keys, "%s%s", i > 0 ? ", " : "", json_array_get_string_element (columns, i));
      policy = json_object_get_string_member_with_default (spec, "scheduling_policy", NULL);
    }
  if (policy != NULL && lb_sync_mode_from_string (policy, &mode))
    policy = lb_sync_mode_get_label (mode);

  /* Translators: a synced table in the plan: "from retail.serving.orders · key order_id · Continuous" */
  return g_strdup_printf (_("from %s · key %s · %s"),
                          lb_deployment_resource_get_source_table (resource),
                          keys->len > 0 ? keys->str : _("none"),
                          policy != NULL ? policy : _("default policy"));
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static void
fill_plan_list (LbDeployPage *self)
{
  GListModel *resources;

  clear_list (self->plan_list);

  if (self->plan == NULL)
    {
      GtkWidget *row;
      GtkWidget *button;

      row = plan_row_new ("dialog-error-symbolic", _("This workload cannot be deployed yet"),
                          self->plan_error != NULL ? self->plan_error->message : _("No workload is open."));
      button = gtk_button_new_with_mnemonic (_("_Edit Deployment Target"));
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "deploy.edit-target");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      gtk_list_box_append (self->plan_list, row);
      return;
    }

  resources = lb_deployment_plan_get_resources (self->plan);
  for (guint i = 0; i < g_list_model_get_n_items (resources); i++)
    {
      g_autoptr(LbDeploymentResource) resource = g_list_model_get_item (resources, i);
      g_autofree char *subtitle = NULL;
      const char *icon = "network-server-symbolic";

      switch (lb_deployment_resource_get_kind (resource))
        {
        case LB_DEPLOYMENT_RESOURCE_INSTANCE:
          subtitle = g_strdup_printf (_("Provisioned · capacity %s (the Calculator recommends %u CU)"),
                                      lb_deployment_plan_get_capacity (self->plan),
                                      lb_deployment_plan_get_recommended_cu (self->plan));
          break;
        case LB_DEPLOYMENT_RESOURCE_PROJECT:
          {
            g_autofree char *min_cu = format_cu (lb_deployment_plan_get_min_cu (self->plan));
            g_autofree char *max_cu = format_cu (lb_deployment_plan_get_max_cu (self->plan));

            subtitle = g_strdup_printf (_("Autoscaling · %s – %s CU"), min_cu, max_cu);
          }
          break;
        case LB_DEPLOYMENT_RESOURCE_BRANCH:
        case LB_DEPLOYMENT_RESOURCE_ENDPOINT:
          icon = "emblem-shared-symbolic";
          subtitle = g_strdup (_("Created with the project; the deployment waits until it is ready"));
          break;
        case LB_DEPLOYMENT_RESOURCE_CATALOG:
          icon = "folder-symbolic";
          subtitle = g_strdup_printf (_("Unity Catalog catalog on PostgreSQL database “%s”"),
                                      lb_deployment_plan_get_database_name (self->plan));
          break;
        case LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE:
          icon = "view-list-symbolic";
          subtitle = synced_table_subtitle (resource);
          break;
        default:
          g_assert_not_reached ();
        }

      gtk_list_box_append (self->plan_list,
                           plan_row_new (icon, lb_deployment_resource_get_title (resource), subtitle));
    }

  {
    g_autofree char *storage = g_strdup_printf (_("Pipelines keep their state in %s.%s"),
                                                lb_deployment_plan_get_storage_catalog (self->plan),
                                                lb_deployment_plan_get_storage_schema (self->plan));
    gtk_list_box_append (self->plan_list,
                         plan_row_new ("drive-harddisk-symbolic", _("Pipeline storage"), storage));
  }
}

static void
rebuild_plan (LbDeployPage *self)
{
  g_clear_handle_id (&self->plan_source, g_source_remove);

  /* A running deployment keeps its plan; the new one waits for its end. */
  if (self->runner != NULL && lb_deployment_runner_get_running (self->runner))
    return;

  self->plan_dirty = FALSE;
  g_clear_object (&self->plan);
  g_clear_error (&self->plan_error);
  if (self->workload != NULL)
    self->plan = lb_deployment_plan_new (self->workload, self->prices, &self->plan_error);

  /* Another plan may name other resources: what exists is asked anew. */
  self->found_existing = FALSE;
  look_for_existing (self);

  fill_plan_list (self);
  update_actions (self);
}

static gboolean
plan_timeout_cb (gpointer user_data)
{
  LbDeployPage *self = user_data;

  self->plan_source = 0;
  rebuild_plan (self);

  return G_SOURCE_REMOVE;
}

static void
workload_changed_cb (LbDeployPage *self)
{
  /* Typing a name emits a change per key: build the plan once it settles. */
  self->plan_dirty = TRUE;
  g_clear_handle_id (&self->plan_source, g_source_remove);
  self->plan_source = g_timeout_add (PLAN_DELAY_MS, plan_timeout_cb, self);
}

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
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *field;

  if (self->plan_error != NULL)
    for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
      if (strstr (self->plan_error->message, keys[i]) != NULL)
        {
          key = keys[i];
          break;
        }

  if (!LB_IS_WINDOW (root))
    return;

  lb_window_show_page (LB_WINDOW (root), "calculator");
  field = lb_calculator_page_get_field_widget (lb_window_get_calculator_page (LB_WINDOW (root)),
                                               "lakebase_accelerator", key);
  if (field != NULL)
    gtk_widget_grab_focus (field);
}

/* Progress ----------------------------------------------------------------- */

static GListModel *
shown_steps (LbDeployPage *self)
{
  if (self->runner == NULL)
    return NULL;

  return self->showing_teardown ? lb_deployment_runner_get_teardown_steps (self->runner)
                                : lb_deployment_runner_get_steps (self->runner);
}

static void
update_overall (LbDeployPage *self)
{
  GListModel *steps = shown_steps (self);
  guint n_steps, n_finished = 0, n_running = 0;
  LbDeploymentStep *current = NULL;
  LbDeploymentStep *failed = NULL;
  g_autofree char *text = NULL;
  gboolean running;
  guint seconds;

  if (steps == NULL)
    return;

  running = lb_deployment_runner_get_running (self->runner);
  n_steps = g_list_model_get_n_items (steps);
  for (guint i = 0; i < n_steps; i++)
    {
      g_autoptr(LbDeploymentStep) step = g_list_model_get_item (steps, i);

      switch (lb_deployment_step_get_state (step))
        {
        case LB_DEPLOYMENT_STEP_RUNNING:
          if (current == NULL)
            current = step;
          n_running++;
          break;
        case LB_DEPLOYMENT_STEP_DONE:
        case LB_DEPLOYMENT_STEP_ADOPTED:
          n_finished++;
          break;
        case LB_DEPLOYMENT_STEP_FAILED:
          if (failed == NULL)
            failed = step;
          break;
        case LB_DEPLOYMENT_STEP_SKIPPED:
          n_finished++;
          break;
        case LB_DEPLOYMENT_STEP_PENDING:
        default:
          break;
        }
    }

  seconds = self->run_started_us > 0 ? (guint) ((g_get_monotonic_time () - self->run_started_us) / G_USEC_PER_SEC) : 0;

  if (running && n_running > 1)
    /* Translators: synced tables run side by side: "Step 5 of 10 · 4 synced tables at once · 42 s so far" */
    text = g_strdup_printf (_("Step %u of %u · %u synced tables at once · %u s so far"),
                            MIN (n_finished + 1, n_steps), n_steps, n_running, seconds);
  else if (running && current != NULL)
    /* Translators: "Step 3 of 7 · Database instance retail-serving · 42 s so far" */
    text = g_strdup_printf (_("Step %u of %u · %s · %u s so far"), MIN (n_finished + 1, n_steps), n_steps,
                            lb_deployment_step_get_title (current), seconds);
  else if (running)
    text = g_strdup (self->showing_teardown ? _("Tearing down…") : _("Deploying…"));
  else if (!self->showing_teardown && (text = lb_deployment_runner_dup_summary (self->runner)) != NULL)
    ;   /* the runner's own account: created, created with the project, already there */
  else if (failed != NULL)
    text = g_strdup_printf (_("Stopped at “%s”"), lb_deployment_step_get_title (failed));
  else if (n_finished == n_steps && self->showing_teardown)
    text = g_strdup_printf (_("Torn down in %u s"), seconds);
  else
    text = g_strdup (_("Not started"));

  gtk_label_set_label (self->overall_label, text);
  gtk_progress_bar_set_fraction (self->overall_bar,
                                 self->showing_teardown ? (n_steps > 0 ? (double) n_finished / n_steps : 1.0)
                                                        : lb_deployment_runner_get_fraction (self->runner));
}

static gboolean
tick_cb (gpointer user_data)
{
  LbDeployPage *self = user_data;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->steps_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (LB_IS_DEPLOYMENT_STEP_ROW (child))
      lb_deployment_step_row_tick (LB_DEPLOYMENT_STEP_ROW (child));
  update_overall (self);

  return G_SOURCE_CONTINUE;
}

static void
runner_running_cb (LbDeployPage *self)
{
  /* The elapsed times need a timer only while something runs. */
  if (lb_deployment_runner_get_running (self->runner))
    {
      if (self->tick_source == 0)
        self->tick_source = g_timeout_add_seconds (1, tick_cb, self);
    }
  else
    {
      g_clear_handle_id (&self->tick_source, g_source_remove);
    }

  update_overall (self);
  update_actions (self);
}

static GtkWidget *
create_step_row_cb (gpointer item,
                    gpointer user_data)
{
  return lb_deployment_step_row_new (LB_DEPLOYMENT_STEP (item));
}

static void
connect_steps (LbDeployPage *self,
               GListModel   *steps)
{
  for (guint i = 0; i < g_list_model_get_n_items (steps); i++)
    {
      g_autoptr(LbDeploymentStep) step = g_list_model_get_item (steps, i);

      g_signal_connect_object (step, "notify::state", G_CALLBACK (update_overall), self, G_CONNECT_SWAPPED);
    }
}

/* The runner for the current plan and client, made anew when either
 * changed since the last one (running the same plan again resumes). */
static LbDeploymentRunner *
ensure_runner (LbDeployPage  *self,
               GError       **error)
{
  LbDatabricksClient *client;

  if (self->plan == NULL)
    {
      g_set_error_literal (error, LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_INVALID_PLAN,
                           self->plan_error != NULL ? self->plan_error->message : _("No workload is open."));
      return NULL;
    }

  client = ensure_client (self, typed_token (self), error);
  if (client == NULL)
    return NULL;

  if (self->runner != NULL &&
      (lb_deployment_runner_get_plan (self->runner) != self->plan ||
       g_object_get_data (G_OBJECT (self->runner), "lb-client") != (gpointer) client))
    drop_runner (self);

  if (self->runner == NULL)
    {
      self->runner = lb_deployment_runner_new (self->plan, client);
      g_object_set_data (G_OBJECT (self->runner), "lb-client", client);
      g_signal_connect_object (self->runner, "notify::running", G_CALLBACK (runner_running_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->runner, "notify::fraction", G_CALLBACK (update_overall),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->runner, "notify::user-name", G_CALLBACK (identity_from_runner_cb),
                               self, G_CONNECT_SWAPPED);
      connect_steps (self, lb_deployment_runner_get_steps (self->runner));
      connect_steps (self, lb_deployment_runner_get_teardown_steps (self->runner));
      /* Before anything runs, so a test may tune the runner's polling. */
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNER]);
    }

  return self->runner;
}

/* The progress sits below the plan: bring its top into view, and keep it
 * there while rows above it change height (the identity, the sizes), until
 * the user scrolls or the run has ended and the layout has settled. The
 * adjustment only grows once the new rows are allocated, so this runs on
 * every frame instead of once. */
static gboolean
follow_progress_cb (GtkWidget     *widget,
                    GdkFrameClock *frame_clock,
                    gpointer       user_data)
{
  LbDeployPage *self = user_data;
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  GtkWidget *content = gtk_scrolled_window_get_child (self->scroller);
  gboolean running = self->runner != NULL && lb_deployment_runner_get_running (self->runner);
  graphene_point_t point;
  double target;

  /* The clamp sits in a viewport that moves it by the scroll offset:
   * positions in the clamp are what the adjustment counts in. (Measuring
   * against the viewport gave screen positions, which scrolled away.) */
  if (GTK_IS_VIEWPORT (content))
    content = gtk_viewport_get_child (GTK_VIEWPORT (content));

  if (!self->follow_progress)
    {
      self->follow_tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  if (gtk_widget_get_height (widget) <= 0 ||
      !gtk_widget_compute_point (widget, content, &GRAPHENE_POINT_INIT (0, 0), &point))
    return G_SOURCE_CONTINUE;

  target = MIN (point.y - 12, gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment));
  target = MAX (target, gtk_adjustment_get_lower (adjustment));
  if (fabs (gtk_adjustment_get_value (adjustment) - target) >= 1)
    gtk_adjustment_set_value (adjustment, target);
  else if (!running)
    {
      self->follow_progress = FALSE;
      self->follow_tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* A wheel or touchpad scroll is the user taking over. */
static gboolean
user_scrolled_cb (GtkEventControllerScroll *controller,
                  double                    dx,
                  double                    dy,
                  gpointer                  user_data)
{
  LbDeployPage *self = user_data;

  self->follow_progress = FALSE;
  return FALSE;
}

static void
follow_progress (LbDeployPage *self)
{
  self->follow_progress = TRUE;
  if (self->follow_tick_id == 0)
    self->follow_tick_id = gtk_widget_add_tick_callback (self->progress_group, follow_progress_cb, self, NULL);
}

static void
identity_from_runner_cb (LbDeployPage *self)
{
  const char *user_name = lb_deployment_runner_get_user_name (self->runner);
  g_autofree char *text = NULL;

  if (user_name == NULL || g_strcmp0 (user_name, self->user_name) == 0)
    return;

  text = g_strdup_printf (_("%s on %s"), user_name, lb_deployment_runner_get_workspace_host (self->runner));
  set_identity (self, "object-select-symbolic", "success", text);
  set_user_name (self, user_name);
}

static void
show_steps (LbDeployPage *self,
            gboolean      teardown)
{
  self->showing_teardown = teardown;
  gtk_list_box_bind_model (self->steps_list, shown_steps (self), create_step_row_cb, NULL, NULL);
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->progress_group),
                                   teardown ? _("Teardown") : _("Progress"));
  gtk_widget_set_visible (self->progress_group, TRUE);
  follow_progress (self);
}

/* The first failed step of what is shown, or NULL (borrowed: the model keeps it). */
static LbDeploymentStep *
failed_step (LbDeployPage *self)
{
  GListModel *steps = shown_steps (self);

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
  GListModel *steps = shown_steps (self);

  /* A teardown that stopped leaves the rest behind. */
  if (self->showing_teardown)
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

  if (ok && teardown)
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
                                                                         : explain_error (self, error);

      message = g_strdup_printf (teardown ? _("Teardown failed: %s") : _("Deployment failed: %s"), explained);
    }
  add_toast (self, message);

  /* The workload may have changed while the plan was frozen; an unchanged
   * plan stays the same object, so Retry resumes with the same runner. */
  if (self->plan_dirty)
    rebuild_plan (self);
  update_overall (self);
  update_actions (self);
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

static void
start_run (LbDeployPage *self,
           gboolean      teardown)
{
  g_autoptr(GError) error = NULL;
  LbDeploymentRunner *runner;

  if (self->runner != NULL && lb_deployment_runner_get_running (self->runner))
    return;

  if (self->plan_dirty)
    rebuild_plan (self);
  runner = ensure_runner (self, &error);
  if (runner == NULL)
    {
      g_autofree char *explained = explain_error (self, error);

      add_toast (self, explained);
      return;
    }

  show_steps (self, teardown);
  self->run_started_us = g_get_monotonic_time ();
  self->run_cancellable = g_cancellable_new ();
  if (teardown)
    lb_deployment_runner_teardown_async (runner, self->run_cancellable, teardown_cb, g_object_ref (self));
  else
    lb_deployment_runner_run_async (runner, self->run_cancellable, run_cb, g_object_ref (self));

  update_overall (self);
  update_actions (self);
}

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  start_run (LB_DEPLOY_PAGE (widget), FALSE);
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
    start_run (self, TRUE);
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

  if (self->plan == NULL)
    return;

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

  heading = g_strdup_printf (_("Tear Down “%s”?"), lb_deployment_plan_get_instance_name (self->plan));
  root = gtk_widget_get_root (widget);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body->str);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "teardown", _("_Tear Down"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "teardown",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (teardown_response_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Bundle ------------------------------------------------------------------- */

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

      add_toast (self, message);
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

      add_toast (self, message);
    }
}

static void
write_bundle (LbDeployPage *self,
              GFile        *folder,
              gboolean      overwrite)
{
  g_autoptr(LbBundleWriter) writer = NULL;
  GFile *file;

  if (self->plan == NULL)
    return;

  writer = lb_bundle_writer_new (self->plan);
  g_object_set (writer, "overwrite", overwrite, NULL);
  if (self->client != NULL)
    lb_bundle_writer_set_host (writer, lb_databricks_auth_get_host (lb_databricks_client_get_auth (self->client)));
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

/* Test This Instance ------------------------------------------------------- */

static void fetch_credential (TesterLink *link);

static gboolean
refresh_credential_cb (gpointer user_data)
{
  TesterLink *link = user_data;

  link->refresh_source = 0;
  fetch_credential (link);

  return G_SOURCE_REMOVE;
}

static void
credential_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  TesterLink *link = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) expires_at = NULL;
  char *conninfo;
  gint64 wait_s = 50 * 60;

  conninfo = lb_deployment_runner_dup_connection_info_finish (LB_DEPLOYMENT_RUNNER (object), result,
                                                              &expires_at, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (conninfo == NULL)
    {
      g_autofree char *explained = explain_error (link->page, error);
      g_autofree char *message = g_strdup_printf (_("No database credential for the tester: %s"), explained);

      add_toast (link->page, message);
      wait_s = 60;
    }
  else
    {
      lb_tester_window_set_target_conninfo (LB_TESTER_WINDOW (link->window), conninfo);
      /* The conninfo holds the credential: leave no copy behind. */
      memset (conninfo, 0, strlen (conninfo));
      g_free (conninfo);
      if (!gtk_widget_get_visible (link->window))
        gtk_window_present (GTK_WINDOW (link->window));

      if (expires_at != NULL)
        {
          g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

          wait_s = g_date_time_difference (expires_at, now) / G_USEC_PER_SEC - CREDENTIAL_MARGIN_S;
        }
    }

  link->refresh_source = g_timeout_add_seconds ((guint) MAX (wait_s, CREDENTIAL_MIN_WAIT_S),
                                                refresh_credential_cb, link);
}

static void
fetch_credential (TesterLink *link)
{
  lb_deployment_runner_dup_connection_info_async (link->runner, link->cancellable, credential_cb, link);
}

static void
tester_destroyed_cb (GtkWidget  *window,
                     TesterLink *link)
{
  g_ptr_array_remove (link->page->testers, link);
}

static void
tester_link_free (gpointer data)
{
  TesterLink *link = data;

  g_cancellable_cancel (link->cancellable);
  g_clear_object (&link->cancellable);
  g_clear_handle_id (&link->refresh_source, g_source_remove);
  g_clear_signal_handler (&link->destroy_id, link->window);
  g_clear_object (&link->runner);
  g_free (link);
}

static void
test_instance_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  LbDeployPage *self = LB_DEPLOY_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkApplication *app = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root)) : NULL;
  TesterLink *link;

  if (!instance_is_ready (self))
    return;

  link = g_new0 (TesterLink, 1);
  link->page = self;
  link->window = GTK_WIDGET (lb_tester_window_new (app));
  link->runner = g_object_ref (self->runner);
  link->cancellable = g_cancellable_new ();
  link->destroy_id = g_signal_connect (link->window, "destroy", G_CALLBACK (tester_destroyed_cb), link);
  g_ptr_array_add (self->testers, link);

  /* The window shows once it has a credential to connect with. */
  fetch_credential (link);
}

/* Actions state ------------------------------------------------------------ */

static void
update_actions (LbDeployPage *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean running = self->runner != NULL && lb_deployment_runner_get_running (self->runner);
  gboolean can_sign_in = has_credentials_source (self);
  gboolean ready = instance_is_ready (self);
  gboolean failed = self->last_run_failed && !running && !self->showing_teardown;

  gtk_widget_action_set_enabled (widget, "deploy.run", !running && self->plan != NULL && can_sign_in);
  gtk_widget_action_set_enabled (widget, "deploy.cancel", running);
  gtk_widget_action_set_enabled (widget, "deploy.retry", failed && self->plan != NULL && can_sign_in);
  gtk_widget_action_set_enabled (widget, "deploy.teardown",
                                 !running && self->plan != NULL && can_sign_in && self->found_existing);
  gtk_widget_action_set_enabled (widget, "deploy.export-bundle", self->plan != NULL);
  gtk_widget_action_set_enabled (widget, "deploy.test-instance", ready);
  gtk_widget_action_set_enabled (widget, "deploy.check", !self->checking && can_sign_in);
  gtk_widget_action_set_enabled (widget, "deploy.refresh", !running);

  /* After a failure, Retry is the one way forward (it is a Deploy too). */
  gtk_widget_set_visible (self->deploy_button, !running && !failed);
  gtk_widget_set_visible (self->cancel_button, running);
  gtk_widget_set_visible (self->retry_button, failed);
  gtk_widget_set_visible (self->test_button, ready);
  gtk_widget_set_sensitive (GTK_WIDGET (self->profile_row), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->host_row), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->token_row), !running);
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  reload_profiles (LB_DEPLOY_PAGE (widget));
}

/* GObject ------------------------------------------------------------------ */

static void
lb_deploy_page_map (GtkWidget *widget)
{
  LbDeployPage *self = LB_DEPLOY_PAGE (widget);

  GTK_WIDGET_CLASS (lb_deploy_page_parent_class)->map (widget);

  /* A `databricks auth login` run since the page was last shown counts. */
  if (self->runner == NULL || !lb_deployment_runner_get_running (self->runner))
    reload_profiles (self);
}

static void
lb_deploy_page_dispose (GObject *object)
{
  LbDeployPage *self = LB_DEPLOY_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->run_cancellable);
  g_cancellable_cancel (self->check_cancellable);
  g_cancellable_cancel (self->config_cancellable);
  g_cancellable_cancel (self->find_cancellable);
  g_clear_handle_id (&self->plan_source, g_source_remove);
  g_clear_handle_id (&self->tick_source, g_source_remove);
  g_clear_pointer (&self->testers, g_ptr_array_unref);

  if (self->workload != NULL)
    g_clear_signal_handler (&self->workload_changed_id, self->workload);
  if (self->runner != NULL)
    g_signal_handlers_disconnect_by_data (self->runner, self);
  if (self->follow_tick_id != 0)
    gtk_widget_remove_tick_callback (self->progress_group, self->follow_tick_id);
  self->follow_tick_id = 0;

  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_DEPLOY_PAGE);

  g_clear_object (&self->workload);
  g_clear_object (&self->prices);
  g_clear_object (&self->config);
  g_clear_object (&self->profiles);
  g_clear_object (&self->plan);
  g_clear_error (&self->plan_error);
  g_clear_object (&self->runner);
  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->run_cancellable);
  g_clear_object (&self->check_cancellable);
  g_clear_object (&self->config_cancellable);
  g_clear_object (&self->find_cancellable);
  g_clear_object (&self->last_toast);
  g_clear_pointer (&self->missing_profile, g_free);
  g_clear_pointer (&self->user_name, g_free);
  if (self->memory_token != NULL)
    memset (self->memory_token, 0, strlen (self->memory_token));
  g_clear_pointer (&self->memory_token, g_free);

  G_OBJECT_CLASS (lb_deploy_page_parent_class)->dispose (object);
}

static void
lb_deploy_page_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  LbDeployPage *self = LB_DEPLOY_PAGE (object);

  switch (prop_id)
    {
    case PROP_WORKLOAD:
      g_value_set_object (value, lb_deploy_page_get_workload (self));
      break;
    case PROP_PRICE_SHEET:
      g_value_set_object (value, lb_deploy_page_get_price_sheet (self));
      break;
    case PROP_RUNNER:
      g_value_set_object (value, lb_deploy_page_get_runner (self));
      break;
    case PROP_USER_NAME:
      g_value_set_string (value, lb_deploy_page_get_user_name (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_deploy_page_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  LbDeployPage *self = LB_DEPLOY_PAGE (object);

  switch (prop_id)
    {
    case PROP_WORKLOAD:
      lb_deploy_page_set_workload (self, g_value_get_object (value));
      break;
    case PROP_PRICE_SHEET:
      lb_deploy_page_set_price_sheet (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_deploy_page_class_init (LbDeployPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_deploy_page_dispose;
  object_class->get_property = lb_deploy_page_get_property;
  object_class->set_property = lb_deploy_page_set_property;
  widget_class->map = lb_deploy_page_map;

  properties[PROP_WORKLOAD] =
    g_param_spec_object ("workload", NULL, NULL,
                         LB_TYPE_WORKLOAD,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PRICE_SHEET] =
    g_param_spec_object ("price-sheet", NULL, NULL,
                         LB_TYPE_PRICE_SHEET,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNER] =
    g_param_spec_object ("runner", NULL, NULL,
                         LB_TYPE_DEPLOYMENT_RUNNER,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USER_NAME] =
    g_param_spec_string ("user-name", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (LB_TYPE_DEPLOYMENT_STEP_ROW);
  g_type_ensure (LB_TYPE_TABLE_SIZES_GROUP);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, APP_RESOURCE_PATH "/ui/lb-deploy-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, profile_row);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, no_config_row);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, host_row);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, token_row);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, sizes_group);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, identity_row);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, identity_stack);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, identity_icon);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, identity_spinner);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, plan_list);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, deploy_button);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, retry_button);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, test_button);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, teardown_button);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, progress_group);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, overall_label);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, overall_bar);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, steps_list);

  gtk_widget_class_install_action (widget_class, "deploy.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "deploy.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "deploy.retry", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "deploy.teardown", NULL, teardown_action);
  gtk_widget_class_install_action (widget_class, "deploy.export-bundle", NULL, export_bundle_action);
  gtk_widget_class_install_action (widget_class, "deploy.test-instance", NULL, test_instance_action);
  gtk_widget_class_install_action (widget_class, "deploy.check", NULL, check_action);
  gtk_widget_class_install_action (widget_class, "deploy.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "deploy.edit-target", NULL, edit_target_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "deploy.run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "deploy.run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "deploy.cancel", NULL);
}

static void
lb_deploy_page_init (LbDeployPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  {
    GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);

    gtk_event_controller_set_propagation_phase (scroll, GTK_PHASE_CAPTURE);
    g_signal_connect (scroll, "scroll", G_CALLBACK (user_scrolled_cb), self);
    gtk_widget_add_controller (GTK_WIDGET (self->scroller), scroll);
  }

  self->cancellable = g_cancellable_new ();
  self->testers = g_ptr_array_new_with_free_func (tester_link_free);
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

  fill_plan_list (self);
  update_actions (self);
}

LbWorkload *
lb_deploy_page_get_workload (LbDeployPage *self)
{
  g_return_val_if_fail (LB_IS_DEPLOY_PAGE (self), NULL);

  return self->workload;
}

void
lb_deploy_page_set_workload (LbDeployPage *self,
                             LbWorkload   *workload)
{
  g_return_if_fail (LB_IS_DEPLOY_PAGE (self));
  g_return_if_fail (workload == NULL || LB_IS_WORKLOAD (workload));

  if (self->workload == workload)
    return;

  if (self->workload != NULL)
    g_clear_signal_handler (&self->workload_changed_id, self->workload);

  g_set_object (&self->workload, workload);
  if (workload != NULL)
    self->workload_changed_id = g_signal_connect_object (workload, "changed",
                                                         G_CALLBACK (workload_changed_cb), self,
                                                         G_CONNECT_SWAPPED);

  lb_table_sizes_group_set_workload (self->sizes_group, workload);

  /* Another workload: its own profile, its own plan, no old progress. */
  drop_runner (self);
  g_clear_pointer (&self->missing_profile, g_free);
  if (workload != NULL && lb_workload_get_profile (workload) != NULL &&
      !lb_deploy_page_select_profile (self, lb_workload_get_profile (workload)) && self->n_file_profiles > 0)
    self->missing_profile = g_strdup (lb_workload_get_profile (workload));
  update_profile_subtitle (self);
  self->plan_dirty = TRUE;
  rebuild_plan (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WORKLOAD]);
}

LbPriceSheet *
lb_deploy_page_get_price_sheet (LbDeployPage *self)
{
  g_return_val_if_fail (LB_IS_DEPLOY_PAGE (self), NULL);

  return self->prices;
}

void
lb_deploy_page_set_price_sheet (LbDeployPage *self,
                                LbPriceSheet *prices)
{
  g_return_if_fail (LB_IS_DEPLOY_PAGE (self));
  g_return_if_fail (prices == NULL || LB_IS_PRICE_SHEET (prices));

  if (g_set_object (&self->prices, prices))
    {
      self->plan_dirty = TRUE;
      rebuild_plan (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRICE_SHEET]);
    }
}

LbDeploymentPlan *
lb_deploy_page_get_plan (LbDeployPage *self)
{
  g_return_val_if_fail (LB_IS_DEPLOY_PAGE (self), NULL);

  return self->plan;
}

LbDeploymentRunner *
lb_deploy_page_get_runner (LbDeployPage *self)
{
  g_return_val_if_fail (LB_IS_DEPLOY_PAGE (self), NULL);

  return self->runner;
}

const char *
lb_deploy_page_get_user_name (LbDeployPage *self)
{
  g_return_val_if_fail (LB_IS_DEPLOY_PAGE (self), NULL);

  return self->user_name;
}

gboolean
lb_deploy_page_select_profile (LbDeployPage *self,
                               const char   *name)
{
  g_return_val_if_fail (LB_IS_DEPLOY_PAGE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  for (guint i = 0; i < self->n_file_profiles; i++)
    if (g_strcmp0 (gtk_string_list_get_string (self->profiles, i), name) == 0)
      {
        adw_combo_row_set_selected (self->profile_row, i);
        return TRUE;
      }

  return FALSE;
}

GtkWidget *
lb_deploy_page_get_step_row (LbDeployPage *self,
                             guint         index)
{
  GtkListBoxRow *row;

  g_return_val_if_fail (LB_IS_DEPLOY_PAGE (self), NULL);

  row = gtk_list_box_get_row_at_index (self->steps_list, (int) index);
  return LB_IS_DEPLOYMENT_STEP_ROW (row) ? GTK_WIDGET (row) : NULL;
}

LbTableSizesGroup *
lb_deploy_page_get_table_sizes_group (LbDeployPage *self)
{
  g_return_val_if_fail (LB_IS_DEPLOY_PAGE (self), NULL);

  return self->sizes_group;
}
