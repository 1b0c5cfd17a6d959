/* test-trust-store.c — the trust of one environment: listed, added,
 * removed, audited, per environment (the built-in UZI-Test chain of
 * data/trust; the refusals: tests/card/test-cli-trust.sh)
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include <locale.h>
#include <glib/gstdio.h>

#include "zid-core.h"

#define ROOT_FP "66:31:1C:B1:0C:39:06:0B:92:B6:99:B3:88:87:FD:2B:EF:18:BA:9F:DA:F9:93:36:19:6D:A0:C3:8D:90:E7:9F"

static char *source_trust;

static GBytes *
builtin_file (const char *name)
{
  g_autofree char *path = g_build_filename (source_trust, "acceptatie", "uzi", name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

static void
test_add_list_remove (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("zid-trust-store-XXXXXX", &error);
  g_autofree char *acc_dir = g_build_filename (tmp, "acceptatie", NULL);
  g_autofree char *prod_dir = g_build_filename (tmp, "productie", NULL);
  g_autoptr(ZidPortal) prod = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) added = NULL;
  g_autoptr(GBytes) root = builtin_file ("TEST-Zorg-CSP-Root-CA-G3.pem");
  g_autofree char *subject = NULL;
  gboolean anchor = FALSE, builtin = TRUE;

  g_assert_no_error (error);
  g_setenv ("ZID_BUILTIN_TRUST_DIR", source_trust, TRUE);

  /* acceptatie: built in; productie: nothing */
  list = zid_trust_store_list (acc_dir, ZID_ENVIRONMENT_ACCEPTATIE, ZID_TRUST_KIND_UZI);
  g_assert_cmpuint (list->len, ==, 3);
  g_assert_true (zid_trust_entry_get_builtin (g_ptr_array_index (list, 0)));
  g_assert_true (zid_trust_store_has_anchors (acc_dir, ZID_ENVIRONMENT_ACCEPTATIE, ZID_TRUST_KIND_UZI));
  g_assert_false (zid_trust_store_has_anchors (acc_dir, ZID_ENVIRONMENT_ACCEPTATIE, ZID_TRUST_KIND_OPERATOR));
  g_assert_false (zid_trust_store_has_anchors (prod_dir, ZID_ENVIRONMENT_PRODUCTIE, ZID_TRUST_KIND_UZI));
  g_clear_pointer (&list, g_ptr_array_unref);

  prod = zid_portal_open (prod_dir, ZID_ENVIRONMENT_PRODUCTIE, NULL, &error);
  g_assert_no_error (error);
  added = zid_portal_add_trust (prod, ZID_TRUST_KIND_UZI, root, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (added->len, ==, 1);
  g_object_get (g_ptr_array_index (added, 0), "subject", &subject, "is-anchor", &anchor,
                "builtin", &builtin, NULL);
  g_assert_cmpstr (subject, ==, "TEST Zorg CSP Root CA G3 (CIBG)");
  g_assert_true (anchor);
  g_assert_false (builtin);
  g_assert_cmpstr (zid_trust_entry_get_fingerprint (g_ptr_array_index (added, 0)), ==, ROOT_FP);
  g_assert_true (zid_trust_store_has_anchors (prod_dir, ZID_ENVIRONMENT_PRODUCTIE, ZID_TRUST_KIND_UZI));
  /* the operator trust and the other environment are not touched */
  g_assert_false (zid_trust_store_has_anchors (prod_dir, ZID_ENVIRONMENT_PRODUCTIE, ZID_TRUST_KIND_OPERATOR));

  g_assert_true (zid_portal_remove_trust (prod, ZID_TRUST_KIND_UZI,
                                          "66311cb10c39060b92b699b38887fd2bef18ba9fdaf99336196da0c38d90e79f",
                                          &error));
  g_assert_no_error (error);
  g_assert_false (zid_trust_store_has_anchors (prod_dir, ZID_ENVIRONMENT_PRODUCTIE, ZID_TRUST_KIND_UZI));
  g_assert_false (zid_portal_remove_trust (prod, ZID_TRUST_KIND_UZI, ROOT_FP, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* add and remove: two audit events of "local" */
  {
    g_autoptr(GPtrArray) events = zid_portal_list_audit (prod, &error);
    guint n = 0;

    g_assert_no_error (error);
    for (guint i = 0; i < events->len; i++)
      {
        ZidAuditEvent *e = g_ptr_array_index (events, i);
        if (g_str_has_prefix (e->action, "trust.") && g_strcmp0 (e->actor, "local") == 0)
          n++;
      }
    g_assert_cmpuint (n, ==, 2);
  }

  g_clear_pointer (&added, g_ptr_array_unref);
  g_assert_finalize_object (g_steal_pointer (&prod));
  {
    const char *argv[] = { "rm", "-rf", tmp, NULL };
    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
}

int
main (int   argc,
      char *argv[])
{
  const char *src = g_getenv ("ZID_SOURCE_ROOT");

  /* messages in the language of the environment (LANGUAGE=nl) */
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  if (src == NULL)
    {
      g_printerr ("run through meson test\n");
      return 77;
    }
  source_trust = g_build_filename (src, "data", "trust", NULL);
  g_test_add_func ("/trust-store/add-list-remove", test_add_list_remove);
  return g_test_run ();
}
