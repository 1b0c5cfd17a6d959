/* zid-db.c — the statement API (see zid-db.h) over the store's backend
 *
 * SPDX-License-Identifier: EUPL-1.2
 *
 * Thin by design: every call here is one call of the statement's backend
 * (zid-store-internal.h; SQLite's is zid-store-sqlite.c), whose errors are
 * already the store's GErrors; nothing is allocated per bind, step or
 * column. What is the same for every backend (binds by type letter,
 * reading rows, running to the end) is done here once.
 */
#define G_LOG_DOMAIN "zid-core"

#include "config.h"

#include "zid-db.h"
#include "zid-store-internal.h"

ZidDbStmt *
zid_db_prepare (ZidStore    *store,
                const char  *sql,
                GError     **error)
{
  /* the backend's cache: prepared once, reset and cleared when asked again */
  return store->backend->prepare (store, sql, error);
}

gboolean
zid_db_bind_int64 (ZidDbStmt  *stmt,
                   int         pos,
                   gint64      value,
                   GError    **error)
{
  return stmt->backend->bind_int64 (stmt, pos, value, error);
}

gboolean
zid_db_bind_text (ZidDbStmt   *stmt,
                  int          pos,
                  const char  *text,
                  GError     **error)
{
  /* NULL text is a NULL of type text: PostgreSQL infers no type from
   * `? IS NULL` alone */
  return stmt->backend->bind_text (stmt, pos, text, error);
}

gboolean
zid_db_bind_null (ZidDbStmt  *stmt,
                  int         pos,
                  GError    **error)
{
  return stmt->backend->bind_null (stmt, pos, error);
}

gboolean
zid_db_bind_blob (ZidDbStmt   *stmt,
                  int          pos,
                  const void  *data,
                  gsize        len,
                  GError     **error)
{
  return stmt->backend->bind_blob (stmt, pos, data, len, error);
}

gboolean
_zid_db_bind_valist (ZidDbStmt   *stmt,
                     GError     **error,
                     const char  *types,
                     va_list      args)
{
  int pos = 1;

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
        return FALSE;
    }
  return TRUE;
}

ZidDbStmt *
_zid_db_query_valist (ZidStore    *store,
                      GError     **error,
                      const char  *sql,
                      const char  *types,
                      va_list      args)
{
  ZidDbStmt *stmt = zid_db_prepare (store, sql, error);

  if (stmt == NULL || !_zid_db_bind_valist (stmt, error, types, args))
    return NULL;
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
  if (stmt == NULL)
    return ZID_DB_ERROR;
  return stmt->backend->step (stmt, error);
}

void
zid_db_reset (ZidDbStmt *stmt)
{
  if (stmt != NULL)
    stmt->backend->reset (stmt);
}

int
zid_db_column_count (ZidDbStmt *stmt)
{
  return stmt->backend->column_count (stmt);
}

ZidDbKind
zid_db_column_kind (ZidDbStmt *stmt,
                    int        col)
{
  return stmt->backend->column_kind (stmt, col);
}

gint64
zid_db_column_int64 (ZidDbStmt *stmt,
                     int        col)
{
  return stmt->backend->column_int64 (stmt, col);
}

int
zid_db_column_int (ZidDbStmt *stmt,
                   int        col)
{
  /* the low 32 bits, as SQLite's sqlite3_column_int() gives them */
  return (int) stmt->backend->column_int64 (stmt, col);
}

gboolean
zid_db_column_is_null (ZidDbStmt *stmt,
                       int        col)
{
  return stmt->backend->column_kind (stmt, col) == ZID_DB_KIND_NULL;
}

const char *
zid_db_column_text (ZidDbStmt *stmt,
                    int        col)
{
  return stmt->backend->column_text (stmt, col);
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
  return stmt->backend->column_blob (stmt, col, len);
}

gsize
zid_db_column_bytes (ZidDbStmt *stmt,
                     int        col)
{
  return stmt->backend->column_bytes (stmt, col);
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
  return store->backend->changes (store);
}
