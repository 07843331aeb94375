/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* libpq connection strings (URI or key=value) in one place: whether one
 * parses, a label for menus and records, and the string without its secrets.
 * Everything goes through PQconninfoParse, so it reads them as libpq does. */

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when libpq can parse @conninfo; else G_IO_ERROR_INVALID_ARGUMENT with
 * libpq's reason ("missing "=" after "x" in connection info string"). */
gboolean  lb_conninfo_validate           (const char  *conninfo,
                                          GError     **error);

/* "user@host:port/dbname" for a menu (no password); a string that does not
 * parse is shown stripped of its secrets. */
char     *lb_conninfo_describe           (const char  *conninfo);

/* "dbname on host:port", with what @conninfo leaves out taken from libpq's
 * defaults (the PG* environment); never user or password. */
char     *lb_conninfo_dup_target_label   (const char  *conninfo);

/* The PG* environment as a key=value string (the values that differ from
 * libpq's built-in ones, or all of them when none does), so a record says
 * where it ran. The password stays in the environment. */
char     *lb_conninfo_dup_from_environment (void);

/* @conninfo as written, without password and sslpassword ("user:secret@" in
 * a URI, password=… in either form, also percent-encoded keys such as
 * %70assword=). libpq re-reads the result: when it would still find a secret
 * there, or the quoting is broken, the result is "". NULL for NULL. */
char     *lb_conninfo_strip_password     (const char  *conninfo);

G_END_DECLS
