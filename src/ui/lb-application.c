/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbApplication: app.quit, app.about and app.open-tester (every tester
 * window opens through it), the main window, files opened from the file
 * manager (a .sql file gets a tester window, anything else goes to the
 * calculator), and the sandbox and run history its tester windows share. */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-core.h"

#include "lb-application.h"
#include "lb-resources.h"
#include "lb-tester-window.h"
#include "lb-window.h"

/* The script "Run a Sample" opens, against the sandbox. */
#define SAMPLE_URI "resource://" APP_RESOURCE_PATH "/samples/customer_lookup.sql"

struct _LbApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  LbPgSandbox    *sandbox;
  LbRunHistory   *run_history;
  gint64          start_time;
};

G_DEFINE_FINAL_TYPE (LbApplication, lb_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_RUN_HISTORY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
lb_ui_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      lb_core_init ();
      lb_register_resource ();
      g_once_init_leave (&initialized, 1);
    }
}

static LbWindow *
get_or_create_window (LbApplication *self)
{
  GtkWindow *window;

  g_assert (LB_IS_APPLICATION (self));

  /* The active window may be a concurrency tester: find the main one. */
  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window != NULL && LB_IS_WINDOW (window))
    return LB_WINDOW (window);

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (LB_IS_WINDOW (l->data))
      return LB_WINDOW (l->data);

  return lb_window_new (self);
}

static void
after_first_paint_cb (GdkFrameClock *frame_clock,
                      LbApplication *self)
{
  const char *mode = g_getenv ("LB_REPORT_FIRST_FRAME");

  g_signal_handlers_disconnect_by_func (frame_clock, after_first_paint_cb, self);
  g_print ("first-frame-ms: %.1f\n", (g_get_monotonic_time () - self->start_time) / 1000.0);

  if (g_strcmp0 (mode, "quit") == 0)
    g_application_quit (G_APPLICATION (self));
}

static void
window_realized_cb (GtkWidget     *window,
                    LbApplication *self)
{
  GdkFrameClock *frame_clock = gtk_widget_get_frame_clock (window);

  g_signal_connect (frame_clock, "after-paint", G_CALLBACK (after_first_paint_cb), self);
}

static void
present_window (LbApplication *self,
                LbWindow      *window)
{
  g_assert (LB_IS_APPLICATION (self));

  if (self->start_time != 0 && g_getenv ("LB_REPORT_FIRST_FRAME") != NULL &&
      !gtk_widget_get_realized (GTK_WIDGET (window)))
    g_signal_connect (window, "realize", G_CALLBACK (window_realized_cb), self);

  gtk_window_present (GTK_WINDOW (window));
}

static void
lb_application_activate (GApplication *app)
{
  LbApplication *self = LB_APPLICATION (app);

  present_window (self, get_or_create_window (self));
}

static void
lb_application_open (GApplication  *app,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  LbApplication *self = LB_APPLICATION (app);
  LbWindow *window = NULL;

  g_assert (LB_IS_APPLICATION (self));

  /* Opening from the file manager must present a window even when
   * activate never ran (D-Bus activation). A .sql file gets a tester
   * window of its own; anything else goes to the main window. */
  for (int i = 0; i < n_files; i++)
    {
      g_autofree char *name = g_file_get_basename (files[i]);
      g_autofree char *lower = name != NULL ? g_ascii_strdown (name, -1) : NULL;

      if (lower != NULL && g_str_has_suffix (lower, ".sql"))
        {
          lb_application_open_tester (self, files[i]);
          continue;
        }

      if (window == NULL)
        window = get_or_create_window (self);
      lb_window_open_file (window, files[i]);
    }

  if (window != NULL)
    present_window (self, window);
}

static void
quit_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  LbApplication *self = user_data;
  GList *windows;

  g_assert (LB_IS_APPLICATION (self));

  /* Close windows first so each saves its state (size, last values). */
  windows = gtk_application_get_windows (GTK_APPLICATION (self));
  while (windows != NULL)
    {
      GtkWindow *window = windows->data;
      windows = windows->next;
      gtk_window_destroy (window);
    }

  g_application_quit (G_APPLICATION (self));
}

void
lb_application_show_about (GtkWindow *parent)
{
  static const char *developers[] = { "The Lakebase Accelerator developers", NULL };
  GtkWidget *about;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "modal", TRUE,
                        "application-name", _("Lakebase Accelerator"),
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "developer-name", _("The Lakebase Accelerator developers"),
                        "developers", developers,
                        "comments", _("Plan, deploy and load-test a move of an OLTP workload onto Lakebase, the managed PostgreSQL of Databricks."),
                        "website", "https://github.com/lakebase/accelerator",
                        "issue-url", "https://github.com/lakebase/accelerator/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "copyright", "© 2026 The Lakebase Accelerator developers",
                        /* Translators: put your names here, one per line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
about_action_cb (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  LbApplication *self = user_data;

  g_assert (LB_IS_APPLICATION (self));

  lb_application_show_about (gtk_application_get_active_window (GTK_APPLICATION (self)));
}

static LbRunRecord *
find_run (LbApplication *self,
          const char    *run_id)
{
  GListModel *runs = G_LIST_MODEL (lb_application_get_run_history (self));

  for (guint i = 0; i < g_list_model_get_n_items (runs); i++)
    {
      g_autoptr(LbRunRecord) record = g_list_model_get_item (runs, i);

      if (g_strcmp0 (lb_run_record_get_id (record), run_id) == 0)
        return g_steal_pointer (&record);
    }

  return NULL;
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

/* A past run: its settings and its script, then the run itself. */
static void
show_run (LbTesterWindow *window,
          LbRunRecord    *record)
{
  const char *path = lb_run_record_get_script_path (record);

  if (lb_run_record_get_settings (record) != NULL)
    lb_tester_window_apply_settings (window, lb_run_record_get_settings (record));

  if (path != NULL && path[0] != '\0')
    {
      g_autoptr(GFile) file = g_file_new_for_path (path);

      /* Read as the run read it: the dialect chosen then, if one was. */
      lb_tester_window_load_file_as_async (window, file, lb_run_record_get_script_dialect (record), NULL,
                                           run_script_loaded_cb, g_object_ref (record));
    }
  else
    {
      lb_tester_window_show_run (window, record);
    }
}

/* The one place a tester window is made: wired to what the app's tester
 * windows share, set up as @options say, and shown. */
static void
open_tester (LbApplication *self,
             GVariantDict  *options)
{
  LbTesterWindow *window;
  const char *file_arg = NULL;
  const char *run_id = NULL;
  const char *source_id = NULL;
  gboolean sample = FALSE;
  g_autoptr(LbRunRecord) record = NULL;
  g_autoptr(LbCredentialSource) source = NULL;

  g_assert (LB_IS_APPLICATION (self));

  g_variant_dict_lookup (options, "file", "&s", &file_arg);
  g_variant_dict_lookup (options, "sample", "b", &sample);
  g_variant_dict_lookup (options, "run", "&s", &run_id);
  g_variant_dict_lookup (options, "credentials", "&s", &source_id);

  if (run_id != NULL && (record = find_run (self, run_id)) == NULL)
    g_message ("Run %s is not in the history", run_id);
  /* The source may have gone with the page that registered it. */
  if (source_id != NULL && (source = lb_credential_source_lookup (source_id)) == NULL)
    g_message ("Credential source %s is gone", source_id);

  window = lb_tester_window_new (GTK_APPLICATION (self));
  lb_tester_window_set_history (window, lb_application_get_run_history (self));
  lb_tester_window_set_sandbox (window, lb_application_get_sandbox (self));
  /* The reference bands compare with the open workload's recommended CU. */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (LB_IS_WINDOW (l->data))
      {
        lb_tester_window_set_workload (window, lb_window_get_workload (l->data));
        break;
      }

  if (record != NULL)
    show_run (window, record);

  if (sample)
    {
      g_autoptr(GFile) sample_file = g_file_new_for_uri (SAMPLE_URI);

      lb_tester_window_set_target_sandbox (window);
      lb_tester_window_open_file (window, sample_file);
    }
  else if (file_arg != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (file_arg);

      lb_tester_window_open_file (window, file);
    }

  if (source != NULL)
    lb_tester_window_set_target_source (window, source);

  gtk_window_present (GTK_WINDOW (window));
}

static void
open_tester_action_cb (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  LbApplication *self = user_data;
  g_auto(GVariantDict) options = G_VARIANT_DICT_INIT (parameter);

  g_assert (LB_IS_APPLICATION (self));

  open_tester (self, &options);
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action_cb },
  { "about", about_action_cb },
  /* {"file": s (path or URI), "sample": b, "run": s (a run id of the
   * history), "credentials": s (lb_credential_source_register())}, all
   * optional. */
  { "open-tester", open_tester_action_cb, "a{sv}" },
};

static void
lb_application_startup (GApplication *app)
{
  LbApplication *self = LB_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };

  /* Resources first: AdwApplication's startup loads style.css from them. */
  lb_ui_init ();

  G_APPLICATION_CLASS (lb_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);

  self->settings = g_settings_new (APP_ID);
}

static int
lb_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", "lakebase-accelerator", PACKAGE_VERSION);
      return 0;
    }

  return -1;
}

static void
lb_application_shutdown (GApplication *app)
{
  LbApplication *self = LB_APPLICATION (app);

  /* The sandbox server must not outlive the app. */
  if (self->sandbox != NULL && lb_pg_sandbox_get_running (self->sandbox))
    {
      g_autoptr(GError) error = NULL;

      if (!lb_pg_sandbox_stop (self->sandbox, &error))
        g_warning ("Could not stop the sandbox: %s", error->message);
    }

  G_APPLICATION_CLASS (lb_application_parent_class)->shutdown (app);
}

static void
lb_application_dispose (GObject *object)
{
  LbApplication *self = LB_APPLICATION (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->sandbox);
  g_clear_object (&self->run_history);

  G_OBJECT_CLASS (lb_application_parent_class)->dispose (object);
}

static void
lb_application_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  LbApplication *self = LB_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_RUN_HISTORY:
      g_value_set_object (value, lb_application_get_run_history (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_application_class_init (LbApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->get_property = lb_application_get_property;
  object_class->dispose = lb_application_dispose;

  /* For the views that list runs, so they need not know this class. */
  properties[PROP_RUN_HISTORY] = g_param_spec_object ("run-history", NULL, NULL, LB_TYPE_RUN_HISTORY,
                                                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  app_class->startup = lb_application_startup;
  app_class->shutdown = lb_application_shutdown;
  app_class->activate = lb_application_activate;
  app_class->open = lb_application_open;
  app_class->handle_local_options = lb_application_handle_local_options;
}

static void
lb_application_init (LbApplication *self)
{
  static const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and quit"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
}

LbApplication *
lb_application_new (void)
{
  return g_object_new (LB_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", APP_RESOURCE_PATH,
                       NULL);
}

GSettings *
lb_application_get_settings (LbApplication *self)
{
  g_return_val_if_fail (LB_IS_APPLICATION (self), NULL);

  return self->settings;
}

void
lb_application_set_start_time (LbApplication *self,
                               gint64         start_time)
{
  g_return_if_fail (LB_IS_APPLICATION (self));

  self->start_time = start_time;
}

static void
run_history_loaded_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!lb_run_history_load_finish (LB_RUN_HISTORY (object), result, &error))
    g_message ("Could not read the run history: %s", error->message);
}

LbPgSandbox *
lb_application_get_sandbox (LbApplication *self)
{
  g_return_val_if_fail (LB_IS_APPLICATION (self), NULL);

  if (self->sandbox == NULL)
    self->sandbox = lb_pg_sandbox_new (NULL, TRUE);

  return self->sandbox;
}

LbRunHistory *
lb_application_get_run_history (LbApplication *self)
{
  g_return_val_if_fail (LB_IS_APPLICATION (self), NULL);

  if (self->run_history == NULL)
    {
      self->run_history = lb_run_history_new (NULL);
      lb_run_history_load_async (self->run_history, NULL, run_history_loaded_cb, NULL);
    }

  return self->run_history;
}

void
lb_application_open_tester (LbApplication *self,
                            GFile         *file)
{
  g_autofree char *uri = NULL;
  g_auto(GVariantDict) options = G_VARIANT_DICT_INIT (NULL);

  g_return_if_fail (LB_IS_APPLICATION (self));
  g_return_if_fail (file == NULL || G_IS_FILE (file));

  if (file != NULL)
    {
      uri = g_file_get_uri (file);
      g_variant_dict_insert (&options, "file", "s", uri);
    }
  g_action_group_activate_action (G_ACTION_GROUP (self), "open-tester", g_variant_dict_end (&options));
}
