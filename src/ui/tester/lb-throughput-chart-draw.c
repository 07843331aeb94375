/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Drawing the throughput chart with Cairo and Pango: axes, ticks, the series,
 * the ladder's steps, the legend and the hover box; and the PNG and SVG
 * exports, which draw the same picture off screen. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <cairo-svg.h>
#include <pango/pangocairo.h>

#include "lb-compat.h"
#include "lb-throughput-chart-private.h"

static const LbSampleField latency_fields[] = {
  LB_SAMPLE_FIELD_P50, LB_SAMPLE_FIELD_P95, LB_SAMPLE_FIELD_P99,
};

/* Geometry and text ----------------------------------------------------- */

static void
time_range (LbThroughputChart *self,
            double            *t0,
            double            *t1)
{
  LbSampleRing *rings[] = { self->ring, self->compare };
  double start = 0;
  double end = 0;

  for (guint r = 0; r < G_N_ELEMENTS (rings); r++)
    {
      const LbRunSample *first;
      const LbRunSample *last;

      if (rings[r] == NULL || lb_sample_ring_get_n_samples (rings[r]) == 0)
        continue;

      first = lb_sample_ring_get (rings[r], 0);
      last = lb_sample_ring_get_last (rings[r]);
      /* A ring that dropped its oldest samples starts later than 0. */
      if (r == 0 && lb_sample_ring_get_n_pushed (rings[r]) > lb_sample_ring_get_n_samples (rings[r]))
        start = first->t - first->interval;
      else
        start = MIN (start, first->t - first->interval);
      end = MAX (end, last->t);
    }

  end = MAX (end, self->time_span);
  end = MAX (end, start + 2);

  *t0 = start;
  *t1 = end;
}

static inline double
x_for_time (const PlotGeometry *g,
            double              t)
{
  return g->x + (t - g->t0) / (g->t1 - g->t0) * g->width;
}

static inline double
y_for_value (const PlotGeometry *g,
             double              value,
             double              max)
{
  return g->y + g->height - CLAMP (value / max, 0, 1) * g->height;
}

static inline double
y_for_latency (const PlotGeometry *g,
               const LbLogScale   *scale,
               double              ms)
{
  double fraction = lb_log_scale_fraction (scale, ms);

  return g->y + g->height - (isfinite (fraction) ? fraction : 0) * g->height;
}

static PangoLayout *
create_layout (LbThroughputChart *self,
               cairo_t           *cr,
               double             scale)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  const PangoFontDescription *widget_font;
  g_autoptr(PangoFontDescription) font = NULL;
  PangoContext *context = gtk_widget_get_pango_context (GTK_WIDGET (self));

  widget_font = pango_context_get_font_description (context);
  font = widget_font != NULL ? pango_font_description_copy (widget_font)
                             : pango_font_description_from_string ("Sans 11");
  if (pango_font_description_get_size (font) <= 0)
    pango_font_description_set_size (font, 11 * PANGO_SCALE);
  pango_font_description_set_size (font, (int) (pango_font_description_get_size (font) * scale));
  pango_layout_set_font_description (layout, font);

  return layout;
}

static void
text_size (PangoLayout *layout,
           const char  *text,
           double      *width,
           double      *height)
{
  int w, h;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  if (width != NULL)
    *width = w;
  if (height != NULL)
    *height = h;
}

/* Draws @text with its anchor at (@x, @y): @xalign/@yalign 0 = left/top,
 * 0.5 = centre, 1 = right/bottom. Returns the text's left and right edges. */
static void
draw_text (cairo_t     *cr,
           PangoLayout *layout,
           const char  *text,
           double       x,
           double       y,
           double       xalign,
           double       yalign,
           double      *left,
           double      *right)
{
  double w, h;

  text_size (layout, text, &w, &h);
  x = round (x - w * xalign);
  y = round (y - h * yalign);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);

  if (left != NULL)
    *left = x;
  if (right != NULL)
    *right = x + w;
}

static void
set_color (cairo_t       *cr,
           const GdkRGBA *color,
           double         alpha)
{
  cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha * alpha);
}

/* "0.1", "2", "50", "1k": a latency tick's label, as few digits as it needs. */
static char *
format_latency_tick (double ms)
{
  return lb_format_tick (ms, pow (10, floor (log10 (ms) + 1e-9)));
}

/* Drawing ------------------------------------------------------------------ */

static gboolean
is_fragment (LbSampleRing *ring,
             guint         index)
{
  const LbRunSample *sample = lb_sample_ring_get (ring, index);
  const LbRunSample *first = lb_sample_ring_get (ring, 0);

  return index > 0 && sample->interval < first->interval * 0.5;
}

/* @latency_scale maps latency fields; throughput is linear up to @max. */
static void
trace_series (cairo_t            *cr,
              const PlotGeometry *g,
              LbSampleRing       *ring,
              LbSampleField       field,
              double              max,
              const LbLogScale   *latency_scale)
{
  gboolean drawing = FALSE;
  guint n = lb_sample_ring_get_n_samples (ring);

  for (guint i = 0; i < n; i++)
    {
      const LbRunSample *sample = lb_sample_ring_get (ring, i);
      double value = lb_sample_ring_get_value (ring, i, field);
      double x, y;

      /* An interval without any transaction has no latency: leave a gap.
       * The last interval of a run can be a fragment: its rate means little. */
      if (!isfinite (value) || (field != LB_SAMPLE_FIELD_TPS && sample->transactions == 0) ||
          is_fragment (ring, i))
        {
          drawing = FALSE;
          continue;
        }

      x = x_for_time (g, sample->t);
      y = field == LB_SAMPLE_FIELD_TPS ? y_for_value (g, value, max) : y_for_latency (g, latency_scale, value);
      if (drawing)
        cairo_line_to (cr, x, y);
      else
        cairo_move_to (cr, x, y);
      drawing = TRUE;
    }
}

static void
draw_tps_area (LbThroughputChart  *self,
               cairo_t            *cr,
               const PlotGeometry *g,
               LbSampleRing       *ring)
{
  guint n = lb_sample_ring_get_n_samples (ring);
  double baseline = g->y + g->height;
  double first_x = 0, last_x = 0;

  if (n == 0)
    return;

  for (guint i = 0; i < n; i++)
    {
      const LbRunSample *sample = lb_sample_ring_get (ring, i);
      double value = isfinite (sample->tps) ? sample->tps : 0;
      double x = x_for_time (g, sample->t);

      if (is_fragment (ring, i))
        continue;

      if (i == 0)
        {
          first_x = x;
          cairo_move_to (cr, x, baseline);
        }
      cairo_line_to (cr, x, y_for_value (g, value, self->tps_scale.max));
      last_x = x;
    }
  cairo_line_to (cr, last_x, baseline);
  cairo_line_to (cr, first_x, baseline);
  cairo_close_path (cr);
  set_color (cr, &self->palette[0], 0.16);
  cairo_fill (cr);
}

/* One thin line per worker under the total, in the total's colour but
 * lighter, so the breakdown reads as parts of the one thick line. */
static void
draw_workers (LbThroughputChart  *self,
              cairo_t            *cr,
              const PlotGeometry *g)
{
  if (!self->show_workers)
    return;

  cairo_save (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_width (cr, 1.0);
  for (guint w = 0; w < self->workers->len; w++)
    {
      GArray *points = g_ptr_array_index (self->workers, w);

      for (guint i = 0; i < points->len; i++)
        {
          const LbWorkerPoint *p = &g_array_index (points, LbWorkerPoint, i);
          double x = x_for_time (g, p->t);
          double y = y_for_value (g, p->tps, self->tps_scale.max);

          if (i == 0)
            cairo_move_to (cr, x, y);
          else
            cairo_line_to (cr, x, y);
        }
      /* Alternate two shades so neighbouring workers stay apart. */
      set_color (cr, &self->palette[0], w % 2 == 0 ? 0.7 : 0.5);
      cairo_stroke (cr);
    }
  cairo_restore (cr);
}

static void
draw_run (LbThroughputChart  *self,
          cairo_t            *cr,
          const PlotGeometry *g,
          LbSampleRing       *ring,
          gboolean            compare)
{
  static const double dashes[] = { 6, 4 };
  double alpha = compare ? 0.6 : 1.0;

  if (lb_sample_ring_get_n_samples (ring) == 0)
    return;

  cairo_save (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  if (compare)
    cairo_set_dash (cr, dashes, G_N_ELEMENTS (dashes), 0);
  else
    {
      draw_tps_area (self, cr, g, ring);
      draw_workers (self, cr, g);
    }

  for (guint i = 0; i < G_N_ELEMENTS (latency_fields); i++)
    {
      trace_series (cr, g, ring, latency_fields[i], 0, &self->latency_scale);
      set_color (cr, &self->palette[i + 1], alpha);
      cairo_set_line_width (cr, 1.5);
      cairo_stroke (cr);
    }

  trace_series (cr, g, ring, LB_SAMPLE_FIELD_TPS, self->tps_scale.max, NULL);
  set_color (cr, &self->palette[0], alpha);
  cairo_set_line_width (cr, compare ? 2.0 : 2.5);
  cairo_stroke (cr);
  cairo_restore (cr);
}

static double
draw_legend (LbThroughputChart *self,
             cairo_t           *cr,
             PangoLayout       *layout,
             double             x0,
             double             y0,
             double             width,
             gboolean           measure_only)
{
  const char *names[] = { _("tx/s"), _("p50"), _("p95"), _("p99"), NULL, NULL, NULL };
  double x = x0, y = y0;
  double line_height;
  guint n_items = SERIES_COUNT;

  text_size (layout, "Mg", NULL, &line_height);

  if (self->compare != NULL)
    {
      names[SERIES_COUNT] = self->label != NULL ? self->label : _("This run");
      names[SERIES_COUNT + 1] = self->compare_label != NULL ? self->compare_label : _("Compared run");
      n_items += 2;
    }
  if (self->show_workers && self->workers->len > 0)
    names[n_items++] = _("each worker");

  for (guint i = 0; i < n_items; i++)
    {
      double text_width;
      double item_width;
      double mid;

      text_size (layout, names[i], &text_width, NULL);
      item_width = 18 + 5 + text_width;
      if (x > x0 && x + item_width > x0 + width)
        {
          x = x0;
          y += line_height + 2;
        }

      if (!measure_only)
        {
          mid = round (y + line_height / 2) + 0.5;
          cairo_save (cr);
          if (i == 0)
            {
              set_color (cr, &self->palette[0], 0.16);
              cairo_rectangle (cr, x, mid - 5, 18, 10);
              cairo_fill (cr);
              set_color (cr, &self->palette[0], 1);
              cairo_set_line_width (cr, 2.5);
            }
          else if (i < SERIES_COUNT)
            {
              set_color (cr, &self->palette[i], 1);
              cairo_set_line_width (cr, 1.5);
            }
          else if (g_strcmp0 (names[i], _("each worker")) == 0)
            {
              set_color (cr, &self->palette[0], 0.55);
              cairo_set_line_width (cr, 1.0);
            }
          else
            {
              static const double dashes[] = { 4, 3 };

              set_color (cr, &self->foreground, 0.7);
              cairo_set_line_width (cr, 2);
              if (i == SERIES_COUNT + 1)
                cairo_set_dash (cr, dashes, G_N_ELEMENTS (dashes), 0);
            }
          cairo_move_to (cr, x, mid);
          cairo_line_to (cr, x + 18, mid);
          cairo_stroke (cr);
          cairo_restore (cr);

          set_color (cr, &self->foreground, 0.85);
          draw_text (cr, layout, names[i], x + 23, y, 0, 0, NULL, NULL);
        }

      x += item_width + 14;
    }

  return y + line_height - y0;
}

static void
draw_ladder_steps (LbThroughputChart  *self,
                   cairo_t            *cr,
                   PangoLayout        *layout,
                   const PlotGeometry *g)
{
  static const double dashes[] = { 3, 3 };
  guint n = lb_sample_ring_get_n_samples (self->ring);
  double last_label_end = -G_MAXDOUBLE;
  gboolean ladder = FALSE;

  for (guint i = 1; i < n && !ladder; i++)
    ladder = lb_sample_ring_get (self->ring, i)->clients != lb_sample_ring_get (self->ring, i - 1)->clients;
  if (!ladder)
    return;

  for (guint i = 0; i < n; i++)
    {
      const LbRunSample *sample = lb_sample_ring_get (self->ring, i);
      const LbRunSample *previous = i > 0 ? lb_sample_ring_get (self->ring, i - 1) : NULL;
      g_autofree char *text = NULL;
      double x;

      if (previous != NULL && previous->clients == sample->clients)
        continue;

      x = previous != NULL ? x_for_time (g, previous->t) : x_for_time (g, sample->t - sample->interval);
      x = round (x) + 0.5;
      if (previous != NULL)
        {
          cairo_save (cr);
          cairo_set_dash (cr, dashes, G_N_ELEMENTS (dashes), 0);
          set_color (cr, &self->foreground, 0.35);
          cairo_set_line_width (cr, 1);
          cairo_move_to (cr, x, g->y);
          cairo_line_to (cr, x, g->y + g->height);
          cairo_stroke (cr);
          cairo_restore (cr);
        }

      /* Translators: a step of a concurrency ladder, on the chart */
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u client", "%u clients", sample->clients),
                              sample->clients);
      if (x + 3 > last_label_end + 6)
        {
          double right;

          set_color (cr, &self->foreground, 0.6);
          draw_text (cr, layout, text, x + 3, g->y + 2, 0, 0, NULL, &right);
          last_label_end = right;
        }
    }
}

static void
draw_hover (LbThroughputChart  *self,
            cairo_t            *cr,
            PangoLayout        *layout,
            const PlotGeometry *g,
            int                 width,
            int                 height)
{
  const LbRunSample *sample;
  g_autofree char *text = NULL;
  double x;
  double box_w, box_h;
  double bx, by;

  if (self->hover_index < 0 || (guint) self->hover_index >= lb_sample_ring_get_n_samples (self->ring))
    return;

  sample = lb_sample_ring_get (self->ring, self->hover_index);
  x = round (x_for_time (g, sample->t)) + 0.5;

  cairo_save (cr);
  set_color (cr, &self->foreground, 0.4);
  cairo_set_line_width (cr, 1);
  cairo_move_to (cr, x, g->y);
  cairo_line_to (cr, x, g->y + g->height);
  cairo_stroke (cr);

  /* Markers on every series at that time. */
  for (guint i = 0; i < SERIES_COUNT; i++)
    {
      double value = i == 0 ? sample->tps : lb_sample_ring_get_value (self->ring, self->hover_index,
                                                                     latency_fields[i - 1]);
      double y;

      if (!isfinite (value) || (i > 0 && sample->transactions == 0))
        continue;
      y = i == 0 ? y_for_value (g, value, self->tps_scale.max) : y_for_latency (g, &self->latency_scale, value);
      cairo_arc (cr, x, y, 4, 0, 2 * G_PI);
      set_color (cr, &self->palette[i], 1);
      cairo_fill_preserve (cr);
      set_color (cr, &self->foreground, 0.9);
      cairo_set_line_width (cr, 1);
      cairo_stroke (cr);
    }

  /* The box goes right of the pointer, or left when it would not fit. */
  text = lb_throughput_chart_dup_hover_text (self);
  text_size (layout, text, &box_w, &box_h);
  box_w += 16;
  box_h += 12;
  bx = x + 12;
  if (bx + box_w > width - 2)
    bx = x - 12 - box_w;
  bx = CLAMP (bx, 2, MAX (2, width - box_w - 2));
  by = CLAMP (self->hover_y - box_h / 2, g->y, MAX (g->y, height - box_h - 2));

  cairo_new_path (cr);
  cairo_rectangle (cr, round (bx) + 0.5, round (by) + 0.5, round (box_w), round (box_h));
  if (self->dark)
    cairo_set_source_rgba (cr, 0.15, 0.15, 0.15, 0.95);
  else
    cairo_set_source_rgba (cr, 1, 1, 1, 0.95);
  cairo_fill_preserve (cr);
  set_color (cr, &self->foreground, 0.25);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);

  set_color (cr, &self->foreground, 0.95);
  draw_text (cr, layout, text, bx + 8, by + 6, 0, 0, NULL, NULL);
  cairo_restore (cr);
}

void
lb_throughput_chart_draw (LbThroughputChart *self,
                          cairo_t           *cr,
                          int                width,
                          int                height)
{
  g_autoptr(PangoLayout) small = NULL;
  g_autoptr(PangoLayout) normal = NULL;
  PlotGeometry g;
  double small_h;
  double left_w = 0, right_w = 0;
  double legend_h;
  double x_step;
  double last_label_end;
  double last_label_top;
  double w;
  double latency_ticks[32];
  guint n_latency_ticks;
  guint n_samples;

  g_return_if_fail (LB_IS_THROUGHPUT_CHART (self));
  g_return_if_fail (cr != NULL);

  if (width < 80 || height < 60)
    return;

  cairo_save (cr);
  small = create_layout (self, cr, 0.82);
  normal = create_layout (self, cr, 0.9);
  text_size (small, "0123456789", NULL, &small_h);
  n_samples = lb_sample_ring_get_n_samples (self->ring);

  /* The Y labels' widths decide the side margins. */
  for (double v = 0; v <= self->tps_scale.max * (1 + 1e-9); v += self->tps_scale.step)
    {
      g_autofree char *label = lb_format_tick (v, self->tps_scale.step);
      text_size (small, label, &w, NULL);
      left_w = MAX (left_w, w);
    }
  n_latency_ticks = lb_log_scale_ticks (&self->latency_scale, MAX_LOG_TICKS, latency_ticks,
                                        G_N_ELEMENTS (latency_ticks));
  for (guint i = 0; i < n_latency_ticks; i++)
    {
      g_autofree char *label = format_latency_tick (latency_ticks[i]);
      text_size (small, label, &w, NULL);
      right_w = MAX (right_w, w);
    }
  text_size (small, _("tx/s"), &w, NULL);
  left_w = MAX (left_w, w);
  text_size (small, _("ms (log)"), &w, NULL);
  right_w = MAX (right_w, w);

  legend_h = draw_legend (self, cr, normal, PAD + left_w + 8, PAD,
                          width - 2 * PAD - left_w - right_w - 16, TRUE);

  g.x = round (PAD + left_w + 8);
  g.y = round (PAD + legend_h + 8 + small_h + 6);
  g.width = round (width - g.x - PAD - right_w - 8);
  g.height = round (height - g.y - PAD - small_h - 6);
  time_range (self, &g.t0, &g.t1);
  if (g.width < 20 || g.height < 20)
    {
      cairo_restore (cr);
      return;
    }

  if (!self->exporting)
    self->geometry = g;

  draw_legend (self, cr, normal, g.x, PAD, g.width, FALSE);

  /* Warm-up intervals (t < 0) sit on a shaded band. */
  if (g.t0 < 0)
    {
      double x_zero = round (x_for_time (&g, 0));
      g_autofree char *label = g_strdup (_("warm-up"));
      double label_w;

      set_color (cr, &self->foreground, 0.05);
      cairo_rectangle (cr, g.x, g.y, x_zero - g.x, g.height);
      cairo_fill (cr);
      text_size (small, label, &label_w, NULL);
      if (label_w + 8 < x_zero - g.x)
        {
          set_color (cr, &self->foreground, 0.5);
          draw_text (cr, small, label, (g.x + x_zero) / 2, g.y + g.height - 4, 0.5, 1, NULL, NULL);
        }
    }

  /* Horizontal grid and left labels on the throughput axis. */
  cairo_set_line_width (cr, 1);
  for (double v = 0; v <= self->tps_scale.max * (1 + 1e-9); v += self->tps_scale.step)
    {
      g_autofree char *label = lb_format_tick (v, self->tps_scale.step);
      double y = round (y_for_value (&g, v, self->tps_scale.max)) + 0.5;

      set_color (cr, &self->foreground, v == 0 ? 0.3 : 0.1);
      cairo_move_to (cr, g.x, y);
      cairo_line_to (cr, g.x + g.width, y);
      cairo_stroke (cr);

      set_color (cr, &self->foreground, 0.7);
      draw_text (cr, small, label, g.x - 6, y, 1, 0.5, NULL, NULL);
    }

  /* Right labels on the logarithmic latency axis, with short ticks; a label
   * that would touch the one below it is left out (its tick stays). */
  last_label_top = G_MAXDOUBLE;
  for (guint i = 0; i < n_latency_ticks; i++)
    {
      double v = latency_ticks[i];
      double y = round (y_for_latency (&g, &self->latency_scale, v)) + 0.5;
      gboolean decade = fabs (log10 (v) - round (log10 (v))) < 1e-9;

      set_color (cr, &self->foreground, 0.3);
      cairo_move_to (cr, g.x + g.width, y);
      cairo_line_to (cr, g.x + g.width + (decade ? 5 : 3), y);
      cairo_stroke (cr);

      if (y + small_h / 2 + 2 <= last_label_top)
        {
          g_autofree char *label = format_latency_tick (v);

          set_color (cr, &self->foreground, 0.7);
          draw_text (cr, small, label, g.x + g.width + 7, y, 0, 0.5, NULL, NULL);
          last_label_top = y - small_h / 2;
        }
    }

  /* Axis units above the axes. */
  set_color (cr, &self->foreground, 0.7);
  draw_text (cr, small, _("tx/s"), g.x - 6, g.y - 6, 1, 1, NULL, NULL);
  /* Translators: the unit of the latency axis, which is logarithmic */
  draw_text (cr, small, _("ms (log)"), g.x + g.width + 6, g.y - 6, 0, 1, NULL, NULL);

  /* Vertical grid and elapsed-time labels; labels that would overlap are skipped. */
  x_step = lb_time_step (g.t1 - g.t0, MAX (1, (guint) (g.width / MIN_X_LABEL_SPACING)));
  last_label_end = -G_MAXDOUBLE;
  for (double t = ceil (g.t0 / x_step) * x_step; t <= g.t1 + 1e-9; t += x_step)
    {
      g_autofree char *label = lb_format_elapsed (t);
      double x = round (x_for_time (&g, t)) + 0.5;
      double label_w;

      set_color (cr, &self->foreground, 0.1);
      cairo_move_to (cr, x, g.y);
      cairo_line_to (cr, x, g.y + g.height);
      cairo_stroke (cr);

      text_size (small, label, &label_w, NULL);
      if (x - label_w / 2 < last_label_end + 8 || x + label_w / 2 > width - 1)
        continue;
      set_color (cr, &self->foreground, 0.7);
      draw_text (cr, small, label, x, g.y + g.height + 4, 0.5, 0, NULL, &last_label_end);
    }

  /* The series, clipped to the plot. */
  cairo_save (cr);
  cairo_rectangle (cr, g.x - 2, g.y - 2, g.width + 4, g.height + 3);
  cairo_clip (cr);
  draw_ladder_steps (self, cr, small, &g);
  if (self->compare != NULL)
    draw_run (self, cr, &g, self->compare, TRUE);
  draw_run (self, cr, &g, self->ring, FALSE);
  cairo_restore (cr);

  if (n_samples == 0 && (self->compare == NULL || lb_sample_ring_get_n_samples (self->compare) == 0) &&
      self->placeholder_text != NULL)
    {
      set_color (cr, &self->foreground, 0.55);
      draw_text (cr, normal, self->placeholder_text, g.x + g.width / 2, g.y + g.height / 2, 0.5, 0.5,
                 NULL, NULL);
    }

  if (!self->exporting)
    draw_hover (self, cr, normal, &g, width, height);

  cairo_restore (cr);
}

/* Export ------------------------------------------------------------------- */

static cairo_status_t
append_to_byte_array (void                *closure,
                      const unsigned char *data,
                      unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static void
paint_background (LbThroughputChart *self,
                  cairo_t           *cr)
{
  /* An exported chart needs the window's background behind its text. */
  if (self->dark)
    cairo_set_source_rgb (cr, 0x24 / 255.0, 0x24 / 255.0, 0x24 / 255.0);
  else
    cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
}

static GBytes *
render_to_surface (LbThroughputChart *self,
                   cairo_surface_t   *surface,
                   int                width,
                   int                height,
                   gboolean           png,
                   GByteArray        *bytes,
                   GError           **error)
{
  cairo_t *cr;
  cairo_status_t status;

  cr = cairo_create (surface);
  paint_background (self, cr);
  self->exporting = TRUE;
  lb_throughput_chart_draw (self, cr, width, height);
  self->exporting = FALSE;
  status = cairo_status (cr);
  cairo_destroy (cr);

  if (status == CAIRO_STATUS_SUCCESS && png)
    status = cairo_surface_write_to_png_stream (surface, append_to_byte_array, bytes);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_byte_array_unref (bytes);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not draw the chart: %s"), cairo_status_to_string (status));
      return NULL;
    }

  return g_byte_array_free_to_bytes (bytes);
}

GBytes *
lb_throughput_chart_render_png (LbThroughputChart  *self,
                                int                 width,
                                int                 height,
                                GError            **error)
{
  g_return_val_if_fail (LB_IS_THROUGHPUT_CHART (self), NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  return render_to_surface (self, cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height),
                            width, height, TRUE, g_byte_array_new (), error);
}

GBytes *
lb_throughput_chart_render_svg (LbThroughputChart  *self,
                                int                 width,
                                int                 height,
                                GError            **error)
{
  GByteArray *bytes;

  g_return_val_if_fail (LB_IS_THROUGHPUT_CHART (self), NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  bytes = g_byte_array_new ();
  return render_to_surface (self,
                            cairo_svg_surface_create_for_stream (append_to_byte_array, bytes, width, height),
                            width, height, FALSE, bytes, error);
}
