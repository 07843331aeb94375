/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Workspace files, the Files API and Jobs runs for the fake workspace; see
 * lb-fake-workspace-jobs.h. Handlers run in the fake's thread with its
 * lock held; the timers and child watches here run in the same thread and
 * take the lock themselves. */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include "lb-fake-workspace-jobs.h"
#include "lb-test-utils.h"

#define TAIL_BYTES (64 * 1024)

typedef struct _Jobs Jobs;

typedef struct
{
  Jobs         *jobs;
  char         *task_key;
  gint64        run_id;
  gint64        parent_run_id;
  char         *python_file;       /* mapped to the root */
  GStrv         parameters;
  char         *life_cycle_state;
  char         *result_state;
  char         *state_message;
  gint64        start_time;        /* ms */
  gint64        end_time;
  GSubprocess  *process;
  gboolean      exited;
  gboolean      cancelled;
  gboolean      timed_out;         /* cancelled by the run's timeout_seconds */
  char         *stdout_path;
  char         *stderr_path;
  GSource      *start_source;
  GSource      *kill_source;
  GCancellable *wait_cancellable;
} Task;

typedef struct
{
  gint64     run_id;
  char      *run_name;
  GPtrArray *tasks;               /* of Task* (owned by Jobs->tasks) */
  gint64     start_time;
  GSource   *timeout_source;      /* timeout_seconds, or NULL */
} Run;

struct _Jobs
{
  LbFakeWorkspace *fake;
  char            *root;
  char            *task_token;
  gint64           next_id;
  GPtrArray       *runs;          /* of Run* */
  GPtrArray       *tasks;         /* of Task*, every task of every run */
  GHashTable      *idempotency;   /* token → Run* */
  GPtrArray       *submissions;   /* of char* */
  guint            spawned;
  guint            task_start_ms;
  guint            kill_ms;
  guint            page_size;
  char            *bin_dir;
  GHashTable      *task_env;      /* name → value (NULL: unset) */
};

static void
task_free (gpointer data)
{
  Task *task = data;

  if (task->start_source != NULL)
    {
      g_source_destroy (task->start_source);
      g_source_unref (task->start_source);
    }
  if (task->kill_source != NULL)
    {
      g_source_destroy (task->kill_source);
      g_source_unref (task->kill_source);
    }
  if (task->wait_cancellable != NULL)
    g_cancellable_cancel (task->wait_cancellable);
  /* No task outlives the fake. */
  if (task->process != NULL && !task->exited)
    {
      g_subprocess_force_exit (task->process);
      g_subprocess_wait (task->process, NULL, NULL);
    }
  g_clear_object (&task->wait_cancellable);
  g_clear_object (&task->process);
  g_free (task->task_key);
  g_free (task->python_file);
  g_strfreev (task->parameters);
  g_free (task->life_cycle_state);
  g_free (task->result_state);
  g_free (task->state_message);
  g_free (task->stdout_path);
  g_free (task->stderr_path);
  g_free (task);
}

static void
run_free (gpointer data)
{
  Run *run = data;

  if (run->timeout_source != NULL)
    {
      g_source_destroy (run->timeout_source);
      g_source_unref (run->timeout_source);
    }
  g_free (run->run_name);
  g_ptr_array_unref (run->tasks);
  g_free (run);
}

static void
jobs_free (gpointer data)
{
  Jobs *jobs = data;

  g_ptr_array_unref (jobs->tasks);
  g_ptr_array_unref (jobs->runs);
  g_hash_table_unref (jobs->idempotency);
  g_ptr_array_unref (jobs->submissions);
  g_hash_table_unref (jobs->task_env);
  lb_test_remove_tree (jobs->root);
  g_free (jobs->root);
  g_free (jobs->task_token);
  g_free (jobs->bin_dir);
  g_free (jobs);
}

static Jobs *
get_jobs (LbFakeWorkspace *fake)
{
  return lb_fake_workspace_get_data (fake, "jobs");
}

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

static void
set_text (char       **field,
          const char  *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
}

static gboolean
member_bool (JsonObject *object,
             const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && json_node_get_value_type (node) == G_TYPE_BOOLEAN && json_node_get_boolean (node);
}

static gint64
member_int (JsonObject *object,
            const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_ascii_strtoll (json_node_get_string (node), NULL, 10);
  return 0;
}

static JsonObject *
body_object (LbFakeRequest *request)
{
  return request->body != NULL && JSON_NODE_HOLDS_OBJECT (request->body) ? json_node_get_object (request->body) : NULL;
}

/* ---- Paths ---- */

static gboolean
path_is_clean (const char *path)
{
  g_auto(GStrv) parts = NULL;

  if (path == NULL || path[0] != '/')
    return FALSE;
  parts = g_strsplit (path, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (g_str_equal (parts[i], "..") || g_str_equal (parts[i], "."))
      return FALSE;
  return TRUE;
}

/* "/Users/a/b" and "/Workspace/Users/a/b" → <root>/Workspace/Users/a/b. */
static char *
map_workspace_path (Jobs       *jobs,
                    const char *path)
{
  g_autofree char *trimmed = NULL;

  if (!path_is_clean (path))
    return NULL;
  if (g_str_equal (path, "/Workspace"))
    path = "/";
  else if (g_str_has_prefix (path, "/Workspace/"))
    path += strlen ("/Workspace");
  trimmed = g_strdup (path);
  while (strlen (trimmed) > 1 && g_str_has_suffix (trimmed, "/"))
    trimmed[strlen (trimmed) - 1] = '\0';
  return g_build_filename (jobs->root, "Workspace", trimmed, NULL);
}

/* "/Volumes/c/s/v[/…]" → <root>/Volumes/c/s/v/…; NULL for anything else. */
static char *
map_volume_path (Jobs       *jobs,
                 const char *path)
{
  g_auto(GStrv) parts = NULL;
  guint n = 0;

  if (!path_is_clean (path) || !g_str_has_prefix (path, "/Volumes/"))
    return NULL;
  parts = g_strsplit (path + 1, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] != '\0')
      n++;
  if (n < 4)
    return NULL;
  return g_build_filename (jobs->root, path, NULL);
}

static gboolean
dir_is_empty (const char *dir_path)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);

  return dir != NULL && g_dir_read_name (dir) == NULL;
}

/* ---- Workspace ---- */

static void
reply_empty (LbFakeRequest *request)
{
  lb_fake_reply_raw (request, 200, "application/json", "{}");
}

static void
workspace_cb (LbFakeWorkspace *fake,
              LbFakeRequest   *request,
              gpointer         user_data)
{
  Jobs *jobs = get_jobs (fake);
  const char *action = request->path + strlen ("/api/2.0/workspace/");
  JsonObject *body = body_object (request);
  gboolean post = g_str_equal (request->method, "POST");
  const char *path = post ? member_string (body, "path") : lb_fake_request_get_query (request, "path");
  g_autofree char *local = NULL;
  g_autofree char *message = NULL;

  if (path == NULL)
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE", "Missing required field: path");
      return;
    }
  local = map_workspace_path (jobs, path);
  if (local == NULL)
    {
      message = g_strdup_printf ("Path (%s) is not a valid absolute workspace path.", path);
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE", message);
      return;
    }

  if (post && g_str_equal (action, "mkdirs"))
    {
      if (g_file_test (local, G_FILE_TEST_EXISTS) && !g_file_test (local, G_FILE_TEST_IS_DIR))
        {
          message = g_strdup_printf ("Node named '%s' already exists", path);
          lb_fake_reply_error (request, 400, "RESOURCE_ALREADY_EXISTS", message);
          return;
        }
      g_mkdir_with_parents (local, 0700);
      reply_empty (request);
    }
  else if (post && g_str_equal (action, "import"))
    {
      const char *content = member_string (body, "content");
      const char *format = member_string (body, "format");
      g_autofree char *parent = g_path_get_dirname (local);
      g_autofree guchar *data = NULL;
      g_autoptr(GError) error = NULL;
      gsize size = 0;

      if (format != NULL && !g_str_equal (format, "AUTO") && !g_str_equal (format, "SOURCE") &&
          !g_str_equal (format, "RAW"))
        {
          lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE", "The fake imports AUTO, SOURCE and RAW only.");
          return;
        }
      if (!g_file_test (parent, G_FILE_TEST_IS_DIR))
        {
          message = g_strdup_printf ("The parent folder of %s does not exist.", path);
          lb_fake_reply_error (request, 404, "RESOURCE_DOES_NOT_EXIST", message);
          return;
        }
      if (g_file_test (local, G_FILE_TEST_IS_DIR) ||
          (g_file_test (local, G_FILE_TEST_EXISTS) && !member_bool (body, "overwrite")))
        {
          message = g_strdup_printf ("%s already exists.", path);
          lb_fake_reply_error (request, 400, "RESOURCE_ALREADY_EXISTS", message);
          return;
        }
      data = content != NULL ? g_base64_decode (content, &size) : NULL;
      if (!g_file_set_contents (local, data != NULL ? (const char *) data : "", size, &error))
        {
          lb_fake_reply_error (request, 500, "INTERNAL_ERROR", error->message);
          return;
        }
      reply_empty (request);
    }
  else if (post && g_str_equal (action, "delete"))
    {
      if (!g_file_test (local, G_FILE_TEST_EXISTS))
        {
          message = g_strdup_printf ("Path (%s) doesn't exist.", path);
          lb_fake_reply_error (request, 404, "RESOURCE_DOES_NOT_EXIST", message);
          return;
        }
      if (g_file_test (local, G_FILE_TEST_IS_DIR) && !dir_is_empty (local) && !member_bool (body, "recursive"))
        {
          message = g_strdup_printf ("Folder (%s) is not empty.", path);
          lb_fake_reply_error (request, 400, "DIRECTORY_NOT_EMPTY", message);
          return;
        }
      lb_test_remove_tree (local);
      reply_empty (request);
    }
  else if (!post && g_str_equal (action, "get-status"))
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;
      GStatBuf st;

      if (g_stat (local, &st) != 0)
        {
          message = g_strdup_printf ("Path (%s) doesn't exist.", path);
          lb_fake_reply_error (request, 404, "RESOURCE_DOES_NOT_EXIST", message);
          return;
        }
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, path);
      json_builder_set_member_name (builder, "object_type");
      json_builder_add_string_value (builder, S_ISDIR (st.st_mode) ? "DIRECTORY" : "FILE");
      json_builder_set_member_name (builder, "object_id");
      json_builder_add_int_value (builder, (gint64) st.st_ino);
      if (!S_ISDIR (st.st_mode))
        {
          json_builder_set_member_name (builder, "size");
          json_builder_add_int_value (builder, (gint64) st.st_size);
        }
      json_builder_set_member_name (builder, "modified_at");
      json_builder_add_int_value (builder, (gint64) st.st_mtime * 1000);
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      lb_fake_reply_json (request, 200, node);
    }
  else if (!post && g_str_equal (action, "export"))
    {
      g_autofree char *data = NULL;
      gsize size = 0;

      if (!g_file_test (local, G_FILE_TEST_IS_REGULAR) || !g_file_get_contents (local, &data, &size, NULL))
        {
          message = g_strdup_printf ("Path (%s) doesn't exist.", path);
          lb_fake_reply_error (request, 404, "RESOURCE_DOES_NOT_EXIST", message);
          return;
        }
      if (g_strcmp0 (lb_fake_request_get_query (request, "direct_download"), "true") == 0)
        {
          soup_server_message_set_status (request->msg, 200, NULL);
          soup_server_message_set_response (request->msg, "application/octet-stream", SOUP_MEMORY_COPY, data, size);
        }
      else
        {
          g_autoptr(JsonBuilder) builder = json_builder_new ();
          g_autoptr(JsonNode) node = NULL;
          g_autofree char *base64 = g_base64_encode ((const guchar *) data, size);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "content");
          json_builder_add_string_value (builder, base64);
          json_builder_end_object (builder);
          node = json_builder_get_root (builder);
          lb_fake_reply_json (request, 200, node);
        }
    }
  else
    lb_fake_reply_error (request, 404, "ENDPOINT_NOT_FOUND", "No API found for this path.");
}

/* ---- Files API ---- */

static void
reply_no_content (LbFakeRequest *request)
{
  soup_server_message_set_status (request->msg, 204, NULL);
}

static void
reply_not_found (LbFakeRequest *request,
                 const char    *what,
                 const char    *path)
{
  g_autofree char *message = g_strdup_printf ("%s '%s' does not exist.", what, path);

  /* HEAD answers carry no body: the status says it all. */
  if (g_str_equal (request->method, "HEAD"))
    soup_server_message_set_status (request->msg, 404, NULL);
  else
    lb_fake_reply_error (request, 404, "NOT_FOUND", message);
}

static char *
http_date (gint64 seconds)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (seconds);

  return g_date_time_format (when, "%a, %d %b %Y %H:%M:%S GMT");
}

static gboolean
parse_range (const char *header,
             gint64      size,
             gint64     *first,
             gint64     *last)
{
  const char *spec;
  char *end = NULL;

  if (header == NULL || !g_str_has_prefix (header, "bytes="))
    return FALSE;
  spec = header + strlen ("bytes=");
  if (*spec == '-')
    {
      gint64 suffix = g_ascii_strtoll (spec + 1, &end, 10);

      *first = MAX (0, size - suffix);
      *last = size - 1;
      return TRUE;
    }
  *first = g_ascii_strtoll (spec, &end, 10);
  if (end == NULL || *end != '-')
    return FALSE;
  *last = end[1] == '\0' ? size - 1 : g_ascii_strtoll (end + 1, NULL, 10);
  if (*last >= size)
    *last = size - 1;
  return TRUE;
}

static void
files_cb (LbFakeWorkspace *fake,
          LbFakeRequest   *request,
          gpointer         user_data)
{
  Jobs *jobs = get_jobs (fake);
  const char *path = request->path + strlen ("/api/2.0/fs/files");
  g_autofree char *local = map_volume_path (jobs, path);
  SoupMessageHeaders *out = soup_server_message_get_response_headers (request->msg);
  GStatBuf st;

  if (local == NULL)
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE",
                           "The path must be /Volumes/<catalog>/<schema>/<volume>/<path>.");
      return;
    }

  if (g_str_equal (request->method, "PUT"))
    {
      SoupMessageBody *body = soup_server_message_get_request_body (request->msg);
      g_autofree char *parent = g_path_get_dirname (local);
      g_autoptr(GError) error = NULL;
      const char *overwrite = lb_fake_request_get_query (request, "overwrite");

      if (g_file_test (local, G_FILE_TEST_IS_DIR))
        {
          lb_fake_reply_error (request, 409, "ALREADY_EXISTS", "A directory exists at this path.");
          return;
        }
      if (g_file_test (local, G_FILE_TEST_EXISTS) && g_strcmp0 (overwrite, "true") != 0)
        {
          lb_fake_reply_error (request, 409, "ALREADY_EXISTS", "The file already exists.");
          return;
        }
      /* The real API creates missing parent directories on upload. */
      g_mkdir_with_parents (parent, 0700);
      if (!g_file_set_contents (local, body->data != NULL ? body->data : "", body->length, &error))
        {
          lb_fake_reply_error (request, 500, "INTERNAL_ERROR", error->message);
          return;
        }
      reply_no_content (request);
      return;
    }

  if (g_stat (local, &st) != 0 || S_ISDIR (st.st_mode))
    {
      reply_not_found (request, "File", path);
      return;
    }

  if (g_str_equal (request->method, "DELETE"))
    {
      g_unlink (local);
      reply_no_content (request);
    }
  else if (g_str_equal (request->method, "HEAD") || g_str_equal (request->method, "GET"))
    {
      g_autofree char *modified = http_date (st.st_mtime);
      g_autofree char *data = NULL;
      gsize size = 0;
      gint64 first = 0;
      gint64 last = 0;
      const char *range = soup_message_headers_get_one (soup_server_message_get_request_headers (request->msg),
                                                        "Range");

      soup_message_headers_replace (out, "Last-Modified", modified);
      if (g_str_equal (request->method, "HEAD"))
        {
          soup_server_message_set_status (request->msg, 200, NULL);
          soup_message_headers_set_content_length (out, st.st_size);
          soup_message_headers_replace (out, "Content-Type", "application/octet-stream");
          return;
        }

      g_file_get_contents (local, &data, &size, NULL);
      if (range != NULL && parse_range (range, (gint64) size, &first, &last))
        {
          g_autofree char *content_range = NULL;

          if (first >= (gint64) size || first > last)
            {
              content_range = g_strdup_printf ("bytes */%" G_GSIZE_FORMAT, size);
              soup_message_headers_replace (out, "Content-Range", content_range);
              lb_fake_reply_error (request, 416, "INVALID_PARAMETER_VALUE", "The range is not satisfiable.");
              return;
            }
          content_range = g_strdup_printf ("bytes %" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "/%" G_GSIZE_FORMAT,
                                           first, last, size);
          soup_message_headers_replace (out, "Content-Range", content_range);
          soup_server_message_set_status (request->msg, 206, NULL);
          soup_server_message_set_response (request->msg, "application/octet-stream", SOUP_MEMORY_COPY,
                                            data + first, (gsize) (last - first + 1));
          return;
        }
      soup_server_message_set_status (request->msg, 200, NULL);
      soup_server_message_set_response (request->msg, "application/octet-stream", SOUP_MEMORY_COPY,
                                        data != NULL ? data : "", size);
    }
  else
    lb_fake_reply_error (request, 405, "METHOD_NOT_ALLOWED", "Method not allowed.");
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
directories_cb (LbFakeWorkspace *fake,
                LbFakeRequest   *request,
                gpointer         user_data)
{
  Jobs *jobs = get_jobs (fake);
  const char *path = request->path + strlen ("/api/2.0/fs/directories");
  g_autofree char *local = map_volume_path (jobs, path);
  g_autofree char *trimmed = g_strdup (path);

  if (local == NULL)
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE",
                           "The path must be /Volumes/<catalog>/<schema>/<volume>/<path>.");
      return;
    }
  while (strlen (trimmed) > 1 && g_str_has_suffix (trimmed, "/"))
    trimmed[strlen (trimmed) - 1] = '\0';

  if (g_str_equal (request->method, "PUT"))
    {
      if (g_file_test (local, G_FILE_TEST_EXISTS) && !g_file_test (local, G_FILE_TEST_IS_DIR))
        {
          lb_fake_reply_error (request, 409, "ALREADY_EXISTS", "A file exists at this path.");
          return;
        }
      g_mkdir_with_parents (local, 0700);
      reply_no_content (request);
      return;
    }

  if (!g_file_test (local, G_FILE_TEST_IS_DIR))
    {
      reply_not_found (request, "Directory", path);
      return;
    }

  if (g_str_equal (request->method, "HEAD"))
    soup_server_message_set_status (request->msg, 200, NULL);
  else if (g_str_equal (request->method, "DELETE"))
    {
      if (!dir_is_empty (local))
        {
          lb_fake_reply_error (request, 409, "DIRECTORY_NOT_EMPTY",
                               "The directory is not empty; delete its contents first.");
          return;
        }
      g_rmdir (local);
      reply_no_content (request);
    }
  else if (g_str_equal (request->method, "GET"))
    {
      g_autoptr(GDir) dir = g_dir_open (local, 0, NULL);
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;
      const char *token = lb_fake_request_get_query (request, "page_token");
      const char *size_text = lb_fake_request_get_query (request, "page_size");
      guint64 start = 0;
      guint page = jobs->page_size;
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        g_ptr_array_add (names, g_strdup (name));
      g_ptr_array_sort (names, compare_names);
      if (size_text != NULL && g_ascii_strtoull (size_text, NULL, 10) > 0)
        page = MIN (page, (guint) g_ascii_strtoull (size_text, NULL, 10));
      if (token != NULL && token[0] != '\0' &&
          (!g_str_has_prefix (token, "fake-") ||
           !g_ascii_string_to_unsigned (token + 5, 10, 0, names->len, &start, NULL)))
        {
          lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE", "The page token is not valid.");
          return;
        }

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "contents");
      json_builder_begin_array (builder);
      for (guint i = (guint) start; i < names->len && i < start + page; i++)
        {
          const char *child = g_ptr_array_index (names, i);
          g_autofree char *child_local = g_build_filename (local, child, NULL);
          g_autofree char *child_path = g_strconcat (trimmed, "/", child, NULL);
          GStatBuf st;

          if (g_stat (child_local, &st) != 0)
            continue;
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "path");
          json_builder_add_string_value (builder, child_path);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, child);
          json_builder_set_member_name (builder, "is_directory");
          json_builder_add_boolean_value (builder, S_ISDIR (st.st_mode));
          if (!S_ISDIR (st.st_mode))
            {
              json_builder_set_member_name (builder, "file_size");
              json_builder_add_int_value (builder, (gint64) st.st_size);
              json_builder_set_member_name (builder, "last_modified");
              json_builder_add_int_value (builder, (gint64) st.st_mtime * 1000);
            }
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      if (start + page < names->len)
        {
          g_autofree char *next = g_strdup_printf ("fake-%" G_GUINT64_FORMAT, start + page);

          json_builder_set_member_name (builder, "next_page_token");
          json_builder_add_string_value (builder, next);
        }
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      lb_fake_reply_json (request, 200, node);
    }
  else
    lb_fake_reply_error (request, 405, "METHOD_NOT_ALLOWED", "Method not allowed.");
}

/* ---- Jobs: processes ---- */

static Run *
find_run (Jobs   *jobs,
          gint64  run_id)
{
  for (guint i = 0; i < jobs->runs->len; i++)
    {
      Run *run = g_ptr_array_index (jobs->runs, i);

      if (run->run_id == run_id)
        return run;
    }
  return NULL;
}

static Task *
find_task (Jobs   *jobs,
           gint64  run_id)
{
  for (guint i = 0; i < jobs->tasks->len; i++)
    {
      Task *task = g_ptr_array_index (jobs->tasks, i);

      if (task->run_id == run_id)
        return task;
    }
  return NULL;
}

static void
finish_task (Task       *task,
             const char *result_state,
             const char *message)
{
  set_text (&task->life_cycle_state, "TERMINATED");
  set_text (&task->result_state, result_state);
  set_text (&task->state_message, message);
  task->end_time = now_ms ();
  if (task->start_time == 0)
    task->start_time = task->end_time;
}

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
process_exited_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Task *task = user_data;
  g_autoptr(GError) error = NULL;
  LbFakeWorkspace *fake;

  if (!g_subprocess_wait_finish (G_SUBPROCESS (object), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  fake = task->jobs->fake;
  lb_fake_workspace_lock (fake);
  task->exited = TRUE;
  clear_source (&task->kill_source);
  if (task->timed_out)
    finish_task (task, "TIMEDOUT", "The run reached its timeout_seconds.");
  else if (task->cancelled)
    finish_task (task, "CANCELED", "Run cancelled.");
  else if (g_subprocess_get_if_exited (task->process) && g_subprocess_get_exit_status (task->process) == 0)
    finish_task (task, "SUCCESS", "");
  else
    {
      g_autofree char *message = NULL;

      if (g_subprocess_get_if_signaled (task->process))
        message = g_strdup_printf ("Workload failed: the process was killed by signal %d.",
                                   g_subprocess_get_term_sig (task->process));
      else
        message = g_strdup_printf ("Workload failed, see run output for details (exit code %d).",
                                   g_subprocess_get_exit_status (task->process));
      finish_task (task, "FAILED", message);
    }
  lb_fake_workspace_unlock (fake);
}

static char *
find_bin_dir (Jobs *jobs)
{
  g_autofree char *pgbench = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autofree char *best = NULL;
  guint64 best_version = 0;
  const char *name;

  if (jobs->bin_dir != NULL)
    return g_strdup (jobs->bin_dir);

  pgbench = g_find_program_in_path ("pgbench");
  if (pgbench != NULL)
    return g_path_get_dirname (pgbench);

  dir = g_dir_open ("/usr/lib/postgresql", 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *candidate = g_build_filename ("/usr/lib/postgresql", name, "bin", "pgbench", NULL);
      guint64 version = g_ascii_strtoull (name, NULL, 10);

      if (g_file_test (candidate, G_FILE_TEST_IS_EXECUTABLE) && version >= best_version)
        {
          g_free (best);
          best = g_path_get_dirname (candidate);
          best_version = version;
        }
    }
  return g_steal_pointer (&best);
}

static gboolean
start_task_cb (gpointer data)
{
  Task *task = data;
  Jobs *jobs = task->jobs;
  LbFakeWorkspace *fake = jobs->fake;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *bin_dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *python = g_find_program_in_path ("python3");
  GHashTableIter iter;
  gpointer key, value;

  lb_fake_workspace_lock (fake);
  g_clear_pointer (&task->start_source, g_source_unref);

  if (task->cancelled || g_strcmp0 (task->life_cycle_state, "PENDING") != 0)
    {
      lb_fake_workspace_unlock (fake);
      return G_SOURCE_REMOVE;
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_set_cwd (launcher, jobs->root);
  g_subprocess_launcher_set_stdout_file_path (launcher, task->stdout_path);
  g_subprocess_launcher_set_stderr_file_path (launcher, task->stderr_path);
  g_subprocess_launcher_setenv (launcher, "LAKEBASE_RUNNER_ROOT", jobs->root, TRUE);
  g_subprocess_launcher_setenv (launcher, "DATABRICKS_HOST", lb_fake_workspace_get_url (fake), TRUE);
  g_subprocess_launcher_setenv (launcher, "DATABRICKS_TOKEN", jobs->task_token, TRUE);
  /* The task knows only its own identity, as on a cluster. */
  g_subprocess_launcher_unsetenv (launcher, "DATABRICKS_CONFIG_PROFILE");
  g_subprocess_launcher_unsetenv (launcher, "DATABRICKS_CONFIG_FILE");
  g_subprocess_launcher_unsetenv (launcher, "PGPASSWORD");
  g_subprocess_launcher_setenv (launcher, "PYTHONUNBUFFERED", "1", TRUE);
  bin_dir = find_bin_dir (jobs);
  path = bin_dir != NULL ? g_strconcat (bin_dir, ":", g_getenv ("PATH") ? g_getenv ("PATH") : "/usr/bin:/bin", NULL)
                         : g_strdup (g_getenv ("PATH") ? g_getenv ("PATH") : "/usr/bin:/bin");
  g_subprocess_launcher_setenv (launcher, "PATH", path, TRUE);
  g_hash_table_iter_init (&iter, jobs->task_env);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (value != NULL)
        g_subprocess_launcher_setenv (launcher, key, value, TRUE);
      else
        g_subprocess_launcher_unsetenv (launcher, key);
    }

  g_ptr_array_add (argv, python != NULL ? python : (char *) "python3");
  g_ptr_array_add (argv, task->python_file);
  for (guint i = 0; task->parameters != NULL && task->parameters[i] != NULL; i++)
    g_ptr_array_add (argv, task->parameters[i]);
  g_ptr_array_add (argv, NULL);

  task->start_time = now_ms ();
  task->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  if (task->process == NULL)
    {
      g_autofree char *message = g_strdup_printf ("Could not start the task: %s", error->message);

      finish_task (task, "FAILED", message);
      lb_fake_workspace_unlock (fake);
      return G_SOURCE_REMOVE;
    }
  jobs->spawned++;
  set_text (&task->life_cycle_state, "RUNNING");
  task->wait_cancellable = g_cancellable_new ();
  g_subprocess_wait_async (task->process, task->wait_cancellable, process_exited_cb, task);
  lb_fake_workspace_unlock (fake);

  return G_SOURCE_REMOVE;
}

static gboolean
kill_task_cb (gpointer data)
{
  Task *task = data;
  LbFakeWorkspace *fake = task->jobs->fake;

  lb_fake_workspace_lock (fake);
  g_clear_pointer (&task->kill_source, g_source_unref);
  if (task->process != NULL && !task->exited)
    g_subprocess_force_exit (task->process);
  lb_fake_workspace_unlock (fake);

  return G_SOURCE_REMOVE;
}

/* Lock held. */
static void
cancel_task (Task *task)
{
  if (g_strcmp0 (task->life_cycle_state, "TERMINATED") == 0 || task->cancelled)
    return;

  task->cancelled = TRUE;
  if (task->process == NULL)
    {
      clear_source (&task->start_source);
      finish_task (task, task->timed_out ? "TIMEDOUT" : "CANCELED",
                   task->timed_out ? "The run reached its timeout_seconds." : "Run cancelled.");
      return;
    }

  set_text (&task->life_cycle_state, "TERMINATING");
  g_subprocess_send_signal (task->process, SIGTERM);
  task->kill_source = g_timeout_source_new (task->jobs->kill_ms);
  g_source_set_callback (task->kill_source, kill_task_cb, task, NULL);
  g_source_attach (task->kill_source, g_main_context_get_thread_default ());
}

static gboolean
run_timed_out_cb (gpointer data)
{
  Run *run = data;
  LbFakeWorkspace *fake = ((Task *) g_ptr_array_index (run->tasks, 0))->jobs->fake;

  lb_fake_workspace_lock (fake);
  g_clear_pointer (&run->timeout_source, g_source_unref);
  for (guint i = 0; i < run->tasks->len; i++)
    {
      Task *task = g_ptr_array_index (run->tasks, i);

      if (g_strcmp0 (task->life_cycle_state, "TERMINATED") != 0 && !task->cancelled)
        {
          task->timed_out = TRUE;
          cancel_task (task);
        }
    }
  lb_fake_workspace_unlock (fake);

  return G_SOURCE_REMOVE;
}

/* ---- Jobs: routes ---- */

static void
add_state (JsonBuilder *builder,
           const char  *life_cycle_state,
           const char  *result_state,
           const char  *state_message)
{
  json_builder_set_member_name (builder, "state");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "life_cycle_state");
  json_builder_add_string_value (builder, life_cycle_state);
  if (result_state != NULL)
    {
      json_builder_set_member_name (builder, "result_state");
      json_builder_add_string_value (builder, result_state);
    }
  json_builder_set_member_name (builder, "state_message");
  json_builder_add_string_value (builder, state_message != NULL ? state_message : "");
  json_builder_set_member_name (builder, "user_cancelled_or_timedout");
  json_builder_add_boolean_value (builder, g_strcmp0 (result_state, "CANCELED") == 0);
  json_builder_end_object (builder);
}

static void
add_task_json (JsonBuilder *builder,
               Task        *task)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "run_id");
  json_builder_add_int_value (builder, task->run_id);
  json_builder_set_member_name (builder, "task_key");
  json_builder_add_string_value (builder, task->task_key);
  add_state (builder, task->life_cycle_state, task->result_state, task->state_message);
  json_builder_set_member_name (builder, "start_time");
  json_builder_add_int_value (builder, task->start_time);
  json_builder_set_member_name (builder, "end_time");
  json_builder_add_int_value (builder, task->end_time);
  json_builder_set_member_name (builder, "execution_duration");
  json_builder_add_int_value (builder, task->start_time > 0 ? (task->end_time > 0 ? task->end_time : now_ms ()) -
                                                                task->start_time : 0);
  json_builder_set_member_name (builder, "attempt_number");
  json_builder_add_int_value (builder, 0);
  json_builder_end_object (builder);
}

static void
run_state (Run         *run,
           const char **life_cycle_state,
           const char **result_state,
           const char **message)
{
  gboolean all_pending = TRUE;
  gboolean all_done = TRUE;
  gboolean any_failed = FALSE;
  gboolean any_cancelled = FALSE;
  gboolean any_timed_out = FALSE;

  for (guint i = 0; i < run->tasks->len; i++)
    {
      Task *task = g_ptr_array_index (run->tasks, i);

      if (g_strcmp0 (task->life_cycle_state, "PENDING") != 0)
        all_pending = FALSE;
      if (g_strcmp0 (task->life_cycle_state, "TERMINATED") != 0)
        all_done = FALSE;
      if (g_strcmp0 (task->result_state, "FAILED") == 0)
        any_failed = TRUE;
      if (task->timed_out)
        any_timed_out = TRUE;
      else if (task->cancelled)
        any_cancelled = TRUE;
    }

  *result_state = NULL;
  *message = "";
  if (all_done)
    {
      *life_cycle_state = "TERMINATED";
      *result_state = any_timed_out ? "TIMEDOUT" : any_cancelled ? "CANCELED" : any_failed ? "FAILED" : "SUCCESS";
      *message = any_timed_out ? "The run reached its timeout_seconds." : any_cancelled ? "Run cancelled." :
                 any_failed ? "A task failed." : "";
    }
  else if (all_pending)
    {
      *life_cycle_state = "PENDING";
      *message = "Waiting for cluster";
    }
  else if (any_cancelled || any_timed_out)
    *life_cycle_state = "TERMINATING";
  else
    *life_cycle_state = "RUNNING";
}

static void
submit (LbFakeWorkspace *fake,
        Jobs            *jobs,
        LbFakeRequest   *request)
{
  JsonObject *body = body_object (request);
  JsonNode *tasks_node = body != NULL ? json_object_get_member (body, "tasks") : NULL;
  const char *token = member_string (body, "idempotency_token");
  g_autoptr(GHashTable) keys = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) answer = NULL;
  JsonArray *tasks;
  Run *run;

  if (request->body != NULL)
    g_ptr_array_add (jobs->submissions, json_to_string (request->body, FALSE));

  if (token != NULL && (run = g_hash_table_lookup (jobs->idempotency, token)) != NULL)
    goto answer;

  if (tasks_node == NULL || !JSON_NODE_HOLDS_ARRAY (tasks_node) ||
      json_array_get_length (json_node_get_array (tasks_node)) == 0)
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE", "A run needs at least one task in tasks.");
      return;
    }
  tasks = json_node_get_array (tasks_node);

  /* Validate everything before anything starts. */
  for (guint i = 0; i < json_array_get_length (tasks); i++)
    {
      JsonNode *element = json_array_get_element (tasks, i);
      JsonObject *task = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      const char *key = member_string (task, "task_key");
      JsonNode *python = task != NULL ? json_object_get_member (task, "spark_python_task") : NULL;
      JsonNode *cluster = task != NULL ? json_object_get_member (task, "new_cluster") : NULL;
      JsonNode *parameters;
      const char *file;
      g_autofree char *local = NULL;
      g_autofree char *message = NULL;

      if (key == NULL || key[0] == '\0')
        {
          lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE", "Every task needs a task_key.");
          return;
        }
      if (g_hash_table_contains (keys, key))
        {
          message = g_strdup_printf ("Task key %s is used by more than one task.", key);
          lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE", message);
          return;
        }
      g_hash_table_add (keys, (gpointer) key);
      if ((cluster == NULL || !JSON_NODE_HOLDS_OBJECT (cluster)) && member_string (task, "existing_cluster_id") == NULL)
        {
          message = g_strdup_printf ("Task %s needs new_cluster or existing_cluster_id.", key);
          lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE", message);
          return;
        }
      if (python == NULL || !JSON_NODE_HOLDS_OBJECT (python))
        {
          message = g_strdup_printf ("Task %s: the fake runs spark_python_task tasks only.", key);
          lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE", message);
          return;
        }
      file = member_string (json_node_get_object (python), "python_file");
      local = file != NULL ? map_workspace_path (jobs, file) : NULL;
      if (local == NULL || !g_file_test (local, G_FILE_TEST_IS_REGULAR))
        {
          message = g_strdup_printf ("Task %s: python_file %s does not exist in the workspace.", key,
                                     file != NULL ? file : "(none)");
          lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE", message);
          return;
        }
      parameters = json_object_get_member (json_node_get_object (python), "parameters");
      if (parameters != NULL && !JSON_NODE_HOLDS_ARRAY (parameters))
        {
          message = g_strdup_printf ("Task %s: parameters must be a list of strings.", key);
          lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE", message);
          return;
        }
      for (guint j = 0; parameters != NULL && j < json_array_get_length (json_node_get_array (parameters)); j++)
        if (json_node_get_value_type (json_array_get_element (json_node_get_array (parameters), j)) != G_TYPE_STRING)
          {
            message = g_strdup_printf ("Task %s: parameters must be a list of strings.", key);
            lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE", message);
            return;
          }
    }

  run = g_new0 (Run, 1);
  run->run_id = jobs->next_id++;
  run->run_name = g_strdup (member_string (body, "run_name"));
  run->tasks = g_ptr_array_new ();
  run->start_time = now_ms ();
  g_ptr_array_add (jobs->runs, run);
  if (token != NULL)
    g_hash_table_insert (jobs->idempotency, g_strdup (token), run);

  for (guint i = 0; i < json_array_get_length (tasks); i++)
    {
      JsonObject *spec = json_array_get_object_element (tasks, i);
      JsonObject *python = json_object_get_object_member (spec, "spark_python_task");
      JsonNode *parameters = json_object_get_member (python, "parameters");
      g_autoptr(GStrvBuilder) strv = g_strv_builder_new ();
      Task *task = g_new0 (Task, 1);
      g_autofree char *log_base = NULL;

      task->jobs = jobs;
      task->task_key = g_strdup (member_string (spec, "task_key"));
      task->run_id = jobs->next_id++;
      task->parent_run_id = run->run_id;
      task->python_file = map_workspace_path (jobs, member_string (python, "python_file"));
      for (guint j = 0; parameters != NULL && j < json_array_get_length (json_node_get_array (parameters)); j++)
        g_strv_builder_add (strv, json_array_get_string_element (json_node_get_array (parameters), j));
      task->parameters = g_strv_builder_end (strv);
      task->life_cycle_state = g_strdup ("PENDING");
      task->state_message = g_strdup ("Waiting for cluster");
      log_base = g_strdup_printf ("%s/logs/%" G_GINT64_FORMAT, jobs->root, task->run_id);
      g_mkdir_with_parents (log_base, 0700);
      task->stdout_path = g_build_filename (log_base, "stdout", NULL);
      task->stderr_path = g_build_filename (log_base, "stderr", NULL);
      task->start_source = g_timeout_source_new (jobs->task_start_ms);
      g_source_set_callback (task->start_source, start_task_cb, task, NULL);
      g_source_attach (task->start_source, g_main_context_get_thread_default ());
      g_ptr_array_add (jobs->tasks, task);
      g_ptr_array_add (run->tasks, task);
    }

  if (member_int (body, "timeout_seconds") > 0)
    {
      run->timeout_source = g_timeout_source_new_seconds ((guint) MIN (member_int (body, "timeout_seconds"), G_MAXUINT));
      g_source_set_callback (run->timeout_source, run_timed_out_cb, run, NULL);
      g_source_attach (run->timeout_source, g_main_context_get_thread_default ());
    }

answer:
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "run_id");
  json_builder_add_int_value (builder, run->run_id);
  json_builder_end_object (builder);
  answer = json_builder_get_root (builder);
  lb_fake_reply_json (request, 200, answer);
}

static void
reply_no_run (LbFakeRequest *request,
              gint64         run_id)
{
  g_autofree char *message = g_strdup_printf ("Run %" G_GINT64_FORMAT " does not exist.", run_id);

  lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE", message);
}

static void
get_run (LbFakeWorkspace *fake,
         Jobs            *jobs,
         LbFakeRequest   *request)
{
  gint64 run_id = g_ascii_strtoll (lb_fake_request_get_query (request, "run_id") ?: "0", NULL, 10);
  Run *run = find_run (jobs, run_id);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) answer = NULL;
  g_autofree char *url = NULL;
  const char *life_cycle_state, *result_state, *message;
  gint64 end_time = 0;

  if (run == NULL)
    {
      reply_no_run (request, run_id);
      return;
    }

  run_state (run, &life_cycle_state, &result_state, &message);
  url = g_strdup_printf ("%s/#job/runs/%" G_GINT64_FORMAT, lb_fake_workspace_get_url (fake), run->run_id);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "run_id");
  json_builder_add_int_value (builder, run->run_id);
  json_builder_set_member_name (builder, "run_name");
  json_builder_add_string_value (builder, run->run_name != NULL ? run->run_name : "Untitled");
  json_builder_set_member_name (builder, "run_page_url");
  json_builder_add_string_value (builder, url);
  json_builder_set_member_name (builder, "run_type");
  json_builder_add_string_value (builder, "SUBMIT_RUN");
  add_state (builder, life_cycle_state, result_state, message);
  json_builder_set_member_name (builder, "start_time");
  json_builder_add_int_value (builder, run->start_time);
  json_builder_set_member_name (builder, "tasks");
  json_builder_begin_array (builder);
  for (guint i = 0; i < run->tasks->len; i++)
    {
      Task *task = g_ptr_array_index (run->tasks, i);

      add_task_json (builder, task);
      end_time = MAX (end_time, task->end_time);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "end_time");
  json_builder_add_int_value (builder, g_str_equal (life_cycle_state, "TERMINATED") ? end_time : 0);
  json_builder_end_object (builder);
  answer = json_builder_get_root (builder);
  lb_fake_reply_json (request, 200, answer);
}

static void
cancel_run (LbFakeWorkspace *fake,
            Jobs            *jobs,
            LbFakeRequest   *request)
{
  gint64 run_id = member_int (body_object (request), "run_id");
  Run *run = find_run (jobs, run_id);

  if (run == NULL)
    {
      reply_no_run (request, run_id);
      return;
    }
  for (guint i = 0; i < run->tasks->len; i++)
    cancel_task (g_ptr_array_index (run->tasks, i));
  reply_empty (request);
}

/* The last @max bytes of a file, cut at a line start. */
static char *
read_tail (const char *path,
           gsize       max)
{
  g_autofree char *data = NULL;
  gsize size = 0;
  const char *start;

  if (path == NULL || !g_file_get_contents (path, &data, &size, NULL))
    return g_strdup ("");
  if (size <= max)
    return g_utf8_make_valid (data, size);
  start = data + size - max;
  if (strchr (start, '\n') != NULL)
    start = strchr (start, '\n') + 1;
  return g_utf8_make_valid (start, -1);
}

static char *
last_line (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (int i = (int) g_strv_length (lines) - 1; i >= 0; i--)
    {
      g_strstrip (lines[i]);
      if (lines[i][0] != '\0')
        return g_strdup (lines[i]);
    }
  return NULL;
}

static void
get_output (LbFakeWorkspace *fake,
            Jobs            *jobs,
            LbFakeRequest   *request)
{
  gint64 run_id = g_ascii_strtoll (lb_fake_request_get_query (request, "run_id") ?: "0", NULL, 10);
  Task *task = find_task (jobs, run_id);
  Run *run = find_run (jobs, run_id);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) answer = NULL;
  g_autofree char *logs = NULL;
  g_autofree char *errors = NULL;

  if (task == NULL && run != NULL && run->tasks->len == 1)
    task = g_ptr_array_index (run->tasks, 0);
  if (task == NULL && run != NULL)
    {
      lb_fake_reply_error (request, 400, "INVALID_PARAMETER_VALUE",
                           "Retrieving the output of runs with multiple tasks is not supported. "
                           "Please retrieve the output of each individual task run instead.");
      return;
    }
  if (task == NULL)
    {
      reply_no_run (request, run_id);
      return;
    }

  logs = read_tail (task->stdout_path, TAIL_BYTES);
  errors = read_tail (task->stderr_path, TAIL_BYTES);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "metadata");
  add_task_json (builder, task);
  json_builder_set_member_name (builder, "logs");
  json_builder_add_string_value (builder, logs);
  json_builder_set_member_name (builder, "logs_truncated");
  json_builder_add_boolean_value (builder, FALSE);
  if (g_strcmp0 (task->result_state, "FAILED") == 0)
    {
      g_autofree char *line = last_line (errors);

      json_builder_set_member_name (builder, "error");
      json_builder_add_string_value (builder, line != NULL ? line : task->state_message);
      json_builder_set_member_name (builder, "error_trace");
      json_builder_add_string_value (builder, errors);
    }
  json_builder_end_object (builder);
  answer = json_builder_get_root (builder);
  lb_fake_reply_json (request, 200, answer);
}

static void
jobs_cb (LbFakeWorkspace *fake,
         LbFakeRequest   *request,
         gpointer         user_data)
{
  Jobs *jobs = get_jobs (fake);
  const char *action = strstr (request->path, "/jobs/runs/") + strlen ("/jobs/runs/");
  gboolean post = g_str_equal (request->method, "POST");

  if (post && g_str_equal (action, "submit"))
    submit (fake, jobs, request);
  else if (!post && g_str_equal (action, "get"))
    get_run (fake, jobs, request);
  else if (post && g_str_equal (action, "cancel"))
    cancel_run (fake, jobs, request);
  else if (!post && g_str_equal (action, "get-output"))
    get_output (fake, jobs, request);
  else
    lb_fake_reply_error (request, 404, "ENDPOINT_NOT_FOUND", "No API found for this path.");
}

/* ---- Init and test API ---- */

void
_lb_fake_workspace_jobs_init (LbFakeWorkspace *fake)
{
  Jobs *jobs = g_new0 (Jobs, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *random = g_uuid_string_random ();

  jobs->fake = fake;
  jobs->root = g_dir_make_tmp ("lb-fake-runner-root-XXXXXX", &error);
  g_assert_no_error (error);
  jobs->next_id = 1000 + g_random_int_range (0, 1000);
  jobs->runs = g_ptr_array_new_with_free_func (run_free);
  jobs->tasks = g_ptr_array_new_with_free_func (task_free);
  jobs->idempotency = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  jobs->submissions = g_ptr_array_new_with_free_func (g_free);
  jobs->task_env = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  jobs->task_start_ms = 100;
  jobs->kill_ms = 10000;
  jobs->page_size = 1000;
  g_strdelimit (random, "-", 't');
  jobs->task_token = g_strconcat ("dkea", random, NULL);

  /* Tasks run as their own identity: a token of their own, never the
   * user's. */
  lb_fake_workspace_lock (fake);
  lb_fake_workspace_accept_token_locked (fake, jobs->task_token, G_MAXINT64);
  lb_fake_workspace_unlock (fake);

  g_mkdir_with_parents (jobs->root, 0700);
  {
    /* The folders every workspace has. */
    g_autofree char *workspace = g_build_filename (jobs->root, "Workspace", "Users", NULL);
    g_autofree char *shared = g_build_filename (jobs->root, "Workspace", "Shared", NULL);
    g_autofree char *volumes = g_build_filename (jobs->root, "Volumes", NULL);

    g_mkdir_with_parents (workspace, 0700);
    g_mkdir_with_parents (shared, 0700);
    g_mkdir_with_parents (volumes, 0700);
  }

  lb_fake_workspace_set_data (fake, "jobs", jobs, jobs_free);
  lb_fake_workspace_add_route (fake, NULL, "/api/2.0/workspace/", workspace_cb, NULL, NULL);
  lb_fake_workspace_add_route (fake, NULL, "/api/2.0/fs/files/", files_cb, NULL, NULL);
  lb_fake_workspace_add_route (fake, NULL, "/api/2.0/fs/directories/", directories_cb, NULL, NULL);
  lb_fake_workspace_add_route (fake, NULL, "/api/2.1/jobs/runs/", jobs_cb, NULL, NULL);
  lb_fake_workspace_add_route (fake, NULL, "/api/2.2/jobs/runs/", jobs_cb, NULL, NULL);
}

const char *
lb_fake_workspace_get_runner_root (LbFakeWorkspace *fake)
{
  g_return_val_if_fail (fake != NULL, NULL);

  return get_jobs (fake)->root;
}

char *
lb_fake_workspace_dup_task_token (LbFakeWorkspace *fake)
{
  g_return_val_if_fail (fake != NULL, NULL);

  return g_strdup (get_jobs (fake)->task_token);
}

char **
lb_fake_workspace_dup_job_submissions (LbFakeWorkspace *fake)
{
  Jobs *jobs = get_jobs (fake);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  lb_fake_workspace_lock (fake);
  for (guint i = 0; i < jobs->submissions->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (jobs->submissions, i));
  lb_fake_workspace_unlock (fake);

  return g_strv_builder_end (builder);
}

guint
lb_fake_workspace_count_task_processes (LbFakeWorkspace *fake)
{
  Jobs *jobs = get_jobs (fake);
  guint count;

  lb_fake_workspace_lock (fake);
  count = jobs->spawned;
  lb_fake_workspace_unlock (fake);

  return count;
}

guint
lb_fake_workspace_count_live_task_processes (LbFakeWorkspace *fake)
{
  Jobs *jobs = get_jobs (fake);
  guint count = 0;

  lb_fake_workspace_lock (fake);
  for (guint i = 0; i < jobs->tasks->len; i++)
    {
      Task *task = g_ptr_array_index (jobs->tasks, i);

      if (task->process != NULL && !task->exited)
        count++;
    }
  lb_fake_workspace_unlock (fake);

  return count;
}

void
lb_fake_workspace_set_task_start_ms (LbFakeWorkspace *fake,
                                     guint            ms)
{
  lb_fake_workspace_lock (fake);
  get_jobs (fake)->task_start_ms = ms;
  lb_fake_workspace_unlock (fake);
}

void
lb_fake_workspace_set_task_kill_ms (LbFakeWorkspace *fake,
                                    guint            ms)
{
  lb_fake_workspace_lock (fake);
  get_jobs (fake)->kill_ms = ms;
  lb_fake_workspace_unlock (fake);
}

void
lb_fake_workspace_set_task_bin_dir (LbFakeWorkspace *fake,
                                    const char      *dir)
{
  lb_fake_workspace_lock (fake);
  set_text (&get_jobs (fake)->bin_dir, dir);
  lb_fake_workspace_unlock (fake);
}

void
lb_fake_workspace_set_task_env (LbFakeWorkspace *fake,
                                const char      *name,
                                const char      *value)
{
  g_return_if_fail (name != NULL);

  lb_fake_workspace_lock (fake);
  g_hash_table_replace (get_jobs (fake)->task_env, g_strdup (name), g_strdup (value));
  lb_fake_workspace_unlock (fake);
}

void
lb_fake_workspace_set_files_page_size (LbFakeWorkspace *fake,
                                       guint            n)
{
  g_return_if_fail (n > 0);

  lb_fake_workspace_lock (fake);
  get_jobs (fake)->page_size = n;
  lb_fake_workspace_unlock (fake);
}
