/* test-backend.c — ZidBackend: the one interface the window reaches the
 * portal through
 *
 * The local implementation is the portal itself: a call through the
 * interface is the portal's call, on the same store, with the same rules
 * and the same refusals. An implementation that does not offer a method
 * refuses it with a message, never silently and never by crashing.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <locale.h>

#include "zid-core.h"
#include "zid-test-portal.h"
#include "zid-wire.h"

/* An implementation that offers nothing but its environment */
#define TEST_TYPE_BARE_BACKEND (test_bare_backend_get_type ())
G_DECLARE_FINAL_TYPE (TestBareBackend, test_bare_backend, TEST, BARE_BACKEND, GObject)

struct _TestBareBackend
{
  GObject parent_instance;
};

static ZidEnvironment
bare_get_environment (ZidBackend *backend)
{
  return ZID_ENVIRONMENT_ACCEPTATIE;
}

static void
test_bare_backend_iface_init (ZidBackendInterface *iface)
{
  iface->get_environment = bare_get_environment;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TestBareBackend, test_bare_backend, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (ZID_TYPE_BACKEND, test_bare_backend_iface_init))

static void
test_bare_backend_class_init (TestBareBackendClass *klass)
{
}

static void
test_bare_backend_init (TestBareBackend *self)
{
}

/* The portal is the local backend: what is done through the interface is
 * in the store, and what the portal reads the interface reads too */
static void
test_local_is_the_portal (void)
{
  ZidTestPortal t = { 0 };
  g_autoptr(ZidOneTimeCode) admin_code = NULL;
  g_autoptr(ZidOneTimeCode) code = NULL;
  g_autoptr(GPtrArray) through_portal = NULL;
  g_autoptr(GPtrArray) through_backend = NULL;
  g_autoptr(ZidUser) user = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) portal_error = NULL;
  ZidBackend *backend;
  gint64 id;

  zid_test_portal_database ();
  admin_code = zid_test_portal_set_up (&t);
  g_assert_true (ZID_IS_BACKEND (t.portal));
  backend = ZID_BACKEND (t.portal);

  g_assert_cmpint (zid_backend_get_environment (backend), ==, zid_portal_get_environment (t.portal));
  g_assert_true (zid_backend_get_clock (backend) == zid_portal_get_clock (t.portal));

  code = zid_backend_register_user (backend, t.admin, t.org_a, "Bram", "Bakker", "1980-02-03", &error);
  g_assert_no_error (error);
  g_assert_nonnull (code);
  g_assert_cmpint (zid_test_portal_count (&t, "SELECT count(*) FROM users WHERE last_name = 'Bakker'"), ==, 1);

  through_portal = zid_portal_list_users (t.portal, t.admin, 0, "bakker", &error);
  g_assert_no_error (error);
  through_backend = zid_backend_list_users (backend, t.admin, 0, "bakker", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (through_portal->len, ==, 1);
  g_assert_cmpuint (through_backend->len, ==, 1);
  id = zid_user_get_id (g_ptr_array_index (through_portal, 0));
  g_assert_cmpint (zid_user_get_id (g_ptr_array_index (through_backend, 0)), ==, id);

  /* The rules hold through the interface, refused in the portal's own
   * words: a user without a mobile ID cannot be blocked; the new user, a
   * Gebruiker, may not act */
  g_assert_false (zid_backend_block_user (backend, t.admin, id, ZID_BLOCK_REASON_LOST_SMARTPHONE, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_NO_MOBILE_ID);
  g_clear_error (&error);
  user = zid_portal_get_user (t.portal, t.admin, id, &error);
  g_assert_no_error (error);
  g_assert_false (zid_user_get_blocked (user));

  g_assert_null (zid_portal_list_users (t.portal, id, 0, NULL, &portal_error));
  g_assert_null (zid_backend_list_users (backend, id, 0, NULL, &error));
  g_assert_nonnull (portal_error);
  g_assert_error (error, portal_error->domain, portal_error->code);
  g_assert_cmpstr (error->message, ==, portal_error->message);

  zid_test_portal_tear_down (&t);
}

/* A method an implementation does not offer is refused, with a message
 * that says so; the caller's out-values are left alone */
static void
test_not_offered_is_refused (void)
{
  g_autoptr(GObject) bare = g_object_new (TEST_TYPE_BARE_BACKEND, NULL);
  ZidBackend *backend = ZID_BACKEND (bare);
  g_autoptr(GError) error = NULL;
  gint64 bad_event = -7;

  g_assert_cmpint (zid_backend_get_environment (backend), ==, ZID_ENVIRONMENT_ACCEPTATIE);

  g_assert_null (zid_backend_list_users (backend, 1, 0, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_cmpstr (error->message, !=, "");
  g_clear_error (&error);

  g_assert_false (zid_backend_verify_audit (backend, &bad_event, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_cmpint (bad_event, ==, -7);
  g_clear_error (&error);

  g_assert_cmpint (zid_backend_add_attribute (backend, 1, 2, "big", 3, NULL, NULL), ==, 0);
}

/* A list of users on the wire reads back as the same users, their
 * memberships sharing the organisation's strings; what is not the form is
 * refused, never half read */
static void
test_wire_users (void)
{
  ZidTestPortal t = { 0 };
  g_autoptr(ZidOneTimeCode) admin_code = NULL;
  g_autoptr(ZidOneTimeCode) code = NULL;
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(GPtrArray) back = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  static const char * const malformed[] = {
    "[]",
    "{\"users\": []}",
    "{\"organisations\": [], \"users\": [[1]]}",
    "{\"organisations\": [], \"users\": [[1, \"A\", \"B\", \"2000-01-01\", false, 0, 0, 0, 0, null, [7, 1]]]}",
    "{\"organisations\": [[7, \"1\", \"O\"]], \"users\": [[\"1\", \"A\", \"B\", \"2000-01-01\", false, 0, 0, 0, 0, null, []]]}",
    "{\"organisations\": [[7, \"1\", \"O\"]], \"users\": [[1, \"A\", \"B\", \"2000-01-01\", false, 0, 0, 0, 0, null, [7]]]}",
  };

  zid_test_portal_database ();
  admin_code = zid_test_portal_set_up (&t);
  code = zid_portal_register_user (t.portal, t.admin, t.org_a, "Bram", "Bakker", "1980-02-03", &error);
  g_assert_no_error (error);
  users = zid_portal_list_users (t.portal, t.admin, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (users->len, ==, 2);

  zid_wire_add_users (builder, users);
  node = json_builder_get_root (builder);
  back = zid_wire_get_users (node, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->len, ==, users->len);
  for (guint i = 0; i < users->len; i++)
    {
      ZidUser *a = g_ptr_array_index (users, i), *b = g_ptr_array_index (back, i);
      ZidMembership *ma = g_ptr_array_index (zid_user_get_memberships (a), 0);
      ZidMembership *mb = g_ptr_array_index (zid_user_get_memberships (b), 0);

      g_assert_cmpint (zid_user_get_id (a), ==, zid_user_get_id (b));
      g_assert_cmpstr (zid_user_get_first_name (a), ==, zid_user_get_first_name (b));
      g_assert_cmpstr (zid_user_get_last_name (a), ==, zid_user_get_last_name (b));
      g_assert_cmpstr (zid_user_get_birth_date (a), ==, zid_user_get_birth_date (b));
      g_assert_cmpint (zid_user_get_registered (a), ==, zid_user_get_registered (b));
      g_assert_cmpint (zid_user_get_mobile_id (a), ==, zid_user_get_mobile_id (b));
      g_assert_cmpint (ma->organisation_id, ==, mb->organisation_id);
      g_assert_cmpint (ma->role, ==, mb->role);
      g_assert_cmpstr (ma->ura, ==, mb->ura);
      g_assert_cmpstr (ma->organisation_name, ==, mb->organisation_name);
    }
  g_assert_true (((ZidMembership *) g_ptr_array_index (zid_user_get_memberships (g_ptr_array_index (back, 0)), 0))->ura ==
                 ((ZidMembership *) g_ptr_array_index (zid_user_get_memberships (g_ptr_array_index (back, 1)), 0))->ura);

  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      g_autoptr(JsonNode) bad = json_from_string (malformed[i], NULL);

      g_assert_nonnull (bad);
      g_assert_null (zid_wire_get_users (bad, &error));
      g_assert_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT);
      g_clear_error (&error);
    }
  zid_test_portal_tear_down (&t);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/backend/local-is-the-portal", test_local_is_the_portal);
  g_test_add_func ("/backend/not-offered-is-refused", test_not_offered_is_refused);
  g_test_add_func ("/backend/wire-users", test_wire_users);

  return g_test_run ();
}
