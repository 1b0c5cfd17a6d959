/* test-user-list.c — the users overview's model takes changed rows in
 * place: a user named by the watch replaces the one with its id (moving
 * when the name moves it), a new one comes in name order, a gone one goes;
 * the query stays, and the items handed out keep their identity
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

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/user-list/update", test_update);
  return g_test_run ();
}
