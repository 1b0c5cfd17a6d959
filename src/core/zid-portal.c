/* zid-portal.c — the portal's rules
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-core"

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <openssl/crypto.h>
#include <string.h>

#include "zid-db.h"
#include "zid-i18n.h"
#include "zid-portal-private.h"

#define CODE_BYTES       16   /* 128 bits */

G_DEFINE_FINAL_TYPE_WITH_CODE (ZidPortal, zid_portal, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (ZID_TYPE_BACKEND, _zid_portal_backend_init))

/* Lifecycle */

static void
zid_portal_finalize (GObject *object)
{
  ZidPortal *self = ZID_PORTAL (object);

  zid_store_free (self->store);
  zid_ca_free (self->ca);
  g_free (self->ca_pin);
  g_free (self->pin);
  g_free (self->tls_cert);
  if (self->tls_key != NULL)
    OPENSSL_cleanse (self->tls_key, strlen (self->tls_key));
  g_free (self->tls_key);
  g_clear_object (&self->clock);
  g_free (self->data_dir);
  g_free (self->database);
  g_mutex_clear (&self->ca_lock);

  G_OBJECT_CLASS (zid_portal_parent_class)->finalize (object);
}

static void
zid_portal_class_init (ZidPortalClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = zid_portal_finalize;
}

static void
zid_portal_init (ZidPortal *self)
{
  g_mutex_init (&self->ca_lock);
}

char *
zid_portal_default_data_dir (ZidEnvironment environment)
{
  return g_build_filename (g_get_user_data_dir (), "zorgid-portaal",
                           zid_environment_to_string (environment), NULL);
}

guint16
zid_portal_default_service_port (ZidEnvironment environment)
{
  return environment == ZID_ENVIRONMENT_PRODUCTIE ? ZID_DEFAULT_SERVICE_PORT_PRODUCTIE
                                                  : ZID_DEFAULT_SERVICE_PORT_ACCEPTATIE;
}

/* The system clock; in acceptatie (and only in builds made with the
 * test_clock option) ZID_TEST_CLOCK_OFFSET=SECONDS moves it, so journeys
 * can see 10 days or 4 weeks pass. Productie never reads it. */
static ZidClock *
default_clock (ZidEnvironment environment)
{
  ZidClock *clock = zid_clock_new_system ();

#if ZID_ENABLE_TEST_CLOCK
  if (environment == ZID_ENVIRONMENT_ACCEPTATIE)
    {
      const char *offset = g_getenv ("ZID_TEST_CLOCK_OFFSET");
      gint64 seconds;

      if (offset != NULL && g_ascii_string_to_signed (offset, 10, G_MININT64 / 2,
                                                      G_MAXINT64 / 2, &seconds, NULL))
        {
          g_debug ("test clock: offset %" G_GINT64_FORMAT " s", seconds);
          zid_clock_set_offset (clock, seconds);
        }
    }
#endif

  return clock;
}

/* A data dir belongs to the environment it was first opened in: never
 * both mixed, and acceptatie's conveniences (bootstrap without a card, the
 * test clock) never reach productie data */
static gboolean
bind_environment (ZidPortal  *self,
                  GError    **error)
{
  const char *mine = zid_environment_to_string (self->environment);
  g_autofree char *stored = NULL;
  ZidDbStmt *stmt;
  ZidDbStep step;
  gboolean ok;

  if (!zid_store_begin (self->store, TRUE, error))
    return FALSE;
  stmt = zid_db_query (self->store, error, "SELECT value FROM settings WHERE key = 'environment'", "");
  ok = (step = zid_db_step (stmt, error)) != ZID_DB_ERROR;
  if (step == ZID_DB_ROW)
    stored = zid_db_column_dup (stmt, 0);
  zid_db_reset (stmt);
  if (ok && stored == NULL)
    ok = zid_db_run (self->store, error,
                     "INSERT INTO settings (key, value) VALUES ('environment', ?)", "t", mine);
  if (!ok)
    {
      zid_store_rollback (self->store);
      return FALSE;
    }
  if (!zid_store_commit (self->store, error))
    return FALSE;

  if (stored != NULL && !g_str_equal (stored, mine))
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_WRONG_ENVIRONMENT,
                   _("The data folder %s belongs to the environment %s, not to %s: choose the "
                     "environment %s, or another data folder"),
                   self->data_dir, stored, mine, stored);
      return FALSE;
    }
  return TRUE;
}

ZidPortal *
zid_portal_open (const char      *data_dir,
                 ZidEnvironment   environment,
                 ZidClock        *clock,
                 GError         **error)
{
  return zid_portal_open_database (data_dir, NULL, environment, clock, error);
}

ZidPortal *
zid_portal_open_database (const char      *data_dir,
                          const char      *database,
                          ZidEnvironment   environment,
                          ZidClock        *clock,
                          GError         **error)
{
  g_autoptr(ZidPortal) self = NULL;
  g_autofree char *db_path = NULL;

  g_return_val_if_fail (data_dir != NULL, NULL);

  if (g_mkdir_with_parents (data_dir, 0700) != 0)
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_IO,
                   _("Cannot create the data folder %s: %s"), data_dir, g_strerror (errno));
      return NULL;
    }
  if (g_chmod (data_dir, 0700) != 0)
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_IO,
                   _("Cannot set the permissions of the data folder %s: %s"),
                   data_dir, g_strerror (errno));
      return NULL;
    }

  self = g_object_new (ZID_TYPE_PORTAL, NULL);
  self->data_dir = g_strdup (data_dir);
  self->environment = environment;
  self->clock = clock ? g_object_ref (clock) : default_clock (environment);

  db_path = database ? g_strdup (database) : zid_portal_dup_database_location (data_dir, error);
  if (db_path == NULL)
    return NULL;
  self->store = zid_store_open (db_path, data_dir, error);
  self->database = g_strdup (db_path);
  if (self->store == NULL || !bind_environment (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

#define STORE_GROUP "store"
#define STORE_KEY   "database"

static gboolean
is_database_setting (const char *database)
{
  return g_str_has_prefix (database, "postgresql://") || g_str_has_prefix (database, "postgres://") ||
         g_path_is_absolute (database);
}

char *
zid_portal_dup_database_setting (const char  *data_dir,
                                 GError     **error)
{
  g_autofree char *path = g_build_filename (data_dir, ZID_PORTAL_STORE_CONF, NULL);
  g_autoptr(GKeyFile) conf = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *database = NULL;

  if (!g_key_file_load_from_file (conf, path, G_KEY_FILE_NONE, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return NULL;
      g_set_error (error, ZID_ERROR, ZID_ERROR_STORE,
                   _("The database setting %s cannot be read (%s): correct it, or remove it with "
                     "zorgid-admin config set database default"), path, local_error->message);
      return NULL;
    }
  database = g_key_file_get_string (conf, STORE_GROUP, STORE_KEY, NULL);
  if (database == NULL || !is_database_setting (g_strstrip (database)))
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_STORE,
                   _("The database setting %s names no database (database= a postgresql:// URI or "
                     "an absolute file name): correct it, or remove it with zorgid-admin config set "
                     "database default"), path);
      return NULL;
    }
  return g_steal_pointer (&database);
}

gboolean
zid_portal_set_database_setting (const char  *data_dir,
                                 const char  *database,
                                 GError     **error)
{
  g_autofree char *path = g_build_filename (data_dir, ZID_PORTAL_STORE_CONF, NULL);
  g_autoptr(GKeyFile) conf = g_key_file_new ();
  g_autofree char *text = NULL;
  gsize length;
  gboolean ok;

  if (database == NULL)
    {
      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          int saved = errno;

          g_set_error (error, ZID_ERROR, ZID_ERROR_IO, _("Cannot remove %s: %s"), path, g_strerror (saved));
          return FALSE;
        }
      return TRUE;
    }
  if (!is_database_setting (database) || strchr (database, '\n') != NULL)
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT,
                   _("“%s” names no database: give a postgresql:// URI or an absolute file name"),
                   database);
      return FALSE;
    }
  if (g_mkdir_with_parents (data_dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, ZID_ERROR, ZID_ERROR_IO,
                   _("Cannot create the data folder %s: %s"), data_dir, g_strerror (saved));
      return FALSE;
    }
  g_key_file_set_string (conf, STORE_GROUP, STORE_KEY, database);
  text = g_key_file_to_data (conf, &length, NULL);
  ok = g_file_set_contents_full (path, text, (gssize) length, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                 error);
  explicit_bzero (text, length);
  if (!ok)
    g_prefix_error (error, _("The database setting is not saved: "));
  return ok;
}

char *
zid_portal_dup_database_location (const char  *data_dir,
                                  GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  const char *database = g_getenv ("ZID_DATABASE");
  char *setting;

  if (database && *database)
    return g_strdup (database);
  if ((setting = zid_portal_dup_database_setting (data_dir, &local_error)) != NULL)
    return setting;
  if (local_error != NULL)
    return g_propagate_error (error, g_steal_pointer (&local_error)), NULL;
  return g_build_filename (data_dir, ZID_PORTAL_DATABASE_FILE, NULL);
}

const char *
zid_portal_get_database (ZidPortal *self)
{
  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);
  return self->database;
}

const char *
zid_portal_get_data_dir (ZidPortal *self)
{
  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);
  return self->data_dir;
}

ZidEnvironment
zid_portal_get_environment (ZidPortal *self)
{
  g_return_val_if_fail (ZID_IS_PORTAL (self), ZID_ENVIRONMENT_ACCEPTATIE);
  return self->environment;
}

ZidClock *
zid_portal_get_clock (ZidPortal *self)
{
  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);
  return self->clock;
}

gint64
_zid_portal_now (ZidPortal *self)
{
  return zid_clock_now (self->clock);
}

/* Transactions and the audit trail */

char *
_zid_portal_user_label (gint64 user)
{
  return g_strdup_printf ("user:%" G_GINT64_FORMAT, user);
}

gboolean
_zid_portal_audit_append (ZidPortal   *self,
                          const char  *actor,
                          const char  *action,
                          const char  *subject,
                          const char  *details,
                          GError     **error)
{
  return zid_store_audit_append (self->store, _zid_portal_now (self), actor, action, subject, details, error);
}

gboolean
_zid_is_refusal (const GError *error)
{
  if (error == NULL || error->domain != ZID_ERROR)
    return FALSE;
  switch (error->code)
    {
    case ZID_ERROR_INVALID_INPUT:
    case ZID_ERROR_NOT_FOUND:
    case ZID_ERROR_STORE:
    case ZID_ERROR_BUSY:
    case ZID_ERROR_CRYPTO:
    case ZID_ERROR_IO:
      return FALSE;
    default:
      return TRUE;
    }
}

/* Records, in a transaction of its own, that @error refused @action:
 * "ACTION.refused" with "REASON: message" as details, the reason being the
 * error code's name unless given. A failure to record is logged, not handed
 * on: the refusal itself is what the caller reports. */
static void
audit_refusal (ZidPortal     *self,
               const char    *actor,
               const char    *action,
               const char    *subject,
               const char    *reason,
               const GError  *error)
{
  g_autofree char *refused = g_strconcat (action, ".refused", NULL);
  g_autofree char *details = g_strdup_printf ("%s: %s",
                                              reason ? reason : zid_error_code_name (error->code),
                                              error->message);
  g_autoptr(GError) audit_error = NULL;

  if (zid_store_begin (self->store, TRUE, &audit_error))
    {
      if (_zid_portal_audit_append (self, actor, refused, subject, details, &audit_error))
        zid_store_commit (self->store, &audit_error);
      else
        zid_store_rollback (self->store);
    }
  if (audit_error != NULL)
    g_warning ("Could not record a refusal in the audit trail: %s", audit_error->message);
}

void
_zid_portal_audit_refusal (ZidPortal     *self,
                           const char    *actor,
                           const char    *action,
                           const char    *subject,
                           const GError  *error)
{
  audit_refusal (self, actor, action, subject, NULL, error);
}

/* Ends the transaction that began with zid_store_begin(): commits when
 * @ok, else rolls back, records a refusal by a rule in the audit trail (in a
 * transaction of its own) and hands @local_error to the caller. */
static gboolean
_zid_portal_finish (ZidPortal   *self,
                    gboolean     ok,
                    GError      *local_error,
                    GError     **error,
                    const char  *actor,
                    const char  *action,
                    const char  *subject,
                    const char  *reason)
{
  if (ok)
    return zid_store_commit (self->store, error);

  zid_store_rollback (self->store);
  if (_zid_is_refusal (local_error))
    audit_refusal (self, actor, action, subject, reason, local_error);
  g_propagate_error (error, local_error);
  return FALSE;
}

/* "WHO@ORIGIN", or WHO when the origin is not known */
char *
_zid_portal_origin_actor (const char *who,
                          const char *origin)
{
  return origin != NULL ? g_strdup_printf ("%s@%s", who, origin) : g_strdup (who);
}

gboolean
_zid_write_begin (ZidWrite    *w,
                  ZidPortal   *self,
                  char        *actor,
                  const char  *action,
                  char        *subject,
                  GError     **error)
{
  *w = (ZidWrite) { self, actor, action, subject, NULL, NULL };
  if (zid_store_begin (self->store, TRUE, error))
    return TRUE;
  g_clear_pointer (&w->actor, g_free);
  g_clear_pointer (&w->subject, g_free);
  return FALSE;
}

void
_zid_write_set_subject (ZidWrite *w,
                        char     *subject)
{
  g_free (w->subject);
  w->subject = subject;
}

void
_zid_write_set_actor (ZidWrite *w,
                      char     *actor)
{
  g_free (w->actor);
  w->actor = actor;
}

gboolean
_zid_write_end (ZidWrite    *w,
                gboolean     ok,
                GError     **error)
{
  ok = _zid_portal_finish (w->portal, ok && w->error == NULL, g_steal_pointer (&w->error), error,
                           w->actor, w->action, w->subject, w->reason);
  g_clear_pointer (&w->actor, g_free);
  g_clear_pointer (&w->subject, g_free);
  return ok;
}

gboolean
_zid_write_end_audited (ZidWrite    *w,
                        gboolean     ok,
                        const char  *details,
                        GError     **error)
{
  ok = ok && w->error == NULL &&
       _zid_portal_audit_append (w->portal, w->actor, w->action, w->subject, details, &w->error);
  return _zid_write_end (w, ok, error);
}

gboolean
zid_portal_audit (ZidPortal   *self,
                  const char  *actor,
                  const char  *action,
                  const char  *subject,
                  const char  *details,
                  GError     **error)
{
  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);
  g_return_val_if_fail (actor != NULL && action != NULL, FALSE);

  if (!zid_store_begin (self->store, TRUE, error))
    return FALSE;
  if (!_zid_portal_audit_append (self, actor, action, subject, details, error))
    {
      zid_store_rollback (self->store);
      return FALSE;
    }
  return zid_store_commit (self->store, error);
}

/* Settings */

static char *
get_setting (ZidPortal  *self,
             const char *key)
{
  ZidDbStmt *stmt;
  char *value = NULL;

  if (!zid_store_begin (self->store, FALSE, NULL))
    return NULL;
  stmt = zid_db_query (self->store, NULL, "SELECT value FROM settings WHERE key = ?", "t", key);
  if (zid_db_step (stmt, NULL) == ZID_DB_ROW)
    value = zid_db_column_dup (stmt, 0);
  zid_db_reset (stmt);
  zid_store_commit (self->store, NULL);
  return value;
}

/* A host phones can be sent to and a certificate can name: an IPv6
 * address in brackets, else an IPv4 address or a DNS name of at most 253
 * characters in labels of 1 to 63 */
static gboolean
valid_host (const char *host,
            gboolean    bracketed)
{
  gsize label = 0;

  if (bracketed)
    {
      g_autoptr(GInetAddress) ip = g_inet_address_new_from_string (host);

      return ip != NULL && g_inet_address_get_family (ip) == G_SOCKET_FAMILY_IPV6;
    }
  if (*host == '\0' || strlen (host) > 253)
    return FALSE;
  for (const char *p = host; *p; p++)
    {
      if (*p == '.')
        {
          if (label == 0)
            return FALSE;
          label = 0;
        }
      else if ((g_ascii_isalnum (*p) || *p == '-' || *p == '_') && ++label <= 63)
        continue;
      else
        return FALSE;
    }
  return label > 0;
}

static gboolean
parse_address (const char  *address,
               char       **host,
               guint16     *port)
{
  const char *colon;
  guint64 value;

  if (address == NULL || (colon = strrchr (address, ':')) == NULL || colon == address)
    return FALSE;
  if (!g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &value, NULL))
    return FALSE;
  if (address[0] == '[')
    {
      if (colon[-1] != ']' || colon - address < 3)
        return FALSE;
      *host = g_strndup (address + 1, colon - address - 2);
    }
  else
    {
      *host = g_strndup (address, colon - address);
      if (strchr (*host, ':') != NULL)
        {
          g_clear_pointer (host, g_free);
          return FALSE;
        }
    }
  if (!valid_host (*host, address[0] == '['))
    {
      g_clear_pointer (host, g_free);
      return FALSE;
    }
  *port = (guint16) value;
  return TRUE;
}

char *
zid_portal_dup_service_address (ZidPortal *self)
{
  char *address;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  address = get_setting (self, "service-address");
  if (address == NULL)
    address = g_strdup_printf ("%s:%u", g_get_host_name (),
                               zid_portal_default_service_port (self->environment));
  return address;
}

gboolean
zid_portal_set_service_address (ZidPortal   *self,
                                const char  *address,
                                GError     **error)
{
  g_autofree char *host = NULL;
  guint16 port;
  ZidWrite w;

  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);

  if (!parse_address (address, &host, &port))
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT,
                   _("Invalid address “%s”: use HOST:PORT, for example 192.168.1.10:8443"),
                   address ? address : "");
      return FALSE;
    }

  if (!_zid_write_begin (&w, self, g_strdup ("operator"), "config.service-address", NULL, error))
    return FALSE;
  return _zid_write_end_audited (&w,
                                 zid_db_run (self->store, &w.error,
                                             "INSERT INTO settings (key, value) VALUES ('service-address', ?)"
                                             " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                                             "t", address),
                                 address, error);
}

/* The local CA */

/* A plain key file encrypted on opening (zid-key-protection.h): audited
 * when the store takes it now, else only logged (zid-ca.c did) */
static void
audit_keys_protected (ZidPortal  *self,
                      const char *file)
{
  g_autoptr(GError) error = NULL;

  if (!zid_portal_audit (self, "operator", "keys.protected", NULL, file, &error))
    g_message ("The encryption of %s is not in the audit: %s", file, error->message);
}

/* One CA per database. Its certificates, CRL and the phones' trust come
 * from the CA that issued the first certificate; the database names it
 * (settings 'ca-pin'). Several processes on one database (PostgreSQL)
 * share one data folder's keys: a data folder without that CA, or with
 * another, is refused here rather than given a CA of its own, which would
 * issue certificates the others' CRL and phones do not know. */
static gboolean
check_ca_of_database (ZidPortal   *self,
                      const char  *dir,
                      const char  *recorded,
                      GError     **error)
{
  if (recorded == NULL || (self->ca_pin != NULL && g_str_equal (recorded, self->ca_pin)))
    return TRUE;
  g_set_error (error, ZID_ERROR, ZID_ERROR_CRYPTO,
               self->ca_pin == NULL
               ? _("The CA of this database is not in %s: its certificates were issued by a CA this "
                   "data folder does not hold. Copy the data folder (ca/, service-tls/, seal.key) of "
                   "the computer or server that made them")
               : _("The CA in %s is not the CA of this database: its certificates were issued by "
                   "another CA. Copy the data folder (ca/, service-tls/, seal.key) of the computer "
                   "or server that made them"),
               dir);
  return FALSE;
}

ZidCa *
_zid_portal_ensure_ca (ZidPortal  *self,
                       GError    **error)
{
  gboolean wrapped = FALSE;
  ZidCa *ca;

  g_mutex_lock (&self->ca_lock);
  if (self->ca == NULL)
    {
      g_autofree char *dir = g_build_filename (self->data_dir, "ca", NULL);
      g_autofree char *recorded = get_setting (self, "ca-pin");
      g_autofree char *pem = NULL;

      /* a missing CA is made only for a database that names none */
      if ((recorded == NULL || g_file_test (dir, G_FILE_TEST_IS_DIR)) &&
          (self->ca = zid_ca_open (dir, zid_environment_to_string (self->environment),
                                   _zid_portal_now (self), &wrapped, error)) != NULL)
        {
          pem = zid_ca_dup_pem (self->ca);
          self->ca_pin = zid_certificate_pin (pem, NULL);
          self->ca_bound = recorded != NULL;
        }
      if ((self->ca != NULL || recorded != NULL) &&
          !check_ca_of_database (self, dir, recorded, error))
        {
          g_clear_pointer (&self->ca, zid_ca_free);
          g_clear_pointer (&self->ca_pin, g_free);
          wrapped = FALSE;
        }
    }
  ca = self->ca;
  g_mutex_unlock (&self->ca_lock);
  if (wrapped)
    audit_keys_protected (self, "ca/key.pem");
  return ca;
}

gboolean
_zid_portal_bind_ca (ZidPortal  *self,
                     GError    **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *recorded = NULL;
  ZidDbStmt *stmt;
  gboolean bound;

  g_mutex_lock (&self->ca_lock);
  bound = self->ca_bound;
  g_mutex_unlock (&self->ca_lock);
  if (bound)
    return TRUE;

  /* the first issuer names itself; whoever comes later reads the name */
  if (!zid_db_run (self->store, error,
                   "INSERT INTO settings (key, value) VALUES ('ca-pin', ?) ON CONFLICT (key) DO NOTHING",
                   "t", self->ca_pin))
    return FALSE;
  stmt = zid_db_query (self->store, error, "SELECT value FROM settings WHERE key = 'ca-pin'", "");
  if (zid_db_step (stmt, error) == ZID_DB_ROW)
    recorded = zid_db_column_dup (stmt, 0);
  if (recorded == NULL)
    {
      zid_db_reset (stmt);
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, ZID_ERROR, ZID_ERROR_STORE, _("The database names no CA"));
      return FALSE;
    }
  zid_db_reset (stmt);
  dir = g_build_filename (self->data_dir, "ca", NULL);
  if (!check_ca_of_database (self, dir, recorded, error))
    return FALSE;
  g_mutex_lock (&self->ca_lock);
  self->ca_bound = TRUE;
  g_mutex_unlock (&self->ca_lock);
  return TRUE;
}

gboolean
zid_portal_get_service_tls (ZidPortal  *self,
                            char      **cert_pem,
                            char      **key_pem,
                            char      **pin,
                            GError    **error)
{
  g_autofree char *address = NULL;
  g_autofree char *host = NULL;
  g_autofree char *dir = NULL;
  gboolean wrapped = FALSE;
  guint16 port;
  ZidCa *ca;

  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);

  if ((ca = _zid_portal_ensure_ca (self, error)) == NULL)
    return FALSE;

  address = zid_portal_dup_service_address (self);
  if (!parse_address (address, &host, &port))
    host = g_strdup ("localhost");
  dir = g_build_filename (self->data_dir, "service-tls", NULL);

  /* made once per data dir, read once per process (every code's payload
   * carries the pin) */
  g_mutex_lock (&self->ca_lock);
  if (self->tls_cert == NULL &&
      !zid_ca_ensure_server (ca, dir, host, _zid_portal_now (self), &self->tls_cert, &self->tls_key,
                             &wrapped, error))
    {
      g_mutex_unlock (&self->ca_lock);
      return FALSE;
    }
  if (self->pin == NULL)
    self->pin = zid_certificate_pin (self->tls_cert, NULL);
  if (pin)
    *pin = g_strdup (self->pin);
  if (cert_pem)
    *cert_pem = g_strdup (self->tls_cert);
  if (key_pem)
    *key_pem = g_strdup (self->tls_key);
  g_mutex_unlock (&self->ca_lock);
  if (wrapped)
    audit_keys_protected (self, "service-tls/key.pem");
  return TRUE;
}

char *
zid_portal_dup_ca_pem (ZidPortal  *self,
                       GError    **error)
{
  ZidCa *ca;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if ((ca = _zid_portal_ensure_ca (self, error)) == NULL)
    return NULL;
  return zid_ca_dup_pem (ca);
}

char *
zid_portal_dup_crl_pem (ZidPortal  *self,
                        GError    **error)
{
  g_autoptr(GArray) revoked = g_array_new (FALSE, FALSE, sizeof (ZidCaRevoked));
  g_autoptr(GPtrArray) serials = g_ptr_array_new_with_free_func (g_free);
  ZidDbStmt *stmt;
  ZidDbStep step;
  ZidCa *ca;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if ((ca = _zid_portal_ensure_ca (self, error)) == NULL || !zid_store_begin (self->store, FALSE, error))
    return NULL;
  stmt = zid_db_query (self->store, error,
                       "SELECT serial, revoked_at FROM certificates"
                       " WHERE revoked_at IS NOT NULL ORDER BY serial", "");
  while ((step = zid_db_step (stmt, error)) == ZID_DB_ROW)
    {
      ZidCaRevoked entry;
      char *serial = zid_db_column_dup (stmt, 0);

      g_ptr_array_add (serials, serial);
      entry.serial = serial;
      entry.revoked_at = zid_db_column_int64 (stmt, 1);
      g_array_append_val (revoked, entry);
    }
  zid_db_reset (stmt);
  zid_store_commit (self->store, NULL);
  if (step == ZID_DB_ERROR)
    return NULL;

  return zid_ca_make_crl (ca, (ZidCaRevoked *) (void *) revoked->data, revoked->len,
                          _zid_portal_now (self), error);
}

/* One-time codes: 128 bits from the CSPRNG, stored only as SHA-256 */

void
_zid_code_hash (const char *code,
                guint8      hash[32])
{
  zid_sha256 (code, strlen (code), hash);
}

char *
_zid_portal_make_payload (ZidPortal   *self,
                          const char  *kind,
                          const char  *params,
                          GError     **error)
{
  g_autofree char *pin = NULL;
  g_autofree char *address = NULL;

  if (!zid_portal_get_service_tls (self, NULL, NULL, &pin, error))
    return NULL;
  address = zid_portal_dup_service_address (self);
  return g_strdup_printf ("zorgid://%s?v=1&env=%s&host=%s&pin=%s%s%s",
                          kind, zid_environment_to_string (self->environment),
                          address, pin, params != NULL ? "&" : "", params != NULL ? params : "");
}

/* Inside a write transaction: a new code for @user; earlier unused codes of
 * the user stop working (only the QR shown last is valid). */
ZidOneTimeCode *
_zid_portal_new_code (ZidPortal       *self,
                      gint64           user,
                      ZidCodePurpose   purpose,
                      GError         **error)
{
  g_autofree char *prefix = _zid_portal_make_payload (self, "enrol", "code=", error);

  if (prefix == NULL)
    return NULL;
  return _zid_portal_new_code_after (self, user, purpose, prefix, FALSE, error);
}

/* _zid_portal_new_code() with the QR's text before the code made once
 * (_zid_portal_make_payload "enrol" with params "code="); @new_user: the
 * user was inserted in this transaction and has no code to replace */
ZidOneTimeCode *
_zid_portal_new_code_after (ZidPortal       *self,
                            gint64           user,
                            ZidCodePurpose   purpose,
                            const char      *prefix,
                            gboolean         new_user,
                            GError         **error)
{
  g_autoptr(ZidOneTimeCode) enrolment = g_new0 (ZidOneTimeCode, 1);
  guint8 hash[32];

  enrolment->user_id = user;
  enrolment->purpose = purpose;
  enrolment->code = zid_random_token (CODE_BYTES);
  enrolment->expires = _zid_portal_now (self) + ZID_ENROLMENT_CODE_LIFETIME;
  _zid_code_hash (enrolment->code, hash);
  enrolment->payload = g_strconcat (prefix, enrolment->code, NULL);

  if ((!new_user &&
       !zid_db_run (self->store, error,
                    "DELETE FROM codes WHERE user_id = ? AND used IS NULL", "i", user)) ||
      !zid_db_run (self->store, error,
                   "INSERT INTO codes (hash, purpose, user_id, created, expires)"
                   " VALUES (?, ?, ?, ?, ?)",
                   "biiii", hash, (gsize) 32, (gint64) purpose, user, _zid_portal_now (self),
                   enrolment->expires))
    return NULL;

  return g_steal_pointer (&enrolment);
}

/* Audit */

/* Lower case hex, as the trail is listed and exported */
static char *
hex_dup (const guint8 *data,
         gsize         len)
{
  static const char digits[] = "0123456789abcdef";
  char *hex = g_malloc (2 * len + 1);

  for (gsize i = 0; i < len; i++)
    {
      hex[2 * i] = digits[data[i] >> 4];
      hex[2 * i + 1] = digits[data[i] & 0xf];
    }
  hex[2 * len] = '\0';
  return hex;
}

static ZidAuditEvent *
audit_event_from_row (ZidDbStmt *stmt)
{
  ZidAuditEvent *e = g_new0 (ZidAuditEvent, 1);
  gsize len;
  const guint8 *hash = zid_db_column_blob (stmt, 6, &len);

  e->id = zid_db_column_int64 (stmt, 0);
  e->time = zid_db_column_int64 (stmt, 1);
  e->actor = zid_db_column_dup (stmt, 2);
  e->action = zid_db_column_dup (stmt, 3);
  e->subject = zid_db_column_dup (stmt, 4);
  e->details = zid_db_column_dup (stmt, 5);
  e->hash = hex_dup (hash, hash ? len : 0);
  return e;
}

/* The events @stmt (NULL: failed, @error set) selects; ends the read */
static GPtrArray *
read_audit_events (ZidPortal   *self,
                   ZidDbStmt   *stmt,
                   GError     **error)
{
  GPtrArray *events = zid_db_read_rows (stmt, (ZidDbRowReader) audit_event_from_row,
                                        (GDestroyNotify) zid_audit_event_free, error);

  zid_store_commit (self->store, NULL);
  return events;
}

GPtrArray *
zid_portal_list_audit (ZidPortal  *self,
                       GError    **error)
{
  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!zid_store_begin (self->store, FALSE, error))
    return NULL;
  return read_audit_events (self,
                            zid_db_query (self->store, error,
                                          "SELECT id, time, actor, action, subject, details, hash"
                                          " FROM audit ORDER BY id", ""),
                            error);
}

/* An event is about a user ("user:ID") or an organisation (its URA); with
 * the actor (?7) only those about users and organisations the actor
 * manages (Administrator or Beheerder of the organisation, or of an
 * organisation of the user, now), and none whose details name an
 * organisation the actor does not manage (a user's membership elsewhere).
 * Parameters ?1 to ?9 as zid_portal_list_audit_page binds them: ?8 and
 * ?9 the range of ids the date range covers (audit_id_range), a page's
 * keyset bounding ?9 (one range for the planner to walk). A user's
 * subject is "user:" and a digit: GLOB 'user:[0-9]*' said as a range in
 * byte order (':' follows '9'), as the name keys are searched; its id is
 * the number that follows (BIGINT: INTEGER is 32 bits in PostgreSQL).
 * The details' "organisation=ID" is matched as a whole word against the
 * actor's organisations, not cut out and cast: SQLite reads the leading
 * number of "1 role=…", PostgreSQL refuses it. */
#define USER_SUBJECT "(subject >= 'user:0' AND subject < 'user::')"
#define AUDIT_SELECT \
  "SELECT id, time, actor, action, subject, details, hash FROM audit"
#define AUDIT_CONDITIONS \
  " id BETWEEN ?8 AND ?9" \
  " AND (?1 = 0 OR time >= ?1) AND (?2 = 0 OR time <= ?2)" \
  " AND (?3 IS NULL OR action = ?3 OR substr (action, 1, length (?4)) = ?4)" \
  " AND (?5 = 0 OR subject = 'user:' || ?5)" \
  " AND (?6 = 0" \
  "  OR subject = (SELECT ura FROM organisations WHERE id = ?6)" \
  "  OR (" USER_SUBJECT " AND EXISTS (SELECT 1 FROM memberships m" \
  "      WHERE m.organisation_id = ?6" \
  "        AND m.user_id = CAST (substr (subject, 6) AS BIGINT))))" \
  " AND (?7 = 0" \
  "  OR ((subject = 'user:' || ?7" \
  "     OR (" USER_SUBJECT " AND EXISTS (SELECT 1 FROM memberships a" \
  "         JOIN memberships t ON t.organisation_id = a.organisation_id" \
  "         WHERE a.user_id = ?7 AND a.role >= 2" \
  "           AND t.user_id = CAST (substr (subject, 6) AS BIGINT)))" \
  "     OR subject IN (SELECT o.ura FROM organisations o" \
  "         JOIN memberships a ON a.organisation_id = o.id" \
  "         WHERE a.user_id = ?7 AND a.role >= 2))" \
  "   AND (details IS NULL OR ' ' || details NOT LIKE '% organisation=%'" \
  "     OR NOT " USER_SUBJECT \
  "     OR EXISTS (SELECT 1 FROM memberships v" \
  "         WHERE v.user_id = ?7 AND v.role >= 2" \
  "           AND ' ' || details || ' ' LIKE '% organisation=' || v.organisation_id || ' %'))))"

/* The queries of zid_portal_list_audit_page(), each a string of its own
 * (the store keeps a statement per string). A leading condition the
 * planner takes an index for (audit_by_subject) when one user narrows
 * the trail (the conditions repeat it); then
 * oldest first, the whole selection, or a page newest first by keyset on
 * the id, so that a page deep in the trail costs what the first one does */
#define AUDIT_QUERY(lead, order) AUDIT_SELECT " WHERE" lead AUDIT_CONDITIONS order
#define AUDIT_WHOLE " ORDER BY id"
#define AUDIT_PAGE  " ORDER BY id DESC LIMIT ?10"
static const char * const audit_sql[2][2] = {
  { AUDIT_QUERY ("", AUDIT_WHOLE), AUDIT_QUERY ("", AUDIT_PAGE) },
  { AUDIT_QUERY (" subject = 'user:' || ?5 AND", AUDIT_WHOLE),
    AUDIT_QUERY (" subject = 'user:' || ?5 AND", AUDIT_PAGE) },
};

/* Events are appended in id order with the clock's time, which is
 * nearly but not strictly the order of time (a clock set back; the
 * store's own events take the system's time). So the ids of a date range
 * are bounded, not guessed: the highest id of an event until @until and
 * the lowest of one since @since, read from the index by time (the time
 * conditions stay in the query). That reading walks the events on the
 * near side of the date; when they are many (a date near the other end
 * of the trail) the keyset on the id finds the first events as fast
 * without a bound, and the range stays open on that side. The range is
 * kept for the next page of the same dates while no event is added. */
#define AUDIT_RANGE_WALK 100000

static gboolean
audit_id_bound (ZidPortal   *self,
                const char  *sql,
                gint64       time,
                gint64      *bound,
                GError     **error)
{
  ZidDbStmt *stmt;

  if (time == 0)
    return TRUE;
  stmt = zid_db_query (self->store, error, sql, "ii", time, (gint64) AUDIT_RANGE_WALK);
  if (zid_db_step (stmt, error) == ZID_DB_ERROR)
    return FALSE;
  if (zid_db_column_int64 (stmt, 0) == 0)
    *bound = *bound > 0 ? 0 : G_MAXINT64;       /* no event on that side: an empty range */
  else if (zid_db_column_int64 (stmt, 0) < AUDIT_RANGE_WALK)
    *bound = zid_db_column_int64 (stmt, 1);
  zid_db_reset (stmt);
  return TRUE;
}

static gboolean
audit_id_range (ZidPortal             *self,
                const ZidAuditFilter  *filter,
                gint64                *first,
                gint64                *last,
                GError               **error)
{
  ZidDbStmt *stmt;
  gint64 head;

  *first = 0;
  *last = G_MAXINT64;
  if (filter->since == 0 && filter->until == 0)
    return TRUE;
  stmt = zid_db_query (self->store, error, "SELECT coalesce (max (id), 0) FROM audit", "");
  if (zid_db_step (stmt, error) == ZID_DB_ERROR)
    return FALSE;
  head = zid_db_column_int64 (stmt, 0);
  zid_db_reset (stmt);
  if (self->audit_range.head == head && self->audit_range.since == filter->since &&
      self->audit_range.until == filter->until)
    {
      *first = self->audit_range.first;
      *last = self->audit_range.last;
      return TRUE;
    }
  if (!audit_id_bound (self,
                       "SELECT count (*), min (id) FROM (SELECT id FROM audit"
                       " WHERE time >= ?1 ORDER BY time LIMIT ?2) AS near", filter->since, first,
                       error) ||
      !audit_id_bound (self,
                       "SELECT count (*), max (id) FROM (SELECT id FROM audit"
                       " WHERE time <= ?1 ORDER BY time LIMIT ?2) AS near", filter->until, last,
                       error))
    return FALSE;
  self->audit_range.since = filter->since;
  self->audit_range.until = filter->until;
  self->audit_range.head = head;
  self->audit_range.first = *first;
  self->audit_range.last = *last;
  return TRUE;
}

/* Begins a read and applies the actor's own checks: an actor asks only
 * about users and organisations they manage, the same refusal for one
 * that does not exist */
static gboolean
audit_filter_begin (ZidPortal             *self,
                    const ZidAuditFilter  *filter,
                    GError               **error)
{
  GError *local_error = NULL;

  if (!zid_store_begin (self->store, FALSE, error))
    return FALSE;
  if (filter->as != 0 &&
      !_zid_portal_check_authority (self, filter->as, ZID_ACTION_VIEW_USERS, filter->user,
                                    filter->organisation, &local_error))
    {
      zid_store_commit (self->store, NULL);
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
zid_portal_list_audit_filtered (ZidPortal             *self,
                                const ZidAuditFilter  *filter,
                                GError               **error)
{
  return zid_portal_list_audit_page (self, filter, 0, 0, error);
}

GPtrArray *
zid_portal_list_audit_page (ZidPortal             *self,
                            const ZidAuditFilter  *filter,
                            gint64                 before,
                            guint                  limit,
                            GError               **error)
{
  static const ZidAuditFilter none = { 0 };
  g_autofree char *action_prefix = NULL;
  const char *sql;
  ZidDbStmt *stmt = NULL;
  gint64 first, last;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (filter == NULL)
    filter = &none;
  if (filter->action != NULL)
    action_prefix = g_strconcat (filter->action, ".", NULL);

  if (!audit_filter_begin (self, filter, error))
    return NULL;
  sql = audit_sql[filter->user != 0][limit != 0];
  if (!audit_id_range (self, filter, &first, &last, error))
    ;                                           /* stmt NULL: the error is set */
  else if (limit == 0)
    stmt = zid_db_query (self->store, error, sql,
                         "iittiiiii", filter->since, filter->until, filter->action,
                         action_prefix ? action_prefix : "", filter->user,
                         filter->organisation, filter->as, first, last);
  else
    stmt = zid_db_query (self->store, error, sql,
                         "iittiiiiii", filter->since, filter->until, filter->action,
                         action_prefix ? action_prefix : "", filter->user,
                         filter->organisation, filter->as, first,
                         before > 0 ? MIN (last, before - 1) : last, (gint64) limit);
  return read_audit_events (self, stmt, error);
}

gboolean
zid_portal_verify_audit (ZidPortal  *self,
                         gint64     *bad_event,
                         GError    **error)
{
  gint64 bad = 0;
  gboolean ok;

  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);

  if (!zid_store_begin (self->store, FALSE, error))
    return FALSE;
  ok = zid_store_audit_verify (self->store, &bad, error) &&
       zid_store_seal_verify (self->store, error);
  zid_store_commit (self->store, NULL);
  if (bad_event)
    *bad_event = bad;
  return ok;
}
