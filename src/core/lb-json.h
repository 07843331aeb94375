/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Reading the members of the workspace's JSON answers without trusting their
 * shape: a member that is missing or of another type reads as NULL, and so
 * does any member of a NULL object, so lookups chain. */

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* @name's object in @object, or NULL. */
JsonObject *lb_json_member_object (JsonObject *object,
                                   const char *name);
/* @name's string in @object, or NULL. */
const char *lb_json_member_string (JsonObject *object,
                                   const char *name);

G_END_DECLS
