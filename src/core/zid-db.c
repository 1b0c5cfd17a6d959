/* zid-db.c — the statement API over SQLite (see zid-db.h)
 *
 * SPDX-License-Identifier: EUPL-1.2
 *
 * Thin by design: a ZidDbStmt is the store's cached sqlite3_stmt itself,
 * and every call here is one SQLite call and an error mapped to the store's
 * GError; nothing is allocated per bind, step or column.
 */
#define G_LOG_DOMAIN "zid-core"

#include "config.h"

#include "zid-db.h"
#include "zid-store-internal.h"

#define STMT(s) ((sqlite3_stmt *) (s))

static gboolean
fail (ZidDbStmt  *stmt,
      GError    **error)
{
  return _zid_store_fail_db (sqlite3_db_handle (STMT (stmt)), error);
}

ZidDbStmt *
zid_db_prepare (ZidStore    *store,
                const char  *sql,
                GError     **error)
{
  /* the store's cache: prepared once, reset and cleared when asked again */
  return (ZidDbStmt *) _zid_store_prepare (store, sql, error);
}

gboolean
zid_db_bind_int64 (ZidDbStmt  *stmt,
                   int         pos,
                   gint64      value,
                   GError    **error)
{
  return sqlite3_bind_int64 (STMT (stmt), pos, value) == SQLITE_OK || fail (stmt, error);
}

gboolean
zid_db_bind_text (ZidDbStmt   *stmt,
                  int          pos,
                  const char  *text,
                  GError     **error)
{
  int rc = text ? sqlite3_bind_text (STMT (stmt), pos, text, -1, SQLITE_TRANSIENT)
                : sqlite3_bind_null (STMT (stmt), pos);

  return rc == SQLITE_OK || fail (stmt, error);
}

gboolean
zid_db_bind_null (ZidDbStmt  *stmt,
                  int         pos,
                  GError    **error)
{
  return sqlite3_bind_null (STMT (stmt), pos) == SQLITE_OK || fail (stmt, error);
}

gboolean
zid_db_bind_blob (ZidDbStmt   *stmt,
                  int          pos,
                  const void  *data,
                  gsize        len,
                  GError     **error)
{
  return sqlite3_bind_blob (STMT (stmt), pos, data, (int) len, SQLITE_TRANSIENT) == SQLITE_OK ||
         fail (stmt, error);
}

ZidDbStmt *
_zid_db_query_valist (ZidStore    *store,
                      GError     **error,
                      const char  *sql,
                      const char  *types,
                      va_list      args)
{
  ZidDbStmt *stmt = zid_db_prepare (store, sql, error);
  int pos = 1;

  if (stmt == NULL)
    return NULL;
  for (const char *t = types; *t; t++, pos++)
    {
      gboolean ok;

      if (*t == 'i')
        ok = zid_db_bind_int64 (stmt, pos, va_arg (args, gint64), error);
      else if (*t == 't')
        ok = zid_db_bind_text (stmt, pos, va_arg (args, const char *), error);
      else
        {
          const void *data = va_arg (args, const void *);
          gsize len = va_arg (args, gsize);

          g_assert (*t == 'b');
          ok = zid_db_bind_blob (stmt, pos, data, len, error);
        }
      if (!ok)
        return NULL;
    }
  return stmt;
}

ZidDbStmt *
zid_db_query (ZidStore    *store,
              GError     **error,
              const char  *sql,
              const char  *types,
              ...)
{
  ZidDbStmt *stmt;
  va_list args;

  va_start (args, types);
  stmt = _zid_db_query_valist (store, error, sql, types, args);
  va_end (args);
  return stmt;
}

ZidDbStep
zid_db_step (ZidDbStmt  *stmt,
             GError    **error)
{
  int rc;

  if (stmt == NULL)
    return ZID_DB_ERROR;
  rc = sqlite3_step (STMT (stmt));
  if (rc == SQLITE_ROW)
    return ZID_DB_ROW;
  if (rc == SQLITE_DONE)
    return ZID_DB_DONE;
  fail (stmt, error);
  sqlite3_reset (STMT (stmt));
  return ZID_DB_ERROR;
}

void
zid_db_reset (ZidDbStmt *stmt)
{
  if (stmt != NULL)
    sqlite3_reset (STMT (stmt));
}

gint64
zid_db_column_int64 (ZidDbStmt *stmt,
                     int        col)
{
  return sqlite3_column_int64 (STMT (stmt), col);
}

int
zid_db_column_int (ZidDbStmt *stmt,
                   int        col)
{
  return sqlite3_column_int (STMT (stmt), col);
}

gboolean
zid_db_column_is_null (ZidDbStmt *stmt,
                       int        col)
{
  return sqlite3_column_type (STMT (stmt), col) == SQLITE_NULL;
}

const char *
zid_db_column_text (ZidDbStmt *stmt,
                    int        col)
{
  return (const char *) sqlite3_column_text (STMT (stmt), col);
}

char *
zid_db_column_dup (ZidDbStmt *stmt,
                   int        col)
{
  return g_strdup (zid_db_column_text (stmt, col));
}

const void *
zid_db_column_blob (ZidDbStmt *stmt,
                    int        col,
                    gsize     *len)
{
  const void *data = sqlite3_column_blob (STMT (stmt), col);

  /* the blob first, then its length: SQLite's order for a blob */
  *len = (gsize) sqlite3_column_bytes (STMT (stmt), col);
  return data;
}

GPtrArray *
zid_db_read_rows (ZidDbStmt       *stmt,
                  ZidDbRowReader   read,
                  GDestroyNotify   free_row,
                  GError         **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (free_row);
  ZidDbStep step;

  while ((step = zid_db_step (stmt, error)) == ZID_DB_ROW)
    g_ptr_array_add (list, read (stmt));
  if (step == ZID_DB_ERROR)
    return NULL;
  zid_db_reset (stmt);
  return g_steal_pointer (&list);
}

gboolean
zid_db_finish (ZidDbStmt  *stmt,
               gint64     *id,
               GError    **error)
{
  ZidDbStep step = zid_db_step (stmt, error);

  if (id)
    *id = step == ZID_DB_ROW ? zid_db_column_int64 (stmt, 0) : 0;
  while (step == ZID_DB_ROW)
    step = zid_db_step (stmt, error);
  if (step == ZID_DB_ERROR)
    {
      if (id)
        *id = 0;
      return FALSE;
    }
  zid_db_reset (stmt);
  return TRUE;
}

gint64
zid_db_changes (ZidStore *store)
{
  return sqlite3_changes64 (zid_store_get_db (store));
}
