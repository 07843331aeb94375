/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Exponential backoff with jitter (lb-backoff.h), in integer arithmetic so
 * that large attempt counts cannot overflow. */
#include "config.h"

#include "lb-backoff.h"

guint
lb_backoff_delay_ms (guint base_ms,
                     guint attempt,
                     guint max_ms)
{
  guint64 ceiling = (guint64) base_ms << MIN (attempt, 16);

  ceiling = MIN (ceiling, max_ms);
  return (guint) (ceiling / 2 + (guint64) g_random_int_range (0, (gint32) MAX (ceiling / 2, 1)));
}
