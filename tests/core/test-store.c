/* test-store.c — the store's transactions under concurrent threads, on a
 * real SQLite file
 *
 * Threads of one process share the store's connection. What must hold: a writer is told "committed" only when another
 * connection (another process) can read its work; a writer that rolls
 * back takes only its own work with it; a reader sees only what is
 * committed. And the change poll.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <locale.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "zid-error.h"
#include "zid-store-private.h"

#define WRITERS  8
#define WRITES   60

typedef struct
{
  char     *dir;
  char     *path;
  ZidStore *store;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("zid-test-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "portal.db", NULL);
  f->store = zid_store_open (f->path, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (zid_store_exec (f->store, "CREATE TABLE t (writer INTEGER, n INTEGER, UNIQUE (writer, n))",
                                 &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->dir);

  zid_store_free (f->store);
  g_assert_cmpint (system (cmd), ==, 0);
  g_free (f->path);
  g_free (f->dir);
}

/* Another connection: what another process sees */
static sqlite3 *
other_open (Fixture *f)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (f->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  return db;
}

static gint64
other_count (sqlite3 *db, gint64 writer, gint64 n)
{
  sqlite3_stmt *stmt = NULL;
  gint64 count;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM t WHERE writer = ? AND n = ?",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, writer);
  sqlite3_bind_int64 (stmt, 2, n);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  count = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return count;
}

typedef struct
{
  Fixture *f;
  gint64   writer;
  guint    committed;
  guint    refused;
  guint    unseen;      /* told committed, but another connection did not see it */
} Writer;

/* Each writer inserts WRITES rows, one transaction each, and holds the
 * connection a little inside each so that the others queue. Every fifth
 * write of the odd writers also inserts a duplicate and rolls back. */
static gpointer
write_rows (gpointer data)
{
  Writer *w = data;
  sqlite3 *other = other_open (w->f);

  for (gint64 n = 0; n < WRITES; n++)
    {
      g_autoptr(GError) error = NULL;
      gboolean fail = (w->writer % 2 == 1) && (n % 5 == 0);
      gboolean ok;

      g_assert_true (zid_store_begin (w->f->store, TRUE, &error));
      ok = zid_store_run (w->f->store, &error, "INSERT INTO t (writer, n) VALUES (?, ?)",
                          "ii", w->writer, n);
      g_assert_true (ok);
      g_usleep (200);
      if (fail)
        {
          ok = zid_store_run (w->f->store, &error, "INSERT INTO t (writer, n) VALUES (?, ?)",
                              "ii", w->writer, n);
          g_assert_false (ok);
          g_assert_error (error, ZID_ERROR, ZID_ERROR_STORE);
          zid_store_rollback (w->f->store);
          w->refused++;
          g_assert_cmpint (other_count (other, w->writer, n), ==, 0);
          continue;
        }
      g_assert_true (zid_store_commit (w->f->store, &error));
      g_assert_no_error (error);
      w->committed++;
      if (other_count (other, w->writer, n) != 1)
        w->unseen++;
    }
  sqlite3_close (other);
  return NULL;
}

/* Readers of the same store, meanwhile: every row a read transaction
 * sees must be visible to another connection too (committed) */
typedef struct
{
  Fixture *f;
  gint     stop;        /* atomic */
  guint    reads;
  guint    uncommitted;
} Reader;

static gpointer
read_rows (gpointer data)
{
  Reader *r = data;
  sqlite3 *other = other_open (r->f);

  while (!g_atomic_int_get (&r->stop))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (gint64));
      sqlite3_stmt *stmt;
      gboolean row;

      g_assert_true (zid_store_begin (r->f->store, FALSE, &error));
      stmt = zid_store_query (r->f->store, &error,
                              "SELECT writer, n FROM t ORDER BY rowid DESC LIMIT 4", "");
      g_assert_nonnull (stmt);
      while (zid_store_step (r->f->store, stmt, &row, &error) && row)
        {
          gint64 pair[2] = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1) };

          g_array_append_vals (seen, pair, 2);
        }
      sqlite3_reset (stmt);
      g_assert_no_error (error);
      /* still inside the read: another connection must see the same rows */
      for (guint i = 0; i < seen->len; i += 2)
        if (other_count (other, g_array_index (seen, gint64, i), g_array_index (seen, gint64, i + 1)) != 1)
          r->uncommitted++;
      g_assert_true (zid_store_commit (r->f->store, &error));
      r->reads++;
      g_usleep (500);
    }
  sqlite3_close (other);
  return NULL;
}

static void
test_concurrent_writers (Fixture *f, gconstpointer data)
{
  Writer writers[WRITERS];
  GThread *threads[WRITERS];
  Reader reader = { f, 0, 0, 0 };
  GThread *reader_thread;
  guint committed = 0, refused = 0;
  sqlite3 *other;

  reader_thread = g_thread_new ("reader", read_rows, &reader);
  for (guint i = 0; i < WRITERS; i++)
    {
      writers[i] = (Writer) { f, i, 0, 0, 0 };
      threads[i] = g_thread_new ("writer", write_rows, &writers[i]);
    }
  for (guint i = 0; i < WRITERS; i++)
    {
      g_thread_join (threads[i]);
      g_assert_cmpuint (writers[i].unseen, ==, 0);
      committed += writers[i].committed;
      refused += writers[i].refused;
    }
  g_atomic_int_set (&reader.stop, 1);
  g_thread_join (reader_thread);

  /* every write told committed is there, every rolled back one is not */
  other = other_open (f);
  for (guint i = 0; i < WRITERS; i++)
    for (gint64 n = 0; n < WRITES; n++)
      g_assert_cmpint (other_count (other, i, n), ==, (i % 2 == 1) && (n % 5 == 0) ? 0 : 1);
  sqlite3_close (other);
  g_assert_cmpuint (committed + refused, ==, WRITERS * WRITES);
  g_assert_cmpuint (refused, ==, (WRITERS / 2) * (WRITES / 5));

  g_assert_cmpuint (reader.reads, >, 0);
  g_assert_cmpuint (reader.uncommitted, ==, 0);
  g_test_message ("%u writes committed, %u rolled back, %u reads", committed, refused, reader.reads);
}

/* A read nested in a write joins its transaction: it sees the work, and
 * nothing is visible elsewhere until the outer commit */
static void
test_nested_read (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *other = other_open (f);

  for (gint64 n = 0; n < 20; n++)
    {
      g_assert_true (zid_store_begin (f->store, TRUE, &error));
      g_assert_true (zid_store_run (f->store, &error, "INSERT INTO t (writer, n) VALUES (1, ?)", "i", n));
      /* a nested read joins the writer's transaction and sees its work */
      g_assert_true (zid_store_begin (f->store, FALSE, &error));
      g_assert_true (zid_store_commit (f->store, &error));
      g_assert_cmpint (other_count (other, 1, n), ==, 0);
      g_assert_true (zid_store_commit (f->store, &error));
      g_assert_no_error (error);
      g_assert_cmpint (other_count (other, 1, n), ==, 1);
    }
  sqlite3_close (other);
}

/* The change poll: not answered while a transaction holds the store; its
 * own changes move with this connection's writes, the data version with
 * another connection's commits (and not with its own) */
static void
test_poll (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 version = -1, own = -1, version2 = -1, own2 = -1;
  sqlite3 *writer = NULL;

  g_assert_true (zid_store_poll (f->store, &version, &own));

  g_assert_true (zid_store_begin (f->store, FALSE, &error));
  g_assert_false (zid_store_poll (f->store, &version2, &own2));
  g_assert_cmpint (version2, ==, -1);
  g_assert_cmpint (own2, ==, -1);
  zid_store_rollback (f->store);

  g_assert_true (zid_store_begin (f->store, TRUE, &error));
  g_assert_true (zid_store_run (f->store, &error, "INSERT INTO t (writer, n) VALUES (1, 1)", ""));
  g_assert_true (zid_store_commit (f->store, &error));
  g_assert_no_error (error);
  g_assert_true (zid_store_poll (f->store, &version2, &own2));
  g_assert_cmpint (version2, ==, version);
  g_assert_cmpint (own2, >, own);

  g_assert_cmpint (sqlite3_open (f->path, &writer), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (writer, "INSERT INTO t (writer, n) VALUES (2, 1)", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (writer);
  own = own2;
  g_assert_true (zid_store_poll (f->store, &version2, &own2));
  g_assert_cmpint (version2, !=, version);
  g_assert_cmpint (own2, ==, own);
}

int
main (int argc, char *argv[])
{
  /* messages in the language of the environment (LANGUAGE=nl) */
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/store/concurrent-writers", Fixture, NULL, fixture_set_up, test_concurrent_writers, fixture_tear_down);
  g_test_add ("/store/nested-read", Fixture, NULL, fixture_set_up, test_nested_read, fixture_tear_down);
  g_test_add ("/store/poll", Fixture, NULL, fixture_set_up, test_poll, fixture_tear_down);

  return g_test_run ();
}
