/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `lakebase-cli estimate`: a workload file priced by the core's cost model,
 * the same LbCostReport the calculator shows, printed as text, JSON or CSV
 * with the user's price sheet or the one --prices names. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lb-cli.h"
#include "lb-core.h"

/* JSON and CSV as bytes: UTF-8 whatever the locale. */
static gboolean
write_report (const char *text)
{
  g_autoptr(GError) error = NULL;

  if (!lb_cli_write_stdout (text, &error))
    {
      lb_cli_print_error (_("could not write the report: %s"), error->message);
      return FALSE;
    }

  return TRUE;
}

int
lb_cli_estimate (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(LbWorkload) workload = NULL;
  g_autoptr(LbPriceSheet) prices = NULL;
  g_autoptr(LbCostReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prices_path = NULL;
  g_auto(GStrv) files = NULL;
  g_autofree char *output = NULL;
  gboolean json = FALSE;
  gboolean csv = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print the report as JSON (the web tool’s format plus “autoscaling” and “estimate”, which names the chosen flavour)"), NULL },
    { "csv", 0, 0, G_OPTION_ARG_NONE, &csv,
      N_("Print the line items as CSV"), NULL },
    { "prices", 0, 0, G_OPTION_ARG_FILENAME, &prices_path,
      N_("Price sheet to use instead of the user’s or the built-in one"), N_("FILE") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, NULL },
    { NULL }
  };

  context = g_option_context_new (_("WORKLOAD.yml"));
  g_option_context_set_summary (context, _("Estimate the monthly and yearly cost of a workload:\n"
                                           "the estimate of the flavour it deploys to\n"
                                           "(lakebase_accelerator.flavour), the other flavour\n"
                                           "for comparison, and what to watch out for. The\n"
                                           "JSON's cost_breakdown stays the classic figures."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!lb_cli_parse_options (context, "estimate", &argc, &argv))
    return LB_CLI_EXIT_USAGE;

  if (!lb_cli_need_one_file ((const char * const *) files, "estimate"))
    return LB_CLI_EXIT_USAGE;

  if (json && csv)
    {
      lb_cli_print_error (_("--json and --csv cannot be used together"));
      return LB_CLI_EXIT_USAGE;
    }

  workload = lb_cli_load_workload (files[0]);
  if (workload == NULL)
    return LB_CLI_EXIT_USAGE;

  if (prices_path != NULL)
    {
      g_autoptr(GFile) prices_file = g_file_new_for_commandline_arg (prices_path);

      prices = lb_price_sheet_new_from_file (prices_file, &error);
    }
  else
    {
      prices = lb_price_sheet_new_for_user (&error);
    }

  if (prices == NULL)
    {
      lb_cli_print_error ("%s", error->message);
      return LB_CLI_EXIT_USAGE;
    }

  report = lb_cost_model_estimate (workload, prices);

  if (json)
    output = lb_cost_report_to_json_string (report, TRUE);
  else if (csv)
    output = lb_cost_report_to_csv (report);
  else
    output = lb_cost_report_to_text (report);

  if (json || csv)
    return write_report (output) ? LB_CLI_EXIT_OK : LB_CLI_EXIT_FAILURE;

  /* Text goes through g_print() so that a non-UTF-8 terminal gets it in its
   * own charset. */
  g_print ("%s", output);
  return LB_CLI_EXIT_OK;
}
