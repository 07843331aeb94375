/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbServerStatsView: three preference groups filled from the record. No
 * figures are computed here: the deltas, findings and bands are core's. */
#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "lb-reference-bands.h"
#include "lb-run-comparison.h"
#include "lb-run-format.h"
#include "lb-server-findings.h"
#include "lb-server-snapshot.h"
#include "lb-server-stats-view.h"

#define SHOWN_STATEMENTS 5
#define SHOWN_WAITS      6

struct _LbServerStatsView
{
  GtkBox               parent_instance;

  AdwPreferencesGroup *server_group;
  GtkListBox          *server_list;
  AdwPreferencesGroup *findings_group;
  GtkListBox          *findings_list;
  AdwPreferencesGroup *bands_group;
  GtkListBox          *bands_list;
  LbPriceSheet        *prices;
};

G_DEFINE_FINAL_TYPE (LbServerStatsView, lb_server_stats_view, GTK_TYPE_BOX)

static GtkListBox *
add_group (LbServerStatsView    *self,
           AdwPreferencesGroup **group,
           const char           *title,
           const char           *description)
{
  GtkWidget *list = gtk_list_box_new ();

  *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (*group, title);
  if (description != NULL)
    adw_preferences_group_set_description (*group, description);
  gtk_widget_set_margin_top (GTK_WIDGET (*group), 12);
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  adw_preferences_group_add (*group, list);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (*group));
  gtk_widget_set_visible (GTK_WIDGET (*group), FALSE);
  return GTK_LIST_BOX (list);
}

static void
clear (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

/* A row: title, optional subtitle, optional value (and delta) at the end. */
static void
add_row (GtkListBox    *list,
         const char    *title,
         const char    *subtitle,
         const char    *value,
         const LbDelta *delta)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 4);
    }
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 3);
  if (value != NULL)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
      GtkWidget *label = gtk_label_new (value);

      gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
      gtk_label_set_xalign (GTK_LABEL (label), 1);
      gtk_widget_add_css_class (label, "numeric");
      gtk_box_append (GTK_BOX (box), label);
      if (delta != NULL && delta->verdict != LB_DELTA_NONE)
        {
          g_autofree char *text = lb_delta_format (delta);
          GtkWidget *delta_label = gtk_label_new (text);

          gtk_label_set_xalign (GTK_LABEL (delta_label), 1);
          gtk_widget_add_css_class (delta_label, "caption");
          gtk_widget_add_css_class (delta_label, delta->verdict == LB_DELTA_BETTER ? "success"
                                                 : delta->verdict == LB_DELTA_WORSE ? "error" : "dim-label");
          gtk_box_append (GTK_BOX (box), delta_label);
        }
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), box);
    }
  gtk_list_box_append (list, row);
}

static void
fill_server (LbServerStatsView *self,
             LbRunRecord       *record,
             LbRunRecord       *baseline)
{
  GPtrArray *snapshots = lb_run_record_get_server_snapshots (record);
  GPtrArray *notes = lb_run_record_get_server_notes (record);
  g_autoptr(LbServerDelta) delta = lb_server_delta_compute (snapshots);
  LbServerDeltaRow row;
  gboolean compared = baseline != NULL && lb_compare_server (record, baseline, &row);
  const LbServerSnapshot *last = snapshots->len > 0 ? g_ptr_array_index (snapshots, snapshots->len - 1) : NULL;
  gboolean any = FALSE;

  clear (self->server_list);
  if (delta != NULL && delta->has_database)
    {
      g_autofree char *commits = lb_format_count (delta->commits);
      g_autofree char *rollbacks = lb_format_count (delta->rollbacks);
      g_autofree char *subtitle = g_strdup_printf (_("%s rolled back"), rollbacks);
      g_autofree char *ratio = isfinite (delta->hit_ratio) ? g_strdup_printf ("%.2f %%", delta->hit_ratio * 100)
                                                           : g_strdup ("—");
      g_autofree char *hit = lb_format_count (delta->blks_hit);
      g_autofree char *read = lb_format_count (delta->blks_read);
      g_autofree char *blocks = g_strdup_printf (_("%s blocks from shared buffers, %s read"), hit, read);
      g_autofree char *temp = lb_format_count (delta->temp_files);
      g_autofree char *temp_size = g_format_size (delta->temp_bytes);
      g_autofree char *deadlocks = lb_format_count (delta->deadlocks);
      g_autofree char *seq = lb_format_count (delta->seq_scans);
      g_autofree char *idx = lb_format_count (delta->idx_scans);
      g_autofree char *scans = g_strdup_printf (_("%s sequential · %s index"), seq, idx);

      add_row (self->server_list, _("Commits"), subtitle, commits, NULL);
      add_row (self->server_list, _("Cache hit ratio"), blocks, ratio,
               compared ? &row.figures[LB_SERVER_COMPARED_HIT_RATIO] : NULL);
      add_row (self->server_list, _("Temporary files"), temp_size, temp,
               compared ? &row.figures[LB_SERVER_COMPARED_TEMP_FILES] : NULL);
      add_row (self->server_list, _("Deadlocks"), NULL, deadlocks,
               compared ? &row.figures[LB_SERVER_COMPARED_DEADLOCKS] : NULL);
      add_row (self->server_list, _("Table scans"), _("Over all user tables"), scans,
               compared ? &row.figures[LB_SERVER_COMPARED_SEQ_SCANS] : NULL);
      any = TRUE;
    }

  if (delta != NULL && delta->waits->len > 0)
    {
      GString *waits = g_string_new (NULL);

      for (guint i = 0; i < MIN (delta->waits->len, SHOWN_WAITS); i++)
        {
          const LbServerWait *w = g_ptr_array_index (delta->waits, i);

          g_string_append_printf (waits, "%s%s × %" G_GUINT64_FORMAT, i > 0 ? " · " : "", w->event, w->count);
        }
      add_row (self->server_list, _("Wait events"), waits->str, NULL, NULL);
      g_string_free (waits, TRUE);
      any = TRUE;
    }

  if (delta != NULL && delta->has_statements)
    for (guint i = 0; i < MIN (delta->statements->len, SHOWN_STATEMENTS); i++)
      {
        const LbServerStatement *s = g_ptr_array_index (delta->statements, i);
        g_autofree char *calls = lb_format_count (s->calls);
        g_autofree char *total = lb_format_ms (s->total_ms);
        g_autofree char *mean = lb_format_ms (s->mean_ms);
        /* Translators: calls, total time, mean time of a statement. */
        g_autofree char *subtitle = g_strdup_printf (_("%s calls · %s ms in all · %s ms each"), calls, total, mean);
        g_autofree char *query = g_strdup (s->query);

        g_strdelimit (query, "\n\r\t", ' ');
        add_row (self->server_list, query, subtitle, NULL, NULL);
        any = TRUE;
      }
  else if (last != NULL)
    for (guint i = 0; i < last->notes->len; i++)
      {
        add_row (self->server_list, g_ptr_array_index (last->notes, i), NULL, NULL, NULL);
        any = TRUE;
      }

  for (guint i = 0; i < notes->len; i++)
    {
      add_row (self->server_list, g_ptr_array_index (notes, i), NULL, NULL, NULL);
      any = TRUE;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->server_group), any);
}

static void
fill_findings (LbServerStatsView *self,
               LbRunRecord       *record)
{
  g_autoptr(GPtrArray) findings = lb_server_findings_compute (lb_run_record_get_server_snapshots (record));

  clear (self->findings_list);
  for (guint i = 0; i < findings->len; i++)
    {
      const LbServerFinding *f = g_ptr_array_index (findings, i);

      add_row (self->findings_list, f->what, f->why, NULL, NULL);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->findings_group), findings->len > 0);
}

static void
fill_bands (LbServerStatsView *self,
            LbRunRecord       *record)
{
  const char *source = NULL;
  double cu = lb_run_record_get_reference_cu (record, &source);
  const char *source_text = g_strcmp0 (source, "workload") == 0 ? _("the workload’s recommendation")
                            : g_strcmp0 (source, "settings") == 0 ? _("set in the run settings") : NULL;
  g_auto(GStrv) lines = NULL;
  LbReferenceBands bands;

  clear (self->bands_list);
  lb_reference_bands_compute (record, cu, self->prices, &bands);
  lines = lb_reference_bands_describe (&bands, source_text, lb_price_sheet_get_currency (self->prices));
  for (guint i = 0; lines[i] != NULL; i++)
    {
      /* "Throughput: …": the part before the colon is the row's title. */
      const char *colon = strstr (lines[i], ": ");

      if (colon != NULL)
        {
          g_autofree char *title = g_strndup (lines[i], colon - lines[i]);

          add_row (self->bands_list, title, colon + 2, NULL, NULL);
        }
      else
        add_row (self->bands_list, lines[i], NULL, NULL, NULL);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->bands_group), TRUE);
}

void
lb_server_stats_view_show (LbServerStatsView *self,
                           LbRunRecord       *record,
                           LbRunRecord       *baseline)
{
  g_return_if_fail (LB_IS_SERVER_STATS_VIEW (self));

  if (record == NULL)
    {
      clear (self->server_list);
      clear (self->findings_list);
      clear (self->bands_list);
      gtk_widget_set_visible (GTK_WIDGET (self->server_group), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->findings_group), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->bands_group), FALSE);
      return;
    }
  fill_server (self, record, baseline);
  fill_findings (self, record);
  fill_bands (self, record);
}

static void
append_rows (GString    *out,
             GtkListBox *list)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (list)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *subtitle;

      if (!ADW_IS_ACTION_ROW (child))
        continue;
      g_string_append (out, adw_preferences_row_get_title (ADW_PREFERENCES_ROW (child)));
      subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (child));
      if (subtitle != NULL && *subtitle != '\0')
        g_string_append_printf (out, " — %s", subtitle);
      g_string_append_c (out, '\n');
    }
}

char *
lb_server_stats_view_dup_text (LbServerStatsView *self)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (LB_IS_SERVER_STATS_VIEW (self), NULL);

  if (gtk_widget_get_visible (GTK_WIDGET (self->server_group)))
    append_rows (out, self->server_list);
  if (gtk_widget_get_visible (GTK_WIDGET (self->findings_group)))
    append_rows (out, self->findings_list);
  if (gtk_widget_get_visible (GTK_WIDGET (self->bands_group)))
    append_rows (out, self->bands_list);
  return g_string_free (out, FALSE);
}

static void
lb_server_stats_view_dispose (GObject *object)
{
  LbServerStatsView *self = LB_SERVER_STATS_VIEW (object);

  g_clear_object (&self->prices);

  G_OBJECT_CLASS (lb_server_stats_view_parent_class)->dispose (object);
}

static void
lb_server_stats_view_class_init (LbServerStatsViewClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lb_server_stats_view_dispose;
}

static void
lb_server_stats_view_init (LbServerStatsView *self)
{
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  self->server_list = add_group (self, &self->server_group, _("What the Server Saw"),
                                 _("From the server’s statistics views, between the first and the last snapshot"));
  self->findings_list = add_group (self, &self->findings_group, _("Findings"),
                                   _("Across the database, since its statistics were last reset"));
  self->bands_list = add_group (self, &self->bands_group, _("Against Lakebase’s Figures"),
                                _("What the CU size should serve, and what the run cost"));
  self->prices = lb_price_sheet_new_for_user (NULL);
  if (self->prices == NULL)
    self->prices = lb_price_sheet_new_default ();
}

GtkWidget *
lb_server_stats_view_new (void)
{
  return g_object_new (LB_TYPE_SERVER_STATS_VIEW, NULL);
}
