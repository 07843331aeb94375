/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the throughput chart's two files share: the widget's state, read by the
 * drawing code (lb-throughput-chart-draw.c) and kept up to date by the widget
 * and its public API (lb-throughput-chart.c). */
#pragma once

#include "lb-throughput-chart.h"

G_BEGIN_DECLS

#define PAD           8.0
#define MAX_Y_TICKS   5
#define MIN_X_LABEL_SPACING 70.0
#define SERIES_COUNT  4
#define MAX_LOG_TICKS 10

typedef struct
{
  double t;
  double tps;
} LbWorkerPoint;

typedef struct
{
  double x, y, width, height;   /* the plot area */
  double t0, t1;                /* its time range */
} PlotGeometry;

struct _LbThroughputChart
{
  GtkWidget      parent_instance;

  /* Owned References */
  LbSampleRing  *ring;
  LbSampleRing  *compare;        /* NULL unless comparing */
  char          *label;
  char          *compare_label;
  char          *placeholder_text;

  LbAxisScale    tps_scale;
  LbLogScale     latency_scale;   /* logarithmic: p50 stays readable under p99 */
  double         time_span;

  GdkRGBA        foreground;
  GdkRGBA        palette[SERIES_COUNT];
  gboolean       dark;

  /* The geometry of the last on-screen draw, to map the pointer to a time. */
  PlotGeometry   geometry;
  int            hover_index;    /* -1: none */

  /* A run on Databricks compute: one series of LbWorkerPoint per worker,
   * drawn as thin lines under the total when show_workers. */
  GPtrArray     *workers;        /* GArray* of LbWorkerPoint, by worker */
  gboolean       show_workers;
  double         hover_x;
  double         hover_y;
  gboolean       exporting;
};

G_END_DECLS
