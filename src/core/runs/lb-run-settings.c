/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The settings of a run (validation, ladder, JSON), protocols and modes,
 * and the checked JSON readers the record shares. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-run-record-private.h"

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
  self->max_tries = 1;
  self->scale = 1;

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
  copy->defines = g_strdupv (self->defines);

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
  g_strfreev (self->defines);
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

  if (self->max_tries == 0 && self->mode == LB_RUN_MODE_COUNT && self->latency_limit <= 0)
    return invalid_setting (error, _("An unlimited number of transaction tries can only be used "
                                     "with a latency limit or a duration"));

  if (self->max_tries != 1 && self->pipeline_depth > 0)
    return invalid_setting (error, _("Retries (max tries %u) cannot be combined with a pipeline depth: "
                                     "a retried transaction must re-run alone, and pipelining sends "
                                     "the next transactions before it ends. Use a pipeline depth of 0, "
                                     "or \\startpipeline … \\endpipeline in the script"),
                            self->max_tries);

  if (self->scale == 0)
    return invalid_setting (error, _("The scale must be at least 1"));

  for (guint i = 0; self->defines != NULL && self->defines[i] != NULL; i++)
    {
      const char *eq = strchr (self->defines[i], '=');

      if (eq == NULL || eq == self->defines[i])
        return invalid_setting (error, _("Invalid variable definition “%s”: expected NAME=VALUE"),
                                self->defines[i]);
    }

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
  json_builder_set_member_name (builder, "max_tries");
  json_builder_add_int_value (builder, self->max_tries);
  json_builder_set_member_name (builder, "scale");
  json_builder_add_int_value (builder, self->scale);
  json_builder_set_member_name (builder, "defines");
  json_builder_begin_array (builder);
  for (guint i = 0; self->defines != NULL && self->defines[i] != NULL; i++)
    json_builder_add_string_value (builder, self->defines[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* Reading JSON: every member is checked before it is used. */

gboolean
lb_run_json_bad_member (GError     **error,
            const char  *where,
            const char  *name,
            const char  *expected)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               _("In the run record’s %s, “%s” is missing or not %s"), where, name, expected);
  return FALSE;
}

gboolean
lb_run_json_read_double (JsonObject  *object,
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
    return lb_run_json_bad_member (error, where, name, _("a number"));

  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    *value = (double) json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    *value = json_node_get_double (node);
  else
    return lb_run_json_bad_member (error, where, name, _("a number"));

  if (!isfinite (*value))
    return lb_run_json_bad_member (error, where, name, _("a number"));

  return TRUE;
}

gboolean
lb_run_json_read_uint64 (JsonObject  *object,
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
    return lb_run_json_bad_member (error, where, name, _("a non-negative integer"));

  *value = (guint64) json_node_get_int (node);
  return TRUE;
}

gboolean
lb_run_json_read_uint (JsonObject  *object,
           const char  *where,
           const char  *name,
           gboolean     required,
           guint       *value,
           GError     **error)
{
  guint64 wide = *value;

  if (!lb_run_json_read_uint64 (object, where, name, required, G_MAXUINT, &wide, error))
    return FALSE;

  *value = (guint) wide;
  return TRUE;
}

gboolean
lb_run_json_read_string (JsonObject   *object,
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
    return lb_run_json_bad_member (error, where, name, _("a string"));

  *value = json_node_get_string (node);
  return TRUE;
}

gboolean
lb_run_json_read_boolean (JsonObject  *object,
              const char  *where,
              const char  *name,
              gboolean    *value,
              GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return lb_run_json_bad_member (error, where, name, _("true or false"));

  *value = json_node_get_boolean (node);
  return TRUE;
}

JsonArray *
lb_run_json_read_array (JsonObject  *object,
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
      lb_run_json_bad_member (error, where, name, _("an array"));
      return NULL;
    }

  return json_node_get_array (node);
}

JsonObject *
lb_run_json_element_object (JsonArray   *array,
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

  if (!lb_run_json_read_string (object, "settings", "conninfo", FALSE, &conninfo, error)
      || !lb_run_json_read_string (object, "settings", "target", FALSE, &target, error)
      || !lb_run_json_read_uint (object, "settings", "clients", FALSE, &self->clients, error)
      || !lb_run_json_read_uint (object, "settings", "threads", FALSE, &self->threads, error)
      || !lb_run_json_read_string (object, "settings", "protocol", FALSE, &protocol, error)
      || !lb_run_json_read_uint (object, "settings", "pipeline_depth", FALSE, &self->pipeline_depth, error)
      || !lb_run_json_read_string (object, "settings", "mode", FALSE, &mode, error)
      || !lb_run_json_read_double (object, "settings", "duration", FALSE, &self->duration, error)
      || !lb_run_json_read_uint64 (object, "settings", "transactions", FALSE, G_MAXINT64, &self->transactions, error)
      || !lb_run_json_read_double (object, "settings", "warmup", FALSE, &self->warmup, error)
      || !lb_run_json_read_double (object, "settings", "rate", FALSE, &self->rate, error)
      || !lb_run_json_read_double (object, "settings", "latency_limit", FALSE, &self->latency_limit, error)
      || !lb_run_json_read_double (object, "settings", "interval", FALSE, &self->interval, error)
      || !lb_run_json_read_uint (object, "settings", "max_tries", FALSE, &self->max_tries, error)
      || !lb_run_json_read_uint (object, "settings", "scale", FALSE, &self->scale, error))
    return NULL;

  if (json_object_has_member (object, "defines"))
    {
      JsonNode *defines = json_object_get_member (object, "defines");
      g_autoptr(GStrvBuilder) strv = g_strv_builder_new ();
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (defines))
        {
          lb_run_json_bad_member (error, "settings", "defines", _("an array of “NAME=VALUE” strings"));
          return NULL;
        }
      array = json_node_get_array (defines);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *item = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING)
            {
              lb_run_json_bad_member (error, "settings", "defines", _("an array of “NAME=VALUE” strings"));
              return NULL;
            }
          g_strv_builder_add (strv, json_node_get_string (item));
        }
      if (json_array_get_length (array) > 0)
        self->defines = g_strv_builder_end (strv);
    }

  seed_node = json_object_get_member (object, "seed");
  if (seed_node != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (seed_node) || json_node_get_value_type (seed_node) != G_TYPE_INT64)
        {
          lb_run_json_bad_member (error, "settings", "seed", _("an integer"));
          return NULL;
        }
      seed = (guint64) json_node_get_int (seed_node);
    }
  self->seed = seed;

  if (protocol != NULL && !lb_protocol_from_string (protocol, &self->protocol))
    {
      lb_run_json_bad_member (error, "settings", "protocol", "“simple”, “extended” or “prepared”");
      return NULL;
    }
  if (mode != NULL && !lb_run_mode_from_string (mode, &self->mode))
    {
      lb_run_json_bad_member (error, "settings", "mode", "“duration”, “count” or “ladder”");
      return NULL;
    }

  ladder = lb_run_json_read_array (object, "settings", "ladder", FALSE, error);
  if (ladder == NULL)
    return NULL;
  if (json_array_get_length (ladder) > MAX_LADDER_STEPS)
    {
      lb_run_json_bad_member (error, "settings", "ladder", _("a short list of client counts"));
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
          lb_run_json_bad_member (error, "settings", "ladder", _("a list of client counts"));
          return NULL;
        }
      self->ladder[i] = (guint) json_node_get_int (step);
    }

  /* A file written by hand or by an older version may still hold a secret:
   * it is not kept in memory, so it is never shown or exported again. */
  self->conninfo = lb_conninfo_strip_password (conninfo);
  self->target_label = target != NULL && *target != '\0' ? g_strdup (target) : NULL;

  return g_steal_pointer (&self);
}
