/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `lakebase-cli bench`: options to LbRunSettings, then one LbTestRun (the
 * sequence the tester window runs too), printed like pgbench. */
#include "config.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n-lib.h>

#include "lb-cli.h"
#include "lb-core.h"
#include "lb-conninfo.h"
#include "lb-load-engine.h"
#include "lb-price-sheet.h"
#include "lb-server-report.h"
#include "lb-test-run.h"

#define DEFAULT_DURATION 10.0

/* Options as GOptionContext fills them; the sentinels mean "not given". */
typedef struct
{
  char     *dsn;
  gboolean  password_prompt;
  gboolean  sandbox;
  int       clients;
  int       threads;
  double    duration;
  char     *transactions;
  double    warmup;
  char     *protocol;
  int       pipeline;
  char     *ladder;
  double    rate;
  double    latency_limit;
  double    progress;
  char     *json;
  char     *csv;
  char     *seed;
  GStrv     defines;
  char     *dialect;
  int       scale;
  int       max_tries;
  gboolean  no_save;
  double    cu;
  char     *workload;
  double    server_interval;
  char     *export_dir;
  GStrv     files;
  /* --on-databricks */
  gboolean  on_databricks;
  LbCliRemoteOptions remote;
} BenchOptions;

/* The state the main loop's callbacks share. */
typedef struct
{
  GCancellable *cancellable;
  int           interrupted_by;   /* signal number, 0 while not interrupted */
  gboolean      rate;
  gboolean      ladder;
  double        progress;
} BenchRun;

static void
bench_options_clear (BenchOptions *options)
{
  g_clear_pointer (&options->dsn, g_free);
  g_clear_pointer (&options->transactions, g_free);
  g_clear_pointer (&options->protocol, g_free);
  g_clear_pointer (&options->ladder, g_free);
  g_clear_pointer (&options->json, g_free);
  g_clear_pointer (&options->csv, g_free);
  g_clear_pointer (&options->seed, g_free);
  g_clear_pointer (&options->defines, g_strfreev);
  g_clear_pointer (&options->dialect, g_free);
  g_clear_pointer (&options->workload, g_free);
  g_clear_pointer (&options->export_dir, g_free);
  g_clear_pointer (&options->files, g_strfreev);
  g_clear_pointer (&options->remote.profile, g_free);
  g_clear_pointer (&options->remote.node_type, g_free);
  g_clear_pointer (&options->remote.volume, g_free);
  g_clear_pointer (&options->remote.instance, g_free);
  g_clear_pointer (&options->remote.endpoint, g_free);
  g_clear_pointer (&options->remote.host, g_free);
  g_clear_pointer (&options->remote.dbname, g_free);
  g_clear_pointer (&options->remote.sslmode, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BenchOptions, bench_options_clear)

/* One line from the terminal without echo, or from standard input when it
 * is not a terminal (a pipe, a test). NULL with @error at end of input. */
static char *
read_password (GError **error)
{
  struct termios saved, quiet;
  gboolean is_tty = isatty (STDIN_FILENO);
  gboolean echo_off = FALSE;
  char buffer[1024];
  char *line;

  if (is_tty)
    {
      g_printerr (_("Password: "));
      if (tcgetattr (STDIN_FILENO, &saved) == 0)
        {
          quiet = saved;
          quiet.c_lflag &= ~(tcflag_t) ECHO;
          echo_off = tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        }
    }

  line = fgets (buffer, sizeof buffer, stdin);

  if (echo_off)
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
  if (is_tty)
    g_printerr ("\n");

  if (line == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("--password-prompt: no password was given on standard input"));
      return NULL;
    }

  buffer[strcspn (buffer, "\r\n")] = '\0';
  line = g_strdup (buffer);
  memset (buffer, 0, sizeof buffer);
  return line;
}

/* Prints a usage error with the hint to --help; returns the usage status. */
static int
usage_error (const char *message)
{
  lb_cli_print_error ("%s", message);
  g_printerr (_("Try “%s --help”.\n"), "lakebase-cli bench");
  return LB_CLI_EXIT_USAGE;
}

static gboolean
parse_uint64 (const char  *option,
              const char  *text,
              guint64      min,
              guint64     *value,
              char       **message)
{
  g_autoptr(GError) error = NULL;

  if (!g_ascii_string_to_unsigned (text, 10, min, G_MAXUINT64, value, &error))
    {
      /* TRANSLATORS: "--seed: “x” is not an unsigned number" */
      *message = g_strdup_printf (_("%s: %s"), option, error->message);
      return FALSE;
    }

  return TRUE;
}

/* Checks the options that do not need the script; returns NULL when they are
 * fine, else what is wrong. */
static char *
check_options (const BenchOptions *options)
{
  if (options->on_databricks && (options->dsn != NULL || options->sandbox || options->password_prompt))
    return g_strdup (_("--on-databricks loads the database it names (--instance, --endpoint, --host): "
                       "--dsn, --sandbox and --password-prompt are for runs on this computer"));
  if (!options->on_databricks && (options->remote.volume != NULL || options->remote.instance != NULL
                                  || options->remote.endpoint != NULL || options->remote.host != NULL
                                  || options->remote.keep_files || options->remote.workers != 1))
    return g_strdup (_("--workers, --volume, --instance, --endpoint, --host and --keep-files "
                       "need --on-databricks"));
  if (options->on_databricks && options->csv != NULL)
    return g_strdup (_("--csv is not written for runs on Databricks compute yet; use --json"));
  if (options->dsn != NULL && options->sandbox)
    return g_strdup (_("--dsn and --sandbox cannot be used together: pick one target"));
  if (options->password_prompt && options->sandbox)
    return g_strdup (_("--password-prompt is for a server of your own: the sandbox needs no password"));
  if (options->clients != G_MININT && options->clients < 1)
    return g_strdup (_("--clients must be 1 or more"));
  if (options->clients != G_MININT && options->ladder != NULL)
    return g_strdup (_("--clients cannot be used with --ladder: "
                       "the ladder sets the clients of each step"));
  if (options->threads < 0)
    return g_strdup (_("--threads must be 0 (one per core) or more"));
  if (options->duration != -1 && !(options->duration > 0 && isfinite (options->duration)))
    return g_strdup (_("--duration must be a number of seconds above 0"));
  if (options->transactions != NULL && options->duration != -1)
    return g_strdup (_("--transactions and --duration cannot be used together"));
  if (options->transactions != NULL && options->ladder != NULL)
    return g_strdup (_("--transactions cannot be used with --ladder: "
                       "each step runs for --duration"));
  if (!(options->warmup >= 0 && isfinite (options->warmup)))
    return g_strdup (_("--warmup must be a number of seconds, 0 or more"));
  if (options->pipeline < 0)
    return g_strdup (_("--pipeline must be 0 (no pipeline) or more"));
  if (!(options->rate >= 0 && isfinite (options->rate)))
    return g_strdup (_("--rate must be a number of transactions per second, 0 or more"));
  if (!(options->latency_limit >= 0 && isfinite (options->latency_limit)))
    return g_strdup (_("--latency-limit must be a number of milliseconds, 0 or more"));
  if (options->latency_limit > 0 && options->rate <= 0)
    return g_strdup (_("--latency-limit needs --rate: it skips the transactions that are "
                       "already that late behind the schedule"));
  if (!(options->progress >= 0 && isfinite (options->progress)))
    return g_strdup (_("--progress must be a number of seconds, 0 or more"));
  if (g_strcmp0 (options->json, "-") == 0 && g_strcmp0 (options->csv, "-") == 0)
    return g_strdup (_("--json and --csv cannot both write to the standard output"));
  if (options->files == NULL || options->files[0] == NULL)
    return g_strdup (_("bench needs a script file"));
  if (options->files[1] != NULL)
    return g_strdup (_("bench runs one script file at a time"));

  return NULL;
}

/* Writes @text to @path, or to stdout for "-". */
static gboolean
write_output (const char *path,
              const char *text)
{
  g_autoptr(GError) error = NULL;

  if (g_str_equal (path, "-"))
    {
      if (!lb_cli_write_stdout (text, &error))
        {
          lb_cli_print_error (_("could not write to the standard output: %s"), error->message);
          return FALSE;
        }
      return TRUE;
    }

  if (!g_file_set_contents (path, text, -1, &error))
    {
      lb_cli_print_error ("%s", error->message);
      return FALSE;
    }

  return TRUE;
}

static gboolean
interrupted_cb (gpointer user_data)
{
  BenchRun *run = user_data;

  /* A second Ctrl+C while the engine winds down changes nothing: the engine
   * stops within a second and what was measured is still worth printing. */
  if (run->interrupted_by == 0)
    {
      run->interrupted_by = SIGINT;
      g_printerr (_("Cancelling…\n"));
    }
  g_cancellable_cancel (run->cancellable);

  return G_SOURCE_CONTINUE;
}

static gboolean
terminated_cb (gpointer user_data)
{
  BenchRun *run = user_data;

  if (run->interrupted_by == 0)
    run->interrupted_by = SIGTERM;
  g_cancellable_cancel (run->cancellable);

  return G_SOURCE_CONTINUE;
}

/* One line per interval on stderr, pgbench -P's fields plus percentiles. */
static void
sample_cb (LbTestRun    *test_run,
           gconstpointer sample_pointer,
           gpointer      user_data)
{
  const LbRunSample *sample = sample_pointer;
  BenchRun *run = user_data;
  g_autoptr(GString) line = g_string_new (NULL);

  if (run->progress <= 0 || sample == NULL)
    return;
  /* Whole intervals only, as pgbench: the last sample covers just the
   * moments in which in-flight transactions finish. */
  if (sample->interval < run->progress / 2)
    return;

  /* Numbers in the C locale's format, like pgbench, so scripts can parse them. */
  g_string_append_printf (line, "progress: %.1f s, %.1f tps, lat %.3f ms stddev %.3f",
                          sample->t, sample->tps, sample->latency_mean_ms, sample->latency_stddev_ms);
  if (run->rate)
    g_string_append_printf (line, ", lag %.3f ms", sample->lag_mean_ms);
  g_string_append_printf (line, ", p95 %.3f ms, p99 %.3f ms, %" G_GUINT64_FORMAT " failed",
                          sample->p95_ms, sample->p99_ms, sample->failed);
  if (run->ladder)
    g_string_append_printf (line, ", %u clients", sample->clients);
  if (sample->warmup)
    g_string_append (line, " (warm-up)");
  g_string_append_c (line, '\n');

  /* fputs, not g_printerr: the line is ASCII and must not be converted. */
  fputs (line->str, stderr);
}

/* The sandbox's first start is slow: say why nothing happens yet. */
static void
state_cb (LbTestRun  *test_run,
          GParamSpec *pspec,
          gpointer    user_data)
{
  if (lb_test_run_get_state (test_run) == LB_TEST_RUN_STATE_STARTING_SANDBOX)
    g_printerr (_("Starting the local sandbox "
                  "(the first start creates it, which takes a while)…\n"));
}

static void
async_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

/* Spins the default main context (signals, samples) until @slot is set. */
static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}

/* --export-pgbench: the same mix as pgbench files, for pgbench itself. */
static int
export_pgbench (LbSqlScript *script,
                const char  *directory)
{
  g_autoptr(GFile) dir = g_file_new_for_commandline_arg (directory);
  g_autoptr(GError) error = NULL;
  g_autofree char *arguments = NULL;

  if (!g_file_make_directory_with_parents (dir, NULL, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      lb_cli_print_error ("%s", error->message);
      return LB_CLI_EXIT_FAILURE;
    }
  g_clear_error (&error);

  arguments = lb_sql_script_export_pgbench (script, dir, &error);
  if (arguments == NULL)
    {
      lb_cli_print_error ("%s", error->message);
      return LB_CLI_EXIT_FAILURE;
    }

  g_print ("%s\n", arguments);
  return LB_CLI_EXIT_OK;
}

/* The record's JSON with the server's summary (deltas, findings, bands)
 * next to its raw snapshots, so scripts need not redo the arithmetic. */
static char *
record_json_with_server (LbRunRecord  *record,
                         LbPriceSheet *prices)
{
  g_autoptr(JsonNode) root = lb_run_record_to_json (record);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_object_set_member (json_node_get_object (root), "server_summary",
                          lb_server_report_to_json (record, prices));

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  text = json_generator_to_data (generator, NULL);
  return g_strconcat (text, "\n", NULL);
}

int
lb_cli_bench (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(LbSqlScript) script = NULL;
  g_autoptr(LbRunSettings) settings = NULL;
  g_autoptr(LbTestRun) test_run = NULL;
  g_autoptr(LbRunHistory) history = NULL;
  g_autoptr(GAsyncResult) async_result = NULL;
  g_autoptr(LbRunRecord) record = NULL;
  LbRunResult *result;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *message = NULL;
  g_autofree char *script_path = NULL;
  g_autofree char *summary = NULL;
  g_autoptr(LbPriceSheet) prices = NULL;
  g_auto(BenchOptions) options = {
    .clients = G_MININT,
    .threads = 0,
    .duration = -1,
    .warmup = 0,
    .pipeline = 0,
    .rate = 0,
    .progress = 0,
    .scale = 1,
    .max_tries = 1,
    .server_interval = -1,
    .remote = { .workers = 1 },
  };
  BenchRun run = { .cancellable = cancellable };
  LbProtocol protocol = LB_PROTOCOL_PREPARED;
  LbSqlParseOptions parse_options = { 0 };
  guint64 transactions = 0;
  guint64 seed = 0;
  guint sigint_id;
  guint sigterm_id;
  gboolean to_stdout;
  int status = LB_CLI_EXIT_OK;
  const GOptionEntry entries[] = {
    { "dsn", 0, 0, G_OPTION_ARG_STRING, &options.dsn,
      N_("Server to test: a libpq URI or key=value string (default: libpq’s PG* environment); "
         "other users can see a password in it in the process list"),
      N_("DSN") },
    { "password-prompt", 'W', 0, G_OPTION_ARG_NONE, &options.password_prompt,
      N_("Ask for the server’s password (read from standard input when it is not a terminal)"), NULL },
    { "sandbox", 0, 0, G_OPTION_ARG_NONE, &options.sandbox,
      N_("Test the local sandbox with the sample data (started, then stopped at the end)"), NULL },
    { "clients", 'c', 0, G_OPTION_ARG_INT, &options.clients,
      N_("Concurrent connections (default: 1)"), N_("N") },
    { "threads", 'j', 0, G_OPTION_ARG_INT, &options.threads,
      N_("Worker threads (default: one per core, never more than the clients)"), N_("N") },
    { "duration", 'T', 0, G_OPTION_ARG_DOUBLE, &options.duration,
      N_("Seconds to measure, per step with --ladder (default: 10)"), N_("S") },
    { "transactions", 't', 0, G_OPTION_ARG_STRING, &options.transactions,
      N_("Run exactly N transactions in all (a web tool file’s default: tuples × EXEC_COUNT)"),
      N_("N") },
    { "warmup", 0, 0, G_OPTION_ARG_DOUBLE, &options.warmup,
      N_("Seconds to run before measuring, left out of the results (default: 0)"), N_("S") },
    { "protocol", 'M', 0, G_OPTION_ARG_STRING, &options.protocol,
      N_("simple, extended or prepared (default: prepared)"), N_("PROTOCOL") },
    { "pipeline", 0, 0, G_OPTION_ARG_INT, &options.pipeline,
      N_("Pipeline mode with up to N statements in flight per connection (default: off)"),
      N_("N") },
    { "ladder", 0, 0, G_OPTION_ARG_STRING, &options.ladder,
      N_("Concurrency ladder: run each client count for --duration seconds"), N_("1,2,4,8") },
    { "rate", 'R', 0, G_OPTION_ARG_DOUBLE, &options.rate,
      N_("Target transactions per second over all clients (default: as fast as possible)"),
      N_("TPS") },
    { "latency-limit", 'L', 0, G_OPTION_ARG_DOUBLE, &options.latency_limit,
      N_("With --rate: skip (and count) the transactions already MS milliseconds late"),
      N_("MS") },
    { "progress", 'P', 0, G_OPTION_ARG_DOUBLE, &options.progress,
      N_("Print a progress line on stderr every S seconds"), N_("S") },
    { "json", 0, 0, G_OPTION_ARG_FILENAME, &options.json,
      N_("Write the results as JSON to FILE (“-”: standard output)"), N_("FILE") },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &options.csv,
      N_("Write the timeline and per-query table as CSV to FILE (“-”: standard output)"),
      N_("FILE") },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &options.seed,
      N_("Seed of the random parameters, to repeat a run (default: a new one)"), N_("N") },
    { "define", 'D', 0, G_OPTION_ARG_STRING_ARRAY, &options.defines,
      N_("Set a pgbench script variable every client starts with (repeatable), as pgbench -D"),
      N_("NAME=VALUE") },
    { "scale", 's', 0, G_OPTION_ARG_INT, &options.scale,
      N_("The value of :scale in a pgbench script (default: 1)"), N_("N") },
    { "max-tries", 0, 0, G_OPTION_ARG_INT, &options.max_tries,
      N_("Run a transaction up to N times when it hits a serialization failure or a deadlock "
         "(default: 1, no retry; 0: unlimited, with --duration)"), N_("N") },
    { "no-save", 0, 0, G_OPTION_ARG_NONE, &options.no_save,
      N_("Do not add the run to the run history"), NULL },
    { "export-pgbench", 0, 0, G_OPTION_ARG_FILENAME, &options.export_dir,
      N_("Run nothing: write pgbench files of the same mix into DIR, print their -f options"),
      N_("DIR") },
    { "dialect", 0, 0, G_OPTION_ARG_STRING, &options.dialect,
      N_("Read the file as a pgbench script, a query mix or the web tool’s format "
         "(default: detected from the text)"), N_("pgbench|mix|webtool") },
    { "cu", 0, 0, G_OPTION_ARG_DOUBLE, &options.cu,
      N_("Compare the run with what this many CU should serve, and price it (default: none)"), N_("CU") },
    { "workload", 0, 0, G_OPTION_ARG_FILENAME, &options.workload,
      N_("Compare with the recommended CU of this workload file (over --cu)"), N_("FILE.yml") },
    { "server-interval", 0, 0, G_OPTION_ARG_DOUBLE, &options.server_interval,
      N_("Seconds between snapshots of the server’s statistics; 0 = none (default: 5)"), N_("SECONDS") },
    { "on-databricks", 0, 0, G_OPTION_ARG_NONE, &options.on_databricks,
      N_("Run the script on Databricks job compute next to the database, split over --workers"),
      NULL },
    { "workers", 0, 0, G_OPTION_ARG_INT, &options.remote.workers,
      N_("With --on-databricks: the job tasks (one single-node cluster each) to split the "
         "clients and the rate over (default: 1)"), N_("N") },
    { "profile", 0, 0, G_OPTION_ARG_STRING, &options.remote.profile,
      N_("With --on-databricks: the ~/.databrickscfg profile (default: DEFAULT)"), N_("NAME") },
    { "node-type", 0, 0, G_OPTION_ARG_STRING, &options.remote.node_type,
      N_("With --on-databricks: the workers’ node type (default: the price sheet’s for the cloud)"),
      N_("TYPE") },
    { "volume", 0, 0, G_OPTION_ARG_STRING, &options.remote.volume,
      N_("With --on-databricks: the Unity Catalog volume the workers write their samples to"),
      N_("/Volumes/C/S/V") },
    { "instance", 0, 0, G_OPTION_ARG_STRING, &options.remote.instance,
      N_("With --on-databricks: the provisioned Lakebase instance to load"), N_("NAME") },
    { "endpoint", 0, 0, G_OPTION_ARG_STRING, &options.remote.endpoint,
      N_("With --on-databricks: the autoscaling endpoint to load"),
      N_("projects/P/branches/B/endpoints/E") },
    { "host", 0, 0, G_OPTION_ARG_STRING, &options.remote.host,
      N_("With --on-databricks: the database host, over the instance’s or endpoint’s"), N_("HOST") },
    { "port", 0, 0, G_OPTION_ARG_INT, &options.remote.port,
      N_("With --on-databricks: the database port (default: 5432)"), N_("PORT") },
    { "dbname", 0, 0, G_OPTION_ARG_STRING, &options.remote.dbname,
      N_("With --on-databricks: the database (default: databricks_postgres)"), N_("NAME") },
    { "sslmode", 0, 0, G_OPTION_ARG_STRING, &options.remote.sslmode,
      N_("With --on-databricks: libpq’s sslmode on the workers (default: require)"), N_("MODE") },
    { "keep-files", 0, 0, G_OPTION_ARG_NONE, &options.remote.keep_files,
      N_("With --on-databricks: keep the run’s workspace folder and samples afterwards"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &options.files, NULL, NULL },
    { NULL }
  };

  context = g_option_context_new (_("SCRIPT.sql"));
  g_option_context_set_summary (context,
                                _("Run a .sql workload from many connections at once and print\n"
                                  "throughput and latency, like pgbench."));
  g_option_context_set_description (context,
                                    _("The run is added to the run history that the app shows,\n"
                                      "unless --no-save is given.\n"
                                      "\n"
                                      "A password written in --dsn is visible to other users of\n"
                                      "this computer (ps, /proc). Give it with PGPASSWORD, a\n"
                                      "~/.pgpass line or --password-prompt instead.\n"
                                      "\n"
                                      "A workload file holds at most 64 MB and 1,000,000 statements;\n"
                                      "with more than 10,000 statements, the per-query results list\n"
                                      "only the statements that ran.\n"
                                      "\n"
                                      "Exit status: 0 when the run completed (even with query\n"
                                      "errors, which the summary counts), 1 when it could not\n"
                                      "start (no connection, a statement that does not prepare)\n"
                                      "or when some client never connected (the server allows\n"
                                      "fewer connections than --clients; the summary is printed),\n"
                                      "2 on bad options or a bad script, or when a client was\n"
                                      "aborted by its script (as pgbench: BEGIN without an end),\n"
                                      "130 when interrupted by\n"
                                      "Ctrl+C (what was measured is still printed and saved).\n"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!lb_cli_parse_options (context, "bench", &argc, &argv))
    return LB_CLI_EXIT_USAGE;

  message = check_options (&options);
  if (message != NULL)
    return usage_error (message);

  if (options.protocol != NULL && !lb_protocol_from_string (options.protocol, &protocol))
    {
      message = g_strdup_printf (_("unknown protocol “%s”: use simple, extended or prepared"),
                                 options.protocol);
      return usage_error (message);
    }

  if (options.dialect != NULL)
    {
      if (!lb_sql_dialect_from_string (options.dialect, &parse_options.dialect))
        {
          message = g_strdup_printf (_("unknown dialect “%s”: use pgbench, mix or webtool"),
                                     options.dialect);
          return usage_error (message);
        }
      parse_options.force_dialect = TRUE;
    }
  if (options.scale < 1)
    return usage_error (_("--scale must be 1 or more"));
  if (options.max_tries < 0)
    return usage_error (_("--max-tries must be 0 (unlimited) or more"));
  if (options.max_tries == 0 && options.transactions != NULL)
    return usage_error (_("an unlimited number of transaction tries (--max-tries 0) can only "
                                    "be used with --duration (or --latency-limit)"));
  for (guint i = 0; options.defines != NULL && options.defines[i] != NULL; i++)
    if (strchr (options.defines[i], '=') == NULL || options.defines[i][0] == '=')
      {
        message = g_strdup_printf (_("-D %s: invalid variable definition (expected NAME=VALUE)"),
                                   options.defines[i]);
        return usage_error (message);
      }

  if ((options.transactions != NULL &&
       !parse_uint64 ("--transactions", options.transactions, 1, &transactions, &message)) ||
      (options.seed != NULL && !parse_uint64 ("--seed", options.seed, 0, &seed, &message)))
    return usage_error (message);

  settings = lb_run_settings_new ();

  if (options.ladder != NULL &&
      !lb_run_settings_set_ladder_from_string (settings, options.ladder, &error))
    {
      message = g_strdup_printf ("--ladder: %s", error->message);
      return usage_error (message);
    }

  if (options.dsn != NULL || !options.sandbox)
    {
      const char *dsn = options.dsn != NULL ? options.dsn : "";

      /* A malformed string is bad input, found before anything starts. */
      if (!lb_conninfo_validate (dsn, &error))
        {
          message = g_strdup_printf (_("--dsn: %s"), error->message);
          return usage_error (message);
        }
      if (lb_conninfo_has_password (dsn))
        g_printerr (_("lakebase-cli bench: warning: the password in --dsn is visible to other users "
                      "in the process list; use PGPASSWORD, ~/.pgpass or --password-prompt instead\n"));
      settings->conninfo = options.dsn != NULL ? g_strdup (dsn) : lb_conninfo_dup_from_environment ();
      settings->target_label = lb_conninfo_dup_target_label (dsn);

      if (options.password_prompt)
        {
          g_autofree char *password = read_password (&error);
          char *with_password;

          if (password == NULL)
            {
              lb_cli_print_error ("%s", error->message);
              return LB_CLI_EXIT_FAILURE;
            }
          /* Into the string libpq gets, never onto a command line; the
           * record strips it again. */
          with_password = lb_conninfo_dup_with_password (settings->conninfo, password, &error);
          memset (password, 0, strlen (password));
          if (with_password == NULL)
            {
              message = g_strdup_printf (_("--dsn: %s"), error->message);
              return usage_error (message);
            }
          g_free (settings->conninfo);
          settings->conninfo = with_password;
        }
    }
  else
    {
      /* The sandbox's real string is known once it runs; this stand-in
       * lets every other setting be checked before the slow start. */
      settings->conninfo = g_strdup ("dbname=sandbox");
      settings->target_label = g_strdup (_("Sandbox"));
    }

  file = g_file_new_for_commandline_arg (options.files[0]);
  script_path = g_file_get_path (file);
  parse_options.defines = (const char * const *) options.defines;
  script = lb_sql_script_new_from_file_full (file, &parse_options, &error);
  if (script == NULL)
    {
      /* The parser's message already starts "FILE:LINE:COLUMN: ". */
      lb_cli_print_error ("%s", error->message);
      return LB_CLI_EXIT_USAGE;
    }

  if (options.export_dir != NULL)
    return export_pgbench (script, options.export_dir);

  settings->clients = options.clients != G_MININT ? (guint) options.clients : 1;
  settings->threads = (guint) options.threads;
  settings->protocol = protocol;
  settings->pipeline_depth = (guint) options.pipeline;
  settings->warmup = options.warmup;
  settings->rate = options.rate;
  settings->latency_limit = options.latency_limit / 1000;
  settings->interval = options.progress > 0 ? options.progress : 1.0;
  settings->seed = seed;
  settings->scale = (guint) options.scale;
  settings->max_tries = (guint) options.max_tries;
  settings->defines = g_strdupv (options.defines);
  settings->duration = options.duration != -1 ? options.duration : DEFAULT_DURATION;

  if (options.ladder != NULL)
    {
      settings->mode = LB_RUN_MODE_LADDER;
    }
  else if (options.transactions != NULL)
    {
      settings->mode = LB_RUN_MODE_COUNT;
      settings->transactions = transactions;
    }
  else if (options.duration == -1 && lb_sql_script_get_default_count (script) > 0)
    {
      /* A web tool file says how often it runs: each tuple EXEC_COUNT times. */
      settings->mode = LB_RUN_MODE_COUNT;
      settings->transactions = lb_sql_script_get_default_count (script);
    }
  else
    {
      settings->mode = LB_RUN_MODE_DURATION;
    }

  if (!lb_run_settings_validate (settings, &error))
    {
      lb_cli_print_error ("%s", error->message);
      return LB_CLI_EXIT_USAGE;
    }

  if (options.on_databricks)
    {
      options.remote.no_save = options.no_save;
      options.remote.json = options.json;
      return lb_cli_bench_remote (script, script_path, settings, &options.remote);
    }

  run.rate = settings->rate > 0;
  run.ladder = settings->mode == LB_RUN_MODE_LADDER;
  run.progress = options.progress;

  sigint_id = g_unix_signal_add (SIGINT, interrupted_cb, &run);
  sigterm_id = g_unix_signal_add (SIGTERM, terminated_cb, &run);

  test_run = lb_test_run_new ();
  lb_test_run_set_script (test_run, script, script_path);
  if (!options.no_save)
    {
      history = lb_run_history_new (NULL);
      lb_test_run_set_history (test_run, history);
    }
  if (options.sandbox)
    lb_test_run_set_target_sandbox (test_run);
  else
    lb_test_run_set_target_conninfo (test_run, settings->conninfo);
  if (options.server_interval >= 0)
    lb_test_run_set_server_interval (test_run, options.server_interval);
  lb_test_run_set_reference_cu (test_run, options.cu);
  if (options.workload != NULL)
    {
      g_autoptr(GFile) workload_file = g_file_new_for_commandline_arg (options.workload);
      g_autoptr(LbWorkload) workload = lb_workload_new_from_file (workload_file, &error);

      if (workload == NULL)
        {
          lb_cli_print_error ("%s", error->message);
          g_source_remove (sigint_id);
          g_source_remove (sigterm_id);
          return LB_CLI_EXIT_USAGE;
        }
      lb_test_run_set_workload (test_run, workload);
    }
  g_signal_connect (test_run, "notify::state", G_CALLBACK (state_cb), &run);
  g_signal_connect (test_run, "sample", G_CALLBACK (sample_cb), &run);

  lb_test_run_start_async (test_run, settings, cancellable, async_done_cb, &async_result);
  record = lb_test_run_start_finish (test_run, wait_for (&async_result), &error);
  g_signal_handlers_disconnect_by_data (test_run, &run);
  if (record == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          status = LB_CLI_EXIT_SIGNAL + (run.interrupted_by != 0 ? run.interrupted_by : SIGINT);
        }
      else
        {
          lb_cli_print_error ("%s", error->message);
          status = g_error_matches (error, LB_LOAD_ENGINE_ERROR, LB_LOAD_ENGINE_ERROR_SETTINGS) ||
                   g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT)
                     ? LB_CLI_EXIT_USAGE : LB_CLI_EXIT_FAILURE;
        }
      goto out;
    }
  result = lb_run_record_get_result (record);
  prices = lb_price_sheet_new_for_user (NULL);
  if (prices == NULL)
    prices = lb_price_sheet_new_default ();

  /* Machine-readable output first, so the summary never gets in its way. */
  if (options.json != NULL)
    {
      g_autofree char *json = record_json_with_server (record, prices);

      if (!write_output (options.json, json))
        status = LB_CLI_EXIT_FAILURE;
    }
  if (options.csv != NULL)
    {
      g_autofree char *csv = lb_run_record_to_csv (record);

      if (!write_output (options.csv, csv))
        status = LB_CLI_EXIT_FAILURE;
    }

  /* With JSON or CSV on stdout, the summary moves to stderr. */
  to_stdout = g_strcmp0 (options.json, "-") != 0 && g_strcmp0 (options.csv, "-") != 0;
  {
    g_autofree char *text = lb_run_record_to_text (record);
    g_autofree char *server = lb_server_report_to_text (record, prices);

    summary = g_strdup_printf ("%s%s%s", text, g_str_has_suffix (text, "\n") ? "" : "\n", server);
  }
  if (to_stdout)
    g_print ("%s%s", summary, g_str_has_suffix (summary, "\n") ? "" : "\n");
  else
    g_printerr ("%s%s", summary, g_str_has_suffix (summary, "\n") ? "" : "\n");

  /* Figures for fewer clients than asked answer another question than the
   * one asked: not a plain success. */
  if (result->clients_never_connected > 0)
    {
      lb_cli_print_error (_("only %u of the %u clients asked could connect; raise the server’s "
                            "max_connections or ask for fewer clients"),
                          result->clients_connected_max, result->clients_asked);
      if (status == LB_CLI_EXIT_OK)
        status = LB_CLI_EXIT_FAILURE;
    }

  if (result->cancelled)
    {
      g_printerr (_("The run was cancelled: the figures cover the %.1f s measured.\n"),
                  result->duration);
      if (status == LB_CLI_EXIT_OK)
        status = LB_CLI_EXIT_SIGNAL + (run.interrupted_by != 0 ? run.interrupted_by : SIGINT);
    }

  /* pgbench's exit status 2: a client stopped by its script, so the
   * figures are incomplete. */
  if (result->aborted_clients > 0)
    {
      lb_cli_print_error (_("%u of the clients aborted (see the errors above); the run was aborted "
                            "and these results are incomplete"), result->aborted_clients);
      if (status == LB_CLI_EXIT_OK)
        status = LB_CLI_EXIT_USAGE;
    }

  /* The run itself succeeded: a history that cannot be written is worth
   * a warning, not a failed exit status. */
  if (lb_test_run_get_history_error (test_run) != NULL)
    lb_cli_print_error (_("the run could not be added to the history: %s"),
                        lb_test_run_get_history_error (test_run)->message);

out:
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  /* Disposing the run's sandbox stops its server when this process started
   * it, and leaves alone one the app was already running. */
  g_clear_object (&test_run);

  return status;
}
