/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What is worth a look in a plan, each with one sentence of why it matters
 * and, where there is one, what to try. The thresholds are named below. */
#pragma once

#include "lb-explain-plan.h"

G_BEGIN_DECLS

typedef enum
{
  LB_FINDING_SEQ_SCAN,          /* sequential scan of a large relation under a selective filter */
  LB_FINDING_ROWS_REMOVED,      /* the filter throws away far more rows than it keeps */
  LB_FINDING_ESTIMATE_OFF,      /* rows estimated vs actual off by LB_FINDING_ESTIMATE_FACTOR */
  LB_FINDING_SPILL,             /* a sort or hash spilled to disk */
  LB_FINDING_NESTED_LOOP,       /* a nested loop over many rows */
  LB_FINDING_BUFFERS_READ,      /* buffers mostly read from disk rather than found in cache */
} LbFindingKind;

/* A relation is large from this many rows (estimated rows scanned). */
#define LB_FINDING_LARGE_RELATION_ROWS   10000.0
/* A filter is selective when it keeps at most this share of what it reads. */
#define LB_FINDING_SELECTIVE_SHARE       0.1
/* Rows removed by the filter at least this many times the rows returned … */
#define LB_FINDING_REMOVED_FACTOR        10.0
/* … and at least this many in all (small scans are not worth a word). */
#define LB_FINDING_REMOVED_MIN_ROWS      1000.0
/* An estimate this many times off, either way, with at least … */
#define LB_FINDING_ESTIMATE_FACTOR       10.0
/* … this many rows on the larger side. */
#define LB_FINDING_ESTIMATE_MIN_ROWS     100.0
/* A nested loop whose inner side runs at least this many times. */
#define LB_FINDING_NESTED_LOOP_ROWS      1000.0
/* Buffers: more than this share read rather than hit, of at least … */
#define LB_FINDING_READ_SHARE            0.5
/* … this many blocks (8 kB each). */
#define LB_FINDING_READ_MIN_BLOCKS       100

typedef struct
{
  LbFindingKind  kind;
  LbPlanNode    *node;         /* the node it is about (a reference) */
  char          *message;      /* what was seen, with figures */
  char          *why;          /* one sentence: why it matters */
  char          *suggestion;   /* what to try, or NULL */
} LbPlanFinding;

void         lb_plan_finding_free       (LbPlanFinding *finding);
/* "seq-scan", "rows-removed", "estimate", "spill", "nested-loop", "buffers-read" */
const char  *lb_finding_kind_to_string  (LbFindingKind  kind);

/* The findings of @plan, in tree order (of LbPlanFinding). */
GPtrArray   *lb_plan_findings_collect   (LbExplainPlan *plan);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbPlanFinding, lb_plan_finding_free)

G_END_DECLS
