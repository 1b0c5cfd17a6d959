/* zid-letters-job.h — "write the letters, then act", off the main thread:
 * the bulk import and the new codes of the open enrolments. The codes
 * exist only in the letters: the PDF is on disk (0600, a temporary name,
 * fsynced, renamed) before the codes commit; if it cannot be written,
 * nothing is registered and no code is issued.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <gtk/gtk.h>

#include "zid-core.h"
#include "zid-letters.h"

G_BEGIN_DECLS

typedef struct
{
  gint64     actor;
  gint64     organisation;
  char      *organisation_name;
  char      *letters;    /* the PDF; NULL: no letters (an import's preview) */
  /* an import */
  char      *path;       /* the spreadsheet */
  ZidRole    role;       /* for rows without their own */
  /* new codes */
  GPtrArray *users;      /* ZidUser */
} ZidLettersJob;

ZidLettersJob *zid_letters_job_new  (gint64               actor,
                                     ZidOrganisation     *organisation);
void           zid_letters_job_free (ZidLettersJob       *job);

/* Reads and checks job->path; with job->letters imports it, writing the
 * new users' letters first. The result: the ZidImport. */
void           zid_letters_job_import    (gpointer             source_object,
                                          ZidBackend           *portal,
                                          ZidLettersJob       *job,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
/* New codes for job->users, their letters written first. The result:
 * how many (GUINT_TO_POINTER). */
void           zid_letters_job_new_codes (gpointer             source_object,
                                          ZidBackend          *portal,
                                          ZidLettersJob       *job,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);

/* Prints @letters (@n of them, one page each, A4 unless the user chooses
 * otherwise) through GTK's print dialog over @parent, as job @job_name.
 * Returns FALSE with @error if printing failed (not when cancelled). */
gboolean       zid_letters_print         (GtkWindow           *parent,
                                          const ZidLetter     *letters,
                                          guint                n,
                                          const char          *job_name,
                                          GError             **error);

G_END_DECLS
