/* zid-clock.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include "zid-clock.h"

struct _ZidClock
{
  GObject parent_instance;

  gboolean fixed;
  gint64   value;   /* fixed time, or offset from the system clock */
  GMutex   lock;
};

G_DEFINE_FINAL_TYPE (ZidClock, zid_clock, G_TYPE_OBJECT)

static void
zid_clock_finalize (GObject *object)
{
  ZidClock *self = ZID_CLOCK (object);

  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (zid_clock_parent_class)->finalize (object);
}

static void
zid_clock_class_init (ZidClockClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = zid_clock_finalize;
}

static void
zid_clock_init (ZidClock *self)
{
  g_mutex_init (&self->lock);
}

ZidClock *
zid_clock_new_system (void)
{
  return g_object_new (ZID_TYPE_CLOCK, NULL);
}

ZidClock *
zid_clock_new_fixed (gint64 unix_seconds)
{
  ZidClock *self = g_object_new (ZID_TYPE_CLOCK, NULL);

  self->fixed = TRUE;
  self->value = unix_seconds;
  return self;
}

gint64
zid_clock_now (ZidClock *self)
{
  gint64 now;

  g_return_val_if_fail (ZID_IS_CLOCK (self), 0);

  g_mutex_lock (&self->lock);
  if (self->fixed)
    now = self->value;
  else
    now = g_get_real_time () / G_USEC_PER_SEC + self->value;
  g_mutex_unlock (&self->lock);

  return now;
}

void
zid_clock_set (ZidClock *self,
               gint64    unix_seconds)
{
  g_return_if_fail (ZID_IS_CLOCK (self));

  g_mutex_lock (&self->lock);
  self->fixed = TRUE;
  self->value = unix_seconds;
  g_mutex_unlock (&self->lock);
}

void
zid_clock_advance (ZidClock *self,
                   gint64    seconds)
{
  g_return_if_fail (ZID_IS_CLOCK (self));

  g_mutex_lock (&self->lock);
  self->value += seconds;
  g_mutex_unlock (&self->lock);
}

/* Runs the system clock shifted by @seconds (acceptatie test builds only;
 * the caller decides whether that is allowed). */
void
zid_clock_set_offset (ZidClock *self,
                      gint64    seconds)
{
  g_return_if_fail (ZID_IS_CLOCK (self));

  g_mutex_lock (&self->lock);
  self->fixed = FALSE;
  self->value = seconds;
  g_mutex_unlock (&self->lock);
}
