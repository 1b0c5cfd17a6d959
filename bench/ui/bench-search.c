/* bench-search.c — the users overview's search at 100,000 users in one
 * organisation, keystroke by keystroke, in-process.
 *
 *   bench-search [--users N] [--dir DIR] [--keep] [--rounds N] [--server]
 *
 * Fill: one organisation through the portal API (registration + bootstrap
 * of its Administrator, the actor), then N users with their memberships and
 * name search keys in one transaction on a separate sqlite3 connection (the
 * rows the core writes, as bench/core does). Load: what the window does when
 * the Administrator logs in — zid_portal_list_users (all users the actor
 * manages) and the fold keys the filter matches on, in one call as the
 * loading worker makes it — then the real ZidUsersView in a window gets the
 * list.
 *
 * Typing: for each prefix of a few queries (a common name, a rare one, a
 * name with an accent, one that matches nothing) and back again with
 * Backspace, zid_users_view_set_search() as the search entry's handler calls
 * it. The filter is synchronous, so when that call returns the list model
 * holds the final result and GTK has rebound, built or dropped its row
 * widgets (items-changed is handled inside the call): that time is "filter",
 * one main-loop dispatch, what typing waits for. Target: within one frame,
 * 16 ms. Then "+frame": until the view has painted the result (layout,
 * Pango, snapshot; includes waiting for the frame clock's next tick).
 * "model" is the same query on a ZidUserList with no view, for reference.
 * The search entry's own 150 ms search-changed delay (GtkSearchEntry) is not
 * counted. In the first round every keystroke is checked, untimed, against
 * a fresh list that scans all users: same number of matches, same users in
 * the first 200 rows (about what GTK builds).
 *
 * --server: the window on an organisation server. `zorgid-admin server
 * run` serves the same data dir (another process; its address on a free
 * loopback port), a second Administrator's phone (zorgid-mobile) enrols
 * there and answers the login QR of a remote backend (zid-remote-backend.h),
 * and the list is loaded through it: the load and the first frame after
 * login are printed for both, local and remote, with their ratio (target
 * ≤ 1.5); then the typing runs on the list the server sent, with the
 * remote backend's watch looking between the keystrokes (the search is the
 * window's own, on the list it holds, in either mode).
 *
 * Needs a display (run-bench.sh uses xvfb-run).
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "zid-bench.h"
#include "bench-ui-fill.h"

#include "zid-remote-backend.h"
#include "zid-store-private.h"
#include "zid-ui-resources.h"
#include "zid-user-list.h"
#include "zid-user-item.h"
#include "zid-users-view.h"

/* Until the view has painted a frame after the change */
static double
until_drawn (GtkWidget *widget)
{
  double t = now_ms ();

  gtk_widget_queue_draw (widget);
  gtk_test_widget_wait_for_draw (widget);
  return now_ms () - t;
}

/* Outside the timing: the view's list (which narrows the previous query's
 * matches and keeps them for Backspace) shows what a fresh list scanning
 * everyone finds, in the same order — the first rows, the ones GTK built */
static void
check_matches (GListModel *shown,
               GPtrArray  *users,
               const char *typed)
{
  g_autoptr(ZidUserList) fresh = zid_user_list_new ();
  guint n, n_rows;

  zid_user_list_set_users (fresh, users);
  zid_user_list_set_query (fresh, typed);
  n = zid_user_list_get_n_matches (fresh);
  if (zid_user_list_get_n_matches (ZID_USER_LIST (shown)) != n)
    g_error ("\"%s\": the view has %u matches, a fresh scan %u", typed,
             zid_user_list_get_n_matches (ZID_USER_LIST (shown)), n);
  if (n == 0)
    return;
  if (g_list_model_get_n_items (shown) != n)
    g_error ("\"%s\": the view shows %u users of %u matches", typed, g_list_model_get_n_items (shown), n);
  n_rows = MIN (n, 200);
  for (guint i = 0; i < n_rows; i++)
    {
      g_autoptr(ZidUserItem) a = g_list_model_get_item (shown, i);
      g_autoptr(ZidUserItem) b = g_list_model_get_item (G_LIST_MODEL (fresh), i);

      if (zid_user_item_get_user (a) != zid_user_item_get_user (b))
        g_error ("\"%s\": row %u shows %s, a fresh scan %s", typed, i,
                 zid_user_get_display_name (zid_user_item_get_user (a)),
                 zid_user_get_display_name (zid_user_item_get_user (b)));
    }
}

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        rm_rf (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
spawn (const char * const *argv,
       GSubprocess       **proc)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) p = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                      G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);

  if (p == NULL)
    g_error ("%s: %s", argv[0], error->message);
  if (proc != NULL)
    {
      *proc = g_steal_pointer (&p);
      return;
    }
  if (!g_subprocess_wait_check (p, NULL, &error))
    g_error ("%s %s: %s", argv[0], argv[3], error->message);
}

static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, 0, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_socket_bind (socket, any, TRUE, NULL);
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* The server on @dir and a remote backend logged in to it as a second
 * Administrator, whose phone enrols and logs in through zorgid-mobile */
static ZidBackend *
remote_login (ZidPortal    *portal,
              const char   *dir,
              gint64        actor,
              GSubprocess **server)
{
  const char *build = g_getenv ("ZID_BUILD_ROOT") ? g_getenv ("ZID_BUILD_ROOT") : ".";
  g_autofree char *admin = g_build_filename (build, "src", "cli", "zorgid-admin", NULL);
  g_autofree char *mobile = g_build_filename (build, "src", "mobile", "zorgid-mobile", NULL);
  g_autofree char *phone = g_build_filename (dir, "phone", NULL);
  g_autofree char *pin = g_build_filename (dir, "phone-pin", NULL);
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", free_port ());
  g_autofree char *phone_arg = g_strdup_printf ("--data-dir=%s", phone);
  g_autofree char *pin_arg = g_strdup_printf ("--pin-file=%s", pin);
  g_autofree char *code = NULL;
  g_autofree char *session = NULL;
  g_autoptr(ZidOneTimeCode) enrolment = NULL;
  g_autoptr(ZidOneTimeCode) login = NULL;
  g_autoptr(ZidRemoteBackend) remote = NULL;
  g_autoptr(GError) error = NULL;
  gint64 user = 0;

  if (!zid_portal_set_service_address (portal, address, &error) ||
      (code = zid_portal_dup_connection_code (portal, &error)) == NULL ||
      (enrolment = zid_portal_register_user (portal, actor, 1, "Rita", "Remote", "1985-05-05", &error)) == NULL ||
      !zid_portal_set_membership (portal, actor, enrolment->user_id, 1, ZID_ROLE_ADMINISTRATOR, NULL, &error) ||
      !g_file_set_contents (pin, "24680\n", -1, &error))
    g_error ("%s", error->message);
  spawn ((const char * const[]) { admin, "--data-dir", dir, "server", "run", "--listen", address, NULL }, server);
  for (int i = 0; i < 500; i++)
    {
      g_autoptr(GSocketClient) client = g_socket_client_new ();
      g_autoptr(GSocketConnection) c = g_socket_client_connect_to_host (client, address, 0, NULL, NULL);

      if (c != NULL)
        break;
      g_usleep (20 * 1000);
    }
  spawn ((const char * const[]) { mobile, phone_arg, pin_arg, "enrol", enrolment->payload, NULL }, NULL);

  if ((remote = zid_remote_backend_new (code, dir, &error)) == NULL ||
      (login = zid_backend_login_begin (ZID_BACKEND (remote), &session, &error)) == NULL)
    g_error ("%s", error->message);
  spawn ((const char * const[]) { mobile, phone_arg, pin_arg, "login", login->payload, NULL }, NULL);
  if (zid_backend_login_poll (ZID_BACKEND (remote), session, &user, NULL, &error) != ZID_LOGIN_ACCEPTED)
    g_error ("the remote login was not accepted: %s", error ? error->message : "(no error)");
  return ZID_BACKEND (g_steal_pointer (&remote));
}

/* Login to first frame: the list loaded as the window's worker loads it
 * (the call, the fold keys), handed to a fresh view, drawn. Returns the
 * users; prints the parts. */
static GPtrArray *
first_frame (ZidBackend *backend,
             gint64      actor,
             const char *name,
             double     *total)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *users;
  GtkWidget *window = gtk_window_new ();
  ZidUsersView *view = g_object_new (ZID_TYPE_USERS_VIEW, NULL);
  double t0 = now_ms (), t_list, t_keys;

  users = zid_backend_list_users (backend, actor, 0, NULL, &error);
  if (users == NULL)
    g_error ("%s", error->message);
  t_list = now_ms ();
  for (guint i = 0; i < users->len; i++)
    zid_users_view_prepare_user (g_ptr_array_index (users, i));
  t_keys = now_ms ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1024, 720);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));
  zid_users_view_set_users (view, users);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (view));
  *total = now_ms () - t0;
  g_print ("First frame after login, %-6s: list_users %u users %.0f ms, fold keys %.0f ms, view and first "
           "draw %.0f ms: %.0f ms\n", name, users->len, t_list - t0, t_keys - t_list, now_ms () - t_keys, *total);
  gtk_window_destroy (GTK_WINDOW (window));
  return users;
}

int
main (int    argc,
      char **argv)
{
  int n_users = 100000, rounds = 5;
  gboolean keep = FALSE, all_rounds = FALSE, server_mode = FALSE;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(ZidBackend) remote = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidPortal) portal = NULL;
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(GArray) model_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) filter_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) frame_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(ZidUserList) bare = zid_user_list_new ();
  g_autoptr(GOptionContext) context = g_option_context_new ("— the users overview's search at 100,000 users");
  g_autofree char *db_path = NULL;
  const GOptionEntry entries[] = {
    { "users", 0, 0, G_OPTION_ARG_INT, &n_users, "Users in the organisation (100000)", "N" },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, "Data dir (fresh; kept)", "DIR" },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "Keep the temporary data dir", NULL },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "Times each query is typed (5)", "N" },
    { "all", 0, 0, G_OPTION_ARG_NONE, &all_rounds, "Print every round's keystrokes, not only the first", NULL },
    { "server", 0, 0, G_OPTION_ARG_NONE, &server_mode, "Also through an organisation server (zorgid-admin server run)", NULL },
    { NULL }
  };
  static const char * const queries[] = { "jansen", "bloemhof", "öztürk", "ozt", "xyzzy", "anne-marie" };
  ZidUsersView *view;
  g_autoptr(ZidWatch) watch = NULL;
  GtkWidget *window;
  gint64 actor;
  double t0, t_list;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-search: %s\n", error->message);
      return 2;
    }
  if (!gtk_init_check ())
    {
      g_printerr ("bench-search: no display (run it under xvfb-run)\n");
      return 1;
    }
  adw_init ();
  g_assert (zid_ui_get_resource () != NULL);

  if (dir == NULL)
    dir = g_dir_make_tmp ("zid-bench-search.XXXXXX", NULL);
  else
    keep = TRUE;
  portal = zid_portal_open (dir, ZID_ENVIRONMENT_ACCEPTATIE, NULL, &error);
  if (portal == NULL)
    g_error ("%s", error->message);
  db_path = g_build_filename (dir, "zorgid.db", NULL);
  if (!g_file_test (db_path, G_FILE_TEST_EXISTS))
    g_error ("no %s: the core's store file has another name?", db_path);
  actor = bench_ui_fill (portal, db_path, n_users);

  /* The loading worker's work, here on this thread */
  t0 = now_ms ();
  users = zid_portal_list_users (portal, actor, 0, NULL, &error);
  if (users == NULL)
    g_error ("%s", error->message);
  t_list = now_ms ();
  for (guint i = 0; i < users->len; i++)
    zid_users_view_prepare_user (g_ptr_array_index (users, i));
  g_print ("Load (worker thread in the window): zid_portal_list_users %u users %.0f ms, fold keys %.0f ms\n",
           users->len, t_list - t0, now_ms () - t_list);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1024, 720);
  view = g_object_new (ZID_TYPE_USERS_VIEW, NULL);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));
  t0 = now_ms ();
  zid_users_view_set_users (view, users);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (view));
  g_print ("Hand-over to the view and first draw: %.1f ms\n", now_ms () - t0);

  if (server_mode)
    {
      g_autoptr(GPtrArray) local_users = NULL;
      GArray *local_ms = g_array_new (FALSE, FALSE, sizeof (double));
      GArray *remote_ms = g_array_new (FALSE, FALSE, sizeof (double));
      double ms;

      remote = remote_login (portal, dir, actor, &server);
      for (int round = 0; round < 3; round++)
        {
          g_clear_pointer (&local_users, g_ptr_array_unref);
          local_users = first_frame (ZID_BACKEND (portal), actor, "local", &ms);
          g_array_append_val (local_ms, ms);
          g_clear_pointer (&users, g_ptr_array_unref);
          users = first_frame (remote, actor, "remote", &ms);
          g_array_append_val (remote_ms, ms);
        }
      if (users->len != local_users->len)
        g_error ("the server listed %u users, the local store %u", users->len, local_users->len);
      g_print ("First frame after login, median of 3: local %.0f ms, remote %.0f ms, ratio %.2f (target ≤ 1.5)\n",
               percentile (local_ms, 50), percentile (remote_ms, 50),
               percentile (remote_ms, 50) / percentile (local_ms, 50));
      g_array_unref (local_ms);
      g_array_unref (remote_ms);
      zid_users_view_set_users (view, users);
      gtk_test_widget_wait_for_draw (GTK_WIDGET (view));
      g_print ("The typing below runs on the list the server sent, the remote backend's watch looking\n");
    }

  zid_user_list_set_users (bare, users);
  /* the window watches its portal while one types (it stays current):
   * its looks run between the keystrokes, as they would there */
  watch = zid_watch_get (remote != NULL ? remote : ZID_BACKEND (portal));

  g_print ("\n%-12s %-12s %8s %10s %10s %10s\n", "query", "typed", "matches", "model", "filter", "+frame");
  for (int round = 0; round < rounds; round++)
    for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
      {
        glong len = g_utf8_strlen (queries[q], -1);

        /* type it, then delete it again */
        for (glong k = 1; k <= 2 * len; k++)
          {
            glong chars = k <= len ? k : 2 * len - k;
            g_autofree char *typed = g_utf8_substring (queries[q], 0, chars);
            double t, model, filter, frame;
            guint matches;

            /* The model alone (no view attached) */
            t = now_ms ();
            zid_user_list_set_query (bare, typed);
            model = now_ms () - t;
            /* What the search entry's handler does: model + the list view's
             * items-changed handling; then until the frame with the result */
            t = now_ms ();
            zid_users_view_set_search (view, typed);
            filter = now_ms () - t;
            frame = until_drawn (GTK_WIDGET (view));
            matches = zid_user_list_get_n_matches (ZID_USER_LIST (zid_users_view_get_model (view)));
            if (round == 0)
              check_matches (zid_users_view_get_model (view), users, typed);
            g_array_append_val (model_ms, model);
            g_array_append_val (filter_ms, filter);
            g_array_append_val (frame_ms, frame);
            if (round == 0 || all_rounds)
              g_print ("%-12s %-12s %8u %7.2f ms %7.2f ms %7.2f ms\n", queries[q], chars ? typed : "(empty)",
                       matches, model, filter, frame);
          }
      }

  g_print ("\nPer keystroke over %u keystrokes (%d rounds), %u users in one organisation:\n",
           filter_ms->len, rounds, users->len);
  g_print ("  model scan alone:            median %6.2f ms, p95 %6.2f ms, max %6.2f ms\n",
           percentile (model_ms, 50), percentile (model_ms, 95), percentile (model_ms, 100));
  g_print ("  filter (model + view):       median %6.2f ms, p95 %6.2f ms, max %6.2f ms  (target < 16 ms)\n",
           percentile (filter_ms, 50), percentile (filter_ms, 95), percentile (filter_ms, 100));
  g_print ("  then to the painted frame:   median %6.2f ms, p95 %6.2f ms, max %6.2f ms\n",
           percentile (frame_ms, 50), percentile (frame_ms, 95), percentile (frame_ms, 100));
  g_print ("  ratio p95 filter / 16 ms: %.2f\n", percentile (filter_ms, 95) / 16.0);
  {
    guint over = 0;

    for (guint i = 0; i < filter_ms->len; i++)
      over += g_array_index (filter_ms, double, i) >= 16.0;
    g_print ("  keystrokes whose filter took 16 ms or more: %u of %u\n", over, filter_ms->len);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&watch);
  g_clear_object (&remote);
  if (server != NULL)
    g_subprocess_force_exit (server);
  g_clear_object (&portal);
  if (!keep)
    rm_rf (dir);
  else
    g_print ("data dir kept: %s\n", dir);
  return 0;
}
