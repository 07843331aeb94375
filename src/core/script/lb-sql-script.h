/* SPDX-License-Identifier: GPL-3.0-or-later */
/* An SQL workload as the load engine runs it: weighted transactions made of
 * steps (\set, \sleep, a parameter row, a query), read from a query mix, the
 * web tool's format or a pgbench script, and written back out for pgbench. */
#pragma once

#include <gio/gio.h>

#include "lb-pgbench-expr.h"

G_BEGIN_DECLS

#define LB_SQL_SCRIPT_ERROR (lb_sql_script_error_quark ())

/* Every error message starts "FILE:LINE:COLUMN: " (1-based) and says what was
 * expected; nothing runs from a script that failed to parse. */
typedef enum
{
  LB_SQL_SCRIPT_ERROR_SYNTAX,               /* what was expected is in the message */
  LB_SQL_SCRIPT_ERROR_UNTERMINATED,         /* quote, dollar quote, comment, statement */
  LB_SQL_SCRIPT_ERROR_UNKNOWN_COMMAND,      /* \foo in a pgbench script, unknown directive */
  LB_SQL_SCRIPT_ERROR_UNDEFINED_VARIABLE,   /* :name without PARAM / \set */
  LB_SQL_SCRIPT_ERROR_PARAMETER_MISMATCH,   /* %s count vs tuple length, … */
  LB_SQL_SCRIPT_ERROR_BAD_JSON,             /* -- PARAMETERS: not a JSON array of arrays */
  LB_SQL_SCRIPT_ERROR_EMPTY,                /* no statement at all */
  LB_SQL_SCRIPT_ERROR_BINARY,               /* NUL bytes or invalid UTF-8 */
  LB_SQL_SCRIPT_ERROR_TOO_LARGE,            /* over the size limit or the statement cap
                                             * ("FILE: too many statements: N (the most is M)") */
  LB_SQL_SCRIPT_ERROR_IO,
} LbSqlScriptError;

GQuark lb_sql_script_error_quark (void);

typedef enum
{
  LB_SQL_DIALECT_QUERY_MIX,   /* -- NAME / -- WEIGHT / -- PARAM, :name placeholders */
  LB_SQL_DIALECT_WEB_TOOL,    /* -- PARAMETERS: [[…]] / -- EXEC_COUNT: n, %s placeholders */
  LB_SQL_DIALECT_PGBENCH,     /* \set, \sleep, :name; the whole file is one transaction */
} LbSqlDialect;

typedef enum
{
  LB_STEP_SET,        /* variable = expression */
  LB_STEP_SLEEP,      /* sleep expression × unit_usec microseconds */
  LB_STEP_PARAM_SET,  /* load tuple (sequence % n_tuples) of the script's table into variables */
  LB_STEP_QUERY,      /* run one statement */
  LB_STEP_JUMP,       /* go to step `target` (\else, \elif: the end of a branch) */
  LB_STEP_JUMP_UNLESS,/* \if, \elif: expression false or NULL → go to step `target` */
  LB_STEP_PIPELINE,   /* \startpipeline, \syncpipeline, \endpipeline */
} LbStepKind;

/* What a query step does with its result (pgbench \gset, \aset). */
typedef enum
{
  LB_STORE_NONE,
  LB_STORE_GSET,      /* exactly one row: its columns into variables */
  LB_STORE_ASET,      /* every row's columns (the last wins); none on zero rows */
} LbStoreKind;

typedef enum
{
  LB_PIPELINE_START,
  LB_PIPELINE_SYNC,
  LB_PIPELINE_END,
} LbPipelineOp;

/* One statement, ready for each protocol. */
typedef struct
{
  guint        index;          /* 0-based over the whole script: per-query statistics */
  char        *name;           /* "customer_by_key", "query_2", "tpcb.sql:3" */
  char        *sql;            /* as written, for display */
  char        *sql_numbered;   /* placeholders as $1…$n: extended and prepared protocols */
  char       **fragments;      /* n_params + 1 pieces around the placeholders: simple protocol */
  guint        n_params;
  guint       *param_vars;     /* variable index of $1…$n (a variable may repeat) */
  guint        line;           /* where the statement starts in the file */
} LbSqlQuery;

typedef struct
{
  LbStepKind   kind;
  guint        var;            /* LB_STEP_SET */
  LbExpr      *expr;           /* LB_STEP_SET, LB_STEP_SLEEP */
  gint64       unit_usec;      /* LB_STEP_SLEEP: 1, 1000 or 1000000 */
  guint       *tuple_vars;     /* LB_STEP_PARAM_SET: variables filled from a tuple, in order */
  guint        n_tuple_vars;
  LbSqlQuery  *query;          /* LB_STEP_QUERY (owned by the script) */
  guint        target;         /* LB_STEP_JUMP, LB_STEP_JUMP_UNLESS: the step to go to */
  LbStoreKind  store;          /* LB_STEP_QUERY: \gset / \aset */
  LbPipelineOp pipeline;       /* LB_STEP_PIPELINE */
  const char  *prefix;         /* with store: prepended to column names ("" for none) */
  const char  *label;          /* "tpcb.sql:3: \set x": what runtime errors start with;
                                * NULL for steps that cannot fail so */
} LbSqlStep;

/* What one client runs as one transaction: a query of the mix with its
 * parameters, or a whole pgbench script. */
typedef struct
{
  char        *name;
  guint        weight;         /* >= 1 */
  LbSqlStep   *steps;
  guint        n_steps;
} LbSqlTransaction;

#define LB_TYPE_SQL_SCRIPT (lb_sql_script_get_type ())

G_DECLARE_FINAL_TYPE (LbSqlScript, lb_sql_script, LB, SQL_SCRIPT, GObject)

/* Parsing (the dialect is detected from the text). Files larger than
 * LB_SQL_SCRIPT_MAX_SIZE are refused with LB_SQL_SCRIPT_ERROR_TOO_LARGE.
 * @length -1 means NUL-terminated; @display_name starts every message. */
#define LB_SQL_SCRIPT_MAX_SIZE (64 * 1024 * 1024)
/* More SQL statements than this are refused too (LB_SQL_SCRIPT_ERROR_TOO_LARGE):
 * with the size limit it bounds the memory a run needs. */
#define LB_SQL_SCRIPT_MAX_STATEMENTS 1000000

LbSqlScript            *lb_sql_script_new_from_file       (GFile          *file,
                                                           GError        **error);
LbSqlScript            *lb_sql_script_new_from_data       (const char     *data,
                                                           gssize          length,
                                                           const char     *display_name,
                                                           GError        **error);

/* How to read a file when detection is not what the user wants. */
typedef struct
{
  gboolean             force_dialect;  /* FALSE: detect it from the text */
  LbSqlDialect         dialect;        /* with force_dialect */
  const char * const  *defines;        /* "NAME=VALUE", as pgbench -D; NULL-terminated, or NULL */
} LbSqlParseOptions;

/* As above; @options may be NULL (detect, no defines). */
LbSqlScript            *lb_sql_script_new_from_data_full  (const char              *data,
                                                           gssize                   length,
                                                           const char              *display_name,
                                                           const LbSqlParseOptions *options,
                                                           GError                 **error);
LbSqlScript            *lb_sql_script_new_from_file_full  (GFile                   *file,
                                                           const LbSqlParseOptions *options,
                                                           GError                 **error);

/* Building by hand (the parser's own path; tests and benchmarks use it too). */
LbSqlScript            *lb_sql_script_new                 (LbSqlDialect    dialect,
                                                           const char     *display_name);
/* Adds a variable, returns its index (existing name → existing index). */
guint                   lb_sql_script_add_variable        (LbSqlScript    *self,
                                                           const char     *name);
LbSqlTransaction       *lb_sql_script_add_transaction     (LbSqlScript    *self,
                                                           const char     *name,
                                                           guint           weight);
void                    lb_sql_script_add_set_step        (LbSqlScript      *self,
                                                           LbSqlTransaction *transaction,
                                                           guint             var,
                                                           LbExpr           *expr);
void                    lb_sql_script_add_sleep_step      (LbSqlScript      *self,
                                                           LbSqlTransaction *transaction,
                                                           LbExpr           *expr,
                                                           gint64            unit_usec);
/* @sql uses :name placeholders for variables (which must exist) and keeps
 * ::casts; returns the new query. */
LbSqlQuery             *lb_sql_script_add_query_step      (LbSqlScript      *self,
                                                           LbSqlTransaction *transaction,
                                                           const char       *name,
                                                           const char       *sql,
                                                           guint             line,
                                                           GError          **error);

/* The web tool format's table and PARAM_SET step (additions). */
void                    lb_sql_script_add_param_set_step  (LbSqlScript      *self,
                                                           LbSqlTransaction *transaction,
                                                           const guint      *vars,
                                                           guint             n_vars);
/* @values holds @n_tuples rows of @n_columns; strings are copied. */
void                    lb_sql_script_set_tuples          (LbSqlScript    *self,
                                                           const LbValue  *values,
                                                           guint           n_tuples,
                                                           guint           n_columns);
void                    lb_sql_script_set_exec_count      (LbSqlScript    *self,
                                                           guint           exec_count);
guint                   lb_sql_script_get_exec_count      (LbSqlScript    *self);

/* The dialects by name: "pgbench", "mix" and "webtool" (as in
 * lakebase-cli bench --dialect and the tester's tester.dialect action). */
const char             *lb_sql_dialect_to_string          (LbSqlDialect    dialect);
gboolean                lb_sql_dialect_from_string        (const char     *text,
                                                           LbSqlDialect   *dialect);
/* What the user reads: "pgbench script", "query mix", "web tool format" (translated). */
const char             *lb_sql_dialect_get_label          (LbSqlDialect    dialect);

/* Reading */
LbSqlDialect            lb_sql_script_get_dialect         (LbSqlScript    *self);
/* What detection chose for this text, whether or not it was overridden. */
LbSqlDialect            lb_sql_script_get_detected_dialect (LbSqlScript   *self);
const char             *lb_sql_script_get_display_name    (LbSqlScript    *self);
guint                   lb_sql_script_get_n_variables     (LbSqlScript    *self);
const char             *lb_sql_script_get_variable_name   (LbSqlScript    *self,
                                                           guint           var);
/* The index of variable @name (thread-safe: the table is not changed after parsing). */
gboolean                lb_sql_script_lookup_variable     (LbSqlScript    *self,
                                                           const char     *name,
                                                           guint          *var);
guint                   lb_sql_script_get_n_transactions  (LbSqlScript    *self);
const LbSqlTransaction *lb_sql_script_get_transaction     (LbSqlScript    *self,
                                                           guint           index);
guint                   lb_sql_script_get_total_weight    (LbSqlScript    *self);
guint                   lb_sql_script_get_n_queries       (LbSqlScript    *self);
const LbSqlQuery       *lb_sql_script_get_query           (LbSqlScript    *self,
                                                           guint           index);
/* Values every client starts with (pgbench -D NAME=VALUE), typed as pgbench
 * types them: NULL, boolean, integer, double, else a string. */
typedef struct
{
  guint    var;
  LbValue  value;
} LbSqlInitialValue;

const LbSqlInitialValue *lb_sql_script_get_initial_values (LbSqlScript *self,
                                                           guint       *n_values);
/* The most statements and syncs one \startpipeline … \endpipeline section
 * can have in flight (0: the script has no pipeline section). */
guint                   lb_sql_script_get_max_pipeline    (LbSqlScript    *self);
/* Whether the script stores results (\gset/\aset) or uses \if. */
gboolean                lb_sql_script_has_flow            (LbSqlScript    *self);

/* Types a text as pgbench types a -D value or a stored result: "null" (any
 * case) → NULL; prefixes of true/yes, "on" → TRUE; of false/no, "of(f)" →
 * FALSE; an integer; a double; else a string (@text is not copied). With
 * @booleans FALSE only numbers are recognised (and "" stays a string). */
void                    lb_sql_value_from_text            (const char     *text,
                                                           gboolean        booleans,
                                                           LbValue        *value);

/* The web tool format's parameter table: n_tuples rows of n_columns values. */
guint                   lb_sql_script_get_n_tuples        (LbSqlScript    *self);
const LbValue          *lb_sql_script_get_tuple           (LbSqlScript    *self,
                                                           guint           index,
                                                           guint          *n_columns);
/* Transactions a fixed-count run makes by default: tuples × EXEC_COUNT for
 * the web tool format, 0 (no default) otherwise. */
guint64                 lb_sql_script_get_default_count   (LbSqlScript    *self);

/* Picks a transaction by weight from a uniform draw in [0, total_weight). */
guint                   lb_sql_script_pick_transaction    (LbSqlScript    *self,
                                                           guint           draw);

/* Writes one pgbench script per transaction into @directory and returns the
 * pgbench arguments that run the same mix ("-f DIR/a.sql@8 -f DIR/b.sql@2"). */
char                   *lb_sql_script_export_pgbench      (LbSqlScript    *self,
                                                           GFile          *directory,
                                                           GError        **error);

G_END_DECLS
