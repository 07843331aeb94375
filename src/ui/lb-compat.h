/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The one place for API that differs between our GTK 4.8 floor and newer
 * runtimes (STYLE.md §5): file choosing goes through GtkFileChooserNative
 * (portal-friendly on 4.8; GtkFileDialog arrived in 4.10), behind one async
 * call that tests answer through a responder. */
typedef enum
{
  LB_FILE_CHOOSE_OPEN,
  LB_FILE_CHOOSE_SAVE,
  LB_FILE_CHOOSE_FOLDER,   /* an existing folder to write into */
} LbFileChooseMode;

/* Asks for a file (or a folder) over @parent; the answer comes through
 * @callback and lb_compat_choose_file_finish(). @accept_label,
 * @initial_folder, @initial_name (save only) and the filter may be NULL; a
 * filter also offers "All Files". */
void   lb_compat_choose_file        (GtkWindow            *parent,
                                     LbFileChooseMode      mode,
                                     const char           *title,
                                     const char           *accept_label,
                                     GFile                *initial_folder,
                                     const char           *initial_name,
                                     const char           *filter_name,
                                     const char * const   *filter_patterns,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data);
/* Returns NULL with G_IO_ERROR_CANCELLED when the user dismissed the chooser. */
GFile *lb_compat_choose_file_finish (GAsyncResult         *result,
                                     GError              **error);

/* The test seam: while a responder is set, no dialog is shown; each chooser asks
 * the responder for the file a user would pick (a new reference, or NULL:
 * dismissed) and returns it
 * through the same GTask, callback and _finish() as the dialog does. */
typedef GFile *(*LbFileChooserResponder) (LbFileChooseMode  mode,
                                          const char       *title,
                                          GFile            *initial_folder,
                                          const char       *initial_name,
                                          gpointer          user_data);

void   lb_compat_set_file_chooser_responder (LbFileChooserResponder responder,
                                             gpointer               user_data);

/* The common case: choose a file to open, then hand it to @open_file with
 * @owner (kept alive meanwhile). Dismissing the chooser does nothing. */
typedef void (*LbOpenFileFunc) (gpointer  owner,
                                GFile    *file);

void   lb_compat_choose_file_to_open (GtkWindow            *parent,
                                      const char           *title,
                                      GFile                *initial_folder,
                                      const char           *filter_name,
                                      const char * const   *filter_patterns,
                                      GCancellable         *cancellable,
                                      gpointer              owner,
                                      LbOpenFileFunc        open_file);

/* A modal error with one Close button (AdwMessageDialog; AdwAlertDialog
 * arrived in libadwaita 1.5). */
void   lb_compat_show_error         (GtkWindow            *parent,
                                     const char           *heading,
                                     const char           *body);

/* The widget's foreground colour (gtk_widget_get_color arrived in 4.10). */
void   lb_compat_widget_get_color   (GtkWidget            *widget,
                                     GdkRGBA              *color);

/* Opens @uri in the user's browser (inside the Flatpak through the OpenURI
 * portal): GtkUriLauncher on GTK ≥ 4.10, gtk_show_uri() on 4.8. While a
 * responder is set (the tests), it gets the URI instead of a browser. */
typedef void (*LbUriResponder) (const char *uri,
                                gpointer    user_data);

void   lb_compat_show_uri                (GtkWindow      *parent,
                                          const char     *uri);
void   lb_compat_set_uri_responder       (LbUriResponder  responder,
                                          gpointer        user_data);

G_END_DECLS
