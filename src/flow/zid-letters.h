/* zid-letters.h — enrolment letters: one A4 page per person with their
 * one-time QR code, its expiry in words and the steps in the app
 *
 * The codes exist only in the letters, so a PDF of letters is private
 * (0600) and whole: written to a temporary name beside the target,
 * flushed to disk and renamed, or not there at all.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "zid-core.h"

G_BEGIN_DECLS

#define ZID_LETTER_WIDTH  595.28   /* A4 in points */
#define ZID_LETTER_HEIGHT 841.89

typedef struct
{
  const char *organisation;   /* its name */
  const char *first_name;
  const char *last_name;
  const char *birth_date;     /* JJJJ-MM-DD */
  const char *payload;        /* the QR's text */
  gint64      expires;        /* unix seconds */
} ZidLetter;

/* "woensdag 16 december 2026, 14:05", local time, in Dutch */
char     *zid_letter_format_expiry  (gint64           expires);
/* The service address a payload names ("host:port"), NULL if none */
char     *zid_letter_service_address (const char     *payload);

/* Draws @letter on a page of @width × @height points */
void      zid_letter_draw           (cairo_t         *cr,
                                     const ZidLetter *letter,
                                     double           width,
                                     double           height);

/* Writes @letters (@n of them) as one PDF to @path, atomically, 0600 */
gboolean  zid_letters_write_pdf     (const char      *path,
                                     const ZidLetter *letters,
                                     guint            n,
                                     GError         **error);

/* The letters of an import's new users (zid_backend_import_users()'s
 * ZidImportLettersFunc): @user_data is a ZidImportLetters */
typedef struct
{
  const char *path;
  const char *organisation;
} ZidImportLetters;

/* The letters of @import's new users (the rows with a code), in file
 * order: an array of ZidLetter borrowing from @import */
GArray   *zid_letters_of_import     (ZidImport       *import,
                                     const char      *organisation);

gboolean  zid_letters_write_import  (ZidImport       *import,
                                     gpointer         user_data,
                                     GError         **error);

G_END_DECLS
