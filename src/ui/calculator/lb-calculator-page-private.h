/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the calculator page's two files share: the page's state, the form
 * (built from the core's field table in lb-calculator-page-form.c) and the
 * report side and public API (lb-calculator-page.c). */
#pragma once

#include "lb-calculator-page.h"
#include "lb-cost-bar.h"

G_BEGIN_DECLS

/* One form row bound to one field of the workload. */
typedef struct
{
  const LbWorkloadField *field;
  AdwPreferencesRow     *row;
  GtkEditable           *entry;     /* NULL for choice fields */
  char                  *subtitle;  /* the row's normal subtitle, restored after an error */
  /* The field's value when the user started typing in it: what the report
   * goes back to while the text is not a value ("15" on the way to "150"
   * must not stay priced). */
  char                  *value_before_edit;
  gboolean               editing;   /* typing with the focus in the entry */
  gboolean               invalid;   /* the text is not a value for the field */
} FieldRow;

typedef struct
{
  AdwActionRow          *row;
  GtkLabel              *value;
} ItemRow;

typedef enum
{
  ITEM_MAIN_INSTANCE,
  ITEM_SECONDARIES,
  ITEM_STORAGE,
  ITEM_CONTINUOUS_SYNC,
  ITEM_TRIGGERED_SYNC,
  ITEM_MONTHLY_TOTAL,
  ITEM_YEARLY_TOTAL,
  N_ITEMS
} LineItem;

struct _LbCalculatorPage
{
  GtkWidget             parent_instance;

  /* Template Widgets */
  GtkWidget            *main_box;
  GtkScrolledWindow    *form_scroller;
  GtkWidget            *form_box;
  AdwPreferencesGroup  *instance_group;
  AdwPreferencesGroup  *storage_group;
  AdwPreferencesGroup  *sync_group;
  AdwPreferencesGroup  *deployment_group;
  GtkStack             *tables_stack;
  GtkListBox           *tables_list;
  GtkLabel             *provisioned_title;
  GtkLabel             *cu_label;
  GtkLabel             *cu_caption;
  GtkLabel             *autoscaling_title;
  GtkLabel             *range_label;
  GtkLabel             *range_caption;
  GtkLabel             *cu_explanation_label;
  GtkLabel             *autoscaling_explanation_label;
  GtkWidget            *stale_banner;
  GtkLabel             *stale_details;
  GtkWidget            *cards_box;
  GtkWidget            *provisioned_card;
  GtkWidget            *autoscaling_card;
  GtkLabel             *cost_heading;
  LbCostBar            *cost_bar;
  GtkListBox           *items_list;
  GtkListBox           *comparison_list;
  AdwExpanderRow       *comparison_row;
  GtkLabel             *comparison_total;
  GtkBox               *warnings_box;

  /* Borrowed References */
  AdwActionRow         *policy_warning_row;  /* under the pipelines field */
  FieldRow             *pipelines_row;
  FieldRow             *sync_mode_row;

  /* Owned References */
  LbWorkload           *workload;
  LbPriceSheet         *prices;
  LbCostReport         *report;
  JsonNode             *table_sizes;
  GPtrArray            *field_rows;         /* of FieldRow* */
  ItemRow               items[N_ITEMS];      /* the chosen flavour's estimate */
  ItemRow               comparison_items[N_ITEMS];

  gulong                changed_id;
  gulong                tables_changed_id;
  gboolean              updating;
};

/* lb-calculator-page-form.c: one row per workload field, in the groups of
 * the template; typing updates the workload, which reprices the report. */
void     _lb_calculator_page_build_form         (LbCalculatorPage *self);
void     _lb_calculator_page_fill_form          (LbCalculatorPage *self);
void     _lb_calculator_page_fill_field_row     (LbCalculatorPage *self,
                                                 FieldRow         *field_row);
gboolean _lb_calculator_page_has_invalid_fields (LbCalculatorPage *self);
void     _lb_calculator_page_field_row_free     (gpointer          data);

/* lb-calculator-page.c: marks the report stale while a field is invalid. */
void     _lb_calculator_page_update_stale       (LbCalculatorPage *self);

G_END_DECLS
