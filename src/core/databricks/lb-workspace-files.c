/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Workspace files and the Files API over LbDatabricksClient: JSON calls
 * for /api/2.0/workspace/…, raw-bytes calls for /api/2.0/fs/files, paged
 * listings of /api/2.0/fs/directories and a tree delete built from them. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "lb-databricks-client-private.h"
#include "lb-workspace-files.h"

#define FILES_PREFIX       "/api/2.0/fs/files"
#define DIRECTORIES_PREFIX "/api/2.0/fs/directories"

G_DEFINE_BOXED_TYPE (LbFilesEntry, lb_files_entry, lb_files_entry_copy, lb_files_entry_free)

LbFilesEntry *
lb_files_entry_copy (const LbFilesEntry *entry)
{
  LbFilesEntry *copy;

  g_return_val_if_fail (entry != NULL, NULL);

  copy = g_new0 (LbFilesEntry, 1);
  *copy = *entry;
  copy->path = g_strdup (entry->path);
  copy->name = g_strdup (entry->name);
  return copy;
}

void
lb_files_entry_free (LbFilesEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->path);
  g_free (entry->name);
  g_free (entry);
}

/* Helpers ------------------------------------------------------------------ */

static JsonNode *
path_body (const char *path,
           const char *flag_name,
           gboolean    flag)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, path);
  if (flag_name != NULL)
    {
      json_builder_set_member_name (builder, flag_name);
      json_builder_add_boolean_value (builder, flag);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static char *
api_path (const char *prefix,
          const char *path)
{
  g_autofree char *escaped = _lb_databricks_escape_path (path);

  return g_strconcat (prefix, escaped, NULL);
}

/* A JSON call whose answer only matters for its error. */
static void
json_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (object), result, &error);

  if (node == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* A raw call whose answer only matters for its error. */
static void
raw_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = _lb_databricks_client_call_raw_finish (LB_DATABRICKS_CLIENT (object), result,
                                                                    NULL, &error);

  if (bytes == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
boolean_finish (LbDatabricksClient  *client,
                GAsyncResult        *result,
                gpointer             tag,
                GError             **error)
{
  g_return_val_if_fail (LB_IS_DATABRICKS_CLIENT (client), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, client), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tag, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
workspace_post (LbDatabricksClient  *client,
                const char          *endpoint,
                JsonNode            *body,
                gpointer             tag,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  GTask *task = g_task_new (client, cancellable, callback, user_data);

  g_task_set_source_tag (task, tag);
  /* mkdirs, import with overwrite and delete end in the same state however
   * often they are sent. */
  lb_databricks_client_call_async (client, "POST", endpoint, NULL, body, LB_CALL_IDEMPOTENT,
                                   cancellable, json_done_cb, task);
}

/* Workspace ---------------------------------------------------------------- */

void
lb_workspace_mkdirs_async (LbDatabricksClient  *client,
                           const char          *path,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (LB_IS_DATABRICKS_CLIENT (client));
  g_return_if_fail (path != NULL && path[0] == '/');

  body = path_body (path, NULL, FALSE);
  workspace_post (client, "/api/2.0/workspace/mkdirs", body, lb_workspace_mkdirs_async,
                  cancellable, callback, user_data);
}

gboolean
lb_workspace_mkdirs_finish (LbDatabricksClient  *client,
                            GAsyncResult        *result,
                            GError             **error)
{
  return boolean_finish (client, result, lb_workspace_mkdirs_async, error);
}

void
lb_workspace_import_async (LbDatabricksClient  *client,
                           const char          *path,
                           GBytes              *content,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *base64 = NULL;
  gsize size = 0;
  const guchar *data;

  g_return_if_fail (LB_IS_DATABRICKS_CLIENT (client));
  g_return_if_fail (path != NULL && path[0] == '/');
  g_return_if_fail (content != NULL);

  data = g_bytes_get_data (content, &size);
  base64 = g_base64_encode (data, size);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, path);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, "AUTO");
  json_builder_set_member_name (builder, "content");
  json_builder_add_string_value (builder, base64);
  json_builder_set_member_name (builder, "overwrite");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  workspace_post (client, "/api/2.0/workspace/import", body, lb_workspace_import_async,
                  cancellable, callback, user_data);
}

gboolean
lb_workspace_import_finish (LbDatabricksClient  *client,
                            GAsyncResult        *result,
                            GError             **error)
{
  return boolean_finish (client, result, lb_workspace_import_async, error);
}

void
lb_workspace_delete_async (LbDatabricksClient  *client,
                           const char          *path,
                           gboolean             recursive,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (LB_IS_DATABRICKS_CLIENT (client));
  g_return_if_fail (path != NULL && path[0] == '/');

  body = path_body (path, "recursive", recursive);
  workspace_post (client, "/api/2.0/workspace/delete", body, lb_workspace_delete_async,
                  cancellable, callback, user_data);
}

gboolean
lb_workspace_delete_finish (LbDatabricksClient  *client,
                            GAsyncResult        *result,
                            GError             **error)
{
  return boolean_finish (client, result, lb_workspace_delete_async, error);
}

typedef struct
{
  LbWorkspaceObjectType type;
  gint64                size;
} Status;

static LbWorkspaceObjectType
object_type_from_string (const char *text)
{
  static const struct { const char *name; LbWorkspaceObjectType type; } types[] = {
    { "DIRECTORY", LB_WORKSPACE_OBJECT_DIRECTORY },
    { "FILE", LB_WORKSPACE_OBJECT_FILE },
    { "NOTEBOOK", LB_WORKSPACE_OBJECT_NOTEBOOK },
    { "LIBRARY", LB_WORKSPACE_OBJECT_LIBRARY },
    { "REPO", LB_WORKSPACE_OBJECT_REPO },
  };

  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (types); i++)
    if (g_str_equal (text, types[i].name))
      return types[i].type;
  return LB_WORKSPACE_OBJECT_UNKNOWN;
}

static void
get_status_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (object), result, &error);
  JsonObject *answer;
  Status *status;

  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_task_return_new_error (task, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_MALFORMED,
                               _("MALFORMED_RESPONSE: the status of a workspace object is not a JSON object"));
      return;
    }

  answer = json_node_get_object (node);
  status = g_new0 (Status, 1);
  status->type = object_type_from_string (json_object_get_string_member_with_default (answer, "object_type", NULL));
  status->size = json_object_get_int_member_with_default (answer, "size", -1);
  g_task_return_pointer (task, status, g_free);
}

void
lb_workspace_get_status_async (LbDatabricksClient  *client,
                               const char          *path,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  const char *query[] = { "path", path, NULL };
  GTask *task;

  g_return_if_fail (LB_IS_DATABRICKS_CLIENT (client));
  g_return_if_fail (path != NULL && path[0] == '/');

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_workspace_get_status_async);
  lb_databricks_client_call_async (client, "GET", "/api/2.0/workspace/get-status", query, NULL,
                                   LB_CALL_IDEMPOTENT, cancellable, get_status_cb, task);
}

gboolean
lb_workspace_get_status_finish (LbDatabricksClient     *client,
                                GAsyncResult           *result,
                                LbWorkspaceObjectType  *type,
                                gint64                 *size,
                                GError                **error)
{
  g_autofree Status *status = NULL;

  g_return_val_if_fail (LB_IS_DATABRICKS_CLIENT (client), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, client), FALSE);

  status = g_task_propagate_pointer (G_TASK (result), error);
  if (status == NULL)
    return FALSE;
  if (type != NULL)
    *type = status->type;
  if (size != NULL)
    *size = status->size;
  return TRUE;
}

/* Files API ------------------------------------------------------------------ */

static void
files_get_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GBytes *bytes = _lb_databricks_client_call_raw_finish (LB_DATABRICKS_CLIENT (object), result, NULL, &error);

  if (bytes == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
}

void
lb_files_get_async (LbDatabricksClient  *client,
                    const char          *path,
                    goffset              offset,
                    gsize                length,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autofree char *endpoint = NULL;
  g_autofree char *range = NULL;
  GTask *task;

  g_return_if_fail (LB_IS_DATABRICKS_CLIENT (client));
  g_return_if_fail (path != NULL && path[0] == '/');
  g_return_if_fail (offset >= 0);

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_files_get_async);
  endpoint = api_path (FILES_PREFIX, path);
  if (length > 0)
    range = g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT,
                             (gint64) offset, (gint64) offset + (gint64) length - 1);
  else if (offset > 0)
    range = g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-", (gint64) offset);
  _lb_databricks_client_call_raw_async (client, "GET", endpoint, NULL, NULL, NULL, range, LB_CALL_IDEMPOTENT,
                                        cancellable, files_get_cb, task);
}

GBytes *
lb_files_get_finish (LbDatabricksClient  *client,
                     GAsyncResult        *result,
                     GError             **error)
{
  g_return_val_if_fail (LB_IS_DATABRICKS_CLIENT (client), NULL);
  g_return_val_if_fail (g_task_is_valid (result, client), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
lb_files_put_async (LbDatabricksClient  *client,
                    const char          *path,
                    GBytes              *content,
                    gboolean             overwrite,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autofree char *endpoint = NULL;
  const char *query[] = { "overwrite", overwrite ? "true" : "false", NULL };
  GTask *task;

  g_return_if_fail (LB_IS_DATABRICKS_CLIENT (client));
  g_return_if_fail (path != NULL && path[0] == '/');
  g_return_if_fail (content != NULL);

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_files_put_async);
  endpoint = api_path (FILES_PREFIX, path);
  /* With overwrite a resend writes the same bytes again; without it a
   * resend could fail on the first attempt's file, so it is not retried. */
  _lb_databricks_client_call_raw_async (client, "PUT", endpoint, query, content, "application/octet-stream", NULL,
                                        overwrite ? LB_CALL_IDEMPOTENT : LB_CALL_DEFAULT,
                                        cancellable, raw_done_cb, task);
}

gboolean
lb_files_put_finish (LbDatabricksClient  *client,
                     GAsyncResult        *result,
                     GError             **error)
{
  return boolean_finish (client, result, lb_files_put_async, error);
}

static void
metadata_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) headers = NULL;
  g_autoptr(GBytes) bytes = _lb_databricks_client_call_raw_finish (LB_DATABRICKS_CLIENT (object), result,
                                                                    &headers, &error);
  const char *length;
  gint64 *size;

  if (bytes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  size = g_new (gint64, 1);
  length = g_hash_table_lookup (headers, "content-length");
  *size = length != NULL ? g_ascii_strtoll (length, NULL, 10) : -1;
  g_task_return_pointer (task, size, g_free);
}

void
lb_files_get_metadata_async (LbDatabricksClient  *client,
                             const char          *path,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autofree char *endpoint = NULL;
  GTask *task;

  g_return_if_fail (LB_IS_DATABRICKS_CLIENT (client));
  g_return_if_fail (path != NULL && path[0] == '/');

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_files_get_metadata_async);
  endpoint = api_path (FILES_PREFIX, path);
  _lb_databricks_client_call_raw_async (client, "HEAD", endpoint, NULL, NULL, NULL, NULL, LB_CALL_IDEMPOTENT,
                                        cancellable, metadata_cb, task);
}

gboolean
lb_files_get_metadata_finish (LbDatabricksClient  *client,
                              GAsyncResult        *result,
                              gint64              *size,
                              GError             **error)
{
  g_autofree gint64 *value = NULL;

  g_return_val_if_fail (LB_IS_DATABRICKS_CLIENT (client), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, client), FALSE);

  value = g_task_propagate_pointer (G_TASK (result), error);
  if (value == NULL)
    return FALSE;
  if (size != NULL)
    *size = *value;
  return TRUE;
}

static void
raw_simple (LbDatabricksClient  *client,
            const char          *method,
            const char          *prefix,
            const char          *path,
            gpointer             tag,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autofree char *endpoint = api_path (prefix, path);
  GTask *task = g_task_new (client, cancellable, callback, user_data);

  g_task_set_source_tag (task, tag);
  /* Deleting or creating the same path twice ends the same way (a resent
   * delete may say NOT_FOUND, which callers of a cleanup accept). */
  _lb_databricks_client_call_raw_async (client, method, endpoint, NULL, NULL, NULL, NULL, LB_CALL_IDEMPOTENT,
                                        cancellable, raw_done_cb, task);
}

void
lb_files_delete_async (LbDatabricksClient  *client,
                       const char          *path,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (LB_IS_DATABRICKS_CLIENT (client));
  g_return_if_fail (path != NULL && path[0] == '/');

  raw_simple (client, "DELETE", FILES_PREFIX, path, lb_files_delete_async, cancellable, callback, user_data);
}

gboolean
lb_files_delete_finish (LbDatabricksClient  *client,
                        GAsyncResult        *result,
                        GError             **error)
{
  return boolean_finish (client, result, lb_files_delete_async, error);
}

void
lb_files_create_directory_async (LbDatabricksClient  *client,
                                 const char          *path,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (LB_IS_DATABRICKS_CLIENT (client));
  g_return_if_fail (path != NULL && path[0] == '/');

  raw_simple (client, "PUT", DIRECTORIES_PREFIX, path, lb_files_create_directory_async,
              cancellable, callback, user_data);
}

gboolean
lb_files_create_directory_finish (LbDatabricksClient  *client,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  return boolean_finish (client, result, lb_files_create_directory_async, error);
}

void
lb_files_delete_directory_async (LbDatabricksClient  *client,
                                 const char          *path,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (LB_IS_DATABRICKS_CLIENT (client));
  g_return_if_fail (path != NULL && path[0] == '/');

  raw_simple (client, "DELETE", DIRECTORIES_PREFIX, path, lb_files_delete_directory_async,
              cancellable, callback, user_data);
}

gboolean
lb_files_delete_directory_finish (LbDatabricksClient  *client,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  return boolean_finish (client, result, lb_files_delete_directory_async, error);
}

/* Listing ------------------------------------------------------------------- */

static gint64
parse_last_modified (JsonObject *object)
{
  JsonNode *node = json_object_get_member (object, "last_modified");

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_ascii_strtoll (json_node_get_string (node), NULL, 10);
  return 0;
}

static void
list_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) items = lb_databricks_client_list_finish (LB_DATABRICKS_CLIENT (object), result, &error);
  g_autoptr(GPtrArray) entries = NULL;

  if (items == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_files_entry_free);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *node = json_array_get_element (items, i);
      JsonObject *item;
      LbFilesEntry *entry;
      const char *path;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      item = json_node_get_object (node);
      path = json_object_get_string_member_with_default (item, "path", NULL);
      if (path == NULL)
        continue;

      entry = g_new0 (LbFilesEntry, 1);
      entry->path = g_strdup (path);
      entry->name = g_strdup (json_object_get_string_member_with_default (item, "name", NULL));
      if (entry->name == NULL)
        entry->name = g_path_get_basename (path);
      entry->is_directory = json_object_get_boolean_member_with_default (item, "is_directory", FALSE);
      entry->file_size = json_object_get_int_member_with_default (item, "file_size", 0);
      entry->last_modified = parse_last_modified (item);
      g_ptr_array_add (entries, entry);
    }

  g_task_return_pointer (task, g_steal_pointer (&entries), (GDestroyNotify) g_ptr_array_unref);
}

void
lb_files_list_directory_async (LbDatabricksClient  *client,
                               const char          *path,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autofree char *endpoint = NULL;
  GTask *task;

  g_return_if_fail (LB_IS_DATABRICKS_CLIENT (client));
  g_return_if_fail (path != NULL && path[0] == '/');

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_files_list_directory_async);
  endpoint = api_path (DIRECTORIES_PREFIX, path);
  lb_databricks_client_list_async (client, endpoint, NULL, "contents", cancellable, list_cb, task);
}

GPtrArray *
lb_files_list_directory_finish (LbDatabricksClient  *client,
                                GAsyncResult        *result,
                                GError             **error)
{
  g_return_val_if_fail (LB_IS_DATABRICKS_CLIENT (client), NULL);
  g_return_val_if_fail (g_task_is_valid (result, client), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Tree delete ------------------------------------------------------------- */

/* Walks the tree one call at a time: directories to list (a stack), files
 * to delete, then the directories in the order they were found, reversed
 * (children before parents). */
typedef struct
{
  GPtrArray *to_list;    /* of char* */
  GPtrArray *files;      /* of char* */
  GPtrArray *dirs;       /* of char*, parents first */
} Tree;

static void
tree_free (gpointer data)
{
  Tree *tree = data;

  g_ptr_array_unref (tree->to_list);
  g_ptr_array_unref (tree->files);
  g_ptr_array_unref (tree->dirs);
  g_free (tree);
}

static void tree_step (GTask *task);

static void
tree_deleted_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = _lb_databricks_client_call_raw_finish (LB_DATABRICKS_CLIENT (object), result,
                                                                    NULL, &error);

  /* Gone already (a resent delete, or someone else) is what we want. */
  if (bytes == NULL && !g_error_matches (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NOT_FOUND))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  tree_step (g_steal_pointer (&task));
}

static void
tree_listed_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Tree *tree = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = lb_files_list_directory_finish (LB_DATABRICKS_CLIENT (object), result, &error);

  if (entries == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  for (guint i = 0; i < entries->len; i++)
    {
      LbFilesEntry *entry = g_ptr_array_index (entries, i);

      if (entry->is_directory)
        {
          g_ptr_array_add (tree->to_list, g_strdup (entry->path));
          g_ptr_array_add (tree->dirs, g_strdup (entry->path));
        }
      else
        g_ptr_array_add (tree->files, g_strdup (entry->path));
    }
  tree_step (g_steal_pointer (&task));
}

static void
tree_step (GTask *task)
{
  LbDatabricksClient *client = g_task_get_source_object (task);
  Tree *tree = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autofree char *path = NULL;
  g_autofree char *endpoint = NULL;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  if (tree->to_list->len > 0)
    {
      path = g_ptr_array_steal_index (tree->to_list, tree->to_list->len - 1);
      lb_files_list_directory_async (client, path, cancellable, tree_listed_cb, task);
      return;
    }

  if (tree->files->len > 0)
    {
      path = g_ptr_array_steal_index (tree->files, tree->files->len - 1);
      endpoint = api_path (FILES_PREFIX, path);
    }
  else if (tree->dirs->len > 0)
    {
      path = g_ptr_array_steal_index (tree->dirs, tree->dirs->len - 1);
      endpoint = api_path (DIRECTORIES_PREFIX, path);
    }
  else
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  _lb_databricks_client_call_raw_async (client, "DELETE", endpoint, NULL, NULL, NULL, NULL, LB_CALL_IDEMPOTENT,
                                        cancellable, tree_deleted_cb, task);
}

void
lb_files_delete_tree_async (LbDatabricksClient  *client,
                            const char          *path,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;
  Tree *tree;

  g_return_if_fail (LB_IS_DATABRICKS_CLIENT (client));
  g_return_if_fail (path != NULL && path[0] == '/');

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_files_delete_tree_async);
  tree = g_new0 (Tree, 1);
  tree->to_list = g_ptr_array_new_with_free_func (g_free);
  tree->files = g_ptr_array_new_with_free_func (g_free);
  tree->dirs = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (tree->to_list, g_strdup (path));
  g_ptr_array_add (tree->dirs, g_strdup (path));
  g_task_set_task_data (task, tree, tree_free);

  tree_step (task);
}

gboolean
lb_files_delete_tree_finish (LbDatabricksClient  *client,
                             GAsyncResult        *result,
                             GError             **error)
{
  return boolean_finish (client, result, lb_files_delete_tree_async, error);
}
