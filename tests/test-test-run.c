/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbTestRun against the test sandbox: short runs (1–2 s) from settings to
 * the record in the history, the ladder, cancelling, settings refused before
 * anything starts, and a credential source refreshed before it expires
 * without its secret ever reaching a log or a record. */
#include "config.h"

#include <string.h>

#include "lb-test-run.h"
#include "lb-test-utils.h"

#define SECRET "s3cret-lakebase-token"

static LbPgSandbox *sandbox;
static gboolean secret_logged;

static GLogWriterOutput
log_writer (GLogLevelFlags   log_level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0 &&
        strstr (fields[i].value, SECRET) != NULL)
      secret_logged = TRUE;

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static LbSqlScript *
script_new (void)
{
  g_autoptr(GError) error = NULL;
  LbSqlScript *script = lb_sql_script_new_from_data ("-- name: one\nSELECT 1;\n", -1, "test-run.sql", &error);

  g_assert_no_error (error);
  return script;
}

static LbRunSettings *
settings_new (LbRunMode mode,
              double    duration)
{
  LbRunSettings *settings = lb_run_settings_new ();

  settings->clients = 2;
  settings->threads = 1;
  settings->mode = mode;
  settings->duration = duration;
  settings->interval = 0.25;
  settings->seed = 7;
  return settings;
}

typedef struct
{
  LbRunRecord *record;
  GError      *error;
  gboolean     done;
  guint        n_samples;
  guint        n_finished;
  GArray      *states;      /* LbTestRunState, as notified */
  GArray      *clients;     /* guint, as notified */
  double       max_progress;
} RunData;

static void
run_data_clear (RunData *data)
{
  g_clear_object (&data->record);
  g_clear_error (&data->error);
  g_clear_pointer (&data->states, g_array_unref);
  g_clear_pointer (&data->clients, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RunData, run_data_clear)

static void
sample_cb (LbTestRun         *run,
           const LbRunSample *sample,
           RunData           *data)
{
  g_assert_nonnull (sample);
  data->n_samples++;
  data->max_progress = MAX (data->max_progress, lb_test_run_get_progress (run));
}

static void
finished_cb (LbTestRun   *run,
             LbRunRecord *record,
             RunData     *data)
{
  g_assert_true (LB_IS_RUN_RECORD (record));
  data->n_finished++;
}

static void
state_cb (LbTestRun  *run,
          GParamSpec *pspec,
          RunData    *data)
{
  LbTestRunState state = lb_test_run_get_state (run);

  g_array_append_val (data->states, state);
}

static void
clients_cb (LbTestRun  *run,
            GParamSpec *pspec,
            RunData    *data)
{
  guint clients = lb_test_run_get_clients (run);

  g_array_append_val (data->clients, clients);
}

static void
started_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  RunData *data = user_data;

  data->record = lb_test_run_start_finish (LB_TEST_RUN (object), result, &data->error);
  data->done = TRUE;
}

static void
run_and_wait_cancellable (LbTestRun     *run,
                          LbRunSettings *settings,
                          GCancellable  *cancellable,
                          RunData       *data,
                          guint          seconds)
{
  data->states = g_array_new (FALSE, FALSE, sizeof (LbTestRunState));
  data->clients = g_array_new (FALSE, FALSE, sizeof (guint));
  g_signal_connect (run, "sample", G_CALLBACK (sample_cb), data);
  g_signal_connect (run, "finished", G_CALLBACK (finished_cb), data);
  g_signal_connect (run, "notify::state", G_CALLBACK (state_cb), data);
  g_signal_connect (run, "notify::clients", G_CALLBACK (clients_cb), data);

  lb_test_run_start_async (run, settings, cancellable, started_cb, data);
  lb_test_spin_until (&data->done, seconds);
  g_signal_handlers_disconnect_by_data (run, data);
}

static void
run_and_wait (LbTestRun     *run,
              LbRunSettings *settings,
              RunData       *data,
              guint          seconds)
{
  run_and_wait_cancellable (run, settings, NULL, data, seconds);
}

static gboolean
has_state (RunData        *data,
           LbTestRunState  state)
{
  for (guint i = 0; i < data->states->len; i++)
    if (g_array_index (data->states, LbTestRunState, i) == state)
      return TRUE;
  return FALSE;
}

static void
test_conninfo_to_history (void)
{
  g_autoptr(LbTestRun) run = lb_test_run_new ();
  g_autoptr(LbSqlScript) script = script_new ();
  g_autoptr(LbRunSettings) settings = settings_new (LB_RUN_MODE_DURATION, 1);
  g_autofree char *dir = g_dir_make_tmp ("lb-test-run-XXXXXX", NULL);
  g_autoptr(GFile) dir_file = g_file_new_for_path (dir);
  g_autoptr(LbRunHistory) history = lb_run_history_new (dir_file);
  g_auto(RunData) data = { 0 };
  LbRunResult *result;

  lb_test_run_set_script (run, script, "/tmp/test-run.sql");
  lb_test_run_set_history (run, history);
  lb_test_run_set_target_conninfo (run, lb_pg_sandbox_get_conninfo (sandbox));
  run_and_wait (run, settings, &data, 20);

  g_assert_no_error (data.error);
  g_assert_nonnull (data.record);
  g_assert_true (data.record == lb_test_run_get_record (run));
  g_assert_cmpuint (data.n_finished, ==, 1);
  g_assert_cmpuint (data.n_samples, >=, 3);
  g_assert_cmpfloat (data.max_progress, >, 0.5);
  g_assert_true (has_state (&data, LB_TEST_RUN_STATE_CONNECTING));
  g_assert_true (has_state (&data, LB_TEST_RUN_STATE_MEASURING));
  g_assert_cmpint (lb_test_run_get_state (run), ==, LB_TEST_RUN_STATE_DONE);
  g_assert_false (lb_test_run_get_running (run));

  result = lb_run_record_get_result (data.record);
  g_assert_false (result->cancelled);
  g_assert_cmpuint (result->transactions, >, 0);
  /* The live totals are the measured ones. */
  g_assert_cmpuint (lb_test_run_get_transactions (run), ==, result->transactions);
  g_assert_cmpstr (lb_run_record_get_script_name (data.record), ==, "test-run.sql");
  g_assert_cmpstr (lb_run_record_get_script_path (data.record), ==, "/tmp/test-run.sql");

  /* Kept in the history. */
  g_assert_null (lb_test_run_get_history_error (run));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 1);

  lb_test_remove_tree (dir);
}

static void
test_sandbox_target (void)
{
  g_autoptr(LbTestRun) run = lb_test_run_new ();
  g_autoptr(LbSqlScript) script = script_new ();
  g_autoptr(LbRunSettings) settings = settings_new (LB_RUN_MODE_COUNT, 1);
  g_auto(RunData) data = { 0 };

  settings->transactions = 50;
  lb_test_run_set_script (run, script, NULL);
  lb_test_run_set_sandbox (run, sandbox);
  lb_test_run_set_target_sandbox (run);
  run_and_wait (run, settings, &data, 20);

  g_assert_no_error (data.error);
  /* Already running: no start, straight to the engine. */
  g_assert_false (has_state (&data, LB_TEST_RUN_STATE_STARTING_SANDBOX));
  g_assert_cmpuint (lb_run_record_get_result (data.record)->transactions, ==, 50);
  g_assert_cmpstr (lb_run_record_get_settings (data.record)->conninfo, ==,
                   lb_pg_sandbox_get_conninfo (sandbox));
  g_assert_cmpfloat (lb_test_run_get_progress (run), ==, 1);
}

static void
test_ladder (void)
{
  g_autoptr(LbTestRun) run = lb_test_run_new ();
  g_autoptr(LbSqlScript) script = script_new ();
  g_autoptr(LbRunSettings) settings = settings_new (LB_RUN_MODE_LADDER, 0.75);
  g_auto(RunData) data = { 0 };
  g_autoptr(GError) error = NULL;
  gboolean saw_one = FALSE, saw_three = FALSE;
  LbRunResult *result;

  g_assert_true (lb_run_settings_set_ladder_from_string (settings, "1,3", &error));
  settings->clients = 3;
  lb_test_run_set_script (run, script, NULL);
  lb_test_run_set_target_conninfo (run, lb_pg_sandbox_get_conninfo (sandbox));
  g_assert_cmpfloat (lb_test_run_planned_seconds (settings), ==, 1.5);
  run_and_wait (run, settings, &data, 20);

  g_assert_no_error (data.error);
  for (guint i = 0; i < data.clients->len; i++)
    {
      saw_one |= g_array_index (data.clients, guint, i) == 1;
      saw_three |= g_array_index (data.clients, guint, i) == 3;
    }
  g_assert_true (saw_one);
  g_assert_true (saw_three);
  result = lb_run_record_get_result (data.record);
  g_assert_cmpuint (result->ladder->len, ==, 2);
  g_assert_cmpuint (g_array_index (result->ladder, LbLadderStep, 1).clients, ==, 3);
}

static gboolean
cancel_cb (gpointer user_data)
{
  lb_test_run_cancel (LB_TEST_RUN (user_data));
  return G_SOURCE_REMOVE;
}

static void
test_cancel (void)
{
  g_autoptr(LbTestRun) run = lb_test_run_new ();
  g_autoptr(LbSqlScript) script = script_new ();
  g_autoptr(LbRunSettings) settings = settings_new (LB_RUN_MODE_DURATION, 30);
  g_auto(RunData) data = { 0 };
  gint64 start = g_get_monotonic_time ();

  lb_test_run_set_script (run, script, NULL);
  lb_test_run_set_target_conninfo (run, lb_pg_sandbox_get_conninfo (sandbox));
  g_timeout_add (700, cancel_cb, run);
  run_and_wait (run, settings, &data, 10);

  /* What was measured is the record, not an error. */
  g_assert_no_error (data.error);
  g_assert_true (lb_run_record_get_result (data.record)->cancelled);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
}

/* The caller's cancellable does the same as lb_test_run_cancel(). */
static void
test_cancel_cancellable (void)
{
  g_autoptr(LbTestRun) run = lb_test_run_new ();
  g_autoptr(LbSqlScript) script = script_new ();
  g_autoptr(LbRunSettings) settings = settings_new (LB_RUN_MODE_DURATION, 30);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_auto(RunData) data = { 0 };

  lb_test_run_set_script (run, script, NULL);
  lb_test_run_set_target_conninfo (run, lb_pg_sandbox_get_conninfo (sandbox));
  g_timeout_add_once (700, (GSourceOnceFunc) g_cancellable_cancel, cancellable);
  run_and_wait_cancellable (run, settings, cancellable, &data, 10);

  g_assert_no_error (data.error);
  g_assert_true (lb_run_record_get_result (data.record)->cancelled);
}

static void
test_invalid_settings (void)
{
  g_autoptr(LbTestRun) run = lb_test_run_new ();
  g_autoptr(LbSqlScript) script = script_new ();
  g_autoptr(LbRunSettings) settings = settings_new (LB_RUN_MODE_DURATION, 1);
  g_auto(RunData) data = { 0 };

  settings->clients = 0;
  lb_test_run_set_script (run, script, NULL);
  /* A sandbox that is not running: refused before it is started. */
  lb_test_run_set_target_sandbox (run);
  run_and_wait (run, settings, &data, 5);

  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (data.error->message, "lients"));
  g_assert_null (data.record);
  g_assert_cmpuint (data.states->len, ==, 0);
  g_assert_null (lb_test_run_get_sandbox (run));
}

/* A credential source that hands out the sandbox with a password that
 * expires after LIFETIME_MS, and notes when it was asked. */

#define LIFETIME_MS 2000

#define FAKE_TYPE_SOURCE (fake_source_get_type ())
G_DECLARE_FINAL_TYPE (FakeSource, fake_source, FAKE, SOURCE, GObject)

struct _FakeSource
{
  GObject  parent_instance;
  GArray  *asked;        /* gint64 monotonic times */
  GArray  *expires;      /* gint64 monotonic times */
};

static void fake_source_iface_init (LbCredentialSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FakeSource, fake_source, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LB_TYPE_CREDENTIAL_SOURCE, fake_source_iface_init))

static void
fake_source_dup_conninfo_async (LbCredentialSource  *source,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  FakeSource *self = FAKE_SOURCE (source);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  gint64 now = g_get_monotonic_time ();
  gint64 expires = now + LIFETIME_MS * 1000;

  g_array_append_val (self->asked, now);
  g_array_append_val (self->expires, expires);
  g_task_return_pointer (task, g_strdup_printf ("%s password=" SECRET, lb_pg_sandbox_get_conninfo (sandbox)),
                         g_free);
}

static char *
fake_source_dup_conninfo_finish (LbCredentialSource  *source,
                                 GAsyncResult        *result,
                                 GDateTime          **expires_at,
                                 GError             **error)
{
  if (expires_at != NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      *expires_at = g_date_time_add (now, LIFETIME_MS * 1000);
    }

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
fake_source_iface_init (LbCredentialSourceInterface *iface)
{
  iface->dup_conninfo_async = fake_source_dup_conninfo_async;
  iface->dup_conninfo_finish = fake_source_dup_conninfo_finish;
}

static void
fake_source_finalize (GObject *object)
{
  FakeSource *self = FAKE_SOURCE (object);

  g_array_unref (self->asked);
  g_array_unref (self->expires);
  G_OBJECT_CLASS (fake_source_parent_class)->finalize (object);
}

static void
fake_source_class_init (FakeSourceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fake_source_finalize;
}

static void
fake_source_init (FakeSource *self)
{
  self->asked = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->expires = g_array_new (FALSE, FALSE, sizeof (gint64));
}

static gboolean
asked_three_times (gpointer data)
{
  return FAKE_SOURCE (data)->asked->len >= 3;
}

static void
test_credential_refresh (void)
{
  g_autoptr(LbTestRun) run = lb_test_run_new ();
  g_autoptr(LbSqlScript) script = script_new ();
  g_autoptr(LbRunSettings) settings = settings_new (LB_RUN_MODE_DURATION, 1);
  g_autoptr(FakeSource) source = g_object_new (FAKE_TYPE_SOURCE, NULL);
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *json_text = NULL;
  g_autofree char *text = NULL;
  g_auto(RunData) data = { 0 };

  lb_test_run_set_script (run, script, NULL);
  lb_test_run_set_target_source (run, LB_CREDENTIAL_SOURCE (source));
  run_and_wait (run, settings, &data, 20);

  g_assert_no_error (data.error);
  g_assert_cmpuint (lb_run_record_get_result (data.record)->transactions, >, 0);
  g_assert_cmpuint (source->asked->len, >=, 1);

  /* The window lives on after the run: the credential is kept fresh, each
   * new one asked for before the one before expires. */
  lb_test_spin_until_func (asked_three_times, source, 10);
  g_assert_cmpuint (lb_test_run_get_n_credentials (run), >=, 2);
  for (guint i = 1; i < source->asked->len; i++)
    g_assert_cmpint (g_array_index (source->asked, gint64, i), <, g_array_index (source->expires, gint64, i - 1));

  /* The secret went to the engine only. */
  json_text = lb_run_record_to_json_string (data.record);
  text = lb_run_record_to_text (data.record);
  g_assert_null (strstr (json_text, SECRET));
  g_assert_null (strstr (text, SECRET));
  g_assert_null (strstr (lb_run_record_get_settings (data.record)->conninfo, SECRET));
  g_assert_null (strstr (lb_test_run_get_settings (run)->conninfo, SECRET));
  g_assert_false (secret_logged);

  /* Another target stops the refresh. */
  lb_test_run_set_target_sandbox (run);
  {
    guint asked = source->asked->len;

    lb_test_spin_ms (LIFETIME_MS);
    g_assert_cmpuint (source->asked->len, ==, asked);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_log_set_writer_func (log_writer, NULL, NULL);
  g_test_init (&argc, &argv, NULL);

  sandbox = lb_pg_sandbox_new_for_tests (FALSE);
  if (!lb_pg_sandbox_start (sandbox, NULL, &error))
    {
      if (g_error_matches (error, LB_PG_SANDBOX_ERROR, LB_PG_SANDBOX_ERROR_NO_SERVER))
        {
          g_test_skip_printf ("no PostgreSQL server binaries: %s", error->message);
          g_clear_object (&sandbox);
          return 0;
        }
      g_error ("sandbox: %s", error->message);
    }

  g_test_add_func ("/test-run/conninfo-to-history", test_conninfo_to_history);
  g_test_add_func ("/test-run/sandbox-target", test_sandbox_target);
  g_test_add_func ("/test-run/ladder", test_ladder);
  g_test_add_func ("/test-run/cancel", test_cancel);
  g_test_add_func ("/test-run/cancel-cancellable", test_cancel_cancellable);
  g_test_add_func ("/test-run/invalid-settings", test_invalid_settings);
  g_test_add_func ("/test-run/credential-refresh", test_credential_refresh);

  ret = g_test_run ();

  lb_pg_sandbox_stop (sandbox, NULL);
  g_clear_object (&sandbox);
  return ret;
}
