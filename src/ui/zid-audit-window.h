/* zid-audit-window.h — Logboek: the hash-chained audit trail
 *
 * Newest first, what the logged-in actor may see (the same rule as
 * `zorgid-admin audit list --as`), filtered by user, organisation,
 * action and date range, the chain's verification state at the top,
 * and the filtered trail exported to CSV. Rows arrive page by page
 * (ZidAuditModel).
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <adwaita.h>

#include "zid-core.h"

G_BEGIN_DECLS

#define ZID_TYPE_AUDIT_WINDOW (zid_audit_window_get_type ())
G_DECLARE_FINAL_TYPE (ZidAuditWindow, zid_audit_window, ZID, AUDIT_WINDOW, AdwWindow)

ZidAuditWindow *zid_audit_window_new (GtkWindow  *parent,
                                      ZidBackend *portal,
                                      gint64      actor);

G_END_DECLS
