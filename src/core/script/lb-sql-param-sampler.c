/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "lb-sql-param-sampler.h"

/* pgbench's jumps only go forward, but a bound keeps a bad script finite. */
#define MAX_STEPS 1000000

struct _LbSqlParamSampler
{
  LbSqlScript   *script;
  LbRandom       rng;
  LbValue       *vars;
  LbExprContext  context;
  guint64        tuple_seq;
  char          *text;       /* n_max_params × LB_VALUE_TEXT_MAX */
  const char   **values;
  guint          max_params;
};

LbSqlParamSampler *
lb_sql_param_sampler_new (LbSqlScript *script,
                          guint64      seed,
                          gint64       scale)
{
  LbSqlParamSampler *self;
  guint n_vars, n = 0;
  const LbSqlInitialValue *initial;

  g_return_val_if_fail (LB_IS_SQL_SCRIPT (script), NULL);

  self = g_new0 (LbSqlParamSampler, 1);
  self->script = g_object_ref (script);
  n_vars = lb_sql_script_get_n_variables (script);
  self->vars = g_new0 (LbValue, MAX (n_vars, 1));
  /* As client 0 of a run with this seed (lb-load-engine-client.c). */
  lb_random_seed (&self->rng, seed);
  self->context.variables = self->vars;
  self->context.rng = &self->rng;
  self->context.client_id = 0;
  self->context.scale = MAX (scale, 1);
  self->context.random_seed = (gint64) seed;
  initial = lb_sql_script_get_initial_values (script, &n);
  for (guint i = 0; i < n; i++)
    self->vars[initial[i].var] = initial[i].value;
  for (guint i = 0; i < lb_sql_script_get_n_queries (script); i++)
    self->max_params = MAX (self->max_params, lb_sql_script_get_query (script, i)->n_params);
  self->text = g_malloc0 (MAX (self->max_params, 1) * LB_VALUE_TEXT_MAX);
  self->values = g_new0 (const char *, self->max_params + 1);
  return self;
}

void
lb_sql_param_sampler_free (LbSqlParamSampler *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->script);
  g_free (self->vars);
  g_free (self->text);
  g_free (self->values);
  g_free (self);
}

static gboolean
truth (const LbValue *value)
{
  switch (value->type)
    {
    case LB_VALUE_BOOLEAN: return value->u.boolean;
    case LB_VALUE_INT:     return value->u.integer != 0;
    case LB_VALUE_DOUBLE:  return value->u.number != 0;
    case LB_VALUE_NULL:
    case LB_VALUE_STRING:
    default:               return FALSE;
    }
}

gboolean
lb_sql_param_sampler_run (LbSqlParamSampler  *self,
                          guint               transaction,
                          LbSqlParamFunc      func,
                          gpointer            user_data,
                          GError            **error)
{
  const LbSqlTransaction *t;
  guint n_tuples = lb_sql_script_get_n_tuples (self->script);
  guint count = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (transaction < lb_sql_script_get_n_transactions (self->script), FALSE);

  t = lb_sql_script_get_transaction (self->script, transaction);
  for (guint s = 0; s < t->n_steps && count++ < MAX_STEPS; )
    {
      const LbSqlStep *step = &t->steps[s];
      LbValue value;

      switch (step->kind)
        {
        case LB_STEP_SET:
          if (!lb_expr_eval (step->expr, &self->context, &self->vars[step->var], error))
            return FALSE;
          s++;
          break;

        case LB_STEP_PARAM_SET:
          if (n_tuples > 0)
            {
              guint n_columns = 0;
              const LbValue *tuple = lb_sql_script_get_tuple (self->script,
                                                              (guint) (self->tuple_seq++ % n_tuples),
                                                              &n_columns);

              for (guint i = 0; i < step->n_tuple_vars && i < n_columns; i++)
                self->vars[step->tuple_vars[i]] = tuple[i];
            }
          s++;
          break;

        case LB_STEP_JUMP:
          s = step->target;
          break;

        case LB_STEP_JUMP_UNLESS:
          if (!lb_expr_eval (step->expr, &self->context, &value, error))
            return FALSE;
          s = truth (&value) ? s + 1 : step->target;
          break;

        case LB_STEP_QUERY:
          {
            const LbSqlQuery *q = step->query;

            for (guint i = 0; i < q->n_params; i++)
              {
                const LbValue *v = &self->vars[q->param_vars[i]];

                if (v->type == LB_VALUE_NULL)
                  self->values[i] = NULL;
                else
                  lb_value_to_text (v, self->text + i * LB_VALUE_TEXT_MAX, &self->values[i]);
              }
            self->values[q->n_params] = NULL;
            func (q, self->values, user_data);
            s++;
          }
          break;

        case LB_STEP_SLEEP:
        case LB_STEP_PIPELINE:
        default:
          s++;
          break;
        }
    }
  return TRUE;
}
