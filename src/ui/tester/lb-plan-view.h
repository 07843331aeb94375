/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* One EXPLAIN plan as a tree of nodes (a GtkColumnView over a
 * GtkTreeListModel of LbPlanNode): what each node does, estimated against
 * actual rows, loops, self and total time, buffers, and a bar of its share
 * of the plan; the findings below it; the text plan one click away. */

#include <adwaita.h>

#include "lb-explain-plan.h"

G_BEGIN_DECLS

#define LB_TYPE_PLAN_VIEW (lb_plan_view_get_type ())

/* Properties: "plan" (LbExplainPlan, NULL: none), "show-text" (the text plan
 * instead of the tree; the state of plan.show-text), "query-name" and
 * "query-sql" (what a plan window opened from here shows), and
 * "can-open-window" (the Open in New Window button; off in a plan window).
 * Actions: plan.copy-text (Ctrl+C), plan.copy-json, plan.show-text,
 * plan.open-window. Signal "node-activated" (LbPlanNode *) when a finding is
 * activated, after its node was selected. */
G_DECLARE_FINAL_TYPE (LbPlanView, lb_plan_view, LB, PLAN_VIEW, AdwBin)

GtkWidget     *lb_plan_view_new                (void);
void           lb_plan_view_set_plan           (LbPlanView    *self,
                                                LbExplainPlan *plan);
LbExplainPlan *lb_plan_view_get_plan           (LbPlanView    *self);
void           lb_plan_view_set_query          (LbPlanView    *self,
                                                const char    *name,
                                                const char    *sql);
const char    *lb_plan_view_get_query_name     (LbPlanView    *self);
const char    *lb_plan_view_get_query_sql      (LbPlanView    *self);
void           lb_plan_view_set_show_text      (LbPlanView    *self,
                                                gboolean       show_text);
gboolean       lb_plan_view_get_show_text      (LbPlanView    *self);
void           lb_plan_view_set_can_open_window (LbPlanView   *self,
                                                 gboolean      can_open_window);
gboolean       lb_plan_view_get_can_open_window (LbPlanView   *self);

/* Selects @node's row (expanding what hides it) and scrolls to it. */
void           lb_plan_view_select_node        (LbPlanView    *self,
                                                LbPlanNode    *node);
/* The node of the selected row, or NULL. */
LbPlanNode    *lb_plan_view_get_selected_node  (LbPlanView    *self);
/* The findings shown (of LbPlanFinding); never NULL. */
GPtrArray     *lb_plan_view_get_findings       (LbPlanView    *self);

/* What the user sees, for tests: the column view (its model is a
 * GtkSingleSelection over a GtkTreeListModel of LbPlanNode), the findings
 * list (one row per finding, in order), the text view of the text plan,
 * and the summary line. */
GtkColumnView *lb_plan_view_get_column_view    (LbPlanView    *self);
GtkListBox    *lb_plan_view_get_findings_list  (LbPlanView    *self);
GtkTextView   *lb_plan_view_get_text_view      (LbPlanView    *self);
const char    *lb_plan_view_get_summary        (LbPlanView    *self);

/* The texts a node's row shows ("12,345", "0.412"), shared by the cells
 * and tests: @column is one of the LbPlanViewColumn values. */
typedef enum
{
  LB_PLAN_VIEW_COLUMN_NODE,
  LB_PLAN_VIEW_COLUMN_ROWS,    /* "est 100 → 12,345" (actual with ANALYZE) */
  LB_PLAN_VIEW_COLUMN_LOOPS,
  LB_PLAN_VIEW_COLUMN_SELF,    /* ms; or the node's own cost without ANALYZE */
  LB_PLAN_VIEW_COLUMN_TOTAL,
  LB_PLAN_VIEW_COLUMN_SHARE,   /* "42 %" */
  LB_PLAN_VIEW_COLUMN_HIT,
  LB_PLAN_VIEW_COLUMN_READ,
} LbPlanViewColumn;

char          *lb_plan_view_dup_node_text      (LbPlanView      *self,
                                                LbPlanNode      *node,
                                                LbPlanViewColumn column);
/* The node's share of the plan: its self time over all the nodes' self
 * times (its own cost over the plan's without ANALYZE), 0..1. */
double         lb_plan_view_get_node_share     (LbPlanView    *self,
                                                LbPlanNode    *node);

G_END_DECLS
