/* zid-file-choice.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <glib/gi18n.h>

#include "zid-file-choice.h"
#include "zid-ui-util.h"

typedef struct
{
  GtkWidget         *owner;
  ZidFileChosenFunc  func;
} Choice;

static void
on_response (GtkNativeDialog *dialog,
             int              response,
             gpointer         user_data)
{
  Choice *c = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL)
        c->func (c->owner, path);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (c->owner);
  g_free (c);
}

void
zid_file_choice_ask (GtkWidget         *owner,
                     gboolean           save,
                     const char        *title,
                     const char        *name,
                     ZidFileKind        kind,
                     ZidFileChosenFunc  func)
{
  static const char * const pdf_types[] = { "application/pdf", NULL };
  static const char * const pdf_patterns[] = { "*.pdf", NULL };
  static const char * const csv_types[] = { "text/csv", NULL };
  static const char * const csv_patterns[] = { "*.csv", "*.txt", NULL };
  static const char * const png_types[] = { "image/png", NULL };
  static const char * const png_patterns[] = { "*.png", NULL };
  GtkNative *native = gtk_widget_get_native (owner);
  GtkFileChooserNative *dialog;
  Choice *c;

  g_return_if_fail (GTK_IS_WIDGET (owner));
  g_return_if_fail (func != NULL);

  dialog = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (native) ? GTK_WINDOW (native) : NULL,
                                        save ? GTK_FILE_CHOOSER_ACTION_SAVE : GTK_FILE_CHOOSER_ACTION_OPEN,
                                        save ? _("_Save") : _("_Open"), _("_Cancel"));
  switch (kind)
    {
    case ZID_FILE_PDF:
      zid_ui_add_file_filters (GTK_FILE_CHOOSER (dialog), _("PDF documents"), pdf_types, pdf_patterns);
      break;
    case ZID_FILE_CSV:
      zid_ui_add_file_filters (GTK_FILE_CHOOSER (dialog), _("Spreadsheets (CSV)"), csv_types, csv_patterns);
      break;
    case ZID_FILE_PNG:
    default:
      zid_ui_add_file_filters (GTK_FILE_CHOOSER (dialog), _("PNG images"), png_types, png_patterns);
      break;
    }
  if (save && name != NULL)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  c = g_new (Choice, 1);
  c->owner = g_object_ref (owner);
  c->func = func;
  g_signal_connect (dialog, "response", G_CALLBACK (on_response), c);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}
