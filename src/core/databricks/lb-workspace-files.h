/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Workspace files (/api/2.0/workspace/…) and Unity Catalog volume files
 * (the Files API, /api/2.0/fs/…) through an LbDatabricksClient: what a load
 * run on Databricks compute uploads (its runner, script and config) and
 * reads back (the workers' samples). Every call is async (GTask) and
 * cancellable; errors are LB_DATABRICKS_ERROR (a missing path is
 * LB_DATABRICKS_ERROR_NOT_FOUND). Paths are absolute and unescaped
 * ("/Users/ana@example.com/x y", "/Volumes/c/s/v/dir"); they are
 * percent-encoded here. */
#pragma once

#include <gio/gio.h>

#include "lb-databricks-client.h"

G_BEGIN_DECLS

/* ---- Workspace files ---- */

typedef enum
{
  LB_WORKSPACE_OBJECT_UNKNOWN,
  LB_WORKSPACE_OBJECT_DIRECTORY,
  LB_WORKSPACE_OBJECT_FILE,
  LB_WORKSPACE_OBJECT_NOTEBOOK,
  LB_WORKSPACE_OBJECT_LIBRARY,
  LB_WORKSPACE_OBJECT_REPO,
} LbWorkspaceObjectType;

/* POST /api/2.0/workspace/mkdirs {path}: creates the parents too; an
 * existing directory is fine. */
void      lb_workspace_mkdirs_async       (LbDatabricksClient   *client,
                                           const char           *path,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean  lb_workspace_mkdirs_finish      (LbDatabricksClient   *client,
                                           GAsyncResult         *result,
                                           GError              **error);

/* POST /api/2.0/workspace/import {path, format: AUTO, content: base64 of
 * @content, overwrite: TRUE}. The parent folder must exist (mkdirs first). */
void      lb_workspace_import_async       (LbDatabricksClient   *client,
                                           const char           *path,
                                           GBytes               *content,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean  lb_workspace_import_finish      (LbDatabricksClient   *client,
                                           GAsyncResult         *result,
                                           GError              **error);

/* POST /api/2.0/workspace/delete {path, recursive}. */
void      lb_workspace_delete_async       (LbDatabricksClient   *client,
                                           const char           *path,
                                           gboolean              recursive,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean  lb_workspace_delete_finish      (LbDatabricksClient   *client,
                                           GAsyncResult         *result,
                                           GError              **error);

/* GET /api/2.0/workspace/get-status?path=…: the object's type (and @size
 * in bytes when the server says, else -1). NOT_FOUND when it is missing. */
void      lb_workspace_get_status_async   (LbDatabricksClient   *client,
                                           const char           *path,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean  lb_workspace_get_status_finish  (LbDatabricksClient   *client,
                                           GAsyncResult         *result,
                                           LbWorkspaceObjectType *type,
                                           gint64               *size,
                                           GError              **error);

/* ---- Files API (Unity Catalog volumes) ---- */

/* One entry of a directory listing. */
typedef struct
{
  char     *path;           /* absolute, "/Volumes/c/s/v/dir/name" */
  char     *name;
  gboolean  is_directory;
  gint64    file_size;      /* bytes; 0 for directories */
  gint64    last_modified;  /* ms since the epoch; 0 when unknown */
} LbFilesEntry;

#define LB_TYPE_FILES_ENTRY (lb_files_entry_get_type ())
GType          lb_files_entry_get_type (void) G_GNUC_CONST;
LbFilesEntry  *lb_files_entry_copy     (const LbFilesEntry *entry);
void           lb_files_entry_free     (LbFilesEntry       *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbFilesEntry, lb_files_entry_free)

/* GET /api/2.0/fs/files{path}: the whole file, or with @length > 0 the
 * bytes @offset … @offset + @length - 1 (a Range request; fewer when the
 * file is shorter). @length 0 = to the end. */
void      lb_files_get_async              (LbDatabricksClient   *client,
                                           const char           *path,
                                           goffset               offset,
                                           gsize                 length,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
GBytes   *lb_files_get_finish             (LbDatabricksClient   *client,
                                           GAsyncResult         *result,
                                           GError              **error);

/* PUT /api/2.0/fs/files{path}?overwrite=… with @content as
 * application/octet-stream. */
void      lb_files_put_async              (LbDatabricksClient   *client,
                                           const char           *path,
                                           GBytes               *content,
                                           gboolean              overwrite,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean  lb_files_put_finish             (LbDatabricksClient   *client,
                                           GAsyncResult         *result,
                                           GError              **error);

/* HEAD /api/2.0/fs/files{path}: the file's size (NOT_FOUND when missing). */
void      lb_files_get_metadata_async     (LbDatabricksClient   *client,
                                           const char           *path,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean  lb_files_get_metadata_finish    (LbDatabricksClient   *client,
                                           GAsyncResult         *result,
                                           gint64               *size,
                                           GError              **error);

/* DELETE /api/2.0/fs/files{path}. */
void      lb_files_delete_async           (LbDatabricksClient   *client,
                                           const char           *path,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean  lb_files_delete_finish          (LbDatabricksClient   *client,
                                           GAsyncResult         *result,
                                           GError              **error);

/* PUT /api/2.0/fs/directories{path}: creates it and its parents. */
void      lb_files_create_directory_async (LbDatabricksClient   *client,
                                           const char           *path,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean  lb_files_create_directory_finish (LbDatabricksClient  *client,
                                            GAsyncResult        *result,
                                            GError             **error);

/* GET /api/2.0/fs/directories{path}, every page: a GPtrArray of
 * LbFilesEntry (free with g_ptr_array_unref()), direct children only. */
void      lb_files_list_directory_async   (LbDatabricksClient   *client,
                                           const char           *path,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
GPtrArray *lb_files_list_directory_finish (LbDatabricksClient   *client,
                                           GAsyncResult         *result,
                                           GError              **error);

/* DELETE /api/2.0/fs/directories{path}: the directory must be empty. */
void      lb_files_delete_directory_async (LbDatabricksClient   *client,
                                           const char           *path,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean  lb_files_delete_directory_finish (LbDatabricksClient  *client,
                                            GAsyncResult        *result,
                                            GError             **error);

/* The directory and all it holds: lists it (recursively), deletes every
 * file, then the directories bottom-up (the API deletes only empty ones).
 * A missing directory is NOT_FOUND. */
void      lb_files_delete_tree_async      (LbDatabricksClient   *client,
                                           const char           *path,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean  lb_files_delete_tree_finish     (LbDatabricksClient   *client,
                                           GAsyncResult         *result,
                                           GError              **error);

G_END_DECLS
