/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The fixture of the lakebase-cli tests that talk to the fake workspace
 * (test-cli-databricks, test-cli-status): a private directory, a
 * databrickscfg whose DEFAULT profile is the fake (and a second profile with a
 * secret of its own), the sample workload, and runs of the CLI that see none
 * of the real user's settings and leak no secret. */
#pragma once

#include "lb-fake-workspace.h"
#include "lb-test-utils.h"

G_BEGIN_DECLS

/* The client secret of the databrickscfg's [robot] profile. */
#define LB_TEST_CLI_OTHER_SECRET "m2m-s3cret-value"

typedef struct
{
  LbFakeWorkspace *fake;
  char            *tmp_dir;
  char            *config;     /* the databrickscfg the CLI reads */
  char            *sample;     /* data/samples/workload.yml: autoscaling, profile DEFAULT */
} LbTestCliWorkspace;

/* For g_test_add(): the directory is named after the test program. */
void  lb_test_cli_workspace_setup              (LbTestCliWorkspace *ws,
                                                gconstpointer       data);
void  lb_test_cli_workspace_teardown           (LbTestCliWorkspace *ws,
                                                gconstpointer       data);

/* No secret the fake handed out, nor the other profile's, in @text. */
void  lb_test_cli_workspace_assert_no_secrets  (LbTestCliWorkspace *ws,
                                                const char         *text);

/* Runs $LB_CLI with the given arguments (NULL-terminated): stdin from
 * /dev/null, HOME and the XDG directories in the fixture's, no DATABRICKS_*
 * or ARM_* variable but the config file; both streams checked for secrets. */
void  lb_test_cli_workspace_run                (LbTestCliWorkspace *ws,
                                                LbTestCliResult    *result,
                                                const char         *first,
                                                ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
