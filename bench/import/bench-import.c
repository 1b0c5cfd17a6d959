/* bench-import.c — registering a spreadsheet of people at once, against
 * the same people registered one by one, in the same run.
 *
 *   bench-import [--rows N] [--letters] [--no-single] [--dir DIR] [--keep]
 *
 * Two fresh stores, each with one organisation and its Administrator (the
 * actor). In the first, N people are registered by N calls of
 * zid_portal_register_user (each its own transaction, audited); in the
 * second, a CSV of N other people is parsed (zid_import_parse) and
 * registered by one zid_portal_import_users. With --letters the import
 * also writes the enrolment letters (one PDF page per person) before it
 * commits, as the window and the command line do. Prints users/s for each
 * and their ratio (target: the import >= 10x the single calls per user)
 * and letters/s (target: >= 100).
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include <stdio.h>
#include <stdlib.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "zid-bench.h"

#include "zid-core.h"
#include "zid-letters.h"

#define NOW ((gint64) 1767225600)  /* 2026-01-01 00:00:00 UTC */
#define URA "12345678"

static ZidPortal *
open_store (const char *dir,
            ZidClock   *clock,
            gint64     *admin,
            gint64     *organisation)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidOneTimeCode) enrolment = NULL;
  g_autoptr(ZidOrganisation) o = NULL;
  ZidPortal *portal;

  g_mkdir_with_parents (dir, 0700);
  portal = zid_portal_open (dir, ZID_ENVIRONMENT_ACCEPTATIE, clock, &error);
  if (portal == NULL ||
      zid_portal_add_registration (portal, URA, "Zorggroep Noord", NULL, NULL, NULL, &error) <= 0 ||
      (enrolment = zid_portal_bootstrap (portal, URA, "Anna", "de Vries", "1980-02-29", &error)) == NULL ||
      (o = zid_portal_find_organisation (portal, URA, &error)) == NULL)
    {
      g_printerr ("bench-import: %s\n", error ? error->message : "set-up failed");
      exit (1);
    }
  *admin = enrolment->user_id;
  *organisation = o->id;
  return portal;
}

/* Person @i of set @set: names unique per index (letters only, so that
 * they pass the portal's name rules), a birth date */
static void
person (guint    set,
        guint    i,
        GString *first,
        GString *last,
        char     birth[11])
{
  static const char *const syllables[] = { "ba", "de", "ki", "lo", "mu", "ra", "se", "ti", "vo", "zu" };

  g_string_assign (first, set == 0 ? "Jan" : "Els");
  g_string_assign (last, "");
  for (guint n = i, k = 0; k < 6; k++, n /= 10)
    g_string_append (last, syllables[n % 10]);
  last->str[0] = g_ascii_toupper (last->str[0]);
  g_snprintf (birth, 11, "%04u-%02u-%02u", 1950 + i % 50, 1 + i % 12, 1 + i % 28);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new ("— bulk import against single registrations");
  g_autoptr(ZidClock) clock = zid_clock_new_fixed (NOW);
  g_autoptr(GString) first = g_string_new (NULL);
  g_autoptr(GString) last = g_string_new (NULL);
  g_autoptr(GString) csv = g_string_new ("voornaam;achternaam;geboortedatum\n");
  g_autoptr(ZidImport) import = NULL;
  g_autofree char *dir = NULL, *single_dir = NULL, *import_dir = NULL, *pdf = NULL;
  gint64 rows = 10000;
  gboolean with_letters = FALSE, no_single = FALSE, keep = FALSE;
  ZidImportLetters letters = { NULL, "Zorggroep Noord" };
  GOptionEntry entries[] = {
    { "rows", 0, 0, G_OPTION_ARG_INT64, &rows, "People per run (10000)", "N" },
    { "letters", 0, 0, G_OPTION_ARG_NONE, &with_letters, "Write the import's letters too", NULL },
    { "no-single", 0, 0, G_OPTION_ARG_NONE, &no_single, "Only the import (to profile it)", NULL },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, "Where the stores go (a new temporary directory)", "DIR" },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "Keep the stores", NULL },
    { NULL }
  };
  ZidPortal *portal;
  gint64 admin, organisation;
  double t0, t_single, t_parse, t_import;
  char birth[11];

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || rows < 1 || rows > ZID_IMPORT_MAX_ROWS)
    {
      g_printerr ("bench-import: %s\n", error ? error->message : "--rows: 1 to 100000");
      return 2;
    }
  if (dir == NULL && (dir = g_dir_make_tmp ("bench-import-XXXXXX", &error)) == NULL)
    {
      g_printerr ("bench-import: %s\n", error->message);
      return 1;
    }
  single_dir = g_build_filename (dir, "single", NULL);
  import_dir = g_build_filename (dir, "import", NULL);
  pdf = g_build_filename (dir, "letters.pdf", NULL);

  /* single calls */
  t_single = 0;
  if (no_single)
    goto skip_single;
  portal = open_store (single_dir, clock, &admin, &organisation);
  t0 = now_ms ();
  for (gint64 i = 0; i < rows; i++)
    {
      g_autoptr(ZidOneTimeCode) code = NULL;

      person (0, (guint) i, first, last, birth);
      code = zid_portal_register_user (portal, admin, organisation, first->str, last->str, birth, &error);
      if (code == NULL)
        {
          g_printerr ("bench-import: single %" G_GINT64_FORMAT ": %s\n", i, error->message);
          return 1;
        }
    }
  t_single = now_ms () - t0;
  g_object_unref (portal);
 skip_single:

  /* one import */
  portal = open_store (import_dir, clock, &admin, &organisation);
  for (gint64 i = 0; i < rows; i++)
    {
      person (1, (guint) i, first, last, birth);
      g_string_append_printf (csv, "%s;%s;%s\n", first->str, last->str, birth);
    }
  t0 = now_ms ();
  if ((import = zid_import_parse (csv->str, csv->len, &error)) == NULL)
    {
      g_printerr ("bench-import: parse: %s\n", error->message);
      return 1;
    }
  t_parse = now_ms () - t0;
  letters.path = pdf;
  t0 = now_ms ();
  if (!zid_portal_import_users (portal, admin, organisation, ZID_ROLE_GEBRUIKER, import,
                                with_letters ? zid_letters_write_import : NULL, &letters, &error))
    {
      g_printerr ("bench-import: import: %s\n", error->message);
      return 1;
    }
  t_import = now_ms () - t0;
  if (import->n_new != (guint) rows)
    {
      g_printerr ("bench-import: import registered %u of %" G_GINT64_FORMAT "\n", import->n_new, rows);
      return 1;
    }
  g_object_unref (portal);

  g_print ("%-40s %10s %12s\n", "", "ms", "users/s");
  g_print ("%-40s %10.0f %12.0f\n", "single zid_portal_register_user", t_single, rows / (t_single / 1000));
  g_print ("%-40s %10.0f %12.0f\n", "import: parse", t_parse, rows / (t_parse / 1000));
  g_print ("%-40s %10.0f %12.0f\n", with_letters ? "import: register + letters" : "import: register",
           t_import, rows / (t_import / 1000));
  g_print ("%-40s %10.0f %12.0f\n", "import: parse + register", t_parse + t_import,
           rows / ((t_parse + t_import) / 1000));
  g_print ("import per user vs single calls: %.1fx (target >= 10x)\n", t_single / (t_parse + t_import));
  if (with_letters)
    g_print ("letters (with the registrations): %.0f letters/s (target >= 100)\n",
             rows / (t_import / 1000));

  if (!keep)
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);

      g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
    }
  return 0;
}
