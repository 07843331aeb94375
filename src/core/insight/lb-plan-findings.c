/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-plan-findings.h"

void
lb_plan_finding_free (LbPlanFinding *finding)
{
  if (finding == NULL)
    return;
  g_clear_object (&finding->node);
  g_free (finding->message);
  g_free (finding->why);
  g_free (finding->suggestion);
  g_free (finding);
}

const char *
lb_finding_kind_to_string (LbFindingKind kind)
{
  switch (kind)
    {
    case LB_FINDING_SEQ_SCAN:      return "seq-scan";
    case LB_FINDING_ROWS_REMOVED:  return "rows-removed";
    case LB_FINDING_ESTIMATE_OFF:  return "estimate";
    case LB_FINDING_SPILL:         return "spill";
    case LB_FINDING_NESTED_LOOP:   return "nested-loop";
    case LB_FINDING_BUFFERS_READ:  return "buffers-read";
    default:                       return "unknown";
    }
}

static void
add (GPtrArray     *out,
     LbFindingKind  kind,
     LbPlanNode    *node,
     char          *message,
     const char    *why,
     char          *suggestion)
{
  LbPlanFinding *f = g_new0 (LbPlanFinding, 1);

  f->kind = kind;
  f->node = g_object_ref (node);
  f->message = message;
  f->why = g_strdup (why);
  f->suggestion = suggestion;
  g_ptr_array_add (out, f);
}

static const char *
relation_of (LbPlanNode *node)
{
  return lb_plan_node_get_relation (node) != NULL ? lb_plan_node_get_relation (node) : "?";
}

static char *
qualified (LbPlanNode *node)
{
  if (lb_plan_node_get_schema (node) != NULL)
    return g_strdup_printf ("%s.%s", lb_plan_node_get_schema (node), relation_of (node));
  return g_strdup (relation_of (node));
}

static gboolean
is_scan (LbPlanNode *node)
{
  const char *type = lb_plan_node_get_node_type (node);

  return type != NULL && g_str_has_suffix (type, "Scan") && lb_plan_node_get_relation (node) != NULL;
}

static void
check_node (LbPlanNode *node,
            gpointer    user_data)
{
  GPtrArray *out = user_data;
  const char *type = lb_plan_node_get_node_type (node);
  gboolean analyzed = lb_plan_node_get_analyzed (node);
  double loops = MAX (lb_plan_node_get_loops (node), 1);
  double removed = lb_plan_node_get_rows_removed_by_filter (node) * loops;
  double actual = lb_plan_node_get_actual_rows (node) * loops;
  double planned = lb_plan_node_get_plan_rows (node);

  /* 1. A sequential scan of a large relation that keeps few rows (what
   * it read is known only with ANALYZE: kept + removed). */
  if (analyzed && type != NULL && g_str_has_suffix (type, "Seq Scan") && lb_plan_node_get_filter (node) != NULL)
    {
      double kept = actual, read = actual + removed;

      if (read >= LB_FINDING_LARGE_RELATION_ROWS && kept <= read * LB_FINDING_SELECTIVE_SHARE)
        add (out, LB_FINDING_SEQ_SCAN, node,
             g_strdup_printf (_("Sequential scan on %s reads about %.0f rows to keep %.0f"),
                              relation_of (node), read, kept),
             _("Every execution reads the whole table, so its cost grows with the table rather "
               "than with the rows the query needs."),
             g_strdup (_("An index on the filtered columns lets it read only the matching rows "
                         "(the index advice names one).")));
    }

  /* 2. Rows removed by the filter far more than returned. */
  if (analyzed && removed >= LB_FINDING_REMOVED_MIN_ROWS &&
      removed >= LB_FINDING_REMOVED_FACTOR * MAX (actual, 1))
    add (out, LB_FINDING_ROWS_REMOVED, node,
         g_strdup_printf (_("%s removed %.0f rows by its filter to return %.0f"),
                          lb_plan_node_get_node_type (node), removed, actual),
         _("The server reads and discards rows it does not need, which costs time and cache "
           "on every execution."),
         is_scan (node)
           ? g_strdup_printf (_("Move the filtered columns of %s into an index (or a partial "
                                "index) so the rows are not read at all."), relation_of (node))
           : NULL);

  /* 3. An estimate 10x off: the planner chose with wrong numbers. */
  if (analyzed && lb_plan_node_get_loops (node) > 0)
    {
      double est = MAX (planned, 1), act = MAX (lb_plan_node_get_actual_rows (node), 1);
      double ratio = est > act ? est / act : act / est;

      if (ratio >= LB_FINDING_ESTIMATE_FACTOR && MAX (est, act) >= LB_FINDING_ESTIMATE_MIN_ROWS)
        {
          g_autofree char *table = is_scan (node) ? qualified (node) : NULL;

          add (out, LB_FINDING_ESTIMATE_OFF, node,
               g_strdup_printf (_("%s estimated %.0f rows but returned %.0f (%.0f× off)"),
                                lb_plan_node_get_node_type (node), planned,
                                lb_plan_node_get_actual_rows (node), ratio),
               _("The planner picks join orders and methods from these estimates, so a wrong one "
                 "can make it choose a much slower plan."),
               table != NULL ? g_strdup_printf (_("Refresh the statistics: ANALYZE %s;"), table)
                             : g_strdup (_("Refresh the statistics of the tables below it with "
                                           "ANALYZE.")));
        }
    }

  /* 4. Sorts and hashes that spill to disk. */
  if (lb_plan_node_get_spills (node))
    {
      gboolean hash = lb_plan_node_get_hash_batches (node) > 1;
      gint64 kb = lb_plan_node_get_sort_space_used (node);
      gint64 need_kb = hash ? 0 : kb;

      add (out, LB_FINDING_SPILL, node,
           hash ? g_strdup_printf (_("Hash used %" G_GINT64_FORMAT " batches (temporary files)"),
                                   lb_plan_node_get_hash_batches (node))
                : g_strdup_printf (_("Sort spilled %" G_GINT64_FORMAT " kB to disk (%s)"), kb,
                                   lb_plan_node_get_sort_method (node) != NULL
                                     ? lb_plan_node_get_sort_method (node) : "external"),
           _("Writing and reading temporary files is far slower than working in memory, and "
             "competes with other queries for disk."),
           need_kb > 0
             ? g_strdup_printf (_("Raise work_mem for this session (SET work_mem = '%" G_GINT64_FORMAT
                                  "MB';) if the server has memory to spare."),
                                MAX ((need_kb * 3 / 1024) + 1, 4))
             : g_strdup (_("Raise work_mem for this session (SET work_mem = '64MB';) if the "
                           "server has memory to spare.")));
    }

  /* 5. Nested loops over many rows. */
  if (analyzed && g_strcmp0 (type, "Nested Loop") == 0 && lb_plan_node_get_n_children (node) == 2)
    {
      LbPlanNode *inner = lb_plan_node_get_child (node, 1);
      double inner_loops = lb_plan_node_get_loops (inner);

      if (inner_loops >= LB_FINDING_NESTED_LOOP_ROWS)
        add (out, LB_FINDING_NESTED_LOOP, node,
             g_strdup_printf (_("Nested loop ran its inner side %.0f times"), inner_loops),
             _("Each outer row repeats the inner scan, so the time grows with the product of "
               "both sides rather than their sum."),
             g_strdup (_("An index on the inner side's join column makes each repeat cheap; if "
                         "the outer estimate is far off, ANALYZE its table so the planner can "
                         "pick a hash join.")));
    }

  /* 6. Buffers mostly read rather than hit (only at the root of what
   * read them: the scans, where the figures are their own). */
  if (is_scan (node))
    {
      gint64 hit = lb_plan_node_get_shared_hit (node), read = lb_plan_node_get_shared_read (node);

      if (read >= LB_FINDING_READ_MIN_BLOCKS && read > (hit + read) * LB_FINDING_READ_SHARE)
        add (out, LB_FINDING_BUFFERS_READ, node,
             g_strdup_printf (_("%s read %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
                                " blocks from outside the buffer cache"),
                              relation_of (node), read, hit + read),
             _("Blocks that are not in shared buffers come from the operating system or storage, "
               "which is much slower and makes latency uneven."),
             g_strdup (_("Read fewer blocks (an index, fewer columns) or give the server more "
                         "shared_buffers; a second run shows whether it was only a cold cache.")));
    }
}

GPtrArray *
lb_plan_findings_collect (LbExplainPlan *plan)
{
  GPtrArray *out;

  g_return_val_if_fail (LB_IS_EXPLAIN_PLAN (plan), NULL);

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_plan_finding_free);
  lb_plan_node_foreach (lb_explain_plan_get_root (plan), check_node, out);
  return out;
}
