/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "lb-core.h"
#include "lb-databricks-client.h"
#include "lb-databricks-config.h"

G_BEGIN_DECLS

#define LB_TYPE_WORKSPACE_GROUP (lb_workspace_group_get_type ())

/* The "Databricks Workspace" group of the Deploy page: the Databricks CLI
 * profiles (read again on deploy.refresh), or a workspace URL and a personal
 * access token typed in (kept in the keyring, or in memory when there is
 * none), and the identity check (deploy.check) with what to do when it fails.
 * Secrets never reach the screen or the log.
 *
 * Properties: "workload" (LbWorkload: its profile is picked, or a sentence
 * says which one is used instead; picking another sets it), "user-name"
 * (read-only: after a successful check, else NULL), "checking" (read-only).
 *
 * Signals: "changed" (the profile or the typed credentials changed: what was
 * made with the old ones no longer applies), "signed-in" (LbDatabricksClient:
 * a check succeeded), "toast" (const char *: something to tell the user). */
G_DECLARE_FINAL_TYPE (LbWorkspaceGroup, lb_workspace_group, LB, WORKSPACE_GROUP, GtkWidget)

LbWorkload         *lb_workspace_group_get_workload           (LbWorkspaceGroup  *self);
void                lb_workspace_group_set_workload           (LbWorkspaceGroup  *self,
                                                               LbWorkload        *workload);
const char         *lb_workspace_group_get_user_name          (LbWorkspaceGroup  *self);
gboolean            lb_workspace_group_get_checking           (LbWorkspaceGroup  *self);
/* Reads the profiles file again, in a thread; keeps the profile picked if it is still there. */
void                lb_workspace_group_reload_profiles        (LbWorkspaceGroup  *self);
/* Asks the workspace who the credentials sign in as ("checking" until it answers). */
void                lb_workspace_group_check                  (LbWorkspaceGroup  *self);
/* Picks a profile of the list by name; FALSE when there is none such. */
gboolean            lb_workspace_group_select_profile         (LbWorkspaceGroup  *self,
                                                               const char        *name);
/* A profile is read, or a host is typed: a check or a deploy can sign in. */
gboolean            lb_workspace_group_has_credentials_source (LbWorkspaceGroup  *self);
/* The client for the current credentials, if one was made (borrowed), or NULL. */
LbDatabricksClient *lb_workspace_group_get_client             (LbWorkspaceGroup  *self);
/* The client for the current credentials, made once (borrowed); NULL with
 * @error saying what is missing. */
LbDatabricksClient *lb_workspace_group_ensure_client          (LbWorkspaceGroup  *self,
                                                               GError           **error);
/* What to do about @error of a check or a run, in words a person can act on
 * (names the profile and the host). */
char               *lb_workspace_group_explain_error          (LbWorkspaceGroup  *self,
                                                               const GError      *error);
/* Shows an identity learnt elsewhere (a deployment's first step). */
void                lb_workspace_group_show_identity          (LbWorkspaceGroup  *self,
                                                               const char        *user_name,
                                                               const char        *host);
/* While a deployment runs the credentials cannot change. */
void                lb_workspace_group_set_locked             (LbWorkspaceGroup  *self,
                                                               gboolean           locked);

G_END_DECLS
