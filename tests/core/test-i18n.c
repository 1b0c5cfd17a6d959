/* The core's messages in the user's language: English under C.UTF-8,
 * Dutch under nl; the error code the same in both. And a thread's own
 * language (the service answering a phone), whatever the process's. */
#include <locale.h>
#include <string.h>
#include <glib.h>

#include "zid-error.h"
#include "zid-i18n.h"
#include "zid-registration-file.h"
#include "zid-types.h"

#define DUTCH   "Ongeldige geboortedatum “31-02-1990”: gebruik DD-MM-JJJJ of JJJJ-MM-DD, een bestaande datum"
#define ENGLISH "Invalid birth date “31-02-1990”: use DD-MM-YYYY or YYYY-MM-DD, a date that exists"

static void
refuse_birth_date (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (zid_validate_birth_date ("31-02-1990", g_get_real_time () / G_USEC_PER_SEC, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT);
  g_print ("%s|%s\n", zid_error_code_name (error->code), error->message);
}

/* Runs the current test in a child twice, with the test environment's
 * LANGUAGE=nl and without LANGUAGE (plain C.UTF-8), and compares what the
 * child prints */
static void
assert_follows_locale (const char *dutch,
                       const char *english)
{
  g_assert_cmpstr (g_getenv ("LANGUAGE"), ==, "nl");
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout (dutch);

  g_unsetenv ("LANGUAGE");
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_setenv ("LANGUAGE", "nl", TRUE);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout (english);
}

static void
test_refusal_follows_locale (void)
{
  if (g_test_subprocess ())
    {
      refuse_birth_date ();
      return;
    }
  assert_follows_locale ("invalid-input|" DUTCH "\n", "invalid-input|" ENGLISH "\n");
}

/* A registration file that is bare JSON, and one whose JSON names a
 * field twice */
static void
refuse_registrations (void)
{
  static const char bare[] = "{\"version\": 1}";
  static const char twice[] = "{\"version\": 1, \"ura\": \"1\", \"ura\": \"2\"}";
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(GError) unsigned_error = NULL;
  g_autoptr(GError) twice_error = NULL;

  g_assert_false (zid_registration_file_verify ((const guint8 *) bare, strlen (bare), "/nonexistent",
                                                now, NULL, NULL, &unsigned_error));
  g_assert_error (unsigned_error, ZID_ERROR, ZID_ERROR_SIGNATURE_INVALID);
  g_print ("%s|%s\n", zid_error_code_name (unsigned_error->code), unsigned_error->message);

  g_assert_null (zid_registration_parse_json (twice, strlen (twice), now, &twice_error));
  g_assert_error (twice_error, ZID_ERROR, ZID_ERROR_INVALID_INPUT);
  g_print ("%s|%s\n", zid_error_code_name (twice_error->code), twice_error->message);
}

static void
test_registration_refusal_follows_locale (void)
{
  if (g_test_subprocess ())
    {
      refuse_registrations ();
      return;
    }
  assert_follows_locale ("signature-invalid|Het registratiebestand is niet ondertekend: het is een "
                         "los JSON-document. Alleen registraties met de handtekening van VZVZ "
                         "worden ingelezen\n"
                         "invalid-input|Het veld “ura” staat twee keer in de registratie\n",
                         "signature-invalid|The registration file is not signed: it is a bare JSON "
                         "document. Only registrations with the signature of VZVZ are imported\n"
                         "invalid-input|The field “ura” appears twice in the registration\n");
}

typedef struct
{
  const char *language;
  char       *message;
} ThreadResult;

static gpointer
refuse_in_language (gpointer data)
{
  ThreadResult *result = data;
  g_autoptr(GError) error = NULL;

  zid_i18n_set_thread_language (result->language);
  zid_validate_birth_date ("31-02-1990", g_get_real_time () / G_USEC_PER_SEC, &error);
  result->message = g_strdup (error->message);
  return NULL;
}

/* A thread's language, read from the catalog itself: English in a Dutch
 * process, Dutch whatever the process's locale, and the process's own
 * language on every other thread */
static void
test_thread_language (void)
{
  ThreadResult english = { "en", NULL };
  ThreadResult dutch = { "nl", NULL };
  g_autoptr(GError) error = NULL;
  GThread *a = g_thread_new ("en", refuse_in_language, &english);
  GThread *b = g_thread_new ("nl", refuse_in_language, &dutch);

  g_thread_join (a);
  g_thread_join (b);
  g_assert_cmpstr (english.message, ==, ENGLISH);
  g_assert_cmpstr (dutch.message, ==, DUTCH);

  zid_validate_birth_date ("31-02-1990", g_get_real_time () / G_USEC_PER_SEC, &error);
  g_assert_cmpstr (error->message, ==, DUTCH);

  /* the same under C, where gettext itself gives English */
  setlocale (LC_ALL, "C");
  g_assert_cmpstr (zid_i18n_set_thread_language ("nl"), ==, NULL);
  g_assert_cmpstr (zid_gettext ("The birth date %s is in the future"), ==,
                   "De geboortedatum %s ligt in de toekomst");
  g_assert_cmpstr (zid_ngettext ("Too many failed attempts from this network. Wait %d second, "
                                 "then scan the QR code again.",
                                 "Too many failed attempts from this network. Wait %d seconds, "
                                 "then scan the QR code again.", 2),
                   ==, "Te veel mislukte pogingen vanaf dit netwerk. Wacht %d seconden en scan de QR-"
                       "code daarna opnieuw.");
  g_assert_cmpstr (zid_i18n_set_thread_language (NULL), ==, "nl");
  g_assert_cmpstr (zid_gettext ("The birth date %s is in the future"), ==,
                   "The birth date %s is in the future");
  setlocale (LC_ALL, "");

  g_free (english.message);
  g_free (dutch.message);
}

static void
test_negotiate (void)
{
  struct { const char *header; const char *language; } cases[] = {
    { NULL, "nl" },
    { "", "nl" },
    { "en", "en" },
    { "en-GB,en;q=0.9", "en" },
    { "EN-us", "en" },
    { "nl-NL,nl;q=0.9,en;q=0.8", "nl" },
    { "de-DE,de;q=0.9", "nl" },
    { "de,en;q=0.5", "en" },
    { "en;q=0.3,nl;q=0.7", "nl" },
    { "fr, en;q=0", "nl" },
    { "*", "nl" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpstr (zid_i18n_negotiate (cases[i].header), ==, cases[i].language);
}

int
main (int argc, char **argv)
{
  /* messages in the language of the environment (LANGUAGE=nl) */
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/i18n/refusal-follows-locale", test_refusal_follows_locale);
  g_test_add_func ("/i18n/registration-refusal-follows-locale",
                   test_registration_refusal_follows_locale);
  g_test_add_func ("/i18n/thread-language", test_thread_language);
  g_test_add_func ("/i18n/negotiate", test_negotiate);
  return g_test_run ();
}
