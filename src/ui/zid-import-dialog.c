/* zid-import-dialog.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <glib/gi18n.h>

#include "zid-file-choice.h"
#include "zid-import-dialog.h"
#include "zid-letters-job.h"
#include "zid-organisation-choice.h"
#include "zid-ui-util.h"
#include "zid-work.h"

/* One row of the preview: the import it belongs to stays alive while any
 * of its rows is shown */
typedef struct
{
  ZidImport *import;
  gboolean   registered;   /* the import was made, not only previewed */
} Shared;

static void
shared_clear (gpointer p)
{
  zid_import_free (((Shared *) p)->import);
}

#define ZID_TYPE_IMPORT_ITEM (zid_import_item_get_type ())
G_DECLARE_FINAL_TYPE (ZidImportItem, zid_import_item, ZID, IMPORT_ITEM, GObject)

struct _ZidImportItem
{
  GObject       parent_instance;
  Shared       *shared;   /* a reference */
  ZidImportRow *row;      /* borrowed from shared->import */
};

G_DEFINE_FINAL_TYPE (ZidImportItem, zid_import_item, G_TYPE_OBJECT)

static void
zid_import_item_finalize (GObject *object)
{
  g_rc_box_release_full (ZID_IMPORT_ITEM (object)->shared, shared_clear);
  G_OBJECT_CLASS (zid_import_item_parent_class)->finalize (object);
}

static void
zid_import_item_class_init (ZidImportItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = zid_import_item_finalize;
}

static void
zid_import_item_init (ZidImportItem *self)
{
}

struct _ZidImportDialog
{
  AdwWindow        parent_instance;

  /* template */
  GtkLabel        *file_label;
  GtkDropDown     *organisation_dropdown;
  GtkDropDown     *role_dropdown;
  GtkLabel        *error_label;
  GtkLabel        *counts_label;
  GtkListView     *list_view;
  GtkSpinner      *spinner;
  GtkWidget       *print_button;

  /* owned */
  ZidBackend      *portal;
  GCancellable    *cancellable;    /* of the window */
  GCancellable    *preview;        /* of the preview under way */
  GListStore      *store;          /* ZidImportItem */
  GPtrArray       *organisations;  /* ZidOrganisation where the actor may register */
  char            *path;           /* the file chosen */
  gint64           actor;
  guint            n_importable;   /* rows the preview would register */
  guint            n_letters;      /* after the import: the new users' letters */
  gboolean         busy;
  gboolean         done;
};

G_DEFINE_FINAL_TYPE (ZidImportDialog, zid_import_dialog, ADW_TYPE_WINDOW)

static const ZidRole roles[] = { ZID_ROLE_GEBRUIKER, ZID_ROLE_BEHEERDER, ZID_ROLE_ADMINISTRATOR };

static void
show_error (ZidImportDialog *self,
            const char      *message)
{
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
set_busy (ZidImportDialog *self,
          gboolean         busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  /* after an import, a corrected file can still be chosen: a new preview */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.choose", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.run",
                                 !busy && !self->done && self->n_importable > 0);
  /* the letters can be printed once the import has made their codes */
  gtk_widget_set_visible (self->print_button, self->done && self->n_letters > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->organisation_dropdown), !busy && !self->done);
  gtk_widget_set_sensitive (GTK_WIDGET (self->role_dropdown), !busy && !self->done);
}

static const char *
outcome_label (ZidImportOutcome outcome,
               gboolean         registered)
{
  switch (outcome)
    {
    case ZID_IMPORT_NEW:        return registered ? _("Registered") : _("New");
    case ZID_IMPORT_MEMBERSHIP: return _("Added to the organisation");
    case ZID_IMPORT_SKIPPED:    return _("Already registered");
    case ZID_IMPORT_REFUSED:
    default:                    return _("Refused");
    }
}

/* ---- The preview's rows: line, name, birth date, outcome, reason ---- */

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  static const int widths[] = { 6, 28, 10, 22, 0 };

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      GtkWidget *label = gtk_label_new (NULL);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      if (widths[i] > 0)
        {
          gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
          gtk_label_set_width_chars (GTK_LABEL (label), widths[i]);
        }
      else
        {
          /* the reason a row is refused, whole: on more lines where narrow */
          gtk_label_set_wrap (GTK_LABEL (label), TRUE);
          gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
          gtk_label_set_width_chars (GTK_LABEL (label), 16);
          gtk_widget_set_hexpand (label, TRUE);
        }
      gtk_box_append (GTK_BOX (box), label);
    }
  gtk_list_item_set_child (item, box);
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  ZidImportItem *import_item = ZID_IMPORT_ITEM (gtk_list_item_get_item (item));
  ZidImportRow *row = import_item->row;
  GtkWidget *label = gtk_widget_get_first_child (gtk_list_item_get_child (item));
  g_autofree char *line = g_strdup_printf (_("line %u"), row->line);
  g_autofree char *name = g_strdup_printf ("%s %s", row->first_name ? row->first_name : "",
                                           row->last_name ? row->last_name : "");
  g_autofree char *born = zid_ui_format_date (row->birth_date);
  const char *texts[] = { line, name, born, outcome_label (row->outcome, import_item->shared->registered),
                          row->reason ? row->reason : "" };

  for (guint i = 0; label != NULL; i++, label = gtk_widget_get_next_sibling (label))
    gtk_label_set_text (GTK_LABEL (label), texts[i]);
  label = gtk_widget_get_first_child (gtk_list_item_get_child (item));
  label = gtk_widget_get_next_sibling (gtk_widget_get_next_sibling (gtk_widget_get_next_sibling (label)));
  if (row->outcome == ZID_IMPORT_REFUSED)
    gtk_widget_add_css_class (label, "error");
  else
    gtk_widget_remove_css_class (label, "error");
}

/* Shows @import's rows and counts; takes @import */
static void
show_import (ZidImportDialog *self,
             ZidImport       *import,
             gboolean         registered)
{
  Shared *shared = g_rc_box_new0 (Shared);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *counts = NULL;

  shared->import = import;
  shared->registered = registered;
  for (guint i = 0; i < import->rows->len; i++)
    {
      ZidImportItem *item = g_object_new (ZID_TYPE_IMPORT_ITEM, NULL);

      item->shared = g_rc_box_acquire (shared);
      item->row = g_ptr_array_index (import->rows, i);
      g_ptr_array_add (items, item);
    }
  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       items->pdata, items->len);
  /* Translators: the counts above the preview of an import, and after it */
  counts = g_strdup_printf (registered ? _("Registered: %u new, %u added to the organisation, %u already registered, %u refused")
                                       : _("%u new, %u added to the organisation, %u already registered, %u refused"),
                            import->n_new, import->n_membership, import->n_skipped, import->n_refused);
  /* said in the dialog itself: a toast would cover its buttons */
  if (registered)
    {
      g_autofree char *done = g_strdup_printf ("%s\n%s", counts, _("Imported: the letters are saved"));

      g_free (counts);
      counts = g_steal_pointer (&done);
    }
  gtk_label_set_text (self->counts_label, counts);
  self->n_importable = import->n_new + import->n_membership;
  self->n_letters = registered ? import->n_new : 0;
  g_rc_box_release_full (shared, shared_clear);
}

static void
clear_preview (ZidImportDialog *self)
{
  g_list_store_remove_all (self->store);
  gtk_label_set_text (self->counts_label, "");
  self->n_importable = 0;
}

/* ---- Reading and checking, off the main thread ---- */

static void
job_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  ZidImport *import = zid_work_finish (result, &error);
  gboolean registered = GPOINTER_TO_INT (user_data);
  ZidImportDialog *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ZID_IMPORT_DIALOG (source);
  if (import == NULL)
    {
      /* a refused file: nothing was written */
      if (!registered)
        clear_preview (self);
      show_error (self, error->message);
      set_busy (self, FALSE);
      return;
    }
  show_error (self, NULL);
  self->done = registered;
  show_import (self, import, registered);
  set_busy (self, FALSE);
}

static ZidLettersJob *
new_job (ZidImportDialog *self)
{
  ZidOrganisation *org = zid_organisation_choice_get (self->organisation_dropdown, self->organisations);
  guint role = gtk_drop_down_get_selected (self->role_dropdown);
  ZidLettersJob *job;

  if (org == NULL || self->path == NULL)
    return NULL;
  job = zid_letters_job_new (self->actor, org);
  job->role = roles[MIN (role, G_N_ELEMENTS (roles) - 1)];
  job->path = g_strdup (self->path);
  return job;
}

static void
run_job (ZidImportDialog *self,
         ZidLettersJob   *job,
         GCancellable    *cancellable)
{
  set_busy (self, TRUE);
  zid_letters_job_import (self, self->portal, job, cancellable, job_done,
                          GINT_TO_POINTER (job->letters != NULL));
}

static void
start_preview (ZidImportDialog *self)
{
  ZidLettersJob *job = new_job (self);

  if (job == NULL || self->done)
    return;
  /* a newer preview replaces the one under way */
  g_cancellable_cancel (self->preview);
  g_clear_object (&self->preview);
  self->preview = g_cancellable_new ();
  show_error (self, NULL);
  run_job (self, job, self->preview);
}

static void
on_file_chosen (GtkWidget  *widget,
                const char *path)
{
  zid_import_dialog_set_file (ZID_IMPORT_DIALOG (widget), path);
}

void
zid_import_dialog_set_file (ZidImportDialog *self,
                            const char      *path)
{
  g_autofree char *name = g_path_get_basename (path);

  g_free (self->path);
  self->path = g_strdup (path);
  /* a new file after an import: a new preview, to import again */
  self->done = FALSE;
  self->n_letters = 0;
  gtk_label_set_text (self->file_label, name);
  gtk_widget_remove_css_class (GTK_WIDGET (self->file_label), "dim-label");
  clear_preview (self);
  start_preview (self);
}

static void
choose_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  zid_file_choice_ask (widget, FALSE, _("Choose a File to Import"), NULL, ZID_FILE_CSV, on_file_chosen);
}

static void
on_letters_chosen (GtkWidget  *widget,
                   const char *path)
{
  ZidImportDialog *self = ZID_IMPORT_DIALOG (widget);
  ZidLettersJob *job;

  if (self->busy || self->done || (job = new_job (self)) == NULL)
    return;
  job->letters = g_strdup (path);
  run_job (self, job, self->cancellable);
}

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  ZidImportDialog *self = ZID_IMPORT_DIALOG (widget);
  ZidOrganisation *org = zid_organisation_choice_get (self->organisation_dropdown, self->organisations);
  g_autofree char *name = g_strdup_printf (_("enrolment letters %s.pdf"), org ? org->name : "");

  if (self->busy || self->done || self->n_importable == 0)
    return;
  zid_file_choice_ask (widget, TRUE, _("Save the Letters as PDF"), name, ZID_FILE_PDF, on_letters_chosen);
}

/* Print the same letters as saved: the new users' */
static void
print_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  ZidImportDialog *self = ZID_IMPORT_DIALOG (widget);
  ZidOrganisation *org = zid_organisation_choice_get (self->organisation_dropdown, self->organisations);
  g_autoptr(ZidImportItem) item = g_list_model_get_item (G_LIST_MODEL (self->store), 0);
  g_autoptr(GArray) letters = NULL;
  g_autoptr(GError) error = NULL;

  if (!self->done || item == NULL)
    return;
  /* the rows, and so the letters' texts, live as long as @item */
  letters = zid_letters_of_import (item->shared->import, org ? org->name : "");
  if (letters->len == 0)
    return;
  if (!zid_letters_print (GTK_WINDOW (self), (ZidLetter *) (void *) letters->data, letters->len,
                          _("ZORG-ID enrolment letters"), &error))
    {
      g_autofree char *msg = g_strdup_printf (_("Printing failed: %s"), error->message);
      show_error (self, msg);
    }
}

static void
close_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  gtk_window_destroy (GTK_WINDOW (widget));
}

static void
organisations_done (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *orgs = zid_work_finish (result, &error);
  ZidImportDialog *self;
  const char *message;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ZID_IMPORT_DIALOG (source);
  message = zid_organisation_choice_set (self->organisation_dropdown, &self->organisations, orgs, error,
                                         _("You may not register users in any organisation."));
  if (message != NULL)
    show_error (self, message);
  if (self->organisations != NULL)
    start_preview (self);
}

static void
zid_import_dialog_dispose (GObject *object)
{
  ZidImportDialog *self = ZID_IMPORT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->preview);
  gtk_widget_dispose_template (GTK_WIDGET (self), ZID_TYPE_IMPORT_DIALOG);
  G_OBJECT_CLASS (zid_import_dialog_parent_class)->dispose (object);
}

static void
zid_import_dialog_finalize (GObject *object)
{
  ZidImportDialog *self = ZID_IMPORT_DIALOG (object);

  g_clear_object (&self->portal);
  g_clear_object (&self->preview);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_pointer (&self->organisations, g_ptr_array_unref);
  g_free (self->path);
  G_OBJECT_CLASS (zid_import_dialog_parent_class)->finalize (object);
}

static void
zid_import_dialog_class_init (ZidImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = zid_import_dialog_dispose;
  object_class->finalize = zid_import_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/nl/zorgid/Portaal/ui/zid-import-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ZidImportDialog, file_label);
  gtk_widget_class_bind_template_child (widget_class, ZidImportDialog, organisation_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ZidImportDialog, role_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ZidImportDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, ZidImportDialog, counts_label);
  gtk_widget_class_bind_template_child (widget_class, ZidImportDialog, list_view);
  gtk_widget_class_bind_template_child (widget_class, ZidImportDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ZidImportDialog, print_button);
  gtk_widget_class_install_action (widget_class, "import.choose", NULL, choose_action);
  gtk_widget_class_install_action (widget_class, "import.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "import.print", NULL, print_action);
  gtk_widget_class_install_action (widget_class, "import.close", NULL, close_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "import.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "import.choose", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "import.print", NULL);
}

static void
zid_import_dialog_init (ZidImportDialog *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkStringList) role_names = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->store = g_list_store_new (ZID_TYPE_IMPORT_ITEM);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  gtk_list_view_set_model (self->list_view,
                           GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->store)))));
  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    gtk_string_list_append (role_names, zid_ui_role_label (roles[i]));
  gtk_drop_down_set_model (self->role_dropdown, G_LIST_MODEL (role_names));
  g_signal_connect_swapped (self->organisation_dropdown, "notify::selected", G_CALLBACK (start_preview), self);
  g_signal_connect_swapped (self->role_dropdown, "notify::selected", G_CALLBACK (start_preview), self);
  set_busy (self, FALSE);
}

ZidImportDialog *
zid_import_dialog_new (GtkWindow  *parent,
                       ZidBackend *portal,
                       gint64      actor)
{
  ZidImportDialog *self;

  /* of the application: its shortcuts (F1, Ctrl+Q) work here too */
  self = g_object_new (ZID_TYPE_IMPORT_DIALOG,
                       "application", parent ? gtk_window_get_application (parent) : NULL,
                       "transient-for", parent,
                       "modal", TRUE,
                       NULL);
  self->portal = g_object_ref (portal);
  self->actor = actor;
  zid_organisation_choice_load (self, portal, actor, ZID_ACTION_REGISTER_USER, self->cancellable,
                                organisations_done);
  return self;
}
