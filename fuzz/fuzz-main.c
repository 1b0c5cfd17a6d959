/* fuzz-main.c — runs a libFuzzer target without libFuzzer
 *
 *   fuzz-uzi [FILE...]   each file is one input; without files, stdin is
 */
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
main (int   argc,
      char *argv[])
{
  if (argc < 2)
    {
      GByteArray *input = g_byte_array_new ();
      guint8 buf[4096];
      size_t n;

      while ((n = fread (buf, 1, sizeof buf, stdin)) > 0)
        g_byte_array_append (input, buf, (guint) n);
      LLVMFuzzerTestOneInput (input->data, input->len);
      g_byte_array_unref (input);
      return 0;
    }
  for (int i = 1; i < argc; i++)
    {
      gchar *contents = NULL;
      gsize len = 0;
      GError *error = NULL;

      if (!g_file_get_contents (argv[i], &contents, &len, &error))
        {
          g_printerr ("%s\n", error->message);
          g_error_free (error);
          return 1;
        }
      LLVMFuzzerTestOneInput ((const uint8_t *) contents, len);
      g_free (contents);
    }
  return 0;
}
