/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbPgSandbox's insides, shared by the object (lb-pg-sandbox.c), the
 * cluster and server management (lb-pg-sandbox-cluster.c) and the sample
 * data (lb-pg-sandbox-sample.c). Not installed. */
#pragma once

#include <sys/types.h>

#include "lb-pg-sandbox.h"

G_BEGIN_DECLS

#define DATABASE_NAME     "lakebase"
/* Workloads run as this role: no superuser, it owns only its schema (of the
 * same name, first in its search_path), where the sample tables live. The
 * initdb superuser (named after our OS user) is for set-up and reset only. */
#define WORKLOAD_ROLE     "lakebase_workload"

struct _LbPgSandbox
{
  GObject       parent_instance;

  GFile        *directory;
  char         *path;
  gboolean      sample_data;
  gboolean      delete_on_dispose;
  gboolean      default_location;  /* no directory given: ours to create */
  GSubprocess  *watchdog;
  char         *bin_dir_override;
  GMainContext *main_context;

  /* Start, stop and the fields below may be used from worker threads. */
  GMutex        mutex;
  char         *bin_dir;
  guint         port;
  char         *conninfo;         /* the workload role's */
  char         *admin_conninfo;   /* the superuser's: set-up, reset, tests */
  gboolean      running;
  gboolean      started_here;
};

/* The server refuses to run as root; run its tools as its own user then. */
typedef struct
{
  uid_t uid;
  gid_t gid;
} LbPgSandboxIdentity;

/* ---- the cluster and its server (lb-pg-sandbox-cluster.c) ---- */

/* The directory with initdb, pg_ctl and postgres: @override alone when set,
 * else PATH, /usr/lib/postgresql/@data_version, the other installed versions
 * newest first, then /app/bin; NULL when none has them. */
char     *_lb_pg_sandbox_find_bin_dir       (const char            *override,
                                             const char            *data_version);
/* "host=… port=… dbname=… user=…" with values quoted as libpq wants. */
char     *_lb_pg_sandbox_build_conninfo     (const char            *socket_dir,
                                             guint                  port,
                                             const char            *dbname,
                                             const char            *user);
/* The superuser's conninfo to the sandbox database, valid while running:
 * for the sandbox's own set-up and for tests that must kill backends;
 * never for a workload. */
const char *_lb_pg_sandbox_get_admin_conninfo (LbPgSandbox         *self);
/* The uid and gid of the "postgres" user. */
gboolean  _lb_pg_sandbox_lookup_server_user (LbPgSandboxIdentity   *identity,
                                             GError               **error);
/* A GSpawnChildSetupFunc that becomes the LbPgSandboxIdentity in @user_data. */
void      _lb_pg_sandbox_drop_privileges_cb (gpointer               user_data);
/* Deletes @path and everything below it; a missing path is fine. */
gboolean  _lb_pg_sandbox_remove_tree        (const char            *path,
                                             GError               **error);
/* Deletes @path (inside the sandbox directory) as the user who owns the
 * cluster: as root, by "rm" run as the server's user, so that whatever that
 * user placed there (a symbolic link…) cannot make root delete elsewhere. */
gboolean  _lb_pg_sandbox_remove_cluster_file (LbPgSandbox          *self,
                                             const char            *path,
                                             GError               **error);
/* Refuses (LB_PG_SANDBOX_ERROR_DIRECTORY) a sandbox directory that is not a
 * real directory (lstat: no symbolic link) of mode 0700 owned by us, or as
 * root by us or the server's user. A missing directory is fine. */
gboolean  _lb_pg_sandbox_check_directory    (LbPgSandbox           *self,
                                             GError               **error);
/* Paths inside the sandbox directory (newly allocated). */
char     *_lb_pg_sandbox_get_data_dir       (LbPgSandbox           *self);
char     *_lb_pg_sandbox_get_socket_dir     (LbPgSandbox           *self);
char     *_lb_pg_sandbox_get_log_path       (LbPgSandbox           *self);
/* The major version in the cluster's PG_VERSION, or NULL without a cluster. */
char     *_lb_pg_sandbox_read_data_version  (LbPgSandbox           *self);
/* Runs a server tool (as the server's user when we are root) and waits;
 * *@status is its exit status (-1 when killed), *@output what it printed.
 * FALSE only when it could not be run at all. */
gboolean  _lb_pg_sandbox_run_tool           (LbPgSandbox           *self,
                                             const char * const    *argv,
                                             int                   *status,
                                             char                 **output,
                                             GCancellable          *cancellable,
                                             GError               **error);
/* PATH, HOME, LC_ALL and TZ only: what the server and its tools need, and
 * none of our secrets (the server's user can read its processes' environ). */
void      _lb_pg_sandbox_set_minimal_environment (LbPgSandbox      *self,
                                             GSubprocessLauncher   *launcher);
/* @name in the binary directory found at start. */
char     *_lb_pg_sandbox_tool_path          (LbPgSandbox           *self,
                                             const char            *name);
/* Creates the sandbox and socket directories (0700); as root, checks that
 * the server's user can reach them and hands the tree to it. */
gboolean  _lb_pg_sandbox_ensure_directories (LbPgSandbox           *self,
                                             GError               **error);
/* initdb (over any leftover data directory), then our settings appended to
 * postgresql.conf: no TCP, a private socket, no fsync. */
gboolean  _lb_pg_sandbox_create_cluster     (LbPgSandbox           *self,
                                             GCancellable          *cancellable,
                                             GError               **error);
/* Whether a server answers on our socket at @port. */
gboolean  _lb_pg_sandbox_server_answers     (LbPgSandbox           *self,
                                             guint                  port);
/* Starts the server on its previous port or a free one (or adopts one an
 * earlier process left running) and sets the conninfo; a failure's message
 * has the log's last lines. */
gboolean  _lb_pg_sandbox_start_server       (LbPgSandbox           *self,
                                             GCancellable          *cancellable,
                                             GError               **error);
/* Fast shutdown; a server that is not running is fine. */
gboolean  _lb_pg_sandbox_stop_server        (LbPgSandbox           *self,
                                             GError               **error);

/* ---- the sample data (lb-pg-sandbox-sample.c) ---- */

/* Creates the database when missing and, with sample data, loads the sample
 * tables unless a complete (marked) load is already there. */
gboolean  _lb_pg_sandbox_prepare_database   (LbPgSandbox           *self,
                                             GCancellable          *cancellable,
                                             GError               **error);

G_END_DECLS
