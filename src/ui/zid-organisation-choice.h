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
                                               ZidBackend          *portal,
                                               gint64               actor,
                                               ZidAction            action,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback);
/* What zid_organisation_choice_load() read (@found, transfer full; NULL
 * with @error when it failed, not cancelled) kept in *@organisations and
 * their names as @dropdown's model. Returns what to tell (borrowed): the failure, @none
 * when there is no organisation, or NULL. */
const char      *zid_organisation_choice_set  (GtkDropDown         *dropdown,
                                               GPtrArray          **organisations,
                                               GPtrArray           *found,
                                               const GError        *error,
                                               const char          *none);
/* The organisation chosen in @dropdown, NULL if none (borrowed) */
ZidOrganisation *zid_organisation_choice_get  (GtkDropDown         *dropdown,
                                               GPtrArray           *organisations);

G_END_DECLS
