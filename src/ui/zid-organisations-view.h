/* zid-organisations-view.h — the actor's organisations (manual §6)
 *
 * Per organisation: URA, AGB, the actor's role and, where the actor may
 * see them, "Inactieve gebruikers" (ZidInactiveWindow, with CSV export).
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <gtk/gtk.h>

#include "zid-core.h"

G_BEGIN_DECLS

#define ZID_TYPE_ORGANISATIONS_VIEW (zid_organisations_view_get_type ())
G_DECLARE_FINAL_TYPE (ZidOrganisationsView, zid_organisations_view, ZID, ORGANISATIONS_VIEW, GtkBox)

void zid_organisations_view_load  (ZidOrganisationsView *self,
                                   ZidBackend            *portal,
                                   gint64                actor);
void zid_organisations_view_clear (ZidOrganisationsView *self);

G_END_DECLS
