/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SQL script model: variables, weighted transactions made of steps, the
 * queries the load engine runs (LbSqlQuery) and the web tool's parameter
 * table. Files are read by lb-sql-script-parse.c and the dialect parsers;
 * lb-sql-script-export.c writes the model back out as pgbench scripts. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-sql-lexer-private.h"
#include "lb-sql-script-private.h"

#define DEFAULT_EXEC_COUNT 5

G_DEFINE_FINAL_TYPE (LbSqlScript, lb_sql_script, G_TYPE_OBJECT)

G_DEFINE_QUARK (lb-sql-script-error-quark, lb_sql_script_error)

/* The query's strings live in the script's query_text chunk. */
static void
query_free (LbSqlQuery *query)
{
  g_free (query->fragments);
  g_free (query->param_vars);
  g_free (query);
}

static void
transaction_free (LbSqlTransactionSlot *t)
{
  for (guint i = 0; i < t->pub.n_steps; i++)
    {
      g_clear_pointer (&t->pub.steps[i].expr, lb_expr_free);
      g_free (t->pub.steps[i].tuple_vars);
    }
  /* prefixes and labels live in the script's query_text chunk */
  g_free (t->pub.steps);
  g_free (t->pub.name);
  g_free (t);
}

static void
lb_sql_script_finalize (GObject *object)
{
  LbSqlScript *self = (LbSqlScript *) object;

  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->variables, g_ptr_array_unref);
  g_clear_pointer (&self->variable_index, g_hash_table_unref);
  g_clear_pointer (&self->transactions, g_ptr_array_unref);
  g_clear_pointer (&self->cumulative, g_array_unref);
  g_clear_pointer (&self->queries, g_ptr_array_unref);
  g_clear_pointer (&self->tuples, g_free);
  g_clear_pointer (&self->strings, g_string_chunk_free);
  g_clear_pointer (&self->query_text, g_string_chunk_free);
  g_clear_pointer (&self->initial, g_array_unref);

  G_OBJECT_CLASS (lb_sql_script_parent_class)->finalize (object);
}

static void
lb_sql_script_class_init (LbSqlScriptClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lb_sql_script_finalize;
}

static void
lb_sql_script_init (LbSqlScript *self)
{
  self->variables = g_ptr_array_new_with_free_func (g_free);
  self->variable_index = g_hash_table_new (g_str_hash, g_str_equal);
  self->transactions = g_ptr_array_new_with_free_func ((GDestroyNotify) transaction_free);
  self->cumulative = g_array_new (FALSE, FALSE, sizeof (guint));
  self->queries = g_ptr_array_new_with_free_func ((GDestroyNotify) query_free);
  self->query_text = g_string_chunk_new (64 * 1024);
  self->exec_count = DEFAULT_EXEC_COUNT;
}

gboolean
_lb_sql_set_error_at (GError     **error,
                      int          code,
                      const char  *display_name,
                      guint        line,
                      guint        column,
                      const char  *format,
                      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, LB_SQL_SCRIPT_ERROR, code, "%s:%u:%u: %s", display_name, line, column, message);
  return FALSE;
}

/* Builds the query from its pieces (takes @fragments) and adds it. */
LbSqlQuery *
_lb_sql_script_add_query (LbSqlScript      *self,
                          LbSqlTransaction *transaction,
                          const char       *name,
                          const char       *sql,
                          GPtrArray        *fragments,
                          const guint      *vars,
                          guint             n_params,
                          guint             line)
{
  LbSqlQuery *query = g_new0 (LbSqlQuery, 1);
  LbSqlStep step = { 0 };
  LbSqlTransactionSlot *t = (LbSqlTransactionSlot *) transaction;

  g_assert (fragments->len == n_params + 1);

  /* A workload may hold many statements: their text goes into one chunk
   * (no allocation each), and a statement without placeholders shares one
   * copy for what it shows, prepares and sends. */
  query->index = self->queries->len;
  if (name != NULL)
    query->name = g_string_chunk_insert (self->query_text, name);
  else
    {
      char generated[32];

      g_snprintf (generated, sizeof generated, "query_%u", self->queries->len + 1);
      query->name = g_string_chunk_insert (self->query_text, generated);
    }
  query->sql = g_string_chunk_insert (self->query_text, sql);
  query->n_params = n_params;
  query->param_vars = n_params > 0 ? g_memdup2 (vars, sizeof (guint) * n_params) : NULL;
  query->line = line;

  query->fragments = g_new (char *, n_params + 2);
  if (n_params == 0 && strcmp (g_ptr_array_index (fragments, 0), sql) == 0)
    {
      query->sql_numbered = query->sql;
      query->fragments[0] = query->sql;
    }
  else
    {
      g_autoptr(GString) numbered = g_string_sized_new (strlen (sql) + 4 * n_params);

      for (guint i = 0; i < fragments->len; i++)
        {
          query->fragments[i] = g_string_chunk_insert (self->query_text,
                                                       g_ptr_array_index (fragments, i));
          g_string_append (numbered, g_ptr_array_index (fragments, i));
          if (i < n_params)
            g_string_append_printf (numbered, "$%u", i + 1);
        }
      query->sql_numbered = g_string_chunk_insert_len (self->query_text, numbered->str,
                                                       (gssize) numbered->len);
    }
  query->fragments[n_params + 1] = NULL;
  g_ptr_array_unref (fragments);

  g_ptr_array_add (self->queries, query);

  step.kind = LB_STEP_QUERY;
  step.query = query;
  if (t->pub.n_steps == t->capacity)
    {
      t->capacity = MAX (1, t->capacity * 2);
      t->pub.steps = g_renew (LbSqlStep, t->pub.steps, t->capacity);
    }
  t->pub.steps[t->pub.n_steps++] = step;
  return query;
}

LbSqlStep *
_lb_sql_script_append_step (LbSqlScript      *self,
                            LbSqlTransaction *transaction)
{
  LbSqlStep step = { 0 };
  LbSqlTransactionSlot *t = (LbSqlTransactionSlot *) transaction;

  if (t->pub.n_steps == t->capacity)
    {
      t->capacity = MAX (1, t->capacity * 2);
      t->pub.steps = g_renew (LbSqlStep, t->pub.steps, t->capacity);
    }
  t->pub.steps[t->pub.n_steps] = step;
  return &t->pub.steps[t->pub.n_steps++];
}

const LbSqlInitialValue *
lb_sql_script_get_initial_values (LbSqlScript *self,
                                  guint       *n_values)
{
  g_return_val_if_fail (LB_IS_SQL_SCRIPT (self), NULL);

  *n_values = self->initial != NULL ? self->initial->len : 0;
  return self->initial != NULL ? (const LbSqlInitialValue *)(gpointer) self->initial->data : NULL;
}

gboolean
lb_sql_script_lookup_variable (LbSqlScript *self,
                               const char  *name,
                               guint       *var)
{
  return _lb_sql_script_lookup_variable (self, name, var);
}

guint
lb_sql_script_get_max_pipeline (LbSqlScript *self)
{
  g_return_val_if_fail (LB_IS_SQL_SCRIPT (self), 0);
  return self->max_pipeline;
}

gboolean
lb_sql_script_has_flow (LbSqlScript *self)
{
  g_return_val_if_fail (LB_IS_SQL_SCRIPT (self), FALSE);
  return self->has_flow;
}

static void
append_step (LbSqlTransaction *transaction,
             const LbSqlStep  *step)
{
  LbSqlTransactionSlot *t = (LbSqlTransactionSlot *) transaction;

  if (t->pub.n_steps == t->capacity)
    {
      t->capacity = MAX (1, t->capacity * 2);
      t->pub.steps = g_renew (LbSqlStep, t->pub.steps, t->capacity);
    }
  t->pub.steps[t->pub.n_steps++] = *step;
}

gboolean
_lb_sql_script_lookup_variable (LbSqlScript *self,
                                const char  *name,
                                guint       *var)
{
  gpointer value = g_hash_table_lookup (self->variable_index, name);

  if (value == NULL)
    return FALSE;
  *var = GPOINTER_TO_UINT (value) - 1;
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Building                                                                 */

LbSqlScript *
lb_sql_script_new (LbSqlDialect dialect,
                   const char  *display_name)
{
  LbSqlScript *self = g_object_new (LB_TYPE_SQL_SCRIPT, NULL);

  self->dialect = dialect;
  self->detected_dialect = dialect;
  self->display_name = g_strdup (display_name != NULL ? display_name : "script.sql");
  return self;
}

guint
lb_sql_script_add_variable (LbSqlScript *self,
                            const char  *name)
{
  guint var;

  g_return_val_if_fail (LB_IS_SQL_SCRIPT (self), 0);
  g_return_val_if_fail (name != NULL, 0);

  if (_lb_sql_script_lookup_variable (self, name, &var))
    return var;

  var = self->variables->len;
  g_ptr_array_add (self->variables, g_strdup (name));
  g_hash_table_insert (self->variable_index, g_ptr_array_index (self->variables, var),
                       GUINT_TO_POINTER (var + 1));
  return var;
}

LbSqlTransaction *
lb_sql_script_add_transaction (LbSqlScript *self,
                               const char  *name,
                               guint        weight)
{
  LbSqlTransactionSlot *t;
  guint total;

  g_return_val_if_fail (LB_IS_SQL_SCRIPT (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  t = g_new0 (LbSqlTransactionSlot, 1);
  t->pub.name = g_strdup (name);
  t->pub.weight = CLAMP (weight, 1, MAX_WEIGHT);
  g_ptr_array_add (self->transactions, t);

  total = lb_sql_script_get_total_weight (self) + t->pub.weight;
  g_array_append_val (self->cumulative, total);
  return &t->pub;
}

void
lb_sql_script_add_set_step (LbSqlScript      *self,
                            LbSqlTransaction *transaction,
                            guint             var,
                            LbExpr           *expr)
{
  LbSqlStep step = { 0 };

  g_return_if_fail (LB_IS_SQL_SCRIPT (self));
  g_return_if_fail (transaction != NULL);
  g_return_if_fail (var < self->variables->len);
  g_return_if_fail (expr != NULL);

  step.kind = LB_STEP_SET;
  step.var = var;
  step.expr = expr;
  append_step (transaction, &step);
}

void
lb_sql_script_add_sleep_step (LbSqlScript      *self,
                              LbSqlTransaction *transaction,
                              LbExpr           *expr,
                              gint64            unit_usec)
{
  LbSqlStep step = { 0 };

  g_return_if_fail (LB_IS_SQL_SCRIPT (self));
  g_return_if_fail (transaction != NULL);
  g_return_if_fail (expr != NULL);
  g_return_if_fail (unit_usec == 1 || unit_usec == 1000 || unit_usec == 1000000);

  step.kind = LB_STEP_SLEEP;
  step.expr = expr;
  step.unit_usec = unit_usec;
  append_step (transaction, &step);
}

/* Adds a PARAM_SET step filling @vars from the table's current tuple. */
void
lb_sql_script_add_param_set_step (LbSqlScript      *self,
                                  LbSqlTransaction *transaction,
                                  const guint      *vars,
                                  guint             n_vars)
{
  LbSqlStep step = { 0 };

  g_return_if_fail (LB_IS_SQL_SCRIPT (self));
  g_return_if_fail (transaction != NULL);
  g_return_if_fail (n_vars == 0 || vars != NULL);

  step.kind = LB_STEP_PARAM_SET;
  step.tuple_vars = g_memdup2 (vars, sizeof (guint) * MAX (n_vars, 1));
  step.n_tuple_vars = n_vars;
  append_step (transaction, &step);
}

LbSqlQuery *
lb_sql_script_add_query_step (LbSqlScript      *self,
                              LbSqlTransaction *transaction,
                              const char       *name,
                              const char       *sql,
                              guint             line,
                              GError          **error)
{
  g_autoptr(GPtrArray) fragments = NULL;
  g_autoptr(GArray) found = NULL;
  g_autofree guint *vars = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize error_offset = 0;
  gsize len;
  guint l, c;

  g_return_val_if_fail (LB_IS_SQL_SCRIPT (self), NULL);
  g_return_val_if_fail (transaction != NULL, NULL);
  g_return_val_if_fail (sql != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  len = strlen (sql);
  fragments = g_ptr_array_new_with_free_func (g_free);
  found = g_array_new (FALSE, FALSE, sizeof (LbSqlPlaceholder));
  g_array_set_clear_func (found, (GDestroyNotify) _lb_sql_placeholder_clear);

  if (!_lb_sql_scan_placeholders (sql, len, LB_SQL_PLACEHOLDER_COLON, fragments, found,
                                  &error_offset, &local_error))
    {
      _lb_sql_locate (sql, error_offset, &l, &c);
      _lb_sql_set_error_at (error, local_error->code, self->display_name, line + l - 1, c, "%s",
                            local_error->message);
      return NULL;
    }

  vars = g_new (guint, MAX (found->len, 1));
  for (guint i = 0; i < found->len; i++)
    {
      LbSqlPlaceholder *p = &g_array_index (found, LbSqlPlaceholder, i);

      if (!_lb_sql_script_lookup_variable (self, p->name, &vars[i]))
        {
          _lb_sql_locate (sql, p->offset, &l, &c);
          _lb_sql_set_error_at (error, LB_SQL_SCRIPT_ERROR_UNDEFINED_VARIABLE, self->display_name,
                                line + l - 1, c, _("undefined variable :%s"), p->name);
          return NULL;
        }
    }

  return _lb_sql_script_add_query (self, transaction, name, sql, g_steal_pointer (&fragments),
                                   vars, found->len, line);
}

/* ------------------------------------------------------------------------ */
/* Reading                                                                  */

LbSqlDialect
lb_sql_script_get_dialect (LbSqlScript *self)
{
  g_return_val_if_fail (LB_IS_SQL_SCRIPT (self), LB_SQL_DIALECT_QUERY_MIX);

  return self->dialect;
}

LbSqlDialect
lb_sql_script_get_detected_dialect (LbSqlScript *self)
{
  g_return_val_if_fail (LB_IS_SQL_SCRIPT (self), LB_SQL_DIALECT_QUERY_MIX);

  return self->detected_dialect;
}

const char *
lb_sql_script_get_display_name (LbSqlScript *self)
{
  g_return_val_if_fail (LB_IS_SQL_SCRIPT (self), NULL);

  return self->display_name;
}

guint
lb_sql_script_get_n_variables (LbSqlScript *self)
{
  g_return_val_if_fail (LB_IS_SQL_SCRIPT (self), 0);

  return self->variables->len;
}

const char *
lb_sql_script_get_variable_name (LbSqlScript *self,
                                 guint        var)
{
  g_return_val_if_fail (LB_IS_SQL_SCRIPT (self), NULL);
  g_return_val_if_fail (var < self->variables->len, NULL);

  return g_ptr_array_index (self->variables, var);
}

guint
lb_sql_script_get_n_transactions (LbSqlScript *self)
{
  g_return_val_if_fail (LB_IS_SQL_SCRIPT (self), 0);

  return self->transactions->len;
}

const LbSqlTransaction *
lb_sql_script_get_transaction (LbSqlScript *self,
                               guint        index)
{
  g_return_val_if_fail (LB_IS_SQL_SCRIPT (self), NULL);
  g_return_val_if_fail (index < self->transactions->len, NULL);

  return g_ptr_array_index (self->transactions, index);
}

guint
lb_sql_script_get_total_weight (LbSqlScript *self)
{
  g_return_val_if_fail (LB_IS_SQL_SCRIPT (self), 0);

  if (self->cumulative->len == 0)
    return 0;
  return g_array_index (self->cumulative, guint, self->cumulative->len - 1);
}

guint
lb_sql_script_get_n_queries (LbSqlScript *self)
{
  g_return_val_if_fail (LB_IS_SQL_SCRIPT (self), 0);

  return self->queries->len;
}

const LbSqlQuery *
lb_sql_script_get_query (LbSqlScript *self,
                         guint        index)
{
  g_return_val_if_fail (LB_IS_SQL_SCRIPT (self), NULL);
  g_return_val_if_fail (index < self->queries->len, NULL);

  return g_ptr_array_index (self->queries, index);
}

guint
lb_sql_script_get_n_tuples (LbSqlScript *self)
{
  g_return_val_if_fail (LB_IS_SQL_SCRIPT (self), 0);

  return self->n_tuples;
}

const LbValue *
lb_sql_script_get_tuple (LbSqlScript *self,
                         guint        index,
                         guint       *n_columns)
{
  g_return_val_if_fail (LB_IS_SQL_SCRIPT (self), NULL);
  g_return_val_if_fail (index < self->n_tuples, NULL);

  if (n_columns != NULL)
    *n_columns = self->n_columns;
  return self->tuples + (gsize) index * self->n_columns;
}

/* Sets the web tool's table: @values holds @n_tuples × @n_columns values;
 * strings are copied into the script. */
void
lb_sql_script_set_tuples (LbSqlScript   *self,
                          const LbValue *values,
                          guint          n_tuples,
                          guint          n_columns)
{
  gsize n;

  g_return_if_fail (LB_IS_SQL_SCRIPT (self));
  g_return_if_fail (values != NULL || n_tuples * n_columns == 0);

  n = (gsize) n_tuples * n_columns;
  g_clear_pointer (&self->tuples, g_free);
  if (self->strings == NULL)
    self->strings = g_string_chunk_new (1024);
  self->tuples = g_new0 (LbValue, MAX (n, 1));
  for (gsize i = 0; i < n; i++)
    {
      self->tuples[i] = values[i];
      if (values[i].type == LB_VALUE_STRING)
        self->tuples[i].u.string = g_string_chunk_insert (self->strings, values[i].u.string);
    }
  self->n_tuples = n_tuples;
  self->n_columns = n_columns;
}

void
lb_sql_script_set_exec_count (LbSqlScript *self,
                              guint        exec_count)
{
  g_return_if_fail (LB_IS_SQL_SCRIPT (self));
  g_return_if_fail (exec_count >= 1);

  self->exec_count = exec_count;
}

guint
lb_sql_script_get_exec_count (LbSqlScript *self)
{
  g_return_val_if_fail (LB_IS_SQL_SCRIPT (self), 0);

  return self->exec_count;
}

guint64
lb_sql_script_get_default_count (LbSqlScript *self)
{
  g_return_val_if_fail (LB_IS_SQL_SCRIPT (self), 0);

  if (self->dialect != LB_SQL_DIALECT_WEB_TOOL)
    return 0;
  return (guint64) self->n_tuples * self->exec_count;
}

guint
lb_sql_script_pick_transaction (LbSqlScript *self,
                                guint        draw)
{
  const guint *cumulative;
  guint lo = 0;
  guint hi;

  g_return_val_if_fail (LB_IS_SQL_SCRIPT (self), 0);
  g_return_val_if_fail (self->cumulative->len > 0, 0);

  /* The first transaction whose running total exceeds the draw. */
  cumulative = (const guint *) (gpointer) self->cumulative->data;
  hi = self->cumulative->len - 1;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (cumulative[mid] > draw)
        hi = mid;
      else
        lo = mid + 1;
    }
  return lo;
}

/* ---- dialect names ---- */

static const struct
{
  LbSqlDialect  dialect;
  const char   *id;
  const char   *label;
} dialect_names[] = {
  { LB_SQL_DIALECT_PGBENCH, "pgbench", N_("pgbench script") },
  { LB_SQL_DIALECT_QUERY_MIX, "mix", N_("query mix") },
  { LB_SQL_DIALECT_WEB_TOOL, "webtool", N_("web tool format") },
};

const char *
lb_sql_dialect_to_string (LbSqlDialect dialect)
{
  for (guint i = 0; i < G_N_ELEMENTS (dialect_names); i++)
    if (dialect_names[i].dialect == dialect)
      return dialect_names[i].id;
  g_return_val_if_reached (NULL);
}

gboolean
lb_sql_dialect_from_string (const char   *text,
                            LbSqlDialect *dialect)
{
  g_return_val_if_fail (dialect != NULL, FALSE);

  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (dialect_names); i++)
    if (g_ascii_strcasecmp (text, dialect_names[i].id) == 0)
      {
        *dialect = dialect_names[i].dialect;
        return TRUE;
      }
  return FALSE;
}

const char *
lb_sql_dialect_get_label (LbSqlDialect dialect)
{
  for (guint i = 0; i < G_N_ELEMENTS (dialect_names); i++)
    if (dialect_names[i].dialect == dialect)
      return _(dialect_names[i].label);
  g_return_val_if_reached (NULL);
}
