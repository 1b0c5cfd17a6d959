/* zid-preferences-window.h — Voorkeuren
 *
 * PKCS#11 module path, UZI trust-anchor folder and environment (GSettings);
 * the service address and port, which live in the environment's data dir
 * (shared with zorgid-admin and the headless service).
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <adwaita.h>

#include "zid-core.h"

G_BEGIN_DECLS

#define ZID_TYPE_PREFERENCES_WINDOW (zid_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (ZidPreferencesWindow, zid_preferences_window, ZID, PREFERENCES_WINDOW, AdwPreferencesWindow)

ZidPreferencesWindow *zid_preferences_window_new (GtkWindow  *parent,
                                                  ZidBackend *portal,
                                                  GSettings  *settings);
/* Shows the page with the environment's trust (UZI certificates and the
 * registration file signer) */
void                  zid_preferences_window_show_trust (ZidPreferencesWindow *self);

G_END_DECLS
