/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The tester window's target "Databricks compute", under Xvfb: picking it
 * shows its rows; the cost, the sizing and the connection warning follow
 * what the user types; a record with a remote section shows a row per
 * worker and, with "Show each worker", one line per worker in the chart.
 * Screenshots go to G_TEST_BUILDDIR/screenshots. */
#include "config.h"

#include <adwaita.h>
#include <math.h>
#include <string.h>

#include "lb-fake-workspace.h"
#include "lb-fake-workspace-jobs.h"
#include "lb-pg-sandbox.h"
#include "lb-price-sheet.h"
#include "lb-remote-plan.h"
#include "lb-tester-window.h"
#include "lb-tester-window-private.h"
#include "lb-test-gtk-utils.h"

static char *profiles_path;

typedef struct
{
  LbTesterWindow *window;
  LbRunSettingsForm *form;
} Fixture;

static gpointer
form_child (Fixture    *fixture,
            const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (fixture->form), LB_TYPE_RUN_SETTINGS_FORM, name);

  g_assert_nonnull (child);
  return child;
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  lb_test_reset_settings ();

  fixture->window = lb_tester_window_new (NULL);
  fixture->form = fixture->window->settings_form;
  lb_test_present_window (GTK_WINDOW (fixture->window), 1280, 900);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  lb_test_spin_ms (150);
}

static const char *
subtitle_of (gpointer row)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
}

/* What the form should say, from the same core functions and the same
 * price sheet, for @workers × @clients over @seconds. */
static char *
expected_cost (const char *node_type,
               guint       workers,
               double      seconds)
{
  g_autoptr(LbPriceSheet) sheet = lb_price_sheet_new_default ();
  LbRemoteCost cost = { 0, };
  char *text;

  g_assert_true (lb_remote_plan_estimate_cost (sheet, node_type, workers, seconds, &cost, NULL));
  text = lb_remote_cost_dup_summary (&cost);
  lb_remote_cost_clear (&cost);
  return text;
}

static void
scroll_to (Fixture    *fixture,
           GtkWidget  *widget)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  graphene_point_t point;

  if (scrolled == NULL)
    return;
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));
  lb_test_spin_ms (100);
  /* From where the widget is now, in the scrolled window, to the content. */
  if (gtk_widget_compute_point (widget, scrolled, &GRAPHENE_POINT_INIT (0, 0), &point))
    {
      GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));

      gtk_adjustment_set_value (adj, MAX (0, gtk_adjustment_get_value (adj) + point.y - 40));
    }
  for (guint i = 0; i < 3; i++)
    {
      gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));
      lb_test_spin_ms (100);
    }
}

static void
test_form (Fixture       *fixture,
           gconstpointer  data)
{
  AdwComboRow *target_row = form_child (fixture, "target_row");
  GtkWidget *remote_group = form_child (fixture, "remote_group");
  GtkWidget *estimate_group = form_child (fixture, "estimate_group");
  AdwComboRow *profile_row = form_child (fixture, "profile_row");
  AdwComboRow *node_type_row = form_child (fixture, "node_type_row");
  GtkSpinButton *workers_spin = form_child (fixture, "workers_spin");
  GtkSpinButton *clients_spin = form_child (fixture, "clients_spin");
  GtkSpinButton *duration_spin = form_child (fixture, "duration_spin");
  GtkSpinButton *warmup_spin = form_child (fixture, "warmup_spin");
  GtkSpinButton *sizing_rate_spin = form_child (fixture, "sizing_rate_spin");
  GtkWidget *use_sizing_button = form_child (fixture, "use_sizing_button");
  GtkWidget *cost_row = form_child (fixture, "cost_row");
  GtkWidget *sizing_row = form_child (fixture, "sizing_row");
  GtkWidget *warning_row = form_child (fixture, "connections_warning_row");
  GtkWidget *conninfo_row = form_child (fixture, "conninfo_row");
  g_autofree char *cost = NULL;
  g_autofree char *sizing = NULL;
  g_autoptr(LbPriceSheet) sheet = lb_price_sheet_new_default ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LbRemoteTarget) target = NULL;
  double per_worker;

  g_assert_false (gtk_widget_get_visible (remote_group));

  /* The user picks the target in the combo: the rows appear, the local
   * connection string goes. */
  gtk_spin_button_set_value (duration_spin, 600);
  gtk_spin_button_set_value (warmup_spin, 0);
  gtk_spin_button_set_value (clients_spin, 100);
  adw_combo_row_set_selected (target_row, 2);
  g_assert_true (lb_run_settings_form_get_target_is_databricks (fixture->form));
  g_assert_true (gtk_widget_get_visible (remote_group));
  g_assert_true (gtk_widget_get_visible (estimate_group));
  g_assert_false (gtk_widget_get_visible (conninfo_row));

  /* The profile from the profiles file, its AWS host picks the AWS node types. */
  g_assert_cmpstr (gtk_string_object_get_string (GTK_STRING_OBJECT (adw_combo_row_get_selected_item (profile_row))),
                   ==, "loadtest");
  g_assert_cmpstr (lb_run_settings_form_get_profile (fixture->form), ==, "loadtest");
  g_assert_cmpstr (lb_run_settings_form_get_node_type (fixture->form), ==,
                   lb_price_sheet_get_jobs_default_node_type (sheet, "aws"));
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (node_type_row)), ==,
                    lb_price_sheet_list_jobs_node_types (sheet, "aws")->len);

  /* 2 workers (the default), 10 min */
  cost = expected_cost ("m5d.xlarge", 2, 600);
  g_assert_cmpstr (subtitle_of (cost_row), ==, cost);
  g_assert_nonnull (strstr (subtitle_of (cost_row), "Cloud VM cost is billed separately by the cloud provider."));
  g_clear_pointer (&cost, g_free);

  /* typing the workers and the duration updates the cost */
  gtk_spin_button_set_value (workers_spin, 4);
  cost = expected_cost ("m5d.xlarge", 4, 600);
  g_assert_cmpstr (subtitle_of (cost_row), ==, cost);
  g_clear_pointer (&cost, g_free);
  gtk_spin_button_set_value (duration_spin, 1800);
  cost = expected_cost ("m5d.xlarge", 4, 1800);
  g_assert_cmpstr (subtitle_of (cost_row), ==, cost);
  g_clear_pointer (&cost, g_free);
  /* another node type */
  for (guint i = 0; i < g_list_model_get_n_items (adw_combo_row_get_model (node_type_row)); i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (adw_combo_row_get_model (node_type_row), i);

      if (g_str_equal (gtk_string_object_get_string (item), "m5d.2xlarge"))
        adw_combo_row_set_selected (node_type_row, i);
    }
  cost = expected_cost ("m5d.2xlarge", 4, 1800);
  g_assert_cmpstr (subtitle_of (cost_row), ==, cost);
  g_clear_pointer (&cost, g_free);

  /* the connection budget: 4 workers × 300 clients is over 1,000 */
  g_assert_false (gtk_widget_get_visible (warning_row));
  gtk_spin_button_set_value (clients_spin, 1200);
  g_assert_true (gtk_widget_get_visible (warning_row));
  g_assert_true (g_str_has_prefix (subtitle_of (warning_row),
                                   "4 workers × 300 clients open 1,200 connections; a Lakebase database accepts 1,000."));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (form_child (fixture, "clients_row"))),
                            "300 per worker"));
  scroll_to (fixture, estimate_group);
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "remote-form-warning");
  gtk_spin_button_set_value (clients_spin, 1000);
  g_assert_false (gtk_widget_get_visible (warning_row));

  /* sizing from the default capacity, then from a remembered one */
  per_worker = lb_remote_capacity_lookup (NULL, sheet, "m5d.2xlarge", NULL);
  gtk_spin_button_set_value (sizing_rate_spin, 500000);
  sizing = lb_remote_plan_dup_sizing_text (500000, per_worker, FALSE, "m5d.2xlarge");
  g_assert_cmpstr (subtitle_of (sizing_row), ==, sizing);
  g_clear_pointer (&sizing, g_free);

  g_assert_true (lb_remote_capacity_remember (NULL, "m5d.2xlarge", 1100, 8, &error));
  g_assert_no_error (error);
  gtk_spin_button_set_value (sizing_rate_spin, 50000);
  g_assert_cmpstr (subtitle_of (sizing_row), ==,
                   "For 50,000 tps you need about 6 workers of m5d.2xlarge (8,800 tps each, measured in an earlier run).");
  g_assert_true (gtk_widget_get_sensitive (use_sizing_button));
  /* the button's activation presses and releases it (a short animation) */
  gtk_widget_activate (use_sizing_button);
  for (guint i = 0; i < 20 && gtk_spin_button_get_value_as_int (workers_spin) != 6; i++)
    lb_test_spin_ms (50);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (workers_spin), ==, 6);
  g_assert_false (gtk_widget_get_sensitive (use_sizing_button));
  cost = expected_cost ("m5d.2xlarge", 6, 1800);
  g_assert_cmpstr (subtitle_of (cost_row), ==, cost);

  /* ready to start once the database and the volume are given */
  g_assert_false (lb_run_settings_form_get_target_ready (fixture->form));
  gtk_editable_set_text (GTK_EDITABLE (form_child (fixture, "database_name_row")), "retail-serving");
  gtk_editable_set_text (GTK_EDITABLE (form_child (fixture, "database_host_row")),
                         "instance-1.database.cloud.databricks.com:6432");
  gtk_editable_set_text (GTK_EDITABLE (form_child (fixture, "volume_row")), "/Volumes/main/default");
  g_assert_false (lb_run_settings_form_get_target_ready (fixture->form));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (form_child (fixture, "volume_row")), "error"));
  gtk_editable_set_text (GTK_EDITABLE (form_child (fixture, "volume_row")), "/Volumes/main/default/runs");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (form_child (fixture, "volume_row")), "error"));
  g_assert_true (lb_run_settings_form_get_target_ready (fixture->form));

  target = lb_run_settings_form_dup_remote_target (fixture->form);
  g_assert_cmpint (target->kind, ==, LB_REMOTE_TARGET_PROVISIONED);
  g_assert_cmpstr (target->instance_name, ==, "retail-serving");
  g_assert_cmpstr (target->host, ==, "instance-1.database.cloud.databricks.com");
  g_assert_cmpuint (target->port, ==, 6432);
  g_assert_null (target->user);

  {
    g_autoptr(LbRunSettings) settings = lb_tester_window_dup_settings (fixture->window);

    g_assert_cmpstr (settings->target_label, ==, "Databricks compute · 6 workers");
  }

  scroll_to (fixture, remote_group);
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "remote-form");
  scroll_to (fixture, estimate_group);
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "remote-form-estimate");

  /* back to the sandbox: the rows go, the clients row says what it did */
  adw_combo_row_set_selected (target_row, 0);
  g_assert_false (gtk_widget_get_visible (remote_group));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (form_child (fixture, "clients_row"))), ==,
                   "Connections running at once");
}

/* A record as LbRemoteRun makes one: 3 workers, one failed with its error
 * and log, a timeline and each worker's share of it. */
static LbRunRecord *
make_remote_record (void)
{
  g_autoptr(LbRunSettings) settings = lb_run_settings_new ();
  g_autoptr(LbRunResult) result = lb_run_result_new ();
  g_autoptr(GDateTime) started = g_date_time_new_now_local ();
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_remote_worker_row_free);
  LbRunRecord *record;
  const guint n = 60;

  settings->clients = 75;
  settings->duration = n;
  g_free (settings->target_label);
  settings->target_label = g_strdup ("Databricks compute · 3 workers");

  for (guint w = 0; w < 3; w++)
    {
      LbRemoteWorkerRow *row = lb_remote_worker_row_new ();

      row->worker = w;
      row->state = g_strdup (w == 2 ? "failed" : "done");
      row->clients_asked = 25;
      row->clients_connected = w == 2 ? 0 : 25;
      row->tps_timeline = g_array_new (FALSE, FALSE, sizeof (double));
      if (w == 2)
        {
          row->error = g_strdup ("The database refused the connection: the cluster's egress must reach "
                                 "instance-1.database.cloud.databricks.com:5432 (check the IP access list).");
          row->log_tail = g_strdup ("pgbench: error: connection to server failed: timeout expired\n"
                                    "pgbench: error: could not create connection for client 0");
        }
      g_ptr_array_add (rows, row);
    }

  for (guint i = 0; i < n; i++)
    {
      LbRunSample sample = { 0 };
      double a = 4000 + 600 * sin (i / 6.0), b = 3500 + 500 * cos (i / 5.0);

      sample.t = i + 1;
      sample.interval = 1;
      sample.clients = 75;
      sample.clients_connected = 50;
      sample.tps = a + b;
      sample.p50_ms = 3 + sin (i / 7.0);
      sample.p95_ms = sample.p50_ms * 2.2;
      sample.p99_ms = sample.p50_ms * 3.5;
      sample.transactions = (guint64) sample.tps;
      g_array_append_val (result->timeline, sample);
      g_array_append_val (((LbRemoteWorkerRow *) rows->pdata[0])->tps_timeline, a);
      g_array_append_val (((LbRemoteWorkerRow *) rows->pdata[1])->tps_timeline, b);
      {
        double zero = 0;
        g_array_append_val (((LbRemoteWorkerRow *) rows->pdata[2])->tps_timeline, zero);
      }
      result->transactions += sample.transactions;
    }
  for (guint w = 0; w < 2; w++)
    {
      LbRemoteWorkerRow *row = rows->pdata[w];

      for (guint i = 0; i < n; i++)
        row->transactions += (guint64) g_array_index (row->tps_timeline, double, i);
      row->duration = n;
      row->tps = row->transactions / (double) n;
      row->p50_ms = 3.1;
      row->p95_ms = 6.8 + w;
      row->p99_ms = 10.4;
    }
  result->duration = n;
  result->tps = result->transactions / (double) n;
  result->clients_asked = 75;
  result->clients_connected_max = 50;

  record = lb_run_record_new ("customer_lookup.sql", NULL, settings, result, started);
  lb_run_record_set_remote (record, rows, "m5d.xlarge", 4242);
  /* 3 tasks of 12 min at 0.69 DBU/h: 0.414 DBU × $0.15 */
  lb_run_record_set_remote_cost (record, 0.414, 0.0621);
  return record;
}

static guint
count_differing_pixels (GBytes *a,
                        GBytes *b)
{
  const guchar *da = g_bytes_get_data (a, NULL), *db = g_bytes_get_data (b, NULL);
  gsize na = g_bytes_get_size (a), nb = g_bytes_get_size (b);
  guint n = 0;

  /* PNG bytes differ wherever the pictures do; a rough but honest count. */
  for (gsize i = 0; i < MIN (na, nb); i++)
    n += da[i] != db[i];
  return n + (guint) (MAX (na, nb) - MIN (na, nb));
}

static void
save_png (GBytes     *png,
          const char *name)
{
  g_autofree char *dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ?: ".", "screenshots", NULL);
  g_autofree char *path = g_strdup_printf ("%s/%s.png", dir, name);

  g_mkdir_with_parents (dir, 0755);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (png, NULL), g_bytes_get_size (png), NULL));
  g_test_message ("screenshot: %s", path);
}

static void
test_results (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(LbRunRecord) record = make_remote_record ();
  g_autoptr(LbRunRecord) reloaded = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) without = NULL;
  g_autoptr(GBytes) with = NULL;
  LbRunResultsView *view = fixture->window->results_view;
  GtkWidget *workers_group = (GtkWidget *) gtk_widget_get_template_child (GTK_WIDGET (view), LB_TYPE_RUN_RESULTS_VIEW,
                                                            "workers_group");
  GtkListBox *workers_list = GTK_LIST_BOX (gtk_widget_get_template_child (GTK_WIDGET (view),
                                                                          LB_TYPE_RUN_RESULTS_VIEW,
                                                                          "workers_list"));
  GtkCheckButton *toggle = GTK_CHECK_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (view),
                                                                            LB_TYPE_RUN_RESULTS_VIEW,
                                                                            "workers_toggle"));
  LbThroughputChart *chart = lb_tester_window_get_chart (fixture->window);
  GtkWidget *failed_row;

  /* through JSON and back, as the history keeps it */
  json = lb_run_record_to_json (record);
  reloaded = lb_run_record_new_from_json (json, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lb_run_record_get_remote_rows (reloaded)->len, ==, 3);
  g_assert_cmpuint (((LbRemoteWorkerRow *) lb_run_record_get_remote_rows (reloaded)->pdata[0])->tps_timeline->len,
                    ==, 60);

  lb_tester_window_show_run (fixture->window, reloaded);
  g_assert_true (gtk_widget_get_visible (workers_group));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (toggle)));
  g_assert_nonnull (gtk_list_box_get_row_at_index (workers_list, 2));
  g_assert_null (gtk_list_box_get_row_at_index (workers_list, 3));
  g_assert_nonnull (lb_test_find_label_containing (workers_group, "3 workers on m5d.xlarge · $0.06 billed in DBUs (0.41 DBU)"));
  g_assert_nonnull (lb_test_find_label_containing (workers_list, "Worker 0 · done"));
  g_assert_nonnull (lb_test_find_label_containing (workers_list, "25 of 25 clients connected"));
  g_assert_nonnull (lb_test_find_label_containing (workers_list, "Worker 2 · failed"));
  g_assert_nonnull (lb_test_find_label_containing (workers_list, "0 of 25 clients connected"));

  /* the failed worker's error and log open under it */
  failed_row = GTK_WIDGET (gtk_list_box_get_row_at_index (workers_list, 2));
  g_assert_true (ADW_IS_EXPANDER_ROW (failed_row));
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (failed_row), TRUE);
  lb_test_spin_ms (300);
  g_assert_nonnull (lb_test_find_label_containing (workers_list, "egress must reach"));
  g_assert_nonnull (lb_test_find_label_containing (workers_list, "could not create connection for client 0"));

  /* the workers' lines: the toggle draws them, the chart changes */
  g_assert_cmpuint (lb_throughput_chart_get_n_workers (chart), ==, 3);
  g_assert_cmpuint (lb_throughput_chart_get_n_worker_points (chart, 0), ==, 60);
  g_assert_false (lb_throughput_chart_get_show_workers (chart));
  without = lb_throughput_chart_render_png (chart, 900, 400, &error);
  g_assert_no_error (error);
  gtk_check_button_set_active (toggle, TRUE);
  g_assert_true (lb_throughput_chart_get_show_workers (chart));
  with = lb_throughput_chart_render_png (chart, 900, 400, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_differing_pixels (without, with), >, 1000);
  save_png (without, "remote-chart-total");
  save_png (with, "remote-chart-workers");

  scroll_to (fixture, workers_group);
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "remote-results-workers");

  /* the history row names the target and the worker count, as kept on disk */
  {
    g_autoptr(LbRunHistory) history = lb_run_history_new (NULL);

    lb_tester_window_set_history (fixture->window, history);
    g_assert_true (lb_run_history_add (history, reloaded, &error));
    g_assert_no_error (error);
    /* the history sits in the header bar's popover: open it as a click does */
    gtk_menu_button_popup (fixture->window->history_button);
    for (guint i = 0; i < 4; i++)
      {
        gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));
        lb_test_spin_ms (100);
      }
    lb_test_save_screenshot (GTK_WIDGET (gtk_menu_button_get_popover (fixture->window->history_button)),
                             "remote-history");
    g_assert_nonnull (lb_test_find_label_containing (lb_tester_window_get_history_view (fixture->window),
                                                     "Databricks\u00a0compute\u00a0·\u00a03\u00a0workers"));
    gtk_menu_button_popdown (fixture->window->history_button);
    for (guint i = 0; i < 4; i++)
      {
        gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));
        lb_test_spin_ms (100);
      }
    g_assert_true (lb_run_history_remove (history, reloaded, &error));
  }

  /* a local run shows no worker rows */
  lb_tester_window_show_run (fixture->window, NULL);
  g_assert_false (gtk_widget_get_visible (workers_group));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (toggle)));
  g_assert_cmpuint (lb_throughput_chart_get_n_workers (chart), ==, 0);
}

/* A live run through the window's Start, on the fake workspace: its Jobs
 * tasks are real runners (python3) running real pgbench against a local
 * server. The live chart gets every worker's line, the rows follow the
 * workers, and the record lands in the results and the history. */
typedef struct
{
  LbRunRecord *record;
  guint        worker_points_live;
} LiveRun;

static void
run_finished_cb (LbTesterWindow *window,
                 LbRunRecord    *record,
                 LiveRun        *live)
{
  g_set_object (&live->record, record);
  live->worker_points_live = lb_throughput_chart_get_n_worker_points (lb_tester_window_get_chart (window), 0);
}

static void
call_sync (LbDatabricksClient *client,
           const char         *method,
           const char         *path,
           const char         *body_json)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) body = body_json != NULL ? json_from_string (body_json, NULL) : NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;

  lb_databricks_client_call_async (client, method, path, NULL, body, LB_CALL_DEFAULT, NULL,
                                   lb_test_async_result_cb, &result);
  answer = lb_databricks_client_call_finish (client, lb_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
}

static void
test_live_run (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(LbPgSandbox) sandbox = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LbDatabricksAuth) auth = NULL;
  g_autoptr(LbDatabricksClient) client = NULL;
  g_autoptr(LbRunHistory) history = NULL;
  g_autoptr(GFile) history_dir = NULL;
  g_autoptr(GFile) script = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("lb-ui-remote-live-XXXXXX", NULL);
  g_autofree char *script_path = NULL;
  g_autofree char *profiles = NULL;
  g_autofree char *host = NULL;
  g_autofree char *port = NULL;
  g_autofree char *host_port = NULL;
  g_autofree char *user = NULL;
  g_autofree char *dbname = NULL;
  g_autofree char *history_path = NULL;
  g_auto(GStrv) submissions = NULL;
  LbFakeWorkspace *fake;
  LiveRun live = { 0, };
  gboolean loaded = FALSE;
  const char *conninfo;
  GPtrArray *rows;
  GtkWidget *workers_group;

  {
    g_autofree char *python = g_find_program_in_path ("python3");
    g_autofree char *pgbench = g_find_program_in_path ("pgbench");

    /* The fake also finds pgbench in the PostgreSQL bin dir. */
    if (python == NULL || (pgbench == NULL && !g_file_test ("/usr/lib/postgresql", G_FILE_TEST_IS_DIR)))
      {
        g_test_skip ("python3 or pgbench is not installed");
        return;
      }
  }

  sandbox = lb_pg_sandbox_new_for_tests (FALSE);
  g_assert_true (lb_pg_sandbox_start (sandbox, NULL, &error));
  g_assert_no_error (error);
  conninfo = lb_pg_sandbox_get_conninfo (sandbox);
  host = lb_test_conninfo_value (conninfo, "host");
  port = lb_test_conninfo_value (conninfo, "port");
  user = lb_test_conninfo_value (conninfo, "user");
  dbname = lb_test_conninfo_value (conninfo, "dbname");
  host_port = port != NULL ? g_strdup_printf ("%s:%s", host, port) : g_strdup (host);

  fake = lb_fake_workspace_new ();
  lb_fake_workspace_set_polls_until_ready (fake, 0);
  lb_fake_workspace_set_pg_host (fake, host);
  auth = lb_databricks_auth_new_for_token (lb_fake_workspace_get_url (fake), lb_fake_workspace_get_token (fake));
  client = lb_databricks_client_new (auth, &error);
  g_assert_no_error (error);
  call_sync (client, "POST", "/api/2.0/database/instances", "{\"name\":\"ui-load\",\"capacity\":\"CU_1\"}");

  /* The profile the form lists points at the fake. */
  profiles = g_strdup_printf ("[loadtest]\nhost = %s\ntoken = %s\n", lb_fake_workspace_get_url (fake),
                              lb_fake_workspace_get_token (fake));
  g_assert_true (g_file_set_contents (profiles_path, profiles, -1, NULL));

  history_path = g_build_filename (tmp, "history", NULL);
  history_dir = g_file_new_for_path (history_path);
  history = lb_run_history_new (history_dir);
  lb_tester_window_set_history (fixture->window, history);

  script_path = lb_test_write_file (tmp, "lookup.sql", "\\set k random(1, 1000)\nSELECT :k;\n");
  script = g_file_new_for_path (script_path);
  lb_tester_window_load_file_async (fixture->window, script, NULL, lb_test_tester_load_done_cb, &loaded);
  lb_test_spin_until (&loaded, 10);

  /* What a user does: pick the target, type the database and the volume. */
  adw_combo_row_set_selected (form_child (fixture, "target_row"), 2);
  gtk_spin_button_set_value (form_child (fixture, "workers_spin"), 2);
  gtk_spin_button_set_value (form_child (fixture, "clients_spin"), 4);
  gtk_spin_button_set_value (form_child (fixture, "duration_spin"), 4);
  gtk_spin_button_set_value (form_child (fixture, "warmup_spin"), 0);
  gtk_editable_set_text (GTK_EDITABLE (form_child (fixture, "database_name_row")), "ui-load");
  gtk_editable_set_text (GTK_EDITABLE (form_child (fixture, "database_host_row")), host_port);
  gtk_editable_set_text (GTK_EDITABLE (form_child (fixture, "database_dbname_row")), dbname);
  gtk_editable_set_text (GTK_EDITABLE (form_child (fixture, "database_user_row")), user);
  gtk_editable_set_text (GTK_EDITABLE (form_child (fixture, "volume_row")), "/Volumes/main/default/loads");
  g_assert_true (lb_run_settings_form_get_target_ready (fixture->form));

  g_signal_connect (fixture->window, "run-finished", G_CALLBACK (run_finished_cb), &live);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "tester.start", NULL));
  g_assert_true (lb_tester_window_get_running (fixture->window));
  g_assert_nonnull (fixture->window->remote_run);

  for (guint i = 0; i < 1200 && live.record == NULL; i++)
    lb_test_spin_ms (100);
  g_assert_nonnull (live.record);
  g_assert_false (lb_tester_window_get_running (fixture->window));

  /* live: each worker's line grew while it ran */
  g_assert_cmpuint (live.worker_points_live, >, 0);
  /* the record: two workers, both done, their rows shown */
  g_assert_true (lb_run_record_is_remote (live.record));
  rows = lb_run_record_get_remote_rows (live.record);
  g_assert_cmpuint (rows->len, ==, 2);
  for (guint i = 0; i < rows->len; i++)
    {
      const LbRemoteWorkerRow *row = g_ptr_array_index (rows, i);

      g_assert_cmpstr (row->state, ==, "done");
      g_assert_cmpuint (row->clients_asked, ==, 2);
      g_assert_cmpuint (row->transactions, >, 0);
    }
  g_assert_true (lb_tester_window_get_record (fixture->window) == live.record);
  workers_group = (GtkWidget *) gtk_widget_get_template_child (GTK_WIDGET (fixture->window->results_view),
                                                                LB_TYPE_RUN_RESULTS_VIEW, "workers_group");
  g_assert_true (gtk_widget_get_visible (workers_group));
  g_assert_nonnull (lb_test_find_label_containing (workers_group, "Worker 1 · done"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 1);

  /* what went to Jobs carries no secret of the user's */
  submissions = lb_fake_workspace_dup_job_submissions (fake);
  g_assert_cmpuint (g_strv_length (submissions), ==, 1);
  g_assert_null (strstr (submissions[0], lb_fake_workspace_get_token (fake)));
  g_assert_null (strstr (submissions[0], "password"));

  scroll_to (fixture, workers_group);
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "remote-live-run");

  g_clear_object (&live.record);
  lb_fake_workspace_free (fake);
  lb_pg_sandbox_stop (sandbox, NULL);
  lb_test_remove_tree (tmp);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *profiles = NULL;
  g_autofree char *home = NULL;
  g_autofree char *data_home = NULL;

  profiles = lb_test_isolate_workspace_env ("lb-ui-remote-XXXXXX");
  profiles_path = profiles;
  home = g_path_get_dirname (profiles);
  data_home = g_build_filename (home, "data", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  {
    g_autofree char *config = g_build_filename (home, "config", NULL);

    g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  }
  /* A PAT profile that never reaches the network: the form only reads it. */
  g_assert_true (g_file_set_contents (profiles,
                                      "[loadtest]\nhost = https://dbc-1234.cloud.databricks.com\ntoken = not-a-real-token\n",
                                      -1, NULL));

  lb_test_gtk_init (&argc, &argv);

  g_test_add ("/ui/remote/form", Fixture, NULL, fixture_setup, test_form, fixture_teardown);
  g_test_add ("/ui/remote/results", Fixture, NULL, fixture_setup, test_results, fixture_teardown);
  g_test_add ("/ui/remote/live-run", Fixture, NULL, fixture_setup, test_live_run, fixture_teardown);

  return g_test_run ();
}
