/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The "Synced Tables" view of a deployed workload: each synced table's
 * state, last successful sync, lag, rows, partition sizes and error, with
 * Sync Now and links into the workspace; refreshed with backoff while it is
 * shown. Opened from the Deploy page (deploy.synced-tables) and the main
 * menu. */
#pragma once

#include <adwaita.h>

#include "lb-sync-status.h"

G_BEGIN_DECLS

#define LB_TYPE_SYNCED_TABLES_WINDOW (lb_synced_tables_window_get_type ())

/* Actions (window-scoped): synced.refresh (F5, Ctrl+R; also measures the
 * partitions), synced.sync-now(s) (a table name; disabled for CONTINUOUS),
 * synced.open-pipeline(s), synced.open-table(s) (through lb_compat_show_uri,
 * whose responder the tests set). */
G_DECLARE_FINAL_TYPE (LbSyncedTablesWindow, lb_synced_tables_window, LB, SYNCED_TABLES_WINDOW, AdwWindow)

LbSyncedTablesWindow *lb_synced_tables_window_new            (LbSyncStatus         *status);
LbSyncStatus         *lb_synced_tables_window_get_status     (LbSyncedTablesWindow *self);
/* The backoff of the automatic refresh: @base_ms after a change, doubling
 * while nothing changes, at most @max_ms (defaults 5000 and 60000). */
void                  lb_synced_tables_window_set_refresh_interval (LbSyncedTablesWindow *self,
                                                                    guint                 base_ms,
                                                                    guint                 max_ms);
/* The wait before the next automatic refresh, 0 when none is scheduled
 * (hidden, or a refresh is running). */
guint                 lb_synced_tables_window_get_next_refresh_ms (LbSyncedTablesWindow *self);
/* Refreshes done so far (tests and figures). */
guint                 lb_synced_tables_window_get_refresh_count   (LbSyncedTablesWindow *self);
/* The row of @name (tests), or NULL. */
GtkWidget            *lb_synced_tables_window_get_row        (LbSyncedTablesWindow *self,
                                                              const char           *name);

G_END_DECLS
