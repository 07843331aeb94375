/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbIndexAdviceView: the index advice of the Query Plans page, ticked for
 * Apply and Compare, with the progress of the work the window does. */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-index-advice-view.h"
#include "lb-run-format.h"

typedef struct
{
  GtkCheckButton *check;
  GtkLabel       *statement;
  char           *prediction;
} Row;

struct _LbIndexAdviceView
{
  AdwBin          parent_instance;

  /* Template Widgets */
  GtkLabel       *title_label;
  GtkLabel       *subtitle_label;
  GtkButton      *apply_button;
  GtkButton      *undo_button;
  GtkWidget      *progress_box;
  GtkLabel       *progress_title;
  GtkLabel       *progress_detail;
  GtkProgressBar *progress_bar;
  GtkWidget      *list_scroller;
  GtkListBox     *list;

  /* Owned References */
  GPtrArray      *advice;       /* LbIndexAdvice */
  GArray         *rows;         /* Row */
  char           *hypopg_message;
  char           *error;
  gboolean        loading;
  gboolean        busy;
  guint           n_created;
};

G_DEFINE_FINAL_TYPE (LbIndexAdviceView, lb_index_advice_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_N_CHECKED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
row_clear (gpointer data)
{
  Row *row = data;

  g_clear_pointer (&row->prediction, g_free);
}

static void
update (LbIndexAdviceView *self)
{
  guint n = self->advice != NULL ? self->advice->len : 0;
  guint checked = lb_index_advice_view_get_n_checked (self);
  g_autofree char *subtitle = NULL;

  g_assert (LB_IS_INDEX_ADVICE_VIEW (self));

  gtk_widget_set_visible (GTK_WIDGET (self), self->loading || self->error != NULL || self->advice != NULL
                                             || self->busy || self->n_created > 0);
  if (self->loading)
    subtitle = g_strdup (_("Looking for indexes that would help, from the plans…"));
  else if (self->error != NULL)
    subtitle = g_strdup (self->error);
  else if (n == 0 && self->n_created > 0)
    subtitle = g_strdup (_("No more advice with the indexes in place."));
  else if (n == 0)
    subtitle = g_strdup (_("No index to advise: no plan has a selective scan that an index would serve better."));
  else if (self->hypopg_message != NULL)
    subtitle = g_strdup_printf (_("%s: no prediction of the plans with the indexes."), self->hypopg_message);
  else
    subtitle = g_strdup (_("From the plans’ filters, joins and sort keys; the predictions are hypopg’s, "
                           "with hypothetical indexes."));
  gtk_label_set_text (self->subtitle_label, subtitle);
  gtk_widget_set_visible (self->list_scroller, n > 0 && !self->loading);
  gtk_widget_set_visible (self->progress_box, self->busy);
  gtk_widget_set_visible (GTK_WIDGET (self->apply_button), !self->busy && n > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->apply_button), checked > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->undo_button), !self->busy && self->n_created > 0);
  for (guint i = 0; self->rows != NULL && i < self->rows->len; i++)
    gtk_widget_set_sensitive (GTK_WIDGET (g_array_index (self->rows, Row, i).check), !self->busy);
}

static void
check_toggled_cb (LbIndexAdviceView *self)
{
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CHECKED]);
}

static char *
join_queries (const LbIndexAdvice *a)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; a->queries != NULL && i < a->queries->len; i++)
    {
      if (i > 0)
        g_string_append (out, ", ");
      g_string_append (out, g_ptr_array_index (a->queries, i));
    }
  return g_string_free (out, FALSE);
}

static char *
describe_prediction (LbIndexAdviceView   *self,
                     const LbIndexAdvice *a)
{
  if (a->predicted)
    {
      g_autofree char *before = lb_format_rate (a->cost_before);
      g_autofree char *after = lb_format_rate (a->cost_after);

      if (a->uses_index)
        /* Translators: "Predicted cost of by_email 4,108 → 8.06: the plan uses the index" */
        return g_strdup_printf (_("Predicted cost of %s %s → %s: the plan uses the index"),
                                a->predicted_query, before, after);
      return g_strdup_printf (_("Predicted cost of %s %s → %s: the planner would not use the index"),
                              a->predicted_query, before, after);
    }
  if (a->predict_error != NULL)
    return g_strdup_printf (_("No prediction: %s"), a->predict_error);
  if (self->hypopg_message != NULL)
    return g_strdup_printf (_("%s: no prediction"), self->hypopg_message);
  return g_strdup (_("No prediction"));
}

static GtkWidget *
make_row (LbIndexAdviceView   *self,
          const LbIndexAdvice *a,
          Row                 *row)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *check = gtk_check_button_new ();
  GtkWidget *statement = gtk_label_new (a->statement);
  g_autofree char *queries = join_queries (a);
  g_autofree char *serves = NULL;
  GtkWidget *serves_label;

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_widget_set_valign (check, GTK_ALIGN_START);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), !a->predicted || a->uses_index);
  gtk_widget_set_tooltip_text (check, _("Create this index with Apply and Compare"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL, a->name, -1);
  g_signal_connect_object (check, "toggled", G_CALLBACK (check_toggled_cb), self, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (box), check);

  gtk_widget_set_hexpand (text, TRUE);
  gtk_label_set_xalign (GTK_LABEL (statement), 0);
  gtk_label_set_wrap (GTK_LABEL (statement), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (statement), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (statement), TRUE);
  gtk_widget_add_css_class (statement, "monospace");
  gtk_box_append (GTK_BOX (text), statement);

  row->prediction = describe_prediction (self, a);
  /* Translators: "For by_email · Predicted cost of by_email 4,108 → 8.06: the plan uses the index" */
  serves = g_strdup_printf (_("For %s · %s"), queries[0] != '\0' ? queries : _("the script"), row->prediction);
  serves_label = gtk_label_new (serves);
  gtk_label_set_xalign (GTK_LABEL (serves_label), 0);
  gtk_label_set_wrap (GTK_LABEL (serves_label), TRUE);
  /* Why: the condition of the plan it serves. */
  gtk_widget_set_tooltip_text (serves_label, a->reason);
  gtk_widget_add_css_class (serves_label, "caption");
  if (a->predicted && a->uses_index)
    gtk_widget_add_css_class (serves_label, "success");
  else if (a->predicted)
    gtk_widget_add_css_class (serves_label, "warning");
  else
    gtk_widget_add_css_class (serves_label, "dim-label");
  gtk_box_append (GTK_BOX (text), serves_label);
  gtk_box_append (GTK_BOX (box), text);

  row->check = GTK_CHECK_BUTTON (check);
  row->statement = GTK_LABEL (statement);
  return box;
}

static void
rebuild (LbIndexAdviceView *self)
{
  GtkWidget *child;

  g_assert (LB_IS_INDEX_ADVICE_VIEW (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  g_array_set_size (self->rows, 0);
  for (guint i = 0; self->advice != NULL && i < self->advice->len; i++)
    {
      Row row = { 0 };
      GtkWidget *widget = make_row (self, g_ptr_array_index (self->advice, i), &row);

      g_array_append_val (self->rows, row);
      gtk_list_box_append (self->list, widget);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (gtk_widget_get_parent (widget)), FALSE);
    }
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CHECKED]);
}

static void
lb_index_advice_view_dispose (GObject *object)
{
  LbIndexAdviceView *self = LB_INDEX_ADVICE_VIEW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_INDEX_ADVICE_VIEW);
  g_clear_pointer (&self->advice, g_ptr_array_unref);

  G_OBJECT_CLASS (lb_index_advice_view_parent_class)->dispose (object);
}

static void
lb_index_advice_view_finalize (GObject *object)
{
  LbIndexAdviceView *self = LB_INDEX_ADVICE_VIEW (object);

  g_clear_pointer (&self->rows, g_array_unref);
  g_clear_pointer (&self->hypopg_message, g_free);
  g_clear_pointer (&self->error, g_free);

  G_OBJECT_CLASS (lb_index_advice_view_parent_class)->finalize (object);
}

static void
lb_index_advice_view_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  LbIndexAdviceView *self = LB_INDEX_ADVICE_VIEW (object);

  switch (prop_id)
    {
    case PROP_N_CHECKED:
      g_value_set_uint (value, lb_index_advice_view_get_n_checked (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_index_advice_view_class_init (LbIndexAdviceViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_index_advice_view_dispose;
  object_class->finalize = lb_index_advice_view_finalize;
  object_class->get_property = lb_index_advice_view_get_property;

  properties[PROP_N_CHECKED] =
    g_param_spec_uint ("n-checked", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, APP_RESOURCE_PATH "/ui/lb-index-advice-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LbIndexAdviceView, title_label);
  gtk_widget_class_bind_template_child (widget_class, LbIndexAdviceView, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, LbIndexAdviceView, apply_button);
  gtk_widget_class_bind_template_child (widget_class, LbIndexAdviceView, undo_button);
  gtk_widget_class_bind_template_child (widget_class, LbIndexAdviceView, progress_box);
  gtk_widget_class_bind_template_child (widget_class, LbIndexAdviceView, progress_title);
  gtk_widget_class_bind_template_child (widget_class, LbIndexAdviceView, progress_detail);
  gtk_widget_class_bind_template_child (widget_class, LbIndexAdviceView, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LbIndexAdviceView, list_scroller);
  gtk_widget_class_bind_template_child (widget_class, LbIndexAdviceView, list);
}

static void
lb_index_advice_view_init (LbIndexAdviceView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = g_array_new (FALSE, TRUE, sizeof (Row));
  g_array_set_clear_func (self->rows, row_clear);
  update (self);
}

GtkWidget *
lb_index_advice_view_new (void)
{
  return g_object_new (LB_TYPE_INDEX_ADVICE_VIEW, NULL);
}

void
lb_index_advice_view_set_advice (LbIndexAdviceView *self,
                                 GPtrArray         *advice,
                                 const char        *hypopg_message)
{
  g_return_if_fail (LB_IS_INDEX_ADVICE_VIEW (self));

  if (advice != NULL)
    g_ptr_array_ref (advice);
  g_clear_pointer (&self->advice, g_ptr_array_unref);
  self->advice = advice;
  g_free (self->hypopg_message);
  self->hypopg_message = g_strdup (hypopg_message);
  g_clear_pointer (&self->error, g_free);
  self->loading = FALSE;
  rebuild (self);
}

GPtrArray *
lb_index_advice_view_get_advice (LbIndexAdviceView *self)
{
  g_return_val_if_fail (LB_IS_INDEX_ADVICE_VIEW (self), NULL);

  return self->advice;
}

void
lb_index_advice_view_set_loading (LbIndexAdviceView *self,
                                  gboolean           loading)
{
  g_return_if_fail (LB_IS_INDEX_ADVICE_VIEW (self));

  self->loading = loading;
  if (loading)
    g_clear_pointer (&self->error, g_free);
  update (self);
}

void
lb_index_advice_view_set_error (LbIndexAdviceView *self,
                                const char        *message)
{
  g_return_if_fail (LB_IS_INDEX_ADVICE_VIEW (self));

  g_free (self->error);
  self->error = g_strdup (message);
  if (message != NULL)
    self->loading = FALSE;
  update (self);
}

GPtrArray *
lb_index_advice_view_dup_checked (LbIndexAdviceView *self)
{
  GPtrArray *out;

  g_return_val_if_fail (LB_IS_INDEX_ADVICE_VIEW (self), NULL);

  out = g_ptr_array_new ();
  for (guint i = 0; i < self->rows->len; i++)
    if (gtk_check_button_get_active (g_array_index (self->rows, Row, i).check))
      g_ptr_array_add (out, g_ptr_array_index (self->advice, i));
  return out;
}

guint
lb_index_advice_view_get_n_checked (LbIndexAdviceView *self)
{
  guint n = 0;

  g_return_val_if_fail (LB_IS_INDEX_ADVICE_VIEW (self), 0);

  for (guint i = 0; self->rows != NULL && i < self->rows->len; i++)
    n += gtk_check_button_get_active (g_array_index (self->rows, Row, i).check);
  return n;
}

void
lb_index_advice_view_set_progress (LbIndexAdviceView *self,
                                   const char        *title,
                                   const char        *detail,
                                   double             fraction)
{
  g_return_if_fail (LB_IS_INDEX_ADVICE_VIEW (self));

  gtk_label_set_text (self->progress_title, title != NULL ? title : "");
  gtk_label_set_text (self->progress_detail, detail != NULL ? detail : "");
  gtk_widget_set_visible (GTK_WIDGET (self->progress_detail), detail != NULL && *detail != '\0');
  if (fraction < 0)
    gtk_progress_bar_pulse (self->progress_bar);
  else
    gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0, 1));
  if (!self->busy)
    {
      self->busy = TRUE;
      update (self);
    }
}

void
lb_index_advice_view_clear_progress (LbIndexAdviceView *self)
{
  g_return_if_fail (LB_IS_INDEX_ADVICE_VIEW (self));

  self->busy = FALSE;
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  update (self);
}

gboolean
lb_index_advice_view_get_busy (LbIndexAdviceView *self)
{
  g_return_val_if_fail (LB_IS_INDEX_ADVICE_VIEW (self), FALSE);

  return self->busy;
}

void
lb_index_advice_view_set_created (LbIndexAdviceView  *self,
                                  const char * const *created)
{
  g_autofree char *tooltip = NULL;

  g_return_if_fail (LB_IS_INDEX_ADVICE_VIEW (self));

  self->n_created = created != NULL ? g_strv_length ((char **) created) : 0;
  if (self->n_created > 0)
    {
      g_autofree char *list = g_strjoinv (", ", (char **) created);

      /* Translators: the Undo Index Changes button's tooltip: the indexes it drops */
      tooltip = g_strdup_printf (_("Drop %s (concurrently)"), list);
    }
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->undo_button), tooltip);
  update (self);
}

GtkCheckButton *
lb_index_advice_view_get_check (LbIndexAdviceView *self,
                                guint              index)
{
  g_return_val_if_fail (LB_IS_INDEX_ADVICE_VIEW (self), NULL);
  g_return_val_if_fail (index < self->rows->len, NULL);

  return g_array_index (self->rows, Row, index).check;
}

GtkLabel *
lb_index_advice_view_get_statement_label (LbIndexAdviceView *self,
                                          guint              index)
{
  g_return_val_if_fail (LB_IS_INDEX_ADVICE_VIEW (self), NULL);
  g_return_val_if_fail (index < self->rows->len, NULL);

  return g_array_index (self->rows, Row, index).statement;
}

const char *
lb_index_advice_view_get_prediction (LbIndexAdviceView *self,
                                     guint              index)
{
  g_return_val_if_fail (LB_IS_INDEX_ADVICE_VIEW (self), NULL);
  g_return_val_if_fail (index < self->rows->len, NULL);

  return g_array_index (self->rows, Row, index).prediction;
}

GtkButton *
lb_index_advice_view_get_apply_button (LbIndexAdviceView *self)
{
  g_return_val_if_fail (LB_IS_INDEX_ADVICE_VIEW (self), NULL);

  return self->apply_button;
}

GtkButton *
lb_index_advice_view_get_undo_button (LbIndexAdviceView *self)
{
  g_return_val_if_fail (LB_IS_INDEX_ADVICE_VIEW (self), NULL);

  return self->undo_button;
}

GtkProgressBar *
lb_index_advice_view_get_progress_bar (LbIndexAdviceView *self)
{
  g_return_val_if_fail (LB_IS_INDEX_ADVICE_VIEW (self), NULL);

  return self->progress_bar;
}

const char *
lb_index_advice_view_get_progress_title (LbIndexAdviceView *self)
{
  g_return_val_if_fail (LB_IS_INDEX_ADVICE_VIEW (self), NULL);

  return gtk_label_get_text (self->progress_title);
}
