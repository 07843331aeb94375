/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SQL side of the fake workspace (lb-fake-workspace-sql.c): SQL
 * warehouses, the SQL Statement Execution API and Unity Catalog tables.
 *
 * Statements move PENDING → RUNNING → SUCCEEDED as they are polled: each
 * phase lasts lb_fake_workspace_set_polls_until_ready() GETs (0: the POST
 * answers SUCCEEDED at once, as a statement done within its wait_timeout
 * would). A statement on a STOPPED warehouse starts it and stays PENDING
 * twice as long. A statement about an unknown table FAILS when it would
 * start running, with status.error {error_code, message} and sql_state, as
 * the real service reports TABLE_OR_VIEW_NOT_FOUND.
 *
 * Known statements: the table-size query (SELECT COALESCE(SUM(LEN(TO_CSV(
 * STRUCT(*))) + 32), 0) FROM t), DESCRIBE DETAIL t, SHOW TBLPROPERTIES t
 * [('key')] (key, value rows; a missing key gives one row "Table … does not
 * have property: key", as Databricks answers) and ALTER TABLE t SET
 * TBLPROPERTIES (key = value) (delta.enableChangeDataFeed takes effect when
 * the statement SUCCEEDS; on a view it FAILS with EXPECT_TABLE_NOT_VIEW);
 * anything else fails with PARSE_SYNTAX_ERROR. Table names may be quoted
 * with backticks. Views (lb_fake_workspace_sql_add_view()) are table_type
 * VIEW in Unity Catalog, without Delta properties.
 *
 * Defaults: warehouses "wh-serverless" (RUNNING, serverless), "wh-classic"
 * (STOPPED, PRO) and "wh-small" (RUNNING, classic), listed two per page;
 * the three tables of data/samples/workload.yml (retail.serving.orders,
 * .customers, .order_lines). */
#pragma once

#include "lb-fake-workspace.h"

G_BEGIN_DECLS

/* Adds or replaces a Delta table: its uncompressed size (what the size
 * query returns), primary key columns and whether Change Data Feed is on. */
void   lb_fake_workspace_sql_add_table          (LbFakeWorkspace     *fake,
                                                 const char          *full_name,
                                                 gint64               uncompressed_bytes,
                                                 const char * const  *primary_keys,
                                                 gboolean             change_data_feed);
void   lb_fake_workspace_sql_add_warehouse      (LbFakeWorkspace     *fake,
                                                 const char          *id,
                                                 const char          *name,
                                                 const char          *state,
                                                 gboolean             serverless);
/* Adds a view (no change data feed, cannot be altered). */
void   lb_fake_workspace_sql_add_view           (LbFakeWorkspace     *fake,
                                                 const char          *full_name);
/* Whether delta.enableChangeDataFeed is on for @full_name now. */
gboolean lb_fake_workspace_sql_get_change_data_feed (LbFakeWorkspace *fake,
                                                 const char          *full_name);
/* The statements submitted so far (blanks collapsed) that start with
 * @prefix (case-insensitive; NULL: all), in order. Free with g_strfreev(). */
char **lb_fake_workspace_sql_dup_statements     (LbFakeWorkspace     *fake,
                                                 const char          *prefix);
/* Statements ever submitted in @state now (NULL: all). */
guint  lb_fake_workspace_sql_count_statements   (LbFakeWorkspace     *fake,
                                                 const char          *state);
/* The most statements that were PENDING or RUNNING at the same time. */
guint  lb_fake_workspace_sql_get_max_active     (LbFakeWorkspace     *fake);

G_END_DECLS
