/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The throughput chart widget: its samples, scales, colours, hover and
 * properties. What it looks like is drawn by lb-throughput-chart-draw.c, for
 * the screen and for the PNG/SVG exports alike. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "lb-compat.h"
#include "lb-throughput-chart-private.h"

G_DEFINE_FINAL_TYPE (LbThroughputChart, lb_throughput_chart, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TIME_SPAN,
  PROP_PLACEHOLDER_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Fixed series colours (GNOME palette), a lighter set on dark backgrounds. */
static const char * const light_palette[SERIES_COUNT] = { "#1c71d8", "#26a269", "#e66100", "#c01c28" };
static const char * const dark_palette[SERIES_COUNT] = { "#62a0ea", "#57e389", "#ffa348", "#f66151" };

/* Helpers ------------------------------------------------------------------ */

static void
update_colors (LbThroughputChart *self)
{
  const char * const *palette;
  double luminance;

  g_assert (LB_IS_THROUGHPUT_CHART (self));

  lb_compat_widget_get_color (GTK_WIDGET (self), &self->foreground);
  /* A light foreground means a dark background. */
  luminance = 0.2126 * self->foreground.red + 0.7152 * self->foreground.green +
              0.0722 * self->foreground.blue;
  self->dark = luminance > 0.5;

  palette = self->dark ? dark_palette : light_palette;
  for (guint i = 0; i < SERIES_COUNT; i++)
    gdk_rgba_parse (&self->palette[i], palette[i]);
}

static void
update_scales (LbThroughputChart *self)
{
  double tps_max;
  double latency_max;
  double latency_min;

  g_assert (LB_IS_THROUGHPUT_CHART (self));

  tps_max = lb_sample_ring_get_max (self->ring, LB_SAMPLE_FIELD_TPS, 0, G_MAXUINT);
  latency_max = lb_sample_ring_get_max (self->ring, LB_SAMPLE_FIELD_P99, 0, G_MAXUINT);
  latency_min = lb_sample_ring_get_min_positive (self->ring, LB_SAMPLE_FIELD_P50, 0, G_MAXUINT);
  if (self->compare != NULL)
    {
      double compare_min = lb_sample_ring_get_min_positive (self->compare, LB_SAMPLE_FIELD_P50, 0, G_MAXUINT);

      tps_max = MAX (tps_max, lb_sample_ring_get_max (self->compare, LB_SAMPLE_FIELD_TPS, 0, G_MAXUINT));
      latency_max = MAX (latency_max, lb_sample_ring_get_max (self->compare, LB_SAMPLE_FIELD_P99, 0, G_MAXUINT));
      if (compare_min > 0 && (latency_min <= 0 || compare_min < latency_min))
        latency_min = compare_min;
    }

  lb_axis_scale_update (&self->tps_scale, tps_max, MAX_Y_TICKS);
  lb_log_scale_update (&self->latency_scale, latency_min, latency_max);
}

static void
reset_scales (LbThroughputChart *self)
{
  self->tps_scale = (LbAxisScale) { 0 };
  self->latency_scale = (LbLogScale) { 0 };
  update_scales (self);
}

static char *
format_ms (double ms)
{
  if (!isfinite (ms))
    return g_strdup ("–");
  if (ms < 10)
    return g_strdup_printf ("%.2f", ms);
  if (ms < 100)
    return g_strdup_printf ("%.1f", ms);
  return g_strdup_printf ("%.0f", ms);
}

/* Signal callbacks --------------------------------------------------------- */

static void
motion_cb (LbThroughputChart        *self,
           double                    x,
           double                    y,
           GtkEventControllerMotion *controller)
{
  lb_throughput_chart_hover (self, x, y);
}

static void
leave_cb (LbThroughputChart        *self,
          GtkEventControllerMotion *controller)
{
  lb_throughput_chart_hover (self, -1, -1);
}

/* Parent overrides --------------------------------------------------------- */

static void
lb_throughput_chart_snapshot (GtkWidget   *widget,
                              GtkSnapshot *snapshot)
{
  LbThroughputChart *self = LB_THROUGHPUT_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  lb_throughput_chart_draw (self, cr, width, height);
  cairo_destroy (cr);
}

static void
lb_throughput_chart_measure (GtkWidget      *widget,
                             GtkOrientation  orientation,
                             int             for_size,
                             int            *minimum,
                             int            *natural,
                             int            *minimum_baseline,
                             int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 280;
      *natural = 640;
    }
  else
    {
      *minimum = 220;
      *natural = 300;
    }
}

static void
lb_throughput_chart_css_changed (GtkWidget         *widget,
                                 GtkCssStyleChange *change)
{
  LbThroughputChart *self = LB_THROUGHPUT_CHART (widget);

  GTK_WIDGET_CLASS (lb_throughput_chart_parent_class)->css_changed (widget, change);

  /* Dark mode and high contrast arrive here. */
  update_colors (self);
  gtk_widget_queue_draw (widget);
}

static void
lb_throughput_chart_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  LbThroughputChart *self = LB_THROUGHPUT_CHART (object);

  switch (prop_id)
    {
    case PROP_TIME_SPAN:
      g_value_set_double (value, lb_throughput_chart_get_time_span (self));
      break;
    case PROP_PLACEHOLDER_TEXT:
      g_value_set_string (value, lb_throughput_chart_get_placeholder_text (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_throughput_chart_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  LbThroughputChart *self = LB_THROUGHPUT_CHART (object);

  switch (prop_id)
    {
    case PROP_TIME_SPAN:
      lb_throughput_chart_set_time_span (self, g_value_get_double (value));
      break;
    case PROP_PLACEHOLDER_TEXT:
      lb_throughput_chart_set_placeholder_text (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_throughput_chart_finalize (GObject *object)
{
  LbThroughputChart *self = LB_THROUGHPUT_CHART (object);

  g_clear_pointer (&self->ring, lb_sample_ring_unref);
  g_clear_pointer (&self->compare, lb_sample_ring_unref);
  g_clear_pointer (&self->label, g_free);
  g_clear_pointer (&self->compare_label, g_free);
  g_clear_pointer (&self->placeholder_text, g_free);
  g_clear_pointer (&self->workers, g_ptr_array_unref);

  G_OBJECT_CLASS (lb_throughput_chart_parent_class)->finalize (object);
}

static void
lb_throughput_chart_class_init (LbThroughputChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = lb_throughput_chart_finalize;
  object_class->get_property = lb_throughput_chart_get_property;
  object_class->set_property = lb_throughput_chart_set_property;

  widget_class->snapshot = lb_throughput_chart_snapshot;
  widget_class->measure = lb_throughput_chart_measure;
  widget_class->css_changed = lb_throughput_chart_css_changed;

  properties[PROP_TIME_SPAN] =
    g_param_spec_double ("time-span", NULL, NULL,
                         0, G_MAXDOUBLE, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PLACEHOLDER_TEXT] =
    g_param_spec_string ("placeholder-text", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "throughputchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
lb_throughput_chart_init (LbThroughputChart *self)
{
  GtkEventController *motion;

  self->ring = lb_sample_ring_new (LB_SAMPLE_RING_DEFAULT_CAPACITY);
  self->workers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  self->hover_index = -1;
  self->placeholder_text = g_strdup (_("No samples yet"));
  reset_scales (self);
  update_colors (self);

  motion = gtk_event_controller_motion_new ();
  g_signal_connect_object (motion, "motion", G_CALLBACK (motion_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (motion, "leave", G_CALLBACK (leave_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Throughput and latency over time"),
                                  -1);
}

/* Public API --------------------------------------------------------------- */

GtkWidget *
lb_throughput_chart_new (void)
{
  return g_object_new (LB_TYPE_THROUGHPUT_CHART, NULL);
}

void
lb_throughput_chart_clear (LbThroughputChart *self)
{
  g_return_if_fail (LB_IS_THROUGHPUT_CHART (self));

  lb_sample_ring_clear (self->ring);
  g_ptr_array_set_size (self->workers, 0);
  self->hover_index = -1;
  reset_scales (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
lb_throughput_chart_push_sample (LbThroughputChart *self,
                                 const LbRunSample *sample)
{
  g_return_if_fail (LB_IS_THROUGHPUT_CHART (self));
  g_return_if_fail (sample != NULL);

  lb_sample_ring_push (self->ring, sample);
  if (self->hover_index >= 0 &&
      lb_sample_ring_get_n_pushed (self->ring) > lb_sample_ring_get_n_samples (self->ring))
    self->hover_index = MAX (0, self->hover_index - 1);
  update_scales (self);
  /* The one redraw per sample. */
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
lb_throughput_chart_set_samples (LbThroughputChart *self,
                                 const GArray      *samples)
{
  g_return_if_fail (LB_IS_THROUGHPUT_CHART (self));

  lb_sample_ring_clear (self->ring);
  lb_sample_ring_push_array (self->ring, samples);
  self->hover_index = -1;
  reset_scales (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

LbSampleRing *
lb_throughput_chart_get_ring (LbThroughputChart *self)
{
  g_return_val_if_fail (LB_IS_THROUGHPUT_CHART (self), NULL);

  return self->ring;
}

guint
lb_throughput_chart_get_n_samples (LbThroughputChart *self)
{
  g_return_val_if_fail (LB_IS_THROUGHPUT_CHART (self), 0);

  return lb_sample_ring_get_n_samples (self->ring);
}

void
lb_throughput_chart_set_compare (LbThroughputChart *self,
                                 const GArray      *samples,
                                 const char        *label,
                                 const char        *compare_label)
{
  g_return_if_fail (LB_IS_THROUGHPUT_CHART (self));

  g_clear_pointer (&self->compare, lb_sample_ring_unref);
  g_clear_pointer (&self->label, g_free);
  g_clear_pointer (&self->compare_label, g_free);

  if (samples != NULL)
    {
      self->compare = lb_sample_ring_new (MAX (1, samples->len));
      lb_sample_ring_push_array (self->compare, samples);
      self->label = g_strdup (label);
      self->compare_label = g_strdup (compare_label);
    }

  reset_scales (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
lb_throughput_chart_get_n_compare_samples (LbThroughputChart *self)
{
  g_return_val_if_fail (LB_IS_THROUGHPUT_CHART (self), 0);

  return self->compare != NULL ? lb_sample_ring_get_n_samples (self->compare) : 0;
}

void
lb_throughput_chart_set_time_span (LbThroughputChart *self,
                                   double             seconds)
{
  g_return_if_fail (LB_IS_THROUGHPUT_CHART (self));

  seconds = isfinite (seconds) ? MAX (0, seconds) : 0;
  if (self->time_span == seconds)
    return;

  self->time_span = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIME_SPAN]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

double
lb_throughput_chart_get_time_span (LbThroughputChart *self)
{
  g_return_val_if_fail (LB_IS_THROUGHPUT_CHART (self), 0);

  return self->time_span;
}

void
lb_throughput_chart_set_placeholder_text (LbThroughputChart *self,
                                          const char        *text)
{
  g_return_if_fail (LB_IS_THROUGHPUT_CHART (self));

  if (g_strcmp0 (self->placeholder_text, text) == 0)
    return;

  g_free (self->placeholder_text);
  self->placeholder_text = g_strdup (text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLACEHOLDER_TEXT]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const char *
lb_throughput_chart_get_placeholder_text (LbThroughputChart *self)
{
  g_return_val_if_fail (LB_IS_THROUGHPUT_CHART (self), NULL);

  return self->placeholder_text;
}

void
lb_throughput_chart_hover (LbThroughputChart *self,
                           double             x,
                           double             y)
{
  int index = -1;

  g_return_if_fail (LB_IS_THROUGHPUT_CHART (self));

  if (x >= 0 && self->geometry.width > 0 &&
      x >= self->geometry.x - 10 && x <= self->geometry.x + self->geometry.width + 10)
    {
      double t = self->geometry.t0 + (x - self->geometry.x) / self->geometry.width *
                 (self->geometry.t1 - self->geometry.t0);

      index = lb_sample_ring_find_nearest (self->ring, t);
    }

  self->hover_x = x;
  self->hover_y = y;
  if (index == self->hover_index && index < 0)
    return;

  self->hover_index = index;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

char *
lb_throughput_chart_dup_hover_text (LbThroughputChart *self)
{
  const LbRunSample *sample;
  g_autofree char *time = NULL;
  g_autofree char *p50 = NULL;
  g_autofree char *p95 = NULL;
  g_autofree char *p99 = NULL;
  GString *text;

  g_return_val_if_fail (LB_IS_THROUGHPUT_CHART (self), NULL);

  if (self->hover_index < 0 || (guint) self->hover_index >= lb_sample_ring_get_n_samples (self->ring))
    return NULL;

  sample = lb_sample_ring_get (self->ring, self->hover_index);
  time = lb_format_elapsed (sample->t);
  p50 = format_ms (sample->p50_ms);
  p95 = format_ms (sample->p95_ms);
  p99 = format_ms (sample->p99_ms);

  text = g_string_new (time);
  g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, " · %u client", " · %u clients", sample->clients),
                          sample->clients);
  if (sample->warmup)
    g_string_append_printf (text, " · %s", _("warm-up"));
  g_string_append_c (text, '\n');
  g_string_append_printf (text, _("%.0f tx/s"), sample->tps);
  if (sample->failed > 0)
    g_string_append_printf (text, _(" · %" G_GUINT64_FORMAT " failed"), sample->failed);
  g_string_append_c (text, '\n');
  g_string_append_printf (text, _("p50 %s · p95 %s · p99 %s ms"), p50, p95, p99);

  return g_string_free (text, FALSE);
}

double
lb_throughput_chart_get_latency_fraction (LbThroughputChart *self,
                                          double             ms)
{
  g_return_val_if_fail (LB_IS_THROUGHPUT_CHART (self), NAN);

  return lb_log_scale_fraction (&self->latency_scale, ms);
}

void
lb_throughput_chart_get_series_color (LbThroughputChart *self,
                                      guint              series,
                                      GdkRGBA           *color)
{
  g_return_if_fail (LB_IS_THROUGHPUT_CHART (self));
  g_return_if_fail (series < SERIES_COUNT);
  g_return_if_fail (color != NULL);

  *color = self->palette[series];
}

/* Workers ------------------------------------------------------------------ */

static GArray *
ensure_worker (LbThroughputChart *self,
               guint              worker)
{
  /* A worker number comes from the run (at most a few hundred). */
  while (self->workers->len <= worker)
    g_ptr_array_add (self->workers, g_array_new (FALSE, FALSE, sizeof (LbWorkerPoint)));

  return g_ptr_array_index (self->workers, worker);
}

void
lb_throughput_chart_push_worker_tps (LbThroughputChart *self,
                                     guint              worker,
                                     double             t,
                                     double             tps)
{
  LbWorkerPoint point = { t, isfinite (tps) ? MAX (tps, 0) : 0 };
  GArray *series;

  g_return_if_fail (LB_IS_THROUGHPUT_CHART (self));
  g_return_if_fail (worker < 4096);

  series = ensure_worker (self, worker);
  g_array_append_val (series, point);
  /* The total's sample of the same second redraws; only a lone worker
   * point while the lines show needs its own. */
  if (self->show_workers)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
lb_throughput_chart_set_worker_series (LbThroughputChart *self,
                                       const GArray      *samples,
                                       GPtrArray         *series)
{
  g_return_if_fail (LB_IS_THROUGHPUT_CHART (self));

  g_ptr_array_set_size (self->workers, 0);
  for (guint w = 0; series != NULL && samples != NULL && w < series->len; w++)
    {
      const GArray *tps = g_ptr_array_index (series, w);
      GArray *points = ensure_worker (self, w);

      for (guint i = 0; tps != NULL && i < MIN (tps->len, samples->len); i++)
        {
          LbWorkerPoint point = { g_array_index (samples, LbRunSample, i).t,
                                  g_array_index (tps, double, i) };

          g_array_append_val (points, point);
        }
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
lb_throughput_chart_get_n_workers (LbThroughputChart *self)
{
  g_return_val_if_fail (LB_IS_THROUGHPUT_CHART (self), 0);

  return self->workers->len;
}

guint
lb_throughput_chart_get_n_worker_points (LbThroughputChart *self,
                                         guint              worker)
{
  g_return_val_if_fail (LB_IS_THROUGHPUT_CHART (self), 0);

  if (worker >= self->workers->len)
    return 0;
  return ((GArray *) g_ptr_array_index (self->workers, worker))->len;
}

void
lb_throughput_chart_set_show_workers (LbThroughputChart *self,
                                      gboolean           show)
{
  g_return_if_fail (LB_IS_THROUGHPUT_CHART (self));

  show = !!show;
  if (self->show_workers == show)
    return;
  self->show_workers = show;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
lb_throughput_chart_get_show_workers (LbThroughputChart *self)
{
  g_return_val_if_fail (LB_IS_THROUGHPUT_CHART (self), FALSE);

  return self->show_workers;
}
