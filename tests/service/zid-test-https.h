/* zid-test-https.h — a blocking HTTPS/1.1 client on plain OpenSSL
 *
 * For the service tests and the service benchmark: each client lives in a
 * thread of its own and never touches GLib's TLS, so it cannot take a
 * thread from the GTask pool the service's handshakes run in (libsoup 3's
 * synchronous API still does its handshake there). Keep-alive is kept
 * where the server allows it.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _ZidTestHttps ZidTestHttps;

ZidTestHttps *zid_test_https_new      (guint16        port,
                                       gboolean       keep_alive);
void          zid_test_https_free     (ZidTestHttps  *self);

/* One request; reconnects (a full handshake) when the connection is not
 * open. Returns the status (0: no answer, see @error), the body in @body.
 * @retry_after receives the Retry-After header's seconds (or -1). */
guint         zid_test_https_request  (ZidTestHttps  *self,
                                       const char    *method,
                                       const char    *path,
                                       const char    *json,
                                       char         **body,
                                       int           *retry_after,
                                       GError       **error);
/* Sends @head (request line and headers), then @body_bytes of filler (as
 * chunks of the chunked encoding when @chunked) as fast as the server
 * takes them. Returns the body bytes sent; @cut says whether the server
 * closed the connection before all went out (a write that stalls for 20
 * seconds is not a cut). */
gsize         zid_test_https_stream   (ZidTestHttps  *self,
                                       const char    *head,
                                       gboolean       chunked,
                                       gsize          body_bytes,
                                       gboolean      *cut);
/* Connect from @ipv4 (any of 127/8 on loopback), not 127.0.0.1 */
void          zid_test_https_set_source (ZidTestHttps *self,
                                       const char    *ipv4);
/* Sends one request and reads nothing: the caller then frees (closes) the
 * client, as a phone that gives up waiting. FALSE if it could not send. */
gboolean      zid_test_https_send     (ZidTestHttps  *self,
                                       const char    *method,
                                       const char    *path,
                                       const char    *json);
/* A plain TCP connection to @port from @ipv4 that says nothing (-1 on
 * failure) */
int           zid_test_tcp_connect    (guint16        port,
                                       const char    *ipv4);
/* Handshakes done so far */
guint         zid_test_https_get_handshakes (ZidTestHttps *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidTestHttps, zid_test_https_free)

G_END_DECLS
