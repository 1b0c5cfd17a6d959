/* zid-throttle.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <string.h>

#include "zid-throttle.h"

/* Bounds the memory an attacker with many addresses can make us use;
 * only clients with something to remember (a failure, an attempt under
 * way, a success) take a place */
#define MAX_CLIENTS 16384
/* Values a client failed with, remembered per window (the last ones) */
#define MAX_VALUES  16
/* Failures with a value seen before that count for nothing, per allowed
 * failure and window: beyond them they count again (each reaches the core,
 * which looks the code up and audits its refusal) */
#define FREE_REPEATS 5

typedef struct
{
  gint64   start;
  guint    failures;
  guint    pending;        /* attempts let in and not ended yet */
  gboolean succeeded;      /* a success in this window */
  guint64  values[MAX_VALUES];
  guint    n_values;
  guint    repeats;        /* failures with a value seen before */
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
      w->succeeded = FALSE;
      w->n_values = 0;
      w->repeats = 0;
    }
}

static gint64
window_left (const Window *w,
             gint64        now,
             guint         length)
{
  return MAX (w->start + length - now, 1);
}

static gboolean
window_is_idle (gpointer key,
                gpointer value,
                gpointer user_data)
{
  ZidThrottle *self = user_data;
  Window *w = value;
  gint64 now = zid_clock_now (self->clock);

  if (w->pending > 0)
    return FALSE;
  return now < w->start || now - w->start >= (gint64) self->window ||
         (w->failures == 0 && !w->succeeded);
}

/* @client's window: made when missing and @create (NULL when the table is
 * full of windows that still matter: the client is then treated as new) */
static Window *
client_window (ZidThrottle *self,
               const char  *client,
               gint64       now,
               gboolean     create)
{
  Window *w = g_hash_table_lookup (self->clients, client);

  if (w == NULL && create)
    {
      if (g_hash_table_size (self->clients) >= MAX_CLIENTS)
        g_hash_table_foreach_remove (self->clients, window_is_idle, self);
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

gboolean
zid_throttle_under_pressure (ZidThrottle *self)
{
  gboolean pressure;

  g_mutex_lock (&self->lock);
  window_roll (&self->global, zid_clock_now (self->clock), self->window);
  pressure = self->global.failures >= self->global_max;
  g_mutex_unlock (&self->lock);
  return pressure;
}

gint64
zid_throttle_begin (ZidThrottle *self,
                    const char  *client,
                    gboolean    *busy)
{
  gint64 now = zid_clock_now (self->clock);
  gint64 wait = 0;
  gboolean pressure;
  guint limit = self->per_client;
  Window *w;

  g_mutex_lock (&self->lock);

  window_roll (&self->global, now, self->window);
  pressure = self->global.failures >= self->global_max;
  w = client_window (self, client, now, TRUE);
  *busy = FALSE;

  /* The last resort: only clients in good standing, one attempt at a time */
  if (pressure && (w == NULL || !w->succeeded))
    limit = 1;

  /* Attempts still under way count as failures until they end: otherwise
   * all that arrive together would pass before the first failure counts */
  if (w != NULL && w->failures + w->pending >= limit)
    {
      if (w->failures < limit)
        {
          /* full only of attempts under way: they end within seconds */
          wait = 1;
          *busy = TRUE;
        }
      else if (w->failures < self->per_client)
        /* shut by the global limit only: until either window ends */
        wait = MIN (window_left (w, now, self->window), window_left (&self->global, now, self->window));
      else
        wait = window_left (w, now, self->window);
    }

  if (wait == 0 && w != NULL)
    w->pending++;

  g_mutex_unlock (&self->lock);

  return wait;
}

static guint64
value_hash (const char *value)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;
  guint64 hash;

  g_checksum_update (sum, (const guchar *) value, strlen (value));
  g_checksum_get_digest (sum, digest, &len);
  memcpy (&hash, digest, sizeof hash);
  return hash;
}

static void
count_failure (ZidThrottle *self,
               const char  *client,
               const char  *value,
               gint64       now)
{
  Window *w = client_window (self, client, now, TRUE);

  if (w != NULL && value != NULL)
    {
      guint64 hash = value_hash (value);
      guint n = MIN (w->n_values, MAX_VALUES);

      gboolean seen = FALSE;

      for (guint i = 0; i < n && !seen; i++)
        seen = w->values[i] == hash;
      if (seen && ++w->repeats <= self->per_client * FREE_REPEATS)
        return;
      if (!seen)
        w->values[w->n_values++ % MAX_VALUES] = hash;
    }

  window_roll (&self->global, now, self->window);
  self->global.failures++;
  if (w != NULL)
    w->failures++;
}

void
zid_throttle_end (ZidThrottle        *self,
                  const char         *client,
                  const char         *value,
                  ZidThrottleOutcome  outcome)
{
  gint64 now = zid_clock_now (self->clock);
  Window *w;

  g_mutex_lock (&self->lock);

  if ((w = g_hash_table_lookup (self->clients, client)) != NULL && w->pending > 0)
    w->pending--;
  if (outcome == ZID_THROTTLE_FAILED)
    count_failure (self, client, value, now);
  else if (outcome == ZID_THROTTLE_SUCCEEDED &&
           (w = client_window (self, client, now, TRUE)) != NULL)
    w->succeeded = TRUE;

  g_mutex_unlock (&self->lock);
}

void
zid_throttle_failure (ZidThrottle *self,
                      const char  *client)
{
  g_mutex_lock (&self->lock);
  count_failure (self, client, NULL, zid_clock_now (self->clock));
  g_mutex_unlock (&self->lock);
}
