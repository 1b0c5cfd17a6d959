/* zid-store-sqlite.c — the store's SQLite backend (see zid-store-internal.h)
 *
 * SPDX-License-Identifier: EUPL-1.2
 *
 * One connection to the database file, WAL, foreign keys on, the schema
 * version in user_version with forward migrations; writers take the
 * database lock up front (BEGIN IMMEDIATE) so that two processes on one
 * data dir serialise instead of failing half-way. Statements are cached by
 * the pointer of their static SQL text and prepared once.
 *
 * Also here, until every caller speaks zid-db.h: the store's SQLite-typed
 * calls (zid_store_get_db, zid_store_query, zid_store_step, zid_store_run,
 * zid_store_fail, zid_column_dup), thin over the same cache.
 */
#define G_LOG_DOMAIN "zid-core"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "zid-error.h"
#include "zid-i18n.h"
#include "zid-store-internal.h"

/* The connection: self->conn */
typedef struct
{
  sqlite3    *db;
  GHashTable *statements;  /* const char *sql (static) -> ZidDbStmt */
} ZidSqlite;

#define DB(self)  (((ZidSqlite *) (self)->conn)->db)
#define STMT(s)   ((sqlite3_stmt *) (s)->native)

/* zid-db.h's kinds are SQLite's fundamental types */
G_STATIC_ASSERT (ZID_DB_KIND_INTEGER == SQLITE_INTEGER);
G_STATIC_ASSERT (ZID_DB_KIND_FLOAT == SQLITE_FLOAT);
G_STATIC_ASSERT (ZID_DB_KIND_TEXT == SQLITE_TEXT);
G_STATIC_ASSERT (ZID_DB_KIND_BLOB == SQLITE_BLOB);
G_STATIC_ASSERT (ZID_DB_KIND_NULL == SQLITE_NULL);

/* Forward migrations: migrations[i] takes the schema from version i to i+1 */
static const char * const migrations[] = {
  /* 0 -> 1 */
  "CREATE TABLE settings ("
  "  key   TEXT PRIMARY KEY,"
  "  value TEXT NOT NULL"
  ") WITHOUT ROWID;"

  "CREATE TABLE organisations ("
  "  id      INTEGER PRIMARY KEY,"
  "  ura     TEXT NOT NULL UNIQUE,"
  "  name    TEXT NOT NULL,"
  "  agb     TEXT,"
  "  address TEXT,"
  "  created INTEGER NOT NULL"
  ");"

  "CREATE TABLE registrations ("
  "  id              INTEGER PRIMARY KEY,"
  "  ura             TEXT NOT NULL UNIQUE,"
  "  name            TEXT NOT NULL,"
  "  agb             TEXT,"
  "  address         TEXT,"
  "  reference       TEXT,"
  "  created         INTEGER NOT NULL,"
  "  completed       INTEGER,"
  "  organisation_id INTEGER REFERENCES organisations (id)"
  ");"

  "CREATE TABLE users ("
  "  id           INTEGER PRIMARY KEY,"
  "  first_name   TEXT NOT NULL,"
  "  last_name    TEXT NOT NULL,"
  "  birth_date   TEXT NOT NULL,"
  "  blocked      INTEGER NOT NULL DEFAULT 0,"
  "  block_reason INTEGER NOT NULL DEFAULT 0,"
  "  registered   INTEGER NOT NULL,"
  "  last_use     INTEGER,"
  "  mobile_id    INTEGER NOT NULL DEFAULT 0,"
  "  uzi_number   TEXT UNIQUE"
  ");"

  "CREATE TABLE memberships ("
  "  organisation_id INTEGER NOT NULL REFERENCES organisations (id),"
  "  user_id         INTEGER NOT NULL REFERENCES users (id),"
  "  role            INTEGER NOT NULL CHECK (role BETWEEN 1 AND 3),"
  "  PRIMARY KEY (organisation_id, user_id)"
  ") WITHOUT ROWID;"
  "CREATE INDEX memberships_by_user ON memberships (user_id, organisation_id);"

  "CREATE TABLE name_keys ("
  "  organisation_id INTEGER NOT NULL,"
  "  key             TEXT NOT NULL,"
  "  user_id         INTEGER NOT NULL,"
  "  PRIMARY KEY (organisation_id, key, user_id),"
  "  FOREIGN KEY (organisation_id, user_id)"
  "    REFERENCES memberships (organisation_id, user_id) ON DELETE CASCADE"
  ") WITHOUT ROWID;"

  "CREATE TABLE attributes ("
  "  id              INTEGER PRIMARY KEY,"
  "  user_id         INTEGER NOT NULL REFERENCES users (id),"
  "  type            TEXT NOT NULL,"
  "  organisation_id INTEGER NOT NULL REFERENCES organisations (id),"
  "  task_code       TEXT NOT NULL,"
  "  created         INTEGER NOT NULL,"
  "  UNIQUE (user_id, type, organisation_id, task_code)"
  ");"

  "CREATE TABLE certificates ("
  "  serial        TEXT PRIMARY KEY,"
  "  user_id       INTEGER NOT NULL REFERENCES users (id),"
  "  not_before    INTEGER NOT NULL,"
  "  not_after     INTEGER NOT NULL,"
  "  revoked_at    INTEGER,"
  "  revoke_reason TEXT,"
  "  pem           TEXT NOT NULL"
  ");"
  "CREATE INDEX certificates_by_user ON certificates (user_id);"
  "CREATE TRIGGER certificates_revocation_is_final"
  "  BEFORE UPDATE OF revoked_at ON certificates"
  "  WHEN OLD.revoked_at IS NOT NULL"
  "  BEGIN SELECT RAISE (ABORT, 'revocation is final'); END;"

  "CREATE TABLE codes ("
  "  hash    BLOB PRIMARY KEY,"
  "  purpose INTEGER NOT NULL,"
  "  user_id INTEGER NOT NULL REFERENCES users (id),"
  "  created INTEGER NOT NULL,"
  "  expires INTEGER NOT NULL,"
  "  used    INTEGER"
  ") WITHOUT ROWID;"

  "CREATE TABLE login_sessions ("
  "  id        TEXT PRIMARY KEY,"
  "  challenge TEXT NOT NULL,"
  "  created   INTEGER NOT NULL,"
  "  expires   INTEGER NOT NULL,"
  "  answered  INTEGER,"
  "  user_id   INTEGER REFERENCES users (id)"
  ") WITHOUT ROWID;"

  "CREATE TABLE audit ("
  "  id      INTEGER PRIMARY KEY,"
  "  time    INTEGER NOT NULL,"
  "  actor   TEXT NOT NULL,"
  "  action  TEXT NOT NULL,"
  "  subject TEXT,"
  "  details TEXT,"
  "  prev    BLOB NOT NULL,"
  "  hash    BLOB NOT NULL"
  ");",

  /* 1 -> 2: the seal of each user's authoritative rows (see "Seal") */
  "CREATE TABLE seals ("
  "  user_id INTEGER PRIMARY KEY,"
  "  mac     BLOB NOT NULL"
  ");",

  /* 2 -> 3: what changed (see "Changes") */
  "CREATE TABLE IF NOT EXISTS changes ("
  "  kind INTEGER NOT NULL,"
  "  id   INTEGER NOT NULL,"
  "  seq  INTEGER NOT NULL,"
  "  PRIMARY KEY (kind, id)"
  ") WITHOUT ROWID;"
  "CREATE INDEX IF NOT EXISTS changes_by_seq ON changes (seq);"
/* an upsert, not INSERT OR REPLACE: a trigger's OR clause gives way to
 * the conflict clause of the statement that fires it (an upsert of a
 * membership, say) */
#define CHANGE(kind, id) \
  "INSERT INTO changes (kind, id, seq)" \
  " VALUES (" kind ", " id ", (SELECT coalesce (max (seq), 0) + 1 FROM changes))" \
  " ON CONFLICT (kind, id) DO UPDATE SET seq = excluded.seq;"
#define CHANGE_TRIGGERS(table, kind, column) \
  "CREATE TRIGGER IF NOT EXISTS changes_" table "_insert AFTER INSERT ON " table \
  "  BEGIN " CHANGE (kind, "NEW." column) " END;" \
  "CREATE TRIGGER IF NOT EXISTS changes_" table "_update AFTER UPDATE ON " table \
  "  BEGIN " CHANGE (kind, "OLD." column) CHANGE (kind, "NEW." column) " END;" \
  "CREATE TRIGGER IF NOT EXISTS changes_" table "_delete AFTER DELETE ON " table \
  "  BEGIN " CHANGE (kind, "OLD." column) " END;"
  CHANGE_TRIGGERS ("users", "1", "id")
  CHANGE_TRIGGERS ("memberships", "1", "user_id")
  CHANGE_TRIGGERS ("certificates", "1", "user_id")
  CHANGE_TRIGGERS ("attributes", "1", "user_id")
  CHANGE_TRIGGERS ("organisations", "2", "id")
  /* a membership also changes its organisation's members */
  "CREATE TRIGGER IF NOT EXISTS changes_memberships_organisation AFTER INSERT ON memberships"
  "  BEGIN " CHANGE ("2", "NEW.organisation_id") " END;"
  "CREATE TRIGGER IF NOT EXISTS changes_memberships_organisation_delete AFTER DELETE ON memberships"
  "  BEGIN " CHANGE ("2", "OLD.organisation_id") " END;"
  /* every user and organisation there is counts as changed once */
  "INSERT OR IGNORE INTO changes (kind, id, seq) SELECT 1, id, 1 FROM users;"
  "INSERT OR IGNORE INTO changes (kind, id, seq) SELECT 2, id, 1 FROM organisations;",
#undef CHANGE_TRIGGERS
#undef CHANGE

  /* 3 -> 4: a new code replaces a user's open one (and an import makes
   * thousands) without reading every code; the audit view and `audit
   * list` find one user's events without walking the whole trail */
  "CREATE INDEX IF NOT EXISTS codes_by_user ON codes (user_id);"
  "CREATE INDEX IF NOT EXISTS audit_by_subject ON audit (subject, id);",

  /* 4 -> 5: a date range of the audit view becomes a range of ids */
  "CREATE INDEX IF NOT EXISTS audit_by_time ON audit (time);",

  /* 5 -> 6: the organisation server's admin sessions (zid-portal-sessions.c):
   * the token's SHA-256 only; user_id is bound once the login is answered */
  "CREATE TABLE IF NOT EXISTS admin_sessions ("
  "  token_hash BLOB PRIMARY KEY,"
  "  login_id   TEXT NOT NULL,"
  "  user_id    INTEGER REFERENCES users (id),"
  "  client     TEXT NOT NULL,"
  "  created    INTEGER NOT NULL,"
  "  last_used  INTEGER NOT NULL,"
  "  ended      INTEGER"
  ") WITHOUT ROWID;",

  /* 6 -> 7: a login answered by a phone that was refused (no portal
   * access, blocked, revoked) says so to whoever waits for it */
  "CREATE TABLE IF NOT EXISTS login_refusals ("
  "  session_id TEXT PRIMARY KEY REFERENCES login_sessions (id) ON DELETE CASCADE,"
  "  refusal    TEXT NOT NULL"
  ") WITHOUT ROWID;",

  /* 7 -> 8: nothing here. PostgreSQL's memberships take the role into
   * their primary key's index (zid-schema-pg.c); this WITHOUT ROWID table
   * is its primary key's b-tree, the role in it already */
  "",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == ZID_STORE_SCHEMA_VERSION);

/* One error for SQLite's @code and @message */
static gboolean
set_store_error (GError     **error,
                 int          code,
                 const char  *message)
{
  if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
    g_set_error (error, ZID_ERROR, ZID_ERROR_BUSY,
                 _("The database has been busy for %d seconds with another program of the "
                   "portal; nothing was changed. Try again in a moment."),
                 ZID_STORE_BUSY_MS / 1000);
  else
    g_set_error (error, ZID_ERROR, ZID_ERROR_STORE, _("Database error: %s"), message);
  return FALSE;
}

/* The store's GError for the last error of @db */
static gboolean
fail_db (sqlite3  *db,
         GError  **error)
{
  return set_store_error (error, sqlite3_extended_errcode (db), sqlite3_errmsg (db));
}

static gboolean
fail_stmt (ZidDbStmt  *stmt,
           GError    **error)
{
  return fail_db (sqlite3_db_handle (STMT (stmt)), error);
}

/* Connection */

/* The database is made 0600 before SQLite opens it: SQLite gives its -wal
 * and -shm files the database file's mode, so they are private from the
 * first byte. Files of an older version that were left readable are made
 * private too. */
static gboolean
make_private (const char  *path,
              GError     **error)
{
  static const char *const companions[] = { "-wal", "-shm", "-journal" };
  int fd = g_open (path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

  if (fd < 0 || fchmod (fd, 0600) != 0)
    {
      int saved = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, ZID_ERROR, ZID_ERROR_STORE,
                   _("Cannot protect the database %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  close (fd);

  for (guint i = 0; i < G_N_ELEMENTS (companions); i++)
    {
      g_autofree char *companion = g_strconcat (path, companions[i], NULL);

      if (g_chmod (companion, 0600) != 0 && errno != ENOENT)
        {
          g_set_error (error, ZID_ERROR, ZID_ERROR_STORE,
                       _("Cannot protect %s: %s"), companion, g_strerror (errno));
          return FALSE;
        }
    }
  return TRUE;
}

/* @path with its folder resolved: a data dir reached through symbolic links
 * (a home folder on another disk, say) is fine, and SQLite, which refuses
 * any link in the path it opens, gets one without. The database file itself
 * must not be a link (make_private opens it O_NOFOLLOW). */
static char *
sqlite_locate (const char  *given_path,
               GError     **error)
{
  g_autofree char *folder = g_path_get_dirname (given_path);
  g_autofree char *name = g_path_get_basename (given_path);
  g_autofree char *real = realpath (folder, NULL);
  g_autofree char *path = NULL;

  if (real == NULL)
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_STORE,
                   _("Cannot find the folder %s of the database: %s"), folder, g_strerror (errno));
      return NULL;
    }
  path = g_build_filename (real, name, NULL);
  if (!make_private (path, error))
    return NULL;
  return g_steal_pointer (&path);
}

static void
statement_free (gpointer data)
{
  ZidDbStmt *stmt = data;

  sqlite3_finalize (STMT (stmt));
  g_free (stmt);
}

static gboolean sqlite_exec (ZidStore    *self,
                             const char  *sql,
                             GError     **error);

static gboolean
sqlite_open (ZidStore    *self,
             const char  *path,
             GError     **error)
{
  ZidSqlite *conn = g_new0 (ZidSqlite, 1);
  int rc;

  conn->statements = g_hash_table_new_full (NULL, NULL, NULL, statement_free);
  self->conn = conn;

  rc = sqlite3_open_v2 (path, &conn->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                        SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_NOFOLLOW, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_STORE,
                   _("Cannot open the database %s: %s"), path,
                   conn->db ? sqlite3_errmsg (conn->db) : sqlite3_errstr (rc));
      return FALSE;
    }

  sqlite3_extended_result_codes (conn->db, 1);
  sqlite3_busy_timeout (conn->db, ZID_STORE_BUSY_MS);

  return sqlite_exec (self,
                      "PRAGMA journal_mode = WAL;"
                      /* a write is on disk before it is acknowledged:
                       * every commit syncs the WAL (NORMAL syncs only at
                       * checkpoints, and a power loss could take back an
                       * enrolment, a block or a revocation already
                       * reported done) */
                      "PRAGMA synchronous = FULL;"
                      "PRAGMA foreign_keys = ON;"
                      "PRAGMA secure_delete = ON;"
                      "PRAGMA trusted_schema = OFF;"
                      /* a long-lived process: keep the hot pages (64 MiB
                       * cache, reads through a 256 MiB map) */
                      "PRAGMA cache_size = -65536;"
                      "PRAGMA mmap_size = 268435456;",
                      error);
}

static void
sqlite_close (ZidStore *self)
{
  ZidSqlite *conn = self->conn;

  if (conn == NULL)
    return;
  g_hash_table_unref (conn->statements);
  if (conn->db != NULL)
    sqlite3_close (conn->db);
  g_free (conn);
  self->conn = NULL;
}

static gboolean
sqlite_exec (ZidStore    *self,
             const char  *sql,
             GError     **error)
{
  sqlite3 *db = DB (self);
  char *message = NULL;
  int rc;

  /* Outside a transaction a busy database is worth waiting for: SQLite does
   * not call the busy handler in every WAL case (recovery, for one). The
   * whole wait, SQLite's own included, ends after ZID_STORE_BUSY_MS. */
  gint64 deadline = g_get_monotonic_time () + ZID_STORE_BUSY_MS * 1000;
  gint64 left;

  while (((rc = sqlite3_exec (db, sql, NULL, NULL, &message)) & 0xff) == SQLITE_BUSY &&
         sqlite3_get_autocommit (db) &&
         (left = deadline - g_get_monotonic_time ()) > 0)
    {
      g_clear_pointer (&message, sqlite3_free);
      g_usleep (MIN (left, G_USEC_PER_SEC / 20));
      left = deadline - g_get_monotonic_time ();
      sqlite3_busy_timeout (db, (int) MAX (left / 1000, 1));
    }
  sqlite3_busy_timeout (db, ZID_STORE_BUSY_MS);

  if (rc != SQLITE_OK)
    {
      int code = sqlite3_errcode (db);

      set_store_error (error, code, message ? message : sqlite3_errstr (code));
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
sqlite_begin (ZidStore  *self,
              gboolean   write,
              GError   **error)
{
  return sqlite_exec (self, write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED", error);
}

static gboolean
sqlite_commit (ZidStore  *self,
               GError   **error)
{
  return sqlite_exec (self, "COMMIT", error);
}

static void
sqlite_rollback (ZidStore *self)
{
  if (!sqlite3_get_autocommit (DB (self)))
    sqlite_exec (self, "ROLLBACK", NULL);
}

/* Statements */

static ZidDbStmt *
sqlite_prepare (ZidStore    *self,
                const char  *sql,
                GError     **error)
{
  ZidSqlite *conn = self->conn;
  ZidDbStmt *stmt = g_hash_table_lookup (conn->statements, sql);
  sqlite3_stmt *native;

  if (stmt != NULL)
    {
      sqlite3_reset (STMT (stmt));
      sqlite3_clear_bindings (STMT (stmt));
      return stmt;
    }
  if (sqlite3_prepare_v3 (conn->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &native, NULL) != SQLITE_OK)
    {
      fail_db (conn->db, error);
      return NULL;
    }
  stmt = g_new (ZidDbStmt, 1);
  stmt->backend = &_zid_store_sqlite_backend;
  stmt->native = native;
  g_hash_table_insert (conn->statements, (gpointer) sql, stmt);
  return stmt;
}

static gboolean
sqlite_bind_int64 (ZidDbStmt  *stmt,
                   int         pos,
                   gint64      value,
                   GError    **error)
{
  return sqlite3_bind_int64 (STMT (stmt), pos, value) == SQLITE_OK || fail_stmt (stmt, error);
}

static gboolean
sqlite_bind_text (ZidDbStmt   *stmt,
                  int          pos,
                  const char  *text,
                  GError     **error)
{
  return sqlite3_bind_text (STMT (stmt), pos, text, -1, SQLITE_TRANSIENT) == SQLITE_OK ||
         fail_stmt (stmt, error);
}

static gboolean
sqlite_bind_null (ZidDbStmt  *stmt,
                  int         pos,
                  GError    **error)
{
  return sqlite3_bind_null (STMT (stmt), pos) == SQLITE_OK || fail_stmt (stmt, error);
}

static gboolean
sqlite_bind_blob (ZidDbStmt   *stmt,
                  int          pos,
                  const void  *data,
                  gsize        len,
                  GError     **error)
{
  return sqlite3_bind_blob (STMT (stmt), pos, data, (int) len, SQLITE_TRANSIENT) == SQLITE_OK ||
         fail_stmt (stmt, error);
}

static ZidDbStep
sqlite_step (ZidDbStmt  *stmt,
             GError    **error)
{
  int rc = sqlite3_step (STMT (stmt));

  if (rc == SQLITE_ROW)
    return ZID_DB_ROW;
  if (rc == SQLITE_DONE)
    return ZID_DB_DONE;
  fail_stmt (stmt, error);
  sqlite3_reset (STMT (stmt));
  return ZID_DB_ERROR;
}

static void
sqlite_reset (ZidDbStmt *stmt)
{
  sqlite3_reset (STMT (stmt));
}

static int
sqlite_column_count (ZidDbStmt *stmt)
{
  return sqlite3_column_count (STMT (stmt));
}

static ZidDbKind
sqlite_column_kind (ZidDbStmt *stmt,
                    int        col)
{
  return (ZidDbKind) sqlite3_column_type (STMT (stmt), col);
}

static gint64
sqlite_column_int64 (ZidDbStmt *stmt,
                     int        col)
{
  return sqlite3_column_int64 (STMT (stmt), col);
}

static const char *
sqlite_column_text (ZidDbStmt *stmt,
                    int        col)
{
  return (const char *) sqlite3_column_text (STMT (stmt), col);
}

static const void *
sqlite_column_blob (ZidDbStmt *stmt,
                    int        col,
                    gsize     *len)
{
  const void *data = sqlite3_column_blob (STMT (stmt), col);

  /* the blob first, then its length: SQLite's order for a blob */
  *len = (gsize) sqlite3_column_bytes (STMT (stmt), col);
  return data;
}

static gsize
sqlite_column_bytes (ZidDbStmt *stmt,
                     int        col)
{
  return (gsize) sqlite3_column_bytes (STMT (stmt), col);
}

static gint64
sqlite_changes (ZidStore *self)
{
  return sqlite3_changes64 (DB (self));
}

/* Schema: runs when the store opens, before it is shared, so in a
 * transaction of the connection's own */
static gboolean
sqlite_migrate (ZidStore  *self,
                GError   **error)
{
  g_autoptr(GError) local_error = NULL;
  ZidDbStmt *stmt;
  int version;

  if (!sqlite_begin (self, TRUE, error))
    return FALSE;

  if ((stmt = sqlite_prepare (self, "PRAGMA user_version", &local_error)) == NULL ||
      sqlite_step (stmt, &local_error) == ZID_DB_ERROR)
    goto fail;
  version = sqlite3_column_int (STMT (stmt), 0);
  sqlite3_reset (STMT (stmt));

  if (version > ZID_STORE_SCHEMA_VERSION)
    {
      g_set_error (&local_error, ZID_ERROR, ZID_ERROR_STORE,
                   _("The database was made by a newer version (schema %d, this version knows "
                     "%d); update the application"),
                   version, ZID_STORE_SCHEMA_VERSION);
      goto fail;
    }

  for (; version < ZID_STORE_SCHEMA_VERSION; version++)
    {
      g_autofree char *pragma = g_strdup_printf ("PRAGMA user_version = %d", version + 1);

      g_debug ("migrating store schema %d -> %d", version, version + 1);
      if (!sqlite_exec (self, migrations[version], &local_error) ||
          !sqlite_exec (self, pragma, &local_error))
        goto fail;
    }

  if (sqlite_commit (self, error))
    return TRUE;
  sqlite_rollback (self);
  return FALSE;

fail:
  sqlite_rollback (self);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* Changes: SQLite's data_version moves when another connection commits,
 * the connection's count of changed rows when this one writes. No disk
 * reads. */
static gboolean
sqlite_poll (ZidStore *self,
             gint64   *data_version,
             gint64   *own_changes)
{
  ZidDbStmt *stmt = sqlite_prepare (self, "PRAGMA data_version", NULL);
  gboolean ok = stmt != NULL && sqlite_step (stmt, NULL) == ZID_DB_ROW;

  if (ok)
    {
      *data_version = sqlite3_column_int64 (STMT (stmt), 0);
      *own_changes = sqlite3_total_changes64 (DB (self));
    }
  if (stmt != NULL)
    sqlite3_reset (STMT (stmt));
  return ok;
}

/* The seal's touch hook: TEMP triggers (on this connection only) call
 * zid_seal_touch() with the user whose sealed rows a statement writes; a
 * change made by another connection (the sqlite3 shell, say) goes
 * unnoted, and the seal then finds it */
static const char seal_triggers[] =
  "CREATE TEMP TRIGGER seal_users_insert AFTER INSERT ON main.users"
  "  BEGIN SELECT zid_seal_touch (NEW.id); END;"
  "CREATE TEMP TRIGGER seal_users_update"
  "  AFTER UPDATE OF id, first_name, last_name, birth_date, blocked, block_reason, registered,"
  "  mobile_id, uzi_number ON main.users"
  "  BEGIN SELECT zid_seal_touch (OLD.id), zid_seal_touch (NEW.id); END;"
  "CREATE TEMP TRIGGER seal_users_delete AFTER DELETE ON main.users"
  "  BEGIN SELECT zid_seal_touch (OLD.id); END;"
#define SEAL_USER_TABLE(t) \
  "CREATE TEMP TRIGGER seal_" t "_insert AFTER INSERT ON main." t \
  "  BEGIN SELECT zid_seal_touch (NEW.user_id); END;" \
  "CREATE TEMP TRIGGER seal_" t "_update AFTER UPDATE ON main." t \
  "  BEGIN SELECT zid_seal_touch (OLD.user_id), zid_seal_touch (NEW.user_id); END;" \
  "CREATE TEMP TRIGGER seal_" t "_delete AFTER DELETE ON main." t \
  "  BEGIN SELECT zid_seal_touch (OLD.user_id); END;"
  SEAL_USER_TABLE ("memberships")
  SEAL_USER_TABLE ("certificates")
  SEAL_USER_TABLE ("attributes")
#undef SEAL_USER_TABLE
  "CREATE TEMP TRIGGER seal_environment_insert AFTER INSERT ON main.settings"
  "  WHEN NEW.key = 'environment' BEGIN SELECT zid_seal_touch (0); END;"
  "CREATE TEMP TRIGGER seal_environment_update AFTER UPDATE ON main.settings"
  "  WHEN OLD.key = 'environment' OR NEW.key = 'environment' BEGIN SELECT zid_seal_touch (0); END;"
  "CREATE TEMP TRIGGER seal_environment_delete AFTER DELETE ON main.settings"
  "  WHEN OLD.key = 'environment' BEGIN SELECT zid_seal_touch (0); END;";
static void
seal_touch (sqlite3_context  *context,
            int               argc,
            sqlite3_value   **argv)
{
  _zid_store_touch (sqlite3_user_data (context), sqlite3_value_int64 (argv[0]));
  sqlite3_result_null (context);
}

static gboolean
sqlite_seal_hook (ZidStore  *self,
                  GError   **error)
{
  if (sqlite3_create_function (DB (self), "zid_seal_touch", 1, SQLITE_UTF8 | SQLITE_INNOCUOUS,
                               self, seal_touch, NULL, NULL) != SQLITE_OK)
    return fail_db (DB (self), error);
  return sqlite_exec (self, seal_triggers, error);
}

const ZidStoreBackend _zid_store_sqlite_backend = {
  .locate = sqlite_locate,
  .open = sqlite_open,
  .close = sqlite_close,
  .exec = sqlite_exec,
  .migrate = sqlite_migrate,
  .begin = sqlite_begin,
  .commit = sqlite_commit,
  .rollback = sqlite_rollback,
  .poll = sqlite_poll,
  .seal_hook = sqlite_seal_hook,
  .prepare = sqlite_prepare,
  .bind_int64 = sqlite_bind_int64,
  .bind_text = sqlite_bind_text,
  .bind_null = sqlite_bind_null,
  .bind_blob = sqlite_bind_blob,
  .step = sqlite_step,
  .reset = sqlite_reset,
  .column_count = sqlite_column_count,
  .column_kind = sqlite_column_kind,
  .column_int64 = sqlite_column_int64,
  .column_text = sqlite_column_text,
  .column_blob = sqlite_column_blob,
  .column_bytes = sqlite_column_bytes,
  .changes = sqlite_changes,
};
