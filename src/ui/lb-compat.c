/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The GTK 4.8 fallbacks of lb-compat.h: GtkFileChooserNative behind one
 * GTask (or the tests' responder, answering through the same path), an
 * AdwMessageDialog for errors, and the widget colour on 4.8. */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "lb-compat.h"

static LbFileChooserResponder chooser_responder;
static gpointer               chooser_responder_data;

void
lb_compat_set_file_chooser_responder (LbFileChooserResponder responder,
                                      gpointer               user_data)
{
  chooser_responder = responder;
  chooser_responder_data = user_data;
}

/* Every way a chooser ends goes through here, the dialog's and the test seam's. */
static void
return_chosen_file (GTask *task,
                    GFile *file)
{
  if (file != NULL)
    g_task_return_pointer (task, g_object_ref (file), g_object_unref);
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s", _("No file was chosen"));
}

static void
native_response_cb (GtkNativeDialog *native,
                    int              response,
                    gpointer         user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));

  return_chosen_file (task, file);
  gtk_native_dialog_destroy (native);
  /* The reference gtk_file_chooser_native_new() gave us kept the dialog alive while shown. */
  g_object_unref (native);
}

typedef struct
{
  GTask *task;
  GFile *file;
} Answer;

static gboolean
answer_from_responder_cb (gpointer user_data)
{
  Answer *answer = user_data;

  return_chosen_file (answer->task, answer->file);
  g_object_unref (answer->task);
  g_clear_object (&answer->file);
  g_free (answer);
  return G_SOURCE_REMOVE;
}

void
lb_compat_choose_file (GtkWindow           *parent,
                       LbFileChooseMode     mode,
                       const char          *title,
                       const char          *accept_label,
                       GFile               *initial_folder,
                       const char          *initial_name,
                       const char          *filter_name,
                       const char * const  *filter_patterns,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GtkFileChooserNative *native;
  GtkFileChooserAction action;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));

  task = g_task_new (parent, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_compat_choose_file);

  if (chooser_responder != NULL)
    {
      Answer *answer = g_new0 (Answer, 1);

      /* As a dialog would, answer from a later main-loop iteration. */
      answer->file = chooser_responder (mode, title, initial_folder, initial_name, chooser_responder_data);
      answer->task = g_steal_pointer (&task);
      g_idle_add (answer_from_responder_cb, answer);
      return;
    }

  switch (mode)
    {
    case LB_FILE_CHOOSE_SAVE:
      action = GTK_FILE_CHOOSER_ACTION_SAVE;
      break;
    case LB_FILE_CHOOSE_FOLDER:
      action = GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER;
      break;
    case LB_FILE_CHOOSE_OPEN:
    default:
      action = GTK_FILE_CHOOSER_ACTION_OPEN;
      break;
    }

  native = gtk_file_chooser_native_new (title, parent, action, accept_label, _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);

  if (initial_folder != NULL)
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (native), initial_folder, NULL);
  if (initial_name != NULL && mode == LB_FILE_CHOOSE_SAVE)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), initial_name);

  if (filter_name != NULL && filter_patterns != NULL)
    {
      g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
      g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

      gtk_file_filter_set_name (filter, filter_name);
      for (guint i = 0; filter_patterns[i] != NULL; i++)
        gtk_file_filter_add_pattern (filter, filter_patterns[i]);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);

      gtk_file_filter_set_name (all, _("All Files"));
      gtk_file_filter_add_pattern (all, "*");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), all);
    }

  g_signal_connect (native, "response", G_CALLBACK (native_response_cb), g_steal_pointer (&task));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

GFile *
lb_compat_choose_file_finish (GAsyncResult  *result,
                              GError       **error)
{
  /* The task's source object is the parent window, which the caller may not have. */
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lb_compat_choose_file, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  GObject        *owner;
  LbOpenFileFunc  open_file;
} OpenData;

static void
chosen_to_open_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  OpenData *data = user_data;
  g_autoptr(GFile) file = lb_compat_choose_file_finish (result, NULL);

  if (file != NULL)
    data->open_file (data->owner, file);

  g_object_unref (data->owner);
  g_free (data);
}

void
lb_compat_choose_file_to_open (GtkWindow           *parent,
                               const char          *title,
                               GFile               *initial_folder,
                               const char          *filter_name,
                               const char * const  *filter_patterns,
                               GCancellable        *cancellable,
                               gpointer             owner,
                               LbOpenFileFunc       open_file)
{
  OpenData *data;

  g_return_if_fail (G_IS_OBJECT (owner));
  g_return_if_fail (open_file != NULL);

  data = g_new0 (OpenData, 1);
  data->owner = g_object_ref (owner);
  data->open_file = open_file;

  lb_compat_choose_file (parent, LB_FILE_CHOOSE_OPEN, title, _("_Open"), initial_folder, NULL,
                         filter_name, filter_patterns, cancellable, chosen_to_open_cb, data);
}

void
lb_compat_show_error (GtkWindow  *parent,
                      const char *heading,
                      const char *body)
{
  GtkWidget *dialog = adw_message_dialog_new (parent, heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

void
lb_compat_widget_get_color (GtkWidget *widget,
                            GdkRGBA   *color)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (color != NULL);

#if GTK_CHECK_VERSION (4, 10, 0)
  gtk_widget_get_color (widget, color);
#else
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
  G_GNUC_END_IGNORE_DEPRECATIONS
#endif
}

/* Opening a URI ------------------------------------------------------------- */

static LbUriResponder uri_responder;
static gpointer       uri_responder_data;

void
lb_compat_set_uri_responder (LbUriResponder responder,
                             gpointer       user_data)
{
  uri_responder = responder;
  uri_responder_data = user_data;
}

#if GTK_CHECK_VERSION (4, 10, 0)
static void
uri_launched_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (!gtk_uri_launcher_launch_finish (GTK_URI_LAUNCHER (object), result, &error) &&
      !g_error_matches (error, GTK_DIALOG_ERROR, GTK_DIALOG_ERROR_DISMISSED))
    g_message ("No browser could be opened: %s", error->message);
  G_GNUC_END_IGNORE_DEPRECATIONS
}
#endif

void
lb_compat_show_uri (GtkWindow  *parent,
                    const char *uri)
{
  g_return_if_fail (uri != NULL);

  if (uri_responder != NULL)
    {
      uri_responder (uri, uri_responder_data);
      return;
    }

#if GTK_CHECK_VERSION (4, 10, 0)
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  {
    g_autoptr(GtkUriLauncher) launcher = gtk_uri_launcher_new (uri);

    gtk_uri_launcher_launch (launcher, parent, NULL, uri_launched_cb, NULL);
  }
  G_GNUC_END_IGNORE_DEPRECATIONS
#else
  gtk_show_uri (parent, uri, GDK_CURRENT_TIME);
#endif
}
