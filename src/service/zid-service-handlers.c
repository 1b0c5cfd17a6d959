/* zid-service-handlers.c — the endpoints of docs/mobile-protocol.md
 *
 * The early handler (headers read) routes, checks method, media type,
 * size and the throttle, so a request we will refuse is answered without
 * keeping its body. The handler (body read) parses the JSON strictly,
 * pauses the message and lets a worker thread ask the core; the worker's
 * answer is written back on the main context.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#define G_LOG_DOMAIN "zid-service"

#include <string.h>

#include <json-glib/json-glib.h>

#include "zid-error.h"
#include "zid-service-private.h"

typedef enum
{
  ENDPOINT_SERVICE,
  ENDPOINT_PREVIEW,
  ENDPOINT_ENROL,
  ENDPOINT_LOGIN,
} Endpoint;

typedef struct
{
  const char  *path;
  const char  *method;
  Endpoint     endpoint;
  gboolean     secret;      /* carries a code or answers a session: throttled */
  const char  *fields[4];
} Route;

static const Route routes[] = {
  { "/v1/service", "GET", ENDPOINT_SERVICE, FALSE, { NULL } },
  { "/v1/enrolment/preview", "POST", ENDPOINT_PREVIEW, TRUE, { "code", NULL } },
  { "/v1/enrolment", "POST", ENDPOINT_ENROL, TRUE, { "code", "csr", NULL } },
  { "/v1/login", "POST", ENDPOINT_LOGIN, TRUE, { "session", "certificate", "signature", NULL } },
};

/* libsoup 3.2 has no name for it */
#define ZID_STATUS_TOO_MANY_REQUESTS 429

/* Longest value we look at, per field */
#define MAX_TOKEN   256
#define MAX_PEM     (12 * 1024)

typedef struct
{
  ZidService        *service;   /* owned */
  SoupServerMessage *msg;       /* owned */
  const Route       *route;
  char              *peer;
  char              *client;

  /* Inputs, copied for the worker */
  char              *code;
  char              *csr;
  char              *session;
  char              *certificate;
  GBytes            *signature;

  /* Outputs of the worker */
  guint              status;
  char              *body;
  char              *error_code;
  gint64             user_id;
  int                purpose;
  char              *serial;
} Request;

static void
request_free (Request *req)
{
  g_clear_object (&req->service);
  g_clear_object (&req->msg);
  g_free (req->peer);
  g_free (req->client);
  if (req->code != NULL)
    explicit_bzero (req->code, strlen (req->code));
  g_free (req->code);
  g_free (req->csr);
  g_free (req->session);
  g_free (req->certificate);
  g_clear_pointer (&req->signature, g_bytes_unref);
  g_free (req->body);
  g_free (req->error_code);
  g_free (req->serial);
  g_free (req);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static const Route *
find_route (const char *path)
{
  for (gsize i = 0; i < G_N_ELEMENTS (routes); i++)
    if (g_str_equal (routes[i].path, path))
      return &routes[i];
  return NULL;
}

static char *
client_key_for (SoupServerMessage *msg)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);
  GInetAddress *inet = NULL;

  if (G_IS_INET_SOCKET_ADDRESS (remote))
    inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote));
  return zid_throttle_client_key (inet);
}

static char *
builder_to_string (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static char *
error_body (const char *code,
            const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  return builder_to_string (builder);
}

static char *
too_large_message (ZidService *self)
{
  return g_strdup_printf ("De aanvraag is te groot (meer dan %" G_GSIZE_FORMAT " KiB). Werk de app bij; "
                          "blijft dit gebeuren, meld het dan aan de beheerder.",
                          (self->max_body + 1023) / 1024);
}

/* "Wacht 3 minuten", "Wacht 40 seconden" */
static char *
throttled_message (gint64 wait)
{
  if (wait > 90)
    return g_strdup_printf ("Te veel mislukte pogingen vanaf dit netwerk. Wacht %" G_GINT64_FORMAT
                            " minuten en scan de QR-code daarna opnieuw.", (wait + 59) / 60);
  return g_strdup_printf ("Te veel mislukte pogingen vanaf dit netwerk. Wacht %" G_GINT64_FORMAT
                          " %s en scan de QR-code daarna opnieuw.", wait, wait == 1 ? "seconde" : "seconden");
}

static void
set_json (SoupServerMessage *msg,
          guint              status,
          const char        *body)
{
  soup_server_message_set_status (msg, status,
                                  status == ZID_STATUS_TOO_MANY_REQUESTS ? "Too Many Requests" : NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    body, strlen (body));
}

/* The audit trail of what the service refused on its own; the core audits
 * what it decides itself. Runs in a worker: it writes to SQLite. */
typedef struct
{
  ZidService *service;   /* borrowed: the job holds a reference */
  char       *actor;
  char       *path;
  char       *details;
  guint64     unaudited; /* refusals before this one that found the queue full */
} AuditData;

static void
audit_data_free (AuditData *data)
{
  g_free (data->actor);
  g_free (data->path);
  g_free (data->details);
  g_free (data);
}

static void
audit_thread (gpointer user_data)
{
  AuditData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (data->unaudited > 0)
    zid_service_write_unaudited (data->service, data->unaudited);
  if (!zid_portal_audit (zid_service_get_portal (data->service), data->actor, "service.refused",
                         data->path, data->details, &error))
    g_warning ("Cannot audit a refused request: %s", error->message);
}

/* A flood of refusals is not written one by one once the audit queue is
 * full; how many were not is, with the next one that is (or when the
 * service stops) */
void
zid_service_write_unaudited (ZidService *self,
                             guint64     count)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *details = g_strdup_printf ("count=%" G_GUINT64_FORMAT
                                              " (the audit queue was full)", count);

  if (!zid_portal_audit (zid_service_get_portal (self), "service", "service.refused.unaudited",
                         NULL, details, &error))
    g_warning ("Cannot audit %" G_GUINT64_FORMAT " refused requests: %s", count, error->message);
}

static void
audit_refusal (ZidService *self,
               const char *client,
               const char *path,
               guint       status,
               const char *code)
{
  AuditData *data = g_new0 (AuditData, 1);

  data->service = self;
  data->actor = g_strdup_printf ("phone@%s", client);
  data->path = g_strdup (path);
  data->details = g_strdup_printf ("status=%u error=%s", status, code);
  data->unaudited = self->unaudited;

  if (zid_service_run_job (self, FALSE, audit_thread, NULL, data, (GDestroyNotify) audit_data_free))
    self->unaudited = 0;
  else
    {
      self->unaudited++;
      /* a flood, not a fault: their number is audited */
      if (self->stats.audit_dropped++ % 1000 == 0)
        g_message ("Too many refusals to audit one by one: %" G_GUINT64_FORMAT " counted only",
                   self->stats.audit_dropped);
      audit_data_free (data);
    }
}

/* Answers @msg with a refusal the service decided itself */
#define BUSY_MESSAGE "De ZORG-ID-dienst is even te druk. Probeer het over een paar seconden " \
                     "opnieuw; de QR-code blijft geldig."

/* A throttled attempt (zid_throttle_begin) rides on its message, so it
 * ends however the message does: answered, refused, or its connection
 * gone (then it does not count as a failure) */
typedef struct
{
  ZidThrottle *throttle;   /* owned */
  char        *client;
} Attempt;

static GQuark
attempt_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("zid-service-attempt");
  return quark;
}

static void
attempt_finish (Attempt  *a,
                gboolean  failed)
{
  zid_throttle_end (a->throttle, a->client, failed);
  zid_throttle_unref (a->throttle);
  g_free (a->client);
  g_free (a);
}

static void
attempt_free (gpointer data)
{
  attempt_finish (data, FALSE);
}

static void
attempt_begun (ZidService        *self,
               SoupServerMessage *msg,
               const char        *client)
{
  Attempt *a = g_new0 (Attempt, 1);

  a->throttle = zid_throttle_ref (self->throttle);
  a->client = g_strdup (client);
  g_object_set_qdata_full (G_OBJECT (msg), attempt_quark (), a, attempt_free);
}

/* Ends @msg's attempt, a failure or not; FALSE if it had none */
static gboolean
attempt_end (SoupServerMessage *msg,
             gboolean           failed)
{
  Attempt *a = g_object_steal_qdata (G_OBJECT (msg), attempt_quark ());

  if (a == NULL)
    return FALSE;
  attempt_finish (a, failed);
  return TRUE;
}

static void
refuse (ZidService        *self,
        SoupServerMessage *msg,
        const Route       *route,
        const char        *path,
        guint              status,
        const char        *code,
        const char        *message)
{
  g_autofree char *body = error_body (code, message);
  g_autofree char *client = client_key_for (msg);

  set_json (msg, status, body);
  if (status == SOUP_STATUS_METHOD_NOT_ALLOWED && route != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  "Allow", route->method);

  if (status >= 500)
    {
      /* The machine, not the client: no throttle, no "refused" */
      self->stats.failures++;
      if (status == SOUP_STATUS_SERVICE_UNAVAILABLE)
        self->stats.busy++;
      attempt_end (msg, FALSE);
    }
  else
    {
      self->stats.refused++;
      if (status == ZID_STATUS_TOO_MANY_REQUESTS)
        self->stats.throttled++;
      else if (!attempt_end (msg, TRUE) && route != NULL && route->secret)
        zid_throttle_failure (self->throttle, client);
    }

  g_debug ("refused %s from %s: %u %s", path, client, status, code);
  audit_refusal (self, client, path, status, code);
  if (status < 500)
    zid_service_emit_refused (self, client, path, code);
}

static void
drop_body (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  soup_message_body_set_accumulate (body, FALSE);
  soup_message_body_truncate (body);
}

/* How much of a refused body is read on, so that a client that sends its
 * whole body before reading still gets its answer; reading it costs the
 * main loop well under a millisecond */
#define MAX_DRAIN (256 * 1024)

/* Every request body is counted as it comes. Over the limit it is
 * refused; a refused body is read on only so far (so the client still
 * gets its answer), then the connection is cut: libsoup reads a body for
 * as long as data keeps coming, without returning to the main loop, so a
 * client streaming one would hold every other connection still. */
static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  static GQuark seen_quark;
  ZidService *self = user_data;
  goffset *seen;

  if (G_UNLIKELY (seen_quark == 0))
    seen_quark = g_quark_from_static_string ("zid-service-body-seen");
  if ((seen = g_object_get_qdata (G_OBJECT (msg), seen_quark)) == NULL)
    {
      seen = g_new0 (goffset, 1);
      g_object_set_qdata_full (G_OBJECT (msg), seen_quark, seen, g_free);
    }
  *seen += g_bytes_get_size (chunk);

  if (soup_server_message_get_status (msg) == 0 && *seen > (goffset) self->max_body)
    {
      g_autofree char *message = too_large_message (self);

      drop_body (msg);
      refuse (self, msg, NULL, g_uri_get_path (soup_server_message_get_uri (msg)),
              SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too-large", message);
    }
  if (soup_server_message_get_status (msg) != 0)
    {
      soup_message_body_truncate (soup_server_message_get_request_body (msg));
      if (*seen > MAX_DRAIN)
        zid_service_cut (self, msg);
    }
}

void
zid_service_early_handler (SoupServer        *server,
                           SoupServerMessage *msg,
                           const char        *path,
                           GHashTable        *query,
                           gpointer           user_data)
{
  ZidService *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *method = soup_server_message_get_method (msg);
  const Route *route = find_route (path);
  g_autofree char *client = NULL;
  const char *type;
  gboolean busy;
  goffset length;
  gint64 wait;

  self->stats.requests++;
  g_signal_connect_object (msg, "got-chunk", G_CALLBACK (got_chunk_cb), self, 0);

  if (route == NULL)
    {
      drop_body (msg);
      refuse (self, msg, NULL, path, SOUP_STATUS_NOT_FOUND, "not-found",
              "Dit adres kent de ZORG-ID-dienst niet. Werk de app bij en scan de QR-code opnieuw.");
      return;
    }

  if (!g_str_equal (method, route->method))
    {
      g_autofree char *message = g_strdup_printf ("Deze aanvraag gebruikt de verkeerde methode "
                                                  "(verwacht: %s). Werk de app bij.", route->method);

      drop_body (msg);
      refuse (self, msg, route, path, SOUP_STATUS_METHOD_NOT_ALLOWED, "method-not-allowed", message);
      return;
    }

  if (route->secret)
    {
      client = client_key_for (msg);
      wait = zid_throttle_begin (self->throttle, client, &busy);
      if (wait == 0)
        attempt_begun (self, msg, client);
      else
        {
          g_autofree char *seconds = g_strdup_printf ("%" G_GINT64_FORMAT, wait);
          g_autofree char *message = throttled_message (wait);

          drop_body (msg);
          if (busy)
            refuse (self, msg, route, path, SOUP_STATUS_SERVICE_UNAVAILABLE, "busy", BUSY_MESSAGE);
          else
            refuse (self, msg, route, path, ZID_STATUS_TOO_MANY_REQUESTS, "throttled", message);
          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "Retry-After", seconds);
          return;
        }
    }

  if (route->fields[0] == NULL)
    {
      if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_NONE &&
          !(soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
            soup_message_headers_get_content_length (headers) == 0))
        {
          drop_body (msg);
          refuse (self, msg, route, path, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too-large",
                  "Deze aanvraag hoort geen inhoud te hebben. Werk de app bij.");
        }
      return;
    }

  type = soup_message_headers_get_content_type (headers, NULL);
  if (type == NULL || g_ascii_strcasecmp (type, "application/json") != 0)
    {
      drop_body (msg);
      refuse (self, msg, route, path, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type",
              "De aanvraag moet JSON zijn (Content-Type: application/json). Werk de app bij.");
      return;
    }

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
    {
      length = soup_message_headers_get_content_length (headers);
      if (length > (goffset) self->max_body)
        {
          g_autofree char *message = too_large_message (self);

          drop_body (msg);
          refuse (self, msg, route, path, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too-large", message);
        }
    }
}

/* Strict JSON: one object, exactly the route's fields, each a string */
static gboolean
parse_fields (const Route  *route,
              const char   *data,
              gsize         length,
              GHashTable   *values,
              char        **message)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GList) members = NULL;
  JsonObject *object;
  JsonNode *root;

  if (!g_utf8_validate (data, length, NULL) ||
      !json_parser_load_from_data (parser, data, length, &error))
    {
      *message = g_strdup ("De aanvraag is geen geldige JSON. Werk de app bij en probeer het opnieuw.");
      return FALSE;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      *message = g_strdup ("De aanvraag moet een JSON-object zijn. Werk de app bij.");
      return FALSE;
    }

  object = json_node_get_object (root);
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *node = json_object_get_member (object, name);
      gboolean known = FALSE;

      for (guint i = 0; route->fields[i] != NULL; i++)
        if (g_str_equal (route->fields[i], name))
          known = TRUE;

      if (!known)
        {
          *message = g_strdup_printf ("Onbekend veld “%.40s” in de aanvraag. Werk de app bij.", name);
          return FALSE;
        }
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        {
          *message = g_strdup_printf ("Het veld “%s” moet tekst zijn. Werk de app bij.", name);
          return FALSE;
        }
      g_hash_table_insert (values, g_strdup (name), g_strdup (json_node_get_string (node)));
    }

  for (guint i = 0; route->fields[i] != NULL; i++)
    if (!g_hash_table_contains (values, route->fields[i]))
      {
        *message = g_strdup_printf ("Het veld “%s” ontbreekt in de aanvraag. Werk de app bij.",
                                    route->fields[i]);
        return FALSE;
      }

  return TRUE;
}

static gboolean
is_token (const char *value)
{
  gsize len = strlen (value);

  if (len < 16 || len > MAX_TOKEN)
    return FALSE;
  for (const char *p = value; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

static gboolean
is_pem (const char *value,
        const char *label)
{
  g_autofree char *begin = g_strdup_printf ("-----BEGIN %s-----", label);

  return strlen (value) <= MAX_PEM && strstr (value, begin) != NULL;
}

static GBytes *
decode_signature (const char *value)
{
  gsize len = strlen (value);
  guchar *raw;
  gsize raw_len;

  if (len == 0 || len > 200 || len % 4 != 0)
    return NULL;
  for (gsize i = 0; i < len; i++)
    {
      char c = value[i];

      if (c == '=' && i >= len - 2)
        continue;
      if (!g_ascii_isalnum (c) && c != '+' && c != '/')
        return NULL;
    }

  raw = g_base64_decode (value, &raw_len);
  if (raw_len < 8 || raw_len > 80)
    {
      g_free (raw);
      return NULL;
    }
  return g_bytes_new_take (raw, raw_len);
}

static char *
format_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_seconds);

  return dt ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ") : g_strdup ("");
}

static const char *
purpose_name (ZidCodePurpose purpose)
{
  switch (purpose)
    {
    case ZID_CODE_ENROLMENT:
      return "enrolment";
    case ZID_CODE_NEW_CERTIFICATE:
      return "new-certificate";
    case ZID_CODE_LOGIN:
    default:
      return "login";
    }
}

static guint
status_for_error (const GError *error)
{
  if (error->domain != ZID_ERROR)
    return SOUP_STATUS_INTERNAL_SERVER_ERROR;

  switch ((ZidError) error->code)
    {
    case ZID_ERROR_INVALID_INPUT:
      return SOUP_STATUS_BAD_REQUEST;
    case ZID_ERROR_STORE:
    case ZID_ERROR_CRYPTO:
    case ZID_ERROR_IO:
    case ZID_ERROR_AUDIT_BROKEN:
      return SOUP_STATUS_INTERNAL_SERVER_ERROR;
    case ZID_ERROR_BUSY:
      return SOUP_STATUS_SERVICE_UNAVAILABLE;
    case ZID_ERROR_NOT_FOUND:
    case ZID_ERROR_NO_PORTAL_ACCESS:
    case ZID_ERROR_ACTOR_BLOCKED:
    case ZID_ERROR_NOT_PERMITTED:
    case ZID_ERROR_ROLE_NOT_ALLOWED:
    case ZID_ERROR_ONLY_ADMINISTRATOR:
    case ZID_ERROR_NO_MOBILE_ID:
    case ZID_ERROR_ALREADY_BLOCKED:
    case ZID_ERROR_NOT_BLOCKED:
    case ZID_ERROR_ALREADY_REVOKED:
    case ZID_ERROR_USER_BLOCKED:
    case ZID_ERROR_CODE_INVALID:
    case ZID_ERROR_CODE_EXPIRED:
    case ZID_ERROR_CODE_USED:
    case ZID_ERROR_NO_REGISTRATION:
    case ZID_ERROR_REGISTRATION_COMPLETED:
    case ZID_ERROR_WRONG_ENVIRONMENT:
    case ZID_ERROR_CERTIFICATE_INVALID:
    case ZID_ERROR_CERTIFICATE_REVOKED:
    case ZID_ERROR_SIGNATURE_INVALID:
    case ZID_ERROR_SESSION_INVALID:
    default:
      return SOUP_STATUS_FORBIDDEN;
    }
}

static void
request_fail (Request      *req,
              const GError *error)
{
  const char *code = error->domain == ZID_ERROR ? zid_error_code_name (error->code) : "io";

  req->status = status_for_error (error);
  req->error_code = g_strdup (code);
  if (error->domain == ZID_ERROR)
    req->body = error_body (code, error->message);
  else
    {
      /* Not one of the core's sentences: say what to do in our own words */
      g_autofree char *message = g_strdup_printf ("Er ging iets mis op de computer van de beheerder (%s). "
                                                  "Probeer het later opnieuw.", error->message);

      req->body = error_body (code, message);
    }
}

static void
do_preview (Request *req)
{
  ZidPortal *portal = zid_service_get_portal (req->service);
  g_autoptr(ZidEnrolmentInfo) info = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expires = NULL;

  info = zid_portal_enrolment_preview (portal, req->code, req->client, &error);
  if (info == NULL)
    {
      request_fail (req, error);
      return;
    }
  if (info->purpose == ZID_CODE_LOGIN)
    {
      g_set_error_literal (&error, ZID_ERROR, ZID_ERROR_CODE_INVALID,
                           "Deze code is niet bedoeld om een ID toe te voegen; "
                           "scan de QR-code die de beheerder daarvoor toont.");
      request_fail (req, error);
      return;
    }

  expires = format_time (info->expires);
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "purpose");
  json_builder_add_string_value (builder, purpose_name (info->purpose));
  json_builder_set_member_name (builder, "first_name");
  json_builder_add_string_value (builder, info->first_name);
  json_builder_set_member_name (builder, "last_name");
  json_builder_add_string_value (builder, info->last_name);
  json_builder_set_member_name (builder, "organisation");
  json_builder_add_string_value (builder, info->organisation_name ? info->organisation_name : "");
  json_builder_set_member_name (builder, "environment");
  json_builder_add_string_value (builder, zid_environment_to_string (zid_portal_get_environment (portal)));
  json_builder_set_member_name (builder, "expires");
  json_builder_add_string_value (builder, expires);
  json_builder_end_object (builder);

  req->status = SOUP_STATUS_OK;
  req->body = builder_to_string (builder);
}

static void
do_enrol (Request *req)
{
  ZidPortal *portal = zid_service_get_portal (req->service);
  g_autoptr(ZidEnrolResult) result = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;

  /* Atomic in the core; it also tells whom the code was for, and refuses
   * a login code (one transaction, no preview first) */
  result = zid_portal_enrol (portal, req->code, req->client, req->csr, &error);
  if (result == NULL)
    {
      request_fail (req, error);
      return;
    }

  req->user_id = result->info->user_id;
  req->purpose = result->info->purpose;
  req->serial = g_strdup (result->serial);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "certificate");
  json_builder_add_string_value (builder, result->cert_pem);
  json_builder_set_member_name (builder, "chain");
  json_builder_add_string_value (builder, result->chain_pem);
  json_builder_end_object (builder);

  req->status = SOUP_STATUS_OK;
  req->body = builder_to_string (builder);
}

static void
do_login (Request *req)
{
  ZidPortal *portal = zid_service_get_portal (req->service);
  g_autoptr(GError) error = NULL;
  gsize len;
  const guint8 *sig = g_bytes_get_data (req->signature, &len);
  gint64 user;

  user = zid_portal_login_answer (portal, req->client, req->session, req->certificate, sig, len, &error);
  if (user <= 0)
    {
      if (error == NULL)
        g_set_error_literal (&error, ZID_ERROR, ZID_ERROR_SESSION_INVALID,
                             "De inlog is niet geaccepteerd. Vraag om een nieuwe inlog-QR-code en scan die.");
      request_fail (req, error);
      return;
    }

  req->user_id = user;
  req->status = SOUP_STATUS_OK;
  req->body = g_strdup ("{\"status\":\"accepted\"}");
}

static void
request_thread (gpointer data)
{
  Request *req = data;

  switch (req->route->endpoint)
    {
    case ENDPOINT_PREVIEW:
      do_preview (req);
      break;
    case ENDPOINT_ENROL:
      do_enrol (req);
      break;
    case ENDPOINT_LOGIN:
      do_login (req);
      break;
    case ENDPOINT_SERVICE:
    default:
      g_assert_not_reached ();
    }
}

/* On the main context; request_free follows */
static void
request_done (ZidService *self,
              gpointer    data)
{
  Request *req = data;

  set_json (req->msg, req->status, req->body);
  soup_server_message_unpause (req->msg);
  zid_service_connection_release (self, req->peer);

  /* a refusal by the core counts against the client; the machine's
   * failures and success do not */
  attempt_end (req->msg, req->status >= 400 && req->status < 500);

  if (req->status == SOUP_STATUS_OK)
    {
      g_debug ("%s from %s: accepted", req->route->path, req->client);
      if (req->route->endpoint == ENDPOINT_ENROL)
        {
          self->stats.enrolments++;
          zid_service_emit_enrolled (self, req->user_id, req->purpose, req->serial);
        }
      else if (req->route->endpoint == ENDPOINT_LOGIN)
        {
          self->stats.logins++;
          zid_service_emit_login_accepted (self, req->session, req->user_id);
        }
      return;
    }

  g_debug ("%s from %s: %u %s", req->route->path, req->client, req->status, req->error_code);
  if (req->status >= 500)
    {
      self->stats.failures++;
      if (req->status == SOUP_STATUS_SERVICE_UNAVAILABLE)
        self->stats.busy++;
      return;
    }

  /* The core audited its own refusal; it counted against the client above */
  self->stats.refused++;
  zid_service_emit_refused (self, req->client, req->route->path, req->error_code);
}

static void
answer_service (ZidService        *self,
                SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *body = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "protocol");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "environment");
  json_builder_add_string_value (builder,
                                 zid_environment_to_string (zid_portal_get_environment (self->portal)));
  json_builder_end_object (builder);
  body = builder_to_string (builder);
  set_json (msg, SOUP_STATUS_OK, body);
}

void
zid_service_handler (SoupServer        *server,
                     SoupServerMessage *msg,
                     const char        *path,
                     GHashTable        *query,
                     gpointer           user_data)
{
  ZidService *self = user_data;
  const Route *route = find_route (path);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *message = NULL;
  ZidServiceConnection *conn;
  Request *req;
  const char *data;
  gsize length;

  /* The early handler answered everything else */
  g_assert (route != NULL);

  if (route->endpoint == ENDPOINT_SERVICE)
    {
      answer_service (self, msg);
      return;
    }

  bytes = soup_message_body_flatten (body);
  data = g_bytes_get_data (bytes, &length);
  if (length > self->max_body)
    {
      message = too_large_message (self);
      refuse (self, msg, route, path, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too-large", message);
      return;
    }
  if (data == NULL || length == 0 || !parse_fields (route, data, length, values, &message))
    {
      refuse (self, msg, route, path, SOUP_STATUS_BAD_REQUEST, "invalid-input",
              message ? message : "De aanvraag is leeg. Werk de app bij en probeer het opnieuw.");
      return;
    }

  req = g_new0 (Request, 1);
  req->route = route;

  switch (route->endpoint)
    {
    case ENDPOINT_PREVIEW:
    case ENDPOINT_ENROL:
      req->code = g_strdup (g_hash_table_lookup (values, "code"));
      if (!is_token (req->code))
        message = g_strdup ("De code in de aanvraag heeft niet de juiste vorm. Scan de QR-code opnieuw.");
      if (route->endpoint == ENDPOINT_ENROL)
        {
          req->csr = g_strdup (g_hash_table_lookup (values, "csr"));
          if (message == NULL && !is_pem (req->csr, "CERTIFICATE REQUEST"))
            message = g_strdup ("Het certificaatverzoek is geen PKCS#10-verzoek in PEM-vorm. Werk de app bij.");
        }
      break;
    case ENDPOINT_LOGIN:
      req->session = g_strdup (g_hash_table_lookup (values, "session"));
      req->certificate = g_strdup (g_hash_table_lookup (values, "certificate"));
      req->signature = decode_signature (g_hash_table_lookup (values, "signature"));
      if (!is_token (req->session))
        message = g_strdup ("De inlogsessie in de aanvraag heeft niet de juiste vorm. "
                            "Scan de inlog-QR-code opnieuw.");
      else if (!is_pem (req->certificate, "CERTIFICATE"))
        message = g_strdup ("Het meegestuurde certificaat is geen certificaat in PEM-vorm. Werk de app bij.");
      else if (req->signature == NULL)
        message = g_strdup ("De handtekening is geen base64 van een DER-gecodeerde ECDSA-handtekening. "
                            "Werk de app bij.");
      break;
    case ENDPOINT_SERVICE:
    default:
      g_assert_not_reached ();
    }

  if (message != NULL)
    {
      request_free (req);
      refuse (self, msg, route, path, SOUP_STATUS_BAD_REQUEST, "invalid-input", message);
      return;
    }

  req->service = g_object_ref (self);
  req->msg = g_object_ref (msg);
  req->peer = zid_service_peer_key (soup_server_message_get_remote_address (msg));
  req->client = client_key_for (msg);

  /* The message and the service are let go on the main context, in
   * request_free after request_done, never in the worker */
  if (!zid_service_run_job (self, TRUE, request_thread, request_done, req,
                            (GDestroyNotify) request_free))
    {
      g_autofree char *retry = g_strdup_printf ("%u", ZID_SERVICE_RETRY_AFTER);

      request_free (req);
      refuse (self, msg, route, path, SOUP_STATUS_SERVICE_UNAVAILABLE, "busy", BUSY_MESSAGE);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", retry);
      return;
    }

  conn = zid_service_find_connection (self, msg);
  if (conn != NULL)
    zid_service_connection_hold (conn);
  soup_server_message_pause (msg);
}
