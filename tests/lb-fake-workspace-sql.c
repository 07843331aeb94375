/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SQL warehouses, SQL statements and Unity Catalog tables for the fake
 * workspace; see lb-fake-workspace-sql.h for the behaviour. Handlers run in
 * the fake's thread with its lock held. */
#include "config.h"

#include <string.h>

#include "lb-fake-workspace-sql.h"

#define SIZE_QUERY "SELECT COALESCE(SUM(LEN(TO_CSV(STRUCT(*))) + 32), 0) FROM "
#define WAREHOUSES_PAGE 2

typedef struct
{
  char     *full_name;
  gint64    uncompressed_bytes;
  GStrv     primary_keys;
  gboolean  change_data_feed;
  gboolean  is_view;
  char     *table_id;
} Table;

typedef struct
{
  char     *id;
  char     *name;
  char     *state;
  gboolean  serverless;
} Warehouse;

typedef enum
{
  QUERY_SIZE,
  QUERY_DESCRIBE_DETAIL,
  QUERY_SHOW_PROPERTIES,   /* SHOW TBLPROPERTIES t [('key')] */
  QUERY_ALTER_PROPERTIES,  /* ALTER TABLE t SET TBLPROPERTIES (key = value) */
  QUERY_UNKNOWN,
} QueryKind;

typedef struct
{
  char      *id;
  char      *warehouse_id;
  char      *table_name;     /* parsed from the statement, or NULL */
  QueryKind  kind;
  char      *state;          /* PENDING, RUNNING, SUCCEEDED, FAILED, CANCELED */
  guint      polls_left;     /* in the current phase */
  char      *error_code;
  char      *error_message;
  char      *sql_state;
  char      *property;       /* SHOW's key filter, ALTER's key */
  char      *value;          /* ALTER's value */
} Statement;

typedef struct
{
  GHashTable *tables;        /* full name → Table* */
  GPtrArray  *warehouses;    /* of Warehouse*, in list order */
  GHashTable *statements;    /* id → Statement* */
  GPtrArray  *log;           /* every statement text submitted, in order */
  guint       max_active;
} SqlState;

static void
table_free (gpointer data)
{
  Table *table = data;

  g_free (table->full_name);
  g_strfreev (table->primary_keys);
  g_free (table->table_id);
  g_free (table);
}

static void
warehouse_free (gpointer data)
{
  Warehouse *warehouse = data;

  g_free (warehouse->id);
  g_free (warehouse->name);
  g_free (warehouse->state);
  g_free (warehouse);
}

static void
statement_free (gpointer data)
{
  Statement *statement = data;

  g_free (statement->id);
  g_free (statement->warehouse_id);
  g_free (statement->table_name);
  g_free (statement->state);
  g_free (statement->error_code);
  g_free (statement->error_message);
  g_free (statement->sql_state);
  g_free (statement->property);
  g_free (statement->value);
  g_free (statement);
}

static void
sql_state_free (gpointer data)
{
  SqlState *state = data;

  g_hash_table_unref (state->tables);
  g_ptr_array_unref (state->warehouses);
  g_hash_table_unref (state->statements);
  g_ptr_array_unref (state->log);
  g_free (state);
}

static SqlState *
get_state (LbFakeWorkspace *fake)
{
  return lb_fake_workspace_get_data (fake, "sql");
}

static void
add_table_locked (SqlState           *state,
                  const char         *full_name,
                  gint64              uncompressed_bytes,
                  const char * const *primary_keys,
                  gboolean            change_data_feed)
{
  Table *table = g_new0 (Table, 1);

  table->full_name = g_strdup (full_name);
  table->uncompressed_bytes = uncompressed_bytes;
  table->primary_keys = g_strdupv ((char **) primary_keys);
  table->change_data_feed = change_data_feed;
  table->table_id = lb_fake_new_uid ();
  g_hash_table_replace (state->tables, table->full_name, table);
}

static Warehouse *
find_warehouse (SqlState   *state,
                const char *id)
{
  for (guint i = 0; i < state->warehouses->len; i++)
    {
      Warehouse *warehouse = g_ptr_array_index (state->warehouses, i);

      if (g_strcmp0 (warehouse->id, id) == 0)
        return warehouse;
    }

  return NULL;
}

static void
add_warehouse_locked (SqlState   *state,
                      const char *id,
                      const char *name,
                      const char *wh_state,
                      gboolean    serverless)
{
  Warehouse *warehouse = find_warehouse (state, id);

  if (warehouse == NULL)
    {
      warehouse = g_new0 (Warehouse, 1);
      warehouse->id = g_strdup (id);
      g_ptr_array_add (state->warehouses, warehouse);
    }

  g_free (warehouse->name);
  warehouse->name = g_strdup (name);
  g_free (warehouse->state);
  warehouse->state = g_strdup (wh_state);
  warehouse->serverless = serverless;
}

static guint
count_active (SqlState *state)
{
  GHashTableIter iter;
  Statement *statement;
  guint active = 0;

  g_hash_table_iter_init (&iter, state->statements);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &statement))
    {
      if (g_str_equal (statement->state, "PENDING") || g_str_equal (statement->state, "RUNNING"))
        active++;
    }

  return active;
}

/* ---- Warehouses ---- */

static JsonNode *
warehouse_to_json (Warehouse       *warehouse,
                   LbFakeWorkspace *fake)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *jdbc = g_strdup_printf ("jdbc:databricks://127.0.0.1:443/default;httpPath=/sql/1.0/warehouses/%s",
                                           warehouse->id);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, warehouse->id);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, warehouse->name);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, warehouse->state);
  json_builder_set_member_name (builder, "cluster_size");
  json_builder_add_string_value (builder, "2X-Small");
  json_builder_set_member_name (builder, "enable_serverless_compute");
  json_builder_add_boolean_value (builder, warehouse->serverless);
  json_builder_set_member_name (builder, "warehouse_type");
  json_builder_add_string_value (builder, warehouse->serverless ? "PRO" : "CLASSIC");
  json_builder_set_member_name (builder, "num_clusters");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "auto_stop_mins");
  json_builder_add_int_value (builder, warehouse->serverless ? 10 : 45);
  json_builder_set_member_name (builder, "jdbc_url");
  json_builder_add_string_value (builder, jdbc);
  json_builder_set_member_name (builder, "creator_name");
  json_builder_add_string_value (builder, lb_fake_workspace_get_user_name_locked (fake));
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
warehouses_route (LbFakeWorkspace *fake,
                  LbFakeRequest   *request,
                  gpointer         user_data)
{
  SqlState *state = get_state (fake);
  const char *rest = request->path + strlen ("/api/2.0/sql/warehouses");
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) node = NULL;
  const char *token;
  const char *size_text;
  guint64 start = 0;
  guint64 page = WAREHOUSES_PAGE;

  if (!g_str_equal (request->method, "GET"))
    {
      lb_fake_reply_error (request, 501, "NOT_IMPLEMENTED", "Only GET is faked for warehouses.");
      return;
    }

  if (rest[0] == '/' && rest[1] != '\0')
    {
      Warehouse *warehouse = find_warehouse (state, rest + 1);

      if (warehouse == NULL)
        {
          g_autofree char *message = g_strdup_printf ("Warehouse %s does not exist.", rest + 1);

          lb_fake_reply_error (request, 404, "RESOURCE_DOES_NOT_EXIST", message);
          return;
        }

      node = warehouse_to_json (warehouse, fake);
      lb_fake_reply_json (request, 200, node);
      return;
    }

  token = lb_fake_request_get_query (request, "page_token");
  size_text = lb_fake_request_get_query (request, "page_size");
  if ((token != NULL && token[0] != '\0' &&
       !g_ascii_string_to_unsigned (token, 10, 0, G_MAXUINT, &start, NULL)) ||
      (size_text != NULL && !g_ascii_string_to_unsigned (size_text, 10, 1, 100, &page, NULL)))
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE", "Invalid page_token or page_size.");
      return;
    }

  /* page_size is only an upper bound: like a real server, the fake sends
   * small pages so that clients have to follow next_page_token. */
  page = MIN (page, WAREHOUSES_PAGE);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "warehouses");
  json_builder_begin_array (builder);
  for (guint64 i = start; i < state->warehouses->len && i < start + page; i++)
    json_builder_add_value (builder, warehouse_to_json (g_ptr_array_index (state->warehouses, i), fake));
  json_builder_end_array (builder);
  if (start + page < state->warehouses->len)
    {
      g_autofree char *next = g_strdup_printf ("%" G_GUINT64_FORMAT, start + page);

      json_builder_set_member_name (builder, "next_page_token");
      json_builder_add_string_value (builder, next);
    }
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  lb_fake_reply_json (request, 200, node);
}

/* ---- Statements ---- */

/* `a`.`b-c`.d → a.b-c.d; NULL when @text is not a table name (trailing
 * blanks and one ";" allowed). */
static char *
parse_table_name_prefix (const char  *text,
                         const char **end)
{
  g_autoptr(GString) name = g_string_new (NULL);
  const char *p = text;
  guint parts = 0;

  while (g_ascii_isspace (*p))
    p++;

  for (;;)
    {
      if (*p == '`')
        {
          p++;
          for (;;)
            {
              if (*p == '\0')
                return NULL;
              if (*p == '`' && p[1] == '`')
                {
                  g_string_append_c (name, '`');
                  p += 2;
                }
              else if (*p == '`')
                {
                  p++;
                  break;
                }
              else
                g_string_append_c (name, *p++);
            }
        }
      else
        {
          const char *start = p;

          while (g_ascii_isalnum (*p) || *p == '_' || *p == '-')
            p++;
          if (p == start)
            return NULL;
          g_string_append_len (name, start, p - start);
        }
      parts++;

      if (*p != '.')
        break;
      g_string_append_c (name, '.');
      p++;
    }

  if (parts != 3)
    return NULL;
  while (g_ascii_isspace (*p))
    p++;
  *end = p;
  return g_string_free (g_steal_pointer (&name), FALSE);
}

/* The end of a statement: blanks and one ";" allowed. */
static gboolean
at_statement_end (const char *p)
{
  while (g_ascii_isspace (*p))
    p++;
  if (*p == ';')
    p++;
  while (g_ascii_isspace (*p))
    p++;
  return *p == '\0';
}

static char *
parse_table_name (const char *text)
{
  const char *end = NULL;
  g_autofree char *name = parse_table_name_prefix (text, &end);

  if (name == NULL || !at_statement_end (end))
    return NULL;
  return g_steal_pointer (&name);
}

/* 'text', `text` or text (up to a blank, "=", ")" or ",") at *@p; moves on. */
static char *
parse_word (const char **p)
{
  const char *q = *p;
  GString *word = g_string_new (NULL);

  while (g_ascii_isspace (*q))
    q++;
  if (*q == '\'' || *q == '"' || *q == '`')
    {
      char quote = *q++;

      while (*q != '\0' && *q != quote)
        g_string_append_c (word, *q++);
      if (*q == quote)
        q++;
    }
  else
    while (*q != '\0' && !g_ascii_isspace (*q) && *q != '=' && *q != ')' && *q != ',')
      g_string_append_c (word, *q++);
  while (g_ascii_isspace (*q))
    q++;
  *p = q;
  return g_string_free (word, FALSE);
}

/* SHOW TBLPROPERTIES t [('key')] */
static gboolean
parse_show_properties (Statement  *statement,
                       const char *rest)
{
  const char *p = NULL;

  statement->table_name = parse_table_name_prefix (rest, &p);
  if (statement->table_name == NULL)
    return FALSE;
  if (*p == '(')
    {
      p++;
      statement->property = parse_word (&p);
      if (*p != ')')
        return FALSE;
      p++;
    }
  return at_statement_end (p);
}

/* ALTER TABLE t SET TBLPROPERTIES (key = value) */
static gboolean
parse_alter_properties (Statement  *statement,
                        const char *rest)
{
  const char *p = NULL;

  statement->table_name = parse_table_name_prefix (rest, &p);
  if (statement->table_name == NULL)
    return FALSE;
  if (g_ascii_strncasecmp (p, "SET TBLPROPERTIES", strlen ("SET TBLPROPERTIES")) != 0)
    return FALSE;
  p += strlen ("SET TBLPROPERTIES");
  while (g_ascii_isspace (*p))
    p++;
  if (*p++ != '(')
    return FALSE;
  statement->property = parse_word (&p);
  if (*p++ != '=')
    return FALSE;
  statement->value = parse_word (&p);
  if (*p++ != ')')
    return FALSE;
  return statement->property[0] != '\0' && statement->value[0] != '\0' && at_statement_end (p);
}

/* Collapses runs of blanks so the query matches however it was wrapped. */
static char *
normalize_blanks (const char *text)
{
  GString *out = g_string_new (NULL);
  gboolean blank = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isspace (*p))
        {
          blank = out->len > 0;
          continue;
        }
      if (blank)
        g_string_append_c (out, ' ');
      blank = FALSE;
      g_string_append_c (out, *p);
    }

  return g_string_free (out, FALSE);
}

static void
set_failure (Statement  *statement,
             const char *error_code,
             const char *message,
             const char *sql_state)
{
  g_free (statement->state);
  statement->state = g_strdup ("FAILED");
  statement->error_code = g_strdup (error_code);
  statement->error_message = g_strdup (message);
  statement->sql_state = g_strdup (sql_state);
}

static void
set_state (Statement  *statement,
           const char *state)
{
  g_free (statement->state);
  statement->state = g_strdup (state);
}

/* Leaving PENDING: this is when the real service has analysed the query. */
static void
start_running (SqlState  *state,
               Statement *statement,
               guint      polls)
{
  Warehouse *warehouse = find_warehouse (state, statement->warehouse_id);

  /* The warehouse has started by the time its first statement runs. */
  if (warehouse != NULL && !g_str_equal (warehouse->state, "RUNNING"))
    {
      g_free (warehouse->state);
      warehouse->state = g_strdup ("RUNNING");
    }

  if (statement->kind == QUERY_UNKNOWN)
    {
      set_failure (statement, "BAD_REQUEST",
                   "[PARSE_SYNTAX_ERROR] Syntax error at or near the statement. SQLSTATE: 42601",
                   "42601");
      return;
    }

  if (!g_hash_table_contains (state->tables, statement->table_name))
    {
      g_auto(GStrv) parts = g_strsplit (statement->table_name, ".", 3);
      g_autofree char *message =
        g_strdup_printf ("[TABLE_OR_VIEW_NOT_FOUND] The table or view `%s`.`%s`.`%s` cannot be found. "
                         "Verify the spelling and correctness of the schema and catalog. SQLSTATE: 42P01",
                         parts[0], parts[1], parts[2]);

      set_failure (statement, "BAD_REQUEST", message, "42P01");
      return;
    }

  if (statement->kind == QUERY_ALTER_PROPERTIES &&
      ((Table *) g_hash_table_lookup (state->tables, statement->table_name))->is_view)
    {
      g_autofree char *message =
        g_strdup_printf ("[EXPECT_TABLE_NOT_VIEW.NO_ALTERNATIVE] 'ALTER TABLE ... SET TBLPROPERTIES' expects a "
                         "table but %s is a view. SQLSTATE: 42809", statement->table_name);

      set_failure (statement, "BAD_REQUEST", message, "42809");
      return;
    }

  set_state (statement, "RUNNING");
  statement->polls_left = polls;
}

/* SUCCEEDED: an ALTER takes effect now. */
static void
complete (SqlState  *state,
          Statement *statement)
{
  set_state (statement, "SUCCEEDED");
  if (statement->kind == QUERY_ALTER_PROPERTIES &&
      g_ascii_strcasecmp (statement->property, "delta.enableChangeDataFeed") == 0)
    {
      Table *table = g_hash_table_lookup (state->tables, statement->table_name);

      if (table != NULL)
        table->change_data_feed = g_ascii_strcasecmp (statement->value, "true") == 0;
    }
}

static void
advance (LbFakeWorkspace *fake,
         SqlState        *state,
         Statement       *statement)
{
  guint polls = lb_fake_workspace_get_polls_until_ready_locked (fake);

  if (g_str_equal (statement->state, "PENDING"))
    {
      if (statement->polls_left > 0)
        statement->polls_left--;
      if (statement->polls_left == 0)
        start_running (state, statement, polls);
    }
  else if (g_str_equal (statement->state, "RUNNING"))
    {
      if (statement->polls_left > 0)
        statement->polls_left--;
      if (statement->polls_left == 0)
        complete (state, statement);
    }
}

static void
add_column (JsonBuilder *builder,
            const char  *name,
            guint        position,
            const char  *type)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "position");
  json_builder_add_int_value (builder, position);
  json_builder_set_member_name (builder, "type_name");
  json_builder_add_string_value (builder, type);
  json_builder_set_member_name (builder, "type_text");
  json_builder_add_string_value (builder, type);
  json_builder_end_object (builder);
}

/* SHOW TBLPROPERTIES: (key, value) rows, as Databricks answers them; a key
 * asked for that the table lacks gives one row saying so. ALTER: no rows. */
static void
add_properties_result (JsonBuilder *builder,
                       Table       *table,
                       Statement   *statement)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
  gboolean show = statement->kind == QUERY_SHOW_PROPERTIES;

  if (show)
    {
      const char *props[][2] = {
        { "delta.enableChangeDataFeed", table->change_data_feed ? "true" : NULL },
        { "delta.minReaderVersion", table->is_view ? NULL : "1" },
        { "delta.minWriterVersion", table->is_view ? NULL : "4" },
        { "view.sqlConfig.spark.sql.ansi.enabled", table->is_view ? "true" : NULL },
      };
      gboolean found = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (props); i++)
        {
          if (props[i][1] == NULL)
            continue;
          if (statement->property != NULL && g_ascii_strcasecmp (statement->property, props[i][0]) != 0)
            continue;
          g_ptr_array_add (rows, g_strdup (props[i][0]));
          g_ptr_array_add (rows, g_strdup (props[i][1]));
          found = TRUE;
        }
      if (!found && statement->property != NULL)
        {
          g_ptr_array_add (rows, g_strdup (statement->property));
          g_ptr_array_add (rows, g_strdup_printf ("Table %s does not have property: %s",
                                                  table->full_name, statement->property));
        }
    }

  json_builder_set_member_name (builder, "manifest");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, "JSON_ARRAY");
  json_builder_set_member_name (builder, "schema");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "column_count");
  json_builder_add_int_value (builder, show ? 2 : 0);
  json_builder_set_member_name (builder, "columns");
  json_builder_begin_array (builder);
  if (show)
    {
      add_column (builder, "key", 0, "STRING");
      add_column (builder, "value", 1, "STRING");
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "total_row_count");
  json_builder_add_int_value (builder, rows->len / 2);
  json_builder_set_member_name (builder, "total_chunk_count");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "truncated");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "result");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "chunk_index");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "row_offset");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "row_count");
  json_builder_add_int_value (builder, rows->len / 2);
  json_builder_set_member_name (builder, "data_array");
  json_builder_begin_array (builder);
  for (guint i = 0; i + 1 < rows->len; i += 2)
    {
      json_builder_begin_array (builder);
      json_builder_add_string_value (builder, g_ptr_array_index (rows, i));
      json_builder_add_string_value (builder, g_ptr_array_index (rows, i + 1));
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

static void
add_result (JsonBuilder *builder,
            SqlState    *state,
            Statement   *statement)
{
  Table *table = g_hash_table_lookup (state->tables, statement->table_name);
  static const char * const detail_columns[] = {
    "format", "id", "name", "description", "location", "createdAt", "lastModified",
    "partitionColumns", "numFiles", "sizeInBytes", "properties", "minReaderVersion",
    "minWriterVersion", "tableFeatures", "statistics", "clusteringColumns",
  };
  guint n_columns = statement->kind == QUERY_SIZE ? 1 : G_N_ELEMENTS (detail_columns);

  if (statement->kind == QUERY_SHOW_PROPERTIES || statement->kind == QUERY_ALTER_PROPERTIES)
    {
      add_properties_result (builder, table, statement);
      return;
    }

  json_builder_set_member_name (builder, "manifest");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, "JSON_ARRAY");
  json_builder_set_member_name (builder, "schema");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "column_count");
  json_builder_add_int_value (builder, n_columns);
  json_builder_set_member_name (builder, "columns");
  json_builder_begin_array (builder);
  if (statement->kind == QUERY_SIZE)
    add_column (builder, "coalesce(sum((len(to_csv(struct(*))) + 32)), 0)", 0, "LONG");
  else
    for (guint i = 0; i < n_columns; i++)
      add_column (builder, detail_columns[i], i,
                  g_str_equal (detail_columns[i], "numFiles") ||
                  g_str_equal (detail_columns[i], "sizeInBytes") ? "LONG" : "STRING");
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "total_row_count");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "total_chunk_count");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "truncated");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_end_object (builder);

  /* JSON_ARRAY: every value is a string, numbers included. */
  json_builder_set_member_name (builder, "result");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "chunk_index");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "row_offset");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "row_count");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "data_array");
  json_builder_begin_array (builder);
  json_builder_begin_array (builder);
  if (statement->kind == QUERY_SIZE)
    {
      g_autofree char *bytes = g_strdup_printf ("%" G_GINT64_FORMAT, table->uncompressed_bytes);

      json_builder_add_string_value (builder, bytes);
    }
  else
    {
      /* Delta files are compressed: about a sixth of the row data. */
      g_autofree char *size = g_strdup_printf ("%" G_GINT64_FORMAT, table->uncompressed_bytes / 6);
      g_autofree char *location = g_strdup_printf ("s3://fake-bucket/tables/%s", table->table_id);
      g_autofree char *properties = g_strdup_printf ("{\"delta.enableChangeDataFeed\":\"%s\"}",
                                                     table->change_data_feed ? "true" : "false");
      const char *values[] = {
        "delta", table->table_id, table->full_name, NULL, location, "2026-08-01T09:00:00.000Z",
        "2026-08-20T09:00:00.000Z", "[]", "4", size, properties, "1", "2", "[\"appendOnly\"]", "{}", "[]",
      };

      G_STATIC_ASSERT (G_N_ELEMENTS (values) == G_N_ELEMENTS (detail_columns));
      for (guint i = 0; i < G_N_ELEMENTS (values); i++)
        {
          if (values[i] == NULL)
            json_builder_add_null_value (builder);
          else
            json_builder_add_string_value (builder, values[i]);
        }
    }
  json_builder_end_array (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

static JsonNode *
statement_to_json (SqlState  *state,
                   Statement *statement)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "statement_id");
  json_builder_add_string_value (builder, statement->id);
  json_builder_set_member_name (builder, "status");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, statement->state);
  if (statement->error_code != NULL)
    {
      json_builder_set_member_name (builder, "error");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "error_code");
      json_builder_add_string_value (builder, statement->error_code);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, statement->error_message);
      json_builder_end_object (builder);
    }
  if (statement->sql_state != NULL)
    {
      json_builder_set_member_name (builder, "sql_state");
      json_builder_add_string_value (builder, statement->sql_state);
    }
  json_builder_end_object (builder);
  if (g_str_equal (statement->state, "SUCCEEDED"))
    add_result (builder, state, statement);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static const char *
body_get_string (JsonNode   *body,
                 const char *member)
{
  JsonObject *object;
  JsonNode *node;

  if (body == NULL || !JSON_NODE_HOLDS_OBJECT (body))
    return NULL;
  object = json_node_get_object (body);
  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* "0s", or 5 to 50 seconds, as the API documents. */
static gboolean
wait_timeout_is_valid (const char *text)
{
  guint64 seconds;
  g_autofree char *number = NULL;

  if (text == NULL)
    return TRUE;
  if (!g_str_has_suffix (text, "s"))
    return FALSE;
  number = g_strndup (text, strlen (text) - 1);
  if (!g_ascii_string_to_unsigned (number, 10, 0, 50, &seconds, NULL))
    return FALSE;

  return seconds == 0 || seconds >= 5;
}

static void
submit_statement (LbFakeWorkspace *fake,
                  SqlState        *state,
                  LbFakeRequest   *request)
{
  const char *warehouse_id = body_get_string (request->body, "warehouse_id");
  const char *text = body_get_string (request->body, "statement");
  const char *wait_timeout = body_get_string (request->body, "wait_timeout");
  const char *format = body_get_string (request->body, "format");
  guint polls = lb_fake_workspace_get_polls_until_ready_locked (fake);
  g_autofree char *normalized = NULL;
  g_autoptr(JsonNode) node = NULL;
  Warehouse *warehouse;
  Statement *statement;

  if (warehouse_id == NULL || warehouse_id[0] == '\0')
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE", "warehouse_id is required.");
      return;
    }
  if (text == NULL || text[0] == '\0')
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE", "statement is required.");
      return;
    }
  if (!wait_timeout_is_valid (wait_timeout))
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE",
                           "wait_timeout must be 0s or between 5s and 50s.");
      return;
    }
  if (format != NULL && !g_str_equal (format, "JSON_ARRAY"))
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE",
                           "Only the JSON_ARRAY format is faked.");
      return;
    }

  warehouse = find_warehouse (state, warehouse_id);
  if (warehouse == NULL)
    {
      g_autofree char *message = g_strdup_printf ("Warehouse %s does not exist.", warehouse_id);

      lb_fake_reply_error (request, 404, "RESOURCE_DOES_NOT_EXIST", message);
      return;
    }

  statement = g_new0 (Statement, 1);
  statement->id = lb_fake_new_uid ();
  statement->warehouse_id = g_strdup (warehouse_id);
  statement->kind = QUERY_UNKNOWN;
  normalized = normalize_blanks (text);
  if (g_ascii_strncasecmp (normalized, SIZE_QUERY, strlen (SIZE_QUERY)) == 0)
    {
      statement->table_name = parse_table_name (normalized + strlen (SIZE_QUERY));
      statement->kind = statement->table_name != NULL ? QUERY_SIZE : QUERY_UNKNOWN;
    }
  else if (g_ascii_strncasecmp (normalized, "DESCRIBE DETAIL ", strlen ("DESCRIBE DETAIL ")) == 0)
    {
      statement->table_name = parse_table_name (normalized + strlen ("DESCRIBE DETAIL "));
      statement->kind = statement->table_name != NULL ? QUERY_DESCRIBE_DETAIL : QUERY_UNKNOWN;
    }
  else if (g_ascii_strncasecmp (normalized, "SHOW TBLPROPERTIES ", strlen ("SHOW TBLPROPERTIES ")) == 0)
    {
      statement->kind = parse_show_properties (statement, normalized + strlen ("SHOW TBLPROPERTIES "))
        ? QUERY_SHOW_PROPERTIES : QUERY_UNKNOWN;
    }
  else if (g_ascii_strncasecmp (normalized, "ALTER TABLE ", strlen ("ALTER TABLE ")) == 0)
    {
      statement->kind = parse_alter_properties (statement, normalized + strlen ("ALTER TABLE "))
        ? QUERY_ALTER_PROPERTIES : QUERY_UNKNOWN;
    }
  g_ptr_array_add (state->log, g_strdup (normalized));

  /* A stopped warehouse starts for the statement, which waits meanwhile. */
  statement->state = g_strdup ("PENDING");
  statement->polls_left = polls;
  if (!g_str_equal (warehouse->state, "RUNNING"))
    {
      statement->polls_left = polls * 2;
      g_free (warehouse->state);
      warehouse->state = g_strdup (polls == 0 ? "RUNNING" : "STARTING");
    }
  g_hash_table_replace (state->statements, statement->id, statement);

  /* Done within the wait: answer the result at once (unless the caller
   * asked not to wait at all). */
  if (polls == 0 && g_strcmp0 (wait_timeout, "0s") != 0)
    {
      start_running (state, statement, 0);
      if (g_str_equal (statement->state, "RUNNING"))
        complete (state, statement);
    }

  state->max_active = MAX (state->max_active, count_active (state));

  node = statement_to_json (state, statement);
  lb_fake_reply_json (request, 200, node);
}

static void
statements_route (LbFakeWorkspace *fake,
                  LbFakeRequest   *request,
                  gpointer         user_data)
{
  SqlState *state = get_state (fake);
  const char *rest = request->path + strlen ("/api/2.0/sql/statements");
  g_auto(GStrv) parts = NULL;
  g_autoptr(JsonNode) node = NULL;
  Statement *statement;

  if (rest[0] == '\0' || g_str_equal (rest, "/"))
    {
      if (g_str_equal (request->method, "POST"))
        submit_statement (fake, state, request);
      else
        lb_fake_reply_error (request, 405, "BAD_REQUEST", "Use POST to execute a statement.");
      return;
    }

  parts = g_strsplit (rest + 1, "/", -1);
  statement = g_hash_table_lookup (state->statements, parts[0]);
  if (statement == NULL)
    {
      g_autofree char *message = g_strdup_printf ("Statement %s not found.", parts[0]);

      lb_fake_reply_error (request, 404, "NOT_FOUND", message);
      return;
    }

  if (parts[1] == NULL && g_str_equal (request->method, "GET"))
    {
      advance (fake, state, statement);
      node = statement_to_json (state, statement);
      lb_fake_reply_json (request, 200, node);
      return;
    }

  if (parts[1] != NULL && g_str_equal (parts[1], "cancel") && parts[2] == NULL &&
      g_str_equal (request->method, "POST"))
    {
      /* Cancel is asynchronous and never fails: a finished statement keeps
       * its state. */
      if (g_str_equal (statement->state, "PENDING") || g_str_equal (statement->state, "RUNNING"))
        set_state (statement, "CANCELED");
      lb_fake_reply_raw (request, 200, "application/json", "{}");
      return;
    }

  lb_fake_reply_error (request, 404, "ENDPOINT_NOT_FOUND", "No API found for this path.");
}

/* ---- Unity Catalog tables ---- */

static void
tables_route (LbFakeWorkspace *fake,
              LbFakeRequest   *request,
              gpointer         user_data)
{
  SqlState *state = get_state (fake);
  const char *full_name = request->path + strlen ("/api/2.1/unity-catalog/tables/");
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_auto(GStrv) parts = NULL;
  Table *table;

  if (!g_str_equal (request->method, "GET"))
    {
      lb_fake_reply_error (request, 501, "NOT_IMPLEMENTED", "Only GET is faked for tables.");
      return;
    }

  table = g_hash_table_lookup (state->tables, full_name);
  if (table == NULL)
    {
      g_autofree char *message = g_strdup_printf ("Table '%s' does not exist.", full_name);

      lb_fake_reply_error (request, 404, "TABLE_DOES_NOT_EXIST", message);
      return;
    }

  parts = g_strsplit (table->full_name, ".", 3);
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "full_name");
  json_builder_add_string_value (builder, table->full_name);
  json_builder_set_member_name (builder, "catalog_name");
  json_builder_add_string_value (builder, parts[0]);
  json_builder_set_member_name (builder, "schema_name");
  json_builder_add_string_value (builder, parts[1]);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, parts[2]);
  json_builder_set_member_name (builder, "table_type");
  json_builder_add_string_value (builder, table->is_view ? "VIEW" : "MANAGED");
  if (!table->is_view)
    {
      json_builder_set_member_name (builder, "data_source_format");
      json_builder_add_string_value (builder, "DELTA");
    }
  json_builder_set_member_name (builder, "table_id");
  json_builder_add_string_value (builder, table->table_id);
  json_builder_set_member_name (builder, "owner");
  json_builder_add_string_value (builder, lb_fake_workspace_get_user_name_locked (fake));
  json_builder_set_member_name (builder, "created_at");
  json_builder_add_int_value (builder, G_GINT64_CONSTANT (1785574800000));
  json_builder_set_member_name (builder, "updated_at");
  json_builder_add_int_value (builder, G_GINT64_CONSTANT (1787216400000));

  json_builder_set_member_name (builder, "columns");
  json_builder_begin_array (builder);
  for (guint i = 0; table->primary_keys != NULL && table->primary_keys[i] != NULL; i++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, table->primary_keys[i]);
      json_builder_set_member_name (builder, "position");
      json_builder_add_int_value (builder, i);
      json_builder_set_member_name (builder, "type_name");
      json_builder_add_string_value (builder, "LONG");
      json_builder_set_member_name (builder, "type_text");
      json_builder_add_string_value (builder, "bigint");
      json_builder_set_member_name (builder, "nullable");
      json_builder_add_boolean_value (builder, FALSE);
      json_builder_end_object (builder);
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, "payload");
  json_builder_set_member_name (builder, "position");
  json_builder_add_int_value (builder, table->primary_keys != NULL ? g_strv_length (table->primary_keys) : 0);
  json_builder_set_member_name (builder, "type_name");
  json_builder_add_string_value (builder, "STRING");
  json_builder_set_member_name (builder, "type_text");
  json_builder_add_string_value (builder, "string");
  json_builder_set_member_name (builder, "nullable");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "properties");
  json_builder_begin_object (builder);
  if (!table->is_view)
    {
      json_builder_set_member_name (builder, "delta.enableChangeDataFeed");
      json_builder_add_string_value (builder, table->change_data_feed ? "true" : "false");
    }
  json_builder_end_object (builder);

  if (table->primary_keys != NULL && table->primary_keys[0] != NULL)
    {
      g_autofree char *constraint = g_strdup_printf ("%s_pk", parts[2]);

      json_builder_set_member_name (builder, "table_constraints");
      json_builder_begin_array (builder);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "primary_key_constraint");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, constraint);
      json_builder_set_member_name (builder, "child_columns");
      json_builder_begin_array (builder);
      for (guint i = 0; table->primary_keys[i] != NULL; i++)
        json_builder_add_string_value (builder, table->primary_keys[i]);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      json_builder_end_object (builder);
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  lb_fake_reply_json (request, 200, node);
}

/* ---- Public ---- */

void
_lb_fake_workspace_sql_init (LbFakeWorkspace *fake)
{
  SqlState *state = g_new0 (SqlState, 1);
  static const char * const order_keys[] = { "order_id", NULL };
  static const char * const customer_keys[] = { "customer_id", NULL };
  static const char * const line_keys[] = { "order_id", "line_no", NULL };

  state->tables = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, table_free);
  state->warehouses = g_ptr_array_new_with_free_func (warehouse_free);
  state->statements = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, statement_free);
  state->log = g_ptr_array_new_with_free_func (g_free);

  add_warehouse_locked (state, "wh-classic", "Shop BI", "STOPPED", FALSE);
  add_warehouse_locked (state, "wh-serverless", "Serverless Starter Warehouse", "RUNNING", TRUE);
  add_warehouse_locked (state, "wh-small", "Analysts", "RUNNING", FALSE);

  add_table_locked (state, "retail.serving.orders", G_GINT64_CONSTANT (52428800000), order_keys, TRUE);
  add_table_locked (state, "retail.serving.customers", G_GINT64_CONSTANT (1073741824), customer_keys, FALSE);
  add_table_locked (state, "retail.serving.order_lines", G_GINT64_CONSTANT (157286400000), line_keys, TRUE);

  lb_fake_workspace_set_data (fake, "sql", state, sql_state_free);
  lb_fake_workspace_add_route (fake, NULL, "/api/2.0/sql/warehouses", warehouses_route, NULL, NULL);
  lb_fake_workspace_add_route (fake, NULL, "/api/2.0/sql/statements", statements_route, NULL, NULL);
  lb_fake_workspace_add_route (fake, NULL, "/api/2.1/unity-catalog/tables/", tables_route, NULL, NULL);
}

void
lb_fake_workspace_sql_add_table (LbFakeWorkspace    *fake,
                                 const char         *full_name,
                                 gint64              uncompressed_bytes,
                                 const char * const *primary_keys,
                                 gboolean            change_data_feed)
{
  g_return_if_fail (fake != NULL);
  g_return_if_fail (full_name != NULL);

  lb_fake_workspace_lock (fake);
  add_table_locked (get_state (fake), full_name, uncompressed_bytes, primary_keys, change_data_feed);
  lb_fake_workspace_unlock (fake);
}

void
lb_fake_workspace_sql_add_warehouse (LbFakeWorkspace *fake,
                                     const char      *id,
                                     const char      *name,
                                     const char      *state,
                                     gboolean         serverless)
{
  g_return_if_fail (fake != NULL);
  g_return_if_fail (id != NULL && name != NULL && state != NULL);

  lb_fake_workspace_lock (fake);
  add_warehouse_locked (get_state (fake), id, name, state, serverless);
  lb_fake_workspace_unlock (fake);
}

guint
lb_fake_workspace_sql_count_statements (LbFakeWorkspace *fake,
                                        const char      *state_name)
{
  GHashTableIter iter;
  Statement *statement;
  guint count = 0;

  g_return_val_if_fail (fake != NULL, 0);

  lb_fake_workspace_lock (fake);
  g_hash_table_iter_init (&iter, get_state (fake)->statements);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &statement))
    {
      if (state_name == NULL || g_str_equal (statement->state, state_name))
        count++;
    }
  lb_fake_workspace_unlock (fake);

  return count;
}

guint
lb_fake_workspace_sql_get_max_active (LbFakeWorkspace *fake)
{
  guint max_active;

  g_return_val_if_fail (fake != NULL, 0);

  lb_fake_workspace_lock (fake);
  max_active = get_state (fake)->max_active;
  lb_fake_workspace_unlock (fake);

  return max_active;
}

void
lb_fake_workspace_sql_add_view (LbFakeWorkspace *fake,
                                const char      *full_name)
{
  SqlState *state;
  Table *table;

  g_return_if_fail (fake != NULL);
  g_return_if_fail (full_name != NULL);

  lb_fake_workspace_lock (fake);
  state = get_state (fake);
  add_table_locked (state, full_name, G_GINT64_CONSTANT (1048576), NULL, FALSE);
  table = g_hash_table_lookup (state->tables, full_name);
  table->is_view = TRUE;
  lb_fake_workspace_unlock (fake);
}

gboolean
lb_fake_workspace_sql_get_change_data_feed (LbFakeWorkspace *fake,
                                            const char      *full_name)
{
  Table *table;
  gboolean on;

  g_return_val_if_fail (fake != NULL, FALSE);
  g_return_val_if_fail (full_name != NULL, FALSE);

  lb_fake_workspace_lock (fake);
  table = g_hash_table_lookup (get_state (fake)->tables, full_name);
  on = table != NULL && table->change_data_feed;
  lb_fake_workspace_unlock (fake);

  return on;
}

char **
lb_fake_workspace_sql_dup_statements (LbFakeWorkspace *fake,
                                      const char      *prefix)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  SqlState *state;

  g_return_val_if_fail (fake != NULL, NULL);

  lb_fake_workspace_lock (fake);
  state = get_state (fake);
  for (guint i = 0; i < state->log->len; i++)
    {
      const char *text = g_ptr_array_index (state->log, i);

      if (prefix == NULL || g_ascii_strncasecmp (text, prefix, strlen (prefix)) == 0)
        g_strv_builder_add (builder, text);
    }
  lb_fake_workspace_unlock (fake);

  return g_strv_builder_end (builder);
}
