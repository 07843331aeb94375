/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The web tool's legacy dialect: one statement with %s placeholders, its
 * values in "-- PARAMETERS: [[…], …]" (a JSON array of tuples) and
 * "-- EXEC_COUNT: n"; the tuples become the script's parameter table. Also
 * the EXEC_COUNT check the query mix shares. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "lb-sql-lexer-private.h"
#include "lb-sql-script-private.h"

static gboolean
json_to_value (JsonNode *node,
               LbValue  *value)
{
  GType type;

  if (JSON_NODE_HOLDS_NULL (node))
    {
      value->type = LB_VALUE_NULL;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    {
      value->type = LB_VALUE_INT;
      value->u.integer = json_node_get_int (node);
    }
  else if (type == G_TYPE_DOUBLE)
    {
      value->type = LB_VALUE_DOUBLE;
      value->u.number = json_node_get_double (node);
    }
  else if (type == G_TYPE_BOOLEAN)
    {
      value->type = LB_VALUE_BOOLEAN;
      value->u.boolean = json_node_get_boolean (node);
    }
  else if (type == G_TYPE_STRING)
    {
      value->type = LB_VALUE_STRING;
      value->u.string = json_node_get_string (node);
    }
  else
    return FALSE;
  return TRUE;
}

gboolean
_lb_sql_parse_exec_count (LbSqlParseState *st,
                          const LbSqlItem *item,
                          guint           *count,
                          GError         **error)
{
  LbSqlItem weight_like = *item;
  g_autoptr(GError) local_error = NULL;

  if (_lb_sql_parse_weight (st, &weight_like, count, &local_error))
    return TRUE;
  return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start,
                          _("EXEC_COUNT must be an integer from 1 to %d, not “%.*s”"), MAX_WEIGHT,
                          (int) MIN (item->end - item->start, 40), st->data + item->start);
}

/* What puts this file in the legacy format, for messages: its first
 * "-- PARAMETERS:" line, %s placeholder or "-- EXEC_COUNT:" line. */
static char *
describe_legacy (LbSqlParseState *st)
{
  const LbSqlItem *parameters = NULL, *percent = NULL, *exec_count = NULL;
  guint line, column;

  for (guint i = 0; i < st->items->len; i++)
    {
      const LbSqlItem *item = &g_array_index (st->items, LbSqlItem, i);

      if (item->kind == LB_SQL_ITEM_PARAMETERS && parameters == NULL)
        parameters = item;
      else if (item->kind == LB_SQL_ITEM_STATEMENT && item->percent && percent == NULL)
        percent = item;
      else if (item->kind == LB_SQL_ITEM_EXEC_COUNT && exec_count == NULL)
        exec_count = item;
    }

  if (parameters != NULL)
    {
      _lb_sql_locate (st->data, parameters->at, &line, &column);
      return g_strdup_printf (_("“-- PARAMETERS:” on line %u"), line);
    }
  if (percent != NULL)
    {
      _lb_sql_locate (st->data, percent->start, &line, &column);
      return g_strdup_printf (_("%%s placeholders in the statement on line %u"), line);
    }
  if (exec_count != NULL && st->self->detected_dialect == LB_SQL_DIALECT_WEB_TOOL)
    {
      _lb_sql_locate (st->data, exec_count->at, &line, &column);
      return g_strdup_printf (_("“-- EXEC_COUNT:” on line %u and no WEIGHT, PARAM or NAME line"), line);
    }
  return g_strdup (_("the web tool dialect was chosen for it"));
}

static gboolean
parse_parameters (LbSqlParseState *st,
                  const LbSqlItem *item,
                  guint            n_placeholders,
                  GError         **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) json_error = NULL;
  g_autofree LbValue *values = NULL;
  JsonNode *root;
  JsonArray *rows;
  guint n_rows;

  if (!json_parser_load_from_data (parser, st->data + item->start, item->end - item->start,
                                   &json_error))
    {
      g_autofree char *text = g_strndup (st->data + item->start, item->end - item->start);

      /* The web tool's README and UI shorten their examples this way. */
      if (strstr (text, "...") != NULL || strstr (text, "…") != NULL)
        return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_BAD_JSON, item->start,
                                _("PARAMETERS has “...” in it, which shortens a list in a documentation "
                                  "example: write out every tuple, such as [[1, \"A\"], [2, \"B\"]]"));
      return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_BAD_JSON, item->start,
                            _("PARAMETERS is not valid JSON (%s); expected an array of arrays such as "
                              "[[1, \"A\"], [2, \"B\"]]"), json_error->message);
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_BAD_JSON, item->start,
                            _("PARAMETERS must be a JSON array of arrays such as [[1, \"A\"], [2, \"B\"]]"));
  rows = json_node_get_array (root);
  n_rows = json_array_get_length (rows);
  if (n_rows == 0)
    return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_BAD_JSON, item->start,
                            _("PARAMETERS has no parameter tuple"));

  /* Without %s the old web tool (SQLAlchemy text() binds) ran the statement
   * once per tuple and dropped the values: so do we. */
  values = g_new0 (LbValue, (gsize) n_rows * n_placeholders + 1);
  for (guint i = 0; i < n_rows; i++)
    {
      JsonNode *row = json_array_get_element (rows, i);
      JsonArray *tuple;
      guint n;

      if (!JSON_NODE_HOLDS_ARRAY (row))
        return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_BAD_JSON, item->start,
                                _("PARAMETERS tuple %u is not an array: expected an array of arrays"), i + 1);
      tuple = json_node_get_array (row);
      n = json_array_get_length (tuple);
      if (n_placeholders == 0)
        continue;
      if (n != n_placeholders)
        return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_PARAMETER_MISMATCH, item->start,
                                _("PARAMETERS tuple %u has %u values but the statement has %u %%s placeholders"),
                                i + 1, n, n_placeholders);
      for (guint j = 0; j < n; j++)
        if (!json_to_value (json_array_get_element (tuple, j), &values[(gsize) i * n + j]))
          return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_BAD_JSON, item->start,
                                  _("PARAMETERS tuple %u, value %u: expected a string, number, boolean or null"),
                                  i + 1, j + 1);
    }

  /* Copies the strings before the parser goes. */
  lb_sql_script_set_tuples (st->self, values, n_rows, n_placeholders);
  return TRUE;
}

gboolean
_lb_sql_parse_web_tool (LbSqlParseState *st,
                        GError         **error)
{
  const LbSqlItem *statement = NULL;
  const LbSqlItem *parameters = NULL;
  const LbSqlItem *exec_count = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree guint *vars = NULL;
  LbSqlScanned sc = { 0 };
  LbSqlTransaction *t;

  for (guint i = 0; i < st->items->len; i++)
    {
      const LbSqlItem *item = &g_array_index (st->items, LbSqlItem, i);

      switch (item->kind)
        {
        case LB_SQL_ITEM_STATEMENT:
          if (statement != NULL)
            {
              g_autofree char *why = describe_legacy (st);

              return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start,
                                      _("a file in the web tool's legacy format (this one has %s) holds "
                                        "one statement; a second one starts here"), why);
            }
          statement = item;
          break;

        case LB_SQL_ITEM_PARAMETERS:
          if (parameters != NULL)
            return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->at,
                                    _("a second PARAMETERS line"));
          parameters = item;
          break;

        case LB_SQL_ITEM_EXEC_COUNT:
          if (exec_count != NULL)
            return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->at,
                                    _("a second EXEC_COUNT line"));
          exec_count = item;
          break;

        case LB_SQL_ITEM_NAME:
          if (name != NULL)
            return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->at,
                                    _("a second NAME"));
          if (!_lb_sql_parse_name (st, item, names, &name, error))
            return FALSE;
          break;

        case LB_SQL_ITEM_WEIGHT:
        case LB_SQL_ITEM_PARAM:
          {
            g_autofree char *why = describe_legacy (st);

            return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->at,
                                    _("WEIGHT and PARAM belong to the query-mix format, but this file is "
                                      "in the web tool's legacy format (it has %s): use either "
                                      "“-- PARAMETERS:” with %%s placeholders, or “-- PARAM name = …” "
                                      "with :name placeholders"), why);
          }

        case LB_SQL_ITEM_META:
          /* Only when the web tool dialect is forced on a pgbench script. */
          return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->at,
                                  _("a pgbench meta-command (\\set, \\sleep, …) has no place in the web "
                                    "tool's format"));

        default:
          g_assert_not_reached ();
        }
    }

  if (statement == NULL)
    return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_EMPTY, st->len,
                            _("no SQL statement below the header"));

  if (exec_count != NULL)
    {
      guint count;

      if (!_lb_sql_parse_exec_count (st, exec_count, &count, error))
        return FALSE;
      lb_sql_script_set_exec_count (st->self, count);
    }

  if (!_lb_sql_scan_statement (st, statement, LB_SQL_PLACEHOLDER_PERCENT, &sc, error))
    {
      _lb_sql_scanned_clear (&sc);
      return FALSE;
    }

  if (parameters != NULL)
    {
      if (!parse_parameters (st, parameters, sc.found->len, error))
        {
          _lb_sql_scanned_clear (&sc);
          return FALSE;
        }
    }
  else if (sc.found->len > 0)
    {
      LbSqlPlaceholder *p = &g_array_index (sc.found, LbSqlPlaceholder, 0);

      _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_PARAMETER_MISMATCH,
                       statement->start + p->offset,
                       _("the statement has %u %%s placeholders but no “-- PARAMETERS: [[…]]” line gives "
                         "their values"), sc.found->len);
      _lb_sql_scanned_clear (&sc);
      return FALSE;
    }
  else
    {
      /* No parameters at all: one empty tuple, run EXEC_COUNT times. */
      LbValue none = { 0 };

      lb_sql_script_set_tuples (st->self, &none, 1, 0);
    }

  vars = g_new (guint, MAX (sc.found->len, 1));
  for (guint i = 0; i < sc.found->len; i++)
    {
      g_autofree char *var_name = g_strdup_printf ("param_%u", i + 1);

      vars[i] = lb_sql_script_add_variable (st->self, var_name);
    }

  t = lb_sql_script_add_transaction (st->self, name != NULL ? name : "query_1", 1);
  lb_sql_script_add_param_set_step (st->self, t, vars, sc.found->len);
  _lb_sql_finish_query (st, t, name, &sc, vars, statement);
  _lb_sql_scanned_clear (&sc);
  return TRUE;
}
