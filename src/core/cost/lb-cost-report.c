/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbCostReport: the reference-counted result of the cost model, its JSON,
 * CSV and text forms, and the money and number formatting every report uses,
 * locale-independent so that exports read the same everywhere. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-cost-report.h"

G_DEFINE_BOXED_TYPE (LbCostReport, lb_cost_report, lb_cost_report_ref, lb_cost_report_unref)

/* Columns of the text report. */
#define TEXT_WIDTH 78
#define LABEL_WIDTH 34
#define VALUE_WIDTH 15

static void
lb_cost_warning_free (gpointer data)
{
  LbCostWarning *warning = data;

  g_free (warning->message);
  g_free (warning);
}

LbCostReport *
_lb_cost_report_new (void)
{
  LbCostReport *self = g_new0 (LbCostReport, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->warnings = g_ptr_array_new_with_free_func (lb_cost_warning_free);

  return self;
}

void
_lb_cost_report_add_warning (LbCostReport      *self,
                             LbCostWarningKind  kind,
                             char              *message)
{
  LbCostWarning *warning;

  g_return_if_fail (self != NULL);
  g_return_if_fail (message != NULL);

  warning = g_new0 (LbCostWarning, 1);
  warning->kind = kind;
  warning->message = message;
  g_ptr_array_add (self->warnings, warning);
}

LbCostReport *
lb_cost_report_ref (LbCostReport *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
lb_cost_report_unref (LbCostReport *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_clear_pointer (&self->warnings, g_ptr_array_unref);
  g_clear_pointer (&self->cu_explanation, g_free);
  g_clear_pointer (&self->autoscaling_explanation, g_free);
  g_clear_pointer (&self->timestamp, g_date_time_unref);
  g_clear_pointer (&self->table_sizes, json_node_unref);
  g_clear_pointer (&self->prices_name, g_free);
  g_clear_pointer (&self->currency, g_free);
  g_free (self);
}

gboolean
lb_cost_report_has_warning (LbCostReport      *self,
                            LbCostWarningKind  kind)
{
  g_return_val_if_fail (self != NULL, FALSE);

  for (guint i = 0; i < self->warnings->len; i++)
    {
      const LbCostWarning *warning = g_ptr_array_index (self->warnings, i);

      if (warning->kind == kind)
        return TRUE;
    }

  return FALSE;
}

/* Formatting */

char *
lb_format_number (double value,
                  guint  decimals)
{
  g_autoptr(GString) out = g_string_new (NULL);
  char digits[G_ASCII_DTOSTR_BUF_SIZE];
  double scale;
  double scaled;
  double whole;
  double fraction;
  gsize n_digits;

  g_return_val_if_fail (decimals <= 9, NULL);

  if (!isfinite (value))
    return g_strdup (isnan (value) ? "NaN" : value > 0 ? "∞" : "-∞");

  scale = pow (10.0, decimals);
  /* The nudge (a millionth of the last place) rounds values such as 1.005,
   * stored as 1.00499999…, the way a person reading the decimal would. */
  scaled = round (fabs (value) * scale + 1e-6);
  whole = floor (scaled / scale);
  fraction = scaled - whole * scale;

  if (value < 0 && scaled > 0)
    g_string_append_c (out, '-');

  g_ascii_formatd (digits, sizeof digits, "%.0f", whole);
  n_digits = strlen (digits);
  for (gsize i = 0; i < n_digits; i++)
    {
      if (i > 0 && (n_digits - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }

  if (decimals > 0)
    g_string_append_printf (out, ".%0*.0f", (int) decimals, fraction);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
lb_format_money_in (double      amount,
                    const char *currency)
{
  g_autofree char *number = lb_format_number (fabs (amount), 2);
  const char *sign = amount < 0 && strcmp (number, "0.00") != 0 ? "-" : "";
  const char *symbol = NULL;

  if (currency == NULL || g_ascii_strcasecmp (currency, "USD") == 0)
    symbol = "$";
  else if (g_ascii_strcasecmp (currency, "EUR") == 0)
    symbol = "€";
  else if (g_ascii_strcasecmp (currency, "GBP") == 0)
    symbol = "£";

  if (symbol != NULL)
    return g_strconcat (sign, symbol, number, NULL);

  return g_strdup_printf ("%s%s %s", sign, number, currency);
}

char *
lb_format_money (double amount)
{
  return lb_format_money_in (amount, "USD");
}

/* "12,000" for whole numbers, "0.5" or "12.25" otherwise. */
static char *
format_quantity (double value)
{
  char *text;

  if (value == floor (value) || !isfinite (value))
    return lb_format_number (value, 0);

  text = lb_format_number (value, 2);
  /* Trailing zeros say nothing about a quantity a user typed. */
  if (g_str_has_suffix (text, "0"))
    text[strlen (text) - 1] = '\0';
  return text;
}

static double
round_cents (double amount)
{
  double cents = round (fabs (amount) * 100.0 + 1e-6) / 100.0;

  return amount < 0 ? -cents : cents;
}

double
lb_cost_report_get_monthly_total (LbCostReport *self,
                                  LbFlavour     flavour)
{
  g_return_val_if_fail (self != NULL, 0);

  if (flavour == LB_FLAVOUR_AUTOSCALING)
    return self->autoscaling.monthly_total_cost_max;
  return self->breakdown.total_monthly_cost;
}

static LbFlavour
other_flavour (LbFlavour flavour)
{
  return flavour == LB_FLAVOUR_AUTOSCALING ? LB_FLAVOUR_PROVISIONED : LB_FLAVOUR_AUTOSCALING;
}

/* JSON */

static void
add_estimate_members (JsonBuilder  *builder,
                      LbCostReport *self,
                      LbFlavour     flavour)
{
  double monthly = lb_cost_report_get_monthly_total (self, flavour);

  json_builder_set_member_name (builder, "flavour");
  json_builder_add_string_value (builder, lb_flavour_to_string (flavour));
  json_builder_set_member_name (builder, "basis");
  json_builder_add_string_value (builder, flavour == LB_FLAVOUR_AUTOSCALING
                                          ? "autoscaling.monthly_total_cost_max"
                                          : "cost_breakdown.total_monthly_cost");
  json_builder_set_member_name (builder, "monthly_total_cost");
  json_builder_add_double_value (builder, monthly);
  json_builder_set_member_name (builder, "yearly_total_cost");
  json_builder_add_double_value (builder, flavour == LB_FLAVOUR_AUTOSCALING
                                          ? monthly * 12 : self->yearly_total_cost);
}

JsonNode *
lb_cost_report_to_json (LbCostReport *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *timestamp = NULL;
  const LbCostInputs *in;
  const LbCostBreakdown *b;
  const LbAutoscalingEstimate *a;

  g_return_val_if_fail (self != NULL, NULL);

  in = &self->inputs;
  b = &self->breakdown;
  a = &self->autoscaling;
  timestamp = g_date_time_format_iso8601 (self->timestamp);

  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "timestamp");
  json_builder_add_string_value (builder, timestamp);

  /* The web tool's flattened inputs: exactly its 13 keys. */
  json_builder_set_member_name (builder, "workload_config");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "bulk_writes_per_second");
  json_builder_add_double_value (builder, in->bulk_writes_per_second);
  json_builder_set_member_name (builder, "continuous_writes_per_second");
  json_builder_add_double_value (builder, in->continuous_writes_per_second);
  json_builder_set_member_name (builder, "reads_per_second");
  json_builder_add_double_value (builder, in->reads_per_second);
  json_builder_set_member_name (builder, "number_of_readable_secondaries");
  json_builder_add_int_value (builder, in->number_of_readable_secondaries);
  json_builder_set_member_name (builder, "readable_secondary_size_cu");
  json_builder_add_double_value (builder, in->readable_secondary_size_cu);
  json_builder_set_member_name (builder, "promotion_percentage");
  json_builder_add_double_value (builder, in->promotion_percentage);
  json_builder_set_member_name (builder, "data_stored_gb");
  json_builder_add_double_value (builder, in->data_stored_gb);
  json_builder_set_member_name (builder, "estimated_data_deleted_daily_gb");
  json_builder_add_double_value (builder, in->estimated_data_deleted_daily_gb);
  json_builder_set_member_name (builder, "restore_windows_days");
  json_builder_add_int_value (builder, in->restore_windows_days);
  json_builder_set_member_name (builder, "number_of_continuous_pipelines");
  json_builder_add_int_value (builder, in->number_of_continuous_pipelines);
  json_builder_set_member_name (builder, "expected_data_per_sync_gb");
  json_builder_add_double_value (builder, in->expected_data_per_sync_gb);
  json_builder_set_member_name (builder, "sync_mode");
  json_builder_add_string_value (builder, lb_sync_mode_to_string (in->sync_mode));
  json_builder_set_member_name (builder, "sync_frequency");
  json_builder_add_string_value (builder, in->sync_frequency <= LB_SYNC_FREQUENCY_PER_HOUR
                                          ? lb_sync_frequency_to_string (in->sync_frequency)
                                          : "");
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "cost_breakdown");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "bulk_cu");
  json_builder_add_double_value (builder, b->bulk_cu);
  json_builder_set_member_name (builder, "continuous_cu");
  json_builder_add_double_value (builder, b->continuous_cu);
  json_builder_set_member_name (builder, "read_cu");
  json_builder_add_double_value (builder, b->read_cu);
  json_builder_set_member_name (builder, "total_cu");
  json_builder_add_double_value (builder, b->total_cu);
  json_builder_set_member_name (builder, "recommended_cu");
  json_builder_add_int_value (builder, b->recommended_cu);
  json_builder_set_member_name (builder, "main_instance_cost");
  json_builder_add_double_value (builder, b->main_instance_cost);
  json_builder_set_member_name (builder, "readable_secondaries_cost");
  json_builder_add_double_value (builder, b->readable_secondaries_cost);
  json_builder_set_member_name (builder, "total_compute_cost");
  json_builder_add_double_value (builder, b->total_compute_cost);
  json_builder_set_member_name (builder, "storage_cost");
  json_builder_add_double_value (builder, b->storage_cost);
  json_builder_set_member_name (builder, "continuous_sync_cost");
  json_builder_add_double_value (builder, b->continuous_sync_cost);
  json_builder_set_member_name (builder, "triggered_sync_cost");
  json_builder_add_double_value (builder, b->triggered_sync_cost);
  json_builder_set_member_name (builder, "total_sync_cost");
  json_builder_add_double_value (builder, b->total_sync_cost);
  json_builder_set_member_name (builder, "estimated_sync_time_hours");
  json_builder_add_double_value (builder, b->estimated_sync_time_hours);
  json_builder_set_member_name (builder, "total_monthly_cost");
  json_builder_add_double_value (builder, b->total_monthly_cost);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "autoscaling");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "total_cu");
  json_builder_add_double_value (builder, a->total_cu);
  json_builder_set_member_name (builder, "min_cu");
  json_builder_add_double_value (builder, a->min_cu);
  json_builder_set_member_name (builder, "max_cu");
  json_builder_add_double_value (builder, a->max_cu);
  json_builder_set_member_name (builder, "monthly_compute_cost_min");
  json_builder_add_double_value (builder, a->monthly_compute_cost_min);
  json_builder_set_member_name (builder, "monthly_compute_cost_max");
  json_builder_add_double_value (builder, a->monthly_compute_cost_max);
  json_builder_set_member_name (builder, "monthly_storage_cost");
  json_builder_add_double_value (builder, a->monthly_storage_cost);
  json_builder_set_member_name (builder, "monthly_sync_cost");
  json_builder_add_double_value (builder, a->monthly_sync_cost);
  json_builder_set_member_name (builder, "monthly_total_cost_min");
  json_builder_add_double_value (builder, a->monthly_total_cost_min);
  json_builder_set_member_name (builder, "monthly_total_cost_max");
  json_builder_add_double_value (builder, a->monthly_total_cost_max);
  json_builder_set_member_name (builder, "max_connections");
  json_builder_add_int_value (builder, (gint64) a->max_connections);
  json_builder_set_member_name (builder, "needs_fixed_size");
  json_builder_add_boolean_value (builder, a->needs_fixed_size);
  json_builder_end_object (builder);

  /* Which figure is the estimate: the chosen flavour's, with the other one
   * beside it; cost_breakdown stays the web tool's classic figures. */
  json_builder_set_member_name (builder, "estimate");
  json_builder_begin_object (builder);
  add_estimate_members (builder, self, in->flavour);
  json_builder_set_member_name (builder, "comparison");
  json_builder_begin_object (builder);
  add_estimate_members (builder, self, other_flavour (in->flavour));
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  if (self->table_sizes != NULL)
    {
      json_builder_set_member_name (builder, "table_sizes");
      json_builder_add_value (builder, json_node_copy (self->table_sizes));
    }

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

void
lb_cost_report_set_table_sizes (LbCostReport *self,
                                JsonNode     *table_sizes)
{
  g_return_if_fail (self != NULL);

  g_clear_pointer (&self->table_sizes, json_node_unref);
  if (table_sizes != NULL)
    self->table_sizes = json_node_ref (table_sizes);
}

char *
lb_cost_report_to_json_string (LbCostReport *self,
                               gboolean      pretty)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  root = lb_cost_report_to_json (self);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, pretty);
  json_generator_set_indent (generator, 2);

  return json_generator_to_data (generator, NULL);
}

/* Line items, shared by the CSV and the text */

typedef struct
{
  char     *label;
  char     *short_label; /* under a heading that already names the section; may be NULL */
  double    monthly;
  gboolean  total;      /* a sum of the lines above it */
} LineItem;

static void
line_item_clear (gpointer data)
{
  LineItem *item = data;

  g_free (item->label);
  g_free (item->short_label);
}

static void
add_item (GArray     *items,
          char       *label,
          double      monthly,
          gboolean    total)
{
  LineItem item = { label, NULL, monthly, total };

  g_array_append_val (items, item);
}

static GArray *
collect_classic_items (LbCostReport *self)
{
  gboolean chosen = self->inputs.flavour == LB_FLAVOUR_PROVISIONED;
  GArray *items = g_array_new (FALSE, TRUE, sizeof (LineItem));
  const LbCostBreakdown *b = &self->breakdown;

  g_array_set_clear_func (items, line_item_clear);

  add_item (items, g_strdup_printf (_("Main instance (%u CU)"), b->recommended_cu),
            b->main_instance_cost, FALSE);
  add_item (items, g_strdup (_("Readable secondaries")), b->readable_secondaries_cost, FALSE);
  add_item (items, g_strdup (_("Compute")), b->total_compute_cost, TRUE);
  add_item (items, g_strdup (_("Storage")), b->storage_cost, FALSE);
  add_item (items, g_strdup (_("Continuous sync")), b->continuous_sync_cost, FALSE);
  add_item (items, g_strdup (_("Triggered sync")), b->triggered_sync_cost, FALSE);
  add_item (items, g_strdup (_("Sync")), b->total_sync_cost, TRUE);
  add_item (items, g_strdup (chosen ? _("Total, provisioned (chosen)")
                                    : _("Total, provisioned (for comparison)")),
            b->total_monthly_cost, TRUE);
  g_array_index (items, LineItem, items->len - 1).short_label =
    g_strdup (chosen ? _("Total (chosen)") : _("Total (for comparison)"));

  return items;
}

static GArray *
collect_autoscaling_items (LbCostReport *self)
{
  GArray *items = g_array_new (FALSE, TRUE, sizeof (LineItem));
  const LbAutoscalingEstimate *a = &self->autoscaling;
  g_autofree char *min_cu = format_quantity (a->min_cu);
  g_autofree char *max_cu = format_quantity (a->max_cu);
  gboolean chosen = self->inputs.flavour == LB_FLAVOUR_AUTOSCALING;

  g_array_set_clear_func (items, line_item_clear);

  add_item (items, g_strdup_printf (_("Autoscaling compute at min (%s CU)"), min_cu),
            a->monthly_compute_cost_min, FALSE);
  add_item (items, g_strdup_printf (_("Autoscaling compute at max (%s CU)"), max_cu),
            a->monthly_compute_cost_max, FALSE);
  add_item (items, g_strdup (_("Autoscaling storage")), a->monthly_storage_cost, FALSE);
  add_item (items, g_strdup (_("Autoscaling sync")), a->monthly_sync_cost, FALSE);
  /* TRANSLATORS: the autoscaling estimate is the compute at the range's max */
  add_item (items, g_strdup (chosen ? _("Total, autoscaling at max (chosen)")
                                    : _("Total, autoscaling at max (for comparison)")),
            a->monthly_total_cost_max, TRUE);

  g_array_index (items, LineItem, 0).short_label =
    g_strdup_printf (_("Compute at min (%s CU)"), min_cu);
  g_array_index (items, LineItem, 1).short_label =
    g_strdup_printf (_("Compute at max (%s CU)"), max_cu);
  g_array_index (items, LineItem, 2).short_label = g_strdup (_("Storage"));
  g_array_index (items, LineItem, 3).short_label = g_strdup (_("Sync"));
  g_array_index (items, LineItem, 4).short_label =
    g_strdup (chosen ? _("Total at max (chosen)") : _("Total at max (for comparison)"));

  return items;
}

static void
append_csv_field (GString    *out,
                  const char *text)
{
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (out, text);
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
append_csv_items (GString *out,
                  GArray  *items)
{
  for (guint i = 0; i < items->len; i++)
    {
      const LineItem *item = &g_array_index (items, LineItem, i);
      char monthly[G_ASCII_DTOSTR_BUF_SIZE];
      char yearly[G_ASCII_DTOSTR_BUF_SIZE];

      /* Plain numbers (no symbol, no grouping) so spreadsheets read them. */
      g_ascii_formatd (monthly, sizeof monthly, "%.2f", round_cents (item->monthly));
      g_ascii_formatd (yearly, sizeof yearly, "%.2f", round_cents (item->monthly * 12.0));

      append_csv_field (out, item->label);
      g_string_append_printf (out, ",%s,%s\r\n", monthly, yearly);
    }
}

char *
lb_cost_report_to_csv (LbCostReport *self)
{
  g_autoptr(GString) out = g_string_new ("item,monthly,yearly\r\n");
  g_autoptr(GArray) classic = NULL;
  g_autoptr(GArray) autoscaling = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  classic = collect_classic_items (self);
  autoscaling = collect_autoscaling_items (self);
  if (self->inputs.flavour == LB_FLAVOUR_AUTOSCALING)
    {
      append_csv_items (out, autoscaling);
      append_csv_items (out, classic);
    }
  else
    {
      append_csv_items (out, classic);
      append_csv_items (out, autoscaling);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Text */

static void
append_padded (GString    *out,
               const char *text,
               int         width,
               gboolean    right)
{
  int pad = width - (int) g_utf8_strlen (text, -1);

  if (right)
    {
      for (int i = 0; i < pad; i++)
        g_string_append_c (out, ' ');
      g_string_append (out, text);
    }
  else
    {
      g_string_append (out, text);
      for (int i = 0; i < pad; i++)
        g_string_append_c (out, ' ');
    }
}

/* "  Label ........ value unit" */
static void
append_row (GString    *out,
            const char *label,
            const char *value,
            const char *unit)
{
  GString *line = g_string_new ("  ");

  append_padded (line, label, LABEL_WIDTH - 2, FALSE);
  append_padded (line, value, VALUE_WIDTH, TRUE);
  if (unit != NULL && *unit != '\0')
    {
      g_string_append_c (line, ' ');
      g_string_append (line, unit);
    }

  /* A long label pushes the value right; never leave trailing blanks. */
  while (line->len > 0 && line->str[line->len - 1] == ' ')
    g_string_truncate (line, line->len - 1);

  g_string_append (out, line->str);
  g_string_append_c (out, '\n');
  g_string_free (line, TRUE);
}

static void
append_money_row (GString    *out,
                  const char *label,
                  double      monthly,
                  double      yearly,
                  const char *currency)
{
  g_autofree char *m = lb_format_money_in (monthly, currency);
  g_autofree char *y = lb_format_money_in (yearly, currency);
  GString *line = g_string_new ("  ");

  append_padded (line, label, LABEL_WIDTH - 2, FALSE);
  append_padded (line, m, VALUE_WIDTH, TRUE);
  append_padded (line, y, VALUE_WIDTH + 2, TRUE);
  g_string_append (out, line->str);
  g_string_append_c (out, '\n');
  g_string_free (line, TRUE);
}

static void
append_heading (GString    *out,
                const char *title,
                const char *col1,
                const char *col2)
{
  g_string_append_c (out, '\n');
  if (col1 == NULL)
    {
      g_string_append (out, title);
    }
  else
    {
      append_padded (out, title, LABEL_WIDTH, FALSE);
      append_padded (out, col1, VALUE_WIDTH, TRUE);
      append_padded (out, col2, VALUE_WIDTH + 2, TRUE);
    }
  g_string_append_c (out, '\n');
}

/* Wraps @text at word boundaries, each line starting with @first (first
 * line) or @indent (the others). */
static void
append_wrapped (GString    *out,
                const char *text,
                const char *first,
                const char *indent)
{
  g_auto(GStrv) words = g_strsplit (text, " ", -1);
  const char *prefix = first;
  GString *line = g_string_new (NULL);
  gboolean empty = TRUE;

  for (guint i = 0; words[i] != NULL; i++)
    {
      glong width = g_utf8_strlen (line->str, -1) + 1 + g_utf8_strlen (words[i], -1);

      if (*words[i] == '\0')
        continue;

      if (!empty && width + (glong) g_utf8_strlen (prefix, -1) > TEXT_WIDTH)
        {
          g_string_append_printf (out, "%s%s\n", prefix, line->str);
          g_string_truncate (line, 0);
          prefix = indent;
          empty = TRUE;
        }

      if (!empty)
        g_string_append_c (line, ' ');
      g_string_append (line, words[i]);
      empty = FALSE;
    }

  if (!empty)
    g_string_append_printf (out, "%s%s\n", prefix, line->str);

  g_string_free (line, TRUE);
}

static void
append_classic_section (GString      *out,
                        LbCostReport *self,
                        GArray       *classic)
{
  gboolean chosen = self->inputs.flavour == LB_FLAVOUR_PROVISIONED;

  append_heading (out, chosen ? _("Provisioned cost (chosen)") : _("Provisioned cost (for comparison)"),
                  _("Monthly"), _("Yearly"));
  for (guint i = 0; i < classic->len; i++)
    {
      const LineItem *item = &g_array_index (classic, LineItem, i);
      double yearly = i + 1 == classic->len ? self->yearly_total_cost : item->monthly * 12.0;

      append_money_row (out, item->short_label != NULL ? item->short_label : item->label,
                        item->monthly, yearly, self->currency);
    }
}

static void
append_autoscaling_section (GString      *out,
                            LbCostReport *self,
                            GArray       *autoscaling)
{
  const LbAutoscalingEstimate *a = &self->autoscaling;
  gboolean chosen = self->inputs.flavour == LB_FLAVOUR_AUTOSCALING;
  g_autofree char *min_cu = format_quantity (a->min_cu);
  g_autofree char *max_cu = format_quantity (a->max_cu);
  g_autofree char *title = NULL;
  g_autofree char *connections = lb_format_number (a->max_connections, 0);
  g_autofree char *connections_label = g_strdup_printf (_("Max connections at %s CU"), max_cu);

  if (chosen)
    title = g_strdup_printf (_("Autoscaling %s–%s CU, always on (chosen)"), min_cu, max_cu);
  else
    title = g_strdup_printf (_("Autoscaling %s–%s CU, always on (for comparison)"), min_cu, max_cu);

  append_heading (out, title, _("Monthly"), _("Yearly"));
  for (guint i = 0; i < autoscaling->len; i++)
    {
      const LineItem *item = &g_array_index (autoscaling, LineItem, i);

      append_money_row (out, item->short_label != NULL ? item->short_label : item->label,
                        item->monthly, item->monthly * 12.0, self->currency);
    }
  append_row (out, connections_label, connections, NULL);
}

char *
lb_cost_report_to_text (LbCostReport *self)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GArray) classic = NULL;
  g_autoptr(GArray) autoscaling = NULL;
  const LbCostInputs *in;
  const LbCostBreakdown *b;
  const char *currency;

  g_return_val_if_fail (self != NULL, NULL);

  in = &self->inputs;
  b = &self->breakdown;
  currency = self->currency;

  g_string_append (out, _("Lakebase cost estimate"));
  g_string_append_c (out, '\n');
  if (self->prices_name != NULL)
    {
      /* TRANSLATORS: "Prices: Lakebase list prices (USD)" */
      g_string_append_printf (out, _("Prices: %s (%s)"), self->prices_name,
                              currency != NULL ? currency : "USD");
      g_string_append_c (out, '\n');
    }

  /* Which figure is the estimate, before any detail. */
  {
    LbFlavour other = other_flavour (in->flavour);
    g_autofree char *chosen_total = lb_format_money_in (lb_cost_report_get_monthly_total (self, in->flavour),
                                                        currency);
    g_autofree char *other_total = lb_format_money_in (lb_cost_report_get_monthly_total (self, other),
                                                       currency);

    /* TRANSLATORS: "Estimate: Autoscaling, $1,234.56 a month" */
    g_string_append_printf (out, _("Estimate: %s, %s a month"), lb_flavour_get_label (in->flavour),
                            chosen_total);
    g_string_append_c (out, '\n');
    /* TRANSLATORS: "For comparison: Provisioned, $1,540.33 a month" */
    g_string_append_printf (out, _("For comparison: %s, %s a month"), lb_flavour_get_label (other),
                            other_total);
    g_string_append_c (out, '\n');
  }

  /* Inputs */
  {
    g_autofree char *reads = format_quantity (in->reads_per_second);
    g_autofree char *bulk = format_quantity (in->bulk_writes_per_second);
    g_autofree char *continuous = format_quantity (in->continuous_writes_per_second);
    g_autofree char *secondaries = NULL;
    g_autofree char *secondary_size = format_quantity (in->readable_secondary_size_cu);
    g_autofree char *promotion = format_quantity (in->promotion_percentage);
    g_autofree char *stored = format_quantity (in->data_stored_gb);
    g_autofree char *pipelines = g_strdup_printf ("%u", in->number_of_continuous_pipelines);
    g_autofree char *per_sync = format_quantity (in->expected_data_per_sync_gb);
    g_autofree char *per_sync_unit = NULL;
    g_autofree char *tables = g_strdup_printf ("%u", in->n_tables);
    g_autofree char *secondaries_unit = NULL;

    secondaries = g_strdup_printf ("%u", in->number_of_readable_secondaries);
    /* TRANSLATORS: unit after the number of readable secondaries: "1 × 1 CU" */
    secondaries_unit = g_strdup_printf (_("× %s CU"), secondary_size);
    per_sync_unit = g_strdup_printf (_("GB (%s, %s)"),
                                     lb_sync_mode_to_string (in->sync_mode),
                                     in->sync_frequency <= LB_SYNC_FREQUENCY_PER_HOUR
                                     ? lb_sync_frequency_get_label (in->sync_frequency)
                                     : "?");

    append_heading (out, _("Workload"), NULL, NULL);
    append_row (out, _("Reads"), reads, _("/s"));
    append_row (out, _("Bulk writes"), bulk, _("/s"));
    append_row (out, _("Continuous writes"), continuous, _("/s"));
    append_row (out, _("Readable secondaries"), secondaries, secondaries_unit);
    append_row (out, _("Promotion"), promotion, "%");
    append_row (out, _("Data stored"), stored, _("GB"));
    append_row (out, _("Continuous pipelines"), pipelines, NULL);
    append_row (out, _("Data per sync"), per_sync, per_sync_unit);
    append_row (out, _("Synced tables"), tables, NULL);
  }

  /* Capacity */
  {
    g_autofree char *read_cu = lb_format_number (b->read_cu, 2);
    g_autofree char *bulk_cu = lb_format_number (b->bulk_cu, 2);
    g_autofree char *continuous_cu = lb_format_number (b->continuous_cu, 2);
    g_autofree char *total_cu = lb_format_number (b->total_cu, 2);
    g_autofree char *recommended = g_strdup_printf ("%u", b->recommended_cu);
    g_autofree char *sync_time = lb_format_number (b->estimated_sync_time_hours, 2);
    g_autofree char *connections = lb_format_number (self->implied_connections, 0);

    append_heading (out, _("Capacity"), NULL, NULL);
    append_row (out, _("Reads"), read_cu, _("CU"));
    append_row (out, _("Bulk writes"), bulk_cu, _("CU"));
    append_row (out, _("Continuous writes"), continuous_cu, _("CU"));
    append_row (out, _("Total demand"), total_cu, _("CU"));
    append_row (out, _("Recommended instance"), recommended, _("CU"));
    if (b->sync_time_applicable)
      append_row (out, _("Time per sync"), sync_time, _("h"));
    else
      append_row (out, _("Time per sync"), _("n/a"), _("(continuous)"));
    append_row (out, _("Connections implied"), connections, NULL);
  }

  /* The chosen flavour's cost first, the other one after it. */
  classic = collect_classic_items (self);
  autoscaling = collect_autoscaling_items (self);
  if (in->flavour == LB_FLAVOUR_AUTOSCALING)
    {
      append_autoscaling_section (out, self, autoscaling);
      append_classic_section (out, self, classic);
    }
  else
    {
      append_classic_section (out, self, classic);
      append_autoscaling_section (out, self, autoscaling);
    }

  /* Why */
  append_heading (out, _("Why these sizes"), NULL, NULL);
  if (self->cu_explanation != NULL)
    append_wrapped (out, self->cu_explanation, "  ", "  ");
  if (self->cu_explanation != NULL && self->autoscaling_explanation != NULL)
    g_string_append_c (out, '\n');
  if (self->autoscaling_explanation != NULL)
    append_wrapped (out, self->autoscaling_explanation, "  ", "  ");

  if (self->warnings->len > 0)
    {
      append_heading (out, _("Warnings"), NULL, NULL);
      for (guint i = 0; i < self->warnings->len; i++)
        {
          const LbCostWarning *warning = g_ptr_array_index (self->warnings, i);

          append_wrapped (out, warning->message, "  • ", "    ");
        }
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}
