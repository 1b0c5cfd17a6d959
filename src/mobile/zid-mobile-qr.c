/* zid-mobile-qr.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <zbar.h>

#include "zid-mobile.h"
#include "zid-mobile-qr.h"

/* a screenshot of a large screen, with room to spare */
#define MAX_PICTURE_SIDE 8192

char *
zid_mobile_qr_decode_file (const char  *path,
                           GError     **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) local_error = NULL;
  zbar_image_scanner_t *scanner;
  zbar_image_t *image;
  const zbar_symbol_t *symbol;
  const guint8 *pixels;
  guint8 *grey;
  char *result = NULL;
  gboolean nul = FALSE;
  int width, height, stride, channels;

  /* a PNG or JPEG (a photo or screenshot of the QR) of sane size, looked
   * at before it is decoded: a small file can unpack to gigabytes */
  {
    GdkPixbufFormat *format = gdk_pixbuf_get_file_info (path, &width, &height);
    g_autofree char *name = format ? gdk_pixbuf_format_get_name (format) : NULL;

    if (name == NULL || (!g_str_equal (name, "png") && !g_str_equal (name, "jpeg")))
      {
        g_set_error (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_INPUT,
                     _("Cannot read the picture %s: it is not a PNG or JPEG image"), path);
        return NULL;
      }
    if (width <= 0 || height <= 0 || width > MAX_PICTURE_SIDE || height > MAX_PICTURE_SIDE)
      {
        g_set_error (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_INPUT,
                     _("The picture %s is %d × %d pixels; a QR code needs at most %d × %d"),
                     path, width, height, MAX_PICTURE_SIDE, MAX_PICTURE_SIDE);
        return NULL;
      }
  }
  pixbuf = gdk_pixbuf_new_from_file (path, &local_error);
  if (pixbuf == NULL)
    {
      g_set_error (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_INPUT,
                   _("Cannot read the picture %s: %s"), path, local_error->message);
      return NULL;
    }

  width = gdk_pixbuf_get_width (pixbuf);
  height = gdk_pixbuf_get_height (pixbuf);
  stride = gdk_pixbuf_get_rowstride (pixbuf);
  channels = gdk_pixbuf_get_n_channels (pixbuf);
  pixels = gdk_pixbuf_read_pixels (pixbuf);

  /* zbar wants Y800: one grey byte a pixel; transparent counts as white */
  grey = malloc ((gsize) width * height);
  if (grey == NULL)
    {
      g_set_error_literal (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_FAILED, _("Out of memory"));
      return NULL;
    }
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        const guint8 *p = pixels + (gsize) y * stride + (gsize) x * channels;
        guint value = (p[0] * 299u + p[1] * 587u + p[2] * 114u) / 1000u;

        if (channels == 4)
          value = (value * p[3] + 255u * (255u - p[3])) / 255u;
        grey[(gsize) y * width + x] = (guint8) value;
      }

  scanner = zbar_image_scanner_create ();
  zbar_image_scanner_set_config (scanner, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
  zbar_image_scanner_set_config (scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);

  image = zbar_image_create ();
  zbar_image_set_format (image, zbar_fourcc ('Y', '8', '0', '0'));
  zbar_image_set_size (image, width, height);
  zbar_image_set_data (image, grey, (unsigned long) width * height, zbar_image_free_data);

  if (zbar_scan_image (scanner, image) > 0)
    for (symbol = zbar_image_first_symbol (image); symbol; symbol = zbar_symbol_next (symbol))
      if (zbar_symbol_get_type (symbol) == ZBAR_QRCODE &&
          g_str_has_prefix (zbar_symbol_get_data (symbol), "zorgid://"))
        {
          /* a NUL would hide what follows it from the payload's parser */
          if (memchr (zbar_symbol_get_data (symbol), '\0',
                      zbar_symbol_get_data_length (symbol)) != NULL)
            {
              nul = TRUE;
              continue;
            }
          result = g_strdup (zbar_symbol_get_data (symbol));
          break;
        }

  zbar_image_destroy (image);
  zbar_image_scanner_destroy (scanner);

  if (result == NULL && nul)
    g_set_error (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_INPUT,
                 _("The ZORG-ID QR code in %s holds a NUL character: it is not one the portal made"), path);
  else if (result == NULL)
    g_set_error (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_INPUT,
                 _("There is no ZORG-ID QR code in %s"), path);
  return result;
}
