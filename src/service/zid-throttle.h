/* zid-throttle.h — counts failed code attempts per client and overall
 *
 * A fixed window per key: more than @per_client failures from one client
 * (an IPv4 address, or the /64 of an IPv6 address), or more than @global
 * failures in total, within @window seconds close the door for that client
 * (or for everyone) until the window that counted them ends. The time comes
 * from a ZidClock, so tests move it instead of sleeping.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <gio/gio.h>

#include "zid-clock.h"

G_BEGIN_DECLS

typedef struct _ZidThrottle ZidThrottle;

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
void         zid_throttle_end          (ZidThrottle  *self,
                                        const char   *client,
                                        gboolean      failed);
/* A failure of an attempt that was not begun */
void         zid_throttle_failure      (ZidThrottle  *self,
                                        const char   *client);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidThrottle, zid_throttle_unref)

G_END_DECLS
