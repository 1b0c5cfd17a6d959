/* zid-mobile.h — the reference phone's error domain
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <glib.h>
#include <glib/gi18n.h>

G_BEGIN_DECLS

#define ZID_MOBILE_ERROR (zid_mobile_error_quark ())

typedef enum
{
  ZID_MOBILE_ERROR_INPUT,      /* bad usage or input: exit 2 */
  ZID_MOBILE_ERROR_REFUSED,    /* the service said no: exit 1 */
  ZID_MOBILE_ERROR_PIN,        /* the service is not the one in the QR: exit 1 */
  ZID_MOBILE_ERROR_FAILED,     /* network, storage, crypto: exit 1 */
} ZidMobileError;

GQuark zid_mobile_error_quark (void);

G_END_DECLS
