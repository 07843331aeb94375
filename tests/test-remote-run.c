/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbRemoteRun end to end, with only the control plane faked: the fake
 * workspace spawns each Jobs task as a real runner (python3) that runs the
 * real pgbench against the PostgreSQL server this test starts, mints its
 * credential from the fake and writes its samples into the fake's files.
 * The server's own row count, the workers' samples, the request log and
 * the fake's processes are the ground truth. */
#include "config.h"

#include <math.h>
#include <signal.h>
#include <string.h>

#include <libpq-fe.h>

#include "lb-fake-workspace.h"
#include "lb-fake-workspace-jobs.h"
#include "lb-remote-run.h"
#include "lb-remote-samples.h"
#include "lb-run-comparison.h"
#include "lb-test-run.h"
#include "lb-test-utils.h"

#define INSTANCE "load-target"
#define VOLUME   "/Volumes/main/default/loads"

static LbPgSandbox *sandbox;
static const char *conninfo;

/* An INSERT per transaction: the server's rows are the transactions. */
static const char script_text[] =
  "\\set k random(1, 1000000)\n"
  "INSERT INTO remote_hits (client, k) VALUES (:client_id, :k);\n";

typedef struct
{
  LbFakeWorkspace    *fake;
  char               *tmp_dir;
  LbDatabricksClient *client;
  LbRunHistory       *history;
  LbSqlScript        *script;
  char               *script_path;
} Fixture;

typedef struct
{
  LbRunRecord *record;
  GError      *error;
  gboolean     done;
  guint        n_samples;
  guint        n_samples_before_finished;
  guint        n_worker_samples;
  gboolean     finished;
  gint64       first_sample_us;
  gint64       submitted_us;       /* when the submit went out */
  GArray      *changed_workers;   /* guint */
  GArray      *states;            /* LbRemoteRunState */
} RunData;

static void
run_data_clear (RunData *data)
{
  g_clear_object (&data->record);
  g_clear_error (&data->error);
  g_clear_pointer (&data->changed_workers, g_array_unref);
  g_clear_pointer (&data->states, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RunData, run_data_clear)

/* Fixture ---------------------------------------------------------------------- */

static void
call_sync (LbDatabricksClient *client,
           const char         *method,
           const char         *path,
           const char         *body_json)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) body = body_json != NULL ? json_from_string (body_json, NULL) : NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;

  lb_databricks_client_call_async (client, method, path, NULL, body, LB_CALL_DEFAULT, NULL,
                                   lb_test_async_result_cb, &result);
  answer = lb_databricks_client_call_finish (client, lb_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbDatabricksAuth) auth = NULL;
  g_autofree char *history_dir = NULL;
  g_autoptr(GFile) history_file = NULL;
  g_autofree char *host = lb_test_conninfo_value (conninfo, "host");

  fixture->fake = lb_fake_workspace_new ();
  lb_fake_workspace_set_polls_until_ready (fixture->fake, 0);
  lb_fake_workspace_set_pg_host (fixture->fake, host);
  fixture->tmp_dir = g_dir_make_tmp ("lb-test-remote-run-XXXXXX", &error);
  g_assert_no_error (error);

  auth = lb_databricks_auth_new_for_token (lb_fake_workspace_get_url (fixture->fake),
                                           lb_fake_workspace_get_token (fixture->fake));
  fixture->client = lb_databricks_client_new (auth, &error);
  g_assert_no_error (error);
  g_object_set (fixture->client, "retry-base-ms", 50, NULL);

  /* The instance the workers mint their credentials for. */
  call_sync (fixture->client, "POST", "/api/2.0/database/instances",
             "{\"name\":\"" INSTANCE "\",\"capacity\":\"CU_1\"}");

  history_dir = g_build_filename (fixture->tmp_dir, "history", NULL);
  history_file = g_file_new_for_path (history_dir);
  fixture->history = lb_run_history_new (history_file);

  fixture->script_path = lb_test_write_file (fixture->tmp_dir, "hits.sql", script_text);
  fixture->script = lb_sql_script_new_from_data (script_text, -1, "hits.sql", &error);
  g_assert_no_error (error);

  lb_test_pg_exec (conninfo, "DROP TABLE IF EXISTS remote_hits; "
                             "CREATE TABLE remote_hits (id bigserial PRIMARY KEY, client int, k int)");
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_object (&fixture->client);
  g_clear_object (&fixture->history);
  g_clear_object (&fixture->script);
  g_clear_pointer (&fixture->fake, lb_fake_workspace_free);
  lb_test_remove_tree (fixture->tmp_dir);
  g_free (fixture->tmp_dir);
  g_free (fixture->script_path);
}

static LbRemoteTarget *
target_new (void)
{
  LbRemoteTarget *target = lb_remote_target_new (LB_REMOTE_TARGET_PROVISIONED);
  g_autofree char *port = lb_test_conninfo_value (conninfo, "port");

  target->instance_name = g_strdup (INSTANCE);
  target->host = lb_test_conninfo_value (conninfo, "host");
  target->port = port != NULL ? (guint) g_ascii_strtoull (port, NULL, 10) : 5432;
  target->dbname = lb_test_conninfo_value (conninfo, "dbname");
  target->user = lb_test_conninfo_value (conninfo, "user");
  target->sslmode = g_strdup ("disable");
  return target;
}

static LbRunSettings *
settings_new (guint  clients,
              double duration)
{
  LbRunSettings *settings = lb_run_settings_new ();

  settings->clients = clients;
  settings->mode = LB_RUN_MODE_DURATION;
  settings->duration = duration;
  settings->interval = 1;
  settings->seed = 11;
  return settings;
}

static LbRemoteRun *
remote_run_new (Fixture *fixture,
                guint    workers)
{
  LbRemoteRun *run = lb_remote_run_new (fixture->client);
  g_autoptr(LbRemoteTarget) target = target_new ();

  lb_remote_run_set_script (run, fixture->script, fixture->script_path);
  lb_remote_run_set_history (run, fixture->history);
  lb_remote_run_set_workers (run, workers);
  lb_remote_run_set_volume (run, VOLUME);
  lb_remote_run_set_target (run, target);
  return run;
}

/* Running ---------------------------------------------------------------------- */

static void
sample_cb (LbRemoteRun       *run,
           const LbRunSample *sample,
           RunData           *data)
{
  g_assert_nonnull (sample);
  g_assert_false (sample->warmup);
  if (data->n_samples == 0)
    data->first_sample_us = g_get_monotonic_time ();
  data->n_samples++;
  if (!data->finished)
    data->n_samples_before_finished++;
}

static void
worker_sample_cb (LbRemoteRun       *run,
                  guint              worker,
                  const LbRunSample *sample,
                  RunData           *data)
{
  g_assert_cmpuint (worker, <, lb_remote_run_get_workers (run));
  data->n_worker_samples++;
}

static void
worker_changed_cb (LbRemoteRun *run,
                   guint        worker,
                   RunData     *data)
{
  g_array_append_val (data->changed_workers, worker);
}

static void
finished_cb (LbRemoteRun *run,
             LbRunRecord *record,
             RunData     *data)
{
  g_assert_true (LB_IS_RUN_RECORD (record));
  data->finished = TRUE;
}

static void
state_cb (LbRemoteRun *run,
          GParamSpec  *pspec,
          RunData     *data)
{
  LbRemoteRunState state = lb_remote_run_get_state (run);

  if (state == LB_REMOTE_RUN_STATE_SUBMITTING)
    data->submitted_us = g_get_monotonic_time ();
  g_array_append_val (data->states, state);
}

static void
started_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  RunData *data = user_data;

  data->record = lb_remote_run_start_finish (LB_REMOTE_RUN (object), result, &data->error);
  data->done = TRUE;
}

static void
run_start (LbRemoteRun   *run,
           LbRunSettings *settings,
           RunData       *data)
{
  data->changed_workers = g_array_new (FALSE, FALSE, sizeof (guint));
  data->states = g_array_new (FALSE, FALSE, sizeof (LbRemoteRunState));
  g_signal_connect (run, "sample", G_CALLBACK (sample_cb), data);
  g_signal_connect (run, "worker-sample", G_CALLBACK (worker_sample_cb), data);
  g_signal_connect (run, "worker-changed", G_CALLBACK (worker_changed_cb), data);
  g_signal_connect (run, "finished", G_CALLBACK (finished_cb), data);
  g_signal_connect (run, "notify::state", G_CALLBACK (state_cb), data);
  lb_remote_run_start_async (run, settings, NULL, started_cb, data);
}

static void
run_wait (LbRemoteRun *run,
          RunData     *data,
          guint        seconds)
{
  lb_test_spin_until (&data->done, seconds);
  g_signal_handlers_disconnect_by_data (run, data);
}

static gboolean
saw_state (RunData          *data,
           LbRemoteRunState  state)
{
  for (guint i = 0; i < data->states->len; i++)
    if (g_array_index (data->states, LbRemoteRunState, i) == state)
      return TRUE;
  return FALSE;
}

/* Checks --------------------------------------------------------------------------- */

/* Every file under @dir (recursively), its contents appended to @out. */
static void
collect_files (const char *dir,
               GString    *out,
               guint      *n_files)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        collect_files (path, out, n_files);
      else if (g_file_get_contents (path, &contents, NULL, NULL))
        {
          g_string_append_printf (out, "== %s\n%s\n", path, contents);
          (*n_files)++;
        }
    }
}

static void
assert_no_secret (LbFakeWorkspace *fake,
                  const char      *text,
                  const char      *what)
{
  g_auto(GStrv) secrets = lb_fake_workspace_dup_secrets (fake);

  g_assert_cmpuint (g_strv_length (secrets), >=, 1);
  for (guint i = 0; secrets[i] != NULL; i++)
    if (strstr (text, secrets[i]) != NULL)
      g_error ("a secret is in %s", what);
}

/* The local path of a workspace or volume path in the fake's files. */
static char *
fake_local_path (LbFakeWorkspace *fake,
                 const char      *path)
{
  const char *prefix = g_str_has_prefix (path, "/Volumes/") ? "" : "/Workspace";

  return g_strconcat (lb_fake_workspace_get_runner_root (fake), prefix, path, NULL);
}

/* The app's requests: the runners' own (their credentials) are not. */
static gboolean
is_app_request (const char *line)
{
  return strstr (line, "/credentials ") == NULL;
}

/* The most requests of the app the fake logged in any one-second window
 * from the submit to the last runs/get (the run is live in between). */
static guint
max_requests_per_second_while_live (LbFakeWorkspace *fake,
                                    double          *rate)
{
  g_auto(GStrv) lines = lb_fake_workspace_dup_log (fake);
  g_autoptr(GArray) times = lb_fake_workspace_dup_request_times (fake, NULL, NULL);
  gint first = -1, last = -1;
  guint most = 0, n_app = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (first < 0 && g_str_has_prefix (lines[i], "POST /api/2.2/jobs/runs/submit"))
        first = (gint) i;
      if (g_str_has_prefix (lines[i], "GET /api/2.2/jobs/runs/get?"))
        last = (gint) i;
    }
  g_assert_cmpuint (times->len, ==, g_strv_length (lines));
  g_assert_cmpint (first, >=, 0);
  g_assert_cmpint (last, >, first);

  for (gint i = first; i <= last; i++)
    {
      guint in_window = 0;

      if (!is_app_request (lines[i]))
        continue;
      n_app++;
      for (gint j = i; j <= last; j++)
        if (is_app_request (lines[j])
            && g_array_index (times, gint64, j) - g_array_index (times, gint64, i) < G_USEC_PER_SEC)
          in_window++;
      if (in_window > 1)
        for (gint j = first; j <= last; j++)
          g_test_message ("%.3f %s", (g_array_index (times, gint64, j) - g_array_index (times, gint64, first)) / 1e6,
                          lines[j]);
      most = MAX (most, in_window);
    }
  /* Requests per second over the live time: the submit's own excluded. */
  if (rate != NULL)
    *rate = (n_app - 1) / ((g_array_index (times, gint64, last) - g_array_index (times, gint64, first)) / 1e6);
  return most;
}

/* Tests ------------------------------------------------------------------------------ */

/* Two workers, four clients: every transaction the server saw is in the
 * merged count, the merged percentiles are those of every worker's
 * samples, samples arrive while the run goes on, no token travels, the
 * run is in the history and compares with a local run, and the request
 * budget holds. Files are kept to look at them. */
static void
test_end_to_end (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autoptr(LbRemoteRun) run = remote_run_new (fixture, 2);
  g_autoptr(LbRunSettings) settings = settings_new (4, 4);
  g_auto(RunData) data = { 0 };
  g_autoptr(GString) files = g_string_new (NULL);
  g_autoptr(LbLatencyHistogram) all = lb_latency_histogram_new ();
  g_auto(GStrv) submissions = NULL;
  g_autofree char *workspace = NULL;
  g_autofree char *samples = NULL;
  LbRunResult *result;
  GPtrArray *rows;
  guint n_files = 0;
  gint64 rows_seen;
  double rate = 0;
  const double percentiles[] = { 50, 95, 99 };

  lb_remote_run_set_keep_files (run, TRUE);
  run_start (run, settings, &data);
  run_wait (run, &data, 120);
  g_assert_no_error (data.error);
  g_assert_nonnull (data.record);

  /* The count is exact: each transaction is one row. */
  result = lb_run_record_get_result (data.record);
  rows_seen = lb_test_pg_query_int (conninfo, "SELECT count(*) FROM remote_hits");
  g_test_message ("%" G_GUINT64_FORMAT " transactions, %" G_GINT64_FORMAT " rows", result->transactions, rows_seen);
  g_assert_cmpint (rows_seen, >, 0);
  g_assert_cmpuint (result->transactions, ==, (guint64) rows_seen);
  g_assert_false (result->cancelled);
  g_assert_cmpuint (lb_remote_run_get_transactions (run), ==, result->transactions);
  /* Both workers' clients wrote rows: the :client_id offsets keep them apart. */
  g_assert_cmpint (lb_test_pg_query_int (conninfo, "SELECT count(DISTINCT client) FROM remote_hits"), ==, 4);

  /* Live: merged seconds came before the end, and each worker's share. */
  g_test_message ("%u samples, %u before finished", data.n_samples, data.n_samples_before_finished);
  g_assert_cmpuint (data.n_samples_before_finished, >=, 2);
  g_assert_cmpuint (data.n_worker_samples, >=, 2);
  g_assert_true (saw_state (&data, LB_REMOTE_RUN_STATE_UPLOADING));
  g_assert_true (saw_state (&data, LB_REMOTE_RUN_STATE_SUBMITTING));
  /* The fake starts its tasks 100 ms after the submit: the first runs/get may find them running. */
  g_assert_true (saw_state (&data, LB_REMOTE_RUN_STATE_RUNNING));
  g_assert_true (saw_state (&data, LB_REMOTE_RUN_STATE_COLLECTING));
  g_assert_false (saw_state (&data, LB_REMOTE_RUN_STATE_CLEANING_UP));
  g_assert_cmpint (lb_remote_run_get_state (run), ==, LB_REMOTE_RUN_STATE_DONE);

  /* Per-worker rows. */
  g_assert_true (lb_run_record_is_remote (data.record));
  rows = lb_run_record_get_remote_rows (data.record);
  g_assert_cmpuint (rows->len, ==, 2);
  for (guint i = 0; i < rows->len; i++)
    {
      const LbRemoteWorkerRow *row = g_ptr_array_index (rows, i);

      g_assert_cmpuint (row->worker, ==, i);
      g_assert_cmpstr (row->state, ==, "done");
      g_assert_null (row->error);
      g_assert_cmpuint (row->clients_asked, ==, 2);
      g_assert_cmpuint (row->transactions, >, 0);
    }
  g_assert_cmpint (lb_run_record_get_remote_job_run_id (data.record), ==, lb_remote_run_get_job_run_id (run));

  /* The merged percentiles are those of all workers' per-second samples. */
  samples = fake_local_path (fixture->fake, lb_remote_run_get_samples_folder (run));
  for (guint w = 0; w < 2; w++)
    {
      g_autofree char *name = lb_remote_samples_file_name (w, LB_REMOTE_FILE_FINAL);
      g_autofree char *path = g_build_filename (samples, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(LbRemoteWorkerStatus) status = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      bytes = g_bytes_new_take (g_steal_pointer (&contents), length);
      status = lb_remote_worker_status_new_from_bytes (bytes, LB_REMOTE_FILE_FINAL, &error);
      g_assert_no_error (error);
      for (guint s = 0; s < status->samples->len; s++)
        {
          const LbRemoteSample *sample = &g_array_index (status->samples, LbRemoteSample, s);

          if (!sample->warmup)
            lb_latency_histogram_merge (all, sample->latency);
        }
    }
  g_assert_cmpuint (lb_latency_histogram_get_count (all), ==, result->transactions);
  for (guint i = 0; i < G_N_ELEMENTS (percentiles); i++)
    {
      double expected = lb_latency_histogram_get_percentile (all, percentiles[i]);
      double merged = lb_latency_histogram_get_percentile (result->latency, percentiles[i]);

      g_test_message ("p%.0f: %.0f µs merged, %.0f µs from the samples", percentiles[i], merged, expected);
      /* One bucket: 1/64 of the value. */
      g_assert_cmpfloat (fabs (merged - expected), <=, expected / 64 + 1);
    }

  /* No token in the job's JSON nor in any file the run left. */
  submissions = lb_fake_workspace_dup_job_submissions (fixture->fake);
  g_assert_cmpuint (g_strv_length (submissions), ==, 1);
  assert_no_secret (fixture->fake, submissions[0], "the submitted job");
  g_assert_nonnull (strstr (submissions[0], "idempotency_token"));
  workspace = fake_local_path (fixture->fake, lb_remote_run_get_workspace_folder (run));
  g_assert_true (g_file_test (workspace, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (samples, G_FILE_TEST_IS_DIR));
  collect_files (workspace, files, &n_files);
  collect_files (samples, files, &n_files);
  g_assert_cmpuint (n_files, >=, 3 + 4);   /* runner, config, a script; 2 × live and final */
  assert_no_secret (fixture->fake, files->str, "the run's files");
  g_assert_nonnull (strstr (files->str, "\"samples_dir\""));

  /* The request budget while the job was live. */
  g_assert_cmpuint (max_requests_per_second_while_live (fixture->fake, &rate), <=, 1);
  g_assert_cmpuint (lb_remote_run_get_max_requests_per_second (run), <=, 1);
  /* bench/remote-run reads these two lines. */
  g_test_message ("figure: submit-to-first-sample-ms %.0f", (data.first_sample_us - data.submitted_us) / 1e3);
  g_test_message ("figure: requests-per-second-live %.2f", rate);

  /* In the history with its target and workers, comparable with a local run. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LbRunHistory) reloaded = lb_run_history_new (lb_run_history_get_directory (fixture->history));
    g_autoptr(GAsyncResult) load = NULL;
    g_autoptr(LbTestRun) local = lb_test_run_new ();
    g_autoptr(LbRunSettings) local_settings = settings_new (2, 1);
    g_autoptr(GAsyncResult) local_result = NULL;
    g_autoptr(LbRunRecord) local_record = NULL;
    LbRunRecord *saved = NULL;
    LbDeltaRow delta;

    lb_run_history_load_async (reloaded, NULL, lb_test_async_result_cb, &load);
    g_assert_true (lb_run_history_load_finish (reloaded, lb_test_wait_for_result (&load), &error));
    g_assert_no_error (error);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reloaded)), ==, 1);
    saved = g_list_model_get_item (G_LIST_MODEL (reloaded), 0);
    g_assert_cmpstr (lb_run_record_get_settings (saved)->target_label, ==, "Databricks compute · 2 workers");
    g_assert_cmpuint (lb_run_record_get_remote_rows (saved)->len, ==, 2);
    g_assert_cmpuint (lb_run_record_get_result (saved)->transactions, ==, result->transactions);
    g_assert_null (strstr (lb_run_record_get_settings (saved)->conninfo, "password"));

    lb_test_run_set_target_conninfo (local, conninfo);
    lb_test_run_set_script (local, fixture->script, fixture->script_path);
    lb_test_run_start_async (local, local_settings, NULL, lb_test_async_result_cb, &local_result);
    local_record = lb_test_run_start_finish (local, lb_test_wait_for_result (&local_result), &error);
    g_assert_no_error (error);
    lb_compare_run_results (lb_run_record_get_result (saved), lb_run_record_get_result (local_record), &delta);
    for (guint i = 0; i < LB_N_COMPARED; i++)
      g_assert_cmpint (delta.figures[i].verdict, !=, LB_DELTA_NONE);
    g_object_unref (saved);
  }
}

/* Cancel: every task process ends within seconds, the record keeps what
 * was measured, and the folders are removed. */
static void
test_cancel (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autoptr(LbRemoteRun) run = remote_run_new (fixture, 2);
  g_autoptr(LbRunSettings) settings = settings_new (2, 120);
  g_auto(RunData) data = { 0 };
  g_autofree char *workspace = NULL;
  g_autofree char *samples = NULL;
  LbRunResult *result;
  gint64 cancelled_at;
  double seconds;

  run_start (run, settings, &data);
  while (data.n_samples < 2 && !data.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (data.done);
  g_assert_cmpuint (lb_fake_workspace_count_live_task_processes (fixture->fake), ==, 2);

  workspace = fake_local_path (fixture->fake, lb_remote_run_get_workspace_folder (run));
  samples = fake_local_path (fixture->fake, lb_remote_run_get_samples_folder (run));
  cancelled_at = g_get_monotonic_time ();
  lb_remote_run_cancel (run);
  run_wait (run, &data, 60);
  seconds = (g_get_monotonic_time () - cancelled_at) / 1e6;
  g_test_message ("cancelled in %.1f s", seconds);

  g_assert_no_error (data.error);
  g_assert_nonnull (data.record);
  g_assert_cmpuint (lb_fake_workspace_count_live_task_processes (fixture->fake), ==, 0);
  g_assert_cmpfloat (seconds, <, 20);
  result = lb_run_record_get_result (data.record);
  g_assert_true (result->cancelled);
  g_assert_cmpuint (result->transactions, >, 0);
  g_assert_cmpuint (result->transactions, <=, (guint64) lb_test_pg_query_int (conninfo, "SELECT count(*) FROM remote_hits"));
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "POST", "/api/2.2/jobs/runs/cancel"), ==, 1);

  /* Cleaned up, as without --keep-files. */
  g_assert_true (saw_state (&data, LB_REMOTE_RUN_STATE_CLEANING_UP));
  g_assert_false (g_file_test (workspace, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (samples, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (max_requests_per_second_while_live (fixture->fake, NULL), <=, 1);
}

/* A script whose clients 2 and 3 (worker 1's, by the :client_id offsets)
 * divide by zero on the server at once: pgbench stops every client of
 * worker 1, its runner fails and says why; worker 0 runs on. */
static const char failing_script_text[] =
  "\\set d 1 - :client_id / 2\n"
  "\\set k random(1, 1000000)\n"
  "SELECT 1 / :d;\n"
  "INSERT INTO remote_hits (client, k) VALUES (:client_id, :k);\n";

/* A worker that fails is reported with its error; the other one finishes. */
static void
test_failed_worker (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbSqlScript) script = lb_sql_script_new_from_data (failing_script_text, -1, "failing.sql", &error);
  g_autoptr(LbRemoteRun) run = remote_run_new (fixture, 2);
  g_autoptr(LbRunSettings) settings = settings_new (4, 3);
  g_auto(RunData) data = { 0 };
  const LbRemoteWorkerRow *failed, *done;
  gboolean reported = FALSE;
  GPtrArray *rows;

  g_assert_no_error (error);
  lb_remote_run_set_script (run, script, NULL);
  /* A submit answered 503 is sent again, with the same token. */
  lb_fake_workspace_fail_next (fixture->fake, "POST", "/api/2.2/jobs/runs/submit", 503, NULL, 1);
  run_start (run, settings, &data);
  run_wait (run, &data, 120);
  g_assert_no_error (data.error);
  g_assert_nonnull (data.record);

  rows = lb_run_record_get_remote_rows (data.record);
  g_assert_cmpuint (rows->len, ==, 2);
  done = g_ptr_array_index (rows, 0);
  failed = g_ptr_array_index (rows, 1);
  g_test_message ("worker 1: %s, %" G_GUINT64_FORMAT " transactions, %s\n%s", failed->state, failed->transactions,
                  failed->error, failed->log_tail);
  g_assert_cmpstr (done->state, ==, "done");
  g_assert_cmpuint (done->transactions, >, 0);
  g_assert_cmpstr (failed->state, ==, "failed");
  g_assert_nonnull (failed->error);
  g_assert_nonnull (strstr (failed->error, "division by zero"));
  g_test_message ("worker 1: %s", failed->error);
  for (guint i = 0; i < data.changed_workers->len; i++)
    reported |= g_array_index (data.changed_workers, guint, i) == 1;
  g_assert_true (reported);
  g_assert_cmpuint (lb_run_record_get_result (data.record)->transactions, ==,
                    (guint64) lb_test_pg_query_int (conninfo, "SELECT count(*) FROM remote_hits"));
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "POST", "/api/2.2/jobs/runs/submit"), ==, 2);
  g_assert_cmpuint (lb_fake_workspace_count_task_processes (fixture->fake), ==, 2);
}

/* Settings a remote run cannot take are refused before any request. */
static void
test_refused (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autoptr(LbRemoteRun) run = remote_run_new (fixture, 3);
  g_autoptr(LbRunSettings) ladder = settings_new (4, 1);
  g_autoptr(LbRunSettings) few = settings_new (2, 1);
  guint before = lb_fake_workspace_count_requests (fixture->fake, NULL, NULL);
  struct { LbRunSettings *settings; const char *volume; } cases[] = {
    { ladder, VOLUME }, { few, VOLUME }, { few, "/tmp/x" },
  };

  g_assert_true (lb_run_settings_set_ladder_from_string (ladder, "1,2,4", NULL));
  ladder->mode = LB_RUN_MODE_LADDER;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(RunData) data = { 0 };

      lb_remote_run_set_volume (run, cases[i].volume);
      if (i == 2)
        lb_remote_run_set_workers (run, 1);
      run_start (run, cases[i].settings, &data);
      run_wait (run, &data, 5);
      g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_test_message ("%s", data.error->message);
    }
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, NULL, NULL), ==, before);
}

/* The CLI's environment: a databrickscfg whose DEFAULT profile is the fake,
 * the fake's userName the server's role (the run's identity logs in as it). */
static char **
cli_environment (Fixture *fixture)
{
  g_autofree char *user = lb_test_conninfo_value (conninfo, "user");
  g_autofree char *config = NULL;
  g_autofree char *config_path = NULL;
  char **envp = g_get_environ ();

  lb_fake_workspace_set_user_name (fixture->fake, user);
  config = g_strdup_printf ("[DEFAULT]\nhost = %s\ntoken = %s\n", lb_fake_workspace_get_url (fixture->fake),
                            lb_fake_workspace_get_token (fixture->fake));
  config_path = lb_test_write_file (fixture->tmp_dir, "databrickscfg", config);
  envp = g_environ_setenv (envp, "DATABRICKS_CONFIG_FILE", config_path, TRUE);
  envp = g_environ_setenv (envp, "HOME", fixture->tmp_dir, TRUE);
  envp = g_environ_unsetenv (envp, "DATABRICKS_HOST");
  envp = g_environ_unsetenv (envp, "DATABRICKS_TOKEN");
  return envp;
}

/* `lakebase-cli bench --on-databricks --json -`: the record's JSON with its
 * workers, the cost before and after, and no secret anywhere. */
static void
test_cli_json (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_auto(LbTestCliResult) result = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *port = lb_test_conninfo_value (conninfo, "port");
  g_autofree char *host = lb_test_conninfo_value (conninfo, "host");
  g_autofree char *dbname = lb_test_conninfo_value (conninfo, "dbname");
  g_auto(GStrv) envp = cli_environment (fixture);
  JsonObject *root, *remote;
  const char *args[] = {
    "bench", fixture->script_path, "--on-databricks", "--workers", "2", "--clients", "2",
    "--duration", "2", "--volume", VOLUME, "--instance", INSTANCE, "--host", host,
    "--port", port, "--dbname", dbname, "--sslmode", "disable", "--no-save", "--json", "-", NULL
  };


  lb_test_run_cli (&result, envp, G_SPAWN_STDIN_FROM_DEV_NULL, args);
  g_test_message ("stderr:\n%s", result.err);
  g_assert_cmpint (result.status, ==, 0);
  assert_no_secret (fixture->fake, result.out, "the CLI's output");
  assert_no_secret (fixture->fake, result.err, "the CLI's errors");
  /* The estimate before, live lines, the workers' table after. */
  g_assert_nonnull (strstr (result.err, "About $"));
  g_assert_nonnull (strstr (result.err, "progress: "));

  root = lb_test_parse_json_object (result.out, parser);
  g_assert_cmpint (json_object_get_int_member (root, "transactions"), ==,
                   lb_test_pg_query_int (conninfo, "SELECT count(*) FROM remote_hits"));
  g_assert_true (json_object_has_member (root, "remote"));
  remote = json_object_get_object_member (root, "remote");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (remote, "rows")), ==, 2);
  g_assert_cmpuint (g_strv_length (lb_fake_workspace_dup_job_submissions (fixture->fake)), ==, 1);
}

static gboolean
worker_files_served (LbFakeWorkspace *fake)
{
  g_auto(GStrv) lines = lb_fake_workspace_dup_log (fake);
  gboolean seen[2] = { FALSE, FALSE };

  for (guint i = 0; lines[i] != NULL; i++)
    for (guint w = 0; w < 2; w++)
      {
        g_autofree char *name = g_strdup_printf ("/w%u.json 200", w);

        seen[w] |= g_str_has_suffix (lines[i], name);
      }
  return seen[0] && seen[1];
}

/* Ctrl+C: the job is cancelled, every task ends, and what was measured is
 * printed with the workers' rows; exit 130 as for a local run. */
static void
test_cli_interrupt (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autofree char *port = lb_test_conninfo_value (conninfo, "port");
  g_autofree char *host = lb_test_conninfo_value (conninfo, "host");
  g_autofree char *dbname = lb_test_conninfo_value (conninfo, "dbname");
  g_auto(GStrv) envp = cli_environment (fixture);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  gint64 signalled;
  double seconds;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_environ (launcher, envp);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("LB_CLI"), "bench", fixture->script_path,
                                         "--on-databricks", "--workers", "2", "--clients", "2",
                                         "--duration", "120", "--volume", VOLUME, "--instance", INSTANCE,
                                         "--host", host, "--port", port, "--dbname", dbname,
                                         "--sslmode", "disable", "--no-save", NULL);
  g_assert_no_error (error);

  /* Both workers are measuring once their live files come back. */
  while (!worker_files_served (fixture->fake))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (100 * 1000);
    }
  g_assert_cmpuint (lb_fake_workspace_count_live_task_processes (fixture->fake), ==, 2);
  signalled = g_get_monotonic_time ();
  g_subprocess_send_signal (process, SIGINT);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  seconds = (g_get_monotonic_time () - signalled) / 1e6;
  g_test_message ("stderr:\n%s\nended %.1f s after Ctrl+C", err, seconds);

  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 130);
  g_assert_cmpfloat (seconds, <, 20);
  g_assert_cmpuint (lb_fake_workspace_count_live_task_processes (fixture->fake), ==, 0);
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "POST", "/api/2.2/jobs/runs/cancel"), ==, 1);
  g_assert_nonnull (strstr (out, "number of transactions actually processed"));
  g_assert_nonnull (strstr (out, "Workers (2"));
  g_assert_nonnull (strstr (err, "cancelled"));
  assert_no_secret (fixture->fake, out, "the CLI's output");
  assert_no_secret (fixture->fake, err, "the CLI's errors");
}

/* Options that cannot go together are refused before anything is sent; the
 * connection check speaks before the cost (an unknown node type stops it
 * there). */
static void
test_cli_usage (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_auto(GStrv) envp = cli_environment (fixture);
  struct
  {
    const char *args[12];
    const char *expected;
  } cases[] = {
    { { "--workers", "2" }, "need --on-databricks" },
    { { "--on-databricks", "--dsn", "dbname=x" }, "--dsn" },
    { { "--on-databricks", "--instance", INSTANCE }, "--volume" },
    { { "--on-databricks", "--volume", "/tmp/v", "--instance", INSTANCE }, "Unity Catalog volume" },
    { { "--on-databricks", "--volume", VOLUME }, "--instance NAME" },
    { { "--on-databricks", "--volume", VOLUME, "--instance", INSTANCE, "--endpoint", "projects/p" }, "--instance NAME" },
    { { "--on-databricks", "--volume", VOLUME, "--instance", INSTANCE, "--ladder", "1,2" }, "--ladder" },
    { { "--on-databricks", "--volume", VOLUME, "--instance", INSTANCE, "--workers", "0" }, "--workers" },
  };
  guint before = lb_fake_workspace_count_requests (fixture->fake, NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(LbTestCliResult) result = { 0 };
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();

      g_ptr_array_add (argv, (char *) "bench");
      g_ptr_array_add (argv, fixture->script_path);
      for (guint a = 0; cases[i].args[a] != NULL; a++)
        g_ptr_array_add (argv, (char *) cases[i].args[a]);
      g_ptr_array_add (argv, NULL);
      lb_test_run_cli (&result, envp, G_SPAWN_STDIN_FROM_DEV_NULL, (const char * const *) argv->pdata);
      g_test_message ("%s", result.err);
      g_assert_cmpint (result.status, ==, 2);
      g_assert_nonnull (strstr (result.err, cases[i].expected));
    }
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, NULL, NULL), ==, before);

  /* 2 workers × 600 clients: the warning, then the unknown node type stops it. */
  {
    g_auto(LbTestCliResult) result = { 0 };
    const char *args[] = { "bench", fixture->script_path, "--on-databricks", "--workers", "2", "--clients", "1200",
                           "--volume", VOLUME, "--instance", INSTANCE, "--host", "/nowhere",
                           "--node-type", "no-such-node", NULL };

    lb_test_run_cli (&result, envp, G_SPAWN_STDIN_FROM_DEV_NULL, args);
    g_test_message ("%s", result.err);
    g_assert_cmpint (result.status, ==, 2);
    g_assert_nonnull (strstr (result.err, "warning:"));
    g_assert_nonnull (strstr (result.err, "1,000"));
    g_assert_nonnull (strstr (result.err, "no-such-node"));
    g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "POST", "/api/2.2/jobs/runs/submit"), ==, 0);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = g_dir_make_tmp ("lb-test-remote-run-data-XXXXXX", NULL);
  int status;

  /* Remembered capacities and any history stay out of the user's files. */
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_test_init (&argc, &argv, NULL);

  if (g_find_program_in_path ("python3") == NULL)
    {
      /* No test added: TAP's "1..0", a skip. */
      g_print ("# python3 is not installed: the fake cannot start the runners\n");
      return g_test_run ();
    }

  g_test_add ("/remote-run/end-to-end", Fixture, NULL, fixture_setup, test_end_to_end, fixture_teardown);
  g_test_add ("/remote-run/cancel", Fixture, NULL, fixture_setup, test_cancel, fixture_teardown);
  g_test_add ("/remote-run/failed-worker", Fixture, NULL, fixture_setup, test_failed_worker, fixture_teardown);
  g_test_add ("/remote-run/refused", Fixture, NULL, fixture_setup, test_refused, fixture_teardown);
  g_test_add ("/remote-run/cli-json", Fixture, NULL, fixture_setup, test_cli_json, fixture_teardown);
  g_test_add ("/remote-run/cli-usage", Fixture, NULL, fixture_setup, test_cli_usage, fixture_teardown);
  g_test_add ("/remote-run/cli-interrupt", Fixture, NULL, fixture_setup, test_cli_interrupt, fixture_teardown);

  sandbox = lb_pg_sandbox_new_for_tests (FALSE);
  if (!lb_pg_sandbox_start (sandbox, NULL, &error))
    g_error ("the test sandbox did not start: %s", error->message);
  conninfo = lb_pg_sandbox_get_conninfo (sandbox);

  status = g_test_run ();

  lb_pg_sandbox_stop (sandbox, NULL);
  g_clear_object (&sandbox);
  lb_test_remove_tree (data_home);

  return status;
}
