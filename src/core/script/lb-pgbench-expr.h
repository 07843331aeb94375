/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The expressions of the SQL script's \set and PARAM lines: parsed once when
 * the script is read, evaluated per client by the load engine, exported back
 * for pgbench. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* pgbench's expression language: integers, doubles, booleans, NULL, strings
 * (ours: from values('CA', "NY")), operators, CASE, and the functions abs,
 * debug, double, exp, greatest, hash, hash_fnv1a, hash_murmur2, int, least,
 * ln, mod, permute, pi, pow/power, random, random_exponential,
 * random_gaussian, random_zipfian, sqrt; plus our values(…). */

#define LB_EXPR_ERROR (lb_expr_error_quark ())

typedef enum
{
  LB_EXPR_ERROR_SYNTAX,     /* message gives the column within the expression */
  LB_EXPR_ERROR_UNDEFINED,  /* an unknown variable or function */
  LB_EXPR_ERROR_EVAL,       /* division by zero, bad argument (random(5, 1) is fine: swapped) */
} LbExprError;

GQuark lb_expr_error_quark (void);

typedef enum
{
  LB_VALUE_NULL,
  LB_VALUE_BOOLEAN,
  LB_VALUE_INT,
  LB_VALUE_DOUBLE,
  LB_VALUE_STRING,   /* points into the script, never freed by the engine */
} LbValueType;

typedef struct
{
  LbValueType type;
  union {
    gboolean    boolean;
    gint64      integer;
    double      number;
    const char *string;
  } u;
} LbValue;

/* Text for a bind parameter or simple-protocol paste, without allocating:
 * writes into @buffer (at least LB_VALUE_TEXT_MAX bytes) and returns its length.
 * Strings are returned as they are (pointer in *text); numbers are formatted. */
#define LB_VALUE_TEXT_MAX 32
gsize        lb_value_to_text          (const LbValue *value,
                                        char          *buffer,
                                        const char   **text);

/* A per-client random generator (xoshiro256**), seeded per client so runs
 * can be repeated. Not thread-safe: one per client. */
typedef struct
{
  guint64 s[4];
} LbRandom;

/* Expands @seed with SplitMix64, so that the seeds of neighbouring clients
 * give unrelated streams. */
void         lb_random_seed            (LbRandom      *rng,
                                        guint64        seed);
guint64      lb_random_next            (LbRandom      *rng);
/* Uniform integer in [min, max] inclusive (bounds swapped if reversed). */
gint64       lb_random_uniform         (LbRandom      *rng,
                                        gint64         min,
                                        gint64         max);
double       lb_random_double          (LbRandom      *rng);   /* [0, 1) */

typedef struct _LbExpr LbExpr;

/* Resolves a variable name to its index; returns FALSE when unknown. */
typedef gboolean (*LbExprResolveFunc) (const char *name,
                                       guint      *var,
                                       gpointer    user_data);

/* Parses @text; error messages start "column N: " (1-based, in characters).
 * Variables that @resolve does not know but pgbench defines automatically
 * (client_id, scale, random_seed, default_seed) read the evaluation context. */
LbExpr      *lb_expr_parse             (const char        *text,
                                        LbExprResolveFunc  resolve,
                                        gpointer           user_data,
                                        GError           **error);
void         lb_expr_free              (LbExpr            *expr);
/* Evaluation context of one client. */
typedef struct
{
  LbValue    *variables;       /* indexed by variable */
  LbRandom   *rng;
  gint64      client_id;
  gint64      scale;           /* pgbench's :scale, 1 unless set */
  gint64      random_seed;
} LbExprContext;

/* No allocation on this path: it runs once per parameter per transaction. */
gboolean     lb_expr_eval              (const LbExpr      *expr,
                                        LbExprContext     *context,
                                        LbValue           *result,
                                        GError           **error);
/* The expression as pgbench accepts it (for exporting scripts), or NULL when
 * it has no single-expression equivalent (values(…)). */
char        *lb_expr_to_pgbench        (const LbExpr      *expr,
                                        const char * const *variable_names);

/* Like lb_expr_parse(), but the message has no column prefix: the 1-based
 * column of the error is stored in @error_column instead. */
LbExpr      *lb_expr_parse_at          (const char         *text,
                                        LbExprResolveFunc   resolve,
                                        gpointer            user_data,
                                        guint              *error_column,
                                        GError            **error);
/* Appends "\set @target EXPR" lines to @out; values(…) of numbers becomes a
 * helper "\set @target_pickN random(1, n)" and a CASE. Strings cannot be
 * exported (pgbench expressions give numbers only): LB_EXPR_ERROR_SYNTAX. */
gboolean     lb_expr_export_pgbench_set (const LbExpr        *expr,
                                         const char * const  *variable_names,
                                         const char          *target,
                                         GString             *out,
                                         GError             **error);
/* An expression reading one of pgbench's automatic variables from the
 * context ("client_id", "scale", "random_seed", "default_seed"), or NULL. */
LbExpr      *lb_expr_new_automatic     (const char         *name);
/* Whether @expr is such a read (of @name, or of any when @name is NULL). */
gboolean     lb_expr_is_automatic      (const LbExpr       *expr,
                                        const char         *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbExpr, lb_expr_free)

G_END_DECLS
