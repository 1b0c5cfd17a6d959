/* zid-signer-dialog.h — trusting the signer of a registration file
 *
 * On the first import of a registration file whose signature is good but
 * whose chain ends at a root the operator trust does not hold yet: the
 * registration, the signer's organisation and the root with its SHA-256
 * fingerprint. The administrator types (or pastes) the fingerprint the
 * operator gave them apart from the file; only when it is the root's
 * fingerprint does the dialog emit "confirmed" (and close). A different
 * fingerprint is refused in the dialog: nothing is trusted or imported.
 * Closing it is "cancelled".
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <adwaita.h>

#include "zid-core.h"
#include "zid-registration-file.h"

G_BEGIN_DECLS

#define ZID_TYPE_SIGNER_DIALOG (zid_signer_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ZidSignerDialog, zid_signer_dialog, ZID, SIGNER_DIALOG, AdwWindow)

ZidSignerDialog *zid_signer_dialog_new (GtkWindow                     *parent,
                                        const ZidRegistrationFileInfo *info);

/* Do @typed and @expected name the same fingerprint? Hex digits only,
 * any case, separators (colons, spaces) ignored; all 32 bytes needed. */
gboolean zid_signer_fingerprint_matches (const char *typed,
                                         const char *expected);

G_END_DECLS
