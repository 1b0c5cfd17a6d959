/* zid-reader-private.h — for ZidCardMonitor */
#pragma once

#include "zid-reader.h"

G_BEGIN_DECLS

ZidReader *zid_reader_new    (const char *name,
                              gboolean    card_present,
                              GBytes     *atr);
/* Returns TRUE when card-present changed */
gboolean   zid_reader_update (ZidReader  *self,
                              gboolean    card_present,
                              GBytes     *atr);

G_END_DECLS
