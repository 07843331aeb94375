/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbTesterPage: opens tester windows on a workload file, on the bundled
 * sample (against the sandbox) or on a past run (its settings, script and
 * record), and lists the recent runs of the history. */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-application.h"
#include "lb-compat.h"
#include "lb-run-history-view.h"
#include "lb-tester-page.h"
#include "lb-tester-window.h"

#define RECENT_RUNS 5

struct _LbTesterPage
{
  GtkWidget         parent_instance;

  /* Template Widgets */
  AdwStatusPage    *status_page;
  LbRunHistoryView *history_view;

  /* Owned References */
  LbRunHistory     *history;
  GCancellable     *cancellable;
};

G_DEFINE_FINAL_TYPE (LbTesterPage, lb_tester_page, GTK_TYPE_WIDGET)

static const char * const sql_patterns[] = { "*.sql", NULL };

static GtkApplication *
get_application (LbTesterPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root)) : NULL;
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

static LbRunHistory *
ensure_history (LbTesterPage *self)
{
  GtkApplication *app;

  g_assert (LB_IS_TESTER_PAGE (self));

  if (self->history != NULL)
    return self->history;

  /* The app's history is the one its tester windows add to. */
  app = get_application (self);
  if (LB_IS_APPLICATION (app))
    {
      self->history = g_object_ref (lb_application_get_run_history (LB_APPLICATION (app)));
    }
  else
    {
      self->history = lb_run_history_new (NULL);
      lb_run_history_load_async (self->history, self->cancellable, history_loaded_cb, NULL);
    }

  lb_run_history_view_set_history (self->history_view, self->history);
  return self->history;
}

static LbTesterWindow *
create_tester (LbTesterPage *self)
{
  GtkApplication *app = get_application (self);
  LbTesterWindow *window = lb_tester_window_new (app);

  if (!LB_IS_APPLICATION (app))
    lb_tester_window_set_history (window, ensure_history (self));

  return window;
}

static void
run_script_loaded_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  LbTesterWindow *window = LB_TESTER_WINDOW (object);
  g_autoptr(LbRunRecord) record = user_data;
  g_autoptr(GError) error = NULL;

  /* The script may have moved since: the run is still worth showing. */
  if (!lb_tester_window_load_file_finish (window, result, &error))
    g_message ("Could not reopen the script of run %s: %s", lb_run_record_get_id (record), error->message);

  lb_tester_window_show_run (window, record);
}

static void
run_activated_cb (LbTesterPage     *self,
                  LbRunRecord      *record,
                  LbRunHistoryView *view)
{
  LbTesterWindow *window = create_tester (self);
  const char *path = lb_run_record_get_script_path (record);

  if (lb_run_record_get_settings (record) != NULL)
    lb_tester_window_apply_settings (window, lb_run_record_get_settings (record));

  if (path != NULL && path[0] != '\0')
    {
      g_autoptr(GFile) file = g_file_new_for_path (path);

      lb_tester_window_load_file_async (window, file, NULL, run_script_loaded_cb, g_object_ref (record));
    }
  else
    {
      lb_tester_window_show_run (window, record);
    }

  gtk_window_present (GTK_WINDOW (window));
}

static void
delete_requested_cb (LbTesterPage     *self,
                     LbRunRecord      *record,
                     LbRunHistoryView *view)
{
  g_autoptr(GError) error = NULL;

  if (!lb_run_history_remove (self->history, record, &error))
    g_warning ("Could not delete run %s: %s", lb_run_record_get_id (record), error->message);
}

static void
open_workload_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  LbTesterPage *self = LB_TESTER_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);

  lb_compat_choose_file_to_open (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, _("Open SQL Workload"),
                                 NULL, _("SQL files"), sql_patterns, self->cancellable,
                                 self, (LbOpenFileFunc) lb_tester_page_open_file);
}

static void
run_sample_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  LbTesterPage *self = LB_TESTER_PAGE (widget);
  g_autoptr(GFile) sample = lb_tester_page_dup_sample_file ();
  LbTesterWindow *window = create_tester (self);

  lb_tester_window_set_target_sandbox (window);
  lb_tester_window_open_file (window, sample);
  gtk_window_present (GTK_WINDOW (window));
}

static void
lb_tester_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (lb_tester_page_parent_class)->map (widget);

  /* Read the runs only once someone looks at them. */
  ensure_history (LB_TESTER_PAGE (widget));
}

static void
lb_tester_page_dispose (GObject *object)
{
  LbTesterPage *self = LB_TESTER_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_TESTER_PAGE);
  g_clear_object (&self->history);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (lb_tester_page_parent_class)->dispose (object);
}

static void
lb_tester_page_class_init (LbTesterPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_tester_page_dispose;
  widget_class->map = lb_tester_page_map;

  g_type_ensure (LB_TYPE_RUN_HISTORY_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, APP_RESOURCE_PATH "/ui/lb-tester-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LbTesterPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, LbTesterPage, history_view);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

  gtk_widget_class_install_action (widget_class, "test-page.open-workload", NULL, open_workload_action);
  gtk_widget_class_install_action (widget_class, "test-page.run-sample", NULL, run_sample_action);
}

static void
lb_tester_page_init (LbTesterPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  lb_run_history_view_set_max_runs (self->history_view, RECENT_RUNS);
  g_signal_connect_object (self->history_view, "run-activated", G_CALLBACK (run_activated_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->history_view, "delete-requested", G_CALLBACK (delete_requested_cb), self,
                           G_CONNECT_SWAPPED);
}

LbRunHistory *
lb_tester_page_get_history (LbTesterPage *self)
{
  g_return_val_if_fail (LB_IS_TESTER_PAGE (self), NULL);

  return ensure_history (self);
}

void
lb_tester_page_open_file (LbTesterPage *self,
                          GFile        *file)
{
  LbTesterWindow *window;

  g_return_if_fail (LB_IS_TESTER_PAGE (self));
  g_return_if_fail (file == NULL || G_IS_FILE (file));

  window = create_tester (self);
  if (file != NULL)
    lb_tester_window_open_file (window, file);
  gtk_window_present (GTK_WINDOW (window));
}

GFile *
lb_tester_page_dup_sample_file (void)
{
  return g_file_new_for_uri ("resource://" APP_RESOURCE_PATH "/samples/customer_lookup.sql");
}
