/* zid-throttle.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include "zid-throttle.h"

/* Bounds the memory an attacker with many addresses can make us use */
#define MAX_CLIENTS 4096

typedef struct
{
  gint64 start;
  guint  failures;
  guint  pending;        /* attempts let in and not ended yet */
} Window;

struct _ZidThrottle
{
  gint        refs;
  ZidClock   *clock;     /* owned */
  GMutex      lock;
  guint       per_client;
  guint       global_max;
  guint       window;
  Window      global;
  GHashTable *clients;   /* client key → Window */
};

ZidThrottle *
zid_throttle_new (ZidClock *clock,
                  guint     per_client,
                  guint     global,
                  guint     window)
{
  ZidThrottle *self = g_new0 (ZidThrottle, 1);

  g_return_val_if_fail (ZID_IS_CLOCK (clock), NULL);

  self->refs = 1;
  self->clock = g_object_ref (clock);
  g_mutex_init (&self->lock);
  self->clients = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  zid_throttle_set_limits (self, per_client, global, window);
  return self;
}

ZidThrottle *
zid_throttle_ref (ZidThrottle *self)
{
  g_atomic_int_inc (&self->refs);
  return self;
}

void
zid_throttle_unref (ZidThrottle *self)
{
  if (self == NULL || !g_atomic_int_dec_and_test (&self->refs))
    return;
  g_clear_object (&self->clock);
  g_clear_pointer (&self->clients, g_hash_table_unref);
  g_mutex_clear (&self->lock);
  g_free (self);
}

void
zid_throttle_set_limits (ZidThrottle *self,
                         guint        per_client,
                         guint        global,
                         guint        window)
{
  g_mutex_lock (&self->lock);
  self->per_client = MAX (per_client, 1);
  self->global_max = MAX (global, 1);
  self->window = MAX (window, 1);
  g_mutex_unlock (&self->lock);
}

char *
zid_throttle_client_key (GInetAddress *address)
{
  const guint8 *bytes;

  if (address == NULL)
    return g_strdup ("unknown");

  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6 &&
      !g_inet_address_get_is_loopback (address))
    {
      bytes = g_inet_address_to_bytes (address);
      /* An IPv4 address mapped into IPv6 counts as itself */
      if (bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 0 && bytes[3] == 0 &&
          bytes[4] == 0 && bytes[5] == 0 && bytes[6] == 0 && bytes[7] == 0 &&
          bytes[8] == 0 && bytes[9] == 0 && bytes[10] == 0xff && bytes[11] == 0xff)
        return g_strdup_printf ("%u.%u.%u.%u", bytes[12], bytes[13], bytes[14], bytes[15]);

      /* Anyone gets a /64: count them as one */
      return g_strdup_printf ("%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64",
                              bytes[0], bytes[1], bytes[2], bytes[3],
                              bytes[4], bytes[5], bytes[6], bytes[7]);
    }

  return g_inet_address_to_string (address);
}

/* Resets @w if its window has ended */
static void
window_roll (Window *w,
             gint64  now,
             guint   length)
{
  if (now < w->start || now - w->start >= (gint64) length)
    {
      w->start = now;
      w->failures = 0;
    }
}

/* Attempts still under way count as failures until they end: otherwise
 * all that arrive together would pass before the first failure counts */
static gint64
window_wait (Window *w,
             gint64  now,
             guint   length,
             guint   max)
{
  if (w->failures + w->pending < max)
    return 0;
  /* full only of attempts under way: they end within seconds */
  if (w->failures < max)
    return 1;
  return MAX (w->start + length - now, 1);
}

static gboolean
window_is_over (gpointer key,
                gpointer value,
                gpointer user_data)
{
  ZidThrottle *self = user_data;
  Window *w = value;
  gint64 now = zid_clock_now (self->clock);

  return w->pending == 0 && (now < w->start || now - w->start >= (gint64) self->window);
}

/* @client's window, made when missing (NULL when the table is full of
 * live windows: the global window is what protects us then) */
static Window *
client_window (ZidThrottle *self,
               const char  *client,
               gint64       now)
{
  Window *w = g_hash_table_lookup (self->clients, client);

  if (w == NULL)
    {
      if (g_hash_table_size (self->clients) >= MAX_CLIENTS)
        g_hash_table_foreach_remove (self->clients, window_is_over, self);
      if (g_hash_table_size (self->clients) < MAX_CLIENTS)
        {
          w = g_new0 (Window, 1);
          w->start = now;
          g_hash_table_insert (self->clients, g_strdup (client), w);
        }
    }
  if (w != NULL)
    window_roll (w, now, self->window);
  return w;
}

gint64
zid_throttle_begin (ZidThrottle *self,
                    const char  *client,
                    gboolean    *busy)
{
  gint64 now = zid_clock_now (self->clock);
  gint64 wait = 0;
  Window *w;

  g_mutex_lock (&self->lock);

  window_roll (&self->global, now, self->window);
  wait = window_wait (&self->global, now, self->window, self->global_max);
  *busy = self->global.failures < self->global_max;
  w = client_window (self, client, now);
  if (w != NULL)
    {
      wait = MAX (wait, window_wait (w, now, self->window, self->per_client));
      *busy = *busy && w->failures < self->per_client;
    }
  *busy = *busy && wait > 0;
  if (wait == 0)
    {
      self->global.pending++;
      if (w != NULL)
        w->pending++;
    }

  g_mutex_unlock (&self->lock);

  return wait;
}

static void
count_failure (ZidThrottle *self,
               const char  *client,
               gint64       now)
{
  Window *w;

  window_roll (&self->global, now, self->window);
  self->global.failures++;
  if ((w = client_window (self, client, now)) != NULL)
    w->failures++;
}

void
zid_throttle_end (ZidThrottle *self,
                  const char  *client,
                  gboolean     failed)
{
  gint64 now = zid_clock_now (self->clock);
  Window *w;

  g_mutex_lock (&self->lock);

  if (self->global.pending > 0)
    self->global.pending--;
  if ((w = g_hash_table_lookup (self->clients, client)) != NULL && w->pending > 0)
    w->pending--;
  if (failed)
    count_failure (self, client, now);

  g_mutex_unlock (&self->lock);
}

void
zid_throttle_failure (ZidThrottle *self,
                      const char  *client)
{
  g_mutex_lock (&self->lock);
  count_failure (self, client, zid_clock_now (self->clock));
  g_mutex_unlock (&self->lock);
}
