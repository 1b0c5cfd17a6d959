/* zid-bench.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include <math.h>
#include <stdlib.h>

#include "zid-bench.h"
#include "zid-store-private.h"

double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

double
percentile (GArray *samples,
            double  p)
{
  g_autoptr(GArray) sorted = g_array_copy (samples);
  guint rank;

  if (sorted->len == 0)
    return NAN;
  g_array_sort (sorted, compare_doubles);
  rank = (guint) ceil (p / 100.0 * sorted->len);
  return g_array_index (sorted, double, MAX (rank, 1) - 1);
}

void
die_sqlite (sqlite3    *db,
            const char *what)
{
  g_printerr ("%s: %s: %s\n", g_get_prgname (), what, sqlite3_errmsg (db));
  exit (1);
}

void
exec_or_die (sqlite3    *db,
             const char *sql)
{
  if (sqlite3_exec (db, sql, NULL, NULL, NULL) != SQLITE_OK)
    die_sqlite (db, sql);
}

sqlite3_stmt *
prepare_or_die (sqlite3    *db,
                const char *sql)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    die_sqlite (db, sql);
  return stmt;
}

void
step_done_or_die (sqlite3      *db,
                  sqlite3_stmt *stmt)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    die_sqlite (db, sqlite3_sql (stmt));
  sqlite3_reset (stmt);
}

void
index_names (sqlite3      *db,
             sqlite3_stmt *insert_key,
             gint64        organisation,
             gint64        user,
             const char   *first_name,
             const char   *last_name)
{
  g_auto(GStrv) keys = zid_name_keys (first_name, last_name);

  for (guint i = 0; keys[i]; i++)
    {
      sqlite3_bind_int64 (insert_key, 1, organisation);
      sqlite3_bind_text (insert_key, 2, keys[i], -1, SQLITE_STATIC);
      sqlite3_bind_int64 (insert_key, 3, user);
      step_done_or_die (db, insert_key);
    }
}
