/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The history of concurrency-test runs. LbTestRun adds each record; the
 * tester windows, the Test view (sharing LbApplication's history) and
 * `lakebase-cli bench` read and keep it. */
#pragma once

#include <gio/gio.h>

#include "lb-run-record.h"

G_BEGIN_DECLS

#define LB_TYPE_RUN_HISTORY (lb_run_history_get_type ())

/* The runs kept on disk, newest first, as a GListModel of LbRunRecord.
 * One JSON file per run under $XDG_DATA_HOME/lakebase-accelerator/runs. */
G_DECLARE_FINAL_TYPE (LbRunHistory, lb_run_history, LB, RUN_HISTORY, GObject)

LbRunHistory *lb_run_history_new            (GFile         *directory);  /* NULL: the default */
GFile        *lb_run_history_get_directory  (LbRunHistory  *self);
/* Reads the directory in a thread; unreadable files are skipped with a g_message. */
void          lb_run_history_load_async     (LbRunHistory        *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean      lb_run_history_load_finish    (LbRunHistory        *self,
                                             GAsyncResult        *result,
                                             GError             **error);
/* add writes @record's file (atomically; a record with the same id is
 * replaced) and inserts it by date; remove deletes the file (one already
 * gone is fine) and the entry. On an error the list is unchanged. */
gboolean      lb_run_history_add            (LbRunHistory        *self,
                                             LbRunRecord         *record,
                                             GError             **error);
gboolean      lb_run_history_remove         (LbRunHistory        *self,
                                             LbRunRecord         *record,
                                             GError             **error);

G_END_DECLS
