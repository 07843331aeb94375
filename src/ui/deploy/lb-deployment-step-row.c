/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbDeploymentStepRow: a step's state, progress, status, warning or error
 * and log, updated from the step's notifications and "log-appended"; only
 * the elapsed time waits for the page's tick. */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-deployment-step-row.h"

struct _LbDeploymentStepRow
{
  GtkListBoxRow     parent_instance;

  /* Template Widgets */
  GtkStack         *state_stack;
  GtkImage         *state_icon;
  GtkSpinner       *spinner;
  GtkLabel         *title_label;
  GtkLabel         *status_label;
  GtkLabel         *warning_label;
  GtkWidget        *deadline_box;
  GtkLabel         *deadline_label;
  GtkButton        *extend_button;
  GtkLabel         *error_label;
  GtkLabel         *state_label;
  GtkLabel         *elapsed_label;
  GtkProgressBar   *progress_bar;
  GtkExpander      *log_expander;
  GtkLabel         *log_label;

  /* Owned References */
  LbDeploymentStep *step;
  GString          *log;
  guint             n_log_lines;
};

G_DEFINE_FINAL_TYPE (LbDeploymentStepRow, lb_deployment_step_row, GTK_TYPE_LIST_BOX_ROW)

enum {
  PROP_0,
  PROP_STEP,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const state_classes[] = { "success", "accent", "warning", "error", "dim-label" };

static void
set_label_or_hide (GtkLabel   *label,
                   const char *text)
{
  gboolean visible = text != NULL && text[0] != '\0';

  gtk_label_set_label (label, visible ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), visible);
}

static char *
format_elapsed (double seconds)
{
  guint total = (guint) (seconds + 0.5);

  if (seconds <= 0)
    return g_strdup ("");
  if (seconds < 10)
    /* Translators: elapsed time of a short deployment step, in seconds */
    return g_strdup_printf (_("%.1f s"), seconds);
  if (total < 60)
    /* Translators: elapsed time of a deployment step, in seconds */
    return g_strdup_printf (_("%u s"), total);
  /* Translators: elapsed time of a deployment step, minutes and seconds */
  return g_strdup_printf (_("%u:%02u min"), total / 60, total % 60);
}

static void
update_elapsed (LbDeploymentStepRow *self)
{
  g_autofree char *text = format_elapsed (lb_deployment_step_get_elapsed (self->step));

  gtk_label_set_label (self->elapsed_label, text);
}

/* How long an extendable step (a synced table's initial sync) still waits,
 * with the button that gives it longer; hidden for every other step. */
static void
update_deadline (LbDeploymentStepRow *self)
{
  gboolean running = lb_deployment_step_get_state (self->step) == LB_DEPLOYMENT_STEP_RUNNING;
  double remaining = lb_deployment_step_get_remaining (self->step);
  gboolean shown = running && lb_deployment_step_get_extendable (self->step) && remaining >= 0;

  gtk_widget_set_visible (self->deadline_box, shown);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "step.extend-deadline", shown);
  if (shown)
    {
      g_autofree char *left = lb_deployment_step_format_duration (remaining);
      /* Translators: %s is a duration, e.g. "3 h 59 min" */
      g_autofree char *text = g_strdup_printf (_("Gives up in %s"), left);

      gtk_label_set_label (self->deadline_label, text);
    }
}

static void
extend_deadline_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  LbDeploymentStepRow *self = LB_DEPLOYMENT_STEP_ROW (widget);

  lb_deployment_step_extend_deadline (self->step, 3600);
}

static void
update_state (LbDeploymentStepRow *self)
{
  LbDeploymentStepState state = lb_deployment_step_get_state (self->step);
  const char *warning = lb_deployment_step_get_warning (self->step);
  gboolean has_warning = warning != NULL && warning[0] != '\0';
  const char *icon = NULL;
  const char *style = NULL;

  switch (state)
    {
    case LB_DEPLOYMENT_STEP_PENDING:
      icon = "content-loading-symbolic";
      style = "dim-label";
      break;
    case LB_DEPLOYMENT_STEP_RUNNING:
      break;
    case LB_DEPLOYMENT_STEP_DONE:
      icon = has_warning ? "dialog-warning-symbolic" : "object-select-symbolic";
      style = has_warning ? "warning" : "success";
      break;
    case LB_DEPLOYMENT_STEP_ADOPTED:
      icon = has_warning ? "dialog-warning-symbolic" : "emblem-ok-symbolic";
      style = has_warning ? "warning" : "accent";
      break;
    case LB_DEPLOYMENT_STEP_FAILED:
      icon = "dialog-error-symbolic";
      style = "error";
      break;
    case LB_DEPLOYMENT_STEP_SKIPPED:
      /* Skipped for a reason of its own (the warning) is worth a look. */
      icon = has_warning ? "dialog-warning-symbolic" : "media-skip-forward-symbolic";
      style = has_warning ? "warning" : "dim-label";
      break;
    default:
      g_assert_not_reached ();
    }

  /* A spinner only while the step runs: it animates, an icon does not. */
  gtk_spinner_set_spinning (self->spinner, state == LB_DEPLOYMENT_STEP_RUNNING);
  gtk_stack_set_visible_child_name (self->state_stack, state == LB_DEPLOYMENT_STEP_RUNNING ? "spinner" : "icon");
  if (icon != NULL)
    gtk_image_set_from_icon_name (self->state_icon, icon);
  for (guint i = 0; i < G_N_ELEMENTS (state_classes); i++)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->state_icon), state_classes[i]);
      gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), state_classes[i]);
    }
  if (style != NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->state_icon), style);
      if (!g_str_equal (style, "dim-label"))
        gtk_widget_add_css_class (GTK_WIDGET (self->state_label), style);
    }

  gtk_label_set_label (self->state_label, lb_deployment_step_get_state_label (self->step));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, lb_deployment_step_get_state_label (self->step),
                                  -1);
  /* The bar of a step that never started stays empty, not "full of nothing". */
  gtk_widget_set_opacity (GTK_WIDGET (self->progress_bar),
                          state == LB_DEPLOYMENT_STEP_PENDING || state == LB_DEPLOYMENT_STEP_SKIPPED ? 0.4 : 1.0);
  update_elapsed (self);
  update_deadline (self);
}

static void
update_fraction (LbDeploymentStepRow *self)
{
  gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (lb_deployment_step_get_fraction (self->step), 0.0, 1.0));
}

static void
update_status (LbDeploymentStepRow *self)
{
  set_label_or_hide (self->status_label, lb_deployment_step_get_status (self->step));
}

static void
update_warning (LbDeploymentStepRow *self)
{
  set_label_or_hide (self->warning_label, lb_deployment_step_get_warning (self->step));
  update_state (self);
}

static void
update_error (LbDeploymentStepRow *self)
{
  set_label_or_hide (self->error_label, lb_deployment_step_get_error_message (self->step));
}

static void
update_log_title (LbDeploymentStepRow *self)
{
  g_autofree char *title = NULL;

  /* Translators: the expander of a deployment step's log; %u is its number of lines */
  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Log (%u line)", "Log (%u lines)", self->n_log_lines),
                           self->n_log_lines);
  gtk_expander_set_label (self->log_expander, title);
  gtk_widget_set_visible (GTK_WIDGET (self->log_expander), self->n_log_lines > 0);
}

static void
reload_log (LbDeploymentStepRow *self)
{
  g_auto(GStrv) lines = lb_deployment_step_dup_log (self->step);

  g_string_truncate (self->log, 0);
  self->n_log_lines = 0;
  for (guint i = 0; lines != NULL && lines[i] != NULL; i++)
    {
      if (self->log->len > 0)
        g_string_append_c (self->log, '\n');
      g_string_append (self->log, lines[i]);
      self->n_log_lines++;
    }
  gtk_label_set_label (self->log_label, self->log->str);
  update_log_title (self);
}

static void
log_appended_cb (LbDeploymentStepRow *self,
                 const char          *line,
                 LbDeploymentStep    *step)
{
  if (self->log->len > 0)
    g_string_append_c (self->log, '\n');
  g_string_append (self->log, line);
  self->n_log_lines++;
  gtk_label_set_label (self->log_label, self->log->str);
  update_log_title (self);
}

static void
state_changed_cb (LbDeploymentStepRow *self)
{
  LbDeploymentStepState state = lb_deployment_step_get_state (self->step);

  update_state (self);
  /* A reset step (a new run) starts with an empty log. */
  if (state == LB_DEPLOYMENT_STEP_PENDING)
    reload_log (self);
}

static void
set_step (LbDeploymentStepRow *self,
          LbDeploymentStep    *step)
{
  g_assert (self->step == NULL);
  g_assert (LB_IS_DEPLOYMENT_STEP (step));

  self->step = g_object_ref (step);

  gtk_label_set_label (self->title_label, lb_deployment_step_get_title (step));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, lb_deployment_step_get_title (step),
                                  -1);

  g_signal_connect_object (step, "notify::state", G_CALLBACK (state_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (step, "notify::elapsed", G_CALLBACK (update_elapsed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (step, "notify::fraction", G_CALLBACK (update_fraction), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (step, "notify::status", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (step, "notify::warning", G_CALLBACK (update_warning), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (step, "notify::error-message", G_CALLBACK (update_error), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (step, "log-appended", G_CALLBACK (log_appended_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (step, "notify::deadline", G_CALLBACK (update_deadline), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (step, "notify::extendable", G_CALLBACK (update_deadline), self, G_CONNECT_SWAPPED);

  update_fraction (self);
  update_status (self);
  update_error (self);
  update_warning (self);
  reload_log (self);
}

static void
lb_deployment_step_row_dispose (GObject *object)
{
  LbDeploymentStepRow *self = LB_DEPLOYMENT_STEP_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_DEPLOYMENT_STEP_ROW);
  g_clear_object (&self->step);

  G_OBJECT_CLASS (lb_deployment_step_row_parent_class)->dispose (object);
}

static void
lb_deployment_step_row_finalize (GObject *object)
{
  LbDeploymentStepRow *self = LB_DEPLOYMENT_STEP_ROW (object);

  g_string_free (self->log, TRUE);

  G_OBJECT_CLASS (lb_deployment_step_row_parent_class)->finalize (object);
}

static void
lb_deployment_step_row_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  LbDeploymentStepRow *self = LB_DEPLOYMENT_STEP_ROW (object);

  switch (prop_id)
    {
    case PROP_STEP:
      g_value_set_object (value, lb_deployment_step_row_get_step (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_deployment_step_row_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  LbDeploymentStepRow *self = LB_DEPLOYMENT_STEP_ROW (object);

  switch (prop_id)
    {
    case PROP_STEP:
      set_step (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_deployment_step_row_class_init (LbDeploymentStepRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_deployment_step_row_dispose;
  object_class->finalize = lb_deployment_step_row_finalize;
  object_class->get_property = lb_deployment_step_row_get_property;
  object_class->set_property = lb_deployment_step_row_set_property;

  properties[PROP_STEP] =
    g_param_spec_object ("step", NULL, NULL,
                         LB_TYPE_DEPLOYMENT_STEP,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, APP_RESOURCE_PATH "/ui/lb-deployment-step-row.ui");
  gtk_widget_class_bind_template_child (widget_class, LbDeploymentStepRow, state_stack);
  gtk_widget_class_bind_template_child (widget_class, LbDeploymentStepRow, state_icon);
  gtk_widget_class_bind_template_child (widget_class, LbDeploymentStepRow, spinner);
  gtk_widget_class_bind_template_child (widget_class, LbDeploymentStepRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, LbDeploymentStepRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, LbDeploymentStepRow, warning_label);
  gtk_widget_class_bind_template_child (widget_class, LbDeploymentStepRow, deadline_box);
  gtk_widget_class_bind_template_child (widget_class, LbDeploymentStepRow, deadline_label);
  gtk_widget_class_bind_template_child (widget_class, LbDeploymentStepRow, extend_button);

  /* A synced table's initial sync may take hours: the user gives it longer. */
  gtk_widget_class_install_action (widget_class, "step.extend-deadline", NULL, extend_deadline_action);
  gtk_widget_class_bind_template_child (widget_class, LbDeploymentStepRow, error_label);
  gtk_widget_class_bind_template_child (widget_class, LbDeploymentStepRow, state_label);
  gtk_widget_class_bind_template_child (widget_class, LbDeploymentStepRow, elapsed_label);
  gtk_widget_class_bind_template_child (widget_class, LbDeploymentStepRow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LbDeploymentStepRow, log_expander);
  gtk_widget_class_bind_template_child (widget_class, LbDeploymentStepRow, log_label);
}

static void
lb_deployment_step_row_init (LbDeploymentStepRow *self)
{
  self->log = g_string_new (NULL);
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
lb_deployment_step_row_new (LbDeploymentStep *step)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_STEP (step), NULL);

  return g_object_new (LB_TYPE_DEPLOYMENT_STEP_ROW,
                       "step", step,
                       NULL);
}

LbDeploymentStep *
lb_deployment_step_row_get_step (LbDeploymentStepRow *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_STEP_ROW (self), NULL);

  return self->step;
}

void
lb_deployment_step_row_tick (LbDeploymentStepRow *self)
{
  g_return_if_fail (LB_IS_DEPLOYMENT_STEP_ROW (self));

  if (lb_deployment_step_get_state (self->step) == LB_DEPLOYMENT_STEP_RUNNING)
    {
      update_elapsed (self);
      update_deadline (self);
    }
}

const char *
lb_deployment_step_row_get_state_text (LbDeploymentStepRow *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_STEP_ROW (self), NULL);

  return gtk_label_get_label (self->state_label);
}
