/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The enumerations' spellings in the workload YAML, read as the web tool
 * reads them, and their translated labels for the UI. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lb-enums.h"

static const char * const sync_mode_names[] = { "SNAPSHOT", "TRIGGERED", "CONTINUOUS" };
static const char * const sync_mode_labels[] = { N_("Snapshot"), N_("Triggered"), N_("Continuous") };
static const char * const frequency_names[] = { "Per week", "Per day", "Per hour" };
static const char * const frequency_labels[] = { N_("Per week"), N_("Per day"), N_("Per hour") };
static const char * const flavour_names[] = { "autoscaling", "provisioned" };
static const char * const flavour_labels[] = { N_("Autoscaling"), N_("Provisioned") };

static gboolean
find_name (const char         *text,
           const char * const *names,
           guint               n_names,
           guint              *index)
{
  g_autofree char *stripped = NULL;

  if (text == NULL)
    return FALSE;

  stripped = g_strstrip (g_strdup (text));

  /* Case-insensitive, as the web tool compares sync modes. */
  for (guint i = 0; i < n_names; i++)
    {
      if (g_ascii_strcasecmp (stripped, names[i]) == 0)
        {
          *index = i;
          return TRUE;
        }
    }

  return FALSE;
}

const char *
lb_sync_mode_to_string (LbSyncMode mode)
{
  g_return_val_if_fail (mode <= LB_SYNC_MODE_CONTINUOUS, NULL);
  return sync_mode_names[mode];
}

gboolean
lb_sync_mode_from_string (const char *text,
                          LbSyncMode *mode)
{
  guint index;

  if (!find_name (text, sync_mode_names, G_N_ELEMENTS (sync_mode_names), &index))
    return FALSE;
  if (mode != NULL)
    *mode = index;
  return TRUE;
}

const char *
lb_sync_mode_get_label (LbSyncMode mode)
{
  g_return_val_if_fail (mode <= LB_SYNC_MODE_CONTINUOUS, NULL);
  return _(sync_mode_labels[mode]);
}

const char *
lb_sync_frequency_to_string (LbSyncFrequency frequency)
{
  g_return_val_if_fail (frequency <= LB_SYNC_FREQUENCY_PER_HOUR, NULL);
  return frequency_names[frequency];
}

gboolean
lb_sync_frequency_from_string (const char      *text,
                               LbSyncFrequency *frequency)
{
  guint index;

  if (!find_name (text, frequency_names, G_N_ELEMENTS (frequency_names), &index))
    return FALSE;
  if (frequency != NULL)
    *frequency = index;
  return TRUE;
}

const char *
lb_sync_frequency_get_label (LbSyncFrequency frequency)
{
  g_return_val_if_fail (frequency <= LB_SYNC_FREQUENCY_PER_HOUR, NULL);
  return _(frequency_labels[frequency]);
}

const char *
lb_flavour_to_string (LbFlavour flavour)
{
  g_return_val_if_fail (flavour <= LB_FLAVOUR_PROVISIONED, NULL);
  return flavour_names[flavour];
}

gboolean
lb_flavour_from_string (const char *text,
                        LbFlavour  *flavour)
{
  guint index;

  if (!find_name (text, flavour_names, G_N_ELEMENTS (flavour_names), &index))
    return FALSE;
  if (flavour != NULL)
    *flavour = index;
  return TRUE;
}

const char *
lb_flavour_get_label (LbFlavour flavour)
{
  g_return_val_if_fail (flavour <= LB_FLAVOUR_PROVISIONED, NULL);
  return _(flavour_labels[flavour]);
}
