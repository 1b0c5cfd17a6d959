/* test-pg.c — the libpq driver and the PostgreSQL schema, on a private
 * server (tests/fixtures/zid-pg-fixture.sh run): the schema on an empty
 * database and again, placeholders, binds of each type, RETURNING, rows
 * changed, a statement used again, errors as the store's GError, nested
 * transactions and savepoints, two connections on one row, the audit
 * chain's head advanced by one writer at a time, the change triggers
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "zid-error.h"
#include "zid-pg.h"
#include "zid-store-private.h"

typedef struct
{
  char  *conninfo;  /* a database of this test's own */
  ZidPg *pg;
} Fixture;

/* A fresh, empty database on the fixture's server */
static char *
new_database (void)
{
  static guint serial;
  const char *host = g_getenv ("ZID_TEST_PG_HOST");
  const char *user = g_getenv ("ZID_TEST_PG_USER");
  g_autoptr(GError) error = NULL;
  g_autofree char *admin = g_strdup_printf ("host=%s user=%s dbname=zid", host, user);
  g_autofree char *name = g_strdup_printf ("zid_test_%u", ++serial);
  g_autofree char *drop = g_strdup_printf ("DROP DATABASE IF EXISTS %s", name);
  g_autofree char *create = g_strdup_printf ("CREATE DATABASE %s", name);
  g_autoptr(ZidPg) pg = zid_pg_open (admin, &error);

  g_assert_no_error (error);
  g_assert_true (zid_pg_exec (pg, drop, &error));
  g_assert_true (zid_pg_exec (pg, create, &error));
  g_assert_no_error (error);
  return g_strdup_printf ("host=%s user=%s dbname=%s", host, user, name);
}

static ZidPg *
connect (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  ZidPg *pg = zid_pg_open (f->conninfo, &error);

  g_assert_no_error (error);
  return pg;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  migrated)
{
  g_autoptr(GError) error = NULL;

  f->conninfo = new_database ();
  f->pg = connect (f);
  if (migrated)
    {
      g_assert_true (zid_pg_migrate (f->pg, NULL, &error));
      g_assert_no_error (error);
    }
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->pg, zid_pg_free);
  g_free (f->conninfo);
}

static gint64
count (ZidPg      *pg,
       const char *sql)
{
  g_autoptr(GError) error = NULL;
  gint64 n = -1;

  g_assert_true (zid_pg_finish (zid_pg_query (pg, &error, sql, ""), &n, &error));
  g_assert_no_error (error);
  return n;
}

static gint64
add_user (ZidPg      *pg,
          const char *name)
{
  g_autoptr(GError) error = NULL;
  gint64 id = 0;

  gboolean ok;

  ok = zid_pg_finish (zid_pg_query (pg, &error,
                                    "INSERT INTO users (first_name, last_name,"
                                    " birth_date, registered)"
                                    " VALUES (?, ?, '1970-01-01', ?) RETURNING id",
                                    "tti", name, name, (gint64) 1700000000),
                      &id, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpint (id, >, 0);
  return id;
}

static void
test_schema (Fixture       *f,
             gconstpointer  data)
{
  static const char *const tables[] = {
    "settings", "organisations", "registrations", "users", "memberships", "name_keys",
    "attributes", "certificates", "codes", "login_sessions", "audit", "seals", "changes",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidPg) other = NULL;
  int found = -1;

  /* an empty database gets every step */
  g_assert_true (zid_pg_migrate (f->pg, &found, &error));
  g_assert_no_error (error);
  g_assert_cmpint (found, ==, 0);
  g_assert_cmpint (count (f->pg, "SELECT version FROM schema_version"), ==,
                   ZID_STORE_SCHEMA_VERSION);
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      ZidPgStmt *stmt = zid_pg_query (f->pg, &error,
                                      "SELECT count(*) FROM information_schema.tables"
                                      " WHERE table_schema = 'public' AND table_name = ?",
                                      "t", tables[i]);
      gint64 n = 0;

      g_assert_true (zid_pg_finish (stmt, &n, &error));
      g_assert_cmpint (n, ==, 1);
    }
  g_assert_cmpint (count (f->pg, "SELECT count(*) FROM pg_indexes WHERE indexname IN"
                                 " ('memberships_by_user', 'certificates_by_user',"
                                 " 'changes_by_seq', 'codes_by_user', 'audit_by_subject',"
                                 " 'audit_by_time')"), ==, 6);

  /* again, here and from another connection: nothing to do */
  g_assert_true (zid_pg_migrate (f->pg, &found, &error));
  g_assert_no_error (error);
  g_assert_cmpint (found, ==, ZID_STORE_SCHEMA_VERSION);
  other = connect (f);
  g_assert_true (zid_pg_migrate (other, &found, &error));
  g_assert_no_error (error);
  g_assert_cmpint (found, ==, ZID_STORE_SCHEMA_VERSION);

  /* a newer schema is refused */
  g_assert_true (zid_pg_exec (f->pg, "UPDATE schema_version SET version = 99", &error));
  g_assert_false (zid_pg_migrate (other, NULL, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_STORE);
  g_assert_nonnull (strstr (error->message, "99"));
}

static void
test_revocation_is_final (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 user = add_user (f->pg, "Anna");

  g_assert_true (zid_pg_finish (zid_pg_query (f->pg, &error,
                                              "INSERT INTO certificates (serial, user_id,"
                                              " not_before, not_after, pem)"
                                              " VALUES ('01', ?, 1, 2, 'pem')", "i", user),
                                NULL, &error));
  g_assert_no_error (error);
  g_assert_true (zid_pg_finish (zid_pg_query (f->pg, &error,
                                              "UPDATE certificates SET revoked_at = ?",
                                              "i", (gint64) 5), NULL, &error));
  g_assert_no_error (error);
  g_assert_false (zid_pg_finish (zid_pg_query (f->pg, &error,
                                               "UPDATE certificates SET revoked_at = ?",
                                               "i", (gint64) 6), NULL, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_STORE);
  g_assert_nonnull (strstr (error->message, "revocation is final"));
}

static void
test_placeholders (Fixture       *f,
                   gconstpointer  data)
{
  static const char bare[] = "SELECT ?, ?, ? || 'x'";
  static const char numbered[] = "SELECT ?2, ?1, ?2 + ?1";
  static const char mixed[] = "SELECT ?, ?1";
  g_autoptr(GError) error = NULL;
  ZidPgStmt *stmt;

  stmt = zid_pg_query (f->pg, &error, bare, "tit", "a", (gint64) 7, "b");
  g_assert_no_error (error);
  g_assert_cmpint (zid_pg_step (stmt, &error), ==, ZID_PG_ROW);
  g_assert_cmpstr (zid_pg_column_text (stmt, 0), ==, "a");
  g_assert_cmpint (zid_pg_column_int64 (stmt, 1), ==, 7);
  g_assert_cmpstr (zid_pg_column_text (stmt, 2), ==, "bx");
  g_assert_cmpint (zid_pg_step (stmt, &error), ==, ZID_PG_DONE);

  stmt = zid_pg_query (f->pg, &error, numbered, "ii", (gint64) 40, (gint64) 2);
  g_assert_no_error (error);
  g_assert_cmpint (zid_pg_step (stmt, &error), ==, ZID_PG_ROW);
  g_assert_cmpint (zid_pg_column_count (stmt), ==, 3);
  g_assert_cmpint (zid_pg_column_int64 (stmt, 0), ==, 2);
  g_assert_cmpint (zid_pg_column_int64 (stmt, 1), ==, 40);
  g_assert_cmpint (zid_pg_column_int64 (stmt, 2), ==, 42);
  zid_pg_reset (stmt);

  /* too many binds for the text */
  g_assert_null (zid_pg_query (f->pg, &error, numbered, "iii", (gint64) 1, (gint64) 2,
                               (gint64) 3));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_STORE);
  g_clear_error (&error);

  g_assert_null (zid_pg_prepare (f->pg, mixed, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_STORE);
  g_assert_nonnull (strstr (error->message, "mixed"));
}

static void
test_binds (Fixture       *f,
            gconstpointer  data)
{
  static const char insert[] = "INSERT INTO t (n, s, b) VALUES (?, ?, ?) RETURNING id";
  static const char select[] = "SELECT n, s, b FROM t WHERE id = ?";
  static const guint8 blob[] = { 0, 1, 0, 0xff, 0x80, '\\', 'x', 0 };
  static const struct
  {
    gint64      n;
    const char *s;
    gsize       len;   /* of blob; G_MAXSIZE for NULL */
  } rows[] = {
    { G_MININT64, "Zoë Čapek — 漢字 🙂", sizeof blob },
    { G_MAXINT64, "", 0 },
    { 0, NULL, G_MAXSIZE },
    { -1, "'; DROP TABLE t; --", 1 },
  };
  g_autoptr(GError) error = NULL;

  g_assert_true (zid_pg_exec (f->pg, "CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS"
                                     " IDENTITY PRIMARY KEY, n BIGINT, s TEXT, b BYTEA)",
                              &error));
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      ZidPgStmt *stmt = zid_pg_prepare (f->pg, insert, &error);
      gint64 id = 0;
      gsize len = 99;
      const guint8 *back;

      g_assert_true (zid_pg_bind_int64 (stmt, 1, rows[i].n, &error));
      g_assert_true (zid_pg_bind_text (stmt, 2, rows[i].s, &error));
      if (rows[i].len == G_MAXSIZE)
        g_assert_true (zid_pg_bind_null (stmt, 3, &error));
      else
        g_assert_true (zid_pg_bind_blob (stmt, 3, blob, rows[i].len, &error));
      g_assert_true (zid_pg_finish (stmt, &id, &error));
      g_assert_no_error (error);
      g_assert_cmpint (id, ==, i + 1);

      stmt = zid_pg_query (f->pg, &error, select, "i", id);
      g_assert_cmpint (zid_pg_step (stmt, &error), ==, ZID_PG_ROW);
      g_assert_cmpint (zid_pg_column_type (stmt, 0), ==, ZID_PG_INTEGER);
      g_assert_cmpint (zid_pg_column_type (stmt, 1), ==,
                       rows[i].s ? ZID_PG_TEXT : ZID_PG_NULL);
      g_assert_cmpint (zid_pg_column_type (stmt, 2), ==,
                       rows[i].len == G_MAXSIZE ? ZID_PG_NULL : ZID_PG_BLOB);
      g_assert_cmpint (zid_pg_column_int64 (stmt, 0), ==, rows[i].n);
      g_assert_cmpstr (zid_pg_column_text (stmt, 1), ==, rows[i].s);
      g_assert_cmpint (zid_pg_column_is_null (stmt, 1), ==, rows[i].s == NULL);
      g_autofree char *dup = zid_pg_column_dup (stmt, 1);
      g_assert_cmpstr (dup, ==, rows[i].s);
      back = zid_pg_column_blob (stmt, 2, &len);
      if (rows[i].len == G_MAXSIZE)
        {
          g_assert_true (zid_pg_column_is_null (stmt, 2));
          g_assert_null (back);
          g_assert_cmpuint (len, ==, 0);
        }
      else
        {
          g_assert_false (zid_pg_column_is_null (stmt, 2));
          g_assert_cmpmem (back, len, blob, rows[i].len);
        }
      g_assert_cmpint (zid_pg_step (stmt, &error), ==, ZID_PG_DONE);
    }

  /* an int64 bound alone keeps its type: SELECT ? gives it back */
  {
    ZidPgStmt *stmt = zid_pg_query (f->pg, &error, "SELECT ?", "i", G_MININT64);
    g_assert_cmpint (zid_pg_step (stmt, &error), ==, ZID_PG_ROW);
    g_assert_cmpint (zid_pg_column_int64 (stmt, 0), ==, G_MININT64);
    zid_pg_reset (stmt);
  }
  /* a boolean reads as SQLite's 0/1 */
  g_assert_cmpint (count (f->pg, "SELECT EXISTS (SELECT 1 FROM t) OR false"), ==, 1);
  g_assert_cmpint (count (f->pg, "SELECT EXISTS (SELECT 1 FROM t WHERE n = 12345)"), ==, 0);
}

static void
test_returning (Fixture       *f,
                gconstpointer  data)
{
  static const char insert[] = "INSERT INTO organisations (ura, name, created) VALUES (?, ?, ?)"
                               " ON CONFLICT DO NOTHING RETURNING id";
  g_autoptr(GError) error = NULL;
  gint64 id = -1;

  g_assert_true (zid_pg_finish (zid_pg_query (f->pg, &error, insert, "tti", "111", "Eerste",
                                              (gint64) 1), &id, &error));
  g_assert_cmpint (id, ==, 1);
  g_assert_cmpint (zid_pg_changes (f->pg), ==, 1);
  g_assert_true (zid_pg_finish (zid_pg_query (f->pg, &error, insert, "tti", "222", "Tweede",
                                              (gint64) 1), &id, &error));
  g_assert_cmpint (id, ==, 2);
  /* the same URA again: nothing inserted, id 0, no rows changed */
  g_assert_true (zid_pg_finish (zid_pg_query (f->pg, &error, insert, "tti", "111", "Dubbel",
                                              (gint64) 1), &id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (id, ==, 0);
  g_assert_cmpint (zid_pg_changes (f->pg), ==, 0);

  /* rows changed by an UPDATE and a DELETE; a SELECT leaves the count */
  g_assert_true (zid_pg_finish (zid_pg_query (f->pg, &error,
                                              "UPDATE organisations SET created = ?",
                                              "i", (gint64) 9), NULL, &error));
  g_assert_cmpint (zid_pg_changes (f->pg), ==, 2);
  g_assert_cmpint (count (f->pg, "SELECT count(*) FROM organisations"), ==, 2);
  g_assert_cmpint (zid_pg_changes (f->pg), ==, 2);
  g_assert_true (zid_pg_finish (zid_pg_query (f->pg, &error,
                                              "DELETE FROM organisations WHERE ura = ?",
                                              "t", "222"), NULL, &error));
  g_assert_cmpint (zid_pg_changes (f->pg), ==, 1);
  g_assert_no_error (error);
}

static void
test_reuse (Fixture       *f,
            gconstpointer  data)
{
  static const char select[] = "SELECT id FROM users WHERE id >= ? ORDER BY id";
  g_autoptr(GError) error = NULL;
  ZidPgStmt *stmt;
  ZidPgStmt *again;

  for (int i = 0; i < 3; i++)
    add_user (f->pg, "Bram");

  stmt = zid_pg_query (f->pg, &error, select, "i", (gint64) 1);
  g_assert_cmpint (zid_pg_step (stmt, &error), ==, ZID_PG_ROW);
  g_assert_cmpint (zid_pg_column_int64 (stmt, 0), ==, 1);
  /* reset half-way, bound again: the same cached statement, new rows */
  zid_pg_reset (stmt);
  again = zid_pg_query (f->pg, &error, select, "i", (gint64) 3);
  g_assert_true (again == stmt);
  g_assert_cmpint (zid_pg_step (stmt, &error), ==, ZID_PG_ROW);
  g_assert_cmpint (zid_pg_column_int64 (stmt, 0), ==, 3);
  g_assert_cmpint (zid_pg_step (stmt, &error), ==, ZID_PG_DONE);
  /* stepped after its end it runs again, with the same binding */
  g_assert_cmpint (zid_pg_step (stmt, &error), ==, ZID_PG_ROW);
  g_assert_cmpint (zid_pg_column_int64 (stmt, 0), ==, 3);
  zid_pg_reset (stmt);
  /* a new binding alone (no prepare) also runs it afresh */
  g_assert_true (zid_pg_bind_int64 (stmt, 1, 2, &error));
  g_assert_cmpint (zid_pg_step (stmt, &error), ==, ZID_PG_ROW);
  g_assert_cmpint (zid_pg_column_int64 (stmt, 0), ==, 2);
  zid_pg_reset (stmt);
  g_assert_no_error (error);
}

static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  static const char insert[] = "INSERT INTO settings (key, value) VALUES (?, ?)";
  g_autoptr(GError) error = NULL;

  g_assert_true (zid_pg_finish (zid_pg_query (f->pg, &error, insert, "tt", "a", "1"), NULL,
                                &error));
  /* a constraint: the store error, as SQLite's store gives it */
  g_assert_false (zid_pg_finish (zid_pg_query (f->pg, &error, insert, "tt", "a", "2"), NULL,
                                 &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_STORE);
  g_clear_error (&error);
  /* a statement that does not prepare: at its first step */
  g_assert_cmpint (zid_pg_step (zid_pg_prepare (f->pg, "SELECT nonsense FROM nowhere", &error),
                                &error), ==, ZID_PG_ERROR);
  g_assert_error (error, ZID_ERROR, ZID_ERROR_STORE);
  g_clear_error (&error);
  /* a failed query's NULL statement steps to an error without a new one */
  g_assert_cmpint (zid_pg_step (NULL, &error), ==, ZID_PG_ERROR);
  g_assert_no_error (error);

  /* in a transaction an error aborts it: the commit says so */
  g_assert_true (zid_pg_begin (f->pg, TRUE, &error));
  g_assert_true (zid_pg_finish (zid_pg_query (f->pg, &error, insert, "tt", "b", "1"), NULL,
                                &error));
  g_assert_false (zid_pg_finish (zid_pg_query (f->pg, &error, insert, "tt", "a", "3"), NULL,
                                 &error));
  g_clear_error (&error);
  g_assert_false (zid_pg_commit (f->pg, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_STORE);
  g_clear_error (&error);
  g_assert_cmpint (zid_pg_depth (f->pg), ==, 0);
  g_assert_cmpint (count (f->pg, "SELECT count(*) FROM settings"), ==, 1);

  /* unless the statement had a savepoint: the transaction goes on */
  g_assert_true (zid_pg_begin (f->pg, TRUE, &error));
  g_assert_true (zid_pg_finish (zid_pg_query (f->pg, &error, insert, "tt", "b", "1"), NULL,
                                &error));
  g_assert_true (zid_pg_savepoint (f->pg, &error));
  g_assert_false (zid_pg_finish (zid_pg_query (f->pg, &error, insert, "tt", "a", "3"), NULL,
                                 &error));
  g_clear_error (&error);
  g_assert_true (zid_pg_rollback_to (f->pg, &error));
  g_assert_true (zid_pg_savepoint (f->pg, &error));
  g_assert_true (zid_pg_finish (zid_pg_query (f->pg, &error, insert, "tt", "c", "1"), NULL,
                                &error));
  g_assert_true (zid_pg_release (f->pg, &error));
  g_assert_true (zid_pg_commit (f->pg, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (f->pg, "SELECT count(*) FROM settings"), ==, 3);

  /* a read transaction cannot write by mistake */
  g_assert_true (zid_pg_begin (f->pg, FALSE, &error));
  g_assert_false (zid_pg_finish (zid_pg_query (f->pg, &error, insert, "tt", "d", "1"), NULL,
                                 &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_STORE);
  zid_pg_rollback (f->pg);
}

static void
test_nested (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidPg) other = connect (f);

  g_assert_true (zid_pg_begin (f->pg, TRUE, &error));
  g_assert_true (zid_pg_begin (f->pg, FALSE, &error));  /* joins */
  g_assert_cmpint (zid_pg_depth (f->pg), ==, 2);
  add_user (f->pg, "Cor");
  g_assert_true (zid_pg_commit (f->pg, &error));
  /* the inner commit commits nothing yet */
  g_assert_cmpint (count (other, "SELECT count(*) FROM users"), ==, 0);
  g_assert_cmpint (count (f->pg, "SELECT count(*) FROM users"), ==, 1);
  g_assert_true (zid_pg_commit (f->pg, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (other, "SELECT count(*) FROM users"), ==, 1);

  /* the outer rollback undoes what the inner part did */
  g_assert_true (zid_pg_begin (f->pg, TRUE, &error));
  g_assert_true (zid_pg_begin (f->pg, TRUE, &error));
  add_user (f->pg, "Dirk");
  g_assert_true (zid_pg_commit (f->pg, &error));
  zid_pg_rollback (f->pg);
  g_assert_cmpint (zid_pg_depth (f->pg), ==, 0);
  g_assert_cmpint (count (other, "SELECT count(*) FROM users"), ==, 1);

  /* a read transaction is one snapshot */
  g_assert_true (zid_pg_begin (other, FALSE, &error));
  g_assert_cmpint (count (other, "SELECT count(*) FROM users"), ==, 1);
  add_user (f->pg, "Els");
  g_assert_cmpint (count (other, "SELECT count(*) FROM users"), ==, 1);
  g_assert_true (zid_pg_commit (other, &error));
  g_assert_cmpint (count (other, "SELECT count(*) FROM users"), ==, 2);
  g_assert_no_error (error);
}

#define BUSY_MS 200

static void
test_busy (Fixture       *f,
           gconstpointer  data)
{
  static const char block[] = "UPDATE users SET blocked = ? WHERE id = ?";
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidPg) other = connect (f);
  gint64 user = add_user (f->pg, "Fien");
  gint64 start;

  g_assert_true (zid_pg_set_busy_timeout (other, BUSY_MS, &error));

  /* a writer holds the row (and the writer lock) */
  g_assert_true (zid_pg_begin (f->pg, TRUE, &error));
  g_assert_true (zid_pg_finish (zid_pg_query (f->pg, &error, block, "ii", (gint64) 1, user),
                                NULL, &error));

  /* the other's update of the same row waits, then is busy */
  start = g_get_monotonic_time ();
  g_assert_false (zid_pg_finish (zid_pg_query (other, &error, block, "ii", (gint64) 2, user),
                                 NULL, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_BUSY);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, BUSY_MS * 1000 * 9 / 10);
  g_clear_error (&error);
  /* so is its write transaction: writers take turns */
  g_assert_false (zid_pg_begin (other, TRUE, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_cmpint (zid_pg_depth (other), ==, 0);
  /* a reader is not held up */
  g_assert_true (zid_pg_begin (other, FALSE, &error));
  g_assert_cmpint (count (other, "SELECT blocked FROM users"), ==, 0);
  g_assert_true (zid_pg_commit (other, &error));

  g_assert_true (zid_pg_commit (f->pg, &error));
  /* the retry succeeds */
  g_assert_true (zid_pg_begin (other, TRUE, &error));
  g_assert_true (zid_pg_finish (zid_pg_query (other, &error, block, "ii", (gint64) 2, user),
                                NULL, &error));
  g_assert_true (zid_pg_commit (other, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (f->pg, "SELECT blocked FROM users"), ==, 2);

  /* a serialization failure (a snapshot older than the row's change) is
   * busy too, and the retry succeeds */
  g_assert_true (zid_pg_exec (other, "BEGIN ISOLATION LEVEL REPEATABLE READ", &error));
  g_assert_cmpint (count (other, "SELECT blocked FROM users"), ==, 2);
  g_assert_true (zid_pg_finish (zid_pg_query (f->pg, &error, block, "ii", (gint64) 3, user),
                                NULL, &error));
  g_assert_false (zid_pg_finish (zid_pg_query (other, &error, block, "ii", (gint64) 4, user),
                                 NULL, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_true (zid_pg_exec (other, "ROLLBACK", &error));
  g_assert_true (zid_pg_finish (zid_pg_query (other, &error, block, "ii", (gint64) 4, user),
                                NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (f->pg, "SELECT blocked FROM users"), ==, 4);
}

/* The audit chain: writers in threads, each on its own connection, append
 * events; each event's prev is the hash of the one before */

#define WRITERS 4
#define EVENTS  25

typedef struct
{
  const char *conninfo;
  gboolean    row_lock;  /* SELECT … FOR UPDATE on the head, else the writer lock */
  guint       retries;
} Writer;

static void
chain_hash (const guint8 *prev,
            gint64        id,
            guint8        out[32])
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize len = 32;

  g_checksum_update (sum, prev, 32);
  g_checksum_update (sum, (const guchar *) &id, sizeof id);
  g_checksum_get_digest (sum, out, &len);
}

static gboolean
append_event (ZidPg     *pg,
              gboolean   row_lock,
              GError   **error)
{
  ZidPgStmt *stmt;
  guint8 prev[32] = { 0 };
  guint8 hash[32];
  gint64 id = 1;
  gboolean ok;

  if (row_lock ? !zid_pg_exec (pg, "BEGIN", error) : !zid_pg_begin (pg, TRUE, error))
    return FALSE;
  ok = !row_lock ||
       zid_pg_finish (zid_pg_query (pg, error, "SELECT value FROM settings"
                                    " WHERE key = 'audit-head' FOR UPDATE", ""), NULL, error);
  if (ok)
    {
      stmt = zid_pg_query (pg, error, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1", "");
      switch (zid_pg_step (stmt, error))
        {
        case ZID_PG_ROW:
          {
            gsize len;
            const void *data = zid_pg_column_blob (stmt, 1, &len);

            g_assert_cmpuint (len, ==, 32);
            id = zid_pg_column_int64 (stmt, 0) + 1;
            memcpy (prev, data, 32);
            zid_pg_reset (stmt);
          }
          break;
        case ZID_PG_DONE:
          break;
        default:
          ok = FALSE;
        }
    }
  chain_hash (prev, id, hash);
  ok = ok &&
       zid_pg_finish (zid_pg_query (pg, error,
                                    "INSERT INTO audit (id, time, actor, action, prev, hash)"
                                    " VALUES (?, ?, 'test', 'append', ?, ?)",
                                    "iibb", id, (gint64) 1, prev, (gsize) 32, hash,
                                    (gsize) 32), NULL, error) &&
       zid_pg_finish (zid_pg_query (pg, error,
                                    "UPDATE settings SET value = ? WHERE key = 'audit-head'",
                                    "t", "moved"), NULL, error);
  if (row_lock)
    {
      if (ok)
        return zid_pg_exec (pg, "COMMIT", error);
      zid_pg_exec (pg, "ROLLBACK", NULL);
      return FALSE;
    }
  if (ok)
    return zid_pg_commit (pg, error);
  zid_pg_rollback (pg);
  return FALSE;
}

static gpointer
writer_thread (gpointer data)
{
  Writer *w = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidPg) pg = zid_pg_open (w->conninfo, &error);

  g_assert_no_error (error);
  /* short waits: the busy path is taken too */
  g_assert_true (zid_pg_set_busy_timeout (pg, 1, &error));
  for (int i = 0; i < EVENTS; i++)
    {
      while (!append_event (pg, w->row_lock, &error))
        {
          /* only busy: two writers that both took the same id (a
           * unique violation, ZID_ERROR_STORE) would mean the head was
           * not locked */
          g_assert_error (error, ZID_ERROR, ZID_ERROR_BUSY);
          g_clear_error (&error);
          w->retries++;
          g_assert_cmpuint (w->retries, <, 100000);
        }
    }
  return NULL;
}

static void
audit_head (Fixture  *f,
            gboolean  row_lock)
{
  g_autoptr(GError) error = NULL;
  Writer writers[WRITERS];
  GThread *threads[WRITERS];
  ZidPgStmt *stmt;
  guint8 prev[32] = { 0 };
  gint64 expected = 1;
  guint retries = 0;

  g_assert_true (zid_pg_finish (zid_pg_query (f->pg, &error,
                                              "INSERT INTO settings (key, value)"
                                              " VALUES ('audit-head', '')", ""), NULL, &error));
  for (int i = 0; i < WRITERS; i++)
    {
      writers[i] = (Writer) { f->conninfo, row_lock, 0 };
      threads[i] = g_thread_new ("writer", writer_thread, &writers[i]);
    }
  for (int i = 0; i < WRITERS; i++)
    {
      g_thread_join (threads[i]);
      retries += writers[i].retries;
    }
  g_test_message ("%d writers x %d events, %u retries", WRITERS, EVENTS, retries);

  /* one chain: every id once, in order, each linked to the one before */
  stmt = zid_pg_query (f->pg, &error, "SELECT id, prev, hash FROM audit ORDER BY id", "");
  while (zid_pg_step (stmt, &error) == ZID_PG_ROW)
    {
      guint8 hash[32];
      gsize len;
      const void *data;

      g_assert_cmpint (zid_pg_column_int64 (stmt, 0), ==, expected);
      data = zid_pg_column_blob (stmt, 1, &len);
      g_assert_cmpmem (data, len, prev, 32);
      chain_hash (prev, expected, hash);
      data = zid_pg_column_blob (stmt, 2, &len);
      g_assert_cmpmem (data, len, hash, 32);
      memcpy (prev, hash, 32);
      expected++;
    }
  g_assert_no_error (error);
  g_assert_cmpint (expected - 1, ==, WRITERS * EVENTS);
}

static void
test_audit_head_row_lock (Fixture       *f,
                          gconstpointer  data)
{
  audit_head (f, TRUE);
}

static void
test_audit_head_writer_lock (Fixture       *f,
                             gconstpointer  data)
{
  audit_head (f, FALSE);
}

static void
test_changes (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidPg) watcher = connect (f);
  gint64 user;
  gint64 org = 0;
  guint notified = 0;
  ZidPgStmt *stmt;

  g_assert_true (zid_pg_listen (watcher, &error));
  g_assert_cmpint (zid_pg_socket (watcher), >=, 0);
  g_assert_cmpuint (zid_pg_notified (watcher), ==, 0);

  /* the store's session notes the users it touches, for the seal */
  g_assert_true (zid_pg_exec (f->pg,
                              "CREATE TEMP TABLE zid_touched (user_id BIGINT PRIMARY KEY)"
                              "  ON COMMIT DELETE ROWS;"
                              "SET zid.sealing = 'on'", &error));
  g_assert_true (zid_pg_begin (f->pg, TRUE, &error));
  user = add_user (f->pg, "Gijs");
  g_assert_true (zid_pg_finish (zid_pg_query (f->pg, &error,
                                              "INSERT INTO organisations (ura, name, created)"
                                              " VALUES ('333', 'Derde', 1) RETURNING id", ""),
                                &org, &error));
  g_assert_true (zid_pg_finish (zid_pg_query (f->pg, &error,
                                              "INSERT INTO memberships (organisation_id,"
                                              " user_id, role) VALUES (?, ?, 3)",
                                              "ii", org, user), NULL, &error));
  g_assert_true (zid_pg_finish (zid_pg_query (f->pg, &error,
                                              "INSERT INTO settings (key, value)"
                                              " VALUES ('environment', 'acceptatie')", ""),
                                NULL, &error));
  g_assert_cmpint (count (f->pg, "SELECT count(*) FROM zid_touched"), ==, 2);
  g_assert_cmpint (count (f->pg, "SELECT min(user_id) FROM zid_touched"), ==, 0);
  g_assert_cmpint (count (f->pg, "SELECT max(user_id) FROM zid_touched"), ==, user);
  /* nothing is told before the commit */
  g_assert_cmpuint (zid_pg_notified (watcher), ==, 0);
  g_assert_true (zid_pg_commit (f->pg, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (f->pg, "SELECT count(*) FROM zid_touched"), ==, 0);

  for (int i = 0; i < 200 && notified == 0; i++)
    {
      notified = zid_pg_notified (watcher);
      if (notified == 0)
        g_usleep (10000);
    }
  g_assert_cmpuint (notified, ==, 1);  /* once per transaction */

  /* the user (kind 1) and the organisation (kind 2) are in the changes */
  stmt = zid_pg_query (f->pg, &error, "SELECT kind, id, seq FROM changes ORDER BY kind", "");
  g_assert_cmpint (zid_pg_step (stmt, &error), ==, ZID_PG_ROW);
  g_assert_cmpint (zid_pg_column_int64 (stmt, 0), ==, 1);
  g_assert_cmpint (zid_pg_column_int64 (stmt, 1), ==, user);
  g_assert_cmpint (zid_pg_step (stmt, &error), ==, ZID_PG_ROW);
  g_assert_cmpint (zid_pg_column_int64 (stmt, 0), ==, 2);
  g_assert_cmpint (zid_pg_column_int64 (stmt, 1), ==, org);
  /* user 1, org 2; the membership changed both again in the same
   * transaction, which keeps their seq (seen at commit either way) */
  g_assert_cmpint (zid_pg_column_int64 (stmt, 2), ==, 2);
  g_assert_cmpint (zid_pg_step (stmt, &error), ==, ZID_PG_DONE);

  /* another session (psql, say) notes no touched users */
  add_user (watcher, "Hans");
  g_assert_cmpint (count (f->pg, "SELECT count(*) FROM users"), ==, 2);
  g_assert_no_error (error);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("ZID_TEST_PG_HOST") == NULL)
    {
      g_print ("1..0 # SKIP no PostgreSQL: run through tests/fixtures/zid-pg-fixture.sh run\n");
      return 0;
    }

#define ADD(path, func, migrated) \
  g_test_add ("/pg/" path, Fixture, GINT_TO_POINTER (migrated), fixture_set_up, func, \
              fixture_tear_down)
  ADD ("schema", test_schema, FALSE);
  ADD ("revocation-is-final", test_revocation_is_final, TRUE);
  ADD ("placeholders", test_placeholders, TRUE);
  ADD ("binds", test_binds, TRUE);
  ADD ("returning", test_returning, TRUE);
  ADD ("reuse", test_reuse, TRUE);
  ADD ("errors", test_errors, TRUE);
  ADD ("nested", test_nested, TRUE);
  ADD ("busy", test_busy, TRUE);
  ADD ("changes", test_changes, TRUE);
  ADD ("audit-head/row-lock", test_audit_head_row_lock, TRUE);
  ADD ("audit-head/writer-lock", test_audit_head_writer_lock, TRUE);
#undef ADD

  return g_test_run ();
}
