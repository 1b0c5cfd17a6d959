/* test-changes.c — change detection: what another connection (another
 * process) commits is seen, and only the rows it changed are named
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <locale.h>
#include <glib/gstdio.h>

#include "zid-core.h"
#include "zid-test-portal.h"

#define URA "87654321"

typedef struct
{
  char      *dir;
  ZidClock  *clock;
  ZidPortal *portal;     /* the window's connection */
  ZidPortal *other;      /* another process's */
  gint64     admin;
  gint64     organisation;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidOneTimeCode) enrolment = NULL;
  g_autoptr(ZidOrganisation) o = NULL;

  f->dir = g_dir_make_tmp ("zid-test-changes-XXXXXX", &error);
  g_assert_no_error (error);
  f->clock = zid_clock_new_fixed (1700000000);
  zid_test_portal_database ();
  f->portal = zid_portal_open (f->dir, ZID_ENVIRONMENT_ACCEPTATIE, f->clock, &error);
  g_assert_no_error (error);
  g_assert_cmpint (zid_portal_add_registration (f->portal, URA, "Zorggroep Noord", NULL, NULL, NULL, &error), >, 0);
  enrolment = zid_portal_bootstrap (f->portal, URA, "Anna", "de Vries", "1980-02-29", &error);
  g_assert_no_error (error);
  f->admin = enrolment->user_id;
  o = zid_portal_find_organisation (f->portal, URA, &error);
  g_assert_no_error (error);
  f->organisation = o->id;
  f->other = zid_portal_open (f->dir, ZID_ENVIRONMENT_ACCEPTATIE, f->clock, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->dir);

  g_assert_finalize_object (f->other);
  g_assert_finalize_object (f->portal);
  g_object_unref (f->clock);
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL));
  g_free (f->dir);
}

static gint64
register_user (ZidPortal  *portal,
               Fixture    *f,
               const char *first,
               const char *last)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidOneTimeCode) code = zid_portal_register_user (portal, f->admin, f->organisation,
                                                             first, last, "1990-01-01", &error);

  g_assert_no_error (error);
  return code->user_id;
}

static gint64
latest (ZidPortal *portal)
{
  g_autoptr(GError) error = NULL;
  gint64 seq = -1;

  g_assert_true (zid_portal_list_changes (portal, -1, &seq, NULL, NULL, &error));
  g_assert_no_error (error);
  return seq;
}

static gboolean
version_equal (const ZidChangeVersion *a,
               const ZidChangeVersion *b)
{
  return a->data_version == b->data_version && a->own_changes == b->own_changes;
}

/* The other connection's commit moves the version; the changes after the
 * last one seen name the user it wrote, and only that user */
static void
test_other_connection (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) users = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) organisations = g_array_new (FALSE, FALSE, sizeof (gint64));
  ZidChangeVersion before, after, again;
  gint64 seq, newest = 0, bram, cor;

  for (int i = 0; i < 20; i++)
    {
      g_autofree char *name = g_strdup_printf ("Gebruiker%d", i);

      register_user (f->portal, f, "Piet", name);
    }
  seq = latest (f->portal);
  g_assert_cmpint (seq, >, 0);

  g_assert_true (zid_portal_poll_changes (f->portal, &before));
  g_assert_true (zid_portal_poll_changes (f->portal, &again));
  g_assert_true (version_equal (&before, &again));

  bram = register_user (f->other, f, "Bram", "Bakker");

  g_assert_true (zid_portal_poll_changes (f->portal, &after));
  g_assert_false (version_equal (&before, &after));

  g_assert_true (zid_portal_list_changes (f->portal, seq, &newest, users, organisations, &error));
  g_assert_no_error (error);
  g_assert_cmpint (newest, >, seq);
  g_assert_cmpuint (users->len, ==, 1);
  g_assert_cmpint (g_array_index (users, gint64, 0), ==, bram);
  /* the membership changed the organisation's members */
  g_assert_cmpuint (organisations->len, ==, 1);
  g_assert_cmpint (g_array_index (organisations, gint64, 0), ==, f->organisation);

  /* nothing since: nothing named, the same newest */
  g_array_set_size (users, 0);
  g_array_set_size (organisations, 0);
  seq = newest;
  g_assert_true (zid_portal_list_changes (f->portal, seq, &newest, users, organisations, &error));
  g_assert_cmpuint (users->len + organisations->len, ==, 0);
  g_assert_cmpint (newest, ==, seq);

  /* one user's change of another table (an attribute) names that user alone */
  cor = register_user (f->portal, f, "Cor", "Claassen");
  seq = latest (f->portal);
  g_assert_cmpint (zid_portal_add_attribute (f->other, f->admin, bram, "big", f->organisation,
                                             "12345678901", &error), >, 0);
  g_assert_no_error (error);
  g_assert_true (zid_portal_list_changes (f->portal, seq, &newest, users, organisations, &error));
  g_assert_cmpuint (users->len, ==, 1);
  g_assert_cmpint (g_array_index (users, gint64, 0), ==, bram);
  g_assert_cmpuint (organisations->len, ==, 0);
  g_assert_cmpint (cor, !=, bram);

  /* a role changed (an upsert of the membership) names the user */
  g_array_set_size (users, 0);
  seq = newest;
  g_assert_true (zid_portal_set_membership (f->other, f->admin, cor, f->organisation,
                                            ZID_ROLE_BEHEERDER, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (zid_portal_list_changes (f->portal, seq, &newest, users, NULL, &error));
  g_assert_cmpuint (users->len, ==, 1);
  g_assert_cmpint (g_array_index (users, gint64, 0), ==, cor);
}

/* This connection's own writes move the version too (data_version does
 * not: it counts the other connections') */
static void
test_own_connection (Fixture *f, gconstpointer data)
{
  ZidChangeVersion before, after;

  g_assert_true (zid_portal_poll_changes (f->portal, &before));
  register_user (f->portal, f, "Dirk", "Dekker");
  g_assert_true (zid_portal_poll_changes (f->portal, &after));
  g_assert_false (version_equal (&before, &after));
}

static void
on_changed (ZidWatch *watch,
            GArray   *users,
            GArray   *organisations,
            GArray   *seen)
{
  g_array_append_vals (seen, users->data, users->len);
}

/* The watch names another connection's change within a second */
static void
test_watch (Fixture *f, gconstpointer data)
{
  g_autoptr(ZidWatch) watch = zid_watch_get (ZID_BACKEND (f->portal));
  g_autoptr(ZidWatch) same = zid_watch_get (ZID_BACKEND (f->portal));
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 started, eva;

  g_assert_true (watch == same);
  g_signal_connect (watch, "changed", G_CALLBACK (on_changed), seen);

  /* idle: nothing named */
  started = g_get_monotonic_time ();
  while (g_get_monotonic_time () - started < 600 * G_TIME_SPAN_MILLISECOND)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
  g_assert_cmpuint (seen->len, ==, 0);

  eva = register_user (f->other, f, "Eva", "Evers");
  started = g_get_monotonic_time ();
  while (seen->len == 0 && g_get_monotonic_time () - started < G_TIME_SPAN_SECOND)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpint (g_array_index (seen, gint64, 0), ==, eva);
  g_test_message ("seen after %" G_GINT64_FORMAT " ms", (g_get_monotonic_time () - started) / 1000);

  g_clear_object (&same);
  g_clear_object (&watch);
}

/* A store of schema 2 counts every user as changed once, and its
 * later writes are noted */
static void
test_upgrade (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) users = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *path = g_build_filename (f->dir, "zorgid.db", NULL);
  g_autofree char *cmd = NULL;
  gint64 newest = 0;

  if (zid_test_on_postgresql ())
    {
      g_test_skip ("a schema-2 file is SQLite's (PostgreSQL stores began at schema 5)");
      return;
    }
  register_user (f->portal, f, "Fien", "Fokker");
  g_clear_object (&f->other);
  g_clear_object (&f->portal);
  cmd = g_strdup_printf ("sqlite3 '%s' 'DROP TABLE changes; PRAGMA user_version = 2'", path);
  if (!g_file_test ("/usr/bin/sqlite3", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("no sqlite3 shell");
      f->portal = zid_portal_open (f->dir, ZID_ENVIRONMENT_ACCEPTATIE, f->clock, &error);
      f->other = zid_portal_open (f->dir, ZID_ENVIRONMENT_ACCEPTATIE, f->clock, &error);
      return;
    }
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL));
  f->portal = zid_portal_open (f->dir, ZID_ENVIRONMENT_ACCEPTATIE, f->clock, &error);
  g_assert_no_error (error);
  f->other = zid_portal_open (f->dir, ZID_ENVIRONMENT_ACCEPTATIE, f->clock, &error);
  g_assert_no_error (error);
  g_assert_true (zid_portal_list_changes (f->portal, 0, &newest, users, NULL, &error));
  g_assert_cmpuint (users->len, ==, 2);
  g_array_set_size (users, 0);
  register_user (f->other, f, "Gijs", "Groen");
  g_assert_true (zid_portal_list_changes (f->portal, newest, &newest, users, NULL, &error));
  g_assert_cmpuint (users->len, ==, 1);
}

/* The inactive users' window asks about the users the watch names, one
 * by one, with the rule of zid_portal_list_inactive() */
static void
test_inactive_user (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) inactive = NULL;
  ZidUser *user = NULL;
  gint64 hans = register_user (f->portal, f, "Hans", "Huisman");

  g_assert_true (zid_portal_get_inactive_user (f->portal, f->admin, f->organisation, hans, &user, &error));
  g_assert_no_error (error);
  g_assert_null (user);

  zid_clock_advance (f->clock, ZID_INACTIVE_AFTER + 60);
  inactive = zid_portal_list_inactive (f->portal, f->admin, f->organisation, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (inactive->len, ==, 2);   /* Anna too: she never used her ID */
  g_assert_true (zid_portal_get_inactive_user (f->portal, f->admin, f->organisation, hans, &user, &error));
  g_assert_nonnull (user);
  g_assert_cmpint (zid_user_get_id (user), ==, hans);
  g_clear_object (&user);

  /* not a member of another organisation: refused as the list is */
  g_assert_false (zid_portal_get_inactive_user (f->portal, f->admin, f->organisation + 1, hans, &user, &error));
  g_assert_nonnull (error);
  g_assert_null (user);
}

int
main (int argc, char *argv[])
{
  /* messages in the language of the environment (LANGUAGE=nl) */
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/changes/other-connection", test_other_connection);
  ADD ("/changes/own-connection", test_own_connection);
  ADD ("/changes/watch", test_watch);
  ADD ("/changes/upgrade", test_upgrade);
  ADD ("/changes/inactive-user", test_inactive_user);
#undef ADD
  return g_test_run ();
}
