/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbScriptView: a script's transactions as rows, rebuilt when "script"
 * changes; it reads the script and writes nothing back. */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-pgbench-expr.h"
#include "lb-run-format.h"
#include "lb-script-view.h"

struct _LbScriptView
{
  AdwPreferencesGroup  parent_instance;

  GtkListBox          *queries_list;
  GtkMenuButton       *dialect_button;

  LbSqlScript         *script;
  char                *summary;
};

G_DEFINE_FINAL_TYPE (LbScriptView, lb_script_view, ADW_TYPE_PREFERENCES_GROUP)

enum {
  PROP_0,
  PROP_SCRIPT,
  PROP_SUMMARY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
dialect_name (LbSqlDialect dialect)
{
  switch (dialect)
    {
    case LB_SQL_DIALECT_QUERY_MIX:
      return _("Query mix");
    case LB_SQL_DIALECT_WEB_TOOL:
      return _("Web tool format");
    case LB_SQL_DIALECT_PGBENCH:
      return _("pgbench script");
    default:
      return _("SQL");
    }
}

static char *
describe_parameters (LbSqlScript            *script,
                     const LbSqlTransaction *transaction)
{
  guint n_vars = lb_sql_script_get_n_variables (script);
  g_autofree const char **names = g_new0 (const char *, n_vars + 1);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < n_vars; i++)
    names[i] = lb_sql_script_get_variable_name (script, i);

  for (guint i = 0; i < transaction->n_steps; i++)
    {
      const LbSqlStep *step = &transaction->steps[i];

      if (step->kind == LB_STEP_SET && step->expr != NULL)
        {
          g_autofree char *expr = lb_expr_to_pgbench (step->expr, names);

          if (text->len > 0)
            g_string_append (text, ", ");
          /* values(…) is ours and has no pgbench spelling. */
          g_string_append_printf (text, "%s = %s", lb_sql_script_get_variable_name (script, step->var),
                                  expr != NULL ? expr : _("one of a list of values"));
        }
      else if (step->kind == LB_STEP_PARAM_SET)
        {
          guint n_tuples = lb_sql_script_get_n_tuples (script);

          if (text->len > 0)
            g_string_append (text, ", ");
          g_string_append_printf (text,
                                  g_dngettext (GETTEXT_PACKAGE, "%u parameter set", "%u parameter sets", n_tuples),
                                  n_tuples);
        }
      else if (step->kind == LB_STEP_SLEEP)
        {
          if (text->len > 0)
            g_string_append (text, ", ");
          g_string_append (text, _("sleep"));
        }
    }

  if (text->len == 0)
    g_string_append (text, _("no parameters"));

  return g_string_free (text, FALSE);
}

static GtkWidget *
create_transaction_row (LbSqlScript            *script,
                        const LbSqlTransaction *transaction)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *name = gtk_label_new (transaction->name);
  GtkWidget *share;
  GtkWidget *params;
  g_autofree char *share_text = NULL;
  g_autofree char *params_text = describe_parameters (script, transaction);
  guint total = MAX (1, lb_sql_script_get_total_weight (script));
  guint n_queries = 0;

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 9);
  gtk_widget_set_margin_bottom (box, 9);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_widget_add_css_class (name, "heading");
  gtk_box_append (GTK_BOX (top), name);

  /* Translators: the share of a query in the mix, "73 %" */
  share_text = g_strdup_printf (_("%.0f %%"), 100.0 * transaction->weight / total);
  share = gtk_label_new (share_text);
  gtk_widget_add_css_class (share, "numeric");
  gtk_widget_add_css_class (share, "dim-label");
  gtk_widget_set_tooltip_text (share, _("Share of the transactions (weight)"));
  gtk_box_append (GTK_BOX (top), share);
  gtk_box_append (GTK_BOX (box), top);

  params = gtk_label_new (params_text);
  gtk_label_set_xalign (GTK_LABEL (params), 0);
  gtk_label_set_ellipsize (GTK_LABEL (params), PANGO_ELLIPSIZE_END);
  gtk_widget_set_tooltip_text (params, params_text);
  gtk_widget_add_css_class (params, "caption");
  gtk_widget_add_css_class (params, "dim-label");
  gtk_box_append (GTK_BOX (box), params);

  for (guint i = 0; i < transaction->n_steps; i++)
    {
      const LbSqlStep *step = &transaction->steps[i];
      g_autofree char *flat = NULL;
      GtkWidget *sql;

      if (step->kind != LB_STEP_QUERY || step->query == NULL)
        continue;

      /* Four statements are enough to recognise a script. */
      if (++n_queries > 4)
        {
          g_autofree char *more = g_strdup_printf (_("and %u more statements"), transaction->n_steps - i);
          GtkWidget *label = gtk_label_new (more);

          gtk_label_set_xalign (GTK_LABEL (label), 0);
          gtk_widget_add_css_class (label, "caption");
          gtk_widget_add_css_class (label, "dim-label");
          gtk_box_append (GTK_BOX (box), label);
          break;
        }

      /* One line per statement: its whitespace folded. */
      flat = g_strdup (step->query->sql);
      g_strdelimit (flat, "\n\r\t", ' ');
      sql = gtk_label_new (g_strstrip (flat));
      gtk_label_set_xalign (GTK_LABEL (sql), 0);
      gtk_label_set_ellipsize (GTK_LABEL (sql), PANGO_ELLIPSIZE_END);
      gtk_label_set_selectable (GTK_LABEL (sql), FALSE);
      gtk_widget_set_tooltip_text (sql, step->query->sql);
      gtk_widget_add_css_class (sql, "monospace");
      gtk_widget_add_css_class (sql, "caption");
      gtk_box_append (GTK_BOX (box), sql);
    }

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}

static char *
describe_script (LbSqlScript *script)
{
  guint n_queries = lb_sql_script_get_n_queries (script);
  g_autofree char *description = NULL;

  description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %u statement", "%s · %u statements", n_queries),
                                 dialect_name (lb_sql_script_get_dialect (script)), n_queries);
  if (lb_sql_script_get_default_count (script) > 0)
    {
      g_autofree char *count = lb_format_count (lb_sql_script_get_default_count (script));

      return g_strdup_printf (_("%s · %s transactions by default"), description, count);
    }

  return g_steal_pointer (&description);
}

static void
show_script (LbScriptView *self)
{
  GtkWidget *child;
  guint n_transactions = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->queries_list))) != NULL)
    gtk_list_box_remove (self->queries_list, child);

  g_clear_pointer (&self->summary, g_free);
  if (self->script != NULL)
    {
      self->summary = describe_script (self->script);
      n_transactions = lb_sql_script_get_n_transactions (self->script);
    }

  /* The dialect menu says what detection found, and what the file is read
   * as when the user chose another dialect (the window's tester.dialect). */
  gtk_widget_set_visible (GTK_WIDGET (self->dialect_button), self->script != NULL);
  if (self->script != NULL)
    {
      LbSqlDialect dialect = lb_sql_script_get_dialect (self->script);
      LbSqlDialect detected = lb_sql_script_get_detected_dialect (self->script);
      g_autofree char *label = NULL;

      if (dialect == detected)
        /* Translators: "Detected: pgbench script" */
        label = g_strdup_printf (_("Detected: %s"), lb_sql_dialect_get_label (detected));
      else
        /* Translators: "Read as: query mix (detected: pgbench script)" */
        label = g_strdup_printf (_("Read as: %s (detected: %s)"), lb_sql_dialect_get_label (dialect),
                                 lb_sql_dialect_get_label (detected));
      gtk_menu_button_set_label (self->dialect_button, label);
    }

  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self),
                                         self->summary != NULL ? self->summary
                                                                   : _("No SQL workload file is open."));
  for (guint i = 0; i < n_transactions; i++)
    gtk_list_box_append (self->queries_list,
                         create_transaction_row (self->script, lb_sql_script_get_transaction (self->script, i)));
  gtk_widget_set_visible (GTK_WIDGET (self->queries_list), n_transactions > 0);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUMMARY]);
}

static void
lb_script_view_dispose (GObject *object)
{
  LbScriptView *self = LB_SCRIPT_VIEW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_SCRIPT_VIEW);
  g_clear_object (&self->script);
  g_clear_pointer (&self->summary, g_free);

  G_OBJECT_CLASS (lb_script_view_parent_class)->dispose (object);
}

static void
lb_script_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  LbScriptView *self = LB_SCRIPT_VIEW (object);

  switch (prop_id)
    {
    case PROP_SCRIPT:
      g_value_set_object (value, self->script);
      break;
    case PROP_SUMMARY:
      g_value_set_string (value, self->summary);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_script_view_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  LbScriptView *self = LB_SCRIPT_VIEW (object);

  switch (prop_id)
    {
    case PROP_SCRIPT:
      lb_script_view_set_script (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_script_view_class_init (LbScriptViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_script_view_dispose;
  object_class->get_property = lb_script_view_get_property;
  object_class->set_property = lb_script_view_set_property;

  properties[PROP_SCRIPT] =
    g_param_spec_object ("script", NULL, NULL, LB_TYPE_SQL_SCRIPT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUMMARY] =
    g_param_spec_string ("summary", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, APP_RESOURCE_PATH "/ui/lb-script-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LbScriptView, queries_list);
  gtk_widget_class_bind_template_child (widget_class, LbScriptView, dialect_button);
}

static void
lb_script_view_init (LbScriptView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  show_script (self);
}

GtkWidget *
lb_script_view_new (void)
{
  return g_object_new (LB_TYPE_SCRIPT_VIEW, NULL);
}

void
lb_script_view_set_script (LbScriptView *self,
                           LbSqlScript  *script)
{
  g_return_if_fail (LB_IS_SCRIPT_VIEW (self));
  g_return_if_fail (script == NULL || LB_IS_SQL_SCRIPT (script));

  if (!g_set_object (&self->script, script))
    return;

  show_script (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCRIPT]);
}

LbSqlScript *
lb_script_view_get_script (LbScriptView *self)
{
  g_return_val_if_fail (LB_IS_SCRIPT_VIEW (self), NULL);

  return self->script;
}

const char *
lb_script_view_get_summary (LbScriptView *self)
{
  g_return_val_if_fail (LB_IS_SCRIPT_VIEW (self), NULL);

  return self->summary;
}
