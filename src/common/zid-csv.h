/* zid-csv.h — the one CSV writer of the product
 *
 * What an office's spreadsheet opens as it is: RFC 4180 quoting, UTF-8
 * with a byte order mark, `;` between cells by default (what Dutch
 * spreadsheet programs expect) and `,` on request, CRLF line ends, times
 * in local time, and text cells that a spreadsheet would take for a
 * formula (beginning with = + - @, a tab or a carriage return) guarded
 * with a leading single quote. Headers are the caller's, translated
 * there.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ZID_CSV_SEMICOLON ';'
#define ZID_CSV_COMMA     ','

typedef struct _ZidCsv ZidCsv;

/* A new document with the byte order mark; @separator ';' or ',' */
ZidCsv  *zid_csv_new        (char           separator);
void     zid_csv_free       (ZidCsv        *self);

/* A text cell of the current row (NULL: empty) */
void     zid_csv_add        (ZidCsv        *self,
                             const char    *text);
/* A number cell (never guarded: it is ours, not someone's text) */
void     zid_csv_add_int    (ZidCsv        *self,
                             gint64         value);
/* A time as local time, "2026-12-08 13:55:07"; 0 is an empty cell */
void     zid_csv_add_time   (ZidCsv        *self,
                             gint64         unix_seconds);
/* Text cells up to a NULL, then the end of the row */
void     zid_csv_add_row    (ZidCsv        *self,
                             const char    *first,
                             ...) G_GNUC_NULL_TERMINATED;
void     zid_csv_end_row    (ZidCsv        *self);

/* The rows so far (after each end of row), for writing out in pieces:
 * zid_csv_flush writes them to @out and forgets them */
gboolean zid_csv_flush      (ZidCsv        *self,
                             GOutputStream *out,
                             GCancellable  *cancellable,
                             GError       **error);
/* The whole document (what was not flushed); frees @self */
char    *zid_csv_free_to_string (ZidCsv    *self,
                                 gsize     *length);

/* The cell as written (quoted and guarded as needed), for tests */
char    *zid_csv_escape     (const char    *text,
                             char           separator);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidCsv, zid_csv_free)

G_END_DECLS
