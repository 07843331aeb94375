/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The plans of one query of a script: one sample per parameter draw, each
 * with the values it was planned with and its LbExplainPlan (or the error
 * the server gave), and whether the samples got different plans. */
#pragma once

#include "lb-explain-plan.h"

G_BEGIN_DECLS

#define LB_TYPE_QUERY_PLANS (lb_query_plans_get_type ())

G_DECLARE_FINAL_TYPE (LbQueryPlans, lb_query_plans, LB, QUERY_PLANS, GObject)

/* What a statement does, as far as EXPLAIN cares. */
typedef enum
{
  LB_STATEMENT_READ,              /* SELECT, VALUES, TABLE, WITH without DML */
  LB_STATEMENT_WRITE,             /* INSERT, UPDATE, DELETE, MERGE, SELECT … FOR UPDATE/SHARE,
                                   * WITH … (INSERT|UPDATE|DELETE|MERGE) */
  LB_STATEMENT_NOT_EXPLAINABLE,   /* BEGIN, SET, COMMIT, DDL, … */
} LbStatementKind;

/* Reads the statement's words (comments, strings, quoted names and dollar
 * quotes skipped): what EXPLAIN would make of it. */
LbStatementKind  lb_statement_classify               (const char    *sql);

LbQueryPlans    *lb_query_plans_new                  (guint          query_index,
                                                      const char    *name,
                                                      const char    *sql,
                                                      guint          line,
                                                      LbStatementKind kind);
/* Adds a sample: @values has @n_values entries (NULL: SQL NULL); @plan or
 * @error (one of them). */
void             lb_query_plans_add_sample           (LbQueryPlans  *self,
                                                      const char * const *values,
                                                      guint          n_values,
                                                      LbExplainPlan *plan,
                                                      const char    *error);
/* The statement with $1…$n, as EXPLAIN was given it. */
void             lb_query_plans_set_sql_numbered     (LbQueryPlans  *self,
                                                      const char    *sql);
const char      *lb_query_plans_get_sql_numbered     (LbQueryPlans  *self);
/* Why the query was not explained (a BEGIN, …), or NULL. */
void             lb_query_plans_set_skipped          (LbQueryPlans  *self,
                                                      const char    *reason);
void             lb_query_plans_set_analyzed         (LbQueryPlans  *self,
                                                      gboolean       analyzed);

guint            lb_query_plans_get_query_index      (LbQueryPlans  *self);
const char      *lb_query_plans_get_name             (LbQueryPlans  *self);
const char      *lb_query_plans_get_sql              (LbQueryPlans  *self);
guint            lb_query_plans_get_line             (LbQueryPlans  *self);
LbStatementKind  lb_query_plans_get_kind             (LbQueryPlans  *self);
gboolean         lb_query_plans_get_writes           (LbQueryPlans  *self);
/* Whether the samples ran under EXPLAIN ANALYZE. */
gboolean         lb_query_plans_get_analyzed         (LbQueryPlans  *self);
const char      *lb_query_plans_get_skipped          (LbQueryPlans  *self);

guint            lb_query_plans_get_n_samples        (LbQueryPlans  *self);
/* NULL when that sample failed (see _get_sample_error). */
LbExplainPlan   *lb_query_plans_get_sample_plan      (LbQueryPlans  *self,
                                                      guint          sample);
const char      *lb_query_plans_get_sample_error     (LbQueryPlans  *self,
                                                      guint          sample);
/* The values of $1…$n of that sample (NULL entries: SQL NULL). */
const char * const *lb_query_plans_get_sample_values (LbQueryPlans  *self,
                                                      guint          sample,
                                                      guint         *n_values);
/* The first sample that has a plan, or NULL. */
LbExplainPlan   *lb_query_plans_get_plan             (LbQueryPlans  *self);
/* Different plan shapes among the samples (0 when none has a plan). */
guint            lb_query_plans_get_n_distinct_plans (LbQueryPlans  *self);
/* Which distinct shape sample @sample has: 0 for the first one seen, … */
guint            lb_query_plans_get_sample_shape     (LbQueryPlans  *self,
                                                      guint          sample);

G_END_DECLS
