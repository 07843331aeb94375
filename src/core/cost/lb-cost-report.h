/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a cost estimate is (LbCostReport, built by lb-cost-model.c) and the
 * forms it is shared in: the web tool's JSON, CSV and a text table. The
 * calculator page shows it; the CLI prints it. */
#pragma once

#include <json-glib/json-glib.h>

#include "lb-enums.h"

G_BEGIN_DECLS

/* The classic breakdown: exactly the keys of the web tool's cost_breakdown. */
typedef struct
{
  double   bulk_cu;
  double   continuous_cu;
  double   read_cu;
  double   total_cu;
  guint    recommended_cu;
  double   main_instance_cost;
  double   readable_secondaries_cost;
  double   total_compute_cost;
  double   storage_cost;
  double   continuous_sync_cost;
  double   triggered_sync_cost;
  double   total_sync_cost;
  double   estimated_sync_time_hours;
  double   total_monthly_cost;
  /* FALSE when per-sync figures do not apply (CONTINUOUS with per-sync data) */
  gboolean sync_time_applicable;
} LbCostBreakdown;

typedef struct
{
  double   total_cu;
  double   min_cu;
  double   max_cu;
  double   monthly_compute_cost_min;   /* always on at min_cu, hours_per_month */
  double   monthly_compute_cost_max;   /* always on at max_cu */
  double   monthly_storage_cost;
  double   monthly_sync_cost;          /* the same pipelines and syncs as the classic */
  /* compute at min (max) + storage + sync; the max is this flavour's estimate */
  double   monthly_total_cost_min;
  double   monthly_total_cost_max;
  double   max_connections;            /* at max_cu */
  gboolean needs_fixed_size;           /* demand above the largest autoscaling step */
} LbAutoscalingEstimate;

typedef enum
{
  LB_COST_WARNING_STORAGE_LIMIT,        /* over 2 TB */
  LB_COST_WARNING_CU_ABOVE_MAX,         /* demand above 8 provisioned CU */
  LB_COST_WARNING_CONNECTIONS,          /* more than 1,000 connections implied */
  LB_COST_WARNING_CONTINUOUS_PER_SYNC,  /* CONTINUOUS with per-sync data */
  LB_COST_WARNING_AUTOSCALING_FIXED,    /* autoscaling demand above 32 CU */
} LbCostWarningKind;

typedef struct
{
  LbCostWarningKind  kind;
  char              *message;           /* translated, one or two sentences */
} LbCostWarning;

/* Values the report was computed from, as the flattened workload_config. */
typedef struct
{
  double          bulk_writes_per_second;
  double          continuous_writes_per_second;
  double          reads_per_second;
  guint           number_of_readable_secondaries;
  double          readable_secondary_size_cu;
  double          promotion_percentage;
  double          data_stored_gb;
  double          estimated_data_deleted_daily_gb;
  guint           restore_windows_days;
  guint           number_of_continuous_pipelines;
  double          expected_data_per_sync_gb;
  LbSyncMode      sync_mode;
  LbSyncFrequency sync_frequency;
  guint           n_tables;
  LbFlavour       flavour;
} LbCostInputs;

#define LB_TYPE_COST_REPORT (lb_cost_report_get_type ())

typedef struct _LbCostReport LbCostReport;

/* Immutable once built by lb_cost_model_estimate(); reference counted. */
struct _LbCostReport
{
  /*< private >*/
  gatomicrefcount       ref_count;
  /*< public, read-only >*/
  LbCostInputs          inputs;
  LbCostBreakdown       breakdown;
  LbAutoscalingEstimate autoscaling;
  double                yearly_total_cost;          /* classic total × 12 */
  double                implied_connections;
  GPtrArray            *warnings;                   /* of LbCostWarning* */
  char                 *cu_explanation;             /* translated: why this CU tier */
  char                 *autoscaling_explanation;    /* translated: why this range */
  GDateTime            *timestamp;
  char                 *prices_name;                /* the price sheet's "name" */
  char                 *currency;                   /* the price sheet's "currency" ("USD") */
  JsonNode             *table_sizes;                /* measured sizes, or NULL */
};

GType          lb_cost_report_get_type        (void) G_GNUC_CONST;
LbCostReport  *lb_cost_report_ref             (LbCostReport *self);
void           lb_cost_report_unref           (LbCostReport *self);

/* {"timestamp", "workload_config", "cost_breakdown", "autoscaling",
 * "estimate"}: the web tool's report object (keys and meaning identical)
 * plus our autoscaling one and "estimate", which names the chosen flavour,
 * its monthly and yearly total, and the other flavour's as "comparison".
 * Numbers are JSON numbers at full precision. */
JsonNode      *lb_cost_report_to_json         (LbCostReport *self);
char          *lb_cost_report_to_json_string  (LbCostReport *self,
                                               gboolean      pretty);
/* "item,monthly,yearly" rows (RFC 4180), for spreadsheets: the chosen
 * flavour's lines first, each total naming its flavour and role. */
char          *lb_cost_report_to_csv          (LbCostReport *self);
/* A readable plain-text table, as `lakebase-cli estimate` prints it and the
 * clipboard receives it. */
char          *lb_cost_report_to_text         (LbCostReport *self);

/* The monthly figure that @flavour's estimate is: the classic total for
 * provisioned, always on at the range's max for autoscaling (what the
 * project costs at most). The chosen flavour is inputs.flavour; the other
 * one is shown for comparison. */
double         lb_cost_report_get_monthly_total (LbCostReport *self,
                                                 LbFlavour     flavour);

gboolean       lb_cost_report_has_warning     (LbCostReport      *self,
                                               LbCostWarningKind  kind);

/* Attaches measured table sizes (the `table_sizes` object of cost-model.md)
 * so they appear in the JSON; right after the estimate, before sharing. */
void           lb_cost_report_set_table_sizes (LbCostReport *self,
                                               JsonNode     *table_sizes);

/* "$1,540.33": rounded half away from zero to cents, thousands grouped. */
char          *lb_format_money                (double        amount);
/* The same in @currency: "$" for USD (and NULL), "€" for EUR, "£" for GBP,
 * else the code after the number ("1,540.33 CHF"). */
char          *lb_format_money_in             (double        amount,
                                               const char   *currency);
/* "12,000", "1.60": @decimals places, rounded half away from zero, thousands
 * grouped with "," (locale-independent, like every figure in the reports). */
char          *lb_format_number               (double        value,
                                               guint         decimals);

/* For lb-cost-model.c, which builds reports: a zeroed report holding one
 * reference, and a way to append a warning (takes @message). */
LbCostReport  *_lb_cost_report_new            (void);
void           _lb_cost_report_add_warning    (LbCostReport      *self,
                                               LbCostWarningKind  kind,
                                               char              *message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbCostReport, lb_cost_report_unref)

G_END_DECLS
