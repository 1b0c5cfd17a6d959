/* fuzz-registration.c — libFuzzer target for signed registration files
 *
 * The operator's files are outside input: the CMS envelope and the strict
 * JSON document inside it. The first byte chooses the parser: even, the
 * JSON alone (zid_registration_parse_json); odd, the whole file
 * (zid_registration_file_verify against the trust folder in
 * $ZID_FUZZ_OPERATOR_TRUST, or an empty one). Built with clang
 * -fsanitize=fuzzer,address by run-registration-fuzz.sh, or with any
 * compiler and fuzz-main.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

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

  if ((data[0] & 1) == 0)
    r = zid_registration_parse_json ((const char *) data + 1, size - 1, NOW, &error);
  else if (zid_registration_file_verify (data + 1, size - 1, trust_dir, NOW, &r, &signer, &error))
    g_assert (r != NULL && signer != NULL);

  g_assert ((r == NULL) != (error == NULL));
  g_clear_pointer (&r, zid_registration_free);
  g_clear_error (&error);
  g_free (signer);
  return 0;
}
