/* zid-watch.h — one watcher of a portal's changes, for views that stay current
 *
 * Every view of a window (users, a user's page, organisations, inactive
 * users, a QR window) follows the changes of the data by anyone (this
 * process, the enrolment service, `zorgid-admin` in another process) through
 * the one ZidWatch of its portal (zid_watch_get()): every
 * ZID_WATCH_INTERVAL_MS it looks, on the main context, whether anything was
 * committed (zid_backend_poll_changes(): one tiny query, no disk reads, never
 * waiting for the store), and only then asks a worker thread which users
 * and organisations changed after the last change it saw
 * (zid_backend_list_changes(), an index range). "changed" then names them,
 * so that a view updates those rows and reads nothing else.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <glib-object.h>

#include "zid-backend.h"

G_BEGIN_DECLS

#define ZID_WATCH_INTERVAL_MS 250

#define ZID_TYPE_WATCH (zid_watch_get_type ())
G_DECLARE_FINAL_TYPE (ZidWatch, zid_watch, ZID, WATCH, GObject)

/* The watch of @portal, shared by whoever watches it on the calling
 * thread's main context (it polls while someone holds a reference).
 * Signal "changed" (GArray *users, GArray *organisations): the ids
 * (gint64) of the users and organisations whose rows changed (a user who
 * is gone is named too), never both empty. */
ZidWatch   *zid_watch_get        (ZidBackend *portal);
ZidBackend *zid_watch_get_portal (ZidWatch   *self);
/* Looks now instead of at the next tick (after an own change, say) */
void        zid_watch_check      (ZidWatch   *self);

G_END_DECLS
