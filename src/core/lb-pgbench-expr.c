/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-pgbench-expr.h"

G_DEFINE_QUARK (lb-expr-error-quark, lb_expr_error)

/* pgbench refuses zipfian parameters outside [1.001, 1000] since PostgreSQL 12
 * (the s < 1 variant needed an O(n) harmonic number per distinct range). */
#define ZIPFIAN_MIN 1.001
#define ZIPFIAN_MAX 1000.0
#define GAUSSIAN_MIN 2.0
/* Deep enough for any hand-written expression, shallow enough for the C stack. */
#define MAX_DEPTH 200

typedef enum
{
  NODE_CONST,
  NODE_VAR,
  NODE_AUTO,
  NODE_FUNC,
  NODE_CASE,
} NodeKind;

typedef enum
{
  AUTO_CLIENT_ID,
  AUTO_SCALE,
  AUTO_RANDOM_SEED,
  AUTO_DEFAULT_SEED,
} AutoVar;

typedef enum
{
  /* operators */
  F_ADD, F_SUB, F_MUL, F_DIV, F_MOD, F_NEG,
  F_EQ, F_NE, F_LT, F_LE, F_GT, F_GE,
  F_AND, F_OR, F_NOT, F_IS,
  F_BITAND, F_BITOR, F_BITXOR, F_BITNOT, F_LSHIFT, F_RSHIFT,
  /* functions */
  F_ABS, F_DEBUG, F_DOUBLE, F_EXP, F_GREATEST, F_HASH_FNV1A, F_HASH_MURMUR2,
  F_INT, F_LEAST, F_LN, F_MODFUNC, F_PERMUTE, F_PI, F_POW, F_RANDOM,
  F_RANDOM_EXPONENTIAL, F_RANDOM_GAUSSIAN, F_RANDOM_ZIPFIAN, F_SQRT, F_VALUES,
} Func;

struct _LbExpr
{
  NodeKind   kind;
  Func       func;        /* NODE_FUNC */
  guint      n_args;      /* NODE_FUNC: arguments; NODE_CASE: WHEN/THEN pairs + ELSE */
  LbExpr   **args;
  gboolean   has_else;    /* NODE_CASE */
  LbValue    value;       /* NODE_CONST */
  guint      var;         /* NODE_VAR: variable index; NODE_AUTO: AutoVar */
  guint      column;      /* 1-based, for evaluation errors */
  char      *string;      /* owned text of a string constant */
  char      *var_name;    /* NODE_VAR, for messages and export */
};

typedef struct
{
  const char *name;
  Func        func;
  int         min_args;
  int         max_args;   /* -1: any number */
} FuncInfo;

static const FuncInfo functions[] = {
  { "abs", F_ABS, 1, 1 },
  { "debug", F_DEBUG, 1, 1 },
  { "double", F_DOUBLE, 1, 1 },
  { "exp", F_EXP, 1, 1 },
  { "greatest", F_GREATEST, 1, -1 },
  { "hash", F_HASH_MURMUR2, 1, 2 },
  { "hash_fnv1a", F_HASH_FNV1A, 1, 2 },
  { "hash_murmur2", F_HASH_MURMUR2, 1, 2 },
  { "int", F_INT, 1, 1 },
  { "least", F_LEAST, 1, -1 },
  { "ln", F_LN, 1, 1 },
  { "mod", F_MODFUNC, 2, 2 },
  { "permute", F_PERMUTE, 2, 3 },
  { "pi", F_PI, 0, 0 },
  { "pow", F_POW, 2, 2 },
  { "power", F_POW, 2, 2 },
  { "random", F_RANDOM, 2, 2 },
  { "random_exponential", F_RANDOM_EXPONENTIAL, 3, 3 },
  { "random_gaussian", F_RANDOM_GAUSSIAN, 3, 3 },
  { "random_zipfian", F_RANDOM_ZIPFIAN, 3, 3 },
  { "sqrt", F_SQRT, 1, 1 },
  { "values", F_VALUES, 1, -1 },
};

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

static gsize
format_double (double  value,
               char   *buffer)
{
  static const char * const formats[] = { "%.15g", "%.16g", "%.17g" };

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

  /* The shortest of these that reads back as the same double. */
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_ascii_formatd (buffer, LB_VALUE_TEXT_MAX, formats[i], value);
      if (i == G_N_ELEMENTS (formats) - 1 || g_ascii_strtod (buffer, NULL) == value)
        break;
    }
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
/* Random numbers                                                           */

static guint64
splitmix64 (guint64 *state)
{
  guint64 z;

  *state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  z = *state;
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static inline guint64
rotl (guint64 x,
      int     k)
{
  return (x << k) | (x >> (64 - k));
}

void
lb_random_seed (LbRandom *rng,
                guint64   seed)
{
  guint64 state = seed;

  g_return_if_fail (rng != NULL);

  for (guint i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&state);
}

guint64
lb_random_next (LbRandom *rng)
{
  guint64 *s = rng->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

gint64
lb_random_uniform (LbRandom *rng,
                   gint64    min,
                   gint64    max)
{
  guint64 span;
  guint64 n;
  guint64 threshold;
  guint64 r;

  if (min > max)
    {
      gint64 tmp = min;

      min = max;
      max = tmp;
    }

  span = (guint64) max - (guint64) min;
  if (span == G_MAXUINT64)
    return (gint64) lb_random_next (rng);

  /* Rejecting the low (2^64 mod n) draws removes the modulo bias. */
  n = span + 1;
  threshold = (0 - n) % n;
  do
    r = lb_random_next (rng);
  while (r < threshold);

  return (gint64) ((guint64) min + r % n);
}

double
lb_random_double (LbRandom *rng)
{
  return (double) (lb_random_next (rng) >> 11) * 0x1.0p-53;
}

static gint64
random_exponential (LbRandom *rng,
                    gint64    min,
                    gint64    max,
                    double    parameter)
{
  double cut = exp (-parameter);
  double uniform = 1.0 - lb_random_double (rng);   /* (0, 1] */
  double rand = -log (cut + (1.0 - cut) * uniform) / parameter;   /* [0, 1) */

  return min + (gint64) ((double) ((guint64) max - (guint64) min + 1) * rand);
}

static gint64
random_gaussian (LbRandom *rng,
                 gint64    min,
                 gint64    max,
                 double    parameter)
{
  double stdev;
  double rand;

  /* Box-Muller, redrawn until inside [-parameter, parameter). */
  do
    {
      double u1 = 1.0 - lb_random_double (rng);
      double u2 = lb_random_double (rng);

      stdev = sqrt (-2.0 * log (u1)) * sin (2.0 * G_PI * u2);
    }
  while (stdev < -parameter || stdev >= parameter);

  rand = (stdev + parameter) / (parameter * 2.0);
  return min + (gint64) ((double) ((guint64) max - (guint64) min + 1) * rand);
}

static gint64
random_zipfian (LbRandom *rng,
                gint64    min,
                gint64    max,
                double    s)
{
  /* Devroye's rejection method ("Non-Uniform Random Variate Generation",
   * p. 550): draw from the unbounded distribution, keep draws <= n. */
  double n = (double) ((guint64) max - (guint64) min + 1);
  double b = pow (2.0, s - 1.0);
  double x;

  for (;;)
    {
      double u = 1.0 - lb_random_double (rng);
      double v = lb_random_double (rng);
      double t;

      x = floor (pow (u, -1.0 / (s - 1.0)));
      t = pow (1.0 + 1.0 / x, s - 1.0);
      if (v * x * (t - 1.0) / (b - 1.0) <= t / b && x <= n)
        break;
    }

  return min + (gint64) x - 1;
}

/* ------------------------------------------------------------------------ */
/* Hashes and permutation                                                   */

#define FNV_OFFSET G_GUINT64_CONSTANT (0xcbf29ce484222325)
#define FNV_PRIME  G_GUINT64_CONSTANT (0x100000001b3)
#define MM2_MUL    G_GUINT64_CONSTANT (0xc6a4a7935bd1e995)
#define MM2_SHIFT  47

static gint64
hash_fnv1a (gint64  value,
            guint64 seed)
{
  guint64 h = FNV_OFFSET ^ seed;
  guint64 v = (guint64) value;

  /* The eight bytes of the value, least significant first. */
  for (guint i = 0; i < 8; i++)
    {
      h ^= v & 0xff;
      h *= FNV_PRIME;
      v >>= 8;
    }
  return (gint64) h;
}

static gint64
hash_murmur2 (gint64  value,
              guint64 seed)
{
  /* MurmurHash64A over one 8-byte block. */
  guint64 h = seed ^ (8 * MM2_MUL);
  guint64 k = (guint64) value;

  k *= MM2_MUL;
  k ^= k >> MM2_SHIFT;
  k *= MM2_MUL;
  h ^= k;
  h *= MM2_MUL;

  h ^= h >> MM2_SHIFT;
  h *= MM2_MUL;
  h ^= h >> MM2_SHIFT;
  return (gint64) h;
}

static gint64
permute (gint64  value,
         gint64  size,
         guint64 seed)
{
  guint64 n = (guint64) size;
  guint64 mask;
  guint64 keys[4];
  guint64 state = seed;
  guint64 x;
  guint bits = 0;

  value %= size;
  if (value < 0)
    value += size;
  if (size <= 1)
    return 0;

  while (bits < 64 && (G_GUINT64_CONSTANT (1) << bits) < n)
    bits++;
  mask = bits >= 64 ? G_MAXUINT64 : (G_GUINT64_CONSTANT (1) << bits) - 1;
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    keys[i] = splitmix64 (&state);

  /* Each round is a bijection on [0, 2^bits): an odd multiplier, an xor of
   * the high half into the low half, and a keyed addition. Walking the cycle
   * until the value falls below n makes it a bijection on [0, n); since
   * 2^bits < 2n that takes under two steps on average. */
  x = (guint64) value;
  do
    {
      for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
        {
          x = (x * (keys[i] | 1)) & mask;
          x ^= x >> ((bits + 1) / 2);
          x = (x + (keys[i] >> 17)) & mask;
        }
    }
  while (x >= n);

  return (gint64) x;
}

/* ------------------------------------------------------------------------ */
/* Tree                                                                     */

static LbExpr *
node_new (NodeKind kind,
          guint    column)
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

static LbExpr *
func_new (Func     func,
          guint    column,
          guint    n_args,
          LbExpr **args)
{
  LbExpr *node = node_new (NODE_FUNC, column);

  node->func = func;
  node->n_args = n_args;
  node->args = g_new (LbExpr *, MAX (n_args, 1));
  if (n_args > 0)
    memcpy (node->args, args, n_args * sizeof (LbExpr *));
  return node;
}

static LbExpr *
func_new1 (Func    func,
           guint   column,
           LbExpr *a)
{
  return func_new (func, column, 1, &a);
}

static LbExpr *
func_new2 (Func    func,
           guint   column,
           LbExpr *a,
           LbExpr *b)
{
  LbExpr *args[2] = { a, b };

  return func_new (func, column, 2, args);
}

LbExpr *
lb_expr_new_automatic (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (auto_names); i++)
    {
      if (g_str_equal (name, auto_names[i]))
        {
          LbExpr *node = node_new (NODE_AUTO, 1);

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

  return expr->kind == NODE_AUTO && (name == NULL || g_str_equal (auto_names[expr->var], name));
}

/* ------------------------------------------------------------------------ */
/* Parser                                                                   */

typedef enum
{
  TOK_END,
  TOK_INT,
  TOK_DOUBLE,
  TOK_STRING,
  TOK_VAR,
  TOK_IDENT,
  TOK_OP,
  TOK_LPAREN,
  TOK_RPAREN,
  TOK_COMMA,
} TokenKind;

typedef struct
{
  TokenKind   kind;
  const char *start;
  gsize       len;
  gint64      integer;
  double      number;
  gboolean    int_overflow;   /* 9223372036854775808: only valid after a minus */
} Token;

typedef struct
{
  const char        *text;
  const char        *pos;
  Token              tok;
  LbExprResolveFunc  resolve;
  gpointer           user_data;
  GError            *error;
  const char        *error_pos;
  guint              depth;
  guint              values_depth;   /* > 0 inside values(…): strings allowed */
} Parser;

static guint
column_of (Parser     *p,
           const char *pos)
{
  if (g_utf8_validate (p->text, pos - p->text, NULL))
    return (guint) g_utf8_strlen (p->text, pos - p->text) + 1;
  return (guint) (pos - p->text) + 1;
}

static gboolean fail (Parser *p, const char *pos, int code, const char *format, ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail (Parser     *p,
      const char *pos,
      int         code,
      const char *format,
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

static gboolean
next_token (Parser *p)
{
  const char *s = p->pos;
  Token *t = &p->tok;

  while (g_ascii_isspace (*s))
    s++;

  memset (t, 0, sizeof *t);
  t->start = s;

  if (*s == '\0')
    {
      t->kind = TOK_END;
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
        return fail (p, d, LB_EXPR_ERROR_SYNTAX, _("unexpected “%c” after a number"), *d);

      t->len = d - s;
      if (is_double)
        {
          char buf[64];

          if (t->len >= sizeof buf)
            return fail (p, s, LB_EXPR_ERROR_SYNTAX, _("number too long"));
          memcpy (buf, s, t->len);
          buf[t->len] = '\0';
          t->kind = TOK_DOUBLE;
          t->number = g_ascii_strtod (buf, NULL);
        }
      else
        {
          guint64 v = 0;

          for (const char *c = s; c < d; c++)
            {
              guint digit = *c - '0';

              if (v > (G_MAXUINT64 - digit) / 10)
                return fail (p, s, LB_EXPR_ERROR_SYNTAX, _("integer out of range"));
              v = v * 10 + digit;
            }
          if (v > (guint64) G_MAXINT64 + 1)
            return fail (p, s, LB_EXPR_ERROR_SYNTAX, _("integer out of range"));
          t->kind = TOK_INT;
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
        return fail (p, s, LB_EXPR_ERROR_SYNTAX, _("expected a variable name after “:”"));
      t->kind = TOK_VAR;
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
      t->kind = TOK_IDENT;
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
            return fail (p, s, LB_EXPR_ERROR_SYNTAX, _("unterminated string"));
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
      t->kind = TOK_STRING;
      t->len = d + 1 - s;
      p->pos = d + 1;
      return TRUE;
    }

  t->len = 1;
  switch (*s)
    {
    case '(':
      t->kind = TOK_LPAREN;
      break;
    case ')':
      t->kind = TOK_RPAREN;
      break;
    case ',':
      t->kind = TOK_COMMA;
      break;
    case '+': case '-': case '*': case '/': case '%': case '&': case '|': case '#': case '~':
    case '=':
      t->kind = TOK_OP;
      break;
    case '<':
      t->kind = TOK_OP;
      if (s[1] == '=' || s[1] == '>' || s[1] == '<')
        t->len = 2;
      break;
    case '>':
      t->kind = TOK_OP;
      if (s[1] == '=' || s[1] == '>')
        t->len = 2;
      break;
    case '!':
      if (s[1] == '=')
        {
          t->kind = TOK_OP;
          t->len = 2;
          break;
        }
      return fail (p, s, LB_EXPR_ERROR_SYNTAX, _("unexpected “!” (use NOT or !=)"));
    default:
      {
        char buf[8] = { 0 };
        gunichar c = g_utf8_get_char_validated (s, -1);

        if (c == (gunichar) -1 || c == (gunichar) -2)
          c = 0xfffd;
        g_unichar_to_utf8 (c, buf);
        return fail (p, s, LB_EXPR_ERROR_SYNTAX, _("unexpected character “%s”"), buf);
      }
    }
  p->pos = s + t->len;
  return TRUE;
}

static gboolean
tok_is_op (Parser     *p,
           const char *op)
{
  return p->tok.kind == TOK_OP && p->tok.len == strlen (op) && strncmp (p->tok.start, op, p->tok.len) == 0;
}

static gboolean
tok_is_keyword (Parser     *p,
                const char *keyword)
{
  return p->tok.kind == TOK_IDENT && p->tok.len == strlen (keyword)
         && g_ascii_strncasecmp (p->tok.start, keyword, p->tok.len) == 0;
}

static const char *
describe_token (Parser *p,
                char   *buf,
                gsize   size)
{
  if (p->tok.kind == TOK_END)
    return _("end of expression");
  g_snprintf (buf, size, "“%.*s”", (int) MIN (p->tok.len, 40), p->tok.start);
  return buf;
}

static gboolean
expect (Parser     *p,
        TokenKind   kind,
        const char *what)
{
  char buf[64];

  if (p->tok.kind != kind)
    return fail (p, p->tok.start, LB_EXPR_ERROR_SYNTAX, _("expected %s, found %s"),
                 what, describe_token (p, buf, sizeof buf));
  return next_token (p);
}

static LbExpr *parse_or (Parser *p);

static LbExpr *
parse_case (Parser     *p,
            const char *start)
{
  GPtrArray *parts = g_ptr_array_new ();
  gboolean has_else = FALSE;
  LbExpr *node;

  if (!next_token (p))
    goto error;

  while (tok_is_keyword (p, "when"))
    {
      LbExpr *when;
      LbExpr *then;

      if (!next_token (p) || (when = parse_or (p)) == NULL)
        goto error;
      g_ptr_array_add (parts, when);
      if (!tok_is_keyword (p, "then"))
        {
          char buf[64];

          fail (p, p->tok.start, LB_EXPR_ERROR_SYNTAX, _("expected THEN, found %s"),
                describe_token (p, buf, sizeof buf));
          goto error;
        }
      if (!next_token (p) || (then = parse_or (p)) == NULL)
        goto error;
      g_ptr_array_add (parts, then);
    }

  if (parts->len == 0)
    {
      char buf[64];

      fail (p, p->tok.start, LB_EXPR_ERROR_SYNTAX, _("expected WHEN after CASE, found %s"),
            describe_token (p, buf, sizeof buf));
      goto error;
    }

  if (tok_is_keyword (p, "else"))
    {
      LbExpr *otherwise;

      if (!next_token (p) || (otherwise = parse_or (p)) == NULL)
        goto error;
      g_ptr_array_add (parts, otherwise);
      has_else = TRUE;
    }

  if (!tok_is_keyword (p, "end"))
    {
      char buf[64];

      fail (p, p->tok.start, LB_EXPR_ERROR_SYNTAX, _("expected WHEN, ELSE or END in CASE, found %s"),
            describe_token (p, buf, sizeof buf));
      goto error;
    }
  if (!next_token (p))
    goto error;

  node = node_new (NODE_CASE, column_of (p, start));
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
parse_call (Parser     *p,
            const char *name,
            gsize       name_len)
{
  const FuncInfo *info = NULL;
  GPtrArray *args;
  LbExpr *node;
  guint column = column_of (p, name);

  for (guint i = 0; i < G_N_ELEMENTS (functions); i++)
    {
      if (strlen (functions[i].name) == name_len
          && g_ascii_strncasecmp (functions[i].name, name, name_len) == 0)
        {
          info = &functions[i];
          break;
        }
    }
  if (info == NULL)
    {
      fail (p, name, LB_EXPR_ERROR_UNDEFINED, _("unknown function “%.*s”"), (int) name_len, name);
      return NULL;
    }

  /* The current token is "(". */
  if (!next_token (p))
    return NULL;

  args = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_expr_free);
  if (info->func == F_VALUES)
    p->values_depth++;

  if (p->tok.kind != TOK_RPAREN)
    {
      for (;;)
        {
          LbExpr *arg = parse_or (p);

          if (arg == NULL)
            goto error;
          g_ptr_array_add (args, arg);
          if (p->tok.kind == TOK_COMMA)
            {
              if (!next_token (p))
                goto error;
              continue;
            }
          break;
        }
    }
  if (!expect (p, TOK_RPAREN, _("“,” or “)”")))
    goto error;

  if (info->func == F_VALUES)
    p->values_depth--;

  if ((int) args->len < info->min_args || (info->max_args >= 0 && (int) args->len > info->max_args))
    {
      if (info->min_args == info->max_args)
        fail (p, name, LB_EXPR_ERROR_SYNTAX,
              g_dngettext (GETTEXT_PACKAGE, "%s() takes %d argument, not %u",
                           "%s() takes %d arguments, not %u", info->min_args),
              info->name, info->min_args, args->len);
      else if (info->max_args < 0)
        fail (p, name, LB_EXPR_ERROR_SYNTAX, _("%s() takes at least %d argument(s)"),
              info->name, info->min_args);
      else
        fail (p, name, LB_EXPR_ERROR_SYNTAX, _("%s() takes %d to %d arguments, not %u"),
              info->name, info->min_args, info->max_args, args->len);
      g_ptr_array_free (args, TRUE);
      return NULL;
    }

  /* hash() and friends default their seed to :default_seed, as pgbench does. */
  if ((info->func == F_HASH_FNV1A || info->func == F_HASH_MURMUR2) && args->len == 1)
    {
      guint var;

      if (p->resolve != NULL && p->resolve ("default_seed", &var, p->user_data))
        {
          LbExpr *seed = node_new (NODE_VAR, column);

          seed->var = var;
          seed->var_name = g_strdup ("default_seed");
          g_ptr_array_add (args, seed);
        }
      else
        g_ptr_array_add (args, lb_expr_new_automatic ("default_seed"));
    }

  node = func_new (info->func, column, args->len, (LbExpr **) args->pdata);
  g_ptr_array_set_free_func (args, NULL);
  g_ptr_array_free (args, TRUE);
  return node;

error:
  if (info->func == F_VALUES)
    p->values_depth--;
  g_ptr_array_free (args, TRUE);
  return NULL;
}

static LbExpr *
parse_primary (Parser *p)
{
  Token t = p->tok;
  char buf[64];
  LbExpr *node;

  if (++p->depth > MAX_DEPTH)
    {
      fail (p, t.start, LB_EXPR_ERROR_SYNTAX, _("expression nested too deeply"));
      return NULL;
    }

  switch (t.kind)
    {
    case TOK_INT:
      if (t.int_overflow)
        {
          fail (p, t.start, LB_EXPR_ERROR_SYNTAX, _("integer out of range"));
          return NULL;
        }
      node = node_new (NODE_CONST, column_of (p, t.start));
      node->value.type = LB_VALUE_INT;
      node->value.u.integer = t.integer;
      break;

    case TOK_DOUBLE:
      node = node_new (NODE_CONST, column_of (p, t.start));
      node->value.type = LB_VALUE_DOUBLE;
      node->value.u.number = t.number;
      break;

    case TOK_STRING:
      {
        GString *s;

        if (p->values_depth == 0)
          {
            fail (p, t.start, LB_EXPR_ERROR_SYNTAX,
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
        node = node_new (NODE_CONST, column_of (p, t.start));
        node->string = g_string_free (s, FALSE);
        node->value.type = LB_VALUE_STRING;
        node->value.u.string = node->string;
      }
      break;

    case TOK_VAR:
      {
        g_autofree char *name = g_strndup (t.start, t.len);
        guint var;

        if (p->resolve != NULL && p->resolve (name, &var, p->user_data))
          {
            node = node_new (NODE_VAR, column_of (p, t.start - 1));
            node->var = var;
            node->var_name = g_steal_pointer (&name);
          }
        else if ((node = lb_expr_new_automatic (name)) != NULL)
          node->column = column_of (p, t.start - 1);
        else
          {
            fail (p, t.start - 1, LB_EXPR_ERROR_UNDEFINED, _("undefined variable “%s”"), name);
            return NULL;
          }
      }
      break;

    case TOK_LPAREN:
      if (!next_token (p) || (node = parse_or (p)) == NULL)
        return NULL;
      if (!expect (p, TOK_RPAREN, "“)”"))
        {
          lb_expr_free (node);
          return NULL;
        }
      p->depth--;
      return node;

    case TOK_IDENT:
      if (tok_is_keyword (p, "true") || tok_is_keyword (p, "false"))
        {
          node = node_new (NODE_CONST, column_of (p, t.start));
          node->value.type = LB_VALUE_BOOLEAN;
          node->value.u.boolean = tok_is_keyword (p, "true");
          break;
        }
      if (tok_is_keyword (p, "null"))
        {
          node = node_new (NODE_CONST, column_of (p, t.start));
          node->value.type = LB_VALUE_NULL;
          break;
        }
      if (tok_is_keyword (p, "case"))
        {
          node = parse_case (p, t.start);
          p->depth--;
          return node;
        }
      if (!next_token (p))
        return NULL;
      if (p->tok.kind != TOK_LPAREN)
        {
          fail (p, t.start, LB_EXPR_ERROR_SYNTAX,
                _("unexpected “%.*s” (variables are written :name, functions name(…))"),
                (int) MIN (t.len, 40), t.start);
          return NULL;
        }
      node = parse_call (p, t.start, t.len);
      p->depth--;
      return node;

    case TOK_END:
    case TOK_OP:
    case TOK_RPAREN:
    case TOK_COMMA:
    default:
      fail (p, t.start, LB_EXPR_ERROR_SYNTAX, _("expected a value, found %s"),
            describe_token (p, buf, sizeof buf));
      return NULL;
    }

  p->depth--;
  if (!next_token (p))
    {
      lb_expr_free (node);
      return NULL;
    }
  return node;
}

static LbExpr *
parse_unary (Parser *p)
{
  const char *start = p->tok.start;
  LbExpr *operand;

  if (tok_is_op (p, "-") || tok_is_op (p, "+") || tok_is_op (p, "~"))
    {
      char op = *start;

      if (++p->depth > MAX_DEPTH)
        {
          fail (p, start, LB_EXPR_ERROR_SYNTAX, _("expression nested too deeply"));
          return NULL;
        }
      if (!next_token (p))
        return NULL;

      /* -9223372036854775808 is the one literal that only exists negated. */
      if (op == '-' && p->tok.kind == TOK_INT && p->tok.int_overflow)
        {
          operand = node_new (NODE_CONST, column_of (p, start));
          operand->value.type = LB_VALUE_INT;
          operand->value.u.integer = G_MININT64;
          p->depth--;
          if (!next_token (p))
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
      return func_new1 (op == '-' ? F_NEG : F_BITNOT, column_of (p, start), operand);
    }

  return parse_primary (p);
}

typedef struct
{
  const char *op;
  Func        func;
} BinOp;

static LbExpr *
parse_binary_level (Parser         *p,
                    LbExpr       *(*operand) (Parser *),
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
          if (tok_is_op (p, ops[i].op) || tok_is_keyword (p, ops[i].op))
            {
              found = &ops[i];
              break;
            }
        }
      if (found == NULL)
        break;

      if (!next_token (p) || (right = operand (p)) == NULL)
        {
          lb_expr_free (left);
          return NULL;
        }
      left = func_new2 (found->func, column_of (p, op_start), left, right);

      if (!associative)
        {
          /* pgbench's comparisons do not chain: a < b < c is an error. */
          for (guint i = 0; i < n_ops; i++)
            {
              if (tok_is_op (p, ops[i].op))
                {
                  fail (p, p->tok.start, LB_EXPR_ERROR_SYNTAX,
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
parse_mul (Parser *p)
{
  static const BinOp ops[] = { { "*", F_MUL }, { "/", F_DIV }, { "%", F_MOD } };

  return parse_binary_level (p, parse_unary, ops, G_N_ELEMENTS (ops), TRUE);
}

static LbExpr *
parse_add (Parser *p)
{
  static const BinOp ops[] = { { "+", F_ADD }, { "-", F_SUB } };

  return parse_binary_level (p, parse_mul, ops, G_N_ELEMENTS (ops), TRUE);
}

static LbExpr *
parse_bit (Parser *p)
{
  static const BinOp ops[] = {
    { "&", F_BITAND }, { "|", F_BITOR }, { "#", F_BITXOR }, { "<<", F_LSHIFT }, { ">>", F_RSHIFT },
  };

  return parse_binary_level (p, parse_add, ops, G_N_ELEMENTS (ops), TRUE);
}

static LbExpr *
parse_cmp (Parser *p)
{
  static const BinOp ops[] = {
    { "=", F_EQ }, { "<>", F_NE }, { "!=", F_NE }, { "<", F_LT }, { "<=", F_LE }, { ">", F_GT },
    { ">=", F_GE },
  };

  return parse_binary_level (p, parse_bit, ops, G_N_ELEMENTS (ops), FALSE);
}

static LbExpr *
make_is (Parser     *p,
         const char *start,
         LbExpr     *left,
         LbValueType type,
         gboolean    boolean,
         gboolean    negate)
{
  LbExpr *right = node_new (NODE_CONST, column_of (p, start));
  LbExpr *node;

  right->value.type = type;
  right->value.u.boolean = boolean;
  node = func_new2 (F_IS, column_of (p, start), left, right);
  if (negate)
    node = func_new1 (F_NOT, column_of (p, start), node);
  return node;
}

static LbExpr *
parse_is (Parser *p)
{
  LbExpr *left = parse_cmp (p);
  const char *start = p->tok.start;
  char buf[64];

  if (left == NULL)
    return NULL;

  if (tok_is_keyword (p, "isnull") || tok_is_keyword (p, "notnull"))
    {
      gboolean negate = tok_is_keyword (p, "notnull");

      if (!next_token (p))
        {
          lb_expr_free (left);
          return NULL;
        }
      return make_is (p, start, left, LB_VALUE_NULL, FALSE, negate);
    }

  if (tok_is_keyword (p, "is"))
    {
      gboolean negate = FALSE;

      if (!next_token (p))
        goto error;
      if (tok_is_keyword (p, "not"))
        {
          negate = TRUE;
          if (!next_token (p))
            goto error;
        }
      if (tok_is_keyword (p, "null"))
        left = make_is (p, start, left, LB_VALUE_NULL, FALSE, negate);
      else if (tok_is_keyword (p, "true") || tok_is_keyword (p, "false"))
        left = make_is (p, start, left, LB_VALUE_BOOLEAN, tok_is_keyword (p, "true"), negate);
      else
        {
          fail (p, p->tok.start, LB_EXPR_ERROR_SYNTAX, _("expected NULL, TRUE or FALSE after IS, found %s"),
                describe_token (p, buf, sizeof buf));
          goto error;
        }
      if (!next_token (p))
        goto error;
    }
  return left;

error:
  lb_expr_free (left);
  return NULL;
}

static LbExpr *
parse_not (Parser *p)
{
  if (tok_is_keyword (p, "not"))
    {
      const char *start = p->tok.start;
      LbExpr *operand;

      if (++p->depth > MAX_DEPTH)
        {
          fail (p, start, LB_EXPR_ERROR_SYNTAX, _("expression nested too deeply"));
          return NULL;
        }
      if (!next_token (p) || (operand = parse_not (p)) == NULL)
        return NULL;
      p->depth--;
      return func_new1 (F_NOT, column_of (p, start), operand);
    }
  return parse_is (p);
}

static LbExpr *
parse_and (Parser *p)
{
  static const BinOp ops[] = { { "and", F_AND } };

  return parse_binary_level (p, parse_not, ops, G_N_ELEMENTS (ops), TRUE);
}

static LbExpr *
parse_or (Parser *p)
{
  static const BinOp ops[] = { { "or", F_OR } };

  return parse_binary_level (p, parse_and, ops, G_N_ELEMENTS (ops), TRUE);
}

LbExpr *
lb_expr_parse_at (const char         *text,
                  LbExprResolveFunc   resolve,
                  gpointer            user_data,
                  guint              *error_column,
                  GError            **error)
{
  Parser p = { 0 };
  LbExpr *expr = NULL;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  p.text = text;
  p.pos = text;
  p.resolve = resolve;
  p.user_data = user_data;

  if (next_token (&p))
    {
      if (p.tok.kind == TOK_END)
        fail (&p, p.tok.start, LB_EXPR_ERROR_SYNTAX, _("expected an expression"));
      else if ((expr = parse_or (&p)) != NULL && p.tok.kind != TOK_END)
        {
          char buf[64];

          fail (&p, p.tok.start, LB_EXPR_ERROR_SYNTAX, _("expected an operator or the end, found %s"),
                describe_token (&p, buf, sizeof buf));
          g_clear_pointer (&expr, lb_expr_free);
        }
    }

  if (p.error != NULL)
    {
      g_clear_pointer (&expr, lb_expr_free);
      if (error_column != NULL)
        *error_column = column_of (&p, p.error_pos);
      g_propagate_error (error, p.error);
      return NULL;
    }

  return expr;
}

LbExpr *
lb_expr_parse (const char         *text,
               LbExprResolveFunc   resolve,
               gpointer            user_data,
               GError            **error)
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

/* ------------------------------------------------------------------------ */
/* Evaluation: no allocation except for an error                            */

static gboolean eval_node (const LbExpr *node, LbExprContext *ctx, LbValue *out, GError **error);

static gboolean eval_fail (const LbExpr *node, GError **error, const char *format, ...) G_GNUC_PRINTF (3, 4);

static gboolean
eval_fail (const LbExpr  *node,
           GError       **error,
           const char    *format,
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
to_int (const LbExpr   *node,
        const LbValue  *v,
        gint64         *out,
        GError        **error)
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
to_double (const LbExpr   *node,
           const LbValue  *v,
           double         *out,
           GError        **error)
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
to_bool (const LbExpr   *node,
         const LbValue  *v,
         gboolean       *out,
         GError        **error)
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
  switch ((AutoVar) node->var)
    {
    case AUTO_CLIENT_ID:
      return ctx->client_id;
    case AUTO_SCALE:
      return ctx->scale;
    case AUTO_RANDOM_SEED:
      return ctx->random_seed;
    case AUTO_DEFAULT_SEED:
      {
        /* pgbench draws it from the run's seed; derive it the same way for every client. */
        guint64 state = (guint64) ctx->random_seed;

        return (gint64) splitmix64 (&state);
      }
    default:
      g_assert_not_reached ();
    }
  return 0;
}

static gboolean
eval_arithmetic (const LbExpr   *node,
                 const LbValue  *a,
                 const LbValue  *b,
                 LbValue        *out,
                 GError        **error)
{
  if (a->type == LB_VALUE_INT && b->type == LB_VALUE_INT)
    {
      gint64 x = a->u.integer;
      gint64 y = b->u.integer;
      gint64 r;

      switch (node->func)
        {
        case F_ADD:
          if (__builtin_add_overflow (x, y, &r))
            return eval_fail (node, error, _("integer out of range"));
          break;
        case F_SUB:
          if (__builtin_sub_overflow (x, y, &r))
            return eval_fail (node, error, _("integer out of range"));
          break;
        case F_MUL:
          if (__builtin_mul_overflow (x, y, &r))
            return eval_fail (node, error, _("integer out of range"));
          break;
        case F_DIV:
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
        case F_ADD:
          set_double (out, x + y);
          break;
        case F_SUB:
          set_double (out, x - y);
          break;
        case F_MUL:
          set_double (out, x * y);
          break;
        case F_DIV:
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
eval_compare (const LbExpr   *node,
              const LbValue  *a,
              const LbValue  *b,
              LbValue        *out,
              GError        **error)
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
    case F_EQ:
      set_bool (out, cmp == 0);
      break;
    case F_NE:
      set_bool (out, cmp != 0);
      break;
    case F_LT:
      set_bool (out, cmp < 0);
      break;
    case F_LE:
      set_bool (out, cmp <= 0);
      break;
    case F_GT:
      set_bool (out, cmp > 0);
      break;
    case F_GE:
      set_bool (out, cmp >= 0);
      break;
    default:
      g_assert_not_reached ();
    }
  return TRUE;
}

static gboolean
eval_random (const LbExpr   *node,
             LbExprContext  *ctx,
             const LbValue  *args,
             LbValue        *out,
             GError        **error)
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
    case F_RANDOM:
      set_int (out, lb_random_uniform (ctx->rng, lb, ub));
      return TRUE;

    case F_RANDOM_EXPONENTIAL:
      if (!(parameter > 0.0))
        return eval_fail (node, error, _("random_exponential() needs a parameter > 0, not %g"), parameter);
      set_int (out, random_exponential (ctx->rng, lb, ub, parameter));
      return TRUE;

    case F_RANDOM_GAUSSIAN:
      if (!(parameter >= GAUSSIAN_MIN))
        return eval_fail (node, error, _("random_gaussian() needs a parameter >= %.1f, not %g"),
                          GAUSSIAN_MIN, parameter);
      set_int (out, random_gaussian (ctx->rng, lb, ub, parameter));
      return TRUE;

    case F_RANDOM_ZIPFIAN:
      if (!(parameter >= ZIPFIAN_MIN && parameter <= ZIPFIAN_MAX))
        return eval_fail (node, error,
                          _("random_zipfian() needs a parameter in [%.3f, %.0f], not %g (as pgbench)"),
                          ZIPFIAN_MIN, ZIPFIAN_MAX, parameter);
      set_int (out, random_zipfian (ctx->rng, lb, ub, parameter));
      return TRUE;

    default:
      g_assert_not_reached ();
    }
  return FALSE;
}

/* Operators and functions that evaluate all their arguments first. */
#define MAX_EAGER_ARGS 16

static gboolean
eval_func (const LbExpr   *node,
           LbExprContext  *ctx,
           LbValue        *out,
           GError        **error)
{
  LbValue args[MAX_EAGER_ARGS];
  gint64 x, y;
  double d, e;
  guint n = node->n_args;

  /* The lazy ones first: AND, OR, values() and the variadic pair. */
  switch (node->func)
    {
    case F_AND:
    case F_OR:
      {
        gboolean is_and = node->func == F_AND;

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

    case F_VALUES:
      {
        gint64 pick;

        if (ctx->rng == NULL)
          return eval_fail (node, error, _("no random generator"));
        pick = lb_random_uniform (ctx->rng, 0, (gint64) n - 1);
        return eval_node (node->args[pick], ctx, out, error);
      }

    case F_GREATEST:
    case F_LEAST:
      {
        gboolean all_int = TRUE;
        gboolean greatest = node->func == F_GREATEST;
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
      if (args[i].type == LB_VALUE_NULL && node->func != F_IS && node->func != F_DEBUG)
        {
          out->type = LB_VALUE_NULL;
          return TRUE;
        }
    }

  switch (node->func)
    {
    case F_ADD:
    case F_SUB:
    case F_MUL:
    case F_DIV:
      return eval_arithmetic (node, &args[0], &args[1], out, error);

    case F_MOD:
    case F_MODFUNC:
      if (!to_int (node, &args[0], &x, error) || !to_int (node, &args[1], &y, error))
        return FALSE;
      if (y == 0)
        return eval_fail (node, error, _("division by zero"));
      /* INT64_MIN % -1 traps on x86. */
      set_int (out, y == -1 ? 0 : x % y);
      return TRUE;

    case F_NEG:
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

    case F_EQ:
    case F_NE:
    case F_LT:
    case F_LE:
    case F_GT:
    case F_GE:
      return eval_compare (node, &args[0], &args[1], out, error);

    case F_NOT:
      {
        gboolean b = FALSE;

        if (!to_bool (node, &args[0], &b, error))
          return FALSE;
        set_bool (out, !b);
        return TRUE;
      }

    case F_IS:
      if (args[1].type == LB_VALUE_NULL)
        set_bool (out, args[0].type == LB_VALUE_NULL);
      else
        set_bool (out, args[0].type == LB_VALUE_BOOLEAN && args[0].u.boolean == args[1].u.boolean);
      return TRUE;

    case F_BITAND:
    case F_BITOR:
    case F_BITXOR:
    case F_LSHIFT:
    case F_RSHIFT:
      if (!to_int (node, &args[0], &x, error) || !to_int (node, &args[1], &y, error))
        return FALSE;
      switch (node->func)
        {
        case F_BITAND:
          set_int (out, x & y);
          break;
        case F_BITOR:
          set_int (out, x | y);
          break;
        case F_BITXOR:
          set_int (out, x ^ y);
          break;
        case F_LSHIFT:
          if (y < 0 || y > 63)
            return eval_fail (node, error, _("shift count %" G_GINT64_FORMAT " is not in [0, 63]"), y);
          set_int (out, (gint64) ((guint64) x << y));
          break;
        case F_RSHIFT:
          if (y < 0 || y > 63)
            return eval_fail (node, error, _("shift count %" G_GINT64_FORMAT " is not in [0, 63]"), y);
          /* Arithmetic shift, as pgbench on every platform it runs on. */
          set_int (out, x < 0 ? ~(~x >> y) : x >> y);
          break;
        default:
          g_assert_not_reached ();
        }
      return TRUE;

    case F_BITNOT:
      if (!to_int (node, &args[0], &x, error))
        return FALSE;
      set_int (out, ~x);
      return TRUE;

    case F_ABS:
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

    case F_DEBUG:
      {
        char buf[LB_VALUE_TEXT_MAX];
        const char *text;
        gsize len = lb_value_to_text (&args[0], buf, &text);

        g_printerr ("debug(%s): %.*s\n", type_name (args[0].type), (int) len,
                    text != NULL ? text : "NULL");
        *out = args[0];
        return TRUE;
      }

    case F_DOUBLE:
      if (!to_double (node, &args[0], &d, error))
        return FALSE;
      set_double (out, d);
      return TRUE;

    case F_INT:
      if (!to_int (node, &args[0], &x, error))
        return FALSE;
      set_int (out, x);
      return TRUE;

    case F_EXP:
    case F_LN:
    case F_SQRT:
      if (!to_double (node, &args[0], &d, error))
        return FALSE;
      if (node->func == F_LN && d <= 0.0)
        return eval_fail (node, error, _("ln() of a number <= 0"));
      if (node->func == F_SQRT && d < 0.0)
        return eval_fail (node, error, _("sqrt() of a negative number"));
      set_double (out, node->func == F_EXP ? exp (d) : node->func == F_LN ? log (d) : sqrt (d));
      return TRUE;

    case F_POW:
      if (!to_double (node, &args[0], &d, error) || !to_double (node, &args[1], &e, error))
        return FALSE;
      set_double (out, pow (d, e));
      return TRUE;

    case F_PI:
      set_double (out, G_PI);
      return TRUE;

    case F_HASH_FNV1A:
    case F_HASH_MURMUR2:
      if (!to_int (node, &args[0], &x, error) || !to_int (node, &args[1], &y, error))
        return FALSE;
      set_int (out, node->func == F_HASH_FNV1A ? hash_fnv1a (x, (guint64) y)
                                               : hash_murmur2 (x, (guint64) y));
      return TRUE;

    case F_PERMUTE:
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
            LbExpr seed_node = { .kind = NODE_AUTO, .var = AUTO_DEFAULT_SEED };

            seed = auto_value (&seed_node, ctx);
          }
        if (y <= 0)
          return eval_fail (node, error, _("permute() needs a size > 0"));
        set_int (out, permute (x, y, (guint64) seed));
        return TRUE;
      }

    case F_RANDOM:
    case F_RANDOM_EXPONENTIAL:
    case F_RANDOM_GAUSSIAN:
    case F_RANDOM_ZIPFIAN:
      return eval_random (node, ctx, args, out, error);

    case F_AND:
    case F_OR:
    case F_VALUES:
    case F_GREATEST:
    case F_LEAST:
    default:
      g_assert_not_reached ();
    }
  return FALSE;
}

static gboolean
eval_node (const LbExpr   *node,
           LbExprContext  *ctx,
           LbValue        *out,
           GError        **error)
{
  switch (node->kind)
    {
    case NODE_CONST:
      *out = node->value;
      return TRUE;

    case NODE_VAR:
      *out = ctx->variables[node->var];
      return TRUE;

    case NODE_AUTO:
      set_int (out, auto_value (node, ctx));
      return TRUE;

    case NODE_CASE:
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

    case NODE_FUNC:
      return eval_func (node, ctx, out, error);

    default:
      g_assert_not_reached ();
    }
  return FALSE;
}

gboolean
lb_expr_eval (const LbExpr   *expr,
              LbExprContext  *context,
              LbValue        *result,
              GError        **error)
{
  g_return_val_if_fail (expr != NULL, FALSE);
  g_return_val_if_fail (context != NULL, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);

  return eval_node (expr, context, result, error);
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
func_name (Func func)
{
  for (guint i = 0; i < G_N_ELEMENTS (functions); i++)
    if (functions[i].func == func)
      return functions[i].name;
  return NULL;
}

static const char *
operator_text (Func func)
{
  switch (func)
    {
    case F_ADD: return "+";
    case F_SUB: return "-";
    case F_MUL: return "*";
    case F_DIV: return "/";
    case F_MOD: return "%";
    case F_EQ: return "=";
    case F_NE: return "<>";
    case F_LT: return "<";
    case F_LE: return "<=";
    case F_GT: return ">";
    case F_GE: return ">=";
    case F_AND: return "AND";
    case F_OR: return "OR";
    case F_BITAND: return "&";
    case F_BITOR: return "|";
    case F_BITXOR: return "#";
    case F_LSHIFT: return "<<";
    case F_RSHIFT: return ">>";
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
          format_double (value->u.number, buf);
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
    case NODE_CONST:
      if (node->value.type == LB_VALUE_STRING)
        {
          g_set_error (&pr->error, LB_EXPR_ERROR, LB_EXPR_ERROR_SYNTAX,
                       _("the string '%s' has no pgbench equivalent: pgbench expressions give numbers only"),
                       node->value.u.string);
          return;
        }
      print_value (out, &node->value);
      return;

    case NODE_VAR:
      g_string_append_printf (out, ":%s",
                              pr->names != NULL && pr->names[node->var] != NULL
                              ? pr->names[node->var] : node->var_name);
      return;

    case NODE_AUTO:
      g_string_append_printf (out, ":%s", auto_names[node->var]);
      return;

    case NODE_CASE:
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

    case NODE_FUNC:
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
    case F_NEG:
    case F_BITNOT:
    case F_NOT:
      g_string_append (out, node->func == F_NEG ? "(-" : node->func == F_BITNOT ? "(~" : "(NOT ");
      print_node (pr, out, node->args[0]);
      g_string_append_c (out, ')');
      return;

    case F_IS:
      g_string_append_c (out, '(');
      print_node (pr, out, node->args[0]);
      g_string_append (out, " IS ");
      print_value (out, &node->args[1]->value);
      g_string_append_c (out, ')');
      return;

    case F_VALUES:
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
lb_expr_export_pgbench_set (const LbExpr        *expr,
                            const char * const  *variable_names,
                            const char          *target,
                            GString             *out,
                            GError             **error)
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
