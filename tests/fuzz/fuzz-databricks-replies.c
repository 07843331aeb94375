/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Databricks replies as the client, the table sizer and the deployment
 * runner read them, without HTTP: the error body of a failed call (raw
 * bytes, any shape), a warehouse listing, a statement answer, and the
 * members the runner reads from identity, instance, project, branch,
 * endpoint, synced table and long-running operation answers. */
#include "config.h"

#include <json-glib/json-glib.h>

#include "lb-fuzz.h"
#include "lb-databricks-client-private.h"
#include "lb-deployment-runner-private.h"
#include "lb-table-sizer-private.h"

static void
read_runner_members (JsonNode *node)
{
  static const char * const blocks[] = { "data_synchronization_status", "status" };
  gint64 bytes = 0;

  (void) _lb_runner_json_string_at (node, "userName", NULL);
  (void) _lb_runner_json_string_at (node, "state", NULL);
  (void) _lb_runner_json_string_at (node, "read_write_dns", NULL);
  (void) _lb_runner_json_string_at (node, "name", NULL);
  (void) _lb_runner_json_string_at (node, "status", "current_state", NULL);
  (void) _lb_runner_json_string_at (node, "status", "hosts", "host", NULL);
  (void) _lb_runner_json_string_at (node, "error", "message", NULL);
  (void) _lb_runner_json_string_at (node, "error", "error_code", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (blocks); i++)
    {
      (void) _lb_runner_json_string_at (node, blocks[i], "message", NULL);
      (void) _lb_runner_json_string_at (node, blocks[i], "detailed_state", NULL);
    }
  (void) _lb_runner_json_double_at (node, "$.data_synchronization_status.provisioning_status."
                                          "initial_pipeline_sync_progress.sync_progress_completion");
  (void) _lb_runner_json_double_at (node, "$.status.ongoing_sync_progress.sync_progress_completion");
  (void) _lb_runner_json_bool_member (node, "done");

  if (JSON_NODE_HOLDS_OBJECT (node))
    (void) _lb_table_sizer_parse_bytes (json_node_get_object (node), &bytes);
}

static void
read_warehouses (JsonNode *node)
{
  JsonArray *items = NULL;
  g_autoptr(GPtrArray) warehouses = NULL;

  /* The listing's page, or the items the client gathered over pages. */
  if (JSON_NODE_HOLDS_ARRAY (node))
    items = json_node_get_array (node);
  else if (JSON_NODE_HOLDS_OBJECT (node) &&
           json_object_has_member (json_node_get_object (node), "warehouses") &&
           JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (node), "warehouses")))
    items = json_object_get_array_member (json_node_get_object (node), "warehouses");
  if (items == NULL)
    return;

  warehouses = _lb_table_sizer_warehouses_from_json (items);
  for (guint i = 0; i < warehouses->len; i++)
    {
      LbWarehouse *warehouse = g_ptr_array_index (warehouses, i);

      g_assert_nonnull (warehouse->id);
      g_assert_nonnull (warehouse->name);
      g_assert_nonnull (warehouse->state);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const guint statuses[] = { 400, 403, 404, 429, 500, 503 };
  g_autoptr(GBytes) body = g_bytes_new (data, size);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonNode) null_reply = NULL;
  JsonNode *root;

  lb_fuzz_init ();

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      g_autoptr(GError) error = _lb_databricks_client_error_from_response (statuses[i], body);

      g_assert_nonnull (error);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
    }

  if (!json_parser_load_from_data (parser, (const char *) data, size, NULL))
    return 0;

  /* The client hands on an all-blank body as JSON null, as it does an
   * empty one (tests/data/fuzz-regressions/fuzz-databricks-replies/blank). */
  root = json_parser_get_root (parser);
  if (root == NULL)
    root = null_reply = json_node_new (JSON_NODE_NULL);

  read_runner_members (root);
  read_warehouses (root);
  return 0;
}
