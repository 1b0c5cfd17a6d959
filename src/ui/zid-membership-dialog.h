/* zid-membership-dialog.h — Organisaties: + Registreren (manual Fig. 9/10)
 *
 * An organisation of the actor and a role the actor may give there; the
 * response "save" means give it (the getters), "cancel" nothing.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <adwaita.h>

#include "zid-core.h"

G_BEGIN_DECLS

#define ZID_TYPE_MEMBERSHIP_DIALOG (zid_membership_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ZidMembershipDialog, zid_membership_dialog, ZID, MEMBERSHIP_DIALOG, AdwMessageDialog)

ZidMembershipDialog *zid_membership_dialog_new          (GtkWindow             *parent);
/* Offers @organisation with the roles in @roles, a bit (1 << ZidRole) each */
void                 zid_membership_dialog_add_organisation (ZidMembershipDialog   *self,
                                                         const ZidOrganisation *organisation,
                                                         guint                  roles);
/* The chosen organisation's id and role; 0 and ZID_ROLE_NONE: none */
gint64               zid_membership_dialog_get_organisation (ZidMembershipDialog *self);
ZidRole              zid_membership_dialog_get_role     (ZidMembershipDialog   *self);

G_END_DECLS
