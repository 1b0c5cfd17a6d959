/* zid-card-i18n.h — the card layer's messages in the user's language
 *
 * SPDX-License-Identifier: EUPL-1.2
 *
 * libzid-card depends on libzid-common only, not on the core, so it cannot
 * use the core's zid-i18n.h. Its messages are looked up the same way the
 * core looks up its own in the process's locale: g_dgettext on
 * GETTEXT_PACKAGE, with the text domain bound to the build tree's
 * translations (ZORGID_LOCALEDIR, for running uninstalled) or the
 * installed ones. Card messages never go to a phone, so there is no
 * per-thread language here.
 */
#pragma once

#include "config.h"

#include <glib/gi18n-lib.h>

G_BEGIN_DECLS

#undef _
#define _(String) zid_card_gettext (String)

const char *zid_card_gettext (const char *msgid) G_GNUC_FORMAT (1);

G_END_DECLS
