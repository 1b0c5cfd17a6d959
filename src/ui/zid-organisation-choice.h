/* zid-organisation-choice.h — the organisations where the actor may do
 * something, read in a worker and offered in a drop-down
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <gtk/gtk.h>

#include "zid-core.h"

G_BEGIN_DECLS

/* Reads the actor's organisations where @action is allowed (a GPtrArray
 * of ZidOrganisation, the result of zid_work_finish()) */
void             zid_organisation_choice_load (gpointer             source_object,
                                               ZidPortal           *portal,
                                               gint64               actor,
                                               ZidAction            action,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback);
/* Their names as @dropdown's model */
void             zid_organisation_choice_fill (GtkDropDown         *dropdown,
                                               GPtrArray           *organisations);
/* The organisation chosen in @dropdown, NULL if none (borrowed) */
ZidOrganisation *zid_organisation_choice_get  (GtkDropDown         *dropdown,
                                               GPtrArray           *organisations);

G_END_DECLS
