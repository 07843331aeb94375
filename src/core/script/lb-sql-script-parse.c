/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reading a file into an LbSqlScript: checks the text, lets the lexer split
 * it, detects the dialect and hands the items to that dialect's parser
 * (lb-sql-dialect-*.c). Also the pieces the dialects share: expressions,
 * statements with their placeholders, NAME and WEIGHT values. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-sql-lexer-private.h"
#include "lb-sql-script-private.h"

/* ---- PARAM and \set expressions ---- */

static gboolean is_automatic_name (const char *name);

static gboolean
resolve_cb (const char *name,
            guint      *var,
            gpointer    user_data)
{
  LbSqlResolver *r = user_data;
  gpointer value;

  if (r->allowed != NULL)
    value = g_hash_table_lookup (r->allowed, name);
  else
    value = g_hash_table_lookup (r->self->variable_index, name);

  if (value == NULL && r->self->open_variables && r->allowed != NULL && !is_automatic_name (name))
    {
      /* A script with \gset/\aset: the name may be a result column. */
      guint index = lb_sql_script_add_variable (r->self, name);

      value = GUINT_TO_POINTER (index + 1);
      g_hash_table_insert (r->allowed, g_strdup (name), value);
    }

  if (value == NULL)
    {
      g_free (r->failed);
      r->failed = g_strdup (name);
      return FALSE;
    }
  *var = GPOINTER_TO_UINT (value) - 1;
  return TRUE;
}

static gboolean
is_automatic_name (const char *name)
{
  g_autoptr(LbExpr) probe = lb_expr_new_automatic (name);

  return probe != NULL;
}

LbExpr *
_lb_sql_parse_expression (LbSqlParseState *st,
                          LbSqlResolver   *r,
                          gsize            start,
                          gsize            end,
                          GError         **error)
{
  g_autofree char *text = g_strndup (st->data + start, end - start);
  g_autoptr(GError) local_error = NULL;
  guint column = 1;
  LbExpr *expr;

  /* A meta-command continued with backslash-newline (as pgbench): the
   * backslash is a blank, so columns still match the file. */
  for (char *c = text; *c != '\0'; c++)
    if (*c == '\\' && (c[1] == '\n' || (c[1] == '\r' && c[2] == '\n')))
      *c = ' ';

  g_clear_pointer (&r->failed, g_free);
  expr = lb_expr_parse_at (text, resolve_cb, r, &column, &local_error);
  if (expr == NULL)
    {
      int code = LB_SQL_SCRIPT_ERROR_SYNTAX;
      guint line, base;
      const char *p = g_utf8_offset_to_pointer (text, column - 1);

      if (local_error->code == LB_EXPR_ERROR_UNDEFINED && r->failed != NULL
          && !is_automatic_name (r->failed) && *p == ':')
        code = LB_SQL_SCRIPT_ERROR_UNDEFINED_VARIABLE;
      _lb_sql_locate (st->data, start, &line, &base);
      _lb_sql_set_error_at (error, code, st->self->display_name, line, base + column - 1, "%s",
                            local_error->message);
    }
  return expr;
}

/* ---- statements ---- */

void
_lb_sql_scanned_clear (LbSqlScanned *sc)
{
  g_clear_pointer (&sc->fragments, g_ptr_array_unref);
  g_clear_pointer (&sc->found, g_array_unref);
  g_clear_pointer (&sc->sql, g_free);
}

gboolean
_lb_sql_scan_statement (LbSqlParseState      *st,
                        const LbSqlItem      *item,
                        LbSqlPlaceholderStyle style,
                        LbSqlScanned         *sc,
                        GError              **error)
{
  g_autoptr(GError) local_error = NULL;
  gsize error_offset = 0;

  sc->sql = _lb_sql_statement_text (st, item, &sc->sql_len);
  sc->fragments = g_ptr_array_new_with_free_func (g_free);
  sc->found = g_array_new (FALSE, FALSE, sizeof (LbSqlPlaceholder));
  g_array_set_clear_func (sc->found, (GDestroyNotify) _lb_sql_placeholder_clear);

  if (!_lb_sql_scan_placeholders (sc->sql, sc->sql_len, style, sc->fragments, sc->found,
                                  &error_offset, &local_error))
    return _lb_sql_fail_at (st, error, local_error->code, item->start + error_offset, "%s",
                            local_error->message);
  return TRUE;
}

LbSqlQuery *
_lb_sql_finish_query (LbSqlParseState  *st,
                      LbSqlTransaction *transaction,
                      const char       *name,
                      LbSqlScanned     *sc,
                      const guint      *vars,
                      const LbSqlItem  *item)
{
  return _lb_sql_script_add_query (st->self, transaction, name, sc->sql,
                                   g_steal_pointer (&sc->fragments),
                                   vars, sc->found->len, _lb_sql_line_of (st, item->start));
}

/* ---- NAME and WEIGHT values ---- */

gboolean
_lb_sql_parse_weight (LbSqlParseState *st,
                      const LbSqlItem *item,
                      guint           *weight,
                      GError         **error)
{
  const char *text = st->data + item->start;
  gsize n = item->end - item->start;
  guint64 value = 0;

  if (n == 0)
    return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start,
                            _("expected an integer weight >= 1 after WEIGHT:"));
  for (gsize i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (text[i]) || value > MAX_WEIGHT)
        return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start + i,
                                _("WEIGHT must be an integer from 1 to %d, not “%.*s”"),
                                MAX_WEIGHT, (int) MIN (n, 40), text);
      value = value * 10 + (text[i] - '0');
    }
  if (value < 1 || value > MAX_WEIGHT)
    return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start,
                            _("WEIGHT must be an integer from 1 to %d, not %.*s"),
                            MAX_WEIGHT, (int) MIN (n, 40), text);
  *weight = (guint) value;
  return TRUE;
}

gboolean
_lb_sql_parse_name (LbSqlParseState *st,
                    const LbSqlItem *item,
                    GHashTable      *names,
                    char           **name,
                    GError         **error)
{
  const char *text = st->data + item->start;
  gsize n = item->end - item->start;

  if (n == 0)
    return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start,
                            _("expected a query name after NAME:"));
  for (gsize i = 0; i < n; i++)
    if (g_ascii_isspace (text[i]))
      return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start + i,
                              _("a query name cannot contain spaces"));

  *name = g_strndup (text, n);
  if (g_hash_table_contains (names, *name))
    {
      _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start,
                       _("the name “%s” is already used by another query"), *name);
      g_clear_pointer (name, g_free);
      return FALSE;
    }
  return TRUE;
}

/* Variables for the placeholders of a statement; pgbench's automatic ones
 * (client_id, …) become variables set at the start of the transaction. */
gboolean
_lb_sql_resolve_placeholders (LbSqlParseState *st,
                              const LbSqlItem *item,
                              LbSqlScanned    *sc,
                              GHashTable      *allowed,
                              GArray          *autos,
                              guint           *vars,
                              GError         **error)
{
  for (guint i = 0; i < sc->found->len; i++)
    {
      LbSqlPlaceholder *p = &g_array_index (sc->found, LbSqlPlaceholder, i);
      gpointer value = g_hash_table_lookup (allowed, p->name);

      if (value != NULL)
        {
          vars[i] = GPOINTER_TO_UINT (value) - 1;
          continue;
        }
      if (is_automatic_name (p->name))
        {
          guint var = lb_sql_script_add_variable (st->self, p->name);
          gboolean known = FALSE;

          for (guint j = 0; j < autos->len; j++)
            known |= g_array_index (autos, guint, j) == var;
          if (!known)
            g_array_append_val (autos, var);
          vars[i] = var;
          continue;
        }
      return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_UNDEFINED_VARIABLE,
                              item->start + p->offset,
                              st->self->dialect == LB_SQL_DIALECT_PGBENCH
                              ? _("undefined variable :%s (set it with \\set before this statement)")
                              : _("undefined variable :%s (declare it with “-- PARAM %s = …” above the statement)"),
                              p->name, p->name);
    }
  return TRUE;
}

void
_lb_sql_add_auto_steps (LbSqlScript      *self,
                        LbSqlTransaction *transaction,
                        GArray           *autos)
{
  for (guint i = 0; i < autos->len; i++)
    {
      guint var = g_array_index (autos, guint, i);

      lb_sql_script_add_set_step (self, transaction, var,
                                  lb_expr_new_automatic (g_ptr_array_index (self->variables, var)));
    }
}

/* ---- which dialect a file is written in ---- */

/* The first word of a statement (after blanks, comments and "("), upper-cased
 * into @buf; the second one into @next when it is not NULL. */
static void
statement_keywords (const char *s,
                    gsize       len,
                    char       *buf,
                    gsize       size,
                    char       *next,
                    gsize       next_size)
{
  gsize pos = 0;
  char *out = buf;
  gsize out_size = size;

  buf[0] = '\0';
  if (next != NULL)
    next[0] = '\0';
  for (guint word = 0; word < (next != NULL ? 2u : 1u); word++)
    {
      gsize n = 0;

      for (;;)
        {
          gsize end;
          gboolean unterminated;

          while (pos < len && (g_ascii_isspace (s[pos]) || s[pos] == '('))
            pos++;
          if (pos < len && (s[pos] == '-' || s[pos] == '/')
              && _lb_sql_skip_special (s, len, pos, &end, &unterminated) != LB_SQL_SPECIAL_NONE)
            {
              pos = end;
              continue;
            }
          break;
        }
      while (pos < len && g_ascii_isalpha (s[pos]) && n + 1 < out_size)
        out[n++] = g_ascii_toupper (s[pos++]);
      out[n] = '\0';
      out = next;
      out_size = next_size;
    }
}

/* Whether a statement only makes sense in order with the others of the
 * file: transaction control, DDL, DO, session settings, locks, maintenance,
 * COPY and CALL. */
static gboolean
statement_needs_script (const char *s,
                        gsize       len)
{
  static const char * const keywords[] = {
    "BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE",
    "CREATE", "DROP", "ALTER", "TRUNCATE", "GRANT", "REVOKE", "COMMENT",
    "DO", "SET", "RESET", "LOCK", "VACUUM", "ANALYZE", "ANALYSE", "COPY", "CALL",
  };
  char first[16];
  char second[16];

  statement_keywords (s, len, first, sizeof first, second, sizeof second);
  if (g_str_equal (first, "PREPARE"))
    return g_str_equal (second, "TRANSACTION");
  for (guint i = 0; i < G_N_ELEMENTS (keywords); i++)
    if (g_str_equal (first, keywords[i]))
      return TRUE;
  return FALSE;
}

/* Whether a statement has a :name placeholder outside quotes and comments
 * (::casts are not). */
static gboolean
statement_has_colon_placeholder (const char *s,
                                 gsize       len)
{
  for (gsize i = 0; i < len; i++)
    {
      gsize end;
      gboolean unterminated;
      char c = s[i];

      if ((c == '\'' || c == '"' || c == '$' || c == '-' || c == '/')
          && _lb_sql_skip_special (s, len, i, &end, &unterminated) != LB_SQL_SPECIAL_NONE)
        {
          i = end - 1;
          continue;
        }
      if (c == ':')
        {
          if (i + 1 < len && s[i + 1] == ':')
            {
              i++;
              continue;
            }
          if (i + 1 < len && _lb_sql_is_ident_start (s[i + 1]))
            return TRUE;
        }
    }
  return FALSE;
}

/* The dialect rule, first match wins:
 *  (a) a pgbench meta-command (\set, \sleep, \if, \gset, …)  → pgbench;
 *  (b) "-- PARAMETERS:" or %s placeholders                   → web tool;
 *  (c) "-- NAME" / "-- WEIGHT" / "-- PARAM" or :name
 *      placeholders (with or without "-- EXEC_COUNT:", the
 *      web tool's unified format)                            → query mix;
 *  (d) "-- EXEC_COUNT:" alone                                → web tool;
 *  (e) plain SQL: pgbench (one transaction, in order) when a statement is
 *      transaction control, DDL, DO, SET/RESET, LOCK, VACUUM/ANALYZE, COPY
 *      or CALL, since those only work in sequence; otherwise a query mix
 *      (each statement its own weighted query).
 * lb_sql_script_new_from_data_full() can override it (LbSqlParseOptions). */
static LbSqlDialect
detect_dialect (const LbSqlParseState *st)
{
  gboolean meta = FALSE, web = FALSE, mix = FALSE, exec_count = FALSE;
  gboolean placeholders = FALSE, script_statements = FALSE;

  for (guint i = 0; i < st->items->len; i++)
    {
      const LbSqlItem *item = &g_array_index (st->items, LbSqlItem, i);
      const char *text = st->data + item->start;
      gsize n = item->end - item->start;

      switch (item->kind)
        {
        case LB_SQL_ITEM_META:
          meta = TRUE;
          break;
        case LB_SQL_ITEM_PARAMETERS:
          web = TRUE;
          break;
        case LB_SQL_ITEM_EXEC_COUNT:
          exec_count = TRUE;
          break;
        case LB_SQL_ITEM_NAME:
        case LB_SQL_ITEM_WEIGHT:
        case LB_SQL_ITEM_PARAM:
          mix = TRUE;
          break;
        case LB_SQL_ITEM_STATEMENT:
          web |= item->percent;
          if (!placeholders)
            placeholders = statement_has_colon_placeholder (text, n);
          if (!script_statements)
            script_statements = statement_needs_script (text, n);
          break;
        default:
          break;
        }
    }

  if (meta)
    return LB_SQL_DIALECT_PGBENCH;
  if (web)
    return LB_SQL_DIALECT_WEB_TOOL;
  if (mix || placeholders)
    return LB_SQL_DIALECT_QUERY_MIX;
  if (exec_count)
    return LB_SQL_DIALECT_WEB_TOOL;
  return script_statements ? LB_SQL_DIALECT_PGBENCH : LB_SQL_DIALECT_QUERY_MIX;
}

/* ---- entry points ---- */

/* With the size limit, the cap bounds what a run keeps per statement (the
 * parsed query, its counters and histograms in every worker). */
static gboolean
check_statement_count (LbSqlParseState  *st,
                       const char       *display_name,
                       GError          **error)
{
  if (st->n_statements <= LB_SQL_SCRIPT_MAX_STATEMENTS)
    return TRUE;

  g_set_error (error, LB_SQL_SCRIPT_ERROR, LB_SQL_SCRIPT_ERROR_TOO_LARGE,
               _("%s: too many statements: %u (the most is %d)"),
               display_name, st->n_statements, LB_SQL_SCRIPT_MAX_STATEMENTS);
  return FALSE;
}

/* Items a dialect's parser does not take (a forced dialect can meet them):
 * refused here with a message that names the dialect they belong to. */
static gboolean
check_items_fit (LbSqlParseState *st,
                 GError         **error)
{
  for (guint i = 0; i < st->items->len; i++)
    {
      const LbSqlItem *item = &g_array_index (st->items, LbSqlItem, i);

      if (st->self->dialect == LB_SQL_DIALECT_PGBENCH)
        return TRUE;
      if (item->kind == LB_SQL_ITEM_META)
        return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_UNKNOWN_COMMAND, item->start,
                                _("a meta-command (\\set, \\sleep, …) is only read in a pgbench script: "
                                  "choose the pgbench dialect"));
      if (st->self->dialect == LB_SQL_DIALECT_QUERY_MIX && item->kind == LB_SQL_ITEM_PARAMETERS)
        return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->at,
                                _("-- PARAMETERS: belongs to the web tool's format: choose that dialect"));
    }
  return TRUE;
}

LbSqlScript *
lb_sql_script_new_from_data (const char  *data,
                             gssize       length,
                             const char  *display_name,
                             GError     **error)
{
  return lb_sql_script_new_from_data_full (data, length, display_name, NULL, error);
}

LbSqlScript *
lb_sql_script_new_from_data_full (const char              *data,
                                  gssize                   length,
                                  const char              *display_name,
                                  const LbSqlParseOptions *options,
                                  GError                 **error)
{
  g_autoptr(LbSqlScript) self = NULL;
  g_autoptr(GArray) items = NULL;
  LbSqlParseState st = { 0 };
  gboolean ok;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (display_name == NULL)
    display_name = "script.sql";
  if (length < 0)
    length = strlen (data);

  self = lb_sql_script_new (LB_SQL_DIALECT_QUERY_MIX, display_name);

  if ((gsize) length > LB_SQL_SCRIPT_MAX_SIZE)
    {
      _lb_sql_set_error_at (error, LB_SQL_SCRIPT_ERROR_TOO_LARGE, display_name, 1, 1,
                            _("the file is %" G_GSIZE_FORMAT " MB; workload files are limited to %d MB"),
                            (gsize) length / (1024 * 1024), LB_SQL_SCRIPT_MAX_SIZE / (1024 * 1024));
      return NULL;
    }

  items = g_array_new (FALSE, FALSE, sizeof (LbSqlItem));
  st.self = self;
  st.data = data != NULL ? data : "";
  st.len = length;
  st.items = items;
  st.cursor_line = 1;
  st.defines = options != NULL ? options->defines : NULL;

  if (!_lb_sql_check_text (&st, error) || !_lb_sql_split (&st, error))
    return NULL;
  if (!check_statement_count (&st, display_name, error))
    return NULL;

  if (items->len == 0)
    {
      _lb_sql_set_error_at (error, LB_SQL_SCRIPT_ERROR_EMPTY, display_name, 1, 1,
                            _("no SQL statement in the file (it is empty or only has comments)"));
      return NULL;
    }

  self->detected_dialect = detect_dialect (&st);
  self->dialect = options != NULL && options->force_dialect ? options->dialect : self->detected_dialect;
  if (!check_items_fit (&st, error))
    return NULL;
  switch (self->dialect)
    {
    case LB_SQL_DIALECT_PGBENCH:
      ok = _lb_sql_parse_pgbench (&st, error);
      break;
    case LB_SQL_DIALECT_WEB_TOOL:
      ok = _lb_sql_parse_web_tool (&st, error);
      break;
    case LB_SQL_DIALECT_QUERY_MIX:
    default:
      ok = _lb_sql_parse_query_mix (&st, error);
      break;
    }
  if (!ok)
    return NULL;

  /* A pgbench script of only \set and \sleep runs (a transaction
   * without a statement), as in pgbench. */
  if (self->queries->len == 0 && self->dialect != LB_SQL_DIALECT_PGBENCH)
    {
      _lb_sql_set_error_at (error, LB_SQL_SCRIPT_ERROR_EMPTY, display_name, 1, 1,
                            _("no SQL statement in the file (it is empty or only has comments)"));
      return NULL;
    }

  return g_steal_pointer (&self);
}

LbSqlScript *
lb_sql_script_new_from_file (GFile   *file,
                             GError **error)
{
  return lb_sql_script_new_from_file_full (file, NULL, error);
}

LbSqlScript *
lb_sql_script_new_from_file_full (GFile                   *file,
                                  const LbSqlParseOptions *options,
                                  GError                 **error)
{
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *display_name = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  display_name = g_file_get_basename (file);
  if (display_name == NULL)
    display_name = g_file_get_parse_name (file);

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE, NULL, &local_error);
  if (info == NULL)
    {
      g_set_error (error, LB_SQL_SCRIPT_ERROR, LB_SQL_SCRIPT_ERROR_IO, "%s: %s", display_name,
                   local_error->message);
      return NULL;
    }
  if (g_file_info_get_size (info) > LB_SQL_SCRIPT_MAX_SIZE)
    {
      _lb_sql_set_error_at (error, LB_SQL_SCRIPT_ERROR_TOO_LARGE, display_name, 1, 1,
                            _("the file is %" G_GINT64_FORMAT " MB; workload files are limited to %d MB"),
                            (gint64) (g_file_info_get_size (info) / (1024 * 1024)),
                            LB_SQL_SCRIPT_MAX_SIZE / (1024 * 1024));
      return NULL;
    }

  if (!g_file_load_contents (file, NULL, &contents, &length, NULL, &local_error))
    {
      g_set_error (error, LB_SQL_SCRIPT_ERROR, LB_SQL_SCRIPT_ERROR_IO, "%s: %s", display_name,
                   local_error->message);
      return NULL;
    }

  return lb_sql_script_new_from_data_full (contents, length, display_name, options, error);
}
