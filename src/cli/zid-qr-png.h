/* zid-qr-png.h — a QR code as a PNG file (zorgid-admin --qr-png), and
 * as text for a terminal
 *
 * The place is tried before the change that makes the code (a private
 * file beside the target), so an unwritable one is found before anything
 * is done; a refused change leaves an older file of that name as it was.
 * Whoever can read the file can enrol with the code: it is 0600.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _ZidQrPng ZidQrPng;

/* @path NULL (no --qr-png): TRUE and *@png NULL */
gboolean  zid_qr_png_begin  (const char  *path,
                             ZidQrPng   **png,
                             GError     **error);
/* Writes the PNG (mode 0600); after the change a failure is only told on
 * stderr, the code being printed anyway. NULL: nothing to do. */
void      zid_qr_png_finish (ZidQrPng    *self,
                             const char  *payload);
void      zid_qr_png_free   (ZidQrPng    *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidQrPng, zid_qr_png_free)

/* @payload as lines of half blocks (two modules per character, dark on a
 * light quiet zone) for a phone to scan off a terminal; NULL if it does
 * not fit a QR code */
char     *zid_qr_terminal   (const char  *payload);

G_END_DECLS
