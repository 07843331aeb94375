/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbServerFinding: reading the last snapshot for what is worth fixing. */
#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "lb-server-findings.h"

void
lb_server_finding_free (LbServerFinding *finding)
{
  g_free (finding->object);
  g_free (finding->what);
  g_free (finding->why);
  g_free (finding);
}

const char *
lb_server_finding_kind_to_string (LbServerFindingKind kind)
{
  switch (kind)
    {
    case LB_SERVER_FINDING_UNUSED_INDEX:
      return "unused-index";
    case LB_SERVER_FINDING_SEQ_SCANNED_TABLE:
      return "seq-scanned-table";
    case LB_SERVER_FINDING_LOW_HIT_RATIO:
    default:
      return "low-hit-ratio";
    }
}

static void
add (GPtrArray     *findings,
     LbServerFindingKind  kind,
     char          *object,
     char          *what,
     const char    *why)
{
  LbServerFinding *finding = g_new0 (LbServerFinding, 1);

  finding->kind = kind;
  finding->object = object;
  finding->what = what;
  finding->why = g_strdup (why);
  g_ptr_array_add (findings, finding);
}

GPtrArray *
lb_server_findings_compute (GPtrArray *snapshots)
{
  GPtrArray *findings = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_server_finding_free);
  const LbServerSnapshot *last;
  g_autoptr(LbServerDelta) delta = NULL;
  double ratio;
  guint64 blocks;

  if (snapshots == NULL || snapshots->len == 0)
    return findings;
  last = g_ptr_array_index (snapshots, snapshots->len - 1);

  for (guint i = 0; i < last->indexes->len; i++)
    {
      const LbServerIndexStats *s = g_ptr_array_index (last->indexes, i);
      g_autofree char *size = NULL;

      if (s->idx_scan > 0 || s->unique || s->size_bytes < LB_FINDINGS_UNUSED_INDEX_MIN_BYTES)
        continue;
      size = g_format_size (s->size_bytes);
      add (findings, LB_SERVER_FINDING_UNUSED_INDEX, g_strdup_printf ("%s.%s", s->schema, s->name),
           /* Translators: an index, its table, then a size ("1.2 MB"). */
           g_strdup_printf (_("Index %s.%s on %s was never used (%s)"), s->schema, s->name, s->table, size),
           _("Every insert and update still writes it and it takes cache space; drop it if no query needs it."));
    }

  for (guint i = 0; i < last->tables->len; i++)
    {
      const LbServerTableStats *s = g_ptr_array_index (last->tables, i);

      if (s->n_live_tup < LB_FINDINGS_SEQ_SCAN_MIN_ROWS || s->seq_scan <= s->idx_scan)
        continue;
      add (findings, LB_SERVER_FINDING_SEQ_SCANNED_TABLE, g_strdup_printf ("%s.%s", s->schema, s->name),
           /* Translators: a table, its rows, then two counts of scans. */
           g_strdup_printf (_("Table %s.%s (%" G_GUINT64_FORMAT " rows) had more sequential scans "
                              "(%" G_GUINT64_FORMAT ") than index scans (%" G_GUINT64_FORMAT ")"),
                            s->schema, s->name, s->n_live_tup, s->seq_scan, s->idx_scan),
           _("Each sequential scan reads the whole table; an index on the columns the queries filter on "
             "would read a few pages."));
    }

  /* The run's own blocks say most; without two snapshots, the database's
   * figures since the last reset. */
  delta = lb_server_delta_compute (snapshots);
  if (delta != NULL && delta->has_database)
    {
      ratio = delta->hit_ratio;
      blocks = delta->blks_hit + delta->blks_read;
    }
  else
    {
      ratio = lb_server_snapshot_hit_ratio (last);
      blocks = last->blks_hit + last->blks_read;
    }
  if (last->has_database && blocks >= LB_FINDINGS_HIT_RATIO_MIN_BLOCKS && isfinite (ratio)
      && ratio < LB_FINDINGS_MIN_HIT_RATIO)
    add (findings, LB_SERVER_FINDING_LOW_HIT_RATIO, g_strdup (""),
         /* Translators: a percentage ("93.1"), then the threshold ("99"). */
         g_strdup_printf (_("Cache hit ratio %.1f %% is below %.0f %%"), ratio * 100,
                          LB_FINDINGS_MIN_HIT_RATIO * 100),
         _("Blocks missing from shared buffers are read from storage, which on Lakebase is a network "
           "round trip; a bigger CU has more memory for the working set."));

  return findings;
}
