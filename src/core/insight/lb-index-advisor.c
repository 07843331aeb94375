/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libpq-fe.h>

#include "lb-index-advisor.h"
#include "lb-plan-condition.h"
#include "lb-plan-explainer.h"

/* Longest identifier PostgreSQL keeps (NAMEDATALEN - 1). */
#define MAX_IDENTIFIER 63

struct _LbIndexAdvisor
{
  GObject     parent_instance;

  char       *conninfo;
  GPtrArray  *plans;          /* LbQueryPlans */
  gboolean    hypopg;
  char       *hypopg_message;
  GPtrArray  *covered;        /* LbIndexCovered */
};

G_DEFINE_FINAL_TYPE (LbIndexAdvisor, lb_index_advisor, G_TYPE_OBJECT)

G_DEFINE_QUARK (lb-index-advisor-error-quark, lb_index_advisor_error)

/* A candidate while it is being made and checked. */
typedef struct
{
  LbIndexAdvice *advice;
  double         kept;        /* rows the scan returned (all loops), or estimated */
  double         read;        /* rows it read; < 0: unknown (no ANALYZE) */
  LbQueryPlans  *plans;       /* the first query it serves (borrowed) */
} Candidate;

static void
candidate_free (Candidate *c)
{
  lb_index_advice_free (c->advice);
  g_free (c);
}

void
lb_index_advice_free (LbIndexAdvice *advice)
{
  if (advice == NULL)
    return;
  g_free (advice->schema);
  g_free (advice->table);
  g_free (advice->method);
  g_strfreev (advice->columns);
  g_free (advice->name);
  g_free (advice->statement);
  g_free (advice->reason);
  g_clear_pointer (&advice->queries, g_ptr_array_unref);
  g_free (advice->predicted_query);
  g_clear_object (&advice->plan_after);
  g_free (advice->predict_error);
  g_free (advice);
}

void
lb_index_covered_free (LbIndexCovered *covered)
{
  if (covered == NULL)
    return;
  g_free (covered->statement);
  g_free (covered->covered_by);
  g_free (covered);
}

static void
lb_index_advisor_finalize (GObject *object)
{
  LbIndexAdvisor *self = LB_INDEX_ADVISOR (object);

  g_free (self->conninfo);
  g_clear_pointer (&self->plans, g_ptr_array_unref);
  g_free (self->hypopg_message);
  g_clear_pointer (&self->covered, g_ptr_array_unref);
  G_OBJECT_CLASS (lb_index_advisor_parent_class)->finalize (object);
}

static void
lb_index_advisor_class_init (LbIndexAdvisorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lb_index_advisor_finalize;
}

static void
lb_index_advisor_init (LbIndexAdvisor *self)
{
  self->plans = g_ptr_array_new_with_free_func (g_object_unref);
  self->covered = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_index_covered_free);
}

LbIndexAdvisor *
lb_index_advisor_new (const char *conninfo)
{
  LbIndexAdvisor *self;

  g_return_val_if_fail (conninfo != NULL, NULL);
  self = g_object_new (LB_TYPE_INDEX_ADVISOR, NULL);
  self->conninfo = g_strdup (conninfo);
  return self;
}

void
lb_index_advisor_add_plans (LbIndexAdvisor *self,
                            LbQueryPlans   *plans)
{
  g_return_if_fail (LB_IS_INDEX_ADVISOR (self));
  g_return_if_fail (LB_IS_QUERY_PLANS (plans));
  g_ptr_array_add (self->plans, g_object_ref (plans));
}

gboolean
lb_index_advisor_get_hypopg (LbIndexAdvisor *self)
{
  g_return_val_if_fail (LB_IS_INDEX_ADVISOR (self), FALSE);
  return self->hypopg;
}

const char *
lb_index_advisor_get_hypopg_message (LbIndexAdvisor *self)
{
  g_return_val_if_fail (LB_IS_INDEX_ADVISOR (self), NULL);
  return self->hypopg_message;
}

GPtrArray *
lb_index_advisor_get_covered (LbIndexAdvisor *self)
{
  g_return_val_if_fail (LB_IS_INDEX_ADVISOR (self), NULL);
  return self->covered;
}

/* ---- candidates from a plan ---- */

static gboolean
plain_identifier (const char *name)
{
  static const char *reserved[] = { "user", "order", "group", "table", "select", "where",
                                    "from", "limit", "offset", "desc", "asc", "primary",
                                    "references", "check", "default", "column", "index", NULL };

  if (name[0] == '\0' || !(g_ascii_islower (name[0]) || name[0] == '_'))
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '_'))
      return FALSE;
  return !g_strv_contains (reserved, name);
}

static char *
quote_identifier (const char *name)
{
  g_auto(GStrv) parts = NULL;
  g_autofree char *escaped = NULL;

  if (plain_identifier (name))
    return g_strdup (name);
  parts = g_strsplit (name, "\"", -1);
  escaped = g_strjoinv ("\"\"", parts);
  return g_strdup_printf ("\"%s\"", escaped);
}

/* "customer_c_last_name_c_first_name_idx", letters, digits and _ only,
 * cut to fit an identifier. */
static char *
make_name (const char         *table,
           const char * const *columns,
           const char         *method)
{
  GString *name = g_string_new (table);
  gsize keep;

  for (guint i = 0; columns[i] != NULL; i++)
    {
      gboolean under = TRUE;

      g_string_append_c (name, '_');
      for (const char *p = columns[i]; *p != '\0'; p++)
        {
          if (g_ascii_isalnum (*p))
            {
              g_string_append_c (name, g_ascii_tolower (*p));
              under = FALSE;
            }
          else if (!under)
            {
              g_string_append_c (name, '_');
              under = TRUE;
            }
        }
      while (name->len > 0 && name->str[name->len - 1] == '_')
        g_string_truncate (name, name->len - 1);
    }
  keep = MAX_IDENTIFIER - (g_strcmp0 (method, "gin") == 0 ? 4 : 4);
  if (name->len > keep)
    g_string_truncate (name, keep);
  g_string_append (name, g_strcmp0 (method, "gin") == 0 ? "_gin" : "_idx");
  return g_string_free (name, FALSE);
}

static LbIndexAdvice *
advice_new (const char         *schema,
            const char         *table,
            const char         *method,
            GPtrArray          *columns,
            const char         *reason,
            const char         *query_name)
{
  LbIndexAdvice *a = g_new0 (LbIndexAdvice, 1);
  g_autofree char *qschema = schema != NULL ? quote_identifier (schema) : NULL;
  g_autofree char *qtable = quote_identifier (table);
  g_autofree char *list = NULL;
  g_autofree char *qname = NULL;

  a->schema = g_strdup (schema);
  a->table = g_strdup (table);
  a->method = g_strdup (method);
  g_ptr_array_add (columns, NULL);
  a->columns = g_strdupv ((char **) columns->pdata);
  g_ptr_array_remove_index (columns, columns->len - 1);
  a->name = make_name (table, (const char * const *) a->columns, method);
  qname = quote_identifier (a->name);
  list = g_strjoinv (", ", a->columns);
  a->statement = g_strdup_printf ("CREATE INDEX CONCURRENTLY %s ON %s%s%s%s (%s);", qname,
                                  qschema != NULL ? qschema : "", qschema != NULL ? "." : "",
                                  qtable, g_strcmp0 (method, "gin") == 0 ? " USING gin" : "",
                                  list);
  a->reason = g_strdup (reason);
  a->queries = g_ptr_array_new_with_free_func (g_free);
  if (query_name != NULL)
    g_ptr_array_add (a->queries, g_strdup (query_name));
  return a;
}

typedef struct
{
  char *schema;
  char *table;
  char *alias;
} Relation;

static void
relation_free (Relation *r)
{
  g_free (r->schema);
  g_free (r->table);
  g_free (r->alias);
  g_free (r);
}

typedef struct
{
  GPtrArray   *relations;   /* Relation */
  GPtrArray   *out;         /* Candidate */
  const char  *query_name;
} Walk;

static void
collect_relations (LbPlanNode *node,
                   gpointer    user_data)
{
  Walk *w = user_data;
  Relation *r;

  if (lb_plan_node_get_relation (node) == NULL)
    return;
  r = g_new0 (Relation, 1);
  r->schema = g_strdup (lb_plan_node_get_schema (node));
  r->table = g_strdup (lb_plan_node_get_relation (node));
  r->alias = g_strdup (lb_plan_node_get_alias (node) != NULL ? lb_plan_node_get_alias (node)
                                                             : r->table);
  g_ptr_array_add (w->relations, r);
}

/* Whether a term's qualifier names the node's relation (VERBOSE writes
 * the alias; an unqualified column is the scan's own). */
static gboolean
is_own (LbPlanNode *node,
        const char *qualifier)
{
  const char *alias = lb_plan_node_get_alias (node);

  return qualifier == NULL || g_strcmp0 (qualifier, alias) == 0 ||
         g_strcmp0 (qualifier, lb_plan_node_get_relation (node)) == 0;
}

static char *
column_element (const LbConditionTerm *term)
{
  if (term->expression)
    return g_strdup_printf ("(%s)", term->column);
  return quote_identifier (term->column);
}

static gboolean
has_column (GPtrArray  *columns,
            const char *element)
{
  for (guint i = 0; i < columns->len; i++)
    if (strcmp (g_ptr_array_index (columns, i), element) == 0)
      return TRUE;
  return FALSE;
}

/* The sort keys of the nearest Sort above @node when nothing between
 * them joins (the index order can then replace the sort). */
static const char * const *
sort_keys_above (LbPlanNode *node)
{
  for (LbPlanNode *p = lb_plan_node_get_parent (node); p != NULL; p = lb_plan_node_get_parent (p))
    {
      const char *type = lb_plan_node_get_node_type (p);

      if (g_strcmp0 (type, "Sort") == 0 || g_strcmp0 (type, "Incremental Sort") == 0)
        return lb_plan_node_get_sort_keys (p);
      if (lb_plan_node_get_n_children (p) > 1)
        return NULL;
    }
  return NULL;
}

static void
add_candidate (Walk          *w,
               LbPlanNode    *node,
               LbIndexAdvice *advice)
{
  Candidate *c = g_new0 (Candidate, 1);
  double loops = MAX (lb_plan_node_get_loops (node), 1);

  c->advice = advice;
  if (lb_plan_node_get_analyzed (node))
    {
      c->kept = lb_plan_node_get_actual_rows (node) * loops;
      c->read = c->kept + lb_plan_node_get_rows_removed_by_filter (node) * loops;
      /* an inner side run many times: each run reads the table again */
    }
  else
    {
      c->kept = lb_plan_node_get_plan_rows (node);
      c->read = -1;
    }
  g_ptr_array_add (w->out, c);
}

static void
scan_node (LbPlanNode *node,
           gpointer    user_data)
{
  Walk *w = user_data;
  const char *relation = lb_plan_node_get_relation (node);
  const char *type = lb_plan_node_get_node_type (node);
  g_autoptr(GPtrArray) equality = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) columns = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) terms = NULL;
  g_autoptr(GPtrArray) join_terms = NULL;
  g_autofree char *range = NULL;
  const char * const *keys;
  GString *reason;
  LbPlanNode *parent;

  if (relation == NULL || type == NULL || !g_str_has_suffix (type, "Scan"))
    return;

  /* Conditions the scan still evaluates row by row: its filter, and the
   * join filter of a nested loop it is the inner side of. */
  terms = lb_plan_condition_parse (lb_plan_node_get_filter (node));
  {
    /* through a Materialize or Memoize of the inner side */
    LbPlanNode *inner = node;

    parent = lb_plan_node_get_parent (node);
    while (parent != NULL && (g_strcmp0 (lb_plan_node_get_node_type (parent), "Materialize") == 0 ||
                              g_strcmp0 (lb_plan_node_get_node_type (parent), "Memoize") == 0))
      {
        inner = parent;
        parent = lb_plan_node_get_parent (parent);
      }
    if (parent != NULL && g_strcmp0 (lb_plan_node_get_node_type (parent), "Nested Loop") == 0 &&
        g_strcmp0 (lb_plan_node_get_parent_relationship (inner), "Inner") == 0)
      join_terms = lb_plan_condition_parse (lb_plan_node_get_join_filter (parent));
  }

  reason = g_string_new (NULL);
  for (guint pass = 0; pass < 2; pass++)
    {
      GPtrArray *list = pass == 0 ? terms : join_terms;

      for (guint i = 0; list != NULL && i < list->len; i++)
        {
          LbConditionTerm *t = g_ptr_array_index (list, i);
          g_autofree char *element = NULL;

          /* A join term: the side that is this scan's column. */
          if (t->other_column != NULL && !is_own (node, t->qualifier) &&
              is_own (node, t->other_qualifier))
            element = quote_identifier (t->other_column);
          else if (is_own (node, t->qualifier))
            element = column_element (t);
          else
            continue;

          if (t->kind == LB_CONDITION_CONTAINMENT)
            {
              g_autoptr(GPtrArray) gin = g_ptr_array_new_with_free_func (g_free);

              if (t->expression)
                continue;
              g_ptr_array_add (gin, g_strdup (element));
              add_candidate (w, node,
                             advice_new (lb_plan_node_get_schema (node), relation, "gin", gin,
                                         lb_plan_node_get_filter (node), w->query_name));
              continue;
            }
          if (t->kind == LB_CONDITION_EQUALITY)
            {
              if (!has_column (equality, element))
                g_ptr_array_add (equality, g_steal_pointer (&element));
            }
          else if (range == NULL)
            range = g_steal_pointer (&element);
        }
    }

  for (guint i = 0; i < equality->len; i++)
    g_ptr_array_add (columns, g_strdup (g_ptr_array_index (equality, i)));
  if (range != NULL && !has_column (columns, range))
    g_ptr_array_add (columns, g_strdup (range));

  keys = sort_keys_above (node);
  if (columns->len > 0 && range == NULL && keys != NULL)
    for (guint i = 0; keys[i] != NULL; i++)
      {
        g_autofree char *qualifier = NULL, *column = NULL;
        g_autofree char *element = NULL;

        if (!lb_plan_condition_parse_column (keys[i], &qualifier, &column) || !is_own (node, qualifier))
          break;   /* a key of another relation: the order cannot come from this index */
        element = quote_identifier (column);
        if (!has_column (columns, element))
          g_ptr_array_add (columns, g_steal_pointer (&element));
      }

  if (columns->len > 0)
    {
      LbIndexAdvice *advice;

      if (lb_plan_node_get_filter (node) != NULL)
        g_string_append_printf (reason, "Filter: %s", lb_plan_node_get_filter (node));
      if (join_terms != NULL && join_terms->len > 0)
        g_string_append_printf (reason, "%sJoin Filter: %s", reason->len > 0 ? "; " : "",
                                lb_plan_node_get_join_filter (parent));
      advice = advice_new (lb_plan_node_get_schema (node), relation, "btree", columns,
                           reason->str, w->query_name);

      advice->n_equality = equality->len;
      add_candidate (w, node, advice);
    }
  g_string_free (reason, TRUE);
}

static GPtrArray *
plan_candidates (LbExplainPlan *plan,
                 const char    *query_name)
{
  g_autoptr(GPtrArray) relations = g_ptr_array_new_with_free_func ((GDestroyNotify) relation_free);
  Walk w = { relations, NULL, query_name };

  w.out = g_ptr_array_new_with_free_func ((GDestroyNotify) candidate_free);
  lb_plan_node_foreach (lb_explain_plan_get_root (plan), collect_relations, &w);
  lb_plan_node_foreach (lb_explain_plan_get_root (plan), scan_node, &w);
  return w.out;
}

GPtrArray *
lb_index_advisor_candidates (LbExplainPlan *plan,
                             const char    *query_name)
{
  g_autoptr(GPtrArray) candidates = NULL;
  GPtrArray *out;

  g_return_val_if_fail (LB_IS_EXPLAIN_PLAN (plan), NULL);

  candidates = plan_candidates (plan, query_name);
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_index_advice_free);
  for (guint i = 0; i < candidates->len; i++)
    {
      Candidate *c = g_ptr_array_index (candidates, i);

      g_ptr_array_add (out, g_steal_pointer (&c->advice));
    }
  return out;
}

/* ---- what the server has ---- */

typedef struct
{
  char   *name;
  char   *method;
  GStrv   columns;     /* normalised */
} Existing;

static void
existing_free (Existing *e)
{
  g_free (e->name);
  g_free (e->method);
  g_strfreev (e->columns);
  g_free (e);
}

/* Compared without spaces, quotes or outer parentheses: "(lower(x))" and
 * pg_get_indexdef's "lower(x)" are the same key. */
static char *
normalise (const char *element)
{
  GString *out = g_string_new (NULL);

  for (const char *p = element; *p != '\0'; p++)
    if (!g_ascii_isspace (*p) && *p != '"')
      g_string_append_c (out, *p);
  while (out->len >= 2 && out->str[0] == '(' && out->str[out->len - 1] == ')')
    {
      int depth = 0;
      gboolean whole = TRUE;

      for (gsize i = 0; i < out->len - 1; i++)
        {
          if (out->str[i] == '(')
            depth++;
          else if (out->str[i] == ')')
            depth--;
          if (depth == 0)
            {
              whole = FALSE;
              break;
            }
        }
      if (!whole)
        break;
      g_string_erase (out, out->len - 1, 1);
      g_string_erase (out, 0, 1);
    }
  return g_string_free (out, FALSE);
}

static gboolean
query_ok (PGconn       *conn,
          const char   *sql,
          int           n,
          const char  **values,
          PGresult    **out,
          GError      **error)
{
  PGresult *res = PQexecParams (conn, sql, n, NULL, values, NULL, NULL, 0);

  if (PQresultStatus (res) != PGRES_TUPLES_OK && PQresultStatus (res) != PGRES_COMMAND_OK)
    {
      g_set_error (error, LB_INDEX_ADVISOR_ERROR, LB_INDEX_ADVISOR_ERROR_SERVER, "%s",
                   g_strchomp (PQresultErrorMessage (res)));
      PQclear (res);
      return FALSE;
    }
  if (out != NULL)
    *out = res;
  else
    PQclear (res);
  return TRUE;
}

/* The relation's valid, non-partial indexes and its size. */
static gboolean
read_relation (PGconn      *conn,
               const char  *schema,
               const char  *table,
               GPtrArray   *existing,
               double      *reltuples,
               GError     **error)
{
  const char *params[] = { schema != NULL ? schema : "", table };
  PGresult *res = NULL;

  if (!query_ok (conn,
                 "SELECT ic.oid::regclass::text, am.amname,"
                 "       array_to_string (ARRAY (SELECT pg_get_indexdef (i.indexrelid, k, true)"
                 "                                FROM generate_series (1, i.indnkeyatts) k), E'\\x1f')"
                 "  FROM pg_index i"
                 "  JOIN pg_class ic ON ic.oid = i.indexrelid"
                 "  JOIN pg_am am ON am.oid = ic.relam"
                 " WHERE i.indrelid = to_regclass (CASE WHEN $1 = '' THEN quote_ident ($2)"
                 "                                 ELSE format ('%I.%I', $1, $2) END)"
                 "   AND i.indisvalid AND i.indpred IS NULL",
                 2, params, &res, error))
    return FALSE;
  for (int r = 0; r < PQntuples (res); r++)
    {
      Existing *e = g_new0 (Existing, 1);
      g_auto(GStrv) raw = g_strsplit (PQgetvalue (res, r, 2), "\x1f", -1);

      e->name = g_strdup (PQgetvalue (res, r, 0));
      e->method = g_strdup (PQgetvalue (res, r, 1));
      e->columns = g_new0 (char *, g_strv_length (raw) + 1);
      for (guint k = 0; raw[k] != NULL; k++)
        e->columns[k] = normalise (raw[k]);
      g_ptr_array_add (existing, e);
    }
  PQclear (res);

  if (!query_ok (conn,
                 "SELECT reltuples FROM pg_class"
                 " WHERE oid = to_regclass (CASE WHEN $1 = '' THEN quote_ident ($2)"
                 "                          ELSE format ('%I.%I', $1, $2) END)",
                 2, params, &res, error))
    return FALSE;
  *reltuples = PQntuples (res) > 0 ? g_ascii_strtod (PQgetvalue (res, 0, 0), NULL) : 0;
  PQclear (res);
  return TRUE;
}

/* An index covers a candidate when the candidate's columns are a prefix of
 * its own, the equality columns in any order. */
static const Existing *
find_covering (GPtrArray           *existing,
               const LbIndexAdvice *advice,
               guint                n_equality)
{
  guint n = g_strv_length (advice->columns);

  for (guint i = 0; i < existing->len; i++)
    {
      const Existing *e = g_ptr_array_index (existing, i);
      guint m = g_strv_length (e->columns);
      gboolean ok = TRUE;

      if (g_strcmp0 (e->method, advice->method) != 0)
        continue;
      if (g_strcmp0 (advice->method, "gin") == 0)
        {
          g_autofree char *col = normalise (advice->columns[0]);

          if (g_strv_contains ((const char * const *) e->columns, col))
            return e;
          continue;
        }
      if (m < n)
        continue;
      for (guint k = 0; k < n && ok; k++)
        {
          g_autofree char *col = normalise (advice->columns[k]);

          if (k < n_equality)
            {
              /* one of the first n_equality columns of the index */
              gboolean found = FALSE;

              for (guint j = 0; j < n_equality; j++)
                if (strcmp (e->columns[j], col) == 0)
                  found = TRUE;
              ok = found;
            }
          else
            ok = strcmp (e->columns[k], col) == 0;
        }
      if (ok)
        return e;
    }
  return NULL;
}

/* The hypopg extension's schema, or NULL with the sentence why not. */
static char *
find_hypopg (PGconn  *conn,
             char   **message)
{
  PGresult *res = PQexec (conn,
                          "SELECT n.nspname, (SELECT count(*) FROM pg_available_extensions"
                          "                     WHERE name = 'hypopg')"
                          "  FROM (SELECT 1) one"
                          "  LEFT JOIN pg_extension e ON e.extname = 'hypopg'"
                          "  LEFT JOIN pg_namespace n ON n.oid = e.extnamespace");
  char *schema = NULL;

  if (PQresultStatus (res) == PGRES_TUPLES_OK && PQntuples (res) == 1)
    {
      if (!PQgetisnull (res, 0, 0))
        schema = g_strdup (PQgetvalue (res, 0, 0));
      else if (strcmp (PQgetvalue (res, 0, 1), "0") != 0)
        *message = g_strdup (_("hypopg is available on this server but not created in this "
                               "database (CREATE EXTENSION hypopg;): no predicted plans"));
      else
        *message = g_strdup (_("hypopg is not installed on this server: no predicted plans"));
    }
  else
    *message = g_strdup_printf (_("hypopg could not be looked up: %s"),
                                g_strchomp (PQresultErrorMessage (res)));
  PQclear (res);
  return schema;
}

static void
predict (PGconn        *conn,
         const char    *hypopg_schema,
         Candidate     *c)
{
  LbIndexAdvice *a = c->advice;
  LbQueryPlans *plans = c->plans;
  g_autofree char *qschema = quote_identifier (hypopg_schema);
  g_autofree char *create = NULL, *create_sql = NULL, *reset = NULL;
  g_autoptr(LbExplainPlan) before = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *values;
  guint n_values = 0;
  const char *params[1];
  PGresult *res = NULL;
  g_autofree char *hypo_name = NULL;

  if (plans == NULL || lb_query_plans_get_n_samples (plans) == 0)
    return;
  values = lb_query_plans_get_sample_values (plans, 0, &n_values);

  before = lb_plan_explainer_explain_on (conn, lb_query_plans_get_sql_numbered (plans), values,
                                         n_values, FALSE, NULL, LB_PLAN_EXPLAINER_DEFAULT_TIMEOUT_MS,
                                         &error);
  if (before == NULL)
    {
      a->predict_error = g_strdup (error->message);
      return;
    }

  /* hypopg takes a plain CREATE INDEX, and names the index itself. */
  create = g_strdup (a->statement + strlen ("CREATE INDEX CONCURRENTLY "));
  create_sql = g_strdup_printf ("CREATE INDEX %s", create);
  {
    /* drop our name: "CREATE INDEX name ON …" → "CREATE INDEX ON …" */
    char *on = strstr (create_sql, " ON ");

    if (on != NULL)
      {
        g_autofree char *rest = g_strdup (on);

        create_sql[strlen ("CREATE INDEX")] = '\0';
        g_free (create);
        create = g_strconcat (create_sql, rest, NULL);
        g_free (create_sql);
        create_sql = g_steal_pointer (&create);
      }
  }
  /* no trailing semicolon for a function argument */
  if (g_str_has_suffix (create_sql, ";"))
    create_sql[strlen (create_sql) - 1] = '\0';
  params[0] = create_sql;
  {
    g_autofree char *sql = g_strdup_printf ("SELECT indexname FROM %s.hypopg_create_index ($1)", qschema);

    if (!query_ok (conn, sql, 1, params, &res, &error))
      {
        /* hypopg has no GIN, for one */
        a->predict_error = g_strdup_printf (_("hypopg cannot simulate it: %s"), error->message);
        return;
      }
  }
  if (PQntuples (res) > 0)
    hypo_name = g_strdup (PQgetvalue (res, 0, 0));
  PQclear (res);

  a->plan_after = lb_plan_explainer_explain_on (conn, lb_query_plans_get_sql_numbered (plans),
                                                values, n_values, FALSE, NULL,
                                                LB_PLAN_EXPLAINER_DEFAULT_TIMEOUT_MS, NULL);
  reset = g_strdup_printf ("SELECT %s.hypopg_reset ()", qschema);
  query_ok (conn, reset, 0, NULL, NULL, NULL);
  if (a->plan_after == NULL)
    return;
  a->predicted = TRUE;
  a->predicted_query = g_strdup (lb_query_plans_get_name (plans));
  a->cost_before = lb_explain_plan_get_total_cost (before);
  a->cost_after = lb_explain_plan_get_total_cost (a->plan_after);
  a->uses_index = hypo_name != NULL && lb_explain_plan_uses_index (a->plan_after, hypo_name);
}

static void
ignore_notice (void       *user_data,
               const char *message)
{
}

GPtrArray *
lb_index_advisor_advise (LbIndexAdvisor  *self,
                         GCancellable    *cancellable,
                         GError         **error)
{
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) candidate_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);   /* statement → Candidate */
  g_autoptr(GPtrArray) out = NULL;
  g_autofree char *hypopg_schema = NULL;
  PGconn *conn;

  g_return_val_if_fail (LB_IS_INDEX_ADVISOR (self), NULL);

  /* Candidates of every query, the same index once (with every query it serves). */
  for (guint i = 0; i < self->plans->len; i++)
    {
      LbQueryPlans *plans = g_ptr_array_index (self->plans, i);
      LbExplainPlan *plan = lb_query_plans_get_plan (plans);
      g_autoptr(GPtrArray) found = NULL;

      if (plan == NULL)
        continue;
      found = plan_candidates (plan, lb_query_plans_get_name (plans));
      for (guint k = 0; k < found->len; k++)
        {
          Candidate *c = g_ptr_array_index (found, k);
          Candidate *old = g_hash_table_lookup (seen, c->advice->statement);

          if (old != NULL)
            {
              if (!g_ptr_array_find_with_equal_func (old->advice->queries,
                                                     lb_query_plans_get_name (plans),
                                                     g_str_equal, NULL))
                g_ptr_array_add (old->advice->queries, g_strdup (lb_query_plans_get_name (plans)));
              old->kept = MIN (old->kept, c->kept);
              old->read = MAX (old->read, c->read);
              continue;
            }
          c->plans = plans;
          g_ptr_array_index (found, k) = NULL;
          g_ptr_array_add (candidates, c);
          g_hash_table_insert (seen, c->advice->statement, c);
        }
      g_ptr_array_set_free_func (found, NULL);
    }

  conn = PQconnectdb (self->conninfo);
  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_set_error (error, LB_INDEX_ADVISOR_ERROR, LB_INDEX_ADVISOR_ERROR_CONNECT,
                   _("Could not connect to the server: %s"), g_strchomp (PQerrorMessage (conn)));
      PQfinish (conn);
      return NULL;
    }
  PQsetNoticeProcessor (conn, ignore_notice, NULL);

  g_ptr_array_set_size (self->covered, 0);
  g_clear_pointer (&self->hypopg_message, g_free);
  hypopg_schema = find_hypopg (conn, &self->hypopg_message);
  self->hypopg = hypopg_schema != NULL;

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_index_advice_free);
  for (guint i = 0; i < candidates->len; i++)
    {
      Candidate *c = g_ptr_array_index (candidates, i);
      g_autoptr(GPtrArray) existing = g_ptr_array_new_with_free_func ((GDestroyNotify) existing_free);
      const Existing *cover;
      double reltuples = 0, read;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          PQfinish (conn);
          return NULL;
        }
      if (!read_relation (conn, c->advice->schema, c->advice->table, existing, &reltuples, error))
        {
          PQfinish (conn);
          return NULL;
        }

      /* Only where an index pays: a large relation, a selective scan. */
      read = c->read >= 0 ? c->read : reltuples;
      if (MAX (read, reltuples) < LB_INDEX_ADVISOR_MIN_ROWS ||
          c->kept > MAX (read, 1) * LB_INDEX_ADVISOR_SELECTIVE_SHARE)
        continue;

      cover = find_covering (existing, c->advice, c->advice->n_equality);
      if (cover != NULL)
        {
          LbIndexCovered *covered = g_new0 (LbIndexCovered, 1);

          covered->statement = g_strdup (c->advice->statement);
          covered->covered_by = g_strdup (cover->name);
          g_ptr_array_add (self->covered, covered);
          continue;
        }
      if (hypopg_schema != NULL)
        predict (conn, hypopg_schema, c);
      g_ptr_array_add (out, g_steal_pointer (&c->advice));
    }
  PQfinish (conn);
  return g_steal_pointer (&out);
}

static void
advise_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *result = lb_index_advisor_advise (source_object, cancellable, &error);

  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) g_ptr_array_unref);
}

void
lb_index_advisor_advise_async (LbIndexAdvisor      *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LB_IS_INDEX_ADVISOR (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_index_advisor_advise_async);
  g_task_run_in_thread (task, advise_thread);
}

GPtrArray *
lb_index_advisor_advise_finish (LbIndexAdvisor  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
