/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The REST client and the sign-in methods against a small SoupServer on
 * loopback: JSON, error bodies, retries with Retry-After and backoff,
 * paging, cancellation, PAT / OAuth M2M / OAuth U2M (CLI and token cache). */
#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "lb-databricks-client.h"
#include "lb-test-utils.h"

typedef struct
{
  SoupServer *server;
  char       *base;
  GHashTable *hits;          /* path → count */
  char       *expected_auth; /* "Bearer …" the API paths require, or NULL */
  char       *last_body;
  char       *last_user_agent;
  char       *last_token_form;
  char       *last_token_auth;
  char       *issued_token;  /* what /oidc/v1/token hands out */
  char       *redirect_to;   /* where /api/2.0/redirect points */
  char       *canned_body;   /* what /api/2.0/canned and /api/2.0/canned-400 answer */
  char       *last_workspace_id; /* X-Databricks-Workspace-Id of the last API call */
} FakeServer;

static guint
hit (FakeServer *fake,
     const char *path)
{
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (fake->hits, path)) + 1;

  g_hash_table_replace (fake->hits, g_strdup (path), GUINT_TO_POINTER (count));
  return count;
}

static guint
hits (FakeServer *fake,
      const char *path)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (fake->hits, path));
}

static void
reply (SoupServerMessage *msg,
       guint              status,
       const char        *json)
{
  soup_server_message_set_status (msg, status, NULL);
  if (json != NULL)
    soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json, strlen (json));
}

static void
handler (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  FakeServer *fake = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *auth = soup_message_headers_get_one (headers, "Authorization");
  guint count = hit (fake, path);

  if (g_str_equal (path, "/oidc/v1/token"))
    {
      SoupMessageBody *body = soup_server_message_get_request_body (msg);
      g_autofree char *answer = g_strdup_printf ("{\"access_token\":\"%s\",\"token_type\":\"Bearer\",\"expires_in\":\"3600\"}",
                                                 fake->issued_token);

      g_free (fake->last_token_form);
      fake->last_token_form = g_strndup (body->data, body->length);
      g_free (fake->last_token_auth);
      fake->last_token_auth = g_strdup (auth);
      if (strstr (fake->last_token_form, "refresh_token=bad") != NULL)
        reply (msg, 401, "{\"error\":\"invalid_request\",\"error_description\":\"Refresh token is invalid\"}");
      else
        reply (msg, 200, answer);
      return;
    }

  g_free (fake->last_user_agent);
  fake->last_user_agent = g_strdup (soup_message_headers_get_one (headers, "User-Agent"));
  g_free (fake->last_workspace_id);
  fake->last_workspace_id = g_strdup (soup_message_headers_get_one (headers, "X-Databricks-Workspace-Id"));

  if (fake->expected_auth != NULL && g_strcmp0 (auth, fake->expected_auth) != 0)
    {
      reply (msg, 401, "{\"error_code\":\"UNAUTHENTICATED\",\"message\":\"Invalid access token.\"}");
      return;
    }

  if (g_str_equal (path, "/api/2.0/ok"))
    reply (msg, 200, "{\"value\":42}");
  else if (g_str_equal (path, "/api/2.0/canned"))
    reply (msg, 200, fake->canned_body);
  else if (g_str_equal (path, "/api/2.0/canned-400"))
    reply (msg, 400, fake->canned_body);
  else if (g_str_equal (path, "/api/2.0/echo"))
    {
      SoupMessageBody *body = soup_server_message_get_request_body (msg);

      g_free (fake->last_body);
      fake->last_body = g_strndup (body->data, body->length);
      reply (msg, 200, "");
    }
  else if (g_str_equal (path, "/api/2.0/flaky429"))
    {
      if (count <= 2)
        {
          soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "0");
          reply (msg, 429, "{\"error_code\":\"REQUEST_LIMIT_EXCEEDED\",\"message\":\"slow down\"}");
        }
      else
        reply (msg, 200, "{\"value\":429}");
    }
  else if (g_str_equal (path, "/api/2.0/retry-after-1"))
    {
      if (count == 1)
        {
          soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "1");
          reply (msg, 503, "{\"error_code\":\"TEMPORARILY_UNAVAILABLE\",\"message\":\"later\"}");
        }
      else
        reply (msg, 200, "{\"value\":503}");
    }
  else if (g_str_equal (path, "/api/2.0/always429"))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                    g_hash_table_lookup (query != NULL ? query : fake->hits, "after") ?: "0");
      reply (msg, 429, "{\"error_code\":\"REQUEST_LIMIT_EXCEEDED\",\"message\":\"slow down\"}");
    }
  else if (g_str_equal (path, "/api/2.0/fail500"))
    reply (msg, 500, "{\"error_code\":\"INTERNAL_ERROR\",\"message\":\"boom\"}");
  else if (g_str_equal (path, "/api/2.0/missing"))
    reply (msg, 404, "{\"error_code\":\"RESOURCE_DOES_NOT_EXIST\",\"message\":\"DatabaseInstance not found: x\"}");
  else if (g_str_equal (path, "/api/2.0/missing-odd"))
    reply (msg, 404, "{\"message\":\"nothing here\"}");
  else if (g_str_equal (path, "/api/2.0/legacy"))
    reply (msg, 400, "{\"error\":\"bad thing\"}");
  else if (g_str_equal (path, "/api/2.0/redirect"))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Location", fake->redirect_to);
      reply (msg, 302, NULL);
    }
  else if (g_str_equal (path, "/api/2.0/badjson"))
    reply (msg, 200, "{not json");
  else if (g_str_equal (path, "/api/2.0/items"))
    {
      const char *token = query != NULL ? g_hash_table_lookup (query, "page_token") : NULL;

      if (token == NULL)
        reply (msg, 200, "{\"items\":[1,2],\"next_page_token\":\"p2\"}");
      else if (g_str_equal (token, "p2"))
        reply (msg, 200, "{\"items\":[3],\"next_page_token\":\"p3\"}");
      else
        reply (msg, 200, "{\"items\":[4,5],\"next_page_token\":\"\"}");
    }
  else
    reply (msg, 404, NULL);
}

static FakeServer *
fake_server_new (void)
{
  FakeServer *fake = g_new0 (FakeServer, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  fake->hits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  fake->issued_token = g_strdup ("m2m-token-1");
  fake->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake->server, NULL, handler, fake, NULL);
  g_assert_true (soup_server_listen_local (fake->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);

  uris = soup_server_get_uris (fake->server);
  fake->base = g_uri_to_string_partial (uris->data, G_URI_HIDE_PASSWORD);
  if (g_str_has_suffix (fake->base, "/"))
    fake->base[strlen (fake->base) - 1] = '\0';
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return fake;
}

static void
fake_server_free (FakeServer *fake)
{
  soup_server_disconnect (fake->server);
  g_object_unref (fake->server);
  g_hash_table_unref (fake->hits);
  g_free (fake->base);
  g_free (fake->expected_auth);
  g_free (fake->last_body);
  g_free (fake->last_user_agent);
  g_free (fake->last_token_form);
  g_free (fake->last_token_auth);
  g_free (fake->issued_token);
  g_free (fake->redirect_to);
  g_free (fake->canned_body);
  g_free (fake->last_workspace_id);
  g_free (fake);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeServer, fake_server_free)

static LbDatabricksClient *
pat_client (FakeServer *fake)
{
  g_autoptr(LbDatabricksAuth) auth = lb_databricks_auth_new_for_token (fake->base, "test-token");
  g_autoptr(GError) error = NULL;
  LbDatabricksClient *client = lb_databricks_client_new (auth, &error);

  g_assert_no_error (error);
  g_object_set (client, "retry-base-ms", 10, "retry-budget-ms", 5000, NULL);
  return client;
}

typedef struct
{
  gboolean  done;
  JsonNode *node;
  JsonArray *array;
  GError   *error;
} Result;

static void
call_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Result *r = user_data;

  r->node = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (object), result, &r->error);
  r->done = TRUE;
}

static void
list_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Result *r = user_data;

  r->array = lb_databricks_client_list_finish (LB_DATABRICKS_CLIENT (object), result, &r->error);
  r->done = TRUE;
}

static void
result_clear (Result *r)
{
  g_clear_pointer (&r->node, json_node_unref);
  g_clear_pointer (&r->array, json_array_unref);
  g_clear_error (&r->error);
  r->done = FALSE;
}

static void
call (LbDatabricksClient *client,
      const char         *method,
      const char         *path,
      JsonNode           *body,
      Result             *r)
{
  result_clear (r);
  lb_databricks_client_call_async (client, method, path, NULL, body, LB_CALL_DEFAULT, NULL, call_done_cb, r);
  lb_test_spin_until (&r->done, 30);
}

static void
assert_no_secret (const GError *error)
{
  if (error != NULL)
    {
      g_assert_null (strstr (error->message, "test-token"));
      g_assert_null (strstr (error->message, "m2m-token"));
      g_assert_null (strstr (error->message, "s3cret"));
    }
}

static void
test_json_and_headers (void)
{
  g_autoptr(FakeServer) fake = fake_server_new ();
  g_autoptr(LbDatabricksClient) client = pat_client (fake);
  g_autoptr(JsonNode) body = json_from_string ("{\"name\":\"orders-db\",\"capacity\":\"CU_2\"}", NULL);
  Result r = { 0, };

  fake->expected_auth = g_strdup ("Bearer test-token");
  call (client, "GET", "/api/2.0/ok", NULL, &r);
  g_assert_no_error (r.error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (r.node), "value"), ==, 42);
  g_assert_true (g_str_has_prefix (fake->last_user_agent, "lakebase-accelerator/" PACKAGE_VERSION " libsoup/"));
  g_assert_nonnull (strstr (fake->last_user_agent, "auth/pat"));

  call (client, "POST", "/api/2.0/echo", body, &r);
  g_assert_no_error (r.error);
  g_assert_true (JSON_NODE_HOLDS_NULL (r.node));
  g_assert_cmpstr (fake->last_body, ==, "{\"name\":\"orders-db\",\"capacity\":\"CU_2\"}");
  g_assert_cmpuint (lb_databricks_client_get_request_count (client), ==, 2);

  result_clear (&r);
}

static void
test_errors (void)
{
  g_autoptr(FakeServer) fake = fake_server_new ();
  g_autoptr(LbDatabricksClient) client = pat_client (fake);
  g_autofree char *code = NULL;
  Result r = { 0, };

  call (client, "GET", "/api/2.0/fail500", NULL, &r);
  g_assert_error (r.error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_INTERNAL);
  g_assert_cmpstr (r.error->message, ==, "INTERNAL_ERROR: boom");
  g_assert_cmpuint (hits (fake, "/api/2.0/fail500"), ==, 1);   /* 500 is not retried */

  call (client, "GET", "/api/2.0/missing", NULL, &r);
  g_assert_error (r.error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NOT_FOUND);
  code = lb_databricks_error_get_error_code (r.error);
  g_assert_cmpstr (code, ==, "RESOURCE_DOES_NOT_EXIST");
  g_assert_cmpstr (r.error->message, ==, "RESOURCE_DOES_NOT_EXIST: DatabaseInstance not found: x");

  call (client, "GET", "/api/2.0/missing-odd", NULL, &r);
  g_assert_error (r.error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NOT_FOUND);
  g_assert_cmpstr (r.error->message, ==, "NOT_FOUND: nothing here");

  call (client, "POST", "/api/2.0/legacy", NULL, &r);
  g_assert_error (r.error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_BAD_REQUEST);
  g_assert_cmpstr (r.error->message, ==, "BAD_REQUEST: bad thing");

  call (client, "GET", "/api/2.0/badjson", NULL, &r);
  g_assert_error (r.error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_MALFORMED);

  fake->expected_auth = g_strdup ("Bearer something-else");
  call (client, "GET", "/api/2.0/ok", NULL, &r);
  g_assert_error (r.error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_UNAUTHENTICATED);
  assert_no_secret (r.error);
  g_assert_cmpuint (hits (fake, "/api/2.0/ok"), ==, 1);         /* a PAT cannot be refreshed */

  result_clear (&r);
}

static void
test_retries (void)
{
  g_autoptr(FakeServer) fake = fake_server_new ();
  g_autoptr(LbDatabricksClient) client = pat_client (fake);
  Result r = { 0, };
  gint64 start;

  call (client, "POST", "/api/2.0/flaky429", NULL, &r);
  g_assert_no_error (r.error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (r.node), "value"), ==, 429);
  g_assert_cmpuint (hits (fake, "/api/2.0/flaky429"), ==, 3);

  /* Retry-After is honoured: the second try waits a whole second. */
  start = g_get_monotonic_time ();
  call (client, "GET", "/api/2.0/retry-after-1", NULL, &r);
  g_assert_no_error (r.error);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 950 * 1000);
  g_assert_cmpuint (hits (fake, "/api/2.0/retry-after-1"), ==, 2);

  /* The budget runs out: the last error is returned. */
  g_object_set (client, "retry-budget-ms", 300, NULL);
  call (client, "GET", "/api/2.0/always429", NULL, &r);
  g_assert_error (r.error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_TOO_MANY_REQUESTS);
  g_assert_cmpuint (hits (fake, "/api/2.0/always429"), >=, 2);

  result_clear (&r);
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel_during_backoff (void)
{
  g_autoptr(FakeServer) fake = fake_server_new ();
  g_autoptr(LbDatabricksClient) client = pat_client (fake);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  const char *query[] = { "after", "30", NULL };
  Result r = { 0, };
  gint64 start = g_get_monotonic_time ();

  g_object_set (client, "retry-budget-ms", 60000, NULL);
  lb_databricks_client_call_async (client, "GET", "/api/2.0/always429", query, NULL, LB_CALL_DEFAULT,
                                   cancellable, call_done_cb, &r);
  g_timeout_add (200, cancel_cb, cancellable);
  lb_test_spin_until (&r.done, 30);

  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  result_clear (&r);
}

static void
test_network_errors (void)
{
  g_autoptr(LbDatabricksAuth) auth = NULL;
  g_autoptr(LbDatabricksClient) client = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GInetSocketAddress) bound = NULL;
  g_autofree char *host = NULL;
  Result r = { 0, };
  gint64 start;

  /* A port that was free a moment ago: nothing answers there. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  address = g_inet_socket_address_new (loopback, 0);
  g_assert_true (g_socket_bind (socket, address, TRUE, NULL));
  bound = G_INET_SOCKET_ADDRESS (g_socket_get_local_address (socket, NULL));
  host = g_strdup_printf ("http://127.0.0.1:%u", g_inet_socket_address_get_port (bound));
  g_socket_close (socket, NULL);

  auth = lb_databricks_auth_new_for_token (host, "test-token");
  client = lb_databricks_client_new (auth, NULL);
  g_object_set (client, "retry-base-ms", 20, "retry-budget-ms", 400, NULL);

  /* GET: retried until the budget is spent. */
  start = g_get_monotonic_time ();
  call (client, "GET", "/api/2.0/ok", NULL, &r);
  g_assert_error (r.error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NETWORK);
  g_assert_cmpuint (lb_databricks_client_get_request_count (client), >=, 2);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);

  /* POST: never resent. */
  start = lb_databricks_client_get_request_count (client);
  call (client, "POST", "/api/2.0/ok", NULL, &r);
  g_assert_error (r.error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NETWORK);
  g_assert_cmpuint (lb_databricks_client_get_request_count (client) - start, ==, 1);

  result_clear (&r);
}

static void
test_insecure_host (void)
{
  g_autoptr(LbDatabricksAuth) auth = lb_databricks_auth_new_for_token ("http://dbc-1.cloud.databricks.com", "t");
  g_autoptr(GError) error = NULL;
  g_autoptr(LbDatabricksClient) client = lb_databricks_client_new (auth, &error);

  g_assert_null (client);
  g_assert_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_INSECURE);
}

/* A 3xx is followed only to the same host and port (and to http only from
 * http on this computer); anything else fails before the token is sent. */
static void
test_redirects (void)
{
  g_autoptr(FakeServer) fake = fake_server_new ();
  g_autoptr(FakeServer) elsewhere = fake_server_new ();
  g_autoptr(LbDatabricksClient) client = pat_client (fake);
  Result r = { 0, };

  fake->expected_auth = g_strdup ("Bearer test-token");

  /* Same loopback host and port, a relative Location: followed. */
  fake->redirect_to = g_strdup ("/api/2.0/ok");
  call (client, "GET", "/api/2.0/redirect", NULL, &r);
  g_assert_no_error (r.error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (r.node), "value"), ==, 42);
  g_assert_cmpuint (hits (fake, "/api/2.0/ok"), ==, 1);
  result_clear (&r);

  /* From loopback http to another host over http. */
  g_free (fake->redirect_to);
  fake->redirect_to = g_strdup ("http://example.invalid/api/2.0/ok");
  call (client, "GET", "/api/2.0/redirect", NULL, &r);
  g_assert_error (r.error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_INSECURE);
  g_assert_nonnull (strstr (r.error->message, "example.invalid"));
  g_assert_nonnull (strstr (r.error->message, "not followed"));
  result_clear (&r);

  /* Another port on this computer is another server: never sent there. */
  g_free (fake->redirect_to);
  fake->redirect_to = g_strconcat (elsewhere->base, "/api/2.0/ok", NULL);
  call (client, "POST", "/api/2.0/redirect", NULL, &r);
  g_assert_error (r.error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_INSECURE);
  g_assert_cmpuint (g_hash_table_size (elsewhere->hits), ==, 0);
  result_clear (&r);

  /* The same host over https on another port is still another server. */
  g_free (fake->redirect_to);
  fake->redirect_to = g_strdup ("https://127.0.0.1/api/2.0/ok");
  call (client, "GET", "/api/2.0/redirect", NULL, &r);
  g_assert_error (r.error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_INSECURE);
  result_clear (&r);

  /* A loop ends. */
  g_free (fake->redirect_to);
  fake->redirect_to = g_strdup ("/api/2.0/redirect");
  call (client, "GET", "/api/2.0/redirect", NULL, &r);
  g_assert_error (r.error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_OTHER);
  g_assert_cmpuint (hits (fake, "/api/2.0/redirect"), ==, 4 + 6);
  result_clear (&r);

  g_assert_cmpuint (hits (fake, "/api/2.0/ok"), ==, 1);
}

static void
test_paging (void)
{
  g_autoptr(FakeServer) fake = fake_server_new ();
  g_autoptr(LbDatabricksClient) client = pat_client (fake);
  Result r = { 0, };

  lb_databricks_client_list_async (client, "/api/2.0/items", NULL, "items", NULL, list_done_cb, &r);
  lb_test_spin_until (&r.done, 30);
  g_assert_no_error (r.error);
  g_assert_cmpuint (json_array_get_length (r.array), ==, 5);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpint (json_array_get_int_element (r.array, i), ==, i + 1);
  g_assert_cmpuint (hits (fake, "/api/2.0/items"), ==, 3);
  result_clear (&r);
}

static LbDatabricksClient *
profile_client (FakeServer *fake,
                const char *config)
{
  const char *environ[] = { "HOME=/nonexistent", NULL };
  g_auto(GStrv) parts = g_strsplit (config, "@HOST@", -1);
  g_autofree char *data = g_strjoinv (fake->base, parts);
  g_autoptr(LbDatabricksConfig) cfg = lb_databricks_config_new_from_data (data, "cfg", environ, NULL);
  g_autoptr(LbDatabricksProfile) profile = lb_databricks_config_resolve (cfg, "p", NULL);
  g_autoptr(LbDatabricksAuth) auth = NULL;
  LbDatabricksClient *client;

  g_assert_nonnull (profile);
  auth = lb_databricks_auth_new (profile);
  client = lb_databricks_client_new (auth, NULL);
  g_object_set (client, "retry-base-ms", 10, NULL);
  return client;
}

static void
test_oauth_m2m (void)
{
  g_autoptr(FakeServer) fake = fake_server_new ();
  g_autoptr(LbDatabricksClient) client =
    profile_client (fake, "[p]\nhost = @HOST@\nclient_id = sp-id\nclient_secret = s3cret\n");
  g_autofree char *expected_basic = NULL;
  g_autofree char *pair = g_base64_encode ((const guchar *) "sp-id:s3cret", 12);
  Result r = { 0, };

  fake->expected_auth = g_strdup ("Bearer m2m-token-1");
  call (client, "GET", "/api/2.0/ok", NULL, &r);
  g_assert_no_error (r.error);
  expected_basic = g_strconcat ("Basic ", pair, NULL);
  g_assert_cmpstr (fake->last_token_auth, ==, expected_basic);
  g_assert_nonnull (strstr (fake->last_token_form, "grant_type=client_credentials"));
  g_assert_nonnull (strstr (fake->last_token_form, "scope=all-apis"));
  g_assert_nonnull (strstr (fake->last_user_agent, "auth/oauth-m2m"));

  /* The token is cached… */
  call (client, "GET", "/api/2.0/ok", NULL, &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (hits (fake, "/oidc/v1/token"), ==, 1);

  /* …until the API refuses it: then one fresh token and the call goes through. */
  g_free (fake->issued_token);
  fake->issued_token = g_strdup ("m2m-token-2");
  g_free (fake->expected_auth);
  fake->expected_auth = g_strdup ("Bearer m2m-token-2");
  call (client, "GET", "/api/2.0/ok", NULL, &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (hits (fake, "/oidc/v1/token"), ==, 2);

  result_clear (&r);
}

static void
write_token_cache (const char *home,
                   const char *json)
{
  g_autofree char *dir = g_build_filename (home, ".databricks", NULL);
  g_autofree char *path = g_build_filename (dir, "token-cache.json", NULL);

  g_mkdir_with_parents (dir, 0700);
  g_assert_true (g_file_set_contents (path, json, -1, NULL));
}

static void
test_oauth_u2m (void)
{
  g_autoptr(FakeServer) fake = fake_server_new ();
  g_autofree char *home = g_dir_make_tmp ("lb-u2m-XXXXXX", NULL);
  g_autofree char *cli = g_build_filename (home, "databricks", NULL);
  g_autoptr(LbDatabricksClient) cached = NULL;
  g_autoptr(LbDatabricksClient) refreshed = NULL;
  g_autoptr(LbDatabricksClient) refused = NULL;
  g_autoptr(LbDatabricksClient) via_cli = NULL;
  g_autoptr(LbDatabricksClient) no_login = NULL;
  const char *config = "[p]\nhost = @HOST@\nauth_type = databricks-cli\n";
  Result r = { 0, };

  g_setenv ("HOME", home, TRUE);
  g_unsetenv ("DATABRICKS_CLI_PATH");

  /* A cached token still valid: used as it is. */
  write_token_cache (home, "{\"version\":1,\"tokens\":{\"p\":{\"access_token\":\"cached-1\",\"token_type\":\"Bearer\","
                           "\"refresh_token\":\"good\",\"expiry\":\"2099-01-01T00:00:00.123+02:00\"}}}");
  cached = profile_client (fake, config);
  fake->expected_auth = g_strdup ("Bearer cached-1");
  call (cached, "GET", "/api/2.0/ok", NULL, &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (hits (fake, "/oidc/v1/token"), ==, 0);

  /* Expired: refreshed with the refresh token, as the CLI would. */
  write_token_cache (home, "{\"version\":1,\"tokens\":{\"p\":{\"access_token\":\"old\",\"token_type\":\"Bearer\","
                           "\"refresh_token\":\"good\",\"expiry\":\"2001-01-01T00:00:00Z\"}}}");
  refreshed = profile_client (fake, config);
  g_free (fake->expected_auth);
  fake->expected_auth = g_strdup ("Bearer m2m-token-1");
  call (refreshed, "GET", "/api/2.0/ok", NULL, &r);
  g_assert_no_error (r.error);
  g_assert_nonnull (strstr (fake->last_token_form, "grant_type=refresh_token"));
  g_assert_nonnull (strstr (fake->last_token_form, "client_id=databricks-cli"));

  /* A refresh token the workspace refuses: sign in again, and say how. */
  write_token_cache (home, "{\"version\":1,\"tokens\":{\"p\":{\"access_token\":\"old\",\"token_type\":\"Bearer\","
                           "\"refresh_token\":\"bad\",\"expiry\":\"2001-01-01T00:00:00Z\"}}}");
  refused = profile_client (fake, config);
  call (refused, "GET", "/api/2.0/ok", NULL, &r);
  g_assert_error (r.error, LB_DATABRICKS_AUTH_ERROR, LB_DATABRICKS_AUTH_ERROR_LOGIN_NEEDED);
  g_assert_nonnull (strstr (r.error->message, "databricks auth login --host"));
  g_assert_nonnull (strstr (r.error->message, "--profile p"));

  /* The CLI, when there is one, is asked first. */
  g_assert_true (g_file_set_contents (cli,
                                      "#!/bin/sh\n"
                                      "[ \"$1\" = version ] && { echo 'Databricks CLI v1.13.0'; exit 0; }\n"
                                      "[ \"$*\" = \"auth token --profile p\" ] || exit 3\n"
                                      "echo '{\"access_token\":\"from-cli\",\"token_type\":\"Bearer\",\"expiry\":\"2099-01-01T00:00:00Z\"}'\n",
                                      -1, NULL));
  g_chmod (cli, 0755);
  g_setenv ("DATABRICKS_CLI_PATH", cli, TRUE);
  via_cli = profile_client (fake, config);
  g_free (fake->expected_auth);
  fake->expected_auth = g_strdup ("Bearer from-cli");
  call (via_cli, "GET", "/api/2.0/ok", NULL, &r);
  g_assert_no_error (r.error);

  /* A CLI with no sign-in and no cache: the CLI's own words, and the command to run. */
  g_assert_true (g_file_set_contents (cli, "#!/bin/sh\necho 'Error: no cached credentials' >&2\nexit 1\n", -1, NULL));
  g_chmod (cli, 0755);
  write_token_cache (home, "{\"version\":1,\"tokens\":{}}");
  no_login = profile_client (fake, config);
  call (no_login, "GET", "/api/2.0/ok", NULL, &r);
  g_assert_error (r.error, LB_DATABRICKS_AUTH_ERROR, LB_DATABRICKS_AUTH_ERROR_LOGIN_NEEDED);
  g_assert_nonnull (strstr (r.error->message, "no cached credentials"));

  result_clear (&r);
  g_unsetenv ("DATABRICKS_CLI_PATH");
  g_unlink (cli);
  {
    g_autofree char *cache = g_build_filename (home, ".databricks", "token-cache.json", NULL);
    g_autofree char *dir = g_build_filename (home, ".databricks", NULL);
    g_unlink (cache);
    g_rmdir (dir);
    g_rmdir (home);
  }
}

/* The profile's `scopes` go into the M2M token request, space separated. */
static void
test_oauth_m2m_scopes (void)
{
  g_autoptr(FakeServer) fake = fake_server_new ();
  g_autoptr(LbDatabricksClient) client =
    profile_client (fake, "[p]\nhost = @HOST@\nclient_id = sp-id\nclient_secret = s3cret\n"
                          "scopes = sql, offline_access\n");
  Result r = { 0, };

  fake->expected_auth = g_strdup ("Bearer m2m-token-1");
  call (client, "GET", "/api/2.0/ok", NULL, &r);
  g_assert_no_error (r.error);
  g_assert_nonnull (strstr (fake->last_token_form, "grant_type=client_credentials&scope=sql%20offline_access"));
  g_assert_null (strstr (fake->last_token_form, "all-apis"));
  result_clear (&r);
}

/* A known workspace id goes along as X-Databricks-Workspace-Id (unified
 * hosts answer with their login page without it); none, no header. */
static void
test_workspace_id_header (void)
{
  g_autoptr(FakeServer) fake = fake_server_new ();
  g_autoptr(LbDatabricksClient) from_query = profile_client (fake, "[p]\nhost = @HOST@/?o=111&w=222\ntoken = test-token\n");
  g_autoptr(LbDatabricksClient) from_key = profile_client (fake, "[p]\nhost = @HOST@\nworkspace_id = 333\ntoken = test-token\n");
  g_autoptr(LbDatabricksClient) none = pat_client (fake);
  Result r = { 0, };

  call (from_query, "GET", "/api/2.0/ok", NULL, &r);
  g_assert_no_error (r.error);
  g_assert_cmpstr (fake->last_workspace_id, ==, "222");

  call (from_key, "GET", "/api/2.0/ok", NULL, &r);
  g_assert_no_error (r.error);
  g_assert_cmpstr (fake->last_workspace_id, ==, "333");

  call (none, "GET", "/api/2.0/ok", NULL, &r);
  g_assert_no_error (r.error);
  g_assert_null (fake->last_workspace_id);
  result_clear (&r);
}

/* A fake `databricks`: logs each argv as a line, answers `version` with
 * @version and `auth token` with a stale token, or a fresh one when asked
 * to --force-refresh. */
static char *
write_fake_cli (const char *dir,
                const char *version)
{
  g_autofree char *script = g_strdup_printf (
    "#!/bin/sh\n"
    "echo \"$*\" >> '%s/argv.log'\n"
    "if [ \"$1\" = version ]; then echo 'Databricks CLI v%s'; exit 0; fi\n"
    "[ \"$1 $2\" = 'auth token' ] || exit 3\n"
    "case \" $* \" in\n"
    "  *' --force-refresh '*) token=fresh-cli-token ;;\n"
    "  *) token=stale-cli-token ;;\n"
    "esac\n"
    "echo \"{\\\"access_token\\\":\\\"$token\\\",\\\"token_type\\\":\\\"Bearer\\\",\\\"expiry\\\":\\\"2099-01-01T00:00:00Z\\\"}\"\n",
    dir, version);
  char *path = g_build_filename (dir, "databricks", NULL);

  g_assert_true (g_file_set_contents (path, script, -1, NULL));
  g_chmod (path, 0755);
  return path;
}

static char *
read_argv_log (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "argv.log", NULL);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("");
  g_unlink (path);
  return contents;
}

static void
assert_no_cli_token (const GError *error)
{
  if (error != NULL)
    {
      g_assert_null (strstr (error->message, "stale-cli-token"));
      g_assert_null (strstr (error->message, "fresh-cli-token"));
    }
}

/* After a 401 the CLI is asked again with --force-refresh, but only from
 * CLI 0.296.0 on (older ones reject the flag); --profile from 0.207.1 on,
 * else --host. */
static void
test_cli_force_refresh (void)
{
  static const struct {
    const char *version;
    gboolean    recovers;
    const char *log;   /* @HOST@ = the fake's address */
  } cases[] = {
    { "0.296.0", TRUE, "version\nauth token --profile p\nauth token --profile p --force-refresh\n" },
    { "1.13.0", TRUE, "version\nauth token --profile p\nauth token --profile p --force-refresh\n" },
    { "0.295.9", FALSE, "version\nauth token --profile p\nauth token --profile p\n" },
    { "0.207.0", FALSE, "version\nauth token --host @HOST@\nauth token --host @HOST@\n" },
  };
  g_autoptr(FakeServer) fake = fake_server_new ();
  g_autofree char *dir = g_dir_make_tmp ("lb-cli-XXXXXX", NULL);

  g_setenv ("HOME", dir, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *cli = write_fake_cli (dir, cases[i].version);
      g_autoptr(LbDatabricksClient) client = NULL;
      g_autofree char *log = NULL;
      g_auto(GStrv) parts = g_strsplit (cases[i].log, "@HOST@", -1);
      g_autofree char *expected = g_strjoinv (fake->base, parts);
      Result r = { 0, };

      g_test_message ("CLI v%s", cases[i].version);
      g_setenv ("DATABRICKS_CLI_PATH", cli, TRUE);
      client = profile_client (fake, "[p]\nhost = @HOST@\nauth_type = databricks-cli\n");
      g_free (fake->expected_auth);
      fake->expected_auth = g_strdup ("Bearer fresh-cli-token");
      call (client, "GET", "/api/2.0/ok", NULL, &r);
      if (cases[i].recovers)
        g_assert_no_error (r.error);
      else
        g_assert_error (r.error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_UNAUTHENTICATED);
      assert_no_cli_token (r.error);
      log = read_argv_log (dir);
      g_assert_cmpstr (log, ==, expected);

      /* The version is asked once per sign-in, not per token: a token
       * refused again sends the CLI straight to --force-refresh. */
      if (cases[i].recovers)
        {
          g_autofree char *again = NULL;

          g_free (fake->expected_auth);
          fake->expected_auth = g_strdup ("Bearer another-token");
          call (client, "GET", "/api/2.0/ok", NULL, &r);
          g_assert_error (r.error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_UNAUTHENTICATED);
          assert_no_cli_token (r.error);
          again = read_argv_log (dir);
          g_assert_cmpstr (again, ==, "auth token --profile p --force-refresh\n");
        }
      result_clear (&r);
      g_unlink (cli);
    }

  g_unsetenv ("DATABRICKS_CLI_PATH");
  g_rmdir (dir);
}

typedef struct
{
  gboolean  done;
  char     *header;
  GError   *error;
} HeaderResult;

static void
header_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  HeaderResult *r = user_data;

  r->header = lb_databricks_auth_get_header_finish (LB_DATABRICKS_AUTH (object), result, &r->error);
  r->done = TRUE;
}

static char *
get_header (LbDatabricksAuth  *auth,
            GError           **error)
{
  HeaderResult r = { 0, };

  lb_databricks_auth_get_header_async (auth, NULL, header_done_cb, &r);
  lb_test_spin_until (&r.done, 30);
  if (r.error != NULL)
    g_propagate_error (error, r.error);
  return r.header;
}

/* Account hosts (no profile: the --host form) pass --account-id; the
 * profile's databricks_cli_path picks the CLI when DATABRICKS_CLI_PATH is
 * unset, and a bare name there is looked up in PATH. */
static void
test_cli_account_and_path (void)
{
  g_autofree char *dir = g_dir_make_tmp ("lb-cli-XXXXXX", NULL);
  g_autofree char *cli = write_fake_cli (dir, "1.13.0");
  g_autofree char *home_env = g_strconcat ("HOME=", dir, NULL);
  g_autofree char *cli_env = g_strconcat ("DATABRICKS_CLI_PATH=", cli, NULL);
  const char *account_env[] = { home_env, cli_env, "DATABRICKS_HOST=https://accounts.cloud.databricks.com",
                                "DATABRICKS_ACCOUNT_ID=acc-0001", "DATABRICKS_AUTH_TYPE=databricks-cli", NULL };
  const char *environ[] = { home_env, NULL };
  g_autofree char *with_path = g_strdup_printf ("[p]\nhost = https://dbc-1.cloud.databricks.com\n"
                                                "auth_type = databricks-cli\ndatabricks_cli_path = %s\n", cli);
  g_autoptr(LbDatabricksConfig) config = NULL;
  g_autoptr(LbDatabricksProfile) profile = NULL;
  g_autoptr(LbDatabricksAuth) auth = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *header = NULL;
  g_autofree char *log = NULL;
  g_autofree char *old_path = g_strdup (g_getenv ("PATH"));

  g_unsetenv ("DATABRICKS_CLI_PATH");

  config = lb_databricks_config_new_from_data ("", "cfg", account_env, &error);
  g_assert_no_error (error);
  profile = lb_databricks_config_resolve (config, NULL, &error);
  g_assert_no_error (error);
  auth = lb_databricks_auth_new (profile);
  header = get_header (auth, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (header, ==, "Bearer stale-cli-token");
  log = read_argv_log (dir);
  g_assert_cmpstr (log, ==, "version\nauth token --host https://accounts.cloud.databricks.com --account-id acc-0001\n");
  g_clear_pointer (&header, g_free);
  g_clear_pointer (&log, g_free);
  g_clear_object (&auth);
  g_clear_pointer (&profile, lb_databricks_profile_free);
  g_clear_object (&config);

  /* databricks_cli_path in the profile. */
  config = lb_databricks_config_new_from_data (with_path, "cfg", environ, &error);
  g_assert_no_error (error);
  profile = lb_databricks_config_resolve (config, "p", &error);
  g_assert_no_error (error);
  auth = lb_databricks_auth_new (profile);
  header = get_header (auth, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (header, ==, "Bearer stale-cli-token");
  log = read_argv_log (dir);
  g_assert_cmpstr (log, ==, "version\nauth token --profile p\n");
  g_clear_pointer (&header, g_free);
  g_clear_pointer (&log, g_free);
  g_clear_object (&auth);
  g_clear_pointer (&profile, lb_databricks_profile_free);
  g_clear_object (&config);

  /* A bare name: found in PATH, whatever its size (the user named it). */
  {
    g_autofree char *renamed = g_build_filename (dir, "dbx-cli", NULL);
    g_autofree char *path_env = g_strconcat (dir, ":", old_path, NULL);

    g_assert_cmpint (g_rename (cli, renamed), ==, 0);
    g_setenv ("PATH", path_env, TRUE);
    config = lb_databricks_config_new_from_data ("[p]\nhost = https://dbc-1.cloud.databricks.com\n"
                                                 "auth_type = databricks-cli\ndatabricks_cli_path = dbx-cli\n",
                                                 "cfg", environ, &error);
    g_assert_no_error (error);
    profile = lb_databricks_config_resolve (config, "p", &error);
    auth = lb_databricks_auth_new (profile);
    header = get_header (auth, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (header, ==, "Bearer stale-cli-token");
    log = read_argv_log (dir);
    g_assert_cmpstr (log, ==, "version\nauth token --profile p\n");
    g_setenv ("PATH", old_path, TRUE);
    g_unlink (renamed);
  }

  g_rmdir (dir);
}

/* Bodies the reply fuzzer found (tests/data/fuzz-regressions/fuzz-databricks-replies/):
 * an all-blank answer is an empty one, not a NULL reply handed on as a
 * success, an all-blank error body still gives an error a user can read, and
 * a long plain-text error body is not cut in the middle of a character. */
static void
test_fuzz_regressions (void)
{
  g_autoptr(FakeServer) fake = fake_server_new ();
  g_autoptr(LbDatabricksClient) client = pat_client (fake);
  g_autofree char *regressions = g_test_build_filename (G_TEST_DIST, "data", "fuzz-regressions",
                                                        "fuzz-databricks-replies", NULL);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;
  guint replayed = 0;
  Result r = { 0, };

  dir = g_dir_open (regressions, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (regressions, name, NULL);

      g_test_message ("replaying %s", name);
      g_clear_pointer (&fake->canned_body, g_free);
      g_assert_true (g_file_get_contents (path, &fake->canned_body, NULL, &error));
      g_assert_no_error (error);

      call (client, "GET", "/api/2.0/canned", NULL, &r);
      g_assert_true (r.node != NULL || r.error != NULL);

      call (client, "GET", "/api/2.0/canned-400", NULL, &r);
      g_assert_error (r.error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_BAD_REQUEST);
      g_assert_cmpstr (r.error->message, !=, "");
      g_assert_true (g_utf8_validate (r.error->message, -1, NULL));
      replayed++;
    }
  g_assert_cmpuint (replayed, >, 0);

  result_clear (&r);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/databricks-client/json-and-headers", test_json_and_headers);
  g_test_add_func ("/databricks-client/errors", test_errors);
  g_test_add_func ("/databricks-client/fuzz-regressions", test_fuzz_regressions);
  g_test_add_func ("/databricks-client/retries", test_retries);
  g_test_add_func ("/databricks-client/cancel-during-backoff", test_cancel_during_backoff);
  g_test_add_func ("/databricks-client/network-errors", test_network_errors);
  g_test_add_func ("/databricks-client/insecure-host", test_insecure_host);
  g_test_add_func ("/databricks-client/paging", test_paging);
  g_test_add_func ("/databricks-client/redirects", test_redirects);
  g_test_add_func ("/databricks-client/oauth-m2m", test_oauth_m2m);
  g_test_add_func ("/databricks-client/oauth-u2m", test_oauth_u2m);
  g_test_add_func ("/databricks-client/oauth-m2m-scopes", test_oauth_m2m_scopes);
  g_test_add_func ("/databricks-client/workspace-id-header", test_workspace_id_header);
  g_test_add_func ("/databricks-client/cli-force-refresh", test_cli_force_refresh);
  g_test_add_func ("/databricks-client/cli-account-and-path", test_cli_account_and_path);

  return g_test_run ();
}
