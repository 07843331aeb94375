/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <libpq-fe.h>

#include "lb-index-applier.h"

/* Of the whole fraction, what the builds take; ANALYZE has the rest. */
#define BUILD_SHARE 0.95

typedef struct
{
  char  *schema;      /* NULL: the table as the search path finds it */
  char  *table;
  char  *method;
  GStrv  columns;
  char  *name;
  char  *statement;
} Item;

struct _LbIndexApplier
{
  GObject      parent_instance;

  char        *conninfo;
  GPtrArray   *items;       /* Item */
  GPtrArray   *created;     /* char *, NULL-terminated */
  GPtrArray   *notes;       /* char *, NULL-terminated */
  GPtrArray   *tables;      /* char *, NULL-terminated */

  gboolean     running;
  guint        generation;  /* of the work under way: late updates of an older one are dropped */
  guint        n_indexes;
  guint        current;
  char        *current_name;
  char        *phase;
  char        *server_phase;
  double       fraction;
};

G_DEFINE_FINAL_TYPE (LbIndexApplier, lb_index_applier, G_TYPE_OBJECT)

G_DEFINE_QUARK (lb-index-applier-error-quark, lb_index_applier_error)

enum {
  PROP_0,
  PROP_RUNNING,
  PROP_N_INDEXES,
  PROP_CURRENT,
  PROP_CURRENT_NAME,
  PROP_PHASE,
  PROP_SERVER_PHASE,
  PROP_FRACTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* What the worker thread has: copies of everything, so the object can be
 * changed (or the advice cleared) while it works. */
typedef struct
{
  LbIndexApplier *self;
  GMainContext   *context;
  guint           generation;
  gboolean        undo;
  char           *conninfo;
  GPtrArray      *items;        /* Item (apply) */
  GPtrArray      *drop;         /* char *: qualified names, in dropping order (undo) */

  PGconn         *conn;         /* the statements */
  PGconn         *poll_conn;    /* pg_stat_progress_create_index, and the clean-up after a cancel */
  GMutex          lock;         /* the three below, shared with the cancel handler */
  PGcancel       *cancel;
  gboolean        armed;        /* a statement runs on conn */
  gboolean        cancel_sent;

  double          fraction;     /* the last one posted */
  GPtrArray      *server_notices;

  /* Results, read on the main context once the thread is done. */
  GPtrArray      *created;      /* char * */
  GPtrArray      *dropped;      /* char * */
  GPtrArray      *notes;        /* char * */
} Job;

typedef struct
{
  LbIndexApplier *self;
  guint           generation;
  guint           current;
  char           *current_name;
  char           *phase;
  char           *server_phase;
  double          fraction;
} Update;

static void
item_free (gpointer data)
{
  Item *item = data;

  g_free (item->schema);
  g_free (item->table);
  g_free (item->method);
  g_strfreev (item->columns);
  g_free (item->name);
  g_free (item->statement);
  g_free (item);
}

static Item *
item_copy (const Item *item)
{
  Item *copy = g_new0 (Item, 1);

  copy->schema = g_strdup (item->schema);
  copy->table = g_strdup (item->table);
  copy->method = g_strdup (item->method);
  copy->columns = g_strdupv (item->columns);
  copy->name = g_strdup (item->name);
  copy->statement = g_strdup (item->statement);
  return copy;
}

static void
job_free (gpointer data)
{
  Job *job = data;

  g_clear_pointer (&job->conn, PQfinish);
  g_clear_pointer (&job->poll_conn, PQfinish);
  g_clear_pointer (&job->cancel, PQfreeCancel);
  g_mutex_clear (&job->lock);
  g_clear_pointer (&job->items, g_ptr_array_unref);
  g_clear_pointer (&job->drop, g_ptr_array_unref);
  g_clear_pointer (&job->server_notices, g_ptr_array_unref);
  g_clear_pointer (&job->created, g_ptr_array_unref);
  g_clear_pointer (&job->dropped, g_ptr_array_unref);
  g_clear_pointer (&job->notes, g_ptr_array_unref);
  g_free (job->conninfo);
  g_clear_pointer (&job->context, g_main_context_unref);
  g_clear_object (&job->self);
  g_free (job);
}

static void
update_free (gpointer data)
{
  Update *u = data;

  g_clear_object (&u->self);
  g_free (u->current_name);
  g_free (u->phase);
  g_free (u->server_phase);
  g_free (u);
}

/* ---- phases ---- */

char *
lb_index_applier_describe_phase (const char *server_phase)
{
  static const struct { const char *server; const char *text; } phases[] = {
    { "initializing", N_("Starting the build") },
    { "waiting for writers before build", N_("Waiting for transactions that write to the table") },
    { "building index", N_("Building the index") },
    { "building index: scanning table", N_("Building the index: reading the table") },
    { "building index: sorting live tuples", N_("Building the index: sorting the rows") },
    { "building index: loading tuples in tree", N_("Building the index: writing it") },
    { "waiting for writers before validation", N_("Waiting for writers before checking the index") },
    { "index validation: scanning index", N_("Checking the index: reading it") },
    { "index validation: sorting tuples", N_("Checking the index: sorting") },
    { "index validation: scanning table", N_("Checking the index: reading the table again") },
    { "waiting for old snapshots", N_("Waiting for older transactions to finish") },
    { "waiting for readers before marking dead", N_("Waiting for readers") },
    { "waiting for readers before dropping", N_("Waiting for readers") },
  };

  if (server_phase == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (phases); i++)
    if (strcmp (server_phase, phases[i].server) == 0)
      return g_strdup (_(phases[i].text));
  /* An access method's own sub-phase ("building index: …"). */
  if (g_str_has_prefix (server_phase, "building index: "))
    return g_strdup_printf (_("Building the index: %s"), server_phase + strlen ("building index: "));
  return g_strdup (server_phase);
}

static double
ratio (gint64 done,
       gint64 total)
{
  if (total <= 0 || done <= 0)
    return 0;
  return CLAMP ((double) done / (double) total, 0, 1);
}

/* How a concurrent build's time is spent, roughly: the first table scan and
 * the sort are most of it, the validation scan the rest. */
double
lb_index_applier_phase_fraction (const char *server_phase,
                                 gint64      blocks_done,
                                 gint64      blocks_total,
                                 gint64      tuples_done,
                                 gint64      tuples_total)
{
  if (server_phase == NULL || strcmp (server_phase, "initializing") == 0)
    return 0;
  if (strcmp (server_phase, "waiting for writers before build") == 0)
    return 0.02;
  if (strcmp (server_phase, "building index: sorting live tuples") == 0)
    return 0.50;
  if (strcmp (server_phase, "building index: loading tuples in tree") == 0)
    return 0.55 + 0.10 * ratio (tuples_done, tuples_total);
  if (g_str_has_prefix (server_phase, "building index"))
    {
      if (blocks_total > 0)
        return 0.05 + 0.45 * ratio (blocks_done, blocks_total);
      return 0.05 + 0.55 * ratio (tuples_done, tuples_total);
    }
  if (strcmp (server_phase, "waiting for writers before validation") == 0)
    return 0.65;
  if (strcmp (server_phase, "index validation: scanning index") == 0)
    return 0.67 + 0.08 * ratio (blocks_done, blocks_total);
  if (strcmp (server_phase, "index validation: sorting tuples") == 0)
    return 0.75;
  if (strcmp (server_phase, "index validation: scanning table") == 0)
    return 0.78 + 0.17 * ratio (blocks_done, blocks_total);
  if (g_str_has_prefix (server_phase, "waiting for"))
    return 0.96;
  return 0;
}

/* ---- updates, applied on the caller's main context ---- */

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static void
set_progress (LbIndexApplier *self,
              guint           current,
              const char     *current_name,
              const char     *phase,
              const char     *server_phase,
              double          fraction)
{
  g_assert (LB_IS_INDEX_APPLIER (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (self->current != current)
    {
      self->current = current;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT]);
    }
  if (set_string (&self->current_name, current_name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_NAME]);
  if (set_string (&self->phase, phase))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PHASE]);
  if (set_string (&self->server_phase, server_phase))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_PHASE]);
  fraction = CLAMP (fraction, 0, 1);
  if (fraction > self->fraction)
    {
      self->fraction = fraction;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
    }
  g_object_thaw_notify (G_OBJECT (self));
  g_signal_emit (self, signals[PROGRESS], 0);
}

static gboolean
apply_update_cb (gpointer data)
{
  Update *u = data;

  if (u->self->running && u->generation == u->self->generation)
    set_progress (u->self, u->current, u->current_name, u->phase, u->server_phase, u->fraction);
  return G_SOURCE_REMOVE;
}

/* From the worker: the fraction never goes back. */
static void
post (Job        *job,
      guint       current,
      const char *current_name,
      const char *phase,
      const char *server_phase,
      double      fraction)
{
  Update *u = g_new0 (Update, 1);

  job->fraction = MAX (job->fraction, fraction);
  u->self = g_object_ref (job->self);
  u->generation = job->generation;
  u->current = current;
  u->current_name = g_strdup (current_name);
  u->phase = g_strdup (phase);
  u->server_phase = g_strdup (server_phase);
  u->fraction = job->fraction;
  g_main_context_invoke_full (job->context, G_PRIORITY_DEFAULT, apply_update_cb, u, update_free);
}

/* ---- libpq in the worker ---- */

static void
notice_cb (void           *user_data,
           const PGresult *res)
{
  Job *job = user_data;
  const char *primary = PQresultErrorField (res, PG_DIAG_MESSAGE_PRIMARY);

  if (primary != NULL)
    g_ptr_array_add (job->server_notices, g_strdup (primary));
}

static void
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  Job *job = user_data;
  char buffer[256];

  g_mutex_lock (&job->lock);
  if (job->armed && !job->cancel_sent && job->cancel != NULL)
    {
      PQcancel (job->cancel, buffer, sizeof buffer);
      job->cancel_sent = TRUE;
    }
  g_mutex_unlock (&job->lock);
}

static PGconn *
connect_to (Job     *job,
            GError **error)
{
  PGconn *conn = PQconnectdb (job->conninfo);

  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_set_error (error, LB_INDEX_APPLIER_ERROR, LB_INDEX_APPLIER_ERROR_CONNECT,
                   _("Could not connect to the server: %s"), g_strchomp (PQerrorMessage (conn)));
      PQfinish (conn);
      return NULL;
    }
  PQsetNoticeReceiver (conn, notice_cb, job);
  return conn;
}

/* A short query on the poll connection; NULL (and @error) on failure. */
static PGresult *
query (PGconn      *conn,
       const char  *sql,
       int          n,
       const char **values,
       GError     **error)
{
  PGresult *res = PQexecParams (conn, sql, n, NULL, values, NULL, NULL, 0);

  if (PQresultStatus (res) != PGRES_TUPLES_OK && PQresultStatus (res) != PGRES_COMMAND_OK)
    {
      if (PQstatus (conn) != CONNECTION_OK)
        g_set_error (error, LB_INDEX_APPLIER_ERROR, LB_INDEX_APPLIER_ERROR_CONNECT,
                     _("The connection to the server was lost: %s"),
                     g_strchomp (PQerrorMessage (conn)));
      else
        g_set_error (error, LB_INDEX_APPLIER_ERROR, LB_INDEX_APPLIER_ERROR_SERVER, "%s",
                     g_strchomp (PQresultErrorMessage (res)));
      PQclear (res);
      return NULL;
    }
  return res;
}

typedef struct
{
  guint       current;      /* 1-based, for the updates */
  const char *name;
  double      base;         /* the fraction where this build starts… */
  double      share;        /* … and how much of it the build is */
} Progress;

static void
read_progress (Job            *job,
               const Progress *progress)
{
  g_autofree char *pid = g_strdup_printf ("%d", PQbackendPID (job->conn));
  const char *params[] = { pid };
  g_autofree char *phase = NULL;
  PGresult *res;
  const char *server_phase;
  double f;

  if (job->poll_conn == NULL)
    return;
  res = PQexecParams (job->poll_conn,
                      "SELECT phase, coalesce (blocks_done, 0), coalesce (blocks_total, 0),"
                      "       coalesce (tuples_done, 0), coalesce (tuples_total, 0)"
                      "  FROM pg_stat_progress_create_index WHERE pid = $1::int",
                      1, NULL, params, NULL, NULL, 0);
  if (PQresultStatus (res) != PGRES_TUPLES_OK || PQntuples (res) == 0 || PQgetisnull (res, 0, 0))
    {
      PQclear (res);
      return;
    }
  server_phase = PQgetvalue (res, 0, 0);
  f = lb_index_applier_phase_fraction (server_phase,
                                       g_ascii_strtoll (PQgetvalue (res, 0, 1), NULL, 10),
                                       g_ascii_strtoll (PQgetvalue (res, 0, 2), NULL, 10),
                                       g_ascii_strtoll (PQgetvalue (res, 0, 3), NULL, 10),
                                       g_ascii_strtoll (PQgetvalue (res, 0, 4), NULL, 10));
  phase = lb_index_applier_describe_phase (server_phase);
  post (job, progress->current, progress->name, phase, server_phase,
        progress->base + progress->share * f);
  PQclear (res);
}

static gint64
now_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

/* Waits until a result can be read without blocking, reading the build's
 * progress every LB_INDEX_APPLIER_POLL_MS meanwhile. FALSE when the
 * connection broke. */
static gboolean
wait_for_result (Job            *job,
                 const Progress *progress,
                 gint64         *last_poll)
{
  int fd = PQsocket (job->conn);

  while (PQisBusy (job->conn))
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      int timeout = -1;
      int r;

      if (progress != NULL)
        timeout = (int) CLAMP (*last_poll + LB_INDEX_APPLIER_POLL_MS - now_ms (), 0,
                               LB_INDEX_APPLIER_POLL_MS);
      r = poll (&pfd, 1, timeout);
      if (r < 0 && errno != EINTR)
        return FALSE;
      if (r > 0 && !PQconsumeInput (job->conn))
        return FALSE;
      if (progress != NULL && now_ms () - *last_poll >= LB_INDEX_APPLIER_POLL_MS)
        {
          read_progress (job, progress);
          *last_poll = now_ms ();
        }
    }
  return TRUE;
}

/* Runs @sql on the build connection without blocking the cancel; the error
 * result, if any, is returned in @failed (else NULL). FALSE when the
 * connection broke (@error set). */
static gboolean
run_statement (Job             *job,
               const char      *sql,
               const Progress  *progress,
               GCancellable    *cancellable,
               PGresult       **failed,
               GError         **error)
{
  gint64 last_poll = now_ms ();
  gboolean broken = FALSE;
  PGresult *res;

  *failed = NULL;
  g_ptr_array_set_size (job->server_notices, 0);
  if (!PQsendQuery (job->conn, sql))
    {
      g_set_error (error, LB_INDEX_APPLIER_ERROR, LB_INDEX_APPLIER_ERROR_CONNECT,
                   _("The connection to the server was lost: %s"),
                   g_strchomp (PQerrorMessage (job->conn)));
      return FALSE;
    }
  g_mutex_lock (&job->lock);
  job->armed = TRUE;
  job->cancel_sent = FALSE;
  /* Cancelled before the statement was sent: the handler had nothing to cancel. */
  if (g_cancellable_is_cancelled (cancellable) && job->cancel != NULL)
    {
      char buffer[256];

      PQcancel (job->cancel, buffer, sizeof buffer);
      job->cancel_sent = TRUE;
    }
  g_mutex_unlock (&job->lock);

  for (;;)
    {
      if (!wait_for_result (job, progress, &last_poll))
        {
          broken = TRUE;
          break;
        }
      res = PQgetResult (job->conn);
      if (res == NULL)
        break;
      if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
        {
          if (*failed != NULL)
            PQclear (*failed);
          *failed = res;
        }
      else
        PQclear (res);
    }

  g_mutex_lock (&job->lock);
  job->armed = FALSE;
  g_mutex_unlock (&job->lock);

  if (broken || PQstatus (job->conn) != CONNECTION_OK)
    {
      g_set_error (error, LB_INDEX_APPLIER_ERROR, LB_INDEX_APPLIER_ERROR_CONNECT,
                   _("The connection to the server was lost: %s"),
                   g_strchomp (PQerrorMessage (job->conn)));
      g_clear_pointer (failed, PQclear);
      return FALSE;
    }
  return TRUE;
}

/* The server's sentence and its detail ("could not create unique index
 * …: Key (x)=(1) is duplicated."). */
static char *
dup_server_message (PGresult *res)
{
  const char *primary = PQresultErrorField (res, PG_DIAG_MESSAGE_PRIMARY);
  const char *detail = PQresultErrorField (res, PG_DIAG_MESSAGE_DETAIL);

  if (primary == NULL)
    return g_strchomp (g_strdup (PQresultErrorMessage (res)));
  if (detail != NULL)
    return g_strdup_printf ("%s: %s", primary, detail);
  return g_strdup (primary);
}

/* Compared without spaces, quotes or outer parentheses: "(lower(x))" and
 * pg_get_indexdef's "lower(x)" are the same. */
static char *
normalise_column (const char *column)
{
  GString *out = g_string_new (NULL);

  for (const char *p = column; *p != '\0'; p++)
    if (!g_ascii_isspace (*p) && *p != '"')
      g_string_append_c (out, *p);
  while (out->len >= 2 && out->str[0] == '(' && out->str[out->len - 1] == ')')
    {
      int depth = 0;
      gboolean whole = TRUE;

      for (gsize i = 0; i + 1 < out->len; i++)
        {
          depth += out->str[i] == '(' ? 1 : out->str[i] == ')' ? -1 : 0;
          if (depth == 0)
            {
              whole = FALSE;
              break;
            }
        }
      if (!whole)
        break;
      g_string_erase (out, out->len - 1, 1);
      g_string_erase (out, 0, 1);
    }
  return g_string_free (out, FALSE);
}

static gboolean
same_columns (const Item *item,
              const char *existing)
{
  g_auto(GStrv) theirs = g_strsplit (existing, "\x1f", -1);
  guint n = g_strv_length (item->columns);

  if (existing[0] == '\0' || g_strv_length (theirs) != n)
    return FALSE;
  for (guint k = 0; k < n; k++)
    {
      g_autofree char *a = normalise_column (item->columns[k]);
      g_autofree char *b = normalise_column (theirs[k]);

      if (strcmp (a, b) != 0)
        return FALSE;
    }
  return TRUE;
}

/* The table and what the role may do with it, and an index of the advised
 * name if there is one. Sets *qualified (the index's name as SQL wants it)
 * and *qtable; *skip when the same index is there already. */
static gboolean
check_item (Job         *job,
            const Item  *item,
            char       **qualified,
            char       **qtable,
            gboolean    *skip,
            GError     **error)
{
  const char *table_params[] = { item->schema != NULL ? item->schema : "", item->table };
  g_autofree char *schema = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *user = NULL;
  g_autofree char *table_oid = NULL;
  PGresult *res;

  *skip = FALSE;
  res = query (job->poll_conn,
               "SELECT c.oid, n.nspname, format ('%I.%I', n.nspname, c.relname),"
               "       pg_has_role (c.relowner, 'USAGE'), pg_get_userbyid (c.relowner), current_user"
               "  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
               " WHERE c.oid = to_regclass (CASE WHEN $1 = '' THEN quote_ident ($2)"
               "                            ELSE format ('%I.%I', $1::text, $2::text) END)",
               2, table_params, error);
  if (res == NULL)
    return FALSE;
  if (PQntuples (res) == 0)
    {
      g_set_error (error, LB_INDEX_APPLIER_ERROR, LB_INDEX_APPLIER_ERROR_SERVER,
                   _("The table %s%s%s is not on the server (any more): no index was created for it."),
                   item->schema != NULL ? item->schema : "", item->schema != NULL ? "." : "",
                   item->table);
      PQclear (res);
      return FALSE;
    }
  table_oid = g_strdup (PQgetvalue (res, 0, 0));
  schema = g_strdup (PQgetvalue (res, 0, 1));
  *qtable = g_strdup (PQgetvalue (res, 0, 2));
  owner = g_strdup (PQgetvalue (res, 0, 4));
  user = g_strdup (PQgetvalue (res, 0, 5));
  if (strcmp (PQgetvalue (res, 0, 3), "t") != 0)
    {
      g_set_error (error, LB_INDEX_APPLIER_ERROR, LB_INDEX_APPLIER_ERROR_PERMISSION,
                   _("The role %s may not create indexes on %s: that needs ownership of the table "
                     "(it belongs to %s), or membership in the role that owns it."),
                   user, *qtable, owner);
      PQclear (res);
      return FALSE;
    }
  PQclear (res);

  {
    const char *params[] = { schema, item->name, table_oid };

    res = query (job->poll_conn,
                 "SELECT c.relkind, i.indisvalid, i.indrelid = $3::oid, am.amname,"
                 "       array_to_string (ARRAY (SELECT pg_get_indexdef (i.indexrelid, k, true)"
                 "                                FROM generate_series (1, i.indnkeyatts) k), E'\\x1f'),"
                 "       i.indpred IS NULL, pg_get_indexdef (c.oid), format ('%I.%I', $1::text, $2::text)"
                 "  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                 "  LEFT JOIN pg_index i ON i.indexrelid = c.oid"
                 "  LEFT JOIN pg_am am ON am.oid = c.relam"
                 " WHERE n.nspname = $1 AND c.relname = $2",
                 3, params, error);
    if (res == NULL)
      return FALSE;
    if (PQntuples (res) == 0)
      {
        PGresult *name_res = query (job->poll_conn, "SELECT format ('%I.%I', $1::text, $2::text)", 2, params,
                                    error);

        PQclear (res);
        if (name_res == NULL)
          return FALSE;
        *qualified = g_strdup (PQgetvalue (name_res, 0, 0));
        PQclear (name_res);
        return TRUE;
      }
    *qualified = g_strdup (PQgetvalue (res, 0, 7));
    if (strcmp (PQgetvalue (res, 0, 0), "i") != 0)
      g_set_error (error, LB_INDEX_APPLIER_ERROR, LB_INDEX_APPLIER_ERROR_DUPLICATE,
                   _("%s is already the name of another object than an index in schema %s: "
                     "the index needs another name."), item->name, schema);
    else if (strcmp (PQgetvalue (res, 0, 1), "t") != 0)
      g_set_error (error, LB_INDEX_APPLIER_ERROR, LB_INDEX_APPLIER_ERROR_DUPLICATE,
                   _("An invalid index named %s is on the server, left by a build that failed or "
                     "was cancelled: drop it first (DROP INDEX CONCURRENTLY %s;)."),
                   *qualified, *qualified);
    else if (strcmp (PQgetvalue (res, 0, 2), "t") == 0
             && g_strcmp0 (PQgetvalue (res, 0, 3), item->method) == 0
             && strcmp (PQgetvalue (res, 0, 5), "t") == 0
             && same_columns (item, PQgetvalue (res, 0, 4)))
      *skip = TRUE;
    else
      g_set_error (error, LB_INDEX_APPLIER_ERROR, LB_INDEX_APPLIER_ERROR_DUPLICATE,
                   _("An index named %s already exists but differs from the advice (%s): "
                     "nothing was created; drop or rename it to apply the advice."),
                   *qualified, PQgetvalue (res, 0, 6));
    PQclear (res);
    return error == NULL || *error == NULL;
  }
}

/* After a build failed or was cancelled: a concurrent build leaves an
 * invalid index behind once it has got past its first step. */
static gboolean
drop_invalid (Job         *job,
              const char  *qualified,
              GError     **error)
{
  const char *params[] = { qualified };
  g_autofree char *drop = NULL;
  PGresult *res;
  gboolean there;

  res = query (job->poll_conn,
               "SELECT count(*) FROM pg_index WHERE indexrelid = to_regclass ($1)", 1, params, error);
  if (res == NULL)
    return FALSE;
  there = strcmp (PQgetvalue (res, 0, 0), "0") != 0;
  PQclear (res);
  if (!there)
    return TRUE;
  drop = g_strdup_printf ("DROP INDEX CONCURRENTLY IF EXISTS %s", qualified);
  res = query (job->poll_conn, drop, 0, NULL, error);
  if (res == NULL)
    {
      g_prefix_error (error, _("The incomplete index %s could not be dropped: "), qualified);
      return FALSE;
    }
  PQclear (res);
  res = query (job->poll_conn,
               "SELECT count(*) FROM pg_index WHERE indexrelid = to_regclass ($1)", 1, params, error);
  if (res == NULL)
    return FALSE;
  there = strcmp (PQgetvalue (res, 0, 0), "0") != 0;
  PQclear (res);
  if (there)
    {
      g_set_error (error, LB_INDEX_APPLIER_ERROR, LB_INDEX_APPLIER_ERROR_SERVER,
                   _("The incomplete index %s is still on the server: drop it with "
                     "DROP INDEX CONCURRENTLY %s;"), qualified, qualified);
      return FALSE;
    }
  return TRUE;
}

/* The sentence for a statement that failed. */
static void
set_statement_error (GError      **error,
                     PGresult     *res,
                     const char   *what)
{
  const char *state = PQresultErrorField (res, PG_DIAG_SQLSTATE);
  g_autofree char *message = dup_server_message (res);

  if (g_strcmp0 (state, "42501") == 0)
    g_set_error (error, LB_INDEX_APPLIER_ERROR, LB_INDEX_APPLIER_ERROR_PERMISSION,
                 _("%s: permission denied; creating or dropping an index needs ownership of its "
                   "table (the server said: %s)."), what, message);
  else if (g_strcmp0 (state, "25006") == 0)
    g_set_error (error, LB_INDEX_APPLIER_ERROR, LB_INDEX_APPLIER_ERROR_READ_ONLY,
                 _("%s: the server is read-only (a readable secondary or a replica); indexes are "
                   "created on the primary (the server said: %s)."), what, message);
  else if (g_strcmp0 (state, "42P07") == 0)
    g_set_error (error, LB_INDEX_APPLIER_ERROR, LB_INDEX_APPLIER_ERROR_DUPLICATE,
                 _("%s: an object of that name appeared on the server meanwhile (the server said: %s)."),
                 what, message);
  else
    g_set_error (error, LB_INDEX_APPLIER_ERROR, LB_INDEX_APPLIER_ERROR_SERVER,
                 "%s: %s", what, message);
}

static void
add_server_notes (Job        *job,
                  const char *prefix)
{
  for (guint i = 0; i < job->server_notices->len; i++)
    g_ptr_array_add (job->notes, g_strdup_printf ("%s: %s", prefix,
                                                  (char *) g_ptr_array_index (job->server_notices, i)));
  g_ptr_array_set_size (job->server_notices, 0);
}

static gboolean
apply_items (Job           *job,
             GCancellable  *cancellable,
             GError       **error)
{
  guint n = job->items->len;
  g_autoptr(GPtrArray) tables = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n; i++)
    {
      const Item *item = g_ptr_array_index (job->items, i);
      Progress progress = { i + 1, item->name, BUILD_SHARE * i / n, BUILD_SHARE / n };
      g_autofree char *qualified = NULL;
      g_autofree char *qtable = NULL;
      g_autoptr(GError) local_error = NULL;
      PGresult *failed = NULL;
      gboolean skip, sent, cancelled;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      post (job, i + 1, item->name, _("Checking the indexes already there"), NULL, progress.base);
      if (!check_item (job, item, &qualified, &qtable, &skip, error))
        return FALSE;
      if (!g_ptr_array_find_with_equal_func (tables, qtable, g_str_equal, NULL))
        g_ptr_array_add (tables, g_strdup (qtable));
      if (skip)
        {
          g_ptr_array_add (job->notes,
                           g_strdup_printf (_("%s already exists with the same definition: left as "
                                              "it is, and Undo will not drop it."), qualified));
          continue;
        }

      post (job, i + 1, item->name, _("Starting the build"), NULL, progress.base);
      sent = run_statement (job, item->statement, &progress, cancellable, &failed, &local_error);
      cancelled = g_cancellable_is_cancelled (cancellable);
      if (sent && failed == NULL)
        {
          /* Built (a cancel that came too late finds it done: it stays). */
          g_ptr_array_add (job->created, g_steal_pointer (&qualified));
          add_server_notes (job, item->name);
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
          continue;
        }

      /* Failed, cancelled or the connection broke (the server then ends
       * the build): a concurrent build that got past its first step
       * leaves an invalid index, dropped over the other connection. */
      post (job, i + 1, item->name, _("Dropping the incomplete index"), NULL, job->fraction);
      {
        g_autoptr(GError) drop_error = NULL;

        if (!drop_invalid (job, qualified, &drop_error))
          g_ptr_array_add (job->notes, g_strdup (drop_error->message));
      }
      if (cancelled)
        g_cancellable_set_error_if_cancelled (cancellable, error);
      else if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        {
          g_autofree char *what = g_strdup_printf (_("Creating %s"), qualified);

          set_statement_error (error, failed, what);
        }
      g_clear_pointer (&failed, PQclear);
      return FALSE;
    }

  for (guint t = 0; t < tables->len; t++)
    {
      const char *table = g_ptr_array_index (tables, t);
      g_autofree char *sql = g_strdup_printf ("ANALYZE %s", table);
      g_autofree char *phase = g_strdup_printf (_("Analyzing %s"), table);
      PGresult *failed = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      post (job, 0, NULL, phase, NULL, BUILD_SHARE + (1 - BUILD_SHARE) * t / tables->len);
      if (!run_statement (job, sql, NULL, cancellable, &failed, error))
        return FALSE;
      if (failed != NULL)
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            {
              PQclear (failed);
              return FALSE;
            }
          set_statement_error (error, failed, sql);
          PQclear (failed);
          return FALSE;
        }
      /* "skipping … only table or database owner can analyze it" is a warning. */
      add_server_notes (job, sql);
    }
  post (job, 0, NULL, _("Done"), NULL, 1.0);
  return TRUE;
}

static gboolean
undo_items (Job           *job,
            GCancellable  *cancellable,
            GError       **error)
{
  guint n = job->drop->len;

  for (guint i = 0; i < n; i++)
    {
      const char *qualified = g_ptr_array_index (job->drop, i);
      g_autofree char *sql = g_strdup_printf ("DROP INDEX CONCURRENTLY IF EXISTS %s", qualified);
      g_autofree char *phase = g_strdup_printf (_("Dropping %s"), qualified);
      PGresult *failed = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      post (job, i + 1, qualified, phase, NULL, (double) i / n);
      if (!run_statement (job, sql, NULL, cancellable, &failed, error))
        return FALSE;
      if (failed != NULL)
        {
          g_autofree char *what = g_strdup_printf (_("Dropping %s"), qualified);

          if (!g_cancellable_set_error_if_cancelled (cancellable, error))
            set_statement_error (error, failed, what);
          PQclear (failed);
          return FALSE;
        }
      if (job->server_notices->len > 0)
        g_ptr_array_add (job->notes, g_strdup_printf (_("%s was not on the server any more."),
                                                      qualified));
      g_ptr_array_set_size (job->server_notices, 0);
      g_ptr_array_add (job->dropped, g_strdup (qualified));
    }
  post (job, 0, NULL, _("Done"), NULL, 1.0);
  return TRUE;
}

static void
work_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  gulong handler = 0;
  gboolean ok = FALSE;

  job->conn = connect_to (job, &error);
  if (job->conn != NULL && !job->undo)
    job->poll_conn = connect_to (job, &error);
  if (error == NULL)
    {
      job->cancel = PQgetCancel (job->conn);
      if (cancellable != NULL)
        handler = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), job, NULL);
      ok = job->undo ? undo_items (job, cancellable, &error) : apply_items (job, cancellable, &error);
      g_cancellable_disconnect (cancellable, handler);
    }
  g_clear_pointer (&job->conn, PQfinish);
  g_clear_pointer (&job->poll_conn, PQfinish);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* ---- GObject ---- */

static void
lb_index_applier_finalize (GObject *object)
{
  LbIndexApplier *self = LB_INDEX_APPLIER (object);

  g_clear_pointer (&self->conninfo, g_free);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->created, g_ptr_array_unref);
  g_clear_pointer (&self->notes, g_ptr_array_unref);
  g_clear_pointer (&self->tables, g_ptr_array_unref);
  g_clear_pointer (&self->current_name, g_free);
  g_clear_pointer (&self->phase, g_free);
  g_clear_pointer (&self->server_phase, g_free);
  G_OBJECT_CLASS (lb_index_applier_parent_class)->finalize (object);
}

static void
lb_index_applier_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  LbIndexApplier *self = LB_INDEX_APPLIER (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, lb_index_applier_get_running (self));
      break;
    case PROP_N_INDEXES:
      g_value_set_uint (value, lb_index_applier_get_n_indexes (self));
      break;
    case PROP_CURRENT:
      g_value_set_uint (value, lb_index_applier_get_current (self));
      break;
    case PROP_CURRENT_NAME:
      g_value_set_string (value, lb_index_applier_get_current_name (self));
      break;
    case PROP_PHASE:
      g_value_set_string (value, lb_index_applier_get_phase (self));
      break;
    case PROP_SERVER_PHASE:
      g_value_set_string (value, lb_index_applier_get_server_phase (self));
      break;
    case PROP_FRACTION:
      g_value_set_double (value, lb_index_applier_get_fraction (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_index_applier_class_init (LbIndexApplierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lb_index_applier_finalize;
  object_class->get_property = lb_index_applier_get_property;

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_INDEXES] =
    g_param_spec_uint ("n-indexes", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CURRENT] =
    g_param_spec_uint ("current", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CURRENT_NAME] =
    g_param_spec_string ("current-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PHASE] =
    g_param_spec_string ("phase", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SERVER_PHASE] =
    g_param_spec_string ("server-phase", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0, 1, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lb_index_applier_init (LbIndexApplier *self)
{
  self->items = g_ptr_array_new_with_free_func (item_free);
  self->created = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  self->notes = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  self->tables = g_ptr_array_new_null_terminated (0, g_free, TRUE);
}

/* ---- public API ---- */

LbIndexApplier *
lb_index_applier_new (const char *conninfo)
{
  LbIndexApplier *self;

  g_return_val_if_fail (conninfo != NULL, NULL);

  self = g_object_new (LB_TYPE_INDEX_APPLIER, NULL);
  self->conninfo = g_strdup (conninfo);
  return self;
}

void
lb_index_applier_add_advice (LbIndexApplier      *self,
                             const LbIndexAdvice *advice)
{
  Item *item;
  g_autofree char *table = NULL;

  g_return_if_fail (LB_IS_INDEX_APPLIER (self));
  g_return_if_fail (advice != NULL && advice->table != NULL && advice->name != NULL
                    && advice->statement != NULL && advice->columns != NULL);

  item = g_new0 (Item, 1);
  item->schema = g_strdup (advice->schema);
  item->table = g_strdup (advice->table);
  item->method = g_strdup (advice->method != NULL ? advice->method : "btree");
  item->columns = g_strdupv (advice->columns);
  item->name = g_strdup (advice->name);
  item->statement = g_strdup (advice->statement);
  g_ptr_array_add (self->items, item);

  table = advice->schema != NULL ? g_strdup_printf ("%s.%s", advice->schema, advice->table)
                                 : g_strdup (advice->table);
  if (!g_ptr_array_find_with_equal_func (self->tables, table, g_str_equal, NULL))
    g_ptr_array_add (self->tables, g_steal_pointer (&table));
}

void
lb_index_applier_clear_advice (LbIndexApplier *self)
{
  g_return_if_fail (LB_IS_INDEX_APPLIER (self));
  g_ptr_array_set_size (self->items, 0);
  g_ptr_array_set_size (self->tables, 0);
}

guint
lb_index_applier_get_n_advice (LbIndexApplier *self)
{
  g_return_val_if_fail (LB_IS_INDEX_APPLIER (self), 0);
  return self->items->len;
}

static void
start (LbIndexApplier *self,
       guint           n_indexes)
{
  g_assert (LB_IS_INDEX_APPLIER (self));

  self->generation++;
  self->running = TRUE;
  self->n_indexes = n_indexes;
  self->fraction = 0;
  self->current = 0;
  g_clear_pointer (&self->current_name, g_free);
  g_clear_pointer (&self->server_phase, g_free);
  g_free (self->phase);
  self->phase = g_strdup (_("Connecting"));
  g_ptr_array_set_size (self->notes, 0);
  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = PROP_RUNNING; i < N_PROPS; i++)
    g_object_notify_by_pspec (G_OBJECT (self), properties[i]);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
stop (LbIndexApplier *self,
      Job            *job,
      gboolean        ok)
{
  g_assert (LB_IS_INDEX_APPLIER (self));

  for (guint i = 0; i < job->created->len; i++)
    g_ptr_array_add (self->created, g_strdup (g_ptr_array_index (job->created, i)));
  for (guint i = 0; i < job->dropped->len; i++)
    for (guint k = 0; k < self->created->len; k++)
      if (strcmp (g_ptr_array_index (self->created, k), g_ptr_array_index (job->dropped, i)) == 0)
        {
          g_ptr_array_remove_index (self->created, k);
          break;
        }
  for (guint i = 0; i < job->notes->len; i++)
    g_ptr_array_add (self->notes, g_strdup (g_ptr_array_index (job->notes, i)));

  g_object_freeze_notify (G_OBJECT (self));
  if (ok)
    set_progress (self, 0, NULL, _("Done"), NULL, 1.0);
  self->running = FALSE;
  self->current = 0;
  g_clear_pointer (&self->current_name, g_free);
  g_clear_pointer (&self->server_phase, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_NAME]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_PHASE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
work_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  LbIndexApplier *self = g_task_get_source_object (outer);
  Job *job = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  stop (self, job, ok);
  if (ok)
    g_task_return_boolean (outer, TRUE);
  else
    g_task_return_error (outer, error);
}

static Job *
job_new (LbIndexApplier *self,
         gboolean        undo)
{
  Job *job = g_new0 (Job, 1);

  job->self = g_object_ref (self);
  job->context = g_main_context_ref_thread_default ();
  job->generation = self->generation;
  job->undo = undo;
  job->conninfo = g_strdup (self->conninfo);
  g_mutex_init (&job->lock);
  job->server_notices = g_ptr_array_new_with_free_func (g_free);
  job->created = g_ptr_array_new_with_free_func (g_free);
  job->dropped = g_ptr_array_new_with_free_func (g_free);
  job->notes = g_ptr_array_new_with_free_func (g_free);
  return job;
}

static void
run_job (LbIndexApplier      *self,
         gboolean             undo,
         gpointer             source_tag,
         GCancellable        *cancellable,
         GAsyncReadyCallback  callback,
         gpointer             user_data)
{
  g_autoptr(GTask) outer = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) inner = NULL;
  Job *job;

  g_assert (LB_IS_INDEX_APPLIER (self));

  g_task_set_source_tag (outer, source_tag);
  if (self->running)
    {
      g_task_return_new_error (outer, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("Indexes are being created or dropped already."));
      return;
    }

  start (self, undo ? self->created->len : self->items->len);
  job = job_new (self, undo);
  if (undo)
    {
      job->drop = g_ptr_array_new_with_free_func (g_free);
      for (guint i = self->created->len; i > 0; i--)
        g_ptr_array_add (job->drop, g_strdup (g_ptr_array_index (self->created, i - 1)));
    }
  else
    {
      job->items = g_ptr_array_new_with_free_func (item_free);
      for (guint i = 0; i < self->items->len; i++)
        g_ptr_array_add (job->items, item_copy (g_ptr_array_index (self->items, i)));
    }

  /* The inner task runs the thread; its callback records what the thread
   * did on this context, then completes the caller's task. */
  inner = g_task_new (self, cancellable, work_done_cb, g_steal_pointer (&outer));
  g_task_set_source_tag (inner, run_job);
  g_task_set_task_data (inner, job, job_free);
  g_task_set_return_on_cancel (inner, FALSE);
  g_task_run_in_thread (inner, work_thread);
}

void
lb_index_applier_apply_async (LbIndexApplier      *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (LB_IS_INDEX_APPLIER (self));
  run_job (self, FALSE, lb_index_applier_apply_async, cancellable, callback, user_data);
}

gboolean
lb_index_applier_apply_finish (LbIndexApplier  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (LB_IS_INDEX_APPLIER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lb_index_applier_apply_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
lb_index_applier_undo_async (LbIndexApplier      *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (LB_IS_INDEX_APPLIER (self));
  run_job (self, TRUE, lb_index_applier_undo_async, cancellable, callback, user_data);
}

gboolean
lb_index_applier_undo_finish (LbIndexApplier  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (LB_IS_INDEX_APPLIER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lb_index_applier_undo_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* An empty null-terminated GPtrArray may have no pdata at all. */
static const char * const *
as_strv (GPtrArray *array)
{
  static const char * const empty[] = { NULL };

  return array->pdata != NULL ? (const char * const *) array->pdata : empty;
}

const char * const *
lb_index_applier_get_created (LbIndexApplier *self)
{
  g_return_val_if_fail (LB_IS_INDEX_APPLIER (self), NULL);
  return as_strv (self->created);
}

GStrv
lb_index_applier_dup_undo_statements (LbIndexApplier *self)
{
  GStrvBuilder *builder;
  GStrv out;

  g_return_val_if_fail (LB_IS_INDEX_APPLIER (self), NULL);

  builder = g_strv_builder_new ();
  for (guint i = self->created->len; i > 0; i--)
    {
      g_autofree char *drop = g_strdup_printf ("DROP INDEX CONCURRENTLY IF EXISTS %s;",
                                               (char *) g_ptr_array_index (self->created, i - 1));

      g_strv_builder_add (builder, drop);
    }
  out = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return out;
}

const char * const *
lb_index_applier_get_notes (LbIndexApplier *self)
{
  g_return_val_if_fail (LB_IS_INDEX_APPLIER (self), NULL);
  return as_strv (self->notes);
}

const char * const *
lb_index_applier_get_tables (LbIndexApplier *self)
{
  g_return_val_if_fail (LB_IS_INDEX_APPLIER (self), NULL);
  return as_strv (self->tables);
}

gboolean
lb_index_applier_get_running (LbIndexApplier *self)
{
  g_return_val_if_fail (LB_IS_INDEX_APPLIER (self), FALSE);
  return self->running;
}

guint
lb_index_applier_get_n_indexes (LbIndexApplier *self)
{
  g_return_val_if_fail (LB_IS_INDEX_APPLIER (self), 0);
  return self->n_indexes;
}

guint
lb_index_applier_get_current (LbIndexApplier *self)
{
  g_return_val_if_fail (LB_IS_INDEX_APPLIER (self), 0);
  return self->current;
}

const char *
lb_index_applier_get_current_name (LbIndexApplier *self)
{
  g_return_val_if_fail (LB_IS_INDEX_APPLIER (self), NULL);
  return self->current_name;
}

const char *
lb_index_applier_get_phase (LbIndexApplier *self)
{
  g_return_val_if_fail (LB_IS_INDEX_APPLIER (self), NULL);
  return self->phase;
}

const char *
lb_index_applier_get_server_phase (LbIndexApplier *self)
{
  g_return_val_if_fail (LB_IS_INDEX_APPLIER (self), NULL);
  return self->server_phase;
}

double
lb_index_applier_get_fraction (LbIndexApplier *self)
{
  g_return_val_if_fail (LB_IS_INDEX_APPLIER (self), 0);
  return self->fraction;
}
