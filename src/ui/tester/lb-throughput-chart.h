/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The tester's live chart widget, held by LbRunResultsView and fed
 * LbRunSamples; it also renders the PNG and SVG exports of a run. */
#pragma once

#include <gtk/gtk.h>

#include "lb-run-record.h"
#include "lb-sample-ring.h"

G_BEGIN_DECLS

#define LB_TYPE_THROUGHPUT_CHART (lb_throughput_chart_get_type ())

/* A live chart of a run: throughput (tx/s, left axis, filled) and latency
 * (p50/p95/p99 ms, right axis, logarithmic) over elapsed time, optionally with a second
 * run drawn dashed for comparison. It redraws only when a sample arrives or
 * the pointer moves over it: no timers. */
G_DECLARE_FINAL_TYPE (LbThroughputChart, lb_throughput_chart, LB, THROUGHPUT_CHART, GtkWidget)

GtkWidget    *lb_throughput_chart_new              (void);
/* Drops the run's samples and the hover; the comparison stays. */
void          lb_throughput_chart_clear            (LbThroughputChart  *self);
/* Appends @sample (copied) and redraws; the ring keeps the newest ones. */
void          lb_throughput_chart_push_sample      (LbThroughputChart  *self,
                                                    const LbRunSample  *sample);
/* Replaces the samples with those of @samples (LbRunSample; NULL = none). */
void          lb_throughput_chart_set_samples      (LbThroughputChart  *self,
                                                    const GArray       *samples);
/* The samples drawn (owned by the chart). */
LbSampleRing *lb_throughput_chart_get_ring         (LbThroughputChart  *self);
guint         lb_throughput_chart_get_n_samples    (LbThroughputChart  *self);
/* The run to compare with, drawn dashed and lighter; NULL removes it. The
 * labels name the two runs in the legend. */
void          lb_throughput_chart_set_compare      (LbThroughputChart  *self,
                                                    const GArray       *samples,
                                                    const char         *label,
                                                    const char         *compare_label);
guint         lb_throughput_chart_get_n_compare_samples (LbThroughputChart *self);
/* The planned length of the run in seconds, so the X axis does not rescale
 * at every sample; 0 = fit the samples. */
void          lb_throughput_chart_set_time_span    (LbThroughputChart  *self,
                                                    double              seconds);
double        lb_throughput_chart_get_time_span    (LbThroughputChart  *self);
/* A run on Databricks compute: each worker's throughput, drawn as one thin
 * line per worker under the total while "show workers" is on. push appends
 * one second of @worker (at @t, the same clock as the samples); set replaces
 * every worker's series with @series (GArray* of double, one per sample of
 * @samples, the record's timeline; NULL = none). clear() drops them too. */
void          lb_throughput_chart_push_worker_tps  (LbThroughputChart  *self,
                                                    guint               worker,
                                                    double              t,
                                                    double              tps);
void          lb_throughput_chart_set_worker_series (LbThroughputChart *self,
                                                     const GArray      *samples,
                                                     GPtrArray         *series);
guint         lb_throughput_chart_get_n_workers    (LbThroughputChart  *self);
/* Points of @worker's series (for tests). */
guint         lb_throughput_chart_get_n_worker_points (LbThroughputChart *self,
                                                       guint              worker);
void          lb_throughput_chart_set_show_workers (LbThroughputChart  *self,
                                                    gboolean            show);
gboolean      lb_throughput_chart_get_show_workers (LbThroughputChart  *self);

/* Shown in the middle while there is no sample. */
void          lb_throughput_chart_set_placeholder_text (LbThroughputChart *self,
                                                        const char        *text);
const char   *lb_throughput_chart_get_placeholder_text (LbThroughputChart *self);

/* Hover: the sample nearest to widget coordinate @x gets a marker and a box
 * with its values; a negative @x hides them. */
void          lb_throughput_chart_hover            (LbThroughputChart  *self,
                                                    double              x,
                                                    double              y);
/* The hovered sample's description ("0:42 · 1,234 tx/s · …"), or NULL. */
char         *lb_throughput_chart_dup_hover_text   (LbThroughputChart  *self);

/* The one drawing function, used by the widget and by the exports. */
void          lb_throughput_chart_draw             (LbThroughputChart  *self,
                                                    cairo_t            *cr,
                                                    int                 width,
                                                    int                 height);
GBytes       *lb_throughput_chart_render_png       (LbThroughputChart  *self,
                                                    int                 width,
                                                    int                 height,
                                                    GError            **error);
GBytes       *lb_throughput_chart_render_svg       (LbThroughputChart  *self,
                                                    int                 width,
                                                    int                 height,
                                                    GError            **error);

/* Where a latency of @ms sits on the latency axis, from 0 (the bottom of
 * the plot) to 1 (its top); the axis is logarithmic. NAN for @ms <= 0. */
double        lb_throughput_chart_get_latency_fraction (LbThroughputChart *self,
                                                        double             ms);

/* The colour of a series (0 = tx/s, 1 = p50, 2 = p95, 3 = p99) as drawn now. */
void          lb_throughput_chart_get_series_color (LbThroughputChart  *self,
                                                    guint               series,
                                                    GdkRGBA            *color);

G_END_DECLS
