/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `lakebase-cli bench --on-databricks`: the same settings as a local
 * bench, run by one LbRemoteRun on Databricks job compute; the estimated
 * cost and the connection check before the submit, a line a second, the
 * local summary plus a row per worker and the real cost at the end. */
#include "config.h"

#include <signal.h>
#include <stdio.h>

#include <glib-unix.h>
#include <glib/gi18n-lib.h>

#include "lb-cli.h"
#include "lb-databricks-client.h"
#include "lb-price-sheet.h"
#include "lb-remote-plan.h"
#include "lb-remote-run.h"
#include "lb-server-report.h"

typedef struct
{
  GCancellable *cancellable;
  LbRemoteRun  *run;
  int           interrupted_by;
  gboolean      quiet;
} RemoteBench;

static gboolean
interrupted_cb (gpointer user_data)
{
  RemoteBench *bench = user_data;

  /* The run says "Cancelling the job…" once runs/cancel goes out; the
   * workers then write what they measured, which is printed as usual. */
  if (bench->interrupted_by == 0)
    bench->interrupted_by = SIGINT;
  lb_remote_run_cancel (bench->run);

  return G_SOURCE_CONTINUE;
}

static gboolean
terminated_cb (gpointer user_data)
{
  RemoteBench *bench = user_data;

  if (bench->interrupted_by == 0)
    bench->interrupted_by = SIGTERM;
  lb_remote_run_cancel (bench->run);

  return G_SOURCE_CONTINUE;
}

static void
sample_cb (LbRemoteRun   *run,
           gconstpointer  sample_pointer,
           gpointer       user_data)
{
  const LbRunSample *sample = sample_pointer;
  g_autoptr(GString) line = g_string_new (NULL);

  /* The C locale's numbers, as the local bench prints them. */
  g_string_append_printf (line, "progress: %.1f s, %.1f tps, lat %.3f ms stddev %.3f, p95 %.3f ms, "
                          "p99 %.3f ms, %" G_GUINT64_FORMAT " failed, %u workers\n",
                          sample->t, sample->tps, sample->latency_mean_ms, sample->latency_stddev_ms,
                          sample->p95_ms, sample->p99_ms, sample->failed, lb_remote_run_get_workers (run));
  fputs (line->str, stderr);
}

static void
message_cb (LbRemoteRun *run,
            GParamSpec  *pspec,
            gpointer     user_data)
{
  const char *message = lb_remote_run_get_message (run);

  if (message != NULL)
    g_printerr ("%s\n", message);
}

static void
worker_changed_cb (LbRemoteRun *run,
                   guint        worker,
                   gpointer     user_data)
{
  g_autoptr(GPtrArray) workers = lb_remote_run_dup_workers (run);
  const LbRemoteWorkerInfo *info;

  if (workers == NULL || worker >= workers->len)
    return;
  info = g_ptr_array_index (workers, worker);
  if (info->error != NULL && g_strcmp0 (info->state, "failed") == 0)
    g_printerr (_("Worker %u failed: %s\n"), worker, info->error);
}

static void
async_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

/* The host of an instance or an endpoint, from the workspace. */
static char *
lookup_host (LbDatabricksClient   *client,
             const LbRemoteTarget *target,
             GError              **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *path = NULL;
  JsonObject *object;
  const char *host = NULL;

  if (target->kind == LB_REMOTE_TARGET_PROVISIONED)
    path = g_strdup_printf ("/api/2.0/database/instances/%s", target->instance_name);
  else
    path = g_strdup_printf ("/api/2.0/postgres/%s", target->endpoint);
  lb_databricks_client_call_async (client, "GET", path, NULL, NULL, LB_CALL_DEFAULT, NULL,
                                   async_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  node = lb_databricks_client_call_finish (client, result, error);
  if (node == NULL)
    return NULL;
  object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  if (object != NULL && target->kind == LB_REMOTE_TARGET_PROVISIONED)
    host = json_object_get_string_member_with_default (object, "read_write_dns", NULL);
  else if (object != NULL && json_object_has_member (object, "status"))
    {
      JsonObject *status = json_object_get_object_member (object, "status");
      JsonObject *hosts = status != NULL && json_object_has_member (status, "hosts")
                            ? json_object_get_object_member (status, "hosts") : NULL;

      host = hosts != NULL ? json_object_get_string_member_with_default (hosts, "host", NULL) : NULL;
    }
  if (host == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           _("The database has no host name yet: it is still starting; "
                             "try again in a minute or give --host"));
      return NULL;
    }
  return g_strdup (host);
}

static void
print_worker_rows (LbRunRecord *record,
                   gboolean     to_stdout)
{
  GPtrArray *rows = lb_run_record_get_remote_rows (record);
  g_autoptr(GString) text = g_string_new (NULL);
  double dbus = 0;
  double cost = lb_run_record_get_remote_cost (record, &dbus);

  g_string_append_printf (text, _("Workers (%u, %s):\n"), rows->len,
                          lb_run_record_get_remote_node_type (record));
  g_string_append (text, "  worker  state      clients  transactions       tps    p50 ms    p95 ms    p99 ms\n");
  for (guint i = 0; i < rows->len; i++)
    {
      const LbRemoteWorkerRow *row = g_ptr_array_index (rows, i);

      g_string_append_printf (text, "  %6u  %-9s  %3u/%-3u  %12" G_GUINT64_FORMAT "  %8.1f  %8.3f  %8.3f  %8.3f\n",
                              row->worker, row->state != NULL ? row->state : "?", row->clients_connected,
                              row->clients_asked, row->transactions, row->tps, row->p50_ms, row->p95_ms,
                              row->p99_ms);
      if (row->error != NULL)
        g_string_append_printf (text, "          %s\n", row->error);
      if (row->error != NULL && row->log_tail != NULL)
        {
          g_auto(GStrv) lines = g_strsplit (row->log_tail, "\n", -1);
          guint n = g_strv_length (lines);

          /* The last lines say why; the file in the record has them all. */
          for (guint l = n > 5 ? n - 5 : 0; l < n; l++)
            if (lines[l][0] != '\0')
              g_string_append_printf (text, "          | %s\n", lines[l]);
        }
    }
  if (cost > 0)
    g_string_append_printf (text, _("Cost (from the tasks’ run times): $%.2f (%.3f DBU)\n"), cost, dbus);

  if (to_stdout)
    g_print ("%s", text->str);
  else
    g_printerr ("%s", text->str);
}

static JsonNode *
worker_rows_to_json (LbRunRecord *record)
{
  /* The record's JSON carries them in "remote"; nothing to add. */
  return lb_run_record_to_json (record);
}

int
lb_cli_bench_remote (gpointer                    script_pointer,
                     const char                 *script_path,
                     gpointer                    settings_pointer,
                     const LbCliRemoteOptions   *options)
{
  LbSqlScript *script = script_pointer;
  LbRunSettings *settings = settings_pointer;
  g_autoptr(LbDatabricksClient) client = NULL;
  g_autoptr(LbRemoteRun) run = NULL;
  g_autoptr(LbRemoteTarget) target = NULL;
  g_autoptr(LbRunHistory) history = NULL;
  g_autoptr(LbPriceSheet) sheet = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LbRunRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *warning = NULL;
  g_autofree char *node_type = NULL;
  LbRemoteCost cost = { 0 };
  RemoteBench bench = { 0 };
  LbRunResult *run_result;
  guint sigint_id, sigterm_id;
  gboolean to_stdout;
  int status = LB_CLI_EXIT_OK;

  if (options->workers < 1)
    {
      lb_cli_print_error (_("--workers must be 1 or more"));
      return LB_CLI_EXIT_USAGE;
    }
  if (options->volume == NULL)
    {
      lb_cli_print_error (_("--on-databricks needs --volume /Volumes/catalog/schema/volume: "
                            "the workers write their samples there"));
      return LB_CLI_EXIT_USAGE;
    }
  if (!lb_remote_plan_check_volume (options->volume, &error))
    {
      lb_cli_print_error ("--volume: %s", error->message);
      return LB_CLI_EXIT_USAGE;
    }
  if ((options->instance != NULL) == (options->endpoint != NULL))
    {
      lb_cli_print_error (_("--on-databricks needs the database: --instance NAME (a provisioned "
                            "instance) or --endpoint projects/P/branches/B/endpoints/E (autoscaling); "
                            "--host overrides its host"));
      return LB_CLI_EXIT_USAGE;
    }
  if (settings->mode == LB_RUN_MODE_LADDER)
    {
      lb_cli_print_error (_("--ladder runs on this computer only: the workers run one client count"));
      return LB_CLI_EXIT_USAGE;
    }

  client = lb_cli_databricks_make_client (options->profile, NULL);
  if (client == NULL)
    return LB_CLI_EXIT_FAILURE;

  target = lb_remote_target_new (options->instance != NULL ? LB_REMOTE_TARGET_PROVISIONED
                                                           : LB_REMOTE_TARGET_AUTOSCALING);
  target->instance_name = g_strdup (options->instance);
  target->endpoint = g_strdup (options->endpoint);
  target->dbname = g_strdup (options->dbname);
  target->sslmode = g_strdup (options->sslmode);
  target->port = options->port > 0 ? (guint) options->port : 0;
  if (options->host != NULL)
    target->host = g_strdup (options->host);
  else
    {
      target->host = lookup_host (client, target, &error);
      if (target->host == NULL)
        {
          g_autofree char *explained = lb_databricks_error_explain (error, options->profile);

          lb_cli_print_error ("%s", explained);
          return LB_CLI_EXIT_FAILURE;
        }
    }

  /* What it costs and whether the database takes it, before anything runs. */
  sheet = lb_price_sheet_new_for_user (NULL);
  if (sheet == NULL)
    sheet = lb_price_sheet_new_default ();
  if (options->node_type != NULL)
    node_type = g_strdup (options->node_type);
  else
    {
      const char *cloud = lb_remote_plan_cloud_for_host (
        lb_databricks_auth_get_host (lb_databricks_client_get_auth (client)));

      node_type = g_strdup (lb_price_sheet_get_jobs_default_node_type (sheet, cloud != NULL ? cloud : "aws"));
    }
  if (!lb_remote_plan_check_connections (sheet, settings->clients, options->workers, &warning))
    g_printerr (_("lakebase-cli bench: warning: %s\n"), warning);
  {
    double seconds = settings->warmup + (settings->mode == LB_RUN_MODE_DURATION ? settings->duration : 60);

    if (lb_remote_plan_estimate_cost (sheet, node_type, options->workers, seconds, &cost, &error))
      {
        g_autofree char *summary = lb_remote_cost_dup_summary (&cost);

        g_printerr ("%s\n", summary);
      }
    else
      {
        lb_cli_print_error ("--node-type: %s", error->message);
        return LB_CLI_EXIT_USAGE;
      }
    lb_remote_cost_clear (&cost);
  }

  run = lb_remote_run_new (client);
  lb_remote_run_set_script (run, script, script_path);
  lb_remote_run_set_workers (run, (guint) options->workers);
  lb_remote_run_set_node_type (run, node_type);
  lb_remote_run_set_volume (run, options->volume);
  lb_remote_run_set_target (run, target);
  lb_remote_run_set_keep_files (run, options->keep_files);
  if (!options->no_save)
    {
      history = lb_run_history_new (NULL);
      lb_remote_run_set_history (run, history);
    }

  bench.run = run;
  sigint_id = g_unix_signal_add (SIGINT, interrupted_cb, &bench);
  sigterm_id = g_unix_signal_add (SIGTERM, terminated_cb, &bench);
  g_signal_connect (run, "sample", G_CALLBACK (sample_cb), &bench);
  g_signal_connect (run, "notify::message", G_CALLBACK (message_cb), &bench);
  g_signal_connect (run, "worker-changed", G_CALLBACK (worker_changed_cb), &bench);

  lb_remote_run_start_async (run, settings, NULL, async_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  record = lb_remote_run_start_finish (run, result, &error);
  g_signal_handlers_disconnect_by_data (run, &bench);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  if (record == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return LB_CLI_EXIT_SIGNAL + (bench.interrupted_by != 0 ? bench.interrupted_by : SIGINT);
      if (error->domain == LB_DATABRICKS_ERROR)
        {
          g_autofree char *explained = lb_databricks_error_explain (error, options->profile);

          lb_cli_print_error ("%s", explained);
        }
      else
        lb_cli_print_error ("%s", error->message);
      if (lb_remote_run_get_record (run) != NULL)
        print_worker_rows (lb_remote_run_get_record (run), FALSE);
      return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT) ? LB_CLI_EXIT_USAGE
                                                                              : LB_CLI_EXIT_FAILURE;
    }

  run_result = lb_run_record_get_result (record);
  if (options->json != NULL)
    {
      g_autoptr(JsonNode) root = worker_rows_to_json (record);
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autofree char *text = NULL;
      g_autofree char *with_newline = NULL;

      json_generator_set_root (generator, root);
      json_generator_set_pretty (generator, TRUE);
      json_generator_set_indent (generator, 2);
      text = json_generator_to_data (generator, NULL);
      with_newline = g_strconcat (text, "\n", NULL);
      if (g_str_equal (options->json, "-"))
        {
          if (!lb_cli_write_stdout (with_newline, &error))
            status = LB_CLI_EXIT_FAILURE;
        }
      else if (!g_file_set_contents (options->json, with_newline, -1, &error))
        {
          lb_cli_print_error ("%s", error->message);
          status = LB_CLI_EXIT_FAILURE;
        }
    }

  to_stdout = g_strcmp0 (options->json, "-") != 0;
  {
    g_autofree char *text = lb_run_record_to_text (record);

    if (to_stdout)
      g_print ("%s%s", text, g_str_has_suffix (text, "\n") ? "" : "\n");
    else
      g_printerr ("%s%s", text, g_str_has_suffix (text, "\n") ? "" : "\n");
  }
  print_worker_rows (record, to_stdout);

  for (guint i = 0; i < lb_run_record_get_remote_rows (record)->len; i++)
    {
      const LbRemoteWorkerRow *row = g_ptr_array_index (lb_run_record_get_remote_rows (record), i);

      if (g_strcmp0 (row->state, "failed") == 0 && status == LB_CLI_EXIT_OK)
        status = LB_CLI_EXIT_FAILURE;
    }
  if (run_result->cancelled)
    {
      g_printerr (_("The run was cancelled: the figures cover the %.1f s measured.\n"), run_result->duration);
      if (status == LB_CLI_EXIT_OK)
        status = LB_CLI_EXIT_SIGNAL + (bench.interrupted_by != 0 ? bench.interrupted_by : SIGINT);
    }
  if (lb_remote_run_get_history_error (run) != NULL)
    lb_cli_print_error (_("the run could not be added to the history: %s"),
                        lb_remote_run_get_history_error (run)->message);
  if (options->keep_files)
    g_printerr (_("The run’s files were kept: %s and %s\n"), lb_remote_run_get_workspace_folder (run),
                lb_remote_run_get_samples_folder (run));

  return status;
}
