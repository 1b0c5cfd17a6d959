/* test-audit-page.c — the audit trail page by page, newest first: the
 * pages join up to exactly the filtered trail at every page size, the
 * actor sees only what they manage, every filter holds across pages, and
 * the CSV export writes the same events
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "zid-core.h"
#include "zid-test-portal.h"

#define T0        1767225600   /* 2026-01-01T00:00:00Z */
#define URA_A     "12345678"
#define URA_B     "87654321"
#define N_EXTRA   250

typedef struct
{
  char      *dir;
  ZidClock  *clock;
  ZidPortal *portal;
  gint64     admin_a;     /* Administrator of A */
  gint64     admin_b;     /* Administrator of B */
  gint64     user_a;      /* Gebruiker in A */
  gint64     user_b;      /* Gebruiker in B */
  gint64     org_a;
  gint64     org_b;
} Fixture;

static gint64
bootstrap (Fixture    *f,
           const char *ura,
           const char *name,
           const char *first)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidOneTimeCode) e = NULL;

  zid_portal_add_registration (f->portal, ura, name, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  e = zid_portal_bootstrap (f->portal, ura, first, "Beheer", "1975-03-03", &error);
  g_assert_no_error (error);
  return e->user_id;
}

static gint64
register_user (Fixture *f,
               gint64   actor,
               gint64   org,
               const char *first)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidOneTimeCode) e = zid_portal_register_user (f->portal, actor, org, first, "Zorg",
                                                        "1990-05-17", &error);

  g_assert_no_error (error);
  return e->user_id;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidOrganisation) a = NULL;
  g_autoptr(ZidOrganisation) b = NULL;
  static const char *actions[] = { "user.note", "certificate.note", "organisation.note" };

  f->dir = g_dir_make_tmp ("zid-audit-XXXXXX", &error);
  g_assert_no_error (error);
  f->clock = zid_clock_new_fixed (T0);
  zid_test_portal_database ();
  f->portal = zid_portal_open (f->dir, ZID_ENVIRONMENT_ACCEPTATIE, f->clock, &error);
  g_assert_no_error (error);

  f->admin_a = bootstrap (f, URA_A, "Zorggroep Noord", "Anna");
  f->admin_b = bootstrap (f, URA_B, "Thuiszorg Zuid", "Bram");
  a = zid_portal_find_organisation (f->portal, URA_A, NULL);
  b = zid_portal_find_organisation (f->portal, URA_B, NULL);
  f->org_a = a->id;
  f->org_b = b->id;
  f->user_a = register_user (f, f->admin_a, f->org_a, "Gijs");
  f->user_b = register_user (f, f->admin_b, f->org_b, "Hans");

  /* a trail longer than a few pages, one event a minute, about both
   * organisations and their users in turn */
  for (guint i = 0; i < N_EXTRA; i++)
    {
      g_autofree char *subject = NULL;

      zid_clock_advance (f->clock, 60);
      switch (i % 4)
        {
        case 0: subject = g_strdup_printf ("user:%" G_GINT64_FORMAT, f->user_a); break;
        case 1: subject = g_strdup_printf ("user:%" G_GINT64_FORMAT, f->user_b); break;
        case 2: subject = g_strdup (URA_A); break;
        default: subject = g_strdup (URA_B); break;
        }
      g_assert_true (zid_portal_audit (f->portal, "test", actions[i % 3], subject, NULL, &error));
      g_assert_no_error (error);
    }
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->dir);

  g_assert_finalize_object (f->portal);
  g_object_unref (f->clock);
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL));
  g_free (f->dir);
}

/* Pages of @limit joined up must be the filtered trail, newest first;
 * every page but the last is full, the last may be empty. Returns the
 * number of events. */
static guint
check_pages (Fixture              *f,
             const ZidAuditFilter *filter,
             guint                 limit)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = zid_portal_list_audit_filtered (f->portal, filter, &error);
  guint seen = 0;
  gint64 before = 0;

  g_assert_no_error (error);
  for (;;)
    {
      g_autoptr(GPtrArray) page = zid_portal_list_audit_page (f->portal, filter, before, limit, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (page->len, <=, limit);
      for (guint i = 0; i < page->len; i++)
        {
          ZidAuditEvent *got = g_ptr_array_index (page, i);
          ZidAuditEvent *want;

          g_assert_cmpuint (seen, <, all->len);
          want = g_ptr_array_index (all, all->len - 1 - seen);
          g_assert_cmpint (got->id, ==, want->id);
          g_assert_cmpstr (got->hash, ==, want->hash);
          g_assert_true (before == 0 || got->id < before);
          before = got->id;
          seen++;
        }
      if (page->len < limit)
        break;
    }
  g_assert_cmpuint (seen, ==, all->len);
  return seen;
}

static const guint limits[] = { 1, 7, 100 };

static void
check_all_limits (Fixture              *f,
                  const ZidAuditFilter *filter)
{
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (limits); i++)
    n = check_pages (f, filter, limits[i]);
  /* a page exactly as long as the selection, and one longer */
  if (n > 0)
    {
      check_pages (f, filter, n);
      check_pages (f, filter, n + 1);
    }
}

static void
test_order_and_boundaries (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) beyond = NULL;
  g_autoptr(GPtrArray) all = zid_portal_list_audit (f->portal, &error);
  ZidAuditEvent *oldest;

  g_assert_cmpuint (all->len, >, N_EXTRA);
  check_all_limits (f, NULL);

  first = zid_portal_list_audit_page (f->portal, NULL, 0, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (first->len, ==, 3);
  g_assert_cmpint (((ZidAuditEvent *) first->pdata[0])->id, ==,
                   ((ZidAuditEvent *) all->pdata[all->len - 1])->id);
  /* nothing before the oldest */
  oldest = g_ptr_array_index (all, 0);
  beyond = zid_portal_list_audit_page (f->portal, NULL, oldest->id, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (beyond->len, ==, 0);
}

static gboolean
page_mentions (GPtrArray  *events,
               const char *subject)
{
  for (guint i = 0; i < events->len; i++)
    if (g_strcmp0 (((ZidAuditEvent *) events->pdata[i])->subject, subject) == 0)
      return TRUE;
  return FALSE;
}

static void
test_actor_visibility (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) mine = NULL;
  g_autoptr(GPtrArray) refused = NULL;
  g_autofree char *own_user = g_strdup_printf ("user:%" G_GINT64_FORMAT, f->user_a);
  g_autofree char *other_user = g_strdup_printf ("user:%" G_GINT64_FORMAT, f->user_b);
  ZidAuditFilter as_a = { .as = f->admin_a };
  ZidAuditFilter as_gebruiker = { .as = f->user_a };
  ZidAuditFilter other = { .as = f->admin_a, .user = f->user_b };

  check_all_limits (f, &as_a);
  mine = zid_portal_list_audit_page (f->portal, &as_a, 0, 1000, &error);
  g_assert_no_error (error);
  g_assert_true (page_mentions (mine, own_user));
  g_assert_true (page_mentions (mine, URA_A));
  g_assert_false (page_mentions (mine, other_user));
  g_assert_false (page_mentions (mine, URA_B));

  refused = zid_portal_list_audit_page (f->portal, &other, 0, 10, &error);
  g_assert_null (refused);
  g_assert_error (error, ZID_ERROR, ZID_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  refused = zid_portal_list_audit_page (f->portal, &as_gebruiker, 0, 10, &error);
  g_assert_null (refused);
  g_assert_nonnull (error);
}

static void
test_filters (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *own_user = g_strdup_printf ("user:%" G_GINT64_FORMAT, f->user_a);
  ZidAuditFilter filters[] = {
    { .user = f->user_a },
    { .organisation = f->org_b },
    { .action = "certificate" },
    { .action = "user.note" },
    { .since = T0 + 60 * 100, .until = T0 + 60 * 150 },
    { .as = f->admin_a, .action = "user", .since = T0 + 60 * 10 },
    { .as = f->admin_b, .organisation = f->org_b, .until = T0 + 60 * 40 },
    { .action = "nothing-like-this" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (filters); i++)
    {
      g_autoptr(GPtrArray) page = NULL;

      check_all_limits (f, &filters[i]);
      page = zid_portal_list_audit_page (f->portal, &filters[i], 0, 1000, &error);
      g_assert_no_error (error);
      for (guint j = 0; j < page->len; j++)
        {
          ZidAuditEvent *e = g_ptr_array_index (page, j);

          if (filters[i].user)
            g_assert_cmpstr (e->subject, ==, own_user);
          if (filters[i].since)
            g_assert_cmpint (e->time, >=, filters[i].since);
          if (filters[i].until)
            g_assert_cmpint (e->time, <=, filters[i].until);
          if (filters[i].action)
            g_assert_true (g_str_equal (e->action, filters[i].action) ||
                           (g_str_has_prefix (e->action, filters[i].action) &&
                            e->action[strlen (filters[i].action)] == '.'));
        }
      if (i == G_N_ELEMENTS (filters) - 1)
        g_assert_cmpuint (page->len, ==, 0);
      else
        g_assert_cmpuint (page->len, >, 0);
    }
}

/* The events of @filter's dates, by brute force over the whole trail */
static guint
count_in_dates (Fixture              *f,
                const ZidAuditFilter *filter)
{
  g_autoptr(GPtrArray) all = zid_portal_list_audit (f->portal, NULL);
  guint n = 0;

  for (guint i = 0; i < all->len; i++)
    {
      ZidAuditEvent *e = g_ptr_array_index (all, i);

      n += (filter->since == 0 || e->time >= filter->since) &&
           (filter->until == 0 || e->time <= filter->until);
    }
  return n;
}

/* Events are appended in id order with the clock's time, which may be set
 * back (and the store's own events take the system's time): a date range
 * still selects every event of its dates, page by page, also one added
 * after a page of the same dates was read */
static void
test_dates_out_of_order (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  const gint64 late = T0 + 60 * (N_EXTRA + 10);
  ZidAuditFilter filters[] = {
    { .until = T0 + 60 * 20 },
    { .since = T0 + 60 * 24, .until = T0 + 60 * 26 },
    { .since = T0 + 60 * 100 },
    { .since = T0 + 60 * 20, .until = T0 + 60 * 30 },
    { .until = T0 - 1 },
    { .since = late + 3600 },
  };

  /* a clock set back: events of early dates after late ones */
  zid_clock_set (f->clock, late);
  g_assert_true (zid_portal_audit (f->portal, "test", "user.note", URA_A, NULL, &error));
  zid_clock_set (f->clock, T0 + 60 * 25);
  g_assert_true (zid_portal_audit (f->portal, "test", "user.note", URA_A, NULL, &error));
  zid_clock_set (f->clock, T0 + 60 * 5);
  g_assert_true (zid_portal_audit (f->portal, "test", "user.note", URA_B, NULL, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (filters); i++)
    {
      g_assert_cmpuint (check_pages (f, &filters[i], 7), ==, count_in_dates (f, &filters[i]));
      g_assert_cmpuint (check_pages (f, &filters[i], 1000), ==, count_in_dates (f, &filters[i]));
    }

  /* the range kept from the pages above is not reused once an event
   * of those dates is added */
  for (guint i = 0; i < G_N_ELEMENTS (filters); i++)
    {
      guint before = check_pages (f, &filters[i], 7);

      zid_clock_set (f->clock, T0 + 60 * 21 + i);
      g_assert_true (zid_portal_audit (f->portal, "test", "user.note", URA_B, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (check_pages (f, &filters[i], 7), ==, count_in_dates (f, &filters[i]));
      if (i == 3)
        g_assert_cmpuint (count_in_dates (f, &filters[i]), ==, before + 1);
    }
  g_assert_cmpuint (count_in_dates (f, &filters[0]), >, 20);
  g_assert_cmpuint (count_in_dates (f, &filters[4]), ==, 0);
  g_assert_cmpuint (count_in_dates (f, &filters[5]), ==, 0);
}

static void
test_export (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  ZidAuditFilter as_a = { .as = f->admin_a };
  g_autoptr(GPtrArray) all = zid_portal_list_audit_filtered (f->portal, &as_a, &error);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint64 n = 0;

  g_assert_true (zid_portal_export_audit_csv (f->portal, &as_a, ';', out, NULL, &n, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  g_assert_cmpuint (n, ==, all->len);
  text = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)));
  g_assert_true (g_str_has_prefix (text, "\xEF\xBB\xBF"));
  lines = g_strsplit (text, "\r\n", -1);
  /* header, the events, and the empty rest after the last line end */
  g_assert_cmpuint (g_strv_length (lines), ==, all->len + 2);
  {
    ZidAuditEvent *newest = g_ptr_array_index (all, all->len - 1);
    g_autofree char *prefix = g_strdup_printf ("%" G_GINT64_FORMAT ";", newest->id);

    g_assert_true (g_str_has_prefix (lines[1], prefix));
  }
}

/* The readable form: people by name where the actor may see them, the
 * action as a phrase, the details in words; the stored events unchanged */
static const ZidAuditReading *
reading_of (GPtrArray   *events,
            GPtrArray   *readings,
            const char  *action,
            const char  *subject)
{
  for (guint i = 0; i < events->len; i++)
    {
      ZidAuditEvent *e = g_ptr_array_index (events, i);

      if (g_strcmp0 (e->action, action) == 0 && g_strcmp0 (e->subject, subject) == 0)
        return g_ptr_array_index (readings, i);
    }
  g_assert_not_reached ();
}

static void
test_readable (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) as_operator = NULL;
  g_autoptr(GPtrArray) as_a = NULL;
  g_autofree char *user_a = g_strdup_printf ("user:%" G_GINT64_FORMAT, f->user_a);
  g_autofree char *user_b = g_strdup_printf ("user:%" G_GINT64_FORMAT, f->user_b);
  g_autofree char *admin_b = g_strdup_printf ("user:%" G_GINT64_FORMAT, f->admin_b);
  const char *org_a = "Organisatie: Zorggroep Noord, Rol: Gebruiker";
  const ZidAuditReading *r;
  ZidAuditEvent *last;

  g_autofree char *anna = g_strdup_printf ("user:%" G_GINT64_FORMAT, f->admin_a);

  /* a block as zid_portal_block_user() records it (blocking wants a mobile ID) */
  g_assert_true (zid_portal_audit (f->portal, anna, "user.block", user_a, "security-incident", &error));
  g_assert_no_error (error);
  all = zid_portal_list_audit (f->portal, &error);
  g_assert_no_error (error);
  as_operator = zid_portal_describe_audit (f->portal, 0, all, &error);
  g_assert_no_error (error);
  as_a = zid_portal_describe_audit (f->portal, f->admin_a, all, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (as_operator->len, ==, all->len);
  g_assert_cmpuint (as_a->len, ==, all->len);

  r = reading_of (all, as_a, "user.register", user_a);
  g_assert_cmpstr (r->actor, ==, "Anna Beheer");
  g_assert_cmpstr (r->action, ==, "Gebruiker geregistreerd");
  g_assert_cmpstr (r->subject, ==, "Gijs Zorg");
  g_assert_cmpstr (r->details, ==, org_a);

  /* Anna does not see Bram's users by name; the operator does */
  r = reading_of (all, as_a, "user.register", user_b);
  g_assert_cmpstr (r->actor, ==, admin_b);
  g_assert_cmpstr (r->subject, ==, user_b);
  r = reading_of (all, as_operator, "user.register", user_b);
  g_assert_cmpstr (r->subject, ==, "Hans Zorg");

  r = reading_of (all, as_a, "user.block", user_a);
  g_assert_cmpstr (r->action, ==, "Geblokkeerd");
  g_assert_cmpstr (r->details, ==, "Reden: Beveiligingsincident");

  r = reading_of (all, as_operator, "registration.add", URA_A);
  g_assert_cmpstr (r->actor, ==, "het systeem");
  g_assert_cmpstr (r->action, ==, "Organisatieregistratie toegevoegd");
  g_assert_cmpstr (r->subject, ==, "Zorggroep Noord");
  r = reading_of (all, as_a, "organisation.bootstrap", URA_A);
  g_assert_cmpstr (r->details, ==, "Organisatie: Zorggroep Noord, Administrator: Anna Beheer");

  /* unknown actions and actors as they are */
  r = reading_of (all, as_operator, "user.note", user_a);
  g_assert_cmpstr (r->actor, ==, "test");
  g_assert_cmpstr (r->action, ==, "user.note");

  /* what is stored is unchanged */
  last = g_ptr_array_index (all, all->len - 1);
  g_assert_cmpstr (last->action, ==, "user.block");
  g_assert_cmpstr (last->details, ==, "security-incident");
}

int
main (int    argc,
      char **argv)
{
  /* messages in the language of the environment (LANGUAGE=nl) */
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/audit-page/order-and-boundaries", test_order_and_boundaries);
  ADD ("/audit-page/actor-visibility", test_actor_visibility);
  ADD ("/audit-page/filters", test_filters);
  ADD ("/audit-page/dates-out-of-order", test_dates_out_of_order);
  ADD ("/audit-page/export", test_export);
  ADD ("/audit-page/readable", test_readable);
  return g_test_run ();
}
