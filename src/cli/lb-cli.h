/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the files of lakebase-cli share: the exit statuses, the subcommands'
 * entry points (dispatched from lakebase-cli.c) and the helpers for options,
 * errors, output and workload files. */
#pragma once

#include <glib.h>

#include "lb-workload.h"

G_BEGIN_DECLS

/* Exit statuses of lakebase-cli. */
#define LB_CLI_EXIT_OK      0
#define LB_CLI_EXIT_FAILURE 1   /* the work itself failed (I/O, server, …) */
#define LB_CLI_EXIT_USAGE   2   /* bad arguments or bad input files */
/* Interrupted by a signal: 128 + its number, as shells report it (130 for
 * Ctrl+C); what was measured so far is still printed. */
#define LB_CLI_EXIT_SIGNAL  128

/* A subcommand: @argv[0] is the subcommand's name, the rest its arguments.
 * Returns the exit status. */
typedef int (*LbCliCommandFunc) (int    argc,
                                 char **argv);

/* The subcommands, one LbCliCommandFunc each. */
int   lb_cli_bench        (int          argc,
                           char       **argv);
int   lb_cli_estimate     (int          argc,
                           char       **argv);
/* lb-cli-explain.c */
int   lb_cli_explain      (int          argc,
                           char       **argv);
int   lb_cli_advise       (int          argc,
                           char       **argv);
/* lb-cli-databricks.c */
int   lb_cli_profiles     (int          argc,
                           char       **argv);
int   lb_cli_sizes        (int          argc,
                           char       **argv);
int   lb_cli_deploy       (int          argc,
                           char       **argv);
int   lb_cli_teardown     (int          argc,
                           char       **argv);
int   lb_cli_bundle       (int          argc,
                           char       **argv);
int   lb_cli_sandbox      (int          argc,
                           char       **argv);
/* lb-cli-cdf.c */
int   lb_cli_cdf          (int          argc,
                           char       **argv);
/* Before a deploy: TRUE unless a table blocks its sync mode (then the list
 * and the fixes are printed on stderr). */
gboolean lb_cli_cdf_gate  (LbWorkload  *workload,
                           const char  *profile_name);
/* lb-cli-status.c */
int   lb_cli_status       (int          argc,
                           char       **argv);
/* lb-cli-login.c */
int   lb_cli_login        (int          argc,
                           char       **argv);
int   lb_cli_logout       (int          argc,
                           char       **argv);

/* "lakebase-cli: <message>" on stderr. */
void  lb_cli_print_error  (const char  *format,
                           ...) G_GNUC_PRINTF (1, 2);

/* Parses @argv with @context, named "lakebase-cli NAME" in its help. On a bad
 * option prints the error and a hint and returns FALSE. */
gboolean lb_cli_parse_options (GOptionContext  *context,
                               const char      *name,
                               int             *argc,
                               char          ***argv);

/* For other subcommands (lb-cli-databricks.c): a client for --profile, else
 * the workload's profile, else the config's default; and the workload's
 * deployment plan. NULL (message printed) on error. The types are the
 * core's (lb-databricks-client.h, lb-deployment-plan.h). */
gpointer lb_cli_databricks_make_client (const char  *profile_option,
                                        LbWorkload  *workload);
gpointer lb_cli_databricks_make_plan   (LbWorkload  *workload);

/* lb-cli-bench-remote.c: bench --on-databricks, after lb-cli-bench.c has
 * read the script and the settings. */
typedef struct
{
  int       workers;
  char     *profile;
  char     *node_type;
  char     *volume;
  char     *instance;
  char     *endpoint;
  char     *host;
  int       port;
  char     *dbname;
  char     *sslmode;
  gboolean  keep_files;
  gboolean  no_save;
  const char *json;     /* FILE or "-", or NULL */
} LbCliRemoteOptions;

/* The types are the core's (lb-sql-script.h, lb-run-record.h). */
int   lb_cli_bench_remote (gpointer                    script,
                           const char                 *script_path,
                           gpointer                    settings,
                           const LbCliRemoteOptions   *options);

/* lb-cli-common.c */

/* Writes @text as it is (JSON and CSV are UTF-8 whatever the locale) to
 * stdout, ending it with a newline if it has none, and flushes. */
gboolean lb_cli_write_stdout (const char  *text,
                              GError     **error);

/* TRUE if @files holds exactly one name; else prints an error and a hint
 * naming @command ("deploy") and returns FALSE. */
gboolean lb_cli_need_one_file (const char * const *files,
                               const char         *command);

/* The workload of the file @path names; NULL (message printed) on error. */
LbWorkload *lb_cli_load_workload (const char *path);

G_END_DECLS
