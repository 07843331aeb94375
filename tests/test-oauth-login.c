/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The browser sign-in against the fake workspace over real HTTP, the test
 * playing the browser (authorize page, consent, redirect to the loopback
 * listener): the full PKCE flow, consent refused, a forged state, a swapped
 * challenge (the verifier no longer matches), cancel, timeout, discovery
 * 404, the tokens in a real keyring (gnome-keyring on a private bus), their
 * use and refresh through LbDatabricksAuth with the refreshed tokens written
 * back, a revoked refresh token, and profiles added to a databrickscfg.
 * Nothing issued may appear in the log, an error message or the URL. */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "lb-databricks-client.h"
#include "lb-fake-workspace.h"
#include "lb-oauth-login.h"
#include "lb-oauth-profile.h"
#include "lb-oauth-token-store.h"
#include "lb-test-keyring.h"
#include "lb-test-utils.h"

static GString *captured_log;

static GLogWriterOutput
capture_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0)
      g_string_append_printf (captured_log, "%s\n", (const char *) fields[i].value);
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static gboolean
has_result (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static void
wait_for (GAsyncResult **slot,
          guint          seconds)
{
  lb_test_spin_until_func (has_result, slot, seconds);
  g_assert_nonnull (*slot);
}

typedef struct
{
  LbFakeWorkspace   *fake;
  LbOAuthLogin      *login;
  LbFakeBrowserMode  mode;
  LbFakeBrowser     *browser;
  gboolean           no_browser;
  GCancellable      *cancellable;
  GAsyncResult      *result;
  GString           *texts;     /* every error message and URL the test saw */
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->fake = lb_fake_workspace_new ();
  fixture->login = lb_oauth_login_new (lb_fake_workspace_get_url (fixture->fake), NULL);
  lb_oauth_login_set_port (fixture->login, 0);
  fixture->cancellable = g_cancellable_new ();
  fixture->texts = g_string_new (NULL);
}

static void
assert_no_secret (Fixture *fixture)
{
  g_auto(GStrv) secrets = lb_fake_workspace_dup_secrets (fixture->fake);

  g_assert_cmpuint (g_strv_length (secrets), >=, 1);
  for (guint i = 0; secrets[i] != NULL; i++)
    {
      g_assert_null (strstr (captured_log->str, secrets[i]));
      g_assert_null (strstr (fixture->texts->str, secrets[i]));
    }
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  assert_no_secret (fixture);
  g_clear_object (&fixture->result);
  g_clear_object (&fixture->login);
  g_clear_object (&fixture->cancellable);
  g_string_free (fixture->texts, TRUE);
  g_clear_pointer (&fixture->fake, lb_fake_workspace_free);
}

static void
open_uri_cb (LbOAuthLogin *login,
             const char   *uri,
             Fixture      *fixture)
{
  g_string_append_printf (fixture->texts, "%s\n", uri);
  if (fixture->no_browser)
    return;
  fixture->browser = lb_fake_browser_start (uri, fixture->mode);
}

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Fixture *fixture = user_data;

  fixture->result = g_object_ref (result);
}

/* Runs the sign-in with the browser in @mode; returns the tokens or NULL with @error. */
static LbOAuthTokens *
run_login (Fixture            *fixture,
           LbFakeBrowserMode   mode,
           guint              *browser_status,
           char              **browser_page,
           GError            **error)
{
  LbOAuthTokens *tokens;
  g_autofree char *page = NULL;

  fixture->mode = mode;
  g_signal_connect (fixture->login, "open-uri", G_CALLBACK (open_uri_cb), fixture);
  lb_oauth_login_run_async (fixture->login, fixture->cancellable, done_cb, fixture);
  wait_for (&fixture->result, 30);
  g_assert_nonnull (fixture->result);
  tokens = lb_oauth_login_run_finish (fixture->login, fixture->result, error);
  g_clear_object (&fixture->result);

  if (fixture->browser != NULL)
    {
      g_autoptr(GError) browser_error = NULL;
      guint status = 0;

      lb_test_spin_until_func (lb_fake_browser_is_done, fixture->browser, 20);
      page = lb_fake_browser_finish (g_steal_pointer (&fixture->browser), &status, &browser_error);
      if (browser_status != NULL)
        *browser_status = status;
      if (page != NULL)
        g_string_append_printf (fixture->texts, "%s\n", page);
    }
  if (error != NULL && *error != NULL)
    g_string_append_printf (fixture->texts, "%s\n", (*error)->message);
  if (browser_page != NULL)
    *browser_page = g_steal_pointer (&page);
  return tokens;
}

static void
test_full_flow (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *page = NULL;
  guint status = 0;
  g_autoptr(LbOAuthTokens) tokens = run_login (fixture, LB_FAKE_BROWSER_ALLOW, &status, &page, &error);
  const char *uri = lb_oauth_login_get_uri (fixture->login);
  g_autofree char *base = g_strconcat (lb_fake_workspace_get_url (fixture->fake), "/oidc/v1/authorize?", NULL);
  g_autofree char *token_endpoint = g_strconcat (lb_fake_workspace_get_url (fixture->fake), "/oidc/v1/token", NULL);
  gint64 in_an_hour = g_get_real_time () + (gint64) 3600 * G_USEC_PER_SEC;

  g_assert_no_error (error);
  g_assert_nonnull (tokens);
  g_assert_true (g_str_has_prefix (tokens->access_token, "oauth-access-"));
  g_assert_true (g_str_has_prefix (tokens->refresh_token, "oauth-refresh-"));
  g_assert_cmpstr (tokens->token_endpoint, ==, token_endpoint);
  g_assert_cmpint (ABS (tokens->expires_at - in_an_hour), <, (gint64) 60 * G_USEC_PER_SEC);
  g_assert_false (lb_oauth_tokens_needs_refresh (tokens));

  /* The URL the browser got: the endpoint discovery named, the CLI's
   * client, a loopback redirect, S256, the scopes. */
  g_assert_true (g_str_has_prefix (uri, base));
  g_assert_nonnull (strstr (uri, "response_type=code"));
  g_assert_nonnull (strstr (uri, "client_id=databricks-cli"));
  g_assert_nonnull (strstr (uri, "redirect_uri=http%3A%2F%2Flocalhost%3A"));
  g_assert_nonnull (strstr (uri, "code_challenge_method=S256"));
  g_assert_nonnull (strstr (uri, "scope=all-apis%20offline_access"));
  g_assert_null (strstr (uri, "verifier"));

  /* The browser tab was told it may close. */
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (strstr (page, "You can close this tab"));

  g_assert_cmpuint (lb_fake_workspace_count_oauth_grants (fixture->fake, "authorization_code"), ==, 1);
  g_assert_cmpuint (lb_fake_workspace_count_oauth_refusals (fixture->fake), ==, 0);
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "GET", "/oidc/.well-known/oauth-authorization-server"), ==, 1);
}

static void
test_denied (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbOAuthTokens) tokens = run_login (fixture, LB_FAKE_BROWSER_DENY, NULL, NULL, &error);

  g_assert_null (tokens);
  g_assert_error (error, LB_OAUTH_ERROR, LB_OAUTH_ERROR_DENIED);
  g_assert_nonnull (strstr (error->message, "The user denied access"));
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "POST", "/oidc/v1/token"), ==, 0);
}

static void
test_state_mismatch (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *page = NULL;
  guint status = 0;
  g_autoptr(LbOAuthTokens) tokens = run_login (fixture, LB_FAKE_BROWSER_WRONG_STATE, &status, &page, &error);

  g_assert_null (tokens);
  g_assert_error (error, LB_OAUTH_ERROR, LB_OAUTH_ERROR_STATE_MISMATCH);
  g_assert_cmpuint (status, ==, 400);
  g_assert_nonnull (strstr (page, "not for the sign-in"));
  /* The code that came with a forged state is never exchanged. */
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "POST", "/oidc/v1/token"), ==, 0);
}

static void
test_wrong_verifier (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *page = NULL;
  guint status = 0;
  g_autoptr(LbOAuthTokens) tokens = run_login (fixture, LB_FAKE_BROWSER_OTHER_CHALLENGE, &status, &page, &error);

  g_assert_null (tokens);
  g_assert_error (error, LB_OAUTH_ERROR, LB_OAUTH_ERROR_TOKEN);
  g_assert_nonnull (strstr (error->message, "PKCE verification failed"));
  /* The browser tab was told it failed, not that it worked. */
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (strstr (page, "did not complete the sign-in"));
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "POST", "/oidc/v1/token"), ==, 1);
  g_assert_cmpuint (lb_fake_workspace_count_oauth_grants (fixture->fake, "authorization_code"), ==, 0);
}

static gboolean
cancel_soon_cb (gpointer data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
  return G_SOURCE_REMOVE;
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) connect_error = NULL;
  g_autoptr(LbOAuthTokens) tokens = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GHashTable) query = NULL;

  fixture->no_browser = TRUE;
  g_timeout_add (300, cancel_soon_cb, fixture->cancellable);
  tokens = run_login (fixture, LB_FAKE_BROWSER_ALLOW, NULL, NULL, &error);
  g_assert_null (tokens);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* The listener is gone: the redirect finds nobody. */
  uri = g_uri_parse (lb_oauth_login_get_uri (fixture->login), G_URI_FLAGS_ENCODED, NULL);
  query = soup_form_decode (g_uri_get_query (uri));
  message = soup_message_new (SOUP_METHOD_GET, g_hash_table_lookup (query, "redirect_uri"));
  bytes = soup_session_send_and_read (session, message, NULL, &connect_error);
  g_assert_null (bytes);
  g_assert_error (connect_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

static void
test_timeout (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbOAuthTokens) tokens = NULL;

  fixture->no_browser = TRUE;
  lb_oauth_login_set_timeout (fixture->login, 1);
  tokens = run_login (fixture, LB_FAKE_BROWSER_ALLOW, NULL, NULL, &error);
  g_assert_null (tokens);
  g_assert_error (error, LB_OAUTH_ERROR, LB_OAUTH_ERROR_TIMED_OUT);
}

static void
test_discovery_404 (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbOAuthTokens) tokens = NULL;

  lb_fake_workspace_fail_next (fixture->fake, "GET", "/oidc/.well-known/", 404, NULL, 1);
  fixture->no_browser = TRUE;
  tokens = run_login (fixture, LB_FAKE_BROWSER_ALLOW, NULL, NULL, &error);
  g_assert_null (tokens);
  g_assert_error (error, LB_OAUTH_ERROR, LB_OAUTH_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, lb_fake_workspace_get_url (fixture->fake)));
  g_assert_nonnull (strstr (error->message, "personal access token"));
  /* No browser was sent anywhere. */
  g_assert_null (lb_oauth_login_get_uri (fixture->login));
}

static void
discovered_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
test_discovery_account (void)
{
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LbOAuthEndpoints) endpoints = NULL;

  /* Account consoles: fixed endpoints, no request. */
  lb_oauth_discover_async (NULL, "https://accounts.cloud.databricks.com/", "7a99b43c-b46c-432b-b0a7-814217701909", NULL, discovered_cb, &result);
  wait_for (&result, 10);
  endpoints = lb_oauth_discover_finish (result, &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  g_assert_cmpstr (endpoints->authorization_endpoint, ==,
                   "https://accounts.cloud.databricks.com/oidc/accounts/7a99b43c-b46c-432b-b0a7-814217701909/v1/authorize");
  g_assert_cmpstr (endpoints->token_endpoint, ==,
                   "https://accounts.cloud.databricks.com/oidc/accounts/7a99b43c-b46c-432b-b0a7-814217701909/v1/token");

  lb_oauth_discover_async (NULL, "https://accounts.cloud.databricks.com", NULL, NULL, discovered_cb, &result);
  wait_for (&result, 10);
  g_assert_null (lb_oauth_discover_finish (result, &error));
  g_clear_object (&result);
  g_assert_error (error, LB_OAUTH_ERROR, LB_OAUTH_ERROR_ACCOUNT_ID_NEEDED);
  g_assert_nonnull (strstr (error->message, "account id"));
}

/* Keyring + credential resolution -------------------------------------------- */

static void
save_tokens (const char          *host,
             const char          *profile,
             const LbOAuthTokens *tokens)
{
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;

  lb_oauth_token_store_save_async (host, profile, tokens, NULL, discovered_cb, &result);
  wait_for (&result, 20);
  g_assert_true (lb_oauth_token_store_save_finish (result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
}

static LbOAuthTokens *
lookup_tokens (const char *host,
               const char *profile)
{
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  LbOAuthTokens *tokens;

  lb_oauth_token_store_lookup_async (host, profile, NULL, discovered_cb, &result);
  wait_for (&result, 20);
  tokens = lb_oauth_token_store_lookup_finish (result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  return tokens;
}

static JsonNode *
call_me (LbDatabricksClient  *client,
         GError             **error)
{
  GAsyncResult *result = NULL;
  JsonNode *node;

  lb_databricks_client_call_async (client, "GET", "/api/2.0/preview/scim/v2/Me", NULL, NULL, LB_CALL_IDEMPOTENT,
                                   NULL, discovered_cb, &result);
  wait_for (&result, 20);
  node = lb_databricks_client_call_finish (client, result, error);
  g_clear_object (&result);
  return node;
}

static void
test_store_and_use (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbOAuthTokens) tokens = run_login (fixture, LB_FAKE_BROWSER_ALLOW, NULL, NULL, &error);
  const char *host = lb_fake_workspace_get_url (fixture->fake);
  g_autoptr(LbOAuthTokens) found = NULL;
  g_autoptr(LbOAuthTokens) other = NULL;
  g_autoptr(LbDatabricksProfile) profile = NULL;
  g_autoptr(LbDatabricksAuth) auth = NULL;
  g_autoptr(LbDatabricksClient) client = NULL;
  g_autoptr(JsonNode) me = NULL;
  GAsyncResult *result = NULL;

  g_assert_no_error (error);
  save_tokens (host, "signed-in", tokens);

  found = lookup_tokens (host, "signed-in");
  g_assert_nonnull (found);
  g_assert_cmpstr (found->access_token, ==, tokens->access_token);
  g_assert_cmpstr (found->refresh_token, ==, tokens->refresh_token);
  g_assert_cmpstr (found->token_endpoint, ==, tokens->token_endpoint);
  g_assert_cmpint (found->expires_at / G_USEC_PER_SEC, ==, tokens->expires_at / G_USEC_PER_SEC);
  other = lookup_tokens (host, "another-profile");
  g_assert_null (other);

  /* A profile of that name signs in with them, no CLI involved. */
  profile = lb_oauth_profile_new ("signed-in", host);
  auth = lb_databricks_auth_new (profile);
  client = lb_databricks_client_new (auth, &error);
  g_assert_no_error (error);
  me = call_me (client, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (me), "userName"), ==, "ana@example.com");
  g_assert_cmpuint (lb_fake_workspace_count_oauth_grants (fixture->fake, "refresh_token"), ==, 0);

  /* Deleted: the profile has no sign-in any more. */
  lb_oauth_token_store_delete_async (host, "signed-in", NULL, discovered_cb, &result);
  wait_for (&result, 20);
  g_assert_true (lb_oauth_token_store_delete_finish (result, &error));
  g_clear_object (&result);
  g_clear_pointer (&found, lb_oauth_tokens_free);
  found = lookup_tokens (host, "signed-in");
  g_assert_null (found);
}

#define UNIFIED_ACCOUNT   "0a1b2c3d-1234-5678-9abc-def012345678"
#define UNIFIED_WORKSPACE "1234567890123456"

static LbOAuthEndpoints *
discover (const char  *host,
          const char  *account_id,
          GError     **error)
{
  GAsyncResult *result = NULL;
  LbOAuthEndpoints *endpoints;

  lb_oauth_discover_async (NULL, host, account_id, NULL, discovered_cb, &result);
  wait_for (&result, 10);
  endpoints = lb_oauth_discover_finish (result, error);
  g_clear_object (&result);
  return endpoints;
}

/* A unified host, as the SDKs resolve one: the metadata names the
 * account's OIDC ({account_id} filled in), the workspace id comes along. */
static void
test_discovery_unified (Fixture       *fixture,
                        gconstpointer  data)
{
  const char *host = lb_fake_workspace_get_url (fixture->fake);
  g_autofree char *authorize = g_strconcat (host, "/oidc/accounts/" UNIFIED_ACCOUNT "/v1/authorize", NULL);
  g_autofree char *token = g_strconcat (host, "/oidc/accounts/" UNIFIED_ACCOUNT "/v1/token", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbOAuthEndpoints) endpoints = NULL;
  g_autoptr(LbOAuthEndpoints) copy = NULL;

  /* A workspace URL of a unified host: ids from the metadata. */
  lb_fake_workspace_set_oauth_unified (fixture->fake, UNIFIED_ACCOUNT, UNIFIED_WORKSPACE);
  endpoints = discover (host, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (endpoints->authorization_endpoint, ==, authorize);
  g_assert_cmpstr (endpoints->token_endpoint, ==, token);
  g_assert_cmpint (endpoints->host_type, ==, LB_OAUTH_HOST_UNIFIED);
  g_assert_cmpstr (endpoints->account_id, ==, UNIFIED_ACCOUNT);
  g_assert_cmpstr (endpoints->workspace_id, ==, UNIFIED_WORKSPACE);
  copy = lb_oauth_endpoints_copy (endpoints);
  g_assert_cmpstr (copy->workspace_id, ==, UNIFIED_WORKSPACE);
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "GET", "/.well-known/databricks-config"), ==, 1);
  g_assert_cmpuint (lb_fake_workspace_count_requests (fixture->fake, "GET", "/oidc/.well-known/"), ==, 0);
  g_clear_pointer (&endpoints, lb_oauth_endpoints_free);

  /* Account level (no workspace, no account id in the metadata): the
   * account id is needed, and must be a UUID of an account the host knows. */
  lb_fake_workspace_set_oauth_unified (fixture->fake, UNIFIED_ACCOUNT, NULL);
  g_assert_null (discover (host, NULL, &error));
  g_assert_error (error, LB_OAUTH_ERROR, LB_OAUTH_ERROR_ACCOUNT_ID_NEEDED);
  g_assert_nonnull (strstr (error->message, "account id"));
  g_string_append_printf (fixture->texts, "%s\n", error->message);
  g_clear_error (&error);

  g_assert_null (discover (host, "not-a-uuid", &error));
  g_assert_error (error, LB_OAUTH_ERROR, LB_OAUTH_ERROR_DISCOVERY);
  g_assert_nonnull (strstr (error->message, "UUID"));
  g_clear_error (&error);

  g_assert_null (discover (host, "ffffffff-1234-5678-9abc-def012345678", &error));
  g_assert_error (error, LB_OAUTH_ERROR, LB_OAUTH_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "account id"));
  g_clear_error (&error);

  endpoints = discover (host, UNIFIED_ACCOUNT, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (endpoints->authorization_endpoint, ==, authorize);
  g_assert_cmpint (endpoints->host_type, ==, LB_OAUTH_HOST_UNIFIED);
  g_assert_cmpstr (endpoints->account_id, ==, UNIFIED_ACCOUNT);
  g_assert_null (endpoints->workspace_id);
  g_clear_pointer (&endpoints, lb_oauth_endpoints_free);

  /* Back to a classic workspace: no metadata, the workspace's own OIDC. */
  lb_fake_workspace_set_oauth_unified (fixture->fake, NULL, NULL);
  endpoints = discover (host, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (endpoints->host_type, ==, LB_OAUTH_HOST_WORKSPACE);
  g_assert_true (g_str_has_suffix (endpoints->authorization_endpoint, "/oidc/v1/authorize"));
  g_assert_null (endpoints->account_id);

  g_assert_true (lb_oauth_is_valid_account_id (UNIFIED_ACCOUNT));
  g_assert_false (lb_oauth_is_valid_account_id ("0a1b2c3d-1234-5678-9abc-def01234567"));
  g_assert_false (lb_oauth_is_valid_account_id ("0a1b2c3d_1234-5678-9abc-def012345678"));
  g_assert_false (lb_oauth_is_valid_account_id ("0a1b2c3d-1234-5678-9abc-def01234567g"));
  g_assert_true (lb_oauth_is_account_host ("https://accounts-dod.cloud.databricks.us"));
  g_assert_false (lb_oauth_is_account_host ("https://dbc-1.cloud.databricks.com"));
}

/* The whole sign-in against a unified host's workspace URL, then a request
 * with those tokens naming the workspace in X-Databricks-Workspace-Id. */
static void
test_unified_full_flow (Fixture       *fixture,
                        gconstpointer  data)
{
  const char *host = lb_fake_workspace_get_url (fixture->fake);
  g_autofree char *token_endpoint = g_strconcat (host, "/oidc/accounts/" UNIFIED_ACCOUNT "/v1/token", NULL);
  g_autofree char *authorize = g_strconcat (host, "/oidc/accounts/" UNIFIED_ACCOUNT "/v1/authorize?", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbOAuthTokens) tokens = NULL;
  g_autoptr(LbDatabricksProfile) profile = NULL;
  g_autoptr(LbDatabricksAuth) auth = NULL;
  g_autoptr(LbDatabricksClient) client = NULL;
  g_autoptr(JsonNode) me = NULL;
  const LbOAuthEndpoints *found;

  lb_fake_workspace_set_oauth_unified (fixture->fake, UNIFIED_ACCOUNT, UNIFIED_WORKSPACE);
  tokens = run_login (fixture, LB_FAKE_BROWSER_ALLOW, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tokens);
  g_assert_cmpstr (tokens->token_endpoint, ==, token_endpoint);
  g_assert_true (g_str_has_prefix (lb_oauth_login_get_uri (fixture->login), authorize));
  g_assert_cmpuint (lb_fake_workspace_count_oauth_grants (fixture->fake, "authorization_code"), ==, 1);
  found = lb_oauth_login_get_endpoints (fixture->login);
  g_assert_nonnull (found);
  g_assert_cmpint (found->host_type, ==, LB_OAUTH_HOST_UNIFIED);
  g_assert_cmpstr (found->workspace_id, ==, UNIFIED_WORKSPACE);

  save_tokens (host, "unified", tokens);
  profile = lb_oauth_profile_new_full ("unified", host, found->account_id, found->workspace_id);
  auth = lb_databricks_auth_new (profile);
  client = lb_databricks_client_new (auth, &error);
  g_assert_no_error (error);
  lb_fake_workspace_clear_log (fixture->fake);
  me = call_me (client, &error);
  g_assert_no_error (error);
  g_assert_nonnull (me);
  g_assert_cmpuint (lb_fake_workspace_count_workspace_id (fixture->fake, UNIFIED_WORKSPACE), ==, 1);
}

static void
test_refresh_written_back (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbOAuthTokens) tokens = NULL;
  const char *host = lb_fake_workspace_get_url (fixture->fake);
  g_autoptr(LbOAuthTokens) found = NULL;
  g_autoptr(LbDatabricksProfile) profile = NULL;
  g_autoptr(LbDatabricksAuth) auth = NULL;
  g_autoptr(LbDatabricksClient) client = NULL;
  g_autoptr(JsonNode) me = NULL;

  /* Two minutes left: under the five-minute margin. */
  lb_fake_workspace_set_oauth_expires_in (fixture->fake, 120);
  tokens = run_login (fixture, LB_FAKE_BROWSER_ALLOW, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (lb_oauth_tokens_needs_refresh (tokens));
  save_tokens (host, "refreshing", tokens);
  lb_fake_workspace_set_oauth_expires_in (fixture->fake, 3600);

  profile = lb_oauth_profile_new ("refreshing", host);
  auth = lb_databricks_auth_new (profile);
  client = lb_databricks_client_new (auth, &error);
  me = call_me (client, &error);
  g_assert_no_error (error);
  g_assert_nonnull (me);
  g_assert_cmpuint (lb_fake_workspace_count_oauth_grants (fixture->fake, "refresh_token"), ==, 1);

  /* Written back: new access and (rotated) refresh token, an hour ahead. */
  found = lookup_tokens (host, "refreshing");
  g_assert_nonnull (found);
  g_assert_cmpstr (found->access_token, !=, tokens->access_token);
  g_assert_cmpstr (found->refresh_token, !=, tokens->refresh_token);
  g_assert_true (g_str_has_prefix (found->refresh_token, "oauth-refresh-"));
  g_assert_false (lb_oauth_tokens_needs_refresh (found));

  /* A second client starts from the keyring: no refresh needed now. */
  {
    g_autoptr(LbDatabricksAuth) again = lb_databricks_auth_new (profile);
    g_autoptr(LbDatabricksClient) client2 = lb_databricks_client_new (again, &error);
    g_autoptr(JsonNode) me2 = call_me (client2, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (lb_fake_workspace_count_oauth_grants (fixture->fake, "refresh_token"), ==, 1);
  }
}

static void
test_refresh_fails_token_valid (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbOAuthTokens) tokens = NULL;
  const char *host = lb_fake_workspace_get_url (fixture->fake);
  g_autoptr(LbDatabricksProfile) profile = lb_oauth_profile_new ("still-valid", host);
  g_autoptr(LbDatabricksAuth) auth = NULL;
  g_autoptr(LbDatabricksClient) client = NULL;
  g_autoptr(JsonNode) me = NULL;

  /* Two minutes left and a refresh token the workspace no longer takes. */
  lb_fake_workspace_set_oauth_expires_in (fixture->fake, 120);
  tokens = run_login (fixture, LB_FAKE_BROWSER_ALLOW, NULL, NULL, &error);
  g_assert_no_error (error);
  g_free (tokens->refresh_token);
  tokens->refresh_token = g_strdup ("oauth-refresh-revoked");
  save_tokens (host, "still-valid", tokens);

  /* The renewal fails, the call still goes through with the valid token. */
  auth = lb_databricks_auth_new (profile);
  client = lb_databricks_client_new (auth, &error);
  me = call_me (client, &error);
  g_assert_no_error (error);
  g_assert_nonnull (me);
  g_assert_cmpuint (lb_fake_workspace_count_oauth_refusals (fixture->fake), ==, 1);
  g_assert_cmpuint (lb_fake_workspace_count_oauth_grants (fixture->fake, "refresh_token"), ==, 0);
}

static void
test_refresh_revoked (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *host = lb_fake_workspace_get_url (fixture->fake);
  g_autoptr(LbDatabricksProfile) profile = lb_oauth_profile_new ("revoked", host);
  g_autoptr(LbDatabricksAuth) auth = NULL;
  g_autoptr(LbDatabricksClient) client = NULL;
  g_autoptr(JsonNode) me = NULL;
  LbOAuthTokens stale = { 0, };

  stale.access_token = (char *) "oauth-access-long-gone";
  stale.refresh_token = (char *) "oauth-refresh-revoked";
  stale.token_endpoint = g_strconcat (host, "/oidc/v1/token", NULL);
  stale.expires_at = g_get_real_time () - G_USEC_PER_SEC;
  save_tokens (host, "revoked", &stale);
  g_free (stale.token_endpoint);

  auth = lb_databricks_auth_new (profile);
  client = lb_databricks_client_new (auth, &error);
  me = call_me (client, &error);
  g_assert_null (me);
  g_assert_error (error, LB_DATABRICKS_AUTH_ERROR, LB_DATABRICKS_AUTH_ERROR_LOGIN_NEEDED);
  g_assert_nonnull (strstr (error->message, "Sign In with Browser"));
  g_assert_nonnull (strstr (error->message, "“revoked”"));
  g_string_append_printf (fixture->texts, "%s\n", error->message);
}

/* lakebase-cli login ---------------------------------------------------------- */

typedef struct
{
  GDataInputStream *out;
  char             *line;
} LineRead;

static void
line_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  LineRead *read = user_data;

  g_autoptr(GError) error = NULL;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, NULL, &error);
  if (read->line == NULL)
    read->line = g_strdup (error != NULL ? error->message : "(end of output)");
}

static gboolean
line_ready (gpointer data)
{
  return ((LineRead *) data)->line != NULL;
}

static void
test_cli_login (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lb-oauth-cli-XXXXXX", NULL);
  g_autofree char *config_path = g_build_filename (dir, "databrickscfg", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) cli = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *rest = NULL;
  g_autofree char *err = NULL;
  g_autofree char *config = NULL;
  g_autoptr(LbOAuthTokens) found = NULL;
  g_autoptr(GBytes) rest_bytes = NULL;
  LbFakeBrowser *cli_browser;
  guint status = 0;
  const char *host = lb_fake_workspace_get_url (fixture->fake);

  g_subprocess_launcher_setenv (launcher, "DATABRICKS_CONFIG_FILE", config_path, TRUE);
  /* Loopback only: no proxy lookups (over a bus that has no one to answer). */
  g_subprocess_launcher_setenv (launcher, "GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  /* GLib prints debug messages on stdout: not in the CLI's output here. */
  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  cli = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("LB_CLI"), "login", "--host", host,
                                     "--profile", "from-cli", "--save-config", "--no-browser", "--port", "0",
                                     NULL);
  g_assert_no_error (error);

  /* It prints the page to open; the test is the browser. */
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (cli));
  for (guint i = 0; i < 50 && uri == NULL; i++)
    {
      LineRead read = { out, NULL };

      g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL, line_read_cb, &read);
      lb_test_spin_until_func (line_ready, &read, 20);
      if (strstr (read.line, "/oidc/v1/authorize?") != NULL)
        uri = g_strdup (g_strstrip (read.line));
      g_free (read.line);
    }
  g_assert_nonnull (uri);
  g_string_append_printf (fixture->texts, "%s\n", uri);

  cli_browser = lb_fake_browser_start (uri, LB_FAKE_BROWSER_ALLOW);
  lb_test_spin_until_func (lb_fake_browser_is_done, cli_browser, 30);
  {
    g_autofree char *page = lb_fake_browser_finish (cli_browser, &status, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (status, ==, 200);
  }

  g_subprocess_wait (cli, NULL, &error);
  g_assert_no_error (error);
  rest_bytes = g_input_stream_read_bytes (G_INPUT_STREAM (out), 65536, NULL, NULL);
  rest = g_strndup (g_bytes_get_data (rest_bytes, NULL), g_bytes_get_size (rest_bytes));
  {
    g_autoptr(GBytes) err_bytes = g_input_stream_read_bytes (g_subprocess_get_stderr_pipe (cli), 65536, NULL, NULL);

    err = g_strndup (g_bytes_get_data (err_bytes, NULL), g_bytes_get_size (err_bytes));
  }
  g_string_append_printf (fixture->texts, "%s\n%s\n", rest, err);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpint (g_subprocess_get_exit_status (cli), ==, 0);
  g_assert_nonnull (strstr (rest, "Signed in to"));
  g_assert_nonnull (strstr (rest, "Profile “from-cli” added to"));

  /* The keyring has the tokens; the file has the profile, which then signs in. */
  found = lookup_tokens (host, "from-cli");
  g_assert_nonnull (found);
  g_assert_true (g_str_has_prefix (found->access_token, "oauth-access-"));
  g_assert_true (g_file_get_contents (config_path, &config, NULL, NULL));
  g_assert_nonnull (strstr (config, "[from-cli]"));
  {
    g_autoptr(GFile) file = g_file_new_for_path (config_path);
    g_autoptr(LbDatabricksConfig) parsed = lb_databricks_config_new_from_file (file, NULL, &error);
    g_autoptr(LbDatabricksProfile) profile = lb_databricks_config_resolve (parsed, "from-cli", &error);
    g_autoptr(LbDatabricksAuth) auth = lb_databricks_auth_new (profile);
    g_autoptr(LbDatabricksClient) client = lb_databricks_client_new (auth, &error);
    g_autoptr(JsonNode) me = call_me (client, &error);

    g_assert_no_error (error);
    g_assert_nonnull (me);
  }
  lb_test_remove_tree (dir);
}

/* Runs lakebase-cli logout with @args; its stdout, stderr into @fixture->texts. */
static char *
run_logout (Fixture            *fixture,
            int                *exit_status,
            const char * const *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autoptr(GSubprocess) cli = NULL;
  char *out = NULL;
  g_autofree char *err = NULL;

  g_subprocess_launcher_setenv (launcher, "GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  g_strv_builder_add_many (builder, g_getenv ("LB_CLI"), "logout", NULL);
  g_strv_builder_addv (builder, (const char **) args);
  argv = g_strv_builder_end (builder);
  cli = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (cli, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_string_append_printf (fixture->texts, "%s\n%s\n", out, err);
  *exit_status = g_subprocess_get_exit_status (cli);
  return out;
}

/* lakebase-cli logout --profile / --host: the tokens leave the real
 * keyring, and the profile needs a sign-in again. */
static void
test_cli_logout (Fixture       *fixture,
                 gconstpointer  data)
{
  const char *host = lb_fake_workspace_get_url (fixture->fake);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbOAuthTokens) tokens = run_login (fixture, LB_FAKE_BROWSER_ALLOW, NULL, NULL, &error);
  g_autoptr(LbOAuthTokens) found = NULL;
  g_autoptr(LbDatabricksProfile) profile = NULL;
  g_autoptr(LbDatabricksAuth) auth = NULL;
  g_autoptr(LbDatabricksClient) client = NULL;
  g_autoptr(JsonNode) me = NULL;
  g_autofree char *out = NULL;
  int status = -1;

  g_assert_no_error (error);
  save_tokens (host, "logout-me", tokens);
  save_tokens (host, "other", tokens);

  out = run_logout (fixture, &status, (const char *[]) { "--profile", "logout-me", NULL });
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "Forgot the sign-in of profile “logout-me”"));
  found = lookup_tokens (host, "logout-me");
  g_assert_null (found);
  found = lookup_tokens (host, "other");
  g_assert_nonnull (found);
  g_clear_pointer (&found, lb_oauth_tokens_free);

  /* The next request needs a sign-in again (no CLI here to fall back on). */
  profile = lb_oauth_profile_new ("logout-me", host);
  auth = lb_databricks_auth_new (profile);
  client = lb_databricks_client_new (auth, &error);
  g_assert_no_error (error);
  me = call_me (client, &error);
  g_assert_null (me);
  g_assert_nonnull (error);
  g_string_append_printf (fixture->texts, "%s\n", error->message);
  g_clear_error (&error);

  /* Nothing left to forget for that profile. */
  g_clear_pointer (&out, g_free);
  out = run_logout (fixture, &status, (const char *[]) { "--profile", "logout-me", NULL });
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "No sign-in of profile"));

  /* --host: every profile of that host. */
  g_clear_pointer (&out, g_free);
  out = run_logout (fixture, &status, (const char *[]) { "--host", host, NULL });
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "Forgot every sign-in to"));
  found = lookup_tokens (host, "other");
  g_assert_null (found);

  g_clear_pointer (&out, g_free);
  out = run_logout (fixture, &status, (const char *[]) { NULL });
  g_assert_cmpint (status, ==, 2);
}

static void
test_cli_login_usage (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) cli = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                                 &error, g_getenv ("LB_CLI"), "login", NULL);
  g_autofree char *err = NULL;

  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (cli, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (cli), ==, 2);
  g_assert_nonnull (strstr (err, "--host is needed"));
}

/* Profiles file ------------------------------------------------------------------ */

static void
test_write_config (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lb-oauth-config-XXXXXX", NULL);
  g_autofree char *path = lb_test_write_file (dir, "databrickscfg",
                                              "; my comment\n[DEFAULT]\nhost = https://dbc-1.cloud.databricks.com\ntoken = dapi123");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(LbDatabricksConfig) config = NULL;
  g_autoptr(LbDatabricksProfile) profile = NULL;
  g_autoptr(LbDatabricksProfile) old = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *blocked = g_build_filename (path, "databrickscfg", NULL);
  g_autoptr(GFile) blocked_file = g_file_new_for_path (blocked);
  g_autofree char *fresh = g_build_filename (dir, "new-databrickscfg", NULL);
  g_autoptr(GFile) fresh_file = g_file_new_for_path (fresh);
  GStatBuf st;

  g_assert_true (lb_oauth_profile_write_to_config (file, "dbc-2", "https://dbc-2.cloud.databricks.com", &error));
  g_assert_no_error (error);

  g_file_get_contents (path, &contents, NULL, NULL);
  g_assert_true (g_str_has_prefix (contents, "; my comment\n[DEFAULT]\n"));

  config = lb_databricks_config_new_from_file (file, NULL, &error);
  g_assert_no_error (error);
  profile = lb_databricks_config_resolve (config, "dbc-2", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (profile->host, ==, "https://dbc-2.cloud.databricks.com");
  g_assert_cmpint (profile->auth_kind, ==, LB_DATABRICKS_AUTH_OAUTH_U2M);
  old = lb_databricks_config_resolve (config, "DEFAULT", &error);
  g_assert_no_error (error);
  g_assert_cmpint (old->auth_kind, ==, LB_DATABRICKS_AUTH_PAT);

  /* Twice the same name: refused, the file left alone. */
  g_assert_false (lb_oauth_profile_write_to_config (file, "dbc-2", "https://dbc-3.cloud.databricks.com", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);

  /* A file that cannot be written: said so, and where the profile goes. */
  g_assert_false (lb_oauth_profile_write_to_config (blocked_file, "x", "https://dbc-4.cloud.databricks.com", &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "own settings"));
  g_clear_error (&error);

  /* A new file is private to the user. */
  g_assert_true (lb_oauth_profile_write_to_config (fresh_file, "first", "https://dbc-5.cloud.databricks.com", &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (fresh, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  lb_test_remove_tree (dir);
}

/* A unified host's profile: account_id and workspace_id lines the config
 * reader (and the Databricks CLI) take back. */
static void
test_write_config_ids (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lb-oauth-config-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "databrickscfg", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(LbDatabricksConfig) config = NULL;
  g_autoptr(LbDatabricksProfile) profile = NULL;
  g_autoptr(LbDatabricksProfile) account = NULL;

  g_assert_true (lb_oauth_profile_write_to_config_full (file, "unified", "https://unified.example.com",
                                                        UNIFIED_ACCOUNT, UNIFIED_WORKSPACE, &error));
  g_assert_no_error (error);
  g_assert_true (lb_oauth_profile_write_to_config_full (file, "acct", "https://accounts.cloud.databricks.com",
                                                        UNIFIED_ACCOUNT, NULL, &error));
  g_assert_no_error (error);
  config = lb_databricks_config_new_from_file (file, NULL, &error);
  g_assert_no_error (error);
  profile = lb_databricks_config_resolve (config, "unified", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (profile->account_id, ==, UNIFIED_ACCOUNT);
  g_assert_cmpstr (profile->workspace_id, ==, UNIFIED_WORKSPACE);
  g_assert_cmpint (profile->auth_kind, ==, LB_DATABRICKS_AUTH_OAUTH_U2M);
  account = lb_databricks_config_resolve (config, "acct", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (account->account_id, ==, UNIFIED_ACCOUNT);
  g_assert_null (account->workspace_id);
  lb_test_remove_tree (dir);
}

static void
test_suggest_name (void)
{
  g_autofree char *a = lb_oauth_profile_suggest_name ("https://dbc-12ab.cloud.databricks.com");
  g_autofree char *b = lb_oauth_profile_suggest_name ("http://127.0.0.1:4321");

  g_assert_cmpstr (a, ==, "dbc-12ab");
  g_assert_cmpstr (b, ==, "127-0-0-1");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *why = NULL;
  LbTestKeyring *keyring;
  int status;

  g_test_init (&argc, &argv, NULL);
  captured_log = g_string_new (NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  /* No Databricks CLI: the profiles sign in with what the keyring holds. */
  g_setenv ("DATABRICKS_CLI_PATH", "/nonexistent/databricks", TRUE);

  keyring = lb_test_keyring_start (&why);

  g_test_add ("/oauth/login/full-flow", Fixture, NULL, fixture_setup, test_full_flow, fixture_teardown);
  g_test_add ("/oauth/login/denied", Fixture, NULL, fixture_setup, test_denied, fixture_teardown);
  g_test_add ("/oauth/login/state-mismatch", Fixture, NULL, fixture_setup, test_state_mismatch, fixture_teardown);
  g_test_add ("/oauth/login/wrong-verifier", Fixture, NULL, fixture_setup, test_wrong_verifier, fixture_teardown);
  g_test_add ("/oauth/login/cancel", Fixture, NULL, fixture_setup, test_cancel, fixture_teardown);
  g_test_add ("/oauth/login/timeout", Fixture, NULL, fixture_setup, test_timeout, fixture_teardown);
  g_test_add ("/oauth/discovery/not-found", Fixture, NULL, fixture_setup, test_discovery_404, fixture_teardown);
  g_test_add_func ("/oauth/discovery/account", test_discovery_account);
  g_test_add ("/oauth/discovery/unified", Fixture, NULL, fixture_setup, test_discovery_unified, fixture_teardown);
  if (keyring != NULL)
    {
      g_test_add ("/oauth/store/save-lookup-use", Fixture, NULL, fixture_setup, test_store_and_use, fixture_teardown);
      g_test_add ("/oauth/store/refresh-written-back", Fixture, NULL, fixture_setup, test_refresh_written_back,
                  fixture_teardown);
      g_test_add ("/oauth/store/refresh-revoked", Fixture, NULL, fixture_setup, test_refresh_revoked, fixture_teardown);
      g_test_add ("/oauth/store/refresh-fails-token-valid", Fixture, NULL, fixture_setup,
                  test_refresh_fails_token_valid, fixture_teardown);
      g_test_add ("/oauth/login/unified-full-flow", Fixture, NULL, fixture_setup, test_unified_full_flow,
                  fixture_teardown);
      g_test_add ("/oauth/cli/logout", Fixture, NULL, fixture_setup, test_cli_logout, fixture_teardown);
      g_test_add ("/oauth/cli/login", Fixture, NULL, fixture_setup, test_cli_login, fixture_teardown);
    }
  else
    g_test_message ("Keyring tests left out: %s", why);
  g_test_add_func ("/oauth/cli/usage", test_cli_login_usage);
  g_test_add_func ("/oauth/profile/write-config", test_write_config);
  g_test_add_func ("/oauth/profile/write-config-ids", test_write_config_ids);
  g_test_add_func ("/oauth/profile/suggest-name", test_suggest_name);

  status = g_test_run ();
  lb_test_keyring_stop (keyring);
  g_string_free (captured_log, TRUE);
  return status;
}
