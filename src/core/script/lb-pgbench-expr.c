/* SPDX-License-Identifier: GPL-3.0-or-later */
/* pgbench expressions: the tree (LbExpr), the function table, values as
 * text, and the export back to pgbench text. The lexer and parser, the
 * evaluator and the random/hash functions are in lb-pgbench-expr-*.c and
 * lb-pgbench-random.c. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-pgbench-expr-private.h"

G_DEFINE_QUARK (lb-expr-error-quark, lb_expr_error)

const LbExprFuncInfo _lb_expr_functions[] = {
  { "abs", LB_EXPR_F_ABS, 1, 1 },
  { "debug", LB_EXPR_F_DEBUG, 1, 1 },
  { "double", LB_EXPR_F_DOUBLE, 1, 1 },
  { "exp", LB_EXPR_F_EXP, 1, 1 },
  { "greatest", LB_EXPR_F_GREATEST, 1, -1 },
  { "hash", LB_EXPR_F_HASH_MURMUR2, 1, 2 },
  { "hash_fnv1a", LB_EXPR_F_HASH_FNV1A, 1, 2 },
  { "hash_murmur2", LB_EXPR_F_HASH_MURMUR2, 1, 2 },
  { "int", LB_EXPR_F_INT, 1, 1 },
  { "least", LB_EXPR_F_LEAST, 1, -1 },
  { "ln", LB_EXPR_F_LN, 1, 1 },
  { "mod", LB_EXPR_F_MODFUNC, 2, 2 },
  { "permute", LB_EXPR_F_PERMUTE, 2, 3 },
  { "pi", LB_EXPR_F_PI, 0, 0 },
  { "pow", LB_EXPR_F_POW, 2, 2 },
  { "power", LB_EXPR_F_POW, 2, 2 },
  { "random", LB_EXPR_F_RANDOM, 2, 2 },
  { "random_exponential", LB_EXPR_F_RANDOM_EXPONENTIAL, 3, 3 },
  { "random_gaussian", LB_EXPR_F_RANDOM_GAUSSIAN, 3, 3 },
  { "random_zipfian", LB_EXPR_F_RANDOM_ZIPFIAN, 3, 3 },
  { "sqrt", LB_EXPR_F_SQRT, 1, 1 },
  { "values", LB_EXPR_F_VALUES, 1, -1 },
};

const gsize _lb_expr_n_functions = G_N_ELEMENTS (_lb_expr_functions);

static const char * const auto_names[] = {
  "client_id", "scale", "random_seed", "default_seed",
};

/* ------------------------------------------------------------------------ */
/* Values as text                                                           */

static gsize
format_int (gint64  value,
            char   *buffer)
{
  char digits[24];
  guint64 magnitude;
  gsize n = 0;
  gsize len = 0;

  /* Unsigned negation keeps INT64_MIN exact. */
  magnitude = value < 0 ? (guint64) 0 - (guint64) value : (guint64) value;
  do
    {
      digits[n++] = (char) ('0' + magnitude % 10);
      magnitude /= 10;
    }
  while (magnitude != 0);

  if (value < 0)
    buffer[len++] = '-';
  while (n > 0)
    buffer[len++] = digits[--n];
  buffer[len] = '\0';
  return len;
}

/* As pgbench sends a double to the server and prints it in debug():
 * %.15g (DBL_DIG digits), so 1.0 / 3 is 0.333333333333333; NaN and
 * ±Infinity spelt as PostgreSQL reads them. */
static gsize
format_double (double  value,
               char   *buffer)
{
  if (isnan (value))
    {
      memcpy (buffer, "NaN", 4);
      return 3;
    }
  if (isinf (value))
    {
      const char *text = value > 0 ? "Infinity" : "-Infinity";

      memcpy (buffer, text, strlen (text) + 1);
      return strlen (text);
    }

  g_ascii_formatd (buffer, LB_VALUE_TEXT_MAX, "%.15g", value);
  return strlen (buffer);
}

gsize
lb_value_to_text (const LbValue  *value,
                  char           *buffer,
                  const char    **text)
{
  g_return_val_if_fail (value != NULL, 0);
  g_return_val_if_fail (buffer != NULL, 0);
  g_return_val_if_fail (text != NULL, 0);

  switch (value->type)
    {
    case LB_VALUE_NULL:
      *text = NULL;
      return 0;

    case LB_VALUE_BOOLEAN:
      *text = value->u.boolean ? "true" : "false";
      return value->u.boolean ? 4 : 5;

    case LB_VALUE_INT:
      *text = buffer;
      return format_int (value->u.integer, buffer);

    case LB_VALUE_DOUBLE:
      *text = buffer;
      return format_double (value->u.number, buffer);

    case LB_VALUE_STRING:
      *text = value->u.string;
      return value->u.string != NULL ? strlen (value->u.string) : 0;

    default:
      g_assert_not_reached ();
    }
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Tree                                                                     */

LbExpr *
_lb_expr_node_new (LbExprNodeKind kind,
                   guint          column)
{
  LbExpr *node = g_new0 (LbExpr, 1);

  node->kind = kind;
  node->column = column;
  return node;
}

void
lb_expr_free (LbExpr *expr)
{
  if (expr == NULL)
    return;

  for (guint i = 0; i < expr->n_args; i++)
    lb_expr_free (expr->args[i]);
  g_free (expr->args);
  g_free (expr->string);
  g_free (expr->var_name);
  g_free (expr);
}

LbExpr *
_lb_expr_func_new (LbExprFunc func,
                   guint      column,
                   guint      n_args,
                   LbExpr   **args)
{
  LbExpr *node = _lb_expr_node_new (LB_EXPR_NODE_FUNC, column);

  node->func = func;
  node->n_args = n_args;
  node->args = g_new (LbExpr *, MAX (n_args, 1));
  if (n_args > 0)
    memcpy (node->args, args, n_args * sizeof (LbExpr *));
  return node;
}

LbExpr *
_lb_expr_func_new1 (LbExprFunc func,
                    guint      column,
                    LbExpr    *a)
{
  return _lb_expr_func_new (func, column, 1, &a);
}

LbExpr *
_lb_expr_func_new2 (LbExprFunc func,
                    guint      column,
                    LbExpr    *a,
                    LbExpr    *b)
{
  LbExpr *args[2] = { a, b };

  return _lb_expr_func_new (func, column, 2, args);
}

LbExpr *
lb_expr_new_automatic (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (auto_names); i++)
    {
      if (g_str_equal (name, auto_names[i]))
        {
          LbExpr *node = _lb_expr_node_new (LB_EXPR_NODE_AUTO, 1);

          node->var = i;
          return node;
        }
    }
  return NULL;
}

gboolean
lb_expr_is_automatic (const LbExpr *expr,
                      const char   *name)
{
  g_return_val_if_fail (expr != NULL, FALSE);

  return expr->kind == LB_EXPR_NODE_AUTO && (name == NULL || g_str_equal (auto_names[expr->var],
                                                                          name));
}

/* ------------------------------------------------------------------------ */
/* Export as pgbench text                                                   */

typedef struct
{
  const char * const *names;
  const char         *target;      /* NULL: values() cannot be exported */
  GString            *prelude;     /* \set lines for the values() picks */
  guint               n_picks;
  GError             *error;
} Printer;

static const char *
func_name (LbExprFunc func)
{
  for (guint i = 0; i < G_N_ELEMENTS (_lb_expr_functions); i++)
    if (_lb_expr_functions[i].func == func)
      return _lb_expr_functions[i].name;
  return NULL;
}

static const char *
operator_text (LbExprFunc func)
{
  switch (func)
    {
    case LB_EXPR_F_ADD: return "+";
    case LB_EXPR_F_SUB: return "-";
    case LB_EXPR_F_MUL: return "*";
    case LB_EXPR_F_DIV: return "/";
    case LB_EXPR_F_MOD: return "%";
    case LB_EXPR_F_EQ: return "=";
    case LB_EXPR_F_NE: return "<>";
    case LB_EXPR_F_LT: return "<";
    case LB_EXPR_F_LE: return "<=";
    case LB_EXPR_F_GT: return ">";
    case LB_EXPR_F_GE: return ">=";
    case LB_EXPR_F_AND: return "AND";
    case LB_EXPR_F_OR: return "OR";
    case LB_EXPR_F_BITAND: return "&";
    case LB_EXPR_F_BITOR: return "|";
    case LB_EXPR_F_BITXOR: return "#";
    case LB_EXPR_F_LSHIFT: return "<<";
    case LB_EXPR_F_RSHIFT: return ">>";
    default: return NULL;
    }
}

static void
print_value (GString       *out,
             const LbValue *value)
{
  char buf[LB_VALUE_TEXT_MAX];

  switch (value->type)
    {
    case LB_VALUE_NULL:
      g_string_append (out, "NULL");
      break;
    case LB_VALUE_BOOLEAN:
      g_string_append (out, value->u.boolean ? "true" : "false");
      break;
    case LB_VALUE_INT:
      if (value->u.integer == G_MININT64)
        g_string_append (out, "(-9223372036854775807 - 1)");
      else if (value->u.integer < 0)
        g_string_append_printf (out, "(%" G_GINT64_FORMAT ")", value->u.integer);
      else
        g_string_append_printf (out, "%" G_GINT64_FORMAT, value->u.integer);
      break;
    case LB_VALUE_DOUBLE:
      if (isnan (value->u.number))
        g_string_append (out, "(1e308 * 10 - 1e308 * 10)");
      else if (isinf (value->u.number))
        g_string_append (out, value->u.number > 0 ? "(1e308 * 10)" : "(-1e308 * 10)");
      else
        {
          static const char * const formats[] = { "%.15g", "%.16g", "%.17g" };

          /* The shortest text that reads back as the same double: the
           * exported script must compute what ours does. */
          for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
            {
              g_ascii_formatd (buf, sizeof buf, formats[i], value->u.number);
              if (g_ascii_strtod (buf, NULL) == value->u.number)
                break;
            }
          /* pgbench reads a number without "." or "e" as an integer. */
          if (strpbrk (buf, ".eE") == NULL)
            g_strlcat (buf, ".0", sizeof buf);
          if (buf[0] == '-')
            g_string_append_printf (out, "(%s)", buf);
          else
            g_string_append (out, buf);
        }
      break;
    case LB_VALUE_STRING:
    default:
      g_assert_not_reached ();
    }
}

static void
print_node (Printer      *pr,
            GString      *out,
            const LbExpr *node)
{
  const char *op;

  if (pr->error != NULL)
    return;

  switch (node->kind)
    {
    case LB_EXPR_NODE_CONST:
      if (node->value.type == LB_VALUE_STRING)
        {
          g_set_error (&pr->error, LB_EXPR_ERROR, LB_EXPR_ERROR_SYNTAX,
                       _("the string '%s' has no pgbench equivalent: pgbench expressions give numbers only"),
                       node->value.u.string);
          return;
        }
      print_value (out, &node->value);
      return;

    case LB_EXPR_NODE_VAR:
      g_string_append_printf (out, ":%s",
                              pr->names != NULL && pr->names[node->var] != NULL
                              ? pr->names[node->var] : node->var_name);
      return;

    case LB_EXPR_NODE_AUTO:
      g_string_append_printf (out, ":%s", auto_names[node->var]);
      return;

    case LB_EXPR_NODE_CASE:
      {
        guint pairs = (node->n_args - (node->has_else ? 1 : 0)) / 2;

        g_string_append (out, "CASE");
        for (guint i = 0; i < pairs; i++)
          {
            g_string_append (out, " WHEN ");
            print_node (pr, out, node->args[2 * i]);
            g_string_append (out, " THEN ");
            print_node (pr, out, node->args[2 * i + 1]);
          }
        if (node->has_else)
          {
            g_string_append (out, " ELSE ");
            print_node (pr, out, node->args[node->n_args - 1]);
          }
        g_string_append (out, " END");
        return;
      }

    case LB_EXPR_NODE_FUNC:
      break;

    default:
      g_assert_not_reached ();
    }

  if ((op = operator_text (node->func)) != NULL)
    {
      g_string_append_c (out, '(');
      print_node (pr, out, node->args[0]);
      g_string_append_printf (out, " %s ", op);
      print_node (pr, out, node->args[1]);
      g_string_append_c (out, ')');
      return;
    }

  switch (node->func)
    {
    case LB_EXPR_F_NEG:
    case LB_EXPR_F_BITNOT:
    case LB_EXPR_F_NOT:
      g_string_append (out,
                       node->func == LB_EXPR_F_NEG ? "(-"
                       : node->func == LB_EXPR_F_BITNOT ? "(~" : "(NOT ");
      print_node (pr, out, node->args[0]);
      g_string_append_c (out, ')');
      return;

    case LB_EXPR_F_IS:
      g_string_append_c (out, '(');
      print_node (pr, out, node->args[0]);
      g_string_append (out, " IS ");
      print_value (out, &node->args[1]->value);
      g_string_append_c (out, ')');
      return;

    case LB_EXPR_F_VALUES:
      {
        g_autofree char *pick = NULL;

        if (pr->target == NULL)
          {
            g_set_error (&pr->error, LB_EXPR_ERROR, LB_EXPR_ERROR_SYNTAX,
                         _("values() has no single-expression pgbench equivalent"));
            return;
          }
        /* pgbench's CASE has no "CASE x WHEN": draw the pick into a variable first. */
        pick = g_strdup_printf ("%s_pick%u", pr->target, ++pr->n_picks);
        g_string_append_printf (pr->prelude, "\\set %s random(1, %u)\n", pick, node->n_args);
        g_string_append (out, "CASE");
        for (guint i = 0; i + 1 < node->n_args; i++)
          {
            g_string_append_printf (out, " WHEN :%s = %u THEN ", pick, i + 1);
            print_node (pr, out, node->args[i]);
          }
        g_string_append (out, " ELSE ");
        print_node (pr, out, node->args[node->n_args - 1]);
        g_string_append (out, " END");
        return;
      }

    default:
      g_string_append_printf (out, "%s(", func_name (node->func));
      for (guint i = 0; i < node->n_args; i++)
        {
          if (i > 0)
            g_string_append (out, ", ");
          print_node (pr, out, node->args[i]);
        }
      g_string_append_c (out, ')');
      return;
    }
}

char *
lb_expr_to_pgbench (const LbExpr       *expr,
                    const char * const *variable_names)
{
  g_autoptr(GString) out = g_string_new (NULL);
  Printer pr = { 0 };

  g_return_val_if_fail (expr != NULL, NULL);

  pr.names = variable_names;
  print_node (&pr, out, expr);
  if (pr.error != NULL)
    {
      g_error_free (pr.error);
      return NULL;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

gboolean
lb_expr_export_pgbench_set (const LbExpr       *expr,
                            const char * const *variable_names,
                            const char         *target,
                            GString            *out,
                            GError            **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) prelude = g_string_new (NULL);
  Printer pr = { 0 };

  g_return_val_if_fail (expr != NULL, FALSE);
  g_return_val_if_fail (target != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  pr.names = variable_names;
  pr.target = target;
  pr.prelude = prelude;
  print_node (&pr, text, expr);
  if (pr.error != NULL)
    {
      g_propagate_error (error, pr.error);
      return FALSE;
    }
  g_string_append (out, prelude->str);
  g_string_append_printf (out, "\\set %s %s\n", target, text->str);
  return TRUE;
}
