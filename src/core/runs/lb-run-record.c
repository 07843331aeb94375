/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A run's result (what the engine measured) and its record (when, which
 * script, settings and result), to and from the history's JSON. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-run-record-private.h"
#include "lb-server-snapshot.h"
#include "lb-sql-script.h"

/* Result */

LbQueryStats *
lb_query_stats_new (guint       index,
                    const char *name,
                    const char *sql)
{
  LbQueryStats *stats = g_new0 (LbQueryStats, 1);

  stats->index = index;
  stats->name = g_strdup (name);
  stats->sql = g_strdup (sql);
  stats->latency = lb_latency_histogram_new ();

  return stats;
}

void
lb_query_stats_free (LbQueryStats *stats)
{
  if (stats == NULL)
    return;

  g_free (stats->name);
  g_free (stats->sql);
  g_clear_pointer (&stats->latency, lb_latency_histogram_free);
  g_free (stats);
}

static void
query_stats_free (gpointer data)
{
  lb_query_stats_free (data);
}

static void
error_stats_free (gpointer data)
{
  LbErrorStats *stats = data;

  g_free (stats->message);
  g_free (stats);
}

G_DEFINE_BOXED_TYPE (LbRunResult, lb_run_result, lb_run_result_ref, lb_run_result_unref)

LbRunResult *
lb_run_result_new (void)
{
  LbRunResult *self = g_new0 (LbRunResult, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->latency = lb_latency_histogram_new ();
  self->lag = lb_latency_histogram_new ();
  self->queries = g_ptr_array_new_with_free_func (query_stats_free);
  self->errors = g_ptr_array_new_with_free_func (error_stats_free);
  self->timeline = g_array_new (FALSE, TRUE, sizeof (LbRunSample));
  self->ladder = g_array_new (FALSE, TRUE, sizeof (LbLadderStep));

  return self;
}

LbRunResult *
lb_run_result_ref (LbRunResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
lb_run_result_unref (LbRunResult *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_clear_pointer (&self->latency, lb_latency_histogram_free);
  g_clear_pointer (&self->lag, lb_latency_histogram_free);
  g_clear_pointer (&self->queries, g_ptr_array_unref);
  g_clear_pointer (&self->errors, g_ptr_array_unref);
  g_clear_pointer (&self->timeline, g_array_unref);
  g_clear_pointer (&self->ladder, g_array_unref);
  g_clear_pointer (&self->server_version, g_free);
  g_free (self);
}

guint
lb_run_result_find_knee (const LbLadderStep *steps,
                         guint               n_steps,
                         double              gain)
{
  g_return_val_if_fail (steps != NULL || n_steps == 0, 0);

  /* The first step after which no later step beats its throughput by
   * @gain, with latency rising at the next step: noise that dips and
   * recovers does not end the climb early. */
  for (guint i = 0; i + 1 < n_steps; i++)
    {
      double best_later = 0;

      for (guint j = i + 1; j < n_steps; j++)
        best_later = MAX (best_later, steps[j].tps);

      if (best_later < steps[i].tps * (1 + gain) && steps[i + 1].p95_ms > steps[i].p95_ms)
        return steps[i].clients;
    }

  return 0;
}

/* Record */

G_DEFINE_FINAL_TYPE (LbRunRecord, lb_run_record, G_TYPE_OBJECT)

static void
lb_run_record_finalize (GObject *object)
{
  LbRunRecord *self = LB_RUN_RECORD (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->started, g_date_time_unref);
  g_clear_pointer (&self->script_name, g_free);
  g_clear_pointer (&self->script_path, g_free);
  g_clear_pointer (&self->script_dialect, g_free);
  g_clear_pointer (&self->settings, lb_run_settings_free);
  g_clear_pointer (&self->result, lb_run_result_unref);
  g_clear_pointer (&self->server_snapshots, g_ptr_array_unref);
  g_clear_pointer (&self->server_notes, g_ptr_array_unref);
  g_clear_pointer (&self->reference_cu_source, g_free);
  g_clear_pointer (&self->remote_rows, g_ptr_array_unref);
  g_clear_pointer (&self->remote_node_type, g_free);

  G_OBJECT_CLASS (lb_run_record_parent_class)->finalize (object);
}

static void
lb_run_record_class_init (LbRunRecordClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lb_run_record_finalize;
}

static void
lb_run_record_init (LbRunRecord *self)
{
  self->server_snapshots = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_server_snapshot_free);
  self->server_notes = g_ptr_array_new_with_free_func (g_free);
  self->remote_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_remote_worker_row_free);
}

/* The history names files after ids: nothing that could leave its directory. */
static gboolean
is_valid_id (const char *id)
{
  if (id == NULL || *id == '\0' || *id == '.' || strlen (id) > 128)
    return FALSE;

  for (const char *p = id; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;

  return TRUE;
}

LbRunRecord *
lb_run_record_new (const char          *script_name,
                   const char          *script_path,
                   const LbRunSettings *settings,
                   LbRunResult         *result,
                   GDateTime           *started)
{
  LbRunRecord *self;
  g_autofree char *stamp = NULL;

  g_return_val_if_fail (settings != NULL, NULL);
  g_return_val_if_fail (result != NULL, NULL);

  self = g_object_new (LB_TYPE_RUN_RECORD, NULL);
  self->started = started != NULL ? g_date_time_ref (started) : g_date_time_new_now_local ();
  if (script_name != NULL)
    self->script_name = g_strdup (script_name);
  else if (script_path != NULL)
    self->script_name = g_path_get_basename (script_path);
  else
    self->script_name = g_strdup ("");
  self->script_path = g_strdup (script_path);
  self->settings = lb_run_settings_copy (settings);
  /* Only the stripped form is kept, so no copy of a password outlives the run. */
  g_free (self->settings->conninfo);
  self->settings->conninfo = lb_conninfo_strip_password (settings->conninfo);
  self->result = lb_run_result_ref (result);

  stamp = g_date_time_format (self->started, "%Y%m%d-%H%M%S");
  self->id = g_strdup_printf ("%s-%04x", stamp, g_random_int_range (0, 0x10000));

  return self;
}

const char *
lb_run_record_get_id (LbRunRecord *self)
{
  g_return_val_if_fail (LB_IS_RUN_RECORD (self), NULL);

  return self->id;
}

GDateTime *
lb_run_record_get_started (LbRunRecord *self)
{
  g_return_val_if_fail (LB_IS_RUN_RECORD (self), NULL);

  return self->started;
}

const char *
lb_run_record_get_script_name (LbRunRecord *self)
{
  g_return_val_if_fail (LB_IS_RUN_RECORD (self), NULL);

  return self->script_name;
}

const char *
lb_run_record_get_script_dialect (LbRunRecord *self)
{
  g_return_val_if_fail (LB_IS_RUN_RECORD (self), NULL);

  return self->script_dialect;
}

void
lb_run_record_set_script_dialect (LbRunRecord *self,
                                  const char  *dialect)
{
  g_return_if_fail (LB_IS_RUN_RECORD (self));

  if (g_strcmp0 (self->script_dialect, dialect) == 0)
    return;
  g_free (self->script_dialect);
  self->script_dialect = g_strdup (dialect);
}

const char *
lb_run_record_get_script_path (LbRunRecord *self)
{
  g_return_val_if_fail (LB_IS_RUN_RECORD (self), NULL);

  return self->script_path;
}

const LbRunSettings *
lb_run_record_get_settings (LbRunRecord *self)
{
  g_return_val_if_fail (LB_IS_RUN_RECORD (self), NULL);

  return self->settings;
}

LbRunResult *
lb_run_record_get_result (LbRunRecord *self)
{
  g_return_val_if_fail (LB_IS_RUN_RECORD (self), NULL);

  return self->result;
}

/* "1,234,567": figures in summaries are easier to read grouped. */
static char *
format_grouped (double value)
{
  g_autofree char *digits = g_strdup_printf ("%.0f", fabs (value));
  GString *out = g_string_new (value <= -0.5 ? "-" : NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }

  return g_string_free (out, FALSE);
}

char *
lb_run_record_dup_title (LbRunRecord *self)
{
  g_autofree char *tps = NULL;

  g_return_val_if_fail (LB_IS_RUN_RECORD (self), NULL);

  tps = format_grouped (self->result->tps);

  if (self->settings->mode == LB_RUN_MODE_LADDER && self->settings->n_ladder > 0)
    /* Translators: script · client counts of a ladder · transactions per second */
    return g_strdup_printf (_("%s · %u–%u clients · %s tps"),
                            self->script_name, self->settings->ladder[0],
                            self->settings->ladder[self->settings->n_ladder - 1], tps);

  /* Translators: script · clients · transactions per second */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %u client · %s tps",
                                       "%s · %u clients · %s tps", self->settings->clients),
                          self->script_name, self->settings->clients, tps);
}

/* JSON */


/* json-glib 1.6 writes a double whose shortest form has no decimal point
 * but an exponent ("1e+43") as "1e+43.0", which no parser reads back: one
 * step towards zero gives it a mantissa with a point. */
static double
json_writable_double (double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (buffer, sizeof buffer, "%.17g", value);
  if (strchr (buffer, 'e') != NULL && strchr (buffer, '.') == NULL)
    return nextafter (value, 0.0);
  return value;
}

static void
add_double (JsonBuilder *builder,
            const char  *name,
            double       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_double_value (builder, json_writable_double (lb_run_json_finite_or_zero (value)));
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_latency_ms (JsonBuilder              *builder,
                const char               *name,
                const LbLatencyHistogram *histogram)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_object (builder);
  add_double (builder, "avg", lb_latency_histogram_get_mean (histogram) / 1000);
  add_double (builder, "stddev", lb_latency_histogram_get_stddev (histogram) / 1000);
  add_double (builder, "p50", lb_latency_histogram_get_percentile (histogram, 50) / 1000);
  add_double (builder, "p90", lb_latency_histogram_get_percentile (histogram, 90) / 1000);
  add_double (builder, "p95", lb_latency_histogram_get_percentile (histogram, 95) / 1000);
  add_double (builder, "p99", lb_latency_histogram_get_percentile (histogram, 99) / 1000);
  add_double (builder, "p999", lb_latency_histogram_get_percentile (histogram, 99.9) / 1000);
  add_double (builder, "max", (double) lb_latency_histogram_get_max (histogram) / 1000);
  json_builder_end_object (builder);
}

static void
add_histogram (JsonBuilder              *builder,
               const char               *name,
               const LbLatencyHistogram *histogram)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_value (builder, lb_latency_histogram_to_json (histogram));
}

/* Clients asked and connected, and the time none was: absent from older
 * records, which then read as 0 (unknown). */
static void
add_connection_figures (JsonBuilder       *builder,
                        const LbRunResult *r)
{
  add_int (builder, "clients_asked", r->clients_asked);
  add_int (builder, "clients_connected_max", r->clients_connected_max);
  add_int (builder, "clients_never_connected", r->clients_never_connected);
  add_int (builder, "connection_failures", (gint64) r->connection_failures);
  add_double (builder, "seconds_without_connection", r->seconds_without_connection);
  add_double (builder, "tps_while_connected", r->tps_while_connected);
  add_double (builder, "connections_open_time", r->connections_open_time);
  add_double (builder, "teardown_time", r->teardown_time);
}

static gboolean
read_connection_figures (JsonObject   *object,
                         LbRunResult  *r,
                         GError      **error)
{
  return lb_run_json_read_uint (object, "record", "clients_asked", FALSE, &r->clients_asked, error)
         && lb_run_json_read_uint (object, "record", "clients_connected_max", FALSE,
                                   &r->clients_connected_max, error)
         && lb_run_json_read_uint (object, "record", "clients_never_connected", FALSE,
                                   &r->clients_never_connected, error)
         && lb_run_json_read_uint64 (object, "record", "connection_failures", FALSE, G_MAXINT64,
                                     &r->connection_failures, error)
         && lb_run_json_read_double (object, "record", "seconds_without_connection", FALSE,
                                     &r->seconds_without_connection, error)
         && lb_run_json_read_double (object, "record", "tps_while_connected", FALSE,
                                     &r->tps_while_connected, error)
         && lb_run_json_read_double (object, "record", "connections_open_time", FALSE,
                                     &r->connections_open_time, error)
         && lb_run_json_read_double (object, "record", "teardown_time", FALSE,
                                     &r->teardown_time, error);
}

JsonNode *
lb_run_record_to_json (LbRunRecord *self)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *started = NULL;
  LbRunResult *r;

  g_return_val_if_fail (LB_IS_RUN_RECORD (self), NULL);

  r = self->result;
  started = g_date_time_format_iso8601 (self->started);
  builder = json_builder_new ();
  json_builder_begin_object (builder);

  add_string (builder, "id", self->id);
  add_string (builder, "started", started);
  json_builder_set_member_name (builder, "script");
  json_builder_begin_object (builder);
  add_string (builder, "name", self->script_name);
  add_string (builder, "path", self->script_path);
  if (self->script_dialect != NULL)
    add_string (builder, "dialect", self->script_dialect);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "cancelled");
  json_builder_add_boolean_value (builder, r->cancelled);
  add_int (builder, "transactions", (gint64) r->transactions);
  add_int (builder, "failed", (gint64) r->failed);
  add_int (builder, "skipped", (gint64) r->skipped);
  add_int (builder, "reconnects", (gint64) r->reconnects);
  add_int (builder, "retried", (gint64) r->retried);
  add_int (builder, "retries", (gint64) r->retries);
  add_int (builder, "aborted_clients", (gint64) r->aborted_clients);
  add_double (builder, "tps", r->tps);
  add_double (builder, "duration", r->duration);
  add_double (builder, "connection_time", r->connection_time);
  add_double (builder, "client_cpu_time", r->client_cpu_time);
  add_int (builder, "seed", (gint64) r->seed);
  add_string (builder, "server_version", r->server_version);
  add_connection_figures (builder, r);
  add_latency_ms (builder, "latency_ms", r->latency);
  if (lb_latency_histogram_get_count (r->lag) > 0)
    add_latency_ms (builder, "lag_ms", r->lag);

  json_builder_set_member_name (builder, "queries");
  json_builder_begin_array (builder);
  for (guint i = 0; i < r->queries->len; i++)
    {
      const LbQueryStats *q = g_ptr_array_index (r->queries, i);

      json_builder_begin_object (builder);
      add_int (builder, "index", q->index);
      add_string (builder, "name", q->name != NULL ? q->name : "");
      add_string (builder, "sql", q->sql);
      add_int (builder, "executions", (gint64) q->executions);
      add_int (builder, "failed", (gint64) q->failed);
      if (q->latency != NULL)
        {
          add_latency_ms (builder, "latency_ms", q->latency);
          add_histogram (builder, "histogram", q->latency);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "errors");
  json_builder_begin_array (builder);
  for (guint i = 0; i < r->errors->len; i++)
    {
      const LbErrorStats *e = g_ptr_array_index (r->errors, i);

      json_builder_begin_object (builder);
      add_string (builder, "sqlstate", e->sqlstate);
      add_int (builder, "count", (gint64) e->count);
      add_string (builder, "message", e->message != NULL ? e->message : "");
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "timeline");
  json_builder_begin_array (builder);
  for (guint i = 0; i < r->timeline->len; i++)
    {
      const LbRunSample *s = &g_array_index (r->timeline, LbRunSample, i);

      json_builder_begin_object (builder);
      add_double (builder, "t", s->t);
      add_double (builder, "interval", s->interval);
      add_int (builder, "clients", s->clients);
      add_int (builder, "clients_connected", s->clients_connected);
      add_double (builder, "tps", s->tps);
      add_double (builder, "latency_mean_ms", s->latency_mean_ms);
      add_double (builder, "latency_stddev_ms", s->latency_stddev_ms);
      add_double (builder, "p50_ms", s->p50_ms);
      add_double (builder, "p95_ms", s->p95_ms);
      add_double (builder, "p99_ms", s->p99_ms);
      add_double (builder, "max_ms", s->max_ms);
      add_double (builder, "lag_mean_ms", s->lag_mean_ms);
      add_int (builder, "transactions", (gint64) s->transactions);
      add_int (builder, "failed", (gint64) s->failed);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "ladder");
  json_builder_begin_array (builder);
  for (guint i = 0; i < r->ladder->len; i++)
    {
      const LbLadderStep *step = &g_array_index (r->ladder, LbLadderStep, i);

      json_builder_begin_object (builder);
      add_int (builder, "clients", step->clients);
      add_double (builder, "tps", step->tps);
      add_double (builder, "latency_mean_ms", step->latency_mean_ms);
      add_double (builder, "p50_ms", step->p50_ms);
      add_double (builder, "p95_ms", step->p95_ms);
      add_double (builder, "p99_ms", step->p99_ms);
      add_int (builder, "transactions", (gint64) step->transactions);
      add_int (builder, "failed", (gint64) step->failed);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  add_int (builder, "knee_clients", r->knee_clients);

  json_builder_set_member_name (builder, "settings");
  json_builder_add_value (builder, lb_run_settings_to_json (self->settings));
  add_histogram (builder, "histogram", r->latency);
  add_histogram (builder, "lag_histogram", r->lag);
  _lb_run_record_server_to_json (self, builder);
  _lb_run_record_remote_to_json (self, builder);

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

char *
lb_run_record_to_json_string (LbRunRecord *self)
{
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (LB_IS_RUN_RECORD (self), NULL);

  root = lb_run_record_to_json (self);
  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);

  /* Files end with a newline, as text files do. */
  return g_strconcat (text, "\n", NULL);
}

static LbLatencyHistogram *
read_histogram (JsonObject  *object,
                const char  *where,
                const char  *name,
                GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);
  g_autoptr(GError) local_error = NULL;
  LbLatencyHistogram *histogram;

  if (node == NULL)
    return lb_latency_histogram_new ();

  histogram = lb_latency_histogram_new_from_json (node, &local_error);
  if (histogram == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 _("In the run record’s %s, “%s” is not valid: %s"), where, name, local_error->message);

  return histogram;
}

static gboolean
read_result_lists (JsonObject   *object,
                   LbRunResult  *r,
                   GError      **error)
{
  JsonArray *queries, *errors, *timeline, *ladder;

  if ((queries = lb_run_json_read_array (object, "record", "queries", FALSE, error)) == NULL
      || (errors = lb_run_json_read_array (object, "record", "errors", FALSE, error)) == NULL
      || (timeline = lb_run_json_read_array (object, "record", "timeline", FALSE, error)) == NULL
      || (ladder = lb_run_json_read_array (object, "record", "ladder", FALSE, error)) == NULL)
    return FALSE;

  for (guint i = 0; i < json_array_get_length (queries); i++)
    {
      JsonObject *q = lb_run_json_element_object (queries, i, "queries", error);
      LbQueryStats *stats;
      const char *name = NULL, *sql = NULL;

      if (q == NULL)
        return FALSE;

      stats = g_new0 (LbQueryStats, 1);
      stats->index = i;
      g_ptr_array_add (r->queries, stats);
      if (!lb_run_json_read_string (q, "queries", "name", TRUE, &name, error)
          || !lb_run_json_read_uint64 (q, "queries", "executions", TRUE, G_MAXINT64, &stats->executions, error)
          || !lb_run_json_read_uint64 (q, "queries", "failed", TRUE, G_MAXINT64, &stats->failed, error)
          || !lb_run_json_read_uint (q, "queries", "index", FALSE, &stats->index, error))
        return FALSE;
      if (json_object_has_member (q, "sql") && !json_object_get_null_member (q, "sql")
          && !lb_run_json_read_string (q, "queries", "sql", TRUE, &sql, error))
        return FALSE;
      stats->name = g_strdup (name);
      stats->sql = g_strdup (sql);
      stats->latency = read_histogram (q, "queries", "histogram", error);
      if (stats->latency == NULL)
        return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (errors); i++)
    {
      JsonObject *e = lb_run_json_element_object (errors, i, "errors", error);
      LbErrorStats *stats;
      const char *sqlstate = NULL, *message = NULL;

      if (e == NULL)
        return FALSE;

      stats = g_new0 (LbErrorStats, 1);
      g_ptr_array_add (r->errors, stats);
      if (!lb_run_json_read_string (e, "errors", "sqlstate", TRUE, &sqlstate, error)
          || !lb_run_json_read_uint64 (e, "errors", "count", TRUE, G_MAXINT64, &stats->count, error)
          || !lb_run_json_read_string (e, "errors", "message", FALSE, &message, error))
        return FALSE;
      /* "" for the script's own errors */
      if (strlen (sqlstate) != 5 && sqlstate[0] != '\0')
        return lb_run_json_bad_member (error, "errors", "sqlstate", _("a five-character SQLSTATE"));
      g_strlcpy (stats->sqlstate, sqlstate, sizeof stats->sqlstate);
      stats->message = g_strdup (message != NULL ? message : "");
    }

  for (guint i = 0; i < json_array_get_length (timeline); i++)
    {
      JsonObject *s = lb_run_json_element_object (timeline, i, "timeline", error);
      LbRunSample sample = { 0 };

      if (s == NULL
          || !lb_run_json_read_double (s, "timeline", "t", TRUE, &sample.t, error)
          || !lb_run_json_read_double (s, "timeline", "tps", TRUE, &sample.tps, error)
          || !lb_run_json_read_double (s, "timeline", "interval", FALSE, &sample.interval, error)
          || !lb_run_json_read_uint (s, "timeline", "clients", FALSE, &sample.clients, error)
          || !lb_run_json_read_uint (s, "timeline", "clients_connected", FALSE, &sample.clients_connected, error)
          || !lb_run_json_read_double (s, "timeline", "latency_mean_ms", FALSE, &sample.latency_mean_ms, error)
          || !lb_run_json_read_double (s, "timeline", "latency_stddev_ms", FALSE, &sample.latency_stddev_ms, error)
          || !lb_run_json_read_double (s, "timeline", "p50_ms", FALSE, &sample.p50_ms, error)
          || !lb_run_json_read_double (s, "timeline", "p95_ms", FALSE, &sample.p95_ms, error)
          || !lb_run_json_read_double (s, "timeline", "p99_ms", FALSE, &sample.p99_ms, error)
          || !lb_run_json_read_double (s, "timeline", "max_ms", FALSE, &sample.max_ms, error)
          || !lb_run_json_read_double (s, "timeline", "lag_mean_ms", FALSE, &sample.lag_mean_ms, error)
          || !lb_run_json_read_uint64 (s, "timeline", "transactions", FALSE, G_MAXINT64, &sample.transactions, error)
          || !lb_run_json_read_uint64 (s, "timeline", "failed", FALSE, G_MAXINT64, &sample.failed, error))
        return FALSE;
      g_array_append_val (r->timeline, sample);
    }

  for (guint i = 0; i < json_array_get_length (ladder); i++)
    {
      JsonObject *s = lb_run_json_element_object (ladder, i, "ladder", error);
      LbLadderStep step = { 0 };

      if (s == NULL
          || !lb_run_json_read_uint (s, "ladder", "clients", TRUE, &step.clients, error)
          || !lb_run_json_read_double (s, "ladder", "tps", TRUE, &step.tps, error)
          || !lb_run_json_read_double (s, "ladder", "latency_mean_ms", FALSE, &step.latency_mean_ms, error)
          || !lb_run_json_read_double (s, "ladder", "p50_ms", FALSE, &step.p50_ms, error)
          || !lb_run_json_read_double (s, "ladder", "p95_ms", FALSE, &step.p95_ms, error)
          || !lb_run_json_read_double (s, "ladder", "p99_ms", FALSE, &step.p99_ms, error)
          || !lb_run_json_read_uint64 (s, "ladder", "transactions", FALSE, G_MAXINT64, &step.transactions, error)
          || !lb_run_json_read_uint64 (s, "ladder", "failed", FALSE, G_MAXINT64, &step.failed, error))
        return FALSE;
      g_array_append_val (r->ladder, step);
    }

  return TRUE;
}

LbRunRecord *
lb_run_record_new_from_json (JsonNode  *node,
                             GError   **error)
{
  g_autoptr(LbRunRecord) self = NULL;
  g_autoptr(LbRunResult) r = NULL;
  g_autoptr(LbRunSettings) settings = NULL;
  JsonObject *object, *script;
  JsonNode *settings_node, *script_node, *seed_node;
  const char *id = NULL, *started = NULL, *server_version = NULL;
  const char *script_name = NULL, *script_path = NULL, *script_dialect = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* NULL is what JsonParser gives for an empty or all-blank file. */
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The run record is not a JSON object"));
      return NULL;
    }
  object = json_node_get_object (node);

  self = g_object_new (LB_TYPE_RUN_RECORD, NULL);
  r = lb_run_result_new ();

  if (!lb_run_json_read_string (object, "record", "id", TRUE, &id, error)
      || !lb_run_json_read_string (object, "record", "started", TRUE, &started, error))
    return NULL;
  if (!is_valid_id (id))
    {
      lb_run_json_bad_member (error, "record", "id", _("made of letters, digits, “-”, “_” and “.”"));
      return NULL;
    }
  self->id = g_strdup (id);
  self->started = g_date_time_new_from_iso8601 (started, NULL);
  if (self->started == NULL)
    {
      lb_run_json_bad_member (error, "record", "started", _("an ISO 8601 date and time"));
      return NULL;
    }

  script_node = json_object_get_member (object, "script");
  if (script_node != NULL)
    {
      if (!JSON_NODE_HOLDS_OBJECT (script_node))
        {
          lb_run_json_bad_member (error, "record", "script", _("an object"));
          return NULL;
        }
      script = json_node_get_object (script_node);
      if (!lb_run_json_read_string (script, "script", "name", FALSE, &script_name, error))
        return NULL;
      if (json_object_has_member (script, "path") && !json_object_get_null_member (script, "path")
          && !lb_run_json_read_string (script, "script", "path", TRUE, &script_path, error))
        return NULL;
      /* Optional: records of older versions have none. */
      if (!lb_run_json_read_string (script, "script", "dialect", FALSE, &script_dialect, error))
        return NULL;
    }
  self->script_name = g_strdup (script_name != NULL ? script_name : "");
  self->script_path = g_strdup (script_path);
  /* A dialect this version does not know is read as detected. */
  {
    LbSqlDialect known;

    if (script_dialect != NULL && lb_sql_dialect_from_string (script_dialect, &known))
      self->script_dialect = g_strdup (lb_sql_dialect_to_string (known));
  }

  settings_node = json_object_get_member (object, "settings");
  if (settings_node == NULL)
    {
      lb_run_json_bad_member (error, "record", "settings", _("an object"));
      return NULL;
    }
  settings = lb_run_settings_new_from_json (settings_node, error);
  if (settings == NULL)
    return NULL;

  if (!lb_run_json_read_boolean (object, "record", "cancelled", &r->cancelled, error)
      || !lb_run_json_read_uint64 (object, "record", "transactions", TRUE, G_MAXINT64, &r->transactions, error)
      || !lb_run_json_read_uint64 (object, "record", "failed", TRUE, G_MAXINT64, &r->failed, error)
      || !lb_run_json_read_uint64 (object, "record", "skipped", FALSE, G_MAXINT64, &r->skipped, error)
      || !lb_run_json_read_uint64 (object, "record", "reconnects", FALSE, G_MAXINT64, &r->reconnects, error)
      || !lb_run_json_read_uint64 (object, "record", "retried", FALSE, G_MAXINT64, &r->retried, error)
      || !lb_run_json_read_uint64 (object, "record", "retries", FALSE, G_MAXINT64, &r->retries, error)
      || !lb_run_json_read_uint (object, "record", "aborted_clients", FALSE, &r->aborted_clients, error)
      || !lb_run_json_read_double (object, "record", "tps", TRUE, &r->tps, error)
      || !lb_run_json_read_double (object, "record", "duration", FALSE, &r->duration, error)
      || !lb_run_json_read_double (object, "record", "connection_time", FALSE, &r->connection_time, error)
      || !lb_run_json_read_double (object, "record", "client_cpu_time", FALSE, &r->client_cpu_time, error)
      || !lb_run_json_read_uint (object, "record", "knee_clients", FALSE, &r->knee_clients, error)
      || !read_connection_figures (object, r, error))
    return NULL;

  seed_node = json_object_get_member (object, "seed");
  if (seed_node != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (seed_node) || json_node_get_value_type (seed_node) != G_TYPE_INT64)
        {
          lb_run_json_bad_member (error, "record", "seed", _("an integer"));
          return NULL;
        }
      r->seed = (guint64) json_node_get_int (seed_node);
    }

  if (json_object_has_member (object, "server_version")
      && !json_object_get_null_member (object, "server_version"))
    {
      if (!lb_run_json_read_string (object, "record", "server_version", TRUE, &server_version, error))
        return NULL;
      r->server_version = g_strdup (server_version);
    }

  g_clear_pointer (&r->latency, lb_latency_histogram_free);
  r->latency = read_histogram (object, "record", "histogram", error);
  if (r->latency == NULL)
    return NULL;
  g_clear_pointer (&r->lag, lb_latency_histogram_free);
  r->lag = read_histogram (object, "record", "lag_histogram", error);
  if (r->lag == NULL)
    return NULL;

  if (!read_result_lists (object, r, error))
    return NULL;
  if (!_lb_run_record_server_from_json (self, object, error))
    return NULL;
  if (!_lb_run_record_remote_from_json (self, object, error))
    return NULL;

  self->settings = g_steal_pointer (&settings);
  self->result = g_steal_pointer (&r);

  return g_steal_pointer (&self);
}
