/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A real, throwaway Secret Service for the tests: a private D-Bus session
 * (GTestDBus, nothing activatable on it) with gnome-keyring-daemon's
 * secrets component, its login keyring unlocked, kept in a temporary
 * directory. libsecret in the test process then talks to it. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _LbTestKeyring LbTestKeyring;

/* NULL (and a test skip message in @why) when gnome-keyring-daemon is not
 * installed. Call before anything connects to the session bus. */
LbTestKeyring *lb_test_keyring_start (char          **why);
void           lb_test_keyring_stop  (LbTestKeyring  *keyring);

G_END_DECLS
