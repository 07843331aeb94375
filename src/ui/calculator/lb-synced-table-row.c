/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbSyncedTableRow: entries for the name and primary keys and a combo for
 * the policy, kept in step with the LbSyncedTable both ways; an invalid
 * table is marked in red with the reason in a tooltip. */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-synced-table-row.h"

struct _LbSyncedTableRow
{
  AdwExpanderRow  parent_instance;

  /* Template Widgets */
  GtkImage       *warning_icon;
  AdwEntryRow    *name_row;
  AdwEntryRow    *keys_row;
  AdwComboRow    *policy_row;

  /* Owned References */
  LbSyncedTable  *table;

  gboolean        updating;
};

G_DEFINE_FINAL_TYPE (LbSyncedTableRow, lb_synced_table_row, ADW_TYPE_EXPANDER_ROW)

enum {
  REMOVE_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
update_summary (LbSyncedTableRow *self)
{
  const char *name = lb_synced_table_get_name (self->table);
  const char * const *keys = lb_synced_table_get_primary_keys (self->table);
  g_autofree char *joined = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *escaped_title = NULL;
  g_autoptr(GError) error = NULL;
  gboolean valid;

  g_assert (LB_IS_SYNCED_TABLE_ROW (self));

  escaped_title = g_markup_escape_text (name != NULL && name[0] != '\0' ? name : _("New table"), -1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), escaped_title);

  joined = keys != NULL && keys[0] != NULL ? g_strjoinv (", ", (char **) keys) : g_strdup (_("no primary key"));
  subtitle = g_strdup_printf ("%s · %s", joined,
                              lb_sync_mode_get_label (lb_synced_table_get_scheduling_policy (self->table)));
  {
    g_autofree char *escaped = g_markup_escape_text (subtitle, -1);
    adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (self), escaped);
  }

  valid = lb_synced_table_validate (self->table, &error);
  gtk_widget_set_visible (GTK_WIDGET (self->warning_icon), !valid);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->warning_icon), valid ? NULL : error->message);

  if (lb_synced_table_name_is_valid (name, NULL))
    gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");

  if (keys != NULL && keys[0] != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self->keys_row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->keys_row), "error");
}

static GStrv
parse_keys (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }

  return g_strv_builder_end (builder);
}

static gboolean
keys_equal (const char * const *a,
            const char * const *b)
{
  guint i;

  for (i = 0; a != NULL && b != NULL && a[i] != NULL && b[i] != NULL; i++)
    if (!g_str_equal (a[i], b[i]))
      return FALSE;

  return (a == NULL || a[i] == NULL) && (b == NULL || b[i] == NULL);
}

/* Show changes made elsewhere (undo, a reload) without fighting the user's
 * typing: an entry is rewritten only when it means something else. */
static void
sync_entries (LbSyncedTableRow *self)
{
  const char *name = lb_synced_table_get_name (self->table);
  const char * const *keys = lb_synced_table_get_primary_keys (self->table);
  g_auto(GStrv) typed = parse_keys (gtk_editable_get_text (GTK_EDITABLE (self->keys_row)));

  self->updating = TRUE;

  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->name_row)), name != NULL ? name : "") != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->name_row), name != NULL ? name : "");

  if (!keys_equal ((const char * const *) typed, keys))
    {
      g_autofree char *joined = keys != NULL ? g_strjoinv (", ", (char **) keys) : g_strdup ("");
      gtk_editable_set_text (GTK_EDITABLE (self->keys_row), joined);
    }

  if (adw_combo_row_get_selected (self->policy_row) != lb_synced_table_get_scheduling_policy (self->table))
    adw_combo_row_set_selected (self->policy_row, lb_synced_table_get_scheduling_policy (self->table));

  self->updating = FALSE;
}

static void
table_notify_cb (LbSyncedTableRow *self,
                 GParamSpec       *pspec,
                 LbSyncedTable    *table)
{
  sync_entries (self);
  update_summary (self);
}

static void
name_changed_cb (LbSyncedTableRow *self)
{
  g_assert (LB_IS_SYNCED_TABLE_ROW (self));

  if (self->updating)
    return;

  lb_synced_table_set_name (self->table, gtk_editable_get_text (GTK_EDITABLE (self->name_row)));
}

static void
keys_changed_cb (LbSyncedTableRow *self)
{
  g_auto(GStrv) keys = NULL;

  g_assert (LB_IS_SYNCED_TABLE_ROW (self));

  if (self->updating)
    return;

  keys = parse_keys (gtk_editable_get_text (GTK_EDITABLE (self->keys_row)));
  lb_synced_table_set_primary_keys (self->table, (const char * const *) keys);
}

static void
policy_selected_cb (LbSyncedTableRow *self)
{
  guint selected;

  g_assert (LB_IS_SYNCED_TABLE_ROW (self));

  selected = adw_combo_row_get_selected (self->policy_row);
  if (self->updating || selected == GTK_INVALID_LIST_POSITION)
    return;

  lb_synced_table_set_scheduling_policy (self->table, selected);
}

static void
remove_clicked_cb (LbSyncedTableRow *self)
{
  g_signal_emit (self, signals[REMOVE_REQUESTED], 0);
}

/* The combo row's own factory ellipsizes its label, so a long subtitle
 * squeezed "Snapshot" to "Sna…"; these labels keep their full width and the
 * subtitle wraps instead. */
static void
policy_item_setup_cb (GtkSignalListItemFactory *factory,
                      GtkListItem              *item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_list_item_set_child (item, label);
}

static void
policy_item_bind_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item)
{
  GtkStringObject *string = gtk_list_item_get_item (item);

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)), gtk_string_object_get_string (string));
}

static void
lb_synced_table_row_dispose (GObject *object)
{
  LbSyncedTableRow *self = LB_SYNCED_TABLE_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_SYNCED_TABLE_ROW);
  g_clear_object (&self->table);

  G_OBJECT_CLASS (lb_synced_table_row_parent_class)->dispose (object);
}

static void
lb_synced_table_row_class_init (LbSyncedTableRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_synced_table_row_dispose;

  signals[REMOVE_REQUESTED] = g_signal_new ("remove-requested",
                                            G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST,
                                            0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, APP_RESOURCE_PATH "/ui/lb-synced-table-row.ui");
  gtk_widget_class_bind_template_child (widget_class, LbSyncedTableRow, warning_icon);
  gtk_widget_class_bind_template_child (widget_class, LbSyncedTableRow, name_row);
  gtk_widget_class_bind_template_child (widget_class, LbSyncedTableRow, keys_row);
  gtk_widget_class_bind_template_child (widget_class, LbSyncedTableRow, policy_row);
  gtk_widget_class_bind_template_callback (widget_class, name_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, keys_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, policy_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, remove_clicked_cb);
}

static void
lb_synced_table_row_init (LbSyncedTableRow *self)
{
  g_autoptr(GtkStringList) policies = gtk_string_list_new (NULL);
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  self->updating = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = LB_SYNC_MODE_SNAPSHOT; i <= LB_SYNC_MODE_CONTINUOUS; i++)
    gtk_string_list_append (policies, lb_sync_mode_get_label (i));
  g_signal_connect (factory, "setup", G_CALLBACK (policy_item_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (policy_item_bind_cb), NULL);
  adw_combo_row_set_factory (self->policy_row, factory);
  adw_combo_row_set_model (self->policy_row, G_LIST_MODEL (policies));
  self->updating = FALSE;
}

GtkWidget *
lb_synced_table_row_new (LbSyncedTable *table)
{
  LbSyncedTableRow *self;

  g_return_val_if_fail (LB_IS_SYNCED_TABLE (table), NULL);

  self = g_object_new (LB_TYPE_SYNCED_TABLE_ROW, NULL);
  self->table = g_object_ref (table);

  sync_entries (self);
  g_signal_connect_object (table, "notify", G_CALLBACK (table_notify_cb), self, G_CONNECT_SWAPPED);
  update_summary (self);

  return GTK_WIDGET (self);
}

LbSyncedTable *
lb_synced_table_row_get_table (LbSyncedTableRow *self)
{
  g_return_val_if_fail (LB_IS_SYNCED_TABLE_ROW (self), NULL);

  return self->table;
}

void
lb_synced_table_row_focus_name (LbSyncedTableRow *self)
{
  g_return_if_fail (LB_IS_SYNCED_TABLE_ROW (self));

  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (self), TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
}
