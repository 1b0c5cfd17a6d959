/* zid-qr-view.h — a QR code with what it is for and how long it is valid
 *
 * Draws the payload with ZidQrCode (whole pixels per module, quiet zone), so
 * the code is never blurry at any size. Counts down to @expires on the given clock; when expired,
 * the code is greyed out and, if @renewable, a click emits "renew".
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <gtk/gtk.h>

#include "zid-core.h"
#include "zid-qr-code.h"

G_BEGIN_DECLS

#define ZID_TYPE_QR_VIEW (zid_qr_view_get_type ())
G_DECLARE_FINAL_TYPE (ZidQrView, zid_qr_view, ZID, QR_VIEW, GtkBox)

GtkWidget  *zid_qr_view_new          (void);
void        zid_qr_view_set_clock    (ZidQrView   *self,
                                      ZidClock    *clock);
/* @payload NULL: nothing shown yet ("Bezig…") */
void        zid_qr_view_set_code     (ZidQrView   *self,
                                      const char  *payload,
                                      gint64       expires,
                                      gboolean     countdown);
const char *zid_qr_view_get_payload  (ZidQrView   *self);
ZidQrCode  *zid_qr_view_get_code     (ZidQrView   *self);
void        zid_qr_view_set_purpose  (ZidQrView   *self,
                                      const char  *purpose);
void        zid_qr_view_set_status   (ZidQrView   *self,
                                      const char  *status);
void        zid_qr_view_set_renewable (ZidQrView  *self,
                                      gboolean     renewable);
gboolean    zid_qr_view_get_expired  (ZidQrView   *self);
void        zid_qr_view_set_used     (ZidQrView   *self,
                                      const char  *text);

G_END_DECLS
