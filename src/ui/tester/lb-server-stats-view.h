/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The results' server part: what the server saw during the run (and how
 * it compares with the baseline), the findings, and the reference bands. */

#include <adwaita.h>

#include "lb-run-record.h"

G_BEGIN_DECLS

#define LB_TYPE_SERVER_STATS_VIEW (lb_server_stats_view_get_type ())
G_DECLARE_FINAL_TYPE (LbServerStatsView, lb_server_stats_view, LB, SERVER_STATS_VIEW, GtkBox)

GtkWidget *lb_server_stats_view_new  (void);
/* @record NULL hides everything; @baseline (may be NULL) adds deltas. */
void       lb_server_stats_view_show (LbServerStatsView *self,
                                      LbRunRecord       *record,
                                      LbRunRecord       *baseline);
/* For tests: the titles and subtitles of every row shown, one a line. */
char      *lb_server_stats_view_dup_text (LbServerStatsView *self);

G_END_DECLS
