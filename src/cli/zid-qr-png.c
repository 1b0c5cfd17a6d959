/* zid-qr-png.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <qrencode.h>
#include <string.h>

#include "zid-error.h"
#include "zid-qr-png.h"

#define MODULE_PIXELS 8
#define QUIET_ZONE    4

gboolean
zid_qr_write_png (const char  *payload,
                  const char  *path,
                  GError     **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  QRcode *qr = QRcode_encodeString (payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  int modules, size, stride;
  guchar *pixels;
  gboolean ok;

  if (qr == NULL)
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_IO, "Kan de QR-code niet maken");
      return FALSE;
    }

  modules = qr->width + 2 * QUIET_ZONE;
  size = modules * MODULE_PIXELS;
  pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, size, size);
  pixels = gdk_pixbuf_get_pixels (pixbuf);
  stride = gdk_pixbuf_get_rowstride (pixbuf);

  for (int y = 0; y < size; y++)
    {
      memset (pixels + y * stride, 0xff, size * 3);
      for (int x = 0; x < size; x++)
        {
          int mx = x / MODULE_PIXELS - QUIET_ZONE;
          int my = y / MODULE_PIXELS - QUIET_ZONE;

          if (mx >= 0 && my >= 0 && mx < qr->width && my < qr->width &&
              (qr->data[my * qr->width + mx] & 1))
            memset (pixels + y * stride + x * 3, 0, 3);
        }
    }
  QRcode_free (qr);

  ok = gdk_pixbuf_save (pixbuf, path, "png", error, NULL);
  if (!ok && error && *error)
    {
      g_autofree char *message = g_strdup_printf ("Kan %s niet schrijven: %s", path, (*error)->message);
      g_clear_error (error);
      g_set_error_literal (error, ZID_ERROR, ZID_ERROR_IO, message);
    }
  return ok;
}
