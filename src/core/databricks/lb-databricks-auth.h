/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Signing in to a workspace for LbDatabricksClient, from a profile that
 * lb-databricks-config.h resolved or a token typed into the Deploy view. */
#pragma once

#include <gio/gio.h>

#include "lb-databricks-config.h"

G_BEGIN_DECLS

#define LB_DATABRICKS_AUTH_ERROR (lb_databricks_auth_error_quark ())

typedef enum
{
  LB_DATABRICKS_AUTH_ERROR_NOT_CONFIGURED,  /* the profile gives no way to sign in */
  LB_DATABRICKS_AUTH_ERROR_LOGIN_NEEDED,    /* OAuth U2M without a usable token: the message says what to run */
  LB_DATABRICKS_AUTH_ERROR_REFUSED,         /* the token endpoint said no */
} LbDatabricksAuthError;

GQuark lb_databricks_auth_error_quark (void);

#define LB_TYPE_DATABRICKS_AUTH (lb_databricks_auth_get_type ())

/* Turns a resolved profile into the Authorization header of each request,
 * fetching and refreshing OAuth tokens as needed. Tokens never reach a log. */
G_DECLARE_FINAL_TYPE (LbDatabricksAuth, lb_databricks_auth, LB, DATABRICKS_AUTH, GObject)

LbDatabricksAuth    *lb_databricks_auth_new                (const LbDatabricksProfile *profile);
/* A fixed bearer token (a PAT typed into the app). */
LbDatabricksAuth    *lb_databricks_auth_new_for_token      (const char                *host,
                                                            const char                *token);
LbDatabricksAuthKind lb_databricks_auth_get_kind           (LbDatabricksAuth          *self);
const char          *lb_databricks_auth_get_host           (LbDatabricksAuth          *self);
/* The profile's workspace_id (or the host's ?w=/?o=), or NULL. */
const char          *lb_databricks_auth_get_workspace_id   (LbDatabricksAuth          *self);

/* "Bearer …", from a cache while it is valid for 5 more minutes. */
void                 lb_databricks_auth_get_header_async   (LbDatabricksAuth          *self,
                                                            GCancellable              *cancellable,
                                                            GAsyncReadyCallback        callback,
                                                            gpointer                   user_data);
char                *lb_databricks_auth_get_header_finish  (LbDatabricksAuth          *self,
                                                            GAsyncResult              *result,
                                                            GError                   **error);
/* After a 401: forget the cached token so the next header is fresh.
 * Returns FALSE when a fresh one cannot help (a fixed PAT). */
gboolean             lb_databricks_auth_invalidate         (LbDatabricksAuth          *self);

G_END_DECLS
