/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbOAuthLogin: the browser sign-in (OAuth U2M, authorization code + PKCE
 * S256) with a one-shot loopback listener, plus OIDC discovery and the
 * refresh_token grant that the credential resolution reuses. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "lb-oauth-login.h"

#define REFRESH_MARGIN_USEC ((gint64) 5 * 60 * G_USEC_PER_SEC)
#define FIRST_PORT 8020
#define LAST_PORT  8040

G_DEFINE_QUARK (lb-oauth-error-quark, lb_oauth_error)

static void
clear_secret (char **secret)
{
  if (*secret != NULL)
    memset (*secret, 0, strlen (*secret));
  g_clear_pointer (secret, g_free);
}

void
lb_oauth_endpoints_free (LbOAuthEndpoints *self)
{
  if (self == NULL)
    return;
  g_free (self->authorization_endpoint);
  g_free (self->token_endpoint);
  g_free (self->account_id);
  g_free (self->workspace_id);
  g_free (self);
}

LbOAuthEndpoints *
lb_oauth_endpoints_copy (const LbOAuthEndpoints *self)
{
  LbOAuthEndpoints *copy;

  if (self == NULL)
    return NULL;
  copy = g_new0 (LbOAuthEndpoints, 1);
  copy->authorization_endpoint = g_strdup (self->authorization_endpoint);
  copy->token_endpoint = g_strdup (self->token_endpoint);
  copy->account_id = g_strdup (self->account_id);
  copy->workspace_id = g_strdup (self->workspace_id);
  copy->host_type = self->host_type;
  return copy;
}

LbOAuthTokens *
lb_oauth_tokens_copy (const LbOAuthTokens *self)
{
  LbOAuthTokens *copy;

  if (self == NULL)
    return NULL;

  copy = g_new0 (LbOAuthTokens, 1);
  copy->access_token = g_strdup (self->access_token);
  copy->refresh_token = g_strdup (self->refresh_token);
  copy->token_endpoint = g_strdup (self->token_endpoint);
  copy->expires_at = self->expires_at;
  return copy;
}

void
lb_oauth_tokens_free (LbOAuthTokens *self)
{
  if (self == NULL)
    return;
  clear_secret (&self->access_token);
  clear_secret (&self->refresh_token);
  g_free (self->token_endpoint);
  g_free (self);
}

gboolean
lb_oauth_tokens_needs_refresh (const LbOAuthTokens *self)
{
  g_return_val_if_fail (self != NULL, TRUE);

  if (self->access_token == NULL)
    return TRUE;
  return self->expires_at != 0 && self->expires_at - g_get_real_time () < REFRESH_MARGIN_USEC;
}

/* Random, URL-safe ------------------------------------------------------- */

static char *
base64url (const guchar *data,
           gsize         len)
{
  char *text = g_base64_encode (data, len);
  char *end;

  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  end = strchr (text, '=');
  if (end != NULL)
    *end = '\0';
  return text;
}

/* From the kernel's CSPRNG: these are secrets, g_random is not enough. */
static char *
random_token (gsize n_bytes)
{
  guchar bytes[64];

  g_assert (n_bytes <= sizeof bytes);
  if (getentropy (bytes, n_bytes) != 0)
    g_error ("No random bytes from the kernel: %s", g_strerror (errno));
  {
    char *text = base64url (bytes, n_bytes);

    memset (bytes, 0, sizeof bytes);
    return text;
  }
}

static char *
s256_challenge (const char *verifier)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;

  g_checksum_update (checksum, (const guchar *) verifier, strlen (verifier));
  g_checksum_get_digest (checksum, digest, &len);
  return base64url (digest, len);
}

static SoupSession *
ensure_session (SoupSession *session)
{
  if (session != NULL)
    return g_object_ref (session);
  return soup_session_new_with_options ("timeout", 60, NULL);
}

static char *
strip_slash (const char *host)
{
  char *copy = g_strdup (host);
  gsize len = strlen (copy);

  while (len > 0 && copy[len - 1] == '/')
    copy[--len] = '\0';
  return copy;
}

/* Discovery ----------------------------------------------------------------- */

/* accounts. and accounts-dod. hosts are account consoles (the SDKs' URL
 * rule); everything else is asked for its metadata. */
gboolean
lb_oauth_is_account_host (const char *host)
{
  g_autoptr(GUri) uri = host != NULL ? g_uri_parse (host, G_URI_FLAGS_NONE, NULL) : NULL;
  const char *name = uri != NULL ? g_uri_get_host (uri) : NULL;

  return name != NULL && (g_str_has_prefix (name, "accounts.") || g_str_has_prefix (name, "accounts-dod."));
}

gboolean
lb_oauth_is_valid_account_id (const char *account_id)
{
  static const char pattern[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

  if (account_id == NULL || strlen (account_id) != sizeof pattern - 1)
    return FALSE;
  for (gsize i = 0; pattern[i] != '\0'; i++)
    if (pattern[i] == '-' ? account_id[i] != '-' : !g_ascii_isxdigit (account_id[i]))
      return FALSE;
  return TRUE;
}

typedef struct
{
  char             *host;          /* without the trailing slash */
  char             *account_id;    /* given, or the metadata's */
  SoupSession      *session;
  LbOAuthEndpoints *partial;       /* ids and host type from the metadata */
} Discovery;

static void
discovery_free (gpointer data)
{
  Discovery *discovery = data;

  g_free (discovery->host);
  g_free (discovery->account_id);
  g_clear_object (&discovery->session);
  lb_oauth_endpoints_free (discovery->partial);
  g_free (discovery);
}

static void
discovery_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  Discovery *discovery = g_task_get_task_data (task);
  const char *host = discovery->host;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  guint status;
  JsonObject *object_;
  LbOAuthEndpoints *endpoints;

  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, LB_OAUTH_ERROR, LB_OAUTH_ERROR_DISCOVERY,
                                 _("%s could not be reached (%s): check the workspace URL and the network"),
                                 host, error->message);
      return;
    }

  status = soup_message_get_status (message);
  if (status == SOUP_STATUS_NOT_FOUND)
    {
      if (discovery->partial != NULL && discovery->partial->host_type == LB_OAUTH_HOST_UNIFIED)
        g_task_return_new_error (task, LB_OAUTH_ERROR, LB_OAUTH_ERROR_NOT_SUPPORTED,
                                 _("%s has no OAuth sign-in for account %s: check the account id"),
                                 host, discovery->account_id);
      else
        g_task_return_new_error (task, LB_OAUTH_ERROR, LB_OAUTH_ERROR_NOT_SUPPORTED,
                                 _("%s does not offer browser sign-in (it has no OAuth endpoints): check that "
                                   "this is a Databricks workspace URL, or use a personal access token"),
                                 host);
      return;
    }

  if (status != SOUP_STATUS_OK ||
      !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_task_return_new_error (task, LB_OAUTH_ERROR, LB_OAUTH_ERROR_DISCOVERY,
                               _("%s answered %u to the OAuth discovery request: check the workspace URL"),
                               host, status);
      return;
    }

  object_ = json_node_get_object (json_parser_get_root (parser));
  if (json_object_get_string_member_with_default (object_, "authorization_endpoint", NULL) == NULL ||
      json_object_get_string_member_with_default (object_, "token_endpoint", NULL) == NULL)
    {
      g_task_return_new_error (task, LB_OAUTH_ERROR, LB_OAUTH_ERROR_DISCOVERY,
                               _("%s describes its OAuth sign-in without the endpoints to use"), host);
      return;
    }

  endpoints = discovery->partial != NULL ? g_steal_pointer (&discovery->partial) : g_new0 (LbOAuthEndpoints, 1);
  endpoints->authorization_endpoint = g_strdup (json_object_get_string_member (object_, "authorization_endpoint"));
  endpoints->token_endpoint = g_strdup (json_object_get_string_member (object_, "token_endpoint"));
  g_task_return_pointer (task, endpoints, (GDestroyNotify) lb_oauth_endpoints_free);
}

static void
ask_authorization_server (GTask      *task,
                          const char *url)
{
  Discovery *discovery = g_task_get_task_data (task);
  g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_GET, url);

  if (message == NULL)
    {
      g_task_return_new_error (task, LB_OAUTH_ERROR, LB_OAUTH_ERROR_DISCOVERY,
                               _("“%s” is not a workspace URL"), discovery->host);
      g_object_unref (task);
      return;
    }
  soup_message_headers_replace (soup_message_get_request_headers (message), "Accept", "application/json");
  soup_session_send_and_read_async (discovery->session, message, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), discovery_cb, task);
}

/* {host}/.well-known/databricks-config, as the SDKs read it: a unified host
 * answers with an account-level oidc_endpoint ({account_id} to fill in) and
 * its account id; a workspace with its own /oidc and its ids. No answer
 * (older hosts) means a workspace, asked the classic way. */
static void
metadata_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  Discovery *discovery = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *url = NULL;
  g_autofree char *oidc = NULL;
  JsonObject *meta = NULL;
  const char *raw_oidc;
  const char *host_type;
  LbOAuthEndpoints *partial;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  if (bytes != NULL && soup_message_get_status (message) == SOUP_STATUS_OK &&
      json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    meta = json_node_get_object (json_parser_get_root (parser));
  raw_oidc = meta != NULL ? json_object_get_string_member_with_default (meta, "oidc_endpoint", NULL) : NULL;

  if (raw_oidc == NULL || raw_oidc[0] == '\0')
    {
      url = g_strconcat (discovery->host, "/oidc/.well-known/oauth-authorization-server", NULL);
      ask_authorization_server (task, url);
      return;
    }

  partial = discovery->partial = g_new0 (LbOAuthEndpoints, 1);
  if (discovery->account_id == NULL)
    discovery->account_id = g_strdup (json_object_get_string_member_with_default (meta, "account_id", NULL));
  partial->account_id = g_strdup (discovery->account_id);
  partial->workspace_id = g_strdup (json_object_get_string_member_with_default (meta, "workspace_id", NULL));
  host_type = json_object_get_string_member_with_default (meta, "host_type", "");
  partial->host_type = (g_ascii_strcasecmp (host_type, "unified") == 0 ||
                        g_ascii_strcasecmp (host_type, "unified_host") == 0 ||
                        strstr (raw_oidc, "/oidc/accounts/") != NULL)
                       ? LB_OAUTH_HOST_UNIFIED : LB_OAUTH_HOST_WORKSPACE;

  if (strstr (raw_oidc, "{account_id}") != NULL)
    {
      GString *filled;

      if (discovery->account_id == NULL || discovery->account_id[0] == '\0')
        {
          g_task_return_new_error (task, LB_OAUTH_ERROR, LB_OAUTH_ERROR_ACCOUNT_ID_NEEDED,
                                   _("%s signs in through a Databricks account: give the account id "
                                     "(a UUID, shown in the account console) to sign in to it"),
                                   discovery->host);
          g_object_unref (task);
          return;
        }
      filled = g_string_new (raw_oidc);
      g_string_replace (filled, "{account_id}", discovery->account_id, 0);
      oidc = g_string_free (filled, FALSE);
    }
  else
    oidc = g_strdup (raw_oidc);

  while (g_str_has_suffix (oidc, "/"))
    oidc[strlen (oidc) - 1] = '\0';
  url = g_strconcat (oidc, "/.well-known/oauth-authorization-server", NULL);
  ask_authorization_server (task, url);
}

void
lb_oauth_discover_async (SoupSession         *session,
                         const char          *host,
                         const char          *account_id,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autofree char *url = NULL;
  Discovery *discovery;

  g_return_if_fail (host != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_oauth_discover_async);
  discovery = g_new0 (Discovery, 1);
  discovery->host = strip_slash (host);
  discovery->account_id = account_id != NULL && account_id[0] != '\0' ? g_strdup (account_id) : NULL;
  discovery->session = ensure_session (session);
  g_task_set_task_data (task, discovery, discovery_free);

  if (discovery->account_id != NULL && !lb_oauth_is_valid_account_id (discovery->account_id))
    {
      g_task_return_new_error (task, LB_OAUTH_ERROR, LB_OAUTH_ERROR_DISCOVERY,
                               _("“%s” is not an account id: it is a UUID such as "
                                 "0a1b2c3d-1234-5678-9abc-def012345678, shown in the account console"),
                               discovery->account_id);
      return;
    }

  /* Account consoles have fixed endpoints under the account (the SDKs'). */
  if (lb_oauth_is_account_host (discovery->host))
    {
      LbOAuthEndpoints *endpoints;

      if (discovery->account_id == NULL)
        {
          g_task_return_new_error (task, LB_OAUTH_ERROR, LB_OAUTH_ERROR_ACCOUNT_ID_NEEDED,
                                   _("%s is an account console: give the account id to sign in to it"),
                                   discovery->host);
          return;
        }
      endpoints = g_new0 (LbOAuthEndpoints, 1);
      endpoints->authorization_endpoint = g_strdup_printf ("%s/oidc/accounts/%s/v1/authorize",
                                                           discovery->host, discovery->account_id);
      endpoints->token_endpoint = g_strdup_printf ("%s/oidc/accounts/%s/v1/token",
                                                   discovery->host, discovery->account_id);
      endpoints->account_id = g_strdup (discovery->account_id);
      endpoints->host_type = LB_OAUTH_HOST_ACCOUNT;
      g_task_return_pointer (task, endpoints, (GDestroyNotify) lb_oauth_endpoints_free);
      return;
    }

  url = g_strconcat (discovery->host, "/.well-known/databricks-config", NULL);
  message = soup_message_new (SOUP_METHOD_GET, url);
  if (message == NULL)
    {
      g_task_return_new_error (task, LB_OAUTH_ERROR, LB_OAUTH_ERROR_DISCOVERY,
                               _("“%s” is not a workspace URL"), discovery->host);
      return;
    }
  soup_message_headers_replace (soup_message_get_request_headers (message), "Accept", "application/json");
  soup_session_send_and_read_async (discovery->session, message, G_PRIORITY_DEFAULT, cancellable,
                                    metadata_cb, g_steal_pointer (&task));
}

LbOAuthEndpoints *
lb_oauth_discover_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Token endpoint ------------------------------------------------------------ */

typedef struct
{
  char *token_endpoint;
  char *old_refresh_token;  /* kept when the answer has no new one */
} TokenRequest;

static void
token_request_free (gpointer data)
{
  TokenRequest *request = data;

  g_free (request->token_endpoint);
  clear_secret (&request->old_refresh_token);
  g_free (request);
}

static void
token_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TokenRequest *request = g_task_get_task_data (task);
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(LbOAuthTokens) tokens = NULL;
  JsonObject *object_ = NULL;
  guint status;
  gint64 expires_in = 3600;

  if (bytes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  status = soup_message_get_status (message);
  if (json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    object_ = json_node_get_object (json_parser_get_root (parser));

  if (status != SOUP_STATUS_OK || object_ == NULL ||
      json_object_get_string_member_with_default (object_, "access_token", NULL) == NULL)
    {
      const char *description = object_ != NULL ? json_object_get_string_member_with_default (object_, "error_description", NULL) : NULL;
      const char *code = object_ != NULL ? json_object_get_string_member_with_default (object_, "error", NULL) : NULL;

      if (description == NULL && code == NULL)
        g_task_return_new_error (task, LB_OAUTH_ERROR, LB_OAUTH_ERROR_TOKEN,
                                 _("The workspace's token endpoint answered %u without a token"), status);
      else
        g_task_return_new_error (task, LB_OAUTH_ERROR, LB_OAUTH_ERROR_TOKEN,
                                 _("The workspace refused the sign-in: %s"),
                                 description != NULL ? description : code);
      return;
    }

  /* expires_in is a number, or a string in some answers. */
  if (json_object_has_member (object_, "expires_in"))
    {
      JsonNode *node = json_object_get_member (object_, "expires_in");

      if (json_node_get_value_type (node) == G_TYPE_STRING)
        expires_in = g_ascii_strtoll (json_node_get_string (node), NULL, 10);
      else if (JSON_NODE_HOLDS_VALUE (node))
        expires_in = json_node_get_int (node);
    }

  tokens = g_new0 (LbOAuthTokens, 1);
  tokens->access_token = g_strdup (json_object_get_string_member (object_, "access_token"));
  tokens->refresh_token = g_strdup (json_object_get_string_member_with_default (object_, "refresh_token", NULL));
  if (tokens->refresh_token == NULL)
    tokens->refresh_token = g_strdup (request->old_refresh_token);
  tokens->token_endpoint = g_strdup (request->token_endpoint);
  tokens->expires_at = g_get_real_time () + expires_in * G_USEC_PER_SEC;

  /* The body held the tokens: wipe our copy of it. */
  memset ((char *) g_bytes_get_data (bytes, NULL), 0, g_bytes_get_size (bytes));
  g_task_return_pointer (task, g_steal_pointer (&tokens), (GDestroyNotify) lb_oauth_tokens_free);
}

/* Posts @form (wiped afterwards) to @endpoint; the task's result is LbOAuthTokens. */
static void
post_token_form (SoupSession *session,
                 GTask       *task,
                 const char  *endpoint,
                 char        *form,
                 const char  *old_refresh_token)
{
  g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_POST, endpoint);
  g_autoptr(SoupSession) owned = ensure_session (session);
  g_autoptr(GBytes) body = NULL;
  TokenRequest *request;

  if (message == NULL)
    {
      memset (form, 0, strlen (form));
      g_task_return_new_error (task, LB_OAUTH_ERROR, LB_OAUTH_ERROR_TOKEN,
                               _("“%s” is not a token endpoint"), endpoint);
      return;
    }

  request = g_new0 (TokenRequest, 1);
  request->token_endpoint = g_strdup (endpoint);
  request->old_refresh_token = g_strdup (old_refresh_token);
  g_task_set_task_data (task, request, token_request_free);

  body = g_bytes_new (form, strlen (form));
  memset (form, 0, strlen (form));
  /* The form holds a secret: never resend it to wherever a 3xx points. */
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_set_request_body_from_bytes (message, "application/x-www-form-urlencoded", body);
  soup_message_headers_replace (soup_message_get_request_headers (message), "Accept", "application/json");
  soup_session_send_and_read_async (owned, message, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                    token_cb, g_object_ref (task));
}

static char *
form_encode (const char *first_key,
             ...)
{
  GString *form = g_string_new (NULL);
  const char *key = first_key;
  va_list args;

  va_start (args, first_key);
  while (key != NULL)
    {
      const char *value = va_arg (args, const char *);
      g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

      if (form->len > 0)
        g_string_append_c (form, '&');
      g_string_append_printf (form, "%s=%s", key, escaped);
      memset (escaped, 0, strlen (escaped));
      key = va_arg (args, const char *);
    }
  va_end (args);

  return g_string_free (form, FALSE);
}

void
lb_oauth_refresh_async (SoupSession         *session,
                        const LbOAuthTokens *tokens,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *form = NULL;

  g_return_if_fail (tokens != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_oauth_refresh_async);

  if (tokens->refresh_token == NULL || tokens->token_endpoint == NULL)
    {
      g_task_return_new_error (task, LB_OAUTH_ERROR, LB_OAUTH_ERROR_TOKEN,
                               _("The saved sign-in cannot be renewed: sign in with the browser again"));
      return;
    }

  form = form_encode ("grant_type", "refresh_token",
                      "refresh_token", tokens->refresh_token,
                      "client_id", LB_OAUTH_CLIENT_ID,
                      NULL);
  post_token_form (session, task, tokens->token_endpoint, form, tokens->refresh_token);
}

LbOAuthTokens *
lb_oauth_refresh_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* LbOAuthLogin -------------------------------------------------------------- */

struct _LbOAuthLogin
{
  GObject           parent_instance;

  char             *host;
  char             *account_id;
  int               port;
  guint             timeout_s;
  char             *uri;
  SoupSession      *session;
  LbOAuthEndpoints *endpoints;  /* what the last discovery found */
};

G_DEFINE_FINAL_TYPE (LbOAuthLogin, lb_oauth_login, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_HOST,
  PROP_ACCOUNT_ID,
  PROP_PORT,
  PROP_TIMEOUT,
  N_PROPS
};

enum {
  OPEN_URI,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* One run: lives in the task's data. */
typedef struct
{
  LbOAuthEndpoints *endpoints;
  SoupServer       *server;
  GSource          *timeout;
  GSource          *cancelled;
  char             *state;
  char             *verifier;     /* secret until the exchange */
  char             *redirect_uri;
  SoupServerMessage *waiting;     /* the browser's redirect, answered after the exchange */
  gboolean          redirected;   /* the browser came back: no second code */
} Run;

static gboolean
stop_server_cb (gpointer user_data)
{
  SoupServer *server = user_data;

  soup_server_disconnect (server);
  g_object_unref (server);
  return G_SOURCE_REMOVE;
}

static void
server_done_cb (SoupServer        *server,
                SoupServerMessage *msg,
                gpointer           user_data)
{
  g_signal_handlers_disconnect_by_func (server, server_done_cb, user_data);
  /* Not from inside the server's own signal: once it has returned, in the
   * context the server runs in. */
  {
    g_autoptr(GSource) idle = g_idle_source_new ();

    g_source_set_callback (idle, stop_server_cb, server, NULL);
    g_source_attach (idle, g_main_context_get_thread_default ());
  }
}

static void
run_stop_sources (Run *run)
{
  if (run->timeout != NULL)
    g_source_destroy (run->timeout);
  g_clear_pointer (&run->timeout, g_source_unref);
  if (run->cancelled != NULL)
    g_source_destroy (run->cancelled);
  g_clear_pointer (&run->cancelled, g_source_unref);
}

static void
run_stop (Run *run)
{
  run_stop_sources (run);
  if (run->server != NULL)
    soup_server_disconnect (run->server);
  g_clear_object (&run->server);
}

/* From inside the handler: the answer to the browser is still to be
 * written, so the server closes once it is (and takes no more requests to
 * a run that may be gone by then). */
static void
run_stop_after_reply (Run *run)
{
  SoupServer *server = g_steal_pointer (&run->server);

  run_stop_sources (run);
  if (server == NULL)
    return;
  soup_server_remove_handler (server, NULL);
  g_signal_connect (server, "request-finished", G_CALLBACK (server_done_cb), NULL);
  g_signal_connect (server, "request-aborted", G_CALLBACK (server_done_cb), NULL);
}

static void
run_free (gpointer data)
{
  Run *run = data;

  run_stop (run);
  g_clear_pointer (&run->endpoints, lb_oauth_endpoints_free);
  clear_secret (&run->state);
  clear_secret (&run->verifier);
  g_free (run->redirect_uri);
  if (run->waiting != NULL)
    soup_server_message_unpause (run->waiting);
  g_clear_object (&run->waiting);
  g_free (run);
}

static void answer_browser (SoupServerMessage *msg,
                            guint              status,
                            const char        *title,
                            const char        *text);

static void
exchange_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  GError *error = NULL;
  LbOAuthTokens *tokens = g_task_propagate_pointer (G_TASK (result), &error);

  /* The browser tab learns how it ended, now that it is known. */
  if (run->waiting != NULL)
    {
      if (tokens != NULL)
        answer_browser (run->waiting, SOUP_STATUS_OK, _("Signed in"),
                        _("Lakebase Accelerator is signed in to your workspace. You can close this tab."));
      else
        answer_browser (run->waiting, SOUP_STATUS_OK, _("Sign-in failed"),
                        _("The workspace did not complete the sign-in. Lakebase Accelerator says why; "
                          "you can close this tab."));
      soup_server_message_unpause (run->waiting);
      g_clear_object (&run->waiting);
    }

  if (tokens == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, tokens, (GDestroyNotify) lb_oauth_tokens_free);
}

static void
answer_browser (SoupServerMessage *msg,
                guint              status,
                const char        *title,
                const char        *text)
{
  g_autofree char *page = NULL;

  page = g_markup_printf_escaped ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title></head>"
                                  "<body style=\"font-family: sans-serif; margin: 4em auto; max-width: 36em\">"
                                  "<h1>%s</h1><p>%s</p></body></html>\n",
                                  title, title, text);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_COPY, page, strlen (page));
}

/* The browser's redirect: ?code=…&state=… (or ?error=…). */
static void
redirect_cb (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  const char *code = query != NULL ? g_hash_table_lookup (query, "code") : NULL;
  const char *state = query != NULL ? g_hash_table_lookup (query, "state") : NULL;
  const char *error_code = query != NULL ? g_hash_table_lookup (query, "error") : NULL;
  g_autofree char *form = NULL;
  g_autoptr(GTask) exchange = NULL;

  /* Browsers also ask for /favicon.ico and the like. */
  if (g_strcmp0 (path, "/") != 0 || run->redirected || (code == NULL && error_code == NULL))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  if (g_strcmp0 (state, run->state) != 0)
    {
      /* Someone else's redirect (or a forged one): refuse it, and stop,
       * since our own will not come to a port that answered wrongly. */
      answer_browser (msg, SOUP_STATUS_BAD_REQUEST, _("Sign-in refused"),
                      _("This answer was not for the sign-in Lakebase Accelerator started. Start the sign-in again from the app."));
      run->redirected = TRUE;
      run_stop_after_reply (run);
      g_task_return_new_error (task, LB_OAUTH_ERROR, LB_OAUTH_ERROR_STATE_MISMATCH,
                               _("The browser came back with an answer for another sign-in: start the sign-in again"));
      g_object_unref (task);
      return;
    }

  run->redirected = TRUE;
  if (error_code != NULL)
    {
      const char *description = g_hash_table_lookup (query, "error_description");

      answer_browser (msg, SOUP_STATUS_OK, _("Sign-in cancelled"),
                      _("The workspace did not sign you in. You can close this tab and return to Lakebase Accelerator."));
      run_stop_after_reply (run);
      g_task_return_new_error (task, LB_OAUTH_ERROR, LB_OAUTH_ERROR_DENIED,
                               _("The workspace did not sign you in: %s"),
                               description != NULL ? description : error_code);
      g_object_unref (task);
      return;
    }

  /* The answer waits for the code exchange, so the tab tells the truth. */
  run->waiting = g_object_ref (msg);
  soup_server_message_pause (msg);

  /* The listener's job is done; the timeout no longer applies either. */
  run_stop_after_reply (run);

  form = form_encode ("grant_type", "authorization_code",
                      "code", code,
                      "code_verifier", run->verifier,
                      "redirect_uri", run->redirect_uri,
                      "client_id", LB_OAUTH_CLIENT_ID,
                      NULL);
  exchange = g_task_new (NULL, g_task_get_cancellable (task), exchange_cb, task);  /* takes our ref */
  post_token_form (LB_OAUTH_LOGIN (g_task_get_source_object (task))->session, exchange,
                   run->endpoints->token_endpoint, form, NULL);
}

static gboolean
timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  LbOAuthLogin *self = g_task_get_source_object (task);

  g_clear_pointer (&run->timeout, g_source_unref);
  run_stop (run);
  g_task_return_new_error (task, LB_OAUTH_ERROR, LB_OAUTH_ERROR_TIMED_OUT,
                           g_dngettext (GETTEXT_PACKAGE,
                                        "Nobody signed in within %u minute: start the sign-in again and finish it in the browser",
                                        "Nobody signed in within %u minutes: start the sign-in again and finish it in the browser",
                                        MAX (1, self->timeout_s / 60)),
                           MAX (1, self->timeout_s / 60));
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static gboolean
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);

  g_clear_pointer (&run->cancelled, g_source_unref);
  run_stop (run);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The sign-in was cancelled"));
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static gboolean
listen_on_family (SoupServer     *server,
                  GSocketFamily   family,
                  int             port,
                  GError        **error)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (family);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);

  return soup_server_listen (server, address, 0, error);
}

static gboolean
listen_on (SoupServer *server,
           int         port,
           GError    **error)
{
  return listen_on_family (server, G_SOCKET_FAMILY_IPV4, port, error);
}

static gboolean
start_listener (LbOAuthLogin  *self,
                Run           *run,
                GTask         *task,
                GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  GSList *uris;
  guint port;

  run->server = soup_server_new ("server-header", "lakebase-accelerator", NULL);
  /* The handler holds no reference: the server stops before the task ends. */
  soup_server_add_handler (run->server, NULL, redirect_cb, task, NULL);

  if (self->port > 0)
    {
      if (!listen_on (run->server, self->port, &local_error))
        {
          g_set_error (error, LB_OAUTH_ERROR, LB_OAUTH_ERROR_LISTEN,
                       _("Port %d on this computer is taken, so the browser cannot return to the app: %s"),
                       self->port, local_error->message);
          return FALSE;
        }
    }
  else
    {
      gboolean listening = FALSE;

      /* The CLI's ports first (the redirect the workspace knows), then any. */
      if (self->port < 0)
        for (int p = FIRST_PORT; p <= LAST_PORT && !listening; p++)
          listening = listen_on (run->server, p, NULL);
      if (!listening && !listen_on (run->server, 0, &local_error))
        {
          g_set_error (error, LB_OAUTH_ERROR, LB_OAUTH_ERROR_LISTEN,
                       _("No port on this computer to which the browser could return: %s"),
                       local_error->message);
          return FALSE;
        }
    }

  uris = soup_server_get_uris (run->server);
  port = uris != NULL ? (guint) g_uri_get_port (uris->data) : 0;
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  /* The redirect names "localhost", as the Databricks CLI's registered
   * redirect does (an IP there may not be accepted); a browser may resolve
   * it to ::1, so that port is taken there too when IPv6 has a loopback. */
  if (port != 0)
    listen_on_family (run->server, G_SOCKET_FAMILY_IPV6, port, NULL);
  run->redirect_uri = g_strdup_printf ("http://localhost:%u", port);
  return TRUE;
}

static char *
build_authorize_uri (Run *run)
{
  g_autofree char *challenge = s256_challenge (run->verifier);
  g_autofree char *query = form_encode ("response_type", "code",
                                        "client_id", LB_OAUTH_CLIENT_ID,
                                        "redirect_uri", run->redirect_uri,
                                        "scope", LB_OAUTH_SCOPES,
                                        "state", run->state,
                                        "code_challenge", challenge,
                                        "code_challenge_method", "S256",
                                        NULL);

  return g_strconcat (run->endpoints->authorization_endpoint,
                      strchr (run->endpoints->authorization_endpoint, '?') != NULL ? "&" : "?",
                      query, NULL);
}

static void
discovered_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;  /* the ref the listener or an answer drops */
  LbOAuthLogin *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  GError *error = NULL;
  GMainContext *context = g_main_context_get_thread_default ();

  run->endpoints = lb_oauth_discover_finish (result, &error);
  lb_oauth_endpoints_free (self->endpoints);
  self->endpoints = lb_oauth_endpoints_copy (run->endpoints);
  if (run->endpoints == NULL || !start_listener (self, run, task, &error))
    {
      run_stop (run);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  run->timeout = g_timeout_source_new_seconds (self->timeout_s);
  g_source_set_callback (run->timeout, timeout_cb, task, NULL);
  g_source_attach (run->timeout, context);

  if (g_task_get_cancellable (task) != NULL)
    {
      run->cancelled = g_cancellable_source_new (g_task_get_cancellable (task));
      g_source_set_callback (run->cancelled, G_SOURCE_FUNC (cancelled_cb), task, NULL);
      g_source_attach (run->cancelled, context);
    }

  g_free (self->uri);
  self->uri = build_authorize_uri (run);
  g_signal_emit (self, signals[OPEN_URI], 0, self->uri);
}

void
lb_oauth_login_run_async (LbOAuthLogin        *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;
  Run *run;

  g_return_if_fail (LB_IS_OAUTH_LOGIN (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_oauth_login_run_async);

  run = g_new0 (Run, 1);
  run->state = random_token (16);
  run->verifier = random_token (32);
  g_task_set_task_data (task, run, run_free);
  g_clear_pointer (&self->uri, g_free);

  lb_oauth_discover_async (self->session, self->host, self->account_id, cancellable, discovered_cb, task);
}

LbOAuthTokens *
lb_oauth_login_run_finish (LbOAuthLogin  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (LB_IS_OAUTH_LOGIN (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

const LbOAuthEndpoints *
lb_oauth_login_get_endpoints (LbOAuthLogin *self)
{
  g_return_val_if_fail (LB_IS_OAUTH_LOGIN (self), NULL);

  return self->uri != NULL ? self->endpoints : NULL;
}

const char *
lb_oauth_login_get_host (LbOAuthLogin *self)
{
  g_return_val_if_fail (LB_IS_OAUTH_LOGIN (self), NULL);

  return self->host;
}

const char *
lb_oauth_login_get_uri (LbOAuthLogin *self)
{
  g_return_val_if_fail (LB_IS_OAUTH_LOGIN (self), NULL);

  return self->uri;
}

void
lb_oauth_login_set_port (LbOAuthLogin *self,
                         int           port)
{
  g_return_if_fail (LB_IS_OAUTH_LOGIN (self));

  if (self->port == port)
    return;
  self->port = port;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
}

void
lb_oauth_login_set_timeout (LbOAuthLogin *self,
                            guint         seconds)
{
  g_return_if_fail (LB_IS_OAUTH_LOGIN (self));

  if (self->timeout_s == seconds)
    return;
  self->timeout_s = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
}

static void
lb_oauth_login_finalize (GObject *object)
{
  LbOAuthLogin *self = LB_OAUTH_LOGIN (object);

  g_free (self->host);
  g_free (self->account_id);
  g_clear_pointer (&self->endpoints, lb_oauth_endpoints_free);
  g_free (self->uri);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (lb_oauth_login_parent_class)->finalize (object);
}

static void
lb_oauth_login_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  LbOAuthLogin *self = LB_OAUTH_LOGIN (object);

  switch (prop_id)
    {
    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;
    case PROP_ACCOUNT_ID:
      g_value_set_string (value, self->account_id);
      break;
    case PROP_PORT:
      g_value_set_int (value, self->port);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout_s);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_oauth_login_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  LbOAuthLogin *self = LB_OAUTH_LOGIN (object);

  switch (prop_id)
    {
    case PROP_HOST:
      self->host = strip_slash (g_value_get_string (value) != NULL ? g_value_get_string (value) : "");
      break;
    case PROP_ACCOUNT_ID:
      self->account_id = g_value_dup_string (value);
      break;
    case PROP_PORT:
      lb_oauth_login_set_port (self, g_value_get_int (value));
      break;
    case PROP_TIMEOUT:
      lb_oauth_login_set_timeout (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_oauth_login_class_init (LbOAuthLoginClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lb_oauth_login_finalize;
  object_class->get_property = lb_oauth_login_get_property;
  object_class->set_property = lb_oauth_login_set_property;

  properties[PROP_HOST] =
    g_param_spec_string ("host", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACCOUNT_ID] =
    g_param_spec_string ("account-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PORT] =
    g_param_spec_int ("port", NULL, NULL, -1, 65535, -1,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL, 1, G_MAXUINT, 300,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[OPEN_URI] =
    g_signal_new ("open-uri", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
lb_oauth_login_init (LbOAuthLogin *self)
{
  self->port = -1;
  self->timeout_s = 300;
  self->session = soup_session_new_with_options ("timeout", 60, NULL);
}

LbOAuthLogin *
lb_oauth_login_new (const char *host,
                    const char *account_id)
{
  g_return_val_if_fail (host != NULL, NULL);

  return g_object_new (LB_TYPE_OAUTH_LOGIN, "host", host, "account-id", account_id, NULL);
}
