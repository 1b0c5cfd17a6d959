/* zid-service-private.h — what zid-service.c and zid-service-handlers.c share
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <libsoup/soup.h>

#include "zid-service.h"
#include "zid-throttle.h"

G_BEGIN_DECLS

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
  GHashTable      *connections;      /* "address:port" → ZidServiceConnection */
  GHashTable      *client_counts;    /* throttle key → open connections */
  GInetAddress    *address;
  GMainContext    *context;

  /* State, touched on the main context only */
  ZidServiceStats  stats;
  guint16          port;
  guint            busy;             /* requests in a worker */
  gboolean         running;

  /* Limits */
  guint            timeout;
  gsize            max_body;
  guint            max_connections;
  guint            max_client_connections;
};

typedef struct _ZidServiceConnection ZidServiceConnection;

/* zid-service.c */
char                 *zid_service_peer_key          (GSocketAddress    *address);
ZidServiceConnection *zid_service_find_connection   (ZidService        *self,
                                                     SoupServerMessage *msg);
void                  zid_service_connection_hold   (ZidServiceConnection *conn);
void                  zid_service_connection_release (ZidService       *self,
                                                     const char        *peer);

/* zid-service-handlers.c */
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
