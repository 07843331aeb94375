/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lb-workspace-files and lb-jobs-client against the fake workspace: the
 * workspace and Files API calls over its temporary folder, and Jobs runs
 * whose tasks the fake really starts as python3 processes. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "lb-fake-workspace.h"
#include "lb-fake-workspace-jobs.h"
#include "lb-jobs-client.h"
#include "lb-test-utils.h"
#include "lb-workspace-files.h"

#define USER_DIR "/Users/ana@example.com/.lakebase-accelerator/runs/20261202-120000-abcdef"
#define VOLUME   "/Volumes/main/default/load runs"

typedef struct
{
  LbFakeWorkspace    *fake;
  LbDatabricksClient *client;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(LbDatabricksAuth) auth = NULL;
  g_autoptr(GError) error = NULL;

  fixture->fake = lb_fake_workspace_new ();
  auth = lb_databricks_auth_new_for_token (lb_fake_workspace_get_url (fixture->fake),
                                           lb_fake_workspace_get_token (fixture->fake));
  fixture->client = lb_databricks_client_new (auth, &error);
  g_assert_no_error (error);
  g_object_set (fixture->client, "retry-base-ms", 5, "retry-budget-ms", 5000, NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_assert_finalize_object (fixture->client);
  lb_fake_workspace_free (fixture->fake);
}

/* Synchronous wrappers: start the call, spin until it is done. */

#define WAIT(call) \
  G_STMT_START { \
    g_autoptr(GAsyncResult) _slot = NULL; \
    call; \
    result = g_object_ref (lb_test_wait_for_result (&_slot)); \
  } G_STMT_END

static gboolean
do_mkdirs (Fixture    *fixture,
           const char *path,
           GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  WAIT (lb_workspace_mkdirs_async (fixture->client, path, NULL, lb_test_async_result_cb, &_slot));
  return lb_workspace_mkdirs_finish (fixture->client, result, error);
}

static gboolean
do_import (Fixture    *fixture,
           const char *path,
           const char *text,
           GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  WAIT (lb_workspace_import_async (fixture->client, path, bytes, NULL, lb_test_async_result_cb, &_slot));
  return lb_workspace_import_finish (fixture->client, result, error);
}

static gboolean
do_status (Fixture               *fixture,
           const char            *path,
           LbWorkspaceObjectType *type,
           gint64                *size,
           GError               **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  WAIT (lb_workspace_get_status_async (fixture->client, path, NULL, lb_test_async_result_cb, &_slot));
  return lb_workspace_get_status_finish (fixture->client, result, type, size, error);
}

static gboolean
do_ws_delete (Fixture    *fixture,
              const char *path,
              gboolean    recursive,
              GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  WAIT (lb_workspace_delete_async (fixture->client, path, recursive, NULL, lb_test_async_result_cb, &_slot));
  return lb_workspace_delete_finish (fixture->client, result, error);
}

static gboolean
do_put (Fixture    *fixture,
        const char *path,
        const char *text,
        gboolean    overwrite,
        GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  WAIT (lb_files_put_async (fixture->client, path, bytes, overwrite, NULL, lb_test_async_result_cb, &_slot));
  return lb_files_put_finish (fixture->client, result, error);
}

static char *
do_get (Fixture    *fixture,
        const char *path,
        goffset     offset,
        gsize       length,
        GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) bytes = NULL;

  WAIT (lb_files_get_async (fixture->client, path, offset, length, NULL, lb_test_async_result_cb, &_slot));
  bytes = lb_files_get_finish (fixture->client, result, error);
  if (bytes == NULL)
    return NULL;
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static gboolean
do_head (Fixture    *fixture,
         const char *path,
         gint64     *size,
         GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  WAIT (lb_files_get_metadata_async (fixture->client, path, NULL, lb_test_async_result_cb, &_slot));
  return lb_files_get_metadata_finish (fixture->client, result, size, error);
}

static gboolean
do_files_delete (Fixture    *fixture,
                 const char *path,
                 GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  WAIT (lb_files_delete_async (fixture->client, path, NULL, lb_test_async_result_cb, &_slot));
  return lb_files_delete_finish (fixture->client, result, error);
}

static gboolean
do_mkdir (Fixture    *fixture,
          const char *path,
          GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  WAIT (lb_files_create_directory_async (fixture->client, path, NULL, lb_test_async_result_cb, &_slot));
  return lb_files_create_directory_finish (fixture->client, result, error);
}

static GPtrArray *
do_list (Fixture    *fixture,
         const char *path,
         GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  WAIT (lb_files_list_directory_async (fixture->client, path, NULL, lb_test_async_result_cb, &_slot));
  return lb_files_list_directory_finish (fixture->client, result, error);
}

static gboolean
do_rmdir (Fixture    *fixture,
          const char *path,
          GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  WAIT (lb_files_delete_directory_async (fixture->client, path, NULL, lb_test_async_result_cb, &_slot));
  return lb_files_delete_directory_finish (fixture->client, result, error);
}

static gboolean
do_delete_tree (Fixture    *fixture,
                const char *path,
                GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  WAIT (lb_files_delete_tree_async (fixture->client, path, NULL, lb_test_async_result_cb, &_slot));
  return lb_files_delete_tree_finish (fixture->client, result, error);
}

static gint64
do_submit (Fixture  *fixture,
           JsonNode *spec,
           GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  WAIT (lb_jobs_submit_run_async (fixture->client, spec, NULL, lb_test_async_result_cb, &_slot));
  return lb_jobs_submit_run_finish (fixture->client, result, error);
}

static LbJobRun *
do_get_run (Fixture *fixture,
            gint64   run_id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  LbJobRun *run;

  WAIT (lb_jobs_get_run_async (fixture->client, run_id, NULL, lb_test_async_result_cb, &_slot));
  run = lb_jobs_get_run_finish (fixture->client, result, &error);
  g_assert_no_error (error);
  return run;
}

static void
do_cancel (Fixture *fixture,
           gint64   run_id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  WAIT (lb_jobs_cancel_run_async (fixture->client, run_id, NULL, lb_test_async_result_cb, &_slot));
  g_assert_true (lb_jobs_cancel_run_finish (fixture->client, result, &error));
  g_assert_no_error (error);
}

/* Polls runs/get (every 100 ms) until the run is terminal; fails after
 * @seconds. */
static LbJobRun *
wait_terminal (Fixture *fixture,
               gint64   run_id,
               guint    seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(LbJobRun) run = do_get_run (fixture, run_id);

      if (lb_job_run_is_terminal (run))
        return g_steal_pointer (&run);
      lb_test_spin_ms (100);
    }
  g_assert_not_reached ();
  return NULL;
}

static char *
root_path (Fixture    *fixture,
           const char *path)
{
  return g_build_filename (lb_fake_workspace_get_runner_root (fixture->fake), path, NULL);
}

/* Imports @source as @name into USER_DIR; returns its workspace path. */
static char *
import_script (Fixture    *fixture,
               const char *name,
               const char *source)
{
  g_autoptr(GError) error = NULL;
  char *path = g_strconcat (USER_DIR "/", name, NULL);

  g_assert_true (do_mkdirs (fixture, USER_DIR, &error));
  g_assert_no_error (error);
  g_assert_true (do_import (fixture, path, source, &error));
  g_assert_no_error (error);
  return path;
}

/* A runs/submit spec: one spark_python_task per key, @python_file in the
 * /Workspace form a cluster sees, parameters [key, extra]. */
static JsonNode *
build_spec (const char         *python_file,
            const char * const *keys,
            const char         *extra,
            const char         *token)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "run_name");
  json_builder_add_string_value (builder, "lakebase-accelerator test");
  json_builder_set_member_name (builder, "timeout_seconds");
  json_builder_add_int_value (builder, 600);
  if (token != NULL)
    {
      json_builder_set_member_name (builder, "idempotency_token");
      json_builder_add_string_value (builder, token);
    }
  json_builder_set_member_name (builder, "tasks");
  json_builder_begin_array (builder);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "task_key");
      json_builder_add_string_value (builder, keys[i]);
      json_builder_set_member_name (builder, "new_cluster");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "num_workers");
      json_builder_add_int_value (builder, 0);
      json_builder_set_member_name (builder, "node_type_id");
      json_builder_add_string_value (builder, "m6i.large");
      json_builder_set_member_name (builder, "spark_version");
      json_builder_add_string_value (builder, "15.4.x-scala2.12");
      json_builder_end_object (builder);
      json_builder_set_member_name (builder, "spark_python_task");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "python_file");
      json_builder_add_string_value (builder, python_file);
      json_builder_set_member_name (builder, "parameters");
      json_builder_begin_array (builder);
      json_builder_add_string_value (builder, keys[i]);
      json_builder_add_string_value (builder, extra != NULL ? extra : "");
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* ---- Workspace files ---- */

static void
test_workspace_import_status (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *on_disk = root_path (fixture, "Workspace" USER_DIR "/config.json");
  g_autofree char *contents = NULL;
  LbWorkspaceObjectType type = LB_WORKSPACE_OBJECT_UNKNOWN;
  gint64 size = -2;

  g_assert_true (do_mkdirs (fixture, USER_DIR "/script", &error));
  g_assert_no_error (error);
  /* mkdirs of an existing folder is fine. */
  g_assert_true (do_mkdirs (fixture, USER_DIR, &error));
  g_assert_no_error (error);

  g_assert_true (do_import (fixture, USER_DIR "/config.json", "{\"version\":1}", &error));
  g_assert_no_error (error);
  /* overwrite: a second import replaces it. */
  g_assert_true (do_import (fixture, USER_DIR "/config.json", "{\"version\":12}", &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (on_disk, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "{\"version\":12}");

  g_assert_true (do_status (fixture, USER_DIR "/config.json", &type, &size, &error));
  g_assert_no_error (error);
  g_assert_cmpint (type, ==, LB_WORKSPACE_OBJECT_FILE);
  g_assert_cmpint (size, ==, 14);
  /* The /Workspace form a cluster sees names the same file. */
  g_assert_true (do_status (fixture, "/Workspace" USER_DIR "/config.json", &type, &size, &error));
  g_assert_no_error (error);
  g_assert_cmpint (type, ==, LB_WORKSPACE_OBJECT_FILE);
  g_assert_true (do_status (fixture, USER_DIR "/script", &type, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (type, ==, LB_WORKSPACE_OBJECT_DIRECTORY);

  /* Import into a folder that does not exist: NOT_FOUND. */
  g_assert_false (do_import (fixture, USER_DIR "/nowhere/x.sql", "select 1;", &error));
  g_assert_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A non-recursive delete of a full folder is refused; recursive works. */
  g_assert_false (do_ws_delete (fixture, USER_DIR, FALSE, &error));
  g_assert_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_BAD_REQUEST);
  g_clear_error (&error);
  g_assert_true (do_ws_delete (fixture, USER_DIR, TRUE, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (on_disk, G_FILE_TEST_EXISTS));

  g_assert_false (do_status (fixture, USER_DIR "/config.json", &type, &size, &error));
  g_assert_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (do_ws_delete (fixture, USER_DIR, TRUE, &error));
  g_assert_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NOT_FOUND);
}

/* ---- Files API ---- */

static void
test_files_put_get_range (Fixture       *fixture,
                          gconstpointer  data)
{
  /* Spaces, '#', '?', '%' and non-ASCII: each must reach the server as
   * part of the path, not cut it short. */
  const char *path = VOLUME "/lakebase-accelerator/run 1/w0 #1?%20ü.json";
  g_autofree char *on_disk = root_path (fixture, path);
  g_autoptr(GError) error = NULL;
  g_autofree char *whole = NULL;
  g_autofree char *part = NULL;
  g_autofree char *tail = NULL;
  g_autofree char *disk = NULL;
  gint64 size = 0;

  g_assert_true (do_put (fixture, path, "0123456789abcdef", FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (on_disk, &disk, NULL, NULL));
  g_assert_cmpstr (disk, ==, "0123456789abcdef");

  /* No overwrite: the second put is refused; with it, it replaces. */
  g_assert_false (do_put (fixture, path, "other", FALSE, &error));
  g_assert_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_true (do_put (fixture, path, "0123456789ABCDEF!", TRUE, &error));
  g_assert_no_error (error);

  whole = do_get (fixture, path, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (whole, ==, "0123456789ABCDEF!");
  part = do_get (fixture, path, 3, 4, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (part, ==, "3456");
  /* From an offset to the end, and a range past the end is cut short. */
  tail = do_get (fixture, path, 10, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tail, ==, "ABCDEF!");
  g_clear_pointer (&tail, g_free);
  tail = do_get (fixture, path, 15, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tail, ==, "F!");

  g_assert_true (do_head (fixture, path, &size, &error));
  g_assert_no_error (error);
  g_assert_cmpint (size, ==, 17);

  g_assert_true (do_files_delete (fixture, path, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (on_disk, G_FILE_TEST_EXISTS));
}

static void
test_files_not_found (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  gint64 size = 0;

  text = do_get (fixture, VOLUME "/missing.json", 0, 0, &error);
  g_assert_null (text);
  g_assert_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (do_head (fixture, VOLUME "/missing.json", &size, &error));
  g_assert_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (do_files_delete (fixture, VOLUME "/missing.json", &error));
  g_assert_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NOT_FOUND);
  g_clear_error (&error);

  entries = do_list (fixture, VOLUME "/no such dir", &error);
  g_assert_null (entries);
  g_assert_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (do_delete_tree (fixture, VOLUME "/no such dir", &error));
  g_assert_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Not a volume path at all: the server's 400 comes through. */
  g_assert_false (do_put (fixture, "/tmp/x", "x", TRUE, &error));
  g_assert_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_BAD_REQUEST);
}

static void
test_files_list_paging (Fixture       *fixture,
                        gconstpointer  data)
{
  const char *dir = VOLUME "/lakebase-accelerator/run 2";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  guint files = 0;
  guint pages;

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/w%u.json", dir, i);
      g_autofree char *text = g_strnfill (i + 1, 'x');

      g_assert_true (do_put (fixture, path, text, TRUE, &error));
      g_assert_no_error (error);
    }
  g_assert_true (do_mkdir (fixture, VOLUME "/lakebase-accelerator/run 2/sub dir", &error));
  g_assert_no_error (error);

  lb_fake_workspace_set_files_page_size (fixture->fake, 2);
  lb_fake_workspace_clear_log (fixture->fake);
  entries = do_list (fixture, dir, &error);
  g_assert_no_error (error);
  pages = lb_fake_workspace_count_requests (fixture->fake, "GET", "/api/2.0/fs/directories/");
  /* Six entries two by two: three pages, all followed. */
  g_assert_cmpuint (pages, ==, 3);
  g_assert_cmpuint (entries->len, ==, 6);

  for (guint i = 0; i < entries->len; i++)
    {
      LbFilesEntry *entry = g_ptr_array_index (entries, i);

      g_assert_true (g_str_has_prefix (entry->path, dir));
      if (entry->is_directory)
        {
          g_assert_cmpstr (entry->name, ==, "sub dir");
          g_assert_cmpstr (entry->path, ==, VOLUME "/lakebase-accelerator/run 2/sub dir");
          continue;
        }
      files++;
      /* w<i>.json holds i + 1 bytes. */
      g_assert_cmpint (entry->file_size, ==, entry->name[1] - '0' + 1);
      g_assert_cmpint (entry->last_modified, >, 1700000000000);
    }
  g_assert_cmpuint (files, ==, 5);
}

static void
test_files_delete_tree (Fixture       *fixture,
                        gconstpointer  data)
{
  const char *top = VOLUME "/lakebase-accelerator/run 3";
  const char *paths[] = {
    VOLUME "/lakebase-accelerator/run 3/w0.json",
    VOLUME "/lakebase-accelerator/run 3/a/w1.json",
    VOLUME "/lakebase-accelerator/run 3/a/b c/w2.json",
    VOLUME "/lakebase-accelerator/run 3/d/w3.json",
  };
  g_autofree char *on_disk = root_path (fixture, top);
  g_autofree char *sibling = root_path (fixture, VOLUME "/lakebase-accelerator/keep.json");
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_assert_true (do_put (fixture, paths[i], "{}", TRUE, &error));
      g_assert_no_error (error);
    }
  g_assert_true (do_mkdir (fixture, VOLUME "/lakebase-accelerator/run 3/empty", &error));
  g_assert_no_error (error);
  g_assert_true (do_put (fixture, VOLUME "/lakebase-accelerator/keep.json", "{}", TRUE, &error));
  g_assert_no_error (error);

  /* The API itself deletes only empty directories. */
  g_assert_false (do_rmdir (fixture, top, &error));
  g_assert_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_true (g_file_test (on_disk, G_FILE_TEST_IS_DIR));

  lb_fake_workspace_set_files_page_size (fixture->fake, 1);
  g_assert_true (do_delete_tree (fixture, top, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (on_disk, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (sibling, G_FILE_TEST_IS_REGULAR));
  /* Four files and five directories, each deleted once. */
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "DELETE", "/api/2.0/fs/files/"), ==, 4);
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "DELETE", "/api/2.0/fs/directories/"), ==, 6);
}

/* ---- Jobs ---- */

/* Checks that the task runs as its own identity (the token works, and is
 * not the user's), then writes "<key> <extra>" into a volume path through
 * LAKEBASE_RUNNER_ROOT, as the runner writes its samples. */
static const char *writer_script =
  "import json, os, sys, urllib.request\n"
  "key, extra = sys.argv[1], sys.argv[2]\n"
  "root = os.environ['LAKEBASE_RUNNER_ROOT']\n"
  "req = urllib.request.Request(os.environ['DATABRICKS_HOST'] + '/api/2.0/workspace/get-status?path=/Users',\n"
  "                             headers={'Authorization': 'Bearer ' + os.environ['DATABRICKS_TOKEN']})\n"
  "status = json.load(urllib.request.urlopen(req))['object_type']\n"
  "out = root + '/Volumes/main/default/load runs/out/' + key + '.txt'\n"
  "os.makedirs(os.path.dirname(out), exist_ok=True)\n"
  "with open(out, 'w') as f:\n"
  "    f.write(key + ' ' + extra + ' ' + status)\n"
  "print('wrote', out)\n";

static void
test_jobs_submit_success (Fixture       *fixture,
                          gconstpointer  data)
{
  const char *keys[] = { "w0", "w1", NULL };
  g_autofree char *script = import_script (fixture, "writer.py", writer_script);
  g_autofree char *cluster_path = g_strconcat ("/Workspace", script, NULL);
  g_autoptr(JsonNode) spec = build_spec (cluster_path, keys, "hello", "tok-success");
  g_autoptr(GError) error = NULL;
  g_autoptr(LbJobRun) first = NULL;
  g_autoptr(LbJobRun) run = NULL;
  g_auto(GStrv) submissions = NULL;
  g_auto(GStrv) secrets = NULL;
  g_autofree char *task_token = NULL;
  gint64 run_id;

  lb_fake_workspace_set_task_start_ms (fixture->fake, 300);
  run_id = do_submit (fixture, spec, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run_id, >, 0);

  first = do_get_run (fixture, run_id);
  g_assert_cmpint (first->run_id, ==, run_id);
  g_assert_cmpstr (first->life_cycle_state, ==, "PENDING");
  g_assert_null (first->result_state);
  g_assert_false (lb_job_run_is_terminal (first));
  g_assert_cmpuint (first->tasks->len, ==, 2);
  g_assert_nonnull (first->run_page_url);

  run = wait_terminal (fixture, run_id, 30);
  g_assert_cmpstr (run->life_cycle_state, ==, "TERMINATED");
  g_assert_cmpstr (run->result_state, ==, "SUCCESS");
  for (guint i = 0; keys[i] != NULL; i++)
    {
      LbJobTask *task = lb_job_run_get_task (run, keys[i]);
      g_autofree char *path = g_strdup_printf (VOLUME "/out/%s.txt", keys[i]);
      g_autofree char *expected = g_strdup_printf ("%s hello DIRECTORY", keys[i]);
      g_autofree char *text = NULL;
      g_autofree char *logs = NULL;
      g_autofree char *error_text = NULL;
      g_autoptr(GAsyncResult) result = NULL;

      g_assert_nonnull (task);
      g_assert_cmpstr (task->life_cycle_state, ==, "TERMINATED");
      g_assert_cmpstr (task->result_state, ==, "SUCCESS");
      g_assert_cmpint (task->run_id, >, 0);
      g_assert_cmpint (task->run_id, !=, run_id);
      g_assert_cmpint (task->start_time, >, 0);
      g_assert_cmpint (task->end_time, >=, task->start_time);
      g_assert_cmpint (task->execution_duration, ==, task->end_time - task->start_time);

      /* What the task wrote to the volume, read back through the Files API. */
      text = do_get (fixture, path, 0, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (text, ==, expected);

      WAIT (lb_jobs_get_output_async (fixture->client, task->run_id, NULL, lb_test_async_result_cb, &_slot));
      g_assert_true (lb_jobs_get_output_finish (fixture->client, result, &error_text, NULL, &logs, &error));
      g_assert_no_error (error);
      g_assert_null (error_text);
      g_assert_nonnull (strstr (logs, "wrote "));
    }
  g_assert_cmpuint (lb_fake_workspace_count_task_processes (fixture->fake), ==, 2);
  g_assert_cmpuint (lb_fake_workspace_count_live_task_processes (fixture->fake), ==, 0);

  /* The submitted JSON holds no secret: neither the user's token nor the
   * tasks' (which the tasks get only through their environment). */
  submissions = lb_fake_workspace_dup_job_submissions (fixture->fake);
  secrets = lb_fake_workspace_dup_secrets (fixture->fake);
  task_token = lb_fake_workspace_dup_task_token (fixture->fake);
  g_assert_cmpuint (g_strv_length (submissions), ==, 1);
  g_assert_nonnull (strstr (submissions[0], "writer.py"));
  g_assert_true (g_strv_contains ((const char * const *) secrets, task_token));
  g_assert_cmpstr (task_token, !=, lb_fake_workspace_get_token (fixture->fake));
  for (guint i = 0; submissions[i] != NULL; i++)
    for (guint j = 0; secrets[j] != NULL; j++)
      g_assert_null (strstr (submissions[i], secrets[j]));
}

static const char *failing_script =
  "import sys\n"
  "print('starting', sys.argv[1])\n"
  "sys.stderr.write('Traceback (most recent call last):\\n  File \"x\", line 1\\n')\n"
  "sys.stderr.write('RuntimeError: pgbench is not on the node\\n')\n"
  "sys.exit(3)\n";

static void
test_jobs_failure (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *keys[] = { "w0", NULL };
  g_autofree char *script = import_script (fixture, "fail.py", failing_script);
  g_autoptr(JsonNode) spec = build_spec (script, keys, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbJobRun) run = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *error_text = NULL;
  g_autofree char *error_trace = NULL;
  g_autofree char *logs = NULL;
  LbJobTask *task;
  gint64 run_id;

  lb_fake_workspace_set_task_start_ms (fixture->fake, 0);
  run_id = do_submit (fixture, spec, &error);
  g_assert_no_error (error);
  run = wait_terminal (fixture, run_id, 30);
  g_assert_cmpstr (run->result_state, ==, "FAILED");
  task = g_ptr_array_index (run->tasks, 0);
  g_assert_cmpstr (task->result_state, ==, "FAILED");
  g_assert_nonnull (strstr (task->state_message, "exit code 3"));

  WAIT (lb_jobs_get_output_async (fixture->client, task->run_id, NULL, lb_test_async_result_cb, &_slot));
  g_assert_true (lb_jobs_get_output_finish (fixture->client, result, &error_text, &error_trace, &logs, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (error_text, ==, "RuntimeError: pgbench is not on the node");
  g_assert_nonnull (strstr (error_trace, "Traceback (most recent call last):"));
  g_assert_cmpstr (logs, ==, "starting w0\n");
}

/* w0 behaves like the runner (SIGTERM: write what it has, exit 0); w1
 * ignores SIGTERM and must be killed. */
static const char *sleeping_script =
  "import os, signal, sys, time\n"
  "key = sys.argv[1]\n"
  "root = os.environ['LAKEBASE_RUNNER_ROOT']\n"
  "def stop(signum, frame):\n"
  "    open(root + '/stopped-' + key, 'w').write('stopped')\n"
  "    sys.exit(0)\n"
  "signal.signal(signal.SIGTERM, stop if key == 'w0' else signal.SIG_IGN)\n"
  "open(root + '/started-' + key, 'w').write('started')\n"
  "time.sleep(120)\n";

static gboolean
both_started (gpointer data)
{
  Fixture *fixture = data;
  g_autofree char *a = root_path (fixture, "started-w0");
  g_autofree char *b = root_path (fixture, "started-w1");

  return g_file_test (a, G_FILE_TEST_EXISTS) && g_file_test (b, G_FILE_TEST_EXISTS);
}

static void
test_jobs_cancel (Fixture       *fixture,
                  gconstpointer  data)
{
  const char *keys[] = { "w0", "w1", NULL };
  g_autofree char *script = import_script (fixture, "sleep.py", sleeping_script);
  g_autoptr(JsonNode) spec = build_spec (script, keys, NULL, "tok-cancel");
  g_autoptr(GError) error = NULL;
  g_autoptr(LbJobRun) running = NULL;
  g_autoptr(LbJobRun) run = NULL;
  g_autofree char *stopped = root_path (fixture, "stopped-w0");
  gint64 run_id;
  gint64 started;

  lb_fake_workspace_set_task_start_ms (fixture->fake, 0);
  lb_fake_workspace_set_task_kill_ms (fixture->fake, 1000);
  run_id = do_submit (fixture, spec, &error);
  g_assert_no_error (error);
  lb_test_spin_until_func (both_started, fixture, 30);
  running = do_get_run (fixture, run_id);
  g_assert_cmpstr (running->life_cycle_state, ==, "RUNNING");
  g_assert_cmpuint (lb_fake_workspace_count_live_task_processes (fixture->fake), ==, 2);

  started = g_get_monotonic_time ();
  do_cancel (fixture, run_id);
  run = wait_terminal (fixture, run_id, 15);
  g_assert_cmpstr (run->result_state, ==, "CANCELED");
  for (guint i = 0; i < run->tasks->len; i++)
    g_assert_cmpstr (((LbJobTask *) g_ptr_array_index (run->tasks, i))->result_state, ==, "CANCELED");
  /* Within seconds, and the one that ignored SIGTERM was killed. */
  g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (lb_fake_workspace_count_live_task_processes (fixture->fake), ==, 0);
  g_assert_true (g_file_test (stopped, G_FILE_TEST_EXISTS));

  /* Cancelling a finished run again is harmless. */
  do_cancel (fixture, run_id);
}

static void
test_jobs_cancel_pending (Fixture       *fixture,
                          gconstpointer  data)
{
  const char *keys[] = { "w0", NULL };
  g_autofree char *script = import_script (fixture, "sleep.py", sleeping_script);
  g_autoptr(JsonNode) spec = build_spec (script, keys, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbJobRun) run = NULL;
  gint64 run_id;

  lb_fake_workspace_set_task_start_ms (fixture->fake, 60000);
  run_id = do_submit (fixture, spec, &error);
  g_assert_no_error (error);
  do_cancel (fixture, run_id);
  run = wait_terminal (fixture, run_id, 5);
  g_assert_cmpstr (run->result_state, ==, "CANCELED");
  g_assert_cmpuint (lb_fake_workspace_count_task_processes (fixture->fake), ==, 0);
}

static void
test_jobs_timeout (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *keys[] = { "w0", NULL };
  g_autofree char *script = import_script (fixture, "sleep.py", sleeping_script);
  g_autoptr(JsonNode) spec = build_spec (script, keys, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbJobRun) run = NULL;
  gint64 run_id;

  json_object_set_int_member (json_node_get_object (spec), "timeout_seconds", 1);
  lb_fake_workspace_set_task_start_ms (fixture->fake, 0);
  run_id = do_submit (fixture, spec, &error);
  g_assert_no_error (error);
  run = wait_terminal (fixture, run_id, 15);
  g_assert_cmpstr (run->result_state, ==, "TIMEDOUT");
  g_assert_cmpstr (((LbJobTask *) g_ptr_array_index (run->tasks, 0))->result_state, ==, "TIMEDOUT");
  g_assert_cmpuint (lb_fake_workspace_count_live_task_processes (fixture->fake), ==, 0);
}

static void
test_jobs_idempotent (Fixture       *fixture,
                      gconstpointer  data)
{
  const char *keys[] = { "w0", NULL };
  g_autofree char *script = import_script (fixture, "writer.py", writer_script);
  g_autoptr(JsonNode) spec = build_spec (script, keys, "once", "tok-same");
  g_autoptr(JsonNode) other = build_spec (script, keys, "twice", "tok-other");
  g_autoptr(GError) error = NULL;
  g_autoptr(LbJobRun) run = NULL;
  gint64 first, second, third;

  lb_fake_workspace_set_task_start_ms (fixture->fake, 0);
  first = do_submit (fixture, spec, &error);
  g_assert_no_error (error);
  /* A submit the client resends (after a 503 here), and one sent again as
   * if its answer had been lost: both get the first run. */
  lb_fake_workspace_fail_next (fixture->fake, "POST", "/api/2.2/jobs/runs/submit", 503, NULL, 1);
  second = do_submit (fixture, spec, &error);
  g_assert_no_error (error);
  g_assert_cmpint (second, ==, first);
  second = do_submit (fixture, spec, &error);
  g_assert_no_error (error);
  g_assert_cmpint (second, ==, first);

  run = wait_terminal (fixture, first, 30);
  g_assert_cmpstr (run->result_state, ==, "SUCCESS");
  g_assert_cmpuint (lb_fake_workspace_count_task_processes (fixture->fake), ==, 1);

  /* Another token is another run. */
  third = do_submit (fixture, other, &error);
  g_assert_no_error (error);
  g_assert_cmpint (third, !=, first);
  g_clear_pointer (&run, lb_job_run_free);
  run = wait_terminal (fixture, third, 30);
  g_assert_cmpuint (lb_fake_workspace_count_task_processes (fixture->fake), ==, 2);
}

static void
test_jobs_validation (Fixture       *fixture,
                      gconstpointer  data)
{
  const char *dup_keys[] = { "w0", "w0", NULL };
  const char *keys[] = { "w0", NULL };
  g_autofree char *script = import_script (fixture, "writer.py", writer_script);
  g_autoptr(JsonNode) dup = build_spec (script, dup_keys, NULL, NULL);
  g_autoptr(JsonNode) missing = build_spec (USER_DIR "/nope.py", keys, NULL, NULL);
  g_autoptr(JsonNode) no_cluster = build_spec (script, keys, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  JsonObject *task;
  g_autofree char *error_text = NULL;
  g_auto(GStrv) submissions = NULL;

  g_assert_cmpint (do_submit (fixture, dup, &error), ==, 0);
  g_assert_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_BAD_REQUEST);
  g_assert_nonnull (strstr (error->message, "w0"));
  g_clear_error (&error);

  g_assert_cmpint (do_submit (fixture, missing, &error), ==, 0);
  g_assert_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_BAD_REQUEST);
  g_assert_nonnull (strstr (error->message, "nope.py"));
  g_clear_error (&error);

  task = json_array_get_object_element (json_object_get_array_member (json_node_get_object (no_cluster), "tasks"), 0);
  json_object_remove_member (task, "new_cluster");
  g_assert_cmpint (do_submit (fixture, no_cluster, &error), ==, 0);
  g_assert_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_BAD_REQUEST);
  g_clear_error (&error);
  json_object_set_string_member (task, "existing_cluster_id", "0101-abcdef");
  g_assert_cmpint (do_submit (fixture, no_cluster, &error), >, 0);
  g_assert_no_error (error);

  /* Every body was kept, the refused ones too. */
  submissions = lb_fake_workspace_dup_job_submissions (fixture->fake);
  g_assert_cmpuint (g_strv_length (submissions), ==, 4);

  /* An unknown run. */
  WAIT (lb_jobs_get_output_async (fixture->client, 1, NULL, lb_test_async_result_cb, &_slot));
  g_assert_false (lb_jobs_get_output_finish (fixture->client, result, &error_text, NULL, NULL, &error));
  g_assert_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_BAD_REQUEST);
}

static void
test_request_times (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GArray) times = NULL;
  g_autoptr(GError) error = NULL;
  gint64 before = g_get_real_time ();
  LbWorkspaceObjectType type;

  for (guint i = 0; i < 3; i++)
    {
      do_status (fixture, "/Users", &type, NULL, &error);
      g_assert_no_error (error);
      lb_test_spin_ms (50);
    }
  times = lb_fake_workspace_dup_request_times (fixture->fake, "GET", "/api/2.0/workspace/get-status");
  g_assert_cmpuint (times->len, ==, 3);
  g_assert_cmpint (g_array_index (times, gint64, 0), >=, before);
  for (guint i = 1; i < times->len; i++)
    g_assert_cmpint (g_array_index (times, gint64, i) - g_array_index (times, gint64, i - 1), >=, 40000);
  g_assert_cmpint (g_array_index (times, gint64, 2), <=, g_get_real_time ());
}

static void
test_run_parse (void)
{
  const char *json =
    "{\"run_id\":\"77\",\"state\":{\"life_cycle_state\":\"INTERNAL_ERROR\",\"state_message\":\"no quota\"},"
    "\"tasks\":[{\"task_key\":\"w0\",\"run_id\":78,\"state\":{\"life_cycle_state\":\"SKIPPED\"}}, 5]}";
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  g_autoptr(JsonNode) bad = json_from_string ("{\"state\":{}}", NULL);
  g_autoptr(LbJobRun) run = NULL;
  g_autoptr(LbJobRun) copy = NULL;
  g_autoptr(GError) error = NULL;

  run = lb_job_run_new_from_json (node, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run->run_id, ==, 77);
  g_assert_true (lb_job_run_is_terminal (run));
  g_assert_null (run->result_state);
  g_assert_cmpstr (run->state_message, ==, "no quota");
  g_assert_cmpuint (run->tasks->len, ==, 1);
  copy = lb_job_run_copy (run);
  g_assert_cmpstr (lb_job_run_get_task (copy, "w0")->life_cycle_state, ==, "SKIPPED");
  g_assert_true (lb_job_task_is_terminal (lb_job_run_get_task (copy, "w0")));
  g_assert_null (lb_job_run_get_task (copy, "w1"));

  g_assert_null (lb_job_run_new_from_json (bad, &error));
  g_assert_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_MALFORMED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/jobs-client/workspace/import-status", test_workspace_import_status);
  ADD ("/jobs-client/files/put-get-range", test_files_put_get_range);
  ADD ("/jobs-client/files/not-found", test_files_not_found);
  ADD ("/jobs-client/files/list-paging", test_files_list_paging);
  ADD ("/jobs-client/files/delete-tree", test_files_delete_tree);
  ADD ("/jobs-client/jobs/submit-success", test_jobs_submit_success);
  ADD ("/jobs-client/jobs/failure", test_jobs_failure);
  ADD ("/jobs-client/jobs/cancel", test_jobs_cancel);
  ADD ("/jobs-client/jobs/cancel-pending", test_jobs_cancel_pending);
  ADD ("/jobs-client/jobs/timeout", test_jobs_timeout);
  ADD ("/jobs-client/jobs/idempotent", test_jobs_idempotent);
  ADD ("/jobs-client/jobs/validation", test_jobs_validation);
  ADD ("/jobs-client/fake/request-times", test_request_times);
#undef ADD
  g_test_add_func ("/jobs-client/jobs/run-parse", test_run_parse);

  return g_test_run ();
}
