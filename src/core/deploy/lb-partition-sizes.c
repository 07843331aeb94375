/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The partition-size query over libpq in a thread, for the deploy's connect
 * step and the sync status (lb-partition-sizes.h). */
#include "config.h"

#include <libpq-fe.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-partition-sizes.h"

/* The partition-size query of reference/databricks-api.md §8 (the web
 * tool's): each child partition's total size with its parent's name. */
#define PARTITION_SIZES_SQL \
  "select pg_total_relation_size(pi.inhrelid::regclass) as size, pc.relname " \
  "from pg_inherits pi join pg_class pc on pi.inhparent = pc.oid"

static void
secret_free (gpointer data)
{
  char *text = data;

  if (text != NULL)
    memset (text, 0, strlen (text));
  g_free (text);
}

static void
partition_sizes_worker (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  const char *conninfo = task_data;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  PGconn *conn;
  PGresult *res;

  conn = PQconnectdb (conninfo);
  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_autofree char *message = g_strstrip (g_strdup (PQerrorMessage (conn)));
      const char *host = PQhost (conn);

      /* The host, when libpq knows it, so the message says where. */
      if (host != NULL && *host != '\0')
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                                 _("Could not connect to %s: %s"), host, message);
      else
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                                 _("Could not connect to the database: %s"), message);
      PQfinish (conn);
      return;
    }

  res = PQexec (conn, PARTITION_SIZES_SQL);
  if (PQresultStatus (res) != PGRES_TUPLES_OK)
    {
      g_autofree char *message = g_strstrip (g_strdup (PQresultErrorMessage (res)));

      PQclear (res);
      PQfinish (conn);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("The partition-size query failed: %s"), message);
      return;
    }

  json_builder_begin_array (builder);
  for (int row = 0; row < PQntuples (res); row++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "relname");
      json_builder_add_string_value (builder, PQgetvalue (res, row, 1));
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, g_ascii_strtoll (PQgetvalue (res, row, 0), NULL, 10));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  PQclear (res);
  PQfinish (conn);
  g_task_return_pointer (task, json_builder_get_root (builder), (GDestroyNotify) json_node_unref);
}

void
lb_partition_sizes_query_async (const char          *conninfo,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (conninfo != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  /* No source object: the worker thread drops its task a moment after the
   * callback ran, and must not hold a caller's object then. */
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_partition_sizes_query_async);
  g_task_set_task_data (task, g_strdup (conninfo), secret_free);
  /* libpq cannot be interrupted: let cancellation return at once. */
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, partition_sizes_worker);
}

JsonNode *
lb_partition_sizes_query_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, lb_partition_sizes_query_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
