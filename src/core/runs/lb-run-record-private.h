/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared by the files of the run record (lb-run-settings.c, lb-run-record.c,
 * lb-run-record-export.c): the record's fields and the checked JSON readers.
 * Not for use outside them. */

#include <math.h>

#include "lb-run-record.h"

G_BEGIN_DECLS

struct _LbRunRecord
{
  GObject        parent_instance;

  char          *id;
  GDateTime     *started;
  char          *script_name;
  char          *script_path;
  char          *script_dialect;   /* chosen over detection ("mix"…), or NULL */
  LbRunSettings *settings;
  LbRunResult   *result;
  /* What the server saw (optional: older records have none) */
  GPtrArray     *server_snapshots;   /* LbServerSnapshot*, first to last */
  GPtrArray     *server_notes;       /* char*: why some figures are missing */
  double         server_cpu_time;    /* the sampler thread's user+sys seconds */
  double         reference_cu;       /* the CU the bands compare with; 0 = none */
  char          *reference_cu_source; /* "workload", "settings" */
  /* A run on Databricks compute (optional: local runs have no rows) */
  GPtrArray     *remote_rows;        /* LbRemoteWorkerRow*, by worker */
  char          *remote_node_type;
  gint64         remote_job_run_id;
  double         remote_dbus;
  double         remote_cost;
};

/* JSON numbers cannot be NaN or infinite: those are written as 0. */
static inline double
lb_run_json_finite_or_zero (double value)
{
  return isfinite (value) ? value : 0;
}

/* Readers of a member of @object, named @where in the message ("settings"):
 * each sets G_IO_ERROR_INVALID_DATA when the member is missing or not of
 * the type asked, unless it is optional. */
gboolean lb_run_json_bad_member (GError     **error,
                                 const char  *where,
                                 const char  *name,
                                 const char  *expected);
gboolean lb_run_json_read_double (JsonObject  *object,
                                  const char  *where,
                                  const char  *name,
                                  gboolean     required,
                                  double      *value,
                                  GError     **error);
gboolean lb_run_json_read_uint64 (JsonObject  *object,
                                  const char  *where,
                                  const char  *name,
                                  gboolean     required,
                                  guint64      max,
                                  guint64     *value,
                                  GError     **error);
gboolean lb_run_json_read_uint (JsonObject  *object,
                                const char  *where,
                                const char  *name,
                                gboolean     required,
                                guint       *value,
                                GError     **error);
gboolean lb_run_json_read_string (JsonObject   *object,
                                  const char   *where,
                                  const char   *name,
                                  gboolean      required,
                                  const char  **value,
                                  GError      **error);
gboolean lb_run_json_read_boolean (JsonObject  *object,
                                   const char  *where,
                                   const char  *name,
                                   gboolean    *value,
                                   GError     **error);
JsonArray *lb_run_json_read_array (JsonObject  *object,
                                   const char  *where,
                                   const char  *name,
                                   gboolean     required,
                                   GError     **error);
JsonObject *lb_run_json_element_object (JsonArray   *array,
                                        guint        index,
                                        const char  *where,
                                        GError     **error);

/* The server's part of the record (lb-run-record-server.c): written into
 * the record's object being built, read back from its object. */
void     _lb_run_record_server_to_json   (LbRunRecord  *self,
                                          JsonBuilder  *builder);
gboolean _lb_run_record_server_from_json (LbRunRecord  *self,
                                          JsonObject   *object,
                                          GError      **error);

/* The remote part (lb-run-record-remote.c), likewise. */
void     _lb_run_record_remote_to_json   (LbRunRecord  *self,
                                          JsonBuilder  *builder);
gboolean _lb_run_record_remote_from_json (LbRunRecord  *self,
                                          JsonObject   *object,
                                          GError      **error);

G_END_DECLS
