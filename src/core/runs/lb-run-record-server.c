/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The run record's server part: the snapshots LbServerSampler took, the
 * notes on what it could not read, and the CU the reference bands use.
 * All optional, so records of older versions still load. */
#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "lb-run-record-private.h"
#include "lb-server-snapshot.h"

GPtrArray *
lb_run_record_get_server_snapshots (LbRunRecord *self)
{
  g_return_val_if_fail (LB_IS_RUN_RECORD (self), NULL);

  return self->server_snapshots;
}

GPtrArray *
lb_run_record_get_server_notes (LbRunRecord *self)
{
  g_return_val_if_fail (LB_IS_RUN_RECORD (self), NULL);

  return self->server_notes;
}

void
lb_run_record_set_server (LbRunRecord *self,
                          GPtrArray   *snapshots,
                          GPtrArray   *notes)
{
  g_return_if_fail (LB_IS_RUN_RECORD (self));
  g_return_if_fail (snapshots != NULL && notes != NULL);

  g_ptr_array_ref (snapshots);
  g_ptr_array_ref (notes);
  g_ptr_array_unref (self->server_snapshots);
  g_ptr_array_unref (self->server_notes);
  self->server_snapshots = snapshots;
  self->server_notes = notes;
}

double
lb_run_record_get_server_cpu_time (LbRunRecord *self)
{
  g_return_val_if_fail (LB_IS_RUN_RECORD (self), 0);

  return self->server_cpu_time;
}

void
lb_run_record_set_server_cpu_time (LbRunRecord *self,
                                   double       seconds)
{
  g_return_if_fail (LB_IS_RUN_RECORD (self));

  self->server_cpu_time = isfinite (seconds) && seconds > 0 ? seconds : 0;
}

double
lb_run_record_get_reference_cu (LbRunRecord  *self,
                                const char  **source)
{
  g_return_val_if_fail (LB_IS_RUN_RECORD (self), 0);

  if (source != NULL)
    *source = self->reference_cu_source;
  return self->reference_cu;
}

void
lb_run_record_set_reference_cu (LbRunRecord *self,
                                double       cu,
                                const char  *source)
{
  g_return_if_fail (LB_IS_RUN_RECORD (self));

  self->reference_cu = cu > 0 && cu <= 10000 ? cu : 0;
  g_free (self->reference_cu_source);
  self->reference_cu_source = self->reference_cu > 0 ? g_strdup (source) : NULL;
}

void
_lb_run_record_server_to_json (LbRunRecord *self,
                               JsonBuilder *builder)
{
  if (self->server_snapshots->len > 0 || self->server_notes->len > 0)
    {
      json_builder_set_member_name (builder, "server");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "snapshots");
      json_builder_begin_array (builder);
      for (guint i = 0; i < self->server_snapshots->len; i++)
        json_builder_add_value (builder, lb_server_snapshot_to_json (g_ptr_array_index (self->server_snapshots, i)));
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "notes");
      json_builder_begin_array (builder);
      for (guint i = 0; i < self->server_notes->len; i++)
        json_builder_add_string_value (builder, g_ptr_array_index (self->server_notes, i));
      json_builder_end_array (builder);
      if (self->server_cpu_time > 0)
        {
          json_builder_set_member_name (builder, "cpu_seconds");
          json_builder_add_double_value (builder, self->server_cpu_time);
        }
      json_builder_end_object (builder);
    }

  if (self->reference_cu > 0)
    {
      json_builder_set_member_name (builder, "reference");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "cu");
      json_builder_add_double_value (builder, self->reference_cu);
      if (self->reference_cu_source != NULL)
        {
          json_builder_set_member_name (builder, "source");
          json_builder_add_string_value (builder, self->reference_cu_source);
        }
      json_builder_end_object (builder);
    }
}

gboolean
_lb_run_record_server_from_json (LbRunRecord  *self,
                                 JsonObject   *object,
                                 GError      **error)
{
  JsonNode *node = json_object_get_member (object, "server");

  if (node != NULL)
    {
      JsonObject *server;
      JsonArray *snapshots, *notes;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return lb_run_json_bad_member (error, "record", "server", _("an object"));
      server = json_node_get_object (node);
      snapshots = lb_run_json_read_array (server, "server", "snapshots", FALSE, error);
      if (snapshots == NULL)
        return FALSE;
      for (guint i = 0; snapshots != NULL && i < json_array_get_length (snapshots); i++)
        {
          LbServerSnapshot *snapshot = lb_server_snapshot_new_from_json (json_array_get_element (snapshots, i), error);

          if (snapshot == NULL)
            return FALSE;
          g_ptr_array_add (self->server_snapshots, snapshot);
        }
      notes = lb_run_json_read_array (server, "server", "notes", FALSE, error);
      if (notes == NULL)
        return FALSE;
      for (guint i = 0; notes != NULL && i < json_array_get_length (notes); i++)
        {
          JsonNode *note = json_array_get_element (notes, i);

          if (!JSON_NODE_HOLDS_VALUE (note) || json_node_get_value_type (note) != G_TYPE_STRING)
            return lb_run_json_bad_member (error, "server", "notes", _("an array of strings"));
          g_ptr_array_add (self->server_notes, g_strdup (json_node_get_string (note)));
        }
      {
        double cpu = 0;

        if (!lb_run_json_read_double (server, "server", "cpu_seconds", FALSE, &cpu, error))
          return FALSE;
        lb_run_record_set_server_cpu_time (self, cpu);
      }
    }

  node = json_object_get_member (object, "reference");
  if (node != NULL)
    {
      JsonObject *reference;
      const char *source = NULL;
      double cu = 0;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return lb_run_json_bad_member (error, "record", "reference", _("an object"));
      reference = json_node_get_object (node);
      if (!lb_run_json_read_double (reference, "reference", "cu", FALSE, &cu, error)
          || !lb_run_json_read_string (reference, "reference", "source", FALSE, &source, error))
        return FALSE;
      lb_run_record_set_reference_cu (self, cu, source);
    }

  return TRUE;
}
