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

#include <poll.h>
#include <string.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "zid-error.h"
#include "zid-service-private.h"
#include "zid-strict-json.h"
#include "zid-admin-calls.h"
#include "zid-wire.h"

typedef enum
{
  ENDPOINT_SERVICE,
  ENDPOINT_PREVIEW,
  ENDPOINT_ENROL,
  ENDPOINT_LOGIN,
  ENDPOINT_ADMIN_LOGIN,
  ENDPOINT_ADMIN_SESSION,
  ENDPOINT_ADMIN_LOGOUT,
  ENDPOINT_ADMIN_COMMAND,
  ENDPOINT_ADMIN_CALL,
} Endpoint;

typedef struct
{
  const char  *path;
  const char  *method;
  Endpoint     endpoint;
  gboolean     secret;      /* carries a code or answers a session: throttled */
  const char  *fields[4];
  gboolean     admin;       /* the admin API: served only with zid_service_set_admin () */
  const char  *optional;    /* a field the request may leave out */
  gboolean     upload;      /* its body may be up to ZID_SERVICE_MAX_UPLOAD */
} Route;

static const Route routes[] = {
  { "/v1/service", "GET", ENDPOINT_SERVICE, FALSE, { NULL } },
  { "/v1/enrolment/preview", "POST", ENDPOINT_PREVIEW, TRUE, { "code", NULL } },
  { "/v1/enrolment", "POST", ENDPOINT_ENROL, TRUE, { "code", "csr", NULL } },
  { "/v1/login", "POST", ENDPOINT_LOGIN, TRUE, { "session", "certificate", "signature", NULL } },
  /* docs/server.md, "The admin API" */
  { "/v1/admin/login", "POST", ENDPOINT_ADMIN_LOGIN, TRUE, { "client", NULL }, TRUE },
  { "/v1/admin/session", "POST", ENDPOINT_ADMIN_SESSION, TRUE, { "token", NULL }, TRUE },
  { "/v1/admin/logout", "POST", ENDPOINT_ADMIN_LOGOUT, TRUE, { "token", NULL }, TRUE },
  { "/v1/admin/command", "POST", ENDPOINT_ADMIN_COMMAND, TRUE, { "token", "command", "json", NULL },
    TRUE, "input", TRUE },
  { "/v1/admin/call", "POST", ENDPOINT_ADMIN_CALL, TRUE, { "token", "method", "args", NULL }, TRUE },
};

/* A command's arguments, at most */
#define MAX_COMMAND_ARGS 64

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
  const char        *language;  /* of the phone's texts: "nl" or "en" */
  /* Whether the phone still waits (zid_portal_enrol_checked) */
  gint64             deadline;  /* monotonic */
  int                fd;        /* a duplicate of the connection's socket, or -1 */

  /* Inputs, copied for the worker */
  char              *code;
  char              *csr;
  char              *session;
  char              *certificate;
  GBytes            *signature;
  char              *token;
  char             **command;   /* the admin command's argv */
  GBytes            *input;     /* and what it reads as its standard input */
  gboolean           json;
  char              *method;    /* the admin call's method */
  JsonNode          *args;      /* and its arguments, an object */

  /* Outputs of the worker */
  guint              status;
  char              *body;
  char              *error_code;
  gint64             user_id;
  int                purpose;
  char              *serial;
  gboolean           abandoned;  /* the phone left before the commit */
} Request;

static void
request_free (Request *req)
{
  g_clear_object (&req->service);
  g_clear_object (&req->msg);
  g_free (req->peer);
  g_free (req->client);
  if (req->fd >= 0)
    close (req->fd);
  if (req->code != NULL)
    explicit_bzero (req->code, strlen (req->code));
  g_free (req->code);
  g_free (req->csr);
  g_free (req->session);
  g_free (req->certificate);
  g_clear_pointer (&req->signature, g_bytes_unref);
  if (req->token != NULL)
    explicit_bzero (req->token, strlen (req->token));
  g_free (req->token);
  g_strfreev (req->command);
  g_clear_pointer (&req->input, g_bytes_unref);
  g_free (req->method);
  g_clear_pointer (&req->args, json_node_unref);
  g_free (req->body);
  g_free (req->error_code);
  g_free (req->serial);
  g_free (req);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

/* The admin API's routes exist only where a host runs its commands */
static const Route *
find_route (ZidService *self,
            const char *path)
{
  for (gsize i = 0; i < G_N_ELEMENTS (routes); i++)
    if (g_str_equal (routes[i].path, path))
      return routes[i].admin && self->admin_func == NULL ? NULL : &routes[i];
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

/* The phone's texts are Dutch unless it asks for English
 * (Accept-Language); never the language of the window hosting the
 * service. Every handler makes its texts in the request's language. */
static const char *
request_language (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  return zid_i18n_negotiate (soup_message_headers_get_list (headers, "Accept-Language"));
}

/* The most a request on @route may carry */
static gsize
max_body_of (ZidService  *self,
             const Route *route)
{
  return route != NULL && route->upload ? ZID_SERVICE_MAX_UPLOAD : self->max_body;
}

static char *
too_large_message (gsize limit)
{
  return g_strdup_printf (_("The request is too large (more than %lu KiB). Update the app; if this "
                            "keeps happening, tell the administrator."),
                          (gulong) ((limit + 1023) / 1024));
}

/* "Wait 3 minutes", "Wait 40 seconds" */
static char *
throttled_message (gint64 wait)
{
  if (wait > 90)
    return g_strdup_printf (_("Too many failed attempts from this network. Wait %d minutes, then scan "
                              "the QR code again."), (int) ((wait + 59) / 60));
  return g_strdup_printf (zid_ngettext ("Too many failed attempts from this network. Wait %d second, "
                                        "then scan the QR code again.",
                                        "Too many failed attempts from this network. Wait %d seconds, "
                                        "then scan the QR code again.", (gulong) wait),
                          (int) wait);
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

/* The audit trail of what the service refused on its own (the core audits
 * what it decides itself): not a row per refusal, which let strangers
 * fill the disk, but per client address and interval one
 * "service.refused" event with their count, by status, error and
 * endpoint. At most MAX_TALLIES addresses get a row of their own per
 * interval; the refusals of the others are summed in one row. */
#define MAX_TALLIES 64
#define MAX_KINDS   6

typedef struct
{
  guint       status;
  const char *code;    /* static */
  const char *path;    /* a route's (static), or "-" */
  guint64     count;
} TallyKind;

struct _ZidRefusalTally
{
  guint64   count;
  guint64   other_kinds;
  guint     n_kinds;
  TallyKind kinds[MAX_KINDS];
};

typedef struct
{
  char *actor;
  char *subject;
  char *details;
} AuditRow;

static void
audit_row_free (gpointer data)
{
  AuditRow *row = data;

  g_free (row->actor);
  g_free (row->subject);
  g_free (row->details);
  g_free (row);
}

typedef struct
{
  ZidService *service;   /* borrowed: the job holds a reference */
  GPtrArray  *rows;
} AuditRows;

static void
audit_rows_free (gpointer data)
{
  AuditRows *rows = data;

  g_ptr_array_unref (rows->rows);
  g_free (rows);
}

static void
audit_rows_thread (gpointer data)
{
  AuditRows *rows = data;
  ZidPortal *portal = zid_service_get_portal (rows->service);

  for (guint i = 0; i < rows->rows->len; i++)
    {
      AuditRow *row = g_ptr_array_index (rows->rows, i);
      g_autoptr(GError) error = NULL;

      if (!zid_portal_audit (portal, row->actor, "service.refused", row->subject, row->details, &error))
        g_warning ("Cannot audit refused requests: %s", error->message);
    }
}

static void
audit_rows_done (ZidService *self,
                 gpointer    data)
{
  self->audit_writing = FALSE;
  /* The service stopped while this summary was written: what it held
   * back then has no timer left to write it */
  if (!zid_service_is_running (self))
    zid_service_flush_refusals (self);
}

static void
tally_add (ZidRefusalTally *tally,
           guint            status,
           const char      *code,
           const char      *path,
           guint64          count)
{
  tally->count += count;
  for (guint i = 0; i < tally->n_kinds; i++)
    if (tally->kinds[i].status == status && g_str_equal (tally->kinds[i].code, code) &&
        g_str_equal (tally->kinds[i].path, path))
      {
        tally->kinds[i].count += count;
        return;
      }
  if (tally->n_kinds == MAX_KINDS)
    {
      tally->other_kinds += count;
      return;
    }
  tally->kinds[tally->n_kinds++] = (TallyKind) { status, code, path, count };
}

static AuditRow *
tally_row (const char            *client,
           const ZidRefusalTally *tally,
           guint                  seconds)
{
  AuditRow *row = g_new0 (AuditRow, 1);
  GString *details = g_string_new (NULL);

  g_string_append_printf (details, "count=%" G_GUINT64_FORMAT " interval=%us:", tally->count, seconds);
  for (guint i = 0; i < tally->n_kinds; i++)
    g_string_append_printf (details, " %u %s %s ×%" G_GUINT64_FORMAT ";", tally->kinds[i].status,
                            tally->kinds[i].code, tally->kinds[i].path, tally->kinds[i].count);
  if (tally->other_kinds > 0)
    g_string_append_printf (details, " other ×%" G_GUINT64_FORMAT ";", tally->other_kinds);
  g_string_truncate (details, details->len - 1);

  row->actor = g_strdup_printf ("phone@%s", client);
  if (tally->n_kinds == 1 && !g_str_equal (tally->kinds[0].path, "-"))
    row->subject = g_strdup (tally->kinds[0].path);
  row->details = g_string_free (details, FALSE);
  return row;
}

/* Counts a refusal the service decided itself, for the next summary */
static void
tally_refusal (ZidService *self,
               const char *client,
               const char *path,
               guint       status,
               const char *code)
{
  const Route *route = find_route (self, path);
  ZidRefusalTally *tally = g_hash_table_lookup (self->refusals, client);

  if (tally == NULL && g_hash_table_size (self->refusals) < MAX_TALLIES)
    {
      tally = g_new0 (ZidRefusalTally, 1);
      g_hash_table_insert (self->refusals, g_strdup (client), tally);
    }
  if (tally == NULL)
    {
      if (self->refusals_other == NULL)
        self->refusals_other = g_new0 (ZidRefusalTally, 1);
      tally = self->refusals_other;
    }
  tally_add (tally, status, code, route != NULL ? route->path : "-", 1);
}

/* Writes the refusals counted since the last summary (in a worker); with
 * the disk nearly full, or a summary still being written, they are kept
 * for the next */
void
zid_service_flush_refusals (ZidService *self)
{
  g_autoptr(GPtrArray) rows = NULL;
  GHashTableIter iter;
  gpointer client, tally;
  AuditRows *job;

  if (self->audit_writing || zid_service_disk_low (self) ||
      (g_hash_table_size (self->refusals) == 0 && self->refusals_other == NULL))
    return;

  rows = g_ptr_array_new_with_free_func (audit_row_free);
  g_hash_table_iter_init (&iter, self->refusals);
  while (g_hash_table_iter_next (&iter, &client, &tally))
    g_ptr_array_add (rows, tally_row (client, tally, self->audit_interval));
  if (self->refusals_other != NULL)
    g_ptr_array_add (rows, tally_row ("*", self->refusals_other, self->audit_interval));
  g_hash_table_remove_all (self->refusals);
  g_clear_pointer (&self->refusals_other, g_free);
  self->stats.audit_rows += rows->len;

  job = g_new0 (AuditRows, 1);
  job->service = self;
  job->rows = g_steal_pointer (&rows);
  self->audit_writing = TRUE;
  zid_service_run_job (self, FALSE, audit_rows_thread, audit_rows_done, job, audit_rows_free);
}

/* Answers @msg with a refusal the service decided itself */
#define BUSY_MESSAGE _("The ZORG-ID service is too busy for a moment. Try again in a few seconds; " \
                       "the QR code stays valid.")

/* A throttled attempt (zid_throttle_begin) rides on its message, so it
 * ends however the message does: answered, refused, or its connection
 * gone (then it does not count as a failure) */
typedef struct
{
  ZidThrottle *throttle;   /* owned */
  char        *client;
  char        *value;      /* the code or session it carries, once read */
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
attempt_finish (Attempt            *a,
                ZidThrottleOutcome  outcome)
{
  zid_throttle_end (a->throttle, a->client, a->value, outcome);
  zid_throttle_unref (a->throttle);
  g_free (a->client);
  if (a->value != NULL)
    explicit_bzero (a->value, strlen (a->value));
  g_free (a->value);
  g_free (a);
}

static void
attempt_free (gpointer data)
{
  attempt_finish (data, ZID_THROTTLE_NEUTRAL);
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

/* The code or session @msg's attempt carries */
static void
attempt_set_value (SoupServerMessage *msg,
                   const char        *value)
{
  Attempt *a = g_object_get_qdata (G_OBJECT (msg), attempt_quark ());

  if (a != NULL && value != NULL)
    {
      g_free (a->value);
      a->value = g_strdup (value);
    }
}

/* Ends @msg's attempt; FALSE if it had none */
static gboolean
attempt_end (SoupServerMessage  *msg,
             ZidThrottleOutcome  outcome)
{
  Attempt *a = g_object_steal_qdata (G_OBJECT (msg), attempt_quark ());

  if (a == NULL)
    return FALSE;
  attempt_finish (a, outcome);
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
      if (g_str_equal (code, "no-space"))
        self->stats.no_space++;
      else if (status == SOUP_STATUS_SERVICE_UNAVAILABLE)
        self->stats.busy++;
      attempt_end (msg, ZID_THROTTLE_NEUTRAL);
    }
  else
    {
      self->stats.refused++;
      if (status == ZID_STATUS_TOO_MANY_REQUESTS)
        self->stats.throttled++;
      else if (!attempt_end (msg, ZID_THROTTLE_FAILED) && route != NULL && route->secret)
        zid_throttle_failure (self->throttle, client);
    }

  g_debug ("refused %s from %s: %u %s", path, client, status, code);
  tally_refusal (self, client, path, status, code);
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

  if (soup_server_message_get_status (msg) == 0 &&
      *seen > (goffset) max_body_of (self, find_route (self, g_uri_get_path (soup_server_message_get_uri (msg)))))
    {
      const char *language = zid_i18n_set_thread_language (request_language (msg));
      g_autofree char *message = too_large_message (max_body_of (self, find_route (self, g_uri_get_path (soup_server_message_get_uri (msg)))));

      zid_i18n_set_thread_language (language);

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

/* When the request's headers came in (monotonic) */
static GQuark
started_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("zid-service-started");
  return quark;
}

static void
early_handler (SoupServerMessage *msg,
               const char        *path,
               gpointer           user_data)
{
  ZidService *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *method = soup_server_message_get_method (msg);
  const Route *route = find_route (self, path);
  g_autofree char *client = NULL;
  const char *type;
  gboolean busy;
  goffset length;
  gint64 *started;
  gint64 wait;

  self->stats.requests++;
  g_signal_connect_object (msg, "got-chunk", G_CALLBACK (got_chunk_cb), self, 0);
  started = g_new (gint64, 1);
  *started = g_get_monotonic_time ();
  g_object_set_qdata_full (G_OBJECT (msg), started_quark (), started, g_free);

  if (route == NULL)
    {
      drop_body (msg);
      refuse (self, msg, NULL, path, SOUP_STATUS_NOT_FOUND, "not-found",
              _("The ZORG-ID service does not know this address. Update the app and scan the QR "
                "code again."));
      return;
    }

  if (!g_str_equal (method, route->method))
    {
      g_autofree char *message = g_strdup_printf (_("This request uses the wrong method (expected: "
                                                    "%s). Update the app."), route->method);

      drop_body (msg);
      refuse (self, msg, route, path, SOUP_STATUS_METHOD_NOT_ALLOWED, "method-not-allowed", message);
      return;
    }

  /* Nothing is taken on that would need the disk when it is nearly full */
  if (route->secret && zid_service_disk_low (self))
    {
      g_autofree char *retry = g_strdup_printf ("%u", ZID_SERVICE_NO_SPACE_RETRY_AFTER);

      drop_body (msg);
      refuse (self, msg, route, path, SOUP_STATUS_SERVICE_UNAVAILABLE, "no-space", NO_SPACE_MESSAGE);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", retry);
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
                  _("This request should have no content. Update the app."));
        }
      return;
    }

  type = soup_message_headers_get_content_type (headers, NULL);
  if (type == NULL || g_ascii_strcasecmp (type, "application/json") != 0)
    {
      drop_body (msg);
      refuse (self, msg, route, path, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type",
              _("The request must be JSON (Content-Type: application/json). Update the app."));
      return;
    }

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
    {
      length = soup_message_headers_get_content_length (headers);
      if (length > (goffset) max_body_of (self, route))
        {
          g_autofree char *message = too_large_message (max_body_of (self, route));

          drop_body (msg);
          refuse (self, msg, route, path, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too-large", message);
        }
    }
}

/* Strict JSON (zid-strict-json.c): one object, exactly the route's
 * fields, each a string */
static gboolean
parse_fields (const Route  *route,
              const char   *data,
              gsize         length,
              GHashTable   *values,
              char        **message)
{
  GHashTableIter iter;
  gpointer name;

  if (!zid_strict_json_read_object (data, length, values, message))
    return FALSE;

  g_hash_table_iter_init (&iter, values);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    {
      gboolean known = FALSE;

      for (guint i = 0; route->fields[i] != NULL; i++)
        if (g_str_equal (route->fields[i], name))
          known = TRUE;
      if (route->optional != NULL && g_str_equal (route->optional, name))
        known = TRUE;
      if (!known)
        {
          g_autofree char *shown = zid_strict_json_shorten (name);

          *message = g_strdup_printf (_("Unknown field “%s” in the request. Update the app."), shown);
          return FALSE;
        }
    }

  for (guint i = 0; route->fields[i] != NULL; i++)
    if (!g_hash_table_contains (values, route->fields[i]))
      {
        *message = g_strdup_printf (_("The field “%s” is missing from the request. Update the app."),
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

/* Strict base64 (the standard alphabet, padded) of at most @max_len
 * characters; NULL if it is not */
static GBytes *
decode_base64 (const char *value,
               gsize       max_len)
{
  gsize len = strlen (value);
  guchar *raw;
  gsize raw_len;

  if (len > max_len || len % 4 != 0)
    return NULL;
  for (gsize i = 0; i < len; i++)
    {
      char c = value[i];

      if (c == '=' && i >= len - 2)
        continue;
      if (!g_ascii_isalnum (c) && c != '+' && c != '/')
        return NULL;
    }
  if (len == 0)
    return g_bytes_new (NULL, 0);
  raw = g_base64_decode (value, &raw_len);
  return g_bytes_new_take (raw, raw_len);
}

/* A DER-encoded ECDSA signature in base64 */
static GBytes *
decode_signature (const char *value)
{
  g_autoptr(GBytes) raw = decode_base64 (value, 200);

  if (raw == NULL || g_bytes_get_size (raw) < 8 || g_bytes_get_size (raw) > 80)
    return NULL;
  return g_steal_pointer (&raw);
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
      g_autofree char *message = g_strdup_printf (_("Something went wrong on the administrator's "
                                                    "computer (%s). Try again later."), error->message);

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
                           _("This code is not meant for adding an ID; scan the QR code the "
                             "administrator shows for that."));
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

/* The phone has closed its side of the connection (a FIN, even with data
 * of it still unread), or it is gone */
static gboolean
peer_gone (int fd)
{
  struct pollfd p = { fd, POLLRDHUP, 0 };

  return fd >= 0 && poll (&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

/* In the worker, just before the enrolment is committed */
static gboolean
phone_still_waits (gpointer data)
{
  Request *req = data;

  return g_get_monotonic_time () < req->deadline && !peer_gone (req->fd);
}

static void
do_enrol (Request *req)
{
  ZidPortal *portal = zid_service_get_portal (req->service);
  g_autoptr(ZidEnrolResult) result = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;

  /* Atomic in the core; it also tells whom the code was for, and refuses
   * a login code (one transaction, no preview first). It is committed only
   * while the phone still waits for the answer. */
  result = zid_portal_enrol_checked (portal, req->code, req->client, req->csr,
                                     phone_still_waits, req, &error);
  if (result == NULL)
    {
      if (g_error_matches (error, ZID_ERROR, ZID_ERROR_BUSY) && !phone_still_waits (req))
        req->abandoned = TRUE;
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
                             _("The login was not accepted. Ask for a new login QR code and scan "
                               "it."));
      request_fail (req, error);
      return;
    }

  req->user_id = user;
  req->status = SOUP_STATUS_OK;
  req->body = g_strdup ("{\"status\":\"accepted\"}");
}

static void
set_body (Request     *req,
          JsonBuilder *builder)
{
  json_builder_end_object (builder);
  req->status = SOUP_STATUS_OK;
  req->body = builder_to_string (builder);
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static void
do_admin_login (Request *req)
{
  ZidPortal *portal = zid_service_get_portal (req->service);
  g_autoptr(ZidOneTimeCode) login = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *expires = NULL;

  login = zid_portal_admin_session_begin (portal, req->client, &token, &error);
  if (login == NULL)
    {
      request_fail (req, error);
      return;
    }
  expires = format_time (login->expires);
  json_builder_begin_object (builder);
  add_string (builder, "token", token);
  add_string (builder, "login", login->payload);
  add_string (builder, "expires", expires);
  set_body (req, builder);
  explicit_bzero (token, strlen (token));
}

/* The session's user, or 0 (the request failed or its login still waits) */
static gint64
check_session (Request              *req,
               ZidAdminSessionState *state,
               gint64               *expires)
{
  ZidPortal *portal = zid_service_get_portal (req->service);
  g_autoptr(GError) error = NULL;
  gint64 user = 0;

  if (!zid_portal_admin_session_check (portal, req->client, req->token, state, &user, expires, &error))
    request_fail (req, error);
  return user;
}

static void
do_admin_session (Request *req)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *expires_text = NULL;
  ZidAdminSessionState state;
  gint64 expires = 0;
  gint64 user;

  user = check_session (req, &state, &expires);
  if (req->status != 0)
    return;
  expires_text = format_time (expires);
  json_builder_begin_object (builder);
  add_string (builder, "state", state == ZID_ADMIN_SESSION_ACTIVE ? "active" : "pending");
  json_builder_set_member_name (builder, "user");
  json_builder_add_int_value (builder, user);
  add_string (builder, "expires", expires_text);
  set_body (req, builder);
}

static void
do_admin_logout (Request *req)
{
  ZidPortal *portal = zid_service_get_portal (req->service);
  g_autoptr(GError) error = NULL;

  if (!zid_portal_admin_session_end (portal, req->client, req->token, &error))
    {
      request_fail (req, error);
      return;
    }
  req->status = SOUP_STATUS_OK;
  req->body = g_strdup ("{\"state\":\"ended\"}");
}

/* The user of an active session, or 0 (the request failed) */
static gint64
active_session_user (Request *req)
{
  g_autoptr(GError) error = NULL;
  ZidAdminSessionState state;
  gint64 user;

  user = check_session (req, &state, NULL);
  if (req->status != 0 || user != 0)
    return user;
  error = g_error_new_literal (ZID_ERROR, ZID_ERROR_SESSION_INVALID,
                               _("The login QR code has not been scanned yet: scan it with the "
                                 "ZORG-ID app first"));
  request_fail (req, error);
  return 0;
}

/* The command runs as the session's user, in this worker, through the
 * host's runner (zorgid-admin's command table); its answer is what the
 * command line would have printed, and its exit status */
static void
do_admin_command (Request *req)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GString) err = g_string_new (NULL);
  gint64 user;
  int status;

  if ((user = active_session_user (req)) == 0)
    return;

  status = req->service->admin_func (req->service, user, req->command, req->input, req->json, out,
                                     err, req->service->admin_data);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_int_value (builder, status);
  add_string (builder, "stdout", out->str);
  add_string (builder, "stderr", err->str);
  set_body (req, builder);
}

/* A method of the window's backend (zid-admin-calls.c), as the session's
 * user; a refusal of the core is an answer, {"refused": error} */
static void
do_admin_call (Request *req)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  gint64 user;

  if ((user = active_session_user (req)) == 0)
    return;

  json_builder_begin_object (builder);
  if (!zid_admin_call (zid_service_get_portal (req->service), user, req->method,
                       json_node_get_object (req->args), builder, &error))
    {
      if (g_error_matches (error, ZID_ERROR, ZID_ERROR_STORE) || error->domain != ZID_ERROR)
        {
          request_fail (req, error);
          return;
        }
      json_builder_set_member_name (builder, "refused");
      zid_wire_add_error (builder, error);
    }
  set_body (req, builder);
}

static void
request_thread (gpointer data)
{
  Request *req = data;
  const char *language = zid_i18n_set_thread_language (req->language);

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
    case ENDPOINT_ADMIN_LOGIN:
      do_admin_login (req);
      break;
    case ENDPOINT_ADMIN_SESSION:
      do_admin_session (req);
      break;
    case ENDPOINT_ADMIN_LOGOUT:
      do_admin_logout (req);
      break;
    case ENDPOINT_ADMIN_COMMAND:
      do_admin_command (req);
      break;
    case ENDPOINT_ADMIN_CALL:
      do_admin_call (req);
      break;
    case ENDPOINT_SERVICE:
    default:
      g_assert_not_reached ();
    }
  zid_i18n_set_thread_language (language);
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
  attempt_end (req->msg, req->status == SOUP_STATUS_OK ? ZID_THROTTLE_SUCCEEDED :
                        req->status >= 400 && req->status < 500 ? ZID_THROTTLE_FAILED :
                        ZID_THROTTLE_NEUTRAL);

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
  if (req->abandoned)
    {
      /* Nobody reads this answer; nothing was kept */
      self->stats.abandoned++;
      tally_refusal (self, req->client, req->route->path, req->status, "abandoned");
      return;
    }
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

static void
handler (SoupServerMessage *msg,
         const char        *path,
         gpointer           user_data)
{
  ZidService *self = user_data;
  const Route *route = find_route (self, path);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *message = NULL;
  ZidServiceConnection *conn;
  Request *req;
  const char *data;
  gint64 *started;
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
  if (length > max_body_of (self, route))
    {
      message = too_large_message (max_body_of (self, route));
      refuse (self, msg, route, path, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too-large", message);
      return;
    }
  if (data == NULL || length == 0 || !parse_fields (route, data, length, values, &message))
    {
      refuse (self, msg, route, path, SOUP_STATUS_BAD_REQUEST, "invalid-input",
              message ? message : _("The request is empty. Update the app and try again."));
      return;
    }

  req = g_new0 (Request, 1);
  req->route = route;
  req->language = request_language (msg);
  req->fd = -1;

  switch (route->endpoint)
    {
    case ENDPOINT_PREVIEW:
    case ENDPOINT_ENROL:
      req->code = g_strdup (g_hash_table_lookup (values, "code"));
      if (!is_token (req->code))
        message = g_strdup (_("The code in the request does not have the right form. Scan the QR "
                              "code again."));
      if (route->endpoint == ENDPOINT_ENROL)
        {
          req->csr = g_strdup (g_hash_table_lookup (values, "csr"));
          if (message == NULL && !is_pem (req->csr, "CERTIFICATE REQUEST"))
            message = g_strdup (_("The certificate request is not a PKCS#10 request in PEM form. "
                                  "Update the app."));
        }
      break;
    case ENDPOINT_LOGIN:
      req->session = g_strdup (g_hash_table_lookup (values, "session"));
      req->certificate = g_strdup (g_hash_table_lookup (values, "certificate"));
      req->signature = decode_signature (g_hash_table_lookup (values, "signature"));
      if (!is_token (req->session))
        message = g_strdup (_("The login session in the request does not have the right form. Scan "
                              "the login QR code again."));
      else if (!is_pem (req->certificate, "CERTIFICATE"))
        message = g_strdup (_("The certificate sent is not a certificate in PEM form. Update the "
                              "app."));
      else if (req->signature == NULL)
        message = g_strdup (_("The signature is not the base64 of a DER-encoded ECDSA signature. "
                              "Update the app."));
      break;
    case ENDPOINT_ADMIN_LOGIN:
      if (strlen (g_hash_table_lookup (values, "client")) > MAX_TOKEN)
        message = g_strdup (_("The client's name is too long."));
      break;
    case ENDPOINT_ADMIN_COMMAND:
      req->json = g_str_equal (g_hash_table_lookup (values, "json"), "true");
      if (!g_str_equal (g_hash_table_lookup (values, "json"), "false") && !req->json)
        message = g_strdup (_("The field “json” must be “true” or “false”."));
      else if (!g_shell_parse_argv (g_hash_table_lookup (values, "command"), NULL, &req->command, NULL) ||
               g_strv_length (req->command) > MAX_COMMAND_ARGS)
        message = g_strdup (_("The command does not parse as the words of a command line."));
      else if (g_hash_table_contains (values, "input") &&
               (req->input = decode_base64 (g_hash_table_lookup (values, "input"), G_MAXSIZE)) == NULL)
        message = g_strdup (_("The field “input” is not base64."));
      G_GNUC_FALLTHROUGH;
    case ENDPOINT_ADMIN_CALL:
      if (route->endpoint == ENDPOINT_ADMIN_CALL)
        {
          req->method = g_strdup (g_hash_table_lookup (values, "method"));
          req->args = json_from_string (g_hash_table_lookup (values, "args"), NULL);
          if (req->args == NULL || !JSON_NODE_HOLDS_OBJECT (req->args))
            message = g_strdup (_("The field “args” is not a JSON object."));
        }
      G_GNUC_FALLTHROUGH;
    case ENDPOINT_ADMIN_SESSION:
    case ENDPOINT_ADMIN_LOGOUT:
      req->token = g_strdup (g_hash_table_lookup (values, "token"));
      if (message == NULL && !is_token (req->token))
        message = g_strdup (_("The session token does not have the right form: log in again."));
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
  started = g_object_get_qdata (G_OBJECT (msg), started_quark ());
  req->deadline = (started ? *started : g_get_monotonic_time ()) +
                  self->enrol_deadline * G_TIME_SPAN_SECOND;
  conn = zid_service_find_connection (self, msg);
  if (conn != NULL)
    req->fd = zid_service_connection_dup_fd (conn);
  attempt_set_value (msg, req->code != NULL ? req->code : req->session != NULL ? req->session : req->token);

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

  if (conn != NULL)
    zid_service_connection_hold (conn);
  soup_server_message_pause (msg);
}

/* A handler's texts in the request's language */
static void
in_request_language (void             (*handle) (SoupServerMessage *, const char *, gpointer),
                     SoupServerMessage *msg,
                     const char        *path,
                     gpointer           user_data)
{
  const char *language = zid_i18n_set_thread_language (request_language (msg));

  handle (msg, path, user_data);
  zid_i18n_set_thread_language (language);
}

void
zid_service_early_handler (SoupServer        *server,
                           SoupServerMessage *msg,
                           const char        *path,
                           GHashTable        *query,
                           gpointer           user_data)
{
  in_request_language (early_handler, msg, path, user_data);
}

void
zid_service_handler (SoupServer        *server,
                     SoupServerMessage *msg,
                     const char        *path,
                     GHashTable        *query,
                     gpointer           user_data)
{
  in_request_language (handler, msg, path, user_data);
}
