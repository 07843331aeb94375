/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "lb-fuzz.h"
#include "lb-core.h"

/* Messages and debug output would flood the fuzzer's log thousands of
 * times a second. Criticals, warnings and errors abort() here: GLib's own
 * fatal path raises SIGTRAP, which libFuzzer does not catch, so the input
 * would be lost. */
static void
quiet_log_handler (const char     *log_domain,
                   GLogLevelFlags  log_level,
                   const char     *message,
                   gpointer        user_data)
{
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      fprintf (stderr, "%s: %s\n", log_domain != NULL ? log_domain : "(none)", message);
      abort ();
    }
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
