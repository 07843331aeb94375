/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the server saw at one moment of a run: pg_stat_database for the
 * current database, per-table scans, unused-index candidates,
 * pg_stat_statements' top statements when the extension is there, and the
 * wait events of the other backends. LbServerSampler takes them on its own
 * connection; the run record keeps them; findings, comparison and views read
 * them. A view that cannot be read (permissions on Lakebase, an extension
 * not installed) leaves a sentence in `notes`, never an error. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

/* How many statements of pg_stat_statements a snapshot keeps. */
#define LB_SERVER_SNAPSHOT_TOP_STATEMENTS 10

typedef struct
{
  char    *schema;
  char    *name;
  guint64  seq_scan;
  guint64  seq_tup_read;
  guint64  idx_scan;
  guint64  n_live_tup;
} LbServerTableStats;

typedef struct
{
  char    *schema;
  char    *table;
  char    *name;
  guint64  idx_scan;
  guint64  size_bytes;
  gboolean unique;          /* primary keys and unique indexes enforce something: never "unused" */
} LbServerIndexStats;

typedef struct
{
  gint64   queryid;
  char    *query;           /* normalised text, as pg_stat_statements shows it */
  guint64  calls;
  double   total_ms;
  double   mean_ms;
  guint64  rows;
} LbServerStatement;

typedef struct
{
  char    *event;           /* "Lock:transactionid", "IO:DataFileRead", "CPU" (active, no wait) */
  guint64  count;
} LbServerWait;

typedef struct
{
  double      t;            /* seconds since the sampler started */
  gint64      time_us;      /* wall clock, µs since the epoch */
  gboolean    has_database; /* pg_stat_database was read */
  guint64     xact_commit;
  guint64     xact_rollback;
  guint64     blks_read;
  guint64     blks_hit;
  guint64     tup_returned;
  guint64     tup_fetched;
  guint64     tup_inserted;
  guint64     tup_updated;
  guint64     tup_deleted;
  guint64     temp_files;
  guint64     temp_bytes;
  guint64     deadlocks;
  guint       backends;     /* numbackends */
  GPtrArray  *tables;       /* LbServerTableStats* */
  GPtrArray  *indexes;      /* LbServerIndexStats* */
  gboolean    has_statements;  /* pg_stat_statements was read */
  gboolean    statements_since_start; /* the figures are since the run's first
                                       * snapshot (else since the last reset) */
  GPtrArray  *statements;   /* LbServerStatement*, most total time first */
  GPtrArray  *waits;        /* LbServerWait*, most first; our own backend excluded */
  GPtrArray  *notes;        /* char*: why a view could not be read */
} LbServerSnapshot;

LbServerSnapshot *lb_server_snapshot_new        (void);
void              lb_server_snapshot_free       (LbServerSnapshot *self);
/* Reads the views on @conn (connected to the database of the run). Only a
 * connection that is not OK is an error; everything else ends in notes.
 * @baseline (may be NULL): empty on the first snapshot of a run, which
 * fills it with every statement's figures; later snapshots then keep the
 * top statements of the run itself (a busy server's all-time top would
 * hide them). */
GHashTable       *lb_server_statements_baseline_new (void);
/* @full FALSE (the snapshots between the first and the last): only
 * pg_stat_database and the wait events, which keeps a long run's record
 * small; tables, indexes and statements are read at the start and end. */
LbServerSnapshot *lb_server_snapshot_take       (PGconn           *conn,
                                                 double            t,
                                                 GHashTable       *baseline,
                                                 gboolean          full,
                                                 GError          **error);
/* Blocks hit / (hit + read); NAN when nothing was read. */
double            lb_server_snapshot_hit_ratio  (const LbServerSnapshot *self);
JsonNode         *lb_server_snapshot_to_json    (const LbServerSnapshot *self);
LbServerSnapshot *lb_server_snapshot_new_from_json (JsonNode  *node,
                                                    GError   **error);

/* What happened between two snapshots of the same run (@end minus @start). */
typedef struct
{
  double   seconds;
  guint64  commits;
  guint64  rollbacks;
  guint64  blks_hit;
  guint64  blks_read;
  double   hit_ratio;       /* of the blocks between the two; NAN when none */
  guint64  temp_files;
  guint64  temp_bytes;
  guint64  deadlocks;
  guint64  seq_scans;       /* all user tables */
  guint64  idx_scans;
  gboolean has_database;
  gboolean has_statements;
  GPtrArray *statements;    /* LbServerStatement*: calls and times during the run, most time first */
  GPtrArray *waits;         /* LbServerWait*: every snapshot's waits added up */
} LbServerDelta;

/* @snapshots from first to last; NULL when there are fewer than two. */
LbServerDelta    *lb_server_delta_compute       (GPtrArray        *snapshots);
void              lb_server_delta_free          (LbServerDelta    *self);

/* The scans of one table between the first and the last snapshot. */
gboolean          lb_server_delta_table_scans   (GPtrArray        *snapshots,
                                                 const char       *table,
                                                 guint64          *seq_scans,
                                                 guint64          *idx_scans);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbServerSnapshot, lb_server_snapshot_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbServerDelta, lb_server_delta_free)

G_END_DECLS
