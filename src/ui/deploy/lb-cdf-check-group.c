/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbCdfCheckGroup: one row per table to sync with what the Change Data Feed
 * check found; a blocking table offers its fix. */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-cdf-check-group.h"

struct _LbCdfCheckGroup
{
  GtkWidget           parent_instance;

  /* Template Widgets */
  AdwPreferencesGroup *group;
  GtkWidget           *check_button;
  GtkListBox          *list;

  /* Owned References */
  LbWorkload          *workload;
  LbDatabricksClient  *client;
  LbCdfCheck          *check;
  GPtrArray           *results;     /* of LbCdfResult, the last check's */
  GPtrArray           *rows;        /* the rows shown, in table order */
  GCancellable        *cancellable;
  char                *confirm_response;
  guint                poll_base_ms;
  gboolean             checking;
};

G_DEFINE_FINAL_TYPE (LbCdfCheckGroup, lb_cdf_check_group, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_N_BLOCKING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void check_again (LbCdfCheckGroup *self);

static gboolean
workload_needs_cdf (LbWorkload *workload)
{
  GListModel *tables = workload != NULL ? lb_workload_get_tables (workload) : NULL;

  for (guint i = 0; tables != NULL && i < g_list_model_get_n_items (tables); i++)
    {
      g_autoptr(LbSyncedTable) table = g_list_model_get_item (tables, i);

      if (lb_sync_mode_needs_change_data_feed (lb_synced_table_get_scheduling_policy (table)))
        return TRUE;
    }
  return FALSE;
}

static const LbCdfResult *
find_result (LbCdfCheckGroup *self,
             const char      *table_name)
{
  for (guint i = 0; self->results != NULL && i < self->results->len; i++)
    {
      const LbCdfResult *result = g_ptr_array_index (self->results, i);

      if (g_str_equal (result->table_name, table_name))
        return result;
    }
  return NULL;
}

static GtkWidget *
make_button (const char *label,
             const char *icon,
             const char *action,
             const char *table,
             const char *tooltip)
{
  GtkWidget *button = gtk_button_new ();

  if (icon != NULL)
    gtk_button_set_icon_name (GTK_BUTTON (button), icon);
  else
    {
      gtk_button_set_label (GTK_BUTTON (button), label);
      gtk_button_set_use_underline (GTK_BUTTON (button), TRUE);
    }
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", table);
  if (icon != NULL)
    gtk_widget_add_css_class (button, "flat");
  return button;
}

/* Rows from the workload's tables and, once checked, what was found. */
static void
rebuild_rows (LbCdfCheckGroup *self)
{
  GListModel *tables = self->workload != NULL ? lb_workload_get_tables (self->workload) : NULL;
  guint blocking = self->results != NULL ? lb_cdf_results_count_blocking (self->results) : 0;
  g_autofree char *description = NULL;

  if (self->rows == NULL)
    return;   /* disposed while a check was answering */

  for (guint i = 0; i < self->rows->len; i++)
    gtk_list_box_remove (self->list, g_ptr_array_index (self->rows, i));
  g_ptr_array_set_size (self->rows, 0);

  for (guint i = 0; tables != NULL && i < g_list_model_get_n_items (tables); i++)
    {
      g_autoptr(LbSyncedTable) table = g_list_model_get_item (tables, i);
      const char *name = lb_synced_table_get_name (table);
      LbSyncMode policy = lb_synced_table_get_scheduling_policy (table);
      const LbCdfResult *result = find_result (self, name);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon;
      g_autofree char *subtitle = NULL;

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      gtk_widget_set_name (row, name);

      if (result == NULL || result->policy != policy)
        {
          subtitle = g_strdup_printf (lb_sync_mode_needs_change_data_feed (policy)
                                      ? _("%s: needs change data feed; not checked yet")
                                      : _("%s: reads a snapshot, no change data feed needed"),
                                      lb_sync_mode_get_label (policy));
          icon = gtk_image_new_from_icon_name (lb_sync_mode_needs_change_data_feed (policy)
                                               ? "content-loading-symbolic" : "object-select-symbolic");
          gtk_widget_add_css_class (icon, "dim-label");
        }
      else
        {
          /* The title names the table already. */
          g_autofree char *message = lb_cdf_result_dup_reason (result);
          g_autofree char *fix = lb_cdf_result_dup_fix_sql (result);

          subtitle = g_steal_pointer (&message);
          if (result->blocking)
            {
              icon = gtk_image_new_from_icon_name ("dialog-error-symbolic");
              gtk_widget_add_css_class (icon, "error");
              gtk_widget_add_css_class (row, "cdf-blocking");
              if (fix != NULL)
                {
                  const char *warehouse = lb_workload_get_warehouse_id (self->workload);

                  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                             make_button (NULL, "edit-copy-symbolic", "cdf.copy-sql", name,
                                                          _("Copy the ALTER TABLE that turns change data feed on")));

                  /* Run needs a warehouse (picked under Table Sizes). */
                  if (warehouse != NULL && warehouse[0] != '\0')
                    adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                               make_button (_("_Run…"), NULL, "cdf.run-sql", name,
                                                            _("Run the ALTER TABLE on the SQL warehouse (asks first)")));
                }
              adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                         make_button (_("Use _Snapshot"), NULL, "cdf.use-snapshot", name,
                                                      _("Sync this table as periodic snapshots instead")));
            }
          else if (result->state == LB_CDF_STATE_UNKNOWN)
            {
              icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
              gtk_widget_add_css_class (icon, "warning");
            }
          else
            {
              icon = gtk_image_new_from_icon_name ("object-select-symbolic");
              gtk_widget_add_css_class (icon, "success");
            }
        }
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      gtk_list_box_append (self->list, row);
      g_ptr_array_add (self->rows, row);
    }

  if (blocking > 0)
    description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                "%u table cannot sync with its mode: fix it or use Snapshot before deploying. %s",
                                                "%u tables cannot sync with their modes: fix them or use Snapshot before deploying. %s",
                                                blocking),
                                   blocking, lb_cdf_get_sync_mode_note ());
  else
    description = g_strdup_printf (_("Triggered and Continuous sync read the source’s change data feed; views "
                                     "can only be synced as snapshots. %s"), lb_cdf_get_sync_mode_note ());
  adw_preferences_group_set_description (self->group, description);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_BLOCKING]);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "cdf.check",
                                 self->client != NULL && !self->checking && tables != NULL &&
                                 g_list_model_get_n_items (tables) > 0);
}

static void
workload_changed_cb (LbCdfCheckGroup *self)
{
  rebuild_rows (self);
}

/* Checking ------------------------------------------------------------------ */

static void
check_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LbCdfCheckGroup *self = g_task_get_source_object (task);
  g_autoptr(GPtrArray) results = NULL;
  GError *error = NULL;

  self->checking = FALSE;
  results = lb_cdf_check_run_finish (LB_CDF_CHECK (object), result, &error);
  if (results == NULL)
    {
      rebuild_rows (self);
      g_task_return_error (task, error);
      return;
    }

  g_clear_pointer (&self->results, g_ptr_array_unref);
  self->results = g_ptr_array_ref (results);
  rebuild_rows (self);
  g_task_return_boolean (task, lb_cdf_results_count_blocking (results) == 0);
}

void
lb_cdf_check_group_check_async (LbCdfCheckGroup     *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LB_IS_CDF_CHECK_GROUP (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_cdf_check_group_check_async);

  if (self->check == NULL || self->workload == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                               _("Sign in to the workspace to check the source tables"));
      return;
    }

  lb_cdf_check_set_warehouse_id (self->check, lb_workload_get_warehouse_id (self->workload));
  self->checking = TRUE;
  rebuild_rows (self);
  lb_cdf_check_run_async (self->check, lb_workload_get_tables (self->workload), cancellable, check_cb,
                          g_steal_pointer (&task));
}

gboolean
lb_cdf_check_group_check_finish (LbCdfCheckGroup  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (LB_IS_CDF_CHECK_GROUP (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
check_again_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(LbCdfCheckGroup) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!lb_cdf_check_group_check_finish (self, result, &error) && error != NULL && self->rows != NULL &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    adw_preferences_group_set_description (self->group, error->message);
}

static void
check_again (LbCdfCheckGroup *self)
{
  lb_cdf_check_group_check_async (self, self->cancellable, check_again_cb, g_object_ref (self));
}

/* Actions ----------------------------------------------------------------------- */

static void
check_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  check_again (LB_CDF_CHECK_GROUP (widget));
}

static void
copy_sql_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  g_autofree char *sql = lb_cdf_build_enable_statement (g_variant_get_string (parameter, NULL));

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), sql);
}

static LbSyncedTable *
find_table (LbCdfCheckGroup *self,
            const char      *name)
{
  GListModel *tables = self->workload != NULL ? lb_workload_get_tables (self->workload) : NULL;

  for (guint i = 0; tables != NULL && i < g_list_model_get_n_items (tables); i++)
    {
      g_autoptr(LbSyncedTable) table = g_list_model_get_item (tables, i);

      if (g_str_equal (lb_synced_table_get_name (table), name))
        return table;   /* the workload keeps it */
    }
  return NULL;
}

static void
use_snapshot_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  LbCdfCheckGroup *self = LB_CDF_CHECK_GROUP (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  LbSyncedTable *table = find_table (self, name);

  if (table == NULL)
    return;

  /* A snapshot needs no feed: the last result stands for the table, no
   * longer blocking. */
  lb_synced_table_set_scheduling_policy (table, LB_SYNC_MODE_SNAPSHOT);
  for (guint i = 0; self->results != NULL && i < self->results->len; i++)
    {
      LbCdfResult *result = g_ptr_array_index (self->results, i);

      if (g_str_equal (result->table_name, name))
        {
          result->policy = LB_SYNC_MODE_SNAPSHOT;
          result->blocking = FALSE;
        }
    }
  rebuild_rows (self);
}

static void
enable_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(LbCdfCheckGroup) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!lb_cdf_check_enable_finish (LB_CDF_CHECK (object), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (self->rows == NULL)
    return;
  if (error != NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
          GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                      _("Change data feed was not turned on"), error->message);

          adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
          gtk_window_present (GTK_WINDOW (dialog));
        }
      return;
    }
  check_again (self);
}

static void
run_sql_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     gpointer          user_data)
{
  LbCdfCheckGroup *self = LB_CDF_CHECK_GROUP (user_data);
  const char *table = g_object_get_data (G_OBJECT (dialog), "table");

  if (g_strcmp0 (response, "run") == 0 && self->check != NULL)
    lb_cdf_check_enable_async (self->check, table, self->cancellable, enable_cb, g_object_ref (self));
}

static void
run_sql_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  LbCdfCheckGroup *self = LB_CDF_CHECK_GROUP (widget);
  const char *table = g_variant_get_string (parameter, NULL);
  g_autofree char *sql = lb_cdf_build_enable_statement (table);
  g_autofree char *body = NULL;
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;

  if (self->check == NULL)
    return;

  body = g_strdup_printf (_("This runs on the SQL warehouse %s:\n\n%s\n\nThe table’s writers keep working; "
                            "from now on each change also records its change data (more storage)."),
                          lb_workload_get_warehouse_id (self->workload) ?: "", sql);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Turn On Change Data Feed?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "run", _("_Run"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "run", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "table", g_strdup (table), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (run_sql_response_cb), self, 0);

  if (self->confirm_response != NULL)
    {
      /* Tests: the same handler a user's click reaches. */
      adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), self->confirm_response);
      gtk_window_destroy (GTK_WINDOW (dialog));
      return;
    }
  gtk_window_present (GTK_WINDOW (dialog));
}

/* GObject ------------------------------------------------------------------------- */

static void
lb_cdf_check_group_dispose (GObject *object)
{
  LbCdfCheckGroup *self = LB_CDF_CHECK_GROUP (object);

  g_cancellable_cancel (self->cancellable);
  lb_cdf_check_group_set_workload (self, NULL);
  g_clear_object (&self->check);
  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->results, g_ptr_array_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->confirm_response, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_CDF_CHECK_GROUP);

  G_OBJECT_CLASS (lb_cdf_check_group_parent_class)->dispose (object);
}

static void
lb_cdf_check_group_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_N_BLOCKING:
      g_value_set_uint (value, lb_cdf_check_group_get_n_blocking (LB_CDF_CHECK_GROUP (object)));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_cdf_check_group_class_init (LbCdfCheckGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_cdf_check_group_dispose;
  object_class->get_property = lb_cdf_check_group_get_property;

  properties[PROP_N_BLOCKING] =
    g_param_spec_uint ("n-blocking", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, APP_RESOURCE_PATH "/ui/lb-cdf-check-group.ui");
  gtk_widget_class_bind_template_child (widget_class, LbCdfCheckGroup, group);
  gtk_widget_class_bind_template_child (widget_class, LbCdfCheckGroup, check_button);
  gtk_widget_class_bind_template_child (widget_class, LbCdfCheckGroup, list);

  gtk_widget_class_install_action (widget_class, "cdf.check", NULL, check_action);
  gtk_widget_class_install_action (widget_class, "cdf.copy-sql", "s", copy_sql_action);
  gtk_widget_class_install_action (widget_class, "cdf.run-sql", "s", run_sql_action);
  gtk_widget_class_install_action (widget_class, "cdf.use-snapshot", "s", use_snapshot_action);
}

static void
lb_cdf_check_group_init (LbCdfCheckGroup *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
  self->poll_base_ms = 1000;
  rebuild_rows (self);
}

void
lb_cdf_check_group_set_workload (LbCdfCheckGroup *self,
                                 LbWorkload      *workload)
{
  g_return_if_fail (LB_IS_CDF_CHECK_GROUP (self));

  if (self->workload == workload)
    return;

  if (self->workload != NULL)
    g_signal_handlers_disconnect_by_data (self->workload, self);
  g_set_object (&self->workload, workload);
  g_clear_pointer (&self->results, g_ptr_array_unref);
  if (workload != NULL)
    g_signal_connect_object (workload, "changed", G_CALLBACK (workload_changed_cb), self, G_CONNECT_SWAPPED);
  if (self->rows != NULL)
    rebuild_rows (self);
}

void
lb_cdf_check_group_set_client (LbCdfCheckGroup    *self,
                               LbDatabricksClient *client)
{
  g_return_if_fail (LB_IS_CDF_CHECK_GROUP (self));

  if (self->client == client)
    return;

  g_set_object (&self->client, client);
  g_clear_object (&self->check);
  g_clear_pointer (&self->results, g_ptr_array_unref);
  if (client != NULL)
    {
      self->check = lb_cdf_check_new (client);
      g_object_set (self->check, "poll-base-ms", self->poll_base_ms, NULL);
    }
  rebuild_rows (self);
}

gboolean
lb_cdf_check_group_is_needed (LbCdfCheckGroup *self)
{
  g_return_val_if_fail (LB_IS_CDF_CHECK_GROUP (self), FALSE);

  return workload_needs_cdf (self->workload);
}

guint
lb_cdf_check_group_get_n_blocking (LbCdfCheckGroup *self)
{
  g_return_val_if_fail (LB_IS_CDF_CHECK_GROUP (self), 0);

  return self->results != NULL ? lb_cdf_results_count_blocking (self->results) : 0;
}

GtkWidget *
lb_cdf_check_group_get_row (LbCdfCheckGroup *self,
                            const char      *table_name)
{
  g_return_val_if_fail (LB_IS_CDF_CHECK_GROUP (self), NULL);

  for (guint i = 0; i < self->rows->len; i++)
    if (g_str_equal (gtk_widget_get_name (g_ptr_array_index (self->rows, i)), table_name))
      return g_ptr_array_index (self->rows, i);
  return NULL;
}

void
lb_cdf_check_group_set_confirm_response (LbCdfCheckGroup *self,
                                         const char      *response)
{
  g_return_if_fail (LB_IS_CDF_CHECK_GROUP (self));

  g_free (self->confirm_response);
  self->confirm_response = g_strdup (response);
}

void
lb_cdf_check_group_set_poll_base_ms (LbCdfCheckGroup *self,
                                     guint            poll_base_ms)
{
  g_return_if_fail (LB_IS_CDF_CHECK_GROUP (self));

  self->poll_base_ms = MAX (poll_base_ms, 1);
  if (self->check != NULL)
    g_object_set (self->check, "poll-base-ms", self->poll_base_ms, NULL);
}

gboolean
lb_cdf_check_group_passed (LbCdfCheckGroup *self)
{
  GListModel *tables;

  g_return_val_if_fail (LB_IS_CDF_CHECK_GROUP (self), FALSE);

  if (self->results == NULL || self->workload == NULL || self->checking)
    return FALSE;

  tables = lb_workload_get_tables (self->workload);
  if (g_list_model_get_n_items (tables) != self->results->len)
    return FALSE;
  for (guint i = 0; i < g_list_model_get_n_items (tables); i++)
    {
      g_autoptr(LbSyncedTable) table = g_list_model_get_item (tables, i);
      const LbCdfResult *result = g_ptr_array_index (self->results, i);

      if (!g_str_equal (result->table_name, lb_synced_table_get_name (table)) ||
          result->policy != lb_synced_table_get_scheduling_policy (table) || result->blocking)
        return FALSE;
    }
  return TRUE;
}
