/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One table to sync from Delta into PostgreSQL: an item of LbWorkload's
 * "tables", edited by the calculator's rows, read and written by the YAML
 * code, created as a synced table by a deployment. */
#pragma once

#include <glib-object.h>

#include "lb-enums.h"

G_BEGIN_DECLS

#define LB_TYPE_SYNCED_TABLE (lb_synced_table_get_type ())

G_DECLARE_FINAL_TYPE (LbSyncedTable, lb_synced_table, LB, SYNCED_TABLE, GObject)

/* One entry of delta_synchronization.tables_to_sync.
 * Properties: "name" (string, catalog.schema.table), "primary-keys" (GStrv),
 * "scheduling-policy" (LbSyncMode). Any property change emits GObject::notify. */
LbSyncedTable       *lb_synced_table_new                   (const char          *name,
                                                            const char * const  *primary_keys,
                                                            LbSyncMode           scheduling_policy);
const char          *lb_synced_table_get_name              (LbSyncedTable       *self);
void                 lb_synced_table_set_name              (LbSyncedTable       *self,
                                                            const char          *name);
const char * const  *lb_synced_table_get_primary_keys      (LbSyncedTable       *self);
void                 lb_synced_table_set_primary_keys      (LbSyncedTable       *self,
                                                            const char * const  *primary_keys);
LbSyncMode           lb_synced_table_get_scheduling_policy (LbSyncedTable       *self);
void                 lb_synced_table_set_scheduling_policy (LbSyncedTable       *self,
                                                            LbSyncMode           policy);

/* Checks the table against the rules of the workload format (three-part name,
 * at least one primary key, keys that are valid identifiers). The message of
 * the returned LB_WORKLOAD_ERROR names the table and what is wrong. */
gboolean             lb_synced_table_validate              (LbSyncedTable       *self,
                                                            GError             **error);

/* Name rule alone, for live validation of an entry field. */
gboolean             lb_synced_table_name_is_valid         (const char          *name,
                                                            GError             **error);
/* Primary key column rule alone (letters, digits and "_", not starting
 * with a digit), for live validation and for the YAML loader. */
gboolean             lb_synced_table_primary_key_is_valid  (const char          *key,
                                                            GError             **error);

/* Keys of the YAML mapping this entry came from that we do not know; kept
 * verbatim so a save writes them back. Opaque to everyone but the YAML code. */
gpointer             _lb_synced_table_get_extra            (LbSyncedTable       *self);
void                 _lb_synced_table_set_extra            (LbSyncedTable       *self,
                                                            gpointer             extra,
                                                            GDestroyNotify       destroy);

G_END_DECLS
