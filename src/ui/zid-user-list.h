/* zid-user-list.h — the users overview's model: users, filtered by name
 *
 * A GListModel over a plain array of users, with the search filter built
 * in: each user's search keys (the core's name keys and birth date,
 * zid-search.h; zid_user_list_prepare_user, done in the loading worker) are
 * gathered into one array when the list is set, and a query is a scan over
 * that array with zid_search_query_matches() — of the previous query's
 * matches when the query narrows it. The matches of the earlier queries
 * the current one narrows are kept, so Backspace finds its result without
 * a scan.
 * The items are ZidUserItem objects, one per position, that keep their
 * identity across queries (see zid-user-item.h): a query changes the users of
 * the items and adds or removes items at the end only. A query that matches
 * nobody leaves the items as they were (zid_user_list_get_n_matches() says
 * 0): the view shows a placeholder instead of the list then, and GTK keeps
 * the list's row widgets for the next query. At 100,000 users a keystroke
 * costs a few milliseconds, where GtkFilterListModel over a GListStore
 * needed tens to hundreds (bench/ui/bench-search).
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <gio/gio.h>

#include "zid-core.h"

G_BEGIN_DECLS

#define ZID_TYPE_USER_LIST (zid_user_list_get_type ())
G_DECLARE_FINAL_TYPE (ZidUserList, zid_user_list, ZID, USER_LIST, GObject)

ZidUserList *zid_user_list_new          (void);
/* Takes a reference on each user; keeps the query */
void         zid_user_list_set_users    (ZidUserList *self,
                                         GPtrArray   *users);
/* Puts the users of @changed (prepared, see below; nullable) in the
 * places of the users with their ids, or adds them in name order, and
 * takes out the users whose ids (gint64) are in @gone (nullable); keeps
 * the query. The items on screen keep their identity (see above). */
void         zid_user_list_update       (ZidUserList *self,
                                         GPtrArray   *changed,
                                         GArray      *gone);
void         zid_user_list_remove_all   (ZidUserList *self);
/* @query as typed (folded here); NULL or "" shows everyone */
void         zid_user_list_set_query    (ZidUserList *self,
                                         const char  *query);
/* The order of the list: by a column of the overview, each ascending
 * or descending (the name decides between equals) */
typedef enum
{
  ZID_USER_SORT_NAME,
  ZID_USER_SORT_BIRTH_DATE,
  ZID_USER_SORT_ORGANISATIONS,
  ZID_USER_SORT_STATUS,
  ZID_USER_SORT_MOBILE_ID,
  ZID_USER_SORT_LAST_USE,
} ZidUserSort;

/* What the filter row asks besides the query (combined with it) */
typedef enum
{
  ZID_USER_STATUS_ANY,
  ZID_USER_STATUS_ACTIVE,
  ZID_USER_STATUS_BLOCKED,
} ZidUserStatusFilter;

typedef enum
{
  ZID_USER_MOBILE_ANY,
  ZID_USER_MOBILE_ACTIVE,
  ZID_USER_MOBILE_NOT_ENROLLED,
  ZID_USER_MOBILE_REVOKED,
} ZidUserMobileFilter;

/* Sorts the users (one sort: a click, not a keystroke); keeps the query
 * and the filter */
void         zid_user_list_set_sort     (ZidUserList *self,
                                         ZidUserSort  sort,
                                         gboolean     descending);
/* @organisation 0: any */
void         zid_user_list_set_filter   (ZidUserList         *self,
                                         gint64               organisation,
                                         ZidUserStatusFilter  status,
                                         ZidUserMobileFilter  mobile_id);
/* The organisations (ZidMembership, borrowed from the users) the users are
 * in, in name order, one each */
GPtrArray   *zid_user_list_dup_organisations (ZidUserList *self);
/* The users the query matches (the items, unless that is none) */
guint        zid_user_list_get_n_matches (ZidUserList *self);
guint        zid_user_list_get_n_total  (ZidUserList *self);
/* The search keys the filter matches on; thread-safe on a user nobody else
 * touches yet (the loading worker) */
void         zid_user_list_prepare_user (ZidUser     *user);

G_END_DECLS
