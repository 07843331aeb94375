/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The remote runners' live and final files, validated into
 * LbRemoteWorkerStatus, and LbRemoteMerge (lb-remote-samples.h). */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-remote-samples.h"

/* A runner keeps its last 60 seconds in the live file and every second in
 * the final one; a week of seconds is more than any run asks for. */
#define MAX_SAMPLES (7 * 24 * 3600)
#define MAX_GAP     3600

static const char * const state_names[] = {
  "starting", "installing", "connecting", "warmup", "running", "done", "failed", "cancelled",
};

const char *
lb_remote_worker_state_to_string (LbRemoteWorkerState state)
{
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (state_names), NULL);

  return state_names[state];
}

gboolean
lb_remote_worker_state_from_string (const char          *text,
                                    LbRemoteWorkerState *state)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (state_names); i++)
    if (g_str_equal (text, state_names[i]))
      {
        *state = (LbRemoteWorkerState) i;
        return TRUE;
      }
  return FALSE;
}

gboolean
lb_remote_worker_state_is_over (LbRemoteWorkerState state)
{
  return state == LB_REMOTE_WORKER_DONE || state == LB_REMOTE_WORKER_FAILED
         || state == LB_REMOTE_WORKER_CANCELLED;
}

char *
lb_remote_samples_file_name (guint            worker,
                             LbRemoteFileKind kind)
{
  return g_strdup_printf (kind == LB_REMOTE_FILE_FINAL ? "w%u.final.json" : "w%u.json", worker);
}

/* ---- Worker status ---- */

static void
sample_clear (gpointer data)
{
  LbRemoteSample *sample = data;

  g_clear_pointer (&sample->latency, lb_latency_histogram_free);
}

static void
error_stats_free (gpointer data)
{
  LbErrorStats *stats = data;

  g_free (stats->message);
  g_free (stats);
}

static LbRemoteWorkerStatus *
status_new (void)
{
  LbRemoteWorkerStatus *self = g_new0 (LbRemoteWorkerStatus, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->samples = g_array_new (FALSE, TRUE, sizeof (LbRemoteSample));
  g_array_set_clear_func (self->samples, sample_clear);
  self->errors = g_ptr_array_new_with_free_func (error_stats_free);
  return self;
}

G_DEFINE_BOXED_TYPE (LbRemoteWorkerStatus, lb_remote_worker_status,
                     lb_remote_worker_status_ref, lb_remote_worker_status_unref)

LbRemoteWorkerStatus *
lb_remote_worker_status_ref (LbRemoteWorkerStatus *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
lb_remote_worker_status_unref (LbRemoteWorkerStatus *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->message);
  g_free (self->error);
  g_free (self->log_tail);
  g_free (self->pgbench_version);
  g_clear_pointer (&self->samples, g_array_unref);
  g_clear_pointer (&self->latency, lb_latency_histogram_free);
  g_clear_pointer (&self->errors, g_ptr_array_unref);
  g_free (self);
}

static gboolean
bad_member (GError     **error,
            const char  *where,
            const char  *name,
            const char  *expected)
{
  /* TRANSLATORS: "In the worker’s sample, “t” is missing or not a non-negative integer" */
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               _("In the worker’s %s, “%s” is missing or not %s"), where, name, expected);
  return FALSE;
}

static gboolean
read_uint64 (JsonObject  *object,
             const char  *where,
             const char  *name,
             gboolean     required,
             guint64      max,
             guint64     *value,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL && !required)
    return TRUE;
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64
      || json_node_get_int (node) < 0
      || (guint64) json_node_get_int (node) > max)
    return bad_member (error, where, name, _("a non-negative integer"));

  *value = (guint64) json_node_get_int (node);
  return TRUE;
}

static gboolean
read_uint (JsonObject  *object,
           const char  *where,
           const char  *name,
           gboolean     required,
           guint       *value,
           GError     **error)
{
  guint64 wide = *value;

  if (!read_uint64 (object, where, name, required, G_MAXINT32, &wide, error))
    return FALSE;
  *value = (guint) wide;
  return TRUE;
}

/* A finite number >= 0 (an integer is fine). */
static gboolean
read_double (JsonObject  *object,
             const char  *where,
             const char  *name,
             gboolean     required,
             double      *value,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);
  double number;

  if (node == NULL && !required)
    return TRUE;
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return bad_member (error, where, name, _("a non-negative number"));
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    number = (double) json_node_get_int (node);
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    number = json_node_get_double (node);
  else
    return bad_member (error, where, name, _("a non-negative number"));
  if (!isfinite (number) || number < 0)
    return bad_member (error, where, name, _("a non-negative number"));

  *value = number;
  return TRUE;
}

/* A string, or (when @nullable) null or absent: *@value stays NULL then. */
static gboolean
read_string (JsonObject   *object,
             const char   *where,
             const char   *name,
             gboolean      nullable,
             const char  **value,
             GError      **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (nullable && (node == NULL || JSON_NODE_HOLDS_NULL (node)))
    return TRUE;
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return bad_member (error, where, name, _("a string"));

  *value = json_node_get_string (node);
  return TRUE;
}

static gboolean
read_boolean (JsonObject  *object,
              const char  *where,
              const char  *name,
              gboolean    *value,
              GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return bad_member (error, where, name, _("true or false"));

  *value = json_node_get_boolean (node);
  return TRUE;
}

static LbLatencyHistogram *
read_histogram (JsonObject  *object,
                const char  *where,
                GError     **error)
{
  JsonNode *node = json_object_get_member (object, "latency");
  g_autoptr(GError) local_error = NULL;
  LbLatencyHistogram *histogram;

  if (node == NULL)
    {
      bad_member (error, where, "latency", _("a latency histogram"));
      return NULL;
    }
  histogram = lb_latency_histogram_new_from_json (node, &local_error);
  if (histogram == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 /* TRANSLATORS: "In the worker’s sample: The latency histogram’s …" */
                 _("In the worker’s %s: %s"), where, local_error->message);
  return histogram;
}

static gboolean
read_samples (JsonObject            *object,
              LbRemoteWorkerStatus  *self,
              GError               **error)
{
  JsonNode *node = json_object_get_member (object, "samples");
  JsonArray *array;
  guint n;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return bad_member (error, "file", "samples", _("an array"));
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n > MAX_SAMPLES)
    return bad_member (error, "file", "samples", _("an array of at most a week of seconds"));

  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *sample_object;
      LbRemoteSample sample = { 0, 1.0, 0, 0, 0, FALSE, 0, NULL };
      guint64 t = 0;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("Sample %u of the worker’s file is not an object"), i + 1);
          return FALSE;
        }
      sample_object = json_node_get_object (element);
      if (!read_uint64 (sample_object, "sample", "t", TRUE, G_MAXINT64, &t, error)
          || !read_double (sample_object, "sample", "interval", FALSE, &sample.interval, error)
          || !read_uint64 (sample_object, "sample", "transactions", TRUE, G_MAXINT64, &sample.transactions, error)
          || !read_uint64 (sample_object, "sample", "failed", FALSE, G_MAXINT64, &sample.failed, error)
          || !read_uint64 (sample_object, "sample", "skipped", FALSE, G_MAXINT64, &sample.skipped, error)
          || !read_boolean (sample_object, "sample", "warmup", &sample.warmup, error)
          || !read_uint64 (sample_object, "sample", "lag_us_sum", FALSE, G_MAXINT64, &sample.lag_us_sum, error))
        return FALSE;
      if (!(sample.interval > 0 && sample.interval <= 3600))
        return bad_member (error, "sample", "interval", _("a length in seconds"));
      sample.t = (gint64) t;
      if (self->samples->len > 0
          && g_array_index (self->samples, LbRemoteSample, self->samples->len - 1).t >= sample.t)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("Sample %u of the worker’s file is not later than the one before it"), i + 1);
          return FALSE;
        }
      sample.latency = read_histogram (sample_object, "sample", error);
      if (sample.latency == NULL)
        return FALSE;
      g_array_append_val (self->samples, sample);
    }
  return TRUE;
}

static gboolean
read_errors (JsonObject            *object,
             LbRemoteWorkerStatus  *self,
             GError               **error)
{
  JsonNode *node = json_object_get_member (object, "errors");
  JsonArray *array;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return bad_member (error, "file", "errors", _("an array"));
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *entry;
      const char *sqlstate = "", *message = NULL;
      guint64 count = 0;
      LbErrorStats *stats;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return bad_member (error, "file", "errors", _("an array of objects"));
      entry = json_node_get_object (element);
      if (!read_string (entry, "error", "sqlstate", TRUE, &sqlstate, error)
          || !read_string (entry, "error", "message", FALSE, &message, error)
          || !read_uint64 (entry, "error", "count", TRUE, G_MAXINT64, &count, error))
        return FALSE;
      if (strlen (sqlstate) > 5)
        return bad_member (error, "error", "sqlstate", _("a SQLSTATE"));
      stats = g_new0 (LbErrorStats, 1);
      g_strlcpy (stats->sqlstate, sqlstate, sizeof stats->sqlstate);
      stats->count = count;
      stats->message = g_strdup (message);
      g_ptr_array_add (self->errors, stats);
    }
  return TRUE;
}

LbRemoteWorkerStatus *
lb_remote_worker_status_new_from_json (JsonNode          *node,
                                       LbRemoteFileKind   kind,
                                       GError           **error)
{
  g_autoptr(LbRemoteWorkerStatus) self = NULL;
  JsonObject *object;
  guint64 version = 0;
  const char *state = NULL, *message = NULL, *pgbench = NULL, *error_text = NULL, *log_tail = NULL;
  const char *clients_name = kind == LB_REMOTE_FILE_FINAL ? "clients_asked" : "clients";

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The worker’s file is not a JSON object"));
      return NULL;
    }
  object = json_node_get_object (node);
  self = status_new ();
  self->kind = kind;

  if (!read_uint64 (object, "file", "version", TRUE, G_MAXINT32, &version, error))
    return NULL;
  if (version != 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The worker’s file is of version %u, which this version of the app cannot read"),
                   (guint) version);
      return NULL;
    }

  if (!read_uint (object, "file", "worker", TRUE, &self->worker, error)
      || !read_string (object, "file", "state", FALSE, &state, error)
      || !read_string (object, "file", "message", TRUE, &message, error)
      || !read_string (object, "file", "pgbench", TRUE, &pgbench, error)
      || !read_uint (object, "file", clients_name, TRUE, &self->clients, error)
      || !read_double (object, "file", "updated", kind == LB_REMOTE_FILE_LIVE, &self->updated, error))
    return NULL;
  if (!lb_remote_worker_state_from_string (state, &self->state)
      || (kind == LB_REMOTE_FILE_FINAL && !lb_remote_worker_state_is_over (self->state)))
    {
      bad_member (error, "file", "state",
                  kind == LB_REMOTE_FILE_FINAL ? _("“done”, “failed” or “cancelled”") : _("a worker state"));
      return NULL;
    }
  self->message = g_strdup (message != NULL ? message : "");
  self->pgbench_version = g_strdup (pgbench);

  if (kind == LB_REMOTE_FILE_FINAL)
    {
      if (!read_string (object, "file", "error", TRUE, &error_text, error)
          || !read_string (object, "file", "log_tail", TRUE, &log_tail, error)
          || !read_uint (object, "file", "clients_connected", TRUE, &self->clients_connected, error)
          || !read_uint64 (object, "file", "transactions", TRUE, G_MAXINT64, &self->transactions, error)
          || !read_uint64 (object, "file", "failed", TRUE, G_MAXINT64, &self->failed, error)
          || !read_uint64 (object, "file", "skipped", FALSE, G_MAXINT64, &self->skipped, error)
          || !read_double (object, "file", "duration", TRUE, &self->duration, error)
          || !read_double (object, "file", "tps", TRUE, &self->tps, error)
          || !read_double (object, "file", "connection_time", FALSE, &self->connection_time, error)
          || !read_double (object, "file", "latency_average_ms", FALSE, &self->latency_average_ms, error)
          || !read_double (object, "file", "cpu_seconds", FALSE, &self->cpu_seconds, error)
          || !read_uint (object, "file", "cores", FALSE, &self->cores, error)
          || !read_double (object, "file", "tps_per_core", FALSE, &self->tps_per_core, error)
          || !read_uint (object, "file", "credentials_minted", FALSE, &self->credentials_minted, error)
          || !read_errors (object, self, error))
        return NULL;
      if (self->clients_connected > self->clients)
        {
          bad_member (error, "file", "clients_connected", _("at most the clients asked"));
          return NULL;
        }
      self->error = error_text != NULL && *error_text != '\0' ? g_strdup (error_text) : NULL;
      self->log_tail = g_strdup (log_tail);
      self->latency = read_histogram (object, "file", error);
      if (self->latency == NULL)
        return NULL;
    }

  if (!read_samples (object, self, error))
    return NULL;

  return g_steal_pointer (&self);
}

LbRemoteWorkerStatus *
lb_remote_worker_status_new_from_bytes (GBytes            *bytes,
                                        LbRemoteFileKind   kind,
                                        GError           **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  gsize size;
  const char *data;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (bytes, &size);
  if (size == 0 || !json_parser_load_from_data (parser, data, (gssize) size, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The worker’s file is not JSON: %s"),
                   local_error != NULL ? local_error->message : _("it is empty"));
      return NULL;
    }
  return lb_remote_worker_status_new_from_json (json_parser_get_root (parser), kind, error);
}

/* ---- Rows ---- */

static void
fill_row_latency (LbRemoteWorkerRow        *row,
                  const LbLatencyHistogram *latency)
{
  row->latency_mean_ms = lb_latency_histogram_get_mean (latency) / 1000.0;
  row->p50_ms = lb_latency_histogram_get_percentile (latency, 50) / 1000.0;
  row->p95_ms = lb_latency_histogram_get_percentile (latency, 95) / 1000.0;
  row->p99_ms = lb_latency_histogram_get_percentile (latency, 99) / 1000.0;
}

/* The measured seconds of @status summed: a live file's only totals. */
static void
sum_samples (const LbRemoteWorkerStatus *status,
             LbLatencyHistogram         *latency,
             guint64                    *transactions,
             guint64                    *failed,
             guint64                    *skipped,
             double                     *duration)
{
  for (guint i = 0; i < status->samples->len; i++)
    {
      const LbRemoteSample *sample = &g_array_index (status->samples, LbRemoteSample, i);

      if (sample->warmup)
        continue;
      lb_latency_histogram_merge (latency, sample->latency);
      *transactions += sample->transactions;
      *failed += sample->failed;
      *skipped += sample->skipped;
      *duration += sample->interval;
    }
}

LbRemoteWorkerRow *
lb_remote_worker_row_new_from_status (const LbRemoteWorkerStatus *status)
{
  LbRemoteWorkerRow *row;

  g_return_val_if_fail (status != NULL, NULL);

  row = lb_remote_worker_row_new ();
  row->worker = status->worker;
  row->state = g_strdup (lb_remote_worker_state_to_string (status->state));
  row->clients_asked = status->clients;
  if (status->kind == LB_REMOTE_FILE_FINAL)
    {
      row->error = g_strdup (status->error);
      row->log_tail = g_strdup (status->log_tail);
      row->clients_connected = status->clients_connected;
      row->transactions = status->transactions;
      row->failed = status->failed;
      row->skipped = status->skipped;
      row->duration = status->duration;
      row->tps = status->tps;
      fill_row_latency (row, status->latency);
      if (status->latency_average_ms > 0)
        row->latency_mean_ms = status->latency_average_ms;
      row->cpu_seconds = status->cpu_seconds;
      row->cores = status->cores;
      row->tps_per_core = status->tps_per_core;
      row->credentials_minted = status->credentials_minted;
    }
  else
    {
      g_autoptr(LbLatencyHistogram) latency = lb_latency_histogram_new ();

      sum_samples (status, latency, &row->transactions, &row->failed, &row->skipped, &row->duration);
      row->tps = row->duration > 0 ? (double) row->transactions / row->duration : 0;
      fill_row_latency (row, latency);
      if (status->state == LB_REMOTE_WORKER_FAILED && status->message[0] != '\0')
        row->error = g_strdup (status->message);
    }
  return row;
}

/* ---- The merge ---- */

typedef struct
{
  LbRemoteWorkerStatus *status;      /* the latest fed, or NULL */
  LbRemoteWorkerStatus *final;       /* its final file, once fed */
  gint64                last_t;      /* the latest second taken (G_MININT64: none) */
  /* The measured seconds taken from its files, for a worker that never
   * writes a final file (lost node, cancel before it could). */
  LbLatencyHistogram   *latency;
  guint64               transactions;
  guint64               failed;
  guint64               skipped;
  double                duration;
  GArray               *tps;         /* double, one per emitted sample */
} Worker;

typedef struct
{
  gint64              t;
  LbLatencyHistogram *latency;
  guint64             transactions;
  guint64             failed;
  guint64             lag_us_sum;
  double              interval;
  guint               clients;
  guint64            *worker_transactions;   /* n_workers */
} Second;

struct _LbRemoteMerge
{
  guint       n_workers;
  Worker     *workers;
  double      lateness;
  GTree      *pending;          /* gint64 * t → Second *, not yet emitted */
  gint64      emitted_upto;     /* the last second emitted; G_MININT64: none */
  gint64      first_t;          /* the first measured second emitted */
  GArray     *timeline;         /* LbRunSample, everything emitted */
};

static void
second_free (gpointer data)
{
  Second *second = data;

  lb_latency_histogram_free (second->latency);
  g_free (second->worker_transactions);
  g_free (second);
}

static int
compare_t (gconstpointer a,
           gconstpointer b,
           gpointer      user_data)
{
  gint64 ta = *(const gint64 *) a, tb = *(const gint64 *) b;

  return ta < tb ? -1 : ta > tb;
}

LbRemoteMerge *
lb_remote_merge_new (guint n_workers)
{
  LbRemoteMerge *self;

  g_return_val_if_fail (n_workers >= 1, NULL);

  self = g_new0 (LbRemoteMerge, 1);
  self->n_workers = n_workers;
  self->workers = g_new0 (Worker, n_workers);
  for (guint i = 0; i < n_workers; i++)
    {
      self->workers[i].last_t = G_MININT64;
      self->workers[i].latency = lb_latency_histogram_new ();
      self->workers[i].tps = g_array_new (FALSE, TRUE, sizeof (double));
    }
  self->lateness = LB_REMOTE_MERGE_DEFAULT_LATENESS;
  self->pending = g_tree_new_full (compare_t, NULL, g_free, second_free);
  self->emitted_upto = G_MININT64;
  self->first_t = G_MININT64;
  self->timeline = g_array_new (FALSE, TRUE, sizeof (LbRunSample));
  return self;
}

void
lb_remote_merge_free (LbRemoteMerge *self)
{
  if (self == NULL)
    return;

  for (guint i = 0; i < self->n_workers; i++)
    {
      Worker *worker = &self->workers[i];

      g_clear_pointer (&worker->status, lb_remote_worker_status_unref);
      g_clear_pointer (&worker->final, lb_remote_worker_status_unref);
      lb_latency_histogram_free (worker->latency);
      g_array_unref (worker->tps);
    }
  g_free (self->workers);
  g_tree_destroy (self->pending);
  g_array_unref (self->timeline);
  g_free (self);
}

void
lb_remote_merge_set_lateness (LbRemoteMerge *self,
                              double         seconds)
{
  g_return_if_fail (self != NULL);

  self->lateness = isfinite (seconds) && seconds >= 0 ? seconds : LB_REMOTE_MERGE_DEFAULT_LATENESS;
}

guint
lb_remote_merge_get_n_workers (LbRemoteMerge *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_workers;
}

LbRemoteWorkerStatus *
lb_remote_merge_get_status (LbRemoteMerge *self,
                            guint          worker)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (worker < self->n_workers, NULL);

  return self->workers[worker].final != NULL ? self->workers[worker].final
                                             : self->workers[worker].status;
}

static gboolean
worker_is_over (const Worker *worker)
{
  return worker->final != NULL
         || (worker->status != NULL && lb_remote_worker_state_is_over (worker->status->state));
}

guint
lb_remote_merge_count_over (LbRemoteMerge *self)
{
  guint n = 0;

  g_return_val_if_fail (self != NULL, 0);

  for (guint i = 0; i < self->n_workers; i++)
    n += worker_is_over (&self->workers[i]);
  return n;
}

guint
lb_remote_merge_count_failed (LbRemoteMerge *self)
{
  guint n = 0;

  g_return_val_if_fail (self != NULL, 0);

  for (guint i = 0; i < self->n_workers; i++)
    {
      LbRemoteWorkerStatus *status = lb_remote_merge_get_status (self, i);

      n += status != NULL && status->state == LB_REMOTE_WORKER_FAILED;
    }
  return n;
}

static Second *
lookup_second (LbRemoteMerge *self,
               gint64         t)
{
  Second *second = g_tree_lookup (self->pending, &t);

  if (second == NULL)
    {
      second = g_new0 (Second, 1);
      second->t = t;
      second->latency = lb_latency_histogram_new ();
      second->interval = 1.0;
      second->worker_transactions = g_new0 (guint64, self->n_workers);
      g_tree_insert (self->pending, g_memdup2 (&t, sizeof t), second);
    }
  return second;
}

gboolean
lb_remote_merge_add_status (LbRemoteMerge        *self,
                            LbRemoteWorkerStatus *status)
{
  Worker *worker;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (status != NULL, FALSE);

  if (status->worker >= self->n_workers)
    return FALSE;
  worker = &self->workers[status->worker];

  /* A final file is the last word; a live file read after it (the files
   * are fetched round-robin) is older news. */
  if (worker->final != NULL)
    return TRUE;
  if (status->kind == LB_REMOTE_FILE_FINAL)
    worker->final = lb_remote_worker_status_ref (status);
  g_clear_pointer (&worker->status, lb_remote_worker_status_unref);
  worker->status = lb_remote_worker_status_ref (status);

  for (guint i = 0; i < status->samples->len; i++)
    {
      const LbRemoteSample *sample = &g_array_index (status->samples, LbRemoteSample, i);
      Second *second;

      if (sample->t <= worker->last_t)
        continue;   /* seen in an earlier file */
      worker->last_t = sample->t;
      if (sample->warmup)
        continue;

      lb_latency_histogram_merge (worker->latency, sample->latency);
      worker->transactions += sample->transactions;
      worker->failed += sample->failed;
      worker->skipped += sample->skipped;
      worker->duration += sample->interval;

      if (sample->t <= self->emitted_upto)
        continue;   /* too late for the live chart; the totals have it */
      second = lookup_second (self, sample->t);
      lb_latency_histogram_merge (second->latency, sample->latency);
      second->transactions += sample->transactions;
      second->failed += sample->failed;
      second->lag_us_sum += sample->lag_us_sum;
      second->interval = sample->interval;
      second->clients += status->clients;
      second->worker_transactions[status->worker] += sample->transactions;
    }
  return TRUE;
}

static void
emit_second (LbRemoteMerge *self,
             gint64         t,
             Second        *second)
{
  LbRunSample sample = { 0 };
  double interval = second != NULL ? second->interval : 1.0;

  if (self->first_t == G_MININT64)
    self->first_t = t;
  self->emitted_upto = t;

  sample.t = (double) (t - self->first_t + 1);
  sample.interval = interval;
  if (second != NULL)
    {
      const LbLatencyHistogram *latency = second->latency;

      sample.clients = second->clients;
      sample.clients_connected = second->clients;
      sample.transactions = second->transactions;
      sample.failed = second->failed;
      sample.tps = (double) second->transactions / interval;
      sample.latency_mean_ms = lb_latency_histogram_get_mean (latency) / 1000.0;
      sample.latency_stddev_ms = lb_latency_histogram_get_stddev (latency) / 1000.0;
      sample.p50_ms = lb_latency_histogram_get_percentile (latency, 50) / 1000.0;
      sample.p95_ms = lb_latency_histogram_get_percentile (latency, 95) / 1000.0;
      sample.p99_ms = lb_latency_histogram_get_percentile (latency, 99) / 1000.0;
      sample.max_ms = (double) lb_latency_histogram_get_max (latency) / 1000.0;
      sample.lag_mean_ms = second->transactions > 0
        ? (double) second->lag_us_sum / (double) second->transactions / 1000.0 : 0;
    }
  g_array_append_val (self->timeline, sample);

  for (guint i = 0; i < self->n_workers; i++)
    {
      double tps = second != NULL ? (double) second->worker_transactions[i] / interval : 0;

      g_array_append_val (self->workers[i].tps, tps);
    }
}

/* Whether second @t may go out now. */
static gboolean
is_ready (LbRemoteMerge *self,
          gint64         t,
          double         now)
{
  if (now >= (double) t + self->lateness)
    return TRUE;
  for (guint i = 0; i < self->n_workers; i++)
    {
      const Worker *worker = &self->workers[i];

      if (!worker_is_over (worker) && worker->last_t < t)
        return FALSE;
    }
  return TRUE;
}

GArray *
lb_remote_merge_take_samples (LbRemoteMerge *self,
                              double         now)
{
  guint start;

  g_return_val_if_fail (self != NULL, NULL);

  start = self->timeline->len;
  for (;;)
    {
      GTreeNode *first = g_tree_node_first (self->pending);
      gint64 t;

      if (first == NULL)
        break;
      t = *(gint64 *) g_tree_node_key (first);
      if (!is_ready (self, t, now))
        break;

      /* Seconds in which no worker measured anything are zeros on the
       * chart, not a gap that hides a stall (up to an hour: a clock that
       * jumped is no reason to draw days of zeros). */
      if (self->emitted_upto != G_MININT64 && t - self->emitted_upto <= MAX_GAP)
        for (gint64 gap = self->emitted_upto + 1; gap < t; gap++)
          emit_second (self, gap, NULL);
      emit_second (self, t, g_tree_node_value (first));
      g_tree_remove (self->pending, &t);
    }

  {
    GArray *taken = g_array_sized_new (FALSE, TRUE, sizeof (LbRunSample), self->timeline->len - start);

    if (self->timeline->len > start)
      g_array_append_vals (taken, &g_array_index (self->timeline, LbRunSample, start),
                           self->timeline->len - start);
    return taken;
  }
}

GArray *
lb_remote_merge_get_timeline (LbRemoteMerge *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->timeline;
}

GArray *
lb_remote_merge_get_worker_tps (LbRemoteMerge *self,
                                guint          worker)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (worker < self->n_workers, NULL);

  return self->workers[worker].tps;
}

static int
compare_errors (gconstpointer a,
                gconstpointer b)
{
  const LbErrorStats *ea = *(LbErrorStats * const *) a;
  const LbErrorStats *eb = *(LbErrorStats * const *) b;

  return ea->count < eb->count ? 1 : ea->count > eb->count ? -1 : 0;
}

/* Adds @count of @message to @errors, one entry per (SQLSTATE, message). */
static void
add_error (GPtrArray  *errors,
           const char *sqlstate,
           const char *message,
           guint64     count)
{
  LbErrorStats *stats;

  for (guint i = 0; i < errors->len; i++)
    {
      stats = g_ptr_array_index (errors, i);
      if (g_str_equal (stats->sqlstate, sqlstate) && g_strcmp0 (stats->message, message) == 0)
        {
          stats->count += count;
          return;
        }
    }
  stats = g_new0 (LbErrorStats, 1);
  g_strlcpy (stats->sqlstate, sqlstate, sizeof stats->sqlstate);
  stats->count = count;
  stats->message = g_strdup (message);
  g_ptr_array_add (errors, stats);
}

LbRunResult *
lb_remote_merge_finish (LbRemoteMerge  *self,
                        GPtrArray     **rows)
{
  g_autoptr(GPtrArray) worker_rows = NULL;
  g_autoptr(GPtrArray) failures = NULL;
  g_autoptr(GPtrArray) pgbench_errors = NULL;
  g_autoptr(GArray) rest = NULL;
  LbRunResult *result;

  g_return_val_if_fail (self != NULL, NULL);

  rest = lb_remote_merge_take_samples (self, INFINITY);
  result = lb_run_result_new ();
  worker_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_remote_worker_row_free);
  failures = g_ptr_array_new ();
  pgbench_errors = g_ptr_array_new ();

  for (guint i = 0; i < self->n_workers; i++)
    {
      Worker *worker = &self->workers[i];
      LbRemoteWorkerRow *row;

      if (worker->final != NULL)
        {
          const LbRemoteWorkerStatus *final = worker->final;

          row = lb_remote_worker_row_new_from_status (final);
          lb_latency_histogram_merge (result->latency, final->latency);
          result->connection_time = MAX (result->connection_time, final->connection_time);
          result->client_cpu_time += final->cpu_seconds;
          result->cancelled |= final->state == LB_REMOTE_WORKER_CANCELLED;
          for (guint j = 0; j < final->errors->len; j++)
            g_ptr_array_add (pgbench_errors, g_ptr_array_index (final->errors, j));
        }
      else
        {
          /* No final file: what its live files showed is all there is. */
          row = lb_remote_worker_row_new ();
          row->worker = i;
          row->state = g_strdup (lb_remote_worker_state_to_string (worker->status != NULL ? worker->status->state
                                                                                         : LB_REMOTE_WORKER_STARTING));
          row->clients_asked = worker->status != NULL ? worker->status->clients : 0;
          row->transactions = worker->transactions;
          row->failed = worker->failed;
          row->skipped = worker->skipped;
          row->duration = worker->duration;
          row->tps = worker->duration > 0 ? (double) worker->transactions / worker->duration : 0;
          fill_row_latency (row, worker->latency);
          lb_latency_histogram_merge (result->latency, worker->latency);
          if (worker->status == NULL)
            row->error = g_strdup (_("The worker wrote no file: it may not have started"));
          else if (worker->status->state == LB_REMOTE_WORKER_FAILED && worker->status->message[0] != '\0')
            row->error = g_strdup (worker->status->message);
          else
            row->error = g_strdup (_("The worker stopped without writing its final figures; "
                                     "those shown are from its last live samples"));
        }

      result->transactions += row->transactions;
      result->failed += row->failed;
      result->skipped += row->skipped;
      result->duration = MAX (result->duration, row->duration);
      result->clients_asked += row->clients_asked;
      result->clients_connected_max += row->clients_connected;
      if (row->error != NULL)
        g_ptr_array_add (failures, row);
      g_ptr_array_add (worker_rows, row);
    }

  result->tps = result->duration > 0 ? (double) result->transactions / result->duration : 0;
  result->clients_never_connected = result->clients_asked - MIN (result->clients_asked, result->clients_connected_max);
  result->connections_open_time = result->connection_time;
  result->tps_while_connected = result->tps;
  g_array_append_vals (result->timeline, self->timeline->data, self->timeline->len);

  /* The workers' own failures first: they explain the rest. */
  for (guint i = 0; i < failures->len; i++)
    {
      const LbRemoteWorkerRow *row = g_ptr_array_index (failures, i);
      g_autofree char *message = g_strdup_printf (_("Worker %u: %s"), row->worker, row->error);

      add_error (result->errors, "", message, 1);
    }
  {
    g_autoptr(GPtrArray) merged = g_ptr_array_new_with_free_func (error_stats_free);

    for (guint i = 0; i < pgbench_errors->len; i++)
      {
        const LbErrorStats *stats = g_ptr_array_index (pgbench_errors, i);

        add_error (merged, stats->sqlstate, stats->message, stats->count);
      }
    g_ptr_array_sort (merged, compare_errors);
    for (guint i = 0; i < merged->len; i++)
      g_ptr_array_add (result->errors, g_steal_pointer (&merged->pdata[i]));
    g_ptr_array_set_free_func (merged, NULL);
  }

  if (rows != NULL)
    *rows = g_steal_pointer (&worker_rows);
  return result;
}
