/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <libpq-fe.h>
#include <math.h>

#include "lb-load-engine.h"
#include "lb-run-comparison.h"

#include "lb-application.h"
#include "lb-compat.h"
#include "lb-tester-window.h"

#define CHART_EXPORT_WIDTH  1200
#define CHART_EXPORT_HEIGHT 600

enum {
  TARGET_SANDBOX,
  TARGET_CONNINFO,
  TARGET_FIRST_SAVED,
};

enum {
  COUNTER_TPS,
  COUNTER_TRANSACTIONS,
  COUNTER_FAILED,
  COUNTER_P50,
  COUNTER_P95,
  COUNTER_P99,
  N_COUNTERS
};

enum {
  COLUMN_NAME,
  COLUMN_EXECUTIONS,
  COLUMN_FAILED,
  COLUMN_AVG,
  COLUMN_P50,
  COLUMN_P95,
  COLUMN_P99,
  N_COLUMNS
};

typedef struct
{
  GtkLabel *value;
  GtkLabel *caption;
  GtkLabel *delta;
} Counter;

struct _LbTesterWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template Widgets */
  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  GtkMenuButton        *history_button;
  LbRunHistoryView     *history_view;
  GtkStack             *run_stack;
  GtkWidget            *settings_box;
  AdwPreferencesGroup  *script_group;
  GtkListBox           *queries_list;
  AdwComboRow          *target_row;
  AdwActionRow         *sandbox_row;
  GtkSpinner           *sandbox_spinner;
  AdwEntryRow          *conninfo_row;
  GtkWidget            *forget_connection_button;
  AdwActionRow         *conninfo_error_row;
  AdwComboRow          *mode_row;
  GtkWidget            *clients_row;
  GtkSpinButton        *clients_spin;
  AdwEntryRow          *ladder_row;
  GtkWidget            *transactions_row;
  GtkSpinButton        *transactions_spin;
  AdwActionRow         *duration_row;
  GtkSpinButton        *duration_spin;
  GtkSpinButton        *warmup_spin;
  GtkSpinButton        *threads_spin;
  AdwComboRow          *protocol_row;
  GtkSpinButton        *pipeline_spin;
  GtkSpinButton        *rate_spin;
  AdwActionRow         *latency_limit_row;
  GtkSpinButton        *latency_limit_spin;
  GtkSpinner           *phase_spinner;
  GtkLabel             *phase_label;
  GtkLabel             *time_label;
  GtkProgressBar       *progress_bar;
  GtkWidget            *compare_box;
  GtkLabel             *baseline_label;
  GtkWidget            *caveat_box;
  GtkLabel             *caveat_label;
  GtkFlowBox           *counters_box;
  LbThroughputChart    *chart;
  GtkGrid              *results_grid;
  AdwPreferencesGroup  *ladder_group;
  GtkListBox           *ladder_list;
  AdwPreferencesGroup  *errors_group;
  GtkListBox           *errors_list;

  Counter               counters[N_COUNTERS];
  GtkStringList        *target_model;

  /* Owned References */
  GSettings            *settings;
  GCancellable         *cancellable;       /* cancelled when the window goes */
  LbSqlScript          *script;
  GFile                *file;
  LbPgSandbox          *sandbox;
  LbRunHistory         *history;
  LbRunRecord          *record;
  LbRunRecord          *compare_record;

  /* The run in progress */
  LbLoadEngine         *engine;
  LbRunSettings        *run_settings;
  GCancellable         *run_cancellable;
  GDateTime            *run_started;
  guint64               live_transactions;
  guint64               live_failed;
  guint                 n_ladder_steps_seen;

  LbTesterExportFormat  export_format;     /* of the chooser that is open */
  gboolean              running;           /* from Start until the result is in */
  gboolean              busy;              /* the sandbox is being reset */
};

G_DEFINE_FINAL_TYPE (LbTesterWindow, lb_tester_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  RUN_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char * const sql_patterns[] = { "*.sql", NULL };
static const char * const json_patterns[] = { "*.json", NULL };
static const char * const csv_patterns[] = { "*.csv", NULL };
static const char * const png_patterns[] = { "*.png", NULL };
static const char * const svg_patterns[] = { "*.svg", NULL };

static void update_actions (LbTesterWindow *self);
static void fill_results   (LbTesterWindow *self);
static GtkWidget *get_cell_label (LbTesterWindow *self,
                                  guint           row,
                                  guint           column,
                                  guint           line);

/* Formatting --------------------------------------------------------------- */

static char *
format_count (guint64 value)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, value);
  GString *text = g_string_new (NULL);
  gsize len = strlen (digits);

  /* Thousands grouped with a comma whatever the C library's locale says. */
  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (text, ',');
      g_string_append_c (text, digits[i]);
    }

  return g_string_free (text, FALSE);
}

static char *
format_rate (double value)
{
  if (!isfinite (value))
    return g_strdup ("–");
  if (value >= 100)
    return format_count ((guint64) llround (value));
  return g_strdup_printf ("%.1f", value);
}

static char *
format_ms (double ms)
{
  if (!isfinite (ms) || ms <= 0)
    return g_strdup ("–");
  if (ms < 10)
    return g_strdup_printf ("%.2f", ms);
  if (ms < 100)
    return g_strdup_printf ("%.1f", ms);
  return g_strdup_printf ("%.0f", ms);
}

/* A delta under a figure: "+12 %", green when better, red when worse
 * (the core knows which way is better for each figure). */
static void
show_delta (GtkLabel      *label,
            const LbDelta *delta)
{
  g_autofree char *text = delta != NULL ? lb_delta_format (delta) : NULL;

  gtk_widget_remove_css_class (GTK_WIDGET (label), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (label), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (label), "dim-label");

  gtk_label_set_label (GTK_LABEL (label), text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL);
  if (text == NULL)
    return;

  if (delta->verdict == LB_DELTA_BETTER)
    gtk_widget_add_css_class (GTK_WIDGET (label), "success");
  else if (delta->verdict == LB_DELTA_WORSE)
    gtk_widget_add_css_class (GTK_WIDGET (label), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (label), "dim-label");
}

static double
histogram_ms (const LbLatencyHistogram *histogram,
              double                    percentile)
{
  if (histogram == NULL || lb_latency_histogram_get_count (histogram) == 0)
    return NAN;
  if (percentile < 0)
    return lb_latency_histogram_get_mean (histogram) / 1000.0;
  return lb_latency_histogram_get_percentile (histogram, percentile) / 1000.0;
}

static const char *
dialect_name (LbSqlDialect dialect)
{
  switch (dialect)
    {
    case LB_SQL_DIALECT_QUERY_MIX:
      return _("Query mix");
    case LB_SQL_DIALECT_WEB_TOOL:
      return _("Web tool format");
    case LB_SQL_DIALECT_PGBENCH:
      return _("pgbench script");
    default:
      return _("SQL");
    }
}

/* Connection strings ------------------------------------------------------- */

/* "user@host:port/dbname" for a menu; the string itself when it does not parse. */
static char *
describe_conninfo (const char *conninfo)
{
  PQconninfoOption *options = PQconninfoParse (conninfo, NULL);
  const char *host = NULL, *port = NULL, *user = NULL, *dbname = NULL;
  GString *text;

  if (options == NULL)
    return g_strdup (conninfo);

  for (PQconninfoOption *o = options; o->keyword != NULL; o++)
    {
      if (o->val == NULL || o->val[0] == '\0')
        continue;
      if (g_str_equal (o->keyword, "host") || (host == NULL && g_str_equal (o->keyword, "hostaddr")))
        host = o->val;
      else if (g_str_equal (o->keyword, "port"))
        port = o->val;
      else if (g_str_equal (o->keyword, "user"))
        user = o->val;
      else if (g_str_equal (o->keyword, "dbname"))
        dbname = o->val;
    }

  text = g_string_new (NULL);
  if (user != NULL)
    g_string_append_printf (text, "%s@", user);
  g_string_append (text, host != NULL ? host : "localhost");
  if (port != NULL)
    g_string_append_printf (text, ":%s", port);
  if (dbname != NULL)
    g_string_append_printf (text, "/%s", dbname);
  PQconninfoFree (options);

  return g_string_free (text, FALSE);
}

/* Helpers ------------------------------------------------------------------ */

static void
add_toast (LbTesterWindow *self,
           const char     *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

static guint
get_target (LbTesterWindow *self)
{
  return adw_combo_row_get_selected (self->target_row);
}

static gboolean
conninfo_is_valid (LbTesterWindow  *self,
                   char           **message)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->conninfo_row));
  PQconninfoOption *options;
  char *errmsg = NULL;

  if (text[0] == '\0')
    {
      if (message != NULL)
        *message = NULL;
      return FALSE;
    }

  options = PQconninfoParse (text, &errmsg);
  if (options == NULL)
    {
      if (message != NULL)
        *message = g_strstrip (g_strdup (errmsg != NULL ? errmsg : _("Not a libpq connection string")));
      PQfreemem (errmsg);
      return FALSE;
    }

  PQconninfoFree (options);
  if (message != NULL)
    *message = NULL;
  return TRUE;
}

static LbPgSandbox *
ensure_sandbox (LbTesterWindow *self)
{
  g_assert (LB_IS_TESTER_WINDOW (self));

  if (self->sandbox == NULL)
    {
      GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

      if (LB_IS_APPLICATION (app))
        self->sandbox = g_object_ref (lb_application_get_sandbox (LB_APPLICATION (app)));
      else
        self->sandbox = lb_pg_sandbox_new (NULL, TRUE);
    }

  return self->sandbox;
}

static void
update_sandbox_row (LbTesterWindow *self,
                    const char     *status)
{
  g_assert (LB_IS_TESTER_WINDOW (self));

  if (status != NULL)
    adw_action_row_set_subtitle (self->sandbox_row, status);
  else if (self->sandbox != NULL && lb_pg_sandbox_get_running (self->sandbox))
    adw_action_row_set_subtitle (self->sandbox_row, _("Running, with the sample data"));
  else
    adw_action_row_set_subtitle (self->sandbox_row,
                                 _("A local PostgreSQL with the sample data, started when you start a run"));
}

static void
update_target_rows (LbTesterWindow *self)
{
  guint target = get_target (self);
  g_autofree char *message = NULL;
  gboolean valid;

  g_assert (LB_IS_TESTER_WINDOW (self));

  gtk_widget_set_visible (GTK_WIDGET (self->sandbox_row), target == TARGET_SANDBOX);
  gtk_widget_set_visible (GTK_WIDGET (self->conninfo_row), target != TARGET_SANDBOX);
  gtk_widget_set_visible (self->forget_connection_button, target >= TARGET_FIRST_SAVED);

  valid = conninfo_is_valid (self, &message);
  gtk_widget_set_visible (GTK_WIDGET (self->conninfo_error_row), target != TARGET_SANDBOX && message != NULL);
  if (message != NULL)
    adw_action_row_set_subtitle (self->conninfo_error_row, message);
  if (target != TARGET_SANDBOX && message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->conninfo_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->conninfo_row), "error");

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tester.save-connection", target != TARGET_SANDBOX && valid);
  update_actions (self);
}

static void
rebuild_target_model (LbTesterWindow *self)
{
  g_auto(GStrv) saved = g_settings_get_strv (self->settings, "tester-connections");
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->target_model));
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (names, g_strdup (_("Sandbox (built-in)")));
  g_ptr_array_add (names, g_strdup (_("Connection string…")));
  for (guint i = 0; saved[i] != NULL; i++)
    g_ptr_array_add (names, describe_conninfo (saved[i]));
  g_ptr_array_add (names, NULL);

  gtk_string_list_splice (self->target_model, 0, n, (const char * const *) names->pdata);
}

static void
update_mode_rows (LbTesterWindow *self)
{
  LbRunMode mode = adw_combo_row_get_selected (self->mode_row);

  g_assert (LB_IS_TESTER_WINDOW (self));

  gtk_widget_set_visible (self->clients_row, mode != LB_RUN_MODE_LADDER);
  gtk_widget_set_visible (GTK_WIDGET (self->ladder_row), mode == LB_RUN_MODE_LADDER);
  gtk_widget_set_visible (self->transactions_row, mode == LB_RUN_MODE_COUNT);
  gtk_widget_set_visible (GTK_WIDGET (self->duration_row), mode != LB_RUN_MODE_COUNT);
  adw_action_row_set_subtitle (self->duration_row,
                               mode == LB_RUN_MODE_LADDER ? _("Seconds measured at each step")
                                                          : _("Seconds measured"));
}

static void
update_actions (LbTesterWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean target_ok = get_target (self) == TARGET_SANDBOX || conninfo_is_valid (self, NULL);
  gboolean has_samples = lb_throughput_chart_get_n_samples (self->chart) > 0 ||
                         lb_throughput_chart_get_n_compare_samples (self->chart) > 0;

  g_assert (LB_IS_TESTER_WINDOW (self));

  gtk_widget_action_set_enabled (widget, "tester.start",
                                 self->script != NULL && !self->running && !self->busy && target_ok);
  gtk_widget_action_set_enabled (widget, "tester.stop", self->running);
  gtk_widget_action_set_enabled (widget, "tester.open", !self->running);
  gtk_widget_action_set_enabled (widget, "tester.export-json", self->record != NULL);
  gtk_widget_action_set_enabled (widget, "tester.export-csv", self->record != NULL);
  gtk_widget_action_set_enabled (widget, "tester.export-png", has_samples);
  gtk_widget_action_set_enabled (widget, "tester.export-svg", has_samples);
  gtk_widget_action_set_enabled (widget, "tester.reset-sandbox", !self->running && !self->busy);
  gtk_widget_action_set_enabled (widget, "tester.swap-baseline",
                                 self->record != NULL && self->compare_record != NULL && !self->running);

  gtk_stack_set_visible_child_name (self->run_stack, self->running ? "stop" : "start");
  gtk_widget_set_sensitive (self->settings_box, !self->running);
}

static void
set_phase (LbTesterWindow *self,
           const char     *text,
           gboolean        spinning)
{
  gtk_label_set_label (self->phase_label, text);
  gtk_spinner_set_spinning (self->phase_spinner, spinning);
  gtk_widget_set_visible (GTK_WIDGET (self->phase_spinner), spinning);
}

static void
set_counter (LbTesterWindow *self,
             guint           counter,
             const char     *value,
             const char     *caption)
{
  gtk_label_set_label (self->counters[counter].value, value);
  if (caption != NULL)
    gtk_label_set_label (self->counters[counter].caption, caption);
}

static void
set_counter_delta (LbTesterWindow *self,
                   guint           counter,
                   const LbDelta  *delta)
{
  show_delta (self->counters[counter].delta, delta);
}

static void
clear_counter_deltas (LbTesterWindow *self)
{
  for (guint i = 0; i < N_COUNTERS; i++)
    gtk_widget_set_visible (GTK_WIDGET (self->counters[i].delta), FALSE);
}

static void
create_counters (LbTesterWindow *self)
{
  static const char *captions[N_COUNTERS] = {
    N_("tx/s"), N_("transactions"), N_("failed"), N_("p50 ms"), N_("p95 ms"), N_("p99 ms"),
  };

  for (guint i = 0; i < N_COUNTERS; i++)
    {
      GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      GtkWidget *value = gtk_label_new ("–");
      GtkWidget *caption = gtk_label_new (_(captions[i]));
      GtkWidget *delta = gtk_label_new (NULL);

      gtk_widget_add_css_class (card, "card");
      gtk_widget_set_size_request (card, 110, -1);
      gtk_widget_add_css_class (value, "title-2");
      gtk_widget_add_css_class (value, "numeric");
      gtk_widget_set_margin_top (value, 10);
      gtk_widget_set_margin_start (value, 8);
      gtk_widget_set_margin_end (value, 8);
      gtk_label_set_ellipsize (GTK_LABEL (value), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (caption, "caption");
      gtk_widget_add_css_class (caption, "dim-label");
      gtk_label_set_justify (GTK_LABEL (caption), GTK_JUSTIFY_CENTER);
      gtk_widget_set_margin_bottom (caption, 10);
      gtk_widget_add_css_class (delta, "caption");
      gtk_widget_add_css_class (delta, "numeric");
      gtk_widget_set_visible (delta, FALSE);
      gtk_widget_set_margin_bottom (delta, 8);

      gtk_box_append (GTK_BOX (card), value);
      gtk_box_append (GTK_BOX (card), caption);
      gtk_box_append (GTK_BOX (card), delta);
      gtk_flow_box_append (self->counters_box, card);

      self->counters[i].value = GTK_LABEL (value);
      self->counters[i].caption = GTK_LABEL (caption);
      self->counters[i].delta = GTK_LABEL (delta);
    }
}

static void
reset_counters (LbTesterWindow *self,
                gboolean        live)
{
  set_counter (self, COUNTER_TPS, "–", live ? _("tx/s now") : _("tx/s"));
  set_counter (self, COUNTER_TRANSACTIONS, "–", _("transactions"));
  set_counter (self, COUNTER_FAILED, "–", _("failed"));
  set_counter (self, COUNTER_P50, "–", live ? _("p50 ms now") : _("p50 ms"));
  set_counter (self, COUNTER_P95, "–", live ? _("p95 ms now") : _("p95 ms"));
  set_counter (self, COUNTER_P99, "–", live ? _("p99 ms now") : _("p99 ms"));
  clear_counter_deltas (self);
}

static void
clear_list_box (GtkListBox *list_box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list_box))) != NULL)
    gtk_list_box_remove (list_box, child);
}

/* The script column -------------------------------------------------------- */

static char *
describe_parameters (LbSqlScript            *script,
                     const LbSqlTransaction *transaction)
{
  guint n_vars = lb_sql_script_get_n_variables (script);
  g_autofree const char **names = g_new0 (const char *, n_vars + 1);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < n_vars; i++)
    names[i] = lb_sql_script_get_variable_name (script, i);

  for (guint i = 0; i < transaction->n_steps; i++)
    {
      const LbSqlStep *step = &transaction->steps[i];

      if (step->kind == LB_STEP_SET && step->expr != NULL)
        {
          g_autofree char *expr = lb_expr_to_pgbench (step->expr, names);

          if (text->len > 0)
            g_string_append (text, ", ");
          /* values(…) is ours and has no pgbench spelling. */
          g_string_append_printf (text, "%s = %s", lb_sql_script_get_variable_name (script, step->var),
                                  expr != NULL ? expr : _("one of a list of values"));
        }
      else if (step->kind == LB_STEP_PARAM_SET)
        {
          guint n_tuples = lb_sql_script_get_n_tuples (script);

          if (text->len > 0)
            g_string_append (text, ", ");
          g_string_append_printf (text,
                                  g_dngettext (GETTEXT_PACKAGE, "%u parameter set", "%u parameter sets", n_tuples),
                                  n_tuples);
        }
      else if (step->kind == LB_STEP_SLEEP)
        {
          if (text->len > 0)
            g_string_append (text, ", ");
          g_string_append (text, _("sleep"));
        }
    }

  if (text->len == 0)
    g_string_append (text, _("no parameters"));

  return g_string_free (text, FALSE);
}

static GtkWidget *
create_transaction_row (LbSqlScript            *script,
                        const LbSqlTransaction *transaction)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *name = gtk_label_new (transaction->name);
  GtkWidget *share;
  GtkWidget *params;
  g_autofree char *share_text = NULL;
  g_autofree char *params_text = describe_parameters (script, transaction);
  guint total = MAX (1, lb_sql_script_get_total_weight (script));
  guint n_queries = 0;

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 9);
  gtk_widget_set_margin_bottom (box, 9);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_widget_add_css_class (name, "heading");
  gtk_box_append (GTK_BOX (top), name);

  /* Translators: the share of a query in the mix, "73 %" */
  share_text = g_strdup_printf (_("%.0f %%"), 100.0 * transaction->weight / total);
  share = gtk_label_new (share_text);
  gtk_widget_add_css_class (share, "numeric");
  gtk_widget_add_css_class (share, "dim-label");
  gtk_widget_set_tooltip_text (share, _("Share of the transactions (weight)"));
  gtk_box_append (GTK_BOX (top), share);
  gtk_box_append (GTK_BOX (box), top);

  params = gtk_label_new (params_text);
  gtk_label_set_xalign (GTK_LABEL (params), 0);
  gtk_label_set_ellipsize (GTK_LABEL (params), PANGO_ELLIPSIZE_END);
  gtk_widget_set_tooltip_text (params, params_text);
  gtk_widget_add_css_class (params, "caption");
  gtk_widget_add_css_class (params, "dim-label");
  gtk_box_append (GTK_BOX (box), params);

  for (guint i = 0; i < transaction->n_steps; i++)
    {
      const LbSqlStep *step = &transaction->steps[i];
      g_autofree char *flat = NULL;
      GtkWidget *sql;

      if (step->kind != LB_STEP_QUERY || step->query == NULL)
        continue;

      /* Four statements are enough to recognise a script. */
      if (++n_queries > 4)
        {
          g_autofree char *more = g_strdup_printf (_("and %u more statements"), transaction->n_steps - i);
          GtkWidget *label = gtk_label_new (more);

          gtk_label_set_xalign (GTK_LABEL (label), 0);
          gtk_widget_add_css_class (label, "caption");
          gtk_widget_add_css_class (label, "dim-label");
          gtk_box_append (GTK_BOX (box), label);
          break;
        }

      /* One line per statement: its whitespace folded. */
      flat = g_strdup (step->query->sql);
      g_strdelimit (flat, "\n\r\t", ' ');
      sql = gtk_label_new (g_strstrip (flat));
      gtk_label_set_xalign (GTK_LABEL (sql), 0);
      gtk_label_set_ellipsize (GTK_LABEL (sql), PANGO_ELLIPSIZE_END);
      gtk_label_set_selectable (GTK_LABEL (sql), FALSE);
      gtk_widget_set_tooltip_text (sql, step->query->sql);
      gtk_widget_add_css_class (sql, "monospace");
      gtk_widget_add_css_class (sql, "caption");
      gtk_box_append (GTK_BOX (box), sql);
    }

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}

static void
show_script (LbTesterWindow *self)
{
  g_autofree char *description = NULL;
  guint n_transactions;
  guint n_queries;

  g_assert (LB_IS_TESTER_WINDOW (self));

  clear_list_box (self->queries_list);

  if (self->script == NULL)
    {
      adw_window_title_set_title (self->window_title, _("Concurrency Tester"));
      adw_window_title_set_subtitle (self->window_title, NULL);
      adw_preferences_group_set_description (self->script_group, _("No SQL workload file is open."));
      gtk_widget_set_visible (GTK_WIDGET (self->queries_list), FALSE);
      return;
    }

  n_transactions = lb_sql_script_get_n_transactions (self->script);
  n_queries = lb_sql_script_get_n_queries (self->script);
  description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %u statement", "%s · %u statements", n_queries),
                                 dialect_name (lb_sql_script_get_dialect (self->script)), n_queries);
  if (lb_sql_script_get_default_count (self->script) > 0)
    {
      g_autofree char *count = format_count (lb_sql_script_get_default_count (self->script));
      g_autofree char *longer = g_strdup_printf (_("%s · %s transactions by default"), description, count);

      g_free (description);
      description = g_steal_pointer (&longer);
    }

  adw_window_title_set_title (self->window_title, lb_sql_script_get_display_name (self->script));
  adw_window_title_set_subtitle (self->window_title, description);
  gtk_window_set_title (GTK_WINDOW (self), lb_sql_script_get_display_name (self->script));
  adw_preferences_group_set_description (self->script_group, description);

  for (guint i = 0; i < n_transactions; i++)
    gtk_list_box_append (self->queries_list,
                         create_transaction_row (self->script, lb_sql_script_get_transaction (self->script, i)));
  gtk_widget_set_visible (GTK_WIDGET (self->queries_list), n_transactions > 0);

  /* A fixed-count file (the web tool's EXEC_COUNT) suggests its own count. */
  if (lb_sql_script_get_default_count (self->script) > 0)
    gtk_spin_button_set_value (self->transactions_spin, lb_sql_script_get_default_count (self->script));
}

/* The results column ------------------------------------------------------- */

static void
grid_clear (GtkGrid *grid)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (grid))) != NULL)
    gtk_grid_remove (grid, child);
}

static void
grid_add_header (GtkGrid *grid)
{
  static const char *titles[N_COLUMNS] = {
    N_("Query"), N_("Executions"), N_("Failed"), N_("Avg ms"), N_("p50 ms"), N_("p95 ms"), N_("p99 ms"),
  };

  for (guint c = 0; c < N_COLUMNS; c++)
    {
      GtkWidget *label = gtk_label_new (_(titles[c]));

      gtk_label_set_xalign (GTK_LABEL (label), c == COLUMN_NAME ? 0 : 1);
      gtk_widget_add_css_class (label, "caption-heading");
      gtk_widget_add_css_class (label, "dim-label");
      if (c == COLUMN_NAME)
        gtk_widget_set_hexpand (label, TRUE);
      gtk_grid_attach (grid, label, c, 0, 1, 1);
    }
}

typedef struct
{
  const char               *name;
  const char               *tooltip;
  guint64                   executions;
  guint64                   failed;
  const LbLatencyHistogram *latency;
  gboolean                  total;
  gboolean                  empty;
  double                    seconds;      /* measured, for the rate; 0 = unknown */
} ResultRow;

/* "1,160 per second", the tooltip of an executions cell: the table has no
 * room for a rate column in a narrow window. */
static void
set_rate_tooltip (GtkWidget *label,
                  guint64    count,
                  double     seconds)
{
  g_autofree char *rate = NULL;
  g_autofree char *text = NULL;

  if (!(seconds > 0))
    {
      gtk_widget_set_tooltip_text (label, NULL);
      return;
    }

  rate = format_rate (count / seconds);
  text = g_strdup_printf (_("%s per second"), rate);
  gtk_widget_set_tooltip_text (label, text);
}

/* Which compared figure goes under which column; -1: none (failures are
 * counts, and totals are not compared). */
static int
compared_figure_of_column (guint column)
{
  switch (column)
    {
    case COLUMN_EXECUTIONS:
      return LB_COMPARED_RATE;
    case COLUMN_AVG:
      return LB_COMPARED_AVG;
    case COLUMN_P50:
      return LB_COMPARED_P50;
    case COLUMN_P95:
      return LB_COMPARED_P95;
    case COLUMN_P99:
      return LB_COMPARED_P99;
    default:
      return -1;
    }
}

static void
grid_add_row (GtkGrid          *grid,
              guint             row,
              const ResultRow  *values,
              const LbDeltaRow *deltas)
{
  double numbers[N_COLUMNS] = { 0 };
  GtkWidget *name = gtk_label_new (values->name);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_label_set_width_chars (GTK_LABEL (name), 12);
  gtk_widget_set_tooltip_text (name, values->tooltip != NULL ? values->tooltip : values->name);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_widget_set_valign (name, GTK_ALIGN_START);
  if (values->total)
    gtk_widget_add_css_class (name, "heading");
  gtk_grid_attach (grid, name, COLUMN_NAME, row, 1, 1);

  numbers[COLUMN_EXECUTIONS] = values->executions;
  numbers[COLUMN_FAILED] = values->failed;
  numbers[COLUMN_AVG] = histogram_ms (values->latency, -1);
  numbers[COLUMN_P50] = histogram_ms (values->latency, 50);
  numbers[COLUMN_P95] = histogram_ms (values->latency, 95);
  numbers[COLUMN_P99] = histogram_ms (values->latency, 99);

  for (guint c = COLUMN_EXECUTIONS; c < N_COLUMNS; c++)
    {
      GtkWidget *cell = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
      g_autofree char *text = NULL;
      GtkWidget *value;
      int figure = compared_figure_of_column (c);

      if (values->empty)
        text = g_strdup ("–");
      else if (c == COLUMN_EXECUTIONS || c == COLUMN_FAILED)
        text = format_count ((guint64) numbers[c]);
      else
        text = format_ms (numbers[c]);

      value = gtk_label_new (text);
      gtk_label_set_xalign (GTK_LABEL (value), 1);
      gtk_widget_add_css_class (value, "numeric");
      if (c == COLUMN_EXECUTIONS && !values->empty)
        set_rate_tooltip (value, values->executions, values->seconds);
      if (values->total)
        gtk_widget_add_css_class (value, "heading");
      gtk_box_append (GTK_BOX (cell), value);

      if (deltas != NULL && !values->empty && figure >= 0 && deltas->figures[figure].verdict != LB_DELTA_NONE)
        {
          GtkWidget *delta = gtk_label_new (NULL);

          gtk_label_set_xalign (GTK_LABEL (delta), 1);
          gtk_widget_add_css_class (delta, "caption");
          gtk_widget_add_css_class (delta, "numeric");
          show_delta (GTK_LABEL (delta), &deltas->figures[figure]);
          if (figure == LB_COMPARED_RATE)
            gtk_widget_set_tooltip_text (delta, _("Executions per second, against the baseline"));
          gtk_box_append (GTK_BOX (cell), delta);
        }

      gtk_grid_attach (grid, cell, c, row, 1, 1);
    }
}

static const LbQueryStats *
find_query_stats (LbRunResult *result,
                  const char  *name)
{
  if (result == NULL || result->queries == NULL)
    return NULL;

  for (guint i = 0; i < result->queries->len; i++)
    {
      const LbQueryStats *stats = g_ptr_array_index (result->queries, i);

      if (g_strcmp0 (stats->name, name) == 0)
        return stats;
    }

  return NULL;
}

static void
fill_results (LbTesterWindow *self)
{
  LbRunResult *result = self->record != NULL ? lb_run_record_get_result (self->record) : NULL;
  LbRunResult *baseline = self->compare_record != NULL ? lb_run_record_get_result (self->compare_record) : NULL;
  guint row = 1;

  g_assert (LB_IS_TESTER_WINDOW (self));

  grid_clear (self->results_grid);
  grid_add_header (self->results_grid);

  if (result != NULL && result->queries != NULL)
    {
      for (guint i = 0; i < result->queries->len; i++)
        {
          const LbQueryStats *stats = g_ptr_array_index (result->queries, i);
          const LbQueryStats *baseline_stats = find_query_stats (baseline, stats->name);
          ResultRow values = { stats->name, stats->sql, stats->executions, stats->failed, stats->latency,
                               FALSE, FALSE, result->duration };
          LbDeltaRow deltas;

          if (baseline_stats != NULL)
            lb_compare_query_stats (stats, result->duration, baseline_stats, baseline->duration, &deltas);
          grid_add_row (self->results_grid, row++, &values, baseline_stats != NULL ? &deltas : NULL);
        }

      {
        ResultRow values = { _("All transactions"), NULL, result->transactions, result->failed, result->latency,
                             TRUE, FALSE, result->duration };
        LbDeltaRow deltas;

        if (baseline != NULL)
          lb_compare_run_results (result, baseline, &deltas);
        grid_add_row (self->results_grid, row++, &values, baseline != NULL ? &deltas : NULL);
      }
    }
  else if (self->script != NULL)
    {
      guint n = lb_sql_script_get_n_queries (self->script);

      for (guint i = 0; i < n; i++)
        {
          const LbSqlQuery *query = lb_sql_script_get_query (self->script, i);
          ResultRow values = { query->name, query->sql, 0, 0, NULL, FALSE, TRUE };

          grid_add_row (self->results_grid, row++, &values, NULL);
        }
    }
}

static void
fill_errors (LbTesterWindow *self,
             LbRunResult    *result)
{
  gboolean any = FALSE;

  clear_list_box (self->errors_list);

  if (result != NULL && result->errors != NULL)
    for (guint i = 0; i < result->errors->len; i++)
      {
        const LbErrorStats *stats = g_ptr_array_index (result->errors, i);
        g_autofree char *count = format_count (stats->count);
        g_autofree char *title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %s time", "%s · %s times",
                                                               stats->count),
                                                  stats->sqlstate, count);
        GtkWidget *row = adw_action_row_new ();

        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), stats->message != NULL ? stats->message : "");
        adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
        adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
        gtk_list_box_append (self->errors_list, row);
        any = TRUE;
      }

  gtk_widget_set_visible (GTK_WIDGET (self->errors_group), any);
}

static void
fill_ladder (LbTesterWindow *self,
             LbRunResult    *result)
{
  gboolean any = FALSE;

  clear_list_box (self->ladder_list);

  if (result != NULL && result->ladder != NULL)
    for (guint i = 0; i < result->ladder->len; i++)
      {
        const LbLadderStep *step = &g_array_index (result->ladder, LbLadderStep, i);
        g_autofree char *title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u client", "%u clients",
                                                               step->clients), step->clients);
        g_autofree char *tps = format_rate (step->tps);
        g_autofree char *p95 = format_ms (step->p95_ms);
        g_autofree char *subtitle = g_strdup_printf (_("%s tx/s · p95 %s ms"), tps, p95);
        GtkWidget *row = adw_action_row_new ();

        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
        if (result->knee_clients != 0 && step->clients == result->knee_clients)
          {
            GtkWidget *knee = gtk_label_new (_("Knee: more clients add latency, not throughput"));

            gtk_label_set_wrap (GTK_LABEL (knee), TRUE);
            gtk_label_set_max_width_chars (GTK_LABEL (knee), 24);
            gtk_label_set_xalign (GTK_LABEL (knee), 1);
            gtk_widget_add_css_class (knee, "accent");
            gtk_widget_add_css_class (knee, "caption");
            adw_action_row_add_suffix (ADW_ACTION_ROW (row), knee);
          }
        gtk_list_box_append (self->ladder_list, row);
        any = TRUE;
      }

  gtk_widget_set_visible (GTK_WIDGET (self->ladder_group), any);
}

static void
show_summary (LbTesterWindow *self)
{
  LbRunResult *result = self->record != NULL ? lb_run_record_get_result (self->record) : NULL;
  LbRunResult *other = self->compare_record != NULL ? lb_run_record_get_result (self->compare_record) : NULL;
  g_autofree char *tps = NULL;
  g_autofree char *transactions = NULL;
  g_autofree char *failed = NULL;
  g_autofree char *p50 = NULL;
  g_autofree char *p95 = NULL;
  g_autofree char *p99 = NULL;

  reset_counters (self, FALSE);
  if (result == NULL)
    return;

  tps = format_rate (result->tps);
  transactions = format_count (result->transactions);
  failed = format_count (result->failed);
  p50 = format_ms (histogram_ms (result->latency, 50));
  p95 = format_ms (histogram_ms (result->latency, 95));
  p99 = format_ms (histogram_ms (result->latency, 99));
  set_counter (self, COUNTER_TPS, tps, NULL);
  set_counter (self, COUNTER_TRANSACTIONS, transactions, NULL);
  if (result->skipped > 0)
    {
      g_autofree char *skipped = format_count (result->skipped);
      /* Translators: the caption of the failed counter, on two lines, with the
       * transactions skipped for being later than the latency limit. */
      g_autofree char *caption = g_strdup_printf (_("failed\n%s skipped"), skipped);

      set_counter (self, COUNTER_FAILED, failed, caption);
    }
  else
    set_counter (self, COUNTER_FAILED, failed, NULL);
  set_counter (self, COUNTER_P50, p50, NULL);
  set_counter (self, COUNTER_P95, p95, NULL);
  set_counter (self, COUNTER_P99, p99, NULL);

  /* Rates and latencies only: the total of transactions grows with the
   * length of a run, so it gets no delta. */
  if (other != NULL)
    {
      LbDeltaRow deltas;

      lb_compare_run_results (result, other, &deltas);
      set_counter_delta (self, COUNTER_TPS, &deltas.figures[LB_COMPARED_RATE]);
      set_counter_delta (self, COUNTER_P50, &deltas.figures[LB_COMPARED_P50]);
      set_counter_delta (self, COUNTER_P95, &deltas.figures[LB_COMPARED_P95]);
      set_counter_delta (self, COUNTER_P99, &deltas.figures[LB_COMPARED_P99]);
    }
}

/* Run title and start: "customer_lookup.sql · 4 clients · 1,234 tps, 1 Dec, 14:05" */
static char *
describe_run (LbRunRecord *record)
{
  g_autofree char *title = lb_run_record_dup_title (record);
  g_autofree char *when = g_date_time_format (lb_run_record_get_started (record), "%-e %b, %H:%M");

  /* Translators: a run's title, then when it started */
  return g_strdup_printf (_("%s, %s"), title, when);
}

/* The header of a comparison: which run is the baseline, and whether the
 * two runs can be compared at all. */
static void
show_comparison (LbTesterWindow *self)
{
  LbRunResult *result = self->record != NULL ? lb_run_record_get_result (self->record) : NULL;
  LbRunResult *baseline = self->compare_record != NULL ? lb_run_record_get_result (self->compare_record) : NULL;
  g_autofree char *baseline_text = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *caveats = NULL;

  gtk_widget_set_visible (self->compare_box, result != NULL && baseline != NULL && !self->running);
  if (result == NULL || baseline == NULL)
    return;

  baseline_text = describe_run (self->compare_record);
  /* Translators: the run every difference is measured against */
  heading = g_strdup_printf (_("Baseline: %s"), baseline_text);
  gtk_label_set_label (self->baseline_label, heading);

  caveats = lb_compare_describe_caveats (result, baseline);
  gtk_label_set_label (self->caveat_label, caveats != NULL ? caveats : "");
  gtk_widget_set_visible (self->caveat_box, caveats != NULL);
}

static void
show_record (LbTesterWindow *self,
             gboolean        replace_chart)
{
  LbRunResult *result = self->record != NULL ? lb_run_record_get_result (self->record) : NULL;
  LbRunResult *other = self->compare_record != NULL ? lb_run_record_get_result (self->compare_record) : NULL;

  g_assert (LB_IS_TESTER_WINDOW (self));

  if (replace_chart)
    {
      lb_throughput_chart_set_samples (self->chart, result != NULL ? result->timeline : NULL);
      lb_throughput_chart_set_time_span (self->chart, 0);
    }

  if (other != NULL)
    {
      g_autofree char *label = lb_run_record_dup_title (self->record);
      g_autofree char *other_title = lb_run_record_dup_title (self->compare_record);
      /* Translators: the dashed run of the chart's legend */
      g_autofree char *other_label = g_strdup_printf (_("Baseline: %s"), other_title);

      lb_throughput_chart_set_compare (self->chart, other->timeline, label, other_label);
    }
  else
    {
      lb_throughput_chart_set_compare (self->chart, NULL, NULL, NULL);
    }

  if (self->record != NULL && !self->running)
    {
      g_autofree char *title = lb_run_record_dup_title (self->record);
      g_autofree char *elapsed = result != NULL ? lb_format_elapsed (result->duration) : NULL;

      set_phase (self, title, FALSE);
      gtk_label_set_label (self->time_label, elapsed);
      gtk_progress_bar_set_fraction (self->progress_bar, result != NULL && !result->cancelled ? 1 : 0);
    }

  show_comparison (self);
  show_summary (self);
  fill_results (self);
  fill_errors (self, result);
  fill_ladder (self, result);
  update_actions (self);
}

/* GSettings ---------------------------------------------------------------- */

static void
restore_settings (LbTesterWindow *self)
{
  g_autofree char *protocol = g_settings_get_string (self->settings, "tester-protocol");
  g_autofree char *mode = g_settings_get_string (self->settings, "tester-mode");
  LbProtocol protocol_value = LB_PROTOCOL_PREPARED;

  gtk_spin_button_set_value (self->clients_spin, g_settings_get_uint (self->settings, "tester-clients"));
  gtk_spin_button_set_value (self->threads_spin, g_settings_get_uint (self->settings, "tester-threads"));
  gtk_spin_button_set_value (self->duration_spin, g_settings_get_double (self->settings, "tester-duration"));
  gtk_spin_button_set_value (self->warmup_spin, g_settings_get_double (self->settings, "tester-warmup"));

  if (lb_protocol_from_string (protocol, &protocol_value))
    adw_combo_row_set_selected (self->protocol_row, 2 - protocol_value);

  if (g_str_equal (mode, "count"))
    adw_combo_row_set_selected (self->mode_row, LB_RUN_MODE_COUNT);
  else if (g_str_equal (mode, "ladder"))
    adw_combo_row_set_selected (self->mode_row, LB_RUN_MODE_LADDER);
  else
    adw_combo_row_set_selected (self->mode_row, LB_RUN_MODE_DURATION);
}

static void
remember_settings (LbTesterWindow      *self,
                   const LbRunSettings *settings)
{
  g_settings_delay (self->settings);
  g_settings_set_uint (self->settings, "tester-clients", settings->clients);
  g_settings_set_uint (self->settings, "tester-threads", settings->threads);
  g_settings_set_double (self->settings, "tester-duration", settings->duration);
  g_settings_set_double (self->settings, "tester-warmup", settings->warmup);
  g_settings_set_string (self->settings, "tester-protocol", lb_protocol_to_string (settings->protocol));
  g_settings_set_string (self->settings, "tester-mode", lb_run_mode_to_string (settings->mode));
  g_settings_apply (self->settings);
}

/* Running ------------------------------------------------------------------ */

static double
planned_seconds (const LbRunSettings *settings)
{
  switch (settings->mode)
    {
    case LB_RUN_MODE_DURATION:
      return settings->duration;
    case LB_RUN_MODE_LADDER:
      return settings->duration * MAX (1, settings->n_ladder);
    case LB_RUN_MODE_COUNT:
    default:
      return 0;
    }
}

/* The per-query table during a run: the rows the script gave (filled with
 * "–" at the start) take the engine's figures so far, in place. */
static void
update_live_results (LbTesterWindow *self,
                     GPtrArray      *queries,
                     double          seconds)
{
  if (queries == NULL || self->script == NULL)
    return;

  for (guint row = 0; row < lb_sql_script_get_n_queries (self->script); row++)
    {
      const LbSqlQuery *query = lb_sql_script_get_query (self->script, row);
      const LbQueryStats *stats = NULL;

      for (guint i = 0; i < queries->len && stats == NULL; i++)
        if (g_strcmp0 (((const LbQueryStats *) g_ptr_array_index (queries, i))->name, query->name) == 0)
          stats = g_ptr_array_index (queries, i);
      if (stats == NULL)
        continue;

      for (guint c = COLUMN_EXECUTIONS; c < N_COLUMNS; c++)
        {
          GtkWidget *label = get_cell_label (self, row, c, 0);
          g_autofree char *text = NULL;

          if (label == NULL)
            continue;
          if (c == COLUMN_EXECUTIONS)
            {
              text = format_count (stats->executions);
              set_rate_tooltip (label, stats->executions, seconds);
            }
          else if (c == COLUMN_FAILED)
            text = format_count (stats->failed);
          else
            text = format_ms (histogram_ms (stats->latency, c == COLUMN_AVG ? -1
                                                        : c == COLUMN_P50 ? 50
                                                        : c == COLUMN_P95 ? 95 : 99));
          gtk_label_set_label (GTK_LABEL (label), text);
        }
    }
}

static void
sample_cb (LbTesterWindow    *self,
           const LbRunSample *sample,
           LbLoadEngine      *engine)
{
  g_autofree char *tps = NULL;
  g_autofree char *transactions = NULL;
  g_autofree char *failed = NULL;
  g_autofree char *p50 = NULL;
  g_autofree char *p95 = NULL;
  g_autofree char *p99 = NULL;
  g_autofree char *elapsed = NULL;
  double planned;
  double fraction = 0;

  g_assert (LB_IS_TESTER_WINDOW (self));

  if (engine != self->engine || self->run_settings == NULL)
    return;

  /* Everything here is per interval: a few labels and one chart redraw. */
  lb_throughput_chart_push_sample (self->chart, sample);

  if (!sample->warmup)
    {
      self->live_transactions += sample->transactions;
      self->live_failed += sample->failed;
    }

  tps = format_rate (sample->tps);
  transactions = format_count (self->live_transactions);
  failed = format_count (self->live_failed);
  p50 = format_ms (sample->transactions > 0 ? sample->p50_ms : NAN);
  p95 = format_ms (sample->transactions > 0 ? sample->p95_ms : NAN);
  p99 = format_ms (sample->transactions > 0 ? sample->p99_ms : NAN);
  set_counter (self, COUNTER_TPS, tps, NULL);
  set_counter (self, COUNTER_TRANSACTIONS, transactions, NULL);
  set_counter (self, COUNTER_FAILED, failed, NULL);
  set_counter (self, COUNTER_P50, p50, NULL);
  set_counter (self, COUNTER_P95, p95, NULL);
  set_counter (self, COUNTER_P99, p99, NULL);

  planned = planned_seconds (self->run_settings);
  if (sample->warmup)
    {
      g_autofree char *left = lb_format_elapsed (-sample->t);

      elapsed = g_strdup_printf (_("warm-up, %s left"), left);
      if (self->run_settings->warmup > 0)
        fraction = (self->run_settings->warmup + sample->t) / (self->run_settings->warmup + MAX (planned, 0));
    }
  else if (planned > 0)
    {
      g_autofree char *done = lb_format_elapsed (sample->t);
      g_autofree char *left = lb_format_elapsed (MAX (0, planned - sample->t));

      elapsed = g_strdup_printf (_("%s elapsed · %s left"), done, left);
      fraction = (self->run_settings->warmup + sample->t) / (self->run_settings->warmup + planned);
    }
  else
    {
      g_autofree char *done = lb_format_elapsed (sample->t);
      guint64 total = self->run_settings->transactions;

      elapsed = g_strdup_printf (_("%s elapsed"), done);
      if (total > 0)
        fraction = (double) (self->live_transactions + self->live_failed) / total;
    }

  gtk_label_set_label (self->time_label, elapsed);
  gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0, 1));
  if (!sample->warmup)
    update_live_results (self, lb_load_engine_get_live_queries (engine), sample->t);
  update_actions (self);
}

static void
phase_changed_cb (LbTesterWindow *self,
                  LbRunPhase      phase,
                  guint           clients,
                  LbLoadEngine   *engine)
{
  g_autofree char *text = NULL;

  g_assert (LB_IS_TESTER_WINDOW (self));

  if (engine != self->engine)
    return;

  switch (phase)
    {
    case LB_RUN_PHASE_CONNECTING:
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Connecting %u client…", "Connecting %u clients…",
                                           clients), clients);
      break;
    case LB_RUN_PHASE_WARMUP:
      text = g_strdup (_("Warming up"));
      break;
    case LB_RUN_PHASE_MEASURING:
      if (self->run_settings != NULL && self->run_settings->mode == LB_RUN_MODE_LADDER)
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Measuring with %u client",
                                             "Measuring with %u clients", clients), clients);
      else
        text = g_strdup (_("Measuring"));
      break;
    case LB_RUN_PHASE_FINISHING:
      text = g_strdup (_("Finishing the transactions in flight"));
      break;
    case LB_RUN_PHASE_DONE:
    case LB_RUN_PHASE_IDLE:
    default:
      return;
    }

  /* While measuring, the chart, counters and progress bar move once per
   * interval: a spinner would redraw the window sixty times a second on
   * the client's own cores, taking CPU from the load it measures. */
  set_phase (self, text, phase != LB_RUN_PHASE_MEASURING);
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(LbTesterWindow) self = user_data;
  LbLoadEngine *engine = LB_LOAD_ENGINE (object);
  g_autoptr(LbRunResult) run_result = NULL;
  g_autoptr(LbRunRecord) record = NULL;
  g_autoptr(LbRunSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *tps = NULL;
  g_autofree char *message = NULL;

  run_result = lb_load_engine_run_finish (engine, result, &error);
  if (engine != self->engine)
    return;

  settings = g_steal_pointer (&self->run_settings);
  g_signal_handlers_disconnect_by_data (engine, self);
  g_clear_object (&self->engine);
  g_clear_object (&self->run_cancellable);
  self->running = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->phase_spinner), FALSE);
  gtk_spinner_set_spinning (self->phase_spinner, FALSE);

  if (run_result == NULL)
    {
      set_phase (self, _("The run could not start"), FALSE);
      gtk_progress_bar_set_fraction (self->progress_bar, 0);
      update_actions (self);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          !gtk_widget_in_destruction (GTK_WIDGET (self)))
        lb_compat_show_error (GTK_WINDOW (self), _("The Run Could Not Start"), error->message);
      return;
    }

  path = self->file != NULL ? g_file_get_path (self->file) : NULL;
  record = lb_run_record_new (lb_sql_script_get_display_name (self->script), path, settings, run_result,
                              self->run_started);

  if (self->history != NULL && !lb_run_history_add (self->history, record, &error))
    {
      g_autofree char *warning = g_strdup_printf (_("The run was not kept in the history: %s"), error->message);
      add_toast (self, warning);
    }

  g_set_object (&self->record, record);
  g_clear_object (&self->compare_record);
  lb_run_history_view_unselect_all (self->history_view);
  show_record (self, FALSE);

  tps = format_rate (run_result->tps);
  if (run_result->cancelled)
    message = g_strdup_printf (_("Run stopped early: %s tx/s over what was measured"), tps);
  else
    message = g_strdup_printf (_("Run finished: %s tx/s"), tps);
  add_toast (self, message);

  g_signal_emit (self, signals[RUN_FINISHED], 0, record);
}

static void
launch_engine (LbTesterWindow *self)
{
  g_autoptr(GError) error = NULL;

  g_assert (LB_IS_TESTER_WINDOW (self));
  g_assert (self->run_settings != NULL);

  if (!lb_run_settings_validate (self->run_settings, &error))
    {
      self->running = FALSE;
      g_clear_pointer (&self->run_settings, lb_run_settings_free);
      g_clear_object (&self->run_cancellable);
      set_phase (self, _("Ready"), FALSE);
      update_actions (self);
      lb_compat_show_error (GTK_WINDOW (self), _("These Settings Cannot Run"), error->message);
      return;
    }

  self->engine = lb_load_engine_new (self->script, self->run_settings);
  g_signal_connect_object (self->engine, "sample", G_CALLBACK (sample_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->engine, "phase-changed", G_CALLBACK (phase_changed_cb), self, G_CONNECT_SWAPPED);

  g_clear_pointer (&self->run_started, g_date_time_unref);
  self->run_started = g_date_time_new_now_local ();
  set_phase (self, _("Connecting…"), TRUE);
  lb_load_engine_run_async (self->engine, self->run_cancellable, run_done_cb, g_object_ref (self));
}

static void
sandbox_started_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(LbTesterWindow) self = user_data;
  LbPgSandbox *sandbox = LB_PG_SANDBOX (object);
  g_autoptr(GError) error = NULL;

  gtk_spinner_set_spinning (self->sandbox_spinner, FALSE);

  if (!lb_pg_sandbox_start_finish (sandbox, result, &error))
    {
      self->running = FALSE;
      g_clear_pointer (&self->run_settings, lb_run_settings_free);
      g_clear_object (&self->run_cancellable);
      update_sandbox_row (self, NULL);
      update_actions (self);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          set_phase (self, _("Ready"), FALSE);
          return;
        }
      set_phase (self, _("The sandbox did not start"), FALSE);
      if (!gtk_widget_in_destruction (GTK_WIDGET (self)))
        lb_compat_show_error (GTK_WINDOW (self), _("The Sandbox Did Not Start"), error->message);
      return;
    }

  update_sandbox_row (self, NULL);
  if (self->run_settings == NULL || g_cancellable_is_cancelled (self->run_cancellable))
    {
      self->running = FALSE;
      g_clear_pointer (&self->run_settings, lb_run_settings_free);
      set_phase (self, _("Ready"), FALSE);
      update_actions (self);
      return;
    }

  g_free (self->run_settings->conninfo);
  self->run_settings->conninfo = g_strdup (lb_pg_sandbox_get_conninfo (sandbox));
  launch_engine (self);
}

/* Loading ------------------------------------------------------------------ */

static void
load_script_worker (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GFile *file = task_data;
  g_autoptr(GError) error = NULL;
  LbSqlScript *script;

  script = lb_sql_script_new_from_file (file, &error);
  if (script == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, script, g_object_unref);
}

static void
load_script_done_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(LbSqlScript) script = NULL;
  g_autoptr(GError) error = NULL;

  script = g_task_propagate_pointer (G_TASK (result), &error);
  if (script == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_set_object (&self->script, script);
  g_set_object (&self->file, g_task_get_task_data (task));
  g_clear_object (&self->record);
  g_clear_object (&self->compare_record);
  lb_run_history_view_unselect_all (self->history_view);
  lb_throughput_chart_clear (self->chart);
  lb_throughput_chart_set_compare (self->chart, NULL, NULL, NULL);
  show_script (self);
  show_record (self, FALSE);
  set_phase (self, _("Ready"), FALSE);
  gtk_label_set_label (self->time_label, NULL);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);

  g_task_return_boolean (task, TRUE);
}

void
lb_tester_window_load_file_async (LbTesterWindow      *self,
                                  GFile               *file,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) parse = NULL;

  g_return_if_fail (LB_IS_TESTER_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_tester_window_load_file_async);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);

  /* Parsing a large file must not freeze the window. */
  parse = g_task_new (self, cancellable, load_script_done_cb, g_object_ref (task));
  g_task_set_task_data (parse, g_object_ref (file), g_object_unref);
  g_task_run_in_thread (parse, load_script_worker);
}

gboolean
lb_tester_window_load_file_finish (LbTesterWindow  *self,
                                   GAsyncResult    *result,
                                   GError         **error)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
open_file_loaded_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (object);
  g_autoptr(GFile) file = user_data;
  g_autoptr(GError) error = NULL;

  if (!lb_tester_window_load_file_finish (self, result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *name = g_file_get_basename (file);
      g_autofree char *heading = g_strdup_printf (_("Could Not Open “%s”"), name);

      lb_compat_show_error (GTK_WINDOW (self), heading, error->message);
    }
}

void
lb_tester_window_open_file (LbTesterWindow *self,
                            GFile          *file)
{
  g_return_if_fail (LB_IS_TESTER_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  lb_tester_window_load_file_async (self, file, self->cancellable, open_file_loaded_cb, g_object_ref (file));
}

/* Export ------------------------------------------------------------------- */

static void
export_written_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
lb_tester_window_export_async (LbTesterWindow       *self,
                               LbTesterExportFormat  format,
                               GFile                *file,
                               GCancellable         *cancellable,
                               GAsyncReadyCallback   callback,
                               gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  gconstpointer data;
  gsize size;

  g_return_if_fail (LB_IS_TESTER_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_tester_window_export_async);

  switch (format)
    {
    case LB_TESTER_EXPORT_JSON:
    case LB_TESTER_EXPORT_CSV:
      if (self->record == NULL)
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s",
                                   _("There is no run to export yet: start one or pick one from the history"));
          return;
        }
      else
        {
          char *text = format == LB_TESTER_EXPORT_JSON ? lb_run_record_to_json_string (self->record)
                                                       : lb_run_record_to_csv (self->record);
          bytes = g_bytes_new_take (text, strlen (text));
        }
      break;

    case LB_TESTER_EXPORT_PNG:
      bytes = lb_throughput_chart_render_png (self->chart, CHART_EXPORT_WIDTH, CHART_EXPORT_HEIGHT, &error);
      break;

    case LB_TESTER_EXPORT_SVG:
      bytes = lb_throughput_chart_render_svg (self->chart, CHART_EXPORT_WIDTH, CHART_EXPORT_HEIGHT, &error);
      break;

    default:
      g_return_if_reached ();
    }

  if (bytes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data = g_bytes_get_data (bytes, &size);
  g_task_set_task_data (task, g_bytes_ref (bytes), (GDestroyNotify) g_bytes_unref);
  g_file_replace_contents_async (file, data, size, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                 cancellable, export_written_cb, g_steal_pointer (&task));
}

gboolean
lb_tester_window_export_finish (LbTesterWindow  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
export_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (object);
  g_autoptr(GError) error = NULL;

  if (lb_tester_window_export_finish (self, result, &error))
    add_toast (self, _("Exported"));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    lb_compat_show_error (GTK_WINDOW (self), _("Could Not Export"), error->message);
}

static void
export_chosen_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(LbTesterWindow) self = user_data;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;

  file = lb_compat_choose_file_finish (result, &error);
  if (file == NULL)
    return;

  lb_tester_window_export_async (self, self->export_format, file, self->cancellable, export_done_cb, NULL);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (widget);
  static const struct {
    const char          *action;
    LbTesterExportFormat format;
    const char          *title;
    const char          *suffix;
    const char          *filter;
    const char * const  *patterns;
  } formats[] = {
    { "tester.export-json", LB_TESTER_EXPORT_JSON, N_("Export Run as JSON"), ".json", N_("JSON files"), json_patterns },
    { "tester.export-csv", LB_TESTER_EXPORT_CSV, N_("Export Run as CSV"), ".csv", N_("CSV files"), csv_patterns },
    { "tester.export-png", LB_TESTER_EXPORT_PNG, N_("Export Chart as PNG"), "-chart.png", N_("PNG images"), png_patterns },
    { "tester.export-svg", LB_TESTER_EXPORT_SVG, N_("Export Chart as SVG"), "-chart.svg", N_("SVG images"), svg_patterns },
  };
  g_autoptr(GFile) folder = NULL;
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      if (!g_str_equal (action_name, formats[i].action))
        continue;

      if (self->file != NULL)
        folder = g_file_get_parent (self->file);
      if (self->record != NULL)
        base = g_strdup_printf ("run-%s", lb_run_record_get_id (self->record));
      else
        base = g_strdup ("run");
      name = g_strconcat (base, formats[i].suffix, NULL);
      self->export_format = formats[i].format;

      lb_compat_choose_file (GTK_WINDOW (self), LB_FILE_CHOOSE_SAVE, _(formats[i].title), _("_Export"),
                             folder, name, _(formats[i].filter), formats[i].patterns,
                             self->cancellable, export_chosen_cb, g_object_ref (self));
      return;
    }
}

/* Actions ------------------------------------------------------------------ */

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (widget);
  g_autoptr(GFile) folder = self->file != NULL ? g_file_get_parent (self->file) : NULL;

  lb_compat_choose_file_to_open (GTK_WINDOW (self), _("Open SQL Workload"), folder,
                                 _("SQL files"), sql_patterns, self->cancellable,
                                 self, (LbOpenFileFunc) lb_tester_window_open_file);
}

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  lb_tester_window_start (LB_TESTER_WINDOW (widget));
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  lb_tester_window_stop (LB_TESTER_WINDOW (widget));
}

static void
swap_baseline_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (widget);
  g_autoptr(LbRunRecord) shown = NULL;
  g_autoptr(LbRunRecord) baseline = NULL;

  if (self->record == NULL || self->compare_record == NULL)
    return;

  shown = g_object_ref (self->record);
  baseline = g_object_ref (self->compare_record);
  lb_tester_window_compare_runs (self, baseline, shown);
}

static void
about_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  lb_application_show_about (GTK_WINDOW (widget));
}

static void
close_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  gtk_window_close (GTK_WINDOW (widget));
}

static void
save_connection_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (widget);
  g_autofree char *stripped = NULL;
  g_auto(GStrv) saved = g_settings_get_strv (self->settings, "tester-connections");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) updated = NULL;
  guint index = 0;

  if (!conninfo_is_valid (self, NULL))
    return;

  /* Passwords belong in ~/.pgpass or PGPASSWORD, never in our settings. */
  stripped = lb_conninfo_strip_password (gtk_editable_get_text (GTK_EDITABLE (self->conninfo_row)));

  for (; saved[index] != NULL; index++)
    if (g_str_equal (saved[index], stripped))
      break;

  if (saved[index] == NULL)
    {
      g_strv_builder_addv (builder, (const char **) saved);
      g_strv_builder_add (builder, stripped);
      updated = g_strv_builder_end (builder);
      g_settings_set_strv (self->settings, "tester-connections", (const char * const *) updated);
      rebuild_target_model (self);
    }

  /* What was typed stays in the entry, password included, for this session. */
  {
    g_autofree char *typed = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->conninfo_row)));

    adw_combo_row_set_selected (self->target_row, TARGET_FIRST_SAVED + index);
    gtk_editable_set_text (GTK_EDITABLE (self->conninfo_row), typed);
  }
  add_toast (self, _("Connection kept, without its password"));
}

static void
forget_connection_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (widget);
  g_auto(GStrv) saved = g_settings_get_strv (self->settings, "tester-connections");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) updated = NULL;
  guint target = get_target (self);

  if (target < TARGET_FIRST_SAVED)
    return;

  for (guint i = 0; saved[i] != NULL; i++)
    if (i != target - TARGET_FIRST_SAVED)
      g_strv_builder_add (builder, saved[i]);
  updated = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "tester-connections", (const char * const *) updated);

  adw_combo_row_set_selected (self->target_row, TARGET_CONNINFO);
  rebuild_target_model (self);
  adw_combo_row_set_selected (self->target_row, TARGET_CONNINFO);
  add_toast (self, _("Connection forgotten"));
}

static void
reset_sandbox_worker (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;

  if (!lb_pg_sandbox_reset (task_data, cancellable, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
reset_sandbox_done_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (object);
  g_autoptr(GError) error = NULL;

  self->busy = FALSE;
  gtk_spinner_set_spinning (self->sandbox_spinner, FALSE);
  update_sandbox_row (self, NULL);
  update_actions (self);

  if (g_task_propagate_boolean (G_TASK (result), &error))
    add_toast (self, _("The sandbox was reset"));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    lb_compat_show_error (GTK_WINDOW (self), _("Could Not Reset the Sandbox"), error->message);
}

static void
reset_sandbox_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (widget);
  g_autoptr(GTask) task = NULL;

  if (self->running || self->busy)
    return;

  self->busy = TRUE;
  gtk_spinner_set_spinning (self->sandbox_spinner, TRUE);
  update_sandbox_row (self, _("Resetting: a fresh cluster with the sample data…"));
  update_actions (self);

  task = g_task_new (self, self->cancellable, reset_sandbox_done_cb, NULL);
  g_task_set_source_tag (task, reset_sandbox_action);
  g_task_set_task_data (task, g_object_ref (ensure_sandbox (self)), g_object_unref);
  g_task_run_in_thread (task, reset_sandbox_worker);
}

/* Signal callbacks --------------------------------------------------------- */

static void
target_selected_cb (LbTesterWindow *self)
{
  guint target = get_target (self);

  if (target >= TARGET_FIRST_SAVED)
    {
      g_auto(GStrv) saved = g_settings_get_strv (self->settings, "tester-connections");

      if (target - TARGET_FIRST_SAVED < g_strv_length (saved))
        gtk_editable_set_text (GTK_EDITABLE (self->conninfo_row), saved[target - TARGET_FIRST_SAVED]);
    }

  update_target_rows (self);
}

static void
history_selection_changed_cb (LbTesterWindow   *self,
                              LbRunHistoryView *view)
{
  guint n = lb_run_history_view_get_n_selected (view);

  if (self->running)
    return;

  if (n == 0)
    {
      if (self->compare_record != NULL)
        lb_tester_window_show_run (self, self->record);
      return;
    }

  if (n == 1)
    lb_tester_window_show_run (self, lb_run_history_view_get_selected (view, 0));
  else
    lb_tester_window_compare_runs (self, lb_run_history_view_get_selected (view, 1),
                                   lb_run_history_view_get_selected (view, 0));
}

static void
delete_requested_cb (LbTesterWindow   *self,
                     LbRunRecord      *record,
                     LbRunHistoryView *view)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbRunRecord) keep = g_object_ref (record);

  if (!lb_run_history_remove (self->history, record, &error))
    {
      lb_compat_show_error (GTK_WINDOW (self), _("Could Not Delete the Run"), error->message);
      return;
    }

  if (self->compare_record == keep)
    {
      g_clear_object (&self->compare_record);
      show_record (self, TRUE);
    }
  if (self->record == keep && !self->running)
    {
      g_clear_object (&self->record);
      g_clear_object (&self->compare_record);
      lb_throughput_chart_clear (self->chart);
      show_record (self, FALSE);
      set_phase (self, _("Ready"), FALSE);
    }
  add_toast (self, _("Run deleted"));
}

static void
history_loaded_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!lb_run_history_load_finish (LB_RUN_HISTORY (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("Could not read the run history: %s", error->message);
}

/* The application hands every window the main window's shortcuts when it is
 * added to it; this window lists its own keys, so it takes them back. */
static void
use_own_help_overlay (LbTesterWindow *self)
{
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource (APP_RESOURCE_PATH "/ui/lb-tester-shortcuts.ui");
  GObject *overlay = gtk_builder_get_object (builder, "help_overlay");

  gtk_application_window_set_help_overlay (GTK_APPLICATION_WINDOW (self), GTK_SHORTCUTS_WINDOW (overlay));
}

/* Parent overrides --------------------------------------------------------- */

static gboolean
lb_tester_window_close_request (GtkWindow *window)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (window);

  /* Closing stops the run; the engine keeps what it measured. */
  if (self->run_cancellable != NULL)
    g_cancellable_cancel (self->run_cancellable);

  return GTK_WINDOW_CLASS (lb_tester_window_parent_class)->close_request (window);
}

static void
lb_tester_window_constructed (GObject *object)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (object);
  GtkApplication *app;

  G_OBJECT_CLASS (lb_tester_window_parent_class)->constructed (object);

  app = gtk_window_get_application (GTK_WINDOW (self));
  if (self->history == NULL)
    {
      if (LB_IS_APPLICATION (app))
        {
          lb_tester_window_set_history (self, lb_application_get_run_history (LB_APPLICATION (app)));
        }
      else
        {
          g_autoptr(LbRunHistory) history = lb_run_history_new (NULL);

          lb_tester_window_set_history (self, history);
          lb_run_history_load_async (history, self->cancellable, history_loaded_cb, NULL);
        }
    }
}

static void
lb_tester_window_dispose (GObject *object)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->run_cancellable != NULL)
    g_cancellable_cancel (self->run_cancellable);
  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_data (self->engine, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_TESTER_WINDOW);

  g_clear_object (&self->engine);
  g_clear_object (&self->run_cancellable);
  g_clear_pointer (&self->run_settings, lb_run_settings_free);
  g_clear_pointer (&self->run_started, g_date_time_unref);
  g_clear_object (&self->target_model);
  g_clear_object (&self->script);
  g_clear_object (&self->file);
  g_clear_object (&self->sandbox);
  g_clear_object (&self->history);
  g_clear_object (&self->record);
  g_clear_object (&self->compare_record);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (lb_tester_window_parent_class)->dispose (object);
}

/* The latency limit bounds the lateness behind a schedule: without a
 * target rate there is none. */
static void
rate_changed_cb (LbTesterWindow *self,
                 GtkSpinButton  *spin)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->latency_limit_row),
                            gtk_spin_button_get_value (spin) > 0);
}

static void
lb_tester_window_class_init (LbTesterWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = lb_tester_window_constructed;
  object_class->dispose = lb_tester_window_dispose;
  window_class->close_request = lb_tester_window_close_request;

  signals[RUN_FINISHED] =
    g_signal_new ("run-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LB_TYPE_RUN_RECORD);

  g_type_ensure (LB_TYPE_THROUGHPUT_CHART);
  g_type_ensure (LB_TYPE_RUN_HISTORY_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, APP_RESOURCE_PATH "/ui/lb-tester-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, history_button);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, history_view);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, run_stack);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, settings_box);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, script_group);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, queries_list);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, target_row);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, sandbox_row);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, sandbox_spinner);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, conninfo_row);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, forget_connection_button);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, conninfo_error_row);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, mode_row);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, clients_row);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, clients_spin);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, ladder_row);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, transactions_row);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, transactions_spin);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, duration_row);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, duration_spin);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, warmup_spin);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, threads_spin);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, protocol_row);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, pipeline_spin);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, rate_spin);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, latency_limit_row);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, latency_limit_spin);
  gtk_widget_class_bind_template_callback (widget_class, rate_changed_cb);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, phase_spinner);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, phase_label);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, time_label);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, compare_box);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, baseline_label);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, caveat_box);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, caveat_label);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, counters_box);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, chart);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, results_grid);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, ladder_group);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, ladder_list);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, errors_group);
  gtk_widget_class_bind_template_child (widget_class, LbTesterWindow, errors_list);

  gtk_widget_class_install_action (widget_class, "tester.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "tester.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "tester.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "tester.export-json", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "tester.export-csv", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "tester.export-png", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "tester.export-svg", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "tester.reset-sandbox", NULL, reset_sandbox_action);
  gtk_widget_class_install_action (widget_class, "tester.swap-baseline", NULL, swap_baseline_action);
  gtk_widget_class_install_action (widget_class, "tester.about", NULL, about_action);
  gtk_widget_class_install_action (widget_class, "tester.close", NULL, close_action);
  gtk_widget_class_install_action (widget_class, "tester.save-connection", NULL, save_connection_action);
  gtk_widget_class_install_action (widget_class, "tester.forget-connection", NULL, forget_connection_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "tester.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "tester.start", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "tester.start", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "tester.stop", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "tester.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "tester.export-json", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_E, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "tester.export-png", NULL);
  /* The application sets Ctrl+? only when it has one; a window opened
   * without it (and the tests) keeps the key. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_question, GDK_CONTROL_MASK,
                                       "win.show-help-overlay", NULL);
}

static void
lb_tester_window_init (LbTesterWindow *self)
{
  static const char *modes[] = { N_("For a duration"), N_("A number of transactions"), N_("A concurrency ladder"), NULL };
  static const char *protocols[] = { N_("Prepared (default)"), N_("Extended"), N_("Simple"), NULL };
  g_autoptr(GtkStringList) mode_model = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) protocol_model = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

#if DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif

  self->cancellable = g_cancellable_new ();
  self->settings = g_settings_new (APP_ID);

  for (guint i = 0; modes[i] != NULL; i++)
    gtk_string_list_append (mode_model, _(modes[i]));
  for (guint i = 0; protocols[i] != NULL; i++)
    gtk_string_list_append (protocol_model, _(protocols[i]));
  adw_combo_row_set_model (self->mode_row, G_LIST_MODEL (mode_model));
  adw_combo_row_set_model (self->protocol_row, G_LIST_MODEL (protocol_model));

  self->target_model = gtk_string_list_new (NULL);
  rebuild_target_model (self);
  adw_combo_row_set_model (self->target_row, G_LIST_MODEL (self->target_model));

  create_counters (self);
  reset_counters (self, FALSE);
  restore_settings (self);
  update_mode_rows (self);
  set_phase (self, _("Open a SQL workload file to start"), FALSE);
  lb_throughput_chart_set_placeholder_text (self->chart, _("The chart fills in once a run starts"));

  use_own_help_overlay (self);
  g_signal_connect (self, "notify::application", G_CALLBACK (use_own_help_overlay), NULL);
  g_signal_connect_object (self->target_row, "notify::selected", G_CALLBACK (target_selected_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->conninfo_row, "changed", G_CALLBACK (update_target_rows), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->mode_row, "notify::selected", G_CALLBACK (update_mode_rows), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->history_view, "selection-changed", G_CALLBACK (history_selection_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->history_view, "delete-requested", G_CALLBACK (delete_requested_cb),
                           self, G_CONNECT_SWAPPED);

  update_target_rows (self);
  show_script (self);
  fill_results (self);
}

/* Public API --------------------------------------------------------------- */

LbTesterWindow *
lb_tester_window_new (GtkApplication *application)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);

  return g_object_new (LB_TYPE_TESTER_WINDOW,
                       "application", application,
                       NULL);
}

void
lb_tester_window_set_sandbox (LbTesterWindow *self,
                              LbPgSandbox    *sandbox)
{
  g_return_if_fail (LB_IS_TESTER_WINDOW (self));
  g_return_if_fail (sandbox == NULL || LB_IS_PG_SANDBOX (sandbox));

  g_set_object (&self->sandbox, sandbox);
  update_sandbox_row (self, NULL);
}

LbPgSandbox *
lb_tester_window_get_sandbox (LbTesterWindow *self)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), NULL);

  return self->sandbox;
}

void
lb_tester_window_set_history (LbTesterWindow *self,
                              LbRunHistory   *history)
{
  g_return_if_fail (LB_IS_TESTER_WINDOW (self));
  g_return_if_fail (history == NULL || LB_IS_RUN_HISTORY (history));

  if (g_set_object (&self->history, history))
    lb_run_history_view_set_history (self->history_view, history);
}

LbRunHistory *
lb_tester_window_get_history (LbTesterWindow *self)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), NULL);

  return self->history;
}

LbSqlScript *
lb_tester_window_get_script (LbTesterWindow *self)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), NULL);

  return self->script;
}

LbRunSettings *
lb_tester_window_dup_settings (LbTesterWindow *self)
{
  LbRunSettings *settings;
  guint target;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), NULL);

  settings = lb_run_settings_new ();
  target = get_target (self);

  g_clear_pointer (&settings->conninfo, g_free);
  g_clear_pointer (&settings->target_label, g_free);
  if (target == TARGET_SANDBOX)
    {
      settings->target_label = g_strdup (_("Sandbox"));
    }
  else
    {
      const char *text = gtk_editable_get_text (GTK_EDITABLE (self->conninfo_row));

      settings->conninfo = g_strdup (text);
      settings->target_label = describe_conninfo (text);
    }

  settings->mode = adw_combo_row_get_selected (self->mode_row);
  settings->clients = gtk_spin_button_get_value_as_int (self->clients_spin);
  settings->threads = gtk_spin_button_get_value_as_int (self->threads_spin);
  settings->protocol = 2 - adw_combo_row_get_selected (self->protocol_row);
  settings->pipeline_depth = gtk_spin_button_get_value_as_int (self->pipeline_spin);
  settings->duration = gtk_spin_button_get_value (self->duration_spin);
  settings->warmup = gtk_spin_button_get_value (self->warmup_spin);
  settings->rate = gtk_spin_button_get_value (self->rate_spin);
  settings->latency_limit = settings->rate > 0
                            ? gtk_spin_button_get_value (self->latency_limit_spin) / 1000 : 0;
  settings->transactions = settings->mode == LB_RUN_MODE_COUNT
                           ? (guint64) gtk_spin_button_get_value (self->transactions_spin) : 0;
  settings->interval = 1;

  /* A bad ladder is reported when the run starts; keep the previous one until then. */
  if (!lb_run_settings_set_ladder_from_string (settings, gtk_editable_get_text (GTK_EDITABLE (self->ladder_row)),
                                               &error) &&
      settings->mode == LB_RUN_MODE_LADDER)
    g_object_set_data_full (G_OBJECT (self), "ladder-error", g_strdup (error->message), g_free);
  else
    g_object_set_data (G_OBJECT (self), "ladder-error", NULL);

  if (settings->mode == LB_RUN_MODE_LADDER && settings->n_ladder > 0)
    settings->clients = settings->ladder[settings->n_ladder - 1];

  return settings;
}

void
lb_tester_window_apply_settings (LbTesterWindow      *self,
                                 const LbRunSettings *settings)
{
  g_return_if_fail (LB_IS_TESTER_WINDOW (self));
  g_return_if_fail (settings != NULL);

  adw_combo_row_set_selected (self->mode_row, settings->mode);
  gtk_spin_button_set_value (self->clients_spin, settings->clients);
  gtk_spin_button_set_value (self->threads_spin, settings->threads);
  adw_combo_row_set_selected (self->protocol_row, 2 - settings->protocol);
  gtk_spin_button_set_value (self->pipeline_spin, settings->pipeline_depth);
  gtk_spin_button_set_value (self->duration_spin, settings->duration);
  gtk_spin_button_set_value (self->warmup_spin, settings->warmup);
  gtk_spin_button_set_value (self->rate_spin, settings->rate);
  gtk_spin_button_set_value (self->latency_limit_spin, settings->latency_limit * 1000);
  if (settings->transactions > 0)
    gtk_spin_button_set_value (self->transactions_spin, settings->transactions);

  if (settings->n_ladder > 0)
    {
      GString *text = g_string_new (NULL);

      for (guint i = 0; i < settings->n_ladder; i++)
        g_string_append_printf (text, "%s%u", i > 0 ? "," : "", settings->ladder[i]);
      gtk_editable_set_text (GTK_EDITABLE (self->ladder_row), text->str);
      g_string_free (text, TRUE);
    }

  update_mode_rows (self);
}

void
lb_tester_window_set_target_sandbox (LbTesterWindow *self)
{
  g_return_if_fail (LB_IS_TESTER_WINDOW (self));

  adw_combo_row_set_selected (self->target_row, TARGET_SANDBOX);
}

void
lb_tester_window_set_target_conninfo (LbTesterWindow *self,
                                      const char     *conninfo)
{
  g_return_if_fail (LB_IS_TESTER_WINDOW (self));
  g_return_if_fail (conninfo != NULL);

  adw_combo_row_set_selected (self->target_row, TARGET_CONNINFO);
  gtk_editable_set_text (GTK_EDITABLE (self->conninfo_row), conninfo);
}

void
lb_tester_window_start (LbTesterWindow *self)
{
  g_autoptr(LbRunSettings) settings = NULL;
  const char *ladder_error;
  LbPgSandbox *sandbox;

  g_return_if_fail (LB_IS_TESTER_WINDOW (self));

  if (self->running || self->busy || self->script == NULL)
    return;

  settings = lb_tester_window_dup_settings (self);
  ladder_error = g_object_get_data (G_OBJECT (self), "ladder-error");
  if (ladder_error != NULL)
    {
      lb_compat_show_error (GTK_WINDOW (self), _("These Settings Cannot Run"), ladder_error);
      return;
    }

  remember_settings (self, settings);

  /* A new run: the chart, counters and table start empty. */
  g_clear_object (&self->record);
  g_clear_object (&self->compare_record);
  lb_run_history_view_unselect_all (self->history_view);
  lb_throughput_chart_clear (self->chart);
  lb_throughput_chart_set_compare (self->chart, NULL, NULL, NULL);
  lb_throughput_chart_set_time_span (self->chart, planned_seconds (settings));
  self->live_transactions = 0;
  self->live_failed = 0;
  reset_counters (self, TRUE);
  gtk_widget_set_visible (self->compare_box, FALSE);
  fill_results (self);
  fill_errors (self, NULL);
  fill_ladder (self, NULL);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_label_set_label (self->time_label, NULL);

  self->running = TRUE;
  self->run_settings = g_steal_pointer (&settings);
  g_clear_object (&self->run_cancellable);
  self->run_cancellable = g_cancellable_new ();
  update_actions (self);

  if (get_target (self) != TARGET_SANDBOX)
    {
      launch_engine (self);
      return;
    }

  sandbox = ensure_sandbox (self);
  if (lb_pg_sandbox_get_running (sandbox))
    {
      g_free (self->run_settings->conninfo);
      self->run_settings->conninfo = g_strdup (lb_pg_sandbox_get_conninfo (sandbox));
      launch_engine (self);
      return;
    }

  set_phase (self, _("Starting the sandbox…"), TRUE);
  update_sandbox_row (self, _("Starting: the first start creates the sample data, which takes a while"));
  gtk_spinner_set_spinning (self->sandbox_spinner, TRUE);
  lb_pg_sandbox_start_async (sandbox, self->run_cancellable, sandbox_started_cb, g_object_ref (self));
}

void
lb_tester_window_stop (LbTesterWindow *self)
{
  g_return_if_fail (LB_IS_TESTER_WINDOW (self));

  if (!self->running || self->run_cancellable == NULL)
    return;

  set_phase (self, _("Stopping…"), TRUE);
  g_cancellable_cancel (self->run_cancellable);
}

gboolean
lb_tester_window_get_running (LbTesterWindow *self)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), FALSE);

  return self->running;
}

LbRunRecord *
lb_tester_window_get_record (LbTesterWindow *self)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), NULL);

  return self->record;
}

LbRunRecord *
lb_tester_window_get_compare_record (LbTesterWindow *self)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), NULL);

  return self->compare_record;
}

void
lb_tester_window_show_run (LbTesterWindow *self,
                           LbRunRecord    *record)
{
  g_return_if_fail (LB_IS_TESTER_WINDOW (self));
  g_return_if_fail (record == NULL || LB_IS_RUN_RECORD (record));

  if (self->running)
    return;

  g_set_object (&self->record, record);
  g_clear_object (&self->compare_record);
  show_record (self, TRUE);
}

void
lb_tester_window_compare_runs (LbTesterWindow *self,
                               LbRunRecord    *record,
                               LbRunRecord    *other)
{
  g_return_if_fail (LB_IS_TESTER_WINDOW (self));
  g_return_if_fail (LB_IS_RUN_RECORD (record));
  g_return_if_fail (LB_IS_RUN_RECORD (other));

  if (self->running)
    return;

  g_set_object (&self->record, record);
  g_set_object (&self->compare_record, other);
  show_record (self, TRUE);
}

LbThroughputChart *
lb_tester_window_get_chart (LbTesterWindow *self)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), NULL);

  return self->chart;
}

LbRunHistoryView *
lb_tester_window_get_history_view (LbTesterWindow *self)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), NULL);

  return self->history_view;
}

static GtkWidget *
get_cell_label (LbTesterWindow *self,
                guint           row,
                guint           column,
                guint           line)
{
  GtkWidget *cell;

  if (column >= N_COLUMNS)
    return NULL;

  cell = gtk_grid_get_child_at (self->results_grid, column, row + 1);
  if (cell == NULL)
    return NULL;
  if (GTK_IS_LABEL (cell))
    return line == 0 ? cell : NULL;

  cell = gtk_widget_get_first_child (cell);
  for (guint i = 0; i < line && cell != NULL; i++)
    cell = gtk_widget_get_next_sibling (cell);

  return cell;
}

char *
lb_tester_window_dup_result_cell (LbTesterWindow *self,
                                  guint           row,
                                  guint           column)
{
  GtkWidget *label;

  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), NULL);

  label = get_cell_label (self, row, column, 0);
  return label != NULL ? g_strdup (gtk_label_get_label (GTK_LABEL (label))) : NULL;
}

char *
lb_tester_window_dup_result_delta (LbTesterWindow *self,
                                   guint           row,
                                   guint           column)
{
  GtkWidget *label;

  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), NULL);

  label = get_cell_label (self, row, column, 1);
  return label != NULL ? g_strdup (gtk_label_get_label (GTK_LABEL (label))) : NULL;
}
