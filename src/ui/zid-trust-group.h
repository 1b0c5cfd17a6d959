/* zid-trust-group.h — one kind of an environment's trust, in Preferences
 *
 * "Vertrouwde UZI-certificaten" (the UZI-register's CA certificates a
 * UZI-pas must chain to) or "Ondertekenaar registratiebestanden" (the
 * operator's anchors): every certificate and CRL of the portal's
 * environment with its subject, validity and SHA-256 fingerprint; added
 * through a file chooser that works through the Flatpak portal (the file
 * is read and copied into the data dir by the core, never referenced by
 * path), removed with a button. A refusal (not a CA, expired, unreadable)
 * is shown in the group, with its reason.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <adwaita.h>

#include "zid-core.h"

G_BEGIN_DECLS

#define ZID_TYPE_TRUST_GROUP (zid_trust_group_get_type ())
G_DECLARE_FINAL_TYPE (ZidTrustGroup, zid_trust_group, ZID, TRUST_GROUP, AdwPreferencesGroup)

/* Shows @kind's trust of @portal's environment (loads it in a worker) */
void zid_trust_group_load (ZidTrustGroup *self,
                           ZidBackend    *portal,
                           ZidTrustKind   kind);

G_END_DECLS
