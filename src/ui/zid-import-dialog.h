/* zid-import-dialog.h — Gebruikers importeren: a spreadsheet of people
 * (zid-import.h) read and checked in a worker, its preview (counts, each
 * row with its outcome and reason), then registered all at once with
 * their enrolment letters (PDF) written before the registrations commit
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <adwaita.h>

#include "zid-core.h"

G_BEGIN_DECLS

#define ZID_TYPE_IMPORT_DIALOG (zid_import_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ZidImportDialog, zid_import_dialog, ZID, IMPORT_DIALOG, AdwWindow)

ZidImportDialog *zid_import_dialog_new (GtkWindow  *parent,
                                        ZidBackend *portal,
                                        gint64      actor);
/* The spreadsheet to import, as if chosen: its preview follows */
void             zid_import_dialog_set_file (ZidImportDialog *self,
                                             const char      *path);

G_END_DECLS
