/* zid-remote-backend.c — the window's backend on an organisation server
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <string.h>

#include "zid-admin-client.h"
#include "zid-i18n.h"
#include "zid-remote-backend.h"
#include "zid-wire.h"

/* How often the changes thread asks the server, in ms */
#define CHANGES_INTERVAL_MS 500

struct _ZidRemoteBackend
{
  GObject          parent_instance;

  char            *connection_code;
  char            *data_dir;
  ZidEnvironment   environment;
  ZidClock        *clock;
  GMainContext    *context;         /* where the signals are emitted */

  GMutex           client_lock;     /* one request at a time on: */
  ZidAdminClient  *client;

  GMutex           lock;            /* guards what follows; never held while waiting */
  char            *token;           /* the active session's, or NULL */
  gboolean         unreachable;     /* the last request had no answer */

  /* The changes thread: its own client, so it never waits for a call */
  GThread         *changes_thread;
  GCond            changes_cond;
  gboolean         stopping;
  gint64           latest;          /* the server's newest change, -1 unknown */
};

static void zid_remote_backend_iface_init (ZidBackendInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ZidRemoteBackend, zid_remote_backend, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (ZID_TYPE_BACKEND, zid_remote_backend_iface_init))

/* The language of the server's texts: the window's */
static const char *
answer_language (void)
{
  const char * const *names = g_get_language_names ();

  return names[0] != NULL && g_str_has_prefix (names[0], "nl") ? "nl" : "en";
}

static gchar *
dup_token (ZidRemoteBackend *self)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  return g_strdup (self->token);
}

/* The server's refusal {"error", "message"} as the core's error */
static GError *
refusal_error (JsonObject *answer,
               guint       status)
{
  const char *code = json_object_get_string_member_with_default (answer, "error", "");
  const char *message = json_object_get_string_member_with_default (answer, "message", NULL);
  int zid_code = zid_error_code_from_name (code);

  GError *error = NULL;

  if (message == NULL)
    {
      g_debug ("An answer of HTTP %u without a message", status);
      zid_wire_bad_form (&error, "error");
      return error;
    }
  return g_error_new_literal (ZID_ERROR, zid_code >= 0 ? zid_code : ZID_ERROR_STORE, message);
}

/* ---- signals, on the backend's main context ------------------------------ */

typedef struct
{
  ZidRemoteBackend *self;
  char             *session_ended;   /* NULL: "status-changed" */
} Emission;

static gboolean
emit_cb (gpointer data)
{
  Emission *e = data;

  if (e->session_ended != NULL)
    g_signal_emit_by_name (e->self, "session-ended", e->session_ended);
  else
    g_signal_emit_by_name (e->self, "status-changed");
  return G_SOURCE_REMOVE;
}

static void
emission_free (gpointer data)
{
  Emission *e = data;

  g_object_unref (e->self);
  g_free (e->session_ended);
  g_free (e);
}

static void
emit_later (ZidRemoteBackend *self,
            const char       *session_ended)
{
  Emission *e = g_new0 (Emission, 1);

  e->self = g_object_ref (self);
  e->session_ended = g_strdup (session_ended);
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, emit_cb, e, emission_free);
}

/* After every request: whether the server answered at all */
static void
note_answer (ZidRemoteBackend *self,
             const GError     *error)
{
  gboolean unreachable = g_error_matches (error, ZID_ADMIN_CLIENT_ERROR, ZID_ADMIN_CLIENT_ERROR_UNREACHABLE);
  gboolean changed;

  g_mutex_lock (&self->lock);
  changed = self->unreachable != unreachable;
  self->unreachable = unreachable;
  g_mutex_unlock (&self->lock);
  if (changed)
    emit_later (self, NULL);
}

/* The server refused the session @token (ended, expired, its user
 * blocked or no longer an administrator): it is over here too */
static void
note_session_refused (ZidRemoteBackend *self,
                      const char       *token,
                      const GError     *error)
{
  gboolean ended = FALSE;

  if (error == NULL || error->domain != ZID_ERROR ||
      (error->code != ZID_ERROR_SESSION_INVALID && error->code != ZID_ERROR_ACTOR_BLOCKED &&
       error->code != ZID_ERROR_NO_PORTAL_ACCESS))
    return;
  g_mutex_lock (&self->lock);
  if (self->token != NULL && g_strcmp0 (self->token, token) == 0)
    {
      explicit_bzero (self->token, strlen (self->token));
      g_clear_pointer (&self->token, g_free);
      ended = TRUE;
    }
  g_mutex_unlock (&self->lock);
  if (ended)
    emit_later (self, error->message);
}

/* POSTs to @path with @client (NULL: the shared one, under its lock) */
static JsonObject *
post (ZidRemoteBackend  *self,
      ZidAdminClient    *client,
      const char        *path,
      GError           **error,
      const char        *name1,
      const char        *value1,
      const char        *name2,
      const char        *value2,
      const char        *name3,
      const char        *value3)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GError) local_error = NULL;
  guint status = 0;

  if (client == NULL)
    {
      g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->client_lock);

      answer = zid_admin_client_call (self->client, path, answer_language (), &status, &local_error,
                                      name1, value1, name2, value2, name3, value3, NULL);
    }
  else
    answer = zid_admin_client_call (client, path, answer_language (), &status, &local_error,
                                    name1, value1, name2, value2, name3, value3, NULL);
  note_answer (self, local_error);
  if (answer == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (status != 200)
    {
      g_propagate_error (error, refusal_error (answer, status));
      return NULL;
    }
  return g_steal_pointer (&answer);
}

/* An argument object, for call() */
static JsonBuilder *
args_new (void)
{
  JsonBuilder *args = json_builder_new ();

  json_builder_begin_object (args);
  return args;
}

/* Runs @method at the server with @args (an object args_new began) and
 * returns its "result"; a refusal of the core is @error, as the local
 * call would have given it */
static JsonNode *
call_with (ZidRemoteBackend  *self,
           ZidAdminClient    *client,
           const char        *method,
           JsonBuilder       *args,
           GError           **error)
{
  g_autoptr(JsonNode) args_root = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *token = dup_token (self);
  g_autofree char *args_text = NULL;
  JsonNode *node;

  if (token == NULL)
    {
      g_set_error_literal (error, ZID_ERROR, ZID_ERROR_SESSION_INVALID,
                           _("You are not logged in at the portal server: scan the login QR code "
                             "with the ZORG-ID app"));
      return NULL;
    }
  json_builder_end_object (args);
  args_root = json_builder_get_root (args);
  args_text = json_to_string (args_root, FALSE);
  answer = post (self, client, "/v1/admin/call", &local_error, "token", token, "method", method,
                 "args", args_text);
  if (answer == NULL)
    note_session_refused (self, token, local_error);
  explicit_bzero (token, strlen (token));
  if (answer == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if ((node = json_object_get_member (answer, "refused")) != NULL)
    {
      g_propagate_error (error, zid_wire_get_error (node));
      return NULL;
    }
  if ((node = json_object_get_member (answer, "result")) == NULL)
    {
      zid_wire_bad_form (error, "result");
      return NULL;
    }
  return json_node_ref (node);
}

static JsonNode *
call (ZidRemoteBackend  *self,
      const char        *method,
      JsonBuilder       *args,
      GError           **error)
{
  return call_with (self, NULL, method, args, error);
}

/* @method's result, a list of users (zid_wire_get_users) */
static GPtrArray *
call_users (ZidRemoteBackend  *self,
            const char        *method,
            JsonBuilder       *args,
            GError           **error)
{
  g_autoptr(JsonNode) result = call (self, method, args, error);

  return result ? zid_wire_get_users (result, error) : NULL;
}

/* @method's result, an array of @get's values */
static GPtrArray *
call_array (ZidRemoteBackend  *self,
            const char        *method,
            JsonBuilder       *args,
            ZidWireGetFunc     get,
            GDestroyNotify     free_func,
            GError           **error)
{
  g_autoptr(JsonNode) result = call (self, method, args, error);

  return result ? zid_wire_get_array (result, get, free_func, error) : NULL;
}

static gboolean
call_done (ZidRemoteBackend  *self,
           const char        *method,
           JsonBuilder       *args,
           GError           **error)
{
  g_autoptr(JsonNode) result = call (self, method, args, error);

  return result != NULL;
}

#define REMOTE(backend) ZID_REMOTE_BACKEND (backend)

/* ---- login ------------------------------------------------------------- */

static gint64
parse_time (const char *text)
{
  g_autoptr(GDateTime) time = text ? g_date_time_new_from_iso8601 (text, NULL) : NULL;

  return time ? g_date_time_to_unix (time) : 0;
}

static ZidOneTimeCode *
remote_login_begin (ZidBackend  *backend,
                    char       **session_id,
                    GError     **error)
{
  ZidRemoteBackend *self = REMOTE (backend);
  g_autoptr(JsonObject) answer = post (self, NULL, "/v1/admin/login", error,
                                       "client", "zorgid-portaal", NULL, NULL, NULL, NULL);
  ZidOneTimeCode *login;
  const char *token;

  if (answer == NULL)
    return NULL;
  token = json_object_get_string_member_with_default (answer, "token", NULL);
  login = g_new0 (ZidOneTimeCode, 1);
  login->purpose = ZID_CODE_LOGIN;
  login->payload = g_strdup (json_object_get_string_member_with_default (answer, "login", NULL));
  login->expires = parse_time (json_object_get_string_member_with_default (answer, "expires", NULL));
  if (token == NULL || login->payload == NULL || login->expires == 0)
    {
      zid_one_time_code_free (login);
      zid_wire_bad_form (error, "result");
      return NULL;
    }
  *session_id = g_strdup (token);
  return login;
}

static ZidLoginState
remote_login_poll (ZidBackend  *backend,
                   const char  *session_id,
                   gint64      *user,
                   GError     **refusal,
                   GError     **error)
{
  ZidRemoteBackend *self = REMOTE (backend);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) answer = post (self, NULL, "/v1/admin/session", &local_error,
                                       "token", session_id, NULL, NULL, NULL, NULL);

  if (answer == NULL)
    {
      if (g_error_matches (local_error, ZID_ERROR, ZID_ERROR_SESSION_INVALID))
        return ZID_LOGIN_EXPIRED;
      if (local_error->domain == ZID_ERROR && local_error->code != ZID_ERROR_STORE &&
          local_error->code != ZID_ERROR_BUSY && refusal != NULL)
        {
          /* the phone that answered may not log in; the QR stays good
           * for someone who may */
          *refusal = g_steal_pointer (&local_error);
          return ZID_LOGIN_REFUSED;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return ZID_LOGIN_PENDING;
    }
  if (g_strcmp0 (json_object_get_string_member_with_default (answer, "state", ""), "active") != 0)
    return ZID_LOGIN_PENDING;

  *user = json_object_get_int_member_with_default (answer, "user", 0);
  {
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

    g_free (self->token);
    self->token = g_strdup (session_id);
  }
  return ZID_LOGIN_ACCEPTED;
}

/* ---- what changed --------------------------------------------------------- */

static gboolean
list_changes_with (ZidRemoteBackend  *self,
                   ZidAdminClient    *client,
                   gint64             since,
                   gint64            *latest,
                   GArray            *users,
                   GArray            *organisations,
                   GError           **error)
{
  g_autoptr(JsonBuilder) args = args_new ();
  g_autoptr(JsonNode) result = NULL;
  JsonObject *o;

  zid_wire_add_int (args, "since", since);
  if ((result = call_with (self, client, "list_changes", args, error)) == NULL ||
      (o = zid_wire_get_object (result, error)) == NULL ||
      !zid_wire_get_int (o, "latest", latest, error) ||
      !zid_wire_get_ids (json_object_get_member (o, "users"), users, error) ||
      !zid_wire_get_ids (json_object_get_member (o, "organisations"), organisations, error))
    return FALSE;
  return TRUE;
}

static gpointer
changes_thread (gpointer data)
{
  ZidRemoteBackend *self = data;
  g_autoptr(ZidAdminClient) client = zid_admin_client_new (self->connection_code, NULL);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  while (!self->stopping)
    {
      gint64 end = g_get_monotonic_time () + CHANGES_INTERVAL_MS * G_TIME_SPAN_MILLISECOND;
      gboolean active = self->token != NULL;
      gint64 latest = -1;

      g_mutex_unlock (&self->lock);
      if (!active || client == NULL || !list_changes_with (self, client, -1, &latest, NULL, NULL, NULL))
        latest = -1;
      g_mutex_lock (&self->lock);
      if (latest >= 0)
        self->latest = latest;
      while (!self->stopping && g_cond_wait_until (&self->changes_cond, &self->lock, end))
        ;
    }
  return NULL;
}

static gboolean
remote_poll_changes (ZidBackend       *backend,
                     ZidChangeVersion *version)
{
  ZidRemoteBackend *self = REMOTE (backend);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  if (self->changes_thread == NULL)
    self->changes_thread = g_thread_new ("zid-remote-changes", changes_thread, self);
  version->data_version = self->latest;
  version->own_changes = 0;
  return TRUE;
}

static gboolean
remote_list_changes (ZidBackend  *backend,
                     gint64       since,
                     gint64      *latest,
                     GArray      *users,
                     GArray      *organisations,
                     GError     **error)
{
  return list_changes_with (REMOTE (backend), NULL, since, latest, users, organisations, error);
}

/* ---- the methods -------------------------------------------------------- */

static ZidEnvironment
remote_get_environment (ZidBackend *backend)
{
  return REMOTE (backend)->environment;
}

static ZidClock *
remote_get_clock (ZidBackend *backend)
{
  return REMOTE (backend)->clock;
}

static const char *
remote_get_data_dir (ZidBackend *backend)
{
  return REMOTE (backend)->data_dir;
}

static char *
remote_dup_service_address (ZidBackend *backend)
{
  return g_strdup (zid_remote_backend_get_address (REMOTE (backend)));
}

static ZidUser *
remote_get_user (ZidBackend  *backend,
                 gint64       actor,
                 gint64       user,
                 GError     **error)
{
  g_autoptr(JsonBuilder) args = args_new ();
  g_autoptr(JsonNode) result = NULL;

  zid_wire_add_int (args, "user", user);
  result = call (REMOTE (backend), "get_user", args, error);
  return result ? zid_wire_get_user (result, error) : NULL;
}

static GPtrArray *
remote_list_users (ZidBackend  *backend,
                   gint64       actor,
                   gint64       organisation,
                   const char  *search,
                   GError     **error)
{
  g_autoptr(JsonBuilder) args = args_new ();

  zid_wire_add_int (args, "organisation", organisation);
  zid_wire_add_string (args, "search", search);
  return call_users (REMOTE (backend), "list_users", args, error);
}

static GPtrArray *
remote_find_same_person (ZidBackend  *backend,
                         gint64       actor,
                         const char  *first_name,
                         const char  *last_name,
                         const char  *birth_date,
                         GError     **error)
{
  g_autoptr(JsonBuilder) args = args_new ();

  zid_wire_add_string (args, "first_name", first_name);
  zid_wire_add_string (args, "last_name", last_name);
  zid_wire_add_string (args, "birth_date", birth_date);
  return call_users (REMOTE (backend), "find_same_person", args, error);
}

static GPtrArray *
remote_list_organisations (ZidBackend  *backend,
                           gint64       actor,
                           GError     **error)
{
  g_autoptr(JsonBuilder) args = args_new ();

  return call_array (REMOTE (backend), "list_organisations", args, zid_wire_get_organisation,
                     (GDestroyNotify) zid_organisation_free, error);
}

static ZidCapabilities *
remote_get_capabilities (ZidBackend  *backend,
                         gint64       actor,
                         gint64       user,
                         GError     **error)
{
  g_autoptr(JsonBuilder) args = args_new ();
  g_autoptr(JsonNode) result = NULL;

  zid_wire_add_int (args, "user", user);
  result = call (REMOTE (backend), "get_capabilities", args, error);
  return result ? zid_wire_get_capabilities (result, error) : NULL;
}

static gboolean
remote_check_action (ZidBackend  *backend,
                     gint64       actor,
                     ZidAction    action,
                     gint64       user,
                     gint64       organisation,
                     GError     **error)
{
  g_autoptr(JsonBuilder) args = args_new ();

  zid_wire_add_int (args, "action", action);
  zid_wire_add_int (args, "user", user);
  zid_wire_add_int (args, "organisation", organisation);
  return call_done (REMOTE (backend), "check_action", args, error);
}

static GPtrArray *
remote_list_certificates (ZidBackend  *backend,
                          gint64       actor,
                          gint64       user,
                          GError     **error)
{
  g_autoptr(JsonBuilder) args = args_new ();

  zid_wire_add_int (args, "user", user);
  return call_array (REMOTE (backend), "list_certificates", args, zid_wire_get_certificate,
                     (GDestroyNotify) zid_certificate_free, error);
}

static GPtrArray *
remote_list_attributes (ZidBackend  *backend,
                        gint64       actor,
                        gint64       user,
                        GError     **error)
{
  g_autoptr(JsonBuilder) args = args_new ();

  zid_wire_add_int (args, "user", user);
  return call_array (REMOTE (backend), "list_attributes", args, zid_wire_get_attribute,
                     (GDestroyNotify) zid_attribute_free, error);
}

static gboolean
remote_block_user (ZidBackend      *backend,
                   gint64           actor,
                   gint64           user,
                   ZidBlockReason   reason,
                   GError         **error)
{
  g_autoptr(JsonBuilder) args = args_new ();

  zid_wire_add_int (args, "user", user);
  zid_wire_add_int (args, "reason", reason);
  return call_done (REMOTE (backend), "block_user", args, error);
}

static gboolean
remote_unblock_user (ZidBackend  *backend,
                     gint64       actor,
                     gint64       user,
                     GError     **error)
{
  g_autoptr(JsonBuilder) args = args_new ();

  zid_wire_add_int (args, "user", user);
  return call_done (REMOTE (backend), "unblock_user", args, error);
}

static gboolean
remote_revoke_certificate (ZidBackend  *backend,
                           gint64       actor,
                           gint64       user,
                           const char  *serial,
                           GError     **error)
{
  g_autoptr(JsonBuilder) args = args_new ();

  zid_wire_add_int (args, "user", user);
  zid_wire_add_string (args, "serial", serial);
  return call_done (REMOTE (backend), "revoke_certificate", args, error);
}

static ZidOneTimeCode *
call_code (ZidRemoteBackend  *self,
           const char        *method,
           JsonBuilder       *args,
           GError           **error)
{
  g_autoptr(JsonNode) result = call (self, method, args, error);

  return result ? zid_wire_get_code (result, error) : NULL;
}

static ZidOneTimeCode *
remote_new_certificate (ZidBackend  *backend,
                        gint64       actor,
                        gint64       user,
                        GError     **error)
{
  g_autoptr(JsonBuilder) args = args_new ();

  zid_wire_add_int (args, "user", user);
  return call_code (REMOTE (backend), "new_certificate", args, error);
}

static ZidOneTimeCode *
remote_register_user (ZidBackend  *backend,
                      gint64       actor,
                      gint64       organisation,
                      const char  *first_name,
                      const char  *last_name,
                      const char  *birth_date,
                      GError     **error)
{
  g_autoptr(JsonBuilder) args = args_new ();

  zid_wire_add_int (args, "organisation", organisation);
  zid_wire_add_string (args, "first_name", first_name);
  zid_wire_add_string (args, "last_name", last_name);
  zid_wire_add_string (args, "birth_date", birth_date);
  return call_code (REMOTE (backend), "register_user", args, error);
}

/* A result {NAME: value or null}: FALSE when it does not read */
static gboolean
get_optional (JsonNode        *result,
              const char      *name,
              ZidWireGetFunc   get,
              gpointer        *value,
              GError         **error)
{
  JsonObject *o = zid_wire_get_object (result, error);
  JsonNode *node = o ? json_object_get_member (o, name) : NULL;

  if (node == NULL)
    {
      if (o != NULL)
        zid_wire_bad_form (error, "result");
      return FALSE;
    }
  if (JSON_NODE_HOLDS_NULL (node))
    {
      *value = NULL;
      return TRUE;
    }
  *value = get (node, error);
  return *value != NULL;
}

static gboolean
remote_set_membership (ZidBackend      *backend,
                       gint64           actor,
                       gint64           user,
                       gint64           organisation,
                       ZidRole          role,
                       ZidOneTimeCode **enrolment,
                       GError         **error)
{
  g_autoptr(JsonBuilder) args = args_new ();
  g_autoptr(JsonNode) result = NULL;
  gpointer code = NULL;

  zid_wire_add_int (args, "user", user);
  zid_wire_add_int (args, "organisation", organisation);
  zid_wire_add_int (args, "role", role);
  if ((result = call (REMOTE (backend), "set_membership", args, error)) == NULL ||
      !get_optional (result, "enrolment", zid_wire_get_code, &code, error))
    return FALSE;
  if (enrolment != NULL)
    *enrolment = code;
  else
    zid_one_time_code_free (code);
  return TRUE;
}

static gint64
remote_add_attribute (ZidBackend  *backend,
                      gint64       actor,
                      gint64       user,
                      const char  *type,
                      gint64       organisation,
                      const char  *task_code,
                      GError     **error)
{
  g_autoptr(JsonBuilder) args = args_new ();
  g_autoptr(JsonNode) result = NULL;

  zid_wire_add_int (args, "user", user);
  zid_wire_add_string (args, "type", type);
  zid_wire_add_int (args, "organisation", organisation);
  zid_wire_add_string (args, "task_code", task_code);
  if ((result = call (REMOTE (backend), "add_attribute", args, error)) == NULL)
    return 0;
  if (!JSON_NODE_HOLDS_VALUE (result) || json_node_get_value_type (result) != G_TYPE_INT64)
    {
      zid_wire_bad_form (error, "result");
      return 0;
    }
  return json_node_get_int (result);
}

static GPtrArray *
remote_list_inactive (ZidBackend  *backend,
                      gint64       actor,
                      gint64       organisation,
                      GError     **error)
{
  g_autoptr(JsonBuilder) args = args_new ();

  zid_wire_add_int (args, "organisation", organisation);
  return call_users (REMOTE (backend), "list_inactive", args, error);
}

static gboolean
remote_get_inactive_user (ZidBackend  *backend,
                          gint64       actor,
                          gint64       organisation,
                          gint64       user,
                          ZidUser    **inactive,
                          GError     **error)
{
  g_autoptr(JsonBuilder) args = args_new ();
  g_autoptr(JsonNode) result = NULL;
  gpointer value = NULL;

  zid_wire_add_int (args, "organisation", organisation);
  zid_wire_add_int (args, "user", user);
  if ((result = call (REMOTE (backend), "get_inactive_user", args, error)) == NULL ||
      !get_optional (result, "inactive", zid_wire_get_user, &value, error))
    return FALSE;
  *inactive = value;
  return TRUE;
}

static GPtrArray *
remote_list_pending (ZidBackend  *backend,
                     gint64       actor,
                     gint64       organisation,
                     GError     **error)
{
  g_autoptr(JsonBuilder) args = args_new ();

  zid_wire_add_int (args, "organisation", organisation);
  return call_array (REMOTE (backend), "list_pending", args, zid_wire_get_pending,
                     (GDestroyNotify) zid_pending_enrolment_free, error);
}

/* The trust of this computer's card reader: the built-in anchors and
 * what was added here; the server's own trust decides at the server */
static GPtrArray *
remote_list_trust (ZidBackend   *backend,
                   ZidTrustKind  kind)
{
  return zid_trust_store_list (REMOTE (backend)->data_dir, REMOTE (backend)->environment, kind);
}

static char *
remote_dup_location (ZidBackend *backend)
{
  return g_strdup_printf (_("Portal server %s"), zid_remote_backend_get_address (REMOTE (backend)));
}

static char *
remote_dup_status_message (ZidBackend *backend)
{
  ZidRemoteBackend *self = REMOTE (backend);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  if (!self->unreachable)
    return NULL;
  return g_strdup_printf (_("The portal server %s does not answer. The window tries again every "
                            "second; what you do until it answers is not done."),
                          zid_admin_client_get_address (self->client));
}

static void
remote_end_session (ZidBackend *backend)
{
  zid_remote_backend_logout (REMOTE (backend));
}

/* ---- the object ---------------------------------------------------------- */

static void
zid_remote_backend_iface_init (ZidBackendInterface *iface)
{
  iface->dup_location = remote_dup_location;
  iface->dup_status_message = remote_dup_status_message;
  iface->end_session = remote_end_session;
  iface->get_environment = remote_get_environment;
  iface->get_clock = remote_get_clock;
  iface->get_data_dir = remote_get_data_dir;
  iface->dup_service_address = remote_dup_service_address;
  iface->list_trust = remote_list_trust;
  iface->login_begin = remote_login_begin;
  iface->login_poll = remote_login_poll;
  iface->poll_changes = remote_poll_changes;
  iface->list_changes = remote_list_changes;
  iface->get_user = remote_get_user;
  iface->list_users = remote_list_users;
  iface->find_same_person = remote_find_same_person;
  iface->list_organisations = remote_list_organisations;
  iface->get_capabilities = remote_get_capabilities;
  iface->check_action = remote_check_action;
  iface->list_certificates = remote_list_certificates;
  iface->list_attributes = remote_list_attributes;
  iface->block_user = remote_block_user;
  iface->unblock_user = remote_unblock_user;
  iface->revoke_certificate = remote_revoke_certificate;
  iface->new_certificate = remote_new_certificate;
  iface->register_user = remote_register_user;
  iface->set_membership = remote_set_membership;
  iface->add_attribute = remote_add_attribute;
  iface->list_inactive = remote_list_inactive;
  iface->get_inactive_user = remote_get_inactive_user;
  iface->list_pending = remote_list_pending;
}

static void
zid_remote_backend_dispose (GObject *object)
{
  ZidRemoteBackend *self = ZID_REMOTE_BACKEND (object);

  if (self->changes_thread != NULL)
    {
      g_mutex_lock (&self->lock);
      self->stopping = TRUE;
      g_cond_signal (&self->changes_cond);
      g_mutex_unlock (&self->lock);
      g_thread_join (g_steal_pointer (&self->changes_thread));
    }
  G_OBJECT_CLASS (zid_remote_backend_parent_class)->dispose (object);
}

static void
zid_remote_backend_finalize (GObject *object)
{
  ZidRemoteBackend *self = ZID_REMOTE_BACKEND (object);

  g_clear_pointer (&self->client, zid_admin_client_free);
  if (self->token != NULL)
    explicit_bzero (self->token, strlen (self->token));
  g_free (self->token);
  g_free (self->connection_code);
  g_free (self->data_dir);
  g_clear_object (&self->clock);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->client_lock);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->changes_cond);
  G_OBJECT_CLASS (zid_remote_backend_parent_class)->finalize (object);
}

static void
zid_remote_backend_class_init (ZidRemoteBackendClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = zid_remote_backend_dispose;
  object_class->finalize = zid_remote_backend_finalize;
}

static void
zid_remote_backend_init (ZidRemoteBackend *self)
{
  g_mutex_init (&self->client_lock);
  g_mutex_init (&self->lock);
  g_cond_init (&self->changes_cond);
  self->latest = -1;
}

ZidRemoteBackend *
zid_remote_backend_new (const char  *connection_code,
                        const char  *data_dir,
                        GError     **error)
{
  g_autoptr(ZidRemoteBackend) self = NULL;
  ZidAdminClient *client;

  g_return_val_if_fail (connection_code != NULL, NULL);

  if ((client = zid_admin_client_new (connection_code, error)) == NULL)
    return NULL;
  self = g_object_new (ZID_TYPE_REMOTE_BACKEND, NULL);
  self->client = client;
  self->environment = zid_admin_client_get_environment (client);
  self->connection_code = g_strdup (connection_code);
  self->data_dir = data_dir ? g_strdup (data_dir) : zid_portal_default_data_dir (self->environment);
  self->clock = zid_clock_new_system ();
  self->context = g_main_context_ref_thread_default ();
  return g_steal_pointer (&self);
}

const char *
zid_remote_backend_get_address (ZidRemoteBackend *self)
{
  g_return_val_if_fail (ZID_IS_REMOTE_BACKEND (self), NULL);
  return zid_admin_client_get_address (self->client);
}

void
zid_remote_backend_logout (ZidRemoteBackend *self)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *token = NULL;

  g_return_if_fail (ZID_IS_REMOTE_BACKEND (self));

  g_mutex_lock (&self->lock);
  token = g_steal_pointer (&self->token);
  g_mutex_unlock (&self->lock);
  if (token == NULL)
    return;
  answer = post (self, NULL, "/v1/admin/logout", NULL, "token", token, NULL, NULL, NULL, NULL);
  explicit_bzero (token, strlen (token));
}
