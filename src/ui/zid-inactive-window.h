/* zid-inactive-window.h — Inactieve gebruikers of one organisation (§6)
 *
 * Users who have not used their mobile ID for more than four weeks, with
 * export to CSV.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <adwaita.h>

#include "zid-core.h"

G_BEGIN_DECLS

#define ZID_TYPE_INACTIVE_WINDOW (zid_inactive_window_get_type ())
G_DECLARE_FINAL_TYPE (ZidInactiveWindow, zid_inactive_window, ZID, INACTIVE_WINDOW, AdwWindow)

ZidInactiveWindow *zid_inactive_window_new (GtkWindow  *parent,
                                            ZidBackend *portal,
                                            gint64      actor,
                                            gint64      organisation,
                                            const char *organisation_name);
/* The CSV text of the users shown (header line included) */
char              *zid_inactive_window_to_csv (ZidInactiveWindow *self);

G_END_DECLS
