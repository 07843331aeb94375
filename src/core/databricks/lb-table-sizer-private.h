/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The table sizer's JSON-to-model steps, callable without HTTP so the reply
 * fuzzer (tests/fuzz/fuzz-databricks-replies.c) can reach them. Not installed. */
#pragma once

#include <json-glib/json-glib.h>

#include "lb-table-sizer.h"

G_BEGIN_DECLS

/* The LbWarehouse list of a /api/2.0/sql/warehouses listing's items, sorted
 * for the picker (running serverless first). */
GPtrArray *_lb_table_sizer_warehouses_from_json (JsonArray  *items);
/* The byte count of a SUCCEEDED statement's first cell; FALSE when the
 * answer has none. */
gboolean   _lb_table_sizer_parse_bytes          (JsonObject *statement,
                                                 gint64     *bytes);

G_END_DECLS
