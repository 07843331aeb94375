/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbWindow: the three views in a view stack with a toast overlay; the
 * workload's actions (new, open, save, save as, export, copy the summary,
 * undo a replace) and their files; the last workload kept in GSettings so
 * that nothing typed is lost between runs. */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-core.h"

#include "lb-compat.h"
#include "lb-deploy-page.h"
#include "lb-tester-page.h"
#include "lb-window.h"

#define PERSIST_DELAY_MS 400

struct _LbWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template Widgets */
  AdwToastOverlay      *toast_overlay;
  AdwViewStack         *view_stack;
  AdwViewSwitcherTitle *switcher_title;
  LbCalculatorPage     *calculator_page;
  LbDeployPage         *deploy_page;
  LbTesterPage         *tester_page;

  /* Owned References */
  GSettings            *settings;
  LbWorkload           *workload;
  LbWorkload           *replaced_workload;   /* for "Undo" after New/Open */
  LbPriceSheet         *prices;
  GCancellable         *cancellable;         /* cancelled when the window goes */

  gulong                workload_changed_id;
  LbReportFormat        export_format;       /* of the chooser that is open */
  guint                 persist_source;
  gboolean              modified;
};

G_DEFINE_FINAL_TYPE (LbWindow, lb_window, ADW_TYPE_APPLICATION_WINDOW)

static const char * const yaml_patterns[] = { "*.yml", "*.yaml", NULL };
static const char * const json_patterns[] = { "*.json", NULL };
static const char * const csv_patterns[] = { "*.csv", NULL };

static void
update_title (LbWindow *self)
{
  GFile *file;
  g_autofree char *name = NULL;
  g_autofree char *subtitle = NULL;

  g_assert (LB_IS_WINDOW (self));

  file = lb_workload_get_file (self->workload);
  name = file != NULL ? g_file_get_basename (file) : g_strdup (_("Unsaved workload"));
  /* A leading bullet is how GNOME apps mark unsaved changes in a title. */
  subtitle = self->modified ? g_strdup_printf ("• %s", name) : g_steal_pointer (&name);

  adw_view_switcher_title_set_subtitle (self->switcher_title, subtitle);
  gtk_window_set_title (GTK_WINDOW (self), subtitle);
}

static void
set_modified (LbWindow *self,
              gboolean  modified)
{
  g_assert (LB_IS_WINDOW (self));

  if (self->modified == modified)
    return;

  self->modified = modified;
  update_title (self);
}

/* Keep the form's values in GSettings so a crash, a closed window or a
 * forgotten save never loses what was typed. */
static void
persist_workload (LbWindow *self)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  GFile *file;

  g_assert (LB_IS_WINDOW (self));

  g_clear_handle_id (&self->persist_source, g_source_remove);

  data = lb_workload_to_data (self->workload, NULL, &error);
  if (data == NULL)
    {
      g_warning ("Could not keep the workload values: %s", error->message);
      return;
    }

  file = lb_workload_get_file (self->workload);
  g_settings_set_string (self->settings, "last-workload", data);
  if (file != NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_settings_set_string (self->settings, "last-workload-file", uri);
    }
  else
    {
      g_settings_set_string (self->settings, "last-workload-file", "");
    }
}

static gboolean
persist_timeout_cb (gpointer user_data)
{
  LbWindow *self = user_data;

  g_assert (LB_IS_WINDOW (self));

  self->persist_source = 0;
  persist_workload (self);

  return G_SOURCE_REMOVE;
}

static void
workload_changed_cb (LbWindow   *self,
                     LbWorkload *workload)
{
  g_assert (LB_IS_WINDOW (self));

  set_modified (self, TRUE);

  g_clear_handle_id (&self->persist_source, g_source_remove);
  self->persist_source = g_timeout_add (PERSIST_DELAY_MS, persist_timeout_cb, self);
}

static void
set_workload (LbWindow   *self,
              LbWorkload *workload,
              gboolean    keep_for_undo)
{
  g_assert (LB_IS_WINDOW (self));
  g_assert (LB_IS_WORKLOAD (workload));

  if (self->workload != NULL)
    g_clear_signal_handler (&self->workload_changed_id, self->workload);

  g_clear_object (&self->replaced_workload);
  if (keep_for_undo)
    self->replaced_workload = g_steal_pointer (&self->workload);
  else
    g_clear_object (&self->workload);

  self->workload = g_object_ref (workload);
  self->workload_changed_id = g_signal_connect_object (workload, "changed",
                                                       G_CALLBACK (workload_changed_cb), self,
                                                       G_CONNECT_SWAPPED);

  lb_calculator_page_set_workload (self->calculator_page, workload);
  lb_deploy_page_set_workload (self->deploy_page, workload);
  self->modified = FALSE;
  update_title (self);
  persist_workload (self);
}

static void
replace_workload_with_undo (LbWindow   *self,
                            LbWorkload *workload,
                            const char *message)
{
  AdwToast *toast;

  g_assert (LB_IS_WINDOW (self));

  set_workload (self, workload, TRUE);

  toast = adw_toast_new (message);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, "win.undo-replace");
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo-replace", TRUE);
}

static GFile *
get_last_folder (LbWindow *self)
{
  g_autofree char *uri = g_settings_get_string (self->settings, "last-folder");

  if (uri[0] == '\0')
    return NULL;

  return g_file_new_for_uri (uri);
}

static void
remember_folder (LbWindow *self,
                 GFile    *file)
{
  g_autoptr(GFile) parent = g_file_get_parent (file);

  if (parent != NULL)
    {
      g_autofree char *uri = g_file_get_uri (parent);
      g_settings_set_string (self->settings, "last-folder", uri);
    }
}

static gboolean
is_sql_file (GFile *file)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *lower = name != NULL ? g_ascii_strdown (name, -1) : NULL;

  return lower != NULL && g_str_has_suffix (lower, ".sql");
}

/* The three file operations are GTasks returning a boolean. */
static gboolean
finish_task (LbWindow      *self,
             GAsyncResult  *result,
             GError       **error)
{
  g_return_val_if_fail (LB_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Ends a user-started operation: a dialog when it failed, a toast when not;
 * cancelling is silent. */
static void
show_outcome (LbWindow     *self,
              GAsyncResult *result,
              const char   *failure_heading,
              const char   *success_message)
{
  g_autoptr(GError) error = NULL;

  if (finish_task (self, result, &error))
    lb_window_add_toast (self, success_message);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    lb_compat_show_error (GTK_WINDOW (self), failure_heading, error->message);
}

/* Loading ------------------------------------------------------------------ */

static void
load_contents_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GFile *file = G_FILE (object);
  g_autoptr(GTask) task = user_data;
  LbWindow *self = g_task_get_source_object (task);
  g_autoptr(LbWorkload) workload = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *name = NULL;
  g_autofree char *message = NULL;
  gsize length;

  if (!g_file_load_contents_finish (file, result, &contents, &length, NULL, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  name = g_file_get_basename (file);
  workload = lb_workload_new_from_data (contents, length, name, &error);
  if (workload == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  lb_workload_set_file (workload, file);
  remember_folder (self, file);
  message = g_strdup_printf (_("Opened “%s”"), name);
  replace_workload_with_undo (self, workload, message);

  g_task_return_boolean (task, TRUE);
}

void
lb_window_load_file_async (LbWindow            *self,
                           GFile               *file,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LB_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_window_load_file_async);
  g_file_load_contents_async (file, cancellable, load_contents_cb, g_steal_pointer (&task));
}

gboolean
lb_window_load_file_finish (LbWindow      *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return finish_task (self, result, error);
}

static void
open_file_loaded_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  LbWindow *self = LB_WINDOW (object);
  g_autoptr(GFile) file = user_data;
  g_autoptr(GError) error = NULL;

  if (!lb_window_load_file_finish (self, result, &error))
    {
      g_autofree char *name = g_file_get_basename (file);
      g_autofree char *heading = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      heading = g_strdup_printf (_("Could Not Open “%s”"), name);
      lb_compat_show_error (GTK_WINDOW (self), heading, error->message);
    }
}

void
lb_window_open_file (LbWindow *self,
                     GFile    *file)
{
  g_return_if_fail (LB_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (is_sql_file (file))
    {
      /* SQL workloads open in a concurrency-test window of their own. */
      lb_tester_page_open_file (self->tester_page, file);
      return;
    }

  lb_window_load_file_async (self, file, self->cancellable, open_file_loaded_cb, g_object_ref (file));
}

/* Saving ------------------------------------------------------------------- */

typedef enum
{
  REFUSED_SAVE,
  REFUSED_EXPORT,
  REFUSED_COPY,
} RefusedOperation;

/* Saving, exporting or copying while a field is red would hand out values
 * the form does not show: refuse, name the fields and take the user to the
 * first one. */
static gboolean
refuse_while_invalid (LbWindow         *self,
                      RefusedOperation  operation)
{
  g_auto(GStrv) fields = lb_calculator_page_dup_invalid_fields (self->calculator_page);
  g_autofree char *list = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *message = NULL;
  AdwToast *toast;

  g_assert (LB_IS_WINDOW (self));

  if (fields[0] == NULL)
    return FALSE;

  list = g_strjoinv (", ", fields);
  escaped = g_markup_escape_text (list, -1);
  /* TRANSLATORS: %s is a list of field titles, "Reads, Promotion, Data stored" */
  if (operation == REFUSED_SAVE)
    message = g_strdup_printf (_("Not saved: fix %s first"), escaped);
  else if (operation == REFUSED_EXPORT)
    message = g_strdup_printf (_("Not exported: fix %s first"), escaped);
  else
    message = g_strdup_printf (_("Not copied: fix %s first"), escaped);
  lb_window_show_page (self, "calculator");
  lb_calculator_page_focus_first_invalid (self->calculator_page);
  /* The answer to a keystroke: shown now, not after the toasts queued. */
  toast = adw_toast_new (message);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);

  return TRUE;
}

static void
replace_contents_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GFile *file = G_FILE (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (file, result, NULL, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
write_bytes_async (LbWindow     *self,
                   GFile        *file,
                   GBytes       *bytes,
                   GTask        *task)
{
  gsize size;
  gconstpointer data = g_bytes_get_data (bytes, &size);

  g_task_set_task_data (task, g_bytes_ref (bytes), (GDestroyNotify) g_bytes_unref);
  g_file_replace_contents_async (file, data, size, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                 g_task_get_cancellable (task), replace_contents_cb,
                                 g_object_ref (task));
}

static void
save_written_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LbWindow *self = g_task_get_source_object (task);
  GFile *file = g_object_get_data (G_OBJECT (task), "file");
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  lb_workload_set_file (self->workload, file);
  remember_folder (self, file);
  set_modified (self, FALSE);
  update_title (self);
  persist_workload (self);
  g_task_return_boolean (task, TRUE);
}

void
lb_window_save_file_async (LbWindow            *self,
                           GFile               *file,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) write_task = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  char *data;
  gsize length = 0;

  g_return_if_fail (LB_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_window_save_file_async);
  g_object_set_data_full (G_OBJECT (task), "file", g_object_ref (file), g_object_unref);

  data = lb_workload_to_data (self->workload, &length, &error);
  if (data == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  bytes = g_bytes_new_take (data, length);
  write_task = g_task_new (self, cancellable, save_written_cb, g_steal_pointer (&task));
  write_bytes_async (self, file, bytes, write_task);
}

gboolean
lb_window_save_file_finish (LbWindow      *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return finish_task (self, result, error);
}

static void
save_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  show_outcome (LB_WINDOW (object), result, _("Could Not Save the Workload"), _("Workload saved"));
}

static void
save_as_chosen_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(LbWindow) self = user_data;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;

  file = lb_compat_choose_file_finish (result, &error);
  if (file == NULL)
    return;

  /* A field may have turned red while the chooser was open. */
  if (refuse_while_invalid (self, REFUSED_SAVE))
    return;

  lb_window_save_file_async (self, file, self->cancellable, save_done_cb, NULL);
}

static void
save_as_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  LbWindow *self = LB_WINDOW (widget);
  g_autoptr(GFile) folder = NULL;
  g_autofree char *name = NULL;
  GFile *file;

  if (refuse_while_invalid (self, REFUSED_SAVE))
    return;

  file = lb_workload_get_file (self->workload);
  if (file != NULL)
    {
      folder = g_file_get_parent (file);
      name = g_file_get_basename (file);
    }
  else
    {
      const char *instance = lb_workload_get_instance_name (self->workload);

      folder = get_last_folder (self);
      /* Our own type, so the file manager opens it with the app (see the MIME package in data/). */
      name = g_strdup_printf ("%s.lakebase.yml", instance != NULL && instance[0] != '\0' ? instance : "workload");
    }

  lb_compat_choose_file (GTK_WINDOW (self), LB_FILE_CHOOSE_SAVE,
                         _("Save Workload"), _("_Save"), folder, name,
                         _("Workload files"), yaml_patterns,
                         self->cancellable, save_as_chosen_cb, g_object_ref (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  LbWindow *self = LB_WINDOW (widget);
  GFile *file = lb_workload_get_file (self->workload);

  if (refuse_while_invalid (self, REFUSED_SAVE))
    return;

  if (file == NULL)
    save_as_action (widget, action_name, parameter);
  else
    lb_window_save_file_async (self, file, self->cancellable, save_done_cb, NULL);
}

/* Export ------------------------------------------------------------------- */

void
lb_window_export_report_async (LbWindow            *self,
                               LbReportFormat       format,
                               GFile               *file,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GBytes) bytes = NULL;
  LbCostReport *report;
  char *text;

  g_return_if_fail (LB_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_window_export_report_async);

  report = lb_calculator_page_get_report (self->calculator_page);
  if (format == LB_REPORT_FORMAT_JSON)
    text = lb_cost_report_to_json_string (report, TRUE);
  else
    text = lb_cost_report_to_csv (report);

  bytes = g_bytes_new_take (text, strlen (text));
  write_bytes_async (self, file, bytes, task);
}

gboolean
lb_window_export_report_finish (LbWindow      *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return finish_task (self, result, error);
}

static void
export_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  show_outcome (LB_WINDOW (object), result, _("Could Not Export the Report"), _("Report exported"));
}

static void
export_chosen_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(LbWindow) self = user_data;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  LbReportFormat format;

  file = lb_compat_choose_file_finish (result, &error);
  if (file == NULL)
    return;

  if (refuse_while_invalid (self, REFUSED_EXPORT))
    return;

  format = self->export_format;
  remember_folder (self, file);
  lb_window_export_report_async (self, format, file, self->cancellable, export_done_cb, NULL);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  LbWindow *self = LB_WINDOW (widget);
  gboolean json = g_str_equal (action_name, "win.export-json");
  g_autoptr(GFile) folder = get_last_folder (self);
  GFile *file = lb_workload_get_file (self->workload);
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;

  if (refuse_while_invalid (self, REFUSED_EXPORT))
    return;

  if (file != NULL)
    {
      g_autofree char *basename = g_file_get_basename (file);
      char *dot = strrchr (basename, '.');

      if (dot != NULL)
        *dot = '\0';
      base = g_strdup_printf ("%s-cost-report", basename);
    }
  else
    {
      base = g_strdup ("cost-report");
    }
  name = g_strconcat (base, json ? ".json" : ".csv", NULL);
  self->export_format = json ? LB_REPORT_FORMAT_JSON : LB_REPORT_FORMAT_CSV;

  lb_compat_choose_file (GTK_WINDOW (self), LB_FILE_CHOOSE_SAVE,
                         json ? _("Export Report as JSON") : _("Export Report as CSV"),
                         _("_Export"), folder, name,
                         json ? _("JSON files") : _("CSV files"),
                         json ? json_patterns : csv_patterns,
                         self->cancellable, export_chosen_cb, g_object_ref (self));
}

/* Other actions ------------------------------------------------------------ */

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  LbWindow *self = LB_WINDOW (widget);
  g_autoptr(GFile) folder = get_last_folder (self);

  lb_compat_choose_file_to_open (GTK_WINDOW (self), _("Open Workload"), folder,
                                 _("Workload files"), yaml_patterns, self->cancellable,
                                 self, (LbOpenFileFunc) lb_window_open_file);
}

static void
new_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  LbWindow *self = LB_WINDOW (widget);
  g_autoptr(LbWorkload) workload = lb_workload_new ();

  replace_workload_with_undo (self, workload, _("New workload"));
}

static void
undo_replace_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  LbWindow *self = LB_WINDOW (widget);
  g_autoptr(LbWorkload) previous = g_steal_pointer (&self->replaced_workload);

  if (previous == NULL)
    return;

  set_workload (self, previous, FALSE);
  set_modified (self, TRUE);
  gtk_widget_action_set_enabled (widget, "win.undo-replace", FALSE);
}

static void
copy_summary_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  LbWindow *self = LB_WINDOW (widget);
  g_autofree char *text = NULL;

  if (refuse_while_invalid (self, REFUSED_COPY))
    return;

  text = lb_cost_report_to_text (lb_calculator_page_get_report (self->calculator_page));
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
  lb_window_add_toast (self, _("Summary copied to the clipboard"));
}

/* The Deploy page knows the plan and the workspace; it opens the window. */
static void
synced_tables_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  LbWindow *self = LB_WINDOW (widget);

  gtk_widget_activate_action (GTK_WIDGET (self->deploy_page), "deploy.synced-tables", NULL);
  /* Not signed in yet, or nothing to sync: the Deploy view says what is missing. */
  if (lb_deploy_page_get_synced_tables_window (self->deploy_page) == NULL)
    lb_window_show_page (self, "deploy");
}

static void
show_page_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  lb_window_show_page (LB_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

/* A page asks for a workload field to be edited (section, key): the
 * window owns the pages, so it shows the calculator and focuses the field. */
static void
edit_field_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  LbWindow *self = LB_WINDOW (widget);
  const char *section = NULL;
  const char *key = NULL;
  GtkWidget *field;

  g_variant_get (parameter, "(&s&s)", &section, &key);
  lb_window_show_page (self, "calculator");
  field = lb_calculator_page_get_field_widget (self->calculator_page, section, key);
  if (field != NULL)
    gtk_widget_grab_focus (field);
}

/* Lifecycle ---------------------------------------------------------------- */

static gboolean
lb_window_close_request (GtkWindow *window)
{
  LbWindow *self = LB_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  persist_workload (self);

  return GTK_WINDOW_CLASS (lb_window_parent_class)->close_request (window);
}

/* The values kept at quit may differ from the file they came from: say so in
 * the title, as if the user had never closed the window. */
static void
restored_file_loaded_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(LbWindow) self = user_data;
  g_autoptr(LbWorkload) saved = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *saved_data = NULL;
  g_autofree char *current_data = NULL;
  gsize length;

  if (!g_file_load_contents_finish (G_FILE (object), result, &contents, &length, NULL, NULL))
    {
      if (!g_cancellable_is_cancelled (self->cancellable))
        set_modified (self, TRUE);
      return;
    }

  if (lb_workload_get_file (self->workload) == NULL ||
      !g_file_equal (lb_workload_get_file (self->workload), G_FILE (object)))
    return;

  saved = lb_workload_new_from_data (contents, length, NULL, NULL);
  saved_data = saved != NULL ? lb_workload_to_data (saved, NULL, NULL) : NULL;
  current_data = lb_workload_to_data (self->workload, NULL, NULL);
  if (g_strcmp0 (saved_data, current_data) != 0)
    set_modified (self, TRUE);
}

static void
restore_workload (LbWindow *self)
{
  g_autofree char *data = g_settings_get_string (self->settings, "last-workload");
  g_autofree char *uri = g_settings_get_string (self->settings, "last-workload-file");
  g_autoptr(LbWorkload) workload = NULL;

  if (data[0] != '\0')
    {
      g_autoptr(GError) error = NULL;

      workload = lb_workload_new_from_data (data, -1, _("last values"), &error);
      if (workload == NULL)
        g_message ("Starting with a new workload: %s", error->message);
      else if (uri[0] != '\0')
        {
          g_autoptr(GFile) file = g_file_new_for_uri (uri);
          lb_workload_set_file (workload, file);
        }
    }

  if (workload == NULL)
    workload = lb_workload_new ();

  set_workload (self, workload, FALSE);

  if (lb_workload_get_file (workload) != NULL)
    g_file_load_contents_async (lb_workload_get_file (workload), self->cancellable,
                                restored_file_loaded_cb, g_object_ref (self));
}

static void
lb_window_dispose (GObject *object)
{
  LbWindow *self = LB_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->persist_source, g_source_remove);
  if (self->workload != NULL)
    g_clear_signal_handler (&self->workload_changed_id, self->workload);

  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_WINDOW);

  g_clear_object (&self->workload);
  g_clear_object (&self->replaced_workload);
  g_clear_object (&self->prices);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (lb_window_parent_class)->dispose (object);
}

static void
lb_window_class_init (LbWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = lb_window_dispose;
  window_class->close_request = lb_window_close_request;

  g_type_ensure (LB_TYPE_CALCULATOR_PAGE);
  g_type_ensure (LB_TYPE_DEPLOY_PAGE);
  g_type_ensure (LB_TYPE_TESTER_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, APP_RESOURCE_PATH "/ui/lb-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LbWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, calculator_page);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, deploy_page);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, tester_page);

  gtk_widget_class_install_action (widget_class, "win.new", NULL, new_action);
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "win.save-as", NULL, save_as_action);
  gtk_widget_class_install_action (widget_class, "win.export-json", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.export-csv", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.copy-summary", NULL, copy_summary_action);
  gtk_widget_class_install_action (widget_class, "win.undo-replace", NULL, undo_replace_action);
  gtk_widget_class_install_action (widget_class, "win.show-page", "s", show_page_action);
  gtk_widget_class_install_action (widget_class, "win.synced-tables", NULL, synced_tables_action);
  gtk_widget_class_install_action (widget_class, "win.edit-field", "(ss)", edit_field_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.new", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "win.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.save-as", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "win.export-json", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.copy-summary", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK, "win.show-page", "s", "calculator");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK, "win.show-page", "s", "deploy");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_ALT_MASK, "win.show-page", "s", "test");
}

static void
lb_window_init (LbWindow *self)
{
  g_autoptr(GError) error = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

#if DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif

  self->cancellable = g_cancellable_new ();
  self->settings = g_settings_new (APP_ID);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  self->prices = lb_price_sheet_new_for_user (&error);
  if (self->prices == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Using the built-in prices: %s"), error->message);

      self->prices = lb_price_sheet_new_default ();
      lb_window_add_toast (self, message);
    }
  lb_calculator_page_set_price_sheet (self->calculator_page, self->prices);
  lb_deploy_page_set_price_sheet (self->deploy_page, self->prices);
  g_signal_connect_object (lb_deploy_page_get_table_sizes_group (self->deploy_page), "sizes-measured",
                           G_CALLBACK (lb_calculator_page_set_table_sizes), self->calculator_page,
                           G_CONNECT_SWAPPED);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo-replace", FALSE);
  restore_workload (self);

  g_settings_bind (self->settings, "visible-page", self->view_stack, "visible-child-name",
                   G_SETTINGS_BIND_DEFAULT);
}

LbWindow *
lb_window_new (LbApplication *application)
{
  g_return_val_if_fail (application == NULL || LB_IS_APPLICATION (application), NULL);

  return g_object_new (LB_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

LbCalculatorPage *
lb_window_get_calculator_page (LbWindow *self)
{
  g_return_val_if_fail (LB_IS_WINDOW (self), NULL);

  return self->calculator_page;
}

void
lb_window_show_page (LbWindow   *self,
                     const char *name)
{
  g_return_if_fail (LB_IS_WINDOW (self));
  g_return_if_fail (name != NULL);

  if (adw_view_stack_get_child_by_name (self->view_stack, name) != NULL)
    adw_view_stack_set_visible_child_name (self->view_stack, name);
}

void
lb_window_add_toast (LbWindow   *self,
                     const char *message)
{
  g_return_if_fail (LB_IS_WINDOW (self));

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

gboolean
lb_window_get_modified (LbWindow *self)
{
  g_return_val_if_fail (LB_IS_WINDOW (self), FALSE);

  return self->modified;
}

LbWorkload *
lb_window_get_workload (LbWindow *self)
{
  g_return_val_if_fail (LB_IS_WINDOW (self), NULL);

  return self->workload;
}
