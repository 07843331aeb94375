/* SPDX-License-Identifier: GPL-3.0-or-later */
/* EXPLAINs every query of a script with parameters drawn as a run draws
 * them, on a connection of its own, in a transaction that is always rolled
 * back: EXPLAIN (ANALYZE, BUFFERS, VERBOSE, SETTINGS, FORMAT JSON). */
#pragma once

#include "lb-query-plans.h"
#include "lb-sql-script.h"

G_BEGIN_DECLS

#define LB_PLAN_EXPLAINER_ERROR (lb_plan_explainer_error_quark ())

typedef enum
{
  LB_PLAN_EXPLAINER_ERROR_CONNECT,   /* the server could not be reached: libpq's message */
  LB_PLAN_EXPLAINER_ERROR_SERVER,    /* a statement of ours failed (BEGIN, a setting) */
  LB_PLAN_EXPLAINER_ERROR_PARAMETERS,/* a parameter expression failed to evaluate */
} LbPlanExplainerError;

GQuark lb_plan_explainer_error_quark (void);

typedef enum
{
  LB_EXPLAIN_ANALYZE_AUTO,    /* ANALYZE for reads; plan only for statements that write */
  LB_EXPLAIN_ANALYZE_NEVER,   /* plans only: nothing runs */
  LB_EXPLAIN_ANALYZE_ALWAYS,  /* writes too: they run and are rolled back */
} LbExplainAnalyze;

/* One sentence on what @analyze does, for the toggle that sets it (translated). */
const char      *lb_explain_analyze_describe        (LbExplainAnalyze  analyze);

/* Samples per query unless set. */
#define LB_PLAN_EXPLAINER_DEFAULT_SAMPLES 3
/* statement_timeout of each EXPLAIN unless set (ms). */
#define LB_PLAN_EXPLAINER_DEFAULT_TIMEOUT_MS 60000

#define LB_TYPE_PLAN_EXPLAINER (lb_plan_explainer_get_type ())

G_DECLARE_FINAL_TYPE (LbPlanExplainer, lb_plan_explainer, LB, PLAN_EXPLAINER, GObject)

LbPlanExplainer *lb_plan_explainer_new              (const char       *conninfo,
                                                     LbSqlScript      *script);
/* The server it explains on (a secret may be in it: for libpq only). */
const char      *lb_plan_explainer_get_conninfo     (LbPlanExplainer  *self);
void             lb_plan_explainer_set_samples      (LbPlanExplainer  *self,
                                                     guint             samples);
void             lb_plan_explainer_set_analyze      (LbPlanExplainer  *self,
                                                     LbExplainAnalyze  analyze);
/* As a run's seed (0: a fixed default, so two calls draw the same values). */
void             lb_plan_explainer_set_seed         (LbPlanExplainer  *self,
                                                     guint64           seed);
void             lb_plan_explainer_set_timeout_ms   (LbPlanExplainer  *self,
                                                     guint             timeout_ms);
/* A setting for the transaction (SET LOCAL @name = @value; "work_mem", "64MB"). */
void             lb_plan_explainer_add_setting      (LbPlanExplainer  *self,
                                                     const char       *name,
                                                     const char       *value);
/* Only these queries (their indexes in the script); NULL or empty: all. */
void             lb_plan_explainer_set_queries      (LbPlanExplainer  *self,
                                                     const guint      *queries,
                                                     guint             n_queries);

/* A GPtrArray of LbQueryPlans, one per query of the script in order. A
 * query that fails has the server's message in its samples; only a
 * connection failure, a failing parameter expression or cancellation fail
 * the whole. Cancelling sends the server a cancel request. */
void             lb_plan_explainer_explain_async    (LbPlanExplainer     *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GPtrArray       *lb_plan_explainer_explain_finish   (LbPlanExplainer     *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
/* Where an explain under way is, safe to call from any thread (a UI polls
 * it): @query is the 1-based query being explained (0 before the first),
 * @n_queries the script's count (0 before it starts). */
void             lb_plan_explainer_get_progress     (LbPlanExplainer     *self,
                                                     guint               *query,
                                                     guint               *n_queries);
/* The same in the calling thread (the CLI). */
GPtrArray       *lb_plan_explainer_explain          (LbPlanExplainer     *self,
                                                     GCancellable        *cancellable,
                                                     GError             **error);

/* For LbIndexAdvisor and tests: runs one EXPLAIN on @conn with @values
 * ($1…$n; NULL entries are SQL NULL) inside BEGIN … ROLLBACK. */
LbExplainPlan   *lb_plan_explainer_explain_on        (gpointer            conn,
                                                     const char          *sql_numbered,
                                                     const char * const  *values,
                                                     guint                n_values,
                                                     gboolean             analyze,
                                                     GPtrArray           *settings,
                                                     guint                timeout_ms,
                                                     GError             **error);

G_END_DECLS
