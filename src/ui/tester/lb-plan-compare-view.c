/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbPlanCompareView: a query's plan before and after an index change. */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-plan-compare-view.h"
#include "lb-run-format.h"

struct _LbPlanCompareView
{
  AdwBin         parent_instance;

  /* Template Widgets */
  GtkDropDown   *query_dropdown;
  GtkStringList *query_names;
  GtkLabel      *summary_label;
  GtkToggleButton *before_button;
  GtkToggleButton *after_button;
  GtkStack      *side_stack;
  GtkLabel      *before_title;
  GtkLabel      *after_title;
  LbPlanView    *before_view;
  LbPlanView    *after_view;

  /* Owned References */
  GPtrArray     *before;     /* LbQueryPlans */
  GPtrArray     *after;
  GArray        *offered;    /* guint: query indexes, in the dropdown's order */
};

G_DEFINE_FINAL_TYPE (LbPlanCompareView, lb_plan_compare_view, ADW_TYPE_BIN)

static LbQueryPlans *
find_query (GPtrArray *all,
            guint      index)
{
  for (guint i = 0; all != NULL && i < all->len; i++)
    if (lb_query_plans_get_query_index (g_ptr_array_index (all, i)) == index)
      return g_ptr_array_index (all, i);
  return NULL;
}

static char *
describe_plan (LbExplainPlan *plan)
{
  g_autofree char *cost = lb_format_rate (lb_explain_plan_get_total_cost (plan));

  if (lb_explain_plan_get_analyzed (plan))
    {
      g_autofree char *ms = lb_format_ms (lb_explain_plan_get_execution_time (plan));

      /* Translators: "cost 4,108, 11.2 ms" */
      return g_strdup_printf (_("cost %s, %s ms"), cost, ms);
    }
  return g_strdup_printf (_("cost %s"), cost);
}

static void
show_selected (LbPlanCompareView *self)
{
  guint position = gtk_drop_down_get_selected (self->query_dropdown);
  LbQueryPlans *before = NULL, *after = NULL;
  LbExplainPlan *plan_before = NULL, *plan_after = NULL;

  g_assert (LB_IS_PLAN_COMPARE_VIEW (self));

  if (position != GTK_INVALID_LIST_POSITION && position < self->offered->len)
    {
      guint index = g_array_index (self->offered, guint, position);

      before = find_query (self->before, index);
      after = find_query (self->after, index);
    }
  plan_before = before != NULL ? lb_query_plans_get_plan (before) : NULL;
  plan_after = after != NULL ? lb_query_plans_get_plan (after) : NULL;
  lb_plan_view_set_plan (self->before_view, plan_before);
  lb_plan_view_set_plan (self->after_view, plan_after);
  if (before != NULL)
    lb_plan_view_set_query (self->before_view, lb_query_plans_get_name (before), lb_query_plans_get_sql (before));
  if (after != NULL)
    lb_plan_view_set_query (self->after_view, lb_query_plans_get_name (after), lb_query_plans_get_sql (after));

  if (plan_before != NULL && plan_after != NULL)
    {
      g_autofree char *b = describe_plan (plan_before);
      g_autofree char *a = describe_plan (plan_after);
      g_autofree char *tb = lb_plan_node_dup_title (lb_explain_plan_get_root (plan_before));
      g_autofree char *ta = lb_plan_node_dup_title (lb_explain_plan_get_root (plan_after));
      g_autofree char *summary = NULL;
      g_autofree char *title_before = NULL;
      g_autofree char *title_after = NULL;

      if (g_strcmp0 (lb_explain_plan_get_signature (plan_before), lb_explain_plan_get_signature (plan_after)) == 0)
        /* Translators: "cost 4,108, 11.2 ms → cost 4,100, 11.0 ms; the plan is the same" */
        summary = g_strdup_printf (_("%s → %s; the plan is the same"), b, a);
      else
        summary = g_strdup_printf (_("%s → %s; the plan changed"), b, a);
      gtk_label_set_text (self->summary_label, summary);
      /* Translators: the heading over the plan before: "Before: Seq Scan on customer" */
      title_before = g_strdup_printf (_("Before: %s"), tb);
      title_after = g_strdup_printf (_("After: %s"), ta);
      gtk_label_set_text (self->before_title, title_before);
      gtk_label_set_text (self->after_title, title_after);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->before_title), title_before);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->after_title), title_after);
    }
  else
    {
      gtk_label_set_text (self->summary_label, _("No plan to compare for this query"));
      gtk_label_set_text (self->before_title, _("Before"));
      gtk_label_set_text (self->after_title, _("After"));
    }
}

static void
side_toggled_cb (LbPlanCompareView *self)
{
  g_assert (LB_IS_PLAN_COMPARE_VIEW (self));

  gtk_stack_set_visible_child_name (self->side_stack,
                                    gtk_toggle_button_get_active (self->after_button) ? "after" : "before");
}

static void
lb_plan_compare_view_dispose (GObject *object)
{
  LbPlanCompareView *self = LB_PLAN_COMPARE_VIEW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_PLAN_COMPARE_VIEW);
  g_clear_pointer (&self->before, g_ptr_array_unref);
  g_clear_pointer (&self->after, g_ptr_array_unref);

  G_OBJECT_CLASS (lb_plan_compare_view_parent_class)->dispose (object);
}

static void
lb_plan_compare_view_finalize (GObject *object)
{
  LbPlanCompareView *self = LB_PLAN_COMPARE_VIEW (object);

  g_clear_pointer (&self->offered, g_array_unref);

  G_OBJECT_CLASS (lb_plan_compare_view_parent_class)->finalize (object);
}

static void
lb_plan_compare_view_class_init (LbPlanCompareViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_plan_compare_view_dispose;
  object_class->finalize = lb_plan_compare_view_finalize;

  g_type_ensure (LB_TYPE_PLAN_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, APP_RESOURCE_PATH "/ui/lb-plan-compare-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LbPlanCompareView, query_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LbPlanCompareView, query_names);
  gtk_widget_class_bind_template_child (widget_class, LbPlanCompareView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, LbPlanCompareView, before_button);
  gtk_widget_class_bind_template_child (widget_class, LbPlanCompareView, after_button);
  gtk_widget_class_bind_template_child (widget_class, LbPlanCompareView, side_stack);
  gtk_widget_class_bind_template_child (widget_class, LbPlanCompareView, before_title);
  gtk_widget_class_bind_template_child (widget_class, LbPlanCompareView, after_title);
  gtk_widget_class_bind_template_child (widget_class, LbPlanCompareView, before_view);
  gtk_widget_class_bind_template_child (widget_class, LbPlanCompareView, after_view);
}

static void
lb_plan_compare_view_init (LbPlanCompareView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->offered = g_array_new (FALSE, FALSE, sizeof (guint));
  g_signal_connect_object (self->query_dropdown, "notify::selected", G_CALLBACK (show_selected), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->after_button, "toggled", G_CALLBACK (side_toggled_cb), self, G_CONNECT_SWAPPED);
}

GtkWidget *
lb_plan_compare_view_new (void)
{
  return g_object_new (LB_TYPE_PLAN_COMPARE_VIEW, NULL);
}

void
lb_plan_compare_view_set_plans (LbPlanCompareView  *self,
                                GPtrArray          *before,
                                GPtrArray          *after,
                                const char * const *queries)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_null_terminated (0, NULL, TRUE);

  g_return_if_fail (LB_IS_PLAN_COMPARE_VIEW (self));

  if (before != NULL)
    g_ptr_array_ref (before);
  if (after != NULL)
    g_ptr_array_ref (after);
  g_clear_pointer (&self->before, g_ptr_array_unref);
  g_clear_pointer (&self->after, g_ptr_array_unref);
  self->before = before;
  self->after = after;

  g_array_set_size (self->offered, 0);
  for (guint i = 0; before != NULL && i < before->len; i++)
    {
      LbQueryPlans *b = g_ptr_array_index (before, i);
      LbQueryPlans *a = find_query (after, lb_query_plans_get_query_index (b));

      if (a == NULL || lb_query_plans_get_plan (b) == NULL || lb_query_plans_get_plan (a) == NULL)
        continue;
      if (queries != NULL && !g_strv_contains (queries, lb_query_plans_get_name (b)))
        continue;
      g_array_append_val (self->offered, (guint) { lb_query_plans_get_query_index (b) });
      g_ptr_array_add (names, (gpointer) lb_query_plans_get_name (b));
    }
  gtk_string_list_splice (self->query_names, 0, g_list_model_get_n_items (G_LIST_MODEL (self->query_names)),
                          names->len > 0 ? (const char * const *) names->pdata : NULL);
  gtk_drop_down_set_selected (self->query_dropdown, self->offered->len > 0 ? 0 : GTK_INVALID_LIST_POSITION);
  show_selected (self);
}

guint
lb_plan_compare_view_get_n_queries (LbPlanCompareView *self)
{
  g_return_val_if_fail (LB_IS_PLAN_COMPARE_VIEW (self), 0);

  return self->offered->len;
}

void
lb_plan_compare_view_select (LbPlanCompareView *self,
                             guint              position)
{
  g_return_if_fail (LB_IS_PLAN_COMPARE_VIEW (self));
  g_return_if_fail (position < self->offered->len);

  gtk_drop_down_set_selected (self->query_dropdown, position);
}

const char *
lb_plan_compare_view_get_query_name (LbPlanCompareView *self)
{
  guint position;
  LbQueryPlans *q;

  g_return_val_if_fail (LB_IS_PLAN_COMPARE_VIEW (self), NULL);

  position = gtk_drop_down_get_selected (self->query_dropdown);
  if (position == GTK_INVALID_LIST_POSITION || position >= self->offered->len)
    return NULL;
  q = find_query (self->before, g_array_index (self->offered, guint, position));
  return q != NULL ? lb_query_plans_get_name (q) : NULL;
}

LbPlanView *
lb_plan_compare_view_get_before_view (LbPlanCompareView *self)
{
  g_return_val_if_fail (LB_IS_PLAN_COMPARE_VIEW (self), NULL);

  return self->before_view;
}

LbPlanView *
lb_plan_compare_view_get_after_view (LbPlanCompareView *self)
{
  g_return_val_if_fail (LB_IS_PLAN_COMPARE_VIEW (self), NULL);

  return self->after_view;
}

const char *
lb_plan_compare_view_get_summary (LbPlanCompareView *self)
{
  g_return_val_if_fail (LB_IS_PLAN_COMPARE_VIEW (self), NULL);

  return gtk_label_get_text (self->summary_label);
}

void
lb_plan_compare_view_show_after (LbPlanCompareView *self,
                                 gboolean           after)
{
  g_return_if_fail (LB_IS_PLAN_COMPARE_VIEW (self));

  gtk_toggle_button_set_active (after ? self->after_button : self->before_button, TRUE);
}

gboolean
lb_plan_compare_view_get_show_after (LbPlanCompareView *self)
{
  g_return_val_if_fail (LB_IS_PLAN_COMPARE_VIEW (self), FALSE);

  return gtk_toggle_button_get_active (self->after_button);
}
