/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-explain-plan.h"

struct _LbExplainPlan
{
  GObject      parent_instance;

  char        *json;
  JsonNode    *top;          /* the object holding "Plan" */
  LbPlanNode  *root;
  GListStore  *model;
  char        *signature;
};

G_DEFINE_FINAL_TYPE (LbExplainPlan, lb_explain_plan, G_TYPE_OBJECT)

G_DEFINE_QUARK (lb-explain-plan-error-quark, lb_explain_plan_error)

enum {
  PROP_0,
  PROP_ROOT,
  PROP_ANALYZED,
  PROP_PLANNING_TIME,
  PROP_EXECUTION_TIME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
lb_explain_plan_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LbExplainPlan *self = LB_EXPLAIN_PLAN (object);

  switch (prop_id)
    {
    case PROP_ROOT:           g_value_set_object (value, self->root); break;
    case PROP_ANALYZED:       g_value_set_boolean (value, lb_explain_plan_get_analyzed (self)); break;
    case PROP_PLANNING_TIME:  g_value_set_double (value, lb_explain_plan_get_planning_time (self)); break;
    case PROP_EXECUTION_TIME: g_value_set_double (value, lb_explain_plan_get_execution_time (self)); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_explain_plan_dispose (GObject *object)
{
  LbExplainPlan *self = LB_EXPLAIN_PLAN (object);

  g_clear_object (&self->model);
  g_clear_object (&self->root);
  G_OBJECT_CLASS (lb_explain_plan_parent_class)->dispose (object);
}

static void
lb_explain_plan_finalize (GObject *object)
{
  LbExplainPlan *self = LB_EXPLAIN_PLAN (object);

  g_clear_pointer (&self->json, g_free);
  g_clear_pointer (&self->top, json_node_unref);
  g_clear_pointer (&self->signature, g_free);
  G_OBJECT_CLASS (lb_explain_plan_parent_class)->finalize (object);
}

static void
lb_explain_plan_class_init (LbExplainPlanClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->get_property = lb_explain_plan_get_property;
  object_class->dispose = lb_explain_plan_dispose;
  object_class->finalize = lb_explain_plan_finalize;

  properties[PROP_ROOT] = g_param_spec_object ("root", NULL, NULL, LB_TYPE_PLAN_NODE, flags);
  properties[PROP_ANALYZED] = g_param_spec_boolean ("analyzed", NULL, NULL, FALSE, flags);
  properties[PROP_PLANNING_TIME] = g_param_spec_double ("planning-time", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_EXECUTION_TIME] = g_param_spec_double ("execution-time", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lb_explain_plan_init (LbExplainPlan *self)
{
}

static void
append_signature (LbPlanNode *node,
                  GString    *out)
{
  const char *relation = lb_plan_node_get_relation (node);
  const char *index = lb_plan_node_get_index_name (node);
  guint n = lb_plan_node_get_n_children (node);

  g_string_append (out, lb_plan_node_get_node_type (node));
  if (relation != NULL || index != NULL)
    {
      g_string_append_c (out, '[');
      if (relation != NULL)
        g_string_append (out, relation);
      if (index != NULL)
        g_string_append_printf (out, ":%s", index);
      g_string_append_c (out, ']');
    }
  if (n > 0)
    {
      g_string_append_c (out, '(');
      for (guint i = 0; i < n; i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          append_signature (lb_plan_node_get_child (node, i), out);
        }
      g_string_append_c (out, ')');
    }
}

LbExplainPlan *
lb_explain_plan_new_from_json (const char  *json,
                               GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(LbExplainPlan) self = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GString) signature = g_string_new (NULL);
  JsonNode *root, *top = NULL, *plan;

  g_return_val_if_fail (json != NULL, NULL);

  if (!json_parser_load_from_data (parser, json, -1, &local_error))
    {
      g_set_error (error, LB_EXPLAIN_PLAN_ERROR, LB_EXPLAIN_PLAN_ERROR_INVALID,
                   _("The plan is not valid JSON: %s"), local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root != NULL && JSON_NODE_HOLDS_ARRAY (root) &&
      json_array_get_length (json_node_get_array (root)) > 0)
    top = json_array_get_element (json_node_get_array (root), 0);
  else if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    top = root;
  if (top == NULL || !JSON_NODE_HOLDS_OBJECT (top) ||
      (plan = json_object_get_member (json_node_get_object (top), "Plan")) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (plan))
    {
      g_set_error (error, LB_EXPLAIN_PLAN_ERROR, LB_EXPLAIN_PLAN_ERROR_INVALID,
                   _("The plan has no “Plan” object: is this EXPLAIN (FORMAT JSON) output?"));
      return NULL;
    }

  self = g_object_new (LB_TYPE_EXPLAIN_PLAN, NULL);
  self->json = g_strdup (json);
  self->top = json_node_ref (top);
  self->root = lb_plan_node_new_from_json (json_node_get_object (plan));
  self->model = g_list_store_new (LB_TYPE_PLAN_NODE);
  g_list_store_append (self->model, self->root);
  append_signature (self->root, signature);
  self->signature = g_string_free (g_steal_pointer (&signature), FALSE);
  return g_steal_pointer (&self);
}

LbPlanNode *
lb_explain_plan_get_root (LbExplainPlan *self)
{
  g_return_val_if_fail (LB_IS_EXPLAIN_PLAN (self), NULL);
  return self->root;
}

GListModel *
lb_explain_plan_get_model (LbExplainPlan *self)
{
  g_return_val_if_fail (LB_IS_EXPLAIN_PLAN (self), NULL);
  return G_LIST_MODEL (self->model);
}

gboolean
lb_explain_plan_get_analyzed (LbExplainPlan *self)
{
  g_return_val_if_fail (LB_IS_EXPLAIN_PLAN (self), FALSE);
  return json_object_has_member (json_node_get_object (self->top), "Execution Time");
}

static double
top_double (LbExplainPlan *self,
            const char    *name)
{
  JsonNode *node = json_object_get_member (json_node_get_object (self->top), name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_double (node) : 0;
}

double
lb_explain_plan_get_planning_time (LbExplainPlan *self)
{
  g_return_val_if_fail (LB_IS_EXPLAIN_PLAN (self), 0);
  return top_double (self, "Planning Time");
}

double
lb_explain_plan_get_execution_time (LbExplainPlan *self)
{
  g_return_val_if_fail (LB_IS_EXPLAIN_PLAN (self), 0);
  return top_double (self, "Execution Time");
}

double
lb_explain_plan_get_total_cost (LbExplainPlan *self)
{
  g_return_val_if_fail (LB_IS_EXPLAIN_PLAN (self), 0);
  return lb_plan_node_get_total_cost (self->root);
}

JsonObject *
lb_explain_plan_get_settings (LbExplainPlan *self)
{
  JsonNode *node;

  g_return_val_if_fail (LB_IS_EXPLAIN_PLAN (self), NULL);
  node = json_object_get_member (json_node_get_object (self->top), "Settings");
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

const char *
lb_explain_plan_get_signature (LbExplainPlan *self)
{
  g_return_val_if_fail (LB_IS_EXPLAIN_PLAN (self), NULL);
  return self->signature;
}

const char *
lb_explain_plan_get_json (LbExplainPlan *self)
{
  g_return_val_if_fail (LB_IS_EXPLAIN_PLAN (self), NULL);
  return self->json;
}

static void
append_condition (GString    *out,
                  guint       depth,
                  const char *label,
                  const char *value)
{
  if (value != NULL)
    g_string_append_printf (out, "%*s  %s: %s\n", (int) depth * 2, "", label, value);
}

static void
append_text (LbPlanNode *node,
             guint       depth,
             GString    *out)
{
  g_autofree char *title = lb_plan_node_dup_title (node);
  const char * const *keys = lb_plan_node_get_sort_keys (node);

  g_string_append_printf (out, "%*s%s%s  (cost=%.2f..%.2f rows=%.0f)", (int) depth * 2, "",
                          depth > 0 ? "-> " : "", title,
                          lb_plan_node_get_startup_cost (node), lb_plan_node_get_total_cost (node),
                          lb_plan_node_get_plan_rows (node));
  if (lb_plan_node_get_analyzed (node))
    g_string_append_printf (out, " (actual time=%.3f..%.3f rows=%.0f loops=%.0f)",
                            lb_plan_node_get_actual_startup_time (node),
                            lb_plan_node_get_actual_total_time (node),
                            lb_plan_node_get_actual_rows (node), lb_plan_node_get_loops (node));
  g_string_append_c (out, '\n');
  append_condition (out, depth, "Index Cond", lb_plan_node_get_index_cond (node));
  append_condition (out, depth, "Recheck Cond", lb_plan_node_get_recheck_cond (node));
  append_condition (out, depth, "Hash Cond", lb_plan_node_get_hash_cond (node));
  append_condition (out, depth, "Merge Cond", lb_plan_node_get_merge_cond (node));
  append_condition (out, depth, "Join Filter", lb_plan_node_get_join_filter (node));
  append_condition (out, depth, "Filter", lb_plan_node_get_filter (node));
  if (lb_plan_node_get_rows_removed_by_filter (node) > 0)
    g_string_append_printf (out, "%*s  Rows Removed by Filter: %.0f\n", (int) depth * 2, "",
                            lb_plan_node_get_rows_removed_by_filter (node));
  if (keys[0] != NULL)
    {
      g_autofree char *joined = g_strjoinv (", ", (char **) keys);

      append_condition (out, depth, "Key", joined);
    }
  if (lb_plan_node_get_sort_method (node) != NULL)
    g_string_append_printf (out, "%*s  Sort Method: %s  %s: %" G_GINT64_FORMAT "kB\n",
                            (int) depth * 2, "", lb_plan_node_get_sort_method (node),
                            lb_plan_node_get_sort_space_type (node) != NULL
                              ? lb_plan_node_get_sort_space_type (node) : "Memory",
                            lb_plan_node_get_sort_space_used (node));
  if (lb_plan_node_get_hash_batches (node) > 0)
    g_string_append_printf (out, "%*s  Batches: %" G_GINT64_FORMAT "\n", (int) depth * 2, "",
                            lb_plan_node_get_hash_batches (node));
  if (lb_plan_node_get_shared_hit (node) > 0 || lb_plan_node_get_shared_read (node) > 0 ||
      lb_plan_node_get_temp_written (node) > 0)
    g_string_append_printf (out, "%*s  Buffers: shared hit=%" G_GINT64_FORMAT " read=%" G_GINT64_FORMAT
                            ", temp read=%" G_GINT64_FORMAT " written=%" G_GINT64_FORMAT "\n",
                            (int) depth * 2, "",
                            lb_plan_node_get_shared_hit (node), lb_plan_node_get_shared_read (node),
                            lb_plan_node_get_temp_read (node), lb_plan_node_get_temp_written (node));
  for (guint i = 0; i < lb_plan_node_get_n_children (node); i++)
    append_text (lb_plan_node_get_child (node, i), depth + 1, out);
}

char *
lb_explain_plan_to_text (LbExplainPlan *self)
{
  GString *out;

  g_return_val_if_fail (LB_IS_EXPLAIN_PLAN (self), NULL);

  out = g_string_new (NULL);
  append_text (self->root, 0, out);
  if (lb_explain_plan_get_planning_time (self) > 0)
    g_string_append_printf (out, "Planning Time: %.3f ms\n", lb_explain_plan_get_planning_time (self));
  if (lb_explain_plan_get_analyzed (self))
    g_string_append_printf (out, "Execution Time: %.3f ms\n", lb_explain_plan_get_execution_time (self));
  return g_string_free (out, FALSE);
}

typedef struct
{
  const char *name;
  gboolean    found;
} UsesIndex;

static void
check_index (LbPlanNode *node,
             gpointer    user_data)
{
  UsesIndex *u = user_data;
  const char *index = lb_plan_node_get_index_name (node);

  if (index != NULL && strstr (index, u->name) != NULL)
    u->found = TRUE;
}

gboolean
lb_explain_plan_uses_index (LbExplainPlan *self,
                            const char    *name)
{
  UsesIndex u = { name, FALSE };

  g_return_val_if_fail (LB_IS_EXPLAIN_PLAN (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  lb_plan_node_foreach (self->root, check_index, &u);
  return u.found;
}
