/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbRunSettingsForm: the rows of the settings column and the mapping
 * between them and an LbRunSettings; no run logic lives here. */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-conninfo.h"
#include "lb-run-settings-form.h"

enum {
  TARGET_SANDBOX,
  TARGET_CONNINFO,
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

  GtkStringList *target_model;
  GSettings     *settings;
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

static void
update_target_rows (LbRunSettingsForm *self)
{
  guint target = get_target (self);
  g_autofree char *message = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->sandbox_row), target == TARGET_SANDBOX);
  gtk_widget_set_visible (GTK_WIDGET (self->conninfo_row), target != TARGET_SANDBOX);
  gtk_widget_set_visible (self->forget_connection_button, target >= TARGET_FIRST_SAVED);

  conninfo_is_valid (self, &message);
  gtk_widget_set_visible (GTK_WIDGET (self->conninfo_error_row), target != TARGET_SANDBOX && message != NULL);
  if (message != NULL)
    adw_action_row_set_subtitle (self->conninfo_error_row, message);
  update_tls_note (self, target != TARGET_SANDBOX && message == NULL);
  if (target != TARGET_SANDBOX && message != NULL)
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
  for (guint i = 0; saved[i] != NULL; i++)
    g_ptr_array_add (names, lb_conninfo_describe (saved[i]));
  g_ptr_array_add (names, NULL);

  gtk_string_list_splice (self->target_model, 0, n, (const char * const *) names->pdata);
}

static void
target_selected_cb (LbRunSettingsForm *self)
{
  guint target = get_target (self);

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
  g_clear_object (&self->settings);

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
  gtk_widget_class_bind_template_callback (widget_class, rate_changed_cb);
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

  return get_target (self) != TARGET_SANDBOX && conninfo_is_valid (self, NULL);
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
