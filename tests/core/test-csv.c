/* test-csv.c — the CSV writer, read back by Python's csv module as a
 * spreadsheet would read it: both separators, the byte order mark,
 * accents, quotes, line breaks in a cell, guarded formulas, local times
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>

#include "zid-csv.h"

/* the cells as Python's csv module reads @path: cells separated by
 * U+001F, rows by U+001E */
static char *
read_back (const char *path,
           char        separator)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *delimiter = g_strdup_printf ("%c", separator);
  const char *argv[] = {
    "/usr/bin/python3", "-c",
    "import csv, sys\n"
    "raw = open (sys.argv[1], 'rb').read ()\n"
    "assert raw.startswith (b'\\xef\\xbb\\xbf'), 'no byte order mark'\n"
    "with open (sys.argv[1], newline='', encoding='utf-8-sig') as f:\n"
    "    rows = list (csv.reader (f, delimiter=sys.argv[2], strict=True))\n"
    "sys.stdout.write ('\\x1e'.join ('\\x1f'.join (r) for r in rows))\n",
    path, delimiter, NULL
  };
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("python could not read the CSV: %s", err);
  return g_steal_pointer (&out);
}

static const char *cells[] = {
  "Zoë", "de Vries-'t Hart", "zegt \"hallo\"", "twee\r\nregels", "een\nregel",
  "=HYPERLINK(\"http://example.org\";\"klik\")", "+31 6", "-5", "@SUM(A1)", "\tinspringen",
  "a;b", "a,b", "", " spatie ",
};

static void
write_and_read (char separator)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidCsv) csv = zid_csv_new (separator);
  g_autofree char *dir = g_dir_make_tmp ("zid-csv-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "out.csv", NULL);
  g_autofree char *text = NULL;
  g_autofree char *got = NULL;
  g_autoptr(GString) want = g_string_new (NULL);
  g_autoptr(GDateTime) local = g_date_time_new_from_unix_local (1765198507);
  g_autofree char *local_text = g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) stream = NULL;
  gsize length;

  g_assert_no_error (error);
  file = g_file_new_for_path (path);
  stream = g_file_create (file, G_FILE_CREATE_NONE, NULL, &error);
  g_assert_no_error (error);

  zid_csv_add_row (csv, "Voornaam", "Achternaam", NULL);
  g_string_append (want, "Voornaam\x1f" "Achternaam");
  for (guint i = 0; i < G_N_ELEMENTS (cells); i++)
    {
      const char *c = cells[i];

      zid_csv_add (csv, c);
      zid_csv_add_int (csv, -(gint64) i);
      zid_csv_add_time (csv, 1765198507);
      zid_csv_add_time (csv, 0);
      /* half the rows go out before the next starts, half at the end */
      if (i % 2 == 0)
        {
          g_assert_true (zid_csv_flush (csv, G_OUTPUT_STREAM (stream), NULL, &error));
          g_assert_no_error (error);
        }
      zid_csv_end_row (csv);
      g_string_append_printf (want, "\x1e%s%s\x1f%d\x1f%s\x1f",
                              strchr ("=+-@\t", c[0]) && c[0] ? "'" : "", c, -(int) i, local_text);
    }
  text = zid_csv_free_to_string (g_steal_pointer (&csv), &length);
  g_assert_true (g_output_stream_write_all (G_OUTPUT_STREAM (stream), text, length, NULL, NULL, &error));
  g_assert_true (g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, &error));
  g_assert_no_error (error);

  got = read_back (path, separator);
  g_assert_cmpstr (got, ==, want->str);

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_semicolon (void)
{
  write_and_read (ZID_CSV_SEMICOLON);
}

static void
test_comma (void)
{
  write_and_read (ZID_CSV_COMMA);
}

static void
test_escape (void)
{
  const struct { const char *in; char sep; const char *out; } cases[] = {
    { "Zoë", ';', "Zoë" },
    { "a;b", ';', "\"a;b\"" },
    { "a;b", ',', "a;b" },
    { "a,b", ',', "\"a,b\"" },
    { "zegt \"x\"", ';', "\"zegt \"\"x\"\"\"" },
    { "=1+1", ';', "'=1+1" },
    { "=HYPERLINK(\"u\";\"k\")", ';', "\"'=HYPERLINK(\"\"u\"\";\"\"k\"\")\"" },
    { "\rx", ';', "\"'\rx\"" },
    { "a\nb", ',', "\"a\nb\"" },
    { NULL, ';', "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = zid_csv_escape (cases[i].in, cases[i].sep);

      g_assert_cmpstr (got, ==, cases[i].out);
    }
}

int
main (int    argc,
      char **argv)
{
  g_setenv ("TZ", "Europe/Amsterdam", TRUE);
  /* messages in the language of the environment (LANGUAGE=nl) */
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/csv/escape", test_escape);
  g_test_add_func ("/csv/semicolon", test_semicolon);
  g_test_add_func ("/csv/comma", test_comma);
  return g_test_run ();
}
