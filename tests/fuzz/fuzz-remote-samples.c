/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The remote runners' live and final files (lb-remote-samples.h), as the
 * app reads them from a volume anyone with write access could fill: parse
 * as both kinds; whatever loads is merged, rowed and finished without a
 * crash, and the merged counts add up. */
#include "config.h"

#include <json-glib/json-glib.h>

#include "lb-fuzz.h"
#include "lb-remote-samples.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = NULL;

  lb_fuzz_init ();

  bytes = g_bytes_new_static (data, size);
  for (guint kind = LB_REMOTE_FILE_LIVE; kind <= LB_REMOTE_FILE_FINAL; kind++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LbRemoteWorkerStatus) status = NULL;
      g_autoptr(LbRemoteMerge) merge = NULL;
      g_autoptr(GArray) taken = NULL;
      g_autoptr(LbRunResult) result = NULL;
      g_autoptr(GPtrArray) rows = NULL;
      LbRemoteWorkerRow *row;
      guint64 emitted = 0;

      status = lb_remote_worker_status_new_from_bytes (bytes, kind, &error);
      if (status == NULL)
        {
          g_assert_nonnull (error);
          continue;
        }

      row = lb_remote_worker_row_new_from_status (status);
      lb_remote_worker_row_free (row);

      /* Two workers, the other silent: every second goes out at the end. */
      merge = lb_remote_merge_new (2);
      if (status->worker >= 2)
        {
          g_assert_false (lb_remote_merge_add_status (merge, status));
          continue;
        }
      g_assert_true (lb_remote_merge_add_status (merge, status));
      g_assert_true (lb_remote_merge_add_status (merge, status));   /* repeated: ignored */
      taken = lb_remote_merge_take_samples (merge, 0);
      result = lb_remote_merge_finish (merge, &rows);
      g_assert_cmpuint (rows->len, ==, 2);
      for (guint i = 0; i < result->timeline->len; i++)
        emitted += g_array_index (result->timeline, LbRunSample, i).transactions;
      if (kind == LB_REMOTE_FILE_LIVE)
        {
          guint64 measured = 0;

          for (guint i = 0; i < status->samples->len; i++)
            if (!g_array_index (status->samples, LbRemoteSample, i).warmup)
              measured += g_array_index (status->samples, LbRemoteSample, i).transactions;
          g_assert_cmpuint (emitted, ==, measured);
          g_assert_cmpuint (result->transactions, ==, measured);
        }
      else
        g_assert_cmpuint (result->transactions, ==, status->transactions);
    }
  return 0;
}
