/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The workload's enumerations (sync mode, sync frequency, flavour), shared
 * by the YAML code, the cost model, the calculator's form and the deployment
 * plan. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Delta → PostgreSQL sync mode; also the scheduling policy of one synced table. */
typedef enum
{
  LB_SYNC_MODE_SNAPSHOT,
  LB_SYNC_MODE_TRIGGERED,
  LB_SYNC_MODE_CONTINUOUS,
} LbSyncMode;

typedef enum
{
  LB_SYNC_FREQUENCY_PER_WEEK,
  LB_SYNC_FREQUENCY_PER_DAY,
  LB_SYNC_FREQUENCY_PER_HOUR,
} LbSyncFrequency;

typedef enum
{
  LB_FLAVOUR_AUTOSCALING,
  LB_FLAVOUR_PROVISIONED,
} LbFlavour;

/* Canonical spellings as they appear in the workload YAML
 * ("SNAPSHOT", "Per day", "autoscaling"). */
const char *lb_sync_mode_to_string      (LbSyncMode       mode);
gboolean    lb_sync_mode_from_string    (const char      *text,
                                         LbSyncMode      *mode);
const char *lb_sync_frequency_to_string (LbSyncFrequency  frequency);
gboolean    lb_sync_frequency_from_string (const char    *text,
                                           LbSyncFrequency *frequency);
const char *lb_flavour_to_string        (LbFlavour        flavour);
gboolean    lb_flavour_from_string      (const char      *text,
                                         LbFlavour       *flavour);

/* Translated labels for the UI ("Snapshot", "Per day", "Autoscaling"). */
const char *lb_sync_mode_get_label      (LbSyncMode       mode);
const char *lb_sync_frequency_get_label (LbSyncFrequency  frequency);
const char *lb_flavour_get_label        (LbFlavour        flavour);

G_END_DECLS
