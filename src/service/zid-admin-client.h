/* zid-admin-client.h — a client of the organisation server's admin API
 *
 * The other end of /v1/admin/… (docs/server.md): HTTPS to the address in a
 * connection code, the server's certificate accepted only when its SHA-256
 * is the code's pin (no CA is trusted), JSON requests of string fields,
 * JSON answers. Blocking calls, for a command line or a worker thread.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <json-glib/json-glib.h>

#include "zid-types.h"

G_BEGIN_DECLS

#define ZID_ADMIN_CLIENT_ERROR (zid_admin_client_error_quark ())

typedef enum
{
  ZID_ADMIN_CLIENT_ERROR_CODE,        /* the connection code does not parse */
  ZID_ADMIN_CLIENT_ERROR_UNREACHABLE, /* no answer from the server's address */
  ZID_ADMIN_CLIENT_ERROR_PIN,         /* an answer, from a certificate with another pin */
  ZID_ADMIN_CLIENT_ERROR_ANSWER,      /* an answer that is not the API's */
} ZidAdminClientError;

typedef struct _ZidAdminClient ZidAdminClient;

GQuark          zid_admin_client_error_quark   (void);

/* "zorgid://server?v=1&env=ENV&host=HOST:PORT&pin=PIN": the connection
 * code `zorgid-admin server connection-code` prints */
ZidAdminClient *zid_admin_client_new            (const char      *connection_code,
                                                 GError         **error);
void            zid_admin_client_free           (ZidAdminClient  *self);
ZidEnvironment  zid_admin_client_get_environment (ZidAdminClient *self);
const char     *zid_admin_client_get_address    (ZidAdminClient  *self);
const char     *zid_admin_client_get_pin        (ZidAdminClient  *self);

/* POSTs {NAME: VALUE, …} (pairs of strings, ending in NULL) to @path and
 * returns the answer's object; @status: its HTTP status (an answer of the
 * server's own refusal is {"error", "message"}). @language: "nl" or "en",
 * the language of the server's texts. NULL with @error when no JSON
 * object came back from the pinned server. */
JsonObject     *zid_admin_client_call           (ZidAdminClient  *self,
                                                 const char      *path,
                                                 const char      *language,
                                                 guint           *status,
                                                 GError         **error,
                                                 const char      *first_name,
                                                 ...) G_GNUC_NULL_TERMINATED;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidAdminClient, zid_admin_client_free)

G_END_DECLS
