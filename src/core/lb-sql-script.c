/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "lb-sql-script.h"

#define MAX_WEIGHT 1000000
#define DEFAULT_EXEC_COUNT 5

/* The public struct first, so the returned pointer is the wrapper too. */
typedef struct
{
  LbSqlTransaction  pub;
  guint             capacity;
} Transaction;

struct _LbSqlScript
{
  GObject        parent_instance;

  LbSqlDialect   dialect;
  char          *display_name;

  GPtrArray     *variables;        /* char *, by index */
  GHashTable    *variable_index;   /* name → GUINT_TO_POINTER (index + 1) */

  GPtrArray     *transactions;     /* Transaction * */
  GArray        *cumulative;       /* guint: running total of weights, per transaction */
  GPtrArray     *queries;          /* LbSqlQuery * */

  /* The web tool's parameter table. */
  LbValue       *tuples;
  guint          n_tuples;
  guint          n_columns;
  GStringChunk  *strings;
  guint          exec_count;
};

G_DEFINE_FINAL_TYPE (LbSqlScript, lb_sql_script, G_TYPE_OBJECT)

G_DEFINE_QUARK (lb-sql-script-error-quark, lb_sql_script_error)

static void
query_free (LbSqlQuery *query)
{
  g_free (query->name);
  g_free (query->sql);
  g_free (query->sql_numbered);
  g_strfreev (query->fragments);
  g_free (query->param_vars);
  g_free (query);
}

static void
transaction_free (Transaction *t)
{
  for (guint i = 0; i < t->pub.n_steps; i++)
    {
      g_clear_pointer (&t->pub.steps[i].expr, lb_expr_free);
      g_free (t->pub.steps[i].tuple_vars);
    }
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
  self->exec_count = DEFAULT_EXEC_COUNT;
}

/* ------------------------------------------------------------------------ */
/* Positions                                                                */

/* Line and column (1-based, column in characters) of @offset in @data. */
static void
locate (const char *data,
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

static gboolean set_error_at (GError **error, int code, const char *display_name, guint line,
                              guint column, const char *format, ...) G_GNUC_PRINTF (6, 7);

static gboolean
set_error_at (GError     **error,
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

/* ------------------------------------------------------------------------ */
/* SQL lexing shared by the splitter and the placeholder scanner            */

typedef enum
{
  SPECIAL_NONE,
  SPECIAL_STRING,
  SPECIAL_ESTRING,
  SPECIAL_IDENTIFIER,
  SPECIAL_DOLLAR,
  SPECIAL_LINE_COMMENT,
  SPECIAL_BLOCK_COMMENT,
} SpecialKind;

static inline gboolean
is_ident_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || (guchar) c >= 0x80;
}

static inline gboolean
is_ident_start (char c)
{
  return g_ascii_isalpha (c) || c == '_' || (guchar) c >= 0x80;
}

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
static SpecialKind
skip_special (const char *s,
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
                         && (pos < 2 || !is_ident_char (s[pos - 2]));
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
      return escapes ? SPECIAL_ESTRING : SPECIAL_STRING;
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
      return SPECIAL_IDENTIFIER;
    }

  if (c == '$' && (pos == 0 || (!is_ident_char (s[pos - 1]) && s[pos - 1] != '$')))
    {
      gsize i = pos + 1;

      if (i < len && is_ident_start (s[i]))
        while (i < len && is_ident_char (s[i]))
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
          return SPECIAL_DOLLAR;
        }
      return SPECIAL_NONE;
    }

  if (c == '-' && pos + 1 < len && s[pos + 1] == '-')
    {
      const char *nl = memchr (s + pos, '\n', len - pos);

      *end = nl != NULL ? (gsize) (nl - s) : len;
      return SPECIAL_LINE_COMMENT;
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
      return SPECIAL_BLOCK_COMMENT;
    }

  return SPECIAL_NONE;
}

static const char *
describe_special (SpecialKind kind)
{
  switch (kind)
    {
    case SPECIAL_STRING:
      return _("unterminated quoted string");
    case SPECIAL_ESTRING:
      return _("unterminated E'…' string");
    case SPECIAL_IDENTIFIER:
      return _("unterminated quoted identifier");
    case SPECIAL_DOLLAR:
      return _("unterminated dollar-quoted string");
    case SPECIAL_BLOCK_COMMENT:
      return _("unterminated /* comment");
    case SPECIAL_LINE_COMMENT:
    case SPECIAL_NONE:
    default:
      return _("unterminated text");
    }
}

/* ------------------------------------------------------------------------ */
/* Placeholders                                                             */

typedef enum
{
  PLACEHOLDER_COLON,     /* :name; ::casts are kept */
  PLACEHOLDER_PERCENT,   /* %s; %% is a literal % (the web tool was Python DB-API) */
} PlaceholderStyle;

typedef struct
{
  char  *name;           /* PLACEHOLDER_COLON */
  gsize  offset;         /* in the statement */
} Placeholder;

static void
placeholder_clear (Placeholder *p)
{
  g_free (p->name);
}

/* Splits @sql around its placeholders: fragments gets n + 1 pieces, found
 * gets n Placeholders. On error, *error_offset is where it happened. */
static gboolean
scan_placeholders (const char        *sql,
                   gsize              len,
                   PlaceholderStyle   style,
                   GPtrArray         *fragments,
                   GArray            *found,
                   gsize             *error_offset,
                   GError           **error)
{
  g_autoptr(GString) piece = g_string_sized_new (len + 1);
  gsize i = 0;

  while (i < len)
    {
      char c = sql[i];
      gsize end;
      gboolean unterminated;
      SpecialKind kind;

      if (c == '\'' || c == '"' || c == '$' || c == '-' || c == '/')
        {
          kind = skip_special (sql, len, i, &end, &unterminated);
          if (kind != SPECIAL_NONE)
            {
              if (unterminated)
                {
                  *error_offset = i;
                  g_set_error_literal (error, LB_SQL_SCRIPT_ERROR, LB_SQL_SCRIPT_ERROR_UNTERMINATED,
                                       describe_special (kind));
                  return FALSE;
                }
              if (style == PLACEHOLDER_PERCENT && kind != SPECIAL_LINE_COMMENT
                  && kind != SPECIAL_BLOCK_COMMENT)
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

      if (style == PLACEHOLDER_COLON && c == ':')
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
          if (i + 1 < len && is_ident_start (sql[i + 1]) && (i == 0 || sql[i - 1] != ':'))
            {
              Placeholder p;
              gsize j = i + 1;

              while (j < len && is_ident_char (sql[j]))
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

      if (style == PLACEHOLDER_PERCENT && c == '%' && i + 1 < len)
        {
          if (sql[i + 1] == 's')
            {
              Placeholder p = { NULL, i };

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

/* Builds the query from its pieces (takes @fragments) and adds it. */
static LbSqlQuery *
add_query (LbSqlScript      *self,
           LbSqlTransaction *transaction,
           const char       *name,
           const char       *sql,
           GPtrArray        *fragments,
           const guint      *vars,
           guint             n_params,
           guint             line)
{
  LbSqlQuery *query = g_new0 (LbSqlQuery, 1);
  GString *numbered;
  LbSqlStep step = { 0 };
  Transaction *t = (Transaction *) transaction;

  g_assert (fragments->len == n_params + 1);

  query->index = self->queries->len;
  query->name = name != NULL ? g_strdup (name) : g_strdup_printf ("query_%u", self->queries->len + 1);
  query->sql = g_strdup (sql);
  query->n_params = n_params;
  query->param_vars = g_memdup2 (vars, sizeof (guint) * MAX (n_params, 1));
  query->line = line;

  numbered = g_string_sized_new (strlen (sql) + 4 * n_params);
  for (guint i = 0; i < fragments->len; i++)
    {
      g_string_append (numbered, g_ptr_array_index (fragments, i));
      if (i < n_params)
        g_string_append_printf (numbered, "$%u", i + 1);
    }
  query->sql_numbered = g_string_free (numbered, FALSE);

  g_ptr_array_add (fragments, NULL);
  query->fragments = (char **) g_ptr_array_free (fragments, FALSE);

  g_ptr_array_add (self->queries, query);

  step.kind = LB_STEP_QUERY;
  step.query = query;
  if (t->pub.n_steps == t->capacity)
    {
      t->capacity = MAX (4, t->capacity * 2);
      t->pub.steps = g_renew (LbSqlStep, t->pub.steps, t->capacity);
    }
  t->pub.steps[t->pub.n_steps++] = step;
  return query;
}

static void
append_step (LbSqlTransaction *transaction,
             const LbSqlStep  *step)
{
  Transaction *t = (Transaction *) transaction;

  if (t->pub.n_steps == t->capacity)
    {
      t->capacity = MAX (4, t->capacity * 2);
      t->pub.steps = g_renew (LbSqlStep, t->pub.steps, t->capacity);
    }
  t->pub.steps[t->pub.n_steps++] = *step;
}

static gboolean
lookup_variable (LbSqlScript *self,
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
lb_sql_script_new (LbSqlDialect  dialect,
                   const char   *display_name)
{
  LbSqlScript *self = g_object_new (LB_TYPE_SQL_SCRIPT, NULL);

  self->dialect = dialect;
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

  if (lookup_variable (self, name, &var))
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
  Transaction *t;
  guint total;

  g_return_val_if_fail (LB_IS_SQL_SCRIPT (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  t = g_new0 (Transaction, 1);
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
lb_sql_script_add_query_step (LbSqlScript       *self,
                              LbSqlTransaction  *transaction,
                              const char        *name,
                              const char        *sql,
                              guint              line,
                              GError           **error)
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
  found = g_array_new (FALSE, FALSE, sizeof (Placeholder));
  g_array_set_clear_func (found, (GDestroyNotify) placeholder_clear);

  if (!scan_placeholders (sql, len, PLACEHOLDER_COLON, fragments, found, &error_offset, &local_error))
    {
      locate (sql, error_offset, &l, &c);
      set_error_at (error, local_error->code, self->display_name, line + l - 1, c, "%s",
                    local_error->message);
      return NULL;
    }

  vars = g_new (guint, MAX (found->len, 1));
  for (guint i = 0; i < found->len; i++)
    {
      Placeholder *p = &g_array_index (found, Placeholder, i);

      if (!lookup_variable (self, p->name, &vars[i]))
        {
          locate (sql, p->offset, &l, &c);
          set_error_at (error, LB_SQL_SCRIPT_ERROR_UNDEFINED_VARIABLE, self->display_name,
                        line + l - 1, c, _("undefined variable :%s"), p->name);
          return NULL;
        }
    }

  return add_query (self, transaction, name, sql, g_steal_pointer (&fragments), vars, found->len, line);
}

/* ------------------------------------------------------------------------ */
/* Reading                                                                  */

LbSqlDialect
lb_sql_script_get_dialect (LbSqlScript *self)
{
  g_return_val_if_fail (LB_IS_SQL_SCRIPT (self), LB_SQL_DIALECT_QUERY_MIX);

  return self->dialect;
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


/* ------------------------------------------------------------------------ */
/* Parsing files                                                            */

typedef enum
{
  ITEM_STATEMENT,
  ITEM_META,          /* a pgbench backslash command, continuation lines joined */
  ITEM_NAME,
  ITEM_WEIGHT,
  ITEM_PARAM,
  ITEM_PARAMETERS,
  ITEM_EXEC_COUNT,
} ItemKind;

typedef struct
{
  ItemKind kind;
  gsize    start;       /* the statement, or the directive's value / the command */
  gsize    end;
  gsize    at;          /* where the line or statement begins, for messages */
  gboolean percent;     /* statement: has %s outside quotes and comments */
} Item;

typedef struct
{
  LbSqlScript *self;
  const char  *data;
  gsize        len;
  GArray      *items;
  /* Running position for statement lines, so locating them stays linear. */
  gsize        cursor_offset;
  guint        cursor_line;
} ParseState;

static gboolean fail_at (ParseState *st, GError **error, int code, gsize offset,
                         const char *format, ...) G_GNUC_PRINTF (5, 6);

static gboolean
fail_at (ParseState  *st,
         GError     **error,
         int          code,
         gsize        offset,
         const char  *format,
         ...)
{
  g_autofree char *message = NULL;
  guint line, column;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  locate (st->data, offset, &line, &column);
  g_set_error (error, LB_SQL_SCRIPT_ERROR, code, "%s:%u:%u: %s",
               st->self->display_name, line, column, message);
  return FALSE;
}

static guint
line_of (ParseState *st,
         gsize       offset)
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

static gboolean
check_text (ParseState  *st,
            GError     **error)
{
  const char *nul = memchr (st->data, '\0', st->len);
  const char *bad = NULL;

  if (nul != NULL)
    return fail_at (st, error, LB_SQL_SCRIPT_ERROR_BINARY, nul - st->data,
                    _("NUL byte at offset %" G_GSIZE_FORMAT ": this is a binary file, not SQL text"),
                    (gsize) (nul - st->data));
  if (!g_utf8_validate (st->data, st->len, &bad))
    {
      guint line, column;

      /* locate() counts bytes on a line that is not valid UTF-8. */
      locate (st->data, bad - st->data, &line, &column);
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
add_item (ParseState *st,
          ItemKind    kind,
          gsize       start,
          gsize       end,
          gsize       at)
{
  Item item = { kind, start, end, at, FALSE };

  g_array_append_val (st->items, item);
}

/* A "--" comment between statements: remember it when it is a directive. */
static void
scan_comment (ParseState *st,
              gsize       start,
              gsize       end)
{
  const char *p = st->data + start + 2;
  const char *e = st->data + end;
  const char *value;

  while (e > p && g_ascii_isspace (e[-1]))
    e--;

  if (match_directive (p, e, "NAME", TRUE, &value))
    add_item (st, ITEM_NAME, value - st->data, e - st->data, start);
  else if (match_directive (p, e, "WEIGHT", TRUE, &value))
    add_item (st, ITEM_WEIGHT, value - st->data, e - st->data, start);
  else if (match_directive (p, e, "PARAMETERS", TRUE, &value))
    add_item (st, ITEM_PARAMETERS, value - st->data, e - st->data, start);
  else if (match_directive (p, e, "EXEC_COUNT", TRUE, &value))
    add_item (st, ITEM_EXEC_COUNT, value - st->data, e - st->data, start);
  else if (match_directive (p, e, "PARAM", FALSE, &value))
    {
      const char *q = value;

      /* "-- PARAM name = …" or "-- PARAM: …"; "-- param values are…" is prose. */
      while (q < e && is_ident_char (*q))
        q++;
      while (q < e && (*q == ' ' || *q == '\t'))
        q++;
      if ((q < e && *q == '=') || p[strspn (p, " \t") + 5] == ':')
        add_item (st, ITEM_PARAM, value - st->data, e - st->data, start);
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
static gboolean
split (ParseState  *st,
       GError     **error)
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
      SpecialKind kind;

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
              add_item (st, ITEM_META, pos, e, pos);
              pos = e;
              continue;
            }
          if (c == '-' || c == '/')
            {
              kind = skip_special (s, len, pos, &end, &unterminated);
              if (kind == SPECIAL_LINE_COMMENT)
                {
                  scan_comment (st, pos, end);
                  pos = end;
                  continue;
                }
              if (kind == SPECIAL_BLOCK_COMMENT)
                {
                  if (unterminated)
                    return fail_at (st, error, LB_SQL_SCRIPT_ERROR_UNTERMINATED, pos,
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
          kind = skip_special (s, len, pos, &end, &unterminated);
          if (kind == SPECIAL_NONE)
            {
              pos++;
              continue;
            }
          if (unterminated)
            {
              const char *what;

              switch (kind)
                {
                case SPECIAL_STRING:
                case SPECIAL_ESTRING:
                  what = _("unterminated quoted string (it starts here; a quote inside a string is written '')");
                  break;
                case SPECIAL_IDENTIFIER:
                  what = _("unterminated quoted identifier (it starts here)");
                  break;
                case SPECIAL_DOLLAR:
                  what = _("unterminated dollar-quoted string (it starts here)");
                  break;
                case SPECIAL_BLOCK_COMMENT:
                  what = _("unterminated /* comment (it starts here)");
                  break;
                case SPECIAL_LINE_COMMENT:
                case SPECIAL_NONE:
                default:
                  what = describe_special (kind);
                  break;
                }
              return fail_at (st, error, LB_SQL_SCRIPT_ERROR_UNTERMINATED, pos, "%s", what);
            }
          pos = end;
          continue;

        case ';':
          {
            Item item = { ITEM_STATEMENT, stmt, pos, stmt, percent };

            g_array_append_val (st->items, item);
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
          if (at_line_start (s, pos))
            {
              guint line, column;

              locate (s, stmt, &line, &column);
              return fail_at (st, error, LB_SQL_SCRIPT_ERROR_UNTERMINATED, pos,
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
      Item item = { ITEM_STATEMENT, stmt, len, stmt, percent };

      /* pgbench and psql accept a last statement without ";". */
      g_array_append_val (st->items, item);
    }
  return TRUE;
}

/* The statement text without trailing blanks. */
static char *
statement_text (ParseState *st,
                const Item *item,
                gsize      *len)
{
  gsize end = item->end;

  while (end > item->start && g_ascii_isspace (st->data[end - 1]))
    end--;
  *len = end - item->start;
  return g_strndup (st->data + item->start, *len);
}

/* ---- PARAM and \set expressions ---- */

typedef struct
{
  LbSqlScript *self;
  GHashTable  *allowed;     /* name → var + 1; NULL: any script variable */
  char        *failed;      /* the last name not found */
} Resolver;

static gboolean
resolve_cb (const char *name,
            guint      *var,
            gpointer    user_data)
{
  Resolver *r = user_data;
  gpointer value;

  if (r->allowed != NULL)
    value = g_hash_table_lookup (r->allowed, name);
  else
    value = g_hash_table_lookup (r->self->variable_index, name);

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

static LbExpr *
parse_expression (ParseState  *st,
                  Resolver    *r,
                  gsize        start,
                  gsize        end,
                  GError     **error)
{
  g_autofree char *text = g_strndup (st->data + start, end - start);
  g_autoptr(GError) local_error = NULL;
  guint column = 1;
  LbExpr *expr;

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
      locate (st->data, start, &line, &base);
      set_error_at (error, code, st->self->display_name, line, base + column - 1, "%s",
                    local_error->message);
    }
  return expr;
}

/* ---- statements ---- */

typedef struct
{
  GPtrArray *fragments;
  GArray    *found;
  char      *sql;
  gsize      sql_len;
} Scanned;

static void
scanned_clear (Scanned *sc)
{
  g_clear_pointer (&sc->fragments, g_ptr_array_unref);
  g_clear_pointer (&sc->found, g_array_unref);
  g_clear_pointer (&sc->sql, g_free);
}

static gboolean
scan_statement (ParseState        *st,
                const Item        *item,
                PlaceholderStyle   style,
                Scanned           *sc,
                GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  gsize error_offset = 0;

  sc->sql = statement_text (st, item, &sc->sql_len);
  sc->fragments = g_ptr_array_new_with_free_func (g_free);
  sc->found = g_array_new (FALSE, FALSE, sizeof (Placeholder));
  g_array_set_clear_func (sc->found, (GDestroyNotify) placeholder_clear);

  if (!scan_placeholders (sc->sql, sc->sql_len, style, sc->fragments, sc->found, &error_offset,
                          &local_error))
    return fail_at (st, error, local_error->code, item->start + error_offset, "%s",
                    local_error->message);
  return TRUE;
}

static LbSqlQuery *
finish_query (ParseState       *st,
              LbSqlTransaction *transaction,
              const char       *name,
              Scanned          *sc,
              const guint      *vars,
              const Item       *item)
{
  return add_query (st->self, transaction, name, sc->sql, g_steal_pointer (&sc->fragments),
                    vars, sc->found->len, line_of (st, item->start));
}

/* ---- query mix ---- */

static gboolean
parse_weight (ParseState  *st,
              const Item  *item,
              guint       *weight,
              GError     **error)
{
  const char *text = st->data + item->start;
  gsize n = item->end - item->start;
  guint64 value = 0;

  if (n == 0)
    return fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start,
                    _("expected an integer weight >= 1 after WEIGHT:"));
  for (gsize i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (text[i]) || value > MAX_WEIGHT)
        return fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start + i,
                        _("WEIGHT must be an integer from 1 to %d, not “%.*s”"),
                        MAX_WEIGHT, (int) MIN (n, 40), text);
      value = value * 10 + (text[i] - '0');
    }
  if (value < 1 || value > MAX_WEIGHT)
    return fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start,
                    _("WEIGHT must be an integer from 1 to %d, not %.*s"),
                    MAX_WEIGHT, (int) MIN (n, 40), text);
  *weight = (guint) value;
  return TRUE;
}

static gboolean
parse_name (ParseState  *st,
            const Item  *item,
            GHashTable  *names,
            char       **name,
            GError     **error)
{
  const char *text = st->data + item->start;
  gsize n = item->end - item->start;

  if (n == 0)
    return fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start,
                    _("expected a query name after NAME:"));
  for (gsize i = 0; i < n; i++)
    if (g_ascii_isspace (text[i]))
      return fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start + i,
                      _("a query name cannot contain spaces"));

  *name = g_strndup (text, n);
  if (g_hash_table_contains (names, *name))
    {
      fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start,
               _("the name “%s” is already used by another query"), *name);
      g_clear_pointer (name, g_free);
      return FALSE;
    }
  return TRUE;
}

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
parse_param (ParseState  *st,
             const Item  *item,
             GHashTable  *allowed,
             GArray      *params,
             GError     **error)
{
  const char *text = st->data + item->start;
  const char *end = st->data + item->end;
  const char *p = text;
  g_autofree char *name = NULL;
  Resolver r = { st->self, allowed, NULL };
  PendingParam pending;
  LbExpr *expr;

  if (p < end && *p == ':')
    p++;
  while (p < end && (*p == ' ' || *p == '\t'))
    p++;
  if (p >= end || !is_ident_start (*p))
    return fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, p - st->data,
                    _("expected “PARAM name = expression”"));
  text = p;
  while (p < end && is_ident_char (*p))
    p++;
  name = g_strndup (text, p - text);
  while (p < end && (*p == ' ' || *p == '\t'))
    p++;
  if (p >= end || *p != '=')
    return fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, p - st->data,
                    _("expected “=” after PARAM %s"), name);
  p++;
  if (g_hash_table_contains (allowed, name))
    return fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, text - st->data,
                    _("PARAM %s is declared twice for this statement"), name);

  expr = parse_expression (st, &r, p - st->data, item->end, error);
  g_free (r.failed);
  if (expr == NULL)
    return FALSE;

  pending.var = lb_sql_script_add_variable (st->self, name);
  pending.expr = expr;
  g_array_append_val (params, pending);
  g_hash_table_insert (allowed, g_steal_pointer (&name), GUINT_TO_POINTER (pending.var + 1));
  return TRUE;
}

/* Variables for the placeholders of a statement; pgbench's automatic ones
 * (client_id, …) become variables set at the start of the transaction. */
static gboolean
resolve_placeholders (ParseState  *st,
                      const Item  *item,
                      Scanned     *sc,
                      GHashTable  *allowed,
                      GArray      *autos,
                      guint       *vars,
                      GError     **error)
{
  for (guint i = 0; i < sc->found->len; i++)
    {
      Placeholder *p = &g_array_index (sc->found, Placeholder, i);
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
      return fail_at (st, error, LB_SQL_SCRIPT_ERROR_UNDEFINED_VARIABLE, item->start + p->offset,
                      st->self->dialect == LB_SQL_DIALECT_PGBENCH
                      ? _("undefined variable :%s (set it with \\set before this statement)")
                      : _("undefined variable :%s (declare it with “-- PARAM %s = …” above the statement)"),
                      p->name, p->name);
    }
  return TRUE;
}

static void
add_auto_steps (LbSqlScript      *self,
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

static gboolean
parse_query_mix (ParseState  *st,
                 GError     **error)
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
      const Item *item = &g_array_index (st->items, Item, i);

      if (item->kind != ITEM_STATEMENT && first_directive == G_MAXSIZE)
        first_directive = item->at;

      switch (item->kind)
        {
        case ITEM_NAME:
          if (name != NULL)
            return fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->at,
                            _("a second NAME for the same statement"));
          if (!parse_name (st, item, names, &name, error))
            return FALSE;
          break;

        case ITEM_WEIGHT:
          if (!parse_weight (st, item, &weight, error))
            return FALSE;
          break;

        case ITEM_PARAM:
          if (!parse_param (st, item, allowed, params, error))
            return FALSE;
          break;

        case ITEM_STATEMENT:
          {
            Scanned sc = { 0 };
            LbSqlTransaction *t;
            g_autofree char *query_name = NULL;
            gboolean ok;

            n_statements++;
            query_name = name != NULL ? g_strdup (name)
                                      : g_strdup_printf ("query_%u", st->self->queries->len + 1);
            if (name == NULL && g_hash_table_contains (names, query_name))
              return fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start,
                              _("this statement would be named “%s”, which another query uses: "
                                "give it a NAME"), query_name);

            if (!scan_statement (st, item, PLACEHOLDER_COLON, &sc, error))
              {
                scanned_clear (&sc);
                return FALSE;
              }
            if (sc.found->len > vars_size)
              {
                vars_size = MAX (sc.found->len, vars_size * 2);
                vars = g_renew (guint, vars, vars_size);
              }
            g_array_set_size (autos, 0);
            ok = resolve_placeholders (st, item, &sc, allowed, autos, vars, error);
            if (ok)
              {
                t = lb_sql_script_add_transaction (st->self, query_name, weight);
                add_auto_steps (st->self, t, autos);
                for (guint j = 0; j < params->len; j++)
                  {
                    PendingParam *pp = &g_array_index (params, PendingParam, j);

                    lb_sql_script_add_set_step (st->self, t, pp->var, g_steal_pointer (&pp->expr));
                  }
                finish_query (st, t, query_name, &sc, vars, item);
                g_hash_table_add (names, g_steal_pointer (&query_name));
              }
            scanned_clear (&sc);
            if (!ok)
              return FALSE;

            g_clear_pointer (&name, g_free);
            weight = 1;
            g_array_set_size (params, 0);
            g_hash_table_remove_all (allowed);
            first_directive = G_MAXSIZE;
          }
          break;

        case ITEM_META:
        case ITEM_PARAMETERS:
        case ITEM_EXEC_COUNT:
        default:
          g_assert_not_reached ();
        }
    }

  if (first_directive != G_MAXSIZE)
    return fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, first_directive,
                    n_statements == 0
                    ? _("a directive without a statement below it")
                    : _("a directive after the last statement: it needs a statement below it"));
  return TRUE;
}

/* ---- the web tool ---- */

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

static gboolean
parse_parameters (ParseState  *st,
                  const Item  *item,
                  guint        n_placeholders,
                  GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) json_error = NULL;
  g_autofree LbValue *values = NULL;
  JsonNode *root;
  JsonArray *rows;
  guint n_rows;

  if (!json_parser_load_from_data (parser, st->data + item->start, item->end - item->start,
                                   &json_error))
    return fail_at (st, error, LB_SQL_SCRIPT_ERROR_BAD_JSON, item->start,
                    _("PARAMETERS is not valid JSON (%s); expected an array of arrays such as "
                      "[[1, \"A\"], [2, \"B\"]]"), json_error->message);

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    return fail_at (st, error, LB_SQL_SCRIPT_ERROR_BAD_JSON, item->start,
                    _("PARAMETERS must be a JSON array of arrays such as [[1, \"A\"], [2, \"B\"]]"));
  rows = json_node_get_array (root);
  n_rows = json_array_get_length (rows);
  if (n_rows == 0)
    return fail_at (st, error, LB_SQL_SCRIPT_ERROR_BAD_JSON, item->start,
                    _("PARAMETERS has no parameter tuple"));

  values = g_new0 (LbValue, (gsize) n_rows * n_placeholders + 1);
  for (guint i = 0; i < n_rows; i++)
    {
      JsonNode *row = json_array_get_element (rows, i);
      JsonArray *tuple;
      guint n;

      if (!JSON_NODE_HOLDS_ARRAY (row))
        return fail_at (st, error, LB_SQL_SCRIPT_ERROR_BAD_JSON, item->start,
                        _("PARAMETERS tuple %u is not an array: expected an array of arrays"), i + 1);
      tuple = json_node_get_array (row);
      n = json_array_get_length (tuple);
      if (n != n_placeholders)
        return fail_at (st, error, LB_SQL_SCRIPT_ERROR_PARAMETER_MISMATCH, item->start,
                        _("PARAMETERS tuple %u has %u values but the statement has %u %%s placeholders"),
                        i + 1, n, n_placeholders);
      for (guint j = 0; j < n; j++)
        if (!json_to_value (json_array_get_element (tuple, j), &values[(gsize) i * n + j]))
          return fail_at (st, error, LB_SQL_SCRIPT_ERROR_BAD_JSON, item->start,
                          _("PARAMETERS tuple %u, value %u: expected a string, number, boolean or null"),
                          i + 1, j + 1);
    }

  /* Copies the strings before the parser goes. */
  lb_sql_script_set_tuples (st->self, values, n_rows, n_placeholders);
  return TRUE;
}

static gboolean
parse_web_tool (ParseState  *st,
                GError     **error)
{
  const Item *statement = NULL;
  const Item *parameters = NULL;
  const Item *exec_count = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree guint *vars = NULL;
  Scanned sc = { 0 };
  LbSqlTransaction *t;

  for (guint i = 0; i < st->items->len; i++)
    {
      const Item *item = &g_array_index (st->items, Item, i);

      switch (item->kind)
        {
        case ITEM_STATEMENT:
          if (statement != NULL)
            return fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start,
                            _("the web tool format (-- PARAMETERS: / %%s) has one statement; "
                              "a second one starts here"));
          statement = item;
          break;

        case ITEM_PARAMETERS:
          if (parameters != NULL)
            return fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->at, _("a second PARAMETERS line"));
          parameters = item;
          break;

        case ITEM_EXEC_COUNT:
          if (exec_count != NULL)
            return fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->at, _("a second EXEC_COUNT line"));
          exec_count = item;
          break;

        case ITEM_NAME:
          if (name != NULL)
            return fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->at, _("a second NAME"));
          if (!parse_name (st, item, names, &name, error))
            return FALSE;
          break;

        case ITEM_WEIGHT:
        case ITEM_PARAM:
          return fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->at,
                          _("WEIGHT and PARAM belong to the query-mix format, not to a file with "
                            "-- PARAMETERS: / %%s placeholders"));

        case ITEM_META:
        default:
          g_assert_not_reached ();
        }
    }

  if (statement == NULL)
    return fail_at (st, error, LB_SQL_SCRIPT_ERROR_EMPTY, st->len, _("no SQL statement below the header"));

  if (exec_count != NULL)
    {
      Item weight_like = *exec_count;
      guint count;
      g_autoptr(GError) local_error = NULL;

      if (!parse_weight (st, &weight_like, &count, &local_error))
        return fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, exec_count->start,
                        _("EXEC_COUNT must be an integer >= 1, not “%.*s”"),
                        (int) MIN (exec_count->end - exec_count->start, 40), st->data + exec_count->start);
      lb_sql_script_set_exec_count (st->self, count);
    }

  if (!scan_statement (st, statement, PLACEHOLDER_PERCENT, &sc, error))
    {
      scanned_clear (&sc);
      return FALSE;
    }

  if (parameters != NULL)
    {
      if (!parse_parameters (st, parameters, sc.found->len, error))
        {
          scanned_clear (&sc);
          return FALSE;
        }
    }
  else if (sc.found->len > 0)
    {
      Placeholder *p = &g_array_index (sc.found, Placeholder, 0);

      fail_at (st, error, LB_SQL_SCRIPT_ERROR_PARAMETER_MISMATCH, statement->start + p->offset,
               _("the statement has %u %%s placeholders but no “-- PARAMETERS: [[…]]” line gives "
                 "their values"), sc.found->len);
      scanned_clear (&sc);
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
  finish_query (st, t, name, &sc, vars, statement);
  scanned_clear (&sc);
  return TRUE;
}

/* ---- pgbench ---- */

static gboolean
parse_meta (ParseState        *st,
            const Item        *item,
            LbSqlTransaction  *t,
            GHashTable        *defined,
            GError           **error)
{
  g_autofree char *line = g_strndup (st->data + item->start, item->end - item->start);
  const char *p = line + 1;
  const char *command = p;
  gsize command_len;
  Resolver r = { st->self, defined, NULL };

  /* Continuation backslashes become spaces; offsets stay the same. */
  for (char *c = line; *c != '\0'; c++)
    if (*c == '\\' && (c[1] == '\n' || (c[1] == '\r' && c[2] == '\n')) && c != line)
      *c = ' ';

  while (is_ident_char (*p))
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
      while (is_ident_char (*p))
        p++;
      if (p == name_start)
        return fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start + (p - line),
                        _("expected “\\set name expression”"));
      name = g_strndup (name_start, p - name_start);
      while (g_ascii_isspace (*p))
        p++;
      if (*p == '\0')
        return fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start + (p - line),
                        _("expected an expression after \\set %s"), name);
      expr_start = item->start + (p - line);
      expr = parse_expression (st, &r, expr_start, item->end, error);
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
        return fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start + (arg - line),
                        _("expected “\\sleep number [us|ms|s]”"));
      expr = parse_expression (st, &r, item->start + (arg - line), item->start + (end - line), error);
      g_free (r.failed);
      if (expr == NULL)
        return FALSE;
      lb_sql_script_add_sleep_step (st->self, t, expr, unit);
      return TRUE;
    }

  return fail_at (st, error, LB_SQL_SCRIPT_ERROR_UNKNOWN_COMMAND, item->start,
                  _("unknown or unsupported meta-command \\%.*s (supported: \\set, \\sleep)"),
                  (int) MIN (command_len, 40), command);
}

static gboolean
parse_pgbench (ParseState  *st,
               GError     **error)
{
  g_autoptr(GHashTable) defined = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GArray) autos = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree guint *vars = NULL;
  guint vars_size = 0;
  LbSqlTransaction *t;
  Transaction *tr;
  guint n_auto;

  t = lb_sql_script_add_transaction (st->self, st->self->display_name, 1);

  for (guint i = 0; i < st->items->len; i++)
    {
      const Item *item = &g_array_index (st->items, Item, i);

      switch (item->kind)
        {
        case ITEM_META:
          if (!parse_meta (st, item, t, defined, error))
            return FALSE;
          break;

        case ITEM_STATEMENT:
          {
            Scanned sc = { 0 };
            g_autofree char *query_name = NULL;
            gboolean ok;

            if (!scan_statement (st, item, PLACEHOLDER_COLON, &sc, error))
              {
                scanned_clear (&sc);
                return FALSE;
              }
            if (sc.found->len > vars_size)
              {
                vars_size = MAX (sc.found->len, vars_size * 2);
                vars = g_renew (guint, vars, vars_size);
              }
            ok = resolve_placeholders (st, item, &sc, defined, autos, vars, error);
            if (ok)
              {
                query_name = g_strdup_printf ("%s:%u", st->self->display_name, line_of (st, item->start));
                finish_query (st, t, query_name, &sc, vars, item);
              }
            scanned_clear (&sc);
            if (!ok)
              return FALSE;
          }
          break;

        case ITEM_NAME:
        case ITEM_WEIGHT:
        case ITEM_PARAM:
        case ITEM_PARAMETERS:
        case ITEM_EXEC_COUNT:
          /* pgbench reads these as plain comments. */
          break;

        default:
          g_assert_not_reached ();
        }
    }

  if (st->self->queries->len == 0)
    return fail_at (st, error, LB_SQL_SCRIPT_ERROR_EMPTY, st->len,
                    _("the pgbench script has no SQL statement"));

  /* Automatic variables used in SQL are set first, from the client's context. */
  n_auto = autos->len;
  if (n_auto > 0)
    {
      tr = (Transaction *) t;
      add_auto_steps (st->self, t, autos);
      /* add_auto_steps appended them: rotate them to the front. */
      {
        LbSqlStep *moved = g_memdup2 (tr->pub.steps + tr->pub.n_steps - n_auto, sizeof (LbSqlStep) * n_auto);

        memmove (tr->pub.steps + n_auto, tr->pub.steps, sizeof (LbSqlStep) * (tr->pub.n_steps - n_auto));
        memcpy (tr->pub.steps, moved, sizeof (LbSqlStep) * n_auto);
        g_free (moved);
      }
    }
  return TRUE;
}

/* ---- entry points ---- */

LbSqlScript *
lb_sql_script_new_from_data (const char  *data,
                             gssize       length,
                             const char  *display_name,
                             GError     **error)
{
  g_autoptr(LbSqlScript) self = NULL;
  g_autoptr(GArray) items = NULL;
  ParseState st = { 0 };
  gboolean pgbench = FALSE;
  gboolean web = FALSE;
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
      set_error_at (error, LB_SQL_SCRIPT_ERROR_TOO_LARGE, display_name, 1, 1,
                    _("the file is %" G_GSIZE_FORMAT " MB; workload files are limited to %d MB"),
                    (gsize) length / (1024 * 1024), LB_SQL_SCRIPT_MAX_SIZE / (1024 * 1024));
      return NULL;
    }

  items = g_array_new (FALSE, FALSE, sizeof (Item));
  st.self = self;
  st.data = data != NULL ? data : "";
  st.len = length;
  st.items = items;
  st.cursor_line = 1;

  if (!check_text (&st, error) || !split (&st, error))
    return NULL;

  for (guint i = 0; i < items->len; i++)
    {
      const Item *item = &g_array_index (items, Item, i);

      pgbench |= item->kind == ITEM_META;
      web |= item->kind == ITEM_PARAMETERS || item->kind == ITEM_EXEC_COUNT
             || (item->kind == ITEM_STATEMENT && item->percent);
    }

  if (!pgbench && !web)
    {
      gboolean any_statement = FALSE;

      for (guint i = 0; i < items->len && !any_statement; i++)
        any_statement = g_array_index (items, Item, i).kind == ITEM_STATEMENT;
      if (!any_statement && items->len == 0)
        {
          set_error_at (error, LB_SQL_SCRIPT_ERROR_EMPTY, display_name, 1, 1,
                        _("no SQL statement in the file (it is empty or only has comments)"));
          return NULL;
        }
    }

  self->dialect = pgbench ? LB_SQL_DIALECT_PGBENCH : web ? LB_SQL_DIALECT_WEB_TOOL : LB_SQL_DIALECT_QUERY_MIX;
  switch (self->dialect)
    {
    case LB_SQL_DIALECT_PGBENCH:
      ok = parse_pgbench (&st, error);
      break;
    case LB_SQL_DIALECT_WEB_TOOL:
      ok = parse_web_tool (&st, error);
      break;
    case LB_SQL_DIALECT_QUERY_MIX:
    default:
      ok = parse_query_mix (&st, error);
      break;
    }
  if (!ok)
    return NULL;

  if (self->queries->len == 0)
    {
      set_error_at (error, LB_SQL_SCRIPT_ERROR_EMPTY, display_name, 1, 1,
                    _("no SQL statement in the file (it is empty or only has comments)"));
      return NULL;
    }

  return g_steal_pointer (&self);
}

LbSqlScript *
lb_sql_script_new_from_file (GFile   *file,
                             GError **error)
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
      set_error_at (error, LB_SQL_SCRIPT_ERROR_TOO_LARGE, display_name, 1, 1,
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

  return lb_sql_script_new_from_data (contents, length, display_name, error);
}

/* ------------------------------------------------------------------------ */
/* Export to pgbench                                                        */

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
export_value (LbSqlScript    *self,
              GString        *out,
              const LbValue  *value,
              guint           tuple,
              guint           column,
              GError        **error)
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
export_param_set (LbSqlScript      *self,
                  const LbSqlStep  *step,
                  GString          *out,
                  GError          **error)
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
export_transaction (LbSqlScript             *self,
                    const LbSqlTransaction  *t,
                    GString                 *out,
                    GError                 **error)
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
          break;

        default:
          g_assert_not_reached ();
        }
    }
  return TRUE;
}

char *
lb_sql_script_export_pgbench (LbSqlScript  *self,
                              GFile        *directory,
                              GError      **error)
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
