/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Databricks profiles, read the way the Databricks CLI and SDKs read them,
 * so the app and the CLI sign in wherever the user's `databricks` command
 * does. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LB_DATABRICKS_CONFIG_ERROR (lb_databricks_config_error_quark ())

typedef enum
{
  LB_DATABRICKS_CONFIG_ERROR_SYNTAX,         /* FILE:LINE: what is wrong */
  LB_DATABRICKS_CONFIG_ERROR_NO_PROFILE,     /* a profile asked for by name is not in the file */
  LB_DATABRICKS_CONFIG_ERROR_INVALID,        /* a bad host, mixed auth methods, … */
  LB_DATABRICKS_CONFIG_ERROR_IO,
} LbDatabricksConfigError;

GQuark lb_databricks_config_error_quark (void);

typedef enum
{
  LB_DATABRICKS_AUTH_NONE,        /* no credential configured */
  LB_DATABRICKS_AUTH_PAT,         /* token */
  LB_DATABRICKS_AUTH_BASIC,       /* username + password (legacy) */
  LB_DATABRICKS_AUTH_OAUTH_M2M,   /* client_id + client_secret */
  LB_DATABRICKS_AUTH_OAUTH_U2M,   /* auth_type = databricks-cli (or external-browser) */
} LbDatabricksAuthKind;

const char *lb_databricks_auth_kind_to_string (LbDatabricksAuthKind kind);  /* "pat", "oauth-m2m", … */

/* One resolved profile: the environment first, the file fills the rest, as
 * the Databricks SDKs do. Secrets are never part of to_string/debug output. */
typedef struct
{
  char                 *name;          /* the profile's name; NULL when only the environment was used */
  char                 *host;          /* normalised: scheme://host[:port], no path */
  char                 *token;         /* secret */
  char                 *username;
  char                 *password;      /* secret */
  char                 *client_id;
  char                 *client_secret; /* secret */
  char                 *auth_type;     /* as written, or NULL */
  char                 *account_id;
  char                 *workspace_id;
  char                 *warehouse_id;
  char                 *cluster_id;
  char                 *databricks_cli_path; /* the CLI to run for U2M, or NULL: PATH */
  char                 *scopes;        /* OAuth M2M scopes as written ("a, b" or "a b"), or NULL: all-apis */
  char                 *config_file;   /* the file it was read from, or NULL */
  LbDatabricksAuthKind  auth_kind;
} LbDatabricksProfile;

#define LB_TYPE_DATABRICKS_PROFILE (lb_databricks_profile_get_type ())

GType                lb_databricks_profile_get_type  (void) G_GNUC_CONST;
LbDatabricksProfile *lb_databricks_profile_copy      (const LbDatabricksProfile *self);
void                 lb_databricks_profile_free      (LbDatabricksProfile       *self);
/* "DEFAULT: https://dbc-1.cloud.databricks.com (pat)"; never a secret. */
char                *lb_databricks_profile_describe  (const LbDatabricksProfile *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbDatabricksProfile, lb_databricks_profile_free)

/* Host rules: https:// is added when no scheme is given; only scheme, host
 * and port are kept; http:// is accepted for loopback addresses only
 * (127.0.0.0/8, ::1, localhost: the tests' fake workspace). A `?w=ID` (else
 * `?o=ID`) query gives the workspace id, as in the SDKs. */
char                *lb_databricks_normalize_host    (const char  *host,
                                                      char       **workspace_id,
                                                      GError     **error);

#define LB_TYPE_DATABRICKS_CONFIG (lb_databricks_config_get_type ())

/* ~/.databrickscfg (or DATABRICKS_CONFIG_FILE), read as the Databricks CLI
 * reads it: [NAME] sections; `key = value`; `#`/`;` comment lines; an inline
 * comment needs a space before `#`/`;`; values may be quoted; [DEFAULT] is
 * never merged into other profiles; [__settings__] is not a profile. */
G_DECLARE_FINAL_TYPE (LbDatabricksConfig, lb_databricks_config, LB, DATABRICKS_CONFIG, GObject)

/* @environ: the environment to honour (NULL = the process's). A missing
 * file is not an error: the config is then empty. */
LbDatabricksConfig  *lb_databricks_config_new_from_environment (const char * const *environ,
                                                                GError            **error);
LbDatabricksConfig  *lb_databricks_config_new_from_file        (GFile              *file,
                                                                const char * const *environ,
                                                                GError            **error);
LbDatabricksConfig  *lb_databricks_config_new_from_data        (const char         *data,
                                                                const char         *display_name,
                                                                const char * const *environ,
                                                                GError            **error);
GFile               *lb_databricks_config_get_file             (LbDatabricksConfig *self);
/* Profile sections in file order ([__settings__] excluded). */
GStrv                lb_databricks_config_list_profiles        (LbDatabricksConfig *self);
/* [__settings__] default_profile, else "DEFAULT" (which need not exist). */
const char          *lb_databricks_config_get_default_profile  (LbDatabricksConfig *self);
/* @profile: NULL = DATABRICKS_CONFIG_PROFILE, else the default profile, and
 * the file is not read at all when the environment alone gives a host or a
 * credential (DATABRICKS_AUTH_TYPE alone is not one: it picks a method, the
 * file still gives the host). A profile named explicitly, or named by
 * [__settings__] default_profile, must exist; a missing DEFAULT is fine
 * when the environment fills in. Mixed auth methods without auth_type are
 * refused. */
LbDatabricksProfile *lb_databricks_config_resolve              (LbDatabricksConfig *self,
                                                                const char         *profile,
                                                                GError            **error);

G_END_DECLS
