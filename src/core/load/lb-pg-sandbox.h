/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The built-in PostgreSQL sandbox, a local target for concurrency tests made
 * from the server binaries on this machine: LbTestRun, the tester window,
 * `lakebase-cli bench --sandbox` and `lakebase-cli sandbox reset` use it.
 * Its parts are in lb-pg-sandbox*.c. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LB_PG_SANDBOX_ERROR (lb_pg_sandbox_error_quark ())

typedef enum
{
  LB_PG_SANDBOX_ERROR_NO_SERVER,   /* initdb/pg_ctl/postgres not found: the message says what to install */
  LB_PG_SANDBOX_ERROR_INITDB,
  LB_PG_SANDBOX_ERROR_START,       /* the server did not start: the message has its log's last lines */
  LB_PG_SANDBOX_ERROR_SQL,         /* loading the sample schema failed */
  LB_PG_SANDBOX_ERROR_DIRECTORY,   /* the directory is not private to us: refused, nothing touched */
} LbPgSandboxError;

GQuark lb_pg_sandbox_error_quark (void);

#define LB_TYPE_PG_SANDBOX (lb_pg_sandbox_get_type ())

/* A throwaway PostgreSQL cluster of our own: initdb + pg_ctl from the server
 * binaries found on this machine (or under /app in the Flatpak), listening
 * only on a unix socket in a private directory. Run as root (CI), the server
 * runs as the "postgres" user, which PostgreSQL requires.
 *
 * With sample data, it holds the schema the sample .sql files use:
 * customer (100,000 rows) and store_sales (500,000 rows), generated
 * deterministically in SQL. */
G_DECLARE_FINAL_TYPE (LbPgSandbox, lb_pg_sandbox, LB, PG_SANDBOX, GObject)

/* @directory: where the cluster lives; NULL = $XDG_CACHE_HOME/lakebase-accelerator/sandbox,
 * or for root /var/cache/lakebase-accelerator/sandbox (root's home is closed
 * to the server's user). Either way a 0700 directory of ours, never a link. */
LbPgSandbox *lb_pg_sandbox_new               (GFile         *directory,
                                              gboolean       sample_data);
/* For test fixtures: a fresh temporary directory, deleted (with the
 * cluster) when the object is disposed. */
LbPgSandbox *lb_pg_sandbox_new_for_tests     (gboolean       sample_data);
/* Look for initdb/pg_ctl/postgres only in @bin_dir (NULL: the usual places;
 * the environment variable LB_PG_BINDIR sets the same for a process). */
void         lb_pg_sandbox_set_bin_dir       (LbPgSandbox   *self,
                                              const char    *bin_dir);
GFile       *lb_pg_sandbox_get_directory     (LbPgSandbox   *self);
gboolean     lb_pg_sandbox_get_running       (LbPgSandbox   *self);
/* "host=/…/socket port=… dbname=lakebase user=lakebase_workload", valid
 * while running: a role that is no superuser and may create objects only in
 * its own schema, so a shared .sql file cannot reach the server's files or
 * run programs. */
const char  *lb_pg_sandbox_get_conninfo      (LbPgSandbox   *self);

/* Creates the cluster when missing, starts it, loads the sample data when
 * missing. The async form runs in a thread and never blocks the caller. */
gboolean     lb_pg_sandbox_start             (LbPgSandbox   *self,
                                              GCancellable  *cancellable,
                                              GError       **error);
void         lb_pg_sandbox_start_async       (LbPgSandbox          *self,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean     lb_pg_sandbox_start_finish      (LbPgSandbox          *self,
                                              GAsyncResult         *result,
                                              GError              **error);
/* Fast shutdown; also done on dispose. */
gboolean     lb_pg_sandbox_stop              (LbPgSandbox   *self,
                                              GError       **error);
/* Stops, deletes the cluster, starts afresh. */
gboolean     lb_pg_sandbox_reset             (LbPgSandbox   *self,
                                              GCancellable  *cancellable,
                                              GError       **error);
/* Stop and start the server, keeping the data (tests: a server restart mid-run). */
gboolean     lb_pg_sandbox_restart           (LbPgSandbox   *self,
                                              GError       **error);

G_END_DECLS
