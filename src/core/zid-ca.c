/* zid-ca.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-core"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <string.h>
#include <unistd.h>

#include "zid-ca-internal.h"
#include "zid-error.h"
#include "zid-i18n.h"
#include "zid-key-protection.h"
#include "zid-openssl.h"

#define CA_LIFETIME_DAYS      (20 * 365)
#define MOBILE_LIFETIME_DAYS  (2 * 365)
#define SERVER_LIFETIME_DAYS  (2 * 365)
#define CRL_LIFETIME_DAYS     7
/* Certificates are valid from a little before they are made: a phone or a
 * host whose clock runs a few minutes behind (or a clock stepped back)
 * would otherwise refuse a certificate issued a moment ago as "not yet
 * valid". The end of validity is counted from the real time. */
#define BACKDATE_SECONDS      (5 * 60)


const Fetched *
_zid_ca_fetched (void)
{
  static Fetched f;
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      g_autoptr(EVP_PKEY_CTX) ctx = EVP_PKEY_CTX_new_from_name (NULL, "EC", NULL);
      OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string (OSSL_PKEY_PARAM_GROUP_NAME, (char *) "prime256v1", 0),
        OSSL_PARAM_END
      };

      f.sha256 = EVP_MD_fetch (NULL, "SHA2-256", NULL);
      f.sha1 = EVP_MD_fetch (NULL, "SHA1", NULL);
      if (ctx == NULL || EVP_PKEY_fromdata_init (ctx) != 1 ||
          EVP_PKEY_fromdata (ctx, &f.p256, EVP_PKEY_KEY_PARAMETERS, params) != 1)
        f.p256 = NULL;
      ERR_clear_error ();
      g_once_init_leave (&done, 1);
    }
  return &f;
}

static gboolean
crypto_fail (GError     **error,
             const char  *what)
{
  unsigned long e = ERR_get_error ();
  char buf[256] = "";

  if (e != 0)
    ERR_error_string_n (e, buf, sizeof buf);
  ERR_clear_error ();
  g_set_error (error, ZID_ERROR, ZID_ERROR_CRYPTO, "%s%s%s", what, *buf ? ": " : "", buf);
  return FALSE;
}

void
zid_sha256 (const void *data,
            gsize       len,
            guint8      out[32])
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize out_len = 32;

  g_checksum_update (sum, data, len);
  g_checksum_get_digest (sum, out, &out_len);
}

char *
zid_base64url (const guint8 *data,
               gsize         len)
{
  char *text = g_base64_encode (data, len);
  char *p;

  for (p = text; *p; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        {
          *p = '\0';
          break;
        }
    }
  return text;
}

char *
zid_random_token (gsize n_bytes)
{
  g_autofree guint8 *bytes = g_malloc (n_bytes);
  char *token;

  if (RAND_priv_bytes (bytes, (int) n_bytes) != 1)
    g_error ("The system's random number generator failed");
  token = zid_base64url (bytes, n_bytes);
  OPENSSL_cleanse (bytes, n_bytes);
  return token;
}

static char *
x509_to_pem (X509 *cert)
{
  g_autoptr(BIO) bio = BIO_new (BIO_s_mem ());
  char *data;
  long len;

  if (!PEM_write_bio_X509 (bio, cert))
    return NULL;
  len = BIO_get_mem_data (bio, &data);
  return g_strndup (data, len);
}

static X509 *
x509_from_pem (const char *pem)
{
  g_autoptr(BIO) bio = BIO_new_mem_buf (pem, -1);

  return PEM_read_bio_X509 (bio, NULL, NULL, NULL);
}

char *
zid_certificate_pin (const char  *cert_pem,
                     GError     **error)
{
  g_autoptr(X509) cert = x509_from_pem (cert_pem);
  unsigned char *der = NULL;
  guint8 digest[32];
  int len;

  if (cert == NULL || (len = i2d_X509 (cert, &der)) <= 0)
    {
      crypto_fail (error, _("Invalid certificate"));
      return NULL;
    }
  zid_sha256 (der, len, digest);
  OPENSSL_free (der);
  return zid_base64url (digest, sizeof digest);
}

static gboolean
set_random_serial (X509 *cert)
{
  g_autoptr(BIGNUM) bn = BN_new ();

  /* 127 random bits, positive */
  return BN_rand (bn, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) &&
         BN_to_ASN1_INTEGER (bn, X509_get_serialNumber (cert)) != NULL;
}

static char *
serial_hex (X509 *cert)
{
  g_autoptr(BIGNUM) bn = ASN1_INTEGER_to_BN (X509_get0_serialNumber (cert), NULL);
  char *hex = bn ? BN_bn2hex (bn) : NULL;
  char *copy = g_ascii_strdown (hex ? hex : "", -1);

  OPENSSL_free (hex);
  return copy;
}

static gboolean
set_validity (X509   *cert,
              gint64  now,
              int     days)
{
  return ASN1_TIME_set (X509_getm_notBefore (cert), (time_t) (now - BACKDATE_SECONDS)) != NULL &&
         X509_time_adj_ex (X509_getm_notAfter (cert), days, 0, (time_t *) &now) != NULL;
}

static gboolean
add_ext (X509       *cert,
         X509       *issuer,
         int         nid,
         const char *value)
{
  X509V3_CTX ctx;
  X509_EXTENSION *ext;
  gboolean ok;

  X509V3_set_ctx_nodb (&ctx);
  X509V3_set_ctx (&ctx, issuer, cert, NULL, NULL, 0);
  ext = X509V3_EXT_conf_nid (NULL, &ctx, nid, value);
  if (ext == NULL)
    return FALSE;
  ok = X509_add_ext (cert, ext, -1);
  X509_EXTENSION_free (ext);
  return ok;
}

static gboolean
set_name (X509_NAME  *name,
          const char *field,
          const char *value)
{
  return X509_NAME_add_entry_by_txt (name, field, MBSTRING_UTF8,
                                     (const unsigned char *) value, -1, -1, 0);
}

static gint64
asn1_time_to_unix (const ASN1_TIME *t)
{
  struct tm tm;

  if (!ASN1_TIME_to_tm (t, &tm))
    return 0;
  return (gint64) timegm (&tm);
}

static gboolean
write_private (const char  *path,
               const char  *contents,
               int          mode,
               GError     **error)
{
  return g_file_set_contents_full (path, contents, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   mode, error);
}

/* Writes the files of @names into a fresh directory and renames it to @dir
 * in one step: two processes making the CA at once end up with one. */
static gboolean
publish_dir (const char   *dir,
             const char  **names,
             const char  **contents,
             const int    *modes,
             GError      **error)
{
  g_autofree char *template = g_strconcat (dir, ".tmp-XXXXXX", NULL);
  g_autofree char *tmp = NULL;

  tmp = g_mkdtemp_full (template, 0700) ? g_strdup (template) : NULL;
  if (tmp == NULL)
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_IO, _("Cannot create %s: %s"),
                   dir, g_strerror (errno));
      return FALSE;
    }

  for (guint i = 0; names[i]; i++)
    {
      g_autofree char *path = g_build_filename (tmp, names[i], NULL);

      if (!write_private (path, contents[i], modes[i], error))
        goto fail;
    }

  if (g_rename (tmp, dir) != 0)
    {
      if (errno == ENOTEMPTY || errno == EEXIST)
        goto lost_race;
      g_set_error (error, ZID_ERROR, ZID_ERROR_IO, _("Cannot create %s: %s"),
                   dir, g_strerror (errno));
      goto fail;
    }
  return TRUE;

lost_race:
  for (guint i = 0; names[i]; i++)
    {
      g_autofree char *path = g_build_filename (tmp, names[i], NULL);
      g_unlink (path);
    }
  g_rmdir (tmp);
  return TRUE;

fail:
  for (guint i = 0; names[i]; i++)
    {
      g_autofree char *path = g_build_filename (tmp, names[i], NULL);
      g_unlink (path);
    }
  g_rmdir (tmp);
  return FALSE;
}

/* A key and certificate pair is made in "<dir>.tmp-XXXXXX" and renamed to
 * @dir (publish_dir); a process killed in between leaves that folder, with
 * a private key in it. Folders of ours older than STALE_SECONDS go: making
 * one takes milliseconds, so none of them belongs to a live process. */
#define STALE_SECONDS 60

static void
sweep_unpublished (const char *dir)
{
  g_autofree char *parent = g_path_get_dirname (dir);
  g_autofree char *base = g_path_get_basename (dir);
  g_autofree char *prefix = g_strconcat (base, ".tmp-", NULL);
  g_autoptr(GDir) listing = g_dir_open (parent, 0, NULL);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autoptr(GDir) inside = NULL;
      const char *file;
      GStatBuf st;

      if (!g_str_has_prefix (name, prefix) || strlen (name) != strlen (prefix) + 6)
        continue;
      path = g_build_filename (parent, name, NULL);
      if (g_lstat (path, &st) != 0 || !S_ISDIR (st.st_mode) || st.st_uid != getuid () ||
          now - (gint64) st.st_mtime < STALE_SECONDS)
        continue;
      inside = g_dir_open (path, 0, NULL);
      while (inside != NULL && (file = g_dir_read_name (inside)) != NULL)
        {
          g_autofree char *victim = g_build_filename (path, file, NULL);
          g_unlink (victim);
        }
      if (g_rmdir (path) == 0)
        g_debug ("Removed %s, left by a process that stopped while making it", path);
    }
}

/* The private key file is the owner's alone: a looser mode (a restore from
 * a backup, a hand-made copy) is repaired before the key is read */
static gboolean
keep_private (const char  *path,
              GError     **error)
{
  int fd = g_open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
  GStatBuf st;

  if (fd < 0 || fstat (fd, &st) != 0 ||
      ((st.st_mode & 077) != 0 && fchmod (fd, st.st_mode & 0700) != 0))
    {
      int saved = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, ZID_ERROR, ZID_ERROR_IO, _("Cannot protect %s: %s"),
                   path, g_strerror (saved));
      return FALSE;
    }
  if ((st.st_mode & 077) != 0)
    g_message ("%s was readable by others (mode %04o); it is private again",
               path, (unsigned) (st.st_mode & 07777));
  close (fd);
  return TRUE;
}

/* The key of @dir (a CA's or the service's) encrypted with the data dir's
 * secret, when there is one (zid-key-protection.h), else plain */
static char *
protected_key_pem (const char *dir,
                   EVP_PKEY   *key)
{
  g_autofree char *data_dir = g_path_get_dirname (dir);
  g_autoptr(GBytes) secret = zid_key_secret_offer (data_dir);

  return zid_key_pem_write (key, secret);
}

/* A plain key of @dir, encrypted now that the data dir's secret can be
 * had: the file replaced in one step, 0600 as before */
static gboolean
protect_key (const char *dir,
             const char *key_path,
             EVP_PKEY   *key)
{
  g_autofree char *data_dir = g_path_get_dirname (dir);
  g_autoptr(GBytes) secret = zid_key_secret_offer (data_dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *pem = NULL;
  gboolean ok;

  if (secret == NULL || (pem = zid_key_pem_write (key, secret)) == NULL)
    return FALSE;
  ok = write_private (key_path, pem, 0600, &error);
  OPENSSL_cleanse (pem, strlen (pem));
  if (!ok)
    g_message ("%s stays a plain file: %s", key_path, error->message);
  else
    g_message ("%s is now encrypted with the secret of its data dir in the Secret Service", key_path);
  return ok;
}

/* Reads @dir's key and certificate; *wrapped (may be NULL) says whether a
 * plain key was encrypted now */
static gboolean
load_pair (const char  *dir,
           EVP_PKEY   **key,
           X509       **cert,
           gboolean    *wrapped,
           GError     **error)
{
  g_autofree char *key_path = g_build_filename (dir, "key.pem", NULL);
  g_autofree char *cert_path = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *data_dir = g_path_get_dirname (dir);
  g_autofree char *what = NULL;
  g_autofree char *key_pem = NULL;
  g_autofree char *cert_pem = NULL;
  gsize key_len = 0;
  gboolean encrypted = FALSE;

  if (wrapped != NULL)
    *wrapped = FALSE;
  sweep_unpublished (dir);
  if (!keep_private (key_path, error))
    return FALSE;
  if (!g_file_get_contents (key_path, &key_pem, &key_len, error) ||
      !g_file_get_contents (cert_path, &cert_pem, NULL, error))
    {
      if (error && *error)
        (*error)->domain = ZID_ERROR, (*error)->code = ZID_ERROR_IO;
      return FALSE;
    }

  what = g_strdup_printf (_("The key %s"), key_path);
  *key = zid_key_pem_read (key_pem, data_dir, what, &encrypted, error);
  OPENSSL_cleanse (key_pem, key_len);
  if (*key == NULL)
    return FALSE;
  *cert = x509_from_pem (cert_pem);
  if (*cert == NULL || X509_check_private_key (*cert, *key) != 1)
    {
      g_clear_pointer (key, EVP_PKEY_free);
      g_clear_pointer (cert, X509_free);
      return crypto_fail (error, _("The key or certificate in the data folder is damaged"));
    }
  if (!encrypted && protect_key (dir, key_path, *key) && wrapped != NULL)
    *wrapped = TRUE;
  return TRUE;
}

static gboolean
create_ca (const char  *dir,
           const char  *environment,
           gint64       now,
           GError     **error)
{
  g_autoptr(EVP_PKEY) key = EVP_EC_gen ("P-256");
  g_autoptr(X509) cert = X509_new ();
  g_autofree char *cn = g_strdup_printf ("ZORG-ID Portaal lokale CA (%s)", environment);
  g_autofree char *key_pem = NULL;
  g_autofree char *cert_pem = NULL;
  X509_NAME *name;
  const char *names[] = { "key.pem", "cert.pem", NULL };
  const char *contents[2];
  const int modes[] = { 0600, 0644 };
  gboolean ok;

  if (key == NULL || cert == NULL)
    return crypto_fail (error, _("Cannot make the CA key"));

  name = X509_get_subject_name (cert);
  if (!X509_set_version (cert, 2) ||
      !set_random_serial (cert) ||
      !set_validity (cert, now, CA_LIFETIME_DAYS) ||
      !set_name (name, "C", "NL") ||
      !set_name (name, "O", "ZORG-ID Portaal") ||
      !set_name (name, "CN", cn) ||
      !X509_set_issuer_name (cert, name) ||
      !X509_set_pubkey (cert, key) ||
      !add_ext (cert, cert, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
      !add_ext (cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign") ||
      !add_ext (cert, cert, NID_subject_key_identifier, "hash") ||
      !X509_sign (cert, key, EVP_sha256 ()))
    return crypto_fail (error, _("Cannot make the CA certificate"));

  key_pem = protected_key_pem (dir, key);
  cert_pem = x509_to_pem (cert);
  if (key_pem == NULL || cert_pem == NULL)
    return crypto_fail (error, _("Cannot save the key"));
  contents[0] = key_pem;
  contents[1] = cert_pem;
  ok = publish_dir (dir, names, contents, modes, error);
  OPENSSL_cleanse (key_pem, strlen (key_pem));
  return ok;
}

/* A mobile-ID certificate is written as DER by hand, like the request is
 * read: the X509 object and X509_sign around the signature (names and
 * extensions parsed, copied and encoded again, the provider fetches, the
 * PEM layer) cost twice the signature itself (bench/service). What varies
 * per phone is encoded by mobile_tbs, the rest once per CA
 * (encode_mobile_parts), with OpenSSL's own encoders where the exact bytes
 * are theirs: names, times, extensions. */

/* Appends a DER element: @tag, its definite length and @len bytes of
 * @content (or none yet, when @content is NULL) */
static void
der_put (GByteArray   *out,
         guint8        tag,
         const guint8 *content,
         gsize         len)
{
  guint8 head[4] = { tag };
  guint n = 1;

  g_assert (len <= 0xffff);
  if (len < 0x80)
    head[n++] = len;
  else if (len <= 0xff)
    {
      head[n++] = 0x81;
      head[n++] = len;
    }
  else
    {
      head[n++] = 0x82;
      head[n++] = len >> 8;
      head[n++] = len & 0xff;
    }
  g_byte_array_append (out, head, n);
  if (content != NULL)
    g_byte_array_append (out, content, len);
}

static void
der_put_array (GByteArray *out,
               guint8      tag,
               GByteArray *content)
{
  der_put (out, tag, content->data, content->len);
}

/* The size of a DER element with @len bytes of content */
static gsize
der_size (gsize len)
{
  return 1 + (len < 0x80 ? 1 : len <= 0xff ? 2 : 3) + len;
}

/* Appends @len bytes of @der from an i2d function and frees them */
static gboolean
der_put_owned (GByteArray    *out,
               unsigned char *der,
               int            len)
{
  if (len > 0)
    g_byte_array_append (out, der, len);
  OPENSSL_free (der);
  return len > 0;
}

/* Appends a RelativeDistinguishedName of one attribute, as
 * X509_NAME_add_entry_by_txt adds it (the same string types and limits).
 * Building and encoding a whole X509_NAME costs eight times as much: i2d
 * makes its canonical form too. */
static gboolean
der_put_rdn (GByteArray *out,
             int         nid,
             const char *value)
{
  X509_NAME_ENTRY *entry = X509_NAME_ENTRY_create_by_NID (NULL, nid, MBSTRING_UTF8,
                                                          (const unsigned char *) value, -1);
  unsigned char *der = NULL;
  int len = entry ? i2d_X509_NAME_ENTRY (entry, &der) : -1;

  X509_NAME_ENTRY_free (entry);
  if (len > 0)
    der_put (out, 0x31, NULL, len);
  return der_put_owned (out, der, len);
}

static gboolean
der_put_time (GByteArray      *out,
              const ASN1_TIME *time)
{
  unsigned char *der = NULL;
  int len = time ? i2d_ASN1_TIME (time, &der) : -1;

  return der_put_owned (out, der, len);
}

/* Appends the DER of extension @nid = @value, as add_ext makes it for a
 * certificate @issuer issues */
static gboolean
encode_ext (GByteArray *out,
            X509       *issuer,
            int         nid,
            const char *value)
{
  g_autoptr(X509) subject = X509_new ();
  X509V3_CTX ctx;
  X509_EXTENSION *ext = NULL;
  unsigned char *der = NULL;
  int len = -1;

  if (subject != NULL && X509_set_issuer_name (subject, X509_get_subject_name (issuer)))
    {
      X509V3_set_ctx_nodb (&ctx);
      X509V3_set_ctx (&ctx, issuer, subject, NULL, NULL, 0);
      ext = X509V3_EXT_conf_nid (NULL, &ctx, nid, value);
    }
  if (ext != NULL)
    len = i2d_X509_EXTENSION (ext, &der);
  X509_EXTENSION_free (ext);
  if (len <= 0)
    return FALSE;
  g_byte_array_append (out, der, len);
  OPENSSL_free (der);
  return TRUE;
}

/* The parts of a mobile-ID certificate that are the same for every phone */
static gboolean
encode_mobile_parts (ZidCa   *self,
                     GError **error)
{
  unsigned char *der = NULL;
  int len;

  self->issuer = g_byte_array_new ();
  self->mobile_subject = g_byte_array_new ();
  self->mobile_extensions = g_byte_array_new ();
  self->authority_key_id = g_byte_array_new ();
  if ((len = i2d_X509_NAME (X509_get_subject_name (self->cert), &der)) <= 0 ||
      !der_put_rdn (self->mobile_subject, NID_countryName, "NL") ||
      !der_put_rdn (self->mobile_subject, NID_organizationName, "ZORG-ID") ||
      !encode_ext (self->mobile_extensions, self->cert, NID_basic_constraints, "critical,CA:FALSE") ||
      !encode_ext (self->mobile_extensions, self->cert, NID_key_usage, "critical,digitalSignature") ||
      !encode_ext (self->mobile_extensions, self->cert, NID_ext_key_usage, "clientAuth") ||
      !encode_ext (self->authority_key_id, self->cert, NID_authority_key_identifier, "keyid"))
    {
      OPENSSL_free (der);
      return crypto_fail (error, _("Cannot prepare the CA"));
    }
  g_byte_array_append (self->issuer, der, len);
  OPENSSL_free (der);
  return TRUE;
}

ZidCa *
zid_ca_open (const char  *dir,
             const char  *environment,
             gint64       now,
             gboolean    *wrapped,
             GError     **error)
{
  g_autoptr(ZidCa) self = g_new0 (ZidCa, 1);

  g_mutex_init (&self->lock);
  self->signers = g_ptr_array_new_with_free_func ((GDestroyNotify) EVP_PKEY_CTX_free);

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR) &&
      !create_ca (dir, environment, now, error))
    return NULL;

  if (!load_pair (dir, &self->key, &self->cert, wrapped, error) ||
      !encode_mobile_parts (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

void
zid_ca_free (ZidCa *self)
{
  if (self == NULL)
    return;
  EVP_PKEY_free (self->key);
  X509_free (self->cert);
  g_clear_pointer (&self->issuer, g_byte_array_unref);
  g_clear_pointer (&self->mobile_subject, g_byte_array_unref);
  g_clear_pointer (&self->mobile_extensions, g_byte_array_unref);
  g_clear_pointer (&self->authority_key_id, g_byte_array_unref);
  g_ptr_array_unref (self->signers);
  g_mutex_clear (&self->lock);
  g_free (self);
}

char *
zid_ca_dup_pem (ZidCa *self)
{
  return x509_to_pem (self->cert);
}

/* 127 random bits, positive, as BN_rand and BN_to_ASN1_INTEGER make them;
 * its hex as serial_hex gives it */
static gboolean
put_random_serial (GByteArray  *out,
                   char       **hex)
{
  static const char digits[] = "0123456789abcdef";
  guint8 bytes[17] = { 0 };
  guint8 *p = bytes + 1;
  gsize len = 16;

  if (RAND_bytes (p, 16) != 1)
    return FALSE;
  p[0] &= 0x7f;
  for (; len > 1 && p[0] == 0; len--)
    p++;
  *hex = g_malloc (2 * len + 1);
  for (gsize i = 0; i < len; i++)
    {
      (*hex)[2 * i] = digits[p[i] >> 4];
      (*hex)[2 * i + 1] = digits[p[i] & 0xf];
    }
  (*hex)[2 * len] = '\0';
  /* a leading 0 keeps it positive */
  if (p[0] & 0x80)
    {
      p--;
      len++;
    }
  der_put (out, 0x02, p, len);
  return TRUE;
}

static const guint8 version_3[] = { 0x02, 0x01, 0x02 };
static const guint8 no_unused_bits[] = { 0x00 };
static const guint8 subject_key_id_oid[] = { 0x55, 0x1d, 0x0e };

char *
zid_ca_fit_common_name (const char *name)
{
  g_autofree char *head = NULL;

  if (g_utf8_strlen (name, -1) <= CN_MAX_CHARS)
    return g_strdup (name);
  head = g_utf8_substring (name, 0, CN_MAX_CHARS - 1);
  g_strchomp (head);
  return g_strconcat (head, "…", NULL);
}

/* The TBSCertificate of a phone's mobile-ID certificate */
static GByteArray *
mobile_tbs (ZidCa               *self,
            const ZidCaRequest  *request,
            const char          *common_name,
            gint64               user_id,
            gint64               now,
            char               **serial,
            gint64              *not_before,
            gint64              *not_after)
{
  g_autoptr(GByteArray) body = g_byte_array_sized_new (512);
  g_autoptr(GByteArray) part = g_byte_array_sized_new (256);
  g_autoptr(ASN1_TIME) from = ASN1_TIME_set (NULL, (time_t) (now - BACKDATE_SECONDS));
  g_autoptr(ASN1_TIME) until = X509_time_adj_ex (NULL, MOBILE_LIFETIME_DAYS, 0, (time_t *) &now);
  g_autofree char *user_serial = g_strdup_printf ("%" G_GINT64_FORMAT, user_id);
  g_autofree char *hex = NULL;
  g_autofree char *fitted_name = NULL;
  GByteArray *tbs;
  guint8 key_id[20];

  der_put (body, 0xa0, version_3, sizeof version_3);
  if (!put_random_serial (body, &hex))
    return NULL;
  der_put (body, 0x30, ecdsa_sha256_algorithm, sizeof ecdsa_sha256_algorithm);
  g_byte_array_append (body, self->issuer->data, self->issuer->len);

  if (!der_put_time (part, from) || !der_put_time (part, until))
    return NULL;
  der_put_array (body, 0x30, part);

  /* subject: C, O, serialNumber, CN (the user is the serialNumber; the CN,
   * at most 64 characters, only shows the name) */
  fitted_name = zid_ca_fit_common_name (common_name);
  g_byte_array_set_size (part, 0);
  g_byte_array_append (part, self->mobile_subject->data, self->mobile_subject->len);
  if (!der_put_rdn (part, NID_serialNumber, user_serial) ||
      !der_put_rdn (part, NID_commonName, fitted_name))
    return NULL;
  der_put_array (body, 0x30, part);

  /* the request's key as it came, without decoding and encoding it again */
  g_byte_array_set_size (part, 0);
  der_put (part, 0x30, p256_algorithm, sizeof p256_algorithm);
  der_put (part, 0x03, NULL, 1 + request->point_len);
  g_byte_array_append (part, no_unused_bits, 1);
  g_byte_array_append (part, request->point, request->point_len);
  der_put_array (body, 0x30, part);

  /* extensions; the subject key identifier is what "hash" makes, SHA-1 of
   * the point: SEQUENCE { OID, OCTET STRING { OCTET STRING } } */
  if (!EVP_Digest (request->point, request->point_len, key_id, NULL, _zid_ca_fetched ()->sha1, NULL))
    return NULL;
  g_byte_array_set_size (part, 0);
  g_byte_array_append (part, self->mobile_extensions->data, self->mobile_extensions->len);
  der_put (part, 0x30, NULL, der_size (sizeof subject_key_id_oid) + der_size (der_size (sizeof key_id)));
  der_put (part, 0x06, subject_key_id_oid, sizeof subject_key_id_oid);
  der_put (part, 0x04, NULL, der_size (sizeof key_id));
  der_put (part, 0x04, key_id, sizeof key_id);
  g_byte_array_append (part, self->authority_key_id->data, self->authority_key_id->len);
  der_put (body, 0xa3, NULL, der_size (part->len));
  der_put_array (body, 0x30, part);

  tbs = g_byte_array_sized_new (der_size (body->len) + 128);
  der_put_array (tbs, 0x30, body);
  *serial = g_steal_pointer (&hex);
  *not_before = asn1_time_to_unix (from);
  *not_after = asn1_time_to_unix (until);
  return tbs;
}

/* PEM as PEM_write_bio_X509 writes it, in lines of 64 */
static char *
certificate_to_pem (GByteArray *der)
{
  g_autofree char *text = g_base64_encode (der->data, der->len);
  gsize len = strlen (text);
  GString *pem = g_string_sized_new (len + len / 64 + 64);

  g_string_append (pem, "-----BEGIN CERTIFICATE-----\n");
  for (gsize i = 0; i < len; i += 64)
    {
      g_string_append_len (pem, text + i, MIN (64, len - i));
      g_string_append_c (pem, '\n');
    }
  g_string_append (pem, "-----END CERTIFICATE-----\n");
  return g_string_free (pem, FALSE);
}

/* A signing context for the CA key, ready for EVP_PKEY_sign: making one
 * fetches the signature algorithm again, a tenth of a signature, so they
 * are kept for the next certificate */
static EVP_PKEY_CTX *
take_signer (ZidCa *self)
{
  EVP_PKEY_CTX *ctx = NULL;

  g_mutex_lock (&self->lock);
  if (self->signers->len > 0)
    ctx = g_ptr_array_steal_index_fast (self->signers, self->signers->len - 1);
  g_mutex_unlock (&self->lock);

  if (ctx == NULL &&
      (ctx = EVP_PKEY_CTX_new_from_pkey (NULL, self->key, NULL)) != NULL &&
      EVP_PKEY_sign_init (ctx) != 1)
    g_clear_pointer (&ctx, EVP_PKEY_CTX_free);
  return ctx;
}

static void
give_back_signer (ZidCa        *self,
                  EVP_PKEY_CTX *ctx)
{
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->signers, ctx);
  g_mutex_unlock (&self->lock);
}

char *
zid_ca_issue_mobile (ZidCa               *self,
                     const ZidCaRequest  *request,
                     const char          *common_name,
                     gint64               user_id,
                     gint64               now,
                     char               **serial,
                     gint64              *not_before,
                     gint64              *not_after,
                     GError             **error)
{
  g_autoptr(GByteArray) body = NULL;
  g_autoptr(GByteArray) cert = NULL;
  g_autoptr(EVP_PKEY_CTX) sign = NULL;
  g_autofree char *hex = NULL;
  guint8 digest[32];
  guint8 signature[80];
  size_t signature_len = sizeof signature;

  /* ECDSA on the digest: what X509_sign does, without its fetches */
  body = mobile_tbs (self, request, common_name, user_id, now, &hex, not_before, not_after);
  if (body == NULL ||
      !EVP_Digest (body->data, body->len, digest, NULL, _zid_ca_fetched ()->sha256, NULL) ||
      (sign = take_signer (self)) == NULL ||
      EVP_PKEY_sign (sign, signature, &signature_len, digest, sizeof digest) != 1)
    {
      crypto_fail (error, _("Cannot issue the certificate"));
      return NULL;
    }
  give_back_signer (self, g_steal_pointer (&sign));

  /* Certificate: the TBSCertificate, the algorithm and the signature */
  der_put (body, 0x30, ecdsa_sha256_algorithm, sizeof ecdsa_sha256_algorithm);
  der_put (body, 0x03, NULL, 1 + signature_len);
  g_byte_array_append (body, no_unused_bits, 1);
  g_byte_array_append (body, signature, signature_len);
  cert = g_byte_array_sized_new (der_size (body->len));
  der_put_array (cert, 0x30, body);

  *serial = g_steal_pointer (&hex);
  return certificate_to_pem (cert);
}

static gboolean
make_server (ZidCa       *self,
             const char  *dir,
             const char  *host,
             gint64       now,
             GError     **error)
{
  g_autoptr(EVP_PKEY) key = EVP_EC_gen ("P-256");
  g_autoptr(X509) cert = X509_new ();
  g_autofree char *san = NULL;
  g_autofree char *key_pem = NULL;
  g_autofree char *cert_pem = NULL;
  const char *names[] = { "key.pem", "cert.pem", NULL };
  const char *contents[2];
  const int modes[] = { 0600, 0644 };
  X509_NAME *name;
  gboolean ok;

  if (host == NULL || *host == '\0' || g_str_equal (host, "localhost"))
    san = g_strdup ("DNS:localhost,IP:127.0.0.1,IP:::1");
  else if (g_hostname_is_ip_address (host))
    san = g_strdup_printf ("IP:%s,DNS:localhost,IP:127.0.0.1,IP:::1", host);
  else
    san = g_strdup_printf ("DNS:%s,DNS:localhost,IP:127.0.0.1,IP:::1", host);

  name = X509_get_subject_name (cert);
  if (key == NULL ||
      !X509_set_version (cert, 2) ||
      !set_random_serial (cert) ||
      !set_validity (cert, now, SERVER_LIFETIME_DAYS) ||
      !set_name (name, "O", "ZORG-ID Portaal") ||
      /* the host is in the SAN; a CN holds at most 64 characters, a DNS
       * name up to 253 */
      !set_name (name, "CN", "ZORG-ID-dienst") ||
      !X509_set_issuer_name (cert, X509_get_subject_name (self->cert)) ||
      !X509_set_pubkey (cert, key) ||
      !add_ext (cert, self->cert, NID_basic_constraints, "critical,CA:FALSE") ||
      !add_ext (cert, self->cert, NID_key_usage, "critical,digitalSignature") ||
      !add_ext (cert, self->cert, NID_ext_key_usage, "serverAuth") ||
      !add_ext (cert, self->cert, NID_subject_alt_name, san) ||
      !add_ext (cert, self->cert, NID_authority_key_identifier, "keyid") ||
      !X509_sign (cert, self->key, EVP_sha256 ()))
    return crypto_fail (error, _("Cannot make the service’s TLS certificate"));

  key_pem = protected_key_pem (dir, key);
  cert_pem = x509_to_pem (cert);
  if (key_pem == NULL || cert_pem == NULL)
    return crypto_fail (error, _("Cannot save the key"));
  contents[0] = key_pem;
  contents[1] = cert_pem;
  ok = publish_dir (dir, names, contents, modes, error);
  OPENSSL_cleanse (key_pem, strlen (key_pem));
  return ok;
}

gboolean
zid_ca_ensure_server (ZidCa       *self,
                      const char  *dir,
                      const char  *host,
                      gint64       now,
                      char       **cert_pem,
                      char       **key_pem,
                      gboolean    *wrapped,
                      GError     **error)
{
  g_autoptr(EVP_PKEY) key = NULL;
  g_autoptr(X509) cert = NULL;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR) &&
      !make_server (self, dir, host, now, error))
    return FALSE;

  if (!load_pair (dir, &key, &cert, wrapped, error))
    return FALSE;

  *cert_pem = x509_to_pem (cert);
  *key_pem = zid_key_pem_write (key, NULL);
  return TRUE;
}

char *
zid_ca_make_crl (ZidCa              *self,
                 const ZidCaRevoked *revoked,
                 guint               n_revoked,
                 gint64              now,
                 GError            **error)
{
  g_autoptr(X509_CRL) crl = X509_CRL_new ();
  g_autoptr(ASN1_TIME) last = ASN1_TIME_set (NULL, (time_t) now);
  g_autoptr(ASN1_TIME) next = X509_time_adj_ex (NULL, CRL_LIFETIME_DAYS, 0, (time_t *) &now);
  g_autoptr(BIO) bio = BIO_new (BIO_s_mem ());
  char *data;
  long len;

  if (!X509_CRL_set_version (crl, 1) ||
      !X509_CRL_set_issuer_name (crl, X509_get_subject_name (self->cert)) ||
      !X509_CRL_set1_lastUpdate (crl, last) ||
      !X509_CRL_set1_nextUpdate (crl, next))
    {
      crypto_fail (error, _("Cannot make the CRL"));
      return NULL;
    }

  for (guint i = 0; i < n_revoked; i++)
    {
      X509_REVOKED *entry = X509_REVOKED_new ();
      g_autoptr(BIGNUM) bn = NULL;
      g_autoptr(ASN1_TIME) when = ASN1_TIME_set (NULL, (time_t) revoked[i].revoked_at);
      ASN1_INTEGER *serial;

      if (!BN_hex2bn (&bn, revoked[i].serial) ||
          (serial = BN_to_ASN1_INTEGER (bn, NULL)) == NULL)
        {
          X509_REVOKED_free (entry);
          crypto_fail (error, _("Invalid serial number in the CRL"));
          return NULL;
        }
      X509_REVOKED_set_serialNumber (entry, serial);
      ASN1_INTEGER_free (serial);
      X509_REVOKED_set_revocationDate (entry, when);
      X509_CRL_add0_revoked (crl, entry);
    }

  if (!X509_CRL_sort (crl) ||
      !X509_CRL_sign (crl, self->key, EVP_sha256 ()) ||
      !PEM_write_bio_X509_CRL (bio, crl))
    {
      crypto_fail (error, _("Cannot sign the CRL"));
      return NULL;
    }
  len = BIO_get_mem_data (bio, &data);
  return g_strndup (data, len);
}

X509 *
zid_ca_verify_client (ZidCa       *self,
                      const char  *cert_pem,
                      gint64       now,
                      char       **serial,
                      GError     **error)
{
  g_autoptr(X509) cert = NULL;
  g_autoptr(X509_STORE) store = X509_STORE_new ();
  g_autoptr(X509_STORE_CTX) ctx = X509_STORE_CTX_new ();
  int rc;

  if (cert_pem == NULL || strlen (cert_pem) > 8192 ||
      (cert = x509_from_pem (cert_pem)) == NULL)
    {
      ERR_clear_error ();
      g_set_error (error, ZID_ERROR, ZID_ERROR_CERTIFICATE_INVALID,
                   _("The certificate is not a valid PEM certificate"));
      return NULL;
    }

  X509_STORE_add_cert (store, self->cert);
  X509_STORE_CTX_init (ctx, store, cert, NULL);
  X509_STORE_CTX_set_purpose (ctx, X509_PURPOSE_SSL_CLIENT);
  X509_VERIFY_PARAM_set_time (X509_STORE_CTX_get0_param (ctx), (time_t) now);
  rc = X509_verify_cert (ctx);
  if (rc != 1)
    {
      int err = X509_STORE_CTX_get_error (ctx);

      ERR_clear_error ();
      g_set_error (error, ZID_ERROR, ZID_ERROR_CERTIFICATE_INVALID,
                   _("The certificate was not issued by this ZORG-ID environment or is not "
                     "valid: %s"),
                   X509_verify_cert_error_string (err));
      return NULL;
    }

  *serial = serial_hex (cert);
  return g_steal_pointer (&cert);
}

gboolean
zid_verify_signature (X509          *cert,
                      const guint8  *message,
                      gsize          message_len,
                      const guint8  *signature,
                      gsize          signature_len,
                      GError       **error)
{
  g_autoptr(EVP_MD_CTX) ctx = EVP_MD_CTX_new ();
  EVP_PKEY *key = X509_get0_pubkey (cert);

  if (key == NULL ||
      EVP_DigestVerifyInit (ctx, NULL, EVP_sha256 (), NULL, key) != 1 ||
      EVP_DigestVerify (ctx, signature, signature_len, message, message_len) != 1)
    {
      ERR_clear_error ();
      g_set_error (error, ZID_ERROR, ZID_ERROR_SIGNATURE_INVALID,
                   _("The signature does not match"));
      return FALSE;
    }
  return TRUE;
}
