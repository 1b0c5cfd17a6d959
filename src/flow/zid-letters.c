/* zid-letters.c — enrolment letters as PDF, via cairo and Pango
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <cairo-pdf.h>
#include <glib/gstdio.h>
#include <pango/pangocairo.h>
#include <qrencode.h>

#include "zid-letters.h"

#define MARGIN      56.0
#define QR_SIZE     200.0
#define QUIET_ZONE  4

/* The letters are Dutch, whatever the administrator's locale: they go to
 * the organisation's people */
static const char * const days[] = {
  NULL, "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag",
};
static const char * const months[] = {
  NULL, "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
  "september", "oktober", "november", "december",
};

char *
zid_letter_format_expiry (gint64 expires)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_local (expires);

  g_return_val_if_fail (t != NULL, NULL);
  return g_strdup_printf ("%s %d %s %d, %02d:%02d", days[g_date_time_get_day_of_week (t)],
                          g_date_time_get_day_of_month (t), months[g_date_time_get_month (t)],
                          g_date_time_get_year (t), g_date_time_get_hour (t),
                          g_date_time_get_minute (t));
}

/* "1985-02-01" → "1 februari 1985" */
static char *
format_birth_date (const char *iso)
{
  guint year, month, day;

  if (iso == NULL || sscanf (iso, "%4u-%2u-%2u", &year, &month, &day) != 3 || month < 1 || month > 12)
    return g_strdup (iso ? iso : "");
  return g_strdup_printf ("%u %s %u", day, months[month], year);
}

char *
zid_letter_service_address (const char *payload)
{
  const char *p = payload ? strstr (payload, "host=") : NULL;

  if (p == NULL || (p != payload && p[-1] != '?' && p[-1] != '&'))
    return NULL;
  p += strlen ("host=");
  return g_strndup (p, strcspn (p, "&"));
}

/* The page's texts, top to bottom: each has its own layout, made once per
 * painter and given new markup only when its text changes, so the letters
 * of one PDF share the static texts' shaping and one Pango context */
enum
{
  TEXT_HEADER,
  TEXT_TITLE,
  TEXT_TO,
  TEXT_INTRO,
  TEXT_VALID,
  TEXT_WHERE,
  TEXT_STEPS_TITLE,
  TEXT_STEPS,
  TEXT_FOOTER,
  N_TEXTS
};

static const char * const fonts[N_TEXTS] = {
  "Sans 13", "Sans 20", "Sans 12", "Sans 11", "Sans 12", "Sans 10", "Sans 12", "Sans 11", "Sans 9",
};

/* With @replay, a text whose markup is the same on every page is drawn
 * once into a recording and replayed: in a PDF, one form that each page
 * refers to */
typedef struct
{
  PangoContext    *context;
  PangoLayout     *layouts[N_TEXTS];
  char            *markup[N_TEXTS];
  gboolean         replay;
  cairo_surface_t *recordings[N_TEXTS];
} Painter;

static void
painter_init (Painter  *painter,
              cairo_t  *cr,
              gboolean  replay)
{
  memset (painter, 0, sizeof *painter);
  painter->context = pango_cairo_create_context (cr);
  painter->replay = replay;
}

static void
painter_clear (Painter *painter)
{
  for (guint i = 0; i < N_TEXTS; i++)
    {
      g_clear_object (&painter->layouts[i]);
      g_clear_pointer (&painter->markup[i], g_free);
      g_clear_pointer (&painter->recordings[i], cairo_surface_destroy);
    }
  g_clear_object (&painter->context);
}

/* @a becomes the rectangle covering @a and @b */
static void
rectangle_union (PangoRectangle       *a,
                          const PangoRectangle *b)
{
  int x1 = MIN (a->x, b->x), y1 = MIN (a->y, b->y);
  int x2 = MAX (a->x + a->width, b->x + b->width), y2 = MAX (a->y + a->height, b->y + b->height);

  *a = (PangoRectangle) { x1, y1, x2 - x1, y2 - y1 };
}

/* Draws text @which with @markup at @y, @width wide; answers the y below it */
static double
draw_text (cairo_t    *cr,
           Painter    *painter,
           guint       which,
           gboolean    is_static,
           const char *markup,
           double      x,
           double      y,
           double      width)
{
  PangoLayout *layout = painter->layouts[which];
  int w, h;

  if (layout == NULL)
    {
      PangoFontDescription *desc = pango_font_description_from_string (fonts[which]);

      layout = painter->layouts[which] = pango_layout_new (painter->context);
      pango_layout_set_font_description (layout, desc);
      pango_font_description_free (desc);
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
    }
  if (pango_layout_get_width (layout) != (int) (width * PANGO_SCALE))
    pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  if (g_strcmp0 (painter->markup[which], markup) != 0)
    {
      pango_layout_set_markup (layout, markup, -1);
      g_free (painter->markup[which]);
      painter->markup[which] = g_strdup (markup);
      g_clear_pointer (&painter->recordings[which], cairo_surface_destroy);
    }
  pango_layout_get_size (layout, &w, &h);
  if (painter->replay && is_static)
    {
      if (painter->recordings[which] == NULL)
        {
          PangoRectangle ink, logical;
          cairo_rectangle_t bounds;
          cairo_t *recorder;

          /* bounded: what the ink and the line boxes cover */
          pango_layout_get_pixel_extents (layout, &ink, &logical);
          rectangle_union (&ink, &logical);
          bounds = (cairo_rectangle_t) { ink.x - 1, ink.y - 1, ink.width + 2, ink.height + 2 };
          painter->recordings[which] = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, &bounds);
          recorder = cairo_create (painter->recordings[which]);
          cairo_set_source_rgb (recorder, 0, 0, 0);
          pango_cairo_show_layout (recorder, layout);
          cairo_destroy (recorder);
        }
      cairo_save (cr);
      cairo_translate (cr, x, y);
      cairo_set_source_surface (cr, painter->recordings[which], 0, 0);
      cairo_paint (cr);
      cairo_restore (cr);
    }
  else
    {
      cairo_move_to (cr, x, y);
      pango_cairo_show_layout (cr, layout);
    }
  return y + (double) h / PANGO_SCALE;
}

/* The QR as one image of a pixel per module (quiet zone included), scaled
 * to @size without smoothing: the same squares as drawn one by one, at a
 * fraction of the PDF's size and work */
static void
draw_qr (cairo_t    *cr,
         const char *payload,
         double      x,
         double      y,
         double      size)
{
  QRcode *qr = QRcode_encodeString (payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  cairo_surface_t *image;
  cairo_pattern_t *pattern;
  unsigned char *pixels;
  int side, stride;

  g_return_if_fail (qr != NULL);
  side = qr->width + 2 * QUIET_ZONE;
  image = cairo_image_surface_create (CAIRO_FORMAT_RGB24, side, side);
  pixels = cairo_image_surface_get_data (image);
  stride = cairo_image_surface_get_stride (image);
  cairo_surface_flush (image);
  for (int row = 0; row < side; row++)
    {
      guint32 *line = (guint32 *) (void *) (pixels + row * stride);

      for (int col = 0; col < side; col++)
        {
          int r = row - QUIET_ZONE, c = col - QUIET_ZONE;
          gboolean dark = r >= 0 && r < qr->width && c >= 0 && c < qr->width &&
                          (qr->data[r * qr->width + c] & 1);

          line[col] = dark ? 0xff000000 : 0xffffffff;
        }
    }
  cairo_surface_mark_dirty (image);
  QRcode_free (qr);

  cairo_save (cr);
  cairo_translate (cr, x, y);
  cairo_scale (cr, size / side, size / side);
  cairo_set_source_surface (cr, image, 0, 0);
  pattern = cairo_get_source (cr);
  cairo_pattern_set_filter (pattern, CAIRO_FILTER_NEAREST);
  cairo_rectangle (cr, 0, 0, side, side);
  cairo_fill (cr);
  cairo_restore (cr);
  cairo_surface_destroy (image);
}

static void
draw_letter (cairo_t         *cr,
             Painter         *painter,
             const ZidLetter *letter,
             double           width,
             double           height)
{
  g_autofree char *expiry = zid_letter_format_expiry (letter->expires);
  g_autofree char *born = format_birth_date (letter->birth_date);
  g_autofree char *service = zid_letter_service_address (letter->payload);
  g_autofree char *header = g_markup_printf_escaped ("<b>%s</b>", letter->organisation);
  g_autofree char *to = g_markup_printf_escaped ("Voor <b>%s %s</b>, geboren %s",
                                                 letter->first_name, letter->last_name, born);
  g_autofree char *valid = g_markup_printf_escaped ("Geldig tot en met <b>%s</b>", expiry);
  g_autofree char *where = g_markup_printf_escaped ("ZORG-ID-dienst: %s", service ? service : "—");
  double text_width = width - 2 * MARGIN;
  double y = MARGIN;

  cairo_save (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);

  y = draw_text (cr, painter, TEXT_HEADER, FALSE, header, MARGIN, y, text_width) + 24;
  y = draw_text (cr, painter, TEXT_TITLE, TRUE, "<b>Uw ZORG-ID toevoegen aan de ZORG-IDMobile App</b>",
                 MARGIN, y, text_width) + 12;
  y = draw_text (cr, painter, TEXT_TO, FALSE, to, MARGIN, y, text_width) + 12;
  y = draw_text (cr, painter, TEXT_INTRO, TRUE,
                 "Met de QR-code hieronder voegt u uw ZORG-ID toe aan de ZORG-IDMobile App. "
                 "De code is persoonlijk en werkt één keer: laat hem niemand anders scannen.",
                 MARGIN, y, text_width) + 18;

  draw_qr (cr, letter->payload, (width - QR_SIZE) / 2, y, QR_SIZE);
  cairo_set_source_rgb (cr, 0, 0, 0);
  y += QR_SIZE + 14;

  y = draw_text (cr, painter, TEXT_VALID, FALSE, valid, MARGIN, y, text_width) + 4;
  y = draw_text (cr, painter, TEXT_WHERE, FALSE, where, MARGIN, y, text_width) + 22;
  y = draw_text (cr, painter, TEXT_STEPS_TITLE, TRUE, "<b>Zo voegt u uw ID toe</b>", MARGIN, y, text_width) + 6;
  y = draw_text (cr, painter, TEXT_STEPS, TRUE,
                 "1. Open de ZORG-IDMobile App op uw telefoon.\n"
                 "2. Stel een PIN-code in als u de app voor het eerst gebruikt, of voer uw PIN-code in.\n"
                 "3. Kies Scan → Scan QR en houd de camera voor de QR-code op deze brief.\n"
                 "4. De app toont uw ID: controleer uw naam en geboortedatum.\n"
                 "5. Bevestig de ID.",
                 MARGIN + 8, y, text_width - 8) + 22;
  draw_text (cr, painter, TEXT_FOOTER, TRUE,
             "<i>Lukt het niet, of is de code verlopen? Vraag de beheerder van uw organisatie "
             "om een nieuwe code. Vernietig deze brief nadat u uw ID hebt toegevoegd.</i>",
             MARGIN, MAX (y, height - MARGIN - 40), text_width);
  cairo_restore (cr);
}

void
zid_letter_draw (cairo_t         *cr,
                 const ZidLetter *letter,
                 double           width,
                 double           height)
{
  Painter painter;

  painter_init (&painter, cr, FALSE);
  draw_letter (cr, &painter, letter, width, height);
  painter_clear (&painter);
}

/* PDF output */

typedef struct
{
  int    fd;
  int    saved_errno;
} Sink;

static cairo_status_t
sink_write (void                *closure,
            const unsigned char *data,
            unsigned int         length)
{
  Sink *sink = closure;

  while (length > 0)
    {
      ssize_t n = write (sink->fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          sink->saved_errno = n < 0 ? errno : EIO;
          return CAIRO_STATUS_WRITE_ERROR;
        }
      data += n;
      length -= (unsigned int) n;
    }
  return CAIRO_STATUS_SUCCESS;
}

static gboolean
fail_errno (GError     **error,
            const char  *path,
            int          saved_errno)
{
  g_set_error (error, ZID_ERROR, ZID_ERROR_IO, "De brieven kunnen niet worden opgeslagen in %s: %s",
               path, g_strerror (saved_errno));
  return FALSE;
}

gboolean
zid_letters_write_pdf (const char       *path,
                       const ZidLetter  *letters,
                       guint             n,
                       GError          **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *tmp = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  cairo_surface_t *surface;
  cairo_status_t status;
  Sink sink = { -1, 0 };
  Painter painter;
  cairo_t *cr;
  int dir_fd;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (n == 0 || letters != NULL, FALSE);

  sink.fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0600);
  if (sink.fd < 0)
    return fail_errno (error, path, errno);

  surface = cairo_pdf_surface_create_for_stream (sink_write, &sink, ZID_LETTER_WIDTH, ZID_LETTER_HEIGHT);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, "ZORG-ID: brieven om een ID toe te voegen");
  cr = cairo_create (surface);
  painter_init (&painter, cr, TRUE);
  for (guint i = 0; i < n; i++)
    {
      draw_letter (cr, &painter, &letters[i], ZID_LETTER_WIDTH, ZID_LETTER_HEIGHT);
      cairo_show_page (cr);
    }
  painter_clear (&painter);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS || fsync (sink.fd) != 0)
    {
      int saved = sink.saved_errno ? sink.saved_errno : status != CAIRO_STATUS_SUCCESS ? EIO : errno;

      close (sink.fd);
      g_unlink (tmp);
      return fail_errno (error, path, saved);
    }
  if (close (sink.fd) != 0 || g_rename (tmp, path) != 0)
    {
      int saved = errno;

      g_unlink (tmp);
      return fail_errno (error, path, saved);
    }
  /* the rename itself on disk */
  dir_fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0)
    {
      fsync (dir_fd);
      close (dir_fd);
    }
  return TRUE;
}

GArray *
zid_letters_of_import (ZidImport  *import,
                       const char *organisation)
{
  GArray *letters = g_array_new (FALSE, TRUE, sizeof (ZidLetter));

  for (guint i = 0; i < import->rows->len; i++)
    {
      ZidImportRow *row = g_ptr_array_index (import->rows, i);
      ZidLetter letter = {
        organisation, row->first_name, row->last_name, row->birth_date,
        row->code ? row->code->payload : NULL, row->code ? row->code->expires : 0,
      };

      if (row->code != NULL)
        g_array_append_val (letters, letter);
    }
  return letters;
}

gboolean
zid_letters_write_import (ZidImport  *import,
                          gpointer    user_data,
                          GError    **error)
{
  ZidImportLetters *target = user_data;
  g_autoptr(GArray) letters = zid_letters_of_import (import, target->organisation);

  return zid_letters_write_pdf (target->path, (ZidLetter *) (void *) letters->data, letters->len, error);
}
