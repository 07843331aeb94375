/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The tester's Index Advice under Xvfb, on a sandbox of its own: explain a
 * script, tick the advice, Apply and Compare through the button and the
 * confirmation's response, wait for the compared runs and the plans before
 * and after, then Undo from the toast; and closing the window in the middle
 * of a build. Screenshots go to G_TEST_BUILDDIR/screenshots. */
#include "config.h"

#include <adwaita.h>
#include <libpq-fe.h>
#include <string.h>

#include "lb-pg-sandbox.h"
#include "lb-tester-window.h"
#include "lb-tester-window-private.h"
#include "lb-test-gtk-utils.h"

static LbPgSandbox *sandbox;
static const char *conninfo;
static char *tmp_dir;

static const char email_script[] =
  "-- NAME: by_email\n"
  "-- PARAM e = values('customer17@example.com', 'customer4242@example.com', 'customer99999@example.com')\n"
  "SELECT c_customer_id FROM customer WHERE c_email_address = :e;\n"
  "-- NAME: by_key\n"
  "-- PARAM k = random(1, 100000)\n"
  "SELECT c_last_name FROM customer WHERE c_customer_sk = :k;\n";

static const char big_script[] =
  "-- NAME: by_payload\n"
  "-- PARAM p = values('c4ca4238a0b923820dcc509a6f75849b', 'c81e728d9d4c2f636f067f89cc14862c')\n"
  "SELECT g FROM big WHERE payload = :p;\n";

static gboolean
index_exists (const char *name)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM pg_class WHERE relkind = 'i' AND relname = '%s'",
                                          name);

  return lb_test_pg_query_int (conninfo, sql) == 1;
}

static LbTesterWindow *
open_window (const char *name,
             const char *script)
{
  LbTesterWindow *window = lb_tester_window_new (NULL);
  g_autofree char *path = lb_test_write_file (tmp_dir, name, script);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(LbRunSettings) settings = NULL;
  gboolean done = FALSE;

  lb_test_present_window (GTK_WINDOW (window), 1280, 900);
  lb_tester_window_set_sandbox (window, sandbox);
  lb_tester_window_set_target_sandbox (window);
  lb_tester_window_load_file_async (window, file, NULL, lb_test_tester_load_done_cb, &done);
  lb_test_spin_until (&done, 10);

  settings = lb_tester_window_dup_settings (window);
  settings->mode = LB_RUN_MODE_DURATION;
  settings->clients = 2;
  settings->threads = 1;
  settings->duration = 2;
  settings->warmup = 0;
  lb_tester_window_apply_settings (window, settings);
  lb_test_spin_ms (100);
  return window;
}

static gboolean
advice_ready (gpointer data)
{
  LbTesterWindow *window = data;
  LbIndexAdviceView *view = lb_tester_window_get_advice_view (window);

  return lb_index_advice_view_get_advice (view) != NULL;
}

/* tester.explain, as Ctrl+E or the page's button does, then the advice. */
static LbIndexAdviceView *
explain_and_advise (LbTesterWindow *window)
{
  LbIndexAdviceView *view = lb_tester_window_get_advice_view (window);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "tester.explain", NULL));
  lb_test_spin_until_func (advice_ready, window, 120);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (view)));
  lb_test_spin_ms (200);
  return view;
}

static gboolean
dialog_open (gpointer data)
{
  return lb_tester_window_get_index_dialog (LB_TESTER_WINDOW (data)) != NULL;
}

static gboolean
compared (gpointer data)
{
  LbTesterWindow *window = data;

  return !lb_tester_window_get_applying_indexes (window) && lb_tester_window_get_index_toast (window) != NULL;
}

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  if (GTK_IS_BUTTON (widget) && gtk_widget_get_mapped (widget)
      && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
toast_button_shown (gpointer data)
{
  return find_button (GTK_WIDGET (data), "_Undo") != NULL;
}

static gboolean
undone (gpointer data)
{
  LbTesterWindow *window = data;
  LbIndexApplier *applier = lb_tester_window_get_index_applier (window);

  return !lb_tester_window_get_applying_indexes (window) && lb_index_applier_get_created (applier)[0] == NULL;
}

static void
test_apply_and_compare (void)
{
  LbTesterWindow *window = open_window ("email.sql", email_script);
  LbIndexAdviceView *view = explain_and_advise (window);
  GtkCheckButton *check;
  AdwMessageDialog *dialog;
  LbRunRecord *after, *before;
  LbPlanCompareView *compare;
  LbExplainPlan *plan_before, *plan_after;
  gboolean shot_progress = FALSE;
  GtkWidget *button;
  gint64 deadline;

  /* the advice: the missing index, its statement, its prediction */
  g_assert_cmpuint (lb_index_advice_view_get_advice (view)->len, ==, 1);
  g_assert_nonnull (strstr (gtk_label_get_text (lb_index_advice_view_get_statement_label (view, 0)),
                            "CREATE INDEX CONCURRENTLY customer_c_email_address_idx"));
  g_assert_true (gtk_label_get_selectable (lb_index_advice_view_get_statement_label (view, 0)));
  g_test_message ("prediction: %s", lb_index_advice_view_get_prediction (view, 0));
  g_assert_true (strstr (lb_index_advice_view_get_prediction (view, 0), "the plan uses the index") != NULL ||
                 strstr (lb_index_advice_view_get_prediction (view, 0), "hypopg is not installed") != NULL);
  lb_test_save_screenshot (GTK_WIDGET (window), "indexes-advice");

  /* ticking is what enables the button */
  check = lb_index_advice_view_get_check (view, 0);
  if (gtk_check_button_get_active (check))
    gtk_widget_activate (GTK_WIDGET (check));
  lb_test_spin_ms (50);
  g_assert_false (gtk_check_button_get_active (check));
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (lb_index_advice_view_get_apply_button (view))));
  gtk_widget_activate (GTK_WIDGET (check));
  lb_test_spin_ms (50);
  g_assert_true (gtk_check_button_get_active (check));
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (lb_index_advice_view_get_apply_button (view))));

  /* Apply and Compare… asks first */
  gtk_widget_activate (GTK_WIDGET (lb_index_advice_view_get_apply_button (view)));
  lb_test_spin_until_func (dialog_open, window, 5);
  dialog = lb_tester_window_get_index_dialog (window);
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (dialog), "Create 1 Index and Compare?"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "no run to compare with yet"));
  g_assert_true (lb_test_find_label (GTK_WIDGET (dialog), "CREATE INDEX CONCURRENTLY customer_c_email_address_idx"
                                                          " ON lakebase_workload.customer (c_email_address);"));
  for (guint i = 0; i < 4; i++)
    {
      gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));
      lb_test_spin_ms (100);
    }
  lb_test_save_screenshot (GTK_WIDGET (dialog), "indexes-confirm");
  g_assert_false (index_exists ("customer_c_email_address_idx"));
  adw_message_dialog_response (dialog, "apply");

  /* the run before, the index, the plans after, the run after */
  deadline = g_get_monotonic_time () + 180 * G_USEC_PER_SEC;
  while (!compared (window) && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
      if (!shot_progress && lb_index_advice_view_get_busy (view) && lb_tester_window_get_running (window)
          && lb_test_run_get_elapsed (window->run) > 0.5)
        {
          adw_view_stack_set_visible_child_name (lb_tester_window_get_view_stack (window), "plans");
          lb_test_spin_ms (450);   /* two ticks of the progress timer */
          gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
          lb_test_save_screenshot (GTK_WIDGET (window), "indexes-progress");
          shot_progress = TRUE;
        }
      /* the rest of the window stays usable meanwhile */
      g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (window)));
    }
  g_assert_true (compared (window));
  g_assert_true (shot_progress);
  g_assert_true (index_exists ("customer_c_email_address_idx"));

  /* the existing compare view: the run after against the run before */
  after = lb_tester_window_get_record (window);
  before = lb_tester_window_get_compare_record (window);
  g_assert_nonnull (after);
  g_assert_nonnull (before);
  g_assert_true (after != before);
  g_assert_cmpstr (lb_run_record_get_script_name (after), ==, lb_run_record_get_script_name (before));
  g_assert_cmpuint (lb_run_record_get_settings (after)->clients, ==, lb_run_record_get_settings (before)->clients);
  g_assert_cmpfloat (lb_run_record_get_settings (after)->duration, ==, lb_run_record_get_settings (before)->duration);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (lb_tester_window_get_view_stack (window)), ==, "results");
  g_test_message ("tps before %.0f, after %.0f", lb_run_record_get_result (before)->tps,
                  lb_run_record_get_result (after)->tps);
  lb_test_spin_ms (300);
  lb_test_save_screenshot (GTK_WIDGET (window), "indexes-compare-runs");

  /* the plans before and after, of the query the index serves */
  compare = lb_tester_window_get_plan_compare_view (window);
  g_assert_cmpuint (lb_plan_compare_view_get_n_queries (compare), ==, 1);
  g_assert_cmpstr (lb_plan_compare_view_get_query_name (compare), ==, "by_email");
  plan_before = lb_plan_view_get_plan (lb_plan_compare_view_get_before_view (compare));
  plan_after = lb_plan_view_get_plan (lb_plan_compare_view_get_after_view (compare));
  g_assert_nonnull (plan_before);
  g_assert_nonnull (plan_after);
  g_assert_false (lb_explain_plan_uses_index (plan_before, "customer_c_email_address_idx"));
  g_assert_true (lb_explain_plan_uses_index (plan_after, "customer_c_email_address_idx"));
  g_assert_nonnull (strstr (lb_plan_compare_view_get_summary (compare), "the plan changed"));
  adw_view_stack_set_visible_child_name (lb_tester_window_get_view_stack (window), "compare-plans");
  lb_test_spin_ms (300);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  lb_test_save_screenshot (GTK_WIDGET (window), "indexes-before");
  lb_plan_compare_view_show_after (compare, TRUE);
  lb_test_spin_ms (300);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  lb_test_save_screenshot (GTK_WIDGET (window), "indexes-after");

  /* Undo, from the toast's button */
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (window)));
  lb_test_spin_until_func (toast_button_shown, window, 5);
  button = find_button (GTK_WIDGET (window), "_Undo");
  gtk_widget_activate (button);
  lb_test_spin_until_func (undone, window, 60);
  g_assert_false (index_exists ("customer_c_email_address_idx"));
  g_assert_true (index_exists ("store_sales_customer_idx"));   /* there before: untouched */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (lb_index_advice_view_get_undo_button (view))));

  gtk_window_destroy (GTK_WINDOW (window));
  lb_test_spin_ms (200);
}

static gboolean
building (gpointer data)
{
  LbTesterWindow *window = data;
  LbIndexApplier *applier = lb_tester_window_get_index_applier (window);
  const char *phase = applier != NULL ? lb_index_applier_get_server_phase (applier) : NULL;

  return phase != NULL && g_str_has_prefix (phase, "building index");
}

static gboolean
applier_stopped (gpointer data)
{
  return !lb_index_applier_get_running (LB_INDEX_APPLIER (data));
}

static void
test_close_while_building (void)
{
  LbTesterWindow *window = open_window ("big.sql", big_script);
  LbIndexAdviceView *view = explain_and_advise (window);
  g_autoptr(LbIndexApplier) applier = NULL;
  AdwMessageDialog *dialog;

  g_assert_cmpuint (lb_index_advice_view_get_advice (view)->len, ==, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "tester.apply-indexes", NULL));
  lb_test_spin_until_func (dialog_open, window, 5);
  dialog = lb_tester_window_get_index_dialog (window);
  adw_message_dialog_response (dialog, "apply");

  lb_test_spin_until_func (building, window, 120);
  g_assert_nonnull (strstr (lb_index_advice_view_get_progress_title (view), "Creating index 1 of 1: big_payload_idx"));
  lb_test_save_screenshot (GTK_WIDGET (window), "indexes-building");
  applier = g_object_ref (lb_tester_window_get_index_applier (window));

  /* closing cancels: the build stops and its invalid index goes */
  gtk_window_close (GTK_WINDOW (window));
  lb_test_spin_until_func (applier_stopped, applier, 60);
  g_assert_null (lb_index_applier_get_created (applier)[0]);
  g_assert_false (index_exists ("big_payload_idx"));
  g_assert_cmpint (lb_test_pg_query_int (conninfo, "SELECT count(*) FROM pg_index WHERE NOT indisvalid"), ==, 0);
  lb_test_spin_ms (200);
}

/* The progress block's Cancel button: the build stops, its invalid index
 * goes and the window stays usable for another try. */
static void
test_cancel_while_building (void)
{
  LbTesterWindow *window = open_window ("big.sql", big_script);
  LbIndexAdviceView *view = explain_and_advise (window);
  g_autoptr(LbIndexApplier) applier = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *cancel;

  g_assert_cmpuint (lb_index_advice_view_get_advice (view)->len, ==, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "tester.apply-indexes", NULL));
  lb_test_spin_until_func (dialog_open, window, 5);
  dialog = lb_tester_window_get_index_dialog (window);
  adw_message_dialog_response (dialog, "apply");

  lb_test_spin_until_func (building, window, 120);
  applier = g_object_ref (lb_tester_window_get_index_applier (window));
  cancel = find_button (GTK_WIDGET (window), "_Cancel");
  g_assert_nonnull (cancel);
  g_signal_emit_by_name (cancel, "clicked");
  lb_test_spin_until_func (applier_stopped, applier, 60);
  g_assert_null (lb_index_applier_get_created (applier)[0]);
  g_assert_false (index_exists ("big_payload_idx"));
  g_assert_cmpint (lb_test_pg_query_int (conninfo, "SELECT count(*) FROM pg_index WHERE NOT indisvalid"), ==, 0);
  lb_test_spin_ms (200);
  /* nothing is left under way: Apply and Compare can be chosen again */
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (window)));
  g_assert_false (lb_index_applier_get_running (applier));
  gtk_window_destroy (GTK_WINDOW (window));
  lb_test_spin_ms (200);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *home = NULL;
  int status;

  home = g_dir_make_tmp ("lb-ui-indexes-home-XXXXXX", NULL);
  {
    g_autofree char *data = g_build_filename (home, "data", NULL);
    g_autofree char *cache = g_build_filename (home, "cache", NULL);

    g_setenv ("XDG_DATA_HOME", data, TRUE);
    g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  }
  lb_test_gtk_init (&argc, &argv);

  g_test_add_func ("/ui/indexes/apply-and-compare", test_apply_and_compare);
  g_test_add_func ("/ui/indexes/cancel-while-building", test_cancel_while_building);
  g_test_add_func ("/ui/indexes/close-while-building", test_close_while_building);

  tmp_dir = g_dir_make_tmp ("lb-ui-indexes-XXXXXX", &error);
  g_assert_no_error (error);
  sandbox = lb_pg_sandbox_new_for_tests (TRUE);
  if (!lb_pg_sandbox_start (sandbox, NULL, &error))
    g_error ("the test sandbox did not start: %s", error->message);
  conninfo = lb_pg_sandbox_get_conninfo (sandbox);
  lb_test_pg_exec (conninfo, "CREATE TABLE big AS SELECT g, md5 (g::text) AS payload"
                             "  FROM generate_series (1, 3000000) g");
  lb_test_pg_exec (conninfo, "ANALYZE big");

  status = g_test_run ();

  if (!lb_pg_sandbox_stop (sandbox, &error))
    g_warning ("the test sandbox did not stop: %s", error->message);
  g_clear_object (&sandbox);
  lb_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  lb_test_remove_tree (home);
  return status;
}
