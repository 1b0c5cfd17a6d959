/* test-search.c — one search for the window and the CLI: the folding, the
 * name keys, a birth date in either form, the matcher the window's list
 * runs, and the store's search (what `zorgid-admin user list --search`
 * calls) finding the same members
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "zid-core.h"
#include "zid-search.h"
#include "zid-test-portal.h"

#define T0  1767225600   /* 2026-01-01T00:00:00Z */
#define URA "12345678"

static void
test_fold (void)
{
  const struct { const char *in, *out; } cases[] = {
    { "Zoë", "zoe" }, { "  ÖZTÜRK ", "ozturk" }, { "Sébastien", "sebastien" },
    { "Şahin", "sahin" }, { "", "" }, { NULL, "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *key = zid_name_key (cases[i].in);

      g_assert_cmpstr (key, ==, cases[i].out);
    }
}

static void
test_name_keys (void)
{
  g_auto(GStrv) keys = zid_name_keys ("Jan-Willem", "van den Berg");
  const char * const expected[] = {
    "jan-willem van den berg", "van den berg", "jan", "willem", "van", "den", "berg",
  };

  g_assert_cmpuint (g_strv_length (keys), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (keys[i], ==, expected[i]);
}

static void
test_birth_date (void)
{
  const struct { const char *in, *iso; } good[] = {
    { "17-05-1990", "1990-05-17" }, { "1990-05-17", "1990-05-17" },
    { " 29-02-1980\t", "1980-02-29" }, { "0001-01-01", "0001-01-01" },
  };
  const char * const bad[] = {
    "", "1990", "1990-05", "31-02-1990", "1990-02-30", "1990-13-01", "00-01-1990",
    "1990-5-17", "17/05/1990", "17-05-90", "1990-05-17x", "x1990-05-1", "0000-01-01",
    "17-05-199a", "1990-05-17 17",
  };
  char iso[11];

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_assert_true (zid_search_parse_birth_date (good[i].in, iso));
      g_assert_cmpstr (iso, ==, good[i].iso);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      if (zid_search_parse_birth_date (bad[i], iso))
        g_error ("\"%s\" taken for a date", bad[i]);
    }
  g_assert_false (zid_search_parse_birth_date (NULL, iso));
}

static void
test_query (void)
{
  g_autoptr(ZidSearchQuery) name = zid_search_query_new (" Zoë ");
  g_autoptr(ZidSearchQuery) longer = zid_search_query_new ("zoe j");
  g_autoptr(ZidSearchQuery) date = zid_search_query_new ("17-05-1990");
  g_autoptr(ZidSearchQuery) same_date = zid_search_query_new ("1990-05-17");
  g_autoptr(ZidSearchQuery) partial = zid_search_query_new ("1990-05-1");

  g_assert_null (zid_search_query_new (NULL));
  g_assert_null (zid_search_query_new (""));
  g_assert_null (zid_search_query_new ("  "));

  g_assert_false (name->birth_date);
  g_assert_cmpstr (name->text, ==, "zoe");
  g_assert_cmpuint (name->len, ==, 3);
  g_assert_true (date->birth_date);
  g_assert_cmpstr (date->text, ==, "1990-05-17");
  g_assert_false (partial->birth_date);

  g_assert_true (zid_search_query_narrows (name, name));
  g_assert_true (zid_search_query_narrows (name, longer));
  g_assert_false (zid_search_query_narrows (longer, name));
  g_assert_true (zid_search_query_narrows (date, same_date));
  /* the prefix typed on the way to a date matches no birth date */
  g_assert_false (zid_search_query_narrows (partial, date));
  g_assert_false (zid_search_query_narrows (date, partial));
}

static gboolean
matches (const char *typed,
         const char *member_keys)
{
  g_autoptr(ZidSearchQuery) query = zid_search_query_new (typed);

  g_assert_nonnull (query);
  return zid_search_query_matches (query, member_keys);
}

static void
test_matches (void)
{
  g_autofree char *marieke = zid_search_member_keys ("Marieke", "de Boer", "1985-03-04");
  g_autofree char *jan = zid_search_member_keys ("Jan", "van den Berg", "1970-12-01");
  g_autofree char *zoe = zid_search_member_keys ("Zoë", "Öztürk", "2001-07-08");

  g_autofree char *anna = zid_search_member_keys ("Anna", "Jansen", "1980-01-01");

  /* no key that another key starts with */
  g_assert_cmpstr (anna, ==, "1980-01-01\nanna jansen\njansen");
  g_assert_cmpstr (jan, ==, "1970-12-01\njan van den berg\nvan den berg\nden\nberg");

  g_assert_true (matches ("boer", marieke));
  g_assert_true (matches ("BOE", marieke));
  g_assert_true (matches ("de boer", marieke));
  g_assert_true (matches ("marieke de b", marieke));
  g_assert_true (matches ("04-03-1985", marieke));
  g_assert_true (matches ("1985-03-04", marieke));
  g_assert_false (matches ("oer", marieke));
  g_assert_false (matches ("1985", marieke));
  g_assert_false (matches ("1985-03-05", marieke));
  g_assert_false (matches ("berg", marieke));

  g_assert_true (matches ("berg", jan));
  g_assert_true (matches ("van den", jan));
  g_assert_true (matches ("jan van", jan));
  g_assert_false (matches ("jan berg", jan));
  g_assert_false (matches ("01-12-1970 ", marieke));
  g_assert_true (matches ("01-12-1970 ", jan));

  g_assert_true (matches ("zoe", zoe));
  g_assert_true (matches ("Zoë", zoe));
  g_assert_true (matches ("ozt", zoe));
  g_assert_true (matches ("zoe oz", zoe));
}

/* The store's search against the matcher over all users: the same people */
static void
test_portal (void)
{
  const struct { const char *first, *last, *birth; } people[] = {
    { "Marieke", "de Boer", "1985-03-04" },
    { "Jan", "van den Berg", "1970-12-01" },
    { "Bert", "Boersma", "1985-03-04" },
    { "Zoë", "Öztürk", "2001-07-08" },
    { "Zoe", "Jansen", "1999-09-09" },
    { "Johannes", "Vriesema", "1990-05-17" },
    { "Bergen", "Tuin", "1960-01-31" },
  };
  const struct { const char *typed; guint n; } queries[] = {
    { "boer", 2 }, { "berg", 2 }, { "vries", 2 }, { "zoe", 2 }, { "ZOË ö", 1 },
    { "de", 3 }, { "04-03-1985", 2 }, { "1985-03-04", 2 }, { "29-02-1980", 1 },
    { "1990-05-17", 1 }, { "01-01-2000", 0 }, { "1985", 0 }, { "anna de vries", 1 },
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("zid-test-XXXXXX", &error);
  g_autoptr(ZidClock) clock = zid_clock_new_fixed (T0);
  g_autoptr(ZidPortal) portal = NULL;
  g_autoptr(ZidOneTimeCode) admin = NULL;
  g_autoptr(ZidOrganisation) org = NULL;
  g_autoptr(GPtrArray) everyone = NULL;
  g_autofree char *cmd = NULL;

  g_assert_no_error (error);
  zid_test_portal_database ();
  portal = zid_portal_open (dir, ZID_ENVIRONMENT_ACCEPTATIE, clock, &error);
  g_assert_no_error (error);
  g_assert_cmpint (zid_portal_add_registration (portal, URA, "Zorggroep Noord", NULL, NULL, NULL, &error), >, 0);
  admin = zid_portal_bootstrap (portal, URA, "Anna", "de Vries", "1980-02-29", &error);
  g_assert_no_error (error);
  org = zid_portal_find_organisation (portal, URA, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (people); i++)
    {
      g_autoptr(ZidOneTimeCode) e = zid_portal_register_user (portal, admin->user_id, org->id,
                                                            people[i].first, people[i].last,
                                                            people[i].birth, &error);
      g_assert_no_error (error);
    }
  everyone = zid_portal_list_users (portal, admin->user_id, org->id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (everyone->len, ==, G_N_ELEMENTS (people) + 1);

  for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
    {
      g_autoptr(ZidSearchQuery) query = zid_search_query_new (queries[q].typed);
      g_autoptr(GHashTable) listed = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
      guint n_listed = 0;

      /* the window: the matcher over everyone */
      for (guint i = 0; i < everyone->len; i++)
        {
          ZidUser *user = g_ptr_array_index (everyone, i);
          g_autofree char *keys = zid_search_member_keys (zid_user_get_first_name (user),
                                                          zid_user_get_last_name (user),
                                                          zid_user_get_birth_date (user));

          if (zid_search_query_matches (query, keys))
            {
              gint64 id = zid_user_get_id (user);

              g_hash_table_add (listed, g_memdup2 (&id, sizeof id));
              n_listed++;
            }
        }
      if (n_listed != queries[q].n)
        g_error ("\"%s\": the matcher finds %u, expected %u", queries[q].typed, n_listed, queries[q].n);

      /* the store, in one organisation and in all the actor's */
      for (guint all = 0; all < 2; all++)
        {
          g_autoptr(GPtrArray) found = NULL;
          guint n_matches = 0;

          found = zid_portal_search_users (portal, admin->user_id, all ? 0 : org->id,
                                           queries[q].typed, 0, &n_matches, &error);
          g_assert_no_error (error);
          if (found->len != n_listed || n_matches != n_listed)
            g_error ("\"%s\": the store finds %u (counts %u), the matcher %u",
                     queries[q].typed, found->len, n_matches, n_listed);
          for (guint i = 0; i < found->len; i++)
            {
              ZidUser *user = g_ptr_array_index (found, i);
              gint64 id = zid_user_get_id (user);

              g_assert_true (g_hash_table_contains (listed, &id));
              g_assert_cmpuint (zid_user_get_memberships (user)->len, ==, 1);
            }
        }
    }

  g_clear_object (&portal);
  cmd = g_strdup_printf ("rm -rf '%s'", dir);
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL));
}

static int
compare_users (gconstpointer a,
               gconstpointer b,
               gpointer      data)
{
  return zid_user_compare (*(ZidUser **) a, *(ZidUser **) b);
}

/* Users sort as Dutch lists do: by surname without its tussenvoegsel,
 * accents and case ignored; a capitalised first word is part of the name */
static void
test_dutch_order (void)
{
  static const char * const names[][2] = {
    /* first, last: in the expected order */
    { "Lotte", "Bakker" },
    { "Sanne", "de Boer" },
    { "Anna", "van den Bosch" },
    { "Eva", "De Vries" },
    { "Pieter", "van Dijk" },
    { "Fatima", "El Amrani" },
    { "Jan", "Jansen" },
    { "Zoë", "Müller" },
    { "Emre", "Özdemir" },
    { "Daan", "Smit" },
    { "Kees", "Van Tol" },
    { "Eva", "de Vries" },
  };
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = G_N_ELEMENTS (names); i > 0; i--)
    g_ptr_array_add (users, zid_user_new (i, names[i - 1][0], names[i - 1][1], "1980-01-01",
                                          FALSE, ZID_BLOCK_REASON_NONE, 0, 0,
                                          ZID_MOBILE_ID_NONE, NULL));
  g_ptr_array_sort_with_data (users, compare_users, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      ZidUser *user = g_ptr_array_index (users, i);

      g_assert_cmpstr (zid_user_get_last_name (user), ==, names[i][1]);
      g_assert_cmpstr (zid_user_get_first_name (user), ==, names[i][0]);
    }
}

int
main (int   argc,
      char *argv[])
{
  /* messages in the language of the environment (LANGUAGE=nl) */
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/search/fold", test_fold);
  g_test_add_func ("/search/dutch-order", test_dutch_order);
  g_test_add_func ("/search/name-keys", test_name_keys);
  g_test_add_func ("/search/birth-date", test_birth_date);
  g_test_add_func ("/search/query", test_query);
  g_test_add_func ("/search/matches", test_matches);
  g_test_add_func ("/search/portal", test_portal);
  return g_test_run ();
}
