/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Measuring the workload's Delta tables for the cost estimate, for the
 * Deploy view's table sizes group and `lakebase-cli sizes`; the result
 * becomes the calculator's stored data and the report's table_sizes. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "lb-databricks-client.h"

G_BEGIN_DECLS

#define LB_TABLE_SIZER_ERROR (lb_table_sizer_error_quark ())

typedef enum
{
  LB_TABLE_SIZER_ERROR_FAILED,     /* the statement failed on the warehouse: "ERROR_CODE: message" */
  LB_TABLE_SIZER_ERROR_CANCELED,   /* someone else canceled or closed the statement */
  LB_TABLE_SIZER_ERROR_MALFORMED,  /* an answer without the expected row */
  LB_TABLE_SIZER_ERROR_TIMEOUT,    /* still running when the sizer's timeout ran out */
  LB_TABLE_SIZER_ERROR_NO_WAREHOUSE,
} LbTableSizerError;

GQuark lb_table_sizer_error_quark (void);

/* One SQL warehouse, as GET /api/2.0/sql/warehouses lists it. */
typedef struct
{
  char     *id;
  char     *name;
  char     *state;        /* RUNNING, STOPPED, STARTING, … */
  char     *size;         /* cluster_size ("2X-Small"), or NULL */
  gboolean  serverless;   /* enable_serverless_compute */
} LbWarehouse;

#define LB_TYPE_WAREHOUSE (lb_warehouse_get_type ())

GType        lb_warehouse_get_type (void) G_GNUC_CONST;
LbWarehouse *lb_warehouse_copy     (const LbWarehouse *self);
void         lb_warehouse_free     (LbWarehouse       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbWarehouse, lb_warehouse_free)

/* The measured (uncompressed) size of one table, or why there is none. */
typedef struct
{
  char   *table_name;          /* catalog.schema.table as given */
  gint64  uncompressed_bytes;  /* -1 when @error is set */
  GError *error;
} LbTableSize;

#define LB_TYPE_TABLE_SIZE (lb_table_size_get_type ())

GType        lb_table_size_get_type (void) G_GNUC_CONST;
LbTableSize *lb_table_size_new      (const char        *table_name,
                                     gint64             uncompressed_bytes,
                                     const GError      *error);
LbTableSize *lb_table_size_copy     (const LbTableSize *self);
void         lb_table_size_free     (LbTableSize       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbTableSize, lb_table_size_free)

/* The statement that estimates a table's uncompressed size: the sum over
 * all rows of the row rendered as CSV plus 32 bytes (cost-model.md). Each
 * part of the name is quoted with backticks. */
char        *lb_table_sizer_build_statement (const char *table_name);

/* The calculator's `table_sizes` object (cost-model.md):
 * {total_uncompressed_bytes, total_size_mb, table_details: [{table_name,
 * uncompressed_bytes, size_mb, error?}], note}. Tables in error count 0. */
JsonNode    *lb_table_sizes_to_json         (GPtrArray  *sizes);
/* Translated: PostgreSQL often needs 5-10x the Delta table's size. */
const char  *lb_table_sizes_get_note        (void);

#define LB_TYPE_TABLE_SIZER (lb_table_sizer_get_type ())

/* Measures Delta tables on a SQL warehouse through the SQL Statement
 * Execution API, several at once (at most "max-parallel", default 4), each
 * polled with backoff until it succeeds or fails.
 *
 * Properties: "client" (construct-only), "warehouse-id", "max-parallel",
 * "poll-base-ms" (first wait between polls, default 1000; doubles up to
 * "poll-max-ms", default 10000, with jitter), "timeout-ms" (give up on a
 * statement after this long, default 20 minutes).
 *
 * Signals: "table-measured" (const char *table_name, gint64 bytes,
 * GError *error): one per table, as its answer arrives; bytes is -1 and
 * error set when the table could not be measured. */
G_DECLARE_FINAL_TYPE (LbTableSizer, lb_table_sizer, LB, TABLE_SIZER, GObject)

LbTableSizer *lb_table_sizer_new                    (LbDatabricksClient   *client);
LbDatabricksClient *lb_table_sizer_get_client       (LbTableSizer         *self);
const char   *lb_table_sizer_get_warehouse_id       (LbTableSizer         *self);
void          lb_table_sizer_set_warehouse_id       (LbTableSizer         *self,
                                                     const char           *warehouse_id);
guint         lb_table_sizer_get_max_parallel       (LbTableSizer         *self);
void          lb_table_sizer_set_max_parallel       (LbTableSizer         *self,
                                                     guint                 max_parallel);

/* Every warehouse of the workspace, running serverless ones first (those
 * answer soonest), then running, then the rest; by name within each group.
 * A GPtrArray of LbWarehouse. */
void          lb_table_sizer_list_warehouses_async  (LbTableSizer         *self,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
GPtrArray    *lb_table_sizer_list_warehouses_finish (LbTableSizer         *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

/* Measures @table_names (catalog.schema.table). The result is a GPtrArray
 * of LbTableSize in the order of @table_names; a table that could not be
 * measured carries its error there (and in "table-measured"): that is not
 * an error of the whole call. On cancellation the statements still running
 * are canceled on the warehouse too, then G_IO_ERROR_CANCELLED is
 * returned. One measurement at a time per sizer. */
void          lb_table_sizer_measure_async          (LbTableSizer         *self,
                                                     const char * const   *table_names,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
GPtrArray    *lb_table_sizer_measure_finish         (LbTableSizer         *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

G_END_DECLS
