/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The tokenizer of pgbench expressions, with the parser's error helpers:
 * numbers, strings, :variables, names and operators, one token ahead
 * (lb-pgbench-expr-parse.c reads them). */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-pgbench-expr-private.h"

/* ------------------------------------------------------------------------ */
/* Tokens                                                                   */

guint
_lb_expr_column_of (LbExprParser *p,
                    const char   *pos)
{
  if (g_utf8_validate (p->text, pos - p->text, NULL))
    return (guint) g_utf8_strlen (p->text, pos - p->text) + 1;
  return (guint) (pos - p->text) + 1;
}

gboolean
_lb_expr_fail (LbExprParser *p,
               const char   *pos,
               int           code,
               const char   *format,
               ...)
{
  va_list args;

  if (p->error != NULL)
    return FALSE;

  va_start (args, format);
  p->error = g_error_new_valist (LB_EXPR_ERROR, code, format, args);
  va_end (args);
  p->error_pos = pos;
  return FALSE;
}

static inline gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || (guchar) c >= 0x80;
}

gboolean
_lb_expr_next_token (LbExprParser *p)
{
  const char *s = p->pos;
  LbExprToken *t = &p->tok;

  while (g_ascii_isspace (*s))
    s++;

  memset (t, 0, sizeof *t);
  t->start = s;

  if (*s == '\0')
    {
      t->kind = LB_EXPR_TOK_END;
      p->pos = s;
      return TRUE;
    }

  if (g_ascii_isdigit (*s) || (*s == '.' && g_ascii_isdigit (s[1])))
    {
      const char *d = s;
      gboolean is_double = FALSE;

      while (g_ascii_isdigit (*d))
        d++;
      if (*d == '.')
        {
          is_double = TRUE;
          d++;
          while (g_ascii_isdigit (*d))
            d++;
        }
      if ((*d == 'e' || *d == 'E')
          && (g_ascii_isdigit (d[1]) || ((d[1] == '+' || d[1] == '-') && g_ascii_isdigit (d[2]))))
        {
          is_double = TRUE;
          d += 2;
          while (g_ascii_isdigit (*d))
            d++;
        }
      if (is_name_char (*d))
        return _lb_expr_fail (p, d, LB_EXPR_ERROR_SYNTAX, _("unexpected “%c” after a number"), *d);

      t->len = d - s;
      if (is_double)
        {
          char buf[64];

          if (t->len >= sizeof buf)
            return _lb_expr_fail (p, s, LB_EXPR_ERROR_SYNTAX, _("number too long"));
          memcpy (buf, s, t->len);
          buf[t->len] = '\0';
          t->kind = LB_EXPR_TOK_DOUBLE;
          t->number = g_ascii_strtod (buf, NULL);
          /* pgbench refuses 1.0E309 when it reads the script. */
          if (isinf (t->number))
            return _lb_expr_fail (p, s, LB_EXPR_ERROR_SYNTAX, _("double constant overflow (%s)"), buf);
        }
      else
        {
          guint64 v = 0;

          for (const char *c = s; c < d; c++)
            {
              guint digit = *c - '0';

              if (v > (G_MAXUINT64 - digit) / 10)
                return _lb_expr_fail (p, s, LB_EXPR_ERROR_SYNTAX, _("bigint constant overflow"));
              v = v * 10 + digit;
            }
          if (v > (guint64) G_MAXINT64 + 1)
            return _lb_expr_fail (p, s, LB_EXPR_ERROR_SYNTAX, _("bigint constant overflow"));
          t->kind = LB_EXPR_TOK_INT;
          t->int_overflow = v == (guint64) G_MAXINT64 + 1;
          t->integer = t->int_overflow ? G_MININT64 : (gint64) v;
        }
      p->pos = d;
      return TRUE;
    }

  if (*s == ':')
    {
      const char *d = s + 1;

      while (is_name_char (*d))
        d++;
      if (d == s + 1)
        return _lb_expr_fail (p, s, LB_EXPR_ERROR_SYNTAX, _("expected a variable name after “:”"));
      t->kind = LB_EXPR_TOK_VAR;
      t->start = s + 1;
      t->len = d - s - 1;
      p->pos = d;
      return TRUE;
    }

  if (g_ascii_isalpha (*s) || *s == '_' || (guchar) *s >= 0x80)
    {
      const char *d = s;

      while (is_name_char (*d))
        d++;
      t->kind = LB_EXPR_TOK_IDENT;
      t->len = d - s;
      p->pos = d;
      return TRUE;
    }

  if (*s == '\'' || *s == '"')
    {
      char quote = *s;
      const char *d = s + 1;

      /* A doubled quote stands for itself, as in SQL. */
      for (;;)
        {
          if (*d == '\0')
            return _lb_expr_fail (p, s, LB_EXPR_ERROR_SYNTAX, _("unterminated string"));
          if (*d == quote)
            {
              if (d[1] == quote)
                {
                  d += 2;
                  continue;
                }
              break;
            }
          d++;
        }
      t->kind = LB_EXPR_TOK_STRING;
      t->len = d + 1 - s;
      p->pos = d + 1;
      return TRUE;
    }

  t->len = 1;
  switch (*s)
    {
    case '(':
      t->kind = LB_EXPR_TOK_LPAREN;
      break;
    case ')':
      t->kind = LB_EXPR_TOK_RPAREN;
      break;
    case ',':
      t->kind = LB_EXPR_TOK_COMMA;
      break;
    case '+': case '-': case '*': case '/': case '%': case '&': case '|': case '#': case '~':
    case '=':
      t->kind = LB_EXPR_TOK_OP;
      break;
    case '<':
      t->kind = LB_EXPR_TOK_OP;
      if (s[1] == '=' || s[1] == '>' || s[1] == '<')
        t->len = 2;
      break;
    case '>':
      t->kind = LB_EXPR_TOK_OP;
      if (s[1] == '=' || s[1] == '>')
        t->len = 2;
      break;
    case '!':
      if (s[1] == '=')
        {
          t->kind = LB_EXPR_TOK_OP;
          t->len = 2;
          break;
        }
      return _lb_expr_fail (p, s, LB_EXPR_ERROR_SYNTAX, _("unexpected “!” (use NOT or !=)"));
    default:
      {
        char buf[8] = { 0 };
        gunichar c = g_utf8_get_char_validated (s, -1);

        if (c == (gunichar) -1 || c == (gunichar) -2)
          c = 0xfffd;
        g_unichar_to_utf8 (c, buf);
        return _lb_expr_fail (p, s, LB_EXPR_ERROR_SYNTAX, _("unexpected character “%s”"), buf);
      }
    }
  p->pos = s + t->len;
  return TRUE;
}

gboolean
_lb_expr_tok_is_op (LbExprParser *p,
                    const char   *op)
{
  return p->tok.kind == LB_EXPR_TOK_OP && p->tok.len == strlen (op) && strncmp (p->tok.start, op,
                                                                                p->tok.len) == 0;
}

gboolean
_lb_expr_tok_is_keyword (LbExprParser *p,
                         const char   *keyword)
{
  return p->tok.kind == LB_EXPR_TOK_IDENT && p->tok.len == strlen (keyword)
         && g_ascii_strncasecmp (p->tok.start, keyword, p->tok.len) == 0;
}

const char *
_lb_expr_describe_token (LbExprParser *p,
                         char         *buf,
                         gsize         size)
{
  if (p->tok.kind == LB_EXPR_TOK_END)
    return _("end of expression");
  g_snprintf (buf, size, "“%.*s”", (int) MIN (p->tok.len, 40), p->tok.start);
  return buf;
}

gboolean
_lb_expr_expect (LbExprParser   *p,
                 LbExprTokenKind kind,
                 const char     *what)
{
  char buf[64];

  if (p->tok.kind != kind)
    return _lb_expr_fail (p, p->tok.start, LB_EXPR_ERROR_SYNTAX, _("expected %s, found %s"),
                          what, _lb_expr_describe_token (p, buf, sizeof buf));
  return _lb_expr_next_token (p);
}
