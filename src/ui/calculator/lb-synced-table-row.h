/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One row of the calculator page's list of synced tables, editing one
 * LbSyncedTable of the workload. */
#pragma once

#include <adwaita.h>

#include "lb-core.h"

G_BEGIN_DECLS

#define LB_TYPE_SYNCED_TABLE_ROW (lb_synced_table_row_get_type ())

G_DECLARE_FINAL_TYPE (LbSyncedTableRow, lb_synced_table_row, LB, SYNCED_TABLE_ROW, AdwExpanderRow)

/* An expander row editing one table to sync: name, primary keys, policy.
 * Signal "remove-requested" (void) when the user asks to remove it. */
GtkWidget     *lb_synced_table_row_new        (LbSyncedTable    *table);
LbSyncedTable *lb_synced_table_row_get_table  (LbSyncedTableRow *self);
void           lb_synced_table_row_focus_name (LbSyncedTableRow *self);

G_END_DECLS
