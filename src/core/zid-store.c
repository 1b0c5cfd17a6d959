/* zid-store.c — the store under the portal, whichever database it runs on
 *
 * SPDX-License-Identifier: EUPL-1.2
 *
 * Backend-neutral: opening (the backend chosen, the schema migrated, the
 * seal loaded), the transactions' nesting and lock, the change poll and
 * the audit chain, all through zid-db.h and the backend's table
 * (zid-store-internal.h). What is SQLite's is in zid-store-sqlite.c.
 */
#define G_LOG_DOMAIN "zid-core"

#include "config.h"

#include <string.h>

#include <openssl/crypto.h>

#include "zid-error.h"
#include "zid-i18n.h"
#include "zid-store-internal.h"

/* A PostgreSQL database is named by its URI; anything else is a file */
static gboolean
is_postgresql (const char *location)
{
  return g_str_has_prefix (location, "postgresql://") || g_str_has_prefix (location, "postgres://");
}

static const ZidStoreBackend *
choose_backend (const char  *location,
                GError     **error)
{
  if (!is_postgresql (location))
    return &_zid_store_sqlite_backend;
#if ZID_ENABLE_POSTGRESQL
  return &_zid_store_pg_backend;
#else
  g_set_error_literal (error, ZID_ERROR, ZID_ERROR_STORE,
                       _("This version was built without PostgreSQL: it cannot open a "
                         "postgresql:// database. Use a database file, or a version built with "
                         "PostgreSQL"));
  return NULL;
#endif
}

ZidStore *
zid_store_open (const char  *location,
                const char  *key_folder,
                GError     **error)
{
  const ZidStoreBackend *backend = choose_backend (location, error);
  g_autofree char *place = NULL;
  g_autofree char *key_place = NULL;
  ZidStore *self;

  if (backend == NULL || (place = backend->locate (location, error)) == NULL)
    return NULL;
  /* the seal key lives in @key_folder, else beside the database file: the
   * seal's calls take a path in that folder */
  if (key_folder != NULL)
    key_place = g_build_filename (key_folder, ZID_STORE_SEAL_KEY_FILE, NULL);
  else if (backend == &_zid_store_sqlite_backend)
    key_place = g_strdup (place);
  else
    {
      g_set_error_literal (error, ZID_ERROR, ZID_ERROR_STORE,
                           _("A PostgreSQL database needs a folder for its seal key"));
      return NULL;
    }
  if (!_zid_store_seal_key_readable (key_place, error))
    return NULL;

  self = g_new0 (ZidStore, 1);
  self->backend = backend;
  if (backend == &_zid_store_sqlite_backend)
    self->file = g_strdup (place);
  g_rec_mutex_init (&self->lock);

  if (!backend->open (self, place, error) ||
      !backend->migrate (self, error) ||
      !_zid_store_seal_open (self, key_place, error))
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
  self->backend->close (self);
  g_clear_pointer (&self->touched, g_hash_table_unref);
  OPENSSL_cleanse (self->seal_key, sizeof self->seal_key);
  g_free (self->file);
  g_rec_mutex_clear (&self->lock);
  g_free (self);
}

const char *
zid_store_get_file (ZidStore *self)
{
  return self->file;
}

gboolean
zid_store_exec (ZidStore    *self,
                const char  *sql,
                GError     **error)
{
  return self->backend->exec (self, sql, error);
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
  if (!self->backend->begin (self, write, error))
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
  ok = (!self->sealing || self->backend->touched == NULL ||
        self->backend->touched (self, error)) &&
       _zid_store_seal_touched (self, error) &&
       self->backend->commit (self, error);
  if (self->touched)
    g_hash_table_remove_all (self->touched);
  if (!ok)
    self->backend->rollback (self);
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
  self->backend->rollback (self);
  g_rec_mutex_unlock (&self->lock);
}

/* Changes: every write to a user's rows (the user, memberships,
 * certificates, attributes) or an organisation's notes the user or
 * organisation in the changes table with the next sequence number, by
 * triggers in the schema (schema 3), so also a change made by another
 * process or the sqlite3 shell. A view that stays current asks for the
 * rows changed after the last sequence it has seen
 * (zid_portal_list_changes()), and asks only when zid_store_poll() says
 * something was committed: the backend's numbers for the other
 * connections' commits and this one's own changes. */
gboolean
zid_store_poll (ZidStore *self,
                gint64   *data_version,
                gint64   *own_changes)
{
  gboolean ok;

  if (!g_rec_mutex_trylock (&self->lock))
    return FALSE;
  if (self->depth > 0)
    {
      g_rec_mutex_unlock (&self->lock);
      return FALSE;
    }
  ok = self->backend->poll (self, data_version, own_changes);
  g_rec_mutex_unlock (&self->lock);
  return ok;
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
  ZidDbStmt *stmt;
  ZidDbStep step;

  if (n == 0)
    return TRUE;

  stmt = zid_db_query (self, error, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1", "");
  if ((step = zid_db_step (stmt, error)) == ZID_DB_ERROR)
    return FALSE;
  if (step == ZID_DB_ROW)
    {
      gsize len;
      const void *last = zid_db_column_blob (stmt, 1, &len);

      id = zid_db_column_int64 (stmt, 0) + 1;
      if (len == 32)
        memcpy (prev, last, 32);
    }
  zid_db_reset (stmt);

  for (guint i = 0; i < n; i++, id++)
    {
      const ZidAuditEntry *e = &entries[i];

      zid_store_audit_hash (prev, id, time, e->actor, e->action, e->subject, e->details, hash);
      if (!zid_db_run (self, error,
                       "INSERT INTO audit (id, time, actor, action, subject, details, prev, hash)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       "iittttbb", id, time, e->actor, e->action, e->subject, e->details,
                       prev, (gsize) 32, hash, (gsize) 32))
        return FALSE;
      memcpy (prev, hash, 32);
    }
  head = head_value (id - 1, prev);

  return zid_db_run (self, error,
                     "INSERT INTO settings (key, value) VALUES ('audit-head', ?)"
                     " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
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

/* The same 32 bytes in @col as @expected */
static gboolean
column_is (ZidDbStmt    *stmt,
           int           col,
           const guint8  expected[32])
{
  gsize len;
  const void *data = zid_db_column_blob (stmt, col, &len);

  return len == 32 && memcmp (data, expected, 32) == 0;
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
  ZidDbStmt *stmt;
  ZidDbStep step;

  *bad_event = 0;

  stmt = zid_db_query (self, error,
                       "SELECT id, time, actor, action, subject, details, prev, hash"
                       " FROM audit ORDER BY id", "");
  while ((step = zid_db_step (stmt, error)) == ZID_DB_ROW)
    {
      gint64 id = zid_db_column_int64 (stmt, 0);
      gboolean whole = TRUE;
      guint8 hash[32];

      /* the texts are hashed up to their first NUL: bytes hidden after
       * one are a change too */
      for (int column = 2; column <= 5; column++)
        {
          const char *text = zid_db_column_text (stmt, column);

          if (text != NULL && zid_db_column_bytes (stmt, column) != strlen (text))
            whole = FALSE;
        }
      zid_store_audit_hash (prev, id, zid_db_column_int64 (stmt, 1),
                            zid_db_column_text (stmt, 2),
                            zid_db_column_text (stmt, 3),
                            zid_db_column_text (stmt, 4),
                            zid_db_column_text (stmt, 5),
                            hash);

      if (id != expected_id || !whole ||
          !column_is (stmt, 6, prev) ||
          !column_is (stmt, 7, hash))
        {
          *bad_event = id;
          zid_db_reset (stmt);
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
  if (step == ZID_DB_ERROR)
    return FALSE;
  zid_db_reset (stmt);

  if (expected_id > 1)
    expected_head = head_value (expected_id - 1, prev);
  else
    {
      gboolean data = FALSE;

      /* every change is audited: data without a single event means the
       * trail was emptied */
      stmt = zid_db_query (self, error,
                           "SELECT CASE WHEN EXISTS (SELECT 1 FROM registrations)"
                           " OR EXISTS (SELECT 1 FROM users) THEN 1 ELSE 0 END", "");
      if ((step = zid_db_step (stmt, error)) == ZID_DB_ERROR)
        return FALSE;
      data = step == ZID_DB_ROW && zid_db_column_int (stmt, 0) != 0;
      zid_db_reset (stmt);
      if (data)
        {
          *bad_event = 1;
          g_set_error_literal (error, ZID_ERROR, ZID_ERROR_AUDIT_BROKEN,
                               _("Audit trail broken: there are registrations or users, but not "
                                 "a single event"));
          return FALSE;
        }
    }

  stmt = zid_db_query (self, error, "SELECT value FROM settings WHERE key = 'audit-head'", "");
  if ((step = zid_db_step (stmt, error)) == ZID_DB_ERROR)
    return FALSE;
  head = step == ZID_DB_ROW ? zid_db_column_dup (stmt, 0) : NULL;
  zid_db_reset (stmt);

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
