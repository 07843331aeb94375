/* SPDX-License-Identifier: GPL-3.0-or-later */
/* .sql workload files: the detecting parser, then each dialect's parser
 * forced on the same text (a file another tool wrote may look like any of
 * them), and the pgbench export of whatever parsed. */
#include "config.h"

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "lb-fuzz.h"
#include "lb-sql-script-private.h"

static GFile *export_dir;

static void
empty_export_dir (void)
{
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info;

  children = g_file_enumerate_children (export_dir, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (children != NULL && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      g_autoptr(GFile) child = g_file_get_child (export_dir, g_file_info_get_name (info));

      g_file_delete (child, NULL, NULL);
      g_object_unref (info);
    }
}

static void
export_script (LbSqlScript *script)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *arguments = NULL;

  /* Only pgbench runs a script without SQL (\set and \sleep alone). */
  if (lb_sql_script_get_dialect (script) != LB_SQL_DIALECT_PGBENCH)
    g_assert_cmpuint (lb_sql_script_get_n_queries (script), >, 0);
  arguments = lb_sql_script_export_pgbench (script, export_dir, &error);
  g_assert_true ((arguments == NULL) == (error != NULL));
  empty_export_dir ();
}

/* The items a dialect's parser accepts at all: detection never hands it
 * the others (a meta-command makes a file pgbench, PARAMETERS/EXEC_COUNT
 * make it the web tool's), and the parsers assert on them. */
static gboolean
dialect_takes (LbSqlDialect dialect,
               LbSqlItemKind kind)
{
  switch (dialect)
    {
    case LB_SQL_DIALECT_QUERY_MIX:
      return kind != LB_SQL_ITEM_META && kind != LB_SQL_ITEM_PARAMETERS && kind != LB_SQL_ITEM_EXEC_COUNT;
    case LB_SQL_DIALECT_WEB_TOOL:
      return kind != LB_SQL_ITEM_META;
    case LB_SQL_DIALECT_PGBENCH:
    default:
      return TRUE;
    }
}

/* The entry point's steps with the dialect chosen by the caller. */
static void
parse_as (const char   *data,
          gsize         size,
          LbSqlDialect  dialect)
{
  g_autoptr(LbSqlScript) script = lb_sql_script_new (dialect, "forced.sql");
  g_autoptr(GArray) items = g_array_new (FALSE, FALSE, sizeof (LbSqlItem));
  g_autoptr(GError) error = NULL;
  LbSqlParseState st = { 0 };
  gboolean ok;

  st.self = script;
  st.data = data;
  st.len = size;
  st.items = items;
  st.cursor_line = 1;

  if (!_lb_sql_check_text (&st, &error) || !_lb_sql_split (&st, &error))
    return;
  for (guint i = 0; i < items->len; i++)
    if (!dialect_takes (dialect, g_array_index (items, LbSqlItem, i).kind))
      return;

  switch (dialect)
    {
    case LB_SQL_DIALECT_PGBENCH:
      ok = _lb_sql_parse_pgbench (&st, &error);
      break;
    case LB_SQL_DIALECT_WEB_TOOL:
      ok = _lb_sql_parse_web_tool (&st, &error);
      break;
    case LB_SQL_DIALECT_QUERY_MIX:
    default:
      ok = _lb_sql_parse_query_mix (&st, &error);
      break;
    }
  g_assert_true (ok == (error == NULL));
  if (ok && (dialect == LB_SQL_DIALECT_PGBENCH || lb_sql_script_get_n_queries (script) > 0))
    export_script (script);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(LbSqlScript) script = NULL;
  g_autoptr(GError) error = NULL;
  static const LbSqlDialect dialects[] = {
    LB_SQL_DIALECT_QUERY_MIX, LB_SQL_DIALECT_WEB_TOOL, LB_SQL_DIALECT_PGBENCH,
  };

  lb_fuzz_init ();
  if (export_dir == NULL)
    {
      g_autofree char *path = g_dir_make_tmp ("lb-fuzz-sql-XXXXXX", NULL);

      g_assert_nonnull (path);
      export_dir = g_file_new_for_path (path);
    }

  script = lb_sql_script_new_from_data ((const char *) data, size, "fuzz.sql", &error);
  g_assert_true ((script == NULL) == (error != NULL));
  if (script != NULL)
    export_script (script);

  for (guint i = 0; i < G_N_ELEMENTS (dialects); i++)
    parse_as ((const char *) data, size, dialects[i]);

  return 0;
}
