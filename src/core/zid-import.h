/* zid-import.h — a spreadsheet of people to register, read and checked
 *
 * An import file is CSV as office programs write it: `;` or `,` between
 * fields (told from the header row), UTF-8 with or without a byte order
 * mark, quoted fields per RFC 4180 (a quote doubled, line breaks inside
 * quotes). Its header row names the columns, in Dutch or English:
 * voornaam/first_name, achternaam/last_name, tussenvoegsel/infix
 * (optional; also allowed in the surname itself), geboortedatum/birth_date
 * (DD-MM-JJJJ or JJJJ-MM-DD), rol/role (optional) and e-mail (optional,
 * read past: the portal keeps no e-mail addresses).
 *
 * zid_import_parse() refuses the whole file (writing nothing) when it is
 * not UTF-8 text, names a column it does not know or twice, lacks a
 * required column or holds more than ZID_IMPORT_MAX_ROWS people. A row it
 * cannot use (an impossible date, a name the portal refuses, a person
 * twice in the file) is refused on its own, with the reason; the other
 * rows can still be registered. What each accepted row will do to the
 * portal (new, already there, added to this organisation) is the
 * portal's to say: zid_portal_check_import(), zid_portal_import_users().
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <glib.h>

#include "zid-types.h"

G_BEGIN_DECLS

#define ZID_IMPORT_MAX_ROWS 100000
/* A file of ZID_IMPORT_MAX_ROWS rows of long names stays below this */
#define ZID_IMPORT_MAX_BYTES (64 * 1024 * 1024)

typedef enum
{
  ZID_IMPORT_NEW,          /* registered as a new user */
  ZID_IMPORT_MEMBERSHIP,   /* a user of another of the actor's organisations, added to this one */
  ZID_IMPORT_SKIPPED,      /* already registered in this organisation: left alone */
  ZID_IMPORT_REFUSED,      /* not registered, see the reason */
} ZidImportOutcome;

typedef struct
{
  guint             line;        /* of the row's first line in the file, 1-based */
  char             *first_name;
  char             *last_name;   /* with the tussenvoegsel, "van den Berg" */
  char              birth_date[11];  /* JJJJ-MM-DD; empty when refused for it */
  ZidRole           role;        /* ZID_ROLE_NONE: the import's role */
  ZidImportOutcome  outcome;
  gboolean          invalid;     /* refused for what the file says: never looked up */
  char             *reason;      /* refused or skipped: why, in Dutch */
  gint64            user;        /* the existing user (membership, skipped), or the new one */
  ZidOneTimeCode   *code;        /* after the import: the enrolment code of a new user */
} ZidImportRow;

typedef struct
{
  GPtrArray *rows;       /* of ZidImportRow, in file order */
  guint      n_new;
  guint      n_membership;
  guint      n_skipped;
  guint      n_refused;
  char       separator;  /* ';' or ',' */
} ZidImport;

ZidImport  *zid_import_parse      (const char  *data,
                                   gsize        length,
                                   GError     **error);
ZidImport  *zid_import_read_file  (const char  *path,
                                   GError     **error);
/* All of @fd (the standard input), @name naming it in errors */
ZidImport  *zid_import_read_fd    (int          fd,
                                   const char  *name,
                                   GError     **error);
void        zid_import_free       (ZidImport   *import);
/* Counts the rows' outcomes again */
void        zid_import_count      (ZidImport   *import);
const char *zid_import_outcome_to_string (ZidImportOutcome outcome);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidImport, zid_import_free)

G_END_DECLS
