/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "lb-fuzz.h"
#include "lb-core.h"

/* Messages would flood the fuzzer's output thousands of times a second;
 * criticals and warnings still abort because of the fatal mask. */
static void
quiet_log_handler (const char     *log_domain,
                   GLogLevelFlags  log_level,
                   const char     *message,
                   gpointer        user_data)
{
}

void
lb_fuzz_init (void)
{
  static gboolean initialized;

  if (initialized)
    return;
  initialized = TRUE;

  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING | G_LOG_FATAL_MASK);
  g_log_set_default_handler (quiet_log_handler, NULL);
  lb_core_init ();
}
