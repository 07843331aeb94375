/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SQL lexer: where quoted strings, E'' strings, quoted identifiers,
 * dollar quotes and (nested) comments start and end, how a file splits into
 * statements, directive comments and pgbench meta-commands, and where the
 * :name / %s placeholders of a statement are (::casts stay SQL). */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-sql-lexer-private.h"
#include "lb-sql-script-private.h"

/* ------------------------------------------------------------------------ */
/* Positions                                                                */

/* Line and column (1-based, column in characters) of @offset in @data. */
void
_lb_sql_locate (const char *data,
                gsize       offset,
                guint      *line,
                guint      *column)
{
  const char *p = data;
  const char *end = data + offset;
  const char *line_start = data;
  guint n = 1;

  while (p < end && (p = memchr (p, '\n', end - p)) != NULL)
    {
      p++;
      n++;
      line_start = p;
    }
  *line = n;
  if (g_utf8_validate (line_start, end - line_start, NULL))
    *column = (guint) g_utf8_strlen (line_start, end - line_start) + 1;
  else
    *column = (guint) (end - line_start) + 1;
}

/* ------------------------------------------------------------------------ */
/* SQL lexing shared by the splitter and the placeholder scanner            */

/* memmem() is a GNU extension; tags are short, so a memchr walk is linear enough. */
static const char *
find_tag (const char *haystack,
          gsize       len,
          const char *tag,
          gsize       tag_len)
{
  const char *p = haystack;
  const char *end = haystack + len;

  while (p + tag_len <= end && (p = memchr (p, '$', end - p)) != NULL)
    {
      if (p + tag_len <= end && memcmp (p, tag, tag_len) == 0)
        return p;
      p++;
    }
  return NULL;
}

/* If a quoted string, quoted identifier, dollar quote or comment starts at
 * @pos, returns its kind and sets *@end past it (to @len when unterminated,
 * with *@unterminated set). */
LbSqlSpecialKind
_lb_sql_skip_special (const char *s,
                      gsize       len,
                      gsize       pos,
                      gsize      *end,
                      gboolean   *unterminated)
{
  char c = s[pos];

  *unterminated = FALSE;

  if (c == '\'')
    {
      gboolean escapes = pos > 0 && (s[pos - 1] == 'E' || s[pos - 1] == 'e')
                         && (pos < 2 || !_lb_sql_is_ident_char (s[pos - 2]));
      gsize i = pos + 1;

      for (;;)
        {
          const char *q;

          if (escapes)
            {
              while (i < len && s[i] != '\'' && s[i] != '\\')
                i++;
              if (i < len && s[i] == '\\')
                {
                  i += 2;
                  continue;
                }
            }
          else
            {
              q = memchr (s + i, '\'', len - i);
              i = q != NULL ? (gsize) (q - s) : len;
            }
          if (i >= len)
            {
              *unterminated = TRUE;
              *end = len;
              break;
            }
          /* s[i] is a quote: doubled, it stands for itself. */
          if (i + 1 < len && s[i + 1] == '\'')
            {
              i += 2;
              continue;
            }
          *end = i + 1;
          break;
        }
      return escapes ? LB_SQL_SPECIAL_ESTRING : LB_SQL_SPECIAL_STRING;
    }

  if (c == '"')
    {
      gsize i = pos + 1;

      for (;;)
        {
          const char *q = memchr (s + i, '"', len - i);

          if (q == NULL)
            {
              *unterminated = TRUE;
              *end = len;
              break;
            }
          i = q - s;
          if (i + 1 < len && s[i + 1] == '"')
            {
              i += 2;
              continue;
            }
          *end = i + 1;
          break;
        }
      return LB_SQL_SPECIAL_IDENTIFIER;
    }

  if (c == '$' && (pos == 0 || (!_lb_sql_is_ident_char (s[pos - 1]) && s[pos - 1] != '$')))
    {
      gsize i = pos + 1;

      if (i < len && _lb_sql_is_ident_start (s[i]))
        while (i < len && _lb_sql_is_ident_char (s[i]))
          i++;
      if (i < len && s[i] == '$')
        {
          gsize tag_len = i + 1 - pos;
          const char *close = find_tag (s + i + 1, len - i - 1, s + pos, tag_len);

          if (close == NULL)
            {
              *unterminated = TRUE;
              *end = len;
            }
          else
            *end = (close - s) + tag_len;
          return LB_SQL_SPECIAL_DOLLAR;
        }
      return LB_SQL_SPECIAL_NONE;
    }

  if (c == '-' && pos + 1 < len && s[pos + 1] == '-')
    {
      const char *nl = memchr (s + pos, '\n', len - pos);

      *end = nl != NULL ? (gsize) (nl - s) : len;
      return LB_SQL_SPECIAL_LINE_COMMENT;
    }

  if (c == '/' && pos + 1 < len && s[pos + 1] == '*')
    {
      gsize i = pos + 2;
      guint depth = 1;

      /* PostgreSQL nests block comments. */
      while (i + 1 < len)
        {
          if (s[i] == '*' && s[i + 1] == '/')
            {
              i += 2;
              if (--depth == 0)
                break;
            }
          else if (s[i] == '/' && s[i + 1] == '*')
            {
              i += 2;
              depth++;
            }
          else
            i++;
        }
      if (depth > 0)
        {
          *unterminated = TRUE;
          *end = len;
        }
      else
        *end = i;
      return LB_SQL_SPECIAL_BLOCK_COMMENT;
    }

  return LB_SQL_SPECIAL_NONE;
}

const char *
_lb_sql_describe_special (LbSqlSpecialKind kind)
{
  switch (kind)
    {
    case LB_SQL_SPECIAL_STRING:
      return _("unterminated quoted string");
    case LB_SQL_SPECIAL_ESTRING:
      return _("unterminated E'…' string");
    case LB_SQL_SPECIAL_IDENTIFIER:
      return _("unterminated quoted identifier");
    case LB_SQL_SPECIAL_DOLLAR:
      return _("unterminated dollar-quoted string");
    case LB_SQL_SPECIAL_BLOCK_COMMENT:
      return _("unterminated /* comment");
    case LB_SQL_SPECIAL_LINE_COMMENT:
    case LB_SQL_SPECIAL_NONE:
    default:
      return _("unterminated text");
    }
}

/* ------------------------------------------------------------------------ */
/* Placeholders                                                             */

void
_lb_sql_placeholder_clear (LbSqlPlaceholder *p)
{
  g_free (p->name);
}

/* Splits @sql around its placeholders: fragments gets n + 1 pieces, found
 * gets n Placeholders. On error, *error_offset is where it happened. */
gboolean
_lb_sql_scan_placeholders (const char           *sql,
                           gsize                 len,
                           LbSqlPlaceholderStyle style,
                           GPtrArray            *fragments,
                           GArray               *found,
                           gsize                *error_offset,
                           GError              **error)
{
  g_autoptr(GString) piece = g_string_sized_new (len + 1);
  gsize i = 0;

  while (i < len)
    {
      char c = sql[i];
      gsize end;
      gboolean unterminated;
      LbSqlSpecialKind kind;

      if (c == '\'' || c == '"' || c == '$' || c == '-' || c == '/')
        {
          kind = _lb_sql_skip_special (sql, len, i, &end, &unterminated);
          if (kind != LB_SQL_SPECIAL_NONE)
            {
              if (unterminated)
                {
                  *error_offset = i;
                  g_set_error_literal (error, LB_SQL_SCRIPT_ERROR, LB_SQL_SCRIPT_ERROR_UNTERMINATED,
                                       _lb_sql_describe_special (kind));
                  return FALSE;
                }
              if (style == LB_SQL_PLACEHOLDER_PERCENT && kind != LB_SQL_SPECIAL_LINE_COMMENT
                  && kind != LB_SQL_SPECIAL_BLOCK_COMMENT)
                {
                  /* %% is % everywhere (as the DB-API did); %s cannot be inside a literal. */
                  for (gsize j = i; j < end; j++)
                    {
                      if (sql[j] == '%' && j + 1 < end && sql[j + 1] == '%')
                        {
                          g_string_append_c (piece, '%');
                          j++;
                        }
                      else if (sql[j] == '%' && j + 1 < end && sql[j + 1] == 's')
                        {
                          *error_offset = j;
                          g_set_error_literal (error, LB_SQL_SCRIPT_ERROR, LB_SQL_SCRIPT_ERROR_SYNTAX,
                                               _("%s inside a quoted literal: parameters are sent as "
                                                 "bind values, write %s without quotes"));
                          return FALSE;
                        }
                      else
                        g_string_append_c (piece, sql[j]);
                    }
                }
              else
                g_string_append_len (piece, sql + i, end - i);
              i = end;
              continue;
            }
        }

      if (style == LB_SQL_PLACEHOLDER_COLON && c == ':')
        {
          if (i + 1 < len && sql[i + 1] == ':')
            {
              /* A cast: both colons, then the type name, stay SQL. */
              g_string_append_len (piece, "::", 2);
              i += 2;
              continue;
            }
          if (i + 1 < len && (sql[i + 1] == '\'' || sql[i + 1] == '"'))
            {
              *error_offset = i;
              g_set_error (error, LB_SQL_SCRIPT_ERROR, LB_SQL_SCRIPT_ERROR_SYNTAX,
                           _("%c%c…%c is psql's quoting of a variable, which pgbench does not have: "
                             "write :name (values are sent as bind parameters)"),
                           ':', sql[i + 1], sql[i + 1]);
              return FALSE;
            }
          if (i + 1 < len && _lb_sql_is_ident_start (sql[i + 1]) && (i == 0 || sql[i - 1] != ':'))
            {
              LbSqlPlaceholder p;
              gsize j = i + 1;

              while (j < len && _lb_sql_is_ident_char (sql[j]))
                j++;
              p.name = g_strndup (sql + i + 1, j - i - 1);
              p.offset = i;
              g_array_append_val (found, p);
              g_ptr_array_add (fragments, g_strndup (piece->str, piece->len));
              g_string_truncate (piece, 0);
              i = j;
              continue;
            }
        }

      if (style == LB_SQL_PLACEHOLDER_PERCENT && c == '%' && i + 1 < len)
        {
          if (sql[i + 1] == 's')
            {
              LbSqlPlaceholder p = { NULL, i };

              g_array_append_val (found, p);
              g_ptr_array_add (fragments, g_strndup (piece->str, piece->len));
              g_string_truncate (piece, 0);
              i += 2;
              continue;
            }
          if (sql[i + 1] == '%')
            {
              g_string_append_c (piece, '%');
              i += 2;
              continue;
            }
        }

      g_string_append_c (piece, c);
      i++;
    }

  g_ptr_array_add (fragments, g_strndup (piece->str, piece->len));
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Splitting a file into items                                              */

gboolean
_lb_sql_fail_at (LbSqlParseState *st,
                 GError         **error,
                 int              code,
                 gsize            offset,
                 const char      *format,
                 ...)
{
  g_autofree char *message = NULL;
  guint line, column;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  _lb_sql_locate (st->data, offset, &line, &column);
  g_set_error (error, LB_SQL_SCRIPT_ERROR, code, "%s:%u:%u: %s",
               st->self->display_name, line, column, message);
  return FALSE;
}

guint
_lb_sql_line_of (LbSqlParseState *st,
                 gsize            offset)
{
  const char *p;
  const char *end = st->data + offset;

  if (offset < st->cursor_offset)
    {
      st->cursor_offset = 0;
      st->cursor_line = 1;
    }
  p = st->data + st->cursor_offset;
  while (p < end && (p = memchr (p, '\n', end - p)) != NULL)
    {
      p++;
      st->cursor_line++;
    }
  st->cursor_offset = offset;
  return st->cursor_line;
}

gboolean
_lb_sql_check_text (LbSqlParseState *st,
                    GError         **error)
{
  const char *nul = memchr (st->data, '\0', st->len);
  const char *bad = NULL;

  if (nul != NULL)
    return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_BINARY, nul - st->data,
                            _("NUL byte at offset %" G_GSIZE_FORMAT ": this is a binary file, not SQL text"),
                            (gsize) (nul - st->data));
  if (!g_utf8_validate (st->data, st->len, &bad))
    {
      guint line, column;

      /* _lb_sql_locate() counts bytes on a line that is not valid UTF-8. */
      _lb_sql_locate (st->data, bad - st->data, &line, &column);
      g_set_error (error, LB_SQL_SCRIPT_ERROR, LB_SQL_SCRIPT_ERROR_BINARY,
                   _("%s:%u:%u: invalid UTF-8 at byte offset %" G_GSIZE_FORMAT
                     " (save the file as UTF-8)"),
                   st->self->display_name, line, column, (gsize) (bad - st->data));
      return FALSE;
    }
  return TRUE;
}

/* Does the comment text at @p (after "--") start with @word and a colon? */
static gboolean
match_directive (const char  *p,
                 const char  *end,
                 const char  *word,
                 gboolean     colon_required,
                 const char **value)
{
  gsize n = strlen (word);

  while (p < end && (*p == ' ' || *p == '\t'))
    p++;
  if ((gsize) (end - p) < n || g_ascii_strncasecmp (p, word, n) != 0)
    return FALSE;
  p += n;
  if (p < end && *p == ':')
    p++;
  else if (colon_required || p >= end || (*p != ' ' && *p != '\t'))
    return FALSE;
  while (p < end && (*p == ' ' || *p == '\t'))
    p++;
  *value = p;
  return TRUE;
}

static void
add_item (LbSqlParseState *st,
          LbSqlItemKind    kind,
          gsize            start,
          gsize            end,
          gsize            at)
{
  LbSqlItem item = { kind, start, end, at, FALSE };

  g_array_append_val (st->items, item);
}

/* Statements past LB_SQL_SCRIPT_MAX_STATEMENTS are only counted, so a file
 * the parser refuses does not first cost an item each. */
static void
add_statement (LbSqlParseState *st,
               gsize            start,
               gsize            end,
               gboolean         percent)
{
  LbSqlItem item = { LB_SQL_ITEM_STATEMENT, start, end, start, percent };

  if (++st->n_statements <= LB_SQL_SCRIPT_MAX_STATEMENTS)
    g_array_append_val (st->items, item);
}

/* The end of a directive's value without a trailing "-- comment" (the web
 * tool's docs write "-- WEIGHT: 40   -- pgbench weight"): a "--" after a
 * blank, outside '…' and "…" (JSON strings may hold "--" or quotes). */
static const char *
strip_trailing_comment (const char *value,
                        const char *end)
{
  char quote = 0;

  for (const char *q = value; q < end; q++)
    {
      if (quote != 0)
        {
          if (quote == '"' && *q == '\\' && q + 1 < end)
            q++;
          else if (*q == quote)
            quote = 0;
        }
      else if (*q == '\'' || *q == '"')
        quote = *q;
      else if (q[0] == '-' && q + 1 < end && q[1] == '-' && q > value
               && (q[-1] == ' ' || q[-1] == '\t'))
        {
          while (q > value && (q[-1] == ' ' || q[-1] == '\t'))
            q--;
          return q;
        }
    }
  return end;
}

/* A "--" comment between statements: remember it when it is a directive. */
static void
scan_comment (LbSqlParseState *st,
              gsize            start,
              gsize            end)
{
  const char *p = st->data + start + 2;
  const char *e = st->data + end;
  const char *value;

  while (e > p && g_ascii_isspace (e[-1]))
    e--;

  if (match_directive (p, e, "NAME", TRUE, &value)
      || match_directive (p, e, "WEIGHT", TRUE, &value)
      || match_directive (p, e, "PARAMETERS", TRUE, &value)
      || match_directive (p, e, "EXEC_COUNT", TRUE, &value)
      || match_directive (p, e, "PARAM", FALSE, &value))
    e = strip_trailing_comment (value, e);

  if (match_directive (p, e, "NAME", TRUE, &value))
    add_item (st, LB_SQL_ITEM_NAME, value - st->data, e - st->data, start);
  else if (match_directive (p, e, "WEIGHT", TRUE, &value))
    add_item (st, LB_SQL_ITEM_WEIGHT, value - st->data, e - st->data, start);
  else if (match_directive (p, e, "PARAMETERS", TRUE, &value))
    add_item (st, LB_SQL_ITEM_PARAMETERS, value - st->data, e - st->data, start);
  else if (match_directive (p, e, "EXEC_COUNT", TRUE, &value))
    add_item (st, LB_SQL_ITEM_EXEC_COUNT, value - st->data, e - st->data, start);
  else if (match_directive (p, e, "PARAM", FALSE, &value))
    {
      const char *q = value;

      /* "-- PARAM name = …" or "-- PARAM: …"; "-- param values are…" is prose. */
      while (q < e && _lb_sql_is_ident_char (*q))
        q++;
      while (q < e && (*q == ' ' || *q == '\t'))
        q++;
      if ((q < e && *q == '=') || p[strspn (p, " \t") + 5] == ':')
        add_item (st, LB_SQL_ITEM_PARAM, value - st->data, e - st->data, start);
    }
}

static gboolean
at_line_start (const char *data,
               gsize       pos)
{
  while (pos > 0 && (data[pos - 1] == ' ' || data[pos - 1] == '\t'))
    pos--;
  return pos == 0 || data[pos - 1] == '\n';
}

/* One pass over the text: statements, directives and meta-commands. */
gboolean
_lb_sql_split (LbSqlParseState *st,
               GError         **error)
{
  const char *s = st->data;
  gsize len = st->len;
  gsize pos = 0;
  gssize stmt = -1;
  gboolean percent = FALSE;

  while (pos < len)
    {
      char c = s[pos];
      gsize end;
      gboolean unterminated;
      LbSqlSpecialKind kind;

      if (stmt < 0)
        {
          if (g_ascii_isspace (c))
            {
              pos++;
              continue;
            }
          if (c == '\\' && at_line_start (s, pos))
            {
              gsize e = pos;

              /* A meta-command runs to the end of the line; "\" before the
               * newline continues it. */
              for (;;)
                {
                  const char *nl = memchr (s + e, '\n', len - e);

                  e = nl != NULL ? (gsize) (nl - s) : len;
                  if (e > pos && s[e - 1] == '\\' && e < len)
                    {
                      e++;
                      continue;
                    }
                  if (e > pos + 1 && s[e - 1] == '\r' && s[e - 2] == '\\' && e < len)
                    {
                      e++;
                      continue;
                    }
                  break;
                }
              add_item (st, LB_SQL_ITEM_META, pos, e, pos);
              pos = e;
              continue;
            }
          if (c == '-' || c == '/')
            {
              kind = _lb_sql_skip_special (s, len, pos, &end, &unterminated);
              if (kind == LB_SQL_SPECIAL_LINE_COMMENT)
                {
                  scan_comment (st, pos, end);
                  pos = end;
                  continue;
                }
              if (kind == LB_SQL_SPECIAL_BLOCK_COMMENT)
                {
                  if (unterminated)
                    return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_UNTERMINATED, pos,
                                            _("unterminated /* comment (it starts here)"));
                  pos = end;
                  continue;
                }
            }
          if (c == ';')
            {
              /* An empty statement: nothing to run. */
              pos++;
              continue;
            }
          stmt = pos;
          percent = FALSE;
        }

      switch (c)
        {
        case '\'':
        case '"':
        case '$':
        case '-':
        case '/':
          kind = _lb_sql_skip_special (s, len, pos, &end, &unterminated);
          if (kind == LB_SQL_SPECIAL_NONE)
            {
              pos++;
              continue;
            }
          if (unterminated)
            {
              const char *what;

              switch (kind)
                {
                case LB_SQL_SPECIAL_STRING:
                case LB_SQL_SPECIAL_ESTRING:
                  what = _("unterminated quoted string (it starts here; a quote inside a string is written '')");
                  break;
                case LB_SQL_SPECIAL_IDENTIFIER:
                  what = _("unterminated quoted identifier (it starts here)");
                  break;
                case LB_SQL_SPECIAL_DOLLAR:
                  what = _("unterminated dollar-quoted string (it starts here)");
                  break;
                case LB_SQL_SPECIAL_BLOCK_COMMENT:
                  what = _("unterminated /* comment (it starts here)");
                  break;
                case LB_SQL_SPECIAL_LINE_COMMENT:
                case LB_SQL_SPECIAL_NONE:
                default:
                  what = _lb_sql_describe_special (kind);
                  break;
                }
              return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_UNTERMINATED, pos, "%s", what);
            }
          pos = end;
          continue;

        case ';':
          {
            add_statement (st, stmt, pos, percent);
            stmt = -1;
            pos++;
            continue;
          }

        case '%':
          if (pos + 1 < len && s[pos + 1] == 's')
            percent = TRUE;
          pos += pos + 1 < len && (s[pos + 1] == 's' || s[pos + 1] == '%') ? 2 : 1;
          continue;

        case '\\':
          if (pos + 5 <= len && (strncmp (s + pos + 1, "gset", 4) == 0 || strncmp (s + pos + 1, "aset", 4) == 0)
              && (pos + 5 == len || !_lb_sql_is_ident_char (s[pos + 5])))
            {
              /* pgbench's "SELECT … \gset [prefix]": the statement ends here,
               * the meta-command runs to the end of the line. */
              const char *nl = memchr (s + pos, '\n', len - pos);
              gsize e = nl != NULL ? (gsize) (nl - s) : len;

              add_statement (st, stmt, pos, percent);
              stmt = -1;
              add_item (st, LB_SQL_ITEM_META, pos, e, pos);
              pos = e;
              continue;
            }
          if (at_line_start (s, pos))
            {
              guint line, column;

              _lb_sql_locate (s, stmt, &line, &column);
              return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_UNTERMINATED, pos,
                                      _("meta-command inside an SQL statement: the statement that starts "
                                        "on line %u needs a “;”"), line);
            }
          pos++;
          continue;

        default:
          pos++;
          continue;
        }
    }

  if (stmt >= 0)
    {
      /* pgbench and psql accept a last statement without ";". */
      add_statement (st, stmt, len, percent);
    }
  return TRUE;
}

/* The statement text without trailing blanks. */
char *
_lb_sql_statement_text (LbSqlParseState *st,
                        const LbSqlItem *item,
                        gsize           *len)
{
  gsize end = item->end;

  while (end > item->start && g_ascii_isspace (st->data[end - 1]))
    end--;
  *len = end - item->start;
  return g_strndup (st->data + item->start, *len);
}
