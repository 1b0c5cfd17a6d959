/* zid-reader.c — one PC/SC card reader */
#include "zid-reader-private.h"

struct _ZidReader
{
  GObject parent_instance;

  /* owned */
  char *name;
  GBytes *atr;

  gboolean card_present;
};

G_DEFINE_FINAL_TYPE (ZidReader, zid_reader, G_TYPE_OBJECT)

enum { PROP_0, PROP_NAME, PROP_CARD_PRESENT, PROP_ATR, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
zid_reader_finalize (GObject *object)
{
  ZidReader *self = ZID_READER (object);

  g_free (self->name);
  g_clear_pointer (&self->atr, g_bytes_unref);
  G_OBJECT_CLASS (zid_reader_parent_class)->finalize (object);
}

static void
zid_reader_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  ZidReader *self = ZID_READER (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_CARD_PRESENT:
      g_value_set_boolean (value, self->card_present);
      break;
    case PROP_ATR:
      g_value_set_boxed (value, self->atr);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
zid_reader_class_init (ZidReaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = zid_reader_finalize;
  object_class->get_property = zid_reader_get_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CARD_PRESENT] =
    g_param_spec_boolean ("card-present", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ATR] =
    g_param_spec_boxed ("atr", NULL, NULL, G_TYPE_BYTES,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
zid_reader_init (ZidReader *self)
{
}

ZidReader *
zid_reader_new (const char *name,
                gboolean    card_present,
                GBytes     *atr)
{
  ZidReader *self = g_object_new (ZID_TYPE_READER, NULL);

  self->name = g_strdup (name);
  self->card_present = card_present;
  self->atr = card_present && atr != NULL ? g_bytes_ref (atr) : NULL;
  return self;
}

gboolean
zid_reader_update (ZidReader *self,
                   gboolean   card_present,
                   GBytes    *atr)
{
  gboolean changed = FALSE;

  if (!card_present)
    atr = NULL;
  if (self->card_present != card_present)
    {
      self->card_present = card_present;
      changed = TRUE;
    }
  if (!(self->atr == NULL && atr == NULL) &&
      (self->atr == NULL || atr == NULL || !g_bytes_equal (self->atr, atr)))
    {
      g_clear_pointer (&self->atr, g_bytes_unref);
      self->atr = atr != NULL ? g_bytes_ref (atr) : NULL;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ATR]);
    }
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CARD_PRESENT]);
  return changed;
}

const char *
zid_reader_get_name (ZidReader *self)
{
  g_return_val_if_fail (ZID_IS_READER (self), NULL);
  return self->name;
}

gboolean
zid_reader_get_card_present (ZidReader *self)
{
  g_return_val_if_fail (ZID_IS_READER (self), FALSE);
  return self->card_present;
}

GBytes *
zid_reader_get_atr (ZidReader *self)
{
  g_return_val_if_fail (ZID_IS_READER (self), NULL);
  return self->atr;
}

char *
zid_reader_dup_atr_hex (ZidReader *self)
{
  GString *s = g_string_new (NULL);

  g_return_val_if_fail (ZID_IS_READER (self), NULL);
  if (self->atr != NULL)
    {
      gsize len;
      const guint8 *p = g_bytes_get_data (self->atr, &len);
      for (gsize i = 0; i < len; i++)
        g_string_append_printf (s, "%02X", p[i]);
    }
  return g_string_free (s, FALSE);
}
