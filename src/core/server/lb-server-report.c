/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbServerReport: text and JSON of what the server saw during a run. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-reference-bands.h"
#include "lb-server-findings.h"
#include "lb-server-report.h"
#include "lb-server-snapshot.h"

/* The statements and waits the summaries show. */
#define SHOWN_STATEMENTS 5
#define SHOWN_WAITS      5
#define SHOWN_QUERY_CHARS 60

/* Why there are no statements: the last snapshot's note about them. */
static const char *
statements_note (GPtrArray *snapshots)
{
  const LbServerSnapshot *last;

  if (snapshots->len == 0)
    return NULL;
  last = g_ptr_array_index (snapshots, snapshots->len - 1);
  for (guint i = 0; i < last->notes->len; i++)
    {
      const char *note = g_ptr_array_index (last->notes, i);

      if (strstr (note, "pg_stat_statements") != NULL)
        return note;
    }
  return NULL;
}

static char *
short_query (const char *query)
{
  g_autofree char *flat = g_strdup (query);
  GString *out;

  g_strdelimit (flat, "\n\r\t", ' ');
  out = g_string_new (g_strstrip (flat));
  if (g_utf8_strlen (out->str, -1) > SHOWN_QUERY_CHARS)
    {
      const char *cut = g_utf8_offset_to_pointer (out->str, SHOWN_QUERY_CHARS - 1);

      g_string_truncate (out, cut - out->str);
      g_string_append (out, "…");
    }
  return g_string_free (out, FALSE);
}

char *
lb_server_report_to_text (LbRunRecord  *record,
                          LbPriceSheet *prices)
{
  GPtrArray *snapshots = lb_run_record_get_server_snapshots (record);
  GPtrArray *notes = lb_run_record_get_server_notes (record);
  g_autoptr(LbServerDelta) delta = lb_server_delta_compute (snapshots);
  g_autoptr(GPtrArray) findings = lb_server_findings_compute (snapshots);
  g_auto(GStrv) bands_text = NULL;
  LbReferenceBands bands;
  const char *cu_source = NULL;
  double cu = lb_run_record_get_reference_cu (record, &cu_source);
  GString *out = g_string_new (NULL);
  const char *note;

  g_string_append_printf (out, _("Server (%u snapshots):\n"), snapshots->len);
  if (delta == NULL || !delta->has_database)
    g_string_append (out, _("  no figures from pg_stat_database (fewer than two snapshots)\n"));
  else
    {
      g_autofree char *temp = g_format_size (delta->temp_bytes);

      g_string_append_printf (out, _("  commits %" G_GUINT64_FORMAT ", rollbacks %" G_GUINT64_FORMAT
                                     " over %.1f s\n"),
                              delta->commits, delta->rollbacks, delta->seconds);
      if (isfinite (delta->hit_ratio))
        g_string_append_printf (out, _("  cache hit ratio %.2f %% (%" G_GUINT64_FORMAT " blocks hit, %"
                                       G_GUINT64_FORMAT " read)\n"),
                                delta->hit_ratio * 100, delta->blks_hit, delta->blks_read);
      else
        g_string_append (out, _("  cache hit ratio: no blocks read\n"));
      g_string_append_printf (out, _("  temp files %" G_GUINT64_FORMAT " (%s), deadlocks %" G_GUINT64_FORMAT "\n"),
                              delta->temp_files, temp, delta->deadlocks);
      g_string_append_printf (out, _("  sequential scans %" G_GUINT64_FORMAT ", index scans %" G_GUINT64_FORMAT "\n"),
                              delta->seq_scans, delta->idx_scans);
    }

  if (delta != NULL && delta->has_statements)
    {
      g_string_append (out, _("  top statements (pg_stat_statements, by total time):\n"));
      for (guint i = 0; i < MIN (delta->statements->len, SHOWN_STATEMENTS); i++)
        {
          const LbServerStatement *s = g_ptr_array_index (delta->statements, i);
          g_autofree char *query = short_query (s->query);

          g_string_append_printf (out, _("    %9.1f ms  %8" G_GUINT64_FORMAT " calls  %7.3f ms mean  %s\n"),
                                  s->total_ms, s->calls, s->mean_ms, query);
        }
    }
  else if ((note = statements_note (snapshots)) != NULL)
    g_string_append_printf (out, "  %s\n", note);

  if (delta != NULL && delta->waits->len > 0)
    {
      g_string_append (out, _("  wait events (sampled backends):"));
      for (guint i = 0; i < MIN (delta->waits->len, SHOWN_WAITS); i++)
        {
          const LbServerWait *w = g_ptr_array_index (delta->waits, i);

          g_string_append_printf (out, "%s %s × %" G_GUINT64_FORMAT, i > 0 ? "," : "", w->event, w->count);
        }
      g_string_append_c (out, '\n');
    }

  if (findings->len > 0)
    {
      g_string_append (out, _("Findings:\n"));
      for (guint i = 0; i < findings->len; i++)
        {
          const LbServerFinding *f = g_ptr_array_index (findings, i);

          g_string_append_printf (out, "  %s. %s\n", f->what, f->why);
        }
    }

  lb_reference_bands_compute (record, cu, prices, &bands);
  bands_text = lb_reference_bands_describe (&bands, cu_source, lb_price_sheet_get_currency (prices));
  g_string_append (out, _("Reference (Lakebase figures):\n"));
  for (guint i = 0; bands_text[i] != NULL; i++)
    g_string_append_printf (out, "  %s\n", bands_text[i]);

  for (guint i = 0; i < notes->len; i++)
    g_string_append_printf (out, "  %s\n", (const char *) g_ptr_array_index (notes, i));

  return g_string_free (out, FALSE);
}

static void
add_double (JsonBuilder *builder, const char *name, double value)
{
  json_builder_set_member_name (builder, name);
  if (isfinite (value))
    json_builder_add_double_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_uint (JsonBuilder *builder, const char *name, guint64 value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, (gint64) MIN (value, (guint64) G_MAXINT64));
}

static void
add_string (JsonBuilder *builder, const char *name, const char *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

JsonNode *
lb_server_report_to_json (LbRunRecord  *record,
                          LbPriceSheet *prices)
{
  GPtrArray *snapshots = lb_run_record_get_server_snapshots (record);
  GPtrArray *notes = lb_run_record_get_server_notes (record);
  g_autoptr(LbServerDelta) delta = lb_server_delta_compute (snapshots);
  g_autoptr(GPtrArray) findings = lb_server_findings_compute (snapshots);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  LbReferenceBands bands;
  const char *cu_source = NULL;
  double cu = lb_run_record_get_reference_cu (record, &cu_source);

  json_builder_begin_object (builder);
  add_uint (builder, "snapshots", snapshots->len);
  if (delta != NULL && delta->has_database)
    {
      add_double (builder, "seconds", delta->seconds);
      add_uint (builder, "commits", delta->commits);
      add_uint (builder, "rollbacks", delta->rollbacks);
      add_uint (builder, "blks_hit", delta->blks_hit);
      add_uint (builder, "blks_read", delta->blks_read);
      add_double (builder, "cache_hit_ratio", delta->hit_ratio);
      add_uint (builder, "temp_files", delta->temp_files);
      add_uint (builder, "temp_bytes", delta->temp_bytes);
      add_uint (builder, "deadlocks", delta->deadlocks);
      add_uint (builder, "seq_scans", delta->seq_scans);
      add_uint (builder, "idx_scans", delta->idx_scans);
    }
  json_builder_set_member_name (builder, "statements");
  json_builder_begin_array (builder);
  for (guint i = 0; delta != NULL && i < delta->statements->len; i++)
    {
      const LbServerStatement *s = g_ptr_array_index (delta->statements, i);

      json_builder_begin_object (builder);
      add_string (builder, "query", s->query);
      add_uint (builder, "calls", s->calls);
      add_double (builder, "total_ms", s->total_ms);
      add_double (builder, "mean_ms", s->mean_ms);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  add_string (builder, "statements_note", delta != NULL && delta->has_statements ? NULL : statements_note (snapshots));
  json_builder_set_member_name (builder, "waits");
  json_builder_begin_array (builder);
  for (guint i = 0; delta != NULL && i < delta->waits->len; i++)
    {
      const LbServerWait *w = g_ptr_array_index (delta->waits, i);

      json_builder_begin_object (builder);
      add_string (builder, "event", w->event);
      add_uint (builder, "count", w->count);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "findings");
  json_builder_begin_array (builder);
  for (guint i = 0; i < findings->len; i++)
    {
      const LbServerFinding *f = g_ptr_array_index (findings, i);

      json_builder_begin_object (builder);
      add_string (builder, "kind", lb_server_finding_kind_to_string (f->kind));
      add_string (builder, "object", f->object);
      add_string (builder, "what", f->what);
      add_string (builder, "why", f->why);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  lb_reference_bands_compute (record, cu, prices, &bands);
  json_builder_set_member_name (builder, "bands");
  json_builder_begin_object (builder);
  add_double (builder, "cu", bands.cu > 0 ? bands.cu : NAN);
  add_string (builder, "cu_source", cu_source);
  add_double (builder, "measured_tps", bands.measured_tps);
  add_double (builder, "measured_qps", bands.measured_qps);
  add_double (builder, "expected_qps", bands.cu > 0 ? bands.expected_qps : NAN);
  add_double (builder, "fraction_of_expected", bands.tps_fraction);
  add_double (builder, "p99_ms", bands.measured_p99_ms);
  add_double (builder, "p99_target_ms", bands.p99_target_ms);
  add_uint (builder, "clients", bands.clients);
  add_double (builder, "connections_limit", bands.connections_limit);
  add_double (builder, "price_cu_hour", bands.price_cu_hour);
  add_string (builder, "currency", lb_price_sheet_get_currency (prices));
  add_double (builder, "hours", bands.hours);
  add_double (builder, "run_cost", bands.cu > 0 ? bands.run_cost : NAN);
  add_double (builder, "cost_per_million_queries", bands.cost_per_million);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "notes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < notes->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (notes, i));
  json_builder_end_array (builder);

  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
