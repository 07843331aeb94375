/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The prices the cost model reads: built in, or overridden key by key from
 * the user's prices.json. The calculator, `lakebase-cli estimate` and the
 * deployment plan load a sheet. */
#pragma once

#include <gio/gio.h>

#include "lb-enums.h"

G_BEGIN_DECLS

#define LB_PRICE_SHEET_ERROR (lb_price_sheet_error_quark ())

typedef enum
{
  LB_PRICE_SHEET_ERROR_PARSE,    /* not JSON */
  LB_PRICE_SHEET_ERROR_INVALID,  /* JSON, but a key is missing, mistyped or out of range */
} LbPriceSheetError;

GQuark lb_price_sheet_error_quark (void);

#define LB_AUTOSCALING_MAX_STEPS 32

/* The constants of the cost model (reference/cost-model.md). All money in
 * the sheet's currency (USD for the built-in sheet). */
typedef struct
{
  /* classic (provisioned) model */
  double cu_month;                      /* one CU for a month: cu_year / 12 */
  double storage_gb_month;              /* 0.345 */
  double continuous_pipeline_month;     /* 548 */
  double sync_hour;                     /* 0.75 */
  double bulk_writes_per_cu;            /* 14000 */
  double continuous_writes_per_cu;      /* 1500 */
  double reads_per_cu;                  /* 10000 */
  double sync_rate_gb_hour[2][3];       /* [SNAPSHOT|TRIGGERED][1 CU, 2 CU, 4 CU] */
  double sync_overhead_hours;           /* 10 minutes = 1/6 h */
  double syncs_per_week[3];             /* by LbSyncFrequency */
  double weeks_per_month;               /* 4 */
  guint  cu_tiers[4];                   /* 1, 2, 4, 8 */
  guint  n_cu_tiers;

  /* autoscaling flavour */
  double autoscaling_cu_hour;           /* 0.111 */
  double autoscaling_storage_gb_month;  /* 0.35 */
  double autoscaling_hours_per_month;   /* 730 */
  double autoscaling_steps[LB_AUTOSCALING_MAX_STEPS]; /* 0.5, 1, 2, 4, … 32 */
  guint  n_autoscaling_steps;
  double autoscaling_max_spread_cu;     /* 8: max - min */
  double autoscaling_gb_per_cu;         /* 2 */

  /* limits worth warning about */
  double storage_limit_gb;              /* 2 TB */
  double connections_limit;             /* per database: 1000 */
  double connections_per_synced_table;  /* 16 */
  double assumed_query_latency_ms;      /* for Little's law: connections = rate × latency */
} LbPrices;

#define LB_TYPE_PRICE_SHEET (lb_price_sheet_get_type ())

G_DECLARE_FINAL_TYPE (LbPriceSheet, lb_price_sheet, LB, PRICE_SHEET, GObject)

/* The sheet compiled in as a GResource (data/prices/default.json). */
LbPriceSheet   *lb_price_sheet_new_default       (void);
/* A JSON file: keys it has override the built-in sheet, keys it lacks keep
 * the built-in values, so a user file may hold one price only. */
LbPriceSheet   *lb_price_sheet_new_from_file     (GFile         *file,
                                                  GError       **error);
LbPriceSheet   *lb_price_sheet_new_from_data     (const char    *data,
                                                  gssize         length,
                                                  GError       **error);
/* $XDG_CONFIG_HOME/lakebase-accelerator/prices.json when it exists, else the
 * default. A broken user file is an error (never silently ignored). */
LbPriceSheet   *lb_price_sheet_new_for_user      (GError       **error);
GFile          *lb_price_sheet_get_user_file     (void);

/* Jobs compute (the jobs_compute section): a node type a Databricks task
 * can run on, what it bills and how many cores it has. List-price
 * assumptions; a user file may change or add node types. */
typedef struct
{
  const char *name;          /* node_type_id: "m5d.xlarge" */
  const char *cloud;         /* "aws", "azure", "gcp" */
  guint       cores;
  double      dbu_per_hour;
} LbJobsNodeType;

/* NULL for a name the sheet does not know. */
const LbJobsNodeType *lb_price_sheet_find_jobs_node_type (LbPriceSheet *self,
                                                          const char   *name);
/* The node types of @cloud (NULL: all), by cloud then name; the array owns
 * nothing (its elements live as long as the sheet). */
GPtrArray      *lb_price_sheet_list_jobs_node_types (LbPriceSheet *self,
                                                     const char   *cloud);
/* Currency per DBU of jobs compute on @cloud; 0 for an unknown cloud. */
double          lb_price_sheet_get_jobs_dbu_price   (LbPriceSheet *self,
                                                     const char   *cloud);
const char     *lb_price_sheet_get_jobs_default_node_type (LbPriceSheet *self,
                                                           const char   *cloud);
/* Minutes a job cluster takes to start, billed before the task runs. */
double          lb_price_sheet_get_jobs_startup_minutes (LbPriceSheet *self);

/* Owned by the sheet and valid for its life. */
const LbPrices *lb_price_sheet_get_prices        (LbPriceSheet  *self);
const char     *lb_price_sheet_get_name          (LbPriceSheet  *self);
const char     *lb_price_sheet_get_currency      (LbPriceSheet  *self);

G_END_DECLS
