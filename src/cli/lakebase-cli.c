/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lakebase-cli, the headless front of the app: the table of subcommands, the
 * usage text, and the option parsing and error printing they share. The
 * subcommands are in lb-cli-*.c and work on the core alone, without GTK. */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-cli.h"
#include "lb-core.h"

typedef struct
{
  const char       *name;
  const char       *summary;    /* N_() marked */
  LbCliCommandFunc  run;
} LbCliCommand;

/* Adding a subcommand is one entry here plus its lb-cli-NAME.c. */
static const LbCliCommand commands[] = {
  { "advise", N_("Advise indexes from the plans of a .sql workload’s queries"), lb_cli_advise },
  { "bench", N_("Run a .sql workload from many connections and measure it"), lb_cli_bench },
  { "bundle", N_("Write Databricks Asset Bundle files for a workload’s deployment"), lb_cli_bundle },
  { "cdf", N_("Check the change data feed that Triggered and Continuous sync need"), lb_cli_cdf },
  { "deploy", N_("Deploy a workload to Lakebase (or show the plan with --dry-run)"), lb_cli_deploy },
  { "estimate", N_("Estimate the monthly cost of a workload file"), lb_cli_estimate },
  { "explain", N_("Show the plans of a .sql workload’s queries and what to look at in them"), lb_cli_explain },
  { "login", N_("Sign in to a Databricks workspace in the browser"), lb_cli_login },
  { "logout", N_("Forget a browser sign-in (its tokens in the keyring)"), lb_cli_logout },
  { "profiles", N_("List the Databricks profiles and how they sign in"), lb_cli_profiles },
  { "sandbox", N_("Reset the built-in PostgreSQL sandbox"), lb_cli_sandbox },
  { "sizes", N_("Measure the tables to sync on a SQL warehouse"), lb_cli_sizes },
  { "status", N_("Show the sync status of a deployed workload’s synced tables"), lb_cli_status },
  { "teardown", N_("Delete what deploy created for a workload"), lb_cli_teardown },
};

void
lb_cli_print_error (const char *format,
                    ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("lakebase-cli: %s\n", message);
}

gboolean
lb_cli_parse_options (GOptionContext   *context,
                      const char       *name,
                      int              *argc,
                      char           ***argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *prgname = g_strdup_printf ("lakebase-cli %s", name);

  /* GOptionContext names the program in --help from the prgname. */
  g_set_prgname (prgname);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      lb_cli_print_error ("%s", error->message);
      /* TRANSLATORS: %s is "lakebase-cli estimate" */
      g_printerr (_("Try “%s --help”.\n"), prgname);
      return FALSE;
    }

  return TRUE;
}

static char *
dup_usage (void)
{
  GString *usage = g_string_new (NULL);
  int width = 0;

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    width = MAX (width, (int) strlen (commands[i].name));

  g_string_append (usage, _("Usage:\n  lakebase-cli COMMAND [OPTION…]\n\n"));
  g_string_append (usage, _("Commands:\n"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (usage, "  %-*s  %s\n", width, commands[i].name, _(commands[i].summary));
  g_string_append (usage, "\n");
  g_string_append (usage, _("Options:\n"
                            "  -h, --help     Show this help\n"
                            "  --version      Show the version\n\n"));
  g_string_append (usage, _("Run “lakebase-cli COMMAND --help” for the options of a command.\n"));

  return g_string_free (usage, FALSE);
}

static const LbCliCommand *
find_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_str_equal (commands[i].name, name))
        return &commands[i];
    }

  return NULL;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *usage = NULL;
  const LbCliCommand *command;
  const char *name;

  setlocale (LC_ALL, "");
  lb_core_init ();
  g_set_prgname ("lakebase-cli");

  usage = dup_usage ();

  if (argc < 2)
    {
      g_printerr ("%s", usage);
      return LB_CLI_EXIT_USAGE;
    }

  name = argv[1];

  if (g_str_equal (name, "--help") || g_str_equal (name, "-h") || g_str_equal (name, "help"))
    {
      /* "lakebase-cli help estimate" is "lakebase-cli estimate --help". */
      if (g_str_equal (name, "help") && argc > 2 && (command = find_command (argv[2])) != NULL)
        {
          char *help_argv[] = { (char *) command->name, (char *) "--help", NULL };

          return command->run (2, help_argv);
        }

      g_print ("%s", usage);
      return LB_CLI_EXIT_OK;
    }

  if (g_str_equal (name, "--version"))
    {
      g_print ("lakebase-cli %s\n", PACKAGE_VERSION);
      return LB_CLI_EXIT_OK;
    }

  command = find_command (name);
  if (command == NULL)
    {
      if (name[0] == '-')
        lb_cli_print_error (_("unknown option “%s”"), name);
      else
        lb_cli_print_error (_("unknown command “%s”"), name);
      g_printerr ("\n%s", usage);
      return LB_CLI_EXIT_USAGE;
    }

  return command->run (argc - 1, argv + 1);
}
