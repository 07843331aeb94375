/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Lakeflow pipelines behind synced tables, in the fake workspace
 * (lb-fake-workspace-pipelines.c):
 *   GET  /api/2.0/pipelines/{id}          {pipeline_id, name, state, health,
 *                                          cause?, latest_updates[{update_id,
 *                                          state, creation_time}]}
 *   POST /api/2.0/pipelines/{id}/updates  {} or {"full_refresh": bool} →
 *                                          {update_id}; the update is QUEUED,
 *                                          then RUNNING, then COMPLETED over
 *                                          set_polls_until_ready() GETs each
 *                                          (the pipeline RUNNING meanwhile,
 *                                          IDLE after).
 * Any pipeline id the fake handed out with a synced table is known (an IDLE
 * pipeline whose one update COMPLETED); ids with "missing" in them are 404. */
#pragma once

#include "lb-fake-workspace.h"

G_BEGIN_DECLS

/* Sets a pipeline's state ("IDLE", "RUNNING", "FAILED", …) and cause
 * (NULL: none); a FAILED pipeline's latest update is FAILED too. */
void   lb_fake_workspace_pipelines_set_state    (LbFakeWorkspace *fake,
                                                 const char      *pipeline_id,
                                                 const char      *state,
                                                 const char      *cause);
/* POST …/updates received for @pipeline_id (NULL: all pipelines). */
guint  lb_fake_workspace_pipelines_count_updates (LbFakeWorkspace *fake,
                                                 const char      *pipeline_id);

G_END_DECLS
