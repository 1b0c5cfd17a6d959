/* zid-qr-png.h — a QR code as a PNG file (zorgid-admin --qr-png) */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean zid_qr_write_png (const char  *payload,
                           const char  *path,
                           GError     **error);

G_END_DECLS
