/* zid-pg.h — the statement API of zid-db.h over PostgreSQL (libpq)
 *
 * SPDX-License-Identifier: EUPL-1.2
 *
 * One ZidPg is one connection, opened by a libpq URI
 * (postgresql:///zid?host=/run/postgresql). Its calls mirror zid-db.h one
 * for one (zid_pg_prepare ↔ zid_db_prepare, …), so that the store can run
 * the same callers over either backend by swapping the connection under
 * the same ZidDbStmt calls. The SQL text keeps to the dialect of zid-db.h.
 *
 * Statements: prepared once per connection (PQprepare, names "zid_1",
 * "zid_2" …), cached by the pointer of their static text; the n-th `?`
 * becomes `$n`, `?N` becomes `$N`; text that mixes both is refused.
 * Integers and text are sent as text, blobs in binary (bytea); results
 * come back as text, blobs decoded from bytea's hex form on demand.
 *
 * Transactions: zid_pg_begin/commit/rollback nest as zid_store_begin/
 * commit/rollback do (one real transaction; the inner calls join it). A
 * write transaction takes the store's writer lock first (a transaction-
 * level advisory lock): writers on every connection, every host, take
 * turns, as BEGIN IMMEDIATE makes them on SQLite, so the core's
 * read-check-write rules (a code used once, the audit chain's head) hold
 * without rewriting them; readers never wait (each read transaction is one
 * REPEATABLE READ snapshot). A lock waited for longer than the busy time
 * (lock_timeout), a serialization failure and a deadlock are
 * ZID_ERROR_BUSY: nothing was changed, the caller may retry.
 *
 * A failed statement aborts a PostgreSQL transaction (SQLite undoes only
 * that statement): a caller that goes on after an error wraps the
 * statement in zid_pg_savepoint() / zid_pg_release() and calls
 * zid_pg_rollback_to() when it fails.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _ZidPg ZidPg;
/* A prepared statement, owned by its connection's cache: never freed */
typedef struct _ZidPgStmt ZidPgStmt;

/* The same values as ZidDbStep */
typedef enum
{
  ZID_PG_ERROR = 0,
  ZID_PG_DONE,
  ZID_PG_ROW,
} ZidPgStep;

/* The advisory lock key of the writer lock ("zid-writ") */
#define ZID_PG_WRITER_LOCK G_GINT64_CONSTANT (0x7a69642d77726974)

/* Connects to @uri (a libpq URI or key=value string); lock waits end
 * after ZID_STORE_BUSY_MS. Does not touch the schema (zid_pg_migrate). */
ZidPg        *zid_pg_open            (const char  *uri,
                                      GError     **error);
void          zid_pg_free            (ZidPg       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidPg, zid_pg_free)

/* How long a statement waits for a lock before ZID_ERROR_BUSY */
gboolean      zid_pg_set_busy_timeout (ZidPg      *self,
                                       int         ms,
                                       GError    **error);

/* Statement text without parameters, run as is (several statements
 * allowed): migrations and the store's own commands */
gboolean      zid_pg_exec            (ZidPg       *self,
                                      const char  *sql,
                                      GError     **error);

/* zid-db.h's statement calls */
ZidPgStmt    *zid_pg_prepare         (ZidPg       *self,
                                      const char  *sql,
                                      GError     **error);
gboolean      zid_pg_bind_int64      (ZidPgStmt   *stmt,
                                      int          pos,
                                      gint64       value,
                                      GError     **error);
gboolean      zid_pg_bind_text       (ZidPgStmt   *stmt,
                                      int          pos,
                                      const char  *text,
                                      GError     **error);
gboolean      zid_pg_bind_null       (ZidPgStmt   *stmt,
                                      int          pos,
                                      GError     **error);
gboolean      zid_pg_bind_blob       (ZidPgStmt   *stmt,
                                      int          pos,
                                      const void  *data,
                                      gsize        len,
                                      GError     **error);
/* 'i' gint64, 't' const char * (NULL binds NULL), 'b' const void *, gsize */
ZidPgStmt    *zid_pg_query           (ZidPg       *self,
                                      GError     **error,
                                      const char  *sql,
                                      const char  *types,
                                      ...);
ZidPgStmt    *zid_pg_query_valist    (ZidPg       *self,
                                      GError     **error,
                                      const char  *sql,
                                      const char  *types,
                                      va_list      args);
/* The first step runs the statement; @stmt NULL is ZID_PG_ERROR */
ZidPgStep     zid_pg_step            (ZidPgStmt   *stmt,
                                      GError     **error);
void          zid_pg_reset           (ZidPgStmt   *stmt);
gint64        zid_pg_column_int64    (ZidPgStmt   *stmt,
                                      int          col);
int           zid_pg_column_int      (ZidPgStmt   *stmt,
                                      int          col);
gboolean      zid_pg_column_is_null  (ZidPgStmt   *stmt,
                                      int          col);
const char   *zid_pg_column_text     (ZidPgStmt   *stmt,
                                      int          col);
char         *zid_pg_column_dup      (ZidPgStmt   *stmt,
                                      int          col);
const void   *zid_pg_column_blob     (ZidPgStmt   *stmt,
                                      int          col,
                                      gsize       *len);
/* The value's length in bytes (a bytea's decoded), 0 for NULL */
gsize         zid_pg_column_bytes    (ZidPgStmt   *stmt,
                                      int          col);
int           zid_pg_column_count    (ZidPgStmt   *stmt);
/* The column's value as SQLite types it (its fundamental type codes, so
 * that code hashing values by type, as the seal does, runs unchanged) */
typedef enum
{
  ZID_PG_INTEGER = 1,  /* int2, int4, int8, bool */
  ZID_PG_FLOAT   = 2,  /* float4, float8, numeric */
  ZID_PG_TEXT    = 3,  /* anything else */
  ZID_PG_BLOB    = 4,  /* bytea */
  ZID_PG_NULL    = 5,
} ZidPgType;
ZidPgType     zid_pg_column_type     (ZidPgStmt   *stmt,
                                      int          col);
/* Steps to the end and resets; *id the first row's first column or 0 */
gboolean      zid_pg_finish          (ZidPgStmt   *stmt,
                                      gint64      *id,
                                      GError     **error);
/* Rows inserted, changed or deleted by the last statement run, and by
 * every statement since the connection opened */
gint64        zid_pg_changes         (ZidPg       *self);
gint64        zid_pg_total_changes   (ZidPg       *self);

/* zid_store_begin/commit/rollback's nesting: one real transaction */
gboolean      zid_pg_begin           (ZidPg       *self,
                                      gboolean     write,
                                      GError     **error);
gboolean      zid_pg_commit          (ZidPg       *self,
                                      GError     **error);
void          zid_pg_rollback        (ZidPg       *self);
int           zid_pg_depth           (ZidPg       *self);

/* A savepoint inside the open transaction, and leaving it */
gboolean      zid_pg_savepoint       (ZidPg       *self,
                                      GError     **error);
gboolean      zid_pg_release         (ZidPg       *self,
                                      GError     **error);
gboolean      zid_pg_rollback_to     (ZidPg       *self,
                                      GError     **error);

/* Change notifications (the schema's triggers NOTIFY zid_changes on
 * commit): zid_pg_listen() once, then zid_pg_notified() says, without
 * waiting, how many arrived from other connections since it was last
 * asked (a connection's own commits are not counted). The socket to watch
 * is zid_pg_socket(). */
gboolean      zid_pg_listen          (ZidPg       *self,
                                      GError     **error);
guint         zid_pg_notified        (ZidPg       *self);
int           zid_pg_socket          (ZidPg       *self);

/* The schema (zid-schema-pg.c): migrates to ZID_STORE_SCHEMA_VERSION in
 * one transaction, under a lock so that servers starting together migrate
 * once; *version (may be NULL) the version found before */
gboolean      zid_pg_migrate         (ZidPg       *self,
                                      int         *version,
                                      GError     **error);

G_END_DECLS
