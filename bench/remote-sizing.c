/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench/remote-run's arithmetic: workers of each cloud's default node type
 * for a rate, from a measured pgbench capacity per core, through the
 * sizing of lb-remote-plan (the function the tester's sizing help uses).
 *
 *   remote-sizing TPS_PER_CORE RATE */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "lb-price-sheet.h"
#include "lb-remote-plan.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(LbPriceSheet) sheet = lb_price_sheet_new_default ();
  const char *clouds[] = { "aws", "azure", "gcp" };
  double tps_per_core, rate;

  if (argc != 3)
    {
      fprintf (stderr, "usage: %s TPS_PER_CORE RATE\n", argv[0]);
      return 2;
    }
  tps_per_core = g_ascii_strtod (argv[1], NULL);
  rate = g_ascii_strtod (argv[2], NULL);

  for (guint i = 0; i < G_N_ELEMENTS (clouds); i++)
    {
      const char *name = lb_price_sheet_get_jobs_default_node_type (sheet, clouds[i]);
      const LbJobsNodeType *node = name != NULL ? lb_price_sheet_find_jobs_node_type (sheet, name) : NULL;
      double per_worker;

      if (node == NULL)
        continue;
      per_worker = tps_per_core * node->cores;
      /* "cloud node cores tps_per_worker workers workers_at_default_capacity" */
      printf ("%s %s %u %.0f %u %u\n", clouds[i], node->name, node->cores, per_worker,
              lb_remote_plan_workers_for_rate (rate, per_worker),
              lb_remote_plan_workers_for_point_lookups (sheet, clouds[i], rate));
    }
  return 0;
}
