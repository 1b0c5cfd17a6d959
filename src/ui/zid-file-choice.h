/* zid-file-choice.h — ask for a file to read or to write (a native file
 * chooser: GTK 4.8 has no GtkFileDialog) and hand on the chosen path
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Called on the main thread with the chosen local path, only when one
 * was chosen; @owner is the widget given to zid_file_choice_ask */
typedef void (*ZidFileChosenFunc) (GtkWidget  *owner,
                                   const char *path);

typedef enum
{
  ZID_FILE_PDF,
  ZID_FILE_CSV,
  ZID_FILE_PNG,
} ZidFileKind;

/* @save: a file to write, named @name at first; else one to read. @owner
 * is kept alive until the chooser closes. */
void zid_file_choice_ask (GtkWidget         *owner,
                          gboolean           save,
                          const char        *title,
                          const char        *name,
                          ZidFileKind        kind,
                          ZidFileChosenFunc  func);

G_END_DECLS
