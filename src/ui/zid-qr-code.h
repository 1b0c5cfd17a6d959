/* zid-qr-code.h — a QR code drawn pixel-exact
 *
 * A leaf widget that draws a payload's QR code (libqrencode, level M, with
 * the 4-module quiet zone) as black and white squares of a whole number of
 * pixels each, the largest that fits its allocation, centred on whole
 * pixels. Unlike a scaled texture it is never blurred, at any size: what a
 * phone camera needs. Natural size: 6 pixels per module; it shrinks down to
 * 2 pixels per module.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define ZID_TYPE_QR_CODE (zid_qr_code_get_type ())
G_DECLARE_FINAL_TYPE (ZidQrCode, zid_qr_code, ZID, QR_CODE, GtkWidget)

#define ZID_QR_CODE_MODULE_PIXELS 6

GtkWidget  *zid_qr_code_new              (void);
/* NULL or "" clears it. FALSE with @error when the payload cannot be encoded */
gboolean    zid_qr_code_set_payload      (ZidQrCode   *self,
                                          const char  *payload,
                                          GError     **error);
const char *zid_qr_code_get_payload      (ZidQrCode   *self);
/* Modules per side including the quiet zone; 0 without a payload */
int         zid_qr_code_get_modules      (ZidQrCode   *self);
/* The module size the last frame used (pixels), 0 before the first */
int         zid_qr_code_get_module_size  (ZidQrCode   *self);

G_END_DECLS
