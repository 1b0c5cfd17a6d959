/* zid-mobile-qr.h — reads the QR code in a picture (PNG, screenshot)
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *zid_mobile_qr_decode_file (const char  *path,
                                 GError     **error);

G_END_DECLS
