/* zid-qr-window.h — the window that shows an enrolment or new-certificate QR
 *
 * Usable on its own: give it a payload, what it is for and when it
 * expires. With a portal and a service it also follows the code live
 * ("Wachten op scan…" → "ID toegevoegd"). The code is shown once: closing
 * before the phone redeemed it asks for confirmation. It can be saved as
 * PNG and printed.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <adwaita.h>

#include "zid-core.h"
#include "zid-service.h"

G_BEGIN_DECLS

#define ZID_TYPE_QR_WINDOW (zid_qr_window_get_type ())
G_DECLARE_FINAL_TYPE (ZidQrWindow, zid_qr_window, ZID, QR_WINDOW, AdwWindow)

/* @service: a ZidService or NULL; @portal and @actor (may be NULL/0) are
 * used to poll the user's mobile-ID state when there is no service */
ZidQrWindow *zid_qr_window_new          (GtkWindow            *parent,
                                         const ZidOneTimeCode *enrolment,
                                         const char           *person,
                                         ZidBackend            *portal,
                                         ZidService           *service,
                                         gint64                actor);
gboolean     zid_qr_window_get_redeemed (ZidQrWindow        *self);
gboolean     zid_qr_window_get_unscanned (ZidQrWindow       *self);
void         zid_qr_window_ask_quit     (ZidQrWindow        *self,
                                         guint               n_unscanned,
                                         GSourceFunc         quit,
                                         GObject            *quit_data);

G_END_DECLS
