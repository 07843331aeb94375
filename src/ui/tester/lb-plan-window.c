/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbPlanWindow: an LbPlanView in a window of its own, for one plan kept
 * open beside the tester (or beside another plan). */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-plan-window.h"

struct _LbPlanWindow
{
  AdwWindow       parent_instance;

  /* Template Widgets */
  AdwWindowTitle *window_title;
  GtkWidget      *sql_scroller;
  GtkLabel       *sql_label;
  LbPlanView     *plan_view;
};

G_DEFINE_FINAL_TYPE (LbPlanWindow, lb_plan_window, ADW_TYPE_WINDOW)

static void
lb_plan_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), LB_TYPE_PLAN_WINDOW);

  G_OBJECT_CLASS (lb_plan_window_parent_class)->dispose (object);
}

static void
lb_plan_window_class_init (LbPlanWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_plan_window_dispose;

  g_type_ensure (LB_TYPE_PLAN_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, APP_RESOURCE_PATH "/ui/lb-plan-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LbPlanWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, LbPlanWindow, sql_scroller);
  gtk_widget_class_bind_template_child (widget_class, LbPlanWindow, sql_label);
  gtk_widget_class_bind_template_child (widget_class, LbPlanWindow, plan_view);

  /* window.close is GtkWindow's own action. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
lb_plan_window_init (LbPlanWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

#if DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif
}

LbPlanWindow *
lb_plan_window_new (LbExplainPlan *plan,
                    const char    *name,
                    const char    *sql)
{
  LbPlanWindow *self;
  g_autofree char *title = NULL;
  g_autofree char *one_line = NULL;

  g_return_val_if_fail (LB_IS_EXPLAIN_PLAN (plan), NULL);

  self = g_object_new (LB_TYPE_PLAN_WINDOW, NULL);
  lb_plan_view_set_query (self->plan_view, name, sql);
  lb_plan_view_set_plan (self->plan_view, plan);

  /* Translators: the title of a plan window: "Plan of order_lookup" */
  title = name != NULL ? g_strdup_printf (_("Plan of %s"), name) : g_strdup (_("Query Plan"));
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, name != NULL ? name : _("Query Plan"));
  adw_window_title_set_subtitle (self->window_title,
                                 lb_explain_plan_get_analyzed (plan) ? _("EXPLAIN ANALYZE, rolled back")
                                                                     : _("EXPLAIN, estimates only"));
  if (sql != NULL)
    {
      one_line = g_strstrip (g_strdup (sql));
      gtk_label_set_text (self->sql_label, one_line);
    }
  gtk_widget_set_visible (self->sql_scroller, sql != NULL);
  /* The keys start in the tree, not in the SQL (a selectable label would
   * take the focus and show itself all selected). */
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (lb_plan_view_get_column_view (self->plan_view)));
  return self;
}

LbPlanView *
lb_plan_window_get_plan_view (LbPlanWindow *self)
{
  g_return_val_if_fail (LB_IS_PLAN_WINDOW (self), NULL);

  return self->plan_view;
}

LbExplainPlan *
lb_plan_window_get_plan (LbPlanWindow *self)
{
  g_return_val_if_fail (LB_IS_PLAN_WINDOW (self), NULL);

  return lb_plan_view_get_plan (self->plan_view);
}
