/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Drives the Deploy view of the real main window under Xvfb against the
 * fake workspace: profiles from a databrickscfg, the identity check, a full
 * deploy with its progress, Test This Instance, a teardown through its
 * confirmation, a typed host and token without a keyring, and a plan that
 * cannot be deployed. Saves screenshots and measures how long the UI takes
 * to show a step's state change. No secret may reach a label or the log. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "lb-application.h"
#include "lb-deploy-page.h"
#include "lb-deploy-plan-group.h"
#include "lb-deployment-step-row.h"
#include "lb-fake-workspace.h"
#include "lb-fake-workspace-sql.h"
#include "lb-tester-window.h"
#include "lb-tester-window-private.h"
#include "lb-test-gtk-utils.h"
#include "lb-window.h"

static LbFakeWorkspace *fake;
static char *tmpdir;
static char *config_path;

typedef struct
{
  LbApplication *app;      /* opens the tester windows (app.open-tester) */
  LbWindow      *window;
  LbDeployPage  *page;
} Fixture;

/* Helpers ------------------------------------------------------------------ */

/* Every label, mapped or not, must be free of every secret. */
static guint
assert_no_secret_in_labels (GtkWidget          *widget,
                            const char * const *secrets)
{
  guint n = 0;

  if (GTK_IS_LABEL (widget))
    {
      const char *text = gtk_label_get_label (GTK_LABEL (widget));

      for (guint i = 0; secrets[i] != NULL; i++)
        if (strstr (text, secrets[i]) != NULL)
          g_error ("A label shows a secret (%u characters of it)", (guint) strlen (secrets[i]));
      n++;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += assert_no_secret_in_labels (child, secrets);

  return n;
}

static void
load_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  gboolean *done = user_data;

  g_assert_true (lb_window_load_file_finish (LB_WINDOW (object), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static void
load_result_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
runner_created_cb (LbDeployPage *page)
{
  LbDeploymentRunner *runner = lb_deploy_page_get_runner (page);

  /* Quick polls for the test; the backoff itself stays the runner's. */
  if (runner != NULL)
    g_object_set (runner,
                  "poll-base-ms", 20,
                  "poll-max-ms", 80,
                  "connect-timeout-s", 2,
                  NULL);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  lb_test_reset_settings ();

  fixture->app = lb_test_new_application ();
  fixture->window = lb_window_new (fixture->app);
  lb_test_present_window (GTK_WINDOW (fixture->window), 1000, 900);
  fixture->page = LB_DEPLOY_PAGE (lb_test_find_widget_of_type (GTK_WIDGET (fixture->window), LB_TYPE_DEPLOY_PAGE));
  g_assert_nonnull (fixture->page);
  g_signal_connect (fixture->page, "notify::runner", G_CALLBACK (runner_created_cb), NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (GTK_WIDGET (l->data) != GTK_WIDGET (fixture->window))
      gtk_window_destroy (GTK_WINDOW (l->data));
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  lb_test_spin_briefly ();
  g_clear_object (&fixture->app);
}

static void
load_sample (Fixture *fixture)
{
  g_autofree char *sample = g_build_filename (g_getenv ("LB_SAMPLES_DIR"), "workload.yml", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (sample);
  gboolean done = FALSE;

  lb_window_load_file_async (fixture->window, file, NULL, load_done_cb, &done);
  lb_test_spin_until (&done, 20);
  lb_window_show_page (fixture->window, "deploy");
  lb_test_spin_briefly ();
}

typedef struct
{
  LbDeployPage *page;
  const char   *name;
} SelectData;

static gboolean
profile_selected (gpointer data)
{
  SelectData *select = data;

  return lb_deploy_page_select_profile (select->page, select->name);
}

static void
select_profile (LbDeployPage *page,
                const char   *name)
{
  SelectData data = { page, name };

  /* The profiles are read in a thread when the page is shown. */
  lb_test_spin_until_func (profile_selected, &data, 10);
  lb_test_spin_briefly ();
}

/* The fake's resource kinds for the flavour the sample deploys to. */
static guint
count_live (LbDeployPage *page,
            const char   *what)
{
  gboolean autoscaling = lb_deployment_plan_get_flavour (lb_deploy_page_get_plan (page)) == LB_FLAVOUR_AUTOSCALING;

  if (g_str_equal (what, "compute"))
    return lb_fake_workspace_count_resources (fake, autoscaling ? "projects" : "instances");
  if (g_str_equal (what, "catalogs"))
    return lb_fake_workspace_count_resources (fake, autoscaling ? "postgres_catalogs" : "catalogs");
  return lb_fake_workspace_count_resources (fake, autoscaling ? "postgres_synced_tables" : "synced_tables");
}

static char **
all_secrets (void)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) issued = lb_fake_workspace_dup_secrets (fake);

  g_strv_builder_addv (builder, (const char **) issued);
  g_strv_builder_add (builder, "dapi-wrong-token-0000");
  g_strv_builder_add (builder, "dapi-typed-token-1111");
  return g_strv_builder_end (builder);
}

/* Identity ----------------------------------------------------------------- */

static void
test_identity (Fixture       *fixture,
               gconstpointer  data)
{
  LbDeployPage *page = fixture->page;
  g_auto(GStrv) secrets = NULL;

  load_sample (fixture);

  /* A profile whose token the workspace refuses: the error says what to do. */
  select_profile (page, "staging");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.check", NULL));
  lb_test_wait_for_label_containing (page, "databricks auth login --profile staging", 15);
  g_assert_null (lb_deploy_page_get_user_name (page));

  /* The workload's profile works. */
  select_profile (page, "DEFAULT");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.check", NULL));
  lb_test_wait_for_label_containing (page, "ana@example.com", 15);
  g_assert_cmpstr (lb_deploy_page_get_user_name (page), ==, "ana@example.com");
  g_assert_nonnull (lb_test_find_label_containing (GTK_WIDGET (page), lb_fake_workspace_get_url (fake)));

  /* The plan lists what the sample creates. */
  g_assert_nonnull (lb_test_find_label_containing (GTK_WIDGET (page), "retail-serving"));
  g_assert_nonnull (lb_test_find_label_containing (GTK_WIDGET (page),
                                                   "from retail.serving.order_lines · key order_id, line_no"));

  secrets = all_secrets ();
  g_assert_cmpuint (assert_no_secret_in_labels (GTK_WIDGET (fixture->window), (const char * const *) secrets), >, 20);
}

/* Table sizes --------------------------------------------------------------- */

static gboolean
sizes_idle (gpointer data)
{
  return !lb_table_sizes_group_get_busy (data) && lb_table_sizes_group_get_sizes (data) != NULL;
}

static gboolean
measure_enabled (gpointer data)
{
  return gtk_widget_activate_action (data, "sizes.measure", NULL);
}

static void
test_table_sizes (Fixture       *fixture,
                  gconstpointer  data)
{
  LbDeployPage *page = fixture->page;
  LbTableSizesGroup *group = lb_deploy_page_get_table_sizes_group (page);
  LbCalculatorPage *calculator = lb_window_get_calculator_page (fixture->window);
  LbWorkload *workload;
  g_autoptr(JsonNode) report = NULL;
  JsonObject *sizes;
  gint64 total;
  double expected_gb;

  load_sample (fixture);
  workload = lb_calculator_page_get_workload (calculator);
  lb_table_sizes_group_set_poll_base_ms (group, 10);
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (group), "sizes.measure", NULL) &&
                  lb_table_sizes_group_get_busy (group));

  /* Signed in: the warehouses are listed, the first one (serverless, running) picked. */
  select_profile (page, "DEFAULT");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.check", NULL));
  lb_test_wait_for_label_containing (page, "ana@example.com", 15);
  lb_test_wait_for_label_containing (group, "RUNNING", 15);

  /* Each of the sample's three tables is measured on the warehouse. */
  lb_test_spin_until_func (measure_enabled, group, 10);
  lb_test_spin_until_func (sizes_idle, group, 20);
  sizes = json_node_get_object (lb_table_sizes_group_get_sizes (group));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (sizes, "table_details")), ==, 3);
  total = json_object_get_int_member (sizes, "total_uncompressed_bytes");
  g_assert_cmpint (total, >, 0);
  g_assert_cmpuint (lb_fake_workspace_sql_count_statements (fake, "SUCCEEDED"), >=, 3);
  lb_test_wait_for_label_containing (group, "5", 15);   /* the 5-10x note on the total row */
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "deploy-table-sizes");

  /* The sizes go into the Calculator's report… */
  report = lb_cost_report_to_json (lb_calculator_page_get_report (calculator));
  g_assert_true (json_object_has_member (json_node_get_object (report), "table_sizes"));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (json_node_get_object (report), "table_sizes"),
                                               "total_uncompressed_bytes"), ==, total);

  /* …and, on request, into its storage line. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (group), "sizes.apply", NULL));
  expected_gb = ceil (total / (1024.0 * 1024.0 * 1024.0) * 100.0) / 100.0;
  g_assert_cmpfloat_with_epsilon (lb_workload_get_data_stored_gb (workload), expected_gb, 1e-9);
  /* The warehouse picked is kept in the workload for next time. */
  g_assert_nonnull (lb_workload_get_warehouse_id (workload));
}

/* Deploy ------------------------------------------------------------------- */

typedef struct
{
  LbDeployPage *page;
  GArray       *latencies_us;   /* of gint64: state change → next painted frame */
  GArray       *pending_us;     /* start times waiting for a frame */
  guint         n_changes;
  guint         n_mismatches;
} Measure;

static void
after_paint_cb (GdkFrameClock *clock,
                Measure       *measure)
{
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < measure->pending_us->len; i++)
    {
      gint64 latency = now - g_array_index (measure->pending_us, gint64, i);

      g_array_append_val (measure->latencies_us, latency);
    }
  g_array_set_size (measure->pending_us, 0);
}

static void
step_state_cb (LbDeploymentStep *step,
               GParamSpec       *pspec,
               Measure          *measure)
{
  gint64 now = g_get_monotonic_time ();
  LbDeploymentRunner *runner = lb_deploy_page_get_runner (measure->page);
  GListModel *steps = lb_deployment_runner_get_steps (runner);
  const char *expected = lb_deployment_step_get_state_label (step);

  measure->n_changes++;
  /* The row follows in the same emission: by now it must show the state. */
  for (guint i = 0; i < g_list_model_get_n_items (steps); i++)
    {
      g_autoptr(LbDeploymentStep) item = g_list_model_get_item (steps, i);
      GtkWidget *row;

      if (item != step)
        continue;
      row = lb_deploy_page_get_step_row (measure->page, i);
      if (row == NULL ||
          g_strcmp0 (lb_deployment_step_row_get_state_text (LB_DEPLOYMENT_STEP_ROW (row)), expected) != 0)
        measure->n_mismatches++;
    }
  g_array_append_val (measure->pending_us, now);
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static gboolean
runner_is_idle (gpointer data)
{
  LbDeployPage *page = data;
  LbDeploymentRunner *runner = lb_deploy_page_get_runner (page);

  return runner != NULL && !lb_deployment_runner_get_running (runner);
}

static gboolean
runner_is_running (gpointer data)
{
  LbDeploymentRunner *runner = lb_deploy_page_get_runner (data);

  return runner != NULL && lb_deployment_runner_get_running (runner);
}

static gboolean
synced_table_running (gpointer data)
{
  LbDeployPage *page = data;
  LbDeploymentRunner *runner = lb_deploy_page_get_runner (page);
  GListModel *steps;

  if (runner == NULL)
    return FALSE;
  steps = lb_deployment_runner_get_steps (runner);
  for (guint i = 0; i < g_list_model_get_n_items (steps); i++)
    {
      g_autoptr(LbDeploymentStep) step = g_list_model_get_item (steps, i);
      LbDeploymentResource *resource = lb_deployment_step_get_resource (step);

      if (resource != NULL &&
          lb_deployment_resource_get_kind (resource) == LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE &&
          lb_deployment_step_get_state (step) == LB_DEPLOYMENT_STEP_RUNNING)
        return TRUE;
    }
  return FALSE;
}

static gboolean
tester_shown (gpointer data)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();
  LbTesterWindow **tester = data;

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (LB_IS_TESTER_WINDOW (l->data) && gtk_widget_get_visible (l->data))
      {
        *tester = l->data;
        return TRUE;
      }
  return FALSE;
}

static gboolean
tester_has_credential (gpointer data)
{
  LbTesterWindow *tester = data;
  g_autoptr(LbRunSettings) settings = lb_tester_window_dup_settings (tester);

  return lb_test_run_get_n_credentials (tester->run) >= 1 && settings->conninfo != NULL &&
         strstr (settings->conninfo, "user='ana@example.com'") != NULL;
}

static AdwMessageDialog *
find_message_dialog (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static void
test_deploy (Fixture       *fixture,
             gconstpointer  data)
{
  LbDeployPage *page = fixture->page;
  LbDeploymentRunner *runner;
  GListModel *steps;
  Measure measure = { page, NULL, NULL, 0, 0 };
  GdkFrameClock *clock;
  gulong paint_id;
  LbTesterWindow *tester = NULL;
  AdwMessageDialog *dialog;
  g_auto(GStrv) secrets = NULL;
  gint64 median, worst;
  gint64 started;

  load_sample (fixture);
  select_profile (page, "DEFAULT");
  lb_fake_workspace_set_delay_ms (fake, 15);

  /* Ctrl+Return's action: the runner appears (and is tuned) before it runs. */
  started = g_get_monotonic_time ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.run", NULL));
  /* The Change Data Feed check comes first (one table GET each). */
  lb_test_spin_until_func (runner_is_running, page, 10);
  runner = lb_deploy_page_get_runner (page);
  g_assert_nonnull (runner);
  g_assert_true (lb_deployment_runner_get_running (runner));

  measure.latencies_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  measure.pending_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  steps = lb_deployment_runner_get_steps (runner);
  for (guint i = 0; i < g_list_model_get_n_items (steps); i++)
    {
      g_autoptr(LbDeploymentStep) step = g_list_model_get_item (steps, i);

      g_signal_connect (step, "notify::state", G_CALLBACK (step_state_cb), &measure);
    }
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (fixture->window));
  paint_id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &measure);

  /* The page stays responsive: Deploy is off, Cancel is on, while it runs. */
  lb_test_spin_until_func (synced_table_running, page, 20);
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (page)) == FALSE);
  g_assert_true (gtk_widget_get_visible (lb_test_find_label_containing (GTK_WIDGET (page), "Step ")));
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "deploy-running");

  lb_test_spin_until_func (runner_is_idle, page, 40);
  g_test_message ("deploy took %.2f s against the fake (15 ms per answer)",
                  (g_get_monotonic_time () - started) / 1e6);
  lb_test_spin_briefly ();
  g_signal_handler_disconnect (clock, paint_id);
  for (guint i = 0; i < g_list_model_get_n_items (steps); i++)
    {
      g_autoptr(LbDeploymentStep) step = g_list_model_get_item (steps, i);

      g_signal_handlers_disconnect_by_data (step, &measure);
    }

  /* Every resource is there; the last step only warns (no PostgreSQL here). */
  g_assert_cmpfloat (lb_deployment_runner_get_fraction (runner), ==, 1.0);
  for (guint i = 0; i < g_list_model_get_n_items (steps); i++)
    {
      g_autoptr(LbDeploymentStep) step = g_list_model_get_item (steps, i);
      GtkWidget *row = lb_deploy_page_get_step_row (page, i);

      g_assert_true (lb_deployment_step_is_finished (step));
      g_assert_nonnull (row);
      g_assert_cmpstr (lb_deployment_step_row_get_state_text (LB_DEPLOYMENT_STEP_ROW (row)), ==,
                       lb_deployment_step_get_state_label (step));
    }
  g_assert_cmpuint (count_live (page, "compute"), ==, 1);
  g_assert_cmpuint (count_live (page, "catalogs"), ==, 1);
  g_assert_cmpuint (count_live (page, "synced_tables"), ==, 3);
  g_assert_nonnull (lb_test_find_label_containing (GTK_WIDGET (page), "Deployed in"));
  /* Counted honestly: the branch and endpoint came with the project. */
  g_assert_nonnull (lb_test_find_label_containing (GTK_WIDGET (page),
                                                   "5 created by this deploy, 2 created with the project, 0 already there"));
  g_assert_nonnull (lb_test_find_label_containing (GTK_WIDGET (fixture->window), "is deployed"));   /* the toast */
  g_assert_cmpstr (lb_deploy_page_get_user_name (page), ==, "ana@example.com");
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "deploy-done");

  /* Figure: the UI reflects a state change in the same emission, and shows it
   * on screen at the next frame. */
  g_assert_cmpuint (measure.n_changes, >=, 2 * g_list_model_get_n_items (steps) - 1);
  g_assert_cmpuint (measure.n_mismatches, ==, 0);
  g_assert_cmpuint (measure.latencies_us->len, >, 0);
  g_array_sort (measure.latencies_us, compare_gint64);
  median = g_array_index (measure.latencies_us, gint64, measure.latencies_us->len / 2);
  worst = g_array_index (measure.latencies_us, gint64, measure.latencies_us->len - 1);
  g_test_message ("time for the UI to reflect a state change: %u changes, row updated in the same "
                  "emission (0 mismatches); on screen after median %.1f ms, max %.1f ms",
                  measure.n_changes, median / 1000.0, worst / 1000.0);
  g_assert_cmpint (median, <, 200 * 1000);
  g_array_unref (measure.latencies_us);
  g_array_unref (measure.pending_us);

  /* Test This Instance: a tester window with a fresh credential. */
  lb_fake_workspace_set_delay_ms (fake, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.test-instance", NULL));
  lb_test_spin_until_func (tester_shown, &tester, 10);
  lb_test_spin_until_func (tester_has_credential, tester, 10);
  {
    g_autoptr(LbRunSettings) settings = lb_tester_window_dup_settings (tester);

    g_assert_nonnull (settings->conninfo);
    /* The window targets the instance's credential source: the run holds
     * the credential (password=…), the form shows the rest. */
    g_assert_nonnull (lb_test_run_get_source_conninfo (tester->run));
    g_assert_cmpuint (lb_test_run_get_n_credentials (tester->run), >=, 1);
    g_assert_null (strstr (settings->conninfo, "password="));
    g_assert_nonnull (strstr (settings->conninfo, "user='ana@example.com'"));
  }
  lb_test_spin_ms (400);   /* the entry row's title has moved up */
  lb_test_save_screenshot (GTK_WIDGET (tester), "deploy-test-instance-tester");
  secrets = all_secrets ();
  assert_no_secret_in_labels (GTK_WIDGET (tester), (const char * const *) secrets);
  gtk_window_destroy (GTK_WINDOW (tester));
  lb_test_spin_briefly ();

  /* A credential the workspace refuses: the page says so, with the reason. */
  tester = NULL;
  lb_fake_workspace_fail_next (fake, "POST", "/api/2.0/", 403, NULL, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.test-instance", NULL));
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (lb_test_find_label_containing (GTK_WIDGET (fixture->window),
                                          "No database credential for the tester") == NULL &&
           g_get_monotonic_time () < deadline)
      lb_test_spin_ms (20);
  }
  g_assert_nonnull (lb_test_find_label_containing (GTK_WIDGET (fixture->window),
                                                   "No database credential for the tester"));
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "deploy-test-instance-refused");
  g_assert_true (tester_shown (&tester));
  gtk_window_destroy (GTK_WINDOW (tester));
  lb_test_spin_briefly ();

  /* Deploying again adopts everything and creates nothing. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.run", NULL));
  lb_test_spin_until_func (runner_is_idle, page, 30);
  g_assert_cmpuint (count_live (page, "synced_tables"), ==, 3);
  g_assert_nonnull (lb_test_find_label_containing (GTK_WIDGET (page), "already there"));
  /* Nothing was created: no "Deployed in 0 s". */
  g_assert_nonnull (lb_test_find_label_containing (GTK_WIDGET (page),
                                                   "Nothing to create: everything is already there"));
  g_assert_null (lb_test_find_label_containing (GTK_WIDGET (page), "Deployed in"));
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "deploy-nothing-to-create");

  /* Teardown asks first, listing what goes. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.teardown", NULL));
  lb_test_spin_briefly ();
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "retail_pg.public.order_lines"));
  g_assert_cmpuint (count_live (page, "compute"), ==, 1);
  lb_test_save_screenshot (GTK_WIDGET (dialog), "deploy-teardown-confirm");
  adw_message_dialog_response (dialog, "teardown");
  lb_test_spin_briefly ();
  lb_test_spin_until_func (runner_is_idle, page, 30);
  g_assert_cmpuint (count_live (page, "synced_tables"), ==, 0);
  g_assert_cmpuint (count_live (page, "catalogs"), ==, 0);
  g_assert_cmpuint (count_live (page, "compute"), ==, 0);
  lb_test_wait_for_label_containing (fixture->window, "was torn down", 15);
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "deploy-teardown-done");

  g_strfreev (secrets);
  secrets = all_secrets ();
  g_assert_cmpuint (assert_no_secret_in_labels (GTK_WIDGET (fixture->window), (const char * const *) secrets), >, 20);
}

/* Cancel and retry --------------------------------------------------------- */

static gboolean
retry_visible (gpointer data)
{
  return lb_test_find_label_containing (data, "Retry Failed Step") != NULL;
}

static void
test_cancel_and_retry (Fixture       *fixture,
                       gconstpointer  data)
{
  LbDeployPage *page = fixture->page;
  LbDeploymentRunner *runner;
  const char *create_path;
  guint creates_before;

  load_sample (fixture);
  select_profile (page, "DEFAULT");
  lb_fake_workspace_set_delay_ms (fake, 15);
  create_path = lb_deployment_resource_get_create_path (lb_deployment_plan_get_compute (lb_deploy_page_get_plan (page)));
  creates_before = lb_fake_workspace_count_requests (fake, "POST", create_path);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.run", NULL));
  lb_test_spin_until_func (synced_table_running, page, 20);
  /* Escape's action. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.cancel", NULL));
  lb_test_spin_until_func (runner_is_idle, page, 10);
  lb_test_spin_until_func (retry_visible, page, 5);
  g_assert_nonnull (lb_test_find_label_containing (GTK_WIDGET (fixture->window), "Deployment cancelled"));
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "deploy-cancelled");

  /* Retry resumes: what exists is adopted, nothing is created twice. */
  lb_fake_workspace_set_delay_ms (fake, 0);
  runner = lb_deploy_page_get_runner (page);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.retry", NULL));
  g_assert_true (lb_deploy_page_get_runner (page) == runner);
  lb_test_spin_until_func (runner_is_idle, page, 30);
  g_assert_cmpfloat (lb_deployment_runner_get_fraction (runner), ==, 1.0);
  g_assert_cmpuint (count_live (page, "compute"), ==, 1);
  g_assert_cmpuint (count_live (page, "synced_tables"), ==, 3);
  g_assert_cmpuint (lb_fake_workspace_count_requests (fake, "POST", create_path) - creates_before, ==, 1);

  /* Leave the fake empty for the next test. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.teardown", NULL));
  lb_test_spin_briefly ();
  adw_message_dialog_response (find_message_dialog (), "teardown");
  lb_test_spin_until_func (runner_is_idle, page, 30);
  g_assert_cmpuint (count_live (page, "compute"), ==, 0);
}

/* No profile: a host and a token typed in ---------------------------------- */

static void
test_typed_token (Fixture       *fixture,
                  gconstpointer  data)
{
  LbDeployPage *page = fixture->page;
  g_autofree char *missing = g_build_filename (tmpdir, "no-such-databrickscfg", NULL);
  g_autofree char *token = NULL;
  GtkWidget *host_row;
  GtkWidget *token_row;
  g_auto(GStrv) secrets = NULL;

  g_setenv ("DATABRICKS_CONFIG_FILE", missing, TRUE);
  load_sample (fixture);
  lb_test_wait_for_label_containing (page, "No Databricks CLI profile found", 15);
  g_assert_nonnull (lb_test_find_label_containing (GTK_WIDGET (page), "databricks auth login --host"));

  host_row = lb_test_find_widget_of_type (GTK_WIDGET (page), ADW_TYPE_ENTRY_ROW);
  token_row = lb_test_find_widget_of_type (GTK_WIDGET (page), ADW_TYPE_PASSWORD_ENTRY_ROW);
  g_assert_true (gtk_widget_get_mapped (host_row));
  g_assert_true (gtk_widget_get_mapped (token_row));

  /* A wrong token first, then the right one. */
  gtk_editable_set_text (GTK_EDITABLE (host_row), lb_fake_workspace_get_url (fake));
  gtk_editable_set_text (GTK_EDITABLE (token_row), "dapi-wrong-token-0000");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.check", NULL));
  lb_test_wait_for_label_containing (page, "refused the token", 15);

  token = g_strdup (lb_fake_workspace_get_token (fake));
  gtk_editable_set_text (GTK_EDITABLE (token_row), token);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.check", NULL));
  lb_test_wait_for_label_containing (page, "ana@example.com", 15);
  /* No Secret Service in the test session: memory only, and the page says so. */
  lb_test_wait_for_label_containing (page, "kept in memory only", 15);
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "deploy-typed-token");

  secrets = all_secrets ();
  assert_no_secret_in_labels (GTK_WIDGET (fixture->window), (const char * const *) secrets);

  /* Nothing of ours on disk holds the token. */
  {
    g_autoptr(GDir) dir = g_dir_open (tmpdir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (tmpdir, name, NULL);
        g_autofree char *contents = NULL;

        if (g_str_equal (path, config_path) || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
          continue;
        if (g_file_get_contents (path, &contents, NULL, NULL))
          g_assert_null (strstr (contents, "dapi-typed"));
      }
  }

  g_setenv ("DATABRICKS_CONFIG_FILE", config_path, TRUE);
}

/* A plan that cannot be deployed ------------------------------------------- */

static gboolean
plan_is_null (gpointer data)
{
  return lb_deploy_page_get_plan (data) == NULL;
}

static void
test_plan_error (Fixture       *fixture,
                 gconstpointer  data)
{
  LbDeployPage *page = fixture->page;
  LbWorkload *workload;
  GtkWidget *field;
  GtkWidget *focus;
  AdwViewStack *stack;

  load_sample (fixture);
  workload = lb_deploy_page_get_workload (page);
  g_assert_nonnull (lb_deploy_page_get_plan (page));

  lb_workload_set_instance_name (workload, NULL);
  lb_test_spin_until_func (plan_is_null, page, 5);
  lb_test_wait_for_label_containing (page, "instance_name", 15);
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.run", NULL) &&
                  lb_deploy_page_get_runner (page) != NULL);
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "deploy-plan-error");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.edit-target", NULL));
  lb_test_spin_briefly ();
  stack = ADW_VIEW_STACK (lb_test_find_widget_of_type (GTK_WIDGET (fixture->window), ADW_TYPE_VIEW_STACK));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "calculator");
  field = lb_calculator_page_get_field_widget (lb_window_get_calculator_page (fixture->window),
                                               "lakebase_accelerator", "instance_name");
  focus = gtk_root_get_focus (GTK_ROOT (fixture->window));
  g_assert_true (focus != NULL && (focus == field || gtk_widget_is_ancestor (focus, field)));
}

/* Issue #10: progress in view, Tear Down, readable errors, summary, profile
 * fallback, Export Bundle ---------------------------------------------------- */

static GtkWidget *
find_action_button (GtkWidget  *widget,
                    const char *action_name)
{
  if (GTK_IS_BUTTON (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action_name) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_action_button (child, action_name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Count the labels under @widget whose text contains @text. */
static guint
count_labels_containing (GtkWidget  *widget,
                         const char *text)
{
  guint n = 0;

  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_label (GTK_LABEL (widget)), text) != NULL)
    n++;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_labels_containing (child, text);
  return n;
}

/* Two page messages in a row while the window's "Opened …" toast is still
 * hiding: the second replaces the first on screen (libadwaita 1.2 aborted
 * when the first was dismissed and the hiding toast came back). */
static void
test_toast_replaced (Fixture       *fixture,
                     gconstpointer  data)
{
  LbDeployPage *page = fixture->page;
  g_autofree char *missing = g_build_filename (tmpdir, "no-such-databrickscfg", NULL);
  GtkWidget *host_row;

  g_setenv ("DATABRICKS_CONFIG_FILE", missing, TRUE);
  load_sample (fixture);
  lb_test_wait_for_label_containing (page, "No Databricks CLI profile found", 15);
  g_assert_nonnull (lb_test_find_label_containing (GTK_WIDGET (fixture->window), "Opened"));

  /* A host but no token: Deploy says what is missing, at once. */
  host_row = lb_test_find_widget_of_type (GTK_WIDGET (page), ADW_TYPE_ENTRY_ROW);
  gtk_editable_set_text (GTK_EDITABLE (host_row), lb_fake_workspace_get_url (fake));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.run", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.run", NULL));
  lb_test_spin_briefly ();
  g_assert_cmpuint (count_labels_containing (GTK_WIDGET (fixture->window), "Type a personal access token"), ==, 1);
  g_assert_null (lb_deploy_page_get_runner (page));

  g_setenv ("DATABRICKS_CONFIG_FILE", config_path, TRUE);
}

/* Issue #11: "Edit Deployment Target" goes through win.edit-field, which the
 * window handles; the page no longer calls into its window. */
static void
test_edit_field_action (Fixture       *fixture,
                        gconstpointer  data)
{
  LbDeployPage *page = fixture->page;
  AdwViewStack *stack;
  GtkWidget *button;
  GtkWidget *field;
  GtkWidget *focus;

  load_sample (fixture);
  stack = ADW_VIEW_STACK (lb_test_find_widget_of_type (GTK_WIDGET (fixture->window), ADW_TYPE_VIEW_STACK));
  adw_view_stack_set_visible_child_name (stack, "deploy");

  /* The storage schema is missing: the plan row offers its Edit button. */
  lb_workload_set_storage_schema (lb_deploy_page_get_workload (page), NULL);
  lb_test_spin_until_func (plan_is_null, page, 5);
  lb_test_wait_for_label_containing (page, "storage_schema", 15);
  button = find_action_button (GTK_WIDGET (page), "deploy.edit-target");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  lb_test_spin_briefly ();

  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "calculator");
  field = lb_calculator_page_get_field_widget (lb_window_get_calculator_page (fixture->window),
                                               "lakebase_accelerator", "storage_schema");
  g_assert_nonnull (field);
  focus = gtk_root_get_focus (GTK_ROOT (fixture->window));
  g_assert_true (focus != NULL && (focus == field || gtk_widget_is_ancestor (focus, field)));

  /* The window's action itself, with another field, from the deploy page. */
  adw_view_stack_set_visible_child_name (stack, "deploy");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "win.edit-field", "(ss)",
                                             "lakebase_accelerator", "capacity"));
  lb_test_spin_briefly ();
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "calculator");
  field = lb_calculator_page_get_field_widget (lb_window_get_calculator_page (fixture->window),
                                               "lakebase_accelerator", "capacity");
  g_assert_nonnull (field);
  focus = gtk_root_get_focus (GTK_ROOT (fixture->window));
  g_assert_true (focus != NULL && (focus == field || gtk_widget_is_ancestor (focus, field)));
}

/* Whether all of @widget lies inside the visible part of its scrolled
 * window: against the adjustment (content coordinates) and on screen. */
static gboolean
shown_in_scroller (GtkWidget *widget)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkWidget *content = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller));
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  graphene_rect_t in_content, on_screen;
  double top, bottom;

  /* The adjustment counts in the coordinates of what the viewport scrolls. */
  if (GTK_IS_VIEWPORT (content))
    content = gtk_viewport_get_child (GTK_VIEWPORT (content));

  if (!gtk_widget_compute_bounds (widget, content, &in_content) ||
      !gtk_widget_compute_bounds (widget, scroller, &on_screen))
    return FALSE;
  top = gtk_adjustment_get_value (adjustment);
  bottom = top + gtk_adjustment_get_page_size (adjustment);
  g_test_message ("%s: y %.0f–%.0f in the content, view %.0f–%.0f (on screen %.0f–%.0f of %d)",
                  G_OBJECT_TYPE_NAME (widget), in_content.origin.y, in_content.origin.y + in_content.size.height,
                  top, bottom, on_screen.origin.y, on_screen.origin.y + on_screen.size.height,
                  gtk_widget_get_height (scroller));
  return in_content.origin.y >= top - 0.5 && in_content.origin.y + in_content.size.height <= bottom + 0.5 &&
         on_screen.origin.y >= -0.5 && on_screen.origin.y + on_screen.size.height <= gtk_widget_get_height (scroller) + 0.5;
}

/* Scrolls @widget's scrolled window so @widget sits in the middle. */
static void
scroll_into_view (GtkWidget *widget)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkWidget *content = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller));
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  graphene_point_t point;

  if (GTK_IS_VIEWPORT (content))
    content = gtk_viewport_get_child (GTK_VIEWPORT (content));
  g_assert_true (gtk_widget_compute_point (widget, content, &GRAPHENE_POINT_INIT (0, 0), &point));
  gtk_adjustment_set_value (adjustment, point.y - gtk_adjustment_get_page_size (adjustment) / 2);
  lb_test_spin_briefly ();
  g_assert_true (shown_in_scroller (widget));
}

static void
tear_down_through_dialog (LbDeployPage *page)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.teardown", NULL));
  lb_test_spin_briefly ();
  g_assert_nonnull (find_message_dialog ());
  adw_message_dialog_response (find_message_dialog (), "teardown");
  lb_test_spin_until_func (runner_is_idle, page, 30);
  g_assert_cmpuint (count_live (page, "compute"), ==, 0);
}

static gboolean
plan_has_twenty_tables (gpointer data)
{
  LbDeploymentPlan *plan = lb_deploy_page_get_plan (data);

  /* Project, branch, endpoint, catalog and the tables. */
  return plan != NULL && g_list_model_get_n_items (lb_deployment_plan_get_resources (plan)) == 4 + 20;
}

/* Starting a deploy brings the progress into view and keeps it there. */
static void
test_progress_in_view (Fixture       *fixture,
                       gconstpointer  data)
{
  LbDeployPage *page = fixture->page;
  GtkWidget *summary;
  GtkWidget *scroller;
  GtkAdjustment *adjustment;

  load_sample (fixture);
  select_profile (page, "DEFAULT");
  /* A plan of twenty tables: the Deploy button sits far below the top. */
  for (guint i = 0; i < 17; i++)
    {
      g_autofree char *name = g_strdup_printf ("retail.serving.extra_%02u", i);
      const char *keys[] = { "id", NULL };
      g_autoptr(LbSyncedTable) table = lb_synced_table_new (name, keys, LB_SYNC_MODE_SNAPSHOT);

      lb_workload_add_table (lb_deploy_page_get_workload (page), table);
    }
  lb_test_spin_until_func (plan_has_twenty_tables, page, 10);
  lb_test_spin_briefly ();
  scroller = gtk_widget_get_ancestor (find_action_button (GTK_WIDGET (page), "deploy.run"), GTK_TYPE_SCROLLED_WINDOW);
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  /* The window is too short for the plan and the progress together. */
  g_assert_cmpfloat (gtk_adjustment_get_upper (adjustment), >, gtk_adjustment_get_page_size (adjustment));
  /* Where the user is when they press Deploy: scrolled down to the button. */
  scroll_into_view (find_action_button (GTK_WIDGET (page), "deploy.run"));
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >, 0);

  lb_fake_workspace_set_delay_ms (fake, 15);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.run", NULL));
  lb_test_spin_until_func (synced_table_running, page, 20);
  lb_test_spin_briefly ();
  summary = lb_test_find_label_containing (GTK_WIDGET (page), "Step ");
  g_assert_nonnull (summary);
  g_assert_true (shown_in_scroller (summary));
  g_assert_true (shown_in_scroller (gtk_widget_get_next_sibling (summary)));   /* the overall bar */
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "deploy-progress-in-view");

  /* Still there when it ends, with the account of what happened. */
  lb_test_spin_until_func (runner_is_idle, page, 40);
  lb_fake_workspace_set_delay_ms (fake, 0);
  lb_test_spin_briefly ();
  summary = lb_test_find_label_containing (GTK_WIDGET (page), "Deployed in");
  g_assert_nonnull (summary);
  g_assert_true (shown_in_scroller (summary));

  /* Teardown too, from its button. */
  scroll_into_view (find_action_button (GTK_WIDGET (page), "deploy.teardown"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.teardown", NULL));
  lb_test_spin_briefly ();
  adw_message_dialog_response (find_message_dialog (), "teardown");
  lb_test_spin_briefly ();
  lb_test_wait_for_label_containing (page, "Torn down in", 15);
  g_assert_true (shown_in_scroller (lb_test_find_label_containing (GTK_WIDGET (page), "Torn down in")));
  g_assert_cmpuint (count_live (page, "compute"), ==, 0);
  g_assert_cmpuint (count_live (page, "synced_tables"), ==, 0);
}

static gboolean
button_sensitive (gpointer data)
{
  return gtk_widget_is_sensitive (data);
}

/* Tear Down waits until a check finds something to delete, and is a plain
 * button (destructive only in its confirmation). */
static void
test_teardown_needs_check (Fixture       *fixture,
                           gconstpointer  data)
{
  LbDeployPage *page = fixture->page;
  GtkWidget *teardown;
  g_autoptr(LbDeploymentRunner) outside = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  load_sample (fixture);
  select_profile (page, "DEFAULT");
  g_assert_cmpuint (count_live (page, "compute"), ==, 0);

  teardown = find_action_button (GTK_WIDGET (page), "deploy.teardown");
  g_assert_nonnull (teardown);
  g_assert_false (gtk_widget_is_sensitive (teardown));
  g_assert_false (gtk_widget_has_css_class (teardown, "destructive-action"));
  g_assert_false (gtk_widget_has_css_class (teardown, "suggested-action"));
  g_assert_true (gtk_widget_has_css_class (find_action_button (GTK_WIDGET (page), "deploy.run"), "suggested-action"));
  scroll_into_view (teardown);
  /* The buttons alone: the toast of the opened file floats over them. */
  lb_test_save_screenshot (gtk_widget_get_parent (teardown), "deploy-teardown-before-check");

  /* Signed in, nothing there yet: still nothing to tear down. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.check", NULL));
  lb_test_wait_for_label_containing (page, "ana@example.com", 15);
  lb_test_spin_ms (500);
  g_assert_false (gtk_widget_is_sensitive (teardown));
  g_assert_cmpuint (lb_fake_workspace_count_requests (fake, "GET",
                                                      lb_deployment_resource_get_path (lb_deployment_plan_get_compute (lb_deploy_page_get_plan (page)))),
                    >=, 1);

  /* Someone deploys the plan elsewhere (the CLI, say); the next check finds it. */
  {
    g_autoptr(LbDatabricksAuth) auth = lb_databricks_auth_new_for_token (lb_fake_workspace_get_url (fake),
                                                                         lb_fake_workspace_get_token (fake));
    g_autoptr(LbDatabricksClient) client = lb_databricks_client_new (auth, &error);

    g_assert_no_error (error);
    outside = lb_deployment_runner_new (lb_deploy_page_get_plan (page), client);
    g_object_set (outside, "poll-base-ms", 5, "poll-max-ms", 20, "connect-timeout-s", 2, NULL);
    lb_deployment_runner_run_async (outside, NULL, load_result_cb, &result);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    g_assert_true (lb_deployment_runner_run_finish (outside, result, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpuint (count_live (page, "compute"), ==, 1);
  g_assert_false (gtk_widget_is_sensitive (teardown));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.check", NULL));
  lb_test_spin_until_func (button_sensitive, teardown, 10);
  g_assert_true (gtk_widget_is_sensitive (teardown));

  /* The confirmation is where it turns red. */
  tear_down_through_dialog (page);
  g_assert_false (gtk_widget_is_sensitive (teardown));
}

/* A raw API error becomes a sentence on the step; the raw text is in its log. */
static void
test_failed_step_readable (Fixture       *fixture,
                           gconstpointer  data)
{
  LbDeployPage *page = fixture->page;
  LbDeploymentPlan *plan;
  LbDeploymentRunner *runner;
  GListModel *resources;
  const char *catalog_create = NULL;
  GtkWidget *sentence;

  load_sample (fixture);
  select_profile (page, "DEFAULT");
  plan = lb_deploy_page_get_plan (page);
  resources = lb_deployment_plan_get_resources (plan);
  for (guint i = 0; i < g_list_model_get_n_items (resources); i++)
    {
      g_autoptr(LbDeploymentResource) resource = g_list_model_get_item (resources, i);

      if (lb_deployment_resource_get_kind (resource) == LB_DEPLOYMENT_RESOURCE_CATALOG)
        catalog_create = lb_deployment_resource_get_create_path (resource);
    }
  g_assert_nonnull (catalog_create);
  lb_fake_workspace_fail_next (fake, "POST", catalog_create, 404,
                               "{\"error_code\":\"ENDPOINT_NOT_FOUND\",\"message\":\"No API found for 'POST /catalogs'\"}",
                               1);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.run", NULL));
  lb_test_spin_until_func (runner_is_idle, page, 30);
  lb_test_spin_briefly ();
  runner = lb_deploy_page_get_runner (page);

  sentence = lb_test_find_label_containing (GTK_WIDGET (page), "does not offer the API this step needs");
  g_assert_nonnull (sentence);
  g_assert_true (gtk_widget_is_ancestor (sentence, lb_deploy_page_get_step_row (page, 4)));
  /* Not on screen raw; kept in the log the row can expand. */
  g_assert_null (lb_test_find_label_containing (GTK_WIDGET (page), "No API found"));
  {
    g_autoptr(LbDeploymentStep) catalog = g_list_model_get_item (lb_deployment_runner_get_steps (runner), 4);
    g_auto(GStrv) log = lb_deployment_step_dup_log (catalog);
    g_autofree char *joined = g_strjoinv ("\n", log);

    g_assert_cmpint (lb_deployment_step_get_state (catalog), ==, LB_DEPLOYMENT_STEP_FAILED);
    g_assert_nonnull (strstr (joined, "ENDPOINT_NOT_FOUND: No API found for 'POST /catalogs'"));
  }
  g_assert_nonnull (lb_test_find_label_containing (GTK_WIDGET (page), "Stopped at “Database catalog retail_pg”"));
  g_assert_nonnull (lb_test_find_label_containing (GTK_WIDGET (fixture->window),
                                                   "Deployment failed at “Database catalog retail_pg”: its step says what to do"));
  g_assert_true (shown_in_scroller (sentence));
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "deploy-failed-step");

  /* Retry creates the rest; then leave the fake empty. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.retry", NULL));
  lb_test_spin_until_func (runner_is_idle, page, 30);
  g_assert_cmpuint (count_live (page, "synced_tables"), ==, 3);
  tear_down_through_dialog (page);
}

/* The workload names a profile this computer lacks: the page says which it uses. */
static gboolean
keep_awake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* wait_for_label() with a ticking main loop: a label that never appears
 * fails after the timeout instead of blocking on an idle loop. */
static void
wait_for_label_or_fail (gpointer    widget,
                        const char *text)
{
  guint ticker = g_timeout_add (50, keep_awake_cb, NULL);

  lb_test_wait_for_label_containing (widget, text, 15);
  g_source_remove (ticker);
}

static void
test_profile_fallback (Fixture       *fixture,
                       gconstpointer  data)
{
  LbDeployPage *page = fixture->page;
  g_autofree char *sample = g_build_filename (g_getenv ("LB_SAMPLES_DIR"), "workload.yml", NULL);
  g_autofree char *path = g_build_filename (tmpdir, "nightly.yml", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GString) text = NULL;
  gboolean done = FALSE;

  /* The page has read the profiles (shown once). */
  load_sample (fixture);
  select_profile (page, "DEFAULT");
  g_assert_null (lb_test_find_label_containing (GTK_WIDGET (page), "does not exist; using"));

  g_assert_true (g_file_get_contents (sample, &contents, NULL, NULL));
  text = g_string_new (contents);
  g_assert_cmpuint (g_string_replace (text, "profile: DEFAULT", "profile: nightly", 1), ==, 1);
  g_assert_true (g_file_set_contents (path, text->str, -1, NULL));
  lb_window_load_file_async (fixture->window, file, NULL, load_done_cb, &done);
  lb_test_spin_until (&done, 20);
  lb_window_show_page (fixture->window, "deploy");
  wait_for_label_or_fail (page, "Profile “nightly” from the workload does not exist; using “DEFAULT”");
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "deploy-profile-fallback");

  /* Read again (Refresh): still said. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.refresh", NULL));
  lb_test_spin_briefly ();
  wait_for_label_or_fail (page, "Profile “nightly” from the workload does not exist; using “DEFAULT”");

  /* Picking a profile settles it. */
  select_profile (page, "staging");
  g_assert_null (lb_test_find_label_containing (GTK_WIDGET (page), "does not exist; using"));
  g_unlink (path);
}

/* Export Bundle… through the real chooser path (the seam answers it). */
static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

static void
test_export_bundle_chooser (Fixture       *fixture,
                            gconstpointer  data)
{
  LbDeployPage *page = fixture->page;
  g_autofree char *folder_path = g_build_filename (tmpdir, "bundle-out", NULL);
  g_autofree char *databricks_yml = g_build_filename (folder_path, "databricks.yml", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (folder_path);
  g_autofree char *contents = NULL;

  load_sample (fixture);
  g_assert_cmpint (g_mkdir_with_parents (folder_path, 0700), ==, 0);

  /* Dismissed: nothing is written. */
  lb_test_queue_chooser_answer (NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.export-bundle", NULL));
  lb_test_wait_for_choosers ();
  g_assert_cmpstr (lb_test_last_chooser_title (), ==, "Export Asset Bundle");
  lb_test_spin_briefly ();
  g_assert_false (g_file_test (databricks_yml, G_FILE_TEST_EXISTS));

  /* A folder picked: the bundle lands in it, and the page says where. */
  lb_test_queue_chooser_answer (folder);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.export-bundle", NULL));
  lb_test_wait_for_choosers ();
  lb_test_spin_until_func (file_exists, databricks_yml, 10);
  g_assert_true (g_file_get_contents (databricks_yml, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "bundle:"));
  {
    g_autofree char *resources = g_build_filename (folder_path, "resources", NULL);

    g_assert_true (g_file_test (resources, G_FILE_TEST_IS_DIR));
  }
  lb_test_wait_for_label_containing (fixture->window, "Bundle written to", 15);
}

/* Branch picker ------------------------------------------------------------ */

static GtkWidget *
branch_chooser (Fixture *fixture)
{
  GtkWidget *group = lb_test_find_widget_of_type (GTK_WIDGET (fixture->page), LB_TYPE_DEPLOY_PLAN_GROUP);

  g_assert_nonnull (group);
  return lb_deploy_plan_group_get_branch_chooser (LB_DEPLOY_PLAN_GROUP (group));
}

static gboolean
plan_on_branch (gpointer data)
{
  void **pair = data;
  LbDeploymentPlan *plan = lb_deploy_page_get_plan (pair[0]);

  return plan != NULL && g_strcmp0 (lb_deployment_plan_get_branch (plan), pair[1]) == 0;
}

static void
wait_for_plan_branch (LbDeployPage *page,
                      const char   *branch)
{
  void *pair[2] = { page, (void *) branch };

  lb_test_spin_until_func (plan_on_branch, pair, 10);
}

static gboolean
chooser_is_dropdown (gpointer data)
{
  GtkWidget *chooser = branch_chooser (data);

  return chooser != NULL && GTK_IS_DROP_DOWN (chooser);
}

/* What Enter does in an entry: its GtkText emits "activate", which the
 * entry passes on. */
static void
press_enter (GtkWidget *entry)
{
  g_signal_emit_by_name (gtk_editable_get_delegate (GTK_EDITABLE (entry)), "activate");
}

static gboolean
popover_shown (gpointer data)
{
  GtkWidget *popover = lb_test_find_widget_of_type (data, GTK_TYPE_POPOVER);

  return popover != NULL && gtk_widget_get_mapped (popover);
}

/* Opens the drop-down as a click does and picks @branch from its list.
 * Focus first scrolls it into view (the progress was scrolled to), so its
 * popup opens on the screen. */
static void
pick_branch (Fixture    *fixture,
             const char *branch,
             const char *screenshot)
{
  GtkWidget *chooser = branch_chooser (fixture);
  GListModel *model = gtk_drop_down_get_model (GTK_DROP_DOWN (chooser));
  guint position = G_MAXUINT;
  GtkWidget *list;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (model), i), branch))
      position = i;
  g_assert_cmpuint (position, !=, G_MAXUINT);

  gtk_widget_grab_focus (chooser);
  lb_test_spin_ms (300);
  gtk_widget_activate (chooser);
  lb_test_spin_until_func (popover_shown, chooser, 5);
  if (screenshot != NULL)
    lb_test_save_screenshot (GTK_WIDGET (fixture->window), screenshot);
  list = lb_test_find_widget_of_type (chooser, GTK_TYPE_LIST_VIEW);
  g_assert_nonnull (list);
  /* A click selects the row in the popup's list, then activates it. */
  g_assert_true (gtk_selection_model_select_item (gtk_list_view_get_model (GTK_LIST_VIEW (list)), position, TRUE));
  g_assert_true (gtk_widget_activate_action (list, "list.activate-item", "u", position));
}

static gboolean
dropdown_has_three (gpointer data)
{
  GtkWidget *chooser = branch_chooser (data);

  return chooser != NULL && GTK_IS_DROP_DOWN (chooser) &&
         g_list_model_get_n_items (gtk_drop_down_get_model (GTK_DROP_DOWN (chooser))) == 3;
}

static void
post_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (object), result, &error);

  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

/* What another tool (the workspace UI, the CLI) would have made. */
static void
post_to_fake (const char         *path,
              const char * const *query,
              const char         *body_json)
{
  g_autoptr(LbDatabricksAuth) auth = lb_databricks_auth_new_for_token (lb_fake_workspace_get_url (fake),
                                                                       lb_fake_workspace_get_token (fake));
  g_autoptr(LbDatabricksClient) client = lb_databricks_client_new (auth, NULL);
  g_autoptr(JsonNode) body = json_from_string (body_json, NULL);
  gboolean done = FALSE;

  lb_databricks_client_call_async (client, "POST", path, query, body, LB_CALL_DEFAULT, NULL, post_done_cb, &done);
  lb_test_spin_until (&done, 10);
}

/* A new project: the branch is typed (a bad id is refused on the spot); the
 * deploy makes it and puts the tables on it; then the project's branches
 * are offered in a drop-down, and production is picked from its list. */
static void
test_branch_picker (Fixture       *fixture,
                    gconstpointer  data)
{
  LbDeployPage *page = fixture->page;
  LbWorkload *workload;
  GtkWidget *chooser;
  GListModel *model;
  g_autoptr(JsonNode) table = NULL;
  guint production = G_MAXUINT;

  load_sample (fixture);
  workload = lb_deploy_page_get_workload (page);
  lb_workload_set_instance_name (workload, "branch-picker");
  /* Tables outside public: the tester is told where they are. */
  lb_workload_set_target_schema (workload, "serving");
  select_profile (page, "DEFAULT");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.check", NULL));
  lb_test_wait_for_label_containing (page, "ana@example.com", 15);
  lb_test_wait_for_label_containing (page, "Project branch-picker", 15);

  /* The project is not there yet: free entry, production by default. */
  chooser = branch_chooser (fixture);
  g_assert_true (GTK_IS_ENTRY (chooser));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (chooser)), ==, "production");

  gtk_widget_grab_focus (chooser);
  gtk_editable_set_text (GTK_EDITABLE (chooser), "Load_Test");
  press_enter (chooser);
  lb_test_spin_briefly ();
  g_assert_true (branch_chooser (fixture) == chooser);
  g_assert_true (gtk_widget_has_css_class (chooser, "error"));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (chooser), "not a valid branch id"));
  g_assert_cmpstr (lb_workload_get_branch (workload), ==, "production");
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "deploy-branch-entry-refused");

  gtk_editable_set_text (GTK_EDITABLE (chooser), "load-test");
  press_enter (chooser);
  wait_for_plan_branch (page, "load-test");
  g_assert_cmpstr (lb_workload_get_branch (workload), ==, "load-test");
  lb_test_wait_for_label_containing (page, "Made from production if it is missing", 15);
  chooser = branch_chooser (fixture);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (chooser)), ==, "load-test");
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "deploy-branch-entry");

  /* Deploy: the branch is made and the synced tables land on it; the
   * picker is off while it runs. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.run", NULL));
  lb_test_spin_until_func (runner_is_running, page, 60);   /* after the Change Data Feed check */
  g_assert_false (gtk_widget_get_sensitive (branch_chooser (fixture)));
  lb_test_spin_until_func (runner_is_idle, page, 60);
  g_assert_true (lb_deployment_runner_get_fraction (lb_deploy_page_get_runner (page)) == 1.0);
  table = lb_fake_workspace_dup_resource (fake, "postgres_synced_tables", "synced_tables/retail_pg.serving.orders");
  g_assert_nonnull (table);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (table), "spec"),
                                                  "branch"), ==, "projects/branch-picker/branches/load-test");

  /* Test This Instance: the tester's connection searches the tables'
   * schema first. */
  {
    LbTesterWindow *tester = NULL;
    g_autoptr(LbRunSettings) settings = NULL;
    g_auto(GStrv) secrets = NULL;

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.test-instance", NULL));
    lb_test_spin_until_func (tester_shown, &tester, 10);
    lb_test_spin_until_func (tester_has_credential, tester, 10);
    settings = lb_tester_window_dup_settings (tester);
    g_assert_nonnull (strstr (settings->conninfo, "options='-csearch_path=serving,public'"));
    g_assert_null (strstr (settings->conninfo, "password="));
    lb_test_spin_ms (400);
    lb_test_save_screenshot (GTK_WIDGET (tester), "deploy-branch-tester-search-path");
    secrets = all_secrets ();
    assert_no_secret_in_labels (GTK_WIDGET (tester), (const char * const *) secrets);
    gtk_window_destroy (GTK_WINDOW (tester));
    lb_test_spin_briefly ();
  }

  /* Now the project exists: its branches, in a drop-down. */
  lb_test_spin_until_func (chooser_is_dropdown, fixture, 10);
  chooser = branch_chooser (fixture);
  g_assert_true (gtk_widget_get_sensitive (chooser));
  model = gtk_drop_down_get_model (GTK_DROP_DOWN (chooser));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (model), i), "production"))
      production = i;
  g_assert_cmpuint (production, !=, G_MAXUINT);
  g_assert_cmpstr (gtk_string_object_get_string (gtk_drop_down_get_selected_item (GTK_DROP_DOWN (chooser))),
                   ==, "load-test");

  /* Open it, as a click does, and pick production from its list. */
  pick_branch (fixture, "production", "deploy-branch-picker");
  wait_for_plan_branch (page, "production");
  g_assert_cmpstr (lb_workload_get_branch (workload), ==, "production");
  lb_test_wait_for_label_containing (page, "Created with the project", 15);
  lb_test_spin_until_func (chooser_is_dropdown, fixture, 10);
  g_assert_cmpstr (gtk_string_object_get_string (gtk_drop_down_get_selected_item (GTK_DROP_DOWN (branch_chooser (fixture)))),
                   ==, "production");
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "deploy-branch-picked");

  /* A branch made elsewhere, whose read-write endpoint has its own id: once
   * listed and picked, the plan names that endpoint rather than making a
   * second one. */
  {
    const char *branch_query[] = { "branch_id", "feature", NULL };
    const char *endpoint_query[] = { "endpoint_id", "ep-feature-7", NULL };

    post_to_fake ("/api/2.0/postgres/projects/branch-picker/branches", branch_query,
                  "{\"spec\":{\"source_branch\":\"projects/branch-picker/branches/production\"}}");
    post_to_fake ("/api/2.0/postgres/projects/branch-picker/branches/feature/endpoints", endpoint_query,
                  "{\"spec\":{\"endpoint_type\":\"ENDPOINT_TYPE_READ_WRITE\",\"autoscaling_limit_min_cu\":1,"
                  "\"autoscaling_limit_max_cu\":2}}");
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.check", NULL));
  lb_test_spin_until_func (dropdown_has_three, fixture, 10);
  pick_branch (fixture, "feature", NULL);
  wait_for_plan_branch (page, "feature");
  lb_test_wait_for_label_containing (page, "Read-write endpoint ep-feature-7", 15);
  g_assert_cmpstr (lb_workload_get_endpoint (workload), ==, "ep-feature-7");
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "deploy-branch-existing-endpoint");

  /* Back on production: its own endpoint again. */
  lb_test_spin_until_func (chooser_is_dropdown, fixture, 10);
  pick_branch (fixture, "production", NULL);
  wait_for_plan_branch (page, "production");
  lb_test_wait_for_label_containing (page, "Read-write endpoint primary", 15);
  g_assert_cmpstr (lb_workload_get_endpoint (workload), ==, "primary");
}

/* Secrets in the log ------------------------------------------------------- */

static void
test_no_secret_in_log (void)
{
  g_auto(GStrv) secrets = all_secrets ();
  g_autofree char *log = NULL;

  log = lb_test_dup_captured_log ();

  /* The fake issued database credentials too (Test This Instance). */
  g_assert_cmpuint (g_strv_length (secrets), >=, 4);
  g_assert_cmpuint (strlen (log), >, 0);
  for (guint i = 0; secrets[i] != NULL; i++)
    g_assert_null (strstr (log, secrets[i]));
  g_test_message ("%u secrets checked against %u bytes of log: none found",
                  g_strv_length (secrets), (guint) strlen (log));
}

/* A long initial sync: progress and an extendable deadline ---------------- */

/* Activates @action once its button is enabled (Tear Down waits for the
 * look for what exists that follows a run). */
static void
activate_when_enabled (LbDeployPage *page,
                       const char   *action)
{
  GtkWidget *button = find_action_button (GTK_WIDGET (page), action);

  g_assert_nonnull (button);
  lb_test_spin_until_func (button_sensitive, button, 15);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), action, NULL));
  lb_test_spin_briefly ();
}

typedef struct
{
  GtkWidget  *row;
  const char *text;
} RowLabel;

static void
dump_labels (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget))
    g_test_message ("label: %s", gtk_label_get_label (GTK_LABEL (widget)));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    dump_labels (child);
}

static gboolean
row_shows (gpointer data)
{
  RowLabel *wanted = data;
  static gint64 last;

  if (g_get_monotonic_time () - last > 2 * G_USEC_PER_SEC)
    {
      last = g_get_monotonic_time ();
      g_test_message ("waiting for %s", wanted->text);
      dump_labels (wanted->row);
    }

  return lb_test_find_label_containing (wanted->row, wanted->text) != NULL;
}

static void
test_sync_progress_and_extend (Fixture       *fixture,
                               gconstpointer  data)
{
  LbDeployPage *page = fixture->page;
  LbDeploymentRunner *runner;
  LbDeploymentStep *table = NULL;
  GListModel *steps;
  GtkWidget *row = NULL;
  GtkWidget *extend;
  RowLabel wanted;
  gint64 before;
  g_auto(GStrv) secrets = NULL;

  load_sample (fixture);
  select_profile (page, "DEFAULT");
  /* Snapshots that take a minute: rows rise on every poll. */
  lb_fake_workspace_set_synced_table_ms (fake, 60000);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.run", NULL));
  /* The Change Data Feed check comes first. */
  lb_test_spin_until_func (runner_is_running, page, 10);
  runner = lb_deploy_page_get_runner (page);
  g_object_set (runner, "sync-timeout-s", 600, NULL);
  steps = lb_deployment_runner_get_steps (runner);
  for (guint i = 0; i < g_list_model_get_n_items (steps) && row == NULL; i++)
    {
      g_autoptr(LbDeploymentStep) step = g_list_model_get_item (steps, i);

      if (lb_deployment_step_get_resource (step) != NULL &&
          lb_deployment_resource_get_kind (lb_deployment_step_get_resource (step)) == LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE)
        {
          table = step;
          row = lb_deploy_page_get_step_row (page, i);
        }
    }
  g_assert_nonnull (row);

  /* Rows synced of the estimate and the pipeline's state, not a bare spinner;
   * the deadline it gives up at, with the button that moves it. */
  wanted.row = row;
  wanted.text = "of ~100,000 rows · pipeline PROVISIONING_INITIAL_SNAPSHOT";
  lb_test_spin_until_func (row_shows, &wanted, 30);
  wanted.text = "Gives up in 10 minutes";
  lb_test_spin_until_func (row_shows, &wanted, 5);
  extend = find_action_button (row, "step.extend-deadline");
  g_assert_nonnull (extend);
  g_assert_true (gtk_widget_get_mapped (extend));
  g_assert_true (gtk_widget_is_sensitive (extend));
  scroll_into_view (row);
  lb_test_spin_ms (300);
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "deploy-sync-progress");
  lb_test_save_screenshot (row, "deploy-sync-progress-row");

  /* The button's action: one more hour. */
  before = lb_deployment_step_get_deadline (table);
  g_assert_true (gtk_widget_activate_action (row, "step.extend-deadline", NULL));
  g_assert_cmpint (lb_deployment_step_get_deadline (table) - before, ==, (gint64) 3600 * G_USEC_PER_SEC);
  lb_test_spin_ms (1100);   /* the page's tick redraws the remaining time */
  wanted.text = "Gives up in 70 minutes";   /* 600 s, less the time so far, plus an hour */
  if (!row_shows (&wanted))
    wanted.text = "Gives up in 69 minutes";
  lb_test_spin_until_func (row_shows, &wanted, 5);
  lb_test_save_screenshot (row, "deploy-sync-extended-row");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.cancel", NULL));
  lb_test_spin_until_func (runner_is_idle, page, 10);
  g_assert_false (gtk_widget_get_visible (gtk_widget_get_parent (extend)));
  secrets = all_secrets ();
  assert_no_secret_in_labels (GTK_WIDGET (fixture->window), (const char * const *) secrets);

  /* Finish the deploy, then leave the fake empty for the next test. */
  lb_fake_workspace_set_synced_table_ms (fake, 0);
  activate_when_enabled (page, "deploy.retry");
  lb_test_spin_until_func (runner_is_idle, page, 30);
  activate_when_enabled (page, "deploy.teardown");
  adw_message_dialog_response (find_message_dialog (), "purge");
  lb_test_spin_until_func (runner_is_idle, page, 30);
  g_assert_cmpuint (count_live (page, "compute"), ==, 0);
}

/* Teardown of a project: a soft delete, or for good ------------------------ */

static gboolean
fake_log_has (const char *line)
{
  g_auto(GStrv) log = lb_fake_workspace_dup_log (fake);

  return g_strv_contains ((const char * const *) log, line);
}

static void
deploy_and_confirm_teardown (Fixture    *fixture,
                             const char *response)
{
  LbDeployPage *page = fixture->page;
  AdwMessageDialog *dialog;
  const char *body;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.run", NULL));
  lb_test_spin_until_func (runner_is_idle, page, 30);
  g_assert_cmpuint (count_live (page, "compute"), ==, 1);
  lb_fake_workspace_clear_log (fake);

  activate_when_enabled (page, "deploy.teardown");
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  /* Both choices, each saying what it means. */
  g_assert_true (adw_message_dialog_has_response (dialog, "teardown"));
  g_assert_true (adw_message_dialog_has_response (dialog, "purge"));
  g_assert_cmpstr (adw_message_dialog_get_response_label (dialog, "purge"), ==, "Delete _Permanently");
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "purge"), ==, ADW_RESPONSE_DESTRUCTIVE);
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "teardown"), ==, ADW_RESPONSE_DEFAULT);
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "cancel");
  body = adw_message_dialog_get_body (dialog);
  g_assert_nonnull (strstr (body, "can be restored in the workspace for 7 days"));
  g_assert_nonnull (strstr (body, "This cannot be undone."));
  if (g_str_equal (response, "purge"))
    lb_test_save_screenshot (GTK_WIDGET (dialog), "deploy-teardown-purge-confirm");
  adw_message_dialog_response (dialog, response);
  lb_test_spin_briefly ();
  lb_test_spin_until_func (runner_is_idle, page, 30);
}

static void
test_teardown_purge_choice (Fixture       *fixture,
                            gconstpointer  data)
{
  LbDeployPage *page = fixture->page;

  load_sample (fixture);
  select_profile (page, "DEFAULT");

  /* Cancel: nothing deleted. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.run", NULL));
  lb_test_spin_until_func (runner_is_idle, page, 30);
  lb_fake_workspace_clear_log (fake);
  activate_when_enabled (page, "deploy.teardown");
  adw_message_dialog_response (find_message_dialog (), "cancel");
  lb_test_spin_briefly ();
  g_assert_cmpuint (lb_fake_workspace_count_requests (fake, "DELETE", NULL), ==, 0);

  /* Tear Down: the soft delete, no purge sent. */
  deploy_and_confirm_teardown (fixture, "teardown");
  g_assert_true (fake_log_has ("DELETE /api/2.0/postgres/projects/retail-serving 200"));
  g_assert_false (fake_log_has ("DELETE /api/2.0/postgres/projects/retail-serving?purge=true 200"));
  lb_test_wait_for_label_containing (page, "Deleted: it can be restored for 7 days", 15);
  /* the toast */
  lb_test_wait_for_label_containing (fixture->window, "was torn down: it can be restored for 7 days", 15);

  /* Delete Permanently: purge=true, and the next teardown is soft again. */
  deploy_and_confirm_teardown (fixture, "purge");
  g_assert_true (fake_log_has ("DELETE /api/2.0/postgres/projects/retail-serving?purge=true 200"));
  g_assert_false (fake_log_has ("DELETE /api/2.0/postgres/projects/retail-serving 200"));
  lb_test_wait_for_label_containing (page, "Deleted permanently", 15);
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "deploy-teardown-purged");

  deploy_and_confirm_teardown (fixture, "teardown");
  g_assert_true (fake_log_has ("DELETE /api/2.0/postgres/projects/retail-serving 200"));
  g_assert_cmpuint (count_live (page, "compute"), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *config = NULL;
  int ret;

  /* Before anything reads them: a HOME and a profiles file of our own, and
   * no session bus, so libsecret fails at once (a headless session). */
  config_path = lb_test_isolate_workspace_env ("lb-ui-deploy-XXXXXX");
  tmpdir = g_path_get_dirname (config_path);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/lb-test-bus", TRUE);

  lb_test_capture_log ();

  fake = lb_fake_workspace_new ();
  config = g_strdup_printf ("[DEFAULT]\nhost = %s\ntoken = %s\n\n[staging]\nhost = %s\ntoken = dapi-wrong-token-0000\n",
                            lb_fake_workspace_get_url (fake), lb_fake_workspace_get_token (fake),
                            lb_fake_workspace_get_url (fake));
  g_assert_true (g_file_set_contents (config_path, config, -1, NULL));

  lb_test_gtk_init (&argc, &argv);

  g_test_add ("/ui/deploy/identity", Fixture, NULL, fixture_setup, test_identity, fixture_teardown);
  g_test_add ("/ui/deploy/deploy-test-teardown", Fixture, NULL, fixture_setup, test_deploy, fixture_teardown);
  g_test_add ("/ui/deploy/cancel-and-retry", Fixture, NULL, fixture_setup, test_cancel_and_retry, fixture_teardown);
  g_test_add ("/ui/deploy/typed-token", Fixture, NULL, fixture_setup, test_typed_token, fixture_teardown);
  g_test_add ("/ui/deploy/table-sizes", Fixture, NULL, fixture_setup, test_table_sizes, fixture_teardown);
  g_test_add ("/ui/deploy/plan-error", Fixture, NULL, fixture_setup, test_plan_error, fixture_teardown);
  g_test_add ("/ui/deploy/edit-field-action", Fixture, NULL, fixture_setup, test_edit_field_action,
              fixture_teardown);
  g_test_add ("/ui/deploy/toast-replaced", Fixture, NULL, fixture_setup, test_toast_replaced, fixture_teardown);
  g_test_add ("/ui/deploy/progress-in-view", Fixture, NULL, fixture_setup, test_progress_in_view, fixture_teardown);
  g_test_add ("/ui/deploy/teardown-needs-check", Fixture, NULL, fixture_setup, test_teardown_needs_check,
              fixture_teardown);
  g_test_add ("/ui/deploy/failed-step-readable", Fixture, NULL, fixture_setup, test_failed_step_readable,
              fixture_teardown);
  g_test_add ("/ui/deploy/profile-fallback", Fixture, NULL, fixture_setup, test_profile_fallback, fixture_teardown);
  g_test_add ("/ui/deploy/export-bundle-chooser", Fixture, NULL, fixture_setup, test_export_bundle_chooser,
              fixture_teardown);
  g_test_add ("/ui/deploy/sync-progress-and-extend", Fixture, NULL, fixture_setup, test_sync_progress_and_extend,
              fixture_teardown);
  g_test_add ("/ui/deploy/teardown-purge-choice", Fixture, NULL, fixture_setup, test_teardown_purge_choice,
              fixture_teardown);
  g_test_add ("/ui/deploy/branch-picker", Fixture, NULL, fixture_setup, test_branch_picker, fixture_teardown);
  g_test_add_func ("/ui/deploy/no-secret-in-log", test_no_secret_in_log);

  ret = g_test_run ();

  lb_fake_workspace_free (fake);
  g_unlink (config_path);
  g_rmdir (tmpdir);
  g_free (config_path);
  g_free (tmpdir);

  return ret;
}
