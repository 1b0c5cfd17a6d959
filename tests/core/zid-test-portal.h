/* zid-test-portal.h — the portal the core tests start from: a real store
 * (the SQLite file in a temporary folder, or under the PostgreSQL fixture a
 * fresh database of its own: zid_test_fresh_database()), the clock fixed at ZID_TEST_T0, the
 * organisation ZID_TEST_URA_A "Zorggroep Noord" and its Administrator
 * Anna de Vries
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include "zid-core.h"

G_BEGIN_DECLS

#define ZID_TEST_T0     1767225600   /* 2026-01-01T00:00:00Z */
#define ZID_TEST_URA_A  "12345678"

typedef struct
{
  char      *dir;
  ZidClock  *clock;
  ZidPortal *portal;
  gint64     admin;       /* Administrator of A (not enrolled) */
  gint64     org_a;
} ZidTestPortal;

/* Under the PostgreSQL fixture (ZID_TEST_PG_URI set): a new empty
 * database on its server, its URI; NULL otherwise (the SQLite file) */
char           *zid_test_fresh_database    (void);
/* The same, a copy of the database of @template_uri (one of these, that
 * no connection uses any more) */
char           *zid_test_copy_database     (const char    *template_uri);
/* Before a test case opens its portals (before it starts threads): a
 * fresh database in ZID_DATABASE, which zid_portal_open() reads (nothing
 * without the fixture) */
void            zid_test_portal_database   (void);
/* Where a test opens its store: the fresh database, or @dir/@file */
char           *zid_test_store_location    (const char    *dir,
                                            const char    *file);
/* The backend the tests run on is PostgreSQL */
gboolean        zid_test_on_postgresql     (void);

/* Returns the Administrator's enrolment code */
ZidOneTimeCode *zid_test_portal_set_up     (ZidTestPortal *t);
/* Checks that the portal is the last reference; removes the folder */
void            zid_test_portal_tear_down  (ZidTestPortal *t);
gint64          zid_test_portal_org_id     (ZidTestPortal *t,
                                            const char    *ura);
/* The first column of the first row of @sql (a count), read from the
 * database on a connection of its own */
gint64          zid_test_portal_count      (ZidTestPortal *t,
                                            const char    *sql);

/* Runs @sql on a connection of its own, behind the portal's back (a
 * tampering test), foreign keys unchecked as in the sqlite3 shell (a
 * leading "PRAGMA foreign_keys = OFF;" says so on PostgreSQL too): TRUE if
 * the database took it */
gboolean        zid_test_portal_exec       (ZidTestPortal *t,
                                            const char    *sql);

G_END_DECLS
