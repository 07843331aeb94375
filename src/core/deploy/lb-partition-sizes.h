/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The pg_inherits partition-size query of reference/databricks-api.md §8 (the
 * web tool's), run over libpq in a thread: the deploy's connect step and the
 * Synced Tables view measure partitions the same way. */

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Connects with @conninfo (it may hold a secret: the task's copy is wiped when
 * done) and returns a JSON array [{"relname", "size"}] of the child partitions
 * with their parent's name. libpq cannot be interrupted: a cancellation
 * returns at once while the thread finishes on its own. */
void          lb_partition_sizes_query_async         (const char           *conninfo,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
JsonNode     *lb_partition_sizes_query_finish        (GAsyncResult         *result,
                                                      GError              **error);

G_END_DECLS
