/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Deploy page's "Progress" (or "Teardown") group: the summary line, the
 * overall bar and a row per step of the runner it is bound to, updated every
 * second while something runs, and kept in view until the user scrolls.
 * Shows state only; the page runs the deployment. */
#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "lb-deploy-progress-group.h"
#include "lb-deployment-step-row.h"

struct _LbDeployProgressGroup
{
  GtkWidget           parent_instance;

  /* Template Widgets */
  AdwPreferencesGroup *group;
  GtkLabel            *overall_label;
  GtkProgressBar      *overall_bar;
  GtkListBox          *steps_list;

  /* Owned References */
  LbDeploymentRunner  *runner;

  GtkWidget           *scroller;          /* unowned: an ancestor, given a scroll controller */
  gint64               started_us;        /* monotonic, when the shown run started; 0: none */
  guint                tick_source;
  guint                follow_tick_id;
  gboolean             teardown;          /* the teardown steps are shown */
  gboolean             follow_progress;   /* keep the progress in view until the user scrolls */
};

G_DEFINE_FINAL_TYPE (LbDeployProgressGroup, lb_deploy_progress_group, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_RUNNER,
  PROP_TEARDOWN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_overall (LbDeployProgressGroup *self)
{
  GListModel *steps = lb_deploy_progress_group_get_steps (self);
  guint n_steps, n_finished = 0, n_running = 0;
  LbDeploymentStep *current = NULL;
  LbDeploymentStep *failed = NULL;
  g_autofree char *text = NULL;
  gboolean running;
  guint seconds;

  if (steps == NULL)
    return;

  running = lb_deployment_runner_get_running (self->runner);
  n_steps = g_list_model_get_n_items (steps);
  for (guint i = 0; i < n_steps; i++)
    {
      g_autoptr(LbDeploymentStep) step = g_list_model_get_item (steps, i);

      switch (lb_deployment_step_get_state (step))
        {
        case LB_DEPLOYMENT_STEP_RUNNING:
          if (current == NULL)
            current = step;
          n_running++;
          break;
        case LB_DEPLOYMENT_STEP_DONE:
        case LB_DEPLOYMENT_STEP_ADOPTED:
          n_finished++;
          break;
        case LB_DEPLOYMENT_STEP_FAILED:
          if (failed == NULL)
            failed = step;
          break;
        case LB_DEPLOYMENT_STEP_SKIPPED:
          n_finished++;
          break;
        case LB_DEPLOYMENT_STEP_PENDING:
        default:
          break;
        }
    }

  seconds = self->started_us > 0 ? (guint) ((g_get_monotonic_time () - self->started_us) / G_USEC_PER_SEC) : 0;

  if (running && n_running > 1)
    /* Translators: synced tables run side by side: "Step 5 of 10 · 4 synced tables at once · 42 s so far" */
    text = g_strdup_printf (_("Step %u of %u · %u synced tables at once · %u s so far"),
                            MIN (n_finished + 1, n_steps), n_steps, n_running, seconds);
  else if (running && current != NULL)
    /* Translators: "Step 3 of 7 · Database instance retail-serving · 42 s so far" */
    text = g_strdup_printf (_("Step %u of %u · %s · %u s so far"), MIN (n_finished + 1, n_steps), n_steps,
                            lb_deployment_step_get_title (current), seconds);
  else if (running)
    text = g_strdup (self->teardown ? _("Tearing down…") : _("Deploying…"));
  else if (!self->teardown && (text = lb_deployment_runner_dup_summary (self->runner)) != NULL)
    ;   /* the runner's own account: created, created with the project, already there */
  else if (failed != NULL)
    text = g_strdup_printf (_("Stopped at “%s”"), lb_deployment_step_get_title (failed));
  else if (n_finished == n_steps && self->teardown)
    text = g_strdup_printf (_("Torn down in %u s"), seconds);
  else
    text = g_strdup (_("Not started"));

  gtk_label_set_label (self->overall_label, text);
  gtk_progress_bar_set_fraction (self->overall_bar,
                                 self->teardown ? (n_steps > 0 ? (double) n_finished / n_steps : 1.0)
                                                        : lb_deployment_runner_get_fraction (self->runner));
}

static gboolean
tick_cb (gpointer user_data)
{
  LbDeployProgressGroup *self = user_data;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->steps_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (LB_IS_DEPLOYMENT_STEP_ROW (child))
      lb_deployment_step_row_tick (LB_DEPLOYMENT_STEP_ROW (child));
  update_overall (self);

  return G_SOURCE_CONTINUE;
}

static void
runner_running_cb (LbDeployProgressGroup *self)
{
  /* The elapsed times need a timer only while something runs. */
  if (lb_deployment_runner_get_running (self->runner))
    {
      if (self->tick_source == 0)
        self->tick_source = g_timeout_add_seconds (1, tick_cb, self);
    }
  else
    {
      g_clear_handle_id (&self->tick_source, g_source_remove);
    }

  update_overall (self);
}

static GtkWidget *
create_step_row_cb (gpointer item,
                    gpointer user_data)
{
  return lb_deployment_step_row_new (LB_DEPLOYMENT_STEP (item));
}

static void
connect_steps (LbDeployProgressGroup *self,
               GListModel            *steps)
{
  for (guint i = 0; i < g_list_model_get_n_items (steps); i++)
    {
      g_autoptr(LbDeploymentStep) step = g_list_model_get_item (steps, i);

      g_signal_connect_object (step, "notify::state", G_CALLBACK (update_overall), self, G_CONNECT_SWAPPED);
    }
}

/* The progress sits below the plan: bring its top into view, and keep it
 * there while rows above it change height (the identity, the sizes), until
 * the user scrolls or the run has ended and the layout has settled. The
 * adjustment only grows once the new rows are allocated, so this runs on
 * every frame instead of once. */
static gboolean
follow_progress_cb (GtkWidget     *widget,
                    GdkFrameClock *frame_clock,
                    gpointer       user_data)
{
  LbDeployProgressGroup *self = user_data;
  GtkScrolledWindow *scroller = GTK_SCROLLED_WINDOW (self->scroller);   /* set before the tick is added */
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (scroller);
  GtkWidget *content = gtk_scrolled_window_get_child (scroller);
  gboolean running = self->runner != NULL && lb_deployment_runner_get_running (self->runner);
  graphene_point_t point;
  double target;

  /* The clamp sits in a viewport that moves it by the scroll offset:
   * positions in the clamp are what the adjustment counts in. (Measuring
   * against the viewport gave screen positions, which scrolled away.) */
  if (GTK_IS_VIEWPORT (content))
    content = gtk_viewport_get_child (GTK_VIEWPORT (content));

  if (!self->follow_progress)
    {
      self->follow_tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  if (gtk_widget_get_height (widget) <= 0 ||
      !gtk_widget_compute_point (widget, content, &GRAPHENE_POINT_INIT (0, 0), &point))
    return G_SOURCE_CONTINUE;

  target = MIN (point.y - 12, gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment));
  target = MAX (target, gtk_adjustment_get_lower (adjustment));
  if (fabs (gtk_adjustment_get_value (adjustment) - target) >= 1)
    gtk_adjustment_set_value (adjustment, target);
  else if (!running)
    {
      self->follow_progress = FALSE;
      self->follow_tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* A wheel or touchpad scroll is the user taking over. */
static gboolean
user_scrolled_cb (GtkEventControllerScroll *controller,
                  double                    dx,
                  double                    dy,
                  gpointer                  user_data)
{
  LbDeployProgressGroup *self = user_data;

  self->follow_progress = FALSE;
  return FALSE;
}

static void
follow_progress (LbDeployProgressGroup *self)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_SCROLLED_WINDOW);

  if (scroller == NULL)
    return;

  /* Once per scroller: a scroll there is the user taking over. */
  if (scroller != self->scroller)
    {
      GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);

      gtk_event_controller_set_propagation_phase (scroll, GTK_PHASE_CAPTURE);
      g_signal_connect_object (scroll, "scroll", G_CALLBACK (user_scrolled_cb), self, 0);
      gtk_widget_add_controller (scroller, scroll);
      self->scroller = scroller;
    }

  self->follow_progress = TRUE;
  if (self->follow_tick_id == 0)
    self->follow_tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), follow_progress_cb, self, NULL);
}

static void
stop_following (LbDeployProgressGroup *self)
{
  self->follow_progress = FALSE;
  if (self->follow_tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->follow_tick_id);
  self->follow_tick_id = 0;
}

static void
lb_deploy_progress_group_dispose (GObject *object)
{
  LbDeployProgressGroup *self = LB_DEPLOY_PROGRESS_GROUP (object);

  g_clear_handle_id (&self->tick_source, g_source_remove);
  stop_following (self);
  if (self->runner != NULL)
    g_signal_handlers_disconnect_by_data (self->runner, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_DEPLOY_PROGRESS_GROUP);
  g_clear_object (&self->runner);

  G_OBJECT_CLASS (lb_deploy_progress_group_parent_class)->dispose (object);
}

static void
lb_deploy_progress_group_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  LbDeployProgressGroup *self = LB_DEPLOY_PROGRESS_GROUP (object);

  switch (prop_id)
    {
    case PROP_RUNNER:
      g_value_set_object (value, self->runner);
      break;
    case PROP_TEARDOWN:
      g_value_set_boolean (value, self->teardown);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_deploy_progress_group_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  LbDeployProgressGroup *self = LB_DEPLOY_PROGRESS_GROUP (object);

  switch (prop_id)
    {
    case PROP_RUNNER:
      lb_deploy_progress_group_set_runner (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_deploy_progress_group_class_init (LbDeployProgressGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_deploy_progress_group_dispose;
  object_class->get_property = lb_deploy_progress_group_get_property;
  object_class->set_property = lb_deploy_progress_group_set_property;

  properties[PROP_RUNNER] =
    g_param_spec_object ("runner", NULL, NULL,
                         LB_TYPE_DEPLOYMENT_RUNNER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TEARDOWN] =
    g_param_spec_boolean ("teardown", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (LB_TYPE_DEPLOYMENT_STEP_ROW);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, APP_RESOURCE_PATH "/ui/lb-deploy-progress-group.ui");
  gtk_widget_class_bind_template_child (widget_class, LbDeployProgressGroup, group);
  gtk_widget_class_bind_template_child (widget_class, LbDeployProgressGroup, overall_label);
  gtk_widget_class_bind_template_child (widget_class, LbDeployProgressGroup, overall_bar);
  gtk_widget_class_bind_template_child (widget_class, LbDeployProgressGroup, steps_list);
}

static void
lb_deploy_progress_group_init (LbDeployProgressGroup *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

LbDeploymentRunner *
lb_deploy_progress_group_get_runner (LbDeployProgressGroup *self)
{
  g_return_val_if_fail (LB_IS_DEPLOY_PROGRESS_GROUP (self), NULL);

  return self->runner;
}

void
lb_deploy_progress_group_set_runner (LbDeployProgressGroup *self,
                                     LbDeploymentRunner    *runner)
{
  g_return_if_fail (LB_IS_DEPLOY_PROGRESS_GROUP (self));
  g_return_if_fail (runner == NULL || LB_IS_DEPLOYMENT_RUNNER (runner));

  if (self->runner == runner)
    return;

  /* Another runner: the old progress goes until a run is shown. */
  if (self->runner != NULL)
    g_signal_handlers_disconnect_by_data (self->runner, self);
  gtk_list_box_bind_model (self->steps_list, NULL, NULL, NULL, NULL);
  g_clear_handle_id (&self->tick_source, g_source_remove);
  stop_following (self);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  if (self->teardown)
    {
      self->teardown = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEARDOWN]);
    }

  g_set_object (&self->runner, runner);
  if (runner != NULL)
    {
      g_signal_connect_object (runner, "notify::running", G_CALLBACK (runner_running_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (runner, "notify::fraction", G_CALLBACK (update_overall), self, G_CONNECT_SWAPPED);
      connect_steps (self, lb_deployment_runner_get_steps (runner));
      connect_steps (self, lb_deployment_runner_get_teardown_steps (runner));
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNER]);
}

gboolean
lb_deploy_progress_group_get_teardown (LbDeployProgressGroup *self)
{
  g_return_val_if_fail (LB_IS_DEPLOY_PROGRESS_GROUP (self), FALSE);

  return self->teardown;
}

GListModel *
lb_deploy_progress_group_get_steps (LbDeployProgressGroup *self)
{
  g_return_val_if_fail (LB_IS_DEPLOY_PROGRESS_GROUP (self), NULL);

  if (self->runner == NULL)
    return NULL;

  return self->teardown ? lb_deployment_runner_get_teardown_steps (self->runner)
                        : lb_deployment_runner_get_steps (self->runner);
}

void
lb_deploy_progress_group_show (LbDeployProgressGroup *self,
                               gboolean               teardown)
{
  g_return_if_fail (LB_IS_DEPLOY_PROGRESS_GROUP (self));
  g_return_if_fail (self->runner != NULL);

  if (self->teardown != !!teardown)
    {
      self->teardown = !!teardown;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEARDOWN]);
    }
  gtk_list_box_bind_model (self->steps_list, lb_deploy_progress_group_get_steps (self), create_step_row_cb, NULL, NULL);
  adw_preferences_group_set_title (self->group, teardown ? _("Teardown") : _("Progress"));
  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
  follow_progress (self);
  self->started_us = g_get_monotonic_time ();
}

void
lb_deploy_progress_group_update (LbDeployProgressGroup *self)
{
  g_return_if_fail (LB_IS_DEPLOY_PROGRESS_GROUP (self));

  update_overall (self);
}

GtkWidget *
lb_deploy_progress_group_get_step_row (LbDeployProgressGroup *self,
                                       guint                  index)
{
  GtkListBoxRow *row;

  g_return_val_if_fail (LB_IS_DEPLOY_PROGRESS_GROUP (self), NULL);

  row = gtk_list_box_get_row_at_index (self->steps_list, (int) index);
  return LB_IS_DEPLOYMENT_STEP_ROW (row) ? GTK_WIDGET (row) : NULL;
}
