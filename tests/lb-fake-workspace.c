/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The core of the fake workspace: a SoupServer on loopback driven by its
 * own thread and main context (so synchronous test code never starves it),
 * a prefix router, the bearer-token check, failure knobs and a request log.
 * Each resource family lives in its own lb-fake-workspace-*.c file. */
#include "config.h"

#include <string.h>

#include "lb-fake-workspace.h"

typedef struct
{
  char            *method;       /* NULL: any */
  char            *path_prefix;
  LbFakeRouteFunc  func;
  gpointer         user_data;
  GDestroyNotify   destroy;
} Route;

typedef enum
{
  KNOB_FAIL,
  KNOB_THROTTLE,
} KnobKind;

typedef struct
{
  KnobKind  kind;
  char     *method;
  char     *path_prefix;
  guint     status;
  char     *body;
  guint     retry_after_s;
  guint     remaining;
} Knob;

typedef struct
{
  char  *method;
  char  *path;
  char  *query;
  guint  status;
  char  *workspace_id;   /* X-Databricks-Workspace-Id, or NULL */
  gint64 time;           /* g_get_real_time() when it was answered */
} LogEntry;

typedef struct
{
  gpointer       data;
  GDestroyNotify destroy;
} Slot;

struct _LbFakeWorkspace
{
  GMutex        lock;
  GCond         cond;
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *server;
  gboolean      started;
  GError       *start_error;

  char         *url;
  char         *token;
  gboolean      token_expired;
  guint         polls_until_ready;
  guint         delay_ms;
  char         *user_name;
  char         *pg_host;

  GPtrArray    *routes;   /* of Route* */
  GPtrArray    *knobs;    /* of Knob* */
  GPtrArray    *log;      /* of LogEntry* */
  GPtrArray    *secrets;  /* of char* */
  GHashTable   *slots;    /* key → Slot* */
  GHashTable   *oauth_tokens; /* access token issued by /oidc/v1/token → gint64* expiry (µs) */
};

static void
route_free (gpointer data)
{
  Route *route = data;

  if (route->destroy != NULL)
    route->destroy (route->user_data);
  g_free (route->method);
  g_free (route->path_prefix);
  g_free (route);
}

static void
knob_free (gpointer data)
{
  Knob *knob = data;

  g_free (knob->method);
  g_free (knob->path_prefix);
  g_free (knob->body);
  g_free (knob);
}

static void
log_entry_free (gpointer data)
{
  LogEntry *entry = data;

  g_free (entry->method);
  g_free (entry->path);
  g_free (entry->query);
  g_free (entry->workspace_id);
  g_free (entry);
}

static void
slot_free (gpointer data)
{
  Slot *slot = data;

  if (slot->destroy != NULL)
    slot->destroy (slot->data);
  g_free (slot);
}

/* ---- Replies ---- */

void
lb_fake_reply_raw (LbFakeRequest *request,
                   guint          status,
                   const char    *content_type,
                   const char    *body)
{
  g_return_if_fail (request != NULL);

  soup_server_message_set_status (request->msg, status, NULL);
  if (body != NULL)
    soup_server_message_set_response (request->msg, content_type ? content_type : "application/json",
                                      SOUP_MEMORY_COPY, body, strlen (body));
}

void
lb_fake_reply_json (LbFakeRequest *request,
                    guint          status,
                    JsonNode      *node)
{
  g_autofree char *text = NULL;

  g_return_if_fail (request != NULL);

  text = node != NULL ? json_to_string (node, FALSE) : g_strdup ("{}");
  lb_fake_reply_raw (request, status, "application/json", text);
}

void
lb_fake_reply_error (LbFakeRequest *request,
                     guint          status,
                     const char    *error_code,
                     const char    *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  g_return_if_fail (request != NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error_code");
  json_builder_add_string_value (builder, error_code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  lb_fake_reply_json (request, status, node);
}

const char *
lb_fake_request_get_query (LbFakeRequest *request,
                           const char    *key)
{
  g_return_val_if_fail (request != NULL, NULL);

  return g_hash_table_lookup (request->query, key);
}

char *
lb_fake_new_uid (void)
{
  return g_uuid_string_random ();
}

/* ---- Request handling (fake thread, lock taken here) ---- */

static const char *
default_error_code (guint status)
{
  switch (status)
    {
    case 400: return "BAD_REQUEST";
    case 401: return "UNAUTHENTICATED";
    case 403: return "PERMISSION_DENIED";
    case 404: return "NOT_FOUND";
    case 409: return "RESOURCE_CONFLICT";
    case 429: return "REQUEST_LIMIT_EXCEEDED";
    case 501: return "NOT_IMPLEMENTED";
    case 503: return "TEMPORARILY_UNAVAILABLE";
    default:  return "INTERNAL_ERROR";
    }
}

static gboolean
prefix_matches (const char *prefix,
                const char *path)
{
  return prefix == NULL || g_str_has_prefix (path, prefix);
}

/* The first knob that matches answers the request instead of the routes. */
static gboolean
apply_knobs (LbFakeWorkspace *fake,
             LbFakeRequest   *request)
{
  for (guint i = 0; i < fake->knobs->len; i++)
    {
      Knob *knob = g_ptr_array_index (fake->knobs, i);

      if (knob->remaining == 0 || !prefix_matches (knob->path_prefix, request->path))
        continue;
      if (knob->method != NULL && g_strcmp0 (knob->method, request->method) != 0)
        continue;

      knob->remaining--;
      if (knob->kind == KNOB_THROTTLE)
        {
          g_autofree char *after = g_strdup_printf ("%u", knob->retry_after_s);

          soup_message_headers_replace (soup_server_message_get_response_headers (request->msg),
                                        "Retry-After", after);
          lb_fake_reply_error (request, 429, "REQUEST_LIMIT_EXCEEDED",
                               "Too many requests. Please retry later.");
        }
      else if (knob->body != NULL)
        lb_fake_reply_raw (request, knob->status, "application/json", knob->body);
      else
        {
          g_autofree char *message = g_strdup_printf ("Injected failure %u for %s %s",
                                                      knob->status, request->method, request->path);

          lb_fake_reply_error (request, knob->status, default_error_code (knob->status), message);
        }

      if (knob->remaining == 0)
        g_ptr_array_remove_index (fake->knobs, i);
      return TRUE;
    }

  return FALSE;
}

static gboolean
check_auth (LbFakeWorkspace *fake,
            LbFakeRequest   *request)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (request->msg);
  const char *auth = soup_message_headers_get_one (headers, "Authorization");

  if (!g_str_has_prefix (request->path, "/api/"))
    return TRUE;

  /* Access tokens of the OAuth pieces (lb-fake-workspace-oauth.c) work
   * until they expire, like the PAT. */
  if (auth != NULL && g_str_has_prefix (auth, "Bearer ") && g_hash_table_contains (fake->oauth_tokens, auth + 7))
    {
      gint64 *expires_at = g_hash_table_lookup (fake->oauth_tokens, auth + 7);

      if (*expires_at <= g_get_real_time ())
        {
          lb_fake_reply_error (request, 401, "UNAUTHENTICATED", "Token is expired.");
          return FALSE;
        }
      return TRUE;
    }

  if (auth == NULL || !g_str_has_prefix (auth, "Bearer ") || !g_str_equal (auth + 7, fake->token))
    {
      lb_fake_reply_error (request, 401, "UNAUTHENTICATED",
                           "Credential was not sent or was of an unsupported type for this API.");
      return FALSE;
    }

  if (fake->token_expired)
    {
      lb_fake_reply_error (request, 401, "UNAUTHENTICATED", "Token is expired.");
      return FALSE;
    }

  return TRUE;
}

static Route *
find_route (LbFakeWorkspace *fake,
            const char      *method,
            const char      *path)
{
  Route *best = NULL;
  gsize best_len = 0;

  for (guint i = 0; i < fake->routes->len; i++)
    {
      Route *route = g_ptr_array_index (fake->routes, i);
      gsize len = strlen (route->path_prefix);

      if (route->method != NULL && !g_str_equal (route->method, method))
        continue;
      if (!g_str_has_prefix (path, route->path_prefix))
        continue;
      if (best == NULL || len > best_len)
        {
          best = route;
          best_len = len;
        }
    }

  return best;
}

static void
dispatch (LbFakeWorkspace   *fake,
          SoupServerMessage *msg,
          const char        *raw_path,
          GHashTable        *query)
{
  g_autoptr(GHashTable) empty = NULL;
  g_autoptr(JsonNode) body = NULL;
  /* libsoup hands handlers the path decoded already: decoding it again
   * would turn a name's literal "%20" into a space (Files API paths). */
  g_autofree char *path = g_strdup (raw_path);
  SoupMessageBody *request_body = soup_server_message_get_request_body (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  LbFakeRequest request = { 0 };
  LogEntry *entry;

  if (query == NULL)
    query = empty = g_hash_table_new (g_str_hash, g_str_equal);

  request.msg = msg;
  request.method = soup_server_message_get_method (msg);
  request.path = path != NULL ? path : raw_path;
  request.query = query;

  g_mutex_lock (&fake->lock);

  if (apply_knobs (fake, &request))
    ;
  else if (!check_auth (fake, &request))
    ;
  else
    {
      gboolean body_ok = TRUE;

      const char *content_type = soup_message_headers_get_content_type (soup_server_message_get_request_headers (msg), NULL);

      /* Forms (the OAuth endpoints) and raw bytes (the Files API) are read
       * by their handlers. */
      if (request_body != NULL && request_body->length > 0 &&
          g_strcmp0 (content_type, "application/x-www-form-urlencoded") != 0 &&
          g_strcmp0 (content_type, "application/octet-stream") != 0)
        {
          g_autoptr(JsonParser) parser = json_parser_new ();
          g_autoptr(GError) error = NULL;

          if (json_parser_load_from_data (parser, request_body->data, request_body->length, &error))
            body = json_node_ref (json_parser_get_root (parser));
          else
            {
              lb_fake_reply_error (&request, 400, "MALFORMED_REQUEST", error->message);
              body_ok = FALSE;
            }
        }

      if (body_ok)
        {
          Route *route = find_route (fake, request.method, request.path);

          request.body = body;
          if (route != NULL)
            route->func (fake, &request, route->user_data);
          else
            lb_fake_reply_error (&request, 404, "ENDPOINT_NOT_FOUND", "No API found for this path.");
          if (_lb_fake_workspace_faults_filter != NULL)
            _lb_fake_workspace_faults_filter (fake, &request);
        }
    }

  entry = g_new0 (LogEntry, 1);
  entry->method = g_strdup (request.method);
  entry->path = g_strdup (request.path);
  entry->query = g_strdup (g_uri_get_query (uri));
  entry->status = soup_server_message_get_status (msg);
  entry->workspace_id = g_strdup (soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                                "X-Databricks-Workspace-Id"));
  entry->time = g_get_real_time ();
  g_ptr_array_add (fake->log, entry);

  g_mutex_unlock (&fake->lock);
}

typedef struct
{
  LbFakeWorkspace   *fake;
  SoupServerMessage *msg;
  char              *path;
  GHashTable        *query;
} Delayed;

static gboolean
delayed_dispatch_cb (gpointer data)
{
  Delayed *delayed = data;

  dispatch (delayed->fake, delayed->msg, delayed->path, delayed->query);
  soup_server_message_unpause (delayed->msg);

  g_object_unref (delayed->msg);
  g_free (delayed->path);
  g_clear_pointer (&delayed->query, g_hash_table_unref);
  g_free (delayed);

  return G_SOURCE_REMOVE;
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  LbFakeWorkspace *fake = user_data;
  guint delay_ms;

  g_mutex_lock (&fake->lock);
  delay_ms = fake->delay_ms;
  g_mutex_unlock (&fake->lock);

  if (delay_ms == 0)
    {
      dispatch (fake, msg, path, query);
      return;
    }

  /* Answer later without blocking the fake's loop, so several slow
   * requests overlap as they would against a real server. */
  {
    Delayed *delayed = g_new0 (Delayed, 1);
    g_autoptr(GSource) source = g_timeout_source_new (delay_ms);

    delayed->fake = fake;
    delayed->msg = g_object_ref (msg);
    delayed->path = g_strdup (path);
    delayed->query = query != NULL ? g_hash_table_ref (query) : NULL;
    soup_server_message_pause (msg);
    g_source_set_callback (source, delayed_dispatch_cb, delayed, NULL);
    g_source_attach (source, fake->context);
  }
}

/* ---- Thread ---- */

static gpointer
server_thread (gpointer data)
{
  LbFakeWorkspace *fake = data;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (fake->context);

  fake->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake->server, NULL, server_cb, fake, NULL);

  if (soup_server_listen_local (fake->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    {
      g_autofree char *url = NULL;

      uris = soup_server_get_uris (fake->server);
      url = g_uri_to_string_partial (uris->data, G_URI_HIDE_PASSWORD);
      g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
      if (g_str_has_suffix (url, "/"))
        url[strlen (url) - 1] = '\0';

      g_mutex_lock (&fake->lock);
      fake->url = g_steal_pointer (&url);
      fake->started = TRUE;
      g_cond_signal (&fake->cond);
      g_mutex_unlock (&fake->lock);

      g_main_loop_run (fake->loop);
    }
  else
    {
      g_mutex_lock (&fake->lock);
      fake->start_error = g_steal_pointer (&error);
      fake->started = TRUE;
      g_cond_signal (&fake->cond);
      g_mutex_unlock (&fake->lock);
    }

  soup_server_disconnect (fake->server);
  g_clear_object (&fake->server);

  /* Let pending sources (delayed answers) run their cleanup. */
  while (g_main_context_iteration (fake->context, FALSE))
    ;

  g_main_context_pop_thread_default (fake->context);

  return NULL;
}

/* ---- Public API ---- */

LbFakeWorkspace *
lb_fake_workspace_new (void)
{
  LbFakeWorkspace *fake = g_new0 (LbFakeWorkspace, 1);
  g_autofree char *random = g_uuid_string_random ();

  g_mutex_init (&fake->lock);
  g_cond_init (&fake->cond);
  fake->context = g_main_context_new ();
  fake->loop = g_main_loop_new (fake->context, FALSE);
  fake->routes = g_ptr_array_new_with_free_func (route_free);
  fake->knobs = g_ptr_array_new_with_free_func (knob_free);
  fake->log = g_ptr_array_new_with_free_func (log_entry_free);
  fake->secrets = g_ptr_array_new_with_free_func (g_free);
  fake->slots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, slot_free);
  fake->oauth_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  fake->polls_until_ready = 2;
  fake->user_name = g_strdup ("ana@example.com");
  fake->pg_host = g_strdup ("/nonexistent/lb-fake-workspace-pg");

  /* A token that is unique per fake, so a leak test can grep for it. */
  g_strdelimit (random, "-", 'f');
  fake->token = g_strconcat ("dapi", random, NULL);
  g_ptr_array_add (fake->secrets, g_strdup (fake->token));

  _lb_fake_workspace_lakebase_init (fake);
  if (_lb_fake_workspace_sql_init != NULL)
    _lb_fake_workspace_sql_init (fake);
  if (_lb_fake_workspace_pipelines_init != NULL)
    _lb_fake_workspace_pipelines_init (fake);
  if (_lb_fake_workspace_oauth_init != NULL)
    _lb_fake_workspace_oauth_init (fake);
  if (_lb_fake_workspace_jobs_init != NULL)
    _lb_fake_workspace_jobs_init (fake);

  fake->thread = g_thread_new ("lb-fake-workspace", server_thread, fake);

  g_mutex_lock (&fake->lock);
  while (!fake->started)
    g_cond_wait (&fake->cond, &fake->lock);
  g_mutex_unlock (&fake->lock);

  if (fake->start_error != NULL)
    g_error ("The fake workspace could not listen: %s", fake->start_error->message);

  return fake;
}

static gboolean
quit_cb (gpointer data)
{
  LbFakeWorkspace *fake = data;

  g_main_loop_quit (fake->loop);
  return G_SOURCE_REMOVE;
}

void
lb_fake_workspace_free (LbFakeWorkspace *fake)
{
  if (fake == NULL)
    return;

  g_main_context_invoke (fake->context, quit_cb, fake);
  g_thread_join (fake->thread);

  g_clear_pointer (&fake->slots, g_hash_table_unref);
  g_clear_pointer (&fake->oauth_tokens, g_hash_table_unref);
  g_clear_pointer (&fake->routes, g_ptr_array_unref);
  g_clear_pointer (&fake->knobs, g_ptr_array_unref);
  g_clear_pointer (&fake->log, g_ptr_array_unref);
  g_clear_pointer (&fake->secrets, g_ptr_array_unref);
  g_clear_pointer (&fake->loop, g_main_loop_unref);
  g_clear_pointer (&fake->context, g_main_context_unref);
  g_clear_error (&fake->start_error);
  g_free (fake->url);
  g_free (fake->token);
  g_free (fake->user_name);
  g_free (fake->pg_host);
  g_mutex_clear (&fake->lock);
  g_cond_clear (&fake->cond);
  g_free (fake);
}

const char *
lb_fake_workspace_get_url (LbFakeWorkspace *fake)
{
  g_return_val_if_fail (fake != NULL, NULL);
  return fake->url;
}

const char *
lb_fake_workspace_get_token (LbFakeWorkspace *fake)
{
  g_return_val_if_fail (fake != NULL, NULL);
  return fake->token;
}

void
lb_fake_workspace_add_route (LbFakeWorkspace *fake,
                             const char      *method,
                             const char      *path_prefix,
                             LbFakeRouteFunc  func,
                             gpointer         user_data,
                             GDestroyNotify   destroy)
{
  Route *route;

  g_return_if_fail (fake != NULL);
  g_return_if_fail (path_prefix != NULL);
  g_return_if_fail (func != NULL);

  route = g_new0 (Route, 1);
  route->method = g_strdup (method);
  route->path_prefix = g_strdup (path_prefix);
  route->func = func;
  route->user_data = user_data;
  route->destroy = destroy;

  g_mutex_lock (&fake->lock);
  g_ptr_array_add (fake->routes, route);
  g_mutex_unlock (&fake->lock);
}

void
lb_fake_workspace_fail_next (LbFakeWorkspace *fake,
                             const char      *method,
                             const char      *path_prefix,
                             guint            status,
                             const char      *body,
                             guint            count)
{
  Knob *knob;

  g_return_if_fail (fake != NULL);
  g_return_if_fail (status >= 200);

  if (count == 0)
    return;

  knob = g_new0 (Knob, 1);
  knob->kind = KNOB_FAIL;
  knob->method = g_strdup (method);
  knob->path_prefix = g_strdup (path_prefix);
  knob->status = status;
  knob->body = g_strdup (body);
  knob->remaining = count;

  g_mutex_lock (&fake->lock);
  g_ptr_array_add (fake->knobs, knob);
  g_mutex_unlock (&fake->lock);
}

void
lb_fake_workspace_throttle_next (LbFakeWorkspace *fake,
                                 const char      *path_prefix,
                                 guint            retry_after_s,
                                 guint            count)
{
  Knob *knob;

  g_return_if_fail (fake != NULL);

  if (count == 0)
    return;

  knob = g_new0 (Knob, 1);
  knob->kind = KNOB_THROTTLE;
  knob->path_prefix = g_strdup (path_prefix);
  knob->status = 429;
  knob->retry_after_s = retry_after_s;
  knob->remaining = count;

  g_mutex_lock (&fake->lock);
  g_ptr_array_add (fake->knobs, knob);
  g_mutex_unlock (&fake->lock);
}

void
lb_fake_workspace_expire_token (LbFakeWorkspace *fake)
{
  g_return_if_fail (fake != NULL);

  g_mutex_lock (&fake->lock);
  fake->token_expired = TRUE;
  g_mutex_unlock (&fake->lock);
}

void
lb_fake_workspace_set_polls_until_ready (LbFakeWorkspace *fake,
                                         guint            n)
{
  g_return_if_fail (fake != NULL);

  g_mutex_lock (&fake->lock);
  fake->polls_until_ready = n;
  g_mutex_unlock (&fake->lock);
}

guint
lb_fake_workspace_get_polls_until_ready_locked (LbFakeWorkspace *fake)
{
  return fake->polls_until_ready;
}

void
lb_fake_workspace_set_delay_ms (LbFakeWorkspace *fake,
                                guint            ms)
{
  g_return_if_fail (fake != NULL);

  g_mutex_lock (&fake->lock);
  fake->delay_ms = ms;
  g_mutex_unlock (&fake->lock);
}

void
lb_fake_workspace_set_user_name (LbFakeWorkspace *fake,
                                 const char      *user_name)
{
  g_return_if_fail (fake != NULL);
  g_return_if_fail (user_name != NULL);

  g_mutex_lock (&fake->lock);
  g_free (fake->user_name);
  fake->user_name = g_strdup (user_name);
  g_mutex_unlock (&fake->lock);
}

const char *
lb_fake_workspace_get_user_name_locked (LbFakeWorkspace *fake)
{
  return fake->user_name;
}

void
lb_fake_workspace_set_pg_host (LbFakeWorkspace *fake,
                               const char      *host)
{
  g_return_if_fail (fake != NULL);
  g_return_if_fail (host != NULL);

  g_mutex_lock (&fake->lock);
  g_free (fake->pg_host);
  fake->pg_host = g_strdup (host);
  g_mutex_unlock (&fake->lock);
}

const char *
lb_fake_workspace_get_pg_host_locked (LbFakeWorkspace *fake)
{
  return fake->pg_host;
}

guint
lb_fake_workspace_count_requests (LbFakeWorkspace *fake,
                                  const char      *method,
                                  const char      *path_prefix)
{
  guint count = 0;

  g_return_val_if_fail (fake != NULL, 0);

  g_mutex_lock (&fake->lock);
  for (guint i = 0; i < fake->log->len; i++)
    {
      LogEntry *entry = g_ptr_array_index (fake->log, i);

      if (method != NULL && !g_str_equal (method, entry->method))
        continue;
      if (!prefix_matches (path_prefix, entry->path))
        continue;
      count++;
    }
  g_mutex_unlock (&fake->lock);

  return count;
}

guint
lb_fake_workspace_count_workspace_id (LbFakeWorkspace *fake,
                                      const char      *workspace_id)
{
  guint count = 0;

  g_return_val_if_fail (fake != NULL, 0);

  g_mutex_lock (&fake->lock);
  for (guint i = 0; i < fake->log->len; i++)
    {
      LogEntry *entry = g_ptr_array_index (fake->log, i);

      if (g_strcmp0 (entry->workspace_id, workspace_id) == 0)
        count++;
    }
  g_mutex_unlock (&fake->lock);

  return count;
}

char **
lb_fake_workspace_dup_log (LbFakeWorkspace *fake)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (fake != NULL, NULL);

  g_mutex_lock (&fake->lock);
  for (guint i = 0; i < fake->log->len; i++)
    {
      LogEntry *entry = g_ptr_array_index (fake->log, i);
      g_autofree char *line = g_strdup_printf ("%s %s%s%s %u", entry->method, entry->path,
                                               entry->query != NULL ? "?" : "",
                                               entry->query != NULL ? entry->query : "",
                                               entry->status);

      g_strv_builder_add (builder, line);
    }
  g_mutex_unlock (&fake->lock);

  return g_strv_builder_end (builder);
}

GArray *
lb_fake_workspace_dup_request_times (LbFakeWorkspace *fake,
                                     const char      *method,
                                     const char      *path_prefix)
{
  GArray *times = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_return_val_if_fail (fake != NULL, times);

  g_mutex_lock (&fake->lock);
  for (guint i = 0; i < fake->log->len; i++)
    {
      LogEntry *entry = g_ptr_array_index (fake->log, i);

      if (method != NULL && !g_str_equal (method, entry->method))
        continue;
      if (!prefix_matches (path_prefix, entry->path))
        continue;
      g_array_append_val (times, entry->time);
    }
  g_mutex_unlock (&fake->lock);

  return times;
}

void
lb_fake_workspace_clear_log (LbFakeWorkspace *fake)
{
  g_return_if_fail (fake != NULL);

  g_mutex_lock (&fake->lock);
  g_ptr_array_set_size (fake->log, 0);
  g_mutex_unlock (&fake->lock);
}

char **
lb_fake_workspace_dup_secrets (LbFakeWorkspace *fake)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (fake != NULL, NULL);

  g_mutex_lock (&fake->lock);
  for (guint i = 0; i < fake->secrets->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (fake->secrets, i));
  g_mutex_unlock (&fake->lock);

  return g_strv_builder_end (builder);
}

void
lb_fake_workspace_add_secret_locked (LbFakeWorkspace *fake,
                                     const char      *secret)
{
  g_ptr_array_add (fake->secrets, g_strdup (secret));
}

void
lb_fake_workspace_accept_token_locked (LbFakeWorkspace *fake,
                                       const char      *token,
                                       gint64           expires_at)
{
  gint64 *when = g_new (gint64, 1);

  *when = expires_at;
  g_hash_table_replace (fake->oauth_tokens, g_strdup (token), when);
  g_ptr_array_add (fake->secrets, g_strdup (token));
}

void
lb_fake_workspace_set_data (LbFakeWorkspace *fake,
                            const char      *key,
                            gpointer         data,
                            GDestroyNotify   destroy)
{
  Slot *slot;

  g_return_if_fail (fake != NULL);
  g_return_if_fail (key != NULL);

  slot = g_new0 (Slot, 1);
  slot->data = data;
  slot->destroy = destroy;
  g_hash_table_replace (fake->slots, g_strdup (key), slot);
}

gpointer
lb_fake_workspace_get_data (LbFakeWorkspace *fake,
                            const char      *key)
{
  Slot *slot;

  g_return_val_if_fail (fake != NULL, NULL);

  slot = g_hash_table_lookup (fake->slots, key);
  return slot != NULL ? slot->data : NULL;
}

void
lb_fake_workspace_lock (LbFakeWorkspace *fake)
{
  g_mutex_lock (&fake->lock);
}

void
lb_fake_workspace_unlock (LbFakeWorkspace *fake)
{
  g_mutex_unlock (&fake->lock);
}
