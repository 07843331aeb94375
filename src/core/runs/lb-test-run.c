/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbTestRun: the sequence of one concurrency test (target, engine, record,
 * history) that the tester window and the CLI's bench share; both only
 * show what it reports. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-cost-model.h"
#include "lb-load-engine.h"
#include "lb-run-common-private.h"
#include "lb-server-sampler.h"
#include "lb-test-run.h"

/* A Lakebase credential lives an hour: ask for the next one this long
 * before it expires, or halfway through a shorter life. */
#define CREDENTIAL_MARGIN_S   (5 * 60)
#define CREDENTIAL_RETRY_S    60

typedef enum
{
  TARGET_SANDBOX,
  TARGET_CONNINFO,
  TARGET_SOURCE,
} TargetKind;

struct _LbTestRun
{
  GObject              parent_instance;

  LbSqlScript         *script;
  char                *script_path;
  LbRunHistory        *history;
  LbPgSandbox         *sandbox;

  TargetKind           target;
  char                *conninfo;
  LbCredentialSource  *source;
  char                *credential;          /* the source's last conninfo: a secret */
  char                *source_conninfo;     /* the same without its secrets */
  GDateTime           *credential_expires;
  GCancellable        *credential_cancellable;
  guint                refresh_id;
  guint                n_credentials;
  gboolean             fetching;

  /* The run in progress */
  GTask               *task;
  GCancellable        *run_cancellable;
  GCancellable        *caller_cancellable;
  gulong               cancelled_id;
  LbLoadEngine        *engine;
  LbRunSettings       *settings;
  GDateTime           *started;
  LbServerSampler     *sampler;
  LbRunResult         *engine_result;       /* while the sampler takes its last snapshot */

  double               server_interval;
  double               workload_cu;         /* the open workload's recommendation, 0 = none */
  double               user_cu;

  LbTestRunState       state;
  guint                clients;
  double               elapsed;
  double               progress;
  guint64              transactions;
  guint64              failed;
  LbRunRecord         *record;
  GError              *history_error;
};

G_DEFINE_FINAL_TYPE (LbTestRun, lb_test_run, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (LbTestRunState, lb_test_run_state,
  G_DEFINE_ENUM_VALUE (LB_TEST_RUN_STATE_IDLE, "idle"),
  G_DEFINE_ENUM_VALUE (LB_TEST_RUN_STATE_STARTING_SANDBOX, "starting-sandbox"),
  G_DEFINE_ENUM_VALUE (LB_TEST_RUN_STATE_FETCHING_CREDENTIAL, "fetching-credential"),
  G_DEFINE_ENUM_VALUE (LB_TEST_RUN_STATE_CONNECTING, "connecting"),
  G_DEFINE_ENUM_VALUE (LB_TEST_RUN_STATE_WARMUP, "warmup"),
  G_DEFINE_ENUM_VALUE (LB_TEST_RUN_STATE_MEASURING, "measuring"),
  G_DEFINE_ENUM_VALUE (LB_TEST_RUN_STATE_FINISHING, "finishing"),
  G_DEFINE_ENUM_VALUE (LB_TEST_RUN_STATE_DONE, "done"))

enum {
  PROP_0,
  PROP_SCRIPT,
  PROP_SCRIPT_PATH,
  PROP_HISTORY,
  PROP_SANDBOX,
  PROP_STATE,
  PROP_RUNNING,
  PROP_CLIENTS,
  PROP_ELAPSED,
  PROP_PROGRESS,
  PROP_TRANSACTIONS,
  PROP_FAILED,
  PROP_RECORD,
  PROP_SOURCE_CONNINFO,
  N_PROPS
};

enum {
  SAMPLE,
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void fetch_credential (LbTestRun *self);

/* The copy of a secret is wiped before it is freed. */
static void
clear_secret (char **secret)
{
  if (*secret != NULL)
    memset (*secret, 0, strlen (*secret));
  g_clear_pointer (secret, g_free);
}

static void
run_settings_free_secret (LbRunSettings *settings)
{
  clear_secret (&settings->conninfo);
  lb_run_settings_free (settings);
}

static void
set_state (LbTestRun      *self,
           LbTestRunState  state)
{
  gboolean was_running = lb_test_run_get_running (self);

  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  if (was_running != lb_test_run_get_running (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
set_clients (LbTestRun *self,
             guint      clients)
{
  if (self->clients == clients)
    return;

  self->clients = clients;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENTS]);
}

/* Credential refresh -------------------------------------------------------- */

static gboolean
refresh_credential_cb (gpointer user_data)
{
  LbTestRun *self = user_data;

  self->refresh_id = 0;
  fetch_credential (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_refresh (LbTestRun *self,
                  double     wait_s)
{
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  self->refresh_id = g_timeout_add ((guint) (MAX (wait_s, 0.1) * 1000), refresh_credential_cb, self);
}

static double
seconds_until_refresh (GDateTime *expires_at)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  double left = g_date_time_difference (expires_at, now) / (double) G_USEC_PER_SEC;
  double wait = left - CREDENTIAL_MARGIN_S;

  return MAX (wait, left / 2);
}

static gboolean
credential_expired (LbTestRun *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return self->credential_expires != NULL && g_date_time_compare (self->credential_expires, now) <= 0;
}

static void launch_engine (LbTestRun *self);
static void fail_run (LbTestRun *self, GError *error);

static void
credential_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(LbTestRun) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) expires_at = NULL;
  char *conninfo;

  conninfo = lb_credential_source_dup_conninfo_finish (LB_CREDENTIAL_SOURCE (object), result,
                                                       &expires_at, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->fetching = FALSE;
  /* The target changed while the credential was on its way. */
  if (self->target != TARGET_SOURCE || LB_CREDENTIAL_SOURCE (object) != self->source)
    {
      clear_secret (&conninfo);
      return;
    }

  if (conninfo == NULL)
    {
      schedule_refresh (self, CREDENTIAL_RETRY_S);
      if (self->state == LB_TEST_RUN_STATE_FETCHING_CREDENTIAL)
        fail_run (self, g_steal_pointer (&error));
      return;
    }

  clear_secret (&self->credential);
  self->credential = conninfo;
  self->n_credentials++;
  g_free (self->source_conninfo);
  self->source_conninfo = lb_conninfo_strip_password (conninfo);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE_CONNINFO]);
  g_clear_pointer (&self->credential_expires, g_date_time_unref);
  if (expires_at != NULL)
    {
      self->credential_expires = g_date_time_ref (expires_at);
      schedule_refresh (self, seconds_until_refresh (expires_at));
    }

  if (self->state == LB_TEST_RUN_STATE_FETCHING_CREDENTIAL)
    {
      clear_secret (&self->settings->conninfo);
      self->settings->conninfo = g_strdup (self->credential);
      launch_engine (self);
    }
}

static void
fetch_credential (LbTestRun *self)
{
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  self->fetching = TRUE;
  /* A source that finishes after the run went away must not find it freed. */
  lb_credential_source_dup_conninfo_async (self->source, self->credential_cancellable,
                                           credential_cb, g_object_ref (self));
}

static void
stop_credentials (LbTestRun *self)
{
  g_cancellable_cancel (self->credential_cancellable);
  g_clear_object (&self->credential_cancellable);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  self->fetching = FALSE;
  g_clear_object (&self->source);
  g_clear_pointer (&self->credential_expires, g_date_time_unref);
  clear_secret (&self->credential);
  g_clear_pointer (&self->source_conninfo, g_free);
}

/* The run --------------------------------------------------------------------- */

static void
end_run (LbTestRun *self)
{
  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_data (self->engine, self);
  g_clear_object (&self->engine);
  g_clear_object (&self->sampler);
  g_clear_pointer (&self->engine_result, lb_run_result_unref);
  if (self->caller_cancellable != NULL)
    g_cancellable_disconnect (self->caller_cancellable, self->cancelled_id);
  self->cancelled_id = 0;
  g_clear_object (&self->caller_cancellable);
  g_clear_object (&self->run_cancellable);
  /* The settings stay for lb_test_run_get_settings(), without the secret. */
  if (self->settings != NULL)
    {
      g_autofree char *stripped = lb_conninfo_strip_password (self->settings->conninfo);

      clear_secret (&self->settings->conninfo);
      self->settings->conninfo = g_steal_pointer (&stripped);
    }
}

static void
fail_run (LbTestRun *self,
          GError    *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  end_run (self);
  set_state (self, LB_TEST_RUN_STATE_IDLE);
  g_task_return_error (task, error);
}

static void
sample_cb (LbLoadEngine      *engine,
           const LbRunSample *sample,
           LbTestRun         *self)
{
  double planned = lb_test_run_planned_seconds (self->settings);
  double warmup = self->settings->warmup;
  double fraction = 0;

  g_object_freeze_notify (G_OBJECT (self));

  if (!sample->warmup)
    {
      self->transactions += sample->transactions;
      self->failed += sample->failed;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRANSACTIONS]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAILED]);
    }

  if (sample->warmup)
    fraction = warmup > 0 ? (warmup + sample->t) / (warmup + MAX (planned, 0)) : 0;
  else if (planned > 0)
    fraction = (warmup + sample->t) / (warmup + planned);
  else if (self->settings->transactions > 0)
    fraction = (double) (self->transactions + self->failed) / self->settings->transactions;

  self->elapsed = sample->t;
  self->progress = CLAMP (fraction, 0, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ELAPSED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);

  g_signal_emit (self, signals[SAMPLE], 0, sample);

  g_object_thaw_notify (G_OBJECT (self));
}

static void
phase_changed_cb (LbLoadEngine *engine,
                  LbRunPhase    phase,
                  guint         clients,
                  LbTestRun    *self)
{
  g_object_freeze_notify (G_OBJECT (self));
  set_clients (self, clients);
  switch (phase)
    {
    case LB_RUN_PHASE_CONNECTING:
      set_state (self, LB_TEST_RUN_STATE_CONNECTING);
      break;
    case LB_RUN_PHASE_WARMUP:
      set_state (self, LB_TEST_RUN_STATE_WARMUP);
      break;
    case LB_RUN_PHASE_MEASURING:
      set_state (self, LB_TEST_RUN_STATE_MEASURING);
      break;
    case LB_RUN_PHASE_FINISHING:
      set_state (self, LB_TEST_RUN_STATE_FINISHING);
      break;
    case LB_RUN_PHASE_IDLE:
    case LB_RUN_PHASE_DONE:
    default:
      break;
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static void
finish_run (LbTestRun   *self,
            LbRunResult *run_result,
            GPtrArray   *snapshots)
{
  g_autoptr(LbRunRecord) record = NULL;
  g_autoptr(GTask) task = NULL;
  const char *cu_source = NULL;
  double cu;

  record = lb_run_record_new (self->script != NULL ? lb_sql_script_get_display_name (self->script) : NULL,
                              self->script_path, self->settings, run_result, self->started);
  /* A dialect chosen over detection (tester.dialect, bench --dialect) goes
   * with the record, so showing the run again reads the file the same way. */
  if (self->script != NULL
      && lb_sql_script_get_dialect (self->script) != lb_sql_script_get_detected_dialect (self->script))
    lb_run_record_set_script_dialect (record, lb_sql_dialect_to_string (lb_sql_script_get_dialect (self->script)));
  if (self->sampler != NULL)
    {
      g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
      GPtrArray *sampler_notes = lb_server_sampler_get_notes (self->sampler);

      for (guint i = 0; i < sampler_notes->len; i++)
        g_ptr_array_add (notes, g_strdup (g_ptr_array_index (sampler_notes, i)));
      lb_run_record_set_server (record, snapshots, notes);
      lb_run_record_set_server_cpu_time (record, lb_server_sampler_get_cpu_time (self->sampler));
    }
  cu = lb_test_run_get_reference_cu (self, &cu_source);
  lb_run_record_set_reference_cu (record, cu, cu_source);
  task = g_steal_pointer (&self->task);
  end_run (self);

  lb_run_common_add_to_history (self->history, record, &self->history_error);

  g_set_object (&self->record, record);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORD]);
  lb_run_common_settle_totals (G_OBJECT (self), run_result, &self->transactions, &self->failed, &self->progress,
                               properties[PROP_TRANSACTIONS], properties[PROP_FAILED], properties[PROP_PROGRESS]);
  set_state (self, LB_TEST_RUN_STATE_DONE);
  g_signal_emit (self, signals[FINISHED], 0, record);

  g_task_return_pointer (task, g_steal_pointer (&record), g_object_unref);
}

static void
sampler_stopped_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  LbTestRun *self = user_data;
  g_autoptr(GPtrArray) snapshots = lb_server_sampler_stop_finish (LB_SERVER_SAMPLER (object), result);
  g_autoptr(LbRunResult) run_result = g_steal_pointer (&self->engine_result);

  finish_run (self, run_result, snapshots);
}

static void
engine_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  LbTestRun *self = user_data;
  g_autoptr(LbRunResult) run_result = NULL;
  GError *error = NULL;

  run_result = lb_load_engine_run_finish (LB_LOAD_ENGINE (object), result, &error);
  if (run_result == NULL)
    {
      fail_run (self, error);
      return;
    }

  if (self->sampler == NULL)
    {
      finish_run (self, run_result, NULL);
      return;
    }
  /* The last snapshot is taken once the run's connections are gone, off
   * the main loop; a cancelled run does not wait for them. */
  self->engine_result = g_steal_pointer (&run_result);
  lb_server_sampler_stop_async (self->sampler, self->run_cancellable, sampler_stopped_cb, self);
}

static void run_engine (LbTestRun *self);

static void
sampler_started_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(LbTestRun) self = user_data;
  GError *error = NULL;

  lb_server_sampler_start_finish (LB_SERVER_SAMPLER (object), result);
  if (self->task == NULL || self->sampler != LB_SERVER_SAMPLER (object))
    return;
  if (g_cancellable_set_error_if_cancelled (self->run_cancellable, &error))
    {
      fail_run (self, error);
      return;
    }
  run_engine (self);
}

static void
launch_engine (LbTestRun *self)
{
  g_clear_pointer (&self->started, g_date_time_unref);
  self->started = g_date_time_new_now_local ();
  /* Its own connection and thread: the workers never wait on it. The
   * engine starts once the first snapshot is in, so that it is a "before". */
  if (self->server_interval > 0)
    {
      self->sampler = lb_server_sampler_new (self->settings->conninfo, self->server_interval);
      set_state (self, LB_TEST_RUN_STATE_CONNECTING);
      lb_server_sampler_start_async (self->sampler, sampler_started_cb, g_object_ref (self));
      return;
    }
  run_engine (self);
}

static void
run_engine (LbTestRun *self)
{
  self->engine = lb_load_engine_new (self->script, self->settings);
  g_signal_connect (self->engine, "sample", G_CALLBACK (sample_cb), self);
  g_signal_connect (self->engine, "phase-changed", G_CALLBACK (phase_changed_cb), self);

  set_state (self, LB_TEST_RUN_STATE_CONNECTING);
  lb_load_engine_run_async (self->engine, self->run_cancellable, engine_done_cb, self);
}

static void
sandbox_started_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  LbTestRun *self = user_data;
  GError *error = NULL;

  if (!lb_pg_sandbox_start_finish (LB_PG_SANDBOX (object), result, &error))
    {
      fail_run (self, error);
      return;
    }
  if (g_cancellable_set_error_if_cancelled (self->run_cancellable, &error))
    {
      fail_run (self, error);
      return;
    }

  g_free (self->settings->conninfo);
  self->settings->conninfo = g_strdup (lb_pg_sandbox_get_conninfo (LB_PG_SANDBOX (object)));
  launch_engine (self);
}

static void
run_cancelled_cb (GCancellable *cancellable,
                  GCancellable *run_cancellable)
{
  g_cancellable_cancel (run_cancellable);
}

void
lb_test_run_start_async (LbTestRun           *self,
                         const LbRunSettings *settings,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(LbRunSettings) checked = NULL;
  GError *error = NULL;

  g_return_if_fail (LB_IS_TEST_RUN (self));
  g_return_if_fail (settings != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_test_run_start_async);
  /* Cancelled while the engine runs, the run still has a record to return. */
  g_task_set_check_cancellable (task, FALSE);

  if (self->task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, _("A run is already in progress"));
      return;
    }
  if (self->script == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Open a workload file first"));
      return;
    }

  /* Checked before anything slow starts; the sandbox's and the source's
   * strings are known later, so a stand-in takes their place. */
  checked = lb_run_settings_copy (settings);
  g_free (checked->conninfo);
  checked->conninfo = g_strdup (self->target == TARGET_CONNINFO && self->conninfo != NULL
                                ? self->conninfo : "dbname=postgres");
  if (!lb_run_settings_validate (checked, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_clear_pointer (&self->settings, run_settings_free_secret);
  self->settings = lb_run_settings_copy (settings);
  clear_secret (&self->settings->conninfo);
  self->task = g_steal_pointer (&task);
  self->run_cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      self->caller_cancellable = g_object_ref (cancellable);
      self->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (run_cancelled_cb),
                                                  self->run_cancellable, NULL);
    }

  g_object_freeze_notify (G_OBJECT (self));
  self->transactions = 0;
  self->failed = 0;
  self->elapsed = 0;
  self->progress = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRANSACTIONS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAILED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ELAPSED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
  if (self->record != NULL)
    {
      g_clear_object (&self->record);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORD]);
    }
  set_clients (self, settings->clients);
  g_object_thaw_notify (G_OBJECT (self));

  switch (self->target)
    {
    case TARGET_CONNINFO:
      self->settings->conninfo = g_strdup (self->conninfo != NULL ? self->conninfo : "");
      launch_engine (self);
      break;

    case TARGET_SOURCE:
      if (self->credential != NULL && !credential_expired (self))
        {
          self->settings->conninfo = g_strdup (self->credential);
          launch_engine (self);
        }
      else
        {
          set_state (self, LB_TEST_RUN_STATE_FETCHING_CREDENTIAL);
          if (!self->fetching)
            fetch_credential (self);
        }
      break;

    case TARGET_SANDBOX:
    default:
      if (self->sandbox == NULL)
        self->sandbox = lb_pg_sandbox_new (NULL, TRUE);
      if (lb_pg_sandbox_get_running (self->sandbox))
        {
          self->settings->conninfo = g_strdup (lb_pg_sandbox_get_conninfo (self->sandbox));
          launch_engine (self);
        }
      else
        {
          set_state (self, LB_TEST_RUN_STATE_STARTING_SANDBOX);
          lb_pg_sandbox_start_async (self->sandbox, self->run_cancellable, sandbox_started_cb, self);
        }
      break;
    }
}

LbRunRecord *
lb_test_run_start_finish (LbTestRun     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (LB_IS_TEST_RUN (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
lb_test_run_cancel (LbTestRun *self)
{
  g_return_if_fail (LB_IS_TEST_RUN (self));

  if (self->run_cancellable != NULL)
    g_cancellable_cancel (self->run_cancellable);
}

/* Object ---------------------------------------------------------------------- */

static void
lb_test_run_dispose (GObject *object)
{
  LbTestRun *self = LB_TEST_RUN (object);

  /* A run holds a reference through its task's source object, so a run in
   * progress never gets here. */
  stop_credentials (self);
  g_clear_object (&self->script);
  g_clear_object (&self->history);
  g_clear_object (&self->sandbox);
  g_clear_object (&self->record);

  G_OBJECT_CLASS (lb_test_run_parent_class)->dispose (object);
}

static void
lb_test_run_finalize (GObject *object)
{
  LbTestRun *self = LB_TEST_RUN (object);

  g_clear_pointer (&self->script_path, g_free);
  clear_secret (&self->conninfo);
  g_clear_pointer (&self->settings, run_settings_free_secret);
  g_clear_pointer (&self->started, g_date_time_unref);
  g_clear_error (&self->history_error);

  G_OBJECT_CLASS (lb_test_run_parent_class)->finalize (object);
}

static void
lb_test_run_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  LbTestRun *self = LB_TEST_RUN (object);

  switch (prop_id)
    {
    case PROP_SCRIPT:
      g_value_set_object (value, self->script);
      break;
    case PROP_SCRIPT_PATH:
      g_value_set_string (value, self->script_path);
      break;
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;
    case PROP_SANDBOX:
      g_value_set_object (value, self->sandbox);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, lb_test_run_get_running (self));
      break;
    case PROP_CLIENTS:
      g_value_set_uint (value, self->clients);
      break;
    case PROP_ELAPSED:
      g_value_set_double (value, self->elapsed);
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    case PROP_TRANSACTIONS:
      g_value_set_uint64 (value, self->transactions);
      break;
    case PROP_FAILED:
      g_value_set_uint64 (value, self->failed);
      break;
    case PROP_RECORD:
      g_value_set_object (value, self->record);
      break;
    case PROP_SOURCE_CONNINFO:
      g_value_set_string (value, self->source_conninfo);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_test_run_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  LbTestRun *self = LB_TEST_RUN (object);

  switch (prop_id)
    {
    case PROP_SCRIPT:
      lb_test_run_set_script (self, g_value_get_object (value), self->script_path);
      break;
    case PROP_SCRIPT_PATH:
      lb_test_run_set_script (self, self->script, g_value_get_string (value));
      break;
    case PROP_HISTORY:
      lb_test_run_set_history (self, g_value_get_object (value));
      break;
    case PROP_SANDBOX:
      lb_test_run_set_sandbox (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_test_run_class_init (LbTestRunClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags readable = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags writable = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = lb_test_run_dispose;
  object_class->finalize = lb_test_run_finalize;
  object_class->get_property = lb_test_run_get_property;
  object_class->set_property = lb_test_run_set_property;

  properties[PROP_SCRIPT] = g_param_spec_object ("script", NULL, NULL, LB_TYPE_SQL_SCRIPT, writable);
  properties[PROP_SCRIPT_PATH] = g_param_spec_string ("script-path", NULL, NULL, NULL, writable);
  properties[PROP_HISTORY] = g_param_spec_object ("history", NULL, NULL, LB_TYPE_RUN_HISTORY, writable);
  properties[PROP_SANDBOX] = g_param_spec_object ("sandbox", NULL, NULL, LB_TYPE_PG_SANDBOX, writable);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, LB_TYPE_TEST_RUN_STATE,
                                              LB_TEST_RUN_STATE_IDLE, readable);
  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE, readable);
  properties[PROP_CLIENTS] = g_param_spec_uint ("clients", NULL, NULL, 0, G_MAXUINT, 0, readable);
  properties[PROP_ELAPSED] = g_param_spec_double ("elapsed", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, readable);
  properties[PROP_PROGRESS] = g_param_spec_double ("progress", NULL, NULL, 0, 1, 0, readable);
  properties[PROP_TRANSACTIONS] = g_param_spec_uint64 ("transactions", NULL, NULL, 0, G_MAXUINT64, 0, readable);
  properties[PROP_FAILED] = g_param_spec_uint64 ("failed", NULL, NULL, 0, G_MAXUINT64, 0, readable);
  properties[PROP_RECORD] = g_param_spec_object ("record", NULL, NULL, LB_TYPE_RUN_RECORD, readable);
  properties[PROP_SOURCE_CONNINFO] = g_param_spec_string ("source-conninfo", NULL, NULL, NULL, readable);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SAMPLE] =
    g_signal_new ("sample", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LB_TYPE_RUN_RECORD);
}

static void
lb_test_run_init (LbTestRun *self)
{
  self->server_interval = LB_SERVER_SAMPLER_DEFAULT_INTERVAL;
}

/* Public API ------------------------------------------------------------------ */

LbTestRun *
lb_test_run_new (void)
{
  return g_object_new (LB_TYPE_TEST_RUN, NULL);
}

void
lb_test_run_set_script (LbTestRun   *self,
                        LbSqlScript *script,
                        const char  *script_path)
{
  g_return_if_fail (LB_IS_TEST_RUN (self));
  g_return_if_fail (script == NULL || LB_IS_SQL_SCRIPT (script));

  if (g_set_object (&self->script, script))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCRIPT]);
  if (g_strcmp0 (self->script_path, script_path) != 0)
    {
      g_free (self->script_path);
      self->script_path = g_strdup (script_path);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCRIPT_PATH]);
    }
}

LbSqlScript *
lb_test_run_get_script (LbTestRun *self)
{
  g_return_val_if_fail (LB_IS_TEST_RUN (self), NULL);

  return self->script;
}

void
lb_test_run_set_history (LbTestRun    *self,
                         LbRunHistory *history)
{
  g_return_if_fail (LB_IS_TEST_RUN (self));
  g_return_if_fail (history == NULL || LB_IS_RUN_HISTORY (history));

  if (g_set_object (&self->history, history))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
}

LbRunHistory *
lb_test_run_get_history (LbTestRun *self)
{
  g_return_val_if_fail (LB_IS_TEST_RUN (self), NULL);

  return self->history;
}

void
lb_test_run_set_sandbox (LbTestRun   *self,
                         LbPgSandbox *sandbox)
{
  g_return_if_fail (LB_IS_TEST_RUN (self));
  g_return_if_fail (sandbox == NULL || LB_IS_PG_SANDBOX (sandbox));

  if (g_set_object (&self->sandbox, sandbox))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SANDBOX]);
}

LbPgSandbox *
lb_test_run_get_sandbox (LbTestRun *self)
{
  g_return_val_if_fail (LB_IS_TEST_RUN (self), NULL);

  return self->sandbox;
}

void
lb_test_run_set_server_interval (LbTestRun *self,
                                 double     seconds)
{
  g_return_if_fail (LB_IS_TEST_RUN (self));

  self->server_interval = MAX (seconds, 0);
}

void
lb_test_run_set_workload (LbTestRun  *self,
                          LbWorkload *workload)
{
  g_return_if_fail (LB_IS_TEST_RUN (self));
  g_return_if_fail (workload == NULL || LB_IS_WORKLOAD (workload));

  self->workload_cu = 0;
  if (workload != NULL)
    {
      /* The calculator's own recommendation, from the same price sheet. */
      g_autoptr(LbPriceSheet) prices = lb_price_sheet_new_default ();
      LbCostReport *report = lb_cost_model_estimate (workload, prices);

      self->workload_cu = report->breakdown.recommended_cu;
      lb_cost_report_unref (report);
    }
}

void
lb_test_run_set_reference_cu (LbTestRun *self,
                              double     cu)
{
  g_return_if_fail (LB_IS_TEST_RUN (self));

  self->user_cu = MAX (cu, 0);
}

double
lb_test_run_get_reference_cu (LbTestRun   *self,
                              const char **source)
{
  g_return_val_if_fail (LB_IS_TEST_RUN (self), 0);

  if (self->workload_cu > 0)
    {
      if (source != NULL)
        *source = "workload";
      return self->workload_cu;
    }
  if (source != NULL)
    *source = self->user_cu > 0 ? "settings" : NULL;
  return self->user_cu;
}

void
lb_test_run_set_target_sandbox (LbTestRun *self)
{
  g_return_if_fail (LB_IS_TEST_RUN (self));

  stop_credentials (self);
  clear_secret (&self->conninfo);
  self->target = TARGET_SANDBOX;
}

void
lb_test_run_set_target_conninfo (LbTestRun  *self,
                                 const char *conninfo)
{
  g_return_if_fail (LB_IS_TEST_RUN (self));
  g_return_if_fail (conninfo != NULL);

  stop_credentials (self);
  clear_secret (&self->conninfo);
  self->conninfo = g_strdup (conninfo);
  self->target = TARGET_CONNINFO;
}

void
lb_test_run_set_target_source (LbTestRun          *self,
                               LbCredentialSource *source)
{
  g_return_if_fail (LB_IS_TEST_RUN (self));
  g_return_if_fail (LB_IS_CREDENTIAL_SOURCE (source));

  if (self->target == TARGET_SOURCE && self->source == source)
    return;

  stop_credentials (self);
  clear_secret (&self->conninfo);
  self->target = TARGET_SOURCE;
  self->source = g_object_ref (source);
  self->credential_cancellable = g_cancellable_new ();
  /* Fetched now, so a run can start at once and the refresh runs while the
   * target stays this source. */
  fetch_credential (self);
}

const char *
lb_test_run_get_source_conninfo (LbTestRun *self)
{
  g_return_val_if_fail (LB_IS_TEST_RUN (self), NULL);

  return self->source_conninfo;
}

guint
lb_test_run_get_n_credentials (LbTestRun *self)
{
  g_return_val_if_fail (LB_IS_TEST_RUN (self), 0);

  return self->n_credentials;
}

LbTestRunState
lb_test_run_get_state (LbTestRun *self)
{
  g_return_val_if_fail (LB_IS_TEST_RUN (self), LB_TEST_RUN_STATE_IDLE);

  return self->state;
}

gboolean
lb_test_run_get_running (LbTestRun *self)
{
  g_return_val_if_fail (LB_IS_TEST_RUN (self), FALSE);

  return self->state != LB_TEST_RUN_STATE_IDLE && self->state != LB_TEST_RUN_STATE_DONE;
}

guint
lb_test_run_get_clients (LbTestRun *self)
{
  g_return_val_if_fail (LB_IS_TEST_RUN (self), 0);

  return self->clients;
}

double
lb_test_run_get_elapsed (LbTestRun *self)
{
  g_return_val_if_fail (LB_IS_TEST_RUN (self), 0);

  return self->elapsed;
}

double
lb_test_run_get_progress (LbTestRun *self)
{
  g_return_val_if_fail (LB_IS_TEST_RUN (self), 0);

  return self->progress;
}

guint64
lb_test_run_get_transactions (LbTestRun *self)
{
  g_return_val_if_fail (LB_IS_TEST_RUN (self), 0);

  return self->transactions;
}

guint64
lb_test_run_get_failed (LbTestRun *self)
{
  g_return_val_if_fail (LB_IS_TEST_RUN (self), 0);

  return self->failed;
}

const LbRunSettings *
lb_test_run_get_settings (LbTestRun *self)
{
  g_return_val_if_fail (LB_IS_TEST_RUN (self), NULL);

  return self->settings;
}

double
lb_test_run_planned_seconds (const LbRunSettings *settings)
{
  g_return_val_if_fail (settings != NULL, 0);

  switch (settings->mode)
    {
    case LB_RUN_MODE_DURATION:
      return settings->duration;
    case LB_RUN_MODE_LADDER:
      return settings->duration * MAX (1, settings->n_ladder);
    case LB_RUN_MODE_COUNT:
    default:
      return 0;
    }
}

GPtrArray *
lb_test_run_get_live_queries (LbTestRun *self)
{
  g_return_val_if_fail (LB_IS_TEST_RUN (self), NULL);

  return self->engine != NULL ? lb_load_engine_get_live_queries (self->engine) : NULL;
}

LbRunRecord *
lb_test_run_get_record (LbTestRun *self)
{
  g_return_val_if_fail (LB_IS_TEST_RUN (self), NULL);

  return self->record;
}

const GError *
lb_test_run_get_history_error (LbTestRun *self)
{
  g_return_val_if_fail (LB_IS_TEST_RUN (self), NULL);

  return self->history_error;
}
