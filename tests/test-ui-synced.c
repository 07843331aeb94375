/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Synced tables in the real main window under Xvfb, against the fake
 * workspace: the Change Data Feed check that Deploy runs first (a table
 * without the feed and a view block it; Copy SQL, Run… through its
 * confirmation, Use Snapshot; then the deploy goes ahead), and the Synced
 * Tables window after a deploy (states, a failed pipeline's message in red,
 * Sync Now, the links, refresh backoff, no polling while hidden, the main
 * menu's entry). Screenshots; no secret in any label. */
#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "lb-application.h"
#include "lb-calculator-page.h"
#include "lb-cdf-check-group.h"
#include "lb-compat.h"
#include "lb-deploy-page.h"
#include "lb-fake-workspace.h"
#include "lb-fake-workspace-pipelines.h"
#include "lb-fake-workspace-sql.h"
#include "lb-pg-sandbox.h"
#include "lb-synced-tables-window.h"
#include "lb-test-gtk-utils.h"
#include "lb-window.h"

static LbFakeWorkspace *fake;
static char *tmpdir;
static char *config_path;

typedef struct
{
  LbApplication *app;
  LbWindow      *window;
  LbDeployPage  *page;
} Fixture;

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
load_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lb_window_load_file_finish (LB_WINDOW (object), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static LbWorkload *
load_sample (Fixture *fixture)
{
  g_autofree char *sample = g_build_filename (g_getenv ("LB_SAMPLES_DIR"), "workload.yml", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (sample);
  gboolean done = FALSE;

  lb_window_load_file_async (fixture->window, file, NULL, load_done_cb, &done);
  lb_test_spin_until (&done, 20);
  lb_window_show_page (fixture->window, "deploy");
  lb_test_spin_briefly ();
  return lb_calculator_page_get_workload (lb_window_get_calculator_page (fixture->window));
}

static gboolean
profile_selected (gpointer data)
{
  return lb_deploy_page_select_profile (data, "DEFAULT");
}

static gboolean
signed_in (gpointer data)
{
  return lb_deploy_page_get_user_name (data) != NULL;
}

static void
sign_in (Fixture *fixture)
{
  lb_test_spin_until_func (profile_selected, fixture->page, 10);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "deploy.check", NULL));
  g_test_message ("signing in");
  lb_test_spin_until_func (signed_in, fixture->page, 15);
}

static gboolean
runner_is_idle (gpointer data)
{
  LbDeploymentRunner *runner = lb_deploy_page_get_runner (data);

  return runner != NULL && !lb_deployment_runner_get_running (runner);
}

static gboolean
runner_is_running (gpointer data)
{
  LbDeploymentRunner *runner = lb_deploy_page_get_runner (data);

  return runner != NULL && lb_deployment_runner_get_running (runner);
}

static void
tune_runner_cb (LbDeployPage *page)
{
  if (lb_deploy_page_get_runner (page) != NULL)
    g_object_set (lb_deploy_page_get_runner (page), "poll-base-ms", 10, "poll-max-ms", 40, "connect-timeout-s", 2,
                  NULL);
}

static void
assert_no_secret_in_labels (GtkWidget *widget)
{
  g_auto(GStrv) secrets = lb_fake_workspace_dup_secrets (fake);

  if (GTK_IS_LABEL (widget))
    for (guint i = 0; secrets[i] != NULL; i++)
      g_assert_null (strstr (gtk_label_get_label (GTK_LABEL (widget)), secrets[i]));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    assert_no_secret_in_labels (child);
}

/* The Change Data Feed gate ------------------------------------------------------ */

static gboolean
group_blocks (gpointer data)
{
  return lb_cdf_check_group_get_n_blocking (data) == 2;
}

static gboolean
no_blocked_toast (gpointer data)
{
  return !lb_test_find_label_containing (data, "Not deployed:");
}

static gboolean
customers_has_feed (gpointer data)
{
  return lb_fake_workspace_sql_get_change_data_feed (fake, "retail.serving.customers") &&
         lb_cdf_check_group_get_n_blocking (data) == 1;
}

static guint
count_statements (const char *prefix)
{
  g_auto(GStrv) statements = lb_fake_workspace_sql_dup_statements (fake, prefix);

  return g_strv_length (statements);
}

static LbSyncedTable *
find_table (LbWorkload *workload,
            const char *name)
{
  GListModel *tables = lb_workload_get_tables (workload);

  for (guint i = 0; i < g_list_model_get_n_items (tables); i++)
    {
      g_autoptr(LbSyncedTable) table = g_list_model_get_item (tables, i);

      if (g_str_equal (lb_synced_table_get_name (table), name))
        return table;
    }
  return NULL;
}

static void
test_cdf_gate (Fixture       *fixture,
               gconstpointer  data)
{
  LbDeployPage *page = fixture->page;
  LbCdfCheckGroup *group = lb_deploy_page_get_cdf_check_group (page);
  static const char * const keys[] = { "order_id", NULL };
  g_autoptr(LbSyncedTable) view = NULL;
  GdkContentProvider *content;
  LbWorkload *workload;
  GtkWidget *row;
  guint projects_before;
  GValue text = G_VALUE_INIT;

  lb_fake_workspace_set_polls_until_ready (fake, 1);
  workload = load_sample (fixture);
  /* customers reads the feed it does not have; a view never has one. */
  lb_synced_table_set_scheduling_policy (find_table (workload, "retail.serving.customers"), LB_SYNC_MODE_TRIGGERED);
  view = lb_synced_table_new ("retail.serving.orders_view", keys, LB_SYNC_MODE_TRIGGERED);
  lb_workload_add_table (workload, view);
  lb_workload_set_warehouse_id (workload, "wh-serverless");
  lb_cdf_check_group_set_poll_base_ms (group, 5);
  g_signal_connect (page, "notify::runner", G_CALLBACK (tune_runner_cb), NULL);
  sign_in (fixture);
  lb_test_wait_for_label_containing (page, "Triggered and Continuous sync read the source’s change data feed", 15);
  /* Said before anything is deployed. */
  lb_test_wait_for_label_containing (page, "cannot be changed after it is created", 15);

  /* Deploy: the check runs and blocks; nothing is created. */
  projects_before = lb_fake_workspace_count_requests (fake, "POST", "/api/2.0/postgres/projects");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.run", NULL));
  lb_test_spin_until_func (group_blocks, group, 15);
  lb_test_spin_briefly ();
  g_assert_null (lb_deploy_page_get_runner (page));
  g_assert_cmpuint (lb_fake_workspace_count_requests (fake, "POST", "/api/2.0/postgres/projects"), ==, projects_before);
  g_assert_cmpuint (count_statements ("SHOW TBLPROPERTIES"), >=, 3);
  lb_test_wait_for_label_containing (page, "a view cannot have change data feed — use Snapshot", 15);
  lb_test_wait_for_label_containing (page, "change data feed is off; Triggered sync needs it", 15);
  lb_test_wait_for_label_containing (page, "2 tables cannot sync with their modes", 15);
  lb_test_wait_for_label_containing (fixture->window,
                                     "Not deployed: 2 tables cannot sync with their modes (see Change Data Feed)", 15);
  row = lb_cdf_check_group_get_row (group, "retail.serving.customers");
  g_assert_true (gtk_widget_has_css_class (row, "cdf-blocking"));
  g_assert_false (gtk_widget_has_css_class (lb_cdf_check_group_get_row (group, "retail.serving.orders"),
                                            "cdf-blocking"));
  /* The page scrolled to the list. */
  g_assert_cmpfloat (gtk_adjustment_get_value (gtk_scrolled_window_get_vadjustment (
                       GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (GTK_WIDGET (group), GTK_TYPE_SCROLLED_WINDOW)))), >, 100);
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "cdf-blocking");

  /* Copy SQL: the exact statement on the clipboard. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (group), "cdf.copy-sql", "s", "retail.serving.customers"));
  content = gdk_clipboard_get_content (gtk_widget_get_clipboard (GTK_WIDGET (group)));
  g_assert_nonnull (content);
  g_value_init (&text, G_TYPE_STRING);
  g_assert_true (gdk_content_provider_get_value (content, &text, NULL));
  g_assert_cmpstr (g_value_get_string (&text), ==,
                   "ALTER TABLE `retail`.`serving`.`customers` SET TBLPROPERTIES (delta.enableChangeDataFeed = true)");
  g_value_unset (&text);

  /* Run…, cancelled in the confirmation: nothing runs. */
  lb_cdf_check_group_set_confirm_response (group, "cancel");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (group), "cdf.run-sql", "s", "retail.serving.customers"));
  lb_test_spin_briefly ();
  g_assert_cmpuint (count_statements ("ALTER TABLE"), ==, 0);

  /* Run…, confirmed: the warehouse runs it and the check passes for the table. */
  lb_cdf_check_group_set_confirm_response (group, "run");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (group), "cdf.run-sql", "s", "retail.serving.customers"));
  lb_test_spin_until_func (customers_has_feed, group, 15);
  g_assert_cmpuint (count_statements ("ALTER TABLE"), ==, 1);
  g_assert_nonnull (lb_test_find_label_containing (lb_cdf_check_group_get_row (group, "retail.serving.customers"),
                                                   "change data feed is on"));

  /* Use Snapshot for the view: the workload changes, nothing blocks. */
  g_assert_nonnull (lb_test_find_label_containing (GTK_WIDGET (fixture->window), "Not deployed:"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (group), "cdf.use-snapshot", "s", "retail.serving.orders_view"));
  lb_test_spin_briefly ();
  g_assert_cmpint (lb_synced_table_get_scheduling_policy (find_table (workload, "retail.serving.orders_view")), ==,
                   LB_SYNC_MODE_SNAPSHOT);
  g_assert_cmpuint (lb_cdf_check_group_get_n_blocking (group), ==, 0);
  g_assert_true (lb_cdf_check_group_passed (group));
  /* The "Not deployed" toast went with the last blocker. */
  lb_test_spin_until_func (no_blocked_toast, fixture->window, 2);
  lb_test_wait_for_label_containing (page, "a view, synced as a snapshot", 15);
  /* The plan follows the workload: the view is planned as a snapshot. */
  lb_test_wait_for_label_containing (page, "from retail.serving.orders_view · key order_id · Snapshot", 15);
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "cdf-fixed");

  /* Deploy goes ahead at once now, the view as a snapshot. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.run", NULL));
  g_assert_true (runner_is_running (page));
  lb_test_spin_until_func (runner_is_idle, page, 60);
  g_assert_cmpuint (lb_fake_workspace_count_resources (fake, "postgres_synced_tables"), ==, 4);
  {
    g_autoptr(JsonNode) table = lb_fake_workspace_dup_resource (fake, "postgres_synced_tables",
                                                                "synced_tables/retail_pg.public.orders_view");

    g_assert_nonnull (table);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (table), "spec"),
                                                    "scheduling_policy"), ==, "SNAPSHOT");
  }
  assert_no_secret_in_labels (GTK_WIDGET (fixture->window));
}

/* The Synced Tables window ------------------------------------------------------------ */

static gboolean
window_refreshed (gpointer data)
{
  LbSyncedTablesWindow *window = data;
  guint *target = g_object_get_data (G_OBJECT (window), "target");

  return lb_synced_tables_window_get_refresh_count (window) >= *target;
}

static void
wait_refreshes (LbSyncedTablesWindow *window,
                guint                 count)
{
  guint target = count;

  g_object_set_data (G_OBJECT (window), "target", &target);
  lb_test_spin_until_func (window_refreshed, window, 15);
  g_object_set_data (G_OBJECT (window), "target", NULL);
}

/* The app's one way to open a link (lb_compat_show_uri) hands it here. */
static void
opened_uri_cb (const char *uri,
               gpointer    user_data)
{
  char **slot = user_data;

  g_free (*slot);
  *slot = g_strdup (uri);
}

static gboolean
at_max_interval (gpointer data)
{
  return lb_synced_tables_window_get_next_refresh_ms (data) == 160;
}

static gboolean
partitions_measured (gpointer data)
{
  LbSyncedTableStatus *orders = lb_sync_status_find (data, "status_pg.public.orders");

  return orders != NULL && lb_synced_table_status_get_partition_count (orders) == 2 &&
         lb_synced_table_status_get_partition_bytes (orders) > 2 * 8192;
}

static gboolean
sync_posted (gpointer data)
{
  return lb_fake_workspace_pipelines_count_updates (fake, NULL) == 1;
}

static GtkWidget *
find_button_with_action (GtkWidget  *widget,
                         const char *action)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button_with_action (child, action);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_button_with_label (GtkWidget  *widget,
                        const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button_with_label (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_synced_tables_window (Fixture       *fixture,
                           gconstpointer  data)
{
  LbDeployPage *page = fixture->page;
  g_autoptr(JsonObject) members = json_object_new ();
  g_autofree char *opened = NULL;
  g_autofree char *expected = NULL;
  LbSyncedTablesWindow *window;
  LbSyncStatus *status;
  GtkWidget *button;
  GtkWidget *row;
  guint count;
  g_autofree char *lines_pipeline = NULL;
  g_autofree char *customers_pipeline = NULL;

  g_autoptr(LbPgSandbox) sandbox = lb_pg_sandbox_new_for_tests (FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  g_autofree char *port = NULL;
  g_autofree char *user = NULL;
  g_autofree char *dbname = NULL;
  LbWorkload *workload;

  /* A real PostgreSQL stands in for the instance: orders is partitioned,
   * as synced tables are. */
  g_assert_true (lb_pg_sandbox_start (sandbox, NULL, &error));
  g_assert_no_error (error);
  host = lb_test_conninfo_value (lb_pg_sandbox_get_conninfo (sandbox), "host");
  port = lb_test_conninfo_value (lb_pg_sandbox_get_conninfo (sandbox), "port");
  user = lb_test_conninfo_value (lb_pg_sandbox_get_conninfo (sandbox), "user");
  dbname = lb_test_conninfo_value (lb_pg_sandbox_get_conninfo (sandbox), "dbname");
  lb_test_pg_exec (lb_pg_sandbox_get_conninfo (sandbox),
                   "DROP TABLE IF EXISTS orders;"
                   "CREATE TABLE orders (id int, region text) PARTITION BY LIST (region);"
                   "CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('eu');"
                   "CREATE TABLE orders_us PARTITION OF orders FOR VALUES IN ('us');"
                   "INSERT INTO orders SELECT g, CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END"
                   "  FROM generate_series (1, 40000) g;");
  lb_fake_workspace_set_pg_host (fake, host);
  lb_fake_workspace_set_user_name (fake, user);

  lb_fake_workspace_set_polls_until_ready (fake, 0);
  workload = load_sample (fixture);
  lb_workload_set_database_name (workload, dbname);
  /* A project of its own: its endpoint's host is the sandbox. */
  lb_workload_set_instance_name (workload, "retail-status");
  lb_workload_set_database_catalog (workload, "status_pg");
  g_signal_connect (page, "notify::runner", G_CALLBACK (tune_runner_cb), NULL);
  sign_in (fixture);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.run", NULL));
  lb_test_spin_until_func (runner_is_idle, page, 60);

  /* After the deploy, the way to the synced tables. */
  button = find_button_with_action (GTK_WIDGET (page), "deploy.synced-tables");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "deploy.synced-tables", NULL));
  window = LB_SYNCED_TABLES_WINDOW (lb_deploy_page_get_synced_tables_window (page));
  g_assert_nonnull (window);
  lb_synced_tables_window_set_refresh_interval (window, 40, 160);
  lb_compat_set_uri_responder (opened_uri_cb, &opened);
  status = lb_synced_tables_window_get_status (window);
  /* The sandbox's port (an instance listens on 5432). */
  lb_sync_status_set_pg_port (status, (guint) g_ascii_strtoull (port, NULL, 10));
  wait_refreshes (window, 1);
  g_assert_cmpuint (g_list_model_get_n_items (lb_sync_status_get_tables (status)), ==, 3);
  lb_test_wait_for_label_containing (GTK_WIDGET (window), "Online", 15);
  lb_test_wait_for_label_containing (GTK_WIDGET (window), "Syncing", 15);

  /* Sync Now: off for CONTINUOUS, on for the others. */
  row = lb_synced_tables_window_get_row (window, "status_pg.public.orders");
  g_assert_null (find_button_with_action (row, "synced.sync-now"));
  button = find_button_with_label (row, "Sync _Now");
  g_assert_nonnull (button);
  g_assert_false (gtk_widget_get_sensitive (button));
  row = lb_synced_tables_window_get_row (window, "status_pg.public.customers");
  g_assert_true (gtk_widget_get_sensitive (find_button_with_action (row, "synced.sync-now")));

  /* order_lines' pipeline fails: red, expanded, with both messages. */
  /* Copies: each refresh replaces the rows' objects. */
  lines_pipeline = g_strdup (lb_synced_table_status_get_pipeline_id (lb_sync_status_find (status, "status_pg.public.order_lines")));
  json_object_set_string_member (members, "detailed_state", "SYNCED_TABLE_ONLINE_PIPELINE_FAILED");
  json_object_set_string_member (members, "message", "Update failed: column line_no has NULL values.");
  g_assert_true (lb_fake_workspace_merge_synced_table_status (fake, "postgres_synced_tables",
                                                              "synced_tables/status_pg.public.order_lines", members));
  lb_fake_workspace_pipelines_set_state (fake, lines_pipeline, "FAILED", "Flow 'order_lines' failed: NOT NULL constraint violated.");
  count = lb_synced_tables_window_get_refresh_count (window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "synced.refresh", NULL));
  wait_refreshes (window, count + 1);
  lb_test_wait_for_label_containing (GTK_WIDGET (window),
                                     "Update failed: column line_no has NULL values. (pipeline: Flow 'order_lines' failed",
                                     15);
  row = lb_synced_tables_window_get_row (window, "status_pg.public.order_lines");
  g_assert_true (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (row)));
  lb_test_wait_for_label_containing (GTK_WIDGET (window), "1 table failed", 15);
  /* F5 measured the partitions again, now on the sandbox's port. */
  g_test_message ("waiting for the partition sizes");
  lb_test_spin_until_func (partitions_measured, status, 15);
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (lb_synced_tables_window_get_row (window, "status_pg.public.orders")),
                                 TRUE);
  lb_test_wait_for_label_containing (GTK_WIDGET (window), "2 partitions, ", 15);
  lb_test_spin_briefly ();
  lb_test_save_screenshot (GTK_WIDGET (window), "synced-tables");

  /* Sync Now posts a pipeline update; CONTINUOUS does nothing. */
  customers_pipeline = g_strdup (lb_synced_table_status_get_pipeline_id (lb_sync_status_find (status, "status_pg.public.customers")));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "synced.sync-now", "s", "status_pg.public.customers"));
  lb_test_spin_until_func (sync_posted, NULL, 10);
  g_assert_cmpuint (lb_fake_workspace_pipelines_count_updates (fake, customers_pipeline), ==, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "synced.sync-now", "s", "status_pg.public.orders"));
  lb_test_spin_briefly ();
  g_assert_cmpuint (lb_fake_workspace_pipelines_count_updates (fake, NULL), ==, 1);

  /* The links go to the workspace. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "synced.open-pipeline", "s", "status_pg.public.customers"));
  expected = g_strdup_printf ("%s/pipelines/%s", lb_fake_workspace_get_url (fake), customers_pipeline);
  g_assert_cmpstr (opened, ==, expected);
  g_free (expected);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "synced.open-table", "s", "status_pg.public.customers"));
  expected = g_strdup_printf ("%s/explore/data/status_pg/public/customers", lb_fake_workspace_get_url (fake));
  g_assert_cmpstr (opened, ==, expected);
  lb_compat_set_uri_responder (NULL, NULL);

  /* Unchanged: the wait doubles up to its ceiling. */
  lb_test_spin_until_func (at_max_interval, window, 10);

  /* Hidden: no timer, no requests. */
  gtk_widget_set_visible (GTK_WIDGET (window), FALSE);
  lb_test_spin_briefly ();
  g_assert_cmpuint (lb_synced_tables_window_get_next_refresh_ms (window), ==, 0);
  count = lb_synced_tables_window_get_refresh_count (window);
  lb_test_spin_ms (400);
  g_assert_cmpuint (lb_synced_tables_window_get_refresh_count (window), ==, count);

  /* The main menu's entry shows the same window again, which reads at once. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.synced-tables", NULL));
  g_assert_true (lb_deploy_page_get_synced_tables_window (page) == GTK_WIDGET (window));
  wait_refreshes (window, count + 1);
  assert_no_secret_in_labels (GTK_WIDGET (window));

  gtk_window_destroy (GTK_WINDOW (window));
  lb_fake_workspace_set_pg_host (fake, "/nonexistent/lb-fake-workspace-pg");
  lb_fake_workspace_set_user_name (fake, "ana@example.com");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *config = NULL;
  int ret;

  config_path = lb_test_isolate_workspace_env ("lb-ui-synced-XXXXXX");
  tmpdir = g_path_get_dirname (config_path);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/lb-test-bus", TRUE);

  fake = lb_fake_workspace_new ();
  lb_fake_workspace_sql_add_view (fake, "retail.serving.orders_view");
  config = g_strdup_printf ("[DEFAULT]\nhost = %s\ntoken = %s\n", lb_fake_workspace_get_url (fake),
                            lb_fake_workspace_get_token (fake));
  g_assert_true (g_file_set_contents (config_path, config, -1, NULL));

  lb_test_gtk_init (&argc, &argv);

  g_test_add ("/ui/synced/cdf-gate", Fixture, NULL, fixture_setup, test_cdf_gate, fixture_teardown);
  g_test_add ("/ui/synced/synced-tables-window", Fixture, NULL, fixture_setup, test_synced_tables_window,
              fixture_teardown);

  ret = g_test_run ();

  lb_fake_workspace_free (fake);
  g_unlink (config_path);
  g_rmdir (tmpdir);
  g_free (config_path);
  g_free (tmpdir);
  return ret;
}
