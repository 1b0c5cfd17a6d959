/* test-user-list.c — the users overview's model takes changed rows in
 * place: a user named by the watch replaces the one with its id (moving
 * when the name moves it), a new one comes in name order, a gone one goes;
 * the query stays, and the items handed out keep their identity; the
 * order by a column, and the filter row combined with the query
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include "zid-user-item.h"
#include "zid-user-list.h"

static ZidUser *
user (gint64      id,
      const char *first,
      const char *last)
{
  ZidUser *u = zid_user_new (id, first, last, "1990-01-01", FALSE, 0, 0, 0, ZID_MOBILE_ID_NONE, NULL);

  zid_user_list_prepare_user (u);
  return u;
}

static char *
names (GListModel *model)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ZidUserItem) item = g_list_model_get_item (model, i);

      g_string_append_printf (s, "%s%s", i ? "," : "", zid_user_get_display_name (zid_user_item_get_user (item)));
    }
  return g_string_free (s, FALSE);
}

static void
test_update (void)
{
  g_autoptr(ZidUserList) list = zid_user_list_new ();
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) gone = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(ZidUserItem) first = NULL;
  g_autoptr(ZidUserItem) again = NULL;
  g_autofree char *shown = NULL;
  gint64 id = 3;

  g_ptr_array_add (users, user (1, "Anna", "Aalbers"));
  g_ptr_array_add (users, user (2, "Bram", "Bakker"));
  g_ptr_array_add (users, user (3, "Cor", "Claassen"));
  zid_user_list_set_users (list, users);
  first = g_list_model_get_item (G_LIST_MODEL (list), 0);

  /* Bram renamed to sort last, Dirk new, Cor gone */
  g_ptr_array_add (changed, user (2, "Bram", "Zwart"));
  g_ptr_array_add (changed, user (4, "Dirk", "Dekker"));
  g_array_append_val (gone, id);
  zid_user_list_update (list, changed, gone);
  g_ptr_array_set_size (users, 0);
  g_ptr_array_set_size (changed, 0);

  shown = names (G_LIST_MODEL (list));
  g_assert_cmpstr (shown, ==, "Anna Aalbers,Dirk Dekker,Bram Zwart");
  g_assert_cmpuint (zid_user_list_get_n_total (list), ==, 3);
  again = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_true (again == first);

  /* the query stays: only the new user who matches it shows */
  zid_user_list_set_query (list, "de");
  g_assert_cmpuint (zid_user_list_get_n_matches (list), ==, 1);
  g_ptr_array_add (changed, user (5, "Eva", "Dekkers"));
  zid_user_list_update (list, changed, NULL);
  g_clear_pointer (&shown, g_free);
  shown = names (G_LIST_MODEL (list));
  g_assert_cmpstr (shown, ==, "Dirk Dekker,Eva Dekkers");
  g_assert_cmpuint (zid_user_list_get_n_total (list), ==, 4);

  /* a user named without change, and nothing at all: nothing moves */
  zid_user_list_update (list, NULL, NULL);
  g_assert_cmpuint (zid_user_list_get_n_total (list), ==, 4);
}

static ZidUser *
member (gint64            id,
        const char       *first,
        const char       *last,
        const char       *birth_date,
        gboolean          blocked,
        ZidMobileIdState  mobile_id,
        gint64            organisation)
{
  ZidUser *u = zid_user_new (id, first, last, birth_date, blocked, 0, 0, id * 1000, mobile_id, NULL);
  ZidMembership *m = g_new0 (ZidMembership, 1);

  m->organisation_id = organisation;
  m->ura = g_ref_string_new (organisation == 1 ? "11111111" : "22222222");
  m->organisation_name = g_ref_string_new (organisation == 1 ? "Noord" : "Zuid");
  m->role = ZID_ROLE_GEBRUIKER;
  zid_user_add_membership (u, m);
  zid_user_list_prepare_user (u);
  return u;
}

static void
test_sort_filter (void)
{
  g_autoptr(ZidUserList) list = zid_user_list_new ();
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) organisations = NULL;
  char *shown;

  g_ptr_array_add (users, member (1, "Anna", "Aalbers", "1980-01-01", FALSE, ZID_MOBILE_ID_ACTIVE, 1));
  g_ptr_array_add (users, member (2, "Bram", "Bakker", "1966-06-06", TRUE, ZID_MOBILE_ID_ACTIVE, 2));
  g_ptr_array_add (users, member (3, "Cor", "Claassen", "1990-02-02", FALSE, ZID_MOBILE_ID_NONE, 2));
  zid_user_list_set_users (list, users);

  organisations = zid_user_list_dup_organisations (list);
  g_assert_cmpuint (organisations->len, ==, 2);
  g_assert_cmpstr (((ZidMembership *) g_ptr_array_index (organisations, 0))->organisation_name, ==, "Noord");

  zid_user_list_set_sort (list, ZID_USER_SORT_BIRTH_DATE, FALSE);
  shown = names (G_LIST_MODEL (list));
  g_assert_cmpstr (shown, ==, "Bram Bakker,Anna Aalbers,Cor Claassen");
  g_free (shown);
  zid_user_list_set_sort (list, ZID_USER_SORT_LAST_USE, TRUE);
  shown = names (G_LIST_MODEL (list));
  g_assert_cmpstr (shown, ==, "Cor Claassen,Bram Bakker,Anna Aalbers");
  g_free (shown);

  /* a changed user comes in the list's order */
  g_ptr_array_add (changed, member (4, "Dirk", "Dekker", "2000-01-01", FALSE, ZID_MOBILE_ID_NONE, 1));
  zid_user_list_update (list, changed, NULL);
  shown = names (G_LIST_MODEL (list));
  g_assert_cmpstr (shown, ==, "Dirk Dekker,Cor Claassen,Bram Bakker,Anna Aalbers");
  g_free (shown);
  zid_user_list_set_sort (list, ZID_USER_SORT_NAME, FALSE);

  /* each filter, then with the query */
  zid_user_list_set_filter (list, 2, ZID_USER_STATUS_ANY, ZID_USER_MOBILE_ANY);
  shown = names (G_LIST_MODEL (list));
  g_assert_cmpstr (shown, ==, "Bram Bakker,Cor Claassen");
  g_free (shown);
  zid_user_list_set_filter (list, 0, ZID_USER_STATUS_BLOCKED, ZID_USER_MOBILE_ANY);
  shown = names (G_LIST_MODEL (list));
  g_assert_cmpstr (shown, ==, "Bram Bakker");
  g_free (shown);
  zid_user_list_set_filter (list, 0, ZID_USER_STATUS_ACTIVE, ZID_USER_MOBILE_NOT_ENROLLED);
  shown = names (G_LIST_MODEL (list));
  g_assert_cmpstr (shown, ==, "Cor Claassen,Dirk Dekker");
  g_free (shown);
  zid_user_list_set_query (list, "dek");
  g_assert_cmpuint (zid_user_list_get_n_matches (list), ==, 1);
  shown = names (G_LIST_MODEL (list));
  g_assert_cmpstr (shown, ==, "Dirk Dekker");
  g_free (shown);
  /* nobody matches: the count says so, the items stay */
  zid_user_list_set_filter (list, 2, ZID_USER_STATUS_ACTIVE, ZID_USER_MOBILE_NOT_ENROLLED);
  g_assert_cmpuint (zid_user_list_get_n_matches (list), ==, 0);
  zid_user_list_set_filter (list, 0, ZID_USER_STATUS_ANY, ZID_USER_MOBILE_ANY);
  g_assert_cmpuint (zid_user_list_get_n_matches (list), ==, 1);
  zid_user_list_set_query (list, NULL);
  g_assert_cmpuint (zid_user_list_get_n_matches (list), ==, 4);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 4);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/user-list/update", test_update);
  g_test_add_func ("/user-list/sort-filter", test_sort_filter);
  return g_test_run ();
}
