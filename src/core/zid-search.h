/* zid-search.h — finding a user by name or birth date: one rule for the
 * store's index (the CLI, zid_portal_search_users) and the window's list
 *
 * Names are compared folded: case folded, accents removed ("Zoë" → "zoe").
 * A member is found by each of their name keys from its start: "first last",
 * the whole last name and every word of the first and last name, so a
 * surname after a tussenvoegsel is found too ("boer" → "Marieke de Boer").
 * A query that is a whole birth date, typed as DD-MM-JJJJ or JJJJ-MM-DD,
 * finds the members born that day instead.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @text case folded, accents removed, surrounding white space stripped */
char           *zid_name_key                (const char  *text);
/* Every key a member is found by: each word of the first and last name,
 * the whole last name and "first last" (no empty keys; may repeat) */
GStrv           zid_name_keys               (const char  *first_name,
                                             const char  *last_name);
/* A whole, existing date typed as DD-MM-JJJJ or JJJJ-MM-DD (white space
 * around it allowed): TRUE with @iso set to JJJJ-MM-DD */
gboolean        zid_search_parse_birth_date (const char  *text,
                                             char         iso[11]);

/* What a person typed, ready to match */
typedef struct
{
  char     *text;         /* the folded name prefix, or the date as JJJJ-MM-DD */
  gsize     len;
  gboolean  birth_date;   /* @text is a birth date */
} ZidSearchQuery;

/* NULL when @typed is NULL or holds nothing to search for */
ZidSearchQuery *zid_search_query_new        (const char  *typed);
void            zid_search_query_free       (ZidSearchQuery *query);
/* TRUE when @narrower matches only members @query matches: both are name
 * prefixes and @narrower starts with @query (or they are the same) */
gboolean        zid_search_query_narrows    (const ZidSearchQuery *query,
                                             const ZidSearchQuery *narrower);

/* A member's keys for zid_search_query_matches(), in one string: built once
 * per member (thread-safe), then matching costs a few byte compares */
char           *zid_search_member_keys      (const char  *first_name,
                                             const char  *last_name,
                                             const char  *birth_date);
gboolean        zid_search_query_matches    (const ZidSearchQuery *query,
                                             const char           *member_keys);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidSearchQuery, zid_search_query_free)

G_END_DECLS
