/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The insides of LbExpr, shared by the tree and export (lb-pgbench-expr.c),
 * the lexer and parser (lb-pgbench-expr-lexer.c, -parse.c), the evaluator
 * (-eval.c) and the random and hash functions (lb-pgbench-random.c). */
#pragma once

#include "lb-pgbench-expr.h"

G_BEGIN_DECLS

/* pgbench refuses zipfian parameters outside [1.001, 1000] since PostgreSQL 12
 * (the s < 1 variant needed an O(n) harmonic number per distinct range). */
#define ZIPFIAN_MIN 1.001
#define ZIPFIAN_MAX 1000.0
#define GAUSSIAN_MIN 2.0
/* Deep enough for any hand-written expression, shallow enough for the C stack. */
#define MAX_DEPTH 200

typedef enum
{
  LB_EXPR_NODE_CONST,
  LB_EXPR_NODE_VAR,
  LB_EXPR_NODE_AUTO,
  LB_EXPR_NODE_FUNC,
  LB_EXPR_NODE_CASE,
} LbExprNodeKind;

typedef enum
{
  LB_EXPR_AUTO_CLIENT_ID,
  LB_EXPR_AUTO_SCALE,
  LB_EXPR_AUTO_RANDOM_SEED,
  LB_EXPR_AUTO_DEFAULT_SEED,
} LbExprAutoVar;

typedef enum
{
  /* operators */
  LB_EXPR_F_ADD, LB_EXPR_F_SUB, LB_EXPR_F_MUL, LB_EXPR_F_DIV, LB_EXPR_F_MOD, LB_EXPR_F_NEG,
  LB_EXPR_F_EQ, LB_EXPR_F_NE, LB_EXPR_F_LT, LB_EXPR_F_LE, LB_EXPR_F_GT, LB_EXPR_F_GE,
  LB_EXPR_F_AND, LB_EXPR_F_OR, LB_EXPR_F_NOT, LB_EXPR_F_IS,
  LB_EXPR_F_BITAND, LB_EXPR_F_BITOR, LB_EXPR_F_BITXOR, LB_EXPR_F_BITNOT,
  LB_EXPR_F_LSHIFT, LB_EXPR_F_RSHIFT,
  /* functions */
  LB_EXPR_F_ABS, LB_EXPR_F_DEBUG, LB_EXPR_F_DOUBLE, LB_EXPR_F_EXP, LB_EXPR_F_GREATEST,
  LB_EXPR_F_HASH_FNV1A, LB_EXPR_F_HASH_MURMUR2, LB_EXPR_F_INT, LB_EXPR_F_LEAST, LB_EXPR_F_LN,
  LB_EXPR_F_MODFUNC, LB_EXPR_F_PERMUTE, LB_EXPR_F_PI, LB_EXPR_F_POW, LB_EXPR_F_RANDOM,
  LB_EXPR_F_RANDOM_EXPONENTIAL, LB_EXPR_F_RANDOM_GAUSSIAN, LB_EXPR_F_RANDOM_ZIPFIAN,
  LB_EXPR_F_SQRT, LB_EXPR_F_VALUES,
} LbExprFunc;

struct _LbExpr
{
  LbExprNodeKind   kind;
  LbExprFunc       func;        /* NODE_FUNC */
  guint            n_args;      /* NODE_FUNC: arguments; NODE_CASE: WHEN/THEN pairs + ELSE */
  LbExpr         **args;
  gboolean         has_else;    /* NODE_CASE */
  LbValue          value;       /* NODE_CONST */
  guint            var;         /* NODE_VAR: variable index; NODE_AUTO: LbExprAutoVar */
  guint            column;      /* 1-based, for evaluation errors */
  char            *string;      /* owned text of a string constant */
  char            *var_name;    /* NODE_VAR, for messages and export */
};

typedef struct
{
  const char  *name;
  LbExprFunc   func;
  int          min_args;
  int          max_args;   /* -1: any number */
} LbExprFuncInfo;

/* Every function by name (lb-pgbench-expr.c); operators are not in it. */
extern const LbExprFuncInfo _lb_expr_functions[];
extern const gsize          _lb_expr_n_functions;

/* ---- the tree (lb-pgbench-expr.c) ---- */

/* A zeroed node of @kind at @column. */
LbExpr  *_lb_expr_node_new       (LbExprNodeKind   kind,
                                  guint            column);
/* A LB_EXPR_NODE_FUNC node that takes @args (n_args of them). */
LbExpr  *_lb_expr_func_new       (LbExprFunc       func,
                                  guint            column,
                                  guint            n_args,
                                  LbExpr         **args);
LbExpr  *_lb_expr_func_new1      (LbExprFunc       func,
                                  guint            column,
                                  LbExpr          *a);
LbExpr  *_lb_expr_func_new2      (LbExprFunc       func,
                                  guint            column,
                                  LbExpr          *a,
                                  LbExpr          *b);

/* ---- random draws, hashes, permute (lb-pgbench-random.c) ---- */

/* The next seed-expansion value of @state (SplitMix64). */
guint64  _lb_random_splitmix64   (guint64         *state);
/* Each in [min, max]; the parameter was checked by the caller. */
gint64   _lb_random_exponential  (LbRandom        *rng,
                                  gint64           min,
                                  gint64           max,
                                  double           parameter);
gint64   _lb_random_gaussian     (LbRandom        *rng,
                                  gint64           min,
                                  gint64           max,
                                  double           parameter);
gint64   _lb_random_zipfian      (LbRandom        *rng,
                                  gint64           min,
                                  gint64           max,
                                  double           s);
/* FNV-1a and MurmurHash64A of the value's eight bytes. */
gint64   _lb_expr_hash_fnv1a     (gint64           value,
                                  guint64          seed);
gint64   _lb_expr_hash_murmur2   (gint64           value,
                                  guint64          seed);
/* A bijection of [0, @size) keyed by @seed, for permute(). */
gint64   _lb_expr_permute        (gint64           value,
                                  gint64           size,
                                  guint64          seed);

/* ---- the lexer (lb-pgbench-expr-lexer.c), read by the parser ---- */

typedef enum
{
  LB_EXPR_TOK_END,
  LB_EXPR_TOK_INT,
  LB_EXPR_TOK_DOUBLE,
  LB_EXPR_TOK_STRING,
  LB_EXPR_TOK_VAR,
  LB_EXPR_TOK_IDENT,
  LB_EXPR_TOK_OP,
  LB_EXPR_TOK_LPAREN,
  LB_EXPR_TOK_RPAREN,
  LB_EXPR_TOK_COMMA,
} LbExprTokenKind;

typedef struct
{
  LbExprTokenKind  kind;
  const char      *start;
  gsize            len;
  gint64           integer;
  double           number;
  gboolean         int_overflow;   /* 9223372036854775808: only valid after a minus */
} LbExprToken;

typedef struct
{
  const char        *text;
  const char        *pos;
  LbExprToken        tok;
  LbExprResolveFunc  resolve;
  gpointer           user_data;
  GError            *error;
  const char        *error_pos;
  guint              depth;
  guint              values_depth;   /* > 0 inside values(…): strings allowed */
} LbExprParser;

/* The 1-based column (in characters) of @pos in the text. */
guint        _lb_expr_column_of      (LbExprParser     *p,
                                      const char       *pos);
/* Keeps the first error only, at @pos; returns FALSE. */
gboolean     _lb_expr_fail           (LbExprParser     *p,
                                      const char       *pos,
                                      int               code,
                                      const char       *format,
                                      ...) G_GNUC_PRINTF (4, 5);
/* Reads the next token into p->tok; FALSE (with p->error set) on bad input. */
gboolean     _lb_expr_next_token     (LbExprParser     *p);
/* Whether the current token is the operator @op / the keyword @keyword
 * (case-insensitive). */
gboolean     _lb_expr_tok_is_op      (LbExprParser     *p,
                                      const char       *op);
gboolean     _lb_expr_tok_is_keyword (LbExprParser     *p,
                                      const char       *keyword);
/* The current token quoted for a message, in @buf. */
const char  *_lb_expr_describe_token (LbExprParser     *p,
                                      char             *buf,
                                      gsize             size);
/* Consumes a token of @kind, or fails with "expected @what". */
gboolean     _lb_expr_expect         (LbExprParser     *p,
                                      LbExprTokenKind   kind,
                                      const char       *what);

G_END_DECLS
