/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Index advice read from plans, not from the SQL: the filter, join and
 * index conditions and sort keys of the plan nodes give candidate indexes
 * (equality columns first, then one range column, then sort keys; GIN for
 * JSONB and array containment), those an existing index already covers (a
 * prefix of its columns) are dropped, and with hypopg on the server each
 * one gets a predicted plan. */
#pragma once

#include "lb-query-plans.h"

G_BEGIN_DECLS

/* Advice only for relations of at least this many rows (pg_class.reltuples)… */
#define LB_INDEX_ADVISOR_MIN_ROWS          10000.0
/* … where the scan keeps at most this share of the rows it reads. */
#define LB_INDEX_ADVISOR_SELECTIVE_SHARE   0.1

typedef struct
{
  char          *schema;
  char          *table;
  char          *method;         /* "btree" or "gin" */
  GStrv          columns;        /* as CREATE INDEX lists them: names, "(lower(x))" */
  guint          n_equality;     /* the first n_equality columns are compared with =, IN, IS NULL */
  char          *name;           /* the index name we propose */
  char          *statement;      /* "CREATE INDEX CONCURRENTLY name ON schema.table (a, b);" */
  char          *reason;         /* the condition it serves, as the plan wrote it */
  GPtrArray     *queries;        /* char *: the names of the queries it serves */
  /* With hypopg: the first query's plan with the index in place. */
  gboolean       predicted;
  char          *predicted_query;
  double         cost_before;
  double         cost_after;
  gboolean       uses_index;     /* the predicted plan uses it */
  LbExplainPlan *plan_after;
  char          *predict_error;  /* why there is no prediction (hypopg refused it), or NULL */
} LbIndexAdvice;

void            lb_index_advice_free   (LbIndexAdvice *advice);

/* A candidate that an existing index already covers. */
typedef struct
{
  char  *statement;   /* what would have been advised */
  char  *covered_by;  /* "lakebase_workload.store_sales_cust_idx" */
} LbIndexCovered;

void            lb_index_covered_free  (LbIndexCovered *covered);

#define LB_TYPE_INDEX_ADVISOR (lb_index_advisor_get_type ())

G_DECLARE_FINAL_TYPE (LbIndexAdvisor, lb_index_advisor, LB, INDEX_ADVISOR, GObject)

#define LB_INDEX_ADVISOR_ERROR (lb_index_advisor_error_quark ())

typedef enum
{
  LB_INDEX_ADVISOR_ERROR_CONNECT,
  LB_INDEX_ADVISOR_ERROR_SERVER,
} LbIndexAdvisorError;

GQuark          lb_index_advisor_error_quark (void);

LbIndexAdvisor *lb_index_advisor_new            (const char     *conninfo);
/* The plans to read (each query's first sample with a plan). */
void            lb_index_advisor_add_plans      (LbIndexAdvisor *self,
                                                 LbQueryPlans   *plans);

/* Candidates of one plan alone, before the server is asked (no size,
 * no existing index): of LbIndexAdvice with only the table, method,
 * columns, name, statement and reason set. @query_name may be NULL. */
GPtrArray      *lb_index_advisor_candidates     (LbExplainPlan  *plan,
                                                 const char     *query_name);

/* Reads sizes and existing indexes, drops covered candidates and, with
 * hypopg, predicts each plan. Returns a GPtrArray of LbIndexAdvice. */
GPtrArray      *lb_index_advisor_advise         (LbIndexAdvisor *self,
                                                 GCancellable   *cancellable,
                                                 GError        **error);
void            lb_index_advisor_advise_async   (LbIndexAdvisor      *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
GPtrArray      *lb_index_advisor_advise_finish  (LbIndexAdvisor      *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* After advise(): whether hypopg was there, and if not, the sentence that
 * says so ("hypopg is not installed on this server"). */
gboolean        lb_index_advisor_get_hypopg     (LbIndexAdvisor *self);
const char     *lb_index_advisor_get_hypopg_message (LbIndexAdvisor *self);
/* After advise(): the candidates dropped because an index covers them
 * (of LbIndexCovered). */
GPtrArray      *lb_index_advisor_get_covered    (LbIndexAdvisor *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbIndexAdvice, lb_index_advice_free)

G_END_DECLS
