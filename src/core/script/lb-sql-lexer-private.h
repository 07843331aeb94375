/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SQL lexer's private API (lb-sql-lexer.c), shared by the script model
 * and the dialect parsers: special spans (quotes, dollar quotes, comments),
 * placeholders, and the split of a file into items. Not installed. */
#pragma once

#include "lb-sql-script.h"

G_BEGIN_DECLS

typedef enum
{
  LB_SQL_SPECIAL_NONE,
  LB_SQL_SPECIAL_STRING,
  LB_SQL_SPECIAL_ESTRING,
  LB_SQL_SPECIAL_IDENTIFIER,
  LB_SQL_SPECIAL_DOLLAR,
  LB_SQL_SPECIAL_LINE_COMMENT,
  LB_SQL_SPECIAL_BLOCK_COMMENT,
} LbSqlSpecialKind;

static inline gboolean
_lb_sql_is_ident_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || (guchar) c >= 0x80;
}

static inline gboolean
_lb_sql_is_ident_start (char c)
{
  return g_ascii_isalpha (c) || c == '_' || (guchar) c >= 0x80;
}

typedef enum
{
  LB_SQL_PLACEHOLDER_COLON,     /* :name; ::casts are kept */
  LB_SQL_PLACEHOLDER_PERCENT,   /* %s; %% is a literal % (the web tool was Python DB-API) */
} LbSqlPlaceholderStyle;

typedef struct
{
  char  *name;           /* LB_SQL_PLACEHOLDER_COLON */
  gsize  offset;         /* in the statement */
} LbSqlPlaceholder;

/* What the split finds, in file order. */
typedef enum
{
  LB_SQL_ITEM_STATEMENT,
  LB_SQL_ITEM_META,          /* a pgbench backslash command, continuation lines joined */
  LB_SQL_ITEM_NAME,
  LB_SQL_ITEM_WEIGHT,
  LB_SQL_ITEM_PARAM,
  LB_SQL_ITEM_PARAMETERS,
  LB_SQL_ITEM_EXEC_COUNT,
} LbSqlItemKind;

typedef struct
{
  LbSqlItemKind kind;
  gsize         start;       /* the statement, or the directive's value / the command */
  gsize         end;
  gsize         at;          /* where the line or statement begins, for messages */
  gboolean      percent;     /* statement: has %s outside quotes and comments */
} LbSqlItem;

/* One file being parsed: the text, the script it fills and the items. */
typedef struct
{
  LbSqlScript *self;
  const char  *data;
  gsize        len;
  GArray      *items;        /* LbSqlItem */
  guint        n_statements; /* all the split found, kept or not */
  /* Running position for statement lines, so locating them stays linear. */
  gsize        cursor_offset;
  guint        cursor_line;
  const char * const *defines;  /* pgbench -D "NAME=VALUE", or NULL */
} LbSqlParseState;

/* Line and column (1-based, column in characters) of @offset in @data. */
void              _lb_sql_locate            (const char             *data,
                                             gsize                   offset,
                                             guint                  *line,
                                             guint                  *column);

/* If a quoted string, quoted identifier, dollar quote or comment starts at
 * @pos, returns its kind and sets *@end past it (to @len when unterminated,
 * with *@unterminated set); LB_SQL_SPECIAL_NONE otherwise. */
LbSqlSpecialKind  _lb_sql_skip_special      (const char             *s,
                                             gsize                   len,
                                             gsize                   pos,
                                             gsize                  *end,
                                             gboolean               *unterminated);
/* A translated "unterminated …" message for @kind. */
const char       *_lb_sql_describe_special  (LbSqlSpecialKind        kind);

void              _lb_sql_placeholder_clear (LbSqlPlaceholder       *p);
/* Splits @sql around its placeholders: @fragments gets n + 1 pieces (char *),
 * @found gets n LbSqlPlaceholder. On error, *@error_offset is where it
 * happened and the message has no position yet. */
gboolean          _lb_sql_scan_placeholders (const char             *sql,
                                             gsize                   len,
                                             LbSqlPlaceholderStyle   style,
                                             GPtrArray              *fragments,
                                             GArray                 *found,
                                             gsize                  *error_offset,
                                             GError                **error);

/* Sets @error to "FILE:LINE:COLUMN: message" at @offset; returns FALSE. */
gboolean          _lb_sql_fail_at           (LbSqlParseState        *st,
                                             GError                **error,
                                             int                     code,
                                             gsize                   offset,
                                             const char             *format,
                                             ...) G_GNUC_PRINTF (5, 6);
/* The 1-based line of @offset; linear over increasing offsets. */
guint             _lb_sql_line_of           (LbSqlParseState        *st,
                                             gsize                   offset);
/* Refuses NUL bytes and invalid UTF-8. */
gboolean          _lb_sql_check_text        (LbSqlParseState        *st,
                                             GError                **error);
/* One pass over the text: appends statements, directive comments and
 * meta-commands to st->items; fails on anything unterminated. */
gboolean          _lb_sql_split             (LbSqlParseState        *st,
                                             GError                **error);
/* The statement text of @item without trailing blanks (newly allocated). */
char             *_lb_sql_statement_text    (LbSqlParseState        *st,
                                             const LbSqlItem        *item,
                                             gsize                  *len);

G_END_DECLS
