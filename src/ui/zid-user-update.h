/* zid-user-update.h — the users a watch named, read again in a worker
 *
 * The views that list users (the overview, the inactive users) stay
 * current through the portal's ZidWatch: it names the users whose rows
 * changed, and the view reads those again, alone, with a fetch function of
 * its own (who belongs in the view), then puts them in place.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <gio/gio.h>

#include "zid-core.h"

G_BEGIN_DECLS

/* In the worker: @user as the view shows it now in @current, or NULL when
 * it does not belong there (any more); FALSE with @error only when the
 * question cannot be answered */
typedef gboolean (*ZidUserFetchFunc) (ZidBackend  *portal,
                                      gint64      actor,
                                      gint64      organisation,
                                      gint64      user,
                                      ZidUser   **current,
                                      GError    **error);

typedef struct
{
  GArray    *ids;      /* gint64: the users read again */
  GPtrArray *users;    /* ZidUser: those of them that belong in the view */
} ZidUserUpdate;

void           zid_user_update_free   (gpointer             update);
/* @ids: copied */
void           zid_user_update_run    (gpointer             source_object,
                                       ZidBackend           *portal,
                                       gint64               actor,
                                       gint64               organisation,
                                       GArray              *ids,
                                       ZidUserFetchFunc     fetch,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback);
/* Owned by the caller (zid_user_update_free), or NULL with @error */
ZidUserUpdate *zid_user_update_finish (GAsyncResult        *result,
                                       GError             **error);
/* The user of @update with @id, or NULL */
ZidUser       *zid_user_update_find   (ZidUserUpdate       *update,
                                       gint64               id);

G_END_DECLS
