/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Our own browser sign-in to a Databricks workspace (OAuth U2M: the
 * authorization code grant with PKCE, as the public client the Databricks
 * CLI uses), so the app signs in where the host's `databricks` command is
 * out of reach (the Flatpak sandbox). */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define LB_OAUTH_ERROR (lb_oauth_error_quark ())

typedef enum
{
  LB_OAUTH_ERROR_NOT_SUPPORTED,   /* the host has no OAuth endpoints (discovery 404) */
  LB_OAUTH_ERROR_DISCOVERY,       /* discovery failed or answered nonsense */
  LB_OAUTH_ERROR_DENIED,          /* the browser came back with error=… */
  LB_OAUTH_ERROR_STATE_MISMATCH,  /* the redirect was not for our request */
  LB_OAUTH_ERROR_TOKEN,           /* the token endpoint refused */
  LB_OAUTH_ERROR_TIMED_OUT,       /* nobody came back from the browser */
  LB_OAUTH_ERROR_LISTEN,          /* no loopback port to listen on */
  LB_OAUTH_ERROR_ACCOUNT_ID_NEEDED, /* an account or unified host: give the account id */
} LbOAuthError;

GQuark lb_oauth_error_quark (void);

/* The public client id of the Databricks CLI, and the scopes it asks for. */
#define LB_OAUTH_CLIENT_ID "databricks-cli"
#define LB_OAUTH_SCOPES    "all-apis offline_access"

/* What kind of host answered discovery, as the SDKs tell them apart. */
typedef enum
{
  LB_OAUTH_HOST_WORKSPACE,  /* a workspace: {host}/oidc */
  LB_OAUTH_HOST_ACCOUNT,    /* an account console (accounts.…) */
  LB_OAUTH_HOST_UNIFIED,    /* one host for the account and its workspaces:
                             * the account's OIDC, the workspace named by
                             * X-Databricks-Workspace-Id */
} LbOAuthHostType;

typedef struct
{
  char            *authorization_endpoint;
  char            *token_endpoint;
  char            *account_id;    /* given or from the host's metadata; may be NULL */
  char            *workspace_id;  /* from the host's metadata; may be NULL */
  LbOAuthHostType  host_type;
} LbOAuthEndpoints;

LbOAuthEndpoints *lb_oauth_endpoints_copy (const LbOAuthEndpoints *self);
void              lb_oauth_endpoints_free (LbOAuthEndpoints *self);
/* https://accounts.… and https://accounts-dod.… (the SDKs' rule). */
gboolean          lb_oauth_is_account_host     (const char *host);
/* A Databricks account id is a UUID. */
gboolean          lb_oauth_is_valid_account_id (const char *account_id);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbOAuthEndpoints, lb_oauth_endpoints_free)

/* What the token endpoint gave. Secrets: never logged, never shown. */
typedef struct
{
  char   *access_token;
  char   *refresh_token;   /* NULL when none was issued */
  char   *token_endpoint;  /* where to refresh */
  gint64  expires_at;      /* wall-clock µs (g_get_real_time), 0 = unknown */
} LbOAuthTokens;

LbOAuthTokens    *lb_oauth_tokens_copy          (const LbOAuthTokens *self);
/* Zeroes the secrets before freeing them. */
void              lb_oauth_tokens_free          (LbOAuthTokens       *self);
/* Fewer than 5 minutes left (or expired): refresh before use, as the SDKs do. */
gboolean          lb_oauth_tokens_needs_refresh (const LbOAuthTokens *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbOAuthTokens, lb_oauth_tokens_free)

/* OIDC discovery, resolved as the Databricks SDKs do. An account host
 * (accounts.…, with @account_id) uses {host}/oidc/accounts/{id}/v1/…. Any
 * other host is asked {host}/.well-known/databricks-config first: its
 * oidc_endpoint (with {account_id} filled in from @account_id or the
 * metadata's own account_id) + /.well-known/oauth-authorization-server; a
 * unified host answers there with its account's OIDC and, for a workspace
 * URL, the workspace id. Without metadata (older workspaces):
 * {host}/oidc/.well-known/oauth-authorization-server. @account_id, when
 * given, must be a UUID. @session may be NULL. */
void              lb_oauth_discover_async       (SoupSession          *session,
                                                 const char           *host,
                                                 const char           *account_id,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
LbOAuthEndpoints *lb_oauth_discover_finish      (GAsyncResult         *result,
                                                 GError              **error);

/* The refresh_token grant; the answer keeps the old refresh token when the
 * endpoint issues no new one. @session may be NULL. */
void              lb_oauth_refresh_async        (SoupSession          *session,
                                                 const LbOAuthTokens  *tokens,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
LbOAuthTokens    *lb_oauth_refresh_finish       (GAsyncResult         *result,
                                                 GError              **error);

#define LB_TYPE_OAUTH_LOGIN (lb_oauth_login_get_type ())

/* One browser sign-in: discovery, a one-shot listener on the loopback
 * (127.0.0.1, and ::1 on the same port; the redirect URI says
 * http://localhost:PORT like the Databricks CLI's) for the redirect, the authorize URL (handed out by the "open-uri" signal: the UI
 * opens it in the browser, the CLI prints it, the tests follow it), the
 * check of `state`, and the code exchange with the PKCE verifier. Cancel
 * with the GCancellable; it gives up after "timeout" seconds.
 *
 * Properties: "host" (construct-only), "account-id" (construct-only),
 * "port" (the loopback port: -1 = 8020…8040 as the CLI, then any free one;
 * 0 = any free one), "timeout" (seconds, default 300).
 * Signals: "open-uri" (const char *uri): open this in a browser. The URI
 * carries no secret (only the challenge, never the verifier). */
G_DECLARE_FINAL_TYPE (LbOAuthLogin, lb_oauth_login, LB, OAUTH_LOGIN, GObject)

LbOAuthLogin     *lb_oauth_login_new            (const char           *host,
                                                 const char           *account_id);
const char       *lb_oauth_login_get_host       (LbOAuthLogin         *self);
void              lb_oauth_login_set_port       (LbOAuthLogin         *self,
                                                 int                   port);
void              lb_oauth_login_set_timeout    (LbOAuthLogin         *self,
                                                 guint                 seconds);
/* What discovery found (host type, account and workspace ids) once
 * "open-uri" was emitted, else NULL. */
const LbOAuthEndpoints *lb_oauth_login_get_endpoints (LbOAuthLogin *self);
/* The authorize URL once "open-uri" was emitted, else NULL. */
const char       *lb_oauth_login_get_uri        (LbOAuthLogin         *self);
void              lb_oauth_login_run_async      (LbOAuthLogin         *self,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
LbOAuthTokens    *lb_oauth_login_run_finish     (LbOAuthLogin         *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

G_END_DECLS
