/* zid-pending-window.h — Openstaande registraties: the enrolments of an
 * organisation still open (a code not used yet), the first to expire
 * first, expired ones marked; a new code with its letter (PDF) for one
 * person or for a selection; export to CSV
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <adwaita.h>

#include "zid-core.h"

G_BEGIN_DECLS

#define ZID_TYPE_PENDING_WINDOW (zid_pending_window_get_type ())
G_DECLARE_FINAL_TYPE (ZidPendingWindow, zid_pending_window, ZID, PENDING_WINDOW, AdwWindow)

ZidPendingWindow *zid_pending_window_new (GtkWindow  *parent,
                                          ZidBackend *portal,
                                          gint64      actor);

G_END_DECLS
