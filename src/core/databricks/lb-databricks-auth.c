/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbDatabricksAuth: the Authorization header for a profile. A PAT is used as
 * it is; OAuth M2M tokens come from the workspace's token endpoint, U2M
 * tokens from the Databricks CLI's token cache or `databricks auth token`;
 * each is cached until shortly before it expires. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "lb-databricks-auth.h"
#include "lb-oauth-token-store.h"

/* Refresh OAuth tokens this long before they expire, as the SDKs do. */
#define REFRESH_MARGIN_USEC (5 * 60 * G_USEC_PER_SEC)
#define CLI_CLIENT_ID "databricks-cli"

struct _LbDatabricksAuth
{
  GObject               parent_instance;

  LbDatabricksProfile  *profile;
  SoupSession          *session;      /* token endpoint calls only */
  char                 *access_token; /* cached OAuth token, or the PAT */
  gint64                expires_at;   /* monotonic-free: real time in µs; 0 = never */
  char                 *refresh_token;
  char                 *token_endpoint;
  /* The Databricks CLI's version, asked once ("databricks version"):
   * {major, minor, patch}, or major -1 when not asked yet, -2 when unknown. */
  int                   cli_version[3];
  gboolean              force_refresh; /* after a 401: the CLI's cached token was refused */
  gboolean              store_checked; /* our keyring was asked (browser sign-in) */
  gboolean              from_store;    /* the U2M tokens are ours: write refreshes back */
};

G_DEFINE_FINAL_TYPE (LbDatabricksAuth, lb_databricks_auth, G_TYPE_OBJECT)
G_DEFINE_QUARK (lb-databricks-auth-error-quark, lb_databricks_auth_error)

static void
clear_secret (char **secret)
{
  if (*secret != NULL)
    memset (*secret, 0, strlen (*secret));
  g_clear_pointer (secret, g_free);
}

static const char *
profile_label (LbDatabricksAuth *self)
{
  return self->profile->name != NULL ? self->profile->name : self->profile->host;
}

static char *
login_command (LbDatabricksAuth *self)
{
  if (self->profile->name != NULL)
    return g_strdup_printf ("databricks auth login --host %s --profile %s",
                            self->profile->host, self->profile->name);
  return g_strdup_printf ("databricks auth login --host %s", self->profile->host);
}

static gboolean
token_is_fresh (LbDatabricksAuth *self)
{
  return self->access_token != NULL &&
         (self->expires_at == 0 || self->expires_at - g_get_real_time () > REFRESH_MARGIN_USEC);
}

static void
store_token (LbDatabricksAuth *self,
             const char       *access_token,
             gint64            expires_at)
{
  clear_secret (&self->access_token);
  self->access_token = g_strdup (access_token);
  self->expires_at = expires_at;
}

static GTask *
new_header_task (LbDatabricksAuth    *self,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, lb_databricks_auth_get_header_async);
  return task;
}

static void
return_header (GTask *task)
{
  LbDatabricksAuth *self = g_task_get_source_object (task);

  g_task_return_pointer (task, g_strconcat ("Bearer ", self->access_token, NULL), g_free);
}

/* OAuth token endpoint ----------------------------------------------------- */

static gboolean
parse_token_response (LbDatabricksAuth  *self,
                      GBytes            *bytes,
                      guint              status,
                      GError           **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  const char *access_token;
  gint64 expires_in = 3600;

  if (bytes == NULL ||
      !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, LB_DATABRICKS_AUTH_ERROR, LB_DATABRICKS_AUTH_ERROR_REFUSED,
                   _("The workspace's token endpoint answered %u without a token"), status);
      return FALSE;
    }

  object = json_node_get_object (json_parser_get_root (parser));
  access_token = json_object_get_string_member_with_default (object, "access_token", NULL);
  if (status >= 400 || access_token == NULL)
    {
      const char *description = json_object_get_string_member_with_default (object, "error_description", NULL);
      const char *code = json_object_get_string_member_with_default (object, "error", NULL);

      if (self->profile->auth_kind == LB_DATABRICKS_AUTH_OAUTH_U2M)
        {
          g_autofree char *command = login_command (self);

          g_set_error (error, LB_DATABRICKS_AUTH_ERROR, LB_DATABRICKS_AUTH_ERROR_LOGIN_NEEDED,
                       _("The saved sign-in of “%s” was refused (%s); run “%s” and try again"),
                       profile_label (self), description != NULL ? description : code != NULL ? code : "?",
                       command);
        }
      else
        {
          g_set_error (error, LB_DATABRICKS_AUTH_ERROR, LB_DATABRICKS_AUTH_ERROR_REFUSED,
                       _("The workspace refused the credentials of “%s”: %s"),
                       profile_label (self), description != NULL ? description : code != NULL ? code : "?");
        }
      return FALSE;
    }

  /* expires_in is a number, or a string in some answers (the CLI's fake). */
  if (json_object_has_member (object, "expires_in"))
    {
      JsonNode *node = json_object_get_member (object, "expires_in");

      if (json_node_get_value_type (node) == G_TYPE_STRING)
        expires_in = g_ascii_strtoll (json_node_get_string (node), NULL, 10);
      else if (JSON_NODE_HOLDS_VALUE (node))
        expires_in = json_node_get_int (node);
    }

  store_token (self, access_token, g_get_real_time () + expires_in * G_USEC_PER_SEC);
  if (json_object_has_member (object, "refresh_token"))
    {
      clear_secret (&self->refresh_token);
      self->refresh_token = g_strdup (json_object_get_string_member (object, "refresh_token"));
    }

  return TRUE;
}

/* Our own browser sign-in's tokens (lb-oauth-token-store.h) ---------------- */

static LbOAuthTokens *
current_tokens (LbDatabricksAuth *self)
{
  LbOAuthTokens *tokens = g_new0 (LbOAuthTokens, 1);

  tokens->access_token = g_strdup (self->access_token);
  tokens->refresh_token = g_strdup (self->refresh_token);
  tokens->token_endpoint = g_strdup (self->token_endpoint);
  tokens->expires_at = self->expires_at;
  return tokens;
}

static void
written_back_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* A keyring that went away costs the next start a sign-in, not this call. */
  if (!lb_oauth_token_store_save_finish (result, &error))
    g_message ("The renewed sign-in could not be saved in the keyring: %s", error->message);
  return_header (task);
}

/* A refreshed token replaces the saved one before the header is handed out,
 * so a crash right after never leaves a spent refresh token behind. */
static void
write_back_to_store (LbDatabricksAuth *self,
                     GTask            *task)
{
  g_autoptr(LbOAuthTokens) tokens = current_tokens (self);

  lb_oauth_token_store_save_async (self->profile->host, self->profile->name, tokens, NULL,
                                   written_back_cb, g_object_ref (task));
}

static void
token_response_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LbDatabricksAuth *self = g_task_get_source_object (task);
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);

  if (bytes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!parse_token_response (self, bytes, soup_message_get_status (message), &error))
    {
      /* A proactive refresh that failed while the token still works: keep
       * using it, as the SDKs do; the next call tries again. */
      if (self->from_store && self->access_token != NULL && self->expires_at > g_get_real_time ())
        {
          g_debug ("Renewing the browser sign-in of “%s” failed; its token is still valid: %s",
                   profile_label (self), error->message);
          return_header (task);
          return;
        }
      if (self->from_store)
        {
          g_autoptr(GError) refused = g_steal_pointer (&error);

          /* The CLI's advice in @refused does not apply to our own sign-in. */
          g_debug ("The workspace refused to renew the browser sign-in of “%s”: %s",
                   profile_label (self), refused->message);
          error = g_error_new (LB_DATABRICKS_AUTH_ERROR, LB_DATABRICKS_AUTH_ERROR_LOGIN_NEEDED,
                               _("The browser sign-in of “%s” has expired or was revoked: sign in again with Sign In with Browser."),
                               profile_label (self));
        }
      g_task_return_error (task, g_steal_pointer (&error));
    }
  else if (self->from_store)
    write_back_to_store (self, task);
  else
    return_header (task);
}

static void
post_token_request (LbDatabricksAuth *self,
                    GTask            *task,
                    const char       *form)
{
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) body = g_bytes_new (form, strlen (form));
  const char *endpoint = self->token_endpoint;
  g_autofree char *fallback = NULL;

  if (endpoint == NULL)
    endpoint = fallback = g_strconcat (self->profile->host, "/oidc/v1/token", NULL);

  message = soup_message_new (SOUP_METHOD_POST, endpoint);
  if (message == NULL)
    {
      g_task_return_new_error (task, LB_DATABRICKS_AUTH_ERROR, LB_DATABRICKS_AUTH_ERROR_REFUSED,
                               _("“%s” is not a token endpoint"), endpoint);
      return;
    }

  /* The form holds a secret: never resend it to wherever a 3xx points. */
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_set_request_body_from_bytes (message, "application/x-www-form-urlencoded", body);
  if (self->profile->auth_kind == LB_DATABRICKS_AUTH_OAUTH_M2M)
    {
      g_autofree char *pair = g_strconcat (self->profile->client_id, ":", self->profile->client_secret, NULL);
      g_autofree char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
      g_autofree char *header = g_strconcat ("Basic ", encoded, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization", header);
      memset (pair, 0, strlen (pair));
    }
  soup_message_headers_replace (soup_message_get_request_headers (message), "Accept", "application/json");

  soup_session_send_and_read_async (self->session, message, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), token_response_cb, g_object_ref (task));
}

/* The profile's `scopes` ("sql, all-apis" or "sql all-apis"), space
 * separated as OAuth wants them; all-apis when none are given. */
static char *
m2m_scope (LbDatabricksAuth *self)
{
  g_auto(GStrv) parts = g_strsplit_set (self->profile->scopes != NULL ? self->profile->scopes : "", ", \t", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) scopes = NULL;

  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] != '\0')
      g_strv_builder_add (builder, parts[i]);
  scopes = g_strv_builder_end (builder);

  return scopes[0] != NULL ? g_strjoinv (" ", scopes) : g_strdup ("all-apis");
}

static void
fetch_m2m_token (LbDatabricksAuth *self,
                 GTask            *task)
{
  g_autofree char *scope = m2m_scope (self);
  g_autofree char *escaped = g_uri_escape_string (scope, NULL, FALSE);
  g_autofree char *form = g_strconcat ("grant_type=client_credentials&scope=", escaped, NULL);

  post_token_request (self, task, form);
}

static void
refresh_u2m_token (LbDatabricksAuth *self,
                   GTask            *task)
{
  g_autofree char *escaped = g_uri_escape_string (self->refresh_token, NULL, FALSE);
  g_autofree char *form = g_strdup_printf ("grant_type=refresh_token&refresh_token=%s&client_id=%s",
                                           escaped, CLI_CLIENT_ID);

  post_token_request (self, task, form);
  memset (form, 0, strlen (form));
  memset (escaped, 0, strlen (escaped));
}

/* OAuth U2M: the Databricks CLI, else its plaintext token cache ------------- */

/* The CLI and its cache are the user's: found through the process's own
 * environment, as the SDKs do. */
static const char *
profile_env (LbDatabricksAuth *self,
             const char       *name)
{
  return g_getenv (name);
}

/* The profile's databricks_cli_path (DATABRICKS_CLI_PATH wins when the
 * profile was resolved from the environment), a path or a name looked up in
 * PATH; else `databricks` in PATH. */
static char *
find_cli (LbDatabricksAuth *self)
{
  const char *path = self->profile->databricks_cli_path;
  GStatBuf st;

  if (path == NULL || path[0] == '\0')
    path = profile_env (self, "DATABRICKS_CLI_PATH");

  /* Named by the user: their choice, whatever its size. */
  if (path != NULL && path[0] != '\0')
    {
      if (strchr (path, '/') == NULL)
        return g_find_program_in_path (path);
      return g_file_test (path, G_FILE_TEST_IS_EXECUTABLE) ? g_strdup (path) : NULL;
    }

  {
    g_autofree char *found = g_find_program_in_path ("databricks");

    /* Under 1 MiB it is the legacy Python CLI, which has no `auth token`. */
    if (found == NULL || g_stat (found, &st) != 0 || st.st_size < 1024 * 1024)
      return NULL;
    return g_steal_pointer (&found);
  }
}

/* ~/.databricks/token-cache.json (version 1), read only: never written. */
static gboolean
load_token_cache (LbDatabricksAuth *self)
{
  const char *home = profile_env (self, "HOME");
  g_autofree char *path = g_build_filename (home != NULL ? home : g_get_home_dir (),
                                            ".databricks", "token-cache.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonObject *tokens;
  JsonObject *entry = NULL;
  const char *expiry;
  const char *keys[2] = { self->profile->name, self->profile->host };

  if (!json_parser_load_from_file (parser, path, NULL) || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;

  root = json_node_get_object (json_parser_get_root (parser));
  if (json_object_get_int_member_with_default (root, "version", 0) != 1 ||
      !json_object_has_member (root, "tokens") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "tokens")))
    return FALSE;

  tokens = json_object_get_object_member (root, "tokens");
  for (guint i = 0; i < G_N_ELEMENTS (keys) && entry == NULL; i++)
    if (keys[i] != NULL && json_object_has_member (tokens, keys[i]) &&
        JSON_NODE_HOLDS_OBJECT (json_object_get_member (tokens, keys[i])))
      entry = json_object_get_object_member (tokens, keys[i]);

  if (entry == NULL)
    return FALSE;

  expiry = json_object_get_string_member_with_default (entry, "expiry", NULL);
  if (json_object_get_string_member_with_default (entry, "access_token", NULL) != NULL)
    {
      g_autoptr(GDateTime) when = expiry != NULL ? g_date_time_new_from_iso8601 (expiry, NULL) : NULL;

      store_token (self, json_object_get_string_member (entry, "access_token"),
                   when != NULL ? g_date_time_to_unix (when) * G_USEC_PER_SEC : 1);
    }
  clear_secret (&self->refresh_token);
  self->refresh_token = g_strdup (json_object_get_string_member_with_default (entry, "refresh_token", NULL));

  return self->access_token != NULL || self->refresh_token != NULL;
}

static void
fail_login_needed (LbDatabricksAuth *self,
                   GTask            *task,
                   const char       *detail)
{
  g_autofree char *command = login_command (self);

  if (detail != NULL && detail[0] != '\0')
    g_task_return_new_error (task, LB_DATABRICKS_AUTH_ERROR, LB_DATABRICKS_AUTH_ERROR_LOGIN_NEEDED,
                             _("“%s” signs in with the Databricks CLI and it has no usable sign-in (%s): run “%s”, then try again"),
                             profile_label (self), detail, command);
  else
    g_task_return_new_error (task, LB_DATABRICKS_AUTH_ERROR, LB_DATABRICKS_AUTH_ERROR_LOGIN_NEEDED,
                             _("“%s” signs in with the Databricks CLI and no sign-in is saved: run “%s”, then try again"),
                             profile_label (self), command);
}

static void
u2m_from_cache (LbDatabricksAuth *self,
                GTask            *task,
                const char       *cli_detail)
{
  if (load_token_cache (self))
    {
      if (token_is_fresh (self))
        {
          return_header (task);
          return;
        }
      if (self->refresh_token != NULL)
        {
          refresh_u2m_token (self, task);
          return;
        }
    }

  fail_login_needed (self, task, cli_detail);
}

static void
cli_token_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GSubprocess *subprocess = G_SUBPROCESS (object);
  g_autoptr(GTask) task = user_data;
  LbDatabricksAuth *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!g_subprocess_communicate_utf8_finish (subprocess, result, &out, &err, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_subprocess_get_exit_status (subprocess) == 0 &&
      out != NULL && json_parser_load_from_data (parser, out, -1, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      JsonObject *object_ = json_node_get_object (json_parser_get_root (parser));
      const char *token = json_object_get_string_member_with_default (object_, "access_token", NULL);
      const char *expiry = json_object_get_string_member_with_default (object_, "expiry", NULL);
      g_autoptr(GDateTime) when = expiry != NULL ? g_date_time_new_from_iso8601 (expiry, NULL) : NULL;

      if (token != NULL)
        {
          /* The CLI refreshes by itself; trust its expiry. */
          store_token (self, token, when != NULL ? g_date_time_to_unix (when) * G_USEC_PER_SEC : 0);
          self->force_refresh = FALSE;
          memset (out, 0, strlen (out));
          return_header (task);
          return;
        }
    }

  if (out != NULL)
    memset (out, 0, strlen (out));
  u2m_from_cache (self, task, err != NULL ? g_strstrip (err) : NULL);
}

/* "Databricks CLI v0.296.0" → {0, 296, 0}; FALSE for anything else (a
 * development build "v0.0.0-dev…" parses but compares below every gate). */
static gboolean
parse_cli_version (const char *text,
                   int         version[3])
{
  const char *v;
  guint64 parts[3] = { 0, };
  char *end;

  if (text == NULL || (v = strstr (text, "CLI v")) == NULL)
    return FALSE;
  v += strlen ("CLI v");
  for (guint i = 0; i < 3; i++)
    {
      if (!g_ascii_isdigit (*v))
        return FALSE;
      parts[i] = g_ascii_strtoull (v, &end, 10);
      if (parts[i] > G_MAXINT)
        return FALSE;
      v = end;
      if (i < 2 && *v++ != '.')
        return FALSE;
    }
  for (guint i = 0; i < 3; i++)
    version[i] = (int) parts[i];
  return TRUE;
}

static gboolean
cli_at_least (LbDatabricksAuth *self,
              int               major,
              int               minor,
              int               patch)
{
  const int *v = self->cli_version;

  if (v[0] < 0)
    return FALSE;   /* unknown: the conservative flags, as the SDKs do */
  if (v[0] != major)
    return v[0] > major;
  if (v[1] != minor)
    return v[1] > minor;
  return v[2] >= patch;
}

static gboolean
is_account_host (const char *host)
{
  return host != NULL &&
         (g_str_has_prefix (host, "https://accounts.") || g_str_has_prefix (host, "https://accounts-dod."));
}

/* `auth token` as the SDKs call it: --profile from CLI 0.207.1 on (older
 * ones ignore it there), else --host with --account-id on account hosts;
 * --force-refresh after a 401 from 0.296.0 on, which older CLIs reject. */
static GStrv
cli_token_argv (LbDatabricksAuth *self,
                const char       *cli)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_strv_builder_add_many (builder, cli, "auth", "token", NULL);
  if (self->profile->name != NULL && cli_at_least (self, 0, 207, 1))
    g_strv_builder_add_many (builder, "--profile", self->profile->name, NULL);
  else
    {
      g_strv_builder_add_many (builder, "--host", self->profile->host, NULL);
      if (is_account_host (self->profile->host) && self->profile->account_id != NULL)
        g_strv_builder_add_many (builder, "--account-id", self->profile->account_id, NULL);
    }
  if (self->force_refresh && cli_at_least (self, 0, 296, 0))
    g_strv_builder_add (builder, "--force-refresh");

  return g_strv_builder_end (builder);
}

static void
run_cli_token (LbDatabricksAuth *self,
               GTask            *task,
               const char       *cli)
{
  g_auto(GStrv) argv = cli_token_argv (self, cli);
  g_autoptr(GSubprocess) subprocess = NULL;
  g_autoptr(GError) error = NULL;

  subprocess = g_subprocess_newv ((const char * const *) argv,
                                  G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  if (subprocess == NULL)
    {
      u2m_from_cache (self, task, error->message);
      return;
    }

  g_subprocess_communicate_utf8_async (subprocess, NULL, g_task_get_cancellable (task),
                                       cli_token_cb, g_object_ref (task));
}

static void
cli_version_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GSubprocess *subprocess = G_SUBPROCESS (object);
  g_autoptr(GTask) task = user_data;
  LbDatabricksAuth *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  const char *cli = g_task_get_task_data (task);

  if (!g_subprocess_communicate_utf8_finish (subprocess, result, &out, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }

  if (!(g_subprocess_get_if_exited (subprocess) && g_subprocess_get_exit_status (subprocess) == 0 &&
        parse_cli_version (out, self->cli_version)))
    self->cli_version[0] = -2;

  run_cli_token (self, task, cli);
}

static void
fetch_u2m_token (LbDatabricksAuth *self,
                 GTask            *task)
{
  g_autofree char *cli = find_cli (self);
  g_autoptr(GSubprocess) subprocess = NULL;
  g_autoptr(GError) error = NULL;

  if (cli == NULL)
    {
      u2m_from_cache (self, task, NULL);
      return;
    }

  if (self->cli_version[0] != -1)
    {
      run_cli_token (self, task, cli);
      return;
    }

  /* Which flags it knows depends on its version: ask once. */
  subprocess = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                                 cli, "version", NULL);
  if (subprocess == NULL)
    {
      self->cli_version[0] = -2;
      run_cli_token (self, task, cli);
      return;
    }

  g_task_set_task_data (task, g_steal_pointer (&cli), g_free);
  g_subprocess_communicate_utf8_async (subprocess, NULL, g_task_get_cancellable (task),
                                       cli_version_cb, g_object_ref (task));
}

static void
store_looked_up_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LbDatabricksAuth *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbOAuthTokens) tokens = lb_oauth_token_store_lookup_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      self->store_checked = FALSE;
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (error != NULL)
    g_debug ("No keyring to look a browser sign-in up in: %s", error->message);

  if (tokens == NULL)
    {
      fetch_u2m_token (self, task);
      return;
    }

  self->from_store = TRUE;
  store_token (self, tokens->access_token, tokens->expires_at);
  clear_secret (&self->refresh_token);
  self->refresh_token = g_strdup (tokens->refresh_token);
  if (tokens->token_endpoint != NULL)
    {
      g_free (self->token_endpoint);
      self->token_endpoint = g_strdup (tokens->token_endpoint);
    }

  if (!lb_oauth_tokens_needs_refresh (tokens))
    return_header (task);
  else if (self->refresh_token != NULL)
    refresh_u2m_token (self, task);
  else
    fetch_u2m_token (self, task);
}

/* Tokens of our own browser sign-in come first: they were made for this very
 * profile, and work where the CLI cannot be run (the Flatpak). */
static void
u2m_from_store (LbDatabricksAuth *self,
                GTask            *task)
{
  self->store_checked = TRUE;
  lb_oauth_token_store_lookup_async (self->profile->host, self->profile->name, g_task_get_cancellable (task),
                                     store_looked_up_cb, g_object_ref (task));
}

/* Public -------------------------------------------------------------------- */

void
lb_databricks_auth_get_header_async (LbDatabricksAuth    *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LB_IS_DATABRICKS_AUTH (self));

  task = new_header_task (self, cancellable, callback, user_data);

  if (token_is_fresh (self))
    {
      return_header (task);
      return;
    }

  switch (self->profile->auth_kind)
    {
    case LB_DATABRICKS_AUTH_PAT:
      store_token (self, self->profile->token, 0);
      return_header (task);
      break;

    case LB_DATABRICKS_AUTH_OAUTH_M2M:
      fetch_m2m_token (self, task);
      break;

    case LB_DATABRICKS_AUTH_OAUTH_U2M:
      if (self->refresh_token != NULL)
        refresh_u2m_token (self, task);
      else if (!self->store_checked && self->profile->host != NULL)
        u2m_from_store (self, task);
      else
        fetch_u2m_token (self, task);
      break;

    case LB_DATABRICKS_AUTH_BASIC:
      {
        g_autofree char *pair = g_strconcat (self->profile->username, ":", self->profile->password, NULL);
        g_autofree char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));

        memset (pair, 0, strlen (pair));
        g_task_return_pointer (task, g_strconcat ("Basic ", encoded, NULL), g_free);
        memset (encoded, 0, strlen (encoded));
      }
      break;

    case LB_DATABRICKS_AUTH_NONE:
    default:
      g_task_return_new_error (task, LB_DATABRICKS_AUTH_ERROR, LB_DATABRICKS_AUTH_ERROR_NOT_CONFIGURED,
                               _("“%s” gives no way to sign in: add a token, a service principal, or run “databricks auth login”"),
                               self->profile->name != NULL ? self->profile->name : _("The environment"));
      break;
    }
}

char *
lb_databricks_auth_get_header_finish (LbDatabricksAuth  *self,
                                      GAsyncResult      *result,
                                      GError           **error)
{
  g_return_val_if_fail (LB_IS_DATABRICKS_AUTH (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
lb_databricks_auth_invalidate (LbDatabricksAuth *self)
{
  g_return_val_if_fail (LB_IS_DATABRICKS_AUTH (self), FALSE);

  if (self->profile->auth_kind == LB_DATABRICKS_AUTH_PAT ||
      self->profile->auth_kind == LB_DATABRICKS_AUTH_BASIC ||
      self->profile->auth_kind == LB_DATABRICKS_AUTH_NONE)
    return FALSE;

  clear_secret (&self->access_token);
  self->expires_at = 0;
  /* The CLI would hand back the same refused token from its cache. */
  if (self->profile->auth_kind == LB_DATABRICKS_AUTH_OAUTH_U2M)
    self->force_refresh = TRUE;
  return TRUE;
}

LbDatabricksAuthKind
lb_databricks_auth_get_kind (LbDatabricksAuth *self)
{
  g_return_val_if_fail (LB_IS_DATABRICKS_AUTH (self), LB_DATABRICKS_AUTH_NONE);

  return self->profile->auth_kind;
}

const char *
lb_databricks_auth_get_host (LbDatabricksAuth *self)
{
  g_return_val_if_fail (LB_IS_DATABRICKS_AUTH (self), NULL);

  return self->profile->host;
}

const char *
lb_databricks_auth_get_workspace_id (LbDatabricksAuth *self)
{
  g_return_val_if_fail (LB_IS_DATABRICKS_AUTH (self), NULL);

  return self->profile->workspace_id;
}

static void
lb_databricks_auth_finalize (GObject *object)
{
  LbDatabricksAuth *self = LB_DATABRICKS_AUTH (object);

  clear_secret (&self->access_token);
  clear_secret (&self->refresh_token);
  g_clear_pointer (&self->token_endpoint, g_free);
  g_clear_pointer (&self->profile, lb_databricks_profile_free);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (lb_databricks_auth_parent_class)->finalize (object);
}

static void
lb_databricks_auth_class_init (LbDatabricksAuthClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lb_databricks_auth_finalize;
}

static void
lb_databricks_auth_init (LbDatabricksAuth *self)
{
  self->session = soup_session_new_with_options ("timeout", 60, NULL);
  self->cli_version[0] = -1;
}

LbDatabricksAuth *
lb_databricks_auth_new (const LbDatabricksProfile *profile)
{
  LbDatabricksAuth *self;

  g_return_val_if_fail (profile != NULL, NULL);

  self = g_object_new (LB_TYPE_DATABRICKS_AUTH, NULL);
  self->profile = lb_databricks_profile_copy (profile);

  return self;
}

LbDatabricksAuth *
lb_databricks_auth_new_for_token (const char *host,
                                  const char *token)
{
  LbDatabricksProfile profile = { 0, };

  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (token != NULL, NULL);

  profile.host = (char *) host;
  profile.token = (char *) token;
  profile.auth_kind = LB_DATABRICKS_AUTH_PAT;

  return lb_databricks_auth_new (&profile);
}
