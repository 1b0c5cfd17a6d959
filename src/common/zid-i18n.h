/* zid-i18n.h — the libraries' messages in the user's language
 *
 * SPDX-License-Identifier: EUPL-1.2
 *
 * The libraries (common, core, card, flow, service) mark their messages with _()
 * and zid_ngettext() like the application does, from this header instead
 * of <glib/gi18n-lib.h>. A message is looked up in the process's locale
 * (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), unless the calling thread has
 * chosen a language of its own (zid_i18n_set_thread_language): the
 * enrolment service answers each phone in the phone's language, whatever
 * the window hosting it shows.
 */
#pragma once

#include "config.h"

#include <glib/gi18n-lib.h>

G_BEGIN_DECLS

#undef _
#define _(String) zid_gettext (String)

const char *zid_gettext                  (const char  *msgid) G_GNUC_FORMAT (1);
const char *zid_ngettext                 (const char  *msgid,
                                          const char  *msgid_plural,
                                          gulong       n) G_GNUC_FORMAT (1) G_GNUC_FORMAT (2);

const char *zid_i18n_set_thread_language (const char  *language);
const char *zid_i18n_negotiate           (const char  *accept_language);

G_END_DECLS
