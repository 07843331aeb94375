/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The core's umbrella header for the cost calculator (workload, synced
 * tables, price sheet, cost model and report, enums) and lb_core_init().
 * GLib only: the UI, the CLI and the tests build on it. */
#pragma once

#include "lb-cost-model.h"
#include "lb-cost-report.h"
#include "lb-enums.h"
#include "lb-price-sheet.h"
#include "lb-synced-table.h"
#include "lb-workload.h"

G_BEGIN_DECLS

/* Registers the core's GResources and binds the gettext domain; idempotent. */
void lb_core_init (void);

G_END_DECLS
