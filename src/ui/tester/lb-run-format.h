/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* How the tester's views write a run's figures: "1,234" counts, rates,
 * milliseconds and the coloured delta of a comparison. */

#include <gtk/gtk.h>

#include "lb-latency-histogram.h"
#include "lb-run-comparison.h"

G_BEGIN_DECLS

/* Thousands grouped with a comma, whatever the locale. */
char   *lb_format_count  (guint64                   value);
/* "–" when not finite; "1,234" from 100 up, else "12.3". */
char   *lb_format_rate   (double                    value);
/* "–" when not finite or 0; 2, 1 or 0 decimals as it grows. */
char   *lb_format_ms     (double                    ms);
/* Mean (@percentile < 0) or a percentile in ms; NAN when empty. */
double  lb_histogram_ms  (const LbLatencyHistogram *histogram,
                          double                    percentile);
/* "+12 %" in @label, green when better, red when worse; hidden without one. */
void    lb_show_delta    (GtkLabel                 *label,
                          const LbDelta            *delta);

G_END_DECLS
