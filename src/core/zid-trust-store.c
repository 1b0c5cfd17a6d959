/* zid-trust-store.c — the trust of one environment, kept in its data dir
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-core"

#include "zid-i18n.h"
#include "zid-trust-store.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "zid-openssl.h"
#include "zid-portal-private.h"
#include "zid-trust.h"

static const char * const kind_names[] = { "uzi", "operator" };
static const char * const store_names[] = { "uzi-trust", "operator-trust" };

const char *
zid_trust_kind_to_string (ZidTrustKind kind)
{
  return kind == ZID_TRUST_KIND_OPERATOR ? kind_names[1] : kind_names[0];
}

gboolean
zid_trust_kind_from_string (const char   *text,
                            ZidTrustKind *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (g_strcmp0 (text, kind_names[i]) == 0)
      {
        *kind = (ZidTrustKind) i;
        return TRUE;
      }
  return FALSE;
}

char *
zid_trust_store_dir (const char   *data_dir,
                     ZidTrustKind  kind)
{
  g_return_val_if_fail (data_dir != NULL, NULL);

  return g_build_filename (data_dir, store_names[kind == ZID_TRUST_KIND_OPERATOR], NULL);
}

char **
zid_trust_store_dirs (const char     *data_dir,
                      ZidEnvironment  environment,
                      ZidTrustKind    kind)
{
  char **dirs = g_new0 (char *, 3);

  dirs[0] = zid_trust_builtin_dir (zid_environment_to_string (environment),
                                   zid_trust_kind_to_string (kind));
  dirs[1] = zid_trust_store_dir (data_dir, kind);
  return dirs;
}

/* The entry */

struct _ZidTrustEntry
{
  GObject       parent_instance;

  ZidTrustKind  kind;
  char         *fingerprint;
  char         *subject;
  char         *subject_dn;
  char         *issuer;
  gint64        not_before;
  gint64        not_after;
  gboolean      builtin;
  gboolean      is_crl;
  gboolean      is_anchor;
  char         *path;
};

G_DEFINE_FINAL_TYPE (ZidTrustEntry, zid_trust_entry, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_FINGERPRINT,
  PROP_SUBJECT,
  PROP_SUBJECT_DN,
  PROP_ISSUER,
  PROP_NOT_BEFORE,
  PROP_NOT_AFTER,
  PROP_BUILTIN,
  PROP_IS_CRL,
  PROP_IS_ANCHOR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
zid_trust_entry_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  ZidTrustEntry *self = ZID_TRUST_ENTRY (object);

  switch (prop_id)
    {
    case PROP_FINGERPRINT: g_value_set_string (value, self->fingerprint); break;
    case PROP_SUBJECT:     g_value_set_string (value, self->subject); break;
    case PROP_SUBJECT_DN:  g_value_set_string (value, self->subject_dn); break;
    case PROP_ISSUER:      g_value_set_string (value, self->issuer); break;
    case PROP_NOT_BEFORE:  g_value_set_int64 (value, self->not_before); break;
    case PROP_NOT_AFTER:   g_value_set_int64 (value, self->not_after); break;
    case PROP_BUILTIN:     g_value_set_boolean (value, self->builtin); break;
    case PROP_IS_CRL:      g_value_set_boolean (value, self->is_crl); break;
    case PROP_IS_ANCHOR:   g_value_set_boolean (value, self->is_anchor); break;
    default:               G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
zid_trust_entry_finalize (GObject *object)
{
  ZidTrustEntry *self = ZID_TRUST_ENTRY (object);

  g_free (self->fingerprint);
  g_free (self->subject);
  g_free (self->subject_dn);
  g_free (self->issuer);
  g_free (self->path);
  G_OBJECT_CLASS (zid_trust_entry_parent_class)->finalize (object);
}

static void
zid_trust_entry_class_init (ZidTrustEntryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = zid_trust_entry_finalize;
  object_class->get_property = zid_trust_entry_get_property;

  /* read-only: for the window's list to bind to */
  properties[PROP_FINGERPRINT] = g_param_spec_string ("fingerprint", NULL, NULL, NULL, flags);
  properties[PROP_SUBJECT] = g_param_spec_string ("subject", NULL, NULL, NULL, flags);
  properties[PROP_SUBJECT_DN] = g_param_spec_string ("subject-dn", NULL, NULL, NULL, flags);
  properties[PROP_ISSUER] = g_param_spec_string ("issuer", NULL, NULL, NULL, flags);
  properties[PROP_NOT_BEFORE] = g_param_spec_int64 ("not-before", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_NOT_AFTER] = g_param_spec_int64 ("not-after", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_BUILTIN] = g_param_spec_boolean ("builtin", NULL, NULL, FALSE, flags);
  properties[PROP_IS_CRL] = g_param_spec_boolean ("is-crl", NULL, NULL, FALSE, flags);
  properties[PROP_IS_ANCHOR] = g_param_spec_boolean ("is-anchor", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
zid_trust_entry_init (ZidTrustEntry *self)
{
}

ZidTrustKind zid_trust_entry_get_kind (ZidTrustEntry *self) { return self->kind; }
const char *zid_trust_entry_get_fingerprint (ZidTrustEntry *self) { return self->fingerprint; }
const char *zid_trust_entry_get_subject (ZidTrustEntry *self) { return self->subject; }
const char *zid_trust_entry_get_subject_dn (ZidTrustEntry *self) { return self->subject_dn; }
const char *zid_trust_entry_get_issuer (ZidTrustEntry *self) { return self->issuer; }
gint64 zid_trust_entry_get_not_before (ZidTrustEntry *self) { return self->not_before; }
gint64 zid_trust_entry_get_not_after (ZidTrustEntry *self) { return self->not_after; }
gboolean zid_trust_entry_get_builtin (ZidTrustEntry *self) { return self->builtin; }
gboolean zid_trust_entry_get_is_crl (ZidTrustEntry *self) { return self->is_crl; }
gboolean zid_trust_entry_get_is_anchor (ZidTrustEntry *self) { return self->is_anchor; }
const char *zid_trust_entry_get_path (ZidTrustEntry *self) { return self->path; }

static gint64
asn1_time_to_unix (const ASN1_TIME *t)
{
  struct tm tm = { 0 };

  if (t == NULL || ASN1_TIME_to_tm (t, &tm) != 1)
    return 0;
  return timegm (&tm);
}

static char *
name_rfc2253 (const X509_NAME *name)
{
  g_autoptr(BIO) bio = BIO_new (BIO_s_mem ());
  char *data = NULL;
  long len;

  if (bio == NULL)
    return g_strdup ("?");
  X509_NAME_print_ex (bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  len = BIO_get_mem_data (bio, &data);
  return len > 0 ? g_utf8_make_valid (data, len) : g_strdup ("");
}

static ZidTrustEntry *
entry_new_certificate (ZidTrustKind  kind,
                       X509         *cert)
{
  ZidTrustEntry *self = g_object_new (ZID_TYPE_TRUST_ENTRY, NULL);

  self->kind = kind;
  self->fingerprint = zid_x509_fingerprint_sha256 (cert);
  self->subject = zid_x509_name_display (X509_get_subject_name (cert));
  self->subject_dn = name_rfc2253 (X509_get_subject_name (cert));
  self->issuer = zid_x509_name_display (X509_get_issuer_name (cert));
  self->not_before = asn1_time_to_unix (X509_get0_notBefore (cert));
  self->not_after = asn1_time_to_unix (X509_get0_notAfter (cert));
  self->is_anchor = X509_self_signed (cert, 0) == 1;
  ERR_clear_error ();
  return self;
}

static char *
crl_fingerprint (X509_CRL *crl,
                 gboolean  colons)
{
  unsigned char *der = NULL;
  int len = i2d_X509_CRL (crl, &der);
  char *hex;

  if (len <= 0)
    return NULL;
  hex = zid_sha256_hex (der, (gsize) len, colons);
  OPENSSL_free (der);
  return hex;
}

static ZidTrustEntry *
entry_new_crl (ZidTrustKind  kind,
               X509_CRL     *crl)
{
  ZidTrustEntry *self = g_object_new (ZID_TYPE_TRUST_ENTRY, NULL);

  self->kind = kind;
  self->fingerprint = crl_fingerprint (crl, TRUE);
  self->subject = zid_x509_name_display (X509_CRL_get_issuer (crl));
  self->subject_dn = name_rfc2253 (X509_CRL_get_issuer (crl));
  self->issuer = g_strdup (self->subject);
  self->not_before = asn1_time_to_unix (X509_CRL_get0_lastUpdate (crl));
  self->not_after = asn1_time_to_unix (X509_CRL_get0_nextUpdate (crl));
  self->is_crl = TRUE;
  return self;
}

/* Parsing: every certificate and CRL of @data */

typedef struct
{
  ZidX509Stack       *certs;
  STACK_OF (X509_CRL) *crls;
} Parsed;

static void
parsed_clear (Parsed *p)
{
  g_clear_pointer (&p->certs, zid_x509_stack_free);
  if (p->crls != NULL)
    sk_X509_CRL_pop_free (p->crls, X509_CRL_free);
  p->crls = NULL;
}

static void
parse (const guint8 *data,
       gsize         len,
       Parsed       *out)
{
  X509_CRL *crl;

  out->certs = sk_X509_new_null ();
  out->crls = sk_X509_CRL_new_null ();
  if (data == NULL || len == 0 || len > G_MAXINT)
    return;
  zid_x509_read_certificates (data, len, out->certs);
  if (memmem (data, len, "-----BEGIN", 10) != NULL)
    {
      g_autoptr(BIO) bio = BIO_new_mem_buf (data, (int) len);

      while (bio != NULL && (crl = PEM_read_bio_X509_CRL (bio, NULL, NULL, NULL)) != NULL)
        sk_X509_CRL_push (out->crls, crl);
    }
  else if (sk_X509_num (out->certs) == 0)
    {
      const unsigned char *p = data;

      if ((crl = d2i_X509_CRL (NULL, &p, (long) len)) != NULL)
        {
          if (p == data + len)
            sk_X509_CRL_push (out->crls, crl);
          else
            X509_CRL_free (crl);
        }
    }
  ERR_clear_error ();
}

static void
list_folder (GPtrArray    *entries,
             const char   *dir_path,
             ZidTrustKind  kind,
             gboolean      builtin)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir_path, g_ptr_array_index (names, i), NULL);
      g_autofree char *contents = NULL;
      Parsed p = { 0 };
      gsize len = 0;

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR) ||
          !g_file_get_contents (path, &contents, &len, NULL))
        continue;
      parse ((const guint8 *) contents, len, &p);
      for (int j = 0; j < sk_X509_num (p.certs); j++)
        {
          ZidTrustEntry *e = entry_new_certificate (kind, sk_X509_value (p.certs, j));
          e->builtin = builtin;
          e->path = g_strdup (path);
          g_ptr_array_add (entries, e);
        }
      for (int j = 0; j < sk_X509_CRL_num (p.crls); j++)
        {
          ZidTrustEntry *e = entry_new_crl (kind, sk_X509_CRL_value (p.crls, j));
          e->builtin = builtin;
          e->path = g_strdup (path);
          g_ptr_array_add (entries, e);
        }
      parsed_clear (&p);
    }
}

static int
compare_added (gconstpointer a,
               gconstpointer b)
{
  ZidTrustEntry *x = *(ZidTrustEntry **) a;
  ZidTrustEntry *y = *(ZidTrustEntry **) b;

  int c;

  if (x->builtin != y->builtin)
    return x->builtin ? -1 : 1;
  if ((c = g_utf8_collate (x->subject, y->subject)) != 0)
    return c;
  return g_strcmp0 (x->fingerprint, y->fingerprint);
}

GPtrArray *
zid_trust_store_list (const char     *data_dir,
                      ZidEnvironment  environment,
                      ZidTrustKind    kind)
{
  GPtrArray *entries = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto(GStrv) dirs = NULL;

  g_return_val_if_fail (data_dir != NULL, entries);

  dirs = zid_trust_store_dirs (data_dir, environment, kind);
  list_folder (entries, dirs[0], kind, TRUE);
  list_folder (entries, dirs[1], kind, FALSE);
  /* built-in first, then the added ones; each by subject */
  g_ptr_array_sort (entries, compare_added);
  return entries;
}

gboolean
zid_trust_store_has_anchors (const char     *data_dir,
                             ZidEnvironment  environment,
                             ZidTrustKind    kind)
{
  g_autoptr(ZidTrustFolder) folder = NULL;
  g_auto(GStrv) dirs = NULL;

  g_return_val_if_fail (data_dir != NULL, FALSE);

  dirs = zid_trust_store_dirs (data_dir, environment, kind);
  folder = zid_trust_folder_load_all ((const char * const *) dirs, ZID_TRUST_LOAD_SKIP_MISSING,
                                      NULL, NULL);
  return folder != NULL && folder->n_anchors > 0;
}

/* The portal's side: audited */

GPtrArray *
zid_portal_list_trust (ZidPortal    *self,
                       ZidTrustKind  kind)
{
  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  return zid_trust_store_list (self->data_dir, self->environment, kind);
}

/* Why @cert cannot be trust, NULL when it can */
static char *
certificate_refusal (X509   *cert,
                     gint64  now)
{
  g_autofree char *who = zid_x509_name_display (X509_get_subject_name (cert));
  time_t t = (time_t) now;
  char *why = NULL;

  if (X509_check_ca (cert) == 0)
    why = g_strdup_printf (_("%s is not a CA certificate and cannot be a trusted root or "
                             "intermediate certificate"), who);
  else if (X509_cmp_time (X509_get0_notAfter (cert), &t) <= 0)
    why = g_strdup_printf (_("%s has expired"), who);
  else if (X509_cmp_time (X509_get0_notBefore (cert), &t) > 0)
    why = g_strdup_printf (_("%s is not valid yet"), who);
  ERR_clear_error ();
  return why;
}

static char *
to_pem (X509     *cert,
        X509_CRL *crl)
{
  g_autoptr(BIO) bio = BIO_new (BIO_s_mem ());
  char *data = NULL;
  long len;

  if (bio == NULL)
    return NULL;
  if (cert != NULL ? PEM_write_bio_X509 (bio, cert) != 1 : PEM_write_bio_X509_CRL (bio, crl) != 1)
    return NULL;
  len = BIO_get_mem_data (bio, &data);
  return g_strndup (data, (gsize) len);
}

/* "AB:CD:..." or "abcd...": 64 lowercase hex digits, NULL when it is not
 * a SHA-256 */
static char *
normalise_fingerprint (const char *text)
{
  GString *hex = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == ':' || *p == ' ')
        continue;
      if (!g_ascii_isxdigit (*p))
        break;
      g_string_append_c (hex, g_ascii_tolower (*p));
    }
  if (hex->len != 64)
    {
      g_string_free (hex, TRUE);
      return NULL;
    }
  return g_string_free (hex, FALSE);
}

/* Writes one certificate or CRL into the store (0600, named by the
 * SHA-256 of its DER), audited when it was not there before */
static gboolean
store_one (ZidPortal     *self,
           ZidTrustKind   kind,
           const char    *dir,
           ZidTrustEntry *entry,
           const char    *pem,
           GError       **error)
{
  g_autofree char *hex = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autofree char *details = NULL;
  ZidWrite w;
  gboolean created, ok;

  hex = normalise_fingerprint (entry->fingerprint);
  name = g_strconcat (hex, entry->is_crl ? ".crl" : ".pem", NULL);
  path = g_build_filename (dir, name, NULL);
  created = !g_file_test (path, G_FILE_TEST_EXISTS);

  if (!_zid_write_begin (&w, self, g_strdup ("local"), "trust.add",
                         g_strdup_printf ("%s:%s", zid_trust_kind_to_string (kind), entry->fingerprint),
                         error))
    return FALSE;
  ok = g_file_set_contents_full (path, pem, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &w.error);
  if (ok)
    g_chmod (path, 0600);
  details = g_strdup_printf ("subject=%s%s", entry->subject_dn, entry->is_crl ? " crl" : "");
  if (!(created ? _zid_write_end_audited (&w, ok, details, error) : _zid_write_end (&w, ok, error)))
    {
      if (ok && created)
        g_unlink (path);
      return FALSE;
    }
  g_free (entry->path);
  entry->path = g_steal_pointer (&path);
  return TRUE;
}

GPtrArray *
zid_portal_add_trust (ZidPortal     *self,
                      ZidTrustKind   kind,
                      GBytes        *data,
                      GError       **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) pems = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *dir = NULL;
  Parsed p = { 0 };
  gint64 now;
  gsize len = 0;
  const guint8 *bytes;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);
  g_return_val_if_fail (data != NULL, NULL);

  bytes = g_bytes_get_data (data, &len);
  now = _zid_portal_now (self);
  parse (bytes, len, &p);
  if (sk_X509_num (p.certs) + sk_X509_CRL_num (p.crls) == 0)
    {
      parsed_clear (&p);
      _zid_refuse (error, ZID_ERROR_CERTIFICATE_INVALID,
                   _("No certificate or revocation list (CRL) found: the file is unreadable or "
                     "in a form other than PEM or DER"));
      return NULL;
    }

  /* All or nothing: every certificate is checked before anything is written */
  for (int i = 0; i < sk_X509_num (p.certs); i++)
    {
      X509 *cert = sk_X509_value (p.certs, i);
      g_autofree char *why = certificate_refusal (cert, now);

      if (why != NULL)
        {
          parsed_clear (&p);
          _zid_refuse (error, ZID_ERROR_CERTIFICATE_INVALID, "%s", why);
          return NULL;
        }
      g_ptr_array_add (entries, entry_new_certificate (kind, cert));
      g_ptr_array_add (pems, to_pem (cert, NULL));
    }
  for (int i = 0; i < sk_X509_CRL_num (p.crls); i++)
    {
      X509_CRL *crl = sk_X509_CRL_value (p.crls, i);

      g_ptr_array_add (entries, entry_new_crl (kind, crl));
      g_ptr_array_add (pems, to_pem (NULL, crl));
    }
  parsed_clear (&p);

  dir = zid_trust_store_dir (self->data_dir, kind);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, ZID_ERROR, ZID_ERROR_IO, _("Cannot make the folder %s: %s"), dir,
                   g_strerror (saved));
      return NULL;
    }
  for (guint i = 0; i < entries->len; i++)
    {
      if (g_ptr_array_index (pems, i) == NULL)
        {
          g_set_error_literal (error, ZID_ERROR, ZID_ERROR_CRYPTO, _("Cannot save the certificate"));
          return NULL;
        }
      if (!store_one (self, kind, dir, g_ptr_array_index (entries, i), g_ptr_array_index (pems, i),
                      error))
        return NULL;
    }
  return g_steal_pointer (&entries);
}

gboolean
zid_portal_remove_trust (ZidPortal     *self,
                         ZidTrustKind   kind,
                         const char    *fingerprint,
                         GError       **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *hex = NULL;
  ZidTrustEntry *found = NULL;
  gboolean builtin = FALSE;
  ZidWrite w;
  gboolean ok;

  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);
  g_return_val_if_fail (fingerprint != NULL, FALSE);

  hex = normalise_fingerprint (fingerprint);
  if (hex == NULL)
    return _zid_refuse (error, ZID_ERROR_INVALID_INPUT,
                        _("“%s” is not a SHA-256 fingerprint (64 hexadecimal characters)"),
                        fingerprint);

  entries = zid_trust_store_list (self->data_dir, self->environment, kind);
  for (guint i = 0; i < entries->len; i++)
    {
      ZidTrustEntry *e = g_ptr_array_index (entries, i);
      g_autofree char *h = normalise_fingerprint (e->fingerprint);

      if (g_strcmp0 (h, hex) != 0)
        continue;
      if (e->builtin)
        builtin = TRUE;
      else
        found = e;
    }
  if (found == NULL && builtin)
    return _zid_refuse (error, ZID_ERROR_NOT_PERMITTED,
                        _("This certificate is built into the application and cannot be removed"));
  if (found == NULL)
    return _zid_refuse (error, ZID_ERROR_NOT_FOUND,
                        _("No added certificate with this fingerprint for %s"),
                        zid_environment_to_string (self->environment));

  if (!_zid_write_begin (&w, self, g_strdup ("local"), "trust.remove",
                         g_strdup_printf ("%s:%s", zid_trust_kind_to_string (kind), found->fingerprint),
                         error))
    return FALSE;
  ok = g_unlink (found->path) == 0;
  if (!ok)
    {
      int saved = errno;
      g_set_error (&w.error, ZID_ERROR, ZID_ERROR_IO, _("Cannot remove %s: %s"), found->path,
                   g_strerror (saved));
    }
  {
    g_autofree char *details = g_strdup_printf ("subject=%s", found->subject_dn);
    return _zid_write_end_audited (&w, ok, details, error);
  }
}
