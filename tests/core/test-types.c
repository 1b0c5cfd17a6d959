/* Input checks every name passes: users (CLI, window) and organisations
 * (registration files) */
#include <locale.h>
#include <glib.h>

#include "zid-error.h"
#include "zid-types.h"

static void
test_names_refused (void)
{
  const char *refused[] = {
    "Anna\u202Ede Vries",         /* right-to-left override */
    "\u200E",                     /* only a left-to-right mark */
    "An\u200Bna",                 /* zero-width space */
    "Anna\u2028Vries",            /* line separator */
    "Anna\u2029Vries",            /* paragraph separator */
    "Anna\xF3\xA0\x81\x81",       /* tag character U+E0041 */
    "Anna\uFEFF",                 /* zero-width no-break space (BOM) */
    "Anna\xEE\x80\x80",           /* private use U+E000 */
    "\u00A0\u00A0",               /* no visible character */
    "\u0301",                     /* a lone combining mark */
    "Anna\tVries",                /* control */
    "   ",
    "",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (zid_validate_name ("De voornaam", refused[i], &error));
      g_assert_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT);
      g_assert_true (g_str_has_prefix (error->message, "De voornaam"));
    }
}

static void
test_names_accepted (void)
{
  const char *accepted[] = {
    "Zoë", "José-María O'Brien", "Ærøskøbing", "van den Berg", "Łukasz",
    "Nguyễn", "محمد", "李", "Anne\u00A0Marie",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (zid_validate_name ("De voornaam", accepted[i], &error));
      g_assert_no_error (error);
    }
}

/* 2025-06-15 12:00 UTC */
#define NOW G_GINT64_CONSTANT (1749988800)

static void
test_birth_dates (void)
{
  const struct { const char *typed, *iso; } accepted[] = {
    { "1975-04-03", "1975-04-03" }, { "03-04-1975", "1975-04-03" },
    { " 29-02-2000 ", "2000-02-29" }, { "2025-06-15", "2025-06-15" },
  };
  const char *refused[] = {
    "", "1975-4-3", "3-4-1975", "03/04/1975", "1975-02-30", "30-02-1975", "1899-12-31",
    "2025-06-16", "16-06-2025", "03-04-75", "1975-04-03x", NULL,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autoptr(GError) error = NULL;
      char iso[11] = "";

      g_assert_true (zid_normalise_birth_date (accepted[i].typed, NOW, iso, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (iso, ==, accepted[i].iso);
      g_assert_true (zid_validate_birth_date (accepted[i].typed, NOW, NULL));
    }
  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (zid_normalise_birth_date (refused[i], NOW, NULL, &error));
      g_assert_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT);
    }
}

int
main (int argc, char **argv)
{
  /* messages in the language of the environment (LANGUAGE=nl) */
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/names/refused", test_names_refused);
  g_test_add_func ("/names/accepted", test_names_accepted);
  g_test_add_func ("/birth-dates", test_birth_dates);
  return g_test_run ();
}
