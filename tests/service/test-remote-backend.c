/* test-remote-backend.c — the window's backend on an organisation server
 *
 * A real service with the admin API (its own thread and main context, over
 * loopback TLS) on a real store; the reference phone (zorgid-mobile, a
 * process of its own) enrols and answers the login QR. Through the remote
 * backend: the login is the server's (a Gebruiker's phone refused, an
 * Administrator's accepted), every call acts as the session's user, and
 * every answer and refusal is the one the local portal gives (the same
 * error code, the same text); what changed reaches poll_changes; logging
 * out ends the session at the server; what is not the API is refused.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "zid-admin-client.h"
#include "zid-remote-backend.h"
#include "zid-service.h"

typedef struct
{
  char          *dir;
  ZidPortal     *portal;
  ZidService    *service;
  GMainContext  *context;     /* the service's */
  GMainLoop     *loop;
  GThread       *thread;
  GMutex         lock;
  GCond          cond;
  gboolean       started;
  char          *code;        /* the connection code */
  gint64         admin;
  gint64         gebruiker;
} Fixture;

static int
no_commands (ZidService  *service,
             gint64       actor,
             char       **argv,
             GBytes      *input,
             gboolean     json,
             GString     *out,
             GString     *err,
             gpointer     data)
{
  g_string_append (err, "no commands here\n");
  return 2;
}

static gpointer
service_thread (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (f->context);
  f->service = zid_service_new (f->portal);
  zid_service_set_throttle (f->service, 100000, 100000, 600);
  zid_service_set_admin (f->service, no_commands, NULL);
  zid_service_start (f->service, "127.0.0.1:0", &error);
  g_assert_no_error (error);
  g_mutex_lock (&f->lock);
  f->started = TRUE;
  g_cond_signal (&f->cond);
  g_mutex_unlock (&f->lock);
  g_main_loop_run (f->loop);
  zid_service_stop (f->service);
  while (zid_service_get_busy (f->service) > 0)
    g_main_context_iteration (f->context, TRUE);
  while (g_main_context_iteration (f->context, FALSE))
    ;
  g_clear_object (&f->service);
  g_main_context_pop_thread_default (f->context);
  return NULL;
}

/* zorgid-mobile @phone with @args: its exit status */
static int
phone (Fixture    *f,
       const char *name,
       ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pin = g_build_filename (f->dir, "pin", NULL);
  va_list ap;

  g_file_set_contents (pin, "24680\n", -1, &error);
  g_assert_no_error (error);
  g_ptr_array_add (argv, g_build_filename (g_getenv ("ZID_BUILD_ROOT"), "src", "mobile", "zorgid-mobile", NULL));
  g_ptr_array_add (argv, g_strdup_printf ("--data-dir=%s/phone-%s", f->dir, name));
  g_ptr_array_add (argv, g_strdup_printf ("--pin-file=%s", pin));
  va_start (ap, name);
  for (const char *a = va_arg (ap, const char *); a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (a));
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
  g_assert_no_error (error);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (proc);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(ZidOneTimeCode) admin = NULL;
  g_autoptr(ZidOneTimeCode) gebruiker = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;

  f->dir = g_dir_make_tmp ("zid-remote-XXXXXX", &error);
  g_assert_no_error (error);
  f->portal = zid_portal_open (f->dir, ZID_ENVIRONMENT_ACCEPTATIE, NULL, &error);
  g_assert_no_error (error);
  g_mutex_init (&f->lock);
  g_cond_init (&f->cond);
  f->context = g_main_context_new ();
  f->loop = g_main_loop_new (f->context, FALSE);
  f->thread = g_thread_new ("service", service_thread, f);
  g_mutex_lock (&f->lock);
  while (!f->started)
    g_cond_wait (&f->cond, &f->lock);
  g_mutex_unlock (&f->lock);

  address = g_strdup_printf ("127.0.0.1:%u", zid_service_get_port (f->service));
  g_assert_true (zid_portal_set_service_address (f->portal, address, &error));
  g_assert_no_error (error);
  f->code = zid_portal_dup_connection_code (f->portal, &error);
  g_assert_no_error (error);

  zid_portal_add_registration (f->portal, "12345678", "Praktijk De Linde", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  admin = zid_portal_bootstrap (f->portal, "12345678", "Jan", "Jansen", "1980-01-02", &error);
  g_assert_no_error (error);
  f->admin = admin->user_id;
  gebruiker = zid_portal_register_user (f->portal, f->admin, 1, "Greet", "Gebruiker", "1990-03-04", &error);
  g_assert_no_error (error);
  f->gebruiker = gebruiker->user_id;
  g_assert_cmpint (phone (f, "admin", "enrol", admin->payload, NULL), ==, 0);
  g_assert_cmpint (phone (f, "gebruiker", "enrol", gebruiker->payload, NULL), ==, 0);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->dir);

  g_main_loop_quit (f->loop);
  g_main_context_wakeup (f->context);
  g_thread_join (f->thread);
  g_main_loop_unref (f->loop);
  g_main_context_unref (f->context);
  g_clear_object (&f->portal);
  g_mutex_clear (&f->lock);
  g_cond_clear (&f->cond);
  g_free (f->code);
  g_assert_cmpint (system (cmd), ==, 0);
  g_free (f->dir);
}

/* Logs in through the server with @who's phone: the login's state */
static ZidLoginState
log_in (Fixture     *f,
        ZidBackend  *backend,
        const char  *who,
        gint64      *user,
        GError     **refusal)
{
  g_autoptr(ZidOneTimeCode) login = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *session = NULL;
  g_autofree char *address = NULL;
  ZidLoginState state;

  login = zid_backend_login_begin (backend, &session, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (login->payload, "zorgid://login?"));
  address = zid_backend_dup_service_address (backend);
  g_assert_nonnull (strstr (login->payload, address));
  g_assert_cmpint (zid_backend_login_poll (backend, session, user, refusal, &error), ==, ZID_LOGIN_PENDING);
  g_assert_no_error (error);
  phone (f, who, "login", login->payload, NULL);
  state = zid_backend_login_poll (backend, session, user, refusal, &error);
  g_assert_no_error (error);
  return state;
}

/* The remote answer and the local one are the same refusal */
static void
assert_same_refusal (const GError *remote,
                     const GError *local)
{
  g_assert_nonnull (local);
  g_assert_error (remote, local->domain, local->code);
  g_assert_cmpstr (remote->message, ==, local->message);
}

static void
test_remote (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(ZidRemoteBackend) remote = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GError) refusal = NULL;
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(GPtrArray) local_users = NULL;
  g_autoptr(ZidCapabilities) caps = NULL;
  g_autoptr(ZidCapabilities) local_caps = NULL;
  g_autoptr(ZidOneTimeCode) code = NULL;
  g_autoptr(ZidUser) user = NULL;
  g_autofree char *location = NULL;
  const GError *why = NULL, *local_why = NULL;
  ZidChangeVersion version = { 0 };
  ZidBackend *backend;
  gint64 actor = 0, latest = 0;

  remote = zid_remote_backend_new (f->code, f->dir, &error);
  g_assert_no_error (error);
  backend = ZID_BACKEND (remote);
  g_assert_cmpint (zid_backend_get_environment (backend), ==, ZID_ENVIRONMENT_ACCEPTATIE);
  location = zid_backend_dup_location (backend);
  g_assert_nonnull (strstr (location, zid_remote_backend_get_address (remote)));

  /* before a login nothing is answered */
  g_assert_null (zid_backend_list_users (backend, f->admin, 0, NULL, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_SESSION_INVALID);
  g_clear_error (&error);

  /* a Gebruiker's phone is refused, and whoever waits is told why */
  g_assert_cmpint (log_in (f, backend, "gebruiker", &actor, &refusal), ==, ZID_LOGIN_REFUSED);
  g_assert_error (refusal, ZID_ERROR, ZID_ERROR_NO_PORTAL_ACCESS);
  g_clear_error (&refusal);
  g_assert_null (zid_backend_list_users (backend, f->admin, 0, NULL, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_SESSION_INVALID);
  g_clear_error (&error);

  /* the Administrator's is accepted; the session acts as her, whatever
   * actor the caller names */
  g_assert_cmpint (log_in (f, backend, "admin", &actor, &refusal), ==, ZID_LOGIN_ACCEPTED);
  g_assert_no_error (refusal);
  g_assert_cmpint (actor, ==, f->admin);

  users = zid_backend_list_users (backend, 0, 0, NULL, &error);
  g_assert_no_error (error);
  local_users = zid_portal_list_users (f->portal, f->admin, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (users->len, ==, local_users->len);
  for (guint i = 0; i < users->len; i++)
    {
      ZidUser *a = g_ptr_array_index (users, i), *b = g_ptr_array_index (local_users, i);
      ZidMembership *m = g_ptr_array_index (zid_user_get_memberships (a), 0);

      g_assert_cmpint (zid_user_get_id (a), ==, zid_user_get_id (b));
      g_assert_cmpstr (zid_user_get_display_name (a), ==, zid_user_get_display_name (b));
      g_assert_cmpint (zid_user_get_mobile_id (a), ==, zid_user_get_mobile_id (b));
      g_assert_cmpint (zid_user_get_role_in (a, 1), ==, zid_user_get_role_in (b, 1));
      g_assert_cmpstr (m->ura, ==, "12345678");
      g_assert_cmpstr (m->organisation_name, ==, "Praktijk De Linde");
    }

  /* the page's rules: the same answers, the same texts */
  caps = zid_backend_get_capabilities (backend, f->admin, f->admin, &error);
  g_assert_no_error (error);
  local_caps = zid_portal_get_capabilities (f->portal, f->admin, f->admin, &error);
  g_assert_no_error (error);
  for (ZidAction a = ZID_ACTION_VIEW_USERS; a <= ZID_ACTION_NEW_CERTIFICATE; a++)
    {
      if (a == ZID_ACTION_REGISTER_USER || a == ZID_ACTION_VIEW_INACTIVE)
        continue;
      g_assert_cmpint (zid_capabilities_allows (caps, a, &why), ==,
                       zid_capabilities_allows (local_caps, a, &local_why));
      g_assert_cmpstr (why ? why->message : NULL, ==, local_why ? local_why->message : NULL);
    }
  g_assert_cmpuint (zid_capabilities_get_assignable_roles (caps, 1), ==,
                    zid_capabilities_get_assignable_roles (local_caps, 1));

  /* acting: done at the server, refused in the core's words */
  g_assert_true (zid_backend_block_user (backend, f->admin, f->gebruiker,
                                         ZID_BLOCK_REASON_LOST_SMARTPHONE, &error));
  g_assert_no_error (error);
  user = zid_portal_get_user (f->portal, f->admin, f->gebruiker, &error);
  g_assert_true (zid_user_get_blocked (user));
  g_assert_false (zid_backend_block_user (backend, f->admin, f->gebruiker,
                                          ZID_BLOCK_REASON_LOST_SMARTPHONE, &error));
  g_assert_false (zid_portal_block_user (f->portal, f->admin, f->gebruiker,
                                         ZID_BLOCK_REASON_LOST_SMARTPHONE, &local_error));
  assert_same_refusal (error, local_error);
  g_clear_error (&error);
  g_clear_error (&local_error);
  g_assert_false (zid_backend_block_user (backend, f->admin, f->admin,
                                          ZID_BLOCK_REASON_LOST_SMARTPHONE, &error));
  g_assert_false (zid_portal_block_user (f->portal, f->admin, f->admin,
                                         ZID_BLOCK_REASON_LOST_SMARTPHONE, &local_error));
  assert_same_refusal (error, local_error);
  g_clear_error (&error);
  g_clear_error (&local_error);

  /* a registration: its code's QR points at the server; the change
   * reaches poll_changes (the window's watch) within a second or two */
  g_assert_true (zid_backend_poll_changes (backend, &version));
  code = zid_backend_register_user (backend, f->admin, 1, "Eva", "Extern", "1991-02-03", &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (code->payload, zid_remote_backend_get_address (remote)));
  g_assert_true (zid_backend_list_changes (backend, -1, &latest, NULL, NULL, &error));
  g_assert_no_error (error);
  for (int i = 0; i < 100 && version.data_version != latest; i++)
    {
      g_usleep (50 * 1000);
      g_assert_true (zid_backend_poll_changes (backend, &version));
    }
  g_assert_cmpint (version.data_version, ==, latest);

  /* not offered through the server: refused, not done */
  g_assert_false (zid_backend_verify_audit (backend, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  /* logging out ends the session at the server */
  zid_backend_end_session (backend);
  g_assert_null (zid_backend_list_users (backend, f->admin, 0, NULL, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_SESSION_INVALID);
  g_clear_error (&error);
}

/* What is not the API is refused; a token the server never gave too */
static void
test_refused_requests (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(ZidAdminClient) client = zid_admin_client_new (f->code, NULL);
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  guint status = 0;

  answer = zid_admin_client_call (client, "/v1/admin/call", "en", &status, &error,
                                  "token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                  "method", "list_users", "args", "{}", NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 403);
  g_assert_cmpstr (json_object_get_string_member (answer, "error"), ==, "session-invalid");
  g_clear_pointer (&answer, json_object_unref);

  answer = zid_admin_client_call (client, "/v1/admin/call", "en", &status, &error,
                                  "token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                  "method", "list_users", "args", "[1]", NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 400);
  g_assert_cmpstr (json_object_get_string_member (answer, "error"), ==, "invalid-input");
  g_clear_pointer (&answer, json_object_unref);

  /* an active session: an unknown method and missing arguments refused */
  answer = zid_admin_client_call (client, "/v1/admin/login", "en", &status, &error, "client", "test", NULL);
  g_assert_no_error (error);
  token = g_strdup (json_object_get_string_member (answer, "token"));
  g_assert_cmpint (phone (f, "admin", "login", json_object_get_string_member (answer, "login"), NULL), ==, 0);
  g_clear_pointer (&answer, json_object_unref);
  answer = zid_admin_client_call (client, "/v1/admin/session", "en", &status, &error, "token", token, NULL);
  g_assert_cmpstr (json_object_get_string_member (answer, "state"), ==, "active");
  g_clear_pointer (&answer, json_object_unref);

  answer = zid_admin_client_call (client, "/v1/admin/call", "en", &status, &error,
                                  "token", token, "method", "drop_everything", "args", "{}", NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (answer, "refused"), "code"),
                   ==, "invalid-input");
  g_clear_pointer (&answer, json_object_unref);

  answer = zid_admin_client_call (client, "/v1/admin/call", "en", &status, &error,
                                  "token", token, "method", "get_user", "args", "{\"user\": \"1\"}", NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (answer, "refused"), "code"),
                   ==, "invalid-input");
  g_clear_pointer (&answer, json_object_unref);

  answer = zid_admin_client_call (client, "/v1/admin/call", "en", &status, &error,
                                  "token", token, "method", "get_user", "args", "{\"user\": 1}", NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (answer, "result"), "id"), ==,
                   f->admin);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/remote-backend/login-and-act", Fixture, NULL, fixture_set_up, test_remote, fixture_tear_down);
  g_test_add ("/remote-backend/refused-requests", Fixture, NULL, fixture_set_up, test_refused_requests,
              fixture_tear_down);

  return g_test_run ();
}
