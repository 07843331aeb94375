/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbServerSnapshot: reading the statistics views of one database, their
 * JSON in the run record, and what changed between two snapshots. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-server-snapshot.h"

/* The biggest tables and indexes kept: a schema of thousands of tables
 * must not make every record megabytes. */
#define MAX_TABLES  50
#define MAX_INDEXES 50
/* Statement texts longer than this are cut: the record shows them, it does
 * not replay them. */
#define MAX_QUERY_CHARS 400

static void
table_stats_free (LbServerTableStats *stats)
{
  g_free (stats->schema);
  g_free (stats->name);
  g_free (stats);
}

static void
index_stats_free (LbServerIndexStats *stats)
{
  g_free (stats->schema);
  g_free (stats->table);
  g_free (stats->name);
  g_free (stats);
}

static void
statement_free (LbServerStatement *statement)
{
  g_free (statement->query);
  g_free (statement);
}

static void
wait_free (LbServerWait *wait)
{
  g_free (wait->event);
  g_free (wait);
}

LbServerSnapshot *
lb_server_snapshot_new (void)
{
  LbServerSnapshot *self = g_new0 (LbServerSnapshot, 1);

  self->tables = g_ptr_array_new_with_free_func ((GDestroyNotify) table_stats_free);
  self->indexes = g_ptr_array_new_with_free_func ((GDestroyNotify) index_stats_free);
  self->statements = g_ptr_array_new_with_free_func ((GDestroyNotify) statement_free);
  self->waits = g_ptr_array_new_with_free_func ((GDestroyNotify) wait_free);
  self->notes = g_ptr_array_new_with_free_func (g_free);
  return self;
}

void
lb_server_snapshot_free (LbServerSnapshot *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->tables);
  g_ptr_array_unref (self->indexes);
  g_ptr_array_unref (self->statements);
  g_ptr_array_unref (self->waits);
  g_ptr_array_unref (self->notes);
  g_free (self);
}

double
lb_server_snapshot_hit_ratio (const LbServerSnapshot *self)
{
  guint64 total = self->blks_hit + self->blks_read;

  return total > 0 ? (double) self->blks_hit / total : NAN;
}

/* Reading ------------------------------------------------------------------- */

/* Every query of ours starts with this comment, which pg_stat_statements
 * keeps in its text: the run's top statements leave ours out. */
#define OURS "/* lakebase-accelerator statistics */ "

static guint64
value_u64 (PGresult *result, int row, int column)
{
  const char *text = PQgetvalue (result, row, column);

  return PQgetisnull (result, row, column) ? 0 : g_ascii_strtoull (text, NULL, 10);
}

static double
value_double (PGresult *result, int row, int column)
{
  return PQgetisnull (result, row, column) ? 0 : g_ascii_strtod (PQgetvalue (result, row, column), NULL);
}

/* Runs @sql; on failure adds "@what could not be read: …" to the notes. */
static PGresult *
query_or_note (LbServerSnapshot *self,
               PGconn           *conn,
               const char       *sql,
               const char       *what)
{
  PGresult *result = PQexec (conn, sql);

  if (PQresultStatus (result) != PGRES_TUPLES_OK)
    {
      g_autofree char *message = g_strstrip (g_strdup (PQresultErrorMessage (result)));

      /* Translators: %s is a view ("pg_stat_database"), then the server's message. */
      g_ptr_array_add (self->notes, g_strdup_printf (_("%s could not be read: %s"), what, message));
      PQclear (result);
      return NULL;
    }
  return result;
}

static const char database_sql[] =
  OURS "SELECT xact_commit, xact_rollback, blks_read, blks_hit, tup_returned, tup_fetched,"
  "       tup_inserted, tup_updated, tup_deleted, temp_files, temp_bytes, deadlocks, numbackends"
  "  FROM pg_stat_database WHERE datname = current_database()";

static const char tables_sql[] =
  OURS "SELECT schemaname, relname, coalesce (seq_scan, 0), coalesce (seq_tup_read, 0),"
  "       coalesce (idx_scan, 0), coalesce (n_live_tup, 0)"
  "  FROM pg_stat_user_tables"
  " ORDER BY n_live_tup DESC, seq_scan DESC, relname LIMIT " G_STRINGIFY (MAX_TABLES);

static const char indexes_sql[] =
  OURS "SELECT s.schemaname, s.relname, s.indexrelname, coalesce (s.idx_scan, 0),"
  "       pg_relation_size (s.indexrelid), i.indisunique"
  "  FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid"
  " ORDER BY s.idx_scan, pg_relation_size (s.indexrelid) DESC, s.indexrelname"
  " LIMIT " G_STRINGIFY (MAX_INDEXES);

/* pg_stat_statements lives in whichever schema it was created in. */
static const char statements_schema_sql[] =
  OURS "SELECT quote_ident (n.nspname) FROM pg_extension e"
  "  JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'";

/* The sampler's own backend is left out: it is always active while it looks. */
static const char waits_sql[] =
  OURS "SELECT coalesce (wait_event_type || ':' || wait_event, 'CPU'), count(*)"
  "  FROM pg_stat_activity"
  " WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active'"
  " GROUP BY 1 ORDER BY 2 DESC, 1";

static void
read_database (LbServerSnapshot *self,
               PGconn           *conn)
{
  PGresult *result = query_or_note (self, conn, database_sql, "pg_stat_database");

  if (result == NULL)
    return;
  if (PQntuples (result) == 1)
    {
      self->has_database = TRUE;
      self->xact_commit = value_u64 (result, 0, 0);
      self->xact_rollback = value_u64 (result, 0, 1);
      self->blks_read = value_u64 (result, 0, 2);
      self->blks_hit = value_u64 (result, 0, 3);
      self->tup_returned = value_u64 (result, 0, 4);
      self->tup_fetched = value_u64 (result, 0, 5);
      self->tup_inserted = value_u64 (result, 0, 6);
      self->tup_updated = value_u64 (result, 0, 7);
      self->tup_deleted = value_u64 (result, 0, 8);
      self->temp_files = value_u64 (result, 0, 9);
      self->temp_bytes = value_u64 (result, 0, 10);
      self->deadlocks = value_u64 (result, 0, 11);
      self->backends = (guint) value_u64 (result, 0, 12);
    }
  PQclear (result);
}

static void
read_tables (LbServerSnapshot *self,
             PGconn           *conn)
{
  PGresult *result = query_or_note (self, conn, tables_sql, "pg_stat_user_tables");

  if (result == NULL)
    return;
  for (int i = 0; i < PQntuples (result); i++)
    {
      LbServerTableStats *stats = g_new0 (LbServerTableStats, 1);

      stats->schema = g_strdup (PQgetvalue (result, i, 0));
      stats->name = g_strdup (PQgetvalue (result, i, 1));
      stats->seq_scan = value_u64 (result, i, 2);
      stats->seq_tup_read = value_u64 (result, i, 3);
      stats->idx_scan = value_u64 (result, i, 4);
      stats->n_live_tup = value_u64 (result, i, 5);
      g_ptr_array_add (self->tables, stats);
    }
  PQclear (result);
}

static void
read_indexes (LbServerSnapshot *self,
              PGconn           *conn)
{
  PGresult *result = query_or_note (self, conn, indexes_sql, "pg_stat_user_indexes");

  if (result == NULL)
    return;
  for (int i = 0; i < PQntuples (result); i++)
    {
      LbServerIndexStats *stats = g_new0 (LbServerIndexStats, 1);

      stats->schema = g_strdup (PQgetvalue (result, i, 0));
      stats->table = g_strdup (PQgetvalue (result, i, 1));
      stats->name = g_strdup (PQgetvalue (result, i, 2));
      stats->idx_scan = value_u64 (result, i, 3);
      stats->size_bytes = value_u64 (result, i, 4);
      stats->unique = g_str_equal (PQgetvalue (result, i, 5), "t");
      g_ptr_array_add (self->indexes, stats);
    }
  PQclear (result);
}

typedef struct
{
  guint64 calls;
  double  total_ms;
  guint64 rows;
} Figures;

GHashTable *
lb_server_statements_baseline_new (void)
{
  return g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
}

static int
statement_by_time_desc (gconstpointer a, gconstpointer b)
{
  const LbServerStatement *sa = *(LbServerStatement **) a, *sb = *(LbServerStatement **) b;

  return (sa->total_ms < sb->total_ms) - (sa->total_ms > sb->total_ms);
}

/* Every statement's figures (without its text: cheap), the top ones by
 * time since @baseline, then only their texts. */
static void
read_statements (LbServerSnapshot *self,
                 PGconn           *conn,
                 GHashTable       *baseline)
{
  PGresult *result = query_or_note (self, conn, statements_schema_sql, "pg_extension");
  g_autofree char *schema = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(GPtrArray) all = NULL;
  gboolean first = baseline != NULL && g_hash_table_size (baseline) == 0;
  GString *ids;

  if (result == NULL)
    return;
  if (PQntuples (result) == 0)
    {
      g_ptr_array_add (self->notes, g_strdup (_("pg_stat_statements is not installed")));
      PQclear (result);
      return;
    }
  schema = g_strdup (PQgetvalue (result, 0, 0));
  PQclear (result);

  /* total_exec_time is PostgreSQL 13's name (total_time before). */
  sql = g_strdup_printf (OURS "SELECT queryid, sum (calls), sum (total_exec_time), sum (rows)"
                         "  FROM %s.pg_stat_statements"
                         " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
                         "   AND queryid IS NOT NULL AND query NOT LIKE '" OURS "%%' GROUP BY queryid", schema);
  result = query_or_note (self, conn, sql, "pg_stat_statements");
  if (result == NULL)
    return;
  self->has_statements = TRUE;
  self->statements_since_start = baseline != NULL && !first;

  all = g_ptr_array_new_with_free_func ((GDestroyNotify) statement_free);
  for (int i = 0; i < PQntuples (result); i++)
    {
      LbServerStatement *statement = g_new0 (LbServerStatement, 1);
      const Figures *before;

      statement->queryid = g_ascii_strtoll (PQgetvalue (result, i, 0), NULL, 10);
      statement->calls = value_u64 (result, i, 1);
      statement->total_ms = value_double (result, i, 2);
      statement->rows = value_u64 (result, i, 3);
      if (first)
        {
          gint64 *key = g_new (gint64, 1);
          Figures *figures = g_new (Figures, 1);

          *key = statement->queryid;
          *figures = (Figures) { statement->calls, statement->total_ms, statement->rows };
          g_hash_table_insert (baseline, key, figures);
        }
      else if (baseline != NULL && (before = g_hash_table_lookup (baseline, &statement->queryid)) != NULL)
        {
          statement->calls = statement->calls >= before->calls ? statement->calls - before->calls : statement->calls;
          statement->total_ms = MAX (statement->total_ms - before->total_ms, 0);
          statement->rows = statement->rows >= before->rows ? statement->rows - before->rows : statement->rows;
        }
      statement->mean_ms = statement->calls > 0 ? statement->total_ms / statement->calls : 0;
      if (statement->calls > 0)
        g_ptr_array_add (all, statement);
      else
        statement_free (statement);
    }
  PQclear (result);

  g_ptr_array_sort (all, statement_by_time_desc);
  if (all->len > LB_SERVER_SNAPSHOT_TOP_STATEMENTS)
    g_ptr_array_set_size (all, LB_SERVER_SNAPSHOT_TOP_STATEMENTS);
  if (all->len == 0)
    return;

  /* The texts of the few kept; the ids are our own numbers. */
  ids = g_string_new (NULL);
  for (guint i = 0; i < all->len; i++)
    g_string_append_printf (ids, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
                            ((LbServerStatement *) g_ptr_array_index (all, i))->queryid);
  g_free (sql);
  sql = g_strdup_printf (OURS "SELECT DISTINCT ON (queryid) queryid, query FROM %s.pg_stat_statements"
                         " WHERE queryid IN (%s) AND query IS NOT NULL", schema, ids->str);
  g_string_free (ids, TRUE);
  result = query_or_note (self, conn, sql, "pg_stat_statements");
  for (int i = 0; result != NULL && i < PQntuples (result); i++)
    {
      gint64 queryid = g_ascii_strtoll (PQgetvalue (result, i, 0), NULL, 10);
      const char *query = PQgetvalue (result, i, 1);

      for (guint k = 0; k < all->len; k++)
        {
          LbServerStatement *statement = g_ptr_array_index (all, k);

          if (statement->queryid == queryid && statement->query == NULL)
            statement->query = g_utf8_make_valid (query, MIN (strlen (query), MAX_QUERY_CHARS));
        }
    }
  g_clear_pointer (&result, PQclear);
  for (guint k = 0; k < all->len; k++)
    {
      LbServerStatement *statement = g_ptr_array_index (all, k);

      if (statement->query == NULL)
        statement->query = g_strdup ("");
    }
  g_ptr_array_extend_and_steal (self->statements, g_steal_pointer (&all));
}

static void
read_waits (LbServerSnapshot *self,
            PGconn           *conn)
{
  PGresult *result = query_or_note (self, conn, waits_sql, "pg_stat_activity");

  if (result == NULL)
    return;
  for (int i = 0; i < PQntuples (result); i++)
    {
      LbServerWait *wait = g_new0 (LbServerWait, 1);

      wait->event = g_strdup (PQgetvalue (result, i, 0));
      wait->count = value_u64 (result, i, 1);
      g_ptr_array_add (self->waits, wait);
    }
  PQclear (result);
}

LbServerSnapshot *
lb_server_snapshot_take (PGconn     *conn,
                         double      t,
                         GHashTable *baseline,
                         gboolean    full,
                         GError    **error)
{
  LbServerSnapshot *self;

  g_return_val_if_fail (conn != NULL, NULL);

  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                   _("The statistics connection is down: %s"), PQerrorMessage (conn));
      return NULL;
    }

  self = lb_server_snapshot_new ();
  self->t = t;
  self->time_us = g_get_real_time ();
  read_database (self, conn);
  if (full)
    {
      read_tables (self, conn);
      read_indexes (self, conn);
      read_statements (self, conn, baseline);
    }
  read_waits (self, conn);
  return self;
}

/* JSON ---------------------------------------------------------------------- */

static void
add_uint (JsonBuilder *builder, const char *name, guint64 value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, (gint64) MIN (value, (guint64) G_MAXINT64));
}

static void
add_double (JsonBuilder *builder, const char *name, double value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_double_value (builder, isfinite (value) ? value : 0);
}

static void
add_string (JsonBuilder *builder, const char *name, const char *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value != NULL ? value : "");
}

JsonNode *
lb_server_snapshot_to_json (const LbServerSnapshot *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_double (builder, "t", self->t);
  add_uint (builder, "time_us", (guint64) MAX (self->time_us, 0));
  if (self->has_database)
    {
      json_builder_set_member_name (builder, "database");
      json_builder_begin_object (builder);
      add_uint (builder, "xact_commit", self->xact_commit);
      add_uint (builder, "xact_rollback", self->xact_rollback);
      add_uint (builder, "blks_read", self->blks_read);
      add_uint (builder, "blks_hit", self->blks_hit);
      add_uint (builder, "tup_returned", self->tup_returned);
      add_uint (builder, "tup_fetched", self->tup_fetched);
      add_uint (builder, "tup_inserted", self->tup_inserted);
      add_uint (builder, "tup_updated", self->tup_updated);
      add_uint (builder, "tup_deleted", self->tup_deleted);
      add_uint (builder, "temp_files", self->temp_files);
      add_uint (builder, "temp_bytes", self->temp_bytes);
      add_uint (builder, "deadlocks", self->deadlocks);
      add_uint (builder, "backends", self->backends);
      json_builder_end_object (builder);
    }

  json_builder_set_member_name (builder, "tables");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->tables->len; i++)
    {
      const LbServerTableStats *s = g_ptr_array_index (self->tables, i);

      json_builder_begin_object (builder);
      add_string (builder, "schema", s->schema);
      add_string (builder, "name", s->name);
      add_uint (builder, "seq_scan", s->seq_scan);
      add_uint (builder, "seq_tup_read", s->seq_tup_read);
      add_uint (builder, "idx_scan", s->idx_scan);
      add_uint (builder, "n_live_tup", s->n_live_tup);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "indexes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->indexes->len; i++)
    {
      const LbServerIndexStats *s = g_ptr_array_index (self->indexes, i);

      json_builder_begin_object (builder);
      add_string (builder, "schema", s->schema);
      add_string (builder, "table", s->table);
      add_string (builder, "name", s->name);
      add_uint (builder, "idx_scan", s->idx_scan);
      add_uint (builder, "size_bytes", s->size_bytes);
      json_builder_set_member_name (builder, "unique");
      json_builder_add_boolean_value (builder, s->unique);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  if (self->has_statements)
    {
      json_builder_set_member_name (builder, "statements_since_start");
      json_builder_add_boolean_value (builder, self->statements_since_start);
      json_builder_set_member_name (builder, "statements");
      json_builder_begin_array (builder);
      for (guint i = 0; i < self->statements->len; i++)
        {
          const LbServerStatement *s = g_ptr_array_index (self->statements, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "queryid");
          json_builder_add_int_value (builder, s->queryid);
          add_string (builder, "query", s->query);
          add_uint (builder, "calls", s->calls);
          add_double (builder, "total_ms", s->total_ms);
          add_double (builder, "mean_ms", s->mean_ms);
          add_uint (builder, "rows", s->rows);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }

  json_builder_set_member_name (builder, "waits");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->waits->len; i++)
    {
      const LbServerWait *w = g_ptr_array_index (self->waits, i);

      json_builder_begin_object (builder);
      add_string (builder, "event", w->event);
      add_uint (builder, "count", w->count);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "notes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->notes->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (self->notes, i));
  json_builder_end_array (builder);

  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static gboolean
bad (GError **error, const char *name, const char *expected)
{
  /* Translators: a member of a run record's server snapshot, then what it should be. */
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               _("The server snapshot’s “%s” is not %s"), name, expected);
  return FALSE;
}

static gboolean
read_u64 (JsonObject *object, const char *name, guint64 *value, GError **error)
{
  JsonNode *node = json_object_get_member (object, name);

  *value = 0;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64
      || json_node_get_int (node) < 0)
    return bad (error, name, _("a whole number ≥ 0"));
  *value = (guint64) json_node_get_int (node);
  return TRUE;
}

static gboolean
read_i64 (JsonObject *object, const char *name, gint64 *value, GError **error)
{
  JsonNode *node = json_object_get_member (object, name);

  *value = 0;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return bad (error, name, _("a whole number"));
  *value = json_node_get_int (node);
  return TRUE;
}

static gboolean
read_dbl (JsonObject *object, const char *name, double *value, GError **error)
{
  JsonNode *node = json_object_get_member (object, name);
  GType type;

  *value = 0;
  if (node == NULL)
    return TRUE;
  type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    return bad (error, name, _("a number"));
  *value = json_node_get_double (node);
  if (!isfinite (*value))
    *value = 0;
  return TRUE;
}

static gboolean
read_str (JsonObject *object, const char *name, char **value, GError **error)
{
  JsonNode *node = json_object_get_member (object, name);

  *value = NULL;
  if (node == NULL)
    {
      *value = g_strdup ("");
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return bad (error, name, _("a string"));
  *value = g_strdup (json_node_get_string (node));
  return TRUE;
}

/* The array @name of objects (missing: empty), each passed to @read_one. */
typedef gboolean (*ReadOne) (JsonObject *object, GPtrArray *into, GError **error);

static gboolean
read_objects (JsonObject *object, const char *name, GPtrArray *into, ReadOne read_one,
              gboolean *present, GError **error)
{
  JsonNode *node = json_object_get_member (object, name);
  JsonArray *array;

  if (present != NULL)
    *present = node != NULL;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return bad (error, name, _("an array"));
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return bad (error, name, _("an array of objects"));
      if (!read_one (json_node_get_object (element), into, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
read_table (JsonObject *o, GPtrArray *into, GError **error)
{
  LbServerTableStats *s = g_new0 (LbServerTableStats, 1);

  g_ptr_array_add (into, s);
  return read_str (o, "schema", &s->schema, error) && read_str (o, "name", &s->name, error)
         && read_u64 (o, "seq_scan", &s->seq_scan, error)
         && read_u64 (o, "seq_tup_read", &s->seq_tup_read, error)
         && read_u64 (o, "idx_scan", &s->idx_scan, error)
         && read_u64 (o, "n_live_tup", &s->n_live_tup, error);
}

static gboolean
read_index (JsonObject *o, GPtrArray *into, GError **error)
{
  LbServerIndexStats *s = g_new0 (LbServerIndexStats, 1);
  JsonNode *unique;

  g_ptr_array_add (into, s);
  if (!read_str (o, "schema", &s->schema, error) || !read_str (o, "table", &s->table, error)
      || !read_str (o, "name", &s->name, error) || !read_u64 (o, "idx_scan", &s->idx_scan, error)
      || !read_u64 (o, "size_bytes", &s->size_bytes, error))
    return FALSE;
  unique = json_object_get_member (o, "unique");
  if (unique != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (unique) || json_node_get_value_type (unique) != G_TYPE_BOOLEAN)
        return bad (error, "unique", _("true or false"));
      s->unique = json_node_get_boolean (unique);
    }
  return TRUE;
}

static gboolean
read_statement (JsonObject *o, GPtrArray *into, GError **error)
{
  LbServerStatement *s = g_new0 (LbServerStatement, 1);

  g_ptr_array_add (into, s);
  return read_i64 (o, "queryid", &s->queryid, error) && read_str (o, "query", &s->query, error)
         && read_u64 (o, "calls", &s->calls, error) && read_dbl (o, "total_ms", &s->total_ms, error)
         && read_dbl (o, "mean_ms", &s->mean_ms, error) && read_u64 (o, "rows", &s->rows, error);
}

static gboolean
read_wait (JsonObject *o, GPtrArray *into, GError **error)
{
  LbServerWait *w = g_new0 (LbServerWait, 1);

  g_ptr_array_add (into, w);
  return read_str (o, "event", &w->event, error) && read_u64 (o, "count", &w->count, error);
}

LbServerSnapshot *
lb_server_snapshot_new_from_json (JsonNode  *node,
                                  GError   **error)
{
  g_autoptr(LbServerSnapshot) self = lb_server_snapshot_new ();
  JsonObject *object, *db;
  JsonNode *db_node, *notes;
  guint64 time_us, backends;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      bad (error, "snapshot", _("an object"));
      return NULL;
    }
  object = json_node_get_object (node);
  if (!read_dbl (object, "t", &self->t, error) || !read_u64 (object, "time_us", &time_us, error))
    return NULL;
  self->time_us = (gint64) time_us;

  db_node = json_object_get_member (object, "database");
  if (db_node != NULL)
    {
      if (!JSON_NODE_HOLDS_OBJECT (db_node))
        {
          bad (error, "database", _("an object"));
          return NULL;
        }
      db = json_node_get_object (db_node);
      self->has_database = TRUE;
      if (!read_u64 (db, "xact_commit", &self->xact_commit, error)
          || !read_u64 (db, "xact_rollback", &self->xact_rollback, error)
          || !read_u64 (db, "blks_read", &self->blks_read, error)
          || !read_u64 (db, "blks_hit", &self->blks_hit, error)
          || !read_u64 (db, "tup_returned", &self->tup_returned, error)
          || !read_u64 (db, "tup_fetched", &self->tup_fetched, error)
          || !read_u64 (db, "tup_inserted", &self->tup_inserted, error)
          || !read_u64 (db, "tup_updated", &self->tup_updated, error)
          || !read_u64 (db, "tup_deleted", &self->tup_deleted, error)
          || !read_u64 (db, "temp_files", &self->temp_files, error)
          || !read_u64 (db, "temp_bytes", &self->temp_bytes, error)
          || !read_u64 (db, "deadlocks", &self->deadlocks, error)
          || !read_u64 (db, "backends", &backends, error))
        return NULL;
      self->backends = (guint) MIN (backends, G_MAXUINT);
    }

  if (!read_objects (object, "tables", self->tables, read_table, NULL, error)
      || !read_objects (object, "indexes", self->indexes, read_index, NULL, error)
      || !read_objects (object, "statements", self->statements, read_statement, &self->has_statements, error)
      || !read_objects (object, "waits", self->waits, read_wait, NULL, error))
    return NULL;

  {
    JsonNode *since = json_object_get_member (object, "statements_since_start");

    if (since != NULL)
      {
        if (!JSON_NODE_HOLDS_VALUE (since) || json_node_get_value_type (since) != G_TYPE_BOOLEAN)
          {
            bad (error, "statements_since_start", _("true or false"));
            return NULL;
          }
        self->statements_since_start = json_node_get_boolean (since);
      }
  }

  notes = json_object_get_member (object, "notes");
  if (notes != NULL)
    {
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (notes))
        {
          bad (error, "notes", _("an array"));
          return NULL;
        }
      array = json_node_get_array (notes);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *note = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_VALUE (note) || json_node_get_value_type (note) != G_TYPE_STRING)
            {
              bad (error, "notes", _("an array of strings"));
              return NULL;
            }
          g_ptr_array_add (self->notes, g_strdup (json_node_get_string (note)));
        }
    }

  return g_steal_pointer (&self);
}

/* Deltas -------------------------------------------------------------------- */

static guint64
minus (guint64 end, guint64 start)
{
  /* A statistics reset during the run makes the counters go back. */
  return end >= start ? end - start : end;
}

static int
statement_by_time (gconstpointer a, gconstpointer b)
{
  const LbServerStatement *sa = *(LbServerStatement **) a, *sb = *(LbServerStatement **) b;

  return (sa->total_ms < sb->total_ms) - (sa->total_ms > sb->total_ms);
}

static int
wait_by_count (gconstpointer a, gconstpointer b)
{
  const LbServerWait *wa = *(LbServerWait **) a, *wb = *(LbServerWait **) b;

  if (wa->count != wb->count)
    return wa->count < wb->count ? 1 : -1;
  return g_strcmp0 (wa->event, wb->event);
}

static const LbServerTableStats *
find_table (const LbServerSnapshot *snapshot, const char *schema, const char *name)
{
  for (guint i = 0; i < snapshot->tables->len; i++)
    {
      const LbServerTableStats *s = g_ptr_array_index (snapshot->tables, i);

      if (g_strcmp0 (s->name, name) == 0 && (schema == NULL || g_strcmp0 (s->schema, schema) == 0))
        return s;
    }
  return NULL;
}

LbServerDelta *
lb_server_delta_compute (GPtrArray *snapshots)
{
  const LbServerSnapshot *start, *end;
  LbServerDelta *self;
  g_autoptr(GHashTable) waits = NULL;

  if (snapshots == NULL || snapshots->len < 2)
    return NULL;
  start = g_ptr_array_index (snapshots, 0);
  end = g_ptr_array_index (snapshots, snapshots->len - 1);

  self = g_new0 (LbServerDelta, 1);
  self->statements = g_ptr_array_new_with_free_func ((GDestroyNotify) statement_free);
  self->waits = g_ptr_array_new_with_free_func ((GDestroyNotify) wait_free);
  self->seconds = end->t - start->t;
  self->has_database = start->has_database && end->has_database;
  if (self->has_database)
    {
      self->commits = minus (end->xact_commit, start->xact_commit);
      self->rollbacks = minus (end->xact_rollback, start->xact_rollback);
      self->blks_hit = minus (end->blks_hit, start->blks_hit);
      self->blks_read = minus (end->blks_read, start->blks_read);
      self->temp_files = minus (end->temp_files, start->temp_files);
      self->temp_bytes = minus (end->temp_bytes, start->temp_bytes);
      self->deadlocks = minus (end->deadlocks, start->deadlocks);
    }
  self->hit_ratio = self->blks_hit + self->blks_read > 0
                    ? (double) self->blks_hit / (self->blks_hit + self->blks_read) : NAN;

  /* Tables are matched by name: one kept in only one snapshot counts whole. */
  self->seq_scans = 0;
  self->idx_scans = 0;
  for (guint i = 0; i < end->tables->len; i++)
    {
      const LbServerTableStats *e = g_ptr_array_index (end->tables, i);
      const LbServerTableStats *s = find_table (start, e->schema, e->name);

      self->seq_scans += minus (e->seq_scan, s != NULL ? s->seq_scan : 0);
      self->idx_scans += minus (e->idx_scan, s != NULL ? s->idx_scan : 0);
    }

  /* Statements: calls and time during the run, by queryid. One that was
   * outside the start's top list counts whole (its earlier calls too). */
  self->has_statements = end->has_statements;
  for (guint i = 0; end->statements_since_start && i < end->statements->len; i++)
    {
      const LbServerStatement *e = g_ptr_array_index (end->statements, i);
      LbServerStatement *d = g_new0 (LbServerStatement, 1);

      *d = *e;
      d->query = g_strdup (e->query);
      g_ptr_array_add (self->statements, d);
    }
  for (guint i = 0; !end->statements_since_start && i < end->statements->len; i++)
    {
      const LbServerStatement *e = g_ptr_array_index (end->statements, i);
      const LbServerStatement *s = NULL;
      LbServerStatement *d;

      for (guint j = 0; j < start->statements->len && s == NULL; j++)
        {
          const LbServerStatement *candidate = g_ptr_array_index (start->statements, j);

          if (candidate->queryid == e->queryid)
            s = candidate;
        }
      d = g_new0 (LbServerStatement, 1);
      d->queryid = e->queryid;
      d->query = g_strdup (e->query);
      d->calls = minus (e->calls, s != NULL ? s->calls : 0);
      d->total_ms = s != NULL && e->total_ms >= s->total_ms ? e->total_ms - s->total_ms : e->total_ms;
      d->rows = minus (e->rows, s != NULL ? s->rows : 0);
      d->mean_ms = d->calls > 0 ? d->total_ms / d->calls : 0;
      if (d->calls == 0)
        statement_free (d);
      else
        g_ptr_array_add (self->statements, d);
    }
  g_ptr_array_sort (self->statements, statement_by_time);

  waits = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < snapshots->len; i++)
    {
      const LbServerSnapshot *snapshot = g_ptr_array_index (snapshots, i);

      for (guint j = 0; j < snapshot->waits->len; j++)
        {
          const LbServerWait *w = g_ptr_array_index (snapshot->waits, j);
          LbServerWait *sum = g_hash_table_lookup (waits, w->event);

          if (sum == NULL)
            {
              sum = g_new0 (LbServerWait, 1);
              sum->event = g_strdup (w->event);
              g_ptr_array_add (self->waits, sum);
              g_hash_table_insert (waits, sum->event, sum);
            }
          sum->count += w->count;
        }
    }
  g_ptr_array_sort (self->waits, wait_by_count);

  return self;
}

void
lb_server_delta_free (LbServerDelta *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->statements);
  g_ptr_array_unref (self->waits);
  g_free (self);
}

gboolean
lb_server_delta_table_scans (GPtrArray  *snapshots,
                             const char *table,
                             guint64    *seq_scans,
                             guint64    *idx_scans)
{
  const LbServerSnapshot *start, *end;
  const LbServerTableStats *s, *e;

  *seq_scans = *idx_scans = 0;
  if (snapshots == NULL || snapshots->len < 2)
    return FALSE;
  start = g_ptr_array_index (snapshots, 0);
  end = g_ptr_array_index (snapshots, snapshots->len - 1);
  e = find_table (end, NULL, table);
  if (e == NULL)
    return FALSE;
  s = find_table (start, e->schema, table);
  *seq_scans = minus (e->seq_scan, s != NULL ? s->seq_scan : 0);
  *idx_scans = minus (e->idx_scan, s != NULL ? s->idx_scan : 0);
  return TRUE;
}
