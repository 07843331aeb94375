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

/* The CA bundle of the system, for sslrootcert with sslmode=verify-full
 * (libpq 15 knows no sslrootcert=system): $PGSSLROOTCERT or $SSL_CERT_FILE
 * when set and readable, else the first bundle found where Debian, the
 * Flatpak runtime, Fedora, openSUSE or Alpine keep it. NULL when none is. */
char     *lb_conninfo_find_system_ca_bundle (void);

typedef enum
{
  LB_CONNINFO_TLS_VERIFIED,     /* verify-full: encrypted, the server's name checked */
  LB_CONNINFO_TLS_UNVERIFIED,   /* require, verify-ca: encrypted, anyone may answer */
  LB_CONNINFO_TLS_OPTIONAL,     /* prefer, allow: encrypted only if the server offers */
  LB_CONNINFO_TLS_NONE,         /* disable */
  LB_CONNINFO_TLS_LOCAL,        /* a socket or loopback: nothing on the network */
} LbConninfoTls;

/* How a connection made with @conninfo is protected; sslmode is read as
 * libpq does ($PGSSLMODE, else "prefer"). A string that does not parse is
 * LB_CONNINFO_TLS_NONE. */
LbConninfoTls lb_conninfo_get_tls        (const char  *conninfo);
/* "verified", "encrypted, server not verified", "not encrypted"… for the
 * form and the CLI (translated). */
const char *lb_conninfo_describe_tls     (const char  *conninfo);

/* TRUE when @conninfo holds a password (password=, %70assword=, user:pw@). */
gboolean  lb_conninfo_has_password       (const char  *conninfo);

/* @conninfo with password=@password added (quoted), for a password the
 * user typed at a prompt; a URI becomes key=value pairs first. NULL with
 * @error when @conninfo does not parse. */
char     *lb_conninfo_dup_with_password  (const char  *conninfo,
                                          const char  *password,
                                          GError     **error);

/* The libpq `options` value that makes @schema the first schema searched,
 * then public: "-csearch_path=serving,public" (a name that is not a plain
 * lower-case identifier is double-quoted; spaces and backslashes are
 * escaped as libpq's options want). NULL when @schema is NULL, empty or
 * public, which needs nothing. */
char     *lb_conninfo_dup_search_path_options (const char *schema);

G_END_DECLS
