/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The tester's "Workload" group: the open script's transactions, their
 * share of the mix, parameters and first statements. */

#include <adwaita.h>

#include "lb-sql-script.h"

G_BEGIN_DECLS

#define LB_TYPE_SCRIPT_VIEW (lb_script_view_get_type ())

/* Properties: "script" (LbSqlScript, NULL: none open) and the read-only
 * "summary" ("Query mix · 3 statements"; also the group's description),
 * which the window's subtitle binds to. */
G_DECLARE_FINAL_TYPE (LbScriptView, lb_script_view, LB, SCRIPT_VIEW, AdwPreferencesGroup)

GtkWidget   *lb_script_view_new             (void);
void         lb_script_view_set_script      (LbScriptView *self,
                                             LbSqlScript  *script);
LbSqlScript *lb_script_view_get_script      (LbScriptView *self);
const char  *lb_script_view_get_summary (LbScriptView *self);

G_END_DECLS
