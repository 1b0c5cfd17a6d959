/* zid-card-monitor.h — card readers and cards, as they come and go (PC/SC)
 *
 * A GListModel of ZidReader. A worker thread blocks in
 * SCardGetStatusChange (readers plugged in and out through the
 * "\\?PnP?\Notification" pseudo-reader, cards inserted and removed); its
 * findings are delivered on the main context that was the thread-default
 * when the monitor was made: items-changed, "card-inserted" and
 * "card-removed" (with the ZidReader), "state-changed" and notify::state.
 *
 * When pcscd is not running or goes away the state is NO_SERVICE
 * ("Kaartlezerdienst niet actief") and the monitor tries again every
 * second until pcscd is back. Disposing (or zid_card_monitor_stop) ends the
 * worker through SCardCancel.
 */
#pragma once

#include <gio/gio.h>

#include "zid-reader.h"

G_BEGIN_DECLS

typedef enum
{
  ZID_CARD_MONITOR_STATE_NO_SERVICE,   /* pcscd not running */
  ZID_CARD_MONITOR_STATE_NO_READER,    /* no card reader connected */
  ZID_CARD_MONITOR_STATE_NO_CARD,      /* readers, but no card in any */
  ZID_CARD_MONITOR_STATE_CARD_PRESENT, /* a card in at least one reader */
} ZidCardMonitorState;

#define ZID_TYPE_CARD_MONITOR_STATE (zid_card_monitor_state_get_type ())
GType zid_card_monitor_state_get_type (void) G_GNUC_CONST;

#define ZID_TYPE_CARD_MONITOR (zid_card_monitor_get_type ())
G_DECLARE_FINAL_TYPE (ZidCardMonitor, zid_card_monitor, ZID, CARD_MONITOR, GObject)

ZidCardMonitor      *zid_card_monitor_new                (void);
ZidCardMonitorState  zid_card_monitor_get_state          (ZidCardMonitor *self);
/* FALSE until the worker has reported for the first time */
gboolean             zid_card_monitor_get_ready          (ZidCardMonitor *self);
/* The first reader holding a card, or NULL (borrowed) */
ZidReader           *zid_card_monitor_get_reader_with_card (ZidCardMonitor *self);
/* Ends the worker; the model keeps its last contents */
void                 zid_card_monitor_stop               (ZidCardMonitor *self);

/* Machine name ("no-service", ...) and a Dutch sentence for people */
const char          *zid_card_monitor_state_to_string    (ZidCardMonitorState state);
const char          *zid_card_monitor_state_describe     (ZidCardMonitorState state);

/* A one-off look (blocking, for the command line): the readers now, with
 * their cards. NO_SERVICE when pcscd is not running; empty without readers. */
GPtrArray           *zid_card_list_readers               (GError **error);

G_END_DECLS
