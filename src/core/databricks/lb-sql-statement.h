/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One SQL statement run on a SQL warehouse through the Statement Execution
 * API and polled with backoff until it ends: the Change Data Feed check's
 * SHOW TBLPROPERTIES and ALTER TABLE go through it. Errors are
 * LB_TABLE_SIZER_ERROR (FAILED "ERROR_CODE: message", CANCELED, MALFORMED,
 * TIMEOUT, NO_WAREHOUSE), LB_DATABRICKS_ERROR for the HTTP calls, or
 * G_IO_ERROR_CANCELLED (the statement is then canceled on the warehouse
 * too, best effort). */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "lb-databricks-client.h"

G_BEGIN_DECLS

typedef struct
{
  guint poll_base_ms;   /* first wait between polls (default 1000) */
  guint poll_max_ms;    /* backoff ceiling (default 10000) */
  guint timeout_ms;     /* give up and cancel after this long (default 20 min) */
} LbSqlStatementOptions;

/* @options may be NULL for the defaults. The result is the SUCCEEDED
 * statement's JSON object (status, manifest, result). */
void        lb_sql_statement_execute_async  (LbDatabricksClient          *client,
                                             const char                  *warehouse_id,
                                             const char                  *statement,
                                             const LbSqlStatementOptions *options,
                                             GCancellable                *cancellable,
                                             GAsyncReadyCallback          callback,
                                             gpointer                     user_data);
JsonObject *lb_sql_statement_execute_finish (GAsyncResult                *result,
                                             GError                     **error);

/* The position of the result column @name (manifest.schema.columns,
 * case-insensitive), or -1. */
int         lb_sql_statement_find_column    (JsonObject                  *statement,
                                             const char                  *name);
/* Number of rows in the first chunk. */
guint       lb_sql_statement_get_n_rows     (JsonObject                  *statement);
/* A cell of the first chunk as text (JSON_ARRAY sends strings), or NULL for
 * SQL NULL or out of range. */
const char *lb_sql_statement_get_cell       (JsonObject                  *statement,
                                             guint                        row,
                                             int                          column);

/* "`cat`.`schema`.`table`": each part of a dotted name quoted with
 * backticks, backticks inside doubled. */
char       *lb_sql_quote_table_name         (const char                  *table_name);

G_END_DECLS
