/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the server's statistics say about the database, beyond one run:
 * indexes nobody uses, big tables read by sequential scans, a cache that
 * misses. Each finding is one sentence of what and one of why. */
#pragma once

#include "lb-server-snapshot.h"

G_BEGIN_DECLS

/* An index is "unused" when no scan used it since the statistics were
 * reset; primary keys and unique indexes are left out (they enforce). */
#define LB_FINDINGS_UNUSED_INDEX_MIN_BYTES   (64 * 1024)
/* Sequential scans matter on tables this big (smaller ones fit a page or two). */
#define LB_FINDINGS_SEQ_SCAN_MIN_ROWS        10000
/* Below this share of blocks found in shared buffers, reads go to storage
 * (on Lakebase: to the pageserver, a network round trip). */
#define LB_FINDINGS_MIN_HIT_RATIO            0.99
/* A hit ratio over fewer blocks than this says nothing. */
#define LB_FINDINGS_HIT_RATIO_MIN_BLOCKS     1000

typedef enum
{
  LB_SERVER_FINDING_UNUSED_INDEX,
  LB_SERVER_FINDING_SEQ_SCANNED_TABLE,
  LB_SERVER_FINDING_LOW_HIT_RATIO,
} LbServerFindingKind;

typedef struct
{
  LbServerFindingKind  kind;
  char          *object;     /* "public.store_sales_customer_idx", "public.customer", "" */
  char          *what;       /* "Index … was never used (1.2 MB)" */
  char          *why;        /* "Every write updates it …" */
} LbServerFinding;

void       lb_server_finding_free     (LbServerFinding *finding);
/* The findings of @snapshots (the last one for the database-wide figures,
 * the run's blocks for the hit ratio when there are two or more). */
GPtrArray *lb_server_findings_compute (GPtrArray       *snapshots);
const char *lb_server_finding_kind_to_string (LbServerFindingKind    kind);  /* "unused-index", … */

G_END_DECLS
