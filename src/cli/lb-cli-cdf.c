/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lakebase-cli cdf: the Change Data Feed check before a deploy (which
 * tables block their sync mode, the ALTER TABLE that fixes each), --fix to
 * run those on the SQL warehouse after confirmation; and the same check as
 * the gate `lakebase-cli deploy` passes first. Exit 1 while a table blocks. */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "lb-cdf-check.h"
#include "lb-cli.h"
#include "lb-core.h"
#include "lb-databricks-config.h"

typedef struct
{
  gboolean      done;
  GAsyncResult *result;
} CdfWait;

static void
cdf_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  CdfWait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

static void
cdf_wait (CdfWait *wait)
{
  while (!wait->done)
    g_main_context_iteration (NULL, TRUE);
  wait->done = FALSE;
}

static GPtrArray *
run_check (LbCdfCheck *check,
           LbWorkload *workload)
{
  g_autoptr(GError) error = NULL;
  CdfWait wait = { 0, };
  GPtrArray *results;

  lb_cdf_check_run_async (check, lb_workload_get_tables (workload), NULL, cdf_done_cb, &wait);
  cdf_wait (&wait);
  results = lb_cdf_check_run_finish (check, wait.result, &error);
  g_clear_object (&wait.result);
  if (results == NULL)
    lb_cli_print_error ("%s", error->message);
  return results;
}

static const char *
state_word (const LbCdfResult *result)
{
  switch (result->state)
    {
    case LB_CDF_STATE_ON: return _("on");
    case LB_CDF_STATE_OFF: return _("off");
    case LB_CDF_STATE_VIEW: return _("view");
    case LB_CDF_STATE_UNKNOWN:
    default: return _("unknown");
    }
}

/* The list, to @out (stdout for the command, stderr for the deploy gate). */
static void
print_results (FILE      *out,
               GPtrArray *results)
{
  int width = 0;
  guint blocking = lb_cdf_results_count_blocking (results);

  for (guint i = 0; i < results->len; i++)
    width = MAX (width, (int) g_utf8_strlen (((LbCdfResult *) g_ptr_array_index (results, i))->table_name, -1));

  for (guint i = 0; i < results->len; i++)
    {
      const LbCdfResult *result = g_ptr_array_index (results, i);
      g_autofree char *reason = lb_cdf_result_dup_reason (result);

      fprintf (out, "%-*s  %-10s  %-7s  %s%s\n", width, result->table_name, lb_sync_mode_to_string (result->policy),
               state_word (result), result->blocking ? _("BLOCKS: ") : "", reason);
    }

  if (blocking > 0)
    {
      fprintf (out, "\n%s\n", _("To fix, turn change data feed on (lakebase-cli cdf --fix runs these):"));
      for (guint i = 0; i < results->len; i++)
        {
          g_autofree char *sql = lb_cdf_result_dup_fix_sql (g_ptr_array_index (results, i));

          if (sql != NULL)
            fprintf (out, "  %s;\n", sql);
        }
      fprintf (out, "%s\n", _("or set scheduling_policy: SNAPSHOT for the table in the workload file (views need it)."));
    }
  fprintf (out, "\n%s\n", lb_cdf_get_sync_mode_note ());
  fflush (out);
}

static LbCdfCheck *
make_check (LbWorkload *workload,
            const char *profile_name,
            const char *warehouse)
{
  g_autoptr(LbDatabricksClient) client = lb_cli_databricks_make_client (profile_name, workload);
  LbCdfCheck *check;

  if (client == NULL)
    return NULL;
  check = lb_cdf_check_new (client);
  if (warehouse == NULL || warehouse[0] == '\0')
    warehouse = lb_workload_get_warehouse_id (workload);
  lb_cdf_check_set_warehouse_id (check, warehouse);
  return check;
}

gboolean
lb_cli_cdf_gate (LbWorkload *workload,
                 const char *profile_name)
{
  g_autoptr(LbCdfCheck) check = NULL;
  g_autoptr(GPtrArray) results = NULL;
  GListModel *tables = lb_workload_get_tables (workload);
  gboolean needed = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (tables) && !needed; i++)
    {
      g_autoptr(LbSyncedTable) table = g_list_model_get_item (tables, i);

      needed = lb_sync_mode_needs_change_data_feed (lb_synced_table_get_scheduling_policy (table));
    }
  if (!needed)
    return TRUE;

  check = make_check (workload, profile_name, NULL);
  if (check == NULL)
    return TRUE;   /* the deploy reports the sign-in problem itself */
  results = run_check (check, workload);
  if (results == NULL || lb_cdf_results_count_blocking (results) == 0)
    return TRUE;

  lb_cli_print_error (g_dngettext (GETTEXT_PACKAGE,
                                   "not deployed: %u table cannot sync with its mode",
                                   "not deployed: %u tables cannot sync with their modes",
                                   lb_cdf_results_count_blocking (results)),
                      lb_cdf_results_count_blocking (results));
  print_results (stderr, results);
  return FALSE;
}

static gboolean
confirm_fix (GPtrArray *results)
{
  char answer[16] = { 0 };

  g_printerr ("%s\n", _("This runs on the SQL warehouse:"));
  for (guint i = 0; i < results->len; i++)
    {
      g_autofree char *sql = lb_cdf_result_dup_fix_sql (g_ptr_array_index (results, i));

      if (sql != NULL)
        g_printerr ("  %s;\n", sql);
    }
  g_printerr ("%s", _("Run them? [y/N] "));
  if (fgets (answer, sizeof answer, stdin) == NULL)
    return FALSE;
  return answer[0] == 'y' || answer[0] == 'Y';
}

static JsonNode *
results_to_json (GPtrArray *results)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "blocking");
  json_builder_add_int_value (builder, lb_cdf_results_count_blocking (results));
  json_builder_set_member_name (builder, "tables");
  json_builder_begin_array (builder);
  for (guint i = 0; i < results->len; i++)
    {
      const LbCdfResult *result = g_ptr_array_index (results, i);
      g_autofree char *sql = lb_cdf_result_dup_fix_sql (result);
      g_autofree char *message = lb_cdf_result_dup_message (result);
      const char *states[] = { "on", "off", "view", "unknown" };

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, result->table_name);
      json_builder_set_member_name (builder, "policy");
      json_builder_add_string_value (builder, lb_sync_mode_to_string (result->policy));
      json_builder_set_member_name (builder, "table_type");
      if (result->table_type != NULL)
        json_builder_add_string_value (builder, result->table_type);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "change_data_feed");
      json_builder_add_string_value (builder, states[result->state]);
      json_builder_set_member_name (builder, "blocking");
      json_builder_add_boolean_value (builder, result->blocking);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, message);
      json_builder_set_member_name (builder, "fix_sql");
      if (sql != NULL)
        json_builder_add_string_value (builder, sql);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

int
lb_cli_cdf (int    argc,
            char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(LbWorkload) workload = NULL;
  g_autoptr(LbCdfCheck) check = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autofree char *profile_name = NULL;
  g_autofree char *warehouse = NULL;
  g_auto(GStrv) files = NULL;
  gboolean json = FALSE;
  gboolean fix = FALSE;
  gboolean yes = FALSE;
  int poll_base_ms = 0;
  const GOptionEntry entries[] = {
    { "warehouse", 'w', 0, G_OPTION_ARG_STRING, &warehouse,
      N_("SQL warehouse to read the table properties on (default: the workload’s; without one, Unity Catalog’s copy)"),
      N_("ID") },
    { "profile", 'p', 0, G_OPTION_ARG_STRING, &profile_name,
      N_("Databricks profile (default: the workload’s, else the config’s default)"), N_("NAME") },
    { "fix", 0, 0, G_OPTION_ARG_NONE, &fix,
      N_("Run the ALTER TABLE statements that turn change data feed on (asks first)"), NULL },
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes, N_("Do not ask before --fix runs"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the result as JSON"), NULL },
    { "poll-base-ms", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &poll_base_ms, NULL, NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, NULL },
    { NULL }
  };

  context = g_option_context_new (_("WORKLOAD.yml"));
  g_option_context_set_summary (context, _("Check that each table to sync can use its sync mode: Triggered and\n"
                                           "Continuous need change data feed on the source, views can only be\n"
                                           "synced as snapshots. Exit status 1 while a table blocks."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!lb_cli_parse_options (context, "cdf", &argc, &argv))
    return LB_CLI_EXIT_USAGE;
  if (!lb_cli_need_one_file ((const char * const *) files, "cdf"))
    return LB_CLI_EXIT_USAGE;

  workload = lb_cli_load_workload (files[0]);
  if (workload == NULL)
    return LB_CLI_EXIT_USAGE;
  check = make_check (workload, profile_name, warehouse);
  if (check == NULL)
    return LB_CLI_EXIT_USAGE;
  if (poll_base_ms > 0)
    g_object_set (check, "poll-base-ms", (guint) poll_base_ms, NULL);

  if (fix && (lb_cdf_check_get_warehouse_id (check) == NULL || lb_cdf_check_get_warehouse_id (check)[0] == '\0'))
    {
      lb_cli_print_error (_("--fix runs ALTER TABLE on a SQL warehouse: give one with --warehouse"));
      return LB_CLI_EXIT_USAGE;
    }

  if (fix && !yes && !isatty (STDIN_FILENO))
    {
      lb_cli_print_error (_("--fix asks before it alters tables: run it in a terminal, or add --yes"));
      return LB_CLI_EXIT_USAGE;
    }

  results = run_check (check, workload);
  if (results == NULL)
    return LB_CLI_EXIT_FAILURE;

  if (fix && lb_cdf_results_count_blocking (results) > 0)
    {
      gboolean any = FALSE;

      for (guint i = 0; i < results->len; i++)
        {
          g_autofree char *sql = lb_cdf_result_dup_fix_sql (g_ptr_array_index (results, i));

          any = any || sql != NULL;
        }
      if (any && (yes || confirm_fix (results)))
        {
          for (guint i = 0; i < results->len; i++)
            {
              const LbCdfResult *result = g_ptr_array_index (results, i);
              g_autofree char *sql = lb_cdf_result_dup_fix_sql (result);
              g_autoptr(GError) error = NULL;
              CdfWait wait = { 0, };

              if (sql == NULL)
                continue;
              lb_cdf_check_enable_async (check, result->table_name, NULL, cdf_done_cb, &wait);
              cdf_wait (&wait);
              if (!lb_cdf_check_enable_finish (check, wait.result, &error))
                lb_cli_print_error (_("%s: %s"), result->table_name, error->message);
              else
                g_printerr (_("Change data feed turned on for %s\n"), result->table_name);
              g_clear_object (&wait.result);
            }
          g_clear_pointer (&results, g_ptr_array_unref);
          results = run_check (check, workload);
          if (results == NULL)
            return LB_CLI_EXIT_FAILURE;
        }
    }

  if (json)
    {
      g_autoptr(JsonNode) node = results_to_json (results);
      g_autofree char *text = json_to_string (node, TRUE);
      g_autoptr(GError) error = NULL;

      if (!lb_cli_write_stdout (text, &error))
        {
          lb_cli_print_error (_("could not write the output: %s"), error->message);
          return LB_CLI_EXIT_FAILURE;
        }
    }
  else
    print_results (stdout, results);

  return lb_cdf_results_count_blocking (results) > 0 ? LB_CLI_EXIT_FAILURE : LB_CLI_EXIT_OK;
}
