/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Databricks subcommands: profiles, sizes, deploy, teardown, bundle.
 * Progress goes to stderr, results to stdout; exit 0 on success, 1 when
 * the work failed, 2 on bad input, 128 + signal when interrupted. No
 * secret (token, password, database credential) is ever printed. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n-lib.h>

#include "lb-bundle-writer.h"
#include "lb-cli.h"
#include "lb-core.h"
#include "lb-databricks-client.h"
#include "lb-databricks-config.h"
#include "lb-deployment.h"
#include "lb-table-sizer.h"

/* Shared ------------------------------------------------------------------------ */

static gboolean
write_json (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, TRUE);
  g_autoptr(GError) error = NULL;

  if (!lb_cli_write_stdout (text, &error))
    {
      lb_cli_print_error (_("could not write the output: %s"), error->message);
      return FALSE;
    }

  return TRUE;
}

/* --profile, else the workload's lakebase_accelerator.profile, else the
 * config's default (DATABRICKS_CONFIG_PROFILE, [__settings__], DEFAULT). */
static LbDatabricksProfile *
resolve_profile (const char  *option,
                 LbWorkload  *workload,
                 GError     **error)
{
  g_autoptr(LbDatabricksConfig) config = NULL;
  const char *name = option;

  if ((name == NULL || name[0] == '\0') && workload != NULL)
    name = lb_workload_get_profile (workload);
  if (name != NULL && name[0] == '\0')
    name = NULL;

  config = lb_databricks_config_new_from_environment (NULL, error);
  if (config == NULL)
    return NULL;

  return lb_databricks_config_resolve (config, name, error);
}

static LbDatabricksClient *
make_client (const char  *profile_option,
             LbWorkload  *workload,
             char       **host_out)
{
  g_autoptr(LbDatabricksProfile) profile = NULL;
  g_autoptr(LbDatabricksAuth) auth = NULL;
  g_autoptr(GError) error = NULL;
  LbDatabricksClient *client;

  profile = resolve_profile (profile_option, workload, &error);
  if (profile == NULL)
    {
      lb_cli_print_error ("%s", error->message);
      return NULL;
    }

  if (profile->host == NULL)
    {
      lb_cli_print_error (_("the profile “%s” has no host"), profile->name != NULL ? profile->name : "DEFAULT");
      return NULL;
    }

  auth = lb_databricks_auth_new (profile);
  client = lb_databricks_client_new (auth, &error);
  if (client == NULL)
    {
      lb_cli_print_error ("%s", error->message);
      return NULL;
    }

  if (host_out != NULL)
    *host_out = g_strdup (profile->host);

  return client;
}

/* Ctrl+C and SIGTERM cancel the work; the command still finishes cleanly
 * (statements canceled on the warehouse, the runner's steps closed). */
typedef struct
{
  GCancellable *cancellable;
  int           signal;
} Interrupt;

static gboolean
interrupted_cb (gpointer user_data)
{
  Interrupt *interrupt = user_data;

  if (interrupt->signal == 0)
    g_printerr ("%s\n", _("Interrupted: canceling…"));
  interrupt->signal = SIGINT;
  g_cancellable_cancel (interrupt->cancellable);

  return G_SOURCE_CONTINUE;
}

static gboolean
terminated_cb (gpointer user_data)
{
  Interrupt *interrupt = user_data;

  interrupt->signal = SIGTERM;
  g_cancellable_cancel (interrupt->cancellable);

  return G_SOURCE_CONTINUE;
}

static void
interrupt_init (Interrupt *interrupt,
                guint     *ids)
{
  interrupt->cancellable = g_cancellable_new ();
  interrupt->signal = 0;
  ids[0] = g_unix_signal_add (SIGINT, interrupted_cb, interrupt);
  ids[1] = g_unix_signal_add (SIGTERM, terminated_cb, interrupt);
}

static void
interrupt_clear (Interrupt *interrupt,
                 guint     *ids)
{
  g_clear_handle_id (&ids[0], g_source_remove);
  g_clear_handle_id (&ids[1], g_source_remove);
  g_clear_object (&interrupt->cancellable);
}

typedef struct
{
  gboolean      done;
  GAsyncResult *result;
} Wait;

static void
wait_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

static void
wait_for (Wait *wait)
{
  while (!wait->done)
    g_main_context_iteration (NULL, TRUE);
}

static char *
format_mb (gint64 bytes)
{
  double mb = (double) bytes / (1024.0 * 1024.0);

  /* TRANSLATORS: a size in megabytes */
  return g_strdup_printf (_("%'.2f MB"), mb);
}

/* The hidden --poll-base-ms: tests poll fast; the ceiling is four times it. */
static void
set_poll_base (GObject *object,
               int      poll_base_ms)
{
  if (poll_base_ms > 0)
    g_object_set (object, "poll-base-ms", (guint) poll_base_ms, "poll-max-ms", (guint) poll_base_ms * 4, NULL);
}

/* profiles ------------------------------------------------------------------------ */

/* The file's profiles as written, without the environment's overrides:
 * listing must show what each profile says. */
static GStrv
environment_without_overrides (void)
{
  g_auto(GStrv) environment = g_get_environ ();
  g_autoptr(GStrvBuilder) kept = g_strv_builder_new ();

  for (guint i = 0; environment[i] != NULL; i++)
    {
      if ((g_str_has_prefix (environment[i], "DATABRICKS_") &&
           !g_str_has_prefix (environment[i], "DATABRICKS_CONFIG_FILE=")) ||
          g_str_has_prefix (environment[i], "ARM_"))
        continue;
      g_strv_builder_add (kept, environment[i]);
    }

  return g_strv_builder_end (kept);
}

static void
add_profile_json (JsonBuilder               *builder,
                  const char                *name,
                  const LbDatabricksProfile *profile,
                  gboolean                   is_default,
                  const GError              *error)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  if (name != NULL)
    json_builder_add_string_value (builder, name);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "host");
  if (profile != NULL && profile->host != NULL)
    json_builder_add_string_value (builder, profile->host);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "auth_type");
  json_builder_add_string_value (builder, profile != NULL ? lb_databricks_auth_kind_to_string (profile->auth_kind)
                                                          : "none");
  json_builder_set_member_name (builder, "default");
  json_builder_add_boolean_value (builder, is_default);
  if (profile != NULL && profile->warehouse_id != NULL)
    {
      json_builder_set_member_name (builder, "warehouse_id");
      json_builder_add_string_value (builder, profile->warehouse_id);
    }
  if (error != NULL)
    {
      json_builder_set_member_name (builder, "error");
      json_builder_add_string_value (builder, error->message);
    }
  json_builder_end_object (builder);
}

/* Rows of three columns: name, host, auth (each cell owned by @rows). */
static void
add_row (GPtrArray  *rows,
         char       *name,
         const char *host,
         char       *auth)
{
  g_ptr_array_add (rows, name);
  g_ptr_array_add (rows, g_strdup (host));
  g_ptr_array_add (rows, auth);
}

static void
append_padded (GString    *text,
               const char *cell,
               guint       width)
{
  /* Pad by characters, not bytes: names and hosts may be UTF-8. */
  g_string_append (text, cell);
  for (glong n = g_utf8_strlen (cell, -1); n < (glong) width; n++)
    g_string_append_c (text, ' ');
}

static void
format_rows (GString   *text,
             GPtrArray *rows)
{
  guint width = (guint) g_utf8_strlen (_("PROFILE"), -1);
  guint host_width = (guint) g_utf8_strlen (_("HOST"), -1);

  for (guint i = 0; i + 2 < rows->len; i += 3)
    {
      width = MAX (width, (guint) g_utf8_strlen (g_ptr_array_index (rows, i), -1));
      host_width = MAX (host_width, (guint) g_utf8_strlen (g_ptr_array_index (rows, i + 1), -1));
    }

  append_padded (text, _("PROFILE"), width);
  g_string_append (text, "  ");
  append_padded (text, _("HOST"), host_width);
  g_string_append_printf (text, "  %s\n", _("AUTH"));
  for (guint i = 0; i + 2 < rows->len; i += 3)
    {
      append_padded (text, g_ptr_array_index (rows, i), width);
      g_string_append (text, "  ");
      append_padded (text, g_ptr_array_index (rows, i + 1), host_width);
      g_string_append_printf (text, "  %s\n", (char *) g_ptr_array_index (rows, i + 2));
    }
}

int
lb_cli_profiles (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(LbDatabricksConfig) config = NULL;
  g_autoptr(LbDatabricksProfile) from_environment = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) environment = NULL;
  g_auto(GStrv) names = NULL;
  g_auto(GStrv) rest = NULL;
  GFile *file;
  const char *default_profile;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the profiles as JSON"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("List the Databricks profiles of ~/.databrickscfg (or\n"
                                           "DATABRICKS_CONFIG_FILE): name, workspace host and how\n"
                                           "it signs in. Secrets are never shown."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!lb_cli_parse_options (context, "profiles", &argc, &argv))
    return LB_CLI_EXIT_USAGE;

  if (rest != NULL && rest[0] != NULL)
    {
      lb_cli_print_error (_("profiles takes no arguments"));
      return LB_CLI_EXIT_USAGE;
    }

  environment = environment_without_overrides ();
  config = lb_databricks_config_new_from_environment ((const char * const *) environment, &error);
  if (config == NULL)
    {
      lb_cli_print_error ("%s", error->message);
      return LB_CLI_EXIT_USAGE;
    }

  names = lb_databricks_config_list_profiles (config);
  default_profile = lb_databricks_config_get_default_profile (config);
  file = lb_databricks_config_get_file (config);

  /* DATABRICKS_HOST in the environment is a profile of its own. */
  if (g_getenv ("DATABRICKS_HOST") != NULL)
    {
      g_autoptr(LbDatabricksConfig) full = lb_databricks_config_new_from_environment (NULL, NULL);

      if (full != NULL)
        from_environment = lb_databricks_config_resolve (full, NULL, NULL);
      if (from_environment != NULL && from_environment->name != NULL)
        g_clear_pointer (&from_environment, lb_databricks_profile_free);
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "config_file");
  if (file != NULL)
    {
      g_autofree char *path = g_file_get_path (file);

      json_builder_add_string_value (builder, path);
    }
  else
    {
      json_builder_add_null_value (builder);
    }
  json_builder_set_member_name (builder, "default_profile");
  json_builder_add_string_value (builder, default_profile);
  json_builder_set_member_name (builder, "profiles");
  json_builder_begin_array (builder);

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(LbDatabricksProfile) profile = NULL;
      g_autoptr(GError) profile_error = NULL;
      gboolean is_default = g_strcmp0 (names[i], default_profile) == 0;

      profile = lb_databricks_config_resolve (config, names[i], &profile_error);
      add_profile_json (builder, names[i], profile, is_default, profile_error);
      add_row (rows, is_default ? g_strconcat (names[i], "*", NULL) : g_strdup (names[i]),
               profile != NULL && profile->host != NULL ? profile->host : "—",
               profile != NULL ? g_strdup (lb_databricks_auth_kind_to_string (profile->auth_kind))
                               : g_strdup_printf (_("error: %s"), profile_error->message));
    }

  if (from_environment != NULL)
    {
      add_profile_json (builder, NULL, from_environment, FALSE, NULL);
      add_row (rows, g_strdup (_("(environment)")),
               from_environment->host != NULL ? from_environment->host : "—",
               g_strdup (lb_databricks_auth_kind_to_string (from_environment->auth_kind)));
    }

  format_rows (text, rows);

  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  if (json)
    return write_json (root) ? LB_CLI_EXIT_OK : LB_CLI_EXIT_FAILURE;

  if (names[0] == NULL && from_environment == NULL)
    {
      g_autofree char *path = file != NULL ? g_file_get_parse_name (file) : g_strdup ("~/.databrickscfg");

      /* TRANSLATORS: %s is a file name */
      g_print (_("No profiles in %s. Create one with “databricks configure” or "
                 "“databricks auth login”.\n"), path);
      return LB_CLI_EXIT_OK;
    }

  g_print ("%s", text->str);
  g_print ("%s\n", _("* the default profile"));
  return LB_CLI_EXIT_OK;
}

/* sizes --------------------------------------------------------------------------- */

static void
table_measured_cb (LbTableSizer *sizer,
                   const char   *name,
                   gint64        bytes,
                   const GError *error,
                   gpointer      user_data)
{
  if (error != NULL)
    {
      /* TRANSLATORS: "table: what went wrong" */
      g_printerr (_("  %s: %s\n"), name, error->message);
    }
  else
    {
      g_autofree char *size = format_mb (bytes);

      g_printerr ("  %s: %s\n", name, size);
    }
}

static int
list_warehouses_for_user (LbTableSizer *sizer)
{
  g_autoptr(GPtrArray) warehouses = NULL;
  g_autoptr(GError) error = NULL;
  Wait wait = { 0, };

  lb_table_sizer_list_warehouses_async (sizer, NULL, wait_done_cb, &wait);
  wait_for (&wait);
  warehouses = lb_table_sizer_list_warehouses_finish (sizer, wait.result, &error);
  g_clear_object (&wait.result);

  lb_cli_print_error (_("pick a SQL warehouse with --warehouse ID (or set "
                        "lakebase_accelerator.warehouse_id in the workload)"));
  if (warehouses == NULL)
    {
      lb_cli_print_error (_("the warehouses could not be listed: %s"), error->message);
      return LB_CLI_EXIT_USAGE;
    }

  for (guint i = 0; i < warehouses->len; i++)
    {
      const LbWarehouse *warehouse = g_ptr_array_index (warehouses, i);

      g_printerr ("  %s  %s  (%s%s)\n", warehouse->id, warehouse->name, warehouse->state,
                  warehouse->serverless ? _(", serverless") : "");
    }

  return LB_CLI_EXIT_USAGE;
}

int
lb_cli_sizes (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(LbWorkload) workload = NULL;
  g_autoptr(LbDatabricksClient) client = NULL;
  g_autoptr(LbTableSizer) sizer = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) sizes = NULL;
  g_autoptr(JsonNode) json_sizes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LbDatabricksProfile) profile = NULL;
  g_autofree char *profile_name = NULL;
  g_autofree char *warehouse = NULL;
  g_auto(GStrv) files = NULL;
  GListModel *tables;
  Interrupt interrupt = { 0, };
  guint signal_ids[2] = { 0, };
  Wait wait = { 0, };
  gboolean json = FALSE;
  int parallel = 4;
  int poll_base_ms = 0;
  guint failed = 0;
  int status;
  const GOptionEntry entries[] = {
    { "warehouse", 'w', 0, G_OPTION_ARG_STRING, &warehouse,
      N_("SQL warehouse to run the size queries on"), N_("ID") },
    { "profile", 'p', 0, G_OPTION_ARG_STRING, &profile_name,
      N_("Databricks profile (default: the workload’s, else the config’s default)"), N_("NAME") },
    { "parallel", 0, 0, G_OPTION_ARG_INT, &parallel,
      N_("Tables measured at the same time (default 4)"), N_("N") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print the calculator’s table_sizes object as JSON"), NULL },
    { "poll-base-ms", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &poll_base_ms, NULL, NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, NULL },
    { NULL }
  };

  context = g_option_context_new (_("WORKLOAD.yml"));
  g_option_context_set_summary (context, _("Measure the uncompressed size of each table to sync on a\n"
                                           "SQL warehouse, for the calculator’s storage line."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!lb_cli_parse_options (context, "sizes", &argc, &argv))
    return LB_CLI_EXIT_USAGE;
  if (!lb_cli_need_one_file ((const char * const *) files, "sizes"))
    return LB_CLI_EXIT_USAGE;
  if (parallel < 1 || parallel > 64)
    {
      lb_cli_print_error (_("--parallel must be between 1 and 64"));
      return LB_CLI_EXIT_USAGE;
    }

  workload = lb_cli_load_workload (files[0]);
  if (workload == NULL)
    return LB_CLI_EXIT_USAGE;

  tables = lb_workload_get_tables (workload);
  if (g_list_model_get_n_items (tables) == 0)
    {
      lb_cli_print_error (_("the workload has no tables_to_sync to measure"));
      return LB_CLI_EXIT_USAGE;
    }

  client = make_client (profile_name, workload, NULL);
  if (client == NULL)
    return LB_CLI_EXIT_USAGE;

  /* --warehouse, else the workload's, else the profile's warehouse_id. */
  if (warehouse == NULL || warehouse[0] == '\0')
    {
      g_free (warehouse);
      warehouse = g_strdup (lb_workload_get_warehouse_id (workload));
    }
  if (warehouse == NULL || warehouse[0] == '\0')
    {
      profile = resolve_profile (profile_name, workload, NULL);
      g_free (warehouse);
      warehouse = profile != NULL ? g_strdup (profile->warehouse_id) : NULL;
    }

  sizer = lb_table_sizer_new (client);
  lb_table_sizer_set_max_parallel (sizer, (guint) parallel);
  set_poll_base (G_OBJECT (sizer), poll_base_ms);

  if (warehouse == NULL || warehouse[0] == '\0')
    return list_warehouses_for_user (sizer);

  lb_table_sizer_set_warehouse_id (sizer, warehouse);
  g_signal_connect (sizer, "table-measured", G_CALLBACK (table_measured_cb), NULL);

  names = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < g_list_model_get_n_items (tables); i++)
    {
      g_autoptr(LbSyncedTable) table = g_list_model_get_item (tables, i);

      g_ptr_array_add (names, g_strdup (lb_synced_table_get_name (table)));
    }
  g_ptr_array_add (names, NULL);

  g_printerr (g_dngettext (GETTEXT_PACKAGE, "Measuring %u table on SQL warehouse %s…\n",
                           "Measuring %u tables on SQL warehouse %s…\n", names->len - 1),
              names->len - 1, warehouse);

  interrupt_init (&interrupt, signal_ids);
  lb_table_sizer_measure_async (sizer, (const char * const *) names->pdata, interrupt.cancellable,
                                wait_done_cb, &wait);
  wait_for (&wait);
  sizes = lb_table_sizer_measure_finish (sizer, wait.result, &error);
  g_clear_object (&wait.result);

  if (sizes == NULL)
    {
      status = interrupt.signal != 0 ? LB_CLI_EXIT_SIGNAL + interrupt.signal : LB_CLI_EXIT_FAILURE;
      lb_cli_print_error ("%s", error->message);
      interrupt_clear (&interrupt, signal_ids);
      return status;
    }
  interrupt_clear (&interrupt, signal_ids);

  for (guint i = 0; i < sizes->len; i++)
    {
      if (((LbTableSize *) g_ptr_array_index (sizes, i))->error != NULL)
        failed++;
    }

  json_sizes = lb_table_sizes_to_json (sizes);
  if (json)
    {
      if (!write_json (json_sizes))
        return LB_CLI_EXIT_FAILURE;
    }
  else
    {
      JsonObject *root = json_node_get_object (json_sizes);
      g_autofree char *total = format_mb (json_object_get_int_member (root, "total_uncompressed_bytes"));

      for (guint i = 0; i < sizes->len; i++)
        {
          const LbTableSize *size = g_ptr_array_index (sizes, i);
          g_autofree char *mb = size->error == NULL ? format_mb (size->uncompressed_bytes) : NULL;

          g_print ("%-40s  %s\n", size->table_name, mb != NULL ? mb : _("not measured"));
        }
      g_print ("%-40s  %s\n", _("Total"), total);
      g_print ("\n%s\n", lb_table_sizes_get_note ());
    }

  if (failed > 0)
    {
      lb_cli_print_error (g_dngettext (GETTEXT_PACKAGE, "%u table could not be measured",
                                       "%u tables could not be measured", failed), failed);
      return LB_CLI_EXIT_FAILURE;
    }

  return LB_CLI_EXIT_OK;
}

/* deploy and teardown ---------------------------------------------------------------- */

static void
step_changed_cb (LbDeploymentStep *step,
                 GParamSpec       *pspec,
                 gpointer          user_data)
{
  LbDeploymentStepState state = lb_deployment_step_get_state (step);
  const char *title = lb_deployment_step_get_title (step);

  if (g_str_equal (pspec->name, "state"))
    {
      if (state == LB_DEPLOYMENT_STEP_FAILED && lb_deployment_step_get_error_message (step) != NULL)
        g_printerr ("[%6.1f s] %s: %s — %s\n", lb_deployment_step_get_elapsed (step), title,
                    lb_deployment_step_get_state_label (step), lb_deployment_step_get_error_message (step));
      else
        g_printerr ("[%6.1f s] %s: %s\n", lb_deployment_step_get_elapsed (step), title,
                    lb_deployment_step_get_state_label (step));
    }
  else if (g_str_equal (pspec->name, "status"))
    {
      const char *status = lb_deployment_step_get_status (step);

      if (state == LB_DEPLOYMENT_STEP_RUNNING && status != NULL && status[0] != '\0')
        g_printerr ("[%6.1f s] %s: %s\n", lb_deployment_step_get_elapsed (step), title, status);
    }
  else if (g_str_equal (pspec->name, "warning"))
    {
      const char *warning = lb_deployment_step_get_warning (step);

      if (warning != NULL)
        /* TRANSLATORS: "step title: warning text" */
        g_printerr (_("[%6.1f s] %s: warning: %s\n"), lb_deployment_step_get_elapsed (step), title, warning);
    }
}

static void
watch_step (LbDeploymentStep *step)
{
  g_signal_connect (step, "notify::state", G_CALLBACK (step_changed_cb), NULL);
  g_signal_connect (step, "notify::status", G_CALLBACK (step_changed_cb), NULL);
  g_signal_connect (step, "notify::warning", G_CALLBACK (step_changed_cb), NULL);
}

static void
steps_changed_cb (GListModel *steps,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(LbDeploymentStep) step = g_list_model_get_item (steps, i);

      watch_step (step);
    }
}

static void
watch_steps (GListModel *steps)
{
  steps_changed_cb (steps, 0, 0, g_list_model_get_n_items (steps), NULL);
  g_signal_connect (steps, "items-changed", G_CALLBACK (steps_changed_cb), NULL);
}

static void
print_steps (GListModel *steps)
{
  for (guint i = 0; i < g_list_model_get_n_items (steps); i++)
    {
      g_autoptr(LbDeploymentStep) step = g_list_model_get_item (steps, i);
      const char *warning = lb_deployment_step_get_warning (step);
      const char *error = lb_deployment_step_get_error_message (step);

      /* Made by the project this run created: neither "done" by us nor found. */
      g_print ("%-12s  %s", lb_deployment_step_get_created_with_project (step)
                            ? "with-project" : lb_deployment_step_state_to_string (lb_deployment_step_get_state (step)),
               lb_deployment_step_get_title (step));
      if (error != NULL)
        g_print (" — %s", error);
      else if (warning != NULL)
        g_print (_(" — warning: %s"), warning);
      g_print ("\n");
    }
}

typedef enum
{
  RUN_DEPLOY,
  RUN_TEARDOWN,
} RunKind;

/* A plan from the workload, with the user's price sheet: the same CU the
 * calculator showed. NULL (message printed) on bad input. */
static LbDeploymentPlan *
make_plan (LbWorkload *workload)
{
  g_autoptr(LbPriceSheet) prices = NULL;
  g_autoptr(GError) error = NULL;
  LbDeploymentPlan *plan;

  prices = lb_price_sheet_new_for_user (&error);
  if (prices == NULL)
    {
      lb_cli_print_error ("%s", error->message);
      return NULL;
    }

  plan = lb_deployment_plan_new (workload, prices, &error);
  if (plan == NULL)
    lb_cli_print_error ("%s", error->message);

  return plan;
}

/* The workload of @path and its plan; NULL (message printed) on bad input. */
static LbDeploymentPlan *
load_plan (const char  *path,
           LbWorkload **workload_out)
{
  g_autoptr(LbWorkload) workload = lb_cli_load_workload (path);
  LbDeploymentPlan *plan;

  if (workload == NULL)
    return NULL;

  plan = make_plan (workload);
  if (plan != NULL)
    *workload_out = g_steal_pointer (&workload);

  return plan;
}

static int
run_runner (LbDeploymentRunner *runner,
            RunKind             kind,
            gboolean            json)
{
  g_autoptr(JsonNode) summary = NULL;
  g_autoptr(GError) error = NULL;
  Interrupt interrupt = { 0, };
  guint signal_ids[2] = { 0, };
  Wait wait = { 0, };
  gboolean ok;
  int status;

  interrupt_init (&interrupt, signal_ids);
  if (kind == RUN_DEPLOY)
    {
      watch_steps (lb_deployment_runner_get_steps (runner));
      lb_deployment_runner_run_async (runner, interrupt.cancellable, wait_done_cb, &wait);
      wait_for (&wait);
      ok = lb_deployment_runner_run_finish (runner, wait.result, &error);
    }
  else
    {
      watch_steps (lb_deployment_runner_get_teardown_steps (runner));
      lb_deployment_runner_teardown_async (runner, interrupt.cancellable, wait_done_cb, &wait);
      wait_for (&wait);
      ok = lb_deployment_runner_teardown_finish (runner, wait.result, &error);
    }
  g_clear_object (&wait.result);

  if (ok)
    status = LB_CLI_EXIT_OK;
  else if (interrupt.signal != 0)
    status = LB_CLI_EXIT_SIGNAL + interrupt.signal;
  else
    status = LB_CLI_EXIT_FAILURE;
  interrupt_clear (&interrupt, signal_ids);

  if (error != NULL)
    lb_cli_print_error ("%s", error->message);

  if (json)
    {
      JsonObject *object;

      summary = lb_deployment_runner_to_json (runner);
      object = json_node_get_object (summary);
      json_object_set_string_member (object, "result",
                                     ok ? "succeeded" :
                                     g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? "canceled" : "failed");
      if (error != NULL)
        json_object_set_string_member (object, "error", error->message);
      if (!write_json (summary))
        return LB_CLI_EXIT_FAILURE;
    }
  else
    {
      print_steps (kind == RUN_DEPLOY ? lb_deployment_runner_get_steps (runner)
                                      : lb_deployment_runner_get_teardown_steps (runner));
      if (kind == RUN_DEPLOY)
        {
          g_autofree char *account = lb_deployment_runner_dup_summary (runner);

          if (account != NULL)
            g_print ("%s\n", account);
        }
      if (ok && kind == RUN_DEPLOY && lb_deployment_runner_get_pg_host (runner) != NULL)
        g_print (_("PostgreSQL host: %s (sign in as %s with a database credential)\n"),
                 lb_deployment_runner_get_pg_host (runner),
                 lb_deployment_runner_get_user_name (runner) != NULL ? lb_deployment_runner_get_user_name (runner)
                                                                     : _("your user"));
    }

  return status;
}

/* Signs in, then runs (or tears down) @plan; the exit status. */
static int
run_plan (LbDeploymentPlan *plan,
          LbWorkload       *workload,
          const char       *profile_name,
          int               poll_base_ms,
          RunKind           kind,
          gboolean          purge,
          int               sync_timeout_min,
          gboolean          json)
{
  g_autoptr(LbDatabricksClient) client = NULL;
  g_autoptr(LbDeploymentRunner) runner = NULL;

  client = make_client (profile_name, workload, NULL);
  if (client == NULL)
    return LB_CLI_EXIT_USAGE;

  runner = lb_deployment_runner_new (plan, client);
  set_poll_base (G_OBJECT (runner), poll_base_ms);
  lb_deployment_runner_set_purge (runner, kind == RUN_TEARDOWN && purge);
  if (sync_timeout_min > 0)
    g_object_set (runner, "sync-timeout-s", MIN ((guint) sync_timeout_min, G_MAXUINT / 60) * 60, NULL);

  return run_runner (runner, kind, json);
}

int
lb_cli_deploy (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(LbWorkload) workload = NULL;
  g_autoptr(LbDeploymentPlan) plan = NULL;
  g_autofree char *profile_name = NULL;
  g_auto(GStrv) files = NULL;
  gboolean dry_run = FALSE;
  gboolean json = FALSE;
  int poll_base_ms = 0;
  int sync_timeout_min = 0;
  const GOptionEntry entries[] = {
    { "profile", 'p', 0, G_OPTION_ARG_STRING, &profile_name,
      N_("Databricks profile (default: the workload’s, else the config’s default)"), N_("NAME") },
    { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run,
      N_("Show the plan and exit without contacting the workspace"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print a JSON summary (the plan with --dry-run)"), NULL },
    { "sync-timeout", 0, 0, G_OPTION_ARG_INT, &sync_timeout_min,
      N_("How long each synced table's initial sync may take before the deploy gives up on it (default 240)"),
      N_("MINUTES") },
    { "poll-base-ms", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &poll_base_ms, NULL, NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, NULL },
    { NULL }
  };

  context = g_option_context_new (_("WORKLOAD.yml"));
  g_option_context_set_summary (context, _("Deploy the workload to Lakebase: the instance (or autoscaling\n"
                                           "project), its database catalog and one synced table per\n"
                                           "table. Running it again resumes: what exists is adopted."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!lb_cli_parse_options (context, "deploy", &argc, &argv))
    return LB_CLI_EXIT_USAGE;
  if (!lb_cli_need_one_file ((const char * const *) files, "deploy"))
    return LB_CLI_EXIT_USAGE;

  plan = load_plan (files[0], &workload);
  if (plan == NULL)
    return LB_CLI_EXIT_USAGE;

  if (dry_run)
    {
      if (json)
        {
          g_autoptr(JsonNode) node = lb_deployment_plan_to_json (plan);

          return write_json (node) ? LB_CLI_EXIT_OK : LB_CLI_EXIT_FAILURE;
        }
      else
        {
          g_autofree char *text = lb_deployment_plan_describe (plan);

          g_print ("%s\n", text);
          g_print ("%s\n", _("Dry run: nothing was created."));
          return LB_CLI_EXIT_OK;
        }
    }

  if (sync_timeout_min < 0)
    {
      lb_cli_print_error (_("--sync-timeout must be a number of minutes above 0"));
      return LB_CLI_EXIT_USAGE;
    }

  /* Nothing irreversible while a table cannot sync with its mode. */
  if (!lb_cli_cdf_gate (workload, profile_name))
    return LB_CLI_EXIT_FAILURE;

  return run_plan (plan, workload, profile_name, poll_base_ms, RUN_DEPLOY, FALSE, sync_timeout_min, json);
}

/* Asks on the terminal; FALSE unless the answer starts with y/Y. */
static gboolean
confirm_teardown (LbDeploymentPlan *plan,
                  gboolean          purge)
{
  GListModel *resources = lb_deployment_plan_get_resources (plan);
  char answer[16] = { 0 };

  g_printerr ("%s\n", _("This deletes, in the workspace:"));
  for (guint i = g_list_model_get_n_items (resources); i > 0; i--)
    {
      g_autoptr(LbDeploymentResource) resource = g_list_model_get_item (resources, i - 1);

      if (lb_deployment_resource_get_body (resource) != NULL)
        g_printerr ("  %s\n", lb_deployment_resource_get_title (resource));
    }
  if (lb_deployment_plan_get_flavour (plan) == LB_FLAVOUR_AUTOSCALING)
    g_printerr ("%s\n", purge ? _("--purge: the project and all its data are deleted permanently. This cannot be undone.")
                              : _("The project is deleted softly: it can be restored in the workspace for 7 days "
                                  "(--purge deletes it permanently)."));
  g_printerr ("%s", _("Delete them? [y/N] "));

  if (fgets (answer, sizeof answer, stdin) == NULL)
    return FALSE;

  return answer[0] == 'y' || answer[0] == 'Y';
}

int
lb_cli_teardown (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(LbWorkload) workload = NULL;
  g_autoptr(LbDeploymentPlan) plan = NULL;
  g_autofree char *profile_name = NULL;
  g_auto(GStrv) files = NULL;
  gboolean yes = FALSE;
  gboolean json = FALSE;
  gboolean purge = FALSE;
  int poll_base_ms = 0;
  const GOptionEntry entries[] = {
    { "profile", 'p', 0, G_OPTION_ARG_STRING, &profile_name,
      N_("Databricks profile (default: the workload’s, else the config’s default)"), N_("NAME") },
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes,
      N_("Do not ask for confirmation (needed when not on a terminal)"), NULL },
    { "purge", 0, 0, G_OPTION_ARG_NONE, &purge,
      N_("Delete an autoscaling project permanently (default: a soft delete, restorable for 7 days)"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON summary"), NULL },
    { "poll-base-ms", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &poll_base_ms, NULL, NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, NULL },
    { NULL }
  };

  context = g_option_context_new (_("WORKLOAD.yml"));
  g_option_context_set_summary (context, _("Delete what “deploy” created for the workload: its synced\n"
                                           "tables, the database catalog and the instance or project.\n"
                                           "An autoscaling project is deleted softly (it can be restored\n"
                                           "for 7 days) unless --purge is given."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!lb_cli_parse_options (context, "teardown", &argc, &argv))
    return LB_CLI_EXIT_USAGE;
  if (!lb_cli_need_one_file ((const char * const *) files, "teardown"))
    return LB_CLI_EXIT_USAGE;

  plan = load_plan (files[0], &workload);
  if (plan == NULL)
    return LB_CLI_EXIT_USAGE;

  if (!yes)
    {
      /* A script cannot answer: refuse rather than delete silently. */
      if (!isatty (STDIN_FILENO))
        {
          lb_cli_print_error (_("teardown deletes resources: pass --yes to confirm when not on a terminal"));
          return LB_CLI_EXIT_USAGE;
        }
      if (!confirm_teardown (plan, purge))
        {
          g_printerr ("%s\n", _("Nothing was deleted."));
          return LB_CLI_EXIT_OK;
        }
    }

  return run_plan (plan, workload, profile_name, poll_base_ms, RUN_TEARDOWN, purge, 0, json);
}

/* bundle ------------------------------------------------------------------------------- */

int
lb_cli_bundle (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(LbWorkload) workload = NULL;
  g_autoptr(LbDeploymentPlan) plan = NULL;
  g_autoptr(LbBundleWriter) writer = NULL;
  g_autoptr(LbDatabricksProfile) profile = NULL;
  g_autoptr(GFile) directory = NULL;
  g_autoptr(GFile) workload_file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *profile_name = NULL;
  g_autofree char *output = NULL;
  g_autofree char *target = NULL;
  g_autofree char *source_name = NULL;
  g_autofree char *shown_dir = NULL;
  g_auto(GStrv) files = NULL;
  g_auto(GStrv) written = NULL;
  gboolean force = FALSE;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Folder to write the bundle into (created if needed)"), N_("DIR") },
    { "profile", 'p', 0, G_OPTION_ARG_STRING, &profile_name,
      N_("Databricks profile whose host the target uses"), N_("NAME") },
    { "target", 't', 0, G_OPTION_ARG_STRING, &target,
      N_("Name of the bundle target (default: the profile’s name)"), N_("NAME") },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force,
      N_("Replace bundle files that already exist"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, NULL },
    { NULL }
  };

  context = g_option_context_new (_("WORKLOAD.yml"));
  g_option_context_set_summary (context, _("Write Databricks Asset Bundle files for the workload’s\n"
                                           "deployment, for a manual “databricks bundle deploy”."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!lb_cli_parse_options (context, "bundle", &argc, &argv))
    return LB_CLI_EXIT_USAGE;
  if (!lb_cli_need_one_file ((const char * const *) files, "bundle"))
    return LB_CLI_EXIT_USAGE;
  if (output == NULL || output[0] == '\0')
    {
      lb_cli_print_error (_("bundle needs a folder to write to: -o DIR"));
      return LB_CLI_EXIT_USAGE;
    }

  plan = load_plan (files[0], &workload);
  if (plan == NULL)
    return LB_CLI_EXIT_USAGE;

  writer = lb_bundle_writer_new (plan);
  workload_file = g_file_new_for_commandline_arg (files[0]);
  source_name = g_file_get_basename (workload_file);
  g_object_set (writer, "source-name", source_name, "overwrite", force, NULL);

  /* The host is a convenience: without a usable profile the target names
   * the profile instead and the Databricks CLI resolves it. */
  profile = resolve_profile (profile_name, workload, &error);
  if (profile != NULL)
    lb_bundle_writer_set_host (writer, profile->host);
  else
    g_printerr (_("Warning: %s; the bundle’s target names the profile instead of a host.\n"), error->message);
  if (target != NULL)
    lb_bundle_writer_set_target (writer, target);

  g_clear_error (&error);
  directory = g_file_new_for_commandline_arg (output);
  if (!lb_bundle_writer_write (writer, directory, &error))
    {
      lb_cli_print_error ("%s", error->message);
      return g_error_matches (error, LB_BUNDLE_WRITER_ERROR, LB_BUNDLE_WRITER_ERROR_EXISTS)
             ? LB_CLI_EXIT_USAGE : LB_CLI_EXIT_FAILURE;
    }

  written = lb_bundle_writer_list_files (writer);
  shown_dir = g_file_get_parse_name (directory);
  for (guint i = 0; written[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (shown_dir, written[i], NULL);

      g_print ("%s\n", path);
    }
  g_printerr (_("Deploy with: cd %s && databricks bundle deploy -t %s\n"), shown_dir,
              lb_bundle_writer_get_target (writer));

  return LB_CLI_EXIT_OK;
}

/* For lb-cli-status.c ------------------------------------------------------------------ */

gpointer
lb_cli_databricks_make_client (const char *profile_option,
                               LbWorkload *workload)
{
  return make_client (profile_option, workload, NULL);
}

gpointer
lb_cli_databricks_make_plan (LbWorkload *workload)
{
  return make_plan (workload);
}
