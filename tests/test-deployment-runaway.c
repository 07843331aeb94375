/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Deployments that cannot run away, against the fake workspace: creates
 * answered ABORTED (forever, or a few times), operations that finish with
 * an error (create and delete), states a resource will not leave by itself,
 * synced tables' progress and their extendable deadline, the soft delete of
 * a project against its purge, and the default retention window. */
#include "config.h"

#include "lb-core.h"
#include "lb-deployment.h"
#include "lb-fake-workspace.h"
#include "lb-test-utils.h"

/* ---- Helpers ---- */

static LbDeploymentPlan *
plan_for (LbWorkload *workload)
{
  g_autoptr(GError) error = NULL;
  LbDeploymentPlan *plan = lb_deployment_plan_new (workload, NULL, &error);

  g_assert_no_error (error);
  return plan;
}

static LbDeploymentPlan *
sample_plan (LbFlavour flavour)
{
  g_autoptr(LbWorkload) workload = lb_test_sample_workload (flavour);

  return plan_for (workload);
}

static LbDeploymentRunner *
new_runner (LbFakeWorkspace  *fake,
            LbDeploymentPlan *plan)
{
  g_autoptr(LbDatabricksAuth) auth = lb_databricks_auth_new_for_token (lb_fake_workspace_get_url (fake),
                                                                       lb_fake_workspace_get_token (fake));
  g_autoptr(LbDatabricksClient) client = NULL;
  g_autoptr(GError) error = NULL;
  LbDeploymentRunner *runner;

  client = lb_databricks_client_new (auth, &error);
  g_assert_no_error (error);
  g_object_set (client, "retry-base-ms", 10, "retry-budget-ms", 10000, NULL);

  /* Real deadlines (20 min, 4 h) would hide a loop: the tests give short
   * ones and check the run ends well inside them. */
  runner = lb_deployment_runner_new (plan, client);
  g_object_set (runner, "poll-base-ms", 10, "poll-max-ms", 40, "connect-timeout-s", 2, "wait-timeout-s", 30, NULL);
  return runner;
}

static gboolean
deploy (LbDeploymentRunner  *runner,
        GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lb_deployment_runner_run_async (runner, NULL, lb_test_async_result_cb, &result);
  return lb_deployment_runner_run_finish (runner, lb_test_wait_for_result (&result), error);
}

static gboolean
teardown (LbDeploymentRunner  *runner,
          GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lb_deployment_runner_teardown_async (runner, NULL, lb_test_async_result_cb, &result);
  return lb_deployment_runner_teardown_finish (runner, lb_test_wait_for_result (&result), error);
}

/* The deploy step of the first resource of @kind (steps: identity, resources…, connect). */
static LbDeploymentStep *
step_of_kind (LbDeploymentRunner       *runner,
              LbDeploymentResourceKind  kind)
{
  GListModel *steps = lb_deployment_runner_get_steps (runner);

  for (guint i = 0; i < g_list_model_get_n_items (steps); i++)
    {
      g_autoptr(LbDeploymentStep) step = g_list_model_get_item (steps, i);
      LbDeploymentResource *resource = lb_deployment_step_get_resource (step);

      if (resource != NULL && lb_deployment_resource_get_kind (resource) == kind)
        return step;   /* the model keeps it */
    }
  g_assert_not_reached ();
}

static const char *
path_of_kind (LbDeploymentRunner       *runner,
              LbDeploymentResourceKind  kind)
{
  return lb_deployment_resource_get_path (lb_deployment_step_get_resource (step_of_kind (runner, kind)));
}

static gboolean
log_has (LbFakeWorkspace *fake,
         const char      *line)
{
  g_auto(GStrv) log = lb_fake_workspace_dup_log (fake);

  return g_strv_contains ((const char * const *) log, line);
}

/* No secret the fake handed out in @text. */
static void
assert_no_secret (LbFakeWorkspace *fake,
                  const char      *text)
{
  g_auto(GStrv) secrets = lb_fake_workspace_dup_secrets (fake);

  for (guint i = 0; secrets[i] != NULL; i++)
    g_assert_null (strstr (text, secrets[i]));
}

static void
assert_steps_clean (LbFakeWorkspace *fake,
                    GListModel      *steps)
{
  for (guint i = 0; i < g_list_model_get_n_items (steps); i++)
    {
      g_autoptr(LbDeploymentStep) step = g_list_model_get_item (steps, i);
      g_auto(GStrv) log = lb_deployment_step_dup_log (step);
      g_autofree char *joined = g_strjoinv ("\n", log);

      assert_no_secret (fake, joined);
      if (lb_deployment_step_get_error_message (step) != NULL)
        assert_no_secret (fake, lb_deployment_step_get_error_message (step));
      if (lb_deployment_step_get_status (step) != NULL)
        assert_no_secret (fake, lb_deployment_step_get_status (step));
    }
}

static double
seconds_since (gint64 start_us)
{
  return (g_get_monotonic_time () - start_us) / (double) G_USEC_PER_SEC;
}

/* ---- ABORTED ---- */

/* A workspace that answers every create with 409 ABORTED while the GET
 * finds nothing: the step ends with a clear error, after a bounded number
 * of requests spaced by the backoff (it used to loop at ~370 requests/s). */
static void
test_aborted_forever (void)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbDeploymentPlan) plan = sample_plan (LB_FLAVOUR_PROVISIONED);
  g_autoptr(LbDeploymentRunner) runner = new_runner (fake, plan);
  g_autoptr(GError) error = NULL;
  LbDeploymentStep *instance = step_of_kind (runner, LB_DEPLOYMENT_RESOURCE_INSTANCE);
  gint64 start = g_get_monotonic_time ();
  guint posts, gets;
  double elapsed;

  lb_fake_workspace_abort_creates (fake, "/api/2.0/database/instances", G_MAXUINT);
  g_assert_false (deploy (runner, &error));
  elapsed = seconds_since (start);

  g_assert_error (error, LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "Database instance retail-serving"));
  g_assert_nonnull (strstr (error->message, "ABORTED"));
  g_assert_nonnull (strstr (error->message, "deploy again"));
  g_assert_cmpint (lb_deployment_step_get_state (instance), ==, LB_DEPLOYMENT_STEP_FAILED);
  g_assert_nonnull (strstr (lb_deployment_step_get_error_message (instance), "ABORTED"));

  /* Bounded: ten tries, each after a GET, and nothing after the step. */
  posts = lb_fake_workspace_count_requests (fake, "POST", "/api/2.0/database/instances");
  gets = lb_fake_workspace_count_requests (fake, "GET", "/api/2.0/database/instances/");
  g_test_message ("ABORTED forever: %u POSTs, %u GETs in %.2f s", posts, gets, elapsed);
  g_assert_cmpuint (posts, ==, 10);
  g_assert_cmpuint (gets, <=, posts + 1);
  g_assert_cmpuint (lb_fake_workspace_count_requests (fake, NULL, "/api/2.0/database/catalogs"), ==, 0);
  /* Spaced by the backoff (≥ 5 + 10 + 20 ms + 7 × 20 ms), inside the deadline. */
  g_assert_cmpfloat (elapsed, >, 0.15);
  g_assert_cmpfloat (elapsed, <, 30);
  assert_steps_clean (fake, lb_deployment_runner_get_steps (runner));
  assert_no_secret (fake, error->message);
}

/* The same workspace with slow backoff: the deadline ends it first, with
 * the same clear reason rather than "not ready". */
static void
test_aborted_deadline (void)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbDeploymentPlan) plan = sample_plan (LB_FLAVOUR_AUTOSCALING);
  g_autoptr(LbDeploymentRunner) runner = new_runner (fake, plan);
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  guint posts;
  double elapsed;

  g_object_set (runner, "poll-base-ms", 300, "poll-max-ms", 400, "wait-timeout-s", 1, NULL);
  lb_fake_workspace_abort_creates (fake, "/api/2.0/postgres/projects", G_MAXUINT);
  g_assert_false (deploy (runner, &error));
  elapsed = seconds_since (start);

  g_assert_error (error, LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "Project retail-serving"));
  g_assert_nonnull (strstr (error->message, "ABORTED"));
  posts = lb_fake_workspace_count_requests (fake, "POST", "/api/2.0/postgres/projects");
  g_test_message ("ABORTED until the 1 s deadline: %u POSTs in %.2f s", posts, elapsed);
  g_assert_cmpuint (posts, >=, 2);
  g_assert_cmpuint (posts, <=, 7);
  g_assert_cmpfloat (elapsed, <, 3);
}

/* A few ABORTED answers, then the create goes through: created once. */
static void
check_aborted_then_success (LbFlavour   flavour,
                            const char *create_path)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbDeploymentPlan) plan = sample_plan (flavour);
  g_autoptr(LbDeploymentRunner) runner = new_runner (fake, plan);
  g_autoptr(GError) error = NULL;
  g_autofree char *accepted = NULL;
  g_auto(GStrv) log = NULL;
  guint n_accepted = 0;

  lb_fake_workspace_abort_creates (fake, create_path, 3);
  g_assert_true (deploy (runner, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (lb_fake_workspace_count_requests (fake, "POST", create_path), ==, 4);
  log = lb_fake_workspace_dup_log (fake);
  accepted = g_strdup_printf ("POST %s", create_path);
  for (guint i = 0; log[i] != NULL; i++)
    if (g_str_has_prefix (log[i], accepted) && g_str_has_suffix (log[i], " 200") &&
        (log[i][strlen (accepted)] == ' ' || log[i][strlen (accepted)] == '?'))
      n_accepted++;
  g_assert_cmpuint (n_accepted, ==, 1);
  g_assert_cmpuint (lb_fake_workspace_count_resources (fake, flavour == LB_FLAVOUR_PROVISIONED ? "instances"
                                                                                               : "projects"), ==, 1);
}

static void
test_aborted_then_success_provisioned (void)
{
  check_aborted_then_success (LB_FLAVOUR_PROVISIONED, "/api/2.0/database/instances");
}

static void
test_aborted_then_success_autoscaling (void)
{
  check_aborted_then_success (LB_FLAVOUR_AUTOSCALING, "/api/2.0/postgres/projects");
}

/* ABORTED on a delete is retried after a backoff, like any concurrency retry. */
static void
test_aborted_delete_retried (void)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbDeploymentPlan) plan = sample_plan (LB_FLAVOUR_PROVISIONED);
  g_autoptr(LbDeploymentRunner) runner = new_runner (fake, plan);
  g_autoptr(GError) error = NULL;

  lb_fake_workspace_set_polls_until_ready (fake, 0);
  g_assert_true (deploy (runner, &error));
  g_assert_no_error (error);

  lb_fake_workspace_fail_next (fake, "DELETE", "/api/2.0/database/instances/", 409,
                               "{\"error_code\":\"ABORTED\",\"message\":\"Concurrent modification, retry.\"}", 2);
  g_assert_true (teardown (runner, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lb_fake_workspace_count_requests (fake, "DELETE", "/api/2.0/database/instances/"), ==, 3);
  g_assert_cmpuint (lb_fake_workspace_count_resources (fake, "instances"), ==, 0);
}

/* ---- Operations done with an error ---- */

static void
check_create_operation_error (guint polls_until_ready)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbDeploymentPlan) plan = sample_plan (LB_FLAVOUR_AUTOSCALING);
  g_autoptr(LbDeploymentRunner) runner = new_runner (fake, plan);
  g_autoptr(GError) error = NULL;
  LbDeploymentStep *project = step_of_kind (runner, LB_DEPLOYMENT_RESOURCE_PROJECT);
  gint64 start = g_get_monotonic_time ();

  lb_fake_workspace_set_polls_until_ready (fake, polls_until_ready);
  lb_fake_workspace_fail_operations (fake, "projects/retail-serving", "RESOURCE_EXHAUSTED",
                                     "No capacity for a new project in this region.");
  g_assert_false (deploy (runner, &error));

  /* The operation's own message, at once: not the 30 s deadline. */
  g_assert_error (error, LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_OPERATION);
  g_assert_nonnull (strstr (error->message, "No capacity for a new project in this region."));
  g_assert_nonnull (strstr (error->message, "RESOURCE_EXHAUSTED"));
  g_assert_cmpfloat (seconds_since (start), <, 5);
  g_assert_cmpint (lb_deployment_step_get_state (project), ==, LB_DEPLOYMENT_STEP_FAILED);
  g_assert_nonnull (strstr (lb_deployment_step_get_error_message (project), "No capacity"));
  g_assert_cmpint (lb_deployment_step_get_state (step_of_kind (runner, LB_DEPLOYMENT_RESOURCE_CATALOG)), ==,
                   LB_DEPLOYMENT_STEP_SKIPPED);
}

static void
test_operation_error_create_polled (void)
{
  check_create_operation_error (2);
}

static void
test_operation_error_create_at_once (void)
{
  check_create_operation_error (0);
}

static void
check_delete_operation_error (guint polls_until_ready)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbDeploymentPlan) plan = sample_plan (LB_FLAVOUR_AUTOSCALING);
  g_autoptr(LbDeploymentRunner) runner = new_runner (fake, plan);
  g_autoptr(GError) error = NULL;
  GListModel *steps = lb_deployment_runner_get_teardown_steps (runner);
  g_autoptr(LbDeploymentStep) project = g_list_model_get_item (steps, g_list_model_get_n_items (steps) - 1);
  gint64 start;

  g_assert_true (deploy (runner, &error));
  g_assert_no_error (error);

  /* 0: the DELETE's own answer is done, with the error. */
  lb_fake_workspace_set_polls_until_ready (fake, polls_until_ready);
  lb_fake_workspace_fail_operations (fake, "projects/retail-serving", "INTERNAL_ERROR",
                                     "Deleting the project failed: its storage is locked.");
  start = g_get_monotonic_time ();
  g_assert_false (teardown (runner, &error));
  g_assert_error (error, LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_OPERATION);
  g_assert_nonnull (strstr (error->message, "its storage is locked"));
  g_assert_cmpfloat (seconds_since (start), <, 5);

  g_assert_cmpstr (lb_deployment_resource_get_name (lb_deployment_step_get_resource (project)), ==,
                   "retail-serving");
  g_assert_cmpint (lb_deployment_step_get_state (project), ==, LB_DEPLOYMENT_STEP_FAILED);
  g_assert_cmpstr (lb_deployment_step_get_status (project), !=, "Deleted");
  g_assert_nonnull (strstr (lb_deployment_step_get_error_message (project), "its storage is locked"));
  g_assert_nonnull (strstr (lb_deployment_step_get_error_message (project), "tear down again"));
}

static void
test_operation_error_delete_polled (void)
{
  check_delete_operation_error (2);
}

static void
test_operation_error_delete_at_once (void)
{
  check_delete_operation_error (0);
}

/* ---- States a resource will not leave by itself ---- */

typedef struct
{
  LbFlavour                flavour;
  LbDeploymentResourceKind kind;
  const char              *overlay;
  const char              *reason;
  gint                     code;
} StateCase;

static void
check_state (gconstpointer data)
{
  const StateCase *c = data;
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbDeploymentPlan) plan = sample_plan (c->flavour);
  g_autoptr(LbDeploymentRunner) runner = new_runner (fake, plan);
  g_autoptr(GError) error = NULL;
  LbDeploymentStep *step = step_of_kind (runner, c->kind);
  gint64 start = g_get_monotonic_time ();

  /* The resources would be ready soon, but for this state. */
  lb_fake_workspace_override (fake, path_of_kind (runner, c->kind), c->overlay);
  g_assert_false (deploy (runner, &error));

  g_assert_error (error, LB_DEPLOYMENT_ERROR, c->code);
  g_assert_cmpint (lb_deployment_step_get_state (step), ==, LB_DEPLOYMENT_STEP_FAILED);
  g_assert_nonnull (strstr (lb_deployment_step_get_error_message (step), c->reason));
  g_assert_nonnull (strstr (lb_deployment_step_get_error_message (step), lb_deployment_step_get_title (step)));
  /* At once, not at the 30 s deadline. */
  g_assert_cmpfloat (seconds_since (start), <, 10);
  assert_steps_clean (fake, lb_deployment_runner_get_steps (runner));
}

static const StateCase state_cases[] = {
  { LB_FLAVOUR_PROVISIONED, LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE,
    "{\"unity_catalog_provisioning_state\":\"FAILED\"}",
    "unity_catalog_provisioning_state FAILED", LB_DEPLOYMENT_ERROR_SYNC_FAILED },
  { LB_FLAVOUR_AUTOSCALING, LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE,
    "{\"status\":{\"unity_catalog_provisioning_state\":\"FAILED\"}}",
    "unity_catalog_provisioning_state FAILED", LB_DEPLOYMENT_ERROR_SYNC_FAILED },
  { LB_FLAVOUR_AUTOSCALING, LB_DEPLOYMENT_RESOURCE_BRANCH,
    "{\"status\":{\"current_state\":\"ARCHIVED\"}}", "The branch is archived", LB_DEPLOYMENT_ERROR_BAD_STATE },
  { LB_FLAVOUR_AUTOSCALING, LB_DEPLOYMENT_RESOURCE_BRANCH,
    "{\"status\":{\"current_state\":\"READY\",\"pending_state\":\"ARCHIVED\"}}", "The branch is archived",
    LB_DEPLOYMENT_ERROR_BAD_STATE },
  { LB_FLAVOUR_AUTOSCALING, LB_DEPLOYMENT_RESOURCE_ENDPOINT,
    "{\"status\":{\"current_state\":\"DEGRADED\"}}", "The endpoint is DEGRADED", LB_DEPLOYMENT_ERROR_BAD_STATE },
  { LB_FLAVOUR_AUTOSCALING, LB_DEPLOYMENT_RESOURCE_ENDPOINT,
    "{\"status\":{\"current_state\":\"IDLE\",\"disabled\":true}}", "The endpoint is disabled",
    LB_DEPLOYMENT_ERROR_BAD_STATE },
};

static const char * const state_names[] = {
  "uc-failed-provisioned", "uc-failed-autoscaling", "branch-archived", "branch-pending-archived",
  "endpoint-degraded", "endpoint-disabled",
};

/* A pending state that is not an end shows, and the step waits for it. */
static void
test_pending_state_waits (void)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbDeploymentPlan) plan = sample_plan (LB_FLAVOUR_AUTOSCALING);
  g_autoptr(LbDeploymentRunner) runner = new_runner (fake, plan);
  g_autoptr(GError) error = NULL;
  LbDeploymentStep *endpoint = step_of_kind (runner, LB_DEPLOYMENT_RESOURCE_ENDPOINT);
  g_auto(GStrv) log = NULL;
  gboolean seen = FALSE;

  g_object_set (runner, "wait-timeout-s", 1, NULL);
  lb_fake_workspace_override (fake, path_of_kind (runner, LB_DEPLOYMENT_RESOURCE_ENDPOINT),
                              "{\"status\":{\"current_state\":\"INIT\",\"pending_state\":\"ACTIVE\"}}");
  g_assert_false (deploy (runner, &error));
  g_assert_error (error, LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_TIMEOUT);
  log = lb_deployment_step_dup_log (endpoint);
  for (guint i = 0; log[i] != NULL; i++)
    seen |= strstr (log[i], "Endpoint state: INIT → ACTIVE") != NULL;
  g_assert_true (seen);
}

/* ---- Synced tables: progress and deadline ---- */

static void
status_seen_cb (LbDeploymentStep *step,
                GParamSpec       *pspec,
                GPtrArray        *seen)
{
  if (lb_deployment_step_get_status (step) != NULL)
    g_ptr_array_add (seen, g_strdup (lb_deployment_step_get_status (step)));
}

static void
watch_statuses (LbDeploymentRunner *runner,
                GPtrArray          *seen)
{
  g_signal_connect (step_of_kind (runner, LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE), "notify::status",
                    G_CALLBACK (status_seen_cb), seen);
}

static gboolean
any_has (GPtrArray  *lines,
         const char *needle)
{
  for (guint i = 0; i < lines->len; i++)
    if (strstr (g_ptr_array_index (lines, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

static void
test_sync_deadline (void)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbDeploymentPlan) plan = sample_plan (LB_FLAVOUR_PROVISIONED);
  g_autoptr(LbDeploymentRunner) runner = new_runner (fake, plan);
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  LbDeploymentStep *table = step_of_kind (runner, LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE);
  gint64 start;
  double elapsed;

  lb_fake_workspace_set_polls_until_ready (fake, 0);
  /* The snapshot starts after 1 s and would end after 5: the deadline is at 2. */
  lb_fake_workspace_set_synced_table_ms (fake, 5000);
  g_object_set (runner, "sync-timeout-s", 2, NULL);
  watch_statuses (runner, seen);

  start = g_get_monotonic_time ();
  g_assert_false (deploy (runner, &error));
  elapsed = seconds_since (start);
  g_assert_error (error, LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "initial sync"));
  g_assert_nonnull (strstr (error->message, "extend the deadline"));
  g_assert_cmpfloat (elapsed, <, 4.5);

  for (guint i = 0; i < seen->len; i++)
    g_test_message ("status: %s", (const char *) g_ptr_array_index (seen, i));
  /* Progress, not a bare state: rows and the pipeline's phase. */
  g_assert_true (any_has (seen, "of ~100,000 rows · pipeline PROVISIONING_INITIAL_SNAPSHOT"));
  g_assert_cmpint (lb_deployment_step_get_state (table), ==, LB_DEPLOYMENT_STEP_FAILED);
  g_assert_false (lb_deployment_step_extend_deadline (table, 3600));   /* over: nothing to extend */
}

static gboolean
extend_running_tables_cb (gpointer data)
{
  LbDeploymentRunner *runner = data;
  GListModel *steps = lb_deployment_runner_get_steps (runner);

  for (guint i = 0; i < g_list_model_get_n_items (steps); i++)
    {
      g_autoptr(LbDeploymentStep) step = g_list_model_get_item (steps, i);

      if (lb_deployment_step_get_extendable (step) &&
          lb_deployment_step_get_state (step) == LB_DEPLOYMENT_STEP_RUNNING)
        {
          double before = lb_deployment_step_get_remaining (step);

          g_assert_true (lb_deployment_step_extend_deadline (step, 10));
          g_assert_cmpfloat (lb_deployment_step_get_remaining (step), >, before + 9);
        }
    }
  return G_SOURCE_REMOVE;
}

static void
test_sync_deadline_extended (void)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbDeploymentPlan) plan = sample_plan (LB_FLAVOUR_PROVISIONED);
  g_autoptr(LbDeploymentRunner) runner = new_runner (fake, plan);
  g_autoptr(GError) error = NULL;
  LbDeploymentStep *table = step_of_kind (runner, LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE);
  g_auto(GStrv) log = NULL;
  gboolean logged = FALSE;

  /* A 2.5 s sync with a 1.5 s deadline, extended while it runs. */
  lb_fake_workspace_set_polls_until_ready (fake, 0);
  lb_fake_workspace_set_synced_table_ms (fake, 2500);
  g_object_set (runner, "sync-timeout-s", 2, NULL);
  g_timeout_add (700, extend_running_tables_cb, runner);

  g_assert_true (deploy (runner, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lb_deployment_step_get_state (table), ==, LB_DEPLOYMENT_STEP_DONE);
  log = lb_deployment_step_dup_log (table);
  for (guint i = 0; log[i] != NULL; i++)
    logged |= strstr (log[i], "Deadline extended") != NULL;
  g_assert_true (logged);
  /* Not extendable once over, and other steps never were. */
  g_assert_false (lb_deployment_step_extend_deadline (table, 10));
  g_assert_false (lb_deployment_step_get_extendable (step_of_kind (runner, LB_DEPLOYMENT_RESOURCE_INSTANCE)));
}

/* ---- Teardown: soft delete or purge ---- */

static void
test_teardown_purge (void)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbDeploymentPlan) plan = sample_plan (LB_FLAVOUR_AUTOSCALING);
  g_autoptr(LbDeploymentRunner) runner = new_runner (fake, plan);
  g_autoptr(GError) error = NULL;
  GListModel *steps = lb_deployment_runner_get_teardown_steps (runner);
  g_autoptr(LbDeploymentStep) project = g_list_model_get_item (steps, g_list_model_get_n_items (steps) - 1);

  lb_fake_workspace_set_polls_until_ready (fake, 0);
  g_assert_true (deploy (runner, &error));
  g_assert_no_error (error);

  /* The default: the API's soft delete, no purge sent. */
  g_assert_false (lb_deployment_runner_get_purge (runner));
  lb_fake_workspace_clear_log (fake);
  g_assert_true (teardown (runner, &error));
  g_assert_no_error (error);
  g_assert_true (log_has (fake, "DELETE /api/2.0/postgres/projects/retail-serving 200"));
  g_assert_cmpuint (lb_fake_workspace_count_requests (fake, "DELETE", "/api/2.0/postgres/projects/"), ==, 1);
  g_assert_nonnull (strstr (lb_deployment_step_get_status (project), "restored for 7 days"));

  /* Asked for: purge=true, and only on the project. */
  g_assert_true (deploy (runner, &error));
  g_assert_no_error (error);
  lb_deployment_runner_set_purge (runner, TRUE);
  lb_fake_workspace_clear_log (fake);
  g_assert_true (teardown (runner, &error));
  g_assert_no_error (error);
  g_assert_true (log_has (fake, "DELETE /api/2.0/postgres/projects/retail-serving?purge=true 200"));
  g_assert_false (log_has (fake, "DELETE /api/2.0/postgres/projects/retail-serving 200"));
  g_assert_cmpstr (lb_deployment_step_get_status (project), ==, "Deleted permanently");
  {
    g_auto(GStrv) log = lb_fake_workspace_dup_log (fake);

    for (guint i = 0; log[i] != NULL; i++)
      if (strstr (log[i], "purge") != NULL)
        g_assert_true (g_str_has_prefix (log[i], "DELETE /api/2.0/postgres/projects/retail-serving?"));
  }
}

/* ---- Retention ---- */

static void
test_default_retention (void)
{
  g_autoptr(LbWorkload) workload = lb_test_sample_workload (LB_FLAVOUR_AUTOSCALING);
  g_autoptr(LbDeploymentPlan) plan = NULL;
  g_autoptr(LbDeploymentPlan) provisioned = NULL;
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(LbDeploymentRunner) runner = NULL;
  g_autoptr(LbDeploymentResource) project_resource = NULL;
  g_autoptr(LbDeploymentResource) instance_resource = NULL;
  g_autoptr(JsonNode) project = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *spec;

  /* No restore window in the workload: the API's default, not the minimum. */
  lb_workload_set_restore_windows_days (workload, 0);
  plan = plan_for (workload);
  project_resource = g_list_model_get_item (lb_deployment_plan_get_resources (plan), 0);
  spec = json_object_get_object_member (json_node_get_object (lb_deployment_resource_get_body (project_resource)),
                                        "spec");
  g_assert_cmpstr (json_object_get_string_member (spec, "history_retention_duration"), ==, "604800s");

  lb_fake_workspace_set_polls_until_ready (fake, 0);
  runner = new_runner (fake, plan);
  g_assert_true (deploy (runner, &error));
  g_assert_no_error (error);
  project = lb_fake_workspace_dup_resource (fake, "projects", "projects/retail-serving");
  g_assert_nonnull (project);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (project),
                                                                                 "status"),
                                                  "history_retention_duration"), ==, "604800s");

  lb_workload_set_flavour (workload, LB_FLAVOUR_PROVISIONED);
  provisioned = plan_for (workload);
  instance_resource = g_list_model_get_item (lb_deployment_plan_get_resources (provisioned), 0);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (lb_deployment_resource_get_body (instance_resource)),
                                               "retention_window_in_days"), ==, 7);

  /* One given is kept, within the API's range. */
  lb_workload_set_restore_windows_days (workload, 1);
  g_clear_object (&provisioned);
  g_clear_object (&instance_resource);
  provisioned = plan_for (workload);
  instance_resource = g_list_model_get_item (lb_deployment_plan_get_resources (provisioned), 0);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (lb_deployment_resource_get_body (instance_resource)),
                                               "retention_window_in_days"), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  lb_core_init ();

  g_test_add_func ("/runaway/aborted/forever", test_aborted_forever);
  g_test_add_func ("/runaway/aborted/deadline", test_aborted_deadline);
  g_test_add_func ("/runaway/aborted/then-success-provisioned", test_aborted_then_success_provisioned);
  g_test_add_func ("/runaway/aborted/then-success-autoscaling", test_aborted_then_success_autoscaling);
  g_test_add_func ("/runaway/aborted/delete-retried", test_aborted_delete_retried);
  g_test_add_func ("/runaway/operation-error/create-polled", test_operation_error_create_polled);
  g_test_add_func ("/runaway/operation-error/create-at-once", test_operation_error_create_at_once);
  g_test_add_func ("/runaway/operation-error/delete-polled", test_operation_error_delete_polled);
  g_test_add_func ("/runaway/operation-error/delete-at-once", test_operation_error_delete_at_once);
  for (guint i = 0; i < G_N_ELEMENTS (state_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/runaway/state/%s", state_names[i]);

      g_test_add_data_func (name, &state_cases[i], check_state);
    }
  g_test_add_func ("/runaway/state/pending-waits", test_pending_state_waits);
  g_test_add_func ("/runaway/sync/deadline", test_sync_deadline);
  g_test_add_func ("/runaway/sync/deadline-extended", test_sync_deadline_extended);
  g_test_add_func ("/runaway/teardown/purge", test_teardown_purge);
  g_test_add_func ("/runaway/plan/default-retention", test_default_retention);

  return g_test_run ();
}
