/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-run-record.h"

#define MAX_LADDER_STEPS    64
#define MAX_CLIENTS         100000
#define MAX_PIPELINE_DEPTH  1000

/* Protocols and modes */

static const char * const protocol_names[] = { "simple", "extended", "prepared" };
static const char * const mode_names[] = { "duration", "count", "ladder" };

const char *
lb_protocol_to_string (LbProtocol protocol)
{
  g_return_val_if_fail (protocol <= LB_PROTOCOL_PREPARED, NULL);

  return protocol_names[protocol];
}

gboolean
lb_protocol_from_string (const char *text,
                         LbProtocol *protocol)
{
  g_return_val_if_fail (protocol != NULL, FALSE);

  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (protocol_names); i++)
    if (g_ascii_strcasecmp (text, protocol_names[i]) == 0)
      {
        *protocol = (LbProtocol) i;
        return TRUE;
      }

  return FALSE;
}

const char *
lb_run_mode_to_string (LbRunMode mode)
{
  g_return_val_if_fail (mode <= LB_RUN_MODE_LADDER, NULL);

  return mode_names[mode];
}

gboolean
lb_run_mode_from_string (const char *text,
                         LbRunMode  *mode)
{
  g_return_val_if_fail (mode != NULL, FALSE);

  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (mode_names); i++)
    if (g_ascii_strcasecmp (text, mode_names[i]) == 0)
      {
        *mode = (LbRunMode) i;
        return TRUE;
      }

  return FALSE;
}

/* Conninfo without secrets */

static gboolean
is_uri (const char *conninfo)
{
  return g_str_has_prefix (conninfo, "postgresql://") || g_str_has_prefix (conninfo, "postgres://");
}

static char *
strip_uri_password (const char *uri)
{
  const char *authority = strstr (uri, "://") + 3;
  const char *authority_end = authority + strcspn (authority, "/?");
  const char *query = strchr (authority_end, '?');
  const char *at = NULL;
  GString *out = g_string_new_len (uri, authority - uri);

  /* user:password@host — the last '@' ends the user info. */
  for (const char *p = authority; p < authority_end; p++)
    if (*p == '@')
      at = p;

  if (at != NULL)
    {
      const char *colon = memchr (authority, ':', at - authority);

      g_string_append_len (out, authority, (colon != NULL ? colon : at) - authority);
      g_string_append_len (out, at, authority_end - at);
    }
  else
    {
      g_string_append_len (out, authority, authority_end - authority);
    }

  if (query == NULL)
    {
      g_string_append (out, authority_end);
    }
  else
    {
      g_auto(GStrv) params = g_strsplit (query + 1, "&", -1);
      gboolean first = TRUE;

      g_string_append_len (out, authority_end, query - authority_end);
      for (guint i = 0; params[i] != NULL; i++)
        {
          if (g_ascii_strncasecmp (params[i], "password=", 9) == 0 || params[i][0] == '\0')
            continue;
          g_string_append_c (out, first ? '?' : '&');
          g_string_append (out, params[i]);
          first = FALSE;
        }
    }

  return g_string_free (out, FALSE);
}

/* key = value pairs as libpq reads them: values may be 'quoted' with
 * backslash escapes. Everything but the password is kept as written. */
static char *
strip_keyword_password (const char *conninfo)
{
  GString *out = g_string_new (NULL);
  const char *p = conninfo;

  while (TRUE)
    {
      const char *start, *key_end;
      gboolean is_password;

      while (g_ascii_isspace (*p))
        p++;
      if (*p == '\0')
        break;

      start = p;
      while (*p != '\0' && *p != '=' && !g_ascii_isspace (*p))
        p++;
      key_end = p;
      while (g_ascii_isspace (*p))
        p++;
      if (*p != '=')
        goto malformed;
      p++;
      while (g_ascii_isspace (*p))
        p++;

      if (*p == '\'')
        {
          p++;
          while (*p != '\0' && *p != '\'')
            {
              if (*p == '\\' && p[1] != '\0')
                p++;
              p++;
            }
          if (*p != '\'')
            goto malformed;
          p++;
        }
      else
        {
          while (*p != '\0' && !g_ascii_isspace (*p))
            {
              if (*p == '\\' && p[1] != '\0')
                p++;
              p++;
            }
        }

      is_password = key_end - start == 8 && g_ascii_strncasecmp (start, "password", 8) == 0;
      if (!is_password)
        {
          if (out->len > 0)
            g_string_append_c (out, ' ');
          g_string_append_len (out, start, p - start);
        }
    }

  return g_string_free (out, FALSE);

malformed:
  /* libpq would refuse it too; keep nothing that might be a secret. */
  g_string_free (out, TRUE);
  return g_strdup ("");
}

/* Public for the UI and the CLI, which show a conninfo. */
char *
lb_conninfo_strip_password (const char *conninfo)
{
  if (conninfo == NULL)
    return NULL;

  if (is_uri (conninfo))
    return strip_uri_password (conninfo);

  return strip_keyword_password (conninfo);
}

/* Settings */

LbRunSettings *
lb_run_settings_new (void)
{
  LbRunSettings *self = g_new0 (LbRunSettings, 1);

  self->clients = 1;
  self->threads = 0;
  self->protocol = LB_PROTOCOL_PREPARED;
  self->mode = LB_RUN_MODE_DURATION;
  self->duration = 10;
  self->interval = 1;

  return self;
}

LbRunSettings *
lb_run_settings_copy (const LbRunSettings *self)
{
  LbRunSettings *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->conninfo = g_strdup (self->conninfo);
  copy->target_label = g_strdup (self->target_label);
  copy->ladder = self->n_ladder > 0 ? g_memdup2 (self->ladder, self->n_ladder * sizeof (guint)) : NULL;
  if (copy->ladder == NULL)
    copy->n_ladder = 0;

  return copy;
}

void
lb_run_settings_free (LbRunSettings *self)
{
  if (self == NULL)
    return;

  g_free (self->conninfo);
  g_free (self->target_label);
  g_free (self->ladder);
  g_free (self);
}

static gboolean
invalid_setting (GError     **error,
                 const char  *format,
                 ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid_setting (GError     **error,
                 const char  *format,
                 ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, message);

  return FALSE;
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; p != NULL && *p; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;

  return TRUE;
}

gboolean
lb_run_settings_validate (const LbRunSettings  *self,
                          GError              **error)
{
  guint most_clients;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (is_blank (self->conninfo))
    return invalid_setting (error, _("No connection: give a connection string or use the sandbox"));

  if (self->protocol > LB_PROTOCOL_PREPARED)
    return invalid_setting (error, _("Unknown protocol"));

  if (self->mode > LB_RUN_MODE_LADDER)
    return invalid_setting (error, _("Unknown run mode"));

  if (self->mode == LB_RUN_MODE_LADDER)
    {
      if (self->n_ladder == 0 || self->ladder == NULL)
        return invalid_setting (error, _("The concurrency ladder needs at least one client count"));
      if (self->n_ladder > MAX_LADDER_STEPS)
        return invalid_setting (error, _("The concurrency ladder has %u steps; at most %u are allowed"),
                                self->n_ladder, MAX_LADDER_STEPS);
      for (guint i = 0; i < self->n_ladder; i++)
        {
          if (self->ladder[i] < 1 || self->ladder[i] > MAX_CLIENTS)
            return invalid_setting (error, _("Ladder step %u: the client count must be between 1 and %u"),
                                    i + 1, MAX_CLIENTS);
          if (i > 0 && self->ladder[i] <= self->ladder[i - 1])
            return invalid_setting (error, _("The concurrency ladder must go up: %u follows %u"),
                                    self->ladder[i], self->ladder[i - 1]);
        }
      most_clients = self->ladder[self->n_ladder - 1];
    }
  else
    {
      if (self->clients < 1 || self->clients > MAX_CLIENTS)
        return invalid_setting (error, _("Clients must be between 1 and %u"), MAX_CLIENTS);
      most_clients = self->clients;
    }

  if (self->threads > most_clients)
    return invalid_setting (error, _("%u threads for %u clients: a thread needs at least one client"),
                            self->threads, most_clients);

  if (!isfinite (self->duration) || self->duration < 0
      || (self->mode != LB_RUN_MODE_COUNT && self->duration <= 0))
    return invalid_setting (error, _("The duration must be more than 0 seconds"));

  if (!isfinite (self->warmup) || self->warmup < 0)
    return invalid_setting (error, _("The warm-up cannot be negative"));

  if (!isfinite (self->rate) || self->rate < 0)
    return invalid_setting (error, _("The target rate cannot be negative (0 means as fast as possible)"));

  if (!isfinite (self->latency_limit) || self->latency_limit < 0)
    return invalid_setting (error, _("The latency limit cannot be negative (0 means none)"));

  if (self->latency_limit > 0 && self->rate <= 0)
    return invalid_setting (error, _("A latency limit needs a target rate: it skips the transactions "
                                     "that are already that late behind the schedule"));

  if (!isfinite (self->interval) || self->interval <= 0)
    return invalid_setting (error, _("The sampling interval must be more than 0 seconds"));

  if (self->pipeline_depth > MAX_PIPELINE_DEPTH)
    return invalid_setting (error, _("The pipeline depth is %u; at most %u is allowed"),
                            self->pipeline_depth, MAX_PIPELINE_DEPTH);

  return TRUE;
}

gboolean
lb_run_settings_set_ladder_from_string (LbRunSettings  *self,
                                        const char     *text,
                                        GError        **error)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GArray) steps = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  steps = g_array_new (FALSE, FALSE, sizeof (guint));
  parts = g_strsplit_set (text, ", \t\n", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      guint64 value;
      guint step;

      if (parts[i][0] == '\0')
        continue;

      if (!g_ascii_string_to_unsigned (parts[i], 10, 1, MAX_CLIENTS, &value, NULL))
        return invalid_setting (error, _("“%s” is not a client count between 1 and %u"),
                                parts[i], MAX_CLIENTS);
      step = (guint) value;
      if (steps->len > 0 && step <= g_array_index (steps, guint, steps->len - 1))
        return invalid_setting (error, _("The concurrency ladder must go up: %u follows %u"),
                                step, g_array_index (steps, guint, steps->len - 1));
      if (steps->len == MAX_LADDER_STEPS)
        return invalid_setting (error, _("The concurrency ladder can have at most %u steps"),
                                MAX_LADDER_STEPS);
      g_array_append_val (steps, step);
    }

  if (steps->len == 0)
    return invalid_setting (error, _("The concurrency ladder needs at least one client count, such as “1,2,4,8”"));

  g_free (self->ladder);
  self->n_ladder = steps->len;
  self->ladder = (guint *) (gpointer) g_array_free (g_steal_pointer (&steps), FALSE);

  return TRUE;
}

JsonNode *
lb_run_settings_to_json (const LbRunSettings *self)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *conninfo = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  conninfo = lb_conninfo_strip_password (self->conninfo);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "conninfo");
  json_builder_add_string_value (builder, conninfo != NULL ? conninfo : "");
  json_builder_set_member_name (builder, "target");
  json_builder_add_string_value (builder, self->target_label != NULL ? self->target_label : "");
  json_builder_set_member_name (builder, "clients");
  json_builder_add_int_value (builder, self->clients);
  json_builder_set_member_name (builder, "threads");
  json_builder_add_int_value (builder, self->threads);
  json_builder_set_member_name (builder, "protocol");
  json_builder_add_string_value (builder, lb_protocol_to_string (self->protocol));
  json_builder_set_member_name (builder, "pipeline_depth");
  json_builder_add_int_value (builder, self->pipeline_depth);
  json_builder_set_member_name (builder, "mode");
  json_builder_add_string_value (builder, lb_run_mode_to_string (self->mode));
  json_builder_set_member_name (builder, "duration");
  json_builder_add_double_value (builder, self->duration);
  json_builder_set_member_name (builder, "transactions");
  json_builder_add_int_value (builder, (gint64) self->transactions);
  json_builder_set_member_name (builder, "warmup");
  json_builder_add_double_value (builder, self->warmup);
  json_builder_set_member_name (builder, "rate");
  json_builder_add_double_value (builder, self->rate);
  json_builder_set_member_name (builder, "latency_limit");
  json_builder_add_double_value (builder, self->latency_limit);
  json_builder_set_member_name (builder, "ladder");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->n_ladder; i++)
    json_builder_add_int_value (builder, self->ladder[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "interval");
  json_builder_add_double_value (builder, self->interval);
  /* The bits of the seed, whatever sign JSON gives them. */
  json_builder_set_member_name (builder, "seed");
  json_builder_add_int_value (builder, (gint64) self->seed);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* Reading JSON: every member is checked before it is used. */

static gboolean
bad_member (GError     **error,
            const char  *where,
            const char  *name,
            const char  *expected)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               _("In the run record’s %s, “%s” is missing or not %s"), where, name, expected);
  return FALSE;
}

static gboolean
read_double (JsonObject  *object,
             const char  *where,
             const char  *name,
             gboolean     required,
             double      *value,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);
  GType type;

  if (node == NULL && !required)
    return TRUE;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return bad_member (error, where, name, _("a number"));

  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    *value = (double) json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    *value = json_node_get_double (node);
  else
    return bad_member (error, where, name, _("a number"));

  if (!isfinite (*value))
    return bad_member (error, where, name, _("a number"));

  return TRUE;
}

static gboolean
read_uint64 (JsonObject  *object,
             const char  *where,
             const char  *name,
             gboolean     required,
             guint64      max,
             guint64     *value,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL && !required)
    return TRUE;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64
      || json_node_get_int (node) < 0
      || (guint64) json_node_get_int (node) > max)
    return bad_member (error, where, name, _("a non-negative integer"));

  *value = (guint64) json_node_get_int (node);
  return TRUE;
}

static gboolean
read_uint (JsonObject  *object,
           const char  *where,
           const char  *name,
           gboolean     required,
           guint       *value,
           GError     **error)
{
  guint64 wide = *value;

  if (!read_uint64 (object, where, name, required, G_MAXUINT, &wide, error))
    return FALSE;

  *value = (guint) wide;
  return TRUE;
}

static gboolean
read_string (JsonObject   *object,
             const char   *where,
             const char   *name,
             gboolean      required,
             const char  **value,
             GError      **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL && !required)
    return TRUE;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return bad_member (error, where, name, _("a string"));

  *value = json_node_get_string (node);
  return TRUE;
}

static gboolean
read_boolean (JsonObject  *object,
              const char  *where,
              const char  *name,
              gboolean    *value,
              GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return bad_member (error, where, name, _("true or false"));

  *value = json_node_get_boolean (node);
  return TRUE;
}

static JsonArray *
read_array (JsonObject  *object,
            const char  *where,
            const char  *name,
            gboolean     required,
            GError     **error)
{
  static JsonArray *empty = NULL;
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL && !required)
    {
      if (g_once_init_enter (&empty))
        g_once_init_leave (&empty, json_array_new ());
      return empty;
    }

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      bad_member (error, where, name, _("an array"));
      return NULL;
    }

  return json_node_get_array (node);
}

static JsonObject *
element_object (JsonArray   *array,
                guint        index,
                const char  *where,
                GError     **error)
{
  JsonNode *node = json_array_get_element (array, index);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("In the run record, entry %u of “%s” is not an object"), index + 1, where);
      return NULL;
    }

  return json_node_get_object (node);
}

LbRunSettings *
lb_run_settings_new_from_json (JsonNode  *node,
                               GError   **error)
{
  g_autoptr(LbRunSettings) self = NULL;
  JsonObject *object;
  JsonArray *ladder;
  const char *conninfo = NULL, *target = NULL, *protocol = NULL, *mode = NULL;
  guint64 seed = 0;
  JsonNode *seed_node;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The run settings are not a JSON object"));
      return NULL;
    }
  object = json_node_get_object (node);
  self = lb_run_settings_new ();

  if (!read_string (object, "settings", "conninfo", FALSE, &conninfo, error)
      || !read_string (object, "settings", "target", FALSE, &target, error)
      || !read_uint (object, "settings", "clients", FALSE, &self->clients, error)
      || !read_uint (object, "settings", "threads", FALSE, &self->threads, error)
      || !read_string (object, "settings", "protocol", FALSE, &protocol, error)
      || !read_uint (object, "settings", "pipeline_depth", FALSE, &self->pipeline_depth, error)
      || !read_string (object, "settings", "mode", FALSE, &mode, error)
      || !read_double (object, "settings", "duration", FALSE, &self->duration, error)
      || !read_uint64 (object, "settings", "transactions", FALSE, G_MAXINT64, &self->transactions, error)
      || !read_double (object, "settings", "warmup", FALSE, &self->warmup, error)
      || !read_double (object, "settings", "rate", FALSE, &self->rate, error)
      || !read_double (object, "settings", "latency_limit", FALSE, &self->latency_limit, error)
      || !read_double (object, "settings", "interval", FALSE, &self->interval, error))
    return NULL;

  seed_node = json_object_get_member (object, "seed");
  if (seed_node != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (seed_node) || json_node_get_value_type (seed_node) != G_TYPE_INT64)
        {
          bad_member (error, "settings", "seed", _("an integer"));
          return NULL;
        }
      seed = (guint64) json_node_get_int (seed_node);
    }
  self->seed = seed;

  if (protocol != NULL && !lb_protocol_from_string (protocol, &self->protocol))
    {
      bad_member (error, "settings", "protocol", "“simple”, “extended” or “prepared”");
      return NULL;
    }
  if (mode != NULL && !lb_run_mode_from_string (mode, &self->mode))
    {
      bad_member (error, "settings", "mode", "“duration”, “count” or “ladder”");
      return NULL;
    }

  ladder = read_array (object, "settings", "ladder", FALSE, error);
  if (ladder == NULL)
    return NULL;
  if (json_array_get_length (ladder) > MAX_LADDER_STEPS)
    {
      bad_member (error, "settings", "ladder", _("a short list of client counts"));
      return NULL;
    }
  self->n_ladder = json_array_get_length (ladder);
  self->ladder = self->n_ladder > 0 ? g_new0 (guint, self->n_ladder) : NULL;
  for (guint i = 0; i < self->n_ladder; i++)
    {
      JsonNode *step = json_array_get_element (ladder, i);

      if (!JSON_NODE_HOLDS_VALUE (step) || json_node_get_value_type (step) != G_TYPE_INT64
          || json_node_get_int (step) < 1 || json_node_get_int (step) > MAX_CLIENTS)
        {
          bad_member (error, "settings", "ladder", _("a list of client counts"));
          return NULL;
        }
      self->ladder[i] = (guint) json_node_get_int (step);
    }

  self->conninfo = g_strdup (conninfo);
  self->target_label = target != NULL && *target != '\0' ? g_strdup (target) : NULL;

  return g_steal_pointer (&self);
}

/* Result */

LbQueryStats *
lb_query_stats_new (guint       index,
                    const char *name,
                    const char *sql)
{
  LbQueryStats *stats = g_new0 (LbQueryStats, 1);

  stats->index = index;
  stats->name = g_strdup (name);
  stats->sql = g_strdup (sql);
  stats->latency = lb_latency_histogram_new ();

  return stats;
}

void
lb_query_stats_free (LbQueryStats *stats)
{
  if (stats == NULL)
    return;

  g_free (stats->name);
  g_free (stats->sql);
  g_clear_pointer (&stats->latency, lb_latency_histogram_free);
  g_free (stats);
}

static void
query_stats_free (gpointer data)
{
  lb_query_stats_free (data);
}

static void
error_stats_free (gpointer data)
{
  LbErrorStats *stats = data;

  g_free (stats->message);
  g_free (stats);
}

G_DEFINE_BOXED_TYPE (LbRunResult, lb_run_result, lb_run_result_ref, lb_run_result_unref)

LbRunResult *
lb_run_result_new (void)
{
  LbRunResult *self = g_new0 (LbRunResult, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->latency = lb_latency_histogram_new ();
  self->lag = lb_latency_histogram_new ();
  self->queries = g_ptr_array_new_with_free_func (query_stats_free);
  self->errors = g_ptr_array_new_with_free_func (error_stats_free);
  self->timeline = g_array_new (FALSE, TRUE, sizeof (LbRunSample));
  self->ladder = g_array_new (FALSE, TRUE, sizeof (LbLadderStep));

  return self;
}

LbRunResult *
lb_run_result_ref (LbRunResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
lb_run_result_unref (LbRunResult *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_clear_pointer (&self->latency, lb_latency_histogram_free);
  g_clear_pointer (&self->lag, lb_latency_histogram_free);
  g_clear_pointer (&self->queries, g_ptr_array_unref);
  g_clear_pointer (&self->errors, g_ptr_array_unref);
  g_clear_pointer (&self->timeline, g_array_unref);
  g_clear_pointer (&self->ladder, g_array_unref);
  g_clear_pointer (&self->server_version, g_free);
  g_free (self);
}

guint
lb_run_result_find_knee (const LbLadderStep *steps,
                         guint               n_steps,
                         double              gain)
{
  g_return_val_if_fail (steps != NULL || n_steps == 0, 0);

  /* The first step after which no later step beats its throughput by
   * @gain, with latency rising at the next step: noise that dips and
   * recovers does not end the climb early. */
  for (guint i = 0; i + 1 < n_steps; i++)
    {
      double best_later = 0;

      for (guint j = i + 1; j < n_steps; j++)
        best_later = MAX (best_later, steps[j].tps);

      if (best_later < steps[i].tps * (1 + gain) && steps[i + 1].p95_ms > steps[i].p95_ms)
        return steps[i].clients;
    }

  return 0;
}

/* Record */

struct _LbRunRecord
{
  GObject        parent_instance;

  char          *id;
  GDateTime     *started;
  char          *script_name;
  char          *script_path;
  LbRunSettings *settings;
  LbRunResult   *result;
};

G_DEFINE_FINAL_TYPE (LbRunRecord, lb_run_record, G_TYPE_OBJECT)

static void
lb_run_record_finalize (GObject *object)
{
  LbRunRecord *self = LB_RUN_RECORD (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->started, g_date_time_unref);
  g_clear_pointer (&self->script_name, g_free);
  g_clear_pointer (&self->script_path, g_free);
  g_clear_pointer (&self->settings, lb_run_settings_free);
  g_clear_pointer (&self->result, lb_run_result_unref);

  G_OBJECT_CLASS (lb_run_record_parent_class)->finalize (object);
}

static void
lb_run_record_class_init (LbRunRecordClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lb_run_record_finalize;
}

static void
lb_run_record_init (LbRunRecord *self)
{
}

/* The history names files after ids: nothing that could leave its directory. */
static gboolean
is_valid_id (const char *id)
{
  if (id == NULL || *id == '\0' || *id == '.' || strlen (id) > 128)
    return FALSE;

  for (const char *p = id; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;

  return TRUE;
}

LbRunRecord *
lb_run_record_new (const char          *script_name,
                   const char          *script_path,
                   const LbRunSettings *settings,
                   LbRunResult         *result,
                   GDateTime           *started)
{
  LbRunRecord *self;
  g_autofree char *stamp = NULL;

  g_return_val_if_fail (settings != NULL, NULL);
  g_return_val_if_fail (result != NULL, NULL);

  self = g_object_new (LB_TYPE_RUN_RECORD, NULL);
  self->started = started != NULL ? g_date_time_ref (started) : g_date_time_new_now_local ();
  if (script_name != NULL)
    self->script_name = g_strdup (script_name);
  else if (script_path != NULL)
    self->script_name = g_path_get_basename (script_path);
  else
    self->script_name = g_strdup ("");
  self->script_path = g_strdup (script_path);
  self->settings = lb_run_settings_copy (settings);
  /* Only the stripped form is kept, so no copy of a password outlives the run. */
  g_free (self->settings->conninfo);
  self->settings->conninfo = lb_conninfo_strip_password (settings->conninfo);
  self->result = lb_run_result_ref (result);

  stamp = g_date_time_format (self->started, "%Y%m%d-%H%M%S");
  self->id = g_strdup_printf ("%s-%04x", stamp, g_random_int_range (0, 0x10000));

  return self;
}

const char *
lb_run_record_get_id (LbRunRecord *self)
{
  g_return_val_if_fail (LB_IS_RUN_RECORD (self), NULL);

  return self->id;
}

GDateTime *
lb_run_record_get_started (LbRunRecord *self)
{
  g_return_val_if_fail (LB_IS_RUN_RECORD (self), NULL);

  return self->started;
}

const char *
lb_run_record_get_script_name (LbRunRecord *self)
{
  g_return_val_if_fail (LB_IS_RUN_RECORD (self), NULL);

  return self->script_name;
}

const char *
lb_run_record_get_script_path (LbRunRecord *self)
{
  g_return_val_if_fail (LB_IS_RUN_RECORD (self), NULL);

  return self->script_path;
}

const LbRunSettings *
lb_run_record_get_settings (LbRunRecord *self)
{
  g_return_val_if_fail (LB_IS_RUN_RECORD (self), NULL);

  return self->settings;
}

LbRunResult *
lb_run_record_get_result (LbRunRecord *self)
{
  g_return_val_if_fail (LB_IS_RUN_RECORD (self), NULL);

  return self->result;
}

/* "1,234,567": figures in summaries are easier to read grouped. */
static char *
format_grouped (double value)
{
  g_autofree char *digits = g_strdup_printf ("%.0f", fabs (value));
  GString *out = g_string_new (value <= -0.5 ? "-" : NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }

  return g_string_free (out, FALSE);
}

char *
lb_run_record_dup_title (LbRunRecord *self)
{
  g_autofree char *tps = NULL;

  g_return_val_if_fail (LB_IS_RUN_RECORD (self), NULL);

  tps = format_grouped (self->result->tps);

  if (self->settings->mode == LB_RUN_MODE_LADDER && self->settings->n_ladder > 0)
    /* Translators: script · client counts of a ladder · transactions per second */
    return g_strdup_printf (_("%s · %u–%u clients · %s tps"),
                            self->script_name, self->settings->ladder[0],
                            self->settings->ladder[self->settings->n_ladder - 1], tps);

  /* Translators: script · clients · transactions per second */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %u client · %s tps",
                                       "%s · %u clients · %s tps", self->settings->clients),
                          self->script_name, self->settings->clients, tps);
}

/* JSON */

static double
finite_or_zero (double value)
{
  return isfinite (value) ? value : 0;
}

static void
add_double (JsonBuilder *builder,
            const char  *name,
            double       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_double_value (builder, finite_or_zero (value));
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_latency_ms (JsonBuilder              *builder,
                const char               *name,
                const LbLatencyHistogram *histogram)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_object (builder);
  add_double (builder, "avg", lb_latency_histogram_get_mean (histogram) / 1000);
  add_double (builder, "stddev", lb_latency_histogram_get_stddev (histogram) / 1000);
  add_double (builder, "p50", lb_latency_histogram_get_percentile (histogram, 50) / 1000);
  add_double (builder, "p90", lb_latency_histogram_get_percentile (histogram, 90) / 1000);
  add_double (builder, "p95", lb_latency_histogram_get_percentile (histogram, 95) / 1000);
  add_double (builder, "p99", lb_latency_histogram_get_percentile (histogram, 99) / 1000);
  add_double (builder, "p999", lb_latency_histogram_get_percentile (histogram, 99.9) / 1000);
  add_double (builder, "max", (double) lb_latency_histogram_get_max (histogram) / 1000);
  json_builder_end_object (builder);
}

static void
add_histogram (JsonBuilder              *builder,
               const char               *name,
               const LbLatencyHistogram *histogram)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_value (builder, lb_latency_histogram_to_json (histogram));
}

JsonNode *
lb_run_record_to_json (LbRunRecord *self)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *started = NULL;
  LbRunResult *r;

  g_return_val_if_fail (LB_IS_RUN_RECORD (self), NULL);

  r = self->result;
  started = g_date_time_format_iso8601 (self->started);
  builder = json_builder_new ();
  json_builder_begin_object (builder);

  add_string (builder, "id", self->id);
  add_string (builder, "started", started);
  json_builder_set_member_name (builder, "script");
  json_builder_begin_object (builder);
  add_string (builder, "name", self->script_name);
  add_string (builder, "path", self->script_path);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "cancelled");
  json_builder_add_boolean_value (builder, r->cancelled);
  add_int (builder, "transactions", (gint64) r->transactions);
  add_int (builder, "failed", (gint64) r->failed);
  add_int (builder, "skipped", (gint64) r->skipped);
  add_int (builder, "reconnects", (gint64) r->reconnects);
  add_double (builder, "tps", r->tps);
  add_double (builder, "duration", r->duration);
  add_double (builder, "connection_time", r->connection_time);
  add_double (builder, "client_cpu_time", r->client_cpu_time);
  add_int (builder, "seed", (gint64) r->seed);
  add_string (builder, "server_version", r->server_version);
  add_latency_ms (builder, "latency_ms", r->latency);
  if (lb_latency_histogram_get_count (r->lag) > 0)
    add_latency_ms (builder, "lag_ms", r->lag);

  json_builder_set_member_name (builder, "queries");
  json_builder_begin_array (builder);
  for (guint i = 0; i < r->queries->len; i++)
    {
      const LbQueryStats *q = g_ptr_array_index (r->queries, i);

      json_builder_begin_object (builder);
      add_int (builder, "index", q->index);
      add_string (builder, "name", q->name != NULL ? q->name : "");
      add_string (builder, "sql", q->sql);
      add_int (builder, "executions", (gint64) q->executions);
      add_int (builder, "failed", (gint64) q->failed);
      if (q->latency != NULL)
        {
          add_latency_ms (builder, "latency_ms", q->latency);
          add_histogram (builder, "histogram", q->latency);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "errors");
  json_builder_begin_array (builder);
  for (guint i = 0; i < r->errors->len; i++)
    {
      const LbErrorStats *e = g_ptr_array_index (r->errors, i);

      json_builder_begin_object (builder);
      add_string (builder, "sqlstate", e->sqlstate);
      add_int (builder, "count", (gint64) e->count);
      add_string (builder, "message", e->message != NULL ? e->message : "");
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "timeline");
  json_builder_begin_array (builder);
  for (guint i = 0; i < r->timeline->len; i++)
    {
      const LbRunSample *s = &g_array_index (r->timeline, LbRunSample, i);

      json_builder_begin_object (builder);
      add_double (builder, "t", s->t);
      add_double (builder, "interval", s->interval);
      add_int (builder, "clients", s->clients);
      add_double (builder, "tps", s->tps);
      add_double (builder, "latency_mean_ms", s->latency_mean_ms);
      add_double (builder, "latency_stddev_ms", s->latency_stddev_ms);
      add_double (builder, "p50_ms", s->p50_ms);
      add_double (builder, "p95_ms", s->p95_ms);
      add_double (builder, "p99_ms", s->p99_ms);
      add_double (builder, "max_ms", s->max_ms);
      add_double (builder, "lag_mean_ms", s->lag_mean_ms);
      add_int (builder, "transactions", (gint64) s->transactions);
      add_int (builder, "failed", (gint64) s->failed);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "ladder");
  json_builder_begin_array (builder);
  for (guint i = 0; i < r->ladder->len; i++)
    {
      const LbLadderStep *step = &g_array_index (r->ladder, LbLadderStep, i);

      json_builder_begin_object (builder);
      add_int (builder, "clients", step->clients);
      add_double (builder, "tps", step->tps);
      add_double (builder, "latency_mean_ms", step->latency_mean_ms);
      add_double (builder, "p50_ms", step->p50_ms);
      add_double (builder, "p95_ms", step->p95_ms);
      add_double (builder, "p99_ms", step->p99_ms);
      add_int (builder, "transactions", (gint64) step->transactions);
      add_int (builder, "failed", (gint64) step->failed);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  add_int (builder, "knee_clients", r->knee_clients);

  json_builder_set_member_name (builder, "settings");
  json_builder_add_value (builder, lb_run_settings_to_json (self->settings));
  add_histogram (builder, "histogram", r->latency);
  add_histogram (builder, "lag_histogram", r->lag);

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

char *
lb_run_record_to_json_string (LbRunRecord *self)
{
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (LB_IS_RUN_RECORD (self), NULL);

  root = lb_run_record_to_json (self);
  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);

  /* Files end with a newline, as text files do. */
  return g_strconcat (text, "\n", NULL);
}

static LbLatencyHistogram *
read_histogram (JsonObject  *object,
                const char  *where,
                const char  *name,
                GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);
  g_autoptr(GError) local_error = NULL;
  LbLatencyHistogram *histogram;

  if (node == NULL)
    return lb_latency_histogram_new ();

  histogram = lb_latency_histogram_new_from_json (node, &local_error);
  if (histogram == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 _("In the run record’s %s, “%s” is not valid: %s"), where, name, local_error->message);

  return histogram;
}

static gboolean
read_result_lists (JsonObject   *object,
                   LbRunResult  *r,
                   GError      **error)
{
  JsonArray *queries, *errors, *timeline, *ladder;

  if ((queries = read_array (object, "record", "queries", FALSE, error)) == NULL
      || (errors = read_array (object, "record", "errors", FALSE, error)) == NULL
      || (timeline = read_array (object, "record", "timeline", FALSE, error)) == NULL
      || (ladder = read_array (object, "record", "ladder", FALSE, error)) == NULL)
    return FALSE;

  for (guint i = 0; i < json_array_get_length (queries); i++)
    {
      JsonObject *q = element_object (queries, i, "queries", error);
      LbQueryStats *stats;
      const char *name = NULL, *sql = NULL;

      if (q == NULL)
        return FALSE;

      stats = g_new0 (LbQueryStats, 1);
      stats->index = i;
      g_ptr_array_add (r->queries, stats);
      if (!read_string (q, "queries", "name", TRUE, &name, error)
          || !read_uint64 (q, "queries", "executions", TRUE, G_MAXINT64, &stats->executions, error)
          || !read_uint64 (q, "queries", "failed", TRUE, G_MAXINT64, &stats->failed, error)
          || !read_uint (q, "queries", "index", FALSE, &stats->index, error))
        return FALSE;
      if (json_object_has_member (q, "sql") && !json_object_get_null_member (q, "sql")
          && !read_string (q, "queries", "sql", TRUE, &sql, error))
        return FALSE;
      stats->name = g_strdup (name);
      stats->sql = g_strdup (sql);
      stats->latency = read_histogram (q, "queries", "histogram", error);
      if (stats->latency == NULL)
        return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (errors); i++)
    {
      JsonObject *e = element_object (errors, i, "errors", error);
      LbErrorStats *stats;
      const char *sqlstate = NULL, *message = NULL;

      if (e == NULL)
        return FALSE;

      stats = g_new0 (LbErrorStats, 1);
      g_ptr_array_add (r->errors, stats);
      if (!read_string (e, "errors", "sqlstate", TRUE, &sqlstate, error)
          || !read_uint64 (e, "errors", "count", TRUE, G_MAXINT64, &stats->count, error)
          || !read_string (e, "errors", "message", FALSE, &message, error))
        return FALSE;
      if (strlen (sqlstate) != 5)
        return bad_member (error, "errors", "sqlstate", _("a five-character SQLSTATE"));
      memcpy (stats->sqlstate, sqlstate, 6);
      stats->message = g_strdup (message != NULL ? message : "");
    }

  for (guint i = 0; i < json_array_get_length (timeline); i++)
    {
      JsonObject *s = element_object (timeline, i, "timeline", error);
      LbRunSample sample = { 0 };

      if (s == NULL
          || !read_double (s, "timeline", "t", TRUE, &sample.t, error)
          || !read_double (s, "timeline", "tps", TRUE, &sample.tps, error)
          || !read_double (s, "timeline", "interval", FALSE, &sample.interval, error)
          || !read_uint (s, "timeline", "clients", FALSE, &sample.clients, error)
          || !read_double (s, "timeline", "latency_mean_ms", FALSE, &sample.latency_mean_ms, error)
          || !read_double (s, "timeline", "latency_stddev_ms", FALSE, &sample.latency_stddev_ms, error)
          || !read_double (s, "timeline", "p50_ms", FALSE, &sample.p50_ms, error)
          || !read_double (s, "timeline", "p95_ms", FALSE, &sample.p95_ms, error)
          || !read_double (s, "timeline", "p99_ms", FALSE, &sample.p99_ms, error)
          || !read_double (s, "timeline", "max_ms", FALSE, &sample.max_ms, error)
          || !read_double (s, "timeline", "lag_mean_ms", FALSE, &sample.lag_mean_ms, error)
          || !read_uint64 (s, "timeline", "transactions", FALSE, G_MAXINT64, &sample.transactions, error)
          || !read_uint64 (s, "timeline", "failed", FALSE, G_MAXINT64, &sample.failed, error))
        return FALSE;
      g_array_append_val (r->timeline, sample);
    }

  for (guint i = 0; i < json_array_get_length (ladder); i++)
    {
      JsonObject *s = element_object (ladder, i, "ladder", error);
      LbLadderStep step = { 0 };

      if (s == NULL
          || !read_uint (s, "ladder", "clients", TRUE, &step.clients, error)
          || !read_double (s, "ladder", "tps", TRUE, &step.tps, error)
          || !read_double (s, "ladder", "latency_mean_ms", FALSE, &step.latency_mean_ms, error)
          || !read_double (s, "ladder", "p50_ms", FALSE, &step.p50_ms, error)
          || !read_double (s, "ladder", "p95_ms", FALSE, &step.p95_ms, error)
          || !read_double (s, "ladder", "p99_ms", FALSE, &step.p99_ms, error)
          || !read_uint64 (s, "ladder", "transactions", FALSE, G_MAXINT64, &step.transactions, error)
          || !read_uint64 (s, "ladder", "failed", FALSE, G_MAXINT64, &step.failed, error))
        return FALSE;
      g_array_append_val (r->ladder, step);
    }

  return TRUE;
}

LbRunRecord *
lb_run_record_new_from_json (JsonNode  *node,
                             GError   **error)
{
  g_autoptr(LbRunRecord) self = NULL;
  g_autoptr(LbRunResult) r = NULL;
  g_autoptr(LbRunSettings) settings = NULL;
  JsonObject *object, *script;
  JsonNode *settings_node, *script_node, *seed_node;
  const char *id = NULL, *started = NULL, *server_version = NULL;
  const char *script_name = NULL, *script_path = NULL;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The run record is not a JSON object"));
      return NULL;
    }
  object = json_node_get_object (node);

  self = g_object_new (LB_TYPE_RUN_RECORD, NULL);
  r = lb_run_result_new ();

  if (!read_string (object, "record", "id", TRUE, &id, error)
      || !read_string (object, "record", "started", TRUE, &started, error))
    return NULL;
  if (!is_valid_id (id))
    {
      bad_member (error, "record", "id", _("made of letters, digits, “-”, “_” and “.”"));
      return NULL;
    }
  self->id = g_strdup (id);
  self->started = g_date_time_new_from_iso8601 (started, NULL);
  if (self->started == NULL)
    {
      bad_member (error, "record", "started", _("an ISO 8601 date and time"));
      return NULL;
    }

  script_node = json_object_get_member (object, "script");
  if (script_node != NULL)
    {
      if (!JSON_NODE_HOLDS_OBJECT (script_node))
        {
          bad_member (error, "record", "script", _("an object"));
          return NULL;
        }
      script = json_node_get_object (script_node);
      if (!read_string (script, "script", "name", FALSE, &script_name, error))
        return NULL;
      if (json_object_has_member (script, "path") && !json_object_get_null_member (script, "path")
          && !read_string (script, "script", "path", TRUE, &script_path, error))
        return NULL;
    }
  self->script_name = g_strdup (script_name != NULL ? script_name : "");
  self->script_path = g_strdup (script_path);

  settings_node = json_object_get_member (object, "settings");
  if (settings_node == NULL)
    {
      bad_member (error, "record", "settings", _("an object"));
      return NULL;
    }
  settings = lb_run_settings_new_from_json (settings_node, error);
  if (settings == NULL)
    return NULL;

  if (!read_boolean (object, "record", "cancelled", &r->cancelled, error)
      || !read_uint64 (object, "record", "transactions", TRUE, G_MAXINT64, &r->transactions, error)
      || !read_uint64 (object, "record", "failed", TRUE, G_MAXINT64, &r->failed, error)
      || !read_uint64 (object, "record", "skipped", FALSE, G_MAXINT64, &r->skipped, error)
      || !read_uint64 (object, "record", "reconnects", FALSE, G_MAXINT64, &r->reconnects, error)
      || !read_double (object, "record", "tps", TRUE, &r->tps, error)
      || !read_double (object, "record", "duration", FALSE, &r->duration, error)
      || !read_double (object, "record", "connection_time", FALSE, &r->connection_time, error)
      || !read_double (object, "record", "client_cpu_time", FALSE, &r->client_cpu_time, error)
      || !read_uint (object, "record", "knee_clients", FALSE, &r->knee_clients, error))
    return NULL;

  seed_node = json_object_get_member (object, "seed");
  if (seed_node != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (seed_node) || json_node_get_value_type (seed_node) != G_TYPE_INT64)
        {
          bad_member (error, "record", "seed", _("an integer"));
          return NULL;
        }
      r->seed = (guint64) json_node_get_int (seed_node);
    }

  if (json_object_has_member (object, "server_version")
      && !json_object_get_null_member (object, "server_version"))
    {
      if (!read_string (object, "record", "server_version", TRUE, &server_version, error))
        return NULL;
      r->server_version = g_strdup (server_version);
    }

  g_clear_pointer (&r->latency, lb_latency_histogram_free);
  r->latency = read_histogram (object, "record", "histogram", error);
  if (r->latency == NULL)
    return NULL;
  g_clear_pointer (&r->lag, lb_latency_histogram_free);
  r->lag = read_histogram (object, "record", "lag_histogram", error);
  if (r->lag == NULL)
    return NULL;

  if (!read_result_lists (object, r, error))
    return NULL;

  self->settings = g_steal_pointer (&settings);
  self->result = g_steal_pointer (&r);

  return g_steal_pointer (&self);
}

/* CSV */

static void
append_csv_field (GString    *out,
                  const char *value)
{
  if (value == NULL)
    value = "";

  if (strpbrk (value, ",\"\r\n") == NULL)
    {
      g_string_append (out, value);
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = value; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/* Locale-independent: a comma decimal separator would break the columns. */
static void
append_csv_number (GString    *out,
                   const char *format,
                   double      value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_c (out, ',');
  g_string_append (out, g_ascii_formatd (buffer, sizeof buffer, format, finite_or_zero (value)));
}

char *
lb_run_record_to_csv (LbRunRecord *self)
{
  GString *out;
  LbRunResult *r;

  g_return_val_if_fail (LB_IS_RUN_RECORD (self), NULL);

  r = self->result;
  out = g_string_new ("t,clients,tps,latency_mean_ms,p50_ms,p95_ms,p99_ms,max_ms,transactions,failed\r\n");
  for (guint i = 0; i < r->timeline->len; i++)
    {
      const LbRunSample *s = &g_array_index (r->timeline, LbRunSample, i);
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append (out, g_ascii_formatd (buffer, sizeof buffer, "%.3f", finite_or_zero (s->t)));
      g_string_append_printf (out, ",%u", s->clients);
      append_csv_number (out, "%.3f", s->tps);
      append_csv_number (out, "%.3f", s->latency_mean_ms);
      append_csv_number (out, "%.3f", s->p50_ms);
      append_csv_number (out, "%.3f", s->p95_ms);
      append_csv_number (out, "%.3f", s->p99_ms);
      append_csv_number (out, "%.3f", s->max_ms);
      g_string_append_printf (out, ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT "\r\n",
                              s->transactions, s->failed);
    }

  g_string_append (out, "\r\nquery,executions,failed,avg_ms,stddev_ms,p50_ms,p90_ms,p95_ms,p99_ms,p999_ms,max_ms\r\n");
  for (guint i = 0; i < r->queries->len; i++)
    {
      const LbQueryStats *q = g_ptr_array_index (r->queries, i);
      const LbLatencyHistogram *h = q->latency;

      append_csv_field (out, q->name);
      g_string_append_printf (out, ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT, q->executions, q->failed);
      append_csv_number (out, "%.3f", h ? lb_latency_histogram_get_mean (h) / 1000 : 0);
      append_csv_number (out, "%.3f", h ? lb_latency_histogram_get_stddev (h) / 1000 : 0);
      append_csv_number (out, "%.3f", h ? lb_latency_histogram_get_percentile (h, 50) / 1000 : 0);
      append_csv_number (out, "%.3f", h ? lb_latency_histogram_get_percentile (h, 90) / 1000 : 0);
      append_csv_number (out, "%.3f", h ? lb_latency_histogram_get_percentile (h, 95) / 1000 : 0);
      append_csv_number (out, "%.3f", h ? lb_latency_histogram_get_percentile (h, 99) / 1000 : 0);
      append_csv_number (out, "%.3f", h ? lb_latency_histogram_get_percentile (h, 99.9) / 1000 : 0);
      append_csv_number (out, "%.3f", h ? (double) lb_latency_histogram_get_max (h) / 1000 : 0);
      g_string_append (out, "\r\n");
    }

  return g_string_free (out, FALSE);
}

/* Text */

static char *
single_line (const char *text,
             gsize       max_chars)
{
  g_autofree char *copy = g_strdup (text != NULL ? text : "");
  GString *out = g_string_new (NULL);
  gboolean space = FALSE;

  /* SQL and server messages span lines; a summary line must not. */
  for (const char *p = g_strstrip (copy); *p; p = g_utf8_next_char (p))
    {
      if (g_ascii_isspace (*p))
        {
          space = TRUE;
          continue;
        }
      if (space)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_unichar (out, g_utf8_get_char (p));
    }

  if (g_utf8_strlen (out->str, -1) > (glong) max_chars)
    {
      const char *cut = g_utf8_offset_to_pointer (out->str, max_chars - 1);

      g_string_truncate (out, cut - out->str);
      g_string_append (out, "…");
    }

  return g_string_free (out, FALSE);
}

char *
lb_run_record_to_text (LbRunRecord *self)
{
  GString *out;
  LbRunResult *r;
  const LbRunSettings *s;
  const LbLatencyHistogram *h;
  guint threads;
  double failed_share;

  g_return_val_if_fail (LB_IS_RUN_RECORD (self), NULL);

  r = self->result;
  s = self->settings;
  h = r->latency;
  out = g_string_new (NULL);

  /* The same lines and order as pgbench, so the two are easy to compare. */
  g_string_append_printf (out, _("transaction type: %s\n"), self->script_name);
  if (s->target_label != NULL)
    g_string_append_printf (out, _("target: %s\n"), s->target_label);
  if (r->server_version != NULL)
    g_string_append_printf (out, _("server version: %s\n"), r->server_version);
  g_string_append_printf (out, _("query mode: %s\n"), lb_protocol_to_string (s->protocol));
  if (s->pipeline_depth > 0)
    g_string_append_printf (out, _("pipeline depth: %u\n"), s->pipeline_depth);
  if (s->mode == LB_RUN_MODE_LADDER && s->n_ladder > 0)
    {
      g_string_append (out, _("number of clients: ladder"));
      for (guint i = 0; i < s->n_ladder; i++)
        g_string_append_printf (out, "%s%u", i == 0 ? " " : ", ", s->ladder[i]);
      g_string_append_c (out, '\n');
    }
  else
    {
      g_string_append_printf (out, _("number of clients: %u\n"), s->clients);
    }
  threads = s->threads > 0 ? s->threads : (guint) g_get_num_processors ();
  if (s->mode != LB_RUN_MODE_LADDER)
    threads = MIN (threads, s->clients);
  g_string_append_printf (out, _("number of threads: %u\n"), threads);
  if (s->warmup > 0)
    g_string_append_printf (out, _("warm-up: %.1f s (excluded)\n"), s->warmup);
  if (s->mode == LB_RUN_MODE_COUNT)
    g_string_append_printf (out, _("number of transactions per run: %" G_GUINT64_FORMAT "\n"),
                            s->transactions);
  g_string_append_printf (out, r->cancelled ? _("duration: %.1f s (cancelled)\n") : _("duration: %.1f s\n"),
                          r->duration);

  g_string_append_printf (out, _("number of transactions actually processed: %" G_GUINT64_FORMAT "\n"),
                          r->transactions);
  failed_share = r->transactions + r->failed > 0
                 ? 100.0 * (double) r->failed / (double) (r->transactions + r->failed) : 0;
  g_string_append_printf (out, _("number of failed transactions: %" G_GUINT64_FORMAT " (%.3f%%)\n"),
                          r->failed, failed_share);
  if (r->skipped > 0)
    g_string_append_printf (out, _("number of transactions skipped: %" G_GUINT64_FORMAT "\n"), r->skipped);
  if (r->reconnects > 0)
    g_string_append_printf (out, _("number of reconnections: %" G_GUINT64_FORMAT "\n"), r->reconnects);

  g_string_append_printf (out, _("latency average = %.3f ms\n"), lb_latency_histogram_get_mean (h) / 1000);
  g_string_append_printf (out, _("latency stddev = %.3f ms\n"), lb_latency_histogram_get_stddev (h) / 1000);
  g_string_append_printf (out, _("latency p50 = %.3f ms\n"), lb_latency_histogram_get_percentile (h, 50) / 1000);
  g_string_append_printf (out, _("latency p95 = %.3f ms\n"), lb_latency_histogram_get_percentile (h, 95) / 1000);
  g_string_append_printf (out, _("latency p99 = %.3f ms\n"), lb_latency_histogram_get_percentile (h, 99) / 1000);
  g_string_append_printf (out, _("latency p99.9 = %.3f ms\n"), lb_latency_histogram_get_percentile (h, 99.9) / 1000);
  g_string_append_printf (out, _("latency max = %.3f ms\n"), (double) lb_latency_histogram_get_max (h) / 1000);
  if (s->rate > 0)
    {
      g_string_append_printf (out, _("rate limit: %.1f tps\n"), s->rate);
      if (s->latency_limit > 0)
        g_string_append_printf (out, _("latency limit: %.3f ms\n"), s->latency_limit * 1000);
      g_string_append_printf (out, _("rate limit schedule lag: avg %.3f (max %.3f) ms\n"),
                              lb_latency_histogram_get_mean (r->lag) / 1000,
                              (double) lb_latency_histogram_get_max (r->lag) / 1000);
    }
  g_string_append_printf (out, _("initial connection time = %.3f ms\n"), r->connection_time * 1000);
  g_string_append_printf (out, _("tps = %f (without initial connection time)\n"), r->tps);
  if (r->client_cpu_time > 0 && r->transactions > 0)
    g_string_append_printf (out, _("client CPU = %.3f s (%.3f ms per 1,000 transactions)\n"),
                            r->client_cpu_time, 1e6 * r->client_cpu_time / (double) r->transactions);

  if (r->queries->len > 0)
    {
      g_string_append (out, _("statement latencies in milliseconds and failures:\n"));
      g_string_append_printf (out, "  %-24s %12s %8s %9s %9s %9s\n",
                              _("query"), _("executions"), _("failed"), _("avg"), _("p95"), _("p99"));
      for (guint i = 0; i < r->queries->len; i++)
        {
          const LbQueryStats *q = g_ptr_array_index (r->queries, i);
          g_autofree char *name = single_line (q->name, 24);
          double avg = 0, p95 = 0, p99 = 0;

          if (q->latency != NULL)
            {
              avg = lb_latency_histogram_get_mean (q->latency) / 1000;
              p95 = lb_latency_histogram_get_percentile (q->latency, 95) / 1000;
              p99 = lb_latency_histogram_get_percentile (q->latency, 99) / 1000;
            }
          g_string_append_printf (out, "  %-24s %12" G_GUINT64_FORMAT " %8" G_GUINT64_FORMAT " %9.3f %9.3f %9.3f\n",
                                  name, q->executions, q->failed, avg, p95, p99);
        }
    }

  if (r->errors->len > 0)
    {
      g_string_append (out, _("errors by SQLSTATE:\n"));
      for (guint i = 0; i < r->errors->len; i++)
        {
          const LbErrorStats *e = g_ptr_array_index (r->errors, i);
          g_autofree char *message = single_line (e->message, 100);

          g_string_append_printf (out, "  %-5s %10" G_GUINT64_FORMAT "  %s\n", e->sqlstate, e->count, message);
        }
    }

  if (r->ladder->len > 0)
    {
      g_string_append (out, _("concurrency ladder:\n"));
      g_string_append_printf (out, "  %8s %12s %9s %9s %9s %9s\n",
                              _("clients"), _("tps"), _("avg ms"), _("p50 ms"), _("p95 ms"), _("p99 ms"));
      for (guint i = 0; i < r->ladder->len; i++)
        {
          const LbLadderStep *step = &g_array_index (r->ladder, LbLadderStep, i);

          g_string_append_printf (out, "  %8u %12.1f %9.3f %9.3f %9.3f %9.3f%s\n",
                                  step->clients, step->tps, step->latency_mean_ms, step->p50_ms,
                                  step->p95_ms, step->p99_ms,
                                  step->clients == r->knee_clients ? _("  ← knee") : "");
        }
      if (r->knee_clients > 0)
        g_string_append_printf (out, _("knee: %u clients (beyond it throughput stops growing while p95 latency climbs)\n"),
                                r->knee_clients);
      else
        g_string_append (out, _("knee: none found (throughput kept growing)\n"));
    }

  if (s->rate <= 0)
    g_string_append (out, _("note: a closed-loop run (no target rate): clients wait for each answer "
                            "before sending the next, so tail latencies understate what users "
                            "would see at a fixed arrival rate (coordinated omission). "
                            "Set a target rate to measure them from the scheduled start.\n"));

  return g_string_free (out, FALSE);
}
