/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The keyring side of the browser sign-in: a schema of our own (host,
 * profile, client id), the tokens serialised as JSON in the secret. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsecret/secret.h>

#include "lb-oauth-token-store.h"

static const SecretSchema oauth_schema = {
  "io.github.lakebase.Accelerator.OAuth",
  SECRET_SCHEMA_NONE,
  {
    { "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "profile", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "client-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
  0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};

static char *
serialize (const LbOAuthTokens *tokens)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "access_token");
  json_builder_add_string_value (builder, tokens->access_token);
  if (tokens->refresh_token != NULL)
    {
      json_builder_set_member_name (builder, "refresh_token");
      json_builder_add_string_value (builder, tokens->refresh_token);
    }
  if (tokens->token_endpoint != NULL)
    {
      json_builder_set_member_name (builder, "token_endpoint");
      json_builder_add_string_value (builder, tokens->token_endpoint);
    }
  if (tokens->expires_at != 0)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (tokens->expires_at / G_USEC_PER_SEC);
      g_autofree char *text = g_date_time_format_iso8601 (when);

      json_builder_set_member_name (builder, "expiry");
      json_builder_add_string_value (builder, text);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static LbOAuthTokens *
deserialize (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  LbOAuthTokens *tokens;
  const char *expiry;

  if (!json_parser_load_from_data (parser, text, -1, NULL) || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  object = json_node_get_object (json_parser_get_root (parser));
  if (json_object_get_string_member_with_default (object, "access_token", NULL) == NULL)
    return NULL;

  tokens = g_new0 (LbOAuthTokens, 1);
  tokens->access_token = g_strdup (json_object_get_string_member (object, "access_token"));
  tokens->refresh_token = g_strdup (json_object_get_string_member_with_default (object, "refresh_token", NULL));
  tokens->token_endpoint = g_strdup (json_object_get_string_member_with_default (object, "token_endpoint", NULL));
  expiry = json_object_get_string_member_with_default (object, "expiry", NULL);
  if (expiry != NULL)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_iso8601 (expiry, NULL);

      /* An unreadable expiry: treat the token as expired, so it is refreshed. */
      tokens->expires_at = when != NULL ? g_date_time_to_unix (when) * G_USEC_PER_SEC : 1;
    }
  return tokens;
}

static void
stored_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (secret_password_store_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
lb_oauth_token_store_save_async (const char          *host,
                                 const char          *profile,
                                 const LbOAuthTokens *tokens,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (host != NULL);
  g_return_if_fail (tokens != NULL && tokens->access_token != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_oauth_token_store_save_async);

  secret = serialize (tokens);
  if (profile != NULL)
    label = g_strdup_printf (_("Databricks sign-in for %s (profile %s)"), host, profile);
  else
    label = g_strdup_printf (_("Databricks sign-in for %s"), host);
  secret_password_store (&oauth_schema, SECRET_COLLECTION_DEFAULT, label, secret,
                         cancellable, stored_cb, g_steal_pointer (&task),
                         "host", host,
                         "profile", profile != NULL ? profile : "",
                         "client-id", LB_OAUTH_CLIENT_ID,
                         NULL);
  memset (secret, 0, strlen (secret));
}

gboolean
lb_oauth_token_store_save_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
looked_up_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *secret = secret_password_lookup_finish (result, &error);

  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (secret == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  g_task_return_pointer (task, deserialize (secret), (GDestroyNotify) lb_oauth_tokens_free);
  secret_password_free (secret);
}

void
lb_oauth_token_store_lookup_async (const char          *host,
                                   const char          *profile,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (host != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_oauth_token_store_lookup_async);
  secret_password_lookup (&oauth_schema, cancellable, looked_up_cb, task,
                          "host", host,
                          "profile", profile != NULL ? profile : "",
                          "client-id", LB_OAUTH_CLIENT_ID,
                          NULL);
}

LbOAuthTokens *
lb_oauth_token_store_lookup_finish (GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
cleared_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
lb_oauth_token_store_delete_async (const char          *host,
                                   const char          *profile,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (host != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_oauth_token_store_delete_async);
  secret_password_clear (&oauth_schema, cancellable, cleared_cb, task,
                         "host", host,
                         "profile", profile != NULL ? profile : "",
                         "client-id", LB_OAUTH_CLIENT_ID,
                         NULL);
}

gboolean
lb_oauth_token_store_delete_finish (GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
forgot_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  gboolean removed = secret_password_clear_finish (result, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, removed ? 1 : 0);
}

void
lb_oauth_token_store_forget_async (const char          *host,
                                   const char          *profile,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);
  GTask *task;

  g_return_if_fail (host != NULL || profile != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_oauth_token_store_forget_async);
  /* Left out attributes match any value: every profile of @host, or
   * @profile on whichever host. */
  g_hash_table_insert (attributes, (gpointer) "client-id", (gpointer) LB_OAUTH_CLIENT_ID);
  if (host != NULL)
    g_hash_table_insert (attributes, (gpointer) "host", (gpointer) host);
  if (profile != NULL)
    g_hash_table_insert (attributes, (gpointer) "profile", (gpointer) profile);
  secret_password_clearv (&oauth_schema, attributes, cancellable, forgot_cb, task);
}

gboolean
lb_oauth_token_store_forget_finish (GAsyncResult  *result,
                                    gboolean      *removed,
                                    GError       **error)
{
  gssize answer;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  answer = g_task_propagate_int (G_TASK (result), error);
  if (answer < 0)
    return FALSE;
  if (removed != NULL)
    *removed = answer > 0;
  return TRUE;
}
