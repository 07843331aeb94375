/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Deploy view's "Change Data Feed" group: before a deploy, which tables
 * block their sync mode, with the ALTER TABLE to copy or run and "Use
 * Snapshot"; and the note that a sync mode cannot change after creation. */
#pragma once

#include <adwaita.h>

#include "lb-core.h"
#include "lb-cdf-check.h"

G_BEGIN_DECLS

#define LB_TYPE_CDF_CHECK_GROUP (lb_cdf_check_group_get_type ())

/* Actions (group-scoped, the parameter is the source table name):
 * cdf.copy-sql(s) copies the fix to the clipboard, cdf.run-sql(s) asks
 * (AdwMessageDialog) and runs it on the warehouse, then checks again,
 * cdf.use-snapshot(s) sets the table's policy to SNAPSHOT in the workload;
 * cdf.check checks all tables again.
 *
 * Property "n-blocking" (guint, read-only): tables of the last check that
 * block, notified whenever the list is redrawn. */
G_DECLARE_FINAL_TYPE (LbCdfCheckGroup, lb_cdf_check_group, LB, CDF_CHECK_GROUP, GtkWidget)

void        lb_cdf_check_group_set_workload   (LbCdfCheckGroup     *self,
                                               LbWorkload          *workload);
/* The signed-in workspace, NULL until there is one. */
void        lb_cdf_check_group_set_client     (LbCdfCheckGroup     *self,
                                               LbDatabricksClient  *client);
/* Whether any table of the workload reads the change data feed. */
gboolean    lb_cdf_check_group_is_needed      (LbCdfCheckGroup     *self);
/* Checks every table; TRUE when none blocks (a table that could not be read
 * does not block: the deploy's own error will say more). */
void        lb_cdf_check_group_check_async    (LbCdfCheckGroup     *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean    lb_cdf_check_group_check_finish   (LbCdfCheckGroup     *self,
                                               GAsyncResult        *result,
                                               GError             **error);
guint       lb_cdf_check_group_get_n_blocking (LbCdfCheckGroup     *self);
/* TRUE when the last check covered every table of the workload with its
 * present policy and none blocked: a Deploy (or Retry) need not wait for
 * another check. Signing in again or a changed table drops it. */
gboolean    lb_cdf_check_group_passed         (LbCdfCheckGroup     *self);
/* The row shown for @table_name (tests), or NULL. */
GtkWidget  *lb_cdf_check_group_get_row        (LbCdfCheckGroup     *self,
                                               const char          *table_name);
/* Tests: answers the Run confirmation with @response instead of showing
 * the dialog ("run" or "cancel"); NULL shows the dialog. */
void        lb_cdf_check_group_set_confirm_response (LbCdfCheckGroup *self,
                                                     const char      *response);
void        lb_cdf_check_group_set_poll_base_ms     (LbCdfCheckGroup *self,
                                                     guint            poll_base_ms);

G_END_DECLS
