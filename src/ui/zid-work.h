/* zid-work.h — run a blocking portal call in a worker thread
 *
 * The UI never waits for SQLite or crypto: every ZidBackend call goes
 * through zid_work_run, which copies nothing itself (the caller hands over
 * @data) and reports back on the calling thread's main context.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <gio/gio.h>

#include "zid-core.h"

G_BEGIN_DECLS

/* Runs in the worker. Returns the result (owned, freed with the
 * @result_free given to zid_work_run) or NULL with @error set. A call that
 * has no result returns GINT_TO_POINTER (TRUE). */
typedef gpointer (*ZidWorkFunc) (ZidBackend  *portal,
                                 gpointer    data,
                                 GError    **error);

void     zid_work_run    (gpointer             source_object,
                          ZidBackend           *portal,
                          ZidWorkFunc          func,
                          gpointer             data,
                          GDestroyNotify       data_free,
                          GDestroyNotify       result_free,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data);
gpointer zid_work_finish (GAsyncResult        *result,
                          GError             **error);

G_END_DECLS
