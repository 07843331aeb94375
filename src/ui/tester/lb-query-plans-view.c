/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbQueryPlansView: a row per query of the last explain, the chosen one's
 * sample in an LbPlanView. The rows are rebuilt when the plans change; the
 * explain itself is the tester window's (lb-tester-window-explain.c). */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "lb-plan-findings.h"
#include "lb-query-plans-view.h"
#include "lb-run-format.h"

struct _LbQueryPlansView
{
  AdwBin            parent_instance;

  /* Template Widgets */
  GtkDropDown      *analyze_dropdown;
  GtkLabel         *analyze_description;
  GtkStack         *button_stack;
  GtkWidget        *status_box;
  GtkSpinner       *spinner;
  GtkWidget        *error_icon;
  GtkLabel         *status_label;
  GtkStack         *main_stack;
  AdwStatusPage    *empty_page;
  GtkListBox       *query_list;
  GtkWidget        *sample_box;
  GtkDropDown      *sample_dropdown;
  GtkLabel         *sample_values;
  GtkStack         *plan_stack;
  LbPlanView       *plan_view;
  GtkLabel         *error_title;
  GtkLabel         *error_label;

  /* Owned References */
  GPtrArray        *plans;          /* of LbQueryPlans, or NULL */
  char             *status;
  char             *error;          /* the whole explain's */
  guint             selected;       /* G_MAXUINT: none */
  guint             sample;
  gboolean          busy;
  gboolean          filling;        /* the sample list is being rebuilt */
};

G_DEFINE_FINAL_TYPE (LbQueryPlansView, lb_query_plans_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_ANALYZE,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The dropdown lists the modes in this order. */
static const LbExplainAnalyze analyze_modes[] = {
  LB_EXPLAIN_ANALYZE_AUTO,
  LB_EXPLAIN_ANALYZE_NEVER,
  LB_EXPLAIN_ANALYZE_ALWAYS,
};

static char *
format_figure (double value)
{
  if (!isfinite (value))
    return g_strdup ("–");
  if (value < 10)
    return g_strdup_printf ("%.2f", value);
  if (value < 1000)
    return g_strdup_printf ("%.1f", value);
  return lb_format_count ((guint64) llround (value));
}

static char *
format_values (const char * const *values,
               guint               n)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append (out, ", ");
      if (values[i] == NULL)
        g_string_append_printf (out, "$%u = NULL", i + 1);
      else
        g_string_append_printf (out, "$%u = %s", i + 1, values[i]);
    }
  return g_string_free (out, FALSE);
}

/* The first sample's error, when no sample has a plan. */
static const char *
first_error (LbQueryPlans *plans)
{
  for (guint s = 0; s < lb_query_plans_get_n_samples (plans); s++)
    if (lb_query_plans_get_sample_error (plans, s) != NULL)
      return lb_query_plans_get_sample_error (plans, s);
  return NULL;
}

static LbQueryPlans *
selected_plans (LbQueryPlansView *self)
{
  if (self->plans == NULL || self->selected >= self->plans->len)
    return NULL;
  return g_ptr_array_index (self->plans, self->selected);
}

/* Rows ---------------------------------------------------------------------- */

static GtkWidget *
add_badge (GtkWidget  *row,
           const char *text,
           const char *css_class,
           const char *tooltip)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_add_css_class (label, "plan-badge");
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (label, tooltip);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  return label;
}

static GtkWidget *
create_query_row (LbQueryPlans *plans)
{
  GtkWidget *row = adw_action_row_new ();
  LbExplainPlan *plan = lb_query_plans_get_plan (plans);
  g_autofree char *title = g_markup_escape_text (lb_query_plans_get_name (plans), -1);
  g_autofree char *subtitle = NULL;
  guint n_shapes = lb_query_plans_get_n_distinct_plans (plans);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (lb_query_plans_get_skipped (plans) != NULL)
    {
      g_autofree char *reason = g_markup_escape_text (lb_query_plans_get_skipped (plans), -1);

      /* Translators: a query that was not explained, and why */
      subtitle = g_strdup_printf (_("Not explained: %s"), reason);
    }
  else if (plan == NULL)
    {
      const char *error = first_error (plans);
      /* The first line: the server's message, not its pointer into the statement. */
      g_autofree char *line = g_strndup (error != NULL ? error : _("no plan"),
                                         error != NULL ? strcspn (error, "\n") : G_MAXSIZE);
      g_autofree char *escaped = g_markup_escape_text (line, -1);

      subtitle = g_strdup_printf (_("Failed: %s"), escaped);
      gtk_widget_add_css_class (row, "plan-query-error");
      {
        GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-error-symbolic");

        gtk_widget_add_css_class (icon, "error");
        adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      }
    }
  else
    {
      g_autofree char *cost = format_figure (lb_explain_plan_get_total_cost (plan));

      if (lb_explain_plan_get_analyzed (plan))
        {
          g_autofree char *ms = format_figure (lb_explain_plan_get_execution_time (plan));

          subtitle = g_strdup_printf (_("%s ms · cost %s"), ms, cost);
        }
      else
        subtitle = g_strdup_printf (_("cost %s · estimates only"), cost);
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);

  if (n_shapes > 1)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u plan", "%u plans", n_shapes),
                                               n_shapes);

      add_badge (row, text, "plans-differ",
                 _("The samples got different plans: the plan changes with the parameters. Pick a sample below."));
    }
  if (plan != NULL)
    {
      g_autoptr(GPtrArray) findings = lb_plan_findings_collect (plan);

      if (findings->len > 0)
        {
          g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u finding", "%u findings",
                                                                findings->len),
                                                   findings->len);

          add_badge (row, text, "findings", _("Findings in the first sample’s plan"));
        }
    }
  return row;
}

static void
update_plan (LbQueryPlansView *self)
{
  LbQueryPlans *plans = selected_plans (self);
  LbExplainPlan *plan = NULL;
  const char *error = NULL;
  guint n_values = 0;
  const char * const *values = NULL;
  g_autofree char *values_text = NULL;

  if (plans != NULL && self->sample < lb_query_plans_get_n_samples (plans))
    {
      plan = lb_query_plans_get_sample_plan (plans, self->sample);
      error = lb_query_plans_get_sample_error (plans, self->sample);
      values = lb_query_plans_get_sample_values (plans, self->sample, &n_values);
    }

  if (plans != NULL)
    lb_plan_view_set_query (self->plan_view, lb_query_plans_get_name (plans), lb_query_plans_get_sql (plans));
  lb_plan_view_set_plan (self->plan_view, plan);
  values_text = format_values (values, n_values);
  gtk_label_set_text (self->sample_values, values_text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->sample_values), values_text);

  if (plan != NULL)
    {
      gtk_stack_set_visible_child_name (self->plan_stack, "plan");
      gtk_label_set_text (self->error_label, "");
    }
  else
    {
      gtk_stack_set_visible_child_name (self->plan_stack, "error");
      if (plans != NULL && lb_query_plans_get_skipped (plans) != NULL)
        {
          gtk_label_set_text (self->error_title, _("Not Explained"));
          gtk_label_set_text (self->error_label, lb_query_plans_get_skipped (plans));
        }
      else
        {
          gtk_label_set_text (self->error_title, _("The Server Refused to Plan This Query"));
          gtk_label_set_text (self->error_label, error != NULL ? error : "");
        }
    }
}

static void
fill_samples (LbQueryPlansView *self)
{
  LbQueryPlans *plans = selected_plans (self);
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  guint n = plans != NULL ? lb_query_plans_get_n_samples (plans) : 0;
  guint n_shapes = plans != NULL ? lb_query_plans_get_n_distinct_plans (plans) : 0;

  for (guint s = 0; s < n; s++)
    {
      g_autofree char *text = NULL;

      if (lb_query_plans_get_sample_plan (plans, s) == NULL)
        text = g_strdup_printf (_("Sample %u (failed)"), s + 1);
      else if (n_shapes > 1)
        /* Translators: "Sample 2 · plan 1 of 2" */
        text = g_strdup_printf (_("Sample %u · plan %u of %u"), s + 1,
                                lb_query_plans_get_sample_shape (plans, s) + 1, n_shapes);
      else
        text = g_strdup_printf (_("Sample %u"), s + 1);
      gtk_string_list_append (list, text);
    }

  self->filling = TRUE;
  gtk_drop_down_set_model (self->sample_dropdown, G_LIST_MODEL (list));
  self->sample = 0;
  if (n > 0)
    gtk_drop_down_set_selected (self->sample_dropdown, 0);
  self->filling = FALSE;
  gtk_widget_set_visible (self->sample_box, n > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sample_dropdown), n > 1);
}

static void
sample_selected_cb (LbQueryPlansView *self)
{
  guint sample = gtk_drop_down_get_selected (self->sample_dropdown);

  if (self->filling || sample == GTK_INVALID_LIST_POSITION || sample == self->sample)
    return;
  self->sample = sample;
  update_plan (self);
}

static void
query_selected_cb (LbQueryPlansView *self,
                   GtkListBoxRow    *row)
{
  guint index = row != NULL ? (guint) gtk_list_box_row_get_index (row) : G_MAXUINT;

  if (index == self->selected)
    return;
  self->selected = index;
  fill_samples (self);
  update_plan (self);
}

static void
update_status (LbQueryPlansView *self)
{
  const char *text = self->busy ? self->status : self->error;

  gtk_label_set_text (self->status_label, text != NULL ? text : "");
  gtk_widget_set_visible (self->status_box, text != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->busy);
  gtk_spinner_set_spinning (self->spinner, self->busy);
  gtk_widget_set_visible (self->error_icon, !self->busy && self->error != NULL);
  if (self->busy || self->error == NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "plan-error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "plan-error");
  gtk_stack_set_visible_child_name (self->button_stack, self->busy ? "cancel" : "explain");
  if (self->busy)
    {
      adw_status_page_set_title (self->empty_page, _("Explaining the Queries"));
      adw_status_page_set_description (self->empty_page,
                                       _("Each query is explained with parameters drawn as a run draws them, "
                                         "in a transaction that is always rolled back."));
    }
  else
    {
      adw_status_page_set_title (self->empty_page, _("No Plans Yet"));
      adw_status_page_set_description (self->empty_page,
                                       _("Explain the script’s queries (Ctrl+E) to see how the server runs them, "
                                         "with parameters drawn as a run draws them, in a transaction that is "
                                         "always rolled back."));
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->analyze_dropdown), !self->busy);
}

static void
analyze_selected_cb (LbQueryPlansView *self)
{
  LbExplainAnalyze analyze = lb_query_plans_view_get_analyze (self);

  gtk_label_set_text (self->analyze_description, lb_explain_analyze_describe (analyze));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ANALYZE]);
}

/* Parent overrides --------------------------------------------------------- */

static void
lb_query_plans_view_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  LbQueryPlansView *self = LB_QUERY_PLANS_VIEW (object);

  switch (prop_id)
    {
    case PROP_ANALYZE:
      g_value_set_int (value, lb_query_plans_view_get_analyze (self));
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_query_plans_view_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  LbQueryPlansView *self = LB_QUERY_PLANS_VIEW (object);

  switch (prop_id)
    {
    case PROP_ANALYZE:
      lb_query_plans_view_set_analyze (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_query_plans_view_dispose (GObject *object)
{
  LbQueryPlansView *self = LB_QUERY_PLANS_VIEW (object);

  /* The list selects nothing as it goes: nothing to show any more. */
  if (self->query_list != NULL)
    g_signal_handlers_disconnect_by_data (self->query_list, self);
  if (self->sample_dropdown != NULL)
    g_signal_handlers_disconnect_by_data (self->sample_dropdown, self);
  if (self->analyze_dropdown != NULL)
    g_signal_handlers_disconnect_by_data (self->analyze_dropdown, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_QUERY_PLANS_VIEW);
  g_clear_pointer (&self->plans, g_ptr_array_unref);

  G_OBJECT_CLASS (lb_query_plans_view_parent_class)->dispose (object);
}

static void
lb_query_plans_view_finalize (GObject *object)
{
  LbQueryPlansView *self = LB_QUERY_PLANS_VIEW (object);

  g_free (self->status);
  g_free (self->error);

  G_OBJECT_CLASS (lb_query_plans_view_parent_class)->finalize (object);
}

static void
lb_query_plans_view_class_init (LbQueryPlansViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_query_plans_view_dispose;
  object_class->finalize = lb_query_plans_view_finalize;
  object_class->get_property = lb_query_plans_view_get_property;
  object_class->set_property = lb_query_plans_view_set_property;

  properties[PROP_ANALYZE] =
    g_param_spec_int ("analyze", NULL, NULL, LB_EXPLAIN_ANALYZE_AUTO, LB_EXPLAIN_ANALYZE_ALWAYS,
                      LB_EXPLAIN_ANALYZE_AUTO,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (LB_TYPE_PLAN_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, APP_RESOURCE_PATH "/ui/lb-query-plans-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LbQueryPlansView, analyze_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LbQueryPlansView, analyze_description);
  gtk_widget_class_bind_template_child (widget_class, LbQueryPlansView, button_stack);
  gtk_widget_class_bind_template_child (widget_class, LbQueryPlansView, status_box);
  gtk_widget_class_bind_template_child (widget_class, LbQueryPlansView, spinner);
  gtk_widget_class_bind_template_child (widget_class, LbQueryPlansView, error_icon);
  gtk_widget_class_bind_template_child (widget_class, LbQueryPlansView, status_label);
  gtk_widget_class_bind_template_child (widget_class, LbQueryPlansView, main_stack);
  gtk_widget_class_bind_template_child (widget_class, LbQueryPlansView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, LbQueryPlansView, query_list);
  gtk_widget_class_bind_template_child (widget_class, LbQueryPlansView, sample_box);
  gtk_widget_class_bind_template_child (widget_class, LbQueryPlansView, sample_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LbQueryPlansView, sample_values);
  gtk_widget_class_bind_template_child (widget_class, LbQueryPlansView, plan_stack);
  gtk_widget_class_bind_template_child (widget_class, LbQueryPlansView, plan_view);
  gtk_widget_class_bind_template_child (widget_class, LbQueryPlansView, error_title);
  gtk_widget_class_bind_template_child (widget_class, LbQueryPlansView, error_label);
}

static void
lb_query_plans_view_init (LbQueryPlansView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->selected = G_MAXUINT;
  g_signal_connect_object (self->analyze_dropdown, "notify::selected", G_CALLBACK (analyze_selected_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->sample_dropdown, "notify::selected", G_CALLBACK (sample_selected_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->query_list, "row-selected", G_CALLBACK (query_selected_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_label_set_text (self->analyze_description, lb_explain_analyze_describe (LB_EXPLAIN_ANALYZE_AUTO));
  update_status (self);
}

/* Public API --------------------------------------------------------------- */

GtkWidget *
lb_query_plans_view_new (void)
{
  return g_object_new (LB_TYPE_QUERY_PLANS_VIEW, NULL);
}

void
lb_query_plans_view_set_plans (LbQueryPlansView *self,
                               GPtrArray        *plans)
{
  GtkWidget *child;
  guint first = G_MAXUINT;

  g_return_if_fail (LB_IS_QUERY_PLANS_VIEW (self));

  if (plans != NULL)
    g_ptr_array_ref (plans);
  g_clear_pointer (&self->plans, g_ptr_array_unref);
  self->plans = plans;

  /* Rebuilt without a selection; the first query with a plan is chosen. */
  self->selected = G_MAXUINT;
  self->filling = TRUE;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->query_list))) != NULL)
    gtk_list_box_remove (self->query_list, child);
  self->filling = FALSE;
  for (guint i = 0; plans != NULL && i < plans->len; i++)
    {
      LbQueryPlans *query = g_ptr_array_index (plans, i);

      gtk_list_box_append (self->query_list, create_query_row (query));
      if (first == G_MAXUINT && lb_query_plans_get_plan (query) != NULL)
        first = i;
    }

  gtk_stack_set_visible_child_name (self->main_stack, plans != NULL && plans->len > 0 ? "plans" : "empty");
  if (plans != NULL && plans->len > 0)
    lb_query_plans_view_select_query (self, first != G_MAXUINT ? first : 0);
  else
    {
      fill_samples (self);
      update_plan (self);
    }
}

GPtrArray *
lb_query_plans_view_get_plans (LbQueryPlansView *self)
{
  g_return_val_if_fail (LB_IS_QUERY_PLANS_VIEW (self), NULL);

  return self->plans;
}

void
lb_query_plans_view_set_busy (LbQueryPlansView *self,
                              gboolean          busy)
{
  g_return_if_fail (LB_IS_QUERY_PLANS_VIEW (self));

  busy = !!busy;
  if (busy)
    {
      g_clear_pointer (&self->error, g_free);
      g_free (self->status);
      self->status = g_strdup (_("Connecting…"));
    }
  if (self->busy != busy)
    {
      self->busy = busy;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
    }
  update_status (self);
}

void
lb_query_plans_view_set_progress (LbQueryPlansView *self,
                                  guint             query,
                                  guint             n_queries)
{
  g_autofree char *text = NULL;

  g_return_if_fail (LB_IS_QUERY_PLANS_VIEW (self));

  if (n_queries == 0 || query == 0)
    text = g_strdup (_("Connecting…"));
  else
    text = g_strdup_printf (_("Explaining query %u of %u…"), query, n_queries);
  if (g_strcmp0 (text, self->status) == 0)
    return;
  g_free (self->status);
  self->status = g_steal_pointer (&text);
  update_status (self);
}

gboolean
lb_query_plans_view_get_busy (LbQueryPlansView *self)
{
  g_return_val_if_fail (LB_IS_QUERY_PLANS_VIEW (self), FALSE);

  return self->busy;
}

void
lb_query_plans_view_set_error (LbQueryPlansView *self,
                               const char       *message)
{
  g_return_if_fail (LB_IS_QUERY_PLANS_VIEW (self));

  g_free (self->error);
  self->error = g_strdup (message);
  update_status (self);
}

LbExplainAnalyze
lb_query_plans_view_get_analyze (LbQueryPlansView *self)
{
  guint selected;

  g_return_val_if_fail (LB_IS_QUERY_PLANS_VIEW (self), LB_EXPLAIN_ANALYZE_AUTO);

  selected = gtk_drop_down_get_selected (self->analyze_dropdown);
  return selected < G_N_ELEMENTS (analyze_modes) ? analyze_modes[selected] : LB_EXPLAIN_ANALYZE_AUTO;
}

void
lb_query_plans_view_set_analyze (LbQueryPlansView *self,
                                 LbExplainAnalyze  analyze)
{
  g_return_if_fail (LB_IS_QUERY_PLANS_VIEW (self));

  for (guint i = 0; i < G_N_ELEMENTS (analyze_modes); i++)
    if (analyze_modes[i] == analyze)
      gtk_drop_down_set_selected (self->analyze_dropdown, i);
}

void
lb_query_plans_view_select_query (LbQueryPlansView *self,
                                  guint             query)
{
  GtkListBoxRow *row;

  g_return_if_fail (LB_IS_QUERY_PLANS_VIEW (self));

  row = gtk_list_box_get_row_at_index (self->query_list, (int) MIN (query, G_MAXINT));
  if (row == NULL)
    gtk_list_box_unselect_all (self->query_list);
  else
    gtk_list_box_select_row (self->query_list, row);
}

guint
lb_query_plans_view_get_selected_query (LbQueryPlansView *self)
{
  g_return_val_if_fail (LB_IS_QUERY_PLANS_VIEW (self), G_MAXUINT);

  return self->selected;
}

void
lb_query_plans_view_select_sample (LbQueryPlansView *self,
                                   guint             sample)
{
  g_return_if_fail (LB_IS_QUERY_PLANS_VIEW (self));

  gtk_drop_down_set_selected (self->sample_dropdown, sample);
}

guint
lb_query_plans_view_get_selected_sample (LbQueryPlansView *self)
{
  g_return_val_if_fail (LB_IS_QUERY_PLANS_VIEW (self), 0);

  return self->sample;
}

LbPlanView *
lb_query_plans_view_get_plan_view (LbQueryPlansView *self)
{
  g_return_val_if_fail (LB_IS_QUERY_PLANS_VIEW (self), NULL);

  return self->plan_view;
}

GtkListBox *
lb_query_plans_view_get_query_list (LbQueryPlansView *self)
{
  g_return_val_if_fail (LB_IS_QUERY_PLANS_VIEW (self), NULL);

  return self->query_list;
}

GtkDropDown *
lb_query_plans_view_get_sample_dropdown (LbQueryPlansView *self)
{
  g_return_val_if_fail (LB_IS_QUERY_PLANS_VIEW (self), NULL);

  return self->sample_dropdown;
}

const char *
lb_query_plans_view_get_status (LbQueryPlansView *self)
{
  g_return_val_if_fail (LB_IS_QUERY_PLANS_VIEW (self), NULL);

  return gtk_label_get_text (self->status_label);
}

const char *
lb_query_plans_view_get_sample_error (LbQueryPlansView *self)
{
  g_return_val_if_fail (LB_IS_QUERY_PLANS_VIEW (self), NULL);

  return gtk_label_get_text (self->error_label);
}
