/* zid-store-seal.c — tamper evidence over the store's data
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
#include "zid-key-protection.h"
#include "zid-store-internal.h"

/* Seal: tamper evidence over the data, not only over the audit trail.
 *
 * Each user's authoritative rows (the user's own row but for last use,
 * memberships and so roles, certificates, attributes) are sealed with an
 * HMAC-SHA-256 under a key kept outside the database (ZID_STORE_SEAL_KEY_FILE,
 * 0600, next to it): seals (user_id, mac). The seal of the whole, in
 * settings 'seal', is "XOR:MAC": the XOR of all the users' seals and an
 * HMAC over that XOR and the environment stamp.
 *
 * The core never computes a seal by hand: the backend's touch hook
 * (SQLite: temporary triggers on this connection only) notes which users
 * a transaction changes, and the commit seals them again, keeping the XOR
 * up to date, in the same transaction. A change made by another
 * connection (the sqlite3 shell, say) has no seal:
 * zid_store_seal_verify() finds it, and an environment stamp that does
 * not verify refuses the data dir when it is opened. */

/* What a user's seal covers, in a fixed order */
static const char * const seal_queries[] = {
  "SELECT id, first_name, last_name, birth_date, blocked, block_reason, registered,"
  " mobile_id, uzi_number FROM users WHERE id = ?",
  "SELECT organisation_id, role FROM memberships WHERE user_id = ? ORDER BY organisation_id",
  "SELECT serial, not_before, not_after, revoked_at, revoke_reason, pem FROM certificates"
  " WHERE user_id = ? ORDER BY serial",
  "SELECT id, type, organisation_id, task_code, created FROM attributes"
  " WHERE user_id = ? ORDER BY id",
};

/* A column as typed bytes: the type, then the value (integers 8 bytes
 * big-endian, text and blobs with a 4-byte big-endian length) */
static void
mac_add_column (GHmac     *mac,
                ZidDbStmt *stmt,
                int        col)
{
  ZidDbKind kind = zid_db_column_kind (stmt, col);
  guint8 type = (guint8) kind;

  g_hmac_update (mac, &type, 1);
  if (kind == ZID_DB_KIND_INTEGER)
    {
      guint64 be = GUINT64_TO_BE ((guint64) zid_db_column_int64 (stmt, col));

      g_hmac_update (mac, (const guchar *) &be, sizeof be);
    }
  else if (kind != ZID_DB_KIND_NULL)
    {
      gsize bytes = 0;
      const guchar *data;
      guint32 len, be;

      if (kind == ZID_DB_KIND_BLOB)
        data = zid_db_column_blob (stmt, col, &bytes);
      else
        {
          /* a number that is not an integer hashes as its text */
          data = (const guchar *) zid_db_column_text (stmt, col);
          bytes = zid_db_column_bytes (stmt, col);
        }
      len = (guint32) bytes;
      be = GUINT32_TO_BE (len);

      g_hmac_update (mac, (const guchar *) &be, sizeof be);
      if (len > 0)
        g_hmac_update (mac, data, len);
    }
}

static void
mac_finish (GHmac  *mac,
            guint8  out[32])
{
  gsize len = 32;

  g_hmac_get_digest (mac, out, &len);
  g_hmac_unref (mac);
}

/* The seal @user's rows should have now; FALSE (no error) if there is no such user */
static gboolean
seal_compute (ZidStore  *self,
              gint64     user,
              guint8     out[32],
              gboolean  *exists,
              GError   **error)
{
  GHmac *mac = g_hmac_new (G_CHECKSUM_SHA256, self->seal_key, sizeof self->seal_key);

  *exists = FALSE;
  g_hmac_update (mac, (const guchar *) "zorgid-seal-user-v1", 19);
  for (guint q = 0; q < G_N_ELEMENTS (seal_queries); q++)
    {
      ZidDbStmt *stmt = zid_db_query (self, error, seal_queries[q], "i", user);
      ZidDbStep step;
      guint8 mark = (guint8) q;

      if (stmt == NULL)
        {
          g_hmac_unref (mac);
          return FALSE;
        }
      g_hmac_update (mac, &mark, 1);
      while ((step = zid_db_step (stmt, error)) == ZID_DB_ROW)
        {
          guint8 next = 0xff;

          if (q == 0)
            *exists = TRUE;
          g_hmac_update (mac, &next, 1);
          for (int col = 0; col < zid_db_column_count (stmt); col++)
            mac_add_column (mac, stmt, col);
        }
      zid_db_reset (stmt);
      if (step == ZID_DB_ERROR)
        {
          g_hmac_unref (mac);
          return FALSE;
        }
    }
  mac_finish (mac, out);
  return TRUE;
}

/* The whole's MAC over the XOR of the users' seals and the environment stamp */
static gboolean
seal_whole_mac (ZidStore      *self,
                const guint8   xor[32],
                guint8         out[32],
                GError       **error)
{
  GHmac *mac = g_hmac_new (G_CHECKSUM_SHA256, self->seal_key, sizeof self->seal_key);
  ZidDbStmt *stmt;
  ZidDbStep step;

  g_hmac_update (mac, (const guchar *) "zorgid-seal-whole-v1", 20);
  g_hmac_update (mac, xor, 32);
  stmt = zid_db_query (self, error, "SELECT value FROM settings WHERE key = 'environment'", "");
  if ((step = zid_db_step (stmt, error)) == ZID_DB_ERROR)
    {
      g_hmac_unref (mac);
      return FALSE;
    }
  if (step == ZID_DB_ROW)
    mac_add_column (mac, stmt, 0);
  else
    g_hmac_update (mac, (const guchar *) "", 1);
  zid_db_reset (stmt);
  mac_finish (mac, out);
  return TRUE;
}

static char *
hex_encode (const guint8 *data,
            gsize         len)
{
  GString *s = g_string_sized_new (len * 2);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (s, "%02x", data[i]);
  return g_string_free (s, FALSE);
}

static gboolean
hex_decode (const char *text,
            guint8      out[32])
{
  if (text == NULL || strlen (text) != 64)
    return FALSE;
  for (guint i = 0; i < 32; i++)
    {
      int hi = g_ascii_xdigit_value (text[2 * i]);
      int lo = g_ascii_xdigit_value (text[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      out[i] = (guint8) (hi << 4 | lo);
    }
  return TRUE;
}

/* The text of the first row of @sql (a copy, NULL without a row) */
static gboolean
read_text (ZidStore    *self,
           const char  *sql,
           char       **value,
           GError     **error)
{
  ZidDbStmt *stmt = zid_db_query (self, error, sql, "");
  ZidDbStep step = zid_db_step (stmt, error);

  *value = step == ZID_DB_ROW ? zid_db_column_dup (stmt, 0) : NULL;
  zid_db_reset (stmt);
  return step != ZID_DB_ERROR;
}

/* The stored whole: *present FALSE when the data was never sealed */
static gboolean
seal_whole_read (ZidStore  *self,
                 guint8     xor[32],
                 guint8     mac[32],
                 gboolean  *present,
                 GError   **error)
{
  g_autofree char *value = NULL;
  g_auto(GStrv) parts = NULL;

  memset (xor, 0, 32);
  memset (mac, 0, 32);
  if (!read_text (self, "SELECT value FROM settings WHERE key = 'seal'", &value, error))
    return FALSE;
  *present = value != NULL;
  if (value == NULL)
    return TRUE;
  parts = g_strsplit (value, ":", 3);
  if (g_strv_length (parts) != 2 || !hex_decode (parts[0], xor) || !hex_decode (parts[1], mac))
    memset (mac, 0, 32);  /* a mangled value does not verify */
  return TRUE;
}

static gboolean
seal_whole_write (ZidStore      *self,
                  const guint8   xor[32],
                  GError       **error)
{
  g_autofree char *xor_hex = hex_encode (xor, 32);
  g_autofree char *mac_hex = NULL;
  g_autofree char *value = NULL;
  guint8 mac[32];

  if (!seal_whole_mac (self, xor, mac, error))
    return FALSE;
  mac_hex = hex_encode (mac, 32);
  value = g_strconcat (xor_hex, ":", mac_hex, NULL);
  return zid_db_run (self, error,
                     "INSERT INTO settings (key, value) VALUES ('seal', ?)"
                     " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                     "t", value);
}

/* Seals @user again, the XOR following */
static gboolean
seal_user (ZidStore  *self,
           gint64     user,
           guint8     xor[32],
           GError   **error)
{
  ZidDbStmt *stmt;
  ZidDbStep step;
  guint8 mac[32];
  gboolean exists;

  if (!seal_compute (self, user, mac, &exists, error))
    return FALSE;
  stmt = zid_db_query (self, error, "SELECT mac FROM seals WHERE user_id = ?", "i", user);
  if ((step = zid_db_step (stmt, error)) == ZID_DB_ERROR)
    return FALSE;
  if (step == ZID_DB_ROW)
    {
      gsize len;
      const guint8 *old = zid_db_column_blob (stmt, 0, &len);

      for (guint i = 0; len == 32 && i < 32; i++)
        xor[i] ^= old[i];
    }
  zid_db_reset (stmt);
  if (!exists)
    return zid_db_run (self, error, "DELETE FROM seals WHERE user_id = ?", "i", user);
  for (guint i = 0; i < 32; i++)
    xor[i] ^= mac[i];
  return zid_db_run (self, error,
                     "INSERT INTO seals (user_id, mac) VALUES (?, ?)"
                     " ON CONFLICT (user_id) DO UPDATE SET mac = excluded.mac",
                     "ib", user, mac, (gsize) 32);
}

/* At commit: seals the users the transaction changed, and the whole */
gboolean
_zid_store_seal_touched (ZidStore  *self,
              GError   **error)
{
  GHashTableIter iter;
  gpointer key;
  guint8 xor[32], mac[32];
  gboolean present;

  if (!self->sealing || g_hash_table_size (self->touched) == 0)
    return TRUE;
  if (!seal_whole_read (self, xor, mac, &present, error))
    return FALSE;
  g_hash_table_iter_init (&iter, self->touched);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      gint64 user = *(gint64 *) key;

      if (user != 0 && !seal_user (self, user, xor, error))
        return FALSE;
    }
  g_hash_table_remove_all (self->touched);
  return seal_whole_write (self, xor, error);
}

/* Seals every user afresh: data never sealed (a new data dir, or one of
 * an older version), in a transaction of its own */
static gboolean
seal_all (ZidStore  *self,
          gboolean   new_key,
          GError   **error)
{
  g_autoptr(GArray) users = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *details = NULL;
  ZidDbStmt *stmt;
  ZidDbStep step = ZID_DB_ERROR;
  guint8 xor[32] = { 0 }, mac[32];
  gboolean ok, present = FALSE;

  if (!zid_store_begin (self, TRUE, error))
    return FALSE;
  /* another process may have sealed it meanwhile (two opening a new data
   * dir at once): under the write lock, look again */
  if (!seal_whole_read (self, xor, mac, &present, error))
    {
      zid_store_rollback (self);
      return FALSE;
    }
  memset (xor, 0, sizeof xor);
  if (present)
    return zid_store_commit (self, error);
  ok = zid_db_run (self, error, "DELETE FROM seals", "");
  stmt = ok ? zid_db_query (self, error, "SELECT id FROM users ORDER BY id", "") : NULL;
  while (ok && (step = zid_db_step (stmt, error)) == ZID_DB_ROW)
    {
      gint64 id = zid_db_column_int64 (stmt, 0);

      g_array_append_val (users, id);
    }
  ok = ok && step == ZID_DB_DONE;
  if (ok)
    zid_db_reset (stmt);
  for (guint i = 0; ok && i < users->len; i++)
    ok = seal_user (self, g_array_index (users, gint64, i), xor, error);
  ok = ok && seal_whole_write (self, xor, error);
  /* data that was there unsealed is sealed as found: the trail says so,
   * with the environment stamp it had and whether the key is new (a seal
   * removed behind the portal's back, with the key kept, shows here) */
  if (ok && users->len > 0)
    {
      g_autofree char *environment = NULL;

      ok = read_text (self, "SELECT value FROM settings WHERE key = 'environment'", &environment,
                      error);
      details = g_strdup_printf ("users=%u environment=%s key=%s", users->len,
                                 environment ? environment : "-", new_key ? "new" : "existing");
    }
  if (ok && users->len > 0)
    ok = zid_store_audit_append (self, g_get_real_time () / G_USEC_PER_SEC, "operator",
                                 "store.sealed", NULL, details, error);
  if (!ok)
    {
      zid_store_rollback (self);
      return FALSE;
    }
  return zid_store_commit (self, error);
}

/* A plain seal key encrypted now that its data dir's secret can be had
 * (zid-key-protection.h): the file replaced in one step, 0600 as before */
static gboolean
seal_key_protect (ZidStore   *self,
                  const char *path)
{
  g_autofree char *folder = g_path_get_dirname (path);
  g_autoptr(GBytes) secret = zid_key_secret_offer (folder);
  g_autoptr(GError) error = NULL;
  guint8 wrapped[ZID_KEY_SEAL_WRAPPED_SIZE];

  if (secret == NULL || !zid_key_seal_wrap (self->seal_key, secret, wrapped))
    return FALSE;
  if (!g_file_set_contents_full (path, (const char *) wrapped, sizeof wrapped,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &error))
    {
      g_message ("%s stays a plain file: %s", path, error->message);
      return FALSE;
    }
  g_message ("%s is now encrypted with the secret of its data dir in the Secret Service", path);
  return TRUE;
}

/* Reads the key, plain or wrapped; *wrapped says whether a plain one was
 * encrypted now */
static gboolean
seal_key_read (ZidStore    *self,
               const char  *path,
               int          fd,
               gboolean    *wrapped,
               GError     **error)
{
  g_autofree char *folder = g_path_get_dirname (path);
  g_autofree char *what = g_strdup_printf (_("The seal key %s"), path);
  guint8 data[ZID_KEY_SEAL_WRAPPED_SIZE + 1];
  gboolean encrypted = FALSE;
  gssize n;

  /* a key readable by others is made private again */
  if (fchmod (fd, 0600) != 0 || (n = read (fd, data, sizeof data)) < 0)
    {
      close (fd);
      g_set_error (error, ZID_ERROR, ZID_ERROR_STORE,
                   _("The seal key %s is unreadable or damaged"), path);
      return FALSE;
    }
  close (fd);
  if (!zid_key_seal_read (data, n, folder, what, self->seal_key, &encrypted, error))
    {
      OPENSSL_cleanse (data, sizeof data);
      return FALSE;
    }
  OPENSSL_cleanse (data, sizeof data);
  *wrapped = !encrypted && seal_key_protect (self, path);
  return TRUE;
}

/* Reads the key file, or makes it (encrypted when the data dir's secret
 * can be had): written whole under another name, then linked into place,
 * so that of two processes making it at once one key wins and both use
 * it. *made says whether this process made it. */
static gboolean
seal_key_load (ZidStore    *self,
               const char  *path,
               gboolean    *made,
               gboolean    *wrapped,
               GError     **error)
{
  g_autofree char *folder = g_path_get_dirname (path);
  g_autoptr(GBytes) secret = NULL;
  g_autofree char *tmp = NULL;
  guint8 out[ZID_KEY_SEAL_WRAPPED_SIZE];
  const guint8 *bytes = self->seal_key;
  gssize size = sizeof self->seal_key;
  int fd, saved;

  *made = *wrapped = FALSE;
  fd = g_open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
  if (fd >= 0)
    return seal_key_read (self, path, fd, wrapped, error);
  if (errno != ENOENT)
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_STORE,
                   _("Cannot open the seal key %s: %s"), path, g_strerror (errno));
      return FALSE;
    }

  if (RAND_priv_bytes (self->seal_key, sizeof self->seal_key) != 1)
    g_error ("The system's random number generator failed");
  secret = zid_key_secret_offer (folder);
  if (secret != NULL && zid_key_seal_wrap (self->seal_key, secret, out))
    bytes = out, size = sizeof out;
  tmp = g_strdup_printf ("%s.tmp-%d", path, getpid ());
  fd = g_open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd >= 0 &&
      write (fd, bytes, size) == size &&
      fsync (fd) == 0 && close (fd) == 0 && link (tmp, path) == 0)
    {
      g_unlink (tmp);
      *made = TRUE;
      return TRUE;
    }
  saved = errno;
  g_unlink (tmp);
  if (saved == EEXIST && (fd = g_open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0)) >= 0)
    return seal_key_read (self, path, fd, wrapped, error);
  g_set_error (error, ZID_ERROR, ZID_ERROR_STORE,
               _("Cannot create the seal key %s: %s"), path, g_strerror (saved));
  return FALSE;
}

static gboolean
seal_key_audit_protected (ZidStore *self)
{
  if (!zid_store_begin (self, TRUE, NULL))
    return FALSE;
  if (!zid_store_audit_append (self, g_get_real_time () / G_USEC_PER_SEC, "operator",
                               "keys.protected", NULL, ZID_STORE_SEAL_KEY_FILE, NULL))
    {
      zid_store_rollback (self);
      return FALSE;
    }
  return zid_store_commit (self, NULL);
}

gboolean
_zid_store_seal_key_readable (const char  *db_path,
                              GError     **error)
{
  g_autofree char *folder = g_path_get_dirname (db_path);
  g_autofree char *key_path = g_build_filename (folder, ZID_STORE_SEAL_KEY_FILE, NULL);
  g_autofree char *what = g_strdup_printf (_("The seal key %s"), key_path);
  g_autofree char *data = NULL;
  guint8 key[32];
  gboolean encrypted, ok;
  gsize len;

  if (!g_file_get_contents (key_path, &data, &len, NULL))
    return TRUE;
  ok = zid_key_seal_read ((const guint8 *) data, len, folder, what, key, &encrypted, error);
  OPENSSL_cleanse (key, sizeof key);
  OPENSSL_cleanse (data, len);
  return ok;
}

/* After migrating: the key, the data sealed once, the triggers, and the
 * environment stamp checked */
gboolean
_zid_store_seal_open (ZidStore    *self,
           const char  *db_path,
           GError     **error)
{
  g_autofree char *folder = g_path_get_dirname (db_path);
  g_autofree char *key_path = g_build_filename (folder, ZID_STORE_SEAL_KEY_FILE, NULL);
  guint8 xor[32], mac[32], expected[32];
  gboolean present = FALSE, made, wrapped, ok;

  if (!zid_store_begin (self, FALSE, error))
    return FALSE;
  ok = seal_whole_read (self, xor, mac, &present, error);
  zid_store_commit (self, NULL);
  if (!ok)
    return FALSE;

  if (present && !g_file_test (key_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_AUDIT_BROKEN,
                   _("The seal key %s is missing: the data in this folder can no longer be "
                     "checked. Put the key back from the backup of this folder"),
                   key_path);
      return FALSE;
    }
  if (!seal_key_load (self, key_path, &made, &wrapped, error))
    return FALSE;
  if (wrapped && !seal_key_audit_protected (self))
    g_message ("The encryption of %s is not in the audit", key_path);
  if (!present && !seal_all (self, made, error))
    return FALSE;

  self->touched = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  if (!self->backend->seal_hook (self, error))
    return FALSE;
  self->sealing = TRUE;

  if (!present)
    return TRUE;
  if (!zid_store_begin (self, FALSE, error))
    return FALSE;
  ok = seal_whole_mac (self, xor, expected, error);
  zid_store_commit (self, NULL);
  if (!ok)
    return FALSE;
  if (CRYPTO_memcmp (expected, mac, 32) != 0)
    {
      g_set_error_literal (error, ZID_ERROR, ZID_ERROR_AUDIT_BROKEN,
                           _("The data in this folder was changed outside the portal: the "
                             "environment (acceptance or production) or the seal over the data "
                             "does not match. The folder is not opened"));
      return FALSE;
    }
  return TRUE;
}

gboolean
zid_store_seal_verify (ZidStore  *self,
                       GError   **error)
{
  ZidDbStmt *stmt;
  ZidDbStep step;
  guint8 xor[32] = { 0 }, stored_xor[32], mac[32], expected[32];
  gboolean present = FALSE;
  gint64 bad_user = 0;
  const char *what = NULL;

  if (!self->sealing)
    return TRUE;

  /* every user against its seal, every seal against a user */
  stmt = zid_db_query (self, error,
                       "SELECT u.id, s.mac FROM users u LEFT JOIN seals s ON s.user_id = u.id"
                       " UNION ALL"
                       " SELECT s.user_id, s.mac FROM seals s"
                       " WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = s.user_id)", "");
  while ((step = zid_db_step (stmt, error)) == ZID_DB_ROW)
    {
      gint64 user = zid_db_column_int64 (stmt, 0);
      gsize len;
      const void *mac_data = zid_db_column_blob (stmt, 1, &len);
      g_autoptr(GBytes) sealed = len == 32 ? g_bytes_new (mac_data, 32) : NULL;
      g_autoptr(GError) local_error = NULL;
      gboolean exists;
      guint8 now[32];

      if (sealed != NULL)
        for (guint i = 0; i < 32; i++)
          xor[i] ^= ((const guint8 *) g_bytes_get_data (sealed, NULL))[i];
      if (bad_user != 0)
        continue;
      if (!seal_compute (self, user, now, &exists, &local_error))
        {
          zid_db_reset (stmt);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (sealed == NULL || !exists || CRYPTO_memcmp (now, g_bytes_get_data (sealed, NULL), 32) != 0)
        bad_user = user;
    }
  if (step == ZID_DB_ERROR)
    return FALSE;
  zid_db_reset (stmt);
  if (bad_user != 0)
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_AUDIT_BROKEN,
                   _("Data changed outside the portal: the data of user %lld (role, membership, "
                     "block, certificate or attribute) does not match its seal"),
                   (long long) bad_user);
      return FALSE;
    }

  if (!seal_whole_read (self, stored_xor, mac, &present, error) ||
      !seal_whole_mac (self, xor, expected, error))
    return FALSE;
  if (!present)
    what = _("the seal over the data is missing");
  else if (memcmp (xor, stored_xor, 32) != 0)
    what = _("users were removed or added");
  else if (CRYPTO_memcmp (expected, mac, 32) != 0)
    what = _("the environment (acceptance or production) or the seal was changed");
  if (what != NULL)
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_AUDIT_BROKEN,
                   _("Data changed outside the portal: %s"), what);
      return FALSE;
    }
  return TRUE;
}
