/* zid-throttle.h — counts failed code attempts per client, per value and overall
 *
 * A fixed window per client (an IPv4 address, or the /64 of an IPv6
 * address): more than @per_client failures within @window seconds close
 * the door for that client until the window that counted them ends. A
 * failure with a code or session value the client failed with before in
 * the window does not count again (up to 5 such repeats per allowed
 * failure): a phone retrying one stale QR code is not a guesser trying
 * many.
 *
 * The global limit is the last resort, not a door closed for everyone:
 * once more than @global failures were counted in the window (from any
 * number of clients), a client gets in only while it is in good standing
 * (no failure in the window, or a success and fewer than @per_client
 * failures), and then one attempt at a time; its first failure closes its
 * door. So a valid code's first try, or a login from an address in good
 * standing, always reaches the core, while a guesser gets one guess per
 * address per window.
 *
 * The time comes from a ZidClock, so tests move it instead of sleeping.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <gio/gio.h>

#include "zid-clock.h"

G_BEGIN_DECLS

typedef struct _ZidThrottle ZidThrottle;

typedef enum
{
  ZID_THROTTLE_NEUTRAL,    /* not the client's doing: busy, the machine, gone */
  ZID_THROTTLE_SUCCEEDED,
  ZID_THROTTLE_FAILED,
} ZidThrottleOutcome;

ZidThrottle *zid_throttle_new          (ZidClock     *clock,
                                        guint         per_client,
                                        guint         global,
                                        guint         window);
ZidThrottle *zid_throttle_ref          (ZidThrottle  *self);
void         zid_throttle_unref        (ZidThrottle  *self);
void         zid_throttle_set_limits   (ZidThrottle  *self,
                                        guint         per_client,
                                        guint         global,
                                        guint         window);
/* The key a client address counts under */
char        *zid_throttle_client_key   (GInetAddress *address);
/* 0 if @client may try now — the attempt then counts as a failure until
 * zid_throttle_end says how it went — else the seconds until it may;
 * @busy then says the limit is full only of attempts still under way
 * (not a throttle: the client may come back in a second) */
gint64       zid_throttle_begin        (ZidThrottle  *self,
                                        const char   *client,
                                        gboolean     *busy);
/* Ends an attempt begun. @value (nullable) is the code or session it
 * carried: a failure with a value @client failed with before in this
 * window is not counted again. The value itself is not kept. */
void         zid_throttle_end          (ZidThrottle  *self,
                                        const char   *client,
                                        const char   *value,
                                        ZidThrottleOutcome outcome);
/* A failure of an attempt that was not begun */
void         zid_throttle_failure      (ZidThrottle  *self,
                                        const char   *client);
/* Whether the global limit is reached in the current window */
gboolean     zid_throttle_under_pressure (ZidThrottle *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidThrottle, zid_throttle_unref)

G_END_DECLS
