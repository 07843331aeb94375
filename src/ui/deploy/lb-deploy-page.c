/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Deploy page's shell: the GObject, its template, the plan and the
 * runner, and the wiring between its sections (LbWorkspaceGroup,
 * LbDeployPlanGroup, LbDeployProgressGroup). What the user triggers is in
 * -actions.c (Test This Instance too); -private.h joins them. */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-deploy-page-private.h"

#define PLAN_DELAY_MS          150

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

static void identity_from_runner_cb (LbDeployPage *self);

/* Helpers ------------------------------------------------------------------ */

static void
toast_dismissed_cb (LbDeployPage *self,
                    AdwToast     *toast)
{
  if (self->last_toast == toast)
    g_clear_object (&self->last_toast);
}

void
_lb_deploy_page_add_toast (LbDeployPage *self,
                           const char   *message)
{
  GtkWidget *parent = gtk_widget_get_parent (GTK_WIDGET (self));
  GtkWidget *overlay = parent != NULL ? gtk_widget_get_ancestor (parent, ADW_TYPE_TOAST_OVERLAY) : NULL;
  AdwToast *toast;

  /* A stale "is deployed" must not come back after "was torn down": the
   * page's toast still on screen says the new message instead. (Dismissing
   * it and adding another would bring back the toast it displaced while that
   * one still hides, which libadwaita 1.2 aborts on.) */
  if (self->last_toast != NULL)
    {
      adw_toast_set_title (self->last_toast, message);
      return;
    }

  /* The window's overlay when there is one: two overlays would stack their
   * toasts on top of each other. What the page says outranks "Opened …". */
  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 6);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (toast_dismissed_cb), self, G_CONNECT_SWAPPED);
  g_set_object (&self->last_toast, toast);
  adw_toast_overlay_add_toast (overlay != NULL ? ADW_TOAST_OVERLAY (overlay) : self->toast_overlay, toast);
}

static gboolean
step_is_ready (LbDeploymentStep *step)
{
  LbDeploymentStepState state = lb_deployment_step_get_state (step);

  return state == LB_DEPLOYMENT_STEP_DONE || state == LB_DEPLOYMENT_STEP_ADOPTED;
}

/* The instance (or the project's endpoint) is there to connect to. */
gboolean
_lb_deploy_page_instance_is_ready (LbDeployPage *self)
{
  LbDeploymentPlan *plan;
  LbDeploymentResource *target;
  GListModel *steps;

  if (self->runner == NULL || lb_deployment_runner_get_running (self->runner) || lb_deploy_progress_group_get_teardown (self->progress_group))
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

/* Runner ------------------------------------------------------------------- */

void
_lb_deploy_page_drop_runner (LbDeployPage *self)
{
  if (self->runner == NULL || lb_deployment_runner_get_running (self->runner))
    return;

  g_signal_handlers_disconnect_by_data (self->runner, self);
  g_clear_object (&self->runner);
  self->last_run_failed = FALSE;
  /* The progress group hides its steps when its bound runner goes. */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNER]);
}

/* Plan --------------------------------------------------------------------- */

void
_lb_deploy_page_rebuild_plan (LbDeployPage *self)
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
  _lb_deploy_page_look_for_existing (self);

  lb_deploy_plan_group_set_plan (self->plan_group, self->plan,
                                 self->plan_error != NULL ? self->plan_error->message : NULL);
  _lb_deploy_page_update_actions (self);
}

static gboolean
plan_timeout_cb (gpointer user_data)
{
  LbDeployPage *self = user_data;

  self->plan_source = 0;
  _lb_deploy_page_rebuild_plan (self);

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

/* Progress ----------------------------------------------------------------- */

GListModel *
_lb_deploy_page_shown_steps (LbDeployPage *self)
{
  return lb_deploy_progress_group_get_steps (self->progress_group);
}

static void
runner_running_cb (LbDeployPage *self)
{
  _lb_deploy_page_update_actions (self);
  /* A deploy may have made the project or the branch. */
  if (!lb_deployment_runner_get_running (self->runner))
    _lb_deploy_page_list_branches (self);
}

/* The runner for the current plan and client, made anew when either
 * changed since the last one (running the same plan again resumes). */
LbDeploymentRunner *
_lb_deploy_page_ensure_runner (LbDeployPage  *self,
                               GError       **error)
{
  LbDatabricksClient *client;

  if (self->plan == NULL)
    {
      g_set_error_literal (error, LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_INVALID_PLAN,
                           self->plan_error != NULL ? self->plan_error->message : _("No workload is open."));
      return NULL;
    }

  client = lb_workspace_group_ensure_client (self->workspace_group, error);
  if (client == NULL)
    return NULL;

  if (self->runner != NULL &&
      (lb_deployment_runner_get_plan (self->runner) != self->plan ||
       g_object_get_data (G_OBJECT (self->runner), "lb-client") != (gpointer) client))
    _lb_deploy_page_drop_runner (self);

  if (self->runner == NULL)
    {
      self->runner = lb_deployment_runner_new (self->plan, client);
      g_object_set_data (G_OBJECT (self->runner), "lb-client", client);
      g_signal_connect_object (self->runner, "notify::running", G_CALLBACK (runner_running_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->runner, "notify::user-name", G_CALLBACK (identity_from_runner_cb),
                               self, G_CONNECT_SWAPPED);
      /* Before anything runs, so a test may tune the runner's polling;
       * the progress group follows it through the binding. */
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNER]);
    }

  return self->runner;
}

static void
identity_from_runner_cb (LbDeployPage *self)
{
  const char *user_name = lb_deployment_runner_get_user_name (self->runner);

  if (user_name != NULL)
    lb_workspace_group_show_identity (self->workspace_group, user_name,
                                      lb_deployment_runner_get_workspace_host (self->runner));
}

/* Workspace ---------------------------------------------------------------- */

/* The profile or the typed credentials changed: what was checked or made
 * with the old ones no longer applies. */
static void
credentials_changed_cb (LbDeployPage *self)
{
  lb_table_sizes_group_set_client (self->sizes_group, NULL);
  lb_cdf_check_group_set_client (self->cdf_group, NULL);
  _lb_deploy_page_drop_runner (self);
  g_cancellable_cancel (self->find_cancellable);
  self->found_existing = FALSE;
  _lb_deploy_page_update_actions (self);
}

static void
signed_in_cb (LbDeployPage       *self,
              LbDatabricksClient *client)
{
  lb_table_sizes_group_set_client (self->sizes_group, client);
  lb_cdf_check_group_set_client (self->cdf_group, client);
  _lb_deploy_page_look_for_existing (self);
  _lb_deploy_page_update_actions (self);
}

static void
user_name_changed_cb (LbDeployPage *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER_NAME]);
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

  _lb_deploy_page_list_branches (self);

  g_cancellable_cancel (self->find_cancellable);
  g_clear_object (&self->find_cancellable);
  if (self->plan == NULL || lb_workspace_group_get_client (self->workspace_group) == NULL ||
      lb_workspace_group_get_user_name (self->workspace_group) == NULL)
    return;

  self->find_cancellable = g_cancellable_new ();
  runner = lb_deployment_runner_new (self->plan, lb_workspace_group_get_client (self->workspace_group));
  lb_deployment_runner_find_existing_async (runner, self->find_cancellable, existing_found_cb, g_object_ref (self));
}

/* GObject ------------------------------------------------------------------ */

static void
lb_deploy_page_map (GtkWidget *widget)
{
  LbDeployPage *self = LB_DEPLOY_PAGE (widget);

  GTK_WIDGET_CLASS (lb_deploy_page_parent_class)->map (widget);

  /* A `databricks auth login` run since the page was last shown counts. */
  if (self->runner == NULL || !lb_deployment_runner_get_running (self->runner))
    lb_workspace_group_reload_profiles (self->workspace_group);
}

static void
lb_deploy_page_dispose (GObject *object)
{
  LbDeployPage *self = LB_DEPLOY_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->run_cancellable);
  g_cancellable_cancel (self->find_cancellable);
  g_cancellable_cancel (self->branches_cancellable);
  g_clear_handle_id (&self->plan_source, g_source_remove);
  _lb_deploy_page_dispose_synced (self);

  if (self->workload != NULL)
    g_clear_signal_handler (&self->workload_changed_id, self->workload);
  if (self->runner != NULL)
    g_signal_handlers_disconnect_by_data (self->runner, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_DEPLOY_PAGE);

  g_clear_object (&self->workload);
  g_clear_object (&self->prices);
  g_clear_object (&self->plan);
  g_clear_error (&self->plan_error);
  g_clear_object (&self->runner);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->run_cancellable);
  g_clear_object (&self->find_cancellable);
  g_clear_object (&self->branches_cancellable);
  g_clear_object (&self->last_toast);

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

  g_type_ensure (LB_TYPE_TABLE_SIZES_GROUP);
  g_type_ensure (LB_TYPE_CDF_CHECK_GROUP);
  g_type_ensure (LB_TYPE_WORKSPACE_GROUP);
  g_type_ensure (LB_TYPE_DEPLOY_PLAN_GROUP);
  g_type_ensure (LB_TYPE_DEPLOY_PROGRESS_GROUP);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, APP_RESOURCE_PATH "/ui/lb-deploy-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, workspace_group);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, sizes_group);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, cdf_group);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, synced_button);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, plan_group);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, deploy_button);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, retry_button);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, test_button);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, teardown_button);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPage, progress_group);

  _lb_deploy_page_class_install_actions (widget_class);
}

static void
lb_deploy_page_init (LbDeployPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  _lb_deploy_page_init_synced (self);
  /* The progress shows the runner of the last Deploy or Teardown. */
  g_object_bind_property (self, "runner", self->progress_group, "runner", G_BINDING_SYNC_CREATE);
  /* The workspace group picks the workload's profile. */
  g_object_bind_property (self, "workload", self->workspace_group, "workload", G_BINDING_SYNC_CREATE);

  self->cancellable = g_cancellable_new ();
  g_signal_connect_object (self->workspace_group, "changed", G_CALLBACK (credentials_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->workspace_group, "signed-in", G_CALLBACK (signed_in_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->workspace_group, "toast", G_CALLBACK (_lb_deploy_page_add_toast),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->workspace_group, "notify::user-name", G_CALLBACK (user_name_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->workspace_group, "notify::checking", G_CALLBACK (_lb_deploy_page_update_actions),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->plan_group, "branch-chosen", G_CALLBACK (_lb_deploy_page_branch_chosen_cb),
                           self, G_CONNECT_SWAPPED);

  lb_deploy_plan_group_set_plan (self->plan_group, NULL, NULL);
  _lb_deploy_page_update_actions (self);
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
  lb_cdf_check_group_set_workload (self->cdf_group, workload);

  /* Another workload: its own plan, no old progress; its own profile
   * through the binding to the workspace group. */
  _lb_deploy_page_drop_runner (self);
  self->plan_dirty = TRUE;
  _lb_deploy_page_rebuild_plan (self);

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
      _lb_deploy_page_rebuild_plan (self);
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

  return lb_workspace_group_get_user_name (self->workspace_group);
}

gboolean
lb_deploy_page_select_profile (LbDeployPage *self,
                               const char   *name)
{
  g_return_val_if_fail (LB_IS_DEPLOY_PAGE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return lb_workspace_group_select_profile (self->workspace_group, name);
}

GtkWidget *
lb_deploy_page_get_step_row (LbDeployPage *self,
                             guint         index)
{
  g_return_val_if_fail (LB_IS_DEPLOY_PAGE (self), NULL);

  return lb_deploy_progress_group_get_step_row (self->progress_group, index);
}

LbTableSizesGroup *
lb_deploy_page_get_table_sizes_group (LbDeployPage *self)
{
  g_return_val_if_fail (LB_IS_DEPLOY_PAGE (self), NULL);

  return self->sizes_group;
}

LbCdfCheckGroup *
lb_deploy_page_get_cdf_check_group (LbDeployPage *self)
{
  g_return_val_if_fail (LB_IS_DEPLOY_PAGE (self), NULL);

  return self->cdf_group;
}

GtkWidget *
lb_deploy_page_get_synced_tables_window (LbDeployPage *self)
{
  g_return_val_if_fail (LB_IS_DEPLOY_PAGE (self), NULL);

  return self->synced_window;
}
