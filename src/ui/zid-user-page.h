/* zid-user-page.h — Beheer: one user (manual §5, §8)
 *
 * Personal data; Organisaties with the role per organisation and
 * "+ Registreren" (only roles the actor may give); Attributen; Status
 * (Blokkeren with a reason, Activeren after confirmation); Certificaten
 * (Intrekken only while blocked, after an irreversible-action
 * confirmation; "+ Registreren" issues a new certificate). What the actor
 * may not do is not offered, and why is shown in place before any click
 * (the §8.2 note, the revoke rule, a new certificate that waits for
 * Activeren): the page reads the core's capabilities
 * (zid_backend_get_capabilities, one call) in the loading worker.
 * The name and status stay in view above the scrolled facts. Every dialog
 * stays open until the core has accepted its change: a refusal shows in
 * it, the input kept (zid-form-dialog.h); a refusal without a dialog, and a
 * new certificate that must wait for Activeren, show under the name.
 * Blocking, revoking, granting Administrator and taking away a Beheerder's
 * or Administrator's role ask first, with the person's name in the question.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <gtk/gtk.h>

#include "zid-card.h"
#include "zid-core.h"

G_BEGIN_DECLS

#define ZID_TYPE_USER_PAGE (zid_user_page_get_type ())
G_DECLARE_FINAL_TYPE (ZidUserPage, zid_user_page, ZID, USER_PAGE, GtkBox)

/* @card: the UZI card settings for an attribute "via a UZI-pas" (copied;
 * NULL: those of the acceptatie environment). The page reaches its window
 * through "win.show-toast" and "win.show-enrolment" only. */
void zid_user_page_load   (ZidUserPage         *self,
                           ZidBackend           *portal,
                           const ZidCardConfig *card,
                           gint64               actor,
                           gint64               user);
void zid_user_page_reload (ZidUserPage         *self);
void zid_user_page_clear  (ZidUserPage         *self);
/* The user's name once the page has loaded (NULL before): the window's
 * title while the page shows; "title" is notified when it changes */
const char *zid_user_page_get_title (ZidUserPage *self);

G_END_DECLS
