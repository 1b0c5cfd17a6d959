/* zid-window.h — the portal's main window
 *
 * The landing page (login QR, "Ik wil een organisatie valideren"), then,
 * once a mobile ID logged in, the users overview, the organisations and the
 * Beheer page of one user. Hosts the enrolment service while open. Its
 * pages reach it through actions only: "win.show-toast" and
 * "win.show-enrolment" (zid-ui-util.h), "win.manage-user" and the like.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <adwaita.h>

#include "zid-application.h"
#include "zid-core.h"

G_BEGIN_DECLS

#define ZID_TYPE_WINDOW (zid_window_get_type ())
G_DECLARE_FINAL_TYPE (ZidWindow, zid_window, ZID, WINDOW, AdwApplicationWindow)

/* @service: the enrolment service the window runs while it is open (that
 * of a local store), or NULL when the backend's server serves the phones */
ZidWindow  *zid_window_new          (ZidApplication *app,
                                     ZidBackend     *portal,
                                     ZidService     *service);
/* The portal of this window's environment and data dir */
ZidBackend *zid_window_get_portal   (ZidWindow      *self);

G_END_DECLS
