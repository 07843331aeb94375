/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The calculator's form: one row per field of the core's workload field table,
 * each bound to that field. Typing sets the field (or marks the row invalid and
 * keeps the last valid value priced); the page's report follows the workload. */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-calculator-page-private.h"

void
_lb_calculator_page_field_row_free (gpointer data)
{
  FieldRow *field_row = data;

  g_free (field_row->subtitle);
  g_free (field_row->value_before_edit);
  g_free (field_row);
}

static void
set_field_error (FieldRow   *field_row,
                 const char *message)
{
  /* The message replaces the row's subtitle so it sits right on the field;
   * what was typed stays in the entry for the user to fix. */
  if (message != NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (message, -1);

      if (field_row->entry != NULL)
        gtk_widget_add_css_class (GTK_WIDGET (field_row->entry), "error");
      gtk_widget_add_css_class (GTK_WIDGET (field_row->row), "field-error");
      adw_action_row_set_subtitle (ADW_ACTION_ROW (field_row->row), escaped);
      gtk_widget_set_tooltip_text (GTK_WIDGET (field_row->entry), message);
    }
  else
    {
      if (field_row->entry != NULL)
        {
          gtk_widget_remove_css_class (GTK_WIDGET (field_row->entry), "error");
          gtk_widget_set_tooltip_text (GTK_WIDGET (field_row->entry), NULL);
        }
      gtk_widget_remove_css_class (GTK_WIDGET (field_row->row), "field-error");
      adw_action_row_set_subtitle (ADW_ACTION_ROW (field_row->row), field_row->subtitle);
    }
}

static FieldRow *
find_field_row (LbCalculatorPage *self,
                GtkWidget        *widget)
{
  for (guint i = 0; i < self->field_rows->len; i++)
    {
      FieldRow *field_row = g_ptr_array_index (self->field_rows, i);

      if (GTK_WIDGET (field_row->entry) == widget || GTK_WIDGET (field_row->row) == widget)
        return field_row;
    }

  return NULL;
}

gboolean
_lb_calculator_page_has_invalid_fields (LbCalculatorPage *self)
{
  g_assert (LB_IS_CALCULATOR_PAGE (self));

  for (guint i = 0; i < self->field_rows->len; i++)
    {
      FieldRow *field_row = g_ptr_array_index (self->field_rows, i);

      if (field_row->invalid)
        return TRUE;
    }

  return FALSE;
}
static gboolean
entry_has_focus (GtkEditable *entry)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (entry));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  return focus != NULL && (focus == GTK_WIDGET (entry) || gtk_widget_is_ancestor (focus, GTK_WIDGET (entry)));
}

static void
entry_focus_changed_cb (GtkEventControllerFocus *controller,
                        gpointer                 user_data)
{
  FieldRow *field_row = user_data;

  /* Focus in or out: the next keystroke starts a new edit. */
  field_row->editing = FALSE;
}

static void
entry_changed_cb (LbCalculatorPage *self,
                  GtkEditable      *entry)
{
  FieldRow *field_row;
  gboolean focused;
  g_autoptr(GError) error = NULL;

  g_assert (LB_IS_CALCULATOR_PAGE (self));

  if (self->updating || self->workload == NULL)
    return;

  field_row = find_field_row (self, GTK_WIDGET (entry));
  g_return_if_fail (field_row != NULL);

  /* A change without the focus (a paste from elsewhere, a test) is an edit
   * of its own; keystrokes in the focused entry are one edit until it
   * loses the focus. */
  focused = entry_has_focus (entry);
  if (!focused || !field_row->editing)
    {
      g_free (field_row->value_before_edit);
      field_row->value_before_edit = lb_workload_dup_field_string (self->workload, field_row->field);
      field_row->editing = focused;
    }

  if (lb_workload_set_field_from_string (self->workload, field_row->field,
                                         gtk_editable_get_text (entry), &error))
    {
      field_row->invalid = FALSE;
      set_field_error (field_row, NULL);
    }
  else
    {
      field_row->invalid = TRUE;
      set_field_error (field_row, error->message);
      if (field_row->value_before_edit != NULL)
        lb_workload_set_field_from_string (self->workload, field_row->field,
                                           field_row->value_before_edit, NULL);
    }

  _lb_calculator_page_update_stale (self);
}

static const char *
choice_value_to_string (LbFieldKind kind,
                        guint       index)
{
  switch (kind)
    {
    case LB_FIELD_SYNC_MODE:
      return lb_sync_mode_to_string (index);
    case LB_FIELD_SYNC_FREQUENCY:
      return lb_sync_frequency_to_string (index);
    case LB_FIELD_FLAVOUR:
      return lb_flavour_to_string (index);
    case LB_FIELD_NUMBER:
    case LB_FIELD_INTEGER:
    case LB_FIELD_STRING:
    default:
      g_return_val_if_reached (NULL);
    }
}

static void
combo_selected_cb (LbCalculatorPage *self,
                   GParamSpec       *pspec,
                   AdwComboRow      *combo)
{
  FieldRow *field_row;
  guint selected;
  g_autoptr(GError) error = NULL;

  g_assert (LB_IS_CALCULATOR_PAGE (self));

  selected = adw_combo_row_get_selected (combo);
  if (self->updating || self->workload == NULL || selected == GTK_INVALID_LIST_POSITION)
    return;

  field_row = find_field_row (self, GTK_WIDGET (combo));
  g_return_if_fail (field_row != NULL);

  if (!lb_workload_set_field_from_string (self->workload, field_row->field,
                                          choice_value_to_string (field_row->field->kind, selected),
                                          &error))
    g_warning ("%s", error->message);
}

static GListModel *
create_choice_model (LbFieldKind kind)
{
  GtkStringList *list = gtk_string_list_new (NULL);

  switch (kind)
    {
    case LB_FIELD_SYNC_MODE:
      for (guint i = LB_SYNC_MODE_SNAPSHOT; i <= LB_SYNC_MODE_CONTINUOUS; i++)
        gtk_string_list_append (list, lb_sync_mode_get_label (i));
      break;
    case LB_FIELD_SYNC_FREQUENCY:
      for (guint i = LB_SYNC_FREQUENCY_PER_WEEK; i <= LB_SYNC_FREQUENCY_PER_HOUR; i++)
        gtk_string_list_append (list, lb_sync_frequency_get_label (i));
      break;
    case LB_FIELD_FLAVOUR:
      for (guint i = LB_FLAVOUR_AUTOSCALING; i <= LB_FLAVOUR_PROVISIONED; i++)
        gtk_string_list_append (list, lb_flavour_get_label (i));
      break;
    case LB_FIELD_NUMBER:
    case LB_FIELD_INTEGER:
    case LB_FIELD_STRING:
    default:
      g_assert_not_reached ();
    }

  return G_LIST_MODEL (list);
}

static AdwPreferencesGroup *
group_for_section (LbCalculatorPage *self,
                   const char       *section)
{
  if (g_str_equal (section, "database_instance"))
    return self->instance_group;
  if (g_str_equal (section, "database_storage"))
    return self->storage_group;
  if (g_str_equal (section, "delta_synchronization"))
    return self->sync_group;
  return self->deployment_group;
}

/* Right under the pipelines field: the listed tables' scheduling policies
 * say something else than the classic fields, which price the file as the
 * web tool does; one click makes them agree. */
static void
build_policy_warning (LbCalculatorPage *self)
{
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Use the Tables’ Policies"));

  g_assert (LB_IS_CALCULATOR_PAGE (self));

  self->policy_warning_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->policy_warning_row),
                                 _("The tables to sync say otherwise"));
  gtk_widget_add_css_class (GTK_WIDGET (self->policy_warning_row), "sync-policy-warning");
  gtk_widget_add_css_class (icon, "warning-icon");
  gtk_widget_set_valign (icon, GTK_ALIGN_CENTER);
  adw_action_row_add_prefix (self->policy_warning_row, icon);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "calculator.use-table-policies");
  adw_action_row_add_suffix (self->policy_warning_row, button);
  gtk_widget_set_visible (GTK_WIDGET (self->policy_warning_row), FALSE);
}

/* The form is built from the core's field table, so a new input in the
 * workload format appears here without UI code. */
void
_lb_calculator_page_build_form (LbCalculatorPage *self)
{
  const LbWorkloadField *fields;
  guint n_fields = 0;

  g_assert (LB_IS_CALCULATOR_PAGE (self));

  fields = lb_workload_get_fields (&n_fields);
  for (guint i = 0; i < n_fields; i++)
    {
      const LbWorkloadField *field = &fields[i];
      FieldRow *field_row = g_new0 (FieldRow, 1);
      g_autofree char *title = g_markup_escape_text (_(field->title), -1);

      field_row->field = field;
      field_row->subtitle = field->subtitle != NULL ? g_markup_escape_text (_(field->subtitle), -1) : NULL;

      if (field->kind == LB_FIELD_SYNC_MODE ||
          field->kind == LB_FIELD_SYNC_FREQUENCY ||
          field->kind == LB_FIELD_FLAVOUR)
        {
          g_autoptr(GListModel) model = create_choice_model (field->kind);
          AdwComboRow *combo = ADW_COMBO_ROW (adw_combo_row_new ());

          adw_combo_row_set_model (combo, model);
          g_signal_connect_object (combo, "notify::selected", G_CALLBACK (combo_selected_cb),
                                   self, G_CONNECT_SWAPPED);
          field_row->row = ADW_PREFERENCES_ROW (combo);
        }
      else
        {
          GtkWidget *row = adw_action_row_new ();
          GtkWidget *entry = gtk_entry_new ();
          gboolean numeric = field->kind != LB_FIELD_STRING;

          GtkEventController *focus = gtk_event_controller_focus_new ();

          gtk_widget_set_valign (entry, GTK_ALIGN_CENTER);
          gtk_widget_add_css_class (entry, "field-entry");
          /* Minimum = natural width: a row with a long subtitle cannot
           * squeeze its entry narrower than its neighbours'. */
          gtk_editable_set_width_chars (GTK_EDITABLE (entry), numeric ? 10 : 18);
          gtk_editable_set_max_width_chars (GTK_EDITABLE (entry), numeric ? 10 : 18);
          g_signal_connect (focus, "enter", G_CALLBACK (entry_focus_changed_cb), field_row);
          g_signal_connect (focus, "leave", G_CALLBACK (entry_focus_changed_cb), field_row);
          gtk_widget_add_controller (entry, focus);
          if (numeric)
            {
              gtk_editable_set_alignment (GTK_EDITABLE (entry), 1.0);
              gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_NUMBER);
              gtk_widget_add_css_class (entry, "numeric");
            }
          gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, _(field->title),
                                          -1);
          g_signal_connect_object (entry, "changed", G_CALLBACK (entry_changed_cb),
                                   self, G_CONNECT_SWAPPED);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), entry);
          adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), entry);

          /* Numbers get a unit column, empty or not, so the entries line up. */
          if (numeric || field->unit != NULL)
            {
              GtkWidget *unit = gtk_label_new (field->unit != NULL ? _(field->unit) : NULL);

              gtk_widget_add_css_class (unit, "dim-label");
              gtk_label_set_width_chars (GTK_LABEL (unit), 6);
              gtk_label_set_xalign (GTK_LABEL (unit), 0.0);
              adw_action_row_add_suffix (ADW_ACTION_ROW (row), unit);
            }

          field_row->row = ADW_PREFERENCES_ROW (row);
          field_row->entry = GTK_EDITABLE (entry);
        }

      adw_preferences_row_set_title (field_row->row, title);
      if (field_row->subtitle != NULL)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (field_row->row), field_row->subtitle);

      adw_preferences_group_add (group_for_section (self, field->section), GTK_WIDGET (field_row->row));
      g_ptr_array_add (self->field_rows, field_row);

      if (g_str_equal (field->key, "sync_mode"))
        self->sync_mode_row = field_row;
      if (g_str_equal (field->key, "number_of_continuous_pipelines"))
        {
          self->pipelines_row = field_row;
          build_policy_warning (self);
          adw_preferences_group_add (group_for_section (self, field->section),
                                     GTK_WIDGET (self->policy_warning_row));
        }
    }
}

void
_lb_calculator_page_fill_field_row (LbCalculatorPage *self,
                FieldRow         *field_row)
{
  g_autofree char *text = lb_workload_dup_field_string (self->workload, field_row->field);

  g_assert (LB_IS_CALCULATOR_PAGE (self));

  self->updating = TRUE;

  if (field_row->entry != NULL)
    {
      gtk_editable_set_text (field_row->entry, text != NULL ? text : "");
    }
  else
    {
      guint index = 0;

      switch (field_row->field->kind)
        {
        case LB_FIELD_SYNC_MODE:
          index = lb_workload_get_sync_mode (self->workload);
          break;
        case LB_FIELD_SYNC_FREQUENCY:
          index = lb_workload_get_sync_frequency (self->workload);
          break;
        case LB_FIELD_FLAVOUR:
          index = lb_workload_get_flavour (self->workload);
          break;
        case LB_FIELD_NUMBER:
        case LB_FIELD_INTEGER:
        case LB_FIELD_STRING:
        default:
          g_assert_not_reached ();
        }
      adw_combo_row_set_selected (ADW_COMBO_ROW (field_row->row), index);
    }

  field_row->invalid = FALSE;
  field_row->editing = FALSE;
  set_field_error (field_row, NULL);

  self->updating = FALSE;
}

void
_lb_calculator_page_fill_form (LbCalculatorPage *self)
{
  g_assert (LB_IS_CALCULATOR_PAGE (self));

  for (guint i = 0; i < self->field_rows->len; i++)
    _lb_calculator_page_fill_field_row (self, g_ptr_array_index (self->field_rows, i));

  _lb_calculator_page_update_stale (self);
}
