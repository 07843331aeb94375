/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The main window's Test view: the way into the concurrency tester, and
 * the recent runs. */
#pragma once

#include <adwaita.h>

#include "lb-run-history.h"

G_BEGIN_DECLS

#define LB_TYPE_TESTER_PAGE (lb_tester_page_get_type ())

/* The Test view of the main window: opens concurrency-test windows (on a
 * file, on the bundled sample, on a past run) and lists the recent runs. */
G_DECLARE_FINAL_TYPE (LbTesterPage, lb_tester_page, LB, TESTER_PAGE, GtkWidget)

/* The history the list shows: the application's, or one of its own outside
 * an LbApplication (tests). */
LbRunHistory *lb_tester_page_get_history (LbTesterPage *self);
/* Opens a tester window on @file (NULL: an empty one) through
 * app.open-tester: the page must be in a window of an LbApplication. */
void          lb_tester_page_open_file   (LbTesterPage *self,
                                          GFile        *file);

G_END_DECLS
