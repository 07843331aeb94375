/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sync status of a deployed workload: for each synced table of its
 * plan, the synced table's state (GET …/synced_tables/{name}), its
 * pipeline's state and message (GET /api/2.0/pipelines/{id}), the last
 * successful sync, the lag, the rows and the PostgreSQL partition sizes (the
 * pg_inherits query over a database credential). "Sync Now" starts a
 * pipeline update. Shown by the Synced Tables view and `lakebase-cli
 * status`. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "lb-databricks-client.h"
#include "lb-deployment-plan.h"
#include "lb-partition-sizes.h"

G_BEGIN_DECLS

typedef enum
{
  LB_SYNC_HEALTH_UNKNOWN,       /* could not be read (see the error) */
  LB_SYNC_HEALTH_MISSING,       /* not deployed (404) */
  LB_SYNC_HEALTH_PROVISIONING,  /* pipeline resources or the initial snapshot */
  LB_SYNC_HEALTH_SYNCING,       /* online, an update running (triggered / continuous) */
  LB_SYNC_HEALTH_ONLINE,        /* online, nothing pending */
  LB_SYNC_HEALTH_OFFLINE,
  LB_SYNC_HEALTH_FAILED,        /* OFFLINE_FAILED / ONLINE_PIPELINE_FAILED */
} LbSyncHealth;

/* "unknown", "missing", "provisioning", "syncing", "online", "offline", "failed" */
const char   *lb_sync_health_to_string      (LbSyncHealth  health);
/* Translated: "Provisioning", "Online", "Failed", … */
const char   *lb_sync_health_get_label      (LbSyncHealth  health);
/* From a detailed_state, both spellings of the offline state accepted. */
LbSyncHealth  lb_sync_health_from_detailed_state (const char *detailed_state);

#define LB_TYPE_SYNCED_TABLE_STATUS (lb_synced_table_status_get_type ())

/* One synced table's status at the last refresh; immutable. */
G_DECLARE_FINAL_TYPE (LbSyncedTableStatus, lb_synced_table_status, LB, SYNCED_TABLE_STATUS, GObject)

/* Destination "retail_pg.public.orders". */
const char   *lb_synced_table_status_get_name            (LbSyncedTableStatus *self);
const char   *lb_synced_table_status_get_source_table    (LbSyncedTableStatus *self);
LbSyncMode    lb_synced_table_status_get_policy          (LbSyncedTableStatus *self);
LbSyncHealth  lb_synced_table_status_get_health          (LbSyncedTableStatus *self);
const char   *lb_synced_table_status_get_detailed_state  (LbSyncedTableStatus *self);
/* The synced table's status message, NULL if none. */
const char   *lb_synced_table_status_get_message         (LbSyncedTableStatus *self);
const char   *lb_synced_table_status_get_pipeline_id     (LbSyncedTableStatus *self);
/* The pipeline's state (IDLE, RUNNING, FAILED, …) and its cause, NULL if unknown. */
const char   *lb_synced_table_status_get_pipeline_state  (LbSyncedTableStatus *self);
const char   *lb_synced_table_status_get_pipeline_cause  (LbSyncedTableStatus *self);
/* The state of the pipeline's latest update (COMPLETED, RUNNING, FAILED, …). */
const char   *lb_synced_table_status_get_update_state    (LbSyncedTableStatus *self);
/* When the last successful sync ended, NULL if never. */
GDateTime    *lb_synced_table_status_get_last_sync       (LbSyncedTableStatus *self);
/* Seconds between the source commit the table last caught up with (or its
 * last sync) and the refresh; -1 when unknown. */
gint64        lb_synced_table_status_get_lag_seconds     (LbSyncedTableStatus *self);
/* Rows synced (from the sync progress), -1 when unknown. */
gint64        lb_synced_table_status_get_rows            (LbSyncedTableStatus *self);
/* PostgreSQL partitions of the table and their total size; -1 bytes when
 * not measured. */
guint         lb_synced_table_status_get_partition_count (LbSyncedTableStatus *self);
gint64        lb_synced_table_status_get_partition_bytes (LbSyncedTableStatus *self);
/* Why the status could not be read (health UNKNOWN), else NULL. */
const GError *lb_synced_table_status_get_error           (LbSyncedTableStatus *self);
/* Translated error text for a failed table: the synced table's message and
 * the pipeline's cause; NULL when not failed. */
char         *lb_synced_table_status_dup_error_text      (LbSyncedTableStatus *self);
/* Sync Now applies to SNAPSHOT and TRIGGERED tables with a pipeline that
 * is not provisioning; CONTINUOUS pipelines run all the time. */
gboolean      lb_synced_table_status_can_sync_now        (LbSyncedTableStatus *self);
/* "{host}/pipelines/{id}" (NULL without a pipeline) and
 * "{host}/explore/data/{catalog}/{schema}/{table}" of the synced table. */
char         *lb_synced_table_status_dup_pipeline_url    (LbSyncedTableStatus *self,
                                                          const char          *host);
char         *lb_synced_table_status_dup_table_url       (LbSyncedTableStatus *self,
                                                          const char          *host);

#define LB_TYPE_SYNC_STATUS (lb_sync_status_get_type ())

/* Properties: "plan", "client" (construct-only), "tables" (GListModel of
 * LbSyncedTableStatus, replaced in place on each refresh), "refreshed-at"
 * (GDateTime of the last refresh, or NULL), "workspace-host" (read-only). */
G_DECLARE_FINAL_TYPE (LbSyncStatus, lb_sync_status, LB, SYNC_STATUS, GObject)

LbSyncStatus *lb_sync_status_new                     (LbDeploymentPlan     *plan,
                                                      LbDatabricksClient   *client);
LbDeploymentPlan *lb_sync_status_get_plan            (LbSyncStatus         *self);
GListModel   *lb_sync_status_get_tables              (LbSyncStatus         *self);
GDateTime    *lb_sync_status_get_refreshed_at        (LbSyncStatus         *self);
const char   *lb_sync_status_get_workspace_host      (LbSyncStatus         *self);
LbSyncedTableStatus *lb_sync_status_find             (LbSyncStatus         *self,
                                                      const char           *name);
/* The PostgreSQL port for the partition sizes (default 5432; tests point
 * it at a sandbox). */
void          lb_sync_status_set_pg_port             (LbSyncStatus         *self,
                                                      guint                 port);
/* Tables whose health is FAILED. */
guint         lb_sync_status_count_failed            (LbSyncStatus         *self);

/* Reads every synced table and its pipeline. The result: TRUE when
 * something changed since the previous refresh (the view's backoff starts
 * over), FALSE when all is as it was. A table that cannot be read is a row
 * with health UNKNOWN, not an error; an error (LB_DATABRICKS_ERROR) means
 * nothing could be read (every call failed with the same auth problem). */
void          lb_sync_status_refresh_async           (LbSyncStatus         *self,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean      lb_sync_status_refresh_finish          (LbSyncStatus         *self,
                                                      GAsyncResult         *result,
                                                      gboolean             *changed,
                                                      GError              **error);

/* Starts an update of @name's pipeline (POST /api/2.0/pipelines/{id}/updates);
 * the result is the update id. Refused for CONTINUOUS tables. */
void          lb_sync_status_sync_now_async          (LbSyncStatus         *self,
                                                      const char           *name,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
char         *lb_sync_status_sync_now_finish         (LbSyncStatus         *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/* Connects to the instance with a fresh database credential and runs the
 * pg_inherits partition-size query; the sizes go into the table rows (a
 * new row object per table, as on refresh). */
void          lb_sync_status_measure_partitions_async  (LbSyncStatus       *self,
                                                        GCancellable       *cancellable,
                                                        GAsyncReadyCallback callback,
                                                        gpointer            user_data);
gboolean      lb_sync_status_measure_partitions_finish (LbSyncStatus       *self,
                                                        GAsyncResult       *result,
                                                        GError            **error);
/* Puts @partitions (as above) into the rows by table name. */
void          lb_sync_status_set_partitions          (LbSyncStatus         *self,
                                                      JsonNode             *partitions);

/* {"workload": instance name, "refreshed_at", "failed": N, "tables": [{"name",
 * "source_table", "policy", "health", "detailed_state", "message",
 * "pipeline_id", "pipeline_state", "pipeline_cause", "update_state",
 * "last_sync", "lag_seconds", "rows", "partitions", "partition_bytes",
 * "can_sync_now", "pipeline_url", "table_url", "error"}]}: stable keys,
 * null where unknown. No secret. */
JsonNode     *lb_sync_status_to_json                 (LbSyncStatus         *self);

/* Translated, for the view and the CLI: "just now", "5 s ago", "3 min ago",
 * "2 h ago", "4 days ago"; and a duration: "42 s", "3 min", "2 h 5 min". */
char         *lb_format_time_ago                     (GDateTime            *time,
                                                      GDateTime            *now);
char         *lb_format_duration_s                   (gint64                seconds);

G_END_DECLS
