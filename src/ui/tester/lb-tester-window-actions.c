/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The tester window's actions: what the menu, the buttons and the keys
 * trigger (open and load a script, start, stop, export, baseline swap,
 * saved connections, sandbox reset), and when each is enabled. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "lb-application.h"
#include "lb-compat.h"
#include "lb-tester-window-private.h"

#define CHART_EXPORT_WIDTH  1200
#define CHART_EXPORT_HEIGHT 600

static const char * const sql_patterns[] = { "*.sql", NULL };
static const char * const json_patterns[] = { "*.json", NULL };
static const char * const csv_patterns[] = { "*.csv", NULL };
static const char * const png_patterns[] = { "*.png", NULL };
static const char * const svg_patterns[] = { "*.svg", NULL };

/* Shared with the shell ------------------------------------------------------ */

void
lb_tester_window_add_toast (LbTesterWindow *self,
                            const char     *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

LbPgSandbox *
lb_tester_window_ensure_sandbox (LbTesterWindow *self)
{
  g_assert (LB_IS_TESTER_WINDOW (self));

  if (lb_test_run_get_sandbox (self->run) == NULL)
    {
      GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
      g_autoptr(LbPgSandbox) sandbox = NULL;

      if (LB_IS_APPLICATION (app))
        sandbox = g_object_ref (lb_application_get_sandbox (LB_APPLICATION (app)));
      else
        sandbox = lb_pg_sandbox_new (NULL, TRUE);
      lb_test_run_set_sandbox (self->run, sandbox);
    }

  return lb_test_run_get_sandbox (self->run);
}

void
lb_tester_window_update_sandbox_row (LbTesterWindow *self,
                                     const char     *status)
{
  LbPgSandbox *sandbox = lb_test_run_get_sandbox (self->run);

  lb_run_settings_form_set_sandbox_status (self->settings_form, status,
                                           sandbox != NULL && lb_pg_sandbox_get_running (sandbox),
                                           status != NULL);
}

void
lb_tester_window_update_actions (LbTesterWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  LbThroughputChart *chart = lb_run_results_view_get_chart (self->results_view);
  LbRunRecord *record = lb_run_results_view_get_record (self->results_view);
  LbRunRecord *compare_record = lb_run_results_view_get_compare_record (self->results_view);
  gboolean running = lb_tester_window_get_running (self);
  gboolean target_ok = lb_run_settings_form_get_target_ready (self->settings_form);
  gboolean has_samples = lb_throughput_chart_get_n_samples (chart) > 0 ||
                         lb_throughput_chart_get_n_compare_samples (chart) > 0;

  g_assert (LB_IS_TESTER_WINDOW (self));

  gtk_widget_action_set_enabled (widget, "tester.start",
                                 lb_test_run_get_script (self->run) != NULL && !running && !self->busy && target_ok
                                 && !self->explaining && !lb_tester_window_get_applying_indexes (self));
  gtk_widget_action_set_enabled (widget, "tester.stop", running);
  gtk_widget_action_set_enabled (widget, "tester.open", !running && !lb_tester_window_get_applying_indexes (self));
  gtk_widget_action_set_enabled (widget, "tester.dialect", !running && self->file != NULL);
  gtk_widget_action_set_enabled (widget, "tester.export-json", record != NULL);
  gtk_widget_action_set_enabled (widget, "tester.export-csv", record != NULL);
  gtk_widget_action_set_enabled (widget, "tester.export-png", has_samples);
  gtk_widget_action_set_enabled (widget, "tester.export-svg", has_samples);
  gtk_widget_action_set_enabled (widget, "tester.reset-sandbox", !running && !self->busy && !self->explaining);
  gtk_widget_action_set_enabled (widget, "tester.swap-baseline",
                                 record != NULL && compare_record != NULL && !running);
  gtk_widget_action_set_enabled (widget, "tester.save-connection",
                                 lb_run_settings_form_can_save_connection (self->settings_form));

  lb_tester_window_update_explain_actions (self);
  lb_tester_window_update_index_actions (self);

  gtk_stack_set_visible_child_name (self->run_stack, running ? "stop" : "start");
  gtk_widget_set_sensitive (self->settings_box, !running);
}

/* Opening ------------------------------------------------------------------ */

/* What to read and how: @dialect is "auto" or one of lb_sql_dialect_to_string(). */
typedef struct
{
  GFile *file;
  char  *dialect;
} LoadRequest;

static void
load_request_free (LoadRequest *request)
{
  g_clear_object (&request->file);
  g_free (request->dialect);
  g_free (request);
}

static LoadRequest *
load_request_new (GFile      *file,
                  const char *dialect)
{
  LoadRequest *request = g_new0 (LoadRequest, 1);

  request->file = g_object_ref (file);
  request->dialect = g_strdup (dialect);
  return request;
}

static void
load_script_worker (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  LoadRequest *request = task_data;
  g_autoptr(GError) error = NULL;
  LbSqlParseOptions options = { 0 };
  LbSqlScript *script;

  options.force_dialect = lb_sql_dialect_from_string (request->dialect, &options.dialect);
  script = lb_sql_script_new_from_file_full (request->file, &options, &error);
  if (script == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, script, g_object_unref);
}

static void
load_script_done_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(LbSqlScript) script = NULL;
  g_autoptr(GError) error = NULL;
  LoadRequest *request = g_task_get_task_data (task);

  script = g_task_propagate_pointer (G_TASK (result), &error);
  if (script == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  {
    g_autofree char *path = NULL;

    g_set_object (&self->file, request->file);
    path = g_file_get_path (self->file);
    lb_test_run_set_script (self->run, script, path);
  }
  lb_tester_window_set_dialect_state (self, request->dialect);
  lb_run_history_view_unselect_all (self->history_view);
  lb_run_results_view_show (self->results_view, NULL, NULL, TRUE);
  lb_run_results_view_set_phase (self->results_view, _("Ready"), FALSE);
  lb_run_results_view_clear_progress (self->results_view);
  lb_tester_window_update_actions (self);

  g_task_return_boolean (task, TRUE);
}

static void
load_file_as (LbTesterWindow      *self,
              GFile               *file,
              const char          *dialect,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) parse = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_tester_window_load_file_async);
  g_task_set_task_data (task, load_request_new (file, dialect), (GDestroyNotify) load_request_free);

  /* Parsing a large file must not freeze the window. */
  parse = g_task_new (self, cancellable, load_script_done_cb, g_object_ref (task));
  g_task_set_task_data (parse, load_request_new (file, dialect), (GDestroyNotify) load_request_free);
  g_task_run_in_thread (parse, load_script_worker);
}

/* A newly opened file is read as detected. */
void
lb_tester_window_load_file_async (LbTesterWindow      *self,
                                  GFile               *file,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (LB_IS_TESTER_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  load_file_as (self, file, "auto", cancellable, callback, user_data);
}

void
lb_tester_window_load_file_as_async (LbTesterWindow      *self,
                                     GFile               *file,
                                     const char          *dialect,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  LbSqlDialect known;

  g_return_if_fail (LB_IS_TESTER_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (dialect == NULL || g_str_equal (dialect, "auto")
                    || lb_sql_dialect_from_string (dialect, &known));

  load_file_as (self, file, dialect != NULL ? dialect : "auto", cancellable, callback, user_data);
}

static void
read_as_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (object);
  g_autofree char *dialect = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *name = NULL;
      g_autofree char *heading = NULL;
      LbSqlDialect chosen;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      name = g_file_get_basename (self->file);
      if (lb_sql_dialect_from_string (dialect, &chosen))
        /* Translators: "Could Not Read “a.sql” as a query mix" */
        heading = g_strdup_printf (_("Could Not Read “%s” as a %s"), name, lb_sql_dialect_get_label (chosen));
      else
        heading = g_strdup_printf (_("Could Not Open “%s”"), name);
      /* The file stays as it was read; the menu goes back to that. */
      lb_tester_window_set_dialect_state (self, self->dialect);
      lb_compat_show_error (GTK_WINDOW (self), heading, error->message);
    }
}

void
lb_tester_window_read_as (LbTesterWindow *self,
                          const char     *dialect)
{
  LbSqlDialect parsed;

  g_return_if_fail (LB_IS_TESTER_WINDOW (self));

  if (dialect == NULL || (strcmp (dialect, "auto") != 0 && !lb_sql_dialect_from_string (dialect, &parsed)))
    {
      g_warning ("tester.dialect: unknown dialect “%s”", dialect != NULL ? dialect : "(null)");
      return;
    }
  if (g_strcmp0 (dialect, self->dialect) == 0)
    return;
  if (self->file == NULL || lb_test_run_get_running (self->run))
    {
      /* Nothing to re-read (the menu shows only with a file open). */
      lb_tester_window_set_dialect_state (self, self->dialect);
      return;
    }

  load_file_as (self, self->file, dialect, self->cancellable, read_as_done_cb, g_strdup (dialect));
}

gboolean
lb_tester_window_load_file_finish (LbTesterWindow  *self,
                                   GAsyncResult    *result,
                                   GError         **error)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
open_file_loaded_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (object);
  g_autoptr(GFile) file = user_data;
  g_autoptr(GError) error = NULL;

  if (!lb_tester_window_load_file_finish (self, result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *name = g_file_get_basename (file);
      g_autofree char *heading = g_strdup_printf (_("Could Not Open “%s”"), name);

      lb_compat_show_error (GTK_WINDOW (self), heading, error->message);
    }
}

void
lb_tester_window_open_file (LbTesterWindow *self,
                            GFile          *file)
{
  g_return_if_fail (LB_IS_TESTER_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  lb_tester_window_load_file_async (self, file, self->cancellable, open_file_loaded_cb, g_object_ref (file));
}

/* Export ------------------------------------------------------------------- */

static void
export_written_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
lb_tester_window_export_async (LbTesterWindow       *self,
                               LbTesterExportFormat  format,
                               GFile                *file,
                               GCancellable         *cancellable,
                               GAsyncReadyCallback   callback,
                               gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  gconstpointer data;
  gsize size;

  g_return_if_fail (LB_IS_TESTER_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_tester_window_export_async);

  switch (format)
    {
    case LB_TESTER_EXPORT_JSON:
    case LB_TESTER_EXPORT_CSV:
      if (lb_run_results_view_get_record (self->results_view) == NULL)
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s",
                                   _("There is no run to export yet: start one or pick one from the history"));
          return;
        }
      else
        {
          char *text = format == LB_TESTER_EXPORT_JSON ? lb_run_record_to_json_string (lb_run_results_view_get_record (self->results_view))
                                                       : lb_run_record_to_csv (lb_run_results_view_get_record (self->results_view));
          bytes = g_bytes_new_take (text, strlen (text));
        }
      break;

    case LB_TESTER_EXPORT_PNG:
      bytes = lb_throughput_chart_render_png (lb_run_results_view_get_chart (self->results_view), CHART_EXPORT_WIDTH, CHART_EXPORT_HEIGHT, &error);
      break;

    case LB_TESTER_EXPORT_SVG:
      bytes = lb_throughput_chart_render_svg (lb_run_results_view_get_chart (self->results_view), CHART_EXPORT_WIDTH, CHART_EXPORT_HEIGHT, &error);
      break;

    default:
      g_return_if_reached ();
    }

  if (bytes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data = g_bytes_get_data (bytes, &size);
  g_task_set_task_data (task, g_bytes_ref (bytes), (GDestroyNotify) g_bytes_unref);
  g_file_replace_contents_async (file, data, size, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                 cancellable, export_written_cb, g_steal_pointer (&task));
}

gboolean
lb_tester_window_export_finish (LbTesterWindow  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
export_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (object);
  g_autoptr(GError) error = NULL;

  if (lb_tester_window_export_finish (self, result, &error))
    lb_tester_window_add_toast (self, _("Exported"));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    lb_compat_show_error (GTK_WINDOW (self), _("Could Not Export"), error->message);
}

static void
export_chosen_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(LbTesterWindow) self = user_data;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;

  file = lb_compat_choose_file_finish (result, &error);
  if (file == NULL)
    return;

  lb_tester_window_export_async (self, self->export_format, file, self->cancellable, export_done_cb, NULL);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (widget);
  static const struct {
    const char          *action;
    LbTesterExportFormat format;
    const char          *title;
    const char          *suffix;
    const char          *filter;
    const char * const  *patterns;
  } formats[] = {
    { "tester.export-json", LB_TESTER_EXPORT_JSON, N_("Export Run as JSON"), ".json", N_("JSON files"), json_patterns },
    { "tester.export-csv", LB_TESTER_EXPORT_CSV, N_("Export Run as CSV"), ".csv", N_("CSV files"), csv_patterns },
    { "tester.export-png", LB_TESTER_EXPORT_PNG, N_("Export Chart as PNG"), "-chart.png", N_("PNG images"), png_patterns },
    { "tester.export-svg", LB_TESTER_EXPORT_SVG, N_("Export Chart as SVG"), "-chart.svg", N_("SVG images"), svg_patterns },
  };
  g_autoptr(GFile) folder = NULL;
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      if (!g_str_equal (action_name, formats[i].action))
        continue;

      if (self->file != NULL)
        folder = g_file_get_parent (self->file);
      if (lb_run_results_view_get_record (self->results_view) != NULL)
        base = g_strdup_printf ("run-%s", lb_run_record_get_id (lb_run_results_view_get_record (self->results_view)));
      else
        base = g_strdup ("run");
      name = g_strconcat (base, formats[i].suffix, NULL);
      self->export_format = formats[i].format;

      lb_compat_choose_file (GTK_WINDOW (self), LB_FILE_CHOOSE_SAVE, _(formats[i].title), _("_Export"),
                             folder, name, _(formats[i].filter), formats[i].patterns,
                             self->cancellable, export_chosen_cb, g_object_ref (self));
      return;
    }
}


static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (widget);
  g_autoptr(GFile) folder = self->file != NULL ? g_file_get_parent (self->file) : NULL;

  lb_compat_choose_file_to_open (GTK_WINDOW (self), _("Open SQL Workload"), folder,
                                 _("SQL files"), sql_patterns, self->cancellable,
                                 self, (LbOpenFileFunc) lb_tester_window_open_file);
}

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  lb_tester_window_start (LB_TESTER_WINDOW (widget));
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  lb_tester_window_stop (LB_TESTER_WINDOW (widget));
}

static void
swap_baseline_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (widget);
  g_autoptr(LbRunRecord) shown = NULL;
  g_autoptr(LbRunRecord) baseline = NULL;

  if (lb_run_results_view_get_record (self->results_view) == NULL ||
      lb_run_results_view_get_compare_record (self->results_view) == NULL)
    return;

  shown = g_object_ref (lb_run_results_view_get_record (self->results_view));
  baseline = g_object_ref (lb_run_results_view_get_compare_record (self->results_view));
  lb_tester_window_compare_runs (self, baseline, shown);
}

static void
about_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  lb_application_show_about (GTK_WINDOW (widget));
}

static void
close_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  gtk_window_close (GTK_WINDOW (widget));
}

static void
save_connection_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (widget);

  if (lb_run_settings_form_save_connection (self->settings_form))
    lb_tester_window_add_toast (self, _("Connection kept, without its password"));
}

static void
forget_connection_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (widget);

  if (lb_run_settings_form_forget_connection (self->settings_form))
    lb_tester_window_add_toast (self, _("Connection forgotten"));
}

static void
reset_sandbox_worker (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;

  if (!lb_pg_sandbox_reset (task_data, cancellable, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
reset_sandbox_done_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (object);
  g_autoptr(GError) error = NULL;

  self->busy = FALSE;
  lb_tester_window_update_sandbox_row (self, NULL);
  lb_tester_window_update_actions (self);

  if (g_task_propagate_boolean (G_TASK (result), &error))
    lb_tester_window_add_toast (self, _("The sandbox was reset"));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    lb_compat_show_error (GTK_WINDOW (self), _("Could Not Reset the Sandbox"), error->message);
}

static void
reset_sandbox_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (widget);
  g_autoptr(GTask) task = NULL;

  if (lb_test_run_get_running (self->run) || self->busy)
    return;

  self->busy = TRUE;
  lb_tester_window_update_sandbox_row (self, _("Resetting: a fresh cluster with the sample data…"));
  lb_tester_window_update_actions (self);

  task = g_task_new (self, self->cancellable, reset_sandbox_done_cb, NULL);
  g_task_set_source_tag (task, reset_sandbox_action);
  g_task_set_task_data (task, g_object_ref (lb_tester_window_ensure_sandbox (self)), g_object_unref);
  g_task_run_in_thread (task, reset_sandbox_worker);
}

/* Installs the actions and their keys on the window class. */
void
lb_tester_window_class_add_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "tester.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "tester.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "tester.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "tester.export-json", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "tester.export-csv", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "tester.export-png", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "tester.export-svg", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "tester.reset-sandbox", NULL, reset_sandbox_action);
  gtk_widget_class_install_action (widget_class, "tester.swap-baseline", NULL, swap_baseline_action);
  gtk_widget_class_install_action (widget_class, "tester.about", NULL, about_action);
  gtk_widget_class_install_action (widget_class, "tester.close", NULL, close_action);
  gtk_widget_class_install_action (widget_class, "tester.save-connection", NULL, save_connection_action);
  gtk_widget_class_install_action (widget_class, "tester.forget-connection", NULL, forget_connection_action);
  gtk_widget_class_install_property_action (widget_class, "tester.dialect", "dialect");
  lb_tester_window_class_add_explain_actions (widget_class);
  lb_tester_window_class_add_index_actions (widget_class);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "tester.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "tester.start", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "tester.start", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "tester.stop", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "tester.close", NULL);
  /* Ctrl+E is tester.explain (lb-tester-window-explain.c). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "tester.export-json", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_E, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "tester.export-png", NULL);
  /* The application sets Ctrl+? only when it has one; a window opened
   * without it (and the tests) keeps the key. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_question, GDK_CONTROL_MASK,
                                       "win.show-help-overlay", NULL);
}
