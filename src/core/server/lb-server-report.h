/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The server's part of a run, summed up for people and scripts: the deltas
 * between the first and last snapshot, the top statements, the wait
 * events, the findings and the reference bands. `lakebase-cli bench` prints
 * the text and puts the JSON in --json as "server_summary". */
#pragma once

#include "lb-price-sheet.h"
#include "lb-run-record.h"

G_BEGIN_DECLS

/* "Server (3 snapshots): …" lines; always something (at least why not). */
char     *lb_server_report_to_text (LbRunRecord  *record,
                                    LbPriceSheet *prices);
/* {snapshots, seconds, commits, rollbacks, cache_hit_ratio, temp_files,
 *  temp_bytes, deadlocks, seq_scans, idx_scans, statements [{query, calls,
 *  total_ms, mean_ms}], statements_note, waits [{event, count}],
 *  findings [{kind, object, what, why}], bands {…}, notes [..]} */
JsonNode *lb_server_report_to_json (LbRunRecord  *record,
                                    LbPriceSheet *prices);

G_END_DECLS
