/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Evaluating an LbExpr for one client: pgbench's arithmetic, comparison and
 * function semantics, with no allocation except for an error (it runs once
 * per parameter per transaction). */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-pgbench-expr-private.h"

/* ------------------------------------------------------------------------ */
/* Evaluation: no allocation except for an error                            */

static gboolean eval_node (const LbExpr *node, LbExprContext *ctx, LbValue *out, GError **error);

static gboolean eval_fail (const LbExpr *node, GError **error, const char *format, ...) G_GNUC_PRINTF (3, 4);

static gboolean
eval_fail (const LbExpr *node,
           GError      **error,
           const char   *format,
           ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, LB_EXPR_ERROR, LB_EXPR_ERROR_EVAL, _("column %u: %s"), node->column, message);
  return FALSE;
}

static const char *
type_name (LbValueType type)
{
  switch (type)
    {
    case LB_VALUE_NULL:
      return "NULL";
    case LB_VALUE_BOOLEAN:
      return _("a boolean");
    case LB_VALUE_INT:
      return _("an integer");
    case LB_VALUE_DOUBLE:
      return _("a double");
    case LB_VALUE_STRING:
      return _("a string");
    default:
      return "?";
    }
}

static gboolean
to_int (const LbExpr  *node,
        const LbValue *v,
        gint64        *out,
        GError       **error)
{
  double d;

  switch (v->type)
    {
    case LB_VALUE_INT:
      *out = v->u.integer;
      return TRUE;
    case LB_VALUE_DOUBLE:
      d = rint (v->u.number);
      /* 2^63 is the first double beyond gint64. */
      if (isnan (d) || d < -0x1p63 || d >= 0x1p63)
        return eval_fail (node, error, _("double %g is out of the integer range"), v->u.number);
      *out = (gint64) d;
      return TRUE;
    case LB_VALUE_NULL:
    case LB_VALUE_BOOLEAN:
    case LB_VALUE_STRING:
    default:
      return eval_fail (node, error, _("cannot use %s as an integer"), type_name (v->type));
    }
}

static gboolean
to_double (const LbExpr  *node,
           const LbValue *v,
           double        *out,
           GError       **error)
{
  switch (v->type)
    {
    case LB_VALUE_INT:
      *out = (double) v->u.integer;
      return TRUE;
    case LB_VALUE_DOUBLE:
      *out = v->u.number;
      return TRUE;
    case LB_VALUE_NULL:
    case LB_VALUE_BOOLEAN:
    case LB_VALUE_STRING:
    default:
      return eval_fail (node, error, _("cannot use %s as a number"), type_name (v->type));
    }
}

static gboolean
to_bool (const LbExpr  *node,
         const LbValue *v,
         gboolean      *out,
         GError       **error)
{
  switch (v->type)
    {
    case LB_VALUE_BOOLEAN:
      *out = v->u.boolean;
      return TRUE;
    case LB_VALUE_INT:
      *out = v->u.integer != 0;
      return TRUE;
    case LB_VALUE_DOUBLE:
      *out = v->u.number != 0.0;
      return TRUE;
    case LB_VALUE_NULL:
    case LB_VALUE_STRING:
    default:
      return eval_fail (node, error, _("cannot use %s as a boolean"), type_name (v->type));
    }
}

/* WHEN conditions and AND/OR operands: NULL counts as false. */
static gboolean
truth (const LbValue *v)
{
  switch (v->type)
    {
    case LB_VALUE_BOOLEAN:
      return v->u.boolean;
    case LB_VALUE_INT:
      return v->u.integer != 0;
    case LB_VALUE_DOUBLE:
      return v->u.number != 0.0;
    case LB_VALUE_STRING:
      return v->u.string != NULL && v->u.string[0] != '\0';
    case LB_VALUE_NULL:
    default:
      return FALSE;
    }
}

static inline void
set_int (LbValue *out,
         gint64   v)
{
  out->type = LB_VALUE_INT;
  out->u.integer = v;
}

static inline void
set_double (LbValue *out,
            double   v)
{
  out->type = LB_VALUE_DOUBLE;
  out->u.number = v;
}

static inline void
set_bool (LbValue  *out,
          gboolean  v)
{
  out->type = LB_VALUE_BOOLEAN;
  out->u.boolean = v != FALSE;
}

static gint64
auto_value (const LbExpr  *node,
            LbExprContext *ctx)
{
  switch ((LbExprAutoVar) node->var)
    {
    case LB_EXPR_AUTO_CLIENT_ID:
      return ctx->client_id;
    case LB_EXPR_AUTO_SCALE:
      return ctx->scale;
    case LB_EXPR_AUTO_RANDOM_SEED:
      return ctx->random_seed;
    case LB_EXPR_AUTO_DEFAULT_SEED:
      {
        /* pgbench draws it from the run's seed; derive it the same way for every client. */
        guint64 state = (guint64) ctx->random_seed;

        return (gint64) _lb_random_splitmix64 (&state);
      }
    default:
      g_assert_not_reached ();
    }
  return 0;
}

static gboolean
eval_arithmetic (const LbExpr  *node,
                 const LbValue *a,
                 const LbValue *b,
                 LbValue       *out,
                 GError       **error)
{
  if (a->type == LB_VALUE_INT && b->type == LB_VALUE_INT)
    {
      gint64 x = a->u.integer;
      gint64 y = b->u.integer;
      gint64 r;

      switch (node->func)
        {
        case LB_EXPR_F_ADD:
          if (__builtin_add_overflow (x, y, &r))
            return eval_fail (node, error, _("integer out of range"));
          break;
        case LB_EXPR_F_SUB:
          if (__builtin_sub_overflow (x, y, &r))
            return eval_fail (node, error, _("integer out of range"));
          break;
        case LB_EXPR_F_MUL:
          if (__builtin_mul_overflow (x, y, &r))
            return eval_fail (node, error, _("integer out of range"));
          break;
        case LB_EXPR_F_DIV:
          if (y == 0)
            return eval_fail (node, error, _("division by zero"));
          if (y == -1)
            {
              if (x == G_MININT64)
                return eval_fail (node, error, _("integer out of range"));
              r = -x;
            }
          else
            r = x / y;
          break;
        default:
          g_assert_not_reached ();
        }
      set_int (out, r);
      return TRUE;
    }
  else
    {
      double x, y;

      if (!to_double (node, a, &x, error) || !to_double (node, b, &y, error))
        return FALSE;
      switch (node->func)
        {
        case LB_EXPR_F_ADD:
          set_double (out, x + y);
          break;
        case LB_EXPR_F_SUB:
          set_double (out, x - y);
          break;
        case LB_EXPR_F_MUL:
          set_double (out, x * y);
          break;
        case LB_EXPR_F_DIV:
          if (y == 0.0)
            return eval_fail (node, error, _("division by zero"));
          set_double (out, x / y);
          break;
        default:
          g_assert_not_reached ();
        }
      return TRUE;
    }
}

static gboolean
eval_compare (const LbExpr  *node,
              const LbValue *a,
              const LbValue *b,
              LbValue       *out,
              GError       **error)
{
  int cmp;

  if (a->type == LB_VALUE_INT && b->type == LB_VALUE_INT)
    cmp = (a->u.integer > b->u.integer) - (a->u.integer < b->u.integer);
  else if (a->type == LB_VALUE_STRING && b->type == LB_VALUE_STRING)
    cmp = strcmp (a->u.string, b->u.string);
  else if (a->type == LB_VALUE_BOOLEAN && b->type == LB_VALUE_BOOLEAN)
    cmp = (a->u.boolean != FALSE) - (b->u.boolean != FALSE);
  else
    {
      double x, y;

      if (!to_double (node, a, &x, error) || !to_double (node, b, &y, error))
        return FALSE;
      cmp = (x > y) - (x < y);
    }

  switch (node->func)
    {
    case LB_EXPR_F_EQ:
      set_bool (out, cmp == 0);
      break;
    case LB_EXPR_F_NE:
      set_bool (out, cmp != 0);
      break;
    case LB_EXPR_F_LT:
      set_bool (out, cmp < 0);
      break;
    case LB_EXPR_F_LE:
      set_bool (out, cmp <= 0);
      break;
    case LB_EXPR_F_GT:
      set_bool (out, cmp > 0);
      break;
    case LB_EXPR_F_GE:
      set_bool (out, cmp >= 0);
      break;
    default:
      g_assert_not_reached ();
    }
  return TRUE;
}

static gboolean
eval_random (const LbExpr  *node,
             LbExprContext *ctx,
             const LbValue *args,
             LbValue       *out,
             GError       **error)
{
  gint64 lb, ub;
  double parameter = 0;

  if (!to_int (node, &args[0], &lb, error) || !to_int (node, &args[1], &ub, error))
    return FALSE;
  if (node->n_args > 2 && !to_double (node, &args[2], &parameter, error))
    return FALSE;
  if (lb > ub)
    {
      gint64 tmp = lb;

      lb = ub;
      ub = tmp;
    }
  if (ctx->rng == NULL)
    return eval_fail (node, error, _("no random generator"));

  switch (node->func)
    {
    case LB_EXPR_F_RANDOM:
      set_int (out, lb_random_uniform (ctx->rng, lb, ub));
      return TRUE;

    case LB_EXPR_F_RANDOM_EXPONENTIAL:
      if (!(parameter > 0.0))
        return eval_fail (node, error, _("random_exponential() needs a parameter > 0, not %g"), parameter);
      set_int (out, _lb_random_exponential (ctx->rng, lb, ub, parameter));
      return TRUE;

    case LB_EXPR_F_RANDOM_GAUSSIAN:
      if (!(parameter >= GAUSSIAN_MIN))
        return eval_fail (node, error, _("random_gaussian() needs a parameter >= %.1f, not %g"),
                          GAUSSIAN_MIN, parameter);
      set_int (out, _lb_random_gaussian (ctx->rng, lb, ub, parameter));
      return TRUE;

    case LB_EXPR_F_RANDOM_ZIPFIAN:
      if (!(parameter >= ZIPFIAN_MIN && parameter <= ZIPFIAN_MAX))
        return eval_fail (node, error,
                          _("random_zipfian() needs a parameter in [%.3f, %.0f], not %g (as pgbench)"),
                          ZIPFIAN_MIN, ZIPFIAN_MAX, parameter);
      set_int (out, _lb_random_zipfian (ctx->rng, lb, ub, parameter));
      return TRUE;

    default:
      g_assert_not_reached ();
    }
  return FALSE;
}

/* Operators and functions that evaluate all their arguments first. */
#define MAX_EAGER_ARGS 16

static gboolean
eval_func (const LbExpr  *node,
           LbExprContext *ctx,
           LbValue       *out,
           GError       **error)
{
  LbValue args[MAX_EAGER_ARGS];
  gint64 x, y;
  double d, e;
  guint n = node->n_args;

  /* The lazy ones first: AND, OR, values() and the variadic pair. */
  switch (node->func)
    {
    case LB_EXPR_F_AND:
    case LB_EXPR_F_OR:
      {
        gboolean is_and = node->func == LB_EXPR_F_AND;

        if (!eval_node (node->args[0], ctx, &args[0], error))
          return FALSE;
        /* false AND x is false, true OR x is true: x is not evaluated. */
        if (args[0].type != LB_VALUE_NULL && truth (&args[0]) != is_and)
          {
            set_bool (out, !is_and);
            return TRUE;
          }
        if (!eval_node (node->args[1], ctx, &args[1], error))
          return FALSE;
        if (args[1].type != LB_VALUE_NULL && truth (&args[1]) != is_and)
          set_bool (out, !is_and);
        else if (args[0].type == LB_VALUE_NULL || args[1].type == LB_VALUE_NULL)
          out->type = LB_VALUE_NULL;
        else
          set_bool (out, is_and);
        return TRUE;
      }

    case LB_EXPR_F_VALUES:
      {
        gint64 pick;

        if (ctx->rng == NULL)
          return eval_fail (node, error, _("no random generator"));
        pick = lb_random_uniform (ctx->rng, 0, (gint64) n - 1);
        return eval_node (node->args[pick], ctx, out, error);
      }

    case LB_EXPR_F_GREATEST:
    case LB_EXPR_F_LEAST:
      {
        gboolean all_int = TRUE;
        gboolean greatest = node->func == LB_EXPR_F_GREATEST;
        gint64 best_int = 0;
        double best = 0;

        for (guint i = 0; i < n; i++)
          {
            LbValue v;

            if (!eval_node (node->args[i], ctx, &v, error))
              return FALSE;
            if (v.type == LB_VALUE_NULL)
              {
                out->type = LB_VALUE_NULL;
                return TRUE;
              }
            if (v.type == LB_VALUE_INT && all_int)
              {
                if (i == 0 || (greatest ? v.u.integer > best_int : v.u.integer < best_int))
                  best_int = v.u.integer;
                best = (double) best_int;
              }
            else
              {
                if (!to_double (node, &v, &d, error))
                  return FALSE;
                if (all_int)
                  best = (double) best_int;
                all_int = FALSE;
                if (i == 0 || (greatest ? d > best : d < best))
                  best = d;
              }
          }
        if (all_int)
          set_int (out, best_int);
        else
          set_double (out, best);
        return TRUE;
      }

    default:
      break;
    }

  g_assert (n <= MAX_EAGER_ARGS);
  for (guint i = 0; i < n; i++)
    {
      if (!eval_node (node->args[i], ctx, &args[i], error))
        return FALSE;
      /* As in pgbench, NULL in gives NULL out, except for IS and debug(). */
      if (args[i].type == LB_VALUE_NULL && node->func != LB_EXPR_F_IS
          && node->func != LB_EXPR_F_DEBUG)
        {
          out->type = LB_VALUE_NULL;
          return TRUE;
        }
    }

  switch (node->func)
    {
    case LB_EXPR_F_ADD:
    case LB_EXPR_F_SUB:
    case LB_EXPR_F_MUL:
    case LB_EXPR_F_DIV:
      return eval_arithmetic (node, &args[0], &args[1], out, error);

    case LB_EXPR_F_MOD:
    case LB_EXPR_F_MODFUNC:
      if (!to_int (node, &args[0], &x, error) || !to_int (node, &args[1], &y, error))
        return FALSE;
      if (y == 0)
        return eval_fail (node, error, _("division by zero"));
      /* INT64_MIN % -1 traps on x86. */
      set_int (out, y == -1 ? 0 : x % y);
      return TRUE;

    case LB_EXPR_F_NEG:
      if (args[0].type == LB_VALUE_INT)
        {
          if (args[0].u.integer == G_MININT64)
            return eval_fail (node, error, _("integer out of range"));
          set_int (out, -args[0].u.integer);
          return TRUE;
        }
      if (!to_double (node, &args[0], &d, error))
        return FALSE;
      set_double (out, -d);
      return TRUE;

    case LB_EXPR_F_EQ:
    case LB_EXPR_F_NE:
    case LB_EXPR_F_LT:
    case LB_EXPR_F_LE:
    case LB_EXPR_F_GT:
    case LB_EXPR_F_GE:
      return eval_compare (node, &args[0], &args[1], out, error);

    case LB_EXPR_F_NOT:
      {
        gboolean b = FALSE;

        if (!to_bool (node, &args[0], &b, error))
          return FALSE;
        set_bool (out, !b);
        return TRUE;
      }

    case LB_EXPR_F_IS:
      if (args[1].type == LB_VALUE_NULL)
        set_bool (out, args[0].type == LB_VALUE_NULL);
      else
        set_bool (out, args[0].type == LB_VALUE_BOOLEAN && args[0].u.boolean == args[1].u.boolean);
      return TRUE;

    case LB_EXPR_F_BITAND:
    case LB_EXPR_F_BITOR:
    case LB_EXPR_F_BITXOR:
    case LB_EXPR_F_LSHIFT:
    case LB_EXPR_F_RSHIFT:
      if (!to_int (node, &args[0], &x, error) || !to_int (node, &args[1], &y, error))
        return FALSE;
      switch (node->func)
        {
        case LB_EXPR_F_BITAND:
          set_int (out, x & y);
          break;
        case LB_EXPR_F_BITOR:
          set_int (out, x | y);
          break;
        case LB_EXPR_F_BITXOR:
          set_int (out, x ^ y);
          break;
        case LB_EXPR_F_LSHIFT:
          if (y < 0 || y > 63)
            return eval_fail (node, error, _("shift count %" G_GINT64_FORMAT " is not in [0, 63]"), y);
          set_int (out, (gint64) ((guint64) x << y));
          break;
        case LB_EXPR_F_RSHIFT:
          if (y < 0 || y > 63)
            return eval_fail (node, error, _("shift count %" G_GINT64_FORMAT " is not in [0, 63]"), y);
          /* Arithmetic shift, as pgbench on every platform it runs on. */
          set_int (out, x < 0 ? ~(~x >> y) : x >> y);
          break;
        default:
          g_assert_not_reached ();
        }
      return TRUE;

    case LB_EXPR_F_BITNOT:
      if (!to_int (node, &args[0], &x, error))
        return FALSE;
      set_int (out, ~x);
      return TRUE;

    case LB_EXPR_F_ABS:
      if (args[0].type == LB_VALUE_INT)
        {
          if (args[0].u.integer == G_MININT64)
            return eval_fail (node, error, _("integer out of range"));
          set_int (out, ABS (args[0].u.integer));
          return TRUE;
        }
      if (!to_double (node, &args[0], &d, error))
        return FALSE;
      set_double (out, fabs (d));
      return TRUE;

    case LB_EXPR_F_DEBUG:
      {
        char buf[LB_VALUE_TEXT_MAX];
        const char *text;
        gsize len = lb_value_to_text (&args[0], buf, &text);

        g_printerr ("debug(%s): %.*s\n", type_name (args[0].type), (int) len,
                    text != NULL ? text : "NULL");
        *out = args[0];
        return TRUE;
      }

    case LB_EXPR_F_DOUBLE:
      if (!to_double (node, &args[0], &d, error))
        return FALSE;
      set_double (out, d);
      return TRUE;

    case LB_EXPR_F_INT:
      if (!to_int (node, &args[0], &x, error))
        return FALSE;
      set_int (out, x);
      return TRUE;

    case LB_EXPR_F_EXP:
    case LB_EXPR_F_LN:
    case LB_EXPR_F_SQRT:
      if (!to_double (node, &args[0], &d, error))
        return FALSE;
      if (node->func == LB_EXPR_F_LN && d <= 0.0)
        return eval_fail (node, error, _("ln() of a number <= 0"));
      if (node->func == LB_EXPR_F_SQRT && d < 0.0)
        return eval_fail (node, error, _("sqrt() of a negative number"));
      set_double (out,
                  node->func == LB_EXPR_F_EXP ? exp (d)
                  : node->func == LB_EXPR_F_LN ? log (d) : sqrt (d));
      return TRUE;

    case LB_EXPR_F_POW:
      if (!to_double (node, &args[0], &d, error) || !to_double (node, &args[1], &e, error))
        return FALSE;
      set_double (out, pow (d, e));
      return TRUE;

    case LB_EXPR_F_PI:
      set_double (out, G_PI);
      return TRUE;

    case LB_EXPR_F_HASH_FNV1A:
    case LB_EXPR_F_HASH_MURMUR2:
      if (!to_int (node, &args[0], &x, error) || !to_int (node, &args[1], &y, error))
        return FALSE;
      set_int (out, node->func == LB_EXPR_F_HASH_FNV1A ? _lb_expr_hash_fnv1a (x, (guint64) y)
                                               : _lb_expr_hash_murmur2 (x, (guint64) y));
      return TRUE;

    case LB_EXPR_F_PERMUTE:
      {
        gint64 seed;

        if (!to_int (node, &args[0], &x, error) || !to_int (node, &args[1], &y, error))
          return FALSE;
        if (n > 2)
          {
            if (!to_int (node, &args[2], &seed, error))
              return FALSE;
          }
        else
          {
            LbExpr seed_node = { .kind = LB_EXPR_NODE_AUTO, .var = LB_EXPR_AUTO_DEFAULT_SEED };

            seed = auto_value (&seed_node, ctx);
          }
        if (y <= 0)
          return eval_fail (node, error, _("permute() needs a size > 0"));
        set_int (out, _lb_expr_permute (x, y, (guint64) seed));
        return TRUE;
      }

    case LB_EXPR_F_RANDOM:
    case LB_EXPR_F_RANDOM_EXPONENTIAL:
    case LB_EXPR_F_RANDOM_GAUSSIAN:
    case LB_EXPR_F_RANDOM_ZIPFIAN:
      return eval_random (node, ctx, args, out, error);

    case LB_EXPR_F_AND:
    case LB_EXPR_F_OR:
    case LB_EXPR_F_VALUES:
    case LB_EXPR_F_GREATEST:
    case LB_EXPR_F_LEAST:
    default:
      g_assert_not_reached ();
    }
  return FALSE;
}

static gboolean
eval_node (const LbExpr  *node,
           LbExprContext *ctx,
           LbValue       *out,
           GError       **error)
{
  switch (node->kind)
    {
    case LB_EXPR_NODE_CONST:
      *out = node->value;
      return TRUE;

    case LB_EXPR_NODE_VAR:
      *out = ctx->variables[node->var];
      return TRUE;

    case LB_EXPR_NODE_AUTO:
      set_int (out, auto_value (node, ctx));
      return TRUE;

    case LB_EXPR_NODE_CASE:
      {
        guint pairs = (node->n_args - (node->has_else ? 1 : 0)) / 2;

        for (guint i = 0; i < pairs; i++)
          {
            LbValue cond;

            if (!eval_node (node->args[2 * i], ctx, &cond, error))
              return FALSE;
            if (truth (&cond))
              return eval_node (node->args[2 * i + 1], ctx, out, error);
          }
        if (node->has_else)
          return eval_node (node->args[node->n_args - 1], ctx, out, error);
        out->type = LB_VALUE_NULL;
        return TRUE;
      }

    case LB_EXPR_NODE_FUNC:
      return eval_func (node, ctx, out, error);

    default:
      g_assert_not_reached ();
    }
  return FALSE;
}

gboolean
lb_expr_eval (const LbExpr  *expr,
              LbExprContext *context,
              LbValue       *result,
              GError       **error)
{
  g_return_val_if_fail (expr != NULL, FALSE);
  g_return_val_if_fail (context != NULL, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);

  return eval_node (expr, context, result, error);
}
