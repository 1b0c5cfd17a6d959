/* fuzz-uzi.c — libFuzzer target for the UZI certificate parser
 *
 * Everything a card or a file hands us goes through
 * zid_uzi_identity_new_from_data: DER or PEM, the subject, the
 * subjectAltName otherNames, keyUsage and validity. Built with clang
 * -fsanitize=fuzzer,address by run-uzi-fuzz.sh, or with any compiler and
 * fuzz-main.c (reads inputs from files or stdin).
 */
#include <stddef.h>
#include <stdint.h>

#include "zid-card-error.h"
#include "zid-uzi.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const char * const extra[] = { "1.2.3.4.5", NULL };
  GError *error = NULL;
  ZidUziIdentity *id;

  id = zid_uzi_identity_new_from_data (data, size, ZID_UZI_ENVIRONMENT_ACCEPTATIE, extra, &error);
  if (id != NULL)
    {
      char *purpose = zid_uzi_purpose_to_string (zid_uzi_identity_get_purpose (id));
      GBytes *der = zid_uzi_identity_get_der (id);

      (void) zid_uzi_identity_check_validity (id, NULL, NULL);
      (void) zid_uzi_identity_check_purpose (id, ZID_UZI_PURPOSE_AUTHENTICATION, NULL);
      g_free (purpose);
      if (der != NULL)
        g_bytes_unref (der);
      g_object_unref (id);
    }
  else
    {
      /* Every failure is a GError of ours, never a crash */
      g_assert (error != NULL && error->domain == ZID_CARD_ERROR);
      g_error_free (error);
    }
  return 0;
}
