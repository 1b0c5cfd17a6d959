/* test-users-view.c — the users overview at 1024x768: no birth date,
 * status, mobile ID or last use is cut short, roles in organisations of
 * ordinary length neither; at a narrower width the least important columns
 * go first instead of cutting those texts
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <adwaita.h>

#include "gui-test-util.h"
#include "zid-user-list.h"
#include "zid-users-view.h"

#define FIXED_COLUMNS ((1u << ZID_USER_SORT_BIRTH_DATE) | (1u << ZID_USER_SORT_STATUS) | \
                       (1u << ZID_USER_SORT_MOBILE_ID) | (1u << ZID_USER_SORT_LAST_USE))

static void
settle (GtkWidget *widget)
{
  gtk_test_widget_wait_for_draw (widget);
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
}

static ZidUser *
person (gint64      id,
        const char *first,
        const char *last,
        gboolean    blocked,
        ZidMobileIdState mobile_id,
        const char *organisation,
        ZidRole     role)
{
  ZidUser *u = zid_user_new (id, first, last, "1975-04-04", blocked, 0, 0,
                             mobile_id == ZID_MOBILE_ID_ACTIVE ? 1788000000 : 0, mobile_id, NULL);
  ZidMembership *m = g_new0 (ZidMembership, 1);

  m->organisation_id = 1;
  m->ura = g_ref_string_new ("12345678");
  m->organisation_name = g_ref_string_new (organisation);
  m->role = role;
  zid_user_add_membership (u, m);
  return u;
}

static void
column_state_at (int    width,
                 guint *cut,
                 guint *hidden)
{
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func (g_object_unref);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = g_object_new (ZID_TYPE_USERS_VIEW, NULL);

  g_ptr_array_add (users, person (1, "Anna", "Admin", FALSE, ZID_MOBILE_ID_ACTIVE,
                                  "Huisartsenpraktijk De Linde", ZID_ROLE_ADMINISTRATOR));
  g_ptr_array_add (users, person (2, "Piet", "Wachter", TRUE, ZID_MOBILE_ID_REVOKED,
                                  "Zorggroep Noord", ZID_ROLE_BEHEERDER));
  g_ptr_array_add (users, person (3, "Karel", "Aalbers", FALSE, ZID_MOBILE_ID_NONE,
                                  "Thuiszorg Zuid-Holland", ZID_ROLE_GEBRUIKER));
  gtk_window_set_default_size (GTK_WINDOW (window), width, 768);
  gtk_window_set_child (GTK_WINDOW (window), view);
  zid_users_view_set_users (ZID_USERS_VIEW (view), users);
  gtk_window_present (GTK_WINDOW (window));
  settle (view);
  zid_users_view_get_column_state (ZID_USERS_VIEW (view), cut, hidden);
  g_test_message ("width %d: cut 0x%x, hidden 0x%x", width, *cut, *hidden);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_nothing_cut_at_1024 (void)
{
  guint cut, hidden;

  column_state_at (1024, &cut, &hidden);
  g_assert_cmpuint (hidden, ==, 0);
  g_assert_cmpuint (cut & FIXED_COLUMNS, ==, 0);
  g_assert_cmpuint (cut & (1u << ZID_USER_SORT_ORGANISATIONS), ==, 0);
}

static void
test_least_important_go_first (void)
{
  guint cut, hidden;

  column_state_at (640, &cut, &hidden);
  g_assert_cmpuint (cut & FIXED_COLUMNS, ==, 0);
  g_assert_true (hidden & (1u << ZID_USER_SORT_LAST_USE));
  g_assert_false (hidden & (1u << ZID_USER_SORT_STATUS));
  g_assert_false (hidden & (1u << ZID_USER_SORT_NAME));
}

int
main (int    argc,
      char **argv)
{
  zid_gui_test_init (&argc, &argv);  g_test_add_func ("/users-view/nothing-cut-at-1024", test_nothing_cut_at_1024);
  g_test_add_func ("/users-view/least-important-go-first", test_least_important_go_first);
  return g_test_run ();
}
