/* zid-service-private.h — what zid-service.c and zid-service-handlers.c share
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <libsoup/soup.h>

#include "zid-i18n.h"
#include "zid-service.h"
#include "zid-throttle.h"

G_BEGIN_DECLS

typedef struct _ZidRefusalTally ZidRefusalTally;

struct _ZidService
{
  GObject          parent_instance;

  /* Owned references */
  ZidPortal       *portal;
  SoupServer      *server;
  GSocketService  *listener;
  GTlsCertificate *certificate;
  char            *pin;
  ZidThrottle     *throttle;
  GHashTable      *connections;      /* "address|port" → ZidServiceConnection */
  GHashTable      *client_counts;    /* throttle key → open connections */
  GHashTable      *client_handshakes; /* throttle key → handshakes in a thread */
  GQueue           handshake_queue;  /* ZidServiceConnection, waiting for a handshake slot */
  GInetAddress    *address;
  GMainContext    *context;
  /* The service's own workers for the core: never GLib's shared GTask
   * pool, where glib-networking blocks a thread per TLS handshake */
  GThreadPool     *workers;

  /* State, touched on the main context only */
  ZidServiceStats  stats;
  guint16          port;
  guint            busy;             /* jobs in (or queued for) a worker */
  guint            queued;           /* of those: requests, bounded by max_queue */
  GHashTable      *refusals;         /* client key → ZidRefusalTally, since the last summary */
  ZidRefusalTally *refusals_other;   /* of clients beyond those */
  GSource         *audit_timer;
  gboolean         audit_writing;    /* a summary is being written */
  gint64           disk_checked;     /* monotonic µs of the last look */
  gboolean         disk_low;
  guint            handshaking;      /* TLS handshakes running in a thread */
  gboolean         running;

  /* The admin API's commands (zid_service_set_admin) */
  ZidServiceAdminFunc admin_func;
  gpointer         admin_data;

  /* Limits */
  guint            timeout;
  gsize            max_body;
  guint            max_connections;
  guint            max_client_connections;
  guint            max_handshakes;
  guint            max_client_handshakes;
  guint            max_workers;
  guint            max_queue;
  guint            enrol_deadline;
  guint            audit_interval;
  guint64          min_free;
};

typedef struct _ZidServiceConnection ZidServiceConnection;

/* zid-service.c */
char                 *zid_service_peer_key          (GSocketAddress    *address);
ZidServiceConnection *zid_service_find_connection   (ZidService        *self,
                                                     SoupServerMessage *msg);
void                  zid_service_connection_hold   (ZidServiceConnection *conn);
void                  zid_service_cut               (ZidService        *self,
                                                     SoupServerMessage *msg);
void                  zid_service_connection_release (ZidService       *self,
                                                     const char        *peer);
/* A duplicate of the connection's socket (close it), or -1 */
int                   zid_service_connection_dup_fd (ZidServiceConnection *conn);
/* Whether the data dir's file system is nearly full (looked at once a
 * second at most) */
gboolean              zid_service_disk_low          (ZidService        *self);

/* Work for the core, in the service's worker pool. @func runs in a worker;
 * @done then runs on the service's main context, and @destroy frees @data
 * there. A request job (@bounded) is refused — FALSE, nothing queued,
 * @data untouched — when max_queue requests are queued or running. */
typedef void (*ZidServiceJobFunc)  (gpointer    data);
typedef void (*ZidServiceDoneFunc) (ZidService *self,
                                    gpointer    data);
gboolean zid_service_run_job (ZidService         *self,
                              gboolean            bounded,
                              ZidServiceJobFunc   func,
                              ZidServiceDoneFunc  done,
                              gpointer            data,
                              GDestroyNotify      destroy);

/* zid-service-handlers.c */
#define NO_SPACE_MESSAGE _("The administrator's computer has almost no disk space left, so the ZORG-ID " \
                           "service takes no requests for now. Tell the administrator; the QR code " \
                           "stays valid.")
void zid_service_early_handler (SoupServer        *server,
                                SoupServerMessage *msg,
                                const char        *path,
                                GHashTable        *query,
                                gpointer           user_data);
void zid_service_handler       (SoupServer        *server,
                                SoupServerMessage *msg,
                                const char        *path,
                                GHashTable        *query,
                                gpointer           user_data);
void zid_service_emit_enrolled       (ZidService *self,
                                      gint64      user_id,
                                      int         purpose,
                                      const char *serial);
void zid_service_emit_login_accepted (ZidService *self,
                                      const char *session_id,
                                      gint64      user_id);
void zid_service_emit_refused        (ZidService *self,
                                      const char *client,
                                      const char *path,
                                      const char *error_code);

G_END_DECLS
