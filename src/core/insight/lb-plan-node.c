/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "lb-plan-node.h"

struct _LbPlanNode
{
  GObject      parent_instance;

  JsonObject  *json;
  LbPlanNode  *parent;         /* weak pointer: the parent owns its children */
  GListStore  *children;
  GStrv        sort_keys;

  double       actual_total;   /* over all loops, ms */
  double       self_time;
};

G_DEFINE_FINAL_TYPE (LbPlanNode, lb_plan_node, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NODE_TYPE,
  PROP_TITLE,
  PROP_RELATION,
  PROP_SCHEMA,
  PROP_ALIAS,
  PROP_INDEX_NAME,
  PROP_FILTER,
  PROP_INDEX_COND,
  PROP_PLAN_ROWS,
  PROP_ACTUAL_ROWS,
  PROP_LOOPS,
  PROP_TOTAL_COST,
  PROP_SELF_TIME,
  PROP_TOTAL_TIME,
  PROP_SHARED_HIT,
  PROP_SHARED_READ,
  PROP_ANALYZED,
  PROP_SPILLS,
  PROP_CHILDREN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
get_string (LbPlanNode *self,
            const char *name)
{
  return json_object_get_string_member_with_default (self->json, name, NULL);
}

static double
get_double (LbPlanNode *self,
            const char *name)
{
  JsonNode *node = json_object_get_member (self->json, name);

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE)
    return 0;
  return json_node_get_double (node);
}

static gint64
get_int (LbPlanNode *self,
         const char *name)
{
  JsonNode *node = json_object_get_member (self->json, name);

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE)
    return 0;
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return (gint64) json_node_get_double (node);
  return json_node_get_int (node);
}

static void
lb_plan_node_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  LbPlanNode *self = LB_PLAN_NODE (object);

  switch (prop_id)
    {
    case PROP_NODE_TYPE:   g_value_set_string (value, lb_plan_node_get_node_type (self)); break;
    case PROP_TITLE:       g_value_take_string (value, lb_plan_node_dup_title (self)); break;
    case PROP_RELATION:    g_value_set_string (value, lb_plan_node_get_relation (self)); break;
    case PROP_SCHEMA:      g_value_set_string (value, lb_plan_node_get_schema (self)); break;
    case PROP_ALIAS:       g_value_set_string (value, lb_plan_node_get_alias (self)); break;
    case PROP_INDEX_NAME:  g_value_set_string (value, lb_plan_node_get_index_name (self)); break;
    case PROP_FILTER:      g_value_set_string (value, lb_plan_node_get_filter (self)); break;
    case PROP_INDEX_COND:  g_value_set_string (value, lb_plan_node_get_index_cond (self)); break;
    case PROP_PLAN_ROWS:   g_value_set_double (value, lb_plan_node_get_plan_rows (self)); break;
    case PROP_ACTUAL_ROWS: g_value_set_double (value, lb_plan_node_get_actual_rows (self)); break;
    case PROP_LOOPS:       g_value_set_double (value, lb_plan_node_get_loops (self)); break;
    case PROP_TOTAL_COST:  g_value_set_double (value, lb_plan_node_get_total_cost (self)); break;
    case PROP_SELF_TIME:   g_value_set_double (value, lb_plan_node_get_self_time (self)); break;
    case PROP_TOTAL_TIME:  g_value_set_double (value, lb_plan_node_get_total_time (self)); break;
    case PROP_SHARED_HIT:  g_value_set_int64 (value, lb_plan_node_get_shared_hit (self)); break;
    case PROP_SHARED_READ: g_value_set_int64 (value, lb_plan_node_get_shared_read (self)); break;
    case PROP_ANALYZED:    g_value_set_boolean (value, lb_plan_node_get_analyzed (self)); break;
    case PROP_SPILLS:      g_value_set_boolean (value, lb_plan_node_get_spills (self)); break;
    case PROP_CHILDREN:    g_value_set_object (value, self->children); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_plan_node_dispose (GObject *object)
{
  LbPlanNode *self = LB_PLAN_NODE (object);

  g_clear_object (&self->children);
  G_OBJECT_CLASS (lb_plan_node_parent_class)->dispose (object);
}

static void
lb_plan_node_finalize (GObject *object)
{
  LbPlanNode *self = LB_PLAN_NODE (object);

  if (self->parent != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->parent), (gpointer *) &self->parent);
  g_clear_pointer (&self->json, json_object_unref);
  g_clear_pointer (&self->sort_keys, g_strfreev);
  G_OBJECT_CLASS (lb_plan_node_parent_class)->finalize (object);
}

static void
lb_plan_node_class_init (LbPlanNodeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->get_property = lb_plan_node_get_property;
  object_class->dispose = lb_plan_node_dispose;
  object_class->finalize = lb_plan_node_finalize;

  properties[PROP_NODE_TYPE] = g_param_spec_string ("node-type", NULL, NULL, NULL, flags);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, flags);
  properties[PROP_RELATION] = g_param_spec_string ("relation", NULL, NULL, NULL, flags);
  properties[PROP_SCHEMA] = g_param_spec_string ("schema", NULL, NULL, NULL, flags);
  properties[PROP_ALIAS] = g_param_spec_string ("alias", NULL, NULL, NULL, flags);
  properties[PROP_INDEX_NAME] = g_param_spec_string ("index-name", NULL, NULL, NULL, flags);
  properties[PROP_FILTER] = g_param_spec_string ("filter", NULL, NULL, NULL, flags);
  properties[PROP_INDEX_COND] = g_param_spec_string ("index-cond", NULL, NULL, NULL, flags);
  properties[PROP_PLAN_ROWS] = g_param_spec_double ("plan-rows", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_ACTUAL_ROWS] = g_param_spec_double ("actual-rows", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_LOOPS] = g_param_spec_double ("loops", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_TOTAL_COST] = g_param_spec_double ("total-cost", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_SELF_TIME] = g_param_spec_double ("self-time", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_TOTAL_TIME] = g_param_spec_double ("total-time", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_SHARED_HIT] = g_param_spec_int64 ("shared-hit", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_SHARED_READ] = g_param_spec_int64 ("shared-read", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_ANALYZED] = g_param_spec_boolean ("analyzed", NULL, NULL, FALSE, flags);
  properties[PROP_SPILLS] = g_param_spec_boolean ("spills", NULL, NULL, FALSE, flags);
  properties[PROP_CHILDREN] = g_param_spec_object ("children", NULL, NULL, G_TYPE_LIST_MODEL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lb_plan_node_init (LbPlanNode *self)
{
  self->children = g_list_store_new (LB_TYPE_PLAN_NODE);
}

static GStrv
read_keys (JsonObject *object)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *names[] = { "Sort Key", "Presorted Key", "Group Key" };

  for (guint n = 0; n < G_N_ELEMENTS (names); n++)
    {
      JsonNode *member = json_object_get_member (object, names[n]);

      if (n == 1)
        continue;   /* presorted keys are a prefix of the sort key already */
      if (member == NULL || JSON_NODE_TYPE (member) != JSON_NODE_ARRAY)
        continue;
      for (guint i = 0; i < json_array_get_length (json_node_get_array (member)); i++)
        {
          JsonNode *key = json_array_get_element (json_node_get_array (member), i);

          if (JSON_NODE_HOLDS_VALUE (key) && json_node_get_value_type (key) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (key));
        }
      break;
    }
  return g_strv_builder_end (builder);
}

static LbPlanNode *
node_new (JsonObject *object,
          LbPlanNode *parent)
{
  LbPlanNode *self = g_object_new (LB_TYPE_PLAN_NODE, NULL);
  JsonNode *plans;
  double children_total = 0;

  self->json = json_object_ref (object);
  self->parent = parent;
  if (parent != NULL)
    g_object_add_weak_pointer (G_OBJECT (parent), (gpointer *) &self->parent);
  self->sort_keys = read_keys (object);

  plans = json_object_get_member (object, "Plans");
  if (plans != NULL && JSON_NODE_TYPE (plans) == JSON_NODE_ARRAY)
    {
      JsonArray *array = json_node_get_array (plans);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *child = json_array_get_element (array, i);
          g_autoptr(LbPlanNode) node = NULL;

          if (JSON_NODE_TYPE (child) != JSON_NODE_OBJECT)
            continue;
          node = node_new (json_node_get_object (child), self);
          /* InitPlans run once for the query, not under this node's loops,
           * but their time is still inside this node's total. */
          children_total += node->actual_total;
          g_list_store_append (self->children, node);
        }
    }

  self->actual_total = get_double (self, "Actual Total Time") * MAX (get_double (self, "Actual Loops"), 0);
  self->self_time = MAX (self->actual_total - children_total, 0);
  return self;
}

LbPlanNode *
lb_plan_node_new_from_json (JsonObject *object)
{
  g_return_val_if_fail (object != NULL, NULL);

  return node_new (object, NULL);
}

const char *
lb_plan_node_get_node_type (LbPlanNode *self)
{
  g_return_val_if_fail (LB_IS_PLAN_NODE (self), NULL);
  return get_string (self, "Node Type");
}

char *
lb_plan_node_dup_title (LbPlanNode *self)
{
  GString *title;
  const char *join_type, *relation, *alias, *index, *strategy;

  g_return_val_if_fail (LB_IS_PLAN_NODE (self), NULL);

  title = g_string_new (NULL);
  strategy = get_string (self, "Strategy");
  join_type = get_string (self, "Join Type");
  if (g_strcmp0 (strategy, "Sorted") == 0 || g_strcmp0 (strategy, "Hashed") == 0)
    g_string_append_printf (title, "%s ", g_strcmp0 (strategy, "Sorted") == 0 ? "Group" : "Hash");
  /* "Update on t", as EXPLAIN's text format writes ModifyTable */
  if (g_strcmp0 (lb_plan_node_get_node_type (self), "ModifyTable") == 0 &&
      get_string (self, "Operation") != NULL)
    g_string_append (title, get_string (self, "Operation"));
  else
    g_string_append (title, lb_plan_node_get_node_type (self) != NULL
                            ? lb_plan_node_get_node_type (self) : "?");
  if (join_type != NULL && g_strcmp0 (join_type, "Inner") != 0)
    g_string_append_printf (title, " %s", join_type);
  index = lb_plan_node_get_index_name (self);
  if (index != NULL)
    g_string_append_printf (title, " using %s", index);
  relation = lb_plan_node_get_relation (self);
  if (relation != NULL)
    {
      alias = lb_plan_node_get_alias (self);
      g_string_append_printf (title, " on %s", relation);
      if (alias != NULL && g_strcmp0 (alias, relation) != 0)
        g_string_append_printf (title, " %s", alias);
    }
  return g_string_free (title, FALSE);
}

#define STRING_GETTER(fn, member) \
  const char *lb_plan_node_get_##fn (LbPlanNode *self) \
  { g_return_val_if_fail (LB_IS_PLAN_NODE (self), NULL); return get_string (self, member); }
#define DOUBLE_GETTER(fn, member) \
  double lb_plan_node_get_##fn (LbPlanNode *self) \
  { g_return_val_if_fail (LB_IS_PLAN_NODE (self), 0); return get_double (self, member); }
#define INT_GETTER(fn, member) \
  gint64 lb_plan_node_get_##fn (LbPlanNode *self) \
  { g_return_val_if_fail (LB_IS_PLAN_NODE (self), 0); return get_int (self, member); }

STRING_GETTER (relation, "Relation Name")
STRING_GETTER (schema, "Schema")
STRING_GETTER (alias, "Alias")
STRING_GETTER (index_name, "Index Name")
STRING_GETTER (join_type, "Join Type")
STRING_GETTER (parent_relationship, "Parent Relationship")
STRING_GETTER (filter, "Filter")
STRING_GETTER (index_cond, "Index Cond")
STRING_GETTER (recheck_cond, "Recheck Cond")
STRING_GETTER (hash_cond, "Hash Cond")
STRING_GETTER (merge_cond, "Merge Cond")
STRING_GETTER (join_filter, "Join Filter")
STRING_GETTER (sort_method, "Sort Method")
STRING_GETTER (sort_space_type, "Sort Space Type")
DOUBLE_GETTER (startup_cost, "Startup Cost")
DOUBLE_GETTER (total_cost, "Total Cost")
DOUBLE_GETTER (plan_rows, "Plan Rows")
DOUBLE_GETTER (actual_rows, "Actual Rows")
DOUBLE_GETTER (loops, "Actual Loops")
DOUBLE_GETTER (actual_startup_time, "Actual Startup Time")
DOUBLE_GETTER (actual_total_time, "Actual Total Time")
DOUBLE_GETTER (rows_removed_by_filter, "Rows Removed by Filter")
DOUBLE_GETTER (rows_removed_by_join_filter, "Rows Removed by Join Filter")
INT_GETTER (shared_hit, "Shared Hit Blocks")
INT_GETTER (shared_read, "Shared Read Blocks")
INT_GETTER (temp_read, "Temp Read Blocks")
INT_GETTER (temp_written, "Temp Written Blocks")
INT_GETTER (sort_space_used, "Sort Space Used")
INT_GETTER (hash_batches, "Hash Batches")
INT_GETTER (original_hash_batches, "Original Hash Batches")

int
lb_plan_node_get_plan_width (LbPlanNode *self)
{
  g_return_val_if_fail (LB_IS_PLAN_NODE (self), 0);
  return (int) get_int (self, "Plan Width");
}

const char * const *
lb_plan_node_get_sort_keys (LbPlanNode *self)
{
  g_return_val_if_fail (LB_IS_PLAN_NODE (self), NULL);
  return (const char * const *) self->sort_keys;
}

gboolean
lb_plan_node_get_analyzed (LbPlanNode *self)
{
  g_return_val_if_fail (LB_IS_PLAN_NODE (self), FALSE);
  return json_object_has_member (self->json, "Actual Loops");
}

double
lb_plan_node_get_total_time (LbPlanNode *self)
{
  g_return_val_if_fail (LB_IS_PLAN_NODE (self), 0);
  return self->actual_total;
}

double
lb_plan_node_get_self_time (LbPlanNode *self)
{
  g_return_val_if_fail (LB_IS_PLAN_NODE (self), 0);
  return self->self_time;
}

gboolean
lb_plan_node_get_spills (LbPlanNode *self)
{
  g_return_val_if_fail (LB_IS_PLAN_NODE (self), FALSE);
  return g_strcmp0 (lb_plan_node_get_sort_space_type (self), "Disk") == 0 ||
         lb_plan_node_get_hash_batches (self) > 1 ||
         g_strcmp0 (lb_plan_node_get_sort_method (self), "external merge") == 0;
}

GListModel *
lb_plan_node_get_children (LbPlanNode *self)
{
  g_return_val_if_fail (LB_IS_PLAN_NODE (self), NULL);
  return G_LIST_MODEL (self->children);
}

guint
lb_plan_node_get_n_children (LbPlanNode *self)
{
  g_return_val_if_fail (LB_IS_PLAN_NODE (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->children));
}

LbPlanNode *
lb_plan_node_get_child (LbPlanNode *self,
                        guint       index)
{
  g_autoptr(LbPlanNode) child = NULL;

  g_return_val_if_fail (LB_IS_PLAN_NODE (self), NULL);
  child = g_list_model_get_item (G_LIST_MODEL (self->children), index);
  return child;   /* the store keeps its reference */
}

LbPlanNode *
lb_plan_node_get_parent (LbPlanNode *self)
{
  g_return_val_if_fail (LB_IS_PLAN_NODE (self), NULL);
  return self->parent;
}

JsonObject *
lb_plan_node_get_json (LbPlanNode *self)
{
  g_return_val_if_fail (LB_IS_PLAN_NODE (self), NULL);
  return self->json;
}

void
lb_plan_node_foreach (LbPlanNode     *self,
                      LbPlanNodeFunc  func,
                      gpointer        user_data)
{
  g_return_if_fail (LB_IS_PLAN_NODE (self));

  func (self, user_data);
  for (guint i = 0; i < lb_plan_node_get_n_children (self); i++)
    lb_plan_node_foreach (lb_plan_node_get_child (self, i), func, user_data);
}
