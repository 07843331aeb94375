/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbRunHistoryView: rows bound to an LbRunHistory, each describing a run in
 * one line, with the check buttons of the selectable mode and the delete
 * button; the owner acts on the signals. */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-run-history-view.h"

struct _LbRunHistoryView
{
  GtkWidget           parent_instance;

  /* Template Widgets */
  GtkListBox         *list_box;

  /* Owned References */
  LbRunHistory       *history;
  GtkSliceListModel  *slice;
  GPtrArray          *selected;     /* LbRunRecord*, oldest check first */

  gboolean            selectable;
  gboolean            syncing;
};

G_DEFINE_FINAL_TYPE (LbRunHistoryView, lb_run_history_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_HISTORY,
  PROP_SELECTABLE,
  N_PROPS
};

enum {
  SELECTION_CHANGED,
  RUN_ACTIVATED,
  DELETE_REQUESTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Words of a part stay together ("stopped early", "7 s"): a wrapped
 * subtitle breaks between the parts, at the dots. */
static void
append_part (GString    *text,
             const char *part)
{
  if (text->len > 0)
    g_string_append (text, " · ");
  for (const char *p = part; *p != '\0'; p++)
    {
      if (*p == ' ')
        g_string_append (text, "\u00a0");
      else
        g_string_append_c (text, *p);
    }
}

static char *
describe_run (LbRunRecord *record)
{
  const LbRunSettings *settings = lb_run_record_get_settings (record);
  LbRunResult *result = lb_run_record_get_result (record);
  /* %-e: no padding (GLib pads %e with a figure space, which shows). */
  g_autofree char *when = g_date_time_format (lb_run_record_get_started (record), "%-e %b %Y, %H:%M");
  GString *text = g_string_new (NULL);

  append_part (text, when);
  if (result != NULL)
    {
      g_autofree char *length = g_strdup_printf ("%.0f s", result->duration);
      append_part (text, length);
    }
  if (settings != NULL)
    {
      /* Prepared statements are the default: only the others are worth a word. */
      if (settings->protocol != LB_PROTOCOL_PREPARED)
        append_part (text, lb_protocol_to_string (settings->protocol));
      /* A run on Databricks compute says so with its worker count, from
       * its rows, whatever label it was started with. */
      if (lb_run_record_is_remote (record))
        {
          guint workers = lb_run_record_get_remote_rows (record)->len;
          g_autofree char *remote = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Databricks compute · %u worker",
                                                                  "Databricks compute · %u workers", workers),
                                                     workers);

          append_part (text, remote);
        }
      else if (settings->target_label != NULL && settings->target_label[0] != '\0')
        append_part (text, settings->target_label);
    }
  if (result != NULL && result->cancelled)
    append_part (text, _("stopped early"));

  return g_string_free (text, FALSE);
}

static void
sync_checks (LbRunHistoryView *self)
{
  g_assert (LB_IS_RUN_HISTORY_VIEW (self));

  self->syncing = TRUE;
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->list_box));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkCheckButton *check = g_object_get_data (G_OBJECT (row), "check");
      LbRunRecord *record = g_object_get_data (G_OBJECT (row), "record");

      if (check != NULL && record != NULL)
        gtk_check_button_set_active (check, g_ptr_array_find (self->selected, record, NULL));
    }
  self->syncing = FALSE;
}

static void
check_toggled_cb (GtkCheckButton   *check,
                  LbRunHistoryView *self)
{
  LbRunRecord *record = g_object_get_data (G_OBJECT (check), "record");

  if (self->syncing)
    return;

  lb_run_history_view_set_selected (self, record, gtk_check_button_get_active (check));
}

static void
delete_clicked_cb (GtkButton        *button,
                   LbRunHistoryView *self)
{
  LbRunRecord *record = g_object_get_data (G_OBJECT (button), "record");

  g_signal_emit (self, signals[DELETE_REQUESTED], 0, record);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  LbRunHistoryView *self = user_data;
  LbRunRecord *record = item;
  g_autofree char *title = lb_run_record_dup_title (record);
  g_autofree char *subtitle = describe_run (record);
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title_label = gtk_label_new (title);
  GtkWidget *subtitle_label = gtk_label_new (subtitle);
  GtkWidget *delete_button = gtk_button_new_from_icon_name ("user-trash-symbolic");

  g_object_set_data_full (G_OBJECT (row), "record", g_object_ref (record), g_object_unref);
  gtk_widget_set_margin_start (box, 10);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);

  if (self->selectable)
    {
      GtkWidget *check = gtk_check_button_new ();

      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (check, _("Show this run; check a second one to compare"));
      g_object_set_data_full (G_OBJECT (check), "record", g_object_ref (record), g_object_unref);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), g_ptr_array_find (self->selected, record, NULL));
      g_signal_connect_object (check, "toggled", G_CALLBACK (check_toggled_cb), self, 0);
      g_object_set_data (G_OBJECT (row), "check", check);
      gtk_box_append (GTK_BOX (box), check);
    }

  gtk_label_set_xalign (GTK_LABEL (title_label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title_label), PANGO_ELLIPSIZE_END);
  /* The subtitle holds the target and whether the run was stopped early:
   * it wraps rather than losing its end. */
  gtk_label_set_xalign (GTK_LABEL (subtitle_label), 0);
  gtk_label_set_wrap (GTK_LABEL (subtitle_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (subtitle_label), PANGO_WRAP_WORD_CHAR);
  /* Asks for a narrow natural width, so that a list that sizes itself to
   * its rows (the Past Runs popover) counts the wrapped lines. */
  gtk_label_set_max_width_chars (GTK_LABEL (subtitle_label), 40);
  gtk_widget_add_css_class (subtitle_label, "dim-label");
  gtk_widget_add_css_class (subtitle_label, "caption");
  gtk_widget_set_tooltip_text (labels, title);
  gtk_widget_set_hexpand (labels, TRUE);
  gtk_widget_set_valign (labels, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (labels), title_label);
  gtk_box_append (GTK_BOX (labels), subtitle_label);
  gtk_box_append (GTK_BOX (box), labels);

  gtk_widget_set_valign (delete_button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (delete_button, "flat");
  gtk_widget_set_tooltip_text (delete_button, _("Delete this run"));
  g_object_set_data_full (G_OBJECT (delete_button), "record", g_object_ref (record), g_object_unref);
  g_signal_connect_object (delete_button, "clicked", G_CALLBACK (delete_clicked_cb), self, 0);
  gtk_box_append (GTK_BOX (box), delete_button);

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}

static void
row_activated_cb (GtkListBox       *list_box,
                  GtkListBoxRow    *row,
                  LbRunHistoryView *self)
{
  LbRunRecord *record = g_object_get_data (G_OBJECT (row), "record");
  GtkCheckButton *check = g_object_get_data (G_OBJECT (row), "check");

  if (check != NULL)
    gtk_check_button_set_active (check, !gtk_check_button_get_active (check));
  else
    g_signal_emit (self, signals[RUN_ACTIVATED], 0, record);
}

static gboolean
history_contains (LbRunHistory *history,
                  LbRunRecord  *record)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (history));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbRunRecord) item = g_list_model_get_item (G_LIST_MODEL (history), i);

      if (item == record)
        return TRUE;
    }

  return FALSE;
}

static void
history_items_changed_cb (LbRunHistoryView *self,
                          guint             position,
                          guint             removed,
                          guint             added,
                          GListModel       *model)
{
  gboolean changed = FALSE;

  if (removed == 0)
    return;

  /* A deleted run cannot stay checked. */
  for (guint i = self->selected->len; i > 0; i--)
    if (!history_contains (self->history, g_ptr_array_index (self->selected, i - 1)))
      {
        g_ptr_array_remove_index (self->selected, i - 1);
        changed = TRUE;
      }

  if (changed)
    g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

static void
rebind (LbRunHistoryView *self)
{
  g_assert (LB_IS_RUN_HISTORY_VIEW (self));

  gtk_slice_list_model_set_model (self->slice, self->history != NULL ? G_LIST_MODEL (self->history) : NULL);
  gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (self->slice), create_row, self, NULL);
}

static void
lb_run_history_view_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  LbRunHistoryView *self = LB_RUN_HISTORY_VIEW (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;
    case PROP_SELECTABLE:
      g_value_set_boolean (value, self->selectable);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_run_history_view_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  LbRunHistoryView *self = LB_RUN_HISTORY_VIEW (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      lb_run_history_view_set_history (self, g_value_get_object (value));
      break;
    case PROP_SELECTABLE:
      lb_run_history_view_set_selectable (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_run_history_view_dispose (GObject *object)
{
  LbRunHistoryView *self = LB_RUN_HISTORY_VIEW (object);

  if (self->list_box != NULL)
    {
      gtk_list_box_bind_model (self->list_box, NULL, NULL, NULL, NULL);
      gtk_widget_unparent (GTK_WIDGET (self->list_box));
      self->list_box = NULL;
    }
  g_clear_object (&self->slice);
  g_clear_object (&self->history);
  g_clear_pointer (&self->selected, g_ptr_array_unref);

  G_OBJECT_CLASS (lb_run_history_view_parent_class)->dispose (object);
}

static void
lb_run_history_view_class_init (LbRunHistoryViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_run_history_view_dispose;
  object_class->get_property = lb_run_history_view_get_property;
  object_class->set_property = lb_run_history_view_set_property;

  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL,
                         LB_TYPE_RUN_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTABLE] =
    g_param_spec_boolean ("selectable", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SELECTION_CHANGED] =
    g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[RUN_ACTIVATED] =
    g_signal_new ("run-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LB_TYPE_RUN_RECORD);
  signals[DELETE_REQUESTED] =
    g_signal_new ("delete-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LB_TYPE_RUN_RECORD);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "runhistoryview");
}

static void
lb_run_history_view_init (LbRunHistoryView *self)
{
  GtkWidget *placeholder;

  self->selected = g_ptr_array_new_with_free_func (g_object_unref);
  self->slice = gtk_slice_list_model_new (NULL, 0, G_MAXUINT);

  self->list_box = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list_box, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list_box), "boxed-list");
  gtk_widget_set_parent (GTK_WIDGET (self->list_box), GTK_WIDGET (self));
  g_signal_connect_object (self->list_box, "row-activated", G_CALLBACK (row_activated_cb), self, 0);

  placeholder = gtk_label_new (_("No runs yet: the runs you make are kept here."));
  gtk_label_set_wrap (GTK_LABEL (placeholder), TRUE);
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 18);
  gtk_widget_set_margin_bottom (placeholder, 18);
  gtk_widget_set_margin_start (placeholder, 12);
  gtk_widget_set_margin_end (placeholder, 12);
  gtk_list_box_set_placeholder (self->list_box, placeholder);

  rebind (self);
}

GtkWidget *
lb_run_history_view_new (void)
{
  return g_object_new (LB_TYPE_RUN_HISTORY_VIEW, NULL);
}

LbRunHistory *
lb_run_history_view_get_history (LbRunHistoryView *self)
{
  g_return_val_if_fail (LB_IS_RUN_HISTORY_VIEW (self), NULL);

  return self->history;
}

void
lb_run_history_view_set_history (LbRunHistoryView *self,
                                 LbRunHistory     *history)
{
  g_return_if_fail (LB_IS_RUN_HISTORY_VIEW (self));
  g_return_if_fail (history == NULL || LB_IS_RUN_HISTORY (history));

  if (self->history == history)
    return;

  if (self->history != NULL)
    g_signal_handlers_disconnect_by_func (self->history, history_items_changed_cb, self);
  g_set_object (&self->history, history);
  if (history != NULL)
    g_signal_connect_object (history, "items-changed", G_CALLBACK (history_items_changed_cb), self,
                             G_CONNECT_SWAPPED);

  g_ptr_array_set_size (self->selected, 0);
  rebind (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

gboolean
lb_run_history_view_get_selectable (LbRunHistoryView *self)
{
  g_return_val_if_fail (LB_IS_RUN_HISTORY_VIEW (self), FALSE);

  return self->selectable;
}

void
lb_run_history_view_set_selectable (LbRunHistoryView *self,
                                    gboolean          selectable)
{
  g_return_if_fail (LB_IS_RUN_HISTORY_VIEW (self));

  selectable = !!selectable;
  if (self->selectable == selectable)
    return;

  self->selectable = selectable;
  rebind (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTABLE]);
}

void
lb_run_history_view_set_max_runs (LbRunHistoryView *self,
                                  guint             max_runs)
{
  g_return_if_fail (LB_IS_RUN_HISTORY_VIEW (self));

  gtk_slice_list_model_set_size (self->slice, max_runs > 0 ? max_runs : G_MAXUINT);
}

guint
lb_run_history_view_get_n_selected (LbRunHistoryView *self)
{
  g_return_val_if_fail (LB_IS_RUN_HISTORY_VIEW (self), 0);

  return self->selected->len;
}

LbRunRecord *
lb_run_history_view_get_selected (LbRunHistoryView *self,
                                  guint             index)
{
  g_return_val_if_fail (LB_IS_RUN_HISTORY_VIEW (self), NULL);

  if (index >= self->selected->len)
    return NULL;

  return g_ptr_array_index (self->selected, index);
}

void
lb_run_history_view_set_selected (LbRunHistoryView *self,
                                  LbRunRecord      *record,
                                  gboolean          selected)
{
  guint index;
  gboolean found;

  g_return_if_fail (LB_IS_RUN_HISTORY_VIEW (self));
  g_return_if_fail (LB_IS_RUN_RECORD (record));

  found = g_ptr_array_find (self->selected, record, &index);
  if (found == !!selected)
    return;

  if (selected)
    {
      g_ptr_array_add (self->selected, g_object_ref (record));
      /* Two runs at most: a third check replaces the oldest. */
      while (self->selected->len > 2)
        g_ptr_array_remove_index (self->selected, 0);
    }
  else
    {
      g_ptr_array_remove_index (self->selected, index);
    }

  sync_checks (self);
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

void
lb_run_history_view_unselect_all (LbRunHistoryView *self)
{
  g_return_if_fail (LB_IS_RUN_HISTORY_VIEW (self));

  if (self->selected->len == 0)
    return;

  g_ptr_array_set_size (self->selected, 0);
  sync_checks (self);
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}
