/* zid-reader.h — one PC/SC card reader as the monitor sees it
 *
 * Items of ZidCardMonitor's GListModel. Read-only for users; the monitor
 * updates them on the main context and they notify ("card-present", "atr").
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define ZID_TYPE_READER (zid_reader_get_type ())
G_DECLARE_FINAL_TYPE (ZidReader, zid_reader, ZID, READER, GObject)

const char  *zid_reader_get_name         (ZidReader *self);
gboolean     zid_reader_get_card_present (ZidReader *self);
/* The card's ATR (nullable when there is no card) */
GBytes      *zid_reader_get_atr          (ZidReader *self);
/* The ATR as upper-case hex without separators, "" without a card */
char        *zid_reader_dup_atr_hex      (ZidReader *self);

G_END_DECLS
