/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbSqlScript's insides, shared by the model (lb-sql-script.c), the parser
 * (lb-sql-script-parse.c), the dialects (lb-sql-dialect-*.c) and the pgbench
 * export (lb-sql-script-export.c). Not installed. */
#pragma once

#include "lb-sql-lexer-private.h"
#include "lb-sql-script.h"

G_BEGIN_DECLS

#define MAX_WEIGHT 1000000

/* The public struct first, so the returned pointer is the wrapper too. */
typedef struct
{
  LbSqlTransaction  pub;
  guint             capacity;
} LbSqlTransactionSlot;

struct _LbSqlScript
{
  GObject        parent_instance;

  LbSqlDialect   dialect;
  LbSqlDialect   detected_dialect;
  char          *display_name;

  GPtrArray     *variables;        /* char *, by index */
  GHashTable    *variable_index;   /* name → GUINT_TO_POINTER (index + 1) */

  GPtrArray     *transactions;     /* LbSqlTransactionSlot * */
  GArray        *cumulative;       /* guint: running total of weights, per transaction */
  GPtrArray     *queries;          /* LbSqlQuery * */

  /* The web tool's parameter table. */
  LbValue       *tuples;
  guint          n_tuples;
  guint          n_columns;
  GStringChunk  *strings;
  GStringChunk  *query_text;       /* every LbSqlQuery's name, SQL and fragments */
  guint          exec_count;

  /* pgbench flow (lb-sql-dialect-pgbench-flow.c) */
  GArray        *initial;          /* LbSqlInitialValue: -D defines */
  guint          max_pipeline;     /* entries one pipeline section may have in flight */
  gboolean       has_flow;         /* \gset, \aset or \if */
  gboolean       open_variables;   /* \gset/\aset: unknown :names become variables */
};

/* ---- the model (lb-sql-script.c) ---- */

/* Sets @error to "DISPLAY_NAME:LINE:COLUMN: message"; returns FALSE. */
gboolean     _lb_sql_set_error_at           (GError               **error,
                                             int                    code,
                                             const char            *display_name,
                                             guint                  line,
                                             guint                  column,
                                             const char            *format,
                                             ...) G_GNUC_PRINTF (6, 7);
/* Builds the query from its pieces (takes @fragments: n_params + 1 strings),
 * adds it to the script and as a step of @transaction. */
LbSqlQuery  *_lb_sql_script_add_query       (LbSqlScript           *self,
                                             LbSqlTransaction      *transaction,
                                             const char            *name,
                                             const char            *sql,
                                             GPtrArray             *fragments,
                                             const guint           *vars,
                                             guint                  n_params,
                                             guint                  line);
gboolean     _lb_sql_script_lookup_variable (LbSqlScript           *self,
                                             const char            *name,
                                             guint                 *var);

/* ---- shared by the dialects (lb-sql-script-parse.c) ---- */

/* Which names an expression may use. */
typedef struct
{
  LbSqlScript *self;
  GHashTable  *allowed;     /* name → var + 1; NULL: any script variable */
  char        *failed;      /* the last name not found */
} LbSqlResolver;

/* A statement cut around its placeholders. */
typedef struct
{
  GPtrArray *fragments;
  GArray    *found;
  char      *sql;
  gsize      sql_len;
} LbSqlScanned;

/* Parses the expression between @start and @end; errors point into the file. */
LbExpr      *_lb_sql_parse_expression       (LbSqlParseState       *st,
                                             LbSqlResolver         *r,
                                             gsize                  start,
                                             gsize                  end,
                                             GError               **error);
void         _lb_sql_scanned_clear          (LbSqlScanned          *sc);
/* Fills @sc from the statement @item; clear it with _lb_sql_scanned_clear()
 * whatever the result. */
gboolean     _lb_sql_scan_statement         (LbSqlParseState       *st,
                                             const LbSqlItem       *item,
                                             LbSqlPlaceholderStyle  style,
                                             LbSqlScanned          *sc,
                                             GError               **error);
/* Adds the scanned statement to @transaction (takes sc->fragments). */
LbSqlQuery  *_lb_sql_finish_query           (LbSqlParseState       *st,
                                             LbSqlTransaction      *transaction,
                                             const char            *name,
                                             LbSqlScanned          *sc,
                                             const guint           *vars,
                                             const LbSqlItem       *item);
/* An integer from 1 to MAX_WEIGHT. */
gboolean     _lb_sql_parse_weight           (LbSqlParseState       *st,
                                             const LbSqlItem       *item,
                                             guint                 *weight,
                                             GError               **error);
/* A query name without spaces that is not in @names yet. */
gboolean     _lb_sql_parse_name             (LbSqlParseState       *st,
                                             const LbSqlItem       *item,
                                             GHashTable            *names,
                                             char                 **name,
                                             GError               **error);
/* Variables for the placeholders of a statement into @vars; pgbench's
 * automatic ones (client_id, …) are added to @autos. */
gboolean     _lb_sql_resolve_placeholders   (LbSqlParseState       *st,
                                             const LbSqlItem       *item,
                                             LbSqlScanned          *sc,
                                             GHashTable            *allowed,
                                             GArray                *autos,
                                             guint                 *vars,
                                             GError               **error);
/* Appends a set step per automatic variable in @autos. */
void         _lb_sql_add_auto_steps         (LbSqlScript           *self,
                                             LbSqlTransaction      *transaction,
                                             GArray                *autos);

/* ---- pgbench control flow, results, pipelines (lb-sql-dialect-pgbench-flow.c) ---- */

typedef struct _LbSqlFlow LbSqlFlow;

/* Before the first item: -D defines (st->defines) become variables of
 * @defined; notes whether the script stores results. */
LbSqlFlow   *_lb_sql_flow_begin             (LbSqlParseState       *st,
                                             GHashTable            *defined,
                                             GError               **error);
void         _lb_sql_flow_free              (LbSqlFlow             *flow);
/* A meta-command of the flow (\if … \endif, \gset, \aset, pipelines,
 * \shell refused): TRUE with *@handled set when it was one. */
gboolean     _lb_sql_flow_meta              (LbSqlFlow             *flow,
                                             const LbSqlItem       *item,
                                             LbSqlTransaction      *t,
                                             GHashTable            *defined,
                                             gboolean              *handled,
                                             GError               **error);
/* After each SQL statement: its query step is the last one of @t. */
void         _lb_sql_flow_statement         (LbSqlFlow             *flow,
                                             LbSqlTransaction      *t);
/* Unknown placeholders of a result-storing script become variables. */
void         _lb_sql_flow_open_placeholders (LbSqlFlow             *flow,
                                             LbSqlScanned          *sc,
                                             GHashTable            *defined);
/* After the last item: unterminated \if or pipeline. */
gboolean     _lb_sql_flow_end               (LbSqlFlow             *flow,
                                             GError               **error);
/* @n steps were inserted at the front of @t: jump targets move with them. */
void         _lb_sql_flow_shift             (LbSqlTransaction      *t,
                                             guint                  n);
/* A zeroed step appended to @transaction. */
LbSqlStep   *_lb_sql_script_append_step     (LbSqlScript           *self,
                                             LbSqlTransaction      *transaction);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbSqlFlow, _lb_sql_flow_free)

/* EXEC_COUNT's value, an integer from 1 to MAX_WEIGHT (lb-sql-dialect-webtool.c). */
gboolean     _lb_sql_parse_exec_count       (LbSqlParseState       *st,
                                             const LbSqlItem       *item,
                                             guint                 *count,
                                             GError               **error);

/* ---- the dialect parsers: fill st->self from st->items ---- */

gboolean     _lb_sql_parse_query_mix        (LbSqlParseState       *st,
                                             GError               **error);
gboolean     _lb_sql_parse_web_tool         (LbSqlParseState       *st,
                                             GError               **error);
gboolean     _lb_sql_parse_pgbench          (LbSqlParseState       *st,
                                             GError               **error);

G_END_DECLS
