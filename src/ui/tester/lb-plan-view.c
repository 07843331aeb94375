/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbPlanView: a GtkColumnView over a GtkTreeListModel of the plan's nodes,
 * expanded in full, with a GtkTreeExpander in the first column; the cells
 * are labels and a level bar filled in bind, from the node's figures. The
 * findings come from lb_plan_findings_collect(); the text page is
 * lb_explain_plan_to_text(). */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "lb-plan-findings.h"
#include "lb-plan-view.h"
#include "lb-plan-window.h"
#include "lb-run-format.h"

/* A node is hot from this share of the plan (the hottest always is). */
#define HOT_SHARE 0.25
/* Estimates this many times off, either way, are marked. */
#define ESTIMATE_FACTOR 10.0

struct _LbPlanView
{
  AdwBin              parent_instance;

  /* Template Widgets */
  GtkLabel           *summary_label;
  GtkToggleButton    *text_button;
  GtkMenuButton      *copy_button;
  GtkButton          *open_button;
  GtkStack           *stack;
  GtkColumnView      *column_view;
  GtkTextView        *text_view;
  GtkLabel           *findings_title;
  GtkScrolledWindow  *findings_scroller;
  GtkListBox         *findings_list;

  /* Owned References */
  LbExplainPlan      *plan;
  GtkSingleSelection *selection;
  GPtrArray          *findings;        /* of LbPlanFinding */
  GHashTable         *node_findings;   /* LbPlanNode * → GString of their messages */
  char               *query_name;
  char               *query_sql;
  char               *summary;
  double              share_basis;     /* ms of the execution, or the plan's cost */
  double              max_share;
  gboolean            show_text;
  gboolean            can_open_window;
};

G_DEFINE_FINAL_TYPE (LbPlanView, lb_plan_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_PLAN,
  PROP_SHOW_TEXT,
  PROP_QUERY_NAME,
  PROP_QUERY_SQL,
  PROP_CAN_OPEN_WINDOW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  NODE_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Formatting --------------------------------------------------------------- */

static char *
format_rows (double rows)
{
  if (!isfinite (rows) || rows < 0)
    return g_strdup ("–");
  if (rows < 10 && rows != floor (rows))
    return g_strdup_printf ("%.2f", rows);
  return lb_format_count ((guint64) llround (rows));
}

static char *
format_time (double ms)
{
  if (!isfinite (ms))
    return g_strdup ("–");
  if (ms < 1)
    return g_strdup_printf ("%.3f", ms);
  if (ms < 10)
    return g_strdup_printf ("%.2f", ms);
  if (ms < 1000)
    return g_strdup_printf ("%.1f", ms);
  return lb_format_count ((guint64) llround (ms));
}

/* A node's own cost: its total less its children's (never below 0). */
static double
node_self_cost (LbPlanNode *node)
{
  double cost = lb_plan_node_get_total_cost (node);

  for (guint i = 0; i < lb_plan_node_get_n_children (node); i++)
    cost -= lb_plan_node_get_total_cost (lb_plan_node_get_child (node, i));
  return MAX (cost, 0);
}

static gboolean
plan_analyzed (LbPlanView *self)
{
  return self->plan != NULL && lb_explain_plan_get_analyzed (self->plan);
}

/* How far off the estimate is (≥ 1), or 0 without actual rows. */
static double
estimate_factor (LbPlanNode *node)
{
  double est, actual;

  if (!lb_plan_node_get_analyzed (node))
    return 0;
  est = MAX (lb_plan_node_get_plan_rows (node), 1);
  actual = MAX (lb_plan_node_get_actual_rows (node), 1);
  return MAX (est, actual) / MIN (est, actual);
}

double
lb_plan_view_get_node_share (LbPlanView *self,
                             LbPlanNode *node)
{
  double value;

  g_return_val_if_fail (LB_IS_PLAN_VIEW (self), 0);
  g_return_val_if_fail (LB_IS_PLAN_NODE (node), 0);

  if (self->share_basis <= 0)
    return 0;
  value = plan_analyzed (self) ? lb_plan_node_get_self_time (node) : node_self_cost (node);
  return CLAMP (value / self->share_basis, 0, 1);
}

static char *
dup_node_conditions (LbPlanNode *node)
{
  static const struct { const char *label; const char *(*get) (LbPlanNode *); } conds[] = {
    { N_("Index Cond"), lb_plan_node_get_index_cond },
    { N_("Recheck Cond"), lb_plan_node_get_recheck_cond },
    { N_("Hash Cond"), lb_plan_node_get_hash_cond },
    { N_("Merge Cond"), lb_plan_node_get_merge_cond },
    { N_("Join Filter"), lb_plan_node_get_join_filter },
    { N_("Filter"), lb_plan_node_get_filter },
  };
  GString *text = g_string_new (NULL);
  const char * const *keys = lb_plan_node_get_sort_keys (node);

  for (guint i = 0; i < G_N_ELEMENTS (conds); i++)
    {
      const char *value = conds[i].get (node);

      if (value == NULL)
        continue;
      if (text->len > 0)
        g_string_append (text, " · ");
      g_string_append_printf (text, "%s: %s", _(conds[i].label), value);
    }
  if (keys != NULL && keys[0] != NULL)
    {
      g_autofree char *joined = g_strjoinv (", ", (char **) keys);

      if (text->len > 0)
        g_string_append (text, " · ");
      g_string_append_printf (text, _("Key: %s"), joined);
    }
  if (text->len == 0)
    {
      g_string_free (text, TRUE);
      return NULL;
    }
  return g_string_free (text, FALSE);
}

char *
lb_plan_view_dup_node_text (LbPlanView       *self,
                            LbPlanNode       *node,
                            LbPlanViewColumn  column)
{
  gboolean analyzed;

  g_return_val_if_fail (LB_IS_PLAN_VIEW (self), NULL);
  g_return_val_if_fail (LB_IS_PLAN_NODE (node), NULL);

  analyzed = lb_plan_node_get_analyzed (node);
  switch (column)
    {
    case LB_PLAN_VIEW_COLUMN_NODE:
      return lb_plan_node_dup_title (node);

    case LB_PLAN_VIEW_COLUMN_ROWS:
      {
        g_autofree char *est = format_rows (lb_plan_node_get_plan_rows (node));
        g_autofree char *actual = NULL;

        if (!analyzed)
          return g_steal_pointer (&est);
        actual = format_rows (lb_plan_node_get_actual_rows (node));
        /* Translators: estimated → actual rows of a plan node */
        return g_strdup_printf (_("%s → %s"), est, actual);
      }

    case LB_PLAN_VIEW_COLUMN_LOOPS:
      return analyzed ? format_rows (lb_plan_node_get_loops (node)) : g_strdup ("–");

    case LB_PLAN_VIEW_COLUMN_SELF:
      if (plan_analyzed (self))
        return analyzed ? format_time (lb_plan_node_get_self_time (node)) : g_strdup ("–");
      return format_time (node_self_cost (node));

    case LB_PLAN_VIEW_COLUMN_TOTAL:
      if (plan_analyzed (self))
        return analyzed ? format_time (lb_plan_node_get_total_time (node)) : g_strdup ("–");
      return format_time (lb_plan_node_get_total_cost (node));

    case LB_PLAN_VIEW_COLUMN_SHARE:
      return g_strdup_printf ("%.0f %%", 100 * lb_plan_view_get_node_share (self, node));

    case LB_PLAN_VIEW_COLUMN_HIT:
      return analyzed ? lb_format_count ((guint64) MAX (lb_plan_node_get_shared_hit (node), 0))
                      : g_strdup ("–");

    case LB_PLAN_VIEW_COLUMN_READ:
      return analyzed ? lb_format_count ((guint64) MAX (lb_plan_node_get_shared_read (node), 0))
                      : g_strdup ("–");

    default:
      g_return_val_if_reached (NULL);
    }
}

/* Cells --------------------------------------------------------------------- */

static GListModel *
create_children_cb (gpointer item,
                    gpointer user_data)
{
  LbPlanNode *node = item;

  if (lb_plan_node_get_n_children (node) == 0)
    return NULL;
  return g_object_ref (lb_plan_node_get_children (node));
}

static void
setup_node_cell_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    LbPlanView               *self)
{
  GtkWidget *expander = gtk_tree_expander_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *subtitle = gtk_label_new (NULL);

  gtk_widget_add_css_class (icon, "plan-finding-icon");
  gtk_widget_set_valign (icon, GTK_ALIGN_CENTER);
  /* Long index and relation names take a second line before an ellipsis. */
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (title), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_lines (GTK_LABEL (title), 2);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_ellipsize (GTK_LABEL (subtitle), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_widget_set_hexpand (labels, TRUE);
  gtk_box_append (GTK_BOX (labels), title);
  gtk_box_append (GTK_BOX (labels), subtitle);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), labels);
  gtk_widget_set_margin_top (box, 3);
  gtk_widget_set_margin_bottom (box, 3);
  gtk_tree_expander_set_child (GTK_TREE_EXPANDER (expander), box);
  gtk_list_item_set_child (item, expander);
}

static void
bind_node_cell_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   LbPlanView               *self)
{
  GtkTreeListRow *row = gtk_list_item_get_item (item);
  LbPlanNode *node = gtk_tree_list_row_get_item (row);
  GtkWidget *expander = gtk_list_item_get_child (item);
  GtkWidget *box = gtk_tree_expander_get_child (GTK_TREE_EXPANDER (expander));
  GtkWidget *icon = gtk_widget_get_first_child (box);
  GtkWidget *labels = gtk_widget_get_next_sibling (icon);
  GtkWidget *title = gtk_widget_get_first_child (labels);
  GtkWidget *subtitle = gtk_widget_get_next_sibling (title);
  g_autofree char *text = lb_plan_node_dup_title (node);
  g_autofree char *conditions = dup_node_conditions (node);
  GString *messages = g_hash_table_lookup (self->node_findings, node);
  g_autofree char *tooltip = NULL;

  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (expander), row);
  gtk_label_set_text (GTK_LABEL (title), text);
  gtk_label_set_text (GTK_LABEL (subtitle), conditions != NULL ? conditions : "");
  gtk_widget_set_visible (subtitle, conditions != NULL);
  gtk_widget_set_visible (icon, messages != NULL);
  gtk_widget_set_tooltip_text (icon, messages != NULL ? messages->str : NULL);
  tooltip = conditions != NULL ? g_strdup_printf ("%s\n%s", text, conditions) : g_strdup (text);
  gtk_widget_set_tooltip_text (labels, tooltip);

  if (lb_plan_view_get_node_share (self, node) >= MIN (HOT_SHARE, self->max_share) && self->max_share > 0)
    gtk_widget_add_css_class (title, "plan-hot");
  else
    gtk_widget_remove_css_class (title, "plan-hot");
  g_object_unref (node);
}

static void
unbind_node_cell_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     LbPlanView               *self)
{
  GtkWidget *expander = gtk_list_item_get_child (item);

  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (expander), NULL);
}

static void
setup_figure_cell_cb (GtkSignalListItemFactory *factory,
                      GtkListItem              *item,
                      LbPlanView               *self)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static void
bind_figure_cell_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     LbPlanView               *self)
{
  LbPlanViewColumn column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "column"));
  GtkTreeListRow *row = gtk_list_item_get_item (item);
  g_autoptr(LbPlanNode) node = gtk_tree_list_row_get_item (row);
  GtkWidget *label = gtk_list_item_get_child (item);
  g_autofree char *text = lb_plan_view_dup_node_text (self, node, column);

  gtk_label_set_text (GTK_LABEL (label), text);
  gtk_widget_set_tooltip_text (label, NULL);
  gtk_widget_remove_css_class (label, "plan-estimate-off");

  if (column == LB_PLAN_VIEW_COLUMN_ROWS)
    {
      double factor = estimate_factor (node);

      if (factor >= ESTIMATE_FACTOR)
        {
          g_autofree char *est = format_rows (lb_plan_node_get_plan_rows (node));
          g_autofree char *actual = format_rows (lb_plan_node_get_actual_rows (node));
          g_autofree char *tooltip = g_strdup_printf (_("Estimated %s rows, got %s: off by %.0f×"),
                                                      est, actual, factor);

          gtk_widget_add_css_class (label, "plan-estimate-off");
          gtk_widget_set_tooltip_text (label, tooltip);
        }
      else if (lb_plan_node_get_analyzed (node))
        gtk_widget_set_tooltip_text (label, _("Estimated → actual rows, per loop"));
      else
        gtk_widget_set_tooltip_text (label, _("Estimated rows"));
    }
}

static void
setup_share_cell_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     LbPlanView               *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *bar = gtk_level_bar_new_for_interval (0, 1);
  GtkWidget *label = gtk_label_new (NULL);

  /* One colour from the style, not the level bar's low/high/full ramp. */
  gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (bar), GTK_LEVEL_BAR_OFFSET_LOW);
  gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (bar), GTK_LEVEL_BAR_OFFSET_HIGH);
  gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (bar), GTK_LEVEL_BAR_OFFSET_FULL);
  gtk_widget_add_css_class (bar, "plan-share");
  gtk_widget_set_hexpand (bar, TRUE);
  gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (bar, 48, -1);
  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_label_set_width_chars (GTK_LABEL (label), 4);
  gtk_widget_add_css_class (label, "numeric");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (box), bar);
  gtk_box_append (GTK_BOX (box), label);
  gtk_list_item_set_child (item, box);
}

static void
bind_share_cell_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    LbPlanView               *self)
{
  GtkTreeListRow *row = gtk_list_item_get_item (item);
  g_autoptr(LbPlanNode) node = gtk_tree_list_row_get_item (row);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *bar = gtk_widget_get_first_child (box);
  GtkWidget *label = gtk_widget_get_next_sibling (bar);
  double share = lb_plan_view_get_node_share (self, node);
  g_autofree char *text = lb_plan_view_dup_node_text (self, node, LB_PLAN_VIEW_COLUMN_SHARE);
  g_autofree char *tooltip = NULL;

  gtk_level_bar_set_value (GTK_LEVEL_BAR (bar), share);
  gtk_label_set_text (GTK_LABEL (label), text);
  if (self->max_share > 0 && share >= MIN (HOT_SHARE, self->max_share))
    gtk_widget_add_css_class (bar, "hot");
  else
    gtk_widget_remove_css_class (bar, "hot");
  if (plan_analyzed (self))
    tooltip = g_strdup_printf (_("%s of the plan’s time spent in this node itself"), text);
  else
    tooltip = g_strdup_printf (_("%s of the plan’s estimated cost in this node itself"), text);
  gtk_widget_set_tooltip_text (box, tooltip);
}

static void
add_column (LbPlanView       *self,
            const char       *title,
            LbPlanViewColumn  column,
            int               fixed_width,
            gboolean          expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *col;

  g_object_set_data (G_OBJECT (factory), "column", GUINT_TO_POINTER (column));
  if (column == LB_PLAN_VIEW_COLUMN_NODE)
    {
      g_signal_connect (factory, "setup", G_CALLBACK (setup_node_cell_cb), self);
      g_signal_connect (factory, "bind", G_CALLBACK (bind_node_cell_cb), self);
      g_signal_connect (factory, "unbind", G_CALLBACK (unbind_node_cell_cb), self);
    }
  else if (column == LB_PLAN_VIEW_COLUMN_SHARE)
    {
      g_signal_connect (factory, "setup", G_CALLBACK (setup_share_cell_cb), self);
      g_signal_connect (factory, "bind", G_CALLBACK (bind_share_cell_cb), self);
    }
  else
    {
      g_signal_connect (factory, "setup", G_CALLBACK (setup_figure_cell_cb), self);
      g_signal_connect (factory, "bind", G_CALLBACK (bind_figure_cell_cb), self);
    }

  col = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (col, expand);
  gtk_column_view_column_set_resizable (col, TRUE);
  if (fixed_width > 0)
    gtk_column_view_column_set_fixed_width (col, fixed_width);
  gtk_column_view_append_column (self->column_view, col);
  g_object_unref (col);
}

/* Columns whose header says what the figures are: times or costs. */
static void
update_column_titles (LbPlanView *self)
{
  GListModel *columns = gtk_column_view_get_columns (self->column_view);
  gboolean analyzed = plan_analyzed (self);
  g_autoptr(GtkColumnViewColumn) self_col = g_list_model_get_item (columns, LB_PLAN_VIEW_COLUMN_SELF);
  g_autoptr(GtkColumnViewColumn) total_col = g_list_model_get_item (columns, LB_PLAN_VIEW_COLUMN_TOTAL);
  g_autoptr(GtkColumnViewColumn) rows_col = g_list_model_get_item (columns, LB_PLAN_VIEW_COLUMN_ROWS);

  gtk_column_view_column_set_title (self_col, analyzed ? _("Self ms") : _("Self Cost"));
  gtk_column_view_column_set_title (total_col, analyzed ? _("Total ms") : _("Total Cost"));
  gtk_column_view_column_set_title (rows_col, analyzed ? _("Est → Actual") : _("Est Rows"));
}

/* Findings ---------------------------------------------------------------- */

static void
finding_row_activated_cb (LbPlanView    *self,
                          GtkListBoxRow *row,
                          GtkListBox    *list)
{
  int index = gtk_list_box_row_get_index (row);
  LbPlanFinding *finding;

  g_assert (LB_IS_PLAN_VIEW (self));

  if (index < 0 || (guint) index >= self->findings->len)
    return;
  finding = g_ptr_array_index (self->findings, index);
  lb_plan_view_set_show_text (self, FALSE);
  lb_plan_view_select_node (self, finding->node);
  gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
  g_signal_emit (self, signals[NODE_ACTIVATED], 0, finding->node);
}

static GtkWidget *
create_finding_row (LbPlanFinding *finding)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  g_autofree char *title = lb_plan_node_dup_title (finding->node);
  g_autofree char *message = g_markup_escape_text (finding->message, -1);
  g_autofree char *subtitle = NULL;
  g_autofree char *why = g_markup_escape_text (finding->why, -1);

  if (finding->suggestion != NULL)
    {
      g_autofree char *suggestion = g_markup_escape_text (finding->suggestion, -1);

      /* Translators: a plan finding's why, then what to try */
      subtitle = g_strdup_printf (_("%s\n<b>Try:</b> %s"), why, suggestion);
    }
  else
    subtitle = g_steal_pointer (&why);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), message);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
  gtk_widget_add_css_class (icon, "plan-finding-icon");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_tooltip_text (row, title);
  {
    GtkWidget *arrow = gtk_image_new_from_icon_name ("go-next-symbolic");

    gtk_widget_set_tooltip_text (arrow, _("Show the node in the plan"));
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), arrow);
  }
  return row;
}

static void
rebuild_findings (LbPlanView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->findings_list))) != NULL)
    gtk_list_box_remove (self->findings_list, child);
  g_hash_table_remove_all (self->node_findings);
  g_clear_pointer (&self->findings, g_ptr_array_unref);

  self->findings = self->plan != NULL ? lb_plan_findings_collect (self->plan)
                                      : g_ptr_array_new_with_free_func ((GDestroyNotify) lb_plan_finding_free);
  for (guint i = 0; i < self->findings->len; i++)
    {
      LbPlanFinding *finding = g_ptr_array_index (self->findings, i);
      GString *messages = g_hash_table_lookup (self->node_findings, finding->node);

      if (messages == NULL)
        {
          messages = g_string_new (finding->message);
          g_hash_table_insert (self->node_findings, finding->node, messages);
        }
      else
        g_string_append_printf (messages, "\n%s", finding->message);
      gtk_list_box_append (self->findings_list, create_finding_row (finding));
    }

  if (self->plan == NULL)
    gtk_label_set_text (self->findings_title, "");
  else if (self->findings->len == 0)
    gtk_label_set_text (self->findings_title, _("No Findings"));
  else
    {
      g_autofree char *title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Finding", "%u Findings",
                                                             self->findings->len),
                                                self->findings->len);

      gtk_label_set_text (self->findings_title, title);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->findings_title), self->plan != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->findings_scroller), self->findings->len > 0);
}

/* The plan ---------------------------------------------------------------- */

static void
add_share_basis_cb (LbPlanNode *node,
                    gpointer    user_data)
{
  LbPlanView *self = user_data;

  self->share_basis += plan_analyzed (self) ? lb_plan_node_get_self_time (node) : node_self_cost (node);
}

static void
max_share_cb (LbPlanNode *node,
              gpointer    user_data)
{
  LbPlanView *self = user_data;

  self->max_share = MAX (self->max_share, lb_plan_view_get_node_share (self, node));
}

static void
update_summary (LbPlanView *self)
{
  GString *text = g_string_new (NULL);

  if (self->plan != NULL)
    {
      g_autofree char *cost = format_time (lb_explain_plan_get_total_cost (self->plan));
      double planning = lb_explain_plan_get_planning_time (self->plan);

      if (planning > 0)
        {
          g_autofree char *ms = format_time (planning);

          g_string_append_printf (text, _("Planning %s ms"), ms);
        }
      if (plan_analyzed (self))
        {
          g_autofree char *ms = format_time (lb_explain_plan_get_execution_time (self->plan));

          if (text->len > 0)
            g_string_append (text, " · ");
          g_string_append_printf (text, _("Execution %s ms"), ms);
        }
      if (text->len > 0)
        g_string_append (text, " · ");
      g_string_append_printf (text, _("Cost %s"), cost);
      if (!plan_analyzed (self))
        g_string_append_printf (text, " · %s", _("estimates only (no ANALYZE)"));
    }

  g_free (self->summary);
  self->summary = g_string_free (text, FALSE);
  gtk_label_set_text (self->summary_label, self->summary);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->summary_label), self->summary);
}

static void
update_actions (LbPlanView *self)
{
  GtkWidget *widget = GTK_WIDGET (self);

  gtk_widget_action_set_enabled (widget, "plan.copy-text", self->plan != NULL);
  gtk_widget_action_set_enabled (widget, "plan.copy-json", self->plan != NULL);
  gtk_widget_action_set_enabled (widget, "plan.open-window", self->plan != NULL && self->can_open_window);
  gtk_widget_set_visible (GTK_WIDGET (self->open_button), self->can_open_window);
}

static void
reload (LbPlanView *self)
{
  g_autoptr(GtkTreeListModel) tree = NULL;
  g_autofree char *text = NULL;

  self->share_basis = 0;
  self->max_share = 0;
  if (self->plan != NULL)
    {
      /* The nodes' own times (or costs) added up: parallel workers' times
       * add up past the wall clock, and the shares still make 100 %. */
      lb_plan_node_foreach (lb_explain_plan_get_root (self->plan), add_share_basis_cb, self);
      lb_plan_node_foreach (lb_explain_plan_get_root (self->plan), max_share_cb, self);
    }

  /* Findings first: the node cells look their icons up. */
  rebuild_findings (self);
  update_column_titles (self);

  if (self->plan != NULL)
    tree = gtk_tree_list_model_new (g_object_ref (lb_explain_plan_get_model (self->plan)), FALSE, TRUE,
                                    create_children_cb, NULL, NULL);
  gtk_single_selection_set_model (self->selection, G_LIST_MODEL (tree));

  text = self->plan != NULL ? lb_explain_plan_to_text (self->plan) : g_strdup ("");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), text, -1);
  update_summary (self);
  update_actions (self);
}

/* Actions ------------------------------------------------------------------ */

static void
copy_text_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  LbPlanView *self = LB_PLAN_VIEW (widget);
  g_autofree char *text = NULL;

  if (self->plan == NULL)
    return;
  text = lb_explain_plan_to_text (self->plan);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
}

static void
copy_json_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  LbPlanView *self = LB_PLAN_VIEW (widget);

  if (self->plan == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), lb_explain_plan_get_json (self->plan));
}

static void
open_window_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  LbPlanView *self = LB_PLAN_VIEW (widget);
  LbPlanWindow *window;
  GtkRoot *root;

  if (self->plan == NULL)
    return;
  window = lb_plan_window_new (self->plan, self->query_name, self->query_sql);
  root = gtk_widget_get_root (widget);
  if (GTK_IS_WINDOW (root) && gtk_window_get_application (GTK_WINDOW (root)) != NULL)
    gtk_window_set_application (GTK_WINDOW (window), gtk_window_get_application (GTK_WINDOW (root)));
  gtk_window_present (GTK_WINDOW (window));
}

static void
free_messages (gpointer data)
{
  g_string_free (data, TRUE);
}

/* Parent overrides --------------------------------------------------------- */

static void
lb_plan_view_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  LbPlanView *self = LB_PLAN_VIEW (object);

  switch (prop_id)
    {
    case PROP_PLAN:
      g_value_set_object (value, self->plan);
      break;
    case PROP_SHOW_TEXT:
      g_value_set_boolean (value, self->show_text);
      break;
    case PROP_QUERY_NAME:
      g_value_set_string (value, self->query_name);
      break;
    case PROP_QUERY_SQL:
      g_value_set_string (value, self->query_sql);
      break;
    case PROP_CAN_OPEN_WINDOW:
      g_value_set_boolean (value, self->can_open_window);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_plan_view_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  LbPlanView *self = LB_PLAN_VIEW (object);

  switch (prop_id)
    {
    case PROP_PLAN:
      lb_plan_view_set_plan (self, g_value_get_object (value));
      break;
    case PROP_SHOW_TEXT:
      lb_plan_view_set_show_text (self, g_value_get_boolean (value));
      break;
    case PROP_QUERY_NAME:
      lb_plan_view_set_query (self, g_value_get_string (value), self->query_sql);
      break;
    case PROP_QUERY_SQL:
      lb_plan_view_set_query (self, self->query_name, g_value_get_string (value));
      break;
    case PROP_CAN_OPEN_WINDOW:
      lb_plan_view_set_can_open_window (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_plan_view_dispose (GObject *object)
{
  LbPlanView *self = LB_PLAN_VIEW (object);

  if (self->findings_list != NULL)
    g_signal_handlers_disconnect_by_data (self->findings_list, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_PLAN_VIEW);
  g_clear_object (&self->selection);
  g_clear_object (&self->plan);
  g_clear_pointer (&self->findings, g_ptr_array_unref);
  g_clear_pointer (&self->node_findings, g_hash_table_unref);

  G_OBJECT_CLASS (lb_plan_view_parent_class)->dispose (object);
}

static void
lb_plan_view_finalize (GObject *object)
{
  LbPlanView *self = LB_PLAN_VIEW (object);

  g_free (self->query_name);
  g_free (self->query_sql);
  g_free (self->summary);

  G_OBJECT_CLASS (lb_plan_view_parent_class)->finalize (object);
}

static void
lb_plan_view_class_init (LbPlanViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_plan_view_dispose;
  object_class->finalize = lb_plan_view_finalize;
  object_class->get_property = lb_plan_view_get_property;
  object_class->set_property = lb_plan_view_set_property;

  properties[PROP_PLAN] =
    g_param_spec_object ("plan", NULL, NULL, LB_TYPE_EXPLAIN_PLAN,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_TEXT] =
    g_param_spec_boolean ("show-text", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_QUERY_NAME] =
    g_param_spec_string ("query-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_QUERY_SQL] =
    g_param_spec_string ("query-sql", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_OPEN_WINDOW] =
    g_param_spec_boolean ("can-open-window", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[NODE_ACTIVATED] =
    g_signal_new ("node-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LB_TYPE_PLAN_NODE);

  gtk_widget_class_set_template_from_resource (widget_class, APP_RESOURCE_PATH "/ui/lb-plan-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LbPlanView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, LbPlanView, text_button);
  gtk_widget_class_bind_template_child (widget_class, LbPlanView, copy_button);
  gtk_widget_class_bind_template_child (widget_class, LbPlanView, open_button);
  gtk_widget_class_bind_template_child (widget_class, LbPlanView, stack);
  gtk_widget_class_bind_template_child (widget_class, LbPlanView, column_view);
  gtk_widget_class_bind_template_child (widget_class, LbPlanView, text_view);
  gtk_widget_class_bind_template_child (widget_class, LbPlanView, findings_title);
  gtk_widget_class_bind_template_child (widget_class, LbPlanView, findings_scroller);
  gtk_widget_class_bind_template_child (widget_class, LbPlanView, findings_list);

  gtk_widget_class_install_action (widget_class, "plan.copy-text", NULL, copy_text_action);
  gtk_widget_class_install_action (widget_class, "plan.copy-json", NULL, copy_json_action);
  gtk_widget_class_install_action (widget_class, "plan.open-window", NULL, open_window_action);
  gtk_widget_class_install_property_action (widget_class, "plan.show-text", "show-text");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, "plan.copy-text", NULL);
}

static void
lb_plan_view_init (LbPlanView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->can_open_window = TRUE;
  self->node_findings = g_hash_table_new_full (NULL, NULL, NULL, free_messages);
  self->findings = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_plan_finding_free);

  add_column (self, _("Node"), LB_PLAN_VIEW_COLUMN_NODE, -1, TRUE);
  /* The figures as wide as their numbers (a column without a fixed width
   * takes its cells' natural width); the node's title gets the rest. */
  add_column (self, _("Est → Actual"), LB_PLAN_VIEW_COLUMN_ROWS, -1, FALSE);
  add_column (self, _("Loops"), LB_PLAN_VIEW_COLUMN_LOOPS, -1, FALSE);
  add_column (self, _("Self ms"), LB_PLAN_VIEW_COLUMN_SELF, -1, FALSE);
  add_column (self, _("Total ms"), LB_PLAN_VIEW_COLUMN_TOTAL, -1, FALSE);
  add_column (self, _("Share"), LB_PLAN_VIEW_COLUMN_SHARE, 112, FALSE);
  add_column (self, _("Hit"), LB_PLAN_VIEW_COLUMN_HIT, -1, FALSE);
  add_column (self, _("Read"), LB_PLAN_VIEW_COLUMN_READ, -1, FALSE);

  self->selection = gtk_single_selection_new (NULL);
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_object (self->findings_list, "row-activated", G_CALLBACK (finding_row_activated_cb), self,
                           G_CONNECT_SWAPPED);
  reload (self);
}

/* Public API --------------------------------------------------------------- */

GtkWidget *
lb_plan_view_new (void)
{
  return g_object_new (LB_TYPE_PLAN_VIEW, NULL);
}

void
lb_plan_view_set_plan (LbPlanView    *self,
                       LbExplainPlan *plan)
{
  g_return_if_fail (LB_IS_PLAN_VIEW (self));
  g_return_if_fail (plan == NULL || LB_IS_EXPLAIN_PLAN (plan));

  if (!g_set_object (&self->plan, plan))
    return;
  reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAN]);
}

LbExplainPlan *
lb_plan_view_get_plan (LbPlanView *self)
{
  g_return_val_if_fail (LB_IS_PLAN_VIEW (self), NULL);

  return self->plan;
}

void
lb_plan_view_set_query (LbPlanView *self,
                        const char *name,
                        const char *sql)
{
  g_return_if_fail (LB_IS_PLAN_VIEW (self));

  if (g_strcmp0 (name, self->query_name) != 0)
    {
      g_free (self->query_name);
      self->query_name = g_strdup (name);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUERY_NAME]);
    }
  if (g_strcmp0 (sql, self->query_sql) != 0)
    {
      g_free (self->query_sql);
      self->query_sql = g_strdup (sql);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUERY_SQL]);
    }
}

const char *
lb_plan_view_get_query_name (LbPlanView *self)
{
  g_return_val_if_fail (LB_IS_PLAN_VIEW (self), NULL);

  return self->query_name;
}

const char *
lb_plan_view_get_query_sql (LbPlanView *self)
{
  g_return_val_if_fail (LB_IS_PLAN_VIEW (self), NULL);

  return self->query_sql;
}

void
lb_plan_view_set_show_text (LbPlanView *self,
                            gboolean    show_text)
{
  g_return_if_fail (LB_IS_PLAN_VIEW (self));

  show_text = !!show_text;
  if (self->show_text == show_text)
    return;
  self->show_text = show_text;
  gtk_stack_set_visible_child_name (self->stack, show_text ? "text" : "tree");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_TEXT]);
}

gboolean
lb_plan_view_get_show_text (LbPlanView *self)
{
  g_return_val_if_fail (LB_IS_PLAN_VIEW (self), FALSE);

  return self->show_text;
}

void
lb_plan_view_set_can_open_window (LbPlanView *self,
                                  gboolean    can_open_window)
{
  g_return_if_fail (LB_IS_PLAN_VIEW (self));

  can_open_window = !!can_open_window;
  if (self->can_open_window == can_open_window)
    return;
  self->can_open_window = can_open_window;
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_OPEN_WINDOW]);
}

gboolean
lb_plan_view_get_can_open_window (LbPlanView *self)
{
  g_return_val_if_fail (LB_IS_PLAN_VIEW (self), FALSE);

  return self->can_open_window;
}

static gboolean
is_ancestor (LbPlanNode *ancestor,
             LbPlanNode *node)
{
  for (LbPlanNode *n = node; n != NULL; n = lb_plan_node_get_parent (n))
    if (n == ancestor)
      return TRUE;
  return FALSE;
}

/* The column view's own list: scrolling is its action on 4.8
 * (gtk_column_view_scroll_to() is 4.12). */
static GtkWidget *
find_list_view (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      return child;
  return NULL;
}

void
lb_plan_view_select_node (LbPlanView *self,
                          LbPlanNode *node)
{
  GListModel *model;

  g_return_if_fail (LB_IS_PLAN_VIEW (self));
  g_return_if_fail (node == NULL || LB_IS_PLAN_NODE (node));

  model = gtk_single_selection_get_model (self->selection);
  if (node == NULL || model == NULL)
    {
      gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
      return;
    }

  /* Rows appear as their parents expand: open the way down as we go. */
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (model, i);
      g_autoptr(LbPlanNode) item = gtk_tree_list_row_get_item (row);

      if (item == node)
        {
          GtkWidget *list_view = find_list_view (GTK_WIDGET (self->column_view));

          gtk_single_selection_set_selected (self->selection, i);
          if (list_view != NULL)
            gtk_widget_activate_action (list_view, "list.scroll-to-item", "u", i);
          return;
        }
      if (is_ancestor (item, node))
        gtk_tree_list_row_set_expanded (row, TRUE);
    }
}

static LbPlanNode *
borrow_node (GtkTreeListRow *row)
{
  LbPlanNode *node = gtk_tree_list_row_get_item (row);

  g_object_unref (node);
  return node;
}

LbPlanNode *
lb_plan_view_get_selected_node (LbPlanView *self)
{
  GtkTreeListRow *row;

  g_return_val_if_fail (LB_IS_PLAN_VIEW (self), NULL);

  row = gtk_single_selection_get_selected_item (self->selection);
  if (row == NULL)
    return NULL;
  /* The plan owns its nodes: hand back a borrowed one. */
  return borrow_node (row);
}

GPtrArray *
lb_plan_view_get_findings (LbPlanView *self)
{
  g_return_val_if_fail (LB_IS_PLAN_VIEW (self), NULL);

  return self->findings;
}

GtkColumnView *
lb_plan_view_get_column_view (LbPlanView *self)
{
  g_return_val_if_fail (LB_IS_PLAN_VIEW (self), NULL);

  return self->column_view;
}

GtkListBox *
lb_plan_view_get_findings_list (LbPlanView *self)
{
  g_return_val_if_fail (LB_IS_PLAN_VIEW (self), NULL);

  return self->findings_list;
}

GtkTextView *
lb_plan_view_get_text_view (LbPlanView *self)
{
  g_return_val_if_fail (LB_IS_PLAN_VIEW (self), NULL);

  return self->text_view;
}

const char *
lb_plan_view_get_summary (LbPlanView *self)
{
  g_return_val_if_fail (LB_IS_PLAN_VIEW (self), NULL);

  return self->summary;
}
