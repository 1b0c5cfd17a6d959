/* zid-strict-json.h — the one JSON shape a phone sends, read strictly
 *
 * A request body is one JSON object whose members are all strings
 * (docs/mobile-protocol.md §3). json-glib accepts much more than RFC 8259
 * (comments, single quotes, a second object after the first) and keeps the
 * last of two members with one name; a NUL escaped inside a string cuts it
 * short in C. This reader accepts exactly: optional whitespace, an object
 * of string members with distinct names, optional whitespace, the end.
 * No byte order mark, no escaped NUL, no lone surrogate, valid UTF-8.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Reads @data into @values (name → value, both newly allocated). FALSE
 * with a Dutch sentence in @message when it is not such an object;
 * @values then holds what was read before. */
gboolean zid_strict_json_read_object (const char  *data,
                                      gsize        length,
                                      GHashTable  *values,
                                      char       **message);

/* @text cut to 40 characters (never inside one), to quote it */
char    *zid_strict_json_shorten     (const char  *text);

G_END_DECLS
