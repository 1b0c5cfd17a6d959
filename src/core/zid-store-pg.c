/* zid-store-pg.c — the store's PostgreSQL backend (see zid-store-internal.h)
 *
 * SPDX-License-Identifier: EUPL-1.2
 *
 * The shared store of an organisation server: one libpq connection
 * (zid-pg.c) to the database a `postgresql://` URI names, its schema
 * brought up by zid_pg_migrate() (zid-schema-pg.c). Every operation of the
 * backend table is one call of the driver; what is added here is the
 * statement wrapper the table expects (struct _ZidDbStmt around a
 * ZidPgStmt, cached by the SQL text's pointer as the driver caches its
 * own), the change poll and the seal's hook.
 *
 * Change poll: the data version is the highest sequence number of the
 * changes table (the schema's change triggers fill it), read when asked:
 * another connection's commit is seen at once, as SQLite's PRAGMA
 * data_version sees it (the NOTIFY the triggers send arrives a moment
 * later; a watch that wants to sleep until then can LISTEN on a
 * connection of its own). It moves with this connection's commits too,
 * which the caller sees by its own changes anyway: the rows the
 * connection's statements changed, as sqlite3_total_changes64().
 *
 * Seal: the schema's seal triggers note the users a transaction writes in
 * the session's temporary table zid_touched, in a session that set
 * zid.sealing (this one, once its seal is loaded); before COMMIT the store
 * reads them into its touched set (touched(), below), so that
 * zid-store-seal.c seals them again in the same transaction, as with
 * SQLite's temporary triggers.
 */
#define G_LOG_DOMAIN "zid-core"

#include "config.h"

#include "zid-error.h"
#include "zid-i18n.h"
#include "zid-pg.h"
#include "zid-store-internal.h"

/* The connection: self->conn */
typedef struct
{
  ZidPg      *pg;
  GHashTable *statements;  /* const char *sql (static) -> ZidDbStmt */
  gboolean    writing;     /* the open transaction is a writer's */
} ZidStorePg;

#define CONN(self) ((ZidStorePg *) (self)->conn)
#define PG(self)   (CONN (self)->pg)
#define STMT(s)    ((ZidPgStmt *) (s)->native)

/* zid-db.h's kinds are the driver's types (both SQLite's numbers) */
G_STATIC_ASSERT (ZID_DB_KIND_INTEGER == (int) ZID_PG_INTEGER);
G_STATIC_ASSERT (ZID_DB_KIND_FLOAT == (int) ZID_PG_FLOAT);
G_STATIC_ASSERT (ZID_DB_KIND_TEXT == (int) ZID_PG_TEXT);
G_STATIC_ASSERT (ZID_DB_KIND_BLOB == (int) ZID_PG_BLOB);
G_STATIC_ASSERT (ZID_DB_KIND_NULL == (int) ZID_PG_NULL);
G_STATIC_ASSERT (ZID_DB_DONE == (int) ZID_PG_DONE);
G_STATIC_ASSERT (ZID_DB_ROW == (int) ZID_PG_ROW);
G_STATIC_ASSERT (ZID_DB_ERROR == (int) ZID_PG_ERROR);

/* Connection */

/* The URI itself: libpq reads it when the store connects */
static char *
pg_locate (const char  *location,
           GError     **error)
{
  return g_strdup (location);
}

static gboolean
pg_open (ZidStore    *self,
         const char  *uri,
         GError     **error)
{
  ZidStorePg *conn = g_new0 (ZidStorePg, 1);

  conn->statements = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->conn = conn;
  return (conn->pg = zid_pg_open (uri, error)) != NULL;
}

static void
pg_close (ZidStore *self)
{
  ZidStorePg *conn = self->conn;

  if (conn == NULL)
    return;
  g_hash_table_unref (conn->statements);
  zid_pg_free (conn->pg);
  g_free (conn);
  self->conn = NULL;
}

static gboolean
pg_exec (ZidStore    *self,
         const char  *sql,
         GError     **error)
{
  return zid_pg_exec (PG (self), sql, error);
}

static gboolean
pg_migrate (ZidStore  *self,
            GError   **error)
{
  return zid_pg_migrate (PG (self), NULL, error);
}

static gboolean
pg_begin (ZidStore  *self,
          gboolean   write,
          GError   **error)
{
  CONN (self)->writing = write;
  return zid_pg_begin (PG (self), write, error);
}

static gboolean
pg_commit (ZidStore  *self,
           GError   **error)
{
  return zid_pg_commit (PG (self), error);
}

static void
pg_rollback (ZidStore *self)
{
  /* a failed commit has already ended the transaction */
  if (zid_pg_depth (PG (self)) > 0)
    zid_pg_rollback (PG (self));
}

static gboolean
pg_poll (ZidStore *self,
         gint64   *data_version,
         gint64   *own_changes)
{
  ZidPgStmt *stmt = zid_pg_prepare (PG (self), "SELECT coalesce (max (seq), 0) FROM changes", NULL);
  gboolean ok = zid_pg_step (stmt, NULL) == ZID_PG_ROW;

  if (ok)
    {
      *data_version = zid_pg_column_int64 (stmt, 0);
      *own_changes = zid_pg_total_changes (PG (self));
    }
  zid_pg_reset (stmt);
  return ok;
}

static gboolean
pg_seal_hook (ZidStore  *self,
              GError   **error)
{
  return zid_pg_exec (PG (self),
                      "CREATE TEMP TABLE IF NOT EXISTS zid_touched (user_id BIGINT PRIMARY KEY)"
                      "  ON COMMIT DELETE ROWS;"
                      "SET zid.sealing = 'on'",
                      error);
}

static gboolean
pg_touched (ZidStore  *self,
            GError   **error)
{
  ZidPgStmt *stmt;
  ZidPgStep step;

  if (!CONN (self)->writing)
    return TRUE;
  stmt = zid_pg_prepare (PG (self), "SELECT user_id FROM pg_temp.zid_touched", error);
  while ((step = zid_pg_step (stmt, error)) == ZID_PG_ROW)
    _zid_store_touch (self, zid_pg_column_int64 (stmt, 0));
  if (step == ZID_PG_ERROR)
    return FALSE;
  zid_pg_reset (stmt);
  return TRUE;
}

/* Statements */

static ZidDbStmt *
pg_prepare (ZidStore    *self,
            const char  *sql,
            GError     **error)
{
  ZidStorePg *conn = self->conn;
  ZidPgStmt *native = zid_pg_prepare (conn->pg, sql, error);
  ZidDbStmt *stmt;

  if (native == NULL)
    return NULL;
  if ((stmt = g_hash_table_lookup (conn->statements, sql)) != NULL)
    return stmt;
  stmt = g_new (ZidDbStmt, 1);
  stmt->backend = &_zid_store_pg_backend;
  stmt->native = native;
  g_hash_table_insert (conn->statements, (gpointer) sql, stmt);
  return stmt;
}

static gboolean
pg_bind_int64 (ZidDbStmt  *stmt,
               int         pos,
               gint64      value,
               GError    **error)
{
  return zid_pg_bind_int64 (STMT (stmt), pos, value, error);
}

static gboolean
pg_bind_text (ZidDbStmt   *stmt,
              int          pos,
              const char  *text,
              GError     **error)
{
  return zid_pg_bind_text (STMT (stmt), pos, text, error);
}

static gboolean
pg_bind_null (ZidDbStmt  *stmt,
              int         pos,
              GError    **error)
{
  return zid_pg_bind_null (STMT (stmt), pos, error);
}

static gboolean
pg_bind_blob (ZidDbStmt   *stmt,
              int          pos,
              const void  *data,
              gsize        len,
              GError     **error)
{
  return zid_pg_bind_blob (STMT (stmt), pos, data, len, error);
}

static ZidDbStep
pg_step (ZidDbStmt  *stmt,
         GError    **error)
{
  return (ZidDbStep) zid_pg_step (STMT (stmt), error);
}

static void
pg_reset (ZidDbStmt *stmt)
{
  zid_pg_reset (STMT (stmt));
}

static int
pg_column_count (ZidDbStmt *stmt)
{
  return zid_pg_column_count (STMT (stmt));
}

static ZidDbKind
pg_column_kind (ZidDbStmt *stmt,
                int        col)
{
  return (ZidDbKind) zid_pg_column_type (STMT (stmt), col);
}

static gint64
pg_column_int64 (ZidDbStmt *stmt,
                 int        col)
{
  return zid_pg_column_int64 (STMT (stmt), col);
}

static const char *
pg_column_text (ZidDbStmt *stmt,
                int        col)
{
  return zid_pg_column_text (STMT (stmt), col);
}

static const void *
pg_column_blob (ZidDbStmt *stmt,
                int        col,
                gsize     *len)
{
  return zid_pg_column_blob (STMT (stmt), col, len);
}

static gsize
pg_column_bytes (ZidDbStmt *stmt,
                 int        col)
{
  return zid_pg_column_bytes (STMT (stmt), col);
}

static gint64
pg_changes (ZidStore *self)
{
  return zid_pg_changes (PG (self));
}

const ZidStoreBackend _zid_store_pg_backend = {
  .locate = pg_locate,
  .open = pg_open,
  .close = pg_close,
  .exec = pg_exec,
  .migrate = pg_migrate,
  .begin = pg_begin,
  .commit = pg_commit,
  .rollback = pg_rollback,
  .poll = pg_poll,
  .seal_hook = pg_seal_hook,
  .touched = pg_touched,
  .prepare = pg_prepare,
  .bind_int64 = pg_bind_int64,
  .bind_text = pg_bind_text,
  .bind_null = pg_bind_null,
  .bind_blob = pg_bind_blob,
  .step = pg_step,
  .reset = pg_reset,
  .column_count = pg_column_count,
  .column_kind = pg_column_kind,
  .column_int64 = pg_column_int64,
  .column_text = pg_column_text,
  .column_blob = pg_column_blob,
  .column_bytes = pg_column_bytes,
  .changes = pg_changes,
};
