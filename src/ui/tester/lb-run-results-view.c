/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbRunResultsView: the results column. It follows an LbTestRun while one
 * runs (samples, phase, progress bound to the run) and shows a record, or
 * two compared, when asked; it never starts or saves anything. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "lb-remote-run.h"
#include "lb-run-format.h"
#include "lb-run-results-view.h"
#include "lb-sample-ring.h"

enum {
  COUNTER_TPS,
  COUNTER_TRANSACTIONS,
  COUNTER_FAILED,
  COUNTER_P50,
  COUNTER_P95,
  COUNTER_P99,
  COUNTER_CLIENTS,
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

struct _LbRunResultsView
{
  GtkBox             parent_instance;

  GtkSpinner        *phase_spinner;
  GtkLabel          *phase_label;
  GtkLabel          *time_label;
  GtkProgressBar    *progress_bar;
  GtkWidget         *compare_box;
  GtkLabel          *baseline_label;
  GtkWidget         *caveat_box;
  GtkLabel          *caveat_label;
  GtkWidget         *connection_box;
  GtkLabel          *connection_label;
  GtkFlowBox        *counters_box;
  LbThroughputChart *chart;
  GtkGrid           *results_grid;
  AdwPreferencesGroup *ladder_group;
  GtkListBox        *ladder_list;
  AdwPreferencesGroup *errors_group;
  GtkListBox        *errors_list;
  LbServerStatsView *server_view;
  GtkCheckButton    *workers_toggle;
  AdwPreferencesGroup *workers_group;
  GtkListBox        *workers_list;

  Counter            counters[N_COUNTERS];

  LbTestRun         *run;
  LbRemoteRun       *remote_run;     /* followed instead of run while set */
  LbRunRecord       *record;
  LbRunRecord       *compare_record;
};

G_DEFINE_FINAL_TYPE (LbRunResultsView, lb_run_results_view, GTK_TYPE_BOX)

enum {
  PROP_0,
  PROP_RUN,
  PROP_RECORD,
  PROP_COMPARE_RECORD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
is_running (LbRunResultsView *self)
{
  return (self->run != NULL && lb_test_run_get_running (self->run)) ||
         (self->remote_run != NULL && lb_remote_run_get_running (self->remote_run));
}

static LbSqlScript *
get_script (LbRunResultsView *self)
{
  return self->run != NULL ? lb_test_run_get_script (self->run) : NULL;
}

static void show_record_workers (LbRunResultsView *self);
static void show_worker_lines   (LbRunResultsView *self,
                                 const void       *lines,
                                 guint             n_lines);
static GtkWidget *get_cell_label (LbRunResultsView *self,
                                  guint             row,
                                  guint             column,
                                  guint             line);

static void
set_phase (LbRunResultsView *self,
           const char     *text,
           gboolean        spinning)
{
  gtk_label_set_label (self->phase_label, text);
  gtk_spinner_set_spinning (self->phase_spinner, spinning);
  gtk_widget_set_visible (GTK_WIDGET (self->phase_spinner), spinning);
}

static void
set_counter (LbRunResultsView *self,
             guint           counter,
             const char     *value,
             const char     *caption)
{
  gtk_label_set_label (self->counters[counter].value, value);
  if (caption != NULL)
    gtk_label_set_label (self->counters[counter].caption, caption);
}

static void
set_counter_delta (LbRunResultsView *self,
                   guint           counter,
                   const LbDelta  *delta)
{
  lb_show_delta (self->counters[counter].delta, delta);
}

static void
clear_counter_deltas (LbRunResultsView *self)
{
  for (guint i = 0; i < N_COUNTERS; i++)
    gtk_widget_set_visible (GTK_WIDGET (self->counters[i].delta), FALSE);
}

static void
create_counters (LbRunResultsView *self)
{
  static const char *captions[N_COUNTERS] = {
    N_("tx/s"), N_("transactions"), N_("failed"), N_("p50 ms"), N_("p95 ms"), N_("p99 ms"),
    N_("clients"),
  };

  for (guint i = 0; i < N_COUNTERS; i++)
    {
      GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      GtkWidget *value = gtk_label_new ("–");
      GtkWidget *caption = gtk_label_new (_(captions[i]));
      GtkWidget *delta = gtk_label_new (NULL);

      gtk_widget_add_css_class (card, "card");
      gtk_widget_set_size_request (card, 100, -1);
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
reset_counters (LbRunResultsView *self,
                gboolean        live)
{
  set_counter (self, COUNTER_TPS, "–", live ? _("tx/s now") : _("tx/s"));
  set_counter (self, COUNTER_TRANSACTIONS, "–", _("transactions"));
  set_counter (self, COUNTER_FAILED, "–", _("failed"));
  set_counter (self, COUNTER_P50, "–", live ? _("p50 ms now") : _("p50 ms"));
  set_counter (self, COUNTER_P95, "–", live ? _("p95 ms now") : _("p95 ms"));
  set_counter (self, COUNTER_P99, "–", live ? _("p99 ms now") : _("p99 ms"));
  set_counter (self, COUNTER_CLIENTS, "–", live ? _("connected") : _("clients"));
  clear_counter_deltas (self);
}


static void
clear_list_box (GtkListBox *list_box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list_box))) != NULL)
    gtk_list_box_remove (list_box, child);
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

  rate = lb_format_rate (count / seconds);
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
  numbers[COLUMN_AVG] = lb_histogram_ms (values->latency, -1);
  numbers[COLUMN_P50] = lb_histogram_ms (values->latency, 50);
  numbers[COLUMN_P95] = lb_histogram_ms (values->latency, 95);
  numbers[COLUMN_P99] = lb_histogram_ms (values->latency, 99);

  for (guint c = COLUMN_EXECUTIONS; c < N_COLUMNS; c++)
    {
      GtkWidget *cell = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
      g_autofree char *text = NULL;
      GtkWidget *value;
      int figure = compared_figure_of_column (c);

      if (values->empty)
        text = g_strdup ("–");
      else if (c == COLUMN_EXECUTIONS || c == COLUMN_FAILED)
        text = lb_format_count ((guint64) numbers[c]);
      else
        text = lb_format_ms (numbers[c]);

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
          lb_show_delta (GTK_LABEL (delta), &deltas->figures[figure]);
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
fill_results (LbRunResultsView *self)
{
  LbRunResult *result = self->record != NULL ? lb_run_record_get_result (self->record) : NULL;
  LbRunResult *baseline = self->compare_record != NULL ? lb_run_record_get_result (self->compare_record) : NULL;
  guint row = 1;

  g_assert (LB_IS_RUN_RESULTS_VIEW (self));

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
  else if (get_script (self) != NULL)
    {
      guint n = lb_sql_script_get_n_queries (get_script (self));

      for (guint i = 0; i < n; i++)
        {
          const LbSqlQuery *query = lb_sql_script_get_query (get_script (self), i);
          ResultRow values = { query->name, query->sql, 0, 0, NULL, FALSE, TRUE };

          grid_add_row (self->results_grid, row++, &values, NULL);
        }
    }
}

static void
fill_errors (LbRunResultsView *self,
             LbRunResult    *result)
{
  gboolean any = FALSE;

  clear_list_box (self->errors_list);

  if (result != NULL && result->errors != NULL)
    for (guint i = 0; i < result->errors->len; i++)
      {
        const LbErrorStats *stats = g_ptr_array_index (result->errors, i);
        g_autofree char *count = lb_format_count (stats->count);
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
fill_ladder (LbRunResultsView *self,
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
        g_autofree char *tps = lb_format_rate (step->tps);
        g_autofree char *p95 = lb_format_ms (step->p95_ms);
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

/* "5 of 20": clients connected of those asked. */
static void
set_clients_counter (LbRunResultsView *self,
                     guint             connected,
                     guint             asked,
                     const char       *caption)
{
  g_autofree char *value = NULL;

  if (connected < asked)
    /* Translators: clients connected of those asked, in a small card */
    value = g_strdup_printf (_("%u of %u"), connected, asked);
  else
    value = g_strdup_printf ("%u", asked);
  set_counter (self, COUNTER_CLIENTS, value, caption);
}

static void
show_connection_warning (LbRunResultsView *self,
                         const char       *text)
{
  gtk_label_set_label (self->connection_label, text != NULL ? text : "");
  gtk_widget_set_visible (self->connection_box, text != NULL);
}

/* A finished run's clients counter, and what went wrong with its
 * connections: clients that never connected, time with none connected. */
static void
show_record_connections (LbRunResultsView *self,
                         LbRunResult      *result)
{
  g_autoptr(GString) warning = g_string_new (NULL);

  if (result->clients_asked == 0)   /* a record older than these figures */
    {
      const LbRunSettings *settings = lb_run_record_get_settings (self->record);

      if (settings->mode != LB_RUN_MODE_LADDER)
        set_clients_counter (self, settings->clients, settings->clients, _("clients"));
      show_connection_warning (self, NULL);
      return;
    }

  set_clients_counter (self, result->clients_connected_max, result->clients_asked,
                       result->clients_connected_max < result->clients_asked ? _("connected") : _("clients"));
  if (result->clients_never_connected > 0)
    g_string_append_printf (warning,
                            g_dngettext (GETTEXT_PACKAGE,
                                         "Only %u of the %u clients asked could connect: the figures are for fewer clients. Raise the server’s max_connections or ask for fewer clients.",
                                         "Only %u of the %u clients asked could connect: the figures are for fewer clients. Raise the server’s max_connections or ask for fewer clients.",
                                         result->clients_asked),
                            result->clients_connected_max, result->clients_asked);
  if (result->seconds_without_connection > 0)
    {
      /* Translators: seconds, with one decimal */
      g_autofree char *down = g_strdup_printf (_("%.1f s"), result->seconds_without_connection);
      g_autofree char *reachable = lb_format_rate (result->tps_while_connected);
      g_autofree char *average = lb_format_rate (result->tps);

      if (warning->len > 0)
        g_string_append_c (warning, '\n');
      /* Translators: a time ("3.2 s"), then two rates */
      g_string_append_printf (warning, _("No client was connected for %s: %s tx/s while the server was reachable, %s tx/s on average."),
                              down, reachable, average);
    }
  show_connection_warning (self, warning->len > 0 ? warning->str : NULL);
}

static void
show_summary (LbRunResultsView *self)
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
    {
      show_connection_warning (self, NULL);
      return;
    }

  tps = lb_format_rate (result->tps);
  transactions = lb_format_count (result->transactions);
  failed = lb_format_count (result->failed);
  p50 = lb_format_ms (lb_histogram_ms (result->latency, 50));
  p95 = lb_format_ms (lb_histogram_ms (result->latency, 95));
  p99 = lb_format_ms (lb_histogram_ms (result->latency, 99));
  set_counter (self, COUNTER_TPS, tps, NULL);
  set_counter (self, COUNTER_TRANSACTIONS, transactions, NULL);
  if (result->skipped > 0 || result->retried > 0 || result->aborted_clients > 0)
    {
      g_autoptr(GString) caption = g_string_new (_("failed"));

      if (result->skipped > 0)
        {
          g_autofree char *skipped = lb_format_count (result->skipped);

          /* Translators: a line under the failed counter: the transactions
           * skipped for being later than the latency limit. */
          g_string_append_printf (caption, _("\n%s skipped"), skipped);
        }
      if (result->retried > 0)
        {
          g_autofree char *retried = lb_format_count (result->retried);
          g_autofree char *retries = lb_format_count (result->retries);

          /* Translators: a line under the failed counter: transactions re-run
           * after a serialization failure or deadlock, and the re-runs. */
          g_string_append_printf (caption, _("\n%s retried (%s retries)"), retried, retries);
        }
      if (result->aborted_clients > 0)
        /* Translators: a line under the failed counter: clients their script
         * stopped (BEGIN without an end); the figures are incomplete. */
        g_string_append_printf (caption, g_dngettext (GETTEXT_PACKAGE, "\n%u client aborted",
                                                      "\n%u clients aborted", result->aborted_clients),
                                result->aborted_clients);
      set_counter (self, COUNTER_FAILED, failed, caption->str);
    }
  else
    set_counter (self, COUNTER_FAILED, failed, NULL);
  set_counter (self, COUNTER_P50, p50, NULL);
  set_counter (self, COUNTER_P95, p95, NULL);
  set_counter (self, COUNTER_P99, p99, NULL);
  show_record_connections (self, result);

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
show_comparison (LbRunResultsView *self)
{
  LbRunResult *result = self->record != NULL ? lb_run_record_get_result (self->record) : NULL;
  LbRunResult *baseline = self->compare_record != NULL ? lb_run_record_get_result (self->compare_record) : NULL;
  g_autofree char *baseline_text = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *caveats = NULL;

  gtk_widget_set_visible (self->compare_box, result != NULL && baseline != NULL && !is_running (self));
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
show_record (LbRunResultsView *self,
             gboolean        replace_chart)
{
  LbRunResult *result = self->record != NULL ? lb_run_record_get_result (self->record) : NULL;
  LbRunResult *other = self->compare_record != NULL ? lb_run_record_get_result (self->compare_record) : NULL;

  g_assert (LB_IS_RUN_RESULTS_VIEW (self));

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

  if (self->record != NULL && !is_running (self))
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
  show_record_workers (self);
  fill_errors (self, result);
  fill_ladder (self, result);
  lb_server_stats_view_show (self->server_view, self->record, self->compare_record);
}


/* The per-query table during a run: the rows the script gave (filled with
 * "–" at the start) take the engine's figures so far, in place. */
static void
update_live_results (LbRunResultsView *self,
                     GPtrArray      *queries,
                     double          seconds)
{
  if (queries == NULL || get_script (self) == NULL)
    return;

  for (guint row = 0; row < lb_sql_script_get_n_queries (get_script (self)); row++)
    {
      const LbSqlQuery *query = lb_sql_script_get_query (get_script (self), row);
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
              text = lb_format_count (stats->executions);
              set_rate_tooltip (label, stats->executions, seconds);
            }
          else if (c == COLUMN_FAILED)
            text = lb_format_count (stats->failed);
          else
            text = lb_format_ms (lb_histogram_ms (stats->latency, c == COLUMN_AVG ? -1
                                                        : c == COLUMN_P50 ? 50
                                                        : c == COLUMN_P95 ? 95 : 99));
          gtk_label_set_label (GTK_LABEL (label), text);
        }
    }
}

static void
show_live_sample (LbRunResultsView  *self,
                  const LbRunSample *sample,
                  guint64            total_transactions,
                  guint64            total_failed,
                  double             planned)
{
  g_autofree char *tps = NULL;
  g_autofree char *transactions = NULL;
  g_autofree char *failed = NULL;
  g_autofree char *p50 = NULL;
  g_autofree char *p95 = NULL;
  g_autofree char *p99 = NULL;
  g_autofree char *elapsed = NULL;

  g_assert (LB_IS_RUN_RESULTS_VIEW (self));

  /* Everything here is per interval: a few labels and one chart redraw. */
  lb_throughput_chart_push_sample (self->chart, sample);

  tps = lb_format_rate (sample->tps);
  transactions = lb_format_count (total_transactions);
  failed = lb_format_count (total_failed);
  p50 = lb_format_ms (sample->transactions > 0 ? sample->p50_ms : NAN);
  p95 = lb_format_ms (sample->transactions > 0 ? sample->p95_ms : NAN);
  p99 = lb_format_ms (sample->transactions > 0 ? sample->p99_ms : NAN);
  set_counter (self, COUNTER_TPS, tps, NULL);
  set_counter (self, COUNTER_TRANSACTIONS, transactions, NULL);
  set_counter (self, COUNTER_FAILED, failed, NULL);
  set_counter (self, COUNTER_P50, p50, NULL);
  set_counter (self, COUNTER_P95, p95, NULL);
  set_counter (self, COUNTER_P99, p99, NULL);
  set_clients_counter (self, sample->clients_connected, sample->clients, _("connected"));
  if (sample->clients_connected < sample->clients)
    {
      g_autofree char *text =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "Only %u of %u client is connected: the server refuses or lost the others",
                                      "Only %u of %u clients are connected: the server refuses or lost the others",
                                      sample->clients),
                         sample->clients_connected, sample->clients);

      show_connection_warning (self, text);
    }
  else
    show_connection_warning (self, NULL);

  /* The bar itself is bound to the run's "progress". */
  if (sample->warmup)
    {
      g_autofree char *left = lb_format_elapsed (-sample->t);

      elapsed = g_strdup_printf (_("warm-up, %s left"), left);
    }
  else if (planned > 0)
    {
      g_autofree char *done = lb_format_elapsed (sample->t);
      g_autofree char *left = lb_format_elapsed (MAX (0, planned - sample->t));

      elapsed = g_strdup_printf (_("%s elapsed · %s left"), done, left);
    }
  else
    {
      g_autofree char *done = lb_format_elapsed (sample->t);

      elapsed = g_strdup_printf (_("%s elapsed"), done);
    }

  gtk_label_set_label (self->time_label, elapsed);
}

static void
sample_cb (LbRunResultsView  *self,
           const LbRunSample *sample,
           LbTestRun         *run)
{
  const LbRunSettings *settings = lb_test_run_get_settings (run);

  if (settings == NULL)
    return;

  show_live_sample (self, sample, lb_test_run_get_transactions (run), lb_test_run_get_failed (run),
                    lb_test_run_planned_seconds (settings));
  if (!sample->warmup)
    update_live_results (self, lb_test_run_get_live_queries (run), sample->t);
}

/* Workers of a run on Databricks compute ------------------------------------ */

typedef struct
{
  guint        worker;
  const char  *state;
  const char  *error;
  const char  *log_tail;
  guint        clients_asked;
  guint        clients_connected;   /* G_MAXUINT: not known yet */
  double       tps;
  double       p95_ms;              /* NAN: not known yet */
} WorkerLine;

static const char *
worker_state_label (const char *state)
{
  if (g_strcmp0 (state, "pending") == 0)
    return _("waiting for its cluster");
  if (g_strcmp0 (state, "starting") == 0)
    return _("starting");
  if (g_strcmp0 (state, "installing") == 0)
    return _("installing pgbench");
  if (g_strcmp0 (state, "connecting") == 0)
    return _("connecting");
  if (g_strcmp0 (state, "warmup") == 0)
    return _("warming up");
  if (g_strcmp0 (state, "running") == 0)
    return _("running");
  if (g_strcmp0 (state, "done") == 0)
    return _("done");
  if (g_strcmp0 (state, "failed") == 0)
    return _("failed");
  if (g_strcmp0 (state, "cancelled") == 0)
    return _("cancelled");
  return state != NULL ? state : "";
}

static GtkWidget *
make_worker_row (const WorkerLine *line)
{
  g_autofree char *title = NULL;
  g_autofree char *tps = lb_format_rate (line->tps);
  g_autofree char *p95 = lb_format_ms (line->p95_ms);
  g_autofree char *clients = NULL;
  g_autofree char *subtitle = NULL;
  gboolean failed = g_strcmp0 (line->state, "failed") == 0;
  GtkWidget *row;
  GtkWidget *icon;

  /* TRANSLATORS: "Worker 2 · done" */
  title = g_strdup_printf (_("Worker %u · %s"), line->worker, worker_state_label (line->state));
  if (line->clients_connected == G_MAXUINT)
    clients = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u client", "%u clients", line->clients_asked),
                               line->clients_asked);
  else
    /* TRANSLATORS: "25 of 25 clients connected" */
    clients = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u client connected",
                                            "%u of %u clients connected", line->clients_asked),
                               line->clients_connected, line->clients_asked);
  /* TRANSLATORS: "25 of 25 clients connected · 1,234 tx/s · p95 3.20 ms" */
  subtitle = g_strdup_printf (_("%s · %s tx/s · p95 %s ms"), clients, tps, p95);

  if (line->error != NULL || line->log_tail != NULL)
    {
      row = adw_expander_row_new ();
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle);
      if (line->error != NULL)
        {
          GtkWidget *label = gtk_label_new (line->error);

          gtk_label_set_xalign (GTK_LABEL (label), 0);
          gtk_label_set_wrap (GTK_LABEL (label), TRUE);
          gtk_label_set_selectable (GTK_LABEL (label), TRUE);
          gtk_widget_set_margin_start (label, 12);
          gtk_widget_set_margin_end (label, 12);
          gtk_widget_set_margin_top (label, 10);
          gtk_widget_set_margin_bottom (label, 10);
          adw_expander_row_add_row (ADW_EXPANDER_ROW (row), label);
        }
      if (line->log_tail != NULL)
        {
          GtkWidget *label = gtk_label_new (line->log_tail);

          gtk_label_set_xalign (GTK_LABEL (label), 0);
          gtk_label_set_wrap (GTK_LABEL (label), TRUE);
          gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
          gtk_label_set_selectable (GTK_LABEL (label), TRUE);
          gtk_widget_set_margin_start (label, 12);
          gtk_widget_set_margin_end (label, 12);
          gtk_widget_set_margin_top (label, 8);
          gtk_widget_set_margin_bottom (label, 8);
          gtk_widget_add_css_class (label, "monospace");
          gtk_widget_add_css_class (label, "caption");
          gtk_widget_set_tooltip_text (label, _("The end of the worker’s log"));
          adw_expander_row_add_row (ADW_EXPANDER_ROW (row), label);
        }
    }
  else
    {
      row = adw_action_row_new ();
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);

  icon = gtk_image_new_from_icon_name (failed ? "dialog-error-symbolic" : "computer-symbolic");
  if (failed)
    gtk_widget_add_css_class (icon, "error");
  if (ADW_IS_EXPANDER_ROW (row))
    adw_expander_row_add_prefix (ADW_EXPANDER_ROW (row), icon);
  else
    adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  return row;
}

static void
show_worker_lines (LbRunResultsView *self,
                   const void       *data,
                   guint             n_lines)
{
  const WorkerLine *lines = data;

  clear_list_box (self->workers_list);
  for (guint i = 0; i < n_lines; i++)
    gtk_list_box_append (self->workers_list, make_worker_row (&lines[i]));

  gtk_widget_set_visible (GTK_WIDGET (self->workers_group), n_lines > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->workers_toggle), n_lines > 0);
}

static void
show_record_workers (LbRunResultsView *self)
{
  GPtrArray *rows = self->record != NULL ? lb_run_record_get_remote_rows (self->record) : NULL;
  LbRunResult *result = self->record != NULL ? lb_run_record_get_result (self->record) : NULL;
  g_autoptr(GArray) lines = g_array_new (FALSE, TRUE, sizeof (WorkerLine));
  g_autoptr(GPtrArray) series = g_ptr_array_new ();

  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      const LbRemoteWorkerRow *row = g_ptr_array_index (rows, i);
      WorkerLine line = { row->worker, row->state, row->error, row->log_tail, row->clients_asked,
                          row->clients_connected, row->tps, row->transactions > 0 ? row->p95_ms : NAN };

      g_array_append_val (lines, line);
      g_ptr_array_add (series, row->tps_timeline);
    }

  show_worker_lines (self, lines->data, lines->len);
  if (rows != NULL && rows->len > 0)
    {
      double dbus = 0;
      double cost = lb_run_record_get_remote_cost (self->record, &dbus);
      const char *node_type = lb_run_record_get_remote_node_type (self->record);
      g_autofree char *head = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u worker on %s", "%u workers on %s",
                                                            rows->len),
                                               rows->len, node_type != NULL ? node_type : _("job compute"));
      g_autofree char *description = NULL;

      /* What Jobs billed, from the tasks' durations: the real cost. */
      if (cost >= 0.01)
        description = g_strdup_printf (_("%s · $%.2f billed in DBUs (%.2f DBU); the cloud VM cost is billed separately by the cloud provider"),
                                       head, cost, dbus);
      else if (cost > 0)
        description = g_strdup_printf (_("%s · less than $0.01 billed in DBUs (%.4f DBU); the cloud VM cost is billed separately by the cloud provider"),
                                       head, dbus);
      else
        description = g_strdup_printf (_("%s · clients connected of those asked, throughput and latency of each"), head);
      adw_preferences_group_set_description (self->workers_group, description);
    }
  lb_throughput_chart_set_worker_series (self->chart, result != NULL ? result->timeline : NULL,
                                         series->len > 0 ? series : NULL);
}

static void
remote_workers_changed_cb (LbRunResultsView *self)
{
  g_autoptr(GPtrArray) workers = lb_remote_run_dup_workers (self->remote_run);
  g_autoptr(GArray) lines = g_array_new (FALSE, TRUE, sizeof (WorkerLine));

  for (guint i = 0; workers != NULL && i < workers->len; i++)
    {
      const LbRemoteWorkerInfo *info = g_ptr_array_index (workers, i);
      WorkerLine line = { info->worker, info->state, info->error, info->log_tail, info->clients,
                          G_MAXUINT, info->tps, NAN };

      g_array_append_val (lines, line);
    }

  show_worker_lines (self, lines->data, lines->len);
}

static void
remote_sample_cb (LbRunResultsView  *self,
                  const LbRunSample *sample,
                  LbRemoteRun       *run)
{
  double planned = 0;

  if (self->record == NULL && lb_throughput_chart_get_time_span (self->chart) > 0)
    planned = lb_throughput_chart_get_time_span (self->chart);
  show_live_sample (self, sample, lb_remote_run_get_transactions (run), lb_remote_run_get_failed (run),
                    planned);
}

static void
remote_worker_sample_cb (LbRunResultsView  *self,
                         guint              worker,
                         const LbRunSample *sample,
                         LbRemoteRun       *run)
{
  lb_throughput_chart_push_worker_tps (self->chart, worker, sample->t, sample->tps);
}

static void
remote_message_cb (LbRunResultsView *self,
                   GParamSpec       *pspec,
                   LbRemoteRun      *run)
{
  const char *message = lb_remote_run_get_message (run);

  if (message != NULL && *message != '\0' && lb_remote_run_get_running (run))
    set_phase (self, message, lb_remote_run_get_state (run) != LB_REMOTE_RUN_STATE_RUNNING);
}

static void
workers_toggled_cb (LbRunResultsView *self,
                    GtkCheckButton   *button)
{
  lb_throughput_chart_set_show_workers (self->chart, gtk_check_button_get_active (button));
}

static void
state_changed_cb (LbRunResultsView *self,
                  GParamSpec       *pspec,
                  LbTestRun        *run)
{
  const LbRunSettings *settings = lb_test_run_get_settings (run);
  guint clients = lb_test_run_get_clients (run);
  g_autofree char *text = NULL;
  LbTestRunState state = lb_test_run_get_state (run);

  switch (state)
    {
    case LB_TEST_RUN_STATE_STARTING_SANDBOX:
      text = g_strdup (_("Starting the sandbox…"));
      break;
    case LB_TEST_RUN_STATE_FETCHING_CREDENTIAL:
      text = g_strdup (_("Fetching a database credential…"));
      break;
    case LB_TEST_RUN_STATE_CONNECTING:
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Connecting %u client…", "Connecting %u clients…",
                                           clients), clients);
      break;
    case LB_TEST_RUN_STATE_WARMUP:
      text = g_strdup (_("Warming up"));
      break;
    case LB_TEST_RUN_STATE_MEASURING:
      if (settings != NULL && settings->mode == LB_RUN_MODE_LADDER)
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Measuring with %u client",
                                             "Measuring with %u clients", clients), clients);
      else
        text = g_strdup (_("Measuring"));
      break;
    case LB_TEST_RUN_STATE_FINISHING:
      text = g_strdup (_("Finishing the transactions in flight"));
      break;
    case LB_TEST_RUN_STATE_IDLE:
    case LB_TEST_RUN_STATE_DONE:
    default:
      return;
    }

  /* While measuring, the chart, counters and progress bar move once per
   * interval: a spinner would redraw the window sixty times a second on
   * the client's own cores, taking CPU from the load it measures. */
  set_phase (self, text, state != LB_TEST_RUN_STATE_MEASURING);
}

static GtkWidget *
get_cell_label (LbRunResultsView *self,
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

static void
lb_run_results_view_dispose (GObject *object)
{
  LbRunResultsView *self = LB_RUN_RESULTS_VIEW (object);

  lb_run_results_view_set_run (self, NULL);
  lb_run_results_view_set_remote_run (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_RUN_RESULTS_VIEW);
  g_clear_object (&self->record);
  g_clear_object (&self->compare_record);

  G_OBJECT_CLASS (lb_run_results_view_parent_class)->dispose (object);
}

static void
lb_run_results_view_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  LbRunResultsView *self = LB_RUN_RESULTS_VIEW (object);

  switch (prop_id)
    {
    case PROP_RUN:
      g_value_set_object (value, self->run);
      break;
    case PROP_RECORD:
      g_value_set_object (value, self->record);
      break;
    case PROP_COMPARE_RECORD:
      g_value_set_object (value, self->compare_record);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_run_results_view_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  LbRunResultsView *self = LB_RUN_RESULTS_VIEW (object);

  switch (prop_id)
    {
    case PROP_RUN:
      lb_run_results_view_set_run (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_run_results_view_class_init (LbRunResultsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_run_results_view_dispose;
  object_class->get_property = lb_run_results_view_get_property;
  object_class->set_property = lb_run_results_view_set_property;

  properties[PROP_RUN] =
    g_param_spec_object ("run", NULL, NULL, LB_TYPE_TEST_RUN,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RECORD] =
    g_param_spec_object ("record", NULL, NULL, LB_TYPE_RUN_RECORD,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COMPARE_RECORD] =
    g_param_spec_object ("compare-record", NULL, NULL, LB_TYPE_RUN_RECORD,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (LB_TYPE_THROUGHPUT_CHART);
  g_type_ensure (LB_TYPE_SERVER_STATS_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, APP_RESOURCE_PATH "/ui/lb-run-results-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LbRunResultsView, phase_spinner);
  gtk_widget_class_bind_template_child (widget_class, LbRunResultsView, phase_label);
  gtk_widget_class_bind_template_child (widget_class, LbRunResultsView, time_label);
  gtk_widget_class_bind_template_child (widget_class, LbRunResultsView, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LbRunResultsView, compare_box);
  gtk_widget_class_bind_template_child (widget_class, LbRunResultsView, baseline_label);
  gtk_widget_class_bind_template_child (widget_class, LbRunResultsView, caveat_box);
  gtk_widget_class_bind_template_child (widget_class, LbRunResultsView, caveat_label);
  gtk_widget_class_bind_template_child (widget_class, LbRunResultsView, connection_box);
  gtk_widget_class_bind_template_child (widget_class, LbRunResultsView, connection_label);
  gtk_widget_class_bind_template_child (widget_class, LbRunResultsView, counters_box);
  gtk_widget_class_bind_template_child (widget_class, LbRunResultsView, chart);
  gtk_widget_class_bind_template_child (widget_class, LbRunResultsView, results_grid);
  gtk_widget_class_bind_template_child (widget_class, LbRunResultsView, ladder_group);
  gtk_widget_class_bind_template_child (widget_class, LbRunResultsView, ladder_list);
  gtk_widget_class_bind_template_child (widget_class, LbRunResultsView, errors_group);
  gtk_widget_class_bind_template_child (widget_class, LbRunResultsView, errors_list);
  gtk_widget_class_bind_template_child (widget_class, LbRunResultsView, server_view);
  gtk_widget_class_bind_template_child (widget_class, LbRunResultsView, workers_toggle);
  gtk_widget_class_bind_template_child (widget_class, LbRunResultsView, workers_group);
  gtk_widget_class_bind_template_child (widget_class, LbRunResultsView, workers_list);
  gtk_widget_class_bind_template_callback (widget_class, workers_toggled_cb);
}

static void
lb_run_results_view_init (LbRunResultsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  create_counters (self);
  reset_counters (self, FALSE);
  set_phase (self, _("Open a SQL workload file to start"), FALSE);
  lb_throughput_chart_set_placeholder_text (self->chart, _("The chart fills in once a run starts"));
  fill_results (self);
}

/* Public API --------------------------------------------------------------- */

GtkWidget *
lb_run_results_view_new (void)
{
  return g_object_new (LB_TYPE_RUN_RESULTS_VIEW, NULL);
}

void
lb_run_results_view_set_run (LbRunResultsView *self,
                             LbTestRun        *run)
{
  g_return_if_fail (LB_IS_RUN_RESULTS_VIEW (self));
  g_return_if_fail (run == NULL || LB_IS_TEST_RUN (run));

  if (self->run == run)
    return;

  if (self->run != NULL)
    g_signal_handlers_disconnect_by_data (self->run, self);
  g_set_object (&self->run, run);
  if (run != NULL)
    {
      g_signal_connect_object (run, "sample", G_CALLBACK (sample_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (run, "notify::state", G_CALLBACK (state_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (run, "notify::clients", G_CALLBACK (state_changed_cb), self, G_CONNECT_SWAPPED);
      /* One way: showing a record from the history sets the bar itself. */
      g_object_bind_property (run, "progress", self->progress_bar, "fraction", G_BINDING_DEFAULT);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUN]);
}

void
lb_run_results_view_begin (LbRunResultsView    *self,
                           const LbRunSettings *settings)
{
  g_return_if_fail (LB_IS_RUN_RESULTS_VIEW (self));
  g_return_if_fail (settings != NULL);

  g_clear_object (&self->record);
  g_clear_object (&self->compare_record);
  lb_throughput_chart_clear (self->chart);
  lb_throughput_chart_set_compare (self->chart, NULL, NULL, NULL);
  lb_throughput_chart_set_time_span (self->chart, lb_test_run_planned_seconds (settings));
  reset_counters (self, TRUE);
  gtk_widget_set_visible (self->compare_box, FALSE);
  show_connection_warning (self, NULL);
  fill_results (self);
  fill_errors (self, NULL);
  fill_ladder (self, NULL);
  show_worker_lines (self, NULL, 0);
  lb_server_stats_view_show (self->server_view, NULL, NULL);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_label_set_label (self->time_label, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORD]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPARE_RECORD]);
}

void
lb_run_results_view_show (LbRunResultsView *self,
                          LbRunRecord      *record,
                          LbRunRecord      *compare_record,
                          gboolean          replace_chart)
{
  g_return_if_fail (LB_IS_RUN_RESULTS_VIEW (self));
  g_return_if_fail (record == NULL || LB_IS_RUN_RECORD (record));
  g_return_if_fail (compare_record == NULL || LB_IS_RUN_RECORD (compare_record));

  g_object_freeze_notify (G_OBJECT (self));
  if (g_set_object (&self->record, record))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORD]);
  if (g_set_object (&self->compare_record, compare_record))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPARE_RECORD]);
  if (record == NULL && compare_record == NULL && replace_chart)
    lb_throughput_chart_clear (self->chart);
  show_record (self, replace_chart && record != NULL);
  g_object_thaw_notify (G_OBJECT (self));
}

void
lb_run_results_view_set_phase (LbRunResultsView *self,
                               const char       *text,
                               gboolean          spinning)
{
  g_return_if_fail (LB_IS_RUN_RESULTS_VIEW (self));

  set_phase (self, text, spinning);
}

void
lb_run_results_view_clear_progress (LbRunResultsView *self)
{
  g_return_if_fail (LB_IS_RUN_RESULTS_VIEW (self));

  gtk_label_set_label (self->time_label, NULL);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
}

LbRunRecord *
lb_run_results_view_get_record (LbRunResultsView *self)
{
  g_return_val_if_fail (LB_IS_RUN_RESULTS_VIEW (self), NULL);

  return self->record;
}

LbRunRecord *
lb_run_results_view_get_compare_record (LbRunResultsView *self)
{
  g_return_val_if_fail (LB_IS_RUN_RESULTS_VIEW (self), NULL);

  return self->compare_record;
}

LbThroughputChart *
lb_run_results_view_get_chart (LbRunResultsView *self)
{
  g_return_val_if_fail (LB_IS_RUN_RESULTS_VIEW (self), NULL);

  return self->chart;
}

char *
lb_run_results_view_dup_cell (LbRunResultsView *self,
                              guint             row,
                              guint             column,
                              guint             line)
{
  GtkWidget *label;

  g_return_val_if_fail (LB_IS_RUN_RESULTS_VIEW (self), NULL);

  label = get_cell_label (self, row, column, line);
  return label != NULL ? g_strdup (gtk_label_get_label (GTK_LABEL (label))) : NULL;
}

LbServerStatsView *
lb_run_results_view_get_server_view (LbRunResultsView *self)
{
  g_return_val_if_fail (LB_IS_RUN_RESULTS_VIEW (self), NULL);

  return self->server_view;
}

void
lb_run_results_view_set_remote_run (LbRunResultsView *self,
                                    LbRemoteRun      *run)
{
  g_return_if_fail (LB_IS_RUN_RESULTS_VIEW (self));
  g_return_if_fail (run == NULL || LB_IS_REMOTE_RUN (run));

  if (self->remote_run == run)
    return;

  if (self->remote_run != NULL)
    g_signal_handlers_disconnect_by_data (self->remote_run, self);
  g_set_object (&self->remote_run, run);
  if (run != NULL)
    {
      g_signal_connect_object (run, "sample", G_CALLBACK (remote_sample_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (run, "worker-sample", G_CALLBACK (remote_worker_sample_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (run, "worker-changed", G_CALLBACK (remote_workers_changed_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (run, "notify::message", G_CALLBACK (remote_message_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (run, "notify::state", G_CALLBACK (remote_message_cb), self, G_CONNECT_SWAPPED);
      g_object_bind_property (run, "progress", self->progress_bar, "fraction", G_BINDING_DEFAULT);
    }
}
