/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The query-mix dialect: statements with "-- NAME:", "-- WEIGHT:" and
 * "-- PARAM name = expression" above them and :name placeholders; each
 * statement becomes one weighted transaction. The web tool's 2026 "unified"
 * query files are this format, with a legacy "-- EXEC_COUNT:" it ignores. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-sql-lexer-private.h"
#include "lb-sql-script-private.h"

typedef struct
{
  guint   var;
  LbExpr *expr;
} PendingParam;

static void
pending_param_clear (PendingParam *p)
{
  g_clear_pointer (&p->expr, lb_expr_free);
}

static gboolean
parse_param (LbSqlParseState *st,
             const LbSqlItem *item,
             GHashTable      *allowed,
             GArray          *params,
             GError         **error)
{
  const char *text = st->data + item->start;
  const char *end = st->data + item->end;
  const char *p = text;
  g_autofree char *name = NULL;
  LbSqlResolver r = { st->self, allowed, NULL };
  PendingParam pending;
  LbExpr *expr;

  if (p < end && *p == ':')
    p++;
  while (p < end && (*p == ' ' || *p == '\t'))
    p++;
  if (p >= end || !_lb_sql_is_ident_start (*p))
    return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, p - st->data,
                            _("expected “PARAM name = expression”"));
  text = p;
  while (p < end && _lb_sql_is_ident_char (*p))
    p++;
  name = g_strndup (text, p - text);
  while (p < end && (*p == ' ' || *p == '\t'))
    p++;
  if (p >= end || *p != '=')
    return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, p - st->data,
                            _("expected “=” after PARAM %s"), name);
  p++;
  if (g_hash_table_contains (allowed, name))
    return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, text - st->data,
                            _("PARAM %s is declared twice for this statement"), name);

  expr = _lb_sql_parse_expression (st, &r, p - st->data, item->end, error);
  g_free (r.failed);
  if (expr == NULL)
    return FALSE;

  pending.var = lb_sql_script_add_variable (st->self, name);
  pending.expr = expr;
  g_array_append_val (params, pending);
  g_hash_table_insert (allowed, g_steal_pointer (&name), GUINT_TO_POINTER (pending.var + 1));
  return TRUE;
}

gboolean
_lb_sql_parse_query_mix (LbSqlParseState *st,
                         GError         **error)
{
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) allowed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GArray) params = g_array_new (FALSE, FALSE, sizeof (PendingParam));
  g_autoptr(GArray) autos = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree char *name = NULL;
  g_autofree guint *vars = NULL;
  guint vars_size = 0;
  guint weight = 1;
  gsize first_directive = G_MAXSIZE;
  guint n_statements = 0;

  g_array_set_clear_func (params, (GDestroyNotify) pending_param_clear);

  for (guint i = 0; i < st->items->len; i++)
    {
      const LbSqlItem *item = &g_array_index (st->items, LbSqlItem, i);

      if (item->kind != LB_SQL_ITEM_STATEMENT && first_directive == G_MAXSIZE)
        first_directive = item->at;

      switch (item->kind)
        {
        case LB_SQL_ITEM_NAME:
          if (name != NULL)
            return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->at,
                                    _("a second NAME for the same statement"));
          if (!_lb_sql_parse_name (st, item, names, &name, error))
            return FALSE;
          break;

        case LB_SQL_ITEM_WEIGHT:
          if (!_lb_sql_parse_weight (st, item, &weight, error))
            return FALSE;
          break;

        case LB_SQL_ITEM_PARAM:
          if (!parse_param (st, item, allowed, params, error))
            return FALSE;
          break;

        case LB_SQL_ITEM_STATEMENT:
          {
            LbSqlScanned sc = { 0 };
            LbSqlTransaction *t;
            g_autofree char *query_name = NULL;
            gboolean ok;

            n_statements++;
            query_name = name != NULL ? g_strdup (name)
                                      : g_strdup_printf ("query_%u", st->self->queries->len + 1);
            if (name == NULL && g_hash_table_contains (names, query_name))
              return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start,
                                      _("this statement would be named “%s”, which another query uses: "
                                        "give it a NAME"), query_name);

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
            g_array_set_size (autos, 0);
            ok = _lb_sql_resolve_placeholders (st, item, &sc, allowed, autos, vars, error);
            if (ok)
              {
                t = lb_sql_script_add_transaction (st->self, query_name, weight);
                _lb_sql_add_auto_steps (st->self, t, autos);
                for (guint j = 0; j < params->len; j++)
                  {
                    PendingParam *pp = &g_array_index (params, PendingParam, j);

                    lb_sql_script_add_set_step (st->self, t, pp->var, g_steal_pointer (&pp->expr));
                  }
                _lb_sql_finish_query (st, t, query_name, &sc, vars, item);
                g_hash_table_add (names, g_steal_pointer (&query_name));
              }
            _lb_sql_scanned_clear (&sc);
            if (!ok)
              return FALSE;

            g_clear_pointer (&name, g_free);
            weight = 1;
            g_array_set_size (params, 0);
            g_hash_table_remove_all (allowed);
            first_directive = G_MAXSIZE;
          }
          break;

        case LB_SQL_ITEM_EXEC_COUNT:
          {
            /* The web tool's unified format ignores it too: its psycopg
             * runner spreads a run's total over the queries by WEIGHT. */
            guint count;

            if (!_lb_sql_parse_exec_count (st, item, &count, error))
              return FALSE;
          }
          break;

        /* Reached only when the query-mix dialect is forced. */
        case LB_SQL_ITEM_PARAMETERS:
          return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->at,
                                  _("“-- PARAMETERS:” belongs to the web tool's legacy format (%%s "
                                    "placeholders), not to a query mix: declare “-- PARAM name = …” and "
                                    "use :name"));

        case LB_SQL_ITEM_META:
          return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->at,
                                  _("a pgbench meta-command (\\set, \\sleep, …) has no place in a query "
                                    "mix: use “-- PARAM name = …” above the statement"));

        default:
          g_assert_not_reached ();
        }
    }

  if (first_directive != G_MAXSIZE)
    return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, first_directive,
                            n_statements == 0
                            ? _("a directive without a statement below it")
                            : _("a directive after the last statement: it needs a statement below it"));
  return TRUE;
}
