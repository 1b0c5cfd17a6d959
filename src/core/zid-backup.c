/* zid-backup.c — a backup of an environment and its restore
 *
 * The database is copied with SQLite's online backup API from a
 * connection of its own that holds one read transaction for the whole
 * copy: in WAL mode a reader never blocks a writer, so the window and the
 * service go on committing while the copy is made in steps of
 * STEP_PAGES pages, every step reading the same snapshot. Were the source
 * ever not in WAL mode (no read transaction held then), a change between
 * two steps makes SQLite begin the copy again; that is counted and
 * bounded (MAX_RESTARTS, then the rest is copied in one step).
 *
 * Everything is staged in a folder beside its destination, synced, and
 * renamed into place with RENAME_NOREPLACE: a backup never replaces a
 * folder, a restore never replaces a data dir (one found is renamed aside
 * first, and only with force when it holds a store).
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-core"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "zid-backup.h"
#include "zid-file.h"
#include "zid-key-protection.h"
#include "zid-portal-private.h"

#define DB_FILE       ZID_PORTAL_DATABASE_FILE
#define STEP_PAGES    256      /* 1 MiB of 4 KiB pages per step */
#define MAX_RESTARTS  8
#define MAX_MANIFEST  (4 * 1024 * 1024)

/* What a backup holds beside the database: these files, and every
 * regular file under these folders */
static const char * const key_files[] = { ZID_STORE_SEAL_KEY_FILE, ZID_KEY_SET_FILE };
static const char * const folders[] = { "ca", "service-tls", "uzi-trust", "operator-trust" };

G_DEFINE_QUARK (zid-backup-error-quark, zid_backup_error)

static const char * const code_names[] = {
  [ZID_BACKUP_ERROR_EXISTS] = "backup-exists",
  [ZID_BACKUP_ERROR_NOT_A_BACKUP] = "not-a-backup",
  [ZID_BACKUP_ERROR_STORE_EXISTS] = "store-exists",
  [ZID_BACKUP_ERROR_CHANGED] = "backup-changed",
  [ZID_BACKUP_ERROR_DAMAGED] = "backup-damaged",
  [ZID_BACKUP_ERROR_NEWER] = "backup-newer",
  [ZID_BACKUP_ERROR_KEYS] = "keys-unavailable",
};

const char *
zid_backup_error_code_name (int code)
{
  if (code < 0 || code >= (int) G_N_ELEMENTS (code_names))
    return "failed";
  return code_names[code];
}

int
zid_backup_error_exit_status (const GError *error)
{
  if (error == NULL)
    return 0;
  if (g_error_matches (error, ZID_BACKUP_ERROR, ZID_BACKUP_ERROR_EXISTS) ||
      g_error_matches (error, ZID_BACKUP_ERROR, ZID_BACKUP_ERROR_NOT_A_BACKUP))
    return 2;
  if (error->domain == ZID_ERROR)
    return zid_error_exit_status (error);
  return 1;
}

void
zid_backup_info_clear (ZidBackupInfo *info)
{
  g_clear_pointer (&info->path, g_free);
  g_clear_pointer (&info->environment, g_free);
  g_clear_pointer (&info->key_set, g_free);
  g_clear_pointer (&info->previous, g_free);
}

/* An I/O failure on @path: @format names it (%s) and the reason (%s) */
#define io_error(error, format, path, saved_errno) \
  G_GNUC_EXTENSION ({ g_set_error ((error), ZID_ERROR, ZID_ERROR_IO, (format), (path),      \
                                   g_strerror (saved_errno));                              \
                      FALSE; })

/* Syncs the folder @path (its entries: a file created or renamed in it) */
static gboolean
sync_folder (const char  *path,
             GError     **error)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int saved;

  if (fd < 0)
    return io_error (error, _("Cannot open %s: %s"), path, errno);
  if (fsync (fd) != 0)
    {
      saved = errno;
      close (fd);
      return io_error (error, _("Cannot sync %s: %s"), path, saved);
    }
  close (fd);
  return TRUE;
}

/* Removes the folder @path made by us, and what is in it */
static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* Copies the regular file @from (not a link) into the new file @to (NULL:
 * only reads), mode 0600, synced; its size and SHA-256 (hex) */
static gboolean
copy_file (const char  *from,
           const char  *to,
           gint64      *size,
           char       **sha256,
           GError     **error)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 buffer[64 * 1024];
  struct stat st;
  gint64 total = 0;
  int in, out = -1;
  gboolean ok = FALSE;
  ssize_t n;

  in = open (from, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (in < 0)
    return io_error (error, _("Cannot read %s: %s"), from, errno);
  if (fstat (in, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (in);
      g_set_error (error, ZID_ERROR, ZID_ERROR_IO, _("Cannot read %s: not a regular file"), from);
      return FALSE;
    }
  if (to != NULL && (out = open (to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
    {
      io_error (error, _("Cannot create %s: %s"), to, errno);
      goto out;
    }
  while ((n = read (in, buffer, sizeof buffer)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          io_error (error, _("Cannot read %s: %s"), from, errno);
          goto out;
        }
      g_checksum_update (sum, buffer, n);
      total += n;
      for (ssize_t done = 0, w; out >= 0 && done < n; done += w)
        if ((w = write (out, buffer + done, n - done)) < 0)
          {
            if (errno == EINTR)
              {
                w = 0;
                continue;
              }
            io_error (error, _("Cannot write %s: %s"), to, errno);
            goto out;
          }
    }
  if (out >= 0 && (fsync (out) != 0 || close (out) != 0))
    {
      out = -1;
      io_error (error, _("Cannot write %s: %s"), to, errno);
      goto out;
    }
  out = -1;
  *size = total;
  *sha256 = g_strdup (g_checksum_get_string (sum));
  ok = TRUE;

out:
  if (out >= 0)
    close (out);
  close (in);
  return ok;
}

/* Renames the folder @from to @to, which must not exist */
static gboolean
rename_new (const char  *from,
            const char  *to,
            GError     **error)
{
  if (renameat2 (AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) != 0)
    return io_error (error, _("Cannot rename a folder to %s: %s"), to, errno);
  return TRUE;
}

/* A folder beside @path (same file system, for the rename), mode 0700 */
static char *
make_staging (const char  *path,
              const char  *what,
              GError     **error)
{
  g_autofree char *parent = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *template = NULL;

  if (g_mkdir_with_parents (parent, 0700) != 0)
    {
      io_error (error, _("Cannot create %s: %s"), parent, errno);
      return NULL;
    }
  template = g_strdup_printf ("%s/.%s.%s-XXXXXX", parent, base, what);
  if (g_mkdtemp_full (template, 0700) == NULL)
    {
      io_error (error, _("Cannot create a folder in %s: %s"), parent, errno);
      return NULL;
    }
  return g_steal_pointer (&template);
}

static gboolean
db_fail (sqlite3     *db,
         const char  *what,
         GError     **error)
{
  g_set_error (error, ZID_ERROR, ZID_ERROR_STORE, "%s: %s", what, sqlite3_errmsg (db));
  return FALSE;
}

/* One integer of @sql on @db; -1 when there is no row */
static gboolean
db_int (sqlite3     *db,
        const char  *sql,
        gint64      *value,
        GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return db_fail (db, sql, error);
  rc = sqlite3_step (stmt);
  *value = rc == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL
             ? sqlite3_column_int64 (stmt, 0) : -1;
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return db_fail (db, sql, error);
  return TRUE;
}

static char *
db_text (sqlite3    *db,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

/* What the copy read: the facts of its snapshot */
static gboolean
read_facts (sqlite3        *db,
            ZidBackupInfo  *info,
            GError        **error)
{
  g_free (info->environment);
  info->environment = db_text (db, "SELECT value FROM settings WHERE key = 'environment'");
  return db_int (db, "PRAGMA user_version", &info->schema_version, error) &&
         db_int (db, "SELECT max(id) FROM audit", &info->audit_head, error) &&
         db_int (db, "SELECT count(*) FROM users", &info->users, error);
}

/* The database @from copied into the new file @to from one snapshot */
static gboolean
copy_database (const char     *from,
               const char     *to,
               ZidBackupInfo  *info,
               GError        **error)
{
  sqlite3 *src = NULL, *dst = NULL;
  sqlite3_backup *backup = NULL;
  g_autofree char *mode = NULL;
  gboolean snapshot = FALSE;
  gboolean ok = FALSE;
  int remaining = -1;
  int rc;

  if (sqlite3_open_v2 (from, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      db_fail (src, from, error);
      goto out;
    }
  sqlite3_busy_timeout (src, ZID_STORE_BUSY_MS);
  mode = db_text (src, "PRAGMA journal_mode");
  snapshot = mode != NULL && g_ascii_strcasecmp (mode, "wal") == 0;
  /* the read transaction every step shares (begun by its first read) */
  if (snapshot && sqlite3_exec (src, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
    {
      db_fail (src, from, error);
      goto out;
    }
  if (!read_facts (src, info, error))
    goto out;

  if (sqlite3_open_v2 (to, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    {
      db_fail (dst, to, error);
      goto out;
    }
  if ((backup = sqlite3_backup_init (dst, "main", src, "main")) == NULL)
    {
      db_fail (dst, to, error);
      goto out;
    }
  for (guint busy = 0;;)
    {
      int before = remaining;

      /* all that is left in one step, once restarts reach their bound */
      rc = sqlite3_backup_step (backup, info->restarts < MAX_RESTARTS ? STEP_PAGES : -1);
      remaining = sqlite3_backup_remaining (backup);
      if (rc == SQLITE_OK && before >= 0 && remaining >= before)
        info->restarts++;
      if (rc == SQLITE_DONE || (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED))
        break;
      /* a busy source (a checkpoint's moment): again shortly, bounded */
      if (rc != SQLITE_OK && ++busy * 10 > ZID_STORE_BUSY_MS)
        break;
      if (rc != SQLITE_OK)
        g_usleep (10 * 1000);
    }
  info->pages = sqlite3_backup_pagecount (backup);
  rc = sqlite3_backup_finish (backup);
  backup = NULL;
  if (rc != SQLITE_OK)
    {
      db_fail (dst, _("Cannot copy the database"), error);
      goto out;
    }
  if (snapshot)
    sqlite3_exec (src, "COMMIT", NULL, NULL, NULL);
  ok = TRUE;

out:
  if (backup != NULL)
    sqlite3_backup_finish (backup);
  if (dst != NULL && sqlite3_close (dst) != SQLITE_OK && ok)
    ok = db_fail (dst, to, error);
  sqlite3_close (src);
  return ok;
}

typedef struct
{
  char   *path;    /* relative, '/' separated */
  gint64  size;
  char   *sha256;
} Entry;

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_free (entry->path);
  g_free (entry->sha256);
  g_free (entry);
}

static Entry *
entry_new (const char *path,
           gint64      size,
           char       *sha256)
{
  Entry *entry = g_new0 (Entry, 1);

  entry->path = g_strdup (path);
  entry->size = size;
  entry->sha256 = sha256;
  return entry;
}

/* Copies @rel (a file, or a folder's regular files) from @data_dir into
 * @staging, noting each in @entries */
static gboolean
copy_part (const char  *data_dir,
           const char  *staging,
           const char  *rel,
           GPtrArray   *entries,
           GError     **error)
{
  g_autofree char *from = g_build_filename (data_dir, rel, NULL);
  g_autofree char *to = g_build_filename (staging, rel, NULL);
  g_autoptr(GDir) dir = NULL;
  const char *name;
  struct stat st;

  if (lstat (from, &st) != 0)
    return errno == ENOENT ? TRUE : io_error (error, _("Cannot read %s: %s"), from, errno);
  if (!S_ISDIR (st.st_mode))
    {
      g_autofree char *sha256 = NULL;
      gint64 size = 0;

      if (!copy_file (from, to, &size, &sha256, error))
        return FALSE;
      g_ptr_array_add (entries, entry_new (rel, size, g_steal_pointer (&sha256)));
      return TRUE;
    }
  if (g_mkdir (to, 0700) != 0)
    return io_error (error, _("Cannot create %s: %s"), to, errno);
  if ((dir = g_dir_open (from, 0, error)) == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_strconcat (rel, "/", name, NULL);

      if (!copy_part (data_dir, staging, child, entries, error))
        return FALSE;
    }
  return sync_folder (to, error);
}

/* A key pair's folder holds both halves or none: a backup without the CA's
 * key could not issue, one without its certificate could not be trusted */
static gboolean
check_pair (const char  *data_dir,
            const char  *folder,
            GError     **error)
{
  g_autofree char *key = g_build_filename (data_dir, folder, "key.pem", NULL);
  g_autofree char *cert = g_build_filename (data_dir, folder, "cert.pem", NULL);
  gboolean has_key = g_file_test (key, G_FILE_TEST_EXISTS);

  if (has_key == g_file_test (cert, G_FILE_TEST_EXISTS))
    return TRUE;
  g_set_error (error, ZID_BACKUP_ERROR, ZID_BACKUP_ERROR_KEYS,
               _("%s is missing beside %s/%s: the environment could not be restored from "
                 "this folder"), has_key ? cert : key, folder, has_key ? "key.pem" : "cert.pem");
  return FALSE;
}

static void
member_int (JsonBuilder *json,
            const char  *name,
            gint64       value)
{
  json_builder_set_member_name (json, name);
  json_builder_add_int_value (json, value);
}

/* NULL writes null */
static void
member_string (JsonBuilder *json,
               const char  *name,
               const char  *value)
{
  json_builder_set_member_name (json, name);
  if (value != NULL)
    json_builder_add_string_value (json, value);
  else
    json_builder_add_null_value (json);
}

static char *
manifest_write (const ZidBackupInfo *info,
                GPtrArray           *entries)
{
  g_autoptr(JsonBuilder) json = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) created = g_date_time_new_from_unix_utc (info->created);
  g_autofree char *when = g_date_time_format_iso8601 (created);

  json_builder_begin_object (json);
  member_int (json, "format", ZID_BACKUP_FORMAT);
  member_string (json, "program", "zorgid-portaal " PACKAGE_VERSION);
  member_string (json, "environment", info->environment);
  member_int (json, "schema_version", info->schema_version);
  member_string (json, "created", when);
  member_int (json, "audit_head", MAX (info->audit_head, 0));
  member_int (json, "users", info->users);
  member_string (json, "key_protection", info->keys_encrypted ? "encrypted" : "file");
  member_string (json, "key_set", info->key_set);
  json_builder_set_member_name (json, "files");
  json_builder_begin_array (json);
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (entries, i);

      json_builder_begin_object (json);
      member_string (json, "path", entry->path);
      member_int (json, "size", entry->size);
      member_string (json, "sha256", entry->sha256);
      json_builder_end_object (json);
    }
  json_builder_end_array (json);
  json_builder_end_object (json);

  root = json_builder_get_root (json);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, NULL);
}

gboolean
zid_portal_backup (ZidPortal      *portal,
                   const char     *out,
                   ZidBackupInfo  *info,
                   GError        **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (entry_free);
  g_autofree char *staging = NULL;
  g_autofree char *db_from = NULL;
  g_autofree char *db_to = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *manifest = NULL;
  g_autofree char *manifest_path = NULL;
  g_autofree char *details = NULL;
  g_autofree char *parent = NULL;
  const char *data_dir;
  struct stat st;
  gint64 size = 0;

  g_return_val_if_fail (ZID_IS_PORTAL (portal), FALSE);
  g_return_val_if_fail (out != NULL && *out != '\0', FALSE);
  g_return_val_if_fail (info != NULL, FALSE);

  data_dir = zid_portal_get_data_dir (portal);
  if ((db_from = g_strdup (zid_store_get_file (portal->store))) == NULL)
    {
      g_set_error_literal (error, ZID_ERROR, ZID_ERROR_STORE,
                           _("This environment's database is a PostgreSQL database: back it up with "
                             "PostgreSQL's pg_dump. A backup here copies a database file."));
      return FALSE;
    }
  if (lstat (out, &st) == 0)
    {
      g_set_error (error, ZID_BACKUP_ERROR, ZID_BACKUP_ERROR_EXISTS,
                   _("%s exists already: a backup never replaces anything, name a new folder"),
                   out);
      return FALSE;
    }
  if (!check_pair (data_dir, "ca", error) || !check_pair (data_dir, "service-tls", error))
    return FALSE;
  if ((staging = make_staging (out, "partial", error)) == NULL)
    return FALSE;

  info->created = g_get_real_time () / G_USEC_PER_SEC;
  db_to = g_build_filename (staging, DB_FILE, NULL);
  if (!copy_database (db_from, db_to, info, error) ||
      (g_chmod (db_to, 0600) != 0 && !io_error (error, _("Cannot set the permissions of %s: %s"), db_to, errno)) ||
      !copy_file (db_to, NULL, &size, &sha256, error))
    goto fail;
  g_ptr_array_add (entries, entry_new (DB_FILE, size, g_steal_pointer (&sha256)));
  for (guint i = 0; i < G_N_ELEMENTS (key_files); i++)
    if (!copy_part (data_dir, staging, key_files[i], entries, error))
      goto fail;
  for (guint i = 0; i < G_N_ELEMENTS (folders); i++)
    if (!copy_part (data_dir, staging, folders[i], entries, error))
      goto fail;

  /* a copy without the seal key would not open */
  {
    g_autofree char *seal = g_build_filename (staging, ZID_STORE_SEAL_KEY_FILE, NULL);

    if (!g_file_test (seal, G_FILE_TEST_IS_REGULAR))
      {
        g_set_error (error, ZID_BACKUP_ERROR, ZID_BACKUP_ERROR_KEYS,
                     _("%s/%s is missing: the data could not be opened from a backup"),
                     data_dir, ZID_STORE_SEAL_KEY_FILE);
        goto fail;
      }
  }
  info->key_set = zid_key_set_read (staging);
  info->keys_encrypted = info->key_set != NULL;
  if (info->environment == NULL)
    info->environment = g_strdup (zid_environment_to_string (zid_portal_get_environment (portal)));

  manifest = manifest_write (info, entries);
  manifest_path = g_build_filename (staging, ZID_BACKUP_MANIFEST, NULL);
  if (!g_file_set_contents_full (manifest_path, manifest, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, error) ||
      !sync_folder (staging, error) ||
      !rename_new (staging, out, error))
    goto fail;
  g_clear_pointer (&staging, g_free);
  parent = g_path_get_dirname (out);
  sync_folder (parent, NULL);

  for (guint i = 0; i < entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (entries, i);

      info->bytes += entry->size;
      if (g_str_equal (entry->path, DB_FILE))
        sha256 = g_strndup (entry->sha256, 16);
    }
  info->files = entries->len;
  info->path = g_strdup (out);

  /* the event names what was copied, never a key or a path */
  details = g_strdup_printf ("schema=%" G_GINT64_FORMAT " audit=%" G_GINT64_FORMAT
                             " users=%" G_GINT64_FORMAT " files=%u keys=%s db=%s",
                             info->schema_version, MAX (info->audit_head, 0), info->users,
                             info->files, info->keys_encrypted ? "encrypted" : "file",
                             sha256 ? sha256 : "-");
  if (!zid_portal_audit (portal, "operator", "store.backup", NULL, details, error))
    {
      /* not kept: a backup the audit trail does not know of */
      remove_tree (out);
      return FALSE;
    }
  return TRUE;

fail:
  remove_tree (staging);
  return FALSE;
}

/* A path of the manifest: relative, inside the database, the key files or
 * the folders of a backup, without "." or ".." */
static gboolean
path_allowed (const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  gboolean top = FALSE;

  if (g_str_equal (path, DB_FILE))
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (key_files); i++)
    top |= g_str_equal (path, key_files[i]);
  if (top)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (folders); i++)
    top |= g_str_equal (parts[0], folders[i]);
  if (!top || parts[1] == NULL)
    return FALSE;
  for (guint i = 1; parts[i] != NULL; i++)
    if (*parts[i] == '\0' || g_str_equal (parts[i], ".") || g_str_equal (parts[i], ".."))
      return FALSE;
  return TRUE;
}

static gboolean
not_a_backup (GError     **error,
              const char  *in,
              const char  *why)
{
  g_set_error (error, ZID_BACKUP_ERROR, ZID_BACKUP_ERROR_NOT_A_BACKUP,
               _("%s is not a backup of ZORG-ID Portaal: %s"), in, why);
  return FALSE;
}

/* The manifest of @in: its facts into @info, its files into @entries */
static gboolean
manifest_read (const char     *in,
               ZidBackupInfo  *info,
               GPtrArray      *entries,
               GError        **error)
{
  g_autofree char *path = g_build_filename (in, ZID_BACKUP_MANIFEST, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree guint8 *text = NULL;
  g_autoptr(GDateTime) created = NULL;
  JsonObject *root;
  JsonArray *files;
  gsize len = 0;

  if ((text = zid_file_read_regular (path, MAX_MANIFEST, FALSE, &len, &local_error)) == NULL)
    return not_a_backup (error, in, local_error->message);
  if (!json_parser_load_from_data (parser, (const char *) text, len, &local_error))
    return not_a_backup (error, in, local_error->message);
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return not_a_backup (error, in, _("its manifest is not a JSON object"));
  root = json_node_get_object (json_parser_get_root (parser));
  if (json_object_get_int_member_with_default (root, "format", 0) != ZID_BACKUP_FORMAT)
    return not_a_backup (error, in, _("its manifest has another format"));
  info->environment = g_strdup (json_object_get_string_member_with_default (root, "environment", ""));
  info->schema_version = json_object_get_int_member_with_default (root, "schema_version", -1);
  info->audit_head = json_object_get_int_member_with_default (root, "audit_head", -1);
  info->users = json_object_get_int_member_with_default (root, "users", -1);
  info->key_set = g_strdup (json_object_get_string_member_with_default (root, "key_set", NULL));
  info->keys_encrypted = info->key_set != NULL;
  created = g_date_time_new_from_iso8601 (json_object_get_string_member_with_default (root, "created", ""),
                                          NULL);
  info->created = created ? g_date_time_to_unix (created) : 0;
  if (info->schema_version < 1)
    return not_a_backup (error, in, _("its manifest names no schema version"));
  if (!json_object_has_member (root, "files") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "files")))
    return not_a_backup (error, in, _("its manifest lists no files"));
  files = json_object_get_array_member (root, "files");
  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      JsonNode *node = json_array_get_element (files, i);
      JsonObject *file = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *name = file ? json_object_get_string_member_with_default (file, "path", "") : "";
      const char *sha256 = file ? json_object_get_string_member_with_default (file, "sha256", "") : "";

      if (!path_allowed (name) || strlen (sha256) != 64)
        return not_a_backup (error, in, _("its manifest lists a file outside a backup"));
      g_ptr_array_add (entries, entry_new (name, json_object_get_int_member_with_default (file, "size", -1),
                                           g_ascii_strdown (sha256, -1)));
    }
  return TRUE;
}

/* Copies the files of @entries from @in into @staging, each as the
 * manifest says */
static gboolean
stage_files (const char  *in,
             const char  *staging,
             GPtrArray   *entries,
             GError     **error)
{
  gboolean has_db = FALSE, has_seal = FALSE;

  for (guint i = 0; i < entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (entries, i);
      g_autofree char *from = g_build_filename (in, entry->path, NULL);
      g_autofree char *to = g_build_filename (staging, entry->path, NULL);
      g_autofree char *folder = g_path_get_dirname (to);
      g_autofree char *sha256 = NULL;
      g_autoptr(GError) local_error = NULL;
      gint64 size = 0;

      if (g_mkdir_with_parents (folder, 0700) != 0)
        return io_error (error, _("Cannot create %s: %s"), folder, errno);
      if (!g_file_test (from, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, ZID_BACKUP_ERROR, ZID_BACKUP_ERROR_CHANGED,
                       _("The backup lacks %s, which its manifest lists: it cannot be restored"),
                       entry->path);
          return FALSE;
        }
      if (!copy_file (from, to, &size, &sha256, &local_error))
        {
          g_set_error (error, ZID_BACKUP_ERROR, g_str_has_suffix (entry->path, "key.pem") ||
                                                g_str_equal (entry->path, ZID_STORE_SEAL_KEY_FILE)
                                                  ? ZID_BACKUP_ERROR_KEYS : ZID_BACKUP_ERROR_CHANGED,
                       _("The backup’s %s cannot be read: %s"), entry->path, local_error->message);
          return FALSE;
        }
      if (size != entry->size || !g_str_equal (sha256, entry->sha256))
        {
          g_autofree char *how = size != entry->size
                                   ? g_strdup_printf (_("%lld bytes, the manifest says %lld"),
                                                     (long long) size, (long long) entry->size)
                                   : g_strdup (_("another checksum than the manifest’s"));

          g_set_error (error, ZID_BACKUP_ERROR, ZID_BACKUP_ERROR_CHANGED,
                       _("The backup’s %s is not what was backed up (%s): the backup was changed "
                         "or damaged, and is not restored"), entry->path, how);
          return FALSE;
        }
      has_db |= g_str_equal (entry->path, DB_FILE);
      has_seal |= g_str_equal (entry->path, ZID_STORE_SEAL_KEY_FILE);
    }
  if (!has_db || !has_seal)
    {
      g_set_error (error, ZID_BACKUP_ERROR, ZID_BACKUP_ERROR_CHANGED,
                   _("The backup’s manifest lists no %s: it cannot be restored"),
                   has_db ? ZID_STORE_SEAL_KEY_FILE : DB_FILE);
      return FALSE;
    }
  return TRUE;
}

/* The staged database: whole, of the manifest's schema and environment */
static gboolean
check_database (const char           *staging,
                const ZidBackupInfo  *info,
                GError              **error)
{
  g_autofree char *path = g_build_filename (staging, DB_FILE, NULL);
  g_autofree char *uri = g_strdup_printf ("file:%s?immutable=1", path);
  g_autofree char *check = NULL;
  g_autofree char *environment = NULL;
  g_autoptr(GError) local_error = NULL;
  sqlite3 *db = NULL;
  gint64 version = -1;
  gboolean ok = FALSE;

  if (sqlite3_open_v2 (uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) == SQLITE_OK &&
      db_int (db, "PRAGMA user_version", &version, &local_error))
    check = db_text (db, "PRAGMA quick_check");
  if (check == NULL || !g_str_equal (check, "ok"))
    g_set_error (error, ZID_BACKUP_ERROR, ZID_BACKUP_ERROR_DAMAGED,
                 _("The backup’s database is damaged (%s): it is not restored"),
                 check ? check : local_error ? local_error->message : sqlite3_errmsg (db));
  else if (version != info->schema_version)
    g_set_error (error, ZID_BACKUP_ERROR, ZID_BACKUP_ERROR_CHANGED,
                 _("The backup’s database has schema version %lld, its manifest says %lld: the "
                   "backup was changed, and is not restored"),
                 (long long) version, (long long) info->schema_version);
  else if ((environment = db_text (db, "SELECT value FROM settings WHERE key = 'environment'")) == NULL ||
           !g_str_equal (environment, info->environment))
    g_set_error (error, ZID_ERROR, ZID_ERROR_WRONG_ENVIRONMENT,
                 _("The backup’s database belongs to the environment %s, its manifest says %s: "
                   "it is not restored"), environment ? environment : "?", info->environment);
  else
    ok = TRUE;
  sqlite3_close (db);
  return ok;
}

/* The private keys of the staged data dir can be read here: the keyring
 * secret of encrypted ones is at hand, and every key file parses */
static gboolean
check_keys (const char           *staging,
            const ZidBackupInfo  *info,
            GError              **error)
{
  static const char * const pems[] = { "ca/key.pem", "service-tls/key.pem" };
  g_autoptr(GError) local_error = NULL;

  if (info->keys_encrypted)
    {
      g_autoptr(GBytes) secret = zid_key_secret_require (staging, _("a key of the backup"), &local_error);

      if (secret == NULL)
        {
          g_set_error (error, ZID_BACKUP_ERROR, ZID_BACKUP_ERROR_KEYS,
                       _("The keys in this backup are encrypted with a secret from the keyring of "
                         "the user who made it (key set %s); store it in this user’s keyring first, "
                         "then restore again: %s"),
                       info->key_set, local_error->message);
          return FALSE;
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (pems); i++)
    {
      g_autofree char *path = g_build_filename (staging, pems[i], NULL);
      g_autofree char *pem = NULL;
      EVP_PKEY *key;
      gboolean encrypted = FALSE;

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        continue;
      if (!g_file_get_contents (path, &pem, NULL, &local_error) ||
          (key = zid_key_pem_read (pem, staging, pems[i], &encrypted, &local_error)) == NULL)
        {
          g_set_error (error, ZID_BACKUP_ERROR, ZID_BACKUP_ERROR_KEYS,
                       _("The backup’s %s cannot be read: %s. Nothing was changed."), pems[i],
                       local_error->message);
          return FALSE;
        }
      EVP_PKEY_free (key);
    }
  return TRUE;
}

/* The staged data dir opens as a portal of @environment, and its audit
 * trail and seal verify */
static gboolean
check_opens (const char           *staging,
             ZidEnvironment        environment,
             const ZidBackupInfo  *info,
             GError              **error)
{
  g_autoptr(ZidPortal) portal = NULL;
  g_autofree char *details = NULL;
  gint64 bad = 0;

  if ((portal = zid_portal_open (staging, environment, NULL, error)) == NULL ||
      !zid_portal_verify_audit (portal, &bad, error))
    return FALSE;
  /* the restored trail says where it continues from */
  details = g_strdup_printf ("backup=%" G_GINT64_FORMAT " audit=%" G_GINT64_FORMAT
                             " schema=%" G_GINT64_FORMAT,
                             info->created, MAX (info->audit_head, 0), info->schema_version);
  return zid_portal_audit (portal, "operator", "store.restore", NULL, details, error);
}

/* The environment keeps its data in @data_dir's database file, where a
 * restore puts it (and where its checks open it), not in a database named
 * by ZID_DATABASE or --database */
static gboolean
restores_here (const char  *data_dir,
               GError     **error)
{
  g_autofree char *location = zid_portal_dup_database_location (data_dir, error);
  g_autofree char *file = g_build_filename (data_dir, DB_FILE, NULL);

  if (location == NULL)
    return FALSE;
  if (g_str_equal (location, file))
    return TRUE;
  g_set_error (error, ZID_ERROR, ZID_ERROR_STORE,
               _("A restore writes the database file of the data folder %s, but this environment's "
                 "database is elsewhere (ZID_DATABASE, --database or the setting in store.conf): "
                 "restore without them, or restore a PostgreSQL database with pg_restore"), data_dir);
  return FALSE;
}

/* @data_dir holds a store */
static gboolean
has_store (const char *data_dir)
{
  g_autofree char *db = g_build_filename (data_dir, DB_FILE, NULL);
  struct stat st;

  return lstat (db, &st) == 0;
}

/* Makes room for the restored data dir: nothing there, an empty folder
 * removed, anything else renamed aside (its new name into @previous) */
static gboolean
clear_way (const char  *data_dir,
           char       **previous,
           GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  struct stat st;

  if (lstat (data_dir, &st) != 0)
    return errno == ENOENT ? TRUE : io_error (error, _("Cannot read %s: %s"), data_dir, errno);
  if (S_ISDIR (st.st_mode) && g_rmdir (data_dir) == 0)
    return TRUE;
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *aside = i == 0 ? g_strdup_printf ("%s.before-restore-%s", data_dir, stamp)
                                      : g_strdup_printf ("%s.before-restore-%s-%u", data_dir, stamp, i);

      if (renameat2 (AT_FDCWD, data_dir, AT_FDCWD, aside, RENAME_NOREPLACE) == 0)
        {
          *previous = g_steal_pointer (&aside);
          return TRUE;
        }
      if (errno != EEXIST)
        return io_error (error, _("Cannot put %s aside: %s"), data_dir, errno);
    }
  return io_error (error, _("Cannot put %s aside: %s"), data_dir, EEXIST);
}

static gboolean
store_exists (const char  *data_dir,
              GError     **error)
{
  g_set_error (error, ZID_BACKUP_ERROR, ZID_BACKUP_ERROR_STORE_EXISTS,
               _("%s holds a store already: restore into a new data folder, or give --force "
                 "to put the present one aside (it is renamed, not deleted)"), data_dir);
  return FALSE;
}

gboolean
zid_backup_restore (const char     *in,
                    const char     *data_dir,
                    ZidEnvironment  environment,
                    gboolean        force,
                    ZidBackupInfo  *info,
                    GError        **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (entry_free);
  g_autofree char *staging = NULL;
  g_autofree char *parent = NULL;
  const char *mine = zid_environment_to_string (environment);

  g_return_val_if_fail (in != NULL, FALSE);
  g_return_val_if_fail (data_dir != NULL, FALSE);
  g_return_val_if_fail (info != NULL, FALSE);

  if (!restores_here (data_dir, error) || !manifest_read (in, info, entries, error))
    return FALSE;
  if (info->schema_version > ZID_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, ZID_BACKUP_ERROR, ZID_BACKUP_ERROR_NEWER,
                   _("The backup is of schema version %lld, newer than this program knows (%d): "
                     "restore it with the version that made it, or a newer one"),
                   (long long) info->schema_version, ZID_STORE_SCHEMA_VERSION);
      return FALSE;
    }
  if (!g_str_equal (info->environment, mine))
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_WRONG_ENVIRONMENT,
                   _("The backup belongs to the environment %s, not to %s: choose the environment "
                     "%s"), info->environment, mine, info->environment);
      return FALSE;
    }
  if (!force && has_store (data_dir))
    return store_exists (data_dir, error);

  if ((staging = make_staging (data_dir, "restore", error)) == NULL)
    return FALSE;
  if (!stage_files (in, staging, entries, error) ||
      !check_database (staging, info, error) ||
      !check_keys (staging, info, error) ||
      !check_opens (staging, environment, info, error) ||
      !sync_folder (staging, error))
    goto fail;
  /* checked again: a store may have come while this one was checked */
  if (!force && has_store (data_dir))
    {
      store_exists (data_dir, error);
      goto fail;
    }
  if (!clear_way (data_dir, &info->previous, error))
    goto fail;
  if (!rename_new (staging, data_dir, error))
    {
      /* the data dir found goes back where it was */
      if (info->previous != NULL)
        rename_new (info->previous, data_dir, NULL);
      g_clear_pointer (&info->previous, g_free);
      goto fail;
    }
  parent = g_path_get_dirname (data_dir);
  sync_folder (parent, NULL);
  info->path = g_strdup (data_dir);
  info->files = entries->len;
  for (guint i = 0; i < entries->len; i++)
    info->bytes += ((Entry *) g_ptr_array_index (entries, i))->size;
  return TRUE;

fail:
  remove_tree (staging);
  return FALSE;
}
