/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one retry delay of the core: the Databricks client's retries and the
 * table sizer's polls both wait this long between attempts. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exponential backoff with jitter, for polling and retrying: a ceiling of
 * @base_ms · 2^@attempt (the exponent capped at 16), at most @max_ms; then
 * half the ceiling fixed and half random, so that many waiters do not all
 * wake in lockstep. */
guint lb_backoff_delay_ms (guint base_ms,
                           guint attempt,
                           guint max_ms);

G_END_DECLS
