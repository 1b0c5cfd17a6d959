/* zid-users-view.h — the overview of users (manual Fig. 7/8)
 *
 * Every user of the organisations the actor manages, in a virtualised
 * GtkListView over a ZidUserList, one drawn widget per row under a header
 * drawn the same way (GTK 4.8 builds up to 200 rows whenever the number of
 * matches crosses that range; a GtkColumnView row cost 16 widgets, and the
 * row widgets GTK lets go of are reused). The search field filters in
 * memory on case- and accent-free name prefixes computed in the loading
 * worker: a few milliseconds per keystroke at 100,000 users, so typing never
 * waits. When nobody matches, a placeholder takes the list's place and the
 * list keeps its rows for the next query.
 *
 * The list stays current by itself: zid_users_view_load() reads it once and
 * watches the portal (ZidWatch); the users the watch names (a change by the
 * window, the enrolment service or another process) are read again alone,
 * in a worker, and put in place (zid_user_list_update()); a change of the
 * actor's own roles reads the whole list again. zid_users_view_reload()
 * only has the watch look now.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <gtk/gtk.h>

#include "zid-core.h"

G_BEGIN_DECLS

#define ZID_TYPE_USERS_VIEW (zid_users_view_get_type ())
G_DECLARE_FINAL_TYPE (ZidUsersView, zid_users_view, ZID, USERS_VIEW, GtkBox)

void        zid_users_view_load         (ZidUsersView *self,
                                         ZidBackend    *portal,
                                         gint64        actor);
void        zid_users_view_reload       (ZidUsersView *self);
void        zid_users_view_clear        (ZidUsersView *self);
void        zid_users_view_focus_search (ZidUsersView *self);
/* For tests and the benchmark: the models */
GListModel *zid_users_view_get_model    (ZidUsersView *self);
void        zid_users_view_set_users    (ZidUsersView *self,
                                         GPtrArray    *users);
void        zid_users_view_set_search   (ZidUsersView *self,
                                         const char   *text);
gboolean    zid_users_view_is_filtering (ZidUsersView *self);
/* Sets the fold key the filter matches on (done in the loading worker) */
void        zid_users_view_prepare_user (ZidUser      *user);
/* The columns (bit 1 << ZidUserSort) in which a row on screen cuts its
 * text short (its tooltip shows it whole), and those left out for want of
 * width; for tests */
void        zid_users_view_get_column_state (ZidUsersView *self,
                                             guint        *cut,
                                             guint        *hidden);

G_END_DECLS
