/* zid-openssl.c — OpenSSL helpers
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-common"

#include "zid-openssl.h"

#include <string.h>
#include <openssl/err.h>

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
