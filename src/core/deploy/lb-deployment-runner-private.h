/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the parts of LbDeploymentRunner share: the instance, a run (the task
 * data) and a step being run (Job). lb-deployment-runner.c holds the GObject
 * and the scheduler; -resources.c the per-resource REST calls of each flavour,
 * -connect.c the connect-and-measure step and the tester's connection info,
 * -teardown.c the deletes and the look for what exists, -report.c the JSON
 * and the summary. Only these files include it. */
#pragma once

#include "lb-deployment-runner.h"

G_BEGIN_DECLS

struct _LbDeploymentRunner
{
  GObject             parent_instance;

  LbDeploymentPlan   *plan;
  LbDatabricksClient *client;
  GListStore         *steps;
  GListStore         *teardown_steps;

  double              fraction;
  gboolean            running;
  char               *user_name;
  char               *workspace_host;
  char               *pg_host;
  JsonNode           *partitions;

  guint               poll_base_ms;
  guint               poll_max_ms;
  guint               wait_timeout_s;
  guint               sync_timeout_s;
  gboolean            purge;
  guint               pg_port;
  guint               connect_timeout_s;
  guint               poll_count;

  gint64              started_us;    /* the last deploy's start and end, 0: none */
  gint64              finished_us;
};

enum {
  PROP_0,
  PROP_PLAN,
  PROP_CLIENT,
  PROP_STEPS,
  PROP_FRACTION,
  PROP_RUNNING,
  PROP_USER_NAME,
  PROP_WORKSPACE_HOST,
  PROP_PG_HOST,
  PROP_POLL_BASE_MS,
  PROP_POLL_MAX_MS,
  PROP_WAIT_TIMEOUT_S,
  PROP_PG_PORT,
  PROP_CONNECT_TIMEOUT_S,
  PROP_SYNC_TIMEOUT_S,
  PROP_PURGE,
  N_PROPS
};

/* The state of one run (deploy, teardown), the task data. Steps run one
 * after another, except consecutive synced-table steps, which run side by
 * side (at most MAX_TABLES_IN_FLIGHT). */
typedef struct
{
  GListModel *steps;
  gboolean    teardown;
  guint       next;             /* the next step to start */
  guint       in_flight;        /* steps running now */
  gboolean    group_parallel;   /* the steps running now are synced tables */
  gboolean    project_created;  /* this run created the autoscaling project */
  GError     *error;            /* the first failure; later steps are skipped */
} Run;

/* One step being run; every async call holds a reference. */
typedef struct
{
  GTask                *task;       /* the run's task (owned) */
  LbDeploymentStep     *step;       /* owned */
  LbDeploymentResource *resource;   /* borrowed from the step */
  guint                 attempt;    /* polls so far in this step: drives the backoff */
  guint                 errors;     /* transient errors in this step */
  gboolean              probed;     /* the first GET of the step has answered */
  gboolean              created;    /* this run created the resource */
  gboolean              ended;
  guint                 refusals;   /* creates answered ABORTED / "exists" with nothing there */
  char                 *refusal;    /* the last such answer's error_code */
  char                 *operation;  /* autoscaling operation being followed */
  GSource              *sleep;
  GSource              *sleep_cancel;
} Job;

/* What a step does next, after a sleep or a poll. */
typedef void (*Continuation) (Job *job);

/* Takes a reference on @job; every async call of a step holds one. */
Job                *_lb_runner_job_ref          (Job *job);
void                _lb_runner_job_unref        (Job *job);

/* The runner, the run and the cancellable of the task @job belongs to. */
LbDeploymentRunner *_lb_runner_job_runner       (Job *job);
Run                *_lb_runner_job_run          (Job *job);
GCancellable       *_lb_runner_job_cancellable  (Job *job);

/* A string down a NULL-terminated path of members, or NULL. */
const char         *_lb_runner_json_string_at   (JsonNode *node,
                                                 const char *first,
                                                 ...);

/* The first value the JSONPath @path finds in @node, as a number; -1 when none. */
double              _lb_runner_json_double_at   (JsonNode *node,
                                                 const char *path);

/* Member @name of an object as a boolean; FALSE when absent. */
gboolean            _lb_runner_json_bool_member (JsonNode *node,
                                                 const char *name);

/* Replaces *@field with @value and notifies property @prop on a change. */
void                _lb_runner_set_string_prop  (LbDeploymentRunner *self,
                                                 char **field,
                                                 const char *value,
                                                 guint prop);

/* Calls @next after the backoff for the step's next poll (ends early on cancel). */
void                _lb_runner_poll_later       (Job *job,
                                                 Continuation next);

/* Ends the step (once) and lets the schedule start the next ones. */
void                _lb_runner_job_end          (Job *job,
                                                 GError *error);

/* The step failed with @error (taken): it says so and the run stops. */
void                _lb_runner_fail_step        (Job *job,
                                                 GError *error);

/* The step ended in @state, @status shown and logged; the schedule goes on. */
void                _lb_runner_finish_step      (Job *job,
                                                 LbDeploymentStepState state,
                                                 const char *status);

/* The step could not do its work for a reason of its own (@reason, shown as
 * a warning), which does not undo the earlier steps: skipped, with @status. */
void                _lb_runner_skip_step        (Job *job,
                                                 const char *reason,
                                                 const char *status);

/* A transient @error is retried through @next after a backoff, up to a limit; any other fails the step. */
void                _lb_runner_retry_or_fail    (Job *job,
                                                 GError *error,
                                                 Continuation next);

/* The failure an operation that is done reports (its error member), or NULL. */
GError             *_lb_runner_operation_error  (Job      *job,
                                                 JsonNode *op);

/* Step walks (-resources.c): who signs in; a resource's GET, create, operation polls. */
void                _lb_runner_identity_start   (Job *job);
void                _lb_runner_operation_poll   (Job *job);
void                _lb_runner_resource_probe   (Job *job);

/* The last deploy step (-connect.c): a credential, then a libpq connection that measures the partitions. */
void                _lb_runner_connect_start    (Job *job);

/* A teardown step (-teardown.c): DELETE, then poll until the resource is gone. */
void                _lb_runner_teardown_delete  (Job *job);
/* The status of a finished delete ("Deleted", or restorable for a soft-deleted project). */
const char         *_lb_runner_deleted_status   (Job *job);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, _lb_runner_job_unref)

G_END_DECLS
