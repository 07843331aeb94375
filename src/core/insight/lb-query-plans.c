/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "lb-query-plans.h"

typedef struct
{
  char          **values;     /* n_values, entries may be NULL */
  guint           n_values;
  LbExplainPlan  *plan;
  char           *error;
  guint           shape;
} Sample;

struct _LbQueryPlans
{
  GObject          parent_instance;

  guint            query_index;
  char            *name;
  char            *sql;
  char            *sql_numbered;
  guint            line;
  LbStatementKind  kind;
  gboolean         analyzed;
  char            *skipped;
  GArray          *samples;   /* Sample */
  GPtrArray       *shapes;    /* signatures seen, in order (borrowed from the plans) */
};

G_DEFINE_FINAL_TYPE (LbQueryPlans, lb_query_plans, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_SQL,
  PROP_WRITES,
  PROP_ANALYZED,
  PROP_N_SAMPLES,
  PROP_N_DISTINCT_PLANS,
  PROP_PLAN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
sample_clear (gpointer data)
{
  Sample *s = data;

  for (guint i = 0; i < s->n_values; i++)
    g_free (s->values[i]);
  g_free (s->values);
  g_clear_object (&s->plan);
  g_free (s->error);
}

static void
lb_query_plans_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  LbQueryPlans *self = LB_QUERY_PLANS (object);

  switch (prop_id)
    {
    case PROP_NAME:             g_value_set_string (value, self->name); break;
    case PROP_SQL:              g_value_set_string (value, self->sql); break;
    case PROP_WRITES:           g_value_set_boolean (value, lb_query_plans_get_writes (self)); break;
    case PROP_ANALYZED:         g_value_set_boolean (value, self->analyzed); break;
    case PROP_N_SAMPLES:        g_value_set_uint (value, self->samples->len); break;
    case PROP_N_DISTINCT_PLANS: g_value_set_uint (value, self->shapes->len); break;
    case PROP_PLAN:             g_value_set_object (value, lb_query_plans_get_plan (self)); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_query_plans_finalize (GObject *object)
{
  LbQueryPlans *self = LB_QUERY_PLANS (object);

  g_clear_pointer (&self->shapes, g_ptr_array_unref);
  g_clear_pointer (&self->samples, g_array_unref);
  g_free (self->name);
  g_free (self->sql);
  g_free (self->sql_numbered);
  g_free (self->skipped);
  G_OBJECT_CLASS (lb_query_plans_parent_class)->finalize (object);
}

static void
lb_query_plans_class_init (LbQueryPlansClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = lb_query_plans_get_property;
  object_class->finalize = lb_query_plans_finalize;

  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_SQL] = g_param_spec_string ("sql", NULL, NULL, NULL, flags);
  properties[PROP_WRITES] = g_param_spec_boolean ("writes", NULL, NULL, FALSE, flags);
  properties[PROP_ANALYZED] = g_param_spec_boolean ("analyzed", NULL, NULL, FALSE, flags);
  properties[PROP_N_SAMPLES] = g_param_spec_uint ("n-samples", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_N_DISTINCT_PLANS] = g_param_spec_uint ("n-distinct-plans", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_PLAN] = g_param_spec_object ("plan", NULL, NULL, LB_TYPE_EXPLAIN_PLAN, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lb_query_plans_init (LbQueryPlans *self)
{
  self->samples = g_array_new (FALSE, TRUE, sizeof (Sample));
  g_array_set_clear_func (self->samples, sample_clear);
  self->shapes = g_ptr_array_new ();
}

LbQueryPlans *
lb_query_plans_new (guint            query_index,
                    const char      *name,
                    const char      *sql,
                    guint            line,
                    LbStatementKind  kind)
{
  LbQueryPlans *self = g_object_new (LB_TYPE_QUERY_PLANS, NULL);

  self->query_index = query_index;
  self->name = g_strdup (name);
  self->sql = g_strdup (sql);
  self->line = line;
  self->kind = kind;
  return self;
}

void
lb_query_plans_add_sample (LbQueryPlans       *self,
                           const char * const *values,
                           guint               n_values,
                           LbExplainPlan      *plan,
                           const char         *error)
{
  Sample s = { 0 };

  g_return_if_fail (LB_IS_QUERY_PLANS (self));
  g_return_if_fail (plan == NULL || LB_IS_EXPLAIN_PLAN (plan));

  s.n_values = n_values;
  s.values = g_new0 (char *, n_values + 1);
  for (guint i = 0; i < n_values; i++)
    s.values[i] = g_strdup (values[i]);
  s.plan = plan != NULL ? g_object_ref (plan) : NULL;
  s.error = g_strdup (error);
  if (plan != NULL)
    {
      const char *signature = lb_explain_plan_get_signature (plan);
      guint i;

      for (i = 0; i < self->shapes->len; i++)
        if (strcmp (g_ptr_array_index (self->shapes, i), signature) == 0)
          break;
      if (i == self->shapes->len)
        g_ptr_array_add (self->shapes, (gpointer) signature);
      s.shape = i;
    }
  g_array_append_val (self->samples, s);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SAMPLES]);
  if (plan != NULL)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_DISTINCT_PLANS]);
}

void
lb_query_plans_set_sql_numbered (LbQueryPlans *self,
                                 const char   *sql)
{
  g_return_if_fail (LB_IS_QUERY_PLANS (self));
  g_free (self->sql_numbered);
  self->sql_numbered = g_strdup (sql);
}

const char *
lb_query_plans_get_sql_numbered (LbQueryPlans *self)
{
  g_return_val_if_fail (LB_IS_QUERY_PLANS (self), NULL);
  return self->sql_numbered != NULL ? self->sql_numbered : self->sql;
}

void
lb_query_plans_set_skipped (LbQueryPlans *self,
                            const char   *reason)
{
  g_return_if_fail (LB_IS_QUERY_PLANS (self));
  g_free (self->skipped);
  self->skipped = g_strdup (reason);
}

void
lb_query_plans_set_analyzed (LbQueryPlans *self,
                             gboolean      analyzed)
{
  g_return_if_fail (LB_IS_QUERY_PLANS (self));
  analyzed = !!analyzed;
  if (self->analyzed == analyzed)
    return;
  self->analyzed = analyzed;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ANALYZED]);
}

guint lb_query_plans_get_query_index (LbQueryPlans *self) { g_return_val_if_fail (LB_IS_QUERY_PLANS (self), 0); return self->query_index; }
const char *lb_query_plans_get_name (LbQueryPlans *self) { g_return_val_if_fail (LB_IS_QUERY_PLANS (self), NULL); return self->name; }
const char *lb_query_plans_get_sql (LbQueryPlans *self) { g_return_val_if_fail (LB_IS_QUERY_PLANS (self), NULL); return self->sql; }
guint lb_query_plans_get_line (LbQueryPlans *self) { g_return_val_if_fail (LB_IS_QUERY_PLANS (self), 0); return self->line; }
LbStatementKind lb_query_plans_get_kind (LbQueryPlans *self) { g_return_val_if_fail (LB_IS_QUERY_PLANS (self), 0); return self->kind; }
gboolean lb_query_plans_get_writes (LbQueryPlans *self) { g_return_val_if_fail (LB_IS_QUERY_PLANS (self), FALSE); return self->kind == LB_STATEMENT_WRITE; }
gboolean lb_query_plans_get_analyzed (LbQueryPlans *self) { g_return_val_if_fail (LB_IS_QUERY_PLANS (self), FALSE); return self->analyzed; }
const char *lb_query_plans_get_skipped (LbQueryPlans *self) { g_return_val_if_fail (LB_IS_QUERY_PLANS (self), NULL); return self->skipped; }
guint lb_query_plans_get_n_samples (LbQueryPlans *self) { g_return_val_if_fail (LB_IS_QUERY_PLANS (self), 0); return self->samples->len; }
guint lb_query_plans_get_n_distinct_plans (LbQueryPlans *self) { g_return_val_if_fail (LB_IS_QUERY_PLANS (self), 0); return self->shapes->len; }

static Sample *
sample_at (LbQueryPlans *self,
           guint         sample)
{
  g_return_val_if_fail (sample < self->samples->len, NULL);
  return &g_array_index (self->samples, Sample, sample);
}

LbExplainPlan *
lb_query_plans_get_sample_plan (LbQueryPlans *self,
                                guint         sample)
{
  g_return_val_if_fail (LB_IS_QUERY_PLANS (self), NULL);
  g_return_val_if_fail (sample < self->samples->len, NULL);
  return sample_at (self, sample)->plan;
}

const char *
lb_query_plans_get_sample_error (LbQueryPlans *self,
                                 guint         sample)
{
  g_return_val_if_fail (LB_IS_QUERY_PLANS (self), NULL);
  g_return_val_if_fail (sample < self->samples->len, NULL);
  return sample_at (self, sample)->error;
}

const char * const *
lb_query_plans_get_sample_values (LbQueryPlans *self,
                                  guint         sample,
                                  guint        *n_values)
{
  Sample *s;

  g_return_val_if_fail (LB_IS_QUERY_PLANS (self), NULL);
  g_return_val_if_fail (sample < self->samples->len, NULL);
  s = sample_at (self, sample);
  if (n_values != NULL)
    *n_values = s->n_values;
  return (const char * const *) s->values;
}

guint
lb_query_plans_get_sample_shape (LbQueryPlans *self,
                                 guint         sample)
{
  g_return_val_if_fail (LB_IS_QUERY_PLANS (self), 0);
  g_return_val_if_fail (sample < self->samples->len, 0);
  return sample_at (self, sample)->shape;
}

LbExplainPlan *
lb_query_plans_get_plan (LbQueryPlans *self)
{
  g_return_val_if_fail (LB_IS_QUERY_PLANS (self), NULL);
  for (guint i = 0; i < self->samples->len; i++)
    if (sample_at (self, i)->plan != NULL)
      return sample_at (self, i)->plan;
  return NULL;
}

/* Statement classification: the words of the statement, outside comments,
 * literals and quoted names. */

static const char *
skip_dollar_quote (const char *p)
{
  const char *tag_end = p + 1;
  gsize tag_len;

  while (g_ascii_isalnum (*tag_end) || *tag_end == '_')
    tag_end++;
  if (*tag_end != '$')
    return NULL;
  tag_len = tag_end - p + 1;
  for (const char *q = tag_end + 1; *q != '\0'; q++)
    if (*q == '$' && strncmp (q, p, tag_len) == 0)
      return q + tag_len;
  return p + strlen (p);
}

static GPtrArray *
statement_words (const char *sql)
{
  GPtrArray *words = g_ptr_array_new_with_free_func (g_free);
  const char *p = sql;

  while (*p != '\0')
    {
      if (p[0] == '-' && p[1] == '-')
        {
          while (*p != '\0' && *p != '\n')
            p++;
        }
      else if (p[0] == '/' && p[1] == '*')
        {
          int depth = 1;

          p += 2;
          while (*p != '\0' && depth > 0)
            {
              if (p[0] == '/' && p[1] == '*')
                depth++, p += 2;
              else if (p[0] == '*' && p[1] == '/')
                depth--, p += 2;
              else
                p++;
            }
        }
      else if (*p == '\'' || *p == '"')
        {
          char quote = *p++;

          while (*p != '\0')
            {
              if (*p == quote && p[1] == quote)
                p += 2;
              else if (*p++ == quote)
                break;
            }
        }
      else if (*p == '$' && !g_ascii_isdigit (p[1]))
        {
          const char *end = skip_dollar_quote (p);

          p = end != NULL ? end : p + 1;
        }
      else if (g_ascii_isalpha (*p) || *p == '_')
        {
          const char *start = p;

          while (g_ascii_isalnum (*p) || *p == '_' || *p == '$')
            p++;
          g_ptr_array_add (words, g_ascii_strup (start, p - start));
        }
      else
        p++;
    }
  return words;
}

static gboolean
word_is (GPtrArray  *words,
         guint       i,
         const char *word)
{
  return i < words->len && strcmp (g_ptr_array_index (words, i), word) == 0;
}

LbStatementKind
lb_statement_classify (const char *sql)
{
  g_autoptr(GPtrArray) words = NULL;

  g_return_val_if_fail (sql != NULL, LB_STATEMENT_NOT_EXPLAINABLE);

  words = statement_words (sql);
  if (words->len == 0)
    return LB_STATEMENT_NOT_EXPLAINABLE;
  if (word_is (words, 0, "INSERT") || word_is (words, 0, "UPDATE") ||
      word_is (words, 0, "DELETE") || word_is (words, 0, "MERGE"))
    return LB_STATEMENT_WRITE;
  if (!word_is (words, 0, "SELECT") && !word_is (words, 0, "WITH") &&
      !word_is (words, 0, "VALUES") && !word_is (words, 0, "TABLE"))
    return LB_STATEMENT_NOT_EXPLAINABLE;
  for (guint i = 1; i < words->len; i++)
    {
      /* a data-modifying CTE */
      if (word_is (words, 0, "WITH") &&
          (word_is (words, i, "INSERT") || word_is (words, i, "UPDATE") ||
           word_is (words, i, "DELETE") || word_is (words, i, "MERGE")))
        return LB_STATEMENT_WRITE;
      /* FOR UPDATE / FOR NO KEY UPDATE / FOR SHARE / FOR KEY SHARE lock rows */
      if (word_is (words, i - 1, "FOR") &&
          (word_is (words, i, "UPDATE") || word_is (words, i, "SHARE") ||
           (word_is (words, i, "NO") && word_is (words, i + 1, "KEY")) ||
           (word_is (words, i, "KEY") && word_is (words, i + 1, "SHARE"))))
        return LB_STATEMENT_WRITE;
      /* SELECT … INTO creates a table */
      if (word_is (words, 0, "SELECT") && word_is (words, i, "INTO"))
        return LB_STATEMENT_NOT_EXPLAINABLE;
    }
  return LB_STATEMENT_READ;
}
