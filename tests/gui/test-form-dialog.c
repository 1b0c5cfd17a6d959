/* test-form-dialog.c — dialogs that close only once their change is done
 *
 * A form dialog's work response (its default button, as Enter or a click
 * gives it) leaves it open, busy; a refusal shows in it with the input
 * kept; the close response (Escape) and a success close it. The block
 * question names the person. Renders the refused attribute dialog to
 * $ZID_SCREENSHOT_DIR/form-dialog-refused.png when that is set.
 *
 * Needs a display (meson runs it under xvfb-run).
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <adwaita.h>

#include "zid-attribute-dialog.h"
#include "zid-block-dialog.h"
#include "zid-form-dialog.h"
#include "zid-ui-resources.h"
#include "gui-test-util.h"

static void
settle (void)
{
  for (int i = 0; i < 100; i++)
    g_main_context_iteration (NULL, FALSE);
}

static void
count_response (AdwMessageDialog *dialog,
                const char       *response,
                GString          *responses)
{
  g_string_append_printf (responses, "%s;", response);
}

/* As a click or Enter on it: AdwMessageDialog closes, then responds
 * (gtk_widget_activate would click only after its 250 ms press) */
static void
press_default (GtkWindow *dialog)
{
  GtkWidget *button = gtk_window_get_default_widget (dialog);

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
  settle ();
}

static void
test_stays_open_until_done (void)
{
  g_autoptr(GString) responses = g_string_new (NULL);
  GtkWidget *parent = gtk_window_new ();
  AdwMessageDialog *dialog;
  GtkWidget *entry = gtk_entry_new ();

  gtk_window_present (GTK_WINDOW (parent));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (parent), "Heading", NULL));
  adw_message_dialog_add_responses (dialog, "cancel", "Cancel", "save", "Save", NULL);
  adw_message_dialog_set_default_response (dialog, "save");
  adw_message_dialog_set_close_response (dialog, "cancel");
  adw_message_dialog_set_extra_child (dialog, entry);
  zid_form_dialog_setup (dialog, "save");
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_signal_connect (dialog, "response", G_CALLBACK (count_response), responses);
  gtk_window_present (GTK_WINDOW (dialog));
  settle ();
  gtk_editable_set_text (GTK_EDITABLE (entry), "typed");

  /* Save: still open, busy while the core judges */
  press_default (GTK_WINDOW (dialog));
  g_assert_cmpstr (responses->str, ==, "save;");
  g_assert_nonnull (dialog);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_assert_true (zid_form_dialog_is_open (dialog));
  zid_form_dialog_set_busy (dialog, "Checking…");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "save"));
  g_assert_false (gtk_widget_is_sensitive (entry));
  g_assert_null (zid_form_dialog_get_error (dialog));

  /* Refused: the message in it, the input kept, Save again */
  zid_form_dialog_show_error (dialog, "Refused by the core");
  g_assert_cmpstr (zid_form_dialog_get_error (dialog), ==, "Refused by the core");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "save"));
  g_assert_true (gtk_widget_is_sensitive (entry));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "typed");
  press_default (GTK_WINDOW (dialog));
  g_assert_cmpstr (responses->str, ==, "save;save;");
  g_assert_nonnull (dialog);

  /* Done: closed */
  zid_form_dialog_close (dialog);
  settle ();
  g_assert_null (dialog);
  gtk_window_destroy (GTK_WINDOW (parent));
}

static void
test_escape_closes (void)
{
  g_autoptr(GString) responses = g_string_new (NULL);
  GtkWidget *parent = gtk_window_new ();
  AdwMessageDialog *dialog;

  gtk_window_present (GTK_WINDOW (parent));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (parent), "Heading", "Body"));
  adw_message_dialog_add_responses (dialog, "cancel", "Cancel", "save", "Save", NULL);
  adw_message_dialog_set_close_response (dialog, "cancel");
  zid_form_dialog_setup (dialog, "save");
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_signal_connect (dialog, "response", G_CALLBACK (count_response), responses);
  gtk_window_present (GTK_WINDOW (dialog));
  settle ();

  /* What Escape and the window's close button do */
  gtk_window_close (GTK_WINDOW (dialog));
  settle ();
  g_assert_cmpstr (responses->str, ==, "cancel;");
  g_assert_null (dialog);
  gtk_window_destroy (GTK_WINDOW (parent));
}

static void
test_block_names_person (void)
{
  GtkWidget *parent = gtk_window_new ();
  ZidBlockDialog *dialog;

  gtk_window_present (GTK_WINDOW (parent));
  dialog = zid_block_dialog_new (GTK_WINDOW (parent), "Bram Beheer");
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  settle ();
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), "Bram Beheer"));
  /* No reason chosen beforehand: Block waits for one, the focus on the
   * reasons */
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "block"));
  g_assert_cmpint (zid_block_dialog_get_reason (dialog), ==, ZID_BLOCK_REASON_NONE);
  g_assert_nonnull (gtk_widget_get_ancestor (gtk_root_get_focus (GTK_ROOT (dialog)), GTK_TYPE_DROP_DOWN));
  gtk_drop_down_set_selected (GTK_DROP_DOWN (gtk_widget_get_ancestor (gtk_root_get_focus (GTK_ROOT (dialog)),
                                                                      GTK_TYPE_DROP_DOWN)), 1);
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "block"));
  g_assert_cmpint (zid_block_dialog_get_reason (dialog), ==, zid_block_reason_nth (1)->value);
  press_default (GTK_WINDOW (dialog));
  g_assert_nonnull (dialog);
  zid_form_dialog_close (ADW_MESSAGE_DIALOG (dialog));
  settle ();
  g_assert_null (dialog);
  gtk_window_destroy (GTK_WINDOW (parent));
}

static void
test_attribute_refused_keeps_input (void)
{
  GtkWidget *parent = gtk_window_new ();
  ZidOrganisation org = { .id = 7, .name = (char *) "Zorggroep Noord" };
  ZidAttributeDialog *dialog;
  g_autofree char *code = NULL;
  GtkWidget *focus;

  gtk_window_present (GTK_WINDOW (parent));
  dialog = zid_attribute_dialog_new (GTK_WINDOW (parent), 1u << ZID_ATTRIBUTE_TYPE_TAAK);
  zid_attribute_dialog_add_organisation (dialog, &org);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  settle ();
  /* Typing starts at the task code */
  focus = gtk_root_get_focus (GTK_ROOT (dialog));
  g_assert_true (GTK_IS_TEXT (focus));
  gtk_editable_set_text (GTK_EDITABLE (focus), "T 100!");

  press_default (GTK_WINDOW (dialog));
  g_assert_nonnull (dialog);
  zid_form_dialog_set_busy (ADW_MESSAGE_DIALOG (dialog), NULL);
  zid_attribute_dialog_show_error (dialog, "De taakcode mag alleen letters bevatten", FALSE);
  code = zid_attribute_dialog_dup_task_code (dialog);
  g_assert_cmpstr (code, ==, "T 100!");
  g_assert_cmpstr (zid_form_dialog_get_error (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "De taakcode mag alleen letters bevatten");
  g_assert_cmpint (zid_attribute_dialog_get_organisation (dialog), ==, 7);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));
  zid_gui_test_save_screenshot (GTK_WIDGET (dialog), "form-dialog-refused.png");
  zid_form_dialog_close (ADW_MESSAGE_DIALOG (dialog));
  settle ();
  g_assert_null (dialog);
  gtk_window_destroy (GTK_WINDOW (parent));
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_assert_nonnull (zid_ui_get_resource ());

  g_test_add_func ("/form-dialog/stays-open-until-done", test_stays_open_until_done);
  g_test_add_func ("/form-dialog/escape-closes", test_escape_closes);
  g_test_add_func ("/form-dialog/block-names-person", test_block_names_person);
  g_test_add_func ("/form-dialog/attribute-refused-keeps-input", test_attribute_refused_keeps_input);
  return g_test_run ();
}
