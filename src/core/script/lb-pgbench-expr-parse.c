/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The recursive-descent parser of pgbench expressions: precedence levels
 * from OR down to unary operators, CASE, function calls checked against
 * the function table, and the public lb_expr_parse() entry points. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-pgbench-expr-private.h"

static LbExpr *parse_or (LbExprParser *p);

static LbExpr *
parse_case (LbExprParser *p,
            const char   *start)
{
  GPtrArray *parts = g_ptr_array_new ();
  gboolean has_else = FALSE;
  LbExpr *node;

  if (!_lb_expr_next_token (p))
    goto error;

  while (_lb_expr_tok_is_keyword (p, "when"))
    {
      LbExpr *when;
      LbExpr *then;

      if (!_lb_expr_next_token (p) || (when = parse_or (p)) == NULL)
        goto error;
      g_ptr_array_add (parts, when);
      if (!_lb_expr_tok_is_keyword (p, "then"))
        {
          char buf[64];

          _lb_expr_fail (p, p->tok.start, LB_EXPR_ERROR_SYNTAX, _("expected THEN, found %s"),
                         _lb_expr_describe_token (p, buf, sizeof buf));
          goto error;
        }
      if (!_lb_expr_next_token (p) || (then = parse_or (p)) == NULL)
        goto error;
      g_ptr_array_add (parts, then);
    }

  if (parts->len == 0)
    {
      char buf[64];

      _lb_expr_fail (p, p->tok.start, LB_EXPR_ERROR_SYNTAX, _("expected WHEN after CASE, found %s"),
                     _lb_expr_describe_token (p, buf, sizeof buf));
      goto error;
    }

  if (_lb_expr_tok_is_keyword (p, "else"))
    {
      LbExpr *otherwise;

      if (!_lb_expr_next_token (p) || (otherwise = parse_or (p)) == NULL)
        goto error;
      g_ptr_array_add (parts, otherwise);
      has_else = TRUE;
    }

  if (!_lb_expr_tok_is_keyword (p, "end"))
    {
      char buf[64];

      _lb_expr_fail (p, p->tok.start, LB_EXPR_ERROR_SYNTAX,
                     _("expected WHEN, ELSE or END in CASE, found %s"),
                     _lb_expr_describe_token (p, buf, sizeof buf));
      goto error;
    }
  if (!_lb_expr_next_token (p))
    goto error;

  node = _lb_expr_node_new (LB_EXPR_NODE_CASE, _lb_expr_column_of (p, start));
  node->has_else = has_else;
  node->n_args = parts->len;
  node->args = (LbExpr **) g_ptr_array_free (parts, FALSE);
  return node;

error:
  g_ptr_array_set_free_func (parts, (GDestroyNotify) lb_expr_free);
  g_ptr_array_free (parts, TRUE);
  return NULL;
}

static LbExpr *
parse_call (LbExprParser *p,
            const char   *name,
            gsize         name_len)
{
  const LbExprFuncInfo *info = NULL;
  GPtrArray *args;
  LbExpr *node;
  guint column = _lb_expr_column_of (p, name);

  for (guint i = 0; i < _lb_expr_n_functions; i++)
    {
      if (strlen (_lb_expr_functions[i].name) == name_len
          && g_ascii_strncasecmp (_lb_expr_functions[i].name, name, name_len) == 0)
        {
          info = &_lb_expr_functions[i];
          break;
        }
    }
  if (info == NULL)
    {
      _lb_expr_fail (p, name, LB_EXPR_ERROR_UNDEFINED, _("unknown function “%.*s”"),
                     (int) name_len, name);
      return NULL;
    }

  /* The current token is "(". */
  if (!_lb_expr_next_token (p))
    return NULL;

  args = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_expr_free);
  if (info->func == LB_EXPR_F_VALUES)
    p->values_depth++;

  if (p->tok.kind != LB_EXPR_TOK_RPAREN)
    {
      for (;;)
        {
          LbExpr *arg = parse_or (p);

          if (arg == NULL)
            goto error;
          g_ptr_array_add (args, arg);
          if (p->tok.kind == LB_EXPR_TOK_COMMA)
            {
              if (!_lb_expr_next_token (p))
                goto error;
              continue;
            }
          break;
        }
    }
  if (!_lb_expr_expect (p, LB_EXPR_TOK_RPAREN, _("“,” or “)”")))
    goto error;

  if (info->func == LB_EXPR_F_VALUES)
    p->values_depth--;

  if ((int) args->len < info->min_args || (info->max_args >= 0 && (int) args->len > info->max_args))
    {
      if (info->min_args == info->max_args)
        _lb_expr_fail (p, name, LB_EXPR_ERROR_SYNTAX,
                       g_dngettext (GETTEXT_PACKAGE, "%s() takes %d argument, not %u",
                                    "%s() takes %d arguments, not %u", info->min_args),
                       info->name, info->min_args, args->len);
      else if (info->max_args < 0)
        _lb_expr_fail (p, name, LB_EXPR_ERROR_SYNTAX, _("%s() takes at least %d argument(s)"),
                       info->name, info->min_args);
      else
        _lb_expr_fail (p, name, LB_EXPR_ERROR_SYNTAX, _("%s() takes %d to %d arguments, not %u"),
                       info->name, info->min_args, info->max_args, args->len);
      g_ptr_array_free (args, TRUE);
      return NULL;
    }

  /* hash() and friends default their seed to :default_seed, as pgbench does. */
  if ((info->func == LB_EXPR_F_HASH_FNV1A || info->func == LB_EXPR_F_HASH_MURMUR2)
      && args->len == 1)
    {
      guint var;

      if (p->resolve != NULL && p->resolve ("default_seed", &var, p->user_data))
        {
          LbExpr *seed = _lb_expr_node_new (LB_EXPR_NODE_VAR, column);

          seed->var = var;
          seed->var_name = g_strdup ("default_seed");
          g_ptr_array_add (args, seed);
        }
      else
        g_ptr_array_add (args, lb_expr_new_automatic ("default_seed"));
    }

  node = _lb_expr_func_new (info->func, column, args->len, (LbExpr **) args->pdata);
  g_ptr_array_set_free_func (args, NULL);
  g_ptr_array_free (args, TRUE);
  return node;

error:
  if (info->func == LB_EXPR_F_VALUES)
    p->values_depth--;
  g_ptr_array_free (args, TRUE);
  return NULL;
}

static LbExpr *
parse_primary (LbExprParser *p)
{
  LbExprToken t = p->tok;
  char buf[64];
  LbExpr *node;

  if (++p->depth > MAX_DEPTH)
    {
      _lb_expr_fail (p, t.start, LB_EXPR_ERROR_SYNTAX, _("expression nested too deeply"));
      return NULL;
    }

  switch (t.kind)
    {
    case LB_EXPR_TOK_INT:
      if (t.int_overflow)
        {
          _lb_expr_fail (p, t.start, LB_EXPR_ERROR_SYNTAX, _("bigint constant overflow"));
          return NULL;
        }
      node = _lb_expr_node_new (LB_EXPR_NODE_CONST, _lb_expr_column_of (p, t.start));
      node->value.type = LB_VALUE_INT;
      node->value.u.integer = t.integer;
      break;

    case LB_EXPR_TOK_DOUBLE:
      node = _lb_expr_node_new (LB_EXPR_NODE_CONST, _lb_expr_column_of (p, t.start));
      node->value.type = LB_VALUE_DOUBLE;
      node->value.u.number = t.number;
      break;

    case LB_EXPR_TOK_STRING:
      {
        GString *s;

        if (p->values_depth == 0)
          {
            _lb_expr_fail (p, t.start, LB_EXPR_ERROR_SYNTAX,
                           _("strings are only allowed as arguments of values()"));
            return NULL;
          }
        s = g_string_sized_new (t.len);
        for (gsize i = 1; i + 1 < t.len; i++)
          {
            g_string_append_c (s, t.start[i]);
            if (t.start[i] == t.start[0])
              i++;
          }
        node = _lb_expr_node_new (LB_EXPR_NODE_CONST, _lb_expr_column_of (p, t.start));
        node->string = g_string_free (s, FALSE);
        node->value.type = LB_VALUE_STRING;
        node->value.u.string = node->string;
      }
      break;

    case LB_EXPR_TOK_VAR:
      {
        g_autofree char *name = g_strndup (t.start, t.len);
        guint var;

        if (p->resolve != NULL && p->resolve (name, &var, p->user_data))
          {
            node = _lb_expr_node_new (LB_EXPR_NODE_VAR, _lb_expr_column_of (p, t.start - 1));
            node->var = var;
            node->var_name = g_steal_pointer (&name);
          }
        else if ((node = lb_expr_new_automatic (name)) != NULL)
          node->column = _lb_expr_column_of (p, t.start - 1);
        else
          {
            _lb_expr_fail (p, t.start - 1, LB_EXPR_ERROR_UNDEFINED, _("undefined variable “%s”"),
                           name);
            return NULL;
          }
      }
      break;

    case LB_EXPR_TOK_LPAREN:
      if (!_lb_expr_next_token (p) || (node = parse_or (p)) == NULL)
        return NULL;
      if (!_lb_expr_expect (p, LB_EXPR_TOK_RPAREN, "“)”"))
        {
          lb_expr_free (node);
          return NULL;
        }
      p->depth--;
      return node;

    case LB_EXPR_TOK_IDENT:
      if (_lb_expr_tok_is_keyword (p, "true") || _lb_expr_tok_is_keyword (p, "false"))
        {
          node = _lb_expr_node_new (LB_EXPR_NODE_CONST, _lb_expr_column_of (p, t.start));
          node->value.type = LB_VALUE_BOOLEAN;
          node->value.u.boolean = _lb_expr_tok_is_keyword (p, "true");
          break;
        }
      if (_lb_expr_tok_is_keyword (p, "null"))
        {
          node = _lb_expr_node_new (LB_EXPR_NODE_CONST, _lb_expr_column_of (p, t.start));
          node->value.type = LB_VALUE_NULL;
          break;
        }
      if (_lb_expr_tok_is_keyword (p, "case"))
        {
          node = parse_case (p, t.start);
          p->depth--;
          return node;
        }
      if (!_lb_expr_next_token (p))
        return NULL;
      if (p->tok.kind != LB_EXPR_TOK_LPAREN)
        {
          _lb_expr_fail (p, t.start, LB_EXPR_ERROR_SYNTAX,
                         _("unexpected “%.*s” (variables are written :name, functions name(…))"),
                         (int) MIN (t.len, 40), t.start);
          return NULL;
        }
      node = parse_call (p, t.start, t.len);
      p->depth--;
      return node;

    case LB_EXPR_TOK_END:
    case LB_EXPR_TOK_OP:
    case LB_EXPR_TOK_RPAREN:
    case LB_EXPR_TOK_COMMA:
    default:
      _lb_expr_fail (p, t.start, LB_EXPR_ERROR_SYNTAX, _("expected a value, found %s"),
                     _lb_expr_describe_token (p, buf, sizeof buf));
      return NULL;
    }

  p->depth--;
  if (!_lb_expr_next_token (p))
    {
      lb_expr_free (node);
      return NULL;
    }
  return node;
}

static LbExpr *
parse_unary (LbExprParser *p)
{
  const char *start = p->tok.start;
  LbExpr *operand;

  if (_lb_expr_tok_is_op (p, "-") || _lb_expr_tok_is_op (p, "+") || _lb_expr_tok_is_op (p, "~"))
    {
      char op = *start;

      if (++p->depth > MAX_DEPTH)
        {
          _lb_expr_fail (p, start, LB_EXPR_ERROR_SYNTAX, _("expression nested too deeply"));
          return NULL;
        }
      if (!_lb_expr_next_token (p))
        return NULL;

      /* -9223372036854775808 is the one literal that only exists negated. */
      if (op == '-' && p->tok.kind == LB_EXPR_TOK_INT && p->tok.int_overflow)
        {
          operand = _lb_expr_node_new (LB_EXPR_NODE_CONST, _lb_expr_column_of (p, start));
          operand->value.type = LB_VALUE_INT;
          operand->value.u.integer = G_MININT64;
          p->depth--;
          if (!_lb_expr_next_token (p))
            {
              lb_expr_free (operand);
              return NULL;
            }
          return operand;
        }

      if ((operand = parse_unary (p)) == NULL)
        return NULL;
      p->depth--;
      if (op == '+')
        return operand;
      return _lb_expr_func_new1 (op == '-' ? LB_EXPR_F_NEG : LB_EXPR_F_BITNOT,
                                 _lb_expr_column_of (p, start), operand);
    }

  return parse_primary (p);
}

typedef struct
{
  const char *op;
  LbExprFunc        func;
} BinOp;

static LbExpr *
parse_binary_level (LbExprParser         *p,
                    LbExpr       *(*operand) (LbExprParser *),
                    const BinOp    *ops,
                    guint           n_ops,
                    gboolean        associative)
{
  LbExpr *left = operand (p);

  while (left != NULL)
    {
      const BinOp *found = NULL;
      const char *op_start = p->tok.start;
      LbExpr *right;

      for (guint i = 0; i < n_ops; i++)
        {
          if (_lb_expr_tok_is_op (p, ops[i].op) || _lb_expr_tok_is_keyword (p, ops[i].op))
            {
              found = &ops[i];
              break;
            }
        }
      if (found == NULL)
        break;

      if (!_lb_expr_next_token (p) || (right = operand (p)) == NULL)
        {
          lb_expr_free (left);
          return NULL;
        }
      left = _lb_expr_func_new2 (found->func, _lb_expr_column_of (p, op_start), left, right);

      if (!associative)
        {
          /* pgbench's comparisons do not chain: a < b < c is an error. */
          for (guint i = 0; i < n_ops; i++)
            {
              if (_lb_expr_tok_is_op (p, ops[i].op))
                {
                  _lb_expr_fail (p, p->tok.start, LB_EXPR_ERROR_SYNTAX,
                                 _("comparisons cannot be chained; use AND"));
                  lb_expr_free (left);
                  return NULL;
                }
            }
          break;
        }
    }
  return left;
}

static LbExpr *
parse_mul (LbExprParser *p)
{
  static const BinOp ops[] = {
    { "*", LB_EXPR_F_MUL }, { "/", LB_EXPR_F_DIV }, { "%", LB_EXPR_F_MOD },
  };

  return parse_binary_level (p, parse_unary, ops, G_N_ELEMENTS (ops), TRUE);
}

static LbExpr *
parse_add (LbExprParser *p)
{
  static const BinOp ops[] = { { "+", LB_EXPR_F_ADD }, { "-", LB_EXPR_F_SUB } };

  return parse_binary_level (p, parse_mul, ops, G_N_ELEMENTS (ops), TRUE);
}

static LbExpr *
parse_bit (LbExprParser *p)
{
  static const BinOp ops[] = {
    { "&", LB_EXPR_F_BITAND }, { "|", LB_EXPR_F_BITOR }, { "#", LB_EXPR_F_BITXOR },
    { "<<", LB_EXPR_F_LSHIFT }, { ">>", LB_EXPR_F_RSHIFT },
  };

  return parse_binary_level (p, parse_add, ops, G_N_ELEMENTS (ops), TRUE);
}

static LbExpr *
parse_cmp (LbExprParser *p)
{
  static const BinOp ops[] = {
    { "=", LB_EXPR_F_EQ }, { "<>", LB_EXPR_F_NE }, { "!=", LB_EXPR_F_NE },
    { "<", LB_EXPR_F_LT }, { "<=", LB_EXPR_F_LE }, { ">", LB_EXPR_F_GT }, { ">=", LB_EXPR_F_GE },
  };

  return parse_binary_level (p, parse_bit, ops, G_N_ELEMENTS (ops), FALSE);
}

static LbExpr *
make_is (LbExprParser *p,
         const char   *start,
         LbExpr       *left,
         LbValueType   type,
         gboolean      boolean,
         gboolean      negate)
{
  LbExpr *right = _lb_expr_node_new (LB_EXPR_NODE_CONST, _lb_expr_column_of (p, start));
  LbExpr *node;

  right->value.type = type;
  right->value.u.boolean = boolean;
  node = _lb_expr_func_new2 (LB_EXPR_F_IS, _lb_expr_column_of (p, start), left, right);
  if (negate)
    node = _lb_expr_func_new1 (LB_EXPR_F_NOT, _lb_expr_column_of (p, start), node);
  return node;
}

static LbExpr *
parse_is (LbExprParser *p)
{
  LbExpr *left = parse_cmp (p);
  const char *start = p->tok.start;
  char buf[64];

  if (left == NULL)
    return NULL;

  if (_lb_expr_tok_is_keyword (p, "isnull") || _lb_expr_tok_is_keyword (p, "notnull"))
    {
      gboolean negate = _lb_expr_tok_is_keyword (p, "notnull");

      if (!_lb_expr_next_token (p))
        {
          lb_expr_free (left);
          return NULL;
        }
      return make_is (p, start, left, LB_VALUE_NULL, FALSE, negate);
    }

  if (_lb_expr_tok_is_keyword (p, "is"))
    {
      gboolean negate = FALSE;

      if (!_lb_expr_next_token (p))
        goto error;
      if (_lb_expr_tok_is_keyword (p, "not"))
        {
          negate = TRUE;
          if (!_lb_expr_next_token (p))
            goto error;
        }
      if (_lb_expr_tok_is_keyword (p, "null"))
        left = make_is (p, start, left, LB_VALUE_NULL, FALSE, negate);
      else if (_lb_expr_tok_is_keyword (p, "true") || _lb_expr_tok_is_keyword (p, "false"))
        left = make_is (p, start, left, LB_VALUE_BOOLEAN, _lb_expr_tok_is_keyword (p, "true"),
                        negate);
      else
        {
          _lb_expr_fail (p, p->tok.start, LB_EXPR_ERROR_SYNTAX,
                         _("expected NULL, TRUE or FALSE after IS, found %s"),
                         _lb_expr_describe_token (p, buf, sizeof buf));
          goto error;
        }
      if (!_lb_expr_next_token (p))
        goto error;
    }
  return left;

error:
  lb_expr_free (left);
  return NULL;
}

static LbExpr *
parse_not (LbExprParser *p)
{
  if (_lb_expr_tok_is_keyword (p, "not"))
    {
      const char *start = p->tok.start;
      LbExpr *operand;

      if (++p->depth > MAX_DEPTH)
        {
          _lb_expr_fail (p, start, LB_EXPR_ERROR_SYNTAX, _("expression nested too deeply"));
          return NULL;
        }
      if (!_lb_expr_next_token (p) || (operand = parse_not (p)) == NULL)
        return NULL;
      p->depth--;
      return _lb_expr_func_new1 (LB_EXPR_F_NOT, _lb_expr_column_of (p, start), operand);
    }
  return parse_is (p);
}

static LbExpr *
parse_and (LbExprParser *p)
{
  static const BinOp ops[] = { { "and", LB_EXPR_F_AND } };

  return parse_binary_level (p, parse_not, ops, G_N_ELEMENTS (ops), TRUE);
}

static LbExpr *
parse_or (LbExprParser *p)
{
  static const BinOp ops[] = { { "or", LB_EXPR_F_OR } };

  return parse_binary_level (p, parse_and, ops, G_N_ELEMENTS (ops), TRUE);
}

LbExpr *
lb_expr_parse_at (const char       *text,
                  LbExprResolveFunc resolve,
                  gpointer          user_data,
                  guint            *error_column,
                  GError          **error)
{
  LbExprParser p = { 0 };
  LbExpr *expr = NULL;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  p.text = text;
  p.pos = text;
  p.resolve = resolve;
  p.user_data = user_data;

  if (_lb_expr_next_token (&p))
    {
      if (p.tok.kind == LB_EXPR_TOK_END)
        _lb_expr_fail (&p, p.tok.start, LB_EXPR_ERROR_SYNTAX, _("expected an expression"));
      else if ((expr = parse_or (&p)) != NULL && p.tok.kind != LB_EXPR_TOK_END)
        {
          char buf[64];

          _lb_expr_fail (&p, p.tok.start, LB_EXPR_ERROR_SYNTAX,
                         _("expected an operator or the end, found %s"),
                         _lb_expr_describe_token (&p, buf, sizeof buf));
          g_clear_pointer (&expr, lb_expr_free);
        }
    }

  if (p.error != NULL)
    {
      g_clear_pointer (&expr, lb_expr_free);
      if (error_column != NULL)
        *error_column = _lb_expr_column_of (&p, p.error_pos);
      g_propagate_error (error, p.error);
      return NULL;
    }

  return expr;
}

LbExpr *
lb_expr_parse (const char       *text,
               LbExprResolveFunc resolve,
               gpointer          user_data,
               GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  guint column = 0;
  LbExpr *expr;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  expr = lb_expr_parse_at (text, resolve, user_data, &column, &local_error);
  if (expr == NULL)
    g_set_error (error, LB_EXPR_ERROR, local_error->code, _("column %u: %s"), column, local_error->message);
  return expr;
}
