/* zid-letters-job.c — "write the letters, then act", off the main thread
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "zid-letters.h"
#include "zid-letters-job.h"
#include "zid-work.h"

ZidLettersJob *
zid_letters_job_new (gint64           actor,
                     ZidOrganisation *organisation)
{
  ZidLettersJob *job = g_new0 (ZidLettersJob, 1);

  job->actor = actor;
  job->organisation = organisation->id;
  job->organisation_name = g_strdup (organisation->name);
  return job;
}

void
zid_letters_job_free (ZidLettersJob *job)
{
  g_free (job->organisation_name);
  g_free (job->letters);
  g_free (job->path);
  g_clear_pointer (&job->users, g_ptr_array_unref);
  g_free (job);
}

static gpointer
import_worker (ZidBackend  *portal,
               gpointer     data,
               GError     **error)
{
  ZidLettersJob *job = data;
  g_autoptr(ZidImport) import = zid_import_read_file (job->path, error);
  ZidImportLetters letters = { job->letters, job->organisation_name };

  if (import == NULL)
    return NULL;
  if (job->letters == NULL
      ? !zid_backend_check_import (portal, job->actor, job->organisation, job->role, import, error)
      : !zid_backend_import_users (portal, job->actor, job->organisation, job->role, import,
                                  zid_letters_write_import, &letters, error))
    return NULL;
  return g_steal_pointer (&import);
}

void
zid_letters_job_import (gpointer             source_object,
                        ZidBackend          *portal,
                        ZidLettersJob       *job,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  zid_work_run (source_object, portal, import_worker, job, (GDestroyNotify) zid_letters_job_free,
                (GDestroyNotify) zid_import_free, cancellable, callback, user_data);
}

/* Inside the transaction of the new codes: their letters, on disk */
static gboolean
write_code_letters (GPtrArray  *codes,
                    gpointer    data,
                    GError    **error)
{
  ZidLettersJob *job = data;
  g_autofree ZidLetter *letters = g_new0 (ZidLetter, codes->len);

  for (guint i = 0; i < codes->len; i++)
    {
      ZidUser *user = g_ptr_array_index (job->users, i);
      ZidOneTimeCode *code = g_ptr_array_index (codes, i);

      letters[i] = (ZidLetter) {
        .organisation = job->organisation_name,
        .first_name = zid_user_get_first_name (user),
        .last_name = zid_user_get_last_name (user),
        .birth_date = zid_user_get_birth_date (user),
        .payload = code->payload,
        .expires = code->expires,
      };
    }
  return zid_letters_write_pdf (job->letters, letters, codes->len, error);
}

static gpointer
new_codes_worker (ZidBackend  *portal,
                  gpointer     data,
                  GError     **error)
{
  ZidLettersJob *job = data;
  g_autofree gint64 *ids = g_new (gint64, job->users->len);
  g_autoptr(GPtrArray) codes = NULL;

  for (guint i = 0; i < job->users->len; i++)
    ids[i] = zid_user_get_id (g_ptr_array_index (job->users, i));
  codes = zid_backend_new_certificates (portal, job->actor, ids, job->users->len,
                                       write_code_letters, job, error);
  return codes != NULL ? GUINT_TO_POINTER (codes->len) : NULL;
}

void
zid_letters_job_new_codes (gpointer             source_object,
                           ZidBackend          *portal,
                           ZidLettersJob       *job,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  zid_work_run (source_object, portal, new_codes_worker, job, (GDestroyNotify) zid_letters_job_free,
                NULL, cancellable, callback, user_data);
}

/* ---- Printing: the letters drawn on the printer's pages ---- */

static void
draw_letter (GtkPrintOperation *op,
             GtkPrintContext   *context,
             int                page_nr,
             gpointer           user_data)
{
  const ZidLetter *letters = user_data;

  zid_letter_draw (gtk_print_context_get_cairo_context (context), &letters[page_nr],
                   gtk_print_context_get_width (context), gtk_print_context_get_height (context));
}

/* A letter carries a code that enrols whoever holds it: printed to a file
 * (GTK's "Print to File" printer, which creates it as any file), the file
 * is made readable by its owner only, as the saved letters are */
static void
protect_printed_file (GtkPrintOperation *op)
{
  GtkPrintSettings *settings = gtk_print_operation_get_print_settings (op);
  const char *uri = settings ? gtk_print_settings_get (settings, GTK_PRINT_SETTINGS_OUTPUT_URI) : NULL;
  g_autofree char *path = uri ? g_filename_from_uri (uri, NULL, NULL) : NULL;

  if (path != NULL && g_file_test (path, G_FILE_TEST_IS_REGULAR) && g_chmod (path, 0600) != 0)
    g_warning ("Could not make %s readable by its owner only: %s", path, g_strerror (errno));
}

static void
on_print_status (GtkPrintOperation *op,
                 gpointer           user_data)
{
  GtkPrintStatus status = gtk_print_operation_get_status (op);

  if (status == GTK_PRINT_STATUS_FINISHED || status == GTK_PRINT_STATUS_FINISHED_ABORTED)
    protect_printed_file (op);
}

gboolean
zid_letters_print (GtkWindow        *parent,
                   const ZidLetter  *letters,
                   guint             n,
                   const char       *job_name,
                   GError          **error)
{
  g_autoptr(GtkPrintOperation) op = gtk_print_operation_new ();
  g_autoptr(GtkPageSetup) setup = gtk_page_setup_new ();
  g_autoptr(GtkPaperSize) a4 = gtk_paper_size_new (GTK_PAPER_NAME_A4);
  GtkPrintOperationResult result;

  /* the letters are laid out for A4 */
  gtk_page_setup_set_paper_size_and_default_margins (setup, a4);
  gtk_print_operation_set_default_page_setup (op, setup);
  gtk_print_operation_set_n_pages (op, n);
  gtk_print_operation_set_job_name (op, job_name);
  /* not async: every page is drawn before this returns, so @letters may
   * be borrowed */
  g_signal_connect (op, "draw-page", G_CALLBACK (draw_letter), (gpointer) letters);
  g_signal_connect (op, "status-changed", G_CALLBACK (on_print_status), NULL);
  result = gtk_print_operation_run (op, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG, parent, error);
  if (result == GTK_PRINT_OPERATION_RESULT_APPLY)
    protect_printed_file (op);
  return result != GTK_PRINT_OPERATION_RESULT_ERROR;
}
