/* zid-clock.h — the time every rule is measured against
 *
 * The system clock in production; tests inject a fixed clock and move it
 * (no wall-clock sleeps in tests).
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define ZID_TYPE_CLOCK (zid_clock_get_type ())
G_DECLARE_FINAL_TYPE (ZidClock, zid_clock, ZID, CLOCK, GObject)

ZidClock *zid_clock_new_system (void);
ZidClock *zid_clock_new_fixed  (gint64    unix_seconds);
gint64    zid_clock_now        (ZidClock *self);
void      zid_clock_set        (ZidClock *self,
                                gint64    unix_seconds);
void      zid_clock_advance    (ZidClock *self,
                                gint64    seconds);
void      zid_clock_set_offset (ZidClock *self,
                                gint64    seconds);

G_END_DECLS
