/* zid-qr-code.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <glib/gi18n.h>
#include <qrencode.h>

#include "zid-qr-code.h"

#define QUIET_ZONE      4
#define MIN_MODULE      2
#define PLACEHOLDER     264

struct _ZidQrCode
{
  GtkWidget  parent_instance;

  /* owned */
  char      *payload;
  guint8    *dark;       /* width * width, 1 = dark module (no quiet zone) */
  int        width;      /* modules per side of the symbol */
  int        last_module;
};

G_DEFINE_FINAL_TYPE (ZidQrCode, zid_qr_code, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_PAYLOAD, N_PROPS };
static GParamSpec *properties[N_PROPS];

static int
modules (ZidQrCode *self)
{
  return self->dark ? self->width + 2 * QUIET_ZONE : 0;
}

static void
zid_qr_code_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  ZidQrCode *self = ZID_QR_CODE (widget);
  int n = modules (self);

  if (n == 0)
    {
      *minimum = *natural = PLACEHOLDER;
      return;
    }
  /* Constant size: height-for-width would let a centred parent hand out
   * its minimum width. The snapshot uses the largest square that fits. */
  *minimum = n * MIN_MODULE;
  *natural = n * ZID_QR_CODE_MODULE_PIXELS;
}

static void
zid_qr_code_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  ZidQrCode *self = ZID_QR_CODE (widget);
  static const GdkRGBA black = { 0, 0, 0, 1 };
  static const GdkRGBA white = { 1, 1, 1, 1 };
  int w = gtk_widget_get_width (widget);
  int h = gtk_widget_get_height (widget);
  int n = modules (self);
  int module, total, x0, y0;

  if (n == 0)
    return;
  /* Whole pixels per module, whole-pixel origin: every edge on a pixel edge */
  module = MAX (1, MIN (w, h) / n);
  total = module * n;
  x0 = (w - total) / 2;
  y0 = (h - total) / 2;
  self->last_module = module;

  gtk_snapshot_append_color (snapshot, &white, &GRAPHENE_RECT_INIT (x0, y0, total, total));
  x0 += QUIET_ZONE * module;
  y0 += QUIET_ZONE * module;
  for (int my = 0; my < self->width; my++)
    for (int mx = 0; mx < self->width; )
      {
        int run = 0;

        while (mx + run < self->width && self->dark[my * self->width + mx + run])
          run++;
        if (run == 0)
          {
            mx++;
            continue;
          }
        gtk_snapshot_append_color (snapshot, &black,
                                   &GRAPHENE_RECT_INIT (x0 + mx * module, y0 + my * module,
                                                        run * module, module));
        mx += run;
      }
}

gboolean
zid_qr_code_set_payload (ZidQrCode   *self,
                         const char  *payload,
                         GError     **error)
{
  QRcode *qr = NULL;

  g_return_val_if_fail (ZID_IS_QR_CODE (self), FALSE);

  if (g_strcmp0 (payload, self->payload) == 0)
    return TRUE;
  g_clear_pointer (&self->payload, g_free);
  g_clear_pointer (&self->dark, g_free);
  self->width = 0;

  if (payload != NULL && *payload != '\0')
    {
      qr = QRcode_encodeString (payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
      if (qr == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("The QR code could not be made"));
        }
      else
        {
          self->payload = g_strdup (payload);
          self->width = qr->width;
          self->dark = g_malloc (qr->width * qr->width);
          for (int i = 0; i < qr->width * qr->width; i++)
            self->dark[i] = qr->data[i] & 1;
          QRcode_free (qr);
        }
    }
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAYLOAD]);
  return self->payload != NULL || payload == NULL || *payload == '\0';
}

const char *
zid_qr_code_get_payload (ZidQrCode *self)
{
  g_return_val_if_fail (ZID_IS_QR_CODE (self), NULL);
  return self->payload;
}

int
zid_qr_code_get_modules (ZidQrCode *self)
{
  g_return_val_if_fail (ZID_IS_QR_CODE (self), 0);
  return modules (self);
}

int
zid_qr_code_get_module_size (ZidQrCode *self)
{
  g_return_val_if_fail (ZID_IS_QR_CODE (self), 0);
  return self->last_module;
}

static void
zid_qr_code_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  ZidQrCode *self = ZID_QR_CODE (object);

  switch (prop_id)
    {
    case PROP_PAYLOAD:
      g_value_set_string (value, self->payload);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
zid_qr_code_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  ZidQrCode *self = ZID_QR_CODE (object);

  switch (prop_id)
    {
    case PROP_PAYLOAD:
      zid_qr_code_set_payload (self, g_value_get_string (value), NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
zid_qr_code_finalize (GObject *object)
{
  ZidQrCode *self = ZID_QR_CODE (object);

  g_free (self->payload);
  g_free (self->dark);
  G_OBJECT_CLASS (zid_qr_code_parent_class)->finalize (object);
}

static void
zid_qr_code_class_init (ZidQrCodeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = zid_qr_code_finalize;
  object_class->get_property = zid_qr_code_get_property;
  object_class->set_property = zid_qr_code_set_property;
  widget_class->measure = zid_qr_code_measure;
  widget_class->snapshot = zid_qr_code_snapshot;

  properties[PROP_PAYLOAD] =
    g_param_spec_string ("payload", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "zid-qr-code");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
zid_qr_code_init (ZidQrCode *self)
{
}

GtkWidget *
zid_qr_code_new (void)
{
  return g_object_new (ZID_TYPE_QR_CODE, NULL);
}
