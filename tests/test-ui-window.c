/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Drives the real main window under Xvfb: types into the calculator, checks
 * that the report widgets follow, opens/saves/exports files, and saves a
 * screenshot of each main view into the build directory. */
#include "config.h"

#include <adwaita.h>

#include "lb-application.h"
#include "lb-calculator-page.h"
#include "lb-synced-table-row.h"
#include "lb-test-gtk-utils.h"
#include "lb-window.h"

typedef struct
{
  LbWindow         *window;
  LbCalculatorPage *page;
  char             *tmpdir;
} Fixture;

static guint
count_widgets_of_type (GtkWidget *widget,
                       GType      type)
{
  guint n = G_TYPE_CHECK_INSTANCE_TYPE (widget, type) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_widgets_of_type (child, type);

  return n;
}

static void
set_entry (LbCalculatorPage *page,
           const char       *section,
           const char       *key,
           const char       *text)
{
  GtkWidget *entry = lb_calculator_page_get_field_widget (page, section, key);

  g_assert_true (GTK_IS_EDITABLE (entry));
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  lb_test_spin_briefly ();
}

static const char *
entry_text (LbCalculatorPage *page,
            const char       *section,
            const char       *key)
{
  GtkWidget *entry = lb_calculator_page_get_field_widget (page, section, key);

  g_assert_true (GTK_IS_EDITABLE (entry));
  return gtk_editable_get_text (GTK_EDITABLE (entry));
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  /* Every test starts from the schema's defaults. */
  lb_test_reset_settings ();

  fixture->tmpdir = g_dir_make_tmp ("lb-ui-XXXXXX", NULL);
  fixture->window = lb_window_new (NULL);
  lb_test_present_window (GTK_WINDOW (fixture->window), 1180, 860);
  fixture->page = lb_window_get_calculator_page (fixture->window);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  lb_test_remove_tree (fixture->tmpdir);
  g_free (fixture->tmpdir);

  if (fixture->window != NULL)
    gtk_window_destroy (GTK_WINDOW (fixture->window));
  lb_test_spin_briefly ();
}

static void
test_live_report (Fixture       *fixture,
                  gconstpointer  data)
{
  LbCalculatorPage *page = fixture->page;
  LbWorkload *workload = lb_calculator_page_get_workload (page);
  LbCostReport *report;
  double first_total;

  report = lb_calculator_page_get_report (page);
  g_assert_nonnull (report);
  g_assert_cmpuint (report->breakdown.recommended_cu, ==, 1);
  first_total = report->breakdown.total_monthly_cost;
  g_assert_true (lb_test_find_label (GTK_WIDGET (page), "1 CU"));

  /* The worked example of the cost model, typed field by field. */
  set_entry (page, "database_instance", "reads_per_second", "12000");
  set_entry (page, "database_instance", "continuous_writes_per_second", "600");
  set_entry (page, "database_instance", "number_of_readable_secondaries", "1");
  set_entry (page, "database_storage", "data_stored_gb", "300");
  set_entry (page, "delta_synchronization", "number_of_continuous_pipelines", "1");
  set_entry (page, "delta_synchronization", "expected_data_per_sync_gb", "40");
  lb_workload_set_sync_mode (workload, LB_SYNC_MODE_TRIGGERED);
  lb_workload_set_sync_frequency (workload, LB_SYNC_FREQUENCY_PER_WEEK);
  lb_test_spin_briefly ();

  g_assert_cmpfloat (lb_workload_get_reads_per_second (workload), ==, 12000);
  report = lb_calculator_page_get_report (page);
  g_assert_cmpuint (report->breakdown.recommended_cu, ==, 2);
  g_assert_cmpfloat (report->breakdown.total_monthly_cost, !=, first_total);

  /* The widgets show the new report, not just the model. */
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));
  g_assert_true (lb_test_find_label (GTK_WIDGET (page), "2 CU"));
  g_assert_true (lb_test_find_label (GTK_WIDGET (page), "$1,540.33"));
  g_assert_true (lb_test_find_label (GTK_WIDGET (page), "$875.00") || lb_test_find_label (GTK_WIDGET (page), "$583.33"));

  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "calculator");
}

static void
test_invalid_input_kept (Fixture       *fixture,
                         gconstpointer  data)
{
  LbCalculatorPage *page = fixture->page;
  LbWorkload *workload = lb_calculator_page_get_workload (page);
  GtkWidget *entry;

  set_entry (page, "database_instance", "reads_per_second", "5000");
  g_assert_cmpfloat (lb_workload_get_reads_per_second (workload), ==, 5000);

  entry = lb_calculator_page_get_field_widget (page, "database_instance", "reads_per_second");
  set_entry (page, "database_instance", "reads_per_second", "-5");
  g_assert_true (gtk_widget_has_css_class (entry, "error"));
  g_assert_cmpstr (entry_text (page, "database_instance", "reads_per_second"), ==, "-5");
  g_assert_cmpfloat (lb_workload_get_reads_per_second (workload), ==, 5000);
  g_assert_nonnull (gtk_widget_get_tooltip_text (entry));

  set_entry (page, "database_instance", "reads_per_second", "lots");
  g_assert_true (gtk_widget_has_css_class (entry, "error"));
  g_assert_cmpstr (entry_text (page, "database_instance", "reads_per_second"), ==, "lots");

  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "calculator-invalid-input");

  set_entry (page, "database_instance", "reads_per_second", "25000");
  g_assert_false (gtk_widget_has_css_class (entry, "error"));
  g_assert_cmpfloat (lb_workload_get_reads_per_second (workload), ==, 25000);
  g_assert_cmpuint (lb_calculator_page_get_report (page)->breakdown.recommended_cu, ==, 4);
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

static gboolean
window_not_modified (gpointer data)
{
  return !lb_window_get_modified (data);
}

static gboolean
file_is_written (gpointer data)
{
  g_autofree char *contents = NULL;

  return g_file_get_contents (data, &contents, NULL, NULL) && contents[0] != '\0';
}

static gboolean
shows_instance_name (gpointer data)
{
  return g_strcmp0 (entry_text (data, "lakebase_accelerator", "instance_name"), "retail-serving") == 0;
}

static void
test_open_save_export (Fixture       *fixture,
                       gconstpointer  data)
{
  LbCalculatorPage *page = fixture->page;
  g_autofree char *sample = g_build_filename (g_getenv ("LB_SAMPLES_DIR"), "workload.yml", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (sample);
  g_autofree char *saved_path = g_build_filename (fixture->tmpdir, "saved.yml", NULL);
  g_autofree char *json_path = g_build_filename (fixture->tmpdir, "report.json", NULL);
  g_autofree char *csv_path = g_build_filename (fixture->tmpdir, "report.csv", NULL);
  g_autoptr(GFile) saved = g_file_new_for_path (saved_path);
  g_autoptr(GFile) json_file = g_file_new_for_path (json_path);
  g_autoptr(GFile) csv_file = g_file_new_for_path (csv_path);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = NULL;
  g_autoptr(LbWorkload) reloaded = NULL;
  JsonObject *root;
  GtkWidget *tables_list;

  /* Every file goes through the chooser the user sees (the seam answers it),
   * started by the action the menu item and shortcut trigger. */
  lb_test_queue_chooser_answer (file);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.open", NULL);
  lb_test_wait_for_choosers ();
  g_assert_cmpstr (lb_test_last_chooser_title (), ==, "Open Workload");
  lb_test_spin_until_func (shows_instance_name, page, 10);
  lb_test_spin_briefly ();

  g_assert_cmpstr (entry_text (page, "database_instance", "reads_per_second"), ==, "8000");
  g_assert_cmpstr (entry_text (page, "database_storage", "data_stored_gb"), ==, "420");
  g_assert_cmpstr (entry_text (page, "lakebase_accelerator", "instance_name"), ==, "retail-serving");
  g_assert_false (lb_window_get_modified (fixture->window));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (fixture->window)), ==, "workload.yml");

  /* Three tables from the sample, one row each. */
  tables_list = GTK_WIDGET (page);
  g_assert_cmpuint (count_widgets_of_type (tables_list, LB_TYPE_SYNCED_TABLE_ROW), ==, 3);
  g_assert_true (lb_test_find_label (GTK_WIDGET (page), "retail.serving.orders"));

  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "calculator-sample");

  /* Edit, then the title shows unsaved changes until the save. */
  set_entry (page, "database_instance", "reads_per_second", "9000");
  g_assert_true (lb_window_get_modified (fixture->window));

  /* A dismissed chooser writes nothing and keeps the changes marked. */
  lb_test_queue_chooser_answer (NULL);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.save-as", NULL);
  lb_test_wait_for_choosers ();
  g_assert_cmpstr (lb_test_last_chooser_name (), ==, "workload.yml");
  lb_test_spin_ms (100);
  g_assert_false (g_file_query_exists (saved, NULL));
  g_assert_true (lb_window_get_modified (fixture->window));

  lb_test_queue_chooser_answer (saved);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.save-as", NULL);
  lb_test_wait_for_choosers ();
  lb_test_spin_until_func (window_not_modified, fixture->window, 10);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (fixture->window)), ==, "saved.yml");

  reloaded = lb_workload_new_from_file (saved, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (lb_workload_get_reads_per_second (reloaded), ==, 9000);
  g_assert_cmpuint (g_list_model_get_n_items (lb_workload_get_tables (reloaded)), ==, 3);

  lb_test_queue_chooser_answer (json_file);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.export-json", NULL);
  lb_test_wait_for_choosers ();
  g_assert_cmpstr (lb_test_last_chooser_name (), ==, "saved-cost-report.json");
  lb_test_spin_until_func (file_is_written, json_path, 10);
  json_parser_load_from_file (parser, json_path, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_has_member (root, "cost_breakdown"));
  g_assert_true (json_object_has_member (root, "autoscaling"));
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (json_object_get_object_member (root, "workload_config"),
                                                                 "reads_per_second"), 9000, 1e-9);

  lb_test_queue_chooser_answer (csv_file);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.export-csv", NULL);
  lb_test_wait_for_choosers ();
  lb_test_spin_until_func (file_is_written, csv_path, 10);
  g_file_get_contents (csv_path, &csv, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strchr (csv, ','));
  g_assert_cmpuint (strlen (csv), >, 40);
}

static void
test_add_and_remove_table (Fixture       *fixture,
                           gconstpointer  data)
{
  LbCalculatorPage *page = fixture->page;
  LbWorkload *workload = lb_calculator_page_get_workload (page);
  GListModel *tables = lb_workload_get_tables (workload);
  g_autoptr(LbSyncedTable) table = NULL;
  GType row_type = LB_TYPE_SYNCED_TABLE_ROW;

  g_assert_cmpuint (g_list_model_get_n_items (tables), ==, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "calculator.add-table", NULL));
  lb_test_spin_briefly ();
  g_assert_cmpuint (g_list_model_get_n_items (tables), ==, 1);
  g_assert_cmpuint (count_widgets_of_type (GTK_WIDGET (page), row_type), ==, 1);

  table = g_list_model_get_item (tables, 0);
  lb_synced_table_set_name (table, "main.sales.orders");
  lb_synced_table_set_scheduling_policy (table, LB_SYNC_MODE_TRIGGERED);
  {
    const char *keys[] = { "order_id", NULL };
    lb_synced_table_set_primary_keys (table, keys);
  }
  lb_test_spin_briefly ();
  g_assert_true (lb_test_find_label (GTK_WIDGET (page), "main.sales.orders"));

  /* The row on screen is bound to the table in the model. */
  {
    GtkListBoxRow *row = NULL;
    GtkWidget *found = NULL;

    for (GtkWidget *w = GTK_WIDGET (page); w != NULL && found == NULL; )
      {
        if (LB_IS_SYNCED_TABLE_ROW (w))
          found = w;
        else if (gtk_widget_get_first_child (w) != NULL)
          w = gtk_widget_get_first_child (w);
        else
          {
            while (w != NULL && gtk_widget_get_next_sibling (w) == NULL)
              w = gtk_widget_get_parent (w);
            if (w != NULL)
              w = gtk_widget_get_next_sibling (w);
          }
      }
    row = GTK_LIST_BOX_ROW (found);
    g_assert_nonnull (row);
    g_assert_true (lb_synced_table_row_get_table (LB_SYNCED_TABLE_ROW (row)) == table);
  }

  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "calculator-table");

  lb_workload_remove_table (workload, 0);
  lb_test_spin_briefly ();
  g_assert_cmpuint (count_widgets_of_type (GTK_WIDGET (page), row_type), ==, 0);
}

/* What was typed survives closing the window: the values come back, and the
 * title says they differ from the file they came from. */
static void
test_values_survive_restart (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *sample = g_build_filename (g_getenv ("LB_SAMPLES_DIR"), "workload.yml", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (sample);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  LbWindow *second;
  LbCalculatorPage *page;
  gboolean done = FALSE;
  gint64 deadline;

  lb_window_load_file_async (fixture->window, file, NULL, load_done_cb, &done);
  lb_test_spin_until (&done, 10);
  set_entry (fixture->page, "database_instance", "reads_per_second", "7777");
  g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *) &fixture->window);
  gtk_window_close (GTK_WINDOW (fixture->window));
  lb_test_spin_briefly ();
  g_assert_null (fixture->window);

  {
    g_autofree char *kept = g_settings_get_string (settings, "last-workload");
    g_assert_nonnull (strstr (kept, "7777"));
  }

  second = lb_window_new (NULL);
  gtk_window_present (GTK_WINDOW (second));
  page = lb_window_get_calculator_page (second);
  g_assert_cmpstr (entry_text (page, "database_instance", "reads_per_second"), ==, "7777");
  g_assert_cmpstr (entry_text (page, "database_storage", "data_stored_gb"), ==, "420");

  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (!lb_window_get_modified (second) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (lb_window_get_modified (second));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (second)), ==, "• workload.yml");

  gtk_window_destroy (GTK_WINDOW (second));
}

static void
test_views (Fixture       *fixture,
            gconstpointer  data)
{
  static const char *pages[] = { "deploy", "test", "calculator" };
  g_autofree char *sample = g_build_filename (g_getenv ("LB_SAMPLES_DIR"), "workload.yml", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (sample);
  gboolean done = FALSE;

  /* The views as a person first sees them with the sample workload open. */
  lb_window_load_file_async (fixture->window, file, NULL, load_done_cb, &done);
  lb_test_spin_until (&done, 10);

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-page", "s", pages[i]));
      lb_test_spin_briefly ();
      {
        g_autofree char *name = g_strconcat ("view-", pages[i], NULL);
        lb_test_save_screenshot (GTK_WIDGET (fixture->window), name);
      }
    }

  /* Dark mode: the chart's text and the cards follow the theme. */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  lb_test_spin_briefly ();
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "view-calculator-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
}

static gboolean
shows_error_dialog (gpointer data)
{
  GtkWidget **dialog = data;
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (window))
        *dialog = window;
    }

  return *dialog != NULL;
}

/* Save rewrites only the edited line of a commented file; an empty file is
 * refused with the loader's message and the form keeps its values. */
static void
test_save_keeps_comments (Fixture       *fixture,
                          gconstpointer  data)
{
  static const char original[] =
    "# Pilot sizing, reviewed with the DBA team\n"
    "database_instance:\n"
    "  reads_per_second: 8000        # point lookups from the shop\n"
    "  bulk_writes_per_second: 2000  # nightly backfill\n"
    "\n"
    "database_storage:\n"
    "  data_stored_gb: 420\n"
    "lakebase_accelerator:\n"
    "  instance_name: 'retail-serving'   # quoted on purpose\n"
    "# end\n";
  g_autofree char *path = g_build_filename (fixture->tmpdir, "pilot.lakebase.yml", NULL);
  g_autofree char *blank_path = g_build_filename (fixture->tmpdir, "blank.lakebase.yml", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) blank = g_file_new_for_path (blank_path);
  g_autofree char *saved = NULL;
  g_auto(GStrv) saved_lines = NULL;
  g_auto(GStrv) original_lines = g_strsplit (original, "\n", -1);
  GtkWidget *dialog = NULL;

  g_assert_true (g_file_set_contents (path, original, -1, NULL));
  g_assert_true (g_file_set_contents (blank_path, "# to be filled in\n\n", -1, NULL));

  lb_test_queue_chooser_answer (file);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.open", NULL);
  lb_test_wait_for_choosers ();
  lb_test_spin_until_func (shows_instance_name, fixture->page, 10);
  g_assert_cmpstr (entry_text (fixture->page, "database_instance", "reads_per_second"), ==, "8000");

  set_entry (fixture->page, "database_instance", "reads_per_second", "9500");
  g_assert_true (lb_window_get_modified (fixture->window));
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.save", NULL);
  lb_test_spin_until_func (window_not_modified, fixture->window, 10);

  /* Line by line: the edited one changed, comments and quotes did not. */
  g_assert_true (g_file_get_contents (path, &saved, NULL, NULL));
  saved_lines = g_strsplit (saved, "\n", -1);
  g_assert_cmpuint (g_strv_length (saved_lines), ==, g_strv_length (original_lines));
  for (guint i = 0; original_lines[i] != NULL; i++)
    {
      if (i == 2)
        g_assert_cmpstr (saved_lines[i], ==, "  reads_per_second: 9500        # point lookups from the shop");
      else
        g_assert_cmpstr (saved_lines[i], ==, original_lines[i]);
    }

  /* An empty workload file is refused where the user sees it. */
  lb_test_queue_chooser_answer (blank);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.open", NULL);
  lb_test_wait_for_choosers ();
  lb_test_spin_until_func (shows_error_dialog, &dialog, 10);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Could Not Open “blank.lakebase.yml”");
  g_assert_cmpstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "blank.lakebase.yml is empty: no workload in it");
  lb_test_spin_briefly ();
  lb_test_save_screenshot (dialog, "open-empty-workload");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "close");
  lb_test_spin_briefly ();

  g_assert_cmpstr (entry_text (fixture->page, "database_instance", "reads_per_second"), ==, "9500");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (fixture->window)), ==, "pilot.lakebase.yml");
  g_assert_false (lb_window_get_modified (fixture->window));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = g_dir_make_tmp ("lb-ui-window-home-XXXXXX", NULL);
  g_autofree char *data_home = g_build_filename (home, "data", NULL);
  g_autofree char *cache_home = g_build_filename (home, "cache", NULL);
  g_autofree char *config_home = g_build_filename (home, "config", NULL);

  /* Never the user's own files: no real ~/.databrickscfg, run history or sandbox. */
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("XDG_CACHE_HOME", cache_home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);
  g_unsetenv ("DATABRICKS_CONFIG_FILE");

  lb_test_gtk_init (&argc, &argv);

  g_test_add ("/ui/window/live-report", Fixture, NULL, fixture_setup, test_live_report, fixture_teardown);
  g_test_add ("/ui/window/invalid-input-kept", Fixture, NULL, fixture_setup, test_invalid_input_kept, fixture_teardown);
  g_test_add ("/ui/window/open-save-export", Fixture, NULL, fixture_setup, test_open_save_export, fixture_teardown);
  g_test_add ("/ui/window/add-remove-table", Fixture, NULL, fixture_setup, test_add_and_remove_table, fixture_teardown);
 g_test_add ("/ui/window/values-survive-restart", Fixture, NULL, fixture_setup, test_values_survive_restart, fixture_teardown);
  g_test_add ("/ui/window/views", Fixture, NULL, fixture_setup, test_views, fixture_teardown);
  g_test_add ("/ui/window/save-keeps-comments", Fixture, NULL, fixture_setup, test_save_keeps_comments, fixture_teardown);

  {
    int status = g_test_run ();

    lb_test_remove_tree (home);
    return status;
  }
}
