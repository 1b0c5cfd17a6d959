/* zid-card-monitor.c — card readers and cards, as they come and go (PC/SC) */
#define G_LOG_DOMAIN "zid-card"

#include "zid-card-monitor.h"

#include <string.h>
#include <winscard.h>

#include "zid-card-error.h"
#include "zid-i18n.h"
#include "zid-reader-private.h"

#define PNP_READER "\\\\?PnP?\\Notification"
#define RETRY_MS 1000

G_DEFINE_ENUM_TYPE (ZidCardMonitorState, zid_card_monitor_state,
  G_DEFINE_ENUM_VALUE (ZID_CARD_MONITOR_STATE_NO_SERVICE, "no-service"),
  G_DEFINE_ENUM_VALUE (ZID_CARD_MONITOR_STATE_NO_READER, "no-reader"),
  G_DEFINE_ENUM_VALUE (ZID_CARD_MONITOR_STATE_NO_CARD, "no-card"),
  G_DEFINE_ENUM_VALUE (ZID_CARD_MONITOR_STATE_CARD_PRESENT, "card-present"))

/* What the worker saw of one reader */
typedef struct
{
  char *name;
  gboolean present;
  GBytes *atr;
} Seen;

static void
seen_clear (gpointer data)
{
  Seen *s = data;
  g_free (s->name);
  g_clear_pointer (&s->atr, g_bytes_unref);
}

/* Shared between the monitor (main context) and its worker */
typedef struct
{
  gatomicrefcount ref_count;
  GMutex lock;
  GCond cond;
  gboolean stop;
  gboolean finished;
  gboolean has_ctx;
  SCARDCONTEXT ctx;
  GMainContext *main_context;
  GWeakRef monitor;
} Shared;

static Shared *
shared_ref (Shared *shared)
{
  g_atomic_ref_count_inc (&shared->ref_count);
  return shared;
}

static void
shared_unref (Shared *shared)
{
  if (g_atomic_ref_count_dec (&shared->ref_count))
    {
      g_mutex_clear (&shared->lock);
      g_cond_clear (&shared->cond);
      g_main_context_unref (shared->main_context);
      g_weak_ref_clear (&shared->monitor);
      g_free (shared);
    }
}

typedef struct
{
  Shared *shared;
  gboolean service;
  GArray *readers; /* Seen */
} Report;

static void
report_free (Report *report)
{
  shared_unref (report->shared);
  g_clear_pointer (&report->readers, g_array_unref);
  g_free (report);
}

struct _ZidCardMonitor
{
  GObject parent_instance;

  /* owned */
  GPtrArray *readers; /* ZidReader */
  Shared *shared;
  GThread *thread;

  ZidCardMonitorState state;
  gboolean ready;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ZidCardMonitor, zid_card_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum { PROP_0, PROP_STATE, PROP_READY, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { CARD_INSERTED, CARD_REMOVED, STATE_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* --- worker --------------------------------------------------------------- */

static gboolean
apply_report (gpointer data);

static void
post (Shared  *shared,
      gboolean service,
      GArray  *readers)
{
  Report *report = g_new0 (Report, 1);

  report->shared = shared_ref (shared);
  report->service = service;
  if (readers != NULL)
    {
      report->readers = g_array_sized_new (FALSE, TRUE, sizeof (Seen), readers->len);
      g_array_set_clear_func (report->readers, seen_clear);
      for (guint i = 0; i < readers->len; i++)
        {
          Seen *from = &g_array_index (readers, Seen, i);
          Seen to = { g_strdup (from->name), from->present,
                      from->atr != NULL ? g_bytes_ref (from->atr) : NULL };
          g_array_append_val (report->readers, to);
        }
    }
  g_main_context_invoke_full (shared->main_context, G_PRIORITY_DEFAULT,
                              apply_report, report, (GDestroyNotify) report_free);
}

static gboolean
should_stop (Shared *shared)
{
  gboolean stop;

  g_mutex_lock (&shared->lock);
  stop = shared->stop;
  g_mutex_unlock (&shared->lock);
  return stop;
}

/* Waits ms, or less when told to stop. Returns TRUE to stop. */
static gboolean
wait_or_stop (Shared *shared,
              int     ms)
{
  gint64 until = g_get_monotonic_time () + (gint64) ms * G_TIME_SPAN_MILLISECOND;
  gboolean stop;

  g_mutex_lock (&shared->lock);
  while (!shared->stop)
    if (!g_cond_wait_until (&shared->cond, &shared->lock, until))
      break;
  stop = shared->stop;
  g_mutex_unlock (&shared->lock);
  return stop;
}

static void
drop_context (Shared *shared)
{
  g_mutex_lock (&shared->lock);
  if (shared->has_ctx)
    SCardReleaseContext (shared->ctx);
  shared->has_ctx = FALSE;
  g_mutex_unlock (&shared->lock);
}

/* The reader names now; NULL on a service failure */
static GStrv
list_reader_names (SCARDCONTEXT  ctx,
                   LONG         *rv_out)
{
  DWORD len = 0;
  g_autofree char *buf = NULL;
  GPtrArray *names;
  LONG rv;

  rv = SCardListReaders (ctx, NULL, NULL, &len);
  if (rv == SCARD_S_SUCCESS && len > 0)
    {
      buf = g_malloc0 (len + 1);
      rv = SCardListReaders (ctx, NULL, buf, &len);
    }
  *rv_out = rv;
  if (rv == (LONG) SCARD_E_NO_READERS_AVAILABLE)
    {
      *rv_out = SCARD_S_SUCCESS;
      return g_new0 (char *, 1);
    }
  if (rv != SCARD_S_SUCCESS)
    return NULL;

  names = g_ptr_array_new ();
  for (const char *p = buf; p != NULL && *p != '\0'; p += strlen (p) + 1)
    g_ptr_array_add (names, g_strdup (p));
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (names, FALSE);
}

static GBytes *
atr_of (const SCARD_READERSTATE *st)
{
  if (!(st->dwEventState & SCARD_STATE_PRESENT) || st->cbAtr == 0 || st->cbAtr > sizeof st->rgbAtr)
    return NULL;
  return g_bytes_new (st->rgbAtr, st->cbAtr);
}

static gpointer
worker (gpointer data)
{
  Shared *shared = data;
  g_autoptr(GArray) seen = g_array_new (FALSE, TRUE, sizeof (Seen));
  g_autofree SCARD_READERSTATE *states = NULL;
  g_auto(GStrv) names = NULL;
  DWORD pnp_state = SCARD_STATE_UNAWARE;
  gboolean need_list = TRUE;
  gboolean reported_no_service = FALSE;

  g_array_set_clear_func (seen, seen_clear);

  while (!should_stop (shared))
    {
      SCARDCONTEXT ctx;
      guint n;
      LONG rv;

      g_mutex_lock (&shared->lock);
      if (!shared->has_ctx)
        {
          rv = SCardEstablishContext (SCARD_SCOPE_SYSTEM, NULL, NULL, &shared->ctx);
          shared->has_ctx = rv == SCARD_S_SUCCESS;
          if (shared->has_ctx)
            {
              need_list = TRUE;
              reported_no_service = FALSE;
              g_debug ("PC/SC service available");
            }
        }
      ctx = shared->ctx;
      if (!shared->has_ctx)
        {
          g_mutex_unlock (&shared->lock);
          if (!reported_no_service)
            {
              g_debug ("PC/SC service not available");
              g_array_set_size (seen, 0);
              post (shared, FALSE, NULL);
              reported_no_service = TRUE;
            }
          wait_or_stop (shared, RETRY_MS);
          continue;
        }
      g_mutex_unlock (&shared->lock);

      if (need_list)
        {
          g_auto(GStrv) now = list_reader_names (ctx, &rv);
          g_autoptr(GArray) next = NULL;

          if (now == NULL)
            {
              g_debug ("SCardListReaders: %s", pcsc_stringify_error (rv));
              drop_context (shared);
              continue;
            }
          /* Keep what we know of readers that stay */
          next = g_array_new (FALSE, TRUE, sizeof (Seen));
          g_array_set_clear_func (next, seen_clear);
          for (guint i = 0; now[i] != NULL; i++)
            {
              Seen s = { g_strdup (now[i]), FALSE, NULL };
              for (guint j = 0; j < seen->len; j++)
                {
                  Seen *old = &g_array_index (seen, Seen, j);
                  if (strcmp (old->name, now[i]) == 0)
                    {
                      s.present = old->present;
                      s.atr = old->atr != NULL ? g_bytes_ref (old->atr) : NULL;
                    }
                }
              g_array_append_val (next, s);
            }
          g_clear_pointer (&seen, g_array_unref);
          seen = g_steal_pointer (&next);
          g_strfreev (names);
          names = g_steal_pointer (&now);

          g_free (states);
          n = seen->len;
          states = g_new0 (SCARD_READERSTATE, n + 1);
          for (guint i = 0; i < n; i++)
            {
              states[i].szReader = g_array_index (seen, Seen, i).name;
              states[i].dwCurrentState = SCARD_STATE_UNAWARE;
            }
          need_list = FALSE;
          /* With readers, report once their states are known (the next
           * SCardGetStatusChange returns at once for UNAWARE readers) */
          if (n == 0)
            post (shared, TRUE, seen);
        }

      n = seen->len;
      states[n].szReader = PNP_READER;
      states[n].dwCurrentState = pnp_state;

      rv = SCardGetStatusChange (ctx, INFINITE, states, n + 1);
      if (should_stop (shared))
        break;
      if (rv == (LONG) SCARD_E_TIMEOUT || rv == (LONG) SCARD_E_CANCELLED)
        continue;
      if (rv == (LONG) SCARD_E_UNKNOWN_READER)
        {
          need_list = TRUE;
          continue;
        }
      if (rv != SCARD_S_SUCCESS)
        {
          g_debug ("SCardGetStatusChange: %s", pcsc_stringify_error (rv));
          drop_context (shared);
          wait_or_stop (shared, 100);
          continue;
        }

      for (guint i = 0; i < n; i++)
        {
          Seen *s = &g_array_index (seen, Seen, i);
          DWORD ev = states[i].dwEventState;

          if (ev & (SCARD_STATE_UNKNOWN | SCARD_STATE_IGNORE))
            need_list = TRUE;
          s->present = (ev & SCARD_STATE_PRESENT) != 0;
          g_clear_pointer (&s->atr, g_bytes_unref);
          s->atr = atr_of (&states[i]);
          states[i].dwCurrentState = ev & ~(DWORD) SCARD_STATE_CHANGED;
        }
      if (states[n].dwEventState & SCARD_STATE_CHANGED)
        need_list = TRUE;
      pnp_state = states[n].dwEventState & ~(DWORD) SCARD_STATE_CHANGED;
      if (!need_list)
        post (shared, TRUE, seen);
    }

  drop_context (shared);
  g_strfreev (g_steal_pointer (&names));
  g_mutex_lock (&shared->lock);
  shared->finished = TRUE;
  g_cond_broadcast (&shared->cond);
  g_mutex_unlock (&shared->lock);
  shared_unref (shared);
  return NULL;
}

/* --- main context --------------------------------------------------------- */

static ZidCardMonitorState
compute_state (ZidCardMonitor *self,
               gboolean        service)
{
  if (!service)
    return ZID_CARD_MONITOR_STATE_NO_SERVICE;
  if (self->readers->len == 0)
    return ZID_CARD_MONITOR_STATE_NO_READER;
  for (guint i = 0; i < self->readers->len; i++)
    if (zid_reader_get_card_present (g_ptr_array_index (self->readers, i)))
      return ZID_CARD_MONITOR_STATE_CARD_PRESENT;
  return ZID_CARD_MONITOR_STATE_NO_CARD;
}

static gboolean
apply_report (gpointer data)
{
  Report *report = data;
  g_autoptr(ZidCardMonitor) self = g_weak_ref_get (&report->shared->monitor);
  ZidCardMonitorState state;
  guint i;

  if (self == NULL)
    return G_SOURCE_REMOVE;

  /* Readers that went away (all of them when the service did) */
  for (i = self->readers->len; i > 0; i--)
    {
      ZidReader *reader = g_ptr_array_index (self->readers, i - 1);
      gboolean keep = FALSE;

      for (guint j = 0; report->readers != NULL && j < report->readers->len; j++)
        if (strcmp (g_array_index (report->readers, Seen, j).name, zid_reader_get_name (reader)) == 0)
          keep = TRUE;
      if (!keep)
        {
          g_autoptr(ZidReader) gone = g_object_ref (reader);
          g_ptr_array_remove_index (self->readers, i - 1);
          g_list_model_items_changed (G_LIST_MODEL (self), i - 1, 1, 0);
          if (zid_reader_get_card_present (gone))
            {
              zid_reader_update (gone, FALSE, NULL);
              g_signal_emit (self, signals[CARD_REMOVED], 0, gone);
            }
        }
    }

  /* Readers that came and cards that changed */
  for (guint j = 0; report->readers != NULL && j < report->readers->len; j++)
    {
      Seen *s = &g_array_index (report->readers, Seen, j);
      ZidReader *reader = NULL;

      for (i = 0; i < self->readers->len; i++)
        if (strcmp (zid_reader_get_name (g_ptr_array_index (self->readers, i)), s->name) == 0)
          reader = g_ptr_array_index (self->readers, i);

      if (reader == NULL)
        {
          reader = zid_reader_new (s->name, s->present, s->atr);
          g_ptr_array_add (self->readers, reader);
          g_list_model_items_changed (G_LIST_MODEL (self), self->readers->len - 1, 0, 1);
          g_debug ("reader %s added%s", s->name, s->present ? " with a card" : "");
          if (s->present)
            g_signal_emit (self, signals[CARD_INSERTED], 0, reader);
        }
      else if (zid_reader_update (reader, s->present, s->atr))
        {
          g_debug ("reader %s: card %s", s->name, s->present ? "inserted" : "removed");
          g_signal_emit (self, signals[s->present ? CARD_INSERTED : CARD_REMOVED], 0, reader);
        }
    }

  state = compute_state (self, report->service);
  if (!self->ready)
    {
      self->ready = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READY]);
    }
  if (state != self->state)
    {
      self->state = state;
      g_debug ("card monitor state: %s", zid_card_monitor_state_to_string (state));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
      g_signal_emit (self, signals[STATE_CHANGED], 0);
    }
  return G_SOURCE_REMOVE;
}

void
zid_card_monitor_stop (ZidCardMonitor *self)
{
  Shared *shared;

  g_return_if_fail (ZID_IS_CARD_MONITOR (self));

  if (self->thread == NULL)
    return;
  shared = self->shared;
  g_mutex_lock (&shared->lock);
  shared->stop = TRUE;
  g_cond_broadcast (&shared->cond);
  /* SCardCancel only wakes a call in progress: repeat until the worker is
   * out, in case it was between two calls */
  while (!shared->finished)
    {
      gint64 until = g_get_monotonic_time () + 50 * G_TIME_SPAN_MILLISECOND;
      if (shared->has_ctx)
        SCardCancel (shared->ctx);
      g_cond_wait_until (&shared->cond, &shared->lock, until);
    }
  g_mutex_unlock (&shared->lock);
  g_thread_join (g_steal_pointer (&self->thread));
}

static void
zid_card_monitor_dispose (GObject *object)
{
  ZidCardMonitor *self = ZID_CARD_MONITOR (object);

  zid_card_monitor_stop (self);
  G_OBJECT_CLASS (zid_card_monitor_parent_class)->dispose (object);
}

static void
zid_card_monitor_finalize (GObject *object)
{
  ZidCardMonitor *self = ZID_CARD_MONITOR (object);

  g_clear_pointer (&self->readers, g_ptr_array_unref);
  g_clear_pointer (&self->shared, shared_unref);
  G_OBJECT_CLASS (zid_card_monitor_parent_class)->finalize (object);
}

static void
zid_card_monitor_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  ZidCardMonitor *self = ZID_CARD_MONITOR (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_READY:
      g_value_set_boolean (value, self->ready);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
zid_card_monitor_class_init (ZidCardMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = zid_card_monitor_dispose;
  object_class->finalize = zid_card_monitor_finalize;
  object_class->get_property = zid_card_monitor_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, ZID_TYPE_CARD_MONITOR_STATE,
                       ZID_CARD_MONITOR_STATE_NO_SERVICE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_READY] =
    g_param_spec_boolean ("ready", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CARD_INSERTED] =
    g_signal_new ("card-inserted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, ZID_TYPE_READER);
  signals[CARD_REMOVED] =
    g_signal_new ("card-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, ZID_TYPE_READER);
  signals[STATE_CHANGED] =
    g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
zid_card_monitor_init (ZidCardMonitor *self)
{
  self->readers = g_ptr_array_new_with_free_func (g_object_unref);
  self->state = ZID_CARD_MONITOR_STATE_NO_SERVICE;
}

static GType
get_item_type (GListModel *model)
{
  return ZID_TYPE_READER;
}

static guint
get_n_items (GListModel *model)
{
  return ZID_CARD_MONITOR (model)->readers->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  ZidCardMonitor *self = ZID_CARD_MONITOR (model);

  if (position >= self->readers->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->readers, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

ZidCardMonitor *
zid_card_monitor_new (void)
{
  ZidCardMonitor *self = g_object_new (ZID_TYPE_CARD_MONITOR, NULL);
  Shared *shared = g_new0 (Shared, 1);

  g_atomic_ref_count_init (&shared->ref_count);
  g_mutex_init (&shared->lock);
  g_cond_init (&shared->cond);
  shared->main_context = g_main_context_ref_thread_default ();
  g_weak_ref_init (&shared->monitor, self);
  self->shared = shared;
  self->thread = g_thread_new ("zid-card-monitor", worker, shared_ref (shared));
  return self;
}

ZidCardMonitorState
zid_card_monitor_get_state (ZidCardMonitor *self)
{
  g_return_val_if_fail (ZID_IS_CARD_MONITOR (self), ZID_CARD_MONITOR_STATE_NO_SERVICE);
  return self->state;
}

gboolean
zid_card_monitor_get_ready (ZidCardMonitor *self)
{
  g_return_val_if_fail (ZID_IS_CARD_MONITOR (self), FALSE);
  return self->ready;
}

ZidReader *
zid_card_monitor_get_reader_with_card (ZidCardMonitor *self)
{
  g_return_val_if_fail (ZID_IS_CARD_MONITOR (self), NULL);
  for (guint i = 0; i < self->readers->len; i++)
    if (zid_reader_get_card_present (g_ptr_array_index (self->readers, i)))
      return g_ptr_array_index (self->readers, i);
  return NULL;
}

const char *
zid_card_monitor_state_to_string (ZidCardMonitorState state)
{
  switch (state)
    {
    case ZID_CARD_MONITOR_STATE_NO_SERVICE: return "no-service";
    case ZID_CARD_MONITOR_STATE_NO_READER: return "no-reader";
    case ZID_CARD_MONITOR_STATE_NO_CARD: return "no-card";
    case ZID_CARD_MONITOR_STATE_CARD_PRESENT: return "card-present";
    default: return "unknown";
    }
}

const char *
zid_card_monitor_state_describe (ZidCardMonitorState state)
{
  switch (state)
    {
    case ZID_CARD_MONITOR_STATE_NO_SERVICE: return _("Card reader service not running");
    case ZID_CARD_MONITOR_STATE_NO_READER: return _("No card reader connected");
    case ZID_CARD_MONITOR_STATE_NO_CARD: return _("No card in the card reader");
    case ZID_CARD_MONITOR_STATE_CARD_PRESENT: return _("Card present");
    default: return "";
    }
}

GPtrArray *
zid_card_list_readers (GError **error)
{
  g_autoptr(GPtrArray) readers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree SCARD_READERSTATE *states = NULL;
  g_auto(GStrv) names = NULL;
  SCARDCONTEXT ctx;
  guint n;
  LONG rv;

  rv = SCardEstablishContext (SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
  if (rv != SCARD_S_SUCCESS)
    {
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_NO_SERVICE,
                   _("Card reader service not running (PC/SC error 0x%08lX)"), (unsigned long) rv);
      return NULL;
    }
  names = list_reader_names (ctx, &rv);
  if (names == NULL)
    {
      SCardReleaseContext (ctx);
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_NO_SERVICE,
                   _("Card reader service not running (PC/SC error 0x%08lX)"), (unsigned long) rv);
      return NULL;
    }
  n = g_strv_length (names);
  states = g_new0 (SCARD_READERSTATE, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      states[i].szReader = names[i];
      states[i].dwCurrentState = SCARD_STATE_UNAWARE;
    }
  if (n > 0)
    {
      rv = SCardGetStatusChange (ctx, 0, states, n);
      if (rv != SCARD_S_SUCCESS && rv != (LONG) SCARD_E_TIMEOUT)
        {
          SCardReleaseContext (ctx);
          g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_NO_SERVICE,
                       _("Card reader service not running (PC/SC error 0x%08lX)"), (unsigned long) rv);
          return NULL;
        }
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GBytes) atr = atr_of (&states[i]);
      g_ptr_array_add (readers, zid_reader_new (names[i], (states[i].dwEventState & SCARD_STATE_PRESENT) != 0, atr));
    }
  SCardReleaseContext (ctx);
  return g_steal_pointer (&readers);
}
