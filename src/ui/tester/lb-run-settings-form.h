/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The tester's settings column: the target (the sandbox, a connection
 * string, the saved ones) and how to run (mode, clients, duration, protocol,
 * rate). The values the app remembers are bound to GSettings. */

#include <adwaita.h>

#include "lb-remote-plan.h"
#include "lb-run-record.h"

G_BEGIN_DECLS

#define LB_TYPE_RUN_SETTINGS_FORM (lb_run_settings_form_get_type ())

/* Property "target-ready" (read-only): the sandbox, or a connection string
 * libpq parses; notified whenever the target rows change. */
G_DECLARE_FINAL_TYPE (LbRunSettingsForm, lb_run_settings_form, LB, RUN_SETTINGS_FORM, GtkBox)

GtkWidget     *lb_run_settings_form_new                 (void);

/* The settings of the form (conninfo NULL for the sandbox); *ladder_error
 * says what is wrong with the ladder when it is the mode (else NULL). */
LbRunSettings *lb_run_settings_form_dup_settings        (LbRunSettingsForm   *self,
                                                         char               **ladder_error);
/* Shows @settings; the target is left alone. */
void           lb_run_settings_form_apply_settings      (LbRunSettingsForm   *self,
                                                         const LbRunSettings *settings);
/* A web tool file's EXEC_COUNT: the count mode's suggestion. */
void           lb_run_settings_form_set_default_count   (LbRunSettingsForm   *self,
                                                         guint64              count);

gboolean       lb_run_settings_form_get_target_ready    (LbRunSettingsForm   *self);
gboolean       lb_run_settings_form_get_target_is_sandbox (LbRunSettingsForm *self);
/* TRUE when the target is a connection string that parses. */
gboolean       lb_run_settings_form_can_save_connection (LbRunSettingsForm   *self);
void           lb_run_settings_form_set_target_sandbox  (LbRunSettingsForm   *self);
void           lb_run_settings_form_set_target_conninfo (LbRunSettingsForm   *self,
                                                         const char          *conninfo);
/* Keeps the typed string (without its password) among the saved targets;
 * FALSE when it does not parse. */
gboolean       lb_run_settings_form_save_connection     (LbRunSettingsForm   *self);
/* Forgets the saved target picked; FALSE when none is. */
gboolean       lb_run_settings_form_forget_connection   (LbRunSettingsForm   *self);

/* The target "Databricks compute": the run goes to LbRemoteRun with these. */
gboolean       lb_run_settings_form_get_target_is_databricks (LbRunSettingsForm *self);
void           lb_run_settings_form_set_target_databricks (LbRunSettingsForm *self);
/* Fills the database rows, e.g. from the deployed instance of the workload;
 * NULL leaves a row as it is. */
void           lb_run_settings_form_set_remote_database (LbRunSettingsForm *self,
                                                         LbRemoteTargetKind kind,
                                                         const char        *name,
                                                         const char        *host,
                                                         const char        *user);
/* The database rows as a target (user NULL when left empty: the run's
 * identity); free with lb_remote_target_free(). */
LbRemoteTarget *lb_run_settings_form_dup_remote_target (LbRunSettingsForm *self);
guint          lb_run_settings_form_get_workers         (LbRunSettingsForm   *self);
const char    *lb_run_settings_form_get_node_type       (LbRunSettingsForm   *self);
/* NULL when there is no profile to pick. */
const char    *lb_run_settings_form_get_profile         (LbRunSettingsForm   *self);
const char    *lb_run_settings_form_get_volume          (LbRunSettingsForm   *self);
gboolean       lb_run_settings_form_get_keep_files      (LbRunSettingsForm   *self);

/* The sandbox row's subtitle (NULL: says whether it runs) and spinner. */
void           lb_run_settings_form_set_sandbox_status  (LbRunSettingsForm   *self,
                                                         const char          *status,
                                                         gboolean             running,
                                                         gboolean             busy);

G_END_DECLS
