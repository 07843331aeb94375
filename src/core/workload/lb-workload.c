/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbWorkload: the calculator's inputs as GObject properties, all driven by
 * one field table that also feeds the form and the YAML code; range checks,
 * the list of synced tables and one "changed" per change. The YAML side is
 * lb-workload-yaml.c. */
#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "lb-workload.h"
#include "lb-yaml-node.h"

/* Indexes into fields[]; property ids are these plus PROP_FIRST_FIELD. */
enum {
  FIELD_BULK_WRITES_PER_SECOND,
  FIELD_CONTINUOUS_WRITES_PER_SECOND,
  FIELD_READS_PER_SECOND,
  FIELD_NUMBER_OF_READABLE_SECONDARIES,
  FIELD_READABLE_SECONDARY_SIZE_CU,
  FIELD_PROMOTION_PERCENTAGE,
  FIELD_DATA_STORED_GB,
  FIELD_ESTIMATED_DATA_DELETED_DAILY_GB,
  FIELD_RESTORE_WINDOWS_DAYS,
  FIELD_NUMBER_OF_CONTINUOUS_PIPELINES,
  FIELD_EXPECTED_DATA_PER_SYNC_GB,
  FIELD_SYNC_MODE,
  FIELD_SYNC_FREQUENCY,
  FIELD_PROFILE,
  FIELD_FLAVOUR,
  FIELD_INSTANCE_NAME,
  FIELD_CAPACITY,
  FIELD_DATABASE_CATALOG,
  FIELD_DATABASE_NAME,
  FIELD_TARGET_SCHEMA,
  FIELD_STORAGE_CATALOG,
  FIELD_STORAGE_SCHEMA,
  FIELD_WAREHOUSE_ID,
  FIELD_BRANCH,
  FIELD_ENDPOINT,
  N_FIELDS
};

struct _LbWorkload
{
  GObject         parent_instance;

  /* Numbers, whole numbers and enums; strings of STRING fields. */
  double          numbers[N_FIELDS];
  char           *strings[N_FIELDS];

  GListStore     *tables;
  GFile          *file;

  gpointer        extra;
  GDestroyNotify  extra_destroy;
};

G_DEFINE_FINAL_TYPE (LbWorkload, lb_workload, G_TYPE_OBJECT)
G_DEFINE_QUARK (lb-workload-error-quark, lb_workload_error)

enum {
  PROP_0,
  PROP_FIRST_FIELD,
  PROP_TABLES = PROP_FIRST_FIELD + N_FIELDS,
  PROP_FILE,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

#define DI "database_instance"
#define DS "database_storage"
#define SY "delta_synchronization"
#define LA "lakebase_accelerator"

static const LbWorkloadField fields[N_FIELDS] = {
  [FIELD_BULK_WRITES_PER_SECOND] = {
    DI, "bulk_writes_per_second", "bulk-writes-per-second",
    LB_FIELD_NUMBER, 0, G_MAXDOUBLE,
    N_("Bulk writes"),
    N_("Rows written per second by bulk loads and backfills"),
    N_("rows/s") },
  [FIELD_CONTINUOUS_WRITES_PER_SECOND] = {
    DI, "continuous_writes_per_second", "continuous-writes-per-second",
    LB_FIELD_NUMBER, 0, G_MAXDOUBLE,
    N_("Continuous writes"),
    N_("Rows written per second by steady incremental changes"),
    N_("rows/s") },
  [FIELD_READS_PER_SECOND] = {
    DI, "reads_per_second", "reads-per-second",
    LB_FIELD_NUMBER, 0, G_MAXDOUBLE,
    N_("Reads"),
    N_("Point lookups and queries per second"),
    N_("reads/s") },
  [FIELD_NUMBER_OF_READABLE_SECONDARIES] = {
    DI, "number_of_readable_secondaries", "number-of-readable-secondaries",
    LB_FIELD_INTEGER, 0, G_MAXUINT,
    N_("Readable secondaries"),
    N_("Read-only replicas that serve reads and take over on failure"),
    NULL },
  [FIELD_READABLE_SECONDARY_SIZE_CU] = {
    DI, "readable_secondary_size_cu", "readable-secondary-size-cu",
    LB_FIELD_NUMBER, 0, G_MAXDOUBLE,
    N_("Secondary size"),
    N_("Capacity units of each readable secondary"),
    N_("CU") },
  [FIELD_PROMOTION_PERCENTAGE] = {
    DI, "promotion_percentage", "promotion-percentage",
    LB_FIELD_NUMBER, 0, 100,
    N_("Promotion"),
    N_("Discount off the compute list price"),
    N_("%") },
  [FIELD_DATA_STORED_GB] = {
    DS, "data_stored_gb", "data-stored-gb",
    LB_FIELD_NUMBER, 0, G_MAXDOUBLE,
    N_("Data stored"),
    N_("Size of the data in PostgreSQL, often 5–10 times the Delta files"),
    N_("GB") },
  [FIELD_ESTIMATED_DATA_DELETED_DAILY_GB] = {
    DS, "estimated_data_deleted_daily_gb", "estimated-data-deleted-daily-gb",
    LB_FIELD_NUMBER, 0, G_MAXDOUBLE,
    N_("Data deleted daily"),
    N_("Kept for the restore window; not priced by the classic estimate"),
    N_("GB/day") },
  [FIELD_RESTORE_WINDOWS_DAYS] = {
    DS, "restore_windows_days", "restore-windows-days",
    LB_FIELD_INTEGER, 0, G_MAXUINT,
    N_("Restore window"),
    N_("How many days back the instance can be restored"),
    N_("days") },
  [FIELD_NUMBER_OF_CONTINUOUS_PIPELINES] = {
    SY, "number_of_continuous_pipelines", "number-of-continuous-pipelines",
    LB_FIELD_INTEGER, 0, G_MAXUINT,
    N_("Continuous pipelines"),
    N_("Sync pipelines that run all the time, priced per month"),
    NULL },
  [FIELD_EXPECTED_DATA_PER_SYNC_GB] = {
    SY, "expected_data_per_sync_gb", "expected-data-per-sync-gb",
    LB_FIELD_NUMBER, 0, G_MAXDOUBLE,
    N_("Data per sync"),
    N_("Data moved by each snapshot or triggered sync"),
    N_("GB") },
  [FIELD_SYNC_MODE] = {
    SY, "sync_mode", "sync-mode",
    LB_FIELD_SYNC_MODE, 0, LB_SYNC_MODE_CONTINUOUS,
    N_("Sync mode"),
    N_("How synced tables follow their Delta source"),
    NULL },
  [FIELD_SYNC_FREQUENCY] = {
    SY, "sync_frequency", "sync-frequency",
    LB_FIELD_SYNC_FREQUENCY, 0, LB_SYNC_FREQUENCY_PER_HOUR,
    N_("Sync frequency"),
    N_("How often snapshot and triggered syncs run"),
    NULL },
  [FIELD_PROFILE] = {
    LA, "profile", "profile",
    LB_FIELD_STRING, 0, 0,
    N_("Profile"),
    N_("Profile in ~/.databrickscfg that reaches the workspace"),
    NULL },
  [FIELD_FLAVOUR] = {
    LA, "flavour", "flavour",
    LB_FIELD_FLAVOUR, 0, LB_FLAVOUR_PROVISIONED,
    N_("Lakebase flavour"),
    N_("Autoscaling project or provisioned instance"),
    NULL },
  [FIELD_INSTANCE_NAME] = {
    LA, "instance_name", "instance-name",
    LB_FIELD_STRING, 0, 0,
    N_("Instance name"),
    N_("Autoscaling project id, or provisioned instance name"),
    NULL },
  [FIELD_CAPACITY] = {
    LA, "capacity", "capacity",
    LB_FIELD_STRING, 0, 0,
    N_("Capacity"),
    N_("Instance size such as CU_2; empty means the recommended size"),
    NULL },
  [FIELD_DATABASE_CATALOG] = {
    LA, "database_catalog", "database-catalog",
    LB_FIELD_STRING, 0, 0,
    N_("Database catalog"),
    N_("Unity Catalog catalog registered on the instance"),
    NULL },
  [FIELD_DATABASE_NAME] = {
    LA, "database_name", "database-name",
    LB_FIELD_STRING, 0, 0,
    N_("Database name"),
    N_("PostgreSQL database that receives the synced tables"),
    NULL },
  [FIELD_TARGET_SCHEMA] = {
    LA, "target_schema", "target-schema",
    LB_FIELD_STRING, 0, 0,
    N_("Target schema"),
    N_("PostgreSQL schema of the synced tables"),
    NULL },
  [FIELD_STORAGE_CATALOG] = {
    LA, "storage_catalog", "storage-catalog",
    LB_FIELD_STRING, 0, 0,
    N_("Storage catalog"),
    N_("Catalog where the sync pipelines keep their state"),
    NULL },
  [FIELD_STORAGE_SCHEMA] = {
    LA, "storage_schema", "storage-schema",
    LB_FIELD_STRING, 0, 0,
    N_("Storage schema"),
    N_("Schema where the sync pipelines keep their state"),
    NULL },
  [FIELD_WAREHOUSE_ID] = {
    LA, "warehouse_id", "warehouse-id",
    LB_FIELD_STRING, 0, 0,
    N_("SQL warehouse"),
    N_("Id of the SQL warehouse that measures table sizes"),
    NULL },
  [FIELD_BRANCH] = {
    LA, "branch", "branch",
    LB_FIELD_STRING, 0, 0,
    N_("Branch"),
    N_("Autoscaling branch that receives the synced tables; made from production if missing"),
    NULL },
  [FIELD_ENDPOINT] = {
    LA, "endpoint", "endpoint",
    LB_FIELD_STRING, 0, 0,
    N_("Endpoint"),
    N_("Id of the branch’s read-write endpoint; made if missing on another branch than production"),
    NULL },
};

/* reference/cost-model.md "Inputs and defaults"; DESIGN.md for our own map. */
static const double default_numbers[N_FIELDS] = {
  [FIELD_READABLE_SECONDARY_SIZE_CU] = 1,
  [FIELD_SYNC_MODE] = LB_SYNC_MODE_SNAPSHOT,
  [FIELD_SYNC_FREQUENCY] = LB_SYNC_FREQUENCY_PER_DAY,
  [FIELD_FLAVOUR] = LB_FLAVOUR_AUTOSCALING,
};

static const char * const default_strings[N_FIELDS] = {
  [FIELD_PROFILE] = "DEFAULT",
  [FIELD_DATABASE_NAME] = "databricks_postgres",
  [FIELD_TARGET_SCHEMA] = "public",
  [FIELD_STORAGE_CATALOG] = "main",
  [FIELD_STORAGE_SCHEMA] = "default",
  [FIELD_BRANCH] = "production",
  [FIELD_ENDPOINT] = "primary",
};

static guint
field_index (const LbWorkloadField *field)
{
  return (guint) (field - fields);
}

static gboolean
field_is_valid (const LbWorkloadField *field)
{
  return field >= fields && field < fields + N_FIELDS;
}

static gboolean
kind_is_numeric (LbFieldKind kind)
{
  return kind != LB_FIELD_STRING;
}

static void
set_number (LbWorkload *self,
            guint       index,
            double      value)
{
  g_assert (LB_IS_WORKLOAD (self));
  g_assert (index < N_FIELDS);

  if (self->numbers[index] == value)
    return;

  self->numbers[index] = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIRST_FIELD + index]);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* Range is a programming error here; user text goes through
 * lb_workload_set_field_from_string(), which explains itself. */
static void
set_number_checked (LbWorkload *self,
                    guint       index,
                    double      value)
{
  g_assert (LB_IS_WORKLOAD (self));

  g_return_if_fail (isfinite (value));
  g_return_if_fail (value >= fields[index].min && value <= fields[index].max);

  /* -0 and 0 are the same input. */
  set_number (self, index, value + 0.0);
}

static void
set_string (LbWorkload *self,
            guint       index,
            const char *value)
{
  g_assert (LB_IS_WORKLOAD (self));
  g_assert (index < N_FIELDS);

  /* Empty text means "not set", so one state has one representation. */
  if (value != NULL && value[0] == '\0')
    value = NULL;

  if (g_strcmp0 (self->strings[index], value) == 0)
    return;

  g_free (self->strings[index]);
  self->strings[index] = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIRST_FIELD + index]);
  g_signal_emit (self, signals[CHANGED], 0);
}

static char *
describe_rule (const LbWorkloadField *field)
{
  g_autofree char *min = lb_yaml_format_double (field->min);
  g_autofree char *max = NULL;

  if (field->kind == LB_FIELD_INTEGER)
    {
      if (field->max >= G_MAXUINT)
        return g_strdup_printf (_("Must be a whole number of %s or more"), min);
      max = lb_yaml_format_double (field->max);
      return g_strdup_printf (_("Must be a whole number between %s and %s"), min, max);
    }

  if (field->max == G_MAXDOUBLE)
    return g_strdup_printf (_("Must be a number of %s or more"), min);
  max = lb_yaml_format_double (field->max);
  return g_strdup_printf (_("Must be between %s and %s"), min, max);
}

static gboolean
parse_number (const char *text,
              double     *value)
{
  char *end = NULL;
  double parsed;

  if (text[0] == '\0')
    return FALSE;

  parsed = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !isfinite (parsed))
    return FALSE;

  *value = parsed;
  return TRUE;
}

static void
table_notify_cb (LbWorkload *self)
{
  g_assert (LB_IS_WORKLOAD (self));

  g_signal_emit (self, signals[CHANGED], 0);
}

static void
tables_items_changed_cb (LbWorkload *self)
{
  g_assert (LB_IS_WORKLOAD (self));

  g_signal_emit (self, signals[CHANGED], 0);
}

static void
lb_workload_dispose (GObject *object)
{
  LbWorkload *self = (LbWorkload *)object;

  if (self->tables != NULL)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->tables));

      /* Tables and the list may outlive us in the hands of the UI. */
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(LbSyncedTable) table = g_list_model_get_item (G_LIST_MODEL (self->tables), i);

          g_signal_handlers_disconnect_by_data (table, self);
        }
      g_signal_handlers_disconnect_by_data (self->tables, self);
      g_clear_object (&self->tables);
    }

  g_clear_object (&self->file);

  G_OBJECT_CLASS (lb_workload_parent_class)->dispose (object);
}

static void
lb_workload_finalize (GObject *object)
{
  LbWorkload *self = (LbWorkload *)object;

  for (guint i = 0; i < N_FIELDS; i++)
    g_clear_pointer (&self->strings[i], g_free);

  if (self->extra_destroy != NULL)
    g_clear_pointer (&self->extra, self->extra_destroy);

  G_OBJECT_CLASS (lb_workload_parent_class)->finalize (object);
}

static void
lb_workload_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  LbWorkload *self = LB_WORKLOAD (object);

  if (prop_id >= PROP_FIRST_FIELD && prop_id < PROP_FIRST_FIELD + N_FIELDS)
    {
      guint index = prop_id - PROP_FIRST_FIELD;

      switch (fields[index].kind)
        {
        case LB_FIELD_NUMBER:
          g_value_set_double (value, self->numbers[index]);
          break;

        case LB_FIELD_INTEGER:
        case LB_FIELD_SYNC_MODE:
        case LB_FIELD_SYNC_FREQUENCY:
        case LB_FIELD_FLAVOUR:
          g_value_set_uint (value, (guint) self->numbers[index]);
          break;

        case LB_FIELD_STRING:
        default:
          g_value_set_string (value, self->strings[index]);
          break;
        }
      return;
    }

  switch (prop_id)
    {
    case PROP_TABLES:
      g_value_set_object (value, self->tables);
      break;

    case PROP_FILE:
      g_value_set_object (value, self->file);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_workload_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  LbWorkload *self = LB_WORKLOAD (object);

  if (prop_id >= PROP_FIRST_FIELD && prop_id < PROP_FIRST_FIELD + N_FIELDS)
    {
      guint index = prop_id - PROP_FIRST_FIELD;

      switch (fields[index].kind)
        {
        case LB_FIELD_NUMBER:
          set_number_checked (self, index, g_value_get_double (value));
          break;

        case LB_FIELD_INTEGER:
        case LB_FIELD_SYNC_MODE:
        case LB_FIELD_SYNC_FREQUENCY:
        case LB_FIELD_FLAVOUR:
          set_number_checked (self, index, g_value_get_uint (value));
          break;

        case LB_FIELD_STRING:
        default:
          set_string (self, index, g_value_get_string (value));
          break;
        }
      return;
    }

  switch (prop_id)
    {
    case PROP_FILE:
      lb_workload_set_file (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_workload_class_init (LbWorkloadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = lb_workload_dispose;
  object_class->finalize = lb_workload_finalize;
  object_class->get_property = lb_workload_get_property;
  object_class->set_property = lb_workload_set_property;

  /* Enums are uint properties so they bind to a combo row's "selected". */
  for (guint i = 0; i < N_FIELDS; i++)
    {
      const LbWorkloadField *field = &fields[i];
      GParamSpec *pspec;

      switch (field->kind)
        {
        case LB_FIELD_NUMBER:
          pspec = g_param_spec_double (field->property, NULL, NULL,
                                       field->min, field->max, default_numbers[i], flags);
          break;

        case LB_FIELD_INTEGER:
        case LB_FIELD_SYNC_MODE:
        case LB_FIELD_SYNC_FREQUENCY:
        case LB_FIELD_FLAVOUR:
          pspec = g_param_spec_uint (field->property, NULL, NULL,
                                     (guint) field->min, (guint) field->max,
                                     (guint) default_numbers[i], flags);
          break;

        case LB_FIELD_STRING:
        default:
          pspec = g_param_spec_string (field->property, NULL, NULL, default_strings[i], flags);
          break;
        }

      properties[PROP_FIRST_FIELD + i] = pspec;
    }

  properties[PROP_TABLES] =
    g_param_spec_object ("tables", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_FILE] =
    g_param_spec_object ("file", NULL, NULL,
                         G_TYPE_FILE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 0);
}

static void
lb_workload_init (LbWorkload *self)
{
  for (guint i = 0; i < N_FIELDS; i++)
    {
      self->numbers[i] = default_numbers[i];
      self->strings[i] = g_strdup (default_strings[i]);
    }

  self->tables = g_list_store_new (LB_TYPE_SYNCED_TABLE);
  g_signal_connect_swapped (self->tables, "items-changed",
                            G_CALLBACK (tables_items_changed_cb), self);
}

const LbWorkloadField *
lb_workload_get_fields (guint *n_fields)
{
  if (n_fields != NULL)
    *n_fields = N_FIELDS;
  return fields;
}

const LbWorkloadField *
lb_workload_find_field (const char *section,
                        const char *key)
{
  g_return_val_if_fail (section != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  for (guint i = 0; i < N_FIELDS; i++)
    {
      if (g_str_equal (fields[i].section, section) && g_str_equal (fields[i].key, key))
        return &fields[i];
    }

  return NULL;
}

LbWorkload *
lb_workload_new (void)
{
  return g_object_new (LB_TYPE_WORKLOAD, NULL);
}

LbWorkload *
lb_workload_copy (LbWorkload *self)
{
  LbWorkload *copy;
  guint n;

  g_return_val_if_fail (LB_IS_WORKLOAD (self), NULL);

  copy = lb_workload_new ();

  for (guint i = 0; i < N_FIELDS; i++)
    {
      copy->numbers[i] = self->numbers[i];
      g_free (copy->strings[i]);
      copy->strings[i] = g_strdup (self->strings[i]);
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (self->tables));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbSyncedTable) table = g_list_model_get_item (G_LIST_MODEL (self->tables), i);
      g_autoptr(LbSyncedTable) table_copy =
        lb_synced_table_new (lb_synced_table_get_name (table),
                             lb_synced_table_get_primary_keys (table),
                             lb_synced_table_get_scheduling_policy (table));
      LbYamlNode *extra = _lb_synced_table_get_extra (table);

      /* Extras are immutable LbYamlNode trees, so sharing is a copy. */
      if (extra != NULL)
        _lb_synced_table_set_extra (table_copy, lb_yaml_node_ref (extra),
                                    (GDestroyNotify) lb_yaml_node_unref);
      lb_workload_add_table (copy, table_copy);
    }

  if (self->extra != NULL)
    _lb_workload_set_extra (copy, lb_yaml_node_ref (self->extra),
                            (GDestroyNotify) lb_yaml_node_unref);

  g_set_object (&copy->file, self->file);

  return copy;
}

/* What the Lakebase APIs accept, checked here so a bad name is caught while
 * typing rather than half-way through a deployment. */
static gboolean
check_string_field (guint        index,
                    const char  *text,
                    GError     **error)
{
  if (text[0] == '\0')
    return TRUE;

  if (index == FIELD_INSTANCE_NAME || index == FIELD_BRANCH || index == FIELD_ENDPOINT)
    {
      gsize length = strlen (text);
      gboolean valid = length <= 63 && g_ascii_islower (text[0]) && text[length - 1] != '-';

      for (gsize i = 0; valid && i < length; i++)
        valid = g_ascii_islower (text[i]) || g_ascii_isdigit (text[i]) || text[i] == '-';

      if (!valid)
        {
          if (index == FIELD_BRANCH)
            g_set_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_RANGE,
                         _("“%s” is not a valid branch id: use 1 to 63 lowercase letters, "
                           "digits and hyphens, starting with a letter"),
                         text);
          else if (index == FIELD_ENDPOINT)
            g_set_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_RANGE,
                         _("“%s” is not a valid endpoint id: use 1 to 63 lowercase letters, "
                           "digits and hyphens, starting with a letter"),
                         text);
          else
            g_set_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_RANGE,
                         _("“%s” is not a valid instance name: use 1 to 63 lowercase letters, "
                           "digits and hyphens, starting with a letter"),
                         text);
          return FALSE;
        }
    }
  else if (index == FIELD_CAPACITY)
    {
      static const char * const capacities[] = { "CU_1", "CU_2", "CU_4", "CU_8", NULL };

      if (!g_strv_contains (capacities, text))
        {
          g_set_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_UNKNOWN_VALUE,
                       _("Unknown capacity “%s”: use CU_1, CU_2, CU_4 or CU_8, "
                         "or leave it empty for the recommended size"),
                       text);
          return FALSE;
        }
    }

  return TRUE;
}

gboolean
lb_workload_set_field_from_string (LbWorkload             *self,
                                   const LbWorkloadField  *field,
                                   const char             *text,
                                   GError                **error)
{
  g_autofree char *stripped = NULL;
  guint index;
  double value;

  g_return_val_if_fail (LB_IS_WORKLOAD (self), FALSE);
  g_return_val_if_fail (field_is_valid (field), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  index = field_index (field);
  stripped = g_strstrip (g_strdup (text));

  switch (field->kind)
    {
    case LB_FIELD_NUMBER:
    case LB_FIELD_INTEGER:
      if (!parse_number (stripped, &value))
        {
          g_autofree char *rule = describe_rule (field);

          g_set_error_literal (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_TYPE, rule);
          return FALSE;
        }
      if (value < field->min || value > field->max)
        {
          g_autofree char *rule = describe_rule (field);

          g_set_error_literal (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_RANGE, rule);
          return FALSE;
        }
      if (field->kind == LB_FIELD_INTEGER && value != floor (value))
        {
          g_set_error_literal (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_TYPE,
                               _("Must be a whole number"));
          return FALSE;
        }
      set_number (self, index, value + 0.0);
      return TRUE;

    case LB_FIELD_SYNC_MODE:
      {
        LbSyncMode mode;

        if (!lb_sync_mode_from_string (stripped, &mode))
          {
            g_set_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_UNKNOWN_VALUE,
                         _("Unknown sync mode “%s”: use SNAPSHOT, TRIGGERED or CONTINUOUS"),
                         stripped);
            return FALSE;
          }
        set_number (self, index, mode);
        return TRUE;
      }

    case LB_FIELD_SYNC_FREQUENCY:
      {
        LbSyncFrequency frequency;

        if (!lb_sync_frequency_from_string (stripped, &frequency))
          {
            g_set_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_UNKNOWN_VALUE,
                         _("Unknown sync frequency “%s”: "
                           "use “Per week”, “Per day” or “Per hour”"),
                         stripped);
            return FALSE;
          }
        set_number (self, index, frequency);
        return TRUE;
      }

    case LB_FIELD_FLAVOUR:
      {
        LbFlavour flavour;

        if (!lb_flavour_from_string (stripped, &flavour))
          {
            g_set_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_UNKNOWN_VALUE,
                         _("Unknown flavour “%s”: use autoscaling or provisioned"),
                         stripped);
            return FALSE;
          }
        set_number (self, index, flavour);
        return TRUE;
      }

    case LB_FIELD_STRING:
    default:
      if (!check_string_field (index, stripped, error))
        return FALSE;
      set_string (self, index, stripped);
      return TRUE;
    }
}

char *
lb_workload_dup_field_string (LbWorkload            *self,
                              const LbWorkloadField *field)
{
  guint index;

  g_return_val_if_fail (LB_IS_WORKLOAD (self), NULL);
  g_return_val_if_fail (field_is_valid (field), NULL);

  index = field_index (field);

  switch (field->kind)
    {
    case LB_FIELD_NUMBER:
    case LB_FIELD_INTEGER:
      return lb_yaml_format_double (self->numbers[index]);

    case LB_FIELD_SYNC_MODE:
      return g_strdup (lb_sync_mode_to_string ((LbSyncMode) self->numbers[index]));

    case LB_FIELD_SYNC_FREQUENCY:
      return g_strdup (lb_sync_frequency_to_string ((LbSyncFrequency) self->numbers[index]));

    case LB_FIELD_FLAVOUR:
      return g_strdup (lb_flavour_to_string ((LbFlavour) self->numbers[index]));

    case LB_FIELD_STRING:
    default:
      /* The text a user would see in an empty entry. */
      return g_strdup (self->strings[index] != NULL ? self->strings[index] : "");
    }
}

double
lb_workload_get_field_number (LbWorkload            *self,
                              const LbWorkloadField *field)
{
  g_return_val_if_fail (LB_IS_WORKLOAD (self), 0);
  g_return_val_if_fail (field_is_valid (field), 0);
  g_return_val_if_fail (kind_is_numeric (field->kind), 0);

  return self->numbers[field_index (field)];
}

#define DEFINE_NUMBER_ACCESSORS(name, type, FIELD)                      \
  type                                                                  \
  lb_workload_get_##name (LbWorkload *self)                             \
  {                                                                     \
    g_return_val_if_fail (LB_IS_WORKLOAD (self), (type) 0);             \
    return (type) self->numbers[FIELD];                                 \
  }                                                                     \
                                                                        \
  void                                                                  \
  lb_workload_set_##name (LbWorkload *self,                             \
                          type        value)                            \
  {                                                                     \
    g_return_if_fail (LB_IS_WORKLOAD (self));                           \
    set_number_checked (self, FIELD, value);                            \
  }

#define DEFINE_STRING_ACCESSORS(name, FIELD)                            \
  const char *                                                          \
  lb_workload_get_##name (LbWorkload *self)                             \
  {                                                                     \
    g_return_val_if_fail (LB_IS_WORKLOAD (self), NULL);                 \
    return self->strings[FIELD];                                        \
  }                                                                     \
                                                                        \
  void                                                                  \
  lb_workload_set_##name (LbWorkload *self,                             \
                          const char *value)                            \
  {                                                                     \
    g_return_if_fail (LB_IS_WORKLOAD (self));                           \
    set_string (self, FIELD, value);                                    \
  }

DEFINE_NUMBER_ACCESSORS (bulk_writes_per_second, double, FIELD_BULK_WRITES_PER_SECOND)
DEFINE_NUMBER_ACCESSORS (continuous_writes_per_second, double, FIELD_CONTINUOUS_WRITES_PER_SECOND)
DEFINE_NUMBER_ACCESSORS (reads_per_second, double, FIELD_READS_PER_SECOND)
DEFINE_NUMBER_ACCESSORS (number_of_readable_secondaries, guint,
                         FIELD_NUMBER_OF_READABLE_SECONDARIES)
DEFINE_NUMBER_ACCESSORS (readable_secondary_size_cu, double, FIELD_READABLE_SECONDARY_SIZE_CU)
DEFINE_NUMBER_ACCESSORS (promotion_percentage, double, FIELD_PROMOTION_PERCENTAGE)
DEFINE_NUMBER_ACCESSORS (data_stored_gb, double, FIELD_DATA_STORED_GB)
DEFINE_NUMBER_ACCESSORS (estimated_data_deleted_daily_gb, double,
                         FIELD_ESTIMATED_DATA_DELETED_DAILY_GB)
DEFINE_NUMBER_ACCESSORS (restore_windows_days, guint, FIELD_RESTORE_WINDOWS_DAYS)
DEFINE_NUMBER_ACCESSORS (number_of_continuous_pipelines, guint,
                         FIELD_NUMBER_OF_CONTINUOUS_PIPELINES)
DEFINE_NUMBER_ACCESSORS (expected_data_per_sync_gb, double, FIELD_EXPECTED_DATA_PER_SYNC_GB)
DEFINE_NUMBER_ACCESSORS (sync_mode, LbSyncMode, FIELD_SYNC_MODE)
DEFINE_NUMBER_ACCESSORS (sync_frequency, LbSyncFrequency, FIELD_SYNC_FREQUENCY)
DEFINE_NUMBER_ACCESSORS (flavour, LbFlavour, FIELD_FLAVOUR)

DEFINE_STRING_ACCESSORS (profile, FIELD_PROFILE)
DEFINE_STRING_ACCESSORS (instance_name, FIELD_INSTANCE_NAME)
DEFINE_STRING_ACCESSORS (capacity, FIELD_CAPACITY)
DEFINE_STRING_ACCESSORS (database_catalog, FIELD_DATABASE_CATALOG)
DEFINE_STRING_ACCESSORS (database_name, FIELD_DATABASE_NAME)
DEFINE_STRING_ACCESSORS (target_schema, FIELD_TARGET_SCHEMA)
DEFINE_STRING_ACCESSORS (storage_catalog, FIELD_STORAGE_CATALOG)
DEFINE_STRING_ACCESSORS (storage_schema, FIELD_STORAGE_SCHEMA)
DEFINE_STRING_ACCESSORS (warehouse_id, FIELD_WAREHOUSE_ID)
DEFINE_STRING_ACCESSORS (branch, FIELD_BRANCH)
DEFINE_STRING_ACCESSORS (endpoint, FIELD_ENDPOINT)

GListModel *
lb_workload_get_tables (LbWorkload *self)
{
  g_return_val_if_fail (LB_IS_WORKLOAD (self), NULL);
  return G_LIST_MODEL (self->tables);
}

void
lb_workload_add_table (LbWorkload    *self,
                       LbSyncedTable *table)
{
  g_return_if_fail (LB_IS_WORKLOAD (self));
  g_return_if_fail (LB_IS_SYNCED_TABLE (table));
  g_return_if_fail (!g_list_store_find (self->tables, table, NULL));

  g_signal_connect_swapped (table, "notify", G_CALLBACK (table_notify_cb), self);
  g_list_store_append (self->tables, table);
}

void
lb_workload_insert_table (LbWorkload    *self,
                          guint          position,
                          LbSyncedTable *table)
{
  g_return_if_fail (LB_IS_WORKLOAD (self));
  g_return_if_fail (LB_IS_SYNCED_TABLE (table));
  g_return_if_fail (!g_list_store_find (self->tables, table, NULL));

  position = MIN (position, g_list_model_get_n_items (G_LIST_MODEL (self->tables)));
  g_signal_connect_swapped (table, "notify", G_CALLBACK (table_notify_cb), self);
  g_list_store_insert (self->tables, position, table);
}

gboolean
lb_workload_get_tables_sync_policy (LbWorkload *self,
                                    guint      *n_continuous,
                                    LbSyncMode *sync_mode)
{
  GListModel *tables;
  guint n_tables;
  guint continuous = 0;
  gboolean any_snapshot = FALSE;
  gboolean any_triggered = FALSE;
  LbSyncMode mode;

  g_return_val_if_fail (LB_IS_WORKLOAD (self), FALSE);

  tables = G_LIST_MODEL (self->tables);
  n_tables = g_list_model_get_n_items (tables);
  for (guint i = 0; i < n_tables; i++)
    {
      g_autoptr(LbSyncedTable) table = g_list_model_get_item (tables, i);

      switch (lb_synced_table_get_scheduling_policy (table))
        {
        case LB_SYNC_MODE_CONTINUOUS:
          continuous++;
          break;
        case LB_SYNC_MODE_TRIGGERED:
          any_triggered = TRUE;
          break;
        case LB_SYNC_MODE_SNAPSHOT:
        default:
          any_snapshot = TRUE;
          break;
        }
    }

  /* The global mode prices the scheduled syncs. It agrees when a listed
   * table is scheduled that way; otherwise Triggered, the slower transfer,
   * wins over Snapshot so that the estimate does not come out low. */
  mode = lb_workload_get_sync_mode (self);
  if (!any_snapshot && !any_triggered)
    mode = LB_SYNC_MODE_CONTINUOUS;
  else if (!((mode == LB_SYNC_MODE_SNAPSHOT && any_snapshot) ||
             (mode == LB_SYNC_MODE_TRIGGERED && any_triggered)))
    mode = any_triggered ? LB_SYNC_MODE_TRIGGERED : LB_SYNC_MODE_SNAPSHOT;

  if (n_continuous != NULL)
    *n_continuous = continuous;
  if (sync_mode != NULL)
    *sync_mode = mode;

  return n_tables > 0;
}

void
lb_workload_remove_table (LbWorkload *self,
                          guint       position)
{
  g_autoptr(LbSyncedTable) table = NULL;

  g_return_if_fail (LB_IS_WORKLOAD (self));
  g_return_if_fail (position < g_list_model_get_n_items (G_LIST_MODEL (self->tables)));

  table = g_list_model_get_item (G_LIST_MODEL (self->tables), position);
  g_signal_handlers_disconnect_by_func (table, table_notify_cb, self);
  g_list_store_remove (self->tables, position);
}

GFile *
lb_workload_get_file (LbWorkload *self)
{
  g_return_val_if_fail (LB_IS_WORKLOAD (self), NULL);
  return self->file;
}

void
lb_workload_set_file (LbWorkload *self,
                      GFile      *file)
{
  g_return_if_fail (LB_IS_WORKLOAD (self));
  g_return_if_fail (file == NULL || G_IS_FILE (file));

  if (self->file == file ||
      (self->file != NULL && file != NULL && g_file_equal (self->file, file)))
    return;

  g_set_object (&self->file, file);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILE]);
}

gpointer
_lb_workload_get_extra (LbWorkload *self)
{
  g_return_val_if_fail (LB_IS_WORKLOAD (self), NULL);
  return self->extra;
}

void
_lb_workload_set_extra (LbWorkload     *self,
                        gpointer        extra,
                        GDestroyNotify  destroy)
{
  gpointer old_extra;
  GDestroyNotify old_destroy;

  g_return_if_fail (LB_IS_WORKLOAD (self));

  old_extra = g_steal_pointer (&self->extra);
  old_destroy = self->extra_destroy;
  self->extra = extra;
  self->extra_destroy = destroy;

  if (old_extra != NULL && old_destroy != NULL)
    old_destroy (old_extra);
}

gboolean
lb_workload_validate (LbWorkload  *self,
                      GError     **error)
{
  g_autoptr(GHashTable) names = NULL;
  guint n;

  g_return_val_if_fail (LB_IS_WORKLOAD (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Unity Catalog names are case-insensitive. */
  names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->tables));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbSyncedTable) table = g_list_model_get_item (G_LIST_MODEL (self->tables), i);
      const char *name = lb_synced_table_get_name (table);

      if (!lb_synced_table_validate (table, error))
        return FALSE;

      if (!g_hash_table_add (names, g_utf8_casefold (name, -1)))
        {
          g_set_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_TABLE,
                       _("Table “%s” is listed twice"), name);
          return FALSE;
        }
    }

  return TRUE;
}
