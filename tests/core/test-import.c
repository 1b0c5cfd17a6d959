/* test-import.c — a spreadsheet of people: read, previewed, registered all
 * at once or not at all, through the real SQLite store
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <locale.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "zid-core.h"
#include "zid-test-portal.h"

#define URA_A     ZID_TEST_URA_A
#define URA_B     "87654321"

typedef ZidTestPortal Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(ZidOneTimeCode) enrolment = zid_test_portal_set_up (f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  zid_test_portal_tear_down (f);
}

/* SELECT count (*) of @table in the real file */
static gint64
count_rows (Fixture    *f,
            const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM %s", table);

  return zid_test_portal_count (f, sql);
}

static ZidImportRow *
row_at (ZidImport *import,
        guint      i)
{
  g_assert_cmpuint (i, <, import->rows->len);
  return g_ptr_array_index (import->rows, i);
}

static ZidImport *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  ZidImport *import = zid_import_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (import);
  return import;
}

/* Both separators, a byte order mark, Dutch and English headers, a
 * tussenvoegsel in its own column or in the surname, accents, both date
 * formats, quotes, a line break inside a field, CRLF and empty lines */
static void
test_parse_forms (void)
{
  struct
  {
    const char *text;
    char        separator;
    const char *first, *last, *birth;
  } cases[] = {
    { "\xef\xbb\xbfVoornaam;Tussenvoegsel;Achternaam;Geboortedatum\r\nZoë;van der;Müller;01-02-1985\r\n",
      ';', "Zoë", "van der Müller", "1985-02-01" },
    { "first_name,last_name,birth_date\nJan,van den Berg,1970-12-31\n",
      ',', "Jan", "van den Berg", "1970-12-31" },
    { "Voornaam;Achternaam;Geboorte datum;E-mail;Rol\n\"Anne \"\"Ans\"\"\";de Boer;1990-05-05;\"a@b.nl\nb@c.nl\";Beheerder\n",
      ';', "Anne \"Ans\"", "de Boer", "1990-05-05" },
    { "FirstName,Surname,DateOfBirth\n\n\"Ève, Marie\",Ål,05-05-1990\n,,\n",
      ',', "Ève, Marie", "Ål", "1990-05-05" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ZidImport) import = parse_ok (cases[i].text);
      ZidImportRow *row = row_at (import, 0);

      g_assert_cmpuint (import->rows->len, ==, 1);
      g_assert_cmpint (import->separator, ==, cases[i].separator);
      g_assert_cmpstr (row->first_name, ==, cases[i].first);
      g_assert_cmpstr (row->last_name, ==, cases[i].last);
      g_assert_cmpstr (row->birth_date, ==, cases[i].birth);
    }
}

/* The whole file is refused, with a reason naming what to fix */
static void
test_parse_refuses_file (void)
{
  g_autoptr(GString) many = g_string_new ("voornaam;achternaam;geboortedatum\n");
  struct
  {
    const char *text;
    gssize      length;
    const char *says;
  } cases[] = {
    { "voornaam;achternaam;geboortedatum;afdeling\nJan;Jansen;1990-01-01;OK\n", -1, "Onbekende kolom “afdeling”" },
    { "voornaam;achternaam;geboortedatum;Voornaam\nJan;Jansen;1990-01-01;J\n", -1, "twee keer" },
    { "voornaam;achternaam\nJan;Jansen\n", -1, "verplichte kolom" },
    { "voornaam;achternaam;geboortedatum\nZo\xeb;M\xfcller;1990-01-01\n", -1, "geen tekst in UTF-8 (regel 2)" },
    { "voornaam;achternaam;geboortedatum\nJan;Jan\0sen;1990-01-01\n", 52, "geen tekst" },
    { "voornaam;achternaam;geboortedatum\n\"Jan;Jansen;1990-01-01\n", -1, "Regel 2: een veld begint met een aanhalingsteken" },
    { "voornaam;achternaam;geboortedatum\n", -1, "geen personen" },
    { "\xef\xbb\xbf\n\n", -1, "leeg" },
    { "", 0, "leeg" },
    { NULL, -1, "meer dan 100000 personen" },
  };

  for (guint i = 0; i <= ZID_IMPORT_MAX_ROWS; i++)
    g_string_append_printf (many, "P%u;Q;1990-01-01\n", i);
  cases[G_N_ELEMENTS (cases) - 1].text = many->str;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gsize length = cases[i].length >= 0 ? (gsize) cases[i].length : strlen (cases[i].text);
      g_autoptr(ZidImport) import = zid_import_parse (cases[i].text, length, &error);

      g_assert_null (import);
      g_assert_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT);
      if (strstr (error->message, cases[i].says) == NULL)
        g_error ("case %u: “%s” does not say “%s”", i, error->message, cases[i].says);
    }
}

/* A row the file itself makes unusable is refused on its own */
static void
test_parse_refuses_rows (void)
{
  g_autoptr(ZidImport) import = parse_ok (
    "voornaam;achternaam;geboortedatum;rol\n"
    "Jan;Jansen;31-02-1990;\n"        /* no such day */
    "Piet;Pietersen;1990-01-01;\n"
    "piet;PIETERSEN;01-01-1990;\n"    /* the same person again */
    "Kees;Koning;1990-01-01;Koning\n" /* no such role */
    "Lies;Laan;1990-01-01\n"          /* a field short */
    "Tim\xe2\x80\xae;Bidi;1990-01-01;\n"     /* a right-to-left override */
    "Mia;Mol;2030-01-01;\n");        /* born in the future */
  const char *says[] = { "Ongeldige geboortedatum", NULL, "al op regel 3", "Onbekende rol “Koning”",
                         "3 velden, de kopregel 4", "voornaam", "geboortedatum" };

  g_assert_cmpuint (import->rows->len, ==, G_N_ELEMENTS (says));
  g_assert_cmpuint (import->n_refused, ==, G_N_ELEMENTS (says) - 1);
  for (guint i = 0; i < import->rows->len; i++)
    {
      ZidImportRow *row = row_at (import, i);

      g_assert_cmpuint (row->line, ==, i + 2);
      if (says[i] == NULL)
        {
          g_assert_cmpint (row->outcome, ==, ZID_IMPORT_NEW);
          continue;
        }
      g_assert_cmpint (row->outcome, ==, ZID_IMPORT_REFUSED);
      g_assert_true (row->invalid);
      if (strstr (row->reason, says[i]) == NULL)
        g_error ("row %u: “%s” does not say “%s”", i, row->reason, says[i]);
    }
}

static const char people[] =
  "voornaam;tussenvoegsel;achternaam;geboortedatum\n"
  "Zoë;;Müller;01-02-1985\n"
  "Jan;van den;Berg;1970-12-31\n"
  "Anna;de;Vries;29-02-1980\n"      /* the Administrator herself: already here */
  "Piet;;Bakker;31-02-1990\n";      /* refused: no such day */

/* The preview writes nothing; the import registers every row that can be,
 * audited per user and once for the import; a second import of the same
 * file registers nobody */
static void
test_import_once (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidImport) import = parse_ok (people);
  g_autoptr(ZidImport) again = parse_ok (people);
  gint64 users = count_rows (f, "users"), codes = count_rows (f, "codes");
  gint64 audit = count_rows (f, "audit");

  g_assert_true (zid_portal_check_import (f->portal, f->admin, f->org_a, ZID_ROLE_GEBRUIKER, import, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (import->n_new, ==, 2);
  g_assert_cmpuint (import->n_skipped, ==, 1);
  g_assert_cmpuint (import->n_refused, ==, 1);
  g_assert_cmpint (row_at (import, 2)->user, ==, f->admin);
  g_assert_cmpint (count_rows (f, "users"), ==, users);
  g_assert_cmpint (count_rows (f, "codes"), ==, codes);
  g_assert_cmpint (count_rows (f, "audit"), ==, audit);

  g_assert_true (zid_portal_import_users (f->portal, f->admin, f->org_a, ZID_ROLE_GEBRUIKER, import,
                                          NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (f, "users"), ==, users + 2);
  g_assert_cmpint (count_rows (f, "codes"), ==, codes + 2);
  /* one user.register per user and the import's own event */
  g_assert_cmpint (count_rows (f, "audit"), ==, audit + 3);
  for (guint i = 0; i < 2; i++)
    {
      ZidImportRow *row = row_at (import, i);
      g_autoptr(ZidUser) user = zid_portal_get_user (f->portal, f->admin, row->user, &error);

      g_assert_no_error (error);
      g_assert_nonnull (row->code);
      g_assert_cmpint (row->code->user_id, ==, row->user);
      g_assert_true (g_str_has_prefix (row->code->payload, "zorgid://enrol?"));
      g_assert_cmpstr (zid_user_get_last_name (user), ==, row->last_name);
      g_assert_cmpint (zid_user_get_role_in (user, f->org_a), ==, ZID_ROLE_GEBRUIKER);
    }
  g_assert_true (zid_portal_verify_audit (f->portal, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (zid_portal_import_users (f->portal, f->admin, f->org_a, ZID_ROLE_GEBRUIKER, again,
                                          NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (again->n_new, ==, 0);
  g_assert_cmpuint (again->n_skipped, ==, 3);
  g_assert_cmpint (count_rows (f, "users"), ==, users + 2);
  g_assert_cmpint (count_rows (f, "audit"), ==, audit + 3);
}

static gboolean
letters_fail (ZidImport  *import,
              gpointer    user_data,
              GError    **error)
{
  guint *called = user_data;

  (*called)++;
  /* every new row has its code by now */
  for (guint i = 0; i < import->rows->len; i++)
    {
      ZidImportRow *row = g_ptr_array_index (import->rows, i);

      g_assert_true ((row->outcome == ZID_IMPORT_NEW) == (row->code != NULL));
    }
  g_set_error_literal (error, ZID_ERROR, ZID_ERROR_IO, "De brieven kunnen niet geschreven worden");
  return FALSE;
}

/* Letters that cannot be written: nobody is registered, no code exists */
static void
test_import_letters_fail (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidImport) import = parse_ok (people);
  gint64 users = count_rows (f, "users"), codes = count_rows (f, "codes");
  guint called = 0;

  g_assert_false (zid_portal_import_users (f->portal, f->admin, f->org_a, ZID_ROLE_GEBRUIKER, import,
                                           letters_fail, &called, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_IO);
  g_assert_cmpuint (called, ==, 1);
  g_assert_cmpint (count_rows (f, "users"), ==, users);
  g_assert_cmpint (count_rows (f, "codes"), ==, codes);
  for (guint i = 0; i < import->rows->len; i++)
    g_assert_null (row_at (import, i)->code);
}

/* A person the actor manages in another organisation is added to this one
 * (no second user); a Beheerder may not import Administrators; a
 * Gebruiker may not import at all */
/* Organisation B, registered, and its Administrator Bram's enrolment */
static ZidOneTimeCode *
bootstrap_b (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  ZidOneTimeCode *b;

  zid_portal_add_registration (f->portal, URA_B, "Thuiszorg Zuid", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  b = zid_portal_bootstrap (f->portal, URA_B, "Bram", "Bakker", "1975-03-03", &error);
  g_assert_no_error (error);
  return b;
}

static void
test_import_authority (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidOneTimeCode) b = NULL;
  g_autoptr(ZidOneTimeCode) piet = NULL;
  g_autoptr(ZidImport) import = NULL;
  g_autoptr(ZidImport) admins = NULL;
  g_autofree char *sql = NULL;
  gint64 org_b, users;

  b = bootstrap_b (f);
  org_b = zid_test_portal_org_id (f, URA_B);
  piet = zid_portal_register_user (f->portal, b->user_id, org_b, "Piet", "Pieters", "1990-01-01", &error);
  g_assert_no_error (error);

  /* Anna is not in B: Piet is a stranger to her, and a new user in A */
  import = parse_ok ("voornaam;achternaam;geboortedatum\nPiet;Pieters;01-01-1990\n");
  g_assert_true (zid_portal_check_import (f->portal, f->admin, f->org_a, ZID_ROLE_GEBRUIKER, import, &error));
  g_assert_cmpint (row_at (import, 0)->outcome, ==, ZID_IMPORT_NEW);

  /* made Administrator of B as well, she manages Piet: added to A */
  sql = g_strdup_printf ("INSERT INTO memberships VALUES (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", 3)",
                         org_b, f->admin);
  g_assert_true (zid_test_portal_exec (f, sql));
  users = count_rows (f, "users");
  g_assert_true (zid_portal_import_users (f->portal, f->admin, f->org_a, ZID_ROLE_GEBRUIKER, import,
                                          NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (row_at (import, 0)->outcome, ==, ZID_IMPORT_MEMBERSHIP);
  g_assert_cmpint (row_at (import, 0)->user, ==, piet->user_id);
  g_assert_null (row_at (import, 0)->code);
  g_assert_cmpint (count_rows (f, "users"), ==, users);

  /* Piet, a Gebruiker, may not import; Bram, Administrator of B, may not
   * import into A */
  admins = parse_ok ("voornaam;achternaam;geboortedatum;rol\nKees;Kok;1990-01-01;Administrator\n");
  g_assert_false (zid_portal_import_users (f->portal, piet->user_id, f->org_a, ZID_ROLE_GEBRUIKER,
                                           admins, NULL, NULL, &error));
  g_assert_true (error != NULL && error->domain == ZID_ERROR);
  g_clear_error (&error);
  g_assert_false (zid_portal_check_import (f->portal, b->user_id, f->org_a, ZID_ROLE_GEBRUIKER,
                                           admins, &error));
  g_assert_true (error != NULL && error->domain == ZID_ERROR);
  g_clear_error (&error);

  /* a Beheerder of A: the Administrator row is refused, the rest goes on */
  g_assert_true (zid_portal_set_membership (f->portal, f->admin, piet->user_id, f->org_a,
                                            ZID_ROLE_BEHEERDER, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (zid_portal_check_import (f->portal, piet->user_id, f->org_a, ZID_ROLE_GEBRUIKER,
                                          admins, &error));
  g_assert_no_error (error);
  g_assert_cmpint (row_at (admins, 0)->outcome, ==, ZID_IMPORT_REFUSED);
  g_assert_nonnull (strstr (row_at (admins, 0)->reason, "Administrator"));
}

/* The register dialog asks about the same person as the import skips:
 * names folded, the same birth date, only among the actor's users */
static void
test_same_person (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidOneTimeCode) zoe = NULL;
  g_autoptr(ZidOneTimeCode) b = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GPtrArray) other_date = NULL;
  g_autoptr(GPtrArray) stranger = NULL;
  g_autoptr(GPtrArray) by_zoe = NULL;

  zoe = zid_portal_register_user (f->portal, f->admin, f->org_a, "Zoë", "van Dijk", "1985-03-14", &error);
  g_assert_no_error (error);

  found = zid_portal_find_same_person (f->portal, f->admin, "zoe", "Van DIJK", "1985-03-14", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpint (zid_user_get_id (g_ptr_array_index (found, 0)), ==, zoe->user_id);

  other_date = zid_portal_find_same_person (f->portal, f->admin, "Zoë", "van Dijk", "1985-03-15", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (other_date->len, ==, 0);

  /* Bram administers only B: Zoë of A is not his to see */
  b = bootstrap_b (f);
  stranger = zid_portal_find_same_person (f->portal, b->user_id, "Zoë", "van Dijk", "1985-03-14", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stranger->len, ==, 0);

  /* nor is anyone a Gebruiker's */
  by_zoe = zid_portal_find_same_person (f->portal, zoe->user_id, "Zoë", "van Dijk", "1985-03-14", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (by_zoe->len, ==, 0);
}

/* The open enrolments: the imported people, the first to expire first,
 * expired ones marked; a new code moves a person to the end */
static void
test_pending (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidImport) first = parse_ok ("voornaam;achternaam;geboortedatum\nZoë;Müller;01-02-1985\n");
  g_autoptr(ZidImport) second = parse_ok ("voornaam;achternaam;geboortedatum\nJan;Berg;1970-12-31\n");
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(ZidOneTimeCode) again = NULL;
  ZidPendingEnrolment *p;

  g_assert_true (zid_portal_import_users (f->portal, f->admin, f->org_a, ZID_ROLE_GEBRUIKER, first,
                                          NULL, NULL, &error));
  zid_clock_advance (f->clock, 3600);
  g_assert_true (zid_portal_import_users (f->portal, f->admin, f->org_a, ZID_ROLE_GEBRUIKER, second,
                                          NULL, NULL, &error));
  g_assert_no_error (error);

  pending = zid_portal_list_pending (f->portal, f->admin, f->org_a, &error);
  g_assert_no_error (error);
  /* Anna's own code from the bootstrap, then Zoë's, then Jan's */
  g_assert_cmpuint (pending->len, ==, 3);
  g_assert_cmpint (zid_user_get_id (((ZidPendingEnrolment *) g_ptr_array_index (pending, 0))->user), ==, f->admin);
  p = g_ptr_array_index (pending, 1);
  g_assert_cmpstr (zid_user_get_first_name (p->user), ==, "Zoë");
  g_assert_cmpint (p->purpose, ==, ZID_CODE_ENROLMENT);
  g_assert_false (p->expired);
  g_assert_cmpstr (zid_user_get_first_name (((ZidPendingEnrolment *) g_ptr_array_index (pending, 2))->user), ==, "Jan");
  g_clear_pointer (&pending, g_ptr_array_unref);

  /* ten days on, Zoë's code has expired, Jan's not yet */
  zid_clock_advance (f->clock, ZID_ENROLMENT_CODE_LIFETIME - 1800);
  pending = zid_portal_list_pending (f->portal, f->admin, f->org_a, &error);
  g_assert_true (((ZidPendingEnrolment *) g_ptr_array_index (pending, 1))->expired);
  g_assert_false (((ZidPendingEnrolment *) g_ptr_array_index (pending, 2))->expired);
  g_clear_pointer (&pending, g_ptr_array_unref);

  /* a new code for Zoë: hers now expires last, and is not expired */
  again = zid_portal_new_certificate (f->portal, f->admin, row_at (first, 0)->user, &error);
  g_assert_no_error (error);
  pending = zid_portal_list_pending (f->portal, f->admin, f->org_a, &error);
  g_assert_cmpuint (pending->len, ==, 3);
  p = g_ptr_array_index (pending, 2);
  g_assert_cmpstr (zid_user_get_first_name (p->user), ==, "Zoë");
  g_assert_cmpint (p->purpose, ==, ZID_CODE_NEW_CERTIFICATE);
  g_assert_false (p->expired);

  /* a Gebruiker sees none of it */
  g_clear_pointer (&pending, g_ptr_array_unref);
  g_assert_null (zid_portal_list_pending (f->portal, row_at (second, 0)->user, f->org_a, &error));
  g_assert_nonnull (error);
}

/* A new code replaces the user's open one through an index: an import of
 * thousands must not read every code for each person */
static void
test_codes_indexed (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "zorgid.db", NULL);
  g_autoptr(GString) plan = g_string_new (NULL);
  sqlite3 *db;
  sqlite3_stmt *stmt;

  if (zid_test_on_postgresql ())
    {
      /* tests/core/test-pg.c checks that the PostgreSQL schema has the index */
      g_test_skip ("SQLite's query plan");
      return;
    }
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "EXPLAIN QUERY PLAN SELECT * FROM codes WHERE user_id = 1 AND used IS NULL",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (plan, "%s\n", sqlite3_column_text (stmt, 3));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_test_message ("%s", plan->str);
  g_assert_nonnull (strstr (plan->str, "codes_by_user"));
}

/* 10,000 people at once */
static void
test_import_many (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new ("first_name,last_name,birth_date\n");
  g_autoptr(ZidImport) import = NULL;
  gint64 users = count_rows (f, "users");
  gint64 start;

  for (guint i = 0; i < 10000; i++)
    g_string_append_printf (text, "Persoon%u,Achternaam%u,%02u-%02u-19%02u\n",
                            i, i, 1 + i % 28, 1 + i % 12, 40 + i % 60);
  import = parse_ok (text->str);
  start = g_get_monotonic_time ();
  g_assert_true (zid_portal_import_users (f->portal, f->admin, f->org_a, ZID_ROLE_GEBRUIKER, import,
                                          NULL, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("10,000 people imported in %.2f s", (g_get_monotonic_time () - start) / 1e6);
  g_assert_cmpuint (import->n_new, ==, 10000);
  g_assert_cmpint (count_rows (f, "users"), ==, users + 10000);
}

/* The code @code is valid for @user */
static void
assert_code_for (Fixture    *f,
                 const char *code,
                 gint64      user)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidEnrolmentInfo) info = zid_portal_enrolment_preview (f->portal, code, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (info->user_id, ==, user);
}

static void
assert_code_refused (Fixture    *f,
                     const char *code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidEnrolmentInfo) info = zid_portal_enrolment_preview (f->portal, code, NULL, &error);

  g_assert_null (info);
  g_assert_nonnull (error);
}

static gboolean
codes_letters (GPtrArray  *codes,
               gpointer    user_data,
               GError    **error)
{
  gboolean *fail = user_data;

  g_assert_cmpuint (codes->len, ==, 2);
  if (*fail)
    g_set_error_literal (error, ZID_ERROR, ZID_ERROR_IO, "De brieven kunnen niet geschreven worden");
  return !*fail;
}

/* New codes for a selection: letters that cannot be written issue no
 * code (the old ones stay valid); written, each user has the new one
 * and the old one is refused */
static void
test_new_codes_letters (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidImport) import = parse_ok (people);
  g_autoptr(GPtrArray) codes = NULL;
  gint64 users[2];
  gint64 audit;
  gboolean fail = TRUE;

  g_assert_true (zid_portal_import_users (f->portal, f->admin, f->org_a, ZID_ROLE_GEBRUIKER, import,
                                          NULL, NULL, &error));
  g_assert_no_error (error);
  users[0] = row_at (import, 0)->user;
  users[1] = row_at (import, 1)->user;
  audit = count_rows (f, "audit");

  g_assert_null (zid_portal_new_certificates (f->portal, f->admin, users, 2, codes_letters, &fail, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_IO);
  g_clear_error (&error);
  g_assert_cmpint (count_rows (f, "audit"), ==, audit);
  for (guint i = 0; i < 2; i++)
    assert_code_for (f, row_at (import, i)->code->code, users[i]);

  fail = FALSE;
  codes = zid_portal_new_certificates (f->portal, f->admin, users, 2, codes_letters, &fail, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (codes->len, ==, 2);
  g_assert_cmpint (count_rows (f, "audit"), ==, audit + 2);
  g_assert_true (zid_portal_verify_audit (f->portal, NULL, &error));
  for (guint i = 0; i < 2; i++)
    {
      ZidOneTimeCode *code = g_ptr_array_index (codes, i);

      g_assert_cmpint (code->user_id, ==, users[i]);
      g_assert_nonnull (strstr (code->payload, code->code));
      assert_code_for (f, code->code, users[i]);
      assert_code_refused (f, row_at (import, i)->code->code);
    }
}

int
main (int argc, char **argv)
{
  /* messages in the language of the environment (LANGUAGE=nl) */
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/import/parse/forms", test_parse_forms);
  g_test_add_func ("/import/parse/refuses-file", test_parse_refuses_file);
  g_test_add_func ("/import/parse/refuses-rows", test_parse_refuses_rows);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/import/once", test_import_once);
  ADD ("/import/letters-fail", test_import_letters_fail);
  ADD ("/import/authority", test_import_authority);
  ADD ("/import/pending", test_pending);
  ADD ("/import/codes-indexed", test_codes_indexed);
  ADD ("/import/many", test_import_many);
  ADD ("/import/new-codes-letters", test_new_codes_letters);
  ADD ("/import/same-person", test_same_person);
#undef ADD

  return g_test_run ();
}
