/* zid-user-item.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include "zid-user-item.h"

struct _ZidUserItem
{
  GObject  parent_instance;

  /* owned */
  ZidUser *user;
};

G_DEFINE_FINAL_TYPE (ZidUserItem, zid_user_item, G_TYPE_OBJECT)

enum { PROP_0, PROP_USER, N_PROPS };
static GParamSpec *properties[N_PROPS];

ZidUser *
zid_user_item_get_user (ZidUserItem *self)
{
  g_return_val_if_fail (ZID_IS_USER_ITEM (self), NULL);
  return self->user;
}

void
zid_user_item_set_user (ZidUserItem *self,
                       ZidUser    *user)
{
  g_return_if_fail (ZID_IS_USER_ITEM (self));
  if (g_set_object (&self->user, user))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER]);
}

static void
zid_user_item_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  ZidUserItem *self = ZID_USER_ITEM (object);

  switch (prop_id)
    {
    case PROP_USER:
      g_value_set_object (value, self->user);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
zid_user_item_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  ZidUserItem *self = ZID_USER_ITEM (object);

  switch (prop_id)
    {
    case PROP_USER:
      zid_user_item_set_user (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
zid_user_item_finalize (GObject *object)
{
  g_clear_object (&ZID_USER_ITEM (object)->user);
  G_OBJECT_CLASS (zid_user_item_parent_class)->finalize (object);
}

static void
zid_user_item_class_init (ZidUserItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = zid_user_item_finalize;
  object_class->get_property = zid_user_item_get_property;
  object_class->set_property = zid_user_item_set_property;

  properties[PROP_USER] =
    g_param_spec_object ("user", NULL, NULL, ZID_TYPE_USER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
zid_user_item_init (ZidUserItem *self)
{
}

ZidUserItem *
zid_user_item_new (void)
{
  return g_object_new (ZID_TYPE_USER_ITEM, NULL);
}
