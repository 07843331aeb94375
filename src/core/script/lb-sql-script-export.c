/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The pgbench export: one pgbench script per transaction of an LbSqlScript
 * and the command-line arguments that run the same weighted mix. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-sql-lexer-private.h"
#include "lb-sql-script-private.h"

static char *
file_stem (const char *name)
{
  GString *s = g_string_new (NULL);
  gsize len = strlen (name);

  if (len > 4 && g_ascii_strcasecmp (name + len - 4, ".sql") == 0)
    len -= 4;
  for (gsize i = 0; i < len; i++)
    g_string_append_c (s, g_ascii_isalnum (name[i]) || name[i] == '_' || name[i] == '-' ? name[i] : '_');
  if (s->len == 0)
    g_string_append (s, "script");
  return g_string_free (s, FALSE);
}

static char *
shell_word (const char *word)
{
  for (const char *p = word; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("/._-@=:,+", *p) == NULL)
      return g_shell_quote (word);
  return g_strdup (word);
}

static gboolean
export_value (LbSqlScript   *self,
              GString       *out,
              const LbValue *value,
              guint          tuple,
              guint          column,
              GError       **error)
{
  char buf[LB_VALUE_TEXT_MAX];
  const char *text;
  gsize len;

  switch (value->type)
    {
    case LB_VALUE_INT:
      len = lb_value_to_text (value, buf, &text);
      if (value->u.integer < 0)
        g_string_append_printf (out, "(%.*s)", (int) len, text);
      else
        g_string_append_len (out, text, len);
      return TRUE;

    case LB_VALUE_DOUBLE:
      len = lb_value_to_text (value, buf, &text);
      g_string_append_c (out, '(');
      g_string_append_len (out, text, len);
      if (strpbrk (buf, ".eEIN") == NULL)
        g_string_append (out, ".0");
      g_string_append_c (out, ')');
      return TRUE;

    case LB_VALUE_BOOLEAN:
      g_string_append (out, value->u.boolean ? "true" : "false");
      return TRUE;

    case LB_VALUE_NULL:
    case LB_VALUE_STRING:
    default:
      g_set_error (error, LB_SQL_SCRIPT_ERROR, LB_SQL_SCRIPT_ERROR_PARAMETER_MISMATCH,
                   _("%s: PARAMETERS tuple %u, value %u is %s, which pgbench's \\set cannot "
                     "produce (it computes numbers and booleans only); this file cannot be "
                     "exported to pgbench"),
                   self->display_name, tuple + 1, column + 1,
                   value->type == LB_VALUE_NULL ? "null" : _("a string"));
      return FALSE;
    }
}

/* The web tool's table as \set lines: a random row (pgbench has no
 * per-client sequence), then one CASE per column. */
static gboolean
export_param_set (LbSqlScript     *self,
                  const LbSqlStep *step,
                  GString         *out,
                  GError         **error)
{
  if (step->n_tuple_vars == 0)
    return TRUE;

  g_string_append_printf (out, "\\set lb_row random(0, %u)\n", self->n_tuples - 1);
  for (guint c = 0; c < step->n_tuple_vars; c++)
    {
      g_string_append_printf (out, "\\set %s ",
                              (const char *) g_ptr_array_index (self->variables, step->tuple_vars[c]));
      if (self->n_tuples == 1)
        {
          if (!export_value (self, out, &self->tuples[c], 0, c, error))
            return FALSE;
        }
      else
        {
          g_string_append (out, "CASE");
          for (guint r = 0; r + 1 < self->n_tuples; r++)
            {
              g_string_append_printf (out, " WHEN :lb_row = %u THEN ", r);
              if (!export_value (self, out, &self->tuples[(gsize) r * self->n_columns + c], r, c, error))
                return FALSE;
            }
          g_string_append (out, " ELSE ");
          if (!export_value (self, out, &self->tuples[(gsize) (self->n_tuples - 1) * self->n_columns + c],
                             self->n_tuples - 1, c, error))
            return FALSE;
          g_string_append (out, " END");
        }
      g_string_append_c (out, '\n');
    }
  return TRUE;
}

static void
export_query (LbSqlScript      *self,
              const LbSqlQuery *query,
              GString          *out)
{
  /* Rebuilt from the fragments so every parameter is pgbench's :name. */
  for (guint i = 0; query->fragments[i] != NULL; i++)
    {
      g_string_append (out, query->fragments[i]);
      if (i < query->n_params)
        g_string_append_printf (out, ":%s",
                                (const char *) g_ptr_array_index (self->variables, query->param_vars[i]));
    }
  g_string_append (out, ";\n");
}

static gboolean
export_transaction (LbSqlScript            *self,
                    const LbSqlTransaction *t,
                    GString                *out,
                    GError                **error)
{
  const char * const *names = (const char * const *) self->variables->pdata;
  guint n_sleeps = 0;

  for (guint i = 0; i < t->n_steps; i++)
    {
      const LbSqlStep *step = &t->steps[i];
      const char *var_name;
      g_autoptr(GError) local_error = NULL;

      switch (step->kind)
        {
        case LB_STEP_SET:
          var_name = names[step->var];
          /* pgbench defines client_id & co. itself. */
          if (lb_expr_is_automatic (step->expr, var_name))
            break;
          if (!lb_expr_export_pgbench_set (step->expr, names, var_name, out, &local_error))
            {
              g_set_error (error, LB_SQL_SCRIPT_ERROR, LB_SQL_SCRIPT_ERROR_SYNTAX,
                           _("%s: parameter %s of %s cannot be exported to pgbench: %s"),
                           self->display_name, var_name, t->name, local_error->message);
              return FALSE;
            }
          break;

        case LB_STEP_SLEEP:
          {
            const char *unit = step->unit_usec == 1 ? "us" : step->unit_usec == 1000 ? "ms" : "s";
            g_autofree char *text = lb_expr_to_pgbench (step->expr, names);
            gboolean simple = text != NULL && (text[0] == ':' || g_ascii_isdigit (text[0]))
                              && strpbrk (text, " ()") == NULL;

            /* \sleep takes a number or a :variable, not an expression. */
            if (simple)
              g_string_append_printf (out, "\\sleep %s %s\n", text, unit);
            else
              {
                g_autofree char *tmp = g_strdup_printf ("lb_sleep%u", ++n_sleeps);

                if (!lb_expr_export_pgbench_set (step->expr, names, tmp, out, &local_error))
                  {
                    g_set_error (error, LB_SQL_SCRIPT_ERROR, LB_SQL_SCRIPT_ERROR_SYNTAX,
                                 _("%s: a \\sleep of %s cannot be exported to pgbench: %s"),
                                 self->display_name, t->name, local_error->message);
                    return FALSE;
                  }
                g_string_append_printf (out, "\\sleep :%s %s\n", tmp, unit);
              }
          }
          break;

        case LB_STEP_PARAM_SET:
          if (!export_param_set (self, step, out, error))
            return FALSE;
          break;

        case LB_STEP_QUERY:
          export_query (self, step->query, out);
          /* pgbench takes \gset on the line after the statement too */
          if (step->store != LB_STORE_NONE)
            g_string_append_printf (out, "%s %s\n", step->store == LB_STORE_GSET ? "\\gset" : "\\aset",
                                    step->prefix != NULL ? step->prefix : "");
          break;

        case LB_STEP_PIPELINE:
          g_string_append (out, step->pipeline == LB_PIPELINE_START ? "\\startpipeline\n" :
                                step->pipeline == LB_PIPELINE_SYNC ? "\\syncpipeline\n" :
                                "\\endpipeline\n");
          break;

        case LB_STEP_JUMP:
        case LB_STEP_JUMP_UNLESS:
        default:
          g_set_error (error, LB_SQL_SCRIPT_ERROR, LB_SQL_SCRIPT_ERROR_SYNTAX,
                       _("%s: \\if … \\endif cannot be exported (its branches are compiled); "
                         "give pgbench the original file"), self->display_name);
          return FALSE;
        }
    }
  return TRUE;
}

char *
lb_sql_script_export_pgbench (LbSqlScript *self,
                              GFile       *directory,
                              GError     **error)
{
  g_autoptr(GHashTable) used = NULL;
  g_autoptr(GString) args = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (LB_IS_SQL_SCRIPT (self), NULL);
  g_return_val_if_fail (G_IS_FILE (directory), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_make_directory_with_parents (directory, NULL, &local_error)
      && !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      g_set_error (error, LB_SQL_SCRIPT_ERROR, LB_SQL_SCRIPT_ERROR_IO, "%s", local_error->message);
      return NULL;
    }

  used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  args = g_string_new (NULL);

  for (guint i = 0; i < self->transactions->len; i++)
    {
      const LbSqlTransaction *t = g_ptr_array_index (self->transactions, i);
      g_autoptr(GString) text = g_string_new (NULL);
      g_autofree char *stem = file_stem (t->name);
      g_autofree char *basename = NULL;
      g_autofree char *path = NULL;
      g_autofree char *arg = NULL;
      g_autofree char *quoted = NULL;
      g_autoptr(GFile) file = NULL;

      for (guint n = 1; basename == NULL || g_hash_table_contains (used, basename); n++)
        {
          g_free (basename);
          basename = n == 1 ? g_strdup_printf ("%s.sql", stem) : g_strdup_printf ("%s_%u.sql", stem, n);
        }
      g_hash_table_add (used, g_strdup (basename));

      g_string_append_printf (text, "-- %s, exported from %s (weight %u)\n", t->name, self->display_name,
                              t->weight);
      if (self->dialect == LB_SQL_DIALECT_WEB_TOOL && self->n_tuples > 1)
        g_string_append (text, "-- pgbench picks a random parameter tuple where the web tool went "
                               "through them in order\n");
      if (!export_transaction (self, t, text, error))
        return NULL;

      file = g_file_get_child (directory, basename);
      if (!g_file_replace_contents (file, text->str, text->len, NULL, FALSE, G_FILE_CREATE_NONE, NULL,
                                    NULL, &local_error))
        {
          g_set_error (error, LB_SQL_SCRIPT_ERROR, LB_SQL_SCRIPT_ERROR_IO, "%s", local_error->message);
          return NULL;
        }

      path = g_file_get_path (file);
      arg = g_strdup_printf ("%s@%u", path, t->weight);
      quoted = shell_word (arg);
      if (args->len > 0)
        g_string_append_c (args, ' ');
      g_string_append_printf (args, "-f %s", quoted);
    }

  return g_string_free (g_steal_pointer (&args), FALSE);
}
