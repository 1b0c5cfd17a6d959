/* zid-window.h — the portal's main window
 *
 * The landing page (login QR, "Ik wil een organisatie valideren"), then,
 * once a mobile ID logged in, the users overview, the organisations and the
 * Beheer page of one user. Hosts the enrolment service while open.
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

ZidWindow *zid_window_new          (ZidApplication *app,
                                    ZidPortal      *portal);
void       zid_window_add_toast    (ZidWindow      *self,
                                    const char     *message);
/* The running ZidService, or NULL */
GObject   *zid_window_get_service  (ZidWindow      *self);
gint64     zid_window_get_actor    (ZidWindow      *self);
/* Shows an enrolment / new-certificate QR window for @person */
void       zid_window_show_qr      (ZidWindow          *self,
                                    const ZidEnrolment *enrolment,
                                    const char         *person);

G_END_DECLS
