/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The plan of a test run on Databricks compute, before anything is sent:
 * how clients and rate split over the workers, the Jobs `runs/submit` body
 * (one single-node task per worker), each worker's config.json (never a
 * secret), the estimated and the real cost from the price sheet's
 * jobs_compute section, and the sizing help (workers for a rate, the
 * 1,000-connections-per-database check). Pure functions of their inputs
 * plus a small file of remembered per-worker capacities; LbRemoteRun and
 * the tester's settings form use them. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "lb-price-sheet.h"
#include "lb-run-record.h"

G_BEGIN_DECLS

/* A current long-term-support Databricks Runtime; any runtime with Python
 * 3.8 or later runs the runner. */
#define LB_REMOTE_PLAN_DEFAULT_SPARK_VERSION "15.4.x-scala2.12"
/* What a task may take beyond warm-up + duration (cluster start, pgbench
 * install, the final file) before Jobs stops it. */
#define LB_REMOTE_PLAN_TIMEOUT_MARGIN_SECONDS (20 * 60)
/* A count-mode run without a rate is budgeted this long when no capacity
 * says better. */
#define LB_REMOTE_PLAN_COUNT_MODE_FALLBACK_SECONDS (60 * 60)
/* The runner re-mints its credential (and starts a new pgbench segment)
 * after this long: credentials live an hour. */
#define LB_REMOTE_PLAN_CREDENTIAL_REFRESH_SECONDS 3000
/* pgbench client capacity assumed when no earlier run on the node type was
 * remembered: bench/engine-vs-pgbench measured pgbench at 0.006–0.014 s of
 * CPU per 1,000 point lookups (70–170 k per core-second) on a unix socket;
 * half of the low end leaves room for TLS over TCP and keeps the client
 * from being the bottleneck. */
#define LB_REMOTE_DEFAULT_TPS_PER_CORE 35000.0

/* ---- split ---- */

/* One worker's share of a run. */
typedef struct
{
  guint  worker;          /* 0 … workers-1 */
  guint  clients;         /* C_k */
  double rate;            /* transactions/s for this worker; 0 = unthrottled */
  guint  client_id_base;  /* sum of the clients of the workers before it */
} LbRemoteShare;

/* The rule (the runner applies the same one in Python): clients are split as
 * evenly as possible, the first `clients % workers` workers taking one more;
 * the rate is split in proportion to clients (rate × C_k / clients);
 * client_id_base is the sum of C_j for j < k, so worker k's :client_id values
 * are client_id_base … client_id_base + C_k - 1 and no two workers share one.
 * Returns an array of @workers LbRemoteShare, or NULL with
 * G_IO_ERROR_INVALID_ARGUMENT when @workers is 0 or above @clients (a worker
 * needs at least one client). */
GArray        *lb_remote_split_clients          (guint                 clients,
                                                 double                rate,
                                                 guint                 workers,
                                                 GError              **error);

/* ---- target ---- */

typedef enum
{
  LB_REMOTE_TARGET_PROVISIONED,   /* a database instance: credentials by instance name */
  LB_REMOTE_TARGET_AUTOSCALING,   /* a project's endpoint: credentials by endpoint name */
} LbRemoteTargetKind;

const char    *lb_remote_target_kind_to_string  (LbRemoteTargetKind kind);  /* "provisioned", "autoscaling" */
gboolean       lb_remote_target_kind_from_string (const char        *text,
                                                  LbRemoteTargetKind *kind);

#define LB_TYPE_REMOTE_TARGET (lb_remote_target_get_type ())

/* The database the workers load: where it is and what a task mints its
 * credential for. No password or token: the task gets its own. */
typedef struct
{
  LbRemoteTargetKind kind;
  char  *instance_name;   /* provisioned */
  char  *endpoint;        /* autoscaling: "projects/p/branches/b/endpoints/e" */
  char  *host;
  guint  port;            /* default 5432 */
  char  *dbname;          /* default "databricks_postgres" */
  char  *sslmode;         /* default "require" */
  char  *user;            /* the run-as identity's userName */
} LbRemoteTarget;

GType           lb_remote_target_get_type (void) G_GNUC_CONST;
LbRemoteTarget *lb_remote_target_new      (LbRemoteTargetKind    kind);
LbRemoteTarget *lb_remote_target_copy     (const LbRemoteTarget *self);
void            lb_remote_target_free     (LbRemoteTarget       *self);
/* The host, the name the credential is minted for and the user are set. */
gboolean        lb_remote_target_validate (const LbRemoteTarget *self,
                                           GError              **error);
/* "instance retail-serving", "endpoint projects/p/branches/b/endpoints/e" */
char           *lb_remote_target_dup_label (const LbRemoteTarget *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbRemoteTarget, lb_remote_target_free)

/* ---- the plan ---- */

#define LB_TYPE_REMOTE_PLAN (lb_remote_plan_get_type ())

typedef struct
{
  char           *run_id;         /* "YYYYMMDD-HHMMSS-<6 hex>" (lb_remote_plan_new_run_id()) */
  char           *run_name;       /* shown in the Jobs UI; NULL: "Lakebase Accelerator load <run_id>" */
  char           *run_folder;     /* as the cluster sees it: "/Workspace/Users/<u>/.lakebase-accelerator/runs/<id>" */
  char           *samples_dir;    /* "/Volumes/c/s/v/lakebase-accelerator/<id>" */
  guint           workers;        /* >= 1 */
  char           *node_type_id;   /* "m5d.xlarge" */
  char           *spark_version;  /* NULL: LB_REMOTE_PLAN_DEFAULT_SPARK_VERSION */
  char          **script_args;    /* pgbench's script options naming files in run_folder/script
                                   * ("-f", "…/script/a.sql@8", …), NULL-terminated */
  LbRunSettings  *settings;       /* clients (all workers together), duration, rate, …;
                                   * conninfo is ignored */
  LbRemoteTarget *target;
  double          credential_refresh_seconds;  /* default LB_REMOTE_PLAN_CREDENTIAL_REFRESH_SECONDS */
  double          sampling_rate;  /* pgbench --sampling-rate, (0, 1]; default 1 */
  double          expected_tps;   /* count mode without a rate: all workers' expected tps for
                                   * the timeout; 0 = LB_REMOTE_PLAN_COUNT_MODE_FALLBACK_SECONDS */
} LbRemotePlan;

GType          lb_remote_plan_get_type          (void) G_GNUC_CONST;
/* An empty plan with the defaults above; takes copies of nothing. */
LbRemotePlan  *lb_remote_plan_new               (void);
LbRemotePlan  *lb_remote_plan_copy              (const LbRemotePlan *self);
void           lb_remote_plan_free              (LbRemotePlan       *self);

/* "20261202-165501-3fa2c9": the local time and 6 random hex digits. */
char          *lb_remote_plan_new_run_id        (void);
/* The run folder for the Workspace API ("/Users/<u>/.lakebase-accelerator/runs/<id>")
 * and the same folder as a cluster's local path ("/Workspace" + that). */
char          *lb_remote_plan_dup_workspace_folder (const char *user_name,
                                                    const char *run_id);
char          *lb_remote_plan_dup_cluster_path  (const char   *workspace_path);
/* "<volume>/lakebase-accelerator/<id>"; @volume is "/Volumes/c/s/v" (a
 * trailing "/" is dropped). */
char          *lb_remote_plan_dup_samples_dir   (const char   *volume,
                                                 const char   *run_id);
/* TRUE for "/Volumes/<catalog>/<schema>/<volume>" (and deeper). */
gboolean       lb_remote_plan_check_volume      (const char   *volume,
                                                 GError      **error);

/* Settings a remote run can take (no ladder, no pipeline: pgbench runs one
 * client count), workers ≤ clients, a target, folders, a node type. The
 * message says which and why (G_IO_ERROR_INVALID_ARGUMENT). */
gboolean       lb_remote_plan_validate          (const LbRemotePlan *self,
                                                 GError            **error);

/* Seconds a worker measures and warms up: warm-up + duration; in count mode
 * warm-up + transactions / rate (or / expected_tps, or the fallback). */
double         lb_remote_plan_run_seconds       (const LbRemotePlan *self);
/* run_seconds rounded up + LB_REMOTE_PLAN_TIMEOUT_MARGIN_SECONDS. */
guint          lb_remote_plan_timeout_seconds   (const LbRemotePlan *self);
/* "lakebase-accelerator-<run_id>": the same run id always gives the same
 * token, so a retried submit never starts a second load. */
char          *lb_remote_plan_dup_idempotency_token (const LbRemotePlan *self);

/* The body of POST /api/2.2/jobs/runs/submit: run_name, timeout_seconds,
 * idempotency_token and one task per worker ("worker-K"), each on its own
 * single-node new_cluster running run_folder/runner.py with parameters
 * ["--config", run_folder/config.json, "--worker", "K"]. */
JsonNode      *lb_remote_plan_build_submit_spec (const LbRemotePlan *self,
                                                 GError            **error);
/* config.json (the contract's version 1): the whole run's settings, the
 * target without any secret, samples_dir; "worker" 0, "client_id_base" 0 and
 * "clients" the total (each runner derives its own share by the split rule). */
JsonNode      *lb_remote_plan_build_config      (const LbRemotePlan *self,
                                                 GError            **error);

/* ---- cost ---- */

/* The cloud a workspace runs on, from its host: "aws" (*.cloud.databricks.com),
 * "azure" (*.azuredatabricks.net), "gcp" (*.gcp.databricks.com), else NULL. */
const char    *lb_remote_plan_cloud_for_host    (const char   *host);

typedef struct
{
  guint   workers;
  char   *node_type_id;
  char   *cloud;            /* "aws", "azure", "gcp" */
  guint   cores;            /* of one node */
  double  dbu_per_hour;     /* one node */
  double  dbu_price;        /* currency per DBU of jobs compute */
  double  startup_hours;    /* per worker: the start-up allowance (estimate) */
  double  run_hours;        /* per worker: the run itself (estimate) or what Jobs billed (actual) */
  double  dbus;             /* all workers, start-up included */
  double  startup_cost;
  double  run_cost;
  double  total;            /* startup_cost + run_cost */
  char   *currency;         /* "USD" */
  gboolean actual;          /* from the tasks' durations, not an estimate */
} LbRemoteCost;

void           lb_remote_cost_clear             (LbRemoteCost *cost);

/* workers × DBU/h × (start-up allowance + run) × price. An unknown node type
 * is an error naming the ones the sheet knows. */
gboolean       lb_remote_plan_estimate_cost     (LbPriceSheet  *sheet,
                                                 const char    *node_type_id,
                                                 guint          workers,
                                                 double         run_seconds,
                                                 LbRemoteCost  *cost,
                                                 GError       **error);
/* The cost Jobs billed: each task's seconds from its cluster's start to its
 * end (@task_seconds, @n_tasks of them) × DBU/h × price. */
gboolean       lb_remote_plan_actual_cost       (LbPriceSheet  *sheet,
                                                 const char    *node_type_id,
                                                 const double  *task_seconds,
                                                 guint          n_tasks,
                                                 LbRemoteCost  *cost,
                                                 GError       **error);
/* "About $0.42: 4 workers × 0.69 DBU/h × 0.25 h (5 min start-up + 10 min
 * run) × $0.15 per DBU of jobs compute. Cloud VM cost is billed separately
 * by the cloud provider." */
char          *lb_remote_cost_dup_summary       (const LbRemoteCost *cost);

/* ---- sizing ---- */

/* Remembered per-worker capacity, by node type, in a small JSON file
 * ($XDG_DATA_HOME/lakebase-accelerator/remote-capacity.json unless @file). */
GFile         *lb_remote_capacity_get_user_file (void);
/* A run's final files say tps_per_core × cores: remember the latest
 * (averaged with the one before, so one odd run does not rule). */
gboolean       lb_remote_capacity_remember      (GFile        *file,
                                                 const char   *node_type_id,
                                                 double        tps_per_core,
                                                 guint         cores,
                                                 GError      **error);
/* tps one worker of @node_type_id gives: the remembered figure, else
 * LB_REMOTE_DEFAULT_TPS_PER_CORE × the sheet's cores for the node type.
 * @remembered says which. 0 for a node type the sheet does not know and
 * nothing remembers. */
double         lb_remote_capacity_lookup        (GFile        *file,
                                                 LbPriceSheet *sheet,
                                                 const char   *node_type_id,
                                                 gboolean     *remembered);

/* ceil (@target_rate / @tps_per_worker), at least 1. */
guint          lb_remote_plan_workers_for_rate  (double        target_rate,
                                                 double        tps_per_worker);
/* "For 50,000 tps you need about 6 workers of m5d.xlarge (8,800 tps each,
 * measured in an earlier run)." */
char          *lb_remote_plan_dup_sizing_text   (double        target_rate,
                                                 double        tps_per_worker,
                                                 gboolean      remembered,
                                                 const char   *node_type_id);
/* Workers of the sheet's default node type on @cloud for @rate point
 * lookups/s, from the default per-core capacity (the README's on-paper figure). */
guint          lb_remote_plan_workers_for_point_lookups (LbPriceSheet *sheet,
                                                         const char   *cloud,
                                                         double        rate);

/* FALSE with a sentence in @warning when @clients (all workers together)
 * exceed the sheet's limits.connections_per_database: "4 workers × 300
 * clients open 1,200 connections; a Lakebase database accepts 1,000. …" */
gboolean       lb_remote_plan_check_connections (LbPriceSheet *sheet,
                                                 guint         clients,
                                                 guint         workers,
                                                 char        **warning);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbRemotePlan, lb_remote_plan_free)

G_END_DECLS
