/* The names of the UZI role codes, from the shipped table */
#include <locale.h>
#include <glib.h>

#include "zid-uzi-roles.h"

static void
test_known (void)
{
  g_autofree char *described = zid_uzi_role_describe ("01.015");

  g_assert_cmpstr (zid_uzi_role_name ("01.015"), ==, "Huisarts");
  g_assert_cmpstr (zid_uzi_role_name ("01.000"), ==, "Arts");
  g_assert_cmpstr (zid_uzi_role_name ("99.000"), ==, "Zorgverlener andere zorg");
  g_assert_cmpstr (described, ==, "Huisarts (01.015)");
}

/* A specialism not in the table: the profession (SSS 000) names it */
static void
test_profession (void)
{
  g_assert_cmpstr (zid_uzi_role_name ("01.999"), ==, "Arts");
}

static void
test_unknown (void)
{
  const char *bad[] = { NULL, "", "01", "01015", "01-015", "01.0150", "00.000", "aa.bbb" };
  g_autofree char *described = zid_uzi_role_describe ("00.000");

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_null (zid_uzi_role_name (bad[i]));
  g_assert_cmpstr (described, ==, "00.000");
}

int
main (int argc, char **argv)
{
  /* messages in the language of the environment (LANGUAGE=nl) */
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/uzi-roles/known", test_known);
  g_test_add_func ("/uzi-roles/profession", test_profession);
  g_test_add_func ("/uzi-roles/unknown", test_unknown);
  return g_test_run ();
}
