/* zid-store.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-core"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "zid-error.h"
#include "zid-i18n.h"
#include "zid-store-internal.h"

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

gboolean
_zid_store_fail_db (sqlite3  *db,
                    GError  **error)
{
  return set_store_error (error, sqlite3_extended_errcode (db), sqlite3_errmsg (db));
}

gboolean
zid_store_fail (ZidStore  *self,
                GError   **error)
{
  return set_store_error (error, sqlite3_extended_errcode (self->db), sqlite3_errmsg (self->db));
}

static gboolean
migrate (ZidStore  *self,
         GError   **error)
{
  g_autoptr(GError) local_error = NULL;
  sqlite3_stmt *stmt;
  gboolean row;
  int version;

  if (!zid_store_begin (self, TRUE, error))
    return FALSE;

  if (!(stmt = zid_store_query (self, &local_error, "PRAGMA user_version", "")) ||
      !zid_store_step (self, stmt, &row, &local_error))
    goto fail;
  version = sqlite3_column_int (stmt, 0);
  sqlite3_reset (stmt);

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
      if (!zid_store_exec (self, migrations[version], &local_error) ||
          !zid_store_exec (self, pragma, &local_error))
        goto fail;
    }

  return zid_store_commit (self, error);

fail:
  zid_store_rollback (self);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

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
resolve_folder (const char  *path,
                GError     **error)
{
  g_autofree char *folder = g_path_get_dirname (path);
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *real = realpath (folder, NULL);

  if (real == NULL)
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_STORE,
                   _("Cannot find the folder %s of the database: %s"), folder, g_strerror (errno));
      return NULL;
    }
  return g_build_filename (real, name, NULL);
}

ZidStore *
zid_store_open (const char  *given_path,
                GError     **error)
{
  g_autofree char *path = resolve_folder (given_path, error);
  ZidStore *self;
  int rc;

  if (path == NULL || !make_private (path, error))
    return NULL;

  if (!_zid_store_seal_key_readable (path, error))
    return NULL;

  self = g_new0 (ZidStore, 1);

  g_rec_mutex_init (&self->lock);
  self->statements = g_hash_table_new_full (NULL, NULL, NULL,
                                            (GDestroyNotify) sqlite3_finalize);

  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                        SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_NOFOLLOW, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_STORE,
                   _("Cannot open the database %s: %s"), path,
                   self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      zid_store_free (self);
      return NULL;
    }

  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, ZID_STORE_BUSY_MS);

  if (!zid_store_exec (self,
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
                       error) ||
      !migrate (self, error) ||
      !_zid_store_seal_open (self, path, error))
    {
      zid_store_free (self);
      return NULL;
    }

  return self;
}

void
zid_store_free (ZidStore *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->statements);
  g_clear_pointer (&self->touched, g_hash_table_unref);
  OPENSSL_cleanse (self->seal_key, sizeof self->seal_key);
  if (self->db != NULL)
    sqlite3_close (self->db);
  g_rec_mutex_clear (&self->lock);
  g_free (self);
}

sqlite3 *
zid_store_get_db (ZidStore *self)
{
  return self->db;
}

gboolean
zid_store_exec (ZidStore    *self,
                const char  *sql,
                GError     **error)
{
  char *message = NULL;
  int rc;

  /* Outside a transaction a busy database is worth waiting for: SQLite does
   * not call the busy handler in every WAL case (recovery, for one). The
   * whole wait, SQLite's own included, ends after ZID_STORE_BUSY_MS. */
  gint64 deadline = g_get_monotonic_time () + ZID_STORE_BUSY_MS * 1000;
  gint64 left;

  while (((rc = sqlite3_exec (self->db, sql, NULL, NULL, &message)) & 0xff) == SQLITE_BUSY &&
         sqlite3_get_autocommit (self->db) &&
         (left = deadline - g_get_monotonic_time ()) > 0)
    {
      g_clear_pointer (&message, sqlite3_free);
      g_usleep (MIN (left, G_USEC_PER_SEC / 20));
      left = deadline - g_get_monotonic_time ();
      sqlite3_busy_timeout (self->db, (int) MAX (left / 1000, 1));
    }
  sqlite3_busy_timeout (self->db, ZID_STORE_BUSY_MS);

  if (rc != SQLITE_OK)
    {
      int code = sqlite3_errcode (self->db);

      set_store_error (error, code, message ? message : sqlite3_errstr (code));
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

gboolean
zid_store_begin (ZidStore  *self,
                 gboolean   write,
                 GError   **error)
{
  g_rec_mutex_lock (&self->lock);
  /* a nested begin (a read inside an operation) joins the open transaction */
  if (self->depth++ > 0)
    return TRUE;
  if (!zid_store_exec (self, write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED", error))
    {
      self->depth--;
      g_rec_mutex_unlock (&self->lock);
      return FALSE;
    }
  return TRUE;
}

gboolean
zid_store_commit (ZidStore  *self,
                  GError   **error)
{
  gboolean ok;

  g_assert (self->depth > 0);
  if (--self->depth > 0)
    {
      g_rec_mutex_unlock (&self->lock);
      return TRUE;
    }
  /* the users this transaction changed are sealed again inside it */
  ok = _zid_store_seal_touched (self, error) &&
       zid_store_exec (self, "COMMIT", error);
  if (self->touched)
    g_hash_table_remove_all (self->touched);
  if (!ok && !sqlite3_get_autocommit (self->db))
    zid_store_exec (self, "ROLLBACK", NULL);
  g_rec_mutex_unlock (&self->lock);
  return ok;
}

void
zid_store_rollback (ZidStore *self)
{
  g_assert (self->depth > 0);
  if (--self->depth > 0)
    {
      g_rec_mutex_unlock (&self->lock);
      return;
    }
  if (self->touched)
    g_hash_table_remove_all (self->touched);
  if (!sqlite3_get_autocommit (self->db))
    zid_store_exec (self, "ROLLBACK", NULL);
  g_rec_mutex_unlock (&self->lock);
}

sqlite3_stmt *
_zid_store_prepare (ZidStore    *self,
                    const char  *sql,
                    GError     **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);

  if (stmt == NULL)
    {
      if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
        {
          zid_store_fail (self, error);
          return NULL;
        }
      g_hash_table_insert (self->statements, (gpointer) sql, stmt);
    }
  else
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
    }
  return stmt;
}

sqlite3_stmt *
zid_store_query (ZidStore    *self,
                 GError     **error,
                 const char  *sql,
                 const char  *types,
                 ...)
{
  sqlite3_stmt *stmt;
  va_list args;

  va_start (args, types);
  stmt = (sqlite3_stmt *) _zid_db_query_valist (self, error, sql, types, args);
  va_end (args);
  return stmt;
}

gboolean
zid_store_step (ZidStore      *self,
                sqlite3_stmt  *stmt,
                gboolean      *row,
                GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    {
      if (row)
        *row = rc == SQLITE_ROW;
      return TRUE;
    }
  zid_store_fail (self, error);
  sqlite3_reset (stmt);
  return FALSE;
}

gboolean
zid_store_run (ZidStore    *self,
               GError     **error,
               const char  *sql,
               const char  *types,
               ...)
{
  sqlite3_stmt *stmt;
  gboolean row = FALSE;
  va_list args;

  va_start (args, types);
  stmt = (sqlite3_stmt *) _zid_db_query_valist (self, error, sql, types, args);
  va_end (args);

  if (stmt == NULL || !zid_store_step (self, stmt, &row, error))
    return FALSE;
  sqlite3_reset (stmt);
  return TRUE;
}

/* Changes: every write to a user's rows (the user, memberships,
 * certificates, attributes) or an organisation's notes the user or
 * organisation in the changes table with the next sequence number, by
 * triggers in the schema (schema 3), so also a change made by another
 * process or the sqlite3 shell. A view that stays current asks for the
 * rows changed after the last sequence it has seen
 * (zid_portal_list_changes()), and asks only when zid_store_poll() says
 * something was committed: SQLite's data_version for the other
 * connections, the connection's own count of changed rows for this one. */
gboolean
zid_store_poll (ZidStore *self,
                gint64   *data_version,
                gint64   *own_changes)
{
  sqlite3_stmt *stmt;
  gboolean row = FALSE;
  gboolean ok;

  if (!g_rec_mutex_trylock (&self->lock))
    return FALSE;
  if (self->depth > 0)
    {
      g_rec_mutex_unlock (&self->lock);
      return FALSE;
    }
  stmt = zid_store_query (self, NULL, "PRAGMA data_version", "");
  ok = stmt != NULL && zid_store_step (self, stmt, &row, NULL) && row;
  if (ok)
    {
      *data_version = sqlite3_column_int64 (stmt, 0);
      *own_changes = sqlite3_total_changes64 (self->db);
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);
  g_rec_mutex_unlock (&self->lock);
  return ok;
}

char *
zid_column_dup (sqlite3_stmt *stmt,
                int           col)
{
  const unsigned char *text = sqlite3_column_text (stmt, col);

  return text ? g_strdup ((const char *) text) : NULL;
}

/* Audit chain: hash = SHA-256 (prev || id || time || actor || action ||
 * subject || details), integers as 8 bytes big-endian, strings with a
 * 4-byte big-endian length (0xffffffff for NULL). The last event's id and
 * hash are also kept in settings, so that removing events from the end is
 * seen too. */

static void
hash_add_int (GChecksum *sum,
              gint64     value)
{
  guint64 be = GUINT64_TO_BE ((guint64) value);

  g_checksum_update (sum, (const guchar *) &be, sizeof be);
}

static void
hash_add_string (GChecksum  *sum,
                 const char *text)
{
  guint32 len = text ? (guint32) strlen (text) : G_MAXUINT32;
  guint32 be = GUINT32_TO_BE (len);

  g_checksum_update (sum, (const guchar *) &be, sizeof be);
  if (text)
    g_checksum_update (sum, (const guchar *) text, len);
}

void
zid_store_audit_hash (const guint8 *prev,
                      gint64        id,
                      gint64        time,
                      const char   *actor,
                      const char   *action,
                      const char   *subject,
                      const char   *details,
                      guint8        out[32])
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize len = 32;

  g_checksum_update (sum, prev, 32);
  hash_add_int (sum, id);
  hash_add_int (sum, time);
  hash_add_string (sum, actor);
  hash_add_string (sum, action);
  hash_add_string (sum, subject);
  hash_add_string (sum, details);
  g_checksum_get_digest (sum, out, &len);
}

static char *
head_value (gint64        id,
            const guint8  hash[32])
{
  static const char digits[] = "0123456789abcdef";
  char hex[65];

  for (guint i = 0; i < 32; i++)
    {
      hex[2 * i] = digits[hash[i] >> 4];
      hex[2 * i + 1] = digits[hash[i] & 0xf];
    }
  hex[64] = '\0';
  return g_strdup_printf ("%" G_GINT64_FORMAT ":%s", id, hex);
}

void
zid_audit_entry_clear (ZidAuditEntry *entry)
{
  g_clear_pointer (&entry->actor, g_free);
  g_clear_pointer (&entry->action, g_free);
  g_clear_pointer (&entry->subject, g_free);
  g_clear_pointer (&entry->details, g_free);
}

gboolean
zid_store_audit_append_many (ZidStore            *self,
                             gint64               time,
                             const ZidAuditEntry *entries,
                             guint                n,
                             GError             **error)
{
  g_autofree char *head = NULL;
  guint8 prev[32] = { 0 };
  guint8 hash[32];
  gint64 id = 1;
  sqlite3_stmt *stmt;
  gboolean row;

  if (n == 0)
    return TRUE;

  stmt = zid_store_query (self, error, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1", "");
  if (stmt == NULL || !zid_store_step (self, stmt, &row, error))
    return FALSE;
  if (row)
    {
      id = sqlite3_column_int64 (stmt, 0) + 1;
      if (sqlite3_column_bytes (stmt, 1) == 32)
        memcpy (prev, sqlite3_column_blob (stmt, 1), 32);
    }
  sqlite3_reset (stmt);

  for (guint i = 0; i < n; i++, id++)
    {
      const ZidAuditEntry *e = &entries[i];

      zid_store_audit_hash (prev, id, time, e->actor, e->action, e->subject, e->details, hash);
      if (!zid_store_run (self, error,
                          "INSERT INTO audit (id, time, actor, action, subject, details, prev, hash)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                          "iittttbb", id, time, e->actor, e->action, e->subject, e->details,
                          prev, (gsize) 32, hash, (gsize) 32))
        return FALSE;
      memcpy (prev, hash, 32);
    }
  head = head_value (id - 1, prev);

  return zid_store_run (self, error,
                        "INSERT OR REPLACE INTO settings (key, value) VALUES ('audit-head', ?)",
                        "t", head);
}

gboolean
zid_store_audit_append (ZidStore    *self,
                        gint64       time,
                        const char  *actor,
                        const char  *action,
                        const char  *subject,
                        const char  *details,
                        GError     **error)
{
  const ZidAuditEntry entry = { (char *) actor, (char *) action, (char *) subject, (char *) details };

  return zid_store_audit_append_many (self, time, &entry, 1, error);
}

gboolean
zid_store_audit_verify (ZidStore  *self,
                        gint64    *bad_event,
                        GError   **error)
{
  g_autofree char *expected_head = NULL;
  g_autofree char *head = NULL;
  guint8 prev[32] = { 0 };
  gint64 expected_id = 1;
  sqlite3_stmt *stmt;
  gboolean row;

  *bad_event = 0;

  stmt = zid_store_query (self, error,
                          "SELECT id, time, actor, action, subject, details, prev, hash"
                          " FROM audit ORDER BY id", "");
  if (stmt == NULL)
    return FALSE;

  while (zid_store_step (self, stmt, &row, error) && row)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      gboolean whole = TRUE;
      guint8 hash[32];

      /* the texts are hashed up to their first NUL: bytes hidden after
       * one are a change too */
      for (int column = 2; column <= 5; column++)
        {
          const char *text = (const char *) sqlite3_column_text (stmt, column);

          if (text != NULL && (gsize) sqlite3_column_bytes (stmt, column) != strlen (text))
            whole = FALSE;
        }
      zid_store_audit_hash (prev, id, sqlite3_column_int64 (stmt, 1),
                  (const char *) sqlite3_column_text (stmt, 2),
                  (const char *) sqlite3_column_text (stmt, 3),
                  (const char *) sqlite3_column_text (stmt, 4),
                  (const char *) sqlite3_column_text (stmt, 5),
                  hash);

      if (id != expected_id || !whole ||
          sqlite3_column_bytes (stmt, 6) != 32 ||
          memcmp (sqlite3_column_blob (stmt, 6), prev, 32) != 0 ||
          sqlite3_column_bytes (stmt, 7) != 32 ||
          memcmp (sqlite3_column_blob (stmt, 7), hash, 32) != 0)
        {
          *bad_event = id;
          sqlite3_reset (stmt);
          g_set_error (error, ZID_ERROR, ZID_ERROR_AUDIT_BROKEN,
                       id != expected_id
                         ? _("Audit trail broken at event %lld: events are missing or out of "
                             "order")
                         : _("Audit trail broken at event %lld: its content was changed"),
                       (long long) id);
          return FALSE;
        }

      memcpy (prev, hash, 32);
      expected_id = id + 1;
    }
  sqlite3_reset (stmt);
  if (error && *error)
    return FALSE;

  if (expected_id > 1)
    expected_head = head_value (expected_id - 1, prev);
  else
    {
      /* every change is audited: data without a single event means the
       * trail was emptied */
      stmt = zid_store_query (self, error,
                              "SELECT EXISTS (SELECT 1 FROM registrations)"
                              " OR EXISTS (SELECT 1 FROM users)", "");
      if (stmt == NULL || !zid_store_step (self, stmt, &row, error))
        return FALSE;
      row = row && sqlite3_column_int (stmt, 0) != 0;
      sqlite3_reset (stmt);
      if (row)
        {
          *bad_event = 1;
          g_set_error_literal (error, ZID_ERROR, ZID_ERROR_AUDIT_BROKEN,
                               _("Audit trail broken: there are registrations or users, but not "
                                 "a single event"));
          return FALSE;
        }
    }

  stmt = zid_store_query (self, error, "SELECT value FROM settings WHERE key = 'audit-head'", "");
  if (stmt == NULL || !zid_store_step (self, stmt, &row, error))
    return FALSE;
  head = row ? zid_column_dup (stmt, 0) : NULL;
  sqlite3_reset (stmt);

  if (g_strcmp0 (head, expected_head) != 0)
    {
      *bad_event = expected_id;
      g_set_error (error, ZID_ERROR, ZID_ERROR_AUDIT_BROKEN,
                   _("Audit trail broken after event %lld: the last events are missing"),
                   (long long) (expected_id - 1));
      return FALSE;
    }

  return TRUE;
}
