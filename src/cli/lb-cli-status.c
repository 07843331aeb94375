/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lakebase-cli status: the sync status of a deployed workload's synced
 * tables (state, last sync, lag, rows, partition sizes, the pipeline's error)
 * as an aligned table or a JSON document; --watch refreshes with backoff
 * until Ctrl+C. Exit 1 when a table failed. No secret is ever printed. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n-lib.h>

#include "lb-cli.h"
#include "lb-core.h"
#include "lb-deployment.h"
#include "lb-sync-status.h"

#define WATCH_MAX_MS 60000

typedef struct
{
  GCancellable *cancellable;
  int           signal;
  gboolean      done;
  GAsyncResult *result;
} StatusRun;

static gboolean
signalled_cb (gpointer user_data)
{
  StatusRun *run = user_data;

  run->signal = SIGINT;
  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_CONTINUE;
}

static gboolean
terminated_cb (gpointer user_data)
{
  StatusRun *run = user_data;

  run->signal = SIGTERM;
  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_CONTINUE;
}

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  StatusRun *run = user_data;

  run->result = g_object_ref (result);
  run->done = TRUE;
}

static void
wait_done (StatusRun *run)
{
  while (!run->done)
    g_main_context_iteration (NULL, TRUE);
  run->done = FALSE;
}

static gboolean
sleep_done_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Sleeps @ms unless interrupted; FALSE when interrupted. */
static gboolean
sleep_ms (StatusRun *run,
          guint      ms)
{
  gboolean slept = FALSE;
  guint id = g_timeout_add (ms, sleep_done_cb, &slept);

  while (!slept && !g_cancellable_is_cancelled (run->cancellable))
    g_main_context_iteration (NULL, TRUE);
  if (!slept)
    g_source_remove (id);
  return slept;
}

static char *
format_bytes (gint64 bytes)
{
  return g_format_size ((guint64) bytes);
}

static void
append_cell (GString    *line,
             const char *text,
             int         width,
             gboolean    last)
{
  g_string_append (line, text);
  if (!last)
    for (int pad = width - (int) g_utf8_strlen (text, -1); pad > -2; pad--)
      g_string_append_c (line, ' ');
}

static char *
format_table (LbSyncStatus *status)
{
  GListModel *tables = lb_sync_status_get_tables (status);
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GString) errors = g_string_new (NULL);
  GString *text = g_string_new (NULL);
  const char *headers[] = { N_("TABLE"), N_("POLICY"), N_("STATE"), N_("LAST SYNC"), N_("LAG"), N_("ROWS"),
                            N_("PARTITIONS") };
  const guint n_columns = G_N_ELEMENTS (headers);
  int widths[G_N_ELEMENTS (headers)] = { 0, };
  guint n = g_list_model_get_n_items (tables);

  for (guint c = 0; c < n_columns; c++)
    g_ptr_array_add (cells, g_strdup (_(headers[c])));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbSyncedTableStatus) item = g_list_model_get_item (tables, i);
      g_autofree char *error = lb_synced_table_status_dup_error_text (item);
      gint64 rows = lb_synced_table_status_get_rows (item);
      gint64 bytes = lb_synced_table_status_get_partition_bytes (item);

      g_ptr_array_add (cells, g_strdup (lb_synced_table_status_get_name (item)));
      g_ptr_array_add (cells, g_strdup (lb_sync_mode_to_string (lb_synced_table_status_get_policy (item))));
      g_ptr_array_add (cells, g_strdup (lb_sync_health_get_label (lb_synced_table_status_get_health (item))));
      g_ptr_array_add (cells, lb_format_time_ago (lb_synced_table_status_get_last_sync (item), now));
      g_ptr_array_add (cells, lb_format_duration_s (lb_synced_table_status_get_lag_seconds (item)));
      g_ptr_array_add (cells, rows >= 0 ? g_strdup_printf ("%'" G_GINT64_FORMAT, rows) : g_strdup ("—"));
      if (bytes < 0)
        g_ptr_array_add (cells, g_strdup ("—"));
      else
        {
          g_autofree char *size = format_bytes (bytes);

          /* TRANSLATORS: partitions and their total size: "3 (1.2 MB)" */
          g_ptr_array_add (cells, g_strdup_printf (_("%u (%s)"), lb_synced_table_status_get_partition_count (item),
                                                   size));
        }
      if (error != NULL)
        g_string_append_printf (errors, "  %s: %s\n", lb_synced_table_status_get_name (item), error);
    }

  for (guint i = 0; i < cells->len; i++)
    widths[i % n_columns] = MAX (widths[i % n_columns], (int) g_utf8_strlen (g_ptr_array_index (cells, i), -1));

  for (guint i = 0; i < cells->len; i++)
    {
      append_cell (text, g_ptr_array_index (cells, i), widths[i % n_columns], i % n_columns == n_columns - 1);
      if (i % n_columns == n_columns - 1)
        g_string_append_c (text, '\n');
    }

  if (errors->len > 0)
    {
      g_string_append_printf (text, "\n%s\n", _("Errors:"));
      g_string_append (text, errors->str);
    }

  return g_string_free (text, FALSE);
}

static gboolean
print_status (LbSyncStatus *status,
              gboolean      json,
              gboolean      watch)
{
  g_autoptr(GError) error = NULL;

  if (json)
    {
      g_autoptr(JsonNode) node = lb_sync_status_to_json (status);
      /* --watch --json: one compact document per line (JSON Lines). */
      g_autofree char *text = json_to_string (node, !watch);

      if (!lb_cli_write_stdout (text, &error))
        {
          lb_cli_print_error (_("could not write the output: %s"), error->message);
          return FALSE;
        }
      return TRUE;
    }
  else
    {
      g_autofree char *table = format_table (status);
      g_autofree char *when = g_date_time_format (lb_sync_status_get_refreshed_at (status), "%H:%M:%S");
      g_autofree char *text = NULL;

      /* TRANSLATORS: the instance or project name, the time of the refresh */
      text = g_strdup_printf (_("Synced tables of %s (read at %s UTC)\n%s"),
                              lb_deployment_plan_get_instance_name (lb_sync_status_get_plan (status)),
                              when, table);
      /* --watch on a terminal redraws in place, as watch(1) does. */
      if (watch && isatty (STDOUT_FILENO))
        g_print ("\033[H\033[2J");
      else if (watch)
        g_print ("\n");
      if (!lb_cli_write_stdout (text, &error))
        {
          lb_cli_print_error (_("could not write the output: %s"), error->message);
          return FALSE;
        }
      return TRUE;
    }
}

int
lb_cli_status (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(LbWorkload) workload = NULL;
  g_autoptr(LbDeploymentPlan) plan = NULL;
  g_autoptr(LbDatabricksClient) client = NULL;
  g_autoptr(LbSyncStatus) status = NULL;
  g_autofree char *profile_name = NULL;
  g_auto(GStrv) files = NULL;
  gboolean json = FALSE;
  gboolean watch = FALSE;
  gboolean no_partitions = FALSE;
  int interval_s = 5;
  int interval_ms = 0;
  int watch_count = 0;
  int pg_port = 0;
  StatusRun run = { 0, };
  guint signal_ids[2];
  guint refreshes = 0;
  guint delay_ms;
  int exit_status = LB_CLI_EXIT_OK;
  const GOptionEntry entries[] = {
    { "profile", 'p', 0, G_OPTION_ARG_STRING, &profile_name,
      N_("Databricks profile (default: the workload’s, else the config’s default)"), N_("NAME") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print a JSON document (with --watch: one line per refresh)"), NULL },
    { "watch", 'w', 0, G_OPTION_ARG_NONE, &watch,
      N_("Refresh until Ctrl+C, more slowly while nothing changes"), NULL },
    { "interval", 0, 0, G_OPTION_ARG_INT, &interval_s,
      N_("Seconds between refreshes with --watch at first (default 5; up to 60 while unchanged)"), N_("S") },
    { "no-partitions", 0, 0, G_OPTION_ARG_NONE, &no_partitions,
      N_("Do not connect to the database to measure the partition sizes"), NULL },
    { "interval-ms", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &interval_ms, NULL, NULL },
    { "watch-count", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &watch_count, NULL, NULL },
    { "pg-port", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &pg_port, NULL, NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, NULL },
    { NULL }
  };

  context = g_option_context_new (_("WORKLOAD.yml"));
  g_option_context_set_summary (context, _("Show each synced table of the deployed workload: its state, the last\n"
                                           "successful sync, the lag, the rows, the PostgreSQL partition sizes\n"
                                           "and the pipeline’s error. Exit status 1 when a table failed."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!lb_cli_parse_options (context, "status", &argc, &argv))
    return LB_CLI_EXIT_USAGE;
  if (!lb_cli_need_one_file ((const char * const *) files, "status"))
    return LB_CLI_EXIT_USAGE;
  if (interval_s < 1 || interval_s > 3600)
    {
      lb_cli_print_error (_("--interval must be between 1 and 3600 seconds"));
      return LB_CLI_EXIT_USAGE;
    }

  workload = lb_cli_load_workload (files[0]);
  if (workload == NULL)
    return LB_CLI_EXIT_USAGE;
  plan = lb_cli_databricks_make_plan (workload);
  if (plan == NULL)
    return LB_CLI_EXIT_USAGE;
  client = lb_cli_databricks_make_client (profile_name, workload);
  if (client == NULL)
    return LB_CLI_EXIT_USAGE;

  status = lb_sync_status_new (plan, client);
  if (pg_port > 0)
    lb_sync_status_set_pg_port (status, (guint) pg_port);

  run.cancellable = g_cancellable_new ();
  signal_ids[0] = g_unix_signal_add (SIGINT, signalled_cb, &run);
  signal_ids[1] = g_unix_signal_add (SIGTERM, terminated_cb, &run);

  delay_ms = interval_ms > 0 ? (guint) interval_ms : (guint) interval_s * 1000;
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gboolean changed = FALSE;

      lb_sync_status_refresh_async (status, run.cancellable, done_cb, &run);
      wait_done (&run);
      if (!lb_sync_status_refresh_finish (status, run.result, &changed, &error))
        {
          g_clear_object (&run.result);
          if (run.signal != 0)
            break;
          lb_cli_print_error ("%s", error->message);
          exit_status = LB_CLI_EXIT_FAILURE;
          if (!watch)
            break;
        }
      else
        {
          g_clear_object (&run.result);

          /* Once per run: it needs a database credential and a connection. */
          if (refreshes == 0 && !no_partitions)
            {
              g_autoptr(GError) partition_error = NULL;

              lb_sync_status_measure_partitions_async (status, run.cancellable, done_cb, &run);
              wait_done (&run);
              if (!lb_sync_status_measure_partitions_finish (status, run.result, &partition_error) &&
                  run.signal == 0)
                lb_cli_print_error (_("partition sizes not measured: %s"), partition_error->message);
              g_clear_object (&run.result);
            }
          if (run.signal != 0)
            break;
          if (!print_status (status, json, watch))
            {
              exit_status = LB_CLI_EXIT_FAILURE;
              break;
            }
          exit_status = lb_sync_status_count_failed (status) > 0 ? LB_CLI_EXIT_FAILURE : LB_CLI_EXIT_OK;
        }

      refreshes++;
      if (!watch || (watch_count > 0 && refreshes >= (guint) watch_count))
        break;

      /* Backoff while nothing changes: the base interval after a change,
       * doubling up to a minute otherwise. */
      if (changed)
        delay_ms = interval_ms > 0 ? (guint) interval_ms : (guint) interval_s * 1000;
      else if (refreshes > 1)
        delay_ms = MIN (delay_ms * 2, MAX ((guint) WATCH_MAX_MS, interval_ms > 0 ? (guint) interval_ms : 0));
      if (!sleep_ms (&run, delay_ms))
        break;
    }

  g_source_remove (signal_ids[0]);
  g_source_remove (signal_ids[1]);
  g_clear_object (&run.cancellable);

  if (run.signal != 0)
    return LB_CLI_EXIT_SIGNAL + run.signal;
  return exit_status;
}
