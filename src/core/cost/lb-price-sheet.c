/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbPriceSheet: the built-in JSON sheet (a GResource) overlaid with a user's
 * file. An unknown key or a value of the wrong type or range is an error
 * naming it, so that a typo never falls back to a default unnoticed. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "lb-core.h"
#include "lb-price-sheet.h"

#define DEFAULT_RESOURCE "/io/github/lakebase/Accelerator/core/prices/default.json"

/* The clouds jobs_compute knows, in the order they are listed. */
static const char * const jobs_clouds[] = { "aws", "azure", "gcp" };
#define N_JOBS_CLOUDS G_N_ELEMENTS (jobs_clouds)

typedef struct
{
  char  *name;
  char  *cloud;        /* one of jobs_clouds (static) */
  guint  cores;
  double dbu_per_hour;
} JobsNodeType;

typedef struct
{
  double  dbu_price;
  char   *default_node_type;
} JobsCloud;

struct _LbPriceSheet
{
  GObject   parent_instance;

  LbPrices  prices;
  char     *name;
  char     *currency;

  /* jobs_compute: a map of node types, so not a fixed LbPrices leaf. */
  GPtrArray *jobs_node_types;   /* JobsNodeType* */
  JobsCloud  jobs_clouds[N_JOBS_CLOUDS];
  double     jobs_startup_minutes;
};

G_DEFINE_FINAL_TYPE (LbPriceSheet, lb_price_sheet, G_TYPE_OBJECT)

G_DEFINE_QUARK (lb-price-sheet-error-quark, lb_price_sheet_error)

enum {
  PROP_0,
  PROP_NAME,
  PROP_CURRENCY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef enum
{
  KEY_TEXT,             /* non-empty string */
  KEY_NUMBER,           /* double >= 0 */
  KEY_POSITIVE,         /* double > 0: the model divides by it */
  KEY_CU_TIERS,         /* 1-4 ascending integers >= 1 */
  KEY_STEPS,            /* 1-32 ascending numbers > 0 */
} KeyKind;

typedef enum
{
  /* Leaves that need more than a plain store get their own target. */
  TARGET_FIELD,
  TARGET_NAME,
  TARGET_CURRENCY,
  TARGET_CU_YEAR,
  TARGET_OVERHEAD_MINUTES,
} KeyTarget;

typedef struct
{
  const char *path;     /* dotted path in the JSON tree */
  KeyKind     kind;
  KeyTarget   target;
  gsize       offset;   /* into LbPrices, for TARGET_FIELD */
} KeyInfo;

#define FIELD(path, kind, member) { path, kind, TARGET_FIELD, G_STRUCT_OFFSET (LbPrices, member) }

/* Every leaf of the sheet. Objects on the way to a leaf ("autoscaling",
 * "sync_rate_gb_hour.SNAPSHOT") are implied by the paths. */
static const KeyInfo keys[] = {
  { "name", KEY_TEXT, TARGET_NAME, 0 },
  { "currency", KEY_TEXT, TARGET_CURRENCY, 0 },
  { "cu_year", KEY_NUMBER, TARGET_CU_YEAR, 0 },
  FIELD ("storage_gb_month", KEY_NUMBER, storage_gb_month),
  FIELD ("continuous_pipeline_month", KEY_NUMBER, continuous_pipeline_month),
  FIELD ("sync_hour", KEY_NUMBER, sync_hour),
  FIELD ("bulk_writes_per_cu", KEY_POSITIVE, bulk_writes_per_cu),
  FIELD ("continuous_writes_per_cu", KEY_POSITIVE, continuous_writes_per_cu),
  FIELD ("reads_per_cu", KEY_POSITIVE, reads_per_cu),
  FIELD ("sync_rate_gb_hour.SNAPSHOT.1", KEY_POSITIVE, sync_rate_gb_hour[LB_SYNC_MODE_SNAPSHOT][0]),
  FIELD ("sync_rate_gb_hour.SNAPSHOT.2", KEY_POSITIVE, sync_rate_gb_hour[LB_SYNC_MODE_SNAPSHOT][1]),
  FIELD ("sync_rate_gb_hour.SNAPSHOT.4", KEY_POSITIVE, sync_rate_gb_hour[LB_SYNC_MODE_SNAPSHOT][2]),
  FIELD ("sync_rate_gb_hour.TRIGGERED.1", KEY_POSITIVE, sync_rate_gb_hour[LB_SYNC_MODE_TRIGGERED][0]),
  FIELD ("sync_rate_gb_hour.TRIGGERED.2", KEY_POSITIVE, sync_rate_gb_hour[LB_SYNC_MODE_TRIGGERED][1]),
  FIELD ("sync_rate_gb_hour.TRIGGERED.4", KEY_POSITIVE, sync_rate_gb_hour[LB_SYNC_MODE_TRIGGERED][2]),
  { "sync_overhead_minutes", KEY_NUMBER, TARGET_OVERHEAD_MINUTES, 0 },
  FIELD ("syncs_per_week.Per week", KEY_NUMBER, syncs_per_week[LB_SYNC_FREQUENCY_PER_WEEK]),
  FIELD ("syncs_per_week.Per day", KEY_NUMBER, syncs_per_week[LB_SYNC_FREQUENCY_PER_DAY]),
  FIELD ("syncs_per_week.Per hour", KEY_NUMBER, syncs_per_week[LB_SYNC_FREQUENCY_PER_HOUR]),
  FIELD ("weeks_per_month", KEY_NUMBER, weeks_per_month),
  { "cu_tiers", KEY_CU_TIERS, TARGET_FIELD, 0 },
  FIELD ("autoscaling.cu_hour", KEY_NUMBER, autoscaling_cu_hour),
  FIELD ("autoscaling.storage_gb_month", KEY_NUMBER, autoscaling_storage_gb_month),
  FIELD ("autoscaling.hours_per_month", KEY_NUMBER, autoscaling_hours_per_month),
  { "autoscaling.steps", KEY_STEPS, TARGET_FIELD, 0 },
  FIELD ("autoscaling.max_spread_cu", KEY_POSITIVE, autoscaling_max_spread_cu),
  FIELD ("autoscaling.gb_per_cu", KEY_POSITIVE, autoscaling_gb_per_cu),
  FIELD ("limits.storage_gb", KEY_POSITIVE, storage_limit_gb),
  FIELD ("limits.connections_per_database", KEY_POSITIVE, connections_limit),
  FIELD ("limits.connections_per_synced_table", KEY_NUMBER, connections_per_synced_table),
  FIELD ("limits.assumed_query_latency_ms", KEY_NUMBER, assumed_query_latency_ms),
};

#undef FIELD

static const KeyInfo *
find_key (const char *path)
{
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      if (g_str_equal (keys[i].path, path))
        return &keys[i];
    }

  return NULL;
}

/* TRUE when @path names an object that holds leaves, e.g. "autoscaling". */
static gboolean
is_key_prefix (const char *path)
{
  gsize len = strlen (path);

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      if (strncmp (keys[i].path, path, len) == 0 && keys[i].path[len] == '.')
        return TRUE;
    }

  return FALSE;
}

static gboolean
node_get_number (JsonNode *node,
                 double   *value)
{
  GType type;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  type = json_node_get_value_type (node);
  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    return FALSE;

  *value = json_node_get_double (node);
  return TRUE;
}

static gboolean
set_invalid (GError     **error,
             const char  *file_name,
             const char  *path,
             const char  *rule)
{
  /* TRANSLATORS: "prices.json: “storage_gb_month” must be a number of 0 or more" */
  g_set_error (error, LB_PRICE_SHEET_ERROR, LB_PRICE_SHEET_ERROR_INVALID,
               _("%s: “%s” must be %s"), file_name, path, rule);
  return FALSE;
}

static gboolean
apply_cu_tiers (LbPriceSheet  *self,
                JsonNode      *node,
                const char    *file_name,
                const char    *path,
                GError       **error)
{
  JsonArray *array;
  guint n;
  guint tiers[G_N_ELEMENTS (self->prices.cu_tiers)];

  g_assert (LB_IS_PRICE_SHEET (self));

  if (!JSON_NODE_HOLDS_ARRAY (node))
    goto invalid;

  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n < 1 || n > G_N_ELEMENTS (tiers))
    goto invalid;

  for (guint i = 0; i < n; i++)
    {
      double value;

      if (!node_get_number (json_array_get_element (array, i), &value) ||
          value < 1 || value > 1024 || value != (guint) value ||
          (i > 0 && value <= tiers[i - 1]))
        goto invalid;

      tiers[i] = (guint) value;
    }

  memcpy (self->prices.cu_tiers, tiers, n * sizeof tiers[0]);
  self->prices.n_cu_tiers = n;
  return TRUE;

invalid:
  return set_invalid (error, file_name, path,
                      _("a list of 1 to 4 whole numbers of 1 or more, in increasing order"));
}

static gboolean
apply_steps (LbPriceSheet  *self,
             JsonNode      *node,
             const char    *file_name,
             const char    *path,
             GError       **error)
{
  JsonArray *array;
  guint n;
  double steps[LB_AUTOSCALING_MAX_STEPS];

  g_assert (LB_IS_PRICE_SHEET (self));

  if (!JSON_NODE_HOLDS_ARRAY (node))
    goto invalid;

  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n < 1 || n > LB_AUTOSCALING_MAX_STEPS)
    goto invalid;

  for (guint i = 0; i < n; i++)
    {
      double value;

      if (!node_get_number (json_array_get_element (array, i), &value) ||
          value <= 0 || (i > 0 && value <= steps[i - 1]))
        goto invalid;

      steps[i] = value;
    }

  memcpy (self->prices.autoscaling_steps, steps, n * sizeof steps[0]);
  self->prices.n_autoscaling_steps = n;
  return TRUE;

invalid:
  return set_invalid (error, file_name, path,
                      _("a list of 1 to 32 numbers greater than 0, in increasing order"));
}

static gboolean
apply_leaf (LbPriceSheet    *self,
            const KeyInfo   *info,
            JsonNode        *node,
            const char      *file_name,
            GError         **error)
{
  double value = 0;

  g_assert (LB_IS_PRICE_SHEET (self));

  switch (info->kind)
    {
    case KEY_TEXT:
      {
        const char *text = NULL;

        if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
          text = json_node_get_string (node);
        if (text == NULL || *text == '\0')
          return set_invalid (error, file_name, info->path, _("a non-empty text"));

        if (info->target == TARGET_NAME)
          {
            g_free (self->name);
            self->name = g_strdup (text);
          }
        else
          {
            g_free (self->currency);
            self->currency = g_strdup (text);
          }
        return TRUE;
      }

    case KEY_CU_TIERS:
      return apply_cu_tiers (self, node, file_name, info->path, error);

    case KEY_STEPS:
      return apply_steps (self, node, file_name, info->path, error);

    case KEY_NUMBER:
      if (!node_get_number (node, &value) || value < 0)
        return set_invalid (error, file_name, info->path, _("a number of 0 or more"));
      break;

    case KEY_POSITIVE:
      if (!node_get_number (node, &value) || value <= 0)
        return set_invalid (error, file_name, info->path, _("a number greater than 0"));
      break;

    default:
      g_assert_not_reached ();
    }

  switch (info->target)
    {
    case TARGET_FIELD:
      G_STRUCT_MEMBER (double, &self->prices, info->offset) = value;
      break;

    case TARGET_CU_YEAR:
      self->prices.cu_month = value / 12.0;
      break;

    case TARGET_OVERHEAD_MINUTES:
      self->prices.sync_overhead_hours = value / 60.0;
      break;

    case TARGET_NAME:
    case TARGET_CURRENCY:
    default:
      g_assert_not_reached ();
    }

  return TRUE;
}

static void
jobs_node_type_free (gpointer data)
{
  JobsNodeType *type = data;

  g_free (type->name);
  g_free (type);
}

static JobsNodeType *
find_jobs_node_type (LbPriceSheet *self,
                     const char   *name)
{
  for (guint i = 0; i < self->jobs_node_types->len; i++)
    {
      JobsNodeType *type = g_ptr_array_index (self->jobs_node_types, i);

      if (g_str_equal (type->name, name))
        return type;
    }

  return NULL;
}

static int
jobs_cloud_index (const char *cloud)
{
  for (guint i = 0; i < N_JOBS_CLOUDS; i++)
    {
      if (cloud != NULL && g_str_equal (jobs_clouds[i], cloud))
        return (int) i;
    }

  return -1;
}

static gboolean
node_get_text (JsonNode    *node,
               const char **text)
{
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;

  *text = json_node_get_string (node);
  return *text != NULL && **text != '\0';
}

static gboolean
set_unknown (GError     **error,
             const char  *file_name,
             const char  *path)
{
  g_set_error (error, LB_PRICE_SHEET_ERROR, LB_PRICE_SHEET_ERROR_INVALID,
               _("%s: unknown key “%s” (the keys are those of data/prices/default.json; keys starting with “_” are ignored)"),
               file_name, path);
  return FALSE;
}

/* One node type: a user file may change one figure of a known type, but a
 * new type needs both. */
static gboolean
apply_jobs_node_type (LbPriceSheet  *self,
                      const char    *cloud,
                      const char    *name,
                      JsonNode      *node,
                      const char    *file_name,
                      const char    *path,
                      GError       **error)
{
  JobsNodeType *type;
  JsonObjectIter iter;
  const char *member;
  JsonNode *value_node;
  double cores = -1, dbu_per_hour = -1;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return set_invalid (error, file_name, path, _("an object"));

  json_object_iter_init (&iter, json_node_get_object (node));
  while (json_object_iter_next (&iter, &member, &value_node))
    {
      g_autofree char *leaf = g_strconcat (path, ".", member, NULL);

      if (member[0] == '_')
        continue;
      if (g_str_equal (member, "cores"))
        {
          if (!node_get_number (value_node, &cores) || cores < 1 || cores > 1024 ||
              cores != (guint) cores)
            return set_invalid (error, file_name, leaf, _("a whole number of 1 or more"));
        }
      else if (g_str_equal (member, "dbu_per_hour"))
        {
          if (!node_get_number (value_node, &dbu_per_hour) || dbu_per_hour <= 0)
            return set_invalid (error, file_name, leaf, _("a number greater than 0"));
        }
      else
        return set_unknown (error, file_name, leaf);
    }

  type = find_jobs_node_type (self, name);
  if (type != NULL && !g_str_equal (type->cloud, cloud))
    {
      g_set_error (error, LB_PRICE_SHEET_ERROR, LB_PRICE_SHEET_ERROR_INVALID,
                   _("%s: “%s”: node type “%s” is already listed under %s"),
                   file_name, path, name, type->cloud);
      return FALSE;
    }
  if (type == NULL)
    {
      if (cores < 0 || dbu_per_hour < 0)
        return set_invalid (error, file_name, path,
                            _("an object with both “cores” and “dbu_per_hour” (a node type the built-in sheet does not have)"));
      type = g_new0 (JobsNodeType, 1);
      type->name = g_strdup (name);
      type->cloud = (char *) jobs_clouds[jobs_cloud_index (cloud)];
      g_ptr_array_add (self->jobs_node_types, type);
    }
  if (cores >= 0)
    type->cores = (guint) cores;
  if (dbu_per_hour >= 0)
    type->dbu_per_hour = dbu_per_hour;

  return TRUE;
}

static gboolean
apply_jobs_cloud (LbPriceSheet  *self,
                  guint          index,
                  JsonNode      *node,
                  const char    *file_name,
                  const char    *path,
                  GError       **error)
{
  JobsCloud *cloud = &self->jobs_clouds[index];
  JsonObjectIter iter;
  const char *member;
  JsonNode *value_node;
  const char *default_type = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return set_invalid (error, file_name, path, _("an object"));

  json_object_iter_init (&iter, json_node_get_object (node));
  while (json_object_iter_next (&iter, &member, &value_node))
    {
      g_autofree char *leaf = g_strconcat (path, ".", member, NULL);

      if (member[0] == '_')
        continue;
      if (g_str_equal (member, "dbu_price"))
        {
          if (!node_get_number (value_node, &cloud->dbu_price) || cloud->dbu_price <= 0)
            return set_invalid (error, file_name, leaf, _("a number greater than 0"));
        }
      else if (g_str_equal (member, "default_node_type"))
        {
          if (!node_get_text (value_node, &default_type))
            return set_invalid (error, file_name, leaf, _("a non-empty text"));
        }
      else if (g_str_equal (member, "node_types"))
        {
          JsonObjectIter types;
          const char *name;
          JsonNode *type_node;

          if (!JSON_NODE_HOLDS_OBJECT (value_node))
            return set_invalid (error, file_name, leaf, _("an object"));

          json_object_iter_init (&types, json_node_get_object (value_node));
          while (json_object_iter_next (&types, &name, &type_node))
            {
              g_autofree char *type_path = g_strconcat (leaf, ".", name, NULL);

              if (name[0] == '_')
                continue;
              if (!apply_jobs_node_type (self, jobs_clouds[index], name, type_node,
                                         file_name, type_path, error))
                return FALSE;
            }
        }
      else
        return set_unknown (error, file_name, leaf);
    }

  /* After the node types, so a file may add a type and make it the default. */
  if (default_type != NULL)
    {
      JobsNodeType *type = find_jobs_node_type (self, default_type);
      g_autofree char *leaf = g_strconcat (path, ".default_node_type", NULL);

      if (type == NULL || !g_str_equal (type->cloud, jobs_clouds[index]))
        return set_invalid (error, file_name, leaf, _("one of this cloud’s node types"));
      g_free (cloud->default_node_type);
      cloud->default_node_type = g_strdup (default_type);
    }

  return TRUE;
}

static gboolean
apply_jobs_compute (LbPriceSheet  *self,
                    JsonNode      *node,
                    const char    *file_name,
                    GError       **error)
{
  JsonObjectIter iter;
  const char *member;
  JsonNode *value_node;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return set_invalid (error, file_name, "jobs_compute", _("an object"));

  json_object_iter_init (&iter, json_node_get_object (node));
  while (json_object_iter_next (&iter, &member, &value_node))
    {
      g_autofree char *leaf = g_strconcat ("jobs_compute.", member, NULL);

      if (member[0] == '_')
        continue;
      if (g_str_equal (member, "startup_minutes"))
        {
          if (!node_get_number (value_node, &self->jobs_startup_minutes) ||
              self->jobs_startup_minutes < 0)
            return set_invalid (error, file_name, leaf, _("a number of 0 or more"));
        }
      else if (g_str_equal (member, "clouds"))
        {
          JsonObjectIter clouds;
          const char *cloud;
          JsonNode *cloud_node;

          if (!JSON_NODE_HOLDS_OBJECT (value_node))
            return set_invalid (error, file_name, leaf, _("an object"));

          json_object_iter_init (&clouds, json_node_get_object (value_node));
          while (json_object_iter_next (&clouds, &cloud, &cloud_node))
            {
              g_autofree char *cloud_path = g_strconcat (leaf, ".", cloud, NULL);
              int index;

              if (cloud[0] == '_')
                continue;
              index = jobs_cloud_index (cloud);
              if (index < 0)
                return set_unknown (error, file_name, cloud_path);
              if (!apply_jobs_cloud (self, (guint) index, cloud_node, file_name, cloud_path, error))
                return FALSE;
            }
        }
      else
        return set_unknown (error, file_name, leaf);
    }

  return TRUE;
}

/* Walks @object (found at @prefix, "" for the root) and stores every leaf it
 * holds. @seen, when given, collects the leaves found so that the built-in
 * sheet can be checked for completeness. */
static gboolean
apply_object (LbPriceSheet  *self,
              JsonObject    *object,
              const char    *prefix,
              const char    *file_name,
              GHashTable    *seen,
              GError       **error)
{
  JsonObjectIter iter;
  const char *member;
  JsonNode *node;

  g_assert (LB_IS_PRICE_SHEET (self));

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &member, &node))
    {
      g_autofree char *path = NULL;
      const KeyInfo *info;

      /* "_comment" and friends: room for notes, as JSON has no comments. */
      if (member[0] == '_')
        continue;

      path = *prefix ? g_strconcat (prefix, ".", member, NULL) : g_strdup (member);

      if (*prefix == '\0' && g_str_equal (member, "jobs_compute"))
        {
          if (!apply_jobs_compute (self, node, file_name, error))
            return FALSE;
          if (seen != NULL)
            g_hash_table_add (seen, (gpointer) "jobs_compute");
          continue;
        }

      /* A dot inside a member name would fake a nested path. */
      info = strchr (member, '.') == NULL ? find_key (path) : NULL;
      if (info != NULL)
        {
          if (!apply_leaf (self, info, node, file_name, error))
            return FALSE;
          if (seen != NULL)
            g_hash_table_add (seen, (gpointer) info->path);
        }
      else if (strchr (member, '.') == NULL && is_key_prefix (path))
        {
          if (!JSON_NODE_HOLDS_OBJECT (node))
            return set_invalid (error, file_name, path, _("an object"));
          if (!apply_object (self, json_node_get_object (node), path, file_name, seen, error))
            return FALSE;
        }
      else
        {
          g_set_error (error, LB_PRICE_SHEET_ERROR, LB_PRICE_SHEET_ERROR_INVALID,
                       _("%s: unknown key “%s” (the keys are those of data/prices/default.json; keys starting with “_” are ignored)"),
                       file_name, path);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
apply_data (LbPriceSheet  *self,
            const char    *data,
            gssize         length,
            const char    *file_name,
            GHashTable    *seen,
            GError       **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  g_assert (LB_IS_PRICE_SHEET (self));

  if (!json_parser_load_from_data (parser, data, length, &local_error))
    {
      g_set_error (error, LB_PRICE_SHEET_ERROR, LB_PRICE_SHEET_ERROR_PARSE,
                   _("%s: not valid JSON: %s"), file_name, local_error->message);
      return FALSE;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, LB_PRICE_SHEET_ERROR, LB_PRICE_SHEET_ERROR_INVALID,
                   _("%s: a price sheet must be a JSON object ({ … })"), file_name);
      return FALSE;
    }

  return apply_object (self, json_node_get_object (root), "", file_name, seen, error);
}

static void
lb_price_sheet_finalize (GObject *object)
{
  LbPriceSheet *self = (LbPriceSheet *)object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->currency, g_free);
  g_clear_pointer (&self->jobs_node_types, g_ptr_array_unref);
  for (guint i = 0; i < N_JOBS_CLOUDS; i++)
    g_clear_pointer (&self->jobs_clouds[i].default_node_type, g_free);

  G_OBJECT_CLASS (lb_price_sheet_parent_class)->finalize (object);
}

static void
lb_price_sheet_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  LbPriceSheet *self = LB_PRICE_SHEET (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, lb_price_sheet_get_name (self));
      break;

    case PROP_CURRENCY:
      g_value_set_string (value, lb_price_sheet_get_currency (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_price_sheet_class_init (LbPriceSheetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lb_price_sheet_finalize;
  object_class->get_property = lb_price_sheet_get_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CURRENCY] =
    g_param_spec_string ("currency", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lb_price_sheet_init (LbPriceSheet *self)
{
  self->jobs_node_types = g_ptr_array_new_with_free_func (jobs_node_type_free);
}

LbPriceSheet *
lb_price_sheet_new_default (void)
{
  g_autoptr(LbPriceSheet) self = g_object_new (LB_TYPE_PRICE_SHEET, NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  gsize size;
  const char *data;

  lb_core_init ();

  /* The built-in sheet is part of the program: if it is broken, so is the build. */
  bytes = g_resources_lookup_data (DEFAULT_RESOURCE, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (bytes == NULL)
    g_error ("Built-in price sheet missing: %s", error->message);

  data = g_bytes_get_data (bytes, &size);
  if (!apply_data (self, data, size, "default.json", seen, &error))
    g_error ("Built-in price sheet broken: %s", error->message);

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      if (!g_hash_table_contains (seen, keys[i].path))
        g_error ("Built-in price sheet lacks “%s”", keys[i].path);
    }
  for (guint i = 0; i < N_JOBS_CLOUDS; i++)
    {
      if (self->jobs_clouds[i].dbu_price <= 0 || self->jobs_clouds[i].default_node_type == NULL)
        g_error ("Built-in price sheet lacks jobs_compute.clouds.%s", jobs_clouds[i]);
    }

  return g_steal_pointer (&self);
}

static LbPriceSheet *
new_from_data_named (const char  *data,
                     gssize       length,
                     const char  *file_name,
                     GError     **error)
{
  g_autoptr(LbPriceSheet) self = lb_price_sheet_new_default ();

  if (!apply_data (self, data, length, file_name, NULL, error))
    return NULL;

  return g_steal_pointer (&self);
}

LbPriceSheet *
lb_price_sheet_new_from_data (const char  *data,
                              gssize       length,
                              GError     **error)
{
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return new_from_data_named (data, length, "<input>", error);
}

LbPriceSheet *
lb_price_sheet_new_from_file (GFile   *file,
                              GError **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *basename = NULL;
  gsize length;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  basename = g_file_get_basename (file);
  if (!g_file_load_contents (file, NULL, &contents, &length, NULL, error))
    {
      /* The same "FILE: what is wrong" shape as every other sheet error. */
      g_prefix_error (error, "%s: ", basename);
      return NULL;
    }

  return new_from_data_named (contents, length, basename, error);
}

GFile *
lb_price_sheet_get_user_file (void)
{
  return g_file_new_build_filename (g_get_user_config_dir (),
                                    "lakebase-accelerator", "prices.json", NULL);
}

LbPriceSheet *
lb_price_sheet_new_for_user (GError **error)
{
  g_autoptr(GFile) file = lb_price_sheet_get_user_file ();
  g_autoptr(GError) local_error = NULL;
  LbPriceSheet *self;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = lb_price_sheet_new_from_file (file, &local_error);
  if (self != NULL)
    return self;

  /* No user file is the normal case; any other failure must be seen. */
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    return lb_price_sheet_new_default ();

  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

const LbPrices *
lb_price_sheet_get_prices (LbPriceSheet *self)
{
  g_return_val_if_fail (LB_IS_PRICE_SHEET (self), NULL);

  return &self->prices;
}

const char *
lb_price_sheet_get_name (LbPriceSheet *self)
{
  g_return_val_if_fail (LB_IS_PRICE_SHEET (self), NULL);

  return self->name;
}

const char *
lb_price_sheet_get_currency (LbPriceSheet *self)
{
  g_return_val_if_fail (LB_IS_PRICE_SHEET (self), NULL);

  return self->currency;
}

/* JobsNodeType has LbJobsNodeType's members in the same order, so the
 * public view is a cast. */
G_STATIC_ASSERT (G_STRUCT_OFFSET (JobsNodeType, name) == G_STRUCT_OFFSET (LbJobsNodeType, name));
G_STATIC_ASSERT (G_STRUCT_OFFSET (JobsNodeType, cloud) == G_STRUCT_OFFSET (LbJobsNodeType, cloud));
G_STATIC_ASSERT (G_STRUCT_OFFSET (JobsNodeType, cores) == G_STRUCT_OFFSET (LbJobsNodeType, cores));
G_STATIC_ASSERT (G_STRUCT_OFFSET (JobsNodeType, dbu_per_hour) == G_STRUCT_OFFSET (LbJobsNodeType, dbu_per_hour));

const LbJobsNodeType *
lb_price_sheet_find_jobs_node_type (LbPriceSheet *self,
                                    const char   *name)
{
  g_return_val_if_fail (LB_IS_PRICE_SHEET (self), NULL);

  if (name == NULL)
    return NULL;

  return (const LbJobsNodeType *) find_jobs_node_type (self, name);
}

static int
compare_node_types (gconstpointer a,
                    gconstpointer b)
{
  const LbJobsNodeType *ta = *(const LbJobsNodeType **) a;
  const LbJobsNodeType *tb = *(const LbJobsNodeType **) b;
  int ca = jobs_cloud_index (ta->cloud), cb = jobs_cloud_index (tb->cloud);

  if (ca != cb)
    return ca - cb;
  return g_strcmp0 (ta->name, tb->name);
}

GPtrArray *
lb_price_sheet_list_jobs_node_types (LbPriceSheet *self,
                                     const char   *cloud)
{
  GPtrArray *list;

  g_return_val_if_fail (LB_IS_PRICE_SHEET (self), NULL);

  list = g_ptr_array_new ();
  for (guint i = 0; i < self->jobs_node_types->len; i++)
    {
      JobsNodeType *type = g_ptr_array_index (self->jobs_node_types, i);

      if (cloud == NULL || g_str_equal (type->cloud, cloud))
        g_ptr_array_add (list, type);
    }
  g_ptr_array_sort (list, compare_node_types);

  return list;
}

double
lb_price_sheet_get_jobs_dbu_price (LbPriceSheet *self,
                                   const char   *cloud)
{
  int index;

  g_return_val_if_fail (LB_IS_PRICE_SHEET (self), 0);

  index = jobs_cloud_index (cloud);
  return index < 0 ? 0 : self->jobs_clouds[index].dbu_price;
}

const char *
lb_price_sheet_get_jobs_default_node_type (LbPriceSheet *self,
                                           const char   *cloud)
{
  int index;

  g_return_val_if_fail (LB_IS_PRICE_SHEET (self), NULL);

  index = jobs_cloud_index (cloud);
  return index < 0 ? NULL : self->jobs_clouds[index].default_node_type;
}

double
lb_price_sheet_get_jobs_startup_minutes (LbPriceSheet *self)
{
  g_return_val_if_fail (LB_IS_PRICE_SHEET (self), 0);

  return self->jobs_startup_minutes;
}
