/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Profiles made by the browser sign-in: what they hold (a host and
 * auth_type = databricks-cli; the tokens stay in the keyring), the name
 * suggested for one, and adding one to ~/.databrickscfg when the user asks. */
#pragma once

#include <gio/gio.h>

#include "lb-databricks-config.h"

G_BEGIN_DECLS

/* An OAuth U2M profile named @name for @host (normalised). */
LbDatabricksProfile *lb_oauth_profile_new            (const char  *name,
                                                      const char  *host);
/* The same with the account id (account and unified hosts) and the
 * workspace id (a workspace of a unified host); NULL or "" for none. */
LbDatabricksProfile *lb_oauth_profile_new_full       (const char  *name,
                                                      const char  *host,
                                                      const char  *account_id,
                                                      const char  *workspace_id);
/* "dbc-1234" for https://dbc-1234.cloud.databricks.com. */
char                *lb_oauth_profile_suggest_name   (const char  *host);
/* Appends [@name] host = … auth_type = databricks-cli to @file (created
 * 0600 when missing). Fails with G_IO_ERROR_EXISTS when the file has such
 * a profile already, and with the file's own error (G_IO_ERROR_READ_ONLY,
 * PERMISSION_DENIED, …) and a sentence saying so when it cannot be written,
 * as inside the Flatpak, which may only read it. */
gboolean             lb_oauth_profile_write_to_config (GFile      *file,
                                                       const char *name,
                                                       const char *host,
                                                       GError    **error);
/* The same with account_id = and workspace_id = lines when given. */
gboolean             lb_oauth_profile_write_to_config_full (GFile      *file,
                                                            const char *name,
                                                            const char *host,
                                                            const char *account_id,
                                                            const char *workspace_id,
                                                            GError    **error);

G_END_DECLS
