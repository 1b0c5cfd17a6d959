/* zid-mobile-payload.h — the QR payloads of docs/mobile-protocol.md §1
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  ZID_MOBILE_PAYLOAD_ENROL,
  ZID_MOBILE_PAYLOAD_LOGIN,
} ZidMobilePayloadKind;

typedef struct
{
  ZidMobilePayloadKind kind;
  char *environment;   /* acceptatie | productie */
  char *host;          /* HOST:PORT as in the QR ([v6]:port) */
  char *pin;
  char *code;          /* enrol */
  char *session;       /* login */
  char *challenge;     /* login */
} ZidMobilePayload;

ZidMobilePayload *zid_mobile_payload_parse (const char        *text,
                                            GError           **error);
void              zid_mobile_payload_free  (ZidMobilePayload  *self);
gboolean          zid_mobile_is_token      (const char        *value,
                                            gsize              min_len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidMobilePayload, zid_mobile_payload_free)

G_END_DECLS
