/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Lakeflow pipelines for the fake workspace; see
 * lb-fake-workspace-pipelines.h. Handlers run in the fake's thread with its
 * lock held. */
#include "config.h"

#include <string.h>

#include "lb-fake-workspace-pipelines.h"

#define PIPELINES_PREFIX "/api/2.0/pipelines/"

typedef struct
{
  char  *update_id;
  char  *state;        /* QUEUED, RUNNING, COMPLETED, FAILED */
  char  *created;
  guint  polls;
} Update;

typedef struct
{
  char      *id;
  char      *state;
  char      *cause;
  GPtrArray *updates;  /* of Update, newest first */
  guint      update_posts;
} Pipeline;

typedef struct
{
  GHashTable *pipelines;   /* id → Pipeline */
} Pipelines;

static void
update_free (gpointer data)
{
  Update *update = data;

  g_free (update->update_id);
  g_free (update->state);
  g_free (update->created);
  g_free (update);
}

static void
pipeline_free (gpointer data)
{
  Pipeline *pipeline = data;

  g_free (pipeline->id);
  g_free (pipeline->state);
  g_free (pipeline->cause);
  g_ptr_array_unref (pipeline->updates);
  g_free (pipeline);
}

static void
pipelines_free (gpointer data)
{
  Pipelines *pipelines = data;

  g_hash_table_unref (pipelines->pipelines);
  g_free (pipelines);
}

static char *
now_text (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.000Z");
}

static void
set_text (char       **field,
          const char  *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

static Update *
add_update (Pipeline   *pipeline,
            const char *state)
{
  Update *update = g_new0 (Update, 1);

  update->update_id = lb_fake_new_uid ();
  update->state = g_strdup (state);
  update->created = now_text ();
  g_ptr_array_insert (pipeline->updates, 0, update);
  return update;
}

static Pipeline *
ensure_pipeline (Pipelines  *pipelines,
                 const char *id)
{
  Pipeline *pipeline = g_hash_table_lookup (pipelines->pipelines, id);

  if (pipeline == NULL)
    {
      pipeline = g_new0 (Pipeline, 1);
      pipeline->id = g_strdup (id);
      pipeline->state = g_strdup ("IDLE");
      pipeline->updates = g_ptr_array_new_with_free_func (update_free);
      /* The initial snapshot the synced table's create started. */
      add_update (pipeline, "COMPLETED");
      g_hash_table_insert (pipelines->pipelines, pipeline->id, pipeline);
    }
  return pipeline;
}

/* One GET moves the latest update on: QUEUED → RUNNING → COMPLETED. */
static void
advance (LbFakeWorkspace *fake,
         Pipeline        *pipeline)
{
  Update *latest = pipeline->updates->len > 0 ? g_ptr_array_index (pipeline->updates, 0) : NULL;
  guint polls = lb_fake_workspace_get_polls_until_ready_locked (fake);

  if (latest == NULL || (!g_str_equal (latest->state, "QUEUED") && !g_str_equal (latest->state, "RUNNING")))
    return;
  if (++latest->polls < polls)
    return;
  latest->polls = 0;
  if (g_str_equal (latest->state, "QUEUED"))
    set_text (&latest->state, "RUNNING");
  else
    {
      set_text (&latest->state, "COMPLETED");
      set_text (&pipeline->state, "IDLE");
    }
}

static JsonNode *
pipeline_to_json (Pipeline *pipeline)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "pipeline_id");
  json_builder_add_string_value (builder, pipeline->id);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, "Synced table pipeline");
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, pipeline->state);
  json_builder_set_member_name (builder, "health");
  json_builder_add_string_value (builder, g_str_equal (pipeline->state, "FAILED") ? "UNHEALTHY" : "HEALTHY");
  if (pipeline->cause != NULL)
    {
      json_builder_set_member_name (builder, "cause");
      json_builder_add_string_value (builder, pipeline->cause);
    }
  json_builder_set_member_name (builder, "latest_updates");
  json_builder_begin_array (builder);
  for (guint i = 0; i < pipeline->updates->len; i++)
    {
      Update *update = g_ptr_array_index (pipeline->updates, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "update_id");
      json_builder_add_string_value (builder, update->update_id);
      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder, update->state);
      json_builder_set_member_name (builder, "creation_time");
      json_builder_add_string_value (builder, update->created);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
pipelines_route (LbFakeWorkspace *fake,
                 LbFakeRequest   *request,
                 gpointer         user_data)
{
  Pipelines *pipelines = lb_fake_workspace_get_data (fake, "pipelines");
  g_auto(GStrv) parts = g_strsplit (request->path + strlen (PIPELINES_PREFIX), "/", -1);
  guint n = g_strv_length (parts);
  g_autoptr(JsonNode) node = NULL;
  Pipeline *pipeline;

  if (n == 0 || parts[0][0] == '\0' || strstr (parts[0], "missing") != NULL)
    {
      g_autofree char *message = g_strdup_printf ("Pipeline %s does not exist.", n > 0 ? parts[0] : "");

      lb_fake_reply_error (request, 404, "RESOURCE_DOES_NOT_EXIST", message);
      return;
    }
  pipeline = ensure_pipeline (pipelines, parts[0]);

  if (n == 1 && g_str_equal (request->method, "GET"))
    {
      advance (fake, pipeline);
      node = pipeline_to_json (pipeline);
      lb_fake_reply_json (request, 200, node);
      return;
    }

  if (n == 2 && g_str_equal (parts[1], "updates") && g_str_equal (request->method, "POST"))
    {
      Update *latest = pipeline->updates->len > 0 ? g_ptr_array_index (pipeline->updates, 0) : NULL;
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      Update *update;

      pipeline->update_posts++;
      if (latest != NULL && (g_str_equal (latest->state, "QUEUED") || g_str_equal (latest->state, "RUNNING")))
        {
          lb_fake_reply_error (request, 409, "RESOURCE_CONFLICT",
                               "An update is already running for this pipeline.");
          return;
        }
      update = add_update (pipeline, lb_fake_workspace_get_polls_until_ready_locked (fake) == 0 ? "COMPLETED"
                                                                                                 : "QUEUED");
      if (!g_str_equal (update->state, "COMPLETED"))
        set_text (&pipeline->state, "RUNNING");
      set_text (&pipeline->cause, NULL);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "update_id");
      json_builder_add_string_value (builder, update->update_id);
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      lb_fake_reply_json (request, 200, node);
      return;
    }

  lb_fake_reply_error (request, 404, "ENDPOINT_NOT_FOUND", "No API found for this path.");
}

void
_lb_fake_workspace_pipelines_init (LbFakeWorkspace *fake)
{
  Pipelines *pipelines = g_new0 (Pipelines, 1);

  pipelines->pipelines = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, pipeline_free);
  lb_fake_workspace_set_data (fake, "pipelines", pipelines, pipelines_free);
  lb_fake_workspace_add_route (fake, NULL, PIPELINES_PREFIX, pipelines_route, NULL, NULL);
}

void
lb_fake_workspace_pipelines_set_state (LbFakeWorkspace *fake,
                                       const char      *pipeline_id,
                                       const char      *state,
                                       const char      *cause)
{
  Pipeline *pipeline;

  g_return_if_fail (fake != NULL && pipeline_id != NULL && state != NULL);

  lb_fake_workspace_lock (fake);
  pipeline = ensure_pipeline (lb_fake_workspace_get_data (fake, "pipelines"), pipeline_id);
  set_text (&pipeline->state, state);
  set_text (&pipeline->cause, cause);
  if (g_str_equal (state, "FAILED"))
    add_update (pipeline, "FAILED");
  else if (g_str_equal (state, "RUNNING"))
    add_update (pipeline, "RUNNING");
  lb_fake_workspace_unlock (fake);
}

guint
lb_fake_workspace_pipelines_count_updates (LbFakeWorkspace *fake,
                                           const char      *pipeline_id)
{
  Pipelines *pipelines;
  GHashTableIter iter;
  Pipeline *pipeline;
  guint count = 0;

  g_return_val_if_fail (fake != NULL, 0);

  lb_fake_workspace_lock (fake);
  pipelines = lb_fake_workspace_get_data (fake, "pipelines");
  g_hash_table_iter_init (&iter, pipelines->pipelines);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &pipeline))
    if (pipeline_id == NULL || g_str_equal (pipeline->id, pipeline_id))
      count += pipeline->update_posts;
  lb_fake_workspace_unlock (fake);

  return count;
}
