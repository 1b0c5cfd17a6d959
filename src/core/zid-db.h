/* zid-db.h — the statements of the core's SQL, whichever store runs them
 *
 * SPDX-License-Identifier: EUPL-1.2
 *
 * The portal's files speak to the store through this API only: prepare a
 * statement by its static SQL text, bind by position, step, read columns.
 * Nothing here names SQLite, so that a PostgreSQL (libpq) store can run the
 * same callers unchanged. Transactions stay with zid_store_begin(),
 * zid_store_commit() and zid_store_rollback().
 *
 * Dialect: the SQL text of every statement keeps to the common ground of
 * SQLite 3.40 and PostgreSQL 15, so that both stores run it as written:
 *
 *  1. Static text. The SQL is a string literal: its pointer keys the
 *     statement cache (SQLite: prepared once, reset between uses; libpq:
 *     PQprepare'd once per connection). Never build SQL at run time.
 *  2. Placeholders are `?`, bound by position from 1; or, where one value
 *     is used twice, `?1`, `?2` … throughout the statement (never mixed
 *     with a bare `?`; no `:name`, `@name`, `$n`). No `?` anywhere else in
 *     the text (not in string literals or comments): the libpq store turns
 *     the n-th `?` into `$n` and `?N` into `$N`.
 *  3. A new row's id comes from `INSERT … RETURNING id` (zid_db_insert()),
 *     never from last_insert_rowid().
 *  4. Conflicts: `INSERT … ON CONFLICT DO NOTHING` and `ON CONFLICT (cols)
 *     DO UPDATE SET col = excluded.col`, never `INSERT OR IGNORE/REPLACE`
 *     or `REPLACE INTO`.
 *  5. Booleans are integers 0/1, stored and bound with zid_db_bind_int64()
 *     and tested explicitly in SQL (`blocked <> 0`, not `WHERE blocked`).
 *  6. Time is int64 unix seconds from the portal's clock, bound as a
 *     parameter; no `now()`, `strftime()`, `unixepoch()`, CURRENT_TIMESTAMP.
 *  7. Types: every column has one type, binds are of that type (text to
 *     text, integers to integers, blobs to BLOB/bytea); no reliance on
 *     SQLite's type affinity ('1' = 1), on `rowid`, or on comparing
 *     different types.
 *  8. Functions: only those both have with the same meaning (`coalesce`,
 *     `count`, `max`, `min`, `sum`, `lower`, `upper`, `length`, `abs`,
 *     `substr`); not `ifnull`, `iif`, `group_concat`, `printf`, `instr`,
 *     `glob`. `LIKE` only on text that is already lowered (SQLite's LIKE
 *     ignores ASCII case, PostgreSQL's does not).
 *  9. No `PRAGMA`, `sqlite_master`, `ATTACH`, `BEGIN`/`COMMIT`/`SAVEPOINT`
 *     in statement text: they belong to the store's own implementation.
 * 10. `LIMIT ? OFFSET ?` for pages; `||` for concatenation; NULL sorts
 *     are made explicit where they matter (SQLite sorts NULL first in
 *     ASC, PostgreSQL last): `ORDER BY x IS NULL, x` or coalesce.
 *
 * The store's own code (zid-store.c: transactions, the audit chain, the
 * change poll; zid-store-seal.c: the seal) runs on this API too; what
 * differs between engines is the backend's (zid-store-internal.h):
 * SQLite's in zid-store-sqlite.c; the libpq driver is zid-pg.c and the
 * PostgreSQL schema zid-schema-pg.c. No file above the store calls
 * sqlite3_* (zid-backup.c copies SQLite files and is SQLite's own).
 * Where the two still differ, and what the PostgreSQL store must give:
 * byte order for name keys, subjects and
 * `lower()` order (columns `COLLATE "C"`; PostgreSQL's lower() also folds
 * non-ASCII letters); pages without ORDER BY (SQLite's index order); an
 * integer parameter concatenated to text (typed by the driver). A failed
 * statement aborts a PostgreSQL transaction, where SQLite undoes only that
 * statement: the core ends a transaction after any error (a caller that
 * goes on after one must use a SAVEPOINT there).
 */
#pragma once

#include <glib.h>

#include "zid-store-private.h"

G_BEGIN_DECLS

/* A prepared statement, owned by the store's cache: never freed by callers */
typedef struct _ZidDbStmt ZidDbStmt;

typedef enum
{
  ZID_DB_ERROR = 0,  /* the GError says why; the statement was reset */
  ZID_DB_DONE,       /* no (more) rows */
  ZID_DB_ROW,        /* a row to read with zid_db_column_*() */
} ZidDbStep;

/* The cached statement of @sql (static text), reset and with no bindings;
 * NULL with error if it does not prepare */
ZidDbStmt    *zid_db_prepare         (ZidStore    *store,
                                      const char  *sql,
                                      GError     **error);

/* Binds by position, counted from 1. Text and blobs are copied. */
gboolean      zid_db_bind_int64      (ZidDbStmt   *stmt,
                                      int          pos,
                                      gint64       value,
                                      GError     **error);
/* NULL binds SQL NULL */
gboolean      zid_db_bind_text       (ZidDbStmt   *stmt,
                                      int          pos,
                                      const char  *text,
                                      GError     **error);
gboolean      zid_db_bind_null       (ZidDbStmt   *stmt,
                                      int          pos,
                                      GError     **error);
gboolean      zid_db_bind_blob       (ZidDbStmt   *stmt,
                                      int          pos,
                                      const void  *data,
                                      gsize        len,
                                      GError     **error);

/* The kind of a column's value in the current row. The numbers are fixed
 * (the seal hashes them) and are SQLite's fundamental types; PostgreSQL
 * gives them by the column's type: integers INTEGER, float4/8 FLOAT, bytea
 * BLOB, NULL values NULL, everything else TEXT. */
typedef enum
{
  ZID_DB_KIND_INTEGER = 1,
  ZID_DB_KIND_FLOAT   = 2,
  ZID_DB_KIND_TEXT    = 3,
  ZID_DB_KIND_BLOB    = 4,
  ZID_DB_KIND_NULL    = 5,
} ZidDbKind;

/* zid_db_prepare() and the binds in one: @types has a letter per
 * parameter: 'i' gint64, 't' const char * (NULL binds NULL), 'b' const
 * void *, gsize. NULL with error if preparing or a bind fails. */
ZidDbStmt    *zid_db_query           (ZidStore    *store,
                                      GError     **error,
                                      const char  *sql,
                                      const char  *types,
                                      ...);

/* The next row. @stmt may be NULL (a failed zid_db_query(), whose error is
 * set already): ZID_DB_ERROR without touching @error. */
ZidDbStep     zid_db_step            (ZidDbStmt   *stmt,
                                      GError     **error);
/* Done with the statement's rows (locks and results released); it can be
 * bound and stepped again. NULL is ignored. */
void          zid_db_reset           (ZidDbStmt   *stmt);

/* Columns of the current row, counted from 0. Text and blobs are the
 * statement's until the next step or reset. */
gint64        zid_db_column_int64    (ZidDbStmt   *stmt,
                                      int          col);
int           zid_db_column_int      (ZidDbStmt   *stmt,
                                      int          col);
gboolean      zid_db_column_is_null  (ZidDbStmt   *stmt,
                                      int          col);
const char   *zid_db_column_text     (ZidDbStmt   *stmt,
                                      int          col);
/* The columns of the statement's rows */
int           zid_db_column_count    (ZidDbStmt   *stmt);
ZidDbKind     zid_db_column_kind     (ZidDbStmt   *stmt,
                                      int          col);
/* The length in bytes of a text or blob value, read after
 * zid_db_column_text() or zid_db_column_blob(): more than the strlen() of
 * the text when a writer outside the portal stored a NUL in it (SQLite;
 * PostgreSQL's text holds none) */
gsize         zid_db_column_bytes    (ZidDbStmt   *stmt,
                                      int          col);
/* A copy (g_free), NULL for NULL */
char         *zid_db_column_dup      (ZidDbStmt   *stmt,
                                      int          col);
const void   *zid_db_column_blob     (ZidDbStmt   *stmt,
                                      int          col,
                                      gsize       *len);

/* Each row made by @read into an array (@free_row frees them), the
 * statement reset at the end; NULL with error if a step fails. @stmt may
 * be NULL as in zid_db_step(). */
typedef gpointer (*ZidDbRowReader) (ZidDbStmt *stmt);
GPtrArray    *zid_db_read_rows       (ZidDbStmt       *stmt,
                                      ZidDbRowReader   read,
                                      GDestroyNotify   free_row,
                                      GError         **error);

/* Steps @stmt to its end and resets it; *id (@id may be NULL) the first
 * row's first column, 0 without rows. @stmt may be NULL as in
 * zid_db_step(). */
gboolean      zid_db_finish          (ZidDbStmt   *stmt,
                                      gint64      *id,
                                      GError     **error);

/* zid_db_insert (store, &id, error, sql, types, ...): an
 * `INSERT … RETURNING id` run to its end; id the new row's, 0 when no row
 * was inserted (ON CONFLICT DO NOTHING) */
#define zid_db_insert(store, id, error, ...) \
  zid_db_finish (zid_db_query ((store), (error), __VA_ARGS__), (id), (error))
/* zid_db_run (store, error, sql, types, ...): a statement that returns no
 * rows (INSERT, UPDATE, DELETE) run to its end */
#define zid_db_run(store, error, ...) \
  zid_db_finish (zid_db_query ((store), (error), __VA_ARGS__), NULL, (error))

/* Rows inserted, changed or deleted by the last statement run to its end */
gint64        zid_db_changes         (ZidStore    *store);

G_END_DECLS
