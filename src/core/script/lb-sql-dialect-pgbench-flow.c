/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The pgbench dialect's control flow and result handling: \if/\elif/\else/
 * \endif compiled into jumps, \gset/\aset on the statement before, pipeline
 * sections, -D defines, and \shell/\setshell refused. The load engine only
 * moves its step index; every structural error is found here, at parse time. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-sql-lexer-private.h"
#include "lb-sql-script-private.h"

#define NO_STEP G_MAXUINT

typedef struct
{
  guint    jump_unless;   /* the \if/\elif step whose target is still open, or NO_STEP */
  GArray  *to_end;        /* guint: jumps to patch with the step after \endif */
  gboolean has_else;
  gsize    at;            /* the \if, for "missing \endif" */
} Cond;

struct _LbSqlFlow
{
  LbSqlParseState *st;
  GArray          *conds;            /* Cond, innermost last */
  gboolean         after_query;      /* the last item was a statement without a store */
  gboolean         in_pipeline;
  gsize            pipeline_at;
  guint            pipeline_entries; /* statements and syncs of the open section */
};

static void
cond_clear (gpointer data)
{
  Cond *c = data;

  g_clear_pointer (&c->to_end, g_array_unref);
}

void
_lb_sql_flow_free (LbSqlFlow *flow)
{
  g_clear_pointer (&flow->conds, g_array_unref);
  g_free (flow);
}

/* pgbench's typing of a variable's text. */
void
lb_sql_value_from_text (const char *text,
                        gboolean    booleans,
                        LbValue    *value)
{
  gsize n = strlen (text);
  const char *p = text;
  char *end = NULL;

  value->type = LB_VALUE_STRING;
  value->u.string = text;
  if (n == 0)
    return;

  if (booleans)
    {
      if (g_ascii_strcasecmp (text, "null") == 0)
        {
          value->type = LB_VALUE_NULL;
          return;
        }
      if (g_ascii_strncasecmp (text, "true", n) == 0 || g_ascii_strncasecmp (text, "yes", n) == 0 ||
          (n > 1 && g_ascii_strncasecmp (text, "on", n) == 0))
        {
          value->type = LB_VALUE_BOOLEAN;
          value->u.boolean = TRUE;
          return;
        }
      if (g_ascii_strncasecmp (text, "false", n) == 0 || g_ascii_strncasecmp (text, "no", n) == 0 ||
          (n > 1 && g_ascii_strncasecmp (text, "off", n) == 0))
        {
          value->type = LB_VALUE_BOOLEAN;
          value->u.boolean = FALSE;
          return;
        }
    }

  /* An integer: optional blanks and sign, digits, optional blanks. */
  while (g_ascii_isspace (*p))
    p++;
  if (*p == '+' || *p == '-')
    p++;
  if (g_ascii_isdigit (*p))
    {
      const char *q = p;

      while (g_ascii_isdigit (*q))
        q++;
      while (g_ascii_isspace (*q))
        q++;
      if (*q == '\0')
        {
          gint64 v;

          errno = 0;
          v = g_ascii_strtoll (text, &end, 10);
          if (errno == 0)
            {
              value->type = LB_VALUE_INT;
              value->u.integer = v;
              return;
            }
          /* too large for an integer: a double, as pgbench reads it */
        }
    }

  errno = 0;
  {
    double d = g_ascii_strtod (text, &end);

    if (end != text && errno != ERANGE)
      {
        while (g_ascii_isspace (*end))
          end++;
        if (*end == '\0')
          {
            value->type = LB_VALUE_DOUBLE;
            value->u.number = d;
          }
      }
  }
}

LbSqlFlow *
_lb_sql_flow_begin (LbSqlParseState *st,
                    GHashTable      *defined,
                    GError         **error)
{
  g_autoptr(LbSqlFlow) flow = g_new0 (LbSqlFlow, 1);
  LbSqlScript *self = st->self;

  flow->st = st;
  flow->conds = g_array_new (FALSE, TRUE, sizeof (Cond));
  g_array_set_clear_func (flow->conds, cond_clear);

  for (guint i = 0; i < st->items->len; i++)
    {
      const LbSqlItem *item = &g_array_index (st->items, LbSqlItem, i);

      if (item->kind == LB_SQL_ITEM_META && item->end - item->start >= 5 &&
          (item->end - item->start == 5 || !_lb_sql_is_ident_char (st->data[item->start + 5])) &&
          (strncmp (st->data + item->start, "\\gset", 5) == 0 ||
           strncmp (st->data + item->start, "\\aset", 5) == 0))
        {
          /* Columns are only known at run time: a :name nothing else
           * defines may be one of them. */
          self->open_variables = TRUE;
          self->has_flow = TRUE;
        }
    }

  for (guint i = 0; st->defines != NULL && st->defines[i] != NULL; i++)
    {
      const char *def = st->defines[i];
      const char *eq = strchr (def, '=');
      g_autofree char *name = NULL;
      LbSqlInitialValue initial = { 0 };

      if (eq == NULL || eq == def)
        {
          g_set_error (error, LB_SQL_SCRIPT_ERROR, LB_SQL_SCRIPT_ERROR_SYNTAX,
                       _("-D %s: invalid variable definition (expected NAME=VALUE)"), def);
          return NULL;
        }
      name = g_strndup (def, eq - def);
      for (const char *c = name; *c != '\0'; c++)
        if (!_lb_sql_is_ident_char (*c))
          {
            g_set_error (error, LB_SQL_SCRIPT_ERROR, LB_SQL_SCRIPT_ERROR_SYNTAX,
                         _("-D %s: invalid variable name “%s” (letters, digits and _ only)"), def, name);
            return NULL;
          }

      initial.var = lb_sql_script_add_variable (self, name);
      lb_sql_value_from_text (g_string_chunk_insert (self->query_text, eq + 1), TRUE, &initial.value);
      if (self->initial == NULL)
        self->initial = g_array_new (FALSE, FALSE, sizeof (LbSqlInitialValue));
      /* a later -D of the same name wins, as in pgbench */
      for (guint k = 0; k < self->initial->len; k++)
        if (g_array_index (self->initial, LbSqlInitialValue, k).var == initial.var)
          {
            g_array_remove_index (self->initial, k);
            break;
          }
      g_array_append_val (self->initial, initial);
      g_hash_table_insert (defined, g_steal_pointer (&name), GUINT_TO_POINTER (initial.var + 1));
    }

  return g_steal_pointer (&flow);
}

/* "tpcb.sql:3: \set x": the start of a runtime error of this command. */
static const char *
make_label (LbSqlFlow       *flow,
            const LbSqlItem *item,
            const char      *command)
{
  LbSqlParseState *st = flow->st;
  g_autofree char *label = g_strdup_printf ("%s:%u: %s", st->self->display_name,
                                            _lb_sql_line_of (st, item->start), command);

  return g_string_chunk_insert (st->self->query_text, label);
}

static LbSqlStep *
add_step (LbSqlFlow        *flow,
          LbSqlTransaction *t,
          LbStepKind        kind)
{
  LbSqlStep *step = _lb_sql_script_append_step (flow->st->self, t);

  step->kind = kind;
  step->target = NO_STEP;
  return step;
}

/* The expression after "\if " / "\elif ". */
static LbExpr *
parse_condition (LbSqlFlow       *flow,
                 const LbSqlItem *item,
                 gsize            skip,
                 GHashTable      *defined,
                 const char      *command,
                 GError         **error)
{
  LbSqlParseState *st = flow->st;
  LbSqlResolver r = { st->self, defined, NULL };
  gsize start = item->start + skip;
  gsize end = item->end;
  LbExpr *expr;

  while (start < end && g_ascii_isspace (st->data[start]))
    start++;
  while (end > start && g_ascii_isspace (st->data[end - 1]))
    end--;
  if (start >= end)
    {
      _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, start,
                       _("missing expression after %s"), command);
      return NULL;
    }
  expr = _lb_sql_parse_expression (st, &r, start, end, error);
  g_free (r.failed);
  return expr;
}

static void
patch (LbSqlTransaction *t,
       guint             step,
       guint             target)
{
  if (step != NO_STEP)
    t->steps[step].target = target;
}

gboolean
_lb_sql_flow_meta (LbSqlFlow        *flow,
                   const LbSqlItem  *item,
                   LbSqlTransaction *t,
                   GHashTable       *defined,
                   gboolean         *handled,
                   GError          **error)
{
  LbSqlParseState *st = flow->st;
  const char *line = st->data + item->start;
  gsize n = item->end - item->start;
  gsize len = 1;
  gboolean after_query = flow->after_query;
  Cond *top = flow->conds->len > 0 ? &g_array_index (flow->conds, Cond, flow->conds->len - 1) : NULL;

  *handled = TRUE;
  flow->after_query = FALSE;
  while (len < n && _lb_sql_is_ident_char (line[len]))
    len++;

#define IS(word) (len - 1 == strlen (word) && strncmp (line + 1, word, len - 1) == 0)

  if (IS ("if") || IS ("elif"))
    {
      gboolean elif = IS ("elif");
      LbExpr *expr;
      LbSqlStep *step;

      if (elif && top == NULL)
        return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start,
                                _("\\elif without matching \\if"));
      if (elif && top->has_else)
        return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start,
                                _("\\elif after \\else"));
      expr = parse_condition (flow, item, len, defined, elif ? "\\elif" : "\\if", error);
      if (expr == NULL)
        return FALSE;
      st->self->has_flow = TRUE;

      if (elif)
        {
          /* the branch before ends with a jump past \endif */
          guint jump = t->n_steps;

          add_step (flow, t, LB_STEP_JUMP);
          g_array_append_val (top->to_end, jump);
          patch (t, top->jump_unless, t->n_steps);
        }
      else
        {
          Cond cond = { NO_STEP, g_array_new (FALSE, FALSE, sizeof (guint)), FALSE, item->start };

          g_array_append_val (flow->conds, cond);
          top = &g_array_index (flow->conds, Cond, flow->conds->len - 1);
        }
      top->jump_unless = t->n_steps;
      step = add_step (flow, t, LB_STEP_JUMP_UNLESS);
      step->expr = expr;
      step->label = make_label (flow, item, elif ? "\\elif" : "\\if");
      return TRUE;
    }

  if (IS ("else"))
    {
      guint jump;

      if (top == NULL)
        return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start,
                                _("\\else without matching \\if"));
      if (top->has_else)
        return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start,
                                _("\\else after \\else"));
      jump = t->n_steps;
      add_step (flow, t, LB_STEP_JUMP);
      g_array_append_val (top->to_end, jump);
      patch (t, top->jump_unless, t->n_steps);
      top->jump_unless = NO_STEP;
      top->has_else = TRUE;
      return TRUE;
    }

  if (IS ("endif"))
    {
      if (top == NULL)
        return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start,
                                _("\\endif without matching \\if"));
      patch (t, top->jump_unless, t->n_steps);
      for (guint i = 0; i < top->to_end->len; i++)
        patch (t, g_array_index (top->to_end, guint, i), t->n_steps);
      g_array_set_size (flow->conds, flow->conds->len - 1);
      return TRUE;
    }

  if (IS ("gset") || IS ("aset"))
    {
      gboolean gset = IS ("gset");
      LbSqlStep *step;
      gsize p = len, q;
      g_autofree char *prefix = NULL;

      if (!after_query || t->n_steps == 0 || t->steps[t->n_steps - 1].kind != LB_STEP_QUERY)
        return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start,
                                gset ? _("\\gset must follow an SQL command")
                                     : _("\\aset must follow an SQL command"));
      while (p < n && g_ascii_isspace (line[p]))
        p++;
      q = p;
      while (q < n && !g_ascii_isspace (line[q]))
        q++;
      prefix = g_strndup (line + p, q - p);
      for (const char *c = prefix; *c != '\0'; c++)
        if (!_lb_sql_is_ident_char (*c))
          return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start + p,
                                  _("invalid variable prefix “%s” (letters, digits and _ only)"), prefix);
      while (q < n && g_ascii_isspace (line[q]))
        q++;
      if (q < n)
        return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start + q,
                                _("too many arguments in command “%s” (only a prefix may follow)"),
                                gset ? "gset" : "aset");
      /* pgbench waits for nothing inside a pipeline, so it refuses this */
      if (flow->in_pipeline)
        return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start,
                                gset ? _("\\gset is not allowed in pipeline mode")
                                     : _("\\aset is not allowed in pipeline mode"));

      step = &t->steps[t->n_steps - 1];
      step->store = gset ? LB_STORE_GSET : LB_STORE_ASET;
      step->prefix = g_string_chunk_insert (st->self->query_text, prefix);
      {
        g_autofree char *label = g_strdup_printf ("%s: %s", step->query->name, gset ? "\\gset" : "\\aset");

        step->label = g_string_chunk_insert (st->self->query_text, label);
      }
      st->self->has_flow = TRUE;
      return TRUE;
    }

  if (IS ("startpipeline") || IS ("syncpipeline") || IS ("endpipeline"))
    {
      LbSqlStep *step;

      for (gsize p = len; p < n; p++)
        if (!g_ascii_isspace (line[p]))
          return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start + p,
                                  _("unexpected argument after \\%.*s"), (int) (len - 1), line + 1);
      if (IS ("startpipeline"))
        {
          if (flow->in_pipeline)
            return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start,
                                    _("already in pipeline mode"));
          flow->in_pipeline = TRUE;
          flow->pipeline_at = item->start;
          flow->pipeline_entries = 0;
          step = add_step (flow, t, LB_STEP_PIPELINE);
          step->pipeline = LB_PIPELINE_START;
        }
      else
        {
          if (!flow->in_pipeline)
            return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, item->start,
                                    _("not in pipeline mode"));
          step = add_step (flow, t, LB_STEP_PIPELINE);
          step->pipeline = IS ("syncpipeline") ? LB_PIPELINE_SYNC : LB_PIPELINE_END;
          flow->pipeline_entries++;
          st->self->max_pipeline = MAX (st->self->max_pipeline, flow->pipeline_entries);
          if (step->pipeline == LB_PIPELINE_END)
            flow->in_pipeline = FALSE;
        }
      step->label = make_label (flow, item, step->pipeline == LB_PIPELINE_START ? "\\startpipeline" :
                                            step->pipeline == LB_PIPELINE_SYNC ? "\\syncpipeline" :
                                            "\\endpipeline");
      return TRUE;
    }

  if (n > 1 && line[1] == ';')
    return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_UNKNOWN_COMMAND, item->start,
                            _("\\; (several statements sent as one) is not supported: write each "
                              "statement on its own, ending with “;”"));

  if (IS ("shell") || IS ("setshell"))
    return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_UNKNOWN_COMMAND, item->start,
                            _("\\%.*s is not supported: a load test does not run programs on this "
                              "computer. Compute the value with \\set, take it from the database "
                              "with a query and \\gset, or pass it with -D NAME=VALUE"),
                            (int) (len - 1), line + 1);

#undef IS

  *handled = FALSE;
  flow->after_query = after_query;
  return TRUE;
}

void
_lb_sql_flow_statement (LbSqlFlow        *flow,
                        LbSqlTransaction *t)
{
  flow->after_query = TRUE;
  if (flow->in_pipeline)
    flow->pipeline_entries++;
}

void
_lb_sql_flow_open_placeholders (LbSqlFlow    *flow,
                                LbSqlScanned *sc,
                                GHashTable   *defined)
{
  LbSqlScript *self = flow->st->self;

  if (!self->open_variables)
    return;
  for (guint i = 0; i < sc->found->len; i++)
    {
      LbSqlPlaceholder *p = &g_array_index (sc->found, LbSqlPlaceholder, i);
      g_autoptr(LbExpr) automatic = NULL;
      guint var;

      if (g_hash_table_contains (defined, p->name))
        continue;
      automatic = lb_expr_new_automatic (p->name);
      if (automatic != NULL)
        continue;
      var = lb_sql_script_add_variable (self, p->name);
      g_hash_table_insert (defined, g_strdup (p->name), GUINT_TO_POINTER (var + 1));
    }
}

gboolean
_lb_sql_flow_end (LbSqlFlow *flow,
                  GError   **error)
{
  LbSqlParseState *st = flow->st;

  if (flow->conds->len > 0)
    return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX,
                            g_array_index (flow->conds, Cond, flow->conds->len - 1).at,
                            _("\\if without matching \\endif"));
  if (flow->in_pipeline)
    return _lb_sql_fail_at (st, error, LB_SQL_SCRIPT_ERROR_SYNTAX, flow->pipeline_at,
                            _("end of script reached with pipeline open"));
  return TRUE;
}

void
_lb_sql_flow_shift (LbSqlTransaction *t,
                    guint             n)
{
  for (guint i = 0; i < t->n_steps; i++)
    if (t->steps[i].kind == LB_STEP_JUMP || t->steps[i].kind == LB_STEP_JUMP_UNLESS)
      t->steps[i].target += n;
}
