/* zid-validate-page.h — "Ik wil een organisatie valideren" (manual §7)
 *
 * The organisation-registration flow with the UZI-pas, Fig. 12–21:
 *   start (import a signed registration file) → card step (live reader and
 *   card state from ZidCardMonitor, the card's identity read without a PIN
 *   and checked against the pending registrations before any PIN try is
 *   spent, PIN entry with the tries left, PIN + proof of possession + chain
 *   in a worker) → organisation check (the pending registration beside what
 *   the card says) → with an existing mobile ID: done (Fig. 15); otherwise
 *   card holder data (Fig. 17), birth date (Fig. 18), the enrolment QR
 *   window (10 days) and done when the phone redeemed it (Fig. 21).
 * Pulling the card out before the confirmation returns to the card step;
 * nothing is stored until then. Every card and portal call runs in a
 * worker; the page never waits for the card.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <gtk/gtk.h>

#include "zid-card.h"
#include "zid-core.h"
#include "zid-service.h"

G_BEGIN_DECLS

#define ZID_TYPE_VALIDATE_PAGE (zid_validate_page_get_type ())
G_DECLARE_FINAL_TYPE (ZidValidatePage, zid_validate_page, ZID, VALIDATE_PAGE, GtkBox)

/* Starts at the first step; watches the card readers until stopped.
 * @service: the window's enrolment service (NULL when it could not start:
 * then the QR window says so). The page emits "finished"
 * when the person goes back to the login page. */
void zid_validate_page_start (ZidValidatePage     *self,
                              ZidBackend          *portal,
                              ZidService          *service,
                              const ZidCardConfig *config);
/* Opens the file chooser to import a registration file (started pages only) */
void zid_validate_page_import (ZidValidatePage     *self);
/* Cancels what runs, forgets the card, stops watching the readers */
void zid_validate_page_stop  (ZidValidatePage     *self);

G_END_DECLS
