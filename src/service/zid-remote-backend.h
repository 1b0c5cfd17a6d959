/* zid-remote-backend.h — the window's backend on an organisation server
 *
 * A ZidBackend whose every method is a call of the server's admin API
 * (/v1/admin/call, docs/server.md) over the pinned TLS of a connection
 * code. The login is the server's (its login QR, answered by the
 * administrator's phone); afterwards the session's user acts, and the
 * server checks every rule again. What the server does not offer yet is
 * refused as ZidBackend says, never done here instead.
 *
 * Blocking methods, for a worker; poll_changes never blocks (a thread of
 * its own asks the server what changed, twice a second while a session is
 * active).
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include "zid-core.h"

G_BEGIN_DECLS

#define ZID_TYPE_REMOTE_BACKEND (zid_remote_backend_get_type ())
G_DECLARE_FINAL_TYPE (ZidRemoteBackend, zid_remote_backend, ZID, REMOTE_BACKEND, GObject)

/* @data_dir (nullable: the default one): this computer's data dir of the
 * code's environment, for the card reader's settings; no store is made */
ZidRemoteBackend *zid_remote_backend_new         (const char        *connection_code,
                                                  const char        *data_dir,
                                                  GError           **error);
/* HOST:PORT of the server */
const char       *zid_remote_backend_get_address (ZidRemoteBackend  *self);
/* Ends the session at the server (blocking; nothing when none is active) */
void              zid_remote_backend_logout      (ZidRemoteBackend  *self);

G_END_DECLS
