/* zid-application.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <glib/gi18n.h>
#include <openssl/crypto.h>
#include <p11-kit/p11-kit.h>
#include <PCSC/pcsclite.h>
#include <sqlite3.h>

#include "zid-application.h"
#include "zid-audit-window.h"
#include "zid-flow-config.h"
#include "zid-import-dialog.h"
#include "zid-pending-window.h"
#include "zid-pkcs11.h"
#include "zid-preferences-window.h"
#include "zid-qr-window.h"
#include "zid-remote-backend.h"
#include "zid-ui-resources.h"
#include "zid-window.h"

struct _ZidApplication
{
  AdwApplication  parent_instance;

  /* owned */
  GSettings      *settings;

  /* a window could not open: the process ends with 1 once that is read */
  gboolean        open_failed;
};

G_DEFINE_FINAL_TYPE (ZidApplication, zid_application, ADW_TYPE_APPLICATION)

static GSettings *
ensure_settings (ZidApplication *self)
{
  if (self->settings == NULL)
    {
      GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
      g_autoptr(GSettingsSchema) schema = NULL;

      if (source != NULL)
        schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
      if (schema != NULL)
        self->settings = g_settings_new (APP_ID);
      else
        g_warning ("GSettings schema %s is not installed; preferences are not kept", APP_ID);
    }
  return self->settings;
}

/* Checked here, in the process that was started, so that a wrong name is
 * refused there; the primary instance reads the options again */
static int
zid_application_handle_local_options (GApplication *app,
                                      GVariantDict *options)
{
  g_autofree char *name = NULL;
  ZidEnvironment environment;

  if (g_variant_dict_lookup (options, "version", "b", NULL))
    {
      g_print ("zorgid-portaal %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (g_variant_dict_lookup (options, "environment", "s", &name) &&
      !zid_environment_from_string (name, &environment))
    {
      g_printerr (_("Unknown environment “%s”: use acceptatie or productie\n"), name);
      return 2;
    }
  return -1;
}

/* Without --environment: the one chosen in Voorkeuren */
static ZidEnvironment
default_environment (ZidApplication *self)
{
  GSettings *settings = ensure_settings (self);

  return settings ? (ZidEnvironment) g_settings_get_enum (settings, "environment")
                  : ZID_ENVIRONMENT_ACCEPTATIE;
}

static ZidWindow *
find_window (ZidApplication *self,
             ZidEnvironment  environment,
             const char     *data_dir,
             const char     *database)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    {
      ZidBackend *portal;
      g_autofree char *dir = NULL;

      if (!ZID_IS_WINDOW (l->data))
        continue;
      portal = zid_window_get_portal (l->data);
      if (zid_backend_get_environment (portal) != environment ||
          (database != NULL && (!ZID_IS_PORTAL (portal) ||
                                g_strcmp0 (zid_portal_get_database (ZID_PORTAL (portal)), database) != 0)))
        continue;
      dir = g_canonicalize_filename (zid_backend_get_data_dir (portal), NULL);
      if (data_dir == NULL || g_strcmp0 (dir, data_dir) == 0)
        return l->data;
    }
  return NULL;
}

ZidWindow *
zid_application_open_window (ZidApplication  *self,
                             ZidEnvironment   environment,
                             const char      *data_dir,
                             const char      *database,
                             GError         **error)
{
  g_autoptr(ZidPortal) portal = NULL;
  g_autofree char *dir = NULL;
  ZidWindow *window;

  g_return_val_if_fail (ZID_IS_APPLICATION (self), NULL);

  dir = data_dir ? g_canonicalize_filename (data_dir, NULL) : NULL;
  window = find_window (self, environment, dir, database);
  if (window == NULL)
    {
      if (dir == NULL)
        dir = zid_portal_default_data_dir (environment);
      /* Opening reads a small SQLite file; the window cannot exist without it */
      portal = zid_portal_open_database (dir, database, environment, NULL, error);
      if (portal == NULL)
        {
          g_prefix_error (error, _("Cannot open the portal data in %s: "), dir);
          return NULL;
        }
      {
        g_autoptr(ZidService) service = zid_service_new (portal);

        window = zid_window_new (self, ZID_BACKEND (portal), service);
      }
    }
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

/* A window on the portal server of @code: its login QR is the server's,
 * and the server serves the phones (no enrolment service of its own) */
static ZidWindow *
open_server_window (ZidApplication  *self,
                    const char      *code,
                    gboolean         environment_given,
                    ZidEnvironment   environment,
                    const char      *data_dir,
                    GError         **error)
{
  g_autoptr(ZidRemoteBackend) backend = NULL;
  ZidWindow *window;

  backend = zid_remote_backend_new (code, data_dir, error);
  if (backend == NULL)
    return NULL;
  if (environment_given && zid_backend_get_environment (ZID_BACKEND (backend)) != environment)
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_WRONG_ENVIRONMENT,
                   _("The connection code is of the environment %s, not %s: use the code of the "
                     "%s server"),
                   zid_environment_to_string (zid_backend_get_environment (ZID_BACKEND (backend))),
                   zid_environment_to_string (environment), zid_environment_to_string (environment));
      return NULL;
    }
  window = zid_window_new (self, ZID_BACKEND (backend), NULL);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

/* A window that cannot open says why, also to someone who started the
 * portal from the desktop and sees no terminal: the reason in a dialog
 * (its text names what to do), the application kept until it is read */
static void
show_open_error (ZidApplication *self,
                 const GError   *error)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent,
                                                                         _("The portal cannot open"),
                                                                         error->message));

  self->open_failed = TRUE;

  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Every start, the first and the ones after it (in the first process):
 * the window of that environment and data dir, opened or brought to the
 * front */
static int
zid_application_command_line (GApplication            *app,
                              GApplicationCommandLine *command_line)
{
  ZidApplication *self = ZID_APPLICATION (app);
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  g_autofree char *data_dir = NULL;
  g_autofree char *database = NULL;
  g_autofree char *server = NULL;
  g_autofree char *name = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GError) error = NULL;
  ZidEnvironment environment = default_environment (self);
  ZidWindow *window;

  g_variant_dict_lookup (options, "data-dir", "^ay", &data_dir);
  if (g_variant_dict_lookup (options, "database", "s", &database) && *database == '\0')
    {
      g_application_command_line_printerr (command_line, _("--database needs a value: a database "
                                                           "file or a postgresql:// URI\n"));
      return 2;
    }
  if (g_variant_dict_lookup (options, "environment", "s", &name) &&
      !zid_environment_from_string (name, &environment))
    {
      g_application_command_line_printerr (command_line,
                                           _("Unknown environment “%s”: use acceptatie or productie\n"),
                                           name);
      return 2;
    }
  if (data_dir != NULL)
    dir = g_canonicalize_filename (data_dir, g_application_command_line_get_cwd (command_line));
  /* a database file named from where the command was given */
  if (database != NULL && strstr (database, "://") == NULL && !g_path_is_absolute (database))
    {
      g_autofree char *relative = g_steal_pointer (&database);

      database = g_canonicalize_filename (relative, g_application_command_line_get_cwd (command_line));
    }
  g_variant_dict_lookup (options, "server", "s", &server);
  if (server != NULL && database != NULL)
    {
      g_application_command_line_printerr (command_line, _("--server and --database exclude each "
                                                           "other: the server has the database\n"));
      return 2;
    }
  if (server != NULL)
    window = open_server_window (self, server, name != NULL, environment, dir, &error);
  else
    window = zid_application_open_window (self, environment, dir, database, &error);
  if (window == NULL)
    {
      g_application_command_line_printerr (command_line, "%s\n", error->message);
      show_open_error (self, error);
      return 1;
    }
  return 0;
}

static void
zid_application_activate (GApplication *app)
{
  ZidApplication *self = ZID_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_autoptr(GError) error = NULL;

  if (window != NULL)
    gtk_window_present (window);
  else if (zid_application_open_window (self, default_environment (self), NULL, NULL, &error) == NULL)
    {
      g_printerr ("%s\n", error->message);
      show_open_error (self, error);
    }
}

/* The main window behind the window in front (a dialog, the QR window or
 * the preferences): the portal the application's actions act on */
static ZidWindow *
front_window (ZidApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  while (window != NULL && !ZID_IS_WINDOW (window))
    window = gtk_window_get_transient_for (window);
  if (window == NULL)
    for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
      if (ZID_IS_WINDOW (l->data))
        return l->data;
  return ZID_WINDOW (window);
}

static ZidPreferencesWindow *
open_preferences (ZidApplication *self)
{
  ZidWindow *parent = front_window (self);
  ZidPreferencesWindow *prefs = zid_preferences_window_new (GTK_WINDOW (parent),
                                                            parent ? zid_window_get_portal (parent) : NULL,
                                                            ensure_settings (self));

  gtk_window_present (GTK_WINDOW (prefs));
  return prefs;
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant      *param,
                       gpointer       user_data)
{
  open_preferences (user_data);
}

/* The readiness check's fixes (zid-readiness.h): both kinds of trust are
 * on the preferences' trust page */
static void
trust_activated (GSimpleAction *action,
                 GVariant      *param,
                 gpointer       user_data)
{
  zid_preferences_window_show_trust (open_preferences (user_data));
}

/* Voorkeuren' environment: that environment's window, opened here in this
 * process with its own data and service, or brought to the front */
static void
open_environment_activated (GSimpleAction *action,
                            GVariant      *param,
                            gpointer       user_data)
{
  ZidApplication *self = user_data;
  ZidWindow *front = front_window (self);
  g_autoptr(GError) error = NULL;
  ZidEnvironment environment;

  if (!zid_environment_from_string (g_variant_get_string (param, NULL), &environment))
    return;
  if (zid_application_open_window (self, environment, NULL, NULL, &error) == NULL && front != NULL)
    gtk_widget_activate_action (GTK_WIDGET (front), "win.show-toast", "s", error->message);
}

#define WEBSITE   "https://zorgid.nl/portaal"
#define ISSUE_URL "https://git.zorgid.nl/zorgid/portaal/-/issues"
#define HELP_URL  "https://zorgid.nl/portaal/handleiding"

static gboolean
in_flatpak (void)
{
  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
}

/* The About window's debug information: the versions of what the
 * application is made of, and the PKCS#11 modules it sees.  Loading the
 * modules talks to card middleware: in a worker thread */
static void
debug_info_thread (GTask        *task,
                   gpointer      source,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  ZidCardConfig *config = task_data;
  GString *info = g_string_new (NULL);
  g_autoptr(ZidPkcs11) pkcs11 = NULL;
  g_autoptr(GError) error = NULL;

  g_string_append_printf (info, "ZORG-ID Portaal %s (%s)%s\n", PACKAGE_VERSION, APP_ID,
                          in_flatpak () ? ", Flatpak" : "");
  g_string_append_printf (info, "GTK %u.%u.%u\n", gtk_get_major_version (),
                          gtk_get_minor_version (), gtk_get_micro_version ());
  g_string_append_printf (info, "libadwaita %u.%u.%u\n", adw_get_major_version (),
                          adw_get_minor_version (), adw_get_micro_version ());
  g_string_append_printf (info, "GLib %u.%u.%u\n", glib_major_version, glib_minor_version,
                          glib_micro_version);
  g_string_append_printf (info, "%s\n", OpenSSL_version (OPENSSL_VERSION));
  g_string_append_printf (info, "SQLite %s\n", sqlite3_libversion ());
  /* Neither has a run-time version call: the versions built with (the
   * Flatpak bundles both, so there they are the ones running) */
  g_string_append_printf (info, "pcsc-lite %s (built with)\n", PCSCLITE_VERSION_NUMBER);
  g_string_append_printf (info, "p11-kit %s (built with)\n", P11_KIT_BUILD_VERSION);
  g_string_append (info, "\nPKCS#11 modules:\n");
  pkcs11 = config ? zid_pkcs11_new (config, &error) : NULL;
  if (pkcs11 != NULL)
    {
      g_auto(GStrv) names = zid_pkcs11_get_module_names (pkcs11);
      const char * const *failures = zid_pkcs11_get_load_failures (pkcs11);

      for (guint i = 0; names[i] != NULL; i++)
        g_string_append_printf (info, "  %s\n", names[i]);
      if (names[0] == NULL)
        g_string_append (info, "  none\n");
      for (guint i = 0; failures != NULL && failures[i] != NULL; i++)
        g_string_append_printf (info, "  not loaded: %s\n", failures[i]);
    }
  else
    g_string_append_printf (info, "  not loaded: %s\n", error ? error->message : "no portal open");

  g_task_return_pointer (task, g_string_free (info, FALSE), g_free);
}

static void
debug_info_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GtkWidget) about = user_data;
  g_autofree char *info = g_task_propagate_pointer (G_TASK (result), NULL);

  g_debug ("Debug information:\n%s", info);
  adw_about_window_set_debug_info (ADW_ABOUT_WINDOW (about), info);
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *param,
                 gpointer       user_data)
{
  ZidApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  ZidBackend *portal = zid_application_get_portal (self);
  g_autoptr(GTask) task = NULL;
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "modal", TRUE,
                        "application-icon", APP_ID,
                        "application-name", _("ZORG-ID Portaal"),
                        "developer-name", _("The ZORG-ID Portaal developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Register the users, roles and mobile IDs of your care organisation"),
                        "website", WEBSITE,
                        "issue-url", ISSUE_URL,
                        "support-url", HELP_URL,
                        "debug-info", _("Collecting…"),
                        "debug-info-filename", "zorgid-portaal-debug.txt",
                        "license-type", GTK_LICENSE_CUSTOM,
                        "license", "EUPL-1.2",
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));

  task = g_task_new (NULL, NULL, debug_info_done, g_object_ref (about));
  g_task_set_source_tag (task, about_activated);
  if (portal != NULL)
    g_task_set_task_data (task, zid_application_dup_card_config (self, portal),
                          (GDestroyNotify) zid_card_config_free);
  g_task_run_in_thread (task, debug_info_thread);
}

/* Help (F1): Yelp shows the installed Mallard pages where it is there;
 * otherwise the same pages as HTML in the browser: installed by yelp-build,
 * or, in the Flatpak (whose files the host's browser cannot read), the
 * copy published with each release. The page is that of what is on
 * screen: the window in front, else the overview (index). */

typedef struct
{
  GtkWindow *parent;     /* owned, nullable */
  char      *location;   /* where the help is when nothing can show it */
} HelpRequest;

static void
help_request_free (HelpRequest *request)
{
  g_clear_object (&request->parent);
  g_free (request->location);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HelpRequest, help_request_free)

static void
help_shown (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(HelpRequest) request = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  AdwMessageDialog *dialog;

  if (gtk_show_uri_full_finish (GTK_WINDOW (source), result, &error) || request->parent == NULL)
    return;
  g_message ("Cannot open the help: %s", error->message);
  /* Said where the administrator looks, with where to read it instead */
  message = g_strdup_printf (_("No help viewer or web browser could open the help. "
                               "You can read it at %s"), request->location);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (request->parent, _("Cannot Open the Help"), message));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The help page of @window: its Mallard page id */
static const char *
help_page_of (GtkWindow *window)
{
  if (window == NULL)
    return NULL;
  if (ZID_IS_IMPORT_DIALOG (window))
    return "importeren";
  if (ZID_IS_PENDING_WINDOW (window))
    return "openstaande-registraties";
  if (ZID_IS_PREFERENCES_WINDOW (window))
    return "voorkeuren";
  if (ZID_IS_AUDIT_WINDOW (window))
    return "logboek";
  /* a message dialog over one of them: its page */
  if (ADW_IS_MESSAGE_DIALOG (window))
    return help_page_of (gtk_window_get_transient_for (window));
  return NULL;
}

static void
help_activated (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  ZidApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  const char *page = help_page_of (parent);
  g_autofree char *yelp = g_find_program_in_path ("yelp");
  g_autofree char *html_name = g_strconcat (page != NULL ? page : "index", ".html", NULL);
  g_autofree char *html = g_build_filename (DATADIR, "zorgid-portaal", "help", html_name, NULL);
  g_autofree char *online = g_strconcat (HELP_URL, "/", html_name, NULL);
  g_autoptr(HelpRequest) request = g_new0 (HelpRequest, 1);
  g_autofree char *uri = NULL;

  if (!in_flatpak () && g_file_test (html, G_FILE_TEST_IS_REGULAR))
    request->location = g_steal_pointer (&html);
  else
    request->location = g_strdup (online);
  if (yelp != NULL && !in_flatpak ())
    uri = page != NULL ? g_strconcat ("help:zorgid-portaal/", page, NULL) : g_strdup ("help:zorgid-portaal");
  else if (!in_flatpak () && html == NULL)
    uri = g_filename_to_uri (request->location, NULL, NULL);
  else
    uri = g_steal_pointer (&online);
  g_debug ("Help: %s", uri);
  request->parent = parent != NULL ? g_object_ref (parent) : NULL;
  gtk_show_uri_full (parent, uri, GDK_CURRENT_TIME, NULL, help_shown, g_steal_pointer (&request));
}

static gboolean
quit_now (gpointer data)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (data));

  for (GList *l = windows; l != NULL; )
    {
      GList *next = l->next;

      gtk_window_destroy (l->data);
      l = next;
    }
  return G_SOURCE_REMOVE;
}

/* A QR code not scanned yet cannot be shown again: its window asks first,
 * once for all of them */
static void
quit_activated (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (user_data));
  ZidQrWindow *asking = NULL;
  guint n = 0;

  for (GList *l = windows; l != NULL; l = l->next)
    if (ZID_IS_QR_WINDOW (l->data) && zid_qr_window_get_unscanned (l->data))
      {
        n++;
        asking = asking != NULL ? asking : l->data;
      }
  if (n == 0)
    quit_now (user_data);
  else
    zid_qr_window_ask_quit (asking, n, quit_now, G_OBJECT (user_data));
}

static const GActionEntry app_entries[] = {
  { "preferences", preferences_activated },
  { "trust-uzi", trust_activated },
  { "trust-operator", trust_activated },
  { "open-environment", open_environment_activated, "s" },
  { "about", about_activated },
  { "help", help_activated },
  { "quit", quit_activated },
};

static void
zid_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *prefs_accels[] = { "<Control>comma", NULL };
  static const char *search_accels[] = { "<Control>f", NULL };
  static const char *register_accels[] = { "<Control>n", NULL };
  static const char *back_accels[] = { "<Alt>Left", NULL };
  static const char *help_accels[] = { "F1", NULL };
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  G_APPLICATION_CLASS (zid_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_entries, G_N_ELEMENTS (app_entries), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", prefs_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.search", search_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.register-user", register_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.back", back_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.help", help_accels);

  gtk_css_provider_load_from_resource (css, "/nl/zorgid/Portaal/ui/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
zid_application_finalize (GObject *object)
{
  ZidApplication *self = ZID_APPLICATION (object);

  g_clear_object (&self->settings);
  G_OBJECT_CLASS (zid_application_parent_class)->finalize (object);
}

static void
zid_application_class_init (ZidApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = zid_application_finalize;
  app_class->handle_local_options = zid_application_handle_local_options;
  app_class->activate = zid_application_activate;
  app_class->command_line = zid_application_command_line;
  app_class->startup = zid_application_startup;
}

static void
zid_application_init (ZidApplication *self)
{
  static const GOptionEntry entries[] = {
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, NULL, N_("Data directory (default: per environment)"), N_("DIR") },
    { "environment", 'e', 0, G_OPTION_ARG_STRING, NULL, N_("Environment: acceptatie or productie"), N_("ENVIRONMENT") },
    { "database", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Database: a file or a postgresql:// URI (default: ZID_DATABASE, the data dir's setting, "
         "its zorgid.db)"), N_("URI") },
    { "server", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Work on the portal server of this connection code (zorgid-admin server connection-code)"),
      N_("CONNECTION-CODE") },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
}

int
zid_application_get_exit_status (ZidApplication *self)
{
  g_return_val_if_fail (ZID_IS_APPLICATION (self), 1);
  return self->open_failed ? 1 : 0;
}

ZidApplication *
zid_application_new (void)
{
  /* Referencing the resource keeps its object (and the constructor that
   * registers it) in the link of the static library */
  g_assert (zid_ui_get_resource () != NULL);

  /* One process: a second start opens (or presents) its window in the
   * first; each window has its own portal and service */
  return g_object_new (ZID_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", "/nl/zorgid/Portaal",
                       NULL);
}

ZidBackend *
zid_application_get_portal (ZidApplication *self)
{
  ZidWindow *window;

  g_return_val_if_fail (ZID_IS_APPLICATION (self), NULL);
  window = front_window (self);
  return window ? zid_window_get_portal (window) : NULL;
}

ZidEnvironment
zid_application_get_environment (ZidApplication *self)
{
  ZidBackend *portal;

  g_return_val_if_fail (ZID_IS_APPLICATION (self), ZID_ENVIRONMENT_ACCEPTATIE);
  portal = zid_application_get_portal (self);
  return portal ? zid_backend_get_environment (portal) : default_environment (self);
}

GSettings *
zid_application_get_settings (ZidApplication *self)
{
  g_return_val_if_fail (ZID_IS_APPLICATION (self), NULL);
  return ensure_settings (self);
}

ZidCardConfig *
zid_application_dup_card_config (ZidApplication *self,
                                 ZidBackend     *portal)
{
  ZidCardConfig *config;
  GSettings *settings;

  g_return_val_if_fail (ZID_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (ZID_IS_BACKEND (portal), NULL);

  /* The environment's UZI trust: built in and added in the window; the
   * old "uzi-trust-dir" setting is no longer read (a host path cannot be
   * read inside the Flatpak) */
  config = zid_card_config_new_for_portal (portal);
  settings = ensure_settings (self);
  if (settings != NULL)
    {
      g_autofree char *module = g_settings_get_string (settings, "pkcs11-module-path");

      if (config->module_path == NULL && module != NULL && *module != '\0')
        config->module_path = g_steal_pointer (&module);
    }
  return config;
}
