/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Drives the tester's Query Plans page under Xvfb against a sandbox of its
 * own: loads a script, explains it through tester.explain as the menu and
 * Ctrl+E do, and checks what the plan view shows (the rows of its column
 * view, the findings and the node each selects, the text plan, the
 * clipboard), the plan window, a query whose samples got different plans, a
 * query that fails, Cancel, and an unreachable server. Screenshots go to
 * G_TEST_BUILDDIR/screenshots. */
#include "config.h"

#include <adwaita.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "lb-pg-sandbox.h"
#include "lb-plan-findings.h"
#include "lb-plan-view.h"
#include "lb-plan-window.h"
#include "lb-query-plans-view.h"
#include "lb-tester-window.h"
#include "lb-tester-window-private.h"
#include "lb-test-gtk-utils.h"

static LbPgSandbox *sandbox;   /* one for the whole program: initdb is slow */

/* 0: a point lookup by primary key; 1: a range whose plan changes with its
 * bound (a bitmap scan for a few rows, a sequential scan for most); 2: a
 * filter that keeps nothing of a large table (findings); 3: an expression
 * the planner guesses at (0.5 % of the rows) where half match: the estimate
 * is far off; 4: a relation that does not exist. */
static const char plans_script[] =
  "-- NAME: customer_by_id\n"
  "-- PARAM id = random(1, 100000)\n"
  "SELECT c_first_name, c_last_name FROM customer WHERE c_customer_sk = :id;\n"
  "\n"
  "-- NAME: sales_below\n"
  "-- PARAM hi = values(3, 95000)\n"
  "SELECT sum(ss_quantity) FROM store_sales WHERE ss_customer_sk < :hi;\n"
  "\n"
  "-- NAME: scan_by_quantity\n"
  "-- PARAM q = random(1, 3)\n"
  "SELECT ss_ticket_number FROM store_sales WHERE ss_quantity = :q AND ss_sales_price > 100000;\n"
  "\n"
  "-- NAME: half_of_sales\n"
  "-- PARAM r = values(0)\n"
  "SELECT count(*) FROM store_sales WHERE ss_ticket_number % 2 = :r;\n"
  "\n"
  "-- NAME: broken\n"
  "-- PARAM id = random(1, 10)\n"
  "SELECT * FROM no_such_table WHERE id = :id;\n";

typedef struct
{
  LbTesterWindow *window;
  char           *tmpdir;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  lb_test_reset_settings ();

  fixture->tmpdir = g_dir_make_tmp ("lb-ui-insight-XXXXXX", NULL);
  fixture->window = lb_tester_window_new (NULL);
  lb_tester_window_set_sandbox (fixture->window, sandbox);
  lb_tester_window_set_target_sandbox (fixture->window);
  lb_test_present_window (GTK_WINDOW (fixture->window), 1280, 900);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  /* Plan windows opened by the test. */
  for (guint i = g_list_model_get_n_items (toplevels); i > 0; i--)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i - 1);

      if (LB_IS_PLAN_WINDOW (item))
        gtk_window_destroy (GTK_WINDOW (item));
    }
  if (fixture->window != NULL)
    gtk_window_destroy (GTK_WINDOW (fixture->window));
  lb_test_spin_ms (150);
  lb_test_remove_tree (fixture->tmpdir);
  g_free (fixture->tmpdir);
}

static void
load_script (Fixture    *fixture,
             const char *name,
             const char *text)
{
  g_autofree char *path = lb_test_write_file (fixture->tmpdir, name, text);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  lb_tester_window_load_file_async (fixture->window, file, NULL, lb_test_async_result_cb, &result);
  g_assert_true (lb_tester_window_load_file_finish (fixture->window, lb_test_wait_for_result (&result), &error));
  g_assert_no_error (error);
}

static GtkShortcut *
find_shortcut (GtkWidget  *widget,
               const char *accelerator)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  guint keyval;
  GdkModifierType modifiers;

  g_assert_true (gtk_accelerator_parse (accelerator, &keyval, &modifiers));
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);

          if (GTK_IS_KEYVAL_TRIGGER (trigger) &&
              gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)) == keyval &&
              gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)) == modifiers)
            return shortcut;
        }
    }
  return NULL;
}

static const char *
shortcut_action_name (GtkWidget  *widget,
                      const char *accelerator)
{
  GtkShortcut *shortcut = find_shortcut (widget, accelerator);

  if (shortcut == NULL || !GTK_IS_NAMED_ACTION (gtk_shortcut_get_action (shortcut)))
    return NULL;
  return gtk_named_action_get_action_name (GTK_NAMED_ACTION (gtk_shortcut_get_action (shortcut)));
}

static gboolean
menu_has_action (GMenuModel *model,
                 const char *action)
{
  for (int i = 0; i < g_menu_model_get_n_items (model); i++)
    {
      g_autofree char *name = NULL;
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (model, i, G_MENU_LINK_SECTION);

      if (g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_ACTION, "s", &name) &&
          g_strcmp0 (name, action) == 0)
        return TRUE;
      if (section != NULL && menu_has_action (section, action))
        return TRUE;
    }
  return FALSE;
}

static GtkWidget *
find_primary_menu_button (GtkWidget *widget)
{
  if (GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_primary (GTK_MENU_BUTTON (widget)))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_primary_menu_button (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A button in @widget's tree whose action is @action. */
static GtkWidget *
find_action_button (GtkWidget  *widget,
                    const char *action)
{
  if (GTK_IS_ACTIONABLE (widget) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_action_button (child, action);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* What a click on @button does. */
static void
click (GtkWidget *button)
{
  g_assert_true (GTK_IS_BUTTON (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
  lb_test_spin_ms (200);
}

/* How many mapped widgets of @type with @css_class are in @widget's tree. */
static guint
count_mapped_with_class (GtkWidget  *widget,
                         GType       type,
                         const char *css_class)
{
  guint n = 0;

  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) && gtk_widget_get_mapped (widget) &&
      gtk_widget_has_css_class (widget, css_class))
    n++;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_mapped_with_class (child, type, css_class);
  return n;
}

/* Runs tester.explain as the menu would and waits for it to end; returns
 * whether the progress line was seen naming a query on the way. */
static gboolean
explain_and_wait (LbTesterWindow *window,
                  guint           n_queries)
{
  LbQueryPlansView *view = lb_tester_window_get_query_plans_view (window);
  g_autofree char *expected = g_strdup_printf ("of %u…", n_queries);
  gboolean saw_progress = FALSE;
  gint64 deadline;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "tester.explain", NULL));
  g_assert_true (lb_query_plans_view_get_busy (view));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (lb_tester_window_get_view_stack (window)), ==, "plans");

  /* The first start of the sandbox creates its sample data: allow for it. */
  deadline = g_get_monotonic_time () + 240 * G_USEC_PER_SEC;
  while (lb_query_plans_view_get_busy (view) && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
      if (!saw_progress && g_str_has_prefix (lb_query_plans_view_get_status (view), "Explaining query ") &&
          g_str_has_suffix (lb_query_plans_view_get_status (view), expected))
        saw_progress = TRUE;
    }
  g_assert_false (lb_query_plans_view_get_busy (view));
  g_test_message ("explained; status: “%s”, progress seen: %s", lb_query_plans_view_get_status (view),
                  saw_progress ? "yes" : "no");
  lb_test_spin_ms (200);
  return saw_progress;
}

static AdwActionRow *
query_row (LbQueryPlansView *view,
           guint             index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (lb_query_plans_view_get_query_list (view), index);

  g_assert_nonnull (row);
  return ADW_ACTION_ROW (row);
}

/* The nodes the column view lists, in its order (of LbPlanNode). */
static GPtrArray *
column_view_nodes (LbPlanView *plan_view)
{
  GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (lb_plan_view_get_column_view (plan_view)));
  GPtrArray *nodes = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (model, i);

      g_assert_true (GTK_IS_TREE_LIST_ROW (row));
      g_ptr_array_add (nodes, gtk_tree_list_row_get_item (row));
    }
  return nodes;
}

static void
count_nodes_cb (LbPlanNode *node,
                gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static char *
read_clipboard (GtkWidget *widget)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GdkClipboard *clipboard = gtk_widget_get_clipboard (widget);
  char *text;

  gdk_clipboard_read_text_async (clipboard, NULL, lb_test_async_result_cb, &result);
  text = gdk_clipboard_read_text_finish (clipboard, lb_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  return text;
}

static LbPlanWindow *
find_plan_window (LbPlanWindow *besides)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (LB_IS_PLAN_WINDOW (item) && (gpointer) item != (gpointer) besides)
        return LB_PLAN_WINDOW (item);
    }
  return NULL;
}

static guint
count_plan_windows (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (LB_IS_PLAN_WINDOW (item))
        n++;
    }
  return n;
}

static char *
buffer_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* The whole path: explain, the rows, the findings, text, copy, a window. */
static void
test_explain_plans (Fixture       *fixture,
                    gconstpointer  data)
{
  LbTesterWindow *window = fixture->window;
  LbQueryPlansView *view = lb_tester_window_get_query_plans_view (window);
  LbPlanView *plan_view = lb_query_plans_view_get_plan_view (view);
  g_autoptr(GPtrArray) nodes = NULL;
  LbExplainPlan *plan;
  LbPlanNode *root;
  GtkWidget *menu_button;
  guint n_nodes = 0;

  load_script (fixture, "plans.sql", plans_script);

  /* The menu and Ctrl+E offer it. */
  menu_button = find_primary_menu_button (GTK_WIDGET (window));
  g_assert_nonnull (menu_button);
  g_assert_true (menu_has_action (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (menu_button)), "tester.explain"));
  g_assert_cmpstr (shortcut_action_name (GTK_WIDGET (window), "<Control>e"), ==, "tester.explain");
  g_assert_true (gtk_widget_is_sensitive (find_action_button (GTK_WIDGET (view), "tester.explain")));

  /* The Query Plans page, before anything was explained. */
  adw_view_stack_set_visible_child_name (lb_tester_window_get_view_stack (window), "plans");
  lb_test_spin_ms (200);
  g_assert_nonnull (lb_test_find_label_containing (view, "No Plans Yet"));
  lb_test_save_screenshot (GTK_WIDGET (window), "insight-empty");

  /* The ANALYZE choice says what it does. */
  g_assert_cmpint (lb_query_plans_view_get_analyze (view), ==, LB_EXPLAIN_ANALYZE_AUTO);
  g_assert_nonnull (lb_test_find_label_containing (view, lb_explain_analyze_describe (LB_EXPLAIN_ANALYZE_AUTO)));

  /* The progress line is read on a timer: a fast explain may pass it by
   * (explain-cancel waits for it on a slow query). */
  explain_and_wait (window, 5);
  g_assert_nonnull (lb_query_plans_view_get_plans (view));
  g_assert_cmpuint (lb_query_plans_view_get_plans (view)->len, ==, 5);
  g_assert_nonnull (gtk_list_box_get_row_at_index (lb_query_plans_view_get_query_list (view), 4));
  g_assert_null (gtk_list_box_get_row_at_index (lb_query_plans_view_get_query_list (view), 5));

  /* The first query is shown: an index scan of customer, one row. */
  g_assert_cmpuint (lb_query_plans_view_get_selected_query (view), ==, 0);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (query_row (view, 0))), ==, "customer_by_id");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (query_row (view, 0)), " ms · cost "));
  plan = lb_plan_view_get_plan (plan_view);
  g_assert_nonnull (plan);
  g_assert_true (lb_explain_plan_get_analyzed (plan));
  nodes = column_view_nodes (plan_view);
  lb_plan_node_foreach (lb_explain_plan_get_root (plan), count_nodes_cb, &n_nodes);
  g_assert_cmpuint (nodes->len, ==, n_nodes);   /* expanded in full */
  root = g_ptr_array_index (nodes, 0);
  g_assert_true (root == lb_explain_plan_get_root (plan));
  g_assert_nonnull (strstr (lb_plan_node_get_node_type (root), "Index"));
  g_assert_cmpstr (lb_plan_node_get_relation (root), ==, "customer");
  g_assert_cmpfloat (lb_plan_node_get_plan_rows (root), ==, 1);
  g_assert_cmpfloat (lb_plan_node_get_actual_rows (root), ==, 1);
  /* What its row shows, in the column view's cells. */
  {
    g_autofree char *title = lb_plan_view_dup_node_text (plan_view, root, LB_PLAN_VIEW_COLUMN_NODE);
    g_autofree char *rows = lb_plan_view_dup_node_text (plan_view, root, LB_PLAN_VIEW_COLUMN_ROWS);
    GtkWidget *columns = GTK_WIDGET (lb_plan_view_get_column_view (plan_view));

    g_assert_nonnull (strstr (title, "customer"));
    g_assert_cmpstr (rows, ==, "1 → 1");
    g_assert_true (lb_test_find_label (columns, title));
    g_assert_true (lb_test_find_label (columns, rows));
  }
  g_assert_nonnull (strstr (lb_plan_view_get_summary (plan_view), "Execution "));
  g_assert_cmpuint (count_mapped_with_class (GTK_WIDGET (lb_plan_view_get_column_view (plan_view)), GTK_TYPE_LABEL,
                                             "plan-estimate-off"), ==, 0);
  lb_test_save_screenshot (GTK_WIDGET (window), "insight-plans");

  /* An estimate 10 times off or more is marked, with the factor in its tooltip. */
  lb_query_plans_view_select_query (view, 3);
  lb_test_spin_ms (200);
  {
    g_autoptr(GPtrArray) guessed = column_view_nodes (lb_query_plans_view_get_plan_view (view));
    LbPlanNode *scan = NULL;
    double est, actual;

    for (guint i = 0; i < guessed->len; i++)
      if (lb_plan_node_get_relation (g_ptr_array_index (guessed, i)) != NULL)
        scan = g_ptr_array_index (guessed, i);
    g_assert_nonnull (scan);
    est = lb_plan_node_get_plan_rows (scan);
    actual = lb_plan_node_get_actual_rows (scan);
    g_test_message ("half_of_sales: estimated %.0f, actual %.0f", est, actual);
    g_assert_cmpfloat (actual, >=, 10 * est);
    g_assert_cmpuint (count_mapped_with_class (GTK_WIDGET (lb_plan_view_get_column_view (plan_view)), GTK_TYPE_LABEL,
                                               "plan-estimate-off"), >=, 1);
    {
      g_autofree char *rows = lb_plan_view_dup_node_text (plan_view, scan, LB_PLAN_VIEW_COLUMN_ROWS);
      GtkWidget *label = lb_test_find_label_containing (lb_plan_view_get_column_view (plan_view), rows);

      g_assert_nonnull (label);
      g_assert_true (gtk_widget_has_css_class (label, "plan-estimate-off"));
      g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (label), "off by "));
    }
    /* The shares add up to the plan, and the hottest node's bar stands out. */
    {
      double sum = 0;

      for (guint i = 0; i < guessed->len; i++)
        sum += lb_plan_view_get_node_share (plan_view, g_ptr_array_index (guessed, i));
      g_assert_cmpfloat_with_epsilon (sum, 1.0, 0.01);
      g_assert_cmpuint (count_mapped_with_class (GTK_WIDGET (lb_plan_view_get_column_view (plan_view)),
                                                 GTK_TYPE_LEVEL_BAR, "hot"), >=, 1);
      g_assert_cmpuint (count_mapped_with_class (GTK_WIDGET (lb_plan_view_get_column_view (plan_view)),
                                                 GTK_TYPE_LEVEL_BAR, "plan-share"), ==, guessed->len);
    }
    lb_test_save_screenshot (GTK_WIDGET (window), "insight-estimate-off");
  }

  /* The filter that keeps nothing: a sequential scan with findings, each
   * selecting its node; nodes with findings carry the icon. */
  lb_query_plans_view_select_query (view, 2);
  lb_test_spin_ms (200);
  plan = lb_plan_view_get_plan (plan_view);
  g_assert_nonnull (plan);
  {
    GPtrArray *findings = lb_plan_view_get_findings (plan_view);
    g_autoptr(GPtrArray) expected = lb_plan_findings_collect (plan);
    GtkListBox *list = lb_plan_view_get_findings_list (plan_view);
    g_autoptr(GPtrArray) scan_nodes = column_view_nodes (plan_view);
    LbPlanNode *scan = NULL;
    GtkSelectionModel *selection = gtk_column_view_get_model (lb_plan_view_get_column_view (plan_view));
    gboolean seen_seq_scan = FALSE;

    for (guint i = 0; i < scan_nodes->len; i++)
      if (strstr (lb_plan_node_get_node_type (g_ptr_array_index (scan_nodes, i)), "Seq Scan") != NULL)
        scan = g_ptr_array_index (scan_nodes, i);
    g_assert_nonnull (scan);
    g_assert_cmpstr (lb_plan_node_get_relation (scan), ==, "store_sales");
    g_assert_nonnull (lb_plan_node_get_filter (scan));
    g_assert_true (lb_test_find_label_containing (lb_plan_view_get_column_view (plan_view), "ss_quantity") != NULL);

    g_assert_cmpuint (findings->len, ==, expected->len);
    g_assert_cmpuint (findings->len, >=, 1);
    g_assert_nonnull (lb_test_find_label_containing (query_row (view, 2), "finding"));
    g_assert_cmpuint (count_mapped_with_class (GTK_WIDGET (lb_plan_view_get_column_view (plan_view)),
                                               GTK_TYPE_IMAGE, "plan-finding-icon"), >=, 1);
    for (guint i = 0; i < findings->len; i++)
      {
        LbPlanFinding *finding = g_ptr_array_index (findings, i);
        GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, i);
        guint selected;
        g_autoptr(GtkTreeListRow) tree_row = NULL;
        g_autoptr(LbPlanNode) selected_node = NULL;

        g_assert_nonnull (row);
        g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), !=, "");
        g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), finding->why));
        if (finding->kind == LB_FINDING_SEQ_SCAN)
          seen_seq_scan = TRUE;

        /* Activating it selects its node's row. */
        gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (selection), GTK_INVALID_LIST_POSITION);
        gtk_widget_activate (GTK_WIDGET (row));
        lb_test_spin_ms (50);
        selected = gtk_single_selection_get_selected (GTK_SINGLE_SELECTION (selection));
        g_assert_cmpuint (selected, !=, GTK_INVALID_LIST_POSITION);
        tree_row = g_list_model_get_item (G_LIST_MODEL (selection), selected);
        selected_node = gtk_tree_list_row_get_item (tree_row);
        g_assert_true (selected_node == finding->node);
        g_assert_true (lb_plan_view_get_selected_node (plan_view) == finding->node);

        /* The keyboard goes on from the node's row. */
        {
          GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));
          GtkWidget *columns = GTK_WIDGET (lb_plan_view_get_column_view (plan_view));

          g_assert_nonnull (focus);
          g_assert_true (focus == columns || gtk_widget_is_ancestor (focus, columns));
        }
      }
    g_assert_true (seen_seq_scan);
  }
  lb_test_save_screenshot (GTK_WIDGET (window), "insight-findings");

  /* The text plan, one click away. */
  {
    GtkWidget *toggle = find_action_button (GTK_WIDGET (plan_view), "plan.show-text");
    g_autofree char *expected = lb_explain_plan_to_text (plan);
    g_autofree char *shown = NULL;

    g_assert_true (GTK_IS_TOGGLE_BUTTON (toggle));
    click (toggle);
    g_assert_true (lb_plan_view_get_show_text (plan_view));
    g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (toggle)));
    g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (lb_plan_view_get_text_view (plan_view))));
    shown = buffer_text (lb_plan_view_get_text_view (plan_view));
    g_assert_cmpstr (shown, ==, expected);
    lb_test_save_screenshot (GTK_WIDGET (window), "insight-plan-text");
    click (toggle);
    g_assert_false (lb_plan_view_get_show_text (plan_view));
  }

  /* Copy as JSON: the clipboard holds the server's plan. */
  {
    g_autofree char *text = NULL;
    g_autoptr(JsonNode) json = NULL;
    JsonObject *top;
    g_autoptr(GError) error = NULL;

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (plan_view), "plan.copy-json", NULL));
    text = read_clipboard (GTK_WIDGET (plan_view));
    json = json_from_string (text, &error);
    g_assert_no_error (error);
    g_assert_true (JSON_NODE_HOLDS_ARRAY (json));
    top = json_array_get_object_element (json_node_get_array (json), 0);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (top, "Plan"), "Node Type"), ==,
                     lb_plan_node_get_node_type (lb_explain_plan_get_root (plan)));
  }

  /* Ctrl+C in the plan copies the text plan. */
  {
    g_autofree char *text = NULL;
    g_autofree char *expected = lb_explain_plan_to_text (plan);

    g_assert_cmpstr (shortcut_action_name (GTK_WIDGET (plan_view), "<Control>c"), ==, "plan.copy-text");
    g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (find_shortcut (GTK_WIDGET (plan_view),
                                                                                         "<Control>c")),
                                                 0, GTK_WIDGET (plan_view), NULL));
    text = read_clipboard (GTK_WIDGET (plan_view));
    g_assert_cmpstr (text, ==, expected);
  }

  /* Open in New Window, twice: each window shows the plan, Escape closes one. */
  {
    GtkWidget *open = find_action_button (GTK_WIDGET (plan_view), "plan.open-window");
    LbPlanWindow *plan_window, *second;
    LbPlanView *window_view;
    g_autoptr(GPtrArray) window_nodes = NULL;
    g_autoptr(GPtrArray) shown_nodes = column_view_nodes (plan_view);

    g_assert_nonnull (open);
    g_assert_cmpuint (count_plan_windows (), ==, 0);
    click (open);
    plan_window = find_plan_window (NULL);
    g_assert_nonnull (plan_window);
    g_assert_true (lb_plan_window_get_plan (plan_window) == plan);
    window_view = lb_plan_window_get_plan_view (plan_window);
    g_assert_false (lb_plan_view_get_can_open_window (window_view));
    g_assert_false (gtk_widget_get_visible (find_action_button (GTK_WIDGET (window_view), "plan.open-window")));
    window_nodes = column_view_nodes (window_view);
    g_assert_cmpuint (window_nodes->len, ==, shown_nodes->len);
    for (guint i = 0; i < window_nodes->len; i++)
      g_assert_true (g_ptr_array_index (window_nodes, i) == g_ptr_array_index (shown_nodes, i));
    g_assert_true (lb_test_find_label (GTK_WIDGET (plan_window), "scan_by_quantity"));
    g_assert_nonnull (lb_test_find_label_containing (plan_window, "FROM store_sales WHERE ss_quantity"));
    g_assert_cmpuint (lb_plan_view_get_findings (window_view)->len, ==, lb_plan_view_get_findings (plan_view)->len);
    {
      GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (plan_window));
      GtkWidget *columns = GTK_WIDGET (lb_plan_view_get_column_view (window_view));

      g_assert_nonnull (focus);
      g_assert_true (focus == columns || gtk_widget_is_ancestor (focus, columns));
    }
    lb_test_save_screenshot (GTK_WIDGET (plan_window), "insight-plan-window");
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
    lb_test_spin_ms (200);
    lb_test_save_screenshot (GTK_WIDGET (plan_window), "insight-plan-window-dark");
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
    lb_test_spin_ms (200);

    click (open);
    g_assert_cmpuint (count_plan_windows (), ==, 2);
    second = find_plan_window (plan_window);
    g_assert_nonnull (second);

    g_assert_cmpstr (shortcut_action_name (GTK_WIDGET (second), "Escape"), ==, "window.close");
    g_assert_cmpstr (shortcut_action_name (GTK_WIDGET (second), "<Control>w"), ==, "window.close");
    g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (find_shortcut (GTK_WIDGET (second),
                                                                                         "Escape")),
                                                 0, GTK_WIDGET (second), NULL));
    lb_test_spin_ms (200);
    g_assert_cmpuint (count_plan_windows (), ==, 1);
    g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (find_shortcut (GTK_WIDGET (plan_window),
                                                                                         "<Control>w")),
                                                 0, GTK_WIDGET (plan_window), NULL));
    lb_test_spin_ms (200);
    g_assert_cmpuint (count_plan_windows (), ==, 0);
  }

  /* The range: its samples got two plans; the row says so and each sample
   * shows its own. */
  lb_query_plans_view_select_query (view, 1);
  lb_test_spin_ms (200);
  {
    LbQueryPlans *range = g_ptr_array_index (lb_query_plans_view_get_plans (view), 1);
    GtkDropDown *samples = lb_query_plans_view_get_sample_dropdown (view);
    guint other = G_MAXUINT;

    g_assert_cmpuint (lb_query_plans_get_n_distinct_plans (range), ==, 2);
    g_assert_true (lb_test_find_label (GTK_WIDGET (query_row (view, 1)), "2 plans"));
    g_assert_cmpuint (count_mapped_with_class (GTK_WIDGET (query_row (view, 1)), GTK_TYPE_LABEL, "plans-differ"), ==, 1);
    g_assert_cmpuint (count_mapped_with_class (GTK_WIDGET (query_row (view, 0)), GTK_TYPE_LABEL, "plans-differ"), ==, 0);
    g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (samples)), ==,
                      lb_query_plans_get_n_samples (range));
    g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (samples)));
    g_assert_true (lb_plan_view_get_plan (plan_view) == lb_query_plans_get_sample_plan (range, 0));
    for (guint s = 1; s < lb_query_plans_get_n_samples (range); s++)
      if (lb_query_plans_get_sample_shape (range, s) != lb_query_plans_get_sample_shape (range, 0))
        other = s;
    g_assert_cmpuint (other, !=, G_MAXUINT);
    gtk_drop_down_set_selected (samples, other);
    lb_test_spin_ms (200);
    g_assert_cmpuint (lb_query_plans_view_get_selected_sample (view), ==, other);
    g_assert_true (lb_plan_view_get_plan (plan_view) == lb_query_plans_get_sample_plan (range, other));
    g_assert_cmpstr (lb_explain_plan_get_signature (lb_plan_view_get_plan (plan_view)), !=,
                     lb_explain_plan_get_signature (lb_query_plans_get_sample_plan (range, 0)));
    lb_test_save_screenshot (GTK_WIDGET (window), "insight-plans-differ");
  }

  /* The failing query shows the server's error in its row and in the page;
   * the others still have their plans. */
  {
    LbQueryPlans *broken = g_ptr_array_index (lb_query_plans_view_get_plans (view), 4);

    g_assert_null (lb_query_plans_get_plan (broken));
    g_assert_nonnull (strstr (adw_action_row_get_subtitle (query_row (view, 4)), "no_such_table"));
    lb_query_plans_view_select_query (view, 4);
    lb_test_spin_ms (200);
    g_assert_nonnull (strstr (lb_query_plans_view_get_sample_error (view), "no_such_table"));
    g_assert_nonnull (lb_test_find_label_containing (view, "does not exist"));
    g_assert_null (lb_plan_view_get_plan (plan_view));
    lb_test_save_screenshot (GTK_WIDGET (window), "insight-query-error");
    g_assert_nonnull (lb_query_plans_get_plan (g_ptr_array_index (lb_query_plans_view_get_plans (view), 0)));
  }

  /* The window is usable: the results page and a run can start. */
  g_assert_true (gtk_widget_is_sensitive (find_action_button (GTK_WIDGET (view), "tester.explain")));
  g_assert_true (gtk_widget_is_sensitive (find_action_button (GTK_WIDGET (window), "tester.start")));
}

/* Cancel while the server is busy: the explain stops, the window works on. */
static void
test_explain_cancel (Fixture       *fixture,
                     gconstpointer  data)
{
  LbTesterWindow *window = fixture->window;
  LbQueryPlansView *view = lb_tester_window_get_query_plans_view (window);
  GtkWidget *cancel;
  gint64 deadline, cancelled_at;

  load_script (fixture, "slow.sql",
               "-- NAME: fast\n"
               "-- PARAM id = random(1, 100)\n"
               "SELECT c_first_name FROM customer WHERE c_customer_sk = :id;\n"
               "\n"
               "-- NAME: slow\n"
               "-- PARAM s = values(20)\n"
               "SELECT pg_sleep(:s);\n");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "tester.explain", NULL));
  g_assert_true (lb_query_plans_view_get_busy (view));
  cancel = find_action_button (GTK_WIDGET (view), "tester.cancel-explain");
  g_assert_nonnull (cancel);

  /* Wait until the slow one is on the server. */
  deadline = g_get_monotonic_time () + 240 * G_USEC_PER_SEC;
  while (g_strcmp0 (lb_query_plans_view_get_status (view), "Explaining query 2 of 2…") != 0 &&
         g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  g_assert_cmpstr (lb_query_plans_view_get_status (view), ==, "Explaining query 2 of 2…");
  lb_test_spin_ms (300);
  g_assert_true (gtk_widget_get_mapped (cancel));
  g_assert_true (gtk_widget_is_sensitive (cancel));
  g_assert_false (gtk_widget_is_sensitive (find_action_button (GTK_WIDGET (view), "tester.explain")));
  lb_test_save_screenshot (GTK_WIDGET (window), "insight-explaining");

  cancelled_at = g_get_monotonic_time ();
  click (cancel);
  while (lb_query_plans_view_get_busy (view) && g_get_monotonic_time () < cancelled_at + 10 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (lb_query_plans_view_get_busy (view));
  /* Well before pg_sleep(20) would have returned. */
  g_assert_cmpint (g_get_monotonic_time () - cancelled_at, <, 10 * G_USEC_PER_SEC);
  lb_test_spin_ms (100);
  g_assert_null (lb_query_plans_view_get_plans (view));
  g_assert_false (gtk_widget_get_mapped (cancel));
  g_assert_true (gtk_widget_is_sensitive (find_action_button (GTK_WIDGET (view), "tester.explain")));
  g_assert_true (gtk_widget_is_sensitive (find_action_button (GTK_WIDGET (window), "tester.start")));

  /* And it explains again, with plans only this time: nothing runs. */
  lb_query_plans_view_set_analyze (view, LB_EXPLAIN_ANALYZE_NEVER);
  g_assert_nonnull (lb_test_find_label_containing (view, lb_explain_analyze_describe (LB_EXPLAIN_ANALYZE_NEVER)));
  deadline = g_get_monotonic_time ();
  explain_and_wait (window, 2);
  g_assert_cmpint (g_get_monotonic_time () - deadline, <, 15 * G_USEC_PER_SEC);
  g_assert_cmpuint (lb_query_plans_view_get_plans (view)->len, ==, 2);
  g_assert_false (lb_explain_plan_get_analyzed (lb_plan_view_get_plan (lb_query_plans_view_get_plan_view (view))));
  g_assert_nonnull (strstr (lb_plan_view_get_summary (lb_query_plans_view_get_plan_view (view)), "estimates only"));
}

/* A server that cannot be reached: the page says why, and stays usable. */
static void
test_explain_unreachable (Fixture       *fixture,
                          gconstpointer  data)
{
  LbTesterWindow *window = fixture->window;
  LbQueryPlansView *view = lb_tester_window_get_query_plans_view (window);
  g_autofree char *socket_dir = g_build_filename (fixture->tmpdir, "nowhere", NULL);
  g_autofree char *conninfo = g_strdup_printf ("host=%s port=5999 dbname=shop user=app", socket_dir);

  load_script (fixture, "plans.sql", plans_script);
  lb_tester_window_set_target_conninfo (window, conninfo);
  lb_test_spin_ms (100);
  explain_and_wait (window, 5);
  g_assert_null (lb_query_plans_view_get_plans (view));
  g_assert_true (g_str_has_prefix (lb_query_plans_view_get_status (view), "The queries could not be explained: "));
  g_assert_nonnull (strstr (lb_query_plans_view_get_status (view), "connect"));
  g_assert_nonnull (lb_test_find_label_containing (view, "could not be explained"));
  lb_test_save_screenshot (GTK_WIDGET (window), "insight-unreachable");
  g_assert_true (gtk_widget_is_sensitive (find_action_button (GTK_WIDGET (view), "tester.explain")));
}

/* The token of the Lakebase-like credential source (lb_test_token_source_new()). */
#define TOKEN "tok-s3cret-explain"

static gboolean
form_shows_source (gpointer data)
{
  g_autoptr(LbRunSettings) settings = lb_tester_window_dup_settings (data);

  return settings->conninfo != NULL && strstr (settings->conninfo, lb_pg_sandbox_get_conninfo (sandbox)) != NULL;
}

/* A credential source target: the explain asks it for a fresh credential,
 * as a run does, and explains on the server it names. */
static void
test_explain_credential_source (Fixture       *fixture,
                                gconstpointer  data)
{
  LbTesterWindow *window = fixture->window;
  LbQueryPlansView *view = lb_tester_window_get_query_plans_view (window);
  g_autoptr(LbTestTokenSource) source = lb_test_token_source_new (sandbox, TOKEN, 0);
  g_autoptr(GError) error = NULL;
  guint asked;

  g_assert_true (lb_pg_sandbox_start (sandbox, NULL, &error));
  g_assert_no_error (error);
  load_script (fixture, "plans.sql", plans_script);
  lb_tester_window_set_target_source (window, LB_CREDENTIAL_SOURCE (source));
  lb_test_spin_until_func (form_shows_source, window, 10);
  asked = lb_test_token_source_get_n_asked (source);
  g_assert_cmpuint (asked, >=, 1);

  explain_and_wait (window, 5);
  g_assert_cmpuint (lb_test_token_source_get_n_asked (source), ==, asked + 1);
  g_assert_nonnull (lb_query_plans_view_get_plans (view));
  g_assert_cmpuint (lb_query_plans_view_get_plans (view)->len, ==, 5);
  g_assert_nonnull (lb_plan_view_get_plan (lb_query_plans_view_get_plan_view (view)));
  g_assert_null (lb_test_find_label_containing (window, TOKEN));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *tmp = NULL;
  int status;

  tmp = g_dir_make_tmp ("lb-ui-insight-home-XXXXXX", NULL);
  {
    g_autofree char *data = g_build_filename (tmp, "data", NULL);
    g_autofree char *cache = g_build_filename (tmp, "cache", NULL);

    g_setenv ("XDG_DATA_HOME", data, TRUE);
    g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  }

  lb_test_gtk_init (&argc, &argv);

  sandbox = lb_pg_sandbox_new_for_tests (TRUE);

  g_test_add ("/ui/insight/explain-plans", Fixture, NULL, fixture_setup, test_explain_plans, fixture_teardown);
  g_test_add ("/ui/insight/explain-cancel", Fixture, NULL, fixture_setup, test_explain_cancel, fixture_teardown);
  g_test_add ("/ui/insight/explain-credential-source", Fixture, NULL, fixture_setup, test_explain_credential_source,
              fixture_teardown);
  g_test_add ("/ui/insight/explain-unreachable", Fixture, NULL, fixture_setup, test_explain_unreachable,
              fixture_teardown);

  status = g_test_run ();

  g_assert_finalize_object (sandbox);
  lb_test_remove_tree (tmp);
  return status;
}
