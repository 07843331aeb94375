/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbTesterPage: the way to tester windows on a workload file, on the bundled
 * sample (against the sandbox) or on a past run, each through app.open-tester,
 * and the recent runs of the history. */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-compat.h"
#include "lb-run-history-view.h"
#include "lb-tester-page.h"

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

  /* The app's history (its "run-history") is the one its tester windows
   * add to. */
  app = get_application (self);
  if (app != NULL && g_object_class_find_property (G_OBJECT_GET_CLASS (app), "run-history") != NULL)
    {
      g_object_get (app, "run-history", &self->history, NULL);
    }
  if (self->history == NULL)
    {
      self->history = lb_run_history_new (NULL);
      lb_run_history_load_async (self->history, self->cancellable, history_loaded_cb, NULL);
    }

  lb_run_history_view_set_history (self->history_view, self->history);
  return self->history;
}

/* Tester windows are the application's to make (app.open-tester). */
static void
open_tester (LbTesterPage *self,
             GVariantDict *options)
{
  if (!gtk_widget_activate_action_variant (GTK_WIDGET (self), "app.open-tester", g_variant_dict_end (options)))
    g_warning ("No app.open-tester: a tester window needs the application");
}

static void
run_activated_cb (LbTesterPage     *self,
                  LbRunRecord      *record,
                  LbRunHistoryView *view)
{
  g_auto(GVariantDict) options = G_VARIANT_DICT_INIT (NULL);

  g_variant_dict_insert (&options, "run", "s", lb_run_record_get_id (record));
  open_tester (self, &options);
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
  g_auto(GVariantDict) options = G_VARIANT_DICT_INIT (NULL);

  g_variant_dict_insert (&options, "sample", "b", TRUE);
  open_tester (LB_TESTER_PAGE (widget), &options);
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
  g_auto(GVariantDict) options = G_VARIANT_DICT_INIT (NULL);

  g_return_if_fail (LB_IS_TESTER_PAGE (self));
  g_return_if_fail (file == NULL || G_IS_FILE (file));

  if (file != NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);

      g_variant_dict_insert (&options, "file", "s", uri);
    }
  open_tester (self, &options);
}
