/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The pgbench dialect: \set and \sleep meta-commands between statements
 * with :name placeholders; the whole file is one transaction, as pgbench
 * runs it. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-sql-lexer-private.h"
#include "lb-sql-script-private.h"

static gboolean
parse_meta (LbSqlParseState  *st,
            const LbSqlItem  *item,
            LbSqlTransaction *t,
            GHashTable       *defined,
            GError          **error)
{
  g_autofree char *line = g_strndup (st->data + item->start, item->end - item->start);
  const char *p = line + 1;
  const char *command = p;
  gsize command_len;
  LbSqlResolver r = { st->self, defined, NULL };

  /* Continuation backslashes become spaces; offsets stay the same. */
  for (char *c = line; *c != '\0'; c++)
    if (*c == '\\' && (c[1] == '\n' || (c[1] == '\r' && c[2] == '\n')) && c != line)
      *c = ' ';

  while (_lb_sql_is_ident_char (*p))
    p++;
  command_len = p - command;

  if (command_len == 3 && strncmp (command, "set", 3) == 0)
    {
      const char *name_start;
      g_autofree char *name = NULL;
      gsize expr_start;
      LbExpr *expr;
      guint var;

      while (g_ascii_isspace (*p))
        p++;
      name_start = p;
      while (_lb_sql_is_ident_char (*p))
        p++;
      if (p == name_start)
        return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start + (p - line),
                                _("expected “\\set name expression”"));
      name = g_strndup (name_start, p - name_start);
      while (g_ascii_isspace (*p))
        p++;
      if (*p == '\0')
        return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start + (p - line),
                                _("expected an expression after \\set %s"), name);
      expr_start = item->start + (p - line);
      expr = _lb_sql_parse_expression (st, &r, expr_start, item->end, error);
      g_free (r.failed);
      if (expr == NULL)
        return FALSE;
      var = lb_sql_script_add_variable (st->self, name);
      g_hash_table_insert (defined, g_steal_pointer (&name), GUINT_TO_POINTER (var + 1));
      lb_sql_script_add_set_step (st->self, t, var, expr);
      return TRUE;
    }

  if (command_len == 5 && strncmp (command, "sleep", 5) == 0)
    {
      const char *arg = p;
      const char *end = line + strlen (line);
      const char *last;
      gint64 unit = 1000000;
      LbExpr *expr;

      while (end > arg && g_ascii_isspace (end[-1]))
        end--;
      last = end;
      while (last > arg && !g_ascii_isspace (last[-1]))
        last--;
      if (last > arg)
        {
          if (end - last == 2 && strncmp (last, "us", 2) == 0)
            unit = 1, end = last;
          else if (end - last == 2 && strncmp (last, "ms", 2) == 0)
            unit = 1000, end = last;
          else if (end - last == 1 && *last == 's')
            unit = 1000000, end = last;
        }
      while (g_ascii_isspace (*arg))
        arg++;
      if (arg >= end)
        return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start + (arg - line),
                                _("expected “\\sleep number [us|ms|s]”"));
      expr = _lb_sql_parse_expression (st, &r, item->start + (arg - line),
                                       item->start + (end - line), error);
      g_free (r.failed);
      if (expr == NULL)
        return FALSE;
      lb_sql_script_add_sleep_step (st->self, t, expr, unit);
      return TRUE;
    }

  return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_UNKNOWN_COMMAND, item->start,
                          _("unknown or unsupported meta-command \\%.*s (supported: \\set, \\sleep, \\if, \\elif, "
                            "\\else, \\endif, \\gset, \\aset, \\startpipeline, \\syncpipeline, "
                            "\\endpipeline)"),
                          (int) MIN (command_len, 40), command);
}

gboolean
_lb_sql_parse_pgbench (LbSqlParseState *st,
                       GError         **error)
{
  g_autoptr(GHashTable) defined = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GArray) autos = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree guint *vars = NULL;
  guint vars_size = 0;
  LbSqlTransaction *t;
  LbSqlTransactionSlot *tr;
  guint n_auto;
  g_autoptr(LbSqlFlow) flow = _lb_sql_flow_begin (st, defined, error);

  if (flow == NULL)
    return FALSE;
  t = lb_sql_script_add_transaction (st->self, st->self->display_name, 1);

  for (guint i = 0; i < st->items->len; i++)
    {
      const LbSqlItem *item = &g_array_index (st->items, LbSqlItem, i);

      switch (item->kind)
        {
        case LB_SQL_ITEM_META:
          {
            gboolean handled = FALSE;
            guint before = t->n_steps;

            if (!_lb_sql_flow_meta (flow, item, t, defined, &handled, error))
              return FALSE;
            if (handled)
              break;
            if (!parse_meta (st, item, t, defined, error))
              return FALSE;
            /* where a runtime error of \set or \sleep points */
            for (guint k = before; k < t->n_steps; k++)
              if (t->steps[k].label == NULL)
                {
                  const LbSqlStep *step = &t->steps[k];
                  g_autofree char *label =
                    step->kind == LB_STEP_SET
                    ? g_strdup_printf ("%s:%u: \\set %s", st->self->display_name,
                                       _lb_sql_line_of (st, item->start),
                                       lb_sql_script_get_variable_name (st->self, step->var))
                    : g_strdup_printf ("%s:%u: \\sleep", st->self->display_name,
                                       _lb_sql_line_of (st, item->start));

                  t->steps[k].label = g_string_chunk_insert (st->self->query_text, label);
                }
          }
          break;

        case LB_SQL_ITEM_STATEMENT:
          {
            LbSqlScanned sc = { 0 };
            g_autofree char *query_name = NULL;
            gboolean ok;

            if (!_lb_sql_scan_statement (st, item, LB_SQL_PLACEHOLDER_COLON, &sc, error))
              {
                _lb_sql_scanned_clear (&sc);
                return FALSE;
              }
            if (sc.found->len > vars_size)
              {
                vars_size = MAX (sc.found->len, vars_size * 2);
                vars = g_renew (guint, vars, vars_size);
              }
            _lb_sql_flow_open_placeholders (flow, &sc, defined);
            ok = _lb_sql_resolve_placeholders (st, item, &sc, defined, autos, vars, error);
            if (ok)
              {
                query_name = g_strdup_printf ("%s:%u", st->self->display_name,
                                              _lb_sql_line_of (st, item->start));
                _lb_sql_finish_query (st, t, query_name, &sc, vars, item);
                _lb_sql_flow_statement (flow, t);
              }
            _lb_sql_scanned_clear (&sc);
            if (!ok)
              return FALSE;
          }
          break;

        case LB_SQL_ITEM_NAME:
        case LB_SQL_ITEM_WEIGHT:
        case LB_SQL_ITEM_PARAM:
        case LB_SQL_ITEM_PARAMETERS:
        case LB_SQL_ITEM_EXEC_COUNT:
          /* pgbench reads these as plain comments. */
          break;

        default:
          g_assert_not_reached ();
        }
    }

  if (!_lb_sql_flow_end (flow, error))
    return FALSE;

  if (st->self->queries->len == 0)
    return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_EMPTY, st->len,
                            _("the pgbench script has no SQL statement"));

  /* Automatic variables used in SQL are set first, from the client's context. */
  n_auto = autos->len;
  if (n_auto > 0)
    {
      tr = (LbSqlTransactionSlot *) t;
      _lb_sql_add_auto_steps (st->self, t, autos);
      /* _lb_sql_add_auto_steps appended them: rotate them to the front. */
      {
        LbSqlStep *moved = g_memdup2 (tr->pub.steps + tr->pub.n_steps - n_auto, sizeof (LbSqlStep) * n_auto);

        memmove (tr->pub.steps + n_auto, tr->pub.steps, sizeof (LbSqlStep) * (tr->pub.n_steps - n_auto));
        memcpy (tr->pub.steps, moved, sizeof (LbSqlStep) * n_auto);
        g_free (moved);
      }
      _lb_sql_flow_shift (t, n_auto);
    }
  return TRUE;
}
