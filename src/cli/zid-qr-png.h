/* zid-qr-png.h — a QR code as a PNG file (zorgid-admin --qr-png)
 *
 * The file is prepared before the change that makes the code: a private
 * (0600) temporary file beside the target, so an unwritable place is found
 * before anything is done. It gets the PNG and its name once the code is
 * there; dropped unfinished, it is removed and an older file of that name
 * is left as it was. Whoever can read the file can enrol with the code.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _ZidQrPng ZidQrPng;

ZidQrPng *zid_qr_png_begin  (const char  *path,
                             GError     **error);
gboolean  zid_qr_png_finish (ZidQrPng    *self,
                             const char  *payload,
                             GError     **error);
void      zid_qr_png_free   (ZidQrPng    *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidQrPng, zid_qr_png_free)

G_END_DECLS
