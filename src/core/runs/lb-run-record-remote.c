/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The run record's remote part: a run on Databricks compute keeps one row
 * per worker, the node type, the Jobs run id and the cost. Optional, so
 * local runs and records of older versions load as before. */
#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "lb-remote-samples.h"
#include "lb-run-record-private.h"

LbRemoteWorkerRow *
lb_remote_worker_row_new (void)
{
  return g_new0 (LbRemoteWorkerRow, 1);
}

LbRemoteWorkerRow *
lb_remote_worker_row_copy (const LbRemoteWorkerRow *row)
{
  LbRemoteWorkerRow *copy;

  g_return_val_if_fail (row != NULL, NULL);

  copy = g_memdup2 (row, sizeof *row);
  copy->state = g_strdup (row->state);
  copy->error = g_strdup (row->error);
  copy->log_tail = g_strdup (row->log_tail);
  if (row->tps_timeline != NULL)
    {
      copy->tps_timeline = g_array_sized_new (FALSE, FALSE, sizeof (double), row->tps_timeline->len);
      g_array_append_vals (copy->tps_timeline, row->tps_timeline->data, row->tps_timeline->len);
    }
  return copy;
}

void
lb_remote_worker_row_free (LbRemoteWorkerRow *row)
{
  if (row == NULL)
    return;
  g_free (row->state);
  g_free (row->error);
  g_free (row->log_tail);
  g_clear_pointer (&row->tps_timeline, g_array_unref);
  g_free (row);
}

gboolean
lb_run_record_is_remote (LbRunRecord *self)
{
  g_return_val_if_fail (LB_IS_RUN_RECORD (self), FALSE);

  return self->remote_rows->len > 0;
}

GPtrArray *
lb_run_record_get_remote_rows (LbRunRecord *self)
{
  g_return_val_if_fail (LB_IS_RUN_RECORD (self), NULL);

  return self->remote_rows;
}

const char *
lb_run_record_get_remote_node_type (LbRunRecord *self)
{
  g_return_val_if_fail (LB_IS_RUN_RECORD (self), NULL);

  return self->remote_node_type;
}

gint64
lb_run_record_get_remote_job_run_id (LbRunRecord *self)
{
  g_return_val_if_fail (LB_IS_RUN_RECORD (self), 0);

  return self->remote_job_run_id;
}

double
lb_run_record_get_remote_cost (LbRunRecord *self,
                               double      *dbus)
{
  g_return_val_if_fail (LB_IS_RUN_RECORD (self), 0);

  if (dbus != NULL)
    *dbus = self->remote_dbus;
  return self->remote_cost;
}

void
lb_run_record_set_remote (LbRunRecord *self,
                          GPtrArray   *rows,
                          const char  *node_type,
                          gint64       job_run_id)
{
  g_return_if_fail (LB_IS_RUN_RECORD (self));
  g_return_if_fail (rows != NULL);

  g_ptr_array_ref (rows);
  g_ptr_array_unref (self->remote_rows);
  self->remote_rows = rows;
  g_free (self->remote_node_type);
  self->remote_node_type = node_type != NULL && *node_type != '\0' ? g_strdup (node_type) : NULL;
  self->remote_job_run_id = MAX (job_run_id, 0);
}

void
lb_run_record_set_remote_cost (LbRunRecord *self,
                               double       dbus,
                               double       cost)
{
  g_return_if_fail (LB_IS_RUN_RECORD (self));

  self->remote_dbus = isfinite (dbus) && dbus > 0 ? dbus : 0;
  self->remote_cost = isfinite (cost) && cost > 0 ? cost : 0;
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static void
add_uint (JsonBuilder *builder,
          const char  *name,
          guint64      value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, (gint64) MIN (value, (guint64) G_MAXINT64));
}

static void
add_double (JsonBuilder *builder,
            const char  *name,
            double       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_double_value (builder, lb_run_json_finite_or_zero (value));
}

void
_lb_run_record_remote_to_json (LbRunRecord *self,
                               JsonBuilder *builder)
{
  if (self->remote_rows->len == 0)
    return;

  json_builder_set_member_name (builder, "remote");
  json_builder_begin_object (builder);
  add_uint (builder, "workers", self->remote_rows->len);
  add_string (builder, "node_type", self->remote_node_type);
  if (self->remote_job_run_id > 0)
    add_uint (builder, "job_run_id", (guint64) self->remote_job_run_id);
  if (self->remote_dbus > 0)
    add_double (builder, "dbus", self->remote_dbus);
  if (self->remote_cost > 0)
    add_double (builder, "cost", self->remote_cost);
  json_builder_set_member_name (builder, "rows");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->remote_rows->len; i++)
    {
      const LbRemoteWorkerRow *row = g_ptr_array_index (self->remote_rows, i);

      json_builder_begin_object (builder);
      add_uint (builder, "worker", row->worker);
      add_string (builder, "state", row->state);
      add_string (builder, "error", row->error);
      add_string (builder, "log_tail", row->log_tail);
      add_uint (builder, "clients_asked", row->clients_asked);
      add_uint (builder, "clients_connected", row->clients_connected);
      add_uint (builder, "transactions", row->transactions);
      add_uint (builder, "failed", row->failed);
      add_uint (builder, "skipped", row->skipped);
      add_double (builder, "duration", row->duration);
      add_double (builder, "tps", row->tps);
      add_double (builder, "latency_mean_ms", row->latency_mean_ms);
      add_double (builder, "p50_ms", row->p50_ms);
      add_double (builder, "p95_ms", row->p95_ms);
      add_double (builder, "p99_ms", row->p99_ms);
      add_double (builder, "cpu_seconds", row->cpu_seconds);
      add_uint (builder, "cores", row->cores);
      add_double (builder, "tps_per_core", row->tps_per_core);
      add_uint (builder, "credentials_minted", row->credentials_minted);
      if (row->tps_timeline != NULL)
        {
          json_builder_set_member_name (builder, "tps_timeline");
          json_builder_begin_array (builder);
          for (guint j = 0; j < row->tps_timeline->len; j++)
            json_builder_add_double_value (builder,
                                           lb_run_json_finite_or_zero (g_array_index (row->tps_timeline, double, j)));
          json_builder_end_array (builder);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

/* A double of the record that must be >= 0. */
static gboolean
read_non_negative (JsonObject  *object,
                   const char  *name,
                   double      *value,
                   GError     **error)
{
  if (!lb_run_json_read_double (object, "remote", name, FALSE, value, error))
    return FALSE;
  if (*value < 0)
    return lb_run_json_bad_member (error, "remote", name, _("a non-negative number"));
  return TRUE;
}

static LbRemoteWorkerRow *
row_from_json (JsonObject  *object,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  LbRemoteWorkerRow *row = lb_remote_worker_row_new ();
  const char *state = NULL, *message = NULL, *log_tail = NULL;
  LbRemoteWorkerState parsed;

  if (!lb_run_json_read_uint (object, "remote", "worker", TRUE, &row->worker, &local_error)
      || !lb_run_json_read_string (object, "remote", "state", TRUE, &state, &local_error)
      || !lb_run_json_read_string (object, "remote", "error", FALSE, &message, &local_error)
      || !lb_run_json_read_string (object, "remote", "log_tail", FALSE, &log_tail, &local_error)
      || !lb_run_json_read_uint (object, "remote", "clients_asked", FALSE, &row->clients_asked, &local_error)
      || !lb_run_json_read_uint (object, "remote", "clients_connected", FALSE, &row->clients_connected, &local_error)
      || !lb_run_json_read_uint64 (object, "remote", "transactions", FALSE, G_MAXINT64, &row->transactions, &local_error)
      || !lb_run_json_read_uint64 (object, "remote", "failed", FALSE, G_MAXINT64, &row->failed, &local_error)
      || !lb_run_json_read_uint64 (object, "remote", "skipped", FALSE, G_MAXINT64, &row->skipped, &local_error)
      || !read_non_negative (object, "duration", &row->duration, &local_error)
      || !read_non_negative (object, "tps", &row->tps, &local_error)
      || !read_non_negative (object, "latency_mean_ms", &row->latency_mean_ms, &local_error)
      || !read_non_negative (object, "p50_ms", &row->p50_ms, &local_error)
      || !read_non_negative (object, "p95_ms", &row->p95_ms, &local_error)
      || !read_non_negative (object, "p99_ms", &row->p99_ms, &local_error)
      || !read_non_negative (object, "cpu_seconds", &row->cpu_seconds, &local_error)
      || !lb_run_json_read_uint (object, "remote", "cores", FALSE, &row->cores, &local_error)
      || !read_non_negative (object, "tps_per_core", &row->tps_per_core, &local_error)
      || !lb_run_json_read_uint (object, "remote", "credentials_minted", FALSE, &row->credentials_minted, &local_error))
    {
      lb_remote_worker_row_free (row);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (!lb_remote_worker_state_from_string (state, &parsed))
    {
      lb_remote_worker_row_free (row);
      lb_run_json_bad_member (error, "remote", "state", _("a worker state"));
      return NULL;
    }
  if (json_object_has_member (object, "tps_timeline"))
    {
      JsonArray *tps = lb_run_json_read_array (object, "remote", "tps_timeline", TRUE, error);

      if (tps == NULL)
        {
          lb_remote_worker_row_free (row);
          return NULL;
        }
      row->tps_timeline = g_array_sized_new (FALSE, FALSE, sizeof (double), json_array_get_length (tps));
      for (guint i = 0; i < json_array_get_length (tps); i++)
        {
          JsonNode *element = json_array_get_element (tps, i);
          double value;

          if (!JSON_NODE_HOLDS_VALUE (element) ||
              (json_node_get_value_type (element) != G_TYPE_DOUBLE &&
               json_node_get_value_type (element) != G_TYPE_INT64) ||
              !isfinite (value = json_node_get_double (element)) || value < 0)
            {
              lb_remote_worker_row_free (row);
              lb_run_json_bad_member (error, "remote", "tps_timeline", _("a list of non-negative numbers"));
              return NULL;
            }
          g_array_append_val (row->tps_timeline, value);
        }
    }
  row->state = g_strdup (state);
  row->error = g_strdup (message);
  row->log_tail = g_strdup (log_tail);
  return row;
}

gboolean
_lb_run_record_remote_from_json (LbRunRecord  *self,
                                 JsonObject   *object,
                                 GError      **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  JsonNode *node = json_object_get_member (object, "remote");
  JsonObject *remote;
  JsonArray *array;
  const char *node_type = NULL;
  guint64 job_run_id = 0;
  double dbus = 0, cost = 0;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return lb_run_json_bad_member (error, "record", "remote", _("an object"));
  remote = json_node_get_object (node);

  if (!lb_run_json_read_string (remote, "remote", "node_type", FALSE, &node_type, error)
      || !lb_run_json_read_uint64 (remote, "remote", "job_run_id", FALSE, G_MAXINT64, &job_run_id, error)
      || !read_non_negative (remote, "dbus", &dbus, error)
      || !read_non_negative (remote, "cost", &cost, error))
    return FALSE;
  array = lb_run_json_read_array (remote, "remote", "rows", TRUE, error);
  if (array == NULL)
    return FALSE;

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_remote_worker_row_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *element = lb_run_json_element_object (array, i, "remote", error);
      LbRemoteWorkerRow *row;

      if (element == NULL || (row = row_from_json (element, error)) == NULL)
        return FALSE;
      g_ptr_array_add (rows, row);
    }

  lb_run_record_set_remote (self, rows, node_type, (gint64) job_run_id);
  lb_run_record_set_remote_cost (self, dbus, cost);
  return TRUE;
}
