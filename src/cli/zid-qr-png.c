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
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <qrencode.h>

#include "zid-error.h"
#include "zid-qr-png.h"

#define MODULE_PIXELS 8
#define QUIET_ZONE    4

struct _ZidQrPng
{
  char *path;
  char *probe;    /* made at begin to find an unwritable place before the change */
};

/* The place is writable and the file will be private: a 0600 file of our
 * own beside the target, removed when the PNG is written or given up */
gboolean
zid_qr_png_begin (const char  *path,
                  ZidQrPng   **png,
                  GError     **error)
{
  g_autoptr(ZidQrPng) self = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  int fd;

  *png = NULL;
  if (path == NULL)
    return TRUE;
  self = g_new0 (ZidQrPng, 1);
  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  self->path = g_strdup (path);
  self->probe = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  if ((fd = g_mkstemp_full (self->probe, O_RDWR | O_CLOEXEC, 0600)) < 0)
    {
      int saved = errno;

      g_clear_pointer (&self->probe, g_free);
      g_set_error (error, ZID_ERROR, ZID_ERROR_IO, _("Cannot write %s: %s"),
                   path, g_strerror (saved));
      return FALSE;
    }
  close (fd);
  *png = g_steal_pointer (&self);
  return TRUE;
}

char *
zid_qr_terminal (const char *payload)
{
  QRcode *qr = QRcode_encodeString (payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  GString *text;
  int modules;

  if (qr == NULL)
    return NULL;
  /* light is a block, dark a blank: phones read it on dark and light
   * terminal themes alike when the quiet zone is drawn */
  text = g_string_new (NULL);
  modules = qr->width + 2 * QUIET_ZONE;
  for (int y = 0; y < modules; y += 2)
    {
      for (int x = 0; x < modules; x++)
        {
          gboolean top = FALSE, bottom = FALSE;
          int mx = x - QUIET_ZONE;

          if (mx >= 0 && mx < qr->width)
            {
              int my = y - QUIET_ZONE;

              top = my >= 0 && my < qr->width && (qr->data[my * qr->width + mx] & 1);
              bottom = my + 1 >= 0 && my + 1 < qr->width && (qr->data[(my + 1) * qr->width + mx] & 1);
            }
          /* the character's light halves */
          if (!top && !bottom)
            g_string_append (text, "█");
          else if (!top)
            g_string_append (text, "▀");
          else if (!bottom)
            g_string_append (text, "▄");
          else
            g_string_append_c (text, ' ');
        }
      g_string_append_c (text, '\n');
    }
  QRcode_free (qr);
  return g_string_free (text, FALSE);
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
      g_set_error_literal (error, ZID_ERROR, ZID_ERROR_IO, _("Cannot make the QR code"));
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

void
zid_qr_png_finish (ZidQrPng   *self,
                   const char *payload)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;

  if (self == NULL)
    return;
  /* the change is made and its code printed whatever happens here */
  if ((pixbuf = qr_pixbuf (payload, &error)) == NULL ||
      !gdk_pixbuf_save_to_buffer (pixbuf, &data, &len, "png", &error, NULL) ||
      !g_file_set_contents_full (self->path, data, len, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    g_printerr (_("zorgid-admin: the QR code could not be saved as PNG in %s: %s\n"),
                self->path, error->message);
}

void
zid_qr_png_free (ZidQrPng *self)
{
  if (self == NULL)
    return;
  if (self->probe != NULL)
    g_unlink (self->probe);
  g_free (self->probe);
  g_free (self->path);
  g_free (self);
}
