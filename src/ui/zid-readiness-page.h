/* zid-readiness-page.h — "Controle": is this computer ready?
 *
 * The readiness checks of src/flow/zid-readiness.h, one row each: its
 * state, what it means, and the one thing that fixes it — a button where
 * the window can do it (the check names the action), else the exact
 * command with a button that copies it. Run in a worker; "Opnieuw
 * controleren" runs them again.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <gtk/gtk.h>

#include "zid-card.h"
#include "zid-core.h"

G_BEGIN_DECLS

#define ZID_TYPE_READINESS_PAGE (zid_readiness_page_get_type ())
G_DECLARE_FINAL_TYPE (ZidReadinessPage, zid_readiness_page, ZID, READINESS_PAGE, GtkBox)

/* Runs the checks for @portal with @config (nullable: the environment's
 * defaults) and the enrolment service on @port, which this process holds
 * when @own_service */
void zid_readiness_page_run (ZidReadinessPage    *self,
                             ZidBackend          *portal,
                             const ZidCardConfig *config,
                             guint16              port,
                             gboolean             own_service);

/* The label of the button that runs @action (a ZID_READINESS_ACTION_*) */
const char *zid_readiness_action_label (const char *action);

G_END_DECLS
