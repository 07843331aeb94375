/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "lb-run-comparison.h"
#include "lb-run-history.h"
#include "lb-run-record.h"

static void
test_enums (void)
{
  LbProtocol protocol = LB_PROTOCOL_SIMPLE;
  LbRunMode mode = LB_RUN_MODE_DURATION;

  g_assert_cmpstr (lb_protocol_to_string (LB_PROTOCOL_SIMPLE), ==, "simple");
  g_assert_cmpstr (lb_protocol_to_string (LB_PROTOCOL_EXTENDED), ==, "extended");
  g_assert_cmpstr (lb_protocol_to_string (LB_PROTOCOL_PREPARED), ==, "prepared");
  g_assert_true (lb_protocol_from_string ("prepared", &protocol));
  g_assert_cmpint (protocol, ==, LB_PROTOCOL_PREPARED);
  g_assert_true (lb_protocol_from_string ("Extended", &protocol));
  g_assert_cmpint (protocol, ==, LB_PROTOCOL_EXTENDED);
  g_assert_false (lb_protocol_from_string ("fast", &protocol));
  g_assert_false (lb_protocol_from_string (NULL, &protocol));
  g_assert_cmpint (protocol, ==, LB_PROTOCOL_EXTENDED);

  g_assert_cmpstr (lb_run_mode_to_string (LB_RUN_MODE_DURATION), ==, "duration");
  g_assert_cmpstr (lb_run_mode_to_string (LB_RUN_MODE_COUNT), ==, "count");
  g_assert_cmpstr (lb_run_mode_to_string (LB_RUN_MODE_LADDER), ==, "ladder");
  g_assert_true (lb_run_mode_from_string ("ladder", &mode));
  g_assert_cmpint (mode, ==, LB_RUN_MODE_LADDER);
  g_assert_false (lb_run_mode_from_string ("forever", &mode));
}

static void
test_strip_password (void)
{
  static const struct {
    const char *in;
    const char *out;
  } cases[] = {
    { "host=db port=5432 user=app password=secret dbname=shop", "host=db port=5432 user=app dbname=shop" },
    { "password=secret host=db", "host=db" },
    { "host=db PASSWORD = 'it\\'s here' sslmode=require", "host=db sslmode=require" },
    { "host=db password='a b c'", "host=db" },
    { "host=db password=", "host=db" },
    { "host=db application_name='x password=y'", "host=db application_name='x password=y'" },
    { "host=db passfile=/tmp/p", "host=db passfile=/tmp/p" },
    { "postgresql://app:secret@db.example.com:5432/shop?sslmode=require",
      "postgresql://app@db.example.com:5432/shop?sslmode=require" },
    { "postgres://app:s%40cr:et@db/shop", "postgres://app@db/shop" },
    { "postgresql://app@db/shop", "postgresql://app@db/shop" },
    { "postgresql://db/shop?password=secret&sslmode=verify-full",
      "postgresql://db/shop?sslmode=verify-full" },
    { "postgresql://app:secret@db", "postgresql://app@db" },
    { "postgresql:///shop?host=/var/run/postgresql", "postgresql:///shop?host=/var/run/postgresql" },
    { "", "" },
    /* Unbalanced quotes: libpq refuses it, and nothing of it is kept. */
    { "host=db password='secret", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = lb_conninfo_strip_password (cases[i].in);

      g_assert_cmpstr (out, ==, cases[i].out);
    }
  g_assert_null (lb_conninfo_strip_password (NULL));
}

static LbRunSettings *
valid_settings (void)
{
  LbRunSettings *settings = lb_run_settings_new ();

  settings->conninfo = g_strdup ("host=/tmp port=5433 dbname=lakebase");
  settings->clients = 8;
  settings->threads = 2;
  return settings;
}

typedef void (*Breaker) (LbRunSettings *settings);

static void break_conninfo (LbRunSettings *s) { g_free (s->conninfo); s->conninfo = g_strdup ("  "); }
static void break_no_conninfo (LbRunSettings *s) { g_clear_pointer (&s->conninfo, g_free); }
static void break_clients (LbRunSettings *s) { s->clients = 0; }
static void break_threads (LbRunSettings *s) { s->threads = 9; }
static void break_duration (LbRunSettings *s) { s->duration = 0; }
static void break_duration_nan (LbRunSettings *s) { s->duration = NAN; }
static void break_rate (LbRunSettings *s) { s->rate = -1; }
static void break_warmup (LbRunSettings *s) { s->warmup = -0.5; }
static void break_interval (LbRunSettings *s) { s->interval = 0; }
static void break_pipeline (LbRunSettings *s) { s->pipeline_depth = 1001; }
static void break_ladder_empty (LbRunSettings *s) { s->mode = LB_RUN_MODE_LADDER; }

static void
break_ladder_order (LbRunSettings *s)
{
  s->mode = LB_RUN_MODE_LADDER;
  s->n_ladder = 3;
  s->ladder = g_new (guint, 3);
  s->ladder[0] = 1;
  s->ladder[1] = 4;
  s->ladder[2] = 4;
}

static void
break_ladder_threads (LbRunSettings *s)
{
  s->mode = LB_RUN_MODE_LADDER;
  s->threads = 5;
  s->n_ladder = 2;
  s->ladder = g_new (guint, 2);
  s->ladder[0] = 2;
  s->ladder[1] = 4;
}

static void
test_settings_validate (void)
{
  static const struct {
    Breaker     breaker;
    const char *mentions;
  } cases[] = {
    { break_conninfo, "connection" },
    { break_no_conninfo, "connection" },
    { break_clients, "Clients" },
    { break_threads, "threads" },
    { break_duration, "duration" },
    { break_duration_nan, "duration" },
    { break_rate, "rate" },
    { break_warmup, "warm-up" },
    { break_interval, "interval" },
    { break_pipeline, "pipeline" },
    { break_ladder_empty, "ladder" },
    { break_ladder_order, "ladder" },
    { break_ladder_threads, "threads" },
  };
  g_autoptr(LbRunSettings) settings = valid_settings ();
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (settings->interval, ==, 1);
  g_assert_cmpint (settings->protocol, ==, LB_PROTOCOL_PREPARED);
  g_assert_cmpint (settings->mode, ==, LB_RUN_MODE_DURATION);
  g_assert_true (lb_run_settings_validate (settings, &error));
  g_assert_no_error (error);

  /* Count mode needs no duration. */
  settings->mode = LB_RUN_MODE_COUNT;
  settings->duration = 0;
  settings->transactions = 100;
  g_assert_true (lb_run_settings_validate (settings, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LbRunSettings) broken = valid_settings ();

      cases[i].breaker (broken);
      g_assert_false (lb_run_settings_validate (broken, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].mentions));
      g_clear_error (&error);
    }
}

static void
test_settings_ladder (void)
{
  static const char * const bad[] = { "", " , ", "4,2", "1,1", "0", "a", "1,,x", "-1", "1;2", "2.5" };
  g_autoptr(LbRunSettings) settings = valid_settings ();
  g_autoptr(LbRunSettings) copy = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (lb_run_settings_set_ladder_from_string (settings, "1,2,4,8", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (settings->n_ladder, ==, 4);
  g_assert_cmpuint (settings->ladder[3], ==, 8);

  g_assert_true (lb_run_settings_set_ladder_from_string (settings, " 1 2  16, 64 ", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (settings->n_ladder, ==, 4);
  g_assert_cmpuint (settings->ladder[0], ==, 1);
  g_assert_cmpuint (settings->ladder[2], ==, 16);
  g_assert_cmpuint (settings->ladder[3], ==, 64);

  settings->mode = LB_RUN_MODE_LADDER;
  settings->threads = 0;
  g_assert_true (lb_run_settings_validate (settings, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (lb_run_settings_set_ladder_from_string (settings, bad[i], &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
      /* A failed parse leaves the ladder as it was. */
      g_assert_cmpuint (settings->n_ladder, ==, 4);
    }

  copy = lb_run_settings_copy (settings);
  g_assert_true (copy->ladder != settings->ladder);
  g_assert_true (copy->conninfo != settings->conninfo);
  g_assert_cmpmem (copy->ladder, copy->n_ladder * sizeof (guint),
                   settings->ladder, settings->n_ladder * sizeof (guint));
  g_assert_cmpstr (copy->conninfo, ==, settings->conninfo);
}

static void
test_settings_json (void)
{
  g_autoptr(LbRunSettings) settings = valid_settings ();
  g_autoptr(LbRunSettings) back = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  static const char * const bad[] = {
    "[]",
    "{\"clients\": \"8\"}",
    "{\"clients\": -1}",
    "{\"protocol\": \"fast\"}",
    "{\"mode\": 3}",
    "{\"ladder\": [1, 0]}",
    "{\"ladder\": \"1,2\"}",
    "{\"duration\": \"10\"}",
    "{\"conninfo\": 5}",
    "{\"seed\": 1.5}",
  };

  g_free (settings->conninfo);
  settings->conninfo = g_strdup ("host=db user=app password=hunter2 dbname=shop");
  settings->target_label = g_strdup ("Staging");
  settings->protocol = LB_PROTOCOL_EXTENDED;
  settings->pipeline_depth = 16;
  settings->warmup = 2.5;
  settings->rate = 1500;
  settings->interval = 0.5;
  settings->seed = G_MAXUINT64 - 7;
  g_assert_true (lb_run_settings_set_ladder_from_string (settings, "1,4,16", NULL));

  node = lb_run_settings_to_json (settings);
  text = json_to_string (node, FALSE);
  g_assert_null (strstr (text, "hunter2"));
  g_assert_nonnull (strstr (text, "\"host=db user=app dbname=shop\""));

  back = lb_run_settings_new_from_json (node, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->conninfo, ==, "host=db user=app dbname=shop");
  g_assert_cmpstr (back->target_label, ==, "Staging");
  g_assert_cmpuint (back->clients, ==, 8);
  g_assert_cmpuint (back->threads, ==, 2);
  g_assert_cmpint (back->protocol, ==, LB_PROTOCOL_EXTENDED);
  g_assert_cmpuint (back->pipeline_depth, ==, 16);
  g_assert_cmpfloat (back->warmup, ==, 2.5);
  g_assert_cmpfloat (back->rate, ==, 1500);
  g_assert_cmpfloat (back->interval, ==, 0.5);
  g_assert_cmpfloat (back->duration, ==, settings->duration);
  g_assert_cmpuint (back->seed, ==, G_MAXUINT64 - 7);
  g_assert_cmpuint (back->n_ladder, ==, 3);
  g_assert_cmpuint (back->ladder[2], ==, 16);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) bad_node = json_from_string (bad[i], NULL);
      g_autoptr(LbRunSettings) rejected = lb_run_settings_new_from_json (bad_node, &error);

      g_assert_null (rejected);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_clear_error (&error);
    }
}

static void
test_knee (void)
{
  static const LbLadderStep growing[] = {
    { .clients = 1, .tps = 1000, .p95_ms = 1.0 },
    { .clients = 2, .tps = 1900, .p95_ms = 1.1 },
    { .clients = 4, .tps = 3600, .p95_ms = 1.2 },
    { .clients = 8, .tps = 6000, .p95_ms = 1.6 },
  };
  static const LbLadderStep classic[] = {
    { .clients = 1, .tps = 1000, .p95_ms = 1.0 },
    { .clients = 2, .tps = 1900, .p95_ms = 1.1 },
    { .clients = 4, .tps = 3500, .p95_ms = 1.3 },
    { .clients = 8, .tps = 3600, .p95_ms = 2.6 },
    { .clients = 16, .tps = 3550, .p95_ms = 5.1 },
    { .clients = 32, .tps = 3000, .p95_ms = 11.0 },
  };
  /* A flat step that recovers is noise, not the knee. */
  static const LbLadderStep noisy[] = {
    { .clients = 1, .tps = 1000, .p95_ms = 1.0 },
    { .clients = 2, .tps = 1020, .p95_ms = 1.2 },
    { .clients = 4, .tps = 2000, .p95_ms = 1.3 },
    { .clients = 8, .tps = 2050, .p95_ms = 2.5 },
    { .clients = 16, .tps = 2040, .p95_ms = 5.0 },
  };
  /* Throughput flat but latency not rising: no knee by this definition. */
  static const LbLadderStep flat_latency[] = {
    { .clients = 1, .tps = 1000, .p95_ms = 1.0 },
    { .clients = 2, .tps = 1001, .p95_ms = 1.0 },
  };

  g_assert_cmpuint (lb_run_result_find_knee (NULL, 0, 0.05), ==, 0);
  g_assert_cmpuint (lb_run_result_find_knee (growing, 1, 0.05), ==, 0);
  g_assert_cmpuint (lb_run_result_find_knee (growing, G_N_ELEMENTS (growing), 0.05), ==, 0);
  g_assert_cmpuint (lb_run_result_find_knee (classic, G_N_ELEMENTS (classic), 0.05), ==, 4);
  /* With a gain of 50 %, 2 → 4 (84 %) still counts as growth, 4 → 8 does not. */
  g_assert_cmpuint (lb_run_result_find_knee (classic, G_N_ELEMENTS (classic), 0.5), ==, 4);
  /* Asking for 100 % growth per step makes 2 the knee (1900 → 3500 is 84 %). */
  g_assert_cmpuint (lb_run_result_find_knee (classic, G_N_ELEMENTS (classic), 1.0), ==, 2);
  g_assert_cmpuint (lb_run_result_find_knee (noisy, G_N_ELEMENTS (noisy), 0.05), ==, 4);
  g_assert_cmpuint (lb_run_result_find_knee (flat_latency, G_N_ELEMENTS (flat_latency), 0.05), ==, 0);
}

static LbRunResult *
make_result (guint32 seed)
{
  LbRunResult *result = lb_run_result_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  static const char * const names[] = { "customer_by_key", "recent, sales" };
  LbErrorStats *error;

  for (guint q = 0; q < G_N_ELEMENTS (names); q++)
    {
      LbQueryStats *stats = g_new0 (LbQueryStats, 1);

      stats->index = q;
      stats->name = g_strdup (names[q]);
      stats->sql = g_strdup_printf ("SELECT %u\n  FROM customer\n WHERE c_customer_sk = $1", q);
      stats->latency = lb_latency_histogram_new ();
      g_ptr_array_add (result->queries, stats);
    }

  for (guint i = 0; i < 5000; i++)
    {
      gint64 usec = (gint64) exp (g_rand_double_range (rand, log (200), log (20000)));
      LbQueryStats *stats = g_ptr_array_index (result->queries, i % 5 == 0);

      lb_latency_histogram_record (result->latency, usec);
      lb_latency_histogram_record (stats->latency, usec);
      stats->executions++;
    }
  ((LbQueryStats *) g_ptr_array_index (result->queries, 1))->failed = 7;

  error = g_new0 (LbErrorStats, 1);
  memcpy (error->sqlstate, "23505", 6);
  error->count = 7;
  error->message = g_strdup ("duplicate key value violates unique constraint \"pk\"\nDETAIL: Key (id)=(1) exists.");
  g_ptr_array_add (result->errors, error);
  error = g_new0 (LbErrorStats, 1);
  memcpy (error->sqlstate, "08006", 6);
  error->count = 1;
  error->message = g_strdup ("server closed the connection unexpectedly");
  g_ptr_array_add (result->errors, error);

  for (guint i = 1; i <= 5; i++)
    {
      LbRunSample sample = {
        .t = i, .interval = 1, .clients = 8, .tps = 1000 + i, .latency_mean_ms = 1.5,
        .p50_ms = 1.25, .p95_ms = 3.5 + i / 8.0, .p99_ms = 7.125, .max_ms = 19.0,
        .transactions = 1000 + i, .failed = i == 3 ? 7 : 0,
      };

      g_array_append_val (result->timeline, sample);
    }

  result->transactions = 5000;
  result->failed = 7;
  result->reconnects = 1;
  result->duration = 5.0;
  result->tps = 1000.0;
  result->connection_time = 0.0125;
  result->client_cpu_time = 0.75;
  result->seed = 1234;
  result->server_version = g_strdup ("15.20");

  return result;
}

static LbRunRecord *
make_record (GDateTime *started,
             guint32    seed)
{
  g_autoptr(LbRunSettings) settings = valid_settings ();
  g_autoptr(LbRunResult) result = make_result (seed);

  g_free (settings->conninfo);
  settings->conninfo = g_strdup ("postgresql://app:hunter2@db/shop");
  settings->target_label = g_strdup ("Sandbox");

  return lb_run_record_new ("customer_lookup.sql", "/data/customer_lookup.sql", settings, result, started);
}

static JsonObject *
get_object (JsonObject *object,
            const char *name)
{
  g_assert_true (json_object_has_member (object, name));
  return json_object_get_object_member (object, name);
}

static void
test_record_json (void)
{
  g_autoptr(GDateTime) started = g_date_time_new_utc (2026, 11, 25, 8, 15, 2);
  g_autoptr(LbRunRecord) record = make_record (started, 1);
  g_autoptr(LbRunRecord) back = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) parsed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRegex) id_pattern = g_regex_new ("^20261125-081502-[0-9a-f]{4}$", 0, 0, NULL);
  g_autoptr(GList) keys = NULL;
  g_autofree char *title = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text_again = NULL;
  LbRunResult *result = lb_run_record_get_result (record);
  static const char * const latency_keys[] = { "avg", "max", "p50", "p90", "p95", "p99", "p999", "stddev" };
  JsonObject *root, *latency, *query;
  JsonArray *array;
  guint i = 0;

  g_assert_true (g_regex_match (id_pattern, lb_run_record_get_id (record), 0, NULL));
  g_assert_cmpstr (lb_run_record_get_script_name (record), ==, "customer_lookup.sql");
  g_assert_cmpstr (lb_run_record_get_script_path (record), ==, "/data/customer_lookup.sql");
  g_assert_true (g_date_time_equal (lb_run_record_get_started (record), started));
  /* The record keeps no password, not even in memory. */
  g_assert_cmpstr (lb_run_record_get_settings (record)->conninfo, ==, "postgresql://app@db/shop");

  title = lb_run_record_dup_title (record);
  g_assert_cmpstr (title, ==, "customer_lookup.sql · 8 clients · 1,000 tps");

  node = lb_run_record_to_json (record);
  root = json_node_get_object (node);
  g_assert_cmpint (json_object_get_int_member (root, "transactions"), ==, 5000);
  g_assert_cmpint (json_object_get_int_member (root, "failed"), ==, 7);
  g_assert_cmpfloat (json_object_get_double_member (root, "tps"), ==, 1000.0);
  g_assert_cmpstr (json_object_get_string_member (root, "id"), ==, lb_run_record_get_id (record));

  latency = get_object (root, "latency_ms");
  keys = json_object_get_members (latency);
  keys = g_list_sort (keys, (GCompareFunc) strcmp);
  g_assert_cmpuint (g_list_length (keys), ==, G_N_ELEMENTS (latency_keys));
  for (GList *l = keys; l != NULL; l = l->next)
    g_assert_cmpstr (l->data, ==, latency_keys[i++]);
  g_assert_cmpfloat (json_object_get_double_member (latency, "p95"), ==,
                     lb_latency_histogram_get_percentile (result->latency, 95) / 1000);
  g_assert_cmpfloat (json_object_get_double_member (latency, "p999"), ==,
                     lb_latency_histogram_get_percentile (result->latency, 99.9) / 1000);
  g_assert_cmpfloat (json_object_get_double_member (latency, "max"), ==,
                     lb_latency_histogram_get_max (result->latency) / 1000.0);
  g_assert_cmpfloat (json_object_get_double_member (latency, "avg"), >, 0.2);

  array = json_object_get_array_member (root, "queries");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  query = json_array_get_object_element (array, 1);
  g_assert_cmpstr (json_object_get_string_member (query, "name"), ==, "recent, sales");
  g_assert_cmpint (json_object_get_int_member (query, "executions"), ==, 1000);
  g_assert_cmpint (json_object_get_int_member (query, "failed"), ==, 7);
  g_assert_true (json_object_has_member (get_object (query, "latency_ms"), "p99"));

  array = json_object_get_array_member (root, "errors");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0), "sqlstate"), ==, "23505");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (array, 0), "count"), ==, 7);

  array = json_object_get_array_member (root, "timeline");
  g_assert_cmpuint (json_array_get_length (array), ==, 5);
  g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (array, 1), "t"), ==, 2);
  g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (array, 1), "tps"), ==, 1002);
  g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (array, 1), "p95_ms"), ==, 3.75);

  g_assert_cmpstr (json_object_get_string_member (get_object (root, "settings"), "conninfo"), ==,
                   "postgresql://app@db/shop");
  g_assert_cmpstr (json_object_get_string_member (get_object (root, "script"), "name"), ==, "customer_lookup.sql");
  g_assert_true (json_object_has_member (root, "histogram"));
  g_assert_true (json_object_has_member (root, "ladder"));
  g_assert_true (json_object_has_member (root, "knee_clients"));
  g_assert_true (json_object_has_member (root, "started"));

  /* Through text and back: the same record, to the byte. */
  text = lb_run_record_to_json_string (record);
  g_assert_null (strstr (text, "hunter2"));
  g_assert_true (g_str_has_suffix (text, "}\n"));
  parsed = json_from_string (text, &error);
  g_assert_no_error (error);
  back = lb_run_record_new_from_json (parsed, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  text_again = lb_run_record_to_json_string (back);
  g_assert_cmpstr (text, ==, text_again);

  /* And the percentiles can be shown again from the histogram. */
  g_assert_cmpfloat (lb_latency_histogram_get_percentile (lb_run_record_get_result (back)->latency, 99), ==,
                     lb_latency_histogram_get_percentile (result->latency, 99));
  g_assert_true (g_date_time_equal (lb_run_record_get_started (back), started));
  /* Read as detected: no script.dialect. */
  g_assert_null (lb_run_record_get_script_dialect (back));
  g_assert_false (json_object_has_member (get_object (root, "script"), "dialect"));

  /* A dialect chosen over detection goes with the record, and comes back. */
  {
    g_autoptr(JsonNode) chosen_node = NULL;
    g_autoptr(LbRunRecord) chosen = NULL;
    g_autofree char *chosen_text = NULL;
    g_autofree char *unknown_text = NULL;
    g_autoptr(JsonNode) unknown_node = NULL;
    g_autoptr(LbRunRecord) unknown = NULL;

    lb_run_record_set_script_dialect (record, "mix");
    chosen_text = lb_run_record_to_json_string (record);
    g_assert_nonnull (strstr (chosen_text, "\"dialect\" : \"mix\""));
    chosen_node = json_from_string (chosen_text, &error);
    g_assert_no_error (error);
    chosen = lb_run_record_new_from_json (chosen_node, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (lb_run_record_get_script_dialect (chosen), ==, "mix");

    /* One this version does not know is read as detected, not refused. */
    unknown_text = g_strdup (chosen_text);
    memcpy (strstr (unknown_text, "\"mix\""), "\"xyz\"", 5);
    unknown_node = json_from_string (unknown_text, &error);
    g_assert_no_error (error);
    unknown = lb_run_record_new_from_json (unknown_node, &error);
    g_assert_no_error (error);
    g_assert_null (lb_run_record_get_script_dialect (unknown));
    lb_run_record_set_script_dialect (record, NULL);
  }

  g_assert_finalize_object (g_steal_pointer (&back));
  g_assert_finalize_object (g_steal_pointer (&record));
}

static void
test_record_json_bad (void)
{
  g_autoptr(GDateTime) started = g_date_time_new_utc (2026, 1, 2, 3, 4, 5);
  g_autoptr(LbRunRecord) record = make_record (started, 2);
  g_autofree char *good = lb_run_record_to_json_string (record);
  static const struct {
    const char *path;      /* member to change, "a.b" or "a[0].b" */
    const char *value;     /* JSON, or NULL to remove */
  } cases[] = {
    { "id", NULL },
    { "id", "\"../../etc/passwd\"" },
    { "id", "42" },
    { "started", "\"yesterday\"" },
    { "transactions", "-1" },
    { "transactions", "\"5000\"" },
    { "failed", "1.5" },
    { "tps", "\"fast\"" },
    { "settings", NULL },
    { "settings", "[]" },
    { "histogram", "{\"count\": 3}" },
    { "queries", "{}" },
    { "queries[0]", "7" },
    { "queries[0].name", "null" },
    { "queries[0].executions", "-5" },
    { "queries[0].histogram", "[]" },
    { "errors[0].sqlstate", "\"2350\"" },
    { "errors[0].count", "\"many\"" },
    { "timeline[0].t", "\"one\"" },
    { "timeline[0].tps", NULL },
    { "cancelled", "\"no\"" },
    { "script", "\"x.sql\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) node = json_from_string (good, NULL);
      g_autoptr(LbRunRecord) rejected = NULL;
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) parts = g_strsplit (cases[i].path, ".", 2);
      JsonObject *object = json_node_get_object (node);
      const char *member = parts[0];
      g_autofree char *name = NULL;
      char *bracket;

      /* "queries[0].name": step into the first element. */
      bracket = strchr (parts[0], '[');
      if (bracket != NULL)
        {
          JsonArray *array;

          name = g_strndup (parts[0], bracket - parts[0]);
          array = json_object_get_array_member (object, name);
          if (parts[1] == NULL)
            {
              json_array_remove_element (array, 0);
              json_array_add_element (array, json_from_string (cases[i].value, NULL));
              goto check;
            }
          object = json_array_get_object_element (array, 0);
          member = parts[1];
        }

      if (cases[i].value == NULL)
        json_object_remove_member (object, member);
      else
        json_object_set_member (object, member, json_from_string (cases[i].value, NULL));

check:
      rejected = lb_run_record_new_from_json (node, &error);
      g_test_message ("%s = %s: %s", cases[i].path, cases[i].value ? cases[i].value : "(removed)",
                      error ? error->message : "(accepted)");
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_null (rejected);
    }
}

static void
test_record_csv (void)
{
  g_autoptr(LbRunRecord) record = make_record (NULL, 3);
  g_autofree char *csv = lb_run_record_to_csv (record);
  g_auto(GStrv) lines = g_strsplit (csv, "\r\n", -1);
  LbRunResult *result = lb_run_record_get_result (record);
  g_autofree char *expected_p95 = NULL;
  g_auto(GStrv) fields = NULL;

  g_assert_cmpstr (lines[0], ==, "t,clients,tps,latency_mean_ms,p50_ms,p95_ms,p99_ms,max_ms,transactions,failed");
  g_assert_cmpstr (lines[1], ==, "1.000,8,1001.000,1.500,1.250,3.625,7.125,19.000,1001,0");
  g_assert_cmpstr (lines[3], ==, "3.000,8,1003.000,1.500,1.250,3.875,7.125,19.000,1003,7");
  g_assert_cmpstr (lines[5], ==, "5.000,8,1005.000,1.500,1.250,4.125,7.125,19.000,1005,0");
  g_assert_cmpstr (lines[6], ==, "");
  g_assert_cmpstr (lines[7], ==, "query,executions,failed,avg_ms,stddev_ms,p50_ms,p90_ms,p95_ms,p99_ms,p999_ms,max_ms");
  g_assert_true (g_str_has_prefix (lines[8], "customer_by_key,4000,0,"));
  /* A name with a comma is quoted. */
  g_assert_true (g_str_has_prefix (lines[9], "\"recent, sales\",1000,7,"));
  g_assert_cmpstr (lines[10], ==, "");
  g_assert_null (lines[11]);

  fields = g_strsplit (lines[8], ",", -1);
  g_assert_cmpuint (g_strv_length (fields), ==, 11);
  expected_p95 = g_strdup_printf ("%.3f", lb_latency_histogram_get_percentile (
                                    ((LbQueryStats *) g_ptr_array_index (result->queries, 0))->latency, 95) / 1000);
  g_assert_cmpstr (fields[7], ==, expected_p95);
}

static void
test_record_text (void)
{
  g_autoptr(LbRunRecord) record = make_record (NULL, 4);
  g_autoptr(LbRunSettings) settings = valid_settings ();
  g_autoptr(LbRunResult) result = make_result (5);
  g_autoptr(LbRunRecord) ladder = NULL;
  g_autoptr(LbRunRecord) rated = NULL;
  g_autofree char *text = lb_run_record_to_text (record);
  g_autofree char *ladder_text = NULL;
  g_autofree char *ladder_title = NULL;
  g_autofree char *rated_text = NULL;
  g_autofree char *average = NULL;
  g_autofree char *p99 = NULL;
  LbRunResult *r = lb_run_record_get_result (record);
  static const LbLadderStep steps[] = {
    { .clients = 1, .tps = 900, .p95_ms = 1.0 },
    { .clients = 2, .tps = 1700, .p95_ms = 1.1 },
    { .clients = 4, .tps = 1720, .p95_ms = 2.3 },
  };

  g_test_message ("%s", text);
  average = g_strdup_printf ("latency average = %.3f ms\n", lb_latency_histogram_get_mean (r->latency) / 1000);
  p99 = g_strdup_printf ("latency p99 = %.3f ms\n", lb_latency_histogram_get_percentile (r->latency, 99) / 1000);
  g_assert_nonnull (strstr (text, "transaction type: customer_lookup.sql\n"));
  g_assert_nonnull (strstr (text, "query mode: prepared\n"));
  g_assert_nonnull (strstr (text, "number of clients: 8\n"));
  g_assert_nonnull (strstr (text, "number of threads: 2\n"));
  g_assert_nonnull (strstr (text, "number of transactions actually processed: 5000\n"));
  g_assert_nonnull (strstr (text, "number of failed transactions: 7 (0.140%)\n"));
  g_assert_nonnull (strstr (text, average));
  g_assert_nonnull (strstr (text, p99));
  g_assert_nonnull (strstr (text, "latency stddev = "));
  g_assert_nonnull (strstr (text, "latency p99.9 = "));
  g_assert_nonnull (strstr (text, "initial connection time = 12.500 ms\n"));
  g_assert_nonnull (strstr (text, "tps = 1000.000000 (without initial connection time)\n"));
  g_assert_nonnull (strstr (text, "  customer_by_key "));
  g_assert_nonnull (strstr (text, "  23505          7  duplicate key value violates unique constraint \"pk\" DETAIL: Key"));
  g_assert_nonnull (strstr (text, "coordinated omission"));
  g_assert_null (strstr (text, "knee"));

  /* Ladder: a table and the knee. */
  g_array_append_vals (result->ladder, steps, G_N_ELEMENTS (steps));
  result->knee_clients = lb_run_result_find_knee (steps, G_N_ELEMENTS (steps), 0.05);
  g_assert_cmpuint (result->knee_clients, ==, 2);
  g_assert_true (lb_run_settings_set_ladder_from_string (settings, "1,2,4", NULL));
  settings->mode = LB_RUN_MODE_LADDER;
  ladder = lb_run_record_new ("ladder.sql", NULL, settings, result, NULL);
  ladder_text = lb_run_record_to_text (ladder);
  g_test_message ("%s", ladder_text);
  g_assert_nonnull (strstr (ladder_text, "number of clients: ladder 1, 2, 4\n"));
  g_assert_nonnull (strstr (ladder_text, "         2       1700.0"));
  g_assert_nonnull (strstr (ladder_text, "knee: 2 clients"));
  ladder_title = lb_run_record_dup_title (ladder);
  g_assert_cmpstr (ladder_title, ==, "ladder.sql · 1–4 clients · 1,000 tps");

  /* Under a target rate: the lag, and no coordinated-omission note. */
  settings->mode = LB_RUN_MODE_DURATION;
  settings->rate = 500;
  lb_latency_histogram_record (result->lag, 1500);
  rated = lb_run_record_new ("rated.sql", NULL, settings, result, NULL);
  rated_text = lb_run_record_to_text (rated);
  g_assert_nonnull (strstr (rated_text, "rate limit schedule lag: avg 1.500 (max 1.500) ms\n"));
  g_assert_null (strstr (rated_text, "coordinated omission"));
}

static void
count_changes_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  guint *changes = user_data;

  (*changes)++;
}

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (lb_run_history_load_finish (LB_RUN_HISTORY (object), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static void
load (LbRunHistory *history)
{
  gboolean done = FALSE;

  lb_run_history_load_async (history, NULL, loaded_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* A password whose key is percent-encoded, and the client key's passphrase,
 * reach none of the record's forms: JSON, CSV, text, the history file, nor
 * a record read back from a history file that still held one. */
static void
test_encoded_and_ssl_secrets (void)
{
  static const struct {
    const char *conninfo;
    const char *secret;
    const char *stripped;
  } cases[] = {
    { "postgresql://app@db/shop?%70assword=enc-s3cret&sslmode=require", "enc-s3cret",
      "postgresql://app@db/shop?sslmode=require" },
    { "host=db dbname=shop sslkey=/k.pem sslpassword=key-s3cret", "key-s3cret",
      "host=db dbname=shop sslkey=/k.pem" },
  };
  g_autofree char *tmp = g_dir_make_tmp ("lb-run-secrets-XXXXXX", NULL);
  g_autoptr(GFile) directory = g_file_new_for_path (tmp);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LbRunSettings) settings = valid_settings ();
      g_autoptr(LbRunResult) result = make_result (i + 1);
      g_autoptr(LbRunRecord) record = NULL;
      g_autoptr(LbRunHistory) history = lb_run_history_new (directory);
      g_autoptr(LbRunHistory) again = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *json = NULL;
      g_autofree char *csv = NULL;
      g_autofree char *text = NULL;
      g_autofree char *path = NULL;
      g_autofree char *saved = NULL;
      g_autofree char *planted = NULL;

      g_free (settings->conninfo);
      settings->conninfo = g_strdup (cases[i].conninfo);
      record = lb_run_record_new ("one.sql", "/data/one.sql", settings, result, NULL);

      g_assert_cmpstr (lb_run_record_get_settings (record)->conninfo, ==, cases[i].stripped);
      json = lb_run_record_to_json_string (record);
      csv = lb_run_record_to_csv (record);
      text = lb_run_record_to_text (record);
      g_assert_null (strstr (json, cases[i].secret));
      g_assert_null (strstr (csv, cases[i].secret));
      g_assert_null (strstr (text, cases[i].secret));

      g_assert_true (lb_run_history_add (history, record, &error));
      g_assert_no_error (error);
      path = g_strdup_printf ("%s/%s.json", tmp, lb_run_record_get_id (record));
      g_assert_true (g_file_get_contents (path, &saved, NULL, NULL));
      g_assert_null (strstr (saved, cases[i].secret));
      g_assert_null (strstr (saved, "sslpassword"));

      /* A history file written with the secret in it (by hand, or by an
       * older version): what is read back holds none. */
      {
        g_autoptr(JsonNode) node = json_from_string (saved, &error);
        JsonObject *saved_settings;

        g_assert_no_error (error);
        saved_settings = json_object_get_object_member (json_node_get_object (node), "settings");
        g_assert_cmpstr (json_object_get_string_member (saved_settings, "conninfo"), ==, cases[i].stripped);
        json_object_set_string_member (saved_settings, "conninfo", cases[i].conninfo);
        planted = json_to_string (node, TRUE);
        g_assert_nonnull (strstr (planted, cases[i].secret));
        g_assert_true (g_file_set_contents (path, planted, -1, NULL));
      }
      again = lb_run_history_new (directory);
      load (again);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 1);
      {
        g_autoptr(LbRunRecord) loaded = g_list_model_get_item (G_LIST_MODEL (again), 0);
        g_autofree char *loaded_json = lb_run_record_to_json_string (loaded);
        g_autofree char *loaded_csv = lb_run_record_to_csv (loaded);

        g_assert_cmpstr (lb_run_record_get_settings (loaded)->conninfo, ==, cases[i].stripped);
        g_assert_null (strstr (loaded_json, cases[i].secret));
        g_assert_null (strstr (loaded_csv, cases[i].secret));
      }
      g_assert_cmpint (g_remove (path), ==, 0);
    }

  g_rmdir (tmp);
}

static void
test_history (void)
{
  g_autoptr(LbRunHistory) history = lb_run_history_new (NULL);
  g_autoptr(LbRunHistory) again = NULL;
  g_autoptr(LbRunHistory) missing = NULL;
  g_autoptr(GFile) nowhere = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LbRunRecord) middle = NULL;
  g_autoptr(LbRunRecord) item = NULL;
  g_autofree char *directory = g_file_get_path (lb_run_history_get_directory (history));
  g_autofree char *expected_directory = g_build_filename (g_get_user_data_dir (), "lakebase-accelerator",
                                                          "runs", NULL);
  g_autofree char *bad_path = NULL;
  g_autofree char *renamed_path = NULL;
  g_autofree char *middle_path = NULL;
  g_autofree char *middle_json = NULL;
  LbRunRecord *records[3];
  guint changes = 0;

  /* G_TEST_OPTION_ISOLATE_DIRS: a private data directory. */
  g_assert_cmpstr (directory, ==, expected_directory);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 0);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (history)) == LB_TYPE_RUN_RECORD);
  g_signal_connect (history, "items-changed", G_CALLBACK (count_changes_cb), &changes);

  /* Added out of order; listed newest first. */
  for (guint i = 0; i < 3; i++)
    {
      static const int days[] = { 2, 3, 1 };
      g_autoptr(GDateTime) started = g_date_time_new_utc (2026, 11, days[i], 12, 0, 0);

      records[i] = make_record (started, 10 + i);
      g_assert_true (lb_run_history_add (history, records[i], &error));
      g_assert_no_error (error);
    }
  g_assert_cmpuint (changes, ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 3);
  item = g_list_model_get_item (G_LIST_MODEL (history), 0);
  g_assert_true (item == records[1]);
  g_clear_object (&item);
  item = g_list_model_get_item (G_LIST_MODEL (history), 2);
  g_assert_true (item == records[2]);
  g_clear_object (&item);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (history), 3));

  middle_path = g_strdup_printf ("%s/%s.json", directory, lb_run_record_get_id (records[0]));
  g_assert_true (g_file_test (middle_path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_get_contents (middle_path, &middle_json, NULL, NULL));
  g_assert_null (strstr (middle_json, "hunter2"));

  /* Junk in the folder is skipped; a file named after another id too. */
  bad_path = g_build_filename (directory, "broken.json", NULL);
  g_assert_true (g_file_set_contents (bad_path, "{\"id\": ", -1, NULL));
  renamed_path = g_build_filename (directory, "copy.json", NULL);
  g_assert_true (g_file_set_contents (renamed_path, middle_json, -1, NULL));

  again = lb_run_history_new (lb_run_history_get_directory (history));
  load (again);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      static const guint order[] = { 1, 0, 2 };
      g_autoptr(LbRunRecord) loaded = g_list_model_get_item (G_LIST_MODEL (again), i);
      g_autofree char *expected = lb_run_record_to_json_string (records[order[i]]);
      g_autofree char *actual = lb_run_record_to_json_string (loaded);

      g_assert_cmpstr (lb_run_record_get_id (loaded), ==, lb_run_record_get_id (records[order[i]]));
      g_assert_cmpstr (actual, ==, expected);
    }

  /* Loading twice changes nothing. */
  load (again);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 3);

  /* Removing deletes the file. */
  middle = g_list_model_get_item (G_LIST_MODEL (again), 1);
  g_assert_true (lb_run_history_remove (again, middle, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (middle_path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 2);
  /* Removing twice is harmless. */
  g_assert_true (lb_run_history_remove (again, middle, &error));
  g_assert_no_error (error);

  g_clear_object (&again);
  again = lb_run_history_new (lb_run_history_get_directory (history));
  load (again);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 2);

  /* Adding a run with the same id replaces it. */
  changes = 0;
  g_assert_true (lb_run_history_add (history, records[1], &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 3);
  g_assert_cmpuint (changes, ==, 2);

  /* A folder that does not exist yet is an empty history. */
  nowhere = g_file_new_build_filename (directory, "not", "there", NULL);
  missing = lb_run_history_new (nowhere);
  load (missing);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (missing)), ==, 0);

  g_remove (bad_path);
  g_remove (renamed_path);
  for (guint i = 0; i < 3; i++)
    g_object_unref (records[i]);
  g_assert_finalize_object (g_steal_pointer (&again));
  g_signal_handlers_disconnect_by_func (history, count_changes_cb, &changes);
  g_assert_finalize_object (g_steal_pointer (&history));
}

/* A result of @seconds at @tps, latencies around @latency_ms, one query run
 * @executions times. */
static LbRunResult *
comparison_result (double   seconds,
                   double   tps,
                   double   latency_ms,
                   guint64  executions,
                   gboolean cancelled)
{
  LbRunResult *result = lb_run_result_new ();
  LbQueryStats *stats = lb_query_stats_new (0, "lookup", "SELECT 1");

  result->duration = seconds;
  result->tps = tps;
  result->transactions = (guint64) (tps * seconds);
  result->cancelled = cancelled;
  for (guint i = 0; i < 100; i++)
    {
      gint64 usec = (gint64) (latency_ms * 1000 * (i < 99 ? 1 : 10));

      lb_latency_histogram_record (result->latency, usec);
      lb_latency_histogram_record (stats->latency, usec);
    }
  stats->executions = executions;
  g_ptr_array_add (result->queries, stats);
  return result;
}

static void
test_comparison_deltas (void)
{
  LbDelta delta;
  g_autofree char *text = NULL;

  /* Higher throughput is better, lower latency is better: the colour of a
   * delta comes from its meaning, not its sign. */
  delta = lb_delta_compute (1390, 1000, TRUE);
  g_assert_cmpint (delta.verdict, ==, LB_DELTA_BETTER);
  g_assert_cmpfloat_with_epsilon (delta.percent, 39, 1e-9);
  text = lb_delta_format (&delta);
  g_assert_cmpstr (text, ==, "+39 %");
  g_clear_pointer (&text, g_free);

  delta = lb_delta_compute (1390, 1000, FALSE);
  g_assert_cmpint (delta.verdict, ==, LB_DELTA_WORSE);
  delta = lb_delta_compute (8, 10, FALSE);
  g_assert_cmpint (delta.verdict, ==, LB_DELTA_BETTER);
  text = lb_delta_format (&delta);
  g_assert_cmpstr (text, ==, "−20 %");
  g_clear_pointer (&text, g_free);

  delta = lb_delta_compute (1003, 1000, TRUE);
  g_assert_cmpint (delta.verdict, ==, LB_DELTA_SAME);
  text = lb_delta_format (&delta);
  g_assert_cmpstr (text, ==, "±0 %");
  g_clear_pointer (&text, g_free);

  /* Nothing to compare against: no delta at all. */
  delta = lb_delta_compute (5, 0, TRUE);
  g_assert_cmpint (delta.verdict, ==, LB_DELTA_NONE);
  g_assert_null (lb_delta_format (&delta));
  delta = lb_delta_compute (NAN, 3, FALSE);
  g_assert_cmpint (delta.verdict, ==, LB_DELTA_NONE);
}

/* A cancelled 7 s run against a 20 s run: rates are compared, not totals,
 * and the two are flagged as unlike. */
static void
test_comparison_runs (void)
{
  g_autoptr(LbRunResult) shown = comparison_result (20, 1390, 2, 20000, FALSE);
  g_autoptr(LbRunResult) baseline = comparison_result (7, 1000, 4, 7000, TRUE);
  g_autoptr(LbRunResult) similar = comparison_result (20.4, 1000, 4, 20400, FALSE);
  g_autofree char *caveats = NULL;
  LbDeltaRow row;

  lb_compare_run_results (shown, baseline, &row);
  g_assert_cmpint (row.figures[LB_COMPARED_RATE].verdict, ==, LB_DELTA_BETTER);
  g_assert_cmpfloat_with_epsilon (row.figures[LB_COMPARED_RATE].percent, 39, 1e-9);
  for (guint f = LB_COMPARED_AVG; f < LB_N_COMPARED; f++)
    {
      g_assert_cmpint (row.figures[f].verdict, ==, LB_DELTA_BETTER);
      g_assert_cmpfloat (row.figures[f].percent, <, -40);
    }

  /* 20,000 executions in 20 s and 7,000 in 7 s: the same rate, whatever the totals. */
  lb_compare_query_stats (g_ptr_array_index (shown->queries, 0), shown->duration,
                          g_ptr_array_index (baseline->queries, 0), baseline->duration, &row);
  g_assert_cmpint (row.figures[LB_COMPARED_RATE].verdict, ==, LB_DELTA_SAME);
  g_assert_cmpfloat_with_epsilon (row.figures[LB_COMPARED_RATE].value, 1000, 1e-9);

  g_assert_cmpint (lb_compare_caveats (shown, baseline), ==,
                   LB_COMPARISON_BASELINE_CANCELLED | LB_COMPARISON_DIFFERENT_LENGTHS);
  caveats = lb_compare_describe_caveats (shown, baseline);
  g_assert_nonnull (strstr (caveats, "The baseline was stopped after 7 s."));
  g_assert_nonnull (strstr (caveats, "Different lengths: 20 s against 7 s of the baseline."));
  g_clear_pointer (&caveats, g_free);

  caveats = lb_compare_describe_caveats (baseline, shown);
  g_assert_nonnull (strstr (caveats, "This run was stopped after 7 s."));
  g_clear_pointer (&caveats, g_free);

  /* 20 s against 20.4 s (runs end when the last transaction does): alike. */
  g_assert_cmpint (lb_compare_caveats (shown, similar), ==, LB_COMPARISON_FAIR);
  g_assert_null (lb_compare_describe_caveats (shown, similar));
}

/* Clients asked and connected, failed connection attempts and the time with
 * none connected: in the JSON, read back, in the summary; a record written
 * before these figures still loads, with none of them. */
static void
test_record_connections (void)
{
  g_autoptr(LbRunSettings) settings = valid_settings ();
  g_autoptr(LbRunResult) result = make_result (6);
  g_autoptr(LbRunRecord) record = NULL;
  g_autoptr(LbRunRecord) back = NULL;
  g_autoptr(LbRunRecord) old = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *old_text = NULL;
  LbRunResult *r;
  JsonObject *root;
  static const char * const keys[] = {
    "clients_asked", "clients_connected_max", "clients_never_connected",
    "connection_failures", "seconds_without_connection", "tps_while_connected",
    "connections_open_time", "teardown_time",
  };

  settings->clients = 20;
  result->clients_asked = 20;
  result->clients_connected_max = 5;
  result->clients_never_connected = 15;
  result->connection_failures = 45;
  result->seconds_without_connection = 2.5;
  result->tps_while_connected = result->transactions / (result->duration - 2.5);
  result->connections_open_time = 0.75;
  result->teardown_time = 0.125;
  g_array_index (result->timeline, LbRunSample, 0).clients_connected = 5;
  record = lb_run_record_new ("one.sql", NULL, settings, result, NULL);

  node = lb_run_record_to_json (record);
  root = json_node_get_object (node);
  g_assert_cmpint (json_object_get_int_member (root, "clients_asked"), ==, 20);
  g_assert_cmpint (json_object_get_int_member (root, "clients_connected_max"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (root, "clients_never_connected"), ==, 15);
  g_assert_cmpint (json_object_get_int_member (root, "connection_failures"), ==, 45);
  g_assert_cmpfloat (json_object_get_double_member (root, "seconds_without_connection"), ==, 2.5);
  g_assert_cmpfloat (json_object_get_double_member (root, "connections_open_time"), ==, 0.75);
  g_assert_cmpfloat (json_object_get_double_member (root, "teardown_time"), ==, 0.125);

  back = lb_run_record_new_from_json (node, &error);
  g_assert_no_error (error);
  r = lb_run_record_get_result (back);
  g_assert_cmpuint (r->clients_asked, ==, 20);
  g_assert_cmpuint (r->clients_connected_max, ==, 5);
  g_assert_cmpuint (r->clients_never_connected, ==, 15);
  g_assert_cmpuint (r->connection_failures, ==, 45);
  g_assert_cmpfloat (r->seconds_without_connection, ==, 2.5);
  g_assert_cmpfloat (fabs (r->tps_while_connected - result->tps_while_connected), <, 1e-6);
  g_assert_cmpfloat (r->connections_open_time, ==, 0.75);
  g_assert_cmpfloat (r->teardown_time, ==, 0.125);
  g_assert_cmpuint (g_array_index (r->timeline, LbRunSample, 0).clients_connected, ==, 5);

  text = lb_run_record_to_text (back);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "number of clients: 20 asked, 5 connected\n"));
  g_assert_nonnull (strstr (text, "connection failures: 45\n"));
  g_assert_nonnull (strstr (text, "time without a connected client: 2.5 s\n"));
  g_assert_nonnull (strstr (text, "WARNING: 15 clients of 20 never connected"));
  g_assert_nonnull (strstr (text, "(while the server was reachable)\n"));

  /* the same record as an older version wrote it */
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    json_object_remove_member (root, keys[i]);
  old = lb_run_record_new_from_json (node, &error);
  g_assert_no_error (error);
  r = lb_run_record_get_result (old);
  g_assert_cmpuint (r->clients_asked, ==, 0);
  g_assert_cmpuint (r->clients_never_connected, ==, 0);
  g_assert_cmpfloat (r->seconds_without_connection, ==, 0);
  g_assert_cmpfloat (r->teardown_time, ==, 0);
  old_text = lb_run_record_to_text (old);
  g_assert_nonnull (strstr (old_text, "number of clients: 20\n"));
  g_assert_null (strstr (old_text, "WARNING"));
  g_assert_null (strstr (old_text, "reachable"));
}

/* Inputs the fuzzer found (tests/data/fuzz-regressions/fuzz-run-record/): an
 * empty or all-blank file in the history directory is skipped, not a crash,
 * and the runs beside it still load. */
static void
test_history_fuzz_regressions (void)
{
  g_autoptr(LbRunHistory) history = lb_run_history_new (NULL);
  g_autoptr(LbRunHistory) again = NULL;
  g_autoptr(GDateTime) started = g_date_time_new_utc (2026, 11, 25, 8, 15, 2);
  g_autoptr(LbRunRecord) record = make_record (started, 7);
  g_autofree char *regressions = g_test_build_filename (G_TEST_DIST, "data", "fuzz-regressions",
                                                        "fuzz-run-record", NULL);
  g_autofree char *directory = g_file_get_path (lb_run_history_get_directory (history));
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;
  guint copied = 0;

  g_assert_true (lb_run_history_add (history, record, &error));
  g_assert_no_error (error);

  dir = g_dir_open (regressions, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *source = g_build_filename (regressions, name, NULL);
      g_autofree char *target_name = g_strconcat ("fuzz-", name, ".json", NULL);
      g_autofree char *target = g_build_filename (directory, target_name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      g_assert_true (g_file_get_contents (source, &contents, &length, &error));
      g_assert_true (g_file_set_contents (target, contents, (gssize) length, &error));
      g_assert_no_error (error);
      copied++;
    }
  g_assert_cmpuint (copied, >, 0);

  again = lb_run_history_new (NULL);
  load (again);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 1);
}

/* Records the fuzzer found (tests/data/fuzz-regressions/fuzz-run-record/):
 * whatever loads saves as JSON that loads again (a tps of 1e43 was written
 * as "1e+43.0"). */
static void
test_record_fuzz_regressions (void)
{
  g_autofree char *regressions = g_test_build_filename (G_TEST_DIST, "data", "fuzz-regressions",
                                                        "fuzz-run-record", NULL);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;
  guint saved = 0;

  dir = g_dir_open (regressions, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (regressions, name, NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(JsonParser) reparser = json_parser_new ();
      g_autoptr(LbRunRecord) record = NULL;
      g_autoptr(LbRunRecord) reloaded = NULL;
      g_autoptr(GError) record_error = NULL;
      g_autofree char *json = NULL;

      g_test_message ("replaying %s", name);
      if (!json_parser_load_from_file (parser, path, NULL) ||
          (record = lb_run_record_new_from_json (json_parser_get_root (parser), &record_error)) == NULL)
        continue;

      json = lb_run_record_to_json_string (record);
      g_assert_true (json_parser_load_from_data (reparser, json, -1, &error));
      g_assert_no_error (error);
      reloaded = lb_run_record_new_from_json (json_parser_get_root (reparser), &error);
      g_assert_no_error (error);
      g_assert_nonnull (reloaded);
      saved++;
    }
  g_assert_cmpuint (saved, >, 0);
}


/* pgbench's -D, -s and --max-tries are kept with the settings so a run can
 * be repeated; retries, aborted clients and script errors with the result. */
static void
test_record_pgbench_flow (void)
{
  g_autoptr(LbRunSettings) settings = valid_settings ();
  g_autoptr(LbRunResult) result = make_result (3);
  g_autoptr(GDateTime) started = g_date_time_new_utc (2026, 12, 2, 8, 0, 0);
  g_autoptr(LbRunRecord) record = NULL;
  g_autoptr(LbRunRecord) back = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const LbRunSettings *s;
  LbRunResult *r;
  LbErrorStats *script_error = g_new0 (LbErrorStats, 1);
  const char *defines[] = { "foo=bar", "n=3", NULL };

  settings->max_tries = 5;
  settings->scale = 10;
  settings->defines = g_strdupv ((char **) defines);
  result->retried = 12;
  result->retries = 30;
  result->aborted_clients = 2;
  script_error->sqlstate[0] = '\0';
  script_error->count = 4;
  script_error->message = g_strdup ("t.sql:3: \\set x: division by zero");
  g_ptr_array_add (result->errors, script_error);
  record = lb_run_record_new ("t.sql", "/data/t.sql", settings, result, started);

  node = lb_run_record_to_json (record);
  back = lb_run_record_new_from_json (node, &error);
  g_assert_no_error (error);
  s = lb_run_record_get_settings (back);
  g_assert_cmpuint (s->max_tries, ==, 5);
  g_assert_cmpuint (s->scale, ==, 10);
  g_assert_nonnull (s->defines);
  g_assert_cmpstrv (s->defines, defines);
  r = lb_run_record_get_result (back);
  g_assert_cmpuint (r->retried, ==, 12);
  g_assert_cmpuint (r->retries, ==, 30);
  g_assert_cmpuint (r->aborted_clients, ==, 2);

  text = lb_run_record_to_text (back);
  g_assert_nonnull (strstr (text, "maximum number of tries: 5\n"));
  g_assert_nonnull (strstr (text, "number of transactions retried: 12 ("));
  g_assert_nonnull (strstr (text, "total number of retries: 30\n"));
  g_assert_nonnull (strstr (text, "number of clients aborted: 2"));
  g_assert_nonnull (strstr (text, "t.sql:3: \\set x: division by zero"));

  /* Older records have none of it: one try, scale 1, nothing retried. */
  {
    g_autoptr(JsonNode) empty = json_from_string ("{}", NULL);
    g_autoptr(LbRunSettings) plain = lb_run_settings_new_from_json (empty, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (plain->max_tries, ==, 1);
    g_assert_cmpuint (plain->scale, ==, 1);
    g_assert_null (plain->defines);
  }

  settings->pipeline_depth = 8;
  g_assert_false (lb_run_settings_validate (settings, &error));
  g_assert_nonnull (strstr (error->message, "pipeline depth"));
  g_clear_error (&error);
  settings->pipeline_depth = 0;
  settings->max_tries = 0;
  settings->mode = LB_RUN_MODE_COUNT;
  settings->transactions = 10;
  g_assert_false (lb_run_settings_validate (settings, &error));
  g_assert_nonnull (strstr (error->message, "unlimited number of transaction tries"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/run-record/enums", test_enums);
  g_test_add_func ("/run-record/strip-password", test_strip_password);
  g_test_add_func ("/run-record/settings-validate", test_settings_validate);
  g_test_add_func ("/run-record/settings-ladder", test_settings_ladder);
  g_test_add_func ("/run-record/settings-json", test_settings_json);
  g_test_add_func ("/run-record/knee", test_knee);
  g_test_add_func ("/run-record/json", test_record_json);
  g_test_add_func ("/run-record/json-bad", test_record_json_bad);
  g_test_add_func ("/run-record/pgbench-flow", test_record_pgbench_flow);
  g_test_add_func ("/run-record/fuzz-regressions", test_record_fuzz_regressions);
  g_test_add_func ("/run-record/csv", test_record_csv);
  g_test_add_func ("/run-record/text", test_record_text);
  g_test_add_func ("/run-record/connections", test_record_connections);
  g_test_add_func ("/run-history/add-load-remove", test_history);
  g_test_add_func ("/run-history/encoded-and-ssl-secrets", test_encoded_and_ssl_secrets);
  g_test_add_func ("/run-history/fuzz-regressions", test_history_fuzz_regressions);
  g_test_add_func ("/run-comparison/deltas", test_comparison_deltas);
  g_test_add_func ("/run-comparison/runs", test_comparison_runs);

  return g_test_run ();
}
