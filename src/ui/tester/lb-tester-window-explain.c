/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The tester window's explain: tester.explain resolves the form's target as
 * a run would, EXPLAINs every query of the script with an LbPlanExplainer
 * (in its thread, always rolled back) and hands the plans to the Query
 * Plans page; a timer reads the explainer's progress meanwhile.
 * tester.cancel-explain stops it. */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-compat.h"
#include "lb-tester-window-private.h"

#define PROGRESS_INTERVAL_MS 100

/* The target ------------------------------------------------------------- */

static void
sandbox_started_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LbTesterWindow *self = g_task_get_source_object (task);
  LbPgSandbox *sandbox = LB_PG_SANDBOX (object);
  g_autoptr(GError) error = NULL;

  if (!gtk_widget_in_destruction (GTK_WIDGET (self)))
    lb_tester_window_update_sandbox_row (self, NULL);
  if (!lb_pg_sandbox_start_finish (sandbox, result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_strdup (lb_pg_sandbox_get_conninfo (sandbox)), g_free);
}

static void
credential_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *conninfo;

  conninfo = lb_credential_source_dup_conninfo_finish (LB_CREDENTIAL_SOURCE (object), result, NULL, &error);
  if (conninfo == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, conninfo, g_free);
}

void
lb_tester_window_resolve_target_async (LbTesterWindow      *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(LbRunSettings) settings = NULL;

  g_return_if_fail (LB_IS_TESTER_WINDOW (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_tester_window_resolve_target_async);

  if (lb_run_settings_form_get_target_is_sandbox (self->settings_form))
    {
      LbPgSandbox *sandbox = lb_tester_window_ensure_sandbox (self);

      if (!lb_pg_sandbox_get_running (sandbox))
        lb_tester_window_update_sandbox_row (self, _("Starting: the first start creates the sample data, "
                                                     "which takes a while"));
      lb_pg_sandbox_start_async (sandbox, cancellable, sandbox_started_cb, g_steal_pointer (&task));
      return;
    }

  settings = lb_run_settings_form_dup_settings (self->settings_form, NULL);
  /* As lb_tester_window_start() decides: the source stays the target while
   * the form shows what it gave. */
  if (self->source != NULL && settings->conninfo != NULL &&
      g_strcmp0 (settings->conninfo, self->source_text) == 0)
    {
      lb_credential_source_dup_conninfo_async (self->source, cancellable, credential_cb, g_steal_pointer (&task));
      return;
    }
  if (settings->conninfo == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s",
                               _("There is no target: pick the sandbox or enter a connection string"));
      return;
    }
  g_task_return_pointer (task, g_strdup (settings->conninfo), g_free);
}

char *
lb_tester_window_resolve_target_finish (LbTesterWindow  *self,
                                        GAsyncResult    *result,
                                        GError         **error)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The explain ------------------------------------------------------------- */

void
lb_tester_window_update_explain_actions (LbTesterWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean running = lb_test_run_get_running (self->run);

  g_assert (LB_IS_TESTER_WINDOW (self));

  gtk_widget_action_set_enabled (widget, "tester.explain",
                                 lb_test_run_get_script (self->run) != NULL && !running && !self->busy &&
                                 !self->explaining && !lb_tester_window_get_applying_indexes (self) &&
                                 lb_run_settings_form_get_target_ready (self->settings_form));
  gtk_widget_action_set_enabled (widget, "tester.cancel-explain", self->explaining);
}

static gboolean
explain_progress_cb (gpointer user_data)
{
  LbTesterWindow *self = user_data;
  guint query = 0, n_queries = 0;

  if (self->explainer != NULL)
    lb_plan_explainer_get_progress (self->explainer, &query, &n_queries);
  lb_query_plans_view_set_progress (self->plans_view, query, n_queries);
  return G_SOURCE_CONTINUE;
}

static void
explain_ended (LbTesterWindow *self)
{
  self->explaining = FALSE;
  g_clear_handle_id (&self->explain_progress_id, g_source_remove);
  g_clear_object (&self->explainer);
  g_clear_object (&self->explain_cancellable);
  lb_query_plans_view_set_busy (self->plans_view, FALSE);
  lb_tester_window_update_actions (self);
}

static void
explain_failed (LbTesterWindow *self,
                const GError   *error)
{
  explain_ended (self);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      lb_tester_window_add_toast (self, _("Explain cancelled"));
      return;
    }
  {
    g_autofree char *message = g_strdup_printf (_("The queries could not be explained: %s"), error->message);

    lb_query_plans_view_set_error (self->plans_view, message);
  }
}

static void
explain_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(LbTesterWindow) self = user_data;
  g_autoptr(GPtrArray) plans = NULL;
  g_autoptr(GError) error = NULL;

  plans = lb_plan_explainer_explain_finish (LB_PLAN_EXPLAINER (object), result, &error);
  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;
  if (plans == NULL)
    {
      explain_failed (self, error);
      return;
    }

  explain_ended (self);
  lb_query_plans_view_set_plans (self->plans_view, plans);
  lb_tester_window_indexes_explained (self, lb_plan_explainer_get_conninfo (LB_PLAN_EXPLAINER (object)), plans);
}

static void
target_resolved_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(LbTesterWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = NULL;
  g_autoptr(LbRunSettings) settings = NULL;

  conninfo = lb_tester_window_resolve_target_finish (self, result, &error);
  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;
  if (conninfo == NULL)
    {
      explain_failed (self, error);
      return;
    }
  if (g_cancellable_is_cancelled (self->explain_cancellable))
    {
      g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");

      explain_failed (self, cancelled);
      return;
    }

  settings = lb_run_settings_form_dup_settings (self->settings_form, NULL);
  self->explainer = lb_plan_explainer_new (conninfo, lb_test_run_get_script (self->run));
  lb_plan_explainer_set_analyze (self->explainer, lb_query_plans_view_get_analyze (self->plans_view));
  /* The run's seed, so the plans are of the values a run would draw. */
  lb_plan_explainer_set_seed (self->explainer, settings->seed);
  self->explain_progress_id = g_timeout_add (PROGRESS_INTERVAL_MS, explain_progress_cb, self);
  lb_plan_explainer_explain_async (self->explainer, self->explain_cancellable, explain_done_cb,
                                   g_object_ref (self));
}

static void
explain_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (widget);

  if (self->explaining || self->busy || lb_test_run_get_running (self->run) ||
      lb_test_run_get_script (self->run) == NULL || lb_tester_window_get_applying_indexes (self))
    return;

  self->explaining = TRUE;
  self->explain_cancellable = g_cancellable_new ();
  adw_view_stack_set_visible_child_name (self->view_stack, "plans");
  lb_query_plans_view_set_busy (self->plans_view, TRUE);
  lb_tester_window_clear_advice (self);
  lb_tester_window_update_actions (self);
  lb_tester_window_resolve_target_async (self, self->explain_cancellable, target_resolved_cb,
                                         g_object_ref (self));
}

void
lb_tester_window_cancel_explain (LbTesterWindow *self)
{
  g_return_if_fail (LB_IS_TESTER_WINDOW (self));

  if (self->explain_cancellable != NULL)
    g_cancellable_cancel (self->explain_cancellable);
}

static void
cancel_explain_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (widget);

  lb_tester_window_cancel_explain (self);
  lb_query_plans_view_set_progress (self->plans_view, 0, 0);
}

void
lb_tester_window_class_add_explain_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "tester.explain", NULL, explain_action);
  gtk_widget_class_install_action (widget_class, "tester.cancel-explain", NULL, cancel_explain_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "tester.explain", NULL);
}

/* Test hooks (lb-tester-window-private.h) --------------------------------- */

LbQueryPlansView *
lb_tester_window_get_query_plans_view (LbTesterWindow *self)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), NULL);

  return self->plans_view;
}

AdwViewStack *
lb_tester_window_get_view_stack (LbTesterWindow *self)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), NULL);

  return self->view_stack;
}
