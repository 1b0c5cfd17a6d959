/* zid-mobile-client.h — HTTPS to the service, trusted only through the pin
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _ZidMobileClient ZidMobileClient;

ZidMobileClient *zid_mobile_client_new   (const char       *host,
                                          const char       *pin);
void             zid_mobile_client_free  (ZidMobileClient  *self);
/* POSTs @body (or GETs when NULL); the answer's object on 200. A refusal
 * is ZID_MOBILE_ERROR_REFUSED with the service's message, and its code
 * in @error_code. */
JsonObject      *zid_mobile_client_call  (ZidMobileClient  *self,
                                          const char       *path,
                                          JsonObject       *body,
                                          char            **error_code,
                                          GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidMobileClient, zid_mobile_client_free)

G_END_DECLS
