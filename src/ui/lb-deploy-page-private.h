/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the files of the Deploy page share: the shell (lb-deploy-page.c: the
 * plan, the progress, the GObject), the workspace sign-in
 * (-workspace.c), the user's actions (-actions.c) and the tester windows it
 * opens (-tester.c). Nothing outside the page includes it but its tests. */
#pragma once

#include "lb-deploy-page.h"
#include "lb-deploy-plan-group.h"
#include "lb-deploy-progress-group.h"

G_BEGIN_DECLS

struct _LbDeployPage
{
  GtkWidget            parent_instance;

  /* Template Widgets */
  AdwToastOverlay     *toast_overlay;
  AdwComboRow         *profile_row;
  AdwActionRow        *no_config_row;
  AdwEntryRow         *host_row;
  AdwPasswordEntryRow *token_row;
  AdwActionRow        *identity_row;
  GtkStack            *identity_stack;
  GtkImage            *identity_icon;
  GtkSpinner          *identity_spinner;
  LbDeployPlanGroup   *plan_group;
  LbTableSizesGroup   *sizes_group;
  GtkWidget           *deploy_button;
  GtkWidget           *cancel_button;
  GtkWidget           *retry_button;
  GtkWidget           *test_button;
  GtkWidget           *teardown_button;
  LbDeployProgressGroup *progress_group;

  /* Owned References */
  LbWorkload          *workload;
  LbPriceSheet        *prices;
  LbDatabricksConfig  *config;
  GtkStringList       *profiles;          /* the file's profiles, then "type a host and token" */
  LbDeploymentPlan    *plan;
  GError              *plan_error;
  LbDatabricksClient  *client;            /* for the chosen profile; made on demand */
  LbDeploymentRunner  *runner;
  GCancellable        *cancellable;       /* the page's lifetime */
  GCancellable        *run_cancellable;   /* the deploy or teardown running */
  GCancellable        *check_cancellable;
  GCancellable        *config_cancellable;
  GCancellable        *find_cancellable;  /* looking for what a teardown would delete */
  char                *user_name;
  char                *missing_profile;   /* the workload's profile, absent from the file */
  char                *memory_token;      /* a typed token no keyring would take */
  GPtrArray           *testers;           /* of TesterLink* (-tester.c) */
  AdwToast            *last_toast;        /* replaced, not queued behind, by the next */

  gulong               workload_changed_id;
  guint                n_file_profiles;
  guint                plan_source;
  gboolean             updating_profiles;
  gboolean             last_run_failed;
  gboolean             checking;
  gboolean             plan_dirty;        /* the workload changed since the plan was made */
  gboolean             found_existing;    /* something of the plan exists: Tear Down has work */
};

/* Shell: helpers the other parts use ---------------------------------------- */

/* Shows @message on the window's toast overlay, replacing the page's last one. */
void                _lb_deploy_page_add_toast              (LbDeployPage  *self,
                                                            const char    *message);
/* TRUE when the user types a host and a token instead of picking a profile. */
gboolean            _lb_deploy_page_is_manual              (LbDeployPage  *self);
/* The profile picked, or NULL when typing a host and a token. */
const char         *_lb_deploy_page_selected_profile       (LbDeployPage  *self);
/* A profile is read, or a host is typed: a Check or a Deploy can sign in. */
gboolean            _lb_deploy_page_has_credentials_source (LbDeployPage  *self);
/* The last Deploy made the instance (or endpoint) and knows its host. */
gboolean            _lb_deploy_page_instance_is_ready      (LbDeployPage  *self);
/* Forgets the last run's progress, unless it still runs. */
void                _lb_deploy_page_drop_runner            (LbDeployPage  *self);
/* Sets "user-name", notifying only on a change. */
void                _lb_deploy_page_set_user_name          (LbDeployPage  *self,
                                                            const char    *user_name);
/* The credentials changed: drops the client, the identity and the runner. */
void                _lb_deploy_page_credentials_changed    (LbDeployPage  *self);
/* The client for the chosen profile, or for the typed host and @token;
 * borrowed, made once. NULL with @error set when neither can be used. */
LbDatabricksClient *_lb_deploy_page_ensure_client          (LbDeployPage  *self,
                                                            const char    *token,
                                                            GError       **error);
/* The typed token, or the one kept for this session; NULL when none. */
const char         *_lb_deploy_page_typed_token            (LbDeployPage  *self);
/* Makes the plan anew from the workload, unless a run holds it. */
void                _lb_deploy_page_rebuild_plan           (LbDeployPage  *self);
/* The deploy or teardown steps shown, or NULL before any run. */
GListModel         *_lb_deploy_page_shown_steps            (LbDeployPage  *self);
/* The runner for the current plan and client (borrowed), or NULL with @error. */
LbDeploymentRunner *_lb_deploy_page_ensure_runner          (LbDeployPage  *self,
                                                            GError       **error);

/* Workspace: profiles, typed token and keyring, identity -------------------- */

/* Shows the identity row's icon (with a style class, or none) and text. */
void                _lb_deploy_page_set_identity           (LbDeployPage  *self,
                                                            const char    *icon,
                                                            const char    *style,
                                                            const char    *text);
/* What to do about @error of a Check or a run, in words a person can act on. */
char               *_lb_deploy_page_explain_error          (LbDeployPage  *self,
                                                            const GError  *error);
/* The profile row's subtitle: host and kind, and the profile-fallback sentence. */
void                _lb_deploy_page_update_profile_subtitle (LbDeployPage *self);
void                _lb_deploy_page_profile_selected_cb    (LbDeployPage  *self);
void                _lb_deploy_page_manual_entry_changed_cb (LbDeployPage *self);
/* Reads the Databricks profiles again, in a thread. */
void                _lb_deploy_page_reload_profiles        (LbDeployPage  *self);
/* Asks whether anything of the plan exists, to offer Tear Down. */
void                _lb_deploy_page_look_for_existing      (LbDeployPage  *self);
/* Asks the workspace who the credentials belong to (deploy.check). */
void                _lb_deploy_page_check_identity         (LbDeployPage  *self);

/* Actions ------------------------------------------------------------------- */

/* Installs the deploy.* actions and their shortcuts. */
void                _lb_deploy_page_class_install_actions  (GtkWidgetClass *widget_class);
/* Enables the actions and shows the buttons that fit the state. */
void                _lb_deploy_page_update_actions         (LbDeployPage  *self);

/* Tester windows ------------------------------------------------------------ */

/* deploy.test-instance: opens a tester window on the deployed instance. */
void                _lb_deploy_page_test_instance_action   (GtkWidget     *widget,
                                                            const char    *action_name,
                                                            GVariant      *parameter);
/* Frees a link to an open tester window (the page's "testers" array). */
void                _lb_deploy_page_tester_link_free       (gpointer       data);

G_END_DECLS
