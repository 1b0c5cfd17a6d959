/* zid-uzi.c — the UZI-pas certificate profile */
#define G_LOG_DOMAIN "zid-card"

#include "zid-uzi.h"

#include <string.h>
#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "zid-card-error.h"
#include "zid-i18n.h"
#include "zid-trust.h"

struct _ZidUziIdentity
{
  GObject parent_instance;

  /* owned */
  X509 *cert;
  char *given_name;
  char *surname;
  char *common_name;
  char *organisation;
  char *title;
  char *serial_number;
  char *oid_ca;
  char *uzi_number;
  char *subscriber_number;
  char *role;
  char *agb_code;
  char *upn;
  GDateTime *not_before;
  GDateTime *not_after;

  guint uzi_version;
  char card_type;
  ZidUziPurpose purpose;
};

G_DEFINE_FINAL_TYPE (ZidUziIdentity, zid_uzi_identity, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_GIVEN_NAME,
  PROP_SURNAME,
  PROP_COMMON_NAME,
  PROP_ORGANISATION,
  PROP_TITLE,
  PROP_SERIAL_NUMBER,
  PROP_OID_CA,
  PROP_UZI_NUMBER,
  PROP_SUBSCRIBER_NUMBER,
  PROP_ROLE,
  PROP_AGB_CODE,
  PROP_UPN,
  PROP_CARD_TYPE,
  PROP_UZI_VERSION,
  PROP_NOT_BEFORE,
  PROP_NOT_AFTER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* String properties and where they live */
static const struct {
  guint prop;
  const char *name;
  gsize offset;
} string_props[] = {
  { PROP_GIVEN_NAME, "given-name", G_STRUCT_OFFSET (ZidUziIdentity, given_name) },
  { PROP_SURNAME, "surname", G_STRUCT_OFFSET (ZidUziIdentity, surname) },
  { PROP_COMMON_NAME, "common-name", G_STRUCT_OFFSET (ZidUziIdentity, common_name) },
  { PROP_ORGANISATION, "organisation", G_STRUCT_OFFSET (ZidUziIdentity, organisation) },
  { PROP_TITLE, "title", G_STRUCT_OFFSET (ZidUziIdentity, title) },
  { PROP_SERIAL_NUMBER, "serial-number", G_STRUCT_OFFSET (ZidUziIdentity, serial_number) },
  { PROP_OID_CA, "oid-ca", G_STRUCT_OFFSET (ZidUziIdentity, oid_ca) },
  { PROP_UZI_NUMBER, "uzi-number", G_STRUCT_OFFSET (ZidUziIdentity, uzi_number) },
  { PROP_SUBSCRIBER_NUMBER, "subscriber-number", G_STRUCT_OFFSET (ZidUziIdentity, subscriber_number) },
  { PROP_ROLE, "role", G_STRUCT_OFFSET (ZidUziIdentity, role) },
  { PROP_AGB_CODE, "agb-code", G_STRUCT_OFFSET (ZidUziIdentity, agb_code) },
  { PROP_UPN, "upn", G_STRUCT_OFFSET (ZidUziIdentity, upn) },
};

static void
zid_uzi_identity_finalize (GObject *object)
{
  ZidUziIdentity *self = ZID_UZI_IDENTITY (object);

  g_clear_pointer (&self->cert, X509_free);
  for (guint i = 0; i < G_N_ELEMENTS (string_props); i++)
    g_clear_pointer ((char **) G_STRUCT_MEMBER_P (self, string_props[i].offset), g_free);
  g_clear_pointer (&self->not_before, g_date_time_unref);
  g_clear_pointer (&self->not_after, g_date_time_unref);

  G_OBJECT_CLASS (zid_uzi_identity_parent_class)->finalize (object);
}

static void
zid_uzi_identity_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  ZidUziIdentity *self = ZID_UZI_IDENTITY (object);

  for (guint i = 0; i < G_N_ELEMENTS (string_props); i++)
    if (string_props[i].prop == prop_id)
      {
        g_value_set_string (value, G_STRUCT_MEMBER (char *, self, string_props[i].offset));
        return;
      }

  switch (prop_id)
    {
    case PROP_CARD_TYPE:
      {
        char s[2] = { self->card_type, '\0' };
        g_value_set_string (value, s);
      }
      break;
    case PROP_UZI_VERSION:
      g_value_set_uint (value, self->uzi_version);
      break;
    case PROP_NOT_BEFORE:
      g_value_set_boxed (value, self->not_before);
      break;
    case PROP_NOT_AFTER:
      g_value_set_boxed (value, self->not_after);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
zid_uzi_identity_class_init (ZidUziIdentityClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = zid_uzi_identity_finalize;
  object_class->get_property = zid_uzi_identity_get_property;

  for (guint i = 0; i < G_N_ELEMENTS (string_props); i++)
    properties[string_props[i].prop] =
      g_param_spec_string (string_props[i].name, NULL, NULL, NULL,
                           G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CARD_TYPE] =
    g_param_spec_string ("card-type", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_UZI_VERSION] =
    g_param_spec_uint ("uzi-version", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NOT_BEFORE] =
    g_param_spec_boxed ("not-before", NULL, NULL, G_TYPE_DATE_TIME,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NOT_AFTER] =
    g_param_spec_boxed ("not-after", NULL, NULL, G_TYPE_DATE_TIME,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
zid_uzi_identity_init (ZidUziIdentity *self)
{
}

/* --- environments and OID CAs --------------------------------------------- */

gboolean
zid_uzi_environment_from_string (const char        *name,
                                 ZidUziEnvironment *environment)
{
  if (g_strcmp0 (name, "acceptatie") == 0)
    *environment = ZID_UZI_ENVIRONMENT_ACCEPTATIE;
  else if (g_strcmp0 (name, "productie") == 0)
    *environment = ZID_UZI_ENVIRONMENT_PRODUCTIE;
  else
    return FALSE;
  return TRUE;
}

const char *
zid_uzi_environment_to_string (ZidUziEnvironment environment)
{
  return environment == ZID_UZI_ENVIRONMENT_PRODUCTIE ? "productie" : "acceptatie";
}

static gboolean
is_oid (const char *s)
{
  gboolean digit = FALSE;

  if (s == NULL || *s == '\0')
    return FALSE;
  for (; *s; s++)
    {
      if (g_ascii_isdigit (*s))
        digit = TRUE;
      else if (*s == '.' && digit)
        digit = FALSE;
      else
        return FALSE;
    }
  return digit;
}

gboolean
zid_uzi_oid_ca_allowed (const char         *oid,
                        ZidUziEnvironment   environment,
                        const char * const *extra_oid_cas)
{
  static const char * const production[] = {
    "2.16.528.1.1003.1.3.5.5.2", /* Zorgverlener CA */
    "2.16.528.1.1003.1.3.5.5.3", /* Medewerker op naam CA: N cards (named employee) */
    "2.16.528.1.1003.1.3.5.5.4", /* Medewerker niet op naam CA: M cards (unnamed employee) */
    "2.16.528.1.1003.1.3.5.5.5", /* Servercertificaten (S) */
  };

  if (!is_oid (oid))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (production); i++)
    if (strcmp (oid, production[i]) == 0)
      return TRUE;
  if (environment == ZID_UZI_ENVIRONMENT_ACCEPTATIE &&
      g_str_has_prefix (oid, ZID_UZI_OID_TEST_ARC ".") &&
      strlen (oid) > strlen (ZID_UZI_OID_TEST_ARC "."))
    return TRUE;
  for (guint i = 0; extra_oid_cas != NULL && extra_oid_cas[i] != NULL; i++)
    if (strcmp (oid, extra_oid_cas[i]) == 0)
      return TRUE;
  return FALSE;
}

char *
zid_uzi_purpose_to_string (ZidUziPurpose purpose)
{
  GString *s = g_string_new (NULL);

  if (purpose & ZID_UZI_PURPOSE_AUTHENTICATION)
    g_string_append (s, "authentication,");
  if (purpose & ZID_UZI_PURPOSE_SIGNATURE)
    g_string_append (s, "signature,");
  if (purpose & ZID_UZI_PURPOSE_ENCRYPTION)
    g_string_append (s, "encryption,");
  if (s->len > 0)
    g_string_truncate (s, s->len - 1);
  else
    g_string_append (s, "none");
  return g_string_free (s, FALSE);
}

/* --- parsing -------------------------------------------------------------- */

X509 *
zid_uzi_load_x509 (const guint8  *data,
                   gsize          len,
                   GError       **error)
{
  const unsigned char *p = data;
  X509 *cert = NULL;

  if (data != NULL && len > 0 && len < G_MAXINT)
    {
      cert = d2i_X509 (NULL, &p, (long) len);
      if (cert != NULL && p != data + len)
        g_clear_pointer (&cert, X509_free); /* trailing garbage */
      if (cert == NULL)
        {
          BIO *bio = BIO_new_mem_buf (data, (int) len);
          if (bio != NULL)
            {
              cert = PEM_read_bio_X509 (bio, NULL, NULL, NULL);
              BIO_free (bio);
            }
        }
    }
  ERR_clear_error ();
  if (cert == NULL)
    g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_NOT_A_CERTIFICATE,
                 _("Not an X.509 certificate (PEM or DER)"));
  return cert;
}

static char *
asn1_to_utf8 (const ASN1_STRING *str)
{
  unsigned char *out = NULL;
  char *ret;
  int n;

  if (str == NULL)
    return NULL;
  n = ASN1_STRING_to_UTF8 (&out, str);
  if (n < 0)
    {
      ERR_clear_error ();
      return NULL;
    }
  /* Embedded NULs and invalid UTF-8 become U+FFFD: never trust the card */
  ret = g_utf8_make_valid ((const char *) out, n);
  for (char *c = ret; *c; c++)
    if ((guchar) *c < 0x20)
      *c = '?';
  OPENSSL_free (out);
  return ret;
}

static char *
subject_field (X509_NAME *name,
               int        nid)
{
  int idx = X509_NAME_get_index_by_NID (name, nid, -1);

  if (idx < 0)
    return NULL;
  return asn1_to_utf8 (X509_NAME_ENTRY_get_data (X509_NAME_get_entry (name, idx)));
}

static gboolean
all_digits (const char *s)
{
  if (s == NULL || *s == '\0')
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}

static GDateTime *
asn1_time_to_datetime (const ASN1_TIME *t)
{
  struct tm tm = { 0 };

  if (t == NULL || ASN1_TIME_to_tm (t, &tm) != 1)
    {
      ERR_clear_error ();
      return NULL;
    }
  return g_date_time_new_utc (tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                              tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Parse "<OID CA>-<version>-<UZI>-<type>-<URA>-<role>-<AGB>" */
static gboolean
parse_uzi_name (ZidUziIdentity     *self,
                const char         *value,
                ZidUziEnvironment   environment,
                const char * const *extra_oid_cas,
                GError            **error)
{
  g_auto(GStrv) f = g_strsplit (value, "-", -1);
  guint n = g_strv_length (f);

  if (n != 7)
    {
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_UZI_NAME_FIELDS,
                   _("The UZI name has %u fields instead of 7"), n);
      return FALSE;
    }
  if (strcmp (f[1], "1") != 0)
    {
      g_autofree char *v = g_strescape (f[1], NULL);
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_UZI_VERSION,
                   _("Unknown version of the UZI name: \"%s\" (expected 1)"), v);
      return FALSE;
    }
  if (strlen (f[3]) != 1 || strchr ("ZNMS", f[3][0]) == NULL)
    {
      g_autofree char *v = g_strescape (f[3], NULL);
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_CARD_TYPE,
                   _("Unknown card type \"%s\" (expected Z, N, M or S)"), v);
      return FALSE;
    }
  if (!all_digits (f[2]))
    {
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_UZI_NUMBER,
                   _("The UZI number is not numeric"));
      return FALSE;
    }
  if (!all_digits (f[4]))
    {
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_SUBSCRIBER_NUMBER,
                   _("The subscriber number (URA) is not numeric"));
      return FALSE;
    }
  if (!zid_uzi_oid_ca_allowed (f[0], environment, extra_oid_cas))
    {
      g_autofree char *v = g_strescape (f[0], NULL);
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_OID_CA_NOT_ALLOWED,
                   _("OID CA %s is not allowed in the environment %s"),
                   v, zid_uzi_environment_to_string (environment));
      return FALSE;
    }

  self->oid_ca = g_strdup (f[0]);
  self->uzi_version = 1;
  self->uzi_number = g_strdup (f[2]);
  self->card_type = f[3][0];
  self->subscriber_number = g_strdup (f[4]);
  self->role = g_strdup (f[5]);
  self->agb_code = g_strdup (f[6]);
  return TRUE;
}

static gboolean
parse_alt_names (ZidUziIdentity     *self,
                 X509               *cert,
                 ZidUziEnvironment   environment,
                 const char * const *extra_oid_cas,
                 GError            **error)
{
  GENERAL_NAMES *names;
  gboolean ok = FALSE;
  gboolean found = FALSE;
  int crit = -1;

  names = X509_get_ext_d2i (cert, NID_subject_alt_name, &crit, NULL);
  if (names == NULL)
    {
      ERR_clear_error ();
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_NO_SUBJECT_ALT_NAME,
                   crit == -1 ? _("The certificate has no subjectAltName")
                              : _("The certificate's subjectAltName cannot be read"));
      return FALSE;
    }

  for (int i = 0; i < sk_GENERAL_NAME_num (names); i++)
    {
      GENERAL_NAME *gn = sk_GENERAL_NAME_value (names, i);
      char oid[128];

      if (gn->type != GEN_OTHERNAME || gn->d.otherName == NULL || gn->d.otherName->value == NULL)
        continue;
      if (OBJ_obj2txt (oid, sizeof oid, gn->d.otherName->type_id, 1) <= 0)
        continue;

      if (strcmp (oid, ZID_UZI_OID_UPN) == 0 && self->upn == NULL &&
          gn->d.otherName->value->type == V_ASN1_UTF8STRING)
        self->upn = asn1_to_utf8 (gn->d.otherName->value->value.utf8string);
      else if (strcmp (oid, ZID_UZI_OID_NAME) == 0)
        {
          const ASN1_TYPE *v = gn->d.otherName->value;
          const unsigned char *bytes;
          g_autofree char *value = NULL;
          int len;

          /* One card, one holder: never pick one of two names */
          if (found)
            {
              g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_UZI_NAME_MULTIPLE,
                           _("The certificate has more than one UZI name (otherName 2.5.5.5); not "
                             "a valid UZI-pas"));
              goto out;
            }
          found = TRUE;
          if (v->type != V_ASN1_IA5STRING)
            {
              g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_UZI_NAME_NOT_IA5,
                           _("The UZI name (otherName 2.5.5.5) is not an IA5String"));
              goto out;
            }
          bytes = ASN1_STRING_get0_data (v->value.ia5string);
          len = ASN1_STRING_length (v->value.ia5string);
          for (int j = 0; j < len; j++)
            if (bytes[j] < 0x20 || bytes[j] > 0x7e)
              {
                g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_UZI_NAME_NOT_IA5,
                             _("The UZI name contains invalid characters"));
                goto out;
              }
          value = g_strndup ((const char *) bytes, (gsize) len);
          if (!parse_uzi_name (self, value, environment, extra_oid_cas, error))
            goto out;
        }
    }

  if (!found)
    {
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_NO_UZI_NAME,
                   _("The certificate has no UZI name (otherName 2.5.5.5); not a UZI-pas"));
      goto out;
    }
  ok = TRUE;

out:
  GENERAL_NAMES_free (names);
  return ok;
}

ZidUziIdentity *
zid_uzi_identity_new_from_x509 (X509               *cert,
                                ZidUziEnvironment   environment,
                                const char * const *extra_oid_cas,
                                GError            **error)
{
  g_autoptr(ZidUziIdentity) self = NULL;
  X509_NAME *subject;
  uint32_t ku;

  g_return_val_if_fail (cert != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (ZID_TYPE_UZI_IDENTITY, NULL);
  X509_up_ref (cert);
  self->cert = cert;

  subject = X509_get_subject_name (cert);
  self->given_name = subject_field (subject, NID_givenName);
  self->surname = subject_field (subject, NID_surname);
  self->common_name = subject_field (subject, NID_commonName);
  self->organisation = subject_field (subject, NID_organizationName);
  self->title = subject_field (subject, NID_title);
  self->serial_number = subject_field (subject, NID_serialNumber);

  if (!parse_alt_names (self, cert, environment, extra_oid_cas, error))
    return NULL;

  ku = X509_get_key_usage (cert);
  ERR_clear_error ();
  if (ku != UINT32_MAX)
    {
      if (ku & KU_DIGITAL_SIGNATURE)
        self->purpose |= ZID_UZI_PURPOSE_AUTHENTICATION;
      if (ku & KU_NON_REPUDIATION)
        self->purpose |= ZID_UZI_PURPOSE_SIGNATURE;
      if (ku & (KU_KEY_ENCIPHERMENT | KU_DATA_ENCIPHERMENT))
        self->purpose |= ZID_UZI_PURPOSE_ENCRYPTION;
    }

  self->not_before = asn1_time_to_datetime (X509_get0_notBefore (cert));
  self->not_after = asn1_time_to_datetime (X509_get0_notAfter (cert));
  if (self->not_before == NULL || self->not_after == NULL)
    {
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_NOT_A_CERTIFICATE,
                   _("The certificate's validity cannot be read"));
      return NULL;
    }

  g_debug ("UZI identity: UZI %s, card type %c, URA %s",
           self->uzi_number, self->card_type, self->subscriber_number);
  return g_steal_pointer (&self);
}

ZidUziIdentity *
zid_uzi_identity_new_from_data (const guint8       *data,
                                gsize               len,
                                ZidUziEnvironment   environment,
                                const char * const *extra_oid_cas,
                                GError            **error)
{
  ZidUziIdentity *self;
  X509 *cert;

  cert = zid_uzi_load_x509 (data, len, error);
  if (cert == NULL)
    return NULL;
  self = zid_uzi_identity_new_from_x509 (cert, environment, extra_oid_cas, error);
  X509_free (cert);
  return self;
}

ZidUziIdentity *
zid_uzi_identity_new_from_file (const char         *path,
                                ZidUziEnvironment   environment,
                                const char * const *extra_oid_cas,
                                GError            **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_NOT_A_CERTIFICATE,
                   "%s", local_error->message);
      return NULL;
    }
  return zid_uzi_identity_new_from_data ((const guint8 *) contents, len,
                                         environment, extra_oid_cas, error);
}

/* --- checks --------------------------------------------------------------- */

gboolean
zid_uzi_identity_check_validity (ZidUziIdentity  *self,
                                 GDateTime       *now,
                                 GError         **error)
{
  g_autoptr(GDateTime) current = NULL;

  g_return_val_if_fail (ZID_IS_UZI_IDENTITY (self), FALSE);

  current = now != NULL ? g_date_time_ref (now) : g_date_time_new_now_utc ();
  if (g_date_time_compare (current, self->not_after) > 0)
    {
      g_autofree char *when = g_date_time_format (self->not_after, "%d-%m-%Y");
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_EXPIRED,
                   _("UZI-pas expired (valid until %s)"), when);
      return FALSE;
    }
  if (g_date_time_compare (current, self->not_before) < 0)
    {
      g_autofree char *when = g_date_time_format (self->not_before, "%d-%m-%Y");
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_NOT_YET_VALID,
                   _("UZI-pas not valid yet (valid from %s)"), when);
      return FALSE;
    }
  return TRUE;
}

gboolean
zid_uzi_identity_check_purpose (ZidUziIdentity  *self,
                                ZidUziPurpose    purpose,
                                GError         **error)
{
  g_return_val_if_fail (ZID_IS_UZI_IDENTITY (self), FALSE);

  if ((self->purpose & purpose) != purpose)
    {
      g_autofree char *want = zid_uzi_purpose_to_string (purpose);
      g_autofree char *have = zid_uzi_purpose_to_string (self->purpose);
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_KEY_USAGE,
                   _("The certificate is not meant for %s (keyUsage: %s)"), want, have);
      return FALSE;
    }
  return TRUE;
}

static char *
issuer_to_string (X509 *cert)
{
  BIO *bio = BIO_new (BIO_s_mem ());
  char *data = NULL;
  char *ret;
  long len;

  if (bio == NULL)
    return g_strdup ("?");
  X509_NAME_print_ex (bio, X509_get_issuer_name (cert), 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
  len = BIO_get_mem_data (bio, &data);
  ret = len > 0 ? g_utf8_make_valid (data, len) : g_strdup ("?");
  BIO_free (bio);
  return ret;
}

gboolean
zid_uzi_identity_validate_chain (ZidUziIdentity  *self,
                                 const char      *trust_dir,
                                 GPtrArray       *intermediates,
                                 GDateTime       *now,
                                 GPtrArray      **out_chain,
                                 GError         **error)
{
  const char *dirs[] = { trust_dir, NULL };

  g_return_val_if_fail (trust_dir != NULL, FALSE);

  return zid_uzi_identity_validate_chain_dirs (self, dirs, FALSE, intermediates, now, out_chain,
                                               error);
}

gboolean
zid_uzi_identity_validate_chain_dirs (ZidUziIdentity     *self,
                                      const char * const *trust_dirs,
                                      gboolean            skip_missing,
                                      GPtrArray          *intermediates,
                                      GDateTime          *now,
                                      GPtrArray         **out_chain,
                                      GError            **error)
{
  g_autoptr(ZidTrustFolder) folder = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *failed = NULL;
  g_autofree char *trust_dir = NULL;
  X509_STORE_CTX *ctx = NULL;
  gboolean ok = FALSE;
  int rc, err, depth;

  g_return_val_if_fail (ZID_IS_UZI_IDENTITY (self), FALSE);
  g_return_val_if_fail (trust_dirs != NULL, FALSE);

  /* Where the messages point to: the one folder, or the environment's trust */
  trust_dir = trust_dirs[0] != NULL && trust_dirs[1] == NULL
    ? g_strdup (trust_dirs[0])
    : g_strdup (_("this environment's trusted UZI certificates"));

  /* A card holds an end-entity certificate, never a CA: a CA (or a
   * certificate that may sign others) would vouch for cards of its own */
  if (X509_check_ca (self->cert) != 0)
    {
      ERR_clear_error ();
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_KEY_USAGE,
                   _("The certificate is a CA certificate, not a card certificate; not a UZI-pas"));
      return FALSE;
    }

  folder = zid_trust_folder_load_all (trust_dirs,
                                      skip_missing ? ZID_TRUST_LOAD_SKIP_MISSING : ZID_TRUST_LOAD_NONE,
                                      &failed, &local_error);
  if (folder == NULL)
    {
      if (g_error_matches (local_error, ZID_TRUST_ERROR, ZID_TRUST_ERROR_FOLDER))
        g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_FAILED,
                     _("Cannot read the folder of trusted certificates: %s"), local_error->message);
      else if (g_error_matches (local_error, ZID_TRUST_ERROR, ZID_TRUST_ERROR_CRL_UNREADABLE))
        g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_CRL,
                     _("Cannot read the revocation list (CRL) %s; put the current CRL of the UZI "
                       "register in that folder and try again"), failed);
      else if (g_error_matches (local_error, ZID_TRUST_ERROR, ZID_TRUST_ERROR_CRL_INVALID))
        g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_CRL,
                     _("The revocation list (CRL) %s is not a CRL; put the current CRL of the UZI "
                       "register (PEM or DER) in that folder and try again"), failed);
      else
        g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_FAILED, "%s", local_error->message);
      return FALSE;
    }
  if (folder->n_anchors == 0)
    {
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_UNTRUSTED,
                   _("No trusted root certificates in %s"), trust_dir);
      return FALSE;
    }
  for (guint i = 0; intermediates != NULL && i < intermediates->len; i++)
    zid_trust_folder_add_untrusted (folder, g_ptr_array_index (intermediates, i));

  ctx = X509_STORE_CTX_new ();
  if (ctx == NULL || !zid_trust_folder_init_context (folder, ctx, self->cert, now))
    {
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_FAILED, _("Cannot check the chain"));
      goto out;
    }
  /* RFC 5280 strictly */
  X509_VERIFY_PARAM_set_flags (X509_STORE_CTX_get0_param (ctx), X509_V_FLAG_X509_STRICT);

  rc = X509_verify_cert (ctx);
  err = X509_STORE_CTX_get_error (ctx);
  depth = X509_STORE_CTX_get_error_depth (ctx);
  if (rc == 1)
    {
      ok = TRUE;
      if (out_chain != NULL)
        {
          STACK_OF (X509) *chain = X509_STORE_CTX_get0_chain (ctx);
          *out_chain = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
          for (int i = 0; chain != NULL && i < sk_X509_num (chain); i++)
            {
              unsigned char *der = NULL;
              int len = i2d_X509 (sk_X509_value (chain, i), &der);
              if (len > 0)
                g_ptr_array_add (*out_chain, g_bytes_new (der, (gsize) len));
              OPENSSL_free (der);
            }
        }
    }
  else if (err == X509_V_ERR_CERT_HAS_EXPIRED && depth == 0)
    {
      g_autofree char *when = g_date_time_format (self->not_after, "%d-%m-%Y");
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_EXPIRED,
                   _("UZI-pas expired (valid until %s)"), when);
    }
  else if (err == X509_V_ERR_CERT_NOT_YET_VALID && depth == 0)
    g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_NOT_YET_VALID, _("UZI-pas not valid yet"));
  else
    switch (err)
      {
      case X509_V_ERR_CERT_REVOKED:
        g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_REVOKED,
                     _("The UZI register has revoked this UZI-pas: its certificate is on the "
                       "revocation list (CRL) in %s. Use a valid UZI-pas"), trust_dir);
        break;
      case X509_V_ERR_CRL_HAS_EXPIRED:
      case X509_V_ERR_CRL_NOT_YET_VALID:
        g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_CRL,
                     err == X509_V_ERR_CRL_HAS_EXPIRED
                       ? _("The UZI register's revocation list (CRL) in %s has expired; put the "
                           "current CRL of the UZI register in that folder and try again")
                       : _("The UZI register's revocation list (CRL) in %s is not valid yet; put "
                           "the current CRL of the UZI register in that folder and try again"),
                     trust_dir);
        break;
      case X509_V_ERR_UNABLE_TO_GET_CRL:
        {
          g_autofree char *issuer = issuer_to_string (self->cert);
          g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_CRL,
                       _("%s holds a revocation list (CRL), but not the one of %s (the issuer of "
                         "this UZI-pas); put the current CRL of the UZI register in that folder "
                         "and try again"), trust_dir, issuer);
        }
        break;
      case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
      case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
      case X509_V_ERR_CRL_SIGNATURE_FAILURE:
      case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
      case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
      case X509_V_ERR_CRL_PATH_VALIDATION_ERROR:
      case X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION:
      case X509_V_ERR_DIFFERENT_CRL_SCOPE:
        g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_CRL,
                     _("The UZI register's revocation list (CRL) in %s is invalid: %s; put the "
                       "current CRL of the UZI register in that folder and try again"),
                     trust_dir, X509_verify_cert_error_string (err));
        break;
      case X509_V_ERR_EE_KEY_TOO_SMALL:
      case X509_V_ERR_CA_KEY_TOO_SMALL:
      case X509_V_ERR_CA_MD_TOO_WEAK:
        g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_UNTRUSTED,
                     _("Certificate not trusted: key or hash function too weak (%s, depth %d)"),
                     X509_verify_cert_error_string (err), depth);
        break;
      default:
        g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_UNTRUSTED,
                     _("Certificate not trusted: %s (depth %d)"),
                     X509_verify_cert_error_string (err), depth);
        break;
      }

out:
  ERR_clear_error ();
  X509_STORE_CTX_free (ctx);
  return ok;
}

/* --- accessors ------------------------------------------------------------ */

X509 *
zid_uzi_identity_get_x509 (ZidUziIdentity *self)
{
  g_return_val_if_fail (ZID_IS_UZI_IDENTITY (self), NULL);
  return self->cert;
}

GBytes *
zid_uzi_identity_get_der (ZidUziIdentity *self)
{
  unsigned char *der = NULL;
  GBytes *bytes;
  int len;

  g_return_val_if_fail (ZID_IS_UZI_IDENTITY (self), NULL);
  len = i2d_X509 (self->cert, &der);
  if (len <= 0)
    return NULL;
  bytes = g_bytes_new (der, (gsize) len);
  OPENSSL_free (der);
  return bytes;
}

#define STRING_GETTER(field) \
  const char * \
  zid_uzi_identity_get_##field (ZidUziIdentity *self) \
  { \
    g_return_val_if_fail (ZID_IS_UZI_IDENTITY (self), NULL); \
    return self->field; \
  }

STRING_GETTER (given_name)
STRING_GETTER (surname)
STRING_GETTER (common_name)
STRING_GETTER (organisation)
STRING_GETTER (title)
STRING_GETTER (serial_number)
STRING_GETTER (oid_ca)
STRING_GETTER (uzi_number)
STRING_GETTER (subscriber_number)
STRING_GETTER (role)
STRING_GETTER (agb_code)
STRING_GETTER (upn)

guint
zid_uzi_identity_get_uzi_version (ZidUziIdentity *self)
{
  g_return_val_if_fail (ZID_IS_UZI_IDENTITY (self), 0);
  return self->uzi_version;
}

char
zid_uzi_identity_get_card_type (ZidUziIdentity *self)
{
  g_return_val_if_fail (ZID_IS_UZI_IDENTITY (self), '\0');
  return self->card_type;
}

ZidUziPurpose
zid_uzi_identity_get_purpose (ZidUziIdentity *self)
{
  g_return_val_if_fail (ZID_IS_UZI_IDENTITY (self), ZID_UZI_PURPOSE_NONE);
  return self->purpose;
}

GDateTime *
zid_uzi_identity_get_not_before (ZidUziIdentity *self)
{
  g_return_val_if_fail (ZID_IS_UZI_IDENTITY (self), NULL);
  return self->not_before;
}

GDateTime *
zid_uzi_identity_get_not_after (ZidUziIdentity *self)
{
  g_return_val_if_fail (ZID_IS_UZI_IDENTITY (self), NULL);
  return self->not_after;
}
