/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbSyncedTablesWindow: the rows of an LbSyncStatus, the refresh timer
 * with backoff (only while the window is mapped) and the user's actions. */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-synced-tables-window.h"

#include "lb-compat.h"

#define DEFAULT_BASE_MS 5000
#define DEFAULT_MAX_MS  60000

struct _LbSyncedTablesWindow
{
  AdwWindow        parent_instance;

  /* Template Widgets */
  AdwToastOverlay *toast_overlay;
  AdwWindowTitle  *window_title;
  GtkLabel        *status_label;
  GtkLabel        *error_label;
  GtkListBox      *list;

  /* Owned References */
  LbSyncStatus    *status;
  GCancellable    *cancellable;
  GPtrArray       *rows;
  GHashTable      *expanded;        /* names the user opened */

  guint            base_ms;
  guint            max_ms;
  guint            delay_ms;        /* the next wait */
  guint            timer;
  guint            refresh_count;
  gboolean         refreshing;
  gboolean         partitions_wanted;
};

G_DEFINE_FINAL_TYPE (LbSyncedTablesWindow, lb_synced_tables_window, ADW_TYPE_WINDOW)

static void refresh (LbSyncedTablesWindow *self);

/* Rows ------------------------------------------------------------------------- */

static const char *
health_style (LbSyncHealth health)
{
  switch (health)
    {
    case LB_SYNC_HEALTH_FAILED: return "error";
    case LB_SYNC_HEALTH_ONLINE: return "success";
    case LB_SYNC_HEALTH_SYNCING: return "accent";
    case LB_SYNC_HEALTH_PROVISIONING:
    case LB_SYNC_HEALTH_OFFLINE: return "warning";
    default: return "dim-label";
    }
}

static GtkWidget *
link_button (const char *action,
             const char *name,
             const char *tooltip)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("adw-external-link-symbolic");

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_add_css_class (button, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", name);
  return button;
}

static GtkWidget *
detail_row (const char *title,
            const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  return row;
}

static void
expanded_changed_cb (AdwExpanderRow       *row,
                     GParamSpec           *pspec,
                     LbSyncedTablesWindow *self)
{
  const char *name = gtk_widget_get_name (GTK_WIDGET (row));

  if (adw_expander_row_get_expanded (row))
    g_hash_table_add (self->expanded, g_strdup (name));
  else
    g_hash_table_remove (self->expanded, name);
}

static GtkWidget *
make_row (LbSyncedTablesWindow *self,
          LbSyncedTableStatus  *item,
          GDateTime            *now)
{
  const char *name = lb_synced_table_status_get_name (item);
  LbSyncHealth health = lb_synced_table_status_get_health (item);
  LbSyncMode policy = lb_synced_table_status_get_policy (item);
  g_autofree char *ago = lb_format_time_ago (lb_synced_table_status_get_last_sync (item), now);
  g_autofree char *lag = lb_format_duration_s (lb_synced_table_status_get_lag_seconds (item));
  g_autofree char *error = lb_synced_table_status_dup_error_text (item);
  g_autoptr(GString) subtitle = g_string_new (NULL);
  gint64 rows = lb_synced_table_status_get_rows (item);
  gint64 bytes = lb_synced_table_status_get_partition_bytes (item);
  GtkWidget *row = adw_expander_row_new ();
  GtkWidget *state = gtk_label_new (lb_sync_health_get_label (health));
  GtkWidget *sync_button;
  g_autofree char *pipeline = NULL;
  g_autofree char *partitions = NULL;

  gtk_widget_set_name (row, name);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);

  /* TRANSLATORS: the sync policy, then when the last sync ended ("3 min ago") */
  g_string_append_printf (subtitle, _("%s · synced %s"), lb_sync_mode_get_label (policy), ago);
  if (lb_synced_table_status_get_lag_seconds (item) >= 0)
    g_string_append_printf (subtitle, _(" · lag %s"), lag);
  if (rows >= 0)
    g_string_append_printf (subtitle, _(" · %'" G_GINT64_FORMAT " rows"), rows);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle->str);

  gtk_widget_add_css_class (state, "sync-state");
  gtk_widget_add_css_class (state, health_style (health));
  gtk_widget_set_valign (state, GTK_ALIGN_CENTER);
  adw_expander_row_add_action (ADW_EXPANDER_ROW (row), state);

  sync_button = gtk_button_new_with_mnemonic (_("Sync _Now"));
  gtk_widget_set_valign (sync_button, GTK_ALIGN_CENTER);
  /* An actionable button takes its sensitivity from the action: only the
   * tables Sync Now applies to get one. */
  if (lb_synced_table_status_can_sync_now (item))
    {
      gtk_actionable_set_action_name (GTK_ACTIONABLE (sync_button), "synced.sync-now");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (sync_button), "s", name);
    }
  else
    gtk_widget_set_sensitive (sync_button, FALSE);
  gtk_widget_set_tooltip_text (sync_button,
                               policy == LB_SYNC_MODE_CONTINUOUS
                               ? _("Continuous tables sync all the time: there is nothing to start")
                               : _("Start an update of this table’s sync pipeline now"));
  adw_expander_row_add_action (ADW_EXPANDER_ROW (row), sync_button);

  if (error != NULL)
    {
      GtkWidget *error_row = detail_row (_("Error"), error);

      gtk_widget_add_css_class (error_row, "sync-error");
      adw_expander_row_add_row (ADW_EXPANDER_ROW (row), error_row);
    }

  if (lb_synced_table_status_get_pipeline_id (item) != NULL)
    {
      GtkWidget *pipeline_row;

      pipeline = g_strdup_printf (_("%s · latest update %s"),
                                  lb_synced_table_status_get_pipeline_state (item) ?: _("state unknown"),
                                  lb_synced_table_status_get_update_state (item) ?: _("unknown"));
      pipeline_row = detail_row (_("Pipeline"), pipeline);
      adw_action_row_add_suffix (ADW_ACTION_ROW (pipeline_row),
                                 link_button ("synced.open-pipeline", name, _("Open the pipeline in the workspace")));
      adw_expander_row_add_row (ADW_EXPANDER_ROW (row), pipeline_row);
    }

  {
    g_autofree char *from = g_strdup_printf (_("From %s"), lb_synced_table_status_get_source_table (item) ?: "—");
    GtkWidget *source_row = detail_row (_("Synced table"), from);

    adw_action_row_add_suffix (ADW_ACTION_ROW (source_row),
                               link_button ("synced.open-table", name, _("Open the synced table in Catalog Explorer")));
    adw_expander_row_add_row (ADW_EXPANDER_ROW (row), source_row);
  }

  if (bytes >= 0)
    {
      g_autofree char *size = g_format_size ((guint64) bytes);

      partitions = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u partition, %s", "%u partitions, %s",
                                                 lb_synced_table_status_get_partition_count (item)),
                                    lb_synced_table_status_get_partition_count (item), size);
    }
  adw_expander_row_add_row (ADW_EXPANDER_ROW (row),
                            detail_row (_("Partitions in PostgreSQL"),
                                        partitions != NULL ? partitions : _("Not measured yet")));

  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row),
                                 health == LB_SYNC_HEALTH_FAILED || g_hash_table_contains (self->expanded, name));
  g_signal_connect_object (row, "notify::expanded", G_CALLBACK (expanded_changed_cb), self, 0);
  return row;
}

static void
rebuild_rows (LbSyncedTablesWindow *self)
{
  GListModel *tables = lb_sync_status_get_tables (self->status);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  for (guint i = 0; i < self->rows->len; i++)
    gtk_list_box_remove (self->list, g_ptr_array_index (self->rows, i));
  g_ptr_array_set_size (self->rows, 0);

  for (guint i = 0; i < g_list_model_get_n_items (tables); i++)
    {
      g_autoptr(LbSyncedTableStatus) item = g_list_model_get_item (tables, i);
      GtkWidget *row = make_row (self, item, now);

      gtk_list_box_append (self->list, row);
      g_ptr_array_add (self->rows, row);
    }
}

static void
items_changed_cb (LbSyncedTablesWindow *self)
{
  rebuild_rows (self);
}

static void
update_status_label (LbSyncedTablesWindow *self)
{
  GDateTime *at = lb_sync_status_get_refreshed_at (self->status);
  guint failed = lb_sync_status_count_failed (self->status);
  g_autofree char *when = at != NULL ? g_date_time_format (at, "%X") : NULL;
  g_autofree char *next = NULL;
  g_autofree char *text = NULL;

  if (at == NULL)
    return;
  next = lb_format_duration_s (self->delay_ms / 1000);
  if (failed > 0)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Read at %s · %u table failed · next refresh in %s",
                                         "Read at %s · %u tables failed · next refresh in %s", failed),
                            when, failed, next);
  else
    text = g_strdup_printf (_("Read at %s · next refresh in %s"), when, next);
  gtk_label_set_text (self->status_label, text);
}

/* Refresh with backoff ------------------------------------------------------------ */

static gboolean
timer_cb (gpointer user_data)
{
  LbSyncedTablesWindow *self = user_data;

  self->timer = 0;
  refresh (self);
  return G_SOURCE_REMOVE;
}

static void
schedule (LbSyncedTablesWindow *self)
{
  g_clear_handle_id (&self->timer, g_source_remove);
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)) || self->refreshing)
    return;
  self->timer = g_timeout_add (self->delay_ms, timer_cb, self);
}

static void
partitions_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(LbSyncedTablesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!lb_sync_status_measure_partitions_finish (LB_SYNC_STATUS (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->status != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Partition sizes not measured: %s"), error->message);

      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
    }
}

static void
refresh_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(LbSyncedTablesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean changed = FALSE;

  self->refreshing = FALSE;
  if (self->status == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;   /* closed meanwhile */
  self->refresh_count++;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "synced.refresh", TRUE);

  if (!lb_sync_status_refresh_finish (LB_SYNC_STATUS (object), result, &changed, &error))
    {
      gtk_label_set_text (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      self->delay_ms = MIN (self->delay_ms * 2, self->max_ms);
    }
  else
    {
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
      /* Something moved: look again soon; else less and less often. */
      if (changed)
        self->delay_ms = self->base_ms;
      else
        self->delay_ms = MIN (self->delay_ms * 2, self->max_ms);
      if (self->partitions_wanted)
        {
          self->partitions_wanted = FALSE;
          lb_sync_status_measure_partitions_async (self->status, self->cancellable, partitions_cb,
                                                   g_object_ref (self));
        }
    }
  update_status_label (self);
  schedule (self);
}

static void
refresh (LbSyncedTablesWindow *self)
{
  if (self->refreshing)
    return;
  g_clear_handle_id (&self->timer, g_source_remove);
  self->refreshing = TRUE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "synced.refresh", FALSE);
  lb_sync_status_refresh_async (self->status, self->cancellable, refresh_cb, g_object_ref (self));
}

/* Actions ------------------------------------------------------------------------ */

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  LbSyncedTablesWindow *self = LB_SYNCED_TABLES_WINDOW (widget);

  self->partitions_wanted = TRUE;
  self->delay_ms = self->base_ms;
  refresh (self);
}

static void
sync_now_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(LbSyncedTablesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *update_id = NULL;
  g_autofree char *message = NULL;

  update_id = lb_sync_status_sync_now_finish (LB_SYNC_STATUS (object), result, &error);
  if (self->status == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  message = update_id != NULL ? g_strdup (_("Sync started"))
                              : g_strdup_printf (_("Sync not started: %s"), error->message);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));

  /* Show the update at once, then follow it closely. */
  self->delay_ms = self->base_ms;
  refresh (self);
}

static void
sync_now_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  LbSyncedTablesWindow *self = LB_SYNCED_TABLES_WINDOW (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  LbSyncedTableStatus *item = lb_sync_status_find (self->status, name);

  if (item == NULL || !lb_synced_table_status_can_sync_now (item))
    return;
  lb_sync_status_sync_now_async (self->status, name, self->cancellable, sync_now_cb, g_object_ref (self));
}

static void
open_uri (LbSyncedTablesWindow *self,
          const char           *uri)
{
  if (uri == NULL)
    return;
  lb_compat_show_uri (GTK_WINDOW (self), uri);
}

static void
open_link_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  LbSyncedTablesWindow *self = LB_SYNCED_TABLES_WINDOW (widget);
  LbSyncedTableStatus *item = lb_sync_status_find (self->status, g_variant_get_string (parameter, NULL));
  const char *host = lb_sync_status_get_workspace_host (self->status);
  g_autofree char *uri = NULL;

  if (item == NULL)
    return;
  uri = g_str_equal (action_name, "synced.open-pipeline")
    ? lb_synced_table_status_dup_pipeline_url (item, host)
    : lb_synced_table_status_dup_table_url (item, host);
  open_uri (self, uri);
}

/* GObject ------------------------------------------------------------------------ */

static void
lb_synced_tables_window_map (GtkWidget *widget)
{
  LbSyncedTablesWindow *self = LB_SYNCED_TABLES_WINDOW (widget);

  GTK_WIDGET_CLASS (lb_synced_tables_window_parent_class)->map (widget);

  /* Shown (again): read now, measure the partitions once. */
  if (self->refresh_count == 0)
    self->partitions_wanted = TRUE;
  self->delay_ms = self->base_ms;
  refresh (self);
}

static void
lb_synced_tables_window_unmap (GtkWidget *widget)
{
  LbSyncedTablesWindow *self = LB_SYNCED_TABLES_WINDOW (widget);

  /* Hidden: no more polling. */
  g_clear_handle_id (&self->timer, g_source_remove);

  GTK_WIDGET_CLASS (lb_synced_tables_window_parent_class)->unmap (widget);
}

static void
lb_synced_tables_window_dispose (GObject *object)
{
  LbSyncedTablesWindow *self = LB_SYNCED_TABLES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timer, g_source_remove);
  if (self->status != NULL)
    g_signal_handlers_disconnect_by_data (lb_sync_status_get_tables (self->status), self);
  g_clear_object (&self->status);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->expanded, g_hash_table_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_SYNCED_TABLES_WINDOW);

  G_OBJECT_CLASS (lb_synced_tables_window_parent_class)->dispose (object);
}

static void
lb_synced_tables_window_class_init (LbSyncedTablesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_synced_tables_window_dispose;
  widget_class->map = lb_synced_tables_window_map;
  widget_class->unmap = lb_synced_tables_window_unmap;

  gtk_widget_class_set_template_from_resource (widget_class, APP_RESOURCE_PATH "/ui/lb-synced-tables-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LbSyncedTablesWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LbSyncedTablesWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, LbSyncedTablesWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, LbSyncedTablesWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, LbSyncedTablesWindow, list);

  gtk_widget_class_install_action (widget_class, "synced.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "synced.sync-now", "s", sync_now_action);
  gtk_widget_class_install_action (widget_class, "synced.open-pipeline", "s", open_link_action);
  gtk_widget_class_install_action (widget_class, "synced.open-table", "s", open_link_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "synced.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "synced.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
lb_synced_tables_window_init (LbSyncedTablesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->rows = g_ptr_array_new ();
  self->expanded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->base_ms = DEFAULT_BASE_MS;
  self->max_ms = DEFAULT_MAX_MS;
  self->delay_ms = DEFAULT_BASE_MS;
}

LbSyncedTablesWindow *
lb_synced_tables_window_new (LbSyncStatus *status)
{
  LbSyncedTablesWindow *self;

  g_return_val_if_fail (LB_IS_SYNC_STATUS (status), NULL);

  self = g_object_new (LB_TYPE_SYNCED_TABLES_WINDOW, NULL);
  self->status = g_object_ref (status);
  adw_window_title_set_subtitle (self->window_title,
                                 lb_deployment_plan_get_instance_name (lb_sync_status_get_plan (status)));
  g_signal_connect_object (lb_sync_status_get_tables (status), "items-changed", G_CALLBACK (items_changed_cb),
                           self, G_CONNECT_SWAPPED);
  rebuild_rows (self);
  return self;
}

LbSyncStatus *
lb_synced_tables_window_get_status (LbSyncedTablesWindow *self)
{
  g_return_val_if_fail (LB_IS_SYNCED_TABLES_WINDOW (self), NULL);
  return self->status;
}

void
lb_synced_tables_window_set_refresh_interval (LbSyncedTablesWindow *self,
                                              guint                 base_ms,
                                              guint                 max_ms)
{
  g_return_if_fail (LB_IS_SYNCED_TABLES_WINDOW (self));

  self->base_ms = MAX (base_ms, 1);
  self->max_ms = MAX (max_ms, self->base_ms);
  self->delay_ms = self->base_ms;
  if (self->timer != 0)
    schedule (self);
}

guint
lb_synced_tables_window_get_next_refresh_ms (LbSyncedTablesWindow *self)
{
  g_return_val_if_fail (LB_IS_SYNCED_TABLES_WINDOW (self), 0);
  return self->timer != 0 ? self->delay_ms : 0;
}

guint
lb_synced_tables_window_get_refresh_count (LbSyncedTablesWindow *self)
{
  g_return_val_if_fail (LB_IS_SYNCED_TABLES_WINDOW (self), 0);
  return self->refresh_count;
}

GtkWidget *
lb_synced_tables_window_get_row (LbSyncedTablesWindow *self,
                                 const char           *name)
{
  g_return_val_if_fail (LB_IS_SYNCED_TABLES_WINDOW (self), NULL);

  for (guint i = 0; i < self->rows->len; i++)
    if (g_str_equal (gtk_widget_get_name (g_ptr_array_index (self->rows, i)), name))
      return g_ptr_array_index (self->rows, i);
  return NULL;
}
