/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbRunSettingsForm: the rows of the settings column and the mapping
 * between them and an LbRunSettings; no run logic lives here. */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "lb-conninfo.h"
#include "lb-databricks-config.h"
#include "lb-price-sheet.h"
#include "lb-remote-plan.h"
#include "lb-run-settings-form.h"

enum {
  TARGET_SANDBOX,
  TARGET_CONNINFO,
  TARGET_DATABRICKS,
  TARGET_FIRST_SAVED,
};

struct _LbRunSettingsForm
{
  GtkBox         parent_instance;

  AdwComboRow   *target_row;
  AdwActionRow  *sandbox_row;
  GtkSpinner    *sandbox_spinner;
  AdwEntryRow   *conninfo_row;
  GtkWidget     *forget_connection_button;
  AdwActionRow  *conninfo_error_row;
  AdwActionRow  *tls_note_row;
  AdwComboRow   *mode_row;
  GtkWidget     *clients_row;
  GtkSpinButton *clients_spin;
  AdwEntryRow   *ladder_row;
  GtkWidget     *transactions_row;
  GtkSpinButton *transactions_spin;
  AdwActionRow  *duration_row;
  GtkSpinButton *duration_spin;
  GtkSpinButton *warmup_spin;
  GtkSpinButton *threads_spin;
  AdwComboRow   *protocol_row;
  GtkSpinButton *pipeline_spin;
  GtkSpinButton *rate_spin;
  AdwActionRow  *latency_limit_row;
  GtkSpinButton *latency_limit_spin;

  /* Databricks compute */
  GtkWidget     *remote_group;
  AdwComboRow   *profile_row;
  GtkSpinButton *workers_spin;
  AdwComboRow   *node_type_row;
  AdwComboRow   *database_kind_row;
  AdwEntryRow   *database_name_row;
  AdwEntryRow   *database_host_row;
  AdwEntryRow   *database_dbname_row;
  AdwEntryRow   *database_user_row;
  AdwEntryRow   *volume_row;
  GtkSwitch     *keep_files_switch;
  GtkWidget     *estimate_group;
  AdwActionRow  *connections_warning_row;
  AdwActionRow  *cost_row;
  GtkSpinButton *sizing_rate_spin;
  AdwActionRow  *sizing_row;
  GtkWidget     *use_sizing_button;

  GtkStringList *target_model;
  GtkStringList *profile_model;
  GtkStringList *node_type_model;
  GSettings     *settings;
  LbPriceSheet  *prices;
  char          *profile_host;      /* of the profile picked, for its cloud */
  guint          sizing_workers;    /* what the sizing row proposes; 0 = nothing */
  gboolean       sandbox_running;
};

G_DEFINE_FINAL_TYPE (LbRunSettingsForm, lb_run_settings_form, GTK_TYPE_BOX)

enum {
  PROP_0,
  PROP_TARGET_READY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static guint
get_target (LbRunSettingsForm *self)
{
  return adw_combo_row_get_selected (self->target_row);
}

static const char *
get_conninfo (LbRunSettingsForm *self)
{
  return gtk_editable_get_text (GTK_EDITABLE (self->conninfo_row));
}

/* An empty string is not an error yet, just not a target. */
static gboolean
conninfo_is_valid (LbRunSettingsForm  *self,
                   char              **message)
{
  g_autoptr(GError) error = NULL;
  const char *text = get_conninfo (self);

  if (message != NULL)
    *message = NULL;
  if (text[0] == '\0')
    return FALSE;
  if (lb_conninfo_validate (text, &error))
    return TRUE;

  if (message != NULL)
    *message = g_strdup (error->message);
  return FALSE;
}

/* A typed string runs as written, but a password may then go to whoever
 * answers: say so under it. */
static void
update_tls_note (LbRunSettingsForm *self,
                 gboolean           applies)
{
  LbConninfoTls tls = applies ? lb_conninfo_get_tls (get_conninfo (self)) : LB_CONNINFO_TLS_LOCAL;
  gboolean unverified = tls == LB_CONNINFO_TLS_UNVERIFIED || tls == LB_CONNINFO_TLS_OPTIONAL ||
                        tls == LB_CONNINFO_TLS_NONE;

  gtk_widget_set_visible (GTK_WIDGET (self->tls_note_row), unverified);
  if (unverified)
    {
      /* TRANSLATORS: %s is how the connection is protected, e.g. "encrypted, server not verified" */
      g_autofree char *subtitle = g_strdup_printf (_("TLS: %s. Add sslmode=verify-full (and sslrootcert) to check who answers."),
                                                   lb_conninfo_describe_tls (get_conninfo (self)));

      adw_action_row_set_subtitle (self->tls_note_row, subtitle);
    }
}

static void update_remote_estimate (LbRunSettingsForm *self);

static void
update_target_rows (LbRunSettingsForm *self)
{
  guint target = get_target (self);
  gboolean typed = target != TARGET_SANDBOX && target != TARGET_DATABRICKS;
  g_autofree char *message = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->sandbox_row), target == TARGET_SANDBOX);
  gtk_widget_set_visible (GTK_WIDGET (self->conninfo_row), typed);
  gtk_widget_set_visible (self->forget_connection_button, target >= TARGET_FIRST_SAVED);
  gtk_widget_set_visible (self->remote_group, target == TARGET_DATABRICKS);
  gtk_widget_set_visible (self->estimate_group, target == TARGET_DATABRICKS);

  conninfo_is_valid (self, &message);
  gtk_widget_set_visible (GTK_WIDGET (self->conninfo_error_row), typed && message != NULL);
  if (message != NULL)
    adw_action_row_set_subtitle (self->conninfo_error_row, message);
  update_tls_note (self, typed && message == NULL);
  if (target != TARGET_DATABRICKS)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->clients_row), _("Connections running at once"));
  update_remote_estimate (self);
  if (typed && message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->conninfo_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->conninfo_row), "error");

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TARGET_READY]);
}

static void
rebuild_target_model (LbRunSettingsForm *self)
{
  g_auto(GStrv) saved = g_settings_get_strv (self->settings, "tester-connections");
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->target_model));
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (names, g_strdup (_("Sandbox (built-in)")));
  g_ptr_array_add (names, g_strdup (_("Connection string…")));
  g_ptr_array_add (names, g_strdup (_("Databricks compute")));
  for (guint i = 0; saved[i] != NULL; i++)
    g_ptr_array_add (names, lb_conninfo_describe (saved[i]));
  g_ptr_array_add (names, NULL);

  gtk_string_list_splice (self->target_model, 0, n, (const char * const *) names->pdata);
}

static void reload_profiles (LbRunSettingsForm *self);

static void
target_selected_cb (LbRunSettingsForm *self)
{
  guint target = get_target (self);

  if (target == TARGET_DATABRICKS)
    reload_profiles (self);

  if (target >= TARGET_FIRST_SAVED)
    {
      g_auto(GStrv) saved = g_settings_get_strv (self->settings, "tester-connections");

      if (target - TARGET_FIRST_SAVED < g_strv_length (saved))
        gtk_editable_set_text (GTK_EDITABLE (self->conninfo_row), saved[target - TARGET_FIRST_SAVED]);
    }

  update_target_rows (self);
}

static void
update_mode_rows (LbRunSettingsForm *self)
{
  LbRunMode mode = adw_combo_row_get_selected (self->mode_row);

  gtk_widget_set_visible (self->clients_row, mode != LB_RUN_MODE_LADDER);
  gtk_widget_set_visible (GTK_WIDGET (self->ladder_row), mode == LB_RUN_MODE_LADDER);
  gtk_widget_set_visible (self->transactions_row, mode == LB_RUN_MODE_COUNT);
  gtk_widget_set_visible (GTK_WIDGET (self->duration_row), mode != LB_RUN_MODE_COUNT);
  adw_action_row_set_subtitle (self->duration_row,
                               mode == LB_RUN_MODE_LADDER ? _("Seconds measured at each step")
                                                          : _("Seconds measured"));
}

/* The latency limit bounds the lateness behind a schedule: without a
 * target rate there is none. */
static void
rate_changed_cb (LbRunSettingsForm *self,
                 GtkSpinButton     *spin)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->latency_limit_row),
                            gtk_spin_button_get_value (spin) > 0);
}

/* Databricks compute ------------------------------------------------------- */

static const char *
get_profile (LbRunSettingsForm *self)
{
  GObject *item = adw_combo_row_get_selected_item (self->profile_row);

  if (item == NULL || g_list_model_get_n_items (G_LIST_MODEL (self->profile_model)) == 0 ||
      gtk_widget_get_sensitive (GTK_WIDGET (self->profile_row)) == FALSE)
    return NULL;
  return gtk_string_object_get_string (GTK_STRING_OBJECT (item));
}

static const char *
get_node_type (LbRunSettingsForm *self)
{
  GObject *item = adw_combo_row_get_selected_item (self->node_type_row);

  return item != NULL ? gtk_string_object_get_string (GTK_STRING_OBJECT (item)) : NULL;
}

static const char *
entry_text (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

/* The node types of the profile's cloud (all of them when it is not known),
 * keeping the one picked if it is still there, else the cloud's default. */
static void
rebuild_node_types (LbRunSettingsForm *self)
{
  const char *cloud = lb_remote_plan_cloud_for_host (self->profile_host);
  g_autoptr(GPtrArray) types = lb_price_sheet_list_jobs_node_types (self->prices, cloud);
  g_autofree char *wanted = g_settings_get_string (self->settings, "remote-run-node-type");
  const char *fallback = lb_price_sheet_get_jobs_default_node_type (self->prices, cloud ? cloud : "aws");
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->node_type_model));
  guint selected = 0, fallback_index = 0;
  gboolean found = FALSE;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  for (guint i = 0; i < types->len; i++)
    {
      const LbJobsNodeType *type = g_ptr_array_index (types, i);

      g_ptr_array_add (names, (gpointer) type->name);
      if (g_strcmp0 (type->name, wanted) == 0)
        {
          selected = i;
          found = TRUE;
        }
      if (g_strcmp0 (type->name, fallback) == 0)
        fallback_index = i;
    }
  g_ptr_array_add (names, NULL);

  gtk_string_list_splice (self->node_type_model, 0, n, (const char * const *) names->pdata);
  adw_combo_row_set_selected (self->node_type_row, found ? selected : fallback_index);
}

static void
profile_selected_cb (LbRunSettingsForm *self)
{
  const char *profile = get_profile (self);
  g_autoptr(LbDatabricksConfig) config = NULL;
  g_autoptr(LbDatabricksProfile) resolved = NULL;

  g_clear_pointer (&self->profile_host, g_free);
  if (profile != NULL)
    {
      config = lb_databricks_config_new_from_environment (NULL, NULL);
      if (config != NULL)
        resolved = lb_databricks_config_resolve (config, profile, NULL);
      if (resolved != NULL)
        self->profile_host = g_strdup (resolved->host);
      g_settings_set_string (self->settings, "remote-run-profile", profile);
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->profile_row),
                               self->profile_host != NULL ? self->profile_host : "");

  rebuild_node_types (self);
  update_target_rows (self);
}

/* Profiles as the Databricks CLI reads them; read again each time the
 * target is picked, so one added meanwhile shows up. */
static void
reload_profiles (LbRunSettingsForm *self)
{
  g_autoptr(LbDatabricksConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) profiles = NULL;
  g_autofree char *wanted = g_settings_get_string (self->settings, "remote-run-profile");
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->profile_model));
  guint selected = 0;

  config = lb_databricks_config_new_from_environment (NULL, &error);
  profiles = config != NULL ? lb_databricks_config_list_profiles (config) : g_new0 (char *, 1);
  if (*wanted == '\0' && config != NULL)
    {
      g_free (wanted);
      wanted = g_strdup (lb_databricks_config_get_default_profile (config));
    }
  for (guint i = 0; profiles[i] != NULL; i++)
    if (g_str_equal (profiles[i], wanted))
      selected = i;

  g_signal_handlers_block_by_func (self->profile_row, profile_selected_cb, self);
  if (profiles[0] != NULL)
    gtk_string_list_splice (self->profile_model, 0, n, (const char * const *) profiles);
  else
    {
      const char *none[] = { _("No profiles"), NULL };

      gtk_string_list_splice (self->profile_model, 0, n, none);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->profile_row), profiles[0] != NULL);
  adw_combo_row_set_selected (self->profile_row, selected);
  g_signal_handlers_unblock_by_func (self->profile_row, profile_selected_cb, self);

  if (profiles[0] == NULL)
    {
      g_clear_pointer (&self->profile_host, g_free);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->profile_row),
                                   error != NULL ? error->message
                                                 : _("Add one with “databricks auth login”, or sign in on the Deploy view"));
      rebuild_node_types (self);
    }
  else
    profile_selected_cb (self);
}

static void
database_kind_cb (LbRunSettingsForm *self)
{
  gboolean autoscaling = adw_combo_row_get_selected (self->database_kind_row) == LB_REMOTE_TARGET_AUTOSCALING;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->database_name_row),
                                 autoscaling ? _("Endpoint (projects/…/branches/…/endpoints/…)")
                                             : _("Instance name"));
  update_target_rows (self);
}

static gboolean
remote_is_ready (LbRunSettingsForm *self)
{
  return get_profile (self) != NULL && get_node_type (self) != NULL &&
         *entry_text (self->database_name_row) != '\0' &&
         *entry_text (self->database_host_row) != '\0' &&
         lb_remote_plan_check_volume (entry_text (self->volume_row), NULL);
}

static void
show_volume_error (LbRunSettingsForm *self)
{
  const char *volume = entry_text (self->volume_row);

  if (*volume != '\0' && !lb_remote_plan_check_volume (volume, NULL))
    gtk_widget_add_css_class (GTK_WIDGET (self->volume_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->volume_row), "error");
}

/* The cost, the sizing and the connection budget, again on every change of
 * a row they read: cheap arithmetic and one small file read. */
static void
update_remote_estimate (LbRunSettingsForm *self)
{
  g_autoptr(LbRunSettings) settings = NULL;
  g_autoptr(LbRemotePlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *warning = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *sizing = NULL;
  LbRemoteCost cost = { 0, };
  const char *node_type;
  guint workers, clients;
  double rate, per_worker;
  gboolean remembered = FALSE;

  if (self->prices == NULL || get_target (self) != TARGET_DATABRICKS)
    return;

  show_volume_error (self);
  node_type = get_node_type (self);
  workers = gtk_spin_button_get_value_as_int (self->workers_spin);
  clients = gtk_spin_button_get_value_as_int (self->clients_spin);

  /* Clients are the total: say what each worker runs. */
  {
    g_autofree char *subtitle = NULL;

    if (clients >= workers)
      subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                               "Connections over all workers: about %u per worker",
                                               "Connections over all workers: about %u per worker",
                                               (clients + workers - 1) / workers),
                                  (clients + workers - 1) / workers);
    else
      subtitle = g_strdup_printf (_("Fewer clients than workers: each of the %u workers needs one"), workers);
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->clients_row), subtitle);
  }

  if (!lb_remote_plan_check_connections (self->prices, clients, workers, &warning))
    adw_action_row_set_subtitle (self->connections_warning_row, warning);
  gtk_widget_set_visible (GTK_WIDGET (self->connections_warning_row), warning != NULL);

  settings = lb_run_settings_form_dup_settings (self, NULL);
  plan = lb_remote_plan_new ();
  plan->workers = workers;
  plan->settings = g_steal_pointer (&settings);
  per_worker = lb_remote_capacity_lookup (NULL, self->prices, node_type, &remembered);
  plan->expected_tps = per_worker * workers;
  if (node_type != NULL &&
      lb_remote_plan_estimate_cost (self->prices, node_type, workers, lb_remote_plan_run_seconds (plan),
                                    &cost, &error))
    summary = lb_remote_cost_dup_summary (&cost);
  else
    summary = g_strdup (error != NULL ? error->message : _("Choose a node type to see the cost."));
  lb_remote_cost_clear (&cost);
  if (plan->settings->mode == LB_RUN_MODE_COUNT && plan->settings->rate <= 0)
    {
      g_autofree char *full = g_strconcat (summary, " ",
                                           _("The run time of a count of transactions is estimated from the workers’ capacity."),
                                           NULL);
      g_free (summary);
      summary = g_steal_pointer (&full);
    }
  adw_action_row_set_subtitle (self->cost_row, summary);

  rate = gtk_spin_button_get_value (self->sizing_rate_spin);
  sizing = lb_remote_plan_dup_sizing_text (rate, per_worker, remembered, node_type);
  self->sizing_workers = rate > 0 && per_worker > 0 ? lb_remote_plan_workers_for_rate (rate, per_worker) : 0;
  adw_action_row_set_subtitle (self->sizing_row, sizing);
  gtk_widget_set_sensitive (self->use_sizing_button,
                            self->sizing_workers > 0 && self->sizing_workers != workers);
}

static void
node_type_selected_cb (LbRunSettingsForm *self)
{
  if (get_node_type (self) != NULL && gtk_widget_get_mapped (GTK_WIDGET (self->node_type_row)))
    g_settings_set_string (self->settings, "remote-run-node-type", get_node_type (self));
  update_target_rows (self);
}

static void
use_sizing_clicked_cb (LbRunSettingsForm *self)
{
  if (self->sizing_workers > 0)
    gtk_spin_button_set_value (self->workers_spin, self->sizing_workers);
}

static void
setup_remote (LbRunSettingsForm *self)
{
  static const char *kinds[] = { N_("Provisioned instance"), N_("Autoscaling project endpoint"), NULL };
  g_autoptr(GtkStringList) kind_model = gtk_string_list_new (NULL);
  g_autoptr(GError) error = NULL;
  GSettingsBindFlags flags = G_SETTINGS_BIND_DEFAULT | G_SETTINGS_BIND_GET_NO_CHANGES;

  /* A broken prices.json is reported where the sheet is used for money;
   * here the built-in figures still size the run. */
  self->prices = lb_price_sheet_new_for_user (&error);
  if (self->prices == NULL)
    {
      g_warning ("Price sheet: %s", error->message);
      self->prices = lb_price_sheet_new_default ();
    }

  for (guint i = 0; kinds[i] != NULL; i++)
    gtk_string_list_append (kind_model, _(kinds[i]));
  adw_combo_row_set_model (self->database_kind_row, G_LIST_MODEL (kind_model));

  self->profile_model = gtk_string_list_new (NULL);
  adw_combo_row_set_model (self->profile_row, G_LIST_MODEL (self->profile_model));
  self->node_type_model = gtk_string_list_new (NULL);
  adw_combo_row_set_model (self->node_type_row, G_LIST_MODEL (self->node_type_model));
  rebuild_node_types (self);

  g_settings_bind (self->settings, "remote-run-workers", self->workers_spin, "value", flags);
  g_settings_bind (self->settings, "remote-run-volume", self->volume_row, "text", flags);
  g_settings_bind (self->settings, "remote-run-keep-files", self->keep_files_switch, "active", flags);

  g_signal_connect_object (self->profile_row, "notify::selected", G_CALLBACK (profile_selected_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->database_kind_row, "notify::selected", G_CALLBACK (database_kind_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->node_type_row, "notify::selected", G_CALLBACK (node_type_selected_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->database_name_row, "changed", G_CALLBACK (update_target_rows), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->database_host_row, "changed", G_CALLBACK (update_target_rows), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->volume_row, "changed", G_CALLBACK (update_target_rows), self,
                           G_CONNECT_SWAPPED);
  /* What the estimate reads, live as the user types. */
  g_signal_connect_object (self->workers_spin, "value-changed", G_CALLBACK (update_remote_estimate), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->clients_spin, "value-changed", G_CALLBACK (update_remote_estimate), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->duration_spin, "value-changed", G_CALLBACK (update_remote_estimate), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->warmup_spin, "value-changed", G_CALLBACK (update_remote_estimate), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->transactions_spin, "value-changed", G_CALLBACK (update_remote_estimate), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->rate_spin, "value-changed", G_CALLBACK (update_remote_estimate), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->sizing_rate_spin, "value-changed", G_CALLBACK (update_remote_estimate), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->mode_row, "notify::selected", G_CALLBACK (update_remote_estimate), self,
                           G_CONNECT_SWAPPED);
}

/* GSettings keys hold names ("prepared", "ladder"); the combo rows an index. */

static gboolean
protocol_from_setting (GValue   *value,
                       GVariant *variant,
                       gpointer  user_data)
{
  LbProtocol protocol = LB_PROTOCOL_PREPARED;

  lb_protocol_from_string (g_variant_get_string (variant, NULL), &protocol);
  /* The rows list them from the default down. */
  g_value_set_uint (value, 2 - protocol);
  return TRUE;
}

static GVariant *
protocol_to_setting (const GValue       *value,
                     const GVariantType *expected_type,
                     gpointer            user_data)
{
  return g_variant_new_string (lb_protocol_to_string (2 - MIN (g_value_get_uint (value), 2)));
}

static gboolean
mode_from_setting (GValue   *value,
                   GVariant *variant,
                   gpointer  user_data)
{
  LbRunMode mode = LB_RUN_MODE_DURATION;

  lb_run_mode_from_string (g_variant_get_string (variant, NULL), &mode);
  g_value_set_uint (value, mode);
  return TRUE;
}

static GVariant *
mode_to_setting (const GValue       *value,
                 const GVariantType *expected_type,
                 gpointer            user_data)
{
  return g_variant_new_string (lb_run_mode_to_string (MIN (g_value_get_uint (value), LB_RUN_MODE_LADDER)));
}

/* Read once when the form is made, written on every change: two windows
 * open at once do not pull each other's values. */
static void
bind_settings (LbRunSettingsForm *self)
{
  GSettingsBindFlags flags = G_SETTINGS_BIND_DEFAULT | G_SETTINGS_BIND_GET_NO_CHANGES;

  g_settings_bind (self->settings, "tester-clients", self->clients_spin, "value", flags);
  g_settings_bind (self->settings, "tester-threads", self->threads_spin, "value", flags);
  g_settings_bind (self->settings, "tester-duration", self->duration_spin, "value", flags);
  g_settings_bind (self->settings, "tester-warmup", self->warmup_spin, "value", flags);
  g_settings_bind_with_mapping (self->settings, "tester-protocol", self->protocol_row, "selected", flags,
                                protocol_from_setting, protocol_to_setting, NULL, NULL);
  g_settings_bind_with_mapping (self->settings, "tester-mode", self->mode_row, "selected", flags,
                                mode_from_setting, mode_to_setting, NULL, NULL);
}

static void
lb_run_settings_form_dispose (GObject *object)
{
  LbRunSettingsForm *self = LB_RUN_SETTINGS_FORM (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_RUN_SETTINGS_FORM);
  g_clear_object (&self->target_model);
  g_clear_object (&self->profile_model);
  g_clear_object (&self->node_type_model);
  g_clear_object (&self->settings);
  g_clear_object (&self->prices);
  g_clear_pointer (&self->profile_host, g_free);

  G_OBJECT_CLASS (lb_run_settings_form_parent_class)->dispose (object);
}

static void
lb_run_settings_form_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  LbRunSettingsForm *self = LB_RUN_SETTINGS_FORM (object);

  switch (prop_id)
    {
    case PROP_TARGET_READY:
      g_value_set_boolean (value, lb_run_settings_form_get_target_ready (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_run_settings_form_class_init (LbRunSettingsFormClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_run_settings_form_dispose;
  object_class->get_property = lb_run_settings_form_get_property;

  properties[PROP_TARGET_READY] =
    g_param_spec_boolean ("target-ready", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, APP_RESOURCE_PATH "/ui/lb-run-settings-form.ui");
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, target_row);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, sandbox_row);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, sandbox_spinner);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, conninfo_row);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, forget_connection_button);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, conninfo_error_row);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, tls_note_row);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, mode_row);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, clients_row);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, clients_spin);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, ladder_row);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, transactions_row);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, transactions_spin);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, duration_row);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, duration_spin);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, warmup_spin);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, threads_spin);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, protocol_row);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, pipeline_spin);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, rate_spin);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, latency_limit_row);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, latency_limit_spin);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, remote_group);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, profile_row);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, workers_spin);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, node_type_row);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, database_kind_row);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, database_name_row);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, database_host_row);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, database_dbname_row);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, database_user_row);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, volume_row);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, keep_files_switch);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, estimate_group);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, connections_warning_row);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, cost_row);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, sizing_rate_spin);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, sizing_row);
  gtk_widget_class_bind_template_child (widget_class, LbRunSettingsForm, use_sizing_button);
  gtk_widget_class_bind_template_callback (widget_class, rate_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, use_sizing_clicked_cb);
}

static void
lb_run_settings_form_init (LbRunSettingsForm *self)
{
  static const char *modes[] = { N_("For a duration"), N_("A number of transactions"), N_("A concurrency ladder"), NULL };
  static const char *protocols[] = { N_("Prepared (default)"), N_("Extended"), N_("Simple"), NULL };
  g_autoptr(GtkStringList) mode_model = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) protocol_model = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);

  for (guint i = 0; modes[i] != NULL; i++)
    gtk_string_list_append (mode_model, _(modes[i]));
  for (guint i = 0; protocols[i] != NULL; i++)
    gtk_string_list_append (protocol_model, _(protocols[i]));
  adw_combo_row_set_model (self->mode_row, G_LIST_MODEL (mode_model));
  adw_combo_row_set_model (self->protocol_row, G_LIST_MODEL (protocol_model));

  self->target_model = gtk_string_list_new (NULL);
  rebuild_target_model (self);
  adw_combo_row_set_model (self->target_row, G_LIST_MODEL (self->target_model));

  bind_settings (self);
  setup_remote (self);
  update_mode_rows (self);

  g_signal_connect_object (self->target_row, "notify::selected", G_CALLBACK (target_selected_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->conninfo_row, "changed", G_CALLBACK (update_target_rows), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->mode_row, "notify::selected", G_CALLBACK (update_mode_rows), self,
                           G_CONNECT_SWAPPED);

  lb_run_settings_form_set_sandbox_status (self, NULL, FALSE, FALSE);
  update_target_rows (self);
}

GtkWidget *
lb_run_settings_form_new (void)
{
  return g_object_new (LB_TYPE_RUN_SETTINGS_FORM, NULL);
}

LbRunSettings *
lb_run_settings_form_dup_settings (LbRunSettingsForm  *self,
                                   char              **ladder_error)
{
  LbRunSettings *settings;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (LB_IS_RUN_SETTINGS_FORM (self), NULL);

  settings = lb_run_settings_new ();
  g_clear_pointer (&settings->conninfo, g_free);
  g_clear_pointer (&settings->target_label, g_free);
  if (get_target (self) == TARGET_SANDBOX)
    {
      settings->target_label = g_strdup (_("Sandbox"));
    }
  else if (get_target (self) == TARGET_DATABRICKS)
    {
      guint workers = gtk_spin_button_get_value_as_int (self->workers_spin);

      /* LbRemoteRun says the same once it runs. */
      settings->target_label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Databricks compute · %u worker",
                                                             "Databricks compute · %u workers", workers),
                                                workers);
    }
  else
    {
      settings->conninfo = g_strdup (get_conninfo (self));
      settings->target_label = lb_conninfo_describe (get_conninfo (self));
    }

  settings->mode = adw_combo_row_get_selected (self->mode_row);
  settings->clients = gtk_spin_button_get_value_as_int (self->clients_spin);
  settings->threads = gtk_spin_button_get_value_as_int (self->threads_spin);
  settings->protocol = 2 - adw_combo_row_get_selected (self->protocol_row);
  settings->pipeline_depth = gtk_spin_button_get_value_as_int (self->pipeline_spin);
  settings->duration = gtk_spin_button_get_value (self->duration_spin);
  settings->warmup = gtk_spin_button_get_value (self->warmup_spin);
  settings->rate = gtk_spin_button_get_value (self->rate_spin);
  settings->latency_limit = settings->rate > 0
                            ? gtk_spin_button_get_value (self->latency_limit_spin) / 1000 : 0;
  settings->transactions = settings->mode == LB_RUN_MODE_COUNT
                           ? (guint64) gtk_spin_button_get_value (self->transactions_spin) : 0;
  settings->interval = 1;

  /* A bad ladder is reported when the run starts; keep the previous one until then. */
  if (ladder_error != NULL)
    *ladder_error = NULL;
  if (!lb_run_settings_set_ladder_from_string (settings, gtk_editable_get_text (GTK_EDITABLE (self->ladder_row)),
                                               &error) &&
      settings->mode == LB_RUN_MODE_LADDER && ladder_error != NULL)
    *ladder_error = g_strdup (error->message);

  if (settings->mode == LB_RUN_MODE_LADDER && settings->n_ladder > 0)
    settings->clients = settings->ladder[settings->n_ladder - 1];

  return settings;
}

void
lb_run_settings_form_apply_settings (LbRunSettingsForm   *self,
                                     const LbRunSettings *settings)
{
  g_return_if_fail (LB_IS_RUN_SETTINGS_FORM (self));
  g_return_if_fail (settings != NULL);

  adw_combo_row_set_selected (self->mode_row, settings->mode);
  gtk_spin_button_set_value (self->clients_spin, settings->clients);
  gtk_spin_button_set_value (self->threads_spin, settings->threads);
  adw_combo_row_set_selected (self->protocol_row, 2 - settings->protocol);
  gtk_spin_button_set_value (self->pipeline_spin, settings->pipeline_depth);
  gtk_spin_button_set_value (self->duration_spin, settings->duration);
  gtk_spin_button_set_value (self->warmup_spin, settings->warmup);
  gtk_spin_button_set_value (self->rate_spin, settings->rate);
  gtk_spin_button_set_value (self->latency_limit_spin, settings->latency_limit * 1000);
  if (settings->transactions > 0)
    gtk_spin_button_set_value (self->transactions_spin, settings->transactions);

  if (settings->n_ladder > 0)
    {
      g_autoptr(GString) text = g_string_new (NULL);

      for (guint i = 0; i < settings->n_ladder; i++)
        g_string_append_printf (text, "%s%u", i > 0 ? "," : "", settings->ladder[i]);
      gtk_editable_set_text (GTK_EDITABLE (self->ladder_row), text->str);
    }

  update_mode_rows (self);
}

void
lb_run_settings_form_set_default_count (LbRunSettingsForm *self,
                                        guint64            count)
{
  g_return_if_fail (LB_IS_RUN_SETTINGS_FORM (self));

  if (count > 0)
    gtk_spin_button_set_value (self->transactions_spin, count);
}

gboolean
lb_run_settings_form_get_target_ready (LbRunSettingsForm *self)
{
  g_return_val_if_fail (LB_IS_RUN_SETTINGS_FORM (self), FALSE);

  if (get_target (self) == TARGET_DATABRICKS)
    return remote_is_ready (self);
  return get_target (self) == TARGET_SANDBOX || conninfo_is_valid (self, NULL);
}

gboolean
lb_run_settings_form_get_target_is_sandbox (LbRunSettingsForm *self)
{
  g_return_val_if_fail (LB_IS_RUN_SETTINGS_FORM (self), FALSE);

  return get_target (self) == TARGET_SANDBOX;
}

gboolean
lb_run_settings_form_can_save_connection (LbRunSettingsForm *self)
{
  g_return_val_if_fail (LB_IS_RUN_SETTINGS_FORM (self), FALSE);

  return get_target (self) != TARGET_SANDBOX && get_target (self) != TARGET_DATABRICKS &&
         conninfo_is_valid (self, NULL);
}

void
lb_run_settings_form_set_target_sandbox (LbRunSettingsForm *self)
{
  g_return_if_fail (LB_IS_RUN_SETTINGS_FORM (self));

  adw_combo_row_set_selected (self->target_row, TARGET_SANDBOX);
}

void
lb_run_settings_form_set_target_conninfo (LbRunSettingsForm *self,
                                          const char        *conninfo)
{
  g_return_if_fail (LB_IS_RUN_SETTINGS_FORM (self));
  g_return_if_fail (conninfo != NULL);

  adw_combo_row_set_selected (self->target_row, TARGET_CONNINFO);
  gtk_editable_set_text (GTK_EDITABLE (self->conninfo_row), conninfo);
}

gboolean
lb_run_settings_form_save_connection (LbRunSettingsForm *self)
{
  g_auto(GStrv) saved = NULL;
  g_autofree char *stripped = NULL;
  g_autofree char *typed = NULL;
  guint index = 0;

  g_return_val_if_fail (LB_IS_RUN_SETTINGS_FORM (self), FALSE);

  if (!conninfo_is_valid (self, NULL))
    return FALSE;

  /* Passwords belong in ~/.pgpass or PGPASSWORD, never in our settings. */
  saved = g_settings_get_strv (self->settings, "tester-connections");
  stripped = lb_conninfo_strip_password (get_conninfo (self));
  for (; saved[index] != NULL; index++)
    if (g_str_equal (saved[index], stripped))
      break;

  if (saved[index] == NULL)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) updated = NULL;

      g_strv_builder_addv (builder, (const char **) saved);
      g_strv_builder_add (builder, stripped);
      updated = g_strv_builder_end (builder);
      g_settings_set_strv (self->settings, "tester-connections", (const char * const *) updated);
      rebuild_target_model (self);
    }

  /* What was typed stays in the entry, password included, for this session. */
  typed = g_strdup (get_conninfo (self));
  adw_combo_row_set_selected (self->target_row, TARGET_FIRST_SAVED + index);
  gtk_editable_set_text (GTK_EDITABLE (self->conninfo_row), typed);

  return TRUE;
}

gboolean
lb_run_settings_form_forget_connection (LbRunSettingsForm *self)
{
  g_auto(GStrv) saved = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) updated = NULL;
  guint target;

  g_return_val_if_fail (LB_IS_RUN_SETTINGS_FORM (self), FALSE);

  target = get_target (self);
  if (target < TARGET_FIRST_SAVED)
    return FALSE;

  saved = g_settings_get_strv (self->settings, "tester-connections");
  builder = g_strv_builder_new ();
  for (guint i = 0; saved[i] != NULL; i++)
    if (i != target - TARGET_FIRST_SAVED)
      g_strv_builder_add (builder, saved[i]);
  updated = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "tester-connections", (const char * const *) updated);

  adw_combo_row_set_selected (self->target_row, TARGET_CONNINFO);
  rebuild_target_model (self);
  adw_combo_row_set_selected (self->target_row, TARGET_CONNINFO);

  return TRUE;
}

void
lb_run_settings_form_set_sandbox_status (LbRunSettingsForm *self,
                                         const char        *status,
                                         gboolean           running,
                                         gboolean           busy)
{
  g_return_if_fail (LB_IS_RUN_SETTINGS_FORM (self));

  gtk_spinner_set_spinning (self->sandbox_spinner, busy);
  if (status != NULL)
    adw_action_row_set_subtitle (self->sandbox_row, status);
  else if (running)
    adw_action_row_set_subtitle (self->sandbox_row, _("Running, with the sample data"));
  else
    adw_action_row_set_subtitle (self->sandbox_row,
                                 _("A local PostgreSQL with the sample data, started when you start a run"));
}

gboolean
lb_run_settings_form_get_target_is_databricks (LbRunSettingsForm *self)
{
  g_return_val_if_fail (LB_IS_RUN_SETTINGS_FORM (self), FALSE);

  return get_target (self) == TARGET_DATABRICKS;
}

void
lb_run_settings_form_set_target_databricks (LbRunSettingsForm *self)
{
  g_return_if_fail (LB_IS_RUN_SETTINGS_FORM (self));

  adw_combo_row_set_selected (self->target_row, TARGET_DATABRICKS);
}

void
lb_run_settings_form_set_remote_database (LbRunSettingsForm  *self,
                                          LbRemoteTargetKind  kind,
                                          const char         *name,
                                          const char         *host,
                                          const char         *user)
{
  g_return_if_fail (LB_IS_RUN_SETTINGS_FORM (self));

  adw_combo_row_set_selected (self->database_kind_row, kind);
  if (name != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->database_name_row), name);
  if (host != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->database_host_row), host);
  if (user != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->database_user_row), user);
}

LbRemoteTarget *
lb_run_settings_form_dup_remote_target (LbRunSettingsForm *self)
{
  LbRemoteTarget *target;
  g_autofree char *host = NULL;
  const char *port;

  g_return_val_if_fail (LB_IS_RUN_SETTINGS_FORM (self), NULL);

  target = lb_remote_target_new (adw_combo_row_get_selected (self->database_kind_row));
  if (target->kind == LB_REMOTE_TARGET_AUTOSCALING)
    target->endpoint = g_strstrip (g_strdup (entry_text (self->database_name_row)));
  else
    target->instance_name = g_strstrip (g_strdup (entry_text (self->database_name_row)));

  /* "host:port" is taken apart; a bare host keeps 5432. */
  host = g_strstrip (g_strdup (entry_text (self->database_host_row)));
  port = strrchr (host, ':');
  if (port != NULL && strchr (host, ':') == port && port[1] != '\0')
    {
      guint64 value = g_ascii_strtoull (port + 1, NULL, 10);

      if (value > 0 && value <= 65535)
        {
          target->port = (guint) value;
          host[port - host] = '\0';
        }
    }
  target->host = g_steal_pointer (&host);
  /* A socket directory is this machine (a local test server): no TLS there. */
  if (target->host[0] == '/')
    {
      g_free (target->sslmode);
      target->sslmode = g_strdup ("disable");
    }
  if (*entry_text (self->database_dbname_row) != '\0')
    {
      g_free (target->dbname);
      target->dbname = g_strstrip (g_strdup (entry_text (self->database_dbname_row)));
    }
  if (*entry_text (self->database_user_row) != '\0')
    target->user = g_strstrip (g_strdup (entry_text (self->database_user_row)));

  return target;
}

guint
lb_run_settings_form_get_workers (LbRunSettingsForm *self)
{
  g_return_val_if_fail (LB_IS_RUN_SETTINGS_FORM (self), 1);

  return gtk_spin_button_get_value_as_int (self->workers_spin);
}

const char *
lb_run_settings_form_get_node_type (LbRunSettingsForm *self)
{
  g_return_val_if_fail (LB_IS_RUN_SETTINGS_FORM (self), NULL);

  return get_node_type (self);
}

const char *
lb_run_settings_form_get_profile (LbRunSettingsForm *self)
{
  g_return_val_if_fail (LB_IS_RUN_SETTINGS_FORM (self), NULL);

  return get_profile (self);
}

const char *
lb_run_settings_form_get_volume (LbRunSettingsForm *self)
{
  g_return_val_if_fail (LB_IS_RUN_SETTINGS_FORM (self), NULL);

  return entry_text (self->volume_row);
}

gboolean
lb_run_settings_form_get_keep_files (LbRunSettingsForm *self)
{
  g_return_val_if_fail (LB_IS_RUN_SETTINGS_FORM (self), FALSE);

  return gtk_switch_get_active (self->keep_files_switch);
}
