/* zid-membership-dialog.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include "zid-form-dialog.h"
#include "zid-membership-dialog.h"
#include "zid-ui-util.h"

struct _ZidMembershipDialog
{
  AdwMessageDialog  parent_instance;

  /* template */
  GtkDropDown      *organisations;
  GtkDropDown      *roles;

  /* owned */
  GtkStringList    *names;      /* the organisations' names */
  GArray           *ids;        /* gint64 per organisation */
  GArray           *masks;      /* guint per organisation: the roles offered */
  GArray           *role_ids;   /* ZidRole per row of @roles */
};

G_DEFINE_FINAL_TYPE (ZidMembershipDialog, zid_membership_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
organisation_changed (ZidMembershipDialog *self)
{
  guint i = gtk_drop_down_get_selected (self->organisations);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  g_array_set_size (self->role_ids, 0);
  if (i < self->masks->len)
    {
      guint mask = g_array_index (self->masks, guint, i);

      /* Gebruiker first: the common case, and the default */
      for (ZidRole role = ZID_ROLE_GEBRUIKER; role <= ZID_ROLE_ADMINISTRATOR; role++)
        if (mask & (1u << role))
          {
            gtk_string_list_append (names, zid_ui_role_label (role));
            g_array_append_val (self->role_ids, role);
          }
    }
  gtk_drop_down_set_model (self->roles, G_LIST_MODEL (names));
}

static void
zid_membership_dialog_finalize (GObject *object)
{
  ZidMembershipDialog *self = ZID_MEMBERSHIP_DIALOG (object);

  g_clear_object (&self->names);
  g_array_unref (self->ids);
  g_array_unref (self->masks);
  g_array_unref (self->role_ids);
  G_OBJECT_CLASS (zid_membership_dialog_parent_class)->finalize (object);
}

static void
zid_membership_dialog_class_init (ZidMembershipDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = zid_membership_dialog_finalize;
  gtk_widget_class_set_template_from_resource (widget_class, "/nl/zorgid/Portaal/ui/zid-membership-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ZidMembershipDialog, organisations);
  gtk_widget_class_bind_template_child (widget_class, ZidMembershipDialog, roles);
}

static void
zid_membership_dialog_init (ZidMembershipDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* Open until the role is saved: a refusal shows here */
  zid_form_dialog_setup (ADW_MESSAGE_DIALOG (self), "save");
  self->names = gtk_string_list_new (NULL);
  self->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->masks = g_array_new (FALSE, FALSE, sizeof (guint));
  self->role_ids = g_array_new (FALSE, FALSE, sizeof (ZidRole));
  gtk_drop_down_set_model (self->organisations, G_LIST_MODEL (self->names));
  g_signal_connect_object (self->organisations, "notify::selected",
                           G_CALLBACK (organisation_changed), self, G_CONNECT_SWAPPED);
}

ZidMembershipDialog *
zid_membership_dialog_new (GtkWindow *parent)
{
  return g_object_new (ZID_TYPE_MEMBERSHIP_DIALOG, "transient-for", parent, "modal", TRUE, NULL);
}

void
zid_membership_dialog_add_organisation (ZidMembershipDialog   *self,
                                        const ZidOrganisation *organisation,
                                        guint                  roles)
{
  g_return_if_fail (ZID_IS_MEMBERSHIP_DIALOG (self));
  g_return_if_fail (organisation != NULL);

  g_array_append_val (self->ids, organisation->id);
  g_array_append_val (self->masks, roles);
  gtk_string_list_append (self->names, organisation->name);
  organisation_changed (self);
}

gint64
zid_membership_dialog_get_organisation (ZidMembershipDialog *self)
{
  guint i;

  g_return_val_if_fail (ZID_IS_MEMBERSHIP_DIALOG (self), 0);
  i = gtk_drop_down_get_selected (self->organisations);
  return i < self->ids->len && zid_membership_dialog_get_role (self) != ZID_ROLE_NONE
         ? g_array_index (self->ids, gint64, i) : 0;
}

ZidRole
zid_membership_dialog_get_role (ZidMembershipDialog *self)
{
  guint i;

  g_return_val_if_fail (ZID_IS_MEMBERSHIP_DIALOG (self), ZID_ROLE_NONE);
  i = gtk_drop_down_get_selected (self->roles);
  return i < self->role_ids->len ? g_array_index (self->role_ids, ZidRole, i) : ZID_ROLE_NONE;
}
