/* zid-register-dialog.h — Gebruiker registreren (manual §4, Fig. 4/5)
 *
 * Organisation (only those where the actor may register users), first
 * name, last name and birth date as in the identity document. Opslaan
 * registers through the core in a worker; its refusal (a birth date in the
 * future, say) is shown inline. On success emits "registered" with the
 * enrolment (a ZidOneTimeCode *, valid during emission) and the person's
 * name, and closes.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <adwaita.h>

#include "zid-core.h"

G_BEGIN_DECLS

#define ZID_TYPE_REGISTER_DIALOG (zid_register_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ZidRegisterDialog, zid_register_dialog, ZID, REGISTER_DIALOG, AdwWindow)

ZidRegisterDialog *zid_register_dialog_new (GtkWindow  *parent,
                                            ZidBackend *portal,
                                            gint64      actor);

G_END_DECLS
