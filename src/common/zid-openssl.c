/* zid-openssl.c — OpenSSL helpers
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-common"

#include "zid-openssl.h"

#include <string.h>
#include <openssl/err.h>
#include <openssl/sha.h>

gboolean
zid_x509_read_certificates (const guint8 *data,
                            gsize         len,
                            ZidX509Stack *out)
{
  gboolean any = FALSE;
  X509 *cert;

  g_return_val_if_fail (out != NULL, FALSE);

  if (data == NULL || len == 0 || len > G_MAXINT)
    return FALSE;
  if (memmem (data, len, "-----BEGIN", 10) != NULL)
    {
      g_autoptr(BIO) bio = BIO_new_mem_buf (data, (int) len);

      while (bio != NULL && (cert = PEM_read_bio_X509 (bio, NULL, NULL, NULL)) != NULL)
        {
          sk_X509_push (out, cert);
          any = TRUE;
        }
    }
  else
    {
      const unsigned char *p = data;

      if ((cert = d2i_X509 (NULL, &p, (long) len)) != NULL)
        {
          sk_X509_push (out, cert);
          any = TRUE;
        }
    }
  ERR_clear_error ();
  return any;
}

char *
zid_sha256_hex (const guint8 *data,
                gsize         len,
                gboolean      colons)
{
  guint8 digest[32];
  GString *out = g_string_sized_new (96);

  SHA256 (data, len, digest);
  for (guint i = 0; i < sizeof digest; i++)
    {
      if (colons && i > 0)
        g_string_append_c (out, ':');
      g_string_append_printf (out, colons ? "%02X" : "%02x", digest[i]);
    }
  return g_string_free (out, FALSE);
}

char *
zid_x509_fingerprint_sha256 (X509 *cert)
{
  unsigned char *der = NULL;
  int len;
  char *hex;

  g_return_val_if_fail (cert != NULL, NULL);

  len = i2d_X509 (cert, &der);
  if (len <= 0)
    {
      ERR_clear_error ();
      return NULL;
    }
  hex = zid_sha256_hex (der, (gsize) len, TRUE);
  OPENSSL_free (der);
  return hex;
}

/* The first entry of @nid in @name, UTF-8, NULL when absent */
static char *
name_entry (const X509_NAME *name,
            int              nid)
{
  int i = X509_NAME_get_index_by_NID (name, nid, -1);
  unsigned char *utf8 = NULL;
  char *ret = NULL;
  int len;

  if (i < 0)
    return NULL;
  len = ASN1_STRING_to_UTF8 (&utf8, X509_NAME_ENTRY_get_data (X509_NAME_get_entry (name, i)));
  if (len > 0)
    ret = g_utf8_make_valid ((const char *) utf8, len);
  OPENSSL_free (utf8);
  ERR_clear_error ();
  return ret;
}

char *
zid_x509_name_organisation (const X509_NAME *name)
{
  char *o;

  g_return_val_if_fail (name != NULL, NULL);

  o = name_entry (name, NID_organizationName);
  return o != NULL ? o : name_entry (name, NID_commonName);
}

char *
zid_x509_name_display (const X509_NAME *name)
{
  g_autofree char *cn = NULL;
  g_autofree char *o = NULL;
  g_autoptr(BIO) bio = NULL;
  char *data = NULL;
  long len;

  g_return_val_if_fail (name != NULL, NULL);

  cn = name_entry (name, NID_commonName);
  o = name_entry (name, NID_organizationName);
  if (cn != NULL && o != NULL && !g_str_equal (cn, o))
    return g_strdup_printf ("%s (%s)", cn, o);
  if (cn != NULL)
    return g_steal_pointer (&cn);
  if (o != NULL)
    return g_steal_pointer (&o);

  bio = BIO_new (BIO_s_mem ());
  if (bio == NULL)
    return g_strdup ("?");
  X509_NAME_print_ex (bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  len = BIO_get_mem_data (bio, &data);
  return len > 0 ? g_utf8_make_valid (data, len) : g_strdup ("?");
}
