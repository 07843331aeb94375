/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Drives the real main window under Xvfb: types into the calculator, checks
 * that the report widgets follow, opens/saves/exports files, and saves a
 * screenshot of each main view into the build directory. */
#include "config.h"

#include <adwaita.h>

#include "lb-application.h"
#include "lb-calculator-page.h"
#include "lb-cost-bar.h"
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

  /* A workload not saved yet is offered under our own file type. */
  lb_test_queue_chooser_answer (NULL);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.save-as", NULL);
  lb_test_wait_for_choosers ();
  g_assert_true (g_str_has_suffix (lb_test_last_chooser_name (), ".lakebase.yml"));

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

/* Issue #10 ---------------------------------------------------------------- */

static gboolean
test_load_file (Fixture    *fixture,
                const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  gboolean done = FALSE;

  lb_window_load_file_async (fixture->window, file, NULL, load_done_cb, &done);
  lb_test_spin_until (&done, 10);
  lb_test_spin_briefly ();
  return done;
}

static char *
copy_sample (Fixture    *fixture,
             const char *extra)
{
  g_autofree char *sample = g_build_filename (g_getenv ("LB_SAMPLES_DIR"), "workload.yml", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *joined = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (sample, &contents, NULL, &error);
  g_assert_no_error (error);
  joined = g_strconcat (contents, extra, NULL);
  return lb_test_write_file (fixture->tmpdir, "workload.yml", joined);
}

static GtkWidget *
focused_widget (Fixture *fixture)
{
  return gtk_root_get_focus (GTK_ROOT (fixture->window));
}

static gboolean
focus_is_in (Fixture   *fixture,
             GtkWidget *widget)
{
  GtkWidget *focus = focused_widget (fixture);

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

/* A preferences row on screen with @title, of @type. */
static GtkWidget *
find_row (GtkWidget  *widget,
          GType       type,
          const char *title)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) && gtk_widget_get_mapped (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row (child, type, title);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static GtkWidget *
find_label_widget (GtkWidget  *widget,
                   const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label_widget (child, text);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label,
             const char *icon_name,
             const char *action_name)
{
  if (GTK_IS_BUTTON (widget) && gtk_widget_get_mapped (widget) &&
      (label == NULL || g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0) &&
      (icon_name == NULL || g_strcmp0 (gtk_button_get_icon_name (GTK_BUTTON (widget)), icon_name) == 0) &&
      (action_name == NULL || g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action_name) == 0))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label, icon_name, action_name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
collect_widgets_of_type (GtkWidget *widget,
                         GType      type,
                         GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    g_ptr_array_add (found, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_widgets_of_type (child, type, found);
}

/* Scrolls the form so that @widget sits near the top, for a screenshot. */
static void
scroll_into_view (GtkWidget *widget)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  graphene_point_t point;

  g_assert_true (gtk_widget_compute_point (widget, gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller)),
                                           &GRAPHENE_POINT_INIT (0, 0), &point));
  gtk_adjustment_set_value (adjustment, point.y - 80);
  lb_test_spin_briefly ();
}

static gboolean
file_has_contents (const char *path,
                   const char *expected)
{
  g_autofree char *contents = NULL;

  return g_file_get_contents (path, &contents, NULL, NULL) && g_strcmp0 (contents, expected) == 0;
}

/* Item 2: Save, Save As, Export and Copy Summary refuse while a field is
 * red, name the fields in a toast and focus the first of them. */
static void
test_save_refused_while_invalid (Fixture       *fixture,
                                 gconstpointer  data)
{
  LbCalculatorPage *page = fixture->page;
  g_autofree char *path = copy_sample (fixture, "");
  g_autofree char *before = NULL;
  g_autofree char *json_path = g_build_filename (fixture->tmpdir, "report.json", NULL);
  g_autoptr(GFile) json_file = g_file_new_for_path (json_path);
  g_autoptr(LbWorkload) reloaded = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *reads = lb_calculator_page_get_field_widget (page, "database_instance", "reads_per_second");
  GtkWidget *stored = lb_calculator_page_get_field_widget (page, "database_storage", "data_stored_gb");
  const char *expected_toast = "Not saved: fix Reads, Promotion, Data stored first";

  g_assert_true (test_load_file (fixture, path));
  g_file_get_contents (path, &before, NULL, &error);
  g_assert_no_error (error);

  set_entry (page, "database_instance", "reads_per_second", "abc");
  set_entry (page, "database_instance", "promotion_percentage", "150");
  set_entry (page, "database_storage", "data_stored_gb", "-5");
  gtk_widget_grab_focus (stored);
  lb_test_spin_briefly ();

  /* Ctrl+S runs win.save: nothing is written, the toast says why. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.save", NULL));
  lb_test_spin_ms (300);
  g_assert_true (file_has_contents (path, before));
  g_assert_true (lb_test_find_label (GTK_WIDGET (fixture->window), expected_toast));
  g_assert_true (focus_is_in (fixture, reads));
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "calculator-save-refused");

  /* Save As and the exports refuse before any chooser opens (the seam
   * fails the test if one does). */
  gtk_widget_grab_focus (stored);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.save-as", NULL));
  lb_test_spin_briefly ();
  g_assert_true (focus_is_in (fixture, reads));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.export-json", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.export-csv", NULL));
  lb_test_spin_briefly ();
  g_assert_false (g_file_query_exists (json_file, NULL));
  g_assert_true (lb_test_find_label (GTK_WIDGET (fixture->window),
                                     "Not exported: fix Reads, Promotion, Data stored first"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.copy-summary", NULL));
  lb_test_spin_briefly ();
  g_assert_true (lb_test_find_label (GTK_WIDGET (fixture->window),
                                     "Not copied: fix Reads, Promotion, Data stored first"));
  g_assert_true (file_has_contents (path, before));

  /* Fixed, the same Save writes exactly what the form shows. */
  set_entry (page, "database_instance", "reads_per_second", "9100");
  set_entry (page, "database_instance", "promotion_percentage", "15");
  set_entry (page, "database_storage", "data_stored_gb", "500");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.save", NULL));
  lb_test_spin_until_func (window_not_modified, fixture->window, 10);
  {
    g_autoptr(GFile) saved = g_file_new_for_path (path);

    reloaded = lb_workload_new_from_file (saved, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpfloat (lb_workload_get_reads_per_second (reloaded), ==, 9100);
  g_assert_cmpfloat (lb_workload_get_promotion_percentage (reloaded), ==, 15);
  g_assert_cmpfloat (lb_workload_get_data_stored_gb (reloaded), ==, 500);
}

static void
type_text (GtkWidget  *entry,
           const char *text)
{
  /* One key at a time, as a person types, with the main loop in between. */
  for (const char *p = text; *p != '\0'; p++)
    {
      int position = -1;
      char key[2] = { *p, '\0' };

      position = g_utf8_strlen (gtk_editable_get_text (GTK_EDITABLE (entry)), -1);
      gtk_editable_insert_text (GTK_EDITABLE (entry), key, 1, &position);
      lb_test_spin_ms (60);
    }
}

/* Item 3: typing 1, 5, 0 into Promotion never prices 15 %; while the field
 * is red the report is marked stale. */
static void
test_stale_report (Fixture       *fixture,
                   gconstpointer  data)
{
  LbCalculatorPage *page = fixture->page;
  g_autofree char *path = copy_sample (fixture, "");
  GtkWidget *promotion = lb_calculator_page_get_field_widget (page, "database_instance", "promotion_percentage");
  LbCostReport *report;
  double total_before;
  double classic_before;
  g_autofree char *shown_before = NULL;

  g_assert_true (test_load_file (fixture, path));
  report = lb_calculator_page_get_report (page);
  total_before = lb_cost_report_get_monthly_total (report, report->inputs.flavour);
  classic_before = report->breakdown.total_monthly_cost;
  shown_before = lb_format_money (total_before);
  g_assert_false (lb_test_find_label (GTK_WIDGET (page), "Fix the marked fields"));

  gtk_widget_grab_focus (promotion);
  gtk_editable_set_text (GTK_EDITABLE (promotion), "");
  lb_test_spin_briefly ();
  type_text (promotion, "150");
  lb_test_spin_briefly ();

  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (promotion)), ==, "150");
  g_assert_true (gtk_widget_has_css_class (promotion, "error"));
  g_assert_true (lb_calculator_page_get_report_stale (page));
  g_assert_true (lb_test_find_label (GTK_WIDGET (page), "Fix the marked fields"));
  g_assert_true (gtk_widget_has_css_class (lb_test_find_widget_of_type (GTK_WIDGET (page), LB_TYPE_COST_BAR),
                                           "stale-report"));
  report = lb_calculator_page_get_report (page);
  g_assert_cmpfloat (report->inputs.promotion_percentage, ==, 0);
  g_assert_cmpfloat (report->breakdown.total_monthly_cost, ==, classic_before);
  g_assert_cmpfloat (lb_cost_report_get_monthly_total (report, report->inputs.flavour), ==, total_before);
  g_assert_true (lb_test_find_label (GTK_WIDGET (page), shown_before));
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "calculator-stale-report");

  /* Fixing the field applies it and the report is current again. */
  gtk_editable_delete_text (GTK_EDITABLE (promotion), 2, -1);
  lb_test_spin_briefly ();
  g_assert_false (lb_calculator_page_get_report_stale (page));
  g_assert_false (lb_test_find_label (GTK_WIDGET (page), "Fix the marked fields"));
  g_assert_cmpfloat (lb_calculator_page_get_report (page)->inputs.promotion_percentage, ==, 15);
  g_assert_false (gtk_widget_has_css_class (lb_test_find_widget_of_type (GTK_WIDGET (page), LB_TYPE_COST_BAR),
                                            "stale-report"));
}

typedef struct
{
  char     *text;
  gboolean  done;
} ClipboardRead;

static void
clipboard_read_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ClipboardRead *read = user_data;

  read->text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, NULL);
  read->done = TRUE;
}

static void
check_chosen_flavour (Fixture    *fixture,
                      LbFlavour   flavour,
                      const char *screenshot)
{
  LbCalculatorPage *page = fixture->page;
  LbFlavour other = flavour == LB_FLAVOUR_AUTOSCALING ? LB_FLAVOUR_PROVISIONED : LB_FLAVOUR_AUTOSCALING;
  LbCostReport *report = lb_calculator_page_get_report (page);
  const char *label = lb_flavour_get_label (flavour);
  const char *other_label = lb_flavour_get_label (other);
  double monthly = lb_cost_report_get_monthly_total (report, flavour);
  double other_monthly = lb_cost_report_get_monthly_total (report, other);
  g_autofree char *money = lb_format_money (monthly);
  g_autofree char *other_money = lb_format_money (other_monthly);
  g_autofree char *heading = g_strdup_printf ("Monthly Cost · %s", label);
  g_autofree char *total_title = g_strdup_printf ("%s total per month", label);
  g_autofree char *comparison_title = g_strdup_printf ("%s, for comparison", other_label);
  g_autofree char *bar_text = g_strdup_printf ("%s monthly cost split: %s in all", label, money);
  g_autofree char *summary_line = g_strdup_printf ("Estimate: %s, %s a month\n", label, money);
  g_autofree char *comparison_line = g_strdup_printf ("For comparison: %s, %s a month\n", other_label, other_money);
  g_autofree char *json_name = g_strconcat (screenshot, ".json", NULL);
  g_autofree char *csv_name = g_strconcat (screenshot, ".csv", NULL);
  g_autofree char *json_path = g_build_filename (fixture->tmpdir, json_name, NULL);
  g_autofree char *csv_path = g_build_filename (fixture->tmpdir, csv_name, NULL);
  g_autoptr(GFile) json_file = g_file_new_for_path (json_path);
  g_autoptr(GFile) csv_file = g_file_new_for_path (csv_path);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = NULL;
  ClipboardRead read = { NULL, FALSE };
  JsonObject *estimate;
  GtkWidget *row;

  g_assert_cmpint (report->inputs.flavour, ==, flavour);
  g_assert_cmpfloat (monthly, !=, other_monthly);

  /* On screen: the heading, the total row, the bar and the comparison. */
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));
  g_assert_true (lb_test_find_label (GTK_WIDGET (page), heading));
  row = find_row (GTK_WIDGET (page), ADW_TYPE_ACTION_ROW, total_title);
  g_assert_nonnull (row);
  g_assert_true (lb_test_find_label (row, money));
  row = find_row (GTK_WIDGET (page), ADW_TYPE_EXPANDER_ROW, comparison_title);
  g_assert_nonnull (row);
  g_assert_true (lb_test_find_label (row, other_money));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (lb_test_find_widget_of_type (GTK_WIDGET (page), LB_TYPE_COST_BAR)),
                   ==, bar_text);
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), screenshot);
  scroll_into_view (row);
  {
    g_autofree char *name = g_strconcat (screenshot, "-comparison", NULL);
    lb_test_save_screenshot (GTK_WIDGET (fixture->window), name);
  }

  /* The exports, through the choosers the user sees. */
  lb_test_queue_chooser_answer (json_file);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.export-json", NULL);
  lb_test_wait_for_choosers ();
  lb_test_spin_until_func (file_is_written, json_path, 10);
  json_parser_load_from_file (parser, json_path, &error);
  g_assert_no_error (error);
  estimate = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "estimate");
  g_assert_cmpstr (json_object_get_string_member (estimate, "flavour"), ==, lb_flavour_to_string (flavour));
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (estimate, "monthly_total_cost"), monthly, 1e-6);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (estimate, "comparison"), "flavour"),
                   ==, lb_flavour_to_string (other));

  lb_test_queue_chooser_answer (csv_file);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.export-csv", NULL);
  lb_test_wait_for_choosers ();
  lb_test_spin_until_func (file_is_written, csv_path, 10);
  g_file_get_contents (csv_path, &csv, NULL, &error);
  g_assert_no_error (error);
  {
    g_autofree char *chosen_row = NULL;
    char figure[G_ASCII_DTOSTR_BUF_SIZE];

    g_ascii_formatd (figure, sizeof figure, "%.2f", monthly);
    chosen_row = g_strdup_printf (flavour == LB_FLAVOUR_AUTOSCALING
                                  ? "\"Total, autoscaling at max (chosen)\",%s,"
                                  : "\"Total, provisioned (chosen)\",%s,", figure);
    g_assert_nonnull (strstr (csv, chosen_row));
    g_assert_nonnull (strstr (csv, "(for comparison)"));
  }

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.copy-summary", NULL));
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (fixture->window)), NULL,
                                 clipboard_read_cb, &read);
  lb_test_spin_until (&read.done, 10);
  g_assert_nonnull (read.text);
  g_assert_nonnull (strstr (read.text, summary_line));
  g_assert_nonnull (strstr (read.text, comparison_line));
  g_free (read.text);
}

/* Item 6: the shown total, the bar, the exports and the summary are the
 * chosen flavour's, and say so, for both flavours. */
static void
test_chosen_flavour_report (Fixture       *fixture,
                            gconstpointer  data)
{
  LbCalculatorPage *page = fixture->page;
  g_autofree char *path = copy_sample (fixture, "");
  GtkWidget *flavour;

  g_assert_true (test_load_file (fixture, path));
  check_chosen_flavour (fixture, LB_FLAVOUR_AUTOSCALING, "calculator-autoscaling");

  /* The user picks the other flavour in the form. */
  flavour = lb_calculator_page_get_field_widget (page, "lakebase_accelerator", "flavour");
  g_assert_true (ADW_IS_COMBO_ROW (flavour));
  adw_combo_row_set_selected (ADW_COMBO_ROW (flavour), LB_FLAVOUR_PROVISIONED);
  lb_test_spin_briefly ();
  check_chosen_flavour (fixture, LB_FLAVOUR_PROVISIONED, "calculator-provisioned");
}

/* Item 7: two Continuous tables against "1 pipeline": the field warns, the
 * classic price stays the file's, and one click makes them agree. */
static void
test_table_sync_policies (Fixture       *fixture,
                          gconstpointer  data)
{
  static const char yaml[] =
    "database_instance:\n"
    "  reads_per_second: 3000\n"
    "delta_synchronization:\n"
    "  number_of_continuous_pipelines: 1\n"
    "  expected_data_per_sync_gb: 0\n"
    "  sync_mode: SNAPSHOT\n"
    "  tables_to_sync:\n"
    "    - name: main.shop.orders\n"
    "      primary_keys: [order_id]\n"
    "      scheduling_policy: CONTINUOUS\n"
    "    - name: main.shop.carts\n"
    "      primary_keys: [cart_id]\n"
    "      scheduling_policy: CONTINUOUS\n";
  LbCalculatorPage *page = fixture->page;
  LbWorkload *workload;
  g_autofree char *path = lb_test_write_file (fixture->tmpdir, "continuous.yml", yaml);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(LbWorkload) from_file = NULL;
  g_autoptr(LbPriceSheet) prices = lb_price_sheet_new_default ();
  g_autoptr(LbCostReport) file_report = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *pipelines = lb_calculator_page_get_field_widget (page, "delta_synchronization",
                                                              "number_of_continuous_pipelines");
  GtkWidget *mode = lb_calculator_page_get_field_widget (page, "delta_synchronization", "sync_mode");
  GtkWidget *button;
  LbCostReport *report;

  lb_test_queue_chooser_answer (file);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.open", NULL);
  lb_test_wait_for_choosers ();
  lb_test_spin_until_func (window_not_modified, fixture->window, 10);
  lb_test_spin_briefly ();
  workload = lb_calculator_page_get_workload (page);
  g_assert_cmpuint (g_list_model_get_n_items (lb_workload_get_tables (workload)), ==, 2);

  /* The classic figures are the file's, as lakebase-cli and the web tool
   * price it: one pipeline. */
  from_file = lb_workload_new_from_file (file, &error);
  g_assert_no_error (error);
  file_report = lb_cost_model_estimate (from_file, prices);
  report = lb_calculator_page_get_report (page);
  g_assert_cmpfloat (report->breakdown.continuous_sync_cost, ==, 548);
  g_assert_cmpfloat (report->breakdown.total_monthly_cost, ==, file_report->breakdown.total_monthly_cost);

  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));
  g_assert_true (lb_test_find_label (GTK_WIDGET (page), "The tables to sync say otherwise"));
  g_assert_true (gtk_widget_has_css_class (pipelines, "warning"));
  button = find_button (GTK_WIDGET (page), NULL, NULL, "calculator.use-table-policies");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  scroll_into_view (find_row (GTK_WIDGET (page), ADW_TYPE_ACTION_ROW, "The tables to sync say otherwise"));
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "calculator-sync-policy-warning");

  /* A button activated from the keyboard clicks after a short press. */
  g_assert_true (gtk_widget_activate (button));
  lb_test_spin_ms (400);
  g_assert_cmpuint (lb_workload_get_number_of_continuous_pipelines (workload), ==, 2);
  g_assert_cmpint (lb_workload_get_sync_mode (workload), ==, LB_SYNC_MODE_CONTINUOUS);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (pipelines)), ==, "2");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (mode)), ==, LB_SYNC_MODE_CONTINUOUS);
  g_assert_cmpfloat (lb_calculator_page_get_report (page)->breakdown.continuous_sync_cost, ==, 2 * 548);
  g_assert_false (lb_test_find_label (GTK_WIDGET (page), "The tables to sync say otherwise"));
  g_assert_false (gtk_widget_has_css_class (pipelines, "warning"));
}

/* Item 14: the policy dropdown shows its whole label, the Capacity entry is
 * as wide as its neighbours, and removing a table can be undone. */
/* The button's click lands after its short press: wait for its effect, not a
 * fixed time (a loaded machine takes longer). */
static guint n_expected;

static gboolean
list_has_n_items (gpointer data)
{
  return g_list_model_get_n_items (data) == n_expected;
}

static void
test_tables_list (Fixture       *fixture,
                  gconstpointer  data)
{
  static const char * const policies[] = { "Snapshot", "Triggered", "Continuous" };
  LbCalculatorPage *page = fixture->page;
  g_autofree char *path = copy_sample (fixture, "");
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  GListModel *tables;
  g_autoptr(LbSyncedTable) removed = NULL;
  GtkWidget *remove_button;
  GtkWidget *toast_label;
  GtkWidget *undo;
  guint n_policy_labels = 0;
  int capacity_width;

  g_assert_true (test_load_file (fixture, path));
  tables = lb_workload_get_tables (lb_calculator_page_get_workload (page));

  /* Entries of the deployment group line up. */
  capacity_width = gtk_widget_get_width (lb_calculator_page_get_field_widget (page, "lakebase_accelerator", "capacity"));
  g_assert_cmpint (capacity_width, >, 0);
  g_assert_cmpint (capacity_width, ==,
                   gtk_widget_get_width (lb_calculator_page_get_field_widget (page, "lakebase_accelerator", "instance_name")));
  g_assert_cmpint (capacity_width, ==,
                   gtk_widget_get_width (lb_calculator_page_get_field_widget (page, "lakebase_accelerator", "profile")));

  collect_widgets_of_type (GTK_WIDGET (page), LB_TYPE_SYNCED_TABLE_ROW, rows);
  g_assert_cmpuint (rows->len, ==, 3);
  for (guint i = 0; i < rows->len; i++)
    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (rows->pdata[i]), TRUE);
  lb_test_spin_ms (400);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));

  /* Every row's policy label gets at least its natural width. */
  for (guint i = 0; i < rows->len; i++)
    collect_widgets_of_type (rows->pdata[i], GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    {
      GtkWidget *label = labels->pdata[i];
      int natural = 0;

      if (!gtk_widget_get_mapped (label) ||
          !g_strv_contains (policies, gtk_label_get_label (GTK_LABEL (label))))
        continue;

      gtk_widget_measure (label, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
      g_assert_cmpint (gtk_widget_get_width (label), >=, natural);
      n_policy_labels++;
    }
  g_assert_cmpuint (n_policy_labels, ==, 3);
  scroll_into_view (rows->pdata[0]);
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "calculator-tables");

  /* Remove the middle table with its button; Undo puts it back in place. */
  removed = g_list_model_get_item (tables, 1);
  remove_button = find_button (rows->pdata[1], NULL, "user-trash-symbolic", NULL);
  g_assert_nonnull (remove_button);
  /* A button activated from the keyboard clicks after a short press. */
  g_assert_true (gtk_widget_activate (remove_button));
  n_expected = 2;
  lb_test_spin_until_func (list_has_n_items, tables, 10);
  lb_test_spin_ms (100);
  g_assert_cmpuint (g_list_model_get_n_items (tables), ==, 2);
  g_assert_true (lb_test_find_label (GTK_WIDGET (fixture->window), "Removed “retail.serving.customers”"));

  /* The Undo of this toast, not of an older one still on its way out. */
  toast_label = find_label_widget (GTK_WIDGET (fixture->window), "Removed “retail.serving.customers”");
  g_assert_nonnull (toast_label);
  undo = find_button (gtk_widget_get_ancestor (toast_label, g_type_from_name ("AdwToastWidget")),
                      "_Undo", NULL, NULL);
  g_assert_nonnull (undo);
  /* A button activated from the keyboard clicks after a short press. */
  g_assert_true (gtk_widget_activate (undo));
  n_expected = 3;
  lb_test_spin_until_func (list_has_n_items, tables, 10);
  g_assert_cmpuint (g_list_model_get_n_items (tables), ==, 3);
  {
    g_autoptr(LbSyncedTable) back = g_list_model_get_item (tables, 1);
    g_assert_true (back == removed);
  }
  g_assert_cmpuint (count_widgets_of_type (GTK_WIDGET (page), LB_TYPE_SYNCED_TABLE_ROW), ==, 3);
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
  g_test_add ("/ui/window/save-refused-while-invalid", Fixture, NULL, fixture_setup, test_save_refused_while_invalid, fixture_teardown);
  g_test_add ("/ui/window/stale-report", Fixture, NULL, fixture_setup, test_stale_report, fixture_teardown);
  g_test_add ("/ui/window/chosen-flavour-report", Fixture, NULL, fixture_setup, test_chosen_flavour_report, fixture_teardown);
  g_test_add ("/ui/window/table-sync-policies", Fixture, NULL, fixture_setup, test_table_sync_policies, fixture_teardown);
  g_test_add ("/ui/window/tables-list", Fixture, NULL, fixture_setup, test_tables_list, fixture_teardown);
  g_test_add ("/ui/window/save-keeps-comments", Fixture, NULL, fixture_setup, test_save_keeps_comments, fixture_teardown);

  {
    int status = g_test_run ();

    lb_test_remove_tree (home);
    return status;
  }
}
