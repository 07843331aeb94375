/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The remote runner (data/runner/lakebase_load_runner.py, from the core
 * GResource) run here as a Jobs task would run it: python3 with the task's
 * parameters, the fake workspace's credentials API as the identity, real
 * pgbench against a real PostgreSQL; then its files read back with
 * lb-remote-samples and merged with LbRemoteMerge. And LbRemoteMerge on
 * hand-made statuses (late, repeated, failed workers). */
#include "config.h"

#include <math.h>
#include <signal.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "lb-core.h"
#include "lb-fake-workspace.h"
#include "lb-latency-histogram.h"
#include "lb-pg-sandbox.h"
#include "lb-pg-sandbox-private.h"
#include "lb-remote-samples.h"
#include "lb-run-record.h"
#include "lb-test-utils.h"

#define RUNNER_RESOURCE "/io/github/lakebase/Accelerator/core/runner/lakebase_load_runner.py"
#define RUN_ID          "20261202-170000-abc123"
#define INSTANCE        "bench-db"
#define PROJECT         "bench-project"
#define ENDPOINT        "projects/" PROJECT "/branches/production/endpoints/primary"

/* One server for the program; each test uses tables of its own. */
static LbPgSandbox *sandbox;
static const char *conninfo;

typedef struct
{
  char            *root;          /* LAKEBASE_RUNNER_ROOT: /Workspace and /Volumes live here */
  char            *run_dir;       /* <root>/Workspace/Users/ana@example.com/.lakebase-accelerator/runs/ID */
  char            *samples_dir;   /* <root>/Volumes/main/default/runs/lakebase-accelerator/ID */
  char            *logs_dir;      /* LAKEBASE_RUNNER_WORK_DIR per worker: pgbench's logs */
  LbFakeWorkspace *fake;
  char            *pg_host;       /* what the fake's instance says */
  gboolean         dbruntime;     /* the identity from a notebook context, not the environment */
} Fixture;

typedef struct
{
  guint        workers;
  guint        clients;
  double       duration;
  double       warmup;
  double       refresh;
  guint        port;              /* 0: the server's */
  const char  *table;
  double       rate;
  gboolean     autoscaling;
  double       sampling_rate;     /* 0: 1.0 */
  const char  *user;              /* NULL: the server's workload role */
  guint        transactions;      /* count mode: over all clients */
  const char  *cid_expr;          /* NULL: each client's own id */
} RunSpec;

/* A POST to the fake as the user would make it (the deploy view's part). */
static void
post_to_fake (Fixture    *fixture,
              const char *path,
              const char *json)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (lb_fake_workspace_get_url (fixture->fake), path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autofree char *auth = g_strconcat ("Bearer ", lb_fake_workspace_get_token (fixture->fake), NULL);
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  reply = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
}

/* A provisioned instance and an autoscaling project: the fake mints
 * credentials only for targets it knows. */
static void
create_targets (Fixture *fixture)
{
  g_autoptr(JsonNode) instance = NULL;

  post_to_fake (fixture, "/api/2.0/database/instances", "{\"name\":\"" INSTANCE "\",\"capacity\":\"CU_1\"}");
  post_to_fake (fixture, "/api/2.0/postgres/projects?project_id=" PROJECT, "{\"spec\":{}}");
  instance = lb_fake_workspace_dup_resource (fixture->fake, "instances", INSTANCE);
  g_assert_nonnull (instance);
  fixture->pg_host = g_strdup (json_object_get_string_member (json_node_get_object (instance), "read_write_dns"));
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) runner = NULL;
  g_autofree char *runner_path = NULL;
  g_autofree char *socket_dir = lb_test_conninfo_value (conninfo, "host");

  fixture->root = g_dir_make_tmp ("lb-test-remote-runner-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->run_dir = g_build_filename (fixture->root, "Workspace", "Users", "ana@example.com",
                                       ".lakebase-accelerator", "runs", RUN_ID, NULL);
  fixture->samples_dir = g_build_filename (fixture->root, "Volumes", "main", "default", "runs",
                                           "lakebase-accelerator", RUN_ID, NULL);
  fixture->logs_dir = g_build_filename (fixture->root, "logs", NULL);
  g_assert_cmpint (g_mkdir_with_parents (fixture->run_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (fixture->logs_dir, 0700), ==, 0);

  /* The runner as the app uploads it: from the core GResource. */
  runner = g_resources_lookup_data (RUNNER_RESOURCE, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  g_assert_no_error (error);
  runner_path = g_build_filename (fixture->run_dir, "runner.py", NULL);
  g_file_set_contents (runner_path, g_bytes_get_data (runner, NULL), (gssize) g_bytes_get_size (runner), &error);
  g_assert_no_error (error);

  fixture->fake = lb_fake_workspace_new ();
  lb_fake_workspace_set_polls_until_ready (fixture->fake, 0);
  lb_fake_workspace_set_pg_host (fixture->fake, socket_dir);
  create_targets (fixture);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  lb_fake_workspace_free (fixture->fake);
  lb_test_remove_tree (fixture->root);
  g_free (fixture->root);
  g_free (fixture->run_dir);
  g_free (fixture->samples_dir);
  g_free (fixture->logs_dir);
  g_free (fixture->pg_host);
}

/* A script that leaves one row per transaction: the server's count of what ran. */
static void
write_script (Fixture    *fixture,
              const char *table,
              const char *cid_expr)
{
  g_autofree char *script_dir = g_build_filename (fixture->run_dir, "script", NULL);
  g_autofree char *sql = g_strdup_printf ("\\set cid %s\n"
                                          "INSERT INTO %s (cid) VALUES (:cid);\n",
                                          cid_expr != NULL ? cid_expr : ":client_id + :client_id_base",
                                          table);
  g_autofree char *create = g_strdup_printf ("DROP TABLE IF EXISTS %s; CREATE TABLE %s (id bigserial, cid int)",
                                             table, table);
  g_autofree char *path = NULL;

  g_assert_cmpint (g_mkdir_with_parents (script_dir, 0700), ==, 0);
  path = lb_test_write_file (script_dir, "insert.sql", sql);
  lb_test_pg_exec (conninfo, create);
}

static void
write_config (Fixture       *fixture,
              const RunSpec *spec)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autofree char *port = lb_test_conninfo_value (conninfo, "port");
  g_autofree char *dbname = lb_test_conninfo_value (conninfo, "dbname");
  g_autofree char *user = lb_test_conninfo_value (conninfo, "user");
  g_autofree char *script = g_strdup_printf ("/Workspace/Users/ana@example.com/.lakebase-accelerator/runs/%s/script/insert.sql@1", RUN_ID);
  g_autofree char *samples = g_strdup_printf ("/Volumes/main/default/runs/lakebase-accelerator/%s", RUN_ID);
  g_autoptr(GError) error = NULL;

  write_script (fixture, spec->table, spec->cid_expr);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "run_id");
  json_builder_add_string_value (builder, RUN_ID);
  json_builder_set_member_name (builder, "worker");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "workers");
  json_builder_add_int_value (builder, spec->workers);
  json_builder_set_member_name (builder, "script_args");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "-f");
  json_builder_add_string_value (builder, script);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "clients");
  json_builder_add_int_value (builder, spec->clients);
  json_builder_set_member_name (builder, "threads");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "protocol");
  json_builder_add_string_value (builder, "prepared");
  json_builder_set_member_name (builder, "duration");
  json_builder_add_double_value (builder, spec->duration);
  json_builder_set_member_name (builder, "transactions");
  json_builder_add_int_value (builder, spec->transactions);
  json_builder_set_member_name (builder, "warmup");
  json_builder_add_double_value (builder, spec->warmup);
  json_builder_set_member_name (builder, "rate");
  json_builder_add_double_value (builder, spec->rate);
  json_builder_set_member_name (builder, "latency_limit");
  json_builder_add_double_value (builder, 0);
  json_builder_set_member_name (builder, "seed");
  json_builder_add_int_value (builder, 1234);
  json_builder_set_member_name (builder, "max_tries");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "scale");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "defines");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "client_id_base");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "target");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, spec->autoscaling ? "autoscaling" : "provisioned");
  json_builder_set_member_name (builder, spec->autoscaling ? "endpoint" : "instance_name");
  json_builder_add_string_value (builder, spec->autoscaling ? ENDPOINT : INSTANCE);
  json_builder_set_member_name (builder, "host");
  json_builder_add_string_value (builder, fixture->pg_host);
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, spec->port != 0 ? spec->port : g_ascii_strtoull (port, NULL, 10));
  json_builder_set_member_name (builder, "dbname");
  json_builder_add_string_value (builder, dbname);
  json_builder_set_member_name (builder, "sslmode");
  json_builder_add_string_value (builder, "require");
  json_builder_set_member_name (builder, "user");
  json_builder_add_string_value (builder, spec->user != NULL ? spec->user : user);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "samples_dir");
  json_builder_add_string_value (builder, samples);
  json_builder_set_member_name (builder, "credential_refresh_seconds");
  json_builder_add_double_value (builder, spec->refresh > 0 ? spec->refresh : 3000);
  json_builder_set_member_name (builder, "sampling_rate");
  json_builder_add_double_value (builder, spec->sampling_rate > 0 ? spec->sampling_rate : 1.0);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  text = json_to_string (root, TRUE);
  g_free (lb_test_write_file (fixture->run_dir, "config.json", text));
  g_assert_no_error (error);
}

typedef enum
{
  PGBENCH_ON_PATH,
  PGBENCH_NOWHERE,
} PgbenchPlace;

/* The interpreter itself, not a wrapper script on PATH (which may need
 * programs that a test's PATH leaves out). */
static const char *
python_path (void)
{
  static char *path;

  if (path == NULL)
    {
      const char *argv[] = { "python3", "-c", "import sys; print(sys.executable)", NULL };
      g_auto(LbTestCliResult) result = { 0 };

      lb_test_run_argv (&result, NULL, NULL, G_SPAWN_SEARCH_PATH, argv);
      g_assert_cmpint (result.status, ==, 0);
      path = g_strstrip (g_strdup (result.out));
    }
  return path;
}

/* The task's process, as the fake's Jobs would start it. */
static GSubprocess *
spawn_worker (Fixture      *fixture,
              guint         worker,
              PgbenchPlace  place)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                                                       | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  const char *python = python_path ();
  g_autofree char *runner = g_build_filename (fixture->run_dir, "runner.py", NULL);
  g_autofree char *config = g_strdup_printf ("/Workspace/Users/ana@example.com/.lakebase-accelerator/runs/%s/config.json", RUN_ID);
  g_autofree char *worker_text = g_strdup_printf ("%u", worker);
  g_autofree char *logs = g_strdup_printf ("%s/w%u", fixture->logs_dir, worker);
  g_autofree char *pgbench = _lb_pg_sandbox_tool_path (sandbox, "pgbench");
  g_autofree char *pg_bin = g_path_get_dirname (pgbench);
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  const char *pg_names[] = { "PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE",
                             "PGHOSTADDR", "PGPASSWORD", "PGOPTIONS", "PGSSLMODE" };
  GSubprocess *process;

  g_assert_nonnull (python);
  for (guint i = 0; i < G_N_ELEMENTS (pg_names); i++)
    g_subprocess_launcher_unsetenv (launcher, pg_names[i]);
  g_subprocess_launcher_setenv (launcher, "LAKEBASE_RUNNER_ROOT", fixture->root, TRUE);
  if (fixture->dbruntime)
    {
      /* What a Databricks cluster's Python has: dbruntime's context, with
       * the task identity's host and token. */
      g_autofree char *python_dir = g_build_filename (fixture->root, "python", "dbruntime", NULL);
      g_autofree char *module = g_strdup_printf ("class _Context:\n"
                                                 "    apiUrl = '%s'\n"
                                                 "    apiToken = '%s'\n"
                                                 "def get_context():\n"
                                                 "    return _Context()\n",
                                                 lb_fake_workspace_get_url (fixture->fake),
                                                 lb_fake_workspace_get_token (fixture->fake));
      g_autofree char *python_root = g_path_get_dirname (python_dir);

      g_assert_cmpint (g_mkdir_with_parents (python_dir, 0700), ==, 0);
      g_free (lb_test_write_file (python_dir, "__init__.py", ""));
      g_free (lb_test_write_file (python_dir, "databricks_repl_context.py", module));
      g_subprocess_launcher_setenv (launcher, "PYTHONPATH", python_root, TRUE);
      g_subprocess_launcher_unsetenv (launcher, "DATABRICKS_HOST");
      g_subprocess_launcher_unsetenv (launcher, "DATABRICKS_TOKEN");
    }
  else
    {
      g_subprocess_launcher_setenv (launcher, "DATABRICKS_HOST", lb_fake_workspace_get_url (fixture->fake), TRUE);
      g_subprocess_launcher_setenv (launcher, "DATABRICKS_TOKEN", lb_fake_workspace_get_token (fixture->fake), TRUE);
    }
  g_subprocess_launcher_setenv (launcher, "LAKEBASE_RUNNER_NO_INSTALL", "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "LAKEBASE_RUNNER_WORK_DIR", logs, TRUE);
  if (place == PGBENCH_ON_PATH)
    path = g_strdup_printf ("%s:/usr/bin:/bin", pg_bin);
  else
    {
      /* A PATH with nothing of PostgreSQL's (nor anything else). */
      path = g_build_filename (fixture->root, "bin", NULL);
      g_mkdir_with_parents (path, 0700);
      g_subprocess_launcher_setenv (launcher, "LAKEBASE_RUNNER_PG_DIRS", "/nonexistent/lb-test", TRUE);
    }
  g_subprocess_launcher_setenv (launcher, "PATH", path, TRUE);

  process = g_subprocess_launcher_spawn (launcher, &error, python, runner, "--config", config,
                                         "--worker", worker_text, NULL);
  g_assert_no_error (error);
  return process;
}

/* Sleeps @ms, dispatching what is pending first: the runners share the
 * machine's cores with pgbench and the server, so no busy wait. */
static void
pause_ms (guint ms)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_usleep ((gulong) ms * 1000);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
wait_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  gboolean *done = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *done = TRUE;
}

/* Waits at most @seconds; returns the exit status. */
static int
wait_worker (GSubprocess *process,
             guint        seconds)
{
  gboolean done = FALSE;

  g_subprocess_wait_async (process, NULL, wait_done_cb, &done);
  lb_test_spin_until (&done, seconds);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

static LbRemoteWorkerStatus *
read_status (Fixture          *fixture,
             guint             worker,
             LbRemoteFileKind  kind)
{
  g_autofree char *name = lb_remote_samples_file_name (worker, kind);
  g_autofree char *path = g_build_filename (fixture->samples_dir, name, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  LbRemoteWorkerStatus *status;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return NULL;
  bytes = g_bytes_new_take (g_steal_pointer (&contents), length);
  status = lb_remote_worker_status_new_from_bytes (bytes, kind, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status->worker, ==, worker);
  return status;
}

/* No secret the fake handed out or accepts in any file of @dir. */
static void
assert_no_secret_in_tree (Fixture    *fixture,
                          const char *dir)
{
  g_auto(GStrv) secrets = lb_fake_workspace_dup_secrets (fixture->fake);
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  if (handle == NULL)
    return;
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          assert_no_secret_in_tree (fixture, path);
          continue;
        }
      g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
      for (guint i = 0; secrets[i] != NULL; i++)
        if (strstr (contents, secrets[i]) != NULL)
          g_error ("a secret is in %s", path);
    }
}

/* The pgbench processes started for this test (their script is under our
 * root): none may carry a secret in its argv. Returns how many ran. */
static guint
check_pgbench_argv (Fixture *fixture)
{
  g_auto(GStrv) secrets = lb_fake_workspace_dup_secrets (fixture->fake);
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint found = 0;

  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *cmdline = NULL;
      gsize length;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_build_filename ("/proc", name, "cmdline", NULL);
      if (!g_file_get_contents (path, &cmdline, &length, NULL) || length == 0)
        continue;
      for (gsize i = 0; i + 1 < length; i++)
        if (cmdline[i] == '\0')
          cmdline[i] = ' ';
      if (strstr (cmdline, "pgbench") == NULL || strstr (cmdline, fixture->root) == NULL
          || strstr (cmdline, "runner.py") != NULL)
        continue;
      found++;
      for (guint i = 0; secrets[i] != NULL; i++)
        if (strstr (cmdline, secrets[i]) != NULL)
          g_error ("a secret is in pgbench's argv: %s", cmdline);
    }
  return found;
}

/* Every latency pgbench logged for @worker (µs), sorted: the truth the
 * histogram approximates. */
static void
collect_logged_latencies (Fixture *fixture,
                          guint    worker,
                          GArray  *latencies)
{
  g_autofree char *dir = g_strdup_printf ("%s/w%u", fixture->logs_dir, worker);
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (handle);
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      g_auto(GStrv) lines = NULL;

      if (!g_str_has_prefix (name, "seg"))
        continue;
      g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
      lines = g_strsplit (contents, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          g_auto(GStrv) fields = g_strsplit_set (lines[i], " ", -1);
          char *end;
          gint64 value;

          if (g_strv_length (fields) < 6)
            continue;
          value = g_ascii_strtoll (fields[2], &end, 10);
          if (*end == '\0')
            g_array_append_val (latencies, value);
        }
    }
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static double
exact_percentile (GArray *sorted,
                  double  percentile)
{
  guint64 rank = (guint64) ceil (percentile / 100.0 * sorted->len);

  rank = CLAMP (rank, 1, sorted->len);
  return (double) g_array_index (sorted, gint64, rank - 1);
}

static void
assert_within_histogram_error (double approximate,
                               double exact)
{
  if (fabs (approximate - exact) > exact * 0.008 + 1)
    g_error ("%.1f µs is not within 0.8 %% of %.1f µs", approximate, exact);
}

/* Two workers: live files during the run, their counts summed equal the
 * server's rows, the merged percentiles equal those of every logged
 * transaction, :client_id distinct over both, no token in argv or files. */
static void
test_two_workers (Fixture       *fixture,
                  gconstpointer  data)
{
  RunSpec spec = { .workers = 2, .clients = 5, .duration = 4, .table = "rr_two" };
  g_autoptr(GSubprocess) w0 = NULL;
  g_autoptr(GSubprocess) w1 = NULL;
  g_autoptr(LbRemoteMerge) merge = lb_remote_merge_new (2);
  g_autoptr(LbRemoteWorkerStatus) f0 = NULL;
  g_autoptr(LbRemoteWorkerStatus) f1 = NULL;
  g_autoptr(LbRunResult) result = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  gboolean saw_live_sample = FALSE, done0 = FALSE, done1 = FALSE;
  guint merged_live = 0, pgbench_seen = 0;
  gint64 server_rows;

  write_config (fixture, &spec);
  w0 = spawn_worker (fixture, 0, PGBENCH_ON_PATH);
  w1 = spawn_worker (fixture, 1, PGBENCH_ON_PATH);
  g_subprocess_wait_async (w0, NULL, wait_done_cb, &done0);
  g_subprocess_wait_async (w1, NULL, wait_done_cb, &done1);

  /* While they run: read the live files as the app would, merge them. */
  for (guint i = 0; i < 300 && !(done0 && done1); i++)
    {
      pause_ms (100);
      pgbench_seen = MAX (pgbench_seen, check_pgbench_argv (fixture));
      for (guint k = 0; k < 2; k++)
        {
          g_autoptr(LbRemoteWorkerStatus) live = read_status (fixture, k, LB_REMOTE_FILE_LIVE);

          if (live == NULL || lb_remote_worker_state_is_over (live->state))
            continue;
          if (live->state == LB_REMOTE_WORKER_RUNNING && live->samples->len > 0)
            saw_live_sample = TRUE;
          lb_remote_merge_add_status (merge, live);
        }
      {
        g_autoptr(GArray) taken = lb_remote_merge_take_samples (merge, g_get_real_time () / 1e6);

        merged_live += taken->len;
      }
    }
  g_assert_cmpint (wait_worker (w0, 30), ==, 0);
  g_assert_cmpint (wait_worker (w1, 30), ==, 0);
  g_assert_true (saw_live_sample);
  g_assert_cmpuint (merged_live, >=, 1);
  g_assert_cmpuint (pgbench_seen, >=, 1);

  f0 = read_status (fixture, 0, LB_REMOTE_FILE_FINAL);
  f1 = read_status (fixture, 1, LB_REMOTE_FILE_FINAL);
  g_assert_nonnull (f0);
  g_assert_nonnull (f1);
  g_assert_cmpint (f0->state, ==, LB_REMOTE_WORKER_DONE);
  g_assert_cmpint (f1->state, ==, LB_REMOTE_WORKER_DONE);
  g_assert_null (f0->error);
  g_assert_cmpuint (f0->clients, ==, 3);   /* 5 over 2: the first gets one more */
  g_assert_cmpuint (f1->clients, ==, 2);
  g_assert_cmpuint (f0->clients_connected, ==, 3);
  g_assert_cmpuint (f0->credentials_minted, ==, 1);
  g_assert_cmpuint (f0->transactions, >, 0);
  g_assert_cmpuint (f1->transactions, >, 0);
  g_assert_cmpfloat (f0->tps_per_core, >, 0);
  g_assert_nonnull (f0->pgbench_version);
  g_assert_true (g_str_has_prefix (f0->pgbench_version, "pgbench"));
  /* The whole run's histogram is the sum of its seconds. */
  {
    guint64 in_seconds = 0;

    for (guint i = 0; i < f0->samples->len; i++)
      in_seconds += g_array_index (f0->samples, LbRemoteSample, i).transactions;
    g_assert_cmpuint (in_seconds, ==, f0->transactions);
    g_assert_cmpuint (lb_latency_histogram_get_count (f0->latency), ==, f0->transactions);
  }

  lb_remote_merge_add_status (merge, f1);
  lb_remote_merge_add_status (merge, f0);
  result = lb_remote_merge_finish (merge, &rows);

  server_rows = lb_test_pg_query_int (conninfo, "SELECT count(*) FROM rr_two");
  g_assert_cmpint ((gint64) result->transactions, ==, server_rows);
  g_assert_cmpuint (result->transactions, ==, f0->transactions + f1->transactions);
  g_assert_cmpuint (lb_latency_histogram_get_count (result->latency), ==, result->transactions);
  g_assert_cmpuint (result->clients_asked, ==, 5);
  g_assert_cmpuint (result->clients_connected_max, ==, 5);
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_cmpstr (((LbRemoteWorkerRow *) rows->pdata[1])->state, ==, "done");
  g_assert_cmpuint (((LbRemoteWorkerRow *) rows->pdata[1])->transactions, ==, f1->transactions);
  g_assert_cmpuint (result->timeline->len, >=, 3);

  /* :client_id + :client_id_base: 0..2 on worker 0, 3..4 on worker 1. */
  g_assert_cmpint (lb_test_pg_query_int (conninfo, "SELECT count(DISTINCT cid) FROM rr_two"), ==, 5);
  g_assert_cmpint (lb_test_pg_query_int (conninfo, "SELECT min(cid) FROM rr_two"), ==, 0);
  g_assert_cmpint (lb_test_pg_query_int (conninfo, "SELECT max(cid) FROM rr_two"), ==, 4);

  /* The merged percentiles against every transaction pgbench logged. */
  collect_logged_latencies (fixture, 0, latencies);
  collect_logged_latencies (fixture, 1, latencies);
  g_assert_cmpuint (latencies->len, ==, result->transactions);
  g_array_sort (latencies, compare_gint64);
  assert_within_histogram_error (lb_latency_histogram_get_percentile (result->latency, 50), exact_percentile (latencies, 50));
  assert_within_histogram_error (lb_latency_histogram_get_percentile (result->latency, 95), exact_percentile (latencies, 95));
  assert_within_histogram_error (lb_latency_histogram_get_percentile (result->latency, 99), exact_percentile (latencies, 99));
  g_assert_cmpint (lb_latency_histogram_get_max (result->latency), ==, g_array_index (latencies, gint64, latencies->len - 1));
  g_assert_cmpint (lb_latency_histogram_get_min (result->latency), ==, g_array_index (latencies, gint64, 0));

  assert_no_secret_in_tree (fixture, fixture->samples_dir);
}

/* A warm-up is a pgbench run of its own: its seconds are marked and its
 * transactions are in no total, while the server saw both. */
static void
test_warmup (Fixture       *fixture,
             gconstpointer  data)
{
  RunSpec spec = { .workers = 1, .clients = 2, .duration = 2, .warmup = 2, .table = "rr_warmup" };
  g_autoptr(GSubprocess) w0 = NULL;
  g_autoptr(LbRemoteWorkerStatus) final = NULL;
  guint64 warm = 0, measured = 0;

  write_config (fixture, &spec);
  w0 = spawn_worker (fixture, 0, PGBENCH_ON_PATH);
  g_assert_cmpint (wait_worker (w0, 30), ==, 0);
  final = read_status (fixture, 0, LB_REMOTE_FILE_FINAL);
  g_assert_nonnull (final);
  for (guint i = 0; i < final->samples->len; i++)
    {
      const LbRemoteSample *sample = &g_array_index (final->samples, LbRemoteSample, i);

      if (sample->warmup)
        warm += sample->transactions;
      else
        measured += sample->transactions;
    }
  g_assert_cmpuint (warm, >, 0);
  g_assert_cmpuint (measured, ==, final->transactions);
  g_assert_cmpuint (lb_latency_histogram_get_count (final->latency), ==, final->transactions);
  g_assert_cmpint (lb_test_pg_query_int (conninfo, "SELECT count(*) FROM rr_warmup"), >, (gint64) final->transactions);
  g_assert_cmpfloat (final->duration, >, 1.5);
  g_assert_cmpfloat (final->duration, <, 3);
}

/* SIGTERM (the Jobs cancel): pgbench stopped, the final file says
 * cancelled with what was measured, within seconds. */
static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  RunSpec spec = { .workers = 1, .clients = 2, .duration = 120, .table = "rr_cancel" };
  g_autoptr(GSubprocess) w0 = NULL;
  g_autoptr(LbRemoteWorkerStatus) final = NULL;
  gint64 cancelled_at;

  write_config (fixture, &spec);
  w0 = spawn_worker (fixture, 0, PGBENCH_ON_PATH);
  for (guint i = 0; i < 300; i++)
    {
      g_autoptr(LbRemoteWorkerStatus) live = read_status (fixture, 0, LB_REMOTE_FILE_LIVE);

      if (live != NULL && live->state == LB_REMOTE_WORKER_RUNNING && live->samples->len >= 2)
        break;
      pause_ms (100);
    }
  g_assert_cmpuint (check_pgbench_argv (fixture), ==, 1);

  cancelled_at = g_get_monotonic_time ();
  g_subprocess_send_signal (w0, SIGTERM);
  g_assert_cmpint (wait_worker (w0, 10), ==, 0);
  g_assert_cmpint (g_get_monotonic_time () - cancelled_at, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (check_pgbench_argv (fixture), ==, 0);

  final = read_status (fixture, 0, LB_REMOTE_FILE_FINAL);
  g_assert_nonnull (final);
  g_assert_cmpint (final->state, ==, LB_REMOTE_WORKER_CANCELLED);
  g_assert_null (final->error);
  g_assert_cmpuint (final->transactions, >, 0);
  g_assert_cmpuint (final->samples->len, >=, 2);
  g_assert_cmpfloat (final->duration, <, 60);
  /* What was measured reached the server (some more may have run unlogged). */
  g_assert_cmpint (lb_test_pg_query_int (conninfo, "SELECT count(*) FROM rr_cancel"), >=, (gint64) final->transactions);
}

static LbRemoteWorkerStatus *
run_failing (Fixture      *fixture,
             RunSpec      *spec,
             PgbenchPlace  place)
{
  g_autoptr(GSubprocess) w0 = NULL;
  LbRemoteWorkerStatus *final;

  write_config (fixture, spec);
  w0 = spawn_worker (fixture, 0, place);
  {
    g_autofree char *err = NULL;
    g_autoptr(GError) error = NULL;

    g_subprocess_communicate_utf8 (w0, NULL, NULL, NULL, &err, &error);
    g_assert_no_error (error);
    g_assert_true (g_subprocess_get_if_exited (w0));
    if (g_subprocess_get_exit_status (w0) != 1)
      g_error ("the runner exited with %d: %s", g_subprocess_get_exit_status (w0), err);
    /* What the job's log shows: the sentence, no traceback. */
    g_assert_null (strstr (err, "Traceback"));
    g_test_message ("stderr: %s", err);
  }
  final = read_status (fixture, 0, LB_REMOTE_FILE_FINAL);
  g_assert_nonnull (final);
  g_assert_cmpint (final->state, ==, LB_REMOTE_WORKER_FAILED);
  g_assert_nonnull (final->error);
  g_test_message ("%s", final->error);
  assert_no_secret_in_tree (fixture, fixture->samples_dir);
  return final;
}

static void
assert_contains (const char *haystack,
                 const char *needle)
{
  if (strstr (haystack, needle) == NULL)
    g_error ("“%s” not found in: %s", needle, haystack);
}

/* The credentials API refuses the identity: the grants it needs. */
static void
test_credential_refused (Fixture       *fixture,
                         gconstpointer  data)
{
  RunSpec spec = { .workers = 1, .clients = 1, .duration = 2, .table = "rr_refused" };
  g_autoptr(LbRemoteWorkerStatus) final = NULL;

  lb_fake_workspace_fail_next (fixture->fake, "POST", "/api/2.0/database/credentials", 403, NULL, 10);
  final = run_failing (fixture, &spec, PGBENCH_ON_PATH);
  assert_contains (final->error, "CAN_USE on the database instance " INSTANCE);
  assert_contains (final->error, "databricks_superuser");
  g_assert_cmpuint (final->transactions, ==, 0);
}

/* Nothing listens on the port: the network rule. */
static void
test_wrong_port (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *port = lb_test_conninfo_value (conninfo, "port");
  RunSpec spec = { .workers = 1, .clients = 1, .duration = 2, .table = "rr_port",
                   .port = (guint) g_ascii_strtoull (port, NULL, 10) + 1 };
  g_autoptr(LbRemoteWorkerStatus) final = NULL;

  final = run_failing (fixture, &spec, PGBENCH_ON_PATH);
  assert_contains (final->error, "cannot reach the database");
  assert_contains (final->error, "outbound traffic");
  g_assert_nonnull (final->log_tail);
}

/* A meta-command that fails aborts every client: pgbench names the cause
 * on the line before its "aborted" line, and the worker fails with it. */
static void
test_script_error (Fixture       *fixture,
                   gconstpointer  data)
{
  RunSpec spec = { .workers = 1, .clients = 1, .duration = 2, .table = "rr_script_error",
                   .cid_expr = ":client_id / 0" };
  g_autoptr(LbRemoteWorkerStatus) final = NULL;

  final = run_failing (fixture, &spec, PGBENCH_ON_PATH);
  assert_contains (final->error, "division by zero");
  g_assert_cmpint (lb_test_pg_query_int (conninfo, "SELECT count(*) FROM rr_script_error"), ==, 0);
}

/* The database refuses the login (no role for the identity): the grants. */
static void
test_login_refused (Fixture       *fixture,
                    gconstpointer  data)
{
  RunSpec spec = { .workers = 1, .clients = 1, .duration = 2, .table = "rr_login",
                   .user = "someone@example.com" };
  g_autoptr(LbRemoteWorkerStatus) final = NULL;

  final = run_failing (fixture, &spec, PGBENCH_ON_PATH);
  assert_contains (final->error, "the database refused the login");
  assert_contains (final->error, "databricks_create_role('someone@example.com', 'USER')");
}

/* On a cluster the identity comes from dbruntime's context, not the
 * environment. */
static void
test_dbruntime_context (Fixture       *fixture,
                        gconstpointer  data)
{
  RunSpec spec = { .workers = 1, .clients = 1, .duration = 1, .table = "rr_dbruntime" };
  g_autoptr(GSubprocess) w0 = NULL;
  g_autoptr(LbRemoteWorkerStatus) final = NULL;

  fixture->dbruntime = TRUE;
  write_config (fixture, &spec);
  w0 = spawn_worker (fixture, 0, PGBENCH_ON_PATH);
  g_assert_cmpint (wait_worker (w0, 30), ==, 0);
  final = read_status (fixture, 0, LB_REMOTE_FILE_FINAL);
  g_assert_nonnull (final);
  g_assert_cmpint (final->state, ==, LB_REMOTE_WORKER_DONE);
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "POST", "/api/2.0/database/credentials"), ==, 1);
  g_assert_cmpuint (final->transactions, >, 0);
}

/* No pgbench anywhere and installing switched off: how to get it there. */
static void
test_no_pgbench (Fixture       *fixture,
                 gconstpointer  data)
{
  RunSpec spec = { .workers = 1, .clients = 1, .duration = 2, .table = "rr_nopgbench" };
  g_autoptr(LbRemoteWorkerStatus) final = NULL;

  final = run_failing (fixture, &spec, PGBENCH_NOWHERE);
  assert_contains (final->error, "pgbench is not on this node");
  assert_contains (final->error, "postgresql-client");
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "POST", "/api/2.0/database/credentials"), ==, 0);
}

/* credential_refresh_seconds 4 on a 9 s run: three segments, each with a
 * credential of its own, and no transaction lost between them. */
static void
test_credential_refresh (Fixture       *fixture,
                         gconstpointer  data)
{
  RunSpec spec = { .workers = 1, .clients = 2, .duration = 9, .refresh = 4, .table = "rr_refresh" };
  g_autoptr(GSubprocess) w0 = NULL;
  g_autoptr(LbRemoteWorkerStatus) final = NULL;

  write_config (fixture, &spec);
  w0 = spawn_worker (fixture, 0, PGBENCH_ON_PATH);
  g_assert_cmpint (wait_worker (w0, 60), ==, 0);
  final = read_status (fixture, 0, LB_REMOTE_FILE_FINAL);
  g_assert_nonnull (final);
  g_assert_cmpint (final->state, ==, LB_REMOTE_WORKER_DONE);
  g_assert_cmpuint (final->credentials_minted, >=, 2);
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "POST", "/api/2.0/database/credentials"),
                    ==, final->credentials_minted);
  g_assert_cmpint (lb_test_pg_query_int (conninfo, "SELECT count(*) FROM rr_refresh"), ==, (gint64) final->transactions);
  g_assert_cmpfloat (final->duration, >, 8);
  g_assert_cmpfloat (final->duration, <, 10);
  assert_no_secret_in_tree (fixture, fixture->samples_dir);
}

/* An autoscaling target: the postgres credentials API with its endpoint. */
static void
test_autoscaling (Fixture       *fixture,
                  gconstpointer  data)
{
  RunSpec spec = { .workers = 1, .clients = 1, .duration = 1, .table = "rr_autoscaling", .autoscaling = TRUE };
  g_autoptr(GSubprocess) w0 = NULL;
  g_autoptr(LbRemoteWorkerStatus) final = NULL;

  write_config (fixture, &spec);
  w0 = spawn_worker (fixture, 0, PGBENCH_ON_PATH);
  g_assert_cmpint (wait_worker (w0, 30), ==, 0);
  final = read_status (fixture, 0, LB_REMOTE_FILE_FINAL);
  g_assert_nonnull (final);
  g_assert_cmpint (final->state, ==, LB_REMOTE_WORKER_DONE);
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "POST", "/api/2.0/postgres/credentials"), ==, 1);
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "POST", "/api/2.0/database/credentials"), ==, 0);
  g_assert_cmpint (lb_test_pg_query_int (conninfo, "SELECT count(*) FROM rr_autoscaling"), ==, (gint64) final->transactions);
  assert_no_secret_in_tree (fixture, fixture->samples_dir);
}

/* A target rate split over the workers in proportion to their clients:
 * pgbench -R per worker, the schedule lag in the samples. */
static void
test_rate (Fixture       *fixture,
           gconstpointer  data)
{
  RunSpec spec = { .workers = 2, .clients = 4, .duration = 3, .rate = 200, .table = "rr_rate" };
  g_autoptr(GSubprocess) w0 = NULL;
  g_autoptr(GSubprocess) w1 = NULL;
  g_autoptr(LbRemoteMerge) merge = lb_remote_merge_new (2);
  g_autoptr(LbRunResult) result = NULL;
  guint64 lag = 0;

  write_config (fixture, &spec);
  w0 = spawn_worker (fixture, 0, PGBENCH_ON_PATH);
  w1 = spawn_worker (fixture, 1, PGBENCH_ON_PATH);
  g_assert_cmpint (wait_worker (w0, 30), ==, 0);
  g_assert_cmpint (wait_worker (w1, 30), ==, 0);
  for (guint k = 0; k < 2; k++)
    {
      g_autoptr(LbRemoteWorkerStatus) final = read_status (fixture, k, LB_REMOTE_FILE_FINAL);

      g_assert_nonnull (final);
      /* 100 tps each (2 of 4 clients), give or take pgbench's Poisson schedule. */
      g_assert_cmpfloat (final->tps, >, 70);
      g_assert_cmpfloat (final->tps, <, 130);
      for (guint i = 0; i < final->samples->len; i++)
        lag += g_array_index (final->samples, LbRemoteSample, i).lag_us_sum;
      lb_remote_merge_add_status (merge, final);
    }
  g_assert_cmpuint (lag, >, 0);
  result = lb_remote_merge_finish (merge, NULL);
  g_assert_cmpfloat (result->tps, >, 150);
  g_assert_cmpfloat (result->tps, <, 250);
  g_assert_cmpint (lb_test_pg_query_int (conninfo, "SELECT count(*) FROM rr_rate"), ==, (gint64) result->transactions);
}

/* Count mode: the run's transactions over all clients, pgbench's -t per
 * client on each worker. */
static void
test_count (Fixture       *fixture,
            gconstpointer  data)
{
  RunSpec spec = { .workers = 2, .clients = 4, .transactions = 400, .table = "rr_count" };
  g_autoptr(GSubprocess) w0 = NULL;
  g_autoptr(GSubprocess) w1 = NULL;
  g_autoptr(LbRemoteMerge) merge = lb_remote_merge_new (2);
  g_autoptr(LbRunResult) result = NULL;

  write_config (fixture, &spec);
  w0 = spawn_worker (fixture, 0, PGBENCH_ON_PATH);
  w1 = spawn_worker (fixture, 1, PGBENCH_ON_PATH);
  g_assert_cmpint (wait_worker (w0, 30), ==, 0);
  g_assert_cmpint (wait_worker (w1, 30), ==, 0);
  for (guint k = 0; k < 2; k++)
    {
      g_autoptr(LbRemoteWorkerStatus) final = read_status (fixture, k, LB_REMOTE_FILE_FINAL);

      g_assert_nonnull (final);
      g_assert_cmpuint (final->transactions, ==, 200);
      lb_remote_merge_add_status (merge, final);
    }
  result = lb_remote_merge_finish (merge, NULL);
  g_assert_cmpuint (result->transactions, ==, 400);
  g_assert_cmpint (lb_test_pg_query_int (conninfo, "SELECT count(*) FROM rr_count"), ==, 400);
}

/* --sampling-rate: the log holds a share of the transactions, the samples
 * scale it back; the totals stay pgbench's exact ones. */
static void
test_sampling (Fixture       *fixture,
               gconstpointer  data)
{
  RunSpec spec = { .workers = 1, .clients = 2, .duration = 2, .sampling_rate = 0.25, .table = "rr_sampling" };
  g_autoptr(GSubprocess) w0 = NULL;
  g_autoptr(LbRemoteWorkerStatus) final = NULL;
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint64 in_seconds = 0;

  write_config (fixture, &spec);
  w0 = spawn_worker (fixture, 0, PGBENCH_ON_PATH);
  g_assert_cmpint (wait_worker (w0, 30), ==, 0);
  final = read_status (fixture, 0, LB_REMOTE_FILE_FINAL);
  g_assert_nonnull (final);
  g_assert_cmpint (lb_test_pg_query_int (conninfo, "SELECT count(*) FROM rr_sampling"), ==, (gint64) final->transactions);
  collect_logged_latencies (fixture, 0, latencies);
  g_assert_cmpuint (latencies->len, <, final->transactions / 2);
  for (guint i = 0; i < final->samples->len; i++)
    in_seconds += g_array_index (final->samples, LbRemoteSample, i).transactions;
  g_assert_cmpfloat (fabs ((double) in_seconds - (double) final->transactions), <, final->transactions * 0.1);
  g_assert_cmpfloat (fabs ((double) lb_latency_histogram_get_count (final->latency) - (double) final->transactions),
                     <, final->transactions * 0.1);
}

/* The runner's histogram layout is the C one: the same values give the
 * same JSON. */
static void
test_histogram_layout (Fixture       *fixture,
                       gconstpointer  data)
{
  static const gint64 values[] = { 0, 1, 63, 64, 65, 127, 128, 129, 1000, 4095, 4096, 65537,
                                   123456, 9999999, 67108863, 67108864, 200000000 };
  g_autofree char *runner = g_build_filename (fixture->run_dir, "runner.py", NULL);
  g_autoptr(LbLatencyHistogram) histogram = lb_latency_histogram_new ();
  g_autoptr(LbLatencyHistogram) parsed = NULL;
  g_autoptr(GString) code = g_string_new (NULL);
  g_autoptr(JsonNode) expected = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *expected_text = NULL;
  g_autofree char *actual_text = NULL;
  g_autofree char *python = g_find_program_in_path ("python3");
  g_auto(LbTestCliResult) result = { 0 };

  g_string_append_printf (code, "import importlib.util, json\n"
                                "s = importlib.util.spec_from_file_location('r', '%s')\n"
                                "r = importlib.util.module_from_spec(s); s.loader.exec_module(r)\n"
                                "h = r.Histogram()\n", runner);
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      for (guint n = 0; n <= i % 3; n++)
        {
          lb_latency_histogram_record (histogram, values[i]);
          g_string_append_printf (code, "h.record(%" G_GINT64_FORMAT ")\n", values[i]);
        }
    }
  g_string_append (code, "print(json.dumps(h.to_json()))\n");
  {
    const char *argv[] = { python, "-c", code->str, NULL };

    lb_test_run_argv (&result, NULL, NULL, G_SPAWN_DEFAULT, argv);
  }
  g_assert_cmpint (result.status, ==, 0);

  g_assert_true (json_parser_load_from_data (parser, result.out, -1, &error));
  parsed = lb_latency_histogram_new_from_json (json_parser_get_root (parser), &error);
  g_assert_no_error (error);
  expected = lb_latency_histogram_to_json (histogram);
  expected_text = json_to_string (expected, FALSE);
  {
    g_autoptr(JsonNode) actual = lb_latency_histogram_to_json (parsed);

    actual_text = json_to_string (actual, FALSE);
  }
  g_assert_cmpstr (actual_text, ==, expected_text);
  for (double p = 1; p <= 100; p += 7)
    g_assert_cmpfloat (lb_latency_histogram_get_percentile (parsed, p), ==,
                       lb_latency_histogram_get_percentile (histogram, p));
}

/* ---- LbRemoteMerge on hand-made statuses ---- */

/* A status of @worker with one sample per second in [@from, @to], each of
 * @tx transactions at @usec. */
static LbRemoteWorkerStatus *
make_status (guint        worker,
             const char  *state,
             gint64       from,
             gint64       to,
             guint        tx,
             gint64       usec,
             gboolean     final)
{
  g_autoptr(GString) json = g_string_new (NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  LbRemoteWorkerStatus *status;
  g_autoptr(LbLatencyHistogram) all = lb_latency_histogram_new ();

  g_string_append_printf (json, "{\"version\":1,\"worker\":%u,\"state\":\"%s\",\"message\":\"m\","
                                "\"pgbench\":\"pgbench (PostgreSQL) 15.8\",\"%s\":2,\"updated\":%" G_GINT64_FORMAT ","
                                "\"samples\":[",
                          worker, state, final ? "clients_asked" : "clients", to);
  for (gint64 t = from; t <= to; t++)
    {
      g_autoptr(LbLatencyHistogram) histogram = lb_latency_histogram_new ();
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *text = NULL;

      for (guint i = 0; i < tx; i++)
        {
          lb_latency_histogram_record (histogram, usec);
          lb_latency_histogram_record (all, usec);
        }
      node = lb_latency_histogram_to_json (histogram);
      text = json_to_string (node, FALSE);
      g_string_append_printf (json, "%s{\"t\":%" G_GINT64_FORMAT ",\"interval\":1.0,\"transactions\":%u,"
                                    "\"failed\":1,\"skipped\":0,\"warmup\":false,\"latency\":%s,\"lag_us_sum\":0}",
                              t == from ? "" : ",", t, tx, text);
    }
  g_string_append (json, "]");
  if (final)
    {
      g_autoptr(JsonNode) node = lb_latency_histogram_to_json (all);
      g_autofree char *text = json_to_string (node, FALSE);
      guint64 n = to >= from ? (guint64) (to - from + 1) * tx : 0;

      g_string_append_printf (json, ",\"error\":%s,\"log_tail\":\"tail\",\"clients_connected\":2,"
                                    "\"transactions\":%" G_GUINT64_FORMAT ",\"failed\":%" G_GUINT64_FORMAT ",\"skipped\":0,"
                                    "\"duration\":%g,\"tps\":%g,\"connection_time\":0.01,\"latency\":%s,"
                                    "\"cpu_seconds\":1.5,\"cores\":4,\"tps_per_core\":1000,\"credentials_minted\":1,"
                                    "\"errors\":[{\"sqlstate\":\"40001\",\"message\":\"serialization\",\"count\":2}]",
                              g_str_equal (state, "failed") ? "\"Worker broke: grants\"" : "null",
                              n, (guint64) (to >= from ? to - from + 1 : 0),
                              (double) MAX (to - from + 1, 0), to >= from ? (double) tx : 0, text);
    }
  g_string_append (json, "}");

  g_assert_true (json_parser_load_from_data (parser, json->str, -1, &error));
  status = lb_remote_worker_status_new_from_json (json_parser_get_root (parser),
                                                  final ? LB_REMOTE_FILE_FINAL : LB_REMOTE_FILE_LIVE, &error);
  g_assert_no_error (error);
  return status;
}

static void
test_merge_waits_for_every_worker (void)
{
  g_autoptr(LbRemoteMerge) merge = lb_remote_merge_new (2);
  g_autoptr(LbRemoteWorkerStatus) a = make_status (0, "running", 1000, 1003, 10, 500, FALSE);
  g_autoptr(LbRemoteWorkerStatus) b = make_status (1, "running", 1000, 1001, 20, 2000, FALSE);
  g_autoptr(LbRemoteWorkerStatus) b2 = make_status (1, "running", 1000, 1003, 20, 2000, FALSE);
  g_autoptr(GArray) first = NULL;
  g_autoptr(GArray) second = NULL;
  g_autoptr(GArray) late = NULL;
  GArray *tps;

  g_assert_true (lb_remote_merge_add_status (merge, a));
  /* Worker 1 has said nothing: nothing is ready before the lateness. */
  first = lb_remote_merge_take_samples (merge, 1001);
  g_assert_cmpuint (first->len, ==, 0);

  g_assert_true (lb_remote_merge_add_status (merge, b));
  second = lb_remote_merge_take_samples (merge, 1002);
  g_assert_cmpuint (second->len, ==, 2);   /* 1000 and 1001: both reported them */
  g_assert_cmpfloat (g_array_index (second, LbRunSample, 0).t, ==, 1);
  g_assert_cmpuint (g_array_index (second, LbRunSample, 0).transactions, ==, 30);
  g_assert_cmpfloat (g_array_index (second, LbRunSample, 0).tps, ==, 30);
  g_assert_cmpuint (g_array_index (second, LbRunSample, 0).clients, ==, 4);
  g_assert_cmpuint (g_array_index (second, LbRunSample, 0).failed, ==, 2);
  /* p50 over 10 at 0.5 ms and 20 at 2 ms is 2 ms (within the bucket). */
  g_assert_cmpfloat (fabs (g_array_index (second, LbRunSample, 1).p50_ms - 2.0), <, 0.02);
  g_assert_cmpfloat (fabs (g_array_index (second, LbRunSample, 1).max_ms - 2.0), <, 1e-9);

  /* The same seconds again (a live file keeps its last 60) change nothing;
   * worker 1's later seconds release 1002 and 1003. */
  g_assert_true (lb_remote_merge_add_status (merge, a));
  g_assert_true (lb_remote_merge_add_status (merge, b2));
  late = lb_remote_merge_take_samples (merge, 1004);
  g_assert_cmpuint (late->len, ==, 2);
  g_assert_cmpuint (g_array_index (late, LbRunSample, 0).transactions, ==, 30);
  g_assert_cmpfloat (g_array_index (late, LbRunSample, 1).t, ==, 4);

  tps = lb_remote_merge_get_worker_tps (merge, 1);
  g_assert_cmpuint (tps->len, ==, 4);
  g_assert_cmpfloat (g_array_index (tps, double, 3), ==, 20);
  g_assert_cmpfloat (g_array_index (lb_remote_merge_get_worker_tps (merge, 0), double, 0), ==, 10);
  g_assert_cmpuint (lb_remote_merge_get_timeline (merge)->len, ==, 4);
  {
    g_autoptr(LbRemoteWorkerStatus) stranger = make_status (2, "running", 1000, 1000, 1, 1, FALSE);

    g_assert_false (lb_remote_merge_add_status (merge, stranger));
  }
}

/* A worker that stays silent holds a second for the lateness, no longer;
 * what it reports later for seconds already out still counts at the end. */
static void
test_merge_late_worker (void)
{
  g_autoptr(LbRemoteMerge) merge = lb_remote_merge_new (2);
  g_autoptr(LbRemoteWorkerStatus) a = make_status (0, "running", 1000, 1005, 10, 500, FALSE);
  g_autoptr(LbRemoteWorkerStatus) b = make_status (1, "running", 1000, 1005, 5, 500, FALSE);
  g_autoptr(GArray) early = NULL;
  g_autoptr(GArray) timed_out = NULL;
  g_autoptr(GArray) after = NULL;
  g_autoptr(LbRunResult) result = NULL;

  lb_remote_merge_add_status (merge, a);
  early = lb_remote_merge_take_samples (merge, 1004.9);
  g_assert_cmpuint (early->len, ==, 0);
  timed_out = lb_remote_merge_take_samples (merge, 1006.5);
  g_assert_cmpuint (timed_out->len, ==, 2);   /* 1000 and 1001 are 5 s late */
  g_assert_cmpuint (g_array_index (timed_out, LbRunSample, 0).transactions, ==, 10);

  lb_remote_merge_add_status (merge, b);
  after = lb_remote_merge_take_samples (merge, 1006.5);
  g_assert_cmpuint (after->len, ==, 4);       /* 1002..1005: now everyone has them */
  g_assert_cmpuint (g_array_index (after, LbRunSample, 0).transactions, ==, 15);

  /* No final files: the totals come from every second seen, late ones included. */
  result = lb_remote_merge_finish (merge, NULL);
  g_assert_cmpuint (result->transactions, ==, 6 * 10 + 6 * 5);
  g_assert_cmpuint (result->timeline->len, ==, 6);
  g_assert_cmpuint (result->errors->len, ==, 2);   /* neither wrote a final file */
}

/* A failed worker: the others go on and are not waited for; the result
 * keeps its error first and everyone's counts. */
static void
test_merge_failed_worker (void)
{
  g_autoptr(LbRemoteMerge) merge = lb_remote_merge_new (3);
  g_autoptr(LbRemoteWorkerStatus) a = make_status (0, "done", 1000, 1003, 10, 500, TRUE);
  g_autoptr(LbRemoteWorkerStatus) b = make_status (1, "failed", 1000, 999, 0, 0, TRUE);
  g_autoptr(LbRemoteWorkerStatus) c = make_status (2, "running", 1000, 1003, 10, 700, FALSE);
  g_autoptr(LbRemoteWorkerStatus) c_final = make_status (2, "done", 1000, 1003, 10, 700, TRUE);
  g_autoptr(LbRemoteWorkerStatus) c_stale = make_status (2, "running", 1000, 1001, 10, 700, FALSE);
  g_autoptr(GArray) taken = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(LbRunResult) result = NULL;
  const LbRemoteWorkerRow *row;

  lb_remote_merge_add_status (merge, a);
  lb_remote_merge_add_status (merge, b);
  lb_remote_merge_add_status (merge, c);
  taken = lb_remote_merge_take_samples (merge, 1003);
  g_assert_cmpuint (taken->len, ==, 4);   /* the failed worker is not waited for */
  g_assert_cmpuint (lb_remote_merge_count_failed (merge), ==, 1);
  g_assert_cmpuint (lb_remote_merge_count_over (merge), ==, 2);

  lb_remote_merge_add_status (merge, c_final);
  lb_remote_merge_add_status (merge, c_stale);   /* older than the final: ignored */
  g_assert_true (lb_remote_merge_get_status (merge, 2) == c_final);
  result = lb_remote_merge_finish (merge, &rows);
  g_assert_cmpuint (result->transactions, ==, 80);
  g_assert_cmpuint (result->failed, ==, 8);
  g_assert_cmpuint (lb_latency_histogram_get_count (result->latency), ==, 80);
  g_assert_cmpuint (result->clients_asked, ==, 6);
  g_assert_cmpuint (rows->len, ==, 3);
  row = rows->pdata[1];
  g_assert_cmpstr (row->state, ==, "failed");
  g_assert_cmpstr (row->error, ==, "Worker broke: grants");
  g_assert_cmpstr (row->log_tail, ==, "tail");
  g_assert_cmpuint (result->errors->len, ==, 2);
  g_assert_cmpstr (((LbErrorStats *) result->errors->pdata[0])->message, ==, "Worker 1: Worker broke: grants");
  g_assert_cmpstr (((LbErrorStats *) result->errors->pdata[1])->sqlstate, ==, "40001");
  g_assert_cmpuint (((LbErrorStats *) result->errors->pdata[1])->count, ==, 6);   /* 2 from each final file */
  g_assert_false (result->cancelled);
}

/* Malformed files are errors with a message, never a crash. */
static void
test_parse_errors (void)
{
  static const char * const bad[] = {
    "[]",
    "{\"version\":2,\"worker\":0,\"state\":\"running\",\"message\":\"\",\"pgbench\":null,\"clients\":1,\"updated\":1,\"samples\":[]}",
    "{\"version\":1,\"worker\":-1,\"state\":\"running\",\"message\":\"\",\"pgbench\":null,\"clients\":1,\"updated\":1,\"samples\":[]}",
    "{\"version\":1,\"worker\":0,\"state\":\"dancing\",\"message\":\"\",\"pgbench\":null,\"clients\":1,\"updated\":1,\"samples\":[]}",
    "{\"version\":1,\"worker\":0,\"state\":\"running\",\"message\":\"\",\"pgbench\":null,\"clients\":1,\"updated\":1}",
    "{\"version\":1,\"worker\":0,\"state\":\"running\",\"message\":\"\",\"pgbench\":null,\"clients\":1,\"updated\":1,"
    "\"samples\":[{\"t\":5,\"transactions\":1,\"latency\":{\"count\":1,\"sum\":3,\"sum_squares\":9,\"min\":3,\"max\":3,\"buckets\":[[3,1]]}},"
    "{\"t\":5,\"transactions\":1,\"latency\":{\"count\":1,\"sum\":3,\"sum_squares\":9,\"min\":3,\"max\":3,\"buckets\":[[3,1]]}}]}",
    "{\"version\":1,\"worker\":0,\"state\":\"running\",\"message\":\"\",\"pgbench\":null,\"clients\":1,\"updated\":1,"
    "\"samples\":[{\"t\":5,\"transactions\":1,\"latency\":{\"count\":1,\"sum\":3,\"sum_squares\":9,\"min\":3,\"max\":3,\"buckets\":[[65,1]]}}]}",
  };
  static const char final_running[] =
    "{\"version\":1,\"worker\":0,\"state\":\"running\",\"message\":\"\",\"pgbench\":null,\"clients_asked\":1,\"samples\":[]}";

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (bad[i], strlen (bad[i]));
      g_autoptr(GError) error = NULL;
      g_autoptr(LbRemoteWorkerStatus) status = lb_remote_worker_status_new_from_bytes (bytes, LB_REMOTE_FILE_LIVE, &error);

      g_assert_null (status);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    }
  {
    g_autoptr(GBytes) bytes = g_bytes_new_static (final_running, strlen (final_running));
    g_autoptr(GError) error = NULL;
    g_autoptr(LbRemoteWorkerStatus) status = lb_remote_worker_status_new_from_bytes (bytes, LB_REMOTE_FILE_FINAL, &error);

    g_assert_null (status);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  }
  {
    g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
    g_autoptr(GError) error = NULL;

    g_assert_null (lb_remote_worker_status_new_from_bytes (empty, LB_REMOTE_FILE_LIVE, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  }
}

/* The record keeps the rows in its "remote" section; a record without one
 * is a local run. */
static void
test_record_remote (void)
{
  g_autoptr(LbRunSettings) settings = lb_run_settings_new ();
  g_autoptr(LbRunResult) result = lb_run_result_new ();
  g_autoptr(GDateTime) started = g_date_time_new_now_utc ();
  g_autoptr(LbRunRecord) record = lb_run_record_new ("a.sql", "/tmp/a.sql", settings, result, started);
  g_autoptr(LbRunRecord) loaded = NULL;
  g_autoptr(LbRunRecord) local = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_remote_worker_row_free);
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(JsonNode) local_json = NULL;
  g_autoptr(GError) error = NULL;
  LbRemoteWorkerRow *row;
  double dbus = 0;

  local_json = lb_run_record_to_json (record);
  g_assert_false (json_object_has_member (json_node_get_object (local_json), "remote"));
  local = lb_run_record_new_from_json (local_json, &error);
  g_assert_no_error (error);
  g_assert_false (lb_run_record_is_remote (local));

  for (guint i = 0; i < 2; i++)
    {
      row = lb_remote_worker_row_new ();
      row->worker = i;
      row->state = g_strdup (i == 0 ? "done" : "failed");
      row->error = i == 1 ? g_strdup ("Lakebase refused the run's identity") : NULL;
      row->log_tail = g_strdup ("pgbench: error: …");
      row->clients_asked = 3 - i;
      row->clients_connected = i == 0 ? 3 : 0;
      row->transactions = 12345 * (1 - i);
      row->tps = 4115.5;
      row->p95_ms = 1.25;
      row->tps_per_core = 70000;
      row->cores = 4;
      row->credentials_minted = 1;
      g_ptr_array_add (rows, row);
    }
  lb_run_record_set_remote (record, rows, "m6i.xlarge", 4242);
  lb_run_record_set_remote_cost (record, 0.5, 0.275);
  json = lb_run_record_to_json (record);
  loaded = lb_run_record_new_from_json (json, &error);
  g_assert_no_error (error);
  g_assert_true (lb_run_record_is_remote (loaded));
  g_assert_cmpstr (lb_run_record_get_remote_node_type (loaded), ==, "m6i.xlarge");
  g_assert_cmpint (lb_run_record_get_remote_job_run_id (loaded), ==, 4242);
  g_assert_cmpfloat (lb_run_record_get_remote_cost (loaded, &dbus), ==, 0.275);
  g_assert_cmpfloat (dbus, ==, 0.5);
  g_assert_cmpuint (lb_run_record_get_remote_rows (loaded)->len, ==, 2);
  row = lb_run_record_get_remote_rows (loaded)->pdata[1];
  g_assert_cmpstr (row->state, ==, "failed");
  g_assert_cmpstr (row->error, ==, "Lakebase refused the run's identity");
  g_assert_cmpuint (row->clients_asked, ==, 2);
  row = lb_run_record_get_remote_rows (loaded)->pdata[0];
  g_assert_cmpuint (row->transactions, ==, 12345);
  g_assert_cmpfloat (row->p95_ms, ==, 1.25);
  g_assert_null (row->error);

  /* A bad state is refused. */
  {
    JsonObject *remote = json_object_get_object_member (json_node_get_object (json), "remote");
    JsonObject *first = json_array_get_object_element (json_object_get_array_member (remote, "rows"), 0);
    g_autoptr(LbRunRecord) refused = NULL;

    json_object_set_string_member (first, "state", "bogus");
    refused = lb_run_record_new_from_json (json, &error);
    g_assert_null (refused);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *python = NULL;
  int status;

  /* Loopback only: no proxy lookups (libproxy also trips AddressSanitizer). */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, NULL);
  lb_core_init ();

  g_test_add_func ("/remote-merge/waits-for-every-worker", test_merge_waits_for_every_worker);
  g_test_add_func ("/remote-merge/late-worker", test_merge_late_worker);
  g_test_add_func ("/remote-merge/failed-worker", test_merge_failed_worker);
  g_test_add_func ("/remote-samples/parse-errors", test_parse_errors);
  g_test_add_func ("/remote-samples/record-remote", test_record_remote);

  python = g_find_program_in_path ("python3");
  if (python == NULL)
    {
      g_test_message ("python3 not found: the runner tests are skipped");
      return g_test_run ();
    }

  sandbox = lb_pg_sandbox_new_for_tests (FALSE);
  if (!lb_pg_sandbox_start (sandbox, NULL, &error))
    g_error ("cannot start the PostgreSQL sandbox: %s", error->message);
  conninfo = lb_pg_sandbox_get_conninfo (sandbox);

#define ADD(path, func) g_test_add ("/remote-runner/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("histogram-layout", test_histogram_layout);
  ADD ("two-workers", test_two_workers);
  ADD ("warmup", test_warmup);
  ADD ("cancel", test_cancel);
  ADD ("credential-refused", test_credential_refused);
  ADD ("wrong-port", test_wrong_port);
  ADD ("login-refused", test_login_refused);
  ADD ("script-error", test_script_error);
  ADD ("dbruntime-context", test_dbruntime_context);
  ADD ("no-pgbench", test_no_pgbench);
  ADD ("credential-refresh", test_credential_refresh);
  ADD ("autoscaling", test_autoscaling);
  ADD ("rate", test_rate);
  ADD ("sampling", test_sampling);
  ADD ("count", test_count);
#undef ADD

  status = g_test_run ();
  g_clear_object (&sandbox);
  return status;
}
