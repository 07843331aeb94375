/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Deploy view's "Table sizes" group: it needs the signed-in workspace's
 * client and the workload, and hands its measurements to the calculator
 * through the workload and "sizes-measured". */
#pragma once

#include <adwaita.h>

#include "lb-core.h"
#include "lb-databricks-client.h"

G_BEGIN_DECLS

#define LB_TYPE_TABLE_SIZES_GROUP (lb_table_sizes_group_get_type ())

/* Measures the workload's Delta tables on a SQL warehouse (LbTableSizer),
 * shows each table's size or error as it arrives, and offers the total as
 * the Calculator's stored data.
 *
 * Signal "sizes-measured" (JsonNode *table_sizes): the cost report's
 * `table_sizes` object, after each measurement. */
G_DECLARE_FINAL_TYPE (LbTableSizesGroup, lb_table_sizes_group, LB, TABLE_SIZES_GROUP, GtkWidget)

/* The workload whose tables are listed (the rows follow its table list) and
 * whose stored data "Apply" sets. */
void        lb_table_sizes_group_set_workload (LbTableSizesGroup  *self,
                                               LbWorkload         *workload);
/* The signed-in workspace; NULL until the identity is checked. Setting one
 * lists its warehouses. */
void        lb_table_sizes_group_set_client   (LbTableSizesGroup  *self,
                                               LbDatabricksClient *client);
/* The last measurement's `table_sizes` object, or NULL. */
JsonNode   *lb_table_sizes_group_get_sizes    (LbTableSizesGroup  *self);
gboolean    lb_table_sizes_group_get_busy     (LbTableSizesGroup  *self);
/* Tests: the sizer's first poll delay. */
void        lb_table_sizes_group_set_poll_base_ms (LbTableSizesGroup *self,
                                                   guint              poll_base_ms);

G_END_DECLS
