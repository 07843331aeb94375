/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Deploy page and synced tables: the Change Data Feed check that a
 * Deploy waits for (nothing irreversible happens while a table blocks), and
 * deploy.synced-tables, the Synced Tables window for the plan. Part of
 * LbDeployPage (lb-deploy-page-private.h). */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-deploy-page-private.h"
#include "lb-synced-tables-window.h"

/* Brings @widget to the top of the page's scrolled view. */
static void
scroll_to (GtkWidget *widget)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment;
  double x, y;

  if (scroller == NULL ||
      !gtk_widget_translate_coordinates (widget, gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller)),
                                         0, 0, &x, &y))
    return;
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + y - 12);
}

static void
cdf_checked_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(LbDeployPage) self = user_data;
  g_autoptr(GError) error = NULL;
  guint blocking;

  self->cdf_checking = FALSE;
  if (lb_cdf_check_group_check_finish (LB_CDF_CHECK_GROUP (object), result, &error))
    {
      _lb_deploy_page_start_deploy (self);
      return;
    }
  /* Only the page's end cancels it: nothing left to update. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    {
      /* The check itself could not run: the deploy's own steps will say
       * what is wrong with a table. */
      g_debug ("Change Data Feed check: %s", error->message);
      _lb_deploy_page_start_deploy (self);
      return;
    }

  blocking = lb_cdf_check_group_get_n_blocking (LB_CDF_CHECK_GROUP (object));
  {
    g_autofree char *message =
      g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                    "Not deployed: %u table cannot sync with its mode (see Change Data Feed)",
                                    "Not deployed: %u tables cannot sync with their modes (see Change Data Feed)",
                                    blocking),
                       blocking);

    _lb_deploy_page_add_toast (self, message);
    if (self->cdf_toast != NULL)
      g_object_remove_weak_pointer (G_OBJECT (self->cdf_toast), (gpointer *) &self->cdf_toast);
    self->cdf_toast = self->last_toast;
    if (self->cdf_toast != NULL)
      g_object_add_weak_pointer (G_OBJECT (self->cdf_toast), (gpointer *) &self->cdf_toast);
  }
  scroll_to (GTK_WIDGET (self->cdf_group));
  _lb_deploy_page_update_actions (self);
}

void
_lb_deploy_page_check_then_deploy (LbDeployPage *self)
{
  LbDatabricksClient *client;

  if (self->cdf_checking || (self->runner != NULL && lb_deployment_runner_get_running (self->runner)))
    return;

  if (!lb_cdf_check_group_is_needed (self->cdf_group) || lb_cdf_check_group_passed (self->cdf_group))
    {
      _lb_deploy_page_start_deploy (self);
      return;
    }

  client = lb_workspace_group_ensure_client (self->workspace_group, NULL);
  if (client == NULL)
    {
      /* The deploy reports what is missing to sign in. */
      _lb_deploy_page_start_deploy (self);
      return;
    }

  lb_cdf_check_group_set_client (self->cdf_group, client);
  self->cdf_checking = TRUE;
  _lb_deploy_page_update_actions (self);
  lb_cdf_check_group_check_async (self->cdf_group, self->cancellable, cdf_checked_cb, g_object_ref (self));
}

static void
synced_tables_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  LbDeployPage *self = LB_DEPLOY_PAGE (widget);
  g_autoptr(LbSyncStatus) status = NULL;
  g_autoptr(GError) error = NULL;
  LbDatabricksClient *client;
  LbSyncedTablesWindow *window;
  GtkRoot *root;

  if (self->plan == NULL)
    return;

  client = lb_workspace_group_ensure_client (self->workspace_group, &error);
  if (client == NULL)
    {
      g_autofree char *explained = lb_workspace_group_explain_error (self->workspace_group, error);

      _lb_deploy_page_add_toast (self, explained);
      return;
    }

  /* The same plan and workspace: the window already shown. */
  if (self->synced_window != NULL &&
      lb_sync_status_get_plan (lb_synced_tables_window_get_status (LB_SYNCED_TABLES_WINDOW (self->synced_window))) == self->plan)
    {
      gtk_window_present (GTK_WINDOW (self->synced_window));
      return;
    }
  if (self->synced_window != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->synced_window), (gpointer *) &self->synced_window);
      gtk_window_destroy (GTK_WINDOW (self->synced_window));
      self->synced_window = NULL;
    }

  status = lb_sync_status_new (self->plan, client);
  window = lb_synced_tables_window_new (status);
  root = gtk_widget_get_root (widget);
  if (GTK_IS_WINDOW (root))
    {
      gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (root));
      if (gtk_window_get_application (GTK_WINDOW (root)) != NULL)
        gtk_window_set_application (GTK_WINDOW (window), gtk_window_get_application (GTK_WINDOW (root)));
    }
  self->synced_window = GTK_WIDGET (window);
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &self->synced_window);
  gtk_window_present (GTK_WINDOW (window));
}

void
_lb_deploy_page_update_synced_actions (LbDeployPage *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean running = self->runner != NULL && lb_deployment_runner_get_running (self->runner);
  gboolean can_sign_in = lb_workspace_group_has_credentials_source (self->workspace_group);
  gboolean has_tables = FALSE;

  if (self->plan != NULL)
    {
      GListModel *resources = lb_deployment_plan_get_resources (self->plan);

      for (guint i = 0; i < g_list_model_get_n_items (resources) && !has_tables; i++)
        {
          g_autoptr(LbDeploymentResource) resource = g_list_model_get_item (resources, i);

          has_tables = lb_deployment_resource_get_kind (resource) == LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE;
        }
    }

  gtk_widget_action_set_enabled (widget, "deploy.synced-tables", has_tables && can_sign_in);
  if (self->cdf_checking)
    gtk_widget_action_set_enabled (widget, "deploy.run", FALSE);
  /* After a deploy (or once something of the plan is found): the way on. */
  gtk_widget_set_visible (self->synced_button,
                          has_tables && !running && (_lb_deploy_page_instance_is_ready (self) || self->found_existing));
  gtk_widget_set_visible (GTK_WIDGET (self->cdf_group),
                          self->workload != NULL && g_list_model_get_n_items (lb_workload_get_tables (self->workload)) > 0);
}

/* Fixed (or switched to Snapshot): the "Not deployed" toast no longer holds. */
static void
cdf_blocking_changed_cb (LbDeployPage    *self,
                         GParamSpec      *pspec,
                         LbCdfCheckGroup *group)
{
  if (self->cdf_toast != NULL && lb_cdf_check_group_get_n_blocking (group) == 0)
    adw_toast_dismiss (self->cdf_toast);
}

void
_lb_deploy_page_init_synced (LbDeployPage *self)
{
  g_signal_connect_object (self->cdf_group, "notify::n-blocking", G_CALLBACK (cdf_blocking_changed_cb), self,
                           G_CONNECT_SWAPPED);
}

void
_lb_deploy_page_dispose_synced (LbDeployPage *self)
{
  if (self->cdf_toast != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->cdf_toast), (gpointer *) &self->cdf_toast);
  self->cdf_toast = NULL;
  if (self->synced_window != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->synced_window), (gpointer *) &self->synced_window);
  self->synced_window = NULL;
}

void
_lb_deploy_page_class_install_synced_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "deploy.synced-tables", NULL, synced_tables_action);
}
