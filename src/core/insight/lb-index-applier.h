/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Creates chosen LbIndexAdvice on the server and takes them away again:
 * CREATE INDEX CONCURRENTLY on a connection of its own (async libpq in a
 * worker thread) while a second connection reads pg_stat_progress_create_index,
 * then ANALYZE of their tables. It remembers the indexes it created, and
 * only those, so that undo drops exactly what apply added. */
#pragma once

#include "lb-index-advisor.h"

G_BEGIN_DECLS

#define LB_INDEX_APPLIER_ERROR (lb_index_applier_error_quark ())

typedef enum
{
  LB_INDEX_APPLIER_ERROR_CONNECT,     /* the server could not be reached: libpq's message */
  LB_INDEX_APPLIER_ERROR_PERMISSION,  /* the role may not create (or drop) the index: says what it lacks */
  LB_INDEX_APPLIER_ERROR_DUPLICATE,   /* an index of that name exists and differs, or is invalid */
  LB_INDEX_APPLIER_ERROR_READ_ONLY,   /* the server is a read-only replica */
  LB_INDEX_APPLIER_ERROR_SERVER,      /* another failure: the statement and the server's message */
} LbIndexApplierError;

GQuark lb_index_applier_error_quark (void);

/* Milliseconds between two reads of pg_stat_progress_create_index. */
#define LB_INDEX_APPLIER_POLL_MS 250

#define LB_TYPE_INDEX_APPLIER (lb_index_applier_get_type ())

/* Properties (read-only, notified on the thread-default main context of the
 * call that started the work): "running", "n-indexes" (of the work under
 * way), "current" (1-based: the index being built or dropped; 0 before and
 * after), "current-name", "phase" (what is happening, translated),
 * "server-phase" (pg_stat_progress_create_index.phase as the server wrote
 * it, or NULL), "fraction" (0..1 of the whole work, never going back; 1 when
 * it succeeded). Signal "progress" after each change of them. */
G_DECLARE_FINAL_TYPE (LbIndexApplier, lb_index_applier, LB, INDEX_APPLIER, GObject)

LbIndexApplier *lb_index_applier_new              (const char          *conninfo);
/* What the next apply creates, in this order (a copy is kept). */
void            lb_index_applier_add_advice       (LbIndexApplier      *self,
                                                   const LbIndexAdvice *advice);
void            lb_index_applier_clear_advice     (LbIndexApplier      *self);
guint           lb_index_applier_get_n_advice     (LbIndexApplier      *self);

/* For each advice: stops if an index of its name exists and differs (or is
 * invalid); skips it, with a note, if the same index exists; else CREATE
 * INDEX CONCURRENTLY. Then ANALYZE of their tables. The first failure
 * stops the work; what was created before stays, and undo drops it.
 * Cancelling sends the server a cancel request and drops the invalid index
 * a cancelled concurrent build leaves behind; it finishes with
 * G_IO_ERROR_CANCELLED. */
void            lb_index_applier_apply_async      (LbIndexApplier      *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean        lb_index_applier_apply_finish     (LbIndexApplier      *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

/* DROP INDEX CONCURRENTLY IF EXISTS of each index that apply created, last
 * first; those dropped are forgotten, so a failed or cancelled undo can be
 * tried again for the rest. */
void            lb_index_applier_undo_async       (LbIndexApplier      *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean        lb_index_applier_undo_finish      (LbIndexApplier      *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

/* The indexes applies created and undo has not dropped, schema-qualified
 * and quoted as SQL wants them ("lakebase_workload.customer_email_idx"). */
const char * const *lb_index_applier_get_created  (LbIndexApplier      *self);
/* The statements that would undo them ("DROP INDEX CONCURRENTLY IF EXISTS …;"). */
GStrv           lb_index_applier_dup_undo_statements (LbIndexApplier   *self);
/* Sentences about the last apply or undo that are no error (an index that
 * existed already and was left alone, a table ANALYZE skipped), translated. */
const char * const *lb_index_applier_get_notes    (LbIndexApplier      *self);
/* The distinct tables of the advice, as ANALYZE names them. */
const char * const *lb_index_applier_get_tables   (LbIndexApplier      *self);

gboolean        lb_index_applier_get_running      (LbIndexApplier      *self);
guint           lb_index_applier_get_n_indexes    (LbIndexApplier      *self);
guint           lb_index_applier_get_current      (LbIndexApplier      *self);
const char     *lb_index_applier_get_current_name (LbIndexApplier      *self);
const char     *lb_index_applier_get_phase        (LbIndexApplier      *self);
const char     *lb_index_applier_get_server_phase (LbIndexApplier      *self);
double          lb_index_applier_get_fraction     (LbIndexApplier      *self);

/* The translated text for a pg_stat_progress_create_index phase, and how
 * far through one index build it is (0..1), from the view's counters. */
char           *lb_index_applier_describe_phase   (const char          *server_phase);
double          lb_index_applier_phase_fraction   (const char          *server_phase,
                                                   gint64               blocks_done,
                                                   gint64               blocks_total,
                                                   gint64               tuples_done,
                                                   gint64               tuples_total);

G_END_DECLS
