/* bench-core.c — the core's queries at 1,000,000 users, against the same
 * SQL in the sqlite3 shell, and single-user registration latency.
 *
 *   bench-core [--users N] [--organisations N] [--dir DIR] [--repeat N] [--keep]
 *              [--database postgresql://…]
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
 *
 * With --database URI (an empty PostgreSQL database): the same data (the
 * same seed) in it as well, the organisations through the portal API on a
 * portal opened on URI, the bulk rows by COPY in one transaction on a libpq
 * connection of its own, then VACUUM ANALYZE (what autovacuum does soon
 * after a bulk load: statistics, and the visibility map that lets an index
 * answer alone); each core query is timed on both portals in alternating runs
 * and printed side by side with the ratio PostgreSQL / SQLite.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "config.h"
#if ZID_ENABLE_POSTGRESQL
#include <libpq-fe.h>
#endif

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

/* Where the bulk rows go: a sqlite3 connection, or COPY buffers for a
 * PostgreSQL one */
typedef struct
{
  sqlite3      *db;
  sqlite3_stmt *insert_user;
  sqlite3_stmt *insert_membership;
  sqlite3_stmt *insert_key;
#if ZID_ENABLE_POSTGRESQL
  PGconn       *pg;
  gint64        next_id;
  GString      *users;
  GString      *memberships;
  GString      *keys;
#endif
} Sink;

#if ZID_ENABLE_POSTGRESQL
G_NORETURN static void
die_pg (PGconn     *pg,
        const char *what)
{
  g_printerr ("bench-core: PostgreSQL: %s: %s\n", what, PQerrorMessage (pg));
  exit (1);
}

/* Runs @sql; the first row's first column as an integer (0 without one) */
static gint64
pg_exec_or_die (PGconn     *pg,
                const char *sql)
{
  PGresult *result = PQexec (pg, sql);
  ExecStatusType status = PQresultStatus (result);
  gint64 value = 0;

  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    die_pg (pg, sql);
  if (status == PGRES_TUPLES_OK && PQntuples (result) > 0 && !PQgetisnull (result, 0, 0))
    value = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
  PQclear (result);
  return value;
}

/* @text as a field of COPY's text format */
static void
copy_text (GString    *out,
           const char *text)
{
  for (const char *p = text; *p; p++)
    {
      if (*p == '\\' || *p == '\t' || *p == '\n' || *p == '\r')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p == '\t' ? 't' : *p == '\n' ? 'n' : *p == '\r' ? 'r' : *p);
    }
}

static void
copy_or_die (PGconn     *pg,
             const char *sql,
             GString    *rows)
{
  PGresult *result = PQexec (pg, sql);

  if (PQresultStatus (result) != PGRES_COPY_IN)
    die_pg (pg, sql);
  PQclear (result);
  for (gsize off = 0; off < rows->len; off += 1 << 20)
    if (PQputCopyData (pg, rows->str + off, (int) MIN ((gsize) 1 << 20, rows->len - off)) != 1)
      die_pg (pg, sql);
  if (PQputCopyEnd (pg, NULL) != 1)
    die_pg (pg, sql);
  while ((result = PQgetResult (pg)) != NULL)
    {
      if (PQresultStatus (result) != PGRES_COMMAND_OK)
        die_pg (pg, sql);
      PQclear (result);
    }
}
#endif

/* One bulk user with its membership and name keys; its id */
static gint64
sink_user (Sink       *sink,
           gint64      org,
           const char *first,
           const char *last,
           const char *birth,
           gint64      registered,
           gint64      last_use)
{
  gint64 user;

#if ZID_ENABLE_POSTGRESQL
  if (sink->pg != NULL)
    {
      g_auto(GStrv) keys = zid_name_keys (first, last);
      g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

      user = sink->next_id++;
      g_string_append_printf (sink->users, "%" G_GINT64_FORMAT "\t", user);
      copy_text (sink->users, first);
      g_string_append_c (sink->users, '\t');
      copy_text (sink->users, last);
      g_string_append_printf (sink->users, "\t%s\t%" G_GINT64_FORMAT "\t", birth, registered);
      if (last_use)
        g_string_append_printf (sink->users, "%" G_GINT64_FORMAT "\n", last_use);
      else
        g_string_append (sink->users, "\\N\n");
      g_string_append_printf (sink->memberships, "%" G_GINT64_FORMAT "\t%" G_GINT64_FORMAT "\t1\n",
                              org, user);
      /* INSERT OR IGNORE's part: each key once per member */
      for (guint i = 0; keys[i]; i++)
        if (g_hash_table_add (seen, keys[i]))
          {
            g_string_append_printf (sink->keys, "%" G_GINT64_FORMAT "\t", org);
            copy_text (sink->keys, keys[i]);
            g_string_append_printf (sink->keys, "\t%" G_GINT64_FORMAT "\n", user);
          }
      return user;
    }
#endif

  sqlite3_bind_text (sink->insert_user, 1, first, -1, SQLITE_STATIC);
  sqlite3_bind_text (sink->insert_user, 2, last, -1, SQLITE_STATIC);
  sqlite3_bind_text (sink->insert_user, 3, birth, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (sink->insert_user, 4, registered);
  if (last_use)
    sqlite3_bind_int64 (sink->insert_user, 5, last_use);
  else
    sqlite3_bind_null (sink->insert_user, 5);
  step_done_or_die (sink->db, sink->insert_user);
  user = sqlite3_last_insert_rowid (sink->db);

  sqlite3_bind_int64 (sink->insert_membership, 1, org);
  sqlite3_bind_int64 (sink->insert_membership, 2, user);
  step_done_or_die (sink->db, sink->insert_membership);

  index_names (sink->db, sink->insert_key, org, user, first, last);
  return user;
}

/* Fills @portal's store: the organisations through the portal, the bulk
 * rows on a connection of their own, to @db_path (SQLite) or @uri
 * (PostgreSQL, when not NULL) */
static void
fill (ZidPortal  *portal,
      const char *db_path,
      const char *uri,
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
  gint64 n_inactive_old = 0, n_null = 0, n_keys = 0;
  char birth[11];
  double t0, t_api, t_bulk, t_ckpt;
  Sink sink = { 0 };

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

#if ZID_ENABLE_POSTGRESQL
  if (uri != NULL)
    {
      sink.pg = PQconnectdb (uri);
      if (PQstatus (sink.pg) != CONNECTION_OK)
        die_pg (sink.pg, uri);
      pg_exec_or_die (sink.pg, "BEGIN");
      sink.next_id = pg_exec_or_die (sink.pg, "SELECT max (id) FROM users") + 1;
      sink.users = g_string_sized_new ((gsize) n_bulk * 48);
      sink.memberships = g_string_sized_new ((gsize) n_bulk * 16);
      sink.keys = g_string_sized_new ((gsize) n_bulk * 64);
    }
  else
#endif
    {
      if (sqlite3_open_v2 (db_path, &sink.db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        die_sqlite (sink.db, db_path);
      sqlite3_busy_timeout (sink.db, 10000);
      exec_or_die (sink.db, "PRAGMA cache_size = -1000000");  /* 1 GB: the fill only */
      exec_or_die (sink.db, "BEGIN IMMEDIATE");
      sink.insert_user = prepare_or_die (sink.db,
                                         "INSERT INTO users (first_name, last_name, birth_date, registered, last_use)"
                                         " VALUES (?, ?, ?, ?, ?)");
      sink.insert_membership = prepare_or_die (sink.db,
                                               "INSERT INTO memberships (organisation_id, user_id, role) VALUES (?, ?, 1)");
      sink.insert_key = prepare_or_die (sink.db,
                                        "INSERT OR IGNORE INTO name_keys (organisation_id, key, user_id)"
                                        " VALUES (?, ?, ?)");
    }

  for (gint64 i = 0; i < n_bulk; i++)
    {
      gint64 org = org_ids[assign[i]];
      gint64 registered, last_use = 0;
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

      sink_user (&sink, org, first->str, last->str, birth, registered, last_use);
    }

#if ZID_ENABLE_POSTGRESQL
  if (sink.pg != NULL)
    {
      g_autofree char *counts = g_strdup_printf ("SELECT (SELECT count(*) FROM users),"
                                                    " (SELECT count(*) FROM memberships WHERE organisation_id = %"
                                                    G_GINT64_FORMAT "), (SELECT count(*) FROM name_keys)",
                                                    out->big_org);
      PGresult *result;

      /* the rows' triggers are skipped (replica role: the fixture's user is
       * a superuser), the changes noted as the triggers would, at once: the
       * change trigger's upsert of the organisation per member is
       * quadratic in one transaction */
      pg_exec_or_die (sink.pg, "SET LOCAL session_replication_role = replica");
      copy_or_die (sink.pg, "COPY users (id, first_name, last_name, birth_date, registered, last_use)"
                            " FROM STDIN", sink.users);
      copy_or_die (sink.pg, "COPY memberships (organisation_id, user_id, role) FROM STDIN",
                   sink.memberships);
      copy_or_die (sink.pg, "COPY name_keys (organisation_id, key, user_id) FROM STDIN", sink.keys);
      pg_exec_or_die (sink.pg, "SET LOCAL session_replication_role = origin");
      pg_exec_or_die (sink.pg, "INSERT INTO changes (kind, id, seq)"
                               " SELECT kind, id, (SELECT max (seq) FROM changes) + row_number () OVER ()"
                               " FROM (SELECT 1 AS kind, id FROM users UNION ALL"
                               " SELECT 2, id FROM organisations) AS changed"
                               " ON CONFLICT (kind, id) DO UPDATE SET seq = excluded.seq");
      /* the identity goes on after the ids given here */
      pg_exec_or_die (sink.pg, "SELECT setval (pg_get_serial_sequence ('users', 'id'), max (id)) FROM users");
      pg_exec_or_die (sink.pg, "COMMIT");
      g_string_free (sink.users, TRUE);
      g_string_free (sink.memberships, TRUE);
      g_string_free (sink.keys, TRUE);
      t_bulk = now_ms ();
      pg_exec_or_die (sink.pg, "VACUUM ANALYZE");
      t_ckpt = now_ms ();

      result = PQexec (sink.pg, counts);
      if (PQresultStatus (result) != PGRES_TUPLES_OK)
        die_pg (sink.pg, counts);
      out->total_users = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
      out->big_members = g_ascii_strtoll (PQgetvalue (result, 0, 1), NULL, 10);
      n_keys = g_ascii_strtoll (PQgetvalue (result, 0, 2), NULL, 10);
      PQclear (result);
      PQfinish (sink.pg);
    }
  else
#endif
    {
      sqlite3_stmt *count;

      sqlite3_finalize (sink.insert_user);
      sqlite3_finalize (sink.insert_membership);
      sqlite3_finalize (sink.insert_key);
      exec_or_die (sink.db, "COMMIT");
      t_bulk = now_ms ();
      /* what SQLite's auto-checkpoint does after a big commit, made complete */
      exec_or_die (sink.db, "PRAGMA wal_checkpoint(TRUNCATE)");
      t_ckpt = now_ms ();

      count = prepare_or_die (sink.db, "SELECT (SELECT count(*) FROM users),"
                                       " (SELECT count(*) FROM memberships WHERE organisation_id = ?),"
                                       " (SELECT count(*) FROM name_keys)");
      sqlite3_bind_int64 (count, 1, out->big_org);
      if (sqlite3_step (count) != SQLITE_ROW)
        die_sqlite (sink.db, "count");
      out->total_users = sqlite3_column_int64 (count, 0);
      out->big_members = sqlite3_column_int64 (count, 1);
      n_keys = sqlite3_column_int64 (count, 2);
      sqlite3_finalize (count);
    }

  g_print ("Fill (%s): %u organisations via the portal API in %.1f s; %" G_GINT64_FORMAT
           " users + memberships + name keys in one transaction in %.1f s; %s %.1f s\n",
           uri ? "PostgreSQL" : "SQLite", n_orgs, (t_api - t0) / 1000, n_bulk,
           (t_bulk - t_api) / 1000, uri ? "VACUUM ANALYZE" : "checkpoint", (t_ckpt - t_bulk) / 1000);
  g_print ("      %" G_GINT64_FORMAT " users, %" G_GINT64_FORMAT " in the big organisation, %"
           G_GINT64_FORMAT " name keys; last use never %.1f%%, older than 4 weeks (or never) %.1f%%\n",
           out->total_users, out->big_members, n_keys,
           100.0 * n_null / n_bulk, 100.0 * n_inactive_old / n_bulk);

  if (sink.db != NULL)
    {
      const char *queries[] = { inactive_sql, search_sql };
      const char *names[] = { "list_inactive", "list_users (search)" };

      for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
        {
          g_autofree char *sql = g_strconcat ("EXPLAIN QUERY PLAN ", queries[q], NULL);
          sqlite3_stmt *stmt = prepare_or_die (sink.db, sql);

          g_print ("Query plan, %s:\n", names[q]);
          while (sqlite3_step (stmt) == SQLITE_ROW)
            g_print ("      %s\n", (const char *) sqlite3_column_text (stmt, 3));
          sqlite3_finalize (stmt);
        }
      sqlite3_close (sink.db);
    }
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

/* A portal and the ids its fill gave: the actor and the big organisation */
typedef struct
{
  ZidPortal *portal;
  gint64     admin;
  gint64     org;
} Target;

/* The ids of @users in order, folded into one number */
static guint64
ids_digest (GPtrArray *users)
{
  guint64 h = 1469598103934665603ull;

  for (guint i = 0; i < users->len; i++)
    h = (h ^ (guint64) zid_user_get_id (users->pdata[i])) * 1099511628211ull;
  return h;
}

/* @query @repeat times on each target in turn (runs alternate, so that the
 * machine's load falls on both alike), after one untimed warm-up each;
 * samples[i] the times on targets[i]. FALSE when the targets' answers
 * differ (other users or another order) */
static gboolean
core_measure (const Target *targets,
              guint         n_targets,
              CoreQuery     query,
              const char   *search,
              guint         repeat,
              GArray      **samples,
              guint        *n_results)
{
  gboolean same = TRUE;
  guint64 first_digest = 0;

  for (guint t = 0; t < n_targets; t++)
    samples[t] = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i <= repeat; i++)
    for (guint t = 0; t < n_targets; t++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) users = NULL;
        double t0 = now_ms (), ms;

        users = query (targets[t].portal, targets[t].admin, targets[t].org, search, &error);
        ms = now_ms () - t0;
        if (users == NULL)
          g_error ("core query: %s", error->message);
        if (t == 0)
          {
            *n_results = users->len;
            first_digest = ids_digest (users);
          }
        else if (i == 0 && (users->len != *n_results || ids_digest (users) != first_digest))
          same = FALSE;
        if (i > 0)  /* the first run is a warm-up */
          g_array_append_val (samples[t], ms);
      }
  return same;
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
  /* with --database: SQLite's and PostgreSQL's figures */
  gboolean has_pg;
  gboolean pg_same;
  double  sqlite_p95;
  double  pg_median;
  double  pg_p95;
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
  if (n_rows > 0 && rows[0].has_pg)
    {
      g_print ("\n%-38s %10s %10s %10s %10s %8s  %s\n",
               "metric", "SQLite", "SQLite", "PostgreSQL", "PostgreSQL", "ratio", "target");
      g_print ("%-38s %10s %10s %10s %10s %8s\n", "", "med ms", "p95 ms", "med ms", "p95 ms", "PG/SQLite");
      for (guint i = 0; i < n_rows; i++)
        {
          Row *r = &rows[i];

          g_print ("%-38s %10.2f %10.2f %10.2f %10.2f %8.2f  %s%s\n",
                   r->metric, r->core_median, r->sqlite_p95, r->pg_median, r->pg_p95,
                   r->pg_median / r->core_median, r->has_shell ? "ratio <= 2" : "(latency)",
                   r->pg_same ? "" : "  ** ANSWERS DIFFER **");
        }
      g_print ("ratio = PostgreSQL median / SQLite median, the same core call on the same data,"
               " runs alternating.\n");
    }
  g_print ("\nratio = core median / sqlite3 shell median (.timer \"Run Time: real\", 1 ms resolution);\n"
           "ratio (corr.) = core median / (median shell process time - median start-up of `sqlite3 DB 'SELECT 1'`).\n"
           "Raw ratio against the whole process = core median / shell proc.\n");
}

/* @row's core figures from @samples (SQLite, then PostgreSQL if measured) */
static void
row_set_core (Row     *row,
              GArray **samples,
              guint    n_targets,
              gboolean same)
{
  row->core_median = percentile (samples[0], 50);
  row->core_p99 = percentile (samples[0], 99);
  row->sqlite_p95 = percentile (samples[0], 95);
  if (n_targets > 1)
    {
      row->has_pg = TRUE;
      row->pg_same = same;
      row->pg_median = percentile (samples[1], 50);
      row->pg_p95 = percentile (samples[1], 95);
    }
  for (guint t = 0; t < n_targets; t++)
    g_array_unref (samples[t]);
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
  char *database = NULL;
  gboolean keep = FALSE;
  GOptionEntry entries[] = {
    { "users", 0, 0, G_OPTION_ARG_INT64, &n_users, "Users in total (1000000)", "N" },
    { "organisations", 0, 0, G_OPTION_ARG_INT, &n_orgs, "Organisations (1000)", "N" },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir_opt, "Fresh data dir (default: a temporary one, removed afterwards)", "DIR" },
    { "repeat", 0, 0, G_OPTION_ARG_INT, &repeat, "Runs of each core query (20)", "N" },
    { "shell-repeat", 0, 0, G_OPTION_ARG_INT, &shell_repeat, "sqlite3 shell runs of each query (10)", "N" },
    { "registrations", 0, 0, G_OPTION_ARG_INT, &n_register, "Single-user registrations timed (200)", "N" },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "Keep the temporary data dir", NULL },
    { "database", 0, 0, G_OPTION_ARG_STRING, &database,
      "Also an empty PostgreSQL database, filled alike and timed beside SQLite", "URI" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— core benchmark at 1,000,000 users");
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidClock) clock = NULL;
  g_autoptr(ZidPortal) portal = NULL;
  g_autoptr(ZidPortal) pg_portal = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20260101);
  g_autoptr(GRand) pg_rand = g_rand_new_with_seed (20260101);  /* the same data */
  Target targets[2];
  guint n_targets = 1;
  GArray *samples[2];
  gboolean same;
  g_autofree char *dir = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *startup_out = NULL;
  g_autoptr(GArray) startup = g_array_new (FALSE, FALSE, sizeof (double));
  const char *prefixes[] = { "jan", "bloemh" };
  Row rows[12];
  guint n_rows = 0;
  Fill f = { 0 };
  Fill pg_f = { 0 };
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

  g_unsetenv ("ZID_DATABASE");
  fill (portal, db_path, NULL, n_users, (guint) n_orgs, rand, &f);
  targets[0] = (Target) { portal, f.admin, f.big_org };

  if (database != NULL)
    {
#if ZID_ENABLE_POSTGRESQL
      /* its own data dir (keys, seal key), its store in @database */
      g_autofree char *pg_dir = g_build_filename (dir, "pg", NULL);
      PGconn *check;

      g_mkdir (pg_dir, 0700);
      g_setenv ("ZID_DATABASE", database, TRUE);
      pg_portal = zid_portal_open (pg_dir, ZID_ENVIRONMENT_ACCEPTATIE, clock, &error);
      g_unsetenv ("ZID_DATABASE");
      if (pg_portal == NULL)
        {
          g_printerr ("bench-core: %s: %s\n", database, error->message);
          return 1;
        }
      check = PQconnectdb (database);
      if (PQstatus (check) != CONNECTION_OK)
        die_pg (check, database);
      if (pg_exec_or_die (check, "SELECT count (*) FROM organisations") > 0)
        {
          g_printerr ("bench-core: %s is not empty; give a fresh database\n", database);
          return 2;
        }
      PQfinish (check);
      fill (pg_portal, NULL, database, n_users, (guint) n_orgs, pg_rand, &pg_f);
      targets[n_targets++] = (Target) { pg_portal, pg_f.admin, pg_f.big_org };
#else
      g_printerr ("bench-core: built without PostgreSQL\n");
      return 2;
#endif
    }

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
    ShellRuns shell = { 0 };
    guint n = 0;
    gint64 shell_n;

    same = core_measure (targets, n_targets, core_inactive, NULL, repeat, samples, &n);
    if (!shell_measure (db_path, params, inactive_sql, shell_repeat, &shell))
      return 1;
    shell_n = shell_count (db_path, params, inactive_sql);
    g_print ("list_inactive: core %u users, shell %" G_GINT64_FORMAT " users%s\n",
             n, shell_n, shell_n == n ? "" : "  ** MISMATCH **");
    rows[n_rows++] = (Row) {
      .metric = g_strdup_printf ("list_inactive (%u of %" G_GINT64_FORMAT ")", n, f.big_members),
      .shell_inner = percentile (shell.inner, 50), .shell_outer = percentile (shell.outer, 50),
      .startup = startup_median, .target = g_strdup ("ratio <= 1.5"), .has_shell = TRUE,
    };
    row_set_core (&rows[n_rows - 1], samples, n_targets, same);
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
      ShellRuns shell = { 0 };
      guint n = 0;
      gint64 shell_n;

      same = core_measure (targets, n_targets, core_search, prefixes[p], repeat, samples, &n);
      if (!shell_measure (db_path, params, search_sql, shell_repeat, &shell))
        return 1;
      shell_n = shell_count (db_path, params, search_sql);
      g_print ("list_users \"%s\": core %u users, shell %" G_GINT64_FORMAT " distinct users%s\n",
               prefixes[p], n, shell_n, shell_n == n ? "" : "  ** MISMATCH **");
      rows[n_rows++] = (Row) {
        .metric = g_strdup_printf ("list_users \"%s\" (%u users)", prefixes[p], n),
        .shell_inner = percentile (shell.inner, 50), .shell_outer = percentile (shell.outer, 50),
        .startup = startup_median, .target = g_strdup ("ratio <= 1.5; < 16 ms"), .has_shell = TRUE,
      };
      row_set_core (&rows[n_rows - 1], samples, n_targets, same);
      shell_runs_clear (&shell);

      /* the first page, as the window asks for it, with the count */
      same = core_measure (targets, n_targets, core_search_page, prefixes[p], repeat, samples, &n);
      if (!shell_measure (db_path, page_params, page_sql, shell_repeat, &shell))
        return 1;
      rows[n_rows++] = (Row) {
        .metric = g_strdup_printf ("search_users \"%s\" first %d + count", prefixes[p], PAGE),
        .shell_inner = percentile (shell.inner, 50), .shell_outer = percentile (shell.outer, 50),
        .startup = startup_median, .target = g_strdup ("ratio <= 1.5; < 16 ms"), .has_shell = TRUE,
      };
      row_set_core (&rows[n_rows - 1], samples, n_targets, same);
      shell_runs_clear (&shell);
    }

  /* 4. single-user registration, the same names on both stores */
  {
    GRand *rands[2] = { rand, pg_rand };
    g_autoptr(GString) first = g_string_new (NULL);
    g_autoptr(GString) last = g_string_new (NULL);
    char birth[11];

    for (guint t = 0; t < n_targets; t++)
      samples[t] = g_array_new (FALSE, FALSE, sizeof (double));
    for (int i = 0; i < n_register; i++)
      for (guint t = 0; t < n_targets; t++)
        {
          g_autoptr(ZidOneTimeCode) enrolment = NULL;
          double t0, ms;

          make_first_name (rands[t], first);
          make_last_name (rands[t], last);
          make_birth_date (rands[t], birth);
          t0 = now_ms ();
          enrolment = zid_portal_register_user (targets[t].portal, targets[t].admin, targets[t].org,
                                                first->str, last->str, birth, &error);
          ms = now_ms () - t0;
          if (enrolment == NULL)
            g_error ("register_user: %s", error->message);
          g_array_append_val (samples[t], ms);
        }
    rows[n_rows++] = (Row) {
      .metric = g_strdup_printf ("register_user (%d into the big org)", n_register),
      .target = g_strdup ("(latency)"),
    };
    row_set_core (&rows[n_rows - 1], samples, n_targets, TRUE);
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
  g_clear_object (&pg_portal);
  g_free (database);
  if (temporary && !keep)
    remove_tree (dir);
  else
    g_print ("\nData dir kept: %s\n", dir);
  g_free (dir_opt);
  return 0;
}
