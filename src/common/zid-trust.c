/* zid-trust.c — a folder of trust anchors, intermediates and CRLs
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-common"

#include "config.h"

#include "zid-i18n.h"
#include "zid-trust.h"

#include "zid-file.h"

#include <string.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#define PEM_BEGIN     "-----BEGIN"
#define PEM_CRL_BEGIN "-----BEGIN X509 CRL"

G_DEFINE_QUARK (zid-trust-error-quark, zid_trust_error)

void
zid_trust_folder_free (ZidTrustFolder *self)
{
  if (self == NULL)
    return;
  X509_STORE_free (self->store);
  zid_x509_stack_free (self->intermediates);
  g_free (self);
}

static guint
count_occurrences (const char *data,
                   gsize       len,
                   const char *needle)
{
  gsize n = strlen (needle);
  const char *p = data;
  const char *end = data + len;
  const char *hit;
  guint count = 0;

  while ((hit = memmem (p, (gsize) (end - p), needle, n)) != NULL)
    {
      count++;
      p = hit + n;
    }
  return count;
}

/* The CRLs of one file: every PEM "X509 CRL" block, or a DER CRL (the
 * whole file) when it is not PEM. A file that promises CRLs (by its name
 * *.crl or a PEM header) and does not yield every one is an error. */
static gboolean
add_crls (ZidTrustFolder  *self,
          const char      *path,
          const char      *data,
          gsize            len,
          GError         **error)
{
  gboolean pem = memmem (data, len, PEM_BEGIN, strlen (PEM_BEGIN)) != NULL;
  guint promised = g_str_has_suffix (path, ".crl") ? 1 : 0;
  guint read = 0;
  X509_CRL *crl;

  if (pem)
    {
      g_autoptr(BIO) bio = BIO_new_mem_buf (data, (int) len);

      promised = MAX (promised, count_occurrences (data, len, PEM_CRL_BEGIN));
      while (bio != NULL && (crl = PEM_read_bio_X509_CRL (bio, NULL, NULL, NULL)) != NULL)
        {
          read += X509_STORE_add_crl (self->store, crl) == 1;
          X509_CRL_free (crl);
        }
    }
  else
    {
      const unsigned char *p = (const unsigned char *) data;

      if ((crl = d2i_X509_CRL (NULL, &p, (long) len)) != NULL)
        {
          /* trailing bytes: not the CRL that was published */
          if (p == (const unsigned char *) data + len)
            read += X509_STORE_add_crl (self->store, crl) == 1;
          else
            promised = MAX (promised, 1);
          X509_CRL_free (crl);
        }
    }
  ERR_clear_error ();

  if (read < promised)
    {
      g_set_error_literal (error, ZID_TRUST_ERROR, ZID_TRUST_ERROR_CRL_INVALID,
                           read == 0 ? _("no CRL") : _("a CRL is incomplete"));
      return FALSE;
    }
  self->n_crls += read;
  return TRUE;
}

static void
add_certificate (ZidTrustFolder *self,
                 X509           *cert)
{
  if (X509_self_signed (cert, 1) == 1)
    {
      X509_STORE_add_cert (self->store, cert);
      self->n_anchors++;
      X509_free (cert);
    }
  else
    sk_X509_push (self->intermediates, cert);
}

static gboolean
load_file (ZidTrustFolder  *self,
           const char      *path,
           GError         **error)
{
  gboolean crl_file = g_str_has_suffix (path, ".crl");
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ZidX509Stack) certs = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  /* Subfolders are not part of the folder; a *.crl always is */
  if (!crl_file && !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return TRUE;
  contents = (char *) zid_file_read_regular (path, ZID_TRUST_FILE_MAX_SIZE, TRUE, &len, &local_error);
  if (contents == NULL && g_error_matches (local_error, ZID_FILE_ERROR, ZID_FILE_ERROR_TOO_LARGE))
    {
      /* a file this large is no certificate or CRL: never read it whole */
      g_set_error_literal (error, ZID_TRUST_ERROR,
                           crl_file ? ZID_TRUST_ERROR_CRL_INVALID : ZID_TRUST_ERROR_FAILED,
                           local_error->message);
      return FALSE;
    }
  if (contents == NULL)
    {
      if (!crl_file)
        {
          g_debug ("trust folder: %s skipped: %s", path, local_error->message);
          return TRUE;
        }
      g_set_error_literal (error, ZID_TRUST_ERROR, ZID_TRUST_ERROR_CRL_UNREADABLE,
                           local_error->message);
      return FALSE;
    }
  if (len == 0)
    {
      if (crl_file)
        g_set_error_literal (error, ZID_TRUST_ERROR, ZID_TRUST_ERROR_CRL_INVALID, _("empty"));
      return !crl_file;
    }

  if (!add_crls (self, path, contents, len, error))
    return FALSE;
  certs = sk_X509_new_null ();
  if (certs != NULL && zid_x509_read_certificates ((const guint8 *) contents, len, certs))
    while (sk_X509_num (certs) > 0)
      add_certificate (self, sk_X509_shift (certs));
  return TRUE;
}

/* Reads the files of one folder into @self */
static gboolean
load_folder (ZidTrustFolder     *self,
             const char         *path,
             ZidTrustLoadFlags   flags,
             char              **failed_path,
             GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  dir = g_dir_open (path, 0, &local_error);
  if (dir == NULL)
    {
      if ((flags & ZID_TRUST_LOAD_SKIP_MISSING) &&
          g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      if (failed_path != NULL)
        *failed_path = g_strdup (path);
      g_set_error_literal (error, ZID_TRUST_ERROR, ZID_TRUST_ERROR_FOLDER, local_error->message);
      return FALSE;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);

      if (!load_file (self, file, error))
        {
          if (failed_path != NULL)
            *failed_path = g_steal_pointer (&file);
          return FALSE;
        }
    }
  return TRUE;
}

ZidTrustFolder *
zid_trust_folder_load_all (const char * const  *paths,
                           ZidTrustLoadFlags    flags,
                           char               **failed_path,
                           GError             **error)
{
  g_autoptr(ZidTrustFolder) self = NULL;

  g_return_val_if_fail (paths != NULL, NULL);

  self = g_new0 (ZidTrustFolder, 1);
  self->store = X509_STORE_new ();
  self->intermediates = sk_X509_new_null ();
  if (self->store == NULL || self->intermediates == NULL)
    {
      g_set_error_literal (error, ZID_TRUST_ERROR, ZID_TRUST_ERROR_FAILED, _("Out of memory"));
      return NULL;
    }

  for (guint i = 0; paths[i] != NULL; i++)
    if (!load_folder (self, paths[i], flags, failed_path, error))
      return NULL;
  g_debug ("trust folders (%u): %u anchors, %d intermediates, %u CRLs", g_strv_length ((char **) paths),
           self->n_anchors, sk_X509_num (self->intermediates), self->n_crls);
  return g_steal_pointer (&self);
}

ZidTrustFolder *
zid_trust_folder_load (const char  *path,
                       char       **failed_path,
                       GError     **error)
{
  const char *paths[] = { path, NULL };

  g_return_val_if_fail (path != NULL, NULL);

  return zid_trust_folder_load_all (paths, ZID_TRUST_LOAD_NONE, failed_path, error);
}

char *
zid_trust_builtin_dir (const char *environment,
                       const char *kind)
{
  const char *base = g_getenv ("ZID_BUILTIN_TRUST_DIR");

  g_return_val_if_fail (environment != NULL && kind != NULL, NULL);

  if (base != NULL && *base != '\0')
    return g_build_filename (base, environment, kind, NULL);
  return g_build_filename (DATADIR, "zorgid-portaal", "trust", environment, kind, NULL);
}

void
zid_trust_folder_add_untrusted (ZidTrustFolder *self,
                                X509           *cert)
{
  g_return_if_fail (self != NULL && cert != NULL);

  X509_up_ref (cert);
  sk_X509_push (self->intermediates, cert);
}

gboolean
zid_trust_folder_init_context (ZidTrustFolder *self,
                               X509_STORE_CTX *ctx,
                               X509           *cert,
                               GDateTime      *now)
{
  X509_VERIFY_PARAM *param;

  g_return_val_if_fail (self != NULL && ctx != NULL && cert != NULL, FALSE);

  if (X509_STORE_CTX_init (ctx, self->store, cert, self->intermediates) != 1)
    {
      ERR_clear_error ();
      return FALSE;
    }
  param = X509_STORE_CTX_get0_param (ctx);
  /* At least 112 bits of security: no RSA-1024, no SHA-1 */
  X509_VERIFY_PARAM_set_auth_level (param, 2);
  /* With CRLs in the folder the certificate must not be on one, and the
   * list must be current at @now */
  if (self->n_crls > 0)
    X509_VERIFY_PARAM_set_flags (param, X509_V_FLAG_CRL_CHECK);
  if (now != NULL)
    X509_VERIFY_PARAM_set_time (param, (time_t) g_date_time_to_unix (now));
  return TRUE;
}
