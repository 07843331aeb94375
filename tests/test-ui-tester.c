/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Drives the concurrency-test window under Xvfb: runs the customer_lookup
 * sample on a sandbox of its own for a few seconds, checks what the chart and
 * the results table show, exports the run, reads it back from the history,
 * compares two runs, and opens the tester from the main window. Screenshots
 * go to G_TEST_BUILDDIR/screenshots. */
#include "config.h"

#include <adwaita.h>
#include <json-glib/json-glib.h>
#include <libpq-fe.h>
#include <string.h>

#include "lb-application.h"
#include "lb-pg-sandbox.h"
#include "lb-pg-sandbox-private.h"
#include "lb-tester-page.h"
#include "lb-tester-window.h"
#include "lb-tester-window-private.h"
#include "lb-test-gtk-utils.h"
#include "lb-window.h"

static char *data_home;
static LbPgSandbox *sandbox;   /* one for the whole program: initdb is slow */

typedef struct
{
  LbTesterWindow *window;
  char           *tmpdir;
} Fixture;

static void
resize_and_wait (GtkWindow *window,
                 int        width,
                 int        height)
{
  gtk_window_set_default_size (window, width, height);
  for (guint i = 0; i < 5; i++)
    {
      gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
      lb_test_spin_ms (150);
    }
}

/* Counts pixels of an ARGB32 surface within a small distance of @color. */
static guint
count_pixels_near (cairo_surface_t *surface,
                   const GdkRGBA   *color)
{
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);
  const guchar *data;
  guint n = 0;

  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint32 pixel = *(const guint32 *) (data + y * stride + x * 4);
        int r = (pixel >> 16) & 0xff, g = (pixel >> 8) & 0xff, b = pixel & 0xff, a = pixel >> 24;

        if (a > 240 &&
            ABS (r - (int) (color->red * 255)) < 20 &&
            ABS (g - (int) (color->green * 255)) < 20 &&
            ABS (b - (int) (color->blue * 255)) < 20)
          n++;
      }

  return n;
}

/* The chart through its export path, into the screenshots. */
static void
save_chart (LbThroughputChart *chart,
            const char        *name)
{
  g_autofree char *dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ?: ".", "screenshots", NULL);
  g_autofree char *path = NULL;
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GError) error = NULL;

  png = lb_throughput_chart_render_png (chart, 900, 400, &error);
  g_assert_no_error (error);
  g_mkdir_with_parents (dir, 0755);
  path = g_strdup_printf ("%s/%s.png", dir, name);
  g_file_set_contents (path, g_bytes_get_data (png, NULL), g_bytes_get_size (png), &error);
  g_assert_no_error (error);
  g_test_message ("screenshot: %s", path);
}

static void
fill_fake_samples (LbThroughputChart *chart,
                   guint              n,
                   gboolean           ladder)
{
  for (guint i = 0; i < n; i++)
    {
      LbRunSample sample = { 0 };

      sample.t = (double) i - 2;
      sample.interval = 1;
      sample.warmup = sample.t <= 0;
      sample.clients = ladder ? 1u << (i / 10) : 8;
      sample.tps = 1000 + 400 * sin (i / 5.0) + (ladder ? 300.0 * (i / 10) : 0);
      sample.p50_ms = 2 + sin (i / 7.0);
      sample.p95_ms = sample.p50_ms * 2.5;
      sample.p99_ms = sample.p50_ms * 4;
      sample.transactions = (guint64) sample.tps;
      lb_throughput_chart_push_sample (chart, &sample);
    }
}

/* The chart on its own: a known set of samples, drawn through the export path
 * and on screen, with the hover marker. */
static void
test_chart_render (void)
{
  GtkWidget *window = adw_window_new ();
  LbThroughputChart *chart = LB_THROUGHPUT_CHART (lb_throughput_chart_new ());
  cairo_surface_t *surface;
  cairo_t *cr;
  GdkRGBA tps_color, p95_color;
  g_autoptr(GBytes) svg = NULL;
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hover = NULL;
  guint empty_tps_pixels;

  {
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

    gtk_widget_set_vexpand (GTK_WIDGET (chart), TRUE);
    gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
    gtk_box_append (GTK_BOX (box), GTK_WIDGET (chart));
    adw_window_set_content (ADW_WINDOW (window), box);
  }
  lb_test_present_window (GTK_WINDOW (window), 900, 420);

  lb_throughput_chart_get_series_color (chart, 0, &tps_color);
  lb_throughput_chart_get_series_color (chart, 2, &p95_color);

  /* Without samples, no series colour at all. */
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 800, 400);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  lb_throughput_chart_draw (chart, cr, 800, 400);
  cairo_destroy (cr);
  empty_tps_pixels = count_pixels_near (surface, &tps_color);
  cairo_surface_destroy (surface);

  fill_fake_samples (chart, 60, FALSE);
  g_assert_cmpuint (lb_throughput_chart_get_n_samples (chart), ==, 60);

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 800, 400);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  lb_throughput_chart_draw (chart, cr, 800, 400);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  g_assert_cmpuint (count_pixels_near (surface, &tps_color), >, empty_tps_pixels + 200);
  g_assert_cmpuint (count_pixels_near (surface, &p95_color), >, 100);
  cairo_surface_destroy (surface);

  png = lb_throughput_chart_render_png (chart, 640, 320, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (png), >, 1000);
  g_assert_cmpmem (g_bytes_get_data (png, NULL), 4, "\x89PNG", 4);
  svg = lb_throughput_chart_render_svg (chart, 640, 320, &error);
  g_assert_no_error (error);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (svg, NULL), g_bytes_get_size (svg), "<svg"));

  /* Hovering the middle of the plot picks a sample and describes it. */
  gtk_test_widget_wait_for_draw (window);
  lb_throughput_chart_hover (chart, gtk_widget_get_width (GTK_WIDGET (chart)) / 2.0, 150);
  hover = lb_throughput_chart_dup_hover_text (chart);
  g_assert_nonnull (hover);
  g_assert_nonnull (strstr (hover, "tx/s"));
  g_assert_nonnull (strstr (hover, "p95"));
  save_chart (chart, "tester-chart");
  lb_throughput_chart_hover (chart, -1, -1);
  g_assert_null (lb_throughput_chart_dup_hover_text (chart));

  /* A ladder, with its step boundaries, and in dark mode. */
  lb_throughput_chart_clear (chart);
  g_assert_cmpuint (lb_throughput_chart_get_n_samples (chart), ==, 0);
  fill_fake_samples (chart, 50, TRUE);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  lb_test_spin_ms (150);
  save_chart (chart, "tester-chart-ladder-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
  lb_test_spin_ms (150);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  lb_test_reset_settings ();

  fixture->tmpdir = g_dir_make_tmp ("lb-ui-tester-XXXXXX", NULL);
  fixture->window = lb_tester_window_new (NULL);
  lb_test_present_window (GTK_WINDOW (fixture->window), 1280, 860);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  lb_test_remove_tree (fixture->tmpdir);
  g_free (fixture->tmpdir);

  if (fixture->window != NULL)
    gtk_window_destroy (GTK_WINDOW (fixture->window));
  lb_test_spin_ms (150);
}

static void
export_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  gboolean *done = user_data;

  g_assert_true (lb_tester_window_export_finish (LB_TESTER_WINDOW (object), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static void
history_loaded_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  gboolean *done = user_data;

  g_assert_true (lb_run_history_load_finish (LB_RUN_HISTORY (object), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static void
load_sample (LbTesterWindow *window)
{
  g_autofree char *path = g_build_filename (g_getenv ("LB_SAMPLES_DIR"), "customer_lookup.sql", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  gboolean done = FALSE;

  lb_tester_window_load_file_async (window, file, NULL, lb_test_tester_load_done_cb, &done);
  lb_test_spin_until (&done, 10);
  lb_test_spin_ms (150);
}

static guint64
parse_count (const char *text)
{
  g_autoptr(GString) digits = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      g_string_append_c (digits, *p);
    else
      g_assert_true (*p == ',');

  return g_ascii_strtoull (digits->str, NULL, 10);
}

/* Runs the window's form as it stands and waits for the result. */
static LbRunRecord *
run_and_wait (LbTesterWindow *window,
              const char     *running_screenshot)
{
  LbThroughputChart *chart = lb_tester_window_get_chart (window);
  gint64 deadline;
  gboolean saw_samples = FALSE;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "tester.start", NULL));
  g_assert_true (lb_tester_window_get_running (window));

  /* The first start of the sandbox creates its sample data: allow for it. */
  deadline = g_get_monotonic_time () + 240 * G_USEC_PER_SEC;
  while (lb_tester_window_get_running (window) && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, TRUE);
      if (!saw_samples && lb_throughput_chart_get_n_samples (chart) >= 2)
        {
          saw_samples = TRUE;
          if (running_screenshot != NULL)
            lb_test_save_screenshot (GTK_WIDGET (window), running_screenshot);
        }
    }

  g_assert_false (lb_tester_window_get_running (window));
  g_assert_true (saw_samples);
  g_assert_nonnull (lb_tester_window_get_record (window));

  return g_object_ref (lb_tester_window_get_record (window));
}

/* The window's form aimed at the sandbox, for a short duration run. */
static LbRunSettings *
sandbox_settings (LbTesterWindow *window,
                  guint           clients,
                  double          duration,
                  double          warmup)
{
  LbRunSettings *settings;

  lb_tester_window_set_sandbox (window, sandbox);
  lb_tester_window_set_target_sandbox (window);
  settings = lb_tester_window_dup_settings (window);
  settings->mode = LB_RUN_MODE_DURATION;
  settings->clients = clients;
  settings->threads = 2;
  settings->duration = duration;
  settings->warmup = warmup;
  return settings;
}

/* A finished run without running one: @seconds at @tps, p50 around
 * @latency_ms (p99 ten times more), one query per script query. */
static LbRunRecord *
fake_record (const char *target_label,
             LbProtocol  protocol,
             double      seconds,
             double      tps,
             double      latency_ms,
             gboolean    cancelled,
             GDateTime  *started)
{
  static const char * const names[] = { "customer_by_key", "customer_by_email", "recent_sales_of_customer" };
  g_autoptr(LbRunSettings) settings = lb_run_settings_new ();
  g_autoptr(LbRunResult) result = lb_run_result_new ();

  g_free (settings->target_label);
  settings->target_label = g_strdup (target_label);
  settings->protocol = protocol;
  settings->clients = 4;
  settings->mode = LB_RUN_MODE_DURATION;
  settings->duration = seconds;

  result->duration = seconds;
  result->tps = tps;
  result->transactions = (guint64) (tps * seconds);
  result->cancelled = cancelled;
  for (guint i = 0; i < 200; i++)
    lb_latency_histogram_record (result->latency, (gint64) (latency_ms * 1000 * (i < 196 ? 1 : 10)));
  for (guint q = 0; q < G_N_ELEMENTS (names); q++)
    {
      LbQueryStats *stats = lb_query_stats_new (q, names[q], "SELECT 1");

      /* Executions in proportion to the length: the same rate per second. */
      stats->executions = (guint64) (100 * (q + 1) * seconds);
      for (guint i = 0; i < 50; i++)
        lb_latency_histogram_record (stats->latency, (gint64) (latency_ms * 1000));
      g_ptr_array_add (result->queries, stats);
    }
  for (guint i = 1; i <= (guint) seconds; i++)
    {
      LbRunSample sample = { 0 };

      sample.t = i;
      sample.interval = 1;
      sample.clients = 4;
      sample.tps = tps;
      sample.transactions = (guint64) tps;
      sample.p50_ms = latency_ms;
      sample.p95_ms = latency_ms * 3;
      sample.p99_ms = latency_ms * 10;
      g_array_append_val (result->timeline, sample);
    }

  return lb_run_record_new ("customer_lookup.sql", NULL, settings, result, started);
}

static gboolean
file_is_written (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_IS_REGULAR);
}

static gboolean
window_has_script (gpointer data)
{
  return lb_tester_window_get_script (data) != NULL;
}

/* Depth first: a mapped label whose text contains @needle. */
static const char *
find_label_containing (GtkWidget  *widget,
                       const char *needle)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      strstr (gtk_label_get_label (GTK_LABEL (widget)), needle) != NULL)
    return gtk_label_get_label (GTK_LABEL (widget));

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *found = find_label_containing (child, needle);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* pgbench --max-tries and aborted clients in the results view: the figures
 * the CLI prints, under the failed counter. */
static void
test_results_retries (void)
{
  GtkWidget *window = adw_window_new ();
  LbRunResultsView *view = LB_RUN_RESULTS_VIEW (lb_run_results_view_new ());
  g_autoptr(LbRunSettings) settings = lb_run_settings_new ();
  g_autoptr(LbRunResult) result = lb_run_result_new ();
  g_autoptr(GDateTime) started = g_date_time_new_utc (2026, 12, 2, 8, 0, 0);
  g_autoptr(LbRunRecord) record = NULL;
  const char *caption;

  settings->conninfo = g_strdup ("dbname=shop");
  settings->clients = 4;
  settings->max_tries = 3;
  result->transactions = 1200;
  result->failed = 7;
  result->retried = 42;
  result->retries = 57;
  result->aborted_clients = 1;
  result->duration = 10;
  result->tps = 120;
  for (guint i = 0; i < 1200; i++)
    lb_latency_histogram_record (result->latency, 1000 + i * 10);
  record = lb_run_record_new ("serialization.sql", "/data/serialization.sql", settings, result, started);

  adw_window_set_content (ADW_WINDOW (window), GTK_WIDGET (view));
  lb_test_present_window (GTK_WINDOW (window), 1000, 640);
  lb_run_results_view_show (view, record, NULL, TRUE);

  caption = find_label_containing (window, "failed\n");
  g_assert_nonnull (caption);
  g_assert_nonnull (strstr (caption, "\n42 retried (57 retries)"));
  g_assert_nonnull (strstr (caption, "\n1 client aborted"));
  lb_test_save_screenshot (window, "tester-retries");
  gtk_window_destroy (GTK_WINDOW (window));
}

/* pgbench -L in the window: the limit only applies with a target rate, and
 * what was skipped is shown with the failed transactions. */
static void
test_latency_limit (Fixture       *fixture,
                    gconstpointer  data)
{
  LbTesterWindow *window = fixture->window;
  g_autoptr(LbRunSettings) settings = NULL;
  g_autoptr(LbRunSettings) read_back = NULL;
  g_autoptr(LbRunRecord) record = NULL;
  LbRunResult *result;
  const char *caption;

  load_sample (window);
  settings = sandbox_settings (window, 2, 2, 0);

  /* No rate, no limit, whatever the field says. */
  settings->rate = 0;
  settings->latency_limit = 0.005;
  lb_tester_window_apply_settings (window, settings);
  read_back = lb_tester_window_dup_settings (window);
  g_assert_cmpfloat (read_back->latency_limit, ==, 0);
  g_clear_pointer (&read_back, lb_run_settings_free);

  /* Far more than two clients can do: the schedule falls behind at once. */
  settings->rate = 50000;
  settings->latency_limit = 0.0005;
  lb_tester_window_apply_settings (window, settings);
  read_back = lb_tester_window_dup_settings (window);
  g_assert_cmpfloat_with_epsilon (read_back->latency_limit, 0.0005, 1e-9);

  record = run_and_wait (window, NULL);
  result = lb_run_record_get_result (record);
  g_test_message ("%" G_GUINT64_FORMAT " run, %" G_GUINT64_FORMAT " skipped",
                  result->transactions, result->skipped);
  g_assert_cmpuint (result->skipped, >, result->transactions);
  caption = find_label_containing (GTK_WIDGET (window), "failed\n");
  g_assert_nonnull (caption);
  {
    const char *number = strchr (caption, '\n');
    g_autofree char *digits = NULL;

    g_assert_nonnull (number);
    number++;
    digits = g_strndup (number, strcspn (number, " "));
    g_assert_cmpuint (parse_count (digits), ==, result->skipped);
  }
  lb_test_save_screenshot (GTK_WIDGET (window), "tester-latency-limit");
}

static void
test_run_export_history_compare (Fixture       *fixture,
                                 gconstpointer  data)
{
  LbTesterWindow *window = fixture->window;
  LbThroughputChart *chart = lb_tester_window_get_chart (window);
  g_autoptr(LbRunSettings) settings = NULL;
  g_autoptr(LbRunRecord) first = NULL;
  g_autoptr(LbRunRecord) second = NULL;
  g_autoptr(LbRunHistory) reread = NULL;
  g_autoptr(GError) error = NULL;
  LbRunResult *result;
  const LbQueryStats *stats;
  LbRunHistoryView *view;
  gboolean done = FALSE;
  guint n_executions_checked = 0;

  load_sample (window);
  g_assert_nonnull (lb_tester_window_get_script (window));
  g_assert_cmpuint (lb_sql_script_get_n_transactions (lb_tester_window_get_script (window)), ==, 3);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "customer_lookup.sql");
  g_assert_true (lb_test_find_label (GTK_WIDGET (window), "customer_by_key"));
  g_assert_true (lb_test_find_label (GTK_WIDGET (window), "recent_sales_of_customer"));
  /* Weights 8, 2 and 1 of 11. */
  g_assert_true (lb_test_find_label (GTK_WIDGET (window), "73 %"));
  lb_test_save_screenshot (GTK_WIDGET (window), "tester-ready");

  settings = sandbox_settings (window, 4, 3, 1);
  lb_tester_window_apply_settings (window, settings);

  first = run_and_wait (window, "tester-running");
  result = lb_run_record_get_result (first);
  g_assert_false (result->cancelled);
  g_assert_cmpuint (result->transactions, >, 0);
  g_assert_cmpuint (lb_throughput_chart_get_n_samples (chart), >=, 2);
  g_assert_cmpuint (lb_run_record_get_settings (first)->clients, ==, 4);

  /* The table shows what the engine counted, query by query. */
  for (guint row = 0; row < result->queries->len; row++)
    {
      g_autofree char *name = lb_tester_window_dup_result_cell (window, row, 0);
      g_autofree char *executions = lb_tester_window_dup_result_cell (window, row, 1);

      stats = g_ptr_array_index (result->queries, row);
      g_assert_cmpstr (name, ==, stats->name);
      g_assert_cmpuint (parse_count (executions), ==, stats->executions);
      if (stats->executions > 0)
        n_executions_checked++;
    }
  /* The weight-8 lookup ran for sure in three seconds. */
  stats = g_ptr_array_index (result->queries, 0);
  g_assert_cmpstr (stats->name, ==, "customer_by_key");
  g_assert_cmpuint (stats->executions, >, 0);
  g_assert_cmpuint (n_executions_checked, >=, 1);
  {
    g_autofree char *total = lb_tester_window_dup_result_cell (window, result->queries->len, 1);
    g_assert_cmpuint (parse_count (total), ==, result->transactions);
  }
  g_assert_null (lb_tester_window_dup_result_cell (window, result->queries->len + 1, 1));

  lb_test_save_screenshot (GTK_WIDGET (window), "tester-done");
  resize_and_wait (GTK_WINDOW (window), 900, 860);
  lb_test_save_screenshot (GTK_WIDGET (window), "tester-done-narrow");
  resize_and_wait (GTK_WINDOW (window), 1280, 860);

  /* Exports: the run as JSON and CSV, the chart as PNG and SVG. */
  {
    static const struct { LbTesterExportFormat format; const char *name; } exports[] = {
      { LB_TESTER_EXPORT_JSON, "run.json" }, { LB_TESTER_EXPORT_CSV, "run.csv" },
      { LB_TESTER_EXPORT_PNG, "chart.png" }, { LB_TESTER_EXPORT_SVG, "chart.svg" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (exports); i++)
      {
        g_autofree char *path = g_build_filename (fixture->tmpdir, exports[i].name, NULL);
        g_autoptr(GFile) file = g_file_new_for_path (path);

        done = FALSE;
        lb_tester_window_export_async (window, exports[i].format, file, NULL, export_done_cb, &done);
        lb_test_spin_until (&done, 10);
        g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
      }
  }
  {
    g_autofree char *path = g_build_filename (fixture->tmpdir, "run.json", NULL);
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *root;

    json_parser_load_from_file (parser, path, &error);
    g_assert_no_error (error);
    root = json_node_get_object (json_parser_get_root (parser));
    g_assert_cmpint (json_object_get_int_member (root, "transactions"), ==, (gint64) result->transactions);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "queries")), ==, 3);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "timeline")), >=, 2);
  }
  {
    g_autofree char *path = g_build_filename (fixture->tmpdir, "run.csv", NULL);
    g_autofree char *csv = NULL;
    g_auto(GStrv) lines = NULL;

    g_file_get_contents (path, &csv, NULL, &error);
    g_assert_no_error (error);
    lines = g_strsplit (csv, "\n", -1);
    g_assert_cmpuint (g_strv_length (lines), >=, 4);
    g_assert_nonnull (strchr (lines[0], ','));
    g_assert_nonnull (strstr (csv, "customer_by_key"));
  }
  {
    g_autofree char *path = g_build_filename (fixture->tmpdir, "chart.png", NULL);
    g_autoptr(GdkTexture) texture = gdk_texture_new_from_filename (path, &error);

    g_assert_no_error (error);
    g_assert_cmpint (gdk_texture_get_width (texture), ==, 1200);
    g_assert_cmpint (gdk_texture_get_height (texture), ==, 600);
  }
  {
    g_autofree char *path = g_build_filename (fixture->tmpdir, "chart.svg", NULL);
    g_autofree char *svg = NULL;

    g_file_get_contents (path, &svg, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (strstr (svg, "<svg"));
  }

  /* The run was kept under XDG_DATA_HOME: a fresh history reads it back. */
  reread = lb_run_history_new (NULL);
  done = FALSE;
  lb_run_history_load_async (reread, NULL, history_loaded_cb, &done);
  lb_test_spin_until (&done, 10);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reread)), >=, 1);
  {
    g_autoptr(LbRunRecord) kept = g_list_model_get_item (G_LIST_MODEL (reread), 0);
    g_autofree char *expected_dir = g_build_filename (data_home, "lakebase-accelerator", "runs", NULL);
    g_autofree char *dir = g_file_get_path (lb_run_history_get_directory (reread));

    g_assert_cmpstr (dir, ==, expected_dir);
    g_assert_cmpstr (lb_run_record_get_id (kept), ==, lb_run_record_get_id (first));
    g_assert_cmpuint (lb_run_record_get_result (kept)->transactions, ==, result->transactions);

    /* Shown from the history, the run fills the chart from its timeline. */
    lb_tester_window_show_run (window, kept);
    g_assert_true (lb_tester_window_get_record (window) == kept);
    g_assert_cmpuint (lb_throughput_chart_get_n_samples (chart), ==,
                      lb_run_record_get_result (kept)->timeline->len);
  }

  /* A second, smaller run, then both compared through the history list. */
  settings->clients = 1;
  settings->threads = 1;
  settings->duration = 2;
  settings->warmup = 0;
  lb_tester_window_apply_settings (window, settings);
  second = run_and_wait (window, NULL);
  g_assert_false (lb_run_record_get_id (second) == lb_run_record_get_id (first));

  view = lb_tester_window_get_history_view (window);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (lb_tester_window_get_history (window))), ==, 2);
  lb_run_history_view_set_selected (view, first, TRUE);
  g_assert_true (lb_tester_window_get_record (window) == first);
  g_assert_null (lb_tester_window_get_compare_record (window));
  lb_run_history_view_set_selected (view, second, TRUE);
  g_assert_true (lb_tester_window_get_record (window) == second);
  g_assert_true (lb_tester_window_get_compare_record (window) == first);
  g_assert_cmpuint (lb_throughput_chart_get_n_compare_samples (chart), ==,
                    lb_run_record_get_result (first)->timeline->len);
  {
    g_autofree char *delta = lb_tester_window_dup_result_delta (window, 0, 1);

    /* One client against four: the executions differ, and the table says by how much. */
    g_assert_nonnull (delta);
    g_assert_true (g_str_has_suffix (delta, "%"));
  }
  lb_test_save_screenshot (GTK_WIDGET (window), "tester-compare");

  /* Unchecking one run ends the comparison; deleting a run removes it. */
  lb_run_history_view_set_selected (view, first, FALSE);
  g_assert_null (lb_tester_window_get_compare_record (window));
  g_signal_emit_by_name (view, "delete-requested", first);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (lb_tester_window_get_history (window))), ==, 1);
}

static void
test_connection_strings (Fixture       *fixture,
                         gconstpointer  data)
{
  LbTesterWindow *window = fixture->window;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_auto(GStrv) saved = NULL;

  load_sample (window);
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (window)));

  /* Not a libpq string: the error shows inline and Start is off. */
  lb_tester_window_set_target_conninfo (window, "host=localhost dbname");
  lb_test_spin_ms (150);
  gtk_widget_activate_action (GTK_WIDGET (window), "tester.start", NULL);
  g_assert_false (lb_tester_window_get_running (window));
  g_assert_true (lb_test_find_label (GTK_WIDGET (window), "Not a valid connection string"));
  lb_test_save_screenshot (GTK_WIDGET (window), "tester-bad-conninfo");

  /* A good one is kept without its password. */
  lb_tester_window_set_target_conninfo (window, "host=db.example.com port=5433 dbname=shop user=app password=hunter2");
  lb_test_spin_ms (150);
  g_assert_false (lb_test_find_label (GTK_WIDGET (window), "Not a valid connection string"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "tester.save-connection", NULL));
  saved = g_settings_get_strv (settings, "tester-connections");
  g_assert_cmpuint (g_strv_length (saved), ==, 1);
  g_assert_null (strstr (saved[0], "hunter2"));
  g_assert_nonnull (strstr (saved[0], "db.example.com"));
  g_assert_nonnull (strstr (saved[0], "5433"));

  /* The settings of a run are remembered for the next window. */
  {
    g_autoptr(LbRunSettings) run = lb_tester_window_dup_settings (window);

    g_assert_cmpstr (run->conninfo, ==, "host=db.example.com port=5433 dbname=shop user=app password=hunter2");
    g_assert_cmpstr (run->target_label, ==, "app@db.example.com:5433/shop");
    g_assert_cmpuint (run->protocol, ==, LB_PROTOCOL_PREPARED);
  }
}

/* The Lakebase-like credential source's token and its lifetime
 * (lb_test_token_source_new()). */
#define TOKEN "tok-s3cret-lakebase"
#define TOKEN_LIFETIME_S 3

static gboolean
asked_three_times (gpointer data)
{
  return lb_test_token_source_get_n_asked (data) >= 3;
}

/* A target with an expiring credential: the form shows it without the
 * token, a run connects with it, and it is renewed while the window lives. */
static void
test_credential_source (Fixture       *fixture,
                        gconstpointer  data)
{
  LbTesterWindow *window = fixture->window;
  g_autoptr(LbTestTokenSource) source = lb_test_token_source_new (sandbox, TOKEN, TOKEN_LIFETIME_S);
  g_autoptr(LbRunSettings) settings = NULL;
  g_autoptr(LbRunSettings) shown = NULL;
  g_autoptr(LbRunRecord) record = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (lb_pg_sandbox_start (sandbox, NULL, &error));
  load_sample (window);
  settings = sandbox_settings (window, 1, 2, 0);
  settings->threads = 1;
  lb_tester_window_apply_settings (window, settings);

  lb_tester_window_set_target_source (window, LB_CREDENTIAL_SOURCE (source));
  lb_test_spin_ms (150);
  shown = lb_tester_window_dup_settings (window);
  g_assert_nonnull (shown->conninfo);
  g_assert_null (strstr (shown->conninfo, TOKEN));
  g_assert_nonnull (strstr (shown->conninfo, lb_pg_sandbox_get_conninfo (sandbox)));
  g_assert_false (lb_test_find_label (GTK_WIDGET (window), TOKEN));

  record = run_and_wait (window, NULL);
  g_assert_cmpuint (lb_run_record_get_result (record)->transactions, >, 0);
  json = lb_run_record_to_json_string (record);
  g_assert_null (strstr (json, TOKEN));

  /* Renewed before each expiry for as long as the window is open. */
  lb_test_spin_until_func (asked_three_times, source, 3 * TOKEN_LIFETIME_S);
  g_assert_false (lb_test_find_label (GTK_WIDGET (window), TOKEN));
}

static LbTesterWindow *find_tester_window (LbTesterWindow *except);

/* Polls, so a window that never gets there fails the test instead of
 * blocking it in an idle main loop. */
static void
wait_until (gboolean (*done) (gpointer data),
            gpointer  data,
            guint     seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;

  while (!done (data) && g_get_monotonic_time () < deadline)
    lb_test_spin_ms (20);
  g_assert_true (done (data));
}

static gboolean
asked_twice (gpointer data)
{
  return lb_test_token_source_get_n_asked (data) >= 2;
}

static LbTesterWindow *
activate_open_tester (LbApplication *app,
                      GVariantDict  *options)
{
  LbTesterWindow *window;

  g_assert_null (find_tester_window (NULL));
  g_action_group_activate_action (G_ACTION_GROUP (app), "open-tester", g_variant_dict_end (options));
  window = find_tester_window (NULL);
  g_assert_nonnull (window);
  g_assert_true (gtk_window_get_application (GTK_WINDOW (window)) == GTK_APPLICATION (app));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  /* Wired to what the app's tester windows share. */
  g_assert_true (lb_tester_window_get_history (window) == lb_application_get_run_history (app));
  g_assert_true (lb_tester_window_get_sandbox (window) == lb_application_get_sandbox (app));
  return window;
}

static void
close_tester (LbTesterWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  lb_test_spin_ms (100);
}

static gboolean
form_shows (gpointer data)
{
  LbTesterWindow *window = data;
  g_autoptr(LbRunSettings) settings = lb_tester_window_dup_settings (window);

  return settings->conninfo != NULL && strstr (settings->conninfo, lb_pg_sandbox_get_conninfo (sandbox)) != NULL;
}

/* app.open-tester, each key of its parameter: a file, the sample on the
 * sandbox, a past run with its settings, a registered credential source. */
static void
test_app_open_tester (void)
{
  g_autoptr(LbApplication) app = lb_test_new_application ();
  g_autofree char *path = g_build_filename (g_getenv ("LB_SAMPLES_DIR"), "customer_lookup.sql", NULL);
  g_autoptr(LbRunRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  LbTesterWindow *window;

  /* file: that script. */
  {
    g_auto(GVariantDict) options = G_VARIANT_DICT_INIT (NULL);

    g_variant_dict_insert (&options, "file", "s", path);
    window = activate_open_tester (app, &options);
    wait_until (window_has_script, window, 10);
    g_assert_cmpstr (lb_sql_script_get_display_name (lb_tester_window_get_script (window)), ==, "customer_lookup.sql");
    g_assert_cmpuint (lb_sql_script_get_n_queries (lb_tester_window_get_script (window)), ==, 3);
    close_tester (window);
  }

  /* sample: the bundled script, against the sandbox. */
  {
    g_auto(GVariantDict) options = G_VARIANT_DICT_INIT (NULL);
    g_autoptr(LbRunSettings) settings = NULL;

    g_variant_dict_insert (&options, "sample", "b", TRUE);
    window = activate_open_tester (app, &options);
    wait_until (window_has_script, window, 10);
    g_assert_cmpstr (lb_sql_script_get_display_name (lb_tester_window_get_script (window)), ==, "customer_lookup.sql");
    settings = lb_tester_window_dup_settings (window);
    g_assert_null (settings->conninfo);   /* the sandbox */
    close_tester (window);
  }

  /* run: reopened with its settings, its script and its record. */
  {
    g_auto(GVariantDict) options = G_VARIANT_DICT_INIT (NULL);
    g_autoptr(LbRunSettings) settings = lb_run_settings_new ();
    g_autoptr(LbRunResult) result = lb_run_result_new ();
    g_autoptr(LbRunSettings) shown = NULL;

    settings->clients = 7;
    settings->mode = LB_RUN_MODE_DURATION;
    settings->duration = 13;
    result->duration = 13;
    record = lb_run_record_new ("customer_lookup.sql", path, settings, result, NULL);
    g_assert_true (lb_run_history_add (lb_application_get_run_history (app), record, &error));
    g_assert_no_error (error);

    g_variant_dict_insert (&options, "run", "s", lb_run_record_get_id (record));
    window = activate_open_tester (app, &options);
    wait_until (window_has_script, window, 10);
    lb_test_spin_ms (100);
    shown = lb_tester_window_dup_settings (window);
    g_assert_cmpuint (shown->clients, ==, 7);
    g_assert_cmpfloat (shown->duration, ==, 13);
    g_assert_true (lb_tester_window_get_record (window) == record);
    close_tester (window);
    g_assert_true (lb_run_history_remove (lb_application_get_run_history (app), record, &error));
    g_assert_no_error (error);
  }

  /* credentials: the registered source is the target, its credential is
   * renewed, and the form shows it without the secret. */
  {
    g_auto(GVariantDict) options = G_VARIANT_DICT_INIT (NULL);
    g_autoptr(LbTestTokenSource) source = lb_test_token_source_new (sandbox, TOKEN, TOKEN_LIFETIME_S);
    g_autofree char *id = lb_credential_source_register (LB_CREDENTIAL_SOURCE (source));
    g_autoptr(LbRunSettings) shown = NULL;

    g_assert_true (lb_pg_sandbox_start (sandbox, NULL, &error));
    g_assert_no_error (error);
    g_variant_dict_insert (&options, "credentials", "s", id);
    window = activate_open_tester (app, &options);
    wait_until (form_shows, window, 10);
    shown = lb_tester_window_dup_settings (window);
    g_assert_null (strstr (shown->conninfo, TOKEN));
    g_assert_false (lb_test_find_label (GTK_WIDGET (window), TOKEN));
    wait_until (asked_twice, source, 3 * TOKEN_LIFETIME_S);
    lb_test_save_screenshot (GTK_WIDGET (window), "tester-open-credentials");
    close_tester (window);
  }
}

/* A connection string kept from the form loses every secret libpq reads,
 * also the client key's passphrase and a percent-encoded password key. */
static void
test_saved_connection_secrets (Fixture       *fixture,
                               gconstpointer  data)
{
  LbTesterWindow *window = fixture->window;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_auto(GStrv) saved = NULL;

  load_sample (window);

  lb_tester_window_set_target_conninfo (window, "host=db.example.com dbname=shop sslkey=/k.pem sslpassword=keyphrase");
  lb_test_spin_ms (150);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "tester.save-connection", NULL));
  lb_tester_window_set_target_conninfo (window, "postgresql://app@db.example.com/shop?%70assword=hunter2&sslmode=require");
  lb_test_spin_ms (150);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "tester.save-connection", NULL));
  lb_test_spin_ms (150);

  saved = g_settings_get_strv (settings, "tester-connections");
  g_assert_cmpuint (g_strv_length (saved), ==, 2);
  g_assert_cmpstr (saved[0], ==, "host=db.example.com dbname=shop sslkey=/k.pem");
  g_assert_cmpstr (saved[1], ==, "postgresql://app@db.example.com/shop?sslmode=require");
  /* The menu names the second one, and nothing shows either secret. */
  g_assert_true (lb_test_find_label (GTK_WIDGET (window), "app@db.example.com/shop"));
  g_assert_false (lb_test_find_label (GTK_WIDGET (window), "keyphrase"));
}

/* A typed string runs as written, but the form says when nobody checks the
 * server's certificate (a password could go to whoever answers). */
static void
test_unverified_tls_note (Fixture       *fixture,
                          gconstpointer  data)
{
  LbTesterWindow *window = fixture->window;
  const char *note = "The server’s certificate is not checked";

  load_sample (window);

  lb_tester_window_set_target_conninfo (window, "host=db.example.com dbname=shop user=app sslmode=require");
  lb_test_spin_ms (150);
  g_assert_true (lb_test_find_label (GTK_WIDGET (window), note));
  g_assert_true (lb_test_find_label (GTK_WIDGET (window),
                                     "TLS: encrypted, server not verified. "
                                     "Add sslmode=verify-full (and sslrootcert) to check who answers."));
  lb_test_save_screenshot (GTK_WIDGET (window), "tester-tls-unverified");
  {
    /* The string itself is kept as the user wrote it. */
    g_autoptr(LbRunSettings) run = lb_tester_window_dup_settings (window);

    g_assert_cmpstr (run->conninfo, ==, "host=db.example.com dbname=shop user=app sslmode=require");
  }

  /* No sslmode at all: libpq's "prefer" checks nothing either. */
  lb_tester_window_set_target_conninfo (window, "postgresql://app@db.example.com/shop");
  lb_test_spin_ms (150);
  g_assert_true (lb_test_find_label (GTK_WIDGET (window), note));

  lb_tester_window_set_target_conninfo (window, "host=db.example.com dbname=shop sslmode=verify-full sslrootcert=/etc/ssl/certs/ca-certificates.crt");
  lb_test_spin_ms (150);
  g_assert_false (lb_test_find_label (GTK_WIDGET (window), note));

  /* Nothing crosses the network to a socket. */
  lb_tester_window_set_target_conninfo (window, "host=/run/postgresql dbname=shop");
  lb_test_spin_ms (150);
  g_assert_false (lb_test_find_label (GTK_WIDGET (window), note));
}

static GtkWindow *
find_message_dialog (GtkWindow  *parent,
                     const char *heading)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_window_get_transient_for (l->data) == parent &&
        g_strcmp0 (adw_message_dialog_get_heading (l->data), heading) == 0)
      return l->data;

  return NULL;
}

/* Settings that cannot run are refused at once: the sandbox, which can take
 * minutes to create, is not started for them. */
static void
test_settings_checked_first (Fixture       *fixture,
                             gconstpointer  data)
{
  LbTesterWindow *window = fixture->window;
  g_autofree char *directory = g_build_filename (fixture->tmpdir, "never-started", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (directory);
  g_autoptr(LbPgSandbox) idle_sandbox = lb_pg_sandbox_new (file, TRUE);
  g_autoptr(LbRunSettings) settings = NULL;
  GtkWindow *dialog;

  load_sample (window);
  lb_tester_window_set_sandbox (window, idle_sandbox);
  lb_tester_window_set_target_sandbox (window);
  settings = lb_tester_window_dup_settings (window);
  settings->mode = LB_RUN_MODE_DURATION;
  settings->clients = 2;
  settings->threads = 4;
  lb_tester_window_apply_settings (window, settings);
  lb_test_spin_ms (100);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "tester.start", NULL));
  lb_test_spin_ms (300);

  g_assert_false (lb_tester_window_get_running (window));
  g_assert_false (lb_pg_sandbox_get_running (idle_sandbox));
  g_assert_false (g_file_query_exists (file, NULL));
  dialog = find_message_dialog (GTK_WINDOW (window), "These Settings Cannot Run");
  g_assert_nonnull (dialog);
  g_assert_true (lb_test_find_label (GTK_WIDGET (dialog), "4 threads for 2 clients: a thread needs at least one client"));
  gtk_window_destroy (dialog);
}

static LbTesterWindow *
find_tester_window (LbTesterWindow *except)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* transfer none */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (LB_IS_TESTER_WINDOW (item) && (gpointer) item != (gpointer) except)
        return LB_TESTER_WINDOW (item);
    }

  return NULL;
}

static void
wait_for_script (LbTesterWindow *window)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (lb_tester_window_get_script (window) == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (lb_tester_window_get_script (window));
}

/* The main window's Test view opens the tester: its buttons, and .sql files
 * handed to the main window. */
static void
test_main_window_opens_tester (void)
{
  g_autoptr(LbApplication) app = lb_test_new_application ();
  LbWindow *main_window;
  GtkWidget *page;
  LbTesterWindow *tester;
  LbTesterWindow *second;
  g_autofree char *path = g_build_filename (g_getenv ("LB_SAMPLES_DIR"), "customer_lookup.sql", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  main_window = lb_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (main_window), 1180, 860);
  gtk_window_present (GTK_WINDOW (main_window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (main_window), "win.show-page", "s", "test"));
  lb_test_spin_ms (150);
  lb_test_save_screenshot (GTK_WIDGET (main_window), "view-test");

  page = lb_test_find_widget_of_type (GTK_WIDGET (main_window), LB_TYPE_TESTER_PAGE);
  g_assert_nonnull (page);
  g_assert_true (lb_test_find_label (page, "Recent Runs"));
  g_assert_null (find_tester_window (NULL));

  g_assert_true (gtk_widget_activate_action (page, "test-page.run-sample", NULL));
  tester = find_tester_window (NULL);
  g_assert_nonnull (tester);
  wait_for_script (tester);
  g_assert_cmpstr (lb_sql_script_get_display_name (lb_tester_window_get_script (tester)), ==, "customer_lookup.sql");
  g_assert_true (lb_tester_window_get_history (tester) == lb_tester_page_get_history (LB_TESTER_PAGE (page)));
  {
    g_autoptr(LbRunSettings) settings = lb_tester_window_dup_settings (tester);
    g_assert_null (settings->conninfo);   /* the sandbox */
  }
  gtk_window_destroy (GTK_WINDOW (tester));
  lb_test_spin_ms (150);

  /* A .sql file opened through the main window gets a tester of its own. */
  lb_window_open_file (main_window, file);
  second = find_tester_window (NULL);
  g_assert_nonnull (second);
  wait_for_script (second);
  g_assert_cmpuint (lb_sql_script_get_n_queries (lb_tester_window_get_script (second)), ==, 3);
  gtk_window_destroy (GTK_WINDOW (second));
  gtk_window_destroy (GTK_WINDOW (main_window));
  lb_test_spin_ms (150);
}

/* Every tester action that opens a chooser, through the chooser the user
 * sees (the seam answers it) and its callback: the file picked is opened or
 * written; a dismissed chooser does nothing. */
static void
test_choosers (Fixture       *fixture,
               gconstpointer  data)
{
  LbTesterWindow *window = fixture->window;
  g_autofree char *sample = g_build_filename (g_getenv ("LB_SAMPLES_DIR"), "customer_lookup.sql", NULL);
  g_autoptr(GFile) sample_file = g_file_new_for_path (sample);
  g_autoptr(LbRunRecord) record = NULL;
  g_autofree char *not_written = g_build_filename (fixture->tmpdir, "dismissed.json", NULL);
  static const struct {
    const char *action;
    const char *title;
    const char *suffix;
    const char *file_name;
  } exports[] = {
    { "tester.export-json", "Export Run as JSON", ".json", "run.json" },
    { "tester.export-csv", "Export Run as CSV", ".csv", "run.csv" },
    { "tester.export-png", "Export Chart as PNG", "-chart.png", "chart.png" },
    { "tester.export-svg", "Export Chart as SVG", "-chart.svg", "chart.svg" },
  };

  /* Open, dismissed: still no script. */
  lb_test_queue_chooser_answer (NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "tester.open", NULL));
  lb_test_wait_for_choosers ();
  g_assert_cmpstr (lb_test_last_chooser_title (), ==, "Open SQL Workload");
  lb_test_spin_ms (100);
  g_assert_null (lb_tester_window_get_script (window));

  /* Open, picked: the script is read and shown. */
  lb_test_queue_chooser_answer (sample_file);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "tester.open", NULL));
  lb_test_wait_for_choosers ();
  lb_test_spin_until_func (window_has_script, window, 10);
  g_assert_cmpstr (lb_sql_script_get_display_name (lb_tester_window_get_script (window)), ==, "customer_lookup.sql");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "customer_lookup.sql");

  /* A run to export, as if picked from the history. */
  record = fake_record ("Sandbox", LB_PROTOCOL_PREPARED, 5, 1200, 2, FALSE, NULL);
  lb_tester_window_show_run (window, record);

  for (guint i = 0; i < G_N_ELEMENTS (exports); i++)
    {
      g_autofree char *path = g_build_filename (fixture->tmpdir, exports[i].file_name, NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autofree char *suggested = g_strdup_printf ("run-%s%s", lb_run_record_get_id (record), exports[i].suffix);

      lb_test_queue_chooser_answer (file);
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), exports[i].action, NULL));
      lb_test_wait_for_choosers ();
      g_assert_cmpstr (lb_test_last_chooser_title (), ==, exports[i].title);
      g_assert_cmpstr (lb_test_last_chooser_name (), ==, suggested);
      lb_test_spin_until_func (file_is_written, path, 10);
      lb_test_spin_ms (100);
    }

  {
    g_autofree char *path = g_build_filename (fixture->tmpdir, "run.json", NULL);
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autoptr(GError) error = NULL;

    json_parser_load_from_file (parser, path, &error);
    g_assert_no_error (error);
    g_assert_cmpint (json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)), "transactions"),
                     ==, 6000);
  }
  {
    g_autofree char *path = g_build_filename (fixture->tmpdir, "run.csv", NULL);
    g_autofree char *csv = NULL;

    g_assert_true (g_file_get_contents (path, &csv, NULL, NULL));
    g_assert_nonnull (strstr (csv, "customer_by_key"));
  }
  {
    g_autofree char *path = g_build_filename (fixture->tmpdir, "chart.png", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GdkTexture) texture = gdk_texture_new_from_filename (path, &error);

    g_assert_no_error (error);
    g_assert_cmpint (gdk_texture_get_width (texture), ==, 1200);
  }
  {
    g_autofree char *path = g_build_filename (fixture->tmpdir, "chart.svg", NULL);
    g_autofree char *svg = NULL;

    g_assert_true (g_file_get_contents (path, &svg, NULL, NULL));
    g_assert_nonnull (strstr (svg, "<svg"));
  }

  /* A dismissed export writes nothing. */
  lb_test_queue_chooser_answer (NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "tester.export-json", NULL));
  lb_test_wait_for_choosers ();
  lb_test_spin_ms (150);
  g_assert_false (g_file_test (not_written, G_FILE_TEST_EXISTS));
}

/* The Test view's Open button: its chooser opens a tester on the file. */
static void
test_page_open_workload (void)
{
  g_autoptr(LbApplication) app = lb_test_new_application ();
  LbWindow *main_window = lb_window_new (app);
  g_autofree char *path = g_build_filename (g_getenv ("LB_SAMPLES_DIR"), "customer_lookup.sql", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  LbTesterWindow *tester;
  GtkWidget *page;

  gtk_window_present (GTK_WINDOW (main_window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (main_window), "win.show-page", "s", "test"));
  lb_test_spin_ms (150);
  page = lb_test_find_widget_of_type (GTK_WIDGET (main_window), LB_TYPE_TESTER_PAGE);
  g_assert_nonnull (page);

  /* Dismissed: no tester. */
  lb_test_queue_chooser_answer (NULL);
  g_assert_true (gtk_widget_activate_action (page, "test-page.open-workload", NULL));
  lb_test_wait_for_choosers ();
  g_assert_cmpstr (lb_test_last_chooser_title (), ==, "Open SQL Workload");
  lb_test_spin_ms (100);
  g_assert_null (find_tester_window (NULL));

  lb_test_queue_chooser_answer (file);
  g_assert_true (gtk_widget_activate_action (page, "test-page.open-workload", NULL));
  lb_test_wait_for_choosers ();
  lb_test_spin_ms (100);
  tester = find_tester_window (NULL);
  g_assert_nonnull (tester);
  wait_for_script (tester);
  g_assert_cmpstr (lb_sql_script_get_display_name (lb_tester_window_get_script (tester)), ==, "customer_lookup.sql");

  gtk_window_destroy (GTK_WINDOW (tester));
  gtk_window_destroy (GTK_WINDOW (main_window));
  lb_test_spin_ms (150);
}

/* Collects the accelerators and titles a shortcuts window lists. */
static void
collect_shortcuts (GtkWidget  *widget,
                   GHashTable *accelerators)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      g_autofree char *accelerator = NULL;
      g_autofree char *title = NULL;

      g_object_get (widget, "accelerator", &accelerator, "title", &title, NULL);
      if (accelerator != NULL)
        g_hash_table_insert (accelerators, g_steal_pointer (&accelerator), g_steal_pointer (&title));
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_shortcuts (child, accelerators);
}

/* The shortcut of the window's own controllers that @accelerator triggers. */
static GtkShortcut *
find_window_shortcut (GtkWidget  *window,
                      const char *accelerator)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (window);
  guint keyval;
  GdkModifierType modifiers;

  g_assert_true (gtk_accelerator_parse (accelerator, &keyval, &modifiers));
  keyval = gdk_keyval_to_lower (keyval);

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
              gdk_keyval_to_lower (gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger))) == keyval &&
              gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)) == modifiers)
            return shortcut;   /* the controller keeps it */
        }
    }

  return NULL;
}

static GtkWidget *
find_primary_menu_button (GtkWidget *widget)
{
  if (GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_primary (GTK_MENU_BUTTON (widget)))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_primary_menu_button (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
menu_has_action (GMenuModel *menu,
                 const char *action)
{
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autofree char *name = NULL;
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SECTION);

      if (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &name) &&
          g_strcmp0 (name, action) == 0)
        return TRUE;
      if (section != NULL && menu_has_action (section, action))
        return TRUE;
    }
  return FALSE;
}

static GtkWindow *
find_about_window (GtkWindow *parent)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (ADW_IS_ABOUT_WINDOW (item) && gtk_window_get_transient_for (GTK_WINDOW (item)) == parent)
        return GTK_WINDOW (item);
    }
  return NULL;
}

/* Keyboard shortcuts: the window's shortcuts window lists its own keys,
 * each key is bound on the window to the action it names, and the menu
 * has Keyboard Shortcuts and About. */
static void
test_shortcuts_and_about (Fixture       *fixture,
                          gconstpointer  data)
{
  static const struct { const char *accelerator; const char *action; } bindings[] = {
    { "<Control>o", "tester.open" },
    { "<Control>Return", "tester.start" },
    { "Escape", "tester.stop" },
    { "<Control>e", "tester.explain" },
    { "<Control>s", "tester.export-json" },
    { "<Control><Shift>e", "tester.export-png" },
    { "<Control>question", "win.show-help-overlay" },
    { "<Control>w", "tester.close" },
  };
  LbTesterWindow *window = fixture->window;
  g_autoptr(GHashTable) listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(LbRunRecord) record = fake_record ("Sandbox", LB_PROTOCOL_PREPARED, 5, 1200, 2, FALSE, NULL);
  g_autofree char *json_path = g_build_filename (fixture->tmpdir, "keyed.json", NULL);
  g_autofree char *png_path = g_build_filename (fixture->tmpdir, "keyed.png", NULL);
  g_autoptr(GFile) json_file = g_file_new_for_path (json_path);
  g_autoptr(GFile) png_file = g_file_new_for_path (png_path);
  GtkShortcutsWindow *overlay;
  GtkWidget *menu_button;
  GtkWindow *about;

  /* The menu offers both, as the main window's does. */
  menu_button = find_primary_menu_button (GTK_WIDGET (window));
  g_assert_nonnull (menu_button);
  g_assert_true (menu_has_action (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (menu_button)),
                                  "win.show-help-overlay"));
  g_assert_true (menu_has_action (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (menu_button)), "tester.about"));

  /* Ctrl+? shows the tester's own shortcuts, not the main window's. */
  g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (find_window_shortcut (GTK_WIDGET (window),
                                                                                             "<Control>question")),
                                               0, GTK_WIDGET (window), NULL));
  lb_test_spin_ms (300);
  overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window));
  g_assert_nonnull (overlay);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (overlay)));
  collect_shortcuts (GTK_WIDGET (overlay), listed);
  lb_test_save_screenshot (GTK_WIDGET (overlay), "tester-shortcuts");
  g_assert_null (g_hash_table_lookup (listed, "<Control>n"));   /* a calculator key */
  for (guint i = 0; i < G_N_ELEMENTS (bindings); i++)
    {
      GtkShortcut *shortcut = find_window_shortcut (GTK_WIDGET (window), bindings[i].accelerator);
      GtkShortcutAction *action;

      g_test_message ("%s: %s", bindings[i].accelerator,
                      (const char *) g_hash_table_lookup (listed, bindings[i].accelerator));
      g_assert_nonnull (g_hash_table_lookup (listed, bindings[i].accelerator));
      g_assert_nonnull (shortcut);
      action = gtk_shortcut_get_action (shortcut);
      g_assert_true (GTK_IS_NAMED_ACTION (action));
      g_assert_cmpstr (gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)), ==, bindings[i].action);
    }
  gtk_window_close (GTK_WINDOW (overlay));
  lb_test_spin_ms (150);

  /* Ctrl+S and Ctrl+Shift+E open the export choosers and write the files. */
  lb_tester_window_show_run (window, record);
  lb_test_queue_chooser_answer (json_file);
  g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (find_window_shortcut (GTK_WIDGET (window),
                                                                                             "<Control>s")),
                                               0, GTK_WIDGET (window), NULL));
  lb_test_wait_for_choosers ();
  g_assert_cmpstr (lb_test_last_chooser_title (), ==, "Export Run as JSON");
  lb_test_spin_until_func (file_is_written, json_path, 10);
  lb_test_queue_chooser_answer (png_file);
  g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (find_window_shortcut (GTK_WIDGET (window),
                                                                                             "<Control><Shift>e")),
                                               0, GTK_WIDGET (window), NULL));
  lb_test_wait_for_choosers ();
  g_assert_cmpstr (lb_test_last_chooser_title (), ==, "Export Chart as PNG");
  lb_test_spin_until_func (file_is_written, png_path, 10);

  /* About, over the tester. */
  g_assert_null (find_about_window (GTK_WINDOW (window)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "tester.about", NULL));
  lb_test_spin_ms (200);
  about = find_about_window (GTK_WINDOW (window));
  g_assert_nonnull (about);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (about)));
  gtk_window_destroy (about);
  lb_test_spin_ms (100);
}

/* In the application, GtkApplication hands each window the main window's
 * shortcuts (gtk/help-overlay.ui); the tester keeps its own. */
static void
test_shortcuts_with_application (void)
{
  g_autoptr(GtkApplication) app = gtk_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  g_autoptr(GHashTable) listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GError) error = NULL;
  LbTesterWindow *window;
  GtkShortcutsWindow *overlay;

  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  window = lb_tester_window_new (app);
  g_assert_true (gtk_window_get_application (GTK_WINDOW (window)) == app);

  overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window));
  g_assert_nonnull (overlay);
  collect_shortcuts (GTK_WIDGET (overlay), listed);
  g_assert_nonnull (g_hash_table_lookup (listed, "<Control>Return"));
  g_assert_nonnull (g_hash_table_lookup (listed, "<Control><Shift>e"));
  g_assert_null (g_hash_table_lookup (listed, "<Control>n"));

  gtk_window_destroy (GTK_WINDOW (window));
  lb_test_spin_ms (100);
}

static GtkLabel *
counter_delta_label (LbTesterWindow *window,
                     const char     *caption)
{
  /* A counter card: value, caption, delta. */
  GtkWidget *found = NULL;
  GtkWidget *stack[64];
  guint n = 0;

  stack[n++] = GTK_WIDGET (window);
  while (n > 0 && found == NULL)
    {
      GtkWidget *widget = stack[--n];

      if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), caption) == 0 &&
          gtk_widget_has_css_class (widget, "caption") && gtk_widget_has_css_class (widget, "dim-label"))
        found = widget;
      for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL && n < G_N_ELEMENTS (stack);
           child = gtk_widget_get_next_sibling (child))
        stack[n++] = child;
    }
  g_assert_nonnull (found);
  return GTK_LABEL (gtk_widget_get_next_sibling (found));
}

/* Compare: the header names the baseline, a swap reverses it, rates are
 * compared (never totals), unlike runs are flagged, and green means better. */
static void
test_compare_baseline (Fixture       *fixture,
                       gconstpointer  data)
{
  LbTesterWindow *window = fixture->window;
  LbRunHistory *history = lb_tester_window_get_history (window);
  LbRunHistoryView *view = lb_tester_window_get_history_view (window);
  g_autoptr(GDateTime) early = g_date_time_new_local (2026, 11, 30, 9, 15, 0);
  g_autoptr(GDateTime) late = g_date_time_new_local (2026, 11, 30, 10, 40, 0);
  g_autoptr(LbRunRecord) stopped = fake_record ("Sandbox", LB_PROTOCOL_PREPARED, 7, 1000, 4, TRUE, early);
  g_autoptr(LbRunRecord) full = fake_record ("Sandbox", LB_PROTOCOL_PREPARED, 20, 1390, 2, FALSE, late);
  g_autoptr(GError) error = NULL;
  g_autofree char *executions_delta = NULL;
  g_autofree char *p99_delta = NULL;
  GtkLabel *tps_delta;
  GtkLabel *transactions_delta;

  load_sample (window);
  g_assert_true (lb_run_history_add (history, stopped, &error));
  g_assert_no_error (error);
  g_assert_true (lb_run_history_add (history, full, &error));
  g_assert_no_error (error);
  lb_test_spin_ms (100);

  /* The user checks the stopped run first, then the full one: the first is
   * the baseline, and the header says so. */
  lb_run_history_view_set_selected (view, stopped, TRUE);
  lb_run_history_view_set_selected (view, full, TRUE);
  lb_test_spin_ms (150);
  g_assert_true (lb_tester_window_get_record (window) == full);
  g_assert_true (lb_tester_window_get_compare_record (window) == stopped);
  g_assert_nonnull (find_label_containing (GTK_WIDGET (window), "Baseline: customer_lookup.sql · 4 clients · 1,000 tps, 30 Nov, 09:15"));
  g_assert_nonnull (find_label_containing (GTK_WIDGET (window), "The baseline was stopped after 7 s."));
  g_assert_nonnull (find_label_containing (GTK_WIDGET (window), "Different lengths: 20 s against 7 s of the baseline."));

  /* tx/s is a rate: +39 %, in green. The total of transactions has no delta. */
  tps_delta = counter_delta_label (window, "tx/s");
  g_assert_cmpstr (gtk_label_get_label (tps_delta), ==, "+39 %");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (tps_delta)));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (tps_delta), "success"));
  transactions_delta = counter_delta_label (window, "transactions");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (transactions_delta)));

  /* Each query ran 100 × (n + 1) times a second in both runs: ±0 %, not +186 %. */
  executions_delta = lb_tester_window_dup_result_delta (window, 0, 1);
  g_assert_cmpstr (executions_delta, ==, "±0 %");
  /* Half the latency is better: green with a minus. */
  p99_delta = lb_tester_window_dup_result_delta (window, 0, 6);
  g_assert_cmpstr (p99_delta, ==, "−50 %");
  lb_test_save_screenshot (GTK_WIDGET (window), "tester-compare-baseline");

  /* Swap: the full run becomes the baseline, and everything turns round. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "tester.swap-baseline", NULL));
  lb_test_spin_ms (150);
  g_assert_true (lb_tester_window_get_record (window) == stopped);
  g_assert_true (lb_tester_window_get_compare_record (window) == full);
  g_assert_nonnull (find_label_containing (GTK_WIDGET (window), "Baseline: customer_lookup.sql · 4 clients · 1,390 tps, 30 Nov, 10:40"));
  g_assert_nonnull (find_label_containing (GTK_WIDGET (window), "This run was stopped after 7 s."));
  tps_delta = counter_delta_label (window, "tx/s");
  g_assert_cmpstr (gtk_label_get_label (tps_delta), ==, "−28 %");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (tps_delta), "error"));
  g_clear_pointer (&p99_delta, g_free);
  p99_delta = lb_tester_window_dup_result_delta (window, 0, 6);
  g_assert_cmpstr (p99_delta, ==, "+100 %");
  lb_test_save_screenshot (GTK_WIDGET (window), "tester-compare-swapped");

  /* Two alike runs: no warning. */
  {
    g_autoptr(LbRunRecord) twin = fake_record ("Sandbox", LB_PROTOCOL_PREPARED, 20, 1400, 2, FALSE, early);

    lb_tester_window_compare_runs (window, full, twin);
    lb_test_spin_ms (100);
    g_assert_null (find_label_containing (GTK_WIDGET (window), "stopped after"));
    g_assert_null (find_label_containing (GTK_WIDGET (window), "Different lengths"));
    g_assert_nonnull (find_label_containing (GTK_WIDGET (window), "Baseline: "));
  }

  /* Showing one run ends the comparison and its header. */
  lb_tester_window_show_run (window, full);
  lb_test_spin_ms (100);
  g_assert_null (find_label_containing (GTK_WIDGET (window), "Baseline: "));

  g_assert_true (lb_run_history_remove (history, stopped, &error));
  g_assert_true (lb_run_history_remove (history, full, &error));
  g_assert_no_error (error);
}

/* Depth first: the mapped label whose text contains @needle. */
static GtkLabel *
find_label_widget (GtkWidget  *widget,
                   const char *needle)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      strstr (gtk_label_get_label (GTK_LABEL (widget)), needle) != NULL)
    return GTK_LABEL (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found = find_label_widget (child, needle);

      if (found != NULL)
        return found;
    }
  return NULL;
}

#define LONG_TARGET "app@db-primary.example.com:5433/shop"

/* The subtitle shows all it says: nothing cut off with an ellipsis. */
static void
assert_subtitle_whole (GtkLabel   *label,
                       const char *end)
{
  int natural = 0;

  g_assert_nonnull (label);
  g_assert_true (g_str_has_suffix (gtk_label_get_label (label), end));
  g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (label)));
  gtk_widget_measure (GTK_WIDGET (label), GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
  g_assert_true (gtk_widget_get_width (GTK_WIDGET (label)) >= natural ||
                 pango_layout_is_wrapped (gtk_label_get_layout (label)));
}

static gboolean
page_shows_subtitle (gpointer data)
{
  return find_label_widget (data, LONG_TARGET) != NULL;
}

/* A run on a long connection name, stopped early: in the tester's Past Runs
 * and in the Test view's Recent Runs, its subtitle is not cut. */
static void
test_history_subtitle (Fixture       *fixture,
                       gconstpointer  data)
{
  LbTesterWindow *window = fixture->window;
  LbRunHistory *history = lb_tester_window_get_history (window);
  g_autoptr(LbRunRecord) record = fake_record (LONG_TARGET, LB_PROTOCOL_EXTENDED,
                                               7, 1000, 4, TRUE, NULL);
  g_autoptr(GError) error = NULL;
  GtkWidget *history_button = lb_test_find_widget_of_type (GTK_WIDGET (window), GTK_TYPE_MENU_BUTTON);
  LbWindow *main_window;
  GtkWidget *page;
  int width, height;

  g_assert_true (lb_run_history_add (history, record, &error));
  g_assert_no_error (error);

  g_assert_nonnull (history_button);
  g_assert_false (gtk_menu_button_get_primary (GTK_MENU_BUTTON (history_button)));
  gtk_menu_button_popup (GTK_MENU_BUTTON (history_button));
  for (guint i = 0; i < 4; i++)
    {
      gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
      lb_test_spin_ms (100);
    }
  assert_subtitle_whole (find_label_widget (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (history_button))),
                                            LONG_TARGET),
                         "early");
  lb_test_save_screenshot (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (history_button))),
                           "tester-history");
  gtk_menu_button_popdown (GTK_MENU_BUTTON (history_button));

  /* The main window at its default size reads the same history from disk. */
  main_window = lb_window_new (NULL);
  gtk_window_get_default_size (GTK_WINDOW (main_window), &width, &height);
  g_test_message ("main window default size %d×%d", width, height);
  gtk_window_present (GTK_WINDOW (main_window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (main_window), "win.show-page", "s", "test"));
  page = lb_test_find_widget_of_type (GTK_WIDGET (main_window), LB_TYPE_TESTER_PAGE);
  lb_test_spin_until_func (page_shows_subtitle, page, 10);
  for (guint i = 0; i < 4; i++)
    {
      gtk_test_widget_wait_for_draw (GTK_WIDGET (main_window));
      lb_test_spin_ms (100);
    }
  assert_subtitle_whole (find_label_widget (page, LONG_TARGET), "early");
  lb_test_save_screenshot (GTK_WIDGET (main_window), "view-test-history");
  gtk_window_destroy (GTK_WINDOW (main_window));
  lb_test_spin_ms (100);

  g_assert_true (lb_run_history_remove (history, record, &error));
  g_assert_no_error (error);
}

/* The chart's latency axis keeps a p50 of 1 ms well clear of the bottom and
 * of a p99 of 100 ms (on the old linear axis it sat at 1 % of the height). */
static void
test_chart_log_axis (void)
{
  GtkWidget *window = adw_window_new ();
  LbThroughputChart *chart = LB_THROUGHPUT_CHART (lb_throughput_chart_new ());
  double p50, p95, p99;

  gtk_widget_set_vexpand (GTK_WIDGET (chart), TRUE);
  adw_window_set_content (ADW_WINDOW (window), GTK_WIDGET (chart));
  lb_test_present_window (GTK_WINDOW (window), 900, 400);

  for (guint i = 0; i < 30; i++)
    {
      LbRunSample sample = { 0 };

      sample.t = i + 1;
      sample.interval = 1;
      sample.clients = 8;
      sample.tps = 2000 + 100 * sin (i / 3.0);
      sample.transactions = (guint64) sample.tps;
      sample.p50_ms = 1;
      sample.p95_ms = 20;
      sample.p99_ms = 100;
      lb_throughput_chart_push_sample (chart, &sample);
    }

  p50 = lb_throughput_chart_get_latency_fraction (chart, 1);
  p95 = lb_throughput_chart_get_latency_fraction (chart, 20);
  p99 = lb_throughput_chart_get_latency_fraction (chart, 100);
  g_test_message ("p50 at %.2f, p95 at %.2f, p99 at %.2f of the plot height", p50, p95, p99);
  g_assert_cmpfloat (p50, >=, 0.2);
  g_assert_cmpfloat (p99 - p50, >=, 0.2);
  g_assert_cmpfloat (p95, >, p50);
  g_assert_cmpfloat (p99, >, p95);
  g_assert_cmpfloat (p99, <, 1);
  save_chart (chart, "tester-chart-log-axis");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Depth first: a widget whose tooltip contains @needle. */
static const char *
find_tooltip_containing (GtkWidget  *widget,
                         const char *needle)
{
  const char *tooltip = gtk_widget_get_tooltip_text (widget);

  if (tooltip != NULL && strstr (tooltip, needle) != NULL)
    return tooltip;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *found = find_tooltip_containing (child, needle);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static guint64
live_executions (LbTesterWindow *window)
{
  g_autofree char *text = lb_tester_window_dup_result_cell (window, 0, 1);

  if (text == NULL || g_str_equal (text, "–"))
    return 0;
  return parse_count (text);
}

/* During a run, before it ends, the per-query table shows the engine's
 * figures and they grow. */
static void
test_live_table (Fixture       *fixture,
                 gconstpointer  data)
{
  LbTesterWindow *window = fixture->window;
  g_autoptr(LbRunSettings) settings = NULL;
  guint64 first = 0;
  guint64 later = 0;
  gint64 deadline;
  gboolean shot = FALSE;

  load_sample (window);
  settings = sandbox_settings (window, 2, 3, 0);
  lb_tester_window_apply_settings (window, settings);
  g_assert_cmpuint (live_executions (window), ==, 0);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "tester.start", NULL));
  deadline = g_get_monotonic_time () + 240 * G_USEC_PER_SEC;
  while (lb_tester_window_get_running (window) && g_get_monotonic_time () < deadline)
    {
      guint64 now;

      g_main_context_iteration (NULL, TRUE);
      if (!lb_tester_window_get_running (window))
        break;
      now = live_executions (window);
      if (first == 0 && now > 0)
        {
          g_autofree char *p50 = lb_tester_window_dup_result_cell (window, 0, 4);

          first = now;
          g_assert_cmpstr (p50, !=, "–");
          /* The rate is in the executions cell's tooltip. */
          g_assert_nonnull (find_tooltip_containing (GTK_WIDGET (window), " per second"));
        }
      else if (first > 0 && now > first && later == 0)
        {
          later = now;
          if (!shot)
            {
              lb_test_save_screenshot (GTK_WIDGET (window), "tester-running-live");
              shot = TRUE;
            }
        }
    }
  g_test_message ("live executions: %" G_GUINT64_FORMAT " then %" G_GUINT64_FORMAT, first, later);
  g_assert_false (lb_tester_window_get_running (window));
  g_assert_cmpuint (first, >, 0);
  g_assert_cmpuint (later, >, first);
  /* The final table has at least what was shown live. */
  g_assert_cmpuint (live_executions (window), >=, later);
}

/* Depth first: a mapped label whose text is @text. */
static gboolean
has_label (GtkWidget  *widget,
           const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_label (child, text))
      return TRUE;
  return FALSE;
}

static gboolean
fewer_connected_shown (gpointer data)
{
  return find_label_containing (data, "Only ") != NULL;
}

/* 20 clients against a server that takes 5 connections, through a typed
 * connection string: while running, the clients counter says "5 of 20" and
 * a warning says only 5 are connected; the finished run says it too. */
static void
test_fewer_connections (Fixture       *fixture,
                        gconstpointer  data)
{
  LbTesterWindow *window = fixture->window;
  g_autoptr(LbPgSandbox) small = lb_pg_sandbox_new_for_tests (FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbRunSettings) settings = NULL;
  g_autoptr(LbRunRecord) record = NULL;
  g_autofree char *path = g_build_filename (fixture->tmpdir, "one.sql", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  gboolean live_counter_shown = FALSE;
  g_autofree char *live_warning = NULL;
  LbRunResult *result;
  const char *warning;
  gboolean loaded = FALSE;
  PGconn *conn;
  gint64 deadline;

  g_assert_true (lb_pg_sandbox_start (small, NULL, &error));
  g_assert_no_error (error);
  /* Server settings need the sandbox's superuser, not the workloads' role. */
  conn = PQconnectdb (_lb_pg_sandbox_get_admin_conninfo (small));
  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  /* no reserved slots: what the server allows is exactly 5 */
  PQclear (PQexec (conn, "ALTER SYSTEM SET superuser_reserved_connections = 0"));
  PQclear (PQexec (conn, "ALTER SYSTEM SET max_connections = 5"));
  PQfinish (conn);
  g_assert_true (lb_pg_sandbox_restart (small, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_set_contents (path, "SELECT pg_sleep(0.01);\n", -1, NULL));
  lb_tester_window_load_file_async (window, file, NULL, lb_test_tester_load_done_cb, &loaded);
  lb_test_spin_until (&loaded, 10);
  lb_tester_window_set_target_conninfo (window, lb_pg_sandbox_get_conninfo (small));
  settings = lb_tester_window_dup_settings (window);
  settings->mode = LB_RUN_MODE_DURATION;
  settings->clients = 20;
  settings->threads = 2;
  settings->duration = 3;
  settings->warmup = 0;
  lb_tester_window_apply_settings (window, settings);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "tester.start", NULL));
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (lb_tester_window_get_running (window) && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, TRUE);
      if (live_warning == NULL && lb_tester_window_get_running (window)
          && fewer_connected_shown (window))
        {
          live_warning = g_strdup (find_label_containing (GTK_WIDGET (window), "Only "));
          live_counter_shown = has_label (GTK_WIDGET (window), "5 of 20");
          lb_test_save_screenshot (GTK_WIDGET (window), "tester-fewer-connections-running");
        }
    }
  g_assert_false (lb_tester_window_get_running (window));
  g_assert_nonnull (live_warning);
  g_test_message ("live: “%s”", live_warning);
  /* the clients counter */
  g_assert_true (live_counter_shown);
  g_assert_nonnull (strstr (live_warning, "5 of 20 clients are connected"));

  record = g_object_ref (lb_tester_window_get_record (window));
  result = lb_run_record_get_result (record);
  g_assert_cmpuint (result->clients_connected_max, ==, 5);
  g_assert_cmpuint (result->clients_never_connected, ==, 15);
  lb_test_spin_ms (150);
  g_assert_true (has_label (GTK_WIDGET (window), "5 of 20"));
  warning = find_label_containing (GTK_WIDGET (window), "Only ");
  g_assert_nonnull (warning);
  g_assert_nonnull (strstr (warning, "Only 5 of the 20 clients asked could connect"));
  lb_test_save_screenshot (GTK_WIDGET (window), "tester-fewer-connections-done");

  g_assert_true (lb_pg_sandbox_stop (small, &error));
}

/* The dialect menu: "Detected: …" for the open file, tester.dialect re-reads
 * it as another dialect (the run then uses that reading), a dialect the
 * file does not fit is refused with the parser's message and the menu
 * stays where it was. */
static gboolean
script_dialect_is (gpointer data)
{
  gpointer *pair = data;
  LbSqlScript *script = lb_tester_window_get_script (pair[0]);

  return script != NULL && (int) lb_sql_script_get_dialect (script) == GPOINTER_TO_INT (pair[1]);
}

static gboolean
message_dialog_shown (gpointer data)
{
  gpointer *pair = data;

  return find_message_dialog (pair[0], pair[1]) != NULL;
}

static void
test_dialect_menu (Fixture       *fixture,
                   gconstpointer  data)
{
  LbTesterWindow *window = fixture->window;
  g_autofree char *path = lb_test_write_file (fixture->tmpdir, "settings-then-selects.sql",
                                              "SET application_name = 'dialect test';\n"
                                              "SELECT 1;\nSELECT 2;\n");
  g_autofree char *meta_path = lb_test_write_file (fixture->tmpdir, "meta.sql", "\\set a 1\nSELECT :a;\n");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) meta = g_file_new_for_path (meta_path);
  g_autoptr(LbRunSettings) settings = NULL;
  g_autoptr(LbRunRecord) record = NULL;
  g_autofree char *state = NULL;
  gpointer pair[2] = { window, NULL };
  const char *heading = "Could Not Read “meta.sql” as a query mix";
  gpointer wanted[2] = { window, (gpointer) heading };
  GtkWindow *dialog;
  LbRunResult *result;
  gboolean done = FALSE;

  lb_tester_window_load_file_async (window, file, NULL, lb_test_tester_load_done_cb, &done);
  lb_test_spin_until (&done, 10);
  lb_test_spin_ms (150);

  /* SET makes it a script: one transaction of three statements. */
  g_assert_cmpint (lb_sql_script_get_dialect (lb_tester_window_get_script (window)), ==, LB_SQL_DIALECT_PGBENCH);
  g_assert_cmpuint (lb_sql_script_get_n_transactions (lb_tester_window_get_script (window)), ==, 1);
  g_assert_true (lb_test_find_label (GTK_WIDGET (window), "Detected: pgbench script"));
  g_object_get (window, "dialect", &state, NULL);
  g_assert_cmpstr (state, ==, "auto");
  g_clear_pointer (&state, g_free);
  lb_test_save_screenshot (GTK_WIDGET (window), "tester-dialect-detected");

  /* The user picks "Query Mix" in the menu. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "tester.dialect", "s", "mix"));
  pair[1] = GINT_TO_POINTER (LB_SQL_DIALECT_QUERY_MIX);
  lb_test_spin_until_func (script_dialect_is, pair, 10);
  lb_test_spin_ms (150);
  g_assert_cmpuint (lb_sql_script_get_n_transactions (lb_tester_window_get_script (window)), ==, 3);
  g_assert_true (lb_test_find_label (GTK_WIDGET (window), "Read as: query mix (detected: pgbench script)"));
  g_object_get (window, "dialect", &state, NULL);
  g_assert_cmpstr (state, ==, "mix");
  g_clear_pointer (&state, g_free);
  lb_test_save_screenshot (GTK_WIDGET (window), "tester-dialect-chosen");

  /* A run reads the file as chosen: three queries of the mix. */
  settings = sandbox_settings (window, 2, 2, 0);
  lb_tester_window_apply_settings (window, settings);
  record = run_and_wait (window, NULL);
  result = lb_run_record_get_result (record);
  g_assert_cmpuint (result->queries->len, ==, 3);
  g_assert_cmpstr (((LbQueryStats *) g_ptr_array_index (result->queries, 0))->name, ==, "query_1");
  /* The record keeps the choice, so showing the run again reads the file so. */
  g_assert_cmpstr (lb_run_record_get_script_dialect (record), ==, "mix");

  /* Back to the detected dialect. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "tester.dialect", "s", "auto"));
  pair[1] = GINT_TO_POINTER (LB_SQL_DIALECT_PGBENCH);
  lb_test_spin_until_func (script_dialect_is, pair, 10);
  g_assert_cmpuint (lb_sql_script_get_n_transactions (lb_tester_window_get_script (window)), ==, 1);

  /* A new file is read as detected; a dialect it does not fit is refused. */
  done = FALSE;
  lb_tester_window_load_file_async (window, meta, NULL, lb_test_tester_load_done_cb, &done);
  lb_test_spin_until (&done, 10);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "tester.dialect", "s", "mix"));
  lb_test_spin_until_func (message_dialog_shown, wanted, 10);
  lb_test_spin_ms (150);
  dialog = find_message_dialog (GTK_WINDOW (window), heading);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), "meta.sql:1:1: "));
  lb_test_save_screenshot (GTK_WIDGET (dialog), "tester-dialect-refused");
  gtk_window_destroy (dialog);
  g_assert_cmpint (lb_sql_script_get_dialect (lb_tester_window_get_script (window)), ==, LB_SQL_DIALECT_PGBENCH);
  g_object_get (window, "dialect", &state, NULL);
  g_assert_cmpstr (state, ==, "auto");
}

/* The results' server part after a real run in the window: what the
 * server saw (commits, hit ratio, the top statement), the findings, and
 * the bands against the open workload's recommended CU. */
static void
test_server_section (Fixture       *fixture,
                     gconstpointer  data)
{
  LbTesterWindow *window = fixture->window;
  g_autoptr(LbRunSettings) settings = NULL;
  g_autoptr(LbRunRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LbWorkload) workload =
    lb_workload_new_from_data ("database_instance:\n  reads_per_second: 15000\n", -1, "shop.yml", &error);
  g_autofree char *text = NULL;
  GtkWidget *view;

  g_autoptr(GFile) history_dir = g_file_new_for_path (fixture->tmpdir);
  g_autoptr(LbRunHistory) history = lb_run_history_new (history_dir);

  g_assert_no_error (error);
  /* A history of its own: the other tests count the runs in theirs. */
  lb_tester_window_set_history (window, history);
  load_sample (window);
  lb_tester_window_set_workload (window, workload);
  settings = sandbox_settings (window, 2, 2, 0);
  lb_tester_window_apply_settings (window, settings);
  record = run_and_wait (window, NULL);
  g_assert_cmpuint (lb_run_record_get_server_snapshots (record)->len, >=, 2);

  view = lb_test_find_widget_of_type (GTK_WIDGET (window), LB_TYPE_SERVER_STATS_VIEW);
  g_assert_nonnull (view);
  text = lb_server_stats_view_dup_text (LB_SERVER_STATS_VIEW (view));
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "Commits — "));
  g_assert_nonnull (strstr (text, "Cache hit ratio — "));
  g_assert_nonnull (strstr (text, "FROM customer"));
  g_assert_nonnull (strstr (text, " calls · "));
  /* The sampler's own queries are not the run's. */
  g_assert_null (strstr (text, "pg_stat_user_tables"));
  /* 15,000 reads/s: the calculator recommends 2 CU. */
  g_assert_nonnull (strstr (text, "2 CU (the workload’s recommendation)"));
  g_assert_nonnull (strstr (text, "Cost of the run — "));
  g_assert_true (lb_test_find_label (GTK_WIDGET (window), "What the Server Saw"));
  g_assert_true (lb_test_find_label (GTK_WIDGET (window), "Against Lakebase’s Figures"));

  /* Scrolled down to the server part, for the screenshot. */
  {
    GtkWidget *scrolled = gtk_widget_get_ancestor (view, GTK_TYPE_SCROLLED_WINDOW);
    GtkWidget *content;
    double x = 0, y = 0;

    g_assert_nonnull (scrolled);
    content = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled));
    lb_test_spin_briefly ();
    g_assert_true (gtk_widget_translate_coordinates (view, content, 0, 0, &x, &y));
    gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled)), y - 8);
    lb_test_spin_briefly ();
  }
  lb_test_save_screenshot (GTK_WIDGET (window), "tester-server");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *tmp = NULL;
  int status;

  /* Runs go to a history of our own, before anything reads the variables. */
  tmp = g_dir_make_tmp ("lb-ui-tester-home-XXXXXX", NULL);
  data_home = g_build_filename (tmp, "data", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  {
    g_autofree char *cache = g_build_filename (tmp, "cache", NULL);
    g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  }

  lb_test_gtk_init (&argc, &argv);

  sandbox = lb_pg_sandbox_new_for_tests (TRUE);

  g_test_add_func ("/ui/tester/chart-render", test_chart_render);
  g_test_add_func ("/ui/tester/results-retries", test_results_retries);
  g_test_add ("/ui/tester/connection-strings", Fixture, NULL, fixture_setup, test_connection_strings, fixture_teardown);
  g_test_add ("/ui/tester/saved-connection-secrets", Fixture, NULL, fixture_setup, test_saved_connection_secrets,
              fixture_teardown);
  g_test_add ("/ui/tester/settings-checked-first", Fixture, NULL, fixture_setup, test_settings_checked_first,
              fixture_teardown);
  g_test_add ("/ui/tester/run-export-history-compare", Fixture, NULL, fixture_setup,
              test_run_export_history_compare, fixture_teardown);
  g_test_add ("/ui/tester/credential-source", Fixture, NULL, fixture_setup, test_credential_source,
              fixture_teardown);
  g_test_add_func ("/ui/tester/main-window-opens-tester", test_main_window_opens_tester);
  g_test_add_func ("/ui/app/open-tester", test_app_open_tester);
  g_test_add ("/ui/tester/latency-limit", Fixture, NULL, fixture_setup, test_latency_limit, fixture_teardown);
  g_test_add ("/ui/tester/dialect-menu", Fixture, NULL, fixture_setup, test_dialect_menu, fixture_teardown);
  g_test_add ("/ui/tester/choosers", Fixture, NULL, fixture_setup, test_choosers, fixture_teardown);
  g_test_add_func ("/ui/tester/page-open-workload", test_page_open_workload);
  g_test_add ("/ui/tester/shortcuts-and-about", Fixture, NULL, fixture_setup, test_shortcuts_and_about,
              fixture_teardown);
  g_test_add_func ("/ui/tester/shortcuts-with-application", test_shortcuts_with_application);
  g_test_add ("/ui/tester/compare-baseline", Fixture, NULL, fixture_setup, test_compare_baseline, fixture_teardown);
  g_test_add ("/ui/tester/server-section", Fixture, NULL, fixture_setup, test_server_section, fixture_teardown);
  g_test_add ("/ui/tester/history-subtitle", Fixture, NULL, fixture_setup, test_history_subtitle, fixture_teardown);
  g_test_add_func ("/ui/tester/chart-log-axis", test_chart_log_axis);
  g_test_add ("/ui/tester/live-table", Fixture, NULL, fixture_setup, test_live_table, fixture_teardown);
  g_test_add ("/ui/tester/unverified-tls-note", Fixture, NULL, fixture_setup, test_unverified_tls_note,
              fixture_teardown);
  g_test_add ("/ui/tester/fewer-connections", Fixture, NULL, fixture_setup, test_fewer_connections,
              fixture_teardown);

  status = g_test_run ();

  g_assert_finalize_object (sandbox);
  g_free (data_home);
  lb_test_remove_tree (tmp);
  return status;
}
