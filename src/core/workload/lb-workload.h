/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The workload being planned: its fields, its synced tables, and its YAML.
 * The calculator edits it, the cost model prices it, the deployment plan
 * deploys it, and the CLI reads it from a file. */
#pragma once

#include <gio/gio.h>

#include "lb-enums.h"
#include "lb-synced-table.h"

G_BEGIN_DECLS

#define LB_WORKLOAD_ERROR (lb_workload_error_quark ())

typedef enum
{
  LB_WORKLOAD_ERROR_SYNTAX,        /* malformed YAML */
  LB_WORKLOAD_ERROR_TYPE,          /* a value of the wrong type (text where a number belongs, …) */
  LB_WORKLOAD_ERROR_RANGE,         /* negative numbers, percentages over 100, … */
  LB_WORKLOAD_ERROR_UNKNOWN_VALUE, /* unknown sync mode, frequency, flavour */
  LB_WORKLOAD_ERROR_TABLE,         /* table name not catalog.schema.table, missing primary keys */
  LB_WORKLOAD_ERROR_IO,            /* the file could not be read or written */
  LB_WORKLOAD_ERROR_EMPTY,         /* no workload in the file (empty, blank or only comments) */
} LbWorkloadError;

GQuark lb_workload_error_quark (void);

/* The kind of value a field holds; drives both the YAML code and the form. */
typedef enum
{
  LB_FIELD_NUMBER,          /* double >= min */
  LB_FIELD_INTEGER,         /* whole number >= min */
  LB_FIELD_SYNC_MODE,
  LB_FIELD_SYNC_FREQUENCY,
  LB_FIELD_FLAVOUR,
  LB_FIELD_STRING,
} LbFieldKind;

/* One input of the workload, as it appears in the YAML (section + key) and
 * as a GObject property of LbWorkload. The table is the single source of the
 * form's rows, the loader's checks and the saver's keys. */
typedef struct
{
  const char  *section;   /* "database_instance", …, "lakebase_accelerator" */
  const char  *key;       /* "reads_per_second" */
  const char  *property;  /* "reads-per-second" */
  LbFieldKind  kind;
  double       min;
  double       max;       /* G_MAXDOUBLE when unbounded */
  const char  *title;     /* N_() marked; translate with gettext */
  const char  *subtitle;  /* N_() marked; may be NULL */
  const char  *unit;      /* N_() marked short unit ("rows/s", "GB"); may be NULL */
} LbWorkloadField;

/* The field table, static and in the form's order (do not free it), and one
 * field by section and key, or NULL when there is none. */
const LbWorkloadField *lb_workload_get_fields  (guint       *n_fields);
const LbWorkloadField *lb_workload_find_field  (const char  *section,
                                                const char  *key);

#define LB_TYPE_WORKLOAD (lb_workload_get_type ())

G_DECLARE_FINAL_TYPE (LbWorkload, lb_workload, LB, WORKLOAD, GObject)

/* Signals:
 *   "changed" (void): after any input, any table, or the list of tables changed.
 *                     Coalesce nothing: one change, one emission.
 * Properties: one per LbWorkloadField (property column), plus
 *   "tables" (GListModel of LbSyncedTable, read-only),
 *   "file"   (GFile, the file it was loaded from / saved to; may be NULL). */

LbWorkload      *lb_workload_new                              (void);
LbWorkload      *lb_workload_copy                             (LbWorkload       *self);

/* Generic access by field, text in the form a user types ("12000", "1.5",
 * "TRIGGERED", "Per day"). Setting checks kind and range: on error nothing
 * changes and the LB_WORKLOAD_ERROR message says what a valid value is. */
gboolean         lb_workload_set_field_from_string            (LbWorkload              *self,
                                                               const LbWorkloadField   *field,
                                                               const char              *text,
                                                               GError                 **error);
char            *lb_workload_dup_field_string                 (LbWorkload              *self,
                                                               const LbWorkloadField   *field);
double           lb_workload_get_field_number                 (LbWorkload              *self,
                                                               const LbWorkloadField   *field);

/* database_instance */
double           lb_workload_get_bulk_writes_per_second       (LbWorkload *self);
void             lb_workload_set_bulk_writes_per_second       (LbWorkload *self, double value);
double           lb_workload_get_continuous_writes_per_second (LbWorkload *self);
void             lb_workload_set_continuous_writes_per_second (LbWorkload *self, double value);
double           lb_workload_get_reads_per_second             (LbWorkload *self);
void             lb_workload_set_reads_per_second             (LbWorkload *self, double value);
guint            lb_workload_get_number_of_readable_secondaries (LbWorkload *self);
void             lb_workload_set_number_of_readable_secondaries (LbWorkload *self, guint value);
double           lb_workload_get_readable_secondary_size_cu   (LbWorkload *self);
void             lb_workload_set_readable_secondary_size_cu   (LbWorkload *self, double value);
double           lb_workload_get_promotion_percentage         (LbWorkload *self);
void             lb_workload_set_promotion_percentage         (LbWorkload *self, double value);

/* database_storage */
double           lb_workload_get_data_stored_gb               (LbWorkload *self);
void             lb_workload_set_data_stored_gb               (LbWorkload *self, double value);
double           lb_workload_get_estimated_data_deleted_daily_gb (LbWorkload *self);
void             lb_workload_set_estimated_data_deleted_daily_gb (LbWorkload *self, double value);
guint            lb_workload_get_restore_windows_days         (LbWorkload *self);
void             lb_workload_set_restore_windows_days         (LbWorkload *self, guint value);

/* delta_synchronization */
guint            lb_workload_get_number_of_continuous_pipelines (LbWorkload *self);
void             lb_workload_set_number_of_continuous_pipelines (LbWorkload *self, guint value);
double           lb_workload_get_expected_data_per_sync_gb    (LbWorkload *self);
void             lb_workload_set_expected_data_per_sync_gb    (LbWorkload *self, double value);
LbSyncMode       lb_workload_get_sync_mode                    (LbWorkload *self);
void             lb_workload_set_sync_mode                    (LbWorkload *self, LbSyncMode value);
LbSyncFrequency  lb_workload_get_sync_frequency               (LbWorkload *self);
void             lb_workload_set_sync_frequency               (LbWorkload *self, LbSyncFrequency value);

/* tables_to_sync: a GListModel of LbSyncedTable owned by the workload */
GListModel      *lb_workload_get_tables                       (LbWorkload    *self);
void             lb_workload_add_table                        (LbWorkload    *self,
                                                               LbSyncedTable *table);
void             lb_workload_remove_table                     (LbWorkload    *self,
                                                               guint          position);
/* Puts @table back at @position (clamped to the end), as Undo needs. */
void             lb_workload_insert_table                     (LbWorkload    *self,
                                                               guint          position,
                                                               LbSyncedTable *table);
/* What the listed tables' scheduling policies imply for the classic
 * fields: one continuous pipeline per Continuous table, and a sync mode for
 * the scheduled syncs: the current one if a listed table is scheduled that
 * way, else Triggered if any table is, else Snapshot if any is, else
 * Continuous. FALSE when no table is listed. */
gboolean         lb_workload_get_tables_sync_policy           (LbWorkload    *self,
                                                               guint         *n_continuous,
                                                               LbSyncMode    *sync_mode);

/* lakebase_accelerator (our own map; see DESIGN.md) */
LbFlavour        lb_workload_get_flavour                      (LbWorkload *self);
void             lb_workload_set_flavour                      (LbWorkload *self, LbFlavour value);
const char      *lb_workload_get_profile                      (LbWorkload *self);
void             lb_workload_set_profile                      (LbWorkload *self, const char *value);
const char      *lb_workload_get_instance_name                (LbWorkload *self);
void             lb_workload_set_instance_name                (LbWorkload *self, const char *value);
const char      *lb_workload_get_capacity                     (LbWorkload *self); /* "CU_2" or NULL */
void             lb_workload_set_capacity                     (LbWorkload *self, const char *value);
const char      *lb_workload_get_database_catalog             (LbWorkload *self);
void             lb_workload_set_database_catalog             (LbWorkload *self, const char *value);
const char      *lb_workload_get_database_name                (LbWorkload *self);
void             lb_workload_set_database_name                (LbWorkload *self, const char *value);
const char      *lb_workload_get_target_schema                (LbWorkload *self);
void             lb_workload_set_target_schema                (LbWorkload *self, const char *value);
const char      *lb_workload_get_storage_catalog              (LbWorkload *self);
void             lb_workload_set_storage_catalog              (LbWorkload *self, const char *value);
const char      *lb_workload_get_storage_schema               (LbWorkload *self);
void             lb_workload_set_storage_schema               (LbWorkload *self, const char *value);
const char      *lb_workload_get_warehouse_id                 (LbWorkload *self);
void             lb_workload_set_warehouse_id                 (LbWorkload *self, const char *value);
/* Autoscaling only: "production" (the project's default branch) unless set. */
const char      *lb_workload_get_branch                       (LbWorkload *self);
void             lb_workload_set_branch                       (LbWorkload *self, const char *value);
/* Autoscaling only: the branch's read-write endpoint id, "primary" unless set. */
const char      *lb_workload_get_endpoint                     (LbWorkload *self);
void             lb_workload_set_endpoint                     (LbWorkload *self, const char *value);

GFile           *lb_workload_get_file                         (LbWorkload *self);
void             lb_workload_set_file                         (LbWorkload *self, GFile *file);

/* The YAML document this workload was loaded from (an LbYamlNode), kept so a
 * save writes unknown keys back in their places. Opaque to everyone but the
 * YAML code; lb_workload_copy() shares it. */
gpointer         _lb_workload_get_extra                       (LbWorkload     *self);
void             _lb_workload_set_extra                       (LbWorkload     *self,
                                                               gpointer        extra,
                                                               GDestroyNotify  destroy);

/* Whole-model check before a save or deploy: every table valid, names unique. */
gboolean         lb_workload_validate                         (LbWorkload  *self,
                                                               GError     **error);

/* YAML (lb-workload-yaml.c). Errors are LB_WORKLOAD_ERROR with a message
 * "FILE:LINE:COLUMN: what is wrong" (FILE is the basename, or "<input>" for
 * data), or "FILE is empty: no workload in it". Loading replaces every value
 * of @self only on success. Unknown keys, at any level, are kept and written
 * back by the savers. A workload loaded from text is saved as that text with
 * only the changed values rewritten (comments and layout stay). */
LbWorkload      *lb_workload_new_from_file                    (GFile        *file,
                                                               GError      **error);
LbWorkload      *lb_workload_new_from_data                    (const char   *data,
                                                               gssize        length,
                                                               const char   *display_name,
                                                               GError      **error);
char            *lb_workload_to_data                          (LbWorkload   *self,
                                                               gsize        *length,
                                                               GError      **error);
gboolean         lb_workload_save_to_file                     (LbWorkload   *self,
                                                               GFile        *file,
                                                               GError      **error);

G_END_DECLS
