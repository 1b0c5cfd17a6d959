/* zid-qr-png.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <qrencode.h>

#include "zid-error.h"
#include "zid-qr-png.h"

#define MODULE_PIXELS 8
#define QUIET_ZONE    4

struct _ZidQrPng
{
  char *path;
  char *temp;     /* NULL once renamed to @path */
  int   fd;
};

static gboolean
io_error (GError     **error,
          const char  *path,
          int          saved_errno)
{
  g_set_error (error, ZID_ERROR, ZID_ERROR_IO, "Kan %s niet schrijven: %s",
               path, g_strerror (saved_errno));
  return FALSE;
}

ZidQrPng *
zid_qr_png_begin (const char  *path,
                  GError     **error)
{
  g_autoptr(ZidQrPng) self = g_new0 (ZidQrPng, 1);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);

  self->fd = -1;
  self->path = g_strdup (path);
  self->temp = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  /* g_mkstemp_full: O_EXCL, mode 0600 */
  self->fd = g_mkstemp_full (self->temp, O_RDWR | O_CLOEXEC, 0600);
  if (self->fd < 0)
    {
      int saved = errno;

      g_clear_pointer (&self->temp, g_free);
      io_error (error, path, saved);
      return NULL;
    }
  return g_steal_pointer (&self);
}

static GdkPixbuf *
qr_pixbuf (const char  *payload,
           GError     **error)
{
  QRcode *qr = QRcode_encodeString (payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  GdkPixbuf *pixbuf;
  int modules, size, stride;
  guchar *pixels;

  if (qr == NULL)
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_IO, "Kan de QR-code niet maken");
      return NULL;
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
  return pixbuf;
}

gboolean
zid_qr_png_finish (ZidQrPng    *self,
                   const char  *payload,
                   GError     **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autofree char *png = NULL;
  gsize len = 0, done = 0;

  g_return_val_if_fail (self != NULL && self->temp != NULL, FALSE);

  if ((pixbuf = qr_pixbuf (payload, error)) == NULL)
    return FALSE;
  if (!gdk_pixbuf_save_to_buffer (pixbuf, &png, &len, "png", error, NULL))
    {
      g_prefix_error (error, "Kan %s niet schrijven: ", self->path);
      return FALSE;
    }
  while (done < len)
    {
      gssize n = write (self->fd, png + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return io_error (error, self->path, n < 0 ? errno : ENOSPC);
      done += n;
    }
  if (fsync (self->fd) != 0 || rename (self->temp, self->path) != 0)
    return io_error (error, self->path, errno);
  g_clear_pointer (&self->temp, g_free);
  return TRUE;
}

void
zid_qr_png_free (ZidQrPng *self)
{
  if (self == NULL)
    return;
  if (self->fd >= 0)
    close (self->fd);
  if (self->temp != NULL)
    g_unlink (self->temp);
  g_free (self->temp);
  g_free (self->path);
  g_free (self);
}
