/* test-db.c — the statement API the core's SQL goes through, on a real
 * store: binds of each type, rows and their end, rows changed, new ids by
 * RETURNING, errors as the store's GError, a statement used again, the
 * columns' count, kinds and bytes
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gstdio.h>

#include "zid-db.h"
#include "zid-error.h"

#define INSERT_ROW "INSERT INTO t (n, s, b) VALUES (?, ?, ?) RETURNING id"
#define SELECT_ROW "SELECT id, n, s, b FROM t WHERE id = ?"

typedef struct
{
  char     *dir;
  ZidStore *store;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("zid-test-db-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "portal.db", NULL);
  f->store = zid_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (zid_store_exec (f->store,
                                 "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, s TEXT UNIQUE, b BLOB)",
                                 &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->dir);

  zid_store_free (f->store);
  g_assert_cmpint (system (cmd), ==, 0);
  g_free (f->dir);
}

/* Each bind by position comes back as its type; NULL text is NULL */
static void
test_binds (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  static const guint8 blob[] = { 0, 1, 2, 0xff, 0 };
  ZidDbStmt *stmt;
  const void *read;
  gsize len = 0;

  g_assert_true (zid_store_begin (f->store, TRUE, &error));
  stmt = zid_db_prepare (f->store, "INSERT INTO t (id, n, s, b) VALUES (?, ?, ?, ?)", &error);
  g_assert_no_error (error);
  g_assert_nonnull (stmt);
  g_assert_true (zid_db_bind_int64 (stmt, 1, 7, &error));
  g_assert_true (zid_db_bind_int64 (stmt, 2, G_GINT64_CONSTANT (1) << 40, &error));
  g_assert_true (zid_db_bind_text (stmt, 3, "één", &error));
  g_assert_true (zid_db_bind_blob (stmt, 4, blob, sizeof blob, &error));
  g_assert_cmpint (zid_db_step (stmt, &error), ==, ZID_DB_DONE);
  g_assert_no_error (error);
  g_assert_cmpint (zid_db_changes (f->store), ==, 1);
  zid_db_reset (stmt);

  /* the same statement, its earlier bindings cleared */
  stmt = zid_db_prepare (f->store, "INSERT INTO t (id, n, s, b) VALUES (?, ?, ?, ?)", &error);
  g_assert_true (zid_db_bind_int64 (stmt, 1, 8, &error));
  g_assert_true (zid_db_bind_null (stmt, 2, &error));
  g_assert_true (zid_db_bind_text (stmt, 3, NULL, &error));
  g_assert_cmpint (zid_db_step (stmt, &error), ==, ZID_DB_DONE);
  zid_db_reset (stmt);
  g_assert_true (zid_store_commit (f->store, &error));
  g_assert_no_error (error);

  g_assert_true (zid_store_begin (f->store, FALSE, &error));
  stmt = zid_db_query (f->store, &error, SELECT_ROW, "i", (gint64) 7);
  g_assert_no_error (error);
  g_assert_cmpint (zid_db_step (stmt, &error), ==, ZID_DB_ROW);
  g_assert_cmpint (zid_db_column_int64 (stmt, 0), ==, 7);
  g_assert_cmpint (zid_db_column_int (stmt, 0), ==, 7);
  g_assert_cmpint (zid_db_column_int64 (stmt, 1), ==, G_GINT64_CONSTANT (1) << 40);
  g_assert_false (zid_db_column_is_null (stmt, 1));
  g_assert_cmpstr (zid_db_column_text (stmt, 2), ==, "één");
  read = zid_db_column_blob (stmt, 3, &len);
  g_assert_cmpmem (read, len, blob, sizeof blob);
  g_assert_cmpint (zid_db_step (stmt, &error), ==, ZID_DB_DONE);
  zid_db_reset (stmt);

  stmt = zid_db_query (f->store, &error, SELECT_ROW, "i", (gint64) 8);
  g_assert_cmpint (zid_db_step (stmt, &error), ==, ZID_DB_ROW);
  g_assert_true (zid_db_column_is_null (stmt, 1));
  g_assert_true (zid_db_column_is_null (stmt, 2));
  g_assert_true (zid_db_column_is_null (stmt, 3));
  g_assert_null (zid_db_column_text (stmt, 2));
  g_assert_null (zid_db_column_dup (stmt, 2));
  zid_db_reset (stmt);
  g_assert_true (zid_store_commit (f->store, &error));
  g_assert_no_error (error);
}

/* Rows one by one to their end; the rows changed by a statement; the new
 * row's id by RETURNING, 0 when ON CONFLICT DO NOTHING inserted none */
static void
test_rows_changes_ids (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 ids[4] = { 0 };
  gint64 id = -1, sum = 0;
  ZidDbStmt *stmt;
  guint rows = 0;
  ZidDbStep step;

  g_assert_true (zid_store_begin (f->store, TRUE, &error));
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autofree char *s = g_strdup_printf ("row %u", i);

      g_assert_true (zid_db_insert (f->store, &ids[i], &error, INSERT_ROW, "itb",
                                    (gint64) i * 10, s, "x", (gsize) 1));
      g_assert_no_error (error);
      g_assert_cmpint (zid_db_changes (f->store), ==, 1);
      g_assert_cmpint (ids[i], >, i > 0 ? ids[i - 1] : 0);
    }

  /* a conflict ignored: no row, no id, nothing changed */
  g_assert_true (zid_db_insert (f->store, &id, &error,
                                "INSERT INTO t (n, s) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING id",
                                "it", (gint64) 99, "row 1"));
  g_assert_no_error (error);
  g_assert_cmpint (id, ==, 0);
  g_assert_cmpint (zid_db_changes (f->store), ==, 0);

  g_assert_true (zid_db_run (f->store, &error, "UPDATE t SET n = n + 1 WHERE n >= ?", "i", (gint64) 10));
  g_assert_cmpint (zid_db_changes (f->store), ==, 3);
  g_assert_true (zid_store_commit (f->store, &error));
  g_assert_no_error (error);

  g_assert_true (zid_store_begin (f->store, FALSE, &error));
  stmt = zid_db_query (f->store, &error, "SELECT id, n FROM t ORDER BY id", "");
  while ((step = zid_db_step (stmt, &error)) == ZID_DB_ROW)
    {
      g_assert_cmpint (zid_db_column_int64 (stmt, 0), ==, ids[rows]);
      sum += zid_db_column_int64 (stmt, 1);
      rows++;
    }
  g_assert_cmpint (step, ==, ZID_DB_DONE);
  g_assert_no_error (error);
  g_assert_cmpuint (rows, ==, 4);
  g_assert_cmpint (sum, ==, 0 + 11 + 21 + 31);
  zid_db_reset (stmt);
  g_assert_true (zid_store_commit (f->store, &error));
}

/* A statement read half-way and reset starts again from its first row,
 * with new bindings */
static void
test_reuse_after_reset (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  ZidDbStmt *first, *again;
  gint64 id;

  g_assert_true (zid_store_begin (f->store, TRUE, &error));
  for (gint64 i = 1; i <= 3; i++)
    {
      g_autofree char *s = g_strdup_printf ("%" G_GINT64_FORMAT, i);

      g_assert_true (zid_db_insert (f->store, &id, &error, INSERT_ROW, "itb", i, s, "", (gsize) 0));
    }

  first = zid_db_query (f->store, &error, "SELECT n FROM t WHERE n >= ? ORDER BY n", "i", (gint64) 1);
  g_assert_cmpint (zid_db_step (first, &error), ==, ZID_DB_ROW);
  g_assert_cmpint (zid_db_column_int64 (first, 0), ==, 1);
  zid_db_reset (first);

  /* the cache hands out the same statement for the same text */
  again = zid_db_query (f->store, &error, "SELECT n FROM t WHERE n >= ? ORDER BY n", "i", (gint64) 2);
  g_assert_true (again == first);
  g_assert_cmpint (zid_db_step (again, &error), ==, ZID_DB_ROW);
  g_assert_cmpint (zid_db_column_int64 (again, 0), ==, 2);
  g_assert_cmpint (zid_db_step (again, &error), ==, ZID_DB_ROW);
  g_assert_cmpint (zid_db_step (again, &error), ==, ZID_DB_DONE);
  zid_db_reset (again);
  g_assert_no_error (error);
  g_assert_true (zid_store_commit (f->store, &error));
}

/* Errors come as the store's GError: a statement that does not prepare,
 * a constraint broken while stepping, a bind out of range, a failed query
 * passed on to step. Each ends its transaction, as a PostgreSQL error
 * would; the statement that failed runs again in the next one. */
static void
test_errors (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  ZidDbStmt *stmt;
  gint64 id = -1;

  g_assert_true (zid_store_begin (f->store, FALSE, &error));
  g_assert_null (zid_db_prepare (f->store, "SELECT nothing FROM nowhere", &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_STORE);
  g_assert_true (strstr (error->message, "nothing") != NULL || strstr (error->message, "nowhere") != NULL);
  g_clear_error (&error);
  zid_store_rollback (f->store);

  /* step on the failed query: an error, the first one kept */
  g_assert_true (zid_store_begin (f->store, FALSE, &error));
  stmt = zid_db_query (f->store, &error, "SELECT nothing FROM nowhere", "");
  g_assert_null (stmt);
  g_assert_cmpint (zid_db_step (stmt, &error), ==, ZID_DB_ERROR);
  g_assert_error (error, ZID_ERROR, ZID_ERROR_STORE);
  g_clear_error (&error);
  g_assert_false (zid_db_run (f->store, &error, "SELECT nothing FROM nowhere", ""));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_STORE);
  g_clear_error (&error);
  zid_store_rollback (f->store);

  g_assert_true (zid_store_begin (f->store, TRUE, &error));
  g_assert_true (zid_db_insert (f->store, &id, &error, INSERT_ROW, "itb", (gint64) 1, "once", "", (gsize) 0));
  g_assert_true (zid_store_commit (f->store, &error));
  g_assert_no_error (error);

  g_assert_true (zid_store_begin (f->store, TRUE, &error));
  g_assert_false (zid_db_insert (f->store, &id, &error, INSERT_ROW, "itb", (gint64) 2, "once", "", (gsize) 0));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_STORE);
  g_assert_nonnull (strstr (error->message, "UNIQUE"));
  g_assert_cmpint (id, ==, 0);
  g_clear_error (&error);
  zid_store_rollback (f->store);

  g_assert_true (zid_store_begin (f->store, FALSE, &error));
  stmt = zid_db_prepare (f->store, SELECT_ROW, &error);
  g_assert_false (zid_db_bind_int64 (stmt, 2, 1, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_STORE);
  g_clear_error (&error);
  zid_store_rollback (f->store);

  g_assert_true (zid_store_begin (f->store, TRUE, &error));
  g_assert_true (zid_db_insert (f->store, &id, &error, INSERT_ROW, "itb", (gint64) 3, "twice", "", (gsize) 0));
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 1);
  g_assert_true (zid_store_commit (f->store, &error));
  g_assert_no_error (error);
}

/* A row's columns: how many, the kind of each value (numbers the seal
 * hashes, so fixed), and the bytes of a text that holds a NUL */
static void
test_columns (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  ZidDbStmt *stmt;
  gsize len = 0;

  g_assert_cmpint (ZID_DB_KIND_INTEGER, ==, 1);
  g_assert_cmpint (ZID_DB_KIND_FLOAT, ==, 2);
  g_assert_cmpint (ZID_DB_KIND_TEXT, ==, 3);
  g_assert_cmpint (ZID_DB_KIND_BLOB, ==, 4);
  g_assert_cmpint (ZID_DB_KIND_NULL, ==, 5);

  g_assert_true (zid_store_begin (f->store, FALSE, &error));
  stmt = zid_db_query (f->store, &error,
                       "SELECT ?, 1.5, ?, ?, NULL, CAST (x'61006200' AS TEXT)", "itb",
                       (gint64) 7, "zeven", "\x01\x00", (gsize) 2);
  g_assert_no_error (error);
  g_assert_cmpint (zid_db_step (stmt, &error), ==, ZID_DB_ROW);
  g_assert_cmpint (zid_db_column_count (stmt), ==, 6);
  g_assert_cmpint (zid_db_column_kind (stmt, 0), ==, ZID_DB_KIND_INTEGER);
  g_assert_cmpint (zid_db_column_kind (stmt, 1), ==, ZID_DB_KIND_FLOAT);
  g_assert_cmpint (zid_db_column_kind (stmt, 2), ==, ZID_DB_KIND_TEXT);
  g_assert_cmpint (zid_db_column_kind (stmt, 3), ==, ZID_DB_KIND_BLOB);
  g_assert_cmpint (zid_db_column_kind (stmt, 4), ==, ZID_DB_KIND_NULL);
  g_assert_true (zid_db_column_is_null (stmt, 4));
  g_assert_false (zid_db_column_is_null (stmt, 2));
  g_assert_cmpstr (zid_db_column_text (stmt, 2), ==, "zeven");
  g_assert_cmpuint (zid_db_column_bytes (stmt, 2), ==, 5);
  g_assert_nonnull (zid_db_column_blob (stmt, 3, &len));
  g_assert_cmpuint (len, ==, 2);
  g_assert_cmpuint (zid_db_column_bytes (stmt, 3), ==, 2);
  g_assert_cmpstr (zid_db_column_text (stmt, 5), ==, "a");
  g_assert_cmpuint (zid_db_column_bytes (stmt, 5), ==, 4);
  g_assert_cmpint (zid_db_step (stmt, &error), ==, ZID_DB_DONE);
  g_assert_no_error (error);
  zid_db_reset (stmt);
  zid_store_rollback (f->store);
}

int
main (int argc, char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/db/binds", Fixture, NULL, fixture_set_up, test_binds, fixture_tear_down);
  g_test_add ("/db/rows-changes-ids", Fixture, NULL, fixture_set_up, test_rows_changes_ids, fixture_tear_down);
  g_test_add ("/db/reuse-after-reset", Fixture, NULL, fixture_set_up, test_reuse_after_reset, fixture_tear_down);
  g_test_add ("/db/columns", Fixture, NULL, fixture_set_up, test_columns, fixture_tear_down);
  g_test_add ("/db/errors", Fixture, NULL, fixture_set_up, test_errors, fixture_tear_down);
  return g_test_run ();
}
