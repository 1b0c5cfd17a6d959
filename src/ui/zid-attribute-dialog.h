/* zid-attribute-dialog.h — Attributen: + Registreren (manual §8.1, Fig. 22/23)
 *
 * A type (of the core's table of attribute types), an organisation of the
 * actor and a task code; for "via a UZI-pas" the card's UZI number is the
 * task code and the attribute goes to the actor's own ZORG-ID, which the
 * dialog says; it then asks for the card's PIN (Save needs one).
 * The response "save" means register it (the getters), "cancel" nothing;
 * the dialog stays open on "save" until the caller closes it (a form
 * dialog: zid-form-dialog.h).
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <adwaita.h>

#include "zid-card.h"
#include "zid-core.h"

G_BEGIN_DECLS

#define ZID_TYPE_ATTRIBUTE_DIALOG (zid_attribute_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ZidAttributeDialog, zid_attribute_dialog, ZID, ATTRIBUTE_DIALOG, AdwMessageDialog)

/* @types: the ZidAttributeTypes offered, a mask of 1 << type, listed in
 * the order and with the labels of the core's table */
ZidAttributeDialog *zid_attribute_dialog_new                (GtkWindow             *parent,
                                                             guint                  types);
void                zid_attribute_dialog_add_organisation   (ZidAttributeDialog    *self,
                                                             const ZidOrganisation *organisation);
/* FALSE: none chosen */
gboolean            zid_attribute_dialog_get_attribute_type (ZidAttributeDialog    *self,
                                                             ZidAttributeType      *type);
/* 0: none */
gint64              zid_attribute_dialog_get_organisation   (ZidAttributeDialog    *self);
/* For "via a UZI-pas": the PIN typed (NULL when none); the entry is
 * emptied (also when the dialog goes) */
ZidPin             *zid_attribute_dialog_take_pin           (ZidAttributeDialog    *self);
/* Stripped; newly allocated */
char               *zid_attribute_dialog_dup_task_code      (ZidAttributeDialog    *self);
/* Refused: @message in the dialog, the input kept; @pin: the PIN was
 * refused, the focus goes to its (emptied) entry */
void                zid_attribute_dialog_show_error         (ZidAttributeDialog    *self,
                                                             const char            *message,
                                                             gboolean               pin);

G_END_DECLS
