/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Change Data Feed check before a deploy: TRIGGERED and CONTINUOUS
 * synced tables read the source's change data feed, so the source must be a
 * Delta table with delta.enableChangeDataFeed = true; a view has none and can
 * only be synced as SNAPSHOT. The Deploy view lists what blocks, with the
 * ALTER TABLE that fixes it (copy, or run after confirmation) or "use
 * Snapshot"; `lakebase-cli deploy` refuses likewise. */
#pragma once

#include <gio/gio.h>

#include "lb-databricks-client.h"
#include "lb-enums.h"

G_BEGIN_DECLS

typedef enum
{
  LB_CDF_STATE_ON,        /* delta.enableChangeDataFeed = true */
  LB_CDF_STATE_OFF,       /* a table without it */
  LB_CDF_STATE_VIEW,      /* a view (or materialized view): cannot have it */
  LB_CDF_STATE_UNKNOWN,   /* could not be read: see error */
} LbCdfState;

/* What the check found for one table. */
typedef struct
{
  char       *table_name;   /* catalog.schema.table */
  LbSyncMode  policy;       /* the table's scheduling policy as checked */
  char       *table_type;   /* MANAGED, EXTERNAL, VIEW, … (NULL if unknown) */
  LbCdfState  state;
  gboolean    blocking;     /* the policy needs CDF and the table has none */
  GError     *error;        /* state UNKNOWN: why */
} LbCdfResult;

#define LB_TYPE_CDF_RESULT (lb_cdf_result_get_type ())

GType        lb_cdf_result_get_type    (void) G_GNUC_CONST;
LbCdfResult *lb_cdf_result_copy        (const LbCdfResult *self);
void         lb_cdf_result_free        (LbCdfResult       *self);
/* Translated, one line: "orders_view: a view cannot have change data feed —
 * use Snapshot", "customers: change data feed is off; TRIGGERED needs it",
 * "orders: change data feed is on". */
char        *lb_cdf_result_dup_message (const LbCdfResult *self);
/* The same without the table's name: "a view cannot have change data feed
 * — use Snapshot". */
char        *lb_cdf_result_dup_reason  (const LbCdfResult *self);
/* The ALTER TABLE that turns the feed on, for a blocking table (NULL for a
 * view or a table that does not block). */
char        *lb_cdf_result_dup_fix_sql (const LbCdfResult *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbCdfResult, lb_cdf_result_free)

/* Whether @policy reads the change data feed (TRIGGERED, CONTINUOUS). */
gboolean     lb_sync_mode_needs_change_data_feed (LbSyncMode policy);
/* "ALTER TABLE `c`.`s`.`t` SET TBLPROPERTIES (delta.enableChangeDataFeed = true)" */
char        *lb_cdf_build_enable_statement      (const char *table_name);
/* Translated: the sync mode of a synced table cannot be changed once it is
 * created (only by deleting and recreating it). */
const char  *lb_cdf_get_sync_mode_note          (void);

#define LB_TYPE_CDF_CHECK (lb_cdf_check_get_type ())

/* Properties: "client" (construct-only), "warehouse-id" (the table
 * properties are read with SHOW TBLPROPERTIES on it; without one, from Unity
 * Catalog's table properties), "poll-base-ms" (default 1000). */
G_DECLARE_FINAL_TYPE (LbCdfCheck, lb_cdf_check, LB, CDF_CHECK, GObject)

LbCdfCheck  *lb_cdf_check_new                 (LbDatabricksClient  *client);
const char  *lb_cdf_check_get_warehouse_id    (LbCdfCheck          *self);
void         lb_cdf_check_set_warehouse_id    (LbCdfCheck          *self,
                                               const char          *warehouse_id);

/* Checks @tables (a GListModel of LbSyncedTable, each with its own
 * scheduling policy). The table type comes from Unity Catalog, the property
 * from the warehouse. Result: a GPtrArray of LbCdfResult in the order of
 * @tables; a table that could not be read is a result with state UNKNOWN,
 * not an error of the whole call. */
void         lb_cdf_check_run_async           (LbCdfCheck          *self,
                                               GListModel          *tables,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
GPtrArray   *lb_cdf_check_run_finish          (LbCdfCheck          *self,
                                               GAsyncResult        *result,
                                               GError             **error);

/* Runs lb_cdf_build_enable_statement() for @table_name on the warehouse. */
void         lb_cdf_check_enable_async        (LbCdfCheck          *self,
                                               const char          *table_name,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean     lb_cdf_check_enable_finish       (LbCdfCheck          *self,
                                               GAsyncResult        *result,
                                               GError             **error);

/* How many results block (convenience for callers). */
guint        lb_cdf_results_count_blocking    (GPtrArray           *results);

G_END_DECLS
