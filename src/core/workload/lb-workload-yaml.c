/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The workload's YAML, the web tool's format: loading with every field
 * checked and FILE:LINE:COLUMN errors, and saving, which splices only the
 * changed values into the loaded text (lb-yaml-splice.c) so that comments
 * and unknown keys survive. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-workload.h"
#include "lb-yaml-node.h"

#define SECTION_SYNC "delta_synchronization"
#define SECTION_OURS "lakebase_accelerator"
#define KEY_TABLES   "tables_to_sync"

/* In the order a new file gets them; the first three are the web tool's. */
static const char * const sections[] = {
  "database_instance",
  "database_storage",
  SECTION_SYNC,
  SECTION_OURS,
};

static gboolean
is_section (const char *key)
{
  if (key == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
    {
      if (g_str_equal (key, sections[i]))
        return TRUE;
    }

  return FALSE;
}

static void set_node_error (GError           **error,
                            const char        *display_name,
                            const LbYamlNode  *node,
                            LbWorkloadError    code,
                            const char        *format,
                            ...) G_GNUC_PRINTF (5, 6);

static void
set_node_error (GError           **error,
                const char        *display_name,
                const LbYamlNode  *node,
                LbWorkloadError    code,
                const char        *format,
                ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, LB_WORKLOAD_ERROR, code, "%s:%u:%u: %s",
               display_name, lb_yaml_node_get_line (node), lb_yaml_node_get_column (node),
               message);
}

static const char *
describe_expected (LbFieldKind kind)
{
  switch (kind)
    {
    case LB_FIELD_NUMBER:
      return _("a number");
    case LB_FIELD_INTEGER:
      return _("a whole number");
    case LB_FIELD_SYNC_MODE:
    case LB_FIELD_SYNC_FREQUENCY:
    case LB_FIELD_FLAVOUR:
    case LB_FIELD_STRING:
    default:
      return _("text");
    }
}

/* Loading */

static gboolean
load_field (LbWorkload             *self,
            const char             *display_name,
            const LbWorkloadField  *field,
            const LbYamlNode       *node,
            GError                **error)
{
  g_autoptr(GError) local_error = NULL;

  /* "key:" with nothing after it reads as missing: the default stays. */
  if (lb_yaml_node_is_null (node))
    return TRUE;

  if (lb_yaml_node_get_kind (node) != LB_YAML_NODE_SCALAR)
    {
      set_node_error (error, display_name, node, LB_WORKLOAD_ERROR_TYPE,
                      _("%s: expected %s, found %s"),
                      field->key, describe_expected (field->kind), lb_yaml_node_describe (node));
      return FALSE;
    }

  if (!lb_workload_set_field_from_string (self, field, lb_yaml_node_get_scalar (node),
                                          &local_error))
    {
      set_node_error (error, display_name, node, local_error->code,
                      "%s: %s", field->key, local_error->message);
      return FALSE;
    }

  return TRUE;
}

static LbSyncedTable *
load_table (const char        *display_name,
            const LbYamlNode  *node,
            GError           **error)
{
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GError) local_error = NULL;
  LbSyncMode policy = LB_SYNC_MODE_SNAPSHOT;
  LbYamlNode *name_node;
  LbYamlNode *keys_node;
  LbYamlNode *policy_node;
  const char *name;
  guint n_keys;

  if (lb_yaml_node_get_kind (node) != LB_YAML_NODE_MAPPING)
    {
      set_node_error (error, display_name, node, LB_WORKLOAD_ERROR_TYPE,
                      _("%s: expected a map with name and primary_keys, found %s"),
                      KEY_TABLES, lb_yaml_node_describe (node));
      return NULL;
    }

  name_node = lb_yaml_node_lookup (node, "name");
  if (name_node == NULL || lb_yaml_node_is_null (name_node))
    {
      set_node_error (error, display_name, node, LB_WORKLOAD_ERROR_TABLE,
                      _("This table has no name"));
      return NULL;
    }
  if (lb_yaml_node_get_kind (name_node) != LB_YAML_NODE_SCALAR)
    {
      set_node_error (error, display_name, name_node, LB_WORKLOAD_ERROR_TYPE,
                      _("%s: expected %s, found %s"),
                      "name", _("text"), lb_yaml_node_describe (name_node));
      return NULL;
    }
  name = lb_yaml_node_get_scalar (name_node);
  if (!lb_synced_table_name_is_valid (name, &local_error))
    {
      set_node_error (error, display_name, name_node, local_error->code,
                      "%s", local_error->message);
      return NULL;
    }

  keys_node = lb_yaml_node_lookup (node, "primary_keys");
  if (keys_node == NULL || lb_yaml_node_is_null (keys_node))
    {
      set_node_error (error, display_name, node, LB_WORKLOAD_ERROR_TABLE,
                      _("Table “%s” has no primary_keys"), name);
      return NULL;
    }
  if (lb_yaml_node_get_kind (keys_node) != LB_YAML_NODE_SEQUENCE)
    {
      set_node_error (error, display_name, keys_node, LB_WORKLOAD_ERROR_TYPE,
                      _("%s: expected a list of column names, found %s"),
                      "primary_keys", lb_yaml_node_describe (keys_node));
      return NULL;
    }

  n_keys = lb_yaml_node_get_n_children (keys_node);
  if (n_keys == 0)
    {
      set_node_error (error, display_name, keys_node, LB_WORKLOAD_ERROR_TABLE,
                      _("Table “%s” has no primary keys"), name);
      return NULL;
    }

  keys = g_ptr_array_new ();
  for (guint i = 0; i < n_keys; i++)
    {
      LbYamlNode *key_node = lb_yaml_node_get_item (keys_node, i);
      const char *key = lb_yaml_node_get_scalar (key_node);

      if (key == NULL)
        {
          set_node_error (error, display_name, key_node, LB_WORKLOAD_ERROR_TYPE,
                          _("%s: expected a column name, found %s"),
                          "primary_keys", lb_yaml_node_describe (key_node));
          return NULL;
        }
      if (!lb_synced_table_primary_key_is_valid (key, &local_error))
        {
          set_node_error (error, display_name, key_node, local_error->code,
                          "%s", local_error->message);
          return NULL;
        }
      for (guint j = 0; j < keys->len; j++)
        {
          if (g_str_equal (key, g_ptr_array_index (keys, j)))
            {
              set_node_error (error, display_name, key_node, LB_WORKLOAD_ERROR_TABLE,
                              _("Table “%s” lists the primary key “%s” twice"), name, key);
              return NULL;
            }
        }
      g_ptr_array_add (keys, (gpointer) key);
    }
  g_ptr_array_add (keys, NULL);

  policy_node = lb_yaml_node_lookup (node, "scheduling_policy");
  if (policy_node != NULL && !lb_yaml_node_is_null (policy_node))
    {
      const char *text = lb_yaml_node_get_scalar (policy_node);

      if (text == NULL)
        {
          set_node_error (error, display_name, policy_node, LB_WORKLOAD_ERROR_TYPE,
                          _("%s: expected %s, found %s"),
                          "scheduling_policy", _("text"), lb_yaml_node_describe (policy_node));
          return NULL;
        }
      if (!lb_sync_mode_from_string (text, &policy))
        {
          set_node_error (error, display_name, policy_node, LB_WORKLOAD_ERROR_UNKNOWN_VALUE,
                          _("Unknown scheduling policy “%s”: "
                            "use SNAPSHOT, TRIGGERED or CONTINUOUS"),
                          text);
          return NULL;
        }
    }

  return lb_synced_table_new (name, (const char * const *) keys->pdata, policy);
}

static gboolean
load_tables (LbWorkload        *self,
             const char        *display_name,
             const LbYamlNode  *node,
             GError           **error)
{
  g_autoptr(GHashTable) seen = NULL;
  guint n;

  if (lb_yaml_node_is_null (node))
    return TRUE;

  if (lb_yaml_node_get_kind (node) != LB_YAML_NODE_SEQUENCE)
    {
      set_node_error (error, display_name, node, LB_WORKLOAD_ERROR_TYPE,
                      _("%s: expected a list of tables, found %s"),
                      KEY_TABLES, lb_yaml_node_describe (node));
      return FALSE;
    }

  /* Case-folded name → its node, to point at the first one. */
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  n = lb_yaml_node_get_n_children (node);

  for (guint i = 0; i < n; i++)
    {
      LbYamlNode *item = lb_yaml_node_get_item (node, i);
      g_autoptr(LbSyncedTable) table = load_table (display_name, item, error);
      LbYamlNode *name_node;
      LbYamlNode *first;
      char *folded;

      if (table == NULL)
        return FALSE;

      name_node = lb_yaml_node_lookup (item, "name");
      folded = g_utf8_casefold (lb_synced_table_get_name (table), -1);
      first = g_hash_table_lookup (seen, folded);
      if (first != NULL)
        {
          set_node_error (error, display_name, name_node, LB_WORKLOAD_ERROR_TABLE,
                          _("Table “%s” is listed twice (first at line %u)"),
                          lb_synced_table_get_name (table), lb_yaml_node_get_line (first));
          g_free (folded);
          return FALSE;
        }
      g_hash_table_insert (seen, folded, name_node);

      _lb_synced_table_set_extra (table, lb_yaml_node_ref (item),
                                  (GDestroyNotify) lb_yaml_node_unref);
      lb_workload_add_table (self, table);
    }

  return TRUE;
}

static gboolean
load_section (LbWorkload        *self,
              const char        *display_name,
              const char        *section,
              const LbYamlNode  *node,
              GError           **error)
{
  guint n;

  if (lb_yaml_node_is_null (node))
    return TRUE;

  if (lb_yaml_node_get_kind (node) != LB_YAML_NODE_MAPPING)
    {
      set_node_error (error, display_name, node, LB_WORKLOAD_ERROR_TYPE,
                      _("%s: expected a map of settings, found %s"),
                      section, lb_yaml_node_describe (node));
      return FALSE;
    }

  n = lb_yaml_node_get_n_children (node);
  for (guint i = 0; i < n; i++)
    {
      const char *key = lb_yaml_node_get_key_string (node, i);
      LbYamlNode *value = lb_yaml_node_get_value (node, i);
      const LbWorkloadField *field;

      /* Anything we do not know stays in the tree for the save. */
      if (key == NULL)
        continue;

      field = lb_workload_find_field (section, key);
      if (field != NULL)
        {
          if (!load_field (self, display_name, field, value, error))
            return FALSE;
        }
      else if (g_str_equal (section, SECTION_SYNC) && g_str_equal (key, KEY_TABLES))
        {
          if (!load_tables (self, display_name, value, error))
            return FALSE;
        }
    }

  return TRUE;
}

static gboolean
is_blank (const char *data,
          gsize       length)
{
  for (gsize i = 0; i < length; i++)
    {
      if (strchr (" \t\r\n", data[i]) == NULL || data[i] == '\0')
        return FALSE;
    }
  return TRUE;
}

static void
set_empty_error (GError     **error,
                 const char  *display_name)
{
  g_set_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_EMPTY,
               _("%s is empty: no workload in it"), display_name);
}

LbWorkload *
lb_workload_new_from_data (const char  *data,
                           gssize       length,
                           const char  *display_name,
                           GError     **error)
{
  g_autoptr(LbWorkload) self = NULL;
  g_autoptr(LbYamlNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  guint n;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length < 0)
    length = strlen (data);
  if (display_name == NULL)
    display_name = "<input>";

  /* Checked first: libyaml refuses a stray tab before it sees the end. */
  if (is_blank (data, length))
    {
      set_empty_error (error, display_name);
      return NULL;
    }

  root = lb_yaml_node_parse (data, length, display_name, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* Estimating nothing with every default would look like a real answer. */
  if (root == NULL || lb_yaml_node_is_null (root))
    {
      set_empty_error (error, display_name);
      return NULL;
    }

  self = lb_workload_new ();

  if (lb_yaml_node_get_kind (root) != LB_YAML_NODE_MAPPING)
    {
      set_node_error (error, display_name, root, LB_WORKLOAD_ERROR_TYPE,
                      _("The top level must be a map of sections such as "
                        "database_instance, not %s"),
                      lb_yaml_node_describe (root));
      return NULL;
    }

  n = lb_yaml_node_get_n_children (root);
  for (guint i = 0; i < n; i++)
    {
      const char *key = lb_yaml_node_get_key_string (root, i);

      if (is_section (key) &&
          !load_section (self, display_name, key, lb_yaml_node_get_value (root, i), error))
        return NULL;
    }

  _lb_workload_set_extra (self, g_steal_pointer (&root), (GDestroyNotify) lb_yaml_node_unref);

  return g_steal_pointer (&self);
}

LbWorkload *
lb_workload_new_from_file (GFile   *file,
                           GError **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *basename = NULL;
  g_autoptr(GError) local_error = NULL;
  LbWorkload *self;
  gsize length;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  basename = g_file_get_basename (file);

  if (!g_file_load_contents (file, NULL, &contents, &length, NULL, &local_error))
    {
      g_set_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_IO,
                   "%s: %s", basename, local_error->message);
      return NULL;
    }

  self = lb_workload_new_from_data (contents, length, basename, error);
  if (self != NULL)
    lb_workload_set_file (self, file);

  return self;
}

/* Saving */

static LbYamlNode *
new_key (LbYamlNode *source_key,
         const char *key)
{
  /* The source's key node keeps its quoting. */
  if (source_key != NULL)
    return lb_yaml_node_ref (source_key);
  return lb_yaml_node_new_scalar (key, LB_YAML_STYLE_PLAIN);
}

/* A text value: as the source wrote it if unchanged, else plain unless a
 * YAML 1.1 reader would see a number, boolean or null in it. */
static LbYamlNode *
new_text (const char       *text,
          const LbYamlNode *source)
{
  if (source != NULL &&
      lb_yaml_node_get_kind (source) == LB_YAML_NODE_SCALAR &&
      !lb_yaml_node_is_null (source) &&
      g_strcmp0 (lb_yaml_node_get_scalar (source), text) == 0)
    return lb_yaml_node_new_scalar (text, lb_yaml_node_get_style (source));

  if (lb_yaml_text_needs_quotes (text))
    return lb_yaml_node_new_scalar (text, LB_YAML_STYLE_DOUBLE_QUOTED);
  return lb_yaml_node_new_scalar (text, LB_YAML_STYLE_ANY);
}

/* TRUE if @source, read as @field, gives the value @self holds: then its
 * spelling ("1.50", "8_000", "triggered") is kept. */
static gboolean
source_holds_value (LbWorkload            *self,
                    const LbWorkloadField *field,
                    const LbYamlNode      *source,
                    const char            *text)
{
  g_autoptr(LbWorkload) scratch = NULL;
  g_autofree char *source_text = NULL;

  if (source == NULL || lb_yaml_node_get_kind (source) != LB_YAML_NODE_SCALAR ||
      lb_yaml_node_is_null (source))
    return FALSE;

  scratch = lb_workload_new ();
  if (!lb_workload_set_field_from_string (scratch, field, lb_yaml_node_get_scalar (source), NULL))
    return FALSE;
  source_text = lb_workload_dup_field_string (scratch, field);

  return g_str_equal (source_text, text);
}

static LbYamlNode *
new_field_value (LbWorkload            *self,
                 const LbWorkloadField *field,
                 const LbYamlNode      *source,
                 gboolean               splicing)
{
  g_autofree char *text = lb_workload_dup_field_string (self, field);

  if (splicing && source_holds_value (self, field, source, text))
    return lb_yaml_node_new_scalar (lb_yaml_node_get_scalar (source),
                                    lb_yaml_node_get_style (source));

  switch (field->kind)
    {
    case LB_FIELD_NUMBER:
    case LB_FIELD_INTEGER:
    case LB_FIELD_SYNC_MODE:
    case LB_FIELD_FLAVOUR:
      return lb_yaml_node_new_scalar (text, LB_YAML_STYLE_PLAIN);

    case LB_FIELD_SYNC_FREQUENCY:
      /* As the web tool's own files write it. */
      return lb_yaml_node_new_scalar (text, LB_YAML_STYLE_DOUBLE_QUOTED);

    case LB_FIELD_STRING:
    default:
      return new_text (text, source);
    }
}

static gboolean
field_is_default (LbWorkload            *self,
                  LbWorkload            *defaults,
                  const LbWorkloadField *field)
{
  g_autofree char *value = lb_workload_dup_field_string (self, field);
  g_autofree char *default_value = lb_workload_dup_field_string (defaults, field);

  return g_str_equal (value, default_value);
}

static LbYamlNode *
build_primary_keys (LbSyncedTable    *table,
                    const LbYamlNode *source)
{
  const char * const *keys = lb_synced_table_get_primary_keys (table);
  gboolean from_sequence = source != NULL &&
                           lb_yaml_node_get_kind (source) == LB_YAML_NODE_SEQUENCE;
  guint n_source = from_sequence ? lb_yaml_node_get_n_children (source) : 0;
  /* New lists are written [a, b], like the web tool's samples. */
  LbYamlNode *out = lb_yaml_node_new_sequence (from_sequence ? lb_yaml_node_get_flow (source)
                                                             : TRUE);

  for (guint i = 0; keys[i] != NULL; i++)
    {
      LbYamlNode *source_item = i < n_source ? lb_yaml_node_get_item (source, i) : NULL;
      LbYamlNode *item = new_text (keys[i], source_item);

      /* By position: a splice then rewrites the keys that moved. */
      lb_yaml_node_set_origin (item, source_item);
      lb_yaml_node_append (out, item);
    }

  return out;
}

static LbYamlNode *
new_policy_value (LbSyncedTable    *table,
                  const LbYamlNode *source,
                  gboolean          splicing)
{
  LbSyncMode policy = lb_synced_table_get_scheduling_policy (table);
  LbSyncMode source_policy;

  if (splicing && source != NULL && lb_yaml_node_get_scalar (source) != NULL &&
      lb_sync_mode_from_string (lb_yaml_node_get_scalar (source), &source_policy) &&
      source_policy == policy)
    return lb_yaml_node_new_scalar (lb_yaml_node_get_scalar (source),
                                    lb_yaml_node_get_style (source));

  return lb_yaml_node_new_scalar (lb_sync_mode_to_string (policy), LB_YAML_STYLE_PLAIN);
}

static LbYamlNode *
build_table (LbSyncedTable *table,
             gboolean       splicing)
{
  const LbYamlNode *source = _lb_synced_table_get_extra (table);
  const char *policy = lb_sync_mode_to_string (lb_synced_table_get_scheduling_policy (table));
  gboolean has_name = FALSE;
  gboolean has_keys = FALSE;
  gboolean has_policy = FALSE;
  LbYamlNode *out;
  guint n = 0;

  if (source != NULL && lb_yaml_node_get_kind (source) != LB_YAML_NODE_MAPPING)
    source = NULL;

  out = lb_yaml_node_new_mapping (source != NULL && lb_yaml_node_get_flow (source));
  /* Tells a splice which loaded item this table was. */
  lb_yaml_node_set_origin (out, (LbYamlNode *) source);

  if (source != NULL)
    n = lb_yaml_node_get_n_children (source);

  for (guint i = 0; i < n; i++)
    {
      LbYamlNode *key = lb_yaml_node_get_key (source, i);
      LbYamlNode *value = lb_yaml_node_get_value (source, i);
      const char *key_string = lb_yaml_node_get_scalar (key);

      if (g_strcmp0 (key_string, "name") == 0 && !has_name)
        {
          lb_yaml_node_insert (out, new_key (key, NULL),
                               new_text (lb_synced_table_get_name (table), value));
          has_name = TRUE;
        }
      else if (g_strcmp0 (key_string, "primary_keys") == 0 && !has_keys)
        {
          lb_yaml_node_insert (out, new_key (key, NULL), build_primary_keys (table, value));
          has_keys = TRUE;
        }
      else if (g_strcmp0 (key_string, "scheduling_policy") == 0 && !has_policy)
        {
          lb_yaml_node_insert (out, new_key (key, NULL),
                               new_policy_value (table, value, splicing));
          has_policy = TRUE;
        }
      else
        {
          lb_yaml_node_insert (out, lb_yaml_node_ref (key), lb_yaml_node_ref (value));
        }
    }

  if (!has_name)
    lb_yaml_node_insert (out, new_key (NULL, "name"),
                         new_text (lb_synced_table_get_name (table), NULL));
  if (!has_keys)
    lb_yaml_node_insert (out, new_key (NULL, "primary_keys"), build_primary_keys (table, NULL));
  if (!has_policy)
    lb_yaml_node_insert (out, new_key (NULL, "scheduling_policy"),
                         lb_yaml_node_new_scalar (policy, LB_YAML_STYLE_PLAIN));

  return out;
}

static LbYamlNode *
build_tables (LbWorkload       *self,
              const LbYamlNode *source,
              gboolean          splicing)
{
  GListModel *tables = lb_workload_get_tables (self);
  guint n = g_list_model_get_n_items (tables);
  gboolean flow = source != NULL &&
                  lb_yaml_node_get_kind (source) == LB_YAML_NODE_SEQUENCE &&
                  lb_yaml_node_get_flow (source);
  LbYamlNode *out = lb_yaml_node_new_sequence (flow);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbSyncedTable) table = g_list_model_get_item (tables, i);

      lb_yaml_node_append (out, build_table (table, splicing));
    }

  return out;
}

static LbYamlNode *
build_section (LbWorkload       *self,
               LbWorkload       *defaults,
               const char       *section,
               const LbYamlNode *source,
               gboolean          splicing)
{
  const LbWorkloadField *fields;
  g_autofree gboolean *written = NULL;
  gboolean is_sync = g_str_equal (section, SECTION_SYNC);
  gboolean is_ours = g_str_equal (section, SECTION_OURS);
  gboolean tables_written = FALSE;
  LbYamlNode *out;
  guint n_fields;
  guint n = 0;

  fields = lb_workload_get_fields (&n_fields);
  written = g_new0 (gboolean, n_fields);

  if (source != NULL && lb_yaml_node_get_kind (source) != LB_YAML_NODE_MAPPING)
    source = NULL;

  out = lb_yaml_node_new_mapping (source != NULL && lb_yaml_node_get_flow (source));

  if (source != NULL)
    n = lb_yaml_node_get_n_children (source);

  /* Keys of the source first, known and unknown, in their order. */
  for (guint i = 0; i < n; i++)
    {
      LbYamlNode *key = lb_yaml_node_get_key (source, i);
      LbYamlNode *value = lb_yaml_node_get_value (source, i);
      const char *key_string = lb_yaml_node_get_scalar (key);
      const LbWorkloadField *field = NULL;

      if (key_string != NULL)
        field = lb_workload_find_field (section, key_string);

      if (field != NULL && !written[field - fields])
        {
          lb_yaml_node_insert (out, new_key (key, NULL),
                               new_field_value (self, field, value, splicing));
          written[field - fields] = TRUE;
        }
      else if (is_sync && g_strcmp0 (key_string, KEY_TABLES) == 0 && !tables_written)
        {
          lb_yaml_node_insert (out, new_key (key, NULL), build_tables (self, value, splicing));
          tables_written = TRUE;
        }
      else
        {
          lb_yaml_node_insert (out, lb_yaml_node_ref (key), lb_yaml_node_ref (value));
        }
    }

  /* Then what the source lacked, in canonical order. Our own keys are left
   * out while at their default, to keep files short; so is every key a
   * splice would add to a file that did without it. */
  for (guint i = 0; i < n_fields; i++)
    {
      if (written[i] || !g_str_equal (fields[i].section, section))
        continue;
      if ((is_ours || splicing) && field_is_default (self, defaults, &fields[i]))
        continue;

      lb_yaml_node_insert (out, new_key (NULL, fields[i].key),
                           new_field_value (self, &fields[i], NULL, splicing));
    }

  if (is_sync && !tables_written &&
      (!splicing || g_list_model_get_n_items (lb_workload_get_tables (self)) > 0))
    lb_yaml_node_insert (out, new_key (NULL, KEY_TABLES), build_tables (self, NULL, splicing));

  return out;
}

static gboolean
our_section_is_default (LbWorkload *self,
                        LbWorkload *defaults)
{
  const LbWorkloadField *fields;
  guint n_fields;

  fields = lb_workload_get_fields (&n_fields);
  for (guint i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].section, SECTION_OURS) &&
          !field_is_default (self, defaults, &fields[i]))
        return FALSE;
    }

  return TRUE;
}

static LbYamlNode *
build_document (LbWorkload *self,
                gboolean    splicing)
{
  g_autoptr(LbWorkload) defaults = lb_workload_new ();
  const LbYamlNode *source = _lb_workload_get_extra (self);
  gboolean written[G_N_ELEMENTS (sections)] = { FALSE, };
  LbYamlNode *out;
  guint n = 0;

  if (source != NULL && lb_yaml_node_get_kind (source) != LB_YAML_NODE_MAPPING)
    source = NULL;

  out = lb_yaml_node_new_mapping (source != NULL && lb_yaml_node_get_flow (source));

  if (source != NULL)
    n = lb_yaml_node_get_n_children (source);

  for (guint i = 0; i < n; i++)
    {
      LbYamlNode *key = lb_yaml_node_get_key (source, i);
      LbYamlNode *value = lb_yaml_node_get_value (source, i);
      const char *key_string = lb_yaml_node_get_scalar (key);
      gboolean handled = FALSE;

      for (guint s = 0; s < G_N_ELEMENTS (sections) && key_string != NULL; s++)
        {
          if (!written[s] && g_str_equal (key_string, sections[s]))
            {
              lb_yaml_node_insert (out, new_key (key, NULL),
                                   build_section (self, defaults, sections[s], value, splicing));
              written[s] = handled = TRUE;
            }
        }

      if (!handled)
        lb_yaml_node_insert (out, lb_yaml_node_ref (key), lb_yaml_node_ref (value));
    }

  for (guint s = 0; s < G_N_ELEMENTS (sections); s++)
    {
      g_autoptr(LbYamlNode) section = NULL;

      if (written[s])
        continue;
      if (g_str_equal (sections[s], SECTION_OURS) && our_section_is_default (self, defaults))
        continue;

      section = build_section (self, defaults, sections[s], NULL, splicing);
      if (splicing && lb_yaml_node_get_n_children (section) == 0)
        continue;
      lb_yaml_node_insert (out, new_key (NULL, sections[s]), g_steal_pointer (&section));
    }

  return out;
}

char *
lb_workload_to_data (LbWorkload  *self,
                     gsize       *length,
                     GError     **error)
{
  g_autoptr(LbYamlNode) document = NULL;
  LbYamlNode *source;

  g_return_val_if_fail (LB_IS_WORKLOAD (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* A loaded file is rewritten in place, so its comments and layout stay;
   * what cannot be spliced safely falls back to a full write. */
  source = _lb_workload_get_extra (self);
  if (source != NULL && lb_yaml_node_get_source (source, NULL) != NULL)
    {
      g_autoptr(LbYamlNode) spliced_document = build_document (self, TRUE);
      char *data = lb_yaml_node_splice (source, spliced_document, length);

      if (data != NULL)
        return data;
      g_debug ("Workload YAML: the changes cannot be spliced into the file; writing it anew");
    }

  document = build_document (self, FALSE);
  return lb_yaml_node_emit (document, length, error);
}

gboolean
lb_workload_save_to_file (LbWorkload  *self,
                          GFile       *file,
                          GError     **error)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length;

  g_return_val_if_fail (LB_IS_WORKLOAD (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  data = lb_workload_to_data (self, &length, error);
  if (data == NULL)
    return FALSE;

  /* Written to a temporary file and renamed over the old one. */
  if (!g_file_replace_contents (file, data, length, NULL, FALSE, G_FILE_CREATE_NONE,
                                NULL, NULL, &local_error))
    {
      g_autofree char *basename = g_file_get_basename (file);

      g_set_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_IO,
                   "%s: %s", basename, local_error->message);
      return FALSE;
    }

  lb_workload_set_file (self, file);
  return TRUE;
}
