/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The lakebase-cli tests' fixture against the fake workspace
 * (lb-test-cli-workspace.h). */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "lb-test-cli-workspace.h"

void
lb_test_cli_workspace_setup (LbTestCliWorkspace *ws,
                             gconstpointer       data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;
  g_autofree char *program = g_path_get_basename (g_get_prgname ());
  g_autofree char *template = g_strdup_printf ("lb-%s-XXXXXX", program);

  ws->fake = lb_fake_workspace_new ();
  lb_fake_workspace_set_polls_until_ready (ws->fake, 1);
  ws->tmp_dir = g_dir_make_tmp (template, &error);
  g_assert_no_error (error);
  ws->sample = g_build_filename (g_getenv ("LB_SAMPLES_DIR"), "workload.yml", NULL);

  config = g_strdup_printf ("[DEFAULT]\n"
                            "host = %s\n"
                            "token = %s\n"
                            "\n"
                            "[robot]\n"
                            "host = https://dbc-robot.cloud.databricks.com\n"
                            "client_id = 3f2c-robot\n"
                            "client_secret = " LB_TEST_CLI_OTHER_SECRET "\n"
                            "warehouse_id = wh-serverless\n",
                            lb_fake_workspace_get_url (ws->fake),
                            lb_fake_workspace_get_token (ws->fake));
  ws->config = lb_test_write_file (ws->tmp_dir, "databrickscfg", config);
}

void
lb_test_cli_workspace_teardown (LbTestCliWorkspace *ws,
                                gconstpointer       data)
{
  g_clear_pointer (&ws->fake, lb_fake_workspace_free);
  lb_test_remove_tree (ws->tmp_dir);
  g_free (ws->tmp_dir);
  g_free (ws->config);
  g_free (ws->sample);
}

void
lb_test_cli_workspace_assert_no_secrets (LbTestCliWorkspace *ws,
                                         const char         *text)
{
  g_auto(GStrv) secrets = lb_fake_workspace_dup_secrets (ws->fake);

  g_assert_cmpuint (g_strv_length (secrets), >=, 1);
  for (guint i = 0; secrets[i] != NULL; i++)
    {
      if (strstr (text, secrets[i]) != NULL)
        g_error ("a secret leaked into the CLI's output:\n%s", text);
    }
  g_assert_null (strstr (text, LB_TEST_CLI_OTHER_SECRET));
}

void
lb_test_cli_workspace_run (LbTestCliWorkspace *ws,
                           LbTestCliResult    *result,
                           const char         *first,
                           ...)
{
  g_autoptr(GPtrArray) argv = NULL;
  g_auto(GStrv) environment = g_get_environ ();
  g_auto(GStrv) envp = NULL;
  g_autoptr(GStrvBuilder) kept = g_strv_builder_new ();
  g_autofree char *xdg_config = g_build_filename (ws->tmp_dir, "xdg-config", NULL);
  g_autofree char *xdg_cache = g_build_filename (ws->tmp_dir, "xdg-cache", NULL);
  va_list args;

  va_start (args, first);
  argv = lb_test_collect_args (first, args);
  va_end (args);

  /* Only the fake's profile: nothing of the real user's. */
  for (guint i = 0; environment[i] != NULL; i++)
    {
      if (!g_str_has_prefix (environment[i], "DATABRICKS_") && !g_str_has_prefix (environment[i], "ARM_"))
        g_strv_builder_add (kept, environment[i]);
    }
  envp = g_strv_builder_end (kept);
  envp = g_environ_setenv (envp, "HOME", ws->tmp_dir, TRUE);
  envp = g_environ_setenv (envp, "DATABRICKS_CONFIG_FILE", ws->config, TRUE);
  envp = g_environ_setenv (envp, "XDG_CONFIG_HOME", xdg_config, TRUE);
  envp = g_environ_setenv (envp, "XDG_CACHE_HOME", xdg_cache, TRUE);
  envp = g_environ_setenv (envp, "LC_ALL", "C.UTF-8", TRUE);

  /* stdin from /dev/null: never a terminal. */
  lb_test_run_cli (result, envp, G_SPAWN_STDIN_FROM_DEV_NULL, (const char * const *) argv->pdata);

  lb_test_cli_workspace_assert_no_secrets (ws, result->out);
  lb_test_cli_workspace_assert_no_secrets (ws, result->err);
}
