/* bench-ui-fill.c — one organisation of N users for the window's benchmarks
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <sqlite3.h>

#include "zid-bench.h"
#include "bench-ui-fill.h"

#define DAY ((gint64) 24 * 60 * 60)

static const char * const first_names[] = {
  "Jan", "Johannes", "Janneke", "Pieter", "Piet", "Kees", "Cornelis", "Hendrik",
  "Henk", "Willem", "Wim", "Gerrit", "Klaas", "Dirk", "Bart", "Daan", "Sem",
  "Lucas", "Finn", "Levi", "Noah", "Luuk", "Thijs", "Bram", "Ruben", "Emma",
  "Julia", "Sophie", "Anna", "Tess", "Sanne", "Lotte", "Fenna", "Eva", "Lisa",
  "Maria", "Anouk", "Inge", "Ingrid", "Marieke", "Femke", "Saskia", "Wilma",
  "Joke", "Els", "Ria", "Zoë", "Chloë", "Sébastien", "Mohammed", "Fatima",
  "Ömer", "Ayşe", "Anne-Marie", "Jan-Willem", "Mark", "Peter", "Erik",
  "Martijn", "Sander", "Jeroen", "Bas", "Tim", "Rik", "Joost", "Maarten",
  "Koen", "Niels", "Annemiek", "Marloes", "Esther", "Linda", "Petra",
};
static const char * const tussenvoegsels[] = {
  "van", "de", "van de", "van der", "van den", "ter", "den", "op de", "te",
};
static const char * const last_names[] = {
  "Jansen", "Janssen", "Jong", "Vries", "Bakker", "Visser", "Smit", "Meijer",
  "Mulder", "Bos", "Vos", "Peters", "Hendriks", "Dekker", "Brouwer", "Dijkstra",
  "Vermeulen", "Kok", "Jacobs", "Berg", "Dijk", "Leeuwen", "Wit", "Boer",
  "Veen", "Wijk", "Linden", "Heuvel", "Graaf", "Bruijn", "Şahin", "Öztürk",
  "Müller", "Willems", "Schouten", "Postma", "Huisman",
};
static const char * const stems[] = {
  "Hoog", "Laag", "Wester", "Ooster", "Zuider", "Noorder", "Bloem", "Rozen",
  "Linden", "Eiken", "Beuk", "Berk", "Groen", "Wit", "Zwart", "Rood", "Bos",
  "Veld", "Hout", "Steen", "Klein", "Groot", "Nieuw", "Oud", "Brink", "Dam",
};
static const char * const endings[] = {
  "kamp", "veld", "dal", "berg", "man", "mans", "ink", "ing", "huis", "hof",
  "stra", "sma", "ma", "ga", "horst", "beek", "broek", "dijk", "hout", "meijer",
};

#define PICK(rand, table) ((table)[g_rand_int_range ((rand), 0, G_N_ELEMENTS (table))])

/* The organisation and its Administrator through the API, the users in bulk */
gint64
bench_ui_fill (ZidPortal  *portal,
               const char *db_path,
               int         n_users)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidOneTimeCode) enrolment = NULL;
  g_autoptr(ZidOrganisation) org = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20260101);
  g_autoptr(GString) first = g_string_new (NULL);
  g_autoptr(GString) last = g_string_new (NULL);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  sqlite3 *db = NULL;
  sqlite3_stmt *insert_user, *insert_membership, *insert_key;
  double t0 = now_ms ();

  if (zid_portal_add_registration (portal, "12345678", "Zorggroep Groot", NULL, NULL, NULL, &error) == 0 ||
      (enrolment = zid_portal_bootstrap (portal, "12345678", "Anna", "Admin", "1980-01-01", &error)) == NULL ||
      (org = zid_portal_find_organisation (portal, "12345678", &error)) == NULL)
    g_error ("organisation: %s", error ? error->message : "not found");

  if (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
    die_sqlite (db, db_path);
  sqlite3_busy_timeout (db, 10000);
  exec_or_die (db, "BEGIN IMMEDIATE");
  insert_user = prepare_or_die (db, "INSERT INTO users (first_name, last_name, birth_date, registered, last_use)"
                                    " VALUES (?, ?, ?, ?, ?)");
  insert_membership = prepare_or_die (db, "INSERT INTO memberships (organisation_id, user_id, role) VALUES (?, ?, 1)");
  insert_key = prepare_or_die (db, "INSERT OR IGNORE INTO name_keys (organisation_id, key, user_id) VALUES (?, ?, ?)");
  for (int i = 1; i < n_users; i++)
    {
      char birth[11];
      gint64 user, registered = now - g_rand_int_range (rand, 1, 3 * 365) * DAY;

      g_string_assign (first, PICK (rand, first_names));
      g_string_truncate (last, 0);
      if (g_rand_double (rand) < 0.35)
        g_string_append_printf (last, "%s ", PICK (rand, tussenvoegsels));
      if (g_rand_double (rand) < 0.5)
        g_string_append (last, PICK (rand, last_names));
      else
        g_string_append_printf (last, "%s%s", PICK (rand, stems), PICK (rand, endings));
      g_snprintf (birth, sizeof birth, "%04d-%02d-%02d", g_rand_int_range (rand, 1950, 2004),
                  g_rand_int_range (rand, 1, 13), g_rand_int_range (rand, 1, 29));

      sqlite3_bind_text (insert_user, 1, first->str, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert_user, 2, last->str, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert_user, 3, birth, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (insert_user, 4, registered);
      if (g_rand_double (rand) < 0.9)
        sqlite3_bind_int64 (insert_user, 5, now - g_rand_int_range (rand, 0, 60) * DAY);
      else
        sqlite3_bind_null (insert_user, 5);
      step_done_or_die (db, insert_user);
      user = sqlite3_last_insert_rowid (db);
      sqlite3_bind_int64 (insert_membership, 1, org->id);
      sqlite3_bind_int64 (insert_membership, 2, user);
      step_done_or_die (db, insert_membership);
      index_names (db, insert_key, org->id, user, first->str, last->str);
    }
  sqlite3_finalize (insert_user);
  sqlite3_finalize (insert_membership);
  sqlite3_finalize (insert_key);
  exec_or_die (db, "COMMIT");
  exec_or_die (db, "PRAGMA wal_checkpoint(TRUNCATE)");
  sqlite3_close (db);
  g_print ("Fill: 1 organisation, %d users in %.1f s\n", n_users, (now_ms () - t0) / 1000);
  return enrolment->user_id;
}

