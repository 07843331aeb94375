/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The latency histogram behind every percentile the tester reports: the load
 * engine's workers record each transaction into one, and the run record
 * keeps the merged one. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A fixed-memory log-linear histogram of latencies in microseconds: exact
 * below 64 µs, then 64 sub-buckets per power of two up to 2^26 µs (67 s), so
 * every reported value is within 0.8 % of the true one. No allocation and no
 * log() when recording; not thread-safe (one per worker, merged). */
typedef struct _LbLatencyHistogram LbLatencyHistogram;

LbLatencyHistogram *lb_latency_histogram_new          (void);
LbLatencyHistogram *lb_latency_histogram_copy         (const LbLatencyHistogram *self);
void                lb_latency_histogram_free         (LbLatencyHistogram       *self);
void                lb_latency_histogram_reset        (LbLatencyHistogram       *self);
void                lb_latency_histogram_record       (LbLatencyHistogram       *self,
                                                       gint64                    usec);
void                lb_latency_histogram_merge        (LbLatencyHistogram       *self,
                                                       const LbLatencyHistogram *other);
guint64             lb_latency_histogram_get_count    (const LbLatencyHistogram *self);
/* All in microseconds; 0 when empty. */
double              lb_latency_histogram_get_mean     (const LbLatencyHistogram *self);
double              lb_latency_histogram_get_stddev   (const LbLatencyHistogram *self);
gint64              lb_latency_histogram_get_min      (const LbLatencyHistogram *self);
gint64              lb_latency_histogram_get_max      (const LbLatencyHistogram *self);
/* @percentile in [0, 100]; the bucket midpoint (max for 100). */
double              lb_latency_histogram_get_percentile (const LbLatencyHistogram *self,
                                                         double                    percentile);
/* Sparse buckets for the run history; from_json validates what it reads. */
JsonNode           *lb_latency_histogram_to_json      (const LbLatencyHistogram *self);
LbLatencyHistogram *lb_latency_histogram_new_from_json (JsonNode                *node,
                                                        GError                 **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbLatencyHistogram, lb_latency_histogram_free)

G_END_DECLS
