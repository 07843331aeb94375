/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `lakebase-cli sandbox`: the built-in PostgreSQL sandbox (LbPgSandbox) that
 * the tester window and `bench --sandbox` use, managed from the command
 * line. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lb-cli.h"
#include "lb-pg-sandbox.h"

/* `lakebase-cli sandbox reset`: the built-in sandbox starts afresh (a new
 * cluster with the sample data), as the tester window's "Reset sandbox". */
int
lb_cli_sandbox (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(LbPgSandbox) sandbox = NULL;
  g_autoptr(GFile) directory = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_auto(GStrv) words = NULL;
  const GOptionEntry entries[] = {
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir,
      N_("The sandbox’s directory (default: the one the app and “bench --sandbox” use)"), N_("DIR") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &words, NULL, NULL },
    { NULL }
  };

  context = g_option_context_new (_("reset"));
  g_option_context_set_summary (context, _("Manage the built-in PostgreSQL sandbox.\n\n"
                                           "  reset   delete its cluster and create it again with the sample data"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!lb_cli_parse_options (context, "sandbox", &argc, &argv))
    return LB_CLI_EXIT_USAGE;

  if (words == NULL || g_strv_length (words) != 1 || !g_str_equal (words[0], "reset"))
    {
      lb_cli_print_error (_("sandbox: say what to do: “lakebase-cli sandbox reset”"));
      return LB_CLI_EXIT_USAGE;
    }

  if (dir != NULL)
    directory = g_file_new_for_commandline_arg (dir);
  sandbox = lb_pg_sandbox_new (directory, TRUE);
  if (!lb_pg_sandbox_reset (sandbox, NULL, &error))
    {
      lb_cli_print_error (_("sandbox: %s"), error->message);
      return LB_CLI_EXIT_FAILURE;
    }

  path = g_file_get_path (lb_pg_sandbox_get_directory (sandbox));
  g_print (_("The sandbox in %s was created again with the sample data.\n"), path);

  return LB_CLI_EXIT_OK;
}
