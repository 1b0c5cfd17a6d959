/* zid-block-dialog.h — Status: Blokkeren (manual §8.2, Fig. 24–26)
 *
 * Asks the reason for blocking a person; the response "save" means block
 * with zid_block_dialog_get_reason(), "cancel" nothing.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <adwaita.h>

#include "zid-core.h"

G_BEGIN_DECLS

#define ZID_TYPE_BLOCK_DIALOG (zid_block_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ZidBlockDialog, zid_block_dialog, ZID, BLOCK_DIALOG, AdwMessageDialog)

ZidBlockDialog *zid_block_dialog_new        (GtkWindow      *parent,
                                             const char     *person);
ZidBlockReason  zid_block_dialog_get_reason (ZidBlockDialog *self);

G_END_DECLS
