/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Workspace files, the Files API and Jobs one-time runs in the fake
 * workspace (lb-fake-workspace-jobs.c), all over one temporary folder (the
 * "runner root"):
 *   POST /api/2.0/workspace/mkdirs {path}          <root>/Workspace/<path>
 *   POST /api/2.0/workspace/import {path, format, content (base64), overwrite}
 *   POST /api/2.0/workspace/delete {path, recursive}
 *   GET  /api/2.0/workspace/get-status?path=       {object_type, path, object_id, size, modified_at}
 *   GET  /api/2.0/workspace/export?path=[&direct_download=true]
 *        Workspace paths may be given as "/Users/…" or "/Workspace/Users/…".
 *   PUT|GET|HEAD|DELETE /api/2.0/fs/files/Volumes/c/s/v/…   <root>/Volumes/…
 *        (raw bytes, ?overwrite=, Range on GET → 206)
 *   PUT|GET|HEAD|DELETE /api/2.0/fs/directories/Volumes/c/s/v/…
 *        (GET lists {contents[{path, name, is_directory, file_size,
 *        last_modified}], next_page_token}; DELETE refuses a directory
 *        that is not empty, as the real one does)
 *   POST /api/2.2/jobs/runs/submit   (2.1 too) validated; idempotency_token
 *        answered with the first run; every task is really started as
 *        `python3 <mapped python_file> <parameters…>` with
 *        LAKEBASE_RUNNER_ROOT=<root>, DATABRICKS_HOST=<fake url>,
 *        DATABRICKS_TOKEN=<the task identity's token, not the user's>, PATH
 *        with the PostgreSQL bin dir first; PENDING → RUNNING → TERMINATED
 *        (SUCCESS/FAILED by exit code; timeout_seconds ends it as TIMEDOUT)
 *   GET  /api/2.2/jobs/runs/get?run_id=
 *   POST /api/2.2/jobs/runs/cancel {run_id}   SIGTERM, SIGKILL after 10 s → CANCELED
 *   GET  /api/2.2/jobs/runs/get-output?run_id=<task run id>   {metadata, logs, error, error_trace}
 * lb_fake_workspace_free() kills every task process still alive. */
#pragma once

#include "lb-fake-workspace.h"

G_BEGIN_DECLS

/* The temporary folder everything lives under (LAKEBASE_RUNNER_ROOT). */
const char  *lb_fake_workspace_get_runner_root        (LbFakeWorkspace *fake);
/* The bearer token the tasks get as DATABRICKS_TOKEN (accepted by the fake,
 * listed among its secrets, different from lb_fake_workspace_get_token()). */
char        *lb_fake_workspace_dup_task_token         (LbFakeWorkspace *fake);
/* Every body POSTed to runs/submit, as JSON text, in order (free with
 * g_strfreev()). */
char       **lb_fake_workspace_dup_job_submissions    (LbFakeWorkspace *fake);
/* Task processes started so far, and those not yet reaped. */
guint        lb_fake_workspace_count_task_processes   (LbFakeWorkspace *fake);
guint        lb_fake_workspace_count_live_task_processes (LbFakeWorkspace *fake);
/* How long a task stays PENDING before its process starts. Default 100 ms. */
void         lb_fake_workspace_set_task_start_ms      (LbFakeWorkspace *fake,
                                                       guint            ms);
/* The PostgreSQL bin dir put first in the tasks' PATH (NULL: where pgbench
 * is found, else the newest /usr/lib/postgresql/N/bin). */
void         lb_fake_workspace_set_task_bin_dir       (LbFakeWorkspace *fake,
                                                       const char      *dir);
/* Extra environment for the tasks (e.g. PGHOST for a local server);
 * NULL @value unsets. */
void         lb_fake_workspace_set_task_env           (LbFakeWorkspace *fake,
                                                       const char      *name,
                                                       const char      *value);
/* The most entries one page of fs/directories holds (default 1000; the
 * client's page_size is honoured when smaller). */
void         lb_fake_workspace_set_files_page_size    (LbFakeWorkspace *fake,
                                                       guint            n);
/* How long SIGTERM is given before SIGKILL on runs/cancel. Default 10 s. */
void         lb_fake_workspace_set_task_kill_ms       (LbFakeWorkspace *fake,
                                                       guint            ms);

G_END_DECLS
