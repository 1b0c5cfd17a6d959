/* zid-block-dialog.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <glib/gi18n.h>

#include "zid-block-dialog.h"
#include "zid-form-dialog.h"

struct _ZidBlockDialog
{
  AdwMessageDialog  parent_instance;

  /* template */
  GtkDropDown      *reasons;   /* the rows of the core's table of block reasons */
};

G_DEFINE_FINAL_TYPE (ZidBlockDialog, zid_block_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
on_reason_selected (ZidBlockDialog *self)
{
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "block",
                                           gtk_drop_down_get_selected (self->reasons) !=
                                           GTK_INVALID_LIST_POSITION);
}

static void
zid_block_dialog_class_init (ZidBlockDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, "/nl/zorgid/Portaal/ui/zid-block-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ZidBlockDialog, reasons);
}

static void
zid_block_dialog_init (ZidBlockDialog *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
  /* Open until blocked: a refusal shows here */
  zid_form_dialog_setup (ADW_MESSAGE_DIALOG (self), "block");
  for (guint i = 0; i < zid_block_reason_get_n_values (); i++)
    gtk_string_list_append (names, zid_block_reason_get_label (zid_block_reason_nth (i)->value));
  gtk_drop_down_set_model (self->reasons, G_LIST_MODEL (names));
  /* The reason is the administrator's choice, none offered beforehand:
   * Blokkeren waits for it */
  gtk_drop_down_set_selected (self->reasons, GTK_INVALID_LIST_POSITION);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "block", FALSE);
  g_signal_connect_swapped (self->reasons, "notify::selected", G_CALLBACK (on_reason_selected), self);
}

ZidBlockDialog *
zid_block_dialog_new (GtkWindow  *parent,
                      const char *person)
{
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;

  /* Whom: in the question itself */
  heading = g_strdup_printf (_("Block %s?"), person);
  body = g_strdup_printf (_("%s can no longer use the ZORG-ID Mobile App, in any organisation, "
                            "until the block is lifted. Choose the reason."), person);
  return g_object_new (ZID_TYPE_BLOCK_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       "heading", heading,
                       "body", body,
                       NULL);
}

ZidBlockReason
zid_block_dialog_get_reason (ZidBlockDialog *self)
{
  const ZidEnumInfo *info;

  g_return_val_if_fail (ZID_IS_BLOCK_DIALOG (self), ZID_BLOCK_REASON_NONE);
  info = zid_block_reason_nth (gtk_drop_down_get_selected (self->reasons));
  return info != NULL ? (ZidBlockReason) info->value : ZID_BLOCK_REASON_NONE;
}
