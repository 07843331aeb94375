/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A fake Databricks workspace for the tests: a SoupServer on 127.0.0.1
 * (a free port) running in its OWN thread with its own GMainContext, so test
 * code may block or spin the default main context without deadlocking.
 *
 * Pieces:
 *   lb-fake-workspace.c           server, router, auth check, knobs, request log
 *   lb-fake-workspace-lakebase.c  SCIM Me, /api/2.0/database/…, /api/2.0/postgres/…
 *   lb-fake-workspace-pipelines.c Lakeflow pipelines behind synced tables: GET
 *                                 state and latest updates, POST …/updates
 *                                 (Sync Now); lb-fake-workspace-pipelines.h
 *   lb-fake-workspace-oauth.c     OIDC discovery, /oidc/v1/authorize (a consent
 *                                 page), /oidc/v1/token (PKCE S256, refresh), and
 *                                 a scripted browser for the tests
 *   lb-fake-workspace-jobs.c      workspace files, the Files API and Jobs runs
 *                                 that really start their tasks as local
 *                                 python3 processes; lb-fake-workspace-jobs.h
 *   lb-fake-workspace-sql.c       warehouses, SQL statements, Unity Catalog tables
 *                                 (part 2; registers its routes with
 *                                 lb_fake_workspace_add_route() from
 *                                 _lb_fake_workspace_sql_init(), called by
 *                                 lb_fake_workspace_new() when that file is built in)
 *
 * Threading: every route handler runs in the fake's thread WITH THE FAKE'S
 * LOCK HELD, so handlers may touch shared state freely. Every public function
 * below is safe to call from the test's thread (they take the same lock);
 * never call them from inside a handler (use the _locked helpers there).
 *
 * Auth: every /api/ request must carry "Authorization: Bearer <token>" with
 * the token of lb_fake_workspace_get_token(); anything else is a 401
 * UNAUTHENTICATED. After lb_fake_workspace_expire_token() every request is
 * a 401 with the message "Token is expired." */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _LbFakeWorkspace LbFakeWorkspace;

/* What a handler gets. @path is the decoded URL path ("/api/2.0/…"),
 * @query the decoded query (never NULL; may be empty), @body the parsed JSON
 * request body (NULL when there was none; a malformed body is answered with a
 * 400 before any handler runs). The handler must answer with one of the
 * lb_fake_reply_*() helpers. */
typedef struct
{
  SoupServerMessage *msg;
  const char        *method;
  const char        *path;
  GHashTable        *query;
  JsonNode          *body;
} LbFakeRequest;

typedef void (*LbFakeRouteFunc) (LbFakeWorkspace *fake,
                                 LbFakeRequest   *request,
                                 gpointer         user_data);

LbFakeWorkspace *lb_fake_workspace_new               (void);
void             lb_fake_workspace_free              (LbFakeWorkspace *fake);

/* "http://127.0.0.1:PORT" (no trailing slash): the profile's host. */
const char      *lb_fake_workspace_get_url           (LbFakeWorkspace *fake);
/* The PAT the fake accepts. */
const char      *lb_fake_workspace_get_token         (LbFakeWorkspace *fake);

/* Routes: @method NULL matches any method; @path_prefix is matched against
 * the start of the path and the longest matching prefix wins. Unmatched
 * paths get 404 ENDPOINT_NOT_FOUND. Call before the tests send requests. */
void             lb_fake_workspace_add_route         (LbFakeWorkspace *fake,
                                                      const char      *method,
                                                      const char      *path_prefix,
                                                      LbFakeRouteFunc  func,
                                                      gpointer         user_data,
                                                      GDestroyNotify   destroy);

/* ---- Knobs (thread-safe; they act before any route) ---- */

/* The next @count requests matching @method (NULL: any) and @path_prefix get
 * @status with @body sent verbatim (NULL: a JSON error body made up from the
 * status, e.g. 403 PERMISSION_DENIED; "{not json" with 200 gives malformed
 * JSON). */
void             lb_fake_workspace_fail_next         (LbFakeWorkspace *fake,
                                                      const char      *method,
                                                      const char      *path_prefix,
                                                      guint            status,
                                                      const char      *body,
                                                      guint            count);
/* The next @count requests under @path_prefix get 429 REQUEST_LIMIT_EXCEEDED
 * with "Retry-After: @retry_after_s". */
void             lb_fake_workspace_throttle_next     (LbFakeWorkspace *fake,
                                                      const char      *path_prefix,
                                                      guint            retry_after_s,
                                                      guint            count);
/* From now on every request is a 401 (the token has expired). */
void             lb_fake_workspace_expire_token      (LbFakeWorkspace *fake);
/* How many GETs a resource (instance, branch, endpoint, operation, each
 * synced-table phase) needs before it moves on. Default 2; 0 = at once. */
void             lb_fake_workspace_set_polls_until_ready (LbFakeWorkspace *fake,
                                                          guint            n);
guint            lb_fake_workspace_get_polls_until_ready_locked (LbFakeWorkspace *fake);
/* Every answer waits @ms first (for cancellation tests). Default 0. */
void             lb_fake_workspace_set_delay_ms      (LbFakeWorkspace *fake,
                                                      guint            ms);
/* SCIM Me's userName (default "ana@example.com"), the Postgres role name. */
void             lb_fake_workspace_set_user_name     (LbFakeWorkspace *fake,
                                                      const char      *user_name);
const char      *lb_fake_workspace_get_user_name_locked (LbFakeWorkspace *fake);
/* The host the fake puts in read_write_dns / endpoint hosts. Default: a
 * directory that does not exist (a libpq "host" starting with "/" is a
 * socket directory), so connecting fails at once without touching the
 * network; point it at a pg-sandbox socket directory for a real connection. */
void             lb_fake_workspace_set_pg_host       (LbFakeWorkspace *fake,
                                                      const char      *host);
const char      *lb_fake_workspace_get_pg_host_locked (LbFakeWorkspace *fake);

/* ---- Request log (thread-safe) ---- */

/* Requests whose method equals @method (NULL: any) and whose path starts
 * with @path_prefix (NULL: any), knob answers included. */
guint            lb_fake_workspace_count_requests    (LbFakeWorkspace *fake,
                                                      const char      *method,
                                                      const char      *path_prefix);
/* One line per request so far: "METHOD /path[?query] STATUS". Free with
 * g_strfreev(). Never contains the Authorization header. */
char           **lb_fake_workspace_dup_log           (LbFakeWorkspace *fake);
/* Requests that carried X-Databricks-Workspace-Id @workspace_id (NULL:
 * those without the header). */
guint            lb_fake_workspace_count_workspace_id (LbFakeWorkspace *fake,
                                                       const char      *workspace_id);
/* When each request of lb_fake_workspace_count_requests()'s selection was
 * answered (g_get_real_time() µs, in order), for requests-per-second
 * figures. Free with g_array_unref(). */
GArray          *lb_fake_workspace_dup_request_times (LbFakeWorkspace *fake,
                                                      const char      *method,
                                                      const char      *path_prefix);
void             lb_fake_workspace_clear_log         (LbFakeWorkspace *fake);
/* Every secret the fake has handed out or accepts (the PAT, each database
 * credential token), for tests that grep output for leaks. */
char           **lb_fake_workspace_dup_secrets       (LbFakeWorkspace *fake);
/* For handlers (lock held): remember a secret issued in a response. */
void             lb_fake_workspace_add_secret_locked (LbFakeWorkspace *fake,
                                                      const char      *secret);
/* For handlers (lock held): @token is accepted as a bearer token until
 * @expires_at (g_get_real_time µs), then answered "Token is expired."; it
 * is remembered as a secret too. */
void             lb_fake_workspace_accept_token_locked (LbFakeWorkspace *fake,
                                                        const char      *token,
                                                        gint64           expires_at);

/* ---- OAuth U2M (lb-fake-workspace-oauth.c; thread-safe) ---- */

/* The lifetime of the access tokens /oidc/v1/token issues. Default 3600 s. */
void             lb_fake_workspace_set_oauth_expires_in (LbFakeWorkspace *fake,
                                                         guint            seconds);
/* Successful grants so far of @grant_type ("authorization_code",
 * "refresh_token"), and refused ones. */
guint            lb_fake_workspace_count_oauth_grants (LbFakeWorkspace *fake,
                                                       const char      *grant_type);
guint            lb_fake_workspace_count_oauth_refusals (LbFakeWorkspace *fake);
/* Answer as a unified host of account @account_id (NULL: a classic
 * workspace again): /.well-known/databricks-config names
 * /oidc/accounts/{account_id} (and @workspace_id when not NULL, as for a
 * workspace URL), the OIDC lives there and /oidc/.well-known/… is gone. */
void             lb_fake_workspace_set_oauth_unified (LbFakeWorkspace *fake,
                                                      const char      *account_id,
                                                      const char      *workspace_id);

/* A scripted browser: in a thread of its own it opens @uri (an authorize
 * URL of the fake), reads the consent form, posts it and follows the 302 to
 * the redirect_uri (the app's loopback listener), as a person's browser
 * would. */
typedef enum
{
  LB_FAKE_BROWSER_ALLOW,            /* consent given */
  LB_FAKE_BROWSER_DENY,             /* consent refused: ?error=access_denied */
  LB_FAKE_BROWSER_WRONG_STATE,      /* the redirect's state is altered */
  LB_FAKE_BROWSER_OTHER_CHALLENGE,  /* the authorize URL's code_challenge is replaced */
} LbFakeBrowserMode;

typedef struct _LbFakeBrowser LbFakeBrowser;

LbFakeBrowser   *lb_fake_browser_start               (const char        *uri,
                                                      LbFakeBrowserMode  mode);
/* The browser has had its last answer. The app answers it from its main
 * context: spin that until this is TRUE before lb_fake_browser_finish(). */
gboolean         lb_fake_browser_is_done             (gpointer           browser);  /* an LbFakeBrowser */
/* Waits for the browser; returns the page the loopback answered (or NULL
 * with @error), @status its HTTP status. Frees @browser. */
char            *lb_fake_browser_finish              (LbFakeBrowser     *browser,
                                                      guint             *status,
                                                      GError           **error);

/* ---- Lakebase state (lb-fake-workspace-lakebase.c; thread-safe) ---- */

/* Live resources of @kind: "instances", "catalogs", "synced_tables"
 * (provisioned); "projects", "postgres_catalogs", "postgres_synced_tables"
 * (autoscaling; deleted projects are not counted). */
guint            lb_fake_workspace_count_resources   (LbFakeWorkspace *fake,
                                                      const char      *kind);
/* The stored JSON of one resource (as a GET would return it, without
 * advancing its state), or NULL. Free with json_node_unref(). */
JsonNode        *lb_fake_workspace_dup_resource      (LbFakeWorkspace *fake,
                                                      const char      *kind,
                                                      const char      *name);

/* Synced tables take @ms of wall time from their create to their final
 * state (a fifth in PROVISIONING_PIPELINE_RESOURCES, then the snapshot with
 * rising progress), however often they are polled. 0 (default): they move
 * by GET count as set_polls_until_ready() says. */
void             lb_fake_workspace_set_synced_table_ms (LbFakeWorkspace *fake,
                                                        guint            ms);
/* Merges the members of @members into the status block of a synced table
 * (data_synchronization_status, or status for kind
 * "postgres_synced_tables"), for states the fake does not walk through by
 * itself (a pipeline failure on an online table, last_sync details, update
 * progress). Members set here stay once the table is in its final state.
 * FALSE when there is no such table. */
gboolean         lb_fake_workspace_merge_synced_table_status (LbFakeWorkspace *fake,
                                                              const char      *kind,
                                                              const char      *name,
                                                              JsonObject      *members);
/* The most synced tables that were provisioning at the same time (from
 * their create until a GET reported them online or failed, or their delete). */
guint            lb_fake_workspace_get_max_synced_tables_in_flight (LbFakeWorkspace *fake);

/* ---- Faults (lb-fake-workspace-faults.c; thread-safe) ---- */

/* Every 200 answer to a GET of exactly @path gets the JSON object @json
 * merged in (objects member by member), e.g. a branch's
 * {"status":{"current_state":"ARCHIVED"}}, until lb_fake_workspace_clear_faults(). */
void             lb_fake_workspace_override          (LbFakeWorkspace *fake,
                                                      const char      *path,
                                                      const char      *json);
/* Every autoscaling operation whose name starts with @name_prefix
 * ("projects/p") answers, once done, {"done":true,"error":{error_code,
 * message}} instead of its response (the create's answer and its polls). */
void             lb_fake_workspace_fail_operations   (LbFakeWorkspace *fake,
                                                      const char      *name_prefix,
                                                      const char      *error_code,
                                                      const char      *message);
void             lb_fake_workspace_clear_faults      (LbFakeWorkspace *fake);
/* The next @count POSTs under @path_prefix get 409 ABORTED (a concurrent
 * change; G_MAXUINT: forever), while the GETs still find nothing. */
void             lb_fake_workspace_abort_creates     (LbFakeWorkspace *fake,
                                                      const char      *path_prefix,
                                                      guint            count);
/* For dispatch(): rewrites the answer after the route (lock held). Weak:
 * only when lb-fake-workspace-faults.c is linked in. */
void             _lb_fake_workspace_faults_filter    (LbFakeWorkspace *fake,
                                                      LbFakeRequest   *request) __attribute__((weak));

/* ---- Helpers for route handlers (lock held) ---- */

void             lb_fake_reply_json                  (LbFakeRequest   *request,
                                                      guint            status,
                                                      JsonNode        *node);
/* {"error_code":…,"message":…} */
void             lb_fake_reply_error                 (LbFakeRequest   *request,
                                                      guint            status,
                                                      const char      *error_code,
                                                      const char      *message);
void             lb_fake_reply_raw                   (LbFakeRequest   *request,
                                                      guint            status,
                                                      const char      *content_type,
                                                      const char      *body);
/* Query value or NULL. */
const char      *lb_fake_request_get_query           (LbFakeRequest   *request,
                                                      const char      *key);
/* A random UUID-like id, for uids and operation names. */
char            *lb_fake_new_uid                     (void);

/* Per-piece state: each piece keeps its state under its own key
 * ("lakebase", "sql"); @destroy runs in lb_fake_workspace_free() after the
 * server thread has stopped. Call from the piece's init function. */
void             lb_fake_workspace_set_data          (LbFakeWorkspace *fake,
                                                      const char      *key,
                                                      gpointer         data,
                                                      GDestroyNotify   destroy);
gpointer         lb_fake_workspace_get_data          (LbFakeWorkspace *fake,
                                                      const char      *key);

/* Init functions of the pieces, called by lb_fake_workspace_new() before
 * the server starts listening. The SQL one is a weak symbol: it is called
 * only when lb-fake-workspace-sql.c is linked in. */
void             _lb_fake_workspace_lakebase_init    (LbFakeWorkspace *fake);
void             _lb_fake_workspace_sql_init         (LbFakeWorkspace *fake) __attribute__((weak));
/* lb-fake-workspace-pipelines.c (GET /api/2.0/pipelines/{id}, POST …/updates), likewise weak. */
void             _lb_fake_workspace_pipelines_init   (LbFakeWorkspace *fake) __attribute__((weak));
void             _lb_fake_workspace_oauth_init       (LbFakeWorkspace *fake) __attribute__((weak));
/* lb-fake-workspace-jobs.c (workspace files, Files API, Jobs runs), likewise weak. */
void             _lb_fake_workspace_jobs_init        (LbFakeWorkspace *fake) __attribute__((weak));

/* Take the fake's lock from the test thread (e.g. to read several values
 * consistently through the _locked accessors). */
void             lb_fake_workspace_lock              (LbFakeWorkspace *fake);
void             lb_fake_workspace_unlock            (LbFakeWorkspace *fake);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbFakeWorkspace, lb_fake_workspace_free)

G_END_DECLS
