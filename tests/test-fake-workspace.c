/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The fake workspace itself, driven with plain synchronous libsoup calls
 * from the test thread (possible because the fake runs in its own thread):
 * auth, knobs, the request log, and the Lakebase resources' life cycles. */
#include "config.h"

#include "lb-fake-workspace.h"

typedef struct
{
  guint     status;
  JsonNode *json;   /* NULL when the body is not JSON */
  char     *text;
  char     *retry_after;
} Answer;

static void
answer_free (Answer *answer)
{
  g_clear_pointer (&answer->json, json_node_unref);
  g_free (answer->text);
  g_free (answer->retry_after);
  g_free (answer);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Answer, answer_free)

static Answer *
call (LbFakeWorkspace *fake,
      const char      *method,
      const char      *path_and_query,
      const char      *body,
      gboolean         with_token)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (lb_fake_workspace_get_url (fake), path_and_query, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  Answer *answer = g_new0 (Answer, 1);

  g_assert_nonnull (msg);
  if (with_token)
    {
      g_autofree char *header = g_strconcat ("Bearer ", lb_fake_workspace_get_token (fake), NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", header);
    }
  if (body != NULL)
    {
      g_autoptr(GBytes) request = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", request);
    }

  bytes = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);

  answer->status = soup_message_get_status (msg);
  answer->text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  answer->json = json_from_string (answer->text, NULL);
  answer->retry_after = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                                "Retry-After"));
  return answer;
}

static const char *
get_string (Answer     *answer,
            const char *json_path)
{
  static char buffer[512];
  g_autoptr(JsonNode) found = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *array;

  g_assert_nonnull (answer->json);
  found = json_path_query (json_path, answer->json, &error);
  g_assert_no_error (error);
  array = json_node_get_array (found);
  if (json_array_get_length (array) == 0)
    return NULL;
  if (json_node_get_value_type (json_array_get_element (array, 0)) == G_TYPE_BOOLEAN)
    return json_array_get_boolean_element (array, 0) ? "true" : "false";
  g_strlcpy (buffer, json_array_get_string_element (array, 0), sizeof buffer);
  return buffer;
}

static void
test_auth_and_me (void)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autoptr(Answer) anonymous = call (fake, "GET", "/api/2.0/preview/scim/v2/Me", NULL, FALSE);
  g_autoptr(Answer) me = call (fake, "GET", "/api/2.0/preview/scim/v2/Me", NULL, TRUE);
  g_autoptr(Answer) expired = NULL;
  g_autoptr(Answer) unknown = call (fake, "GET", "/api/2.0/nothing", NULL, TRUE);

  g_assert_true (g_str_has_prefix (lb_fake_workspace_get_url (fake), "http://127.0.0.1:"));
  g_assert_cmpuint (anonymous->status, ==, 401);
  g_assert_cmpstr (get_string (anonymous, "$.error_code"), ==, "UNAUTHENTICATED");
  g_assert_cmpuint (me->status, ==, 200);
  g_assert_cmpstr (get_string (me, "$.userName"), ==, "ana@example.com");
  g_assert_cmpuint (unknown->status, ==, 404);

  lb_fake_workspace_expire_token (fake);
  expired = call (fake, "GET", "/api/2.0/preview/scim/v2/Me", NULL, TRUE);
  g_assert_cmpuint (expired->status, ==, 401);
  g_assert_cmpstr (get_string (expired, "$.message"), ==, "Token is expired.");

  g_assert_cmpuint (lb_fake_workspace_count_requests (fake, "GET", "/api/2.0/preview/scim"), ==, 3);
  g_assert_cmpuint (lb_fake_workspace_count_requests (fake, NULL, NULL), ==, 4);
}

static void
test_knobs (void)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_auto(GStrv) log = NULL;
  g_autofree char *joined = NULL;
  Answer *answer;

  lb_fake_workspace_throttle_next (fake, "/api/2.0/preview", 3, 1);
  lb_fake_workspace_fail_next (fake, "GET", "/api/2.0/preview", 500, NULL, 1);
  lb_fake_workspace_fail_next (fake, "GET", "/api/2.0/preview", 200, "{not json", 1);

  answer = call (fake, "GET", "/api/2.0/preview/scim/v2/Me", NULL, TRUE);
  g_assert_cmpuint (answer->status, ==, 429);
  g_assert_cmpstr (answer->retry_after, ==, "3");
  answer_free (answer);

  answer = call (fake, "GET", "/api/2.0/preview/scim/v2/Me", NULL, TRUE);
  g_assert_cmpuint (answer->status, ==, 500);
  g_assert_cmpstr (get_string (answer, "$.error_code"), ==, "INTERNAL_ERROR");
  answer_free (answer);

  answer = call (fake, "GET", "/api/2.0/preview/scim/v2/Me", NULL, TRUE);
  g_assert_cmpuint (answer->status, ==, 200);
  g_assert_null (answer->json);
  answer_free (answer);

  answer = call (fake, "GET", "/api/2.0/preview/scim/v2/Me", NULL, TRUE);
  g_assert_cmpuint (answer->status, ==, 200);
  g_assert_nonnull (answer->json);
  answer_free (answer);

  log = lb_fake_workspace_dup_log (fake);
  g_assert_cmpuint (g_strv_length (log), ==, 4);
  g_assert_cmpstr (log[0], ==, "GET /api/2.0/preview/scim/v2/Me 429");
  joined = g_strjoinv ("\n", log);
  g_assert_null (strstr (joined, lb_fake_workspace_get_token (fake)));
}

static void
test_provisioned (void)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  Answer *answer;
  g_auto(GStrv) secrets = NULL;

  answer = call (fake, "POST", "/api/2.0/database/instances", "{\"name\":\"orders-db\",\"capacity\":\"CU_2\"}", TRUE);
  g_assert_cmpuint (answer->status, ==, 200);
  g_assert_cmpstr (get_string (answer, "$.state"), ==, "STARTING");
  g_assert_cmpstr (get_string (answer, "$.pg_version"), ==, "PG_VERSION_16");
  answer_free (answer);

  answer = call (fake, "POST", "/api/2.0/database/instances", "{\"name\":\"orders-db\",\"capacity\":\"CU_2\"}", TRUE);
  g_assert_cmpuint (answer->status, ==, 409);
  answer_free (answer);

  /* The catalog needs an available instance. */
  answer = call (fake, "POST", "/api/2.0/database/catalogs",
                 "{\"name\":\"orders_cat\",\"database_instance_name\":\"orders-db\",\"database_name\":\"databricks_postgres\"}",
                 TRUE);
  g_assert_cmpuint (answer->status, ==, 400);
  g_assert_cmpstr (get_string (answer, "$.error_code"), ==, "INVALID_STATE");
  answer_free (answer);

  answer = call (fake, "GET", "/api/2.0/database/instances/orders-db", NULL, TRUE);
  g_assert_cmpstr (get_string (answer, "$.state"), ==, "STARTING");
  answer_free (answer);
  answer = call (fake, "GET", "/api/2.0/database/instances/orders-db", NULL, TRUE);
  g_assert_cmpstr (get_string (answer, "$.state"), ==, "AVAILABLE");
  g_assert_nonnull (get_string (answer, "$.read_write_dns"));
  answer_free (answer);

  answer = call (fake, "POST", "/api/2.0/database/catalogs",
                 "{\"name\":\"orders_cat\",\"database_instance_name\":\"orders-db\",\"database_name\":\"databricks_postgres\","
                 "\"create_database_if_not_exists\":true}",
                 TRUE);
  g_assert_cmpuint (answer->status, ==, 200);
  g_assert_null (get_string (answer, "$.create_database_if_not_exists"));
  answer_free (answer);

  answer = call (fake, "PATCH", "/api/2.0/database/catalogs/orders_cat", "{}", TRUE);
  g_assert_cmpuint (answer->status, ==, 501);
  answer_free (answer);

  answer = call (fake, "POST", "/api/2.0/database/synced_tables",
                 "{\"name\":\"orders_cat.public.customers\",\"spec\":{\"source_table_full_name\":\"main.sales.customers\","
                 "\"primary_key_columns\":[\"customer_id\"],\"scheduling_policy\":\"CONTINUOUS\","
                 "\"new_pipeline_spec\":{\"storage_catalog\":\"main\",\"storage_schema\":\"staging\"}}}",
                 TRUE);
  g_assert_cmpuint (answer->status, ==, 200);
  g_assert_cmpstr (get_string (answer, "$.data_synchronization_status.detailed_state"), ==,
                   "SYNCED_TABLE_PROVISIONING_PIPELINE_RESOURCES");
  answer_free (answer);

  {
    const char *expected[] = {
      "SYNCED_TABLE_PROVISIONING_PIPELINE_RESOURCES",
      "SYNCED_TABLE_PROVISIONING_INITIAL_SNAPSHOT",
      "SYNCED_TABLE_PROVISIONING_INITIAL_SNAPSHOT",
      "SYNCED_TABLE_ONLINE_CONTINUOUS_UPDATE",
    };

    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      {
        answer = call (fake, "GET", "/api/2.0/database/synced_tables/orders_cat.public.customers", NULL, TRUE);
        g_assert_cmpstr (get_string (answer, "$.data_synchronization_status.detailed_state"), ==, expected[i]);
        if (i == 2)
          {
            g_autoptr(JsonNode) found = json_path_query ("$.data_synchronization_status.provisioning_status."
                                                         "initial_pipeline_sync_progress.sync_progress_completion",
                                                         answer->json, NULL);

            g_assert_cmpfloat (json_array_get_double_element (json_node_get_array (found), 0), ==, 0.5);
          }
        answer_free (answer);
      }
  }

  answer = call (fake, "POST", "/api/2.0/database/credentials",
                 "{\"request_id\":\"x\",\"instance_names\":[\"orders-db\"]}", TRUE);
  g_assert_cmpuint (answer->status, ==, 200);
  g_assert_nonnull (get_string (answer, "$.expiration_time"));
  secrets = lb_fake_workspace_dup_secrets (fake);
  g_assert_true (g_strv_contains ((const char * const *) secrets, get_string (answer, "$.token")));
  answer_free (answer);

  answer = call (fake, "GET", "/api/2.0/database/instances?page_size=1", NULL, TRUE);
  g_assert_cmpstr (get_string (answer, "$.database_instances[0].name"), ==, "orders-db");
  g_assert_null (get_string (answer, "$.next_page_token"));
  answer_free (answer);

  answer = call (fake, "DELETE", "/api/2.0/database/synced_tables/orders_cat.public.customers", NULL, TRUE);
  g_assert_cmpuint (answer->status, ==, 200);
  answer_free (answer);
  answer = call (fake, "DELETE", "/api/2.0/database/catalogs/orders_cat", NULL, TRUE);
  g_assert_cmpuint (answer->status, ==, 200);
  answer_free (answer);
  answer = call (fake, "DELETE", "/api/2.0/database/instances/orders-db?purge=false", NULL, TRUE);
  g_assert_cmpuint (answer->status, ==, 400);
  answer_free (answer);
  answer = call (fake, "DELETE", "/api/2.0/database/instances/orders-db?purge=true", NULL, TRUE);
  g_assert_cmpuint (answer->status, ==, 200);
  answer_free (answer);
  answer = call (fake, "GET", "/api/2.0/database/instances/orders-db", NULL, TRUE);
  g_assert_cmpuint (answer->status, ==, 404);
  answer_free (answer);

  g_assert_cmpuint (lb_fake_workspace_count_resources (fake, "instances"), ==, 0);
  g_assert_cmpuint (lb_fake_workspace_count_resources (fake, "catalogs"), ==, 0);
  g_assert_cmpuint (lb_fake_workspace_count_resources (fake, "synced_tables"), ==, 0);
}

static void
test_autoscaling (void)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autofree char *op_path = NULL;
  Answer *answer;

  answer = call (fake, "POST", "/api/2.0/postgres/projects", "{\"spec\":{}}", TRUE);
  g_assert_cmpuint (answer->status, ==, 400);
  answer_free (answer);

  answer = call (fake, "POST", "/api/2.0/postgres/projects?project_id=orders",
                 "{\"spec\":{\"display_name\":\"Orders\",\"pg_version\":16,\"default_endpoint_settings\":"
                 "{\"autoscaling_limit_min_cu\":1,\"autoscaling_limit_max_cu\":4}}}",
                 TRUE);
  g_assert_cmpuint (answer->status, ==, 200);
  g_assert_cmpstr (get_string (answer, "$.done"), ==, "false");
  g_assert_true (g_str_has_prefix (get_string (answer, "$.name"), "projects/orders/operations/"));
  op_path = g_strconcat ("/api/2.0/postgres/", get_string (answer, "$.name"), NULL);
  answer_free (answer);

  answer = call (fake, "POST", "/api/2.0/postgres/projects?project_id=orders", "{\"spec\":{}}", TRUE);
  g_assert_cmpuint (answer->status, ==, 409);
  g_assert_cmpstr (get_string (answer, "$.error_code"), ==, "ALREADY_EXISTS");
  answer_free (answer);

  answer = call (fake, "GET", op_path, NULL, TRUE);
  g_assert_cmpstr (get_string (answer, "$.done"), ==, "false");
  answer_free (answer);
  answer = call (fake, "GET", op_path, NULL, TRUE);
  g_assert_cmpstr (get_string (answer, "$.done"), ==, "true");
  g_assert_cmpstr (get_string (answer, "$.response.status.default_branch"), ==, "projects/orders/branches/production");
  answer_free (answer);

  answer = call (fake, "GET", "/api/2.0/postgres/projects/orders/branches/production/endpoints/primary", NULL, TRUE);
  g_assert_cmpstr (get_string (answer, "$.status.current_state"), ==, "INIT");
  answer_free (answer);
  answer = call (fake, "GET", "/api/2.0/postgres/projects/orders/branches/production/endpoints/primary", NULL, TRUE);
  g_assert_cmpstr (get_string (answer, "$.status.current_state"), ==, "ACTIVE");
  g_assert_nonnull (get_string (answer, "$.status.hosts.host"));
  answer_free (answer);

  answer = call (fake, "DELETE", "/api/2.0/postgres/projects/orders/branches/production/endpoints/primary", NULL, TRUE);
  g_assert_cmpuint (answer->status, ==, 400);
  g_assert_cmpstr (get_string (answer, "$.details[0].metadata.declarative_context"), ==, "MANAGED_BY_PARENT");
  answer_free (answer);

  answer = call (fake, "PATCH",
                 "/api/2.0/postgres/projects/orders/branches/production/endpoints/primary"
                 "?update_mask=spec.autoscaling_limit_min_cu,spec.autoscaling_limit_max_cu",
                 "{\"spec\":{\"autoscaling_limit_min_cu\":2,\"autoscaling_limit_max_cu\":8}}", TRUE);
  g_assert_cmpuint (answer->status, ==, 200);
  answer_free (answer);

  lb_fake_workspace_set_polls_until_ready (fake, 0);
  answer = call (fake, "GET", "/api/2.0/postgres/projects/orders/branches/production", NULL, TRUE);
  g_assert_cmpstr (get_string (answer, "$.status.current_state"), ==, "READY");
  answer_free (answer);

  answer = call (fake, "POST", "/api/2.0/postgres/catalogs?catalog_id=orders_pg",
                 "{\"spec\":{\"branch\":\"projects/orders/branches/production\",\"postgres_database\":\"databricks_postgres\","
                 "\"create_database_if_missing\":true}}", TRUE);
  g_assert_cmpuint (answer->status, ==, 200);
  g_assert_cmpstr (get_string (answer, "$.done"), ==, "true");
  answer_free (answer);

  answer = call (fake, "POST", "/api/2.0/postgres/synced_tables?synced_table_id=orders_pg.public.failing_orders",
                 "{\"spec\":{\"source_table_full_name\":\"main.sales.fail_orders\",\"primary_key_columns\":[\"id\"],"
                 "\"scheduling_policy\":\"SNAPSHOT\"}}", TRUE);
  g_assert_cmpuint (answer->status, ==, 200);
  g_assert_cmpstr (get_string (answer, "$.response.status.detailed_state"), ==, "SYNCED_TABLE_OFFLINE_FAILED");
  answer_free (answer);

  answer = call (fake, "POST", "/api/2.0/postgres/credentials",
                 "{\"endpoint\":\"projects/orders/branches/production/endpoints/primary\"}", TRUE);
  g_assert_cmpuint (answer->status, ==, 200);
  g_assert_nonnull (get_string (answer, "$.expire_time"));
  answer_free (answer);

  answer = call (fake, "DELETE", "/api/2.0/postgres/projects/orders", NULL, TRUE);
  g_assert_cmpuint (answer->status, ==, 200);
  answer_free (answer);
  answer = call (fake, "GET", "/api/2.0/postgres/projects/orders", NULL, TRUE);
  g_assert_cmpuint (answer->status, ==, 404);
  g_assert_cmpstr (get_string (answer, "$.error_code"), ==, "NOT_FOUND");
  answer_free (answer);
  g_assert_cmpuint (lb_fake_workspace_count_resources (fake, "projects"), ==, 0);
}

static void
test_paging (void)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  g_autofree char *token = NULL;
  Answer *answer;

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"name\":\"db-%u\"}", i);

      answer = call (fake, "POST", "/api/2.0/database/instances", body, TRUE);
      g_assert_cmpuint (answer->status, ==, 200);
      answer_free (answer);
    }

  answer = call (fake, "GET", "/api/2.0/database/instances?page_size=2", NULL, TRUE);
  g_assert_cmpstr (get_string (answer, "$.database_instances[1].name"), ==, "db-1");
  token = g_strdup (get_string (answer, "$.next_page_token"));
  g_assert_nonnull (token);
  answer_free (answer);

  {
    g_autofree char *path = g_strdup_printf ("/api/2.0/database/instances?page_size=2&page_token=%s", token);

    answer = call (fake, "GET", path, NULL, TRUE);
    g_assert_cmpstr (get_string (answer, "$.database_instances[0].name"), ==, "db-2");
    answer_free (answer);
  }

  answer = call (fake, "GET", "/api/2.0/database/instances?page_size=500", NULL, TRUE);
  g_assert_cmpuint (answer->status, ==, 400);
  answer_free (answer);
}

static void
test_delay (void)
{
  g_autoptr(LbFakeWorkspace) fake = lb_fake_workspace_new ();
  gint64 start = g_get_monotonic_time ();
  g_autoptr(Answer) answer = NULL;

  lb_fake_workspace_set_delay_ms (fake, 200);
  answer = call (fake, "GET", "/api/2.0/preview/scim/v2/Me", NULL, TRUE);
  g_assert_cmpuint (answer->status, ==, 200);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 200 * 1000);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fake-workspace/auth-and-me", test_auth_and_me);
  g_test_add_func ("/fake-workspace/knobs", test_knobs);
  g_test_add_func ("/fake-workspace/provisioned", test_provisioned);
  g_test_add_func ("/fake-workspace/autoscaling", test_autoscaling);
  g_test_add_func ("/fake-workspace/paging", test_paging);
  g_test_add_func ("/fake-workspace/delay", test_delay);

  return g_test_run ();
}
