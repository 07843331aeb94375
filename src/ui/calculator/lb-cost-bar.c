/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbCostBar: the monthly total as segments of one bar with a legend, drawn
 * with Cairo and Pango in GNOME palette colours and the theme's text colour;
 * lb_cost_bar_draw() serves the widget and the tests alike. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "lb-compat.h"
#include "lb-cost-bar.h"

#define BAR_HEIGHT     22.0
#define BAR_RADIUS      6.0
#define LEGEND_GAP     10.0
#define LEGEND_SPACING 18.0
#define SWATCH_SIZE    10.0
#define LINE_SPACING    6.0

struct _LbCostBar
{
  GtkWidget     parent_instance;

  LbCostReport *report;
};

G_DEFINE_FINAL_TYPE (LbCostBar, lb_cost_bar, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_REPORT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* GNOME palette: blue 3, green 4, orange 4 — readable in light and dark. */
static const GdkRGBA segment_colors[] = {
  { 0.208, 0.518, 0.894, 1.0 },
  { 0.180, 0.761, 0.494, 1.0 },
  { 0.902, 0.380, 0.000, 1.0 },
};

typedef struct
{
  const char *label;
  double      amount;
} Segment;

static void
rounded_rectangle (cairo_t *cr,
                   double   x,
                   double   y,
                   double   width,
                   double   height,
                   double   radius)
{
  radius = MIN (radius, MIN (width, height) / 2.0);
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + width - radius, y + radius, radius, -G_PI / 2, 0);
  cairo_arc (cr, x + width - radius, y + height - radius, radius, 0, G_PI / 2);
  cairo_arc (cr, x + radius, y + height - radius, radius, G_PI / 2, G_PI);
  cairo_arc (cr, x + radius, y + radius, radius, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

static guint
get_segments (LbCostBar *self,
              Segment    segments[3])
{
  const LbCostBreakdown *b;

  if (self->report == NULL)
    return 0;

  /* The chosen flavour's split, the same figures as the line items. */
  b = &self->report->breakdown;
  if (self->report->inputs.flavour == LB_FLAVOUR_AUTOSCALING)
    {
      const LbAutoscalingEstimate *a = &self->report->autoscaling;

      segments[0] = (Segment) { _("Compute"), a->monthly_compute_cost_max };
      segments[1] = (Segment) { _("Storage"), a->monthly_storage_cost };
      segments[2] = (Segment) { _("Sync"), a->monthly_sync_cost };
    }
  else
    {
      segments[0] = (Segment) { _("Compute"), b->total_compute_cost };
      segments[1] = (Segment) { _("Storage"), b->storage_cost };
      segments[2] = (Segment) { _("Sync"), b->total_sync_cost };
    }

  return 3;
}

/* Lays the legend out in as many lines as the width needs; returns the
 * height it takes. With @cr NULL it only measures. */
static double
draw_legend (LbCostBar   *self,
             cairo_t     *cr,
             PangoLayout *layout,
             double       y,
             int          width,
             double       total)
{
  Segment segments[3];
  guint n = get_segments (self, segments);
  double x = 0;
  double line_height = 0;
  GdkRGBA fg;

  lb_compat_widget_get_color (GTK_WIDGET (self), &fg);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *money = lb_format_money (segments[i].amount);
      g_autofree char *text = NULL;
      int text_width, text_height;
      double item_width;

      if (total > 0)
        text = g_strdup_printf ("%s %s · %.0f %%", segments[i].label, money, 100.0 * segments[i].amount / total);
      else
        text = g_strdup_printf ("%s %s", segments[i].label, money);

      pango_layout_set_text (layout, text, -1);
      pango_layout_get_pixel_size (layout, &text_width, &text_height);
      item_width = SWATCH_SIZE + 6 + text_width;

      if (x > 0 && x + item_width > width)
        {
          x = 0;
          y += line_height + LINE_SPACING;
        }
      line_height = MAX (line_height, text_height);

      if (cr != NULL)
        {
          gdk_cairo_set_source_rgba (cr, &segment_colors[i]);
          rounded_rectangle (cr, x, y + (text_height - SWATCH_SIZE) / 2.0, SWATCH_SIZE, SWATCH_SIZE, 2);
          cairo_fill (cr);

          gdk_cairo_set_source_rgba (cr, &fg);
          cairo_move_to (cr, x + SWATCH_SIZE + 6, y);
          pango_cairo_show_layout (cr, layout);
        }

      x += item_width + LEGEND_SPACING;
    }

  return y + line_height;
}

void
lb_cost_bar_draw (LbCostBar *self,
                  cairo_t   *cr,
                  int        width,
                  int        height)
{
  Segment segments[3];
  g_autoptr(PangoLayout) layout = NULL;
  GdkRGBA fg;
  double total = 0;
  double x = 0;
  guint n;

  g_return_if_fail (LB_IS_COST_BAR (self));

  lb_compat_widget_get_color (GTK_WIDGET (self), &fg);
  n = get_segments (self, segments);
  for (guint i = 0; i < n; i++)
    total += segments[i].amount;

  /* The track, visible even when everything costs nothing. */
  cairo_save (cr);
  rounded_rectangle (cr, 0, 0, width, BAR_HEIGHT, BAR_RADIUS);
  cairo_clip_preserve (cr);
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.1);
  cairo_fill (cr);

  if (total > 0)
    {
      for (guint i = 0; i < n; i++)
        {
          double segment_width = width * segments[i].amount / total;

          if (segment_width <= 0)
            continue;

          gdk_cairo_set_source_rgba (cr, &segment_colors[i]);
          cairo_rectangle (cr, round (x), 0, ceil (segment_width), BAR_HEIGHT);
          cairo_fill (cr);
          x += segment_width;
        }
    }
  cairo_restore (cr);

  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  draw_legend (self, cr, layout, BAR_HEIGHT + LEGEND_GAP, width, total);
}

static void
lb_cost_bar_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  LbCostBar *self = LB_COST_BAR (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  lb_cost_bar_draw (self, cr, width, height);
  cairo_destroy (cr);
}

static void
lb_cost_bar_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  LbCostBar *self = LB_COST_BAR (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 120;
      *natural = 360;
    }
  else
    {
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, NULL);
      int width = for_size > 0 ? for_size : 360;
      Segment segments[3];
      double total = 0;
      double height;
      guint n = get_segments (self, segments);

      for (guint i = 0; i < n; i++)
        total += segments[i].amount;
      height = draw_legend (self, NULL, layout, BAR_HEIGHT + LEGEND_GAP, width, total);

      *minimum = *natural = (int) ceil (height) + 2;
    }
}

static void
lb_cost_bar_css_changed (GtkWidget         *widget,
                         GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (lb_cost_bar_parent_class)->css_changed (widget, change);
  /* The text colour follows the theme (dark mode). */
  gtk_widget_queue_draw (widget);
}

static void
lb_cost_bar_finalize (GObject *object)
{
  LbCostBar *self = LB_COST_BAR (object);

  g_clear_pointer (&self->report, lb_cost_report_unref);

  G_OBJECT_CLASS (lb_cost_bar_parent_class)->finalize (object);
}

static void
lb_cost_bar_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  LbCostBar *self = LB_COST_BAR (object);

  switch (prop_id)
    {
    case PROP_REPORT:
      g_value_set_boxed (value, self->report);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_cost_bar_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  LbCostBar *self = LB_COST_BAR (object);

  switch (prop_id)
    {
    case PROP_REPORT:
      lb_cost_bar_set_report (self, g_value_get_boxed (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_cost_bar_class_init (LbCostBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = lb_cost_bar_finalize;
  object_class->get_property = lb_cost_bar_get_property;
  object_class->set_property = lb_cost_bar_set_property;

  widget_class->snapshot = lb_cost_bar_snapshot;
  widget_class->measure = lb_cost_bar_measure;
  widget_class->css_changed = lb_cost_bar_css_changed;

  properties[PROP_REPORT] =
    g_param_spec_boxed ("report", NULL, NULL,
                        LB_TYPE_COST_REPORT,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "costbar");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
lb_cost_bar_init (LbCostBar *self)
{
}

GtkWidget *
lb_cost_bar_new (void)
{
  return g_object_new (LB_TYPE_COST_BAR, NULL);
}

LbCostReport *
lb_cost_bar_get_report (LbCostBar *self)
{
  g_return_val_if_fail (LB_IS_COST_BAR (self), NULL);

  return self->report;
}

void
lb_cost_bar_set_report (LbCostBar    *self,
                        LbCostReport *report)
{
  g_return_if_fail (LB_IS_COST_BAR (self));

  if (self->report == report)
    return;

  g_clear_pointer (&self->report, lb_cost_report_unref);
  if (report != NULL)
    self->report = lb_cost_report_ref (report);

  if (report != NULL)
    {
      LbFlavour flavour = report->inputs.flavour;
      g_autofree char *total = lb_format_money (lb_cost_report_get_monthly_total (report, flavour));
      g_autofree char *description = NULL;

      /* TRANSLATORS: "Autoscaling monthly cost split: $1,234.56 in all" */
      description = g_strdup_printf (_("%s monthly cost split: %s in all"),
                                     lb_flavour_get_label (flavour), total);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, description,
                                      -1);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self), description);
    }

  gtk_widget_queue_resize (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPORT]);
}
