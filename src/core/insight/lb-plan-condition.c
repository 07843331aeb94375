/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "lb-plan-condition.h"

typedef enum
{
  TOK_WORD,      /* identifier or keyword, unquoted */
  TOK_QUOTED,    /* "Identifier" */
  TOK_NUMBER,
  TOK_STRING,    /* 'literal' (E'' and the like included) */
  TOK_PARAM,     /* $1 */
  TOK_OP,        /* = < >= @> ~~ … */
  TOK_CAST,      /* :: */
  TOK_LPAREN,
  TOK_RPAREN,
  TOK_LBRACKET,
  TOK_RBRACKET,
  TOK_COMMA,
  TOK_DOT,
} TokKind;

typedef struct
{
  TokKind  kind;
  char    *text;   /* unquoted for TOK_QUOTED */
} Tok;

static void
tok_clear (gpointer data)
{
  Tok *t = data;

  g_free (t->text);
}

static gboolean
is_op_char (char c)
{
  return c != '\0' && strchr ("+-*/<>=~!@#%^&|`?", c) != NULL;
}

/* FALSE on text the tokenizer does not know (the caller then finds no term). */
static gboolean
tokenize (const char *s,
          GArray     *out)
{
  const char *p = s;

  while (*p != '\0')
    {
      Tok t = { 0 };
      const char *start = p;

      if (g_ascii_isspace (*p))
        {
          p++;
          continue;
        }
      if (g_ascii_isalpha (*p) || *p == '_' || (guchar) *p >= 0x80)
        {
          while (g_ascii_isalnum (*p) || *p == '_' || *p == '$' || (guchar) *p >= 0x80)
            p++;
          /* E'…', B'…', X'…', N'…' literals */
          if (*p == '\'' && p - start == 1)
            goto string;
          t.kind = TOK_WORD;
          t.text = g_strndup (start, p - start);
        }
      else if (g_ascii_isdigit (*p) || (*p == '.' && g_ascii_isdigit (p[1])))
        {
          while (g_ascii_isalnum (*p) || *p == '.' ||
                 ((*p == '+' || *p == '-') && (p[-1] == 'e' || p[-1] == 'E')))
            p++;
          t.kind = TOK_NUMBER;
          t.text = g_strndup (start, p - start);
        }
      else if (*p == '\'')
        {
string:
          p++;
          for (;;)
            {
              if (*p == '\0')
                return FALSE;
              if (*p == '\'' && p[1] == '\'')
                p += 2;
              else if (*p == '\\' && start[0] != '\'' && p[1] != '\0')
                p += 2;
              else if (*p == '\'')
                {
                  p++;
                  break;
                }
              else
                p++;
            }
          t.kind = TOK_STRING;
          t.text = g_strndup (start, p - start);
        }
      else if (*p == '"')
        {
          GString *name = g_string_new (NULL);

          p++;
          for (;;)
            {
              if (*p == '\0')
                {
                  g_string_free (name, TRUE);
                  return FALSE;
                }
              if (*p == '"' && p[1] == '"')
                {
                  g_string_append_c (name, '"');
                  p += 2;
                }
              else if (*p == '"')
                {
                  p++;
                  break;
                }
              else
                g_string_append_c (name, *p++);
            }
          t.kind = TOK_QUOTED;
          t.text = g_string_free (name, FALSE);
        }
      else if (*p == '$' && g_ascii_isdigit (p[1]))
        {
          p++;
          while (g_ascii_isdigit (*p))
            p++;
          t.kind = TOK_PARAM;
          t.text = g_strndup (start, p - start);
        }
      else if (*p == ':' && p[1] == ':')
        {
          p += 2;
          t.kind = TOK_CAST;
          t.text = g_strdup ("::");
        }
      else if (strchr ("()[],.", *p) != NULL)
        {
          switch (*p)
            {
            case '(': t.kind = TOK_LPAREN; break;
            case ')': t.kind = TOK_RPAREN; break;
            case '[': t.kind = TOK_LBRACKET; break;
            case ']': t.kind = TOK_RBRACKET; break;
            case ',': t.kind = TOK_COMMA; break;
            default:  t.kind = TOK_DOT; break;
            }
          t.text = g_strndup (p, 1);
          p++;
        }
      else if (is_op_char (*p))
        {
          while (is_op_char (*p))
            p++;
          t.kind = TOK_OP;
          t.text = g_strndup (start, p - start);
        }
      else
        return FALSE;

      g_array_append_val (out, t);
    }
  return TRUE;
}

#define TOK(i) (&g_array_index (toks, Tok, (i)))

static gboolean
is_word (GArray     *toks,
         guint       i,
         const char *word)
{
  return TOK (i)->kind == TOK_WORD && g_ascii_strcasecmp (TOK (i)->text, word) == 0;
}

/* The index of the parenthesis closing the one at @open, or G_MAXUINT. */
static guint
closing (GArray *toks,
         guint   open,
         guint   end)
{
  int depth = 0;

  for (guint i = open; i < end; i++)
    {
      TokKind k = TOK (i)->kind;

      if (k == TOK_LPAREN || k == TOK_LBRACKET)
        depth++;
      else if (k == TOK_RPAREN || k == TOK_RBRACKET)
        {
          if (--depth == 0)
            return i;
        }
    }
  return G_MAXUINT;
}

/* [@a, @b) without parentheses around all of it and without trailing casts. */
static void
strip (GArray *toks,
       guint  *a,
       guint  *b)
{
  for (;;)
    {
      /* "x::type", "x::character varying", "x::integer[]" */
      guint i, cast = G_MAXUINT;
      int depth = 0;

      for (i = *a; i < *b; i++)
        {
          TokKind k = TOK (i)->kind;

          if (k == TOK_LPAREN || k == TOK_LBRACKET)
            depth++;
          else if (k == TOK_RPAREN || k == TOK_RBRACKET)
            depth--;
          else if (k == TOK_CAST && depth == 0)
            cast = i;
          else if (depth == 0 && cast != G_MAXUINT &&
                   (k == TOK_OP || k == TOK_STRING || k == TOK_PARAM || k == TOK_COMMA ||
                    k == TOK_NUMBER))
            cast = G_MAXUINT;   /* "x::int = 5": an operator follows, not a type */
        }
      if (cast != G_MAXUINT && cast > *a)
        {
          *b = cast;
          continue;
        }
      if (*b - *a >= 2 && TOK (*a)->kind == TOK_LPAREN && closing (toks, *a, *b) == *b - 1)
        {
          (*a)++;
          (*b)--;
          continue;
        }
      return;
    }
}

/* A column reference: word, or word . word (quoted names too). */
static gboolean
column_ref (GArray  *toks,
            guint    a,
            guint    b,
            char   **qualifier,
            char   **column)
{
  gboolean name0, name2;

  if (b - a == 1 && (TOK (a)->kind == TOK_WORD || TOK (a)->kind == TOK_QUOTED))
    {
      if (TOK (a)->kind == TOK_WORD &&
          (is_word (toks, a, "NULL") || is_word (toks, a, "true") || is_word (toks, a, "false")))
        return FALSE;
      *qualifier = NULL;
      *column = g_strdup (TOK (a)->text);
      return TRUE;
    }
  if (b - a != 3 || TOK (a + 1)->kind != TOK_DOT)
    return FALSE;
  name0 = TOK (a)->kind == TOK_WORD || TOK (a)->kind == TOK_QUOTED;
  name2 = TOK (a + 2)->kind == TOK_WORD || TOK (a + 2)->kind == TOK_QUOTED;
  if (!name0 || !name2)
    return FALSE;
  *qualifier = g_strdup (TOK (a)->text);
  *column = g_strdup (TOK (a + 2)->text);
  return TRUE;
}

/* Whether [@a, @b) holds a column at all (else it is a value). */
static gboolean
mentions_column (GArray *toks,
                 guint   a,
                 guint   b)
{
  for (guint i = a; i < b; i++)
    {
      if (TOK (i)->kind == TOK_QUOTED)
        return TRUE;
      if (TOK (i)->kind != TOK_WORD)
        continue;
      if (i > a && TOK (i - 1)->kind == TOK_CAST)
        continue;   /* a type name */
      if (i + 1 < b && TOK (i + 1)->kind == TOK_LPAREN)
        continue;   /* a function */
      if (is_word (toks, i, "NULL") || is_word (toks, i, "true") || is_word (toks, i, "false") ||
          is_word (toks, i, "ARRAY") || is_word (toks, i, "ANY") || is_word (toks, i, "ALL"))
        continue;
      /* the words of a type after a cast ("character varying", "double precision") */
      if (i > a && TOK (i - 1)->kind == TOK_WORD && i > a + 1 && TOK (i - 2)->kind == TOK_CAST)
        continue;
      return TRUE;
    }
  return FALSE;
}

/* The expression [@a, @b) as CREATE INDEX takes it: qualifiers dropped. */
static char *
expression_text (GArray *toks,
                 guint   a,
                 guint   b)
{
  GString *out = g_string_new (NULL);
  TokKind prev = TOK_COMMA;

  for (guint i = a; i < b; i++)
    {
      Tok *t = TOK (i);

      /* alias . column → column */
      if ((t->kind == TOK_WORD || t->kind == TOK_QUOTED) && i + 2 < b &&
          TOK (i + 1)->kind == TOK_DOT &&
          (TOK (i + 2)->kind == TOK_WORD || TOK (i + 2)->kind == TOK_QUOTED))
        continue;
      if (t->kind == TOK_DOT)
        continue;
      if ((t->kind == TOK_WORD || t->kind == TOK_QUOTED || t->kind == TOK_NUMBER ||
           t->kind == TOK_STRING || t->kind == TOK_PARAM) &&
          (prev == TOK_WORD || prev == TOK_QUOTED || prev == TOK_NUMBER ||
           prev == TOK_STRING || prev == TOK_PARAM))
        g_string_append_c (out, ' ');
      if (t->kind == TOK_OP || (prev == TOK_OP && t->kind != TOK_RPAREN))
        if (out->len > 0 && out->str[out->len - 1] != ' ')
          g_string_append_c (out, ' ');
      if (t->kind == TOK_COMMA)
        {
          g_string_append (out, ", ");
          prev = TOK_COMMA;
          continue;
        }
      if (t->kind == TOK_QUOTED)
        {
          g_autofree char *escaped = NULL;
          g_auto(GStrv) parts = g_strsplit (t->text, "\"", -1);

          escaped = g_strjoinv ("\"\"", parts);
          g_string_append_printf (out, "\"%s\"", escaped);
        }
      else
        g_string_append (out, t->text);
      prev = t->kind;
    }
  return g_string_free (out, FALSE);
}

static const char *
mirror (const char *op)
{
  if (strcmp (op, "<") == 0) return ">";
  if (strcmp (op, ">") == 0) return "<";
  if (strcmp (op, "<=") == 0) return ">=";
  if (strcmp (op, ">=") == 0) return "<=";
  if (strcmp (op, "@>") == 0) return "<@";
  if (strcmp (op, "<@") == 0) return "@>";
  return op;
}

static gboolean
classify (const char      *op,
          GArray          *toks,
          guint            ra,
          guint            rb,
          LbConditionKind *kind)
{
  if (strcmp (op, "=") == 0)
    *kind = LB_CONDITION_EQUALITY;
  else if (strcmp (op, "<") == 0 || strcmp (op, ">") == 0 ||
           strcmp (op, "<=") == 0 || strcmp (op, ">=") == 0)
    *kind = LB_CONDITION_RANGE;
  else if (strcmp (op, "~~") == 0)
    {
      /* LIKE 'abc%' narrows a btree range; LIKE '%abc' does not. */
      if (rb - ra < 1 || TOK (ra)->kind != TOK_STRING || TOK (ra)->text[1] == '%' ||
          TOK (ra)->text[1] == '_')
        return FALSE;
      *kind = LB_CONDITION_RANGE;
    }
  else if (strcmp (op, "@>") == 0 || strcmp (op, "?") == 0 || strcmp (op, "?|") == 0 ||
           strcmp (op, "?&") == 0 || strcmp (op, "&&") == 0 || strcmp (op, "@@") == 0)
    *kind = LB_CONDITION_CONTAINMENT;
  else
    return FALSE;
  return TRUE;
}

/* One conjunct: "lhs OP rhs" or "x IS NULL". */
static void
parse_term (GArray    *toks,
            guint      a,
            guint      b,
            GPtrArray *terms)
{
  guint op = G_MAXUINT;
  int depth = 0;
  guint la, lb_, ra, rb;
  g_autofree char *lq = NULL, *lc = NULL, *rq = NULL, *rc = NULL;
  gboolean lcol, rcol, lexpr = FALSE;
  const char *op_text;
  LbConditionKind kind;
  LbConditionTerm *term;

  strip (toks, &a, &b);
  if (a >= b)
    return;

  /* x IS NULL: equality on the column */
  if (b - a >= 3 && is_word (toks, b - 2, "IS") && is_word (toks, b - 1, "NULL"))
    {
      guint ca = a, cb = b - 2;

      strip (toks, &ca, &cb);
      if (column_ref (toks, ca, cb, &lq, &lc))
        {
          term = g_new0 (LbConditionTerm, 1);
          term->kind = LB_CONDITION_EQUALITY;
          term->op = g_strdup ("IS NULL");
          term->qualifier = g_steal_pointer (&lq);
          term->column = g_steal_pointer (&lc);
          g_ptr_array_add (terms, term);
        }
      return;
    }

  for (guint i = a; i < b; i++)
    {
      TokKind k = TOK (i)->kind;

      if (k == TOK_LPAREN || k == TOK_LBRACKET)
        depth++;
      else if (k == TOK_RPAREN || k == TOK_RBRACKET)
        depth--;
      else if (k == TOK_OP && depth == 0)
        {
          op = i;
          break;
        }
      else if (k == TOK_WORD && depth == 0 &&
               (is_word (toks, i, "NOT") || is_word (toks, i, "OR")))
        return;
    }
  if (op == G_MAXUINT || op == a || op + 1 >= b)
    return;

  op_text = TOK (op)->text;
  la = a, lb_ = op, ra = op + 1, rb = b;
  /* = ANY ('{…}'::int[]) is an IN list */
  if (is_word (toks, ra, "ANY") && strcmp (op_text, "=") == 0)
    {
      ra++;
      strip (toks, &ra, &rb);
    }
  else if (is_word (toks, ra, "ANY") || is_word (toks, ra, "ALL"))
    return;
  strip (toks, &la, &lb_);
  strip (toks, &ra, &rb);

  lcol = column_ref (toks, la, lb_, &lq, &lc);
  rcol = column_ref (toks, ra, rb, &rq, &rc);
  if (!lcol && !rcol)
    {
      gboolean lm = mentions_column (toks, la, lb_);
      gboolean rm = mentions_column (toks, ra, rb);

      if (lm == rm)
        return;   /* expression = expression, or constant = constant */
      if (rm)
        {
          guint t;

          t = la, la = ra, ra = t;
          t = lb_, lb_ = rb, rb = t;
          op_text = mirror (op_text);
        }
      lexpr = TRUE;
      lc = expression_text (toks, la, lb_);
    }
  else if (!lcol && rcol)
    {
      if (mentions_column (toks, la, lb_))
        return;
      /* 42 = x → x = 42 */
      lq = g_steal_pointer (&rq);
      lc = g_steal_pointer (&rc);
      ra = la, rb = lb_;
      op_text = mirror (op_text);
    }

  if (!classify (op_text, toks, ra, rb, &kind))
    return;
  if (kind == LB_CONDITION_CONTAINMENT && strcmp (op_text, "<@") == 0)
    return;   /* value <@ column was mirrored; column <@ value has no GIN support */

  term = g_new0 (LbConditionTerm, 1);
  term->kind = kind;
  term->op = g_strdup (op_text);
  term->qualifier = g_steal_pointer (&lq);
  term->column = g_steal_pointer (&lc);
  term->expression = lexpr;
  if (lcol && rcol)
    {
      term->other_qualifier = g_steal_pointer (&rq);
      term->other_column = g_steal_pointer (&rc);
    }
  else if (!lexpr && mentions_column (toks, ra, rb))
    {
      /* column = f(other column): not a value known before the scan */
      lb_condition_term_free (term);
      return;
    }
  g_ptr_array_add (terms, term);
}

static void
parse_and (GArray    *toks,
           guint      a,
           guint      b,
           GPtrArray *terms)
{
  int depth = 0;
  guint start;
  gboolean split = FALSE;

  strip (toks, &a, &b);
  start = a;
  for (guint i = a; i < b; i++)
    {
      TokKind k = TOK (i)->kind;

      if (k == TOK_LPAREN || k == TOK_LBRACKET)
        depth++;
      else if (k == TOK_RPAREN || k == TOK_RBRACKET)
        depth--;
      else if (depth == 0 && is_word (toks, i, "OR"))
        return;   /* an OR at the top: no single index term */
      else if (depth == 0 && is_word (toks, i, "AND"))
        {
          parse_and (toks, start, i, terms);
          start = i + 1;
          split = TRUE;
        }
    }
  if (split)
    parse_and (toks, start, b, terms);
  else
    parse_term (toks, a, b, terms);
}

void
lb_condition_term_free (LbConditionTerm *term)
{
  if (term == NULL)
    return;
  g_free (term->op);
  g_free (term->qualifier);
  g_free (term->column);
  g_free (term->other_qualifier);
  g_free (term->other_column);
  g_free (term);
}

GPtrArray *
lb_plan_condition_parse (const char *text)
{
  GPtrArray *terms = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_condition_term_free);
  g_autoptr(GArray) toks = g_array_new (FALSE, TRUE, sizeof (Tok));

  g_array_set_clear_func (toks, tok_clear);
  if (text == NULL || !tokenize (text, toks) || toks->len == 0)
    return terms;
  parse_and (toks, 0, toks->len, terms);
  return terms;
}

gboolean
lb_plan_condition_parse_column (const char  *text,
                                char       **qualifier,
                                char       **column)
{
  g_autoptr(GArray) toks = g_array_new (FALSE, TRUE, sizeof (Tok));
  guint a = 0, b;

  g_return_val_if_fail (qualifier != NULL && column != NULL, FALSE);

  g_array_set_clear_func (toks, tok_clear);
  if (text == NULL || !tokenize (text, toks) || toks->len == 0)
    return FALSE;
  b = toks->len;
  /* "x DESC NULLS LAST", "x USING <" */
  for (guint i = 0; i < toks->len; i++)
    if (is_word (toks, i, "DESC") || is_word (toks, i, "ASC") || is_word (toks, i, "NULLS") ||
        is_word (toks, i, "USING"))
      {
        b = i;
        break;
      }
  strip (toks, &a, &b);
  return column_ref (toks, a, b, qualifier, column);
}
