/* zid-test-portal.c — the portal the core tests start from
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "zid-test-portal.h"
#if ZID_ENABLE_POSTGRESQL
#include "zid-pg.h"
#endif

#if ZID_ENABLE_POSTGRESQL
/* A connection of its own to @uri (NULL: the test's database) */
static ZidPg *
connect_pg (const char *uri)
{
  g_autoptr(GError) error = NULL;
  ZidPg *pg = zid_pg_open (uri ? uri : g_getenv ("ZID_DATABASE"), &error);

  g_assert_no_error (error);
  return pg;
}
#endif

gboolean
zid_test_on_postgresql (void)
{
  const char *uri = g_getenv ("ZID_TEST_PG_URI");

  return uri != NULL && *uri != '\0';
}

char *
zid_test_fresh_database (void)
{
  return zid_test_copy_database (NULL);
}

char *
zid_test_copy_database (const char *template_uri)
{
#if ZID_ENABLE_POSTGRESQL
  static guint n;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidPg) pg = NULL;
  g_autofree char *name = NULL;
  g_autofree char *template = NULL;
  g_autofree char *create = NULL;

  if (!zid_test_on_postgresql ())
    return NULL;
  /* the fixture's server lives for one run of this program: a new name each time */
  name = g_strdup_printf ("zid_t_%d_%u", (int) getpid (), ++n);
  /* a URI of ours: postgresql:///NAME?… */
  if (template_uri != NULL)
    {
      g_assert_true (g_str_has_prefix (template_uri, "postgresql:///"));
      template = g_strndup (template_uri + strlen ("postgresql:///"),
                            strcspn (template_uri + strlen ("postgresql:///"), "?"));
    }
  create = template ? g_strdup_printf ("CREATE DATABASE %s TEMPLATE %s", name, template)
                    : g_strdup_printf ("CREATE DATABASE %s", name);
  pg = connect_pg (g_getenv ("ZID_TEST_PG_URI"));
  g_assert_true (zid_pg_exec (pg, create, &error));
  g_assert_no_error (error);
  return g_strdup_printf ("postgresql:///%s?host=%s&user=%s", name,
                          g_getenv ("ZID_TEST_PG_HOST"), g_getenv ("ZID_TEST_PG_USER"));
#else
  return NULL;
#endif
}

void
zid_test_portal_database (void)
{
  g_autofree char *uri = zid_test_fresh_database ();

  if (uri != NULL)
    g_setenv ("ZID_DATABASE", uri, TRUE);
}

char *
zid_test_store_location (const char *dir,
                         const char *file)
{
  char *uri = zid_test_fresh_database ();

  return uri ? uri : g_build_filename (dir, file, NULL);
}

gint64
zid_test_portal_org_id (ZidTestPortal *t,
                        const char    *ura)
{
  g_autoptr(ZidOrganisation) o = zid_portal_find_organisation (t->portal, ura, NULL);

  g_assert_nonnull (o);
  return o->id;
}

ZidOneTimeCode *
zid_test_portal_set_up (ZidTestPortal *t)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidOneTimeCode) enrolment = NULL;

  t->dir = g_dir_make_tmp ("zid-test-XXXXXX", &error);
  g_assert_no_error (error);
  t->clock = zid_clock_new_fixed (ZID_TEST_T0);
  zid_test_portal_database ();
  t->portal = zid_portal_open (t->dir, ZID_ENVIRONMENT_ACCEPTATIE, t->clock, &error);
  g_assert_no_error (error);

  g_assert_cmpint (zid_portal_add_registration (t->portal, ZID_TEST_URA_A, "Zorggroep Noord",
                                                "01234567", "Markt 1, Groningen", "VZVZ-1",
                                                &error), >, 0);
  enrolment = zid_portal_bootstrap (t->portal, ZID_TEST_URA_A, "Anna", "de Vries", "1980-02-29",
                                    &error);
  g_assert_no_error (error);
  t->admin = enrolment->user_id;
  t->org_a = zid_test_portal_org_id (t, ZID_TEST_URA_A);
  return g_steal_pointer (&enrolment);
}

void
zid_test_portal_tear_down (ZidTestPortal *t)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", t->dir);

  g_assert_finalize_object (t->portal);
  g_object_unref (t->clock);
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL));
  g_clear_pointer (&t->dir, g_free);
}

gint64
zid_test_portal_count (ZidTestPortal *t,
                       const char    *sql)
{
  g_autofree char *path = g_build_filename (t->dir, "zorgid.db", NULL);
  sqlite3 *db;
  sqlite3_stmt *stmt;
  gint64 n;

#if ZID_ENABLE_POSTGRESQL
  if (zid_test_on_postgresql ())
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ZidPg) pg = connect_pg (NULL);
      ZidPgStmt *query;

      query = zid_pg_prepare (pg, sql, &error);
      g_assert_cmpint (zid_pg_step (query, &error), ==, ZID_PG_ROW);
      g_assert_no_error (error);
      return zid_pg_column_int64 (query, 0);
    }
#endif
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

gboolean
zid_test_portal_exec (ZidTestPortal *t,
                      const char    *sql)
{
  g_autofree char *path = g_build_filename (t->dir, "zorgid.db", NULL);
  sqlite3 *db;
  int rc;

#if ZID_ENABLE_POSTGRESQL
  if (zid_test_on_postgresql ())
    {
      g_autoptr(ZidPg) pg = connect_pg (NULL);
      static const char fk_off[] = "PRAGMA foreign_keys = OFF;";

      /* as the sqlite3 shell: no foreign keys checked (nor triggers run) */
      g_assert_true (zid_pg_exec (pg, "SET session_replication_role = replica", NULL));
      if (g_str_has_prefix (sql, fk_off))
        sql += strlen (fk_off);
      return zid_pg_exec (pg, sql, NULL);
    }
#endif
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  rc = sqlite3_exec (db, sql, NULL, NULL, NULL);
  sqlite3_close (db);
  return rc == SQLITE_OK;
}
