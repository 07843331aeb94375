/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbSyncedTable: the properties of one synced table, and the naming rules
 * that the form, the YAML loader and the deployment check it against. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lb-synced-table.h"
#include "lb-workload.h"

struct _LbSyncedTable
{
  GObject         parent_instance;

  char           *name;
  GStrv           primary_keys;  /* never NULL */
  LbSyncMode      scheduling_policy;

  gpointer        extra;
  GDestroyNotify  extra_destroy;
};

G_DEFINE_FINAL_TYPE (LbSyncedTable, lb_synced_table, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_PRIMARY_KEYS,
  PROP_SCHEDULING_POLICY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
strv_equal0 (const char * const *a,
             const char * const *b)
{
  static const char * const empty[] = { NULL };

  return g_strv_equal (a != NULL ? a : empty, b != NULL ? b : empty);
}

/* Unity Catalog allows more in back-quoted names, but these are the names
 * that work unquoted everywhere the synced table's name is used. */
static gboolean
name_part_is_valid (const char *part)
{
  if (part[0] == '\0')
    return FALSE;

  for (const char *p = part; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_isalnum (c) && c != '_' && c != '-')
        return FALSE;
    }

  return TRUE;
}

static void
lb_synced_table_finalize (GObject *object)
{
  LbSyncedTable *self = (LbSyncedTable *)object;

  if (self->extra_destroy != NULL)
    g_clear_pointer (&self->extra, self->extra_destroy);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->primary_keys, g_strfreev);

  G_OBJECT_CLASS (lb_synced_table_parent_class)->finalize (object);
}

static void
lb_synced_table_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LbSyncedTable *self = LB_SYNCED_TABLE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_PRIMARY_KEYS:
      g_value_set_boxed (value, self->primary_keys);
      break;

    case PROP_SCHEDULING_POLICY:
      g_value_set_uint (value, self->scheduling_policy);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_synced_table_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  LbSyncedTable *self = LB_SYNCED_TABLE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      lb_synced_table_set_name (self, g_value_get_string (value));
      break;

    case PROP_PRIMARY_KEYS:
      lb_synced_table_set_primary_keys (self, g_value_get_boxed (value));
      break;

    case PROP_SCHEDULING_POLICY:
      lb_synced_table_set_scheduling_policy (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_synced_table_class_init (LbSyncedTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lb_synced_table_finalize;
  object_class->get_property = lb_synced_table_get_property;
  object_class->set_property = lb_synced_table_set_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_PRIMARY_KEYS] =
    g_param_spec_boxed ("primary-keys", NULL, NULL,
                        G_TYPE_STRV,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* A plain uint (an LbSyncMode) so it binds to a combo row's "selected". */
  properties[PROP_SCHEDULING_POLICY] =
    g_param_spec_uint ("scheduling-policy", NULL, NULL,
                       LB_SYNC_MODE_SNAPSHOT, LB_SYNC_MODE_CONTINUOUS, LB_SYNC_MODE_SNAPSHOT,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lb_synced_table_init (LbSyncedTable *self)
{
  self->primary_keys = g_new0 (char *, 1);
  self->scheduling_policy = LB_SYNC_MODE_SNAPSHOT;
}

LbSyncedTable *
lb_synced_table_new (const char         *name,
                     const char * const *primary_keys,
                     LbSyncMode          scheduling_policy)
{
  g_return_val_if_fail (scheduling_policy <= LB_SYNC_MODE_CONTINUOUS, NULL);

  return g_object_new (LB_TYPE_SYNCED_TABLE,
                       "name", name,
                       "primary-keys", primary_keys,
                       "scheduling-policy", (guint) scheduling_policy,
                       NULL);
}

const char *
lb_synced_table_get_name (LbSyncedTable *self)
{
  g_return_val_if_fail (LB_IS_SYNCED_TABLE (self), NULL);
  return self->name;
}

void
lb_synced_table_set_name (LbSyncedTable *self,
                          const char    *name)
{
  g_return_if_fail (LB_IS_SYNCED_TABLE (self));

  if (g_strcmp0 (self->name, name) == 0)
    return;

  g_free (self->name);
  self->name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

const char * const *
lb_synced_table_get_primary_keys (LbSyncedTable *self)
{
  g_return_val_if_fail (LB_IS_SYNCED_TABLE (self), NULL);
  return (const char * const *) self->primary_keys;
}

void
lb_synced_table_set_primary_keys (LbSyncedTable      *self,
                                  const char * const *primary_keys)
{
  g_return_if_fail (LB_IS_SYNCED_TABLE (self));

  if (strv_equal0 ((const char * const *) self->primary_keys, primary_keys))
    return;

  g_strfreev (self->primary_keys);
  self->primary_keys = primary_keys != NULL ? g_strdupv ((char **) primary_keys)
                                            : g_new0 (char *, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRIMARY_KEYS]);
}

LbSyncMode
lb_synced_table_get_scheduling_policy (LbSyncedTable *self)
{
  g_return_val_if_fail (LB_IS_SYNCED_TABLE (self), LB_SYNC_MODE_SNAPSHOT);
  return self->scheduling_policy;
}

void
lb_synced_table_set_scheduling_policy (LbSyncedTable *self,
                                       LbSyncMode     policy)
{
  g_return_if_fail (LB_IS_SYNCED_TABLE (self));
  g_return_if_fail (policy <= LB_SYNC_MODE_CONTINUOUS);

  if (self->scheduling_policy == policy)
    return;

  self->scheduling_policy = policy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCHEDULING_POLICY]);
}

gboolean
lb_synced_table_name_is_valid (const char  *name,
                               GError     **error)
{
  g_auto(GStrv) parts = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (name == NULL || name[0] == '\0')
    {
      g_set_error_literal (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_TABLE,
                           _("A table name is required"));
      return FALSE;
    }

  if (!g_utf8_validate (name, -1, NULL))
    {
      g_set_error_literal (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_TABLE,
                           _("The table name is not valid UTF-8"));
      return FALSE;
    }

  parts = g_strsplit (name, ".", -1);
  if (g_strv_length (parts) != 3 ||
      parts[0][0] == '\0' || parts[1][0] == '\0' || parts[2][0] == '\0')
    {
      g_set_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_TABLE,
                   _("“%s” is not a table name of the form catalog.schema.table"), name);
      return FALSE;
    }

  for (guint i = 0; i < 3; i++)
    {
      if (!name_part_is_valid (parts[i]))
        {
          g_set_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_TABLE,
                       _("“%s” in the table name “%s” may only use "
                         "letters, digits, “_” and “-”"),
                       parts[i], name);
          return FALSE;
        }
    }

  return TRUE;
}

gboolean
lb_synced_table_primary_key_is_valid (const char  *key,
                                      GError     **error)
{
  gboolean valid;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (key == NULL || key[0] == '\0')
    {
      g_set_error_literal (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_TABLE,
                           _("A primary key column name is required"));
      return FALSE;
    }

  valid = g_utf8_validate (key, -1, NULL) && !g_unichar_isdigit (g_utf8_get_char (key));
  for (const char *p = key; valid && *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      valid = g_unichar_isalnum (c) || c == '_';
    }

  if (!valid)
    {
      g_set_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_TABLE,
                   _("“%s” is not a column name: use letters, digits and “_”, "
                     "not starting with a digit"),
                   key);
      return FALSE;
    }

  return TRUE;
}

gboolean
lb_synced_table_validate (LbSyncedTable  *self,
                          GError        **error)
{
  g_return_val_if_fail (LB_IS_SYNCED_TABLE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!lb_synced_table_name_is_valid (self->name, error))
    return FALSE;

  if (self->primary_keys[0] == NULL)
    {
      g_set_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_TABLE,
                   _("Table “%s” has no primary keys"), self->name);
      return FALSE;
    }

  for (guint i = 0; self->primary_keys[i] != NULL; i++)
    {
      if (!lb_synced_table_primary_key_is_valid (self->primary_keys[i], error))
        {
          g_prefix_error (error, _("Table “%s”: "), self->name);
          return FALSE;
        }

      for (guint j = 0; j < i; j++)
        {
          if (g_str_equal (self->primary_keys[i], self->primary_keys[j]))
            {
              g_set_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_TABLE,
                           _("Table “%s” lists the primary key “%s” twice"),
                           self->name, self->primary_keys[i]);
              return FALSE;
            }
        }
    }

  return TRUE;
}

gpointer
_lb_synced_table_get_extra (LbSyncedTable *self)
{
  g_return_val_if_fail (LB_IS_SYNCED_TABLE (self), NULL);
  return self->extra;
}

void
_lb_synced_table_set_extra (LbSyncedTable  *self,
                            gpointer        extra,
                            GDestroyNotify  destroy)
{
  gpointer old_extra;
  GDestroyNotify old_destroy;

  g_return_if_fail (LB_IS_SYNCED_TABLE (self));

  /* Swap first: destroying the old value must not see a half-set table. */
  old_extra = g_steal_pointer (&self->extra);
  old_destroy = self->extra_destroy;
  self->extra = extra;
  self->extra_destroy = destroy;

  if (old_extra != NULL && old_destroy != NULL)
    old_destroy (old_extra);
}
