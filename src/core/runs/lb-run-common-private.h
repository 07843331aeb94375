/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What a run on this machine (LbTestRun) and one on Databricks compute
 * (LbRemoteRun) do alike at their end. Not for use outside them. */

#include <glib-object.h>

#include "lb-run-history.h"
#include "lb-run-record.h"

G_BEGIN_DECLS

/* The live totals end at the measured ones (a transaction can complete
 * after the last sample and before the run's end), and a run not cancelled
 * at full progress (a short count run can end between two samples). Each
 * value that changes notifies its property of @object. */
void lb_run_common_settle_totals  (GObject           *object,
                                   const LbRunResult *result,
                                   guint64           *transactions,
                                   guint64           *failed,
                                   double            *progress,
                                   GParamSpec        *transactions_pspec,
                                   GParamSpec        *failed_pspec,
                                   GParamSpec        *progress_pspec);

/* Adds @record to @history (if any); *@history_error says why it was not
 * kept, or is cleared. */
void lb_run_common_add_to_history (LbRunHistory      *history,
                                   LbRunRecord       *record,
                                   GError           **history_error);

G_END_DECLS
