/* bench-audit.c — the audit trail page by page at 1,000,000 events: the
 * first page and a page deep in the trail, as the operator and as an
 * Administrator who sees half the trail, with filters; against the bare
 * keyset query on the audit table (the floor) and the whole filtered
 * trail loaded at once (what a view without pages would do). Also the
 * chain's verification over the whole trail. Not a test.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "zid-bench.h"
#include "zid-core.h"
#include "zid-store-private.h"

#define T0      1767225600   /* 2026-01-01T00:00:00Z */
#define PAGE    200

/* Appends @n events after the portal's own, a valid chain, on a
 * connection of its own: about users of both organisations and the
 * organisations themselves in turn, one a second */
static gint64
append_events (const char   *db_path,
               gint64        n,
               const gint64 *users,
               guint         n_users)
{
  static const char *actions[] = { "user.block", "user.unblock", "certificate.new",
                                   "certificate.revoke", "attribute.add", "login.accepted" };
  sqlite3 *db = NULL;
  sqlite3_stmt *last, *insert;
  guint8 prev[32] = { 0 };
  gint64 id = 0, time = T0;
  char head[100];

  if (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
    die_sqlite (db, db_path);
  sqlite3_busy_timeout (db, 10000);
  exec_or_die (db, "BEGIN IMMEDIATE");
  last = prepare_or_die (db, "SELECT id, hash, time FROM audit ORDER BY id DESC LIMIT 1");
  if (sqlite3_step (last) == SQLITE_ROW)
    {
      id = sqlite3_column_int64 (last, 0);
      memcpy (prev, sqlite3_column_blob (last, 1), 32);
      time = sqlite3_column_int64 (last, 2);
    }
  sqlite3_finalize (last);
  insert = prepare_or_die (db, "INSERT INTO audit (id, time, actor, action, subject, details, prev, hash)"
                               " VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  for (gint64 i = 0; i < n; i++)
    {
      char subject[32], actor[32];
      const char *action = actions[i % G_N_ELEMENTS (actions)];
      const char *details = "reason=lost-smartphone";
      guint8 hash[32];

      id++;
      time++;
      if (i % 10 == 9)
        g_snprintf (subject, sizeof subject, "%08u", (guint) (10000000 + (i / 10) % 2));
      else
        g_snprintf (subject, sizeof subject, "user:%" G_GINT64_FORMAT, users[i % n_users]);
      g_snprintf (actor, sizeof actor, "user:%" G_GINT64_FORMAT, users[(i / 7) % n_users]);
      zid_store_audit_hash (prev, id, time, actor, action, subject, details, hash);

      sqlite3_bind_int64 (insert, 1, id);
      sqlite3_bind_int64 (insert, 2, time);
      sqlite3_bind_text (insert, 3, actor, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (insert, 4, action, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 5, subject, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (insert, 6, details, -1, SQLITE_STATIC);
      sqlite3_bind_blob (insert, 7, prev, 32, SQLITE_TRANSIENT);
      sqlite3_bind_blob (insert, 8, hash, 32, SQLITE_TRANSIENT);
      step_done_or_die (db, insert);
      memcpy (prev, hash, 32);
    }
  sqlite3_finalize (insert);
  {
    int k = g_snprintf (head, sizeof head, "%" G_GINT64_FORMAT ":", id);

    for (guint b = 0; b < 32; b++)
      k += g_snprintf (head + k, sizeof head - k, "%02x", prev[b]);
  }
  insert = prepare_or_die (db, "INSERT OR REPLACE INTO settings (key, value) VALUES ('audit-head', ?)");
  sqlite3_bind_text (insert, 1, head, -1, SQLITE_STATIC);
  step_done_or_die (db, insert);
  sqlite3_finalize (insert);
  exec_or_die (db, "COMMIT");
  exec_or_die (db, "PRAGMA wal_checkpoint(TRUNCATE)");
  sqlite3_close (db);
  return id;
}

typedef struct
{
  const char     *name;
  ZidAuditFilter  filter;
  gint64          before;
  gboolean        new_dates;   /* each fetch a date a second later: no range kept */
} Case;

/* median and p95 in ms of @repeat fetches of one page; the page's length;
 * the median of its readable form made after each (the names looked up,
 * as the Logboek window does in the same worker) */
static void
time_page (ZidPortal  *portal,
           const Case *c,
           int         repeat,
           double     *median,
           double     *p95,
           guint      *len,
           double     *reading)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) readings = g_array_new (FALSE, FALSE, sizeof (double));

  for (int r = 0; r < repeat; r++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) page = NULL;
      ZidAuditFilter filter = c->filter;
      double t;

      if (c->new_dates && filter.until != 0)
        filter.until += r;
      t = now_ms ();
      page = zid_portal_list_audit_page (portal, &filter, c->before, PAGE, &error);
      t = now_ms () - t;
      if (page == NULL)
        g_error ("%s: %s", c->name, error->message);
      *len = page->len;
      g_array_append_val (samples, t);
      t = now_ms ();
      g_ptr_array_unref (zid_portal_describe_audit (portal, filter.as, page, &error));
      t = now_ms () - t;
      g_array_append_val (readings, t);
    }
  *reading = percentile (readings, 50);
  *median = percentile (samples, 50);
  *p95 = percentile (samples, 95);
}

/* the floor: the bare keyset query, no filter, on a connection of its own */
static double
time_bare (const char *db_path,
           gint64      before,
           int         repeat)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt;

  if (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    die_sqlite (db, db_path);
  stmt = prepare_or_die (db, "SELECT id, time, actor, action, subject, details, hex (hash)"
                             " FROM audit WHERE id < ? ORDER BY id DESC LIMIT ?");
  for (int r = 0; r < repeat; r++)
    {
      double t = now_ms ();

      sqlite3_bind_int64 (stmt, 1, before > 0 ? before : G_MAXINT64);
      sqlite3_bind_int (stmt, 2, PAGE);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        for (int col = 0; col < 7; col++)
          (void) sqlite3_column_text (stmt, col);
      sqlite3_reset (stmt);
      t = now_ms () - t;
      g_array_append_val (samples, t);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return percentile (samples, 50);
}

static double
time_full (ZidPortal            *portal,
           const ZidAuditFilter *filter,
           guint                *len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  double t = now_ms ();

  all = zid_portal_list_audit_filtered (portal, filter, &error);
  t = now_ms () - t;
  if (all == NULL)
    g_error ("full load: %s", error->message);
  *len = all->len;
  return t;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ZidClock) clock = NULL;
  g_autoptr(ZidPortal) portal = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db_path = NULL;
  g_autofree gint64 *users = NULL;
  gint64 n_events = 1000000;
  int n_users = 400;
  int repeat = 20;
  gboolean keep = FALSE;
  gint64 admin_a, admin_b, org_a, org_b, last_id, bad = 0;
  double t, t_fill, t_verify;
  guint len_full_op = 0, len_full_as = 0;
  double full_op, full_as;
  GOptionEntry entries[] = {
    { "events", 0, 0, G_OPTION_ARG_INT64, &n_events, "Audit events to add (default 1,000,000)", "N" },
    { "users", 0, 0, G_OPTION_ARG_INT, &n_users, "Users registered through the portal (default 400)", "N" },
    { "repeat", 0, 0, G_OPTION_ARG_INT, &repeat, "Fetches per case (default 20)", "N" },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "Keep the temporary data dir", NULL },
    { NULL }
  };

  context = g_option_context_new ("— the audit trail page by page at 1,000,000 events");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-audit: %s\n", error->message);
      return 2;
    }
  dir = g_dir_make_tmp ("zid-bench-audit-XXXXXX", &error);
  g_assert_no_error (error);
  db_path = g_build_filename (dir, "zorgid.db", NULL);
  g_print ("bench-audit: %" G_GINT64_FORMAT " events, %d users, data dir %s, SQLite %s\n",
           n_events, n_users, dir, sqlite3_libversion ());

  clock = zid_clock_new_fixed (T0);
  portal = zid_portal_open (dir, ZID_ENVIRONMENT_ACCEPTATIE, clock, &error);
  g_assert_no_error (error);

  /* two organisations (URA 10000000 and 10000001), users registered
   * through the portal, half in each */
  t = now_ms ();
  users = g_new0 (gint64, n_users);
  {
    g_autoptr(ZidOneTimeCode) a = NULL;
    g_autoptr(ZidOneTimeCode) b = NULL;
    g_autoptr(ZidOrganisation) oa = NULL;
    g_autoptr(ZidOrganisation) ob = NULL;

    zid_portal_add_registration (portal, "10000000", "Zorginstelling A", NULL, NULL, NULL, &error);
    zid_portal_add_registration (portal, "10000001", "Zorginstelling B", NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    a = zid_portal_bootstrap (portal, "10000000", "Anna", "Admin", "1980-01-01", &error);
    b = zid_portal_bootstrap (portal, "10000001", "Bert", "Admin", "1980-01-01", &error);
    g_assert_no_error (error);
    admin_a = a->user_id;
    admin_b = b->user_id;
    oa = zid_portal_find_organisation (portal, "10000000", NULL);
    ob = zid_portal_find_organisation (portal, "10000001", NULL);
    org_a = oa->id;
    org_b = ob->id;
  }
  for (int i = 0; i < n_users; i++)
    {
      g_autofree char *first = g_strdup_printf ("Gebruiker%d", i);
      g_autoptr(ZidOneTimeCode) e = zid_portal_register_user (portal, i % 2 ? admin_b : admin_a,
                                                            i % 2 ? org_b : org_a, first, "Test",
                                                            "1990-05-17", &error);
      g_assert_no_error (error);
      users[i] = e->user_id;
    }
  last_id = append_events (db_path, n_events, users, (guint) n_users);
  t_fill = now_ms () - t;
  g_print ("filled in %.1f s: %" G_GINT64_FORMAT " events in the trail\n\n", t_fill / 1000, last_id);

  {
    Case cases[] = {
      { "operator, first page", { 0 }, 0 },
      { "operator, page at 10% from the oldest", { 0 }, last_id / 10 },
      { "operator, the oldest page", { 0 }, PAGE + 1 },
      { "Administrator A, first page", { .as = admin_a }, 0 },
      { "Administrator A, page at 10% from the oldest", { .as = admin_a }, last_id / 10 },
      { "Administrator A, the oldest page", { .as = admin_a }, 2 * PAGE + 1 },
      { "A, action user, first page", { .as = admin_a, .action = "user" }, 0 },
      { "A, action user, deep", { .as = admin_a, .action = "user" }, last_id / 10 },
      { "A, one user, first page", { .as = admin_a, .user = users[0] }, 0 },
      { "A, one user, deep", { .as = admin_a, .user = users[0] }, last_id / 10 },
      { "A, organisation A, first page", { .as = admin_a, .organisation = org_a }, 0 },
      { "A, since the last hour", { .as = admin_a, .since = T0 + n_events - 3600 }, 0 },
      { "A, until the first day (from the newest)", { .as = admin_a, .until = T0 + 86400 }, 0 },
      { "A, until the first day, deep", { .as = admin_a, .until = T0 + 86400 }, 40000 },
      { "A, until the first day, each a new date", { .as = admin_a, .until = T0 + 86400 }, 0, TRUE },
      { "A, until the first hour, each a new date", { .as = admin_a, .until = T0 + 3600 }, 0, TRUE },
      { "A, until the day before the last", { .as = admin_a, .until = T0 + n_events - 86400 }, 0 },
      { "A, until the middle of the trail", { .as = admin_a, .until = T0 + n_events / 2 }, 0 },
      { "A, since the last hour, one user", { .as = admin_a, .user = users[0],
                                              .since = T0 + n_events - 3600 }, 0 },
      { "operator, until the first day", { .until = T0 + 86400 }, 0 },
    };
    double bare_first = time_bare (db_path, 0, repeat);
    double bare_deep = time_bare (db_path, last_id / 10, repeat);

    g_print ("%-46s %10s %10s %6s %12s %10s\n", "page of 200", "median ms", "p95 ms", "rows", "x bare query",
             "reading ms");
    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        double median, p95, reading;
        guint len = 0;
        double bare = cases[i].before > 0 ? bare_deep : bare_first;

        time_page (portal, &cases[i], repeat, &median, &p95, &len, &reading);
        g_print ("%-46s %10.2f %10.2f %6u %12.1f %10.2f\n", cases[i].name, median, p95, len,
                 median / bare, reading);
      }
    g_print ("%-46s %10.2f\n", "bare keyset query, first page (floor)", bare_first);
    g_print ("%-46s %10.2f\n", "bare keyset query, deep page (floor)", bare_deep);
  }

  {
    ZidAuditFilter none = { 0 };
    ZidAuditFilter as_a = { .as = admin_a };

    full_op = time_full (portal, &none, &len_full_op);
    full_as = time_full (portal, &as_a, &len_full_as);
    g_print ("\n%-46s %10.0f ms (%u events)\n", "whole trail at once, operator", full_op, len_full_op);
    g_print ("%-46s %10.0f ms (%u events)\n", "whole trail at once, Administrator A", full_as, len_full_as);
  }

  t = now_ms ();
  if (!zid_portal_verify_audit (portal, &bad, &error))
    g_print ("verify: BROKEN at %" G_GINT64_FORMAT ": %s\n", bad, error->message);
  t_verify = now_ms () - t;
  g_print ("%-46s %10.0f ms\n", "verify the whole chain", t_verify);

  g_clear_object (&portal);
  if (!keep)
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);

      g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
    }
  return 0;
}
