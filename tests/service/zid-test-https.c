/* zid-test-https.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <gio/gio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "zid-test-https.h"

struct _ZidTestHttps
{
  guint16   port;
  gboolean  keep_alive;
  SSL_CTX  *ctx;
  SSL      *ssl;
  int       fd;
  guint     handshakes;
  char     *source;
};

ZidTestHttps *
zid_test_https_new (guint16  port,
                    gboolean keep_alive)
{
  ZidTestHttps *self = g_new0 (ZidTestHttps, 1);

  self->port = port;
  self->keep_alive = keep_alive;
  self->fd = -1;
  self->ctx = SSL_CTX_new (TLS_client_method ());
  /* The phone trusts the pin, not a CA; these tests do not check it */
  SSL_CTX_set_verify (self->ctx, SSL_VERIFY_NONE, NULL);
  SSL_CTX_set_min_proto_version (self->ctx, TLS1_2_VERSION);
  return self;
}

static void
disconnect (ZidTestHttps *self)
{
  if (self->ssl != NULL)
    {
      SSL_free (self->ssl);
      self->ssl = NULL;
    }
  if (self->fd >= 0)
    {
      close (self->fd);
      self->fd = -1;
    }
}

void
zid_test_https_free (ZidTestHttps *self)
{
  if (self == NULL)
    return;
  disconnect (self);
  SSL_CTX_free (self->ctx);
  g_free (self->source);
  g_free (self);
}

guint
zid_test_https_get_handshakes (ZidTestHttps *self)
{
  return self->handshakes;
}

void
zid_test_https_set_source (ZidTestHttps *self,
                           const char   *ipv4)
{
  g_free (self->source);
  self->source = g_strdup (ipv4);
}

static int
tcp_connect (guint16      port,
             const char  *source,
             GError     **error)
{
  struct sockaddr_in sin = { 0 };
  int one = 1;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (source != NULL)
    {
      struct sockaddr_in from = { 0 };

      from.sin_family = AF_INET;
      inet_pton (AF_INET, source, &from.sin_addr);
      if (bind (fd, (struct sockaddr *) &from, sizeof from) != 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "bind: %s", g_strerror (errno));
          close (fd);
          return -1;
        }
    }
  sin.sin_family = AF_INET;
  sin.sin_port = htons (port);
  sin.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect (fd, (struct sockaddr *) &sin, sizeof sin) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "connect: %s", g_strerror (errno));
      close (fd);
      return -1;
    }
  return fd;
}

int
zid_test_tcp_connect (guint16     port,
                      const char *ipv4)
{
  return tcp_connect (port, ipv4, NULL);
}

static gboolean
connect_tls (ZidTestHttps  *self,
             GError       **error)
{
  if ((self->fd = tcp_connect (self->port, self->source, error)) < 0)
    return FALSE;

  self->ssl = SSL_new (self->ctx);
  SSL_set_fd (self->ssl, self->fd);
  if (SSL_connect (self->ssl) != 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "TLS handshake failed (%lu)", ERR_get_error ());
      ERR_clear_error ();
      disconnect (self);
      return FALSE;
    }
  self->handshakes++;
  return TRUE;
}

static gboolean
write_all (ZidTestHttps *self,
           const char   *data,
           gsize         len)
{
  while (len > 0)
    {
      int n = SSL_write (self->ssl, data, (int) MIN (len, G_MAXINT));

      if (n <= 0)
        {
          if (g_getenv ("ZID_HTTPS_DEBUG"))
            g_printerr ("SSL_write: %d errno %d\n", SSL_get_error (self->ssl, n), errno);
          return FALSE;
        }
      data += n;
      len -= n;
    }
  return TRUE;
}

/* Reads one response: headers, then Content-Length bytes (or to EOF) */
static guint
read_response (ZidTestHttps  *self,
               char         **body,
               int           *retry_after,
               gboolean      *server_closes,
               GError       **error)
{
  g_autoptr(GString) in = g_string_new (NULL);
  char buf[16384];
  const char *end = NULL;
  gssize length = -1;
  guint status = 0;
  gsize head = 0;

  *server_closes = FALSE;
  for (;;)
    {
      int n;

      if (end == NULL && (end = strstr (in->str, "\r\n\r\n")) != NULL)
        {
          g_auto(GStrv) lines = g_strsplit (in->str, "\r\n", -1);

          head = end - in->str + 4;
          if (g_getenv ("ZID_HTTPS_DEBUG")) g_printerr ("%.*s", (int) head, in->str);
          if (sscanf (lines[0], "HTTP/1.%*d %u", &status) != 1)
            status = 0;
          for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
            {
              if (g_ascii_strncasecmp (lines[i], "Content-Length:", 15) == 0)
                length = g_ascii_strtoll (lines[i] + 15, NULL, 10);
              else if (g_ascii_strncasecmp (lines[i], "Retry-After:", 12) == 0 && retry_after)
                *retry_after = (int) g_ascii_strtoll (lines[i] + 12, NULL, 10);
              else if (g_ascii_strncasecmp (lines[i], "Connection:", 11) == 0 &&
                       strstr (lines[i] + 11, "close") != NULL)
                *server_closes = TRUE;
            }
        }
      if (end != NULL && length >= 0 && in->len >= head + (gsize) length)
        break;

      n = SSL_read (self->ssl, buf, sizeof buf);
      if (n <= 0)
        {
          if (end != NULL && length < 0)
            {
              *server_closes = TRUE;
              break;
            }
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                       "connection closed after %" G_GSIZE_FORMAT " bytes", in->len);
          ERR_clear_error ();
          return 0;
        }
      g_string_append_len (in, buf, n);
    }

  if (body != NULL)
    *body = g_strndup (in->str + head, length >= 0 ? (gsize) length : in->len - head);
  return status;
}

guint
zid_test_https_request (ZidTestHttps  *self,
                        const char    *method,
                        const char    *path,
                        const char    *json,
                        char         **body,
                        int           *retry_after,
                        GError       **error)
{
  g_autofree char *head = NULL;
  gboolean closes = FALSE;
  gboolean fresh = FALSE;
  guint status;

  if (retry_after)
    *retry_after = -1;

  for (guint attempt = 0; attempt < 2; attempt++)
    {
      if (self->ssl == NULL)
        {
          if (!connect_tls (self, error))
            return 0;
          fresh = TRUE;
        }

      g_free (head);
      head = g_strdup_printf ("%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n%s"
                              "Content-Length: %" G_GSIZE_FORMAT "\r\n%s\r\n",
                              method, path, self->port,
                              json ? "Content-Type: application/json\r\n" : "",
                              json ? strlen (json) : 0,
                              self->keep_alive ? "" : "Connection: close\r\n");
      if (write_all (self, head, strlen (head)) &&
          (json == NULL || write_all (self, json, strlen (json))))
        {
          g_autoptr(GError) local_error = NULL;

          status = read_response (self, body, retry_after, &closes, &local_error);
          if (status == 0 && g_getenv ("ZID_HTTPS_DEBUG"))
            g_printerr ("no answer: %s\n", local_error->message);
          if (status != 0)
            {
              if (closes || !self->keep_alive)
                disconnect (self);
              return status;
            }
          if (fresh)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              disconnect (self);
              return 0;
            }
        }
      if (g_getenv ("ZID_HTTPS_DEBUG"))
        g_printerr ("reconnecting: %lu\n", ERR_peek_error ());
      /* A kept-alive connection the server closed meanwhile: once more */
      ERR_clear_error ();
      disconnect (self);
    }

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "no answer");
  return 0;
}

gboolean
zid_test_https_send (ZidTestHttps *self,
                     const char   *method,
                     const char   *path,
                     const char   *json)
{
  g_autofree char *head = NULL;

  if (self->ssl == NULL && !connect_tls (self, NULL))
    return FALSE;
  head = g_strdup_printf ("%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                          "Content-Type: application/json\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n\r\n",
                          method, path, self->port, strlen (json));
  return write_all (self, head, strlen (head)) && write_all (self, json, strlen (json));
}

/* The server has closed its end (its FIN is here). A server that closes
 * while our writes wait on its zero window is seen only so: the writes
 * would just stall. */
static gboolean
peer_closed (int fd)
{
  struct pollfd p = { fd, POLLRDHUP, 0 };

  return poll (&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

gsize
zid_test_https_stream (ZidTestHttps *self,
                       const char   *head,
                       gboolean      chunked,
                       gsize         body_bytes,
                       gboolean     *cut)
{
  const gsize piece = 16384;
  struct timeval wait = { 0, 200 * 1000 };
  g_autofree char *block = g_malloc (piece + 16);
  gint64 stalled_since = 0;
  gsize sent = 0, len = 0, done = 0;

  /* a closed connection is an answer here, not a reason to die */
  signal (SIGPIPE, SIG_IGN);
  *cut = FALSE;
  if (self->ssl == NULL && !connect_tls (self, NULL))
    return 0;
  if (!write_all (self, head, strlen (head)))
    {
      *cut = TRUE;
      return 0;
    }
  setsockopt (self->fd, SOL_SOCKET, SO_SNDTIMEO, &wait, sizeof wait);
  while (sent < body_bytes)
    {
      int n;

      if (done == len)
        {
          len = chunked ? (gsize) g_snprintf (block, 16, "%zx\r\n", piece) : 0;
          memset (block + len, 'A', piece);
          len += piece;
          if (chunked)
            {
              memcpy (block + len, "\r\n", 2);
              len += 2;
            }
          done = 0;
        }
      n = SSL_write (self->ssl, block + done, (int) (len - done));
      if (n > 0)
        {
          done += n;
          if (done == len)
            sent += piece;
          stalled_since = 0;
          continue;
        }
      if (SSL_get_error (self->ssl, n) != SSL_ERROR_WANT_WRITE || peer_closed (self->fd))
        {
          *cut = TRUE;
          break;
        }
      /* the server takes nothing and has not closed: give up after 20 s */
      if (stalled_since == 0)
        stalled_since = g_get_monotonic_time ();
      else if (g_get_monotonic_time () - stalled_since > 20 * G_USEC_PER_SEC)
        break;
    }
  disconnect (self);
  return sent;
}
