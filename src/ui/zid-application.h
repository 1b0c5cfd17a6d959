/* zid-application.h — the portal application
 *
 * Parses --data-dir and --environment, opens the portal (the data dir of
 * that environment) and shows the window. Application actions: preferences,
 * about, quit; win.show-help-overlay comes from gtk/help-overlay.ui.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <adwaita.h>

#include "zid-card.h"
#include "zid-core.h"

G_BEGIN_DECLS

#define ZID_TYPE_APPLICATION (zid_application_get_type ())
G_DECLARE_FINAL_TYPE (ZidApplication, zid_application, ZID, APPLICATION, AdwApplication)

ZidApplication *zid_application_new             (void);
ZidPortal      *zid_application_get_portal      (ZidApplication *self);
ZidEnvironment  zid_application_get_environment (ZidApplication *self);
GSettings      *zid_application_get_settings    (ZidApplication *self);
/* The card layer's configuration: the environment variables of
 * zid-card-config.h first, then the Voorkeuren (pkcs11-module-path,
 * uzi-trust-dir) */
ZidCardConfig  *zid_application_dup_card_config (ZidApplication *self);

G_END_DECLS
