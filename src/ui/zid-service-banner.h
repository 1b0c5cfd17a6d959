/* zid-service-banner.h — the enrolment service's own status, at the top
 * of the window
 *
 * Shows zid_service_dup_status_message (why the service takes on no work,
 * the disk nearly full), else zid_backend_dup_status_message (the portal
 * server does not answer) in a warning strip; hidden while there is no
 * message, updated on their "status-changed". libadwaita 1.2 has no
 * AdwBanner.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <gtk/gtk.h>

#include "zid-core.h"
#include "zid-service.h"

G_BEGIN_DECLS

#define ZID_TYPE_SERVICE_BANNER (zid_service_banner_get_type ())
G_DECLARE_FINAL_TYPE (ZidServiceBanner, zid_service_banner, ZID, SERVICE_BANNER, GtkWidget)

ZidServiceBanner *zid_service_banner_new         (void);
/* @service may be NULL (it could not start): nothing to show */
void              zid_service_banner_set_service (ZidServiceBanner *self,
                                                  ZidService       *service);
/* @backend may be NULL */
void              zid_service_banner_set_backend (ZidServiceBanner *self,
                                                  ZidBackend       *backend);
/* The message shown, or NULL when the banner is hidden */
const char       *zid_service_banner_get_message (ZidServiceBanner *self);

G_END_DECLS
