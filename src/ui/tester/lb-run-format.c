/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Number formatting shared by the tester window's section widgets. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lb-run-format.h"

char *
lb_format_count (guint64 value)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, value);
  GString *text = g_string_new (NULL);
  gsize len = strlen (digits);

  /* Thousands grouped with a comma whatever the C library's locale says. */
  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (text, ',');
      g_string_append_c (text, digits[i]);
    }

  return g_string_free (text, FALSE);
}

char *
lb_format_rate (double value)
{
  if (!isfinite (value))
    return g_strdup ("–");
  if (value >= 100)
    return lb_format_count ((guint64) llround (value));
  return g_strdup_printf ("%.1f", value);
}

char *
lb_format_ms (double ms)
{
  if (!isfinite (ms) || ms <= 0)
    return g_strdup ("–");
  if (ms < 10)
    return g_strdup_printf ("%.2f", ms);
  if (ms < 100)
    return g_strdup_printf ("%.1f", ms);
  return g_strdup_printf ("%.0f", ms);
}

/* A delta under a figure: "+12 %", green when better, red when worse
 * (the core knows which way is better for each figure). */
void
lb_show_delta (GtkLabel      *label,
            const LbDelta *delta)
{
  g_autofree char *text = delta != NULL ? lb_delta_format (delta) : NULL;

  gtk_widget_remove_css_class (GTK_WIDGET (label), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (label), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (label), "dim-label");

  gtk_label_set_label (GTK_LABEL (label), text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL);
  if (text == NULL)
    return;

  if (delta->verdict == LB_DELTA_BETTER)
    gtk_widget_add_css_class (GTK_WIDGET (label), "success");
  else if (delta->verdict == LB_DELTA_WORSE)
    gtk_widget_add_css_class (GTK_WIDGET (label), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (label), "dim-label");
}

double
lb_histogram_ms (const LbLatencyHistogram *histogram,
              double                    percentile)
{
  if (histogram == NULL || lb_latency_histogram_get_count (histogram) == 0)
    return NAN;
  if (percentile < 0)
    return lb_latency_histogram_get_mean (histogram) / 1000.0;
  return lb_latency_histogram_get_percentile (histogram, percentile) / 1000.0;
}

