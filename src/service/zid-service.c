/* zid-service.c — listening, TLS, connections, their limits, and workers
 *
 * We accept TCP connections ourselves (GSocketService) and do the TLS
 * handshake ourselves before handing the stream to the SoupServer
 * (soup_server_accept_iostream): so a client that never finishes its
 * handshake, or trickles its request, is cut off after a deadline, and the
 * number of connections per client address is bounded. Requests are then
 * parsed and answered in zid-service-handlers.c.
 *
 * Threads. glib-networking (2.74) runs every TLS handshake, sync or async,
 * as a blocking gnutls_handshake() in GLib's shared GTask pool: a thread
 * sits there until the client sends its next flight. That pool starts with
 * 10 threads and grows by about one per 100 ms when they are all taken, so
 * a handful of clients that connect and say nothing used to stall every
 * other handshake *and* every core call (we ran those in the same pool with
 * g_task_run_in_thread) for seconds. So:
 *
 *  - a connection only gets a handshake once its whole first TLS record
 *    (the ClientHello) is in the kernel's buffer, waited for on the main
 *    context with SO_RCVLOWAT and MSG_PEEK: a silent or trickling client
 *    costs a socket, never a thread;
 *  - at most max_handshakes handshakes (max_client_handshakes per client
 *    address) are in a thread at once; the rest wait in a queue;
 *  - the core runs in a GThreadPool of our own with a bounded queue; when
 *    it is full a request is answered 503 busy with Retry-After
 *    (zid-service-handlers.c), instead of waiting without end.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#define G_LOG_DOMAIN "zid-service"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <gio/gunixsocketaddress.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include "zid-service-private.h"

typedef enum
{
  CONN_WAIT_HELLO,   /* TCP only; waiting for the ClientHello to arrive */
  CONN_QUEUED,       /* ClientHello here; waiting for a handshake slot */
  CONN_HANDSHAKE,    /* handshake in a thread */
  CONN_SERVED,       /* soup owns the TLS stream */
} ConnState;

/* A TLS record: type, version (2), length (2); then at most 2^14 bytes */
#define TLS_RECORD_HEADER    5
#define TLS_RECORD_MAX       (16 * 1024)
#define TLS_HANDSHAKE_RECORD 0x16

struct _ZidServiceConnection
{
  guint              refs;
  ZidService        *service;     /* borrowed: the service removes us before it goes */
  char              *peer;        /* "address|port" */
  char              *client;      /* throttle key */
  GSocketConnection *base;        /* owned */
  GTlsConnection    *tls;         /* owned until handed to soup, then watched */
  GCancellable      *cancellable;
  GSource           *deadline;
  GSource           *hello;       /* waiting for the ClientHello */
  GSource           *hangup;      /* served: watching for the client's close */
  gsize              hello_seen;  /* bytes there at the last wake-up */
  ConnState          state;
  guint              held;        /* requests of ours in a worker */
  gint64             accepted;    /* monotonic */
  gboolean           closed;
};

enum {
  SIGNAL_ENROLLED,
  SIGNAL_LOGIN_ACCEPTED,
  SIGNAL_REFUSED,
  SIGNAL_STATUS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ZidService, zid_service, G_TYPE_OBJECT)

G_DEFINE_QUARK (zid-service-error-quark, zid_service_error)

static void connection_close         (ZidServiceConnection *conn);
static void handshake_start          (ZidServiceConnection *conn);
static void handshake_queue_run      (ZidService           *self);

static ZidServiceConnection *
connection_ref (ZidServiceConnection *conn)
{
  conn->refs++;
  return conn;
}

static void
connection_unref (ZidServiceConnection *conn)
{
  g_assert (conn->refs > 0);
  if (--conn->refs > 0)
    return;

  g_assert (conn->deadline == NULL);
  g_assert (conn->hello == NULL);
  g_clear_object (&conn->tls);
  g_clear_object (&conn->base);
  g_clear_object (&conn->cancellable);
  g_free (conn->peer);
  g_free (conn->client);
  g_free (conn);
}

char *
zid_service_peer_key (GSocketAddress *address)
{
  g_autofree char *ip = NULL;
  GInetAddress *inet;

  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return g_strdup ("unknown");

  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address));
  ip = g_inet_address_to_string (inet);
  return g_strdup_printf ("%s|%u", ip,
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
}

static void
count_add (GHashTable *table,
           const char *key,
           int         delta)
{
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (table, key));

  g_assert (delta > 0 || count >= (guint) -delta);
  count += delta;
  if (count == 0)
    g_hash_table_remove (table, key);
  else
    g_hash_table_insert (table, g_strdup (key), GUINT_TO_POINTER (count));
}

static void
source_clear (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

/* Forgets @conn: it is closed, or soup let go of it */
static void
connection_forget (ZidServiceConnection *conn)
{
  ZidService *self = conn->service;

  source_clear (&conn->deadline);
  source_clear (&conn->hello);
  source_clear (&conn->hangup);
  if (conn->state == CONN_QUEUED && g_queue_remove (&self->handshake_queue, conn))
    connection_unref (conn);

  count_add (self->client_counts, conn->client, -1);

  /* Drops the table's reference */
  g_hash_table_remove (self->connections, conn->peer);
}

static void
connection_tls_gone (gpointer  data,
                     GObject  *where_the_object_was)
{
  ZidServiceConnection *conn = data;

  /* soup owned it; soup finalized it */
  conn->tls = NULL;
  connection_forget (conn);
}

/* Cuts the connection off: shutdown makes every pending read and write on
 * it fail, so soup (or the handshake thread) notices and lets go. A
 * connection that has no handshake in a thread yet is forgotten at once. */
static void
connection_close (ZidServiceConnection *conn)
{
  GSocket *socket;

  if (conn->closed)
    return;
  conn->closed = TRUE;

  g_cancellable_cancel (conn->cancellable);
  socket = g_socket_connection_get_socket (conn->base);
  g_socket_shutdown (socket, TRUE, TRUE, NULL);

  if (conn->state == CONN_WAIT_HELLO || conn->state == CONN_QUEUED)
    {
      g_io_stream_close (G_IO_STREAM (conn->base), NULL, NULL);
      connection_forget (conn);
    }
}

/* Cuts @msg's connection at once, from inside libsoup's reading of it:
 * the socket is closed, so soup's next read fails and it lets go */
void
zid_service_cut (ZidService        *self,
                 SoupServerMessage *msg)
{
  ZidServiceConnection *conn = zid_service_find_connection (self, msg);
  GSocket *socket;

  /* soup still hands over what it had read: cut once */
  if (conn == NULL || g_socket_is_closed ((socket = g_socket_connection_get_socket (conn->base))))
    return;
  self->stats.cut++;
  g_debug ("cutting a connection from %s: it goes on sending a refused body", conn->client);
  connection_close (conn);
  g_socket_close (socket, NULL);
}

/* The client closed a served connection (its FIN: POLLRDHUP). libsoup
 * (3.2) does not notice a client closing a connection it keeps alive: the
 * connection stayed half-open, counted against the client's address,
 * until every further connection from that address (a practice behind
 * one NAT address) was refused. Closed and forgotten here; soup's next
 * read or write on it fails and it lets go of its side. A client that
 * closes while a worker answers it has the deadline of that answer. */
static gboolean
connection_hangup_cb (int           fd,
                      GIOCondition  condition,
                      gpointer      data)
{
  ZidServiceConnection *conn = data;

  g_clear_pointer (&conn->hangup, g_source_unref);
  if (conn->closed || conn->held > 0)
    return G_SOURCE_REMOVE;

  g_debug ("%s closed its connection", conn->client);
  connection_close (conn);
  g_socket_close (g_socket_connection_get_socket (conn->base), NULL);
  if (conn->tls != NULL)
    {
      g_object_weak_unref (G_OBJECT (conn->tls), connection_tls_gone, conn);
      conn->tls = NULL;
    }
  connection_forget (conn);
  return G_SOURCE_REMOVE;
}

static void
connection_watch_hangup (ZidServiceConnection *conn)
{
  int fd = g_socket_get_fd (g_socket_connection_get_socket (conn->base));

  /* POLLRDHUP only: G_IO_IN would wake on every request soup is to read */
  conn->hangup = g_unix_fd_source_new (fd, (GIOCondition) POLLRDHUP);
  g_source_set_name (conn->hangup, "[zid-service] client hang-up");
  g_source_set_callback (conn->hangup, G_SOURCE_FUNC (connection_hangup_cb), conn, NULL);
  g_source_attach (conn->hangup, conn->service->context);
}

static gboolean
connection_deadline_cb (gpointer data)
{
  ZidServiceConnection *conn = data;

  g_clear_pointer (&conn->deadline, g_source_unref);

  g_debug ("closing a slow or idle connection from %s", conn->client);
  conn->service->stats.timeouts++;
  connection_close (conn);

  return G_SOURCE_REMOVE;
}

/* (Re)starts @conn's deadline: @seconds from now, to the millisecond
 * (g_timeout_source_new_seconds would round it to a whole second of the
 * wall clock, up to 0.75 s late) */
static void
connection_arm_for (ZidServiceConnection *conn,
                    guint                 seconds)
{
  source_clear (&conn->deadline);
  if (conn->closed || conn->held > 0)
    return;

  conn->deadline = g_timeout_source_new (seconds * 1000);
  g_source_set_name (conn->deadline, "[zid-service] connection deadline");
  g_source_set_callback (conn->deadline, connection_deadline_cb, conn, NULL);
  g_source_attach (conn->deadline, conn->service->context);
}

static void
connection_arm (ZidServiceConnection *conn)
{
  connection_arm_for (conn, conn->service->timeout);
}

ZidServiceConnection *
zid_service_find_connection (ZidService        *self,
                             SoupServerMessage *msg)
{
  g_autofree char *peer = zid_service_peer_key (soup_server_message_get_remote_address (msg));

  return g_hash_table_lookup (self->connections, peer);
}

int
zid_service_connection_dup_fd (ZidServiceConnection *conn)
{
  GSocket *socket = g_socket_connection_get_socket (conn->base);

  if (conn->closed || g_socket_is_closed (socket))
    return -1;
  return fcntl (g_socket_get_fd (socket), F_DUPFD_CLOEXEC, 0);
}

/* A request of ours is in a worker: the client is not slow, we are */
void
zid_service_connection_hold (ZidServiceConnection *conn)
{
  conn->held++;
  source_clear (&conn->deadline);
}

void
zid_service_connection_release (ZidService *self,
                                const char *peer)
{
  ZidServiceConnection *conn = g_hash_table_lookup (self->connections, peer);

  if (conn == NULL || conn->held == 0)
    return;
  conn->held--;
  connection_arm (conn);
}

/* The handshake thread is done with @conn (either way) */
static void
handshake_slot_free (ZidServiceConnection *conn)
{
  ZidService *self = conn->service;

  g_assert (self->handshaking > 0);
  self->handshaking--;
  count_add (self->client_handshakes, conn->client, -1);
}

static void
handshake_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ZidServiceConnection *conn = user_data;
  ZidService *self = conn->service;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  gboolean ok;

  ok = g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error);

  /* During zid_service_stop the connection is already forgotten, and the
   * counts with it; the service may be gone */
  if (self == NULL || g_hash_table_lookup (self->connections, conn->peer) != conn)
    {
      connection_unref (conn);
      return;
    }

  handshake_slot_free (conn);

  if (!ok || conn->closed)
    {
      g_debug ("TLS handshake with %s failed: %s", conn->client,
               error ? error->message : "closed");
      self->stats.handshake_errors++;
      connection_close (conn);
      connection_forget (conn);
      connection_unref (conn);
      handshake_queue_run (self);
      return;
    }

  /* TLS 1.2 at least (the ClientHello was looked at already: this
   * holds whatever a client offered) */
  if (g_tls_connection_get_protocol_version (conn->tls) < G_TLS_PROTOCOL_VERSION_TLS_1_2)
    {
      g_debug ("closing a connection from %s: TLS older than 1.2", conn->client);
      self->stats.tls_refused++;
      connection_close (conn);
      connection_forget (conn);
      connection_unref (conn);
      handshake_queue_run (self);
      return;
    }

  self->stats.handshakes++;

  local = g_socket_connection_get_local_address (conn->base, NULL);
  remote = g_socket_connection_get_remote_address (conn->base, NULL);
  if (local == NULL || remote == NULL ||
      !soup_server_accept_iostream (self->server, G_IO_STREAM (conn->tls), local, remote, &error))
    {
      g_debug ("could not serve %s: %s", conn->client, error ? error->message : "no address");
      connection_close (conn);
      connection_forget (conn);
      connection_unref (conn);
      handshake_queue_run (self);
      return;
    }

  /* soup owns the TLS stream now; we watch it go */
  conn->state = CONN_SERVED;
  g_object_weak_ref (G_OBJECT (conn->tls), connection_tls_gone, conn);
  g_object_unref (conn->tls);
  connection_arm (conn);
  connection_watch_hangup (conn);

  connection_unref (conn);
  handshake_queue_run (self);
}

static gboolean
handshake_may_start (ZidService           *self,
                     ZidServiceConnection *conn)
{
  return self->handshaking < self->max_handshakes &&
         GPOINTER_TO_UINT (g_hash_table_lookup (self->client_handshakes, conn->client)) <
         self->max_client_handshakes;
}

static void
handshake_start (ZidServiceConnection *conn)
{
  ZidService *self = conn->service;

  conn->state = CONN_HANDSHAKE;
  self->handshaking++;
  count_add (self->client_handshakes, conn->client, 1);
  g_tls_connection_handshake_async (conn->tls, G_PRIORITY_DEFAULT, conn->cancellable,
                                    handshake_cb, connection_ref (conn));
}

/* Starts what waits and may start now, oldest first */
static void
handshake_queue_run (ZidService *self)
{
  GList *l = self->handshake_queue.head;

  while (l != NULL && self->handshaking < self->max_handshakes)
    {
      ZidServiceConnection *conn = l->data;
      GList *next = l->next;

      if (handshake_may_start (self, conn))
        {
          g_queue_delete_link (&self->handshake_queue, l);
          handshake_start (conn);
          connection_unref (conn);   /* the queue's */
        }
      l = next;
    }
}

/* The ClientHello is here: a handshake now, or a place in the queue */
static void
handshake_admit (ZidServiceConnection *conn)
{
  ZidService *self = conn->service;

  if (handshake_may_start (self, conn))
    {
      handshake_start (conn);
      return;
    }
  conn->state = CONN_QUEUED;
  g_queue_push_tail (&self->handshake_queue, connection_ref (conn));
}

static gboolean hello_ready_cb (GSocket *socket, GIOCondition condition, gpointer data);

/* The first record is a ClientHello (handshake type 1) whose
 * client_version is TLS 1.2 (3, 3) or newer */
#define TLS_CLIENT_HELLO 1

static gboolean
client_hello_offers_tls12 (int fd)
{
  guint8 start[TLS_RECORD_HEADER + 6];

  if (recv (fd, start, sizeof start, MSG_PEEK | MSG_DONTWAIT) != (ssize_t) sizeof start)
    return FALSE;
  return start[TLS_RECORD_HEADER] == TLS_CLIENT_HELLO &&
         start[TLS_RECORD_HEADER + 4] == 3 && start[TLS_RECORD_HEADER + 5] >= 3;
}

static gboolean
hello_timer_cb (gpointer data)
{
  ZidServiceConnection *conn = data;

  return hello_ready_cb (g_socket_connection_get_socket (conn->base), G_IO_IN, conn);
}

/* Wake us when @want bytes are there: SO_RCVLOWAT makes poll() say so
 * only then. Where the kernel does not, we look again every 20 ms. */
static void
hello_wait (ZidServiceConnection *conn,
            gsize                 want,
            gboolean              poll_works)
{
  GSocket *socket = g_socket_connection_get_socket (conn->base);
  int lowat = (int) want;

  source_clear (&conn->hello);
  if (poll_works &&
      setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof lowat) == 0)
    {
      conn->hello = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
      g_source_set_callback (conn->hello, (GSourceFunc) (void (*) (void)) hello_ready_cb, conn, NULL);
    }
  else
    {
      conn->hello = g_timeout_source_new (20);
      g_source_set_callback (conn->hello, hello_timer_cb, conn, NULL);
    }
  g_source_set_name (conn->hello, "[zid-service] ClientHello");
  g_source_attach (conn->hello, conn->service->context);
}

static gboolean
hello_ready_cb (GSocket      *socket,
                GIOCondition  condition,
                gpointer      data)
{
  ZidServiceConnection *conn = data;
  ZidService *self = conn->service;
  int fd = g_socket_get_fd (socket);
  guint8 header[TLS_RECORD_HEADER];
  ssize_t got;
  gsize record, avail = 0;
  int available = 0;
  int one = 1;

  got = recv (fd, header, sizeof header, MSG_PEEK | MSG_DONTWAIT);
  if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    got = 0, avail = 0;
  else if (got <= 0)
    {
      /* Closed (or failed) before it said anything */
      g_debug ("connection from %s closed before its TLS handshake", conn->client);
      g_clear_pointer (&conn->hello, g_source_unref);
      connection_close (conn);
      return G_SOURCE_REMOVE;
    }
  else if (ioctl (fd, FIONREAD, &available) == 0 && available > 0)
    avail = (gsize) available;
  else
    avail = (gsize) got;

  if ((gsize) got < TLS_RECORD_HEADER)
    record = TLS_RECORD_HEADER;
  else
    {
      gsize length = ((gsize) header[3] << 8) | header[4];

      if (header[0] != TLS_HANDSHAKE_RECORD || header[1] != 3 || length == 0 ||
          length > TLS_RECORD_MAX)
        {
          /* Plain HTTP to the TLS port, or noise: nothing to hand shake with */
          g_debug ("connection from %s does not start a TLS handshake", conn->client);
          self->stats.handshake_errors++;
          g_clear_pointer (&conn->hello, g_source_unref);
          connection_close (conn);
          return G_SOURCE_REMOVE;
        }
      record = TLS_RECORD_HEADER + length;
    }

  if (avail < record)
    {
      /* A wake-up with nothing new means poll() ignores SO_RCVLOWAT here */
      gboolean poll_works = avail != conn->hello_seen;

      conn->hello_seen = avail;
      hello_wait (conn, record, poll_works);
      return G_SOURCE_REMOVE;
    }

  /* All of it is here: back to normal reads */
  setsockopt (fd, SOL_SOCKET, SO_RCVLOWAT, &one, sizeof one);
  g_clear_pointer (&conn->hello, g_source_unref);

  /* TLS 1.2 or newer, or no handshake at all: a client that can do 1.2
   * says so in its ClientHello's version (TLS 1.3 ones too, RFC 8446
   * §4.1.2); GnuTLS would otherwise settle for 1.0 with it */
  if (!client_hello_offers_tls12 (fd))
    {
      g_debug ("connection from %s offers no TLS 1.2 or newer", conn->client);
      self->stats.tls_refused++;
      connection_close (conn);
      return G_SOURCE_REMOVE;
    }

  handshake_admit (conn);
  return G_SOURCE_REMOVE;
}

/* Which of @conn and @other goes first to make room: one that has not
 * started its handshake before one soup serves, then the oldest */
static gboolean
evict_before (ZidServiceConnection *conn,
              ZidServiceConnection *other)
{
  gboolean waiting = conn->state == CONN_WAIT_HELLO || conn->state == CONN_QUEUED;
  gboolean other_waiting = other->state == CONN_WAIT_HELLO || other->state == CONN_QUEUED;

  if (waiting != other_waiting)
    return waiting;
  return conn->accepted < other->accepted;
}

/* Every slot is taken: the client holding the most connections gives one
 * up for a client holding @count, if that one has fewer (by two or
 * more). So many addresses that fill the table keep no phone out. */
static gboolean
evict_for (ZidService *self,
           guint       count)
{
  ZidServiceConnection *victim = NULL;
  const char *greedy = NULL;
  guint most = 0;
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->client_counts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (GPOINTER_TO_UINT (value) > most)
      {
        most = GPOINTER_TO_UINT (value);
        greedy = key;
      }
  if (greedy == NULL || most < count + 2)
    return FALSE;

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      ZidServiceConnection *conn = value;

      if (conn->closed || conn->held > 0 || conn->state == CONN_HANDSHAKE ||
          !g_str_equal (conn->client, greedy))
        continue;
      if (victim == NULL || evict_before (conn, victim))
        victim = conn;
    }
  if (victim == NULL)
    return FALSE;

  g_debug ("closing a connection from %s to make room", victim->client);
  self->stats.evicted++;
  connection_close (victim);
  return TRUE;
}

static gboolean
incoming_cb (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  ZidService *self = user_data;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *client = NULL;
  ZidServiceConnection *conn;
  GInetAddress *inet = NULL;
  guint count;

  self->stats.connections++;

  remote = g_socket_connection_get_remote_address (connection, NULL);
  if (G_IS_INET_SOCKET_ADDRESS (remote))
    inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote));
  client = zid_throttle_client_key (inet);

  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->client_counts, client));
  if (count >= self->max_client_connections ||
      (g_hash_table_size (self->connections) >= self->max_connections &&
       !evict_for (self, count)))
    {
      g_debug ("refusing a connection from %s: too many open", client);
      self->stats.rejected++;
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return TRUE;
    }

  /* An answer goes out as a few TLS records (head, body): with Nagle the
   * second waits for the phone's delayed ACK, 40 ms per request */
  if (!g_socket_set_option (g_socket_connection_get_socket (connection),
                            IPPROTO_TCP, TCP_NODELAY, TRUE, &error))
    {
      g_debug ("TCP_NODELAY: %s", error->message);
      g_clear_error (&error);
    }

  conn = g_new0 (ZidServiceConnection, 1);
  conn->refs = 1;
  conn->service = self;
  conn->peer = zid_service_peer_key (remote);
  conn->client = g_steal_pointer (&client);
  conn->base = g_object_ref (connection);
  conn->cancellable = g_cancellable_new ();
  conn->state = CONN_WAIT_HELLO;
  conn->hello_seen = G_MAXSIZE;
  conn->accepted = g_get_monotonic_time ();

  if (g_hash_table_contains (self->connections, conn->peer))
    {
      /* Cannot happen with TCP; refuse rather than confuse two clients */
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      self->stats.rejected++;
      connection_unref (conn);
      return TRUE;
    }

  /* No database: we ask no client certificate, and the default one (what
   * g_tls_server_connection_new uses) makes glib-networking 2.74 parse the
   * whole system CA bundle again for every connection — about 14 ms of
   * the main loop's time per phone (bench/service). */
  conn->tls = g_initable_new (g_tls_backend_get_server_connection_type (g_tls_backend_get_default ()),
                              NULL, &error,
                              "base-io-stream", connection,
                              "certificate", self->certificate,
                              "authentication-mode", G_TLS_AUTHENTICATION_NONE,
                              "database", NULL,
                              NULL);
  if (conn->tls == NULL)
    {
      g_warning ("Cannot start TLS: %s", error->message);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      connection_unref (conn);
      return TRUE;
    }

  g_hash_table_insert (self->connections, conn->peer, conn);
  count_add (self->client_counts, conn->client, 1);
  /* a phone's handshake takes a round trip or two, not seconds */
  connection_arm_for (conn, MIN (self->timeout, ZID_SERVICE_HANDSHAKE_TIMEOUT));

  /* Not one thread for it until its ClientHello is here */
  hello_ready_cb (g_socket_connection_get_socket (conn->base), G_IO_IN, conn);
  return TRUE;
}

/* Every new request on a connection gets the full time again */
static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  ZidService *self = user_data;
  ZidServiceConnection *conn = zid_service_find_connection (self, msg);

  if (conn != NULL)
    connection_arm (conn);
}

/* Workers */

typedef struct
{
  ZidService         *service;   /* owned; let go on the service's context */
  ZidServiceJobFunc   func;
  ZidServiceDoneFunc  done;
  gpointer            data;
  GDestroyNotify      destroy;
  gboolean            bounded;
} Job;

static gboolean
job_done_cb (gpointer user_data)
{
  Job *job = user_data;
  ZidService *self = job->service;

  g_assert (self->busy > 0);
  self->busy--;
  if (job->bounded)
    self->queued--;

  if (job->done != NULL)
    job->done (self, job->data);
  if (job->destroy != NULL)
    job->destroy (job->data);
  g_object_unref (job->service);
  g_free (job);
  return G_SOURCE_REMOVE;
}

static void
job_thread (gpointer data,
            gpointer user_data)
{
  Job *job = data;
  GSource *source;

  job->func (job->data);

  /* The answer goes back to the main context: soup's objects live there */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_name (source, "[zid-service] worker done");
  g_source_set_callback (source, job_done_cb, job, NULL);
  g_source_attach (source, job->service->context);
  g_source_unref (source);
}

static guint
default_workers (void)
{
  return CLAMP (g_get_num_processors (), 2, 4);
}

gboolean
zid_service_run_job (ZidService         *self,
                     gboolean            bounded,
                     ZidServiceJobFunc   func,
                     ZidServiceDoneFunc  done,
                     gpointer            data,
                     GDestroyNotify      destroy)
{
  Job *job;

  g_return_val_if_fail (ZID_IS_SERVICE (self), FALSE);
  g_assert (self->context != NULL);

  if (bounded && self->queued >= self->max_queue)
    return FALSE;

  if (self->workers == NULL)
    {
      g_autoptr(GError) error = NULL;

      self->workers = g_thread_pool_new (job_thread, NULL,
                                         self->max_workers ? self->max_workers : default_workers (),
                                         FALSE, &error);
      g_assert_no_error (error);
    }

  job = g_new0 (Job, 1);
  job->service = g_object_ref (self);
  job->func = func;
  job->done = done;
  job->data = data;
  job->destroy = destroy;
  job->bounded = bounded;

  self->busy++;
  if (bounded)
    self->queued++;
  g_thread_pool_push (self->workers, job, NULL);
  return TRUE;
}

static void
zid_service_dispose (GObject *object)
{
  ZidService *self = ZID_SERVICE (object);

  zid_service_stop (self);
  g_clear_object (&self->server);

  G_OBJECT_CLASS (zid_service_parent_class)->dispose (object);
}

static void
zid_service_finalize (GObject *object)
{
  ZidService *self = ZID_SERVICE (object);

  g_clear_object (&self->portal);
  g_clear_object (&self->certificate);
  g_clear_object (&self->address);
  g_clear_pointer (&self->pin, g_free);
  g_clear_pointer (&self->throttle, zid_throttle_unref);
  g_clear_pointer (&self->connections, g_hash_table_unref);
  g_clear_pointer (&self->client_counts, g_hash_table_unref);
  g_clear_pointer (&self->client_handshakes, g_hash_table_unref);
  g_clear_pointer (&self->refusals, g_hash_table_unref);
  g_clear_pointer (&self->refusals_other, g_free);
  /* Every job held a reference: none is left */
  if (self->workers != NULL)
    g_thread_pool_free (self->workers, FALSE, TRUE);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (zid_service_parent_class)->finalize (object);
}

static void
zid_service_class_init (ZidServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = zid_service_dispose;
  object_class->finalize = zid_service_finalize;

  signals[SIGNAL_ENROLLED] =
    g_signal_new ("enrolled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_INT64, G_TYPE_INT, G_TYPE_STRING);
  signals[SIGNAL_LOGIN_ACCEPTED] =
    g_signal_new ("login-accepted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_INT64);
  signals[SIGNAL_REFUSED] =
    g_signal_new ("refused", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_STATUS_CHANGED] =
    g_signal_new ("status-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
zid_service_init (ZidService *self)
{
  self->connections = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                             (GDestroyNotify) connection_unref);
  self->client_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->client_handshakes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->refusals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->enrol_deadline = ZID_SERVICE_ENROL_DEADLINE;
  self->audit_interval = ZID_SERVICE_AUDIT_INTERVAL;
  self->min_free = ZID_SERVICE_MIN_FREE_SPACE;
  g_queue_init (&self->handshake_queue);
  self->timeout = ZID_SERVICE_REQUEST_TIMEOUT;
  self->max_handshakes = ZID_SERVICE_MAX_HANDSHAKES;
  self->max_client_handshakes = ZID_SERVICE_MAX_CLIENT_HANDSHAKES;
  self->max_workers = ZID_SERVICE_WORKERS;
  self->max_queue = ZID_SERVICE_MAX_QUEUE;
  self->max_body = ZID_SERVICE_MAX_BODY;
  self->max_connections = ZID_SERVICE_MAX_CONNECTIONS;
  self->max_client_connections = ZID_SERVICE_MAX_CLIENT_CONNECTIONS;
}

ZidService *
zid_service_new (ZidPortal *portal)
{
  ZidService *self;

  g_return_val_if_fail (ZID_IS_PORTAL (portal), NULL);

  self = g_object_new (ZID_TYPE_SERVICE, NULL);
  self->portal = g_object_ref (portal);
  self->throttle = zid_throttle_new (zid_portal_get_clock (portal),
                                     ZID_SERVICE_THROTTLE_PER_CLIENT,
                                     ZID_SERVICE_THROTTLE_GLOBAL,
                                     ZID_SERVICE_THROTTLE_WINDOW);
  return self;
}

void
zid_service_set_admin (ZidService          *self,
                       ZidServiceAdminFunc  func,
                       gpointer             user_data)
{
  g_return_if_fail (ZID_IS_SERVICE (self));
  g_return_if_fail (!self->running);

  self->admin_func = func;
  self->admin_data = user_data;
}

ZidPortal *
zid_service_get_portal (ZidService *self)
{
  g_return_val_if_fail (ZID_IS_SERVICE (self), NULL);
  return self->portal;
}

void
zid_service_set_timeout (ZidService *self,
                         guint       seconds)
{
  g_return_if_fail (ZID_IS_SERVICE (self));
  self->timeout = MAX (seconds, 1);
}

void
zid_service_set_handshake_limits (ZidService *self,
                                  guint       total,
                                  guint       per_client)
{
  g_return_if_fail (ZID_IS_SERVICE (self));
  self->max_handshakes = MAX (total, 1);
  self->max_client_handshakes = MAX (per_client, 1);
}

void
zid_service_set_workers (ZidService *self,
                         guint       threads,
                         guint       max_queue)
{
  g_return_if_fail (ZID_IS_SERVICE (self));
  self->max_workers = threads;
  self->max_queue = MAX (max_queue, 1);
  if (self->workers != NULL)
    g_thread_pool_set_max_threads (self->workers, threads ? threads : default_workers (), NULL);
}

void
zid_service_set_max_body (ZidService *self,
                          gsize       bytes)
{
  g_return_if_fail (ZID_IS_SERVICE (self));
  self->max_body = bytes;
}

void
zid_service_set_connection_limits (ZidService *self,
                                   guint       total,
                                   guint       per_client)
{
  g_return_if_fail (ZID_IS_SERVICE (self));
  self->max_connections = MAX (total, 1);
  self->max_client_connections = MAX (per_client, 1);
}

void
zid_service_set_throttle (ZidService *self,
                          guint       per_client,
                          guint       global,
                          guint       window_seconds)
{
  g_return_if_fail (ZID_IS_SERVICE (self));
  zid_throttle_set_limits (self->throttle, per_client, global, window_seconds);
}

static gboolean
parse_port (const char  *str,
            guint16     *port,
            GError     **error)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (str, 10, 0, 65535, &value, NULL))
    {
      g_set_error (error, ZID_SERVICE_ERROR, ZID_SERVICE_ERROR_ADDRESS,
                   _("“%s” is not a port number (0–65535)"), str);
      return FALSE;
    }
  *port = (guint16) value;
  return TRUE;
}

gboolean
zid_service_parse_listen (const char    *listen,
                          GInetAddress **address,
                          guint16       *port,
                          GError       **error)
{
  g_autofree char *host = NULL;
  const char *colon;

  g_return_val_if_fail (listen != NULL, FALSE);

  *address = NULL;
  colon = strrchr (listen, ':');
  if (colon == NULL)
    {
      g_set_error (error, ZID_SERVICE_ERROR, ZID_SERVICE_ERROR_ADDRESS,
                   _("“%s” is not ADDRESS:PORT"), listen);
      return FALSE;
    }
  if (!parse_port (colon + 1, port, error))
    return FALSE;

  host = g_strndup (listen, colon - listen);
  if (host[0] == '[')
    {
      gsize len = strlen (host);

      if (len < 2 || host[len - 1] != ']')
        {
          g_set_error (error, ZID_SERVICE_ERROR, ZID_SERVICE_ERROR_ADDRESS,
                       _("“%s” is not ADDRESS:PORT"), listen);
          return FALSE;
        }
      host[len - 1] = '\0';
      memmove (host, host + 1, len - 1);
      if (strchr (host, ':') == NULL)
        {
          g_set_error (error, ZID_SERVICE_ERROR, ZID_SERVICE_ERROR_ADDRESS,
                       _("“%s”: only IPv6 addresses go in brackets"), listen);
          return FALSE;
        }
    }
  else if (strchr (host, ':') != NULL)
    {
      g_set_error (error, ZID_SERVICE_ERROR, ZID_SERVICE_ERROR_ADDRESS,
                   _("“%s”: write an IPv6 address in brackets, [ADDRESS]:PORT"), listen);
      return FALSE;
    }

  if (host[0] == '\0' || g_str_equal (host, "*"))
    return TRUE;

  *address = g_inet_address_new_from_string (host);
  if (*address == NULL)
    {
      g_set_error (error, ZID_SERVICE_ERROR, ZID_SERVICE_ERROR_ADDRESS,
                   _("“%s” is not an IP address (use * for every address)"), host);
      return FALSE;
    }
  return TRUE;
}

/* Where the portal's service-address setting says to listen: on its IP
 * address only, when it names one (nothing else is exposed on the other
 * networks the computer joins); with a host name, on every address, on
 * its port */
static void
configured_listen (ZidService    *self,
                   GInetAddress **address,
                   guint16       *port)
{
  g_autofree char *setting = zid_portal_dup_service_address (self->portal);
  const char *colon = setting ? strrchr (setting, ':') : NULL;

  if (setting != NULL && zid_service_parse_listen (setting, address, port, NULL) &&
      *address != NULL)
    return;
  g_clear_object (address);
  if (colon == NULL || !parse_port (colon + 1, port, NULL))
    *port = zid_portal_default_service_port (zid_portal_get_environment (self->portal));
}

static gboolean
load_tls (ZidService  *self,
          GError     **error)
{
  g_autofree char *cert_pem = NULL;
  g_autofree char *key_pem = NULL;
  g_autofree char *pin = NULL;
  g_autofree char *both = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize key_len;

  if (!zid_portal_get_service_tls (self->portal, &cert_pem, &key_pem, &pin, &local_error))
    {
      g_set_error (error, ZID_SERVICE_ERROR, ZID_SERVICE_ERROR_TLS,
                   _("The service has no TLS certificate: %s"), local_error->message);
      return FALSE;
    }

  both = g_strconcat (cert_pem, "\n", key_pem, NULL);
  key_len = strlen (key_pem);
  explicit_bzero (key_pem, key_len);

  g_clear_object (&self->certificate);
  self->certificate = g_tls_certificate_new_from_pem (both, -1, &local_error);
  explicit_bzero (both, strlen (both));
  if (self->certificate == NULL)
    {
      g_set_error (error, ZID_SERVICE_ERROR, ZID_SERVICE_ERROR_TLS,
                   _("The service's TLS certificate cannot be used: %s"), local_error->message);
      return FALSE;
    }

  g_free (self->pin);
  self->pin = g_steal_pointer (&pin);
  return TRUE;
}

/* libsoup (3.2, soup-server.c request_finished) keeps a connection alive
 * after a response only while the SoupServer has a listener of its own;
 * we accept connections ourselves (soup_server_accept_iostream), so
 * without one every response closed its connection and each request paid
 * a new TLS handshake. Give soup a listener nobody can reach: a Unix
 * socket whose path is unlinked as soon as it listens. */
static gboolean
add_keepalive_listener (ZidService  *self,
                        GError     **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  gboolean ok;

  dir = g_dir_make_tmp ("zid-service-XXXXXX", error);
  if (dir == NULL)
    return FALSE;
  path = g_build_filename (dir, "unreachable", NULL);

  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, error);
  address = g_unix_socket_address_new (path);
  ok = socket != NULL &&
       g_socket_bind (socket, address, FALSE, error) &&
       g_socket_listen (socket, error) &&
       soup_server_listen_socket (self->server, socket, 0, error);

  g_unlink (path);
  g_rmdir (dir);
  return ok;
}

static gboolean
audit_timer_cb (gpointer data)
{
  zid_service_flush_refusals (data);
  return G_SOURCE_CONTINUE;
}

/* Each connection is a descriptor (two while a request is in a worker):
 * the usual soft limit of 1024 would be reached before our own limits */
static void
raise_file_limit (ZidService *self)
{
  struct rlimit limit;
  rlim_t want = (rlim_t) self->max_connections * 2 + 256;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= want)
    return;
  limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? want : MIN (want, limit.rlim_max);
  if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
    g_debug ("cannot raise the limit of open files: %s", g_strerror (errno));
}

gboolean
zid_service_disk_low (ZidService *self)
{
  gint64 now = g_get_monotonic_time ();
  struct statvfs st;
  gboolean low;

  if (self->disk_checked != 0 && now - self->disk_checked < G_USEC_PER_SEC)
    return self->disk_low;
  self->disk_checked = now;

  low = statvfs (zid_portal_get_data_dir (self->portal), &st) == 0 &&
        (guint64) st.f_bavail * st.f_frsize < self->min_free;
  if (low != self->disk_low)
    {
      self->disk_low = low;
      if (low)
        g_message ("Less than %" G_GUINT64_FORMAT " MiB free for %s: the enrolment service takes on no work",
                   self->min_free / (1024 * 1024), zid_portal_get_data_dir (self->portal));
      else
        g_message ("Free space again for %s: the enrolment service takes on work",
                   zid_portal_get_data_dir (self->portal));
      g_signal_emit (self, signals[SIGNAL_STATUS_CHANGED], 0);
    }
  return low;
}

char *
zid_service_dup_status_message (ZidService *self)
{
  g_return_val_if_fail (ZID_IS_SERVICE (self), NULL);
  return self->disk_low ? g_strdup (NO_SPACE_MESSAGE) : NULL;
}

void
zid_service_set_audit_interval (ZidService *self,
                                guint       seconds)
{
  g_return_if_fail (ZID_IS_SERVICE (self));
  self->audit_interval = MAX (seconds, 1);
}

void
zid_service_set_min_free_space (ZidService *self,
                                guint64     bytes)
{
  g_return_if_fail (ZID_IS_SERVICE (self));
  self->min_free = bytes;
  self->disk_checked = 0;
}

void
zid_service_set_enrol_deadline (ZidService *self,
                                guint       seconds)
{
  g_return_if_fail (ZID_IS_SERVICE (self));
  self->enrol_deadline = MAX (seconds, 1);
}

gboolean
zid_service_start (ZidService  *self,
                   const char  *listen,
                   GError     **error)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GError) local_error = NULL;
  guint16 port;

  g_return_val_if_fail (ZID_IS_SERVICE (self), FALSE);

  if (self->running)
    {
      g_set_error_literal (error, ZID_SERVICE_ERROR, ZID_SERVICE_ERROR_RUNNING,
                           _("The service is running already"));
      return FALSE;
    }

  if (listen != NULL)
    {
      if (!zid_service_parse_listen (listen, &address, &port, error))
        return FALSE;
    }
  else
    configured_listen (self, &address, &port);

  if (!load_tls (self, error))
    return FALSE;

  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();

  if (self->server == NULL)
    {
      self->server = soup_server_new ("server-header", "zorgid-portaal ", NULL);
      soup_server_add_early_handler (self->server, NULL, zid_service_early_handler, self, NULL);
      soup_server_add_handler (self->server, NULL, zid_service_handler, self, NULL);
      g_signal_connect (self->server, "request-started", G_CALLBACK (request_started_cb), self);
    }

  self->listener = g_socket_service_new ();
  g_socket_listener_set_backlog (G_SOCKET_LISTENER (self->listener), 256);
  if (address != NULL)
    {
      g_autoptr(GSocketAddress) wanted = g_inet_socket_address_new (address, port);
      g_autoptr(GSocketAddress) effective = NULL;

      if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->listener), wanted,
                                          G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                          NULL, &effective, &local_error))
        goto failed;
      port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
    }
  else if (port == 0)
    {
      port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (self->listener), NULL, &local_error);
      if (port == 0)
        goto failed;
    }
  else if (!g_socket_listener_add_inet_port (G_SOCKET_LISTENER (self->listener), port, NULL, &local_error))
    goto failed;

  if (!add_keepalive_listener (self, &local_error))
    goto failed;

  g_signal_connect (self->listener, "incoming", G_CALLBACK (incoming_cb), self);
  g_socket_service_start (self->listener);

  self->audit_timer = g_timeout_source_new_seconds (self->audit_interval);
  g_source_set_name (self->audit_timer, "[zid-service] refusal summary");
  g_source_set_callback (self->audit_timer, audit_timer_cb, self, NULL);
  g_source_attach (self->audit_timer, self->context);

  raise_file_limit (self);

  g_set_object (&self->address, address);
  self->port = port;
  self->running = TRUE;

  g_debug ("listening on port %u", port);
  return TRUE;

failed:
  g_set_error (error, ZID_SERVICE_ERROR,
               g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE)
                 ? ZID_SERVICE_ERROR_IN_USE : ZID_SERVICE_ERROR_LISTEN,
               _("Cannot listen on %s port %u: %s"),
               listen ? listen : _("every address,"), port, local_error->message);
  g_socket_listener_close (G_SOCKET_LISTENER (self->listener));
  g_clear_object (&self->listener);
  return FALSE;
}

void
zid_service_stop (ZidService *self)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (ZID_IS_SERVICE (self));

  /* what was refused since the last summary */
  if (self->audit_timer != NULL)
    {
      g_source_destroy (self->audit_timer);
      g_clear_pointer (&self->audit_timer, g_source_unref);
    }
  if (self->context != NULL)
    zid_service_flush_refusals (self);

  if (self->listener != NULL)
    {
      g_socket_service_stop (self->listener);
      g_socket_listener_close (G_SOCKET_LISTENER (self->listener));
      g_signal_handlers_disconnect_by_data (self->listener, self);
      g_clear_object (&self->listener);
    }

  /* Cut every connection; we stop watching what soup holds. A handshake
   * still in a thread comes back to handshake_cb, which sees the
   * connection is no longer ours. */
  while ((value = g_queue_pop_head (&self->handshake_queue)) != NULL)
    connection_unref (value);
  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      ZidServiceConnection *conn = value;
      GSocket *socket = g_socket_connection_get_socket (conn->base);

      source_clear (&conn->deadline);
      source_clear (&conn->hello);
      source_clear (&conn->hangup);
      if (conn->state == CONN_SERVED && conn->tls != NULL)
        {
          g_object_weak_unref (G_OBJECT (conn->tls), connection_tls_gone, conn);
          conn->tls = NULL;
        }
      if (!conn->closed)
        {
          conn->closed = TRUE;
          g_cancellable_cancel (conn->cancellable);
          g_socket_shutdown (socket, TRUE, TRUE, NULL);
          if (conn->state != CONN_SERVED && conn->state != CONN_HANDSHAKE)
            g_io_stream_close (G_IO_STREAM (conn->base), NULL, NULL);
        }
      /* A handshake in a thread comes back to handshake_cb with its own
       * reference: tell it we are gone */
      conn->service = NULL;
    }
  g_hash_table_remove_all (self->connections);
  g_hash_table_remove_all (self->client_counts);
  g_hash_table_remove_all (self->client_handshakes);
  self->handshaking = 0;

  if (self->server != NULL)
    soup_server_disconnect (self->server);

  self->running = FALSE;
}

gboolean
zid_service_is_running (ZidService *self)
{
  g_return_val_if_fail (ZID_IS_SERVICE (self), FALSE);
  return self->running;
}

guint16
zid_service_get_port (ZidService *self)
{
  g_return_val_if_fail (ZID_IS_SERVICE (self), 0);
  return self->running ? self->port : 0;
}

char *
zid_service_dup_listen_address (ZidService *self)
{
  g_autofree char *host = NULL;

  g_return_val_if_fail (ZID_IS_SERVICE (self), NULL);

  if (!self->running)
    return NULL;
  if (self->address == NULL)
    return g_strdup_printf ("*:%u", self->port);

  host = g_inet_address_to_string (self->address);
  if (g_inet_address_get_family (self->address) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("[%s]:%u", host, self->port);
  return g_strdup_printf ("%s:%u", host, self->port);
}

const char *
zid_service_get_pin (ZidService *self)
{
  g_return_val_if_fail (ZID_IS_SERVICE (self), NULL);
  return self->pin;
}

guint
zid_service_get_busy (ZidService *self)
{
  g_return_val_if_fail (ZID_IS_SERVICE (self), 0);
  return self->busy;
}

void
zid_service_get_stats (ZidService      *self,
                       ZidServiceStats *stats)
{
  g_return_if_fail (ZID_IS_SERVICE (self));
  g_return_if_fail (stats != NULL);
  *stats = self->stats;
}

void
zid_service_emit_enrolled (ZidService *self,
                           gint64      user_id,
                           int         purpose,
                           const char *serial)
{
  g_signal_emit (self, signals[SIGNAL_ENROLLED], 0, user_id, purpose, serial);
}

void
zid_service_emit_login_accepted (ZidService *self,
                                 const char *session_id,
                                 gint64      user_id)
{
  g_signal_emit (self, signals[SIGNAL_LOGIN_ACCEPTED], 0, session_id, user_id);
}

void
zid_service_emit_refused (ZidService *self,
                          const char *client,
                          const char *path,
                          const char *error_code)
{
  g_signal_emit (self, signals[SIGNAL_REFUSED], 0, client, path, error_code);
}
