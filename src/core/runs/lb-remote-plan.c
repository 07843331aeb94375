/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbRemotePlan: what a run on Databricks compute will ask for, computed
 * before anything is sent so the user sees the workers, the cost and the
 * connection budget first. Nothing here talks to a server. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-remote-plan.h"

/* ---- split ---- */

GArray *
lb_remote_split_clients (guint    clients,
                         double   rate,
                         guint    workers,
                         GError **error)
{
  g_autoptr(GArray) shares = NULL;
  guint base = 0;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (workers == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("A run on Databricks compute needs at least one worker."));
      return NULL;
    }
  if (workers > clients)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   /* TRANSLATORS: "6 workers need at least 6 clients (each runs one or more); the settings ask for 4." */
                   _("%u workers need at least %u clients (each runs one or more); the settings ask for %u."),
                   workers, workers, clients);
      return NULL;
    }

  shares = g_array_sized_new (FALSE, TRUE, sizeof (LbRemoteShare), workers);
  for (guint k = 0; k < workers; k++)
    {
      LbRemoteShare share = { 0, };

      share.worker = k;
      share.clients = clients / workers + (k < clients % workers ? 1 : 0);
      share.rate = rate > 0 ? rate * share.clients / clients : 0;
      share.client_id_base = base;
      base += share.clients;
      g_array_append_val (shares, share);
    }

  return g_steal_pointer (&shares);
}

/* ---- target ---- */

const char *
lb_remote_target_kind_to_string (LbRemoteTargetKind kind)
{
  return kind == LB_REMOTE_TARGET_AUTOSCALING ? "autoscaling" : "provisioned";
}

gboolean
lb_remote_target_kind_from_string (const char         *text,
                                   LbRemoteTargetKind *kind)
{
  if (g_strcmp0 (text, "provisioned") == 0)
    *kind = LB_REMOTE_TARGET_PROVISIONED;
  else if (g_strcmp0 (text, "autoscaling") == 0)
    *kind = LB_REMOTE_TARGET_AUTOSCALING;
  else
    return FALSE;

  return TRUE;
}

G_DEFINE_BOXED_TYPE (LbRemoteTarget, lb_remote_target, lb_remote_target_copy, lb_remote_target_free)

LbRemoteTarget *
lb_remote_target_new (LbRemoteTargetKind kind)
{
  LbRemoteTarget *self = g_new0 (LbRemoteTarget, 1);

  self->kind = kind;
  self->port = 5432;
  self->dbname = g_strdup ("databricks_postgres");
  self->sslmode = g_strdup ("require");

  return self;
}

LbRemoteTarget *
lb_remote_target_copy (const LbRemoteTarget *self)
{
  LbRemoteTarget *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (LbRemoteTarget, 1);
  copy->kind = self->kind;
  copy->instance_name = g_strdup (self->instance_name);
  copy->endpoint = g_strdup (self->endpoint);
  copy->host = g_strdup (self->host);
  copy->port = self->port;
  copy->dbname = g_strdup (self->dbname);
  copy->sslmode = g_strdup (self->sslmode);
  copy->user = g_strdup (self->user);

  return copy;
}

void
lb_remote_target_free (LbRemoteTarget *self)
{
  if (self == NULL)
    return;

  g_free (self->instance_name);
  g_free (self->endpoint);
  g_free (self->host);
  g_free (self->dbname);
  g_free (self->sslmode);
  g_free (self->user);
  g_free (self);
}

static gboolean
is_blank (const char *text)
{
  return text == NULL || *text == '\0';
}

gboolean
lb_remote_target_validate (const LbRemoteTarget *self,
                           GError              **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->kind == LB_REMOTE_TARGET_PROVISIONED && is_blank (self->instance_name))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Name the database instance: each worker mints its own credential for it."));
      return FALSE;
    }
  if (self->kind == LB_REMOTE_TARGET_AUTOSCALING && is_blank (self->endpoint))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Name the project’s endpoint (projects/…/branches/…/endpoints/…): each worker mints its own credential for it."));
      return FALSE;
    }
  if (is_blank (self->host))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The database has no host yet: deploy it, or type its host."));
      return FALSE;
    }
  if (self->port == 0 || self->port > 65535)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The database port must be 1 to 65535, not %u."), self->port);
      return FALSE;
    }
  if (is_blank (self->user))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The workers need a database user: the run-as identity’s user name."));
      return FALSE;
    }

  return TRUE;
}

char *
lb_remote_target_dup_label (const LbRemoteTarget *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->kind == LB_REMOTE_TARGET_AUTOSCALING)
    return g_strdup_printf (_("endpoint %s"), self->endpoint ? self->endpoint : "?");

  return g_strdup_printf (_("instance %s"), self->instance_name ? self->instance_name : "?");
}

/* ---- the plan ---- */

G_DEFINE_BOXED_TYPE (LbRemotePlan, lb_remote_plan, lb_remote_plan_copy, lb_remote_plan_free)

LbRemotePlan *
lb_remote_plan_new (void)
{
  LbRemotePlan *self = g_new0 (LbRemotePlan, 1);

  self->workers = 1;
  self->credential_refresh_seconds = LB_REMOTE_PLAN_CREDENTIAL_REFRESH_SECONDS;
  self->sampling_rate = 1.0;

  return self;
}

LbRemotePlan *
lb_remote_plan_copy (const LbRemotePlan *self)
{
  LbRemotePlan *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (LbRemotePlan, 1);
  *copy = *self;
  copy->run_id = g_strdup (self->run_id);
  copy->run_name = g_strdup (self->run_name);
  copy->run_folder = g_strdup (self->run_folder);
  copy->samples_dir = g_strdup (self->samples_dir);
  copy->node_type_id = g_strdup (self->node_type_id);
  copy->spark_version = g_strdup (self->spark_version);
  copy->script_args = g_strdupv (self->script_args);
  copy->settings = self->settings ? lb_run_settings_copy (self->settings) : NULL;
  copy->target = self->target ? lb_remote_target_copy (self->target) : NULL;

  return copy;
}

void
lb_remote_plan_free (LbRemotePlan *self)
{
  if (self == NULL)
    return;

  g_free (self->run_id);
  g_free (self->run_name);
  g_free (self->run_folder);
  g_free (self->samples_dir);
  g_free (self->node_type_id);
  g_free (self->spark_version);
  g_strfreev (self->script_args);
  g_clear_pointer (&self->settings, lb_run_settings_free);
  g_clear_pointer (&self->target, lb_remote_target_free);
  g_free (self);
}

char *
lb_remote_plan_new_run_id (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");

  return g_strdup_printf ("%s-%06x", stamp, g_random_int () & 0xffffff);
}

char *
lb_remote_plan_dup_workspace_folder (const char *user_name,
                                     const char *run_id)
{
  g_return_val_if_fail (user_name != NULL, NULL);
  g_return_val_if_fail (run_id != NULL, NULL);

  return g_strdup_printf ("/Users/%s/.lakebase-accelerator/runs/%s", user_name, run_id);
}

char *
lb_remote_plan_dup_cluster_path (const char *workspace_path)
{
  g_return_val_if_fail (workspace_path != NULL && workspace_path[0] == '/', NULL);

  if (g_str_has_prefix (workspace_path, "/Workspace/"))
    return g_strdup (workspace_path);

  return g_strconcat ("/Workspace", workspace_path, NULL);
}

char *
lb_remote_plan_dup_samples_dir (const char *volume,
                                const char *run_id)
{
  g_autofree char *trimmed = NULL;
  gsize len;

  g_return_val_if_fail (volume != NULL, NULL);
  g_return_val_if_fail (run_id != NULL, NULL);

  trimmed = g_strdup (volume);
  len = strlen (trimmed);
  while (len > 1 && trimmed[len - 1] == '/')
    trimmed[--len] = '\0';

  return g_strdup_printf ("%s/lakebase-accelerator/%s", trimmed, run_id);
}

gboolean
lb_remote_plan_check_volume (const char  *volume,
                             GError     **error)
{
  g_auto(GStrv) parts = NULL;
  guint n = 0;

  if (volume != NULL && g_str_has_prefix (volume, "/Volumes/"))
    {
      parts = g_strsplit (volume + strlen ("/Volumes/"), "/", -1);
      for (guint i = 0; parts[i] != NULL; i++)
        {
          if (*parts[i] != '\0')
            n++;
          else if (parts[i + 1] != NULL)
            n = 0;  /* "//" inside: refuse below */
        }
    }

  if (n < 3 || strstr (volume, "//") != NULL || strstr (volume, "..") != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a Unity Catalog volume: the workers write their samples to /Volumes/<catalog>/<schema>/<volume>."),
                   volume ? volume : "");
      return FALSE;
    }

  return TRUE;
}

gboolean
lb_remote_plan_validate (const LbRemotePlan  *self,
                         GError             **error)
{
  g_autoptr(GArray) shares = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->settings == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The run has no settings."));
      return FALSE;
    }
  if (!lb_run_settings_validate (self->settings, error))
    return FALSE;
  if (self->settings->mode == LB_RUN_MODE_LADDER)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("A concurrency ladder runs only on this computer: on Databricks compute each worker runs pgbench with one client count. Choose a duration or a count of transactions."));
      return FALSE;
    }
  if (self->settings->pipeline_depth > 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Pipeline mode runs only on this computer: pgbench on the workers sends one query at a time. Turn it off for Databricks compute."));
      return FALSE;
    }

  shares = lb_remote_split_clients (self->settings->clients, self->settings->rate,
                                    self->workers, error);
  if (shares == NULL)
    return FALSE;

  if (is_blank (self->run_id) || is_blank (self->run_folder) || is_blank (self->samples_dir))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The run has no run id or folders yet."));
      return FALSE;
    }
  if (is_blank (self->node_type_id))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Choose the node type the workers run on."));
      return FALSE;
    }
  if (self->script_args == NULL || self->script_args[0] == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The run has no script files for pgbench."));
      return FALSE;
    }
  if (!(self->sampling_rate > 0 && self->sampling_rate <= 1))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The sampling rate must be above 0 and at most 1, not %g."), self->sampling_rate);
      return FALSE;
    }
  if (self->target == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Choose the database the workers load."));
      return FALSE;
    }

  return lb_remote_target_validate (self->target, error);
}

double
lb_remote_plan_run_seconds (const LbRemotePlan *self)
{
  const LbRunSettings *s;
  double measured;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (self->settings != NULL, 0);

  s = self->settings;
  if (s->mode == LB_RUN_MODE_COUNT)
    {
      double tps = s->rate > 0 ? s->rate : self->expected_tps;

      if (s->transactions > 0 && tps > 0)
        measured = (double) s->transactions / tps;
      else
        measured = LB_REMOTE_PLAN_COUNT_MODE_FALLBACK_SECONDS;
    }
  else if (s->mode == LB_RUN_MODE_LADDER)
    measured = s->duration * MAX (s->n_ladder, 1);
  else
    measured = s->duration;

  return MAX (s->warmup, 0) + measured;
}

guint
lb_remote_plan_timeout_seconds (const LbRemotePlan *self)
{
  return (guint) ceil (lb_remote_plan_run_seconds (self)) + LB_REMOTE_PLAN_TIMEOUT_MARGIN_SECONDS;
}

char *
lb_remote_plan_dup_idempotency_token (const LbRemotePlan *self)
{
  g_return_val_if_fail (self != NULL && self->run_id != NULL, NULL);

  /* Jobs takes at most 64 characters; a run id is 22. */
  return g_strdup_printf ("lakebase-accelerator-%.40s", self->run_id);
}

static void
add_string_array (JsonBuilder        *builder,
                  const char         *name,
                  const char * const *strv)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_builder_add_string_value (builder, strv[i]);
  json_builder_end_array (builder);
}

JsonNode *
lb_remote_plan_build_submit_spec (const LbRemotePlan  *self,
                                  GError             **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree char *runner = NULL;
  g_autofree char *config = NULL;
  g_autofree char *token = NULL;
  g_autofree char *run_name = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!lb_remote_plan_validate (self, error))
    return NULL;

  runner = g_build_path ("/", self->run_folder, "runner.py", NULL);
  config = g_build_path ("/", self->run_folder, "config.json", NULL);
  token = lb_remote_plan_dup_idempotency_token (self);
  run_name = self->run_name ? g_strdup (self->run_name)
                            : g_strdup_printf ("Lakebase Accelerator load %s", self->run_id);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "run_name");
  json_builder_add_string_value (builder, run_name);
  json_builder_set_member_name (builder, "timeout_seconds");
  json_builder_add_int_value (builder, lb_remote_plan_timeout_seconds (self));
  json_builder_set_member_name (builder, "idempotency_token");
  json_builder_add_string_value (builder, token);

  json_builder_set_member_name (builder, "tasks");
  json_builder_begin_array (builder);
  for (guint k = 0; k < self->workers; k++)
    {
      g_autofree char *key = g_strdup_printf ("worker-%u", k);
      g_autofree char *worker = g_strdup_printf ("%u", k);
      const char *parameters[] = { "--config", config, "--worker", worker, NULL };

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "task_key");
      json_builder_add_string_value (builder, key);

      /* One node per worker: the driver runs pgbench, no Spark executors
       * are wanted, so the cheapest cluster shape Jobs has. */
      json_builder_set_member_name (builder, "new_cluster");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "spark_version");
      json_builder_add_string_value (builder, self->spark_version ? self->spark_version
                                                                  : LB_REMOTE_PLAN_DEFAULT_SPARK_VERSION);
      json_builder_set_member_name (builder, "node_type_id");
      json_builder_add_string_value (builder, self->node_type_id);
      json_builder_set_member_name (builder, "num_workers");
      json_builder_add_int_value (builder, 0);
      json_builder_set_member_name (builder, "spark_conf");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "spark.databricks.cluster.profile");
      json_builder_add_string_value (builder, "singleNode");
      json_builder_set_member_name (builder, "spark.master");
      json_builder_add_string_value (builder, "local[*]");
      json_builder_end_object (builder);
      json_builder_set_member_name (builder, "custom_tags");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "ResourceClass");
      json_builder_add_string_value (builder, "SingleNode");
      json_builder_end_object (builder);
      json_builder_end_object (builder);

      json_builder_set_member_name (builder, "spark_python_task");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "python_file");
      json_builder_add_string_value (builder, runner);
      json_builder_set_member_name (builder, "source");
      json_builder_add_string_value (builder, "WORKSPACE");
      add_string_array (builder, "parameters", parameters);
      json_builder_end_object (builder);

      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

JsonNode *
lb_remote_plan_build_config (const LbRemotePlan  *self,
                             GError             **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  const LbRunSettings *s;
  const LbRemoteTarget *t;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!lb_remote_plan_validate (self, error))
    return NULL;

  s = self->settings;
  t = self->target;

#define ADD_INT(name, value) G_STMT_START { \
    json_builder_set_member_name (builder, name); \
    json_builder_add_int_value (builder, (gint64) (value)); } G_STMT_END
#define ADD_DOUBLE(name, value) G_STMT_START { \
    json_builder_set_member_name (builder, name); \
    json_builder_add_double_value (builder, value); } G_STMT_END
#define ADD_STRING(name, value) G_STMT_START { \
    json_builder_set_member_name (builder, name); \
    json_builder_add_string_value (builder, value); } G_STMT_END

  json_builder_begin_object (builder);
  ADD_INT ("version", 1);
  ADD_STRING ("run_id", self->run_id);
  ADD_INT ("worker", 0);
  ADD_INT ("workers", self->workers);
  add_string_array (builder, "script_args", (const char * const *) self->script_args);
  ADD_INT ("clients", s->clients);
  ADD_INT ("threads", s->threads);
  ADD_STRING ("protocol", lb_protocol_to_string (s->protocol));
  ADD_DOUBLE ("duration", s->mode == LB_RUN_MODE_COUNT ? 0 : s->duration);
  ADD_INT ("transactions", s->mode == LB_RUN_MODE_COUNT ? s->transactions : 0);
  ADD_DOUBLE ("warmup", s->warmup);
  ADD_DOUBLE ("rate", s->rate);
  ADD_DOUBLE ("latency_limit", s->latency_limit);
  ADD_INT ("seed", s->seed);
  ADD_INT ("max_tries", s->max_tries);
  ADD_INT ("scale", s->scale);
  add_string_array (builder, "defines", (const char * const *) s->defines);
  ADD_INT ("client_id_base", 0);

  json_builder_set_member_name (builder, "target");
  json_builder_begin_object (builder);
  ADD_STRING ("kind", lb_remote_target_kind_to_string (t->kind));
  if (t->kind == LB_REMOTE_TARGET_PROVISIONED)
    ADD_STRING ("instance_name", t->instance_name);
  else
    ADD_STRING ("endpoint", t->endpoint);
  ADD_STRING ("host", t->host);
  ADD_INT ("port", t->port);
  ADD_STRING ("dbname", t->dbname ? t->dbname : "databricks_postgres");
  ADD_STRING ("sslmode", t->sslmode ? t->sslmode : "require");
  ADD_STRING ("user", t->user);
  json_builder_end_object (builder);

  ADD_STRING ("samples_dir", self->samples_dir);
  ADD_DOUBLE ("credential_refresh_seconds", self->credential_refresh_seconds);
  ADD_DOUBLE ("sampling_rate", self->sampling_rate);
  json_builder_end_object (builder);

#undef ADD_INT
#undef ADD_DOUBLE
#undef ADD_STRING

  return json_builder_get_root (builder);
}

/* ---- cost ---- */

const char *
lb_remote_plan_cloud_for_host (const char *host)
{
  g_autofree char *lower = NULL;
  const char *end;

  if (host == NULL)
    return NULL;

  /* "https://x.cloud.databricks.com/" as well as the bare host. */
  if (strstr (host, "://") != NULL)
    host = strstr (host, "://") + 3;
  end = strpbrk (host, "/:");
  lower = g_ascii_strdown (host, end ? end - host : -1);

  if (g_str_has_suffix (lower, ".gcp.databricks.com"))
    return "gcp";
  if (g_str_has_suffix (lower, ".azuredatabricks.net"))
    return "azure";
  if (g_str_has_suffix (lower, ".cloud.databricks.com"))
    return "aws";

  return NULL;
}

void
lb_remote_cost_clear (LbRemoteCost *cost)
{
  if (cost == NULL)
    return;

  g_free (cost->node_type_id);
  g_free (cost->cloud);
  g_free (cost->currency);
  memset (cost, 0, sizeof *cost);
}

static const LbJobsNodeType *
lookup_node_type (LbPriceSheet  *sheet,
                  const char    *node_type_id,
                  GError       **error)
{
  const LbJobsNodeType *type = lb_price_sheet_find_jobs_node_type (sheet, node_type_id);

  if (type == NULL)
    {
      g_autoptr(GPtrArray) types = lb_price_sheet_list_jobs_node_types (sheet, NULL);
      g_autoptr(GString) names = g_string_new (NULL);

      for (guint i = 0; i < types->len; i++)
        {
          const LbJobsNodeType *t = g_ptr_array_index (types, i);

          g_string_append_printf (names, "%s%s", i ? ", " : "", t->name);
        }
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The price sheet has no figures for node type “%s”: add it to jobs_compute in your prices.json, or choose one of %s."),
                   node_type_id ? node_type_id : "", names->str);
    }

  return type;
}

static void
fill_cost (LbPriceSheet         *sheet,
           const LbJobsNodeType *type,
           guint                 workers,
           LbRemoteCost         *cost)
{
  memset (cost, 0, sizeof *cost);
  cost->workers = workers;
  cost->node_type_id = g_strdup (type->name);
  cost->cloud = g_strdup (type->cloud);
  cost->cores = type->cores;
  cost->dbu_per_hour = type->dbu_per_hour;
  cost->dbu_price = lb_price_sheet_get_jobs_dbu_price (sheet, type->cloud);
  cost->currency = g_strdup (lb_price_sheet_get_currency (sheet));
}

gboolean
lb_remote_plan_estimate_cost (LbPriceSheet  *sheet,
                              const char    *node_type_id,
                              guint          workers,
                              double         run_seconds,
                              LbRemoteCost  *cost,
                              GError       **error)
{
  const LbJobsNodeType *type;

  g_return_val_if_fail (LB_IS_PRICE_SHEET (sheet), FALSE);
  g_return_val_if_fail (cost != NULL, FALSE);

  type = lookup_node_type (sheet, node_type_id, error);
  if (type == NULL)
    return FALSE;

  fill_cost (sheet, type, workers, cost);
  cost->startup_hours = lb_price_sheet_get_jobs_startup_minutes (sheet) / 60.0;
  cost->run_hours = MAX (run_seconds, 0) / 3600.0;
  cost->dbus = workers * type->dbu_per_hour * (cost->startup_hours + cost->run_hours);
  cost->startup_cost = workers * type->dbu_per_hour * cost->startup_hours * cost->dbu_price;
  cost->run_cost = workers * type->dbu_per_hour * cost->run_hours * cost->dbu_price;
  cost->total = cost->startup_cost + cost->run_cost;

  return TRUE;
}

gboolean
lb_remote_plan_actual_cost (LbPriceSheet  *sheet,
                            const char    *node_type_id,
                            const double  *task_seconds,
                            guint          n_tasks,
                            LbRemoteCost  *cost,
                            GError       **error)
{
  const LbJobsNodeType *type;
  double seconds = 0;

  g_return_val_if_fail (LB_IS_PRICE_SHEET (sheet), FALSE);
  g_return_val_if_fail (task_seconds != NULL || n_tasks == 0, FALSE);
  g_return_val_if_fail (cost != NULL, FALSE);

  type = lookup_node_type (sheet, node_type_id, error);
  if (type == NULL)
    return FALSE;

  for (guint i = 0; i < n_tasks; i++)
    seconds += MAX (task_seconds[i], 0);

  fill_cost (sheet, type, n_tasks, cost);
  cost->actual = TRUE;
  /* Per worker on average, so the summary reads like the estimate. */
  cost->run_hours = n_tasks ? seconds / 3600.0 / n_tasks : 0;
  cost->dbus = type->dbu_per_hour * seconds / 3600.0;
  cost->run_cost = cost->dbus * cost->dbu_price;
  cost->total = cost->run_cost;

  return TRUE;
}

static char *
format_money (double      amount,
              const char *currency)
{
  /* Cents, except below one cent, where the figure would read as free. */
  if (amount > 0 && amount < 0.01)
    return g_strdup_printf (g_strcmp0 (currency, "USD") == 0 ? "$%.3f" : "%.3f %s", amount, currency);
  return g_strdup_printf (g_strcmp0 (currency, "USD") == 0 ? "$%.2f" : "%.2f %s", amount, currency);
}

static char *
format_minutes (double hours)
{
  double minutes = hours * 60;

  if (minutes < 1)
    return g_strdup_printf (_("%.0f s"), minutes * 60);
  if (minutes < 120)
    return g_strdup_printf (_("%.0f min"), ceil (minutes));
  return g_strdup_printf (_("%.1f h"), hours);
}

char *
lb_remote_cost_dup_summary (const LbRemoteCost *cost)
{
  g_autofree char *total = NULL;
  g_autofree char *price = NULL;
  g_autofree char *run = NULL;
  g_autofree char *startup = NULL;
  g_autofree char *main_sentence = NULL;

  g_return_val_if_fail (cost != NULL, NULL);

  total = format_money (cost->total, cost->currency);
  price = format_money (cost->dbu_price, cost->currency);
  run = format_minutes (cost->run_hours);

  if (cost->actual)
    main_sentence = g_strdup_printf (
      /* TRANSLATORS: "$0.31 billed: 4 workers ran 12 min on average × 0.69 DBU/h × $0.15 per DBU of jobs compute (1.98 DBU)." */
      g_dngettext (GETTEXT_PACKAGE,
                   "%s billed: %u worker ran %s × %.2f DBU/h × %s per DBU of jobs compute (%.2f DBU).",
                   "%s billed: %u workers ran %s on average × %.2f DBU/h × %s per DBU of jobs compute (%.2f DBU).",
                   cost->workers),
      total, cost->workers, run, cost->dbu_per_hour, price, cost->dbus);
  else
    {
      startup = format_minutes (cost->startup_hours);
      main_sentence = g_strdup_printf (
        /* TRANSLATORS: "About $0.42: 4 workers × 0.69 DBU/h × (5 min start-up + 10 min run) × $0.15 per DBU of jobs compute." */
        g_dngettext (GETTEXT_PACKAGE,
                     "About %s: %u worker × %.2f DBU/h × (%s start-up + %s run) × %s per DBU of jobs compute.",
                     "About %s: %u workers × %.2f DBU/h × (%s start-up + %s run) × %s per DBU of jobs compute.",
                     cost->workers),
        total, cost->workers, cost->dbu_per_hour, startup, run, price);
    }

  return g_strconcat (main_sentence, " ",
                      _("Cloud VM cost is billed separately by the cloud provider."), NULL);
}

/* ---- sizing ---- */

GFile *
lb_remote_capacity_get_user_file (void)
{
  return g_file_new_build_filename (g_get_user_data_dir (), "lakebase-accelerator",
                                    "remote-capacity.json", NULL);
}

static JsonObject *
load_capacity (GFile *file)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *contents = NULL;
  gsize length;
  JsonNode *root;

  /* A missing or broken file only means nothing is remembered: the
   * defaults stand in and the next run writes a good one. */
  if (!g_file_load_contents (file, NULL, &contents, &length, NULL, NULL) ||
      !json_parser_load_from_data (parser, contents, length, NULL))
    return json_object_new ();

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return json_object_new ();

  return json_object_ref (json_node_get_object (root));
}

gboolean
lb_remote_capacity_remember (GFile       *file,
                             const char  *node_type_id,
                             double       tps_per_core,
                             guint        cores,
                             GError     **error)
{
  g_autoptr(GFile) user_file = NULL;
  g_autoptr(GFile) parent = NULL;
  g_autoptr(JsonObject) root = NULL;
  g_autoptr(JsonNode) root_node = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *updated = g_date_time_format_iso8601 (now);
  g_autofree char *text = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *types;
  JsonObject *entry;
  double tps_per_worker = tps_per_core * cores;
  guint runs = 0;

  g_return_val_if_fail (file == NULL || G_IS_FILE (file), FALSE);
  g_return_val_if_fail (node_type_id != NULL, FALSE);

  if (!(tps_per_core > 0) || cores == 0 || !isfinite (tps_per_core))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("A worker’s capacity needs a measured rate per core and a core count (got %g tps per core on %u cores)."),
                   tps_per_core, cores);
      return FALSE;
    }

  if (file == NULL)
    file = user_file = lb_remote_capacity_get_user_file ();

  root = load_capacity (file);
  if (!json_object_has_member (root, "node_types") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "node_types")))
    json_object_set_object_member (root, "node_types", json_object_new ());
  types = json_object_get_object_member (root, "node_types");

  if (json_object_has_member (types, node_type_id) &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (types, node_type_id)))
    {
      JsonObject *old = json_object_get_object_member (types, node_type_id);
      double old_tps = json_object_get_double_member_with_default (old, "tps_per_worker", 0);

      runs = (guint) json_object_get_int_member_with_default (old, "runs", 0);
      if (old_tps > 0)
        tps_per_worker = (tps_per_worker + old_tps) / 2;
    }

  entry = json_object_new ();
  json_object_set_double_member (entry, "tps_per_worker", tps_per_worker);
  json_object_set_double_member (entry, "tps_per_core", tps_per_worker / cores);
  json_object_set_int_member (entry, "cores", cores);
  json_object_set_int_member (entry, "runs", runs + 1);
  json_object_set_string_member (entry, "updated", updated);
  json_object_set_object_member (types, node_type_id, entry);
  json_object_set_int_member (root, "version", 1);

  root_node = json_node_init_object (json_node_alloc (), root);
  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root_node);
  text = json_generator_to_data (generator, NULL);

  parent = g_file_get_parent (file);
  if (!g_file_make_directory_with_parents (parent, NULL, &local_error) &&
      !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return g_file_replace_contents (file, text, strlen (text), NULL, FALSE,
                                  G_FILE_CREATE_PRIVATE, NULL, NULL, error);
}

double
lb_remote_capacity_lookup (GFile        *file,
                           LbPriceSheet *sheet,
                           const char   *node_type_id,
                           gboolean     *remembered)
{
  g_autoptr(GFile) user_file = NULL;
  g_autoptr(JsonObject) root = NULL;
  const LbJobsNodeType *type;

  g_return_val_if_fail (file == NULL || G_IS_FILE (file), 0);
  g_return_val_if_fail (LB_IS_PRICE_SHEET (sheet), 0);

  if (remembered != NULL)
    *remembered = FALSE;
  if (node_type_id == NULL)
    return 0;

  if (file == NULL)
    file = user_file = lb_remote_capacity_get_user_file ();

  root = load_capacity (file);
  if (json_object_has_member (root, "node_types") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "node_types")))
    {
      JsonObject *types = json_object_get_object_member (root, "node_types");

      if (json_object_has_member (types, node_type_id) &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (types, node_type_id)))
        {
          JsonObject *entry = json_object_get_object_member (types, node_type_id);
          double tps = json_object_get_double_member_with_default (entry, "tps_per_worker", 0);

          if (tps > 0 && isfinite (tps))
            {
              if (remembered != NULL)
                *remembered = TRUE;
              return tps;
            }
        }
    }

  type = lb_price_sheet_find_jobs_node_type (sheet, node_type_id);
  if (type == NULL)
    return 0;

  return LB_REMOTE_DEFAULT_TPS_PER_CORE * type->cores;
}

guint
lb_remote_plan_workers_for_rate (double target_rate,
                                 double tps_per_worker)
{
  double n;

  if (!(target_rate > 0) || !(tps_per_worker > 0))
    return 1;

  /* A hair under a whole number is that number: 100,000 / 25,000 is 4. */
  n = ceil (target_rate / tps_per_worker - 1e-9);
  return (guint) CLAMP (n, 1, G_MAXUINT16);
}

static char *
group_digits (double value)
{
  g_autofree char *digits = g_strdup_printf ("%.0f", round (value));
  /* TRANSLATORS: the thousands separator in "50,000 tps" */
  const char *separator = C_("thousands separator", ",");
  GString *out = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0 && digits[i - 1] != '-')
        g_string_append (out, separator);
      g_string_append_c (out, digits[i]);
    }

  return g_string_free (out, FALSE);
}

char *
lb_remote_plan_dup_sizing_text (double      target_rate,
                                double      tps_per_worker,
                                gboolean    remembered,
                                const char *node_type_id)
{
  g_autofree char *rate = NULL;
  g_autofree char *each = NULL;
  guint n;

  if (!(target_rate > 0))
    return g_strdup (_("Type a target rate to see how many workers it takes."));
  if (!(tps_per_worker > 0))
    return g_strdup_printf (_("Nothing is known about the capacity of %s yet: run once with a few workers and the next estimate uses what they measured."),
                            node_type_id ? node_type_id : "?");

  n = lb_remote_plan_workers_for_rate (target_rate, tps_per_worker);
  rate = group_digits (target_rate);
  each = group_digits (tps_per_worker);

  if (remembered)
    /* TRANSLATORS: "For 50,000 tps you need about 6 workers of m5d.xlarge (8,800 tps each, measured in an earlier run)." */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "For %s tps you need about %u worker of %s (%s tps each, measured in an earlier run).",
                                         "For %s tps you need about %u workers of %s (%s tps each, measured in an earlier run).",
                                         n),
                            rate, n, node_type_id, each);

  /* TRANSLATORS: "For 50,000 tps you need about 1 worker of m5d.xlarge (140,000 tps each, assumed for point lookups until a run measures it)." */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "For %s tps you need about %u worker of %s (%s tps each, assumed for point lookups until a run measures it).",
                                       "For %s tps you need about %u workers of %s (%s tps each, assumed for point lookups until a run measures it).",
                                       n),
                          rate, n, node_type_id, each);
}

guint
lb_remote_plan_workers_for_point_lookups (LbPriceSheet *sheet,
                                          const char   *cloud,
                                          double        rate)
{
  const LbJobsNodeType *type;

  g_return_val_if_fail (LB_IS_PRICE_SHEET (sheet), 0);

  type = lb_price_sheet_find_jobs_node_type (sheet, lb_price_sheet_get_jobs_default_node_type (sheet, cloud));
  if (type == NULL)
    return 0;

  return lb_remote_plan_workers_for_rate (rate, LB_REMOTE_DEFAULT_TPS_PER_CORE * type->cores);
}

gboolean
lb_remote_plan_check_connections (LbPriceSheet  *sheet,
                                  guint          clients,
                                  guint          workers,
                                  char         **warning)
{
  double limit;
  g_autofree char *total = NULL;
  g_autofree char *max = NULL;
  g_autofree char *head = NULL;

  g_return_val_if_fail (LB_IS_PRICE_SHEET (sheet), FALSE);

  if (warning != NULL)
    *warning = NULL;

  limit = lb_price_sheet_get_prices (sheet)->connections_limit;
  if (clients <= limit)
    return TRUE;

  if (warning == NULL)
    return FALSE;

  total = group_digits (clients);
  max = group_digits (limit);
  if (workers > 1)
    {
      g_autofree char *even = group_digits ((double) clients / workers);
      g_autofree char *per = NULL;

      /* The first workers take one more when clients do not divide evenly. */
      per = clients % workers == 0 ? g_strdup (even) : g_strdup_printf (_("about %s"), even);
      /* TRANSLATORS: "4 workers × 300 clients open 1,200 connections" */
      head = g_strdup_printf (_("%u workers × %s clients open %s connections"), workers, per, total);
    }
  else
    head = g_strdup_printf (_("%s clients open %s connections"), total, total);

  /* TRANSLATORS: "4 workers × 300 clients open 1,200 connections; a Lakebase database accepts 1,000. …" */
  *warning = g_strdup_printf (_("%s; a Lakebase database accepts %s. The clients over the limit will not connect: lower the clients to %s or fewer."),
                              head, max, max);
  return FALSE;
}
