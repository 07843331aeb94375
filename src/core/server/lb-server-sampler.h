/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbServerSampler: snapshots of the server's statistics at the start of a
 * run, every few seconds during it and at its end, taken by a thread of its
 * own on a connection of its own, never on the load engine's workers. A
 * view it cannot read, or a server it cannot reach, becomes a sentence in
 * the notes: the run goes on. */
#pragma once

#include "lb-server-snapshot.h"

G_BEGIN_DECLS

#define LB_SERVER_SAMPLER_DEFAULT_INTERVAL 5.0

#define LB_TYPE_SERVER_SAMPLER (lb_server_sampler_get_type ())
G_DECLARE_FINAL_TYPE (LbServerSampler, lb_server_sampler, LB, SERVER_SAMPLER, GObject)

/* @interval: seconds between snapshots, > 0. Each snapshot connects and
 * disconnects (no connection slot held between them); the secret in
 * @conninfo is wiped when the last snapshot is in. */
LbServerSampler *lb_server_sampler_new          (const char          *conninfo,
                                                 double               interval);
/* Connects and takes the first snapshot in its thread; returns at once. */
void             lb_server_sampler_start        (LbServerSampler     *self);
/* The same, calling back once the first snapshot is in (or the connection
 * failed: see the notes), so the run starts after its "before". */
void             lb_server_sampler_start_async  (LbServerSampler     *self,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
void             lb_server_sampler_start_finish (LbServerSampler     *self,
                                                 GAsyncResult        *result);
/* Takes the last snapshot (after the run's own connections are gone, up
 * to two seconds) and ends the thread. Cancelling skips the wait. */
void             lb_server_sampler_stop_async   (LbServerSampler     *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
/* The snapshots (LbServerSnapshot*), first to last; never fails. */
GPtrArray       *lb_server_sampler_stop_finish  (LbServerSampler     *self,
                                                 GAsyncResult        *result);
/* Blocking form, for the benchmark and tests. */
GPtrArray       *lb_server_sampler_stop         (LbServerSampler     *self);
/* Sentences about the sampler itself ("… could not connect …"), char*. */
GPtrArray       *lb_server_sampler_get_notes    (LbServerSampler     *self);
/* Snapshots so far (thread-safe). */
guint            lb_server_sampler_get_n_snapshots (LbServerSampler  *self);
/* The sampler's own CPU time (user+sys of its thread), seconds. */
double           lb_server_sampler_get_cpu_time (LbServerSampler     *self);

G_END_DECLS
