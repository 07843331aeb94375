/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbTesterWindow: the shell of the concurrency tester. It holds one
 * LbTestRun for its life and three sections bound to it (the script, the
 * settings form, the results); the run does the work, the sections show it,
 * and the actions live in lb-tester-window-actions.c. */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-application.h"
#include "lb-compat.h"
#include "lb-run-format.h"
#include "lb-tester-window-private.h"

G_DEFINE_FINAL_TYPE (LbTesterWindow, lb_tester_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  RUN_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum {
  PROP_0,
  PROP_DIALECT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The dialect ---------------------------------------------------------------- */

void
lb_tester_window_set_dialect_state (LbTesterWindow *self,
                                    const char     *dialect)
{
  /* Notified even when unchanged: a refused choice puts the menu back. */
  if (g_strcmp0 (self->dialect, dialect) != 0)
    {
      g_free (self->dialect);
      self->dialect = g_strdup (dialect);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIALECT]);
}

static void
lb_tester_window_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DIALECT:
      g_value_set_string (value, self->dialect);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_tester_window_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DIALECT:
      /* tester.dialect: re-read the open file; the state follows once it parsed. */
      lb_tester_window_read_as (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* The run ------------------------------------------------------------------- */

static void
run_state_cb (LbTesterWindow *self)
{
  LbTestRunState state = lb_test_run_get_state (self->run);

  if (state == LB_TEST_RUN_STATE_STARTING_SANDBOX)
    {
      self->starting_sandbox = TRUE;
      lb_tester_window_update_sandbox_row (self, _("Starting: the first start creates the sample data, "
                                                   "which takes a while"));
    }
  else if (self->starting_sandbox && state != LB_TEST_RUN_STATE_IDLE)
    {
      self->starting_sandbox = FALSE;
      lb_tester_window_update_sandbox_row (self, NULL);
    }

  lb_tester_window_update_actions (self);
}

static void
run_failed (LbTesterWindow *self,
            const GError   *error)
{
  gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  gboolean sandbox = self->starting_sandbox;

  self->starting_sandbox = FALSE;
  lb_tester_window_update_sandbox_row (self, NULL);
  lb_tester_window_update_actions (self);
  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
    {
      lb_run_results_view_set_phase (self->results_view, _("Ready"), FALSE);
      lb_compat_show_error (GTK_WINDOW (self), _("These Settings Cannot Run"), error->message);
    }
  else if (sandbox)
    {
      lb_run_results_view_set_phase (self->results_view, cancelled ? _("Ready") : _("The sandbox did not start"),
                                     FALSE);
      if (!cancelled)
        lb_compat_show_error (GTK_WINDOW (self), _("The Sandbox Did Not Start"), error->message);
    }
  else
    {
      lb_run_results_view_set_phase (self->results_view, _("The run could not start"), FALSE);
      lb_run_results_view_clear_progress (self->results_view);
      if (!cancelled)
        lb_compat_show_error (GTK_WINDOW (self), _("The Run Could Not Start"), error->message);
    }
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LbTesterWindow *self = g_task_get_source_object (task);
  g_autoptr(LbRunRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tps = NULL;
  g_autofree char *message = NULL;
  LbRunResult *run_result;

  record = lb_test_run_start_finish (LB_TEST_RUN (object), result, &error);
  if (record == NULL)
    {
      run_failed (self, error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (lb_test_run_get_history_error (self->run) != NULL)
    {
      g_autofree char *warning = g_strdup_printf (_("The run was not kept in the history: %s"),
                                                  lb_test_run_get_history_error (self->run)->message);
      lb_tester_window_add_toast (self, warning);
    }

  lb_run_history_view_unselect_all (self->history_view);
  lb_run_results_view_show (self->results_view, record, NULL, FALSE);
  lb_tester_window_update_actions (self);

  run_result = lb_run_record_get_result (record);
  tps = lb_format_rate (run_result->tps);
  if (run_result->cancelled)
    message = g_strdup_printf (_("Run stopped early: %s tx/s over what was measured"), tps);
  else
    message = g_strdup_printf (_("Run finished: %s tx/s"), tps);
  lb_tester_window_add_toast (self, message);

  g_signal_emit (self, signals[RUN_FINISHED], 0, record);
  g_task_return_pointer (task, g_steal_pointer (&record), g_object_unref);
}

/* Each fresh credential shows as the connection string, without its secret. */
static void
source_conninfo_cb (LbTesterWindow *self)
{
  const char *conninfo = lb_test_run_get_source_conninfo (self->run);

  if (self->source == NULL || conninfo == NULL)
    return;

  g_free (self->source_text);
  self->source_text = g_strdup (conninfo);
  lb_run_settings_form_set_target_conninfo (self->settings_form, conninfo);
  lb_tester_window_remote_set_conninfo (self, conninfo);
}

/* The source stays the target while the form shows what it gave. */
static gboolean
form_shows_source (LbTesterWindow      *self,
                   const LbRunSettings *settings)
{
  return self->source != NULL && settings->conninfo != NULL &&
         g_strcmp0 (settings->conninfo, self->source_text) == 0;
}

/* The script names the window; a web tool file suggests its own count. */
static void
script_changed_cb (LbTesterWindow *self)
{
  LbSqlScript *script = lb_test_run_get_script (self->run);

  /* Plans belong to the script they were made from. */
  lb_tester_window_cancel_explain (self);
  lb_query_plans_view_set_plans (self->plans_view, NULL);
  lb_query_plans_view_set_error (self->plans_view, NULL);
  lb_tester_window_clear_advice (self);

  if (script == NULL)
    {
      adw_window_title_set_title (self->window_title, _("Concurrency Tester"));
      return;
    }

  adw_window_title_set_title (self->window_title, lb_sql_script_get_display_name (script));
  gtk_window_set_title (GTK_WINDOW (self), lb_sql_script_get_display_name (script));
  lb_run_settings_form_set_default_count (self->settings_form, lb_sql_script_get_default_count (script));
}

/* History ------------------------------------------------------------------- */

static void
history_selection_changed_cb (LbTesterWindow   *self,
                              LbRunHistoryView *view)
{
  guint n = lb_run_history_view_get_n_selected (view);

  if (lb_test_run_get_running (self->run))
    return;

  if (n == 0)
    {
      if (lb_run_results_view_get_compare_record (self->results_view) != NULL)
        lb_tester_window_show_run (self, lb_run_results_view_get_record (self->results_view));
      return;
    }

  if (n == 1)
    lb_tester_window_show_run (self, lb_run_history_view_get_selected (view, 0));
  else
    lb_tester_window_compare_runs (self, lb_run_history_view_get_selected (view, 1),
                                   lb_run_history_view_get_selected (view, 0));
}

static void
delete_requested_cb (LbTesterWindow   *self,
                     LbRunRecord      *record,
                     LbRunHistoryView *view)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbRunRecord) keep = g_object_ref (record);

  if (!lb_run_history_remove (lb_test_run_get_history (self->run), record, &error))
    {
      lb_compat_show_error (GTK_WINDOW (self), _("Could Not Delete the Run"), error->message);
      return;
    }

  if (lb_run_results_view_get_compare_record (self->results_view) == keep)
    lb_run_results_view_show (self->results_view, lb_run_results_view_get_record (self->results_view), NULL, TRUE);
  if (lb_run_results_view_get_record (self->results_view) == keep && !lb_test_run_get_running (self->run))
    {
      lb_run_results_view_show (self->results_view, NULL, NULL, TRUE);
      lb_run_results_view_set_phase (self->results_view, _("Ready"), FALSE);
    }
  lb_tester_window_update_actions (self);
  lb_tester_window_add_toast (self, _("Run deleted"));
}

static void
history_loaded_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!lb_run_history_load_finish (LB_RUN_HISTORY (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("Could not read the run history: %s", error->message);
}

/* The application hands every window the main window's shortcuts when it is
 * added to it; this window lists its own keys, so it takes them back. */
static void
use_own_help_overlay (LbTesterWindow *self)
{
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource (APP_RESOURCE_PATH "/ui/lb-tester-shortcuts.ui");
  GObject *overlay = gtk_builder_get_object (builder, "help_overlay");

  gtk_application_window_set_help_overlay (GTK_APPLICATION_WINDOW (self), GTK_SHORTCUTS_WINDOW (overlay));
}

/* Parent overrides --------------------------------------------------------- */

static gboolean
lb_tester_window_close_request (GtkWindow *window)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (window);

  /* Closing stops the run; the engine keeps what it measured. An index
   * build is cancelled (its leftover dropped). */
  lb_test_run_cancel (self->run);
  lb_tester_window_cancel_indexes (self);

  return GTK_WINDOW_CLASS (lb_tester_window_parent_class)->close_request (window);
}

static void
lb_tester_window_constructed (GObject *object)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (object);
  GtkApplication *app;

  G_OBJECT_CLASS (lb_tester_window_parent_class)->constructed (object);

  app = gtk_window_get_application (GTK_WINDOW (self));
  if (lb_test_run_get_history (self->run) == NULL)
    {
      if (LB_IS_APPLICATION (app))
        {
          lb_tester_window_set_history (self, lb_application_get_run_history (LB_APPLICATION (app)));
        }
      else
        {
          g_autoptr(LbRunHistory) history = lb_run_history_new (NULL);

          lb_tester_window_set_history (self, history);
          lb_run_history_load_async (history, self->cancellable, history_loaded_cb, NULL);
        }
    }
}

static void
lb_tester_window_dispose (GObject *object)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  lb_tester_window_cancel_explain (self);
  lb_tester_window_indexes_free (self);
  if (self->run != NULL)
    {
      lb_test_run_cancel (self->run);
      g_signal_handlers_disconnect_by_data (self->run, self);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_TESTER_WINDOW);

  if (self->remote_run != NULL)
    {
      lb_remote_run_cancel (self->remote_run);
      g_signal_handlers_disconnect_by_data (self->remote_run, self);
    }
  g_clear_object (&self->run);
  g_clear_object (&self->remote_run);
  g_clear_object (&self->source);
  g_clear_pointer (&self->source_text, g_free);
  g_clear_pointer (&self->dialect, g_free);
  g_clear_object (&self->file);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->explain_cancellable);
  g_clear_object (&self->explainer);
  g_clear_handle_id (&self->explain_progress_id, g_source_remove);

  G_OBJECT_CLASS (lb_tester_window_parent_class)->dispose (object);
}

static void
lb_tester_window_class_init (LbTesterWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = lb_tester_window_constructed;
  object_class->dispose = lb_tester_window_dispose;
  object_class->get_property = lb_tester_window_get_property;
  object_class->set_property = lb_tester_window_set_property;
  window_class->close_request = lb_tester_window_close_request;

  signals[RUN_FINISHED] =
    g_signal_new ("run-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LB_TYPE_RUN_RECORD);

  g_type_ensure (LB_TYPE_RUN_HISTORY_VIEW);
  g_type_ensure (LB_TYPE_SCRIPT_VIEW);
  g_type_ensure (LB_TYPE_RUN_SETTINGS_FORM);
  g_type_ensure (LB_TYPE_RUN_RESULTS_VIEW);
  g_type_ensure (LB_TYPE_QUERY_PLANS_VIEW);
  g_type_ensure (LB_TYPE_INDEX_ADVICE_VIEW);
  g_type_ensure (LB_TYPE_PLAN_COMPARE_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, APP_RESOURCE_PATH "/ui/lb-tester-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, history_button);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, history_view);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, run_stack);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, settings_box);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, script_view);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, settings_form);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, results_view);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, plans_view);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, advice_view);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, plan_compare_page);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, plan_compare_view);

  /* How the open file is read: "auto" (the dialect rule), "pgbench", "mix"
   * or "webtool"; the state of tester.dialect. */
  properties[PROP_DIALECT] =
    g_param_spec_string ("dialect", NULL, NULL, "auto",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  lb_tester_window_class_add_actions (widget_class);
}

static void
lb_tester_window_init (LbTesterWindow *self)
{
  /* First: the template's menus read tester.dialect's state. */
  self->dialect = g_strdup ("auto");
  gtk_widget_init_template (GTK_WIDGET (self));

#if DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif

  self->cancellable = g_cancellable_new ();
  self->run = lb_test_run_new ();

  /* The sections follow the run: the script view its script, the results
   * its samples and progress, the subtitle the script's summary. */
  g_object_bind_property (self->run, "script", self->script_view, "script", G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->script_view, "summary", self->window_title, "subtitle",
                          G_BINDING_SYNC_CREATE);
  lb_run_results_view_set_run (self->results_view, self->run);
  g_signal_connect_object (self->run, "notify::script", G_CALLBACK (script_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->run, "notify::state", G_CALLBACK (run_state_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->run, "notify::source-conninfo", G_CALLBACK (source_conninfo_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->run, "sample", G_CALLBACK (lb_tester_window_update_actions), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings_form, "notify::target-ready",
                           G_CALLBACK (lb_tester_window_update_actions), self, G_CONNECT_SWAPPED);

  lb_tester_window_init_indexes (self);
  use_own_help_overlay (self);
  g_signal_connect (self, "notify::application", G_CALLBACK (use_own_help_overlay), NULL);
  g_signal_connect_object (self->history_view, "selection-changed", G_CALLBACK (history_selection_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->history_view, "delete-requested", G_CALLBACK (delete_requested_cb),
                           self, G_CONNECT_SWAPPED);

  lb_tester_window_update_actions (self);
}

/* Public API --------------------------------------------------------------- */

LbTesterWindow *
lb_tester_window_new (GtkApplication *application)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);

  return g_object_new (LB_TYPE_TESTER_WINDOW,
                       "application", application,
                       NULL);
}

void
lb_tester_window_set_sandbox (LbTesterWindow *self,
                              LbPgSandbox    *sandbox)
{
  g_return_if_fail (LB_IS_TESTER_WINDOW (self));
  g_return_if_fail (sandbox == NULL || LB_IS_PG_SANDBOX (sandbox));

  lb_test_run_set_sandbox (self->run, sandbox);
  lb_tester_window_update_sandbox_row (self, NULL);
}

void
lb_tester_window_set_workload (LbTesterWindow *self,
                               LbWorkload     *workload)
{
  g_return_if_fail (LB_IS_TESTER_WINDOW (self));

  lb_test_run_set_workload (self->run, workload);
  lb_tester_window_remote_set_workload (self, workload);
}

void
lb_tester_window_set_reference_cu (LbTesterWindow *self,
                                   double          cu)
{
  g_return_if_fail (LB_IS_TESTER_WINDOW (self));

  lb_test_run_set_reference_cu (self->run, cu);
}

LbPgSandbox *
lb_tester_window_get_sandbox (LbTesterWindow *self)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), NULL);

  return lb_test_run_get_sandbox (self->run);
}

void
lb_tester_window_set_history (LbTesterWindow *self,
                              LbRunHistory   *history)
{
  g_return_if_fail (LB_IS_TESTER_WINDOW (self));
  g_return_if_fail (history == NULL || LB_IS_RUN_HISTORY (history));

  if (lb_test_run_get_history (self->run) == history)
    return;

  lb_test_run_set_history (self->run, history);
  lb_run_history_view_set_history (self->history_view, history);
}

LbRunHistory *
lb_tester_window_get_history (LbTesterWindow *self)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), NULL);

  return lb_test_run_get_history (self->run);
}

LbSqlScript *
lb_tester_window_get_script (LbTesterWindow *self)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), NULL);

  return lb_test_run_get_script (self->run);
}

LbRunSettings *
lb_tester_window_dup_settings (LbTesterWindow *self)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), NULL);

  return lb_run_settings_form_dup_settings (self->settings_form, NULL);
}

void
lb_tester_window_apply_settings (LbTesterWindow      *self,
                                 const LbRunSettings *settings)
{
  g_return_if_fail (LB_IS_TESTER_WINDOW (self));
  g_return_if_fail (settings != NULL);

  lb_run_settings_form_apply_settings (self->settings_form, settings);
}

void
lb_tester_window_set_target_sandbox (LbTesterWindow *self)
{
  g_return_if_fail (LB_IS_TESTER_WINDOW (self));

  lb_run_settings_form_set_target_sandbox (self->settings_form);
}

void
lb_tester_window_set_target_conninfo (LbTesterWindow *self,
                                      const char     *conninfo)
{
  g_return_if_fail (LB_IS_TESTER_WINDOW (self));
  g_return_if_fail (conninfo != NULL);

  g_clear_object (&self->source);
  g_clear_pointer (&self->source_text, g_free);
  lb_run_settings_form_set_target_conninfo (self->settings_form, conninfo);
  lb_tester_window_remote_set_conninfo (self, conninfo);
}

void
lb_tester_window_set_target_source (LbTesterWindow     *self,
                                    LbCredentialSource *source)
{
  g_return_if_fail (LB_IS_TESTER_WINDOW (self));
  g_return_if_fail (LB_IS_CREDENTIAL_SOURCE (source));

  g_set_object (&self->source, source);
  /* Fetched now, and kept fresh from here on. */
  lb_test_run_set_target_source (self->run, source);
}

void
lb_tester_window_start (LbTesterWindow *self)
{
  g_return_if_fail (LB_IS_TESTER_WINDOW (self));

  lb_tester_window_run_async (self, NULL, NULL, NULL);
}

void
lb_tester_window_run_async (LbTesterWindow      *self,
                            const LbRunSettings *run_settings,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(LbRunSettings) settings = NULL;
  g_autofree char *ladder_error = NULL;

  g_return_if_fail (LB_IS_TESTER_WINDOW (self));

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, lb_tester_window_run_async);
  if (lb_tester_window_get_running (self) || self->busy || lb_test_run_get_script (self->run) == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY, "%s",
                               _("A run or a sandbox reset is under way, or there is no script"));
      return;
    }

  /* The target comes from the form whatever the settings. */
  settings = lb_run_settings_form_dup_settings (self->settings_form, &ladder_error);
  if (ladder_error != NULL)
    {
      lb_compat_show_error (GTK_WINDOW (self), _("These Settings Cannot Run"), ladder_error);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s", ladder_error);
      return;
    }

  /* The one place that picks the runner: Databricks compute or this computer. */
  if (lb_run_settings_form_get_target_is_databricks (self->settings_form))
    {
      /* Apply and compare waits for a record of this computer's runs; a
       * run on Databricks compute is only ever started by the user. */
      if (callback != NULL)
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s",
                                   _("Apply and Compare re-runs the script from this computer: choose the database itself as the target, not Databricks compute"));
          return;
        }
      lb_tester_window_start_remote (self, run_settings != NULL ? run_settings : settings);
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  /* The one place that picks the runner: Databricks compute or this computer. */
  if (lb_run_settings_form_get_target_is_databricks (self->settings_form))
    {
      lb_tester_window_start_remote (self, settings);
      return;
    }

  if (lb_run_settings_form_get_target_is_sandbox (self->settings_form))
    {
      lb_tester_window_ensure_sandbox (self);
      lb_test_run_set_target_sandbox (self->run);
    }
  else if (form_shows_source (self, settings))
    {
      lb_test_run_set_target_source (self->run, self->source);
    }
  else
    {
      g_clear_object (&self->source);
      g_clear_pointer (&self->source_text, g_free);
      lb_test_run_set_target_conninfo (self->run, settings->conninfo);
    }
  if (run_settings != NULL)
    {
      g_clear_pointer (&settings, lb_run_settings_free);
      settings = lb_run_settings_copy (run_settings);
    }

  /* A new run: the chart, counters and table start empty. */
  lb_run_history_view_unselect_all (self->history_view);
  lb_run_results_view_begin (self->results_view, settings);
  lb_run_results_view_set_phase (self->results_view, _("Connecting…"), TRUE);
  lb_test_run_start_async (self->run, settings, NULL, run_done_cb, g_steal_pointer (&task));
  lb_tester_window_update_actions (self);
}

LbRunRecord *
lb_tester_window_run_finish (LbTesterWindow  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
lb_tester_window_stop (LbTesterWindow *self)
{
  g_return_if_fail (LB_IS_TESTER_WINDOW (self));

  if (lb_tester_window_get_remote_running (self))
    {
      lb_tester_window_stop_remote (self);
      return;
    }
  if (!lb_test_run_get_running (self->run))
    return;

  lb_run_results_view_set_phase (self->results_view, _("Stopping…"), TRUE);
  lb_test_run_cancel (self->run);
}

gboolean
lb_tester_window_get_running (LbTesterWindow *self)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), FALSE);

  return lb_test_run_get_running (self->run) || lb_tester_window_get_remote_running (self);
}

LbRunRecord *
lb_tester_window_get_record (LbTesterWindow *self)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), NULL);

  return lb_run_results_view_get_record (self->results_view);
}

LbRunRecord *
lb_tester_window_get_compare_record (LbTesterWindow *self)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), NULL);

  return lb_run_results_view_get_compare_record (self->results_view);
}

void
lb_tester_window_show_run (LbTesterWindow *self,
                           LbRunRecord    *record)
{
  g_return_if_fail (LB_IS_TESTER_WINDOW (self));
  g_return_if_fail (record == NULL || LB_IS_RUN_RECORD (record));

  if (lb_test_run_get_running (self->run))
    return;

  lb_run_results_view_show (self->results_view, record, NULL, TRUE);
  lb_tester_window_update_actions (self);
}

void
lb_tester_window_compare_runs (LbTesterWindow *self,
                               LbRunRecord    *record,
                               LbRunRecord    *other)
{
  g_return_if_fail (LB_IS_TESTER_WINDOW (self));
  g_return_if_fail (LB_IS_RUN_RECORD (record));
  g_return_if_fail (LB_IS_RUN_RECORD (other));

  if (lb_test_run_get_running (self->run))
    return;

  lb_run_results_view_show (self->results_view, record, other, TRUE);
  lb_tester_window_update_actions (self);
}

/* Test hooks (lb-tester-window-private.h) --------------------------------- */

LbThroughputChart *
lb_tester_window_get_chart (LbTesterWindow *self)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), NULL);

  return lb_run_results_view_get_chart (self->results_view);
}

LbRunHistoryView *
lb_tester_window_get_history_view (LbTesterWindow *self)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), NULL);

  return self->history_view;
}

char *
lb_tester_window_dup_result_cell (LbTesterWindow *self,
                                  guint           row,
                                  guint           column)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), NULL);

  return lb_run_results_view_dup_cell (self->results_view, row, column, 0);
}

char *
lb_tester_window_dup_result_delta (LbTesterWindow *self,
                                   guint           row,
                                   guint           column)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), NULL);

  return lb_run_results_view_dup_cell (self->results_view, row, column, 1);
}
