/* bench-live.c — "change to screen": from a change committed by another
 * connection to the updated row painted in the users overview, at 100,000
 * users in one organisation; and what the watching costs while nothing
 * changes.
 *
 *   bench-live [--users N] [--changes N] [--idle SECONDS]
 *
 * The window's side: the real ZidUsersView in a window, loaded as at log in
 * (zid_users_view_load: the list read in a worker, the portal's ZidWatch
 * looking every ZID_WATCH_INTERVAL_MS). The other side: a second ZidPortal
 * on the same data dir (its own SQLite connection, as zorgid-admin or a
 * server process has) gives one of the users on screen another role with
 * zid_portal_set_membership(), a real write of the core (rule checks,
 * audit event, seal, fsync), at a random moment relative to the watch's
 * ticks. Timed from the write's return (committed) to:
 *   "model"   the overview's list holds the user with the new role;
 *   "painted" the window's frame clock has painted after that (after-paint).
 * Idle: the process's CPU time (CLOCK_PROCESS_CPUTIME_ID) over --idle
 * seconds of the main loop with the window shown and watching, and the
 * cost of one look (zid_portal_poll_changes) measured alone.
 *
 * Needs a display (run-bench.sh uses xvfb-run).
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include <adwaita.h>

#include "zid-bench.h"
#include "bench-ui-fill.h"

#include "zid-ui-resources.h"
#include "zid-user-item.h"
#include "zid-user-list.h"
#include "zid-users-view.h"

static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* The main loop as the window runs it (blocking between events) */
static void
iterate_for (double ms)
{
  gboolean done = FALSE;

  g_timeout_add ((guint) ms, set_flag, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static double painted_at;
static guint  frames;

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       data)
{
  frames++;
  if (painted_at == 0)
    painted_at = now_ms ();
}

/* The role the list shows for the user at @position */
static ZidRole
shown_role (GListModel *model,
            guint       position,
            gint64      organisation,
            gint64     *user_id)
{
  g_autoptr(ZidUserItem) item = g_list_model_get_item (model, position);
  ZidUser *user = zid_user_item_get_user (item);

  *user_id = zid_user_get_id (user);
  return zid_user_get_role_in (user, organisation);
}

int
main (int    argc,
      char **argv)
{
  int n_users = 100000, n_changes = 100, idle_s = 10;
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new ("— change to screen at 100,000 users");
  const GOptionEntry entries[] = {
    { "users", 0, 0, G_OPTION_ARG_INT, &n_users, "Users in the organisation (100000)", "N" },
    { "changes", 0, 0, G_OPTION_ARG_INT, &n_changes, "Changes timed (100)", "N" },
    { "idle", 0, 0, G_OPTION_ARG_INT, &idle_s, "Seconds of idle watching measured (10)", "S" },
    { NULL }
  };
  g_autofree char *dir = NULL;
  g_autofree char *db_path = NULL;
  g_autoptr(ZidPortal) portal = NULL;
  g_autoptr(ZidPortal) other = NULL;
  g_autoptr(ZidOrganisation) org = NULL;
  g_autoptr(GArray) model_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) paint_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261203);
  GListModel *model;
  ZidUsersView *view;
  GtkWidget *window;
  GdkFrameClock *clock;
  gint64 actor;
  double t0, cpu0, wall, cpu, look_us;
  ZidChangeVersion version;
  const int looks = 10000;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-live: %s\n", error->message);
      return 2;
    }
  if (!gtk_init_check ())
    {
      g_printerr ("bench-live: no display (run it under xvfb-run)\n");
      return 1;
    }
  adw_init ();
  g_assert (zid_ui_get_resource () != NULL);
  /* GTK 4's blinking cursor (the search field has the focus) paints every
   * frame for its first 10 s: not what is measured here */
  g_object_set (gtk_settings_get_default (), "gtk-cursor-blink", FALSE, NULL);

  dir = g_dir_make_tmp ("zid-bench-live.XXXXXX", NULL);
  portal = zid_portal_open (dir, ZID_ENVIRONMENT_ACCEPTATIE, NULL, &error);
  if (portal == NULL)
    g_error ("%s", error->message);
  db_path = g_build_filename (dir, "zorgid.db", NULL);
  actor = bench_ui_fill (portal, db_path, n_users);
  org = zid_portal_find_organisation (portal, "12345678", &error);
  other = zid_portal_open (dir, ZID_ENVIRONMENT_ACCEPTATIE, NULL, &error);
  if (org == NULL || other == NULL)
    g_error ("%s", error->message);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1024, 720);
  view = g_object_new (ZID_TYPE_USERS_VIEW, NULL);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));
  model = zid_users_view_get_model (view);

  t0 = now_ms ();
  zid_users_view_load (view, ZID_BACKEND (portal), actor);
  while (zid_user_list_get_n_total (ZID_USER_LIST (model)) < (guint) n_users)
    g_main_context_iteration (NULL, TRUE);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (view));
  g_print ("Log in: %d users read and shown in %.0f ms\n", n_users, now_ms () - t0);
  iterate_for (1000);

  clock = gtk_widget_get_frame_clock (window);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), NULL);

  /* Idle: nothing changes */
  frames = 0;
  t0 = now_ms ();
  cpu0 = cpu_ms ();
  iterate_for (idle_s * 1000.0);
  wall = now_ms () - t0;
  cpu = cpu_ms () - cpu0;
  t0 = now_ms ();
  for (int i = 0; i < looks; i++)
    zid_portal_poll_changes (portal, &version);
  look_us = (now_ms () - t0) * 1000.0 / looks;
  g_print ("Idle, watching (%.0f s): process CPU %.1f ms = %.3f %% of one core, %u frames painted; "
           "one look %.1f µs, every %d ms: %.4f %% of one core\n",
           wall / 1000, cpu, 100.0 * cpu / wall, frames, look_us, ZID_WATCH_INTERVAL_MS,
           100.0 * look_us / 1000.0 / ZID_WATCH_INTERVAL_MS);

  g_print ("\n%-6s %-8s %-12s %10s %10s\n", "change", "user", "role", "model", "painted");
  for (int c = 0; c < n_changes; c++)
    {
      guint position;
      gint64 user;
      ZidRole now, next;
      double committed, model_at = 0;
      gboolean timed_out = FALSE;
      guint guard;
      gint64 shown_user;

      /* a row on screen, not the Administrator's */
      do
        {
          position = (guint) g_rand_int_range (rand, 0, 15);
          now = shown_role (model, position, org->id, &user);
        }
      while (now == ZID_ROLE_ADMINISTRATOR);
      next = now == ZID_ROLE_GEBRUIKER ? ZID_ROLE_BEHEERDER : ZID_ROLE_GEBRUIKER;

      /* a random moment relative to the watch's ticks */
      iterate_for (g_rand_double_range (rand, 0, ZID_WATCH_INTERVAL_MS));
      if (!zid_portal_set_membership (other, actor, user, org->id, next, NULL, &error))
        g_error ("%s", error->message);
      committed = now_ms ();
      painted_at = 0;
      guard = g_timeout_add (5000, set_flag, &timed_out);
      while (!timed_out)
        {
          g_main_context_iteration (NULL, TRUE);
          if (model_at == 0 && shown_role (model, position, org->id, &shown_user) == next &&
              shown_user == user)
            {
              model_at = now_ms ();
              painted_at = 0;
            }
          if (model_at != 0 && painted_at != 0)
            break;
        }
      if (model_at == 0 || painted_at == 0)
        g_error ("change %d: not on screen within 5 s", c);
      g_source_remove (guard);
      model_at -= committed;
      painted_at -= committed;
      g_array_append_val (model_ms, model_at);
      g_array_append_val (paint_ms, painted_at);
      if (c < 10)
        g_print ("%-6d %-8" G_GINT64_FORMAT " %-12s %7.1f ms %7.1f ms\n", c, user,
                 zid_role_to_string (next), model_at, painted_at);
    }

  g_print ("\nChange to screen over %u changes by another connection, %d users in one organisation:\n",
           paint_ms->len, n_users);
  g_print ("  to the list model:   median %6.1f ms, p95 %6.1f ms, max %6.1f ms\n",
           percentile (model_ms, 50), percentile (model_ms, 95), percentile (model_ms, 100));
  g_print ("  to the painted row:  median %6.1f ms, p95 %6.1f ms, max %6.1f ms  (target p95 < 1000 ms)\n",
           percentile (paint_ms, 50), percentile (paint_ms, 95), percentile (paint_ms, 100));
  g_print ("  ratio p95 painted / 1000 ms: %.2f\n", percentile (paint_ms, 95) / 1000.0);
  g_print ("  ratio idle CPU / 1 %% of one core: %.2f\n", (100.0 * cpu / wall) / 1.0);

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&other);
  g_clear_object (&portal);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);

    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", dir);
  }
  return 0;
}
