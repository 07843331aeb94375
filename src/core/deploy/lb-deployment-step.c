/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One step of a deployment or teardown: state, progress, elapsed time, a
 * one-line status, a log, and a warning or error for the UI and the CLI. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lb-deployment-step.h"

struct _LbDeploymentStep
{
  GObject                parent_instance;

  LbDeploymentStepKind   kind;
  char                  *title;
  LbDeploymentResource  *resource;
  LbDeploymentStepState  state;
  double                 fraction;
  gint64                 started_us;   /* 0 until it runs */
  gint64                 finished_us;  /* 0 while it runs */
  char                  *status;
  char                  *warning;
  char                  *error_message;
  GPtrArray             *log;
  gboolean               created_with_project;
  gint64                 deadline_us;  /* monotonic; 0: none */
  gboolean               extendable;   /* the user may move the deadline (long syncs) */
};

G_DEFINE_FINAL_TYPE (LbDeploymentStep, lb_deployment_step, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KIND,
  PROP_TITLE,
  PROP_RESOURCE,
  PROP_STATE,
  PROP_FRACTION,
  PROP_ELAPSED,
  PROP_STATUS,
  PROP_WARNING,
  PROP_ERROR_MESSAGE,
  PROP_CREATED_WITH_PROJECT,
  PROP_DEADLINE,
  PROP_EXTENDABLE,
  N_PROPS
};

enum {
  LOG_APPENDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

const char *
lb_deployment_step_state_to_string (LbDeploymentStepState state)
{
  switch (state)
    {
    case LB_DEPLOYMENT_STEP_PENDING: return "pending";
    case LB_DEPLOYMENT_STEP_RUNNING: return "running";
    case LB_DEPLOYMENT_STEP_DONE:    return "done";
    case LB_DEPLOYMENT_STEP_ADOPTED: return "adopted";
    case LB_DEPLOYMENT_STEP_FAILED:  return "failed";
    case LB_DEPLOYMENT_STEP_SKIPPED: return "skipped";
    default:                         g_return_val_if_reached (NULL);
    }
}

const char *
lb_deployment_step_state_get_label (LbDeploymentStepState state)
{
  switch (state)
    {
    case LB_DEPLOYMENT_STEP_PENDING: return _("Waiting");
    case LB_DEPLOYMENT_STEP_RUNNING: return _("Running");
    case LB_DEPLOYMENT_STEP_DONE:    return _("Done");
    case LB_DEPLOYMENT_STEP_ADOPTED: return _("Already there");
    case LB_DEPLOYMENT_STEP_FAILED:  return _("Failed");
    case LB_DEPLOYMENT_STEP_SKIPPED: return _("Skipped");
    default:                         g_return_val_if_reached (NULL);
    }
}

static void
lb_deployment_step_finalize (GObject *object)
{
  LbDeploymentStep *self = (LbDeploymentStep *) object;

  g_free (self->title);
  g_clear_object (&self->resource);
  g_free (self->status);
  g_free (self->warning);
  g_free (self->error_message);
  g_clear_pointer (&self->log, g_ptr_array_unref);

  G_OBJECT_CLASS (lb_deployment_step_parent_class)->finalize (object);
}

static void
lb_deployment_step_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  LbDeploymentStep *self = LB_DEPLOYMENT_STEP (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_uint (value, self->kind);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_RESOURCE:
      g_value_set_object (value, self->resource);
      break;
    case PROP_STATE:
      g_value_set_uint (value, self->state);
      break;
    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;
    case PROP_ELAPSED:
      g_value_set_double (value, lb_deployment_step_get_elapsed (self));
      break;
    case PROP_STATUS:
      g_value_set_string (value, self->status);
      break;
    case PROP_WARNING:
      g_value_set_string (value, self->warning);
      break;
    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;
    case PROP_DEADLINE:
      g_value_set_int64 (value, self->deadline_us);
      break;
    case PROP_EXTENDABLE:
      g_value_set_boolean (value, self->extendable);
      break;
    case PROP_CREATED_WITH_PROJECT:
      g_value_set_boolean (value, self->created_with_project);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_deployment_step_class_init (LbDeploymentStepClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lb_deployment_step_finalize;
  object_class->get_property = lb_deployment_step_get_property;

  properties[PROP_KIND] =
    g_param_spec_uint ("kind", NULL, NULL, 0, LB_DEPLOYMENT_STEP_KIND_CONNECT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RESOURCE] =
    g_param_spec_object ("resource", NULL, NULL, LB_TYPE_DEPLOYMENT_RESOURCE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_uint ("state", NULL, NULL, 0, LB_DEPLOYMENT_STEP_SKIPPED, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0, 1, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ELAPSED] =
    g_param_spec_double ("elapsed", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATUS] =
    g_param_spec_string ("status", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WARNING] =
    g_param_spec_string ("warning", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CREATED_WITH_PROJECT] =
    g_param_spec_boolean ("created-with-project", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEADLINE] =
    g_param_spec_int64 ("deadline", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_EXTENDABLE] =
    g_param_spec_boolean ("extendable", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[LOG_APPENDED] =
    g_signal_new ("log-appended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
lb_deployment_step_init (LbDeploymentStep *self)
{
  self->log = g_ptr_array_new_with_free_func (g_free);
}

LbDeploymentStepKind
lb_deployment_step_get_kind (LbDeploymentStep *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_STEP (self), 0);
  return self->kind;
}

const char *
lb_deployment_step_get_title (LbDeploymentStep *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_STEP (self), NULL);
  return self->title;
}

LbDeploymentResource *
lb_deployment_step_get_resource (LbDeploymentStep *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_STEP (self), NULL);
  return self->resource;
}

LbDeploymentStepState
lb_deployment_step_get_state (LbDeploymentStep *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_STEP (self), 0);
  return self->state;
}

double
lb_deployment_step_get_fraction (LbDeploymentStep *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_STEP (self), 0);
  return self->fraction;
}

double
lb_deployment_step_get_elapsed (LbDeploymentStep *self)
{
  gint64 end;

  g_return_val_if_fail (LB_IS_DEPLOYMENT_STEP (self), 0);

  if (self->started_us == 0)
    return 0;
  end = self->finished_us != 0 ? self->finished_us : g_get_monotonic_time ();
  return (end - self->started_us) / (double) G_USEC_PER_SEC;
}

const char *
lb_deployment_step_get_status (LbDeploymentStep *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_STEP (self), NULL);
  return self->status;
}

const char *
lb_deployment_step_get_warning (LbDeploymentStep *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_STEP (self), NULL);
  return self->warning;
}

const char *
lb_deployment_step_get_error_message (LbDeploymentStep *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_STEP (self), NULL);
  return self->error_message;
}

char **
lb_deployment_step_dup_log (LbDeploymentStep *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (LB_IS_DEPLOYMENT_STEP (self), NULL);

  for (guint i = 0; i < self->log->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->log, i));
  return g_strv_builder_end (builder);
}

gboolean
lb_deployment_step_is_finished (LbDeploymentStep *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_STEP (self), FALSE);

  /* A step skipped for a reason of its own (the warning says which) ran to
   * its end; one skipped because an earlier step failed did not. */
  return self->state == LB_DEPLOYMENT_STEP_DONE || self->state == LB_DEPLOYMENT_STEP_ADOPTED ||
         (self->state == LB_DEPLOYMENT_STEP_SKIPPED && self->warning != NULL);
}

gboolean
lb_deployment_step_get_created_with_project (LbDeploymentStep *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_STEP (self), FALSE);
  return self->created_with_project;
}

const char *
lb_deployment_step_get_state_label (LbDeploymentStep *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_STEP (self), NULL);

  if (self->state == LB_DEPLOYMENT_STEP_ADOPTED && self->created_with_project)
    /* Translators: a step's state, as short as "Already there" (its column is narrow);
     * it means "created by the project, not by this deploy" */
    return _("With project");
  return lb_deployment_step_state_get_label (self->state);
}

JsonNode *
lb_deployment_step_to_json (LbDeploymentStep *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  static const char * const kinds[] = { "identity", "resource", "connect" };

  g_return_val_if_fail (LB_IS_DEPLOYMENT_STEP (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, self->title);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kinds[self->kind]);
  if (self->resource != NULL)
    {
      json_builder_set_member_name (builder, "resource");
      json_builder_add_string_value (builder, lb_deployment_resource_get_api_name (self->resource));
    }
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, lb_deployment_step_state_to_string (self->state));
  json_builder_set_member_name (builder, "fraction");
  json_builder_add_double_value (builder, self->fraction);
  json_builder_set_member_name (builder, "elapsed");
  json_builder_add_double_value (builder, lb_deployment_step_get_elapsed (self));
  if (self->warning != NULL)
    {
      json_builder_set_member_name (builder, "warning");
      json_builder_add_string_value (builder, self->warning);
    }
  if (self->error_message != NULL)
    {
      json_builder_set_member_name (builder, "error");
      json_builder_add_string_value (builder, self->error_message);
    }
  if (self->created_with_project)
    {
      json_builder_set_member_name (builder, "created_with_project");
      json_builder_add_boolean_value (builder, TRUE);
    }
  json_builder_set_member_name (builder, "log");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->log->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (self->log, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* ---- Internal setters (runner) ---- */

LbDeploymentStep *
_lb_deployment_step_new (LbDeploymentStepKind  kind,
                         const char           *title,
                         LbDeploymentResource *resource)
{
  LbDeploymentStep *self = g_object_new (LB_TYPE_DEPLOYMENT_STEP, NULL);

  self->kind = kind;
  self->title = g_strdup (title);
  self->resource = resource != NULL ? g_object_ref (resource) : NULL;
  return self;
}

/* Back to pending for another run; the log of earlier runs is kept, so a
 * resumed deployment shows what happened before. */
void
_lb_deployment_step_reset (LbDeploymentStep *self)
{
  g_object_freeze_notify (G_OBJECT (self));
  _lb_deployment_step_set_state (self, LB_DEPLOYMENT_STEP_PENDING);
  _lb_deployment_step_set_fraction (self, 0);
  _lb_deployment_step_set_status (self, NULL);
  _lb_deployment_step_set_warning (self, NULL);
  _lb_deployment_step_set_error_message (self, NULL);
  _lb_deployment_step_set_created_with_project (self, FALSE);
  _lb_deployment_step_set_deadline (self, 0, FALSE);
  self->started_us = 0;
  self->finished_us = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ELAPSED]);
  g_object_thaw_notify (G_OBJECT (self));
}

void
_lb_deployment_step_set_state (LbDeploymentStep      *self,
                               LbDeploymentStepState  state)
{
  g_return_if_fail (LB_IS_DEPLOYMENT_STEP (self));

  if (self->state == state)
    return;

  self->state = state;
  if (state == LB_DEPLOYMENT_STEP_RUNNING)
    {
      self->started_us = g_get_monotonic_time ();
      self->finished_us = 0;
    }
  else if (state != LB_DEPLOYMENT_STEP_PENDING && self->started_us != 0)
    self->finished_us = g_get_monotonic_time ();

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ELAPSED]);
}

void
_lb_deployment_step_set_fraction (LbDeploymentStep *self,
                                  double            fraction)
{
  g_return_if_fail (LB_IS_DEPLOYMENT_STEP (self));

  fraction = CLAMP (fraction, 0.0, 1.0);
  if (self->fraction == fraction)
    return;
  self->fraction = fraction;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
}

static void
set_string (LbDeploymentStep  *self,
            char             **field,
            const char        *value,
            guint              prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

void
_lb_deployment_step_set_status (LbDeploymentStep *self,
                                const char       *status)
{
  g_return_if_fail (LB_IS_DEPLOYMENT_STEP (self));
  set_string (self, &self->status, status, PROP_STATUS);
}

void
_lb_deployment_step_set_warning (LbDeploymentStep *self,
                                 const char       *warning)
{
  g_return_if_fail (LB_IS_DEPLOYMENT_STEP (self));
  set_string (self, &self->warning, warning, PROP_WARNING);
}

void
_lb_deployment_step_set_error_message (LbDeploymentStep *self,
                                       const char       *message)
{
  g_return_if_fail (LB_IS_DEPLOYMENT_STEP (self));
  set_string (self, &self->error_message, message, PROP_ERROR_MESSAGE);
}

void
_lb_deployment_step_set_created_with_project (LbDeploymentStep *self,
                                              gboolean          created_with_project)
{
  g_return_if_fail (LB_IS_DEPLOYMENT_STEP (self));

  created_with_project = !!created_with_project;
  if (self->created_with_project == created_with_project)
    return;
  self->created_with_project = created_with_project;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CREATED_WITH_PROJECT]);
}

void
_lb_deployment_step_log (LbDeploymentStep *self,
                         const char       *format,
                         ...)
{
  g_autofree char *text = NULL;
  char *line;
  va_list args;

  g_return_if_fail (LB_IS_DEPLOYMENT_STEP (self));

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  line = g_strdup_printf ("[%.1f s] %s", lb_deployment_step_get_elapsed (self), text);
  g_ptr_array_add (self->log, line);
  g_debug ("%s: %s", self->title, line);
  g_signal_emit (self, signals[LOG_APPENDED], 0, line);
}

char *
lb_deployment_step_format_duration (double seconds)
{
  guint total = (guint) MAX (seconds + 0.5, 0);

  if (total < 90)
    /* Translators: a duration in seconds */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u second", "%u seconds", total), total);
  if (total < 2 * 3600)
    /* Translators: a duration in minutes */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u minute", "%u minutes", (total + 30) / 60),
                            (total + 30) / 60);
  /* Translators: a duration in hours and minutes */
  return g_strdup_printf (_("%u h %02u min"), total / 3600, (total % 3600) / 60);
}

gint64
lb_deployment_step_get_deadline (LbDeploymentStep *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_STEP (self), 0);
  return self->deadline_us;
}

double
lb_deployment_step_get_remaining (LbDeploymentStep *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_STEP (self), -1);

  if (self->deadline_us == 0 || self->state != LB_DEPLOYMENT_STEP_RUNNING)
    return -1;
  return MAX (0, (self->deadline_us - g_get_monotonic_time ()) / (double) G_USEC_PER_SEC);
}

gboolean
lb_deployment_step_get_extendable (LbDeploymentStep *self)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_STEP (self), FALSE);
  return self->extendable;
}

gboolean
lb_deployment_step_extend_deadline (LbDeploymentStep *self,
                                    guint             seconds)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_STEP (self), FALSE);

  if (!self->extendable || self->deadline_us == 0 || self->state != LB_DEPLOYMENT_STEP_RUNNING)
    return FALSE;
  /* From now if it already passed (the runner notices at its next poll). */
  self->deadline_us = MAX (self->deadline_us, g_get_monotonic_time ()) + (gint64) seconds * G_USEC_PER_SEC;
  _lb_deployment_step_log (self, _("Deadline extended by %u min"), seconds / 60);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEADLINE]);
  return TRUE;
}

void
_lb_deployment_step_set_deadline (LbDeploymentStep *self,
                                  gint64            deadline_us,
                                  gboolean          extendable)
{
  g_return_if_fail (LB_IS_DEPLOYMENT_STEP (self));

  extendable = !!extendable;
  if (self->extendable != extendable)
    {
      self->extendable = extendable;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXTENDABLE]);
    }
  if (self->deadline_us != deadline_us)
    {
      self->deadline_us = deadline_us;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEADLINE]);
    }
}
