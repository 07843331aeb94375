/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Faults of the fake workspace that no route produces by itself: answers
 * rewritten after the route ran (fields of a resource overridden, operations
 * that finish with an error) and creates refused with ABORTED. The rewrite
 * runs in dispatch() through _lb_fake_workspace_faults_filter(), with the
 * fake's lock held; the knobs take the lock themselves. */
#include "config.h"

#include <string.h>

#include "lb-fake-workspace.h"

typedef struct
{
  char     *path;       /* exact request path */
  JsonNode *overlay;    /* object merged into the answer */
} Override;

typedef struct
{
  char *name_prefix;    /* of the operation's name ("projects/p") */
  char *error_code;
  char *message;
} FailedOps;

typedef struct
{
  GPtrArray *overrides;   /* of Override* */
  GPtrArray *failed_ops;  /* of FailedOps* */
} Faults;

static void
override_free (gpointer data)
{
  Override *override = data;

  g_free (override->path);
  json_node_unref (override->overlay);
  g_free (override);
}

static void
failed_ops_free (gpointer data)
{
  FailedOps *ops = data;

  g_free (ops->name_prefix);
  g_free (ops->error_code);
  g_free (ops->message);
  g_free (ops);
}

static void
faults_free (gpointer data)
{
  Faults *faults = data;

  g_ptr_array_unref (faults->overrides);
  g_ptr_array_unref (faults->failed_ops);
  g_free (faults);
}

/* Lock held. */
static Faults *
get_faults (LbFakeWorkspace *fake)
{
  Faults *faults = lb_fake_workspace_get_data (fake, "faults");

  if (faults == NULL)
    {
      faults = g_new0 (Faults, 1);
      faults->overrides = g_ptr_array_new_with_free_func (override_free);
      faults->failed_ops = g_ptr_array_new_with_free_func (failed_ops_free);
      lb_fake_workspace_set_data (fake, "faults", faults, faults_free);
    }
  return faults;
}

/* Objects merge member by member; anything else replaces. */
static void
merge (JsonObject *target,
       JsonObject *overlay)
{
  g_autoptr(GList) members = json_object_get_members (overlay);

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *value = json_object_get_member (overlay, name);
      JsonNode *existing = json_object_get_member (target, name);

      if (JSON_NODE_HOLDS_OBJECT (value) && existing != NULL && JSON_NODE_HOLDS_OBJECT (existing))
        merge (json_node_get_object (existing), json_node_get_object (value));
      else
        json_object_set_member (target, name, json_node_copy (value));
    }
}

void
_lb_fake_workspace_faults_filter (LbFakeWorkspace *fake,
                                  LbFakeRequest   *request)
{
  Faults *faults = lb_fake_workspace_get_data (fake, "faults");
  SoupMessageBody *body;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *text = NULL;
  JsonObject *obj;
  gboolean changed = FALSE;
  const char *name;

  if (faults == NULL || soup_server_message_get_status (request->msg) != 200)
    return;

  body = soup_server_message_get_response_body (request->msg);
  bytes = soup_message_body_flatten (body);
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  obj = json_node_get_object (json_parser_get_root (parser));

  if (g_str_equal (request->method, "GET"))
    for (guint i = 0; i < faults->overrides->len; i++)
      {
        Override *override = g_ptr_array_index (faults->overrides, i);

        if (g_str_equal (override->path, request->path))
          {
            merge (obj, json_node_get_object (override->overlay));
            changed = TRUE;
          }
      }

  /* An operation (a create's or delete's answer, or its poll) that is done. */
  name = json_object_has_member (obj, "name") && JSON_NODE_HOLDS_VALUE (json_object_get_member (obj, "name"))
    ? json_object_get_string_member (obj, "name") : NULL;
  if (name != NULL && strstr (name, "/operations/") != NULL && json_object_has_member (obj, "done") &&
      json_object_get_boolean_member (obj, "done"))
    for (guint i = 0; i < faults->failed_ops->len; i++)
      {
        FailedOps *ops = g_ptr_array_index (faults->failed_ops, i);

        if (g_str_has_prefix (name, ops->name_prefix))
          {
            JsonObject *error = json_object_new ();

            json_object_set_string_member (error, "error_code", ops->error_code);
            json_object_set_string_member (error, "message", ops->message);
            json_object_set_array_member (error, "details", json_array_new ());
            json_object_remove_member (obj, "response");
            json_object_set_object_member (obj, "error", error);
            changed = TRUE;
            break;
          }
      }

  if (!changed)
    return;
  text = json_to_string (json_parser_get_root (parser), FALSE);
  /* set_response() appends to a body already set. */
  soup_message_body_truncate (body);
  soup_server_message_set_response (request->msg, "application/json", SOUP_MEMORY_COPY, text, strlen (text));
}

void
lb_fake_workspace_override (LbFakeWorkspace *fake,
                            const char      *path,
                            const char      *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  Override *override;

  g_return_if_fail (fake != NULL);
  g_return_if_fail (path != NULL);

  if (!json_parser_load_from_data (parser, json, -1, &error))
    g_error ("lb_fake_workspace_override: %s", error->message);
  g_return_if_fail (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  override = g_new0 (Override, 1);
  override->path = g_strdup (path);
  override->overlay = json_node_copy (json_parser_get_root (parser));

  lb_fake_workspace_lock (fake);
  g_ptr_array_add (get_faults (fake)->overrides, override);
  lb_fake_workspace_unlock (fake);
}

void
lb_fake_workspace_fail_operations (LbFakeWorkspace *fake,
                                   const char      *name_prefix,
                                   const char      *error_code,
                                   const char      *message)
{
  FailedOps *ops;

  g_return_if_fail (fake != NULL);
  g_return_if_fail (name_prefix != NULL);

  ops = g_new0 (FailedOps, 1);
  ops->name_prefix = g_strdup (name_prefix);
  ops->error_code = g_strdup (error_code != NULL ? error_code : "INTERNAL_ERROR");
  ops->message = g_strdup (message != NULL ? message : "The operation failed.");

  lb_fake_workspace_lock (fake);
  g_ptr_array_add (get_faults (fake)->failed_ops, ops);
  lb_fake_workspace_unlock (fake);
}

void
lb_fake_workspace_clear_faults (LbFakeWorkspace *fake)
{
  Faults *faults;

  g_return_if_fail (fake != NULL);

  lb_fake_workspace_lock (fake);
  faults = get_faults (fake);
  g_ptr_array_set_size (faults->overrides, 0);
  g_ptr_array_set_size (faults->failed_ops, 0);
  lb_fake_workspace_unlock (fake);
}

void
lb_fake_workspace_abort_creates (LbFakeWorkspace *fake,
                                 const char      *path_prefix,
                                 guint            count)
{
  /* What the service says when a concurrent change holds the resource. */
  lb_fake_workspace_fail_next (fake, "POST", path_prefix, 409,
                               "{\"error_code\":\"ABORTED\",\"message\":\"The operation was aborted because of a "
                               "concurrent modification. Please retry.\"}",
                               count);
}
