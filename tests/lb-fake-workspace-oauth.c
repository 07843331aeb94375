/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The fake workspace's OAuth U2M: OIDC discovery, an authorize endpoint
 * that shows a consent form and redirects with a code, a token endpoint
 * that checks the PKCE verifier (S256), the client id and the redirect URI,
 * and rotates refresh tokens; plus a scripted browser that walks through
 * it all as a person's browser would. */
#include "config.h"

#include <string.h>

#include "lb-fake-workspace.h"

#define CLIENT_ID "databricks-cli"

typedef struct
{
  char *challenge;
  char *redirect_uri;
  char *client_id;
} Grant;

typedef struct
{
  GHashTable *codes;           /* code → Grant* (one use) */
  GHashTable *refresh_tokens;  /* live refresh token → NULL */
  guint       expires_in;
  guint       n_code_grants;
  guint       n_refresh_grants;
  guint       n_refusals;
  char       *unified_account;    /* answering as a unified host for this account */
  char       *unified_workspace;  /* … and as this workspace of it */
} OAuthState;

static void
grant_free (gpointer data)
{
  Grant *grant = data;

  g_free (grant->challenge);
  g_free (grant->redirect_uri);
  g_free (grant->client_id);
  g_free (grant);
}

static void
oauth_state_free (gpointer data)
{
  OAuthState *state = data;

  g_hash_table_unref (state->codes);
  g_hash_table_unref (state->refresh_tokens);
  g_free (state->unified_account);
  g_free (state->unified_workspace);
  g_free (state);
}

static OAuthState *
get_state (LbFakeWorkspace *fake)
{
  return lb_fake_workspace_get_data (fake, "oauth");
}

static char *
request_base (LbFakeRequest *request)
{
  GUri *uri = soup_server_message_get_uri (request->msg);

  return g_strdup_printf ("%s://%s:%d", g_uri_get_scheme (uri), g_uri_get_host (uri), g_uri_get_port (uri));
}

static GHashTable *
request_form (LbFakeRequest *request)
{
  SoupMessageBody *body = soup_server_message_get_request_body (request->msg);
  g_autofree char *text = NULL;

  if (body == NULL || body->length == 0)
    return g_hash_table_new (g_str_hash, g_str_equal);
  text = g_strndup (body->data, body->length);
  return soup_form_decode (text);
}

static void
reply_oauth_error (LbFakeWorkspace *fake,
                   LbFakeRequest   *request,
                   guint            status,
                   const char      *error,
                   const char      *description)
{
  g_autofree char *body = g_strdup_printf ("{\"error\":\"%s\",\"error_description\":\"%s\"}", error, description);

  get_state (fake)->n_refusals++;
  lb_fake_reply_raw (request, status, "application/json", body);
}

/* @oidc: "/oidc" for a workspace, "/oidc/accounts/ID" for a unified host. */
static void
reply_discovery (LbFakeRequest *request,
                 const char    *oidc)
{
  g_autofree char *base = request_base (request);
  g_autofree char *body = g_strdup_printf ("{\"issuer\":\"%s%s\","
                                           "\"authorization_endpoint\":\"%s%s/v1/authorize\","
                                           "\"token_endpoint\":\"%s%s/v1/token\","
                                           "\"code_challenge_methods_supported\":[\"S256\"],"
                                           "\"grant_types_supported\":[\"authorization_code\",\"refresh_token\"]}",
                                           base, oidc, base, oidc, base, oidc);

  lb_fake_reply_raw (request, 200, "application/json", body);
}

static void
discovery (LbFakeWorkspace *fake,
           LbFakeRequest   *request,
           gpointer         user_data)
{
  /* A unified host signs in through its account's OIDC only. */
  if (get_state (fake)->unified_account != NULL)
    {
      lb_fake_reply_raw (request, 404, "application/json", "{\"error_code\":\"NOT_FOUND\",\"message\":\"Not found\"}");
      return;
    }
  reply_discovery (request, "/oidc");
}

/* /.well-known/databricks-config: only a unified host answers (the fake's
 * classic workspace is an older one without it). */
static void
host_metadata (LbFakeWorkspace *fake,
               LbFakeRequest   *request,
               gpointer         user_data)
{
  OAuthState *state = get_state (fake);
  g_autofree char *base = request_base (request);
  g_autofree char *body = NULL;

  if (state->unified_account == NULL)
    {
      lb_fake_reply_raw (request, 404, "application/json", "{\"error_code\":\"NOT_FOUND\",\"message\":\"Not found\"}");
      return;
    }
  if (state->unified_workspace != NULL)
    body = g_strdup_printf ("{\"oidc_endpoint\":\"%s/oidc/accounts/{account_id}\",\"account_id\":\"%s\","
                            "\"workspace_id\":\"%s\",\"cloud\":\"AWS\",\"host_type\":\"unified\"}",
                            base, state->unified_account, state->unified_workspace);
  else
    body = g_strdup_printf ("{\"oidc_endpoint\":\"%s/oidc/accounts/{account_id}\",\"cloud\":\"AWS\","
                            "\"host_type\":\"unified\"}", base);
  lb_fake_reply_raw (request, 200, "application/json", body);
}

static gboolean
is_loopback_redirect (const char *uri)
{
  return uri != NULL && (g_str_has_prefix (uri, "http://127.0.0.1:") || g_str_has_prefix (uri, "http://localhost:"));
}

/* GET: the consent page, its form carrying the request along. */
static void
authorize_get (LbFakeWorkspace *fake,
               LbFakeRequest   *request)
{
  static const char * const keys[] = { "response_type", "client_id", "redirect_uri", "scope", "state",
                                       "code_challenge", "code_challenge_method" };
  g_autoptr(GString) page = g_string_new (NULL);

  if (g_strcmp0 (lb_fake_request_get_query (request, "response_type"), "code") != 0 ||
      g_strcmp0 (lb_fake_request_get_query (request, "client_id"), CLIENT_ID) != 0 ||
      !is_loopback_redirect (lb_fake_request_get_query (request, "redirect_uri")) ||
      g_strcmp0 (lb_fake_request_get_query (request, "code_challenge_method"), "S256") != 0 ||
      lb_fake_request_get_query (request, "code_challenge") == NULL ||
      lb_fake_request_get_query (request, "state") == NULL ||
      strstr (lb_fake_request_get_query (request, "scope") ? lb_fake_request_get_query (request, "scope") : "",
              "all-apis") == NULL)
    {
      get_state (fake)->n_refusals++;
      lb_fake_reply_raw (request, 400, "text/html", "<html><body>Invalid authorization request</body></html>");
      return;
    }

  g_string_append_printf (page, "<!DOCTYPE html><html><body><h1>Allow databricks-cli to access your workspace?</h1>"
                               "<form method=\"post\" action=\"%s\">\n",
                          g_uri_get_path (soup_server_message_get_uri (request->msg)));
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *value = g_markup_escape_text (lb_fake_request_get_query (request, keys[i]), -1);

      g_string_append_printf (page, "<input type=\"hidden\" name=\"%s\" value=\"%s\">\n", keys[i], value);
    }
  g_string_append (page, "<button name=\"consent\" value=\"allow\">Allow</button>"
                         "<button name=\"consent\" value=\"deny\">Deny</button></form></body></html>\n");
  lb_fake_reply_raw (request, 200, "text/html; charset=utf-8", page->str);
}

/* POST: the consent, answered with a 302 to the redirect URI. */
static void
authorize_post (LbFakeWorkspace *fake,
                LbFakeRequest   *request)
{
  g_autoptr(GHashTable) form = request_form (request);
  const char *redirect_uri = g_hash_table_lookup (form, "redirect_uri");
  const char *state = g_hash_table_lookup (form, "state");
  g_autofree char *escaped_state = g_uri_escape_string (state != NULL ? state : "", NULL, FALSE);
  g_autofree char *location = NULL;

  if (!is_loopback_redirect (redirect_uri) || g_strcmp0 (g_hash_table_lookup (form, "client_id"), CLIENT_ID) != 0 ||
      g_hash_table_lookup (form, "code_challenge") == NULL)
    {
      get_state (fake)->n_refusals++;
      lb_fake_reply_raw (request, 400, "text/html", "<html><body>Invalid consent</body></html>");
      return;
    }

  if (g_strcmp0 (g_hash_table_lookup (form, "consent"), "allow") == 0)
    {
      g_autofree char *uid = lb_fake_new_uid ();
      char *code = g_strconcat ("code-", uid, NULL);
      Grant *grant = g_new0 (Grant, 1);

      grant->challenge = g_strdup (g_hash_table_lookup (form, "code_challenge"));
      grant->redirect_uri = g_strdup (redirect_uri);
      grant->client_id = g_strdup (CLIENT_ID);
      g_hash_table_insert (get_state (fake)->codes, code, grant);
      lb_fake_workspace_add_secret_locked (fake, code);
      location = g_strdup_printf ("%s?code=%s&state=%s", redirect_uri, code, escaped_state);
    }
  else
    location = g_strdup_printf ("%s?error=access_denied&error_description=The+user+denied+access&state=%s",
                                redirect_uri, escaped_state);

  soup_message_headers_replace (soup_server_message_get_response_headers (request->msg), "Location", location);
  soup_server_message_set_status (request->msg, 302, NULL);
}

static void
authorize (LbFakeWorkspace *fake,
           LbFakeRequest   *request,
           gpointer         user_data)
{
  if (g_str_equal (request->method, "POST"))
    authorize_post (fake, request);
  else
    authorize_get (fake, request);
}

static char *
s256 (const char *verifier)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;
  char *text;
  char *end;

  g_checksum_update (checksum, (const guchar *) verifier, strlen (verifier));
  g_checksum_get_digest (checksum, digest, &len);
  text = g_base64_encode (digest, len);
  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  end = strchr (text, '=');
  if (end != NULL)
    *end = '\0';
  return text;
}

static void token (LbFakeWorkspace *fake, LbFakeRequest *request, gpointer user_data);

/* /oidc/accounts/ID/…: the account-level OIDC of a unified host. */
static void
account_oidc (LbFakeWorkspace *fake,
              LbFakeRequest   *request,
              gpointer         user_data)
{
  OAuthState *state = get_state (fake);
  const char *path = g_uri_get_path (soup_server_message_get_uri (request->msg));
  const char *rest = path + strlen ("/oidc/accounts/");
  g_autofree char *prefix = NULL;

  if (state->unified_account == NULL || !g_str_has_prefix (rest, state->unified_account) ||
      rest[strlen (state->unified_account)] != '/')
    {
      lb_fake_reply_raw (request, 404, "application/json", "{\"error_code\":\"NOT_FOUND\",\"message\":\"No such account\"}");
      return;
    }
  rest += strlen (state->unified_account);
  prefix = g_strconcat ("/oidc/accounts/", state->unified_account, NULL);
  if (g_str_equal (rest, "/.well-known/oauth-authorization-server") && g_str_equal (request->method, "GET"))
    reply_discovery (request, prefix);
  else if (g_str_equal (rest, "/v1/authorize"))
    authorize (fake, request, NULL);
  else if (g_str_equal (rest, "/v1/token") && g_str_equal (request->method, "POST"))
    token (fake, request, NULL);
  else
    lb_fake_reply_raw (request, 404, "application/json", "{\"error_code\":\"NOT_FOUND\",\"message\":\"Not found\"}");
}

static void
issue_tokens (LbFakeWorkspace *fake,
              LbFakeRequest   *request)
{
  OAuthState *state = get_state (fake);
  g_autofree char *uid = lb_fake_new_uid ();
  g_autofree char *uid2 = lb_fake_new_uid ();
  g_autofree char *access = g_strconcat ("oauth-access-", uid, NULL);
  char *refresh = g_strconcat ("oauth-refresh-", uid2, NULL);
  g_autofree char *body = NULL;

  lb_fake_workspace_accept_token_locked (fake, access, g_get_real_time () + (gint64) state->expires_in * G_USEC_PER_SEC);
  lb_fake_workspace_add_secret_locked (fake, refresh);
  g_hash_table_add (state->refresh_tokens, refresh);
  body = g_strdup_printf ("{\"access_token\":\"%s\",\"token_type\":\"Bearer\",\"refresh_token\":\"%s\","
                          "\"expires_in\":%u,\"scope\":\"all-apis offline_access\"}",
                          access, refresh, state->expires_in);
  lb_fake_reply_raw (request, 200, "application/json", body);
}

static void
token (LbFakeWorkspace *fake,
       LbFakeRequest   *request,
       gpointer         user_data)
{
  OAuthState *state = get_state (fake);
  g_autoptr(GHashTable) form = request_form (request);
  const char *grant_type = g_hash_table_lookup (form, "grant_type");

  if (g_strcmp0 (g_hash_table_lookup (form, "client_id"), CLIENT_ID) != 0)
    {
      reply_oauth_error (fake, request, 401, "invalid_client", "Unknown client");
      return;
    }

  if (g_strcmp0 (grant_type, "authorization_code") == 0)
    {
      const char *code = g_hash_table_lookup (form, "code");
      const char *verifier = g_hash_table_lookup (form, "code_verifier");
      Grant *grant = code != NULL ? g_hash_table_lookup (state->codes, code) : NULL;
      g_autofree char *challenge = NULL;

      if (verifier != NULL)
        lb_fake_workspace_add_secret_locked (fake, verifier);
      if (grant == NULL)
        {
          reply_oauth_error (fake, request, 400, "invalid_grant", "Authorization code is invalid or was used");
          return;
        }
      challenge = verifier != NULL ? s256 (verifier) : NULL;
      if (challenge == NULL || !g_str_equal (challenge, grant->challenge))
        {
          g_hash_table_remove (state->codes, code);
          reply_oauth_error (fake, request, 400, "invalid_grant", "PKCE verification failed");
          return;
        }
      if (g_strcmp0 (g_hash_table_lookup (form, "redirect_uri"), grant->redirect_uri) != 0)
        {
          g_hash_table_remove (state->codes, code);
          reply_oauth_error (fake, request, 400, "invalid_grant", "redirect_uri does not match");
          return;
        }
      g_hash_table_remove (state->codes, code);
      state->n_code_grants++;
      issue_tokens (fake, request);
      return;
    }

  if (g_strcmp0 (grant_type, "refresh_token") == 0)
    {
      const char *refresh = g_hash_table_lookup (form, "refresh_token");

      if (refresh == NULL || !g_hash_table_remove (state->refresh_tokens, refresh))
        {
          reply_oauth_error (fake, request, 401, "invalid_request", "Refresh token is invalid");
          return;
        }
      state->n_refresh_grants++;
      issue_tokens (fake, request);
      return;
    }

  reply_oauth_error (fake, request, 400, "unsupported_grant_type", "Unsupported grant type");
}

void
_lb_fake_workspace_oauth_init (LbFakeWorkspace *fake)
{
  OAuthState *state = g_new0 (OAuthState, 1);

  state->codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, grant_free);
  state->refresh_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  state->expires_in = 3600;
  lb_fake_workspace_set_data (fake, "oauth", state, oauth_state_free);

  lb_fake_workspace_add_route (fake, "GET", "/oidc/.well-known/oauth-authorization-server", discovery, NULL, NULL);
  lb_fake_workspace_add_route (fake, NULL, "/oidc/v1/authorize", authorize, NULL, NULL);
  lb_fake_workspace_add_route (fake, "POST", "/oidc/v1/token", token, NULL, NULL);
  lb_fake_workspace_add_route (fake, NULL, "/oidc/accounts/", account_oidc, NULL, NULL);
  lb_fake_workspace_add_route (fake, "GET", "/.well-known/databricks-config", host_metadata, NULL, NULL);
}

void
lb_fake_workspace_set_oauth_unified (LbFakeWorkspace *fake,
                                     const char      *account_id,
                                     const char      *workspace_id)
{
  OAuthState *state;

  lb_fake_workspace_lock (fake);
  state = get_state (fake);
  g_free (state->unified_account);
  state->unified_account = g_strdup (account_id);
  g_free (state->unified_workspace);
  state->unified_workspace = g_strdup (workspace_id);
  lb_fake_workspace_unlock (fake);
}

void
lb_fake_workspace_set_oauth_expires_in (LbFakeWorkspace *fake,
                                        guint            seconds)
{
  lb_fake_workspace_lock (fake);
  get_state (fake)->expires_in = seconds;
  lb_fake_workspace_unlock (fake);
}

guint
lb_fake_workspace_count_oauth_grants (LbFakeWorkspace *fake,
                                      const char      *grant_type)
{
  guint n;

  lb_fake_workspace_lock (fake);
  n = g_strcmp0 (grant_type, "refresh_token") == 0 ? get_state (fake)->n_refresh_grants
                                                   : get_state (fake)->n_code_grants;
  lb_fake_workspace_unlock (fake);
  return n;
}

guint
lb_fake_workspace_count_oauth_refusals (LbFakeWorkspace *fake)
{
  guint n;

  lb_fake_workspace_lock (fake);
  n = get_state (fake)->n_refusals;
  lb_fake_workspace_unlock (fake);
  return n;
}

/* The scripted browser -------------------------------------------------------- */

struct _LbFakeBrowser
{
  GThread           *thread;
  char              *uri;
  LbFakeBrowserMode  mode;
  char              *page;
  guint              status;
  GError            *error;
  gint               done;     /* atomic: the thread has finished */
};

static GBytes *
send (SoupSession  *session,
      SoupMessage  *message,
      GError      **error)
{
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  return soup_session_send_and_read (session, message, NULL, error);
}

static char *
replace_query_value (const char *uri,
                     const char *key,
                     const char *value)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr(GHashTable) decoded = soup_form_decode (g_uri_get_query (parsed));
  g_autoptr(GHashTable) query = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *encoded = NULL;
  g_autoptr(GUri) changed = NULL;
  GHashTableIter iter;
  gpointer k, v;

  /* soup_form_decode()'s values share their key's memory: copy them. */
  g_hash_table_iter_init (&iter, decoded);
  while (g_hash_table_iter_next (&iter, &k, &v))
    g_hash_table_insert (query, g_strdup (k), g_strdup (v));
  g_hash_table_replace (query, g_strdup (key), g_strdup (value));
  encoded = soup_form_encode_hash (query);
  changed = soup_uri_copy (parsed, SOUP_URI_QUERY, encoded, SOUP_URI_NONE);
  return g_uri_to_string (changed);
}

static gpointer browse (LbFakeBrowser *browser);

static gpointer
browser_thread (gpointer data)
{
  LbFakeBrowser *browser = data;

  browse (browser);
  g_atomic_int_set (&browser->done, 1);
  return NULL;
}

static gpointer
browse (LbFakeBrowser *browser)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) get = NULL;
  g_autoptr(SoupMessage) post = NULL;
  g_autoptr(SoupMessage) back = NULL;
  g_autoptr(GBytes) page = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GRegex) inputs = g_regex_new ("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GHashTable) fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *form = NULL;
  g_autofree char *text = NULL;
  g_autofree char *action = NULL;
  g_autofree char *location = NULL;
  g_autofree char *uri = g_strdup (browser->uri);

  if (browser->mode == LB_FAKE_BROWSER_OTHER_CHALLENGE)
    {
      char *other = replace_query_value (uri, "code_challenge", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");

      g_free (uri);
      uri = other;
    }

  /* 1. The authorize page. */
  get = soup_message_new (SOUP_METHOD_GET, uri);
  if (get == NULL)
    {
      browser->error = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "not a URL: %s", uri);
      return NULL;
    }
  page = send (session, get, &browser->error);
  if (page == NULL)
    return NULL;
  if (soup_message_get_status (get) != 200)
    {
      browser->error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "the authorize page answered %u",
                                    soup_message_get_status (get));
      return NULL;
    }

  /* 2. The consent form, posted as a browser posts it. */
  text = g_strndup (g_bytes_get_data (page, NULL), g_bytes_get_size (page));
  g_regex_match (inputs, text, 0, &match);
  while (g_match_info_matches (match))
    {
      /* The values (URLs, base64url, scopes) hold no markup to unescape. */
      g_hash_table_replace (fields, g_match_info_fetch (match, 1), g_match_info_fetch (match, 2));
      g_match_info_next (match, NULL);
    }
  g_hash_table_replace (fields, g_strdup ("consent"),
                        g_strdup (browser->mode == LB_FAKE_BROWSER_DENY ? "deny" : "allow"));
  form = soup_form_encode_hash (fields);
  {
    g_autoptr(GUri) base = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
    g_autoptr(GRegex) action_re = g_regex_new ("<form method=\"post\" action=\"([^\"]+)\"", 0, 0, NULL);
    g_autoptr(GMatchInfo) action_match = NULL;
    g_autofree char *path = g_regex_match (action_re, text, 0, &action_match)
                            ? g_match_info_fetch (action_match, 1) : g_strdup ("/oidc/v1/authorize");

    action = g_strdup_printf ("%s://%s:%d%s", g_uri_get_scheme (base), g_uri_get_host (base),
                              g_uri_get_port (base), path);
  }
  post = soup_message_new_from_encoded_form (SOUP_METHOD_POST, action, g_steal_pointer (&form));
  g_clear_pointer (&page, g_bytes_unref);
  page = send (session, post, &browser->error);
  if (page == NULL)
    return NULL;
  location = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (post), "Location"));
  if (soup_message_get_status (post) != 302 || location == NULL)
    {
      browser->error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "the consent answered %u without a redirect",
                                    soup_message_get_status (post));
      return NULL;
    }

  if (browser->mode == LB_FAKE_BROWSER_WRONG_STATE)
    {
      char *other = replace_query_value (location, "state", "forged-state");

      g_free (location);
      location = other;
    }

  /* 3. Back to the app's loopback listener. */
  back = soup_message_new (SOUP_METHOD_GET, location);
  answer = send (session, back, &browser->error);
  if (answer == NULL)
    return NULL;
  browser->status = soup_message_get_status (back);
  browser->page = g_strndup (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer));
  return NULL;
}

LbFakeBrowser *
lb_fake_browser_start (const char        *uri,
                       LbFakeBrowserMode  mode)
{
  LbFakeBrowser *browser = g_new0 (LbFakeBrowser, 1);

  browser->uri = g_strdup (uri);
  browser->mode = mode;
  browser->thread = g_thread_new ("lb-fake-browser", browser_thread, browser);
  return browser;
}

gboolean
lb_fake_browser_is_done (gpointer browser)
{
  return g_atomic_int_get (&((LbFakeBrowser *) browser)->done) != 0;
}

char *
lb_fake_browser_finish (LbFakeBrowser  *browser,
                        guint          *status,
                        GError        **error)
{
  char *page;

  g_thread_join (browser->thread);
  page = g_steal_pointer (&browser->page);
  if (status != NULL)
    *status = browser->status;
  if (browser->error != NULL)
    g_propagate_error (error, g_steal_pointer (&browser->error));
  g_free (browser->uri);
  g_free (browser);
  return page;
}
