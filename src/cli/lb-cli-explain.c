/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lakebase-cli explain and advise: the plans of a script’s queries with
 * their findings, and index advice from those plans. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>

#include "lb-cli.h"
#include "lb-conninfo.h"
#include "lb-index-advisor.h"
#include "lb-index-applier.h"
#include "lb-pg-sandbox.h"
#include "lb-plan-explainer.h"
#include "lb-plan-findings.h"

typedef struct
{
  char      *dsn;
  gboolean   sandbox;
  gboolean   analyze;
  gboolean   no_analyze;
  gboolean   json;
  gboolean   apply;
  int        samples;
  gint64     seed;
  char     **settings;
  char     **files;
} Options;

static void
options_clear (Options *o)
{
  g_free (o->dsn);
  g_strfreev (o->settings);
  g_strfreev (o->files);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

/* ---- output ---- */

static void
add_values (JsonBuilder        *b,
            const char * const *values,
            guint               n)
{
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    {
      if (values[i] == NULL)
        json_builder_add_null_value (b);
      else
        json_builder_add_string_value (b, values[i]);
    }
  json_builder_end_array (b);
}

static void
add_findings_json (JsonBuilder *b,
                   GPtrArray   *findings)
{
  json_builder_begin_array (b);
  for (guint i = 0; i < findings->len; i++)
    {
      LbPlanFinding *f = g_ptr_array_index (findings, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, lb_finding_kind_to_string (f->kind));
      json_builder_set_member_name (b, "node");
      json_builder_add_string_value (b, lb_plan_node_get_node_type (f->node));
      json_builder_set_member_name (b, "relation");
      if (lb_plan_node_get_relation (f->node) != NULL)
        json_builder_add_string_value (b, lb_plan_node_get_relation (f->node));
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, f->message);
      json_builder_set_member_name (b, "why");
      json_builder_add_string_value (b, f->why);
      json_builder_set_member_name (b, "suggestion");
      if (f->suggestion != NULL)
        json_builder_add_string_value (b, f->suggestion);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
add_plan_json (JsonBuilder   *b,
               LbExplainPlan *plan)
{
  g_autoptr(JsonNode) node = json_from_string (lb_explain_plan_get_json (plan), NULL);

  if (node != NULL)
    json_builder_add_value (b, g_steal_pointer (&node));
  else
    json_builder_add_null_value (b);
}

static void
add_queries_json (JsonBuilder *b,
                  GPtrArray   *all)
{
  json_builder_begin_array (b);
  for (guint q = 0; q < all->len; q++)
    {
      LbQueryPlans *plans = g_ptr_array_index (all, q);
      LbExplainPlan *first = lb_query_plans_get_plan (plans);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, lb_query_plans_get_name (plans));
      json_builder_set_member_name (b, "line");
      json_builder_add_int_value (b, lb_query_plans_get_line (plans));
      json_builder_set_member_name (b, "sql");
      json_builder_add_string_value (b, lb_query_plans_get_sql (plans));
      json_builder_set_member_name (b, "writes");
      json_builder_add_boolean_value (b, lb_query_plans_get_writes (plans));
      json_builder_set_member_name (b, "analyzed");
      json_builder_add_boolean_value (b, lb_query_plans_get_analyzed (plans));
      if (lb_query_plans_get_skipped (plans) != NULL)
        {
          json_builder_set_member_name (b, "skipped");
          json_builder_add_string_value (b, lb_query_plans_get_skipped (plans));
        }
      json_builder_set_member_name (b, "distinct_plans");
      json_builder_add_int_value (b, lb_query_plans_get_n_distinct_plans (plans));
      json_builder_set_member_name (b, "plans_differ");
      json_builder_add_boolean_value (b, lb_query_plans_get_n_distinct_plans (plans) > 1);
      json_builder_set_member_name (b, "samples");
      json_builder_begin_array (b);
      for (guint s = 0; s < lb_query_plans_get_n_samples (plans); s++)
        {
          LbExplainPlan *plan = lb_query_plans_get_sample_plan (plans, s);
          guint n = 0;
          const char * const *values = lb_query_plans_get_sample_values (plans, s, &n);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "parameters");
          add_values (b, values, n);
          json_builder_set_member_name (b, "shape");
          json_builder_add_int_value (b, lb_query_plans_get_sample_shape (plans, s));
          if (plan != NULL)
            {
              json_builder_set_member_name (b, "planning_ms");
              json_builder_add_double_value (b, lb_explain_plan_get_planning_time (plan));
              json_builder_set_member_name (b, "execution_ms");
              json_builder_add_double_value (b, lb_explain_plan_get_execution_time (plan));
              json_builder_set_member_name (b, "total_cost");
              json_builder_add_double_value (b, lb_explain_plan_get_total_cost (plan));
              json_builder_set_member_name (b, "plan");
              add_plan_json (b, plan);
            }
          else
            {
              json_builder_set_member_name (b, "error");
              json_builder_add_string_value (b, lb_query_plans_get_sample_error (plans, s));
            }
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "findings");
      if (first != NULL)
        {
          g_autoptr(GPtrArray) findings = lb_plan_findings_collect (first);

          add_findings_json (b, findings);
        }
      else
        {
          json_builder_begin_array (b);
          json_builder_end_array (b);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
print_indented (GString    *out,
                const char *text,
                const char *indent)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      g_string_append_printf (out, "%s%s\n", indent, lines[i]);
}

static char *
format_values (const char * const *values,
               guint               n)
{
  GString *out = g_string_new (NULL);

  if (n == 0)
    return g_string_free (out, FALSE);
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append (out, ", ");
      if (values[i] == NULL)
        g_string_append_printf (out, "$%u = NULL", i + 1);
      else
        g_string_append_printf (out, "$%u = '%s'", i + 1, values[i]);
    }
  return g_string_free (out, FALSE);
}

static void
print_query_text (GString      *out,
                  LbQueryPlans *plans)
{
  g_autofree char *one_line = g_strdup (lb_query_plans_get_sql (plans));
  guint n_samples = lb_query_plans_get_n_samples (plans);
  guint n_shapes = lb_query_plans_get_n_distinct_plans (plans);
  LbExplainPlan *first = lb_query_plans_get_plan (plans);

  g_strdelimit (one_line, "\n\t", ' ');
  g_string_append_printf (out, "== %s (line %u): %s\n", lb_query_plans_get_name (plans),
                          lb_query_plans_get_line (plans), g_strstrip (one_line));
  if (lb_query_plans_get_skipped (plans) != NULL)
    {
      g_string_append_printf (out, _("   skipped: %s\n\n"), lb_query_plans_get_skipped (plans));
      return;
    }
  {
    g_autofree char *counts = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u sample", "%u samples",
                                                            n_samples), n_samples);
    g_autofree char *shapes = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u plan", "%u plans",
                                                            n_shapes), n_shapes);

    if (lb_query_plans_get_analyzed (plans))
      g_string_append_printf (out, _("   EXPLAIN ANALYZE, rolled back; %s, %s\n"), counts, shapes);
    else if (lb_query_plans_get_writes (plans))
      g_string_append_printf (out, _("   EXPLAIN without ANALYZE: the statement writes (--analyze "
                                     "runs it and rolls it back); %s, %s\n"), counts, shapes);
    else
      g_string_append_printf (out, _("   EXPLAIN without ANALYZE; %s, %s\n"), counts, shapes);
  }
  if (n_shapes > 1)
    g_string_append (out, _("   The plan changes with the parameters:\n"));

  /* Each distinct plan once, with the samples that got it. */
  for (guint shape = 0; shape < MAX (n_shapes, 1); shape++)
    {
      gboolean printed = FALSE;

      for (guint s = 0; s < n_samples; s++)
        {
          guint n = 0;
          const char * const *values = lb_query_plans_get_sample_values (plans, s, &n);
          g_autofree char *text = format_values (values, n);
          LbExplainPlan *plan = lb_query_plans_get_sample_plan (plans, s);

          if (plan == NULL)
            {
              if (shape == 0)
                g_string_append_printf (out, _("   sample %u (%s): error: %s\n"), s + 1, text,
                                        lb_query_plans_get_sample_error (plans, s));
              continue;
            }
          if (lb_query_plans_get_sample_shape (plans, s) != shape)
            continue;
          g_string_append_printf (out, _("   sample %u%s%s%s\n"), s + 1, *text ? " (" : "", text,
                                  *text ? ")" : "");
          if (!printed)
            {
              g_autofree char *plan_text = lb_explain_plan_to_text (plan);

              print_indented (out, plan_text, "     ");
              printed = TRUE;
            }
        }
    }

  if (first != NULL)
    {
      g_autoptr(GPtrArray) findings = lb_plan_findings_collect (first);

      if (findings->len == 0)
        g_string_append (out, _("   No findings.\n"));
      for (guint i = 0; i < findings->len; i++)
        {
          LbPlanFinding *f = g_ptr_array_index (findings, i);

          g_string_append_printf (out, "   [%s] %s\n", lb_finding_kind_to_string (f->kind), f->message);
          g_string_append_printf (out, "     %s\n", f->why);
          if (f->suggestion != NULL)
            g_string_append_printf (out, "     → %s\n", f->suggestion);
        }
    }
  g_string_append_c (out, '\n');
}

/* ---- shared set-up ---- */

static gboolean
parse_settings (Options          *o,
                LbPlanExplainer  *explainer,
                char            **message)
{
  for (guint i = 0; o->settings != NULL && o->settings[i] != NULL; i++)
    {
      const char *eq = strchr (o->settings[i], '=');
      g_autofree char *name = NULL;

      if (eq == NULL || eq == o->settings[i])
        {
          *message = g_strdup_printf (_("--set %s: expected NAME=VALUE (work_mem=64MB)"), o->settings[i]);
          return FALSE;
        }
      name = g_strndup (o->settings[i], eq - o->settings[i]);
      lb_plan_explainer_add_setting (explainer, g_strstrip (name), eq + 1);
    }
  return TRUE;
}

/* The script, the target and the plans: what both commands need. */
static int
explain_script (Options       *o,
                const char    *command,
                LbPgSandbox  **sandbox,
                char         **conninfo,
                LbSqlScript  **script_out,
                GPtrArray    **plans_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(LbSqlScript) script = NULL;
  g_autoptr(LbPlanExplainer) explainer = NULL;
  g_autofree char *message = NULL;
  GPtrArray *plans;

  if (!lb_cli_need_one_file ((const char * const *) o->files, command))
    return LB_CLI_EXIT_USAGE;
  if (o->dsn != NULL && o->sandbox)
    {
      lb_cli_print_error (_("--dsn and --sandbox cannot be used together: pick one target"));
      return LB_CLI_EXIT_USAGE;
    }
  if (o->analyze && o->no_analyze)
    {
      lb_cli_print_error (_("--analyze and --no-analyze cannot be used together"));
      return LB_CLI_EXIT_USAGE;
    }
  if (o->samples < 1 || o->samples > 100)
    {
      lb_cli_print_error (_("--samples: expected a number from 1 to 100"));
      return LB_CLI_EXIT_USAGE;
    }

  file = g_file_new_for_commandline_arg (o->files[0]);
  script = lb_sql_script_new_from_file (file, &error);
  if (script == NULL)
    {
      lb_cli_print_error ("%s", error->message);
      return LB_CLI_EXIT_USAGE;
    }

  if (o->sandbox)
    {
      *sandbox = lb_pg_sandbox_new (NULL, TRUE);
      g_printerr (_("Starting the local sandbox (the first start creates it, which takes a while)…\n"));
      if (!lb_pg_sandbox_start (*sandbox, NULL, &error))
        {
          lb_cli_print_error ("%s", error->message);
          return LB_CLI_EXIT_FAILURE;
        }
      *conninfo = g_strdup (lb_pg_sandbox_get_conninfo (*sandbox));
    }
  else if (o->dsn != NULL)
    {
      if (!lb_conninfo_validate (o->dsn, &error))
        {
          lb_cli_print_error (_("--dsn: %s"), error->message);
          return LB_CLI_EXIT_USAGE;
        }
      *conninfo = g_strdup (o->dsn);
    }
  else
    *conninfo = lb_conninfo_dup_from_environment ();

  explainer = lb_plan_explainer_new (*conninfo, script);
  lb_plan_explainer_set_samples (explainer, (guint) o->samples);
  lb_plan_explainer_set_seed (explainer, (guint64) o->seed);
  lb_plan_explainer_set_analyze (explainer, o->analyze ? LB_EXPLAIN_ANALYZE_ALWAYS
                                          : o->no_analyze ? LB_EXPLAIN_ANALYZE_NEVER
                                          : LB_EXPLAIN_ANALYZE_AUTO);
  if (!parse_settings (o, explainer, &message))
    {
      lb_cli_print_error ("%s", message);
      return LB_CLI_EXIT_USAGE;
    }
  plans = lb_plan_explainer_explain (explainer, NULL, &error);
  if (plans == NULL)
    {
      g_autofree char *safe = lb_conninfo_strip_password (error->message);

      lb_cli_print_error ("%s", safe != NULL ? safe : error->message);
      return LB_CLI_EXIT_FAILURE;
    }
  *script_out = g_steal_pointer (&script);
  *plans_out = plans;
  return LB_CLI_EXIT_OK;
}

static void
stop_sandbox (LbPgSandbox *sandbox)
{
  g_autoptr(GError) error = NULL;

  if (sandbox != NULL && !lb_pg_sandbox_stop (sandbox, &error))
    lb_cli_print_error ("%s", error->message);
}

static gboolean
write_json (JsonBuilder *b)
{
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  if (!lb_cli_write_stdout (text, &error))
    {
      lb_cli_print_error ("%s", error->message);
      return FALSE;
    }
  return TRUE;
}

static GOptionContext *
make_context (Options    *o,
              gboolean    advise)
{
  GOptionEntry common[] = {
    { "dsn", 0, 0, G_OPTION_ARG_STRING, &o->dsn,
      N_("The server, as a libpq connection string (default: the PG* environment)"), N_("CONNINFO") },
    { "sandbox", 0, 0, G_OPTION_ARG_NONE, &o->sandbox,
      N_("Use the local sandbox with the sample data"), NULL },
    { "analyze", 0, 0, G_OPTION_ARG_NONE, &o->analyze,
      N_("EXPLAIN ANALYZE statements that write too: they really run, inside a transaction "
         "that is rolled back"), NULL },
    { "no-analyze", 0, 0, G_OPTION_ARG_NONE, &o->no_analyze,
      N_("Plans only: run nothing, not even reads"), NULL },
    { "samples", 0, 0, G_OPTION_ARG_INT, &o->samples,
      N_("Parameter draws per query (explain: 3, advise: 1); plans that differ are shown"), N_("N") },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &o->seed,
      N_("Random seed of the parameter draws, as bench --seed"), N_("N") },
    { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->settings,
      N_("A setting for the EXPLAIN’s transaction (SET LOCAL), repeatable"), N_("NAME=VALUE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o->json,
      N_("Print JSON instead of text"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->files, NULL, NULL },
    { NULL }
  };
  GOptionEntry advise_entries[] = {
    { "apply", 0, 0, G_OPTION_ARG_NONE, &o->apply,
      N_("Create the advised indexes (CONCURRENTLY, with progress on stderr; Ctrl+C cancels and "
         "drops a half-built one), ANALYZE their tables, show the plans after and the statements "
         "that undo it"),
      NULL },
    { NULL }
  };
  GOptionContext *context = g_option_context_new (_("SCRIPT.sql"));

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, common, GETTEXT_PACKAGE);
  if (advise)
    {
      g_option_context_add_main_entries (context, advise_entries, GETTEXT_PACKAGE);
      g_option_context_set_summary (context,
                                    _("Advises indexes from the plans of a script’s queries: the "
                                      "columns of their filters, joins and sort keys, without those "
                                      "an existing index covers, with a predicted plan when the "
                                      "server has hypopg."));
    }
  else
    g_option_context_set_summary (context,
                                  _("EXPLAINs each query of a script with parameters drawn as a run "
                                    "draws them, in a transaction that is always rolled back, and "
                                    "says what is worth a look in each plan. Statements that write "
                                    "are planned without ANALYZE unless --analyze is given."));
  return context;
}

int
lb_cli_explain (int    argc,
                char **argv)
{
  g_auto(Options) o = { .samples = LB_PLAN_EXPLAINER_DEFAULT_SAMPLES };
  g_autoptr(GOptionContext) context = make_context (&o, FALSE);
  g_autoptr(LbPgSandbox) sandbox = NULL;
  g_autoptr(LbSqlScript) script = NULL;
  g_autoptr(GPtrArray) plans = NULL;
  g_autofree char *conninfo = NULL;
  int status;

  if (!lb_cli_parse_options (context, "explain", &argc, &argv))
    return LB_CLI_EXIT_USAGE;
  status = explain_script (&o, "explain", &sandbox, &conninfo, &script, &plans);
  if (status != LB_CLI_EXIT_OK)
    {
      stop_sandbox (sandbox);
      return status;
    }

  if (o.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "script");
      json_builder_add_string_value (b, lb_sql_script_get_display_name (script));
      json_builder_set_member_name (b, "queries");
      add_queries_json (b, plans);
      json_builder_end_object (b);
      if (!write_json (b))
        status = LB_CLI_EXIT_FAILURE;
    }
  else
    {
      g_autoptr(GString) out = g_string_new (NULL);
      g_autoptr(GError) error = NULL;

      for (guint i = 0; i < plans->len; i++)
        print_query_text (out, g_ptr_array_index (plans, i));
      if (!lb_cli_write_stdout (out->str, &error))
        status = LB_CLI_EXIT_FAILURE;
    }
  stop_sandbox (sandbox);
  return status;
}

/* ---- advise ---- */

/* advise --apply: LbIndexApplier on a main loop, its progress on stderr,
 * Ctrl+C (or SIGTERM) cancelling it. */
typedef struct
{
  GMainLoop      *loop;
  GCancellable   *cancellable;
  GAsyncResult   *result;
  int             signal;
  guint           last_current;
  char           *last_phase;
  int             last_percent;
} ApplyRun;

static gboolean
apply_interrupted_cb (gpointer user_data)
{
  ApplyRun *run = user_data;

  if (run->signal == 0)
    {
      run->signal = SIGINT;
      g_printerr (_("Cancelling: the server stops the build and the incomplete index is dropped…\n"));
    }
  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_CONTINUE;
}

static gboolean
apply_terminated_cb (gpointer user_data)
{
  ApplyRun *run = user_data;

  run->signal = SIGTERM;
  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_CONTINUE;
}

/* A line per step or phase, and one per tenth of the way within a long one. */
static void
apply_progress_cb (LbIndexApplier *applier,
                   ApplyRun       *run)
{
  guint current = lb_index_applier_get_current (applier);
  const char *phase = lb_index_applier_get_phase (applier);
  int percent = (int) (lb_index_applier_get_fraction (applier) * 100);

  if (current == run->last_current && g_strcmp0 (phase, run->last_phase) == 0
      && percent / 10 == run->last_percent / 10)
    return;
  run->last_current = current;
  g_free (run->last_phase);
  run->last_phase = g_strdup (phase);
  run->last_percent = percent;
  if (current > 0)
    g_printerr ("[%u/%u] %s: %s (%d %%)\n", current, lb_index_applier_get_n_indexes (applier),
                lb_index_applier_get_current_name (applier), phase, percent);
  else
    g_printerr ("%s (%d %%)\n", phase, percent);
}

static void
apply_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  ApplyRun *run = user_data;

  run->result = g_object_ref (result);
  g_main_loop_quit (run->loop);
}

/* Whether @qualified ("schema.name", quoted where SQL needs it) is the
 * index @name. */
static gboolean
is_index_named (const char *qualified,
                const char *name)
{
  const char *dot = strrchr (qualified, '.');
  g_autofree char *last = g_strdup (dot != NULL ? dot + 1 : qualified);

  if (last[0] == '"')
    {
      gsize len = strlen (last);

      if (len >= 2 && last[len - 1] == '"')
        last[len - 1] = '\0';
      memmove (last, last + 1, strlen (last));
    }
  return strcmp (last, name) == 0;
}

/* Creates @advice, printing what it does on stderr and what it did into
 * @log; *@signal is set when it was interrupted. */
static gboolean
apply_advice (const char      *conninfo,
              GPtrArray       *advice,
              LbIndexApplier **applier_out,
              GString         *log,
              int             *signum,
              GError         **error)
{
  g_autoptr(LbIndexApplier) applier = lb_index_applier_new (conninfo);
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (context, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSource) sigint = g_unix_signal_source_new (SIGINT);
  g_autoptr(GSource) sigterm = g_unix_signal_source_new (SIGTERM);
  ApplyRun run = { .loop = loop, .cancellable = cancellable, .last_percent = -10 };
  const char * const *created;
  const char * const *notes;
  gboolean ok;

  for (guint i = 0; i < advice->len; i++)
    lb_index_applier_add_advice (applier, g_ptr_array_index (advice, i));
  g_signal_connect (applier, "progress", G_CALLBACK (apply_progress_cb), &run);
  g_source_set_callback (sigint, apply_interrupted_cb, &run, NULL);
  g_source_attach (sigint, context);
  g_source_set_callback (sigterm, apply_terminated_cb, &run, NULL);
  g_source_attach (sigterm, context);

  g_main_context_push_thread_default (context);
  lb_index_applier_apply_async (applier, cancellable, apply_done_cb, &run);
  g_main_loop_run (loop);
  ok = lb_index_applier_apply_finish (applier, run.result, error);
  g_main_context_pop_thread_default (context);
  g_source_destroy (sigint);
  g_source_destroy (sigterm);
  g_clear_object (&run.result);
  g_free (run.last_phase);
  *signum = run.signal;

  created = lb_index_applier_get_created (applier);
  for (guint i = 0; i < advice->len; i++)
    {
      LbIndexAdvice *a = g_ptr_array_index (advice, i);

      for (guint k = 0; created[k] != NULL; k++)
        if (is_index_named (created[k], a->name))
          g_string_append_printf (log, _("Created: %s\n"), a->statement);
    }
  notes = lb_index_applier_get_notes (applier);
  for (guint i = 0; notes[i] != NULL; i++)
    g_string_append_printf (log, "%s\n", notes[i]);
  if (ok)
    for (guint i = 0; lb_index_applier_get_tables (applier)[i] != NULL; i++)
      g_string_append_printf (log, "ANALYZE %s;\n", lb_index_applier_get_tables (applier)[i]);
  if (created[0] != NULL)
    {
      g_auto(GStrv) undo = lb_index_applier_dup_undo_statements (applier);

      g_string_append (log, _("To undo:\n"));
      for (guint i = 0; undo[i] != NULL; i++)
        g_string_append_printf (log, "  %s\n", undo[i]);
    }
  *applier_out = g_steal_pointer (&applier);
  return ok;
}

static void
add_advice_json (JsonBuilder *b,
                 GPtrArray   *advice)
{
  json_builder_begin_array (b);
  for (guint i = 0; i < advice->len; i++)
    {
      LbIndexAdvice *a = g_ptr_array_index (advice, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "schema");
      if (a->schema != NULL)
        json_builder_add_string_value (b, a->schema);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "table");
      json_builder_add_string_value (b, a->table);
      json_builder_set_member_name (b, "method");
      json_builder_add_string_value (b, a->method);
      json_builder_set_member_name (b, "columns");
      json_builder_begin_array (b);
      for (guint k = 0; a->columns[k] != NULL; k++)
        json_builder_add_string_value (b, a->columns[k]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, a->name);
      json_builder_set_member_name (b, "statement");
      json_builder_add_string_value (b, a->statement);
      json_builder_set_member_name (b, "reason");
      json_builder_add_string_value (b, a->reason != NULL ? a->reason : "");
      json_builder_set_member_name (b, "queries");
      json_builder_begin_array (b);
      for (guint k = 0; k < a->queries->len; k++)
        json_builder_add_string_value (b, g_ptr_array_index (a->queries, k));
      json_builder_end_array (b);
      json_builder_set_member_name (b, "predicted");
      if (a->predicted)
        {
          g_autofree char *title = lb_plan_node_dup_title (lb_explain_plan_get_root (a->plan_after));

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "query");
          json_builder_add_string_value (b, a->predicted_query);
          json_builder_set_member_name (b, "cost_before");
          json_builder_add_double_value (b, a->cost_before);
          json_builder_set_member_name (b, "cost_after");
          json_builder_add_double_value (b, a->cost_after);
          json_builder_set_member_name (b, "uses_index");
          json_builder_add_boolean_value (b, a->uses_index);
          json_builder_set_member_name (b, "plan");
          add_plan_json (b, a->plan_after);
          json_builder_end_object (b);
        }
      else
        json_builder_add_null_value (b);
      if (a->predict_error != NULL)
        {
          json_builder_set_member_name (b, "predict_error");
          json_builder_add_string_value (b, a->predict_error);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

int
lb_cli_advise (int    argc,
               char **argv)
{
  g_auto(Options) o = { .samples = 1 };
  g_autoptr(GOptionContext) context = make_context (&o, TRUE);
  g_autoptr(LbPgSandbox) sandbox = NULL;
  g_autoptr(LbSqlScript) script = NULL;
  g_autoptr(GPtrArray) plans = NULL;
  g_autoptr(GPtrArray) advice = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(LbIndexAdvisor) advisor = NULL;
  g_autoptr(LbIndexApplier) applier = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) applied = g_string_new (NULL);
  g_autofree char *conninfo = NULL;
  GPtrArray *covered;
  int status;

  if (!lb_cli_parse_options (context, "advise", &argc, &argv))
    return LB_CLI_EXIT_USAGE;
  status = explain_script (&o, "advise", &sandbox, &conninfo, &script, &plans);
  if (status != LB_CLI_EXIT_OK)
    {
      stop_sandbox (sandbox);
      return status;
    }

  advisor = lb_index_advisor_new (conninfo);
  for (guint i = 0; i < plans->len; i++)
    lb_index_advisor_add_plans (advisor, g_ptr_array_index (plans, i));
  advice = lb_index_advisor_advise (advisor, NULL, &error);
  if (advice == NULL)
    {
      lb_cli_print_error ("%s", error->message);
      stop_sandbox (sandbox);
      return LB_CLI_EXIT_FAILURE;
    }
  covered = lb_index_advisor_get_covered (advisor);

  if (o.apply && advice->len > 0)
    {
      int signum = 0;

      if (!apply_advice (conninfo, advice, &applier, applied, &signum, &error))
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_printerr (_("Cancelled: no index was left half-built.\n"));
          else
            lb_cli_print_error ("%s", error->message);
          g_printerr ("%s", applied->str);
          stop_sandbox (sandbox);
          if (signum != 0)
            return LB_CLI_EXIT_SIGNAL + signum;
          return LB_CLI_EXIT_FAILURE;
        }
      else
        {
          /* The plans after, as explain shows them. */
          g_autoptr(LbPlanExplainer) explainer = lb_plan_explainer_new (conninfo, script);

          lb_plan_explainer_set_samples (explainer, 1);
          lb_plan_explainer_set_seed (explainer, (guint64) o.seed);
          lb_plan_explainer_set_analyze (explainer, o.analyze ? LB_EXPLAIN_ANALYZE_ALWAYS
                                                  : o.no_analyze ? LB_EXPLAIN_ANALYZE_NEVER
                                                  : LB_EXPLAIN_ANALYZE_AUTO);
          after = lb_plan_explainer_explain (explainer, NULL, &error);
          if (after == NULL)
            {
              lb_cli_print_error ("%s", error->message);
              stop_sandbox (sandbox);
              return LB_CLI_EXIT_FAILURE;
            }
        }
    }

  if (o.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "script");
      json_builder_add_string_value (b, lb_sql_script_get_display_name (script));
      json_builder_set_member_name (b, "hypopg");
      json_builder_add_boolean_value (b, lb_index_advisor_get_hypopg (advisor));
      if (lb_index_advisor_get_hypopg_message (advisor) != NULL)
        {
          json_builder_set_member_name (b, "hypopg_message");
          json_builder_add_string_value (b, lb_index_advisor_get_hypopg_message (advisor));
        }
      json_builder_set_member_name (b, "advice");
      add_advice_json (b, advice);
      json_builder_set_member_name (b, "covered");
      json_builder_begin_array (b);
      for (guint i = 0; i < covered->len; i++)
        {
          LbIndexCovered *c = g_ptr_array_index (covered, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "statement");
          json_builder_add_string_value (b, c->statement);
          json_builder_set_member_name (b, "covered_by");
          json_builder_add_string_value (b, c->covered_by);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "applied");
      json_builder_add_boolean_value (b, after != NULL);
      if (applier != NULL)
        {
          g_auto(GStrv) undo = lb_index_applier_dup_undo_statements (applier);

          json_builder_set_member_name (b, "created");
          json_builder_begin_array (b);
          for (guint i = 0; lb_index_applier_get_created (applier)[i] != NULL; i++)
            json_builder_add_string_value (b, lb_index_applier_get_created (applier)[i]);
          json_builder_end_array (b);
          json_builder_set_member_name (b, "undo");
          json_builder_begin_array (b);
          for (guint i = 0; undo[i] != NULL; i++)
            json_builder_add_string_value (b, undo[i]);
          json_builder_end_array (b);
          json_builder_set_member_name (b, "notes");
          json_builder_begin_array (b);
          for (guint i = 0; lb_index_applier_get_notes (applier)[i] != NULL; i++)
            json_builder_add_string_value (b, lb_index_applier_get_notes (applier)[i]);
          json_builder_end_array (b);
        }
      if (after != NULL)
        {
          json_builder_set_member_name (b, "after");
          add_queries_json (b, after);
        }
      json_builder_end_object (b);
      if (!write_json (b))
        status = LB_CLI_EXIT_FAILURE;
    }
  else
    {
      g_autoptr(GString) out = g_string_new (NULL);

      if (lb_index_advisor_get_hypopg_message (advisor) != NULL)
        g_string_append_printf (out, "%s.\n\n", lb_index_advisor_get_hypopg_message (advisor));
      if (advice->len == 0)
        g_string_append (out, _("No index to advise: no plan has a selective scan that an index "
                                "would serve better.\n"));
      for (guint i = 0; i < advice->len; i++)
        {
          LbIndexAdvice *a = g_ptr_array_index (advice, i);
          g_autofree char *queries = NULL;

          g_ptr_array_add (a->queries, NULL);
          queries = g_strjoinv (", ", (char **) a->queries->pdata);
          g_ptr_array_remove_index (a->queries, a->queries->len - 1);
          g_string_append_printf (out, "%s\n", a->statement);
          g_string_append_printf (out, _("  for: %s\n"), queries);
          g_string_append_printf (out, _("  because: %s\n"), a->reason);
          if (a->predicted)
            {
              g_autofree char *plan_text = lb_explain_plan_to_text (a->plan_after);

              g_string_append_printf (out, _("  predicted by hypopg for %s: cost %.2f → %.2f, %s\n"),
                                      a->predicted_query, a->cost_before, a->cost_after,
                                      a->uses_index ? _("the plan uses the index")
                                                    : _("the planner would not use it"));
              print_indented (out, plan_text, "    ");
            }
          else if (a->predict_error != NULL)
            g_string_append_printf (out, _("  no prediction: %s\n"), a->predict_error);
          g_string_append_c (out, '\n');
        }
      for (guint i = 0; i < covered->len; i++)
        {
          LbIndexCovered *c = g_ptr_array_index (covered, i);

          g_string_append_printf (out, _("Not advised, %s already covers it: %s\n"), c->covered_by,
                                  c->statement);
        }
      if (after != NULL)
        {
          g_string_append_printf (out, "\n%s\n", applied->str);
          g_string_append (out, _("Plans after:\n\n"));
          for (guint i = 0; i < after->len; i++)
            print_query_text (out, g_ptr_array_index (after, i));
        }
      if (!lb_cli_write_stdout (out->str, &error))
        status = LB_CLI_EXIT_FAILURE;
    }
  stop_sandbox (sandbox);
  return status;
}
