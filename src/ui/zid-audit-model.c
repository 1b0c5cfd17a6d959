/* zid-audit-model.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include "zid-audit-model.h"
#include "zid-work.h"

/* ZidAuditItem */

struct _ZidAuditItem
{
  GObject        parent_instance;
  ZidAuditEvent   *event;     /* owned */
  ZidAuditReading *reading;   /* owned */
};

G_DEFINE_FINAL_TYPE (ZidAuditItem, zid_audit_item, G_TYPE_OBJECT)

static void
zid_audit_item_finalize (GObject *object)
{
  ZidAuditItem *self = ZID_AUDIT_ITEM (object);

  g_clear_pointer (&self->event, zid_audit_event_free);
  g_clear_pointer (&self->reading, zid_audit_reading_free);
  G_OBJECT_CLASS (zid_audit_item_parent_class)->finalize (object);
}

static void
zid_audit_item_class_init (ZidAuditItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = zid_audit_item_finalize;
}

static void
zid_audit_item_init (ZidAuditItem *self)
{
}

const ZidAuditEvent *
zid_audit_item_get_event (ZidAuditItem *self)
{
  g_return_val_if_fail (ZID_IS_AUDIT_ITEM (self), NULL);

  return self->event;
}

const ZidAuditReading *
zid_audit_item_get_reading (ZidAuditItem *self)
{
  g_return_val_if_fail (ZID_IS_AUDIT_ITEM (self), NULL);

  return self->reading;
}

/* ZidAuditModel */

struct _ZidAuditModel
{
  GObject         parent_instance;

  /* owned */
  ZidBackend     *portal;
  GCancellable   *cancellable;   /* the fetch under way; replaced on a new filter */
  GPtrArray      *items;         /* ZidAuditItem, newest first */
  ZidAuditFilter  filter;
  char           *action;        /* owns filter.action */
  GError         *error;

  guint           page_size;
  gint64          before;        /* the next page starts below this id */
  gboolean        loading;
  gboolean        complete;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ZidAuditModel, zid_audit_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum { PROP_0, PROP_LOADING, PROP_COMPLETE, PROP_ERROR, N_PROPS };
static GParamSpec *props[N_PROPS];

typedef struct
{
  ZidAuditFilter  filter;
  char           *action;
  gint64          before;
  guint           limit;
} PageArgs;

static void
page_args_free (PageArgs *args)
{
  g_free (args->action);
  g_free (args);
}

/* A page of events and their readings, in the same order */
typedef struct
{
  GPtrArray *events;
  GPtrArray *readings;
} Page;

static void
page_free (Page *page)
{
  g_clear_pointer (&page->events, g_ptr_array_unref);
  g_clear_pointer (&page->readings, g_ptr_array_unref);
  g_free (page);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Page, page_free)

static gpointer
page_worker (ZidBackend  *portal,
             gpointer     data,
             GError     **error)
{
  PageArgs *args = data;
  Page *page = g_new0 (Page, 1);

  page->events = zid_backend_list_audit_page (portal, &args->filter, args->before, args->limit, error);
  if (page->events != NULL)
    page->readings = zid_backend_describe_audit (portal, args->filter.as, page->events, error);
  if (page->readings == NULL)
    {
      page_free (page);
      return NULL;
    }
  return page;
}

static void
set_loading (ZidAuditModel *self,
             gboolean       loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LOADING]);
}

static void
page_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Page) fetched = zid_work_finish (result, &error);
  GPtrArray *page = fetched ? fetched->events : NULL;
  ZidAuditModel *self;
  guint position;

  /* a fetch for a filter no longer in use */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ZID_AUDIT_MODEL (source);
  set_loading (self, FALSE);
  if (page == NULL)
    {
      g_clear_error (&self->error);
      self->error = g_steal_pointer (&error);
      self->complete = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ERROR]);
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_COMPLETE]);
      return;
    }

  position = self->items->len;
  for (guint i = 0; i < page->len; i++)
    {
      ZidAuditItem *item = g_object_new (ZID_TYPE_AUDIT_ITEM, NULL);

      item->event = g_steal_pointer (&page->pdata[i]);
      item->reading = g_steal_pointer (&fetched->readings->pdata[i]);
      self->before = item->event->id;
      g_ptr_array_add (self->items, item);
    }
  if (page->len < self->page_size)
    {
      self->complete = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_COMPLETE]);
    }
  if (page->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), position, 0, page->len);
}

static void
fetch_page (ZidAuditModel *self)
{
  PageArgs *args;

  if (self->loading || self->complete || self->portal == NULL)
    return;
  args = g_new0 (PageArgs, 1);
  args->filter = self->filter;
  args->action = g_strdup (self->action);
  args->filter.action = args->action;
  args->before = self->before;
  args->limit = self->page_size;
  set_loading (self, TRUE);
  /* the page keeps its events: page_done takes them over */
  zid_work_run (self, self->portal, page_worker, args, (GDestroyNotify) page_args_free,
                (GDestroyNotify) page_free, self->cancellable, page_done, NULL);
}

static GType
get_item_type (GListModel *model)
{
  return ZID_TYPE_AUDIT_ITEM;
}

static guint
get_n_items (GListModel *model)
{
  return ZID_AUDIT_MODEL (model)->items->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  ZidAuditModel *self = ZID_AUDIT_MODEL (model);

  if (position >= self->items->len)
    return NULL;
  /* a row in the last half page is wanted: the next page is fetched */
  if (position + self->page_size / 2 >= self->items->len)
    fetch_page (self);
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
zid_audit_model_dispose (GObject *object)
{
  ZidAuditModel *self = ZID_AUDIT_MODEL (object);

  g_cancellable_cancel (self->cancellable);
  G_OBJECT_CLASS (zid_audit_model_parent_class)->dispose (object);
}

static void
zid_audit_model_finalize (GObject *object)
{
  ZidAuditModel *self = ZID_AUDIT_MODEL (object);

  g_clear_object (&self->portal);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->action, g_free);
  g_clear_error (&self->error);
  G_OBJECT_CLASS (zid_audit_model_parent_class)->finalize (object);
}

static void
zid_audit_model_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  ZidAuditModel *self = ZID_AUDIT_MODEL (object);

  switch (prop_id)
    {
    case PROP_LOADING: g_value_set_boolean (value, self->loading); break;
    case PROP_COMPLETE: g_value_set_boolean (value, self->complete); break;
    case PROP_ERROR: g_value_set_boxed (value, self->error); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
zid_audit_model_class_init (ZidAuditModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = zid_audit_model_dispose;
  object_class->finalize = zid_audit_model_finalize;
  object_class->get_property = zid_audit_model_get_property;

  props[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_COMPLETE] = g_param_spec_boolean ("complete", NULL, NULL, FALSE,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_ERROR] = g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
zid_audit_model_init (ZidAuditModel *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->cancellable = g_cancellable_new ();
}

ZidAuditModel *
zid_audit_model_new (ZidBackend *portal,
                     guint       page_size)
{
  ZidAuditModel *self;

  g_return_val_if_fail (ZID_IS_BACKEND (portal), NULL);
  g_return_val_if_fail (page_size > 1, NULL);

  self = g_object_new (ZID_TYPE_AUDIT_MODEL, NULL);
  self->portal = g_object_ref (portal);
  self->page_size = page_size;
  /* nothing until a filter is set: the actor is part of it */
  self->complete = TRUE;
  return self;
}

void
zid_audit_model_set_filter (ZidAuditModel        *self,
                            const ZidAuditFilter *filter)
{
  guint removed;

  g_return_if_fail (ZID_IS_AUDIT_MODEL (self));
  g_return_if_fail (filter != NULL);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  g_free (self->action);
  self->action = g_strdup (filter->action);
  self->filter = *filter;
  self->filter.action = self->action;
  self->before = 0;
  self->complete = FALSE;
  self->loading = FALSE;
  g_clear_error (&self->error);

  removed = self->items->len;
  g_ptr_array_set_size (self->items, 0);
  if (removed > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ERROR]);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_COMPLETE]);
  fetch_page (self);
}

const ZidAuditFilter *
zid_audit_model_get_filter (ZidAuditModel *self)
{
  g_return_val_if_fail (ZID_IS_AUDIT_MODEL (self), NULL);

  return &self->filter;
}

gboolean
zid_audit_model_get_loading (ZidAuditModel *self)
{
  g_return_val_if_fail (ZID_IS_AUDIT_MODEL (self), FALSE);

  return self->loading;
}

gboolean
zid_audit_model_get_complete (ZidAuditModel *self)
{
  g_return_val_if_fail (ZID_IS_AUDIT_MODEL (self), FALSE);

  return self->complete;
}

const GError *
zid_audit_model_get_error (ZidAuditModel *self)
{
  g_return_val_if_fail (ZID_IS_AUDIT_MODEL (self), NULL);

  return self->error;
}
