/* zid-watch.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-core"

#include "config.h"

#include <gio/gio.h>

#include "zid-watch.h"

struct _ZidWatch
{
  GObject           parent_instance;

  /* owned */
  ZidBackend       *portal;
  GCancellable     *cancellable;
  guint             tick_id;

  /* the state seen */
  ZidChangeVersion  version;     /* when the last look began */
  gboolean          version_known;
  gint64            seq;         /* the newest change seen */
  gboolean          looking;     /* a worker asks which rows changed */
  gboolean          look_again;  /* zid_watch_check() while it did */
};

G_DEFINE_FINAL_TYPE (ZidWatch, zid_watch, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

#define WATCH_KEY "zid-watch"

typedef struct
{
  gint64  since;
  gint64  latest;
  GArray *users;
  GArray *organisations;
} Look;

static void
look_free (gpointer data)
{
  Look *look = data;

  g_clear_pointer (&look->users, g_array_unref);
  g_clear_pointer (&look->organisations, g_array_unref);
  g_free (look);
}

static void
look_worker (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  ZidWatch *self = source;
  Look *look = data;
  GError *error = NULL;

  if (!zid_backend_list_changes (self->portal, look->since, &look->latest,
                                look->users, look->organisations, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void look (ZidWatch *self);

static void
look_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  ZidWatch *self = ZID_WATCH (source);
  Look *l = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  self->looking = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* looked at again at the next tick */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_debug ("watch: %s", error->message);
          self->version_known = FALSE;
        }
      return;
    }
  self->seq = MAX (self->seq, l->latest);
  if (l->users->len > 0 || l->organisations->len > 0)
    {
      g_debug ("watch: %u users, %u organisations changed (up to %" G_GINT64_FORMAT ")",
               l->users->len, l->organisations->len, self->seq);
      g_signal_emit (self, signals[CHANGED], 0, l->users, l->organisations);
    }
  if (self->look_again)
    look (self);
}

/* Asks the worker which rows changed after the last one seen */
static void
look (ZidWatch *self)
{
  g_autoptr(GTask) task = NULL;
  Look *l;

  self->look_again = FALSE;
  if (self->looking)
    {
      self->look_again = TRUE;
      return;
    }
  self->looking = TRUE;
  l = g_new0 (Look, 1);
  l->since = self->seq;
  l->users = g_array_new (FALSE, FALSE, sizeof (gint64));
  l->organisations = g_array_new (FALSE, FALSE, sizeof (gint64));
  task = g_task_new (self, self->cancellable, look_done, NULL);
  g_task_set_source_tag (task, look);
  g_task_set_task_data (task, l, look_free);
  g_task_run_in_thread (task, look_worker);
}

static gboolean
tick (gpointer data)
{
  ZidWatch *self = data;
  ZidChangeVersion now;

  /* busy (a transaction under way): the next tick looks */
  if (self->looking || !zid_backend_poll_changes (self->portal, &now))
    return G_SOURCE_CONTINUE;
  if (self->version_known &&
      now.data_version == self->version.data_version &&
      now.own_changes == self->version.own_changes)
    return G_SOURCE_CONTINUE;
  /* noted before the look: what commits during it is looked at next */
  self->version = now;
  self->version_known = TRUE;
  look (self);
  return G_SOURCE_CONTINUE;
}

void
zid_watch_check (ZidWatch *self)
{
  g_return_if_fail (ZID_IS_WATCH (self));
  self->version_known = FALSE;
  tick (self);
}

ZidBackend *
zid_watch_get_portal (ZidWatch *self)
{
  g_return_val_if_fail (ZID_IS_WATCH (self), NULL);
  return self->portal;
}

static void
zid_watch_dispose (GObject *object)
{
  ZidWatch *self = ZID_WATCH (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->portal != NULL)
    g_object_set_data (G_OBJECT (self->portal), WATCH_KEY, NULL);
  g_clear_object (&self->portal);
  G_OBJECT_CLASS (zid_watch_parent_class)->dispose (object);
}

static void
zid_watch_finalize (GObject *object)
{
  ZidWatch *self = ZID_WATCH (object);

  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (zid_watch_parent_class)->finalize (object);
}

static void
zid_watch_class_init (ZidWatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = zid_watch_dispose;
  object_class->finalize = zid_watch_finalize;

  signals[CHANGED] = g_signal_new ("changed",
                                   G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 2,
                                   G_TYPE_ARRAY | G_SIGNAL_TYPE_STATIC_SCOPE,
                                   G_TYPE_ARRAY | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
zid_watch_init (ZidWatch *self)
{
  self->cancellable = g_cancellable_new ();
}

ZidWatch *
zid_watch_get (ZidBackend *portal)
{
  ZidWatch *self;

  g_return_val_if_fail (ZID_IS_BACKEND (portal), NULL);

  self = g_object_get_data (G_OBJECT (portal), WATCH_KEY);
  if (self != NULL)
    return g_object_ref (self);

  self = g_object_new (ZID_TYPE_WATCH, NULL);
  self->portal = g_object_ref (portal);
  /* Changes from here on: a view that loads after this sees each change
   * in what it loads, or is told of it, or both */
  if (!zid_backend_list_changes (portal, -1, &self->seq, NULL, NULL, NULL))
    self->seq = 0;
  self->version_known = zid_backend_poll_changes (portal, &self->version);
  /* borrowed: the watch lives while its watchers hold it */
  g_object_set_data (G_OBJECT (portal), WATCH_KEY, self);
  self->tick_id = g_timeout_add (ZID_WATCH_INTERVAL_MS, tick, self);
  return self;
}
