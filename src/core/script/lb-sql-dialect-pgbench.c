/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The pgbench dialect: \set and \sleep meta-commands between statements
 * with :name placeholders; the whole file is one transaction, as pgbench
 * runs it. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-sql-lexer-private.h"
#include "lb-sql-script-private.h"

/* pgbench refuses more :variables than this in one statement. */
#define LB_SQL_PGBENCH_MAX_PARAMS 255

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
      /* As pgbench: "\sleep N [unit]" or "\sleep :var [unit]", the unit
       * (us, ms, s; seconds by default) may touch the number ("2ms").
       * The first word is read as an expression, which also takes N and
       * :var. */
      const char *words[3];
      const char *word_end[3];
      const char *q = p;
      const char *arg_end;
      const char *unit_start = NULL;
      guint n_words = 0;
      gint64 unit = 1000000;
      LbExpr *expr;

      for (;;)
        {
          while (g_ascii_isspace (*q))
            q++;
          if (*q == '\0')
            break;
          if (n_words == G_N_ELEMENTS (words))
            return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start + (q - line),
                                    _("too many arguments in \\sleep (expected “\\sleep number [us|ms|s]”)"));
          words[n_words] = q;
          while (*q != '\0' && !g_ascii_isspace (*q))
            q++;
          word_end[n_words++] = q;
        }
      if (n_words == 0)
        return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start + (q - line),
                                _("missing argument in \\sleep (expected “\\sleep number [us|ms|s]”)"));
      if (n_words == 3)
        return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start + (words[2] - line),
                                _("too many arguments in \\sleep (expected “\\sleep number [us|ms|s]”)"));

      arg_end = word_end[0];
      if (n_words == 2)
        unit_start = words[1];
      else if (words[0][0] != ':')
        {
          /* "2ms": digits (after a sign), then the unit. */
          const char *d = words[0];

          if (*d == '+' || *d == '-')
            d++;
          if (g_ascii_isdigit (*d))
            {
              while (g_ascii_isdigit (*d))
                d++;
              if (d < word_end[0])
                {
                  unit_start = d;
                  arg_end = d;
                }
            }
        }
      if (unit_start != NULL)
        {
          const char *ue = unit_start;
          gsize ulen;

          while (*ue != '\0' && !g_ascii_isspace (*ue))
            ue++;
          ulen = ue - unit_start;
          if (ulen == 2 && g_ascii_strncasecmp (unit_start, "us", 2) == 0)
            unit = 1;
          else if (ulen == 2 && g_ascii_strncasecmp (unit_start, "ms", 2) == 0)
            unit = 1000;
          else if (ulen == 1 && g_ascii_tolower (*unit_start) == 's')
            unit = 1000000;
          else
            return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start + (unit_start - line),
                                    _("unrecognized time unit “%.*s” in \\sleep, must be us, ms or s"),
                                    (int) MIN (ulen, 40), unit_start);
        }
      expr = _lb_sql_parse_expression (st, &r, item->start + (words[0] - line),
                                       item->start + (arg_end - line), error);
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
            /* pgbench's limit (its MAX_ARGS); it applies it in extended and
             * prepared mode, we whatever the protocol, which is chosen later. */
            if (sc.found->len > LB_SQL_PGBENCH_MAX_PARAMS)
              {
                _lb_sql_scanned_clear (&sc);
                return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start,
                                        _("statement has too many arguments (maximum is %d): "
                                          "pgbench sends at most %d :variables per statement"),
                                        LB_SQL_PGBENCH_MAX_PARAMS, LB_SQL_PGBENCH_MAX_PARAMS);
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

  /* Only \set and \sleep is a script pgbench runs; nothing at all is not. */
  if (t->n_steps == 0)
    return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_EMPTY, st->len,
                            _("empty command list: the pgbench script has no SQL statement, "
                              "\\set or \\sleep"));

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
