/* zid-application.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <glib/gi18n.h>

#include "zid-application.h"
#include "zid-flow-config.h"
#include "zid-preferences-window.h"
#include "zid-ui-resources.h"
#include "zid-window.h"

struct _ZidApplication
{
  AdwApplication  parent_instance;

  /* owned */
  GSettings      *settings;
  ZidPortal      *portal;
  char           *data_dir;
  char           *environment_name;
  ZidEnvironment  environment;
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

static int
zid_application_handle_local_options (GApplication *app,
                                      GVariantDict *options)
{
  ZidApplication *self = ZID_APPLICATION (app);

  if (g_variant_dict_lookup (options, "version", "b", NULL))
    {
      g_print ("zorgid-portaal %s\n", PACKAGE_VERSION);
      return 0;
    }
  g_variant_dict_lookup (options, "data-dir", "^ay", &self->data_dir);
  g_variant_dict_lookup (options, "environment", "s", &self->environment_name);
  if (self->environment_name != NULL &&
      !zid_environment_from_string (self->environment_name, &self->environment))
    {
      g_printerr (_("Unknown environment “%s”: use acceptatie or productie\n"), self->environment_name);
      return 2;
    }
  return -1;
}

static gboolean
open_portal (ZidApplication *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;

  if (self->portal != NULL)
    return TRUE;

  if (self->environment_name == NULL)
    {
      GSettings *settings = ensure_settings (self);

      self->environment = settings ? (ZidEnvironment) g_settings_get_enum (settings, "environment")
                                   : ZID_ENVIRONMENT_ACCEPTATIE;
    }
  dir = self->data_dir ? g_strdup (self->data_dir) : zid_portal_default_data_dir (self->environment);
  /* Opening reads a small SQLite file; the window cannot exist without it */
  self->portal = zid_portal_open (dir, self->environment, NULL, &error);
  if (self->portal == NULL)
    {
      g_printerr (_("Cannot open the portal data in %s: %s\n"), dir, error->message);
      return FALSE;
    }
  return TRUE;
}

static void
zid_application_activate (GApplication *app)
{
  ZidApplication *self = ZID_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    {
      if (!open_portal (self))
        {
          g_application_quit (app);
          return;
        }
      window = GTK_WINDOW (zid_window_new (self, self->portal));
    }
  gtk_window_present (window);
}

static ZidPreferencesWindow *
open_preferences (ZidApplication *self)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  ZidPreferencesWindow *prefs = zid_preferences_window_new (parent, self->portal, ensure_settings (self));

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

static void
about_activated (GSimpleAction *action,
                 GVariant      *param,
                 gpointer       user_data)
{
  ZidApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "modal", TRUE,
                        "application-icon", APP_ID,
                        "application-name", _("ZORG-ID Portaal"),
                        "developer-name", _("The ZORG-ID Portaal developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Register the users, roles and mobile IDs of your care organisation"),
                        "license-type", GTK_LICENSE_CUSTOM,
                        "license", "EUPL-1.2",
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  GApplication *app = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

  for (GList *l = windows; l != NULL; )
    {
      GList *next = l->next;

      gtk_window_destroy (l->data);
      l = next;
    }
}

static const GActionEntry app_entries[] = {
  { "preferences", preferences_activated },
  { "trust-uzi", trust_activated },
  { "trust-operator", trust_activated },
  { "about", about_activated },
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
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  G_APPLICATION_CLASS (zid_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_entries, G_N_ELEMENTS (app_entries), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", prefs_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.search", search_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.register-user", register_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.back", back_accels);

  gtk_css_provider_load_from_resource (css, "/nl/zorgid/Portaal/ui/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
zid_application_finalize (GObject *object)
{
  ZidApplication *self = ZID_APPLICATION (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->portal);
  g_free (self->data_dir);
  g_free (self->environment_name);
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
  app_class->startup = zid_application_startup;
}

static void
zid_application_init (ZidApplication *self)
{
  static const GOptionEntry entries[] = {
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, NULL, N_("Data directory (default: per environment)"), N_("DIR") },
    { "environment", 'e', 0, G_OPTION_ARG_STRING, NULL, N_("Environment: acceptatie or productie"), N_("ENVIRONMENT") },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
}

ZidApplication *
zid_application_new (void)
{
  /* Referencing the resource keeps its object (and the constructor that
   * registers it) in the link of the static library */
  g_assert (zid_ui_get_resource () != NULL);

  /* NON_UNIQUE: each data dir is its own portal; tests start several */
  return g_object_new (ZID_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", "/nl/zorgid/Portaal",
                       NULL);
}

ZidPortal *
zid_application_get_portal (ZidApplication *self)
{
  g_return_val_if_fail (ZID_IS_APPLICATION (self), NULL);
  return self->portal;
}

ZidEnvironment
zid_application_get_environment (ZidApplication *self)
{
  g_return_val_if_fail (ZID_IS_APPLICATION (self), ZID_ENVIRONMENT_ACCEPTATIE);
  return self->environment;
}

GSettings *
zid_application_get_settings (ZidApplication *self)
{
  g_return_val_if_fail (ZID_IS_APPLICATION (self), NULL);
  return ensure_settings (self);
}

ZidCardConfig *
zid_application_dup_card_config (ZidApplication *self)
{
  ZidCardConfig *config;
  GSettings *settings;

  g_return_val_if_fail (ZID_IS_APPLICATION (self), NULL);

  /* The environment's UZI trust: built in and added in the window; the
   * old "uzi-trust-dir" setting is no longer read (a host path cannot be
   * read inside the Flatpak) */
  config = zid_card_config_new_for_portal (self->portal);
  settings = ensure_settings (self);
  if (settings != NULL)
    {
      g_autofree char *module = g_settings_get_string (settings, "pkcs11-module-path");

      if (config->module_path == NULL && module != NULL && *module != '\0')
        config->module_path = g_steal_pointer (&module);
    }
  return config;
}
