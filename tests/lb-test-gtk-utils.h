/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers shared by the UI tests (tests/test-ui-*.c), on top of the GLib
 * ones in lb-test-utils.h. */
#pragma once

#include <gtk/gtk.h>

#include "lb-test-utils.h"

G_BEGIN_DECLS

void       lb_test_gtk_init             (int          *argc,
                                         char       ***argv);
void       lb_test_reset_settings       (void);
void       lb_test_present_window       (GtkWindow    *window,
                                         int           width,
                                         int           height);

gboolean   lb_test_find_label           (GtkWidget    *widget,
                                         const char   *text);
GtkWidget *lb_test_find_widget_of_type  (GtkWidget    *widget,
                                         GType         type);

void       lb_test_save_screenshot      (GtkWidget    *widget,
                                         const char   *name);

G_END_DECLS
