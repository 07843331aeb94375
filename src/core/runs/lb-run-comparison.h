/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Comparing a run with a baseline, for the tester's results view: deltas of
 * rates and latencies, and the caveats that make two runs hard to compare. */
#pragma once

#include "lb-run-record.h"

G_BEGIN_DECLS

/* How one run compares with a baseline run. Only rates (per second of
 * measuring) and latencies are compared, never totals: a run twice as long
 * runs twice as many transactions without being any faster. */

typedef enum
{
  LB_DELTA_NONE,      /* a side has no figure: nothing to say */
  LB_DELTA_SAME,      /* within half a percent */
  LB_DELTA_BETTER,    /* higher throughput, or lower latency */
  LB_DELTA_WORSE,
} LbDeltaVerdict;

typedef struct
{
  double          value;      /* of the run shown */
  double          baseline;   /* of the baseline run */
  double          percent;    /* (value − baseline) / baseline × 100; NAN with LB_DELTA_NONE */
  LbDeltaVerdict  verdict;
} LbDelta;

/* @higher_is_better: TRUE for rates, FALSE for latencies. */
LbDelta  lb_delta_compute (double    value,
                           double    baseline,
                           gboolean  higher_is_better);
/* "+39 %", "−12 %", "±0 %"; NULL with LB_DELTA_NONE. */
char    *lb_delta_format  (const LbDelta *delta);

typedef enum
{
  LB_COMPARED_RATE,   /* executions (or transactions) per second */
  LB_COMPARED_AVG,    /* latency, ms */
  LB_COMPARED_P50,
  LB_COMPARED_P95,
  LB_COMPARED_P99,
  LB_N_COMPARED
} LbComparedFigure;

typedef struct
{
  LbDelta figures[LB_N_COMPARED];
} LbDeltaRow;

/* One query: its executions per second of @duration and its latencies,
 * against the same query of the baseline. */
void     lb_compare_query_stats (const LbQueryStats *stats,
                                 double              duration,
                                 const LbQueryStats *baseline,
                                 double              baseline_duration,
                                 LbDeltaRow         *row);
/* Whole runs: transactions per second and transaction latencies. */
void     lb_compare_run_results (const LbRunResult  *result,
                                 const LbRunResult  *baseline,
                                 LbDeltaRow         *row);

/* What the server saw, between the first and last snapshot of each run:
 * the cache hit ratio of the run's blocks, and temp files, deadlocks and
 * scans per second of measuring (a longer run makes more of them). */
typedef enum
{
  LB_SERVER_COMPARED_HIT_RATIO,   /* higher is better */
  LB_SERVER_COMPARED_TEMP_FILES,  /* per second, lower is better */
  LB_SERVER_COMPARED_DEADLOCKS,   /* per second, lower is better */
  LB_SERVER_COMPARED_SEQ_SCANS,   /* per second, lower is better */
  LB_SERVER_COMPARED_IDX_SCANS,   /* per second, higher is better */
  LB_N_SERVER_COMPARED
} LbServerComparedFigure;

typedef struct
{
  LbDelta figures[LB_N_SERVER_COMPARED];
} LbServerDeltaRow;

/* FALSE (and every delta LB_DELTA_NONE) when a run has fewer than two
 * snapshots of pg_stat_database. */
gboolean lb_compare_server (LbRunRecord      *record,
                            LbRunRecord      *baseline,
                            LbServerDeltaRow *row);
/* The figure of @figure from one run's snapshots, as lb_compare_server()
 * compares it; NAN when it has none. */
double   lb_server_compared_value (GPtrArray              *snapshots,
                                   LbServerComparedFigure  figure);

typedef enum
{
  LB_COMPARISON_FAIR                = 0,
  LB_COMPARISON_CANCELLED           = 1 << 0,   /* the run shown was stopped early */
  LB_COMPARISON_BASELINE_CANCELLED  = 1 << 1,
  LB_COMPARISON_DIFFERENT_LENGTHS   = 1 << 2,   /* measured for clearly different times */
} LbComparisonCaveats;

/* Lengths differ when they are more than a second and 10 % apart. */
LbComparisonCaveats lb_compare_caveats          (const LbRunResult *result,
                                                 const LbRunResult *baseline);
/* What the user should know before trusting the deltas, in one sentence
 * per caveat ("The baseline was stopped after 7 s. Different lengths: 20 s
 * against 7 s of the baseline."), or NULL when the runs are alike. */
char               *lb_compare_describe_caveats (const LbRunResult *result,
                                                 const LbRunResult *baseline);

G_END_DECLS
