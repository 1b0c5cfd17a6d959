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

#include "zid-ca-private.h"
#include "zid-error.h"
#include "zid-portal.h"
#include "zid-store-private.h"


#define CODE_BYTES       16   /* 128 bits */
#define SESSION_BYTES    16
#define CHALLENGE_BYTES  32
#define LOGIN_CONTEXT    "zorgid-login-v2\n"
#define UNKNOWN_CODE     "Deze QR-code is onbekend of vervangen door een nieuwere; " \
                         "scan de QR-code opnieuw of vraag de beheerder om een nieuwe"

struct _ZidPortal
{
  GObject         parent_instance;

  char           *data_dir;
  ZidEnvironment  environment;
  ZidClock       *clock;
  ZidStore       *store;

  GMutex          ca_lock;     /* guards ca and the service's TLS identity */
  ZidCa          *ca;
  char           *pin;
  char           *tls_cert;
  char           *tls_key;
};

G_DEFINE_FINAL_TYPE (ZidPortal, zid_portal, G_TYPE_OBJECT)

static const char * const attribute_types[] = { "uzi", "agb", "big", "taak", NULL };

/* Lifecycle */

static void
zid_portal_finalize (GObject *object)
{
  ZidPortal *self = ZID_PORTAL (object);

  zid_store_free (self->store);
  zid_ca_free (self->ca);
  g_free (self->pin);
  g_free (self->tls_cert);
  if (self->tls_key != NULL)
    OPENSSL_cleanse (self->tls_key, strlen (self->tls_key));
  g_free (self->tls_key);
  g_clear_object (&self->clock);
  g_free (self->data_dir);
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
  sqlite3_stmt *stmt;
  gboolean row = FALSE;
  gboolean ok;

  if (!zid_store_begin (self->store, TRUE, error))
    return FALSE;
  ok = (stmt = zid_store_query (self->store, error,
                                "SELECT value FROM settings WHERE key = 'environment'", "")) != NULL &&
       zid_store_step (self->store, stmt, &row, error);
  if (ok && row)
    stored = zid_column_dup (stmt, 0);
  if (stmt)
    sqlite3_reset (stmt);
  if (ok && stored == NULL)
    ok = zid_store_run (self->store, error,
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
                   "De gegevensmap %s hoort bij de omgeving %s, niet bij %s: kies de omgeving %s, "
                   "of een andere gegevensmap", self->data_dir, stored, mine, stored);
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
  g_autoptr(ZidPortal) self = NULL;
  g_autofree char *db_path = NULL;

  g_return_val_if_fail (data_dir != NULL, NULL);

  if (g_mkdir_with_parents (data_dir, 0700) != 0)
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_IO,
                   "Kan de gegevensmap %s niet aanmaken: %s", data_dir, g_strerror (errno));
      return NULL;
    }
  if (g_chmod (data_dir, 0700) != 0)
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_IO,
                   "Kan de rechten van de gegevensmap %s niet instellen: %s",
                   data_dir, g_strerror (errno));
      return NULL;
    }

  self = g_object_new (ZID_TYPE_PORTAL, NULL);
  self->data_dir = g_strdup (data_dir);
  self->environment = environment;
  self->clock = clock ? g_object_ref (clock) : default_clock (environment);

  db_path = g_build_filename (data_dir, "zorgid.db", NULL);
  self->store = zid_store_open (db_path, error);
  if (self->store == NULL || !bind_environment (self, error))
    return NULL;

  return g_steal_pointer (&self);
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

static gint64
now (ZidPortal *self)
{
  return zid_clock_now (self->clock);
}

/* Transactions and the audit trail */

static char *
actor_label (gint64 actor)
{
  return g_strdup_printf ("user:%" G_GINT64_FORMAT, actor);
}

static char *
user_label (gint64 user)
{
  return g_strdup_printf ("user:%" G_GINT64_FORMAT, user);
}

static gboolean
audit (ZidPortal   *self,
       const char  *actor,
       const char  *action,
       const char  *subject,
       const char  *details,
       GError     **error)
{
  return zid_store_audit_append (self->store, now (self), actor, action, subject, details, error);
}

static gboolean
is_refusal (const GError *error)
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

/* Ends the transaction that began with zid_store_begin(): commits when
 * @ok, else rolls back, records a refusal by a rule in the audit trail (in a
 * transaction of its own) and hands @local_error to the caller. */
static gboolean
finish (ZidPortal   *self,
        gboolean     ok,
        GError      *local_error,
        GError     **error,
        const char  *actor,
        const char  *action,
        const char  *subject)
{
  if (ok)
    return zid_store_commit (self->store, error);

  zid_store_rollback (self->store);

  if (is_refusal (local_error))
    {
      g_autofree char *refused = g_strconcat (action, ".refused", NULL);
      g_autofree char *details = g_strdup_printf ("%s: %s",
                                                  zid_error_code_name (local_error->code),
                                                  local_error->message);
      g_autoptr(GError) audit_error = NULL;

      if (zid_store_begin (self->store, TRUE, &audit_error))
        {
          if (audit (self, actor, refused, subject, details, &audit_error))
            zid_store_commit (self->store, &audit_error);
          else
            zid_store_rollback (self->store);
        }
      if (audit_error != NULL)
        g_warning ("Could not record a refusal in the audit trail: %s", audit_error->message);
    }

  g_propagate_error (error, local_error);
  return FALSE;
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
  if (!audit (self, actor, action, subject, details, error))
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
  sqlite3_stmt *stmt;
  gboolean row = FALSE;
  char *value = NULL;

  if (!zid_store_begin (self->store, FALSE, NULL))
    return NULL;
  stmt = zid_store_query (self->store, NULL, "SELECT value FROM settings WHERE key = ?", "t", key);
  if (stmt != NULL && zid_store_step (self->store, stmt, &row, NULL) && row)
    value = zid_column_dup (stmt, 0);
  if (stmt)
    sqlite3_reset (stmt);
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
    address = g_strdup_printf ("%s:8443", g_get_host_name ());
  return address;
}

gboolean
zid_portal_set_service_address (ZidPortal   *self,
                                const char  *address,
                                GError     **error)
{
  g_autofree char *host = NULL;
  g_autoptr(GError) local_error = NULL;
  guint16 port;
  gboolean ok;

  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);

  if (!parse_address (address, &host, &port))
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT,
                   "Ongeldig adres “%s”: gebruik HOST:POORT, bijvoorbeeld 192.168.1.10:8443",
                   address ? address : "");
      return FALSE;
    }

  if (!zid_store_begin (self->store, TRUE, error))
    return FALSE;
  ok = zid_store_run (self->store, &local_error,
                      "INSERT OR REPLACE INTO settings (key, value) VALUES ('service-address', ?)",
                      "t", address) &&
       audit (self, "operator", "config.service-address", NULL, address, &local_error);
  return finish (self, ok, g_steal_pointer (&local_error), error, "operator",
                 "config.service-address", NULL);
}

/* The local CA */

static ZidCa *
ensure_ca (ZidPortal  *self,
           GError    **error)
{
  ZidCa *ca;

  g_mutex_lock (&self->ca_lock);
  if (self->ca == NULL)
    {
      g_autofree char *dir = g_build_filename (self->data_dir, "ca", NULL);
      self->ca = zid_ca_open (dir, zid_environment_to_string (self->environment),
                              now (self), error);
    }
  ca = self->ca;
  g_mutex_unlock (&self->ca_lock);
  return ca;
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
  guint16 port;
  ZidCa *ca;

  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);

  if ((ca = ensure_ca (self, error)) == NULL)
    return FALSE;

  address = zid_portal_dup_service_address (self);
  if (!parse_address (address, &host, &port))
    host = g_strdup ("localhost");
  dir = g_build_filename (self->data_dir, "service-tls", NULL);

  /* made once per data dir, read once per process (every code's payload
   * carries the pin) */
  g_mutex_lock (&self->ca_lock);
  if (self->tls_cert == NULL &&
      !zid_ca_ensure_server (ca, dir, host, now (self), &self->tls_cert, &self->tls_key, error))
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
  return TRUE;
}

char *
zid_portal_dup_ca_pem (ZidPortal  *self,
                       GError    **error)
{
  ZidCa *ca;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if ((ca = ensure_ca (self, error)) == NULL)
    return NULL;
  return zid_ca_dup_pem (ca);
}

char *
zid_portal_dup_crl_pem (ZidPortal  *self,
                        GError    **error)
{
  g_autoptr(GArray) revoked = g_array_new (FALSE, FALSE, sizeof (ZidCaRevoked));
  g_autoptr(GPtrArray) serials = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  gboolean row;
  ZidCa *ca;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if ((ca = ensure_ca (self, error)) == NULL || !zid_store_begin (self->store, FALSE, error))
    return NULL;
  stmt = zid_store_query (self->store, error,
                          "SELECT serial, revoked_at FROM certificates"
                          " WHERE revoked_at IS NOT NULL ORDER BY serial", "");
  while (stmt != NULL && zid_store_step (self->store, stmt, &row, error) && row)
    {
      ZidCaRevoked entry;
      char *serial = zid_column_dup (stmt, 0);

      g_ptr_array_add (serials, serial);
      entry.serial = serial;
      entry.revoked_at = sqlite3_column_int64 (stmt, 1);
      g_array_append_val (revoked, entry);
    }
  zid_store_commit (self->store, NULL);
  if (error && *error)
    return NULL;

  return zid_ca_make_crl (ca, (ZidCaRevoked *) (void *) revoked->data, revoked->len,
                          now (self), error);
}

/* One-time codes: 128 bits from the CSPRNG, stored only as SHA-256 */

static void
code_hash (const char *code,
           guint8      hash[32])
{
  zid_sha256 (code, strlen (code), hash);
}

static char *
make_payload (ZidPortal   *self,
              const char  *kind,
              const char  *params,
              GError     **error)
{
  g_autofree char *pin = NULL;
  g_autofree char *address = NULL;

  if (!zid_portal_get_service_tls (self, NULL, NULL, &pin, error))
    return NULL;
  address = zid_portal_dup_service_address (self);
  return g_strdup_printf ("zorgid://%s?v=1&env=%s&host=%s&pin=%s&%s",
                          kind, zid_environment_to_string (self->environment),
                          address, pin, params);
}

/* Inside a write transaction: a new code for @user; earlier unused codes of
 * the user stop working (only the QR shown last is valid). */
static ZidEnrolment *
new_code (ZidPortal       *self,
          gint64           user,
          ZidCodePurpose   purpose,
          GError         **error)
{
  g_autoptr(ZidEnrolment) enrolment = g_new0 (ZidEnrolment, 1);
  g_autofree char *params = NULL;
  guint8 hash[32];

  enrolment->user_id = user;
  enrolment->purpose = purpose;
  enrolment->code = zid_random_token (CODE_BYTES);
  enrolment->expires = now (self) + ZID_ENROLMENT_CODE_LIFETIME;
  code_hash (enrolment->code, hash);

  params = g_strdup_printf ("code=%s", enrolment->code);
  enrolment->payload = make_payload (self, "enrol", params, error);
  OPENSSL_cleanse (params, strlen (params));
  if (enrolment->payload == NULL)
    return NULL;

  if (!zid_store_run (self->store, error,
                      "DELETE FROM codes WHERE user_id = ? AND used IS NULL", "i", user) ||
      !zid_store_run (self->store, error,
                      "INSERT INTO codes (hash, purpose, user_id, created, expires)"
                      " VALUES (?, ?, ?, ?, ?)",
                      "biiii", hash, (gsize) 32, (gint64) purpose, user, now (self),
                      enrolment->expires))
    return NULL;

  return g_steal_pointer (&enrolment);
}

/* Lookups (inside a transaction) */

static gboolean
load_user_row (ZidPortal  *self,
               gint64      user,
               gboolean   *blocked,
               int        *mobile_id,
               GError    **error)
{
  sqlite3_stmt *stmt;
  gboolean row;

  stmt = zid_store_query (self->store, error,
                          "SELECT blocked, mobile_id FROM users WHERE id = ?", "i", user);
  if (stmt == NULL || !zid_store_step (self->store, stmt, &row, error))
    return FALSE;
  if (!row)
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_NOT_FOUND,
                   "Gebruiker %" G_GINT64_FORMAT " bestaat niet", user);
      return FALSE;
    }
  if (blocked)
    *blocked = sqlite3_column_int (stmt, 0) != 0;
  if (mobile_id)
    *mobile_id = sqlite3_column_int (stmt, 1);
  sqlite3_reset (stmt);
  return TRUE;
}

static gboolean
check_organisation (ZidPortal  *self,
                    gint64      organisation,
                    GError    **error)
{
  sqlite3_stmt *stmt;
  gboolean row;

  stmt = zid_store_query (self->store, error, "SELECT 1 FROM organisations WHERE id = ?",
                          "i", organisation);
  if (stmt == NULL || !zid_store_step (self->store, stmt, &row, error))
    return FALSE;
  sqlite3_reset (stmt);
  if (!row)
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_NOT_FOUND,
                   "Organisatie %" G_GINT64_FORMAT " bestaat niet", organisation);
      return FALSE;
    }
  return TRUE;
}

static ZidRole
role_in (ZidPortal *self,
         gint64     user,
         gint64     organisation)
{
  sqlite3_stmt *stmt;
  gboolean row = FALSE;
  ZidRole role = ZID_ROLE_NONE;

  stmt = zid_store_query (self->store, NULL,
                          "SELECT role FROM memberships WHERE organisation_id = ? AND user_id = ?",
                          "ii", organisation, user);
  if (stmt != NULL && zid_store_step (self->store, stmt, &row, NULL) && row)
    role = (ZidRole) sqlite3_column_int (stmt, 0);
  if (stmt)
    sqlite3_reset (stmt);
  return role;
}

/* What the actor's memberships allow over @user: in any organisation they
 * share, may the actor see the user, act as Administrator, or act as
 * Beheerder over a Gebruiker? */
typedef struct
{
  gboolean view;
  gboolean administrator;
  gboolean beheerder;
} Authority;

static Authority
authority_over (ZidPortal *self,
                gint64     actor,
                gint64     user)
{
  Authority a = { FALSE, FALSE, FALSE };
  sqlite3_stmt *stmt;
  gboolean row;

  stmt = zid_store_query (self->store, NULL,
                          "SELECT a.role, t.role FROM memberships a"
                          " JOIN memberships t ON t.organisation_id = a.organisation_id"
                          " WHERE a.user_id = ? AND t.user_id = ?",
                          "ii", actor, user);
  while (stmt != NULL && zid_store_step (self->store, stmt, &row, NULL) && row)
    {
      ZidRole mine = (ZidRole) sqlite3_column_int (stmt, 0);
      ZidRole theirs = (ZidRole) sqlite3_column_int (stmt, 1);

      if (mine >= ZID_ROLE_BEHEERDER)
        a.view = TRUE;
      if (mine == ZID_ROLE_ADMINISTRATOR)
        a.administrator = TRUE;
      if (mine == ZID_ROLE_BEHEERDER && theirs == ZID_ROLE_GEBRUIKER)
        a.beheerder = TRUE;
    }
  if (stmt)
    sqlite3_reset (stmt);
  return a;
}

/* Blocking, activating and certificates act on the user's one national
 * mobile ID, which carries every role they hold. So over a user who is
 * Beheerder or Administrator of an organisation only an Administrator of
 * that organisation may act: sharing another organisation where the user
 * is a Gebruiker is not enough. The first such organisation the actor
 * does not administer, with the user's role there, or NULL. */
static char *
role_beyond_authority (ZidPortal *self,
                       gint64     actor,
                       gint64     user,
                       ZidRole   *role)
{
  sqlite3_stmt *stmt;
  gboolean row = FALSE;
  char *name = NULL;

  stmt = zid_store_query (self->store, NULL,
                          "SELECT o.name, t.role FROM memberships t"
                          " JOIN organisations o ON o.id = t.organisation_id"
                          " WHERE t.user_id = ? AND t.role >= ? AND NOT EXISTS"
                          " (SELECT 1 FROM memberships a WHERE a.user_id = ?"
                          "  AND a.organisation_id = t.organisation_id AND a.role = ?)"
                          " ORDER BY o.name LIMIT 1",
                          "iiii", user, (gint64) ZID_ROLE_BEHEERDER, actor,
                          (gint64) ZID_ROLE_ADMINISTRATOR);
  /* a failed query counts as beyond: refuse rather than allow */
  if (stmt == NULL || !zid_store_step (self->store, stmt, &row, NULL))
    name = g_strdup ("?");
  else if (row)
    {
      name = zid_column_dup (stmt, 0);
      *role = (ZidRole) sqlite3_column_int (stmt, 1);
    }
  if (stmt)
    sqlite3_reset (stmt);
  return name;
}

static gboolean
refuse (GError     **error,
        ZidError     code,
        const char  *format,
        ...) G_GNUC_PRINTF (3, 4);

static gboolean
refuse (GError     **error,
        ZidError     code,
        const char  *format,
        ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (ZID_ERROR, code, format, args));
  va_end (args);
  return FALSE;
}

/* The actor exists, is not blocked, and has portal access (Administrator
 * or Beheerder somewhere). */
static gboolean
check_actor (ZidPortal  *self,
             gint64      actor,
             GError    **error)
{
  sqlite3_stmt *stmt;
  gboolean blocked;
  gboolean row;

  if (!load_user_row (self, actor, &blocked, NULL, error))
    return FALSE;
  if (blocked)
    return refuse (error, ZID_ERROR_ACTOR_BLOCKED,
                   "Uw ZORG-ID is geblokkeerd: u kunt het portaal niet gebruiken");

  stmt = zid_store_query (self->store, error,
                          "SELECT 1 FROM memberships WHERE user_id = ? AND role >= 2 LIMIT 1",
                          "i", actor);
  if (stmt == NULL || !zid_store_step (self->store, stmt, &row, error))
    return FALSE;
  sqlite3_reset (stmt);
  if (!row)
    return refuse (error, ZID_ERROR_NO_PORTAL_ACCESS,
                   "Geen toegang tot het portaal: alleen een Administrator of Beheerder "
                   "mag het portaal gebruiken");
  return TRUE;
}

static gboolean
check_action_locked (ZidPortal  *self,
                     gint64      actor,
                     ZidAction   action,
                     gint64      user,
                     gint64      organisation,
                     GError    **error)
{
  ZidRole role = ZID_ROLE_NONE;
  Authority over = { FALSE, FALSE, FALSE };
  g_autofree char *beyond = NULL;
  ZidRole beyond_role = ZID_ROLE_NONE;

  if (!check_actor (self, actor, error))
    return FALSE;
  if (organisation != 0)
    {
      if (!check_organisation (self, organisation, error))
        return FALSE;
      role = role_in (self, actor, organisation);
    }
  if (user != 0)
    {
      if (!load_user_row (self, user, NULL, NULL, error))
        return FALSE;
      over = authority_over (self, actor, user);
      if (user == actor)
        over.view = TRUE;
    }

  switch (action)
    {
    case ZID_ACTION_VIEW_USERS:
      if (organisation != 0 && role < ZID_ROLE_BEHEERDER)
        return refuse (error, ZID_ERROR_NOT_PERMITTED,
                       "U beheert deze organisatie niet (scheiding tussen organisaties)");
      if (user != 0 && !over.view)
        return refuse (error, ZID_ERROR_NOT_PERMITTED,
                       "Deze gebruiker hoort niet bij een organisatie die u beheert "
                       "(scheiding tussen organisaties)");
      return TRUE;

    case ZID_ACTION_REGISTER_USER:
    case ZID_ACTION_SET_MEMBERSHIP:
      if (role < ZID_ROLE_BEHEERDER)
        return refuse (error, ZID_ERROR_NOT_PERMITTED,
                       "U mag in deze organisatie geen gebruikers registreren: u bent er "
                       "geen Administrator of Beheerder (scheiding tussen organisaties)");
      if (user != 0 && !over.view)
        return refuse (error, ZID_ERROR_NOT_PERMITTED,
                       "Deze gebruiker hoort niet bij een organisatie die u beheert "
                       "(scheiding tussen organisaties)");
      return TRUE;

    case ZID_ACTION_ADD_ATTRIBUTE:
    case ZID_ACTION_VIEW_INACTIVE:
      if (role != ZID_ROLE_ADMINISTRATOR)
        return refuse (error, ZID_ERROR_NOT_PERMITTED,
                       action == ZID_ACTION_ADD_ATTRIBUTE
                         ? "Alleen een Administrator van de organisatie mag attributen registreren"
                         : "Alleen een Administrator van de organisatie mag inactieve gebruikers bekijken");
      if (user != 0 && role_in (self, user, organisation) == ZID_ROLE_NONE)
        return refuse (error, ZID_ERROR_NOT_PERMITTED,
                       "De gebruiker hoort niet bij deze organisatie");
      return TRUE;

    case ZID_ACTION_BLOCK:
    case ZID_ACTION_UNBLOCK:
      if (!over.administrator)
        return refuse (error, ZID_ERROR_NOT_PERMITTED,
                       "Alleen een Administrator van een organisatie van deze gebruiker mag "
                       "blokkeren of activeren");
      break;

    case ZID_ACTION_REVOKE_CERTIFICATE:
    case ZID_ACTION_NEW_CERTIFICATE:
      if (!over.administrator && !over.beheerder)
        return refuse (error, ZID_ERROR_NOT_PERMITTED,
                       over.view
                         ? "Een Beheerder mag alleen certificaten van gebruikers met de rol Gebruiker beheren"
                         : "Deze gebruiker hoort niet bij een organisatie die u beheert "
                           "(scheiding tussen organisaties)");
      break;

    default:
      g_return_val_if_reached (FALSE);
    }

  /* the rest act on the user's national mobile ID */
  if (user != actor &&
      (beyond = role_beyond_authority (self, actor, user, &beyond_role)) != NULL)
    return refuse (error, ZID_ERROR_NOT_PERMITTED,
                   "Deze gebruiker is ook %s van %s: alleen een Administrator van die "
                   "organisatie mag de ZORG-ID blokkeren, activeren of er certificaten voor beheren",
                   zid_role_to_string (beyond_role), beyond);
  return TRUE;
}

gboolean
zid_portal_check_action (ZidPortal  *self,
                         gint64      actor,
                         ZidAction   action,
                         gint64      user,
                         gint64      organisation,
                         GError    **error)
{
  gboolean ok;

  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);

  if (!zid_store_begin (self->store, FALSE, error))
    return FALSE;
  ok = check_action_locked (self, actor, action, user, organisation, error);
  zid_store_commit (self->store, NULL);
  return ok;
}

static gboolean
may_assign_role_locked (ZidPortal *self,
                        gint64     actor,
                        gint64     organisation,
                        ZidRole    role)
{
  ZidRole mine = role_in (self, actor, organisation);

  if (role == ZID_ROLE_NONE)
    return FALSE;
  if (mine == ZID_ROLE_ADMINISTRATOR)
    return TRUE;
  return mine == ZID_ROLE_BEHEERDER && role == ZID_ROLE_GEBRUIKER;
}

gboolean
zid_portal_may_assign_role (ZidPortal *self,
                            gint64     actor,
                            gint64     organisation,
                            ZidRole    role)
{
  gboolean ok;

  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);

  if (!zid_store_begin (self->store, FALSE, NULL))
    return FALSE;
  ok = check_actor (self, actor, NULL) && may_assign_role_locked (self, actor, organisation, role);
  zid_store_commit (self->store, NULL);
  return ok;
}

/* Name search keys: every word of the first and last name, the whole last
 * name and "first last", case folded without accents. */
static gboolean
index_names (ZidPortal   *self,
             gint64       organisation,
             gint64       user,
             const char  *first_name,
             const char  *last_name,
             GError     **error)
{
  g_auto(GStrv) keys = zid_name_keys (first_name, last_name);

  for (guint i = 0; keys[i]; i++)
    if (!zid_store_run (self->store, error,
                        "INSERT OR IGNORE INTO name_keys (organisation_id, key, user_id)"
                        " VALUES (?, ?, ?)",
                        "iti", organisation, keys[i], user))
      return FALSE;
  return TRUE;
}

static gboolean
set_membership_row (ZidPortal  *self,
                    gint64      user,
                    gint64      organisation,
                    ZidRole     role,
                    GError    **error)
{
  sqlite3_stmt *stmt;
  gboolean row;
  g_autofree char *first = NULL;
  g_autofree char *last = NULL;

  if (!zid_store_run (self->store, error,
                      "INSERT INTO memberships (organisation_id, user_id, role) VALUES (?, ?, ?)"
                      " ON CONFLICT (organisation_id, user_id) DO UPDATE SET role = excluded.role",
                      "iii", organisation, user, (gint64) role))
    return FALSE;

  stmt = zid_store_query (self->store, error,
                          "SELECT first_name, last_name FROM users WHERE id = ?", "i", user);
  if (stmt == NULL || !zid_store_step (self->store, stmt, &row, error))
    return FALSE;
  first = zid_column_dup (stmt, 0);
  last = zid_column_dup (stmt, 1);
  sqlite3_reset (stmt);

  return index_names (self, organisation, user, first, last, error);
}

static gint64
insert_user (ZidPortal   *self,
             const char  *first_name,
             const char  *last_name,
             const char  *birth_date,
             const char  *uzi_number,
             GError     **error)
{
  g_autofree char *first = g_strstrip (g_strdup (first_name));
  g_autofree char *last = g_strstrip (g_strdup (last_name));

  if (!zid_store_run (self->store, error,
                      "INSERT INTO users (first_name, last_name, birth_date, registered, uzi_number)"
                      " VALUES (?, ?, ?, ?, ?)",
                      "tttit", first, last, birth_date, now (self), uzi_number))
    return 0;
  return sqlite3_last_insert_rowid (zid_store_get_db (self->store));
}

static gboolean
validate_person (ZidPortal   *self,
                 const char  *first_name,
                 const char  *last_name,
                 const char  *birth_date,
                 GError     **error)
{
  return zid_validate_name ("De voornaam", first_name, error) &&
         zid_validate_name ("De achternaam", last_name, error) &&
         zid_validate_birth_date (birth_date, now (self), error);
}

/* Reads every row of @stmt (NULL: the query failed or was refused, with
 * @error set) into a new array and ends the read transaction. */
typedef gpointer (*RowReader) (sqlite3_stmt *stmt);

static GPtrArray *
read_rows (ZidPortal       *self,
           sqlite3_stmt    *stmt,
           RowReader        read,
           GDestroyNotify   free_row,
           GError         **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (free_row);
  gboolean ok = stmt != NULL;
  gboolean row;

  while (ok && (ok = zid_store_step (self->store, stmt, &row, error)) && row)
    g_ptr_array_add (list, read (stmt));
  zid_store_commit (self->store, NULL);
  return ok ? g_steal_pointer (&list) : NULL;
}

/* Registrations */

static ZidRegistration *
registration_from_row (sqlite3_stmt *stmt)
{
  ZidRegistration *r = g_new0 (ZidRegistration, 1);

  r->id = sqlite3_column_int64 (stmt, 0);
  r->ura = zid_column_dup (stmt, 1);
  r->name = zid_column_dup (stmt, 2);
  r->agb = zid_column_dup (stmt, 3);
  r->address = zid_column_dup (stmt, 4);
  r->reference = zid_column_dup (stmt, 5);
  r->created = sqlite3_column_int64 (stmt, 6);
  r->completed = sqlite3_column_int64 (stmt, 7);
  r->organisation_id = sqlite3_column_int64 (stmt, 8);
  return r;
}

#define REGISTRATION_COLUMNS \
  "id, ura, name, agb, address, reference, created, completed, organisation_id"

static ZidRegistration *
find_registration_locked (ZidPortal   *self,
                          const char  *ura,
                          GError     **error)
{
  sqlite3_stmt *stmt;
  gboolean row;
  ZidRegistration *r = NULL;

  stmt = zid_store_query (self->store, error,
                          "SELECT " REGISTRATION_COLUMNS " FROM registrations WHERE ura = ?",
                          "t", ura);
  if (stmt == NULL || !zid_store_step (self->store, stmt, &row, error))
    return NULL;
  if (row)
    r = registration_from_row (stmt);
  sqlite3_reset (stmt);
  if (r == NULL)
    g_set_error (error, ZID_ERROR, ZID_ERROR_NO_REGISTRATION,
                 "Er is geen organisatieregistratie voor URA %s voorbereid; neem contact op met VZVZ",
                 ura);
  return r;
}

ZidRegistration *
zid_portal_find_registration (ZidPortal   *self,
                              const char  *ura,
                              GError     **error)
{
  ZidRegistration *r;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!zid_validate_ura (ura, error) || !zid_store_begin (self->store, FALSE, error))
    return NULL;
  r = find_registration_locked (self, ura, error);
  zid_store_commit (self->store, NULL);
  return r;
}

gint64
zid_portal_add_registration (ZidPortal   *self,
                             const char  *ura,
                             const char  *name,
                             const char  *agb,
                             const char  *address,
                             const char  *reference,
                             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ZidRegistration) existing = NULL;
  g_autofree char *details = NULL;
  gint64 id = 0;
  gboolean ok;

  g_return_val_if_fail (ZID_IS_PORTAL (self), 0);

  if (!zid_validate_ura (ura, error) ||
      !zid_validate_name ("De naam van de organisatie", name, error) ||
      !zid_validate_agb (agb, error))
    return 0;
  if (address != NULL && !zid_validate_name ("Het adres", address, error))
    return 0;
  if (reference != NULL && !zid_validate_name ("De referentie", reference, error))
    return 0;
  if (agb != NULL && *agb == '\0')
    agb = NULL;

  if (!zid_store_begin (self->store, TRUE, error))
    return 0;

  existing = find_registration_locked (self, ura, NULL);
  if (existing != NULL)
    {
      /* The same registration again is harmless; a different one for the
       * same URA is refused rather than silently overwriting it. */
      if (g_strcmp0 (existing->name, name) == 0 &&
          g_strcmp0 (existing->agb, agb) == 0 &&
          g_strcmp0 (existing->address, address) == 0 &&
          g_strcmp0 (existing->reference, reference) == 0)
        {
          zid_store_commit (self->store, NULL);
          return existing->id;
        }
      zid_store_rollback (self->store);
      g_set_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT,
                   "Er bestaat al een andere registratie voor URA %s (%s)%s",
                   ura, existing->name,
                   existing->completed ? ", en die is al afgerond" : "");
      return 0;
    }

  details = g_strdup_printf ("name=%s agb=%s reference=%s", name, agb ? agb : "",
                             reference ? reference : "");
  ok = zid_store_run (self->store, &local_error,
                      "INSERT INTO registrations (ura, name, agb, address, reference, created)"
                      " VALUES (?, ?, ?, ?, ?, ?)",
                      "ttttti", ura, name, agb, address, reference, now (self));
  if (ok)
    {
      id = sqlite3_last_insert_rowid (zid_store_get_db (self->store));
      ok = audit (self, "operator", "registration.add", ura, details, &local_error);
    }
  if (!finish (self, ok, g_steal_pointer (&local_error), error, "operator", "registration.add", ura))
    return 0;
  return id;
}

GPtrArray *
zid_portal_list_registrations (ZidPortal  *self,
                               gboolean    include_completed,
                               GError    **error)
{
  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!zid_store_begin (self->store, FALSE, error))
    return NULL;
  return read_rows (self,
                    zid_store_query (self->store, error,
                                     "SELECT " REGISTRATION_COLUMNS " FROM registrations"
                                     " WHERE ? OR completed IS NULL ORDER BY ura",
                                     "i", (gint64) include_completed),
                    (RowReader) registration_from_row,
                    (GDestroyNotify) zid_registration_free, error);
}

/* Inside a write transaction: the organisation of a pending registration */
static gint64
create_organisation (ZidPortal        *self,
                     ZidRegistration  *r,
                     GError          **error)
{
  gint64 id;

  if (!zid_store_run (self->store, error,
                      "INSERT INTO organisations (ura, name, agb, address, created)"
                      " VALUES (?, ?, ?, ?, ?)",
                      "tttti",
                      r->ura, r->name, r->agb, r->address, now (self)))
    return 0;
  id = sqlite3_last_insert_rowid (zid_store_get_db (self->store));
  if (!zid_store_run (self->store, error,
                      "UPDATE registrations SET completed = ?, organisation_id = ?"
                      " WHERE id = ? AND completed IS NULL",
                      "iii", now (self), id, r->id))
    return 0;
  if (sqlite3_changes (zid_store_get_db (self->store)) != 1)
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_REGISTRATION_COMPLETED,
                   "De registratie van URA %s is al afgerond", r->ura);
      return 0;
    }
  return id;
}

static ZidRegistration *
pending_registration (ZidPortal   *self,
                      const char  *ura,
                      GError     **error)
{
  g_autoptr(ZidRegistration) r = find_registration_locked (self, ura, error);

  if (r == NULL)
    return NULL;
  if (r->completed != 0)
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_REGISTRATION_COMPLETED,
                   "De registratie van %s (URA %s) is al afgerond", r->name, ura);
      return NULL;
    }
  return g_steal_pointer (&r);
}

ZidEnrolment *
zid_portal_bootstrap (ZidPortal   *self,
                      const char  *ura,
                      const char  *first_name,
                      const char  *last_name,
                      const char  *birth_date,
                      GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ZidRegistration) r = NULL;
  g_autoptr(ZidEnrolment) enrolment = NULL;
  g_autofree char *details = NULL;
  gint64 org = 0;
  gint64 user = 0;
  gboolean ok;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!zid_validate_ura (ura, error) ||
      !validate_person (self, first_name, last_name, birth_date, error))
    return NULL;

  if (!zid_store_begin (self->store, TRUE, error))
    return NULL;

  if (self->environment != ZID_ENVIRONMENT_ACCEPTATIE)
    ok = refuse (&local_error, ZID_ERROR_WRONG_ENVIRONMENT,
                 "Een organisatie opzetten zonder UZI-pas kan alleen in acceptatie; "
                 "in productie rondt u de registratie af met uw UZI-pas");
  else
    ok = (r = pending_registration (self, ura, &local_error)) != NULL &&
         (org = create_organisation (self, r, &local_error)) != 0 &&
         (user = insert_user (self, first_name, last_name, birth_date, NULL, &local_error)) != 0 &&
         set_membership_row (self, user, org, ZID_ROLE_ADMINISTRATOR, &local_error) &&
         (enrolment = new_code (self, user, ZID_CODE_ENROLMENT, &local_error)) != NULL;

  if (ok)
    {
      g_autofree char *subject = user_label (user);
      details = g_strdup_printf ("organisation=%s administrator=%s", ura, subject);
      ok = audit (self, "operator", "organisation.bootstrap", ura, details, &local_error);
    }
  if (!finish (self, ok, g_steal_pointer (&local_error), error, "operator",
               "organisation.bootstrap", ura))
    return NULL;
  return g_steal_pointer (&enrolment);
}

/* Organisation registration with the UZI-pas (manual §7) */

static gboolean
check_holder (const ZidCardHolder  *holder,
              GError              **error)
{
  if (holder == NULL || holder->uzi_number == NULL || *holder->uzi_number == '\0' ||
      holder->subscriber_number == NULL)
    return refuse (error, ZID_ERROR_INVALID_INPUT, "De gegevens van de UZI-pas ontbreken");
  if (holder->card_type != 'Z' && holder->card_type != 'N')
    return refuse (error, ZID_ERROR_NOT_PERMITTED,
                   "Een organisatieregistratie afronden kan alleen met een persoonsgebonden "
                   "UZI-pas (zorgverlenerspas Z of medewerkerspas N); deze pas is van type %c",
                   holder->card_type ? holder->card_type : '?');
  return zid_validate_ura (holder->subscriber_number, error);
}

/* The user already linked to the UZI number, if any */
static gint64
linked_user (ZidPortal   *self,
             const char  *uzi_number,
             gboolean    *enrolled,
             gboolean    *blocked)
{
  sqlite3_stmt *stmt;
  gboolean row = FALSE;
  gint64 user = 0;

  stmt = zid_store_query (self->store, NULL,
                          "SELECT id, mobile_id, blocked FROM users WHERE uzi_number = ?",
                          "t", uzi_number);
  if (stmt != NULL && zid_store_step (self->store, stmt, &row, NULL) && row)
    {
      user = sqlite3_column_int64 (stmt, 0);
      *enrolled = sqlite3_column_int (stmt, 1) == ZID_MOBILE_ID_ACTIVE;
      *blocked = sqlite3_column_int (stmt, 2) != 0;
    }
  if (stmt)
    sqlite3_reset (stmt);
  return user;
}

ZidRegistration *
zid_portal_check_registration (ZidPortal            *self,
                               const ZidCardHolder  *holder,
                               gint64               *existing_user,
                               GError              **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ZidRegistration) r = NULL;
  g_autofree char *actor = NULL;
  gboolean enrolled = FALSE;
  gboolean blocked = FALSE;
  gint64 user;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (existing_user)
    *existing_user = 0;
  if (!check_holder (holder, &local_error))
    goto refused;

  if (!zid_store_begin (self->store, FALSE, error))
    return NULL;
  r = pending_registration (self, holder->subscriber_number, &local_error);
  user = linked_user (self, holder->uzi_number, &enrolled, &blocked);
  zid_store_commit (self->store, NULL);
  if (r == NULL)
    goto refused;

  if (existing_user && enrolled && !blocked)
    *existing_user = user;
  return g_steal_pointer (&r);

refused:
  actor = g_strdup_printf ("card:%s", holder && holder->uzi_number ? holder->uzi_number : "?");
  if (is_refusal (local_error))
    {
      g_autofree char *details = g_strdup_printf ("%s: %s", zid_error_code_name (local_error->code),
                                                  local_error->message);
      zid_portal_audit (self, actor, "registration.check.refused",
                        holder ? holder->subscriber_number : NULL, details, NULL);
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

ZidCompletion *
zid_portal_complete_registration (ZidPortal            *self,
                                  const ZidCardHolder  *holder,
                                  const char           *birth_date,
                                  GError              **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ZidRegistration) r = NULL;
  g_autoptr(ZidCompletion) completion = g_new0 (ZidCompletion, 1);
  g_autofree char *actor = NULL;
  g_autofree char *details = NULL;
  gboolean enrolled = FALSE;
  gboolean blocked = FALSE;
  gboolean ok;
  gint64 user;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!check_holder (holder, error))
    return NULL;
  actor = g_strdup_printf ("card:%s", holder->uzi_number);

  if (!zid_store_begin (self->store, TRUE, error))
    return NULL;

  user = linked_user (self, holder->uzi_number, &enrolled, &blocked);
  ok = (r = pending_registration (self, holder->subscriber_number, &local_error)) != NULL;
  if (ok && blocked)
    ok = refuse (&local_error, ZID_ERROR_USER_BLOCKED,
                 "Uw ZORG-ID is geblokkeerd; u kunt de registratie niet afronden");
  if (ok && !enrolled)
    {
      /* A new mobile ID: the card holder's data and the birth date */
      ok = zid_validate_name ("De voornaam op de UZI-pas", holder->given_name, &local_error) &&
           zid_validate_name ("De achternaam op de UZI-pas", holder->surname, &local_error) &&
           zid_validate_birth_date (birth_date, now (self), &local_error);
      if (ok && user == 0)
        ok = (user = insert_user (self, holder->given_name, holder->surname, birth_date,
                                  holder->uzi_number, &local_error)) != 0;
    }
  ok = ok &&
       (completion->organisation_id = create_organisation (self, r, &local_error)) != 0 &&
       set_membership_row (self, user, completion->organisation_id,
                           ZID_ROLE_ADMINISTRATOR, &local_error);
  if (ok && !enrolled)
    ok = (completion->enrolment = new_code (self, user, ZID_CODE_ENROLMENT, &local_error)) != NULL;

  if (ok)
    {
      g_autofree char *subject = user_label (user);

      completion->user_id = user;
      completion->existing_mobile_id = enrolled;
      details = g_strdup_printf ("organisation=%s administrator=%s mobile-id=%s",
                                 holder->subscriber_number, subject,
                                 enrolled ? "existing" : "new");
      ok = audit (self, actor, "registration.complete", holder->subscriber_number, details,
                  &local_error);
    }
  if (!finish (self, ok, g_steal_pointer (&local_error), error, actor, "registration.complete",
               holder->subscriber_number))
    return NULL;
  return g_steal_pointer (&completion);
}

/* Users */

#define USER_COLUMNS \
  "u.id, u.first_name, u.last_name, u.birth_date, u.blocked, u.block_reason," \
  " u.registered, u.last_use, u.mobile_id, u.uzi_number"
#define N_USER_COLUMNS 10

static ZidUser *
user_from_row (sqlite3_stmt *stmt)
{
  return zid_user_new (sqlite3_column_int64 (stmt, 0),
                       (const char *) sqlite3_column_text (stmt, 1),
                       (const char *) sqlite3_column_text (stmt, 2),
                       (const char *) sqlite3_column_text (stmt, 3),
                       sqlite3_column_int (stmt, 4) != 0,
                       (ZidBlockReason) sqlite3_column_int (stmt, 5),
                       sqlite3_column_int64 (stmt, 6),
                       sqlite3_column_int64 (stmt, 7),
                       (ZidMobileIdState) sqlite3_column_int (stmt, 8),
                       (const char *) sqlite3_column_text (stmt, 9));
}

/* A list of 100,000 users names a handful of organisations: consecutive
 * rows of one organisation share its strings (GRefStrings) */
static ZidMembership *
membership_from_row (sqlite3_stmt         *stmt,
                     int                   col,
                     const ZidMembership  *previous)
{
  ZidMembership *m = g_new0 (ZidMembership, 1);

  m->organisation_id = sqlite3_column_int64 (stmt, col);
  if (previous != NULL && previous->organisation_id == m->organisation_id)
    {
      m->ura = g_ref_string_acquire (previous->ura);
      m->organisation_name = g_ref_string_acquire (previous->organisation_name);
    }
  else
    {
      m->ura = g_ref_string_new ((const char *) sqlite3_column_text (stmt, col + 1));
      m->organisation_name = g_ref_string_new ((const char *) sqlite3_column_text (stmt, col + 2));
    }
  m->role = (ZidRole) sqlite3_column_int (stmt, col + 3);
  return m;
}

static int
compare_users (gconstpointer a,
               gconstpointer b)
{
  ZidUser *ua = *(ZidUser **) a;
  ZidUser *ub = *(ZidUser **) b;
  int c = g_ascii_strcasecmp (zid_user_get_last_name (ua), zid_user_get_last_name (ub));

  if (c == 0)
    c = g_ascii_strcasecmp (zid_user_get_first_name (ua), zid_user_get_first_name (ub));
  if (c == 0)
    c = zid_user_get_id (ua) < zid_user_get_id (ub) ? -1 : 1;
  return c;
}

typedef enum
{
  COLLECT_MERGE            = 0,       /* rows of one user may repeat: merge them */
  COLLECT_ONE_ROW_PER_USER = 1 << 0,
  COLLECT_SQL_ORDER        = 1 << 1,  /* the query sorted by name already */
} CollectFlags;

/* Collects rows of USER_COLUMNS + membership columns into users, one per
 * id, each with the memberships the rows carry, sorted by name. */
static GPtrArray *
collect_users (ZidPortal     *self,
               sqlite3_stmt  *stmt,
               CollectFlags   flags,
               GError       **error)
{
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) by_id = (flags & COLLECT_ONE_ROW_PER_USER)
    ? NULL : g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  const ZidMembership *previous = NULL;
  gboolean row;

  while (zid_store_step (self->store, stmt, &row, error))
    {
      gint64 id;
      ZidUser *user;

      if (!row)
        {
          if (!(flags & COLLECT_SQL_ORDER))
            g_ptr_array_sort (users, compare_users);
          return g_steal_pointer (&users);
        }

      id = sqlite3_column_int64 (stmt, 0);
      user = by_id ? g_hash_table_lookup (by_id, &id) : NULL;
      if (user == NULL)
        {
          user = user_from_row (stmt);
          g_ptr_array_add (users, user);
          if (by_id)
            g_hash_table_insert (by_id, g_memdup2 (&id, sizeof id), user);
        }
      if (sqlite3_column_type (stmt, N_USER_COLUMNS) != SQLITE_NULL)
        {
          gint64 org = sqlite3_column_int64 (stmt, N_USER_COLUMNS);

          if (zid_user_get_role_in (user, org) == ZID_ROLE_NONE)
            {
              ZidMembership *m = membership_from_row (stmt, N_USER_COLUMNS, previous);

              zid_user_add_membership (user, m);
              previous = m;
            }
        }
    }

  return NULL;
}

ZidEnrolment *
zid_portal_register_user (ZidPortal   *self,
                          gint64       actor,
                          gint64       organisation,
                          const char  *first_name,
                          const char  *last_name,
                          const char  *birth_date,
                          GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ZidEnrolment) enrolment = NULL;
  g_autofree char *who = actor_label (actor);
  g_autofree char *subject = NULL;
  g_autofree char *details = NULL;
  gint64 user = 0;
  gboolean ok;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!validate_person (self, first_name, last_name, birth_date, error))
    return NULL;
  if (!zid_store_begin (self->store, TRUE, error))
    return NULL;

  ok = check_action_locked (self, actor, ZID_ACTION_REGISTER_USER, 0, organisation, &local_error) &&
       (user = insert_user (self, first_name, last_name, birth_date, NULL, &local_error)) != 0 &&
       set_membership_row (self, user, organisation, ZID_ROLE_GEBRUIKER, &local_error) &&
       (enrolment = new_code (self, user, ZID_CODE_ENROLMENT, &local_error)) != NULL;
  if (ok)
    {
      subject = user_label (user);
      details = g_strdup_printf ("organisation=%" G_GINT64_FORMAT " role=Gebruiker", organisation);
      ok = audit (self, who, "user.register", subject, details, &local_error);
    }
  if (!finish (self, ok, g_steal_pointer (&local_error), error, who, "user.register", subject))
    return NULL;
  return g_steal_pointer (&enrolment);
}

/* Upper bound of the keys that start with @prefix */
static char *
prefix_end (const char *prefix)
{
  return g_strconcat (prefix, "\xf4\x8f\xbf\xbf", NULL);
}

GPtrArray *
zid_portal_list_users (ZidPortal   *self,
                       gint64       actor,
                       gint64       organisation,
                       const char  *search,
                       GError     **error)
{
  return zid_portal_search_users (self, actor, organisation, search, 0, NULL, error);
}

/* The members of the actor's organisations (?1 the actor, ?2 one of them
 * or 0 for all) born on ?3 */
#define BORN_ON \
  " FROM memberships a" \
  " JOIN memberships m ON m.organisation_id = a.organisation_id" \
  " JOIN users u ON u.id = m.user_id AND u.birth_date = ?3" \
  " JOIN organisations o ON o.id = m.organisation_id" \
  " WHERE a.user_id = ?1 AND a.role >= 2 AND ?2 IN (0, a.organisation_id)"

/* The users an actor manages, in name-key order when searching; @limit
 * bounds the rows read (a first page: a common prefix in an organisation of
 * 100,000 matches thousands), @n_matches counts them all from the index. */
GPtrArray *
zid_portal_search_users (ZidPortal   *self,
                         gint64       actor,
                         gint64       organisation,
                         const char  *search,
                         guint        limit,
                         guint       *n_matches,
                         GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ZidSearchQuery) query = zid_search_query_new (search);
  const char *key = query && !query->birth_date ? query->text : NULL;
  const char *birth_date = query && query->birth_date ? query->text : NULL;
  g_autofree char *key_end = key ? prefix_end (key) : NULL;
  GPtrArray *users = NULL;
  sqlite3_stmt *stmt;
  gint64 rows = limit > 0 ? (gint64) limit : -1;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!zid_store_begin (self->store, FALSE, error))
    return NULL;

  if (!check_action_locked (self, actor, ZID_ACTION_VIEW_USERS, 0, organisation, &local_error))
    goto out;

  if (n_matches != NULL)
    {
      gboolean row = FALSE;

      /* check_action_locked() made sure the actor manages @organisation */
      if (birth_date != NULL)
        stmt = zid_store_query (self->store, &local_error,
                                "SELECT count (DISTINCT m.user_id)" BORN_ON,
                                "iit", actor, organisation, birth_date);
      else if (key == NULL && organisation != 0)
        stmt = zid_store_query (self->store, &local_error,
                                "SELECT count (*) FROM memberships WHERE organisation_id = ?",
                                "i", organisation);
      else if (key == NULL)
        stmt = zid_store_query (self->store, &local_error,
                                "SELECT count (DISTINCT m.user_id) FROM memberships a"
                                " JOIN memberships m ON m.organisation_id = a.organisation_id"
                                " WHERE a.user_id = ? AND a.role >= 2",
                                "i", actor);
      else if (organisation != 0)
        stmt = zid_store_query (self->store, &local_error,
                                "SELECT count (DISTINCT user_id) FROM name_keys"
                                " WHERE organisation_id = ? AND key >= ? AND key < ?",
                                "itt", organisation, key, key_end);
      else
        stmt = zid_store_query (self->store, &local_error,
                                "SELECT count (DISTINCT k.user_id) FROM memberships a"
                                " JOIN name_keys k ON k.organisation_id = a.organisation_id"
                                "   AND k.key >= ?2 AND k.key < ?3"
                                " WHERE a.user_id = ?1 AND a.role >= 2",
                                "itt", actor, key, key_end);
      if (stmt == NULL || !zid_store_step (self->store, stmt, &row, &local_error))
        goto out;
      *n_matches = row ? (guint) sqlite3_column_int64 (stmt, 0) : 0;
      sqlite3_reset (stmt);
    }

  /* One organisation: its rows in index order (a page stops early); all
   * the actor's organisations: through the actor's memberships. A birth
   * date: the actor's members born that day. */
  if (birth_date != NULL)
    stmt = zid_store_query (self->store, &local_error,
                            "SELECT " USER_COLUMNS ", m.organisation_id, o.ura, o.name, m.role"
                            BORN_ON " ORDER BY m.user_id"
                            " LIMIT ?4",
                            "iiti", actor, organisation, birth_date, rows);
  else if (key == NULL && organisation != 0)
    stmt = zid_store_query (self->store, &local_error,
                            "SELECT " USER_COLUMNS ", m.organisation_id, o.ura, o.name, m.role"
                            " FROM memberships m"
                            " JOIN users u ON u.id = m.user_id"
                            " JOIN organisations o ON o.id = m.organisation_id"
                            " WHERE m.organisation_id = ?1"
                            " LIMIT ?2",
                            "ii", organisation, rows);
  else if (key == NULL)
    stmt = zid_store_query (self->store, &local_error,
                            "SELECT " USER_COLUMNS ", m.organisation_id, o.ura, o.name, m.role"
                            " FROM memberships a"
                            " JOIN memberships m ON m.organisation_id = a.organisation_id"
                            " JOIN users u ON u.id = m.user_id"
                            " JOIN organisations o ON o.id = m.organisation_id"
                            " WHERE a.user_id = ?1 AND a.role >= 2"
                            " LIMIT ?2",
                            "ii", actor, rows);
  else if (organisation != 0)
    stmt = zid_store_query (self->store, &local_error,
                            "SELECT " USER_COLUMNS ", m.organisation_id, o.ura, o.name, m.role"
                            " FROM name_keys k"
                            " JOIN memberships m ON m.organisation_id = k.organisation_id"
                            "   AND m.user_id = k.user_id"
                            " JOIN users u ON u.id = k.user_id"
                            " JOIN organisations o ON o.id = k.organisation_id"
                            " WHERE k.organisation_id = ?1 AND k.key >= ?2 AND k.key < ?3"
                            " ORDER BY k.key, k.user_id"
                            " LIMIT ?4",
                            "itti", organisation, key, key_end, rows);
  else
    stmt = zid_store_query (self->store, &local_error,
                            "SELECT " USER_COLUMNS ", m.organisation_id, o.ura, o.name, m.role"
                            " FROM memberships a"
                            " JOIN name_keys k ON k.organisation_id = a.organisation_id"
                            "   AND k.key >= ?2 AND k.key < ?3"
                            " JOIN memberships m ON m.organisation_id = k.organisation_id"
                            "   AND m.user_id = k.user_id"
                            " JOIN users u ON u.id = k.user_id"
                            " JOIN organisations o ON o.id = m.organisation_id"
                            " WHERE a.user_id = ?1 AND a.role >= 2"
                            " ORDER BY k.key, k.user_id"
                            " LIMIT ?4",
                            "itti", actor, key, key_end, rows);
  if (stmt != NULL)
    users = collect_users (self, stmt, COLLECT_MERGE, &local_error);

out:
  zid_store_commit (self->store, NULL);
  if (users == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return users;
}

ZidUser *
zid_portal_get_user (ZidPortal   *self,
                     gint64       actor,
                     gint64       user,
                     GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) users = NULL;
  ZidUser *result = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!zid_store_begin (self->store, FALSE, error))
    return NULL;

  /* the user, with the memberships in organisations the actor manages */
  if (check_action_locked (self, actor, ZID_ACTION_VIEW_USERS, user, 0, &local_error) &&
      (stmt = zid_store_query (self->store, &local_error,
                               "SELECT " USER_COLUMNS ", m.organisation_id, o.ura, o.name, m.role"
                               " FROM users u"
                               " LEFT JOIN memberships m ON m.user_id = u.id"
                               "   AND (u.id = ?2 OR EXISTS (SELECT 1 FROM memberships a"
                               "     WHERE a.user_id = ?2 AND a.organisation_id = m.organisation_id"
                               "       AND a.role >= 2))"
                               " LEFT JOIN organisations o ON o.id = m.organisation_id"
                               " WHERE u.id = ?1",
                               "ii", user, actor)) != NULL &&
      (users = collect_users (self, stmt, COLLECT_MERGE, &local_error)) != NULL &&
      users->len == 1)
    result = g_object_ref (g_ptr_array_index (users, 0));

  zid_store_commit (self->store, NULL);
  if (result == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return result;
}

/* Would demoting or blocking @user leave an organisation without an
 * active Administrator: one not blocked and with a mobile ID to log in
 * with? Returns that organisation's name. */
static char *
only_administrator_of (ZidPortal *self,
                       gint64     user,
                       gint64     organisation)
{
  sqlite3_stmt *stmt;
  gboolean row = FALSE;
  char *name = NULL;

  stmt = zid_store_query (self->store, NULL,
                          "SELECT o.name FROM memberships m"
                          " JOIN organisations o ON o.id = m.organisation_id"
                          " WHERE m.user_id = ?1 AND m.role = 3"
                          "   AND (?2 = 0 OR m.organisation_id = ?2)"
                          "   AND NOT EXISTS (SELECT 1 FROM memberships x"
                          "     JOIN users xu ON xu.id = x.user_id"
                          "     WHERE x.organisation_id = m.organisation_id AND x.role = 3"
                          "       AND x.user_id != m.user_id AND xu.blocked = 0"
                          "       AND xu.mobile_id = 1)"
                          " LIMIT 1",
                          "ii", user, organisation);
  if (stmt != NULL && zid_store_step (self->store, stmt, &row, NULL) && row)
    name = zid_column_dup (stmt, 0);
  if (stmt)
    sqlite3_reset (stmt);
  return name;
}

gboolean
zid_portal_set_membership (ZidPortal      *self,
                           gint64          actor,
                           gint64          user,
                           gint64          organisation,
                           ZidRole         role,
                           ZidEnrolment  **enrolment,
                           GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ZidEnrolment) code = NULL;
  g_autofree char *who = actor_label (actor);
  g_autofree char *subject = user_label (user);
  g_autofree char *details = NULL;
  g_autofree char *only_of = NULL;
  g_autofree char *beyond = NULL;
  ZidRole beyond_role = ZID_ROLE_NONE;
  int mobile_id = 0;
  ZidRole current;
  gboolean ok;

  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);

  if (enrolment)
    *enrolment = NULL;
  if (role < ZID_ROLE_GEBRUIKER || role > ZID_ROLE_ADMINISTRATOR)
    return refuse (error, ZID_ERROR_INVALID_INPUT,
                   "Onbekende rol: kies Administrator, Beheerder of Gebruiker");

  if (!zid_store_begin (self->store, TRUE, error))
    return FALSE;

  ok = check_action_locked (self, actor, ZID_ACTION_SET_MEMBERSHIP, user, organisation, &local_error) &&
       load_user_row (self, user, NULL, &mobile_id, &local_error);
  if (ok)
    {
      current = role_in (self, user, organisation);
      if (!may_assign_role_locked (self, actor, organisation, role))
        ok = refuse (&local_error, ZID_ERROR_ROLE_NOT_ALLOWED,
                     "Een Beheerder mag alleen de rol Gebruiker toekennen, niet %s",
                     zid_role_to_string (role));
      else if (!may_assign_role_locked (self, actor, organisation, current == ZID_ROLE_NONE
                                                                   ? ZID_ROLE_GEBRUIKER : current))
        ok = refuse (&local_error, ZID_ERROR_ROLE_NOT_ALLOWED,
                     "Een Beheerder mag de rol van een %s niet wijzigen",
                     zid_role_to_string (current));
      else if (current == ZID_ROLE_ADMINISTRATOR && role != ZID_ROLE_ADMINISTRATOR &&
               (only_of = only_administrator_of (self, user, organisation)) != NULL)
        ok = refuse (&local_error, ZID_ERROR_ONLY_ADMINISTRATOR,
                     "Dit is de enige actieve Administrator van %s: maak eerst een andere "
                     "Administrator en laat die een ZORG-ID toevoegen", only_of);
    }

  ok = ok && set_membership_row (self, user, organisation, role, &local_error);
  /* the enrolment code makes the user's national ID: only for an actor
   * who administers every organisation where the user has portal rights
   * (as for a new certificate); the user's own code stays good otherwise */
  if (ok && mobile_id == ZID_MOBILE_ID_NONE && enrolment != NULL &&
      (user == actor || (beyond = role_beyond_authority (self, actor, user, &beyond_role)) == NULL))
    ok = (code = new_code (self, user, ZID_CODE_ENROLMENT, &local_error)) != NULL;
  if (ok)
    {
      details = g_strdup_printf ("organisation=%" G_GINT64_FORMAT " role=%s", organisation,
                                 zid_role_to_string (role));
      ok = audit (self, who, "membership.set", subject, details, &local_error);
    }
  if (!finish (self, ok, g_steal_pointer (&local_error), error, who, "membership.set", subject))
    return FALSE;
  if (enrolment)
    *enrolment = g_steal_pointer (&code);
  return TRUE;
}

static gboolean
validate_task_code (const char  *task_code,
                    GError     **error)
{
  gsize len = task_code ? strlen (task_code) : 0;

  if (len == 0 || len > 64)
    return refuse (error, ZID_ERROR_INVALID_INPUT,
                   "De taakcode moet 1 tot 64 tekens lang zijn");
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (task_code[i]) && task_code[i] != '.' && task_code[i] != '-' &&
        task_code[i] != '_')
      return refuse (error, ZID_ERROR_INVALID_INPUT,
                     "De taakcode mag alleen letters, cijfers, punt, streepje en liggend streepje bevatten");
  return TRUE;
}

gint64
zid_portal_add_attribute (ZidPortal   *self,
                          gint64       actor,
                          gint64       user,
                          const char  *type,
                          gint64       organisation,
                          const char  *task_code,
                          GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *who = actor_label (actor);
  g_autofree char *subject = user_label (user);
  g_autofree char *details = NULL;
  gint64 id = 0;
  gboolean ok;

  g_return_val_if_fail (ZID_IS_PORTAL (self), 0);

  if (type == NULL || !g_strv_contains (attribute_types, type))
    {
      refuse (error, ZID_ERROR_INVALID_INPUT,
              "Onbekend attribuuttype “%s”: kies uzi, agb, big of taak", type ? type : "");
      return 0;
    }
  if (!validate_task_code (task_code, error) || !zid_store_begin (self->store, TRUE, error))
    return 0;

  ok = check_action_locked (self, actor, ZID_ACTION_ADD_ATTRIBUTE, user, organisation, &local_error);
  if (ok && g_str_equal (type, "uzi") && user != actor)
    ok = refuse (&local_error, ZID_ERROR_NOT_PERMITTED,
                 "Een attribuut via de UZI-pas wordt aan uw eigen ZORG-ID toegekend, "
                 "niet aan een andere gebruiker");
  if (ok)
    {
      ok = zid_store_run (self->store, &local_error,
                          "INSERT INTO attributes (user_id, type, organisation_id, task_code, created)"
                          " VALUES (?, ?, ?, ?, ?)",
                          "ititi", user, type, organisation, task_code, now (self));
      if (!ok && sqlite3_extended_errcode (zid_store_get_db (self->store)) == SQLITE_CONSTRAINT_UNIQUE)
        {
          g_clear_error (&local_error);
          ok = refuse (&local_error, ZID_ERROR_INVALID_INPUT,
                       "Deze gebruiker heeft dit attribuut al");
        }
    }
  if (ok)
    {
      id = sqlite3_last_insert_rowid (zid_store_get_db (self->store));
      details = g_strdup_printf ("type=%s organisation=%" G_GINT64_FORMAT " task-code=%s",
                                 type, organisation, task_code);
      ok = audit (self, who, "attribute.add", subject, details, &local_error);
    }
  if (!finish (self, ok, g_steal_pointer (&local_error), error, who, "attribute.add", subject))
    return 0;
  return id;
}

static ZidAttribute *
attribute_from_row (sqlite3_stmt *stmt)
{
  ZidAttribute *a = g_new0 (ZidAttribute, 1);

  a->id = sqlite3_column_int64 (stmt, 0);
  a->user_id = sqlite3_column_int64 (stmt, 1);
  a->type = zid_column_dup (stmt, 2);
  a->organisation_id = sqlite3_column_int64 (stmt, 3);
  a->ura = zid_column_dup (stmt, 4);
  a->task_code = zid_column_dup (stmt, 5);
  a->created = sqlite3_column_int64 (stmt, 6);
  return a;
}

GPtrArray *
zid_portal_list_attributes (ZidPortal   *self,
                            gint64       actor,
                            gint64       user,
                            GError     **error)
{
  sqlite3_stmt *stmt = NULL;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!zid_store_begin (self->store, FALSE, error))
    return NULL;
  if (check_action_locked (self, actor, ZID_ACTION_VIEW_USERS, user, 0, error))
    stmt = zid_store_query (self->store, error,
                            "SELECT t.id, t.user_id, t.type, t.organisation_id, o.ura,"
                            " t.task_code, t.created FROM attributes t"
                            " JOIN organisations o ON o.id = t.organisation_id"
                            " WHERE t.user_id = ?1 AND (?1 = ?2 OR EXISTS (SELECT 1"
                            "   FROM memberships a WHERE a.user_id = ?2"
                            "   AND a.organisation_id = t.organisation_id AND a.role >= 2))"
                            " ORDER BY t.id", "ii", user, actor);
  return read_rows (self, stmt, (RowReader) attribute_from_row,
                    (GDestroyNotify) zid_attribute_free, error);
}

gboolean
zid_portal_block_user (ZidPortal       *self,
                       gint64           actor,
                       gint64           user,
                       ZidBlockReason   reason,
                       GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *who = actor_label (actor);
  g_autofree char *subject = user_label (user);
  g_autofree char *only_of = NULL;
  gboolean blocked = FALSE;
  int mobile_id = 0;
  gboolean ok;

  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);

  if (reason <= ZID_BLOCK_REASON_NONE || reason > ZID_BLOCK_REASON_SUSPICIOUS_ACTIVITY)
    return refuse (error, ZID_ERROR_INVALID_INPUT,
                   "Kies een reden om te blokkeren: security-incident, lost-smartphone, "
                   "compromised-credentials, breach-of-trust of suspicious-activity");
  if (!zid_store_begin (self->store, TRUE, error))
    return FALSE;

  ok = check_action_locked (self, actor, ZID_ACTION_BLOCK, user, 0, &local_error) &&
       load_user_row (self, user, &blocked, &mobile_id, &local_error);
  if (ok && blocked)
    ok = refuse (&local_error, ZID_ERROR_ALREADY_BLOCKED, "Deze gebruiker is al geblokkeerd");
  else if (ok && mobile_id == ZID_MOBILE_ID_NONE)
    ok = refuse (&local_error, ZID_ERROR_NO_MOBILE_ID,
                 "Een gebruiker zonder ZORG-ID Mobiel ID kan niet geblokkeerd worden");
  else if (ok && (only_of = only_administrator_of (self, user, 0)) != NULL)
    ok = refuse (&local_error, ZID_ERROR_ONLY_ADMINISTRATOR,
                 "Dit is de enige actieve Administrator van %s en kan daarom niet "
                 "geblokkeerd worden; maak eerst een andere Administrator en laat die "
                 "een ZORG-ID toevoegen", only_of);

  ok = ok &&
       zid_store_run (self->store, &local_error,
                      "UPDATE users SET blocked = 1, block_reason = ? WHERE id = ?",
                      "ii", (gint64) reason, user) &&
       audit (self, who, "user.block", subject, zid_block_reason_to_string (reason), &local_error);
  return finish (self, ok, g_steal_pointer (&local_error), error, who, "user.block", subject);
}

gboolean
zid_portal_unblock_user (ZidPortal   *self,
                         gint64       actor,
                         gint64       user,
                         GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *who = actor_label (actor);
  g_autofree char *subject = user_label (user);
  gboolean blocked = FALSE;
  gboolean ok;

  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);

  if (!zid_store_begin (self->store, TRUE, error))
    return FALSE;

  ok = check_action_locked (self, actor, ZID_ACTION_UNBLOCK, user, 0, &local_error) &&
       load_user_row (self, user, &blocked, NULL, &local_error);
  if (ok && !blocked)
    ok = refuse (&local_error, ZID_ERROR_NOT_BLOCKED, "Deze gebruiker is niet geblokkeerd");
  ok = ok &&
       zid_store_run (self->store, &local_error,
                      "UPDATE users SET blocked = 0, block_reason = 0 WHERE id = ?", "i", user) &&
       audit (self, who, "user.unblock", subject, NULL, &local_error);
  return finish (self, ok, g_steal_pointer (&local_error), error, who, "user.unblock", subject);
}

/* Certificates */

static ZidCertificate *
certificate_from_row (sqlite3_stmt *stmt)
{
  ZidCertificate *c = g_new0 (ZidCertificate, 1);

  c->serial = zid_column_dup (stmt, 0);
  c->user_id = sqlite3_column_int64 (stmt, 1);
  c->not_before = sqlite3_column_int64 (stmt, 2);
  c->not_after = sqlite3_column_int64 (stmt, 3);
  c->revoked = sqlite3_column_type (stmt, 4) != SQLITE_NULL;
  c->revoked_at = sqlite3_column_int64 (stmt, 4);
  c->revoke_reason = zid_column_dup (stmt, 5);
  c->pem = zid_column_dup (stmt, 6);
  return c;
}

#define CERTIFICATE_COLUMNS "serial, user_id, not_before, not_after, revoked_at, revoke_reason, pem"

GPtrArray *
zid_portal_list_certificates (ZidPortal   *self,
                              gint64       actor,
                              gint64       user,
                              GError     **error)
{
  sqlite3_stmt *stmt = NULL;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!zid_store_begin (self->store, FALSE, error))
    return NULL;
  if (check_action_locked (self, actor, ZID_ACTION_VIEW_USERS, user, 0, error))
    stmt = zid_store_query (self->store, error,
                            "SELECT " CERTIFICATE_COLUMNS " FROM certificates"
                            " WHERE user_id = ? ORDER BY not_before, serial",
                            "i", user);
  return read_rows (self, stmt, (RowReader) certificate_from_row,
                    (GDestroyNotify) zid_certificate_free, error);
}

gboolean
zid_portal_revoke_certificate (ZidPortal   *self,
                               gint64       actor,
                               gint64       user,
                               const char  *serial,
                               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ZidCertificate) cert = NULL;
  g_autofree char *who = actor_label (actor);
  g_autofree char *subject = user_label (user);
  g_autofree char *wanted = g_ascii_strdown (serial ? serial : "", -1);
  g_autofree char *details = NULL;
  ZidBlockReason reason = ZID_BLOCK_REASON_NONE;
  gboolean blocked = FALSE;
  sqlite3_stmt *stmt;
  gboolean row = FALSE;
  gboolean ok;

  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);

  if (!zid_store_begin (self->store, TRUE, error))
    return FALSE;

  ok = check_action_locked (self, actor, ZID_ACTION_REVOKE_CERTIFICATE, user, 0, &local_error) &&
       load_user_row (self, user, &blocked, NULL, &local_error);
  if (ok)
    {
      stmt = zid_store_query (self->store, &local_error,
                              "SELECT " CERTIFICATE_COLUMNS " FROM certificates"
                              " WHERE serial = ? AND user_id = ?", "ti", wanted, user);
      ok = stmt != NULL && zid_store_step (self->store, stmt, &row, &local_error);
      if (ok && row)
        cert = certificate_from_row (stmt);
      if (stmt)
        sqlite3_reset (stmt);
      if (ok && cert == NULL)
        ok = refuse (&local_error, ZID_ERROR_NOT_FOUND,
                     "Deze gebruiker heeft geen certificaat met serienummer %s", wanted);
    }
  if (ok && !blocked)
    ok = refuse (&local_error, ZID_ERROR_NOT_BLOCKED,
                 "Alleen certificaten van geblokkeerde gebruikers kunnen ingetrokken worden; "
                 "blokkeer de gebruiker eerst");
  else if (ok && cert->revoked)
    ok = refuse (&local_error, ZID_ERROR_ALREADY_REVOKED,
                 "Dit certificaat is al ingetrokken; intrekken kan niet ongedaan worden");
  if (ok)
    {
      stmt = zid_store_query (self->store, &local_error,
                              "SELECT block_reason FROM users WHERE id = ?", "i", user);
      ok = stmt != NULL && zid_store_step (self->store, stmt, &row, &local_error);
      if (ok && row)
        reason = (ZidBlockReason) sqlite3_column_int (stmt, 0);
      if (stmt)
        sqlite3_reset (stmt);
    }
  ok = ok &&
       zid_store_run (self->store, &local_error,
                      "UPDATE certificates SET revoked_at = ?, revoke_reason = ?"
                      " WHERE serial = ? AND revoked_at IS NULL",
                      "itt", now (self), zid_block_reason_to_string (reason), wanted) &&
       zid_store_run (self->store, &local_error,
                      "UPDATE users SET mobile_id = CASE WHEN EXISTS (SELECT 1 FROM certificates"
                      "   WHERE user_id = ?1 AND revoked_at IS NULL) THEN 1 ELSE 2 END"
                      " WHERE id = ?1", "i", user);
  if (ok)
    {
      details = g_strdup_printf ("serial=%s reason=%s", wanted, zid_block_reason_to_string (reason));
      ok = audit (self, who, "certificate.revoke", subject, details, &local_error);
    }
  return finish (self, ok, g_steal_pointer (&local_error), error, who, "certificate.revoke", subject);
}

ZidEnrolment *
zid_portal_new_certificate (ZidPortal   *self,
                            gint64       actor,
                            gint64       user,
                            GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ZidEnrolment) enrolment = NULL;
  g_autofree char *who = actor_label (actor);
  g_autofree char *subject = user_label (user);
  gboolean ok;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!zid_store_begin (self->store, TRUE, error))
    return NULL;
  ok = check_action_locked (self, actor, ZID_ACTION_NEW_CERTIFICATE, user, 0, &local_error) &&
       (enrolment = new_code (self, user, ZID_CODE_NEW_CERTIFICATE, &local_error)) != NULL &&
       audit (self, who, "certificate.new", subject, NULL, &local_error);
  if (!finish (self, ok, g_steal_pointer (&local_error), error, who, "certificate.new", subject))
    return NULL;
  return g_steal_pointer (&enrolment);
}

/* Organisations */

static ZidOrganisation *
organisation_from_row (sqlite3_stmt *stmt)
{
  ZidOrganisation *o = g_new0 (ZidOrganisation, 1);

  o->id = sqlite3_column_int64 (stmt, 0);
  o->ura = zid_column_dup (stmt, 1);
  o->name = zid_column_dup (stmt, 2);
  o->agb = zid_column_dup (stmt, 3);
  o->address = zid_column_dup (stmt, 4);
  o->created = sqlite3_column_int64 (stmt, 5);
  o->role = (ZidRole) sqlite3_column_int (stmt, 6);
  return o;
}

GPtrArray *
zid_portal_list_organisations (ZidPortal   *self,
                               gint64       actor,
                               GError     **error)
{
  sqlite3_stmt *stmt = NULL;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!zid_store_begin (self->store, FALSE, error))
    return NULL;
  if (check_actor (self, actor, error))
    stmt = zid_store_query (self->store, error,
                            "SELECT o.id, o.ura, o.name, o.agb, o.address, o.created, m.role"
                            " FROM memberships m JOIN organisations o ON o.id = m.organisation_id"
                            " WHERE m.user_id = ? AND m.role >= 2 ORDER BY o.name",
                            "i", actor);
  return read_rows (self, stmt, (RowReader) organisation_from_row,
                    (GDestroyNotify) zid_organisation_free, error);
}

ZidOrganisation *
zid_portal_find_organisation (ZidPortal   *self,
                              const char  *ura,
                              GError     **error)
{
  ZidOrganisation *o = NULL;
  sqlite3_stmt *stmt;
  gboolean row = FALSE;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!zid_validate_ura (ura, error) || !zid_store_begin (self->store, FALSE, error))
    return NULL;
  stmt = zid_store_query (self->store, error,
                          "SELECT id, ura, name, agb, address, created, 0"
                          " FROM organisations WHERE ura = ?", "t", ura);
  if (stmt != NULL && zid_store_step (self->store, stmt, &row, error) && row)
    o = organisation_from_row (stmt);
  if (stmt)
    sqlite3_reset (stmt);
  zid_store_commit (self->store, NULL);
  if (o == NULL && stmt != NULL && !(error && *error))
    g_set_error (error, ZID_ERROR, ZID_ERROR_NOT_FOUND,
                 "Er is geen organisatie met URA %s", ura);
  return o;
}

GPtrArray *
zid_portal_list_inactive (ZidPortal   *self,
                          gint64       actor,
                          gint64       organisation,
                          GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  GPtrArray *users = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!zid_store_begin (self->store, FALSE, error))
    return NULL;
  if (check_action_locked (self, actor, ZID_ACTION_VIEW_INACTIVE, 0, organisation, &local_error) &&
      (stmt = zid_store_query (self->store, &local_error,
                               "SELECT " USER_COLUMNS ", m.organisation_id, o.ura, o.name, m.role"
                               " FROM memberships m"
                               " JOIN users u ON u.id = m.user_id"
                               " JOIN organisations o ON o.id = m.organisation_id"
                               " WHERE m.organisation_id = ?1"
                               "   AND coalesce (u.last_use, u.registered) < ?2"
                               " ORDER BY u.last_name COLLATE NOCASE, u.first_name COLLATE NOCASE, u.id",
                               "ii", organisation, now (self) - ZID_INACTIVE_AFTER)) != NULL)
    users = collect_users (self, stmt, COLLECT_ONE_ROW_PER_USER | COLLECT_SQL_ORDER, &local_error);
  zid_store_commit (self->store, NULL);
  if (users == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return users;
}

/* The phone's side: enrolment */

typedef struct
{
  gint64          user;
  ZidCodePurpose  purpose;
  gint64          expires;
  gint64          used;
  gboolean        blocked;
  char           *first_name;
  char           *last_name;
  char           *organisation_name;
} CodeRow;

static void
code_row_clear (CodeRow *row)
{
  g_clear_pointer (&row->first_name, g_free);
  g_clear_pointer (&row->last_name, g_free);
  g_clear_pointer (&row->organisation_name, g_free);
}

/* Finds the code and says why it cannot be used, if it cannot */
static gboolean
lookup_code (ZidPortal   *self,
             const char  *code,
             CodeRow     *out,
             GError     **error)
{
  sqlite3_stmt *stmt;
  gboolean row = FALSE;
  guint8 hash[32];

  if (code == NULL || strlen (code) < 16 || strlen (code) > 64)
    return refuse (error, ZID_ERROR_CODE_INVALID, UNKNOWN_CODE);

  code_hash (code, hash);
  stmt = zid_store_query (self->store, error,
                          "SELECT c.user_id, c.purpose, c.expires, c.used, u.blocked,"
                          " u.first_name, u.last_name,"
                          " (SELECT o.name FROM memberships m JOIN organisations o"
                          "   ON o.id = m.organisation_id WHERE m.user_id = u.id"
                          "   ORDER BY m.role DESC, o.name LIMIT 1)"
                          " FROM codes c JOIN users u ON u.id = c.user_id WHERE c.hash = ?",
                          "b", hash, (gsize) 32);
  if (stmt == NULL || !zid_store_step (self->store, stmt, &row, error))
    return FALSE;
  if (!row)
    return refuse (error, ZID_ERROR_CODE_INVALID, UNKNOWN_CODE);

  out->user = sqlite3_column_int64 (stmt, 0);
  out->purpose = (ZidCodePurpose) sqlite3_column_int (stmt, 1);
  out->expires = sqlite3_column_int64 (stmt, 2);
  out->used = sqlite3_column_int64 (stmt, 3);
  out->blocked = sqlite3_column_int (stmt, 4) != 0;
  out->first_name = zid_column_dup (stmt, 5);
  out->last_name = zid_column_dup (stmt, 6);
  out->organisation_name = zid_column_dup (stmt, 7);
  sqlite3_reset (stmt);

  if (out->used != 0)
    return refuse (error, ZID_ERROR_CODE_USED, "Deze QR-code is al gebruikt");
  if (now (self) >= out->expires)
    return refuse (error, ZID_ERROR_CODE_EXPIRED,
                   "Deze QR-code is verlopen (10 dagen geldig); vraag om een nieuwe");
  if (out->purpose != ZID_CODE_ENROLMENT && out->purpose != ZID_CODE_NEW_CERTIFICATE)
    return refuse (error, ZID_ERROR_CODE_INVALID, "Deze code is niet bedoeld om een ID toe te voegen");
  if (out->blocked)
    return refuse (error, ZID_ERROR_USER_BLOCKED,
                   "Deze ZORG-ID is geblokkeerd; een ID toevoegen kan pas na deblokkeren");
  return TRUE;
}

/* Who acted from the phone's side, and from where */
static char *
origin_actor (const char *who,
              const char *origin)
{
  return origin != NULL ? g_strdup_printf ("%s@%s", who, origin) : g_strdup (who);
}

ZidEnrolmentInfo *
zid_portal_enrolment_preview (ZidPortal   *self,
                              const char  *code,
                              const char  *origin,
                              GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  CodeRow row = { 0 };
  ZidEnrolmentInfo *info = NULL;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!zid_store_begin (self->store, FALSE, error))
    return NULL;
  if (lookup_code (self, code, &row, &local_error))
    {
      info = g_new0 (ZidEnrolmentInfo, 1);
      info->user_id = row.user;
      info->purpose = row.purpose;
      info->first_name = g_steal_pointer (&row.first_name);
      info->last_name = g_steal_pointer (&row.last_name);
      info->organisation_name = g_steal_pointer (&row.organisation_name);
      info->expires = row.expires;
    }
  code_row_clear (&row);
  zid_store_commit (self->store, NULL);
  if (info == NULL)
    {
      if (is_refusal (local_error))
        {
          g_autofree char *details = g_strdup_printf ("%s: %s", zid_error_code_name (local_error->code),
                                                      local_error->message);
          g_autofree char *actor = origin_actor ("phone", origin);

          zid_portal_audit (self, actor, "enrolment.preview.refused", NULL, details, NULL);
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
    }
  return info;
}

gboolean
zid_portal_enrol (ZidPortal   *self,
                  const char  *code,
                  const char  *csr_pem,
                  char       **cert_pem,
                  char       **chain_pem,
                  GError     **error)
{
  return zid_portal_enrol_full (self, code, NULL, csr_pem, cert_pem, chain_pem, NULL, error);
}

gboolean
zid_portal_enrol_full (ZidPortal          *self,
                       const char         *code,
                       const char         *origin,
                       const char         *csr_pem,
                       char              **cert_pem,
                       char              **chain_pem,
                       ZidEnrolmentInfo  **info,
                       GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *serial = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *details = NULL;
  g_autofree char *common_name = NULL;
  g_autofree char *actor = origin_actor ("phone", origin);
  gint64 not_before = 0, not_after = 0;
  g_autoptr(ZidCaRequest) request = NULL;
  CodeRow row = { 0 };
  guint8 hash[32];
  gboolean ok;
  ZidCa *ca;

  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);

  if ((ca = ensure_ca (self, error)) == NULL)
    return FALSE;

  /* Checking the request and issuing the certificate are nearly all of an
   * enrolment's work and need no lock: the request is checked, the code
   * looked up and the certificate made outside the write transaction,
   * which then looks the code up again and takes it only if it is still
   * good. A certificate made for a code taken meanwhile is dropped unseen. */
  request = zid_ca_check_request (csr_pem, &local_error);
  if (request == NULL)
    {
      g_autofree char *refused = g_strdup_printf ("%s: %s", zid_error_code_name (local_error->code),
                                                  local_error->message);

      zid_portal_audit (self, actor, "mobile.enrol.refused", NULL, refused, NULL);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (!zid_store_begin (self->store, FALSE, error))
    return FALSE;
  ok = lookup_code (self, code, &row, &local_error);
  zid_store_commit (self->store, NULL);
  if (ok)
    {
      common_name = g_strdup_printf ("%s %s", row.first_name, row.last_name);
      ok = (cert = zid_ca_issue_mobile (ca, request, common_name, row.user, now (self),
                                        &serial, &not_before, &not_after, &local_error)) != NULL;
    }
  code_row_clear (&row);

  if (!zid_store_begin (self->store, TRUE, error))
    return FALSE;
  /* again under the lock: used, blocked or expired since */
  ok = ok && lookup_code (self, code, &row, &local_error);
  if (ok)
    {
      subject = user_label (row.user);
      /* single use: only the transaction that marks the code used may go on */
      code_hash (code, hash);
      ok = zid_store_run (self->store, &local_error,
                          "UPDATE codes SET used = ? WHERE hash = ? AND used IS NULL",
                          "ib", now (self), hash, (gsize) 32);
      if (ok && sqlite3_changes (zid_store_get_db (self->store)) != 1)
        ok = refuse (&local_error, ZID_ERROR_CODE_USED, "Deze QR-code is al gebruikt");
    }
  ok = ok &&
       zid_store_run (self->store, &local_error,
                      "INSERT INTO certificates (serial, user_id, not_before, not_after, pem)"
                      " VALUES (?, ?, ?, ?, ?)",
                      "tiiit", serial, row.user, not_before, not_after, cert) &&
       zid_store_run (self->store, &local_error,
                      "UPDATE users SET mobile_id = 1 WHERE id = ?", "i", row.user);
  if (ok)
    {
      details = g_strdup_printf ("serial=%s purpose=%s", serial,
                                 row.purpose == ZID_CODE_NEW_CERTIFICATE ? "new-certificate" : "enrolment");
      ok = audit (self, actor, "mobile.enrol", subject, details, &local_error);
    }
  if (ok && info != NULL)
    {
      *info = g_new0 (ZidEnrolmentInfo, 1);
      (*info)->user_id = row.user;
      (*info)->purpose = row.purpose;
      (*info)->first_name = g_steal_pointer (&row.first_name);
      (*info)->last_name = g_steal_pointer (&row.last_name);
      (*info)->organisation_name = g_steal_pointer (&row.organisation_name);
      (*info)->expires = row.expires;
    }
  code_row_clear (&row);
  if (!finish (self, ok, g_steal_pointer (&local_error), error, actor, "mobile.enrol", subject))
    {
      if (info != NULL)
        g_clear_pointer (info, zid_enrolment_info_free);
      return FALSE;
    }

  if (chain_pem)
    *chain_pem = zid_ca_dup_pem (ca);
  if (cert_pem)
    *cert_pem = g_steal_pointer (&cert);
  return TRUE;
}

/* Login with the mobile ID */

ZidEnrolment *
zid_portal_login_begin (ZidPortal   *self,
                        char       **session_id,
                        GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ZidEnrolment) login = g_new0 (ZidEnrolment, 1);
  g_autofree char *session = zid_random_token (SESSION_BYTES);
  g_autofree char *challenge = zid_random_token (CHALLENGE_BYTES);
  g_autofree char *params = NULL;
  gboolean ok;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  login->purpose = ZID_CODE_LOGIN;
  login->expires = now (self) + ZID_LOGIN_SESSION_LIFETIME;
  login->code = g_strdup (challenge);
  params = g_strdup_printf ("session=%s&challenge=%s", session, challenge);
  if ((login->payload = make_payload (self, "login", params, error)) == NULL)
    return NULL;

  if (!zid_store_begin (self->store, TRUE, error))
    return NULL;
  ok = zid_store_run (self->store, &local_error,
                      "DELETE FROM login_sessions WHERE expires < ?", "i",
                      now (self) - ZID_LOGIN_SESSION_LIFETIME) &&
       zid_store_run (self->store, &local_error,
                      "INSERT INTO login_sessions (id, challenge, created, expires) VALUES (?, ?, ?, ?)",
                      "ttii", session, challenge, now (self), login->expires);
  if (!finish (self, ok, g_steal_pointer (&local_error), error, "portal", "login.begin", NULL))
    return NULL;

  if (session_id)
    *session_id = g_steal_pointer (&session);
  return g_steal_pointer (&login);
}

gint64
zid_portal_login_answer (ZidPortal     *self,
                         const char    *origin,
                         const char    *session_id,
                         const char    *cert_pem,
                         const guint8  *signature,
                         gsize          signature_len,
                         GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *challenge = NULL;
  g_autofree char *service_pin = NULL;
  g_autofree char *serial = NULL;
  g_autofree char *message = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *actor = NULL;
  X509 *cert = NULL;
  sqlite3_stmt *stmt;
  gboolean row = FALSE;
  gint64 expires = 0, answered = 0, user = 0, revoked_at = 0;
  gboolean blocked = FALSE;
  gboolean ok;
  ZidCa *ca;

  g_return_val_if_fail (ZID_IS_PORTAL (self), 0);

  if ((ca = ensure_ca (self, error)) == NULL ||
      !zid_portal_get_service_tls (self, NULL, NULL, &service_pin, error) ||
      !zid_store_begin (self->store, TRUE, error))
    return 0;

  stmt = zid_store_query (self->store, &local_error,
                          "SELECT challenge, expires, answered FROM login_sessions WHERE id = ?",
                          "t", session_id ? session_id : "");
  ok = stmt != NULL && zid_store_step (self->store, stmt, &row, &local_error);
  if (ok && row)
    {
      challenge = zid_column_dup (stmt, 0);
      expires = sqlite3_column_int64 (stmt, 1);
      answered = sqlite3_column_int64 (stmt, 2);
    }
  if (stmt)
    sqlite3_reset (stmt);

  if (ok && challenge == NULL)
    ok = refuse (&local_error, ZID_ERROR_SESSION_INVALID, "Onbekende inlogsessie");
  else if (ok && answered != 0)
    ok = refuse (&local_error, ZID_ERROR_SESSION_INVALID, "Deze inlog-QR-code is al gebruikt");
  else if (ok && now (self) >= expires)
    ok = refuse (&local_error, ZID_ERROR_SESSION_INVALID,
                 "Deze inlog-QR-code is verlopen (5 minuten geldig)");

  /* possession of the key first, then what the certificate may do */
  ok = ok && (cert = zid_ca_verify_client (ca, cert_pem, now (self), &serial, &local_error)) != NULL;
  if (ok)
    {
      /* bound to this service: an answer a phone gave a look-alike service
       * (another pin), relayed here, does not verify */
      message = g_strconcat (LOGIN_CONTEXT, service_pin, "\n", session_id, "\n", challenge, NULL);
      ok = zid_verify_signature (cert, (const guint8 *) message, strlen (message),
                                 signature, signature_len, &local_error);
    }
  if (ok)
    {
      stmt = zid_store_query (self->store, &local_error,
                              "SELECT c.user_id, c.revoked_at, u.blocked FROM certificates c"
                              " JOIN users u ON u.id = c.user_id WHERE c.serial = ?", "t", serial);
      ok = stmt != NULL && zid_store_step (self->store, stmt, &row, &local_error);
      if (ok && row)
        {
          user = sqlite3_column_int64 (stmt, 0);
          revoked_at = sqlite3_column_int64 (stmt, 1);
          blocked = sqlite3_column_int (stmt, 2) != 0;
        }
      if (stmt)
        sqlite3_reset (stmt);
      if (ok && user == 0)
        ok = refuse (&local_error, ZID_ERROR_CERTIFICATE_INVALID, "Onbekend certificaat");
    }
  if (ok)
    {
      subject = user_label (user);
      if (revoked_at != 0)
        ok = refuse (&local_error, ZID_ERROR_CERTIFICATE_REVOKED,
                     "Dit certificaat is ingetrokken; vraag uw beheerder om een nieuw certificaat");
      else if (blocked)
        ok = refuse (&local_error, ZID_ERROR_USER_BLOCKED, "Uw ZORG-ID is geblokkeerd");
      else
        ok = check_actor (self, user, &local_error);
    }
  if (ok)
    {
      ok = zid_store_run (self->store, &local_error,
                          "UPDATE login_sessions SET answered = ?, user_id = ?"
                          " WHERE id = ? AND answered IS NULL",
                          "iit", now (self), user, session_id);
      if (ok && sqlite3_changes (zid_store_get_db (self->store)) != 1)
        ok = refuse (&local_error, ZID_ERROR_SESSION_INVALID, "Deze inlog-QR-code is al gebruikt");
    }
  actor = origin_actor (subject ? subject : "phone", origin);
  ok = ok &&
       zid_store_run (self->store, &local_error,
                      "UPDATE users SET last_use = ? WHERE id = ?", "ii", now (self), user) &&
       audit (self, actor, "login.accepted", subject, serial, &local_error);

  g_clear_pointer (&cert, X509_free);
  if (!finish (self, ok, g_steal_pointer (&local_error), error, actor, "login", subject))
    return 0;
  return user;
}

ZidLoginState
zid_portal_login_poll (ZidPortal   *self,
                       const char  *session_id,
                       gint64      *user,
                       GError     **error)
{
  ZidLoginState state = ZID_LOGIN_EXPIRED;
  sqlite3_stmt *stmt;
  gboolean row = FALSE;

  g_return_val_if_fail (ZID_IS_PORTAL (self), ZID_LOGIN_EXPIRED);

  if (user)
    *user = 0;
  if (!zid_store_begin (self->store, FALSE, error))
    return ZID_LOGIN_EXPIRED;
  stmt = zid_store_query (self->store, error,
                          "SELECT expires, answered, user_id FROM login_sessions WHERE id = ?",
                          "t", session_id ? session_id : "");
  if (stmt != NULL && zid_store_step (self->store, stmt, &row, error) && row)
    {
      if (sqlite3_column_int64 (stmt, 1) != 0)
        {
          state = ZID_LOGIN_ACCEPTED;
          if (user)
            *user = sqlite3_column_int64 (stmt, 2);
        }
      else if (now (self) < sqlite3_column_int64 (stmt, 0))
        state = ZID_LOGIN_PENDING;
    }
  if (stmt)
    sqlite3_reset (stmt);
  zid_store_commit (self->store, NULL);
  return state;
}

char *
zid_portal_login_challenge (ZidPortal   *self,
                            const char  *session_id,
                            GError     **error)
{
  sqlite3_stmt *stmt;
  gboolean row = FALSE;
  char *challenge = NULL;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!zid_store_begin (self->store, FALSE, error))
    return NULL;
  stmt = zid_store_query (self->store, error,
                          "SELECT challenge FROM login_sessions WHERE id = ?", "t",
                          session_id ? session_id : "");
  if (stmt != NULL && zid_store_step (self->store, stmt, &row, error) && row)
    challenge = zid_column_dup (stmt, 0);
  if (stmt)
    sqlite3_reset (stmt);
  zid_store_commit (self->store, NULL);
  return challenge;
}

/* Audit */

static ZidAuditEvent *
audit_event_from_row (sqlite3_stmt *stmt)
{
  ZidAuditEvent *e = g_new0 (ZidAuditEvent, 1);
  g_autofree char *hash = zid_column_dup (stmt, 6);

  e->id = sqlite3_column_int64 (stmt, 0);
  e->time = sqlite3_column_int64 (stmt, 1);
  e->actor = zid_column_dup (stmt, 2);
  e->action = zid_column_dup (stmt, 3);
  e->subject = zid_column_dup (stmt, 4);
  e->details = zid_column_dup (stmt, 5);
  e->hash = g_ascii_strdown (hash ? hash : "", -1);
  return e;
}

GPtrArray *
zid_portal_list_audit (ZidPortal  *self,
                       GError    **error)
{
  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!zid_store_begin (self->store, FALSE, error))
    return NULL;
  return read_rows (self,
                    zid_store_query (self->store, error,
                                     "SELECT id, time, actor, action, subject, details, hex (hash)"
                                     " FROM audit ORDER BY id", ""),
                    (RowReader) audit_event_from_row,
                    (GDestroyNotify) zid_audit_event_free, error);
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
  ok = zid_store_audit_verify (self->store, &bad, error);
  zid_store_commit (self->store, NULL);
  if (bad_event)
    *bad_event = bad;
  return ok;
}
