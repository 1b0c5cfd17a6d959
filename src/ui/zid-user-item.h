/* zid-user-item.h — an item of the users overview: a position, its user
 *
 * The items of ZidUserList (shown by ZidUserRow widgets, zid-users-view.c).
 * An item stands for a position in the (filtered) list and keeps its
 * identity while the search changes which user sits there; "user" is
 * notified instead. GTK 4.8's list views keep a row's widgets only while
 * its item stays the same object, so a new query
 * updates the labels of the rows on screen instead of destroying and
 * building hundreds of row widgets (bench/ui/bench-search).
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <glib-object.h>

#include "zid-core.h"

G_BEGIN_DECLS

#define ZID_TYPE_USER_ITEM (zid_user_item_get_type ())
G_DECLARE_FINAL_TYPE (ZidUserItem, zid_user_item, ZID, USER_ITEM, GObject)

ZidUserItem *zid_user_item_new      (void);
ZidUser    *zid_user_item_get_user (ZidUserItem *self);
void        zid_user_item_set_user (ZidUserItem *self,
                                   ZidUser    *user);

G_END_DECLS
