/* zid-ui-util.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <langinfo.h>
#include <locale.h>
#include <qrencode.h>
#include <string.h>

#include "zid-ui-util.h"

#define QUIET_ZONE 4

const char *
zid_ui_role_label (ZidRole role)
{
  /* The technical names of the manual (§2) are the same in Dutch */
  switch (role)
    {
    case ZID_ROLE_ADMINISTRATOR: return C_("role", "Administrator");
    case ZID_ROLE_BEHEERDER:     return C_("role", "Manager");
    case ZID_ROLE_GEBRUIKER:     return C_("role", "User");
    case ZID_ROLE_NONE:
    default:                     return C_("role", "None");
    }
}

const char *
zid_ui_block_reason_label (ZidBlockReason reason)
{
  const char *label = zid_block_reason_get_label (reason);

  return label != NULL ? label : _("No reason");
}

const char *
zid_ui_mobile_id_label (ZidMobileIdState state)
{
  switch (state)
    {
    case ZID_MOBILE_ID_ACTIVE:  return _("Active");
    case ZID_MOBILE_ID_REVOKED: return _("Revoked");
    case ZID_MOBILE_ID_NONE:
    default:                    return _("Not enrolled");
    }
}

const char *
zid_ui_attribute_type_label (const char *type)
{
  ZidAttributeType value;

  return zid_attribute_type_from_name (type, &value) ? zid_attribute_type_get_label (value) : type;
}

/* The locale's date (LC_TIME's D_FMT, with the year in full: "%d-%m-%Y"
 * in nl_NL, "%m/%d/%Y" in en_US, "%d/%m/%Y" in en_GB); in C, the order of
 * the language the window speaks (DD-MM-JJJJ in Dutch, ISO in English) */
static GString *
locale_date_pattern (void)
{
  const char *lc_time = setlocale (LC_TIME, NULL);
  GString *date;

  /* The C locale has no convention of its own (its D_FMT is the US
   * order) */
  if (lc_time == NULL || g_str_equal (lc_time, "C") || g_str_equal (lc_time, "POSIX") ||
      g_str_has_prefix (lc_time, "C."))
    /* Translators: the order of a date where the system sets none, as
     * g_date_time_format () takes it; Dutch: %d-%m-%Y (12-03-1980) */
    return g_string_new (C_("date format", "%Y-%m-%d"));
  date = g_string_new (nl_langinfo (D_FMT));
  if (date->len == 0)
    g_string_assign (date, "%Y-%m-%d");
  g_string_replace (date, "%y", "%Y", 0);
  return date;
}

/* The locale's date and its clock (24 hours, or 12 where the locale's
 * time has AM/PM), to the minute */
static char *
locale_time_pattern (void)
{
  const char *lc_time = setlocale (LC_TIME, NULL);
  GString *date = locale_date_pattern ();
  const char *time_fmt = nl_langinfo (T_FMT);
  gboolean twelve = lc_time != NULL && !g_str_equal (lc_time, "C") && !g_str_equal (lc_time, "POSIX") &&
                    !g_str_has_prefix (lc_time, "C.") &&
                    (strstr (time_fmt, "%p") != NULL || strstr (time_fmt, "%r") != NULL ||
                     strstr (time_fmt, "%I") != NULL);

  g_string_append (date, twelve ? " %I:%M %p" : " %H:%M");
  return g_string_free (date, FALSE);
}

char *
zid_ui_format_date (const char *iso_date)
{
  static char *pattern;
  int year, month, day;
  char end;
  g_autoptr(GDateTime) date = NULL;

  if (iso_date == NULL)
    return g_strdup ("");
  if (g_once_init_enter (&pattern))
    g_once_init_leave (&pattern, g_string_free (locale_date_pattern (), FALSE));
  if (sscanf (iso_date, "%4d-%2d-%2d%c", &year, &month, &day, &end) != 3 ||
      (date = g_date_time_new_utc (year, month, day, 0, 0, 0)) == NULL)
    return g_strdup (iso_date);
  return g_date_time_format (date, pattern);
}

/* The local time zone looked up once: GLib 2.74 reads /etc/localtime
 * again for every g_date_time_to_local () (a readlink and a stat per call:
 * half of a users-overview row's update in bench/ui/bench-search); the
 * locale's pattern too */
char *
zid_ui_format_time (gint64 unix_seconds)
{
  static GTimeZone *local_zone;
  static char *pattern;
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (unix_seconds <= 0)
    return g_strdup (_("Never"));
  if (g_once_init_enter (&local_zone))
    {
      pattern = locale_time_pattern ();
      g_once_init_leave (&local_zone, g_time_zone_new_local ());
    }
  utc = g_date_time_new_from_unix_utc (unix_seconds);
  local = g_date_time_to_timezone (utc, local_zone);
  return g_date_time_format (local, pattern);
}

char *
zid_ui_format_remaining (gint64   seconds,
                         gboolean minutes_seconds)
{
  gint64 days, hours, minutes;

  if (seconds <= 0)
    return g_strdup (_("Expired"));

  if (minutes_seconds)
    /* Translators: a countdown, minutes:seconds */
    return g_strdup_printf (_("Valid for another %d:%02d"),
                            (int) (seconds / 60), (int) (seconds % 60));

  days = seconds / 86400;
  hours = (seconds % 86400) / 3600;
  minutes = (seconds % 3600) / 60;
  if (days > 0)
    {
      g_autofree char *d = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day", "%d days", days), (int) days);
      g_autofree char *h = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d hour", "%d hours", hours), (int) hours);
      /* Translators: "Valid for another 9 days and 23 hours" */
      return g_strdup_printf (_("Valid for another %s and %s"), d, h);
    }
  else
    {
      g_autofree char *h = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d hour", "%d hours", hours), (int) hours);
      g_autofree char *m = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute", "%d minutes", minutes), (int) minutes);
      return g_strdup_printf (_("Valid for another %s and %s"), h, m);
    }
}

char *
zid_ui_format_memberships (ZidUser *user)
{
  GPtrArray *memberships = zid_user_get_memberships (user);
  GString *out = g_string_new (NULL);

  for (guint i = 0; memberships != NULL && i < memberships->len; i++)
    {
      ZidMembership *m = g_ptr_array_index (memberships, i);

      if (out->len > 0)
        g_string_append (out, ", ");
      g_string_append_printf (out, "%s (%s)", m->organisation_name, zid_ui_role_label (m->role));
    }
  return g_string_free (out, FALSE);
}

void
zid_ui_show_toast (GtkWidget  *widget,
                   const char *message)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));
  gtk_widget_activate_action (widget, "win.show-toast", "s", message ? message : "");
}

void
zid_ui_show_enrolment (GtkWidget            *widget,
                       const ZidOneTimeCode *enrolment,
                       const char           *person)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (enrolment != NULL && enrolment->payload != NULL);
  gtk_widget_activate_action (widget, "win.show-enrolment", ZID_UI_ENROLMENT_TYPE,
                              enrolment->user_id, (gint32) enrolment->purpose,
                              enrolment->payload, enrolment->expires, person ? person : "");
}

ZidOneTimeCode *
zid_ui_enrolment_from_variant (GVariant    *param,
                               const char **person)
{
  ZidOneTimeCode *enrolment = g_new0 (ZidOneTimeCode, 1);
  const char *payload;
  gint32 purpose;

  g_variant_get (param, "(xi&sx&s)", &enrolment->user_id, &purpose, &payload,
                 &enrolment->expires, person);
  enrolment->purpose = (ZidCodePurpose) purpose;
  enrolment->payload = g_strdup (payload);
  if (**person == '\0')
    *person = NULL;
  return enrolment;
}

GdkTexture *
zid_ui_qr_texture (const char  *payload,
                   int          module_pixels,
                   GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;
  QRcode *qr;
  int modules, size;
  guchar *pixels;

  g_return_val_if_fail (payload != NULL, NULL);
  g_return_val_if_fail (module_pixels > 0, NULL);

  qr = QRcode_encodeString (payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (qr == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("The QR code could not be made"));
      return NULL;
    }

  modules = qr->width + 2 * QUIET_ZONE;
  size = modules * module_pixels;
  /* one byte per pixel is not a GdkMemoryFormat; use RGB */
  pixels = g_malloc (size * size * 3);
  memset (pixels, 0xff, size * size * 3);
  for (int my = 0; my < qr->width; my++)
    for (int mx = 0; mx < qr->width; mx++)
      {
        if (!(qr->data[my * qr->width + mx] & 1))
          continue;
        for (int py = 0; py < module_pixels; py++)
          {
            int y = (my + QUIET_ZONE) * module_pixels + py;
            int x = (mx + QUIET_ZONE) * module_pixels;

            memset (pixels + (y * size + x) * 3, 0, module_pixels * 3);
          }
      }
  QRcode_free (qr);

  bytes = g_bytes_new_take (pixels, size * size * 3);
  return gdk_memory_texture_new (size, size, GDK_MEMORY_R8G8B8, bytes, size * 3);
}

void
zid_ui_clear_list_box (GtkListBox *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_list_box_remove (box, child);
}

GtkWidget *
zid_ui_action_row_new (void)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  return row;
}

gboolean
zid_ui_card_present (GError **error)
{
  g_autoptr(GPtrArray) readers = zid_card_list_readers (error);

  if (readers == NULL)
    return FALSE;
  if (readers->len == 0)
    {
      g_set_error_literal (error, ZID_CARD_ERROR, ZID_CARD_ERROR_NO_READER,
                           _("No card reader is connected. Connect the card reader and try again."));
      return FALSE;
    }
  for (guint i = 0; i < readers->len; i++)
    if (zid_reader_get_card_present (g_ptr_array_index (readers, i)))
      return TRUE;
  g_set_error_literal (error, ZID_CARD_ERROR, ZID_CARD_ERROR_NO_CARD,
                       _("There is no card in the card reader. Insert your UZI card and try again."));
  return FALSE;
}

void
zid_ui_clear_pin_entry (GtkEditable *entry)
{
  g_autofree char *filler = NULL;

  g_return_if_fail (GTK_IS_EDITABLE (entry));

  filler = g_strnfill (strlen (gtk_editable_get_text (entry)), '0');
  gtk_editable_set_text (entry, filler);
  gtk_editable_set_text (entry, "");
}

ZidPin *
zid_ui_take_pin (GtkEditable *entry)
{
  const char *text;
  ZidPin *pin = NULL;

  g_return_val_if_fail (GTK_IS_EDITABLE (entry), NULL);

  text = gtk_editable_get_text (entry);
  if (*text != '\0')
    pin = zid_pin_new (text, strlen (text));
  zid_ui_clear_pin_entry (entry);
  return pin;
}

char *
zid_ui_pin_state_text (ZidPinState state,
                       int         tries_left)
{
  if (tries_left > 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d try left before the PIN is blocked",
                                         "%d tries left before the PIN is blocked", tries_left),
                            tries_left);
  if (state == ZID_PIN_STATE_FINAL_TRY)
    return g_strdup (_("Careful: this is the last try before the PIN is blocked"));
  if (state == ZID_PIN_STATE_COUNT_LOW)
    return g_strdup (_("A wrong PIN was entered before: fewer tries are left"));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "The PIN is blocked after %d wrong try",
                                       "The PIN is blocked after %d wrong tries", ZID_UZI_PIN_MAX_TRIES),
                          ZID_UZI_PIN_MAX_TRIES);
}

void
zid_ui_add_file_filters (GtkFileChooser     *chooser,
                         const char         *name,
                         const char * const *mime_types,
                         const char * const *patterns)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  g_return_if_fail (GTK_IS_FILE_CHOOSER (chooser));

  gtk_file_filter_set_name (filter, name);
  for (guint i = 0; mime_types != NULL && mime_types[i] != NULL; i++)
    gtk_file_filter_add_mime_type (filter, mime_types[i]);
  for (guint i = 0; patterns != NULL && patterns[i] != NULL; i++)
    gtk_file_filter_add_pattern (filter, patterns[i]);
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (chooser, filter);
  gtk_file_chooser_add_filter (chooser, all);
  gtk_file_chooser_set_filter (chooser, filter);
}
