/* bench-core.c — the core's queries at 1,000,000 users, against the same
 * SQL in the sqlite3 shell, and single-user registration latency.
 *
 *   bench-core [--users N] [--organisations N] [--dir DIR] [--repeat N] [--keep]
 *
 * Fill: 1,000 organisations through the portal API (registration +
 * bootstrap of each Administrator), then the users, their memberships and
 * their name search keys in one transaction on a separate sqlite3
 * connection: the same rows the core writes (see insert_user,
 * set_membership_row and index_names in src/core/zid-portal.c). One
 * organisation holds a tenth of the users; its Administrator is the actor.
 *
 * Reference: the SQL text of zid_portal_list_inactive and
 * zid_portal_list_users, copied verbatim below, run by `sqlite3 -batch` with
 * the same parameters bound (.parameter set), output to /dev/null. The shell
 * is timed with `.timer on` (its "Run Time: real" line, 1 ms resolution) and
 * from outside around the whole process, raw and minus the start-up of
 * `sqlite3 DB 'SELECT 1'`.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "zid-bench.h"

#include "zid-portal.h"
#include "zid-store-private.h"

#define NOW ((gint64) 1767225600)  /* 2026-01-01 00:00:00 UTC */
#define DAY ((gint64) 24 * 60 * 60)

/* ---- The core's SQL, verbatim from src/core/zid-portal.c ---- */

#define USER_COLUMNS \
  "u.id, u.first_name, u.last_name, u.birth_date, u.blocked, u.block_reason," \
  " u.registered, u.last_use, u.mobile_id, u.uzi_number"

static const char inactive_sql[] =
  "SELECT " USER_COLUMNS ", m.organisation_id, o.ura, o.name, m.role"
  " FROM memberships m"
  " JOIN users u ON u.id = m.user_id"
  " JOIN organisations o ON o.id = m.organisation_id"
  " WHERE m.organisation_id = ?1"
  "   AND coalesce (u.last_use, u.registered) < ?2"
  " ORDER BY u.last_name COLLATE NOCASE, u.first_name COLLATE NOCASE, u.id";

static const char search_sql[] =
  "SELECT " USER_COLUMNS ", m.organisation_id, o.ura, o.name, m.role"
  " FROM name_keys k"
  " JOIN memberships m ON m.organisation_id = k.organisation_id"
  "   AND m.user_id = k.user_id"
  " JOIN users u ON u.id = k.user_id"
  " JOIN organisations o ON o.id = k.organisation_id"
  " WHERE k.organisation_id = ?1 AND k.key >= ?2 AND k.key < ?3"
  " ORDER BY k.key, k.user_id"
  " LIMIT ?4";

/* zid_portal_search_users with a count: how many match, and the first page */
static const char count_sql[] =
  "SELECT count (DISTINCT user_id) FROM name_keys"
  " WHERE organisation_id = ?1 AND key >= ?2 AND key < ?3";

#define PAGE 500

/* ---- Names ---- */

static const char * const first_names[] = {
  "Jan", "Johannes", "Janneke", "Pieter", "Piet", "Kees", "Cornelis",
  "Hendrik", "Henk", "Willem", "Wim", "Gerrit", "Klaas", "Dirk", "Bart",
  "Daan", "Sem", "Lucas", "Finn", "Levi", "Noah", "Luuk", "Thijs", "Bram",
  "Ruben", "Emma", "Julia", "Sophie", "Anna", "Tess", "Sanne", "Lotte",
  "Fenna", "Eva", "Lisa", "Maria", "Anouk", "Inge", "Ingrid", "Marieke",
  "Femke", "Saskia", "Wilma", "Joke", "Truus", "Els", "Ria", "Zoë", "Chloë",
  "Sébastien", "Mohammed", "Fatima", "Ömer", "Ayşe", "Anne-Marie",
  "Jan-Willem", "Jantine", "Mark", "Peter", "Erik", "Martijn", "Sander",
  "Jeroen", "Bas", "Tim", "Rik", "Joost", "Maarten", "Koen", "Niels",
  "Annemiek", "Marloes", "Esther", "Linda", "Petra", "Monique", "Yvonne",
};

static const char * const onsets[] = {
  "B", "D", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "T", "W", "Z",
};
static const char * const vowels[] = {
  "a", "e", "i", "o", "u", "aa", "ee", "oo", "ie", "ij",
};
static const char * const codas[] = {
  "n", "s", "t", "k", "m", "l", "r", "ke", "tje", "nne", "ra", "na", "ro", "mke",
};

static const char * const tussenvoegsels[] = {
  "van", "de", "van de", "van der", "van den", "ter", "den", "op de", "te",
};

static const char * const last_names[] = {
  "Jansen", "Janssen", "Jong", "Vries", "Bakker", "Visser", "Smit", "Meijer",
  "Mulder", "Bos", "Vos", "Peters", "Hendriks", "Dekker", "Brouwer",
  "Dijkstra", "Vermeulen", "Kok", "Jacobs", "Berg", "Dijk", "Leeuwen", "Wit",
  "Boer", "Veen", "Wijk", "Linden", "Heuvel", "Graaf", "Bruijn", "Şahin",
  "Öztürk", "Müller", "Willems", "Schouten", "Postma", "Huisman",
};

static const char * const stems[] = {
  "Hoog", "Laag", "Wester", "Ooster", "Zuider", "Noorder", "Bloem", "Rozen",
  "Linden", "Eiken", "Beuk", "Berk", "Groen", "Wit", "Zwart", "Rood", "Bos",
  "Veld", "Hout", "Steen", "Klein", "Groot", "Nieuw", "Oud", "Brink", "Dam",
  "Zand", "Water", "Mol", "Kamp", "Haver", "Koren",
};
static const char * const endings[] = {
  "kamp", "veld", "dal", "berg", "man", "mans", "ink", "ing", "huis", "hof",
  "stra", "sma", "ma", "ga", "horst", "beek", "broek", "dijk", "hout",
  "meijer", "boom", "hagen", "wijk", "land",
};

#define PICK(rand, table) ((table)[g_rand_int_range ((rand), 0, G_N_ELEMENTS (table))])

static void
make_first_name (GRand   *rand,
                 GString *out)
{
  g_string_truncate (out, 0);
  if (g_rand_double (rand) < 0.7)
    g_string_append (out, PICK (rand, first_names));
  else
    {
      g_string_append (out, PICK (rand, onsets));
      g_string_append (out, PICK (rand, vowels));
      g_string_append (out, PICK (rand, codas));
    }
}

static void
make_last_name (GRand   *rand,
                GString *out)
{
  g_string_truncate (out, 0);
  if (g_rand_double (rand) < 0.35)
    {
      g_string_append (out, PICK (rand, tussenvoegsels));
      g_string_append_c (out, ' ');
    }
  if (g_rand_double (rand) < 0.5)
    g_string_append (out, PICK (rand, last_names));
  else
    {
      g_string_append (out, PICK (rand, stems));
      g_string_append (out, PICK (rand, endings));
    }
}

static void
make_birth_date (GRand *rand,
                 char   out[11])
{
  g_snprintf (out, 11, "%04d-%02d-%02d",
              g_rand_int_range (rand, 1950, 2004),
              g_rand_int_range (rand, 1, 13),
              g_rand_int_range (rand, 1, 29));
}

/* ---- Statistics ---- */

/* ---- Fill ---- */

typedef struct
{
  gint64 big_org;
  gint64 admin;
  gint64 total_users;
  gint64 big_members;
} Fill;

static void
fill (ZidPortal  *portal,
      const char *db_path,
      gint64      n_users,
      guint       n_orgs,
      GRand      *rand,
      Fill       *out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) first = g_string_new (NULL);
  g_autoptr(GString) last = g_string_new (NULL);
  g_autofree gint64 *org_ids = g_new0 (gint64, n_orgs);
  g_autofree guint32 *assign = NULL;
  gint64 big_target = n_users / 10;
  gint64 n_bulk = n_users - n_orgs;  /* every organisation has its Administrator */
  gint64 big_bulk = big_target - 1;
  gint64 n_inactive_old = 0, n_null = 0;
  char birth[11];
  double t0, t_api, t_bulk, t_ckpt;
  sqlite3 *db = NULL;
  sqlite3_stmt *insert_user, *insert_membership, *insert_key;

  t0 = now_ms ();
  for (guint i = 0; i < n_orgs; i++)
    {
      g_autofree char *ura = g_strdup_printf ("%08u", 10000000u + i);
      g_autofree char *name = g_strdup_printf ("Zorginstelling %u", i + 1);
      g_autoptr(ZidOneTimeCode) enrolment = NULL;
      g_autoptr(ZidOrganisation) org = NULL;

      make_first_name (rand, first);
      make_last_name (rand, last);
      make_birth_date (rand, birth);
      if (zid_portal_add_registration (portal, ura, name, NULL, NULL, NULL, &error) == 0 ||
          (enrolment = zid_portal_bootstrap (portal, ura, first->str, last->str, birth, &error)) == NULL ||
          (org = zid_portal_find_organisation (portal, ura, &error)) == NULL)
        g_error ("organisation %s: %s", ura, error ? error->message : "not found");
      org_ids[i] = org->id;
      if (i == 0)
        out->admin = enrolment->user_id;
    }
  out->big_org = org_ids[0];
  t_api = now_ms ();

  /* Which organisation each bulk user joins, shuffled so that the big
   * organisation's users are spread over the users table. */
  g_assert (n_bulk >= big_bulk);
  assign = g_new (guint32, n_bulk);
  for (gint64 i = 0; i < n_bulk; i++)
    assign[i] = i < big_bulk ? 0 : 1 + (guint32) ((i - big_bulk) % (n_orgs - 1));
  for (gint64 i = n_bulk - 1; i > 0; i--)
    {
      gint64 j = (gint64) (g_rand_double (rand) * (i + 1));
      guint32 tmp = assign[i];
      assign[i] = assign[j];
      assign[j] = tmp;
    }

  if (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
    die_sqlite (db, db_path);
  sqlite3_busy_timeout (db, 10000);
  exec_or_die (db, "PRAGMA cache_size = -1000000");  /* 1 GB: the fill only */
  exec_or_die (db, "BEGIN IMMEDIATE");
  insert_user = prepare_or_die (db,
                                "INSERT INTO users (first_name, last_name, birth_date, registered, last_use)"
                                " VALUES (?, ?, ?, ?, ?)");
  insert_membership = prepare_or_die (db,
                                      "INSERT INTO memberships (organisation_id, user_id, role) VALUES (?, ?, 1)");
  insert_key = prepare_or_die (db,
                               "INSERT OR IGNORE INTO name_keys (organisation_id, key, user_id)"
                               " VALUES (?, ?, ?)");

  for (gint64 i = 0; i < n_bulk; i++)
    {
      gint64 org = org_ids[assign[i]];
      gint64 registered, last_use = 0, user;
      double r = g_rand_double (rand);

      make_first_name (rand, first);
      make_last_name (rand, last);
      make_birth_date (rand, birth);

      /* last use: 8% never; of the rest 30% between 4 weeks and 90 days
       * ago, 70% within the last 4 weeks */
      if (r < 0.08)
        {
          registered = NOW - g_rand_int_range (rand, 1, 3 * 365) * DAY - g_rand_int_range (rand, 0, (int) DAY);
          n_null++;
        }
      else
        {
          if (g_rand_double (rand) < 0.30)
            last_use = NOW - 28 * DAY - 1 - (gint64) (g_rand_double (rand) * 62 * DAY);
          else
            last_use = NOW - (gint64) (g_rand_double (rand) * 28 * DAY);
          registered = last_use - (gint64) (g_rand_double (rand) * 3 * 365 * DAY);
        }
      if ((last_use ? last_use : registered) < NOW - ZID_INACTIVE_AFTER)
        n_inactive_old++;

      sqlite3_bind_text (insert_user, 1, first->str, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert_user, 2, last->str, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert_user, 3, birth, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (insert_user, 4, registered);
      if (last_use)
        sqlite3_bind_int64 (insert_user, 5, last_use);
      else
        sqlite3_bind_null (insert_user, 5);
      step_done_or_die (db, insert_user);
      user = sqlite3_last_insert_rowid (db);

      sqlite3_bind_int64 (insert_membership, 1, org);
      sqlite3_bind_int64 (insert_membership, 2, user);
      step_done_or_die (db, insert_membership);

      index_names (db, insert_key, org, user, first->str, last->str);
    }
  sqlite3_finalize (insert_user);
  sqlite3_finalize (insert_membership);
  sqlite3_finalize (insert_key);
  exec_or_die (db, "COMMIT");
  t_bulk = now_ms ();
  /* what SQLite's auto-checkpoint does after a big commit, made complete */
  exec_or_die (db, "PRAGMA wal_checkpoint(TRUNCATE)");
  t_ckpt = now_ms ();

  {
    sqlite3_stmt *count = prepare_or_die (db, "SELECT (SELECT count(*) FROM users),"
                                              " (SELECT count(*) FROM memberships WHERE organisation_id = ?),"
                                              " (SELECT count(*) FROM name_keys)");
    sqlite3_bind_int64 (count, 1, out->big_org);
    if (sqlite3_step (count) != SQLITE_ROW)
      die_sqlite (db, "count");
    out->total_users = sqlite3_column_int64 (count, 0);
    out->big_members = sqlite3_column_int64 (count, 1);
    g_print ("Fill: %u organisations via the portal API in %.1f s; %" G_GINT64_FORMAT
             " users + memberships + name keys in one transaction in %.1f s; checkpoint %.1f s\n",
             n_orgs, (t_api - t0) / 1000, n_bulk, (t_bulk - t_api) / 1000, (t_ckpt - t_bulk) / 1000);
    g_print ("      %" G_GINT64_FORMAT " users, %" G_GINT64_FORMAT " in the big organisation, %"
             G_GINT64_FORMAT " name keys; last use never %.1f%%, older than 4 weeks (or never) %.1f%%\n",
             out->total_users, out->big_members, (gint64) sqlite3_column_int64 (count, 2),
             100.0 * n_null / n_bulk, 100.0 * n_inactive_old / n_bulk);
    sqlite3_finalize (count);
  }

  {
    g_autoptr(GString) plan = g_string_new (NULL);
    const char *queries[] = { inactive_sql, search_sql };
    const char *names[] = { "list_inactive", "list_users (search)" };

    for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
      {
        g_autofree char *sql = g_strconcat ("EXPLAIN QUERY PLAN ", queries[q], NULL);
        sqlite3_stmt *stmt = prepare_or_die (db, sql);

        g_print ("Query plan, %s:\n", names[q]);
        while (sqlite3_step (stmt) == SQLITE_ROW)
          g_print ("      %s\n", (const char *) sqlite3_column_text (stmt, 3));
        sqlite3_finalize (stmt);
      }
  }
  sqlite3_close (db);
}

/* ---- The sqlite3 shell ---- */

typedef struct
{
  GArray *inner;      /* "Run Time: real", ms */
  GArray *outer;      /* whole process, ms */
  char   *last_out;   /* stdout of the last run */
} ShellRuns;

static void
shell_runs_clear (ShellRuns *runs)
{
  g_clear_pointer (&runs->inner, g_array_unref);
  g_clear_pointer (&runs->outer, g_array_unref);
  g_clear_pointer (&runs->last_out, g_free);
}

static gboolean
run_shell_once (const char * const *argv,
                const char         *script,
                double             *wall_ms,
                char              **out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *stdout_buf = NULL;
  g_autofree char *stderr_buf = NULL;
  double t0 = now_ms ();

  proc = g_subprocess_newv (argv,
                            G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                            G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  if (proc == NULL ||
      !g_subprocess_communicate_utf8 (proc, script, NULL, &stdout_buf, &stderr_buf, &error))
    {
      g_printerr ("bench-core: sqlite3: %s\n", error->message);
      return FALSE;
    }
  *wall_ms = now_ms () - t0;
  if (!g_subprocess_get_successful (proc) || (stderr_buf && *stderr_buf))
    {
      g_printerr ("bench-core: sqlite3 failed: %s\n", stderr_buf ? stderr_buf : "");
      return FALSE;
    }
  *out = g_steal_pointer (&stdout_buf);
  return TRUE;
}

static char *
sql_quote (const char *text)
{
  char *q = sqlite3_mprintf ("%Q", text);
  char *r = g_strdup (q);
  sqlite3_free (q);
  return r;
}

/* Runs @sql with @params (".parameter set" lines) @repeat times, one shell
 * process each, after one untimed warm-up. */
static gboolean
shell_measure (const char *db_path,
               const char *params,
               const char *sql,
               guint       repeat,
               ShellRuns  *runs)
{
  const char *argv[] = { "sqlite3", "-batch", db_path, NULL };
  g_autofree char *script = g_strdup_printf (".output /dev/null\n%s.timer on\n%s;\n", params, sql);

  runs->inner = g_array_new (FALSE, FALSE, sizeof (double));
  runs->outer = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i <= repeat; i++)
    {
      g_autofree char *out = NULL;
      const char *line;
      double wall, real;

      if (!run_shell_once (argv, script, &wall, &out))
        return FALSE;
      /* every statement's time, summed */
      real = 0;
      for (line = strstr (out, "Run Time: real "); line != NULL;
           line = strstr (line + 1, "Run Time: real "))
        {
          double one;

          if (sscanf (line, "Run Time: real %lf", &one) == 1)
            real += one;
        }
      if (strstr (out, "Run Time: real ") == NULL)
        {
          g_printerr ("bench-core: no .timer output from sqlite3: %s\n", out);
          return FALSE;
        }
      if (i == 0)
        continue;
      real *= 1000.0;
      g_array_append_val (runs->inner, real);
      g_array_append_val (runs->outer, wall);
    }
  return TRUE;
}

static gint64
shell_count (const char *db_path,
             const char *params,
             const char *sql)
{
  const char *argv[] = { "sqlite3", "-batch", db_path, NULL };
  g_autofree char *script = g_strdup_printf ("%sSELECT count(*) || ' ' || count(DISTINCT id) FROM (%s);\n",
                                             params, sql);
  g_autofree char *out = NULL;
  double wall;

  if (!run_shell_once (argv, script, &wall, &out))
    return -1;
  return g_ascii_strtoll (strchr (out, ' ') ? strchr (out, ' ') + 1 : out, NULL, 10);
}

/* ---- Core measurements ---- */

typedef GPtrArray *(*CoreQuery) (ZidPortal *portal, gint64 admin, gint64 org,
                                 const char *search, GError **error);

static GPtrArray *
core_inactive (ZidPortal *portal, gint64 admin, gint64 org, const char *search, GError **error)
{
  return zid_portal_list_inactive (portal, admin, org, error);
}

static GPtrArray *
core_search (ZidPortal *portal, gint64 admin, gint64 org, const char *search, GError **error)
{
  return zid_portal_list_users (portal, admin, org, search, error);
}

static GPtrArray *
core_search_page (ZidPortal *portal, gint64 admin, gint64 org, const char *search, GError **error)
{
  guint matches = 0;

  return zid_portal_search_users (portal, admin, org, search, PAGE, &matches, error);
}

static GArray *
core_measure (ZidPortal  *portal,
              CoreQuery   query,
              gint64      admin,
              gint64      org,
              const char *search,
              guint       repeat,
              guint      *n_results)
{
  GArray *samples = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i <= repeat; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) users = NULL;
      double t0 = now_ms (), t;

      users = query (portal, admin, org, search, &error);
      t = now_ms () - t0;
      if (users == NULL)
        g_error ("core query: %s", error->message);
      *n_results = users->len;
      if (i > 0)  /* the first run is a warm-up */
        g_array_append_val (samples, t);
    }
  return samples;
}

/* ---- Report ---- */

typedef struct
{
  char   *metric;
  double  core_median;
  double  core_p99;
  double  shell_inner;
  double  shell_outer;
  double  startup;
  char   *target;
  gboolean has_shell;
} Row;

static void
print_table (Row   *rows,
             guint  n_rows)
{
  g_print ("\n%-38s %10s %10s %10s %7s %12s %12s %8s  %s\n",
           "metric", "core med", "core p99", "shell med", "ratio",
           "shell proc", "proc-start", "ratio", "target");
  g_print ("%-38s %10s %10s %10s %7s %12s %12s %8s\n",
           "", "ms", "ms", "(.timer)", "", "ms (raw)", "ms", "(corr.)");
  for (guint i = 0; i < n_rows; i++)
    {
      Row *r = &rows[i];

      if (r->has_shell)
        {
          double corrected = r->shell_outer - r->startup;
          g_print ("%-38s %10.2f %10.2f %10.1f %7.2f %12.1f %12.1f %8.2f  %s\n",
                   r->metric, r->core_median, r->core_p99, r->shell_inner,
                   r->shell_inner > 0 ? r->core_median / r->shell_inner : INFINITY,
                   r->shell_outer, corrected,
                   corrected > 0 ? r->core_median / corrected : INFINITY,
                   r->target);
        }
      else
        g_print ("%-38s %10.2f %10.2f %10s %7s %12s %12s %8s  %s\n",
                 r->metric, r->core_median, r->core_p99, "-", "-", "-", "-", "-", r->target);
    }
  g_print ("\nratio = core median / sqlite3 shell median (.timer \"Run Time: real\", 1 ms resolution);\n"
           "ratio (corr.) = core median / (median shell process time - median start-up of `sqlite3 DB 'SELECT 1'`).\n"
           "Raw ratio against the whole process = core median / shell proc.\n");
}

/* ---- Main ---- */

static gboolean
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_unlink (child);
    }
  return g_rmdir (path) == 0;
}

int
main (int    argc,
      char **argv)
{
  gint64 n_users = 1000000;
  int n_orgs = 1000;
  int repeat = 20;
  int shell_repeat = 10;
  int n_register = 200;
  char *dir_opt = NULL;
  gboolean keep = FALSE;
  GOptionEntry entries[] = {
    { "users", 0, 0, G_OPTION_ARG_INT64, &n_users, "Users in total (1000000)", "N" },
    { "organisations", 0, 0, G_OPTION_ARG_INT, &n_orgs, "Organisations (1000)", "N" },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir_opt, "Fresh data dir (default: a temporary one, removed afterwards)", "DIR" },
    { "repeat", 0, 0, G_OPTION_ARG_INT, &repeat, "Runs of each core query (20)", "N" },
    { "shell-repeat", 0, 0, G_OPTION_ARG_INT, &shell_repeat, "sqlite3 shell runs of each query (10)", "N" },
    { "registrations", 0, 0, G_OPTION_ARG_INT, &n_register, "Single-user registrations timed (200)", "N" },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "Keep the temporary data dir", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— core benchmark at 1,000,000 users");
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidClock) clock = NULL;
  g_autoptr(ZidPortal) portal = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20260101);
  g_autofree char *dir = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *startup_out = NULL;
  g_autoptr(GArray) startup = g_array_new (FALSE, FALSE, sizeof (double));
  const char *prefixes[] = { "jan", "bloemh" };
  Row rows[12];
  guint n_rows = 0;
  Fill f = { 0 };
  double startup_median;
  gboolean temporary = FALSE;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-core: %s\n", error->message);
      return 2;
    }
  if (n_orgs < 2 || n_users < 10 * (gint64) n_orgs || repeat < 1 || shell_repeat < 1 || n_register < 1)
    {
      g_printerr ("bench-core: need --organisations >= 2, --users >= 10 × organisations, counts >= 1\n");
      return 2;
    }

  if (dir_opt != NULL)
    {
      dir = g_canonicalize_filename (dir_opt, NULL);
      db_path = g_build_filename (dir, "zorgid.db", NULL);
      if (g_file_test (db_path, G_FILE_TEST_EXISTS))
        {
          g_printerr ("bench-core: %s exists; give a fresh data dir\n", db_path);
          return 2;
        }
    }
  else
    {
      dir = g_dir_make_tmp ("zid-bench-core-XXXXXX", &error);
      if (dir == NULL)
        {
          g_printerr ("bench-core: %s\n", error->message);
          return 1;
        }
      db_path = g_build_filename (dir, "zorgid.db", NULL);
      temporary = TRUE;
    }

  g_print ("bench-core: %" G_GINT64_FORMAT " users, %d organisations, data dir %s, SQLite %s\n",
           n_users, n_orgs, dir, sqlite3_libversion ());

  clock = zid_clock_new_fixed (NOW);
  portal = zid_portal_open (dir, ZID_ENVIRONMENT_ACCEPTATIE, clock, &error);
  if (portal == NULL)
    {
      g_printerr ("bench-core: %s\n", error->message);
      return 1;
    }

  fill (portal, db_path, n_users, (guint) n_orgs, rand, &f);

  /* shell start-up */
  {
    const char *argv_startup[] = { "sqlite3", db_path, "SELECT 1", NULL };

    for (int i = 0; i <= shell_repeat; i++)
      {
        double wall;

        g_clear_pointer (&startup_out, g_free);
        if (!run_shell_once (argv_startup, "", &wall, &startup_out))
          return 1;
        if (i > 0)
          g_array_append_val (startup, wall);
      }
    startup_median = percentile (startup, 50);
    g_print ("\nsqlite3 shell start-up (`sqlite3 DB 'SELECT 1'`): median %.1f ms over %d runs\n",
             startup_median, shell_repeat);
  }

  /* (a) inactive users */
  {
    g_autofree char *params = g_strdup_printf (".parameter set ?1 %" G_GINT64_FORMAT "\n"
                                               ".parameter set ?2 %" G_GINT64_FORMAT "\n",
                                               f.big_org, NOW - ZID_INACTIVE_AFTER);
    g_autoptr(GArray) core = NULL;
    ShellRuns shell = { 0 };
    guint n = 0;
    gint64 shell_n;

    core = core_measure (portal, core_inactive, f.admin, f.big_org, NULL, repeat, &n);
    if (!shell_measure (db_path, params, inactive_sql, shell_repeat, &shell))
      return 1;
    shell_n = shell_count (db_path, params, inactive_sql);
    g_print ("list_inactive: core %u users, shell %" G_GINT64_FORMAT " users%s\n",
             n, shell_n, shell_n == n ? "" : "  ** MISMATCH **");
    rows[n_rows++] = (Row) {
      .metric = g_strdup_printf ("list_inactive (%u of %" G_GINT64_FORMAT ")", n, f.big_members),
      .core_median = percentile (core, 50), .core_p99 = percentile (core, 99),
      .shell_inner = percentile (shell.inner, 50), .shell_outer = percentile (shell.outer, 50),
      .startup = startup_median, .target = g_strdup ("ratio <= 1.5"), .has_shell = TRUE,
    };
    shell_runs_clear (&shell);
  }

  /* (b) name search */
  for (guint p = 0; p < G_N_ELEMENTS (prefixes); p++)
    {
      g_autofree char *key = zid_name_key (prefixes[p]);
      g_autofree char *key_end = g_strconcat (key, "\xf4\x8f\xbf\xbf", NULL);  /* prefix_end () */
      g_autofree char *q_key = sql_quote (key);
      g_autofree char *q_end = sql_quote (key_end);
      g_autofree char *params = g_strdup_printf (".parameter set ?1 %" G_GINT64_FORMAT "\n"
                                                 ".parameter set ?2 \"%s\"\n"
                                                 ".parameter set ?3 \"%s\"\n"
                                                 ".parameter set ?4 -1\n",
                                                 f.big_org, q_key, q_end);
      g_autofree char *page_params = g_strdup_printf (".parameter set ?1 %" G_GINT64_FORMAT "\n"
                                                      ".parameter set ?2 \"%s\"\n"
                                                      ".parameter set ?3 \"%s\"\n"
                                                      ".parameter set ?4 %d\n",
                                                      f.big_org, q_key, q_end, PAGE);
      g_autofree char *page_sql = g_strdup_printf ("%s;\n%s", count_sql, search_sql);
      g_autoptr(GArray) core = NULL;
      ShellRuns shell = { 0 };
      guint n = 0;
      gint64 shell_n;

      core = core_measure (portal, core_search, f.admin, f.big_org, prefixes[p], repeat, &n);
      if (!shell_measure (db_path, params, search_sql, shell_repeat, &shell))
        return 1;
      shell_n = shell_count (db_path, params, search_sql);
      g_print ("list_users \"%s\": core %u users, shell %" G_GINT64_FORMAT " distinct users%s\n",
               prefixes[p], n, shell_n, shell_n == n ? "" : "  ** MISMATCH **");
      rows[n_rows++] = (Row) {
        .metric = g_strdup_printf ("list_users \"%s\" (%u users)", prefixes[p], n),
        .core_median = percentile (core, 50), .core_p99 = percentile (core, 99),
        .shell_inner = percentile (shell.inner, 50), .shell_outer = percentile (shell.outer, 50),
        .startup = startup_median, .target = g_strdup ("ratio <= 1.5; < 16 ms"), .has_shell = TRUE,
      };
      shell_runs_clear (&shell);

      /* the first page, as the window asks for it, with the count */
      g_clear_pointer (&core, g_array_unref);
      core = core_measure (portal, core_search_page, f.admin, f.big_org, prefixes[p], repeat, &n);
      if (!shell_measure (db_path, page_params, page_sql, shell_repeat, &shell))
        return 1;
      rows[n_rows++] = (Row) {
        .metric = g_strdup_printf ("search_users \"%s\" first %d + count", prefixes[p], PAGE),
        .core_median = percentile (core, 50), .core_p99 = percentile (core, 99),
        .shell_inner = percentile (shell.inner, 50), .shell_outer = percentile (shell.outer, 50),
        .startup = startup_median, .target = g_strdup ("ratio <= 1.5; < 16 ms"), .has_shell = TRUE,
      };
      shell_runs_clear (&shell);
    }

  /* 4. single-user registration */
  {
    g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr(GString) first = g_string_new (NULL);
    g_autoptr(GString) last = g_string_new (NULL);
    char birth[11];

    for (int i = 0; i < n_register; i++)
      {
        g_autoptr(ZidOneTimeCode) enrolment = NULL;
        double t0, t;

        make_first_name (rand, first);
        make_last_name (rand, last);
        make_birth_date (rand, birth);
        t0 = now_ms ();
        enrolment = zid_portal_register_user (portal, f.admin, f.big_org, first->str, last->str, birth, &error);
        t = now_ms () - t0;
        if (enrolment == NULL)
          g_error ("register_user: %s", error->message);
        g_array_append_val (samples, t);
      }
    rows[n_rows++] = (Row) {
      .metric = g_strdup_printf ("register_user (%d into the big org)", n_register),
      .core_median = percentile (samples, 50), .core_p99 = percentile (samples, 99),
      .target = g_strdup ("(latency)"),
    };
  }

  g_print ("\nCore: median and p99 over %d runs after one warm-up; shell: medians over %d processes after one warm-up.\n",
           repeat, shell_repeat);
  print_table (rows, n_rows);

  for (guint i = 0; i < n_rows; i++)
    {
      g_free (rows[i].metric);
      g_free (rows[i].target);
    }
  g_clear_object (&portal);
  if (temporary && !keep)
    remove_tree (dir);
  else
    g_print ("\nData dir kept: %s\n", dir);
  g_free (dir_opt);
  return 0;
}
