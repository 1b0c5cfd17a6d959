/* test-audit-model.c — the Logboek's paged model: it starts with one page
 * of the filtered trail, newest first; a row asked for near its end
 * fetches the next page, until the oldest event; a new filter starts
 * over (a fetch under way for the old one is dropped); a refused filter
 * leaves it empty with the refusal. No display needed: the model is
 * GTK-free.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include "zid-audit-model.h"

#define T0    1767225600
#define PAGE  20
#define EXTRA 95

typedef struct
{
  char      *dir;
  ZidClock  *clock;
  ZidPortal *portal;
  gint64     admin;
  gint64     gebruiker;
  guint      total;       /* the events the Administrator sees */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidOneTimeCode) boot = NULL;
  g_autoptr(ZidOneTimeCode) user = NULL;
  g_autoptr(ZidOrganisation) org = NULL;
  g_autoptr(GPtrArray) seen = NULL;
  ZidAuditFilter as_admin = { 0 };

  f->dir = g_dir_make_tmp ("zid-audit-model-XXXXXX", &error);
  g_assert_no_error (error);
  f->clock = zid_clock_new_fixed (T0);
  f->portal = zid_portal_open (f->dir, ZID_ENVIRONMENT_ACCEPTATIE, f->clock, &error);
  g_assert_no_error (error);
  zid_portal_add_registration (f->portal, "12345678", "Zorggroep Noord", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  boot = zid_portal_bootstrap (f->portal, "12345678", "Anna", "Admin", "1980-01-01", &error);
  g_assert_no_error (error);
  f->admin = boot->user_id;
  org = zid_portal_find_organisation (f->portal, "12345678", NULL);
  user = zid_portal_register_user (f->portal, f->admin, org->id, "Gijs", "Zorg", "1990-01-01", &error);
  g_assert_no_error (error);
  f->gebruiker = user->user_id;
  for (guint i = 0; i < EXTRA; i++)
    {
      zid_clock_advance (f->clock, 60);
      g_assert_true (zid_portal_audit (f->portal, "test", "organisation.note", "12345678", NULL, &error));
    }
  as_admin.as = f->admin;
  seen = zid_portal_list_audit_filtered (f->portal, &as_admin, &error);
  g_assert_no_error (error);
  f->total = seen->len;
  g_assert_cmpuint (f->total, >, 4 * PAGE);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->dir);
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  /* a finished worker lets go of the portal a moment after its answer */
  while (G_OBJECT (f->portal)->ref_count > 1 && g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_finalize_object (f->portal);
  g_object_unref (f->clock);
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL));
  g_free (f->dir);
}

/* until no page is on its way */
static void
settle (ZidAuditModel *model)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  do
    g_main_context_iteration (NULL, TRUE);
  while (zid_audit_model_get_loading (model) && g_get_monotonic_time () < end);
  g_assert_false (zid_audit_model_get_loading (model));
}

/* what a list view does for a row it shows */
static void
ask_for (ZidAuditModel *model,
         guint          position)
{
  g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (model), position);

  g_assert_nonnull (item);
}

static gint64
id_at (ZidAuditModel *model,
       guint          position)
{
  g_autoptr(ZidAuditItem) item = g_list_model_get_item (G_LIST_MODEL (model), position);

  return zid_audit_item_get_event (item)->id;
}

static void
test_pages (Fixture *f, gconstpointer data)
{
  g_autoptr(ZidAuditModel) model = zid_audit_model_new (ZID_BACKEND (f->portal), PAGE);
  ZidAuditFilter filter = { .as = f->admin };
  guint n;

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  zid_audit_model_set_filter (model, &filter);
  g_assert_true (zid_audit_model_get_loading (model));
  settle (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, PAGE);
  g_assert_false (zid_audit_model_get_complete (model));

  /* a row in the first half of the page fetches nothing */
  ask_for (model, 0);
  g_assert_false (zid_audit_model_get_loading (model));

  /* near the end: one page more, each newest first */
  while (!zid_audit_model_get_complete (model))
    {
      n = g_list_model_get_n_items (G_LIST_MODEL (model));
      g_assert_cmpuint (n % PAGE, ==, 0);
      ask_for (model, n - 1);
      g_assert_true (zid_audit_model_get_loading (model));
      settle (model);
    }
  n = g_list_model_get_n_items (G_LIST_MODEL (model));
  g_assert_cmpuint (n, ==, f->total);
  for (guint i = 1; i < n; i++)
    g_assert_cmpint (id_at (model, i - 1), >, id_at (model, i));
  g_assert_null (zid_audit_model_get_error (model));
}

static void
test_new_filter (Fixture *f, gconstpointer data)
{
  g_autoptr(ZidAuditModel) model = zid_audit_model_new (ZID_BACKEND (f->portal), PAGE);
  ZidAuditFilter all = { .as = f->admin };
  ZidAuditFilter about_user = { .as = f->admin, .user = f->gebruiker };
  ZidAuditFilter refused = { .as = f->gebruiker };

  zid_audit_model_set_filter (model, &all);
  settle (model);
  ask_for (model, PAGE - 1);
  g_assert_true (zid_audit_model_get_loading (model));
  /* a new filter while a page of the old one is on its way */
  zid_audit_model_set_filter (model, &about_user);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  settle (model);
  g_assert_true (zid_audit_model_get_complete (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
  {
    g_autoptr(ZidAuditItem) item = g_list_model_get_item (G_LIST_MODEL (model), 0);
    g_autofree char *subject = g_strdup_printf ("user:%" G_GINT64_FORMAT, f->gebruiker);

    g_assert_cmpstr (zid_audit_item_get_event (item)->subject, ==, subject);
  }
  /* the old page never arrives in the new list */
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);

  /* a Gebruiker has no portal access: empty, with the refusal */
  zid_audit_model_set_filter (model, &refused);
  settle (model);
  g_assert_true (zid_audit_model_get_complete (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  g_assert_nonnull (zid_audit_model_get_error (model));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/audit-model/pages", Fixture, NULL, fixture_set_up, test_pages, fixture_tear_down);
  g_test_add ("/audit-model/new-filter", Fixture, NULL, fixture_set_up, test_new_filter, fixture_tear_down);
  return g_test_run ();
}
