/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The end of a run, shared by LbTestRun and LbRemoteRun. */

#include "config.h"

#include "lb-run-common-private.h"

void
lb_run_common_settle_totals (GObject           *object,
                             const LbRunResult *result,
                             guint64           *transactions,
                             guint64           *failed,
                             double            *progress,
                             GParamSpec        *transactions_pspec,
                             GParamSpec        *failed_pspec,
                             GParamSpec        *progress_pspec)
{
  if (*transactions != result->transactions || *failed != result->failed)
    {
      *transactions = result->transactions;
      *failed = result->failed;
      g_object_notify_by_pspec (object, transactions_pspec);
      g_object_notify_by_pspec (object, failed_pspec);
    }
  if (!result->cancelled && *progress < 1)
    {
      *progress = 1;
      g_object_notify_by_pspec (object, progress_pspec);
    }
}

void
lb_run_common_add_to_history (LbRunHistory  *history,
                              LbRunRecord   *record,
                              GError       **history_error)
{
  g_clear_error (history_error);
  if (history != NULL)
    lb_run_history_add (history, record, history_error);
}
