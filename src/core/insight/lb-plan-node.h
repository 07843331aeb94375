/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One node of a PostgreSQL plan, read from EXPLAIN (FORMAT JSON): what it
 * does, on which relation and index, its conditions, estimates, what ANALYZE
 * measured and the buffers it touched. Its children are a GListModel, so a
 * GtkTreeListModel can show the tree as it is. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define LB_TYPE_PLAN_NODE (lb_plan_node_get_type ())

G_DECLARE_FINAL_TYPE (LbPlanNode, lb_plan_node, LB, PLAN_NODE, GObject)

/* Builds the node and its subtree from one "Plan" object. */
LbPlanNode  *lb_plan_node_new_from_json        (JsonObject  *object);

/* What it is */
const char  *lb_plan_node_get_node_type        (LbPlanNode  *self);  /* "Seq Scan", "Hash Join" */
/* A one-line title: "Seq Scan on customer c", "Index Scan using k on t". */
char        *lb_plan_node_dup_title            (LbPlanNode  *self);
const char  *lb_plan_node_get_relation         (LbPlanNode  *self);  /* NULL when none */
const char  *lb_plan_node_get_schema           (LbPlanNode  *self);
const char  *lb_plan_node_get_alias            (LbPlanNode  *self);
const char  *lb_plan_node_get_index_name       (LbPlanNode  *self);
const char  *lb_plan_node_get_join_type        (LbPlanNode  *self);
const char  *lb_plan_node_get_parent_relationship (LbPlanNode *self); /* "Outer", "Inner" */

/* Conditions, in PostgreSQL's deparsed form; NULL when absent. */
const char  *lb_plan_node_get_filter           (LbPlanNode  *self);
const char  *lb_plan_node_get_index_cond       (LbPlanNode  *self);
const char  *lb_plan_node_get_recheck_cond     (LbPlanNode  *self);
const char  *lb_plan_node_get_hash_cond        (LbPlanNode  *self);
const char  *lb_plan_node_get_merge_cond       (LbPlanNode  *self);
const char  *lb_plan_node_get_join_filter      (LbPlanNode  *self);
/* "Sort Key" (or "Group Key"), NULL-terminated; never NULL. */
const char * const *lb_plan_node_get_sort_keys (LbPlanNode  *self);

/* Estimates */
double       lb_plan_node_get_startup_cost     (LbPlanNode  *self);
double       lb_plan_node_get_total_cost       (LbPlanNode  *self);
double       lb_plan_node_get_plan_rows        (LbPlanNode  *self);
int          lb_plan_node_get_plan_width       (LbPlanNode  *self);

/* What ANALYZE measured (FALSE, and zeros, without it or when never run). */
gboolean     lb_plan_node_get_analyzed         (LbPlanNode  *self);
double       lb_plan_node_get_actual_rows      (LbPlanNode  *self);  /* per loop */
double       lb_plan_node_get_loops            (LbPlanNode  *self);
/* Milliseconds per loop, as EXPLAIN prints them. */
double       lb_plan_node_get_actual_startup_time (LbPlanNode *self);
double       lb_plan_node_get_actual_total_time (LbPlanNode *self);
/* Milliseconds over all loops: total = actual total time × loops; self =
 * total minus the children's totals (never below 0). */
double       lb_plan_node_get_total_time       (LbPlanNode  *self);
double       lb_plan_node_get_self_time        (LbPlanNode  *self);
double       lb_plan_node_get_rows_removed_by_filter (LbPlanNode *self);  /* per loop */
double       lb_plan_node_get_rows_removed_by_join_filter (LbPlanNode *self);

/* Buffers (EXPLAIN BUFFERS; with ANALYZE), in blocks, this node and below. */
gint64       lb_plan_node_get_shared_hit       (LbPlanNode  *self);
gint64       lb_plan_node_get_shared_read      (LbPlanNode  *self);
gint64       lb_plan_node_get_temp_read        (LbPlanNode  *self);
gint64       lb_plan_node_get_temp_written     (LbPlanNode  *self);

/* Spills: a sort on disk ("Sort Space Type": "Disk"), a hash in more than one batch. */
const char  *lb_plan_node_get_sort_method      (LbPlanNode  *self);
const char  *lb_plan_node_get_sort_space_type  (LbPlanNode  *self);
gint64       lb_plan_node_get_sort_space_used  (LbPlanNode  *self);  /* kB */
gint64       lb_plan_node_get_hash_batches     (LbPlanNode  *self);
gint64       lb_plan_node_get_original_hash_batches (LbPlanNode *self);
gboolean     lb_plan_node_get_spills           (LbPlanNode  *self);

/* The tree */
GListModel  *lb_plan_node_get_children         (LbPlanNode  *self);  /* of LbPlanNode */
guint        lb_plan_node_get_n_children       (LbPlanNode  *self);
LbPlanNode  *lb_plan_node_get_child            (LbPlanNode  *self,
                                                guint        index);
LbPlanNode  *lb_plan_node_get_parent           (LbPlanNode  *self);  /* NULL at the root */
/* Any other field of the node as EXPLAIN wrote it (NULL when absent). */
JsonObject  *lb_plan_node_get_json             (LbPlanNode  *self);

/* Calls @func on @self and every node below it, parents first. */
typedef void (*LbPlanNodeFunc) (LbPlanNode *node,
                                gpointer    user_data);
void         lb_plan_node_foreach              (LbPlanNode     *self,
                                                LbPlanNodeFunc  func,
                                                gpointer        user_data);

G_END_DECLS
