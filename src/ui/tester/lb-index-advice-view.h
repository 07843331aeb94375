/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The Index Advice section of the Query Plans page: each LbIndexAdvice with
 * a check button, its statement (selectable), the queries it serves and
 * what hypopg predicts; the Apply and Compare… button (tester.apply-indexes);
 * while indexes are created or dropped, or the script runs again, a
 * progress bar with Cancel (tester.cancel-indexes); afterwards what was
 * created, with Undo Index Changes (tester.undo-indexes). It shows; the
 * tester window does the work. */

#include <adwaita.h>

#include "lb-index-advisor.h"

G_BEGIN_DECLS

#define LB_TYPE_INDEX_ADVICE_VIEW (lb_index_advice_view_get_type ())

/* Property "n-checked" (read-only): the advice ticked. */
G_DECLARE_FINAL_TYPE (LbIndexAdviceView, lb_index_advice_view, LB, INDEX_ADVICE_VIEW, AdwBin)

GtkWidget      *lb_index_advice_view_new            (void);
/* @advice: of LbIndexAdvice (kept; NULL: nothing to show, the section
 * hides); @hypopg_message: why there are no predictions, or NULL. Every
 * advice whose predicted plan uses it (or without prediction) starts ticked. */
void            lb_index_advice_view_set_advice     (LbIndexAdviceView *self,
                                                     GPtrArray         *advice,
                                                     const char        *hypopg_message);
GPtrArray      *lb_index_advice_view_get_advice     (LbIndexAdviceView *self);
/* "Looking for indexes that would help…" while the advisor works. */
void            lb_index_advice_view_set_loading    (LbIndexAdviceView *self,
                                                     gboolean           loading);
/* A sentence instead of the list (the advisor failed); NULL clears it. */
void            lb_index_advice_view_set_error      (LbIndexAdviceView *self,
                                                     const char        *message);
/* The ticked advice (borrowed from the array set), in order. */
GPtrArray      *lb_index_advice_view_dup_checked    (LbIndexAdviceView *self);
guint           lb_index_advice_view_get_n_checked  (LbIndexAdviceView *self);

/* The progress block: @title ("Creating index 1 of 2: name"), @detail
 * (the phase), @fraction 0..1 (negative: pulse); clear puts the buttons back. */
void            lb_index_advice_view_set_progress   (LbIndexAdviceView *self,
                                                     const char        *title,
                                                     const char        *detail,
                                                     double             fraction);
void            lb_index_advice_view_clear_progress (LbIndexAdviceView *self);
gboolean        lb_index_advice_view_get_busy       (LbIndexAdviceView *self);
/* What apply created and Undo would drop (NULL or empty: nothing). */
void            lb_index_advice_view_set_created    (LbIndexAdviceView *self,
                                                     const char * const *created);

/* For tests: what the user sees and clicks. */
GtkCheckButton *lb_index_advice_view_get_check      (LbIndexAdviceView *self,
                                                     guint              index);
GtkLabel       *lb_index_advice_view_get_statement_label (LbIndexAdviceView *self,
                                                          guint              index);
const char     *lb_index_advice_view_get_prediction (LbIndexAdviceView *self,
                                                     guint              index);
GtkButton      *lb_index_advice_view_get_apply_button (LbIndexAdviceView *self);
GtkButton      *lb_index_advice_view_get_undo_button (LbIndexAdviceView *self);
GtkProgressBar *lb_index_advice_view_get_progress_bar (LbIndexAdviceView *self);
const char     *lb_index_advice_view_get_progress_title (LbIndexAdviceView *self);

G_END_DECLS
