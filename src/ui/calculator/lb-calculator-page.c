/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The cost calculator page: a workload form (lb-calculator-page-form.c) beside
 * the live cost report, both flavours' estimates, the synced tables list and
 * the page's actions. The figures come from the core's LbCostReport. */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-calculator-page-private.h"
#include "lb-synced-table-row.h"

G_DEFINE_FINAL_TYPE (LbCalculatorPage, lb_calculator_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_WORKLOAD,
  PROP_PRICE_SHEET,
  PROP_REPORT,
  PROP_REPORT_STALE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Report ------------------------------------------------------------------- */

/* While a field holds text that is not a value, the report shows the last
 * valid figures: it steps back and says so, rather than pass them off as
 * what the form shows. */
void
_lb_calculator_page_update_stale (LbCalculatorPage *self)
{
  GtkWidget *report_parts[] = {
    self->cards_box, GTK_WIDGET (self->cu_explanation_label), GTK_WIDGET (self->cost_bar),
    GTK_WIDGET (self->items_list), GTK_WIDGET (self->comparison_list),
    GTK_WIDGET (self->autoscaling_explanation_label), GTK_WIDGET (self->warnings_box),
  };
  g_auto(GStrv) fields = lb_calculator_page_dup_invalid_fields (self);
  gboolean stale = fields[0] != NULL;
  gboolean was_stale = gtk_widget_get_visible (self->stale_banner);

  g_assert (LB_IS_CALCULATOR_PAGE (self));

  for (guint i = 0; i < G_N_ELEMENTS (report_parts); i++)
    {
      if (stale)
        gtk_widget_add_css_class (report_parts[i], "stale-report");
      else
        gtk_widget_remove_css_class (report_parts[i], "stale-report");
    }

  if (stale)
    {
      g_autofree char *list = g_strjoinv (", ", fields);
      g_autofree char *details = NULL;

      /* TRANSLATORS: %s is a list of field titles, "Reads, Promotion" */
      details = g_strdup_printf (_("%s: the figures below are from the last valid values."), list);
      gtk_label_set_label (self->stale_details, details);
    }
  gtk_widget_set_visible (self->stale_banner, stale);

  if (stale != was_stale)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPORT_STALE]);
}

static void
set_item (ItemRow    *item,
          const char *title,
          double      amount,
          const char *subtitle)
{
  g_autofree char *money = lb_format_money (amount);

  gtk_widget_set_visible (GTK_WIDGET (item->row), TRUE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (item->row), title);
  gtk_label_set_label (item->value, money);
  adw_action_row_set_subtitle (item->row, subtitle != NULL ? subtitle : "");
}

static char *
format_cu (double cu)
{
  /* 0.5 CU is the only fractional autoscaling step. */
  if (cu == (double) (gint64) cu)
    return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) cu);
  return g_strdup_printf ("%.1f", cu);
}

static void
update_warnings (LbCalculatorPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->warnings_box))) != NULL)
    gtk_box_remove (self->warnings_box, child);

  for (guint i = 0; i < self->report->warnings->len; i++)
    {
      const LbCostWarning *warning = g_ptr_array_index (self->report->warnings, i);
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
      GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
      GtkWidget *label = gtk_label_new (warning->message);

      gtk_widget_add_css_class (box, "warning-row");
      gtk_widget_set_valign (icon, GTK_ALIGN_START);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_xalign (GTK_LABEL (label), 0.0);
      gtk_widget_set_hexpand (label, TRUE);
      gtk_box_append (GTK_BOX (box), icon);
      gtk_box_append (GTK_BOX (box), label);
      gtk_box_append (self->warnings_box, box);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->warnings_box), self->report->warnings->len > 0);
}

/* One flavour's line items into @items: the estimate when @flavour is the
 * chosen one, the comparison otherwise. Sync is the same in both. */
static void
fill_items (LbCalculatorPage *self,
            ItemRow           items[N_ITEMS],
            LbFlavour         flavour)
{
  const LbCostBreakdown *b = &self->report->breakdown;
  const LbAutoscalingEstimate *a = &self->report->autoscaling;
  const LbCostInputs *in = &self->report->inputs;
  double monthly = lb_cost_report_get_monthly_total (self->report, flavour);
  g_autofree char *sync_subtitle = NULL;
  g_autofree char *storage_subtitle = NULL;
  g_autofree char *pipelines_subtitle = NULL;

  g_assert (LB_IS_CALCULATOR_PAGE (self));

  storage_subtitle = g_strdup_printf (_("%.0f GB stored"), in->data_stored_gb);
  pipelines_subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u pipeline", "%u pipelines",
                                                     in->number_of_continuous_pipelines),
                                        in->number_of_continuous_pipelines);
  if (!b->sync_time_applicable)
    sync_subtitle = g_strdup (_("Not applicable: continuous mode has no per-sync runs"));
  else if (b->estimated_sync_time_hours > 0)
    sync_subtitle = g_strdup_printf (_("%.2f h per sync, %s"), b->estimated_sync_time_hours,
                                     lb_sync_frequency_get_label (in->sync_frequency));
  else
    sync_subtitle = g_strdup (_("No data per sync"));

  if (flavour == LB_FLAVOUR_PROVISIONED)
    {
      g_autofree char *cu = g_strdup_printf (_("%u CU"), b->recommended_cu);
      g_autofree char *secondaries = NULL;

      secondaries = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u secondary", "%u secondaries",
                                                  in->number_of_readable_secondaries),
                                     in->number_of_readable_secondaries);
      set_item (&items[ITEM_MAIN_INSTANCE], _("Main instance"), b->main_instance_cost, cu);
      set_item (&items[ITEM_SECONDARIES], _("Readable secondaries"), b->readable_secondaries_cost,
                secondaries);
      set_item (&items[ITEM_STORAGE], _("Storage"), b->storage_cost, storage_subtitle);
      set_item (&items[ITEM_MONTHLY_TOTAL], _("Provisioned total per month"), monthly, NULL);
      set_item (&items[ITEM_YEARLY_TOTAL], _("Provisioned total per year"),
                self->report->yearly_total_cost, NULL);
    }
  else
    {
      g_autofree char *min_cu = format_cu (a->min_cu);
      g_autofree char *max_cu = format_cu (a->max_cu);
      g_autofree char *at_min = lb_format_money (a->monthly_compute_cost_min);
      g_autofree char *total_at_min = lb_format_money (a->monthly_total_cost_min);
      g_autofree char *compute_subtitle = NULL;
      g_autofree char *total_subtitle = NULL;

      /* TRANSLATORS: "Always on at 2 CU, the range's max; $81.03 at 1 CU" */
      if (a->min_cu != a->max_cu)
        compute_subtitle = g_strdup_printf (_("Always on at %s CU, the range’s max; %s at %s CU"),
                                            max_cu, at_min, min_cu);
      if (a->min_cu == a->max_cu)
        {
          compute_subtitle = g_strdup_printf (_("Always on at %s CU"), max_cu);
          total_subtitle = g_strdup_printf (_("Always on at %s CU"), max_cu);
        }
      else
        {
          /* TRANSLATORS: "At most; $786.34 with compute at 1 CU" */
          total_subtitle = g_strdup_printf (_("At most; %s with compute at %s CU"), total_at_min, min_cu);
        }
      set_item (&items[ITEM_MAIN_INSTANCE], _("Autoscaling compute"), a->monthly_compute_cost_max,
                compute_subtitle);
      /* Readable secondaries are not part of an autoscaling project. */
      gtk_widget_set_visible (GTK_WIDGET (items[ITEM_SECONDARIES].row), FALSE);
      set_item (&items[ITEM_STORAGE], _("Storage"), a->monthly_storage_cost, storage_subtitle);
      set_item (&items[ITEM_MONTHLY_TOTAL], _("Autoscaling total per month"), monthly, total_subtitle);
      set_item (&items[ITEM_YEARLY_TOTAL], _("Autoscaling total per year"), monthly * 12, NULL);
    }

  set_item (&items[ITEM_CONTINUOUS_SYNC], _("Continuous sync"), b->continuous_sync_cost, pipelines_subtitle);
  set_item (&items[ITEM_TRIGGERED_SYNC], _("Triggered and snapshot sync"), b->triggered_sync_cost,
            sync_subtitle);
}

static void
update_policy_warning (LbCalculatorPage *self)
{
  guint n_continuous = 0;
  LbSyncMode tables_mode = LB_SYNC_MODE_SNAPSHOT;
  guint pipelines = lb_workload_get_number_of_continuous_pipelines (self->workload);
  LbSyncMode mode = lb_workload_get_sync_mode (self->workload);
  gboolean listed = lb_workload_get_tables_sync_policy (self->workload, &n_continuous, &tables_mode);
  gboolean pipelines_differ = listed && n_continuous != pipelines;
  gboolean mode_differs = listed && tables_mode != mode;
  g_autoptr(GString) details = g_string_new (NULL);

  g_assert (LB_IS_CALCULATOR_PAGE (self));

  if (pipelines_differ)
    {
      g_string_append_printf (details,
                              g_dngettext (GETTEXT_PACKAGE,
                                           "%u listed table is Continuous (a pipeline each)",
                                           "%u listed tables are Continuous (a pipeline each)",
                                           n_continuous),
                              n_continuous);
      g_string_append_printf (details,
                              g_dngettext (GETTEXT_PACKAGE,
                                           ", but %u pipeline is priced.",
                                           ", but %u pipelines are priced.",
                                           pipelines),
                              pipelines);
    }
  if (mode_differs)
    {
      if (details->len > 0)
        g_string_append_c (details, ' ');
      /* TRANSLATORS: "The tables’ policies mean Continuous syncs; Sync mode is Snapshot." */
      g_string_append_printf (details, _("The tables’ policies mean %s syncs; Sync mode is %s."),
                              lb_sync_mode_get_label (tables_mode), lb_sync_mode_get_label (mode));
    }

  if (details->len > 0)
    {
      g_autofree char *escaped = g_markup_escape_text (details->str, -1);

      adw_action_row_set_subtitle (self->policy_warning_row, escaped);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->policy_warning_row), details->len > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "calculator.use-table-policies", details->len > 0);
  if (self->pipelines_row != NULL && self->pipelines_row->entry != NULL)
    {
      if (pipelines_differ)
        gtk_widget_add_css_class (GTK_WIDGET (self->pipelines_row->entry), "warning");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (self->pipelines_row->entry), "warning");
    }
}

static void
update_report (LbCalculatorPage *self)
{
  const LbCostBreakdown *b;
  const LbAutoscalingEstimate *a;
  g_autofree char *cu = NULL;
  g_autofree char *caption = NULL;
  g_autofree char *monthly = NULL;
  g_autofree char *min_cu = NULL;
  g_autofree char *max_cu = NULL;
  g_autofree char *range = NULL;
  g_autofree char *cost_min = NULL;
  g_autofree char *cost_max = NULL;
  g_autofree char *range_caption = NULL;
  g_autofree char *cost_heading = NULL;
  g_autofree char *comparison_title = NULL;
  g_autofree char *comparison_subtitle = NULL;
  g_autofree char *comparison_total = NULL;
  LbFlavour chosen;
  LbFlavour other;

  g_assert (LB_IS_CALCULATOR_PAGE (self));

  if (self->workload == NULL || self->prices == NULL)
    return;

  g_clear_pointer (&self->report, lb_cost_report_unref);
  self->report = lb_cost_model_estimate (self->workload, self->prices);
  lb_cost_report_set_table_sizes (self->report, self->table_sizes);
  b = &self->report->breakdown;
  a = &self->report->autoscaling;
  chosen = self->report->inputs.flavour;
  other = chosen == LB_FLAVOUR_AUTOSCALING ? LB_FLAVOUR_PROVISIONED : LB_FLAVOUR_AUTOSCALING;

  cu = g_strdup_printf (_("%u CU"), b->recommended_cu);
  monthly = lb_format_money (b->total_monthly_cost);
  caption = g_strdup_printf (_("%.2f CU needed · %s a month in all"), b->total_cu, monthly);
  gtk_label_set_label (self->cu_label, cu);
  gtk_label_set_label (self->cu_caption, caption);

  min_cu = format_cu (a->min_cu);
  max_cu = format_cu (a->max_cu);
  if (a->min_cu == a->max_cu)
    range = g_strdup_printf (_("%s CU"), max_cu);
  else
    /* Translators: an autoscaling range of capacity units, "1 – 2 CU" */
    range = g_strdup_printf (_("%s – %s CU"), min_cu, max_cu);
  cost_min = lb_format_money (a->monthly_total_cost_min);
  cost_max = lb_format_money (a->monthly_total_cost_max);
  if (a->min_cu == a->max_cu)
    range_caption = g_strdup_printf (_("%s a month in all, always on"), cost_max);
  else
    range_caption = g_strdup_printf (_("%s – %s a month in all, always on"), cost_min, cost_max);
  gtk_label_set_label (self->range_label, a->needs_fixed_size ? _("Fixed size") : range);
  gtk_label_set_label (self->range_caption, range_caption);

  /* Mark the flavour this workload deploys to: its card, and every figure
   * below, is the estimate; the other one is there to compare. */
  gtk_label_set_label (self->provisioned_title,
                       chosen == LB_FLAVOUR_PROVISIONED ? _("Provisioned · chosen") : _("Provisioned · for comparison"));
  gtk_label_set_label (self->autoscaling_title,
                       chosen == LB_FLAVOUR_AUTOSCALING ? _("Autoscaling · chosen") : _("Autoscaling · for comparison"));
  if (chosen == LB_FLAVOUR_AUTOSCALING)
    {
      gtk_widget_add_css_class (self->autoscaling_card, "chosen-card");
      gtk_widget_remove_css_class (self->provisioned_card, "chosen-card");
    }
  else
    {
      gtk_widget_add_css_class (self->provisioned_card, "chosen-card");
      gtk_widget_remove_css_class (self->autoscaling_card, "chosen-card");
    }

  gtk_label_set_label (self->cu_explanation_label, self->report->cu_explanation);
  gtk_label_set_label (self->autoscaling_explanation_label, self->report->autoscaling_explanation);

  /* TRANSLATORS: "Monthly Cost · Autoscaling", the chosen flavour */
  cost_heading = g_strdup_printf (_("Monthly Cost · %s"), lb_flavour_get_label (chosen));
  gtk_label_set_label (self->cost_heading, cost_heading);
  fill_items (self, self->items, chosen);

  /* TRANSLATORS: "Provisioned, for comparison" */
  comparison_title = g_strdup_printf (_("%s, for comparison"), lb_flavour_get_label (other));
  /* TRANSLATORS: "Not the estimate: this workload deploys to Autoscaling" */
  comparison_subtitle = g_strdup_printf (_("Not the estimate: this workload deploys to %s"),
                                         lb_flavour_get_label (chosen));
  comparison_total = lb_format_money (lb_cost_report_get_monthly_total (self->report, other));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->comparison_row), comparison_title);
  adw_expander_row_set_subtitle (self->comparison_row, comparison_subtitle);
  gtk_label_set_label (self->comparison_total, comparison_total);
  fill_items (self, self->comparison_items, other);
  /* The expander shows the total already. */
  gtk_widget_set_visible (GTK_WIDGET (self->comparison_items[ITEM_MONTHLY_TOTAL].row), FALSE);

  update_warnings (self);
  update_policy_warning (self);
  lb_cost_bar_set_report (self->cost_bar, self->report);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPORT]);
}

static void
create_item_row (ItemRow  *item,
                 gboolean  total)
{
  AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());
  GtkWidget *value = gtk_label_new (NULL);

  gtk_widget_add_css_class (value, "numeric");
  gtk_label_set_selectable (GTK_LABEL (value), TRUE);
  adw_action_row_add_suffix (row, value);
  if (total)
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "line-item-total");
      gtk_widget_add_css_class (value, "line-item-total");
    }
  item->row = row;
  item->value = GTK_LABEL (value);
}

static void
build_items (LbCalculatorPage *self)
{
  for (guint i = 0; i < N_ITEMS; i++)
    {
      create_item_row (&self->items[i], i >= ITEM_MONTHLY_TOTAL);
      gtk_list_box_append (self->items_list, GTK_WIDGET (self->items[i].row));

      create_item_row (&self->comparison_items[i], FALSE);
      adw_expander_row_add_row (self->comparison_row, GTK_WIDGET (self->comparison_items[i].row));
    }
}

/* Tables ------------------------------------------------------------------- */

static void
undo_remove_clicked_cb (LbCalculatorPage *self,
                        AdwToast         *toast)
{
  LbSyncedTable *table = g_object_get_data (G_OBJECT (toast), "table");
  LbWorkload *workload = g_object_get_data (G_OBJECT (toast), "workload");
  guint position = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (toast), "position"));

  g_assert (LB_IS_CALCULATOR_PAGE (self));

  /* Only into the workload it came from, and only once. */
  if (table == NULL || workload != self->workload ||
      g_list_store_find (G_LIST_STORE (lb_workload_get_tables (workload)), table, NULL))
    return;

  lb_workload_insert_table (workload, position, table);
  g_object_set_data (G_OBJECT (toast), "table", NULL);
}

static void
table_remove_requested_cb (LbCalculatorPage *self,
                           LbSyncedTableRow *row)
{
  GListModel *tables;
  LbSyncedTable *table = lb_synced_table_row_get_table (row);
  guint position;

  g_assert (LB_IS_CALCULATOR_PAGE (self));

  tables = lb_workload_get_tables (self->workload);
  if (!g_list_store_find (G_LIST_STORE (tables), table, &position))
    return;

  {
    g_autoptr(LbSyncedTable) removed = g_object_ref (table);
    GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
    const char *name = lb_synced_table_get_name (removed);
    g_autofree char *message = NULL;
    g_autofree char *escaped = NULL;
    AdwToast *toast;

    lb_workload_remove_table (self->workload, position);
    if (overlay == NULL)
      return;

    escaped = g_markup_escape_text (name != NULL && name[0] != '\0' ? name : _("New table"), -1);
    message = g_strdup_printf (_("Removed “%s”"), escaped);
    toast = adw_toast_new (message);
    adw_toast_set_button_label (toast, _("_Undo"));
    adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
    g_object_set_data_full (G_OBJECT (toast), "table", g_steal_pointer (&removed), g_object_unref);
    g_object_set_data_full (G_OBJECT (toast), "workload", g_object_ref (self->workload), g_object_unref);
    g_object_set_data (G_OBJECT (toast), "position", GUINT_TO_POINTER (position));
    g_signal_connect_object (toast, "button-clicked", G_CALLBACK (undo_remove_clicked_cb),
                             self, G_CONNECT_SWAPPED);
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
  }
}

static GtkWidget *
create_table_row_cb (gpointer item,
                     gpointer user_data)
{
  LbCalculatorPage *self = user_data;
  GtkWidget *row = lb_synced_table_row_new (LB_SYNCED_TABLE (item));

  g_signal_connect_object (row, "remove-requested", G_CALLBACK (table_remove_requested_cb),
                           self, G_CONNECT_SWAPPED);

  return row;
}

static void
update_tables_stack (LbCalculatorPage *self)
{
  GListModel *tables = lb_workload_get_tables (self->workload);

  gtk_stack_set_visible_child_name (self->tables_stack,
                                    g_list_model_get_n_items (tables) > 0 ? "tables" : "empty");
}

static void
tables_items_changed_cb (LbCalculatorPage *self)
{
  update_tables_stack (self);
}

#define SCROLL_FRAMES 8

static gboolean
scroll_to_row_cb (GtkWidget     *row,
                  GdkFrameClock *frame_clock,
                  gpointer       user_data)
{
  LbCalculatorPage *self = user_data;
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->form_scroller);
  guint frames = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "scroll-frames"));
  graphene_point_t point;

  /* The row settles over a few frames (the list appears, the row expands):
   * keep it and its fields in view until then. */
  g_object_set_data (G_OBJECT (row), "scroll-frames", GUINT_TO_POINTER (frames + 1));
  if (gtk_widget_get_height (row) > 0 &&
      gtk_widget_compute_point (row, GTK_WIDGET (self->form_box), &GRAPHENE_POINT_INIT (0, 0), &point))
    gtk_adjustment_clamp_page (adjustment, point.y - 12, point.y + gtk_widget_get_height (row) + 24);

  return frames + 1 < SCROLL_FRAMES ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
add_table_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  LbCalculatorPage *self = LB_CALCULATOR_PAGE (widget);
  g_autoptr(LbSyncedTable) table = lb_synced_table_new ("", NULL, LB_SYNC_MODE_SNAPSHOT);
  GListModel *tables;
  GtkListBoxRow *row;

  if (self->workload == NULL)
    return;

  lb_workload_add_table (self->workload, table);
  tables = lb_workload_get_tables (self->workload);
  row = gtk_list_box_get_row_at_index (self->tables_list, g_list_model_get_n_items (tables) - 1);
  if (LB_IS_SYNCED_TABLE_ROW (row))
    {
      lb_synced_table_row_focus_name (LB_SYNCED_TABLE_ROW (row));
      gtk_widget_add_tick_callback (GTK_WIDGET (row), scroll_to_row_cb, self, NULL);
    }
}

static void
use_table_policies_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  LbCalculatorPage *self = LB_CALCULATOR_PAGE (widget);
  guint n_continuous;
  LbSyncMode mode;

  if (self->workload == NULL ||
      !lb_workload_get_tables_sync_policy (self->workload, &n_continuous, &mode))
    return;

  lb_workload_set_number_of_continuous_pipelines (self->workload, n_continuous);
  lb_workload_set_sync_mode (self->workload, mode);
  /* Only these two rows: other fields may hold text the user is fixing. */
  _lb_calculator_page_fill_field_row (self, self->pipelines_row);
  _lb_calculator_page_fill_field_row (self, self->sync_mode_row);
  _lb_calculator_page_update_stale (self);
}

static void
workload_changed_cb (LbCalculatorPage *self)
{
  update_report (self);
}

/* GObject ------------------------------------------------------------------ */

static void
lb_calculator_page_dispose (GObject *object)
{
  LbCalculatorPage *self = LB_CALCULATOR_PAGE (object);

  if (self->workload != NULL)
    {
      g_clear_signal_handler (&self->changed_id, self->workload);
      g_clear_signal_handler (&self->tables_changed_id, lb_workload_get_tables (self->workload));
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_CALCULATOR_PAGE);

  g_clear_object (&self->workload);
  g_clear_object (&self->prices);
  g_clear_pointer (&self->report, lb_cost_report_unref);
  g_clear_pointer (&self->table_sizes, json_node_unref);
  g_clear_pointer (&self->field_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (lb_calculator_page_parent_class)->dispose (object);
}

static void
lb_calculator_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  LbCalculatorPage *self = LB_CALCULATOR_PAGE (object);

  switch (prop_id)
    {
    case PROP_WORKLOAD:
      g_value_set_object (value, lb_calculator_page_get_workload (self));
      break;
    case PROP_PRICE_SHEET:
      g_value_set_object (value, lb_calculator_page_get_price_sheet (self));
      break;
    case PROP_REPORT:
      g_value_set_boxed (value, lb_calculator_page_get_report (self));
      break;
    case PROP_REPORT_STALE:
      g_value_set_boolean (value, lb_calculator_page_get_report_stale (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_calculator_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  LbCalculatorPage *self = LB_CALCULATOR_PAGE (object);

  switch (prop_id)
    {
    case PROP_WORKLOAD:
      lb_calculator_page_set_workload (self, g_value_get_object (value));
      break;
    case PROP_PRICE_SHEET:
      lb_calculator_page_set_price_sheet (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_calculator_page_class_init (LbCalculatorPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_calculator_page_dispose;
  object_class->get_property = lb_calculator_page_get_property;
  object_class->set_property = lb_calculator_page_set_property;

  properties[PROP_WORKLOAD] =
    g_param_spec_object ("workload", NULL, NULL,
                         LB_TYPE_WORKLOAD,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PRICE_SHEET] =
    g_param_spec_object ("price-sheet", NULL, NULL,
                         LB_TYPE_PRICE_SHEET,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REPORT] =
    g_param_spec_boxed ("report", NULL, NULL,
                        LB_TYPE_COST_REPORT,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REPORT_STALE] =
    g_param_spec_boolean ("report-stale", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (LB_TYPE_COST_BAR);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, APP_RESOURCE_PATH "/ui/lb-calculator-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LbCalculatorPage, main_box);
  gtk_widget_class_bind_template_child (widget_class, LbCalculatorPage, form_scroller);
  gtk_widget_class_bind_template_child (widget_class, LbCalculatorPage, form_box);
  gtk_widget_class_bind_template_child (widget_class, LbCalculatorPage, instance_group);
  gtk_widget_class_bind_template_child (widget_class, LbCalculatorPage, storage_group);
  gtk_widget_class_bind_template_child (widget_class, LbCalculatorPage, sync_group);
  gtk_widget_class_bind_template_child (widget_class, LbCalculatorPage, deployment_group);
  gtk_widget_class_bind_template_child (widget_class, LbCalculatorPage, tables_stack);
  gtk_widget_class_bind_template_child (widget_class, LbCalculatorPage, tables_list);
  gtk_widget_class_bind_template_child (widget_class, LbCalculatorPage, provisioned_title);
  gtk_widget_class_bind_template_child (widget_class, LbCalculatorPage, cu_label);
  gtk_widget_class_bind_template_child (widget_class, LbCalculatorPage, cu_caption);
  gtk_widget_class_bind_template_child (widget_class, LbCalculatorPage, autoscaling_title);
  gtk_widget_class_bind_template_child (widget_class, LbCalculatorPage, range_label);
  gtk_widget_class_bind_template_child (widget_class, LbCalculatorPage, range_caption);
  gtk_widget_class_bind_template_child (widget_class, LbCalculatorPage, cu_explanation_label);
  gtk_widget_class_bind_template_child (widget_class, LbCalculatorPage, autoscaling_explanation_label);
  gtk_widget_class_bind_template_child (widget_class, LbCalculatorPage, stale_banner);
  gtk_widget_class_bind_template_child (widget_class, LbCalculatorPage, stale_details);
  gtk_widget_class_bind_template_child (widget_class, LbCalculatorPage, cards_box);
  gtk_widget_class_bind_template_child (widget_class, LbCalculatorPage, provisioned_card);
  gtk_widget_class_bind_template_child (widget_class, LbCalculatorPage, autoscaling_card);
  gtk_widget_class_bind_template_child (widget_class, LbCalculatorPage, cost_heading);
  gtk_widget_class_bind_template_child (widget_class, LbCalculatorPage, comparison_list);
  gtk_widget_class_bind_template_child (widget_class, LbCalculatorPage, comparison_row);
  gtk_widget_class_bind_template_child (widget_class, LbCalculatorPage, comparison_total);
  gtk_widget_class_bind_template_child (widget_class, LbCalculatorPage, cost_bar);
  gtk_widget_class_bind_template_child (widget_class, LbCalculatorPage, items_list);
  gtk_widget_class_bind_template_child (widget_class, LbCalculatorPage, warnings_box);

  gtk_widget_class_install_action (widget_class, "calculator.add-table", NULL, add_table_action);
  gtk_widget_class_install_action (widget_class, "calculator.use-table-policies", NULL,
                                   use_table_policies_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, GDK_CONTROL_MASK, "calculator.add-table", NULL);
}

static void
lb_calculator_page_init (LbCalculatorPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->field_rows = g_ptr_array_new_with_free_func (_lb_calculator_page_field_row_free);
  _lb_calculator_page_build_form (self);
  build_items (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "calculator.use-table-policies", FALSE);
}

LbWorkload *
lb_calculator_page_get_workload (LbCalculatorPage *self)
{
  g_return_val_if_fail (LB_IS_CALCULATOR_PAGE (self), NULL);

  return self->workload;
}

void
lb_calculator_page_set_workload (LbCalculatorPage *self,
                                 LbWorkload       *workload)
{
  g_return_if_fail (LB_IS_CALCULATOR_PAGE (self));
  g_return_if_fail (workload == NULL || LB_IS_WORKLOAD (workload));

  if (self->workload == workload)
    return;

  if (self->workload != NULL)
    {
      g_clear_signal_handler (&self->changed_id, self->workload);
      g_clear_signal_handler (&self->tables_changed_id, lb_workload_get_tables (self->workload));
    }

  g_set_object (&self->workload, workload);

  if (workload != NULL)
    {
      GListModel *tables = lb_workload_get_tables (workload);

      self->changed_id = g_signal_connect_object (workload, "changed",
                                                  G_CALLBACK (workload_changed_cb), self,
                                                  G_CONNECT_SWAPPED);
      self->tables_changed_id = g_signal_connect_object (tables, "items-changed",
                                                         G_CALLBACK (tables_items_changed_cb), self,
                                                         G_CONNECT_SWAPPED);
      gtk_list_box_bind_model (self->tables_list, tables, create_table_row_cb, self, NULL);
      _lb_calculator_page_fill_form (self);
      update_tables_stack (self);
      update_report (self);
    }
  else
    {
      gtk_list_box_bind_model (self->tables_list, NULL, NULL, NULL, NULL);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WORKLOAD]);
}

LbPriceSheet *
lb_calculator_page_get_price_sheet (LbCalculatorPage *self)
{
  g_return_val_if_fail (LB_IS_CALCULATOR_PAGE (self), NULL);

  return self->prices;
}

void
lb_calculator_page_set_price_sheet (LbCalculatorPage *self,
                                    LbPriceSheet     *prices)
{
  g_return_if_fail (LB_IS_CALCULATOR_PAGE (self));
  g_return_if_fail (prices == NULL || LB_IS_PRICE_SHEET (prices));

  if (g_set_object (&self->prices, prices))
    {
      update_report (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRICE_SHEET]);
    }
}

LbCostReport *
lb_calculator_page_get_report (LbCalculatorPage *self)
{
  g_return_val_if_fail (LB_IS_CALCULATOR_PAGE (self), NULL);

  return self->report;
}

GtkWidget *
lb_calculator_page_get_field_widget (LbCalculatorPage *self,
                                     const char       *section,
                                     const char       *key)
{
  g_return_val_if_fail (LB_IS_CALCULATOR_PAGE (self), NULL);

  for (guint i = 0; i < self->field_rows->len; i++)
    {
      FieldRow *field_row = g_ptr_array_index (self->field_rows, i);

      if (g_str_equal (field_row->field->section, section) && g_str_equal (field_row->field->key, key))
        return field_row->entry != NULL ? GTK_WIDGET (field_row->entry) : GTK_WIDGET (field_row->row);
    }

  return NULL;
}

void
lb_calculator_page_set_table_sizes (LbCalculatorPage *self,
                                    JsonNode         *table_sizes)
{
  g_return_if_fail (LB_IS_CALCULATOR_PAGE (self));

  g_clear_pointer (&self->table_sizes, json_node_unref);
  if (table_sizes != NULL)
    self->table_sizes = json_node_ref (table_sizes);
  update_report (self);
}

GStrv
lb_calculator_page_dup_invalid_fields (LbCalculatorPage *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (LB_IS_CALCULATOR_PAGE (self), NULL);

  for (guint i = 0; i < self->field_rows->len; i++)
    {
      FieldRow *field_row = g_ptr_array_index (self->field_rows, i);

      if (field_row->invalid)
        g_strv_builder_add (builder, _(field_row->field->title));
    }

  return g_strv_builder_end (builder);
}

gboolean
lb_calculator_page_focus_first_invalid (LbCalculatorPage *self)
{
  g_return_val_if_fail (LB_IS_CALCULATOR_PAGE (self), FALSE);

  for (guint i = 0; i < self->field_rows->len; i++)
    {
      FieldRow *field_row = g_ptr_array_index (self->field_rows, i);

      if (field_row->invalid && field_row->entry != NULL)
        return gtk_widget_grab_focus (GTK_WIDGET (field_row->entry));
    }

  return FALSE;
}

gboolean
lb_calculator_page_get_report_stale (LbCalculatorPage *self)
{
  g_return_val_if_fail (LB_IS_CALCULATOR_PAGE (self), FALSE);

  return _lb_calculator_page_has_invalid_fields (self);
}
