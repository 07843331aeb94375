/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Workload YAML: whatever loads must save, reload and compare equal, and the
 * splice save (the original text with changed values rewritten) must mean
 * the same as a plain re-emit of the model. */
#include "config.h"

#include "lb-fuzz.h"
#include "lb-workload.h"
#include "lb-synced-table.h"

static void
assert_same_workload (LbWorkload *a,
                      LbWorkload *b)
{
  const LbWorkloadField *fields;
  guint n_fields = 0;
  GListModel *tables_a = lb_workload_get_tables (a);
  GListModel *tables_b = lb_workload_get_tables (b);

  fields = lb_workload_get_fields (&n_fields);
  for (guint i = 0; i < n_fields; i++)
    {
      g_autofree char *value_a = lb_workload_dup_field_string (a, &fields[i]);
      g_autofree char *value_b = lb_workload_dup_field_string (b, &fields[i]);

      if (g_strcmp0 (value_a, value_b) != 0)
        g_error ("%s.%s: “%s” became “%s”", fields[i].section, fields[i].key,
                 value_a ? value_a : "(null)", value_b ? value_b : "(null)");
    }

  g_assert_cmpuint (g_list_model_get_n_items (tables_a), ==, g_list_model_get_n_items (tables_b));
  for (guint i = 0; i < g_list_model_get_n_items (tables_a); i++)
    {
      g_autoptr(LbSyncedTable) ta = g_list_model_get_item (tables_a, i);
      g_autoptr(LbSyncedTable) tb = g_list_model_get_item (tables_b, i);
      static const char * const none[] = { NULL };
      const char * const *keys_a = lb_synced_table_get_primary_keys (ta);
      const char * const *keys_b = lb_synced_table_get_primary_keys (tb);

      g_assert_cmpstr (lb_synced_table_get_name (ta), ==, lb_synced_table_get_name (tb));
      g_assert_cmpint (lb_synced_table_get_scheduling_policy (ta), ==, lb_synced_table_get_scheduling_policy (tb));
      g_assert_true (g_strv_equal (keys_a != NULL ? keys_a : none, keys_b != NULL ? keys_b : none));
    }
}

static LbWorkload *
save_and_reload (LbWorkload *workload,
                 const char *what)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  LbWorkload *reloaded;
  gsize length = 0;

  text = lb_workload_to_data (workload, &length, &error);
  if (text == NULL)
    return NULL;   /* a model the savers refuse (validation) is not a crash */

  reloaded = lb_workload_new_from_data (text, length, "saved.yml", &error);
  if (reloaded == NULL)
    g_error ("the %s save does not load again: %s\n---\n%s", what, error->message, text);
  return reloaded;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(LbWorkload) workload = NULL;
  g_autoptr(LbWorkload) spliced = NULL;
  g_autoptr(LbWorkload) plain = NULL;
  g_autoptr(LbWorkload) emitted = NULL;
  g_autoptr(GError) error = NULL;

  lb_fuzz_init ();

  workload = lb_workload_new_from_data ((const char *) data, size, "fuzz.yml", &error);
  if (workload == NULL)
    {
      g_assert_nonnull (error);
      return 0;
    }

  /* Loaded from text: this is the splice save. */
  spliced = save_and_reload (workload, "splice");
  if (spliced == NULL)
    return 0;
  assert_same_workload (workload, spliced);

  /* The same model without its source document: a plain emit. */
  plain = lb_workload_copy (workload);
  _lb_workload_set_extra (plain, NULL, NULL);
  emitted = save_and_reload (plain, "plain");
  if (emitted != NULL)
    assert_same_workload (spliced, emitted);

  return 0;
}
