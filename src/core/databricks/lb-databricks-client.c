/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbDatabricksClient: REST calls over libsoup 3 with the header from
 * LbDatabricksAuth, the mapping of error bodies to GErrors and their
 * explanations, retries with lb-backoff.h, and the paging of list calls. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "lb-backoff.h"
#include "lb-databricks-client.h"
#include "lb-databricks-client-private.h"

#define DEFAULT_RETRY_BUDGET_MS 300000
#define DEFAULT_RETRY_BASE_MS   1000
#define MAX_BACKOFF_MS          60000

struct _LbDatabricksClient
{
  GObject           parent_instance;

  LbDatabricksAuth *auth;
  SoupSession      *session;
  char             *host;
  char             *user_agent;
  guint             retry_budget_ms;
  guint             retry_base_ms;
  guint             request_count;
};

G_DEFINE_FINAL_TYPE (LbDatabricksClient, lb_databricks_client, G_TYPE_OBJECT)
G_DEFINE_QUARK (lb-databricks-error-quark, lb_databricks_error)

enum {
  PROP_0,
  PROP_RETRY_BUDGET_MS,
  PROP_RETRY_BASE_MS,
  PROP_REQUEST_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  char        *method;
  char        *uri;
  GBytes      *body;
  LbCallFlags  flags;
  guint        attempt;
  gint64       deadline;      /* monotonic µs: the retry budget */
  gboolean     reauthorized;  /* one fresh token after a 401, no more */
  guint        redirects;     /* 3xx answers followed so far */
  guint        sleep_source;
  gulong       cancelled_id;
  /* Raw-bytes calls (the Files API): the body goes as @content_type and the
   * answer comes back as bytes, with its headers. */
  gboolean     raw;
  char        *content_type;
  char        *range;
} Call;

typedef struct
{
  GBytes     *bytes;
  GHashTable *headers;   /* lower-case name → value */
} RawResult;

static void
raw_result_free (gpointer data)
{
  RawResult *raw = data;

  g_clear_pointer (&raw->bytes, g_bytes_unref);
  g_clear_pointer (&raw->headers, g_hash_table_unref);
  g_free (raw);
}

static void
call_free (gpointer data)
{
  Call *call = data;

  g_free (call->method);
  g_free (call->uri);
  g_clear_pointer (&call->body, g_bytes_unref);
  g_free (call->content_type);
  g_free (call->range);
  g_free (call);
}

static void send_attempt (GTask *task);

/* Errors ------------------------------------------------------------------- */

char *
lb_databricks_error_get_error_code (const GError *error)
{
  const char *colon;

  if (error == NULL || error->domain != LB_DATABRICKS_ERROR || error->message == NULL)
    return NULL;

  colon = strstr (error->message, ": ");
  if (colon == NULL)
    return NULL;

  for (const char *p = error->message; p < colon; p++)
    if (!(g_ascii_isupper (*p) || g_ascii_isdigit (*p) || *p == '_'))
      return NULL;

  return g_strndup (error->message, colon - error->message);
}

/* The server's own words: the message without its "CODE: " prefix. */
static const char *
server_words (const GError *error,
              const char   *code)
{
  if (code != NULL && g_str_has_prefix (error->message, code) &&
      g_str_has_prefix (error->message + strlen (code), ": "))
    return error->message + strlen (code) + 2;
  return error->message;
}

static gboolean
code_is (const char *code,
         const char *first,
         ...)
{
  gboolean found = FALSE;
  va_list args;

  if (code == NULL)
    return FALSE;
  va_start (args, first);
  for (const char *candidate = first; candidate != NULL && !found; candidate = va_arg (args, const char *))
    found = g_str_equal (code, candidate);
  va_end (args);
  return found;
}

char *
lb_databricks_error_explain (const GError *error,
                             const char   *profile)
{
  g_autofree char *code = NULL;
  g_autofree char *sentence = NULL;
  const char *words;

  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain != LB_DATABRICKS_ERROR)
    return g_strdup (error->message);

  code = lb_databricks_error_get_error_code (error);
  words = server_words (error, code);
  if (profile == NULL)
    profile = "DEFAULT";

  /* The specific codes first, then the status classes. */
  if (code_is (code, "ENDPOINT_NOT_FOUND", "FEATURE_DISABLED", NULL) ||
      error->code == LB_DATABRICKS_ERROR_NOT_IMPLEMENTED)
    sentence = g_strdup (_("This workspace does not offer the API this step needs: Lakebase (or this flavour of it) "
                           "may not be enabled here. Ask a workspace admin to enable it, or choose the other flavour "
                           "in the Calculator’s deployment target."));
  else if (code_is (code, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", "REQUEST_LIMIT_EXCEEDED", NULL) ||
           error->code == LB_DATABRICKS_ERROR_TOO_MANY_REQUESTS)
    sentence = g_strdup_printf (_("The workspace reached a limit (%s). Delete an instance or project you no longer "
                                  "need or ask a workspace admin to raise the quota; if it was only throttling, "
                                  "deploy again in a minute."), words);
  else if (code_is (code, "INVALID_PARAMETER_VALUE", "INVALID_STATE", "BAD_REQUEST", NULL) ||
           error->code == LB_DATABRICKS_ERROR_BAD_REQUEST)
    sentence = g_strdup_printf (_("The workspace refused a value of the plan: %s Fix it in the Calculator’s "
                                  "deployment target, then deploy again."), words);
  else if (error->code == LB_DATABRICKS_ERROR_UNAUTHENTICATED)
    sentence = g_strdup_printf (_("The workspace did not accept the credentials of profile “%s” (%s). Sign in again "
                                  "with “databricks auth login --profile %s”, or update the profile’s token."),
                                profile, words, profile);
  else if (error->code == LB_DATABRICKS_ERROR_PERMISSION_DENIED)
    sentence = g_strdup_printf (_("You lack a permission this step needs: %s Ask a workspace admin for it, or "
                                  "deploy with another profile."), words);
  else if (error->code == LB_DATABRICKS_ERROR_NOT_FOUND)
    sentence = g_strdup_printf (_("Something this step needs does not exist, or you cannot see it: %s Check the "
                                  "names in the deployment target (catalogs, schemas, source tables)."), words);
  else if (error->code == LB_DATABRICKS_ERROR_CONFLICT)
    sentence = g_strdup_printf (_("It conflicts with something that already exists: %s Deploy again to adopt it, "
                                  "or choose another name."), words);
  else if (error->code == LB_DATABRICKS_ERROR_ABORTED)
    sentence = g_strdup_printf (_("The workspace kept refusing the change because of another change in progress "
                                  "(%s). Wait a few minutes (or finish what else is changing it), then try "
                                  "again: it resumes where it stopped."), words);
  else if (error->code == LB_DATABRICKS_ERROR_NETWORK)
    sentence = g_strdup_printf (_("The workspace could not be reached (%s). Check the network connection and the "
                                  "host of profile “%s”, then deploy again: it resumes where it stopped."),
                                words, profile);
  else if (error->code == LB_DATABRICKS_ERROR_INTERNAL || error->code == LB_DATABRICKS_ERROR_UNAVAILABLE ||
           error->code == LB_DATABRICKS_ERROR_TIMEOUT || error->code == LB_DATABRICKS_ERROR_MALFORMED)
    sentence = g_strdup_printf (_("The workspace had a problem of its own (%s). Deploy again in a few minutes: it "
                                  "resumes where it stopped."), words);
  else
    return g_strdup (error->message);

  if (code == NULL)
    return g_steal_pointer (&sentence);
  /* The code stays, briefly, for searching the documentation and support. */
  return g_strdup_printf (_("%s (error %s)"), sentence, code);
}

static LbDatabricksErrorCode
code_for_status (guint       status,
                 const char *error_code)
{
  /* A specific error_code refines the class, except that any 404 is "not
   * found" whatever the code says (the SDKs' IsMissing). */
  if (status == 404)
    return LB_DATABRICKS_ERROR_NOT_FOUND;
  if (error_code != NULL)
    {
      if (g_str_equal (error_code, "RESOURCE_DOES_NOT_EXIST") || g_str_equal (error_code, "NOT_FOUND"))
        return LB_DATABRICKS_ERROR_NOT_FOUND;
      if (g_str_equal (error_code, "ABORTED"))
        return LB_DATABRICKS_ERROR_ABORTED;
      if (g_str_equal (error_code, "RESOURCE_ALREADY_EXISTS") || g_str_equal (error_code, "ALREADY_EXISTS"))
        return LB_DATABRICKS_ERROR_CONFLICT;
      if (g_str_equal (error_code, "PERMISSION_DENIED"))
        return LB_DATABRICKS_ERROR_PERMISSION_DENIED;
      if (g_str_equal (error_code, "UNAUTHENTICATED"))
        return LB_DATABRICKS_ERROR_UNAUTHENTICATED;
    }

  switch (status)
    {
    case 400: return LB_DATABRICKS_ERROR_BAD_REQUEST;
    case 401: return LB_DATABRICKS_ERROR_UNAUTHENTICATED;
    case 403: return LB_DATABRICKS_ERROR_PERMISSION_DENIED;
    case 409: return LB_DATABRICKS_ERROR_CONFLICT;
    case 429: return LB_DATABRICKS_ERROR_TOO_MANY_REQUESTS;
    case 501: return LB_DATABRICKS_ERROR_NOT_IMPLEMENTED;
    case 503: return LB_DATABRICKS_ERROR_UNAVAILABLE;
    case 504: return LB_DATABRICKS_ERROR_TIMEOUT;
    default:
      return status >= 500 ? LB_DATABRICKS_ERROR_INTERNAL : LB_DATABRICKS_ERROR_OTHER;
    }
}

static const char *
status_code_name (guint status)
{
  switch (status)
    {
    case 400: return "BAD_REQUEST";
    case 401: return "UNAUTHENTICATED";
    case 403: return "PERMISSION_DENIED";
    case 404: return "NOT_FOUND";
    case 409: return "RESOURCE_CONFLICT";
    case 429: return "TOO_MANY_REQUESTS";
    case 500: return "INTERNAL_ERROR";
    case 501: return "NOT_IMPLEMENTED";
    case 503: return "TEMPORARILY_UNAVAILABLE";
    case 504: return "DEADLINE_EXCEEDED";
    default:  return "UNKNOWN";
    }
}

/* A string member, or NULL when it is missing or not a string (a hostile
 * or broken reply must not trip json-glib's type checks). */
static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* The API's error body in any of its shapes: {error_code, message}, legacy
 * {error}, SCIM {detail}, or plain text. */
static GError *
error_from_response (guint   status,
                     GBytes *bytes)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;
  const char *error_code = NULL;
  const char *message = NULL;
  gsize size = 0;
  const char *data = bytes != NULL ? g_bytes_get_data (bytes, &size) : NULL;

  if (data != NULL && size > 0 && json_parser_load_from_data (parser, data, size, NULL) &&
      json_parser_get_root (parser) != NULL && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      JsonObject *object = json_node_get_object (json_parser_get_root (parser));

      error_code = string_member (object, "error_code");
      message = string_member (object, "message");
      if (message == NULL)
        message = string_member (object, "error");
      if (message == NULL)
        message = string_member (object, "detail");
    }
  else if (data != NULL && size > 0 && g_utf8_validate (data, size, NULL))
    {
      gsize cut = MIN (size, 500);

      /* Not in the middle of a character: the message goes to GTK labels. */
      while (cut > 0 && cut < size && (data[cut] & 0xC0) == 0x80)
        cut--;
      text = g_strstrip (g_strndup (data, cut));
      message = text;
    }

  if (message == NULL || message[0] == '\0')
    message = soup_status_get_phrase (status);

  return g_error_new (LB_DATABRICKS_ERROR, code_for_status (status, error_code),
                      "%s: %s", error_code != NULL ? error_code : status_code_name (status), message);
}

/* Retrying ------------------------------------------------------------------ */

static guint
backoff_ms (LbDatabricksClient *self,
            guint               attempt)
{
  /* Jitter spreads many clients retrying the same failure. */
  return lb_backoff_delay_ms (self->retry_base_ms, attempt, MAX_BACKOFF_MS);
}

/* Ends a retry sleep, by its timeout or by cancellation: whichever comes
 * first resends (send_attempt returns at once when cancelled). */
static void
finish_sleep (GTask *task)
{
  Call *call = g_task_get_task_data (task);

  g_cancellable_disconnect (g_task_get_cancellable (task), call->cancelled_id);
  call->cancelled_id = 0;
  send_attempt (task);   /* takes the sleep's reference */
}

static gboolean
sleep_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  Call *call = g_task_get_task_data (task);

  call->sleep_source = 0;
  finish_sleep (task);

  return G_SOURCE_REMOVE;
}

static gboolean
sleep_cancelled_idle_cb (gpointer user_data)
{
  GTask *task = user_data;
  Call *call = g_task_get_task_data (task);

  if (call->sleep_source != 0)
    {
      g_clear_handle_id (&call->sleep_source, g_source_remove);
      finish_sleep (task);
    }

  return G_SOURCE_REMOVE;
}

static void
sleep_cancelled_cb (GCancellable *cancellable,
                    gpointer      user_data)
{
  GTask *task = user_data;

  g_autoptr(GSource) source = g_idle_source_new ();

  /* Always through an idle: this may run in the cancelling thread, and
   * disconnecting from inside the handler would deadlock. */
  g_source_set_callback (source, sleep_cancelled_idle_cb, g_object_ref (task), g_object_unref);
  g_source_attach (source, g_task_get_context (task));
}

static gboolean
retry_later (GTask  *task,
             guint   delay_ms,
             GError *reason)
{
  LbDatabricksClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (g_get_monotonic_time () + (gint64) delay_ms * 1000 > call->deadline)
    return FALSE;

  call->attempt++;
  g_debug ("%s %s: retrying in %u ms (%s)", call->method, call->uri, delay_ms, reason->message);

  g_object_ref (task);
  call->sleep_source = g_timeout_add (delay_ms, sleep_timeout_cb, task);
  if (cancellable != NULL)
    call->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (sleep_cancelled_cb), task, NULL);
  (void) self;

  return TRUE;
}

static guint
retry_after_ms (SoupMessage *message)
{
  const char *value = soup_message_headers_get_one (soup_message_get_response_headers (message), "Retry-After");
  guint64 seconds;

  /* Seconds; a missing or unreadable value counts as 1 s, as the SDKs do. */
  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 0, 3600, &seconds, NULL))
    return 1000;

  return (guint) seconds * 1000;
}

/* Redirects ------------------------------------------------------------------ */

#define MAX_REDIRECTS 5

static gboolean
is_loopback_host (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/* The absolute address a 3xx answer points to, when it may be followed: the
 * same host and port, over https (or http when the call already went over
 * http to this computer). The Authorization header goes along with the
 * request, so anything else is refused before it is sent. NULL with @error
 * otherwise. */
static char *
dup_allowed_redirect (const char   *from,
                      SoupMessage  *message,
                      GError      **error)
{
  const char *location = soup_message_headers_get_one (soup_message_get_response_headers (message), "Location");
  g_autoptr(GUri) base = g_uri_parse (from, SOUP_HTTP_URI_FLAGS, NULL);
  g_autoptr(GUri) target = NULL;
  const char *scheme;
  const char *host;

  if (location == NULL || base == NULL)
    {
      g_set_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_MALFORMED,
                   _("The workspace answered with a redirect that has no address; not followed"));
      return NULL;
    }

  target = g_uri_parse_relative (base, location, SOUP_HTTP_URI_FLAGS, NULL);
  host = target != NULL ? g_uri_get_host (target) : NULL;
  if (host == NULL)
    {
      g_set_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_INSECURE,
                   _("The workspace redirected to an address that is not valid; not followed"));
      return NULL;
    }

  scheme = g_uri_get_scheme (target);
  if (g_ascii_strcasecmp (host, g_uri_get_host (base)) != 0 ||
      g_uri_get_port (target) != g_uri_get_port (base) ||
      !(g_ascii_strcasecmp (scheme, "https") == 0 ||
        (g_ascii_strcasecmp (scheme, "http") == 0 &&
         g_ascii_strcasecmp (g_uri_get_scheme (base), "http") == 0 &&
         is_loopback_host (host))))
    {
      g_autofree char *where = g_uri_to_string_partial (target, G_URI_HIDE_USERINFO | G_URI_HIDE_QUERY | G_URI_HIDE_FRAGMENT);

      g_set_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_INSECURE,
                   _("The workspace redirected to %s; not followed (only redirects to the same host over https are)"),
                   where);
      return NULL;
    }

  return g_uri_to_string (target);
}

/* One attempt --------------------------------------------------------------- */

static void
response_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LbDatabricksClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  g_autoptr(JsonParser) parser = NULL;
  guint status;
  gsize size = 0;
  const char *data;

  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      /* Resending is safe only when the call is idempotent. */
      if ((call->flags & LB_CALL_IDEMPOTENT) != 0 &&
          retry_later (task, backoff_ms (self, call->attempt), error))
        return;

      g_task_return_new_error (task, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_NETWORK,
                               _("NETWORK_ERROR: no answer from %s: %s"), self->host, error->message);
      return;
    }

  status = soup_message_get_status (message);

  if (SOUP_STATUS_IS_REDIRECTION (status) && status != SOUP_STATUS_NOT_MODIFIED)
    {
      char *target;

      if (call->redirects >= MAX_REDIRECTS)
        {
          g_task_return_new_error (task, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_OTHER,
                                   _("The workspace redirected more than %u times; not followed"), MAX_REDIRECTS);
          return;
        }

      target = dup_allowed_redirect (call->uri, message, &error);
      if (target == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      call->redirects++;
      g_free (call->uri);
      call->uri = target;
      /* As browsers do: a 303, or a 301/302 after a POST, becomes a GET. */
      if (status == SOUP_STATUS_SEE_OTHER ||
          ((status == SOUP_STATUS_MOVED_PERMANENTLY || status == SOUP_STATUS_FOUND) &&
           g_str_equal (call->method, "POST")))
        {
          g_free (call->method);
          call->method = g_strdup ("GET");
          g_clear_pointer (&call->body, g_bytes_unref);
        }
      send_attempt (g_steal_pointer (&task));
      return;
    }

  if (status == 429 || status == 503)
    {
      g_autoptr(GError) reason = error_from_response (status, bytes);
      guint delay = MAX (retry_after_ms (message), backoff_ms (self, call->attempt) / 4);

      if (retry_later (task, delay, reason))
        return;

      g_task_return_error (task, g_steal_pointer (&reason));
      return;
    }

  if (status == 401 && !call->reauthorized && lb_databricks_auth_invalidate (self->auth))
    {
      /* An OAuth token that expired early: fetch a fresh one once. */
      call->reauthorized = TRUE;
      send_attempt (g_steal_pointer (&task));
      return;
    }

  if (status < 200 || status >= 300)
    {
      g_task_return_error (task, error_from_response (status, bytes));
      return;
    }

  if (call->raw)
    {
      RawResult *raw = g_new0 (RawResult, 1);
      SoupMessageHeadersIter iter;
      const char *name;
      const char *value;

      raw->bytes = g_steal_pointer (&bytes);
      raw->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      soup_message_headers_iter_init (&iter, soup_message_get_response_headers (message));
      while (soup_message_headers_iter_next (&iter, &name, &value))
        g_hash_table_replace (raw->headers, g_ascii_strdown (name, -1), g_strdup (value));
      g_task_return_pointer (task, raw, raw_result_free);
      return;
    }

  data = g_bytes_get_data (bytes, &size);
  if (size == 0)
    {
      g_task_return_pointer (task, json_node_new (JSON_NODE_NULL), (GDestroyNotify) json_node_unref);
      return;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, size, &error))
    {
      g_task_return_new_error (task, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_MALFORMED,
                               _("MALFORMED_RESPONSE: %s answered %s %s with something that is not JSON: %s"),
                               self->host, call->method, g_uri_peek_scheme (call->uri) ? call->uri : "",
                               error->message);
      return;
    }

  /* An all-blank body parses to no root at all: the same as an empty one. */
  if (json_parser_get_root (parser) == NULL)
    {
      g_task_return_pointer (task, json_node_new (JSON_NODE_NULL), (GDestroyNotify) json_node_unref);
      return;
    }

  g_task_return_pointer (task, json_node_ref (json_parser_get_root (parser)), (GDestroyNotify) json_node_unref);
}

static void
header_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LbDatabricksClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *header = lb_databricks_auth_get_header_finish (LB_DATABRICKS_AUTH (object), result, &error);
  g_autoptr(SoupMessage) message = NULL;
  SoupMessageHeaders *headers;
  GCancellable *cancellable;

  if (header == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  message = soup_message_new (call->method, call->uri);
  if (message == NULL)
    {
      g_task_return_new_error (task, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_INSECURE,
                               _("“%s” is not a workspace address"), call->uri);
      return;
    }
  /* libsoup would follow a redirect anywhere with our token: response_cb
   * decides instead. */
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  headers = soup_message_get_request_headers (message);
  soup_message_headers_replace (headers, "Authorization", header);
  soup_message_headers_replace (headers, "Accept", call->raw ? "*/*" : "application/json");
  if (call->range != NULL)
    soup_message_headers_replace (headers, "Range", call->range);
  /* Unified hosts serve many workspaces: without the id they answer with
   * their login page. */
  if (lb_databricks_auth_get_workspace_id (self->auth) != NULL)
    soup_message_headers_replace (headers, "X-Databricks-Workspace-Id",
                                  lb_databricks_auth_get_workspace_id (self->auth));
  memset (header, 0, strlen (header));
  if (call->body != NULL)
    soup_message_set_request_body_from_bytes (message, call->content_type != NULL ? call->content_type : "application/json",
                                              call->body);

  self->request_count++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REQUEST_COUNT]);

  cancellable = g_task_get_cancellable (task);
  soup_session_send_and_read_async (self->session, message, G_PRIORITY_DEFAULT,
                                    cancellable, response_cb, g_steal_pointer (&task));
}

static void
send_attempt (GTask *task)
{
  LbDatabricksClient *self = g_task_get_source_object (task);

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  lb_databricks_auth_get_header_async (self->auth, g_task_get_cancellable (task), header_cb, task);
}

static Call *
call_new (LbDatabricksClient *self,
          const char         *method,
          const char         *path,
          const char * const *query,
          LbCallFlags         flags)
{
  g_autoptr(GString) uri = g_string_new (self->host);
  Call *call;

  g_string_append (uri, path);
  for (guint i = 0; query != NULL && query[i] != NULL && query[i + 1] != NULL; i += 2)
    {
      g_string_append_c (uri, i == 0 ? '?' : '&');
      g_string_append_uri_escaped (uri, query[i], NULL, FALSE);
      g_string_append_c (uri, '=');
      g_string_append_uri_escaped (uri, query[i + 1], NULL, FALSE);
    }

  call = g_new0 (Call, 1);
  call->method = g_ascii_strup (method, -1);
  call->uri = g_string_free (g_steal_pointer (&uri), FALSE);
  call->flags = flags;
  if (g_str_equal (call->method, "GET") || g_str_equal (call->method, "HEAD"))
    call->flags |= LB_CALL_IDEMPOTENT;
  call->deadline = g_get_monotonic_time () + (gint64) self->retry_budget_ms * 1000;

  return call;
}

/* Public -------------------------------------------------------------------- */

void
lb_databricks_client_call_async (LbDatabricksClient  *self,
                                 const char          *method,
                                 const char          *path,
                                 const char * const  *query,
                                 JsonNode            *body,
                                 LbCallFlags          flags,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Call *call;

  g_return_if_fail (LB_IS_DATABRICKS_CLIENT (self));
  g_return_if_fail (method != NULL);
  g_return_if_fail (path != NULL && path[0] == '/');

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_databricks_client_call_async);

  call = call_new (self, method, path, query, flags);
  if (body != NULL)
    {
      g_autofree char *json = json_to_string (body, FALSE);
      gsize length = strlen (json);

      call->body = g_bytes_new_take (g_steal_pointer (&json), length);
    }
  g_task_set_task_data (task, call, call_free);

  send_attempt (g_steal_pointer (&task));
}

JsonNode *
lb_databricks_client_call_finish (LbDatabricksClient  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  g_return_val_if_fail (LB_IS_DATABRICKS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  char      *path;
  GStrv      query;
  char      *items_key;
  JsonArray *items;
} ListState;

static void
list_state_free (gpointer data)
{
  ListState *state = data;

  g_free (state->path);
  g_strfreev (state->query);
  g_free (state->items_key);
  g_clear_pointer (&state->items, json_array_unref);
  g_free (state);
}

static void list_page (GTask *task, const char *page_token);

static void
list_page_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ListState *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (object), result, &error);
  JsonObject *page;
  const char *next;

  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_task_return_new_error (task, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_MALFORMED,
                               _("MALFORMED_RESPONSE: a page of %s is not a JSON object"), state->path);
      return;
    }

  page = json_node_get_object (node);
  if (json_object_has_member (page, state->items_key))
    {
      JsonNode *items = json_object_get_member (page, state->items_key);

      if (!JSON_NODE_HOLDS_ARRAY (items))
        {
          g_task_return_new_error (task, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_MALFORMED,
                                   _("MALFORMED_RESPONSE: “%s” of %s is not a list"), state->items_key, state->path);
          return;
        }
      for (guint i = 0; i < json_array_get_length (json_node_get_array (items)); i++)
        json_array_add_element (state->items, json_node_copy (json_array_get_element (json_node_get_array (items), i)));
    }

  next = string_member (page, "next_page_token");
  if (next != NULL && next[0] != '\0')
    {
      list_page (g_steal_pointer (&task), next);
      return;
    }

  g_task_return_pointer (task, json_array_ref (state->items), (GDestroyNotify) json_array_unref);
}

static void
list_page (GTask      *task,
           const char *page_token)
{
  LbDatabricksClient *self = g_task_get_source_object (task);
  ListState *state = g_task_get_task_data (task);
  g_autoptr(GPtrArray) query = g_ptr_array_new ();

  for (guint i = 0; state->query != NULL && state->query[i] != NULL; i++)
    g_ptr_array_add (query, state->query[i]);
  g_ptr_array_add (query, (gpointer) "page_size");
  g_ptr_array_add (query, (gpointer) "100");
  if (page_token != NULL)
    {
      g_ptr_array_add (query, (gpointer) "page_token");
      g_ptr_array_add (query, (gpointer) page_token);
    }
  g_ptr_array_add (query, NULL);

  lb_databricks_client_call_async (self, "GET", state->path, (const char * const *) query->pdata, NULL,
                                   LB_CALL_IDEMPOTENT, g_task_get_cancellable (task), list_page_cb, task);
}

void
lb_databricks_client_list_async (LbDatabricksClient  *self,
                                 const char          *path,
                                 const char * const  *query,
                                 const char          *items_key,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;
  ListState *state;

  g_return_if_fail (LB_IS_DATABRICKS_CLIENT (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (items_key != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_databricks_client_list_async);
  state = g_new0 (ListState, 1);
  state->path = g_strdup (path);
  state->query = g_strdupv ((char **) query);
  state->items_key = g_strdup (items_key);
  state->items = json_array_new ();
  g_task_set_task_data (task, state, list_state_free);

  list_page (task, NULL);
}

JsonArray *
lb_databricks_client_list_finish (LbDatabricksClient  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  g_return_val_if_fail (LB_IS_DATABRICKS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

LbDatabricksAuth *
lb_databricks_client_get_auth (LbDatabricksClient *self)
{
  g_return_val_if_fail (LB_IS_DATABRICKS_CLIENT (self), NULL);

  return self->auth;
}

const char *
lb_databricks_client_get_user_agent (LbDatabricksClient *self)
{
  g_return_val_if_fail (LB_IS_DATABRICKS_CLIENT (self), NULL);

  return self->user_agent;
}

guint
lb_databricks_client_get_request_count (LbDatabricksClient *self)
{
  g_return_val_if_fail (LB_IS_DATABRICKS_CLIENT (self), 0);

  return self->request_count;
}

static void
lb_databricks_client_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  LbDatabricksClient *self = LB_DATABRICKS_CLIENT (object);

  switch (prop_id)
    {
    case PROP_RETRY_BUDGET_MS:
      g_value_set_uint (value, self->retry_budget_ms);
      break;
    case PROP_RETRY_BASE_MS:
      g_value_set_uint (value, self->retry_base_ms);
      break;
    case PROP_REQUEST_COUNT:
      g_value_set_uint (value, self->request_count);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_databricks_client_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  LbDatabricksClient *self = LB_DATABRICKS_CLIENT (object);

  switch (prop_id)
    {
    case PROP_RETRY_BUDGET_MS:
      if (self->retry_budget_ms != g_value_get_uint (value))
        {
          self->retry_budget_ms = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_RETRY_BASE_MS:
      if (self->retry_base_ms != g_value_get_uint (value))
        {
          self->retry_base_ms = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_databricks_client_finalize (GObject *object)
{
  LbDatabricksClient *self = LB_DATABRICKS_CLIENT (object);

  g_clear_object (&self->auth);
  g_clear_object (&self->session);
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->user_agent, g_free);

  G_OBJECT_CLASS (lb_databricks_client_parent_class)->finalize (object);
}

static void
lb_databricks_client_class_init (LbDatabricksClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lb_databricks_client_finalize;
  object_class->get_property = lb_databricks_client_get_property;
  object_class->set_property = lb_databricks_client_set_property;

  properties[PROP_RETRY_BUDGET_MS] =
    g_param_spec_uint ("retry-budget-ms", NULL, NULL, 0, G_MAXUINT, DEFAULT_RETRY_BUDGET_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RETRY_BASE_MS] =
    g_param_spec_uint ("retry-base-ms", NULL, NULL, 1, G_MAXUINT, DEFAULT_RETRY_BASE_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REQUEST_COUNT] =
    g_param_spec_uint ("request-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lb_databricks_client_init (LbDatabricksClient *self)
{
  self->retry_budget_ms = DEFAULT_RETRY_BUDGET_MS;
  self->retry_base_ms = DEFAULT_RETRY_BASE_MS;
}

LbDatabricksClient *
lb_databricks_client_new (LbDatabricksAuth  *auth,
                          GError           **error)
{
  g_autoptr(LbDatabricksClient) self = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *host;

  g_return_val_if_fail (LB_IS_DATABRICKS_AUTH (auth), NULL);

  host = lb_databricks_auth_get_host (auth);
  if (host == NULL)
    {
      g_set_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_INSECURE,
                   _("NO_HOST: the profile has no workspace address (host)"));
      return NULL;
    }

  self = g_object_new (LB_TYPE_DATABRICKS_CLIENT, NULL);
  self->auth = g_object_ref (auth);
  /* The same rule as profiles: https, or http to this computer only. */
  self->host = lb_databricks_normalize_host (host, NULL, &local_error);
  if (self->host == NULL)
    {
      g_set_error (error, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_INSECURE, "INSECURE_HOST: %s",
                   local_error->message);
      return NULL;
    }

  self->user_agent = g_strdup_printf ("lakebase-accelerator/%s libsoup/%u.%u.%u glib/%u.%u.%u os/linux auth/%s",
                                      PACKAGE_VERSION,
                                      soup_get_major_version (), soup_get_minor_version (), soup_get_micro_version (),
                                      glib_major_version, glib_minor_version, glib_micro_version,
                                      lb_databricks_auth_kind_to_string (lb_databricks_auth_get_kind (auth)));
  self->session = soup_session_new_with_options ("user-agent", self->user_agent,
                                                 "timeout", 60,
                                                 NULL);

  return g_steal_pointer (&self);
}

GError *
_lb_databricks_client_error_from_response (guint   status,
                                           GBytes *bytes)
{
  return error_from_response (status, bytes);
}

char *
_lb_databricks_escape_path (const char *path)
{
  g_return_val_if_fail (path != NULL, NULL);

  /* Each segment percent-encoded (spaces, '#', '?', '%', non-ASCII …); the
   * slashes between them stay. */
  return g_uri_escape_string (path, "/", FALSE);
}

void
_lb_databricks_client_call_raw_async (LbDatabricksClient  *self,
                                      const char          *method,
                                      const char          *path,
                                      const char * const  *query,
                                      GBytes              *body,
                                      const char          *content_type,
                                      const char          *range,
                                      LbCallFlags          flags,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Call *call;

  g_return_if_fail (LB_IS_DATABRICKS_CLIENT (self));
  g_return_if_fail (method != NULL);
  g_return_if_fail (path != NULL && path[0] == '/');

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, _lb_databricks_client_call_raw_async);

  call = call_new (self, method, path, query, flags);
  call->raw = TRUE;
  call->body = body != NULL ? g_bytes_ref (body) : NULL;
  call->content_type = g_strdup (content_type != NULL ? content_type : "application/octet-stream");
  call->range = g_strdup (range);
  g_task_set_task_data (task, call, call_free);

  send_attempt (g_steal_pointer (&task));
}

GBytes *
_lb_databricks_client_call_raw_finish (LbDatabricksClient  *self,
                                       GAsyncResult        *result,
                                       GHashTable         **headers,
                                       GError             **error)
{
  RawResult *raw;
  GBytes *bytes;

  g_return_val_if_fail (LB_IS_DATABRICKS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  raw = g_task_propagate_pointer (G_TASK (result), error);
  if (raw == NULL)
    return NULL;

  bytes = g_steal_pointer (&raw->bytes);
  if (headers != NULL)
    *headers = g_steal_pointer (&raw->headers);
  raw_result_free (raw);

  return bytes;
}
