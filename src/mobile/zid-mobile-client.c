/* zid-mobile-client.c
 *
 * The pin is checked in the TLS handshake (SoupMessage::accept-certificate,
 * raised for every certificate because the session trusts no CA at all):
 * on a mismatch the handshake is aborted and no HTTP byte leaves the phone.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <string.h>

#include <libsoup/soup.h>
#include <openssl/crypto.h>

#include "zid-mobile.h"
#include "zid-mobile-client.h"
#include "zid-mobile-crypto.h"

struct _ZidMobileClient
{
  SoupSession *session;
  char        *base;
  char        *pin;
  gboolean     pin_mismatch;
};

ZidMobileClient *
zid_mobile_client_new (const char *host,
                       const char *pin)
{
  ZidMobileClient *self = g_new0 (ZidMobileClient, 1);

  self->session = soup_session_new_with_options ("timeout", 30,
                                                 "idle-timeout", 30,
                                                 "user-agent", "zorgid-mobile/" PACKAGE_VERSION,
                                                 NULL);
  /* No CA is trusted: the pin decides, for every certificate */
  soup_session_set_tls_database (self->session, NULL);
  self->base = g_strdup_printf ("https://%s", host);
  self->pin = g_strdup (pin);
  return self;
}

void
zid_mobile_client_free (ZidMobileClient *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->session);
  g_free (self->base);
  g_free (self->pin);
  g_free (self);
}

static gboolean
pin_matches (ZidMobileClient *self,
             GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;
  g_autofree char *pin = NULL;

  if (certificate == NULL)
    return FALSE;
  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return FALSE;
  pin = zid_mobile_pin_for_der (der->data, der->len);
  return strlen (pin) == strlen (self->pin) &&
         CRYPTO_memcmp (pin, self->pin, strlen (pin)) == 0;
}

static gboolean
accept_certificate_cb (SoupMessage          *msg,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  ZidMobileClient *self = user_data;

  if (pin_matches (self, certificate))
    return TRUE;
  self->pin_mismatch = TRUE;
  return FALSE;
}

/* A busy service (503) names in Retry-After when to come back; the phone
 * does, a few times, when that is soon. Nothing was done: the request is
 * the same. */
#define BUSY_TRIES       3
#define BUSY_WAIT_MAX    5

/* What a phone accepts from a service: answers are small JSON objects
 * (a certificate chain is the largest), nested a few levels; a request,
 * busy retries included, ends within CALL_SECONDS however slowly the
 * other side trickles. */
#define ANSWER_MAX       (256 * 1024)
#define DEPTH_MAX        32
#define CALL_SECONDS     30

static guint
retry_after (SoupMessage *msg)
{
  const char *value = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                    "Retry-After");
  guint64 seconds = 0;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT, &seconds, NULL))
    return 0;
  return (guint) seconds;
}

/* Cancels a request at its deadline, from a thread of its own: the phone's
 * calls are synchronous, with no main loop to run a timeout. */
typedef struct
{
  GMutex        lock;
  GCond         cond;
  gboolean      done;
  gint64        deadline;   /* monotonic */
  GCancellable *cancellable;
} Watchdog;

static gpointer
watchdog_run (gpointer data)
{
  Watchdog *dog = data;

  g_mutex_lock (&dog->lock);
  while (!dog->done)
    if (!g_cond_wait_until (&dog->cond, &dog->lock, dog->deadline))
      {
        g_cancellable_cancel (dog->cancellable);
        break;
      }
  g_mutex_unlock (&dog->lock);
  return NULL;
}

/* The answer's body, read up to ANSWER_MAX bytes */
static GBytes *
read_answer (GInputStream  *stream,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  guint8 buffer[8192];

  for (;;)
    {
      gssize n = g_input_stream_read (stream, buffer, sizeof buffer, cancellable, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      if (body->len + (gsize) n > ANSWER_MAX)
        {
          g_set_error (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_FAILED,
                       _("The answer is larger than %u KiB: no service of ZORG-ID sends that"),
                       ANSWER_MAX / 1024);
          return NULL;
        }
      g_byte_array_append (body, buffer, n);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&body));
}

/* JSON nested deeper than DEPTH_MAX (which would make the parser recurse
 * that deep) is refused before it is parsed */
static gboolean
depth_within (const char *text,
              gsize       len)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          if (++depth > DEPTH_MAX)
            return FALSE;
        }
      else if ((c == '}' || c == ']') && depth > 0)
        depth--;
    }
  return TRUE;
}

/* One exchange: the answer's body, @msg holding the status and headers */
static GBytes *
exchange (ZidMobileClient  *self,
          SoupMessage      *msg,
          GCancellable     *cancellable,
          GError          **error)
{
  g_autoptr(GInputStream) stream = NULL;
  GBytes *answer;

  stream = soup_session_send (self->session, msg, cancellable, error);
  if (stream == NULL)
    return NULL;
  answer = read_answer (stream, cancellable, error);
  g_input_stream_close (stream, NULL, NULL);
  return answer;
}

JsonObject *
zid_mobile_client_call (ZidMobileClient  *self,
                        const char       *path,
                        JsonObject       *body,
                        char            **error_code,
                        GError          **error)
{
  g_autofree char *url = g_strconcat (self->base, path, NULL);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GBytes) request = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Watchdog dog = { .deadline = g_get_monotonic_time () + CALL_SECONDS * G_TIME_SPAN_SECOND,
                   .cancellable = cancellable };
  GThread *watchdog;
  JsonNode *root;
  JsonObject *object;
  guint status;

  if (error_code)
    *error_code = NULL;

  if (body != NULL)
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), body);
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      gsize len;
      char *text;

      json_generator_set_root (generator, node);
      text = json_generator_to_data (generator, &len);
      request = g_bytes_new_take (text, len);
    }

  g_mutex_init (&dog.lock);
  g_cond_init (&dog.cond);
  watchdog = g_thread_new ("zid-mobile-deadline", watchdog_run, &dog);

  for (guint tries = 1;; tries++)
    {
      guint wait;

      g_clear_object (&msg);
      g_clear_pointer (&answer, g_bytes_unref);
      msg = soup_message_new (body ? SOUP_METHOD_POST : SOUP_METHOD_GET, url);
      if (msg == NULL)
        {
          g_set_error (&local_error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_INPUT,
                       "“%s” is not a service address", self->base);
          break;
        }
      g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_certificate_cb), self);
      /* the pinned service only, and never in the clear */
      soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
      if (request != NULL)
        soup_message_set_request_body_from_bytes (msg, "application/json", request);

      self->pin_mismatch = FALSE;
      answer = exchange (self, msg, cancellable, &local_error);
      if (answer == NULL || self->pin_mismatch ||
          soup_message_get_status (msg) != SOUP_STATUS_SERVICE_UNAVAILABLE || tries == BUSY_TRIES)
        break;
      wait = retry_after (msg);
      if (wait == 0 || wait > BUSY_WAIT_MAX ||
          g_get_monotonic_time () + wait * G_TIME_SPAN_SECOND >= dog.deadline)
        break;
      /* the wait ends early when the deadline cancels */
      g_mutex_lock (&dog.lock);
      g_cond_wait_until (&dog.cond, &dog.lock, g_get_monotonic_time () + wait * G_TIME_SPAN_SECOND);
      g_mutex_unlock (&dog.lock);
    }

  g_mutex_lock (&dog.lock);
  dog.done = TRUE;
  g_cond_broadcast (&dog.cond);
  g_mutex_unlock (&dog.lock);
  g_thread_join (watchdog);
  g_mutex_clear (&dog.lock);
  g_cond_clear (&dog.cond);

  if (msg == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (answer == NULL && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_set_error (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_FAILED,
                   _("The service at %s did not answer within %d seconds"),
                   self->base + strlen ("https://"), CALL_SECONDS);
      return NULL;
    }
  if (answer == NULL && local_error->domain == ZID_MOBILE_ERROR)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (self->pin_mismatch)
    {
      g_set_error (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_PIN,
                   _("The service at %s is not the one in the QR code (certificate pin mismatch); "
                   "nothing was sent"), self->base + strlen ("https://"));
      return NULL;
    }
  if (answer == NULL)
    {
      g_set_error (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_FAILED,
                   _("Cannot reach the service at %s: %s"),
                   self->base + strlen ("https://"), local_error->message);
      return NULL;
    }
  /* Belt and braces: the connection that answered is the pinned one */
  if (!pin_matches (self, soup_message_get_tls_peer_certificate (msg)))
    {
      g_set_error_literal (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_PIN,
                           _("The answer did not come from the service in the QR code"));
      return NULL;
    }

  status = soup_message_get_status (msg);
  if (!depth_within (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer)) ||
      !json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL),
                                   g_bytes_get_size (answer), NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_FAILED,
                   _("The service answered %u without a readable body"), status);
      return NULL;
    }
  object = json_node_get_object (root);

  if (status != SOUP_STATUS_OK)
    {
      const char *code = json_object_get_string_member_with_default (object, "error", "unknown");
      const char *message = json_object_get_string_member_with_default (object, "message", "");

      if (error_code)
        *error_code = g_strdup (code);
      g_set_error (error, ZID_MOBILE_ERROR,
                   status >= 500 ? ZID_MOBILE_ERROR_FAILED : ZID_MOBILE_ERROR_REFUSED,
                   "%s (%s)", message, code);
      return NULL;
    }

  return json_object_ref (object);
}
