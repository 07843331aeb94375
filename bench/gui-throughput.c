/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench/gui-vs-headless: the load engine's throughput with the tester window
 * showing the live chart, against the same engine run headless, on one
 * sandbox, alternating rounds. Prints the medians, the median of the
 * rounds' ratios (each round pairs two runs a few seconds apart, so a shared
 * machine's drift cancels) and the CPU the rest of the process (the UI
 * thread, GTK's renderer) took while the engine ran.
 *
 *   gui-throughput SCRIPT.sql CLIENTS SECONDS ROUNDS */
#include "config.h"

#include <adwaita.h>
#include <stdlib.h>

#include "bench-cpu.h"
#include "lb-application.h"
#include "lb-load-engine.h"
#include "lb-pg-sandbox.h"
#include "lb-tester-window.h"

typedef struct
{
  gboolean     done;
  LbRunResult *result;
} Wait;

typedef struct
{
  double tps;
  double other_cpu;   /* seconds of the process outside the engine, per second */
  double frames;      /* the window's frames per second */
} Round;

static guint frames_painted;

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  frames_painted++;
}

static Round
round_figures (LbRunResult *result,
               double       cpu_before,
               gint64       start_usec)
{
  double seconds = (g_get_monotonic_time () - start_usec) / (double) G_USEC_PER_SEC;
  double other = bench_process_cpu_seconds () - cpu_before - result->client_cpu_time;
  Round round = { result->tps, MAX (other, 0) / seconds, frames_painted / seconds };

  lb_run_result_unref (result);
  return round;
}

static void
engine_done_cb (GObject      *object,
                GAsyncResult *res,
                gpointer      user_data)
{
  Wait *wait = user_data;
  g_autoptr(GError) error = NULL;

  wait->result = lb_load_engine_run_finish (LB_LOAD_ENGINE (object), res, &error);
  if (wait->result == NULL)
    g_error ("headless run failed: %s", error->message);
  wait->done = TRUE;
}

static void
run_finished_cb (LbTesterWindow *window,
                 LbRunRecord    *record,
                 gpointer        user_data)
{
  Wait *wait = user_data;

  wait->result = lb_run_result_ref (lb_run_record_get_result (record));
  wait->done = TRUE;
}

static void
loaded_cb (GObject      *object,
           GAsyncResult *res,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!lb_tester_window_load_file_finish (LB_TESTER_WINDOW (object), res, &error))
    g_error ("could not load the script: %s", error->message);
  *(gboolean *) user_data = TRUE;
}

static void
spin (gboolean *flag)
{
  while (!*flag)
    g_main_context_iteration (NULL, TRUE);
}

static Round
headless_round (LbSqlScript         *script,
                const LbRunSettings *settings)
{
  g_autoptr(LbLoadEngine) engine = lb_load_engine_new (script, settings);
  Wait wait = { 0, };
  double cpu = bench_process_cpu_seconds ();
  gint64 start = g_get_monotonic_time ();

  frames_painted = 0;
  lb_load_engine_run_async (engine, NULL, engine_done_cb, &wait);
  spin (&wait.done);
  return round_figures (wait.result, cpu, start);
}

static Round
gui_round (LbTesterWindow *window)
{
  Wait wait = { 0, };
  gulong id = g_signal_connect (window, "run-finished", G_CALLBACK (run_finished_cb), &wait);
  double cpu = bench_process_cpu_seconds ();
  gint64 start = g_get_monotonic_time ();

  frames_painted = 0;
  lb_tester_window_start (window);
  spin (&wait.done);
  g_signal_handler_disconnect (window, id);
  return round_figures (wait.result, cpu, start);
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof *values, compare_doubles);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(LbPgSandbox) sandbox = NULL;
  g_autoptr(LbSqlScript) script = NULL;
  g_autoptr(LbRunSettings) settings = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  LbTesterWindow *window;
  gboolean loaded = FALSE;
  Round *headless, *gui;
  double *values;
  guint rounds;

  if (argc != 5)
    {
      g_printerr ("usage: %s SCRIPT.sql CLIENTS SECONDS ROUNDS\n", argv[0]);
      return 2;
    }

  gtk_init ();
  adw_init ();
  lb_ui_init ();

  sandbox = lb_pg_sandbox_new_for_tests (TRUE);
  if (!lb_pg_sandbox_start (sandbox, NULL, &error))
    g_error ("sandbox: %s", error->message);

  file = g_file_new_for_commandline_arg (argv[1]);
  script = lb_sql_script_new_from_file (file, &error);
  if (script == NULL)
    g_error ("%s", error->message);

  settings = lb_run_settings_new ();
  settings->conninfo = g_strdup (lb_pg_sandbox_get_conninfo (sandbox));
  settings->clients = (guint) g_ascii_strtoull (argv[2], NULL, 10);
  settings->threads = MIN (settings->clients, 2);
  settings->duration = g_ascii_strtod (argv[3], NULL);
  settings->protocol = LB_PROTOCOL_PREPARED;
  rounds = (guint) g_ascii_strtoull (argv[4], NULL, 10);

  window = lb_tester_window_new (NULL);
  lb_tester_window_set_sandbox (window, sandbox);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 860);
  gtk_window_present (GTK_WINDOW (window));
  lb_tester_window_load_file_async (window, file, NULL, loaded_cb, &loaded);
  spin (&loaded);
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint",
                    G_CALLBACK (after_paint_cb), NULL);
  lb_tester_window_set_target_sandbox (window);
  lb_tester_window_apply_settings (window, settings);

  headless = g_new0 (Round, rounds);
  gui = g_new0 (Round, rounds);
  values = g_new0 (double, rounds);
  for (guint i = 0; i < rounds; i++)
    {
      /* Alternate, so drift on a shared machine hits both alike. */
      if (i % 2 == 0)
        {
          headless[i] = headless_round (script, settings);
          gui[i] = gui_round (window);
        }
      else
        {
          gui[i] = gui_round (window);
          headless[i] = headless_round (script, settings);
        }
      g_printerr ("round %u/%u: headless %.0f tps, with the chart %.0f tps (%.2fx); "
                  "rest of the process %.1f %% / %.1f %% of a core, %.1f / %.1f frames/s\n",
                  i + 1, rounds, headless[i].tps, gui[i].tps, gui[i].tps / headless[i].tps,
                  headless[i].other_cpu * 100, gui[i].other_cpu * 100,
                  headless[i].frames, gui[i].frames);
    }

  {
    g_autofree char *name = g_path_get_basename (argv[1]);
    double h, g, paired, ui_cpu;

    for (guint i = 0; i < rounds; i++)
      values[i] = headless[i].tps;
    h = median (values, rounds);
    for (guint i = 0; i < rounds; i++)
      values[i] = gui[i].tps;
    g = median (values, rounds);
    for (guint i = 0; i < rounds; i++)
      values[i] = gui[i].tps / headless[i].tps;
    paired = median (values, rounds);
    for (guint i = 0; i < rounds; i++)
      values[i] = gui[i].other_cpu;
    ui_cpu = median (values, rounds);

    g_print ("%-28s %10s %14s %8s %8s %10s\n", "script, clients", "headless", "with the chart",
             "ratio", "paired", "UI CPU");
    g_print ("%-22s %5u %10.0f %14.0f %7.2fx %7.2fx %8.1f %%\n", name, settings->clients,
             h, g, g / h, paired, ui_cpu * 100);
    g_print ("ratio = median with the chart / median headless; paired = median of each round's\n"
             "ratio; UI CPU = the process's CPU outside the engine while the chart ran, in %% of a core.\n");
  }

  gtk_window_destroy (GTK_WINDOW (window));
  g_free (headless);
  g_free (gui);
  g_free (values);
  return 0;
}
