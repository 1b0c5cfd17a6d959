/* zid-admin-calls.h — the organisation server's side of a remote window
 *
 * /v1/admin/call (docs/server.md) carries a method of the window's backend
 * (zid-backend.h) with its arguments; the server runs the portal's call of
 * that name as the session's user, so that every rule is checked here,
 * and answers with its result in the forms of zid-wire.h.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <json-glib/json-glib.h>

#include "zid-portal.h"

G_BEGIN_DECLS

/* Adds the member "result" to @builder (an open object), or fails with
 * the core's refusal; an unknown method is ZID_ERROR_INVALID_INPUT */
gboolean zid_admin_call (ZidPortal    *portal,
                         gint64        actor,
                         const char   *method,
                         JsonObject   *args,
                         JsonBuilder  *builder,
                         GError      **error);

G_END_DECLS
