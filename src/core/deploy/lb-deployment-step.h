/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One step of a deploy or teardown, as the runner reports it: the Deploy
 * view's rows (LbDeploymentStepRow) and the CLI's progress lines only follow
 * its properties and log. */
#pragma once

#include <gio/gio.h>

#include "lb-deployment-plan.h"

G_BEGIN_DECLS

typedef enum
{
  LB_DEPLOYMENT_STEP_PENDING,
  LB_DEPLOYMENT_STEP_RUNNING,
  LB_DEPLOYMENT_STEP_DONE,      /* created (or deleted, for teardown) */
  LB_DEPLOYMENT_STEP_ADOPTED,   /* it already existed: used as it is */
  LB_DEPLOYMENT_STEP_FAILED,
  LB_DEPLOYMENT_STEP_SKIPPED,   /* not run: an earlier step failed, or nothing to delete */
} LbDeploymentStepState;

/* "pending", "running", "done", "adopted", "failed", "skipped" */
const char *lb_deployment_step_state_to_string (LbDeploymentStepState state);
/* Translated: "Waiting", "Running", "Done", "Already there", … */
const char *lb_deployment_step_state_get_label (LbDeploymentStepState state);

typedef enum
{
  LB_DEPLOYMENT_STEP_KIND_IDENTITY,   /* SCIM Me */
  LB_DEPLOYMENT_STEP_KIND_RESOURCE,   /* create-or-adopt (or delete) one plan resource */
  LB_DEPLOYMENT_STEP_KIND_CONNECT,    /* credential + libpq + partition sizes */
} LbDeploymentStepKind;

#define LB_TYPE_DEPLOYMENT_STEP (lb_deployment_step_get_type ())

/* One step of a deployment, updated by LbDeploymentRunner on the thread
 * that runs it (the main thread in the app).
 * Properties (all read-only, EXPLICIT_NOTIFY): "kind", "title", "resource"
 * (LbDeploymentResource or NULL), "state" (LbDeploymentStepState as uint),
 * "fraction" (0..1), "elapsed" (seconds, double; notified on state changes
 * only: read it on a timer while running), "status" (one-line live text),
 * "warning" (string or NULL), "error-message" (string or NULL),
 * "created-with-project" (bool: adopted, but it came with the project this
 * very run created, like an autoscaling project's branch and endpoint).
 * "deadline" (int64, g_get_monotonic_time() µs by which the step gives up;
 * 0: none), "extendable" (bool: the user may move it, a synced table's
 * initial sync that can take hours).
 * Signal "log-appended" (const char *line) for each new log line. */
G_DECLARE_FINAL_TYPE (LbDeploymentStep, lb_deployment_step, LB, DEPLOYMENT_STEP, GObject)

LbDeploymentStepKind   lb_deployment_step_get_kind          (LbDeploymentStep *self);
const char            *lb_deployment_step_get_title         (LbDeploymentStep *self);
LbDeploymentResource  *lb_deployment_step_get_resource      (LbDeploymentStep *self);
LbDeploymentStepState  lb_deployment_step_get_state         (LbDeploymentStep *self);
double                 lb_deployment_step_get_fraction      (LbDeploymentStep *self);
double                 lb_deployment_step_get_elapsed       (LbDeploymentStep *self);
const char            *lb_deployment_step_get_status        (LbDeploymentStep *self);
const char            *lb_deployment_step_get_warning       (LbDeploymentStep *self);
const char            *lb_deployment_step_get_error_message (LbDeploymentStep *self);
/* The log lines so far (timestamped "[12.3 s] text"); free with g_strfreev(). */
char                 **lb_deployment_step_dup_log           (LbDeploymentStep *self);
/* TRUE for done, adopted and skipped-after-success states (skipped with a
 * warning that says why, like a test connection that could not be made). */
gboolean               lb_deployment_step_is_finished       (LbDeploymentStep *self);
gboolean               lb_deployment_step_get_created_with_project (LbDeploymentStep *self);
/* Translated state label of this step: the state's, or "With project" for
 * an adopted step that came with a project this run created. */
const char            *lb_deployment_step_get_state_label   (LbDeploymentStep *self);

/* Translated: "45 seconds", "12 minutes", "3 h 05 min". */
char                  *lb_deployment_step_format_duration   (double            seconds);
gint64                 lb_deployment_step_get_deadline      (LbDeploymentStep *self);
/* Seconds until the deadline of a running step (0 when passed); -1: none. */
double                 lb_deployment_step_get_remaining     (LbDeploymentStep *self);
gboolean               lb_deployment_step_get_extendable    (LbDeploymentStep *self);
/* Moves the deadline of a running, extendable step @seconds later (from now
 * if it passed); FALSE when the step has none to move. */
gboolean               lb_deployment_step_extend_deadline   (LbDeploymentStep *self,
                                                             guint             seconds);

/* {"title", "kind", "resource", "state", "fraction", "elapsed", "warning",
 *  "error", "created_with_project" (only when TRUE), "log": [...]} */
JsonNode              *lb_deployment_step_to_json           (LbDeploymentStep *self);

/* Internal: for the runner. */
LbDeploymentStep      *_lb_deployment_step_new              (LbDeploymentStepKind   kind,
                                                             const char            *title,
                                                             LbDeploymentResource  *resource);
void                   _lb_deployment_step_reset            (LbDeploymentStep      *self);
void                   _lb_deployment_step_set_state        (LbDeploymentStep      *self,
                                                             LbDeploymentStepState  state);
void                   _lb_deployment_step_set_fraction     (LbDeploymentStep      *self,
                                                             double                 fraction);
void                   _lb_deployment_step_set_status       (LbDeploymentStep      *self,
                                                             const char            *status);
void                   _lb_deployment_step_set_warning      (LbDeploymentStep      *self,
                                                             const char            *warning);
void                   _lb_deployment_step_set_error_message (LbDeploymentStep     *self,
                                                             const char            *message);
void                   _lb_deployment_step_set_created_with_project (LbDeploymentStep *self,
                                                                     gboolean          created_with_project);
void                   _lb_deployment_step_set_deadline     (LbDeploymentStep      *self,
                                                             gint64                 deadline_us,
                                                             gboolean               extendable);
void                   _lb_deployment_step_log              (LbDeploymentStep      *self,
                                                             const char            *format,
                                                             ...) G_GNUC_PRINTF (2, 3);

G_END_DECLS
