/* zid-application.h — the portal application
 *
 * Single instance: every start hands its --data-dir and --environment to
 * the first process, which shows the window of that environment (and data
 * dir), opening it with its own portal and enrolment service when it is
 * not open yet. Application actions: preferences,
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

typedef struct _ZidWindow ZidWindow;

ZidApplication *zid_application_new             (void);
/* 1 when a window could not be opened (its reason was shown), else 0 */
int             zid_application_get_exit_status (ZidApplication *self);
/* The window of @environment (and @data_dir, NULL: any of that
 * environment, else the environment's default data dir; and @database,
 * NULL: whichever the data dir opens, zid_portal_open_database),
 * presented; opened when there is none */
ZidWindow      *zid_application_open_window     (ZidApplication *self,
                                                 ZidEnvironment  environment,
                                                 const char     *data_dir,
                                                 const char     *database,
                                                 GError        **error);
/* The portal and environment of the main window in front */
ZidBackend     *zid_application_get_portal      (ZidApplication *self);
ZidEnvironment  zid_application_get_environment (ZidApplication *self);
GSettings      *zid_application_get_settings    (ZidApplication *self);
/* The card layer's configuration for @portal's environment: the
 * environment variables of zid-card-config.h first, then the Voorkeuren
 * (pkcs11-module-path) */
ZidCardConfig  *zid_application_dup_card_config (ZidApplication *self,
                                                 ZidBackend     *portal);

G_END_DECLS
