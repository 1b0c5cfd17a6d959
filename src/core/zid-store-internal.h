/* zid-store-internal.h — what the store's files share: the store, its
 * statements, and the table of what a backend does
 *
 * SPDX-License-Identifier: EUPL-1.2
 *
 * The store is one code path (zid-store.c: open, transactions, the change
 * poll, the audit chain; zid-store-seal.c: the seal; zid-db.c: the
 * statement API) over a backend that does what differs between database
 * engines: zid-store-sqlite.c for the embedded SQLite file, the default;
 * zid-store-pg.c for a PostgreSQL database named by a `postgresql://` URI.
 *
 * A backend is a constant table of function pointers (ZidStoreBackend),
 * chosen once when the store opens, rather than an enum and a switch in
 * every operation: the code above names no backend, a backend is added
 * without touching that code (the PostgreSQL one links only when libpq is
 * there), and a backend's table is checked whole by the compiler. A
 * statement carries its backend's table, so that the statement calls
 * (bind, step, column), which take no store, dispatch with one indirect
 * call and allocate nothing (bench-core and bench-audit measure it).
 *
 * Each operation below says in one line what the PostgreSQL (libpq)
 * backend will do for it.
 */
#pragma once

#include "zid-db.h"
#include "zid-store-private.h"

G_BEGIN_DECLS

typedef struct _ZidStoreBackend ZidStoreBackend;

struct _ZidStore
{
  const ZidStoreBackend *backend;
  gpointer    conn;        /* the backend's connection and statement cache */
  char       *file;        /* the database file; NULL when it is not a file */
  GRecMutex   lock;        /* held for the length of a transaction */
  guint       depth;       /* nested begin() calls of the holding thread */

  /* the seal (see "Seal" in zid-store-seal.c) */
  gboolean    sealing;     /* key loaded, touch hook in place */
  guint8      seal_key[ZID_STORE_SEAL_KEY_BYTES];
  GHashTable *touched;     /* user ids changed by the open transaction; 0: the environment */
};

/* A statement of the backend's cache (zid-db.h) */
struct _ZidDbStmt
{
  const ZidStoreBackend *backend;
  gpointer               native;  /* SQLite: the sqlite3_stmt */
};

struct _ZidStoreBackend
{
  /* Connection. Errors are the store's GErrors (ZID_ERROR_BUSY when
   * another writer held the database too long, ZID_ERROR_STORE else). */

  /* The database's place from what the user gave, ready to be opened;
   * the seal key lives in its folder. SQLite: the file's folder resolved,
   * the file made 0600. PostgreSQL: the folder of the server's config
   * (the URI itself goes to open). */
  char      *(*locate)       (const char  *location,
                              GError     **error);
  /* Connects self->conn. SQLite: sqlite3_open_v2 and the pragmas (WAL,
   * FULL sync, foreign keys …). PostgreSQL: PQconnectdb on the URI, the
   * session settings (lock_timeout, statement_timeout) set. */
  gboolean   (*open)         (ZidStore    *self,
                              const char  *location,
                              GError     **error);
  /* Frees self->conn and its cached statements, also after a failed
   * open. SQLite: finalize, sqlite3_close. PostgreSQL: DEALLOCATE is
   * implied; PQfinish. */
  void       (*close)        (ZidStore    *self);
  /* Runs schema text (several statements, no parameters). SQLite:
   * sqlite3_exec, waiting ZID_STORE_BUSY_MS for a busy database outside
   * a transaction. PostgreSQL: PQexec (a simple query, several
   * statements). */
  gboolean   (*exec)         (ZidStore    *self,
                              const char  *sql,
                              GError     **error);
  /* The schema brought up to ZID_STORE_SCHEMA_VERSION, in one write
   * transaction; refuses a newer one. SQLite: PRAGMA user_version and its
   * migrations. PostgreSQL: a schema_version row read FOR UPDATE, its own
   * migrations (zid-schema-pg). */
  gboolean   (*migrate)      (ZidStore    *self,
                              GError     **error);
  /* One real transaction (zid-store.c keeps the nesting and the lock).
   * SQLite: BEGIN IMMEDIATE for a writer, BEGIN DEFERRED for a reader.
   * PostgreSQL: BEGIN ISOLATION LEVEL SERIALIZABLE for a writer (so one
   * writer at a time advances the audit head), READ ONLY for a reader. */
  gboolean   (*begin)        (ZidStore    *self,
                              gboolean     write,
                              GError     **error);
  /* SQLite: COMMIT. PostgreSQL: COMMIT; a serialization failure or
   * deadlock is ZID_ERROR_BUSY so that the caller retries. */
  gboolean   (*commit)       (ZidStore    *self,
                              GError     **error);
  /* Ends the transaction if one is still open. SQLite: ROLLBACK when not
   * in autocommit. PostgreSQL: ROLLBACK when PQtransactionStatus is not
   * idle. */
  void       (*rollback)     (ZidStore    *self);
  /* Outside a transaction: a number that moves when another connection
   * commits, and one that moves when this one changes a row. SQLite:
   * PRAGMA data_version and sqlite3_total_changes64. PostgreSQL: the
   * largest seq of the changes table (the change triggers fill it) and
   * the connection's own count of rows changed. */
  gboolean   (*poll)         (ZidStore    *self,
                              gint64      *data_version,
                              gint64      *own_changes);
  /* Makes every write to a sealed row (users, memberships, certificates,
   * attributes, the environment stamp) call _zid_store_touch() with its
   * user (0: the environment) before the transaction commits. SQLite: the
   * function zid_seal_touch and TEMP triggers on this connection.
   * PostgreSQL: the schema's triggers note the user in a temporary table
   * (ON COMMIT DELETE ROWS) that commit reads into the touched set. */
  gboolean   (*seal_hook)    (ZidStore    *self,
                              GError     **error);
  /* Before a sealing transaction commits: the users the database noted
   * added to self->touched (may be NULL). SQLite: NULL, its hook calls
   * _zid_store_touch() itself. PostgreSQL: the rows of zid_touched. */
  gboolean   (*touched)      (ZidStore    *self,
                              GError     **error);

  /* Statements (zid-db.h says what each does for the caller) */

  /* The cached statement of @sql, keyed by the text's pointer, reset and
   * cleared. SQLite: sqlite3_prepare_v3 once, then reset and clear
   * bindings. PostgreSQL: `?`/`?N` made `$n`, PQprepare once per
   * connection, the binds cleared. */
  ZidDbStmt *(*prepare)      (ZidStore    *self,
                              const char  *sql,
                              GError     **error);
  /* SQLite: sqlite3_bind_*. PostgreSQL: the value kept in the
   * statement's parameter arrays (int8 and bytea binary, text as text).
   * bind_text's @text may be NULL: a NULL, typed text where that counts. */
  gboolean   (*bind_int64)   (ZidDbStmt   *stmt,
                              int          pos,
                              gint64       value,
                              GError     **error);
  gboolean   (*bind_text)    (ZidDbStmt   *stmt,
                              int          pos,
                              const char  *text,
                              GError     **error);
  gboolean   (*bind_null)    (ZidDbStmt   *stmt,
                              int          pos,
                              GError     **error);
  gboolean   (*bind_blob)    (ZidDbStmt   *stmt,
                              int          pos,
                              const void  *data,
                              gsize        len,
                              GError     **error);
  /* The next row; on an error the statement is reset. SQLite:
   * sqlite3_step. PostgreSQL: PQexecPrepared at the first step, then the
   * result's rows one by one. */
  ZidDbStep  (*step)         (ZidDbStmt   *stmt,
                              GError     **error);
  /* SQLite: sqlite3_reset. PostgreSQL: PQclear of the result. */
  void       (*reset)        (ZidDbStmt   *stmt);
  /* SQLite: sqlite3_column_count. PostgreSQL: PQnfields. */
  int        (*column_count) (ZidDbStmt   *stmt);
  /* SQLite: sqlite3_column_type (the same numbers). PostgreSQL: from
   * PQgetisnull and PQftype (int2/4/8 INTEGER, float4/8 FLOAT, bytea
   * BLOB, the rest TEXT). */
  ZidDbKind  (*column_kind)  (ZidDbStmt   *stmt,
                              int          col);
  /* SQLite: sqlite3_column_int64. PostgreSQL: the binary int8 (or text)
   * value decoded. */
  gint64     (*column_int64) (ZidDbStmt   *stmt,
                              int          col);
  /* SQLite: sqlite3_column_text. PostgreSQL: PQgetvalue, NULL if
   * PQgetisnull. */
  const char *(*column_text) (ZidDbStmt   *stmt,
                              int          col);
  /* SQLite: sqlite3_column_blob, then its bytes. PostgreSQL: PQgetvalue
   * and PQgetlength of the binary bytea. */
  const void *(*column_blob) (ZidDbStmt   *stmt,
                              int          col,
                              gsize       *len);
  /* SQLite: sqlite3_column_bytes. PostgreSQL: PQgetlength. */
  gsize      (*column_bytes) (ZidDbStmt   *stmt,
                              int          col);
  /* SQLite: sqlite3_changes64. PostgreSQL: PQcmdTuples of the last
   * result. */
  gint64     (*changes)      (ZidStore    *self);
};

/* The embedded store (zid-store-sqlite.c) */
extern const ZidStoreBackend _zid_store_sqlite_backend;
#if ZID_ENABLE_POSTGRESQL
/* The shared store of a `postgresql://` URI (zid-store-pg.c) */
extern const ZidStoreBackend _zid_store_pg_backend;
#endif

/* The binds of zid_db_query() (@types and @args) on @stmt: the driver's
 * zid_pg_query() binds through it too */
gboolean      _zid_db_bind_valist  (ZidDbStmt   *stmt,
                                    GError     **error,
                                    const char  *types,
                                    va_list      args);
/* zid_db_query() with its arguments in @args: the SQLite store's
 * zid_store_query() and zid_store_run() bind through it too */
ZidDbStmt    *_zid_db_query_valist (ZidStore    *store,
                                    GError     **error,
                                    const char  *sql,
                                    const char  *types,
                                    va_list      args);

/* The seal's touch hook: @user's rows (0: the environment stamp) were
 * written by the open transaction and are sealed again when it commits */
static inline void
_zid_store_touch (ZidStore *self,
                  gint64    user)
{
  g_hash_table_add (self->touched, g_memdup2 (&user, sizeof user));
}

/* The seal (zid-store-seal.c): loaded (or made) when the store opens, and
 * renewed for the users a transaction changed when it commits */
/* Before the database is opened: a seal key stored encrypted can be read
 * (its secret is there and opens it), so that a refusal touches nothing */
gboolean _zid_store_seal_key_readable (const char  *db_path,
                                       GError     **error);
gboolean _zid_store_seal_open    (ZidStore    *self,
                                  const char  *db_path,
                                  GError     **error);
gboolean _zid_store_seal_touched (ZidStore    *self,
                                  GError     **error);

G_END_DECLS
