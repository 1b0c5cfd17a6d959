/* bench-import.c — registering a spreadsheet of people at once, against
 * the same people registered one by one, in the same run.
 *
 *   bench-import [--rows N] [--rounds R] [--letters] [--no-single] [--dir DIR] [--keep]
 *   bench-import --preview [--rows N] [--dir DIR] [--keep]   (needs a display)
 *
 * Two fresh stores, each with one organisation and its Administrator (the
 * actor). In the first, N people are registered by N calls of
 * zid_portal_register_user (each its own transaction, audited); in the
 * second, a CSV of N other people is parsed (zid_import_parse) and
 * registered by one zid_portal_import_users. With --letters the import
 * also writes the enrolment letters (one PDF page per person) before it
 * commits, as the window and the command line do (an import of its own,
 * beside the one without). The measurements alternate, R rounds (5) of
 * each in fresh stores, so that a load on the machine falls on all of them
 * alike. Prints users/s for each (median, slowest and fastest round), the
 * ratio of the medians with the rounds' own ratios as its spread (target:
 * the import >= 10x the single calls per user) and letters/s (target:
 * >= 100).
 *
 * --preview: the import dialog (the real ZidImportDialog in a window of
 * 1024x768) given a CSV of N people (100,000 by default): the time until
 * its preview lists every row and is painted, then the frame times while
 * scrolling its list, a third of a page per frame (as a mouse wheel) and
 * then in jumps anywhere in the list (as the scroll bar dragged), each until
 * painted. Target: p95 per frame < 16 ms.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include <stdio.h>
#include <stdlib.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "zid-bench.h"

#include <adwaita.h>

#include "zid-core.h"
#include "zid-import-dialog.h"
#include "zid-letters.h"
#include "zid-ui-resources.h"

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

static void
remove_tree (const char *dir)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);

  g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
}

static void
write_csv (guint       set,
           gint64      rows,
           GString    *csv)
{
  g_autoptr(GString) first = g_string_new (NULL);
  g_autoptr(GString) last = g_string_new (NULL);
  char birth[11];

  g_string_assign (csv, "voornaam;achternaam;geboortedatum\n");
  for (gint64 i = 0; i < rows; i++)
    {
      person (set, (guint) i, first, last, birth);
      g_string_append_printf (csv, "%s;%s;%s\n", first->str, last->str, birth);
    }
}

/* The preview's list (not one in a drop-down's popover) */
static GtkWidget *
find_list_view (GtkWidget *widget)
{
  if (GTK_IS_POPOVER (widget))
    return NULL;
  if (GTK_IS_LIST_VIEW (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_list_view (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The frame clock's work per frame: from before-paint to after-paint
 * (layout, snapshot, render), without the wait for the next tick */
typedef struct
{
  double  start;
  GArray *ms;
} Frames;

static void
on_before_paint (GdkFrameClock *clock,
                 Frames        *frames)
{
  frames->start = now_ms ();
}

static void
on_after_paint (GdkFrameClock *clock,
                Frames        *frames)
{
  double t = now_ms () - frames->start;

  if (frames->ms != NULL && frames->start > 0)
    g_array_append_val (frames->ms, t);
}

/* @adjustment to @value, then until the list has painted it */
static double
scroll_to (GtkAdjustment *adjustment,
           GtkWidget     *list,
           double         value)
{
  double t = now_ms ();

  gtk_adjustment_set_value (adjustment, value);
  gtk_widget_queue_draw (list);
  gtk_test_widget_wait_for_draw (list);
  return now_ms () - t;
}

static void
print_frames (const char *what,
              GArray     *ms)
{
  g_print ("%-44s %6u %8.2f %8.2f %8.2f\n", what, ms->len,
           percentile (ms, 50), percentile (ms, 95), percentile (ms, 100));
}

static int
bench_preview (const char *dir,
               ZidClock   *clock,
               gint64      rows)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) csv = g_string_new (NULL);
  g_autofree char *store_dir = g_build_filename (dir, "preview", NULL);
  g_autofree char *path = g_build_filename (dir, "team.csv", NULL);
  g_autoptr(GArray) wheel = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) jumps = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) wheel_work = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) jump_work = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) still = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) still_work = g_array_new (FALSE, FALSE, sizeof (double));
  Frames frames = { 0, NULL };
  GdkFrameClock *frame_clock;
  g_autoptr(GRand) rand = g_rand_new_with_seed (17);
  g_autoptr(ZidPortal) portal = NULL;
  ZidImportDialog *dialog;
  GtkAdjustment *adjustment;
  GtkWidget *list;
  GListModel *model;
  gint64 admin, organisation;
  double t0, t_shown;

  if (!gtk_init_check ())
    {
      g_printerr ("bench-import: no display (run it under xvfb-run)\n");
      return 1;
    }
  adw_init ();
  g_assert (zid_ui_get_resource () != NULL);

  portal = open_store (store_dir, clock, &admin, &organisation);
  write_csv (1, rows, csv);
  if (!g_file_set_contents (path, csv->str, csv->len, &error))
    {
      g_printerr ("bench-import: %s\n", error->message);
      return 1;
    }

  dialog = zid_import_dialog_new (NULL, ZID_BACKEND (portal), admin);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 1024, 768);
  gtk_window_present (GTK_WINDOW (dialog));
  list = find_list_view (GTK_WIDGET (dialog));
  g_assert (list != NULL);
  model = G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (list)));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));

  /* as chosen in the file chooser: read and checked in a worker, then listed */
  t0 = now_ms ();
  zid_import_dialog_set_file (dialog, path);
  while (g_list_model_get_n_items (model) < (guint) rows)
    g_main_context_iteration (NULL, TRUE);
  gtk_test_widget_wait_for_draw (list);
  t_shown = now_ms () - t0;

  adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (list));
  frame_clock = gtk_widget_get_frame_clock (list);
  g_signal_connect (frame_clock, "before-paint", G_CALLBACK (on_before_paint), &frames);
  g_signal_connect (frame_clock, "after-paint", G_CALLBACK (on_after_paint), &frames);
  /* reference: the same list redrawn without scrolling (the renderer's floor) */
  frames.ms = still_work;
  for (guint i = 0; i < 100; i++)
    {
      double t = scroll_to (adjustment, list, gtk_adjustment_get_value (adjustment));

      g_array_append_val (still, t);
    }
  frames.ms = wheel_work;
  for (guint i = 0; i < 600; i++)
    {
      double step = gtk_adjustment_get_page_size (adjustment) / 3;
      double t = scroll_to (adjustment, list, gtk_adjustment_get_value (adjustment) + step);

      g_array_append_val (wheel, t);
    }
  frames.ms = jump_work;
  for (guint i = 0; i < 100; i++)
    {
      double top = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);
      double t = scroll_to (adjustment, list, g_rand_double_range (rand, 0, top));

      g_array_append_val (jumps, t);
    }
  g_signal_handlers_disconnect_by_data (frame_clock, &frames);

  g_print ("import preview of %" G_GINT64_FORMAT " rows: chosen to listed and painted %.0f ms\n",
           rows, t_shown);
  g_print ("%-44s %6s %8s %8s %8s\n", "scrolling, each step until painted", "frames",
           "median", "p95 ms", "max");
  print_frames ("not scrolled: redrawn as it is (reference)", still);
  print_frames ("a third of a page (wheel)", wheel);
  print_frames ("a jump anywhere (scroll bar)", jumps);
  g_print ("%-44s %6s %8s %8s %8s\n", "the frames' own work (before- to after-paint)", "frames",
           "median", "p95 ms", "max");
  print_frames ("not scrolled: redrawn as it is (reference)", still_work);
  print_frames ("a third of a page (wheel)", wheel_work);
  print_frames ("a jump anywhere (scroll bar)", jump_work);
  g_print ("target: p95 < 16 ms per frame\n");
  gtk_window_destroy (GTK_WINDOW (dialog));
  return 0;
}

/* @rows single zid_portal_register_user calls in a fresh store in @dir:
 * their ms */
static double
run_single (const char *dir,
            ZidClock   *clock,
            gint64      rows)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) first = g_string_new (NULL);
  g_autoptr(GString) last = g_string_new (NULL);
  g_autoptr(ZidPortal) portal = NULL;
  gint64 admin, organisation;
  char birth[11];
  double t0;

  portal = open_store (dir, clock, &admin, &organisation);
  t0 = now_ms ();
  for (gint64 i = 0; i < rows; i++)
    {
      g_autoptr(ZidOneTimeCode) code = NULL;

      person (0, (guint) i, first, last, birth);
      code = zid_portal_register_user (portal, admin, organisation, first->str, last->str, birth, &error);
      if (code == NULL)
        {
          g_printerr ("bench-import: single %" G_GINT64_FORMAT ": %s\n", i, error->message);
          exit (1);
        }
    }
  return now_ms () - t0;
}

/* @csv (of @rows people) parsed and registered by one import in a fresh
 * store in @dir, with its letters written to @pdf unless that is NULL:
 * the ms of the parse in @t_parse, of the registration (and letters) in
 * @t_import */
static void
run_import (const char *dir,
            ZidClock   *clock,
            GString    *csv,
            gint64      rows,
            const char *pdf,
            double     *t_parse,
            double     *t_import)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidImport) import = NULL;
  g_autoptr(ZidPortal) portal = NULL;
  ZidImportLetters letters = { pdf, "Zorggroep Noord" };
  gint64 admin, organisation;
  double t0;

  portal = open_store (dir, clock, &admin, &organisation);
  t0 = now_ms ();
  if ((import = zid_import_parse (csv->str, csv->len, &error)) == NULL)
    {
      g_printerr ("bench-import: parse: %s\n", error->message);
      exit (1);
    }
  *t_parse = now_ms () - t0;
  t0 = now_ms ();
  if (!zid_portal_import_users (portal, admin, organisation, ZID_ROLE_GEBRUIKER, import,
                                pdf != NULL ? zid_letters_write_import : NULL, &letters, &error))
    {
      g_printerr ("bench-import: import: %s\n", error->message);
      exit (1);
    }
  *t_import = now_ms () - t0;
  if (import->n_new != (guint) rows)
    {
      g_printerr ("bench-import: import registered %u of %" G_GINT64_FORMAT "\n", import->n_new, rows);
      exit (1);
    }
}

static double
min_of (GArray *samples)
{
  return percentile (samples, 0);
}

static double
max_of (GArray *samples)
{
  return percentile (samples, 100);
}

/* A line of users/s (or letters/s): the median round's, the slowest's and
 * the fastest's, and the median's ms */
static void
print_rate (const char *what,
            gint64      n,
            GArray     *ms)
{
  g_print ("%-36s %9.0f %9.0f %9.0f %9.0f\n", what, n / (percentile (ms, 50) / 1000),
           n / (max_of (ms) / 1000), n / (min_of (ms) / 1000), percentile (ms, 50));
}

static void
add (GArray *samples,
     double  value)
{
  g_array_append_val (samples, value);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new ("— bulk import against single registrations");
  g_autoptr(ZidClock) clock = zid_clock_new_fixed (NOW);
  g_autoptr(GString) csv = g_string_new (NULL);
  g_autoptr(GArray) single = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) parse = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) registered = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) imported = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) with_letters_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) letters_only = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ratios = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *dir = NULL;
  gint64 rows = 0, rounds = 5;
  gboolean with_letters = FALSE, no_single = FALSE, preview = FALSE, keep = FALSE;
  GOptionEntry entries[] = {
    { "rows", 0, 0, G_OPTION_ARG_INT64, &rows, "People per run (10000; the preview 100000)", "N" },
    { "rounds", 0, 0, G_OPTION_ARG_INT64, &rounds, "Alternating rounds of each measurement (5)", "R" },
    { "letters", 0, 0, G_OPTION_ARG_NONE, &with_letters, "An import with letters in each round too", NULL },
    { "preview", 0, 0, G_OPTION_ARG_NONE, &preview, "The import dialog's preview instead (needs a display)", NULL },
    { "no-single", 0, 0, G_OPTION_ARG_NONE, &no_single, "Only the import (to profile it)", NULL },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, "Where the stores go (a new temporary directory)", "DIR" },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "Keep the stores", NULL },
    { NULL }
  };
  double ratio;

  g_option_context_add_main_entries (context, entries, NULL);
  if (g_option_context_parse (context, &argc, &argv, &error) && rows == 0)
    rows = preview ? ZID_IMPORT_MAX_ROWS : 10000;
  if (error != NULL || rows < 1 || rows > ZID_IMPORT_MAX_ROWS || rounds < 1 || rounds > 100)
    {
      g_printerr ("bench-import: %s\n", error ? error->message : "--rows: 1 to 100000, --rounds: 1 to 100");
      return 2;
    }
  if (dir == NULL && (dir = g_dir_make_tmp ("bench-import-XXXXXX", &error)) == NULL)
    {
      g_printerr ("bench-import: %s\n", error->message);
      return 1;
    }
  if (preview)
    {
      int status = bench_preview (dir, clock, rows);

      if (!keep)
        remove_tree (dir);
      return status;
    }

  /* Rounds of each measurement, alternating (and in turn first), each in a
   * fresh store: a load that comes and goes on the machine falls on both
   * alike, and the medians leave out the rounds it spoiled */
  write_csv (1, rows, csv);
  for (gint64 round = 0; round < rounds; round++)
    {
      g_autofree char *single_dir = g_strdup_printf ("%s/single-%" G_GINT64_FORMAT, dir, round);
      g_autofree char *import_dir = g_strdup_printf ("%s/import-%" G_GINT64_FORMAT, dir, round);
      g_autofree char *letters_dir = g_strdup_printf ("%s/letters-%" G_GINT64_FORMAT, dir, round);
      g_autofree char *pdf = g_strdup_printf ("%s/letters-%" G_GINT64_FORMAT ".pdf", dir, round);
      double t_parse, t_import, t_single = 0, t_letters = 0, t_ignored;

      for (guint step = 0; step < 3; step++)
        {
          /* round 0: single, import, letters; round 1: import, letters, single; ... */
          switch ((step + round) % 3)
            {
            case 0:
              if (!no_single)
                t_single = run_single (single_dir, clock, rows);
              break;
            case 1:
              run_import (import_dir, clock, csv, rows, NULL, &t_parse, &t_import);
              break;
            default:
              if (with_letters)
                run_import (letters_dir, clock, csv, rows, pdf, &t_ignored, &t_letters);
              break;
            }
        }
      add (parse, t_parse);
      add (registered, t_import);
      add (imported, t_parse + t_import);
      if (!no_single)
        {
          add (single, t_single);
          add (ratios, t_single / (t_parse + t_import));
        }
      if (with_letters)
        {
          add (with_letters_ms, t_letters);
          add (letters_only, t_letters - t_import);
        }
      if (!keep)
        {
          remove_tree (single_dir);
          remove_tree (import_dir);
          remove_tree (letters_dir);
          g_unlink (pdf);
        }
    }

  g_print ("%" G_GINT64_FORMAT " people, %" G_GINT64_FORMAT " alternating rounds, each in a fresh store\n",
           rows, rounds);
  g_print ("%-36s %9s %9s %9s %9s\n", "users/s", "median", "slowest", "fastest", "median ms");
  if (!no_single)
    print_rate ("single zid_portal_register_user", rows, single);
  print_rate ("import: parse", rows, parse);
  print_rate ("import: register", rows, registered);
  print_rate ("import: parse + register", rows, imported);
  if (with_letters)
    print_rate ("import: register + letters", rows, with_letters_ms);
  if (!no_single)
    {
      ratio = percentile (single, 50) / percentile (imported, 50);
      g_print ("import per user vs single calls: %.1fx, ratio of the medians (rounds' own: %.1fx to %.1fx; "
               "target >= 10x)\n", ratio, min_of (ratios), max_of (ratios));
      if (with_letters)
        g_print ("import with its letters per user vs single calls: %.1fx\n",
                 percentile (single, 50) / percentile (with_letters_ms, 50));
    }
  if (with_letters)
    {
      g_print ("letters, with the registrations: %.0f letters/s median (%.0f to %.0f; target >= 100)\n",
               rows / (percentile (with_letters_ms, 50) / 1000), rows / (max_of (with_letters_ms) / 1000),
               rows / (min_of (with_letters_ms) / 1000));
      g_print ("letters alone (with letters minus without): %.0f letters/s median (%.0f to %.0f)\n",
               rows / (percentile (letters_only, 50) / 1000), rows / (max_of (letters_only) / 1000),
               rows / (min_of (letters_only) / 1000));
    }

  if (!keep)
    remove_tree (dir);
  return 0;
}
