/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libpq-fe.h>

#include "lb-plan-explainer.h"
#include "lb-sql-param-sampler.h"

/* A fixed seed unless one is set: the same script explains the same way. */
#define DEFAULT_SEED 0x5eed5eedULL

struct _LbPlanExplainer
{
  GObject           parent_instance;

  char             *conninfo;
  LbSqlScript      *script;
  guint             samples;
  LbExplainAnalyze  analyze;
  guint64           seed;
  guint             timeout_ms;
  GPtrArray        *settings;   /* name, value, name, value … */
  GArray           *queries;    /* guint; empty: all */
  /* Progress of the explain under way, read from other threads. */
  gint              progress_query;   /* 1-based: the query being explained; 0 before */
  gint              progress_total;
};

G_DEFINE_FINAL_TYPE (LbPlanExplainer, lb_plan_explainer, G_TYPE_OBJECT)

G_DEFINE_QUARK (lb-plan-explainer-error-quark, lb_plan_explainer_error)

static void
lb_plan_explainer_finalize (GObject *object)
{
  LbPlanExplainer *self = LB_PLAN_EXPLAINER (object);

  g_clear_pointer (&self->conninfo, g_free);
  g_clear_object (&self->script);
  g_clear_pointer (&self->settings, g_ptr_array_unref);
  g_clear_pointer (&self->queries, g_array_unref);
  G_OBJECT_CLASS (lb_plan_explainer_parent_class)->finalize (object);
}

static void
lb_plan_explainer_class_init (LbPlanExplainerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lb_plan_explainer_finalize;
}

static void
lb_plan_explainer_init (LbPlanExplainer *self)
{
  self->samples = LB_PLAN_EXPLAINER_DEFAULT_SAMPLES;
  self->timeout_ms = LB_PLAN_EXPLAINER_DEFAULT_TIMEOUT_MS;
  self->seed = DEFAULT_SEED;
  self->settings = g_ptr_array_new_with_free_func (g_free);
  self->queries = g_array_new (FALSE, FALSE, sizeof (guint));
}

const char *
lb_explain_analyze_describe (LbExplainAnalyze analyze)
{
  switch (analyze)
    {
    case LB_EXPLAIN_ANALYZE_NEVER:
      return _("Only plans the statements: nothing runs, and the plans show estimates without "
               "actual rows, times or buffers.");
    case LB_EXPLAIN_ANALYZE_ALWAYS:
      return _("Runs every statement, writes too, inside a transaction that is always rolled "
               "back: nothing stays changed, but the rows it writes are locked while it runs.");
    case LB_EXPLAIN_ANALYZE_AUTO:
    default:
      return _("Runs the statements that only read to measure them; statements that write are "
               "planned without running.");
    }
}

LbPlanExplainer *
lb_plan_explainer_new (const char  *conninfo,
                       LbSqlScript *script)
{
  LbPlanExplainer *self;

  g_return_val_if_fail (conninfo != NULL, NULL);
  g_return_val_if_fail (LB_IS_SQL_SCRIPT (script), NULL);

  self = g_object_new (LB_TYPE_PLAN_EXPLAINER, NULL);
  self->conninfo = g_strdup (conninfo);
  self->script = g_object_ref (script);
  return self;
}

const char *
lb_plan_explainer_get_conninfo (LbPlanExplainer *self)
{
  g_return_val_if_fail (LB_IS_PLAN_EXPLAINER (self), NULL);
  return self->conninfo;
}

void
lb_plan_explainer_set_samples (LbPlanExplainer *self,
                               guint            samples)
{
  g_return_if_fail (LB_IS_PLAN_EXPLAINER (self));
  self->samples = CLAMP (samples, 1, 100);
}

void
lb_plan_explainer_set_analyze (LbPlanExplainer  *self,
                               LbExplainAnalyze  analyze)
{
  g_return_if_fail (LB_IS_PLAN_EXPLAINER (self));
  self->analyze = analyze;
}

void
lb_plan_explainer_set_seed (LbPlanExplainer *self,
                            guint64          seed)
{
  g_return_if_fail (LB_IS_PLAN_EXPLAINER (self));
  self->seed = seed != 0 ? seed : DEFAULT_SEED;
}

void
lb_plan_explainer_set_timeout_ms (LbPlanExplainer *self,
                                  guint            timeout_ms)
{
  g_return_if_fail (LB_IS_PLAN_EXPLAINER (self));
  self->timeout_ms = timeout_ms;
}

void
lb_plan_explainer_add_setting (LbPlanExplainer *self,
                               const char      *name,
                               const char      *value)
{
  g_return_if_fail (LB_IS_PLAN_EXPLAINER (self));
  g_return_if_fail (name != NULL && value != NULL);
  g_ptr_array_add (self->settings, g_strdup (name));
  g_ptr_array_add (self->settings, g_strdup (value));
}

void
lb_plan_explainer_set_queries (LbPlanExplainer *self,
                               const guint     *queries,
                               guint            n_queries)
{
  g_return_if_fail (LB_IS_PLAN_EXPLAINER (self));
  g_array_set_size (self->queries, 0);
  if (queries != NULL)
    g_array_append_vals (self->queries, queries, n_queries);
}

static gboolean
exec_ok (PGconn      *conn,
         const char  *sql,
         int          n_params,
         const char * const *values,
         GError     **error)
{
  PGresult *res = PQexecParams (conn, sql, n_params, NULL, values, NULL, NULL, 0);
  ExecStatusType status = PQresultStatus (res);
  gboolean ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;

  if (!ok)
    g_set_error (error, LB_PLAN_EXPLAINER_ERROR, LB_PLAN_EXPLAINER_ERROR_SERVER,
                 "%s", g_strchomp (PQresultErrorMessage (res)));
  PQclear (res);
  return ok;
}

LbExplainPlan *
lb_plan_explainer_explain_on (gpointer             conn_ptr,
                              const char          *sql_numbered,
                              const char * const  *values,
                              guint                n_values,
                              gboolean             analyze,
                              GPtrArray           *settings,
                              guint                timeout_ms,
                              GError             **error)
{
  PGconn *conn = conn_ptr;
  g_autofree char *sql = NULL;
  g_autofree char *timeout = g_strdup_printf ("%u", timeout_ms);
  const char *timeout_params[] = { "statement_timeout", timeout };
  LbExplainPlan *plan = NULL;
  PGresult *res;

  g_return_val_if_fail (conn != NULL && sql_numbered != NULL, NULL);

  if (!exec_ok (conn, "BEGIN", 0, NULL, error))
    return NULL;
  /* From here on, ROLLBACK whatever happens: ANALYZE really runs the
   * statement, and a write must leave nothing behind. */
  if (!exec_ok (conn, "SELECT set_config ($1, $2, true)", 2, timeout_params, error))
    goto out;
  for (guint i = 0; settings != NULL && i + 1 < settings->len; i += 2)
    {
      const char *params[] = { g_ptr_array_index (settings, i), g_ptr_array_index (settings, i + 1) };

      if (!exec_ok (conn, "SELECT set_config ($1, $2, true)", 2, params, error))
        goto out;
    }

  /* No "ANALYZE false" when planning only: hypopg uses its hypothetical
   * indexes only for an EXPLAIN without any ANALYZE option. */
  sql = g_strdup_printf ("EXPLAIN (%sBUFFERS, VERBOSE, SETTINGS, FORMAT JSON) %s",
                         analyze ? "ANALYZE, " : "", sql_numbered);
  res = PQexecParams (conn, sql, (int) n_values, NULL, values, NULL, NULL, 0);
  if (PQresultStatus (res) == PGRES_TUPLES_OK && PQntuples (res) >= 1)
    {
      g_autoptr(GString) json = g_string_new (NULL);

      /* One row per line of output in the text formats, one row here. */
      for (int r = 0; r < PQntuples (res); r++)
        g_string_append (json, PQgetvalue (res, r, 0));
      plan = lb_explain_plan_new_from_json (json->str, error);
    }
  else
    g_set_error (error, LB_PLAN_EXPLAINER_ERROR, LB_PLAN_EXPLAINER_ERROR_SERVER,
                 "%s", g_strchomp (PQresultErrorMessage (res)));
  PQclear (res);

out:
  {
    /* On a broken connection there is nothing to roll back: the server
     * does it when the session ends. */
    PGresult *rollback = PQexec (conn, "ROLLBACK");

    PQclear (rollback);
  }
  return plan;
}

static void
ignore_notice (void       *user_data,
               const char *message)
{
}

typedef struct
{
  PGconn    *conn;
  PGcancel  *cancel;
  GMutex     lock;
} CancelData;

static void
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  CancelData *cd = user_data;
  char buffer[256];

  g_mutex_lock (&cd->lock);
  if (cd->cancel != NULL)
    PQcancel (cd->cancel, buffer, sizeof buffer);
  g_mutex_unlock (&cd->lock);
}

typedef struct
{
  GPtrArray   *samples;   /* per query: GPtrArray of GStrv-like char ** (n_params, may hold NULL) */
  guint        wanted;
  guint        n_queries;
} Collect;

static void
values_free (gpointer data)
{
  char **values = data;

  /* NULL entries are SQL NULLs, so the length is not known here: the
   * first slot holds the count. */
  guint n = GPOINTER_TO_UINT (values[0]);

  for (guint i = 1; i <= n; i++)
    g_free (values[i]);
  g_free (values);
}

static void
collect_cb (const LbSqlQuery   *query,
            const char * const *values,
            gpointer            user_data)
{
  Collect *c = user_data;
  GPtrArray *list = g_ptr_array_index (c->samples, query->index);
  char **copy;

  if (list->len >= c->wanted)
    return;
  copy = g_new0 (char *, query->n_params + 1);
  copy[0] = GUINT_TO_POINTER (query->n_params);
  for (guint i = 0; i < query->n_params; i++)
    copy[i + 1] = g_strdup (values[i]);
  g_ptr_array_add (list, copy);
}

static gboolean
wanted_query (LbPlanExplainer *self,
              guint            index)
{
  if (self->queries->len == 0)
    return TRUE;
  for (guint i = 0; i < self->queries->len; i++)
    if (g_array_index (self->queries, guint, i) == index)
      return TRUE;
  return FALSE;
}

GPtrArray *
lb_plan_explainer_explain (LbPlanExplainer  *self,
                           GCancellable     *cancellable,
                           GError          **error)
{
  g_autoptr(GPtrArray) out = NULL;
  g_autoptr(LbSqlParamSampler) sampler = NULL;
  g_autoptr(GPtrArray) samples = NULL;
  guint n_queries, n_transactions;
  Collect collect;
  CancelData cd = { 0 };
  gulong handler = 0;
  gboolean failed = FALSE;

  g_return_val_if_fail (LB_IS_PLAN_EXPLAINER (self), NULL);

  n_queries = lb_sql_script_get_n_queries (self->script);
  n_transactions = lb_sql_script_get_n_transactions (self->script);

  /* Draw the parameters first: as many rounds of every transaction as
   * samples are wanted, so a query gets the values its transaction gives it. */
  samples = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < n_queries; i++)
    g_ptr_array_add (samples, g_ptr_array_new_with_free_func (values_free));
  collect.samples = samples;
  collect.wanted = self->samples;
  collect.n_queries = n_queries;
  sampler = lb_sql_param_sampler_new (self->script, self->seed, 1);
  for (guint round = 0; round < self->samples; round++)
    for (guint t = 0; t < n_transactions; t++)
      {
        g_autoptr(GError) local_error = NULL;

        if (!lb_sql_param_sampler_run (sampler, t, collect_cb, &collect, &local_error))
          {
            g_set_error (error, LB_PLAN_EXPLAINER_ERROR, LB_PLAN_EXPLAINER_ERROR_PARAMETERS,
                         _("%s: drawing the parameters of “%s” failed: %s"),
                         lb_sql_script_get_display_name (self->script),
                         lb_sql_script_get_transaction (self->script, t)->name,
                         local_error->message);
            return NULL;
          }
      }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  cd.conn = PQconnectdb (self->conninfo);
  if (PQstatus (cd.conn) != CONNECTION_OK)
    {
      g_set_error (error, LB_PLAN_EXPLAINER_ERROR, LB_PLAN_EXPLAINER_ERROR_CONNECT,
                   _("Could not connect to the server: %s"), g_strchomp (PQerrorMessage (cd.conn)));
      PQfinish (cd.conn);
      return NULL;
    }
  /* hypopg and ROLLBACK outside a transaction say things nobody needs. */
  PQsetNoticeProcessor (cd.conn, ignore_notice, NULL);
  g_mutex_init (&cd.lock);
  cd.cancel = PQgetCancel (cd.conn);
  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), &cd, NULL);

  out = g_ptr_array_new_with_free_func (g_object_unref);
  g_atomic_int_set (&self->progress_total, (gint) n_queries);
  for (guint q = 0; q < n_queries && !failed; q++)
    {
      const LbSqlQuery *query = lb_sql_script_get_query (self->script, q);
      LbStatementKind kind = lb_statement_classify (query->sql);
      g_autoptr(LbQueryPlans) plans = lb_query_plans_new (q, query->name, query->sql,
                                                          query->line, kind);
      GPtrArray *list = g_ptr_array_index (samples, q);
      gboolean analyze;

      g_atomic_int_set (&self->progress_query, (gint) q + 1);
      lb_query_plans_set_sql_numbered (plans, query->sql_numbered);
      analyze = self->analyze == LB_EXPLAIN_ANALYZE_ALWAYS ||
                (self->analyze == LB_EXPLAIN_ANALYZE_AUTO && kind == LB_STATEMENT_READ);
      if (kind == LB_STATEMENT_NOT_EXPLAINABLE)
        lb_query_plans_set_skipped (plans, _("not a statement EXPLAIN can plan"));
      else if (!wanted_query (self, q))
        lb_query_plans_set_skipped (plans, _("not asked for"));
      else if (list->len == 0)
        lb_query_plans_set_skipped (plans, _("no transaction reached it"));
      else
        {
          lb_query_plans_set_analyzed (plans, analyze);
          for (guint s = 0; s < list->len; s++)
            {
              char **values = g_ptr_array_index (list, s);
              guint n = GPOINTER_TO_UINT (values[0]);
              g_autoptr(GError) local_error = NULL;
              g_autoptr(LbExplainPlan) plan = NULL;

              plan = lb_plan_explainer_explain_on (cd.conn, query->sql_numbered,
                                                   (const char * const *) values + 1, n, analyze,
                                                   self->settings, self->timeout_ms, &local_error);
              if (g_cancellable_is_cancelled (cancellable))
                {
                  failed = TRUE;
                  break;
                }
              if (PQstatus (cd.conn) != CONNECTION_OK)
                {
                  g_set_error (error, LB_PLAN_EXPLAINER_ERROR, LB_PLAN_EXPLAINER_ERROR_CONNECT,
                               _("The connection to the server was lost: %s"),
                               local_error != NULL ? local_error->message : "");
                  failed = TRUE;
                  break;
                }
              lb_query_plans_add_sample (plans, (const char * const *) values + 1, n, plan,
                                         local_error != NULL ? local_error->message : NULL);
            }
        }
      g_ptr_array_add (out, g_steal_pointer (&plans));
    }

  g_cancellable_disconnect (cancellable, handler);
  g_mutex_lock (&cd.lock);
  g_clear_pointer (&cd.cancel, PQfreeCancel);
  g_mutex_unlock (&cd.lock);
  g_mutex_clear (&cd.lock);
  PQfinish (cd.conn);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (failed)
    return NULL;
  return g_steal_pointer (&out);
}

static void
explain_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *result = lb_plan_explainer_explain (source_object, cancellable, &error);

  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) g_ptr_array_unref);
}

void
lb_plan_explainer_explain_async (LbPlanExplainer     *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LB_IS_PLAN_EXPLAINER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_plan_explainer_explain_async);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, explain_thread);
}

void
lb_plan_explainer_get_progress (LbPlanExplainer *self,
                                guint           *query,
                                guint           *n_queries)
{
  g_return_if_fail (LB_IS_PLAN_EXPLAINER (self));

  if (query != NULL)
    *query = (guint) g_atomic_int_get (&self->progress_query);
  if (n_queries != NULL)
    *n_queries = (guint) g_atomic_int_get (&self->progress_total);
}

GPtrArray *
lb_plan_explainer_explain_finish (LbPlanExplainer  *self,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  g_return_val_if_fail (LB_IS_PLAN_EXPLAINER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
