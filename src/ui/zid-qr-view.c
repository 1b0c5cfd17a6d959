/* zid-qr-view.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <glib/gi18n.h>

#include "zid-qr-code.h"
#include "zid-qr-view.h"
#include "zid-ui-util.h"

struct _ZidQrView
{
  GtkBox       parent_instance;

  /* template */
  GtkLabel    *purpose_label;
  GtkButton   *code_button;
  ZidQrCode   *code;
  GtkLabel    *expired_label;
  GtkLabel    *remaining_label;
  GtkLabel    *status_label;

  /* owned */
  ZidClock    *clock;
  char        *payload;
  gint64       expires;
  gboolean     countdown;
  gboolean     renewable;
  gboolean     expired;
  gboolean     used;
  guint        tick_id;
};

G_DEFINE_FINAL_TYPE (ZidQrView, zid_qr_view, GTK_TYPE_BOX)

enum { RENEW, N_SIGNALS };
static guint signals[N_SIGNALS];

static gint64
now (ZidQrView *self)
{
  if (self->clock != NULL)
    return zid_clock_now (self->clock);
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* The code no longer usable (expired, used): faded, with a word over it */
static void
fade_code (ZidQrView  *self,
           const char *over,
           const char *accessible)
{
  gtk_widget_set_opacity (GTK_WIDGET (self->code), 0.08);
  gtk_widget_set_visible (GTK_WIDGET (self->expired_label), TRUE);
  gtk_label_set_text (self->expired_label, over);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->code_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
}

static void
update_remaining (ZidQrView *self)
{
  gint64 left;
  g_autofree char *text = NULL;

  if (self->used)
    return;
  if (self->payload == NULL)
    {
      gtk_label_set_text (self->remaining_label, "");
      return;
    }

  left = self->expires - now (self);
  text = zid_ui_format_remaining (left, self->countdown);
  gtk_label_set_text (self->remaining_label, text);

  if (left <= 0 && !self->expired)
    {
      self->expired = TRUE;
      fade_code (self,
                 self->renewable ? _("Expired — click to show a new QR code") : _("Expired"),
                 self->renewable ? _("Expired — click to show a new QR code") : _("Expired QR code"));
    }
}

static gboolean
tick (gpointer data)
{
  update_remaining (ZID_QR_VIEW (data));
  return G_SOURCE_CONTINUE;
}

static void
on_code_clicked (ZidQrView *self)
{
  if (self->expired && self->renewable)
    g_signal_emit (self, signals[RENEW], 0);
}

void
zid_qr_view_set_code (ZidQrView  *self,
                      const char *payload,
                      gint64      expires,
                      gboolean    countdown)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (ZID_IS_QR_VIEW (self));

  g_clear_pointer (&self->payload, g_free);
  self->payload = g_strdup (payload);
  self->expires = expires;
  self->countdown = countdown;
  self->expired = FALSE;
  self->used = FALSE;
  gtk_widget_set_opacity (GTK_WIDGET (self->code), 1.0);
  gtk_widget_set_visible (GTK_WIDGET (self->expired_label), FALSE);

  if (payload != NULL)
    {
      if (!zid_qr_code_set_payload (self->code, payload, &error))
        zid_qr_view_set_status (self, error->message);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->code_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("QR code"), -1);
    }
  else
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->code_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Making a QR code…"), -1);
    }
  if (payload == NULL)
    zid_qr_code_set_payload (self->code, NULL, NULL);
  update_remaining (self);

  if (self->tick_id == 0 && payload != NULL)
    self->tick_id = g_timeout_add_seconds (1, tick, self);
}

const char *
zid_qr_view_get_payload (ZidQrView *self)
{
  g_return_val_if_fail (ZID_IS_QR_VIEW (self), NULL);
  return self->payload;
}

ZidQrCode *
zid_qr_view_get_code (ZidQrView *self)
{
  g_return_val_if_fail (ZID_IS_QR_VIEW (self), NULL);
  return self->code;
}

gboolean
zid_qr_view_get_expired (ZidQrView *self)
{
  g_return_val_if_fail (ZID_IS_QR_VIEW (self), FALSE);
  return self->expired;
}

void
zid_qr_view_set_clock (ZidQrView *self,
                       ZidClock  *clock)
{
  g_return_if_fail (ZID_IS_QR_VIEW (self));
  g_set_object (&self->clock, clock);
}

void
zid_qr_view_set_purpose (ZidQrView  *self,
                         const char *purpose)
{
  g_return_if_fail (ZID_IS_QR_VIEW (self));
  gtk_label_set_text (self->purpose_label, purpose ? purpose : "");
  gtk_widget_set_visible (GTK_WIDGET (self->purpose_label), purpose != NULL);
}

void
zid_qr_view_set_status (ZidQrView  *self,
                        const char *status)
{
  g_return_if_fail (ZID_IS_QR_VIEW (self));
  gtk_label_set_text (self->status_label, status ? status : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), status != NULL && *status);
}

/**
 * zid_qr_view_set_used:
 * @text: what became of the code, in place of its remaining time
 *
 * The phone has used the code: it is faded as an expired one, and no
 * longer counts down.
 */
void
zid_qr_view_set_used (ZidQrView  *self,
                      const char *text)
{
  g_return_if_fail (ZID_IS_QR_VIEW (self));
  self->used = TRUE;
  g_clear_handle_id (&self->tick_id, g_source_remove);
  fade_code (self, _("Used"), _("Used QR code"));
  gtk_label_set_text (self->remaining_label, text ? text : "");
}

void
zid_qr_view_set_renewable (ZidQrView *self,
                           gboolean   renewable)
{
  g_return_if_fail (ZID_IS_QR_VIEW (self));
  self->renewable = renewable;
}

static void
zid_qr_view_dispose (GObject *object)
{
  ZidQrView *self = ZID_QR_VIEW (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), ZID_TYPE_QR_VIEW);
  G_OBJECT_CLASS (zid_qr_view_parent_class)->dispose (object);
}

static void
zid_qr_view_finalize (GObject *object)
{
  ZidQrView *self = ZID_QR_VIEW (object);

  g_clear_object (&self->clock);
  g_free (self->payload);
  G_OBJECT_CLASS (zid_qr_view_parent_class)->finalize (object);
}

static void
zid_qr_view_class_init (ZidQrViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = zid_qr_view_dispose;
  object_class->finalize = zid_qr_view_finalize;

  signals[RENEW] = g_signal_new ("renew", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (ZID_TYPE_QR_CODE);
  gtk_widget_class_set_template_from_resource (widget_class, "/nl/zorgid/Portaal/ui/zid-qr-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ZidQrView, purpose_label);
  gtk_widget_class_bind_template_child (widget_class, ZidQrView, code_button);
  gtk_widget_class_bind_template_child (widget_class, ZidQrView, code);
  gtk_widget_class_bind_template_child (widget_class, ZidQrView, expired_label);
  gtk_widget_class_bind_template_child (widget_class, ZidQrView, remaining_label);
  gtk_widget_class_bind_template_child (widget_class, ZidQrView, status_label);
  gtk_widget_class_bind_template_callback (widget_class, on_code_clicked);
}

static void
zid_qr_view_init (ZidQrView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
zid_qr_view_new (void)
{
  return g_object_new (ZID_TYPE_QR_VIEW, NULL);
}
