/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Parameter values for a script's queries, drawn as a run draws them: a
 * transaction's \set and PARAM expressions, parameter rows and \if branches
 * evaluated in order with a client's random generator, -D values and :scale
 * applied, queries not sent. EXPLAIN uses it to plan with realistic values. */
#pragma once

#include "lb-sql-script.h"

G_BEGIN_DECLS

typedef struct _LbSqlParamSampler LbSqlParamSampler;

/* Called for each query step reached, with the text of its $1…$n (NULL for
 * an SQL NULL; a value stored by \gset is NULL too, since nothing ran). */
typedef void (*LbSqlParamFunc) (const LbSqlQuery   *query,
                                const char * const *values,
                                gpointer            user_data);

/* @seed as a run's seed: the same seed draws the same values. */
LbSqlParamSampler *lb_sql_param_sampler_new   (LbSqlScript       *script,
                                               guint64            seed,
                                               gint64             scale);
void               lb_sql_param_sampler_free  (LbSqlParamSampler *self);
/* Runs transaction @transaction once; FALSE with @error when an expression
 * fails as it would fail in a run ("division by zero"). */
gboolean           lb_sql_param_sampler_run   (LbSqlParamSampler *self,
                                               guint              transaction,
                                               LbSqlParamFunc     func,
                                               gpointer           user_data,
                                               GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbSqlParamSampler, lb_sql_param_sampler_free)

G_END_DECLS
