/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbTableSizesGroup: pick a SQL warehouse, measure the workload's tables
 * with LbTableSizer, show each table's result as it arrives, and apply the
 * total as the workload's stored data, rounded up. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "lb-table-sizer.h"
#include "lb-table-sizes-group.h"

#define BYTES_PER_GB (1024.0 * 1024.0 * 1024.0)

typedef struct
{
  AdwActionRow *row;
  GtkLabel     *value;
  GtkSpinner   *spinner;
  char         *name;
} TableRow;

struct _LbTableSizesGroup
{
  GtkWidget           parent_instance;

  /* Template Widgets */
  AdwPreferencesGroup *group;
  GtkStack            *button_stack;
  GtkListBox          *list;
  AdwComboRow         *warehouse_row;
  AdwActionRow        *total_row;

  /* Owned References */
  LbWorkload          *workload;
  LbDatabricksClient  *client;
  LbTableSizer        *sizer;
  GPtrArray           *warehouses;   /* LbWarehouse*, in the combo's order */
  GPtrArray           *rows;         /* TableRow* */
  JsonNode            *sizes;
  GCancellable        *cancellable;  /* the running measurement or listing */

  guint                poll_base_ms;
  gboolean             busy;
};

G_DEFINE_FINAL_TYPE (LbTableSizesGroup, lb_table_sizes_group, GTK_TYPE_WIDGET)

enum {
  SIZES_MEASURED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
table_row_free (gpointer data)
{
  TableRow *row = data;

  g_free (row->name);
  g_free (row);
}

static char *
format_size (gint64 bytes)
{
  return g_format_size_full ((guint64) MAX (bytes, 0), G_FORMAT_SIZE_IEC_UNITS);
}

static void
update_actions (LbTableSizesGroup *self)
{
  gboolean has_tables = self->workload != NULL &&
                        g_list_model_get_n_items (lb_workload_get_tables (self->workload)) > 0;
  gboolean has_warehouse = self->warehouses != NULL && self->warehouses->len > 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sizes.measure",
                                 !self->busy && self->client != NULL && has_tables && has_warehouse);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sizes.cancel", self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sizes.apply", !self->busy && self->sizes != NULL);
  gtk_stack_set_visible_child_name (self->button_stack, self->busy ? "cancel" : "measure");
}

static void
set_busy (LbTableSizesGroup *self,
          gboolean           busy)
{
  self->busy = busy;
  update_actions (self);
}

/* Table rows follow the workload's list; sizes of a former list are gone. */
static void
rebuild_rows (LbTableSizesGroup *self)
{
  GListModel *tables;

  for (guint i = 0; i < self->rows->len; i++)
    gtk_list_box_remove (self->list, GTK_WIDGET (((TableRow *) g_ptr_array_index (self->rows, i))->row));
  g_ptr_array_set_size (self->rows, 0);

  if (self->workload == NULL)
    return;

  tables = lb_workload_get_tables (self->workload);
  for (guint i = 0; i < g_list_model_get_n_items (tables); i++)
    {
      g_autoptr(LbSyncedTable) table = g_list_model_get_item (tables, i);
      const char *name = lb_synced_table_get_name (table);
      TableRow *row;
      GtkWidget *box;
      g_autofree char *escaped = NULL;

      if (name == NULL || name[0] == '\0')
        continue;

      row = g_new0 (TableRow, 1);
      row->name = g_strdup (name);
      row->row = ADW_ACTION_ROW (adw_action_row_new ());
      escaped = g_markup_escape_text (name, -1);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->row), escaped);
      adw_action_row_set_subtitle (row->row, _("Not measured yet"));

      box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      row->spinner = GTK_SPINNER (gtk_spinner_new ());
      gtk_widget_set_visible (GTK_WIDGET (row->spinner), FALSE);
      row->value = GTK_LABEL (gtk_label_new (NULL));
      gtk_widget_add_css_class (GTK_WIDGET (row->value), "numeric");
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (row->spinner));
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (row->value));
      gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (row->row, box);

      /* Before the total, which stays last. */
      gtk_list_box_insert (self->list, GTK_WIDGET (row->row), (int) self->rows->len + 1);
      g_ptr_array_add (self->rows, row);
    }

  g_clear_pointer (&self->sizes, json_node_unref);
  adw_action_row_set_subtitle (self->total_row, _("Not measured yet"));
  update_actions (self);
}

static TableRow *
find_row (LbTableSizesGroup *self,
          const char        *name)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      TableRow *row = g_ptr_array_index (self->rows, i);

      if (g_str_equal (row->name, name))
        return row;
    }

  return NULL;
}

static void
show_table_result (TableRow     *row,
                   gint64        bytes,
                   const GError *error)
{
  gtk_spinner_stop (row->spinner);
  gtk_widget_set_visible (GTK_WIDGET (row->spinner), FALSE);

  if (error != NULL)
    {
      gtk_label_set_label (row->value, _("Not measured"));
      gtk_widget_add_css_class (GTK_WIDGET (row->value), "error");
      adw_action_row_set_subtitle (row->row, error->message);
    }
  else
    {
      g_autofree char *size = format_size (bytes);

      gtk_label_set_label (row->value, size);
      gtk_widget_remove_css_class (GTK_WIDGET (row->value), "error");
      adw_action_row_set_subtitle (row->row, _("Uncompressed, as rows of text"));
    }
}

static void
table_measured_cb (LbTableSizesGroup *self,
                   const char        *table_name,
                   gint64             bytes,
                   GError            *error,
                   LbTableSizer      *sizer)
{
  TableRow *row = find_row (self, table_name);

  if (row != NULL)
    show_table_result (row, bytes, error);
}

static void
measure_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(LbTableSizesGroup) self = user_data;
  g_autoptr(GPtrArray) sizes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *subtitle = NULL;
  JsonObject *object_;
  gint64 total;

  sizes = lb_table_sizer_measure_finish (LB_TABLE_SIZER (object), result, &error);
  if (LB_TABLE_SIZER (object) != self->sizer)
    return;
  set_busy (self, FALSE);

  if (sizes == NULL)
    {
      for (guint i = 0; i < self->rows->len; i++)
        {
          TableRow *row = g_ptr_array_index (self->rows, i);

          if (gtk_widget_get_visible (GTK_WIDGET (row->spinner)))
            show_table_result (row, -1, error);
        }
      adw_action_row_set_subtitle (self->total_row,
                                   g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                                     ? _("Cancelled") : error->message);
      return;
    }

  g_clear_pointer (&self->sizes, json_node_unref);
  self->sizes = lb_table_sizes_to_json (sizes);
  object_ = json_node_get_object (self->sizes);
  total = json_object_get_int_member (object_, "total_uncompressed_bytes");
  {
    g_autofree char *size = format_size (total);
    /* Translators: "12.3 GiB in all. PostgreSQL often needs …" */
    subtitle = g_strdup_printf (_("%s in all. %s"), size, lb_table_sizes_get_note ());
  }
  adw_action_row_set_subtitle (self->total_row, subtitle);
  update_actions (self);

  g_signal_emit (self, signals[SIZES_MEASURED], 0, self->sizes);
}

static void
measure_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  LbTableSizesGroup *self = LB_TABLE_SIZES_GROUP (widget);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  guint selected = adw_combo_row_get_selected (self->warehouse_row);
  const LbWarehouse *warehouse;

  if (self->client == NULL || self->warehouses == NULL || selected >= self->warehouses->len)
    return;

  /* Names may have been edited since the rows were made. */
  rebuild_rows (self);

  warehouse = g_ptr_array_index (self->warehouses, selected);

  g_clear_object (&self->sizer);
  self->sizer = lb_table_sizer_new (self->client);
  lb_table_sizer_set_warehouse_id (self->sizer, warehouse->id);
  if (self->poll_base_ms > 0)
    g_object_set (self->sizer, "poll-base-ms", self->poll_base_ms, NULL);
  g_signal_connect_object (self->sizer, "table-measured", G_CALLBACK (table_measured_cb), self,
                           G_CONNECT_SWAPPED);

  for (guint i = 0; i < self->rows->len; i++)
    {
      TableRow *row = g_ptr_array_index (self->rows, i);

      g_ptr_array_add (names, row->name);
      gtk_label_set_label (row->value, NULL);
      gtk_widget_set_visible (GTK_WIDGET (row->spinner), TRUE);
      gtk_spinner_start (row->spinner);
      adw_action_row_set_subtitle (row->row, _("Measuring…"));
    }
  g_ptr_array_add (names, NULL);
  adw_action_row_set_subtitle (self->total_row, _("Measuring…"));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);

  lb_table_sizer_measure_async (self->sizer, (const char * const *) names->pdata, self->cancellable,
                                measure_cb, g_object_ref (self));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  LbTableSizesGroup *self = LB_TABLE_SIZES_GROUP (widget);

  g_cancellable_cancel (self->cancellable);
}

static void
apply_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  LbTableSizesGroup *self = LB_TABLE_SIZES_GROUP (widget);
  gint64 total;
  double gb;

  if (self->sizes == NULL || self->workload == NULL)
    return;

  total = json_object_get_int_member (json_node_get_object (self->sizes), "total_uncompressed_bytes");
  /* Whole hundredths of a GB, rounded up: never under the measured data. */
  gb = ceil (total / BYTES_PER_GB * 100.0) / 100.0;
  lb_workload_set_data_stored_gb (self->workload, gb);
}

static void
warehouses_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(LbTableSizesGroup) self = user_data;
  g_autoptr(GPtrArray) warehouses = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  const char *wanted = self->workload != NULL ? lb_workload_get_warehouse_id (self->workload) : NULL;
  guint selected = 0;

  warehouses = lb_table_sizer_list_warehouses_finish (LB_TABLE_SIZER (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (warehouses == NULL || warehouses->len == 0)
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->warehouse_row),
                                   error != NULL ? error->message : _("This workspace has no SQL warehouse"));
      gtk_widget_set_sensitive (GTK_WIDGET (self->warehouse_row), FALSE);
      update_actions (self);
      return;
    }

  for (guint i = 0; i < warehouses->len; i++)
    {
      const LbWarehouse *warehouse = g_ptr_array_index (warehouses, i);
      g_autofree char *label = g_strdup_printf ("%s (%s)", warehouse->name,
                                                warehouse->state != NULL ? warehouse->state : "?");

      gtk_string_list_append (names, label);
      if (g_strcmp0 (warehouse->id, wanted) == 0)
        selected = i;
    }

  g_clear_pointer (&self->warehouses, g_ptr_array_unref);
  self->warehouses = g_steal_pointer (&warehouses);
  adw_combo_row_set_model (self->warehouse_row, G_LIST_MODEL (names));
  adw_combo_row_set_selected (self->warehouse_row, selected);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->warehouse_row),
                               _("A stopped warehouse starts when asked, which takes a few minutes"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->warehouse_row), TRUE);
  update_actions (self);
}

static void
warehouse_selected_cb (LbTableSizesGroup *self)
{
  guint selected = adw_combo_row_get_selected (self->warehouse_row);
  const LbWarehouse *warehouse;

  if (self->warehouses == NULL || selected >= self->warehouses->len || self->workload == NULL)
    return;

  /* Kept in the workload (lakebase_accelerator.warehouse_id) for next time. */
  warehouse = g_ptr_array_index (self->warehouses, selected);
  if (g_strcmp0 (lb_workload_get_warehouse_id (self->workload), warehouse->id) != 0)
    lb_workload_set_warehouse_id (self->workload, warehouse->id);
}

static void
lb_table_sizes_group_dispose (GObject *object)
{
  LbTableSizesGroup *self = LB_TABLE_SIZES_GROUP (object);

  g_cancellable_cancel (self->cancellable);
  if (self->workload != NULL)
    g_signal_handlers_disconnect_by_data (lb_workload_get_tables (self->workload), self);

  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_TABLE_SIZES_GROUP);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->sizer);
  g_clear_object (&self->client);
  g_clear_object (&self->workload);
  g_clear_pointer (&self->warehouses, g_ptr_array_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->sizes, json_node_unref);

  G_OBJECT_CLASS (lb_table_sizes_group_parent_class)->dispose (object);
}

static void
lb_table_sizes_group_class_init (LbTableSizesGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_table_sizes_group_dispose;

  signals[SIZES_MEASURED] = g_signal_new ("sizes-measured",
                                          G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 1, JSON_TYPE_NODE);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, APP_RESOURCE_PATH "/ui/lb-table-sizes-group.ui");
  gtk_widget_class_bind_template_child (widget_class, LbTableSizesGroup, group);
  gtk_widget_class_bind_template_child (widget_class, LbTableSizesGroup, button_stack);
  gtk_widget_class_bind_template_child (widget_class, LbTableSizesGroup, list);
  gtk_widget_class_bind_template_child (widget_class, LbTableSizesGroup, warehouse_row);
  gtk_widget_class_bind_template_child (widget_class, LbTableSizesGroup, total_row);

  gtk_widget_class_install_action (widget_class, "sizes.measure", NULL, measure_action);
  gtk_widget_class_install_action (widget_class, "sizes.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "sizes.apply", NULL, apply_action);
}

static void
lb_table_sizes_group_init (LbTableSizesGroup *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = g_ptr_array_new_with_free_func (table_row_free);
  g_signal_connect_object (self->warehouse_row, "notify::selected", G_CALLBACK (warehouse_selected_cb),
                           self, G_CONNECT_SWAPPED);
  update_actions (self);
}

void
lb_table_sizes_group_set_workload (LbTableSizesGroup *self,
                                   LbWorkload        *workload)
{
  g_return_if_fail (LB_IS_TABLE_SIZES_GROUP (self));
  g_return_if_fail (workload == NULL || LB_IS_WORKLOAD (workload));

  if (self->workload == workload)
    return;

  if (self->workload != NULL)
    g_signal_handlers_disconnect_by_data (lb_workload_get_tables (self->workload), self);
  g_set_object (&self->workload, workload);
  if (workload != NULL)
    g_signal_connect_swapped (lb_workload_get_tables (workload), "items-changed",
                              G_CALLBACK (rebuild_rows), self);
  rebuild_rows (self);
}

void
lb_table_sizes_group_set_client (LbTableSizesGroup  *self,
                                 LbDatabricksClient *client)
{
  g_autoptr(LbTableSizer) lister = NULL;

  g_return_if_fail (LB_IS_TABLE_SIZES_GROUP (self));
  g_return_if_fail (client == NULL || LB_IS_DATABRICKS_CLIENT (client));

  if (self->client == client)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_set_object (&self->client, client);
  g_clear_pointer (&self->warehouses, g_ptr_array_unref);
  set_busy (self, FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->warehouse_row), FALSE);

  if (client == NULL)
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->warehouse_row),
                                   _("Check the workspace identity first to list them"));
      return;
    }

  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->warehouse_row), _("Listing the warehouses…"));
  self->cancellable = g_cancellable_new ();
  lister = lb_table_sizer_new (client);
  lb_table_sizer_list_warehouses_async (lister, self->cancellable, warehouses_cb, g_object_ref (self));
}

JsonNode *
lb_table_sizes_group_get_sizes (LbTableSizesGroup *self)
{
  g_return_val_if_fail (LB_IS_TABLE_SIZES_GROUP (self), NULL);

  return self->sizes;
}

gboolean
lb_table_sizes_group_get_busy (LbTableSizesGroup *self)
{
  g_return_val_if_fail (LB_IS_TABLE_SIZES_GROUP (self), FALSE);

  return self->busy;
}

void
lb_table_sizes_group_set_poll_base_ms (LbTableSizesGroup *self,
                                       guint              poll_base_ms)
{
  g_return_if_fail (LB_IS_TABLE_SIZES_GROUP (self));

  self->poll_base_ms = poll_base_ms;
}
