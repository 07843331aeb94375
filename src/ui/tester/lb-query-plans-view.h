/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The tester's Query Plans page: the script's queries with their cost or
 * time, a mark when the samples got different plans and a count of
 * findings; the chosen query's sample (picked when there are several) in an
 * LbPlanView, or its error. Above them the explain's controls: the ANALYZE
 * choice with its sentence, progress and Cancel. It shows; the tester
 * window explains (tester.explain, tester.cancel-explain). */

#include <adwaita.h>

#include "lb-plan-explainer.h"
#include "lb-plan-view.h"
#include "lb-query-plans.h"

G_BEGIN_DECLS

#define LB_TYPE_QUERY_PLANS_VIEW (lb_query_plans_view_get_type ())

/* Properties: "analyze" (LbExplainAnalyze as an int, read-write, the
 * choice shown), "busy" (an explain is under way). */
G_DECLARE_FINAL_TYPE (LbQueryPlansView, lb_query_plans_view, LB, QUERY_PLANS_VIEW, AdwBin)

GtkWidget        *lb_query_plans_view_new              (void);
/* @plans: of LbQueryPlans, one per query (NULL: none yet); the first query
 * with a plan is selected. */
void              lb_query_plans_view_set_plans        (LbQueryPlansView *self,
                                                        GPtrArray        *plans);
GPtrArray        *lb_query_plans_view_get_plans        (LbQueryPlansView *self);
/* While an explain runs: "Explaining query @query of @n_queries…" and the
 * Cancel button; busy FALSE puts the page back. */
void              lb_query_plans_view_set_busy         (LbQueryPlansView *self,
                                                        gboolean          busy);
void              lb_query_plans_view_set_progress     (LbQueryPlansView *self,
                                                        guint             query,
                                                        guint             n_queries);
gboolean          lb_query_plans_view_get_busy         (LbQueryPlansView *self);
/* Why the whole explain failed (NULL: clear); the plans already shown stay. */
void              lb_query_plans_view_set_error        (LbQueryPlansView *self,
                                                        const char       *message);
LbExplainAnalyze  lb_query_plans_view_get_analyze      (LbQueryPlansView *self);
void              lb_query_plans_view_set_analyze      (LbQueryPlansView *self,
                                                        LbExplainAnalyze  analyze);

/* The query shown (its index in the plans), G_MAXUINT for none, and its sample. */
void              lb_query_plans_view_select_query     (LbQueryPlansView *self,
                                                        guint             query);
guint             lb_query_plans_view_get_selected_query (LbQueryPlansView *self);
void              lb_query_plans_view_select_sample    (LbQueryPlansView *self,
                                                        guint             sample);
guint             lb_query_plans_view_get_selected_sample (LbQueryPlansView *self);
LbPlanView       *lb_query_plans_view_get_plan_view    (LbQueryPlansView *self);

/* What the user sees, for tests: the query list (a row per query, in
 * order), the sample picker, the status line and the error shown for the
 * selected sample ("" when it has a plan). */
GtkListBox       *lb_query_plans_view_get_query_list   (LbQueryPlansView *self);
GtkDropDown      *lb_query_plans_view_get_sample_dropdown (LbQueryPlansView *self);
const char       *lb_query_plans_view_get_status       (LbQueryPlansView *self);
const char       *lb_query_plans_view_get_sample_error (LbQueryPlansView *self);

G_END_DECLS
