/* fuzz-core.c — libFuzzer target for the outside input the core parses
 *
 * The operator's signed registration files (the CMS envelope and the strict
 * JSON document inside it) and the phones' PKCS#10 requests. The first byte
 * chooses the parser: 0, the JSON alone (zid_registration_parse_json); 1,
 * the whole file (zid_registration_file_verify against the trust folder in
 * $ZID_FUZZ_OPERATOR_TRUST, or an empty one); 2, a request's DER, as the
 * PEM a phone sends (zid_ca_check_request). Built with clang
 * -fsanitize=fuzzer,address by run-core-fuzz.sh, or with any compiler and
 * fuzz-main.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "zid-ca-private.h"
#include "zid-registration-file.h"

#define NOW ((gint64) 1767225600)  /* 2026-01-01 */

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static char *trust_dir;
  ZidRegistration *r = NULL;
  GError *error = NULL;
  char *signer = NULL;

  if (size < 1)
    return 0;

  if (trust_dir == NULL)
    {
      const char *env = g_getenv ("ZID_FUZZ_OPERATOR_TRUST");

      trust_dir = env ? g_strdup (env) : g_dir_make_tmp ("zid-fuzz-trust-XXXXXX", NULL);
    }

  switch (data[0] % 3)
    {
    case 0:
      r = zid_registration_parse_json ((const char *) data + 1, size - 1, NOW, &error);
      break;
    case 1:
      if (zid_registration_file_verify (data + 1, size - 1, trust_dir, NOW, &r, &signer, &error))
        g_assert (r != NULL && signer != NULL);
      break;
    default:
      {
        char *base64 = g_base64_encode (data + 1, size - 1);
        char *pem = g_strdup_printf ("-----BEGIN CERTIFICATE REQUEST-----\n%s\n"
                                     "-----END CERTIFICATE REQUEST-----\n", base64);
        ZidCaRequest *request = zid_ca_check_request (pem, &error);

        g_assert ((request == NULL) != (error == NULL));
        g_clear_pointer (&request, zid_ca_request_free);
        g_free (pem);
        g_free (base64);
        goto out;
      }
    }

  g_assert ((r == NULL) != (error == NULL));
out:
  g_clear_pointer (&r, zid_registration_free);
  g_clear_error (&error);
  g_free (signer);
  return 0;
}
