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
  /* A plain sentence: the engine says where (script, line, command). */
  (void) node;
  g_set_error_literal (error, LB_EXPR_ERROR, LB_EXPR_ERROR_EVAL, message);
  return FALSE;
}

/* pgbench's names of the types, in its messages and debug() output. */
static const char *
type_name (LbValueType type)
{
  switch (type)
    {
    case LB_VALUE_NULL:
      return "null";
    case LB_VALUE_BOOLEAN:
      return "boolean";
    case LB_VALUE_INT:
      return "int";
    case LB_VALUE_DOUBLE:
      return "double";
    case LB_VALUE_STRING:
      return "string";
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
        return eval_fail (node, error, _("double to int overflow for %f"), v->u.number);
      *out = (gint64) d;
      return TRUE;
    case LB_VALUE_NULL:
    case LB_VALUE_BOOLEAN:
    case LB_VALUE_STRING:
    default:
      return eval_fail (node, error, _("cannot coerce %s to int"), type_name (v->type));
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
      return eval_fail (node, error, _("cannot coerce %s to double"), type_name (v->type));
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
    case LB_VALUE_DOUBLE:
    case LB_VALUE_NULL:
    case LB_VALUE_STRING:
    default:
      /* As pgbench: NOT, AND and OR take booleans only (CASE WHEN takes numbers). */
      return eval_fail (node, error, _("cannot coerce %s to boolean"), type_name (v->type));
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
  if (a->type != LB_VALUE_DOUBLE && b->type != LB_VALUE_DOUBLE)
    {
      gint64 x, y;
      gint64 r;

      if (!to_int (node, a, &x, error) || !to_int (node, b, &y, error))
        return FALSE;
      switch (node->func)
        {
        case LB_EXPR_F_ADD:
          if (__builtin_add_overflow (x, y, &r))
            return eval_fail (node, error, _("bigint add out of range"));
          break;
        case LB_EXPR_F_SUB:
          if (__builtin_sub_overflow (x, y, &r))
            return eval_fail (node, error, _("bigint sub out of range"));
          break;
        case LB_EXPR_F_MUL:
          if (__builtin_mul_overflow (x, y, &r))
            return eval_fail (node, error, _("bigint mul out of range"));
          break;
        case LB_EXPR_F_DIV:
          if (y == 0)
            return eval_fail (node, error, _("division by zero"));
          if (y == -1)
            {
              if (x == G_MININT64)
                return eval_fail (node, error, _("bigint div out of range"));
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
          /* IEEE: ±Infinity or NaN, as pgbench (1.0 / 0 is Infinity). */
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

  /* Strings (ours, from values()) compare as text; otherwise as pgbench:
   * doubles if either is one, else integers (a boolean is an error). */
  if (a->type == LB_VALUE_STRING && b->type == LB_VALUE_STRING)
    cmp = strcmp (a->u.string, b->u.string);
  else if (a->type != LB_VALUE_DOUBLE && b->type != LB_VALUE_DOUBLE)
    {
      gint64 x, y;

      if (!to_int (node, a, &x, error) || !to_int (node, b, &y, error))
        return FALSE;
      cmp = (x > y) - (x < y);
    }
  else
    {
      double x, y;

      if (!to_double (node, a, &x, error) || !to_double (node, b, &y, error))
        return FALSE;
      /* Directly, so that NaN is unequal to everything, as in C (and pgbench). */
      switch (node->func)
        {
        case LB_EXPR_F_EQ:
          set_bool (out, x == y);
          break;
        case LB_EXPR_F_NE:
          set_bool (out, x != y);
          break;
        case LB_EXPR_F_LT:
          set_bool (out, x < y);
          break;
        case LB_EXPR_F_LE:
          set_bool (out, x <= y);
          break;
        case LB_EXPR_F_GT:
          set_bool (out, x > y);
          break;
        case LB_EXPR_F_GE:
          set_bool (out, x >= y);
          break;
        default:
          g_assert_not_reached ();
        }
      return TRUE;
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
  /* As pgbench: no swapped bounds, and the number of values must fit in an int64. */
  if (lb > ub)
    return eval_fail (node, error, _("empty range given to random"));
  if ((guint64) ub - (guint64) lb >= (guint64) G_MAXINT64)
    return eval_fail (node, error, _("random range is too large"));
  if (ctx->rng == NULL)
    return eval_fail (node, error, _("no random generator"));

  switch (node->func)
    {
    case LB_EXPR_F_RANDOM:
      set_int (out, lb_random_uniform (ctx->rng, lb, ub));
      return TRUE;

    case LB_EXPR_F_RANDOM_EXPONENTIAL:
      if (!(parameter > 0.0))
        return eval_fail (node, error, _("exponential parameter must be greater than zero (not %f)"),
                          parameter);
      set_int (out, _lb_random_exponential (ctx->rng, lb, ub, parameter));
      return TRUE;

    case LB_EXPR_F_RANDOM_GAUSSIAN:
      if (!(parameter >= GAUSSIAN_MIN))
        return eval_fail (node, error, _("gaussian parameter must be at least %f (not %f)"),
                          GAUSSIAN_MIN, parameter);
      set_int (out, _lb_random_gaussian (ctx->rng, lb, ub, parameter));
      return TRUE;

    case LB_EXPR_F_RANDOM_ZIPFIAN:
      if (!(parameter >= ZIPFIAN_MIN && parameter <= ZIPFIAN_MAX))
        return eval_fail (node, error, _("zipfian parameter must be in range [%.3f, %.0f] (not %f)"),
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

        gboolean b;

        /* As pgbench: NULL first gives NULL, false AND x is false and true
         * OR x is true without evaluating x; the operands must be booleans. */
        if (!eval_node (node->args[0], ctx, &args[0], error))
          return FALSE;
        if (args[0].type == LB_VALUE_NULL)
          {
            out->type = LB_VALUE_NULL;
            return TRUE;
          }
        if (!to_bool (node, &args[0], &b, error))
          return FALSE;
        if (b != is_and)
          {
            set_bool (out, b);
            return TRUE;
          }
        if (!eval_node (node->args[1], ctx, &args[1], error))
          return FALSE;
        if (args[1].type == LB_VALUE_NULL)
          {
            out->type = LB_VALUE_NULL;
            return TRUE;
          }
        if (!to_bool (node, &args[1], &b, error))
          return FALSE;
        set_bool (out, b);
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
        gboolean any_double = FALSE;
        gboolean any_null = FALSE;
        gboolean greatest = node->func == LB_EXPR_F_GREATEST;
        gint64 best_int = 0;
        double best = 0;

        /* pgbench evaluates at most 16 arguments, and says so when run. */
        if (n > MAX_EAGER_ARGS)
          return eval_fail (node, error, _("too many function arguments, maximum is %d"),
                            MAX_EAGER_ARGS);
        for (guint i = 0; i < n; i++)
          {
            if (!eval_node (node->args[i], ctx, &args[i], error))
              return FALSE;
            any_null |= args[i].type == LB_VALUE_NULL;
            any_double |= args[i].type == LB_VALUE_DOUBLE;
          }
        if (any_null)
          {
            out->type = LB_VALUE_NULL;
            return TRUE;
          }
        for (guint i = 0; i < n; i++)
          {
            if (any_double)
              {
                if (!to_double (node, &args[i], &d, error))
                  return FALSE;
                if (i == 0 || (greatest ? d > best : d < best))
                  best = d;
              }
            else
              {
                if (!to_int (node, &args[i], &x, error))
                  return FALSE;
                if (i == 0 || (greatest ? x > best_int : x < best_int))
                  best_int = x;
              }
          }
        if (any_double)
          set_double (out, best);
        else
          set_int (out, best_int);
        return TRUE;
      }

    default:
      break;
    }

  /* Fixed-arity functions and operators: the parser checked the count. */
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
          /* pgbench computes 0 - x. */
          if (args[0].u.integer == G_MININT64)
            return eval_fail (node, error, _("bigint sub out of range"));
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
          /* pgbench shifts with C's operator: on x86-64 the count is taken
           * modulo 64 (1 << 64 is 1, 1 << -1 is INT64_MIN). */
          set_int (out, (gint64) ((guint64) x << (y & 63)));
          break;
        case LB_EXPR_F_RSHIFT:
          /* Arithmetic shift, as pgbench on every platform it runs on. */
          y &= 63;
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
          /* As pgbench, abs(INT64_MIN) is INT64_MIN (two's complement). */
          set_int (out, args[0].u.integer < 0 ? (gint64) (0 - (guint64) args[0].u.integer)
                                              : args[0].u.integer);
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

        /* pgbench's "debug(script=0,command=1): int 17" without the
         * position (the evaluator does not know it); doubles with its %.15g. */
        if (args[0].type == LB_VALUE_NULL)
          g_printerr ("debug: null\n");
        else
          g_printerr ("debug: %s %.*s\n", type_name (args[0].type), (int) len, text);
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
      /* As pgbench: ln(0) is -Infinity, ln(-1) and sqrt(-1) are NaN. */
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
          return eval_fail (node, error, _("permute size parameter must be greater than zero"));
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
      /* As pgbench: a variable is read as a number, a boolean or NULL;
       * text that is none of them (from -D or a result) cannot be used. */
      if (G_UNLIKELY (out->type == LB_VALUE_STRING))
        return eval_fail (node, error, _("malformed variable “%s” value: “%s”"),
                          node->var_name != NULL ? node->var_name : "?", out->u.string);
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
