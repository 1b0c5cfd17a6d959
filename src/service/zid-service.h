/* zid-service.h — the enrolment and login endpoint the phone talks to
 *
 * An HTTPS server (libsoup3) with the TLS identity the local CA issued for
 * the service (zid_portal_get_service_tls). It speaks the protocol of
 * docs/mobile-protocol.md and leaves every rule to the core: it parses,
 * throttles, audits what it refuses itself and hands the rest to the
 * ZidPortal in a worker thread, so the main loop (the window's, or the
 * headless `zorgid-admin service run`) never waits for SQLite or crypto.
 *
 * Signals are emitted on the main context of the thread that called
 * zid_service_start.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <gio/gio.h>

#include "zid-portal.h"

G_BEGIN_DECLS

#define ZID_SERVICE_ERROR (zid_service_error_quark ())

typedef enum
{
  ZID_SERVICE_ERROR_ADDRESS,   /* the listen address does not parse */
  ZID_SERVICE_ERROR_LISTEN,    /* cannot listen there (in use, no such address) */
  ZID_SERVICE_ERROR_TLS,       /* the service's TLS identity is unusable */
  ZID_SERVICE_ERROR_RUNNING,   /* started twice */
  ZID_SERVICE_ERROR_IN_USE,    /* another program listens on the port */
} ZidServiceError;

/* Defaults; see docs/mobile-protocol.md section 4. The default port is
 * the environment's: zid_portal_default_service_port */
#define ZID_SERVICE_MAX_BODY                (16 * 1024)
/* An admin command's request, which may carry a file (user import) */
#define ZID_SERVICE_MAX_UPLOAD              (16 * 1024 * 1024)
#define ZID_SERVICE_REQUEST_TIMEOUT         10
#define ZID_SERVICE_MAX_CONNECTIONS         1024
#define ZID_SERVICE_MAX_CLIENT_CONNECTIONS  32
/* From the TCP connection to the end of its TLS handshake */
#define ZID_SERVICE_HANDSHAKE_TIMEOUT       5
/* TLS handshakes in a thread at once (glib-networking runs each in GLib's
 * shared GTask pool, blocking a thread until the client answers) */
#define ZID_SERVICE_MAX_HANDSHAKES          8
#define ZID_SERVICE_MAX_CLIENT_HANDSHAKES   4
/* Core work: 0 workers means one per processor, 2 to 4 */
#define ZID_SERVICE_WORKERS                 0
/* Requests queued or running in a worker; more are answered 503 busy */
#define ZID_SERVICE_MAX_QUEUE               64
#define ZID_SERVICE_RETRY_AFTER             1
#define ZID_SERVICE_THROTTLE_PER_CLIENT     10
#define ZID_SERVICE_THROTTLE_GLOBAL         200
#define ZID_SERVICE_THROTTLE_WINDOW         (10 * 60)
/* An enrolment is committed only this long after its request came in
 * (the phone gives up 30 s after it started asking) */
#define ZID_SERVICE_ENROL_DEADLINE          20
/* Refusals are audited as one event per client address and interval */
#define ZID_SERVICE_AUDIT_INTERVAL          60
/* Below this much free space on the data dir's file system the service
 * takes on no work (503 no-space), so the store never meets a full disk */
#define ZID_SERVICE_MIN_FREE_SPACE          (G_GUINT64_CONSTANT (256) * 1024 * 1024)
#define ZID_SERVICE_NO_SPACE_RETRY_AFTER    300

/* What the service has seen since it was created (for tests and the log) */
typedef struct
{
  guint64 connections;       /* TCP connections accepted */
  guint64 rejected;          /* closed at once: over the connection limits */
  guint64 handshakes;        /* TLS handshakes completed */
  guint64 handshake_errors;  /* TLS handshakes failed or timed out */
  guint64 evicted;           /* closed to make room for a client with fewer */
  guint64 tls_refused;       /* clients offering no TLS 1.2 or newer */
  guint64 timeouts;          /* connections closed for being slow or idle */
  guint64 cut;               /* connections cut while sending a refused body */
  guint64 requests;          /* HTTP requests whose headers were read */
  guint64 refused;           /* answered with a 4xx */
  guint64 throttled;         /* of those: answered 429 */
  guint64 failures;          /* answered with a 5xx */
  guint64 busy;              /* of those: 503, the worker queue was full */
  guint64 no_space;          /* of those: 503 no-space, the disk is nearly full */
  guint64 abandoned;         /* enrolments not committed: the phone had gone */
  guint64 audit_rows;        /* "service.refused" summaries written */
  guint64 enrolments;        /* certificates issued */
  guint64 logins;            /* logins accepted */
} ZidServiceStats;

#define ZID_TYPE_SERVICE (zid_service_get_type ())
G_DECLARE_FINAL_TYPE (ZidService, zid_service, ZID, SERVICE, GObject)

GQuark      zid_service_error_quark        (void);

ZidService *zid_service_new                (ZidPortal        *portal);
ZidPortal  *zid_service_get_portal         (ZidService       *self);

/* Parses "HOST:PORT", "[V6]:PORT", "*:PORT" or ":PORT" (all addresses);
 * HOST must be an IP address. */
gboolean    zid_service_parse_listen       (const char       *listen,
                                            GInetAddress    **address,
                                            guint16          *port,
                                            GError          **error);

/* Listens on @listen (see above). NULL: where the portal's service-address
 * setting says — its IP address only when it names one, else every
 * address on its port. Port 0 picks a free port; ask zid_service_get_port
 * which. */
gboolean    zid_service_start              (ZidService       *self,
                                            const char       *listen,
                                            GError          **error);
/* Stops listening and closes every connection. Requests already handed to
 * a worker finish there; zid_service_get_busy tells how many. */
void        zid_service_stop               (ZidService       *self);
gboolean    zid_service_is_running         (ZidService       *self);
guint16     zid_service_get_port           (ZidService       *self);
/* "127.0.0.1:8443", "[::]:8443"; NULL when not running */
char       *zid_service_dup_listen_address (ZidService       *self);
/* The pin of the TLS certificate served (as in the QR payloads) */
const char *zid_service_get_pin            (ZidService       *self);
guint       zid_service_get_busy           (ZidService       *self);
void        zid_service_get_stats          (ZidService       *self,
                                            ZidServiceStats  *stats);

/* The admin API (docs/server.md): with a runner set, the service also
 * serves /v1/admin/…: admin sessions (zid_portal_admin_session_begin and
 * its QR login) and commands run as the session's user. @func runs in a
 * worker thread with the request's language chosen
 * (zid_i18n_set_thread_language): it runs @argv (a command's words and
 * options, as on a command line) for @actor, with @input (or NULL) as what
 * the command reads where a command line reads its standard input, its
 * answer's text in @out and @err, and returns the exit status. Without a runner (the window's own
 * service, `service run`) those addresses do not exist. Set before
 * zid_service_start. */
typedef int (*ZidServiceAdminFunc) (ZidService  *service,
                                    gint64       actor,
                                    char       **argv,
                                    GBytes      *input,
                                    gboolean     json,
                                    GString     *out,
                                    GString     *err,
                                    gpointer     user_data);
void        zid_service_set_admin          (ZidService          *self,
                                            ZidServiceAdminFunc  func,
                                            gpointer             user_data);

/* Limits; call before zid_service_start (tests make them small) */
/* The TLS handshake, and each request on a connection, must be complete
 * within @seconds (time spent in our own workers does not count); a
 * kept-alive connection idle for @seconds is closed */
void        zid_service_set_timeout        (ZidService       *self,
                                            guint             seconds);
/* At most @total TLS handshakes in a thread at once, @per_client from one
 * client address; the others wait their turn (their deadline runs) */
void        zid_service_set_handshake_limits (ZidService     *self,
                                            guint             total,
                                            guint             per_client);
/* @threads workers for the core (0: one per processor, 2 to 4); at most
 * @max_queue requests queued or running, more are answered 503 busy */
void        zid_service_set_workers        (ZidService       *self,
                                            guint             threads,
                                            guint             max_queue);
void        zid_service_set_max_body       (ZidService       *self,
                                            gsize             bytes);
void        zid_service_set_connection_limits (ZidService    *self,
                                            guint             total,
                                            guint             per_client);
void        zid_service_set_throttle       (ZidService       *self,
                                            guint             per_client,
                                            guint             global,
                                            guint             window_seconds);
/* Refusals are summed per client address over @seconds, then audited */
void        zid_service_set_audit_interval (ZidService       *self,
                                            guint             seconds);
/* Below @bytes free on the data dir's file system no work is taken on */
void        zid_service_set_min_free_space (ZidService       *self,
                                            guint64           bytes);
/* An enrolment is committed only within @seconds of its request */
void        zid_service_set_enrol_deadline (ZidService       *self,
                                            guint             seconds);
/* Why the service takes on no work now, in Dutch for the administrator
 * (the disk is nearly full); NULL when it does. "status-changed" says
 * when it changes. */
char       *zid_service_dup_status_message (ZidService       *self);
/* Audits the refusals counted since the last summary now (in a worker;
 * zid_service_get_busy counts it), unless the disk is nearly full */
void        zid_service_flush_refusals     (ZidService       *self);

/* Signals:
 *
 *   "enrolled" (ZidService *self, gint64 user_id, int purpose, const char *serial)
 *       a code was redeemed: @purpose is a ZidCodePurpose; @serial the hex
 *       serial of the new certificate. The QR window shows "ID toegevoegd".
 *   "login-accepted" (ZidService *self, const char *session_id, gint64 user_id)
 *       a phone answered a login session and the core accepted it.
 *   "refused" (ZidService *self, const char *client, const char *path, const char *error_code)
 *       a request was answered with a 4xx.
 *   "status-changed" (ZidService *self)
 *       zid_service_dup_status_message changed (the service stopped or
 *       resumed taking on work).
 */

G_END_DECLS
